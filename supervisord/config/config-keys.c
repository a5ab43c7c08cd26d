/*
 * The keys of [steward], [ward:NAME], [job:NAME] and [group:NAME]: their
 * tables and the check of each value, as a key is read.
 */
#include <ctype.h>
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config-internal.h"

const char *const config_key_names[K_NKEYS] = {
    [K_COMMAND] = "command",
    [K_REPLICAS] = "replicas",
    [K_HEARTBEAT] = "heartbeat",
    [K_HEARTBEAT_TIMEOUT] = "heartbeat_timeout",
    [K_START_TIMEOUT] = "start_timeout",
    [K_RESTART] = "restart",
    [K_BACKOFF] = "backoff",
    [K_RESTART_LIMIT] = "restart_limit",
    [K_STOP_SIGNAL] = "stop_signal",
    [K_STOP_TIMEOUT] = "stop_timeout",
    [K_USER] = "user",
    [K_GROUP] = "group",
    [K_DIRECTORY] = "directory",
    [K_ENVIRONMENT] = "environment",
    [K_STDOUT] = "stdout",
    [K_STDERR] = "stderr",
    [K_AUTOSTART] = "autostart",
    [K_ENVIRONMENT_FILE] = "environment_file",
    [K_TIMEOUT] = "timeout",
    [K_OUTPUT_LIMIT] = "output_limit",
    [K_MAX_CONCURRENT] = "max_concurrent",
    [K_REQUIRES] = "requires",
    [K_AFTER] = "after",
    [K_ESSENTIAL] = "essential",
    [K_PRIORITY] = "priority",
    [K_MEMORY_MAX] = "memory_max",
    [K_MEMORY_HIGH] = "memory_high",
    [K_PIDS_MAX] = "pids_max",
    [K_CPU_WEIGHT] = "cpu_weight",
    [K_CPU_MAX] = "cpu_max",
    [K_MEMORY_RESTART] = "memory_restart",
    [K_CGROUP_CONTROLLERS] = "cgroup_controllers",
    [K_TAIL_LINES] = "tail_lines",
    [K_TAIL_SIZE] = "tail_size",
    [K_OUTPUT] = "output",
    [K_OUTPUT_PREFIX] = "output_prefix",
    [K_OUTPUT_TIMESTAMPS] = "output_timestamps",
    [K_STDOUT_MAX_SIZE] = "stdout_max_size",
    [K_STDOUT_BACKUPS] = "stdout_backups",
    [K_STDERR_MAX_SIZE] = "stderr_max_size",
    [K_STDERR_BACKUPS] = "stderr_backups",
};

static const char *const config_steward_keys[SK_NKEYS] = {
    [SK_SOCKET] = "socket",
    [SK_EVENT_LOG] = "event_log",
    [SK_INCLUDE] = "include",
    [SK_GROUP] = "group",
    [SK_METRICS_FILE] = "metrics_file",
    [SK_METRICS_INTERVAL] = "metrics_interval",
    [SK_CGROUPS] = "cgroups",
    [SK_LOG_DIR] = "log_dir",
};

/* A size, or "max" where max_ok. */
static int
config_size_or_max(const char *v, bool max_ok, uint64_t *out, char *why)
{
	if (max_ok && strcmp(v, "max") == 0) {
		*out = CGROUP_MAX;
		return 0;
	}
	if (parse_size(v, out, why) == -1) {
		if (max_ok)
			snprintf(why, PARSE_WHY,
				 "expected a size such as 512MiB or 2GiB, or "
				 "max");
		return -1;
	}
	if (*out == 0) {
		snprintf(why, PARSE_WHY, "expected a size above 0");
		return -1;
	}
	return 0;
}

/*
 * A cgroup limit: memory_max, memory_high (SIZE or max), pids_max (N or
 * max), cpu_weight (1-10000), cpu_max (N% of one CPU, or max),
 * memory_restart (SIZE [for DURATION]), cgroup_controllers (NAME...).
 */
