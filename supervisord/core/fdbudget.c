/*
 * The file descriptor budget.
 *
 * A ward must never fail to start because control clients took the fds
 * it needs: with 60 idle connections and a low RLIMIT_NOFILE, spawns once
 * failed with "making a pipe: Too many open files" hundreds of times and
 * a healthy ward spent its restart limit.  So the fds are counted, and
 * the wards' share is reserved before anyone else gets any:
 *
 *   limit      RLIMIT_NOFILE's soft limit (main() raises it to the hard
 *              limit at start)
 *   base       what stewardd itself holds before the first spawn,
 *              counted in /proc/self/fd: 0-2, the spawn slots and
 *              /dev/null, the loop's epoll and eventfd, the event log,
 *              the control socket, the guard's pipe, the upward beat
 *   spare      FDBUDGET_SPARE: fds stewardd opens for a moment (event
 *              log reopen, the metrics file, config files at reload)
 *   spawn      FDBUDGET_SPAWN: one spawn's pipe ends until exec
 *   wards      for every instance of every ward of the config, what it
 *              holds while it lives (fdbudget_inst): its heartbeat pipe
 *              or notify socket, and after a fork its report pipe until
 *              exec
 *   output     the read ends of the wards' stdout and stderr pipes
 *              (ward-output.c) and the log files stewardd writes for
 *              them (output-sink.c), as many as are open: taken only while
 *              FDBUDGET_OUTPUT_KEEP stay shared; past that a ward's
 *              output goes where it is configured directly, uncaptured
 *   shared     the rest, less one fd kept to accept one more connection:
 *              control connections and job runs (each replica holds its
 *              output pipe and heartbeat) take from it, and only from it
 *
 * The control socket admits a connection only while the connections fit
 * in the shared part (ctl.c); a run starts only when its replicas fit in
 * what the connections leave (job.c).  The wards' reserve is counted as
 * if every instance were live, so nothing a client does can take it.
 *
 * Cost: fdbudget_wards() is O(wards of the config), paid per accepted
 * connection and per run, never per beat or per spawn.
 */
#include <dirent.h>
#include <sys/resource.h>

#include "config/config.h"
#include "core/fdbudget.h"
#include "core/steward.h"

/* What the budget assumes of stewardd's own fds without /proc. */
#define FDBUDGET_BASE_GUESS 24

/* Count the open fds in /proc/self/fd, or return 0. */
static size_t
fdbudget_count_open(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	size_t n = 0;

	if (d == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] != '.')
			n++;
	}
	closedir(d);
	return n > 0 ? n - 1 : 0; /* less the directory's own fd */
}

/* Measure the limit and stewardd's own fds; see fdbudget.h. */
void
fdbudget_measure(struct steward *s)
{
	struct rlimit rl;
	size_t n = fdbudget_count_open();

	s->fds.base = n > 0 ? n : FDBUDGET_BASE_GUESS;
	if (getrlimit(RLIMIT_NOFILE, &rl) == -1 || rl.rlim_cur == RLIM_INFINITY)
		s->fds.limit = (size_t)1 << 20;
	else
		s->fds.limit = (size_t)rl.rlim_cur;
}

/* fds one live instance holds; see fdbudget.h. */
size_t
fdbudget_inst(const struct steward *s, const struct ward_spec *w, bool job)
{
	size_t n = 0;

	if (w->pol.heartbeat == WARD_HB_PIPE)
		n++; /* the heartbeat pipe's read end */
	else if (w->pol.heartbeat == WARD_HB_NOTIFY)
		n++; /* the notify socket */
	if (job)
		n++; /* the output pipe's read end */
	else if (w->listen_events != 0)
		n += 2; /* a listener's stdin and stdout (listener.c) */
	if (s->spawn_mode != SPAWN_CLONE)
		n++; /* the report pipe's read end, until exec */
	return n;
}

/* The wards' reserve; see fdbudget.h.  Kept until the config or the
 * spawn mode changes: output asks for it at every spawn. */
size_t
fdbudget_wards(const struct steward *s)
{
	struct fdbudget *b = (struct fdbudget *)&s->fds;
	size_t n = 0;

	if (b->cache_cfg == s->cfg && b->cache_mode == (int)s->spawn_mode + 1)
		return b->cache_wards;
	for (size_t i = 0; i < s->cfg->nwards; i++)
		n += s->cfg->wards[i].replicas *
		     fdbudget_inst(s, &s->cfg->wards[i], false);
	b->cache_cfg = s->cfg;
	b->cache_mode = (int)s->spawn_mode + 1;
	b->cache_wards = n;
	return n;
}

/* What clients and runs may share; see fdbudget.h. */
size_t
fdbudget_shared(const struct steward *s)
{
	size_t fixed = s->fds.base + FDBUDGET_SPARE + FDBUDGET_SPAWN +
		       fdbudget_wards(s) + s->fds.output + 1;

	return s->fds.limit > fixed ? s->fds.limit - fixed : 0;
}

/* May one more pipe of ward output be read; see fdbudget.h. */
bool
fdbudget_output_fits(const struct steward *s)
{
	return fdbudget_shared(s) >= 1 + FDBUDGET_OUTPUT_KEEP;
}
