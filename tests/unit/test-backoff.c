/*
 * Unit tests for restart backoff.  The jitter draw u is chosen by each
 * test, so every delay is an exact number.
 */
#include <limits.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/backoff.h"
#include "test-near.h"

#define EPS 1e-12

/* With u = 0 each delay is d/2, and d doubles from min. */
static void
test_doubling(void **state __attribute__((unused)))
{
	static const double want[] = {0.05, 0.1, 0.2, 0.4, 0.8, 1.6, 3.2};
	struct backoff b;
	size_t i;

	backoff_init(&b, 0.1, 1000);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		assert_int_equal(b.attempt, i);
		assert_near(backoff_next(&b, 0), want[i], EPS);
	}
	assert_int_equal(b.attempt, 7);
}

/* d stops growing at max and stays there. */
static void
test_cap(void **state __attribute__((unused)))
{
	static const double want[] = {1, 2, 4, 8, 10, 10, 10};
	struct backoff b;
	size_t i;

	backoff_init(&b, 1, 10);
	/* u just under 1 gives d itself, to within a millionth. */
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		assert_near(backoff_next(&b, 0.999999999), want[i],
			    1e-6 * want[i]);
	for (i = 0; i < 1000; i++)
		assert_near(backoff_next(&b, 0), 5, EPS);
}

/* The jitter maps u in [0, 1) onto [d/2, d) linearly. */
static void
test_jitter_bounds(void **state __attribute__((unused)))
{
	struct backoff b;
	double v;

	backoff_init(&b, 8, 8);
	assert_near(backoff_next(&b, 0), 4, EPS);
	assert_near(backoff_next(&b, 0.5), 6, EPS);
	assert_near(backoff_next(&b, 0.25), 5, EPS);
	v = backoff_next(&b, 0.999999);
	assert_near(v, 7.999996, 1e-9);
	assert_true(v < 8);
	v = backoff_next(&b, nextafter(1.0, 0.0));
	assert_true(v >= 4 && v <= 8);
	assert_near(v, 8, 1e-12);
}

/* Every u in [0, 1) lands inside [d/2, d] at every step. */
static void
test_jitter_range_sweep(void **state __attribute__((unused)))
{
	struct backoff b;
	double d, u, v;
	int step, k;

	for (k = 0; k < 100; k++) {
		u = k / 100.0;
		backoff_init(&b, 0.25, 30);
		d = 0.25;
		for (step = 0; step < 12; step++) {
			v = backoff_next(&b, u);
			assert_true(v >= d / 2 && v <= d);
			assert_near(v, d / 2 + u * d / 2, EPS);
			d = d * 2 > 30 ? 30 : d * 2;
		}
	}
}

/* A reset starts again from min after a healthy run. */
static void
test_reset(void **state __attribute__((unused)))
{
	struct backoff b;
	int i;

	backoff_init(&b, 0.5, 60);
	for (i = 0; i < 10; i++)
		backoff_next(&b, 0);
	assert_int_equal(b.attempt, 10);
	assert_near(backoff_next(&b, 0), 30, EPS);
	backoff_reset(&b);
	assert_int_equal(b.attempt, 0);
	assert_near(backoff_next(&b, 0), 0.25, EPS);
	assert_near(backoff_next(&b, 0), 0.5, EPS);
	assert_near(b.min, 0.5, EPS);
	assert_near(b.max, 60, EPS);
}

/* With min = 0 every delay is 0, whatever u is. */
static void
test_min_zero(void **state __attribute__((unused)))
{
	struct backoff b;
	int i;

	backoff_init(&b, 0, 30);
	for (i = 0; i < 100; i++) {
		assert_near(backoff_next(&b, 0), 0, 0);
		assert_near(backoff_next(&b, 0.999), 0, 0);
	}
	backoff_init(&b, 0, 0);
	assert_near(backoff_next(&b, 0.5), 0, 0);
}

/* min = max is a fixed delay, jittered. */
static void
test_fixed(void **state __attribute__((unused)))
{
	struct backoff b;
	int i;

	backoff_init(&b, 2, 2);
	for (i = 0; i < 10; i++)
		assert_near(backoff_next(&b, 0.5), 1.5, EPS);
}

/* A ward failing forever neither overflows 2^attempt nor wraps to min. */
static void
test_no_overflow(void **state __attribute__((unused)))
{
	struct backoff b;
	double v;
	int i;

	backoff_init(&b, 0.001, 3600);
	for (i = 0; i < 5000; i++) {
		v = backoff_next(&b, 0);
		assert_true(isfinite(v));
		assert_true(v <= 3600);
	}
	assert_near(v, 1800, EPS);

	/* Near the top of attempt: it saturates instead of wrapping. */
	b.attempt = UINT_MAX - 1;
	assert_near(backoff_next(&b, 0), 1800, EPS);
	assert_int_equal(b.attempt, UINT_MAX);
	assert_near(backoff_next(&b, 0), 1800, EPS);
	assert_int_equal(b.attempt, UINT_MAX);

	/* The tiniest min still reaches max rather than infinity. */
	backoff_init(&b, 5e-324, 10);
	b.attempt = UINT_MAX;
	assert_near(backoff_next(&b, 0), 5, EPS);
}

/* backoff_init makes a sane range out of odd arguments. */
static void
test_init_clamps(void **state __attribute__((unused)))
{
	struct backoff b;

	backoff_init(&b, 10, 1);
	assert_near(b.min, 10, EPS);
	assert_near(b.max, 10, EPS);
	assert_near(backoff_next(&b, 0), 5, EPS);

	backoff_init(&b, -1, 4);
	assert_near(b.min, 0, EPS);
	assert_near(backoff_next(&b, 0.5), 0, EPS);
}

/* u outside [0, 1) is clamped, so a bad draw cannot leave [d/2, d]. */
static void
test_u_clamped(void **state __attribute__((unused)))
{
	struct backoff b;

	backoff_init(&b, 4, 4);
	assert_near(backoff_next(&b, -1), 2, EPS);
	assert_near(backoff_next(&b, 7), 4, EPS);
	assert_near(backoff_next(&b, NAN), 2, EPS);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_doubling),
	    cmocka_unit_test(test_cap),
	    cmocka_unit_test(test_jitter_bounds),
	    cmocka_unit_test(test_jitter_range_sweep),
	    cmocka_unit_test(test_reset),
	    cmocka_unit_test(test_min_zero),
	    cmocka_unit_test(test_fixed),
	    cmocka_unit_test(test_no_overflow),
	    cmocka_unit_test(test_init_clamps),
	    cmocka_unit_test(test_u_clamped),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
