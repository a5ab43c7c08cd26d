/*
 * supervisord's config, read as it is (see steward.ini(5), section
 * SUPERVISORD COMPATIBILITY, for the mapping key by key).
 *
 * A [program:NAME] section becomes a ward named NAME whose replicas are
 * numprocs processes.  Its keys are kept as written while the section is
 * read (supervisord allows continuation lines, which are joined here with
 * a newline, as Python's configparser joins them) and turned into the
 * ward's spec once the section is complete, by config_sv_finish():
 *
 *   - %(program_name)s, %(process_num)d, %(group_name)s,
 *     %(host_node_name)s, %(here)s and %(ENV_X)s are expanded as Python's
 *     % operator does (flags, width and precision included), per process
 *     where supervisord expands per process (command, process_name,
 *     directory, the log files, environment);
 *   - the values that differ between processes go into spec->procs[];
 *   - supervisord's defaults apply: autorestart = unexpected with
 *     exitcodes = 0, startsecs = 1, startretries = 3, stopwaitsecs = 10,
 *     stop signals to the main process only (stopasgroup = false), no
 *     restart limit beyond startretries.
 *
 * The other sections of a supervisord.conf are recognised: [include]
 * files are read like [steward] include; [supervisord] environment is
 * given to every program; the rest ([unix_http_server], [supervisorctl],
 * [rpcinterface:x], [group:x], [eventlistener:x], ...) get one warning
 * each, never an error, so an existing supervisord.conf runs.  A program
 * key steward understands but cannot honour (stdout_logfile = syslog) is
 * an error; keys of supervisord's that steward has no use for (log
 * rotation, capture mode, events) are warnings.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config-internal.h"
#include "parse.h"

enum sv_key {
	SV_COMMAND,
	SV_PROCESS_NAME,
	SV_NUMPROCS,
	SV_NUMPROCS_START,
	SV_DIRECTORY,
	SV_UMASK,
	SV_PRIORITY,
	SV_AUTOSTART,
	SV_AUTORESTART,
	SV_EXITCODES,
	SV_STARTSECS,
	SV_STARTRETRIES,
	SV_STOPSIGNAL,
	SV_STOPWAITSECS,
	SV_STOPASGROUP,
	SV_KILLASGROUP,
	SV_USER,
	SV_REDIRECT_STDERR,
	SV_STDOUT_LOGFILE,
	SV_STDERR_LOGFILE,
	SV_ENVIRONMENT,
	SV_NKEYS,
};

static const char *const sv_key_names[SV_NKEYS] = {
    [SV_COMMAND] = "command",
    [SV_PROCESS_NAME] = "process_name",
    [SV_NUMPROCS] = "numprocs",
    [SV_NUMPROCS_START] = "numprocs_start",
    [SV_DIRECTORY] = "directory",
    [SV_UMASK] = "umask",
    [SV_PRIORITY] = "priority",
    [SV_AUTOSTART] = "autostart",
    [SV_AUTORESTART] = "autorestart",
    [SV_EXITCODES] = "exitcodes",
    [SV_STARTSECS] = "startsecs",
    [SV_STARTRETRIES] = "startretries",
    [SV_STOPSIGNAL] = "stopsignal",
    [SV_STOPWAITSECS] = "stopwaitsecs",
    [SV_STOPASGROUP] = "stopasgroup",
    [SV_KILLASGROUP] = "killasgroup",
    [SV_USER] = "user",
    [SV_REDIRECT_STDERR] = "redirect_stderr",
    [SV_STDOUT_LOGFILE] = "stdout_logfile",
    [SV_STDERR_LOGFILE] = "stderr_logfile",
    [SV_ENVIRONMENT] = "environment",
};

/* supervisord's program keys that steward reads and has no use for. */
static const char *const sv_ignored_keys[] = {
    "stdout_logfile_maxbytes",
    "stdout_logfile_backups",
    "stdout_capture_maxbytes",
    "stdout_events_enabled",
    "stdout_syslog",
    "stderr_logfile_maxbytes",
    "stderr_logfile_backups",
    "stderr_capture_maxbytes",
    "stderr_events_enabled",
    "stderr_syslog",
    "serverurl",
};

