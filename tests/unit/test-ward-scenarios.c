/*
 * The state machine's scenarios (supervisord/core/ward.c), each named
 * after what it shows; the rig, the clock and the checks are test-ward.c's
 * (test-ward.h).  Every time below is exact: multiples of 1/4 second, and
 * the jitter u is 0.5 unless said otherwise.
 */
#include "test-ward.h"

/* A running ward whose beats stop is stopped, killed, reaped, restarted. */
static void
test_hung_ward_is_stopped_then_killed(void **state)
{
	struct ward_policy pol = base_policy;
	struct rig r;

	pol.restart = WARD_RESTART_ALWAYS;
	rig_init(&r, &pol, 10);
	ev(&r, WEV_START, 10);
	expect(&r, WARD_STARTING, A_SPAWN, WCAUSE_START, 20);
	ev(&r, WEV_READY, 11);
	expect(&r, WARD_RUNNING, WACT_WATCH | WACT_LOG, WCAUSE_READY, 14);

	/* A beat moves the watched deadline: its place on the ward's list,
	 * no timer of its own. */
	ev(&r, WEV_BEAT, 11.25);
	expect(&r, WARD_RUNNING, WACT_WATCH, WCAUSE_NONE, 14.25);

	/* Were the timer to fire early, the deadline is watched again. */
	ev(&r, WEV_TIMER, 14);
	expect(&r, WARD_RUNNING, WACT_WATCH, WCAUSE_NONE, 14.25);

	/* No beat since: at the deadline the ward is hung. */
	ev(&r, WEV_TIMER, 14.25);
	expect(&r, WARD_STOPPING, A_STOP, WCAUSE_HEARTBEAT_TIMEOUT, 19.25);
	expect_sm_cause(&r, WCAUSE_HEARTBEAT_TIMEOUT);
	assert_near(r.out.beat_age, 3);
	assert_true(r.sm.signalled);
	assert_false(r.sm.killed);

	/* A timer before stop_timeout only re-arms; no SIGKILL yet. */
	ev(&r, WEV_TIMER, 19);
	expect(&r, WARD_STOPPING, WACT_ARM, WCAUSE_NONE, 19.25);

	/* stop_timeout passed: SIGKILL to the group, once. */
	ev(&r, WEV_TIMER, 19.25);
	expect(&r, WARD_STOPPING, WACT_SIGNAL_KILL | WACT_DISARM | WACT_LOG,
	       WCAUSE_STOP_TIMEOUT, 0);
	expect_sm_cause(&r, WCAUSE_HEARTBEAT_TIMEOUT);
	assert_true(r.sm.killed);
	ev(&r, WEV_TIMER, 19.75);
	expect(&r, WARD_STOPPING, WACT_DISARM, WCAUSE_NONE, 0);

	/* Reaped: backoff for the first delay (0.75 * 1s), one token. */
	ev_exit(&r, 20, KILLED_BY(SIGKILL));
	expect(&r, WARD_BACKOFF, WACT_ARM | WACT_LOG, WCAUSE_HEARTBEAT_TIMEOUT,
	       20.75);
	assert_near(r.out.delay, 0.75);
	assert_near(r.out.tokens, 2);
	assert_int_equal(r.sm.restarts, 1);

	ev(&r, WEV_TIMER, 20.75);
	expect(&r, WARD_STARTING, A_SPAWN, WCAUSE_BACKOFF_DONE, 30.75);
}

/* Crash after crash, the bucket of 3 allows 3 restarts, then failed. */
static void
test_crash_loop_empties_bucket_then_fails(void **state)
{
	static const double delays[] = {0.75, 1.5, 3};
	struct ward_policy pol = base_policy;
	struct rig r;
	double t = 10;

	pol.restart = WARD_RESTART_ALWAYS;
	rig_init(&r, &pol, t);
	ev(&r, WEV_START, t);
	for (unsigned i = 0; i < 3; i++) {
		ev_exit(&r, t, EXITED_WITH(1));
		expect(&r, WARD_BACKOFF, WACT_ARM | WACT_LOG, WCAUSE_EXIT,
		       t + delays[i]);
		assert_near(r.out.delay, delays[i]);
		assert_int_equal(r.sm.restarts, i + 1);
		t += delays[i];
		ev(&r, WEV_TIMER, t);
		expect(&r, WARD_STARTING, A_SPAWN, WCAUSE_BACKOFF_DONE, t + 10);
	}
	/* 5.25s refilled only 5.25 * 3/60 of a token. */
	ev_exit(&r, t, EXITED_WITH(1));
	expect(&r, WARD_FAILED, WACT_DISARM | WACT_LOG, WCAUSE_EXIT, 0);
	assert_near(r.out.tokens, 5.25 * 3 / 60);
	assert_int_equal(r.sm.restarts, 3);

	/* Stays failed: nothing restarts it by itself. */
	ev(&r, WEV_TIMER, t + 1);
	assert_int_equal(r.out.actions, 0);
	assert_int_equal(r.sm.state, WARD_FAILED);

	/* A refill period later, a start works and restarts heal again. */
	t += 60;
	ev(&r, WEV_START, t);
	expect(&r, WARD_STARTING, A_SPAWN, WCAUSE_START, t + 10);
	assert_near(r.out.tokens, 3);
	ev_exit(&r, t, EXITED_WITH(1));
	expect(&r, WARD_BACKOFF, WACT_ARM | WACT_LOG, WCAUSE_EXIT, t + 0.75);
	assert_near(r.out.tokens, 2);
}

/* An empty bucket refills with time: a crash a period later is healed. */
static void
test_crash_loop_bucket_refills_over_period(void **state)
{
	static const double delays[] = {0.75, 1.5, 3};
	struct ward_policy pol = base_policy;
	struct rig r;
	double t = 10;

	pol.restart = WARD_RESTART_ALWAYS;
	rig_init(&r, &pol, t);
	ev(&r, WEV_START, t);
	for (unsigned i = 0; i < 3; i++) {
		ev_exit(&r, t, EXITED_WITH(1));
		assert_int_equal(r.sm.state, WARD_BACKOFF);
		t += delays[i];
		ev(&r, WEV_TIMER, t);
		assert_int_equal(r.sm.state, WARD_STARTING);
	}
	/* This time it comes up and runs for a whole refill period. */
	ev(&r, WEV_READY, t);
	assert_int_equal(r.sm.state, WARD_RUNNING);
	t += 60;
	ev_exit(&r, t, EXITED_WITH(1));
	expect(&r, WARD_BACKOFF, WACT_ARM | WACT_LOG, WCAUSE_EXIT,
	       t + r.out.delay);
	assert_near(r.out.tokens, 2);
	assert_int_equal(r.sm.restarts, 4);
}