static int
config_limit(struct cgroup_limits *l, enum config_key k, const char *v,
	     char *why)
{
	long n;

	switch (k) {
	case K_MEMORY_MAX:
		return config_size_or_max(v, true, &l->memory_max, why);
	case K_MEMORY_HIGH:
		return config_size_or_max(v, true, &l->memory_high, why);
	case K_PIDS_MAX:
		if (strcmp(v, "max") == 0) {
			l->pids_max = CGROUP_MAX;
			return 0;
		}
		if (parse_long(v, 1, 4194304, &n, why) == -1)
			return -1;
		l->pids_max = (uint64_t)n;
		return 0;
	case K_CPU_WEIGHT:
		if (parse_long(v, 1, 10000, &n, why) == -1)
			return -1;
		l->cpu_weight = (uint64_t)n;
		return 0;
	case K_CPU_MAX: {
		char *end;
		unsigned long pct;

		l->cpu_period_us = 100000;
		if (strcmp(v, "max") == 0) {
			l->cpu_quota_us = CGROUP_MAX;
			return 0;
		}
		errno = 0;
		pct = strtoul(v, &end, 10);
		if (!isdigit((unsigned char)v[0]) || errno != 0 ||
		    strcmp(end, "%") != 0 || pct < 1 || pct > 100000) {
			snprintf(why, PARSE_WHY,
				 "expected a share of one CPU from 1%% to "
				 "100000%% (200%% is two CPUs), or max");
			return -1;
		}
		/* Of a 100ms period, as systemd's CPUQuota=. */
		l->cpu_quota_us = pct * 1000;
		return 0;
	}
	case K_MEMORY_RESTART: {
		const char *sep = strstr(v, " for ");
		char size[64];

		if (sep == NULL) {
			l->memory_restart_for_ms = 0;
			return config_size_or_max(v, false, &l->memory_restart,
						  why);
		}
		if ((size_t)(sep - v) >= sizeof(size)) {
			snprintf(why, PARSE_WHY,
				 "expected SIZE or SIZE for DURATION, such as "
				 "200MiB for 30s");
			return -1;
		}
		snprintf(size, sizeof(size), "%.*s", (int)(sep - v), v);
		if (config_size_or_max(size, false, &l->memory_restart, why) ==
		    -1)
			return -1;
		return parse_duration_ms(sep + 5, &l->memory_restart_for_ms,
					 why);
	}
	case K_CGROUP_CONTROLLERS: {
		size_t at = 0;
		char word[16], miss[16];

		l->controllers[0] = '\0';
		for (const char *p = v; *p != '\0';) {
			size_t m;

			p += strspn(p, " \t");
			m = strcspn(p, " \t");
			if (m == 0)
				break;
			if (!cgroup_controller_known(p, m)) {
				snprintf(why, PARSE_WHY,
					 "\"%.*s\" is not a cgroup v2 "
					 "controller; expected names among "
					 "%s",
					 (int)m, p, CGROUP_KNOWN);
				return -1;
			}
			/* Known: at most 7 letters; each once (the eight
			 * fit). */
			snprintf(word, sizeof(word), "%.*s", (int)m, p);
			if (cgroup_missing(word, l->controllers, miss,
					   sizeof(miss)) != NULL)
				at += (size_t)snprintf(
				    l->controllers + at,
				    sizeof(l->controllers) - at, "%s%s",
				    at ? " " : "", word);
			p += m;
		}
		if (at == 0) {
			snprintf(why, PARSE_WHY,
				 "expected controller names among %s",
				 CGROUP_KNOWN);
			return -1;
		}
		return 0;
	}
	default:
		snprintf(why, PARSE_WHY, "an internal error: key %d", (int)k);
		return -1;
	}
}

/* True for a name made of [A-Za-z0-9_.-], 1 to CONFIG_NAME_MAX long. */
bool
config_name_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > CONFIG_NAME_MAX)
		return false;
	for (; *s != '\0'; s++) {
		if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-' &&
		    *s != '.')
			return false;
	}
	return true;
}

