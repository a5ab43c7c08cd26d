/*
 * What the core's own files (steward*.c) share and nothing else calls:
 * the split of steward.c by concern (apply, report, deadline, reap)
 * needs these between its files.  Not for daemon/ or ctl/.
 */
#ifndef STEWARD_STEWARD_INTERNAL_H
#define STEWARD_STEWARD_INTERNAL_H

#include <ev.h>
#include <stdbool.h>

#include "base/err.h"
#include "core/steward-events.h"
#include "core/steward.h"
#include "core/ward.h"

/* A doubt this large (seconds) is said in a hung ward's reason. */
#define STEWARD_DOUBT_SAID 0.1

/* steward-reap.c: remember which instance wi->pid belongs to. */
void steward_pid_add(struct steward *s, struct ward_inst *wi);
/* steward-reap.c: send sig to an instance's process group; a gone
 * group is fine. */
void steward_kill(struct steward *s, struct ward_inst *wi, int sig);
/* steward-reap.c: the same to its group, or (group false) its main
 * process. */
void steward_kill_as(struct steward *s, struct ward_inst *wi, int sig,
		     bool group);
/* steward-reap.c: SIGCHLD, and the full waitid(P_ALL) pass it arms now
 * (reap) or puts off (sweep). */
void steward_sigchld_cb(struct ev_loop *loop, ev_signal *w, int revents);
void steward_reap_cb(struct ev_loop *loop, ev_timer *w, int revents);
void steward_sweep_cb(struct ev_loop *loop, ev_timer *w, int revents);
/* steward-reap.c: a death put off (steward_pace_death): has pid ended?
 * Then handle it now. */
void steward_child_late(struct steward *s, pid_t pid);
/* steward-reap.c: at shutdown, kill and reap what is left of stewardd's
 * children. */
void steward_kill_orphans(struct steward *s);

/* steward-report.c: "exited with code 1", "killed by signal KILL". */
void steward_describe_status(int status, char *buf, size_t len);
/* steward-report.c: a spawn failed with errnum for stewardd's own lack
 * of resources, not the ward's (child: the errno came from the child
 * before exec). */
bool steward_short_errno(int errnum, bool child);
/* steward-report.c: write one transition to the event log, and its
 * readable mirror; takes spawn_err (may be NULL). */
void steward_log_transition(struct steward *s, struct ward_inst *wi,
			    const struct ward_out *out,
			    const struct ward_input *in, struct err *spawn_err);

/* steward-deadline.c: take the instance off its ward's list, if on it. */
void steward_dl_remove(struct ward_inst *wi);
/* steward-deadline.c: WACT_WATCH (a beat, or running): the instance goes
 * to its place on the list, mostly the tail. */
void steward_dl_touch(struct steward *s, struct ward_inst *wi);
/* steward-deadline.c: an instance's own timer fired. */
void steward_timer_cb(struct ev_loop *loop, ev_timer *w, int revents);
/* steward-deadline.c: once a second, batching on or off by the beats. */
void steward_tune_cb(struct ev_loop *loop, ev_timer *w, int revents);

/* steward.c: while stopping, end the loop once no instance has a
 * process. */
void steward_check_done(struct steward *s);
/*
 * steward.c: count the instance again in its ward's and stewardd's
 * live counts, after anything steward_inst_live() reads may have
 * changed: its state (steward_step_input), its pid (spawned, reaped)
 * or its cgroup's linger.
 */
void steward_inst_recount(struct steward *s, struct ward_inst *wi);

/* steward-events.c: tell the subscribers (steward-events.h); each
 * returns at once when no one subscribed to the event. */
void steward_tell_record(struct steward *s, struct ward_inst *wi,
			 const struct ward_out *out,
			 const struct ward_input *in);
void steward_tell_transition(struct steward *s, struct ward_inst *wi,
			     const struct ward_out *out,
			     const struct ward_input *in);
void steward_tell_order_done(struct steward *s, struct ward_inst *wi);
unsigned steward_tell_spawn_pipes(struct steward *s, struct ward_inst *wi);
void steward_tell_spawned(struct steward *s, struct ward_inst *wi,
			  struct steward_pipes *p);
void steward_tell_ended(struct steward *s, struct ward_inst *wi);
void steward_tell_ward_new(struct steward *s, struct ward_rt *wr);
void steward_tell_ward_free(struct steward *s, struct ward_rt *wr);
void steward_tell_inst_free(struct steward *s, struct ward_inst *wi);
void steward_tell_settle(struct steward *s);
void steward_tell_reload(struct steward *s, const char *why);
void steward_tell_shutdown(struct steward *s);
bool steward_tell_busy(struct steward *s);
void steward_tell_autostarted(struct steward *s);
/* The policy's start, stop and may_stop (or the plain ones). */
void steward_order_start(struct steward *s, struct ward_inst *wi);
void steward_order_stop(struct steward *s, struct ward_inst *wi);
bool steward_order_may_stop(struct steward *s, const struct ward_rt *wr);

#endif
