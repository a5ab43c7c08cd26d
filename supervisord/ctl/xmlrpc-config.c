/*
 * supervisord's config methods: reloadConfig, addProcessGroup,
 * removeProcessGroup, getAllConfigInfo (supervisorctl reread, update,
 * add, remove, avail).
 *
 * supervisord splits a reload in two: reloadConfig reads the files and
 * says which process groups were added, changed or removed, and applies
 * nothing; addProcessGroup and removeProcessGroup then apply one group
 * each (supervisorctl update: stop and remove the removed and changed
 * groups, add the changed and added ones).  stewardd keeps what
 * reloadConfig read (s->reread, until the next reloadConfig or the end)
 * and applies it a group at a time through the reload machinery,
 * steward_reload_some(): the wards of the group named are added or
 * dropped, every other ward is left as it runs.
 *
 * A process group is a [group:NAME] (its member wards), or a ward that
 * is in no group.  A group is "changed" when its wards are not the same
 * (by name, config_ward_same() and replicas).  The diff costs O(wards)
 * with name tables.
 *
 * reloadConfig reads the config in a thread, as stewardctl reload does
 * (steward_read_config()): the call waits, the loop goes on.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/nametab.h"
#include "config/config.h"
#include "core/steward.h"
#include "ctl/xmlrpc-internal.h"
#include "daemon/steward-deps.h"
#include "daemon/steward-reload.h"

/* The process groups of a config: ward i is in group gname[i]. */
struct xrc_view {
	const struct config *c;
	const char **gname;   /* per ward of c; NULL for a job */
	struct nametab wards; /* ward name -> index in c */
};

/* Map each ward of c to its group's name. */
static void
xrc_view_init(struct xrc_view *v, const struct config *c)
{
	v->c = c;
	v->gname = xcalloc(c->nwards + 1, sizeof(*v->gname));
	v->wards = (struct nametab){0};
	for (size_t i = 0; i < c->nwards; i++) {
		(void)nametab_put(&v->wards, c->wards[i].name, i);
		v->gname[i] = c->wards[i].is_job ? NULL : c->wards[i].name;
	}
	for (size_t g = 0; g < c->ngroups; g++)
		for (size_t m = 0; m < c->groups[g].nmembers; m++) {
			ssize_t i =
			    nametab_get(&v->wards, c->groups[g].members[m]);

			if (i >= 0 && v->gname[i] != NULL)
				v->gname[i] = c->groups[g].name;
		}
}

static void
xrc_view_free(struct xrc_view *v)
{
	free(v->gname);
	nametab_free(&v->wards);
}

/* The group a running ward is in, or NULL: not listed, or leaving. */
static const char *
xrc_running_group(const struct ward_rt *wr)
{
	if (!xrm_listed(wr) || wr->removing)
		return NULL;
	return wr->group != NULL ? wr->group->spec->name : wr->spec->name;
}

/* Whether a process group of that name runs now. */
static bool
xrc_group_runs(struct steward *s, const char *name)
{
	for (size_t i = 0; i < s->nwards; i++) {
		const char *g = xrc_running_group(s->wards[i]);

		if (g != NULL && strcmp(g, name) == 0)
			return true;
	}
	return false;
}

/* The config add and avail read: reloadConfig's, else the running one. */
static struct config *
xrc_config(struct steward *s)
{
	return s->reread != NULL ? s->reread : s->cfg;
}

/* Sort names, and drop repeats. */
static int
xrc_strcmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static size_t
xrc_uniq(const char **v, size_t n)
{
	size_t k = 0;

	qsort(v, n, sizeof(*v), xrc_strcmp);
	for (size_t i = 0; i < n; i++)
		if (k == 0 || strcmp(v[k - 1], v[i]) != 0)
			v[k++] = v[i];
	return k;
}

/* An array of strings. */
static void
xrc_add_names(struct sbuf *b, const char **v, size_t n)
{
	xmlrpc_array_begin(b);
	for (size_t i = 0; i < n; i++)
		xmlrpc_add_string(b, v[i]);
	xmlrpc_array_end(b);
}

/*
 * The groups of the new config that are added and changed, and the
 * running ones removed, against what runs now; see the top.
 */