/* Set up a new ward with the documented defaults. */
static void
config_ward_defaults(struct ward_spec *w)
{
	w->replicas = 1;
	w->pol.heartbeat = WARD_HB_NONE;
	w->pol.restart = WARD_RESTART_ALWAYS;
	w->heartbeat_timeout_ms = 10000;
	w->start_timeout_ms = -1; /* 1s without heartbeats, else 10s */
	w->stop_timeout_ms = 10000;
	w->tail_lines = CONFIG_TAIL_LINES;
	w->tail_size = CONFIG_TAIL_SIZE;
	w->out.max_size = w->err.max_size = CONFIG_LOG_MAX_SIZE;
	w->out.backups = w->err.backups = CONFIG_LOG_BACKUPS;
	w->backoff_min_ms = 100;
	w->backoff_max_ms = 30000;
	w->limit = (struct parse_rate){.burst = 5, .period_ms = 60000};
	w->stop_signal = 15; /* SIGTERM */
	w->autostart = true;
	w->pol.start_retries = -1;
	w->priority = 999;
	w->umask = -1;
	w->stop_group = true;
	w->kill_group = true;
	w->kind = "ward";
}

/* Begin a [ward:NAME] section, refusing a second one of the same name. */
/*
 * Refuse a name that stewardctl gives a meaning where it takes a ward's
 * name (ctl.c's ctl_resolve, stewardctl's arguments): "all" is every
 * ward, and a word that starts with '-' is an option.
 */
void
config_name_reserved(struct config_state *st, const char *name)
{
	if (strcmp(name, "all") == 0)
		config_problem(st, CONFIG_ERROR, st->lineno,
			       "\"%s\" cannot name a ward, job or group: "
			       "stewardctl reads it as every ward (stop all); "
			       "choose another name",
			       name);
	else if (name[0] == '-')
		config_problem(st, CONFIG_ERROR, st->lineno,
			       "\"%s\" cannot name a ward, job or group: "
			       "stewardctl reads a word that starts with '-' "
			       "as an option; choose another name",
			       name);
}

/* Start a ward section, with defaults; NULL (reported) if the name is taken. */
struct config_ward *
config_ward_begin(struct config_state *st, const char *name)
{
	struct config_ward *cw;
	ssize_t i = nametab_get(&st->names, name);

	config_name_reserved(st, name);
	if (i >= 0) {
		config_problem(
		    st, CONFIG_ERROR, st->lineno,
		    "\"%s\" is already defined at %s:%d (as [%s:%s]); "
		    "give each ward, program and job its own name",
		    name, st->wards[i].spec.file, st->wards[i].spec.line,
		    st->wards[i].spec.kind, name);
		return NULL;
	}
	if (st->nwards == st->cap) {
		st->cap = st->cap ? st->cap * 2 : 8;
		st->wards = xrealloc(st->wards, st->cap * sizeof(*st->wards));
	}
	cw = &st->wards[st->nwards++];
	memset(cw, 0, sizeof(*cw));
	cw->spec.name = xstrdup(name);
	cw->spec.file = xstrdup(st->path);
	cw->spec.line = st->lineno;
	(void)nametab_put(&st->names, cw->spec.name, st->nwards - 1);
	config_ward_defaults(&cw->spec);
	return cw;
}

/* Parse where a ward's stdout or stderr goes. */
int
config_output(const char *v, struct config_output *o, bool is_stderr, char *why)
{
	free(o->path);
	o->path = NULL;
	if (strcmp(v, "inherit") == 0) {
		o->kind = CONFIG_OUT_INHERIT;
	} else if (strcmp(v, "null") == 0) {
		o->kind = CONFIG_OUT_NULL;
	} else if (is_stderr && strcmp(v, "stdout") == 0) {
		o->kind = CONFIG_OUT_STDOUT;
	} else if (v[0] == '/') {
		o->kind = CONFIG_OUT_FILE;
		o->path = xstrdup(v);
	} else {
		snprintf(why, PARSE_WHY,
			 "expected inherit, null, %san absolute file path",
			 is_stderr ? "stdout (same as stdout), " : "");
		return -1;
	}
	return 0;
}

