/*
 * The names of a request to instances: a ward, an instance's label, a
 * [group:NAME], supervisorctl's GROUP:* and GROUP:PROCESS, or all.
 */
#include <limits.h>
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
 * supervisord's namespecs are.  Is arg a namespec of wr's group?  Then
 * *proc is its PROCESS part.
 */
static bool
ctl_in_group(const struct ward_rt *wr, const char *arg, const char **proc)
{
	const char *colon = strchr(arg, ':');
	size_t gl;

	if (colon == NULL)
		return false;
	gl = (size_t)(colon - arg);
	*proc = colon + 1;
	return (strlen(wr->spec->name) == gl &&
		strncmp(arg, wr->spec->name, gl) == 0) ||
	       (wr->group != NULL && strlen(wr->group->spec->name) == gl &&
		strncmp(arg, wr->group->spec->name, gl) == 0);
}

/* Is instance j of wr the PROCESS of a namespec of its group? */
static bool
ctl_proc_is(const struct ward_rt *wr, unsigned j, const char *proc)
{
	if (wr->spec->procs != NULL && j < wr->spec->replicas &&
	    wr->spec->procs[j].name != NULL &&
	    strcmp(proc, wr->spec->procs[j].name) == 0)
		return true;
	return wr->ninst == 1 && strcmp(proc, wr->spec->name) == 0;
}

/* One name of a request, as ctl_resolve() matches it. */
struct ctl_arg {
	const char *s;
	size_t plen;      /* before the last ':' (an instance's label) */
	bool label;       /* ends in ":N", N as a label writes a replica */
	unsigned replica; /* N */
	bool found;       /* something answers to it */
	/* for the ward at hand: the one instance its label names (-1:
	 * none), and a namespec's PROCESS to look for in each instance */
	long one;
	const char *proc;
};

/* Read arg's ":N" ending as an instance label writes it ("%s:%u"). */
static void
ctl_arg_parse(struct ctl_arg *a)
{
	const char *colon = strrchr(a->s, ':'), *d;
	unsigned long r = 0;

	if (colon == NULL || colon[1] == '\0' ||
	    (colon[1] == '0' && colon[2] != '\0'))
		return;
	for (d = colon + 1; *d >= '0' && *d <= '9' && r <= UINT_MAX; d++)
		r = r * 10 + (unsigned long)(*d - '0');
	if (*d != '\0' || r > UINT_MAX)
		return;
	a->label = true;
	a->plen = (size_t)(colon - a->s);
	a->replica = (unsigned)r;
}

/* Does the ward match a as a whole?  Else note what of it may match. */
static bool
ctl_arg_ward(struct ctl_arg *a, const struct ward_rt *wr)
{
	const char *name = wr->spec->name, *proc;
	size_t nl = strlen(name);

	a->one = -1;
	a->proc = NULL;
	if (strcmp(a->s, name) == 0 ||
	    (wr->group != NULL && strcmp(a->s, wr->group->spec->name) == 0))
		return true;
	/* Labels say at most 64 bytes of the name ("%.64s:%u"). */
	if (nl > 64)
		nl = 64;
	if (a->label && a->plen == nl && strncmp(a->s, name, nl) == 0 &&
	    a->replica < wr->ninst)
		a->one = a->replica;
	if (ctl_in_group(wr, a->s, &proc)) {
		if (strcmp(proc, "*") == 0)
			return true;
		if (wr->spec->procs != NULL || wr->ninst == 1)
			a->proc = proc;
	}
	return false;
}

/*
 * Resolve the request's names to instances (in config order, each once).
 * Returns the count, or -1 after replying with the error.  Each name is
 * weighed once per ward, not per instance: a request naming one
 * instance among 10,000 costs a pass over the wards, and integer
 * compares over the instances of its ward.
 */
ssize_t
ctl_resolve(struct ctl_conn *cn, const struct ctl_request *req,
	    struct ward_inst ***outp)
{
	struct steward *s = cn->ctl->s;
	size_t cap = 0, n = 0, nargs = req->nargs;
	struct ward_inst **v = NULL;
	struct ctl_arg *args = xcalloc(nargs ? nargs : 1, sizeof(*args));
	bool all = nargs == 0;

	for (size_t a = 0; a < nargs; a++) {
		args[a].s = req->args[a];
		if (strcmp(req->args[a], "all") == 0)
			all = args[a].found = true;
		ctl_arg_parse(&args[a]);
	}
	for (size_t i = 0; i < s->nwards; i++)
		cap += s->wards[i]->ninst;
	v = xcalloc(cap ? cap : 1, sizeof(*v));
	for (size_t i = 0; i < s->nwards; i++) {
		struct ward_rt *wr = s->wards[i];
		bool whole = all, some = false;

		for (size_t a = 0; a < nargs && !all; a++) {
			if (ctl_arg_ward(&args[a], wr))
				whole = args[a].found = true;
			else if (args[a].one >= 0 || args[a].proc != NULL)
				some = true;
		}
		if (whole) {
			for (unsigned j = 0; j < wr->ninst; j++) {
				v[n++] = wr->inst[j];
				/* The other names among them are found too. */
				for (size_t a = 0; some && a < nargs; a++)
					if (args[a].one == (long)j ||
					    (args[a].proc != NULL &&
					     ctl_proc_is(wr, j, args[a].proc)))
						args[a].found = true;
			}
			continue;
		}
		for (unsigned j = 0; some && j < wr->ninst; j++) {
			bool want = false;

			for (size_t a = 0; a < nargs; a++) {
				if (args[a].one == (long)j ||
				    (args[a].proc != NULL &&
				     ctl_proc_is(wr, j, args[a].proc)))
					want = args[a].found = true;
			}
			if (want)
				v[n++] = wr->inst[j];
		}
	}
	/* Every name must have matched something (a group may be empty). */
	for (size_t a = 0; a < nargs && !all; a++) {
		for (size_t g = 0; g < s->ngroups && !args[a].found; g++)
			args[a].found =
			    strcmp(args[a].s, s->groups[g].spec->name) == 0;
		if (!args[a].found) {
			char *known = ctl_known(s);

			/* With one name, the client's context names it. */
			if (nargs == 1)
				ctl_reply_error(cn, "no_such_ward",
						"no such ward (known: %s)",
						known);
			else
				ctl_reply_error(
				    cn, "no_such_ward",
				    "no such ward \"%s\" (known: %s)",
				    args[a].s, known);
			free(known);
			free(args);
			free(v);
			return -1;
		}
	}
	free(args);
	*outp = v;
	return (ssize_t)n;
}
