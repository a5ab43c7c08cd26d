/*
 * Unit tests for the ward state machine (supervisord/core/ward.c).
 *
 * The clock is a plain number the tests pass in ward_input.now, and the
 * jitter u is chosen by the test (0.5 unless said otherwise), so every
 * deadline and delay below is exact.  Times are multiples of 1/4 second
 * so that sums are exact in binary floating point.
 *
 * This file: the rig the tests share (test-ward.h), and every (state ×
 * event) pair, one table per state: the resulting state, the actions,
 * the cause and the deadline waited for; a pair the table leaves empty
 * must leave the machine byte for byte untouched.  Then main runs these
 * and the scenarios of test-ward-scenarios.c, each named after what it
 * shows.
 */
#include "test-ward.h"

/*
 * The (state × event) pair being checked, "" outside the tables: every
 * failure message starts with it.
 */
char pair_ctx[64];

/*
 * The policy most tests use: beats over a pipe, due every 3s (a watchdog); 10s
 * to start, 5s to stop; delays from 1s to 8s; 3 restarts refilled per minute.
 */
const struct ward_policy base_policy = {
    .heartbeat = WARD_HB_PIPE,
    .restart = WARD_RESTART_ON_FAILURE,
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

/* A stopped instance with the given policy at time now. */
void
rig_init(struct rig *r, const struct ward_policy *pol, double now)
{
	pair_ctx[0] = '\0'; /* a failed table test may have left it set */
	memset(r, 0, sizeof(*r));
	r->pol = *pol;
	ward_sm_init(&r->sm, &r->pol, now);
}

/* Feed one complete input. */
void
feed(struct rig *r, struct ward_input in)
{
	ward_step(&r->sm, &r->pol, &in, &r->out);
}

/* Feed an event that needs nothing but the time. */
void
ev(struct rig *r, enum ward_event e, double now)
{
	feed(r, (struct ward_input){.event = e, .now = now, .u = U});
}

/* The main process was reaped with this wait status. */
void
ev_exit(struct rig *r, double now, int status)
{
	feed(r, (struct ward_input){
		    .event = WEV_EXIT, .now = now, .u = U, .status = status});
}

/* EXTEND_TIMEOUT_USEC=usec arrived. */
void
ev_extend(struct rig *r, double now, int64_t usec)
{
	feed(r,
	     (struct ward_input){
		 .event = WEV_EXTEND, .now = now, .u = U, .extend_usec = usec});
}

/* The actions as "spawn|arm|log", for failure messages. */
static const char *
actions_str(unsigned a, char *buf, size_t len)
{
	static const struct {
		unsigned bit;
		const char *name;
	} names[] = {
	    {WACT_SPAWN, "spawn"},
	    {WACT_SIGNAL_STOP, "signal_stop"},
	    {WACT_SIGNAL_KILL, "signal_kill"},
	    {WACT_ARM, "arm"},
	    {WACT_DISARM, "disarm"},
	    {WACT_LOG, "log"},
	    {WACT_WATCH, "watch"},
	};
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if ((a & names[i].bit) && n < len)
			n += (size_t)snprintf(buf + n, len - n, "%s%s",
					      n ? "|" : "", names[i].name);
	}
	if (n == 0)
		snprintf(buf, len, "none");
	return buf;
}

/*
 * The output and the machine agree with an expected transition: state,
 * actions, cause, and the deadline when the timer is armed (or no timer
 * when it is disarmed).
 */
void
expect(const struct rig *r, enum ward_state to, unsigned actions,
       enum ward_cause cause, double timer_at)
{
	char got[128], want[128];

	if (r->sm.state != to || r->out.to != to)
		fail_msg("%sstate %s (out.to %s), expected %s", pair_ctx,
			 ward_state_name(r->sm.state),
			 ward_state_name(r->out.to), ward_state_name(to));
	if (r->out.actions != actions)
		fail_msg("%sactions %s, expected %s", pair_ctx,
			 actions_str(r->out.actions, got, sizeof(got)),
			 actions_str(actions, want, sizeof(want)));
	if (r->out.cause != cause)
		fail_msg("%scause %s, expected %s", pair_ctx,
			 ward_cause_name(r->out.cause), ward_cause_name(cause));
	if (actions & (WACT_ARM | WACT_WATCH)) {
		assert_near(r->out.timer_at, timer_at);
		assert_near(r->sm.timer_at, timer_at);
	}
	if (actions & WACT_DISARM)
		assert_near(r->sm.timer_at, 0);
}

