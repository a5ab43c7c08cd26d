/*
 * The control socket (the wire protocol is in ctl-proto.h).
 *
 * Never stall the loop.  The listening socket and every connection are
 * non-blocking.  A connection costs a fixed input buffer of CTL_LINE_MAX
 * bytes and an output buffer that is dropped with the connection when it
 * passes twice CTL_REPLY_MAX (a client that does not read).  A request is
 * handled only once its newline has arrived, so a client that sends a
 * byte at a time costs a read per byte and nothing else; one that sends
 * nothing is closed after CTL_IDLE_SECONDS (an idle timer per connection,
 * re-armed lazily: a read only stamps last_active, and the timer, when it
 * fires, waits for the rest); a line that fills the
 * buffer is refused and the connection closed.  Requests beyond a token
 * bucket (bucket.c, as for restarts) are answered "rate_limited".  At
 * most CTL_CONN_MAX connections live at once; one more is answered
 * "busy" and closed.  When accept() fails for lack of fds (EMFILE,
 * ENFILE), the listener is paused for CTL_PAUSE seconds instead of being
 * woken again at once by the same pending connection (a busy loop).
 *
 * Who may connect.  SO_PEERCRED at accept: root, stewardd's own uid, or
 * (with [steward] group) that gid as primary or supplementary group
 * (SO_PEERGROUPS).  Anyone else gets one "refused" reply; refusals are
 * logged, at most one record per CTL_REPORT_EVERY seconds with a count.
 *
 * Waiting.  start, stop and restart reply when every instance named has
 * reached its goal or cannot: steward.c calls ctl_transition() on every
 * transition, which re-judges the waits that include that instance
 * (a wait is linked from each of its instances, so the cost is the
 * number of waits on that instance, usually zero).  A wait has a
 * deadline (the longest stop_timeout + start_timeout of its instances,
 * plus CTL_WAIT_SLACK).
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "core/bucket.h"
#include "proto/ctl-proto.h"
#include "ctl/ctl.h"
#include "core/fdbudget.h"
#include "daemon/job.h"
#include "base/log.h"
#include "base/parse.h"
#include "base/safepath.h"
#include "ctl/sockname.h"
#include "core/steward.h"

#define CTL_PAUSE 0.1
#define CTL_REPORT_EVERY 10.0
#define CTL_WAIT_SLACK 10.0
#define CTL_ACCEPT_BATCH 16

enum ctl_goal { GOAL_RUNNING, GOAL_STOPPED, GOAL_RESTARTED };

struct ctl_conn;

/* A start/stop/restart request waiting for its instances. */
struct ctl_wait {
	struct ctl_conn *conn;
	enum ctl_cmd cmd;
	enum ctl_goal goal;
	size_t n;
	struct ward_inst **inst;
	unsigned *gen0;       /* each instance's generation at the request */
	signed char *verdict; /* 1 reached, -1 cannot, 0 not yet */
	size_t pending;       /* verdicts still 0 */
	bool armed;           /* judged after the request's own steps */
	ev_timer deadline;
};

/* An instance's link to a wait that includes it (see ward_inst). */
struct ctl_ref {
	struct ctl_wait *wait;
	size_t k; /* the instance's position in the wait */
};

/*
 * A status reply made in slices: instances are added to the output as
 * the client reads it, CTL_STREAM_SLICE seconds of work at most per
 * loop iteration and no more than CTL_STREAM_AHEAD bytes ahead of what
 * the socket took, so that a status of 10,000 instances (2.5 MB) never
 * holds the loop.  The instances stay valid: one about to be freed (a
 * reload) first finishes every stream at once (ctl_forget()).
 */
struct ctl_stream {
	struct ward_inst **v;
	size_t n, next;
	double now; /* the moment the status describes */
};

#define CTL_STREAM_SLICE 0.002
#define CTL_STREAM_AHEAD (256 * 1024)

struct ctl_conn {
	struct ctl *ctl;
	int fd;
	ev_io rio;
	ev_io wio;
	ev_timer idle;
	double last_active;
	char in[CTL_LINE_MAX + 1];
	size_t inlen;
	struct sbuf out;
	size_t outoff;
	bool closing; /* close once out is written */
	struct bucket rate;
	struct ctl_wait *wait;
	struct job_run *run; /* a run whose outcome it waits for */
	bool reloading;      /* waits for its reload (ctl_reload_done()) */
	struct ctl_stream *stream; /* a status reply being made */
	pid_t peer_pid;
	uid_t peer_uid;
	struct ctl_conn *next;
};

struct ctl {
	struct steward *s;
	char *path;
	dev_t dev;
	ino_t ino;
	int fd;
	bool has_group;
	gid_t gid;
	ev_io lio;
	ev_timer pause;
	ev_prepare reap;
	struct ctl_conn *conns;
	struct ctl_conn *dead; /* closed, freed before the loop next waits */
	size_t nconns;
	size_t nstreams; /* connections with a status reply being made */
	/* rate-limited reports */
	uint64_t refused, refused_unreported;
	uint64_t busy_unreported;
	uint64_t evicted_unreported;
	uint64_t pause_count;
	double refused_reported_at, busy_reported_at, pause_reported_at;
	double evicted_reported_at;
};

static void ctl_conn_close(struct ctl_conn *cn);
static size_t ctl_cap(const struct ctl *c);
static void ctl_stream_pump(struct ctl_conn *cn, bool all);
static void ctl_conn_flush(struct ctl_conn *cn);
static void ctl_conn_process(struct ctl_conn *cn);

/*
 * Append a reply line and start writing it.  A reply may name records
 * ("[log 12]"), and the client may read the event log as soon as it has
 * the reply: the records this loop turn holds are written first.
 */
static void
ctl_reply(struct ctl_conn *cn, struct sbuf *body)
{
	sbuf_add(&cn->out, body->s, body->len);
	sbuf_add(&cn->out, "\n", 1);
	sbuf_free(body);
	evlog_sync(cn->ctl->s->log);
	ctl_conn_flush(cn);
}

/* An error reply: code and a message for people. */
static void ctl_reply_error(struct ctl_conn *cn, const char *code,
			    const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
ctl_reply_error(struct ctl_conn *cn, const char *code, const char *fmt, ...)
{
	struct sbuf b = {0};
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	sbuf_addf(&b, "{\"ok\":false,\"code\":\"%s\",\"error\":", code);
	sbuf_add_json(&b, msg);
	sbuf_add(&b, "}", 1);
	free(msg);
	ctl_reply(cn, &b);
}

/* Write what is pending; watch for writability if the socket is full. */
static void
ctl_conn_flush(struct ctl_conn *cn)
{
	struct ev_loop *loop = cn->ctl->s->loop;

	while (cn->outoff < cn->out.len) {
		ssize_t n =
		    send(cn->fd, cn->out.s + cn->outoff,
			 cn->out.len - cn->outoff, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN) {
			if (cn->out.len - cn->outoff > 2 * CTL_REPLY_MAX) {
				ctl_conn_close(cn); /* it does not read */
				return;
			}
			ev_io_start(loop, &cn->wio);
			return;
		}
		if (n == -1) {
			ctl_conn_close(cn); /* EPIPE, ECONNRESET: gone */
			return;
		}
		cn->outoff += (size_t)n;
	}
	ev_io_stop(loop, &cn->wio);
	cn->out.len = 0;
	cn->outoff = 0;
	if (cn->closing)
		ctl_conn_close(cn);
}

/* The socket can take more of the reply. */
static void
ctl_conn_write_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct ctl_conn *cn = container_of(w, struct ctl_conn, wio);

	(void)loop;
	(void)revents;
	ctl_conn_flush(cn);
	if (cn->fd >= 0 && cn->stream != NULL)
		ctl_stream_pump(cn, false);
}

