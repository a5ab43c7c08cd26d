/*
 * The guard: a small process that outlives a killed stewardd just long
 * enough to kill every ward's process group.
 *
 * PR_SET_PDEATHSIG takes a ward's main process down with stewardd, but
 * not the processes that main process started.  So at startup stewardd
 * forks the guard, which leaves stewardd's session and process group (a
 * Ctrl-C or a kill of stewardd's group does not reach it) and holds the
 * read end of a pipe and a table it shares with stewardd, where stewardd
 * marks each process group it creates and clears each one before it
 * reaps its leader.  When the pipe ends without a goodbye (stewardd was
 * killed), the guard sends SIGKILL to every group the table still
 * holds, then exits.  On an orderly stop stewardd says goodbye
 * and reaps it.
 *
 * What can still escape is a process that left its ward's process group
 * (setsid or setpgid, as a daemon that double-forks does): stewardd kills
 * those at an orderly stop (they are its children, as the subreaper).
 * After a SIGKILL of stewardd, with cgroups (steward-cgroup.c) the guard
 * kills them through stewardd's cgroup.kill; without, they go to init.
 */
#ifndef STEWARD_GUARD_H
#define STEWARD_GUARD_H

#include <stdbool.h>
#include <sys/types.h>

#include "base/err.h"

struct guard {
	pid_t pid;            /* 0 when there is no guard */
	int fd;               /* write end, or -1 */
	unsigned char *table; /* shared, a byte per pid; or NULL */
};

/*
 * Fork the guard; -1 and *errp when it cannot be started.  cg names
 * stewardd's cgroup (parent -1: none): if stewardd dies, the guard
 * writes its cgroup.kill, which reaches the processes that left their
 * groups too, and removes the emptied tree.
 */
struct guard_cgroup {
	int parent;       /* the directory stewardd's cgroup is in, or -1 */
	const char *name; /* stewardd's cgroup, a child of parent */
};
int guard_start(struct guard *g, const struct guard_cgroup *cg,
		struct err **errp);

/* A new process group to kill if stewardd dies. */
void guard_add(struct guard *g, pid_t pgid);

/* A group whose leader is reaped: forget it. */
void guard_remove(struct guard *g, pid_t pgid);

/* Say goodbye (nothing to kill) and reap the guard. */
void guard_stop(struct guard *g);

#endif