/* A transition that changes state also records its cause in the machine. */
void
expect_sm_cause(const struct rig *r, enum ward_cause cause)
{
	if (r->sm.cause != cause)
		fail_msg("%ssm.cause %s, expected %s", pair_ctx,
			 ward_cause_name(r->sm.cause), ward_cause_name(cause));
}
/*
 * The (state × event) tables.  Each state is reached through events from
 * a stopped instance at t = 100; then every event is fed at time T (the
 * timer at its armed deadline, as libev would fire it), EXTEND with 4s and
 * EXIT with exit code 1.
 */
struct pair {
	bool defined; /* the row names this event (catches a forgotten one) */
	bool ignored; /* no handler: the machine must be untouched */
	enum ward_state to;
	unsigned actions;
	enum ward_cause cause;
	double timer_at; /* with WACT_ARM */
	bool check_after;
	enum ward_after after; /* with check_after: what happens once reaped */
};

#define IGNORED                                                                \
	{                                                                      \
		.defined = true, .ignored = true                               \
	}
#define TO(st, act, why, at)                                                   \
	{                                                                      \
		.defined = true, .to = (st), .actions = (act), .cause = (why), \
		.timer_at = (at)                                               \
	}
#define TO_AFTER(st, act, why, at, aft)                                        \
	{                                                                      \
		.defined = true, .to = (st), .actions = (act), .cause = (why), \
		.timer_at = (at), .check_after = true, .after = (aft)          \
	}

/* Drive a fresh instance into state s; returns the time T for the test. */
double
reach(struct rig *r, enum ward_state s)
{
	rig_init(r, &base_policy, 100);
	switch (s) {
	case WARD_STOPPED:
		return 101;
	case WARD_STARTING:
		ev(r, WEV_START, 100); /* start deadline 110 */
		assert_int_equal(r->sm.state, WARD_STARTING);
		return 101;
	case WARD_RUNNING:
		ev(r, WEV_START, 100);
		ev(r, WEV_READY, 100.5); /* heartbeat deadline 103.5 */
		assert_int_equal(r->sm.state, WARD_RUNNING);
		return 101;
	case WARD_STOPPING:
		ev(r, WEV_START, 100);
		ev(r, WEV_READY, 100.5);
		ev(r, WEV_TRIGGER, 101); /* SIGKILL deadline 106, heal after */
		assert_int_equal(r->sm.state, WARD_STOPPING);
		return 102;
	case WARD_BACKOFF:
		ev(r, WEV_START, 100);
		ev(r, WEV_READY, 100.5);
		ev_exit(r, 101, EXITED_WITH(1)); /* restart at 101.75 */
		assert_int_equal(r->sm.state, WARD_BACKOFF);
		return 101.5;
	case WARD_FAILED:
		/* Four spawn errors: three restarts spend the bucket of 3. */
		ev(r, WEV_START, 100);
		ev(r, WEV_SPAWN_ERROR, 100);
		ev(r, WEV_TIMER, 100.75);
		ev(r, WEV_SPAWN_ERROR, 100.75);
		ev(r, WEV_TIMER, 102.25);
		ev(r, WEV_SPAWN_ERROR, 102.25);
		ev(r, WEV_TIMER, 105.25);
		ev(r, WEV_SPAWN_ERROR, 105.25);
		assert_int_equal(r->sm.state, WARD_FAILED);
		return 106;
	case WARD_EXITED:
		ev(r, WEV_START, 100);
		ev(r, WEV_READY, 100.5);
		ev_exit(r, 101, EXITED_WITH(0)); /* on-failure: left exited */
		assert_int_equal(r->sm.state, WARD_EXITED);
		return 101.5;
	}
	fail_msg("no recipe for state %d", (int)s);
	return 0;
}

