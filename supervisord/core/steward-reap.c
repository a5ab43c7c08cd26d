/*
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

/* The pid table's bucket for pid. */
static struct ward_inst **
steward_pid_slot(struct steward *s, pid_t pid)
{
	return &s->pids[(size_t)pid & (s->npids - 1)];
}

/* Remember which instance pid belongs to (the table grows at 1/2). */
void
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

/* Send sig to an instance's process group; a gone group is fine. */
void
steward_kill(struct steward *s, struct ward_inst *wi, int sig)
{
	steward_kill_as(s, wi, sig, true);
}

/* Send sig to an instance's group, or (group false) its main process. */
void
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
		    ERR_WRAP_P(ERR_SYS("sending %s to %s %d",
				       parse_signal_name(sig),
				       group ? "process group" : "process",
				       (int)wi->pid),
			       "cannot signal ward \"%s\"", wi->label));
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
	ward_output_close(s, wi);  /* its last words, before its exit */
	steward_tell_ended(s, wi); /* an eventlistener's pipes, say */
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
		steward_inst_recount(s, wi); /* live still: it lingers */
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
	steward_inst_recount(s, wi);
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
	steward_inst_recount(s, wi);
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
 * SIGCHLDs merge (in the kernel, until the loop reads its signalfd),
 * so that is no proof: the rest of a group, killed with its
 * leader, mostly ends within the leader's SIGCHLD.  So a sweep still
 * walks every child STEWARD_SWEEP_AFTER later, once for all the deaths
 * of that span: such an orphan is reaped, and the guard or a ward whose
 * pipe a grandchild holds that ends beside a pipe-told death is handled,
 * at most that much later.
 *
 * Deaths come in storms (a stop of 10,000 wards ends 10,000 processes
 * at once, and a death costs the loop tens to hundreds of microseconds:
 * the pipes read, the group killed, the cgroup's usage read, the record,
 * often a restart).  So none of the three ways is handled past the
 * loop iteration's slice (steward_pace_spent()): a pipe's EOF or a
 * dying pid heard then is put off to the pacer (steward_pace_death()),
 * which asks about it first in the next iterations, slice by slice; a
 * full pass handles at least one ended child, then goes on in the next
 * iteration, by the sweep timer due at once.
 */
static void
steward_reap_all(struct steward *s)
{
	unsigned handled = 0;
	double t0 = steward_now();

	s->chld_signals = 0;
	s->chld_told = 0;
	ev_timer_stop(s->loop, &s->sweep);
	for (;;) {
		siginfo_t si = {0};

		if (handled > 0 && !steward_pace_more(s, t0)) {
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
		handled++;
	}
}

/* The pass SIGCHLD arms: now, or put off to the sweep (see above). */
void
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
void
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
void
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
	for (unsigned i = 0; i < n; i++) {
		if (steward_pace_spent(s))
			steward_pace_death(s, dying[i]); /* see above */
		else
			(void)steward_ask_pid(s, dying[i]);
	}
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

	if (pid <= 0)
		return;
	if (steward_pace_spent(s)) {
		steward_pace_death(s, pid); /* in a later slice: see above */
		return;
	}
	steward_child_late(s, pid);
}

/* Has pid ended?  Handle it, else note it as dying; steward-internal.h. */
void
steward_child_late(struct steward *s, pid_t pid)
{
	if (steward_ask_pid(s, pid))
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
void
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
