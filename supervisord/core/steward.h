/*
 * The running steward: its loop, its wards and their instances.
 *
 * struct steward is passed to everything that acts; there is no global
 * state.  A ward (struct ward_rt) is one [ward:NAME] definition; each of
 * its replicas is an instance (struct ward_inst) with its own state
 * machine (ward.h), process, heartbeat pipe and deadline (its own
 * timer, or its ward's deadline list while it runs: steward-deadline.c).
 * The watchers are embedded in the instance, so an instance costs no
 * allocation per beat and ev_io/ev_timer callbacks find it with
 * container_of.
 */
#ifndef STEWARD_STEWARD_H
#define STEWARD_STEWARD_H

#include <ev.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/un.h>

#include "config/config.h"
#include "base/err.h"
#include "core/evlog.h"
#include "core/fdbudget.h"
#include "core/guard.h"
#include "core/steward-cgroup.h"
#include "core/steward-deadline.h"
#include "core/steward-events.h"
#include "core/steward-pace.h"
#include "core/ward-beat.h"
#include "core/ward-capture.h"
#include "core/ward-notify.h"
#include "core/ward-output.h"
#include "core/ward-spawn.h"
#include "core/ward.h"
#include "proto/ward-proto.h"

#define container_of(ptr, type, member)                                        \
	((type *)(void *)((char *)(ptr)-offsetof(type, member)))

/* Deaths heard on a pipe, remembered until the next SIGCHLD. */
#define STEWARD_DYING_MAX 16
/* Seconds a full waitid(P_ALL) pass may be put off (steward.c) */
#define STEWARD_SWEEP_AFTER 0.05

struct steward;
struct ward_rt;
struct ctl;
struct ctl_ref;
struct metrics;
struct listener_inst;
struct listener_pool;
struct listener_hub;
struct tail_inst;
struct upbeat;
struct group_rt;

struct ward_inst {
	struct ward_rt *ward;
	unsigned replica;
	char label[80]; /* "web:0" */
	struct ward_sm sm;
	pid_t pid;             /* 0 when there is no process; also its pgid */
	struct ward_beat beat; /* its heartbeat pipe (ward-beat.h) */
	struct ward_notify notify; /* heartbeat = notify (ward-notify.h) */
	int err_fd;                /* exec report pipe, read end, or -1 */
	ev_io err_io;
	ev_timer timer;
	struct spawn_report report;
	char *spawn_path; /* the resolved program of the current spawn */
	char *work;       /* the last WORK= unit, or NULL */
	char *status;     /* the last STATUS= text, or NULL */
	uint64_t beats;
	uint64_t beats_past; /* beats of its earlier processes (metrics) */
	/* healing restarts, by the cause they healed (metrics) */
	uint64_t restarts_by_cause[WARD_NCAUSES];
	struct ward_inst *pid_next; /* the pid table's chain */
	/* for status and waits (ctl.c) */
	unsigned generation; /* spawns so far */
	double state_since;  /* when it entered its state */
	char *last_reason;   /* the last restart, stop or failure */
	char *order_why;     /* who ordered the stop or restart under
				way, when not a person (a group) */
	enum ward_cause last_cause;
	uint64_t last_log_id;
	struct ctl_ref *refs; /* the waits that include it */
	size_t nrefs;
	size_t caprefs;
	int last_errno;  /* errno of the last failure, or 0 */
	bool want_start; /* start asked; waiting for requires/after */
	bool want_stop;  /* stop asked; waiting for its dependents */
	/* job replicas: stdout captured up to the job's output_limit */
	struct ward_capture capture;
	double ended_at; /* when it was reaped, or 0 (job.c) */
	/* its place on its ward's heartbeat deadline list */
	struct ward_dl dl;
	/* listener.c: an [eventlistener:]'s pipes while it runs, and the
	 * supervisord state last reported for it (enum sv_state) */
	struct listener_inst *listener;
	unsigned char sv_state;
	size_t pace_slot;  /* queued to start (steward-pace.c): index + 1 */
	bool live_counted; /* counted in its ward's nlive (steward.c) */
	struct ward_cg cg; /* its cgroup (steward-cgroup.c) */
	struct tail_inst *tail;    /* its last lines (tail.c), or NULL */
	struct ward_output output; /* its stdout and stderr (ward-output.c) */
};

struct ward_rt {
	struct steward *steward;
	const struct ward_spec *spec;
	struct config *cfg; /* the config spec lives in (a reference) */
	/* reload (steward-reload.c): what happens once nothing runs */
	const struct ward_spec *next; /* switch to this definition */
	struct config *next_cfg;
	bool start_after; /* start the new definition's instances */
	bool removing;    /* gone from the config: free it */
	bool shut;        /* stewardd's shutdown has reached it */
	bool want_start;  /* unused at ward level; see ward_inst */
	/* steward-deps.c: links, rebuilt after every reload */
	struct ward_rt **req; /* requires */
	size_t nreq;
	struct ward_rt **aft; /* after */
	size_t naft;
	struct ward_rt **dependents; /* wards that require it or come after */
	size_t ndependents;
	struct group_rt *group;
	struct job_run *run; /* the replicas of a job run (job.c), or NULL */
	uint64_t run_id;     /* then the run's id (job.c sets both) */
	char **argv;         /* a run's command with its arguments */
	struct ward_inst **inst;
	unsigned ninst; /* above spec->replicas while extra ones stop */
	unsigned nlive; /* instances steward_inst_live() says are live */
	/* running instances by last beat, oldest first, and the one timer
	 * for the oldest one's deadline (steward-deadline.h) */
	struct ward_dl_list dl;
	struct listener_pool *pool; /* [eventlistener:] (listener.c) */
};

