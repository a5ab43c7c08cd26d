/*
 * Dependencies, groups and escalation.
 *
 * requires = db cache: the ward starts only once every instance of db and
 * cache is running (first beat or READY=1, not merely spawned), and
 * starting it starts them.  after = log: the same order, without pulling
 * log in (it matters only when log starts too).  The reverse holds when
 * stopping: stewardd's shutdown stops a ward only once the wards that
 * require it or come after it are down, and `stewardctl stop db` names
 * what would go down with db and stops it first (--with-dependents).
 * The config reader has refused unknown names and cycles, so waiting
 * always ends.
 *
 * Waiting is a flag on the instance (want_start, want_stop) while its
 * state machine stays stopped (or running); steward_deps_settle(), run
 * before the loop waits whenever some instance waits, starts or stops
 * what now may.  The cost is nothing for wards without dependencies.
 *
 * [group:NAME] heals its members together, with OTP's strategies: when a
 * member must be healed (it died or hung, not a person's stop or
 * restart), one_for_one heals only it, one_for_all restarts every other
 * member as well, rest_for_one the members listed after it.  A group's
 * restart_limit is a token bucket above the members' own: each heal
 * takes a token, and an empty bucket stops the whole group (group_failed).
 *
 * essential = true (on a ward, or on a group for all its members): when
 * it ends in failed, stewardd stops every ward in order and exits 1 with
 * a wrapped error naming the ward and why, so that an orchestrator sees
 * the failure and reschedules.
 *
 * What a group does about a transition (strategy, limit, escalation) is
 * decided by core/ward-group.c, pure and unit-tested with a fake clock;
 * this file carries the decision out (records, restarts, the shutdown).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/nametab.h"
#include "core/steward.h"
#include "daemon/steward-deps.h"

/* Resolve names to wards (by the table of their names) into a vector. */
static struct ward_rt **
deps_resolve(struct steward *s, const struct nametab *names, char **want,
	     size_t n, size_t *outn)
{
	struct ward_rt **v = xcalloc(n + 1, sizeof(*v));

	*outn = 0;
	for (size_t i = 0; i < n; i++) {
		ssize_t k = nametab_get(names, want[i]);

		if (k >= 0)
			v[(*outn)++] = s->wards[k];
	}
	return v;
}

/*
 * Add a dependent to a ward, once.  The links of one dependent are added
 * one after another (steward_deps_link()), so a repeat can only be the
 * last one added: O(1), where a search of all made a ward that thousands
 * wait for quadratic.  The room doubles.
 */
static void
deps_add_dependent(struct ward_rt *of, struct ward_rt *dep)
{
	size_t n = of->ndependents;

	if (n > 0 && of->dependents[n - 1] == dep)
		return;
	if ((n & (n - 1)) == 0)
		of->dependents = xrealloc(
		    of->dependents, (n ? n * 2 : 1) * sizeof(*of->dependents));
	of->dependents[of->ndependents++] = dep;
}

/* Free the links of every ward and the groups. */
void
steward_deps_free(struct steward *s)
{
	for (size_t i = 0; i < s->nwards; i++) {
		struct ward_rt *wr = s->wards[i];

		free(wr->req);
		free(wr->aft);
		free(wr->dependents);
		wr->req = wr->aft = wr->dependents = NULL;
		wr->nreq = wr->naft = wr->ndependents = 0;
		wr->group = NULL;
	}
	for (size_t g = 0; g < s->ngroups; g++)
		free(s->groups[g].members);
	free(s->groups);
	s->groups = NULL;
	s->ngroups = 0;
}