/* restart=on-failure: exit 0 is left exited, without spending a token. */
static void
test_on_failure_clean_exit_is_left_exited(void **state)
{
	struct rig r;

	rig_init(&r, &base_policy, 10);
	ev(&r, WEV_START, 10);
	ev(&r, WEV_READY, 11);
	ev_exit(&r, 12, EXITED_WITH(0));
	expect(&r, WARD_EXITED, WACT_DISARM | WACT_LOG, WCAUSE_EXIT, 0);
	expect_sm_cause(&r, WCAUSE_EXIT);
	assert_near(r.out.tokens, 3);
	assert_int_equal(r.sm.restarts, 0);
}

/* restart=on-failure: exit 1 is restarted after the backoff delay. */
static void
test_on_failure_exit_code_one_is_restarted(void **state)
{
	struct rig r;

	rig_init(&r, &base_policy, 10);
	ev(&r, WEV_START, 10);
	ev(&r, WEV_READY, 11);
	ev_exit(&r, 12, EXITED_WITH(1));
	expect(&r, WARD_BACKOFF, WACT_ARM | WACT_LOG, WCAUSE_EXIT, 12.75);
	assert_near(r.out.delay, 0.75);
	assert_near(r.out.tokens, 2);
	assert_int_equal(r.sm.exit_status, EXITED_WITH(1));
}

/* restart=on-failure: death by a signal is a failure, with its cause. */
static void
test_on_failure_killed_by_signal_is_restarted(void **state)
{
	struct rig r;

	rig_init(&r, &base_policy, 10);
	ev(&r, WEV_START, 10);
	ev(&r, WEV_READY, 11);
	ev_exit(&r, 12, KILLED_BY(SIGSEGV));
	expect(&r, WARD_BACKOFF, WACT_ARM | WACT_LOG, WCAUSE_SIGNAL, 12.75);
}

/* restart=never: any end is final, even a failure or a hang. */
static void
test_restart_never_leaves_ward_exited(void **state)
{
	struct ward_policy pol = base_policy;
	struct rig r;

	pol.restart = WARD_RESTART_NEVER;
	rig_init(&r, &pol, 10);
	ev(&r, WEV_START, 10);
	ev(&r, WEV_READY, 11);
	ev_exit(&r, 12, EXITED_WITH(1));
	expect(&r, WARD_EXITED, WACT_DISARM | WACT_LOG, WCAUSE_EXIT, 0);
	assert_near(r.out.tokens, 3);

	/* Hung, stopped and reaped: still exited, with the hang as cause. */
	ev(&r, WEV_START, 20);
	ev(&r, WEV_READY, 21);
	ev(&r, WEV_TIMER, 24);
	expect(&r, WARD_STOPPING, A_STOP, WCAUSE_HEARTBEAT_TIMEOUT, 29);
	ev_exit(&r, 25, KILLED_BY(SIGTERM));
	expect(&r, WARD_EXITED, WACT_DISARM | WACT_LOG,
	       WCAUSE_HEARTBEAT_TIMEOUT, 0);
}

/* start_retries: serial starts that never run end in failed. */
static void
test_start_retries_then_failed(void **state)
{
	struct ward_policy pol = base_policy;
	struct rig r;

	pol.restart = WARD_RESTART_ALWAYS;
	pol.limit_burst = 100;
	pol.start_retries = 2;
	rig_init(&r, &pol, 10);
	ev(&r, WEV_START, 10);
	ev_exit(&r, 11, EXITED_WITH(1)); /* 1st failed start: retried */
	expect(&r, WARD_BACKOFF, WACT_ARM | WACT_LOG, WCAUSE_EXIT, 11.75);
	ev(&r, WEV_TIMER, 11.75);
	ev_exit(&r, 12, EXITED_WITH(1)); /* 2nd: retried */
	assert_int_equal(r.sm.state, WARD_BACKOFF);
	ev(&r, WEV_TIMER, 20);
	ev_exit(&r, 21, EXITED_WITH(1)); /* 3rd: more than 2 retries */
	expect(&r, WARD_FAILED, WACT_DISARM | WACT_LOG, WCAUSE_EXIT, 0);

	/* Reaching running starts the count again. */
	ev(&r, WEV_START, 30);
	ev_exit(&r, 31, EXITED_WITH(1));
	ev(&r, WEV_TIMER, 40);
	ev(&r, WEV_READY, 41);
	assert_int_equal(r.sm.start_failures, 0);
	ev_exit(&r, 42, EXITED_WITH(1)); /* it ran: no start failure */
	ev(&r, WEV_TIMER, 50);
	ev_exit(&r, 51, EXITED_WITH(1));
	ev(&r, WEV_TIMER, 60);
	ev_exit(&r, 61, EXITED_WITH(1));
	assert_int_equal(r.sm.state, WARD_BACKOFF);
	ev(&r, WEV_TIMER, 70);
	ev_exit(&r, 71, EXITED_WITH(1));
	assert_int_equal(r.sm.state, WARD_FAILED);
}

/*
 * supervisord's startsecs: a process that ends inside start_timeout is
 * retried start_retries times and then failed, whatever restart= and its
 * exit code say; one that ends after it follows restart= (exited here).
 */
static void
test_start_retries_whatever_restart(void **state)
{
	struct ward_policy pol = base_policy;
	struct rig r;

	pol.heartbeat = WARD_HB_NONE;
	pol.start_timeout = 1;
	pol.limit_burst = 100;
	pol.start_retries = 1;
	for (int mode = 0; mode < 2; mode++) {
		pol.restart =
		    mode == 0 ? WARD_RESTART_NEVER : WARD_RESTART_ON_FAILURE;
		rig_init(&r, &pol, 10);
		ev(&r, WEV_START, 10);
		ev_exit(&r, 10.5, EXITED_WITH(0)); /* inside startsecs */
		expect(&r, WARD_BACKOFF, WACT_ARM | WACT_LOG, WCAUSE_EXIT,
		       11.25);
		ev(&r, WEV_TIMER, 11.25);
		ev_exit(&r, 11.5, EXITED_WITH(0)); /* the retry: failed */
		expect(&r, WARD_FAILED, WACT_DISARM | WACT_LOG, WCAUSE_EXIT, 0);
		/* Up past startsecs, then ends: restart= decides. */
		ev(&r, WEV_START, 20);
		ev(&r, WEV_TIMER, 21);
		assert_int_equal(r.sm.state, WARD_RUNNING);
		ev_exit(&r, 22, EXITED_WITH(0));
		expect(&r, WARD_EXITED, WACT_DISARM | WACT_LOG, WCAUSE_EXIT, 0);
	}
	/* startsecs = 0: never starting, so restart= decides at once. */
	pol.restart = WARD_RESTART_NEVER;
	pol.start_timeout = 0;
	rig_init(&r, &pol, 10);
	ev(&r, WEV_START, 10);
	ev_exit(&r, 10, EXITED_WITH(0));
	expect(&r, WARD_EXITED, WACT_DISARM | WACT_LOG, WCAUSE_EXIT, 0);
}