/* Milliseconds between two monotonic times, never negative. */
static long long
ctl_ms(double later, double earlier)
{
	return later > earlier ? llround((later - earlier) * 1000) : 0;
}

/* The daemon's own fields, shared by status and info. */
static void
ctl_add_daemon(struct sbuf *b, struct ctl *c)
{
	struct steward *s = c->s;
	size_t instances = 0;

	for (size_t i = 0; i < s->nwards; i++)
		instances += s->wards[i]->ninst;
	sbuf_addf(b, "\"daemon\":{\"pid\":%d,\"version\":", (int)s->self);
	sbuf_add_json(b, STEWARD_VERSION);
	sbuf_addf(b, ",\"uptime_ms\":%lld,\"config\":",
		  ctl_ms(steward_now(), s->started_at));
	sbuf_add_json(b, s->cfg->path);
	sbuf_add(b, ",\"event_log\":", 13);
	sbuf_add_json(b, s->cfg->event_log);
	sbuf_add(b, ",\"socket\":", 10);
	sbuf_add_json(b, c->path);
	sbuf_addf(b, ",\"events_lost\":%llu,\"instances\":%zu",
		  (unsigned long long)evlog_lost(s->log), instances);
	/* The fd budget (fdbudget.c), as it stands. */
	sbuf_addf(b,
		  ",\"fd_limit\":%zu,\"fd_own\":%zu,\"fd_wards\":%zu,"
		  "\"fd_runs\":%zu,\"connections\":%zu,"
		  "\"connections_max\":%zu}",
		  s->fds.limit, s->fds.base, fdbudget_wards(s), job_fds(s),
		  c->nconns, ctl_cap(c));
}

/* Append a string field, or null. */
static void
ctl_add_str(struct sbuf *b, const char *key, const char *v)
{
	sbuf_addf(b, ",\"%s\":", key);
	if (v == NULL)
		sbuf_add(b, "null", 4);
	else
		sbuf_add_json(b, v);
}

/* Its cgroup's usage: CPU time of its processes, how many, memory. */
static void
ctl_add_usage(struct sbuf *b, struct ward_inst *wi)
{
	struct ward_cg_usage u;

	steward_cgroup_usage(wi->ward->steward, wi, &u);
	if (!u.tracked)
		return;
	sbuf_addf(b, ",\"cpu_usec\":%llu,\"procs\":%llu",
		  (unsigned long long)u.cpu_usec, (unsigned long long)u.procs);
	if (u.has_memory)
		sbuf_addf(b, ",\"memory\":%llu", (unsigned long long)u.memory);
}

/* One instance's status object. */
static void
ctl_add_instance(struct sbuf *b, struct ward_inst *wi, double now, bool usage)
{
	const struct ward_spec *w = wi->ward->spec;
	bool live = ward_state_has_process(wi->sm.state) && wi->pid > 0;
	char period[32];

	sbuf_add(b, "{\"ward\":", 8);
	sbuf_add_json(b, w->name);
	sbuf_addf(b, ",\"replica\":%u,\"state\":\"%s\",\"pid\":%d", wi->replica,
		  ward_state_name(wi->sm.state), live ? (int)wi->pid : 0);
	sbuf_addf(b, ",\"uptime_ms\":%lld,\"since_ms\":%lld",
		  live ? ctl_ms(now, wi->sm.spawned_at) : 0,
		  ctl_ms(now, wi->state_since));
	if (live && w->pol.heartbeat != WARD_HB_NONE && wi->beats > 0)
		sbuf_addf(b, ",\"last_beat_ms\":%lld",
			  ctl_ms(now, wi->sm.last_beat));
	else
		sbuf_add(b, ",\"last_beat_ms\":-1", 18);
	sbuf_addf(b, ",\"heartbeat\":\"%s\",\"beats\":%llu",
		  w->pol.heartbeat == WARD_HB_NONE     ? "none"
		  : w->pol.heartbeat == WARD_HB_NOTIFY ? "notify"
						       : "pipe",
		  (unsigned long long)wi->beats);
	ctl_add_str(b, "work", wi->work);
	ctl_add_str(b, "status", wi->status);
	if (usage)
		ctl_add_usage(b, wi);
	sbuf_addf(b, ",\"restarts\":%u,\"tokens\":%.2f", wi->sm.restarts,
		  floor(bucket_tokens(&wi->sm.bucket, now) * 100) / 100);
	parse_format_duration(w->limit.period_ms, period, sizeof(period));
	sbuf_addf(b, ",\"limit\":\"%u/%s\"", w->limit.burst, period);
	ctl_add_str(b, "cause",
		    wi->last_reason ? ward_cause_name(wi->last_cause) : NULL);
	ctl_add_str(b, "reason", wi->last_reason);
	if (wi->last_log_id != 0)
		sbuf_addf(b, ",\"log_id\":%llu",
			  (unsigned long long)wi->last_log_id);
	else
		sbuf_add(b, ",\"log_id\":null", 14);
	sbuf_add(b, "}", 1);
}

/* The names of every ward, for "no such ward" messages. */
static char *
ctl_known(struct steward *s)
{
	struct sbuf b = {0};

	for (size_t i = 0; i < s->nwards && i < 20; i++)
		sbuf_addf(&b, "%s%s", i ? ", " : "", s->wards[i]->spec->name);
	if (s->nwards > 20)
		sbuf_addf(&b, ", ... (%zu in all)", s->nwards);
	if (b.s == NULL)
		sbuf_addf(&b, "none");
	return b.s;
}

/*
 * supervisorctl's names: GROUP:* is every instance of a group (a
 * [group:NAME], or a program's own), GROUP:PROCESS one instance by its
 * process_name (or, for a program of one process, its name), as
 * supervisord's namespecs are.
 */