static void
xrc_diff(struct steward *s, const struct config *c, struct sbuf *b)
{
	struct xrc_view v;
	struct nametab run = {0}; /* running group -> 1 */
	struct nametab newg = {0};
	const char **added = xcalloc(c->nwards + 1, sizeof(char *));
	const char **changed =
	    xcalloc(c->nwards + s->nwards + 1, sizeof(char *));
	const char **removed = xcalloc(s->nwards + 1, sizeof(char *));
	size_t na = 0, nc = 0, nr = 0;

	xrc_view_init(&v, c);
	for (size_t i = 0; i < s->nwards; i++) {
		const char *g = xrc_running_group(s->wards[i]);

		if (g != NULL)
			(void)nametab_put(&run, g, i);
	}
	for (size_t i = 0; i < c->nwards; i++)
		if (v.gname[i] != NULL)
			(void)nametab_put(&newg, v.gname[i], i);
	/* Each new ward: its group added, or changed if it differs. */
	for (size_t i = 0; i < c->nwards; i++) {
		const struct ward_spec *ns = &c->wards[i];
		struct ward_rt *wr;
		const struct ward_spec *cur;

		if (v.gname[i] == NULL)
			continue;
		if (nametab_get(&run, v.gname[i]) < 0) {
			added[na++] = v.gname[i];
			continue;
		}
		wr = NULL;
		for (size_t k = 0; k < s->nwards && wr == NULL; k++)
			if (strcmp(s->wards[k]->spec->name, ns->name) == 0)
				wr = s->wards[k];
		if (wr == NULL || xrc_running_group(wr) == NULL ||
		    strcmp(xrc_running_group(wr), v.gname[i]) != 0) {
			changed[nc++] = v.gname[i];
			continue;
		}
		cur = wr->next != NULL ? wr->next : wr->spec;
		if (!config_ward_same(cur, ns) || cur->replicas != ns->replicas)
			changed[nc++] = v.gname[i];
	}
	/* Each running ward: its group removed, or changed if it left. */
	for (size_t k = 0; k < s->nwards; k++) {
		const char *g = xrc_running_group(s->wards[k]);
		ssize_t i;

		if (g == NULL)
			continue;
		if (nametab_get(&newg, g) < 0) {
			removed[nr++] = g;
			continue;
		}
		i = nametab_get(&v.wards, s->wards[k]->spec->name);
		if (i < 0 || v.gname[i] == NULL || strcmp(v.gname[i], g) != 0)
			changed[nc++] = g;
	}
	xmlrpc_array_begin(b);
	xmlrpc_array_begin(b);
	xrc_add_names(b, added, xrc_uniq(added, na));
	xrc_add_names(b, changed, xrc_uniq(changed, nc));
	xrc_add_names(b, removed, xrc_uniq(removed, nr));
	xmlrpc_array_end(b);
	xmlrpc_array_end(b);
	free(added);
	free(changed);
	free(removed);
	nametab_free(&run);
	nametab_free(&newg);
	xrc_view_free(&v);
}

/* reloadConfig's answer to a config read (c NULL on errors). */
static void
xrc_reread_result(struct xrm_ctx *x, struct config *c,
		  const struct config_report *rep)
{
	struct steward *s = x->s;

	if (s->stopping) {
		config_unref(c);
		xrm_fail(x, XRM_SHUTDOWN_STATE, NULL);
		return;
	}
	if (c == NULL) {
		const char *first = "the config has errors";

		for (size_t i = 0; i < rep->n; i++)
			if (rep->v[i].severity == CONFIG_ERROR) {
				first = rep->v[i].msg;
				break;
			}
		xrm_fail(x, XRM_CANT_REREAD, first);
		return;
	}
	config_unref(s->reread);
	s->reread = c;
	xrc_diff(s, c, x->b);
}

/* The read of a waiting reloadConfig is done: answer. */
static void
xrc_reread_done(void *arg, struct config *c, struct config_report *rep)
{
	struct xrm_wait *w = arg;
	struct sbuf val = {0}, body = {0};
	struct xrm_ctx x = {.s = xrm_wait_steward(w), .b = &val};

	xrc_reread_result(&x, c, rep);
	if (x.fault != 0) {
		xmlrpc_fault(&body, x.fault, x.fmsg);
	} else {
		xmlrpc_response_begin(&body);
		sbuf_add(&body, val.s != NULL ? val.s : "", val.len);
		xmlrpc_response_end(&body);
	}
	xrm_wait_finish(w, &body);
	sbuf_free(&val);
	sbuf_free(&body);
}

