/*
 * Rendering the metrics: a snapshot (struct metrics_doc) to Prometheus's
 * text exposition format, version 0.0.4.
 *
 * The format groups every sample of a metric family under one # HELP and
 * one # TYPE line, so the text is family-major: each family walks every
 * item (an instance, a job outcome, or the daemon itself) in turn.  The
 * families are one table, in the order they are written; each knows how
 * many items it has and how to write one item's samples.  A cursor
 * (family, item) lets the caller render a piece at a time and get the
 * same bytes as one render: metrics.c writes a big file across several
 * loop iterations this way.
 *
 * No timestamps are written (node_exporter's textfile collector refuses
 * them; the file's mtime says how fresh it is), and no sample is NaN: an
 * instance with no beat has no last_beat_age sample at all.  A family
 * with no items writes nothing, not even its header.
 *
 * Cost: O(instances x (states + reasons)) bytes, about 1.2 KB per
 * instance with 7 states and 6 reasons; nothing is allocated but the
 * output buffer.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "daemon/metrics.h"

enum metrics_family {
	MF_BUILD_INFO,
	MF_START_TIME,
	MF_ORPHANS,
	MF_EVENTS_LOST,
	MF_STATE,
	MF_RESTARTS,
	MF_BEAT_AGE,
	MF_BEATS,
	MF_TOKENS,
	MF_CPU,
	MF_PROCS,
	MF_MEMORY,
	MF_JOB_RUNS,
	MF_NFAMILIES,
};

struct metrics_family_def {
	const char *name;
	const char *type; /* "gauge" or "counter" */
	const char *help;
	bool per_instance; /* else one item (daemon) or one per job row */
	bool per_job;
	/* only when some instance has a cgroup (has_memory: memory too) */
	bool cgroup, memory;
	void (*emit)(struct sbuf *b, const struct metrics_doc *d, size_t i);
};

/* Append a sample's value, the way Prometheus reads floats. */
static void
metrics_float(struct sbuf *b, double v)
{
	if (isnan(v))
		sbuf_add(b, "NaN", 3);
	else if (isinf(v))
		sbuf_add(b, v > 0 ? "+Inf" : "-Inf", 4);
	else
		sbuf_addf(b, "%.3f", v);
}

/* Append s as a label value; see metrics.h. */
void
metrics_label_value(struct sbuf *b, const char *s)
{
	const char *run = s;

	sbuf_add(b, "\"", 1);
	for (; *s != '\0'; s++) {
		const char *esc = *s == '\\'   ? "\\\\"
				  : *s == '"'  ? "\\\""
				  : *s == '\n' ? "\\n"
					       : NULL;

		if (esc == NULL)
			continue;
		sbuf_add(b, run, (size_t)(s - run));
		sbuf_add(b, esc, 2);
		run = s + 1;
	}
	sbuf_add(b, run, (size_t)(s - run));
	sbuf_add(b, "\"", 1);
}

/* Begin an instance's sample: name{ward="w",replica="r" (no brace). */
static void
metrics_inst_labels(struct sbuf *b, const char *name,
		    const struct metrics_inst *in)
{
	sbuf_addf(b, "%s{ward=", name);
	metrics_label_value(b, in->ward);
	sbuf_addf(b, ",replica=\"%u\"", in->replica);
}

/* steward_build_info{version} 1 */
static void
emit_build_info(struct sbuf *b, const struct metrics_doc *d, size_t i)
{
	(void)i;
	sbuf_add(b, "steward_build_info{version=", 27);
	metrics_label_value(b, d->version != NULL ? d->version : "");
	sbuf_add(b, "} 1\n", 4);
}

/* steward_start_time_seconds */
static void
emit_start_time(struct sbuf *b, const struct metrics_doc *d, size_t i)
{
	(void)i;
	sbuf_add(b, "steward_start_time_seconds ", 27);
	metrics_float(b, d->start_time);
	sbuf_add(b, "\n", 1);
}

/* steward_orphans_reaped_total */
static void
emit_orphans(struct sbuf *b, const struct metrics_doc *d, size_t i)
{
	(void)i;
	sbuf_addf(b, "steward_orphans_reaped_total %" PRIu64 "\n",
		  d->orphans_reaped);
}

/* steward_events_lost_total */
static void
emit_events_lost(struct sbuf *b, const struct metrics_doc *d, size_t i)
{
	(void)i;
	sbuf_addf(b, "steward_events_lost_total %" PRIu64 "\n", d->events_lost);
}

