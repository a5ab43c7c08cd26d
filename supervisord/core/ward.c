/*
 * The ward state machine (the design is in ward.h).
 *
 * The machine is a table of (state × event) → handler, written with
 * designated initializers; a pair with no handler is an event that means
 * nothing in that state (a late beat from a process being stopped, a
 * second start) and changes nothing.  Handlers only change the machine
 * and fill the output: the caller (steward-apply.c) performs the actions.
 *
 * Cost: O(1) per event.  A beat in running is a few stores and
 * WACT_WATCH, which costs stewardd no timer operation (ward.h); a
 * deadline that comes early only watches again.
 */
#include <stddef.h>
#include <sys/wait.h>

#include "core/ward.h"

typedef void ward_handler(struct ward_sm *, const struct ward_policy *,
			  const struct ward_input *, struct ward_out *);

/* Move to a new state and ask for the transition to be logged. */
static void
ward_go(struct ward_sm *sm, struct ward_out *out, enum ward_state to,
	enum ward_cause cause)
{
	sm->state = to;
	sm->cause = cause;
	out->to = to;
	out->cause = cause;
	out->actions |= WACT_LOG;
}

/* Set the instance's one deadline (see ward.h). */
static void
ward_arm(struct ward_sm *sm, struct ward_out *out, double at)
{
	sm->timer_at = at;
	out->timer_at = at;
	out->actions |= WACT_ARM;
	out->actions &= ~(unsigned)(WACT_DISARM | WACT_WATCH);
}

/* Wait for the heartbeat deadline, the rule the ward's instances share. */
static void
ward_watch(struct ward_sm *sm, const struct ward_policy *pol,
	   struct ward_out *out)
{
	sm->timer_at = sm->last_beat + pol->heartbeat_timeout;
	out->timer_at = sm->timer_at;
	out->actions |= WACT_WATCH;
	out->actions &= ~(unsigned)(WACT_ARM | WACT_DISARM);
}

/* Clear the instance's deadline. */
static void
ward_disarm(struct ward_sm *sm, struct ward_out *out)
{
	sm->timer_at = 0;
	out->actions |= WACT_DISARM;
	out->actions &= ~(unsigned)(WACT_ARM | WACT_WATCH);
}

/* Spawn a new process and wait for it to become ready. */
static void
ward_spawn(struct ward_sm *sm, const struct ward_policy *pol,
	   const struct ward_input *in, struct ward_out *out,
	   enum ward_cause cause)
{
	sm->spawned_at = in->now;
	sm->last_beat = in->now;
	sm->running_since = 0;
	sm->extend_until = 0;
	sm->beaten = false;
	sm->signalled = false;
	sm->killed = false;
	out->actions |= WACT_SPAWN;
	ward_go(sm, out, WARD_STARTING, cause);
	ward_arm(sm, out, in->now + pol->start_timeout);
}

/* Begin stopping: signal the group unless the ward is stopping itself. */
static void
ward_stop(struct ward_sm *sm, const struct ward_policy *pol,
	  const struct ward_input *in, struct ward_out *out,
	  enum ward_cause cause, enum ward_after after, bool signal)
{
	sm->after = after;
	sm->signalled = signal;
	sm->killed = false;
	if (signal)
		out->actions |= WACT_SIGNAL_STOP;
	ward_go(sm, out, WARD_STOPPING, cause);
	ward_arm(sm, out, in->now + pol->stop_timeout);
}

/* See ward.h. */
bool
ward_exit_clean(const struct ward_policy *pol, int status, bool spawn_failed)
{
	int code;
	bool any = false;

	if (spawn_failed || !WIFEXITED(status))
		return false;
	code = WEXITSTATUS(status);
	for (size_t i = 0; i < sizeof(pol->success); i++)
		any = any || pol->success[i] != 0;
	if (!any)
		return code == 0;
	return (pol->success[code / 8] >> (code % 8)) & 1;
}

/* The cause a reaped process's own ending gives. */
static enum ward_cause
ward_exit_cause(const struct ward_sm *sm)
{
	if (sm->exit_spawn_failed)
		return WCAUSE_SPAWN_FAILED;
	if (WIFSIGNALED(sm->exit_status))
		return WCAUSE_SIGNAL;
	return WCAUSE_EXIT;
}

/*
 * Heal an instance that has no process any more: restart it after the
 * backoff delay if restart= and the bucket allow, else leave it exited or
 * failed.  cause says why it ended.
 */
