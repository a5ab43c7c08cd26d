/*
 * The steward: one libev loop that runs every ward instance.
 *
 * The core performs what the state machine (ward.c) decides; it is in
 * files by concern: steward-apply.c carries out a transition's actions,
 * steward-report.c words its record, steward-deadline.c keeps the
 * timers, steward-reap.c reaps and signals, ward-spawn.c spawns,
 * ward-beat.c and ward-notify.c hear beats.  This file holds the loop
 * itself: its clock, its signals, the wards' lifetimes, and shutdown.
 *
 * Stopping.  SIGTERM or SIGINT stops every instance (stop_signal, then
 * SIGKILL after stop_timeout), waits until all are reaped, sends SIGKILL
 * to any remaining child of stewardd (orphans that left their group:
 * they cannot be recycled pids while unreaped), and exits 0.  A second
 * SIGTERM or SIGINT sends SIGKILL to every group at once.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/log.h"
#include "base/parse.h"
#include "core/steward-internal.h"
#include "core/steward.h"
#include "core/output-sink.h"
#include "core/tail.h"

extern char **environ;

/* Monotonic seconds; see steward.h. */
double
steward_now(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
		abort(); /* CLOCK_MONOTONIC always exists on Linux */
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * A beat is stamped when it is read, so that beats which waited in a
 * pipe while the loop was stalled keep a healthy ward alive.  What that
 * stamp may hide is bounded here.  A byte written while the loop waits
 * in its poll wakes it at once; one written while the loop runs its
 * callbacks waits until the next poll, and all of it is read in the
 * next iteration at the latest.  So a beat read now was written after
 * the previous iteration's poll returned: it may have waited that
 * iteration's busy time plus this one's so far.  When stewardd was
 * stopped (SIGSTOP, then SIGCONT) the poll itself may hide the wait,
 * and the whole time since the previous iteration's poll returned
 * counts.  SIGCONT is caught for this alone (a flag, no other effect).
 */
static volatile sig_atomic_t steward_continued;

static void
steward_on_sigcont(int sig)
{
	(void)sig;
	steward_continued = 1;
}

/* See steward.h. */
double
steward_beat_doubt(const struct steward *s, double now)
{
	double d = s->doubt_extra + (now - s->woke_at);

	/* Before the loop runs nothing waits on it. */
	return s->woke_at > 0 && d > 0 ? d : 0;
}

/* First after each poll (the highest priority; libev runs checks first). */
static void
steward_woke_cb(struct ev_loop *loop, ev_check *w, int revents)
{
	struct steward *s = container_of(w, struct steward, woke);
	double now = steward_now();

	(void)loop;
	(void)revents;
	if (steward_continued) {
		steward_continued = 0;
		s->doubt_extra = now - s->woke_at; /* since the last wake */
	} else {
		s->doubt_extra = s->listen_at - s->woke_at; /* its busy time */
	}
	s->woke_at = now;
}

/* True when the instance has a process; see steward.h. */
bool
steward_inst_live(const struct ward_inst *wi)
{
	return ward_state_has_process(wi->sm.state) || wi->pid > 0 ||
	       wi->cg.linger;
}

/* True while the main process runs with a pid; see steward.h. */
bool
steward_inst_has_pid(const struct ward_inst *wi)
{
	return ward_state_has_process(wi->sm.state) && wi->pid > 0;
}

/* True when some instance of the ward is live; see steward.h. */
bool
steward_ward_live(const struct ward_rt *wr)
{
	return wr->nlive > 0;
}

/* Move the instance's count by d (+1 or -1): its ward's, and stewardd's
 * for a ward of the config (a job run's replicas are the busy hook's). */
static void
steward_live_add(struct steward *s, struct ward_inst *wi, int d)
{
	struct ward_rt *wr = wi->ward;

	wr->nlive = (unsigned)((int)wr->nlive + d);
	if (wr->run != NULL)
		return;
	s->nlive = (size_t)((long)s->nlive + d);
	if (wr->shut)
		s->nlive_shut = (size_t)((long)s->nlive_shut + d);
}

/*
 * The live counts; see steward-internal.h.  A shutdown of 10,000 asked
 * "is anything still live?" after every death, by a pass over every
 * instance: quadratic.  The counts make each question O(1); they change
 * only here, where the instance's own answer changed.
 */
void
steward_inst_recount(struct steward *s, struct ward_inst *wi)
{
	bool live = steward_inst_live(wi);

	if (live == wi->live_counted)
		return;
	wi->live_counted = live;
	steward_live_add(s, wi, live ? 1 : -1);
}

/*
 * Shutdown goes in order: a ward stops only once the wards that require
 * it or come after it are down; among those that may stop, the highest
 * priority goes first, and the next level waits until it has no process.
 * Returns false when every ward was reached.
 */
static bool
steward_shutdown_next(struct steward *s)
{
	int level = INT_MIN;
	bool any = false;

	for (size_t i = 0; i < s->nwards; i++) {
		struct ward_rt *wr = s->wards[i];

		if (!wr->shut && steward_order_may_stop(s, wr) &&
		    wr->spec->priority >= level) {
			level = wr->spec->priority;
			any = true;
		}
	}
	if (!any)
		return false;
	for (size_t i = 0; i < s->nwards; i++) {
		struct ward_rt *wr = s->wards[i];

		if (wr->shut || wr->spec->priority != level ||
		    !steward_order_may_stop(s, wr))
			continue;
		wr->shut = true;
		s->nlive_shut += wr->nlive;
		/* In slices: a level may hold 10,000 (steward-pace.c). */
		for (unsigned j = 0; j < wr->ninst; j++)
			steward_pace_shutdown(s, wr->inst[j]);
	}
	return true;
}

/*
 * The counts say nothing is live: once, before the loop ends on their
 * word, every instance is asked itself (O(instances), once).  A count
 * that went wrong would end stewardd with a ward running: say so and
 * count again instead.  True if one was wrong.
 */
static bool
steward_live_wrong(struct steward *s)
{
	size_t live = 0;

	for (size_t i = 0; i < s->nwards; i++)
		for (unsigned j = 0; j < s->wards[i]->ninst; j++)
			if (steward_inst_live(s->wards[i]->inst[j]))
				live++;
	if (live == 0)
		return false;
	log_warnx("internal error: %zu instance%s live, counted as none; "
		  "counting again",
		  live, live == 1 ? " is" : "s are");
	for (size_t i = 0; i < s->nwards; i++)
		for (unsigned j = 0; j < s->wards[i]->ninst; j++)
			steward_inst_recount(s, s->wards[i]->inst[j]);
	return true;
}

/*
 * While stopping: once no instance has a process, end the loop.  Called
 * after every death: O(1) while the level the shutdown has reached still
 * has a process (the counts), O(wards) once per level.
 */
void
steward_check_done(struct steward *s)
{
	do {
		if (s->nlive_shut > 0)
			return;
	} while (steward_shutdown_next(s));
	if (s->nlive > 0 || steward_live_wrong(s))
		return;
	if (steward_tell_busy(s))
		return; /* job runs still ending, say */
	/* The guard has nothing left to cover: it is no orphan to kill. */
	guard_stop(&s->guard);
	steward_kill_orphans(s);
	ev_break(s->loop, EVBREAK_ALL);
}

/* SIGTERM or SIGINT: stop every ward, then exit. */
static void
steward_signal_stop(struct ev_loop *loop, ev_signal *w, int revents)
{
	struct steward *s = w->data;
	struct evlog_rec r;

	(void)loop;
	(void)revents;
	if (s->stopping) {
		/* Asked twice: no more grace. */
		evlog_begin(&r, s->log, EVLOG_WARN, "shutdown_forced");
		evlog_str(&r, "signal", parse_signal_name(w->signum));
		evlog_str(&r, "reason",
			  "asked to stop again: sending KILL to "
			  "every ward's process group");
		evlog_commit(&r);
		for (size_t i = 0; i < s->nwards; i++)
			for (unsigned j = 0; j < s->wards[i]->ninst; j++) {
				steward_kill(s, s->wards[i]->inst[j], SIGKILL);
				steward_cgroup_kill(s, s->wards[i]->inst[j]);
			}
		return;
	}
	evlog_begin(&r, s->log, EVLOG_INFO, "shutdown");
	evlog_str(&r, "signal", parse_signal_name(w->signum));
	evlog_str(&r, "reason", "stopping every ward, then exiting");
	evlog_commit(&r);
	if (!s->log_is_stderr)
		log_line("%-12s %-8s stopping every ward (%s)", "stewardd",
			 "shutdown", parse_signal_name(w->signum));
	steward_shutdown(s);
}

/* Stop every ward in order, then end the loop; see steward.h. */
void
steward_shutdown(struct steward *s)
{
	if (s->stopping)
		return;
	s->stopping = true;
	ev_timer_stop(s->loop, &s->hup);
	/* Eventlisteners, job runs, the supervisor above hear it. */
	steward_tell_shutdown(s);
	/* Nothing restarts from now on; live wards stop in order. */
	for (size_t i = 0; i < s->nwards; i++) {
		s->wards[i]->want_start = false;
		for (unsigned j = 0; j < s->wards[i]->ninst; j++) {
			struct ward_inst *wi = s->wards[i]->inst[j];

			if (wi->want_start || wi->want_stop)
				s->nwaiting--;
			wi->want_start = false;
			wi->want_stop = false;
			if (!ward_state_has_process(
				s->wards[i]->inst[j]->sm.state))
				steward_step(s, s->wards[i]->inst[j],
					     WEV_SHUTDOWN);
		}
	}
	steward_check_done(s);
}

/* Reopen the event log and the ward log files; see steward.h. */
size_t
steward_reopen_logs(struct steward *s, const char *why)
{
	struct err *e = NULL;
	struct evlog_rec r;
	size_t n = output_sink_reopen_all(s);

	if (evlog_reopen(s->log, &e) == -1) {
		e = ERR_WRAP_P(e, "cannot reopen the event log %s",
			       s->cfg->event_log);
		evlog_begin(&r, s->log, EVLOG_ERROR, "event_log_reopen_failed");
		evlog_err(&r, evlog_next_id(s->log), e);
		evlog_commit(&r);
		err_free(e);
	} else {
		evlog_begin(&r, s->log, EVLOG_INFO, "event_log_reopened");
		evlog_str(&r, "reason", why);
		evlog_int(&r, "output_files", (long long)n);
		evlog_commit(&r);
	}
	return n;
}

/* SIGUSR1: reopen the event log and the ward log files (rotation). */
static void
steward_signal_reopen(struct ev_loop *loop, ev_signal *w, int revents)
{
	(void)loop;
	(void)revents;
	(void)steward_reopen_logs(w->data, "SIGUSR1");
}

/* SIGHUP: reload, after a moment, so that a storm of them is one. */
static void
steward_signal_hup(struct ev_loop *loop, ev_signal *w, int revents)
{
	struct steward *s = w->data;

	(void)revents;
	if (!s->stopping && !ev_is_active(&s->hup)) {
		ev_timer_set(&s->hup, 0.05, 0);
		ev_timer_start(loop, &s->hup);
	}
}

/* The SIGHUP moment passed: reload once. */
static void
steward_hup_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct steward *s = container_of(t, struct steward, hup);

	(void)loop;
	(void)revents;
	steward_tell_reload(s, "SIGHUP");
}

