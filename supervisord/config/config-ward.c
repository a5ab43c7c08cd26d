/*
 * A ward as a whole, once its section is read: its identity, its timers,
 * its command and its output files checked against this machine.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/config-internal.h"
#include "base/safepath.h"

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
void
config_ward_finish(struct config_state *st, struct config_ward *cw)
{
	struct ward_spec *w = &cw->spec;
	const int *kl = cw->key_line;

	if (cw->prog != NULL)
		st->dialect->finish(st, cw);
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
void
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
	if (o->auto_dir && access(o->path, F_OK) == -1 && errno == ENOENT) {
		/* AUTO: stewardd makes the log directory when it is missing,
		 * and the file. */
		return;
	}
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
void
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
void
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