static bool
ctl_namespec(const struct ward_rt *wr, unsigned j, const char *arg)
{
	const char *colon = strchr(arg, ':'), *proc;
	size_t gl;
	bool in_group;

	if (colon == NULL)
		return false;
	gl = (size_t)(colon - arg);
	proc = colon + 1;
	in_group = (strlen(wr->spec->name) == gl &&
		    strncmp(arg, wr->spec->name, gl) == 0) ||
		   (wr->group != NULL && strlen(wr->group->spec->name) == gl &&
		    strncmp(arg, wr->group->spec->name, gl) == 0);
	if (!in_group)
		return false;
	if (strcmp(proc, "*") == 0)
		return true;
	if (wr->spec->procs != NULL && j < wr->spec->replicas &&
	    wr->spec->procs[j].name != NULL &&
	    strcmp(proc, wr->spec->procs[j].name) == 0)
		return true;
	return wr->ninst == 1 && strcmp(proc, wr->spec->name) == 0;
}

/*
 * Resolve the request's names to instances (in config order, each once).
 * Returns the count, or -1 after replying with the error.
 */
static ssize_t
ctl_resolve(struct ctl_conn *cn, const struct ctl_request *req,
	    struct ward_inst ***outp)
{
	struct steward *s = cn->ctl->s;
	size_t cap = 0, n = 0;
	struct ward_inst **v = NULL;
	bool all = req->nargs == 0;

	for (size_t a = 0; a < req->nargs; a++) {
		if (strcmp(req->args[a], "all") == 0)
			all = true;
	}
	for (size_t i = 0; i < s->nwards; i++)
		cap += s->wards[i]->ninst;
	v = xcalloc(cap ? cap : 1, sizeof(*v));
	for (size_t i = 0; i < s->nwards; i++) {
		struct ward_rt *wr = s->wards[i];

		for (unsigned j = 0; j < wr->ninst; j++) {
			bool want = all;

			for (size_t a = 0; a < req->nargs && !want; a++)
				want =
				    strcmp(req->args[a], wr->spec->name) == 0 ||
				    strcmp(req->args[a], wr->inst[j]->label) ==
					0 ||
				    (wr->group != NULL &&
				     strcmp(req->args[a],
					    wr->group->spec->name) == 0) ||
				    ctl_namespec(wr, j, req->args[a]);
			if (want)
				v[n++] = wr->inst[j];
		}
	}
	/* Every name must have matched something. */
	for (size_t a = 0; a < req->nargs && !all; a++) {
		bool found = false;

		for (size_t g = 0; g < s->ngroups && !found; g++)
			found =
			    strcmp(req->args[a], s->groups[g].spec->name) == 0;
		for (size_t k = 0; k < n && !found; k++)
			found =
			    strcmp(req->args[a], v[k]->ward->spec->name) == 0 ||
			    strcmp(req->args[a], v[k]->label) == 0 ||
			    ctl_namespec(v[k]->ward, v[k]->replica,
					 req->args[a]);
		if (!found) {
			char *known = ctl_known(s);

			/* With one name, the client's context names it. */
			if (req->nargs == 1)
				ctl_reply_error(cn, "no_such_ward",
						"no such ward (known: %s)",
						known);
			else
				ctl_reply_error(
				    cn, "no_such_ward",
				    "no such ward \"%s\" (known: %s)",
				    req->args[a], known);
			free(known);
			free(v);
			return -1;
		}
	}
	*outp = v;
	return (ssize_t)n;
}

/*
 * Add instances of the status being made until it is done, the output
 * is CTL_STREAM_AHEAD ahead of the socket or the slice is spent (all:
 * until it is done); then write.  Done, the lines behind it are handled.
 */
static void
ctl_stream_pump(struct ctl_conn *cn, bool all)
{
	struct ctl_stream *st = cn->stream;
	double t0 = steward_now();

	while (st->next < st->n) {
		if (!all && (cn->out.len - cn->outoff >= CTL_STREAM_AHEAD ||
			     (st->next % 32 == 0 &&
			      steward_now() - t0 >= CTL_STREAM_SLICE)))
			break;
		if (st->next > 0)
			sbuf_add(&cn->out, ",", 1);
		ctl_add_instance(&cn->out, st->v[st->next++], st->now,
				 st->n <= STEWARD_CG_USAGE_MAX);
	}
	if (st->next == st->n) {
		sbuf_add(&cn->out, "]}\n", 3);
		free(st->v);
		free(st);
		cn->stream = NULL;
		cn->ctl->nstreams--;
	}
	ctl_conn_flush(cn);
	if (cn->fd < 0)
		return;
	if (cn->stream != NULL) {
		/* Called back when the socket takes more: at once if it
		 * took everything. */
		if (!ev_is_active(&cn->wio))
			ev_io_start(cn->ctl->s->loop, &cn->wio);
	} else if (!all) {
		ctl_conn_process(cn);
	}
}

/* status [NAME ...]: the daemon's fields now, the instances in slices. */
static void
ctl_do_status(struct ctl_conn *cn, struct ctl_request *req)
{
	struct ward_inst **v;
	ssize_t n = ctl_resolve(cn, req, &v);
	struct ctl_stream *st;
	struct sbuf b = {0};

	if (n < 0)
		return;
	sbuf_add(&b, "{\"ok\":true,", 11);
	ctl_add_daemon(&b, cn->ctl);
	sbuf_add(&b, ",\"runs\":", 8);
	job_status_json(cn->ctl->s, &b);
	sbuf_add(&b, ",\"instances\":[", 14);
	sbuf_add(&cn->out, b.s, b.len);
	sbuf_free(&b);
	st = xcalloc(1, sizeof(*st));
	st->v = v;
	st->n = (size_t)n;
	st->now = steward_now();
	cn->stream = st;
	cn->ctl->nstreams++;
	evlog_sync(cn->ctl->s->log);
	ctl_stream_pump(cn, false);
}

/* A wait's verdict: the order was replaced by a later one unrun. */
#define CTL_REPLACED (-2)

/* Judge one instance of a wait: 1 reached, -1 cannot, CTL_REPLACED,
 * 0 not yet. */
static int
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
static void
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

/* Reply to a wait with every instance's outcome, and free it. */
static void
ctl_wait_finish(struct ctl_wait *w, const char *why_not)
{
	struct ctl_conn *cn = w->conn;
	struct sbuf b = {0};
	size_t failed = 0;

	sbuf_add(&b, "{\"results\":[", 12);
	for (size_t k = 0; k < w->n; k++) {
		struct ward_inst *wi = w->inst[k];
		int v = w->verdict[k];

		if (v != 1)
			failed++;
		sbuf_add(&b, k ? ",{\"ward\":" : "{\"ward\":", k ? 9 : 8);
		sbuf_add_json(&b, wi->ward->spec->name);
		sbuf_addf(&b, ",\"replica\":%u,\"ok\":%s,\"state\":\"%s\"",
			  wi->replica, v == 1 ? "true" : "false",
			  ward_state_name(wi->sm.state));
		ctl_add_str(&b, "reason",
			    v == 1   ? NULL
			    : v == 0 ? why_not
			    : v == CTL_REPLACED
				? "a later start took the place of "
				  "the stop before its turn"
			    : wi->last_reason ? wi->last_reason
					      : ward_state_name(wi->sm.state));
		sbuf_add(&b, "}", 1);
	}
	sbuf_add(&b, "]", 1);
	if (failed == 0) {
		sbuf_add(&b, ",\"ok\":true}", 11);
	} else {
		char *msg = xasprintf(
		    "%zu of %zu instance%s did not %s", failed, w->n,
		    w->n == 1 ? "" : "s",
		    w->goal == GOAL_STOPPED ? "stop" : "come up running");

		sbuf_addf(&b, ",\"ok\":false,\"code\":\"%s\",\"error\":",
			  why_not != NULL ? "timeout" : "failed");
		sbuf_add_json(&b, msg);
		sbuf_add(&b, "}", 1);
		free(msg);
	}
	ctl_wait_free(w);
	ctl_reply(cn, &b);
}