/* on-failure with other success codes (supervisord's exitcodes). */
static void
test_success_codes_decide_on_failure(void **state)
{
	struct ward_policy pol = base_policy;
	struct rig r;

	pol.success[0] = 1 << 0 | 1 << 2; /* 0 and 2 */
	rig_init(&r, &pol, 10);
	ev(&r, WEV_START, 10);
	ev(&r, WEV_READY, 11);
	ev_exit(&r, 12, EXITED_WITH(2));
	expect(&r, WARD_EXITED, WACT_DISARM | WACT_LOG, WCAUSE_EXIT, 0);
	ev(&r, WEV_START, 20);
	ev(&r, WEV_READY, 21);
	ev_exit(&r, 22, EXITED_WITH(0));
	assert_int_equal(r.sm.state, WARD_EXITED);
	ev(&r, WEV_START, 30);
	ev(&r, WEV_READY, 31);
	ev_exit(&r, 32, EXITED_WITH(1));
	assert_int_equal(r.sm.state, WARD_BACKOFF);
}

/* heartbeat=none: running once up for start_timeout; beats are ignored. */
static void
test_heartbeat_none_runs_after_start_timeout(void **state)
{
	struct ward_policy pol = base_policy;
	struct rig r;

	pol.heartbeat = WARD_HB_NONE;
	pol.start_timeout = 1;
	rig_init(&r, &pol, 10);
	ev(&r, WEV_START, 10);
	expect(&r, WARD_STARTING, A_SPAWN, WCAUSE_START, 11);

	/* A beat does not end the start phase. */
	ev(&r, WEV_BEAT, 10.5);
	expect(&r, WARD_STARTING, 0, WCAUSE_NONE, 0);
	assert_near(r.sm.timer_at, 11);

	ev(&r, WEV_TIMER, 11);
	expect(&r, WARD_RUNNING, WACT_DISARM | WACT_LOG, WCAUSE_UP, 0);
	assert_near(r.sm.running_since, 11);

	/* Running: beats, extensions and stale timers change nothing. */
	ev(&r, WEV_BEAT, 12);
	expect(&r, WARD_RUNNING, 0, WCAUSE_NONE, 0);
	ev_extend(&r, 13, 1000000);
	expect(&r, WARD_RUNNING, 0, WCAUSE_NONE, 0);
	assert_near(r.sm.timer_at, 0);
	ev(&r, WEV_TIMER, 100);
	expect(&r, WARD_RUNNING, WACT_DISARM, WCAUSE_NONE, 0);
}

/* heartbeat=none: READY=1 still ends the start phase early. */
static void
test_heartbeat_none_ready_ends_start_early(void **state)
{
	struct ward_policy pol = base_policy;
	struct rig r;

	pol.heartbeat = WARD_HB_NONE;
	rig_init(&r, &pol, 10);
	ev(&r, WEV_START, 10);
	ev(&r, WEV_READY, 10.5);
	expect(&r, WARD_RUNNING, WACT_DISARM | WACT_LOG, WCAUSE_READY, 0);
}

/*
 * heartbeat = notify without heartbeat_timeout (Type=notify, no
 * WatchdogSec=): READY=1 ends the start, and the ward is never judged
 * hung however long it stays silent.
 */
static void
test_notify_without_watchdog_is_readiness_only(void **state)
{
	struct ward_policy pol = base_policy;
	struct rig r;

	pol.heartbeat = WARD_HB_NOTIFY;
	pol.watchdog = false;
	pol.restart = WARD_RESTART_ALWAYS;
	assert_false(ward_judges_beats(&pol));
	rig_init(&r, &pol, 10);
	ev(&r, WEV_START, 10);
	expect(&r, WARD_STARTING, A_SPAWN, WCAUSE_START, 20);

	/* Readiness is still required within start_timeout. */
	ev(&r, WEV_READY, 11);
	expect(&r, WARD_RUNNING, WACT_DISARM | WACT_LOG, WCAUSE_READY, 0);

	/* Silent for an hour: a (stale) timer does not judge it. */
	ev(&r, WEV_TIMER, 3600);
	expect(&r, WARD_RUNNING, WACT_DISARM, WCAUSE_NONE, 0);

	/* Beats and a repeated READY=1 (php-fpm) change nothing. */
	ev(&r, WEV_BEAT, 3601);
	expect(&r, WARD_RUNNING, 0, WCAUSE_NONE, 0);
	ev(&r, WEV_READY, 3602);
	expect(&r, WARD_RUNNING, 0, WCAUSE_NONE, 0);
	ev_extend(&r, 3603, 1000000);
	expect(&r, WARD_RUNNING, 0, WCAUSE_NONE, 0);
	assert_near(r.sm.timer_at, 0);

	/* It ends: healed as any ward that ends. */
	ev_exit(&r, 3700, KILLED_BY(SIGKILL));
	expect(&r, WARD_BACKOFF, WACT_ARM | WACT_LOG, WCAUSE_SIGNAL, 3700.75);
}

/* readiness only still needs READY=1 within start_timeout. */
static void
test_notify_without_watchdog_start_timeout_holds(void **state)
{
	struct ward_policy pol = base_policy;
	struct rig r;

	pol.heartbeat = WARD_HB_NOTIFY;
	pol.watchdog = false;
	rig_init(&r, &pol, 10);
	ev(&r, WEV_START, 10);
	ev(&r, WEV_TIMER, 20);
	expect(&r, WARD_STOPPING, A_STOP, WCAUSE_START_TIMEOUT, 25);
}

