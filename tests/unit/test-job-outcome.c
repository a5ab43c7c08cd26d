/*
 * Unit tests for a job run's outcome (supervisord/daemon/job-outcome.c).
 *
 * Each replica is driven by the real state machine (ward.c) with the
 * policy a job's replicas have (restart = never) and a clock that moves
 * only when the test says; then the replica's standing and the run's
 * outcome are checked.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "daemon/job-outcome.h"

/* A replica: restart = never, no heartbeat, up after 1 s. */
static const struct ward_policy pol = {
    .heartbeat = WARD_HB_NONE,
    .restart = WARD_RESTART_NEVER,
    .start_timeout = 1,
    .stop_timeout = 5,
    .backoff_min = 1,
    .backoff_max = 8,
    .limit_burst = 3,
    .limit_period = 60,
    .start_retries = -1,
};

/* Feed one input to a replica's machine. */
static void
feed(struct ward_sm *sm, struct ward_input in)
{
	struct ward_out out;

	in.u = 0.5;
	ward_step(sm, &pol, &in, &out);
}

/* A replica started at t = 10. */
static void
started(struct ward_sm *sm)
{
	ward_sm_init(sm, &pol, 10);
	feed(sm, (struct ward_input){.event = WEV_START, .now = 10});
}

/* The first replica to exit 0 wins the run. */
static void
test_exit_zero_wins(void **state)
{
	struct ward_sm sm;
	enum job_outcome o = JOB_CANCELLED;

	(void)state;
	started(&sm);
	assert_int_equal(job_outcome_replica(&sm), JOB_REPLICA_LIVE);
	feed(&sm, (struct ward_input){.event = WEV_TIMER, .now = 11});
	assert_int_equal(job_outcome_replica(&sm), JOB_REPLICA_LIVE);
	feed(&sm, (struct ward_input){.event = WEV_EXIT,
				      .now = 12,
				      .status = W_EXITCODE(0, 0)});
	assert_int_equal(sm.state, WARD_EXITED);
	assert_int_equal(job_outcome_replica(&sm), JOB_REPLICA_WON);
	assert_true(job_outcome_run(JOB_REPLICA_WON, false, &o));
	assert_int_equal(o, JOB_SUCCESS);
}

/* Exits that lose: a code, a signal, a failed exec, a hang. */
static void
test_other_ends_lose(void **state)
{
	struct ward_sm sm;

	(void)state;
	started(&sm);
	feed(&sm, (struct ward_input){.event = WEV_EXIT,
				      .now = 12,
				      .status = W_EXITCODE(3, 0)});
	assert_int_equal(job_outcome_replica(&sm), JOB_REPLICA_LOST);

	started(&sm);
	feed(&sm, (struct ward_input){.event = WEV_EXIT,
				      .now = 12,
				      .status = W_EXITCODE(0, SIGKILL)});
	assert_int_equal(job_outcome_replica(&sm), JOB_REPLICA_LOST);

	started(&sm);
	feed(&sm, (struct ward_input){.event = WEV_EXIT,
				      .now = 10.25,
				      .status = W_EXITCODE(127, 0),
				      .spawn_failed = true});
	assert_int_equal(job_outcome_replica(&sm), JOB_REPLICA_LOST);

	/* No process at all: lost, never retried. */
	started(&sm);
	feed(&sm, (struct ward_input){.event = WEV_SPAWN_ERROR, .now = 10});
	assert_int_equal(sm.state, WARD_EXITED);
	assert_int_equal(job_outcome_replica(&sm), JOB_REPLICA_LOST);
}

/* Stopped as hung, it loses even when it then exits 0. */
static void
test_exit_zero_after_a_hang_loses(void **state)
{
	struct ward_policy beating = pol;
	struct ward_out out;
	struct ward_sm sm;
	struct ward_input in = {.event = WEV_START, .now = 10};

	(void)state;
	beating.heartbeat = WARD_HB_PIPE;
	beating.watchdog = true;
	beating.heartbeat_timeout = 2;
	ward_sm_init(&sm, &beating, 10);
	ward_step(&sm, &beating, &in, &out);
	in = (struct ward_input){.event = WEV_TIMER, .now = 11};
	ward_step(&sm, &beating, &in, &out); /* no first beat: stopping */
	assert_int_equal(sm.state, WARD_STOPPING);
	assert_int_equal(job_outcome_replica(&sm), JOB_REPLICA_LIVE);
	in = (struct ward_input){
	    .event = WEV_EXIT, .now = 11.5, .status = W_EXITCODE(0, 0)};
	ward_step(&sm, &beating, &in, &out);
	assert_int_equal(sm.cause, WCAUSE_START_TIMEOUT);
	assert_int_equal(job_outcome_replica(&sm), JOB_REPLICA_LOST);
}

/* Cancelled by its run (a stop) or by stewardd: cancelled, even at 0. */
static void
test_stopped_replicas_are_cancelled(void **state)
{
	struct ward_sm sm;
	enum ward_event orders[] = {WEV_STOP, WEV_SHUTDOWN};

	(void)state;
	for (size_t i = 0; i < 2; i++) {
		started(&sm);
		feed(&sm, (struct ward_input){.event = orders[i], .now = 11});
		feed(&sm, (struct ward_input){.event = WEV_EXIT,
					      .now = 11.5,
					      .status = W_EXITCODE(0, 0)});
		assert_int_equal(sm.state, WARD_STOPPED);
		assert_int_equal(job_outcome_replica(&sm),
				 JOB_REPLICA_CANCELLED);
	}
}

/* The run fails only once every replica has ended with no winner. */
static void
test_run_fails_when_all_ended(void **state)
{
	enum job_outcome o = JOB_SUCCESS;

	(void)state;
	assert_false(job_outcome_run(JOB_REPLICA_LOST, false, &o));
	assert_false(job_outcome_run(JOB_REPLICA_CANCELLED, false, &o));
	assert_int_equal(o, JOB_SUCCESS); /* untouched */
	assert_true(job_outcome_run(JOB_REPLICA_LOST, true, &o));
	assert_int_equal(o, JOB_FAILED);
	assert_true(job_outcome_run(JOB_REPLICA_WON, true, &o));
	assert_int_equal(o, JOB_SUCCESS);
}

/* The names the result, the log and the metrics use. */
static void
test_outcome_names(void **state)
{
	(void)state;
	assert_string_equal(job_outcome_name(JOB_SUCCESS), "success");
	assert_string_equal(job_outcome_name(JOB_FAILED), "failed");
	assert_string_equal(job_outcome_name(JOB_TIMEOUT), "timeout");
	assert_string_equal(job_outcome_name(JOB_CANCELLED), "cancelled");
	assert_string_equal(job_outcome_name((enum job_outcome)9), "unknown");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_exit_zero_wins),
	    cmocka_unit_test(test_other_ends_lose),
	    cmocka_unit_test(test_exit_zero_after_a_hang_loses),
	    cmocka_unit_test(test_stopped_replicas_are_cancelled),
	    cmocka_unit_test(test_run_fails_when_all_ended),
	    cmocka_unit_test(test_outcome_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