/* steward_ward_state: one 0/1 sample per state. */
static void
emit_state(struct sbuf *b, const struct metrics_doc *d, size_t i)
{
	const struct metrics_inst *in = &d->inst[i];

	for (size_t k = 0; k < d->nstates; k++) {
		metrics_inst_labels(b, "steward_ward_state", in);
		sbuf_add(b, ",state=", 7);
		metrics_label_value(b, d->states[k]);
		sbuf_addf(b, "} %d\n", in->state == k ? 1 : 0);
	}
}

/* steward_ward_restarts_total: one counter per reason. */
static void
emit_restarts(struct sbuf *b, const struct metrics_doc *d, size_t i)
{
	const struct metrics_inst *in = &d->inst[i];
	size_t n = d->nreasons < METRICS_REASONS_MAX ? d->nreasons
						     : METRICS_REASONS_MAX;

	for (size_t k = 0; k < n; k++) {
		metrics_inst_labels(b, "steward_ward_restarts_total", in);
		sbuf_add(b, ",reason=", 8);
		metrics_label_value(b, d->reasons[k]);
		sbuf_addf(b, "} %" PRIu64 "\n", in->restarts[k]);
	}
}

/* steward_ward_last_beat_age_seconds, only when there was a beat. */
static void
emit_beat_age(struct sbuf *b, const struct metrics_doc *d, size_t i)
{
	const struct metrics_inst *in = &d->inst[i];

	if (!(in->last_beat_age >= 0))
		return;
	metrics_inst_labels(b, "steward_ward_last_beat_age_seconds", in);
	sbuf_add(b, "} ", 2);
	metrics_float(b, in->last_beat_age);
	sbuf_add(b, "\n", 1);
}

/* steward_ward_beats_total */
static void
emit_beats(struct sbuf *b, const struct metrics_doc *d, size_t i)
{
	const struct metrics_inst *in = &d->inst[i];

	metrics_inst_labels(b, "steward_ward_beats_total", in);
	sbuf_addf(b, "} %" PRIu64 "\n", in->beats);
}

/* steward_ward_restart_tokens */
static void
emit_tokens(struct sbuf *b, const struct metrics_doc *d, size_t i)
{
	const struct metrics_inst *in = &d->inst[i];

	metrics_inst_labels(b, "steward_ward_restart_tokens", in);
	sbuf_add(b, "} ", 2);
	metrics_float(b, in->tokens);
	sbuf_add(b, "\n", 1);
}

/* steward_ward_cpu_seconds_total, with a cgroup */
static void
emit_cpu(struct sbuf *b, const struct metrics_doc *d, size_t i)
{
	const struct metrics_inst *in = &d->inst[i];

	if (!in->has_cgroup)
		return;
	metrics_inst_labels(b, "steward_ward_cpu_seconds_total", in);
	sbuf_add(b, "} ", 2);
	metrics_float(b, in->cpu_seconds);
	sbuf_add(b, "\n", 1);
}

/* steward_ward_processes, with a cgroup */
static void
emit_procs(struct sbuf *b, const struct metrics_doc *d, size_t i)
{
	const struct metrics_inst *in = &d->inst[i];

	if (!in->has_cgroup)
		return;
	metrics_inst_labels(b, "steward_ward_processes", in);
	sbuf_addf(b, "} %" PRIu64 "\n", in->procs);
}

/* steward_ward_memory_bytes, with the memory controller */
static void
emit_memory(struct sbuf *b, const struct metrics_doc *d, size_t i)
{
	const struct metrics_inst *in = &d->inst[i];

	if (!in->has_memory)
		return;
	metrics_inst_labels(b, "steward_ward_memory_bytes", in);
	sbuf_addf(b, "} %" PRIu64 "\n", in->memory);
}

/* steward_job_runs_total{job,outcome} */
static void
emit_job_runs(struct sbuf *b, const struct metrics_doc *d, size_t i)
{
	const struct metrics_job *j = &d->jobs[i];

	sbuf_add(b, "steward_job_runs_total{job=", 27);
	metrics_label_value(b, j->job);
	sbuf_add(b, ",outcome=", 9);
	metrics_label_value(b, j->outcome);
	sbuf_addf(b, "} %" PRIu64 "\n", j->runs);
}