static void
ward_heal(struct ward_sm *sm, const struct ward_policy *pol,
	  const struct ward_input *in, struct ward_out *out,
	  enum ward_cause cause)
{
	bool unhealthy = cause == WCAUSE_HEARTBEAT_TIMEOUT ||
			 cause == WCAUSE_START_TIMEOUT ||
			 cause == WCAUSE_TRIGGER || cause == WCAUSE_MEMORY;
	bool clean = !unhealthy && ward_exit_clean(pol, sm->exit_status,
						   sm->exit_spawn_failed);
	/*
	 * With start_retries (a supervisord program), a process that ends
	 * before it was up start_timeout failed to start, whatever its exit
	 * code and restart= say: it is retried, as supervisord's BACKOFF.
	 */
	bool died_starting = sm->running_since == 0 &&
			     pol->start_retries >= 0 &&
			     pol->start_timeout > 0 && !unhealthy;

	ward_disarm(sm, out);
	if (!died_starting &&
	    (pol->restart == WARD_RESTART_NEVER ||
	     (pol->restart == WARD_RESTART_ON_FAILURE && clean))) {
		out->tokens = bucket_tokens(&sm->bucket, in->now);
		ward_go(sm, out, WARD_EXITED, cause);
		return;
	}
	if (in->shutdown) {
		/* stewardd is stopping: nothing restarts, nothing is spent. */
		ward_go(sm, out, WARD_STOPPED, cause);
		return;
	}
	/* A start that never ran counts against start_retries. */
	if (sm->running_since == 0 && pol->start_retries >= 0 &&
	    (pol->start_timeout > 0 || unhealthy) &&
	    ++sm->start_failures > (unsigned)pol->start_retries) {
		out->tokens = bucket_tokens(&sm->bucket, in->now);
		ward_go(sm, out, WARD_FAILED, cause);
		return;
	}
	if (!bucket_take(&sm->bucket, in->now)) {
		out->tokens = bucket_tokens(&sm->bucket, in->now);
		ward_go(sm, out, WARD_FAILED, cause);
		return;
	}
	/* A run as long as the longest delay was healthy: start over. */
	if (sm->running_since > 0 &&
	    in->now - sm->running_since >= pol->backoff_max)
		backoff_reset(&sm->backoff);
	out->delay = backoff_next(&sm->backoff, in->u);
	out->tokens = bucket_tokens(&sm->bucket, in->now);
	sm->restarts++;
	ward_go(sm, out, WARD_BACKOFF, cause);
	ward_arm(sm, out, in->now + out->delay);
}

/* Remember how the main process ended. */
static void
ward_note_exit(struct ward_sm *sm, const struct ward_input *in)
{
	sm->exit_status = in->status;
	sm->exit_spawn_failed = in->spawn_failed;
	if (!in->spawn_failed) {
		/* A process ran: stewardd had what it needed. */
		sm->short_spawns = 0;
		backoff_reset(&sm->retry);
	}
}

/*
 * starting: stewardd could not make the process for want of its own
 * resources.  Not the ward's fault: no token, no start retry, no
 * restart counted; try again after the retry delay.
 */
static void
ward_retry_later(struct ward_sm *sm, const struct ward_input *in,
		 struct ward_out *out)
{
	ward_disarm(sm, out);
	sm->exit_status = 0;
	sm->exit_spawn_failed = true;
	if (in->shutdown) {
		/* Nothing to retry: stewardd is stopping. */
		ward_go(sm, out, WARD_STOPPED, WCAUSE_NO_RESOURCES);
		return;
	}
	sm->short_spawns++;
	out->delay = backoff_next(&sm->retry, in->u);
	out->tokens = bucket_tokens(&sm->bucket, in->now);
	ward_go(sm, out, WARD_BACKOFF, WCAUSE_NO_RESOURCES);
	ward_arm(sm, out, in->now + out->delay);
}

