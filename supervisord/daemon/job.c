/*
 * Replicated one-shot jobs (the notes' "replicated requests").
 *
 * A run of [job:NAME] starts N replicas at once, each a process made by
 * the same machinery as a ward instance (ward-spawn.c, the state machine
 * of ward.h with restart = never, the heartbeat deadline when the job has
 * one): STEWARD_JOB, STEWARD_RUN and STEWARD_REPLICA tell them apart, and
 * each one's stdout is captured up to the job's output_limit.  The run's
 * replicas are the instances of a ward_rt of their own, which is not in
 * the steward's list of wards (status and start/stop do not see them),
 * though their pids are in the pid table like any other.
 *
 * The first replica to exit 0 wins (job-outcome.c decides, pure and
 * unit-tested): its output is the answer, sent at once, and every other
 * replica is cancelled (stop_signal to its group,
 * SIGKILL after stop_timeout) and reaped.  With no winner before the
 * run's timeout, or when every replica has failed, the caller gets one
 * wrapped error with a log id.  A run is cancelled when its client goes
 * away, by stewardctl cancel, or when stewardd stops.
 *
 * Records: run_started, the replicas' own transitions (with "run"),
 * run_replica_ended for each (its end and duration), run_finished (the
 * outcome, the winner or the error).  A run's memory is freed, from the
 * settle step of the loop (never inside a transition), once it is over
 * and every replica is reaped.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "ctl/ctl.h"
#include "core/fdbudget.h"
#include "daemon/job.h"
#include "daemon/job-outcome.h"
#include "daemon/metrics.h"
#include "base/parse.h"
#include "core/steward.h"
#include "core/tail.h"

/* A replica's end in words, with its last words (tail.c). */
#define JOB_END_MAX (160 + 4 * TAIL_WORDS_BYTES + 32)

enum run_state { RUN_ACTIVE, RUN_OVER };

struct job_run {
	uint64_t id;
	struct steward *s;
	struct ward_rt rt; /* the replicas */
	enum run_state state;
	enum job_outcome outcome; /* once the run is over */
	int winner;               /* the winning replica, or -1 */
	double started_at;
	double ended_at;
	double timeout; /* seconds */
	ev_timer deadline;
	job_done_fn *done;
	void *done_arg;
	struct err *error; /* why it failed, for the reply */
	uint64_t log_id;
	unsigned cancelled; /* replicas cancelled */
	bool brief;         /* the reply shows only the error's outer line */
	bool finished_logged;
	struct job_run *next;
};

/* A run's outcome; see job.h. */
enum job_outcome
job_run_outcome(const struct job_run *run)
{
	return run->outcome;
}

/* A run's id; see job.h. */
uint64_t
job_run_id(const struct job_run *run)
{
	return run->id;
}

/* The runs in flight, one after another; see job.h. */
struct job_run *
job_next_active(struct steward *s, struct job_run *after, uint64_t *idp,
		struct ward_rt **rtp)
{
	struct job_run *r = after != NULL ? after->next : s->runs;

	while (r != NULL && r->state != RUN_ACTIVE)
		r = r->next;
	if (r != NULL) {
		*idp = r->id;
		*rtp = &r->rt;
	}
	return r;
}

/* The run with this id; see job.h. */
struct job_run *
job_find(struct steward *s, uint64_t id)
{
	/* Only runs in flight: one that is over may still be reaping its
	 * replicas, but there is nothing left to cancel. */
	for (struct job_run *r = s->runs; r != NULL; r = r->next)
		if (r->id == id && r->state == RUN_ACTIVE)
			return r;
	return NULL;
}

/* Runs of a job in flight (not over). */
static unsigned
job_in_flight(struct steward *s, const char *name)
{
	unsigned n = 0;

	for (struct job_run *r = s->runs; r != NULL; r = r->next)
		if (r->state == RUN_ACTIVE &&
		    strcmp(r->rt.spec->name, name) == 0)
			n++;
	return n;
}

/* fds the replicas of every run hold; see job.h. */
size_t
job_fds(const struct steward *s)
{
	size_t n = 0;

	for (const struct job_run *r = s->runs; r != NULL; r = r->next)
		n += r->rt.ninst * fdbudget_inst(s, r->rt.spec, true);
	return n;
}

