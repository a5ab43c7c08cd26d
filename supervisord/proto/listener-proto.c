/*
 * supervisord's event listener protocol, the pure parts (the design is
 * in listener-proto.h).  No system calls: tests/unit/test-listener.c
 * feeds it bytes and transitions.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/listener-proto.h"

static const char *const sv_state_names[SV_NSTATES] = {
    [SV_STOPPED] = "STOPPED",   [SV_STARTING] = "STARTING",
    [SV_RUNNING] = "RUNNING",   [SV_BACKOFF] = "BACKOFF",
    [SV_STOPPING] = "STOPPING", [SV_EXITED] = "EXITED",
    [SV_FATAL] = "FATAL",       [SV_UNKNOWN] = "UNKNOWN",
};

static const char *const lev_names[LEV_NEVENTS] = {
    [LEV_PROCESS_STATE + SV_STOPPED] = "PROCESS_STATE_STOPPED",
    [LEV_PROCESS_STATE + SV_STARTING] = "PROCESS_STATE_STARTING",
    [LEV_PROCESS_STATE + SV_RUNNING] = "PROCESS_STATE_RUNNING",
    [LEV_PROCESS_STATE + SV_BACKOFF] = "PROCESS_STATE_BACKOFF",
    [LEV_PROCESS_STATE + SV_STOPPING] = "PROCESS_STATE_STOPPING",
    [LEV_PROCESS_STATE + SV_EXITED] = "PROCESS_STATE_EXITED",
    [LEV_PROCESS_STATE + SV_FATAL] = "PROCESS_STATE_FATAL",
    [LEV_PROCESS_STATE + SV_UNKNOWN] = "PROCESS_STATE_UNKNOWN",
    [LEV_TICK_5] = "TICK_5",
    [LEV_TICK_60] = "TICK_60",
    [LEV_TICK_3600] = "TICK_3600",
    [LEV_SUPERVISOR_RUNNING] = "SUPERVISOR_STATE_CHANGE_RUNNING",
    [LEV_SUPERVISOR_STOPPING] = "SUPERVISOR_STATE_CHANGE_STOPPING",
    [LEV_GROUP_ADDED] = "PROCESS_GROUP_ADDED",
    [LEV_GROUP_REMOVED] = "PROCESS_GROUP_REMOVED",
};

/* The event's name as supervisord writes it in eventname:. */
const char *
listener_event_name(enum listener_event e)
{
	return (unsigned)e < LEV_NEVENTS ? lev_names[e] : "UNKNOWN";
}

/* The state's name as supervisord writes it in from_state:. */
const char *
listener_state_name(enum sv_state s)
{
	return (unsigned)s < SV_NSTATES ? sv_state_names[s] : "UNKNOWN";
}

/* See listener-proto.h. */
int
listener_event_parse(const char *name, uint32_t *bits, bool *unsent)
{
	/* supervisord's events that stewardd has no source for. */
	static const char *const never[] = {
	    "PROCESS_LOG",
	    "PROCESS_LOG_STDOUT",
	    "PROCESS_LOG_STDERR",
	    "PROCESS_COMMUNICATION",
	    "PROCESS_COMMUNICATION_STDOUT",
	    "PROCESS_COMMUNICATION_STDERR",
	    "REMOTE_COMMUNICATION",
	};
	char up[64];
	size_t n = strlen(name);

	*bits = 0;
	*unsent = false;
	if (n == 0 || n >= sizeof(up))
		return -1;
	/* supervisord upper-cases the names it reads. */
	for (size_t i = 0; i <= n; i++)
		up[i] = (char)toupper((unsigned char)name[i]);
	if (strcmp(up, "EVENT") == 0) {
		*bits = LEV_BIT(LEV_NEVENTS) - 1;
		return 0;
	}
	if (strcmp(up, "PROCESS_STATE") == 0) {
		*bits = LEV_ALL_PROCESS_STATE;
		return 0;
	}
	if (strcmp(up, "TICK") == 0) {
		*bits = LEV_ALL_TICK;
		return 0;
	}
	if (strcmp(up, "PROCESS_GROUP") == 0) {
		*bits = LEV_BIT(LEV_GROUP_ADDED) | LEV_BIT(LEV_GROUP_REMOVED);
		return 0;
	}
	if (strcmp(up, "SUPERVISOR_STATE_CHANGE") == 0) {
		*bits = LEV_BIT(LEV_SUPERVISOR_RUNNING) |
			LEV_BIT(LEV_SUPERVISOR_STOPPING);
		return 0;
	}
	for (int e = 0; e < LEV_NEVENTS; e++) {
		if (strcmp(up, lev_names[e]) == 0) {
			*bits = LEV_BIT(e);
			return 0;
		}
	}
	for (size_t i = 0; i < sizeof(never) / sizeof(never[0]); i++) {
		if (strcmp(up, never[i]) == 0) {
			*unsent = true;
			return 0;
		}
	}
	return -1;
}

/*
 * See listener-proto.h.  supervisord's own transitions, for comparison
 * (process.py): STARTING → RUNNING after startsecs; a start that ends
 * before that → BACKOFF, and after startretries → FATAL; a running
 * process that ends → EXITED (expected or not), then STARTING again
 * when autorestart says so; a stop → STOPPING → STOPPED.  steward's
 * heals of a hung ward (stopping, then backoff) are reported as an
 * EXITED that was not expected, since the ward did not end by request.
 */
