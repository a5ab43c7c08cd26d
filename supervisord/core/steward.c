/*
 * The steward: one libev loop that runs every ward instance.
 *
 * This file is the thin layer that performs what the state machine
 * (ward.c) decides: it spawns (ward-spawn.c), signals process groups,
 * waits for each instance's deadline (the ward's deadline list, or the
 * instance's own timer), hears beats (ward-beat.c), reaps, and
 * writes one event-log record per transition with its reason.
 *
 * Reaping, and never signalling a reused pid.  stewardd is a child
 * subreaper (PR_SET_CHILD_SUBREAPER): the orphans of its wards become its
 * children.  One SIGCHLD watcher (not libev's ev_child, which reaps
 * first and calls back later) finds ended children with waitid(WNOWAIT):
 * each stays a zombie, its pid and process group id held, while
 * steward_child_ended() reads its pipes and sends SIGKILL to whatever is
 * left of its group; only then is it reaped, and its instance forgets the
 * pid before anything else runs.  So no signal of stewardd can reach a
 * pid the kernel has given to someone else: a live or zombie leader holds
 * every id stewardd signals.  A pid table maps a pid to its instance (an
 * O(1) lookup); a pid that is no instance's is an orphan, reaped and
 * counted.
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

#include "ctl/ctl.h"
#include "ctl/http.h"
#include "daemon/job.h"
#include "daemon/listener.h"
#include "base/log.h"
#include "daemon/metrics.h"
#include "daemon/upbeat.h"
#include "base/parse.h"
#include "core/steward.h"

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

/* A doubt this large (seconds) is said in a hung ward's reason. */
#define STEWARD_DOUBT_SAID 0.1

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

/* The pid table's bucket for pid. */
static struct ward_inst **
steward_pid_slot(struct steward *s, pid_t pid)
{
	return &s->pids[(size_t)pid & (s->npids - 1)];
}

/* Remember which instance pid belongs to (the table grows at 1/2). */
static void
steward_pid_add(struct steward *s, struct ward_inst *wi)
{
	struct ward_inst **slot;

	if ((s->pid_entries + 1) * 2 > s->npids) {
		struct ward_inst **old = s->pids;
		size_t oldn = s->npids;

		s->npids = oldn ? oldn * 2 : 64;
		s->pids = xcalloc(s->npids, sizeof(*s->pids));
		for (size_t i = 0; i < oldn; i++) {
			while (old[i] != NULL) {
				struct ward_inst *x = old[i];

				old[i] = x->pid_next;
				slot = steward_pid_slot(s, x->pid);
				x->pid_next = *slot;
				*slot = x;
			}
		}
		free(old);
	}
	slot = steward_pid_slot(s, wi->pid);
	wi->pid_next = *slot;
	*slot = wi;
	s->pid_entries++;
}

/* Find and forget the instance of pid, or NULL. */
static struct ward_inst *
steward_pid_take(struct steward *s, pid_t pid)
{
	for (struct ward_inst **p = steward_pid_slot(s, pid); *p != NULL;
	     p = &(*p)->pid_next) {
		struct ward_inst *wi = *p;

		if (wi->pid == pid) {
			*p = wi->pid_next;
			wi->pid_next = NULL;
			s->pid_entries--;
			return wi;
		}
	}
	return NULL;
}

static void steward_kill_as(struct steward *s, struct ward_inst *wi, int sig,
			    bool group);

/* Send sig to an instance's process group; a gone group is fine. */
static void
steward_kill(struct steward *s, struct ward_inst *wi, int sig)
{
	steward_kill_as(s, wi, sig, true);
}

/* Send sig to an instance's group, or (group false) its main process. */
static void
steward_kill_as(struct steward *s, struct ward_inst *wi, int sig, bool group)
{
	int rc;

	if (wi->pid <= 0)
		return;
	rc = kill(group ? -wi->pid : wi->pid, sig);
	/*
	 * A child spawned a moment ago may not have called setsid() yet:
	 * its group does not exist, but it does (unreaped, its pid is
	 * ours).  It is the whole group then: signal it directly.
	 */
	if (rc == -1 && errno == ESRCH && group)
		rc = kill(wi->pid, sig);
	if (rc == -1 && errno != ESRCH)
		steward_signal_failed(
		    s, wi,
		    ERR_WRAP_P(ERR_SYS("kill(%s%d, %s)", group ? "-" : "",
				       (int)wi->pid, parse_signal_name(sig)),
			       "cannot signal ward \"%s\"", wi->label));
}

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
static void
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

/* True when an exit code is one restart = on-failure forgives. */
static bool
steward_expected_exit(const struct ward_policy *pol, int code)
{
	bool any = false;

	for (size_t i = 0; i < sizeof(pol->success); i++)
		any = any || pol->success[i] != 0;
	return any ? ((pol->success[code / 8] >> (code % 8)) & 1) : code == 0;
}

/*
 * True when a spawn failed with errnum for stewardd's own lack of
 * resources, not the ward's: no fd (EMFILE, ENFILE), no memory (ENOMEM,
 * ENOBUFS), no room for its notify socket (ENOSPC), or a clone the
 * kernel refused for now (EAGAIN).  child: the errno came from the child
 * before exec, where EAGAIN (setuid past the ward user's RLIMIT_NPROC)
 * and ENOSPC are the ward's.
 */