/* Parse environment = NAME=value ... into the spec. */
int
config_environment(const char *v, struct ward_spec *w, char *why)
{
	char **words;
	size_t n;

	if (parse_split(v, &words, &n, why) == -1)
		return -1;
	for (size_t i = 0; i < n; i++) {
		size_t nl;

		if (parse_env_assignment(words[i], &nl, why) == -1) {
			char inner[PARSE_WHY];

			snprintf(inner, sizeof(inner), "%s", why);
			snprintf(why, PARSE_WHY, "word %zu \"%.40s\": %.180s",
				 i + 1, words[i], inner);
			parse_split_free(words);
			return -1;
		}
		for (size_t j = 0; j < i; j++) {
			if (strncmp(words[j], words[i], nl + 1) == 0) {
				snprintf(
				    why, PARSE_WHY,
				    "%.*s is set twice; set each variable once",
				    (int)nl, words[i]);
				parse_split_free(words);
				return -1;
			}
		}
	}
	w->env = xcalloc(n + 1, sizeof(char *));
	for (size_t i = 0; i < n; i++)
		w->env[i] = xstrdup(words[i]);
	w->nenv = n;
	parse_split_free(words);
	return 0;
}

/*
 * A copy of n strings as one allocation, vector and strings together,
 * like parse_split() makes (free with parse_split_free()).
 */
char **
config_vec_dup(char *const *v, size_t n)
{
	size_t size = (n + 1) * sizeof(char *);
	char **out, *p;

	for (size_t i = 0; i < n; i++)
		size += strlen(v[i]) + 1;
	out = xmalloc(size);
	p = (char *)(out + n + 1);
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(v[i]) + 1;

		memcpy(p, v[i], len);
		out[i] = p;
		p += len;
	}
	out[n] = NULL;
	return out;
}

/* A list of ward names separated by blanks or commas. */
static int
config_names(const char *v, char ***out, size_t *n, char *why)
{
	char *copy = xstrdup(v), *save = NULL;
	char **names = NULL;
	size_t had = *n;

	/* Names already there (a continued list) are kept. */
	for (size_t i = 0; i < had; i++) {
		names = xrealloc(names, (i + 1) * sizeof(char *));
		names[i] = (*out)[i];
	}
	for (char *t = strtok_r(copy, " \t,", &save); t != NULL;
	     t = strtok_r(NULL, " \t,", &save)) {
		if (!config_name_ok(t)) {
			snprintf(
			    why, PARSE_WHY,
			    "\"%.64s\" is not a ward name; expected names of "
			    "letters, digits, '_', '-' or '.' separated by "
			    "blanks",
			    t);
			free(copy);
			free(names);
			*n = had;
			return -1;
		}
		names = xrealloc(names, (*n + 1) * sizeof(char *));
		names[(*n)++] = t;
	}
	if (*n == 0) {
		free(copy);
		free(names);
		snprintf(why, PARSE_WHY, "expected one or more ward names");
		return -1;
	}
	char **old = *out;
	*out = config_vec_dup(names, *n);
	parse_split_free(old);
	free(names);
	free(copy);
	return 0;
}

