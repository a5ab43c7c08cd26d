/*
 * What the state machine's unit tests share (test-ward.c defines it).
 */
#ifndef STEWARD_TEST_WARD_H
#define STEWARD_TEST_WARD_H

#include <math.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "core/ward.h"

/*
 * The (state × event) pair being checked, "" outside the tables: every
 * failure message starts with it.
 */
extern char pair_ctx[64];

/* cmocka 1.1.5's assert_float_equal() compares as float: too coarse. */
#define assert_near(a, b)                                                      \
	do {                                                                   \
		double near_a_ = (a), near_b_ = (b);                           \
		if (!(fabs(near_a_ - near_b_) <= 1e-9))                        \
			fail_msg("%s%s is %.17g, expected %.17g", pair_ctx,    \
				 #a, near_a_, near_b_);                        \
	} while (0)

/* An integer check whose failure names the pair. */
#define check_int(a, b)                                                        \
	do {                                                                   \
		long check_a_ = (long)(a), check_b_ = (long)(b);               \
		if (check_a_ != check_b_)                                      \
			fail_msg("%s%s is %ld, expected %ld", pair_ctx, #a,    \
				 check_a_, check_b_);                          \
	} while (0)

/* The jitter the tests use: delay = d/2 + 0.5 * d/2 = 0.75 d. */
#define U 0.5

#define EXITED_WITH(code) W_EXITCODE((code), 0)
#define KILLED_BY(sig) W_EXITCODE(0, (sig))

/* All the actions a transition with a new process asks for. */
#define A_SPAWN (WACT_SPAWN | WACT_ARM | WACT_LOG)
/* A stop that signals the group and arms the SIGKILL deadline. */
#define A_STOP (WACT_SIGNAL_STOP | WACT_ARM | WACT_LOG)

/*
 * The policy most tests use: beats over a pipe, due every 3s (a watchdog); 10s
 * to start, 5s to stop; delays from 1s to 8s; 3 restarts refilled per minute.
 */
extern const struct ward_policy base_policy;

/* One instance under test: its policy, its machine, the last output. */
struct rig {
	struct ward_policy pol;
	struct ward_sm sm;
	struct ward_out out;
};

/* A stopped instance with the given policy at time now. */
void rig_init(struct rig *r, const struct ward_policy *pol, double now);
/* Feed one complete input. */
void feed(struct rig *r, struct ward_input in);
/* Feed an event that needs nothing but the time. */
void ev(struct rig *r, enum ward_event e, double now);
/* The main process was reaped with this wait status. */
void ev_exit(struct rig *r, double now, int status);
/* EXTEND_TIMEOUT_USEC=usec arrived. */
void ev_extend(struct rig *r, double now, int64_t usec);
/* The output and the machine agree with an expected transition. */
void expect(const struct rig *r, enum ward_state to, unsigned actions,
	    enum ward_cause cause, double timer_at);
/* A transition that changes state also records its cause. */
void expect_sm_cause(const struct rig *r, enum ward_cause cause);
/* Drive a fresh instance into state s; returns the time T for the test. */
double reach(struct rig *r, enum ward_state s);

/* The scenarios (test-ward-scenarios.c), run by main. */
extern const struct CMUnitTest test_ward_scenarios[];
extern const size_t test_ward_scenarios_n;

#endif
