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

#include "base/err.h"

struct steward;
struct ward_inst;

#define STEWARD_LOOP_BUCKETS 12 /* below 1, 2, 4 ... 1024 ms, and above */

/* An order queued to be carried out in a slice. */
enum pace_kind { PACE_START, PACE_STOP };

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
	uint64_t iterations;
	uint64_t gaps[STEWARD_LOOP_BUCKETS]; /* by powers of two of 1 ms */
	double gap_max;                      /* seconds */
	double gap_recent; /* the longest since the last health reply */
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
/* Take wi off the queue; true if it was on it. */
bool steward_pace_cancel(struct steward *s, struct ward_inst *wi);
/* Seconds the queued starts will take. */
double steward_pace_eta(const struct steward *s);
/* The "loop" field (latency, queue) for status JSON. */
void steward_pace_json(struct steward *s, struct sbuf *b);

#endif
