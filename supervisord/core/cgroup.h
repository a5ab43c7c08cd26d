/*
 * cgroupfs, version 2: the few operations stewardd needs, each relative
 * to a directory descriptor (see cgroup.c for the rules).
 *
 * Nothing here knows about wards: steward-cgroup.c decides which cgroup
 * an instance lives in and when it is ended.  Every function works on any
 * directory that looks like cgroupfs, so tests/unit/test-cgroup.c runs
 * them against a temporary directory with the same files.
 */
#ifndef STEWARD_CGROUP_H
#define STEWARD_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/err.h"

/* The limits of a [ward:NAME]; 0 (or CGROUP_UNSET) means not set. */
#define CGROUP_MAX UINT64_MAX /* the value "max" */
struct cgroup_limits {
	uint64_t memory_max;     /* bytes, CGROUP_MAX, or 0: unset */
	uint64_t memory_high;    /* bytes, CGROUP_MAX, or 0: unset */
	uint64_t pids_max;       /* processes, CGROUP_MAX, or 0: unset */
	uint64_t cpu_weight;     /* 1-10000, or 0: unset */
	uint64_t cpu_quota_us;   /* cpu_max: per period, CGROUP_MAX, or 0 */
	uint64_t cpu_period_us;  /* cpu_max's period */
	uint64_t memory_restart; /* bytes, or 0: unset */
	int64_t memory_restart_for_ms; /* how long above it before a heal */
	char controllers[80];          /* cgroup_controllers: more to enable, as
					  "hugetlb io", or "" */
};

/* True when any key of l needs a controller. */
bool cgroup_limits_any(const struct cgroup_limits *l);

/*
 * The controllers the set keys of l need, as a space-separated list in
 * buf ("memory pids cpu", then those of cgroup_controllers not there
 * yet); empty when none.
 */
void cgroup_limits_controllers(const struct cgroup_limits *l, char *buf,
			       size_t len);

/*
 * The key of l that needs controller ctl (one of
 * cgroup_limits_controllers'), for people: "memory_max".
 */
const char *cgroup_limits_key(const struct cgroup_limits *l, const char *ctl);

/*
 * Is the n bytes at name a cgroup v2 controller the kernel knows (cpu,
 * cpuset, io, memory, pids, rdma, hugetlb, misc)?  The list, for people,
 * is CGROUP_KNOWN.
 */
#define CGROUP_KNOWN "cpu cpuset io memory pids rdma hugetlb misc"
bool cgroup_controller_known(const char *name, size_t n);

/*
 * The first controller of need (a space-separated list) that is not in
 * have (the same), or NULL when all are there.  Writes it into buf.
 */
const char *cgroup_missing(const char *need, const char *have, char *buf,
			   size_t len);

/*
 * Where the cgroup2 hierarchy is mounted, from /proc/self/mountinfo's
 * text; malloc'd, or NULL when there is none.
 */
char *cgroup_mount_point(const char *mountinfo);

/* The cgroup a process is in ("/" or "/a/b"), from /proc/PID/cgroup's
 * text: its "0::" line; malloc'd, or NULL when there is none. */
char *cgroup_own_path(const char *proc_cgroup);

/*
 * Open our own cgroup (O_DIRECTORY): the hierarchy from mountinfo, the
 * path from /proc/self/cgroup, checked to be cgroup2.  *pathp gets its
 * absolute path.  The descriptor, or -1 and *errp saying why not.
 */
int cgroup_open_own(char **pathp, struct err **errp);

/*
 * For --check: the keys of l whose controller is not available where
 * this process would put its wards, one warning per key into *out (a
 * malloc'd string, lines ending in newlines; NULL: none).
 */
char *cgroup_check_limits(const char *where, const struct cgroup_limits *l);

/* Read a small file beneath dir into buf (NUL-terminated: a name, or a
 * path without symlinks or ".."); its length or -1. */
ssize_t cgroup_read(int dir, const char *name, char *buf, size_t len);

/* Write s to a file of dir (no O_CREAT: cgroupfs makes its files). */
int cgroup_write(int dir, const char *name, const char *s, struct err **errp);

/*
 * Make (if it is not there) and open the child cgroup name of dir:
 * O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC.  The descriptor, or -1 and *errp.
 */
int cgroup_open_child(int dir, const char *name, bool create,
		      struct err **errp);

/* populated, from cgroup.events of dir or of its descendant at (NULL:
 * dir): 1, 0, or -1 and *errp. */
int cgroup_populated(int dir, const char *at, struct err **errp);

