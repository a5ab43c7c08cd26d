/*
 * Reloading: re-read the config and apply only the difference.
 *
 * The new config is loaded and validated beside the running one with the
 * same code as --check; if it has any error, nothing changes (the
 * problems go to the caller and the event log).  Otherwise each ward is
 * compared by name with config_ward_same():
 *
 *   new name              added: its instances start (if autostart)
 *   gone                  removed: stopped, freed once reaped
 *   same but replicas     resized: extra instances stop and are freed,
 *                         new ones start; the others are untouched
 *   same                  unchanged: pid, uptime, restart count and
 *                         token bucket kept; only its spec pointer moves
 *                         to the new config
 *   different             changed: stopped with the old definition,
 *                         then started with the new one once reaped
 *
 * Reading happens off the loop.  A config of 100,000 wards takes a few
 * hundred milliseconds to read and check; the loop must not stop that
 * long (beats would go unheard, deadlines unjudged).  So a reload asks
 * a thread to run config_load(), which touches nothing of the running
 * steward, and the thread says it is done through an ev_async; the loop
 * then compares and applies (O(n): names are paired through a table)
 * and replies.  The thread's signals are blocked: they stay the loop's.
 * One read runs at a time: reloads asked for while it runs are served
 * together by one more read once it ends (the file may have changed
 * since the running one read it), and a control client waits for its
 * reload's reply as it waits for a start.
 *
 * Specs live inside their config, so a config is reference-counted: each
 * ward holds the one its spec points into (and the one its pending change
 * points into), and the last to let go frees it.  Nothing is freed from
 * inside a transition: steward_reload_settle() runs from an ev_prepare
 * (before the loop next waits) and finishes the removals, resizes and
 * changes whose instances have all been reaped.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/ctl.h"
#include "base/log.h"
#include "daemon/metrics.h"
#include "base/nametab.h"
#include "core/steward.h"
#include "daemon/steward-deps.h"
#include "daemon/steward-reload.h"

/* What a reload does to a ward: see steward_reload_some(). */
static enum reload_pick
reload_pick(reload_pick_fn *pick, void *arg, const char *name)
{
	return pick != NULL ? pick(arg, name) : RELOAD_APPLY;
}

/*
 * Pair the running wards with the new config's by name: match[i] is the
 * running ward named like c->wards[i], or NULL (added); the result is
 * how many running wards have no namesake (gone), and gone[k] says which.
 * A ward picked RELOAD_DROP is gone whatever c says; one picked
 * RELOAD_KEEP is never gone, and skip[i] marks a ward of c that is left
 * alone (kept, or not to be added).  O(n) with a table of the new names
 * (their strings stay put in c).
 */
static size_t
reload_match(struct steward *s, const struct config *c, struct ward_rt **match,
	     bool *gone, bool *skip, reload_pick_fn *pick, void *arg)
{
	struct nametab names = {0};
	size_t ngone = 0;

	for (size_t i = 0; i < c->nwards; i++) {
		(void)nametab_put(&names, c->wards[i].name, i);
		skip[i] =
		    reload_pick(pick, arg, c->wards[i].name) != RELOAD_APPLY;
	}
	for (size_t k = 0; k < s->nwards; k++) {
		const char *name = s->wards[k]->spec->name;
		enum reload_pick p = reload_pick(pick, arg, name);
		ssize_t i = nametab_get(&names, name);

		gone[k] = p == RELOAD_DROP || (i < 0 && p == RELOAD_APPLY);
		if (i >= 0 && p != RELOAD_DROP)
			match[i] = s->wards[k];
		if (gone[k])
			ngone++;
	}
	nametab_free(&names);
	return ngone;
}

/* Feed an event to instances [from, ninst); why, if a stop says it. */
static void
reload_step_all(struct steward *s, struct ward_rt *wr, unsigned from,
		enum ward_event ev, const char *why)
{
	for (unsigned j = from; j < wr->ninst; j++)
		steward_step_why(s, wr->inst[j], ev, why);
}

