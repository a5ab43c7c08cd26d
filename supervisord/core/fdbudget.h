/*
 * The file descriptor budget: what the wards need is reserved first,
 * and control clients and job runs share only what is left (fdbudget.c).
 */
#ifndef STEWARD_FDBUDGET_H
#define STEWARD_FDBUDGET_H

#include <stdbool.h>
#include <stddef.h>

struct steward;
struct ward_spec;

/* fds stewardd opens for a moment on its own: event log reopen and
 * check, metrics file, config files and includes at reload, probes. */
#define FDBUDGET_SPARE 8
/* fds one spawn holds until its child has exec'd (pipe write ends, the
 * report pipe): spawns are made one at a time. */
#define FDBUDGET_SPAWN 6

/* Output pipes are read only while this many fds stay shared. */
#define FDBUDGET_OUTPUT_KEEP 64

/* The budget as stewardd measured it at start. */
struct fdbudget {
	size_t limit;  /* RLIMIT_NOFILE soft limit, as raised */
	size_t base;   /* fds stewardd itself held before the first spawn */
	size_t output; /* output pipes read now (ward-output.c) */
	/* fdbudget_wards() of cache_cfg in spawn mode cache_mode - 1 */
	const void *cache_cfg;
	int cache_mode;
	size_t cache_wards;
};

/* Measure the limit and stewardd's own fds; before any ward is spawned. */
void fdbudget_measure(struct steward *s);

/* fds one live instance of w holds in stewardd (job: a job's replica). */
size_t fdbudget_inst(const struct steward *s, const struct ward_spec *w,
		     bool job);

/* fds reserved for every instance of every ward of the config. */
size_t fdbudget_wards(const struct steward *s);

/*
 * fds that clients and job runs may hold together: the limit less
 * stewardd's own, its spare, one spawn's, the wards' reserve, and one
 * kept free to accept (and answer) one more connection.  0 when none.
 */
size_t fdbudget_shared(const struct steward *s);

/*
 * Whether one more output pipe may be read (ward-output.c): captured
 * output is taken from what clients share, and never from the last
 * FDBUDGET_OUTPUT_KEEP of it; the wards' reserve is never touched.
 */
bool fdbudget_output_fits(const struct steward *s);

#endif