/* steward's own keys a [program:NAME] may use as well. */
static const char *const sv_steward_keys[] = {
    "heartbeat",        "heartbeat_timeout", "restart_limit", "backoff",
    "environment_file", "requires",          "after",         "essential",
};

/* A [program:NAME] being read: supervisord's keys as written. */
struct config_program {
	char *raw[SV_NKEYS];
	int line[SV_NKEYS];
	const char *file; /* where the section is, for %(here)s */
};

/* Free a program's raw keys. */
void
config_sv_free(struct config_program *p)
{
	if (p == NULL)
		return;
	for (int k = 0; k < SV_NKEYS; k++)
		free(p->raw[k]);
	free(p);
}

/* A section of a supervisord.conf; see config-internal.h. */
bool
config_sv_section(struct config_state *st, const char *name)
{
	static const char *const other[] = {
	    "unix_http_server", "inet_http_server", "supervisorctl"};
	static const char *const other_prefix[] = {
	    "rpcinterface:", "eventlistener:", "fcgi-program:", "ctlplugin:"};

	if (strncmp(name, "program:", 8) == 0) {
		if (!config_name_ok(name + 8)) {
			config_problem(
			    st, CONFIG_ERROR, st->lineno,
			    "[%s]: a program name is 1 to 64 letters, digits, "
			    "'_', '-' or '.'",
			    name);
			st->sec = SEC_BAD;
			return true;
		}
		st->cur = config_ward_begin(st, name + 8);
		if (st->cur == NULL) {
			st->sec = SEC_BAD;
			return true;
		}
		st->cur->prog = xcalloc(1, sizeof(*st->cur->prog));
		st->cur->prog->file = st->path;
		st->cur->spec.kind = "program";
		st->sec = SEC_PROGRAM;
		return true;
	}
	if (strcmp(name, "include") == 0) {
		st->sec = SEC_SV_INCLUDE;
		return true;
	}
	if (strcmp(name, "supervisord") == 0) {
		st->sec = SEC_SV_MAIN;
		config_problem(
		    st, CONFIG_WARNING, st->lineno,
		    "[supervisord]: only its environment is used (given to "
		    "every program); stewardd takes the rest from [steward] "
		    "and its command line");
		return true;
	}
	for (size_t i = 0; i < sizeof(other) / sizeof(other[0]); i++) {
		if (strcmp(name, other[i]) == 0)
			goto ignored;
	}
	for (size_t i = 0; i < sizeof(other_prefix) / sizeof(other_prefix[0]);
	     i++) {
		if (strncmp(name, other_prefix[i], strlen(other_prefix[i])) ==
		    0)
			goto ignored;
	}
	return false;

ignored:
	st->sec = SEC_SV_OTHER;
	config_problem(
	    st, CONFIG_WARNING, st->lineno,
	    "[%s] is supervisord's; steward has no equivalent, so this "
	    "section is ignored%s",
	    name,
	    strncmp(name, "eventlistener:", 14) == 0 ||
		    strncmp(name, "fcgi-program:", 13) == 0
		? " and not run"
		: " (stewardctl talks to [steward] socket)");
	return true;
}

/* Append a continuation line to a value, joined by a newline. */
static void
sv_append(char **slot, const char *value)
{
	char *joined = xasprintf("%s\n%s", *slot ? *slot : "", value);

	free(*slot);
	*slot = joined;
}

