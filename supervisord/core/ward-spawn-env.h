/*
 * What a spawn hands its child besides descriptors: the environment and
 * the resolved program (ward-spawn-env.c), for ward-spawn.c.
 */
#ifndef STEWARD_WARD_SPAWN_ENV_H
#define STEWARD_WARD_SPAWN_ENV_H

#include <stddef.h>

#include "base/err.h"
#include "config/config.h"

struct steward;
struct ward_inst;

/*
 * An environment being built: entries borrowed from stewardd's own
 * environment (never freed) and entries made for this spawn (in own[],
 * freed with the vector, even those a later entry replaced).
 */
struct spawn_env {
	char **v; /* NULL-terminated */
	size_t n, cap;
	char **own;
	size_t nown, owncap;
};

/* The per-process part of a [program:NAME], or NULL for a ward. */
const struct ward_proc *ward_spawn_proc(const struct ward_inst *wi);
/*
 * Find the program: a name with a slash is used as it is; otherwise the
 * first executable file of that name on the ward's PATH.  NULL and
 * *errp when there is none.
 */
char *ward_spawn_resolve(const char *prog, char **envp, struct err **errp);
/* stewardd's own environment as wards inherit it (s->spawn_env), worked
 * out once. */
void ward_spawn_env_base(struct steward *s);
/*
 * The instance's environment: stewardd's own, then the contract's
 * STEWARD_* variables (and HOME, USER, LOGNAME for a ward's user=), then
 * environment=, which wins.  *wdpid: the WATCHDOG_PID= entry the child
 * fills in, or NULL.
 */
void ward_spawn_environment(struct steward *s, struct ward_inst *wi,
			    struct spawn_env *env, char **wdpid);
/* Free what an environment made. */
void ward_spawn_env_free(struct spawn_env *env);

#endif
