/*
 * The wording of a transition's record: its reason, the failure behind
 * it as a wrapped error, what happens next, and its level.
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
#include "core/steward.h"
#include "core/steward-internal.h"
#include "core/tail.h"

/* A signal or a cgroup kill failed: say so; see steward.h. */
void
steward_signal_failed(struct steward *s, struct ward_inst *wi, struct err *e)
{
	struct evlog_rec r;

	evlog_begin(&r, s->log, EVLOG_ERROR, "signal_failed");
	evlog_str(&r, "ward", wi->ward->spec->name);
	evlog_int(&r, "replica", wi->replica);
	evlog_err(&r, evlog_next_id(s->log), e);
	evlog_commit(&r);
	err_free(e);
}

/* How a wait status reads: "exited with code 1", "killed by signal KILL". */
void
steward_describe_status(int status, char *buf, size_t len)
{
	if (WIFEXITED(status))
		snprintf(buf, len, "exited with code %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, len, "killed by signal %s%s",
			 parse_signal_name(WTERMSIG(status)),
			 WCOREDUMP(status) ? " (core dumped)" : "");
	else
		snprintf(buf, len, "ended with wait status %#x", status);
}

/*
 * True when a spawn failed with errnum for stewardd's own lack of
 * resources, not the ward's: no fd (EMFILE, ENFILE), no memory (ENOMEM,
 * ENOBUFS), no room for its notify socket (ENOSPC), or a clone the
 * kernel refused for now (EAGAIN).  child: the errno came from the child
 * before exec, where EAGAIN (setuid past the ward user's RLIMIT_NPROC)
 * and ENOSPC are the ward's.
 */
bool
steward_short_errno(int errnum, bool child)
{
	switch (errnum) {
	case EMFILE:
	case ENFILE:
	case ENOMEM:
	case ENOBUFS:
		return true;
	case EAGAIN:
	case ENOSPC:
		return !child;
	default:
		return false;
	}
}

/*
 * The failure behind a transition, as a wrapped error for the log, or
 * NULL when the transition is no failure.
 */