/* A KEY = VALUE in a supervisord section; see config-internal.h. */
void
config_sv_key(struct config_state *st, const char *key, const char *value,
	      bool continuation)
{
	struct config_program *p;
	char section[80];

	if (st->sec == SEC_SV_INCLUDE) {
		if (strcmp(key, "files") != 0) {
			config_problem(
			    st, CONFIG_WARNING, st->lineno,
			    "[include] %s is not a key of [include]; ignored",
			    key);
			return;
		}
		if (st->include == NULL) {
			st->include = xstrdup(value);
			st->include_line = st->lineno;
		} else {
			char *both = xasprintf("%s %s", st->include, value);

			free(st->include);
			st->include = both;
		}
		return;
	}
	if (st->sec == SEC_SV_MAIN) {
		if (strcmp(key, "environment") == 0)
			sv_append(&st->sv_env_raw, value);
		return;
	}
	if (st->sec != SEC_PROGRAM || st->cur == NULL)
		return;
	p = st->cur->prog;
	snprintf(section, sizeof(section), "program:%s", st->cur->spec.name);
	for (int k = 0; k < SV_NKEYS; k++) {
		if (strcmp(key, sv_key_names[k]) != 0)
			continue;
		if (continuation) {
			sv_append(&p->raw[k], value);
			return;
		}
		if (p->line[k] != 0) {
			config_problem(
			    st, CONFIG_ERROR, st->lineno,
			    "[%s] %s is already set at line %d; set each key "
			    "once",
			    section, key, p->line[k]);
			return;
		}
		p->line[k] = st->lineno;
		p->raw[k] = xstrdup(value);
		return;
	}
	for (size_t i = 0;
	     i < sizeof(sv_steward_keys) / sizeof(sv_steward_keys[0]); i++) {
		if (strcmp(key, sv_steward_keys[i]) == 0) {
			config_ward_key(st, section, key, value);
			return;
		}
	}
	for (size_t i = 0;
	     i < sizeof(sv_ignored_keys) / sizeof(sv_ignored_keys[0]); i++) {
		if (strcmp(key, sv_ignored_keys[i]) == 0) {
			config_problem(
			    st, CONFIG_WARNING, st->lineno,
			    "[%s] %s is supervisord's log handling, which "
			    "steward does not do; ignored",
			    section, key);
			return;
		}
	}
	config_unknown_key(st, section, key, sv_key_names, SV_NKEYS);
}

/* What %(...)s may name while expanding one process's values. */
struct sv_expand {
	const char *program;
	long num;
	const char *here;
	char host[256];
};

/*
 * Expand Python %-format references: %(name)[flags][width][.prec](s|d)
 * and %%.  Returns NULL with why set on an unknown name or bad format.
 */
static char *
sv_expand(const struct sv_expand *x, const char *in, char *why)
{
	struct sbuf out = {0};

	for (const char *p = in; *p != '\0'; p++) {
		char name[128], spec[32], fmt[40], num[64];
		const char *close, *q;
		const char *sval = NULL;
		bool is_num = false;
		long nval = 0;
		size_t sl = 0;

		if (*p != '%') {
			sbuf_add(&out, p, 1);
			continue;
		}
		if (p[1] == '%') {
			sbuf_add(&out, "%", 1);
			p++;
			continue;
		}
		if (p[1] != '(' || (close = strchr(p + 2, ')')) == NULL ||
		    (size_t)(close - p - 2) >= sizeof(name)) {
			snprintf(why, PARSE_WHY,
				 "a %% that starts no %%(name)s expansion at "
				 "column %zu; write %%%% for a %%",
				 (size_t)(p - in) + 1);
			sbuf_free(&out);
			return NULL;
		}
		snprintf(name, sizeof(name), "%.*s", (int)(close - p - 2),
			 p + 2);
		for (q = close + 1;
		     *q != '\0' && strchr("#0- +.0123456789", *q); q++)
			if (sl < sizeof(spec) - 1)
				spec[sl++] = *q;
		spec[sl] = '\0';
		/* A width or precision is a few digits, never a gigabyte. */
		for (const char *d = spec; *d != '\0'; d++) {
			if (strtol(d, NULL, 10) > 256) {
				snprintf(
				    why, PARSE_WHY,
				    "%%(%.60s): a width or precision above 256 "
				    "at column %zu",
				    name, (size_t)(close - in) + 2);
				sbuf_free(&out);
				return NULL;
			}
			while (*d >= '0' && *d <= '9' && d[1] >= '0' &&
			       d[1] <= '9')
				d++;
		}
		if (*q != 's' && *q != 'd' && *q != 'i') {
			snprintf(
			    why, PARSE_WHY,
			    "%%(%.60s) needs a conversion s or d at column %zu",
			    name, (size_t)(q - in) + 1);
			sbuf_free(&out);
			return NULL;
		}
		if (strcmp(name, "program_name") == 0 ||
		    strcmp(name, "group_name") == 0)
			sval = x->program;
		else if (strcmp(name, "process_num") == 0)
			is_num = true, nval = x->num;
		else if (strcmp(name, "host_node_name") == 0)
			sval = x->host;
		else if (strcmp(name, "here") == 0)
			sval = x->here;
		else if (strncmp(name, "ENV_", 4) == 0) {
			sval = getenv(name + 4);
			if (sval == NULL) {
				snprintf(
				    why, PARSE_WHY,
				    "%%(%.60s)s: %.60s is not in stewardd's "
				    "environment",
				    name, name + 4);
				sbuf_free(&out);
				return NULL;
			}
		} else {
			snprintf(
			    why, PARSE_WHY,
			    "unknown expansion %%(%.60s); expected "
			    "program_name, "
			    "process_num, group_name, host_node_name, here or "
			    "ENV_NAME",
			    name);
			sbuf_free(&out);
			return NULL;
		}
		if (*q == 's') {
			if (is_num) {
				snprintf(num, sizeof(num), "%ld", nval);
				sval = num;
			}
			snprintf(fmt, sizeof(fmt), "%%%ss", spec);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
			sbuf_addf(&out, fmt, sval);
		} else {
			if (!is_num) {
				char *end;

				nval = strtol(sval, &end, 10);
				if (*sval == '\0' || *end != '\0') {
					snprintf(
					    why, PARSE_WHY,
					    "%%(%.60s)d: \"%.60s\" is not a "
					    "number",
					    name, sval);
					sbuf_free(&out);
					return NULL;
				}
			}
			snprintf(fmt, sizeof(fmt), "%%%sld", spec);
			sbuf_addf(&out, fmt, nval);
#pragma GCC diagnostic pop
		}
		p = q;
	}
	if (out.s == NULL)
		return xstrdup("");
	return out.s;
}