struct steward {
	struct ev_loop *loop;
	struct config *cfg;
	struct evlog *log;
	bool log_is_stderr;
	struct ward_rt **wards;
	size_t nwards;
	/* pid → instance, chained; grown with the number of live pids */
	struct ward_inst **pids;
	size_t npids;
	size_t pid_entries;
	/* reload */
	ev_timer hup;        /* SIGHUPs coalesce into one reload */
	ev_prepare settle;   /* finishes reload changes once wards stop */
	ev_idle settle_more; /* no sleeping while a settle has more to free */
	ev_prepare flush; /* writes what an iteration held (steward_flush_cb) */
	/* the loop's own timing, for steward_beat_doubt() */
	ev_check woke;      /* first callback after each poll */
	double woke_at;     /* when this iteration's poll returned */
	double listen_at;   /* when the last poll began */
	double doubt_extra; /* what the poll may have hidden: see there */
	bool settle_armed;
	char **environ; /* stewardd's own environment, for wards */
	pid_t self;
	rlim_t nofile_soft; /* RLIMIT_NOFILE soft limit to give wards */
	/* ward-spawn.c: low slots for a child's pipe ends, on /dev/null
	 * between spawns, and how children are made */
	int spawn_slot[SPAWN_SLOTS];
	int spawn_null;
	enum spawn_mode spawn_mode;
	void *spawn_stack;   /* the clone's stack, mapped once */
	uint64_t spawn_sigs; /* signals a child must reset (bit n) */
	char **spawn_env;    /* environ as wards inherit it (borrowed) */
	size_t spawn_nenv;
	double started_at;
	struct ctl *ctl;        /* the control socket, or NULL */
	struct http *http;      /* [unix_http_server] (http.c), or NULL */
	struct http *http_inet; /* [inet_http_server], or NULL */
	ev_signal sig_chld;
	ev_timer reap;         /* the full waitid(P_ALL) pass SIGCHLD arms */
	ev_timer sweep;        /* that pass, put off (see steward_reap_cb) */
	unsigned chld_signals; /* SIGCHLDs since the last full pass */
	unsigned chld_told;    /* deaths a pipe told of, since then */
	size_t nhearing;       /* instances whose heartbeat pipe is heard */
	ev_signal sig_term;
	ev_signal sig_int;
	ev_signal sig_hup;
	ev_signal sig_usr1;
	struct guard guard;
	bool stopping;        /* shutting down */
	struct job_run *runs; /* job runs, in flight or being reaped */
	struct group_rt *groups;
	size_t ngroups;
	size_t nwaiting; /* instances with want_start or want_stop */
	/* live instances of the wards (not job runs), and of the wards the
	 * shutdown has reached: steward_check_done() asks these, not
	 * every instance (steward_inst_recount) */
	size_t nlive;
	size_t nlive_shut;
	uint64_t next_run_id;
	int exit_code;
	uint64_t orphans_reaped;
	/* pids whose heartbeat pipe read EOF before they were zombies:
	 * SIGCHLD asks about these first (see steward_reap_cb) */
	pid_t dying[STEWARD_DYING_MAX];
	unsigned ndying;
	/* steward.c: beats heard in all, and the loop's batching (see
	 * steward_tune_cb) */
	uint64_t beats;
	uint64_t beats_at_tune;
	bool batching;
	ev_timer tune;
	bool in_timer_cb;  /* in an instance's timer callback */
	char *notify_dir;  /* where NOTIFY_SOCKETs live, made on first use */
	struct upbeat *up; /* upbeat.c, or NULL */
	struct metrics *metrics; /* metrics.c: the metrics file, or NULL */
	size_t nstarting;        /* instances in starting */
	struct fdbudget fds;     /* fdbudget.c: the fd budget */
	struct steward_cg *cg;   /* steward-cgroup.c, or NULL: not used */
	bool autostarted;        /* the autostart instances were started */
	struct listener_hub *listeners; /* listener.c, or NULL: none yet */
	struct steward_pace pace;
	struct steward_reloader *reloader; /* steward-reload.c, or NULL */
	/* what supervisord's reloadConfig read and add/removeProcessGroup
	 * apply (ctl/xmlrpc-config.c), or NULL */
	struct config *reread;
	/* supervisord's restart: once stopped, main.c executes stewardd
	 * again (ctl/xmlrpc-system.c) */
	bool reexec;
	/* the listener list (steward-events.h) and the order policy */
	struct steward_sub *subs;
	size_t nsubs;
	const struct steward_orders *orders;
	/* output-sink.c: every sink of ward output; ward-output.c: the
	 * text of one read's lines, and the read buffer (OUTPUT_READ_BUF,
	 * made on first use), reused */
	struct output_sink *sinks;
	struct sbuf output_text;
	char *output_buf;
	bool output_short_said; /* output_not_captured was said */
};

