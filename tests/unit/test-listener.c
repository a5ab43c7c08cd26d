/*
 * Unit tests for supervisord's event listener protocol
 * (supervisord/proto/listener-proto.c): the events= names, the mapping of
 * steward's transitions onto supervisord's process states, the envelope
 * header, and the reading of a listener's stdout as dispatchers.py
 * reads it, bytes arriving in any split.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "proto/listener-proto.h"

/* Feed a C string. */
static void
add(struct lp *p, const char *s)
{
	assert_true(lp_add(p, s, strlen(s)));
}

/* The next thing read, with its reason checked to be set on violations. */
static enum lp_what
next(struct lp *p)
{
	char why[160] = "";
	enum lp_what w = lp_next(p, why, sizeof(why));

	if (w == LP_VIOLATION)
		assert_true(why[0] != '\0');
	return w;
}

/* The names of events= as supervisord accepts them, abstract ones too. */
static void
test_event_names(void **state)
{
	uint32_t bits;
	bool unsent;

	(void)state;
	assert_int_equal(
	    listener_event_parse("PROCESS_STATE_FATAL", &bits, &unsent), 0);
	assert_int_equal(bits, LEV_BIT(LEV_PROCESS_STATE + SV_FATAL));
	assert_false(unsent);
	/* supervisord upper-cases what it reads */
	assert_int_equal(listener_event_parse("tick_5", &bits, &unsent), 0);
	assert_int_equal(bits, LEV_BIT(LEV_TICK_5));
	assert_int_equal(listener_event_parse("PROCESS_STATE", &bits, &unsent),
			 0);
	assert_int_equal(bits, LEV_ALL_PROCESS_STATE);
	assert_int_equal(listener_event_parse("TICK", &bits, &unsent), 0);
	assert_int_equal(bits, LEV_ALL_TICK);
	assert_int_equal(listener_event_parse("EVENT", &bits, &unsent), 0);
	assert_int_equal(bits, LEV_BIT(LEV_NEVENTS) - 1);
	assert_int_equal(
	    listener_event_parse("SUPERVISOR_STATE_CHANGE", &bits, &unsent), 0);
	assert_int_equal(bits, LEV_BIT(LEV_SUPERVISOR_RUNNING) |
				   LEV_BIT(LEV_SUPERVISOR_STOPPING));
	/* known to supervisord, never sent by stewardd */
	assert_int_equal(
	    listener_event_parse("PROCESS_LOG_STDERR", &bits, &unsent), 0);
	assert_true(unsent);
	assert_int_equal(bits, 0);
	/* unknown */
	assert_int_equal(
	    listener_event_parse("PROCESS_STATE_FATALX", &bits, &unsent), -1);
	assert_int_equal(listener_event_parse("", &bits, &unsent), -1);
	for (int e = 0; e < LEV_NEVENTS; e++) {
		assert_int_equal(
		    listener_event_parse(
			listener_event_name((enum listener_event)e), &bits,
			&unsent),
		    0);
		assert_int_equal(bits, LEV_BIT(e));
	}
}

/* One transition's supervisord states. */
static int
map(enum ward_state from, enum ward_state to, enum ward_cause cause, bool ran,
    enum sv_state out[2])
{
	return listener_map(from, to, cause, ran, out);
}