/* A wait's deadline passed: reply with what is known. */
static void
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

		if (w->verdict[wi->refs[0].k] == 0)
			w->verdict[wi->refs[0].k] = -1;
		ctl_wait_finish(w, "interrupted: a reload removed or "
				   "redefined the ward");
	}
}

/*
 * stop: the wards that require the named ones go down with them.  Without
 * --with-dependents, say which and refuse; with it, add their instances
 * (they stop first: the named ones wait for them).  Returns -1 when
 * refused (replied).
 */
static int
ctl_add_dependents(struct ctl_conn *cn, const struct ctl_request *req,
		   struct ward_inst ***vp, ssize_t *np)
{
	struct steward *s = cn->ctl->s;
	struct sbuf names = {0}, of = {0};
	size_t extra = 0;

	for (ssize_t k = 0; k < *np; k++) {
		struct ward_rt *wr = (*vp)[k]->ward, **deps;
		size_t nd;

		if (k > 0 && (*vp)[k - 1]->ward == wr)
			continue; /* one ward at a time */
		nd = steward_deps_dependents(s, wr, &deps);
		for (size_t d = 0; d < nd; d++) {
			bool named = false;

			for (ssize_t i = 0; i < *np && !named; i++)
				named = (*vp)[i]->ward == deps[d];
			if (named || strstr(names.s ? names.s : "",
					    deps[d]->spec->name) != NULL)
				continue;
			sbuf_addf(&names, "%s%s", names.len ? ", " : "",
				  deps[d]->spec->name);
			if (strstr(of.s ? of.s : "", wr->spec->name) == NULL)
				sbuf_addf(&of, "%s%s", of.len ? ", " : "",
					  wr->spec->name);
			if (req->with_dependents) {
				*vp = xrealloc(*vp, ((size_t)*np + extra +
						     deps[d]->ninst) *
							sizeof(**vp));
				for (unsigned j = 0; j < deps[d]->ninst; j++)
					(*vp)[*np + (ssize_t)extra++] =
					    deps[d]->inst[j];
			}
		}
		free(deps);
	}
	if (names.len > 0 && !req->with_dependents) {
		ctl_reply_error(
		    cn, "dependents",
		    "stopping it would take down %s, which require%s %s; add "
		    "--with-dependents to stop them too",
		    names.s, strchr(names.s, ',') ? "" : "s", of.s);
		sbuf_free(&names);
		sbuf_free(&of);
		return -1;
	}
	*np += (ssize_t)extra;
	sbuf_free(&names);
	sbuf_free(&of);
	return 0;
}

/* start, stop, restart: feed the event to each instance, maybe wait. */
static void
ctl_do_steer(struct ctl_conn *cn, struct ctl_request *req)
{
	struct steward *s = cn->ctl->s;
	struct ward_inst **v;
	ssize_t n = ctl_resolve(cn, req, &v);
	struct ctl_wait *w;
	double longest = 0;
	enum ward_event ev = req->cmd == CTL_START  ? WEV_START
			     : req->cmd == CTL_STOP ? WEV_STOP
						    : WEV_RESTART;

	if (n < 0)
		return;
	if (s->stopping) {
		free(v);
		ctl_reply_error(cn, "shutting_down",
				"stewardd is shutting down");
		return;
	}
	if (req->cmd == CTL_STOP && ctl_add_dependents(cn, req, &v, &n) == -1) {
		free(v);
		return;
	}
	w = xcalloc(1, sizeof(*w));
	w->conn = cn;
	w->cmd = req->cmd;
	w->goal = req->cmd == CTL_START  ? GOAL_RUNNING
		  : req->cmd == CTL_STOP ? GOAL_STOPPED
					 : GOAL_RESTARTED;
	w->n = (size_t)n;
	w->inst = v;
	w->gen0 = xcalloc(w->n ? w->n : 1, sizeof(unsigned));
	w->verdict = xcalloc(w->n ? w->n : 1, 1);
	for (size_t k = 0; k < w->n; k++)
		w->gen0[k] = v[k]->generation;
	cn->wait = w;
	/* Link first, so transitions during the steps are judged. */
	for (size_t k = 0; k < w->n; k++) {
		struct ward_inst *wi = v[k];

		if (wi->nrefs == wi->caprefs) {
			wi->caprefs = wi->caprefs ? wi->caprefs * 2 : 2;
			wi->refs =
			    xrealloc(wi->refs, wi->caprefs * sizeof(*wi->refs));
		}
		wi->refs[wi->nrefs++] = (struct ctl_ref){.wait = w, .k = k};
	}
	for (size_t k = 0; k < w->n; k++) {
		const struct ward_policy *pol = &v[k]->ward->spec->pol;

		if (pol->stop_timeout + pol->start_timeout > longest)
			longest = pol->stop_timeout + pol->start_timeout;
		if (ev == WEV_START)
			steward_pace_start(s, v[k]); /* in slices */
		else if (ev == WEV_STOP)
			steward_pace_stop(s, v[k], NULL); /* in slices */
		else
			steward_step(s, v[k], ev);
	}
	w->pending = 0;
	for (size_t k = 0; k < w->n; k++) {
		if (w->verdict[k] == 0)
			w->verdict[k] = (signed char)ctl_judge(w, k);
		if (w->verdict[k] == 0)
			w->pending++;
	}
	if (w->pending == 0 || req->no_wait) {
		if (req->no_wait)
			for (size_t k = 0; k < w->n; k++)
				w->verdict[k] = 1;
		ctl_wait_finish(w, NULL);
		return;
	}
	w->armed = true;
	/* Starts queued before these take their time first. */
	longest += 2 * steward_pace_eta(s);
	ev_timer_init(&w->deadline, ctl_wait_deadline_cb,
		      longest + CTL_WAIT_SLACK, 0);
	ev_timer_start(s->loop, &w->deadline);
}

/* signal SIG NAME ... */
static void
ctl_do_signal(struct ctl_conn *cn, struct ctl_request *req)
{
	struct ward_inst **v;
	ssize_t n;
	int sig, count = 0;
	char why[PARSE_WHY];
	struct sbuf b = {0};

	if (parse_signal(req->sig, &sig, why) == -1) {
		ctl_reply_error(cn, "usage", "signal \"%s\": %s", req->sig,
				why);
		return;
	}
	if ((n = ctl_resolve(cn, req, &v)) < 0)
		return;
	for (ssize_t i = 0; i < n; i++) {
		if (ward_state_has_process(v[i]->sm.state) && v[i]->pid > 0 &&
		    kill(-v[i]->pid, sig) == 0)
			count++;
	}
	free(v);
	sbuf_addf(&b, "{\"ok\":true,\"signalled\":%d}", count);
	ctl_reply(cn, &b);
}