/* Append a JSON array of names to a reply. */
static void
reload_names(struct sbuf *b, const char *key, char **names, size_t n)
{
	sbuf_addf(b, "%s\"%s\":[", b->len ? "," : "", key);
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			sbuf_add(b, ",", 1);
		sbuf_add_json(b, names[i]);
	}
	sbuf_add(b, "]", 1);
}

/* A growing list of names. */
struct reload_list {
	char **v;
	size_t n;
};

/* Add an entry (malloc'd, taken) to a list; the room doubles. */
static void
reload_add(struct reload_list *l, char *entry)
{
	if ((l->n & (l->n - 1)) == 0)
		l->v = xrealloc(l->v, (l->n ? l->n * 2 : 1) * sizeof(char *));
	l->v[l->n++] = entry;
}

/* Free a list. */
static void
reload_list_free(struct reload_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
}

/* Resize an unchanged ward to its new replicas. */
static void
reload_resize(struct steward *s, struct ward_rt *wr, unsigned had,
	      unsigned want)
{
	/* Extra instances still stopping come back if wanted again. */
	for (unsigned j = had; j < want && j < wr->ninst; j++)
		if (wr->inst[j]->sm.state == WARD_STOPPING &&
		    wr->spec->autostart)
			steward_step(s, wr->inst[j], WEV_START);
	if (want > wr->ninst) {
		unsigned old = wr->ninst;

		wr->inst = xrealloc(wr->inst, want * sizeof(*wr->inst));
		for (unsigned j = old; j < want; j++)
			wr->inst[j] = steward_inst_new(s, wr, j);
		wr->ninst = want;
		if (wr->spec->autostart)
			for (unsigned j = old; j < want; j++)
				steward_pace_start(s, wr->inst[j]);
	}
	if (want < wr->ninst) {
		char why[96];

		snprintf(why, sizeof(why),
			 "stopped by a reload: replicas %u -> %u", had, want);
		reload_step_all(s, wr, want, WEV_STOP, why);
	}
}

/* Apply the [steward] section: event log, group; the socket at restart. */
static void
reload_steward(struct steward *s, const struct config *old,
	       const struct config *c, struct reload_list *notes)
{
	if (strcmp(old->event_log, c->event_log) != 0) {
		struct err *e = NULL;
		struct evlog *nl = evlog_open(s->loop, c->event_log, &e);

		if (nl == NULL) {
			char *msg = err_str(e);

			reload_add(notes, xasprintf("event_log stays %s: %s",
						    old->event_log, msg));
			free(msg);
			err_free(e);
		} else {
			evlog_close(s->log);
			s->log = nl;
			s->log_is_stderr = strcmp(c->event_log, "-") == 0;
		}
	}
	if (!((old->socket == NULL && c->socket == NULL) ||
	      (old->socket != NULL && c->socket != NULL &&
	       strcmp(old->socket, c->socket) == 0)))
		reload_add(notes, xstrdup("socket changes take effect when "
					  "stewardd restarts"));
	if (s->ctl != NULL)
		ctl_set_group(s->ctl, c->has_group, c->group_gid);
}