static struct steward_read *
xrc_reread_start(struct steward *s, struct xrm_wait *w)
{
	return steward_read_config(s, xrc_reread_done, w);
}

/*
 * reloadConfig(): read the config, say what differs, apply nothing.  The
 * read is a thread's (the loop goes on); inside system.multicall, or
 * with no thread to be had, it is the loop's.
 */
static void
m_reload_config(struct xrm_ctx *c)
{
	struct steward *s = c->s;
	struct config_report rep = {0};

	if (s->stopping) {
		xrm_fail(c, XRM_SHUTDOWN_STATE, NULL);
		return;
	}
	if (c->may_wait &&
	    (c->wait = xrm_wait_read(s, xrc_reread_start)) != NULL)
		return;
	xrc_reread_result(c, config_load(s->cfg->path, &rep), &rep);
	config_report_free(&rep);
}

/* A group addProcessGroup or removeProcessGroup applies. */
struct xrc_pick {
	struct steward *s;
	struct xrc_view *v; /* the config's groups; NULL for a removal */
	const char *group;
};

/* What each of the two methods brings to xrc_group(). */
struct xrc_group_op {
	const char *method; /* named in the reload's record */
	bool reread;        /* applies reloadConfig's config, not the running */
	/* Whether the group may be applied; else a fault is set. */
	bool (*may)(struct xrm_ctx *c, const struct xrc_pick *p);
	/* The reload's choice for each ward (steward_reload_some()). */
	enum reload_pick (*pick)(void *arg, const char *ward);
};

/*
 * addProcessGroup or removeProcessGroup of the group named by the call's
 * parameter: checked by op->may, then applied through the reload
 * machinery to the wards op->pick chooses, every other left as it runs.
 */
static void
xrc_group(struct xrm_ctx *c, const struct xrc_group_op *op)
{
	struct steward *s = c->s;
	const char *name = xrm_str(c, 0);
	struct config *cfg = op->reread ? xrc_config(s) : s->cfg;
	struct xrc_view v;
	struct xrc_pick p = {
	    .s = s, .v = op->reread ? &v : NULL, .group = name};
	char *why;

	if (name == NULL)
		return;
	if (s->stopping) {
		xrm_fail(c, XRM_SHUTDOWN_STATE, NULL);
		return;
	}
	if (p.v != NULL)
		xrc_view_init(p.v, cfg);
	if (op->may(c, &p)) {
		why = xasprintf("%s %s (XML-RPC)", op->method, name);
		config_ref(cfg); /* the reload may let go of the running one */
		if (steward_reload_some(s, why, cfg, op->pick, &p) == -1)
			xrm_fail(c, XRM_SHUTDOWN_STATE, NULL);
		else
			xmlrpc_add_bool(c->b, true);
		free(why);
		config_unref(cfg);
	}
	if (p.v != NULL)
		xrc_view_free(p.v);
}

/* A group may be added when the config has it and it does not run. */
static bool
xrc_may_add(struct xrm_ctx *c, const struct xrc_pick *p)
{
	bool known = false;

	for (size_t i = 0; i < p->v->c->nwards && !known; i++)
		known = p->v->gname[i] != NULL &&
			strcmp(p->v->gname[i], p->group) == 0;
	if (!known)
		xrm_fail(c, XRM_BAD_NAME, p->group);
	else if (xrc_group_runs(p->s, p->group))
		xrm_fail(c, XRM_ALREADY_ADDED, p->group);
	return c->fault == 0;
}

/* addProcessGroup applies the wards of its group in the config. */
static enum reload_pick
xrc_pick_add(void *arg, const char *ward)
{
	struct xrc_pick *p = arg;
	ssize_t i = nametab_get(&p->v->wards, ward);

	if (i >= 0 && p->v->gname[i] != NULL &&
	    strcmp(p->v->gname[i], p->group) == 0)
		return RELOAD_APPLY;
	return RELOAD_KEEP;
}

/* supervisord's STOPPED_STATES: stopped, exited, fatal. */
static bool
xrc_stopped(const struct ward_inst *wi)
{
	enum ward_state st = wi->sm.state;

	return st == WARD_STOPPED || st == WARD_EXITED || st == WARD_FAILED;
}