/*
 * supervisord's environment syntax: KEY="value",KEY2=value2 — commas
 * separate pairs, quotes (" or ') keep commas and blanks.  Appends the
 * pairs to env.  Returns -1 with why on a malformed pair.
 */
static int
sv_environment(const char *v, char ***env, size_t *n, char *why)
{
	const char *p = v;

	while (*p != '\0') {
		struct sbuf pair = {0};
		size_t nl;
		char quote = 0;

		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == ',')
			p++;
		if (*p == '\0')
			break;
		if (*p == '\0')
			break;
		for (; *p != '\0'; p++) {
			if (quote != 0) {
				if (*p == quote)
					quote = 0;
				else
					sbuf_add(&pair, p, 1);
			} else if (*p == '"' || *p == '\'') {
				quote = *p;
			} else if (*p == ',' || *p == '\n') {
				break; /* a continuation line is a new pair */
			} else {
				sbuf_add(&pair, p, 1);
			}
		}
		if (quote != 0) {
			snprintf(why, PARSE_WHY, "an unterminated %c quote",
				 quote);
			sbuf_free(&pair);
			return -1;
		}
		if (pair.s == NULL)
			continue;
		/* Blanks around KEY and after "=" are not part of them. */
		char *k = pair.s;
		while (*k == ' ' || *k == '\t')
			k++;
		char *eq = strchr(k, '=');
		if (eq != NULL) {
			char *e = eq;
			while (e > k && (e[-1] == ' ' || e[-1] == '\t'))
				e--;
			memmove(e, eq, strlen(eq) + 1);
			eq = e;
		}
		if (parse_env_assignment(k, &nl, why) == -1) {
			char inner[PARSE_WHY];

			snprintf(inner, sizeof(inner), "%s", why);
			snprintf(why, PARSE_WHY, "\"%.40s\": %.180s", k, inner);
			sbuf_free(&pair);
			return -1;
		}
		config_env_set(env, n, k);
		sbuf_free(&pair);
	}
	return 0;
}

/* A whole number of seconds, or -1 with why. */
static long
sv_seconds(const char *v, char *why)
{
	long n;

	if (parse_long(v, 0, 86400 * 365, &n, why) == -1)
		return -1;
	return n;
}

/* Report a bad value of a program key. */
static void
sv_bad(struct config_state *st, struct config_ward *cw, enum sv_key k,
       const char *why)
{
	int line = cw->prog->line[k];
	int saved = st->lineno;
	char section[80];

	snprintf(section, sizeof(section), "program:%.64s", cw->spec.name);
	st->lineno = line;
	config_bad(st, section, sv_key_names[k], cw->prog->raw[k], why);
	st->lineno = saved;
}

