/*
 * Restart delays: exponential backoff with jitter.
 *
 * The n-th delay is d = min(max, min * 2^n), then jittered into [d/2, d)
 * as d/2 + u * d/2, so that wards which failed together do not restart in
 * lock step.  The power of two is computed with ldexp() on a capped
 * exponent: attempt keeps counting the delays handed out (it saturates at
 * UINT_MAX instead of wrapping back to min), but the exponent stops at
 * BACKOFF_MAX_EXP, by which point any finite max has been reached for any
 * min > 0, so nothing overflows however long a ward keeps failing.  O(1) per
 * delay.
 */
#include <limits.h>
#include <math.h>

#include "core/backoff.h"

/* Even the smallest positive double (2^-1074) times 2^2100 is infinite. */
#define BACKOFF_MAX_EXP 2100

/* Delays from min to max seconds; negatives are 0, max below min is min. */
void
backoff_init(struct backoff *b, double min, double max)
{
	b->min = min > 0 ? min : 0;
	b->max = max > b->min ? max : b->min;
	b->attempt = 0;
}

/* The next delay in seconds, jittered by u in [0, 1). */
double
backoff_next(struct backoff *b, double u)
{
	unsigned shift =
	    b->attempt < BACKOFF_MAX_EXP ? b->attempt : BACKOFF_MAX_EXP;
	double d = ldexp(b->min, (int)shift);

	if (d > b->max)
		d = b->max;
	if (!(u >= 0))
		u = 0; /* also NaN */
	else if (u > 1)
		u = 1;
	if (b->attempt < UINT_MAX)
		b->attempt++;
	return d / 2 + u * (d / 2);
}

/* A healthy run: the next delay is min again. */
void
backoff_reset(struct backoff *b)
{
	b->attempt = 0;
}
