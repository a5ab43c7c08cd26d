/*
 * Reading steward.ini (see config.h for the contract).
 *
 * How lines reach inih.  Debian builds inih with a fixed 200-byte line
 * buffer on the stack and no line numbers in the handler.  Left alone it
 * would split a long line in two (the tail read as a new line), join
 * indented lines into the previous value, and say only "line N" for the
 * first syntax error.  So config_load() reads the file itself and feeds
 * inih through config_reader(), one line per call, after checking it:
 *
 *   - blank and comment lines pass as blank lines;
 *   - an indented line, a line without "=" or ":", a bad [section]
 *     header and a NUL byte are reported here with their line, and inih
 *     gets a blank line (after a bad header, a sentinel section, so the
 *     keys below it are not taken for the previous section's);
 *   - a line too long for inih's buffer is handed over as "key=\x01"
 *     and config_handler() takes the value from the original line, with
 *     the same trimming and inline-comment rule inih applies.
 *
 * inih calls the handler for a line before it reads the next one, so the
 * reader's line number is the handler's.  No byte of input is cut,
 * joined or dropped without a problem being reported.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <grp.h>
#include <ini.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "config/config-internal.h"
#include "base/err.h"
#include "base/escape.h"
#include "base/safepath.h"

/* The default socket's directory; meson passes -Drunstatedir=. */
#ifndef STEWARD_RUNSTATEDIR
#define STEWARD_RUNSTATEDIR "/run"
#endif

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

/*
 * Where inih splits KEY = VALUE: the first "=" or ":" before any inline
 * comment (a ";" after a blank).  -1 when the line has none.
 */
static ssize_t
config_separator(const char *line, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (line[i] == '=' || line[i] == ':')
			return (ssize_t)i;
		if (line[i] == ';' && i > 0 &&
		    isspace((unsigned char)line[i - 1]))
			return -1;
	}
	return -1;
}

/*
 * The reader inih calls for each line: check the line, then hand inih
 * either the line itself, a blank line, or a stand-in (see the essay).
 */
static char *
config_reader(char *buf, int size, void *arg)
{
	struct config_state *st = arg;
	const char *line, *nl, *p, *end;
	size_t len;

	if (st->pos >= st->len)
		return NULL;
	line = st->text + st->pos;
	nl = memchr(line, '\n', st->len - st->pos);
	len = nl != NULL ? (size_t)(nl - line) : st->len - st->pos;
	st->pos += len + (nl != NULL);
	st->lineno++;
	if (st->lineno == 1 && len >= 3 &&
	    memcmp(line, "\xEF\xBB\xBF", 3) == 0) {
		line += 3; /* a UTF-8 byte order mark */
		len -= 3;
	}
	if (len > 0 && line[len - 1] == '\r')
		len--;
	st->raw = line;
	st->rawlen = len;
	st->raw_long = false;
	strcpy(buf, "\n");

	if (memchr(line, '\0', len) != NULL) {
		config_problem(st, CONFIG_ERROR, st->lineno,
			       "a NUL byte in the line; the file must be text");
		return buf;
	}
	p = line;
	end = line + len;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p == end || *p == ';' || *p == '#')
		return buf;
	st->raw_continuation = false;
	if (p != line &&
	    (st->sec == SEC_PROGRAM || st->sec == SEC_SV_MAIN ||
	     st->sec == SEC_SV_INCLUDE || st->sec == SEC_SV_OTHER ||
	     st->sec == SEC_GROUP) &&
	    st->last_key_line == st->lineno - 1 && len + 3 <= (size_t)size) {
		/* supervisord's continuation line: inih hands it to the
		 * handler under the previous key, which joins it. */
		st->raw_continuation = true;
		st->last_key_line = st->lineno;
		memcpy(buf, line, len);
		memcpy(buf + len, "\n", 2);
		return buf;
	}
	if (p != line) {
		config_problem(
		    st, CONFIG_ERROR, st->lineno,
		    "an indented line; steward does not join continuation "
		    "lines: put the whole value on one line and start keys "
		    "and sections at the first column");
		return buf;
	}
	if (*p == '[') {
		const char *close = memchr(p, ']', (size_t)(end - p));
		const char *q = close != NULL ? close + 1 : NULL;

		while (q != NULL && q < end && (*q == ' ' || *q == '\t'))
			q++;
		if (close == NULL || (q < end && *q != ';' && *q != '#') ||
		    (size_t)(close - p) + 3 > (size_t)size) {
			config_problem(
			    st, CONFIG_ERROR, st->lineno,
			    "a malformed section header \"%.*s\"; expected "
			    "[steward] or [ward:NAME]",
			    (int)len, line);
			snprintf(buf, (size_t)size, "[%s]\n",
				 CONFIG_BAD_SECTION);
			return buf;
		}
		snprintf(buf, (size_t)size, "%.*s\n", (int)(close - p + 1), p);
		return buf;
	}
	if (config_separator(line, len) < 0) {
		config_problem(
		    st, CONFIG_ERROR, st->lineno,
		    "\"%.*s\" is not a setting; expected KEY = VALUE", (int)len,
		    line);
		return buf;
	}
	st->last_key_line = st->lineno;
	if (len + 3 <= (size_t)size) {
		memcpy(buf, line, len);
		memcpy(buf + len, "\n", 2);
		return buf;
	}
	/* Too long for inih: pass the key, keep the value by reference. */
	size_t klen = (size_t)config_separator(line, len);
	if (klen + 3 + strlen(CONFIG_LONG_MARK) > (size_t)size) {
		config_problem(st, CONFIG_ERROR, st->lineno,
			       "a key of %zu bytes; no key is that long", klen);
		return buf;
	}
	st->raw_long = true;
	snprintf(buf, (size_t)size, "%.*s=%s\n", (int)klen, line,
		 CONFIG_LONG_MARK);
	return buf;
}

/*
 * The value of a line inih could not hold, trimmed as inih trims: blanks
 * around it, and an inline comment (";" after a blank) cut off.
 */
static char *
config_long_value(const struct config_state *st)
{
	const char *p = st->raw + config_separator(st->raw, st->rawlen) + 1;
	const char *end = st->raw + st->rawlen;
	const char *q;

	/* The comment rule looks at the value before blanks are trimmed. */
	for (q = p; q < end; q++) {
		if (*q == ';' && q > p && isspace((unsigned char)q[-1]))
			break;
	}
	while (p < q && isspace((unsigned char)*p))
		p++;
	while (q > p && isspace((unsigned char)q[-1]))
		q--;
	return xasprintf("%.*s", (int)(q - p), p);
}

static const char *const config_key_names[K_NKEYS] = {
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
};

