/*
 * supervisord's event listeners at run time (the design is in
 * listener.h, the protocol in listener-proto.h).
 *
 * Costs: a transition looks at each pool once (the pools are few; a ward
 * that is no listener costs one pass over that short list); an event is
 * copied into each pool that takes it, at most buffer_size per pool; an
 * instance holds one envelope and 4 KiB of what it wrote.  The tick
 * timer exists only while some pool takes TICK_* events, so stewardd
 * without listeners wakes for none.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/io.h"
#include "proto/listener-proto.h"
#include "daemon/listener.h"
#include "base/log.h"
#include "core/steward.h"

/* One event waiting in a pool's buffer, or sent and not yet answered. */
struct listener_ev {
	uint64_t serial;      /* across stewardd, as supervisord's serial */
	uint64_t pool_serial; /* within the pool */
	enum listener_event kind;
	char *payload;
};

/* A listener ward's pool. */
struct listener_pool {
	struct ward_rt *wr;
	struct listener_ev *buf; /* oldest first */
	size_t n, cap;
	uint64_t next_serial;
};

/* A listener instance's pipes and protocol state, while it has a process. */
struct listener_inst {
	int in_fd;  /* its stdin, our write end (non-blocking) */
	int out_fd; /* its stdout, our read end (non-blocking) */
	ev_io in_io;
	ev_io out_io;
	struct ward_inst *wi;
	struct lp lp;
	bool have_ev;
	struct listener_ev ev; /* sent, not yet answered */
	char *wbuf;            /* the envelope, being written */
	size_t wlen, woff;
};

/* Every pool, and what they take. */
struct listener_hub {
	uint64_t next_serial;
	struct listener_pool **pools;
	size_t npools;
	ev_periodic tick;
	long last60, last3600;
	struct steward *s;
	bool up; /* the first wards were added (listener_supervisor) */
};

static void listener_dispatch(struct steward *s, struct listener_pool *p);
static void listener_pool_make(struct steward *s, struct ward_rt *wr);

/* The hub, made on first use. */
static struct listener_hub *
listener_hub(struct steward *s)
{
	if (s->listeners == NULL) {
		s->listeners = xcalloc(1, sizeof(*s->listeners));
		s->listeners->s = s;
	}
	return s->listeners;
}

/* Free one event's payload. */
static void
listener_ev_free(struct listener_ev *e)
{
	free(e->payload);
	e->payload = NULL;
}

/* Log what a pool did with an event. */
static void
listener_log(struct steward *s, struct listener_pool *p, enum evlog_level lvl,
	     const char *event, const struct listener_ev *e,
	     const struct ward_inst *wi, const char *reason)
{
	struct evlog_rec r;

	evlog_begin(&r, s->log, lvl, event);
	evlog_str(&r, "ward", p->wr->spec->name);
	if (wi != NULL) {
		evlog_int(&r, "replica", wi->replica);
		if (wi->pid > 0)
			evlog_int(&r, "pid", wi->pid);
	}
	if (e != NULL) {
		evlog_str(&r, "eventname", listener_event_name(e->kind));
		evlog_int(&r, "serial", (long long)e->serial);
		evlog_int(&r, "poolserial", (long long)e->pool_serial);
		evlog_str(&r, "payload", e->payload);
	}
	if (reason != NULL)
		evlog_str(&r, "reason", reason);
	evlog_commit(&r);
}

/*
 * Put an event in a pool's buffer, at the tail or (put back) at the
 * head; a full buffer drops its oldest first, as supervisord does.
 */
static void
listener_accept(struct steward *s, struct listener_pool *p,
		struct listener_ev *e, bool head)
{
	size_t cap = p->wr->spec->buffer_size ? p->wr->spec->buffer_size : 10;

	if (p->n >= cap && p->n > 0) {
		char why[96];

		snprintf(why, sizeof(why),
			 "the buffer of %zu events is full: the oldest is "
			 "dropped",
			 cap);
		listener_log(s, p, EVLOG_WARN, "listener_overflow", &p->buf[0],
			     NULL, why);
		listener_ev_free(&p->buf[0]);
		memmove(p->buf, p->buf + 1, (p->n - 1) * sizeof(*p->buf));
		p->n--;
	}
	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 16;
		p->buf = xrealloc(p->buf, p->cap * sizeof(*p->buf));
	}
	if (head) {
		memmove(p->buf + 1, p->buf, p->n * sizeof(*p->buf));
		p->buf[0] = *e;
	} else {
		p->buf[p->n] = *e;
	}
	p->n++;
}