int
listener_map(enum ward_state from, enum ward_state to, enum ward_cause cause,
	     bool ran, enum sv_state out[2])
{
	enum sv_state end = ran ? SV_EXITED : SV_BACKOFF;

	switch (to) {
	case WARD_STARTING:
		if (from == WARD_STOPPING) {
			/* a restart a person asked for */
			out[0] = SV_STOPPED;
			out[1] = SV_STARTING;
			return 2;
		}
		out[0] = SV_STARTING;
		return 1;
	case WARD_RUNNING:
		out[0] = SV_RUNNING;
		return 1;
	case WARD_STOPPING:
		if (from == WARD_STOPPING || cause == WCAUSE_STOP_TIMEOUT)
			return 0; /* SIGKILL after stop_timeout */
		out[0] = SV_STOPPING;
		return 1;
	case WARD_STOPPED:
		out[0] = SV_STOPPED;
		return 1;
	case WARD_BACKOFF:
		out[0] = from == WARD_STOPPING ? SV_EXITED : end;
		return 1;
	case WARD_FAILED:
		out[0] = from == WARD_STOPPING ? SV_EXITED : end;
		out[1] = SV_FATAL;
		return 2;
	case WARD_EXITED:
		out[0] = SV_EXITED;
		return 1;
	}
	return 0;
}

/* See listener-proto.h. */
long
listener_slice(double now, long period)
{
	return (long)(now - fmod(now, (double)period));
}

/* See listener-proto.h. */
uint32_t
listener_ticks(double now, long *last60, long *last3600, long when[3])
{
	uint32_t due = LEV_BIT(LEV_TICK_5);

	when[0] = listener_slice(now, 5);
	when[1] = listener_slice(now, 60);
	when[2] = listener_slice(now, 3600);
	if (when[1] != *last60) {
		*last60 = when[1];
		due |= LEV_BIT(LEV_TICK_60);
	}
	if (when[2] != *last3600) {
		*last3600 = when[2];
		due |= LEV_BIT(LEV_TICK_3600);
	}
	return due;
}

/* See listener-proto.h. */
int
listener_header(char *buf, size_t len, uint64_t serial, const char *pool,
		uint64_t pool_serial, const char *event, size_t paylen)
{
	return snprintf(buf, len,
			"ver:3.0 server:supervisor serial:%" PRIu64
			" pool:%s poolserial:%" PRIu64
			" eventname:%s len:%zu\n",
			serial, pool, pool_serial, event, paylen);
}

/* See listener-proto.h. */
void
lp_init(struct lp *p)
{
	p->state = LP_ACKNOWLEDGED;
	p->resultlen = -1;
	p->len = 0;
}

/* See listener-proto.h. */
bool
lp_add(struct lp *p, const char *data, size_t len)
{
	if (p->state == LP_UNKNOWN)
		return true; /* it is heard no more */
	if (len > sizeof(p->buf) - p->len) {
		p->state = LP_UNKNOWN;
		p->len = 0;
		return false;
	}
	memcpy(p->buf + p->len, data, len);
	p->len += len;
	return true;
}

/* Drop the first n bytes of what was read. */
static void
lp_take(struct lp *p, size_t n)
{
	memmove(p->buf, p->buf + n, p->len - n);
	p->len -= n;
}

/* Break the protocol: UNKNOWN, everything read is dropped. */
static enum lp_what
lp_break(struct lp *p, char *why, size_t whylen, const char *what)
{
	snprintf(why, whylen, "%s", what);
	p->state = LP_UNKNOWN;
	p->len = 0;
	p->resultlen = -1;
	return LP_VIOLATION;
}

/* See listener-proto.h. */
enum lp_what
lp_next(struct lp *p, char *why, size_t whylen)
{
	static const char ready[] = "READY\n";
	char line[40];
	char *nl, *end;
	long n;

	switch (p->state) {
	case LP_UNKNOWN:
		p->len = 0;
		return LP_NONE;
	case LP_ACKNOWLEDGED:
		if (p->len < sizeof(ready) - 1)
			return LP_NONE;
		if (memcmp(p->buf, ready, sizeof(ready) - 1) != 0)
			return lp_break(p, why, whylen,
					"it wrote something other than READY "
					"when it was to say it is ready");
		lp_take(p, sizeof(ready) - 1);
		p->state = LP_READY;
		return LP_GOT_READY;
	case LP_READY:
		if (p->len == 0)
			return LP_NONE;
		return lp_break(p, why, whylen,
				"it wrote while waiting for an event");
	case LP_BUSY:
		break;
	}
	if (p->resultlen < 0) {
		nl = memchr(p->buf, '\n', p->len);
		if (nl == NULL) {
			if (p->len >= sizeof(line))
				return lp_break(p, why, whylen,
						"its RESULT line is too long");
			return LP_NONE;
		}
		snprintf(line, sizeof(line), "%.*s", (int)(nl - p->buf),
			 p->buf);
		lp_take(p, (size_t)(nl - p->buf) + 1);
		errno = 0;
		n = strncmp(line, "RESULT ", 7) == 0
			? strtol(line + 7, &end, 10)
			: -1;
		if (strncmp(line, "RESULT ", 7) != 0 || end == line + 7 ||
		    *end != '\0' || errno != 0 || n < 0 || n > LP_BUF_MAX)
			return lp_break(p, why, whylen,
					"it answered an event with no "
					"\"RESULT n\" line (n up to 4096)");
		p->resultlen = n;
	}
	if (p->len < (size_t)p->resultlen)
		return LP_NONE;
	{
		bool ok = p->resultlen == 2 && memcmp(p->buf, "OK", 2) == 0;

		lp_take(p, (size_t)p->resultlen);
		p->resultlen = -1;
		p->state = LP_ACKNOWLEDGED;
		return ok ? LP_GOT_OK : LP_GOT_FAIL;
	}
}

/* See listener-proto.h. */
void
lp_sent(struct lp *p)
{
	if (p->state == LP_READY)
		p->state = LP_BUSY;
}