static bool
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
		if (wi->beat_doubt >= STEWARD_DOUBT_SAID) {
			snprintf(d1, sizeof(d1), "%.1fs to %.1fs",
				 out->beat_age, out->beat_age + wi->beat_doubt);
			snprintf(late, sizeof(late),
				 "; its last beat waited unread up to %.1fs "
				 "while stewardd was stopped or busy",
				 wi->beat_doubt);
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
				(out->beat_age + wi->beat_doubt) * 1000);
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
		if (out->cause == WCAUSE_EXIT &&
		    steward_expected_exit(&w->pol,
					  WEXITSTATUS(wi->sm.exit_status)))
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
static void
steward_log_transition(struct steward *s, struct ward_inst *wi,
		       const struct ward_out *out, const struct ward_input *in,
		       struct err *spawn_err)
{
	struct err *e = steward_failure(s, wi, out, spawn_err);
	char next[192], plain[256];
	char *reason;
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
		evlog_int(&r, "run", (long long)job_run_id(wi->ward->run));
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
	    wi->beat_doubt >= STEWARD_DOUBT_SAID)
		evlog_int(
		    &r, "silent_up_to_ms",
		    llround((in->now - wi->sm.last_beat + wi->beat_doubt) *
			    1000));
	if (wi->work != NULL)
		evlog_str(&r, "work", wi->work);
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
	listener_transition(s, wi, out, in);
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

static void steward_check_done(struct steward *s);
static void steward_timer_fire(struct steward *s, struct ward_inst *wi);

/*
 * Heartbeat deadlines: libev's "be smart about timeouts", strategy 4.
 * Every running instance of a ward has the same deadline rule, its last
 * beat plus heartbeat_timeout, so the instances are kept in a list
 * ordered by last beat (a beat moves its instance to the tail: a few
 * pointer writes), and one timer per ward waits for the head's deadline.
 * With a timer per instance (strategy 3, before), each one fired about
 * every 1.5 s at 1 s beats and 2 s timeouts only to be set again: some
 * 6,700 heap operations a second at 10,000 wards, 13% of stewardd's
 * CPU time there (perf).  Now the ward's timer fires about once a
 * second, and pops only the instances whose deadline has passed, each
 * judged as its own timer would have judged it.  An instance whose
 * deadline is something else (an EXTEND_TIMEOUT_USEC extension, or a
 * state other than running) uses its own timer, as before.
 */

/* Does the instance's deadline follow the ward's rule (the list)? */
static bool
steward_dl_fits(const struct ward_inst *wi)
{
	return wi->sm.state == WARD_RUNNING && wi->sm.extend_until == 0 &&
	       ward_judges_beats(&wi->ward->spec->pol);
}

/* Wait for the head's deadline (or for nothing: an empty list). */
static void
steward_dl_arm(struct steward *s, struct ward_rt *wr)
{
	double after;

	ev_timer_stop(s->loop, &wr->dl_timer);
	if (wr->dl_head == NULL)
		return;
	after = wr->dl_head->sm.last_beat + wr->spec->pol.heartbeat_timeout -
		steward_now();
	ev_timer_set(&wr->dl_timer, after > 0 ? after : 0, 0);
	ev_timer_start(s->loop, &wr->dl_timer);
}

/* Take the instance off its ward's list, if it is on it. */
static void
steward_dl_remove(struct ward_inst *wi)
{
	struct ward_rt *wr = wi->ward;

	if (!wi->on_dl)
		return;
	if (wi->dl_prev != NULL)
		wi->dl_prev->dl_next = wi->dl_next;
	else
		wr->dl_head = wi->dl_next;
	if (wi->dl_next != NULL)
		wi->dl_next->dl_prev = wi->dl_prev;
	else
		wr->dl_tail = wi->dl_prev;
	wi->dl_prev = wi->dl_next = NULL;
	wi->on_dl = false;
}

/* Put the instance on its ward's list by its last beat (mostly last). */
static void
steward_dl_insert(struct steward *s, struct ward_inst *wi)
{
	struct ward_rt *wr = wi->ward;
	struct ward_inst *prev = wr->dl_tail;

	while (prev != NULL && prev->sm.last_beat > wi->sm.last_beat)
		prev = prev->dl_prev;
	wi->dl_prev = prev;
	wi->dl_next = prev != NULL ? prev->dl_next : wr->dl_head;
	if (wi->dl_next != NULL)
		wi->dl_next->dl_prev = wi;
	else
		wr->dl_tail = wi;
	if (prev != NULL)
		prev->dl_next = wi;
	else
		wr->dl_head = wi;
	wi->on_dl = true;
	/*
	 * A new head may be due sooner; otherwise the timer waits on.  Not
	 * when it has fired and waits for its callback, which arms it for
	 * the head: stopping it would take the firing back, and with beats
	 * read first in every turn (batching) it would never run.
	 */
	if (ev_is_pending(&wr->dl_timer))
		return;
	if (wr->dl_head == wi || !ev_is_active(&wr->dl_timer))
		steward_dl_arm(s, wr);
}

/* A beat (or an arm): the instance goes to its place, mostly the tail,
 * on the list or onto it (the timer is left as it is). */
