/*
 * The ward state machine: what steward decides, with no system calls.
 *
 *   stopped → starting → running → stopping → (backoff → starting …)
 *                                           | failed | exited | stopped
 *
 * A ward instance (one replica of a [ward:NAME]) is in exactly one state:
 *
 *   stopped   not running and not meant to run (never started, or stopped
 *             by a person or by stewardd's own shutdown).
 *   starting  spawned; waiting for its first beat or READY=1 until
 *             start_timeout (heartbeat = none: running once it has stayed
 *             up for start_timeout).
 *   running   healthy while beats arrive within heartbeat_timeout, when
 *             the ward has a watchdog (see below); else healthy until it
 *             ends.
 *   stopping  told to stop (stop_signal to its process group, SIGKILL to
 *             the group after stop_timeout) or stopping on its own
 *             (STOPPING=1); waits until the main process is reaped.
 *   backoff   reaped; restarts when the backoff delay has passed.
 *   failed    the restart limit (token bucket) is spent; stays down until
 *             a person starts it again.
 *   exited    ended, and restart= says to leave it so.
 *
 * What happens once a stopping instance is reaped depends on why it was
 * stopped (ward_after): heal it (restart per restart=, the bucket and the
 * backoff), leave it stopped, or restart it at once (a person asked).
 * A new process is spawned only from a state with no process, so two
 * instances of one replica never run at once.
 *
 * A spawn that fails because stewardd itself is short of resources (no
 * fd, no memory, clone refused with EAGAIN) is not the ward's failure:
 * the instance goes to backoff with cause WCAUSE_NO_RESOURCES and retries
 * after a delay of its own (WARD_RETRY_MIN doubling to WARD_RETRY_MAX,
 * with jitter), spending no restart token and no start retry, so that
 * it can never end failed for it.
 *
 * ward_step() is a pure function of (machine, policy, input): it updates
 * the machine and says which actions the caller must perform (spawn,
 * signal, wait for a deadline, log the transition).  Every (state, event) pair
 * is covered by tests/unit/test-ward.c with a clock that moves only when
 * the test says.
 *
 * Readiness and liveness are kept apart, as systemd keeps Type=notify
 * and WatchdogSec= apart.  Every ward with a heartbeat must show it is
 * ready (a first beat or READY=1) within start_timeout; only a ward whose
 * policy has watchdog set is judged hung when beats stop.  heartbeat =
 * notify has a watchdog only when heartbeat_timeout is given (and only
 * then gets WATCHDOG_USEC); heartbeat = pipe always has one, since its
 * ward is always told STEWARD_HEARTBEAT_INTERVAL_MS.  The machine also
 * remembers whether the current process ever beat after it was ready,
 * so that a ward judged hung that never beat at all can say so.
 *
 * Each instance has one deadline (timer_at; WEV_TIMER says it came).
 * Its meaning follows the state: the start deadline (starting), the
 * heartbeat deadline (running), the SIGKILL deadline (stopping), the
 * restart time (backoff).  The machine names how it is to be waited
 * for, as one of three actions:
 *
 *   WACT_ARM     a deadline of this instance's own (start, stop,
 *                backoff, an EXTEND_TIMEOUT_USEC extension): wait for
 *                timer_at on the instance's own timer.
 *   WACT_WATCH   the heartbeat deadline of a running instance, last beat
 *                plus heartbeat_timeout: a rule every instance of the
 *                ward shares, so it may be waited for on one list per
 *                ward, ordered by last beat.  Every beat that moves it
 *                says WACT_WATCH again (the instance goes to the list's
 *                tail; no timer is touched).
 *   WACT_DISARM  no deadline.
 *
 * stewardd (steward-deadline.c) keeps one timer per ward, not per
 * instance, for the watched deadlines: the timer waits for the list's
 * head (libev's "be smart about timeouts", strategy 4); an armed
 * deadline waits on the instance's own timer.  When the ward's timer
 * fires for an instance, ward_step() either finds its deadline moved
 * (and watches again) or declares the ward hung.  Either way the
 * instance gets the same WEV_TIMER at the same time.
 *
 * stewardd's shutdown is an input of the machine too: every event
 * carries whether stewardd is stopping (ward_input.shutdown), and an
 * instance that ends then is not healed but goes to stopped, whatever
 * restart= says; WEV_SHUTDOWN stops an instance when the shutdown's
 * order reaches its ward.
 */
