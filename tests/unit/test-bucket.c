/*
 * Unit tests for the restart-limit token bucket.  The clock is a plain
 * number the tests move by hand, so every case is exact and instant.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/bucket.h"
#include "test-near.h"

#define EPS 1e-9

/* A new bucket is full and remembers its shape. */
static void
test_init_full(void **state __attribute__((unused)))
{
	struct bucket b;

	bucket_init(&b, 5, 60, 100);
	assert_near(b.burst, 5, EPS);
	assert_near(b.tokens, 5, EPS);
	assert_near(b.per_second, 5.0 / 60, EPS);
	assert_near(b.last, 100, EPS);
	assert_near(bucket_tokens(&b, 100), 5, EPS);
	assert_near(bucket_wait(&b, 100), 0, EPS);
}

/* The whole burst can be spent at once, and not one token more. */
static void
test_burst(void **state __attribute__((unused)))
{
	struct bucket b;
	int i;

	bucket_init(&b, 3, 10, 0);
	for (i = 0; i < 3; i++)
		assert_true(bucket_take(&b, 0));
	assert_false(bucket_take(&b, 0));
	assert_false(bucket_take(&b, 0));
	assert_near(bucket_tokens(&b, 0), 0, EPS);
}

/* Refill is continuous: one token per period / burst seconds. */
static void
test_refill(void **state __attribute__((unused)))
{
	struct bucket b;

	bucket_init(&b, 2, 10, 0); /* one token every 5s */
	assert_true(bucket_take(&b, 0));
	assert_true(bucket_take(&b, 0));
	assert_false(bucket_take(&b, 4.999));
	assert_true(bucket_take(&b, 5));
	assert_false(bucket_take(&b, 5));
	assert_true(bucket_take(&b, 10));
	assert_false(bucket_take(&b, 10));
}

/* Between whole tokens the bucket holds an exact fraction. */
static void
test_partial_refill(void **state __attribute__((unused)))
{
	struct bucket b;

	bucket_init(&b, 4, 8, 0); /* half a token per second */
	while (bucket_take(&b, 0))
		;
	assert_near(bucket_tokens(&b, 1), 0.5, EPS);
	assert_near(bucket_tokens(&b, 1.5), 0.75, EPS);
	assert_false(bucket_take(&b, 1.5));
	/* A refused take spends nothing. */
	assert_near(bucket_tokens(&b, 1.5), 0.75, EPS);
	assert_true(bucket_take(&b, 2));
	assert_near(bucket_tokens(&b, 2), 0, EPS);
	assert_near(bucket_tokens(&b, 5), 1.5, EPS);
}

/* Refill stops at burst, however long the bucket sat unused. */
static void
test_refill_caps_at_burst(void **state __attribute__((unused)))
{
	struct bucket b;

	bucket_init(&b, 5, 60, 0);
	assert_true(bucket_take(&b, 0));
	assert_near(bucket_tokens(&b, 1e6), 5, EPS);
	assert_near(bucket_tokens(&b, 1e9), 5, EPS);
	assert_true(bucket_take(&b, 1e9));
	assert_near(bucket_tokens(&b, 1e9), 4, EPS);
}

/* bucket_wait says exactly when the next whole token is there. */
static void
test_wait(void **state __attribute__((unused)))
{
	struct bucket b;

	bucket_init(&b, 2, 10, 0);
	assert_near(bucket_wait(&b, 0), 0, EPS);
	assert_true(bucket_take(&b, 0));
	assert_near(bucket_wait(&b, 0), 0, EPS);
	assert_true(bucket_take(&b, 0));
	assert_near(bucket_wait(&b, 0), 5, EPS);
	assert_near(bucket_wait(&b, 2), 3, EPS);
	assert_near(bucket_wait(&b, 4.5), 0.5, EPS);
	assert_near(bucket_wait(&b, 5), 0, EPS);
	assert_near(bucket_wait(&b, 7), 0, EPS);
}

/* bucket_wait only looks: it changes neither the tokens nor the clock. */
static void
test_wait_is_pure(void **state __attribute__((unused)))
{
	struct bucket b, before;

	bucket_init(&b, 2, 10, 0);
	assert_true(bucket_take(&b, 0));
	assert_true(bucket_take(&b, 0));
	before = b;
	assert_near(bucket_wait(&b, 3), 2, EPS);
	assert_memory_equal(&b, &before, sizeof(b));
}

/* Waiting the time bucket_wait gives is enough for a take. */
static void
test_wait_then_take(void **state __attribute__((unused)))
{
	struct bucket b;
	double now = 0;
	int i;

	bucket_init(&b, 3, 7, 0);
	while (bucket_take(&b, now))
		;
	for (i = 0; i < 20; i++) {
		now += bucket_wait(&b, now);
		assert_true(bucket_take(&b, now));
		assert_false(bucket_take(&b, now));
	}
	assert_near(now, 20 * 7.0 / 3, 1e-6);
}