static void
steward_dl_touch(struct steward *s, struct ward_inst *wi)
{
	if (wi->ward->dl_tail == wi)
		return;
	steward_dl_remove(wi);
	steward_dl_insert(s, wi);
}

static void steward_dl_cb(struct ev_loop *loop, ev_timer *w, int revents);

/* See steward.h. */
void
steward_dl_init(struct ward_rt *wr)
{
	ev_init(&wr->dl_timer, steward_dl_cb);
}

/* See steward.h. */
void
steward_dl_fini(struct steward *s, struct ward_rt *wr)
{
	ev_timer_stop(s->loop, &wr->dl_timer);
}

/* A ward's deadline timer: judge every instance whose deadline passed. */
static void
steward_dl_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct ward_rt *wr = container_of(w, struct ward_rt, dl_timer);
	struct steward *s = wr->steward;
	double now = steward_now();

	(void)loop;
	(void)revents;
	s->in_timer_cb = true; /* see steward_apply's WACT_ARM */
	while (wr->dl_head != NULL &&
	       wr->dl_head->sm.last_beat + wr->spec->pol.heartbeat_timeout <=
		   now) {
		struct ward_inst *wi = wr->dl_head;

		steward_dl_remove(wi);
		steward_timer_fire(s, wi); /* may put it back, later */
	}
	s->in_timer_cb = false;
	steward_dl_arm(s, wr);
}

/* Perform what the state machine decided. */
static void
steward_apply(struct steward *s, struct ward_inst *wi,
	      const struct ward_out *out, const struct ward_input *in)
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
		wi->beat_doubt = 0;
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
	if (out->actions & WACT_LOG && spawn_err == NULL)
		steward_log_transition(s, wi, out, in, NULL);
	if (out->actions & WACT_SIGNAL_STOP) {
		steward_kill_as(s, wi, w->stop_signal, w->stop_group);
		if (w->stop_signal != SIGKILL && w->stop_signal != SIGCONT)
			steward_kill_as(s, wi, SIGCONT, w->stop_group);
	}
	if (out->actions & WACT_SIGNAL_KILL) {
		steward_kill_as(s, wi, SIGKILL, w->kill_group);
		steward_cgroup_kill(s, wi); /* and all it started */
	}
	if (out->actions & WACT_DISARM) {
		ev_timer_stop(s->loop, &wi->timer);
		steward_dl_remove(wi);
	}
	if (wi->on_dl && !steward_dl_fits(wi))
		steward_dl_remove(wi); /* its deadline is no longer the rule */
	if (out->actions & WACT_ARM) {
		double after = out->timer_at - steward_now();

		ev_timer_stop(s->loop, &wi->timer);
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
		} else if (steward_dl_fits(wi)) {
			steward_dl_touch(s, wi); /* placed by its last beat */
		} else {
			ev_set_priority(&wi->timer, 0);
			ev_timer_set(&wi->timer, after > 0 ? after : 0, 0);
			ev_timer_start(s->loop, &wi->timer);
		}
	}
	if (spawn_err != NULL) {
		/* No process: the machine heals it like an exit. */
		struct ward_input fin = {
		    .event = WEV_SPAWN_ERROR,
		    .now = in->now,
		    .u = steward_random(),
		    /* A job's replica is never retried: its run fails. */
		    .no_resources =
			wi->ward->run == NULL &&
			steward_short_errno(err_errno(spawn_err), false)};
		struct ward_out fout;

		ward_step(&wi->sm, &w->pol, &fin, &fout);
		if (fout.actions & WACT_LOG)
			steward_log_transition(s, wi, &fout, &fin, spawn_err);
		else
			err_free(spawn_err);
		/* The waits judge the state the failure led to. */
		fout.actions &= ~(unsigned)WACT_LOG;
		steward_apply(s, wi, &fout, &fin);
		return;
	}
	if (out->actions & WACT_LOG) {
		if (wi->ward->run != NULL)
			job_transition(wi->ward->run, wi);
		else
			steward_deps_transition(s, wi, out);
		if (s->ctl != NULL)
			ctl_transition(s->ctl, wi);
		upbeat_update(s);
		if (s->settle_armed && !ev_is_active(&s->settle))
			ev_prepare_start(s->loop, &s->settle);
	}
}

/* Feed an event with its full input; see steward.h. */
void
steward_step_input(struct steward *s, struct ward_inst *wi,
		   struct ward_input *in)
{
	struct ward_out out;

	double last_beat = wi->sm.last_beat;

	if (in->now == 0)
		in->now = steward_now();
	in->u = steward_random();
	ward_step(&wi->sm, &wi->ward->spec->pol, in, &out);
	if (wi->on_dl && wi->sm.last_beat != last_beat)
		steward_dl_touch(s, wi); /* a beat: the deadline moved */
	if (out.actions != 0)
		steward_apply(s, wi, &out, in);
	/* While stewardd stops, an ending ward is not healed. */
	if (s->stopping && wi->sm.state == WARD_BACKOFF) {
		struct ward_input stop = {.event = WEV_SHUTDOWN,
					  .now = in->now};

		ward_step(&wi->sm, &wi->ward->spec->pol, &stop, &out);
		if (out.actions != 0)
			steward_apply(s, wi, &out, &stop);
	}
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
	if (was_queued && s->ctl != NULL && wi->nrefs > 0)
		ctl_transition(s->ctl, wi);
	if (wi->order_why != NULL && wi->sm.state != WARD_STOPPING) {
		/* Nothing was logged to carry it (no process, say). */
		free(wi->order_why);
		wi->order_why = NULL;
	}
}

