/*
 * stewardctl tail: an instance's last lines, and its new ones as they
 * come (the protocol is in ctl-proto.h; the rings are tail.c's).
 *
 * The reply is made at once from the ring: at most tail_size bytes of
 * text, so one line of JSON.  A follower (--follow) then hears each new
 * line through tail_follow(); the line is added to the connection's
 * output (ctl_tail_queue()), and everything queued in one loop turn is
 * written in one send when the loop next polls.
 *
 * Never slowed by a follower: a client that reads slower than the ward
 * writes sees its queue grow; at CTL_TAIL_QUEUE bytes not yet taken it
 * is dropped: it stops following, gets one "too_slow" line after what
 * is queued, and is closed once that is written, or after
 * CTL_IDLE_SECONDS if it never reads it.  Memory per follower is thus
 * bounded by CTL_TAIL_QUEUE plus one line, and a line costs the
 * follower one JSON encoding and a copy.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/log.h"
#include "core/steward.h"
#include "core/tail.h"
#include "ctl/ctl-internal.h"

/* A follower on a connection. */
struct ctl_tail {
	struct ctl_conn *cn;
	struct steward *s;
	struct tail_follower f;
	enum tail_stream stream;
	char label[80];   /* the instance's, for the drop's record */
	bool over;        /* dropped or gone: closing */
	ev_timer timeout; /* closes an over follower that does not read */
};

/*
 * Add a line to what is written when the loop next polls (the write
 * watcher), so that the lines of one loop turn go in one send.  What
 * was sent is dropped from the buffer's front once it is half of it.
 */
static void
ctl_tail_queue(struct ctl_conn *cn, struct sbuf *body)
{
	if (cn->fd < 0) {
		sbuf_free(body);
		return;
	}
	if (cn->outoff > 0 && cn->outoff >= cn->out.len / 2) {
		memmove(cn->out.s, cn->out.s + cn->outoff,
			cn->out.len - cn->outoff);
		cn->out.len -= cn->outoff;
		cn->outoff = 0;
	}
	sbuf_add(&cn->out, body->s, body->len);
	sbuf_add(&cn->out, "\n", 1);
	sbuf_free(body);
	if (!ev_is_active(&cn->wio))
		ev_io_start(cn->ctl->s->loop, &cn->wio);
}

/* Milliseconds since the epoch. */
static int64_t
ctl_tail_wall_ms(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_REALTIME, &ts) == -1)
		return 0;
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* One line as the protocol's LINE object. */
static void
ctl_tail_add_line(struct sbuf *b, const struct ring_line *ln, const char *text)
{
	sbuf_addf(b, "{\"seq\":%llu,\"ts_ms\":%lld,\"text\":",
		  (unsigned long long)ln->seq, (long long)ln->ts_ms);
	sbuf_add_json_len(b, text, ln->len);
	if (ln->flags & RING_CUT)
		sbuf_add(b, ",\"cut\":true", 11);
	if (ln->flags & TAIL_SPLIT)
		sbuf_add(b, ",\"split\":true", 13);
	if (ln->flags & TAIL_UNENDED)
		sbuf_add(b, ",\"unended\":true", 15);
	sbuf_add(b, "}", 1);
}

/*
 * The instance NAME names: "web:1", or a ward of one instance.  NULL
 * after replying with the error.
 */
static struct ward_inst *
ctl_tail_find(struct ctl_conn *cn, const char *name)
{
	struct steward *s = cn->ctl->s;
	struct sbuf known = {0};

	for (size_t i = 0; i < s->nwards; i++) {
		struct ward_rt *wr = s->wards[i];

		if (strcmp(name, wr->spec->name) == 0) {
			if (wr->ninst == 1)
				return wr->inst[0];
			ctl_reply_error(cn, "usage",
					"it has %u instances; name one (%s:0 "
					"to %s:%u)",
					wr->ninst, wr->spec->name,
					wr->spec->name,
					wr->ninst ? wr->ninst - 1 : 0);
			return NULL;
		}
		for (unsigned j = 0; j < wr->ninst; j++)
			if (strcmp(name, wr->inst[j]->label) == 0)
				return wr->inst[j];
	}
	for (size_t i = 0; i < s->nwards && i < 20; i++)
		sbuf_addf(&known, "%s%s", i ? ", " : "",
			  s->wards[i]->spec->name);
	if (s->nwards > 20)
		sbuf_addf(&known, ", ... (%zu in all)", s->nwards);
	ctl_reply_error(cn, "no_such_ward",
			"no such ward or instance (known: %s)",
			known.s ? known.s : "none");
	sbuf_free(&known);
	return NULL;
}

/* The follower is over: it stops following and closes once written. */
static void
ctl_tail_over(struct ctl_tail *t, struct sbuf *last)
{
	tail_unfollow(&t->f);
	t->over = true;
	ev_timer_set(&t->timeout, CTL_IDLE_SECONDS, 0);
	ev_timer_start(t->s->loop, &t->timeout);
	ctl_tail_queue(t->cn, last);
	/* Closed once written (ctl_conn_flush()). */
	t->cn->closing = true;
	ev_io_stop(t->s->loop, &t->cn->rio);
}

/* An over follower did not take its last line in time. */
static void
ctl_tail_timeout_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct ctl_tail *t = container_of(w, struct ctl_tail, timeout);

	(void)loop;
	(void)revents;
	ctl_conn_close(t->cn); /* frees t */
}

