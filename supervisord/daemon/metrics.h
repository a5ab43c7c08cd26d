/*
 * Metrics: the wards' state in Prometheus text format, written to a file
 * (metrics_file in [steward]) for node_exporter's textfile collector.
 *
 * Two halves.  metrics-render.c turns a snapshot of plain values (struct
 * metrics_doc: no pointers into the daemon, no clock) into the text; it
 * is pure and unit-tested on its own.  metrics.c takes the snapshot from
 * struct steward on a timer and writes the file without blocking the
 * loop for long (see the essay there).
 */
#ifndef STEWARD_METRICS_H
#define STEWARD_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "daemon/job-outcome.h"

struct steward;

/* The most restart reasons a snapshot may name. */
#define METRICS_REASONS_MAX 8

/* One ward instance as the metrics see it. */
struct metrics_inst {
	const char *ward;
	unsigned replica;
	unsigned state;       /* index into metrics_doc.states */
	double last_beat_age; /* seconds since the last beat; < 0: none */
	uint64_t beats;       /* beats heard, every process of it */
	double tokens;        /* restart tokens left */
	/* healing restarts, by reason (index into metrics_doc.reasons) */
	uint64_t restarts[METRICS_REASONS_MAX];
	/* its cgroup (steward-cgroup.c), when it has one */
	bool has_cgroup;
	double cpu_seconds; /* all its processes, since stewardd began */
	uint64_t procs;     /* processes in it now */
	bool has_memory;    /* the memory controller is on */
	uint64_t memory;    /* bytes */
};

/* Runs of one job that ended one way (steward_job_runs_total). */
struct metrics_job {
	const char *job;
	const char *outcome;
	uint64_t runs;
};

/* Everything one file says. */
struct metrics_doc {
	const char *version;
	double start_time; /* stewardd's start, Unix seconds */
	uint64_t orphans_reaped;
	uint64_t events_lost;
	/* every state name: each instance gets a 0/1 series per state */
	const char *const *states;
	size_t nstates;
	/* every restart reason: each instance gets a counter per reason */
	const char *const *reasons;
	size_t nreasons;
	const struct metrics_inst *inst;
	size_t ninst;
	const struct metrics_job *jobs;
	size_t njobs;
};

/* Where a render stopped: the metric family and the item in it. */
struct metrics_cursor {
	unsigned family;
	size_t item;
};

/*
 * Render d from cursor c into b until b has grown by at least budget
 * bytes or the document is done; returns true when it is done.  A render
 * in steps gives the same text as one in a single call, so the caller
 * can write a big file a piece per loop iteration.  A zeroed cursor
 * starts at the beginning.
 */
bool metrics_render(const struct metrics_doc *d, struct metrics_cursor *c,
		    struct sbuf *b, size_t budget);

/* Append s as a label value: backslash, quote and newline escaped. */
void metrics_label_value(struct sbuf *b, const char *s);

/*
 * Start writing the metrics file of s->cfg (nothing when it has none),
 * at once and then every metrics_interval.  Also called after a reload:
 * a new path or interval takes effect, and no path stops the writing.
 */
void metrics_start(struct steward *s);

/* Write the file one last time (every ward stopped), then free all. */
void metrics_stop(struct steward *s);

/*
 * Count a job run that ended with outcome (success, failed, timeout,
 * cancelled); job.c calls it once per run.  Counted only while a
 * metrics file is kept.
 */
void metrics_job_finished(struct steward *s, const char *job,
			  enum job_outcome outcome);

#endif