/* A boolean the way supervisord writes them. */
static int
sv_bool(struct config_state *st, struct config_ward *cw, enum sv_key k,
	bool dflt, bool *out)
{
	char why[PARSE_WHY];

	*out = dflt;
	if (cw->prog->raw[k] == NULL)
		return 0;
	if (parse_bool(cw->prog->raw[k], out, why) == -1) {
		sv_bad(st, cw, k, why);
		return -1;
	}
	return 0;
}

/* Where a log file key sends output: AUTO, NONE, syslog, or a path. */
static int
sv_logfile(const char *v, struct config_output *o, char *why)
{
	free(o->path);
	o->path = NULL;
	if (v == NULL || strcmp(v, "AUTO") == 0) {
		o->kind = CONFIG_OUT_INHERIT; /* no childlogdir: stewardd's */
		return 0;
	}
	if (strcmp(v, "NONE") == 0) {
		o->kind = CONFIG_OUT_NULL;
		return 0;
	}
	if (strcmp(v, "syslog") == 0) {
		snprintf(
		    why, PARSE_WHY,
		    "steward does not send output to syslog; expected AUTO, "
		    "NONE or an absolute file path");
		return -1;
	}
	if (v[0] != '/') {
		snprintf(why, PARSE_WHY,
			 "expected AUTO, NONE or an absolute file path");
		return -1;
	}
	o->kind = CONFIG_OUT_FILE;
	o->path = xstrdup(v);
	return 0;
}

/* The per-process values of instance r; -1 after reporting problems. */
static int
sv_proc(struct config_state *st, struct config_ward *cw, struct sv_expand *x,
	struct ward_proc *pr, bool redirect)
{
	struct config_program *p = cw->prog;
	char why[PARSE_WHY], *v;
	size_t n = 0;
	int bad = 0;

	if ((pr->name =
		 sv_expand(x,
			   p->raw[SV_PROCESS_NAME] ? p->raw[SV_PROCESS_NAME]
						   : "%(program_name)s",
			   why)) == NULL)
		sv_bad(st, cw, SV_PROCESS_NAME, why), bad++;
	if ((v = sv_expand(x, p->raw[SV_COMMAND], why)) == NULL ||
	    parse_split(v, &pr->argv, &pr->argc, why) == -1)
		sv_bad(st, cw, SV_COMMAND, why), bad++;
	free(v);
	if (p->raw[SV_DIRECTORY] != NULL) {
		pr->directory = sv_expand(x, p->raw[SV_DIRECTORY], why);
		if (pr->directory == NULL)
			sv_bad(st, cw, SV_DIRECTORY, why), bad++;
		else if (pr->directory[0] != '/')
			sv_bad(st, cw, SV_DIRECTORY,
			       "expected an absolute path"),
			    bad++;
	}
	v = p->raw[SV_STDOUT_LOGFILE]
		? sv_expand(x, p->raw[SV_STDOUT_LOGFILE], why)
		: NULL;
	if ((p->raw[SV_STDOUT_LOGFILE] && v == NULL) ||
	    sv_logfile(v, &pr->out, why) == -1)
		sv_bad(st, cw, SV_STDOUT_LOGFILE, why), bad++;
	free(v);
	if (redirect) {
		pr->err.kind = CONFIG_OUT_STDOUT;
	} else {
		v = p->raw[SV_STDERR_LOGFILE]
			? sv_expand(x, p->raw[SV_STDERR_LOGFILE], why)
			: NULL;
		if ((p->raw[SV_STDERR_LOGFILE] && v == NULL) ||
		    sv_logfile(v, &pr->err, why) == -1)
			sv_bad(st, cw, SV_STDERR_LOGFILE, why), bad++;
		free(v);
	}
	/* [supervisord] environment, the program's, then SUPERVISOR_*. */
	pr->env = xcalloc(1, sizeof(char *));
	if (st->sv_env_raw != NULL &&
	    sv_environment(st->sv_env_raw, &pr->env, &n, why) == -1) {
		config_problem(st, CONFIG_ERROR, 0,
			       "[supervisord] environment: %s", why);
		bad++;
	}
	if (p->raw[SV_ENVIRONMENT] != NULL) {
		if ((v = sv_expand(x, p->raw[SV_ENVIRONMENT], why)) == NULL ||
		    sv_environment(v, &pr->env, &n, why) == -1)
			sv_bad(st, cw, SV_ENVIRONMENT, why), bad++;
		free(v);
	}
	config_env_set(&pr->env, &n, "SUPERVISOR_ENABLED=1");
	v = xasprintf("SUPERVISOR_PROCESS_NAME=%s", pr->name ? pr->name : "");
	config_env_set(&pr->env, &n, v);
	free(v);
	v = xasprintf("SUPERVISOR_GROUP_NAME=%s", x->program);
	config_env_set(&pr->env, &n, v);
	free(v);
	pr->nenv = n;
	return bad ? -1 : 0;
}

