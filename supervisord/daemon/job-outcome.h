/*
 * A job run's outcome, decided with no system calls (job-outcome.c):
 * how each replica ended, and what that makes of the run.  job.c carries
 * the decisions out (cancels, answers, logs); tests/unit/test-job-outcome.c
 * drives replicas through the state machine with a clock that moves only
 * when the test says.
 */
#ifndef STEWARD_JOB_OUTCOME_H
#define STEWARD_JOB_OUTCOME_H

#include <stdbool.h>

#include "core/ward.h"

/* A run's outcome: its result's "outcome" field, a metric's label. */
enum job_outcome {
	JOB_SUCCESS,   /* a replica exited 0 */
	JOB_FAILED,    /* every replica ended and none exited 0 */
	JOB_TIMEOUT,   /* none succeeded within the run's timeout */
	JOB_CANCELLED, /* the client, stewardctl cancel or stewardd's stop */
};
#define JOB_NOUTCOMES (JOB_CANCELLED + 1)

/* How one replica stands. */
enum job_replica {
	JOB_REPLICA_LIVE,      /* it has a process, or will */
	JOB_REPLICA_WON,       /* it exited 0 by itself: its output answers */
	JOB_REPLICA_LOST,      /* it ended otherwise: failed, hung, killed */
	JOB_REPLICA_CANCELLED, /* stopped by its run or by stewardd */
};

/* "success", "failed", "timeout", "cancelled". */
const char *job_outcome_name(enum job_outcome o);

/* How the replica whose machine is sm stands. */
enum job_replica job_outcome_replica(const struct ward_sm *sm);

/*
 * A replica of an active run ended as r; all_ended: every replica of the
 * run has.  Sets *o and returns true when the run now has its outcome
 * (the first winner: success; all ended with none: failed).
 */
bool job_outcome_run(enum job_replica r, bool all_ended, enum job_outcome *o);

#endif