/* The families, in the order they are written. */
static const struct metrics_family_def metrics_families[MF_NFAMILIES] = {
    [MF_BUILD_INFO] =
	{
	    .name = "steward_build_info",
	    .type = "gauge",
	    .help = "Always 1; the version of stewardd as a label.",
	    .emit = emit_build_info,
	},
    [MF_START_TIME] =
	{
	    .name = "steward_start_time_seconds",
	    .type = "gauge",
	    .help = "When stewardd started, in seconds since the Unix "
		    "epoch.",
	    .emit = emit_start_time,
	},
    [MF_ORPHANS] =
	{
	    .name = "steward_orphans_reaped_total",
	    .type = "counter",
	    .help = "Processes reaped by stewardd that were no ward's "
		    "main process (orphans of wards).",
	    .emit = emit_orphans,
	},
    [MF_EVENTS_LOST] =
	{
	    .name = "steward_events_lost_total",
	    .type = "counter",
	    .help = "Event-log records that could not be written.",
	    .emit = emit_events_lost,
	},
    [MF_STATE] =
	{
	    .name = "steward_ward_state",
	    .type = "gauge",
	    .help = "1 for the state the ward instance is in, 0 for the "
		    "others.",
	    .per_instance = true,
	    .emit = emit_state,
	},
    [MF_RESTARTS] =
	{
	    .name = "steward_ward_restarts_total",
	    .type = "counter",
	    .help = "Restarts by healing (the restart policy), by the "
		    "reason the instance ended.",
	    .per_instance = true,
	    .emit = emit_restarts,
	},
    [MF_BEAT_AGE] =
	{
	    .name = "steward_ward_last_beat_age_seconds",
	    .type = "gauge",
	    .help = "Seconds since the instance's last heartbeat; absent "
		    "when its process has not beaten.",
	    .per_instance = true,
	    .emit = emit_beat_age,
	},
    [MF_BEATS] =
	{
	    .name = "steward_ward_beats_total",
	    .type = "counter",
	    .help = "Heartbeats heard from the instance, over all its "
		    "processes.",
	    .per_instance = true,
	    .emit = emit_beats,
	},
    [MF_TOKENS] =
	{
	    .name = "steward_ward_restart_tokens",
	    .type = "gauge",
	    .help = "Tokens left in the instance's restart bucket "
		    "(restart_limit); below 1 it fails instead of "
		    "restarting.",
	    .per_instance = true,
	    .emit = emit_tokens,
	},
    [MF_CPU] =
	{
	    .name = "steward_ward_cpu_seconds_total",
	    .type = "counter",
	    .help = "CPU time of every process of the instance's cgroup "
		    "since stewardd made it (cpu.stat usage_usec); absent "
		    "without cgroups.",
	    .per_instance = true,
	    .cgroup = true,
	    .emit = emit_cpu,
	},
    [MF_PROCS] =
	{
	    .name = "steward_ward_processes",
	    .type = "gauge",
	    .help = "Processes in the instance's cgroup; absent without "
		    "cgroups.",
	    .per_instance = true,
	    .cgroup = true,
	    .emit = emit_procs,
	},
    [MF_MEMORY] =
	{
	    .name = "steward_ward_memory_bytes",
	    .type = "gauge",
	    .help = "memory.current of the instance's cgroup; absent "
		    "without the memory controller.",
	    .per_instance = true,
	    .memory = true,
	    .emit = emit_memory,
	},
    [MF_JOB_RUNS] =
	{
	    .name = "steward_job_runs_total",
	    .type = "counter",
	    .help = "Runs of a job, by outcome.",
	    .per_job = true,
	    .emit = emit_job_runs,
	},
};

/* How many items a family walks. */
static size_t
metrics_items(const struct metrics_doc *d, const struct metrics_family_def *f)
{
	if (f->cgroup || f->memory) {
		/* The family is left out when no instance has the file. */
		bool any = false;

		for (size_t i = 0; i < d->ninst && !any; i++)
			any = f->memory ? d->inst[i].has_memory
					: d->inst[i].has_cgroup;
		if (!any)
			return 0;
	}
	if (f->per_instance)
		return d->ninst;
	if (f->per_job)
		return d->njobs;
	return 1;
}

/* True once a piece has budget bytes (and at least one). */
static bool
metrics_full(const struct sbuf *b, size_t start, size_t budget)
{
	return b->len > start && b->len - start >= budget;
}

/* Render a piece; see metrics.h. */
bool
metrics_render(const struct metrics_doc *d, struct metrics_cursor *c,
	       struct sbuf *b, size_t budget)
{
	size_t start = b->len;

	while (c->family < MF_NFAMILIES) {
		const struct metrics_family_def *f =
		    &metrics_families[c->family];
		size_t n = metrics_items(d, f);

		if (c->item == 0 && n > 0)
			sbuf_addf(b, "# HELP %s %s\n# TYPE %s %s\n", f->name,
				  f->help, f->name, f->type);
		/* After a header, at least its first item. */
		while (c->item < n) {
			f->emit(b, d, c->item++);
			if (metrics_full(b, start, budget))
				break;
		}
		if (c->item >= n) {
			c->family++;
			c->item = 0;
		}
		if (metrics_full(b, start, budget))
			break;
	}
	return c->family >= MF_NFAMILIES;
}
