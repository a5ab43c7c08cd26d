/*
 * Big starts and stops in slices, and the loop's latency
 * (steward-pace.c has the design).
 */
#ifndef STEWARD_STEWARD_PACE_H
#define STEWARD_STEWARD_PACE_H

#include <ev.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/err.h"

struct steward;
struct ward_inst;

#define STEWARD_LOOP_BUCKETS 12 /* below 1, 2, 4 ... 1024 ms, and above */

/* An order queued to be carried out in a slice. */
enum pace_kind { PACE_START, PACE_STOP, PACE_SHUTDOWN };

struct pace_entry {
	struct ward_inst *wi; /* NULL: cancelled */
	enum pace_kind kind;
	const char *why; /* a stop's reason (static), or NULL: a person's */
};

/* The queue and the loop's latency, embedded in struct steward. */
struct steward_pace {
	struct pace_entry *q; /* orders to carry out, in order */
	size_t head, tail, cap;
	size_t queued;    /* non-NULL entries in [head, tail) */
	double cost;      /* seconds a start took lately (moving average) */
	ev_check feed;    /* starts a slice after each poll */
	ev_idle busy;     /* no sleeping in the poll while starts wait */
	ev_check woke;    /* stamps the end of each poll */
	ev_prepare sleep; /* measures the work until the next poll */
	double woke_at;   /* 0: not measuring */
	double woke_cpu;  /* the loop thread's CPU time then; -1: unknown */
	uint64_t iterations;
	uint64_t gaps[STEWARD_LOOP_BUCKETS]; /* by powers of two of 1 ms */
	double gap_max;                      /* seconds */
	double gap_recent; /* the longest since the last health reply */
	/* the same gaps counted in the loop thread's CPU time: what
	 * stewardd worked, without the time others had its CPU */
	uint64_t cpu_gaps[STEWARD_LOOP_BUCKETS];
	double cpu_gap_max, cpu_gap_recent;
	/* deaths heard when the iteration had worked a slice already:
	 * pids, handled first in the next slices (steward-reap.c) */
	pid_t *deaths;
	size_t dhead, dtail, dcap;
};

/* Set up and tear down the start queue and the loop's latency
 * measurement. */
void steward_pace_init(struct steward *s);
void steward_pace_fini(struct steward *s);
/* Start wi in a later slice, as the order policy starts it
 * (steward-events.h: dependencies first). */
void steward_pace_start(struct steward *s, struct ward_inst *wi);
/*
 * Stop wi in a later slice, as the order policy stops it (why NULL: a
 * person's stop) or with why, a static string.
 */
void steward_pace_stop(struct steward *s, struct ward_inst *wi,
		       const char *why);
/* Feed wi WEV_SHUTDOWN in a later slice (stewardd's shutdown stops a
 * level of 10,000 wards so, and carries out no other order). */
void steward_pace_shutdown(struct steward *s, struct ward_inst *wi);
/* Take wi off the queue; true if it was on it. */
bool steward_pace_cancel(struct steward *s, struct ward_inst *wi);
/*
 * Has this loop iteration worked a slice (STEWARD_PACE_SLICE) since its
 * poll returned?  Then what can wait a moment should: a death heard on
 * a pipe, a pass over ended children.
 */
bool steward_pace_spent(const struct steward *s);
/*
 * May work in slices, at it since t0, go on?  Until the iteration has
 * worked its slice, and in any case for STEWARD_PACE_MIN of its own: on
 * a busy or loaded machine (thousands of beats read first, or stewardd
 * taken off the CPU meanwhile) a queue still moves on at a fair pace.
 */
bool steward_pace_more(const struct steward *s, double t0);
/* pid's process may have ended: ask about it in a later slice, before
 * any queued order. */
void steward_pace_death(struct steward *s, pid_t pid);
/* Are deaths waiting for a slice (a storm of them)? */
bool steward_pace_deaths(const struct steward *s);
/* Seconds the queued starts will take. */
double steward_pace_eta(const struct steward *s);
/* The "loop" field (latency, queue) for status JSON. */
void steward_pace_json(struct steward *s, struct sbuf *b);

#endif