/* Parse one ward key's value into the spec; -1 with why on error. */
static int
config_ward_value(struct ward_spec *w, enum config_key k, const char *v,
		  char *why)
{
	long n;

	switch (k) {
	case K_COMMAND:
		if (parse_split(v, &w->argv, &w->argc, why) == -1)
			return -1;
		w->command = xstrdup(v);
		return 0;
	case K_REPLICAS:
		if (parse_long(v, 1, CONFIG_REPLICAS_MAX, &n, why) == -1)
			return -1;
		w->replicas = (unsigned)n;
		return 0;
	case K_HEARTBEAT:
		if (strcmp(v, "pipe") == 0)
			w->pol.heartbeat = WARD_HB_PIPE;
		else if (strcmp(v, "none") == 0)
			w->pol.heartbeat = WARD_HB_NONE;
		else if (strcmp(v, "notify") == 0)
			w->pol.heartbeat = WARD_HB_NOTIFY;
		else {
			snprintf(why, PARSE_WHY,
				 "expected pipe, notify or none");
			return -1;
		}
		return 0;
	case K_HEARTBEAT_TIMEOUT:
		if (parse_duration_ms(v, &w->heartbeat_timeout_ms, why) == -1)
			return -1;
		if (w->heartbeat_timeout_ms < 2) {
			snprintf(
			    why, PARSE_WHY,
			    "expected at least 2ms (beats are due every half "
			    "of it)");
			return -1;
		}
		return 0;
	case K_START_TIMEOUT:
		if (parse_duration_ms(v, &w->start_timeout_ms, why) == -1)
			return -1;
		return 0;
	case K_RESTART:
		if (strcmp(v, "always") == 0)
			w->pol.restart = WARD_RESTART_ALWAYS;
		else if (strcmp(v, "on-failure") == 0)
			w->pol.restart = WARD_RESTART_ON_FAILURE;
		else if (strcmp(v, "never") == 0)
			w->pol.restart = WARD_RESTART_NEVER;
		else {
			snprintf(why, PARSE_WHY,
				 "expected always, on-failure or never");
			return -1;
		}
		return 0;
	case K_BACKOFF:
		return parse_backoff(v, &w->backoff_min_ms, &w->backoff_max_ms,
				     why);
	case K_RESTART_LIMIT:
		return parse_rate(v, &w->limit, why);
	case K_STOP_SIGNAL:
		return parse_signal(v, &w->stop_signal, why);
	case K_STOP_TIMEOUT:
		return parse_duration_ms(v, &w->stop_timeout_ms, why);
	case K_USER:
		w->user = xstrdup(v);
		return 0;
	case K_GROUP:
		w->group = xstrdup(v);
		return 0;
	case K_DIRECTORY:
		if (v[0] != '/') {
			snprintf(why, PARSE_WHY, "expected an absolute path");
			return -1;
		}
		w->directory = xstrdup(v);
		return 0;
	case K_ENVIRONMENT:
		return config_environment(v, w, why);
	case K_STDOUT:
		return config_output(v, &w->out, false, why);
	case K_STDERR:
		return config_output(v, &w->err, true, why);
	case K_AUTOSTART:
		return parse_bool(v, &w->autostart, why);
	case K_TIMEOUT:
		if (parse_duration_ms(v, &w->timeout_ms, why) == -1)
			return -1;
		if (w->timeout_ms == 0) {
			snprintf(why, PARSE_WHY, "expected a duration above 0");
			return -1;
		}
		return 0;
	case K_OUTPUT_LIMIT:
		return parse_size(v, &w->output_limit, why);
	case K_MAX_CONCURRENT:
		if (parse_long(v, 1, 10000, &n, why) == -1)
			return -1;
		w->max_concurrent = (unsigned)n;
		return 0;
	case K_REQUIRES:
		return config_names(v, &w->requires, &w->nrequires, why);
	case K_AFTER:
		return config_names(v, &w->after, &w->nafter, why);
	case K_ESSENTIAL:
		return parse_bool(v, &w->essential, why);
	case K_PRIORITY:
		if (parse_long(v, -1000000, 1000000, &n, why) == -1)
			return -1;
		w->priority = (int)n;
		return 0;
	case K_MEMORY_MAX:
	case K_MEMORY_HIGH:
	case K_PIDS_MAX:
	case K_CPU_WEIGHT:
	case K_CPU_MAX:
	case K_MEMORY_RESTART:
	case K_CGROUP_CONTROLLERS:
		return config_limit(&w->limits, k, v, why);
	case K_TAIL_LINES:
		if (parse_long(v, 0, 1000000, &n, why) == -1)
			return -1;
		w->tail_lines = (size_t)n;
		return 0;
	case K_TAIL_SIZE:
		if (parse_size(v, &w->tail_size, why) == -1)
			return -1;
		if (w->tail_size > CONFIG_TAIL_SIZE_MAX) {
			snprintf(why, PARSE_WHY,
				 "expected at most 1MiB (0: keep no lines)");
			return -1;
		}
		return 0;
	case K_OUTPUT:
		if (strcmp(v, "capture") == 0) {
			w->output_direct = false;
		} else if (strcmp(v, "direct") == 0) {
			w->output_direct = true;
		} else {
			snprintf(why, PARSE_WHY, "expected capture or direct");
			return -1;
		}
		return 0;
	case K_OUTPUT_PREFIX:
		return parse_bool(v, &w->output_prefix, why);
	case K_OUTPUT_TIMESTAMPS:
		return parse_bool(v, &w->output_timestamps, why);
	case K_STDOUT_MAX_SIZE:
		return parse_size(v, &w->out.max_size, why);
	case K_STDERR_MAX_SIZE:
		return parse_size(v, &w->err.max_size, why);
	case K_STDOUT_BACKUPS:
	case K_STDERR_BACKUPS:
		if (parse_long(v, 0, CONFIG_LOG_BACKUPS_MAX, &n, why) == -1)
			return -1;
		(k == K_STDOUT_BACKUPS ? &w->out : &w->err)->backups =
		    (unsigned)n;
		return 0;
	case K_ENVIRONMENT_FILE: {
		char **words;
		size_t nw;

		/* Checked here, read once the section is complete. */
		if (parse_split(v, &words, &nw, why) == -1)
			return -1;
		parse_split_free(words);
		w->env_files = xstrdup(v);
		return 0;
	}
	case K_NKEYS:
		break;
	}
	snprintf(why, PARSE_WHY, "an internal error: key %d", (int)k);
	return -1;
}