/* reopen: as SIGUSR1. */
static void
ctl_do_reopen(struct ctl_conn *cn, struct ctl_request *req)
{
	struct err *e = NULL;
	struct sbuf b = {0};
	struct evlog_rec r;

	if (evlog_reopen(cn->ctl->s->log, &e) == -1) {
		char *msg = err_str(e);

		ctl_reply_error(cn, "failed", "%s", msg);
		free(msg);
		err_free(e);
		return;
	}
	evlog_begin(&r, cn->ctl->s->log, EVLOG_INFO, "event_log_reopened");
	evlog_str(&r, "reason", "stewardctl reopen");
	evlog_commit(&r);
	sbuf_add(&b, "{\"ok\":true}", 11);
	ctl_reply(cn, &b);
}

/*
 * Decode a run argument in place (ctl-proto.h): %XX is the byte XX, and
 * the lone word "%" is the empty argument.  -1 on a bad escape, -2 on
 * %00, which no argument of a program can hold (it would cut it short).
 */
static int
ctl_unescape(char *w)
{
	char *out = w;

	if (strcmp(w, "%") == 0) {
		*w = '\0';
		return 0;
	}
	for (const char *p = w; *p != '\0'; p++) {
		if (*p != '%') {
			*out++ = *p;
			continue;
		}
		if (!isxdigit((unsigned char)p[1]) ||
		    !isxdigit((unsigned char)p[2]))
			return -1;
		char hex[3] = {p[1], p[2], '\0'};
		*out = (char)strtol(hex, NULL, 16);
		if (*out++ == '\0')
			return -2;
		p += 2;
	}
	*out = '\0';
	return 0;
}

/* A run has its outcome: the second reply line. */
static void
ctl_run_done(void *arg, struct job_run *run)
{
	struct ctl_conn *cn = arg;
	struct sbuf b = {0};
	const char *outcome;

	cn->run = NULL;
	sbuf_add(&b, "{", 1);
	job_result_json(run, &b);
	outcome = strstr(b.s, "\"outcome\":\"success\"") != NULL   ? NULL
		  : strstr(b.s, "\"outcome\":\"timeout\"") != NULL ? "timeout"
		  : strstr(b.s, "\"outcome\":\"cancelled\"") != NULL
		      ? "cancelled"
		      : "failed";
	if (outcome == NULL)
		sbuf_add(&b, ",\"ok\":true}", 11);
	else
		sbuf_addf(&b, ",\"ok\":false,\"code\":\"%s\"}", outcome);
	ctl_reply(cn, &b);
	/* Requests that came meanwhile are handled now. */
	if (cn->fd >= 0)
		ctl_conn_process(cn);
}

/* run [--replicas=N] [--timeout=D] JOB [ARG ...] */
static void
ctl_do_run(struct ctl_conn *cn, struct ctl_request *req)
{
	struct job_run *run;
	const char *code = NULL;
	struct err *e = NULL;
	struct sbuf b = {0};

	for (size_t i = 1; i < req->nargs; i++) {
		int rc = ctl_unescape(req->args[i]);

		if (rc == -2) {
			ctl_reply_error(cn, "usage",
					"argument %zu holds a NUL byte (%%00); "
					"a program's argument cannot hold one",
					i);
			return;
		}
		if (rc == -1) {
			ctl_reply_error(cn, "usage",
					"argument %zu has a bad %%XX escape; "
					"expected %%XX with two hex digits, or "
					"a lone %% for an empty argument",
					i);
			return;
		}
	}
	run = job_create(cn->ctl->s, req->args[0], req->replicas,
			 req->timeout_ms, req->args + 1, req->nargs - 1,
			 ctl_run_done, cn, &code, &e);
	if (run == NULL) {
		char *msg = err_str(e);

		ctl_reply_error(cn, code, "%s", msg);
		free(msg);
		err_free(e);
		return;
	}
	cn->run = run;
	sbuf_add(&b, "{\"ok\":true,", 11);
	job_started_json(run, &b);
	sbuf_add(&b, "}", 1);
	ctl_reply(cn, &b);
	job_launch(run);
}

/* cancel RUN */
static void
ctl_do_cancel(struct ctl_conn *cn, struct ctl_request *req)
{
	char *end;
	unsigned long long id = strtoull(req->args[0], &end, 10);
	struct job_run *run = *end == '\0' ? job_find(cn->ctl->s, id) : NULL;
	struct sbuf b = {0};

	if (run == NULL) {
		ctl_reply_error(
		    cn, "no_such_run",
		    "no run %s is in flight (see stewardctl status)",
		    req->args[0]);
		return;
	}
	job_cancel(run, "cancelled by stewardctl cancel");
	sbuf_addf(&b, "{\"ok\":true,\"run\":%llu}", id);
	ctl_reply(cn, &b);
}

/* health: answers at once while the loop runs. */
static void
ctl_do_health(struct ctl_conn *cn, struct ctl_request *req)
{
	struct sbuf b = {0};

	sbuf_addf(&b, "{\"ok\":true,\"uptime_ms\":%lld,",
		  ctl_ms(steward_now(), cn->ctl->s->started_at));
	steward_pace_json(cn->ctl->s, &b);
	sbuf_add(&b, "}", 1);
	ctl_reply(cn, &b);
}

/* reload: read off the loop; the reply comes in ctl_reload_done(). */
static void
ctl_do_reload(struct ctl_conn *cn, struct ctl_request *req)
{
	if (cn->ctl->s->stopping) {
		ctl_reply_error(cn, "shutting_down",
				"stewardd is shutting down");
		return;
	}
	cn->reloading = true;
	steward_reload(cn->ctl->s, "stewardctl reload", cn);
}

/* info: the daemon object and the protocol. */
static void
ctl_do_info(struct ctl_conn *cn, struct ctl_request *req)
{
	struct sbuf b = {0};

	sbuf_add(&b, "{\"ok\":true,\"protocol\":1,", 24);
	ctl_add_daemon(&b, cn->ctl);
	sbuf_add(&b, "}", 1);
	ctl_reply(cn, &b);
}

/* A request's handler. */
typedef void ctl_handler_fn(struct ctl_conn *cn, struct ctl_request *req);

/*
 * Each command of ctl_cmds[] (ctl-proto.c) bound to its handler;
 * stewardctl's own commands never come as requests (ctl_parse() refuses
 * them).  No default: a command added to enum ctl_cmd and not bound here
 * is a compile error (-Wswitch, -Werror).
 */