/* Resolve requires/after/groups by name; see steward.h. */
void
steward_deps_link(struct steward *s)
{
	const struct config *c = s->cfg;
	struct group_rt *old = s->groups;
	size_t nold = s->ngroups;
	struct nametab names = {0}, old_groups = {0};

	/* Keep each group's bucket across relinks (a reload). */
	s->groups = NULL;
	s->ngroups = 0;
	for (size_t i = 0; i < s->nwards; i++) {
		struct ward_rt *wr = s->wards[i];

		free(wr->req);
		free(wr->aft);
		free(wr->dependents);
		wr->dependents = NULL;
		wr->ndependents = 0;
		wr->group = NULL;
	}
	/* The names of the wards' specs stay put while this runs. */
	for (size_t i = 0; i < s->nwards; i++)
		(void)nametab_put(&names, s->wards[i]->spec->name, i);
	for (size_t i = 0; i < s->nwards; i++) {
		struct ward_rt *wr = s->wards[i];

		wr->req = deps_resolve(s, &names, wr->spec->requires,
				       wr->spec->nrequires, &wr->nreq);
		wr->aft = deps_resolve(s, &names, wr->spec->after,
				       wr->spec->nafter, &wr->naft);
	}
	for (size_t i = 0; i < s->nwards; i++) {
		struct ward_rt *wr = s->wards[i];

		for (size_t k = 0; k < wr->nreq; k++)
			deps_add_dependent(wr->req[k], wr);
		for (size_t k = 0; k < wr->naft; k++)
			deps_add_dependent(wr->aft[k], wr);
	}
	for (size_t k = 0; k < nold; k++)
		(void)nametab_put(&old_groups, old[k].spec->name, k);
	s->groups = xcalloc(c->ngroups ? c->ngroups : 1, sizeof(*s->groups));
	for (size_t g = 0; g < c->ngroups; g++) {
		struct group_rt *gr = &s->groups[s->ngroups++];
		const struct group_spec *gs = &c->groups[g];

		gr->spec = gs;
		ssize_t k;

		gr->members = deps_resolve(s, &names, gs->members, gs->nmembers,
					   &gr->nmembers);
		bucket_init(&gr->st.bucket, gs->has_limit ? gs->limit.burst : 1,
			    gs->has_limit ? (double)gs->limit.period_ms / 1000.0
					  : 1,
			    steward_now());
		k = nametab_get(&old_groups, gs->name);
		if (k >= 0) {
			gr->st.bucket = old[k].st.bucket;
			gr->st.failed = old[k].st.failed;
		}
		gr->st.strategy = gs->strategy;
		gr->st.has_limit = gs->has_limit;
		gr->st.essential = gs->essential;
		for (size_t m = 0; m < gr->nmembers; m++)
			gr->members[m]->group = gr;
	}
	nametab_free(&names);
	nametab_free(&old_groups);
	for (size_t k = 0; k < nold; k++)
		free(old[k].members);
	free(old);
}

/* True when every instance of the ward is running. */
static bool
deps_ready(const struct ward_rt *wr)
{
	for (unsigned j = 0; j < wr->ninst; j++)
		if (wr->inst[j]->sm.state != WARD_RUNNING)
			return false;
	return true;
}

/* True when the ward is on its way up (or up). */
static bool
deps_coming(const struct ward_rt *wr)
{
	for (unsigned j = 0; j < wr->ninst; j++) {
		const struct ward_inst *wi = wr->inst[j];

		if (wi->want_start || wi->sm.state == WARD_STARTING ||
		    wi->sm.state == WARD_RUNNING ||
		    wi->sm.state == WARD_BACKOFF)
			return true;
	}
	return false;
}

/* Names of what wr waits for, for the log; empty when nothing. */
static void
deps_waiting_for(const struct ward_rt *wr, struct sbuf *b)
{
	for (size_t k = 0; k < wr->nreq; k++)
		if (!deps_ready(wr->req[k]))
			sbuf_addf(b, "%s%s", b->len ? " " : "",
				  wr->req[k]->spec->name);
	for (size_t k = 0; k < wr->naft; k++)
		if (deps_coming(wr->aft[k]) && !deps_ready(wr->aft[k]))
			sbuf_addf(b, "%s%s", b->len ? " " : "",
				  wr->aft[k]->spec->name);
}

/* Arm the settle step (the loop's ev_prepare). */
static void
deps_arm(struct steward *s)
{
	s->settle_armed = true;
	ev_prepare_start(s->loop, &s->settle);
}

/* Start an instance once what it requires is ready; see steward.h. */
void
steward_deps_start(struct steward *s, struct ward_inst *wi)
{
	struct ward_rt *wr = wi->ward;
	struct sbuf wait = {0};

	if (wi->want_stop) {
		wi->want_stop = false;
		s->nwaiting--;
	}
	/* Pull in what it requires. */
	for (size_t k = 0; k < wr->nreq; k++)
		if (!deps_coming(wr->req[k]))
			for (unsigned j = 0; j < wr->req[k]->ninst; j++)
				steward_deps_start(s, wr->req[k]->inst[j]);
	deps_waiting_for(wr, &wait);
	/* A live instance does not wait: start is a no-op for it. */
	if (wait.len == 0 || ward_state_has_process(wi->sm.state)) {
		if (wi->want_start) {
			wi->want_start = false;
			s->nwaiting--;
		}
		steward_step(s, wi, WEV_START);
	} else if (!wi->want_start) {
		struct evlog_rec r;

		wi->want_start = true;
		s->nwaiting++;
		evlog_begin(&r, s->log, EVLOG_INFO, "waiting");
		evlog_str(&r, "ward", wr->spec->name);
		evlog_int(&r, "replica", wi->replica);
		evlog_str(&r, "for", wait.s);
		evlog_str(&r, "reason", "starts once these are running");
		evlog_commit(&r);
		if (!s->log_is_stderr)
			log_line("%-12s %-8s starts once running: %s",
				 wi->label, "waiting", wait.s);
		deps_arm(s);
	}
	sbuf_free(&wait);
}