/* Check one state's row: feed every event to a fresh copy of the state. */
static void
check_row(enum ward_state s, const struct pair row[WARD_NEVENTS])
{
	for (int e = 0; e < WARD_NEVENTS; e++) {
		const struct pair *p = &row[e];
		struct rig r;
		struct ward_sm before;
		struct ward_input in = {.event = (enum ward_event)e, .u = U};
		double t = reach(&r, s);

		if (!p->defined)
			fail_msg("%s × %s: no expectation written",
				 ward_state_name(s),
				 ward_event_name((enum ward_event)e));
		snprintf(pair_ctx, sizeof(pair_ctx),
			 "%s × %s: ", ward_state_name(s),
			 ward_event_name((enum ward_event)e));
		in.now = t;
		if (e == WEV_TIMER && r.sm.timer_at > 0)
			in.now = r.sm.timer_at;
		if (e == WEV_EXTEND)
			in.extend_usec = 4000000;
		if (e == WEV_EXIT)
			in.status = EXITED_WITH(1);
		memcpy(&before, &r.sm, sizeof(before));
		ward_step(&r.sm, &r.pol, &in, &r.out);
		check_int(r.out.from, s);
		if (p->ignored) {
			expect(&r, s, 0, WCAUSE_NONE, 0);
			if (memcmp(&before, &r.sm, sizeof(before)) != 0)
				fail_msg("%sthe machine changed", pair_ctx);
			continue;
		}
		expect(&r, p->to, p->actions, p->cause, p->timer_at);
		if ((p->actions & WACT_LOG) && p->to != s)
			expect_sm_cause(&r, p->cause);
		if (p->check_after)
			check_int(r.sm.after, p->after);
	}
	pair_ctx[0] = '\0';
}

/* stopped: only start and restart do anything; they spawn. */
static void
test_every_event_in_stopped(void **state)
{
	static const struct pair row[WARD_NEVENTS] = {
	    [WEV_START] = TO(WARD_STARTING, A_SPAWN, WCAUSE_START, 111),
	    [WEV_STOP] = IGNORED,
	    [WEV_RESTART] = TO(WARD_STARTING, A_SPAWN, WCAUSE_RESTART, 111),
	    [WEV_SHUTDOWN] = IGNORED,
	    [WEV_BEAT] = IGNORED,
	    [WEV_READY] = IGNORED,
	    [WEV_EXTEND] = IGNORED,
	    [WEV_TRIGGER] = IGNORED,
	    [WEV_STOPPING] = IGNORED,
	    [WEV_TIMER] = IGNORED,
	    [WEV_EXIT] = IGNORED,
	    [WEV_SPAWN_ERROR] = IGNORED,
	    [WEV_MEMORY] = IGNORED,
	};

	check_row(WARD_STOPPED, row);
}

/* starting: every event but a second start means something. */
static void
test_every_event_in_starting(void **state)
{
	static const struct pair row[WARD_NEVENTS] = {
	    [WEV_START] = IGNORED,
	    [WEV_STOP] =
		TO_AFTER(WARD_STOPPING, A_STOP, WCAUSE_STOP, 106, WAFTER_STOP),
	    [WEV_RESTART] = TO_AFTER(WARD_STOPPING, A_STOP, WCAUSE_RESTART, 106,
				     WAFTER_RESTART),
	    [WEV_SHUTDOWN] = TO_AFTER(WARD_STOPPING, A_STOP, WCAUSE_SHUTDOWN,
				      106, WAFTER_STOP),
	    [WEV_BEAT] =
		TO(WARD_RUNNING, WACT_WATCH | WACT_LOG, WCAUSE_READY, 104),
	    [WEV_READY] =
		TO(WARD_RUNNING, WACT_WATCH | WACT_LOG, WCAUSE_READY, 104),
	    [WEV_EXTEND] = TO(WARD_STARTING, WACT_ARM, WCAUSE_NONE, 105),
	    [WEV_TRIGGER] = TO_AFTER(WARD_STOPPING, A_STOP, WCAUSE_TRIGGER, 106,
				     WAFTER_HEAL),
	    [WEV_STOPPING] = TO_AFTER(WARD_STOPPING, WACT_ARM | WACT_LOG,
				      WCAUSE_WARD_STOPPING, 106, WAFTER_HEAL),
	    /* Fired at the start deadline, 110. */
	    [WEV_TIMER] = TO_AFTER(WARD_STOPPING, A_STOP, WCAUSE_START_TIMEOUT,
				   115, WAFTER_HEAL),
	    [WEV_EXIT] =
		TO(WARD_BACKOFF, WACT_ARM | WACT_LOG, WCAUSE_EXIT, 101.75),
	    [WEV_SPAWN_ERROR] = TO(WARD_BACKOFF, WACT_ARM | WACT_LOG,
				   WCAUSE_SPAWN_FAILED, 101.75),
	    [WEV_MEMORY] = TO_AFTER(WARD_STOPPING, A_STOP, WCAUSE_MEMORY, 106,
				    WAFTER_HEAL),
	};

	check_row(WARD_STARTING, row);
}