/* Log the outcome of a reload and build the reply's fields. */
static void
reload_report(struct steward *s, const char *why,
	      const struct config_report *rep, struct reload_list lists[5],
	      size_t unchanged, struct sbuf *json)
{
	static const char *const keys[5] = {"added", "changed", "removed",
					    "resized", "notes"};
	struct evlog_rec r;
	struct sbuf line = {0};

	evlog_begin(&r, s->log, rep->errors ? EVLOG_ERROR : EVLOG_INFO,
		    rep->errors ? "reload_failed" : "reloaded");
	evlog_str(&r, "reason", why);
	if (rep->errors) {
		char *msg = xasprintf("%zu error%s in the config; nothing "
				      "changed",
				      rep->errors, rep->errors == 1 ? "" : "s");

		evlog_str(&r, "error", msg);
		sbuf_add(json, "\"error\":", 8);
		sbuf_add_json(json, msg);
		free(msg);
	}
	for (int k = 0; k < 5; k++) {
		reload_names(json, keys[k], lists[k].v, lists[k].n);
		reload_names(&line, keys[k], lists[k].v, lists[k].n);
	}
	sbuf_addf(json, ",\"unchanged\":%zu,\"problems\":[", unchanged);
	for (size_t i = 0; i < rep->n; i++) {
		if (i > 0)
			sbuf_add(json, ",", 1);
		sbuf_add_json(json, rep->v[i].msg);
	}
	sbuf_add(json, "]", 1);
	evlog_int(&r, "unchanged", (long long)unchanged);
	/* The lists and problems as JSON arrays, for people and tools. */
	{
		struct sbuf p = {0};

		for (size_t i = 0; i < rep->n; i++)
			sbuf_addf(&p, "%s%s", i ? "\n" : "", rep->v[i].msg);
		if (p.s != NULL)
			evlog_str(&r, "problems", p.s);
		sbuf_free(&p);
	}
	evlog_str(&r, "changes", line.s ? line.s : "");
	evlog_commit(&r);
	if (!s->log_is_stderr)
		log_line("%-12s %-8s %s: %s", "stewardd",
			 rep->errors ? "reload" : "reloaded", why,
			 rep->errors ? "the config has errors; nothing changed"
				     : (line.s ? line.s : ""));
	sbuf_free(&line);
}

