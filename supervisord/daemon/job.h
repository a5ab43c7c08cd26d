/*
 * Replicated one-shot jobs: [job:NAME] run on request as N replicas; the
 * first to exit 0 answers, the others are cancelled.  See job.c.
 */
#ifndef STEWARD_JOB_H
#define STEWARD_JOB_H

#include <stdbool.h>
#include <stdint.h>

#include "core/steward-events.h"
#include "daemon/job-outcome.h"
#include "base/err.h"

struct steward;
struct ward_inst;
struct job_run;

/* Called once when a run has its outcome (the reply is built by it). */
typedef void job_done_fn(void *arg, struct job_run *run);

/*
 * Make a run of job name with replicas (0: the job's) and timeout_ms
 * (0: the job's), extra args appended to its command; job_launch()
 * starts it (done may be called from inside job_launch).  On failure
 * returns NULL with *code ("no_such_job", "busy", "usage",
 * "shutting_down") and a message in *errp.
 */
struct job_run *job_create(struct steward *s, const char *name,
			   unsigned replicas, int64_t timeout_ms, char **args,
			   size_t nargs, job_done_fn *done, void *arg,
			   const char **code, struct err **errp);
void job_launch(struct job_run *run);

/* A run's id. */
uint64_t job_run_id(const struct job_run *run);

/* The outcome of a run that is over (given to job_done_fn). */
enum job_outcome job_run_outcome(const struct job_run *run);

/*
 * The runs in flight, for a reader (the web page): the first one after
 * after (NULL: the first of all), its id in *idp and its replicas in
 * *rtp; NULL after the last.  Nothing may change between two calls.
 */
struct ward_rt;
struct job_run *job_next_active(struct steward *s, struct job_run *after,
				uint64_t *idp, struct ward_rt **rtp);

/* Cancel a run (client gone, stewardctl cancel, shutdown). */
void job_cancel(struct job_run *run, const char *why);

/* The run in flight with this id, or NULL. */
struct job_run *job_find(struct steward *s, uint64_t id);

/* Forget the done callback (the client is gone). */
void job_detach(struct job_run *run);

/* A replica changed state (from steward.c). */
void job_transition(struct job_run *run, struct ward_inst *wi);

/* The result document's fields: run, job, outcome, winner, output... */
void job_result_json(const struct job_run *run, struct sbuf *b);

/* The first reply of a run: its id and replicas. */
void job_started_json(const struct job_run *run, struct sbuf *b);

/* Runs in flight, for status: a JSON array. */
void job_status_json(struct steward *s, struct sbuf *b);

/* True while some replica of some run has a process. */
bool job_live(struct steward *s);

/* Free the runs that are over and whose replicas are all reaped. */
void job_settle(struct steward *s);

/* Cancel every run (stewardd is stopping). */
void job_cancel_all(struct steward *s, const char *why);

/* Free everything at exit. */
void job_teardown(struct steward *s);

/* fds the replicas of every run hold, by the budget (fdbudget.c). */
size_t job_fds(const struct steward *s);

/* What job runs hear of the core (steward-events.h): their replicas'
 * transitions and stdout, settles, shutdown; busy while runs end. */
extern const struct steward_events job_events;

#endif
