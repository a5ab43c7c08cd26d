/*
 * start, stop, restart, signal, reopen and reload: the requests that
 * steer the wards or the daemon.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "base/parse.h"
#include "core/output-sink.h"
#include "core/steward.h"
#include "daemon/steward-reload.h"
#include "daemon/steward-deps.h"
#include "ctl/ctl-internal.h"

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
void
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
void
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
		if (steward_inst_has_pid(v[i]) && kill(-v[i]->pid, sig) == 0)
			count++;
	}
	free(v);
	sbuf_addf(&b, "{\"ok\":true,\"signalled\":%d}", count);
	ctl_reply(cn, &b);
}

/* reopen: as SIGUSR1: the ward log files, then the event log. */
void
ctl_do_reopen(struct ctl_conn *cn, struct ctl_request *req)
{
	struct err *e = NULL;
	struct sbuf b = {0};
	struct evlog_rec r;
	size_t files = output_sink_reopen_all(cn->ctl->s);

	if (evlog_reopen(cn->ctl->s->log, &e) == -1) {
		char *msg = err_str(e);

		ctl_reply_error(cn, "failed", "%s", msg);
		free(msg);
		err_free(e);
		return;
	}
	evlog_begin(&r, cn->ctl->s->log, EVLOG_INFO, "event_log_reopened");
	evlog_str(&r, "reason", "stewardctl reopen");
	evlog_int(&r, "output_files", (long long)files);
	evlog_commit(&r);
	sbuf_addf(&b, "{\"ok\":true,\"output_files\":%zu}", files);
	ctl_reply(cn, &b);
}

/* reload: read off the loop; the reply comes in ctl_reload_done(). */
void
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