/* May wr stop now: are the wards that depend on it down? */
bool
steward_deps_may_stop(const struct ward_rt *wr)
{
	for (size_t k = 0; k < wr->ndependents; k++)
		if (steward_ward_live(wr->dependents[k]) ||
		    !wr->dependents[k]->shut)
			return false;
	return true;
}

/* True when a ward that requires wr (not merely after) has a process. */
static bool
deps_requirer_live(const struct ward_rt *wr)
{
	for (size_t k = 0; k < wr->ndependents; k++) {
		const struct ward_rt *d = wr->dependents[k];

		for (size_t i = 0; i < d->nreq; i++)
			if (d->req[i] == wr && steward_ward_live(d))
				return true;
	}
	return false;
}

/* Stop an instance once its dependents are down; see steward.h. */
void
steward_deps_stop_after(struct steward *s, struct ward_inst *wi)
{
	if (wi->want_start) {
		wi->want_start = false;
		s->nwaiting--;
	}
	if (!deps_requirer_live(wi->ward)) {
		steward_step(s, wi, WEV_STOP);
		return;
	}
	if (!wi->want_stop) {
		wi->want_stop = true;
		s->nwaiting++;
		deps_arm(s);
	}
}

/* Collect the live wards that depend on wr, transitively. */
static void
deps_collect(struct ward_rt *wr, struct ward_rt ***v, size_t *n)
{
	for (size_t k = 0; k < wr->ndependents; k++) {
		struct ward_rt *d = wr->dependents[k];
		bool seen = false;

		for (size_t i = 0; i < *n; i++)
			seen = seen || (*v)[i] == d;
		if (seen)
			continue;
		/* Only requires take dependents down, not after. */
		bool requires = false;
		for (size_t i = 0; i < d->nreq; i++)
		requires = requires || d->req[i] == wr;
		if (!requires)
			continue;
		if (steward_ward_live(d) || deps_coming(d)) {
			*v = xrealloc(*v, (*n + 1) * sizeof(**v));
			(*v)[(*n)++] = d;
		}
		deps_collect(d, v, n);
	}
}

/* The live wards that would go down with wr; see steward.h. */
size_t
steward_deps_dependents(struct steward *s, struct ward_rt *wr,
			struct ward_rt ***out)
{
	size_t n = 0;

	(void)s;
	*out = NULL;
	deps_collect(wr, out, &n);
	return n;
}

/* Stewardd stops and exits 1: an essential ward failed. */
static void
deps_escalate(struct steward *s, const char *what, const char *name,
	      const char *why)
{
	struct err *e;
	struct evlog_rec r;

	if (s->stopping)
		return;
	e = ERR_NEW("%s", why);
	e = ERR_WRAP_P(e, "essential %s \"%s\" failed", what, name);
	e = ERR_WRAP_P(e, "stewardd is stopping every ward and exiting 1");
	evlog_begin(&r, s->log, EVLOG_ERROR, "essential_failed");
	evlog_str(&r, what, name);
	evlog_err(&r, evlog_next_id(s->log), e);
	evlog_commit(&r);
	log_err(e);
	s->exit_code = 1;
	steward_shutdown(s);
}

/* A group's restart limit is spent: stop the whole group. */
static void
deps_group_failed(struct steward *s, struct group_rt *g, bool escalate)
{
	struct evlog_rec r;
	char period[32], order[200];

	parse_format_duration(g->spec->limit.period_ms, period, sizeof(period));
	evlog_begin(&r, s->log, EVLOG_ERROR, "group_failed");
	evlog_str(&r, "group", g->spec->name);
	evlog_str(&r, "reason",
		  "the group's restart limit is spent: every "
		  "member is stopped until started again");
	evlog_commit(&r);
	snprintf(order, sizeof(order),
		 "stopped with its group \"%s\": the group's restart limit "
		 "%u/%s is spent",
		 g->spec->name, g->spec->limit.burst, period);
	for (size_t k = 0; k < g->nmembers; k++)
		for (unsigned j = 0; j < g->members[k]->ninst; j++)
			steward_step_why(s, g->members[k]->inst[j], WEV_STOP,
					 order);
	if (escalate) {
		char why[160];

		snprintf(why, sizeof(why), "its restart limit %u/%s is spent",
			 g->spec->limit.burst, period);
		deps_escalate(s, "group", g->spec->name, why);
	}
}