/* A group may be removed when it runs and its processes are stopped. */
static bool
xrc_may_remove(struct xrm_ctx *c, const struct xrc_pick *p)
{
	bool runs = false;

	for (size_t i = 0; i < p->s->nwards; i++) {
		const struct ward_rt *wr = p->s->wards[i];
		const char *g = xrc_running_group(wr);

		if (g == NULL || strcmp(g, p->group) != 0)
			continue;
		runs = true;
		for (unsigned j = 0; j < wr->ninst; j++)
			if (!xrc_stopped(wr->inst[j])) {
				xrm_fail(c, XRM_STILL_RUNNING, p->group);
				return false;
			}
	}
	if (!runs)
		xrm_fail(c, XRM_BAD_NAME, p->group);
	return runs;
}

/* removeProcessGroup drops the running wards of its group. */
static enum reload_pick
xrc_pick_remove(void *arg, const char *ward)
{
	struct xrc_pick *p = arg;

	for (size_t i = 0; i < p->s->nwards; i++) {
		const struct ward_rt *wr = p->s->wards[i];
		const char *g;

		if (strcmp(wr->spec->name, ward) != 0)
			continue;
		g = xrc_running_group(wr);
		return g != NULL && strcmp(g, p->group) == 0 ? RELOAD_DROP
							     : RELOAD_KEEP;
	}
	return RELOAD_KEEP;
}

/* addProcessGroup(name): start the group as reloadConfig read it. */
static void
m_add_group(struct xrm_ctx *c)
{
	static const struct xrc_group_op op = {.method = "addProcessGroup",
					       .reread = true,
					       .may = xrc_may_add,
					       .pick = xrc_pick_add};

	xrc_group(c, &op);
}

/* removeProcessGroup(name): forget a group whose processes are stopped. */
static void
m_remove_group(struct xrm_ctx *c)
{
	static const struct xrc_group_op op = {.method = "removeProcessGroup",
					       .reread = false,
					       .may = xrc_may_remove,
					       .pick = xrc_pick_remove};

	xrc_group(c, &op);
}

/* One process of the config, for getAllConfigInfo's order. */
struct xrc_proc {
	const struct ward_spec *w;
	const char *group;
	unsigned replica;
	char name[80];
	size_t order;
};

static int
xrc_proc_cmp(const void *a, const void *b)
{
	const struct xrc_proc *x = a, *y = b;
	int r = strcmp(x->name, y->name);

	/* Python's sort is stable: equal names keep the config's order. */
	return r != 0 ? r : (x->order > y->order) - (x->order < y->order);
}

/* An output's file as supervisord says it: a path, "none" or "auto". */
static const char *
xrc_logfile(const struct config_output *o)
{
	switch (o->kind) {
	case CONFIG_OUT_FILE:
		return o->path;
	case CONFIG_OUT_NULL:
		return "none";
	case CONFIG_OUT_INHERIT:
	case CONFIG_OUT_STDOUT:
		break;
	}
	return "auto";
}

/* Whether any exit code is set in a ward_policy's success bits. */
static bool
xrc_any_code(const uint8_t *bits)
{
	for (int i = 0; i < 32; i++)
		if (bits[i] != 0)
			return true;
	return false;
}