/* Every steward transition, mapped as supervisord would report it. */
static void
test_transitions_map_to_supervisord_states(void **state)
{
	enum sv_state o[2];

	(void)state;
	assert_int_equal(
	    map(WARD_STOPPED, WARD_STARTING, WCAUSE_START, false, o), 1);
	assert_int_equal(o[0], SV_STARTING);
	assert_int_equal(map(WARD_STARTING, WARD_RUNNING, WCAUSE_UP, false, o),
			 1);
	assert_int_equal(o[0], SV_RUNNING);
	/* dies before it is running: BACKOFF, and retried */
	assert_int_equal(
	    map(WARD_STARTING, WARD_BACKOFF, WCAUSE_EXIT, false, o), 1);
	assert_int_equal(o[0], SV_BACKOFF);
	/* dies after: EXITED */
	assert_int_equal(map(WARD_RUNNING, WARD_BACKOFF, WCAUSE_EXIT, true, o),
			 1);
	assert_int_equal(o[0], SV_EXITED);
	assert_int_equal(
	    map(WARD_BACKOFF, WARD_STARTING, WCAUSE_BACKOFF_DONE, true, o), 1);
	assert_int_equal(o[0], SV_STARTING);
	/* the last retry: BACKOFF then FATAL, as supervisord */
	assert_int_equal(map(WARD_STARTING, WARD_FAILED, WCAUSE_EXIT, false, o),
			 2);
	assert_int_equal(o[0], SV_BACKOFF);
	assert_int_equal(o[1], SV_FATAL);
	/* the restart limit spent by a running ward: EXITED then FATAL */
	assert_int_equal(map(WARD_RUNNING, WARD_FAILED, WCAUSE_SIGNAL, true, o),
			 2);
	assert_int_equal(o[0], SV_EXITED);
	assert_int_equal(o[1], SV_FATAL);
	/* a person's stop */
	assert_int_equal(map(WARD_RUNNING, WARD_STOPPING, WCAUSE_STOP, true, o),
			 1);
	assert_int_equal(o[0], SV_STOPPING);
	assert_int_equal(map(WARD_STOPPING, WARD_STOPPED, WCAUSE_STOP, true, o),
			 1);
	assert_int_equal(o[0], SV_STOPPED);
	/* SIGKILL after stop_timeout says nothing new */
	assert_int_equal(
	    map(WARD_STOPPING, WARD_STOPPING, WCAUSE_STOP_TIMEOUT, true, o), 0);
	/* a hung ward healed: STOPPING, then an EXITED */
	assert_int_equal(
	    map(WARD_RUNNING, WARD_STOPPING, WCAUSE_HEARTBEAT_TIMEOUT, true, o),
	    1);
	assert_int_equal(o[0], SV_STOPPING);
	assert_int_equal(
	    map(WARD_STOPPING, WARD_BACKOFF, WCAUSE_HEARTBEAT_TIMEOUT, true, o),
	    1);
	assert_int_equal(o[0], SV_EXITED);
	/* a restart a person asked for: STOPPED, STARTING */
	assert_int_equal(
	    map(WARD_STOPPING, WARD_STARTING, WCAUSE_RESTART, true, o), 2);
	assert_int_equal(o[0], SV_STOPPED);
	assert_int_equal(o[1], SV_STARTING);
	/* restart = never, or a clean exit under on-failure */
	assert_int_equal(map(WARD_RUNNING, WARD_EXITED, WCAUSE_EXIT, true, o),
			 1);
	assert_int_equal(o[0], SV_EXITED);
	/* stopped while waiting to restart */
	assert_int_equal(map(WARD_BACKOFF, WARD_STOPPED, WCAUSE_STOP, true, o),
			 1);
	assert_int_equal(o[0], SV_STOPPED);
	assert_string_equal(listener_state_name(SV_FATAL), "FATAL");
	assert_string_equal(listener_event_name(LEV_PROCESS_STATE + SV_EXITED),
			    "PROCESS_STATE_EXITED");
}

/* TICK_5 every firing; TICK_60 and TICK_3600 once per period. */
static void
test_ticks(void **state)
{
	/* 1,800,000,000 is a multiple of 3600: the start of an hour. */
	long last60 = listener_slice(1800000000.0 - 55, 60);
	long last3600 = listener_slice(1800000000.0 - 55, 3600);
	long when[3];
	uint32_t due;

	(void)state;
	assert_int_equal(listener_slice(1800000004.9, 5), 1800000000);
	/* 5 s before the hour: only TICK_5 */
	due =
	    listener_ticks(1800000000.0 - 5 + 0.001, &last60, &last3600, when);
	assert_int_equal(due, LEV_BIT(LEV_TICK_5));
	assert_int_equal(when[0], 1800000000 - 5);
	/* on the hour: all three, each with the period's start */
	due = listener_ticks(1800000000.002, &last60, &last3600, when);
	assert_int_equal(due, LEV_ALL_TICK);
	assert_int_equal(when[0], 1800000000);
	assert_int_equal(when[1], 1800000000);
	assert_int_equal(when[2], 1800000000);
	/* the next 11 firings: TICK_5 only; the 12th: TICK_60 too */
	for (int i = 1; i < 12; i++) {
		due = listener_ticks(1800000000.0 + 5 * i, &last60, &last3600,
				     when);
		assert_int_equal(due, LEV_BIT(LEV_TICK_5));
		assert_int_equal(when[0], 1800000000 + 5 * i);
	}
	due = listener_ticks(1800000060.0, &last60, &last3600, when);
	assert_int_equal(due, LEV_BIT(LEV_TICK_5) | LEV_BIT(LEV_TICK_60));
	assert_int_equal(when[1], 1800000060);
	/* a late firing (a stalled loop) still gives one of each */
	due = listener_ticks(1800003600.0 + 7.5, &last60, &last3600, when);
	assert_int_equal(due, LEV_ALL_TICK);
	assert_int_equal(when[0], 1800003605);
	assert_int_equal(when[2], 1800003600);
}