/* Emit one event: into every pool that takes it, then send. */
static void
listener_emit(struct steward *s, enum listener_event kind, const char *payload)
{
	struct listener_hub *h = s->listeners;
	uint64_t serial;
	bool any = false;

	if (h == NULL)
		return;
	for (size_t i = 0; i < h->npools; i++)
		any = any ||
		      (h->pools[i]->wr->spec->listen_events & LEV_BIT(kind));
	if (!any)
		return;
	serial = h->next_serial++;
	for (size_t i = 0; i < h->npools; i++) {
		struct listener_pool *p = h->pools[i];
		struct listener_ev e = {.serial = serial, .kind = kind};

		if (!(p->wr->spec->listen_events & LEV_BIT(kind)))
			continue;
		e.pool_serial = p->next_serial++;
		e.payload = xstrdup(payload);
		listener_log(s, p, EVLOG_INFO, "listener_event", &e, NULL,
			     NULL);
		listener_accept(s, p, &e, false);
		listener_dispatch(s, p);
	}
}

/* Stop hearing an instance; its unanswered event goes back. */
static void
listener_close(struct steward *s, struct listener_inst *li)
{
	struct listener_pool *p = li->wi->ward->pool;

	ev_io_stop(s->loop, &li->in_io);
	ev_io_stop(s->loop, &li->out_io);
	if (li->in_fd >= 0 && close(li->in_fd) == -1 && errno != EINTR)
		log_warnx("cannot close a listener's stdin: %s",
			  strerror(errno));
	if (li->out_fd >= 0 && close(li->out_fd) == -1 && errno != EINTR)
		log_warnx("cannot close a listener's stdout: %s",
			  strerror(errno));
	li->in_fd = li->out_fd = -1;
	free(li->wbuf);
	li->wbuf = NULL;
	if (li->have_ev) {
		li->have_ev = false;
		if (p != NULL)
			listener_accept(s, p, &li->ev, true);
		else
			listener_ev_free(&li->ev);
	}
}

/* The instance broke the protocol: it is sent nothing more. */
static void
listener_violation(struct steward *s, struct listener_inst *li, const char *why)
{
	struct listener_pool *p = li->wi->ward->pool;
	char *reason = xasprintf(
	    "%s; it is sent no more events until it is restarted (supervisord "
	    "calls this the UNKNOWN state)",
	    why);

	if (p != NULL)
		listener_log(s, p, EVLOG_WARN, "listener_protocol",
			     li->have_ev ? &li->ev : NULL, li->wi, reason);
	free(reason);
	li->lp.state = LP_UNKNOWN;
	/* Nothing it writes matters now: a flood costs no more reads. */
	ev_io_stop(s->loop, &li->in_io);
	ev_io_stop(s->loop, &li->out_io);
	free(li->wbuf);
	li->wbuf = NULL;
	if (li->have_ev && p != NULL) {
		li->have_ev = false;
		listener_accept(s, p, &li->ev, true);
	}
}

/* Write what is left of the envelope; false when the pipe is broken. */
static bool
listener_flush(struct steward *s, struct listener_inst *li)
{
	while (li->wbuf != NULL && li->woff < li->wlen) {
		ssize_t n = io_write(li->in_fd, li->wbuf + li->woff,
				     li->wlen - li->woff, IO_WRITE);

		if (n == 0) {
			ev_io_start(s->loop, &li->in_io);
			return true;
		}
		if (n < 0)
			return false;
		li->woff += (size_t)n;
	}
	ev_io_stop(s->loop, &li->in_io);
	free(li->wbuf);
	li->wbuf = NULL;
	return true;
}

/* Its stdin can take more of the envelope. */
static void
listener_in_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct listener_inst *li = container_of(w, struct listener_inst, in_io);
	struct steward *s = li->wi->ward->steward;

	(void)loop;
	(void)revents;
	if (!listener_flush(s, li)) {
		char why[128];

		snprintf(why, sizeof(why), "cannot write to its stdin: %s",
			 strerror(errno));
		listener_violation(s, li, why);
	}
}