/*
 * Batching, when beats are many.  Each beat is a wake-up of the loop, and
 * a wake-up costs more than the beat itself: at 10,000 wards beating once
 * a second, most of stewardd's CPU time went to epoll_wait(2).  So once a
 * second the loop looks at how many beats it heard: from STEWARD_BATCH_ON
 * beats a second, it gathers ready pipes for up to 1 ms before it polls
 * and lets timers wait up to 2 ms (libev's collect intervals; epoll
 * counts in whole milliseconds, so the timer interval must exceed the I/O
 * one by one for any sleep to happen), and a wake-up serves many beats;
 * below STEWARD_BATCH_OFF it wakes for each event again.  The price: a
 * deadline is judged up to 2 ms later and a beat is stamped up to 1 ms
 * late.  A signal ends the sleep at once (libev's handler interrupts
 * nanosleep), so a ward's death is handled as soon as without batching.

 *   The look costs a wake-up a second, so it is taken only while beats
 * come: a second without any (wards with heartbeat = none, or none at
 * all) stops the timer, and the next beat heard starts it again
 * (steward_tune_wake()).  An idle stewardd wakes for nothing.
 */
#define STEWARD_BATCH_ON 3000
#define STEWARD_BATCH_OFF 1500

static void
steward_tune_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct steward *s = container_of(w, struct steward, tune);
	uint64_t rate = s->beats - s->beats_at_tune;

	(void)revents;
	s->beats_at_tune = s->beats;
	if (!s->batching && rate == 0) {
		ev_timer_stop(loop, w); /* until the next beat */
	} else if (!s->batching && rate >= STEWARD_BATCH_ON) {
		s->batching = true;
		ev_set_io_collect_interval(loop, 0.001);
		ev_set_timeout_collect_interval(loop, 0.002);
	} else if (s->batching && rate < STEWARD_BATCH_OFF) {
		s->batching = false;
		ev_set_io_collect_interval(loop, 0);
		ev_set_timeout_collect_interval(loop, 0);
	}
}

/* A beat was heard: count it, and look at the rate again if idle. */
void
steward_tune_wake(struct steward *s)
{
	s->beats++;
	if (!ev_is_active(&s->tune))
		ev_timer_again(s->loop, &s->tune);
}

/* An instance's timer fired: judge its deadline or step its state. */
static void
steward_timer_fire(struct steward *s, struct ward_inst *wi)
{
	struct ward_input in = {.event = WEV_TIMER, .now = steward_now()};

	if ((wi->sm.state == WARD_RUNNING || wi->sm.state == WARD_STARTING) &&
	    ward_timer_due(&wi->sm, &wi->ward->spec->pol, in.now)) {
		/* Beats that wait in the pipe count before the judgement
		 * (not before a mere re-arm: no syscall per beat for it). */
		ward_beat_poll(s, wi);
		ward_notify_poll(s, wi);
		if (wi->sm.state != WARD_RUNNING &&
		    wi->sm.state != WARD_STARTING)
			return; /* a message there changed its state */
	}
	steward_step_input(s, wi, &in);
}

static void
steward_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct ward_inst *wi = container_of(w, struct ward_inst, timer);
	struct steward *s = wi->ward->steward;

	(void)loop;
	(void)revents;
	s->in_timer_cb = true; /* see steward_apply's WACT_ARM */
	steward_timer_fire(s, wi);
	s->in_timer_cb = false;
}

/* The guard died (it should not): wards lose their cover; say so. */
static void
steward_guard_lost(struct steward *s, int status)
{
	struct evlog_rec r;
	char how[96];

	steward_describe_status(status, how, sizeof(how));
	s->guard.pid = 0;
	evlog_begin(&r, s->log, EVLOG_ERROR, "guard_lost");
	evlog_str(&r, "reason", how);
	evlog_str(
	    &r, "impact",
	    "if stewardd is killed with SIGKILL, the children of wards will "
	    "not be killed with it");
	evlog_commit(&r);
}

/* The wait status of an ended child, from what waitid(2) told. */
static int
steward_wait_status(const siginfo_t *si)
{
	switch (si->si_code) {
	case CLD_EXITED:
		return (si->si_status & 0xff) << 8;
	case CLD_KILLED:
		return si->si_status & 0x7f;
	case CLD_DUMPED:
		return (si->si_status & 0x7f) | 0x80;
	default:
		return 0;
	}
}

/* Reap an ended child; its wait status (0 if it was not ours to reap). */
static int
steward_reap(pid_t pid)
{
	int status = 0;
	pid_t r;

	do
		r = waitpid(pid, &status, WNOHANG);
	while (r == -1 && errno == EINTR);
	/* Reaped elsewhere cannot happen: we are its only reaper. */
	return r == pid ? status : 0;
}

/*
 * One child has ended (it is a zombie, not yet reaped; si is what
 * waitid(WNOWAIT) said of it): do everything that signals its process
 * group while the zombie still holds the pid and the group id, tell the
 * state machine, then reap it.  A restart due at once runs right after
 * this returns (see steward_apply's WACT_ARM).
 */
