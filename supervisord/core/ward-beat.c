/*
 * Hearing heartbeats.
 *
 * Each instance with heartbeat = pipe has the read end of a non-blocking
 * pipe, watched by an ev_io at the highest priority, so that beats that
 * are already waiting are read before any timer of the same loop
 * iteration judges a deadline (a loop that was stalled does not mistake
 * a ward that beat on time for a hung one).
 *
 * The timers: a beat stores last_beat and the machine answers
 * WACT_WATCH (see ward.h), which moves the instance to the tail of its
 * ward's deadline list (steward-deadline.c, libev's "be smart about
 * timeouts", strategy 4); there is no timer operation per beat, and one
 * timer per ward, not per instance, waits for the oldest beat's
 * deadline.
 *
 * Fairness and memory.  One callback reads at most BEAT_READ_MAX bytes;
 * a ward that floods its pipe is served again on the next iteration,
 * after everyone else.  Lines are framed by ward-proto.c with a bounded
 * carry (PROTO_LINE_MAX), so a flood or a line without end costs at most
 * that much memory.  Malformed lines are counted and reported in the
 * event log at most once per BEAT_REPORT_EVERY seconds per instance,
 * with the count since the last report.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/io.h"
#include "base/log.h"
#include "core/steward.h"

#define BEAT_READ_MAX 16384
#define BEAT_REPORT_EVERY 10.0

struct beat_ctx {
	struct steward *s;
	struct ward_inst *wi;
	double now;
	double doubt; /* how long what is read may have waited unread */
	bool dead;    /* the process is gone: keep texts, change no state */
	const char *bad_sample;
	size_t bad_len;
};

/* Report malformed input, at most once per BEAT_REPORT_EVERY seconds. */
static void
beat_report_bad(struct beat_ctx *c, const char *why, bool force)
{
	struct ward_inst *wi = c->wi;
	struct evlog_rec r;
	char sample[80];

	if (wi->beat.bad_unreported == 0)
		return;
	if (!force && wi->beat.bad_reported_at > 0 &&
	    c->now - wi->beat.bad_reported_at < BEAT_REPORT_EVERY)
		return;
	snprintf(sample, sizeof(sample), "%.*s",
		 (int)(c->bad_len > 64 ? 64 : c->bad_len),
		 c->bad_sample ? c->bad_sample : "");
	evlog_begin(&r, c->s->log, EVLOG_WARN, "heartbeat_invalid");
	evlog_str(&r, "ward", wi->ward->spec->name);
	evlog_int(&r, "replica", wi->replica);
	evlog_int(&r, "pid", wi->pid);
	evlog_int(&r, "count", (long long)wi->beat.bad_unreported);
	evlog_int(&r, "total", (long long)wi->beat.bad_lines);
	evlog_str(&r, "reason", why);
	if (c->bad_sample != NULL)
		evlog_str(&r, "sample", sample);
	evlog_commit(&r);
	wi->beat.bad_unreported = 0;
	wi->beat.bad_reported_at = c->now;
}

/* Count one malformed line. */
static void
beat_bad(struct beat_ctx *c, const char *why, const char *line, size_t len)
{
	c->wi->beat.bad_lines++;
	c->wi->beat.bad_unreported++;
	snprintf(c->wi->beat.bad_why, sizeof(c->wi->beat.bad_why), "%s", why);
	c->bad_sample = line;
	c->bad_len = len;
	beat_report_bad(c, why, false);
}

/* Replace a remembered text (WORK=, STATUS=) with a new one. */
static void
beat_keep(char **slot, const char *s, size_t n)
{
	free(*slot);
	*slot = xasprintf("%.*s", (int)n, s);
}

/* Feed one event with the line's time. */
static void
beat_step(struct beat_ctx *c, enum ward_event ev, int64_t usec)
{
	struct ward_input in = {
	    .event = ev, .now = c->now, .extend_usec = usec};

	if (c->dead)
		return;
	steward_step_input(c->s, c->wi, &in);
	if (c->wi->sm.last_beat == c->now) /* it counted as a beat */
		c->wi->beat.doubt = c->doubt;
}

/* One protocol line: act on it. */
static void
beat_line(void *arg, const char *line, size_t len)
{
	struct beat_ctx *c = arg;
	struct ward_inst *wi = c->wi;
	struct proto_msg m;

	ward_proto_parse(line, len, &m);
	switch (m.kind) {
	case PROTO_WORK:
		beat_keep(&wi->work, m.arg, m.arglen);
		__attribute__((fallthrough));
	case PROTO_BEAT:
		wi->beats++;
		steward_tune_wake(c->s);
		beat_step(c, WEV_BEAT, 0);
		break;
	case PROTO_READY:
		beat_step(c, WEV_READY, 0);
		break;
	case PROTO_STATUS:
		beat_keep(&wi->status, m.arg, m.arglen);
		break;
	case PROTO_EXTEND:
		beat_step(c, WEV_EXTEND, m.usec);
		break;
	case PROTO_TRIGGER:
		beat_step(c, WEV_TRIGGER, 0);
		break;
	case PROTO_STOPPING:
		beat_step(c, WEV_STOPPING, 0);
		break;
	case PROTO_IGNORED:
		break;
	case PROTO_INVALID:
		beat_bad(c, m.why, line, len);
		break;
	}
}