/* Send the pool's oldest events to instances that are ready. */
static void
listener_dispatch(struct steward *s, struct listener_pool *p)
{
	struct ward_rt *wr = p->wr;

	while (p->n > 0) {
		struct listener_inst *li = NULL;
		struct listener_ev e;
		char head[512];
		int hl;

		for (unsigned i = 0; i < wr->ninst && li == NULL; i++) {
			struct ward_inst *wi = wr->inst[i];

			if (wi->listener != NULL &&
			    wi->sm.state == WARD_RUNNING &&
			    wi->listener->lp.state == LP_READY &&
			    wi->listener->in_fd >= 0)
				li = wi->listener;
		}
		if (li == NULL)
			return;
		e = p->buf[0];
		memmove(p->buf, p->buf + 1, (p->n - 1) * sizeof(*p->buf));
		p->n--;
		hl = listener_header(
		    head, sizeof(head), e.serial, wr->spec->name, e.pool_serial,
		    listener_event_name(e.kind), strlen(e.payload));
		li->wlen = (size_t)hl + strlen(e.payload);
		li->wbuf = xmalloc(li->wlen + 1);
		memcpy(li->wbuf, head, (size_t)hl);
		memcpy(li->wbuf + hl, e.payload, strlen(e.payload));
		li->woff = 0;
		li->ev = e;
		li->have_ev = true;
		lp_sent(&li->lp);
		if (!listener_flush(s, li)) {
			char why[128];

			snprintf(why, sizeof(why),
				 "cannot write to its stdin: %s",
				 strerror(errno));
			listener_violation(s, li, why);
		}
	}
}

/* Act on what an instance wrote. */
static void
listener_hear(struct steward *s, struct listener_inst *li)
{
	struct listener_pool *p = li->wi->ward->pool;
	char why[160];

	for (;;) {
		enum lp_what what = lp_next(&li->lp, why, sizeof(why));

		switch (what) {
		case LP_NONE:
			return;
		case LP_GOT_READY:
			if (p != NULL)
				listener_dispatch(s, p);
			break;
		case LP_GOT_OK:
			if (li->have_ev) {
				li->have_ev = false;
				listener_ev_free(&li->ev);
			}
			break;
		case LP_GOT_FAIL:
			if (li->have_ev && p != NULL) {
				listener_log(s, p, EVLOG_WARN,
					     "listener_rejected", &li->ev,
					     li->wi,
					     "it answered with something "
					     "other than OK: the event is put "
					     "back in the buffer");
				li->have_ev = false;
				listener_accept(s, p, &li->ev, true);
			}
			break;
		case LP_VIOLATION:
			listener_violation(s, li, why);
			return;
		}
	}
}

/* Its stdout has something to read. */
static void
listener_out_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct listener_inst *li =
	    container_of(w, struct listener_inst, out_io);
	struct steward *s = li->wi->ward->steward;
	char buf[4096];

	(void)revents;
	/* One read per wake-up: a flood cannot hold the loop. */
	ssize_t n = io_read(li->out_fd, buf, sizeof(buf), IO_READ);

	if (n == 0)
		return;
	if (n < 0) {
		/* EOF: it closed its stdout; its exit is heard on its own. */
		ev_io_stop(loop, &li->out_io);
		return;
	}
	if (!lp_add(&li->lp, buf, (size_t)n)) {
		listener_violation(s, li,
				   "it wrote more than 4 KiB without "
				   "completing a message");
		return;
	}
	listener_hear(s, li);
}

/* See listener.h. */
void
listener_attach(struct steward *s, struct ward_inst *wi, int in_w, int out_r)
{
	struct listener_inst *li;

	listener_detach(s, wi, false);
	if (wi->ward->pool == NULL)
		listener_pool_make(s, wi->ward);
	li = xcalloc(1, sizeof(*li));
	li->wi = wi;
	li->in_fd = in_w;
	li->out_fd = out_r;
	lp_init(&li->lp);
	ev_io_init(&li->in_io, listener_in_cb, in_w, EV_WRITE);
	ev_io_init(&li->out_io, listener_out_cb, out_r, EV_READ);
	ev_io_start(s->loop, &li->out_io);
	wi->listener = li;
}

/* See listener.h. */
void
listener_detach(struct steward *s, struct ward_inst *wi, bool dispatch)
{
	struct listener_inst *li = wi->listener;

	if (li == NULL)
		return;
	/* What it wrote last still counts (an OK just before it ended). */
	if (li->out_fd >= 0 && li->lp.state != LP_UNKNOWN) {
		char buf[4096];
		ssize_t n;

		while ((n = read(li->out_fd, buf, sizeof(buf))) > 0 &&
		       lp_add(&li->lp, buf, (size_t)n))
			;
		listener_hear(s, li);
	}
	listener_close(s, li);
	free(li);
	wi->listener = NULL;
	if (dispatch && wi->ward->pool != NULL)
		listener_dispatch(s, wi->ward->pool);
}

/* The process name an event gives for an instance, as supervisord's. */
static const char *
listener_procname(const struct ward_inst *wi, char *buf, size_t len)
{
	const struct ward_spec *w = wi->ward->spec;

	if (w->procs != NULL && w->procs[wi->replica].name != NULL)
		return w->procs[wi->replica].name;
	if (w->replicas <= 1)
		return w->name;
	snprintf(buf, len, "%s:%u", w->name, wi->replica);
	return buf;
}