/* Only there so the poll does not sleep while a settle has more to do. */
static void
steward_settle_more_cb(struct ev_loop *loop, ev_idle *w, int revents)
{
	(void)loop;
	(void)w;
	(void)revents;
}

/* Before the loop waits: finish what reloads began. */
static void
steward_settle_cb(struct ev_loop *loop, ev_prepare *w, int revents)
{
	struct steward *s = container_of(w, struct steward, settle);

	(void)loop;
	(void)revents;
	steward_tell_settle(s); /* reloads, job runs, dependencies */
}

/* Start watching one signal. */
/*
 * Before the loop sleeps, last of the prepare watchers (the lowest
 * priority; the others may log): write the records and the readable
 * lines this turn held (evlog.c, log_hold()), after whatever restart it
 * started.
 */
static void
steward_flush_cb(struct ev_loop *loop, ev_prepare *w, int revents)
{
	struct steward *s = container_of(w, struct steward, flush);

	(void)loop;
	(void)revents;
	evlog_sync(s->log);
	log_flush();
	s->listen_at = steward_now(); /* the poll begins */
}

static void
steward_watch_signal(struct steward *s, ev_signal *w,
		     void (*cb)(struct ev_loop *, ev_signal *, int), int sig)
{
	ev_signal_init(w, cb, sig);
	w->data = s;
	ev_signal_start(s->loop, w);
}