static void
steward_child_ended(struct steward *s, pid_t pid, const siginfo_t *si)
{
	struct ward_inst *wi = steward_pid_take(s, pid);
	struct ward_input in = {.event = WEV_EXIT};

	if (wi == NULL) {
		int status = steward_reap(pid);

		if (pid == s->guard.pid)
			steward_guard_lost(s, status);
		else
			s->orphans_reaped++;
		return;
	}
	/*
	 * What it wrote just before it ended still counts (a last beat,
	 * READY=1, STOPPING=1): read it as from the living, while the
	 * zombie holds the pid and the group id.
	 */
	ward_beat_poll(s, wi);
	ward_notify_poll(s, wi);
	ward_spawn_drain(s, wi);
	ward_spawn_close(s, wi);
	ward_beat_close(s, wi);
	ward_notify_close(s, wi);
	ward_capture_close(s, wi);
	listener_detach(s, wi, true);
	/* What is left of the group goes with its leader; the unreaped
	 * leader keeps the group id from being reused. */
	steward_kill(s, wi, SIGKILL);
	in.status = steward_wait_status(si);
	in.spawn_failed = wi->report.stage != 0;
	in.no_resources = in.spawn_failed && wi->ward->run == NULL &&
			  steward_short_errno(wi->report.errnum, true);
	in.now = steward_now();
	if (steward_cgroup_linger(s, wi, &in)) {
		/* The rest of its cgroup is being killed: the exit is
		 * told once it is empty (steward_exit_held). */
		wi->cg.exit_pid = pid;
		wi->pid = 0;
		guard_remove(&s->guard, pid);
		(void)steward_reap(pid);
		return;
	}
	/*
	 * The exit event sends no signal; wi->pid still names the ended
	 * process for the transition's record, and is cleared after.
	 */
	steward_step_input(s, wi, &in);
	if (wi->pid == pid)
		wi->pid = 0;
	/* The guard forgets the group before its id can be reused. */
	guard_remove(&s->guard, pid);
	(void)steward_reap(pid);
	if (s->stopping)
		steward_check_done(s);
}

/* The held exit of an instance whose cgroup is empty now; steward.h. */
void
steward_exit_held(struct steward *s, struct ward_inst *wi,
		  struct ward_input *in)
{
	pid_t pid = wi->cg.exit_pid;

	/* As for an exit not held: the transition's record names the
	 * process that ended (reaped: the exit sends no signal). */
	wi->cg.exit_pid = 0;
	if (wi->pid == 0)
		wi->pid = pid;
	steward_step_input(s, wi, in);
	if (wi->pid == pid)
		wi->pid = 0;
	if (s->stopping)
		steward_check_done(s);
}

/*
 * Children that ended are found with waitid(WNOWAIT), which leaves them
 * zombies until steward_child_ended() has finished with their pid and
 * group.  libev's own ev_child would reap first and run the callback
 * later, a window in which another callback could signal a pid already
 * reused by a stranger.  One pass handles every ended child.
 *
 * waitid(P_ALL) walks every child stewardd has: with 10,000 wards one
 * pass took 1.9 ms (perf trace), and it ran right after each death,
 * beside the replacement's start.  So a death is first heard where it
 * is cheap: a ward's heartbeat pipe reads EOF when it dies, and
 * steward_child_hint() asks about that one pid (waitid(P_PID)).  The EOF
 * mostly comes a little before the process is a zombie (a process
 * closes its files early in exit), so the pid is also noted as dying,
 * and SIGCHLD asks about the dying pids first.
 *
 * Then the full pass, at the lowest priority of the next loop iteration,
 * after the restarts due then; it finds what no pipe told: a ward
 * without a heartbeat pipe, or whose pipe a grandchild keeps open,
 * orphans, the guard.  It is put off when nothing seems left for it:
 * every process of an instance has a pipe being heard, and each SIGCHLD
 * since the last pass came with at least one death its pipe told of.
 * SIGCHLDs merge (in the kernel, and in libev until its handler's flag
 * is read), so that is no proof: the rest of a group, killed with its
 * leader, mostly ends within the leader's SIGCHLD.  So a sweep still
 * walks every child STEWARD_SWEEP_AFTER later, once for all the deaths
 * of that span: such an orphan is reaped, and the guard or a ward whose
 * pipe a grandchild holds that ends beside a pipe-told death is handled,
 * at most that much later.
 *   A pass handles deaths for STEWARD_REAP_SLICE seconds at most (a stop
 * of 10,000 wards ends 10,000 processes at once); then it goes on in the
 * next loop iteration, by the sweep timer due at once.
 */
#define STEWARD_REAP_SLICE 0.005

static void
steward_reap_all(struct steward *s)
{
	double t0 = steward_now();

	s->chld_signals = 0;
	s->chld_told = 0;
	ev_timer_stop(s->loop, &s->sweep);
	for (;;) {
		siginfo_t si = {0};

		if (steward_now() - t0 >= STEWARD_REAP_SLICE) {
			/* More may be waiting: the rest in a moment. */
			ev_timer_set(&s->sweep, 0, 0);
			ev_timer_start(s->loop, &s->sweep);
			return;
		}

		if (waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) == -1) {
			if (errno == EINTR)
				continue;
			return; /* ECHILD: no children */
		}
		if (si.si_pid == 0)
			return; /* children, none ended */
		steward_child_ended(s, si.si_pid, &si);
	}
}