/*
 * With the watchdog on (heartbeat_timeout given), a ward that was ready
 * but never beat is judged hung and the output says it never beat; one
 * that beat once and then stopped does not.
 */
static void
test_watchdog_hang_says_whether_it_ever_beat(void **state)
{
	struct ward_policy pol = base_policy;
	struct rig r;

	pol.heartbeat = WARD_HB_NOTIFY;
	pol.watchdog = true;
	pol.restart = WARD_RESTART_ALWAYS;
	assert_true(ward_judges_beats(&pol));
	rig_init(&r, &pol, 10);
	ev(&r, WEV_START, 10);
	ev(&r, WEV_READY, 11);
	expect(&r, WARD_RUNNING, WACT_WATCH | WACT_LOG, WCAUSE_READY, 14);
	assert_false(r.sm.beaten);
	ev(&r, WEV_TIMER, 14);
	expect(&r, WARD_STOPPING, A_STOP, WCAUSE_HEARTBEAT_TIMEOUT, 19);
	assert_true(r.out.never_beat);

	/* The next life beats once, then hangs: not "never". */
	ev_exit(&r, 15, KILLED_BY(SIGTERM));
	expect(&r, WARD_BACKOFF, WACT_ARM | WACT_LOG, WCAUSE_HEARTBEAT_TIMEOUT,
	       15.75);
	ev(&r, WEV_TIMER, 15.75);
	expect(&r, WARD_STARTING, A_SPAWN, WCAUSE_BACKOFF_DONE, 25.75);
	assert_false(r.sm.beaten);
	ev(&r, WEV_READY, 16);
	ev(&r, WEV_BEAT, 17);
	assert_true(r.sm.beaten);
	ev(&r, WEV_TIMER, 20);
	expect(&r, WARD_STOPPING, A_STOP, WCAUSE_HEARTBEAT_TIMEOUT, 25);
	assert_false(r.out.never_beat);
}

/* READY=1 repeated once running (php-fpm's way) counts as a beat. */
static void
test_repeated_ready_is_a_beat(void **state)
{
	struct ward_policy pol = base_policy;
	struct rig r;

	pol.heartbeat = WARD_HB_NOTIFY;
	rig_init(&r, &pol, 10);
	ev(&r, WEV_START, 10);
	ev(&r, WEV_READY, 11);
	ev(&r, WEV_READY, 13);
	assert_true(r.sm.beaten);
	ev(&r, WEV_TIMER, 14);
	expect(&r, WARD_RUNNING, WACT_WATCH, WCAUSE_NONE, 16);
	ev(&r, WEV_TIMER, 16);
	expect(&r, WARD_STOPPING, A_STOP, WCAUSE_HEARTBEAT_TIMEOUT, 21);
	assert_false(r.out.never_beat);
}

/* A pipe ward's first beat makes it ready and counts as a beat. */
static void
test_pipe_first_beat_counts(void **state)
{
	struct rig r;

	rig_init(&r, &base_policy, 10);
	assert_true(ward_judges_beats(&base_policy));
	ev(&r, WEV_START, 10);
	ev(&r, WEV_BEAT, 11);
	expect(&r, WARD_RUNNING, WACT_WATCH | WACT_LOG, WCAUSE_READY, 14);
	ev(&r, WEV_TIMER, 14);
	expect(&r, WARD_STOPPING, A_STOP, WCAUSE_HEARTBEAT_TIMEOUT, 19);
	assert_false(r.out.never_beat);
}

/* EXTEND_TIMEOUT_USEC in running moves the deadline n µs away, once. */
static void
test_extend_in_running_sets_one_off_deadline(void **state)
{
	struct rig r;

	rig_init(&r, &base_policy, 10);
	ev(&r, WEV_START, 10);
	ev(&r, WEV_READY, 11);
	ev_extend(&r, 12, 10000000);
	expect(&r, WARD_RUNNING, WACT_ARM, WCAUSE_NONE, 22);
	assert_near(r.sm.extend_until, 22);

	/* Fired before the extended deadline: re-armed for it. */
	ev(&r, WEV_TIMER, 14);
	expect(&r, WARD_RUNNING, WACT_ARM, WCAUSE_NONE, 22);
	ev(&r, WEV_TIMER, 21.75);
	expect(&r, WARD_RUNNING, WACT_ARM, WCAUSE_NONE, 22);

	/* No beat until then: hung. */
	ev(&r, WEV_TIMER, 22);
	expect(&r, WARD_STOPPING, A_STOP, WCAUSE_HEARTBEAT_TIMEOUT, 27);
	assert_near(r.out.beat_age, 11);
}

/* An extension may also be shorter than the heartbeat deadline. */
static void
test_extend_can_shorten_the_deadline(void **state)
{
	struct rig r;

	rig_init(&r, &base_policy, 10);
	ev(&r, WEV_START, 10);
	ev(&r, WEV_READY, 11);
	ev_extend(&r, 12, 500000);
	expect(&r, WARD_RUNNING, WACT_ARM, WCAUSE_NONE, 12.5);
	ev(&r, WEV_TIMER, 12.5);
	expect(&r, WARD_STOPPING, A_STOP, WCAUSE_HEARTBEAT_TIMEOUT, 17.5);
}

/* A beat after EXTEND clears it: the heartbeat deadline applies again. */
static void
test_beat_clears_extend(void **state)
{
	struct rig r;

	rig_init(&r, &base_policy, 10);
	ev(&r, WEV_START, 10);
	ev(&r, WEV_READY, 11);
	ev_extend(&r, 12, 1000000); /* timer at 13 */
	ev(&r, WEV_BEAT, 12.5);
	assert_near(r.sm.extend_until, 0);
	/* Without the clear, 13 would be the deadline. */
	ev(&r, WEV_TIMER, 13);
	expect(&r, WARD_RUNNING, WACT_WATCH, WCAUSE_NONE, 15.5);
	ev(&r, WEV_TIMER, 15.5);
	expect(&r, WARD_STOPPING, A_STOP, WCAUSE_HEARTBEAT_TIMEOUT, 20.5);
}

/*
 * Regression test for a fixed bug (ward.c, on_beat): a beat that clears a long
 * EXTEND leaves the timer armed at the old extended deadline, so a ward that
 * hangs right after that beat is judged only when the extension would have
 * ended (72), not at last_beat + heartbeat_timeout (16).  Expected: the beat
 * re-arms the timer for no later than 16.
 */