/*
 * Keys that belong to wards only or to jobs only: a job runs once per
 * request, so it has no restart policy, and its stdout is its answer.
 */
static bool
config_key_job_only(enum config_key k)
{
	return k == K_TIMEOUT || k == K_OUTPUT_LIMIT || k == K_MAX_CONCURRENT;
}

static bool
config_key_ward_only(enum config_key k)
{
	return k == K_RESTART || k == K_BACKOFF || k == K_RESTART_LIMIT ||
	       k == K_AUTOSTART || k == K_STDOUT || k == K_REQUIRES ||
	       k == K_AFTER || k == K_ESSENTIAL || k == K_PRIORITY ||
	       k == K_STDOUT_MAX_SIZE || k == K_STDOUT_BACKUPS;
}

static bool
config_key_fits(struct config_state *st, struct config_ward *cw,
		const char *section, const char *key, enum config_key k)
{
	bool job_only = config_key_job_only(k);
	bool ward_only = config_key_ward_only(k);

	if (cw->spec.is_job && ward_only) {
		config_problem(
		    st, CONFIG_ERROR, st->lineno,
		    "[%s] %s is not a key of a job: a job runs once per "
		    "request%s",
		    section, key,
		    k == K_STDOUT || k == K_STDOUT_MAX_SIZE ||
			    k == K_STDOUT_BACKUPS
			? " and its stdout is the answer"
			: "");
		cw->bad[k] = true;
		return false;
	}
	if (!cw->spec.is_job && job_only) {
		config_problem(st, CONFIG_ERROR, st->lineno,
			       "[%s] %s is a key of [job:NAME] sections only",
			       section, key);
		cw->bad[k] = true;
		return false;
	}
	return true;
}

/* A key in a [ward:NAME] section. */
void
config_ward_key(struct config_state *st, const char *section, const char *key,
		const char *value)
{
	struct config_ward *cw = st->cur;
	char why[PARSE_WHY];
	int k;

	for (k = 0; k < K_NKEYS; k++) {
		if (strcmp(key, config_key_names[k]) == 0)
			break;
	}
	if (k == K_NKEYS) {
		/* Hint at and list only the keys this kind of section takes. */
		const char *fit[K_NKEYS];
		size_t n = 0;

		for (int i = 0; i < K_NKEYS; i++) {
			enum config_key ki = (enum config_key)i;

			if (cw == NULL ||
			    (cw->spec.is_job ? !config_key_ward_only(ki)
					     : !config_key_job_only(ki)))
				fit[n++] = config_key_names[i];
		}
		config_unknown_key(st, section, key, fit, n);
		return;
	}
	if (cw == NULL)
		return; /* a duplicate section, already reported */
	if (!config_key_fits(st, cw, section, key, (enum config_key)k))
		return;
	if (cw->key_line[k] != 0) {
		config_problem(
		    st, CONFIG_ERROR, st->lineno,
		    "[%s] %s is already set at line %d; set each key once",
		    section, key, cw->key_line[k]);
		return;
	}
	cw->key_line[k] = st->lineno;
	if (value[0] == '\0') {
		config_bad(
		    st, section, key, value,
		    "an empty value; remove the line to get the default");
		return;
	}
	if (config_ward_value(&cw->spec, (enum config_key)k, value, why) ==
	    -1) {
		cw->bad[k] = true;
		config_bad(st, section, key, value, why);
	}
}