/* stopped, exited, failed, backoff: a person or autostart starts it. */
static void
on_start(struct ward_sm *sm, const struct ward_policy *pol,
	 const struct ward_input *in, struct ward_out *out)
{
	enum ward_cause cause = WCAUSE_START;

	if (sm->state == WARD_FAILED || sm->state == WARD_EXITED ||
	    sm->state == WARD_STOPPED) {
		/* A person took charge: a fresh bucket and backoff. */
		bucket_init(&sm->bucket, pol->limit_burst, pol->limit_period,
			    in->now);
		backoff_reset(&sm->backoff);
		backoff_reset(&sm->retry);
		sm->start_failures = 0;
		sm->short_spawns = 0;
	}
	if (in->event == WEV_RESTART)
		cause = WCAUSE_RESTART;
	ward_spawn(sm, pol, in, out, cause);
}

/* backoff: the delay has passed. */
static void
on_backoff_timer(struct ward_sm *sm, const struct ward_policy *pol,
		 const struct ward_input *in, struct ward_out *out)
{
	ward_spawn(sm, pol, in, out, WCAUSE_BACKOFF_DONE);
}

/* No process, not meant to restart: a stop only acknowledges. */
static void
on_idle_stop(struct ward_sm *sm, const struct ward_policy *pol,
	     const struct ward_input *in, struct ward_out *out)
{
	ward_disarm(sm, out);
	ward_go(sm, out, WARD_STOPPED,
		in->event == WEV_SHUTDOWN ? WCAUSE_SHUTDOWN : WCAUSE_STOP);
}

/* starting or running: a beat or READY=1. */
static void
on_beat(struct ward_sm *sm, const struct ward_policy *pol,
	const struct ward_input *in, struct ward_out *out)
{
	bool extended = sm->extend_until > 0;

	sm->last_beat = in->now;
	sm->extend_until = 0;
	/* A beat, or READY=1 repeated once ready (php-fpm's way). */
	if (in->event == WEV_BEAT || sm->state == WARD_RUNNING)
		sm->beaten = true;
	if (sm->state == WARD_RUNNING) {
		/*
		 * The deadline moved: watched, the instance only goes to
		 * the tail of its ward's list (ward.h).  An extension, if
		 * there was one, ends: the beat's deadline is the rule.
		 */
		if (ward_judges_beats(pol))
			ward_watch(sm, pol, out); /* the deadline moved */
		else if (extended)
			ward_disarm(sm, out);
		return;
	}
	if (pol->heartbeat == WARD_HB_NONE && in->event == WEV_BEAT)
		return; /* no beats expected; only the start timer ends it */
	sm->running_since = in->now;
	sm->start_failures = 0;
	ward_go(sm, out, WARD_RUNNING, WCAUSE_READY);
	if (!ward_judges_beats(pol))
		ward_disarm(sm, out);
	else
		ward_watch(sm, pol, out);
}

/* starting or running: the deadline is n µs away, this once. */
static void
on_extend(struct ward_sm *sm, const struct ward_policy *pol,
	  const struct ward_input *in, struct ward_out *out)
{
	if (sm->state == WARD_RUNNING && !ward_judges_beats(pol))
		return;
	sm->extend_until = in->now + (double)in->extend_usec / 1e6;
	ward_arm(sm, out, sm->extend_until);
}

/* starting: the start deadline (or, without heartbeats, the up time). */
static void
on_starting_timer(struct ward_sm *sm, const struct ward_policy *pol,
		  const struct ward_input *in, struct ward_out *out)
{
	if (in->now < sm->timer_at) {
		ward_arm(sm, out, sm->timer_at);
		return;
	}
	out->beat_age = in->now - sm->last_beat;
	if (pol->heartbeat == WARD_HB_NONE) {
		sm->running_since = in->now;
		sm->start_failures = 0;
		ward_go(sm, out, WARD_RUNNING, WCAUSE_UP);
		ward_disarm(sm, out);
		return;
	}
	ward_stop(sm, pol, in, out, WCAUSE_START_TIMEOUT, WAFTER_HEAL, true);
}

/* running: judge the heartbeat deadline, or re-arm for the rest of it. */
static void
on_running_timer(struct ward_sm *sm, const struct ward_policy *pol,
		 const struct ward_input *in, struct ward_out *out)
{
	double deadline;

	if (!ward_judges_beats(pol)) {
		ward_disarm(sm, out);
		return;
	}
	deadline = sm->extend_until > 0
		       ? sm->extend_until
		       : sm->last_beat + pol->heartbeat_timeout;
	if (in->now < deadline && sm->extend_until > 0) {
		ward_arm(sm, out, deadline);
		return;
	}
	if (in->now < deadline) {
		ward_watch(sm, pol, out); /* a beat moved it */
		return;
	}
	out->beat_age = in->now - sm->last_beat;
	out->never_beat = !sm->beaten;
	ward_stop(sm, pol, in, out, WCAUSE_HEARTBEAT_TIMEOUT, WAFTER_HEAL,
		  true);
}

