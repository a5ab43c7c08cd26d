/*
 * The restart limit: a token bucket refilled continuously.
 *
 * The bucket stores the tokens it held at time last and computes the
 * refill lazily when asked: tokens = min(burst, tokens + (now - last) *
 * per_second).  Every operation is O(1) and needs no timer.  Invariants:
 * 0 <= tokens <= burst, and last never moves backwards within one call's
 * arithmetic; a clock that goes backwards (which CLOCK_MONOTONIC should
 * not, but a caller's test may) counts as no time passed, and the bucket
 * then measures from the new, earlier time so that it cannot stall for as
 * long as the clock jumped.
 *
 * Floating point: rate * elapsed can land a hair below a whole token
 * (5 / 60.0 * 12 need not be exactly 1), so a token counts as whole when
 * it is within BUCKET_EPSILON of it.  The slack is a billionth of a token,
 * far below anything a person could notice in a restart limit.
 */
#include <math.h>

#include "core/bucket.h"

#define BUCKET_EPSILON 1e-9

/* Bring the bucket up to now; a clock moving backwards adds nothing. */
static void
bucket_refill(struct bucket *b, double now)
{
	if (now > b->last && b->per_second > 0) {
		b->tokens += (now - b->last) * b->per_second;
		if (b->tokens > b->burst)
			b->tokens = b->burst;
	}
	b->last = now;
}

/*
 * A full bucket.  A period of 0 or less means no limit: the bucket refills
 * at once.  A burst of 0 refuses every restart.
 */
void
bucket_init(struct bucket *b, unsigned burst, double period, double now)
{
	b->burst = (double)burst;
	b->tokens = b->burst;
	b->per_second = period > 0 ? b->burst / period : HUGE_VAL;
	b->last = now;
}

/* One restart: refill, then spend a token if a whole one is there. */
bool
bucket_take(struct bucket *b, double now)
{
	bucket_refill(b, now);
	if (b->tokens < 1 - BUCKET_EPSILON)
		return false;
	b->tokens -= 1;
	if (b->tokens < 0)
		b->tokens = 0;
	return true;
}

/* For status output: the tokens left at now, fractions included. */
double
bucket_tokens(struct bucket *b, double now)
{
	bucket_refill(b, now);
	return b->tokens;
}

/* When the next restart may happen; HUGE_VAL if it never can. */
double
bucket_wait(const struct bucket *b, double now)
{
	struct bucket c = *b;

	bucket_refill(&c, now);
	if (c.tokens >= 1 - BUCKET_EPSILON)
		return 0;
	if (c.burst < 1 || c.per_second <= 0)
		return HUGE_VAL;
	return (1 - c.tokens) / c.per_second;
}