static ctl_handler_fn *
ctl_handler(enum ctl_cmd cmd)
{
	switch (cmd) {
	case CTL_STATUS:
		return ctl_do_status;
	case CTL_START:
	case CTL_STOP:
	case CTL_RESTART:
		return ctl_do_steer;
	case CTL_SIGNAL:
		return ctl_do_signal;
	case CTL_HEALTH:
		return ctl_do_health;
	case CTL_REOPEN:
		return ctl_do_reopen;
	case CTL_RUN:
		return ctl_do_run;
	case CTL_CANCEL:
		return ctl_do_cancel;
	case CTL_RELOAD:
		return ctl_do_reload;
	case CTL_INFO:
		return ctl_do_info;
	case CTL_VERSION:
	case CTL_CHECK:
	case CTL_LOG:
	case CTL_HELP:
	case CTL_NCMDS:
		break;
	}
	return NULL;
}

/* Handle one complete request line. */
static void
ctl_request(struct ctl_conn *cn, char *line, size_t len)
{
	struct ctl_request req;
	ctl_handler_fn *fn;
	const char *code;
	char why[PARSE_WHY];

	if (!bucket_take(&cn->rate, steward_now())) {
		ctl_reply_error(cn, "rate_limited",
				"more than %d requests a second; slow down",
				CTL_RATE_BURST);
		return;
	}
	if (ctl_parse(line, len, &req, &code, why) == -1) {
		ctl_reply_error(cn, code, "%s", why);
		return;
	}
	if ((fn = ctl_handler(req.cmd)) == NULL) {
		/* ctl_parse() returns only commands bound above. */
		ctl_reply_error(cn, "internal", "no handler for \"%s\"",
				ctl_cmd_name(req.cmd));
		return;
	}
	fn(cn, &req);
}

/* Its reload is done: reply, then go on with the lines behind it. */
void
ctl_reload_done(struct ctl_conn *cn, int rc, const struct sbuf *json)
{
	struct sbuf b = {0};

	cn->reloading = false;
	sbuf_addf(&b, "{\"ok\":%s%s", rc == 0 ? "true" : "false",
		  rc == 0 ? "" : ",\"code\":\"config\"");
	if (json->len > 0)
		sbuf_add(&b, ",", 1);
	sbuf_add(&b, json->s, json->len);
	sbuf_add(&b, "}", 1);
	ctl_reply(cn, &b);
	if (cn->fd >= 0) {
		ctl_conn_process(cn);
		if (cn->fd >= 0 && !ev_is_active(&cn->rio) && !cn->closing)
			ev_io_start(cn->ctl->s->loop, &cn->rio);
	}
}

/* Handle every complete line in the buffer (one at a time, no waits). */
static void
ctl_conn_process(struct ctl_conn *cn)
{
	while (cn->wait == NULL && cn->run == NULL && !cn->reloading &&
	       cn->stream == NULL && !cn->closing && cn->fd >= 0) {
		char *nl = memchr(cn->in, '\n', cn->inlen);
		size_t len;

		if (nl == NULL)
			break;
		len = (size_t)(nl - cn->in);
		cn->last_active = steward_now();
		ctl_request(cn, cn->in, len);
		if (cn->fd < 0)
			return; /* closed while replying */
		memmove(cn->in, cn->in + len + 1, cn->inlen - len - 1);
		cn->inlen -= len + 1;
	}
}

/* The client sent something, or went away. */
static void
ctl_conn_read_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct ctl_conn *cn = container_of(w, struct ctl_conn, rio);
	ssize_t n;

	(void)loop;
	(void)revents;
	if (cn->inlen == CTL_LINE_MAX) {
		/* Full of lines waiting behind a pending request. */
		ev_io_stop(loop, &cn->rio);
		return;
	}
	n = recv(cn->fd, cn->in + cn->inlen, CTL_LINE_MAX - cn->inlen,
		 MSG_DONTWAIT);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		ctl_conn_close(cn); /* EOF or reset: cancels any wait */
		return;
	}
	cn->inlen += (size_t)n;
	ctl_conn_process(cn);
	if (cn->fd >= 0 && cn->wait == NULL && cn->run == NULL &&
	    !cn->reloading && cn->stream == NULL && !cn->closing &&
	    cn->inlen == CTL_LINE_MAX) {
		ctl_reply_error(cn, "too_long",
				"a request longer than %d bytes; closing",
				CTL_LINE_MAX);
		if (cn->fd >= 0) {
			cn->closing = true;
			ev_io_stop(loop, &cn->rio);
			ctl_conn_flush(cn);
		}
	}
}

/* The idle timer fired: close if nothing came for CTL_IDLE_SECONDS. */
static void
ctl_conn_idle_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct ctl_conn *cn = container_of(t, struct ctl_conn, idle);
	double left = cn->last_active + CTL_IDLE_SECONDS - steward_now();

	(void)revents;
	if (cn->wait != NULL || cn->run != NULL || cn->reloading ||
	    cn->stream != NULL || left > 0) {
		t->repeat = left > 0 ? left : CTL_IDLE_SECONDS;
		ev_timer_again(loop, t);
		return;
	}
	ctl_reply_error(cn, "timeout", "no request for %d seconds; closing",
			CTL_IDLE_SECONDS);
	if (cn->fd >= 0) {
		cn->closing = true;
		ev_io_stop(loop, &cn->rio);
		ctl_conn_flush(cn);
	}
}

/* Close a connection, dropping any wait and pending output. */
static void
ctl_conn_close(struct ctl_conn *cn)
{
	struct ctl *c = cn->ctl;
	struct ev_loop *loop = c->s->loop;

	if (cn->fd < 0)
		return;
	if (cn->wait != NULL)
		ctl_wait_free(cn->wait);
	if (cn->reloading) {
		cn->reloading = false;
		steward_reload_forget(c->s, cn);
	}
	if (cn->stream != NULL) {
		free(cn->stream->v);
		free(cn->stream);
		cn->stream = NULL;
		c->nstreams--;
	}
	if (cn->run != NULL) {
		/* The client went away: nobody wants the answer. */
		struct job_run *run = cn->run;

		cn->run = NULL;
		job_detach(run);
		job_cancel(run, "the client went away");
	}
	ev_io_stop(loop, &cn->rio);
	ev_io_stop(loop, &cn->wio);
	ev_timer_stop(loop, &cn->idle);
	if (close(cn->fd) == -1 && errno != EINTR)
		log_warnx("closing a control connection: %s", strerror(errno));
	cn->fd = -1;
	for (struct ctl_conn **p = &c->conns; *p != NULL; p = &(*p)->next) {
		if (*p == cn) {
			*p = cn->next;
			break;
		}
	}
	c->nconns--;
	sbuf_free(&cn->out);
	/* Freed before the loop next waits: callers may still look at it. */
	cn->next = c->dead;
	c->dead = cn;
}

/* Before the loop waits: free the connections closed meanwhile. */
static void
ctl_reap_cb(struct ev_loop *loop, ev_prepare *w, int revents)
{
	struct ctl *c = container_of(w, struct ctl, reap);

	(void)loop;
	(void)revents;
	while (c->dead != NULL) {
		struct ctl_conn *cn = c->dead;

		c->dead = cn->next;
		free(cn);
	}
}