/* A key in the [steward] section. */
void
config_steward_key(struct config_state *st, const char *key, const char *value)
{
	struct config *c = st->cfg;
	size_t i;

	for (i = 0; i < SK_NKEYS; i++) {
		if (strcmp(key, config_steward_keys[i]) == 0)
			break;
	}
	if (i == SK_NKEYS) {
		config_unknown_key(st, "steward", key, config_steward_keys,
				   SK_NKEYS);
		return;
	}
	if (st->steward_key_line[i] != 0) {
		config_problem(
		    st, CONFIG_ERROR, st->lineno,
		    "[steward] %s is already set at line %d; set each key "
		    "once",
		    key, st->steward_key_line[i]);
		return;
	}
	st->steward_key_line[i] = st->lineno;
	if (value[0] == '\0') {
		config_bad(
		    st, "steward", key, value,
		    "an empty value; remove the line to get the default");
		return;
	}
	if (strcmp(key, "socket") == 0) {
		if (value[0] != '/') {
			config_bad(st, "steward", key, value,
				   "expected an absolute path");
			return;
		}
		if (strlen(value) >= 108) {
			config_bad(st, "steward", key, value,
				   "a unix socket path is at most 107 bytes");
			return;
		}
		c->socket = xstrdup(value);
	} else if (strcmp(key, "event_log") == 0) {
		if (value[0] != '/' && strcmp(value, "-") != 0) {
			config_bad(
			    st, "steward", key, value,
			    "expected an absolute path, or - for standard "
			    "error");
			return;
		}
		c->event_log = xstrdup(value);
	} else if (strcmp(key, "group") == 0) {
		struct group *gr = getgrnam(value);
		char *end;

		if (gr == NULL) {
			unsigned long id = strtoul(value, &end, 10);

			if (*end == '\0' && end != value && id < UINT_MAX)
				gr = getgrgid((gid_t)id);
		}
		if (gr == NULL) {
			config_bad(
			    st, "steward", key, value,
			    "no such group on this system; expected a name or "
			    "gid from the group database");
			return;
		}
		c->has_group = true;
		c->group_gid = gr->gr_gid;
		c->group = xstrdup(gr->gr_name);
	} else if (strcmp(key, "metrics_file") == 0) {
		size_t n = strlen(value);

		if (value[0] != '/' || value[n - 1] == '/') {
			config_bad(st, "steward", key, value,
				   "expected the absolute path of a file");
			return;
		}
		if (n < 6 || strcmp(value + n - 5, ".prom") != 0)
			config_problem(
			    st, CONFIG_WARNING, st->lineno,
			    "[steward] metrics_file = \"%s\": node_exporter's "
			    "textfile collector reads only files named *.prom",
			    value);
		c->metrics_file = xstrdup(value);
	} else if (strcmp(key, "log_dir") == 0) {
		if (value[0] != '/') {
			config_bad(st, "steward", key, value,
				   "expected the absolute path of a directory");
			return;
		}
		free(c->log_dir);
		c->log_dir = xstrdup(value);
	} else if (strcmp(key, "cgroups") == 0) {
		if (strcmp(value, "auto") == 0)
			c->cgroups = CONFIG_CGROUPS_AUTO;
		else if (strcmp(value, "off") == 0)
			c->cgroups = CONFIG_CGROUPS_OFF;
		else if (strcmp(value, "required") == 0)
			c->cgroups = CONFIG_CGROUPS_REQUIRED;
		else
			config_bad(st, "steward", key, value,
				   "expected auto, off or required");
	} else if (strcmp(key, "metrics_interval") == 0) {
		char why[PARSE_WHY];
		int64_t ms;

		if (parse_duration_ms(value, &ms, why) == -1) {
			config_bad(st, "steward", key, value, why);
			return;
		}
		if (ms < 1000 || ms > 3600 * 1000) {
			config_bad(st, "steward", key, value,
				   "expected a duration from 1s to 1h");
			return;
		}
		c->metrics_interval_ms = ms;
	} else {
		char **words;
		size_t n;
		char why[PARSE_WHY];

		if (st->file != 0) {
			config_bad(
			    st, "steward", key, value,
			    "an included file cannot include more; put every "
			    "include in the main file");
			return;
		}
		if (parse_split(value, &words, &n, why) == -1) {
			config_bad(st, "steward", key, value, why);
			return;
		}
		parse_split_free(words);
		if (st->include != NULL) {
			/* [include] files= came first: read both. */
			char *both = xasprintf("%s %s", st->include, value);

			free(st->include);
			st->include = both;
		} else {
			st->include = xstrdup(value);
		}
		st->include_line = st->lineno;
	}
}

