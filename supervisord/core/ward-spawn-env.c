/*
 * A spawn's environment and program: stewardd's own environment as wards
 * inherit it, the contract's STEWARD_* variables, environment=, and the
 * program found on the ward's PATH.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/steward.h"
#include "core/ward-spawn-env.h"

/* The per-process part of a [program:NAME], or NULL for a ward. */
const struct ward_proc *
ward_spawn_proc(const struct ward_inst *wi)
{
	const struct ward_spec *w = wi->ward->spec;

	return w->procs != NULL ? &w->procs[wi->replica] : NULL;
}

/* The value of NAME in a NULL-terminated environment, or NULL. */
static const char *
spawn_getenv(char **envp, const char *name)
{
	size_t n = strlen(name);

	for (; *envp != NULL; envp++) {
		if (strncmp(*envp, name, n) == 0 && (*envp)[n] == '=')
			return *envp + n + 1;
	}
	return NULL;
}

/*
 * Find the program: a name with a slash is used as it is; otherwise the
 * first executable file of that name on the ward's PATH.
 */
char *
ward_spawn_resolve(const char *prog, char **envp, struct err **errp)
{
	const char *path = spawn_getenv(envp, "PATH");
	const char *p;

	if (strchr(prog, '/') != NULL)
		return xstrdup(prog);
	if (path == NULL)
		path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:"
		       "/sbin:/bin";
	for (p = path;;) {
		size_t n = strcspn(p, ":");
		char *cand = xasprintf("%.*s%s%s", (int)n, n ? p : "",
				       n ? "/" : "./", prog);
		struct stat sb;

		if (stat(cand, &sb) == 0 && S_ISREG(sb.st_mode) &&
		    access(cand, X_OK) == 0)
			return cand;
		free(cand);
		if (p[n] == '\0')
			break;
		p += n + 1;
	}
	*errp = ERR_ERRNO(ENOENT, "looking up \"%s\" on PATH", prog);
	err_set(*errp, "path", "%s", path);
	return NULL;
}

/* Set "NAME=value" (made for this spawn), replacing NAME. */
static void
spawn_setenv(struct spawn_env *env, char *assignment)
{
	size_t nl = strcspn(assignment, "=") + 1;

	if (env->nown == env->owncap) {
		env->owncap = env->owncap ? env->owncap * 2 : 16;
		env->own = xrealloc(env->own, env->owncap * sizeof(char *));
	}
	env->own[env->nown++] = assignment;
	for (size_t i = 0; i < env->n; i++) {
		if (env->v[i][0] == assignment[0] &&
		    strncmp(env->v[i], assignment, nl) == 0) {
			env->v[i] = assignment;
			return;
		}
	}
	if (env->n + 1 >= env->cap) {
		env->cap = env->cap * 2 + 8;
		env->v = xrealloc(env->v, env->cap * sizeof(char *));
	}
	env->v[env->n++] = assignment;
	env->v[env->n] = NULL;
}

void
ward_spawn_env_free(struct spawn_env *env)
{
	for (size_t i = 0; i < env->nown; i++)
		free(env->own[i]);
	free(env->own);
	free(env->v);
	*env = (struct spawn_env){0};
}

/*
 * stewardd's own environment as wards inherit it, worked out once: its
 * own supervisor's variables are not passed on.  Borrowed pointers into
 * environ, which stewardd never changes.
 */
void
ward_spawn_env_base(struct steward *s)
{
	size_t n = 0;

	for (char **e = s->environ; e != NULL && *e != NULL; e++)
		n++;
	s->spawn_env = xcalloc(n + 1, sizeof(char *));
	for (char **e = s->environ; e != NULL && *e != NULL; e++) {
		if (strncmp(*e, "STEWARD_", 8) == 0 ||
		    strncmp(*e, "NOTIFY_SOCKET=", 14) == 0 ||
		    strncmp(*e, "WATCHDOG_", 9) == 0)
			continue; /* stewardd's own supervisor's, not ours */
		s->spawn_env[s->spawn_nenv++] = *e;
	}
}

/*
 * The instance's environment: stewardd's own, then the contract's
 * STEWARD_* variables (and HOME, USER, LOGNAME for a ward's user=), then
 * environment=, which wins.
 */
void
ward_spawn_environment(struct steward *s, struct ward_inst *wi,
		       struct spawn_env *env, char **wdpid)
{
	const struct ward_spec *w = wi->ward->spec;

	env->cap = s->spawn_nenv + 16;
	env->v = xcalloc(env->cap, sizeof(char *));
	memcpy(env->v, s->spawn_env, s->spawn_nenv * sizeof(char *));
	env->n = s->spawn_nenv;
	spawn_setenv(env, xasprintf("STEWARD_WARD=%s", w->name));
	if (wi->ward->run != NULL) {
		spawn_setenv(env, xasprintf("STEWARD_JOB=%s", w->name));
		spawn_setenv(env,
			     xasprintf("STEWARD_RUN=%llu",
				       (unsigned long long)wi->ward->run_id));
	}
	spawn_setenv(env, xasprintf("STEWARD_REPLICA=%u", wi->replica));
	if (w->pol.heartbeat == WARD_HB_PIPE) {
		spawn_setenv(env, xstrdup("STEWARD_HEARTBEAT_FD=3"));
		spawn_setenv(
		    env, xasprintf("STEWARD_HEARTBEAT_INTERVAL_MS=%lld",
				   (long long)(w->heartbeat_timeout_ms / 2)));
	}
	if (w->pol.heartbeat == WARD_HB_NOTIFY) {
		spawn_setenv(env,
			     xasprintf("NOTIFY_SOCKET=%s", wi->notify.path));
		/* Only a watchdog is announced: without one, daemons
		 * built for systemd send READY=1 and no WATCHDOG=1. */
		if (w->pol.watchdog) {
			spawn_setenv(
			    env, xasprintf("WATCHDOG_USEC=%lld",
					   (long long)w->heartbeat_timeout_ms *
					       1000));
			*wdpid = xasprintf("WATCHDOG_PID=%-15s", "");
			spawn_setenv(env, *wdpid);
		}
	}
	/* supervisord leaves HOME, USER and LOGNAME as its own: so do its
	 * programs (procs != NULL) here. */
	if (w->has_user && w->procs == NULL) {
		spawn_setenv(env, xasprintf("USER=%s", w->user));
		spawn_setenv(env, xasprintf("LOGNAME=%s", w->user));
		spawn_setenv(env, xasprintf("HOME=%s", w->home));
	}
	for (size_t i = 0; i < w->nenv; i++) {
		if (*wdpid != NULL &&
		    strncmp(w->env[i], "WATCHDOG_PID=", 13) == 0)
			*wdpid = NULL; /* environment= replaced it */
		spawn_setenv(env, xstrdup(w->env[i]));
	}
	if (ward_spawn_proc(wi) != NULL) {
		const struct ward_proc *pr = ward_spawn_proc(wi);

		for (size_t i = 0; i < pr->nenv; i++) {
			if (*wdpid != NULL &&
			    strncmp(pr->env[i], "WATCHDOG_PID=", 13) == 0)
				*wdpid = NULL;
			spawn_setenv(env, xstrdup(pr->env[i]));
		}
	}
}