/* Open the existing cgroup path ("ward:web/0") beneath dir, or -1. */
int cgroup_open_path(int dir, const char *path, struct err **errp);

/*
 * Kill everything in the cgroup and its descendants: cgroup.kill where
 * the kernel has it, else freeze it, SIGKILL each pid of cgroup.procs
 * (of it and its children) and thaw it.  0, or -1 and *errp.
 */
int cgroup_kill(int dir, struct err **errp);

/*
 * Send sig to each process of the cgroup and of the cgroups below it
 * (each cgroup.procs: a root ward may make cgroups of its own inside
 * its instance's, as cgroup.kill reaches them too); how many.
 */
unsigned cgroup_signal(int dir, int sig);

/* What a cgroup has used, from files that need no controller (cpu.stat,
 * cgroup.procs) and those of enabled ones (memory.*, pids.current). */
struct cgroup_usage {
	uint64_t cpu_usec;  /* cpu.stat usage_usec */
	uint64_t procs;     /* pids.current, else lines of each cgroup.procs */
	bool has_memory;    /* memory.current was there */
	uint64_t memory;    /* memory.current, bytes */
	uint64_t oom_kills; /* memory.events oom_kill */
};

/*
 * Fill u from the files of dir, or of its descendant at ("ward:web/0",
 * NULL: dir itself); without controllers (none enabled there) only
 * cpu.stat and cgroup.procs are read.  Fields a file was missing for
 * stay 0.  0, or -1 (no cpu.stat).
 */
int cgroup_usage(int dir, const char *at, bool controllers,
		 struct cgroup_usage *u);
/*
 * Only cpu.stat's usage_usec into u (the rest 0): all there is to read
 * of a cgroup without controllers that has emptied.  0, or -1.
 */
int cgroup_cpu_usage(int dir, const char *at, struct cgroup_usage *u);

/*
 * Write the limits of l into the cgroup's files (memory.max, memory.high,
 * pids.max, cpu.weight, cpu.max).  0, or -1 and *errp naming the file.
 */
int cgroup_limits_apply(int dir, const struct cgroup_limits *l,
			struct err **errp);

/*
 * Enable the controllers of need (a space-separated list) for dir's
 * children: "+memory +pids" into cgroup.subtree_control.  0, or -1.
 */
int cgroup_enable(int dir, const char *need, struct err **errp);

/*
 * Must stewardd leave its own cgroup dir for a leaf before the
 * controllers of need can be enabled below dir?  The kernel refuses a
 * controller in the cgroup.subtree_control of a cgroup that has
 * processes (but in the root cgroup, which the caller rules out):
 *   CGROUP_STAY: nothing of need is missing from cgroup.subtree_control,
 *     a missing one is not in cgroup.controllers (moving would not make
 *     it available), or dir has no processes (enabling works as it is);
 *   CGROUP_MOVE: each missing one is offered and every pid of
 *     cgroup.procs is one of the n of ours: moving them empties dir;
 *   CGROUP_SHARED: the same, but a process not ours is there too, which
 *     stewardd must not move: enabling stays refused.
 * The controller that decided (the first missing one) goes into buf.
 */
enum cgroup_move { CGROUP_STAY, CGROUP_MOVE, CGROUP_SHARED };
enum cgroup_move cgroup_move_needed(int dir, const char *need,
				    const pid_t *ours, size_t n, char *buf,
				    size_t len);

/*
 * Make the leaf child name of dir and move each of the n pids into it
 * (each with all its threads: a write to cgroup.procs).  0, or -1 and
 * *errp.
 */
int cgroup_move_into(int dir, const char *name, const pid_t *pids, size_t n,
		     struct err **errp);

/*
 * Remove the empty cgroup name below parent, and when it is busy, every
 * cgroup below it first, bottom-up (a root ward may have made its own
 * inside its instance's).  Gone already is fine.  0, or -1 and *errp
 * (EBUSY: a process is still in one of them).
 */
int cgroup_remove_tree(int parent, const char *name, struct err **errp);

/*
 * End a cgroup tree left behind: kill what is in it, wait up to
 * timeout seconds for it to empty, remove every directory bottom-up.
 * Returns the number of processes it found, or -1 and *errp.
 */
int cgroup_end_tree(int parent, const char *name, double timeout,
		    struct err **errp);

/*
 * memory_restart's judge, pure: given the memory now and since when it
 * has been above the limit (*over_since, 0: not above), say whether the
 * time above has reached for_s.  Updates *over_since.
 */
bool cgroup_memory_over(uint64_t memory, uint64_t limit, double for_s,
			double now, double *over_since);

#endif
