/*
 * status, info and health: the daemon's fields and one object per
 * instance; a status is made in slices as the client reads it.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/parse.h"
#include "core/fdbudget.h"
#include "core/steward.h"
#include "ctl/ctl-internal.h"
#include "daemon/job.h"

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
void
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
	bool live = steward_inst_has_pid(wi);
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

/*
 * Add instances of the status being made until it is done, the output
 * is CTL_STREAM_AHEAD ahead of the socket or the slice is spent (all:
 * until it is done); then write.  Done, the lines behind it are handled
 * by the write callback (ctl_conn_resume()).
 */
void
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
		if (st->verdict != NULL)
			ctl_wait_result(&cn->out, st, st->next);
		else
			ctl_add_instance(&cn->out, st->v[st->next], st->now,
					 st->n <= STEWARD_CG_USAGE_MAX);
		st->next++;
	}
	if (st->next == st->n) {
		if (st->end != NULL)
			sbuf_add(&cn->out, st->end, strlen(st->end));
		else
			sbuf_add(&cn->out, "]}\n", 3);
		ctl_stream_free(cn);
	}
	ctl_conn_flush(cn);
	if (cn->fd < 0)
		return;
	/* Called back when the socket takes more: at once if it took
	 * everything. */
	if (cn->stream != NULL && !ev_is_active(&cn->wio))
		ev_io_start(cn->ctl->s->loop, &cn->wio);
	ctl_conn_resume(cn);
}

/* Forget the reply being made (done, or the connection closed). */
void
ctl_stream_free(struct ctl_conn *cn)
{
	struct ctl_stream *st = cn->stream;

	if (st == NULL)
		return;
	if (st->reason != NULL)
		for (size_t k = 0; k < st->n; k++)
			free(st->reason[k]);
	free(st->reason);
	free(st->verdict);
	free(st->state);
	free(st->end);
	free(st->v);
	free(st);
	cn->stream = NULL;
	cn->ctl->nstreams--;
}

/* status [NAME ...]: the daemon's fields now, the instances in slices. */
void
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

/* health: answers at once while the loop runs. */
void
ctl_do_health(struct ctl_conn *cn, struct ctl_request *req)
{
	struct sbuf b = {0};

	sbuf_addf(&b, "{\"ok\":true,\"uptime_ms\":%lld,",
		  ctl_ms(steward_now(), cn->ctl->s->started_at));
	steward_pace_json(cn->ctl->s, &b);
	sbuf_add(&b, "}", 1);
	ctl_reply(cn, &b);
}

/* info: the daemon object and the protocol. */
void
ctl_do_info(struct ctl_conn *cn, struct ctl_request *req)
{
	struct sbuf b = {0};

	sbuf_add(&b, "{\"ok\":true,\"protocol\":1,", 24);
	ctl_add_daemon(&b, cn->ctl);
	sbuf_add(&b, "}", 1);
	ctl_reply(cn, &b);
}