/* A new line of the instance: queue it, or drop a follower behind. */
static void
ctl_tail_line(struct tail_follower *f, enum tail_stream st,
	      const struct ring_line *ln, const char *text)
{
	struct ctl_tail *t = container_of(f, struct ctl_tail, f);
	struct sbuf b = {0};
	size_t behind = t->cn->out.len - t->cn->outoff;
	struct evlog_rec r;
	char *msg;

	(void)st;
	if (behind < CTL_TAIL_QUEUE) {
		ctl_tail_add_line(&b, ln, text);
		ctl_tail_queue(t->cn, &b);
		return;
	}
	evlog_begin(&r, t->s->log, EVLOG_WARN, "tail_follower_dropped");
	evlog_str(&r, "ward", f->wi->ward->spec->name);
	evlog_int(&r, "replica", f->wi->replica);
	evlog_int(&r, "queued", (long long)behind);
	evlog_str(&r, "reason",
		  "a stewardctl tail -f read slower than the ward writes");
	evlog_commit(&r);
	msg = xasprintf("dropped: %zu bytes of lines were waiting for this "
			"follower to read them (at most %d); it reads slower "
			"than %s writes",
			behind, CTL_TAIL_QUEUE, t->label);
	sbuf_add(&b, "{\"ok\":false,\"code\":\"too_slow\",\"error\":", 38);
	sbuf_add_json(&b, msg);
	sbuf_add(&b, "}", 1);
	free(msg);
	ctl_tail_over(t, &b);
}

/* A new process, or the instance is going away. */
static void
ctl_tail_note(struct tail_follower *f, enum tail_note n)
{
	struct ctl_tail *t = container_of(f, struct ctl_tail, f);
	struct sbuf b = {0};

	switch (n) {
	case TAIL_NOTE_SPAWN:
		sbuf_addf(&b,
			  "{\"note\":\"spawn\",\"generation\":%u,\"pid\":%d}",
			  f->wi->generation, (int)f->wi->pid);
		ctl_tail_queue(t->cn, &b);
		break;
	case TAIL_NOTE_GONE:
		sbuf_add(&b, "{\"note\":\"gone\"}", 15);
		ctl_tail_over(t, &b);
		break;
	}
}

static const struct tail_follower_ops ctl_tail_ops = {
    .line = ctl_tail_line,
    .note = ctl_tail_note,
};

/* tail [--follow] [--lines=N] [--stderr] [--previous] [--since=D] NAME */
void
ctl_do_tail(struct ctl_conn *cn, struct ctl_request *req)
{
	struct ward_inst *wi = ctl_tail_find(cn, req->args[0]);
	enum tail_stream st = req->stderr_stream ? TAIL_STDERR : TAIL_STDOUT;
	struct tail_inst *ti;
	const struct ring *r, *other;
	struct ctl_tail *t;
	struct sbuf b = {0};
	uint64_t first, end;
	long want = req->lines >= 0 ? req->lines : 10;
	bool live;

	if (wi == NULL)
		return;
	ti = tail_of(wi);
	r = req->previous ? &ti->prev[st] : &ti->cur[st];
	/* The same process's other stream: where its lines may be. */
	other = req->previous ? &ti->prev[!st] : &ti->cur[!st];
	end = ring_end(r);
	first = ring_begin(r);
	if (req->since_ms >= 0) {
		uint64_t since =
		    ring_since(r, ctl_tail_wall_ms() - req->since_ms);

		if (since > first)
			first = since;
	}
	if ((uint64_t)want < end - first)
		first = end - (uint64_t)want;
	live = steward_inst_has_pid(wi);
	sbuf_add(&b, "{\"ok\":true,\"ward\":", 18);
	sbuf_add_json(&b, wi->ward->spec->name);
	sbuf_addf(&b,
		  ",\"replica\":%u,\"stream\":\"%s\",\"run\":\"%s\","
		  "\"generation\":%u,\"pid\":%d,\"state\":\"%s\","
		  "\"missed\":%llu,\"other_lines\":%llu,\"lines\":[",
		  wi->replica, st == TAIL_STDERR ? "stderr" : "stdout",
		  req->previous ? "previous" : "current",
		  req->previous ? ti->prev_gen : ti->cur_gen,
		  live && !req->previous ? (int)wi->pid : 0,
		  ward_state_name(wi->sm.state),
		  (unsigned long long)ring_missed(r),
		  (unsigned long long)(ring_end(other) - ring_begin(other)));
	for (uint64_t q = first; q < end; q++) {
		const char *text;
		const struct ring_line *ln = ring_get(r, q, &text);

		if (ln == NULL)
			continue;
		if (q > first)
			sbuf_add(&b, ",", 1);
		ctl_tail_add_line(&b, ln, text);
	}
	sbuf_add(&b, "]}", 2);
	ctl_reply(cn, &b);
	if (!req->follow || cn->fd < 0)
		return;
	t = xcalloc(1, sizeof(*t));
	t->cn = cn;
	t->s = cn->ctl->s;
	t->stream = st;
	snprintf(t->label, sizeof(t->label), "%s", wi->label);
	ev_init(&t->timeout, ctl_tail_timeout_cb);
	tail_follow(wi, &t->f, &ctl_tail_ops, 1u << st);
	cn->tail = t; /* until the connection closes */
}

/* The connection closes: stop following, free. */
void
ctl_tail_free(struct ctl_tail *t)
{
	if (t == NULL)
		return;
	tail_unfollow(&t->f);
	ev_timer_stop(t->s->loop, &t->timeout);
	free(t);
}