/* A new stopped instance; see steward.h. */
struct ward_inst *
steward_inst_new(struct steward *s, struct ward_rt *wr, unsigned r)
{
	struct ward_inst *wi = xcalloc(1, sizeof(*wi));

	wi->ward = wr;
	wi->replica = r;
	wi->beat.fd = -1;
	wi->err_fd = -1;
	wi->notify.fd = -1;
	wi->capture.fd = -1;
	ward_output_init(wi);
	wi->cg.fd = -1;
	wi->cg.wd = -1;
	wi->state_since = steward_now();
	snprintf(wi->label, sizeof(wi->label), "%.64s:%u", wr->spec->name, r);
	ward_sm_init(&wi->sm, &wr->spec->pol, wi->state_since);
	ev_init(&wi->timer, steward_timer_cb);
	return wi;
}

/* Free an instance with no process; see steward.h. */
void
steward_inst_free(struct steward *s, struct ward_inst *wi)
{
	if (wi->live_counted) {
		/* Freed with a process (cannot happen): not counted on. */
		wi->live_counted = false;
		steward_live_add(s, wi, -1);
	}
	steward_tell_inst_free(s, wi);
	steward_pace_cancel(s, wi);
	ev_timer_stop(s->loop, &wi->timer);
	steward_dl_remove(wi);
	ward_spawn_close(s, wi);
	ward_beat_close(s, wi);
	ward_notify_close(s, wi);
	ward_capture_close(s, wi);
	ward_output_free(s, wi);
	steward_cgroup_inst_free(s, wi);
	tail_inst_free(wi);
	sbuf_free(&wi->capture.buf);
	if (wi->sm.state == WARD_STARTING)
		s->nstarting--;
	if (wi->want_start || wi->want_stop)
		s->nwaiting--;
	free(wi->notify.path);
	free(wi->spawn_path);
	free(wi->work);
	free(wi->status);
	free(wi->last_reason);
	free(wi->order_why);
	free(wi);
}