static void
test_beat_after_long_extend_keeps_hang_detection(void **state)
{
	struct rig r;

	rig_init(&r, &base_policy, 10);
	ev(&r, WEV_START, 10);
	ev(&r, WEV_READY, 11);
	ev_extend(&r, 12, 60000000);
	expect(&r, WARD_RUNNING, WACT_ARM, WCAUSE_NONE, 72);
	ev(&r, WEV_BEAT, 13);
	/* The timer libev will fire must come by the new deadline. */
	if (!(r.sm.timer_at > 0 && r.sm.timer_at <= 16))
		fail_msg("BUG: after the beat at 13 the timer fires at %g; a "
			 "hang from 13 on must be caught by 16",
			 r.sm.timer_at);
	ev(&r, WEV_TIMER, r.sm.timer_at);
	if (r.sm.state == WARD_RUNNING)
		ev(&r, WEV_TIMER, r.sm.timer_at);
	expect(&r, WARD_STOPPING, A_STOP, WCAUSE_HEARTBEAT_TIMEOUT, 21);
}

/* EXTEND in starting moves the start deadline. */
static void
test_extend_in_starting_moves_start_deadline(void **state)
{
	struct rig r;

	rig_init(&r, &base_policy, 10);
	ev(&r, WEV_START, 10);
	ev_extend(&r, 11, 30000000);
	expect(&r, WARD_STARTING, WACT_ARM, WCAUSE_NONE, 41);
	ev(&r, WEV_TIMER, 20);
	expect(&r, WARD_STARTING, WACT_ARM, WCAUSE_NONE, 41);
	ev(&r, WEV_TIMER, 41);
	expect(&r, WARD_STOPPING, A_STOP, WCAUSE_START_TIMEOUT, 46);
}

/* No first beat within start_timeout: stopped and healed. */
static void
test_start_timeout_stops_and_heals(void **state)
{
	struct rig r;

	rig_init(&r, &base_policy, 10);
	ev(&r, WEV_START, 10);
	ev(&r, WEV_TIMER, 15);
	expect(&r, WARD_STARTING, WACT_ARM, WCAUSE_NONE, 20);
	ev(&r, WEV_TIMER, 20);
	expect(&r, WARD_STOPPING, A_STOP, WCAUSE_START_TIMEOUT, 25);
	assert_near(r.out.beat_age, 10);
	/* Exit 0 after a start timeout is still a failure. */
	ev_exit(&r, 21, EXITED_WITH(0));
	expect(&r, WARD_BACKOFF, WACT_ARM | WACT_LOG, WCAUSE_START_TIMEOUT,
	       21.75);
}

/* WATCHDOG=trigger heals now, even with on-failure and exit 0. */
static void
test_watchdog_trigger_heals_now(void **state)
{
	struct rig r;

	rig_init(&r, &base_policy, 10);
	ev(&r, WEV_START, 10);
	ev(&r, WEV_READY, 11);
	ev(&r, WEV_TRIGGER, 12);
	expect(&r, WARD_STOPPING, A_STOP, WCAUSE_TRIGGER, 17);
	assert_int_equal(r.sm.after, WAFTER_HEAL);
	assert_near(r.out.beat_age, 1);
	ev_exit(&r, 12.5, EXITED_WITH(0));
	expect(&r, WARD_BACKOFF, WACT_ARM | WACT_LOG, WCAUSE_TRIGGER, 13.25);
	assert_near(r.out.tokens, 2);
}

/* STOPPING=1 then exit 0 with restart=always: restarted after backoff. */
static void
test_ward_stopping_itself_restarts_with_always(void **state)
{
	struct ward_policy pol = base_policy;
	struct rig r;

	pol.restart = WARD_RESTART_ALWAYS;
	rig_init(&r, &pol, 10);
	ev(&r, WEV_START, 10);
	ev(&r, WEV_READY, 11);
	ev(&r, WEV_STOPPING, 12);
	/* No signal: it is stopping on its own; only the kill deadline. */
	expect(&r, WARD_STOPPING, WACT_ARM | WACT_LOG, WCAUSE_WARD_STOPPING,
	       17);
	assert_false(r.sm.signalled);
	ev_exit(&r, 13, EXITED_WITH(0));
	expect(&r, WARD_BACKOFF, WACT_ARM | WACT_LOG, WCAUSE_EXIT, 13.75);
	assert_near(r.out.tokens, 2);
	assert_int_equal(r.sm.restarts, 1);
}

/* STOPPING=1 then exit 0 with restart=on-failure: left exited. */
static void
test_ward_stopping_itself_clean_exit_with_on_failure(void **state)
{
	struct rig r;

	rig_init(&r, &base_policy, 10);
	ev(&r, WEV_START, 10);
	ev(&r, WEV_READY, 11);
	ev(&r, WEV_STOPPING, 12);
	ev_exit(&r, 13, EXITED_WITH(0));
	expect(&r, WARD_EXITED, WACT_DISARM | WACT_LOG, WCAUSE_EXIT, 0);
}

/* A ward that says STOPPING=1 but never exits is killed at stop_timeout. */
static void
test_ward_stopping_itself_but_lingering_is_killed(void **state)
{
	struct rig r;

	rig_init(&r, &base_policy, 10);
	ev(&r, WEV_START, 10);
	ev(&r, WEV_READY, 11);
	ev(&r, WEV_STOPPING, 12);
	ev(&r, WEV_TIMER, 17);
	expect(&r, WARD_STOPPING, WACT_SIGNAL_KILL | WACT_DISARM | WACT_LOG,
	       WCAUSE_STOP_TIMEOUT, 0);
}

/* A person's stop while the ward stops on its own sends the signal. */
static void
test_stop_while_ward_stopping_itself_sends_signal(void **state)
{
	struct rig r;

	rig_init(&r, &base_policy, 10);
	ev(&r, WEV_START, 10);
	ev(&r, WEV_READY, 11);
	ev(&r, WEV_STOPPING, 12); /* kill deadline 17 */
	ev(&r, WEV_STOP, 13);
	/* The signal now; the kill deadline already armed stays. */
	expect(&r, WARD_STOPPING, WACT_SIGNAL_STOP, WCAUSE_NONE, 0);
	assert_near(r.sm.timer_at, 17);
	assert_true(r.sm.signalled);
	assert_int_equal(r.sm.after, WAFTER_STOP);
	/* A second stop sends nothing more. */
	ev(&r, WEV_STOP, 13.5);
	expect(&r, WARD_STOPPING, 0, WCAUSE_NONE, 0);
	ev_exit(&r, 14, KILLED_BY(SIGTERM));
	expect(&r, WARD_STOPPED, WACT_DISARM | WACT_LOG, WCAUSE_STOP, 0);
	assert_near(r.out.tokens, 3);
}