/* A clock going backwards adds nothing and never removes tokens. */
static void
test_clock_backwards(void **state __attribute__((unused)))
{
	struct bucket b;

	bucket_init(&b, 2, 10, 100);
	assert_true(bucket_take(&b, 100));
	assert_true(bucket_take(&b, 100));
	assert_near(bucket_tokens(&b, 50), 0, EPS);
	assert_false(bucket_take(&b, 50));
	assert_near(bucket_wait(&b, 50), 5, EPS);
	/* Time is measured again from the earlier clock: it cannot stall. */
	assert_near(bucket_tokens(&b, 55), 1, EPS);
	assert_true(bucket_take(&b, 55));

	bucket_init(&b, 2, 10, 100);
	assert_true(bucket_take(&b, 100));
	assert_near(bucket_tokens(&b, 0), 1, EPS);
	assert_near(bucket_tokens(&b, -1e9), 1, EPS);
}

/* Tokens never go below zero, however often a take is refused. */
static void
test_never_negative(void **state __attribute__((unused)))
{
	struct bucket b;
	int i;

	bucket_init(&b, 1, 3, 0);
	assert_true(bucket_take(&b, 0));
	for (i = 0; i < 100; i++) {
		assert_false(bucket_take(&b, 0));
		assert_true(bucket_tokens(&b, 0) >= 0);
	}
	/*
	 * One token per 49s: 49 * (1.0 / 49) is 0.9999999999999999 in
	 * doubles.  The take must still succeed and leave exactly 0, not
	 * -1.1e-16.
	 */
	bucket_init(&b, 1, 49, 0);
	assert_true(bucket_take(&b, 0));
	assert_true(bucket_take(&b, 49));
	assert_true(bucket_tokens(&b, 49) >= 0);
	assert_near(bucket_tokens(&b, 49), 0, 0);
}

/*
 * The default restart limit, 5/1m, against a ward that crashes every
 * second: five restarts go through, the sixth waits until a whole token
 * has come back, 12s after the start, and then one every 12s.
 */
static void
test_five_per_minute(void **state __attribute__((unused)))
{
	struct bucket b;
	int t;

	bucket_init(&b, 5, 60, 0);
	for (t = 0; t < 5; t++)
		assert_true(bucket_take(&b, t));
	/* 5 taken, 5/12 back by t = 5. */
	assert_near(bucket_tokens(&b, 5), 5.0 / 12, EPS);
	assert_false(bucket_take(&b, 5));
	assert_near(bucket_wait(&b, 5), 7, EPS);
	assert_false(bucket_take(&b, 11.9));
	assert_true(bucket_take(&b, 12));
	assert_false(bucket_take(&b, 12));
	assert_near(bucket_wait(&b, 12), 12, EPS);
	assert_false(bucket_take(&b, 23.9));
	assert_true(bucket_take(&b, 24));
	/* A quiet minute refills the bucket completely. */
	assert_near(bucket_tokens(&b, 84), 5, EPS);
	for (t = 0; t < 5; t++)
		assert_true(bucket_take(&b, 84));
	assert_false(bucket_take(&b, 84));
}

/* A burst of 0 refuses every restart and never has a token to wait for. */
static void
test_zero_burst(void **state __attribute__((unused)))
{
	struct bucket b;

	bucket_init(&b, 0, 60, 0);
	assert_false(bucket_take(&b, 0));
	assert_false(bucket_take(&b, 1e6));
	assert_near(bucket_tokens(&b, 1e6), 0, EPS);
	assert_true(isinf(bucket_wait(&b, 1e6)));
}

/* A period of 0 means no limit: the bucket is full again at once. */
static void
test_zero_period(void **state __attribute__((unused)))
{
	struct bucket b;
	int i;

	bucket_init(&b, 1, 0, 0);
	assert_true(bucket_take(&b, 0));
	assert_false(bucket_take(&b, 0));
	for (i = 1; i <= 10; i++)
		assert_true(bucket_take(&b, i * 1e-6));
	assert_near(bucket_tokens(&b, 1), 1, EPS);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_init_full),
	    cmocka_unit_test(test_burst),
	    cmocka_unit_test(test_refill),
	    cmocka_unit_test(test_partial_refill),
	    cmocka_unit_test(test_refill_caps_at_burst),
	    cmocka_unit_test(test_wait),
	    cmocka_unit_test(test_wait_is_pure),
	    cmocka_unit_test(test_wait_then_take),
	    cmocka_unit_test(test_clock_backwards),
	    cmocka_unit_test(test_never_negative),
	    cmocka_unit_test(test_five_per_minute),
	    cmocka_unit_test(test_zero_burst),
	    cmocka_unit_test(test_zero_period),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
