/*
 * assert_near(a, b, eps): a floating-point check for the unit tests of pure
 * arithmetic (test-backoff.c, test-bucket.c).  The state machine's tests have
 * their own, which names the pair checked (test-ward.h).
 */
#ifndef STEWARD_TEST_NEAR_H
#define STEWARD_TEST_NEAR_H

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

/* cmocka 1.1.5's assert_float_equal() compares as float: too coarse here. */
#define assert_near(a, b, eps)                                                 \
	do {                                                                   \
		double near_a_ = (a), near_b_ = (b);                           \
		if (!(fabs(near_a_ - near_b_) <= (eps)))                       \
			fail_msg("%s is %.17g, expected %.17g within %g", #a,  \
				 near_a_, near_b_, (double)(eps));             \
	} while (0)

#endif