/* A new ward with its instances; see steward.h. */
struct ward_rt *
steward_ward_new(struct steward *s, const struct ward_spec *spec,
		 struct config *cfg)
{
	struct ward_rt *wr = xcalloc(1, sizeof(*wr));

	wr->steward = s;
	wr->spec = spec;
	wr->cfg = config_ref(cfg);
	wr->ninst = spec->replicas;
	wr->inst = xcalloc(wr->ninst, sizeof(*wr->inst));
	for (unsigned j = 0; j < wr->ninst; j++)
		wr->inst[j] = steward_inst_new(s, wr, j);
	steward_dl_init(wr);
	steward_tell_ward_new(s, wr);
	return wr;
}

/* Free a ward whose instances have no process; see steward.h. */
void
steward_ward_free(struct steward *s, struct ward_rt *wr)
{
	for (unsigned j = 0; j < wr->ninst; j++)
		steward_inst_free(s, wr->inst[j]);
	steward_tell_ward_free(s, wr);
	steward_cgroup_ward_free(s, wr);
	steward_dl_fini(s, wr);
	free(wr->inst);
	config_unref(wr->cfg);
	free(wr);
}

/* Set up a ward for every definition of the config. */
static void
steward_build(struct steward *s)
{
	s->nwards = s->cfg->nwards;
	s->wards = xcalloc(s->nwards ? s->nwards : 1, sizeof(*s->wards));
	for (size_t i = 0; i < s->nwards; i++)
		s->wards[i] = steward_ward_new(s, &s->cfg->wards[i], s->cfg);
}

/* A ward and its place in the config, to sort by priority stably. */
struct steward_order {
	struct ward_rt *wr;
	size_t i;
};