/* How a replica ended, in words, and what it said last when it failed. */
static void
job_replica_end(const struct ward_inst *wi, char *buf, size_t len)
{
	int st = wi->sm.exit_status;
	size_t n;
	char *words;

	if (wi->sm.exit_spawn_failed)
		snprintf(buf, len, "could not be started%s%s",
			 wi->last_errno ? ": " : "",
			 wi->last_errno ? strerror(wi->last_errno) : "");
	else if (wi->sm.cause == WCAUSE_HEARTBEAT_TIMEOUT ||
		 wi->sm.cause == WCAUSE_START_TIMEOUT)
		snprintf(buf, len, "stopped beating (%s)",
			 ward_cause_name(wi->sm.cause));
	else if (wi->sm.cause == WCAUSE_STOP || wi->sm.cause == WCAUSE_SHUTDOWN)
		snprintf(buf, len, "cancelled");
	else if (WIFEXITED(st))
		snprintf(buf, len, "exited with code %d", WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		snprintf(buf, len, "killed by signal %s",
			 parse_signal_name(WTERMSIG(st)));
	else
		snprintf(buf, len, "ended");
	if (wi->sm.exit_spawn_failed || wi->sm.cause == WCAUSE_STOP ||
	    wi->sm.cause == WCAUSE_SHUTDOWN ||
	    (WIFEXITED(st) && WEXITSTATUS(st) == 0) ||
	    (words = tail_last_words(wi)) == NULL)
		return;
	n = strlen(buf);
	snprintf(buf + n, len - n, " (last words: %s)", words);
	free(words);
}

/* Cancel every replica that still has a process. */
static void
job_cancel_replicas(struct job_run *run)
{
	char why[200];

	snprintf(why, sizeof(why),
		 "cancelled: run %llu of job \"%s\" is over (%s)",
		 (unsigned long long)job_run_id(run), run->rt.spec->name,
		 job_outcome_name(run->outcome));
	for (unsigned j = 0; j < run->rt.ninst; j++) {
		struct ward_inst *wi = run->rt.inst[j];

		if (ward_state_has_process(wi->sm.state)) {
			run->cancelled++;
			steward_step_why(run->s, wi, WEV_STOP, why);
		}
	}
}

/* Log run_finished: the outcome, the winner or the error. */
static void
job_log_finished(struct job_run *run)
{
	struct evlog_rec r;

	evlog_begin(&r, run->s->log,
		    run->outcome == JOB_SUCCESS ? EVLOG_INFO : EVLOG_WARN,
		    "run_finished");
	evlog_int(&r, "run", (long long)run->id);
	evlog_str(&r, "job", run->rt.spec->name);
	evlog_str(&r, "outcome", job_outcome_name(run->outcome));
	evlog_int(&r, "replicas", run->rt.ninst);
	if (run->winner >= 0) {
		const struct ward_inst *wi = run->rt.inst[run->winner];

		evlog_int(&r, "winner", run->winner);
		evlog_int(&r, "output_bytes", (long long)wi->capture.bytes);
		evlog_bool(&r, "output_truncated",
			   wi->capture.bytes > run->rt.spec->output_limit);
	}
	evlog_int(&r, "cancelled", run->cancelled);
	evlog_int(&r, "duration_ms",
		  llround((run->ended_at - run->started_at) * 1000));
	if (run->error != NULL)
		evlog_err(&r, run->log_id, run->error);
	evlog_commit(&r);
}

/* The run has its outcome: cancel the rest, answer, log. */
static void
job_finish(struct job_run *run, enum job_outcome outcome, struct err *e)
{
	if (run->state != RUN_ACTIVE) {
		err_free(e);
		return;
	}
	run->state = RUN_OVER;
	run->outcome = outcome;
	run->ended_at = steward_now();
	run->error = e;
	if (e != NULL)
		run->log_id = evlog_next_id(run->s->log);
	ev_timer_stop(run->s->loop, &run->deadline);
	job_cancel_replicas(run);
	job_log_finished(run);
	metrics_job_finished(run->s, run->rt.spec->name, outcome);
	if (run->done != NULL) {
		job_done_fn *done = run->done;

		run->done = NULL;
		done(run->done_arg, run);
	}
	run->s->settle_armed = true;
	ev_prepare_start(run->s->loop, &run->s->settle);
}

/* Every replica failed: one error that lists each one's cause. */
static struct err *
job_all_failed(struct job_run *run)
{
	const struct ward_spec *w = run->rt.spec;
	struct sbuf causes = {0};
	bool binaries = true;
	const struct ward_inst *first = run->rt.inst[0];
	struct err *e;

	for (unsigned j = 0; j < run->rt.ninst; j++) {
		const struct ward_inst *wi = run->rt.inst[j];
		char end[JOB_END_MAX];

		job_replica_end(wi, end, sizeof(end));
		sbuf_addf(&causes, "%s%u: %s", j ? "; " : "", j, end);
		if (!wi->sm.exit_spawn_failed ||
		    (wi->last_errno != ENOENT && wi->last_errno != EACCES &&
		     wi->last_errno != ENOEXEC))
			binaries = false;
	}
	if (binaries) {
		/* The seed's example: the low-level cause stays inside. */
		e = ERR_ERRNO(first->last_errno, "executing %s",
			      first->spawn_path ? first->spawn_path
						: w->argv[0]);
		err_set(e, "path", "%s",
			first->spawn_path ? first->spawn_path : w->argv[0]);
		e = ERR_WRAP(e, "starting %u replica%s", run->rt.ninst,
			     run->rt.ninst == 1 ? "" : "s");
		e = ERR_WRAP_P(e,
			       "cannot run job \"%s\": requisite binaries "
			       "not available",
			       w->name);
		err_set(e, "replicas", "%s", causes.s);
		/* The person sees this line; the log keeps the cause. */
		run->brief = true;
	} else {
		e = ERR_NEW("every replica failed: %s", causes.s);
		e = ERR_WRAP_P(e, "cannot run job \"%s\"", w->name);
	}
	err_set(e, "run", "%llu", (unsigned long long)run->id);
	sbuf_free(&causes);
	return e;
}

/* A replica changed state; see job.h. */
void
job_transition(struct job_run *run, struct ward_inst *wi)
{
	bool all_ended = true;
	char end[JOB_END_MAX];
	struct evlog_rec r;
	enum job_outcome o;

	if (job_outcome_replica(&wi->sm) == JOB_REPLICA_LIVE ||
	    wi->ended_at > 0)
		return;
	wi->ended_at = steward_now();
	job_replica_end(wi, end, sizeof(end));
	evlog_begin(&r, run->s->log, EVLOG_INFO, "run_replica_ended");
	evlog_int(&r, "run", (long long)run->id);
	evlog_str(&r, "job", run->rt.spec->name);
	evlog_int(&r, "replica", wi->replica);
	evlog_str(&r, "end", end);
	evlog_int(&r, "duration_ms",
		  llround((wi->ended_at - wi->sm.spawned_at) * 1000));
	evlog_commit(&r);

	for (unsigned j = 0; j < run->rt.ninst; j++)
		if (run->rt.inst[j]->ended_at == 0)
			all_ended = false;
	if (run->state == RUN_ACTIVE &&
	    job_outcome_run(job_outcome_replica(&wi->sm), all_ended, &o)) {
		if (o == JOB_SUCCESS)
			run->winner = (int)wi->replica;
		job_finish(run, o,
			   o == JOB_SUCCESS ? NULL : job_all_failed(run));
		if (o == JOB_SUCCESS)
			return;
	}
	if (run->state == RUN_OVER && all_ended) {
		run->s->settle_armed = true;
		ev_prepare_start(run->s->loop, &run->s->settle);
	}
}

/* The run's timeout passed with no winner. */
static void
job_deadline_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct job_run *run = container_of(t, struct job_run, deadline);
	char d[32];
	unsigned live = 0;
	struct err *e;

	(void)loop;
	(void)revents;
	for (unsigned j = 0; j < run->rt.ninst; j++)
		if (ward_state_has_process(run->rt.inst[j]->sm.state))
			live++;
	parse_format_duration(llround(run->timeout * 1000), d, sizeof(d));
	e = ERR_NEW("no replica succeeded within %s", d);
	run->brief = true;
	e = ERR_WRAP_P(e,
		       "job \"%s\" timed out after %s (%u replica%s "
		       "cancelled)",
		       run->rt.spec->name, d, live, live == 1 ? "" : "s");
	err_set(e, "run", "%llu", (unsigned long long)run->id);
	job_finish(run, JOB_TIMEOUT, e);
}