/* A rate-limited warning about the control socket. */
static void
ctl_report(struct ctl *c, double *last, uint64_t *count, const char *event,
	   const char *reason, uid_t uid, pid_t pid)
{
	struct evlog_rec r;
	double now = steward_now();

	(*count)++;
	if (*last > 0 && now - *last < CTL_REPORT_EVERY)
		return;
	evlog_begin(&r, c->s->log, EVLOG_WARN, event);
	evlog_int(&r, "count", (long long)*count);
	if (pid > 0) {
		evlog_int(&r, "peer_uid", uid);
		evlog_int(&r, "peer_pid", pid);
	}
	evlog_str(&r, "reason", reason);
	evlog_commit(&r);
	*count = 0;
	*last = now;
}

/* May this peer steer stewardd? */
static bool
ctl_peer_allowed(struct ctl *c, int fd, struct ucred *cred)
{
	socklen_t len = sizeof(*cred);
	gid_t groups[256];

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, cred, &len) == -1)
		return false;
	if (cred->uid == 0 || cred->uid == geteuid())
		return true;
	if (!c->has_group)
		return false;
	if (cred->gid == c->gid)
		return true;
	len = sizeof(groups);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len) == -1)
		return false;
	for (size_t i = 0; i < len / sizeof(gid_t); i++) {
		if (groups[i] == c->gid)
			return true;
	}
	return false;
}

/* Answer and close a connection that will not be served. */
static void
ctl_turn_away(int fd, const char *code, const char *msg)
{
	struct sbuf b = {0};

	sbuf_addf(&b, "{\"ok\":false,\"code\":\"%s\",\"error\":", code);
	sbuf_add_json(&b, msg);
	sbuf_add(&b, "}\n", 2);
	/* Best effort: a fresh socket has room for one short line. */
	(void)send(fd, b.s, b.len, MSG_NOSIGNAL | MSG_DONTWAIT);
	sbuf_free(&b);
	if (close(fd) == -1 && errno != EINTR)
		log_warnx("closing a refused connection: %s", strerror(errno));
}

/* The listener was paused for lack of fds: listen again. */
static void
ctl_resume_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct ctl *c = container_of(t, struct ctl, pause);

	(void)revents;
	ev_io_start(loop, &c->lio);
}

/*
 * How many connections may be open: CTL_CONN_MAX, or fewer when the fds
 * left beside the wards' reserve and the job runs are fewer (fdbudget.c).
 */
static size_t
ctl_cap(const struct ctl *c)
{
	size_t shared = fdbudget_shared(c->s), runs = job_fds(c->s);
	size_t room = shared > runs ? shared - runs : 0;

	if (room < 1)
		room = 1; /* the operator's one way in */
	return room < CTL_CONN_MAX ? room : CTL_CONN_MAX;
}

/*
 * The connection to close to make room for a new one: the one idle the
 * longest, among those with no request in progress (no wait, no run,
 * no reload, no status being made, nothing left to write).  NULL when
 * every one is at work.
 */
static struct ctl_conn *
ctl_idlest(struct ctl *c)
{
	struct ctl_conn *best = NULL;

	for (struct ctl_conn *cn = c->conns; cn != NULL; cn = cn->next) {
		if (cn->wait != NULL || cn->run != NULL || cn->reloading ||
		    cn->stream != NULL || cn->closing ||
		    cn->outoff < cn->out.len)
			continue;
		if (best == NULL || cn->last_active < best->last_active)
			best = cn;
	}
	return best;
}

/* Close an idle connection to make room, telling it why. */
static void
ctl_evict(struct ctl_conn *cn, size_t cap)
{
	struct ctl *c = cn->ctl;
	struct sbuf b = {0};
	char why[160];

	snprintf(why, sizeof(why),
		 "closed to make room for a new connection: this one was "
		 "idle the longest of %zu",
		 cap);
	sbuf_addf(&b, "{\"ok\":false,\"code\":\"busy\",\"error\":");
	sbuf_add_json(&b, why);
	sbuf_add(&b, "}\n", 2);
	/* Best effort: an idle connection's buffer is empty. */
	(void)send(cn->fd, b.s, b.len, MSG_NOSIGNAL | MSG_DONTWAIT);
	sbuf_free(&b);
	ctl_report(c, &c->evicted_reported_at, &c->evicted_unreported,
		   "control_evicted",
		   "an idle connection was closed to make room for a new one",
		   cn->peer_uid, cn->peer_pid);
	ctl_conn_close(cn);
}

/* The connections open now; see ctl.h. */
size_t
ctl_nconns(const struct ctl *c)
{
	return c->nconns;
}

/* Accept what is waiting, a bounded batch per wake-up. */
static void
ctl_accept_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct ctl *c = container_of(w, struct ctl, lio);

	(void)revents;
	for (int i = 0; i < CTL_ACCEPT_BATCH; i++) {
		int fd =
		    accept4(c->fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
		struct ucred cred = {0};
		struct ctl_conn *cn;

		if (fd == -1) {
			if (errno == EMFILE || errno == ENFILE ||
			    errno == ENOBUFS || errno == ENOMEM) {
				/* Pending connections would wake us at once,
				 * again and again: pause instead. */
				ev_io_stop(loop, &c->lio);
				ev_timer_set(&c->pause, CTL_PAUSE, 0);
				ev_timer_start(loop, &c->pause);
				ctl_report(c, &c->pause_reported_at,
					   &c->pause_count,
					   "control_accept_paused",
					   strerror(errno), 0, 0);
			}
			return; /* EAGAIN, ECONNABORTED, ...: done for now */
		}
		if (!ctl_peer_allowed(c, fd, &cred)) {
			c->refused++;
			ctl_turn_away(
			    fd, "refused",
			    "permission denied: only root, stewardd's own user "
			    "or members of [steward] group may steer it");
			ctl_report(
			    c, &c->refused_reported_at, &c->refused_unreported,
			    "control_refused",
			    "a peer that may not steer stewardd connected",
			    cred.uid, cred.pid);
			continue;
		}
		/* Full: the idlest connection makes room, if one is idle. */
		size_t cap = ctl_cap(c);
		struct ctl_conn *idle;

		while (c->nconns >= cap && (idle = ctl_idlest(c)) != NULL)
			ctl_evict(idle, cap);
		if (c->nconns >= cap) {
			ctl_turn_away(
			    fd, "busy",
			    "too many control connections; try again");
			ctl_report(
			    c, &c->busy_reported_at, &c->busy_unreported,
			    "control_busy",
			    "connection refused: every connection allowed is "
			    "at work",
			    cred.uid, cred.pid);
			continue;
		}
		cn = xcalloc(1, sizeof(*cn));
		cn->ctl = c;
		cn->fd = fd;
		cn->peer_pid = cred.pid;
		cn->peer_uid = cred.uid;
		cn->last_active = steward_now();
		bucket_init(&cn->rate, CTL_RATE_BURST, 1.0, cn->last_active);
		ev_io_init(&cn->rio, ctl_conn_read_cb, fd, EV_READ);
		ev_io_init(&cn->wio, ctl_conn_write_cb, fd, EV_WRITE);
		ev_init(&cn->idle, ctl_conn_idle_cb);
		cn->idle.repeat = CTL_IDLE_SECONDS;
		ev_io_start(loop, &cn->rio);
		ev_timer_again(loop, &cn->idle);
		cn->next = c->conns;
		c->conns = cn;
		c->nconns++;
	}
}