/* True when a reaped process's exit is one restart=on-failure forgives. */
static bool
listener_expected(const struct ward_inst *wi, const struct ward_input *in)
{
	return in->event == WEV_EXIT &&
	       ward_exit_clean(&wi->ward->spec->pol, in->status,
			       in->spawn_failed);
}

/* See listener.h. */
void
listener_transition(struct steward *s, struct ward_inst *wi,
		    const struct ward_out *out, const struct ward_input *in)
{
	enum sv_state to[2];
	char name[96];
	const char *proc;
	int n;

	if (s->listeners == NULL || s->listeners->npools == 0 ||
	    wi->ward->run != NULL)
		return;
	n = listener_map(out->from, out->to, out->cause,
			 wi->sm.running_since > 0 || out->from == WARD_RUNNING,
			 to);
	proc = listener_procname(wi, name, sizeof(name));
	for (int i = 0; i < n; i++) {
		enum sv_state from = (enum sv_state)wi->sv_state;
		struct sbuf b = {0};

		sbuf_addf(&b, "processname:%s groupname:%s from_state:%s", proc,
			  wi->ward->spec->name, listener_state_name(from));
		switch (to[i]) {
		case SV_STARTING:
		case SV_BACKOFF:
			sbuf_addf(&b, " tries:%u", wi->sm.start_failures);
			break;
		case SV_EXITED:
			/* A heal did not end by request: never expected. */
			sbuf_addf(&b, " expected:%d pid:%d",
				  listener_expected(wi, in) &&
					  out->cause !=
					      WCAUSE_HEARTBEAT_TIMEOUT &&
					  out->cause != WCAUSE_START_TIMEOUT &&
					  out->cause != WCAUSE_TRIGGER
				      ? 1
				      : 0,
				  (int)wi->pid);
			break;
		case SV_RUNNING:
		case SV_STOPPING:
		case SV_STOPPED:
			sbuf_addf(&b, " pid:%d", (int)wi->pid);
			break;
		default:
			break;
		}
		wi->sv_state = (unsigned char)to[i];
		listener_emit(
		    s, (enum listener_event)(LEV_PROCESS_STATE + to[i]), b.s);
		sbuf_free(&b);
	}
	/* A listener that is running now may be sent what waited. */
	if (out->to == WARD_RUNNING && wi->ward->pool != NULL)
		listener_dispatch(s, wi->ward->pool);
}

/* A ward (supervisord's process group) came or went. */
static void
listener_group(struct steward *s, const struct ward_rt *wr, bool added)
{
	char *payload;

	if (wr->spec->is_job || wr->run != NULL)
		return;
	payload = xasprintf("groupname:%s\n", wr->spec->name);
	listener_emit(s, added ? LEV_GROUP_ADDED : LEV_GROUP_REMOVED, payload);
	free(payload);
}

/* See listener.h. */
void
listener_supervisor(struct steward *s, bool running)
{
	/* supervisord adds every group, then says it is running. */
	if (running && s->listeners != NULL && !s->listeners->up) {
		s->listeners->up = true;
		for (size_t i = 0; i < s->nwards; i++)
			listener_group(s, s->wards[i], true);
	}
	listener_emit(
	    s, running ? LEV_SUPERVISOR_RUNNING : LEV_SUPERVISOR_STOPPING, "");
}

/* Every 5 s of wall-clock time: TICK_5, and TICK_60/3600 on theirs. */
static void
listener_tick_cb(struct ev_loop *loop, ev_periodic *w, int revents)
{
	struct listener_hub *h = container_of(w, struct listener_hub, tick);
	long when[3];
	uint32_t due =
	    listener_ticks(ev_now(loop), &h->last60, &h->last3600, when);

	(void)revents;
	for (int i = 0; i < 3; i++) {
		char payload[40];

		if (!(due & LEV_BIT(LEV_TICK_5 + i)))
			continue;
		snprintf(payload, sizeof(payload), "when:%ld", when[i]);
		listener_emit(h->s, (enum listener_event)(LEV_TICK_5 + i),
			      payload);
	}
}