/* One process config info struct, as supervisord's getAllConfigInfo. */
static void
xrc_add_config_info(struct sbuf *b, const struct xrc_proc *p, bool inuse,
		    int group_prio)
{
	const struct ward_spec *w = p->w;
	const struct ward_proc *wp =
	    w->procs != NULL && p->replica < w->replicas ? &w->procs[p->replica]
							 : NULL;
	const char *dir = wp != NULL ? wp->directory : w->directory;

	xmlrpc_struct_begin(b);
	xmlrpc_member_begin(b, "autostart");
	xmlrpc_add_bool(b, w->autostart);
	xmlrpc_member_end(b);
	xmlrpc_member_string(b, "directory", dir != NULL ? dir : "none");
	if (w->has_user)
		xmlrpc_member_int(b, "uid", (long long)w->uid);
	else
		xmlrpc_member_string(b, "uid", "none");
	xmlrpc_member_string(b, "command", w->command);
	xmlrpc_member_begin(b, "exitcodes");
	xmlrpc_array_begin(b);
	if (!xrc_any_code(w->pol.success))
		xmlrpc_add_int(b, 0); /* the default: only 0 */
	for (int code = 0; code < 256; code++)
		if ((w->pol.success[code / 8] >> (code % 8)) & 1)
			xmlrpc_add_int(b, code);
	xmlrpc_array_end(b);
	xmlrpc_member_end(b);
	xmlrpc_member_string(b, "group", p->group);
	xmlrpc_member_int(b, "group_prio", group_prio);
	xmlrpc_member_begin(b, "inuse");
	xmlrpc_add_bool(b, inuse);
	xmlrpc_member_end(b);
	xmlrpc_member_begin(b, "killasgroup");
	xmlrpc_add_bool(b, w->kill_group);
	xmlrpc_member_end(b);
	xmlrpc_member_string(b, "name", p->name);
	xmlrpc_member_int(b, "process_prio", w->priority);
	xmlrpc_member_begin(b, "redirect_stderr");
	xmlrpc_add_bool(b, w->err.kind == CONFIG_OUT_STDOUT);
	xmlrpc_member_end(b);
	xmlrpc_member_int(b, "startretries",
			  w->pol.start_retries < 0 ? 3 : w->pol.start_retries);
	xmlrpc_member_int(b, "startsecs",
			  (long long)(w->start_timeout_ms / 1000));
	xmlrpc_member_string(b, "stdout_logfile",
			     xrc_logfile(wp != NULL ? &wp->out : &w->out));
	xmlrpc_member_string(b, "stderr_logfile",
			     xrc_logfile(wp != NULL ? &wp->err : &w->err));
	xmlrpc_member_int(b, "stopsignal", w->stop_signal);
	xmlrpc_member_int(b, "stopwaitsecs",
			  (long long)(w->stop_timeout_ms / 1000));
	xmlrpc_member_string(b, "serverurl", "auto");
	xmlrpc_struct_end(b);
}

/* getAllConfigInfo(): every process of the config, by name. */
static void
m_all_config_info(struct xrm_ctx *c)
{
	struct steward *s = c->s;
	const struct config *cfg = xrc_config(s);
	struct xrc_view v;
	struct xrc_proc *p;
	size_t n = 0, cap = 0;

	xrc_view_init(&v, cfg);
	for (size_t i = 0; i < cfg->nwards; i++)
		if (v.gname[i] != NULL)
			cap += cfg->wards[i].replicas;
	p = xcalloc(cap + 1, sizeof(*p));
	for (size_t i = 0; i < cfg->nwards; i++) {
		const struct ward_spec *w = &cfg->wards[i];

		if (v.gname[i] == NULL)
			continue;
		for (unsigned r = 0; r < w->replicas; r++, n++) {
			p[n].w = w;
			p[n].group = v.gname[i];
			p[n].replica = r;
			p[n].order = n;
			if (w->procs != NULL && w->procs[r].name != NULL)
				snprintf(p[n].name, sizeof(p[n].name), "%s",
					 w->procs[r].name);
			else if (w->replicas <= 1)
				snprintf(p[n].name, sizeof(p[n].name), "%s",
					 w->name);
			else
				snprintf(p[n].name, sizeof(p[n].name),
					 "%.64s:%u", w->name, r);
		}
	}
	qsort(p, n, sizeof(*p), xrc_proc_cmp);
	xmlrpc_array_begin(c->b);
	for (size_t k = 0; k < n; k++) {
		/* A [group:NAME]'s priority is its wards' (999 unset). */
		int gprio = p[k].w->priority;

		xrc_add_config_info(c->b, &p[k], xrc_group_runs(s, p[k].group),
				    gprio);
	}
	xmlrpc_array_end(c->b);
	free(p);
	xrc_view_free(&v);
}

const struct xrm_method xrm_config_methods[] = {
    {.name = "supervisor.reloadConfig", .fn = m_reload_config},
    {.name = "supervisor.addProcessGroup",
     .fn = m_add_group,
     .min = 1,
     .max = 1},
    {.name = "supervisor.removeProcessGroup",
     .fn = m_remove_group,
     .min = 1,
     .max = 1},
    {.name = "supervisor.getAllConfigInfo", .fn = m_all_config_info},
};

const size_t xrm_config_nmethods =
    sizeof(xrm_config_methods) / sizeof(xrm_config_methods[0]);
