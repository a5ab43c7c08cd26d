/*
 * Reading steward.ini (see config.h for the contract): config_load()
 * drives the reader over the main file and its includes, checks every
 * ward and the links between them, and hands the result over.  The
 * reader is in config-reader.c, the keys in config-keys.c, the
 * supervisord.conf dialect in config-supervisord*.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "config/config-internal.h"

/* The default socket's directory; meson passes -Drunstatedir=. */
#ifndef STEWARD_RUNSTATEDIR
#define STEWARD_RUNSTATEDIR "/run"
#endif

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

/* Read and validate a config file and its includes; see config.h. */
struct config *
config_load(const char *path, struct config_report *rep)
{
	struct config_state st = {.rep = rep, .dialect = &config_sv_dialect};
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
	st.dialect->end(&st);
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
	c->groups = xcalloc(st.ngroups ? st.ngroups : 1, sizeof(*c->groups));
	for (size_t i = 0; i < st.ngroups; i++)
		c->groups[c->ngroups++] = st.groups[i].spec;
	st.dialect->free(&st);
	free(st.groups);
	free(st.wards);
	nametab_free(&st.names);
	nametab_free(&st.group_names);
	free(st.include);
	config_lookup_free(st.lookup);
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
	free(c->log_dir);
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