/* The pass SIGCHLD arms: now, or put off to the sweep (see above). */
static void
steward_reap_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct steward *s = container_of(w, struct steward, reap);

	(void)revents;
	if (!s->stopping && s->nhearing == s->pid_entries &&
	    s->chld_told >= s->chld_signals) {
		s->chld_signals = 0;
		s->chld_told = 0;
		if (!ev_is_active(&s->sweep)) {
			ev_timer_set(&s->sweep, STEWARD_SWEEP_AFTER, 0);
			ev_timer_start(loop, &s->sweep);
		}
		return;
	}
	steward_reap_all(s);
}

/* The sweep: the full pass that was put off. */
static void
steward_sweep_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	steward_reap_all(container_of(w, struct steward, sweep));
}

/* Has pid ended?  Then handle it; true if it had. */
static bool
steward_ask_pid(struct steward *s, pid_t pid)
{
	siginfo_t si = {0};
	int r;

	do
		r = waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT);
	while (r == -1 && errno == EINTR);
	if (r == 0 && si.si_pid == pid) {
		s->chld_told++;
		steward_child_ended(s, pid, &si);
		return true;
	}
	return false;
}

/* SIGCHLD: the dying first, a full pass soon; see steward_reap_cb. */
static void
steward_sigchld_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
	struct steward *s = w->data;
	pid_t dying[STEWARD_DYING_MAX];
	unsigned n = s->ndying;

	(void)revents;
	s->chld_signals++;
	/* A dying pid that has not ended (a ward that closed its pipe and
	 * lives on) is forgotten: the full pass will find its end.  A
	 * copy: handling an end may note new dying pids. */
	memcpy(dying, s->dying, n * sizeof(dying[0]));
	s->ndying = 0;
	for (unsigned i = 0; i < n; i++)
		(void)steward_ask_pid(s, dying[i]);
	if (!ev_is_active(&s->reap) && !ev_is_pending(&s->reap)) {
		ev_timer_set(&s->reap, 0, 0);
		ev_timer_start(loop, &s->reap);
	}
}

/* The instance's process may have ended: ask about it alone; steward.h. */
void
steward_child_hint(struct steward *s, struct ward_inst *wi)
{
	pid_t pid = wi->pid;

	if (pid <= 0 || steward_ask_pid(s, pid))
		return;
	if (s->ndying < STEWARD_DYING_MAX)
		s->dying[s->ndying++] = pid; /* ending: see steward_reap_cb */
}

/*
 * Kill every child of stewardd that is still running (orphans of wards
 * that left their process groups), with its process group; return how
 * many.  An unreaped child's pid cannot be recycled, so this is safe.
 */
static unsigned
steward_kill_children(struct steward *s)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	unsigned killed = 0;

	if (d == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		char path[300], buf[512], *p;
		FILE *f;
		int ppid, pgrp;
		char state;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", de->d_name);
		if ((f = fopen(path, "re")) == NULL)
			continue;
		p = fgets(buf, sizeof(buf), f);
		fclose(f);
		if (p == NULL || (p = strrchr(buf, ')')) == NULL)
			continue;
		if (sscanf(p + 1, " %c %d %d", &state, &ppid, &pgrp) != 3 ||
		    ppid != s->self || state == 'Z')
			continue;
		pid_t pid = (pid_t)atoi(de->d_name);
		if (pid == s->guard.pid)
			continue;
		/* Its group too, while it (a member) holds the id. */
		if (pgrp == pid)
			(void)kill(-pid, SIGKILL);
		if (kill(pid, SIGKILL) == 0)
			killed++;
	}
	closedir(d);
	return killed;
}

/* Reap whatever has ended; wait up to until for children to go. */
static bool
steward_reap_until(double until)
{
	for (;;) {
		pid_t p = waitpid(-1, NULL, WNOHANG);
		struct timespec ts = {0, 2000000};

		if (p == -1 && errno == ECHILD)
			return true; /* no children left */
		if (p > 0)
			continue;
		if (steward_now() >= until)
			return false;
		nanosleep(&ts, NULL);
	}
}

/*
 * At shutdown: kill what is left of stewardd's children, round after
 * round (a killed orphan's own children become ours), and reap them.
 */
static void
steward_kill_orphans(struct steward *s)
{
	unsigned killed = 0;
	char self[32];
	ssize_t len;

	/* Members of groups killed a moment ago are dying: let them. */
	if (steward_reap_until(steward_now() + 0.1))
		return;
	/*
	 * /proc may belong to an outer pid namespace (unshare --pid without
	 * --mount-proc): its pids are not ours, and a ppid there that equals
	 * our pid is someone else's child.  Then leave the rest to the
	 * kernel, which kills a namespace's processes with its PID 1.
	 */
	len = readlink("/proc/self", self, sizeof(self) - 1);
	if (len <= 0 || (self[len] = '\0', atoi(self) != (int)s->self)) {
		struct evlog_rec r;

		evlog_begin(&r, s->log, EVLOG_WARN, "orphans_not_swept");
		evlog_str(
		    &r, "reason",
		    "/proc is not this pid namespace's: processes left behind "
		    "by wards outside their process groups are not killed "
		    "(as PID 1 of a namespace, the kernel kills them when "
		    "stewardd exits)");
		evlog_commit(&r);
		return;
	}
	for (int round = 0; round < 50; round++) {
		unsigned n = steward_kill_children(s);

		killed += n;
		if (steward_reap_until(steward_now() + (n ? 0.2 : 0.02)) ||
		    n == 0)
			break;
	}
	if (killed > 0) {
		struct evlog_rec r;

		evlog_begin(&r, s->log, EVLOG_WARN, "orphans_killed");
		evlog_int(&r, "count", killed);
		evlog_str(
		    &r, "reason",
		    "processes left behind by wards outside their process "
		    "groups were killed at shutdown");
		evlog_commit(&r);
	}
}