/* See ward.h. */
bool
ward_timer_due(const struct ward_sm *sm, const struct ward_policy *pol,
	       double now)
{
	if (sm->state == WARD_RUNNING && ward_judges_beats(pol))
		return now >= (sm->extend_until > 0
				   ? sm->extend_until
				   : sm->last_beat + pol->heartbeat_timeout);
	return now >= sm->timer_at;
}

/* starting or running: the ward asks to be healed now. */
static void
on_trigger(struct ward_sm *sm, const struct ward_policy *pol,
	   const struct ward_input *in, struct ward_out *out)
{
	out->beat_age = in->now - sm->last_beat;
	ward_stop(sm, pol, in, out, WCAUSE_TRIGGER, WAFTER_HEAL, true);
}

/* starting or running: above memory_restart long enough; heal it. */
static void
on_memory(struct ward_sm *sm, const struct ward_policy *pol,
	  const struct ward_input *in, struct ward_out *out)
{
	out->beat_age = in->now - sm->last_beat;
	ward_stop(sm, pol, in, out, WCAUSE_MEMORY, WAFTER_HEAL, true);
}

/* starting or running: the ward says it is shutting down on its own. */
static void
on_ward_stopping(struct ward_sm *sm, const struct ward_policy *pol,
		 const struct ward_input *in, struct ward_out *out)
{
	ward_stop(sm, pol, in, out, WCAUSE_WARD_STOPPING, WAFTER_HEAL, false);
}

/* starting or running: a person or stewardd's shutdown stops it. */
static void
on_live_stop(struct ward_sm *sm, const struct ward_policy *pol,
	     const struct ward_input *in, struct ward_out *out)
{
	switch (in->event) {
	case WEV_RESTART:
		ward_stop(sm, pol, in, out, WCAUSE_RESTART, WAFTER_RESTART,
			  true);
		break;
	case WEV_SHUTDOWN:
		ward_stop(sm, pol, in, out, WCAUSE_SHUTDOWN, WAFTER_STOP, true);
		break;
	default:
		ward_stop(sm, pol, in, out, WCAUSE_STOP, WAFTER_STOP, true);
		break;
	}
}

/* starting or running: the main process ended by itself. */
static void
on_live_exit(struct ward_sm *sm, const struct ward_policy *pol,
	     const struct ward_input *in, struct ward_out *out)
{
	out->beat_age = in->now - sm->last_beat;
	if (in->spawn_failed && in->no_resources &&
	    sm->state == WARD_STARTING) {
		ward_retry_later(sm, in, out);
		return;
	}
	ward_note_exit(sm, in);
	ward_heal(sm, pol, in, out, ward_exit_cause(sm));
}

/* starting: no process could be made at all. */
static void
on_spawn_error(struct ward_sm *sm, const struct ward_policy *pol,
	       const struct ward_input *in, struct ward_out *out)
{
	if (in->no_resources) {
		ward_retry_later(sm, in, out);
		return;
	}
	sm->exit_status = 0;
	sm->exit_spawn_failed = true;
	ward_heal(sm, pol, in, out, WCAUSE_SPAWN_FAILED);
}

/* stopping: reaped; do what the stop was for. */
static void
on_stopping_exit(struct ward_sm *sm, const struct ward_policy *pol,
		 const struct ward_input *in, struct ward_out *out)
{
	enum ward_cause cause = sm->cause;

	out->beat_age = in->now - sm->last_beat;
	ward_note_exit(sm, in);
	switch (sm->after) {
	case WAFTER_STOP:
		ward_disarm(sm, out);
		ward_go(sm, out, WARD_STOPPED, cause);
		break;
	case WAFTER_RESTART:
		ward_spawn(sm, pol, in, out, WCAUSE_RESTART);
		break;
	case WAFTER_HEAL:
		if (cause == WCAUSE_WARD_STOPPING || cause == WCAUSE_NONE)
			cause = ward_exit_cause(sm);
		ward_heal(sm, pol, in, out, cause);
		break;
	}
}

