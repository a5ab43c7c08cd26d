/*
 * The names of a request to instances: a ward, an instance's label, a
 * [group:NAME], supervisorctl's GROUP:* and GROUP:PROCESS, or all.
 */
#include <stdlib.h>
#include <string.h>

#include "core/steward.h"
#include "daemon/steward-deps.h"
#include "ctl/ctl-internal.h"

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
ssize_t
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