/*
 * Read up to max bytes from the pipe and act on every line.  Returns 0
 * when the pipe is drained for now, 1 when more may be waiting, -1 at
 * EOF or on an error (the pipe is then closed).
 */
static int
beat_read(struct steward *s, struct ward_inst *wi, size_t max, bool dead)
{
	struct beat_ctx c = {
	    .s = s, .wi = wi, .now = steward_now(), .dead = dead};
	char buf[4096];

	c.doubt = steward_beat_doubt(s, c.now);
	size_t total = 0;
	unsigned long_lines;

	while (total < max && wi->beat.fd >= 0) {
		ssize_t n = io_read(wi->beat.fd, buf, sizeof(buf), IO_READ);

		if (n == 0)
			return 0;
		if (n < 0)
			return -1;
		total += (size_t)n;
		long_lines = ward_proto_feed(&wi->beat.framer, buf, (size_t)n,
					     beat_line, &c);
		if (long_lines > 0) {
			wi->beat.bad_lines += long_lines;
			wi->beat.bad_unreported += long_lines;
			c.bad_sample = NULL;
			beat_report_bad(&c, "a line longer than 512 bytes",
					false);
		}
		/*
		 * A short read emptied the pipe: do not ask again only to
		 * hear EAGAIN (one syscall less per beat).  What is written
		 * meanwhile wakes the poll again; at EOF a dead ward's pipe
		 * is read to the end, so it goes on until read says so.
		 */
		if ((size_t)n < sizeof(buf) && !dead)
			return 0;
	}
	return 1;
}

static void beat_stop(struct steward *s, struct ward_inst *wi);

/*
 * Read what waits in the pipe before a deadline is judged.  libev reads
 * ready pipes before it runs timers of the same iteration (their ev_io
 * has the higher priority), but an iteration whose poll returned early
 * (EINTR, as after SIGSTOP and SIGCONT) runs the timers without having
 * seen the pipes: so the timer looks itself.  One read, at a deadline.
 */
void
ward_beat_poll(struct steward *s, struct ward_inst *wi)
{
	if (wi->beat.fd >= 0 && beat_read(s, wi, BEAT_READ_MAX, false) == -1)
		beat_stop(s, wi);
}

/* One message from another channel (notify datagrams); see steward.h. */
void
ward_beat_message(struct steward *s, struct ward_inst *wi, const char *msg,
		  size_t len, bool dead)
{
	struct beat_ctx c = {
	    .s = s, .wi = wi, .now = steward_now(), .dead = dead};

	c.doubt = steward_beat_doubt(s, c.now);
	beat_line(&c, msg, len);
}

/* Count and report a bad message from another channel; see steward.h. */
void
ward_beat_invalid(struct steward *s, struct ward_inst *wi, const char *why,
		  const char *sample, size_t len)
{
	struct beat_ctx c = {.s = s, .wi = wi, .now = steward_now()};

	beat_bad(&c, why, sample, len);
}

/* Stop hearing the pipe (steward.c counts the pipes heard). */
static void
beat_unwatch(struct steward *s, struct ward_inst *wi)
{
	if (!ev_is_active(&wi->beat.io))
		return;
	ev_io_stop(s->loop, &wi->beat.io);
	s->nhearing--;
}

/* Stop hearing the pipe and close it. */
static void
beat_stop(struct steward *s, struct ward_inst *wi)
{
	if (wi->beat.fd < 0)
		return;
	beat_unwatch(s, wi);
	if (close(wi->beat.fd) == -1 && errno != EINTR)
		log_warnx("cannot close the heartbeat pipe of %s: %s",
			  wi->label, strerror(errno));
	wi->beat.fd = -1;
	ward_proto_reset(&wi->beat.framer);
}

/* The pipe is readable: hear what the ward wrote. */
static void
beat_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct ward_inst *wi = container_of(w, struct ward_inst, beat.io);
	struct steward *s = wi->ward->steward;

	(void)revents;
	if (beat_read(s, wi, BEAT_READ_MAX, false) == -1) {
		/*
		 * The ward closed fd 3, or died.  Nothing more can come:
		 * closed now, so that its end does not read the pipe again
		 * (one syscall less a death).  Living on without beats, its
		 * deadline will heal it; dead, it is handled now or at
		 * SIGCHLD (wi may be gone after this).
		 */
		beat_stop(s, wi);
		steward_child_hint(s, wi);
	}
}

/* Start hearing an instance's heartbeat pipe. */
void
ward_beat_start(struct steward *s, struct ward_inst *wi, int fd)
{
	wi->beat.fd = fd;
	wi->beat.bad_unreported = 0;
	ev_io_init(&wi->beat.io, beat_cb, fd, EV_READ);
	ev_set_priority(&wi->beat.io, EV_MAXPRI);
	ev_io_start(s->loop, &wi->beat.io);
	s->nhearing++;
}

/*
 * The process is gone: read what it wrote before it went (its last WORK=
 * unit belongs in the restart event), report unreported bad lines, close.
 */
void
ward_beat_close(struct steward *s, struct ward_inst *wi)
{
	struct beat_ctx c = {.s = s, .wi = wi, .now = steward_now()};

	if (wi->beat.fd >= 0)
		(void)beat_read(s, wi, 65536, true);
	if (wi->beat.bad_unreported > 0)
		beat_report_bad(
		    &c, wi->beat.bad_why[0] ? wi->beat.bad_why : "bad lines",
		    true);
	beat_stop(s, wi);
}