/* The group restarts member m because wi is healed (ward-group.c). */
static void
deps_group_restart(struct steward *s, struct group_rt *g, struct ward_rt *m,
		   struct ward_inst *wi, const struct ward_out *out,
		   const char *strategy)
{
	struct evlog_rec r;
	char why[300];

	evlog_begin(&r, s->log, EVLOG_WARN, "group_restart");
	evlog_str(&r, "group", g->spec->name);
	evlog_str(&r, "ward", m->spec->name);
	evlog_str(&r, "because", wi->label);
	evlog_str(&r, "strategy", strategy);
	evlog_commit(&r);
	snprintf(why, sizeof(why),
		 "restarted with its group \"%s\" (%s), which heals "
		 "\"%s\" (%s)",
		 g->spec->name, strategy, wi->label,
		 ward_cause_name(out->cause));
	for (unsigned j = 0; j < m->ninst; j++)
		if (ward_group_restarts_state(m->inst[j]->sm.state))
			steward_step_why(s, m->inst[j], WEV_RESTART, why);
}

/* A transition: group strategies and escalation; see steward.h. */
void
steward_deps_transition(struct steward *s, struct ward_inst *wi,
			const struct ward_out *out)
{
	struct ward_rt *wr = wi->ward;
	struct group_rt *g = wr->group;
	struct ward_group_input in = {
	    .out = out,
	    .essential =
		wr->spec->essential || (g != NULL && g->spec->essential),
	    .shutdown = s->stopping,
	    .now = steward_now(),
	};
	struct ward_group_out d;

	if (s->nwaiting > 0)
		deps_arm(s);
	if (g != NULL)
		for (size_t k = 0; k < g->nmembers; k++)
			if (g->members[k] == wr)
				in.member = k;
	ward_group_decide(g != NULL ? &g->st : NULL, &in, &d);
	switch (d.verdict) {
	case WGROUP_NOTHING:
		break;
	case WGROUP_ESCALATE:
		deps_escalate(s, "ward", wi->label,
			      wi->last_reason ? wi->last_reason
					      : "its restart limit is spent");
		break;
	case WGROUP_FAIL:
		deps_group_failed(s, g, d.escalate);
		break;
	case WGROUP_RESTART:
		for (size_t k = 0; k < g->nmembers; k++)
			if (ward_group_restarts(&d, &in, k))
				deps_group_restart(s, g, g->members[k], wi, out,
						   d.strategy);
		break;
	}
}

/* Start or stop what was waiting and now may; see steward.h. */
void
steward_deps_settle(struct steward *s)
{
	if (s->nwaiting == 0)
		return;
	for (size_t i = 0; i < s->nwards; i++) {
		struct ward_rt *wr = s->wards[i];

		for (unsigned j = 0; j < wr->ninst; j++) {
			struct ward_inst *wi = wr->inst[j];

			if (wi->want_start) {
				struct sbuf wait = {0};

				deps_waiting_for(wr, &wait);
				if (wait.len == 0) {
					/* In slices: many may wait for one. */
					wi->want_start = false;
					s->nwaiting--;
					steward_pace_start(s, wi);
				}
				sbuf_free(&wait);
			} else if (wi->want_stop) {
				if (!deps_requirer_live(wr)) {
					wi->want_stop = false;
					s->nwaiting--;
					steward_step(s, wi, WEV_STOP);
				}
			}
		}
	}
	if (s->nwaiting > 0)
		deps_arm(s);
}

/* The core's events dependencies hear; see steward-deps.h. */
static void
deps_ev_transition(void *ctx, struct steward *s, struct ward_inst *wi,
		   const struct ward_out *out, const struct ward_input *in)
{
	if (wi->ward->run == NULL) /* a job's replicas are the run's */
		steward_deps_transition(s, wi, out);
}

static void
deps_ev_settle(void *ctx, struct steward *s)
{
	steward_deps_settle(s);
}

/* A ward is freed: its links go with it. */
static void
deps_ev_ward_free(void *ctx, struct steward *s, struct ward_rt *wr)
{
	free(wr->req);
	free(wr->aft);
	free(wr->dependents);
	wr->req = wr->aft = wr->dependents = NULL;
}

const struct steward_events deps_events = {
    .transition = deps_ev_transition,
    .settle = deps_ev_settle,
    .ward_free = deps_ev_ward_free,
};

const struct steward_orders deps_orders = {
    .start = steward_deps_start,
    .stop = steward_deps_stop_after,
    .may_stop = steward_deps_may_stop,
};