/* stopping: stop_timeout passed; SIGKILL the whole group, once. */
static void
on_stopping_timer(struct ward_sm *sm, const struct ward_policy *pol,
		  const struct ward_input *in, struct ward_out *out)
{
	if (in->now < sm->timer_at) {
		ward_arm(sm, out, sm->timer_at);
		return;
	}
	ward_disarm(sm, out);
	if (sm->killed)
		return;
	sm->killed = true;
	out->actions |= WACT_SIGNAL_KILL | WACT_LOG;
	out->to = WARD_STOPPING;
	out->cause = WCAUSE_STOP_TIMEOUT;
}

/* stopping: a person or the shutdown changes what happens after. */
static void
on_stopping_request(struct ward_sm *sm, const struct ward_policy *pol,
		    const struct ward_input *in, struct ward_out *out)
{
	if (in->event == WEV_SHUTDOWN || in->event == WEV_STOP) {
		if (sm->after == WAFTER_STOP && sm->cause == WCAUSE_SHUTDOWN)
			return;
		sm->after = WAFTER_STOP;
		sm->cause =
		    in->event == WEV_SHUTDOWN ? WCAUSE_SHUTDOWN : WCAUSE_STOP;
	} else {
		/* start or restart: come back once reaped, not on shutdown */
		if (sm->cause == WCAUSE_SHUTDOWN)
			return;
		sm->after = WAFTER_RESTART;
		return;
	}
	if (!sm->signalled) {
		/* It was stopping on its own; now it is told to. */
		sm->signalled = true;
		out->actions |= WACT_SIGNAL_STOP;
		if (sm->timer_at == 0)
			ward_arm(sm, out, in->now + pol->stop_timeout);
	}
}

/*
 * The table.  Rows are states, columns events; an empty cell means the
 * event changes nothing in that state.
 */
static ward_handler *const ward_table[WARD_NSTATES][WARD_NEVENTS] = {
    [WARD_STOPPED] =
	{
	    [WEV_START] = on_start,
	    [WEV_RESTART] = on_start,
	},
    [WARD_STARTING] =
	{
	    [WEV_STOP] = on_live_stop,
	    [WEV_RESTART] = on_live_stop,
	    [WEV_SHUTDOWN] = on_live_stop,
	    [WEV_BEAT] = on_beat,
	    [WEV_READY] = on_beat,
	    [WEV_EXTEND] = on_extend,
	    [WEV_TRIGGER] = on_trigger,
	    [WEV_MEMORY] = on_memory,
	    [WEV_STOPPING] = on_ward_stopping,
	    [WEV_TIMER] = on_starting_timer,
	    [WEV_EXIT] = on_live_exit,
	    [WEV_SPAWN_ERROR] = on_spawn_error,
	},
    [WARD_RUNNING] =
	{
	    [WEV_STOP] = on_live_stop,
	    [WEV_RESTART] = on_live_stop,
	    [WEV_SHUTDOWN] = on_live_stop,
	    [WEV_BEAT] = on_beat,
	    [WEV_READY] = on_beat,
	    [WEV_EXTEND] = on_extend,
	    [WEV_TRIGGER] = on_trigger,
	    [WEV_MEMORY] = on_memory,
	    [WEV_STOPPING] = on_ward_stopping,
	    [WEV_TIMER] = on_running_timer,
	    [WEV_EXIT] = on_live_exit,
	},
    [WARD_STOPPING] =
	{
	    [WEV_START] = on_stopping_request,
	    [WEV_STOP] = on_stopping_request,
	    [WEV_RESTART] = on_stopping_request,
	    [WEV_SHUTDOWN] = on_stopping_request,
	    [WEV_TIMER] = on_stopping_timer,
	    [WEV_EXIT] = on_stopping_exit,
	},
    [WARD_BACKOFF] =
	{
	    [WEV_START] = on_start,
	    [WEV_RESTART] = on_start,
	    [WEV_STOP] = on_idle_stop,
	    [WEV_SHUTDOWN] = on_idle_stop,
	    [WEV_TIMER] = on_backoff_timer,
	},
    [WARD_FAILED] =
	{
	    [WEV_START] = on_start,
	    [WEV_RESTART] = on_start,
	    [WEV_STOP] = on_idle_stop,
	},
    [WARD_EXITED] =
	{
	    [WEV_START] = on_start,
	    [WEV_RESTART] = on_start,
	    [WEV_STOP] = on_idle_stop,
	},
};

