/*
 * Unit tests for group strategies and escalation
 * (supervisord/core/ward-group.c).
 *
 * Each member's transition is made by the real state machine (ward.c)
 * with a clock that moves only when the test says; the group's decision
 * is then checked: nothing, escalate, fail the group, or restart which
 * members.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "core/ward-group.h"

/* Members that beat over a pipe; restart = always, 3 restarts a minute. */
static const struct ward_policy pol = {
    .heartbeat = WARD_HB_PIPE,
    .restart = WARD_RESTART_ALWAYS,
    .heartbeat_timeout = 3,
    .watchdog = true,
    .start_timeout = 10,
    .stop_timeout = 5,
    .backoff_min = 1,
    .backoff_max = 8,
    .limit_burst = 3,
    .limit_period = 60,
    .start_retries = -1,
};

/* One member: its machine and its last transition. */
struct member {
	struct ward_sm sm;
	struct ward_out out;
};

/* Feed an event to a member at time now. */
static void
step(struct member *m, enum ward_event e, double now, int status)
{
	struct ward_input in = {
	    .event = e, .now = now, .u = 0.5, .status = status};

	ward_step(&m->sm, &pol, &in, &m->out);
}

/* A member that is running since now. */
static void
running(struct member *m, double now)
{
	ward_sm_init(&m->sm, &pol, now);
	step(m, WEV_START, now, 0);
	step(m, WEV_READY, now, 0);
	assert_int_equal(m->sm.state, WARD_RUNNING);
}

/* A group with strategy st, with or without a limit of 2 per 10 s. */
static struct ward_group_state
group(enum group_strategy st, bool limit, double now)
{
	struct ward_group_state g = {.strategy = st, .has_limit = limit};

	bucket_init(&g.bucket, 2, 10, now);
	return g;
}

/* Decide about member k's last transition. */
static struct ward_group_out
decide(struct ward_group_state *g, struct member *m, size_t k, double now,
       struct ward_group_input *in)
{
	struct ward_group_out d;

	*in =
	    (struct ward_group_input){.out = &m->out, .member = k, .now = now};
	ward_group_decide(g, in, &d);
	return d;
}

/* one_for_all: a crash restarts every other member, not the crashed. */
static void
test_one_for_all_restarts_the_others(void **state)
{
	struct ward_group_state g = group(GROUP_ONE_FOR_ALL, false, 0);
	struct ward_group_input in;
	struct ward_group_out d;
	struct member m;

	(void)state;
	running(&m, 0);
	step(&m, WEV_EXIT, 5, W_EXITCODE(1, 0));
	assert_int_equal(m.sm.state, WARD_BACKOFF);
	d = decide(&g, &m, 1, 5, &in);
	assert_int_equal(d.verdict, WGROUP_RESTART);
	assert_string_equal(d.strategy, "one_for_all");
	assert_true(ward_group_restarts(&d, &in, 0));
	assert_false(ward_group_restarts(&d, &in, 1));
	assert_true(ward_group_restarts(&d, &in, 2));
}

/* rest_for_one: only the members listed after the one healed. */
static void
test_rest_for_one_restarts_those_after(void **state)
{
	struct ward_group_state g = group(GROUP_REST_FOR_ONE, false, 0);
	struct ward_group_input in;
	struct ward_group_out d;
	struct member m;

	(void)state;
	running(&m, 0);
	step(&m, WEV_TIMER, 3, 0); /* hung: stopping */
	assert_int_equal(m.sm.state, WARD_STOPPING);
	d = decide(&g, &m, 1, 3, &in);
	assert_int_equal(d.verdict, WGROUP_RESTART);
	assert_string_equal(d.strategy, "rest_for_one");
	assert_false(ward_group_restarts(&d, &in, 0));
	assert_false(ward_group_restarts(&d, &in, 1));
	assert_true(ward_group_restarts(&d, &in, 2));
	assert_true(ward_group_restarts(&d, &in, 3));
	/* The end of that heal (reaped: backoff) is not a second heal. */
	step(&m, WEV_EXIT, 4, W_EXITCODE(0, 15));
	assert_int_equal(m.sm.state, WARD_BACKOFF);
	d = decide(&g, &m, 1, 4, &in);
	assert_int_equal(d.verdict, WGROUP_NOTHING);
}

/* one_for_one: the member's own machine heals it; the group does not. */
static void
test_one_for_one_leaves_it_to_the_member(void **state)
{
	struct ward_group_state g = group(GROUP_ONE_FOR_ONE, false, 0);
	struct ward_group_input in;
	struct member m;

	(void)state;
	running(&m, 0);
	step(&m, WEV_EXIT, 5, W_EXITCODE(1, 0));
	assert_int_equal(decide(&g, &m, 0, 5, &in).verdict, WGROUP_NOTHING);
}