/* A restart request while running: stopped, then spawned at once. */
static void
test_restart_request_restarts_at_once(void **state)
{
	struct rig r;

	rig_init(&r, &base_policy, 10);
	ev(&r, WEV_START, 10);
	ev(&r, WEV_READY, 11);
	ev(&r, WEV_RESTART, 12);
	expect(&r, WARD_STOPPING, A_STOP, WCAUSE_RESTART, 17);
	assert_int_equal(r.sm.after, WAFTER_RESTART);
	ev_exit(&r, 13, KILLED_BY(SIGTERM));
	/* No backoff, no token, not counted as a healing restart. */
	expect(&r, WARD_STARTING, A_SPAWN, WCAUSE_RESTART, 23);
	assert_near(r.out.delay, 0);
	assert_near(r.out.tokens, 3);
	assert_int_equal(r.sm.restarts, 0);
	assert_int_equal(r.sm.backoff.attempt, 0);
	assert_near(r.sm.spawned_at, 13);
}

/* A stop during a requested restart cancels the restart. */
static void
test_stop_during_restart_cancels_it(void **state)
{
	struct rig r;

	rig_init(&r, &base_policy, 10);
	ev(&r, WEV_START, 10);
	ev(&r, WEV_READY, 11);
	ev(&r, WEV_RESTART, 12);
	ev(&r, WEV_STOP, 12.5);
	expect(&r, WARD_STOPPING, 0, WCAUSE_NONE, 0);
	assert_int_equal(r.sm.after, WAFTER_STOP);
	ev_exit(&r, 13, KILLED_BY(SIGTERM));
	expect(&r, WARD_STOPPED, WACT_DISARM | WACT_LOG, WCAUSE_STOP, 0);
}

/* A person's stop of a ward being healed leaves it stopped. */
static void
test_stop_of_hung_ward_is_not_healed(void **state)
{
	struct rig r;

	rig_init(&r, &base_policy, 10);
	ev(&r, WEV_START, 10);
	ev(&r, WEV_READY, 11);
	ev(&r, WEV_TIMER, 14);
	assert_int_equal(r.sm.state, WARD_STOPPING);
	ev(&r, WEV_STOP, 15);
	expect(&r, WARD_STOPPING, 0, WCAUSE_NONE, 0);
	ev_exit(&r, 16, KILLED_BY(SIGTERM));
	expect(&r, WARD_STOPPED, WACT_DISARM | WACT_LOG, WCAUSE_STOP, 0);
	assert_near(r.out.tokens, 3);
}

/* During stewardd's shutdown a start does not bring the ward back. */
static void
test_shutdown_while_stopping_wins_over_start(void **state)
{
	struct rig r;

	rig_init(&r, &base_policy, 10);
	ev(&r, WEV_START, 10);
	ev(&r, WEV_READY, 11);
	ev(&r, WEV_SHUTDOWN, 12);
	expect(&r, WARD_STOPPING, A_STOP, WCAUSE_SHUTDOWN, 17);
	ev(&r, WEV_START, 12.5);
	expect(&r, WARD_STOPPING, 0, WCAUSE_NONE, 0);
	assert_int_equal(r.sm.after, WAFTER_STOP);
	ev(&r, WEV_RESTART, 12.75);
	assert_int_equal(r.sm.after, WAFTER_STOP);
	ev(&r, WEV_STOP, 13);
	expect_sm_cause(&r, WCAUSE_SHUTDOWN);
	ev_exit(&r, 14, KILLED_BY(SIGTERM));
	expect(&r, WARD_STOPPED, WACT_DISARM | WACT_LOG, WCAUSE_SHUTDOWN, 0);
}

/* Shutdown while in backoff: stopped, the restart timer disarmed. */
static void
test_shutdown_in_backoff_leaves_ward_stopped(void **state)
{
	struct rig r;

	rig_init(&r, &base_policy, 10);
	ev(&r, WEV_START, 10);
	ev_exit(&r, 11, EXITED_WITH(1));
	assert_int_equal(r.sm.state, WARD_BACKOFF);
	ev(&r, WEV_SHUTDOWN, 11.5);
	expect(&r, WARD_STOPPED, WACT_DISARM | WACT_LOG, WCAUSE_SHUTDOWN, 0);
	/* A timer already queued does not restart it. */
	ev(&r, WEV_TIMER, 11.75);
	expect(&r, WARD_STOPPED, 0, WCAUSE_NONE, 0);
}

/* Short runs: each delay doubles up to backoff_max (jittered by u). */
static void
test_backoff_grows_after_short_runs(void **state)
{
	/* d = 1, 2, 4, 8, 8; with u = 0.5 the delay is 0.75 d. */
	static const double delays[] = {0.75, 1.5, 3, 6, 6};
	struct ward_policy pol = base_policy;
	struct rig r;
	double t = 10;

	pol.limit_burst = 100;
	rig_init(&r, &pol, t);
	ev(&r, WEV_START, t);
	for (unsigned i = 0; i < 5; i++) {
		ev(&r, WEV_READY, t + 0.25);
		/* Runs of 7.75s: short of backoff_max (8s). */
		t += 8;
		ev_exit(&r, t, EXITED_WITH(1));
		expect(&r, WARD_BACKOFF, WACT_ARM | WACT_LOG, WCAUSE_EXIT,
		       t + delays[i]);
		assert_near(r.out.delay, delays[i]);
		t += delays[i];
		ev(&r, WEV_TIMER, t);
		assert_int_equal(r.sm.state, WARD_STARTING);
	}
}