#ifndef STEWARD_WARD_H
#define STEWARD_WARD_H

#include <stdbool.h>
#include <stdint.h>

#include "core/backoff.h"
#include "core/bucket.h"

enum ward_state {
	WARD_STOPPED,
	WARD_STARTING,
	WARD_RUNNING,
	WARD_STOPPING,
	WARD_BACKOFF,
	WARD_FAILED,
	WARD_EXITED,
};
#define WARD_NSTATES (WARD_EXITED + 1)

enum ward_event {
	WEV_START,       /* autostart, or a person asked */
	WEV_STOP,        /* a person asked */
	WEV_RESTART,     /* a person asked */
	WEV_SHUTDOWN,    /* stewardd is stopping */
	WEV_BEAT,        /* empty line, WATCHDOG=1 or WORK= */
	WEV_READY,       /* READY=1 */
	WEV_EXTEND,      /* EXTEND_TIMEOUT_USEC=n */
	WEV_TRIGGER,     /* WATCHDOG=trigger */
	WEV_STOPPING,    /* STOPPING=1 */
	WEV_TIMER,       /* the instance's timer fired */
	WEV_EXIT,        /* the main process was reaped */
	WEV_SPAWN_ERROR, /* spawning failed before there was a process */
	WEV_MEMORY,      /* above memory_restart for long enough */
};
#define WARD_NEVENTS (WEV_MEMORY + 1)

/* Why an instance is stopping, or why it last ended. */
enum ward_cause {
	WCAUSE_NONE,
	WCAUSE_START,             /* started by autostart or a person */
	WCAUSE_BACKOFF_DONE,      /* restarted after its backoff delay */
	WCAUSE_READY,             /* first beat or READY=1 */
	WCAUSE_UP,                /* heartbeat = none: stayed up */
	WCAUSE_EXIT,              /* exited with a code */
	WCAUSE_SIGNAL,            /* killed by a signal */
	WCAUSE_SPAWN_FAILED,      /* could not be started */
	WCAUSE_HEARTBEAT_TIMEOUT, /* no beat within heartbeat_timeout */
	WCAUSE_START_TIMEOUT,     /* not ready within start_timeout */
	WCAUSE_TRIGGER,           /* WATCHDOG=trigger */
	WCAUSE_WARD_STOPPING,     /* STOPPING=1 */
	WCAUSE_STOP,              /* a person stopped it */
	WCAUSE_RESTART,           /* a person restarted it */
	WCAUSE_SHUTDOWN,          /* stewardd is stopping */
	WCAUSE_STOP_TIMEOUT,      /* did not stop within stop_timeout */
	WCAUSE_NO_RESOURCES,      /* stewardd lacked fds or memory to spawn */
	WCAUSE_MEMORY,            /* above memory_restart (cgroup) */
};
#define WARD_NCAUSES (WCAUSE_MEMORY + 1)

/* What to do once a stopping instance has been reaped. */
enum ward_after {
	WAFTER_HEAL,    /* restart per restart=, bucket and backoff */
	WAFTER_STOP,    /* stay stopped */
	WAFTER_RESTART, /* start again at once */
};

enum ward_heartbeat { WARD_HB_PIPE, WARD_HB_NOTIFY, WARD_HB_NONE };

/* Retry delays after a spawn stewardd lacked the resources for (s). */
#define WARD_RETRY_MIN 0.1
#define WARD_RETRY_MAX 5.0

enum ward_restart {
	WARD_RESTART_ALWAYS,
	WARD_RESTART_ON_FAILURE,
	WARD_RESTART_NEVER
};

/* The parts of a ward's definition that decisions depend on (seconds). */
struct ward_policy {
	enum ward_heartbeat heartbeat;
	enum ward_restart restart;
	double heartbeat_timeout;
	/* Beats are judged in running (liveness); false: readiness only. */
	bool watchdog;
	double start_timeout;
	double stop_timeout;
	double backoff_min;
	double backoff_max;
	unsigned limit_burst;
	double limit_period;
	/* Exit codes restart = on-failure counts as success (bit per code;
	 * all zero means only 0, the default). */
	uint8_t success[32];
	/* Starts that end before running that are retried before failed
	 * (supervisord's startretries); -1: only the bucket limits them. */
	int start_retries;
};