/* True when some instance of the ward has a process; see steward.h. */
bool
steward_ward_live(const struct ward_rt *wr)
{
	for (unsigned j = 0; j < wr->ninst; j++)
		if (wr->inst[j]->pid > 0 || wr->inst[j]->cg.linger)
			return true;
	return false;
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

		if (!wr->shut && steward_deps_may_stop(wr) &&
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
		    !steward_deps_may_stop(wr))
			continue;
		wr->shut = true;
		for (unsigned j = 0; j < wr->ninst; j++)
			steward_step(s, wr->inst[j], WEV_SHUTDOWN);
	}
	return true;
}

/* While stopping: once no instance has a process, end the loop. */
static void
steward_check_done(struct steward *s)
{
	for (;;) {
		for (size_t i = 0; i < s->nwards; i++)
			if (s->wards[i]->shut && steward_ward_live(s->wards[i]))
				return;
		if (!steward_shutdown_next(s))
			break;
	}
	for (size_t i = 0; i < s->nwards; i++)
		if (steward_ward_live(s->wards[i]))
			return;
	if (job_live(s))
		return;
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
	upbeat_stopping(s);
	listener_supervisor(s, false);
	ev_timer_stop(s->loop, &s->hup);
	job_cancel_all(s, "stewardd is shutting down");
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

/* SIGUSR1: reopen the event log (after rotation). */
static void
steward_signal_reopen(struct ev_loop *loop, ev_signal *w, int revents)
{
	struct steward *s = w->data;
	struct err *e = NULL;
	struct evlog_rec r;

	(void)loop;
	(void)revents;
	if (evlog_reopen(s->log, &e) == -1) {
		e = ERR_WRAP_P(e, "cannot reopen the event log %s",
			       s->cfg->event_log);
		evlog_begin(&r, s->log, EVLOG_ERROR, "event_log_reopen_failed");
		evlog_err(&r, evlog_next_id(s->log), e);
		evlog_commit(&r);
		err_free(e);
		return;
	}
	evlog_begin(&r, s->log, EVLOG_INFO, "event_log_reopened");
	evlog_str(&r, "reason", "SIGUSR1");
	evlog_commit(&r);
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
	steward_reload(s, "SIGHUP", NULL);
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
	steward_reload_settle(s);
	job_settle(s);
	steward_deps_settle(s);
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
	wi->hb_fd = -1;
	wi->err_fd = -1;
	wi->notify_fd = -1;
	wi->out_fd = -1;
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
	if (s->ctl != NULL)
		ctl_forget(s->ctl, wi);
	steward_pace_cancel(s, wi);
	ev_timer_stop(s->loop, &wi->timer);
	steward_dl_remove(wi);
	ward_spawn_close(s, wi);
	ward_beat_close(s, wi);
	ward_notify_close(s, wi);
	ward_capture_close(s, wi);
	listener_detach(s, wi, false);
	steward_cgroup_inst_free(s, wi);
	sbuf_free(&wi->out);
	if (wi->sm.state == WARD_STARTING)
		s->nstarting--;
	if (wi->want_start || wi->want_stop)
		s->nwaiting--;
	free(wi->notify_path);
	free(wi->spawn_path);
	free(wi->work);
	free(wi->status);
	free(wi->last_reason);
	free(wi->order_why);
	free(wi->refs);
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
	listener_ward_new(s, wr);
	return wr;
}

/* Free a ward whose instances have no process; see steward.h. */
void
steward_ward_free(struct steward *s, struct ward_rt *wr)
{
	for (unsigned j = 0; j < wr->ninst; j++)
		steward_inst_free(s, wr->inst[j]);
	listener_ward_free(s, wr);
	steward_cgroup_ward_free(s, wr);
	steward_dl_fini(s, wr);
	free(wr->inst);
	free(wr->req);
	free(wr->aft);
	free(wr->dependents);
	config_unref(wr->cfg);
	config_unref(wr->next_cfg);
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

/* Free every ward. */
static void
steward_teardown(struct steward *s)
{
	steward_deps_free(s);
	for (size_t i = 0; i < s->nwards; i++)
		steward_ward_free(s, s->wards[i]);
	free(s->wards);
	free(s->pids);
	ward_notify_cleanup(s);
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

/* Open the control socket; -1 (said) when stewardd must not start. */
static int
steward_listen(struct steward *s)
{
	const struct config *cfg = s->cfg;
	char *path =
	    cfg->socket ? xstrdup(cfg->socket) : config_default_socket();
	struct err *e = NULL;

	if (path == NULL) {
		log_warnx("no control socket: [steward] socket is not set and "
			  "XDG_RUNTIME_DIR is not set; stewardctl cannot reach "
			  "this stewardd");
		return 0;
	}
	s->ctl = ctl_open(s, path, cfg->has_group, cfg->group_gid, &e);
	if (s->ctl == NULL) {
		char *msg;

		e = ERR_WRAP_P(e, "cannot listen on the control socket %s",
			       path);
		msg = err_person_message(e);
		log_warnx("%s", msg);
		free(msg);
		err_free(e);
		free(path);
		return -1;
	}
	free(path);
	if (cfg->unix_http.file != NULL &&
	    (s->http = http_open(s, &cfg->unix_http, &e)) == NULL) {
		char *msg;

		e = ERR_WRAP_P(e, "cannot serve [unix_http_server] on %s",
			       cfg->unix_http.file);
		msg = err_person_message(e);
		log_warnx("%s", msg);
		free(msg);
		err_free(e);
		ctl_close(s->ctl);
		s->ctl = NULL;
		return -1;
	}
	if (cfg->inet_http.port != NULL &&
	    (s->http_inet = http_open(s, &cfg->inet_http, &e)) == NULL) {
		char *msg;

		e = ERR_WRAP_P(e, "cannot serve [inet_http_server] on %s:%s",
			       cfg->inet_http.host, cfg->inet_http.port);
		msg = err_person_message(e);
		log_warnx("%s", msg);
		free(msg);
		err_free(e);
		http_close(s->http);
		s->http = NULL;
		ctl_close(s->ctl);
		s->ctl = NULL;
		return -1;
	}
	return 0;
}

/* Run the steward; see steward.h. */
int
steward_run(struct config *cfg, rlim_t nofile_soft)
{
	struct steward st = {
	    .cfg = cfg, .environ = environ, .nofile_soft = nofile_soft};
	struct steward *s = &st;
	struct err *e = NULL;
	struct evlog_rec r;
	size_t instances = 0;

	s->self = getpid();
	s->started_at = steward_now();
	ward_spawn_init(s); /* first: the lowest free descriptors */
	/* Not the default loop: that one reaps every child itself. */
	s->loop = ev_loop_new(EVFLAG_AUTO);
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
	if (steward_listen(s) == -1) {
		evlog_close(s->log);
		ev_loop_destroy(s->loop);
		ward_spawn_fini(s);
		config_unref(cfg);
		return 73; /* EX_CANTCREAT */
	}
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) == -1)
		log_warnx("cannot become a subreaper (%s): orphans of wards "
			  "will go to init",
			  strerror(errno));

	if (steward_cgroup_open(s) == -1) {
		http_close(s->http_inet);
		http_close(s->http);
		ctl_close(s->ctl);
		evlog_close(s->log);
		ev_loop_destroy(s->loop);
		ward_spawn_fini(s);
		config_unref(cfg);
		return 78; /* EX_CONFIG: cgroups = required */
	}
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
	steward_deps_link(s);
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
	evlog_str(&r, "config", cfg->path);
	evlog_int(&r, "pid", s->self);
	evlog_int(&r, "wards", (long long)s->nwards);
	evlog_int(&r, "instances", (long long)instances);
	evlog_commit(&r);
	if (!s->log_is_stderr)
		log_line("%-12s %-8s version %s, %zu ward%s, %zu instance%s, "
			 "config %s, events in %s",
			 "stewardd", "started", STEWARD_VERSION, s->nwards,
			 s->nwards == 1 ? "" : "s", instances,
			 instances == 1 ? "" : "s", cfg->path, cfg->event_log);

	upbeat_open(s);
	metrics_start(s);
	fdbudget_measure(s); /* what stewardd holds before the wards */
	steward_pace_init(s);
	steward_start_all(s);
	/* Otherwise the feeder says so when the queue is through. */
	s->autostarted = s->pace.queued == 0;
	upbeat_update(s);
	listener_supervisor(s, true);

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
	metrics_stop(s);
	http_close(s->http_inet);
	s->http_inet = NULL;
	http_close(s->http);
	s->http = NULL;
	ctl_close(s->ctl);
	s->ctl = NULL;
	job_teardown(s);
	upbeat_close(s);
	ev_timer_stop(s->loop, &s->hup);
	ev_timer_stop(s->loop, &s->tune);
	ev_prepare_stop(s->loop, &s->settle);
	ev_idle_stop(s->loop, &s->settle_more);
	steward_reload_fini(s);
	steward_pace_fini(s);
	steward_teardown(s);
	listener_fini(s);
	guard_stop(&s->guard);
	steward_cgroup_close(s);
	ev_signal_stop(s->loop, &s->sig_chld);
	ev_timer_stop(s->loop, &s->reap);
	ev_timer_stop(s->loop, &s->sweep);
	ev_signal_stop(s->loop, &s->sig_term);
	ev_signal_stop(s->loop, &s->sig_int);
	ev_signal_stop(s->loop, &s->sig_hup);
	ev_signal_stop(s->loop, &s->sig_usr1);
	evlog_close(s->log);
	ev_loop_destroy(s->loop);
	ward_spawn_fini(s);
	config_unref(s->cfg);
	return s->exit_code;
}
