/*
 * The waits of start, stop and restart: a request that replies when
 * every instance it names has reached its goal or cannot (see ctl.c).
 */
#include <stdlib.h>
#include <string.h>

#include "core/steward.h"
#include "ctl/ctl-internal.h"

/* A wait's verdict: the order was replaced by a later one unrun. */
#define CTL_REPLACED (-2)

/* Judge one instance of a wait: 1 reached, -1 cannot, CTL_REPLACED,
 * 0 not yet. */
int
ctl_judge(const struct ctl_wait *w, size_t k)
{
	struct ward_inst *wi = w->inst[k];
	enum ward_state st = wi->sm.state;
	bool fresh = wi->generation != w->gen0[k];

	if (wi->want_start || wi->want_stop || wi->pace_slot != 0)
		return 0; /* waiting for its dependencies, or its turn */
	switch (w->goal) {
	case GOAL_STOPPED:
		/* A later start by someone else may follow the stop at
		 * once: a new process (generation) means it did stop. */
		if (!ward_state_has_process(st) || fresh)
			return 1;
		/* Nothing queued or waiting, and the same process still
		 * starting or running: the stop never ran, a later start
		 * took its place (steward-pace.c, steward-deps.c) before
		 * its turn.  A stop carried out leaves it stopping. */
		return st == WARD_STOPPING ? 0 : CTL_REPLACED;
	case GOAL_RESTARTED:
		if (!fresh)
			return ward_state_has_process(st) ? 0 : -1;
		__attribute__((fallthrough));
	case GOAL_RUNNING:
		if (st == WARD_RUNNING)
			return 1;
		if (st == WARD_STARTING || st == WARD_STOPPING)
			return 0;
		return -1;
	}
	return -1;
}

/* Forget the link from an instance to a wait. */
static void
ctl_unref(struct ward_inst *wi, struct ctl_wait *w)
{
	for (size_t i = 0; i < wi->nrefs; i++) {
		if (wi->refs[i].wait == w) {
			wi->refs[i] = wi->refs[--wi->nrefs];
			return;
		}
	}
}

/* Free a wait and unlink it everywhere (without replying). */
void
ctl_wait_free(struct ctl_wait *w)
{
	ev_timer_stop(w->conn->ctl->s->loop, &w->deadline);
	for (size_t k = 0; k < w->n; k++)
		ctl_unref(w->inst[k], w);
	w->conn->wait = NULL;
	free(w->inst);
	free(w->gen0);
	free(w->verdict);
	free(w);
}

/* One instance's result, as the wait ended (st from ctl_wait_finish). */
void
ctl_wait_result(struct sbuf *b, const struct ctl_stream *st, size_t k)
{
	struct ward_inst *wi = st->v[k];
	int v = st->verdict[k];

	sbuf_add(b, "{\"ward\":", 8);
	sbuf_add_json(b, wi->ward->spec->name);
	sbuf_addf(b, ",\"replica\":%u,\"ok\":%s,\"state\":\"%s\"", wi->replica,
		  v == 1 ? "true" : "false",
		  ward_state_name((enum ward_state)st->state[k]));
	ctl_add_str(b, "reason", st->reason[k]);
	sbuf_add(b, "}", 1);
}

/*
 * Reply to a wait with every instance's outcome, and free it.  The
 * outcomes are taken now (verdict, state, reason); the reply is made in
 * slices as the client reads it (struct ctl_stream), so the results of
 * a start or stop of 10,000 do not hold the loop.
 */
void
ctl_wait_finish(struct ctl_wait *w, const char *why_not)
{
	struct ctl_conn *cn = w->conn;
	struct ctl_stream *st = xcalloc(1, sizeof(*st));
	struct sbuf end = {0};
	size_t failed = 0, n = w->n;

	st->n = n;
	st->v = xcalloc(n ? n : 1, sizeof(*st->v));
	st->verdict = xcalloc(n ? n : 1, 1);
	st->state = xcalloc(n ? n : 1, 1);
	st->reason = xcalloc(n ? n : 1, sizeof(*st->reason));
	for (size_t k = 0; k < n; k++) {
		struct ward_inst *wi = w->inst[k];
		int v = w->verdict[k];
		const char *why =
		    v == 1   ? NULL
		    : v == 0 ? why_not
		    : v == CTL_REPLACED
			? "a later start took the place of the stop before "
			  "its turn"
		    : wi->last_reason ? wi->last_reason
				      : ward_state_name(wi->sm.state);

		st->v[k] = wi;
		st->verdict[k] = (signed char)v;
		st->state[k] = (unsigned char)wi->sm.state;
		st->reason[k] = why != NULL ? xstrdup(why) : NULL;
		if (v != 1)
			failed++;
	}
	sbuf_add(&end, "]", 1);
	if (failed == 0) {
		sbuf_add(&end, ",\"ok\":true}\n", 12);
	} else {
		char *msg = xasprintf(
		    "%zu of %zu instance%s did not %s", failed, n,
		    n == 1 ? "" : "s",
		    w->goal == GOAL_STOPPED ? "stop" : "come up running");

		sbuf_addf(&end, ",\"ok\":false,\"code\":\"%s\",\"error\":",
			  why_not != NULL ? "timeout" : "failed");
		sbuf_add_json(&end, msg);
		sbuf_add(&end, "}\n", 2);
		free(msg);
	}
	st->end = xstrdup(end.s);
	sbuf_free(&end);
	ctl_wait_free(w);
	if (cn->fd < 0) {
		cn->stream = st; /* closed: nobody reads it */
		cn->ctl->nstreams++;
		ctl_stream_free(cn);
		return;
	}
	sbuf_add(&cn->out, "{\"results\":[", 12);
	cn->stream = st;
	cn->ctl->nstreams++;
	evlog_sync(cn->ctl->s->log);
	ctl_stream_pump(cn, false);
}

/* A wait's deadline passed: reply with what is known. */
void
ctl_wait_deadline_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct ctl_wait *w = container_of(t, struct ctl_wait, deadline);

	(void)loop;
	(void)revents;
	ctl_wait_finish(w, "still on its way when the wait's deadline passed");
}

/* An instance changed state; see ctl.h. */
void
ctl_transition(struct ctl *c, struct ward_inst *wi)
{
	(void)c;
	for (size_t i = 0; i < wi->nrefs;) {
		struct ctl_wait *w = wi->refs[i].wait;
		size_t k = wi->refs[i].k;

		if (w->armed && w->verdict[k] == 0) {
			w->verdict[k] = (signed char)ctl_judge(w, k);
			if (w->verdict[k] != 0 && --w->pending == 0) {
				ctl_wait_finish(w, NULL); /* unlinks refs[i] */
				continue;
			}
		}
		i++;
	}
}

/* An instance is about to be freed (reload): end the waits on it. */
void
ctl_forget(struct ctl *c, struct ward_inst *wi)
{
	/* Status replies being made may hold it: finish them now. */
	for (struct ctl_conn *cn = c->conns, *next; c->nstreams > 0 && cn;
	     cn = next) {
		next = cn->next;
		if (cn->stream != NULL)
			ctl_stream_pump(cn, true);
	}
	while (wi->nrefs > 0) {
		struct ctl_wait *w = wi->refs[0].wait;
		struct ctl_conn *cn = w->conn;

		if (w->verdict[wi->refs[0].k] == 0)
			w->verdict[wi->refs[0].k] = -1;
		ctl_wait_finish(w, "interrupted: a reload removed or "
				   "redefined the ward");
		/* Its results name wi: made whole before wi goes. */
		if (cn->stream != NULL)
			ctl_stream_pump(cn, true);
	}
}