/* Apply a config read by the reload thread (c: NULL on errors). */
static int
reload_apply(struct steward *s, const char *why, struct config *c,
	     struct config_report rep, struct sbuf *json, reload_pick_fn *pick,
	     void *arg)
{
	struct reload_list lists[5] = {{0}}; /* added changed removed resized
						notes */
	size_t unchanged = 0, had;
	struct ward_rt **match;
	bool *gone, *skip;

	if (s->stopping) {
		sbuf_add(json, "\"error\":\"stewardd is shutting down\"", 35);
		config_unref(c);
		config_report_free(&rep);
		return -1;
	}
	if (c == NULL) {
		reload_report(s, why, &rep, lists, 0, json);
		config_report_free(&rep);
		return -1;
	}
	/* stewardd's -s and -l still win. */
	c->socket_override = s->cfg->socket_override;
	c->event_log_override = s->cfg->event_log_override;
	if (c->socket_override != NULL) {
		free(c->socket);
		c->socket = xstrdup(c->socket_override);
	}
	if (c->event_log_override != NULL) {
		free(c->event_log);
		c->event_log = xstrdup(c->event_log_override);
	}
	match = xcalloc(c->nwards + 1, sizeof(*match));
	gone = xcalloc(s->nwards + 1, sizeof(*gone));
	skip = xcalloc(c->nwards + 1, sizeof(*skip));
	had = s->nwards;
	/* Room for every ward that may be added, in one step. */
	s->wards =
	    xrealloc(s->wards, (s->nwards + c->nwards + 1) * sizeof(*s->wards));
	(void)reload_match(s, c, match, gone, skip, pick, arg);
	/* Wards of the new config: added, unchanged, resized or changed. */
	for (size_t i = 0; i < c->nwards; i++) {
		const struct ward_spec *ns = &c->wards[i];
		struct ward_rt *wr = match[i];
		const struct ward_spec *cur;

		if (skip[i]) {
			if (wr != NULL)
				unchanged++;
			continue;
		}
		if (wr == NULL) {
			wr = steward_ward_new(s, ns, c);
			s->wards[s->nwards++] = wr;
			wr->start_after = ns->autostart; /* once linked */
			reload_add(&lists[0], xstrdup(ns->name));
			continue;
		}
		cur = wr->next != NULL ? wr->next : wr->spec;
		if (!wr->removing && config_ward_same(cur, ns)) {
			unsigned old = cur->replicas;

			if (wr->next != NULL) {
				config_unref(wr->next_cfg);
				wr->next = ns;
				wr->next_cfg = config_ref(c);
			} else {
				config_unref(wr->cfg);
				wr->spec = ns;
				wr->cfg = config_ref(c);
				reload_resize(s, wr, old, ns->replicas);
			}
			if (old != ns->replicas)
				reload_add(&lists[3],
					   xasprintf("%s (%u -> %u)", ns->name,
						     old, ns->replicas));
			else
				unchanged++;
			continue;
		}
		/* Changed: stop with the old definition, start the new. */
		wr->start_after = wr->start_after || wr->removing ||
				  steward_ward_live(wr) || ns->autostart;
		wr->removing = false;
		config_unref(wr->next_cfg);
		wr->next = ns;
		wr->next_cfg = config_ref(c);
		for (unsigned j = 0; j < wr->ninst; j++)
			steward_pace_stop(s, wr->inst[j],
					  "stopped by a reload: its definition "
					  "changed (it starts again with the "
					  "new one)");
		reload_add(&lists[1], xstrdup(ns->name));
	}
	/* Wards that are gone (the added ones are after had). */
	for (size_t i = 0; i < had; i++) {
		struct ward_rt *wr = s->wards[i];

		if (!gone[i] || wr->removing)
			continue;
		wr->removing = true;
		config_unref(wr->next_cfg);
		wr->next_cfg = NULL;
		wr->next = NULL;
		for (unsigned j = 0; j < wr->ninst; j++)
			steward_pace_stop(
			    s, wr->inst[j],
			    "stopped by a reload: it is no longer "
			    "in the config");
		reload_add(&lists[2], xstrdup(wr->spec->name));
	}
	free(match);
	free(gone);
	free(skip);
	if (pick == NULL) /* supervisord's API applies process groups only */
		reload_steward(s, s->cfg, c, &lists[4]);
	{
		/* The old groups are read while relinking: free after. */
		struct config *old = s->cfg;

		s->cfg = c;
		metrics_start(s); /* a new metrics_file or metrics_interval */
		steward_deps_link(s);
		config_unref(old);
	}
	/* New wards start now that requires/after can be followed. */
	for (size_t i = 0; i < s->nwards; i++) {
		struct ward_rt *wr = s->wards[i];

		if (wr->next == NULL && wr->start_after) {
			wr->start_after = false;
			for (unsigned j = 0; j < wr->ninst; j++)
				steward_pace_start(s, wr->inst[j]);
		}
	}
	reload_report(s, why, &rep, lists, unchanged, json);
	for (int k = 0; k < 5; k++)
		reload_list_free(&lists[k]);
	config_report_free(&rep);
	s->settle_armed = true;
	ev_prepare_start(s->loop, &s->settle);
	return 0;
}

/*
 * Free the instances of wr above keep, the last first, none with a
 * process; *changed once one is freed.  Thousands reaped at once (a
 * removed ward of 10,000 replicas) go a slice at a time: once one is
 * freed and steward_pace_more() says the slice begun at t0 is over,
 * stop and return false, the rest in the next iterations (an
 * instance's cgroup directory is removed as it goes, tens to hundreds
 * of microseconds each).  True when none is left above keep.
 */
static bool
reload_free_above(struct steward *s, struct ward_rt *wr, unsigned keep,
		  double t0, bool *changed)
{
	while (wr->ninst > keep) {
		struct ward_inst *wi = wr->inst[wr->ninst - 1];

		if (ward_state_has_process(wi->sm.state))
			return true; /* not yet: the caller sees it live */
		if (*changed && !steward_pace_more(s, t0))
			return false;
		steward_inst_free(s, wi);
		wr->ninst--;
		*changed = true;
	}
	return true;
}

