/*
 * Restart delays: exponential backoff with jitter.
 *
 * The n-th delay (n from 0) is d = min(max, min * 2^n), jittered to a
 * value in [d/2, d] by a uniform number u in [0, 1) that the caller
 * passes in (the daemon draws it, tests choose it).  With min = 0 every
 * delay is 0.  backoff_reset() starts again from min after a healthy run.
 */
#ifndef STEWARD_BACKOFF_H
#define STEWARD_BACKOFF_H

struct backoff {
	double min;       /* seconds */
	double max;       /* seconds */
	unsigned attempt; /* delays handed out since the last reset */
};

void backoff_init(struct backoff *b, double min, double max);

/* The next delay in seconds; u in [0, 1) picks the jitter. */
double backoff_next(struct backoff *b, double u);

void backoff_reset(struct backoff *b);

#endif