/* One instance's memory; times are monotonic seconds. */
struct ward_sm {
	enum ward_state state;
	enum ward_cause cause;   /* why it entered its state */
	enum ward_after after;   /* in stopping: what to do when reaped */
	bool signalled;          /* in stopping: stop_signal sent */
	bool killed;             /* in stopping: SIGKILL sent */
	double spawned_at;       /* when the current process was spawned */
	double running_since;    /* when it became running (0: never) */
	double last_beat;        /* the last beat, or the spawn */
	double extend_until;     /* a one-off deadline from EXTEND, or 0 */
	double timer_at;         /* when the armed timer fires, or 0 */
	bool beaten;             /* the process beat after being ready */
	unsigned restarts;       /* restarts by healing */
	unsigned start_failures; /* serial starts that never ran */
	unsigned short_spawns;   /* serial spawns stewardd could not make */
	int exit_status;         /* wait status of the last reaped process */
	bool exit_spawn_failed;  /* that process failed before exec */
	struct bucket bucket;
	struct backoff backoff;
	struct backoff retry; /* after WCAUSE_NO_RESOURCES */
};

struct ward_input {
	enum ward_event event;
	double now;          /* monotonic seconds */
	double u;            /* uniform in [0, 1), for the backoff jitter */
	int status;          /* WEV_EXIT: the wait status */
	bool spawn_failed;   /* WEV_EXIT: failed before exec */
	bool no_resources;   /* that, or WEV_SPAWN_ERROR: stewardd's lack */
	int64_t extend_usec; /* WEV_EXTEND */
	bool shutdown;       /* stewardd is stopping: nothing is healed */
};

enum ward_action {
	WACT_SPAWN = 1 << 0,       /* spawn a new process */
	WACT_SIGNAL_STOP = 1 << 1, /* stop_signal to the process group */
	WACT_SIGNAL_KILL = 1 << 2, /* SIGKILL to the process group */
	WACT_ARM = 1 << 3,         /* wait for out.timer_at on its own timer */
	WACT_DISARM = 1 << 4,      /* no deadline: stop waiting */
	WACT_LOG = 1 << 5,         /* log the transition from → to */
	WACT_WATCH = 1 << 6,       /* wait for last_beat + heartbeat_timeout */
};

struct ward_out {
	unsigned actions;
	enum ward_state from;
	enum ward_state to;
	enum ward_cause cause; /* why, for the log */
	double timer_at;       /* WACT_ARM, WACT_WATCH: monotonic seconds */
	double delay;          /* to backoff: the restart delay in seconds */
	double tokens;         /* tokens left in the restart bucket */
	double beat_age;       /* now - last_beat, at the transition */
	bool never_beat;       /* hung, and the process never beat at all */
};

/* A new instance, stopped, with a full bucket. */
void ward_sm_init(struct ward_sm *sm, const struct ward_policy *pol,
		  double now);

/* Feed one event; update sm and fill out with the actions to take. */
void ward_step(struct ward_sm *sm, const struct ward_policy *pol,
	       const struct ward_input *in, struct ward_out *out);

/*
 * Whether a WEV_TIMER at now would judge the ward (a start or heartbeat
 * deadline has passed, or a stop, backoff or EXTEND deadline is due)
 * rather than only re-arm for a deadline a beat moved.  stewardd reads a
 * ward's pipe before a judgement, and only then.
 */
bool ward_timer_due(const struct ward_sm *sm, const struct ward_policy *pol,
		    double now);

/*
 * True when a reaped process ended in a way restart = on-failure
 * forgives: exited (not killed, not failed before exec) with a code the
 * policy's success= lists (0 when it lists none).  status is a wait
 * status.
 */
bool ward_exit_clean(const struct ward_policy *pol, int status,
		     bool spawn_failed);

/* True when beats are judged in running: a heartbeat and a watchdog. */
bool ward_judges_beats(const struct ward_policy *pol);

/* "running", "backoff", ...: the names people and logs see. */
const char *ward_state_name(enum ward_state s);
const char *ward_event_name(enum ward_event e);
/* "heartbeat_timeout", "exit", ...: the cause as a log code. */
const char *ward_cause_name(enum ward_cause c);

/* True in states where a process exists. */
bool ward_state_has_process(enum ward_state s);

#endif