/* A run as long as backoff_max was healthy: the delay starts over. */
static void
test_backoff_resets_after_healthy_run(void **state)
{
	struct ward_policy pol = base_policy;
	struct rig r;

	pol.limit_burst = 100;
	rig_init(&r, &pol, 10);
	ev(&r, WEV_START, 10);
	ev_exit(&r, 10, EXITED_WITH(1));
	assert_near(r.out.delay, 0.75);
	ev(&r, WEV_TIMER, 10.75);
	ev_exit(&r, 10.75, EXITED_WITH(1));
	assert_near(r.out.delay, 1.5);
	ev(&r, WEV_TIMER, 12.25);
	ev_exit(&r, 12.25, EXITED_WITH(1));
	assert_near(r.out.delay, 3);
	ev(&r, WEV_TIMER, 15.25);
	ev(&r, WEV_READY, 15.5);
	/* Running for exactly backoff_max. */
	ev_exit(&r, 23.5, EXITED_WITH(1));
	expect(&r, WARD_BACKOFF, WACT_ARM | WACT_LOG, WCAUSE_EXIT, 24.25);
	assert_near(r.out.delay, 0.75);
	assert_int_equal(r.sm.backoff.attempt, 1);
}

/* Starting from failed gives a full bucket and a fresh backoff. */
static void
test_start_from_failed_refills_bucket(void **state)
{
	struct rig r;

	reach(&r, WARD_FAILED); /* failed at 105.25 */
	assert_true(r.out.tokens < 1);
	ev(&r, WEV_START, 106);
	expect(&r, WARD_STARTING, A_SPAWN, WCAUSE_START, 116);
	assert_near(r.out.tokens, 3);
	assert_int_equal(r.sm.backoff.attempt, 0);
	ev_exit(&r, 107, EXITED_WITH(1));
	expect(&r, WARD_BACKOFF, WACT_ARM | WACT_LOG, WCAUSE_EXIT, 107.75);
	assert_near(r.out.tokens, 2);
}

/* A spawn that fails before exec counts as a failure for on-failure. */
static void
test_exit_before_exec_is_spawn_failure(void **state)
{
	struct rig r;

	rig_init(&r, &base_policy, 10);
	ev(&r, WEV_START, 10);
	feed(&r, (struct ward_input){.event = WEV_EXIT,
				     .now = 10.5,
				     .u = U,
				     .status = EXITED_WITH(0),
				     .spawn_failed = true});
	expect(&r, WARD_BACKOFF, WACT_ARM | WACT_LOG, WCAUSE_SPAWN_FAILED,
	       11.25);
	assert_true(r.sm.exit_spawn_failed);
}

/*
 * A spawn stewardd lacked the fds or memory for is not the ward's fault:
 * backoff with its own growing delay, no token, no start retry, no
 * restart counted, never failed, however often it happens.
 */
static void
test_stewardd_short_spends_no_token(void **state)
{
	struct ward_policy pol = base_policy;
	struct rig r;
	double t = 10, last = 0;

	(void)state;
	pol.start_retries = 1;
	rig_init(&r, &pol, t);
	ev(&r, WEV_START, t);
	for (int i = 0; i < 40; i++) {
		if (i % 2 == 0)
			feed(&r, (struct ward_input){.event = WEV_SPAWN_ERROR,
						     .now = t,
						     .u = U,
						     .no_resources = true});
		else
			feed(&r, (struct ward_input){.event = WEV_EXIT,
						     .now = t,
						     .u = U,
						     .status = EXITED_WITH(127),
						     .spawn_failed = true,
						     .no_resources = true});
		check_int(r.out.to, WARD_BACKOFF);
		check_int(r.out.cause, WCAUSE_NO_RESOURCES);
		check_int(r.out.actions, WACT_ARM | WACT_LOG);
		assert_near(r.out.tokens, 3);
		assert_true(r.out.delay >= last);
		assert_true(r.out.delay > 0 && r.out.delay <= WARD_RETRY_MAX);
		last = r.out.delay;
		t = r.sm.timer_at;
		ev(&r, WEV_TIMER, t);
		check_int(r.sm.state, WARD_STARTING);
	}
	assert_near(last, 0.75 * WARD_RETRY_MAX);
	check_int(r.sm.restarts, 0);
	check_int(r.sm.start_failures, 0);
	check_int(r.sm.short_spawns, 40);
	/* The ward's own failure still spends a token, from a full bucket. */
	ev(&r, WEV_SPAWN_ERROR, t);
	expect(&r, WARD_BACKOFF, WACT_ARM | WACT_LOG, WCAUSE_SPAWN_FAILED,
	       t + 0.75);
	assert_near(r.out.tokens, 2);
	/* A process that ran resets the retry delay. */
	ev(&r, WEV_TIMER, r.sm.timer_at);
	ev_exit(&r, r.sm.timer_at + 1, EXITED_WITH(1));
	check_int(r.sm.short_spawns, 0);
}

/* An input while stewardd stops: one with .shutdown set. */
static void
ev_shut(struct rig *r, struct ward_input in)
{
	in.u = U;
	in.shutdown = true;
	feed(r, in);
}

/*
 * Shutdown is an input: an instance that ends while stewardd stops goes
 * to stopped in one transition, spending no token and counting no
 * restart, whatever ended it; restart = never still says exited.
 */
static void
test_shutdown_input_heals_nothing(void **state)
{
	struct ward_policy pol = base_policy;
	struct rig r;

	(void)state;
	pol.restart = WARD_RESTART_ALWAYS;
	reach(&r, WARD_RUNNING);
	r.pol = pol;
	ev_shut(&r, (struct ward_input){.event = WEV_EXIT,
					.now = 102,
					.status = EXITED_WITH(1)});
	expect(&r, WARD_STOPPED, WACT_DISARM | WACT_LOG, WCAUSE_EXIT, 0);
	check_int(r.sm.restarts, 0);
	assert_near(r.out.tokens, 3);

	/* Hung while stewardd stops: stopped once reaped, not restarted. */
	reach(&r, WARD_RUNNING);
	r.pol = pol;
	ev_shut(&r, (struct ward_input){.event = WEV_TIMER, .now = 103.5});
	expect(&r, WARD_STOPPING, A_STOP, WCAUSE_HEARTBEAT_TIMEOUT, 108.5);
	ev_shut(&r, (struct ward_input){.event = WEV_EXIT,
					.now = 104,
					.status = KILLED_BY(SIGTERM)});
	expect(&r, WARD_STOPPED, WACT_DISARM | WACT_LOG,
	       WCAUSE_HEARTBEAT_TIMEOUT, 0);

	/* A spawn stewardd lacked the means for is not retried either. */
	reach(&r, WARD_STARTING);
	ev_shut(&r, (struct ward_input){.event = WEV_SPAWN_ERROR,
					.now = 101,
					.no_resources = true});
	expect(&r, WARD_STOPPED, WACT_DISARM | WACT_LOG, WCAUSE_NO_RESOURCES,
	       0);
	check_int(r.sm.short_spawns, 0);

	/* restart = never: exited, as without a shutdown. */
	pol.restart = WARD_RESTART_NEVER;
	reach(&r, WARD_RUNNING);
	r.pol = pol;
	ev_shut(&r, (struct ward_input){.event = WEV_EXIT,
					.now = 102,
					.status = EXITED_WITH(1)});
	expect(&r, WARD_EXITED, WACT_DISARM | WACT_LOG, WCAUSE_EXIT, 0);

	/* A restart a person asked for before the shutdown reached the
	 * ward still happens: the shutdown's WEV_SHUTDOWN stops it. */
	reach(&r, WARD_RUNNING);
	ev(&r, WEV_RESTART, 102);
	ev_shut(&r, (struct ward_input){.event = WEV_EXIT,
					.now = 103,
					.status = KILLED_BY(SIGTERM)});
	expect(&r, WARD_STARTING, A_SPAWN, WCAUSE_RESTART, 113);
	ev_shut(&r, (struct ward_input){.event = WEV_SHUTDOWN, .now = 103});
	expect(&r, WARD_STOPPING, A_STOP, WCAUSE_SHUTDOWN, 108);
}