/* qsort: lower priority first, then config order. */
static int
steward_order_cmp(const void *a, const void *b)
{
	const struct steward_order *x = a, *y = b;

	if (x->wr->spec->priority != y->wr->spec->priority)
		return x->wr->spec->priority < y->wr->spec->priority ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

/*
 * Queue the autostart wards, lowest priority first (stable); they start
 * in slices once the loop runs (steward-pace.c).
 */
static void
steward_start_all(struct steward *s)
{
	struct steward_order *order =
	    xcalloc(s->nwards ? s->nwards : 1, sizeof(*order));

	for (size_t i = 0; i < s->nwards; i++)
		order[i] = (struct steward_order){.wr = s->wards[i], .i = i};
	qsort(order, s->nwards, sizeof(*order), steward_order_cmp);
	for (size_t i = 0; i < s->nwards; i++) {
		if (!order[i].wr->spec->autostart)
			continue;
		for (unsigned j = 0; j < order[i].wr->ninst; j++)
			steward_pace_start(s, order[i].wr->inst[j]);
	}
	free(order);
}

/* Set up the loop and the event log; see steward.h. */
int
steward_open(struct steward *s, struct config *cfg, rlim_t nofile_soft)
{
	struct err *e = NULL;

	*s = (struct steward){
	    .cfg = cfg, .environ = environ, .nofile_soft = nofile_soft};
	s->self = getpid();
	s->started_at = steward_now();
	ward_spawn_init(s); /* first: the lowest free descriptors */
	/*
	 * Not the default loop: that one reaps every child itself.  Signals
	 * through a signalfd: blocked, and read from the loop with the rest.
	 * A handler interrupted whatever stewardd did at each death (a stop
	 * of 10,000 delivered some 3,000 SIGCHLDs), and wrote to libev's
	 * wake-up pipe.  Every child's code unblocks all signals before its
	 * exec (ward-spawn.c, guard.c, a restart of stewardd in main.c).
	 */
	s->loop = ev_loop_new(EVFLAG_AUTO | EVFLAG_SIGNALFD);
	if (s->loop == NULL) {
		log_warnx("cannot start: libev could not initialise its loop");
		ward_spawn_fini(s);
		config_unref(cfg);
		return 71; /* EX_OSERR */
	}
	s->log = evlog_open(s->loop, cfg->event_log, &e);
	if (s->log == NULL) {
		char *msg = err_str(e);

		log_warnx("cannot open the event log: %s", msg);
		free(msg);
		err_free(e);
		ev_loop_destroy(s->loop);
		ward_spawn_fini(s);
		config_unref(cfg);
		return 73; /* EX_CANTCREAT */
	}
	s->log_is_stderr = strcmp(cfg->event_log, "-") == 0;
	return 0;
}

/* Undo steward_open(): stewardd does not start; see steward.h. */
void
steward_abandon(struct steward *s)
{
	evlog_close(s->log);
	ev_loop_destroy(s->loop);
	ward_spawn_fini(s);
	config_unref(s->cfg);
	steward_unsubscribe_all(s);
}

/* Cgroups, the guard, the wards, the signals; see steward.h. */
int
steward_prepare(struct steward *s)
{
	struct err *e = NULL;

	if (prctl(PR_SET_CHILD_SUBREAPER, 1) == -1)
		log_warnx("cannot become a subreaper (%s): orphans of wards "
			  "will go to init",
			  strerror(errno));

	if (steward_cgroup_open(s) == -1)
		return 78; /* EX_CONFIG: cgroups = required */
	struct guard_cgroup gcg = steward_cgroup_guard(s);

	if (guard_start(&s->guard, &gcg, &e) == -1) {
		char *msg = err_str(e);

		log_warnx("cannot start the guard (%s): if stewardd is killed "
			  "with SIGKILL, children of wards will survive it",
			  msg);
		free(msg);
		err_free(e);
		e = NULL;
	}
	steward_build(s);
	return 0;
}

/* Watch the signals, say stewardd started; see steward.h. */
void
steward_started(struct steward *s)
{
	struct evlog_rec r;
	size_t instances = 0;

	ev_timer_init(&s->reap, steward_reap_cb, 0, 0);
	ev_set_priority(&s->reap, EV_MINPRI);
	ev_timer_init(&s->sweep, steward_sweep_cb, 0, 0);
	ev_set_priority(&s->sweep, EV_MINPRI);
	steward_watch_signal(s, &s->sig_chld, steward_sigchld_cb, SIGCHLD);
	ev_set_priority(&s->sig_chld, EV_MAXPRI);
	steward_watch_signal(s, &s->sig_term, steward_signal_stop, SIGTERM);
	steward_watch_signal(s, &s->sig_int, steward_signal_stop, SIGINT);
	steward_watch_signal(s, &s->sig_hup, steward_signal_hup, SIGHUP);
	ev_timer_init(&s->hup, steward_hup_cb, 0.05, 0);
	ev_timer_init(&s->tune, steward_tune_cb, 1, 1);
	ev_timer_start(s->loop, &s->tune);
	ev_prepare_init(&s->settle, steward_settle_cb);
	ev_idle_init(&s->settle_more, steward_settle_more_cb);
	ev_set_priority(&s->settle_more, EV_MINPRI);
	steward_watch_signal(s, &s->sig_usr1, steward_signal_reopen, SIGUSR1);
	{
		struct sigaction sa = {.sa_handler = steward_on_sigcont,
				       .sa_flags = SA_RESTART};

		if (sigemptyset(&sa.sa_mask) == -1 ||
		    sigaction(SIGCONT, &sa, NULL) == -1)
			log_warnx("cannot catch SIGCONT (%s): a stop of "
				  "stewardd is not counted in hung wards' "
				  "reasons",
				  strerror(errno));
	}
	ward_spawn_note_signals(s);

	for (size_t i = 0; i < s->nwards; i++)
		instances += s->wards[i]->ninst;
	evlog_begin(&r, s->log, EVLOG_INFO, "stewardd_started");
	evlog_str(&r, "version", STEWARD_VERSION);
	evlog_str(&r, "config", s->cfg->path);
	evlog_int(&r, "pid", s->self);
	evlog_int(&r, "wards", (long long)s->nwards);
	evlog_int(&r, "instances", (long long)instances);
	evlog_commit(&r);
	if (!s->log_is_stderr)
		log_line("%-12s %-8s version %s, %zu ward%s, %zu instance%s, "
			 "config %s, events in %s",
			 "stewardd", "started", STEWARD_VERSION, s->nwards,
			 s->nwards == 1 ? "" : "s", instances,
			 instances == 1 ? "" : "s", s->cfg->path,
			 s->cfg->event_log);
}

/* Queue the autostart instances; see steward.h. */
void
steward_autostart(struct steward *s)
{
	steward_pace_init(s);
	steward_start_all(s);
	/* Otherwise the feeder says so when the queue is through. */
	s->autostarted = s->pace.queued == 0;
}

/* Run the loop until shutdown ends it; see steward.h. */
void
steward_loop(struct steward *s)
{
	struct evlog_rec r;

	ev_prepare_init(&s->flush, steward_flush_cb);
	ev_set_priority(&s->flush, EV_MINPRI);
	ev_prepare_start(s->loop, &s->flush);
	ev_unref(s->loop); /* it must not keep the loop running */
	ev_check_init(&s->woke, steward_woke_cb);
	ev_set_priority(&s->woke, EV_MAXPRI);
	ev_check_start(s->loop, &s->woke);
	ev_unref(s->loop);
	s->woke_at = s->listen_at = steward_now();
	log_hold(true);

	/* The signal watchers keep the loop alive; shutdown ends it. */
	ev_run(s->loop, 0);
	log_hold(false);
	ev_ref(s->loop);
	ev_prepare_stop(s->loop, &s->flush);
	ev_ref(s->loop);
	ev_check_stop(s->loop, &s->woke);

	evlog_begin(&r, s->log, EVLOG_INFO, "stewardd_stopped");
	evlog_int(&r, "exit_code", s->exit_code);
	evlog_int(&r, "orphans_reaped", (long long)s->orphans_reaped);
	evlog_commit(&r);
	if (!s->log_is_stderr)
		log_line("%-12s %-8s every ward is stopped", "stewardd",
			 "stopped");
}

/* Free every ward (after the loop); see steward.h. */
void
steward_free_wards(struct steward *s)
{
	ev_timer_stop(s->loop, &s->hup);
	ev_timer_stop(s->loop, &s->tune);
	ev_prepare_stop(s->loop, &s->settle);
	ev_idle_stop(s->loop, &s->settle_more);
	steward_pace_fini(s);
	for (size_t i = 0; i < s->nwards; i++)
		steward_ward_free(s, s->wards[i]);
	free(s->wards);
	s->wards = NULL;
	s->nwards = 0;
	free(s->pids);
	s->pids = NULL;
	ward_notify_cleanup(s);
}

/* Close what is left; see steward.h. */
void
steward_close(struct steward *s)
{
	guard_stop(&s->guard);
	steward_cgroup_close(s);
	ev_signal_stop(s->loop, &s->sig_chld);
	ev_timer_stop(s->loop, &s->reap);
	ev_timer_stop(s->loop, &s->sweep);
	ev_signal_stop(s->loop, &s->sig_term);
	ev_signal_stop(s->loop, &s->sig_int);
	ev_signal_stop(s->loop, &s->sig_hup);
	ev_signal_stop(s->loop, &s->sig_usr1);
	output_sink_close_all(s);
	sbuf_free(&s->output_text);
	free(s->output_buf);
	s->output_buf = NULL;
	steward_abandon(s);
}