/* Finish what reloads began, for wards whose processes are gone. */
void
steward_reload_settle(struct steward *s)
{
	bool pending = false, changed = false, more = false;
	double t0 = steward_now();

	for (size_t i = 0; i < s->nwards;) {
		struct ward_rt *wr = s->wards[i];

		/* Thousands reaped at once are freed a slice at a time, the
		 * poll not sleeping meanwhile. */
		if (changed && !steward_pace_more(s, t0)) {
			pending = true;
			more = true;
			break;
		}
		if (wr->removing) {
			if (steward_ward_live(wr)) {
				pending = true;
				i++;
				continue;
			}
			if (!reload_free_above(s, wr, 0, t0, &changed)) {
				pending = more = true;
				break;
			}
			/* Links to wr are rebuilt below, before any use. */
			steward_ward_free(s, wr);
			s->wards[i] = s->wards[--s->nwards];
			changed = true;
			continue;
		}
		if (wr->next != NULL) {
			if (steward_ward_live(wr)) {
				pending = true;
				i++;
				continue;
			}
			if (!reload_free_above(s, wr, 0, t0, &changed)) {
				pending = more = true;
				break;
			}
			/* Every instance is down and freed: switch
			 * definitions. */
			changed = true;
			free(wr->inst);
			config_unref(wr->cfg);
			wr->spec = wr->next;
			wr->cfg = wr->next_cfg;
			wr->next = NULL;
			wr->next_cfg = NULL;
			wr->ninst = wr->spec->replicas;
			wr->inst = xcalloc(wr->ninst, sizeof(*wr->inst));
			for (unsigned j = 0; j < wr->ninst; j++)
				wr->inst[j] = steward_inst_new(s, wr, j);
			/* Started by the deps settle, in order. */
			if (wr->start_after)
				for (unsigned j = 0; j < wr->ninst; j++)
					wr->inst[j]->want_start = true,
					s->nwaiting++;
			wr->start_after = false;
		}
		/* Extra instances of a smaller ward, once stopped. */
		if (wr->ninst > wr->spec->replicas) {
			if (!reload_free_above(s, wr, wr->spec->replicas, t0,
					       &changed)) {
				pending = more = true;
				break;
			}
			if (wr->ninst > wr->spec->replicas)
				pending = true; /* one still stopping */
		}
		i++;
	}
	if (changed)
		steward_deps_link(s);
	if (more)
		ev_idle_start(s->loop, &s->settle_more);
	else
		ev_idle_stop(s->loop, &s->settle_more);
	if (!pending) {
		s->settle_armed = false;
		ev_prepare_stop(s->loop, &s->settle);
	}
}

/* Who waits for a reload: control clients, and maybe a SIGHUP. */
struct reload_round {
	struct ctl_conn **conns;
	size_t n;
	bool hup; /* a SIGHUP asked */
	char *why;
};

/* The reading thread and the rounds of reloads (see the top). */
struct steward_reloader {
	ev_async done;
	pthread_t thread;
	bool running;
	char *path;
	struct config *c; /* what the thread read, or NULL */
	struct config_report rep;
	struct reload_round now;    /* served by the running read */
	struct reload_round next;   /* asked for while it ran */
	struct steward_read *reads; /* steward_read_config()'s, under way */
};

/* A read that applies nothing (supervisord's reloadConfig). */
struct steward_read {
	struct steward *s;
	ev_async done;
	pthread_t thread;
	char *path;
	struct config *c;
	struct config_report rep;
	steward_read_fn *fn; /* NULL once cancelled */
	bool joined;
	void *arg;
	struct steward_read *prev, *next;
};

/* The thread: read and check the config, tell the loop. */
static void *
reload_read(void *arg)
{
	struct steward *s = arg;
	struct steward_reloader *r = s->reloader;

	r->c = config_load(r->path, &r->rep);
	ev_async_send(s->loop, &r->done);
	return NULL;
}