/* Cancel a run; see job.h. */
void
job_cancel(struct job_run *run, const char *why)
{
	struct err *e;

	if (run->state != RUN_ACTIVE)
		return;
	e = ERR_WRAP_P(ERR_NEW("%s", why),
		       "run %llu of job \"%s\" was "
		       "cancelled",
		       (unsigned long long)run->id, run->rt.spec->name);
	job_finish(run, JOB_CANCELLED, e);
}

/* Forget the done callback; see job.h. */
void
job_detach(struct job_run *run)
{
	run->done = NULL;
	run->done_arg = NULL;
}

/* Make a run; see job.h. */
struct job_run *
job_create(struct steward *s, const char *name, unsigned replicas,
	   int64_t timeout_ms, char **args, size_t nargs, job_done_fn *done,
	   void *arg, const char **code, struct err **errp)
{
	const struct ward_spec *w = config_job(s->cfg, name);
	struct job_run *run;
	struct evlog_rec r;
	size_t n = 0, need, used, shared;

	if (s->stopping) {
		*code = "shutting_down";
		*errp = ERR_NEW("stewardd is shutting down");
		return NULL;
	}
	if (w == NULL) {
		struct sbuf known = {0};

		for (size_t i = 0; i < s->cfg->njobs; i++)
			sbuf_addf(&known, "%s%s", i ? ", " : "",
				  s->cfg->jobs[i].name);
		*code = "no_such_job";
		*errp = ERR_NEW("no such job (known: %s)",
				known.s ? known.s : "none");
		sbuf_free(&known);
		return NULL;
	}
	if (job_in_flight(s, name) >= w->max_concurrent) {
		*code = "busy";
		*errp = ERR_NEW("%u runs are in flight (max_concurrent = %u); "
				"try again when one ends",
				w->max_concurrent, w->max_concurrent);
		return NULL;
	}
	if (replicas == 0)
		replicas = w->replicas;
	if (replicas > 1000) {
		*code = "usage";
		*errp = ERR_NEW("at most 1000 replicas a run");
		return NULL;
	}
	need = replicas * fdbudget_inst(s, w, true);
	used = job_fds(s) + (s->ctl != NULL ? ctl_nconns(s->ctl) : 0);
	shared = fdbudget_shared(s);
	if (need + used > shared) {
		/* The wards' reserve is not the runs' to take. */
		*code = "busy";
		*errp =
		    ERR_NEW("%u replicas need %zu file descriptors, but "
			    "only %zu are free beside the wards' reserve "
			    "(RLIMIT_NOFILE %zu); run fewer replicas or "
			    "try again when runs end",
			    replicas, need, shared > used ? shared - used : 0,
			    s->fds.limit);
		return NULL;
	}
	run = xcalloc(1, sizeof(*run));
	run->s = s;
	run->id = ++s->next_run_id;
	run->winner = -1;
	run->started_at = steward_now();
	run->timeout =
	    (double)(timeout_ms > 0 ? timeout_ms : w->timeout_ms) / 1000.0;
	run->done = done;
	run->done_arg = arg;
	run->rt.steward = s;
	run->rt.spec = w;
	run->rt.cfg = config_ref(s->cfg);
	run->rt.run = run;
	run->rt.run_id = run->id;
	run->rt.argv = xcalloc(w->argc + nargs + 1, sizeof(char *));
	for (size_t i = 0; i < w->argc; i++)
		run->rt.argv[n++] = xstrdup(w->argv[i]);
	for (size_t i = 0; i < nargs; i++)
		run->rt.argv[n++] = xstrdup(args[i]);
	run->rt.ninst = replicas;
	steward_dl_init(&run->rt);
	run->rt.inst = xcalloc(replicas, sizeof(*run->rt.inst));
	for (unsigned j = 0; j < replicas; j++)
		run->rt.inst[j] = steward_inst_new(s, &run->rt, j);
	run->next = s->runs;
	s->runs = run;

	evlog_begin(&r, s->log, EVLOG_INFO, "run_started");
	evlog_int(&r, "run", (long long)run->id);
	evlog_str(&r, "job", name);
	evlog_int(&r, "replicas", replicas);
	evlog_int(&r, "timeout_ms", llround(run->timeout * 1000));
	evlog_commit(&r);
	ev_timer_init(&run->deadline, job_deadline_cb, run->timeout, 0);
	return run;
}