/* A key of a [group:NAME] section; see config-internal.h. */
void
config_group_key(struct config_state *st, const char *key, const char *value)
{
	struct config_group *g = &st->groups[st->cur_group];
	char section[80], why[PARSE_WHY];

	snprintf(section, sizeof(section), "group:%.64s", g->spec.name);
	if (st->raw_continuation && strcmp(key, "wards") != 0 &&
	    strcmp(key, "programs") != 0) {
		config_problem(st, CONFIG_ERROR, st->lineno,
			       "[%s] %s does not continue on another line; put "
			       "its value on one line",
			       section, key);
		return;
	}
	if (strcmp(key, "wards") == 0 || strcmp(key, "programs") == 0) {
		if (st->raw_continuation) {
			/* A continuation line adds to the members. */
			if (config_names(value, &g->spec.members,
					 &g->spec.nmembers, why) == -1)
				config_bad(st, section, key, value, why);
			return;
		}
		if (g->line_members != 0) {
			/* As supervisord: the later list replaces. */
			config_problem(
			    st, CONFIG_WARNING, st->lineno,
			    "[%s] members are already given at line %d; this "
			    "later list replaces them, as supervisord does",
			    section, g->line_members);
			parse_split_free(g->spec.members);
			g->spec.members = NULL;
			g->spec.nmembers = 0;
		}
		g->line_members = st->lineno;
		if (config_names(value, &g->spec.members, &g->spec.nmembers,
				 why) == -1)
			config_bad(st, section, key, value, why);
	} else if (strcmp(key, "strategy") == 0) {
		g->line_strategy = st->lineno;
		if (strcmp(value, "one_for_one") == 0)
			g->spec.strategy = GROUP_ONE_FOR_ONE;
		else if (strcmp(value, "one_for_all") == 0)
			g->spec.strategy = GROUP_ONE_FOR_ALL;
		else if (strcmp(value, "rest_for_one") == 0)
			g->spec.strategy = GROUP_REST_FOR_ONE;
		else
			config_bad(st, section, key, value,
				   "expected one_for_one, one_for_all or "
				   "rest_for_one");
	} else if (strcmp(key, "restart_limit") == 0) {
		g->line_limit = st->lineno;
		if (parse_rate(value, &g->spec.limit, why) == -1)
			config_bad(st, section, key, value, why);
		else
			g->spec.has_limit = true;
	} else if (strcmp(key, "essential") == 0) {
		g->line_essential = st->lineno;
		if (parse_bool(value, &g->spec.essential, why) == -1)
			config_bad(st, section, key, value, why);
	} else if (strcmp(key, "priority") == 0) {
		/* supervisord's: the members' start and stop order. */
		g->line_priority = st->lineno;
		if (parse_long(value, -1000000, 1000000, &g->priority, why) ==
		    -1)
			config_bad(st, section, key, value, why);
	} else {
		static const char *const known[] = {
		    "wards",         "programs",  "strategy",
		    "restart_limit", "essential", "priority"};

		config_unknown_key(st, section, key, known, 6);
	}
}
