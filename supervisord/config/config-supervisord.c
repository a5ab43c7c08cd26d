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
 * pool (listener.c); [group:x] is read by config-reader.c and
 * config-keys.c as a steward group;
 * [unix_http_server] and [inet_http_server] are served (http.c).  The
 * rest ([supervisorctl], [ctlplugin:x]: supervisorctl's; [rpcinterface:x]:
 * a Python factory, the interface being served by http.c) get one
 * warning each, never an error, so an existing supervisord.conf runs;
 * [fcgi-program:x] is an error.  A program
 * key steward understands but cannot honour (stdout_logfile = syslog) is
 * an error; keys of supervisord's that steward has no use for (capture
 * mode, events, syslog) are warnings.  The log files' rotation
 * (stdout_logfile_maxbytes, _backups) is stewardd's (output-sink.c).
 */
#include <ctype.h>
#include <stdio.h>
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/config-supervisord.h"

/* supervisord's program keys that steward reads and has no use for. */
static const char *const sv_ignored_keys[] = {
    "stdout_capture_maxbytes", "stdout_events_enabled", "stdout_syslog",
    "stderr_capture_maxbytes", "stderr_events_enabled", "stderr_syslog",
};

/* steward's own keys a [program:NAME] may use as well. */
static const char *const sv_steward_keys[] = {
    "heartbeat",     "heartbeat_timeout", "restart_limit",
    "backoff",       "environment_file",  "requires",
    "after",         "essential",         "output",
    "output_prefix", "output_timestamps",
};

/* Free a program's raw keys. */
static void
config_sv_program_free(struct config_program *p)
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

/* Make one of supervisord's sections the reader's current one. */
static void
sv_enter(struct config_state *st, enum sv_sec sec)
{
	st->sec = SEC_DIALECT;
	st->dialect_sec = (int)sec;
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
			sv_enter(st, SV_SEC_PROGRAM);
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
		sv_enter(st, SV_SEC_PROGRAM);
		return true;
	}
	if (strcmp(name, "include") == 0) {
		sv_enter(st, SV_SEC_INCLUDE);
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
		sv_enter(st, SV_SEC_MAIN);
		config_problem(
		    st, CONFIG_WARNING, st->lineno,
		    "[supervisord]: only its environment (given to every "
		    "program) and childlogdir are used; stewardd takes the "
		    "rest from [steward] and its command line");
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
				sv_enter(st, SV_SEC_OTHER);
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
	sv_enter(st, SV_SEC_OTHER);
	if (strncmp(name, "rpcinterface:", 13) == 0)
		config_problem(
		    st, CONFIG_WARNING, st->lineno,
		    "[%s] names a Python factory stewardd does not load; "
		    "its keys are ignored (stewardd serves supervisord's "
		    "XML-RPC interface itself, on the [unix_http_server] or "
		    "[inet_http_server] of this file)",
		    name);
	else
		config_problem(
		    st, CONFIG_WARNING, st->lineno,
		    "[%s] is supervisorctl's, not the daemon's: stewardd "
		    "ignores its keys (supervisorctl still reads them; "
		    "stewardctl talks to [steward] socket)",
		    name);
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

		if (key[0] == 'p' && strncmp(e, "{SHA}", 5) == 0 &&
		    (strlen(e) != 45 ||
		     strspn(e + 5, "0123456789abcdef") != 40)) {
			config_bad(st, sec, key, value,
				   "a {SHA} password is 40 lowercase hex "
				   "digits (the SHA-1 of the password) after "
				   "{SHA}");
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
	if (st->dialect_sec == SV_SEC_INCLUDE) {
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
	if ((st->dialect_sec == SV_SEC_MAIN &&
	     strcmp(key, "environment") != 0) ||
	    (st->dialect_sec == SV_SEC_OTHER &&
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
				   st->dialect_sec == SV_SEC_MAIN
				       ? "supervisord"
				   : st->sv_other == 1 ? "unix_http_server"
						       : "inet_http_server",
				   key, value, why);
		free(e);
		free(here);
	}
	if (st->dialect_sec == SV_SEC_MAIN) {
		if (strcmp(key, "environment") == 0) {
			if (!continuation) {
				free(st->sv_env_raw);
				st->sv_env_raw = NULL;
				st->sv_env_line = st->lineno;
			}
			sv_append(&st->sv_env_raw, value);
		} else if (strcmp(key, "childlogdir") == 0 && !continuation) {
			struct sv_expand x = {0};
			char why[PARSE_WHY];

			x.here = sv_here(st->path);
			if (gethostname(x.host, sizeof(x.host)) == -1)
				snprintf(x.host, sizeof(x.host), "localhost");
			free(st->sv_childlogdir);
			st->sv_childlogdir = sv_expand(&x, value, why);
			free((char *)x.here);
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
	if (st->dialect_sec == SV_SEC_OTHER) {
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
	if (st->dialect_sec != SV_SEC_PROGRAM || st->cur == NULL) {
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
			    "[%s] %s is supervisord's capture mode, events or "
			    "syslog, which steward does not do; ignored",
			    section, key);
			free(v);
			return;
		}
	}
	config_unknown_key(st, section, key, sv_key_names, SV_NKEYS);
	free(v);
}

/* Free what the dialect keeps in the reader's state and in its wards. */
static void
config_sv_free(struct config_state *st)
{
	for (size_t i = 0; i < st->nwards; i++) {
		config_sv_program_free(st->wards[i].prog);
		st->wards[i].prog = NULL;
	}
	free(st->sv_env_raw);
	for (size_t i = 0; i < st->sv_nenv; i++)
		free(st->sv_env[i]);
	free(st->sv_env);
	free(st->sv_unix_file);
	free(st->sv_childlogdir);
	free(st->sv_inet_port);
}

/* The supervisord.conf dialect, as config_load() plugs it in. */
const struct config_dialect config_sv_dialect = {
    .name = "supervisord",
    .section = config_sv_section,
    .key = config_sv_key,
    .finish = config_sv_finish,
    .end = config_sv_end,
    .free = config_sv_free,
};