/* Start the replicas; see job.h. */
void
job_launch(struct job_run *run)
{
	ev_timer_start(run->s->loop, &run->deadline);
	for (unsigned j = 0; j < run->rt.ninst && run->state == RUN_ACTIVE; j++)
		steward_step(run->s, run->rt.inst[j], WEV_START);
}

/* Append the base64 of len bytes. */
static void
job_base64(struct sbuf *b, const unsigned char *p, size_t len)
{
	static const char tab[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

	for (size_t i = 0; i < len; i += 3) {
		unsigned v = (unsigned)p[i] << 16;
		char q[4];

		if (i + 1 < len)
			v |= (unsigned)p[i + 1] << 8;
		if (i + 2 < len)
			v |= p[i + 2];
		q[0] = tab[(v >> 18) & 63];
		q[1] = tab[(v >> 12) & 63];
		q[2] = i + 1 < len ? tab[(v >> 6) & 63] : '=';
		q[3] = i + 2 < len ? tab[v & 63] : '=';
		sbuf_add(b, q, 4);
	}
}

/* The first reply of a run; see job.h. */
void
job_started_json(const struct job_run *run, struct sbuf *b)
{
	sbuf_addf(b, "\"run\":%llu,\"job\":", (unsigned long long)run->id);
	sbuf_add_json(b, run->rt.spec->name);
	sbuf_addf(b,
		  ",\"replicas\":%u,\"timeout_ms\":%lld,\"state\":"
		  "\"started\"",
		  run->rt.ninst, llround(run->timeout * 1000));
}

/* The result's fields; see job.h. */
void
job_result_json(const struct job_run *run, struct sbuf *b)
{
	sbuf_addf(b, "\"run\":%llu,\"job\":", (unsigned long long)run->id);
	sbuf_add_json(b, run->rt.spec->name);
	sbuf_addf(b, ",\"outcome\":\"%s\",\"duration_ms\":%lld",
		  job_outcome_name(run->outcome),
		  llround((run->ended_at - run->started_at) * 1000));
	if (run->winner >= 0) {
		const struct ward_inst *wi = run->rt.inst[run->winner];
		uint64_t limit = run->rt.spec->output_limit;

		sbuf_addf(b,
			  ",\"winner\":%d,\"exit_code\":0,"
			  "\"output_bytes\":%llu,\"output_limit\":%llu,"
			  "\"output_truncated\":%s,\"output_b64\":\"",
			  run->winner, (unsigned long long)wi->capture.bytes,
			  (unsigned long long)limit,
			  wi->capture.bytes > limit ? "true" : "false");
		job_base64(b, (const unsigned char *)wi->capture.buf.s,
			   wi->capture.buf.len);
		sbuf_add(b, "\"", 1);
	}
	sbuf_addf(b, ",\"cancelled\":%u,\"replica_ends\":[", run->cancelled);
	for (unsigned j = 0; j < run->rt.ninst; j++) {
		char end[JOB_END_MAX];

		if (run->rt.inst[j]->ended_at > 0)
			job_replica_end(run->rt.inst[j], end, sizeof(end));
		else
			snprintf(end, sizeof(end), "being cancelled");
		if (j > 0)
			sbuf_add(b, ",", 1);
		sbuf_add_json(b, end);
	}
	sbuf_add(b, "]", 1);
	if (run->error != NULL) {
		char *msg = run->brief ? xstrdup(run->error->msg)
				       : err_person_message(run->error);

		sbuf_add(b, ",\"error\":", 9);
		sbuf_add_json(b, msg);
		sbuf_addf(b, ",\"log_id\":%llu",
			  (unsigned long long)run->log_id);
		free(msg);
	}
}

/* Runs in flight, for status; see job.h. */
void
job_status_json(struct steward *s, struct sbuf *b)
{
	double now = steward_now();
	bool first = true;

	sbuf_add(b, "[", 1);
	for (struct job_run *r = s->runs; r != NULL; r = r->next) {
		unsigned live = 0;

		if (r->state != RUN_ACTIVE)
			continue;
		for (unsigned j = 0; j < r->rt.ninst; j++)
			if (ward_state_has_process(r->rt.inst[j]->sm.state))
				live++;
		sbuf_addf(b, "%s{\"run\":%llu,\"job\":", first ? "" : ",",
			  (unsigned long long)r->id);
		sbuf_add_json(b, r->rt.spec->name);
		sbuf_addf(b,
			  ",\"replicas\":%u,\"live\":%u,\"elapsed_ms\":%lld,"
			  "\"timeout_ms\":%lld}",
			  r->rt.ninst, live,
			  llround((now - r->started_at) * 1000),
			  llround(r->timeout * 1000));
		first = false;
	}
	sbuf_add(b, "]", 1);
}

/* True while some replica has a process; see job.h. */
bool
job_live(struct steward *s)
{
	for (struct job_run *r = s->runs; r != NULL; r = r->next)
		if (steward_ward_live(&r->rt))
			return true;
	return false;
}

/* Free a run that is over and reaped. */
static void
job_free(struct steward *s, struct job_run *run)
{
	for (unsigned j = 0; j < run->rt.ninst; j++)
		steward_inst_free(s, run->rt.inst[j]);
	steward_cgroup_ward_free(s, &run->rt);
	steward_dl_fini(s, &run->rt);
	free(run->rt.inst);
	for (char **a = run->rt.argv; *a != NULL; a++)
		free(*a);
	free(run->rt.argv);
	config_unref(run->rt.cfg);
	ev_timer_stop(s->loop, &run->deadline);
	err_free(run->error);
	free(run);
}

/* Free the runs that are over and reaped; see job.h. */
void
job_settle(struct steward *s)
{
	for (struct job_run **p = &s->runs; *p != NULL;) {
		struct job_run *run = *p;

		if (run->state == RUN_OVER && !steward_ward_live(&run->rt)) {
			*p = run->next;
			job_free(s, run);
			continue;
		}
		if (run->state == RUN_OVER) {
			s->settle_armed = true;
			ev_prepare_start(s->loop, &s->settle);
		}
		p = &run->next;
	}
}

/* Cancel every run; see job.h. */
void
job_cancel_all(struct steward *s, const char *why)
{
	for (struct job_run *r = s->runs; r != NULL; r = r->next)
		job_cancel(r, why);
}

/* Free everything at exit; see job.h. */
void
job_teardown(struct steward *s)
{
	while (s->runs != NULL) {
		struct job_run *run = s->runs;

		s->runs = run->next;
		job_free(s, run);
	}
}

/* The core's events job runs hear; see job.h. */
static void
job_ev_transition(void *ctx, struct steward *s, struct ward_inst *wi,
		  const struct ward_out *out, const struct ward_input *in)
{
	if (wi->ward->run != NULL)
		job_transition(wi->ward->run, wi);
}

/* A replica's stdout is the run's answer: a pipe for it. */
static unsigned
job_ev_spawn_pipes(void *ctx, struct steward *s, struct ward_inst *wi)
{
	return wi->ward->run != NULL ? STEWARD_PIPE_STDOUT : 0;
}

static void
job_ev_spawned(void *ctx, struct steward *s, struct ward_inst *wi,
	       struct steward_pipes *p)
{
	if (wi->ward->run != NULL && p->stdout_r >= 0) {
		ward_capture_start(s, wi, p->stdout_r);
		p->stdout_r = -1;
	}
}

static void
job_ev_settle(void *ctx, struct steward *s)
{
	job_settle(s);
}

static void
job_ev_shutdown(void *ctx, struct steward *s)
{
	job_cancel_all(s, "stewardd is shutting down");
}

static bool
job_ev_busy(void *ctx, struct steward *s)
{
	return job_live(s);
}

const struct steward_events job_events = {
    .transition = job_ev_transition,
    .spawn_pipes = job_ev_spawn_pipes,
    .spawned = job_ev_spawned,
    .settle = job_ev_settle,
    .shutdown = job_ev_shutdown,
    .busy = job_ev_busy,
};