/* running: a beat moves the watched deadline; the timer judges it. */
static void
test_every_event_in_running(void **state)
{
	static const struct pair row[WARD_NEVENTS] = {
	    [WEV_START] = IGNORED,
	    [WEV_STOP] =
		TO_AFTER(WARD_STOPPING, A_STOP, WCAUSE_STOP, 106, WAFTER_STOP),
	    [WEV_RESTART] = TO_AFTER(WARD_STOPPING, A_STOP, WCAUSE_RESTART, 106,
				     WAFTER_RESTART),
	    [WEV_SHUTDOWN] = TO_AFTER(WARD_STOPPING, A_STOP, WCAUSE_SHUTDOWN,
				      106, WAFTER_STOP),
	    [WEV_BEAT] = TO(WARD_RUNNING, WACT_WATCH, WCAUSE_NONE, 104),
	    [WEV_READY] = TO(WARD_RUNNING, WACT_WATCH, WCAUSE_NONE, 104),
	    [WEV_EXTEND] = TO(WARD_RUNNING, WACT_ARM, WCAUSE_NONE, 105),
	    [WEV_TRIGGER] = TO_AFTER(WARD_STOPPING, A_STOP, WCAUSE_TRIGGER, 106,
				     WAFTER_HEAL),
	    [WEV_STOPPING] = TO_AFTER(WARD_STOPPING, WACT_ARM | WACT_LOG,
				      WCAUSE_WARD_STOPPING, 106, WAFTER_HEAL),
	    /* Fired at the heartbeat deadline, 100.5 + 3. */
	    [WEV_TIMER] =
		TO_AFTER(WARD_STOPPING, A_STOP, WCAUSE_HEARTBEAT_TIMEOUT, 108.5,
			 WAFTER_HEAL),
	    [WEV_EXIT] =
		TO(WARD_BACKOFF, WACT_ARM | WACT_LOG, WCAUSE_EXIT, 101.75),
	    [WEV_SPAWN_ERROR] = IGNORED,
	    [WEV_MEMORY] = TO_AFTER(WARD_STOPPING, A_STOP, WCAUSE_MEMORY, 106,
				    WAFTER_HEAL),
	};

	check_row(WARD_RUNNING, row);
}

/* stopping (healing a triggered ward): requests change only the after. */
static void
test_every_event_in_stopping(void **state)
{
	static const struct pair row[WARD_NEVENTS] = {
	    [WEV_START] =
		TO_AFTER(WARD_STOPPING, 0, WCAUSE_NONE, 0, WAFTER_RESTART),
	    [WEV_STOP] =
		TO_AFTER(WARD_STOPPING, 0, WCAUSE_NONE, 0, WAFTER_STOP),
	    [WEV_RESTART] =
		TO_AFTER(WARD_STOPPING, 0, WCAUSE_NONE, 0, WAFTER_RESTART),
	    [WEV_SHUTDOWN] =
		TO_AFTER(WARD_STOPPING, 0, WCAUSE_NONE, 0, WAFTER_STOP),
	    [WEV_BEAT] = IGNORED,
	    [WEV_READY] = IGNORED,
	    [WEV_EXTEND] = IGNORED,
	    [WEV_TRIGGER] = IGNORED,
	    [WEV_STOPPING] = IGNORED,
	    /* Fired at the SIGKILL deadline, 106. */
	    [WEV_TIMER] = TO_AFTER(WARD_STOPPING,
				   WACT_SIGNAL_KILL | WACT_DISARM | WACT_LOG,
				   WCAUSE_STOP_TIMEOUT, 0, WAFTER_HEAL),
	    [WEV_EXIT] =
		TO(WARD_BACKOFF, WACT_ARM | WACT_LOG, WCAUSE_TRIGGER, 102.75),
	    [WEV_SPAWN_ERROR] = IGNORED,
	    [WEV_MEMORY] = IGNORED,
	};

	check_row(WARD_STOPPING, row);
}

