/*
 * Carrying out a transition: the state machine (ward.c) decides, and
 * steward_apply() performs its actions (spawn, signal, arm or disarm the
 * timer) and writes the transition's record (steward-report.c).
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
#include "core/steward-internal.h"
#include "core/steward.h"

/*
 * A uniform number in [0, 1) for the backoff jitter.  Every event the
 * state machine sees gets one (a beat too), so it must cost no syscall:
 * splitmix64, seeded once from getrandom(2).  Jitter needs spread, not
 * secrecy.
 */
static double
steward_random(void)
{
	static uint64_t state;
	static bool seeded;
	uint64_t z;

	if (!seeded) {
		if (getrandom(&state, sizeof(state), GRND_NONBLOCK) !=
		    sizeof(state))
			state = (uint64_t)getpid() * 0x9e3779b97f4a7c15ULL ^
				(uint64_t)(steward_now() * 1e9);
		seeded = true;
	}
	z = (state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	z ^= z >> 31;
	return (double)(z >> 11) / 9007199254740992.0; /* 53 bits */
}

/*
 * Perform what the state machine decided, and write the transition's
 * record; cause, when not NULL, is the failure the record tells
 * (a spawn error), and is consumed.  Returns the error of a spawn that
 * failed before there was a process, unlogged: the caller feeds it to
 * the machine as WEV_SPAWN_ERROR.
 */
static struct err *
steward_apply(struct steward *s, struct ward_inst *wi,
	      const struct ward_out *out, const struct ward_input *in,
	      struct err *cause)
{
	const struct ward_spec *w = wi->ward->spec;
	struct err *spawn_err = NULL;

	if (out->to != out->from) {
		wi->state_since = in->now;
		/* A healing restart, counted by what it heals (metrics). */
		if (out->to == WARD_BACKOFF &&
		    out->cause != WCAUSE_NO_RESOURCES &&
		    (unsigned)out->cause < WARD_NCAUSES)
			wi->restarts_by_cause[out->cause]++;
		if (out->to == WARD_STARTING)
			s->nstarting++;
		if (out->from == WARD_STARTING)
			s->nstarting--;
	}
	if (out->actions & WACT_SPAWN) {
		wi->beat.doubt = 0;
		wi->generation++;
		wi->beats_past += wi->beats;
		wi->beats = 0;
		free(wi->work);
		wi->work = NULL;
		free(wi->status);
		wi->status = NULL;
		if (ward_spawn_start(s, wi, &spawn_err) == 0) {
			steward_pid_add(s, wi);
			guard_add(&s->guard, wi->pid);
			steward_cgroup_spawned(s, wi, true);
		} else {
			steward_cgroup_spawned(s, wi, false);
		}
	}
	/* Counted before anyone hears of it (a listener may ask whether
	 * its ward is live). */
	steward_inst_recount(s, wi);
	/* A transition to a spawn that failed is not told: the failure's
	 * transition is, next. */
	if (out->actions & WACT_LOG && spawn_err == NULL)
		steward_log_transition(s, wi, out, in, cause);
	else
		err_free(cause);
	if (out->actions & WACT_SIGNAL_STOP) {
		steward_kill_as(s, wi, w->stop_signal, w->stop_group);
		if (w->stop_signal != SIGKILL && w->stop_signal != SIGCONT)
			steward_kill_as(s, wi, SIGCONT, w->stop_group);
	}
	if (out->actions & WACT_SIGNAL_KILL) {
		steward_kill_as(s, wi, SIGKILL, w->kill_group);
		steward_cgroup_kill(s, wi); /* and all it started */
	}
	if (out->actions & (WACT_DISARM | WACT_ARM | WACT_WATCH)) {
		/* One way of waiting replaces the other. */
		if (!(out->actions & WACT_WATCH))
			steward_dl_remove(wi);
		ev_timer_stop(s->loop, &wi->timer);
	}
	if (out->actions & WACT_WATCH)
		steward_dl_touch(s, wi); /* its place: by its last beat */
	if (out->actions & WACT_ARM) {
		double after = out->timer_at - steward_now();

		if (after <= 0 && !s->in_timer_cb) {
			/*
			 * Due now (a restart with backoff 0): its callback
			 * runs as soon as the present one returns (libev
			 * runs the last fed of the highest priority first),
			 * not in the next loop iteration, which may first
			 * sleep while batching (steward_tune_cb), nor after
			 * the beats already read.  A stop of the timer
			 * cancels it as it would the timer.  Not from a
			 * timer callback: a spawn that fails at once with
			 * backoff 0 would feed itself without the loop ever
			 * polling.
			 */
			ev_set_priority(&wi->timer, EV_MAXPRI);
			ev_feed_event(s->loop, &wi->timer, EV_TIMER);
		} else {
			ev_set_priority(&wi->timer, 0);
			ev_timer_set(&wi->timer, after > 0 ? after : 0, 0);
			ev_timer_start(s->loop, &wi->timer);
		}
	}
	if (out->actions & WACT_LOG && spawn_err == NULL) {
		/* Jobs, dependencies, waits, upbeat (steward-events.h). */
		steward_tell_transition(s, wi, out, in);
		if (s->settle_armed && !ev_is_active(&s->settle))
			ev_prepare_start(s->loop, &s->settle);
	}
	return spawn_err;
}

/* Feed an event with its full input; see steward.h. */
void
steward_step_input(struct steward *s, struct ward_inst *wi,
		   struct ward_input *in)
{
	const struct ward_policy *pol = &wi->ward->spec->pol;
	struct ward_input fail;
	struct ward_out out;
	struct err *spawn_err;

	if (in->now == 0)
		in->now = steward_now();
	in->u = steward_random();
	in->shutdown = s->stopping;
	ward_step(&wi->sm, pol, in, &out);
	if (out.actions == 0) {
		steward_inst_recount(s, wi);
		return;
	}
	spawn_err = steward_apply(s, wi, &out, in, NULL);
	/*
	 * A spawn that made no process is an event of its own: the machine
	 * heals it like an exit (a job's replica is never retried: its run
	 * fails), and the record of that transition tells the error.
	 */
	while (spawn_err != NULL) {
		fail = (struct ward_input){
		    .event = WEV_SPAWN_ERROR,
		    .now = in->now,
		    .u = steward_random(),
		    .no_resources =
			wi->ward->run == NULL &&
			steward_short_errno(err_errno(spawn_err), false),
		    .shutdown = s->stopping};
		ward_step(&wi->sm, pol, &fail, &out);
		spawn_err = steward_apply(s, wi, &out, &fail, spawn_err);
	}
	steward_inst_recount(s, wi);
}

/* Feed a plain event; see steward.h. */
void
steward_step(struct steward *s, struct ward_inst *wi, enum ward_event ev)
{
	steward_step_why(s, wi, ev, NULL);
}

/* Feed an event, ordered by why or (NULL) by a person; see steward.h. */
void
steward_step_why(struct steward *s, struct ward_inst *wi, enum ward_event ev,
		 const char *why)
{
	struct ward_input in = {.event = ev};
	/* A new order replaces one that is under way, or queued. */
	bool was_queued = steward_pace_cancel(s, wi);

	free(wi->order_why);
	wi->order_why = why != NULL ? xstrdup(why) : NULL;
	steward_step_input(s, wi, &in);
	/* Waits that counted on the queued order judge again (this one
	 * may have made no transition). */
	if (was_queued)
		steward_tell_order_done(s, wi);
	if (wi->order_why != NULL && wi->sm.state != WARD_STOPPING) {
		/* Nothing was logged to carry it (no process, say). */
		free(wi->order_why);
		wi->order_why = NULL;
	}
}