/* The header line is the one childutils.get_headers() splits. */
static void
test_header(void **state)
{
	char buf[256];
	int n;

	(void)state;
	n = listener_header(buf, sizeof(buf), 7, "crashmail", 3,
			    "PROCESS_STATE_FATAL", 58);
	assert_string_equal(buf, "ver:3.0 server:supervisor serial:7 "
				 "pool:crashmail poolserial:3 "
				 "eventname:PROCESS_STATE_FATAL len:58\n");
	assert_int_equal(n, (int)strlen(buf));
}

/* READY, an event, RESULT 2 OK, READY again: the normal round. */
static void
test_round_trip(void **state)
{
	struct lp p;

	(void)state;
	lp_init(&p);
	assert_int_equal(p.state, LP_ACKNOWLEDGED);
	assert_int_equal(next(&p), LP_NONE);
	add(&p, "REA");
	assert_int_equal(next(&p), LP_NONE);
	add(&p, "DY\n");
	assert_int_equal(next(&p), LP_GOT_READY);
	assert_int_equal(p.state, LP_READY);
	lp_sent(&p);
	assert_int_equal(p.state, LP_BUSY);
	add(&p, "RESULT 2\nO");
	assert_int_equal(next(&p), LP_NONE);
	add(&p, "KREADY\n");
	assert_int_equal(next(&p), LP_GOT_OK);
	assert_int_equal(next(&p), LP_GOT_READY);
	assert_int_equal(next(&p), LP_NONE);
	/* FAIL, byte by byte */
	lp_sent(&p);
	for (const char *c = "RESULT 4\nFAIL"; *c != '\0'; c++) {
		assert_int_equal(next(&p), LP_NONE);
		assert_true(lp_add(&p, c, 1));
	}
	assert_int_equal(next(&p), LP_GOT_FAIL);
	assert_int_equal(p.state, LP_ACKNOWLEDGED);
	/* an empty result is a rejection too */
	add(&p, "READY\n");
	assert_int_equal(next(&p), LP_GOT_READY);
	lp_sent(&p);
	add(&p, "RESULT 0\n");
	assert_int_equal(next(&p), LP_GOT_FAIL);
}

/* What breaks the protocol, each into UNKNOWN, which then hears nothing. */
static void
test_violations(void **state)
{
	struct lp p;

	(void)state;
	/* not READY first */
	lp_init(&p);
	add(&p, "hello world\n");
	assert_int_equal(next(&p), LP_VIOLATION);
	assert_int_equal(p.state, LP_UNKNOWN);
	add(&p, "READY\n");
	assert_int_equal(next(&p), LP_NONE);

	/* writing while READY (a print() in the listener) */
	lp_init(&p);
	add(&p, "READY\n");
	assert_int_equal(next(&p), LP_GOT_READY);
	add(&p, "x");
	assert_int_equal(next(&p), LP_VIOLATION);

	/* a bad RESULT line */
	lp_init(&p);
	add(&p, "READY\n");
	assert_int_equal(next(&p), LP_GOT_READY);
	lp_sent(&p);
	add(&p, "RESULT two\n");
	assert_int_equal(next(&p), LP_VIOLATION);

	/* a negative or too large length */
	lp_init(&p);
	add(&p, "READY\n");
	(void)next(&p);
	lp_sent(&p);
	add(&p, "RESULT -1\n");
	assert_int_equal(next(&p), LP_VIOLATION);
	lp_init(&p);
	add(&p, "READY\n");
	(void)next(&p);
	lp_sent(&p);
	add(&p, "RESULT 99999\n");
	assert_int_equal(next(&p), LP_VIOLATION);

	/* a RESULT line that never ends */
	lp_init(&p);
	add(&p, "READY\n");
	(void)next(&p);
	lp_sent(&p);
	add(&p, "RESULT 0000000000000000000000000000000000000000000000");
	assert_int_equal(next(&p), LP_VIOLATION);

	/* a flood: more than the buffer holds */
	lp_init(&p);
	{
		char big[LP_BUF_MAX + 64];

		memset(big, 'x', sizeof(big));
		assert_false(lp_add(&p, big, sizeof(big)));
		assert_int_equal(p.state, LP_UNKNOWN);
		assert_int_equal(next(&p), LP_NONE);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_event_names),
	    cmocka_unit_test(test_transitions_map_to_supervisord_states),
	    cmocka_unit_test(test_ticks),
	    cmocka_unit_test(test_header),
	    cmocka_unit_test(test_round_trip),
	    cmocka_unit_test(test_violations),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
