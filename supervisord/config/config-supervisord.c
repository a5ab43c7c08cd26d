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
 * given to every program (the rest of it, one warning); an
 * [eventlistener:x] is read here like a program and becomes a listener
 * pool (listener.c); [group:x] is read by config.c as a steward group;
 * [unix_http_server] and [inet_http_server] are served (http.c).  The
 * rest ([supervisorctl], [rpcinterface:x], [ctlplugin:x]) get one
 * warning each, never an error, so an existing supervisord.conf runs;
 * [fcgi-program:x] is an error.  A program
 * key steward understands but cannot honour (stdout_logfile = syslog) is
 * an error; keys of supervisord's that steward has no use for (log
 * rotation, capture mode, events) are warnings.
 */
#include <ctype.h>
#include <stdio.h>
#include <errno.h>
#include <limits.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/config-internal.h"
#include "proto/listener-proto.h"
#include "base/parse.h"

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
	SV_SERVERURL,
	SV_EVENTS,         /* [eventlistener:NAME] only */
	SV_BUFFER_SIZE,    /* [eventlistener:NAME] only */
	SV_RESULT_HANDLER, /* [eventlistener:NAME] only */
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
    [SV_SERVERURL] = "serverurl",
    [SV_EVENTS] = "events",
    [SV_BUFFER_SIZE] = "buffer_size",
    [SV_RESULT_HANDLER] = "result_handler",
};

/* supervisord's program keys that steward reads and has no use for. */
static const char *const sv_ignored_keys[] = {
    "stdout_logfile_maxbytes", "stdout_logfile_backups",
    "stdout_capture_maxbytes", "stdout_events_enabled",
    "stdout_syslog",           "stderr_logfile_maxbytes",
    "stderr_logfile_backups",  "stderr_capture_maxbytes",
    "stderr_events_enabled",   "stderr_syslog",
};

/* steward's own keys a [program:NAME] may use as well. */
static const char *const sv_steward_keys[] = {
    "heartbeat",        "heartbeat_timeout", "restart_limit", "backoff",
    "environment_file", "requires",          "after",         "essential",
};

/* A [program:NAME] being read: supervisord's keys as written. */
/* A steward key of a program whose value waits to be expanded. */
struct sv_later {
	char *key;
	char *value;
	int line;
	const char *file;
};

struct config_program {
	struct sv_later *later; /* expanded and set by config_sv_finish */
	size_t nlater;
	char *raw[SV_NKEYS];
	int line[SV_NKEYS];
	const char *kfile[SV_NKEYS]; /* the file each key is in */
	const char *file;            /* where the section is, for %(here)s */
};

/* Free a program's raw keys. */
void
config_sv_free(struct config_program *p)
{
	if (p == NULL)
		return;
	for (int k = 0; k < SV_NKEYS; k++)
		free(p->raw[k]);
	for (size_t i = 0; i < p->nlater; i++) {
		free(p->later[i].key);
		free(p->later[i].value);
	}
	free(p->later);
	free(p);
}