/* Start a read for the round in r->now; false if no thread could start. */
static bool
reload_begin(struct steward *s)
{
	struct steward_reloader *r = s->reloader;
	sigset_t all, old;
	int rc;

	free(r->path);
	r->path = xstrdup(s->cfg->path);
	r->c = NULL;
	r->rep = (struct config_report){0};
	/* The thread inherits this mask: every signal stays the loop's. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&r->thread, NULL, reload_read, s);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		/* No thread (EAGAIN): read here, blocking the loop once. */
		r->c = config_load(r->path, &r->rep);
		return false;
	}
	r->running = true;
	return true;
}

/* Serve the round in r->now with what was read; start the next one. */
static void
reload_finish(struct steward *s)
{
	struct steward_reloader *r = s->reloader;
	struct reload_round round = r->now;
	struct sbuf json = {0};
	int rc;

	r->now = (struct reload_round){0};
	rc = reload_apply(s, round.why, r->c, r->rep, &json, NULL, NULL);
	r->c = NULL;
	for (size_t i = 0; i < round.n; i++)
		if (round.conns[i] != NULL)
			ctl_reload_done(round.conns[i], rc, &json);
	sbuf_free(&json);
	free(round.conns);
	free(round.why);
	if (r->next.n > 0 || r->next.hup) {
		r->now = r->next;
		r->next = (struct reload_round){0};
		if (!reload_begin(s))
			reload_finish(s);
	}
}

/* The thread is done: join it and apply what it read. */
static void
reload_done_cb(struct ev_loop *loop, ev_async *w, int revents)
{
	struct steward *s = w->data;
	struct steward_reloader *r = s->reloader;

	(void)loop;
	(void)revents;
	if (!r->running)
		return;
	pthread_join(r->thread, NULL);
	r->running = false;
	reload_finish(s);
}

/* The reloader, made on first use. */
static struct steward_reloader *
reload_get(struct steward *s)
{
	struct steward_reloader *r = s->reloader;

	if (r == NULL) {
		r = s->reloader = xcalloc(1, sizeof(*r));
		ev_async_init(&r->done, reload_done_cb);
		r->done.data = s;
		ev_async_start(s->loop, &r->done);
		ev_unref(s->loop); /* waiting for a read keeps nothing alive */
	}
	return r;
}

/* Ask for a reload; cn waits for its reply (NULL: SIGHUP); steward.h. */
void
steward_reload(struct steward *s, const char *why, struct ctl_conn *cn)
{
	struct steward_reloader *r = reload_get(s);
	struct reload_round *round;

	round = r->running ? &r->next : &r->now;
	if (cn != NULL) {
		round->conns = xrealloc(round->conns,
					(round->n + 1) * sizeof(*round->conns));
		round->conns[round->n++] = cn;
	} else {
		round->hup = true;
	}
	if (round->why == NULL)
		round->why = xstrdup(why);
	if (!r->running && !reload_begin(s))
		reload_finish(s);
}

/* A waiting client went away: no reply for it; see steward.h. */
void
steward_reload_forget(struct steward *s, struct ctl_conn *cn)
{
	struct steward_reloader *r = s->reloader;
	struct reload_round *rounds[2];

	if (r == NULL)
		return;
	rounds[0] = &r->now;
	rounds[1] = &r->next;
	for (int k = 0; k < 2; k++)
		for (size_t i = 0; i < rounds[k]->n; i++)
			if (rounds[k]->conns[i] == cn)
				rounds[k]->conns[i] = NULL;
}

/* Apply a config read already to the wards pick chooses; steward.h. */
int
steward_reload_some(struct steward *s, const char *why, struct config *c,
		    reload_pick_fn *pick, void *arg)
{
	struct sbuf json = {0};
	int rc;

	rc = reload_apply(s, why, config_ref(c), (struct config_report){0},
			  &json, pick, arg);
	sbuf_free(&json);
	return rc;
}

/* A read's thread: read and check the config, tell the loop. */
static void *
reload_read_one(void *arg)
{
	struct steward_read *rd = arg;

	rd->c = config_load(rd->path, &rd->rep);
	ev_async_send(rd->s->loop, &rd->done);
	return NULL;
}