/* A person's stop or restart, and stewardd's shutdown, are no heal. */
static void
test_orders_are_not_heals(void **state)
{
	struct ward_group_state g = group(GROUP_ONE_FOR_ALL, true, 0);
	struct ward_group_input in;
	struct ward_group_out d;
	struct member m;

	(void)state;
	running(&m, 0);
	step(&m, WEV_STOP, 1, 0);
	assert_int_equal(decide(&g, &m, 0, 1, &in).verdict, WGROUP_NOTHING);
	running(&m, 0);
	step(&m, WEV_RESTART, 1, 0);
	assert_int_equal(decide(&g, &m, 0, 1, &in).verdict, WGROUP_NOTHING);
	/* A crash while stewardd stops: nothing either. */
	running(&m, 0);
	step(&m, WEV_EXIT, 1, W_EXITCODE(1, 0));
	in = (struct ward_group_input){.out = &m.out, .shutdown = true};
	ward_group_decide(&g, &in, &d);
	assert_int_equal(d.verdict, WGROUP_NOTHING);
	/* No token was spent by any of them. */
	assert_true(bucket_tokens(&g.bucket, 1) >= 2);
}

/*
 * The group's restart limit: each heal takes a token; an empty bucket
 * fails the group (and escalates when the group is essential), and a
 * failed group decides nothing more.  Tokens come back over the period.
 */
static void
test_group_limit_fails_the_group(void **state)
{
	struct ward_group_state g = group(GROUP_ONE_FOR_ONE, true, 0);
	struct ward_group_input in;
	struct ward_group_out d;
	struct member m;

	(void)state;
	g.essential = true;
	for (int i = 0; i < 2; i++) {
		running(&m, i);
		step(&m, WEV_EXIT, i + 0.5, W_EXITCODE(1, 0));
		assert_int_equal(decide(&g, &m, 0, i + 0.5, &in).verdict,
				 WGROUP_NOTHING);
	}
	running(&m, 2);
	step(&m, WEV_EXIT, 2.5, W_EXITCODE(1, 0));
	d = decide(&g, &m, 0, 2.5, &in);
	assert_int_equal(d.verdict, WGROUP_FAIL);
	assert_true(d.escalate);
	assert_true(g.failed);
	running(&m, 3);
	step(&m, WEV_EXIT, 30, W_EXITCODE(1, 0));
	assert_int_equal(decide(&g, &m, 0, 30, &in).verdict, WGROUP_NOTHING);

	/* Not essential, and heals spread over the period: never fails. */
	g = group(GROUP_ONE_FOR_ONE, true, 0);
	for (int i = 0; i < 6; i++) {
		double t = i * 6.0;

		running(&m, t);
		step(&m, WEV_EXIT, t + 1, W_EXITCODE(1, 0));
		d = decide(&g, &m, 0, t + 1, &in);
		assert_int_equal(d.verdict, WGROUP_NOTHING);
	}
	assert_false(g.failed);
}

/* An essential ward (or a member of an essential group) that ends failed
 * stops stewardd, unless it is stopping already. */
static void
test_essential_failed_escalates(void **state)
{
	struct ward_group_input in;
	struct ward_group_out d;
	struct member m;
	double t = 0;

	(void)state;
	running(&m, 0);
	/* Four crashes spend the ward's own bucket of 3: failed. */
	while (m.sm.state != WARD_FAILED) {
		step(&m, WEV_EXIT, t += 0.25, W_EXITCODE(1, 0));
		if (m.sm.state == WARD_BACKOFF)
			step(&m, WEV_TIMER, m.sm.timer_at, 0);
		t = m.sm.timer_at > t ? m.sm.timer_at : t;
	}
	in = (struct ward_group_input){.out = &m.out, .essential = true};
	ward_group_decide(NULL, &in, &d);
	assert_int_equal(d.verdict, WGROUP_ESCALATE);
	in.shutdown = true;
	ward_group_decide(NULL, &in, &d);
	assert_int_equal(d.verdict, WGROUP_NOTHING);
	in = (struct ward_group_input){.out = &m.out};
	ward_group_decide(NULL, &in, &d);
	assert_int_equal(d.verdict, WGROUP_NOTHING);
}

/* Which causes are heals, and which member states restart. */
static void
test_heal_causes_and_states(void **state)
{
	(void)state;
	assert_true(ward_group_heal_cause(WCAUSE_EXIT));
	assert_true(ward_group_heal_cause(WCAUSE_SIGNAL));
	assert_true(ward_group_heal_cause(WCAUSE_HEARTBEAT_TIMEOUT));
	assert_true(ward_group_heal_cause(WCAUSE_MEMORY));
	assert_false(ward_group_heal_cause(WCAUSE_STOP));
	assert_false(ward_group_heal_cause(WCAUSE_SHUTDOWN));
	assert_false(ward_group_heal_cause(WCAUSE_NO_RESOURCES));
	assert_true(ward_group_restarts_state(WARD_RUNNING));
	assert_true(ward_group_restarts_state(WARD_BACKOFF));
	assert_false(ward_group_restarts_state(WARD_STOPPED));
	assert_false(ward_group_restarts_state(WARD_FAILED));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_one_for_all_restarts_the_others),
	    cmocka_unit_test(test_rest_for_one_restarts_those_after),
	    cmocka_unit_test(test_one_for_one_leaves_it_to_the_member),
	    cmocka_unit_test(test_orders_are_not_heals),
	    cmocka_unit_test(test_group_limit_fails_the_group),
	    cmocka_unit_test(test_essential_failed_escalates),
	    cmocka_unit_test(test_heal_causes_and_states),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