static struct err *
steward_failure(struct steward *s, struct ward_inst *wi,
		const struct ward_out *out, struct err *spawn_err)
{
	const struct ward_spec *w = wi->ward->spec;
	char d1[48], d2[32], how[96], late[96];
	struct err *e;

	(void)s;
	switch (out->cause) {
	case WCAUSE_SPAWN_FAILED:
		if (spawn_err != NULL)
			e = spawn_err;
		else
			e = ward_spawn_error(wi);
		return ERR_WRAP_P(e, "cannot start ward \"%s\"", wi->label);
	case WCAUSE_NO_RESOURCES:
		e = spawn_err != NULL ? spawn_err : ward_spawn_error(wi);
		e = ERR_WRAP_P(e, "stewardd itself is short of resources, not "
				  "the ward");
		err_set(e, "fault", "stewardd");
		return ERR_WRAP_P(e, "cannot start ward \"%s\"", wi->label);
	case WCAUSE_HEARTBEAT_TIMEOUT:
		/* A beat read late may be older than its stamp: say so. */
		late[0] = '\0';
		if (wi->beat.doubt >= STEWARD_DOUBT_SAID) {
			snprintf(d1, sizeof(d1), "%.1fs to %.1fs",
				 out->beat_age, out->beat_age + wi->beat.doubt);
			snprintf(late, sizeof(late),
				 "; its last beat waited unread up to %.1fs "
				 "while stewardd was stopped or busy",
				 wi->beat.doubt);
		} else {
			snprintf(d1, sizeof(d1), "%.1fs", out->beat_age);
		}
		parse_format_duration(w->heartbeat_timeout_ms, d2, sizeof(d2));
		if (wi->sm.extend_until > 0)
			e = ERR_NEW("no heartbeat for %s, past the deadline it "
				    "set with EXTEND_TIMEOUT_USEC%s%s%s%s",
				    d1, wi->work ? ", in WORK unit \"" : "",
				    wi->work ? wi->work : "",
				    wi->work ? "\"" : "", late);
		else if (out->never_beat)
			/* Ready, then silent: likely a daemon whose
			 * watchdog is off, not a hung one. */
			e = ERR_NEW(
			    "no heartbeat for %s (heartbeat_timeout %s); "
			    "it never sent %s; is its watchdog "
			    "enabled?%s",
			    d1, d2,
			    w->pol.heartbeat == WARD_HB_NOTIFY
				? "WATCHDOG=1"
				: "a beat after it was ready",
			    late);
		else
			e = ERR_NEW("no heartbeat for %s (heartbeat_timeout "
				    "%s)%s%s%s%s",
				    d1, d2, wi->work ? ", in WORK unit \"" : "",
				    wi->work ? wi->work : "",
				    wi->work ? "\"" : "", late);
		if (out->never_beat)
			err_set(e, "never_beat", "true");
		err_set(e, "last_beat_ms", "%.0f", out->beat_age * 1000);
		if (late[0] != '\0')
			err_set(e, "silent_up_to_ms", "%.0f",
				(out->beat_age + wi->beat.doubt) * 1000);
		if (wi->work)
			err_set(e, "work", "%s", wi->work);
		return ERR_WRAP_P(e, "ward \"%s\" is hung", wi->label);
	case WCAUSE_START_TIMEOUT:
		parse_format_duration(w->start_timeout_ms, d2, sizeof(d2));
		e = ERR_NEW("no first beat or READY=1 within start_timeout %s",
			    d2);
		return ERR_WRAP_P(e, "ward \"%s\" did not start", wi->label);
	case WCAUSE_TRIGGER:
		e = ERR_NEW("it wrote WATCHDOG=trigger%s%s%s",
			    wi->work ? " in WORK unit \"" : "",
			    wi->work ? wi->work : "", wi->work ? "\"" : "");
		return ERR_WRAP_P(e, "ward \"%s\" asked to be healed",
				  wi->label);
	case WCAUSE_MEMORY:
		return ERR_WRAP_P(steward_cgroup_memory_error(wi),
				  "ward \"%s\" uses too much memory",
				  wi->label);
	case WCAUSE_EXIT:
	case WCAUSE_SIGNAL:
		if ((e = steward_cgroup_oom_error(wi)) != NULL)
			return ERR_WRAP_P(e, "ward \"%s\" ran out of memory",
					  wi->label);
		if (ward_exit_clean(&w->pol, wi->sm.exit_status,
				    wi->sm.exit_spawn_failed))
			return NULL;
		steward_describe_status(wi->sm.exit_status, how, sizeof(how));
		e = ERR_NEW("%s%s%s%s", how, wi->work ? " in WORK unit \"" : "",
			    wi->work ? wi->work : "", wi->work ? "\"" : "");
		if (WIFEXITED(wi->sm.exit_status))
			err_set(e, "exit_code", "%d",
				WEXITSTATUS(wi->sm.exit_status));
		else if (WIFSIGNALED(wi->sm.exit_status))
			err_set(
			    e, "signal", "%s",
			    parse_signal_name(WTERMSIG(wi->sm.exit_status)));
		return ERR_WRAP_P(e, "ward \"%s\" ended", wi->label);
	default:
		return NULL;
	}
}