/* Join a read's thread, take it off the list, free it and its result. */
static void
reload_read_free(struct steward_read *rd)
{
	struct steward_reloader *r = rd->s->reloader;

	if (!rd->joined)
		pthread_join(rd->thread, NULL);
	ev_ref(rd->s->loop);
	ev_async_stop(rd->s->loop, &rd->done);
	if (rd->prev != NULL)
		rd->prev->next = rd->next;
	else
		r->reads = rd->next;
	if (rd->next != NULL)
		rd->next->prev = rd->prev;
	config_unref(rd->c);
	config_report_free(&rd->rep);
	free(rd->path);
	free(rd);
}

/* A read is done: hand its result over, unless it was cancelled. */
static void
reload_read_cb(struct ev_loop *loop, ev_async *w, int revents)
{
	struct steward_read *rd = container_of(w, struct steward_read, done);
	struct config *c;
	struct config_report rep;

	(void)loop;
	(void)revents;
	pthread_join(rd->thread, NULL);
	rd->joined = true;
	c = rd->c;
	rep = rd->rep;
	rd->c = NULL;
	rd->rep = (struct config_report){0};
	if (rd->fn != NULL)
		rd->fn(rd->arg, c, &rep);
	else
		config_unref(c);
	config_report_free(&rep);
	rd->fn = NULL;
	reload_read_free(rd);
}

/* Read the config in a thread, apply nothing; see steward-reload.h. */
struct steward_read *
steward_read_config(struct steward *s, steward_read_fn *fn, void *arg)
{
	struct steward_reloader *r = reload_get(s);
	struct steward_read *rd = xcalloc(1, sizeof(*rd));
	sigset_t all, old;
	int rc;

	rd->s = s;
	rd->path = xstrdup(s->cfg->path);
	rd->fn = fn;
	rd->arg = arg;
	ev_async_init(&rd->done, reload_read_cb);
	ev_async_start(s->loop, &rd->done);
	ev_unref(s->loop);
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&rd->thread, NULL, reload_read_one, rd);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		ev_ref(s->loop);
		ev_async_stop(s->loop, &rd->done);
		free(rd->path);
		free(rd);
		return NULL;
	}
	rd->next = r->reads;
	if (r->reads != NULL)
		r->reads->prev = rd;
	r->reads = rd;
	return rd;
}

/* Forget a read's result; see steward-reload.h. */
void
steward_read_cancel(struct steward_read *rd)
{
	if (rd != NULL)
		rd->fn = NULL;
}

/* At the end: wait for a read under way and drop it; see steward.h. */
void
steward_reload_fini(struct steward *s)
{
	struct steward_reloader *r = s->reloader;

	if (r == NULL)
		return;
	while (r->reads != NULL)
		reload_read_free(r->reads);
	if (r->running) {
		pthread_join(r->thread, NULL);
		config_unref(r->c);
		config_report_free(&r->rep);
	}
	ev_ref(s->loop);
	ev_async_stop(s->loop, &r->done);
	free(r->now.conns);
	free(r->now.why);
	free(r->next.conns);
	free(r->next.why);
	free(r->path);
	free(r);
	s->reloader = NULL;
}

/* The core's events reload hears; see steward-reload.h. */
static void
reload_ev_reload(void *ctx, struct steward *s, const char *why)
{
	steward_reload(s, why, NULL);
}

static void
reload_ev_settle(void *ctx, struct steward *s)
{
	steward_reload_settle(s);
}

/* A ward is freed: the definition it was to switch to goes with it. */
static void
reload_ev_ward_free(void *ctx, struct steward *s, struct ward_rt *wr)
{
	config_unref(wr->next_cfg);
	wr->next_cfg = NULL;
}

const struct steward_events reload_events = {
    .reload = reload_ev_reload,
    .settle = reload_ev_settle,
    .ward_free = reload_ev_ward_free,
};
