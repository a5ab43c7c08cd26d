/*
 * What refers to wards by name: requires, after and group members (every
 * name known, no cycle, each ward in one group at most).
 */
#include <stdlib.h>
#include <string.h>

#include "config/config-internal.h"

/* The index of a ward (not a job) named name, or -1. */
static ssize_t
config_find_ward(const struct config_state *st, const char *name)
{
	ssize_t i = nametab_get(&st->names, name);

	return i >= 0 && !st->wards[i].spec.is_job ? i : -1;
}

/* Depth-first search for a cycle through requires and after. */
static bool
config_cycle_from(const struct config_state *st, size_t i, int *mark,
		  size_t *path, size_t depth, struct sbuf *out)
{
	const struct ward_spec *w = &st->wards[i].spec;

	if (mark[i] == 2)
		return false;
	path[depth] = i;
	if (mark[i] == 1) {
		/* Back at a ward on the path: print the loop from it. */
		size_t from = 0;

		while (path[from] != i)
			from++;
		for (size_t k = from; k <= depth; k++)
			sbuf_addf(out, "%s%s", k > from ? " -> " : "",
				  st->wards[path[k]].spec.name);
		return true;
	}
	mark[i] = 1;
	for (int pass = 0; pass < 2; pass++) {
		char **names = pass == 0 ? w->requires : w->after;
		size_t n = pass == 0 ? w->nrequires : w->nafter;

		for (size_t k = 0; k < n; k++) {
			ssize_t j = config_find_ward(st, names[k]);

			if (j >= 0 && config_cycle_from(st, (size_t)j, mark,
							path, depth + 1, out))
				return true;
		}
	}
	mark[i] = 2;
	return false;
}

/* Report at a file of the config (by its path), keeping file order. */
static void
config_at_file(struct config_state *st, const char *path)
{
	for (size_t f = 0; f < st->cfg->nfiles; f++) {
		if (strcmp(st->cfg->files[f], path) == 0) {
			st->path = st->cfg->files[f];
			st->file = (int)f;
		}
	}
}

/*
 * A ward (or job) and a group may not share a name: "stewardctl stop
 * web" would mean both (wards and jobs share one list, so a ward and a
 * job named alike are refused as they are read).
 */
void
config_check_names(struct config_state *st)
{
	for (size_t g = 0; g < st->ngroups; g++) {
		const struct group_spec *gs = &st->groups[g].spec;
		ssize_t i = nametab_get(&st->names, gs->name);

		if (i < 0)
			continue;
		const struct ward_spec *w = &st->wards[i].spec;
		config_at_file(st, gs->file);
		config_problem(st, CONFIG_ERROR, gs->line,
			       "[group:%s] has the name of [%s:%s] (%s:%d); a "
			       "ward, a job and a group may not share a name, "
			       "or stewardctl could not tell which one a "
			       "command means",
			       gs->name, w->kind, w->name, w->file, w->line);
	}
}

/*
 * Check what refers to wards by name: requires, after, group members
 * (every name known, no cycle, each ward in one group at most).
 */
void
config_check_links(struct config_state *st)
{
	int *mark = xcalloc(st->nwards + 1, sizeof(int));
	size_t *path = xcalloc(st->nwards + 2, sizeof(size_t));
	const char **in_group = xcalloc(st->nwards + 1, sizeof(char *));

	for (size_t i = 0; i < st->nwards; i++) {
		struct config_ward *cw = &st->wards[i];
		const struct ward_spec *w = &cw->spec;

		for (int pass = 0; pass < 2; pass++) {
			char **names = pass == 0 ? w->requires : w->after;
			size_t n = pass == 0 ? w->nrequires : w->nafter;
			int line =
			    cw->key_line[pass == 0 ? K_REQUIRES : K_AFTER];

			for (size_t k = 0; k < n; k++) {
				if (config_find_ward(st, names[k]) >= 0 &&
				    strcmp(names[k], w->name) != 0)
					continue;
				st->path = w->file;
				config_problem(
				    st, CONFIG_ERROR, line ? line : w->line,
				    "[%s:%s] %s = %s: %s", w->kind, w->name,
				    pass == 0 ? "requires" : "after", names[k],
				    strcmp(names[k], w->name) == 0
					? "a ward cannot wait for itself"
					: "no ward has that name");
			}
		}
	}
	for (size_t i = 0; i < st->nwards; i++) {
		struct sbuf loop = {0};

		if (st->wards[i].spec.is_job || mark[i] != 0)
			continue;
		if (config_cycle_from(st, i, mark, path, 0, &loop)) {
			const struct ward_spec *w = &st->wards[i].spec;

			st->path = w->file;
			config_problem(
			    st, CONFIG_ERROR, w->line,
			    "a cycle of requires/after: %s; no ward of it "
			    "could ever start",
			    loop.s);
			sbuf_free(&loop);
			break;
		}
	}
	for (size_t g = 0; g < st->ngroups; g++) {
		struct config_group *cg = &st->groups[g];

		st->path = cg->spec.file;
		if (cg->spec.nmembers == 0)
			config_problem(
			    st, CONFIG_ERROR, cg->spec.line,
			    "[group:%s] has no members; add wards = NAME ...",
			    cg->spec.name);
		for (size_t k = 0; k < cg->spec.nmembers; k++) {
			ssize_t j = config_find_ward(st, cg->spec.members[k]);

			if (j < 0) {
				config_problem(
				    st, CONFIG_ERROR, cg->line_members,
				    "[group:%s] %s: no ward or program has "
				    "that name",
				    cg->spec.name, cg->spec.members[k]);
			} else if (in_group[j] != NULL) {
				config_problem(
				    st, CONFIG_ERROR, cg->line_members,
				    "[group:%s] %s is already a member of "
				    "[group:%s]; a ward belongs to one group",
				    cg->spec.name, cg->spec.members[k],
				    in_group[j]);
			} else {
				in_group[j] = cg->spec.name;
			}
		}
	}
	free(mark);
	free(path);
	free(in_group);
}
