/*
 * supervisord's event listener protocol, the pure parts: event names,
 * the mapping of steward's transitions onto supervisord's process
 * states, the envelope, and the reading of a listener's stdout.
 *
 * The protocol (supervisor/dispatchers.py and childutils.py are its
 * spec): a listener writes "READY\n" on its stdout; it is then sent one
 * event on its stdin, a header line
 *
 *   ver:3.0 server:supervisor serial:S pool:P poolserial:N
 *   eventname:E len:L
 *
 * (one line) and L bytes of payload; it answers "RESULT n\n" and n
 * bytes, "OK" (done) or anything else (rejected: the event is put back
 * at the head of the pool's buffer), then "READY\n" again.  Anything
 * else it writes breaks the protocol: supervisord puts it in the UNKNOWN
 * state and sends it nothing more, and so does stewardd, until it is
 * restarted.
 */
#ifndef STEWARD_LISTENER_PROTO_H
#define STEWARD_LISTENER_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/ward.h"

/* supervisord's process states, as its events name them. */
enum sv_state {
	SV_STOPPED,
	SV_STARTING,
	SV_RUNNING,
	SV_BACKOFF,
	SV_STOPPING,
	SV_EXITED,
	SV_FATAL,
	SV_UNKNOWN,
};
#define SV_NSTATES (SV_UNKNOWN + 1)

/* The events stewardd sends, one bit each (LEV_PROCESS_STATE + state). */
enum listener_event {
	LEV_PROCESS_STATE = 0, /* + enum sv_state: PROCESS_STATE_STOPPED... */
	LEV_TICK_5 = SV_NSTATES,
	LEV_TICK_60,
	LEV_TICK_3600,
	LEV_SUPERVISOR_RUNNING,  /* SUPERVISOR_STATE_CHANGE_RUNNING */
	LEV_SUPERVISOR_STOPPING, /* SUPERVISOR_STATE_CHANGE_STOPPING */
	LEV_GROUP_ADDED,         /* PROCESS_GROUP_ADDED */
	LEV_GROUP_REMOVED,       /* PROCESS_GROUP_REMOVED */
	LEV_NEVENTS,
};
#define LEV_BIT(e) (UINT32_C(1) << (e))
#define LEV_ALL_PROCESS_STATE (LEV_BIT(SV_NSTATES) - 1)
#define LEV_ALL_TICK                                                           \
	(LEV_BIT(LEV_TICK_5) | LEV_BIT(LEV_TICK_60) | LEV_BIT(LEV_TICK_3600))

/* "PROCESS_STATE_FATAL", "TICK_5", ...: the event's name. */
const char *listener_event_name(enum listener_event e);
/* "FATAL", ...: the state's name. */
const char *listener_state_name(enum sv_state s);

/*
 * The events one name in events= stands for, as bits: a concrete name,
 * or an abstract one (EVENT, PROCESS_STATE, TICK,
 * SUPERVISOR_STATE_CHANGE, PROCESS_GROUP) for all its kinds.  Returns 0 and
 * sets *unsent for a name supervisord knows whose events stewardd never sends
 * (PROCESS_LOG, PROCESS_COMMUNICATION, ...); -1 for an unknown name.
 */
int listener_event_parse(const char *name, uint32_t *bits, bool *unsent);

/*
 * The supervisord states one logged transition of a ward instance
 * reports, in order (at most two: an end that spends the restart limit
 * is EXITED or BACKOFF, then FATAL).  ran: the process had been running
 * (not only starting).  Returns how many were written to out.
 */
int listener_map(enum ward_state from, enum ward_state to,
		 enum ward_cause cause, bool ran, enum sv_state out[2]);

/*
 * The ticks due when the 5 s timer fires at wall-clock time now, as
 * supervisord's tick() decides them: TICK_5 always, TICK_60 and
 * TICK_3600 when their period changed since *last60 and *last3600
 * (updated).  Returns the bits; when[i] is the payload's second for
 * LEV_TICK_5 + i (the start of its period).
 */
uint32_t listener_ticks(double now, long *last60, long *last3600, long when[3]);
/* The start of the period of now, in whole seconds. */
long listener_slice(double now, long period);

/* The envelope's header line for one event, with its newline. */
int listener_header(char *buf, size_t len, uint64_t serial, const char *pool,
		    uint64_t pool_serial, const char *event, size_t paylen);

/* The reading of a listener's stdout (dispatchers.py's states). */
enum lp_state { LP_ACKNOWLEDGED, LP_READY, LP_BUSY, LP_UNKNOWN };

#define LP_BUF_MAX 4096 /* a RESULT body over this breaks the protocol */

struct lp {
	enum lp_state state;
	long resultlen; /* BUSY: the RESULT's length once read, else -1 */
	size_t len;
	char buf[LP_BUF_MAX + 32];
};

/* What lp_next found. */
enum lp_what {
	LP_NONE,      /* nothing complete yet */
	LP_GOT_READY, /* READY\n: it may be sent an event */
	LP_GOT_OK,    /* RESULT with OK: the event is done */
	LP_GOT_FAIL,  /* RESULT with anything else: rejected */
	LP_VIOLATION, /* the protocol is broken: now UNKNOWN */
};

/* A new listener: busy until its first READY. */
void lp_init(struct lp *p);
/* Bytes read from its stdout; false when they do not fit (a violation,
 * then lp_next says so). */
bool lp_add(struct lp *p, const char *data, size_t len);
/* The next complete thing in what was read; why says what broke. */
enum lp_what lp_next(struct lp *p, char *why, size_t whylen);
/* An event was sent: READY becomes BUSY. */
void lp_sent(struct lp *p);

#endif
