/*
 * A [program:NAME] or [eventlistener:NAME] turned into its ward once the
 * section is read, and the checks of a supervisord.conf as a whole.
 */
#include <ctype.h>
#include <stdio.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/config-supervisord.h"
#include "proto/listener-proto.h"

/* The name of each program key. */
const char *const sv_key_names[SV_NKEYS] = {
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
    [SV_STDOUT_LOGFILE_MAXBYTES] = "stdout_logfile_maxbytes",
    [SV_STDOUT_LOGFILE_BACKUPS] = "stdout_logfile_backups",
    [SV_STDERR_LOGFILE_MAXBYTES] = "stderr_logfile_maxbytes",
    [SV_STDERR_LOGFILE_BACKUPS] = "stderr_logfile_backups",
    [SV_ENVIRONMENT] = "environment",
    [SV_SERVERURL] = "serverurl",
    [SV_EVENTS] = "events",
    [SV_BUFFER_SIZE] = "buffer_size",
    [SV_RESULT_HANDLER] = "result_handler",
};

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
sv_logfile(const char *v, struct config_output *o, bool *relative,
	   const char *autopath, char *why)
{
	struct stat sb;
	char *dir, *slash;

	free(o->path);
	o->path = NULL;
	*relative = false;
	o->auto_dir = false;
	if (v == NULL || strcasecmp(v, "AUTO") == 0) {
		/* A file of its own in the log directory, made if need be
		 * (sv_auto_path). */
		o->kind = CONFIG_OUT_FILE;
		o->path = xstrdup(autopath);
		o->auto_dir = true;
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

/*
 * supervisord's byte size: a whole number, and KB, MB or GB (any case)
 * of 1024, 1024^2, 1024^3 bytes, as its datatypes.byte_size reads them.
 */
static int
sv_byte_size(const char *v, uint64_t *out, char *why)
{
	static const struct {
		const char *unit;
		uint64_t mult;
	} units[] = {{"", 1},
		     {"KB", UINT64_C(1) << 10},
		     {"MB", UINT64_C(1) << 20},
		     {"GB", UINT64_C(1) << 30}};
	uint64_t n = 0;
	const char *p = v;

	for (; *p >= '0' && *p <= '9'; p++) {
		if (n > UINT64_MAX / 10 - 1)
			goto bad;
		n = n * 10 + (uint64_t)(*p - '0');
	}
	if (p == v)
		goto bad;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcasecmp(p, units[i].unit) == 0 &&
		    n <= UINT64_MAX / units[i].mult) {
			*out = n * units[i].mult;
			return 0;
		}
	}
bad:
	snprintf(why, PARSE_WHY,
		 "expected a size in bytes, or with KB, MB or GB (as "
		 "supervisord reads it)");
	return -1;
}

/*
 * A log file's rotation, supervisord's stdout_logfile_maxbytes and
 * _backups (50MB and 10 when not given); -1 after reporting.
 */
static int
sv_proc_rotation(struct config_state *st, struct config_ward *cw,
		 struct sv_expand *x, enum sv_key kmax, enum sv_key kback,
		 struct config_output *o)
{
	char why[PARSE_WHY], *v;
	long n;
	int bad = 0;

	o->max_size = CONFIG_LOG_MAX_SIZE;
	o->backups = CONFIG_LOG_BACKUPS;
	if (sv_get(st, cw, x, kmax, &v) == -1)
		bad++;
	else if (v != NULL && sv_byte_size(v, &o->max_size, why) == -1)
		sv_bad_val(st, cw, kmax, v, why), bad++;
	free(v);
	if (sv_get(st, cw, x, kback, &v) == -1)
		bad++;
	else if (v != NULL &&
		 parse_long(v, 0, CONFIG_LOG_BACKUPS_MAX, &n, why) == -1)
		sv_bad_val(st, cw, kback, v, why), bad++;
	else if (v != NULL)
		o->backups = (unsigned)n;
	free(v);
	return bad ? -1 : 0;
}

/*
 * Where AUTO puts a process's stream: [supervisord] childlogdir, else
 * [steward] log_dir, else /var/log/steward for root and, as supervisord
 * does, the temporary directory ($TMPDIR, /tmp) for another user; the
 * file is NAME-stdout.log or NAME-stderr.log.
 */
static char *
sv_auto_path(const struct config_state *st, const char *name, enum sv_key k)
{
	const char *dir = st->sv_childlogdir;

	if (dir == NULL)
		dir = st->cfg->log_dir;
	if (dir == NULL && geteuid() == 0)
		dir = "/var/log/steward";
	if (dir == NULL && (dir = getenv("TMPDIR")) == NULL)
		dir = "/tmp";
	return xasprintf("%s/%s-%s.log", strcmp(dir, "/") ? dir : "", name,
			 k == SV_STDOUT_LOGFILE ? "stdout" : "stderr");
}

/* One log file key of one process; -1 after reporting. */
static int
sv_proc_logfile(struct config_state *st, struct config_ward *cw,
		struct sv_expand *x, enum sv_key k, struct config_output *o,
		const char *name, bool warn)
{
	char why[PARSE_WHY], *v, *autopath = sv_auto_path(st, name, k);
	bool relative;
	int rc;

	if (sv_get(st, cw, x, k, &v) == -1) {
		free(autopath);
		return -1;
	}
	rc = sv_logfile(v, o, &relative, autopath, why);
	free(autopath);
	if (rc == -1) {
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
	if (sv_proc_logfile(st, cw, x, SV_STDOUT_LOGFILE, &pr->out,
			    pr->name ? pr->name : x->program, first) == -1)
		bad++;
	if (redirect)
		pr->err.kind = CONFIG_OUT_STDOUT;
	else if (sv_proc_logfile(st, cw, x, SV_STDERR_LOGFILE, &pr->err,
				 pr->name ? pr->name : x->program, first) == -1)
		bad++;
	if (sv_proc_rotation(st, cw, x, SV_STDOUT_LOGFILE_MAXBYTES,
			     SV_STDOUT_LOGFILE_BACKUPS, &pr->out) == -1 ||
	    sv_proc_rotation(st, cw, x, SV_STDERR_LOGFILE_MAXBYTES,
			     SV_STDERR_LOGFILE_BACKUPS, &pr->err) == -1)
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
