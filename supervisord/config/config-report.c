/*
 * Problems found while reading a config: their wording, with file:line,
 * and their order.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config-internal.h"
#include "base/escape.h"

/* Record one problem, formatted, with its severity. */
void
config_problem(struct config_state *st, enum config_severity sev, int line,
	       const char *fmt, ...)
{
	struct config_report *rep = st->rep;
	va_list ap;
	char *body, *msg;

	va_start(ap, fmt);
	body = xvasprintf(fmt, ap);
	va_end(ap);
	rep->v = xrealloc(rep->v, (rep->n + 1) * sizeof(*rep->v));
	rep->v[rep->n].severity = sev;
	rep->v[rep->n].file = st->file;
	rep->v[rep->n].line = line;
	if (line > 0)
		msg = xasprintf("%s:%d: %s%s", st->path, line,
				sev == CONFIG_WARNING ? "warning: " : "", body);
	else
		msg = xasprintf("%s: %s%s", st->path,
				sev == CONFIG_WARNING ? "warning: " : "", body);
	/* A file's bytes are quoted in it: shown escaped wherever it goes. */
	rep->v[rep->n].msg = escape_dup(msg);
	free(msg);
	free(body);
	rep->n++;
	if (sev == CONFIG_ERROR)
		rep->errors++;
	else
		rep->warnings++;
}

/* Report a bad value of a key in the current section. */
void
config_bad(struct config_state *st, const char *section, const char *key,
	   const char *value, const char *why)
{
	config_problem(st, CONFIG_ERROR, st->lineno, "[%s] %s = \"%s\": %s",
		       section, key, value, why);
}

/* Edit distance, capped, for "did you mean" hints. */
static size_t
config_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t row[40];

	if (la >= 39 || lb >= 39)
		return 99;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t prev = row[0];

		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t cur = row[j];
			size_t best = prev + (a[i - 1] != b[j - 1]);

			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			prev = cur;
		}
	}
	return row[lb];
}

/* Warn about an unknown key, suggesting the nearest known one. */
void
config_unknown_key(struct config_state *st, const char *section,
		   const char *key, const char *const *known, size_t nknown)
{
	const char *best = NULL;
	size_t bestd = 3;
	struct sbuf list = {0};

	for (size_t i = 0; i < nknown; i++) {
		size_t d = config_distance(key, known[i]);

		if (d < bestd) {
			bestd = d;
			best = known[i];
		}
		sbuf_addf(&list, "%s%s", i ? ", " : "", known[i]);
	}
	if (best != NULL)
		config_problem(
		    st, CONFIG_WARNING, st->lineno,
		    "[%s] unknown key \"%s\" ignored; did you mean %s?",
		    section, key, best);
	else
		config_problem(
		    st, CONFIG_WARNING, st->lineno,
		    "[%s] unknown key \"%s\" ignored; known keys: %s", section,
		    key, list.s);
	sbuf_free(&list);
}

/* Put the problems in file order (stable: same line keeps its order). */
void
config_sort(struct config_report *rep)
{
	for (size_t i = 1; i < rep->n; i++) {
		struct config_problem p = rep->v[i];
		size_t j = i;

		while (j > 0 && (rep->v[j - 1].file > p.file ||
				 (rep->v[j - 1].file == p.file &&
				  rep->v[j - 1].line > p.line))) {
			rep->v[j] = rep->v[j - 1];
			j--;
		}
		rep->v[j] = p;
	}
}

/* Free the problems of a report. */
void
config_report_free(struct config_report *rep)
{
	for (size_t i = 0; i < rep->n; i++)
		free(rep->v[i].msg);
	free(rep->v);
	*rep = (struct config_report){0};
}