/* What happens next, as the end of a reason. */
static void
steward_next(struct ward_inst *wi, const struct ward_out *out, char *buf,
	     size_t len)
{
	const struct ward_spec *w = wi->ward->spec;
	char d[32];

	buf[0] = '\0';
	switch (out->to) {
	case WARD_STOPPING:
		if (out->cause == WCAUSE_STOP_TIMEOUT) {
			parse_format_duration(w->stop_timeout_ms, d, sizeof(d));
			snprintf(buf, len,
				 "still running %s after %s: sending "
				 "KILL to its %s",
				 d,
				 wi->sm.signalled
				     ? parse_signal_name(w->stop_signal)
				     : "it said STOPPING=1",
				 wi->ward->steward->cg != NULL
				     ? "process group and its cgroup"
				     : "process group");
		} else if (out->actions & WACT_SIGNAL_STOP)
			snprintf(buf, len, "sending %s to its %s",
				 parse_signal_name(w->stop_signal),
				 w->stop_group ? "process group"
					       : "main process");
		else
			snprintf(buf, len, "waiting for it to exit");
		break;
	case WARD_BACKOFF:
		parse_format_duration((int64_t)llround(out->delay * 1000), d,
				      sizeof(d));
		if (out->cause == WCAUSE_NO_RESOURCES) {
			snprintf(buf, len,
				 "retrying in %s (try %u; no restart token "
				 "spent, %d left)",
				 d, wi->sm.short_spawns,
				 (int)floor(out->tokens));
			break;
		}
		snprintf(buf, len,
			 "restarting in %s (restart %u, %d token%s "
			 "left)",
			 d, wi->sm.restarts, (int)floor(out->tokens),
			 (int)floor(out->tokens) == 1 ? "" : "s");
		break;
	case WARD_FAILED:
		if (w->pol.start_retries >= 0 &&
		    wi->sm.start_failures > (unsigned)w->pol.start_retries) {
			snprintf(
			    buf, len,
			    "gave up after %u starts that never "
			    "ran (startretries = %d): not restarting until it "
			    "is started again",
			    wi->sm.start_failures, w->pol.start_retries);
			break;
		}
		parse_format_duration(w->limit.period_ms, d, sizeof(d));
		snprintf(buf, len,
			 "restart limit %u/%s spent: not restarting "
			 "until it is started again",
			 w->limit.burst, d);
		break;
	case WARD_STOPPED:
		/* It ended while stewardd stops (ward.h: shutdown). */
		if (out->cause != WCAUSE_STOP &&
		    out->cause != WCAUSE_SHUTDOWN && out->from != WARD_STOPPING)
			snprintf(buf, len,
				 "not restarting: stewardd is shutting down");
		break;
	case WARD_EXITED:
		snprintf(buf, len, "not restarting (restart = %s)",
			 w->pol.restart == WARD_RESTART_NEVER ? "never"
							      : "on-failure");
		break;
	default:
		break;
	}
}

/* Why the instance moved, in words, when no error says it. */
static void
steward_plain_reason(struct ward_inst *wi, const struct ward_out *out,
		     const struct ward_input *in, char *buf, size_t len)
{
	const struct ward_spec *w = wi->ward->spec;
	char d[32];

	switch (out->cause) {
	case WCAUSE_START:
		snprintf(buf, len, "started");
		break;
	case WCAUSE_BACKOFF_DONE:
		snprintf(buf, len, "restarted after its backoff delay");
		break;
	case WCAUSE_READY:
		snprintf(buf, len, "%s",
			 in->event == WEV_READY ? "READY=1 received"
						: "first heartbeat received");
		break;
	case WCAUSE_UP:
		parse_format_duration(w->start_timeout_ms, d, sizeof(d));
		snprintf(buf, len, "up for %s (heartbeat = none)", d);
		break;
	case WCAUSE_EXIT:
	case WCAUSE_SIGNAL:
		steward_describe_status(wi->sm.exit_status, buf, len);
		break;
	case WCAUSE_WARD_STOPPING:
		snprintf(buf, len, "stopping on its own (STOPPING=1)");
		break;
	case WCAUSE_STOP:
		snprintf(buf, len, "%s",
			 wi->order_why ? wi->order_why : "stopped by request");
		break;
	case WCAUSE_RESTART:
		snprintf(buf, len, "%s",
			 wi->order_why ? wi->order_why : "restart requested");
		break;
	case WCAUSE_SHUTDOWN:
		snprintf(buf, len, "stewardd is shutting down");
		break;
	case WCAUSE_STOP_TIMEOUT:
		snprintf(buf, len, "did not stop");
		break;
	default:
		snprintf(buf, len, "%s", ward_cause_name(out->cause));
		break;
	}
}

/* The log level of a transition. */
static enum evlog_level
steward_level(const struct ward_out *out, const struct err *e)
{
	if (out->to == WARD_FAILED || out->cause == WCAUSE_NO_RESOURCES)
		return EVLOG_ERROR;
	if (e != NULL || out->to == WARD_STOPPING || out->to == WARD_BACKOFF)
		return out->cause == WCAUSE_STOP ||
			       out->cause == WCAUSE_SHUTDOWN ||
			       out->cause == WCAUSE_RESTART
			   ? EVLOG_INFO
			   : EVLOG_WARN;
	return EVLOG_INFO;
}

/* Write one transition to the event log, and its readable mirror. */
void
steward_log_transition(struct steward *s, struct ward_inst *wi,
		       const struct ward_out *out, const struct ward_input *in,
		       struct err *spawn_err)
{
	struct err *e = steward_failure(s, wi, out, spawn_err);
	char next[192], plain[256];
	char *reason, *words = NULL;
	const char *event = out->cause == WCAUSE_STOP_TIMEOUT
				? "killing"
				: ward_state_name(out->to);
	uint64_t id = 0;
	struct evlog_rec r;

