/*
 * stewardd --check --dump-json: what the reader understood of a file,
 * as one JSON document on standard output, for tools and for the
 * supervisord compatibility test (tests/compat), which compares it with
 * what supervisord's own reader makes of the same file.
 *
 * The document: {"file", "ok", "problems": [{"severity", "message"}],
 * "wards": [...], "jobs": [...], "groups": [...]}.  A ward lists its
 * processes as they would be started: each with its name, argv,
 * directory, the environment the config gives it (stewardd's own
 * environment and the STEWARD_* contract variables are added at spawn
 * and are not listed) and where its stdout and stderr go.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "base/err.h"
#include "base/parse.h"

/* A vector of strings as a JSON array. */
static void
dump_strv(struct sbuf *b, char *const *v, size_t n)
{
	sbuf_addf(b, "%s", "[");
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			sbuf_addf(b, "%s", ",");
		sbuf_add_json(b, v[i]);
	}
	sbuf_addf(b, "%s", "]");
}

/* Where an output goes: "inherit", "null", "stdout" or the file path. */
static void
dump_output(struct sbuf *b, const char *key, const struct config_output *o)
{
	sbuf_addf(b, ",\"%s\":", key);
	switch (o->kind) {
	case CONFIG_OUT_INHERIT:
		sbuf_add_json(b, "inherit");
		break;
	case CONFIG_OUT_NULL:
		sbuf_add_json(b, "null");
		break;
	case CONFIG_OUT_STDOUT:
		sbuf_add_json(b, "stdout");
		break;
	case CONFIG_OUT_FILE:
		sbuf_add_json(b, o->path);
		break;
	}
}

/* NAME=value pairs as a JSON object, a later name replacing. */
static void
dump_env(struct sbuf *b, char *const *a, size_t na, char *const *c, size_t nc)
{
	size_t n = 0;
	char **all = xcalloc(na + nc + 1, sizeof(char *));

	for (size_t i = 0; i < na + nc; i++) {
		char *word = i < na ? a[i] : c[i - na];
		size_t nl = strcspn(word, "=");
		size_t k;

		for (k = 0; k < n; k++)
			if (strncmp(all[k], word, nl + 1) == 0)
				break;
		all[k] = word;
		if (k == n)
			n++;
	}
	sbuf_addf(b, "%s", "{");
	for (size_t i = 0; i < n; i++) {
		char *name =
		    xasprintf("%.*s", (int)strcspn(all[i], "="), all[i]);

		sbuf_addf(b, "%s", i ? "," : "");
		sbuf_add_json(b, name);
		sbuf_addf(b, "%s", ":");
		sbuf_add_json(b, all[i] + strlen(name) + 1);
		free(name);
	}
	sbuf_addf(b, "%s", "}");
	free(all);
}

