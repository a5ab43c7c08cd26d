/*
 * The restart limit: a token bucket on the monotonic clock.
 *
 * A bucket holds at most burst tokens and gains burst tokens per period,
 * continuously (rate = burst / period).  Every restart takes one token; an
 * empty bucket refuses.  Times are monotonic seconds passed in by the
 * caller, so the bucket is pure and tests move the clock themselves.
 */
#ifndef STEWARD_BUCKET_H
#define STEWARD_BUCKET_H

#include <stdbool.h>

struct bucket {
	double tokens;     /* tokens at time last */
	double burst;      /* capacity */
	double per_second; /* refill rate */
	double last;       /* monotonic seconds of the last refill */
};

/* A full bucket of burst tokens, refilled over period seconds. */
void bucket_init(struct bucket *b, unsigned burst, double period, double now);

/* Refill up to now, then take one token if there is one. */
bool bucket_take(struct bucket *b, double now);

/* Refill up to now and return the tokens (fractional) left. */
double bucket_tokens(struct bucket *b, double now);

/* Seconds from now until one whole token is there (0 when there is). */
double bucket_wait(const struct bucket *b, double now);

#endif