	steward_next(wi, out, next, sizeof(next));
	if (e != NULL) {
		char *msg = err_person_message(e);

		wi->last_errno = err_errno(e);

		/* Healing after a stop for a failure: the same failure. */
		if (out->from == WARD_STOPPING && wi->last_log_id != 0 &&
		    out->cause == wi->last_cause)
			id = wi->last_log_id;
		else
			id = evlog_next_id(s->log);
		/* What it wrote last, beside the failure (tail.c). */
		if ((words = tail_last_words(wi)) != NULL) {
			char *with =
			    xasprintf("%s; last words: %s", msg, words);

			free(msg);
			msg = with;
		}
		reason = next[0] ? xasprintf("%s; %s", msg, next) : msg;
		if (reason != msg)
			free(msg);
	} else {
		steward_plain_reason(wi, out, in, plain, sizeof(plain));
		reason =
		    next[0] ? xasprintf("%s; %s", plain, next) : xstrdup(plain);
	}

	evlog_begin(&r, s->log, steward_level(out, e), event);
	evlog_str(&r, "ward", wi->ward->spec->name);
	evlog_int(&r, "replica", wi->replica);
	if (wi->ward->run != NULL)
		evlog_int(&r, "run", (long long)wi->ward->run_id);
	if (wi->pid > 0)
		evlog_int(&r, "pid", wi->pid);
	evlog_str(&r, "from", ward_state_name(out->from));
	evlog_str(&r, "state", ward_state_name(out->to));
	evlog_str(&r, "cause", ward_cause_name(out->cause));
	if (out->cause == WCAUSE_NO_RESOURCES)
		evlog_str(&r, "fault", "stewardd");
	evlog_str(&r, "reason", reason);
	if (in->event == WEV_EXIT) {
		if (in->spawn_failed)
			;
		else if (WIFEXITED(in->status))
			evlog_int(&r, "exit_code", WEXITSTATUS(in->status));
		else if (WIFSIGNALED(in->status))
			evlog_str(&r, "signal",
				  parse_signal_name(WTERMSIG(in->status)));
		steward_cgroup_record(wi, &r);
	}
	evlog_int(&r, "restarts", wi->sm.restarts);
	evlog_num(&r, "tokens", floor(out->tokens * 100) / 100);
	if (out->to == WARD_BACKOFF)
		evlog_int(&r, "delay_ms", llround(out->delay * 1000));
	if (out->from == WARD_RUNNING || out->from == WARD_STARTING ||
	    out->from == WARD_STOPPING)
		evlog_int(&r, "last_beat_ms",
			  llround((in->now - wi->sm.last_beat) * 1000));
	if (out->cause == WCAUSE_HEARTBEAT_TIMEOUT &&
	    wi->beat.doubt >= STEWARD_DOUBT_SAID)
		evlog_int(
		    &r, "silent_up_to_ms",
		    llround((in->now - wi->sm.last_beat + wi->beat.doubt) *
			    1000));
	if (wi->work != NULL)
		evlog_str(&r, "work", wi->work);
	if (words != NULL)
		evlog_str(&r, "last_words", words);
	free(words);
	if (e != NULL)
		evlog_err(&r, id, e);
	evlog_commit(&r);

	if (!s->log_is_stderr) {
		if (id != 0)
			log_line("%-12s %-8s %s [log %llu]", wi->label, event,
				 reason, (unsigned long long)id);
		else
			log_line("%-12s %-8s %s", wi->label, event, reason);
	}
	steward_tell_record(s, wi, out, in); /* eventlisteners */
	if (out->to == WARD_STOPPING || out->to == WARD_BACKOFF ||
	    out->to == WARD_FAILED || out->to == WARD_EXITED ||
	    out->to == WARD_STOPPED) {
		/* The last restart, stop or failure, for status. */
		free(wi->last_reason);
		wi->last_reason = reason;
		wi->last_cause = out->cause;
		wi->last_log_id = id;
	} else {
		free(reason);
	}
	if (out->to != WARD_STOPPING && wi->order_why != NULL) {
		/* The order is carried out (or overtaken): forget it. */
		free(wi->order_why);
		wi->order_why = NULL;
	}
	err_free(e);
}