/* backoff: a person or the delay starts it; stop and shutdown end it. */
static void
test_every_event_in_backoff(void **state)
{
	static const struct pair row[WARD_NEVENTS] = {
	    [WEV_START] = TO(WARD_STARTING, A_SPAWN, WCAUSE_START, 111.5),
	    [WEV_STOP] =
		TO(WARD_STOPPED, WACT_DISARM | WACT_LOG, WCAUSE_STOP, 0),
	    [WEV_RESTART] = TO(WARD_STARTING, A_SPAWN, WCAUSE_RESTART, 111.5),
	    [WEV_SHUTDOWN] =
		TO(WARD_STOPPED, WACT_DISARM | WACT_LOG, WCAUSE_SHUTDOWN, 0),
	    [WEV_BEAT] = IGNORED,
	    [WEV_READY] = IGNORED,
	    [WEV_EXTEND] = IGNORED,
	    [WEV_TRIGGER] = IGNORED,
	    [WEV_STOPPING] = IGNORED,
	    /* Fired at the restart time, 101 + 0.75. */
	    [WEV_TIMER] =
		TO(WARD_STARTING, A_SPAWN, WCAUSE_BACKOFF_DONE, 111.75),
	    [WEV_EXIT] = IGNORED,
	    [WEV_SPAWN_ERROR] = IGNORED,
	    [WEV_MEMORY] = IGNORED,
	};

	check_row(WARD_BACKOFF, row);
}

/* failed: only a person's start, restart or stop does anything. */
static void
test_every_event_in_failed(void **state)
{
	static const struct pair row[WARD_NEVENTS] = {
	    [WEV_START] = TO(WARD_STARTING, A_SPAWN, WCAUSE_START, 116),
	    [WEV_STOP] =
		TO(WARD_STOPPED, WACT_DISARM | WACT_LOG, WCAUSE_STOP, 0),
	    [WEV_RESTART] = TO(WARD_STARTING, A_SPAWN, WCAUSE_RESTART, 116),
	    [WEV_SHUTDOWN] = IGNORED,
	    [WEV_BEAT] = IGNORED,
	    [WEV_READY] = IGNORED,
	    [WEV_EXTEND] = IGNORED,
	    [WEV_TRIGGER] = IGNORED,
	    [WEV_STOPPING] = IGNORED,
	    [WEV_TIMER] = IGNORED,
	    [WEV_EXIT] = IGNORED,
	    [WEV_SPAWN_ERROR] = IGNORED,
	    [WEV_MEMORY] = IGNORED,
	};

	check_row(WARD_FAILED, row);
}

/* exited: only a person's start, restart or stop does anything. */
static void
test_every_event_in_exited(void **state)
{
	static const struct pair row[WARD_NEVENTS] = {
	    [WEV_START] = TO(WARD_STARTING, A_SPAWN, WCAUSE_START, 111.5),
	    [WEV_STOP] =
		TO(WARD_STOPPED, WACT_DISARM | WACT_LOG, WCAUSE_STOP, 0),
	    [WEV_RESTART] = TO(WARD_STARTING, A_SPAWN, WCAUSE_RESTART, 111.5),
	    [WEV_SHUTDOWN] = IGNORED,
	    [WEV_BEAT] = IGNORED,
	    [WEV_READY] = IGNORED,
	    [WEV_EXTEND] = IGNORED,
	    [WEV_TRIGGER] = IGNORED,
	    [WEV_STOPPING] = IGNORED,
	    [WEV_TIMER] = IGNORED,
	    [WEV_EXIT] = IGNORED,
	    [WEV_SPAWN_ERROR] = IGNORED,
	    [WEV_MEMORY] = IGNORED,
	};

	check_row(WARD_EXITED, row);
}

/* A timer is due for a judgement only past the deadline a beat moved. */
static void
test_timer_due_only_past_the_deadline(void **state)
{
	struct rig r;

	(void)state;
	reach(&r, WARD_STARTING); /* start deadline 110 */
	assert_false(ward_timer_due(&r.sm, &r.pol, 109.9));
	assert_true(ward_timer_due(&r.sm, &r.pol, 110));
	reach(&r, WARD_RUNNING); /* heartbeat deadline 103.5 */
	assert_false(ward_timer_due(&r.sm, &r.pol, 103.4));
	assert_true(ward_timer_due(&r.sm, &r.pol, 103.5));
	ev(&r, WEV_BEAT, 103); /* the timer is still at 103.5 */
	assert_false(ward_timer_due(&r.sm, &r.pol, 103.5));
	assert_true(ward_timer_due(&r.sm, &r.pol, 106));
	/* EXTEND_TIMEOUT_USEC=5000000: a one-off deadline at 108.2 */
	feed(&r, (struct ward_input){.event = WEV_EXTEND,
				     .now = 103.2,
				     .u = U,
				     .extend_usec = 5000000});
	assert_false(ward_timer_due(&r.sm, &r.pol, 106));
	assert_false(ward_timer_due(&r.sm, &r.pol, 108.1));
	assert_true(ward_timer_due(&r.sm, &r.pol, 108.2));
	reach(&r, WARD_BACKOFF); /* restart at 101.75 */
	assert_false(ward_timer_due(&r.sm, &r.pol, 101.7));
	assert_true(ward_timer_due(&r.sm, &r.pol, 101.75));
}