/*
 * The directory of the socket path, by the path rule (safepath.h): the
 * socket is root's door, so a directory another user can change (who
 * could swap the socket for a link, or for a socket of their own) is
 * refused.  Returns its descriptor and the socket's name in it.
 */
static int
ctl_dir(const char *path, const char **name, struct err **errp)
{
	struct safepath_why why;
	char msg[512];
	int dfd = safepath_parent(path, name, &why);

	if (dfd == -1) {
		*errp =
		    ERR_NEW("opening the directory of %s: %s", path,
			    safepath_describe(&why, errno, msg, sizeof(msg)));
		return -1;
	}
	if (why.shared) {
		close(dfd);
		if (why.uid != (uid_t)-1 && why.uid != 0)
			snprintf(msg, sizeof(msg), " (user %u)",
				 (unsigned)why.uid);
		else
			msg[0] = '\0';
		*errp = ERR_NEW(
		    "refusing %s for the control socket: a directory on the "
		    "way is one that another user can change%s; put it in a "
		    "directory only root can change (see SECURITY in "
		    "stewardd(8))",
		    path, msg);
		return -1;
	}
	return dfd;
}

/*
 * Give the socket its group and mode through a descriptor of the socket
 * itself (never a link that replaced it); -1 with errno.
 */
static int
ctl_modes(int dfd, const char *name, dev_t dev, ino_t ino, bool has_group,
	  gid_t gid)
{
	return safepath_sock_chown_chmod(dfd, name, dev, ino, (uid_t)-1,
					 has_group ? gid : (gid_t)-1,
					 has_group ? 0660 : 0600);
}

/* Listen on the control socket; see ctl.h. */
struct ctl *
ctl_open(struct steward *s, const char *path, bool has_group, gid_t gid,
	 struct err **errp)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct ctl *c;
	struct stat sb;
	const char *name;
	mode_t old;
	int fd, dfd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		*errp = ERR_NEW("the socket path %s is longer than %zu bytes",
				path, sizeof(sa.sun_path) - 1);
		return NULL;
	}
	if ((dfd = ctl_dir(path, &name, errp)) == -1)
		return NULL;
	if (sockname_claim(dfd, name, path, "stewardd", "socket path", errp) ==
	    -1) {
		close(dfd);
		return NULL;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd == -1) {
		*errp = ERR_SYS("making the control socket");
		close(dfd);
		return NULL;
	}
	/* By path: no other user can change a directory on the way. */
	memcpy(sa.sun_path, path, strlen(path) + 1);
	old = umask(0177); /* never a moment with a wider mode */
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == -1) {
		*errp = ERR_SYS("binding %s", path);
		umask(old);
		close(fd);
		close(dfd);
		return NULL;
	}
	umask(old);
	if (fstatat(dfd, name, &sb, AT_SYMLINK_NOFOLLOW) == -1) {
		*errp = ERR_SYS("checking %s", path);
		goto fail;
	}
	if (!S_ISSOCK(sb.st_mode)) {
		*errp = ERR_NEW("%s is no socket just after binding it", path);
		goto fail;
	}
	if (has_group &&
	    ctl_modes(dfd, name, sb.st_dev, sb.st_ino, true, gid) == -1) {
		*errp = ERR_SYS("giving %s to group %u with mode 0660", path,
				(unsigned)gid);
		goto fail;
	}
	if (listen(fd, 64) == -1) {
		*errp = ERR_SYS("listening on %s", path);
		goto fail;
	}
	close(dfd);
	c = xcalloc(1, sizeof(*c));
	c->s = s;
	c->path = xstrdup(path);
	c->dev = sb.st_dev;
	c->ino = sb.st_ino;
	c->fd = fd;
	c->has_group = has_group;
	c->gid = gid;
	ev_io_init(&c->lio, ctl_accept_cb, fd, EV_READ);
	ev_io_start(s->loop, &c->lio);
	ev_init(&c->pause, ctl_resume_cb);
	ev_prepare_init(&c->reap, ctl_reap_cb);
	ev_prepare_start(s->loop, &c->reap);
	return c;

fail:
	(void)unlinkat(dfd, name, 0);
	close(fd);
	close(dfd);
	return NULL;
}

/* A reload changed [steward] group; see ctl.h. */
void
ctl_set_group(struct ctl *c, bool has_group, gid_t gid)
{
	struct err *e = NULL;
	const char *name;
	int dfd;

	if (c->has_group == has_group && (!has_group || c->gid == gid))
		return;
	if ((dfd = ctl_dir(c->path, &name, &e)) == -1) {
		log_warnx("not changing the control socket's group: %s",
			  e->msg);
		err_free(e);
		return;
	}
	if (ctl_modes(dfd, name, c->dev, c->ino, has_group, gid) == -1)
		log_warnx("setting %s to %s mode %s: %s", c->path,
			  has_group ? "its group and" : "",
			  has_group ? "0660" : "0600",
			  errno == ESTALE ? "it is no longer stewardd's socket"
					  : strerror(errno));
	close(dfd);
	c->has_group = has_group;
	c->gid = gid;
}

/* Stop listening and close everything; see ctl.h. */
void
ctl_close(struct ctl *c)
{
	struct ev_loop *loop;
	struct safepath_why why;
	const char *name;
	struct stat sb;
	int dfd;

	if (c == NULL)
		return;
	loop = c->s->loop;
	while (c->conns != NULL) {
		struct ctl_conn *cn = c->conns;

		if (cn->wait != NULL) {
			ctl_wait_free(cn->wait);
			ctl_reply_error(cn, "shutting_down",
					"stewardd is shutting down");
		}
		ctl_conn_close(cn);
	}
	ctl_reap_cb(loop, &c->reap, 0);
	ev_io_stop(loop, &c->lio);
	ev_timer_stop(loop, &c->pause);
	ev_prepare_stop(loop, &c->reap);
	if (close(c->fd) == -1 && errno != EINTR)
		log_warnx("closing the control socket: %s", strerror(errno));
	/* Remove the name only if it is still our socket. */
	if ((dfd = safepath_parent(c->path, &name, &why)) != -1) {
		if (fstatat(dfd, name, &sb, AT_SYMLINK_NOFOLLOW) == 0 &&
		    sb.st_dev == c->dev && sb.st_ino == c->ino &&
		    unlinkat(dfd, name, 0) == -1)
			log_warnx("removing %s: %s", c->path, strerror(errno));
		close(dfd);
	}
	free(c->path);
	free(c);
}