/* Monotonic seconds (CLOCK_MONOTONIC): every deadline, age and refill. */
double steward_now(void);
/*
 * How long a beat read now may have waited unread, at most: the loop
 * was not listening (busy, or stewardd stopped) while it might have been
 * written.  Small (the time since the poll returned) unless the loop
 * stalled.
 */
double steward_beat_doubt(const struct steward *s, double now);

/*
 * The steward's life, as the daemon (daemon/main.c) assembles it around
 * its own modules:
 *
 *   steward_open        the loop and the event log; takes the caller's
 *                       reference to cfg.  nofile_soft is the
 *                       RLIMIT_NOFILE soft limit stewardd started with
 *                       (wards get it back), or RLIM_INFINITY when it
 *                       was not raised.  0, or the exit code (then
 *                       everything is undone).
 *   (subscribe: steward-events.h)
 *   steward_prepare     become a subreaper, cgroups, the guard, the
 *                       wards.  0, or the exit code: then
 *                       steward_abandon().
 *   steward_started     watch the signals, log that stewardd started
 *   steward_autostart   queue the autostart instances
 *   steward_loop        run until shutdown ends the loop
 *   steward_free_wards  free every ward and instance
 *   steward_close       close the rest (steward_abandon included)
 *
 * steward_abandon() undoes steward_open() when stewardd cannot start.
 */
int steward_open(struct steward *s, struct config *cfg, rlim_t nofile_soft);
void steward_abandon(struct steward *s);
int steward_prepare(struct steward *s);
void steward_started(struct steward *s);
void steward_autostart(struct steward *s);
void steward_loop(struct steward *s);
void steward_free_wards(struct steward *s);
void steward_close(struct steward *s);

/* A new instance of wr (replica r), stopped. */
struct ward_inst *steward_inst_new(struct steward *s, struct ward_rt *wr,
				   unsigned r);
/* Free an instance that has no process. */
void steward_inst_free(struct steward *s, struct ward_inst *wi);
/* A new ward for spec (in cfg, referenced), with its instances. */
struct ward_rt *steward_ward_new(struct steward *s,
				 const struct ward_spec *spec,
				 struct config *cfg);
/* Free a ward whose instances have no process. */
void steward_ward_free(struct steward *s, struct ward_rt *wr);

/*
 * True when the instance has a process: by its state (ward.h), by a pid
 * not yet reaped, or by a cgroup that still holds what it started.  The
 * one "is live" test: shutdown, reload, job runs and dependencies ask it.
 */
bool steward_inst_live(const struct ward_inst *wi);
/* True when some instance of the ward is live (its count, O(1)). */
bool steward_ward_live(const struct ward_rt *wr);
/* True while the instance's main process runs, with a pid to show or
 * signal (not once it is reaped, even if its cgroup lingers). */
bool steward_inst_has_pid(const struct ward_inst *wi);

/* Stop every ward in order (dependents first, then by priority), then
 * end the loop: SIGTERM, SIGINT, or an essential ward that failed. */
void steward_shutdown(struct steward *s);

/* Feed an event to an instance's state machine and perform the result. */
void steward_step(struct steward *s, struct ward_inst *wi, enum ward_event ev);
/*
 * The same for a stop or restart that no person asked for: why (its
 * group's strategy or limit, a reload, a job run's end) is the reason
 * its records give, instead of "stopped by request" or "restart
 * requested", until the order is done; NULL is steward_step().
 */
void steward_step_why(struct steward *s, struct ward_inst *wi,
		      enum ward_event ev, const char *why);
/*
 * A sign that the instance's process has ended (its heartbeat pipe read
 * EOF): if it is a zombie now, handle its end at once, without the walk
 * over every child that SIGCHLD costs; if not yet, SIGCHLD asks about
 * it first.
 */
void steward_child_hint(struct steward *s, struct ward_inst *wi);

/* A signal_failed record (level error) for wi, with the error e (freed). */
void steward_signal_failed(struct steward *s, struct ward_inst *wi,
			   struct err *e);

/* An exit steward-cgroup.c held until the instance's cgroup emptied. */
void steward_exit_held(struct steward *s, struct ward_inst *wi,
		       struct ward_input *in);

/* The same, with the full input (exit status, extend). */
void steward_step_input(struct steward *s, struct ward_inst *wi,
			struct ward_input *in);

/*
 * Reopen the event log and every ward log file stewardd writes (after
 * an external rotation: SIGUSR1, `stewardctl reopen`); failures are
 * records.  why is the record's reason.  Returns the files reopened.
 */
size_t steward_reopen_logs(struct steward *s, const char *why);

/* steward.c: a beat was heard (counted; the batching look goes on). */
void steward_tune_wake(struct steward *s);

#endif