/* The one judgement of a clean exit, by wait status and success=. */
static void
test_exit_clean(void **state)
{
	struct ward_policy pol = base_policy;

	(void)state;
	assert_true(ward_exit_clean(&pol, EXITED_WITH(0), false));
	assert_false(ward_exit_clean(&pol, EXITED_WITH(0), true));
	assert_false(ward_exit_clean(&pol, EXITED_WITH(1), false));
	assert_false(ward_exit_clean(&pol, KILLED_BY(SIGTERM), false));
	/* success = 0 3 255 */
	pol.success[0] = 1 << 0 | 1 << 3;
	pol.success[31] = 1 << 7;
	assert_true(ward_exit_clean(&pol, EXITED_WITH(0), false));
	assert_true(ward_exit_clean(&pol, EXITED_WITH(3), false));
	assert_true(ward_exit_clean(&pol, EXITED_WITH(255), false));
	assert_false(ward_exit_clean(&pol, EXITED_WITH(2), false));
	/* success = 2 alone: 0 is no longer clean. */
	memset(pol.success, 0, sizeof(pol.success));
	pol.success[0] = 1 << 2;
	assert_false(ward_exit_clean(&pol, EXITED_WITH(0), false));
	assert_true(ward_exit_clean(&pol, EXITED_WITH(2), false));
}

/* The names people and logs see, and which states have a process. */
static void
test_names_and_process_states(void **state)
{
	assert_string_equal(ward_state_name(WARD_STOPPED), "stopped");
	assert_string_equal(ward_state_name(WARD_STARTING), "starting");
	assert_string_equal(ward_state_name(WARD_RUNNING), "running");
	assert_string_equal(ward_state_name(WARD_STOPPING), "stopping");
	assert_string_equal(ward_state_name(WARD_BACKOFF), "backoff");
	assert_string_equal(ward_state_name(WARD_FAILED), "failed");
	assert_string_equal(ward_state_name(WARD_EXITED), "exited");
	assert_string_equal(ward_state_name((enum ward_state)99), "unknown");
	assert_string_equal(ward_event_name(WEV_SPAWN_ERROR), "spawn_error");
	assert_string_equal(ward_event_name(WEV_MEMORY), "memory");
	assert_string_equal(ward_cause_name(WCAUSE_MEMORY), "memory_restart");
	assert_string_equal(ward_event_name((enum ward_event)99), "unknown");
	assert_string_equal(ward_cause_name(WCAUSE_HEARTBEAT_TIMEOUT),
			    "heartbeat_timeout");
	assert_string_equal(ward_cause_name(WCAUSE_TRIGGER),
			    "watchdog_trigger");
	assert_string_equal(ward_cause_name(WCAUSE_STOP_TIMEOUT),
			    "stop_timeout");
	assert_string_equal(ward_cause_name((enum ward_cause)99), "unknown");
	for (int s = 0; s < WARD_NSTATES; s++)
		assert_int_equal(ward_state_has_process((enum ward_state)s),
				 s == WARD_STARTING || s == WARD_RUNNING ||
				     s == WARD_STOPPING);
}

int
main(void)
{
	const struct CMUnitTest tables[] = {
	    cmocka_unit_test(test_timer_due_only_past_the_deadline),
	    cmocka_unit_test(test_exit_clean),
	    cmocka_unit_test(test_names_and_process_states),
	    cmocka_unit_test(test_every_event_in_stopped),
	    cmocka_unit_test(test_every_event_in_starting),
	    cmocka_unit_test(test_every_event_in_running),
	    cmocka_unit_test(test_every_event_in_stopping),
	    cmocka_unit_test(test_every_event_in_backoff),
	    cmocka_unit_test(test_every_event_in_failed),
	    cmocka_unit_test(test_every_event_in_exited),
	};
	int failed = 0;

	failed += _cmocka_run_group_tests("ward-tables", tables,
					  sizeof(tables) / sizeof(tables[0]),
					  NULL, NULL);
	failed += _cmocka_run_group_tests("ward-scenarios", test_ward_scenarios,
					  test_ward_scenarios_n, NULL, NULL);
	return failed;
}