/* Run the tick timer only while some pool takes ticks. */
static void
listener_tick_check(struct steward *s)
{
	struct listener_hub *h = s->listeners;
	bool want = false;

	for (size_t i = 0; i < h->npools; i++)
		want = want || (h->pools[i]->wr->spec->listen_events &
				LEV_ALL_TICK) != 0;
	if (want && !ev_is_active(&h->tick)) {
		double now = ev_now(s->loop);

		h->last60 = listener_slice(now, 60);
		h->last3600 = listener_slice(now, 3600);
		ev_periodic_init(&h->tick, listener_tick_cb, 0, 5, NULL);
		ev_periodic_start(s->loop, &h->tick);
	} else if (!want && ev_is_active(&h->tick)) {
		ev_periodic_stop(s->loop, &h->tick);
	}
}

/* A listener ward's pool, made once. */
static void
listener_pool_make(struct steward *s, struct ward_rt *wr)
{
	struct listener_hub *h;
	struct listener_pool *p;

	if (wr->spec->listen_events == 0 || wr->run != NULL || wr->pool != NULL)
		return;
	h = listener_hub(s);
	p = xcalloc(1, sizeof(*p));
	p->wr = wr;
	wr->pool = p;
	h->pools = xrealloc(h->pools, (h->npools + 1) * sizeof(*h->pools));
	h->pools[h->npools++] = p;
	listener_tick_check(s);
}

/* See listener.h. */
void
listener_ward_new(struct steward *s, struct ward_rt *wr)
{
	listener_pool_make(s, wr);
	/* A ward a reload adds (the first ones: listener_supervisor). */
	if (s->listeners != NULL && s->listeners->up && !s->stopping)
		listener_group(s, wr, true);
}

/* See listener.h. */
void
listener_ward_free(struct steward *s, struct ward_rt *wr)
{
	struct listener_hub *h = s->listeners;
	struct listener_pool *p = wr->pool;

	/* A ward a reload removed (not stewardd's own exit). */
	if (h != NULL && h->up && !s->stopping)
		listener_group(s, wr, false);
	if (p == NULL || h == NULL)
		return;
	for (size_t i = 0; i < h->npools; i++) {
		if (h->pools[i] == p) {
			h->pools[i] = h->pools[--h->npools];
			break;
		}
	}
	for (size_t i = 0; i < p->n; i++)
		listener_ev_free(&p->buf[i]);
	free(p->buf);
	free(p);
	wr->pool = NULL;
	listener_tick_check(s);
}

/* See listener.h. */
void
listener_fini(struct steward *s)
{
	struct listener_hub *h = s->listeners;

	if (h == NULL)
		return;
	ev_periodic_stop(s->loop, &h->tick);
	free(h->pools);
	free(h);
	s->listeners = NULL;
}

/* The core's events eventlisteners hear; see listener.h. */
static void
listener_ev_record(void *ctx, struct steward *s, struct ward_inst *wi,
		   const struct ward_out *out, const struct ward_input *in)
{
	listener_transition(s, wi, out, in);
}

/* Is wi an [eventlistener:]'s process (not a job's replica)? */
static bool
listener_ev_is_one(const struct ward_inst *wi)
{
	return wi->ward->spec->listen_events != 0 && wi->ward->run == NULL;
}

static unsigned
listener_ev_spawn_pipes(void *ctx, struct steward *s, struct ward_inst *wi)
{
	return listener_ev_is_one(wi) ? STEWARD_PIPE_STDIN | STEWARD_PIPE_STDOUT
				      : 0;
}

static void
listener_ev_spawned(void *ctx, struct steward *s, struct ward_inst *wi,
		    struct steward_pipes *p)
{
	if (!listener_ev_is_one(wi))
		return;
	listener_attach(s, wi, p->stdin_w, p->stdout_r);
	p->stdin_w = p->stdout_r = -1;
}

static void
listener_ev_ended(void *ctx, struct steward *s, struct ward_inst *wi)
{
	listener_detach(s, wi, true);
}

static void
listener_ev_inst_free(void *ctx, struct steward *s, struct ward_inst *wi)
{
	listener_detach(s, wi, false);
}

static void
listener_ev_ward_new(void *ctx, struct steward *s, struct ward_rt *wr)
{
	listener_ward_new(s, wr);
}

static void
listener_ev_ward_free(void *ctx, struct steward *s, struct ward_rt *wr)
{
	listener_ward_free(s, wr);
}

static void
listener_ev_shutdown(void *ctx, struct steward *s)
{
	listener_supervisor(s, false);
}

const struct steward_events listener_events = {
    .record = listener_ev_record,
    .spawn_pipes = listener_ev_spawn_pipes,
    .spawned = listener_ev_spawned,
    .ended = listener_ev_ended,
    .inst_free = listener_ev_inst_free,
    .ward_new = listener_ev_ward_new,
    .ward_free = listener_ev_ward_free,
    .shutdown = listener_ev_shutdown,
};