/* Turn a [program:NAME]'s keys into its ward; see config-internal.h. */
void
config_sv_finish(struct config_state *st, struct config_ward *cw)
{
	struct config_program *p = cw->prog;
	struct ward_spec *w = &cw->spec;
	struct sv_expand x = {.program = w->name};
	char why[PARSE_WHY], *here;
	long numprocs = 1, start = 0, v;
	bool redirect = false, b, killgroup = false;
	int errors = 0;

	if (p->raw[SV_COMMAND] == NULL) {
		config_problem(st, CONFIG_ERROR, w->line,
			       "[program:%s] has no command; add command = "
			       "/path/to/program [ARGS...]",
			       w->name);
		return;
	}
	here = xstrdup(p->file);
	*(strrchr(here, '/') ? strrchr(here, '/') : here) = '\0';
	{
		char *abs = realpath(here[0] ? here : ".", NULL);

		if (abs != NULL) {
			free(here);
			here = abs;
		}
	}
	x.here = here;
	if (gethostname(x.host, sizeof(x.host)) == -1)
		snprintf(x.host, sizeof(x.host), "localhost");

	/* supervisord's defaults. */
	w->pol.heartbeat =
	    cw->key_line[K_HEARTBEAT] ? w->pol.heartbeat : WARD_HB_NONE;
	w->pol.restart = WARD_RESTART_ON_FAILURE;
	w->stop_group = false;
	w->pol.start_retries = 3;
	w->start_timeout_ms = 1000;
	w->stop_timeout_ms = 10000;
	if (!cw->key_line[K_RESTART_LIMIT])
		w->limit =
		    (struct parse_rate){.burst = 1000000, .period_ms = 1000};

#define SV_NUM(key, lo, hi, dst)                                               \
	do {                                                                   \
		if (p->raw[key] != NULL) {                                     \
			if (parse_long(p->raw[key], lo, hi, &v, why) == -1) {  \
				sv_bad(st, cw, key, why);                      \
				errors++;                                      \
			} else {                                               \
				dst = v;                                       \
			}                                                      \
		}                                                              \
	} while (0)

	SV_NUM(SV_NUMPROCS, 1, 100000, numprocs);
	SV_NUM(SV_NUMPROCS_START, 0, 1000000, start);
	SV_NUM(SV_PRIORITY, -1000000, 1000000, w->priority);
	SV_NUM(SV_STARTRETRIES, 0, 1000000, w->pol.start_retries);
	if (p->raw[SV_STARTSECS] != NULL) {
		if ((v = sv_seconds(p->raw[SV_STARTSECS], why)) < 0)
			sv_bad(st, cw, SV_STARTSECS, why), errors++;
		else
			w->start_timeout_ms = v * 1000;
	}
	if (p->raw[SV_STOPWAITSECS] != NULL) {
		if ((v = sv_seconds(p->raw[SV_STOPWAITSECS], why)) < 0)
			sv_bad(st, cw, SV_STOPWAITSECS, why), errors++;
		else
			w->stop_timeout_ms = v * 1000;
	}
	if (p->raw[SV_UMASK] != NULL) {
		char *end;

		v = strtol(p->raw[SV_UMASK], &end, 8);
		if (*p->raw[SV_UMASK] == '\0' || *end != '\0' || v < 0 ||
		    v > 0777) {
			sv_bad(st, cw, SV_UMASK,
			       "expected an octal mode such "
			       "as 022");
			errors++;
		} else {
			w->umask = (int)v;
		}
	}
	if (sv_bool(st, cw, SV_AUTOSTART, true, &w->autostart) == -1)
		errors++;
	if (p->raw[SV_AUTORESTART] != NULL) {
		const char *ar = p->raw[SV_AUTORESTART];

		if (strcmp(ar, "unexpected") == 0)
			w->pol.restart = WARD_RESTART_ON_FAILURE;
		else if (parse_bool(ar, &b, why) == 0)
			w->pol.restart =
			    b ? WARD_RESTART_ALWAYS : WARD_RESTART_NEVER;
		else
			sv_bad(st, cw, SV_AUTORESTART,
			       "expected true, false or unexpected"),
			    errors++;
	}
	if (p->raw[SV_EXITCODES] != NULL) {
		char *list = xstrdup(p->raw[SV_EXITCODES]), *save = NULL;

		memset(w->pol.success, 0, sizeof(w->pol.success));
		for (char *t = strtok_r(list, ", \t\n", &save); t != NULL;
		     t = strtok_r(NULL, ", \t\n", &save)) {
			if (parse_long(t, 0, 255, &v, why) == -1) {
				sv_bad(st, cw, SV_EXITCODES,
				       "expected exit codes 0 to 255 separated "
				       "by commas, such as 0,2");
				errors++;
				break;
			}
			w->pol.success[v / 8] |= (uint8_t)(1u << (v % 8));
		}
		free(list);
	} else {
		memset(w->pol.success, 0, sizeof(w->pol.success));
		w->pol.success[0] = 1;
	}
	if (p->raw[SV_STOPSIGNAL] != NULL &&
	    parse_signal(p->raw[SV_STOPSIGNAL], &w->stop_signal, why) == -1)
		sv_bad(st, cw, SV_STOPSIGNAL, why), errors++;
	if (sv_bool(st, cw, SV_STOPASGROUP, false, &w->stop_group) == -1 ||
	    sv_bool(st, cw, SV_KILLASGROUP, w->stop_group, &killgroup) == -1 ||
	    sv_bool(st, cw, SV_REDIRECT_STDERR, false, &redirect) == -1)
		errors++;
	w->kill_group = killgroup;
	if (redirect && p->raw[SV_STDERR_LOGFILE] != NULL)
		config_problem(
		    st, CONFIG_WARNING, p->line[SV_STDERR_LOGFILE],
		    "[program:%s] stderr_logfile is ignored: redirect_stderr "
		    "= true sends stderr to stdout_logfile",
		    w->name);
	if (p->raw[SV_USER] != NULL)
		w->user = xstrdup(p->raw[SV_USER]);
	if (numprocs > 1 &&
	    (p->raw[SV_PROCESS_NAME] == NULL ||
	     strstr(p->raw[SV_PROCESS_NAME], "%(process_num)") == NULL)) {
		config_problem(
		    st, CONFIG_ERROR,
		    p->line[SV_NUMPROCS] ? p->line[SV_NUMPROCS] : w->line,
		    "[program:%s] numprocs = %ld needs %%(process_num) in "
		    "process_name (as supervisord requires), e.g. "
		    "process_name = %%(program_name)s_%%(process_num)02d",
		    w->name, numprocs);
		errors++;
	}
	/* Every process's values; problems are said once, for the first. */
	w->replicas = (unsigned)numprocs;
	w->procs = xcalloc((size_t)numprocs, sizeof(*w->procs));
	for (long r = 0; r < numprocs; r++) {
		x.num = start + r;
		if (sv_proc(st, cw, &x, &w->procs[r], redirect) == -1) {
			errors++;
			break;
		}
	}
	if (errors == 0) {
		/* The ward's own fields describe the first process. */
		w->command = xstrdup(p->raw[SV_COMMAND]);
		w->argc = w->procs[0].argc;
		w->argv = config_vec_dup(w->procs[0].argv, w->argc);
		if (w->procs[0].directory != NULL)
			w->directory = xstrdup(w->procs[0].directory);
	}
	free(here);
#undef SV_NUM
}
