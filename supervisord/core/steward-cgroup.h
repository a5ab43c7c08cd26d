/*
 * A cgroup per instance (steward-cgroup.c has the design).
 */
#ifndef STEWARD_STEWARD_CGROUP_H
#define STEWARD_STEWARD_CGROUP_H

#include <ev.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"
#include "core/guard.h"
#include "core/ward.h"

struct steward;
struct ward_inst;
struct ward_rt;
struct evlog_rec;

/* An instance's cgroup, embedded in struct ward_inst. */
struct ward_cg {
	int fd;        /* its directory during a spawn only, or -1 */
	bool placed;   /* its process was put in its cgroup */
	bool killed;   /* cgroup.kill was written to it (see spawn) */
	bool made;     /* its directory exists (made by a spawn) */
	int wd;        /* its cgroup.events inotify watch, or -1: added
			  (again) when processes outlive its main one */
	bool linger;   /* main process reaped, waiting for the rest */
	bool has_exit; /* exit holds the held exit event */
	struct ward_input exit;
	pid_t exit_pid;       /* the main process whose exit is held */
	ev_timer kill_timer;  /* lingering: when what is left gets SIGKILL */
	uint64_t cpu_base;    /* usage_usec when the process was spawned */
	uint64_t oom_base;    /* memory.events oom_kill then */
	uint64_t cpu_usec;    /* at the last end: this process's CPU time */
	uint64_t cpu_total;   /* then: the cgroup's, all processes so far */
	uint64_t procs_left;  /* at the last end: processes left behind */
	bool oom_killed;      /* the last end came with an OOM kill */
	double over_since;    /* memory_restart: above since, or 0 */
	uint64_t memory_seen; /* memory.current when last looked at */
	/* the last usage read for status or metrics, and when (0: none):
	 * a status and its --json a moment later read cgroupfs once */
	struct ward_cg_usage_cache {
		double at;
		uint64_t cpu, procs, memory;
		bool has_memory;
	} seen;
};

/* What status, metrics and records show of an instance's cgroup. */
struct ward_cg_usage {
	bool tracked;            /* it has a cgroup */
	uint64_t cpu_usec;       /* CPU time of its current process tree */
	uint64_t cpu_total_usec; /* of all its processes since stewardd began */
	uint64_t procs;          /* processes in it now */
	bool has_memory;
	uint64_t memory; /* memory.current, with the memory controller */
};

/*
 * At start, before the guard and any ward: find the hierarchy, make
 * stewardd's cgroup, end what a killed stewardd left in it.  Says once
 * why cgroups cannot be used.  -1 only with cgroups = required.
 */
int steward_cgroup_open(struct steward *s);
/* Where the guard kills through if stewardd dies (parent -1: none). */
struct guard_cgroup steward_cgroup_guard(const struct steward *s);
/* At exit, after every ward has ended: remove stewardd's cgroups. */
void steward_cgroup_close(struct steward *s);

/* Before a spawn: the instance's cgroup made, limited and open (the
 * child joins it); -1 and *errp on failure; 0 with wi->cg.fd -1 when
 * cgroups are not used. */
int steward_cgroup_prepare(struct steward *s, struct ward_inst *wi,
			   struct err **errp);
/* After a spawn (ok: it made a process): note where its CPU time begins,
 * close the directory. */
void steward_cgroup_spawned(struct steward *s, struct ward_inst *wi, bool ok);
/*
 * Its main process ended (a zombie, in in): when the cgroup still has
 * processes, kill them and hold the exit until it is empty (true); the
 * caller then reaps and returns, and steward_exit_held() gets in later.
 */
bool steward_cgroup_linger(struct steward *s, struct ward_inst *wi,
			   const struct ward_input *in);
/* Kill everything in the instance's cgroup (the stop's SIGKILL). */
void steward_cgroup_kill(struct steward *s, struct ward_inst *wi);
/* The instance is freed: its watch, descriptor and directory go. */
void steward_cgroup_inst_free(struct steward *s, struct ward_inst *wi);
/* The ward is freed: its directory goes. */
void steward_cgroup_ward_free(struct steward *s, struct ward_rt *wr);
/*
 * Status and the metrics file show usage only when they cover at most
 * this many instances: two cgroupfs reads each (some 50 us here) would
 * make a status of 5,000 instances take seconds of loop slices.
 */
#define STEWARD_CG_USAGE_MAX 1000

/* Usage now, for status and metrics. */
void steward_cgroup_usage(struct steward *s, struct ward_inst *wi,
			  struct ward_cg_usage *u);
/* The fields a failure record gets: cpu_usec, procs_left, oom_kill. */
void steward_cgroup_record(const struct ward_inst *wi, struct evlog_rec *r);
/* The reason an OOM kill gives the wrapped error, or NULL. */
struct err *steward_cgroup_oom_error(const struct ward_inst *wi);
/* The reason a memory_restart heal gives the wrapped error. */
struct err *steward_cgroup_memory_error(const struct ward_inst *wi);

#endif