/* Which deadlines are the ward's shared rule (watched) and which are
 * the instance's own (armed). */
static void
test_watch_is_the_heartbeat_rule(void **state)
{
	struct rig r;

	(void)state;
	reach(&r, WARD_STARTING);
	check_int(r.out.actions & (WACT_ARM | WACT_WATCH), WACT_ARM);
	ev(&r, WEV_BEAT, 101);
	expect(&r, WARD_RUNNING, WACT_WATCH | WACT_LOG, WCAUSE_READY, 104);
	ev(&r, WEV_BEAT, 102);
	expect(&r, WARD_RUNNING, WACT_WATCH, WCAUSE_NONE, 105);
	/* An extension is the instance's own deadline... */
	ev_extend(&r, 102.5, 10000000);
	expect(&r, WARD_RUNNING, WACT_ARM, WCAUSE_NONE, 112.5);
	ev(&r, WEV_TIMER, 106);
	expect(&r, WARD_RUNNING, WACT_ARM, WCAUSE_NONE, 112.5);
	/* ...until a beat ends it: watched again. */
	ev(&r, WEV_BEAT, 107);
	expect(&r, WARD_RUNNING, WACT_WATCH, WCAUSE_NONE, 110);
	/* Leaving running arms the stop deadline: off the list. */
	ev(&r, WEV_STOP, 108);
	expect(&r, WARD_STOPPING, A_STOP, WCAUSE_STOP, 113);

	/* Readiness only (no watchdog): nothing watched, beats change
	 * nothing. */
	rig_init(&r, &base_policy, 10);
	r.pol.heartbeat = WARD_HB_NOTIFY;
	r.pol.watchdog = false;
	ev(&r, WEV_START, 10);
	ev(&r, WEV_READY, 11);
	expect(&r, WARD_RUNNING, WACT_DISARM | WACT_LOG, WCAUSE_READY, 0);
	ev(&r, WEV_BEAT, 12);
	expect(&r, WARD_RUNNING, 0, WCAUSE_NONE, 0);
}

const struct CMUnitTest test_ward_scenarios[] = {
    cmocka_unit_test(test_hung_ward_is_stopped_then_killed),
    cmocka_unit_test(test_crash_loop_empties_bucket_then_fails),
    cmocka_unit_test(test_crash_loop_bucket_refills_over_period),
    cmocka_unit_test(test_on_failure_clean_exit_is_left_exited),
    cmocka_unit_test(test_on_failure_exit_code_one_is_restarted),
    cmocka_unit_test(test_on_failure_killed_by_signal_is_restarted),
    cmocka_unit_test(test_restart_never_leaves_ward_exited),
    cmocka_unit_test(test_start_retries_then_failed),
    cmocka_unit_test(test_start_retries_whatever_restart),
    cmocka_unit_test(test_success_codes_decide_on_failure),
    cmocka_unit_test(test_heartbeat_none_runs_after_start_timeout),
    cmocka_unit_test(test_heartbeat_none_ready_ends_start_early),
    cmocka_unit_test(test_extend_in_running_sets_one_off_deadline),
    cmocka_unit_test(test_extend_can_shorten_the_deadline),
    cmocka_unit_test(test_beat_clears_extend),
    cmocka_unit_test(test_beat_after_long_extend_keeps_hang_detection),
    cmocka_unit_test(test_extend_in_starting_moves_start_deadline),
    cmocka_unit_test(test_start_timeout_stops_and_heals),
    cmocka_unit_test(test_watchdog_trigger_heals_now),
    cmocka_unit_test(test_ward_stopping_itself_restarts_with_always),
    cmocka_unit_test(test_ward_stopping_itself_clean_exit_with_on_failure),
    cmocka_unit_test(test_ward_stopping_itself_but_lingering_is_killed),
    cmocka_unit_test(test_stop_while_ward_stopping_itself_sends_signal),
    cmocka_unit_test(test_restart_request_restarts_at_once),
    cmocka_unit_test(test_stop_during_restart_cancels_it),
    cmocka_unit_test(test_stop_of_hung_ward_is_not_healed),
    cmocka_unit_test(test_shutdown_while_stopping_wins_over_start),
    cmocka_unit_test(test_shutdown_in_backoff_leaves_ward_stopped),
    cmocka_unit_test(test_backoff_grows_after_short_runs),
    cmocka_unit_test(test_backoff_resets_after_healthy_run),
    cmocka_unit_test(test_start_from_failed_refills_bucket),
    cmocka_unit_test(test_exit_before_exec_is_spawn_failure),
    cmocka_unit_test(test_stewardd_short_spends_no_token),
    cmocka_unit_test(test_shutdown_input_heals_nothing),
    cmocka_unit_test(test_watch_is_the_heartbeat_rule),
    cmocka_unit_test(test_notify_without_watchdog_is_readiness_only),
    cmocka_unit_test(test_notify_without_watchdog_start_timeout_holds),
    cmocka_unit_test(test_watchdog_hang_says_whether_it_ever_beat),
    cmocka_unit_test(test_repeated_ready_is_a_beat),
    cmocka_unit_test(test_pipe_first_beat_counts),
};
const size_t test_ward_scenarios_n =
    sizeof(test_ward_scenarios) / sizeof(test_ward_scenarios[0]);
