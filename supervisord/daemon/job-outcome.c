/*
 * A job run's outcome (the design is in job.c; the decisions here).
 *
 * The first replica to exit 0 by itself wins the run.  Exiting 0 after
 * the run stopped it (cancelled), or after a heartbeat or start deadline
 * passed (it was stopped as hung), does not win: the replica did not
 * finish its work in the way the job promised.  A run with no winner
 * fails once every replica has ended; its timeout and cancels are
 * decided by job.c's deadline and requests, not by a replica.
 */
#include <stddef.h>
#include <sys/wait.h>

#include "daemon/job-outcome.h"

/* See job-outcome.h. */
const char *
job_outcome_name(enum job_outcome o)
{
	static const char *const names[JOB_NOUTCOMES] = {
	    [JOB_SUCCESS] = "success",
	    [JOB_FAILED] = "failed",
	    [JOB_TIMEOUT] = "timeout",
	    [JOB_CANCELLED] = "cancelled",
	};

	return (unsigned)o < JOB_NOUTCOMES ? names[o] : "unknown";
}

/* See job-outcome.h. */
enum job_replica
job_outcome_replica(const struct ward_sm *sm)
{
	if (ward_state_has_process(sm->state))
		return JOB_REPLICA_LIVE;
	if (sm->exit_spawn_failed)
		return JOB_REPLICA_LOST;
	if (sm->cause == WCAUSE_STOP || sm->cause == WCAUSE_SHUTDOWN)
		return JOB_REPLICA_CANCELLED;
	if (sm->cause == WCAUSE_HEARTBEAT_TIMEOUT ||
	    sm->cause == WCAUSE_START_TIMEOUT)
		return JOB_REPLICA_LOST;
	if (WIFEXITED(sm->exit_status) && WEXITSTATUS(sm->exit_status) == 0)
		return JOB_REPLICA_WON;
	return JOB_REPLICA_LOST;
}

/* See job-outcome.h. */
bool
job_outcome_run(enum job_replica r, bool all_ended, enum job_outcome *o)
{
	if (r == JOB_REPLICA_WON) {
		*o = JOB_SUCCESS;
		return true;
	}
	if (all_ended) {
		*o = JOB_FAILED;
		return true;
	}
	return false;
}