/* Set up a stopped instance with a full restart bucket. */
void
ward_sm_init(struct ward_sm *sm, const struct ward_policy *pol, double now)
{
	*sm = (struct ward_sm){.state = WARD_STOPPED};
	bucket_init(&sm->bucket, pol->limit_burst, pol->limit_period, now);
	backoff_init(&sm->backoff, pol->backoff_min, pol->backoff_max);
	backoff_init(&sm->retry, WARD_RETRY_MIN, WARD_RETRY_MAX);
}

/* Feed one event to the machine; see ward.h. */
void
ward_step(struct ward_sm *sm, const struct ward_policy *pol,
	  const struct ward_input *in, struct ward_out *out)
{
	ward_handler *h = NULL;

	*out = (struct ward_out){.from = sm->state, .to = sm->state};
	if ((unsigned)sm->state < WARD_NSTATES &&
	    (unsigned)in->event < WARD_NEVENTS)
		h = ward_table[sm->state][in->event];
	if (h == NULL)
		return;
	h(sm, pol, in, out);
	if (out->actions & WACT_LOG)
		out->tokens = bucket_tokens(&sm->bucket, in->now);
}

/* The state's name as people and logs see it. */
const char *
ward_state_name(enum ward_state s)
{
	static const char *const names[WARD_NSTATES] = {
	    [WARD_STOPPED] = "stopped", [WARD_STARTING] = "starting",
	    [WARD_RUNNING] = "running", [WARD_STOPPING] = "stopping",
	    [WARD_BACKOFF] = "backoff", [WARD_FAILED] = "failed",
	    [WARD_EXITED] = "exited",
	};

	return (unsigned)s < WARD_NSTATES ? names[s] : "unknown";
}

/* The event's name, for tests and debugging. */
const char *
ward_event_name(enum ward_event e)
{
	static const char *const names[WARD_NEVENTS] = {
	    [WEV_START] = "start",       [WEV_STOP] = "stop",
	    [WEV_RESTART] = "restart",   [WEV_SHUTDOWN] = "shutdown",
	    [WEV_BEAT] = "beat",         [WEV_READY] = "ready",
	    [WEV_EXTEND] = "extend",     [WEV_TRIGGER] = "trigger",
	    [WEV_STOPPING] = "stopping", [WEV_TIMER] = "timer",
	    [WEV_EXIT] = "exit",         [WEV_SPAWN_ERROR] = "spawn_error",
	    [WEV_MEMORY] = "memory",
	};

	return (unsigned)e < WARD_NEVENTS ? names[e] : "unknown";
}

/* The cause as the code written in the log's "cause" field. */
const char *
ward_cause_name(enum ward_cause c)
{
	static const char *const names[] = {
	    [WCAUSE_NONE] = "none",
	    [WCAUSE_START] = "start",
	    [WCAUSE_BACKOFF_DONE] = "backoff_done",
	    [WCAUSE_READY] = "ready",
	    [WCAUSE_UP] = "up",
	    [WCAUSE_EXIT] = "exit",
	    [WCAUSE_SIGNAL] = "signal",
	    [WCAUSE_SPAWN_FAILED] = "spawn_failed",
	    [WCAUSE_HEARTBEAT_TIMEOUT] = "heartbeat_timeout",
	    [WCAUSE_START_TIMEOUT] = "start_timeout",
	    [WCAUSE_TRIGGER] = "watchdog_trigger",
	    [WCAUSE_WARD_STOPPING] = "ward_stopping",
	    [WCAUSE_STOP] = "stop",
	    [WCAUSE_RESTART] = "restart",
	    [WCAUSE_SHUTDOWN] = "shutdown",
	    [WCAUSE_STOP_TIMEOUT] = "stop_timeout",
	    [WCAUSE_NO_RESOURCES] = "stewardd_resources",
	    [WCAUSE_MEMORY] = "memory_restart",
	};

	return (unsigned)c < sizeof(names) / sizeof(names[0]) ? names[c]
							      : "unknown";
}

/* See ward.h. */
bool
ward_judges_beats(const struct ward_policy *pol)
{
	return pol->heartbeat != WARD_HB_NONE && pol->watchdog;
}

/* True in the states where the instance has a live process. */
bool
ward_state_has_process(enum ward_state s)
{
	return s == WARD_STARTING || s == WARD_RUNNING || s == WARD_STOPPING;
}