/* One ward or job, with its processes. */
static void
dump_ward(struct sbuf *b, const struct config *c, const struct ward_spec *w)
{
	static const char *const restart[] = {
	    [WARD_RESTART_ALWAYS] = "always",
	    [WARD_RESTART_ON_FAILURE] = "on-failure",
	    [WARD_RESTART_NEVER] = "never",
	};
	const char *group = NULL;
	bool first = true;

	for (size_t g = 0; g < c->ngroups && group == NULL; g++)
		for (size_t m = 0; m < c->groups[g].nmembers; m++)
			if (strcmp(c->groups[g].members[m], w->name) == 0)
				group = c->groups[g].name;
	sbuf_addf(b, "%s", "{\"name\":");
	sbuf_add_json(b, w->name);
	sbuf_addf(b, "%s", ",\"kind\":");
	sbuf_add_json(b, w->kind);
	sbuf_addf(b, "%s", ",\"file\":");
	sbuf_add_json(b, w->file);
	sbuf_addf(b, ",\"line\":%d,\"group\":", w->line);
	sbuf_add_json(b, group);
	sbuf_addf(b,
		  ",\"priority\":%d,\"autostart\":%s,\"restart\":\"%s\","
		  "\"exitcodes\":[",
		  w->priority, w->autostart ? "true" : "false",
		  restart[w->pol.restart]);
	for (int code = 0; code < 256; code++) {
		if (!((w->pol.success[code / 8] >> (code % 8)) & 1))
			continue;
		sbuf_addf(b, "%s%d", first ? "" : ",", code);
		first = false;
	}
	sbuf_addf(b,
		  "],\"start_timeout_ms\":%lld,\"start_retries\":%d,"
		  "\"stop_signal\":\"%s\",\"stop_timeout_ms\":%lld,"
		  "\"stop_group\":%s,\"kill_group\":%s,\"umask\":%d,"
		  "\"user\":",
		  (long long)w->start_timeout_ms, w->pol.start_retries,
		  parse_signal_name(w->stop_signal),
		  (long long)w->stop_timeout_ms,
		  w->stop_group ? "true" : "false",
		  w->kill_group ? "true" : "false", w->umask);
	sbuf_add_json(b, w->has_user ? w->user : NULL);
	if (w->has_user)
		sbuf_addf(b, ",\"uid\":%u,\"gid\":%u", (unsigned)w->uid,
			  (unsigned)w->gid);
	sbuf_addf(b, "%s", ",\"processes\":[");
	for (unsigned r = 0; r < w->replicas; r++) {
		const struct ward_proc *pr = w->procs ? &w->procs[r] : NULL;
		char *label = xasprintf("%s:%u", w->name, r);

		sbuf_addf(b, "%s", r ? ",{\"instance\":" : "{\"instance\":");
		sbuf_add_json(b, label);
		sbuf_addf(b, "%s", ",\"name\":");
		sbuf_add_json(b, pr && pr->name ? pr->name : label);
		sbuf_addf(b, "%s", ",\"argv\":");
		if (pr != NULL)
			dump_strv(b, pr->argv, pr->argc);
		else
			dump_strv(b, w->argv, w->argc);
		sbuf_addf(b, "%s", ",\"directory\":");
		sbuf_add_json(b, pr ? pr->directory : w->directory);
		sbuf_addf(b, "%s", ",\"environment\":");
		dump_env(b, w->env, w->nenv, pr ? pr->env : NULL,
			 pr ? pr->nenv : 0);
		dump_output(b, "stdout", pr ? &pr->out : &w->out);
		dump_output(b, "stderr", pr ? &pr->err : &w->err);
		sbuf_addf(b, "%s", "}");
		free(label);
	}
	sbuf_addf(b, "%s", "]}");
}

/* See config.h. */
int
config_dump_json(const char *path)
{
	struct config_report rep = {0};
	struct config *c = config_load(path, &rep);
	struct sbuf b = {0};
	bool ok = c != NULL;

	sbuf_addf(&b, "%s", "{\"file\":");
	sbuf_add_json(&b, path);
	sbuf_addf(&b, ",\"ok\":%s,\"problems\":[", c ? "true" : "false");
	for (size_t i = 0; i < rep.n; i++) {
		sbuf_addf(
		    &b, "%s{\"severity\":\"%s\",\"message\":", i ? "," : "",
		    rep.v[i].severity == CONFIG_ERROR ? "error" : "warning");
		sbuf_add_json(&b, rep.v[i].msg);
		sbuf_addf(&b, "%s", "}");
	}
	sbuf_addf(&b, "%s", "],\"wards\":[");
	for (size_t i = 0; c != NULL && i < c->nwards; i++) {
		if (i > 0)
			sbuf_addf(&b, "%s", ",");
		dump_ward(&b, c, &c->wards[i]);
	}
	sbuf_addf(&b, "%s", "],\"jobs\":[");
	for (size_t i = 0; c != NULL && i < c->njobs; i++) {
		if (i > 0)
			sbuf_addf(&b, "%s", ",");
		dump_ward(&b, c, &c->jobs[i]);
	}
	sbuf_addf(&b, "%s", "],\"groups\":[");
	for (size_t g = 0; c != NULL && g < c->ngroups; g++) {
		sbuf_addf(&b, "%s", g ? ",{\"name\":" : "{\"name\":");
		sbuf_add_json(&b, c->groups[g].name);
		sbuf_addf(&b, "%s", ",\"members\":");
		dump_strv(&b, c->groups[g].members, c->groups[g].nmembers);
		sbuf_addf(&b, "%s", "}");
	}
	sbuf_addf(&b, "%s", "]}\n");
	fputs(b.s, stdout);
	sbuf_free(&b);
	config_free(c);
	config_report_free(&rep);
	if (fflush(stdout) == EOF)
		return 74; /* EX_IOERR */
	return ok ? 0 : 78;
}