/* A section of a supervisord.conf; see config-internal.h. */
bool
config_sv_section(struct config_state *st, const char *name)
{
	static const char *const other[] = {
	    "unix_http_server", "inet_http_server", "supervisorctl"};
	static const char *const other_prefix[] = {"rpcinterface:",
						   "ctlplugin:"};
	bool listener = strncmp(name, "eventlistener:", 14) == 0;
	const char *pname = name + (listener ? 14 : 8);

	st->sv_other = 0;
	if (strncmp(name, "program:", 8) == 0 || listener) {
		if (!config_name_ok(pname)) {
			config_problem(
			    st, CONFIG_ERROR, st->lineno,
			    "[%s]: a program name is 1 to 64 letters, digits, "
			    "'_', '-' or '.'",
			    name);
			st->sec = SEC_BAD;
			return true;
		}
		/* configparser merges a section given twice: later wins. */
		ssize_t i = nametab_get(&st->names, pname);

		if (i >= 0 && st->wards[i].prog != NULL &&
		    strcmp(st->wards[i].spec.kind,
			   listener ? "eventlistener" : "program") == 0) {
			struct config_ward *old = &st->wards[i];

			config_problem(
			    st, CONFIG_WARNING, st->lineno,
			    "[%s] is already defined at %s:%d; its keys are "
			    "merged into that section, a value given again "
			    "replacing the first, as supervisord does",
			    name, old->spec.file, old->spec.line);
			st->cur = old;
			st->sec = SEC_PROGRAM;
			return true;
		}
		st->cur = config_ward_begin(st, pname);
		if (st->cur == NULL) {
			st->sec = SEC_BAD;
			return true;
		}
		st->cur->prog = xcalloc(1, sizeof(*st->cur->prog));
		st->cur->prog->file = st->path;
		st->cur->spec.kind = listener ? "eventlistener" : "program";
		st->sec = SEC_PROGRAM;
		return true;
	}
	if (strcmp(name, "include") == 0) {
		st->sec = SEC_SV_INCLUDE;
		if (st->file != 0)
			config_problem(
			    st, CONFIG_WARNING, st->lineno,
			    "[include] in an included file is not followed "
			    "(supervisord reads only the main file's); "
			    "ignored");
		else if (st->sv_include_line == 0)
			st->sv_include_line = st->lineno;
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
	if (strncmp(name, "fcgi-program:", 13) == 0) {
		config_problem(
		    st, CONFIG_ERROR, st->lineno,
		    "[%s]: steward does not run FastCGI programs (it would "
		    "have to own their listening socket); run the program "
		    "as a [program:NAME] that opens its own socket",
		    name);
		st->sec = SEC_BAD;
		return true;
	}
	for (size_t i = 0; i < sizeof(other) / sizeof(other[0]); i++) {
		if (strcmp(name, other[i]) == 0) {
			st->sv_other = (int)i + 1;
			if (i <= 1) {
				/* Served by http.c: supervisorctl's door. */
				st->sec = SEC_SV_OTHER;
				return true;
			}
			goto ignored;
		}
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
	    name, " (stewardctl talks to [steward] socket)");
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

/*
 * What %(...)s may name while expanding a value.  supervisord's names:
 * ENV_X is looked up in the program's own environment= (env2, for the
 * values expanded per process), then [supervisord] environment= (env1),
 * then stewardd's environment, as supervisord extends its expansions.
 */
struct sv_expand {
	const char *program;
	const char *group;
	bool has_num; /* process_num and numprocs: per-process values only */
	long num;
	long numprocs;
	const char *here;
	char host[256];
	char *const *env1;
	size_t n1;
	char *const *env2;
	size_t n2;
};

/* The value of X for %(ENV_X)s, or NULL. */
static const char *
sv_env_get(const struct sv_expand *x, const char *name)
{
	size_t nl = strlen(name);

	for (size_t i = x->n2; x->env2 != NULL && i-- > 0;)
		if (strncmp(x->env2[i], name, nl) == 0 && x->env2[i][nl] == '=')
			return x->env2[i] + nl + 1;
	for (size_t i = x->n1; x->env1 != NULL && i-- > 0;)
		if (strncmp(x->env1[i], name, nl) == 0 && x->env1[i][nl] == '=')
			return x->env1[i] + nl + 1;
	return getenv(name);
}

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
		if (strcmp(name, "program_name") == 0 && x->program != NULL)
			sval = x->program;
		else if (strcmp(name, "group_name") == 0 && x->group != NULL)
			sval = x->group;
		else if (strcmp(name, "process_num") == 0 && x->has_num)
			is_num = true, nval = x->num;
		else if (strcmp(name, "numprocs") == 0 && x->has_num)
			is_num = true, nval = x->numprocs;
		else if (strcmp(name, "host_node_name") == 0)
			sval = x->host;
		else if (strcmp(name, "here") == 0)
			sval = x->here;
		else if (strncmp(name, "ENV_", 4) == 0) {
			sval = sv_env_get(x, name + 4);
			if (sval == NULL) {
				snprintf(why, PARSE_WHY,
					 "%%(%.60s)s: %.60s is set neither in "
					 "stewardd's environment nor in an "
					 "environment= of this file",
					 name, name + 4);
				sbuf_free(&out);
				return NULL;
			}
		} else {
			snprintf(
			    why, PARSE_WHY,
			    "%%(%.40s) cannot be expanded here; expected %s",
			    name,
			    x->program == NULL
				? "here, host_node_name or ENV_NAME"
			    : x->has_num
				? "program_name, group_name, process_num, "
				  "numprocs, host_node_name, here or ENV_NAME"
				: "program_name, group_name, host_node_name, "
				  "here or ENV_NAME (process_num only in the "
				  "per-process keys, as in supervisord)");
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
 * A character of a word for supervisord's environment lexer: Python's
 * shlex.wordchars (ASCII letters, digits, '_' and the Latin-1 letters
 * U+00C0-U+00FF but for U+00D7 and U+00F7) plus "/.+-():", as
 * dict_of_key_value_pairs sets them.  *len is the character's length in
 * bytes (a UTF-8 sequence is one character).
 */
static bool
sv_wordchar(const char *p, size_t *len)
{
	unsigned char c = (unsigned char)p[0];

	*len = 1;
	if (c < 0x80)
		return isalnum(c) || c == '_' || strchr("/.+-():", c) != NULL;
	if (c >= 0xc2 && c <= 0xc3 && ((unsigned char)p[1] & 0xc0) == 0x80) {
		unsigned cp =
		    ((c & 0x1fu) << 6) | ((unsigned char)p[1] & 0x3fu);

		*len = 2;
		return cp >= 0xc0 && cp != 0xd7 && cp != 0xf7;
	}
	/* Any other character, as a whole UTF-8 sequence. */
	while (((unsigned char)p[*len] & 0xc0) == 0x80)
		(*len)++;
	return false;
}

/*
 * Split as Python's shlex does in its default (non-POSIX) mode, the
 * way supervisord's dict_of_key_value_pairs splits an environment: a
 * word is a run of word characters; a quoted string is a token with its
 * quotes, ended by its closing quote; a quote inside a word is part of
 * it; '#' comments to the end of the line; any other character is a
 * token of its own; blanks separate.  Returns -1 with why on an
 * unterminated quote.
 */
static int
sv_shlex(const char *v, char ***toks, size_t *n, char *why)
{
	const char *p = v;

	*toks = NULL;
	*n = 0;
	while (*p != '\0') {
		const char *start = p;
		size_t len;

		if (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n') {
			p++;
			continue;
		}
		if (*p == '#') {
			while (*p != '\0' && *p != '\n')
				p++;
			continue;
		}
		if (*p == '"' || *p == '\'') {
			const char *close = strchr(p + 1, *p);

			if (close == NULL) {
				snprintf(why, PARSE_WHY,
					 "no closing quotation (%c)", *p);
				goto fail;
			}
			p = close + 1;
		} else if (sv_wordchar(p, &len)) {
			while (*p != '\0') {
				if (*p == '"' || *p == '\'') {
					p++;
					continue;
				}
				if (!sv_wordchar(p, &len))
					break;
				p += len;
			}
		} else {
			p += len;
		}
		*toks = xrealloc(*toks, (*n + 1) * sizeof(char *));
		(*toks)[(*n)++] = xasprintf("%.*s", (int)(p - start), start);
	}
	return 0;

fail:
	for (size_t i = 0; i < *n; i++)
		free((*toks)[i]);
	free(*toks);
	*toks = NULL;
	*n = 0;
	return -1;
}

/*
 * supervisord's environment syntax, read as its dict_of_key_value_pairs
 * reads it: the shlex tokens taken four at a time as KEY = VALUE and a
 * separator (a comma, as written; whatever it is, it is skipped), the
 * value stripped of the quotes around it.  Appends the pairs to env.
 * Returns -1 with why on a malformed list.
 */
static int
sv_environment(const char *v, char ***env, size_t *n, char *why)
{
	char **t;
	size_t nt;
	int rc = 0;

	if (sv_shlex(v, &t, &nt, why) == -1)
		return -1;
	for (size_t i = 0; i < nt; i += 4) {
		char *val, *word;
		size_t vl, nl;

		if (nt - i < 3 || strcmp(t[i + 1], "=") != 0) {
			snprintf(
			    why, PARSE_WHY,
			    "expected KEY=value pairs separated by commas; "
			    "\"%.40s\" is not followed by = and a value "
			    "(quote a value that holds other characters "
			    "than letters, digits and _/.+-():)",
			    t[i]);
			rc = -1;
			break;
		}
		val = t[i + 2];
		vl = strlen(val);
		while (*val == '"' || *val == '\'')
			val++, vl--;
		while (vl > 0 && (val[vl - 1] == '"' || val[vl - 1] == '\''))
			vl--;
		word = xasprintf("%s=%.*s", t[i], (int)vl, val);
		if (parse_env_assignment(word, &nl, why) == -1) {
			char inner[PARSE_WHY];

			snprintf(inner, sizeof(inner), "%s", why);
			snprintf(why, PARSE_WHY, "\"%.40s\": %.180s", word,
				 inner);
			free(word);
			rc = -1;
			break;
		}
		config_env_set(env, n, word);
		free(word);
	}
	for (size_t i = 0; i < nt; i++)
		free(t[i]);
	free(t);
	return rc;
}

/* The directory of a file, absolute, for %(here)s; malloc'd. */
static char *
sv_here(const char *file)
{
	char *here = xstrdup(file), *abs;

	*(strrchr(here, '/') ? strrchr(here, '/') : here) = '\0';
	abs = realpath(here[0] ? here : (file[0] == '/' ? "/" : "."), NULL);
	if (abs != NULL) {
		free(here);
		return abs;
	}
	return here;
}

/*
 * Cut an inline comment as configparser does for supervisord: a ';' or
 * '#' after a blank ends the value (inih cuts only ';').
 */
static char *
sv_uncomment(const char *value)
{
	char *v = xstrdup(value);

	for (char *p = v; *p != '\0'; p++) {
		if ((*p == '#' || *p == ';') && p > v &&
		    (p[-1] == ' ' || p[-1] == '\t')) {
			*p = '\0';
			break;
		}
	}
	for (size_t n = strlen(v);
	     n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t');)
		v[--n] = '\0';
	return v;
}

/* True unless user (a name or uid) is the one stewardd runs as. */
static bool
sv_user_differs(const char *user)
{
	struct passwd *pw = getpwnam(user);
	char *end;
	unsigned long id;

	if (pw != NULL)
		return pw->pw_uid != geteuid();
	id = strtoul(user, &end, 10);
	return *user == '\0' || *end != '\0' || id != (unsigned long)geteuid();
}

/*
 * A key of [unix_http_server] (file, chmod, chown, username, password),
 * into cfg->unix_http; the others are warned about.  %(here)s and
 * %(ENV_X)s are expanded as supervisord does.
 */
static void
config_sv_http_key(struct config_state *st, const char *key, const char *value)
{
	bool inet = st->sv_other == 2;
	const char *sec = inet ? "inet_http_server" : "unix_http_server";
	struct http_spec *h = inet ? &st->cfg->inet_http : &st->cfg->unix_http;
	struct sv_expand x = {0};
	char why[PARSE_WHY], *here = sv_here(st->path), *e;

	x.here = here;
	if (gethostname(x.host, sizeof(x.host)) == -1)
		snprintf(x.host, sizeof(x.host), "localhost");
	e = sv_expand(&x, value, why);
	free(here);
	if (e == NULL)
		return; /* reported by the caller's check */
	if (inet && strcmp(key, "port") == 0) {
		/* supervisord's inet_address: [HOST:]PORT, "*" any host. */
		char *colon = strrchr(e, ':'), *end;
		const char *port = colon != NULL ? colon + 1 : e;
		unsigned long n;

		errno = 0;
		n = strtoul(port, &end, 10);
		if (*port == '\0' || *end != '\0' || errno != 0 || n == 0 ||
		    n > 65535) {
			config_bad(st, sec, key, value,
				   "PORT or HOST:PORT with a port of 1 to "
				   "65535 is accepted");
		} else {
			free(h->host);
			free(h->port);
			h->host = colon == NULL ? xstrdup("")
				  : colon - e == 1 && e[0] == '*'
				      ? xstrdup("")
				      : xasprintf("%.*s", (int)(colon - e), e);
			h->port = xstrdup(port);
		}
	} else if (!inet && strcmp(key, "file") == 0) {
		if (e[0] != '/') {
			config_bad(st, sec, key, value,
				   "an absolute path is needed (stewardd "
				   "creates the socket there)");
		} else {
			free(h->file);
			h->file = xstrdup(e);
		}
	} else if (!inet && strcmp(key, "chmod") == 0) {
		char *end;
		unsigned long m;

		errno = 0;
		m = strtoul(e, &end, 8);
		if (*e == '\0' || *end != '\0' || errno != 0 || m > 07777)
			config_bad(st, sec, key, value,
				   "an octal mode such as 0700 is accepted");
		else
			h->mode = (mode_t)m;
	} else if (!inet && strcmp(key, "chown") == 0) {
		char *colon = strchr(e, ':');
		struct passwd *pw;
		struct group *gr = NULL;

		if (colon != NULL)
			*colon = '\0';
		pw = getpwnam(e);
		if (pw != NULL && colon != NULL)
			gr = getgrnam(colon + 1);
		if (pw == NULL || (colon != NULL && gr == NULL)) {
			config_bad(st, sec, key, value,
				   "USER or USER:GROUP of this system is "
				   "accepted");
		} else {
			h->uid = pw->pw_uid;
			h->gid = gr != NULL ? gr->gr_gid : pw->pw_gid;
		}
	} else if (strcmp(key, "username") == 0 ||
		   strcmp(key, "password") == 0) {
		char **slot = key[0] == 'u' ? &h->username : &h->password;

		if (key[0] == 'p' && strncmp(e, "{SHA}", 5) == 0) {
			config_bad(st, sec, key, value,
				   "a {SHA} password is not served yet; give "
				   "the password itself");
		} else {
			free(*slot);
			*slot = xstrdup(e);
		}
	} else {
		config_problem(st, CONFIG_WARNING, st->lineno,
			       "[%s] %s is not a key stewardd serves (%s, "
			       "username, password); ignored",
			       sec, key, inet ? "port" : "file, chmod, chown");
	}
	free(e);
}

/* A KEY = VALUE in a supervisord section; see config-internal.h. */
void
config_sv_key(struct config_state *st, const char *key, const char *value,
	      bool continuation)
{
	struct config_program *p;
	char section[80], lkey[64], *v;

	/* configparser folds keys to lower case. */
	snprintf(lkey, sizeof(lkey), "%s", key);
	for (char *c = lkey; *c != '\0'; c++)
		*c = (char)tolower((unsigned char)*c);
	key = lkey;
	v = sv_uncomment(value);
	value = v;
	if (st->sec == SEC_SV_INCLUDE) {
		if (st->file != 0) {
			/* reported at the header: not followed */
		} else if (strcmp(key, "files") != 0) {
			config_problem(
			    st, CONFIG_WARNING, st->lineno,
			    "[include] %s is not a key of [include]; ignored",
			    key);
		} else if (continuation && st->include != NULL) {
			char *both = xasprintf("%s %s", st->include, value);

			free(st->include);
			st->include = both;
		} else {
			/* Expanded with here, host_node_name and ENV_. */
			struct sv_expand x = {0};
			char why[PARSE_WHY], *here = sv_here(st->path), *e;

			x.here = here;
			if (gethostname(x.host, sizeof(x.host)) == -1)
				snprintf(x.host, sizeof(x.host), "localhost");
			e = sv_expand(&x, value, why);
			if (e == NULL) {
				config_bad(st, "include", key, value, why);
			} else {
				if (st->include != NULL)
					config_problem(
					    st, CONFIG_WARNING, st->lineno,
					    "[include] files is already set at "
					    "line %d; this later value is "
					    "used, "
					    "as supervisord does",
					    st->include_line);
				free(st->include);
				st->include = e;
				st->include_line = st->lineno;
				st->include_sv = true;
			}
			free(here);
		}
		free(v);
		return;
	}
	if ((st->sec == SEC_SV_MAIN && strcmp(key, "environment") != 0) ||
	    (st->sec == SEC_SV_OTHER &&
	     (st->sv_other == 1 || st->sv_other == 2))) {
		/* supervisord expands these too, and refuses to start when
		 * it cannot (a %(ENV_X)s of an unset X). */
		struct sv_expand x = {0};
		char why[PARSE_WHY], *here = sv_here(st->path), *e;

		x.here = here;
		if (gethostname(x.host, sizeof(x.host)) == -1)
			snprintf(x.host, sizeof(x.host), "localhost");
		if ((e = sv_expand(&x, value, why)) == NULL)
			config_bad(st,
				   st->sec == SEC_SV_MAIN ? "supervisord"
				   : st->sv_other == 1    ? "unix_http_server"
							  : "inet_http_server",
				   key, value, why);
		free(e);
		free(here);
	}
	if (st->sec == SEC_SV_MAIN) {
		if (strcmp(key, "environment") == 0) {
			if (!continuation) {
				free(st->sv_env_raw);
				st->sv_env_raw = NULL;
				st->sv_env_line = st->lineno;
			}
			sv_append(&st->sv_env_raw, value);
		} else if (strcmp(key, "user") == 0 && !continuation &&
			   sv_user_differs(value)) {
			config_problem(
			    st, CONFIG_WARNING, st->lineno,
			    "[supervisord] user = %s: stewardd does not change "
			    "its own user; a program without user= runs as "
			    "stewardd's user",
			    value);
		}
		free(v);
		return;
	}
	if (st->sec == SEC_SV_OTHER) {
		/* Where supervisord serves, for SUPERVISOR_SERVER_URL. */
		char **slot = st->sv_other == 1 && strcmp(key, "file") == 0
				  ? &st->sv_unix_file
			      : st->sv_other == 2 && strcmp(key, "port") == 0
				  ? &st->sv_inet_port
				  : NULL;

		if (slot != NULL && !continuation) {
			free(*slot);
			*slot = xstrdup(value);
			st->sv_server_file = st->path;
		}
		if ((st->sv_other == 1 || st->sv_other == 2) && !continuation)
			config_sv_http_key(st, key, value);
		free(v);
		return;
	}
	if (st->sec != SEC_PROGRAM || st->cur == NULL) {
		free(v);
		return;
	}
	p = st->cur->prog;
	snprintf(section, sizeof(section), "%s:%s", st->cur->spec.kind,
		 st->cur->spec.name);
	for (int k = 0; k < SV_NKEYS; k++) {
		if (strcmp(key, sv_key_names[k]) != 0)
			continue;
		if (k >= SV_EVENTS &&
		    strcmp(st->cur->spec.kind, "eventlistener") != 0) {
			config_problem(st, CONFIG_WARNING, st->lineno,
				       "[%s] %s is a key of "
				       "[eventlistener:NAME] sections; ignored",
				       section, key);
			free(v);
			return;
		}
		if (continuation) {
			sv_append(&p->raw[k], value);
			free(v);
			return;
		}
		if (p->line[k] != 0)
			config_problem(
			    st, CONFIG_WARNING, st->lineno,
			    "[%s] %s is already set at %s:%d; this later "
			    "value is used, as supervisord does",
			    section, key, p->kfile[k], p->line[k]);
		free(p->raw[k]);
		p->line[k] = st->lineno;
		p->kfile[k] = st->path;
		p->raw[k] = v;
		return;
	}
	for (size_t i = 0;
	     i < sizeof(sv_steward_keys) / sizeof(sv_steward_keys[0]); i++) {
		if (strcmp(key, sv_steward_keys[i]) != 0)
			continue;
		if (strchr(value, '%') != NULL) {
			/* Expanded once every section is read, as the
			 * program's own keys are. */
			struct sv_later *l;

			p->later = xrealloc(p->later, (p->nlater + 1) *
							  sizeof(*p->later));
			l = &p->later[p->nlater++];
			l->key = xstrdup(key);
			l->value = v;
			l->line = st->lineno;
			l->file = st->path;
			return;
		}
		config_ward_key(st, section, key, value);
		free(v);
		return;
	}
	for (size_t i = 0;
	     i < sizeof(sv_ignored_keys) / sizeof(sv_ignored_keys[0]); i++) {
		if (strcmp(key, sv_ignored_keys[i]) == 0) {
			config_problem(
			    st, CONFIG_WARNING, st->lineno,
			    "[%s] %s is supervisord's log rotation, capture or "
			    "events, which steward does not do; ignored",
			    section, key);
			free(v);
			return;
		}
	}
	config_unknown_key(st, section, key, sv_key_names, SV_NKEYS);
	free(v);
}

/* Report a bad value of a program key, in the file and line it is on. */
static void
sv_bad_val(struct config_state *st, struct config_ward *cw, enum sv_key k,
	   const char *val, const char *why)
{
	const struct config_program *p = cw->prog;
	int saved_line = st->lineno, saved_file = st->file;
	const char *saved_path = st->path;
	char section[80];

	snprintf(section, sizeof(section), "%s:%.64s", cw->spec.kind,
		 cw->spec.name);
	st->lineno = p->line[k] ? p->line[k] : cw->spec.line;
	if (p->kfile[k] != NULL) {
		st->path = p->kfile[k];
		for (size_t f = 0; f < st->cfg->nfiles; f++)
			if (st->cfg->files[f] == p->kfile[k])
				st->file = (int)f;
	}
	if (val != NULL && p->raw[k] != NULL && strcmp(val, p->raw[k]) != 0) {
		char *both = xasprintf("expanded to \"%.200s\": %s", val, why);

		config_bad(st, section, sv_key_names[k], p->raw[k], both);
		free(both);
	} else {
		config_bad(st, section, sv_key_names[k],
			   p->raw[k] ? p->raw[k] : "", why);
	}
	st->lineno = saved_line;
	st->path = saved_path;
	st->file = saved_file;
}

/* Report a bad value of a program key as written. */
static void
sv_bad(struct config_state *st, struct config_ward *cw, enum sv_key k,
       const char *why)
{
	sv_bad_val(st, cw, k, NULL, why);
}

/*
 * A program key's value, expanded as supervisord expands every value it
 * reads (x says which names are known).  *out is NULL when the key is not
 * set.  Returns -1 after reporting a failed expansion.
 */
static int
sv_get(struct config_state *st, struct config_ward *cw, struct sv_expand *x,
       enum sv_key k, char **out)
{
	const struct config_program *p = cw->prog;
	char why[PARSE_WHY], *here = NULL;
	const char *saved = x->here;

	*out = NULL;
	if (p->raw[k] == NULL)
		return 0;
	if (p->kfile[k] != NULL && p->kfile[k] != p->file)
		x->here = here = sv_here(p->kfile[k]);
	*out = sv_expand(x, p->raw[k], why);
	x->here = saved;
	free(here);
	if (*out == NULL) {
		sv_bad(st, cw, k, why);
		return -1;
	}
	return 0;
}

/* A boolean the way supervisord writes them. */
static int
sv_bool(struct config_state *st, struct config_ward *cw, enum sv_key k,
	const char *val, bool dflt, bool *out)
{
	char why[PARSE_WHY];

	*out = dflt;
	if (val == NULL)
		return 0;
	if (parse_bool(val, out, why) == -1) {
		sv_bad_val(st, cw, k, val, why);
		return -1;
	}
	return 0;
}

/* A whole number as Python's int() reads it: blanks around allowed. */
static int
sv_long(const char *v, long lo, long hi, long *out, char *why)
{
	char *t = xstrdup(v), *s = t;
	int rc;

	while (*s == ' ' || *s == '\t' || *s == '\n')
		s++;
	for (size_t n = strlen(s);
	     n > 0 &&
	     (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n');)
		s[--n] = '\0';
	if (*s == '+')
		s++;
	rc = parse_long(s, lo, hi, out, why);
	free(t);
	return rc;
}

/*
 * Where a log file key sends output: AUTO, NONE (or OFF), syslog, or a
 * path.  A relative path is taken from stewardd's working directory, as
 * supervisord takes it from its own; the file's directory must exist, as
 * supervisord requires.  *relative says a relative path was made
 * absolute.
 */
static int
sv_logfile(const char *v, struct config_output *o, bool *relative, char *why)
{
	struct stat sb;
	char *dir, *slash;

	free(o->path);
	o->path = NULL;
	*relative = false;
	if (v == NULL || strcasecmp(v, "AUTO") == 0) {
		o->kind = CONFIG_OUT_INHERIT; /* no childlogdir: stewardd's */
		return 0;
	}
	if (strcasecmp(v, "NONE") == 0 || strcasecmp(v, "OFF") == 0) {
		o->kind = CONFIG_OUT_NULL;
		return 0;
	}
	if (strcasecmp(v, "syslog") == 0) {
		snprintf(
		    why, PARSE_WHY,
		    "steward does not send output to syslog; expected AUTO, "
		    "NONE or a file path");
		return -1;
	}
	if (v[0] == '\0') {
		snprintf(why, PARSE_WHY, "expected AUTO, NONE or a file path");
		return -1;
	}
	if (v[0] != '/') {
		char cwd[PATH_MAX];

		if (getcwd(cwd, sizeof(cwd)) == NULL) {
			snprintf(why, PARSE_WHY,
				 "a relative path, and stewardd's working "
				 "directory is unknown: %s",
				 strerror(errno));
			return -1;
		}
		o->path = xasprintf("%s/%s", strcmp(cwd, "/") ? cwd : "", v);
		*relative = true;
	} else {
		o->path = xstrdup(v);
	}
	dir = xstrdup(o->path);
	slash = strrchr(dir, '/');
	slash[slash == dir ? 1 : 0] = '\0';
	if (stat(dir, &sb) == -1 || !S_ISDIR(sb.st_mode)) {
		snprintf(why, PARSE_WHY,
			 "its directory %.150s does not exist (supervisord "
			 "refuses to start too); create it",
			 dir);
		free(dir);
		free(o->path);
		o->path = NULL;
		return -1;
	}
	free(dir);
	o->kind = CONFIG_OUT_FILE;
	return 0;
}

/* One log file key of one process; -1 after reporting. */
static int
sv_proc_logfile(struct config_state *st, struct config_ward *cw,
		struct sv_expand *x, enum sv_key k, struct config_output *o,
		bool warn)
{
	char why[PARSE_WHY], *v;
	bool relative;

	if (sv_get(st, cw, x, k, &v) == -1)
		return -1;
	if (sv_logfile(v, o, &relative, why) == -1) {
		sv_bad_val(st, cw, k, v, why);
		free(v);
		return -1;
	}
	if (relative && warn)
		config_problem(st, CONFIG_WARNING, cw->prog->line[k],
			       "[program:%s] %s = \"%s\" is relative: it is "
			       "%s, from stewardd's working directory, as "
			       "supervisord takes it from its own",
			       cw->spec.name, sv_key_names[k], v, o->path);
	free(v);
	return 0;
}

/*
 * The per-process values of one instance (x->num set); problems are
 * reported for the first process only (first).  -1 after reporting.
 */
static int
sv_proc(struct config_state *st, struct config_ward *cw, struct sv_expand *x,
	struct ward_proc *pr, bool redirect, const char *serverurl, bool first)
{
	struct config_program *p = cw->prog;
	char why[PARSE_WHY], *v;
	char **penv = xcalloc(1, sizeof(char *));
	size_t n = 0, pn = 0;
	int bad = 0;

	/* The program's environment first: its names extend ENV_. */
	x->env2 = NULL;
	x->n2 = 0;
	if (sv_get(st, cw, x, SV_ENVIRONMENT, &v) == -1)
		bad++;
	else if (v != NULL && sv_environment(v, &penv, &pn, why) == -1)
		sv_bad_val(st, cw, SV_ENVIRONMENT, v, why), bad++;
	free(v);
	x->env2 = penv;
	x->n2 = pn;
	if (p->raw[SV_PROCESS_NAME] == NULL) {
		pr->name = xstrdup(x->program);
	} else if (sv_get(st, cw, x, SV_PROCESS_NAME, &pr->name) == -1) {
		bad++;
	} else if (strpbrk(pr->name, " :/") != NULL || pr->name[0] == '\0') {
		sv_bad_val(st, cw, SV_PROCESS_NAME, pr->name,
			   "a process name may not be empty nor contain a "
			   "blank, ':' or '/' (as in supervisord)");
		bad++;
	}
	if (sv_get(st, cw, x, SV_COMMAND, &v) == -1)
		bad++;
	else if (parse_split(v, &pr->argv, &pr->argc, why) == -1 ||
		 (pr->argc == 0 &&
		  snprintf(why, PARSE_WHY, "an empty command") > 0))
		sv_bad_val(st, cw, SV_COMMAND, v, why), bad++;
	free(v);
	if (sv_get(st, cw, x, SV_DIRECTORY, &pr->directory) == -1) {
		bad++;
	} else if (pr->directory != NULL && pr->directory[0] != '/') {
		/* supervisord chdirs to it from its own directory. */
		char cwd[PATH_MAX];

		if (getcwd(cwd, sizeof(cwd)) != NULL) {
			char *abs = xasprintf("%s/%s", cwd, pr->directory);

			free(pr->directory);
			pr->directory = abs;
		}
	}
	if (sv_proc_logfile(st, cw, x, SV_STDOUT_LOGFILE, &pr->out, first) ==
	    -1)
		bad++;
	if (redirect)
		pr->err.kind = CONFIG_OUT_STDOUT;
	else if (sv_proc_logfile(st, cw, x, SV_STDERR_LOGFILE, &pr->err,
				 first) == -1)
		bad++;
	/* SUPERVISOR_*, then [supervisord] environment, then the program's. */
	pr->env = xcalloc(1, sizeof(char *));
	config_env_set(&pr->env, &n, "SUPERVISOR_ENABLED=1");
	if (serverurl != NULL) {
		v = xasprintf("SUPERVISOR_SERVER_URL=%s", serverurl);
		config_env_set(&pr->env, &n, v);
		free(v);
	}
	v = xasprintf("SUPERVISOR_PROCESS_NAME=%s", pr->name ? pr->name : "");
	config_env_set(&pr->env, &n, v);
	free(v);
	v = xasprintf("SUPERVISOR_GROUP_NAME=%s", x->group);
	config_env_set(&pr->env, &n, v);
	free(v);
	for (size_t i = 0; i < x->n1; i++)
		config_env_set(&pr->env, &n, x->env1[i]);
	for (size_t i = 0; i < pn; i++)
		config_env_set(&pr->env, &n, penv[i]);
	pr->nenv = n;
	x->env2 = NULL;
	x->n2 = 0;
	for (size_t i = 0; i < pn; i++)
		free(penv[i]);
	free(penv);
	return bad ? -1 : 0;
}

/*
 * [supervisord] environment, expanded (here, host_node_name, ENV_ from
 * stewardd's environment) and split once; its names then extend ENV_
 * for every program, as supervisord extends its expansions.
 */
static void
sv_main_env(struct config_state *st)
{
	struct sv_expand x = {0};
	char why[PARSE_WHY], *v, *here;
	int saved = st->lineno;

	if (st->sv_env_done)
		return;
	st->sv_env_done = true;
	st->sv_env = xcalloc(1, sizeof(char *));
	if (st->sv_env_raw == NULL)
		return;
	here = sv_here(st->cfg->path);
	x.here = here;
	if (gethostname(x.host, sizeof(x.host)) == -1)
		snprintf(x.host, sizeof(x.host), "localhost");
	st->lineno = st->sv_env_line;
	if ((v = sv_expand(&x, st->sv_env_raw, why)) == NULL ||
	    sv_environment(v, &st->sv_env, &st->sv_nenv, why) == -1)
		config_problem(st, CONFIG_ERROR, st->sv_env_line,
			       "[supervisord] environment: %s", why);
	st->lineno = saved;
	free(v);
	free(here);
}

/* The URL supervisord gives its programs in SUPERVISOR_SERVER_URL. */
static char *
sv_server_url(const struct config_state *st)
{
	if (st->sv_unix_file != NULL) {
		struct sv_expand x = {0};
		char why[PARSE_WHY], *here = sv_here(st->sv_server_file);
		char *f, *url;

		x.here = here;
		f = sv_expand(&x, st->sv_unix_file, why);
		free(here);
		if (f == NULL)
			return NULL;
		url = xasprintf("unix://%s", f);
		free(f);
		return url;
	}
	if (st->sv_inet_port != NULL) {
		const char *colon = strrchr(st->sv_inet_port, ':');
		char host[256];

		if (colon == NULL || colon == st->sv_inet_port ||
		    (colon - st->sv_inet_port == 1 &&
		     st->sv_inet_port[0] == '*'))
			snprintf(host, sizeof(host), "localhost");
		else
			snprintf(host, sizeof(host), "%.*s",
				 (int)(colon - st->sv_inet_port),
				 st->sv_inet_port);
		for (char *c = host; *c != '\0'; c++)
			*c = (char)tolower((unsigned char)*c);
		return xasprintf("http://%s:%s", host,
				 colon ? colon + 1 : st->sv_inet_port);
	}
	return NULL;
}

/* The [group:NAME] a program belongs to (the first), or NULL. */
static const struct config_group *
sv_group_of(struct config_state *st, const char *name)
{
	ssize_t g;

	if (!st->sv_members_done) {
		/* Every member once, O(1) a lookup after. */
		st->sv_members_done = true;
		for (size_t i = 0; i < st->ngroups; i++)
			for (size_t m = 0; m < st->groups[i].spec.nmembers; m++)
				(void)nametab_put(&st->sv_members,
						  st->groups[i].spec.members[m],
						  i);
	}
	g = nametab_get(&st->sv_members, name);
	return g >= 0 ? &st->groups[g] : NULL;
}

/*
 * An [eventlistener:NAME]'s own keys, as supervisord reads them
 * (options.py), expanded like every value: events (required; unknown
 * names are errors, names of events stewardd never sends are warnings),
 * buffer_size (at least 1, default 10), result_handler (only
 * supervisord's default can be honoured), and no redirect_stderr: its
 * stdout is the protocol.  Returns the number of errors.
 */
static int
sv_listener(struct config_state *st, struct config_ward *cw,
	    struct sv_expand *x, bool redirect)
{
	struct config_program *p = cw->prog;
	struct ward_spec *w = &cw->spec;
	char why[PARSE_WHY], *val[SV_NKEYS] = {0};
	int errors = 0;
	long v;

	for (int k = SV_EVENTS; k <= SV_RESULT_HANDLER; k++)
		if (sv_get(st, cw, x, (enum sv_key)k, &val[k]) == -1)
			errors++;
	w->buffer_size = 10;
	if (val[SV_BUFFER_SIZE] != NULL) {
		if (sv_long(val[SV_BUFFER_SIZE], 1, 100000, &v, why) == -1)
			sv_bad_val(st, cw, SV_BUFFER_SIZE, val[SV_BUFFER_SIZE],
				   why),
			    errors++;
		else
			w->buffer_size = (unsigned)v;
	}
	if (val[SV_RESULT_HANDLER] != NULL &&
	    strcmp(val[SV_RESULT_HANDLER],
		   "supervisor.dispatchers:default_handler") != 0)
		sv_bad_val(st, cw, SV_RESULT_HANDLER, val[SV_RESULT_HANDLER],
			   "a Python result handler cannot run in stewardd; "
			   "expected supervisor.dispatchers:default_handler "
			   "(OK accepts an event, anything else rejects it)"),
		    errors++;
	if (redirect)
		sv_bad(st, cw, SV_REDIRECT_STDERR,
		       "a listener's stdout is the event protocol; stderr "
		       "cannot go there (supervisord refuses it too)"),
		    errors++;
	if (p->raw[SV_STDOUT_LOGFILE] != NULL &&
	    strcasecmp(p->raw[SV_STDOUT_LOGFILE], "NONE") != 0)
		config_problem(st, CONFIG_WARNING, p->line[SV_STDOUT_LOGFILE],
			       "[eventlistener:%s] stdout_logfile is not "
			       "written: a listener's stdout is the event "
			       "protocol, read by stewardd",
			       w->name);
	if (p->raw[SV_EVENTS] == NULL) {
		config_problem(st, CONFIG_ERROR, w->line,
			       "[eventlistener:%s] has no events; add events "
			       "= PROCESS_STATE_FATAL (or PROCESS_STATE, "
			       "TICK_60, ...)",
			       w->name);
		errors++;
	} else if (val[SV_EVENTS] != NULL) {
		char *list = xstrdup(val[SV_EVENTS]), *save = NULL;

		for (char *t = strtok_r(list, ", \t\n", &save); t != NULL;
		     t = strtok_r(NULL, ", \t\n", &save)) {
			uint32_t bits;
			bool unsent;

			if (listener_event_parse(t, &bits, &unsent) == -1) {
				snprintf(why, sizeof(why),
					 "%s is not an event type; expected "
					 "PROCESS_STATE, PROCESS_STATE_FATAL "
					 "(or another state), TICK_5, TICK_60, "
					 "TICK_3600, SUPERVISOR_STATE_CHANGE "
					 "or EVENT",
					 t);
				sv_bad_val(st, cw, SV_EVENTS, val[SV_EVENTS],
					   why);
				errors++;
				continue;
			}
			if (unsent)
				config_problem(
				    st, CONFIG_WARNING, p->line[SV_EVENTS],
				    "[eventlistener:%s] events: stewardd never "
				    "sends %s events; the listener gets the "
				    "others",
				    w->name, t);
			w->listen_events |= bits;
		}
		free(list);
		if (w->listen_events == 0 && errors == 0)
			config_problem(
			    st, CONFIG_WARNING, p->line[SV_EVENTS],
			    "[eventlistener:%s] takes no event stewardd "
			    "sends: it runs, and is sent nothing",
			    w->name);
	}
	for (int k = 0; k < SV_NKEYS; k++)
		free(val[k]);
	return errors;
}

/* steward's keys of a program that held a %: expanded, then set. */
static void
sv_later_keys(struct config_state *st, struct config_ward *cw,
	      struct sv_expand *x)
{
	struct config_program *p = cw->prog;
	struct config_ward *saved_cur = st->cur;
	const char *saved_path = st->path;
	int saved_line = st->lineno;
	char section[80], why[PARSE_WHY], *v;

	snprintf(section, sizeof(section), "program:%.64s", cw->spec.name);
	st->cur = cw;
	for (size_t i = 0; i < p->nlater; i++) {
		st->lineno = p->later[i].line;
		st->path = p->later[i].file;
		if ((v = sv_expand(x, p->later[i].value, why)) == NULL) {
			config_bad(st, section, p->later[i].key,
				   p->later[i].value, why);
			continue;
		}
		config_ward_key(st, section, p->later[i].key, v);
		free(v);
	}
	st->cur = saved_cur;
	st->path = saved_path;
	st->lineno = saved_line;
}

/* Turn a [program:NAME]'s keys into its ward; see config-internal.h. */
void
config_sv_finish(struct config_state *st, struct config_ward *cw)
{
	static const enum sv_key common[] = {
	    SV_NUMPROCS,    SV_NUMPROCS_START, SV_UMASK,
	    SV_PRIORITY,    SV_AUTOSTART,      SV_AUTORESTART,
	    SV_EXITCODES,   SV_STARTSECS,      SV_STARTRETRIES,
	    SV_STOPSIGNAL,  SV_STOPWAITSECS,   SV_STOPASGROUP,
	    SV_KILLASGROUP, SV_USER,           SV_REDIRECT_STDERR,
	    SV_SERVERURL,
	};
	struct config_program *p = cw->prog;
	struct ward_spec *w = &cw->spec;
	const struct config_group *grp = sv_group_of(st, w->name);
	struct sv_expand x = {.program = w->name};
	char why[PARSE_WHY], *here, *val[SV_NKEYS] = {0}, *serverurl = NULL;
	long numprocs = 1, start = 0, v;
	bool redirect = false, b, killgroup = false;
	int errors = 0;

	x.group = grp != NULL ? grp->spec.name : w->name;
	/* Problems with these keys name their line (config_ward_finish). */
	cw->key_line[K_USER] = p->line[SV_USER];
	cw->key_line[K_DIRECTORY] = p->line[SV_DIRECTORY];
	cw->key_line[K_COMMAND] = p->line[SV_COMMAND];
	if (p->raw[SV_COMMAND] == NULL) {
		config_problem(st, CONFIG_ERROR, w->line,
			       "[program:%s] has no command; add command = "
			       "/path/to/program [ARGS...]",
			       w->name);
		return;
	}
	/* The file's directory and the host name, once per file. */
	if (st->sv_here_file != p->file) {
		free(st->sv_here_dir);
		st->sv_here_dir = sv_here(p->file);
		st->sv_here_file = p->file;
		if (gethostname(st->sv_host, sizeof(st->sv_host)) == -1)
			snprintf(st->sv_host, sizeof(st->sv_host), "localhost");
	}
	here = xstrdup(st->sv_here_dir);
	x.here = here;
	snprintf(x.host, sizeof(x.host), "%s", st->sv_host);
	sv_main_env(st);
	x.env1 = st->sv_env;
	x.n1 = st->sv_nenv;
	sv_later_keys(st, cw, &x);

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

	/* Every value is expanded, as supervisord does. */
	for (size_t i = 0; i < sizeof(common) / sizeof(common[0]); i++)
		if (sv_get(st, cw, &x, common[i], &val[common[i]]) == -1)
			errors++;

#define SV_NUM(key, lo, hi, dst)                                               \
	do {                                                                   \
		if (val[key] != NULL) {                                        \
			if (sv_long(val[key], lo, hi, &v, why) == -1) {        \
				sv_bad_val(st, cw, key, val[key], why);        \
				errors++;                                      \
			} else {                                               \
				dst = v;                                       \
			}                                                      \
		}                                                              \
	} while (0)

	/* Listeners start first and stop last (supervisord's -1). */
	if (strcmp(w->kind, "eventlistener") == 0)
		w->priority = -1;
	SV_NUM(SV_NUMPROCS, 1, CONFIG_REPLICAS_MAX, numprocs);
	SV_NUM(SV_NUMPROCS_START, 0, 1000000, start);
	SV_NUM(SV_PRIORITY, -1000000, 1000000, w->priority);
	SV_NUM(SV_STARTRETRIES, 0, 1000000, w->pol.start_retries);
	SV_NUM(SV_STARTSECS, 0, 86400 * 365, w->start_timeout_ms);
	if (val[SV_STARTSECS] != NULL && errors == 0)
		w->start_timeout_ms *= 1000;
	v = w->stop_timeout_ms / 1000;
	SV_NUM(SV_STOPWAITSECS, 0, 86400 * 365, v);
	w->stop_timeout_ms = v * 1000;
	if (val[SV_UMASK] != NULL) {
		char *end;

		v = strtol(val[SV_UMASK], &end, 8);
		if (*val[SV_UMASK] == '\0' || *end != '\0' || v < 0 ||
		    v > 0777) {
			sv_bad_val(st, cw, SV_UMASK, val[SV_UMASK],
				   "expected an octal mode such as 022");
			errors++;
		} else {
			w->umask = (int)v;
		}
	}
	if (sv_bool(st, cw, SV_AUTOSTART, val[SV_AUTOSTART], true,
		    &w->autostart) == -1)
		errors++;
	if (val[SV_AUTORESTART] != NULL) {
		const char *ar = val[SV_AUTORESTART];

		if (strcasecmp(ar, "unexpected") == 0)
			w->pol.restart = WARD_RESTART_ON_FAILURE;
		else if (parse_bool(ar, &b, why) == 0)
			w->pol.restart =
			    b ? WARD_RESTART_ALWAYS : WARD_RESTART_NEVER;
		else
			sv_bad_val(st, cw, SV_AUTORESTART, ar,
				   "expected true, false or unexpected"),
			    errors++;
	}
	memset(w->pol.success, 0, sizeof(w->pol.success));
	if (val[SV_EXITCODES] != NULL) {
		char *list = xstrdup(val[SV_EXITCODES]), *save = NULL;

		for (char *t = strtok_r(list, ", \t\n", &save); t != NULL;
		     t = strtok_r(NULL, ", \t\n", &save)) {
			if (parse_long(t, 0, 255, &v, why) == -1) {
				sv_bad_val(st, cw, SV_EXITCODES,
					   val[SV_EXITCODES],
					   "expected exit codes 0 to 255 "
					   "separated by commas, such as 0,2");
				errors++;
				break;
			}
			w->pol.success[v / 8] |= (uint8_t)(1u << (v % 8));
		}
		free(list);
	} else {
		w->pol.success[0] = 1;
	}
	if (val[SV_STOPSIGNAL] != NULL &&
	    parse_signal(val[SV_STOPSIGNAL], &w->stop_signal, why) == -1)
		sv_bad_val(st, cw, SV_STOPSIGNAL, val[SV_STOPSIGNAL], why),
		    errors++;
	if (sv_bool(st, cw, SV_STOPASGROUP, val[SV_STOPASGROUP], false,
		    &w->stop_group) == -1 ||
	    sv_bool(st, cw, SV_KILLASGROUP, val[SV_KILLASGROUP], w->stop_group,
		    &killgroup) == -1 ||
	    sv_bool(st, cw, SV_REDIRECT_STDERR, val[SV_REDIRECT_STDERR], false,
		    &redirect) == -1)
		errors++;
	else if (w->stop_group && !killgroup)
		sv_bad_val(st, cw, SV_KILLASGROUP, val[SV_KILLASGROUP],
			   "killasgroup = false with stopasgroup = true is "
			   "refused, as supervisord refuses it"),
		    errors++;
	w->kill_group = killgroup;
	if (redirect && p->raw[SV_STDERR_LOGFILE] != NULL &&
	    strcasecmp(p->raw[SV_STDERR_LOGFILE], "NONE") != 0 &&
	    strcasecmp(p->raw[SV_STDERR_LOGFILE], "AUTO") != 0)
		config_problem(
		    st, CONFIG_WARNING, p->line[SV_STDERR_LOGFILE],
		    "[program:%s] stderr_logfile is ignored: redirect_stderr "
		    "= true sends stderr to stdout_logfile",
		    w->name);
	if (val[SV_USER] != NULL) {
		w->user = val[SV_USER];
		val[SV_USER] = NULL;
	}
	if (strcmp(w->kind, "eventlistener") == 0)
		errors += sv_listener(st, cw, &x, redirect);
	if (val[SV_SERVERURL] != NULL) {
		char *s = val[SV_SERVERURL];

		while (*s == ' ' || *s == '\t')
			s++;
		if (strncasecmp(s, "AUTO", 4) != 0 ||
		    s[4 + strspn(s + 4, " \t")] != '\0')
			serverurl = xstrdup(val[SV_SERVERURL]);
	}
	if (serverurl == NULL)
		serverurl = sv_server_url(st);
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
	if (errors == 0) {
		w->replicas = (unsigned)numprocs;
		w->procs = xcalloc((size_t)numprocs, sizeof(*w->procs));
		x.has_num = true;
		x.numprocs = numprocs;
		for (long r = 0; r < numprocs; r++) {
			x.num = start + r;
			if (sv_proc(st, cw, &x, &w->procs[r], redirect,
				    serverurl, r == 0) == -1) {
				errors++;
				break;
			}
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
	/* A program in a [group:NAME] is ordered by the group's priority. */
	if (grp != NULL)
		w->priority = grp->line_priority ? (int)grp->priority : 999;
	for (int k = 0; k < SV_NKEYS; k++)
		free(val[k]);
	free(serverurl);
	free(here);
#undef SV_NUM
}

/*
 * [inet_http_server] steers every program: say so when no password
 * guards it or it listens beyond the loopback.
 */
static void
config_sv_inet_check(struct config_state *st)
{
	const struct http_spec *h = &st->cfg->inet_http;
	const char *host = h->host;

	if (h->port == NULL)
		return;
	if (h->password == NULL)
		config_problem(st, CONFIG_WARNING, 0,
			       "[inet_http_server] port = %s%s%s has no "
			       "password: anyone who can connect to it can "
			       "stop, start and signal every program (set "
			       "username and password)",
			       host, *host ? ":" : "", h->port);
	if (*host == '\0' ||
	    (strncmp(host, "127.", 4) != 0 && strcmp(host, "localhost") != 0 &&
	     strcmp(host, "::1") != 0))
		config_problem(st, CONFIG_WARNING, 0,
			       "[inet_http_server] port = %s%s%s listens "
			       "beyond the loopback: other machines can reach "
			       "supervisord's API there (give 127.0.0.1:%s "
			       "unless they must)",
			       host, *host ? ":" : "", h->port, h->port);
}

/* Checks of a supervisord.conf as a whole; see config-internal.h. */
void
config_sv_end(struct config_state *st)
{
	for (int i = 0; i < 2; i++) {
		const struct http_spec *h =
		    i == 0 ? &st->cfg->unix_http : &st->cfg->inet_http;
		const char *sec =
		    i == 0 ? "unix_http_server" : "inet_http_server";

		if ((h->username == NULL) != (h->password == NULL))
			config_problem(st, CONFIG_ERROR, 0,
				       "[%s]: username and password go "
				       "together (supervisord refuses one "
				       "alone)",
				       sec);
	}
	config_sv_inet_check(st);
	if (st->sv_include_line != 0 && !st->include_sv)
		config_problem(st, CONFIG_ERROR, st->sv_include_line,
			       "[include] has no files; add files = PATTERN "
			       "... (supervisord refuses it too)");
	/* A [group:NAME]'s priority orders its wards too. */
	nametab_free(&st->sv_members);
	free(st->sv_here_dir);
	st->sv_here_dir = NULL;
	for (size_t g = 0; g < st->ngroups; g++) {
		const struct config_group *cg = &st->groups[g];

		if (cg->line_priority == 0)
			continue;
		for (size_t m = 0; m < cg->spec.nmembers; m++) {
			ssize_t i =
			    nametab_get(&st->names, cg->spec.members[m]);

			if (i >= 0 && st->wards[i].prog == NULL &&
			    !st->wards[i].spec.is_job)
				st->wards[i].spec.priority = (int)cg->priority;
		}
	}
}