static const char *const config_steward_keys[CONFIG_NSTEWARD_KEYS] = {
    "socket",       "event_log",        "include", "group",
    "metrics_file", "metrics_interval", "cgroups"};

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
static void
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
static int
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
config_key_fits(struct config_state *st, struct config_ward *cw,
		const char *section, const char *key, enum config_key k)
{
	bool job_only =
	    k == K_TIMEOUT || k == K_OUTPUT_LIMIT || k == K_MAX_CONCURRENT;
	bool ward_only = k == K_RESTART || k == K_BACKOFF ||
			 k == K_RESTART_LIMIT || k == K_AUTOSTART ||
			 k == K_STDOUT || k == K_REQUIRES || k == K_AFTER ||
			 k == K_ESSENTIAL || k == K_PRIORITY;

	if (cw->spec.is_job && ward_only) {
		config_problem(
		    st, CONFIG_ERROR, st->lineno,
		    "[%s] %s is not a key of a job: a job runs once per "
		    "request%s",
		    section, key,
		    k == K_STDOUT ? " and its stdout is the answer" : "");
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
		config_unknown_key(st, section, key, config_key_names, K_NKEYS);
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
static void
config_steward_key(struct config_state *st, const char *key, const char *value)
{
	struct config *c = st->cfg;
	size_t i;

	for (i = 0; i < CONFIG_NSTEWARD_KEYS; i++) {
		if (strcmp(key, config_steward_keys[i]) == 0)
			break;
	}
	if (i == CONFIG_NSTEWARD_KEYS) {
		config_unknown_key(st, "steward", key, config_steward_keys,
				   CONFIG_NSTEWARD_KEYS);
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

/*
 * The handler inih calls for every KEY = VALUE it reads.  The section is
 * the reader's (st->sec, st->cur), not inih's, whose buffer would cut a
 * long ward name.
 */
static int
config_handler(void *arg, const char *section, const char *key,
	       const char *value)
{
	struct config_state *st = arg;
	char *longv = NULL;
	char name[CONFIG_NAME_MAX + 8];

	(void)section;
	if (st->sec == SEC_BAD)
		return 1; /* the header was reported */
	if (st->raw_long && strcmp(value, CONFIG_LONG_MARK) == 0)
		value = longv = config_long_value(st);
	if (key[0] == '\0') {
		config_problem(st, CONFIG_ERROR, st->lineno,
			       "a setting without a key; expected KEY = VALUE");
	} else if (st->sec == SEC_NONE) {
		config_problem(
		    st, CONFIG_ERROR, st->lineno,
		    "%s = \"%s\" is outside any section; put it under "
		    "[steward] or [ward:NAME]",
		    key, value);
	} else if (st->sec == SEC_STEWARD) {
		config_steward_key(st, key, value);
	} else if (st->sec == SEC_GROUP) {
		config_group_key(st, key, value);
	} else if (st->sec != SEC_WARD && st->sec != SEC_JOB) {
		bool cont = st->raw_continuation;

		config_sv_key(st, key, value, cont);
	} else if (st->cur != NULL) {
		snprintf(name, sizeof(name), "%s:%s", st->cur->spec.kind,
			 st->cur->spec.name);
		config_ward_key(st, name, key, value);
	}
	free(longv);
	return 1;
}

/* A section header: check it and make it the current section. */
static void
config_section(struct config_state *st, const char *name)
{
	st->cur = NULL;
	st->sec = SEC_BAD;
	if (strcmp(name, "steward") == 0 && st->file != 0) {
		config_problem(
		    st, CONFIG_ERROR, st->lineno,
		    "[steward] belongs in the main file %s, not in an "
		    "included one",
		    st->cfg->path);
	} else if (strcmp(name, "steward") == 0) {
		if (st->steward_line != 0)
			config_problem(
			    st, CONFIG_ERROR, st->lineno,
			    "[steward] is already defined at line %d; "
			    "define it once",
			    st->steward_line);
		else
			st->steward_line = st->lineno;
		st->sec = SEC_STEWARD;
	} else if (strncmp(name, "ward:", 5) == 0) {
		if (!config_name_ok(name + 5)) {
			config_problem(
			    st, CONFIG_ERROR, st->lineno,
			    "[%s]: a ward name is 1 to %d letters, digits, "
			    "'_', '-' or '.'",
			    name, CONFIG_NAME_MAX);
			return;
		}
		st->cur = config_ward_begin(st, name + 5);
		if (st->cur != NULL)
			st->sec = SEC_WARD;
	} else if (strncmp(name, "group:", 6) == 0) {
		struct config_group *g;

		if (!config_name_ok(name + 6)) {
			config_problem(
			    st, CONFIG_ERROR, st->lineno,
			    "[%s]: a group name is 1 to %d letters, digits, "
			    "'_', '-' or '.'",
			    name, CONFIG_NAME_MAX);
			return;
		}
		ssize_t i = nametab_get(&st->group_names, name + 6);

		if (i >= 0) {
			/* configparser merges a section given twice. */
			config_problem(
			    st, CONFIG_WARNING, st->lineno,
			    "[%s] is already defined at %s:%d; its keys are "
			    "merged into that section, a value given again "
			    "replacing the first, as supervisord does",
			    name, st->groups[i].spec.file,
			    st->groups[i].spec.line);
			st->cur_group = (size_t)i;
			st->sec = SEC_GROUP;
			return;
		}
		if ((st->ngroups & (st->ngroups - 1)) == 0)
			st->groups = xrealloc(
			    st->groups, (st->ngroups ? st->ngroups * 2 : 1) *
					    sizeof(*st->groups));
		config_name_reserved(st, name + 6);
		g = &st->groups[st->ngroups++];
		memset(g, 0, sizeof(*g));
		g->spec.name = xstrdup(name + 6);
		(void)nametab_put(&st->group_names, g->spec.name,
				  st->ngroups - 1);
		g->spec.file = xstrdup(st->path);
		g->spec.line = st->lineno;
		st->cur_group = st->ngroups - 1;
		st->sec = SEC_GROUP;
	} else if (config_sv_section(st, name)) {
		return; /* a section of a supervisord.conf */
	} else if (strncmp(name, "job:", 4) == 0) {
		if (!config_name_ok(name + 4)) {
			config_problem(
			    st, CONFIG_ERROR, st->lineno,
			    "[%s]: a job name is 1 to %d letters, digits, "
			    "'_', '-' or '.'",
			    name, CONFIG_NAME_MAX);
			return;
		}
		st->cur = config_ward_begin(st, name + 4);
		if (st->cur != NULL) {
			struct ward_spec *w = &st->cur->spec;

			w->is_job = true;
			w->kind = "job";
			w->pol.restart = WARD_RESTART_NEVER;
			w->timeout_ms = 60000;
			w->output_limit = 1024 * 1024;
			w->max_concurrent = 8;
			st->sec = SEC_JOB;
		}
	} else {
		config_problem(
		    st, CONFIG_ERROR, st->lineno,
		    "unknown section [%s]; expected [steward], [ward:NAME], "
		    "[job:NAME], [group:NAME] or [program:NAME]",
		    name);
	}
}

/*
 * The reader inih sees: config_reader, plus the sections, which are
 * tracked here and handed to inih as a short stand-in.
 */
static char *
config_reader_sections(char *buf, int size, void *arg)
{
	struct config_state *st = arg;
	char *r = config_reader(buf, size, arg);

	if (r == NULL || buf[0] != '[')
		return r;
	if (strncmp(buf + 1, CONFIG_BAD_SECTION, strlen(CONFIG_BAD_SECTION)) ==
	    0) {
		st->cur = NULL;
		st->sec = SEC_BAD;
	} else {
		char *close = strchr(buf, ']');
		char name[256];

		snprintf(name, sizeof(name), "%.*s", (int)(close - buf - 1),
			 buf + 1);
		config_section(st, name);
	}
	snprintf(buf, (size_t)size, "[s]\n");
	return r;
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
static void
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
static void
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

/* Resolve user= and group= to ids and the supplementary groups. */
static void
config_ward_identity(struct config_state *st, struct ward_spec *w,
		     const int *key_line)
{
	char *end;

	if (w->user != NULL) {
		struct passwd *pw;

		errno = 0;
		pw = getpwnam(w->user);
		if (pw == NULL) {
			unsigned long id = strtoul(w->user, &end, 10);

			if (*end == '\0' && end != w->user && id < UINT_MAX)
				pw = getpwuid((uid_t)id);
		}
		if (pw == NULL) {
			config_problem(
			    st, CONFIG_ERROR, key_line[K_USER],
			    "[%s:%s] user = \"%s\": no such user on this "
			    "system; expected a name or uid from the passwd "
			    "database",
			    w->kind, w->name, w->user);
		} else {
			w->has_user = true;
			w->uid = pw->pw_uid;
			w->gid = pw->pw_gid;
			w->home = xstrdup(pw->pw_dir);
			free(w->user);
			w->user = xstrdup(pw->pw_name);
		}
	}
	if (w->group != NULL) {
		struct group *gr = getgrnam(w->group);

		if (gr == NULL) {
			unsigned long id = strtoul(w->group, &end, 10);

			if (*end == '\0' && end != w->group && id < UINT_MAX)
				gr = getgrgid((gid_t)id);
		}
		if (gr == NULL) {
			config_problem(
			    st, CONFIG_ERROR, key_line[K_GROUP],
			    "[%s:%s] group = \"%s\": no such group on this "
			    "system; expected a name or gid from the group "
			    "database",
			    w->kind, w->name, w->group);
		} else {
			w->has_group = true;
			w->gid = gr->gr_gid;
		}
	}
	if (w->user != NULL && !w->has_user)
		return;
	if (w->group != NULL && !w->has_group)
		return;
	if (w->has_user) {
		int n = 64;

		/* The user's supplementary groups, plus the chosen gid. */
		for (;;) {
			w->groups = xrealloc(w->groups,
					     (size_t)(n + 1) * sizeof(gid_t));
			int got = n;
			if (getgrouplist(w->user, w->gid, w->groups, &got) !=
			    -1) {
				w->ngroups = got;
				break;
			}
			if (got <= n)
				got = n * 2;
			n = got;
		}
	} else if (w->has_group) {
		w->groups = xmalloc(sizeof(gid_t));
		w->groups[0] = w->gid;
		w->ngroups = 1;
	}
}

/* Check a ward as a whole, once all its keys are read. */
static void
config_ward_finish(struct config_state *st, struct config_ward *cw)
{
	struct ward_spec *w = &cw->spec;
	const int *kl = cw->key_line;

	if (cw->prog != NULL)
		config_sv_finish(st, cw);
	else if (w->argv == NULL && kl[K_COMMAND] == 0)
		config_problem(
		    st, CONFIG_ERROR, w->line,
		    "[%s:%s] has no command; add command = /path/to/program "
		    "[ARGS...]",
		    w->kind, w->name);
	if (w->pol.heartbeat == WARD_HB_NONE && kl[K_HEARTBEAT_TIMEOUT] != 0 &&
	    !cw->bad[K_HEARTBEAT] && !cw->bad[K_HEARTBEAT_TIMEOUT])
		config_problem(
		    st, CONFIG_ERROR, kl[K_HEARTBEAT_TIMEOUT],
		    "[%s:%s] heartbeat_timeout is set but heartbeat = none%s "
		    "hears no beats; add heartbeat = pipe or notify",
		    w->kind, w->name, kl[K_HEARTBEAT] ? "" : " (the default)");
	if (w->start_timeout_ms < 0)
		w->start_timeout_ms =
		    w->pol.heartbeat == WARD_HB_NONE ? 1000 : 10000;
	if (w->start_timeout_ms == 0 && w->pol.heartbeat != WARD_HB_NONE)
		config_problem(
		    st, CONFIG_ERROR, kl[K_START_TIMEOUT],
		    "[%s:%s] start_timeout = 0 leaves no time for a first "
		    "beat; expected a duration above 0",
		    w->kind, w->name);
	config_ward_identity(st, w, kl);
	if (st->cfg->cgroups == CONFIG_CGROUPS_OFF) {
		/* A limit that cannot be honoured is an error, never dropped.
		 */
		for (int k = K_MEMORY_MAX; k <= K_CGROUP_CONTROLLERS; k++) {
			if (kl[k] == 0 || cw->bad[k])
				continue;
			config_problem(
			    st, CONFIG_ERROR, kl[k],
			    "[%s:%s] %s needs a cgroup of its own, but "
			    "[steward] cgroups = off; remove the key or set "
			    "cgroups = auto",
			    w->kind, w->name, config_key_names[k]);
			break;
		}
	}
	if (w->directory != NULL) {
		struct stat sb;

		if (stat(w->directory, &sb) == -1 || !S_ISDIR(sb.st_mode))
			config_problem(
			    st, CONFIG_WARNING, kl[K_DIRECTORY],
			    "[%s:%s] directory = \"%s\" is not a directory "
			    "now; starting the %s will fail until it is",
			    w->kind, w->name, w->directory, w->kind);
	}

	w->pol.heartbeat_timeout = (double)w->heartbeat_timeout_ms / 1000.0;
	/* notify: readiness only unless heartbeat_timeout asks for a
	 * watchdog, as Type=notify without WatchdogSec=; pipe: always. */
	w->pol.watchdog = w->pol.heartbeat == WARD_HB_PIPE ||
			  (w->pol.heartbeat == WARD_HB_NOTIFY &&
			   kl[K_HEARTBEAT_TIMEOUT] != 0);
	w->pol.start_timeout = (double)w->start_timeout_ms / 1000.0;
	w->pol.stop_timeout = (double)w->stop_timeout_ms / 1000.0;
	w->pol.backoff_min = (double)w->backoff_min_ms / 1000.0;
	w->pol.backoff_max = (double)w->backoff_max_ms / 1000.0;
	w->pol.limit_burst = w->limit.burst;
	w->pol.limit_period = (double)w->limit.period_ms / 1000.0;
}

/*
 * As root, read only files that only root can change (like sshd's
 * StrictModes): owned by root, not writable by others, nor by a group
 * other than root.  Returns -1 with why set.
 */
int
config_strict(int fd, char *why, size_t len)
{
	struct stat sb;

	if (geteuid() != 0)
		return 0;
	if (fstat(fd, &sb) == -1) {
		snprintf(why, len, "cannot check its owner: %s",
			 strerror(errno));
		return -1;
	}
	if (sb.st_uid != 0 || (sb.st_mode & S_IWOTH) ||
	    ((sb.st_mode & S_IWGRP) && sb.st_gid != 0)) {
		snprintf(
		    why, len,
		    "refused: other users can change it (owner uid %u, group "
		    "gid %u, mode %04o), and stewardd runs as root; make it "
		    "root's and not writable by others: chown root:root, "
		    "chmod go-w",
		    (unsigned)sb.st_uid, (unsigned)sb.st_gid,
		    (unsigned)(sb.st_mode & 07777));
		return -1;
	}
	return 0;
}

/* What a file is, for "is a FIFO, not a regular file". */
static const char *
config_file_kind(mode_t mode)
{
	return S_ISDIR(mode)    ? "a directory"
	       : S_ISFIFO(mode) ? "a FIFO"
	       : S_ISCHR(mode)  ? "a character device"
	       : S_ISBLK(mode)  ? "a block device"
	       : S_ISSOCK(mode) ? "a socket"
				: "not a file";
}

/* Is it /dev/null (the device, by any name)? */
static bool
config_file_null(const struct stat *sb)
{
	return S_ISCHR(sb->st_mode) && sb->st_rdev == makedev(1, 3);
}

/* A regular file, or /dev/null (read as empty): what stewardd reads. */
static bool
config_file_readable(const struct stat *sb)
{
	return S_ISREG(sb->st_mode) || config_file_null(sb);
}

/*
 * Open path for reading.  As root, by the path rule (safepath.h): a
 * symbolic link that another user could have planted (in or below a
 * directory they can change) is refused, so that no user can point an
 * include or an environment_file at a file of root's, whose content
 * config_strict would accept and whose variables a ward would be given.
 * Returns the fd, or -1 with why and errno (0 when refused).
 */
static int
config_open_rule(const char *path, char *why, size_t len)
{
	struct safepath_why spw;
	char abs[4096], msg[512];
	int fd, e;

	if (geteuid() != 0) {
		fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	} else {
		if (path[0] != '/') {
			if (getcwd(abs, sizeof(abs)) == NULL ||
			    strlen(abs) + strlen(path) + 2 > sizeof(abs)) {
				e = errno ? errno : ENAMETOOLONG;
				snprintf(why, len, "cannot open: %s",
					 strerror(e));
				errno = e;
				return -1;
			}
			strcat(abs, "/");
			strcat(abs, path);
			path = abs;
		}
		fd = safepath_open(path, O_RDONLY | O_NONBLOCK, 0, &spw);
		if (fd == -1 && errno == EPERM && spw.refusal != SAFEPATH_OK) {
			snprintf(
			    why, len, "%s",
			    safepath_describe(&spw, EPERM, msg, sizeof(msg)));
			errno = 0;
			return -1;
		}
	}
	if (fd == -1) {
		e = errno;
		snprintf(why, len, "cannot open: %s", strerror(e));
		errno = e;
	}
	return fd;
}

/*
 * Open a file stewardd reads at start or on reload (the config, an
 * included file, an environment file).  Nothing here may block (a FIFO
 * would hold --check forever, and the reload thread with every reload
 * after it): the file is looked at before it is opened (opening a FIFO
 * or a device can wait, or do something), opened non-blocking in case
 * it was swapped meanwhile, and looked at again.
 * Only a regular file, or /dev/null, is read; as root, only a file
 * that only root can change (config_strict; /dev/null reads as nothing,
 * whoever writes to it).  Every file the config reader reads is opened
 * here and only here.  Returns the fd, or -1 with why set ("is a FIFO,
 * not a regular file", "cannot open: ...") and errno set to the open's
 * error, or to 0 when the file is of the wrong kind or refused.
 */
int
config_open(const char *path, bool *wrong_kind, char *why, size_t len)
{
	struct stat sb;
	int fd, e;

	*wrong_kind = false;
	if (stat(path, &sb) == -1) {
		e = errno;
		snprintf(why, len, "cannot open: %s", strerror(e));
		errno = e;
		return -1;
	}
	if (!config_file_readable(&sb))
		goto kind;
	fd = config_open_rule(path, why, len);
	if (fd == -1)
		return -1;
	if (fstat(fd, &sb) == -1) {
		e = errno;
		snprintf(why, len, "cannot check what it is: %s", strerror(e));
		close(fd);
		errno = e;
		return -1;
	}
	if (!config_file_readable(&sb)) {
		close(fd);
		goto kind;
	}
	/* What anyone writes to /dev/null, it reads as nothing. */
	if (!config_file_null(&sb) && config_strict(fd, why, len) == -1) {
		close(fd);
		errno = 0;
		return -1;
	}
	return fd;
kind:
	*wrong_kind = true;
	snprintf(why, len, "is %s, not a regular file",
		 config_file_kind(sb.st_mode));
	errno = 0;
	return -1;
}

/* Read the whole file into memory, refusing what is not a config. */
static int
config_read_file(struct config_state *st)
{
	size_t cap = 65536;
	char why[PARSE_WHY];
	bool wrong_kind;
	int fd = config_open(st->path, &wrong_kind, why, sizeof(why));

	if (fd == -1 && wrong_kind && st->file != 0) {
		/* An include pattern matched it: say where that is. */
		const char *inc = st->path;

		st->path = st->cfg->files[0];
		st->file = 0;
		config_problem(st, CONFIG_ERROR, st->include_line,
			       "[steward] include = \"%s\": %s %s; an "
			       "included file must be a regular file",
			       st->include, inc, why);
		return -1;
	}
	if (fd == -1) {
		config_problem(st, CONFIG_ERROR, 0, "%s%s", why,
			       wrong_kind ? "; stewardd reads its config "
					    "only from a regular file"
					  : "");
		return -1;
	}
	st->text = xmalloc(cap);
	for (;;) {
		ssize_t n = read(fd, st->text + st->len, cap - st->len);

		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			config_problem(st, CONFIG_ERROR, 0, "cannot read: %s",
				       strerror(errno));
			close(fd);
			return -1;
		}
		st->len += (size_t)n;
		if (n == 0)
			break;
		if (st->len > CONFIG_MAX_BYTES) {
			config_problem(
			    st, CONFIG_ERROR, 0,
			    "larger than %d MiB; a config file is not that "
			    "large",
			    CONFIG_MAX_BYTES >> 20);
			close(fd);
			return -1;
		}
		if (st->len == cap) {
			cap *= 2;
			st->text = xrealloc(st->text, cap);
		}
	}
	close(fd);
	return 0;
}

/*
 * Every instance with a heartbeat pipe or notify socket holds one fd for
 * its whole life, an [eventlistener:] two more (its stdin and stdout) (the
 * spawn's report pipe is closed once exec succeeds); stewardd itself needs
 * about CONFIG_FD_RESERVE more (its own fds, its spare, one spawn's, and room
 * for a few control connections: the running daemon's exact budget is in
 * fdbudget.c).  stewardd raises its soft RLIMIT_NOFILE to the hard limit at
 * start, so the hard limit is the budget.
 */
#define CONFIG_FD_RESERVE 32
/* Processes other than the wards: stewardd, its guard, the system. */
#define CONFIG_PID_RESERVE 64

/*
 * Every instance is at least one process.  The kernel's pid_max bounds
 * the whole machine: a config with more instances than that can never
 * run, and is refused.  RLIMIT_NPROC bounds the processes of one user
 * (root is exempt): more instances than it allows is only a warning,
 * since wards may run as other users and the count is the user's, not
 * stewardd's.
 */
static void
config_check_pids(struct config_state *st, unsigned long long instances)
{
	unsigned long long pid_max = 0;
	struct rlimit rl;
	FILE *f;

	f = fopen("/proc/sys/kernel/pid_max", "re");
	if (f != NULL) {
		if (fscanf(f, "%llu", &pid_max) != 1)
			pid_max = 0;
		fclose(f);
	}
	if (pid_max > 0 && instances + CONFIG_PID_RESERVE > pid_max)
		config_problem(st, CONFIG_ERROR, 0,
			       "%llu ward instances need as many processes, "
			       "but this machine's pid_max is %llu, shared "
			       "by every process; raise kernel.pid_max "
			       "(sysctl) or run fewer replicas",
			       instances, pid_max);
	if (geteuid() != 0 && getrlimit(RLIMIT_NPROC, &rl) == 0 &&
	    rl.rlim_cur != RLIM_INFINITY && instances > rl.rlim_cur)
		config_problem(st, CONFIG_WARNING, 0,
			       "%llu ward instances, but RLIMIT_NPROC allows "
			       "%llu processes to this user; those running "
			       "as this user will fail to start past it "
			       "(ulimit -u, LimitNPROC=)",
			       instances, (unsigned long long)rl.rlim_cur);
}

/* Refuse a config whose wards cannot all get their fds on this machine. */
static void
config_check_budget(struct config_state *st)
{
	struct rlimit rl;
	unsigned long long need = CONFIG_FD_RESERVE, instances = 0;

	for (size_t i = 0; i < st->nwards; i++) {
		const struct ward_spec *w = &st->wards[i].spec;

		instances += w->replicas;
		if (w->pol.heartbeat != WARD_HB_NONE)
			need += w->replicas;
		if (w->listen_events != 0)
			need += 2 * (unsigned long long)w->replicas;
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 &&
	    rl.rlim_max != RLIM_INFINITY && need > rl.rlim_max)
		config_problem(
		    st, CONFIG_ERROR, 0,
		    "%llu ward instances need about %llu file descriptors, "
		    "but RLIMIT_NOFILE allows at most %llu here; raise the "
		    "hard limit (ulimit -Hn, LimitNOFILE=) or run fewer "
		    "replicas",
		    instances, need, (unsigned long long)rl.rlim_max);
	config_check_pids(st, instances);
}

/* Put the problems in file order (stable: same line keeps its order). */
static void
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

/* Free what one ward spec owns. */
static void
config_ward_free(struct ward_spec *w)
{
	free(w->name);
	free(w->file);
	free(w->command);
	parse_split_free(w->argv);
	free(w->user);
	free(w->group);
	free(w->groups);
	free(w->home);
	free(w->directory);
	for (size_t i = 0; i < w->nenv; i++)
		free(w->env[i]);
	free(w->env);
	free(w->out.path);
	free(w->err.path);
	free(w->env_files);
	parse_split_free(w->requires);
	parse_split_free(w->after);
	for (unsigned r = 0; w->procs != NULL && r < w->replicas; r++) {
		struct ward_proc *pr = &w->procs[r];

		free(pr->name);
		parse_split_free(pr->argv);
		free(pr->directory);
		free(pr->out.path);
		free(pr->err.path);
		for (size_t i = 0; i < pr->nenv; i++)
			free(pr->env[i]);
		free(pr->env);
	}
	free(w->procs);
}

/* Read and parse one file into the state (the main one or an include). */
static void
config_parse_file(struct config_state *st, const char *path)
{
	struct config *c = st->cfg;
	int rc;

	st->file = (int)c->nfiles;
	c->files = xrealloc(c->files, (c->nfiles + 1) * sizeof(char *));
	c->files[c->nfiles++] = xstrdup(path);
	st->path = c->files[st->file]; /* lives as long as the config */
	st->text = NULL;
	st->len = st->pos = 0;
	st->lineno = 0;
	st->cur = NULL;
	st->sec = SEC_NONE;
	if (config_read_file(st) == 0) {
		size_t before = st->rep->errors;

		rc = ini_parse_stream(config_reader_sections, st,
				      config_handler, st);
		if (rc > 0 && st->rep->errors == before)
			config_problem(st, CONFIG_ERROR, rc,
				       "cannot read this line as INI");
		else if (rc < 0 && st->rep->errors == before)
			config_problem(st, CONFIG_ERROR, 0,
				       "cannot parse (inih error %d)", rc);
	}
	free(st->text);
	st->text = NULL;
}

/* A path as written in the config: relative ones from its directory. */
char *
config_path_from(const struct config_state *st, const char *p)
{
	return p[0] == '/' ? xstrdup(p) : xasprintf("%s/%s", st->dir, p);
}

/* glob(3) cannot say which directory failed; remember the error. */
static int config_glob_errno;

/* glob's error hook: a missing directory only means no match. */
static int
config_glob_error(const char *path, int errnum)
{
	(void)path;
	if (errnum != ENOENT && errnum != ENOTDIR)
		config_glob_errno = errnum;
	return 0;
}

/* Read every file [steward] include names, in sorted order. */
static void
config_includes(struct config_state *st, const char *main_path)
{
	char **pats;
	size_t npats;
	char why[PARSE_WHY];
	const char *what =
	    st->include_sv ? "[include] files" : "[steward] include";

	if (st->include == NULL ||
	    parse_split(st->include, &pats, &npats, why) == -1)
		return;
	for (size_t i = 0; i < npats; i++) {
		char *pat = config_path_from(st, pats[i]);
		glob_t g;
		int rc;

		config_glob_errno = 0;
		rc = glob(pat, 0, config_glob_error, &g);
		if (rc == 0 || rc == GLOB_NOMATCH) {
			if (config_glob_errno != 0)
				config_problem(st, CONFIG_WARNING,
					       st->include_line,
					       "%s = \"%s\": part of %s "
					       "could not be read: %s",
					       what, st->include, pat,
					       strerror(config_glob_errno));
		}

		st->path = main_path;
		st->file = 0;
		if (rc == GLOB_NOMATCH) {
			config_problem(st, CONFIG_WARNING, st->include_line,
				       "%s = \"%s\": nothing matches %s", what,
				       st->include, pat);
		} else if (rc != 0) {
			config_problem(st, CONFIG_ERROR, st->include_line,
				       "%s = \"%s\": cannot expand %s", what,
				       st->include, pat);
		} else {
			for (size_t k = 0; k < g.gl_pathc; k++) {
				char *f = xstrdup(g.gl_pathv[k]);

				config_parse_file(st, f);
				free(f);
			}
		}
		if (rc != GLOB_NOMATCH)
			globfree(&g);
		free(pat);
	}
	parse_split_free(pats);
	st->path = main_path;
	st->file = 0;
}

/* Set NAME=value in a NULL-terminated environment vector, replacing. */
void
config_env_set(char ***env, size_t *n, const char *word)
{
	size_t nl = strcspn(word, "=");

	for (size_t i = 0; i < *n; i++) {
		if (strncmp((*env)[i], word, nl + 1) == 0) {
			free((*env)[i]);
			(*env)[i] = xstrdup(word);
			return;
		}
	}
	*env = xrealloc(*env, (*n + 2) * sizeof(char *));
	(*env)[(*n)++] = xstrdup(word);
	(*env)[*n] = NULL;
}

/*
 * Read one environment file: KEY=value lines; blank lines and lines
 * starting with # or ; are comments; a value in quotes is unquoted like
 * a shell word.  Problems name the file's own line.
 */
static void
config_env_file(struct config_state *st, struct ward_spec *w, int line_at,
		const char *path, bool optional, char ***env, size_t *n)
{
	FILE *f = NULL;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int lineno = 0, fd;
	const char *saved = st->path;
	int saved_file = st->file;
	char why[PARSE_WHY];
	bool wrong_kind;

	fd = config_open(path, &wrong_kind, why, sizeof(why));
	if (fd == -1 && wrong_kind) {
		config_problem(st, CONFIG_ERROR, line_at,
			       "[%s:%s] environment_file %s %s; expected a "
			       "file of KEY=value lines (or /dev/null)",
			       w->kind, w->name, path, why);
		return;
	}
	if (fd == -1 && errno != 0) {
		if (!(optional && errno == ENOENT))
			config_problem(st, CONFIG_ERROR, line_at,
				       "[%s:%s] environment_file %s: %s%s",
				       w->kind, w->name, path, why,
				       errno == ENOENT
					   ? " (a leading - makes it optional)"
					   : "");
		return;
	}
	st->path = path;
	if (fd == -1 || (f = fdopen(fd, "r")) == NULL) {
		/* Refused (config_strict), or out of memory. */
		if (fd != -1) {
			snprintf(why, sizeof(why), "cannot read: %s",
				 strerror(errno));
			close(fd);
		}
		config_problem(st, CONFIG_ERROR, 0, "%s", why);
		st->path = saved;
		st->file = saved_file;
		return;
	}
	while ((len = getline(&line, &cap, f)) != -1) {
		char *p = line, *eq, *end = line + len;
		size_t nl;

		lineno++;
		while (end > p && (end[-1] == '\n' || end[-1] == '\r' ||
				   end[-1] == ' ' || end[-1] == '\t'))
			*--end = '\0';
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0' || *p == '#' || *p == ';')
			continue;
		if (memchr(p, '\0', (size_t)(end - p)) != NULL ||
		    (eq = strchr(p, '=')) == NULL) {
			config_problem(
			    st, CONFIG_ERROR, lineno,
			    "not a KEY=value line (in environment_file of "
			    "[%s:%s])",
			    w->kind, w->name);
			continue;
		}
		if (parse_env_assignment(p, &nl, why) == -1) {
			config_problem(st, CONFIG_ERROR, lineno,
				       "%s (in "
				       "environment_file of [%s:%s])",
				       why, w->kind, w->name);
			continue;
		}
		if (eq[1] == '"' || eq[1] == '\'') {
			char **words = NULL;
			size_t nw = 0;

			if (parse_split(eq + 1, &words, &nw, why) == -1 ||
			    nw != 1) {
				if (nw != 1 && words != NULL)
					snprintf(
					    why, PARSE_WHY,
					    "a quoted value must be one word");
				config_problem(
				    st, CONFIG_ERROR, lineno,
				    "%.*s: %s (in environment_file of "
				    "[%s:%s])",
				    (int)nl, p, why, w->kind, w->name);
				if (words != NULL)
					parse_split_free(words);
				continue;
			}
			char *word = xasprintf("%.*s=%s", (int)nl, p, words[0]);
			config_env_set(env, n, word);
			free(word);
			parse_split_free(words);
		} else {
			config_env_set(env, n, p);
		}
	}
	free(line);
	fclose(f);
	st->path = saved;
	st->file = saved_file;
}

/*
 * May the ward's user execute this file, as execve(2) will check it once
 * the child has taken the ward's identity?  Without user= or group=, the
 * kernel is asked for stewardd's own (ACLs included).
 */
static bool
config_may_exec(const struct ward_spec *w, const char *path,
		const struct stat *sb)
{
	uid_t uid = geteuid();
	bool in_group = false;

	if (!w->has_user && !w->has_group)
		return faccessat(AT_FDCWD, path, X_OK, AT_EACCESS) == 0;
	if (w->has_user)
		uid = w->uid;
	if (uid == 0)
		return (sb->st_mode & 0111) != 0;
	if (sb->st_uid == uid)
		return (sb->st_mode & S_IXUSR) != 0;
	for (int i = 0; i < w->ngroups && !in_group; i++)
		in_group = w->groups[i] == sb->st_gid;
	if (in_group || sb->st_gid == w->gid)
		return (sb->st_mode & S_IXGRP) != 0;
	return (sb->st_mode & S_IXOTH) != 0;
}

/*
 * The first directory on the way to path that the ward's user may not
 * search (execve(2) needs that of every one), or NULL; a copy.  Only
 * for a ward that changes its identity: stewardd's own is asked of the
 * kernel by config_may_exec().
 */
static char *
config_unreachable(const struct ward_spec *w, const char *path)
{
	uid_t uid = w->has_user ? w->uid : geteuid();
	struct stat sb;
	char *dir;

	if ((!w->has_user && !w->has_group) || uid == 0 || path[0] != '/')
		return NULL;
	dir = xstrdup(path);
	for (char *p = strchr(dir + 1, '/'); p != NULL; p = strchr(p, '/')) {
		*p = '\0';
		if (stat(dir, &sb) == 0 && S_ISDIR(sb.st_mode) &&
		    !config_may_exec(w, dir, &sb))
			return dir;
		*p++ = '/';
	}
	free(dir);
	return NULL;
}

/* Report a program the ward's user cannot reach; true if it did. */
static bool
config_out_of_reach(struct config_state *st, const struct ward_spec *w,
		    int line, const char *prog)
{
	char *dir = config_unreachable(w, prog);

	if (dir == NULL)
		return false;
	config_problem(st, CONFIG_ERROR, line,
		       "[%s:%s] command: %s is out of reach of %s%s: %s may "
		       "not be searched; chmod o+x it, or move the program",
		       w->kind, w->name, prog,
		       w->has_user ? "user " : "the ward's group",
		       w->has_user ? w->user : "", dir);
	free(dir);
	return true;
}

/* The PATH a ward's program is looked up on, as ward-spawn.c does. */
static const char *
config_ward_path(const struct ward_spec *w)
{
	const char *path = NULL;

	for (size_t i = 0; i < w->nenv; i++)
		if (strncmp(w->env[i], "PATH=", 5) == 0)
			path = w->env[i] + 5;
	if (path == NULL)
		path = getenv("PATH");
	if (path == NULL)
		path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:"
		       "/sbin:/bin";
	return path;
}

/*
 * The last name looked up on a PATH, and what was found: wards with the
 * same command (replicated by a generator, or many programs of one
 * binary) cost one lookup, not one per ward.
 */
struct config_lookup {
	char *name, *path;
	char *found;           /* the first executable regular file */
	char *seen;            /* else the first of that name, or NULL */
	const char *seen_kind; /* what that one is */
};

/* Free the remembered lookup. */
static void
config_lookup_free(struct config_lookup *l)
{
	if (l == NULL)
		return;
	free(l->name);
	free(l->path);
	free(l->found);
	free(l->seen);
	free(l);
}

/* Look name up on path as ward-spawn.c will; remembered for the next. */
static const struct config_lookup *
config_lookup(struct config_state *st, const char *name, const char *path)
{
	struct config_lookup *l = st->lookup;
	struct stat sb;

	if (l != NULL && strcmp(l->name, name) == 0 &&
	    strcmp(l->path, path) == 0)
		return l;
	config_lookup_free(l);
	l = st->lookup = xcalloc(1, sizeof(*l));
	l->name = xstrdup(name);
	l->path = xstrdup(path);
	for (const char *p = path;;) {
		size_t n = strcspn(p, ":");
		char *cand = xasprintf("%.*s%s%s", (int)n, n ? p : "",
				       n ? "/" : "./", name);

		if (stat(cand, &sb) == 0 && S_ISREG(sb.st_mode) &&
		    access(cand, X_OK) == 0) {
			l->found = cand;
			break;
		}
		if (l->seen == NULL && stat(cand, &sb) == 0) {
			l->seen = cand;
			l->seen_kind = S_ISREG(sb.st_mode)
					   ? "not executable"
					   : config_file_kind(sb.st_mode);
		} else {
			free(cand);
		}
		if (p[n] == '\0')
			break;
		p += n + 1;
	}
	return l;
}

/*
 * Check one output path by the path rule as a spawn will walk it: a
 * refusal (a link another user could have planted) is an error, since
 * every spawn would fail; a directory that does not exist now is a
 * warning, as for directory=.  stewardd's own stdout and stderr by name
 * are never opened.
 */
static void
config_output_check(struct config_state *st, const struct ward_spec *w,
		    int line, const char *key, const struct config_output *o)
{
	struct safepath_why why;
	const char *name;
	char msg[512];
	int dfd;

	if (o->kind != CONFIG_OUT_FILE || o->path == NULL ||
	    safepath_std_fd(o->path) > 0)
		return;
	dfd = safepath_parent(o->path, &name, &why);
	if (dfd >= 0) {
		struct stat dst, lst;

		/* The file itself a link: followed only as the rule says. */
		if (fstat(dfd, &dst) == 0 &&
		    fstatat(dfd, name, &lst, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISLNK(lst.st_mode)) {
			enum safepath_dir kind = safepath_dir_kind(
			    dst.st_uid, dst.st_gid, dst.st_mode);
			bool sticky =
			    kind == SAFEPATH_DIR_STICKY && !why.shared;
			uid_t who = sticky       ? lst.st_uid
				    : why.shared ? why.uid
						 : dst.st_uid;
			char by[48] = "";

			if (who != 0 && who != (uid_t)-1)
				snprintf(by, sizeof(by),
					 "; user %u can change it",
					 (unsigned)who);
			if (!safepath_may_follow(kind, why.shared, lst.st_uid))
				config_problem(
				    st, CONFIG_ERROR, line,
				    "[%s:%s] %s = %s: refusing it: %s%s; every "
				    "spawn would fail",
				    w->kind, w->name, key, o->path,
				    safepath_refusal_text(
					sticky ? SAFEPATH_LINK_OWNER
					       : SAFEPATH_LINK_SHARED),
				    by);
		}
		close(dfd);
		return;
	}
	if (errno == EPERM && why.refusal != SAFEPATH_OK)
		config_problem(
		    st, CONFIG_ERROR, line,
		    "[%s:%s] %s = %s: %s; every spawn would fail", w->kind,
		    w->name, key, o->path,
		    safepath_describe(&why, EPERM, msg, sizeof(msg)));
	else if (errno == ENOENT || errno == ENOTDIR)
		config_problem(st, CONFIG_WARNING, line,
			       "[%s:%s] %s = %s: its directory does not exist "
			       "now; starting the %s will fail until it does",
			       w->kind, w->name, key, o->path, w->kind);
}

/* Check where each instance's output goes; see config_output_check. */
static void
config_ward_outputs(struct config_state *st, struct config_ward *cw)
{
	const struct ward_spec *w = &cw->spec;
	int out = cw->key_line[K_STDOUT] ? cw->key_line[K_STDOUT] : w->line;
	int err = cw->key_line[K_STDERR] ? cw->key_line[K_STDERR] : w->line;
	bool sv = w->procs != NULL;

	if (!sv) {
		config_output_check(st, w, out, "stdout", &w->out);
		config_output_check(st, w, err, "stderr", &w->err);
		return;
	}
	for (unsigned r = 0; r < w->replicas; r++) {
		const struct ward_proc *pr = &w->procs[r];

		/* Numbered paths differ; the same path is said once. */
		if (r > 0 && pr->out.path != NULL &&
		    w->procs[0].out.path != NULL &&
		    strcmp(pr->out.path, w->procs[0].out.path) == 0 &&
		    (pr->err.path == NULL || w->procs[0].err.path == NULL ||
		     strcmp(pr->err.path, w->procs[0].err.path) == 0))
			continue;
		config_output_check(st, w, w->line, "stdout_logfile", &pr->out);
		config_output_check(st, w, w->line, "stderr_logfile", &pr->err);
	}
}

/*
 * Check that the ward's command names a program its user can run: a
 * directory, another kind of file or a file without execute permission
 * is an error; a program that does not exist now is only a warning (it
 * may be installed later).  A name without a slash is looked up on the
 * ward's PATH the way ward-spawn.c will (the first executable regular
 * file), once the environment files are read.
 */
static void
config_ward_command(struct config_state *st, struct config_ward *cw)
{
	struct ward_spec *w = &cw->spec;
	int line = cw->key_line[K_COMMAND] ? cw->key_line[K_COMMAND] : w->line;
	char *prog, by[96] = "";
	struct stat sb;

	if (w->argv == NULL || w->argv[0] == NULL)
		return;
	if (w->has_user)
		snprintf(by, sizeof(by), " by user %s", w->user);
	if (strchr(w->argv[0], '/') != NULL) {
		/* A relative program is run from directory=, if set. */
		prog = w->argv[0][0] != '/' && w->directory != NULL
			   ? xasprintf("%s/%s", w->directory, w->argv[0])
			   : xstrdup(w->argv[0]);
		if (stat(prog, &sb) == -1)
			config_problem(
			    st, CONFIG_WARNING, line,
			    "[%s:%s] command: %s does not exist now; "
			    "starting the %s will fail until it does",
			    w->kind, w->name, prog, w->kind);
		else if (!S_ISREG(sb.st_mode))
			config_problem(st, CONFIG_ERROR, line,
				       "[%s:%s] command: %s is %s, not a "
				       "program; expected an executable file",
				       w->kind, w->name, prog,
				       config_file_kind(sb.st_mode));
		else if (config_out_of_reach(st, w, line, prog))
			;
		else if (!config_may_exec(w, prog, &sb))
			config_problem(
			    st, CONFIG_ERROR, line,
			    "[%s:%s] command: %s is not executable%s; "
			    "chmod +x it, or name another program",
			    w->kind, w->name, prog, by);
		free(prog);
		return;
	}
	const struct config_lookup *l =
	    config_lookup(st, w->argv[0], config_ward_path(w));

	if (l->found != NULL && config_out_of_reach(st, w, line, l->found))
		return;
	if (l->found != NULL &&
	    (stat(l->found, &sb) == -1 || !config_may_exec(w, l->found, &sb)))
		config_problem(st, CONFIG_ERROR, line,
			       "[%s:%s] command: %s, found on PATH, is not "
			       "executable%s; chmod +x it, or name another "
			       "program",
			       w->kind, w->name, l->found, by);
	else if (l->found == NULL && l->seen != NULL)
		config_problem(st, CONFIG_ERROR, line,
			       "[%s:%s] command: no executable \"%s\" on PATH "
			       "(%s is %s); expected an executable file",
			       w->kind, w->name, w->argv[0], l->seen,
			       l->seen_kind);
	else if (l->found == NULL)
		config_problem(st, CONFIG_WARNING, line,
			       "[%s:%s] command: \"%s\" is not on PATH now "
			       "(%s); starting the %s will fail until it is",
			       w->kind, w->name, w->argv[0], l->path, w->kind);
}

/* environment_file= first, then environment= over it. */
static void
config_ward_env(struct config_state *st, struct config_ward *cw)
{
	struct ward_spec *w = &cw->spec;
	int line_at = cw->key_line[K_ENVIRONMENT_FILE]
			  ? cw->key_line[K_ENVIRONMENT_FILE]
			  : w->line;
	char **files, **env = NULL;
	size_t nfiles, n = 0;
	char why[PARSE_WHY];

	if (w->env_files == NULL ||
	    parse_split(w->env_files, &files, &nfiles, why) == -1)
		return;
	env = xcalloc(1, sizeof(char *));
	for (size_t i = 0; i < nfiles; i++) {
		bool optional = files[i][0] == '-';
		char *path = config_path_from(st, files[i] + optional);

		config_env_file(st, w, line_at, path, optional, &env, &n);
		free(path);
	}
	parse_split_free(files);
	for (size_t i = 0; i < w->nenv; i++) {
		config_env_set(&env, &n, w->env[i]);
		free(w->env[i]);
	}
	free(w->env);
	w->env = env;
	w->nenv = n;
}

/* Read and validate a config file and its includes; see config.h. */
struct config *
config_load(const char *path, struct config_report *rep)
{
	struct config_state st = {.rep = rep};
	struct config *c = xcalloc(1, sizeof(*c));
	char *dir = xstrdup(path);
	char *slash = strrchr(dir, '/');

	if (slash == NULL)
		snprintf(dir, strlen(dir) + 1, ".");
	else if (slash == dir)
		slash[1] = '\0';
	else
		*slash = '\0';
	{
		/* Relative paths in the file are from its directory, made
		 * absolute, as supervisord's %(here)s is. */
		char *abs = realpath(dir, NULL);

		if (abs != NULL) {
			free(dir);
			dir = abs;
		}
	}
	st.dir = dir;
	st.cfg = c;
	c->refs = 1;
	c->path = xstrdup(path);
	c->unix_http.mode = 0700;
	c->unix_http.uid = (uid_t)-1;
	c->unix_http.gid = (gid_t)-1;
	config_parse_file(&st, path);
	config_includes(&st, path);
	st.file = -1;
	for (size_t i = 0; i < st.nwards; i++) {
		/* Problems of a section belong to the file it is in (most
		 * often the previous ward's: no search then). */
		if (st.file < 0 ||
		    strcmp(c->files[st.file], st.wards[i].spec.file) != 0) {
			for (size_t f = 0; f < c->nfiles; f++) {
				if (strcmp(c->files[f],
					   st.wards[i].spec.file) == 0) {
					st.path = c->files[f];
					st.file = (int)f;
					break;
				}
			}
		}
		config_ward_finish(&st, &st.wards[i]);
		config_ward_env(&st, &st.wards[i]);
		config_ward_command(&st, &st.wards[i]);
		config_ward_outputs(&st, &st.wards[i]);
	}
	if (st.file < 0)
		st.file = 0; /* no ward: the links' problems are the file's */
	config_check_names(&st);
	config_check_links(&st);
	st.path = path;
	st.file = 0;
	config_check_budget(&st);
	config_sv_end(&st);
	if (rep->errors == 0 && st.nwards == 0)
		config_problem(&st, CONFIG_WARNING, 0,
			       "no [ward:NAME], [program:NAME] or [job:NAME] "
			       "sections here or in the %zu file%s included; "
			       "stewardd will supervise nothing",
			       c->nfiles - 1, c->nfiles == 2 ? "" : "s");
	if (c->metrics_interval_ms != 0 && c->metrics_file == NULL)
		config_problem(
		    &st, CONFIG_WARNING, 0,
		    "[steward] metrics_interval is set but metrics_file is "
		    "not; no metrics are written");
	config_sort(rep);
	c->wards = xcalloc(st.nwards ? st.nwards : 1, sizeof(*c->wards));
	c->jobs = xcalloc(st.nwards ? st.nwards : 1, sizeof(*c->jobs));
	for (size_t i = 0; i < st.nwards; i++) {
		if (st.wards[i].spec.is_job)
			c->jobs[c->njobs++] = st.wards[i].spec;
		else
			c->wards[c->nwards++] = st.wards[i].spec;
	}
	for (size_t i = 0; i < st.nwards; i++)
		config_sv_free(st.wards[i].prog);
	c->groups = xcalloc(st.ngroups ? st.ngroups : 1, sizeof(*c->groups));
	for (size_t i = 0; i < st.ngroups; i++)
		c->groups[c->ngroups++] = st.groups[i].spec;
	free(st.groups);
	free(st.wards);
	nametab_free(&st.names);
	nametab_free(&st.group_names);
	free(st.include);
	config_lookup_free(st.lookup);
	free(st.sv_env_raw);
	for (size_t i = 0; i < st.sv_nenv; i++)
		free(st.sv_env[i]);
	free(st.sv_env);
	free(st.sv_unix_file);
	free(st.sv_inet_port);
	free(dir);
	if (c->event_log == NULL)
		c->event_log = xstrdup("-");
	if (c->metrics_interval_ms == 0)
		c->metrics_interval_ms = 10000;
	if (rep->errors > 0) {
		config_free(c);
		return NULL;
	}
	return c;
}

/* Take a reference to a config. */
struct config *
config_ref(struct config *c)
{
	c->refs++;
	return c;
}

/* Drop a reference; the last one frees. */
void
config_unref(struct config *c)
{
	if (c != NULL && --c->refs == 0)
		config_free(c);
}

/* Compare two optional strings. */
static bool
config_str_eq(const char *a, const char *b)
{
	return (a == NULL && b == NULL) ||
	       (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* Compare two outputs. */
static bool
config_out_eq(const struct config_output *a, const struct config_output *b)
{
	return a->kind == b->kind && config_str_eq(a->path, b->path);
}

/* Would two definitions run the same processes the same way? */
bool
config_ward_same(const struct ward_spec *a, const struct ward_spec *b)
{
	if (strcmp(a->name, b->name) != 0 || a->argc != b->argc ||
	    a->nenv != b->nenv || a->ngroups != b->ngroups ||
	    memcmp(&a->limits, &b->limits, sizeof(a->limits)) != 0)
		return false;
	for (size_t i = 0; i < a->argc; i++)
		if (strcmp(a->argv[i], b->argv[i]) != 0)
			return false;
	for (size_t i = 0; i < a->nenv; i++)
		if (strcmp(a->env[i], b->env[i]) != 0)
			return false;
	for (int i = 0; i < a->ngroups; i++)
		if (a->groups[i] != b->groups[i])
			return false;
	if ((a->procs == NULL) != (b->procs == NULL) ||
	    (a->procs != NULL && a->replicas != b->replicas) ||
	    memcmp(a->pol.success, b->pol.success, sizeof(a->pol.success)) !=
		0 ||
	    a->pol.start_retries != b->pol.start_retries ||
	    a->priority != b->priority || a->umask != b->umask ||
	    a->stop_group != b->stop_group || a->kill_group != b->kill_group)
		return false;
	for (unsigned r = 0; a->procs != NULL && r < a->replicas; r++) {
		const struct ward_proc *p = &a->procs[r], *q = &b->procs[r];

		if (p->argc != q->argc || p->nenv != q->nenv ||
		    !config_str_eq(p->directory, q->directory) ||
		    !config_out_eq(&p->out, &q->out) ||
		    !config_out_eq(&p->err, &q->err))
			return false;
		for (size_t i = 0; i < p->argc; i++)
			if (strcmp(p->argv[i], q->argv[i]) != 0)
				return false;
		for (size_t i = 0; i < p->nenv; i++)
			if (strcmp(p->env[i], q->env[i]) != 0)
				return false;
	}
	if (a->nrequires != b->nrequires || a->nafter != b->nafter ||
	    a->essential != b->essential)
		return false;
	for (size_t i = 0; i < a->nrequires; i++)
		if (strcmp(a->requires[i], b -> requires[i]) != 0)
			return false;
	for (size_t i = 0; i < a->nafter; i++)
		if (strcmp(a->after[i], b->after[i]) != 0)
			return false;
	return a->pol.heartbeat == b->pol.heartbeat &&
	       a->pol.watchdog == b->pol.watchdog &&
	       a->listen_events == b->listen_events &&
	       a->buffer_size == b->buffer_size &&
	       a->pol.restart == b->pol.restart &&
	       a->heartbeat_timeout_ms == b->heartbeat_timeout_ms &&
	       a->start_timeout_ms == b->start_timeout_ms &&
	       a->stop_timeout_ms == b->stop_timeout_ms &&
	       a->backoff_min_ms == b->backoff_min_ms &&
	       a->backoff_max_ms == b->backoff_max_ms &&
	       a->limit.burst == b->limit.burst &&
	       a->limit.period_ms == b->limit.period_ms &&
	       a->stop_signal == b->stop_signal &&
	       a->autostart == b->autostart && a->has_user == b->has_user &&
	       a->has_group == b->has_group && a->uid == b->uid &&
	       a->gid == b->gid && config_str_eq(a->directory, b->directory) &&
	       config_out_eq(&a->out, &b->out) &&
	       config_out_eq(&a->err, &b->err);
}

/* Free a config and everything it owns. */
void
config_free(struct config *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->nwards; i++)
		config_ward_free(&c->wards[i]);
	free(c->wards);
	for (size_t i = 0; i < c->njobs; i++)
		config_ward_free(&c->jobs[i]);
	free(c->jobs);
	for (size_t i = 0; i < c->ngroups; i++) {
		free(c->groups[i].name);
		free(c->groups[i].file);
		parse_split_free(c->groups[i].members);
	}
	free(c->groups);
	free(c->path);
	free(c->socket);
	free(c->event_log);
	free(c->group);
	free(c->metrics_file);
	free(c->unix_http.file);
	free(c->unix_http.username);
	free(c->unix_http.password);
	free(c->inet_http.host);
	free(c->inet_http.port);
	free(c->inet_http.username);
	free(c->inet_http.password);
	for (size_t i = 0; i < c->nfiles; i++)
		free(c->files[i]);
	free(c->files);
	free(c);
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

/* The ward with this name, or NULL. */
const struct ward_spec *
config_ward(const struct config *c, const char *name)
{
	for (size_t i = 0; i < c->nwards; i++) {
		if (strcmp(c->wards[i].name, name) == 0)
			return &c->wards[i];
	}
	return NULL;
}

/* The job with this name, or NULL. */
const struct ward_spec *
config_job(const struct config *c, const char *name)
{
	for (size_t i = 0; i < c->njobs; i++) {
		if (strcmp(c->jobs[i].name, name) == 0)
			return &c->jobs[i];
	}
	return NULL;
}

/* Check a file and print what was found; see config.h. */
/*
 * Limits whose controller this host does not offer: a warning each on
 * stderr (--check runs where stewardd will, mostly); how many.
 */
static size_t
config_check_cgroups(const struct config *c)
{
	size_t n = 0;

	if (c == NULL || c->cgroups == CONFIG_CGROUPS_OFF)
		return 0;
	for (size_t i = 0; i < c->nwards + c->njobs; i++) {
		const struct ward_spec *w =
		    i < c->nwards ? &c->wards[i] : &c->jobs[i - c->nwards];
		char where[CONFIG_NAME_MAX + 16];
		char *msg;

		snprintf(where, sizeof(where), "[%s:%s]", w->kind, w->name);
		msg = cgroup_check_limits(where, &w->limits);
		if (msg == NULL)
			continue;
		for (char *p = msg, *nl; *p != '\0'; p = nl + 1) {
			nl = strchr(p, '\n');
			fprintf(stderr, "%s: warning: %.*s\n", c->path,
				(int)(nl - p), p);
			n++;
		}
		free(msg);
	}
	return n;
}

int
config_check(const char *path)
{
	struct config_report rep = {0};
	struct config *c = config_load(path, &rep);
	size_t instances = 0;
	int rc;

	for (size_t i = 0; i < rep.n; i++)
		fprintf(stderr, "%s\n", rep.v[i].msg);
	rep.warnings += config_check_cgroups(c);
	if (c == NULL) {
		fprintf(stderr, "%s: %zu error%s, %zu warning%s\n", path,
			rep.errors, rep.errors == 1 ? "" : "s", rep.warnings,
			rep.warnings == 1 ? "" : "s");
		rc = 78; /* EX_CONFIG */
	} else {
		for (size_t i = 0; i < c->nwards; i++)
			instances += c->wards[i].replicas;
		printf("%s: OK, %zu ward%s, %zu instance%s, ", path, c->nwards,
		       c->nwards == 1 ? "" : "s", instances,
		       instances == 1 ? "" : "s");
		if (c->njobs > 0)
			printf("%zu job%s, ", c->njobs,
			       c->njobs == 1 ? "" : "s");
		printf("%zu warning%s\n", rep.warnings,
		       rep.warnings == 1 ? "" : "s");
		rc = 0;
	}
	config_free(c);
	config_report_free(&rep);
	return rc;
}

/* The default control socket path; see config.h. */
char *
config_default_socket(void)
{
	const char *dir;

	if (geteuid() == 0)
		return xstrdup(STEWARD_RUNSTATEDIR "/steward.sock");
	dir = getenv("XDG_RUNTIME_DIR");
	if (dir == NULL || dir[0] != '/')
		return NULL;
	return xasprintf("%s/steward.sock", dir);
}
