/*
 * benchfloor: what the kernel alone costs for the things stewardd does,
 * measured on the same machine in the same run, so that the daemon's
 * figures can be read against a floor.
 *
 *   benchfloor [-n N] [-w N] BENCHWARD
 *
 * prints one JSON object; each key holds the samples of one floor, in
 * microseconds:
 *
 *   spawn_fork_exec     fork + execve of BENCHWARD, until its first beat
 *                       is read from the pipe that is its fd 3
 *   spawn_posix_spawn   the same with posix_spawn(3) (clone+vfork)
 *   kill_reap           SIGKILL to a running ward until waitpid returns
 *   restart_fork_exec   a whole restart done by hand: SIGKILL, waitpid,
 *                       fork + execve, first beat read (the floor of
 *                       stewardd's SIGKILL -> replacement's first beat)
 *   restart_posix_spawn the same with posix_spawn(3)
 *   restart_fork_exec_sigreset
 *                       restart_fork_exec with a child that first sets
 *                       every signal's disposition to the default, one
 *                       sigaction(2) each, as stewardd's spawn_child()
 *                       does (execve already resets caught signals; only
 *                       ignored ones survive it)
 *   pipe_wake           a write to a pipe until another process, asleep
 *                       in epoll_wait, has read it
 *   signal_wake         kill(2) until the handler runs in another,
 *                       sleeping process (how a stop signal lands)
 *   timer_late          how late epoll_wait wakes for a deadline when
 *                       its timeout is rounded up to whole milliseconds
 *                       as libev does (the floor of a deadline's
 *                       lateness)
 *
 * With -F NFDS it then holds NFDS more descriptors open (close-on-exec
 * pipes, as stewardd holds one heartbeat pipe per ward) and measures:
 *
 *   fork_parent_fds     how long fork() takes in the parent
 *   spawn_fork_exec_fds, restart_fork_exec_fds
 *                       as above: the child copies the descriptor table
 *                       at fork and closes every close-on-exec
 *                       descriptor at execve, O(NFDS) each
 *   spawn_clone_fds, restart_clone_fds
 *                       a way around it: the write end is dup'ed to a
 *                       low reserved descriptor, the child is cloned
 *                       with CLONE_VM | CLONE_VFORK | CLONE_FILES (no
 *                       table copy) and calls close_range(reserved + 1,
 *                       ~0, CLOSE_RANGE_UNSHARE), which gives it a table
 *                       of only the low descriptors, then dup2 and
 *                       execve
 *
 * -n is the number of spawn and restart samples (default 200), -w that
 * of the wake-up samples (default 1000).  Everything is timed with
 * CLOCK_MONOTONIC.
 *
 *   benchfloor -S N [-g MS] BENCHWARD
 *
 * measures one floor, N samples:
 *
 *   restart_settled_fork_exec
 *                       restart_fork_exec of a ward that has been beating
 *                       for a while, as the benchmark's victims have:
 *                       SETTLED_WARDS wards beat once a second, each
 *                       into its own pipe, and one is restarted by hand
 *                       every MS milliseconds (default 100, the
 *                       benchmark's gap), in turn, so that each has lived
 *                       SETTLED_WARDS gaps (the benchmark runs it in
 *                       blocks between its own restarts, so that both
 *                       see the same moments of a shared machine)
 *
 *   benchfloor -W N BENCHWARD
 *
 * measures restart_fork_exec alone, N samples, as above (a ward killed
 * 2 ms after its first beat): the benchmark runs it in blocks between
 * its blocks of warm restarts, as it does -S.
 *
 *   benchfloor -A N [-n RUNS] [-R FIFO] [-s] [-o] [-G] [-C DIR] BENCHWARD
 *
 * is the floor of a start-all: N wards started one after another as
 * fast as one process can (clone, as start_clone() below; each ward's
 * pipe read end kept open, as stewardd keeps its heartbeat pipes), then
 * every first beat read (epoll); "start_all_clone" is the time from the
 * first spawn until the last first beat, in milliseconds, RUNS samples
 * (default 3), and "start_all_spawned" until the last spawn returned;
 * "stop_all_kill_reap" is the floor of a stop-all: SIGTERM to each (the
 * ward obeys at once) until the last is reaped, and "stop_all_cpu" the
 * CPU time benchfloor itself used in it (ms).  -R: the wards report
 * to FIFO too (BENCH_REPORT, benchward.c), as the benchmark's wards
 * under a supervisor do, so that both pay for the same ward.  -C: each
 * ward is born in a cgroup of its own, made below the cgroup v2
 * directory DIR just before (mkdir, then clone3 with CLONE_INTO_CGROUP,
 * as stewardd does) and removed after it is reaped: the floor of a
 * start-all and a stop-all with a cgroup per process (x86-64 only).
 * -s: each ward leads a session of its own (setsid(2) in the child
 * before its exec), as stewardd's wards do (and s6-supervise's; runsv's
 * stay in its session): a kernel built with CONFIG_SCHED_AUTOGROUP makes
 * a scheduling group for each new session, which a plain fork and exec
 * does not pay for.  -o: each ward's stdout and stderr are pipes too,
 * their read ends kept open in the epoll set (what a ward writes is
 * read and thrown away) and closed at the stop, as stewardd captures
 * every ward's output: the pipes' cost at the start, and at the stop
 * the wake-ups of the ward's closes and the floor's own closes.  As
 * many wards as the fd limit allows get them, the first ones, with
 * every ward's beat pipe counted first and 100 fds kept (stewardd's fd
 * budget does the same: past it, a ward's output is not captured);
 * "output_captured" says how many.  -G (with -s): the stop keeps what a
 * supervisor promises, as stewardd's does: the stop signal and then
 * SIGCONT go to each ward's process group, every pipe is read to its
 * end of file (the ward's last words) and closed only then, and once a
 * ward's pipes have all ended its zombie is seen (waitid with WNOWAIT),
 * SIGKILL goes to whatever is left of its group while the zombie still
 * holds the group's id, and it is reaped.  Without -G the floor closes
 * its read ends as it signals, and hears nothing of the wards' ends.
 * With -C too, a stop-all keeps each ward's cgroup, as stewardd's stop
 * does (it is removed only when its instance goes: a reload removing
 * it), and only reads its cgroup.events once the ward is reaped, to
 * know nothing is left in it; a removal removes it instead.  The runs
 * then alternate: the first a warm-up ("stop_all_warmup", a removal),
 * then a stop that keeps ("stop_all_keep", "stop_all_keep_cpu") and
 * one that removes ("stop_all_kill_reap", "stop_all_cpu"), in turn; a
 * kept cgroup is removed after its run's clock has stopped.
 *
 *   benchfloor -L N [-t SECONDS] BENCHWARD
 *
 * is the floor of hearing beats instead: it starts N wards beating once
 * a second into N pipes and reads them with the least a loop can do
 * (epoll_wait, one read per ready pipe, no timers), and prints its own
 * CPU time per beat and % of a core over SECONDS (default 10): first
 * waking for every beat, then sleeping 1 ms after each wake-up so that
 * beats gather (what libev's ev_set_io_collect_interval does).
 *
 * Every ward's environment is the contract's variables alone, or with -E
 * benchfloor's own environment first (less STEWARD_* and BENCH_REPORT),
 * as a supervisor's wards inherit its: an exec copies every string of
 * it, so that with -E the floor's exec copies what the same ward's exec
 * copies under a daemon started with the same environment.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/clone3.h"

#ifndef CLOSE_RANGE_UNSHARE
#define CLOSE_RANGE_UNSHARE (1U << 1)
#endif

extern char **environ;

/* The contract's variables of a ward: beat on fd 3, report nowhere (-R:
 * to a FIFO, in the last slot). */
static char *ward_vars[] = {
    "STEWARD_HEARTBEAT_FD=3",
    "STEWARD_HEARTBEAT_INTERVAL_MS=1000",
    "STEWARD_WARD=floor",
    "STEWARD_REPLICA=0",
    NULL,
    NULL,
};

/* The ward's environment: the contract's variables alone, or (-E) after
 * benchfloor's own environment, as a supervisor's wards inherit its. */
static char **ward_env = ward_vars;

/* A sample series, in microseconds. */
struct series {
	const char *name;
	double *v;
	size_t n;
};

/* Print a message with errno and exit. */
static void __attribute__((noreturn)) die(const char *what)
{
	fprintf(stderr, "benchfloor: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* A clock in nanoseconds. */
static int64_t
clock_ns(clockid_t clock)
{
	struct timespec ts;

	if (clock_gettime(clock, &ts) == -1)
		die("clock_gettime");
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* CLOCK_MONOTONIC in nanoseconds. */
static int64_t
now_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

/* The CPU time benchfloor itself has used, in ns. */
static int64_t
cpu_ns(void)
{
	return clock_ns(CLOCK_PROCESS_CPUTIME_ID);
}

/* Sleep for us microseconds, through signals. */
static void
nap_us(long us)
{
	struct timespec ts = {us / 1000000, (us % 1000000) * 1000L};

	while (nanosleep(&ts, &ts) == -1) {
		if (errno != EINTR)
			die("nanosleep");
	}
}

/* A new series with room for n samples. */
static void
series_init(struct series *s, const char *name, size_t n)
{
	s->name = name;
	s->n = 0;
	s->v = calloc(n ? n : 1, sizeof(double));
	if (s->v == NULL)
		die("calloc");
}

/* Make a close-on-exec pipe whose ends are above fd 9. */
static void
high_pipe(int fds[2])
{
	int p[2];

	if (pipe2(p, O_CLOEXEC) == -1)
		die("pipe2");
	for (int i = 0; i < 2; i++) {
		fds[i] = fcntl(p[i], F_DUPFD_CLOEXEC, 10);
		if (fds[i] == -1)
			die("fcntl F_DUPFD_CLOEXEC");
		if (close(p[i]) == -1)
			die("close");
	}
}

/* When set, start_fork() notes how long fork() took in the parent. */
static struct series *fork_cost;
/* When set, start_fork()'s child resets every signal first. */
static int reset_signals;
/* A low descriptor kept free for start_clone(), above 3. */
static int reserved_fd = -1;
/* -o: two more, for the write ends of a ward's stdout and stderr. */
static int reserved_out = -1, reserved_err = -1;

/* Start the ward with fork + execve, its fd 3 the write end w. */
static pid_t
start_fork(const char *ward, int w)
{
	char *argv[] = {(char *)ward, NULL};
	int64_t t0 = now_ns();
	pid_t pid = fork();

	if (pid > 0 && fork_cost != NULL)
		fork_cost->v[fork_cost->n++] = (double)(now_ns() - t0) / 1e3;
	if (pid == -1)
		die("fork");
	if (pid == 0) {
		if (reset_signals) {
			struct sigaction sa = {.sa_handler = SIG_DFL};

			for (int sig = 1; sig < NSIG; sig++) {
				if (sig == SIGKILL || sig == SIGSTOP)
					continue;
				if (sigaction(sig, &sa, NULL) == -1 &&
				    errno != EINVAL)
					_exit(125);
			}
		}
		if (dup2(w, 3) == -1)
			_exit(126);
		execve(ward, argv, ward_env);
		_exit(127);
	}
	return pid;
}

/* Start the ward with posix_spawn, its fd 3 the write end w. */
static pid_t
start_spawn(const char *ward, int w)
{
	char *argv[] = {(char *)ward, NULL};
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int rc;

	if ((rc = posix_spawn_file_actions_init(&fa)) != 0 ||
	    (rc = posix_spawn_file_actions_adddup2(&fa, w, 3)) != 0) {
		errno = rc;
		die("posix_spawn_file_actions");
	}
	rc = posix_spawn(&pid, ward, &fa, NULL, argv, ward_env);
	if (rc != 0) {
		errno = rc;
		die("posix_spawn");
	}
	if ((rc = posix_spawn_file_actions_destroy(&fa)) != 0) {
		errno = rc;
		die("posix_spawn_file_actions_destroy");
	}
	return pid;
}

/* What the cloned child needs. */
struct clone_arg {
	const char *ward;
	int fd; /* the reserved descriptor holding the write end */
};

/* -s: each start-all ward leads a session of its own. */
static bool start_all_setsid;
/* -o: each start-all ward's stdout and stderr are the floor's pipes. */
static bool start_all_output;
/* -G: the stop-all signals groups and reads every pipe to its end. */
static bool stop_as_promised;

/* In the cloned child: a table of the low fds only, fd 3, execve. */
static int
clone_child(void *arg)
{
	struct clone_arg *a = arg;
	char *argv[] = {(char *)a->ward, NULL};

	if (syscall(SYS_close_range, (unsigned)reserved_err + 1, ~0U,
		    CLOSE_RANGE_UNSHARE) == -1)
		_exit(125);
	if (start_all_setsid && setsid() == -1)
		_exit(124);
	if (start_all_output &&
	    (dup2(reserved_out, 1) == -1 || dup2(reserved_err, 2) == -1))
		_exit(123);
	if (dup2(a->fd, 3) == -1)
		_exit(126);
	execve(a->ward, argv, ward_env);
	_exit(127);
}

/* Start the ward with clone(CLONE_VM|CLONE_VFORK|CLONE_FILES). */
static pid_t
start_clone(const char *ward, int w)
{
	static char stack[64 * 1024] __attribute__((aligned(16)));
	struct clone_arg a = {.ward = ward, .fd = reserved_fd};
	pid_t pid;

	if (dup3(w, reserved_fd, O_CLOEXEC) == -1)
		die("dup3");
	pid = clone(clone_child, stack + sizeof(stack),
		    CLONE_VM | CLONE_VFORK | CLONE_FILES | SIGCHLD, &a);
	if (pid == -1)
		die("clone");
	return pid;
}

/*
 * start_clone() with the child born in a new cgroup, cg (below the
 * directory dirfd), made now: -C.
 */
static pid_t
start_clone_cg(const char *ward, int w, int dirfd, const char *cg)
{
#ifdef CLONE3_VM_OK
	static char stack[64 * 1024] __attribute__((aligned(16)));
	struct clone_arg a = {.ward = ward, .fd = reserved_fd};
	struct clone3_args c = {.flags = CLONE_VM | CLONE_VFORK | CLONE_FILES |
					 CLONE3_INTO_CGROUP,
				.exit_signal = SIGCHLD,
				.stack = (uint64_t)(uintptr_t)stack,
				.stack_size = sizeof(stack)};
	int fd;
	long pid;

	if (mkdirat(dirfd, cg, 0755) == -1)
		die("mkdirat (-C)");
	fd = openat(dirfd, cg, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd == -1)
		die("openat (-C)");
	if (dup3(w, reserved_fd, O_CLOEXEC) == -1)
		die("dup3");
	c.cgroup = (uint64_t)fd;
	pid = clone3_vm(&c, clone_child, &a);
	if (pid < 0) {
		errno = (int)-pid;
		die("clone3 (-C)");
	}
	if (close(fd) == -1)
		die("close");
	return (pid_t)pid;
#else
	(void)ward;
	(void)w;
	(void)dirfd;
	(void)cg;
	errno = ENOSYS;
	die("-C needs clone3 on x86-64");
#endif
}

/* Hold nfds more close-on-exec descriptors open (pipes); how many. */
static size_t
hold_fds(size_t nfds)
{
	struct rlimit rl;
	size_t held = 0;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		die("getrlimit");
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
		die("setrlimit");
	if (rl.rlim_cur != RLIM_INFINITY && nfds + 64 > rl.rlim_cur)
		nfds = rl.rlim_cur - 64;
	while (held + 2 <= nfds) {
		int p[2];

		if (pipe2(p, O_CLOEXEC) == -1)
			die("pipe2");
		held += 2;
	}
	return held;
}

/* Block until the ward's first beat can be read from r. */
static void
read_beat(int r)
{
	char c;
	ssize_t n;

	do
		n = read(r, &c, 1);
	while (n == -1 && errno == EINTR);
	if (n != 1) {
		fprintf(stderr, "benchfloor: the ward wrote no beat\n");
		exit(1);
	}
}

/* SIGKILL a ward and wait until it is reaped. */
static void
kill_reap(pid_t pid)
{
	int st;

	if (kill(pid, SIGKILL) == -1)
		die("kill");
	while (waitpid(pid, &st, 0) == -1) {
		if (errno != EINTR)
			die("waitpid");
	}
}

/*
 * A restart by hand, n times: a ward started 2 ms before is killed and
 * reaped, and the next one started until its first beat on pipe p.
 */
static void
floor_restart(const char *ward, size_t n, pid_t (*start)(const char *, int),
	      const int p[2], struct series *restart)
{
	pid_t pid = start(ward, p[1]);

	read_beat(p[0]);
	for (size_t i = 0; i < n; i++) {
		int64_t t0;

		nap_us(2000);
		t0 = now_ns();
		kill_reap(pid);
		pid = start(ward, p[1]);
		read_beat(p[0]);
		restart->v[restart->n++] = (double)(now_ns() - t0) / 1e3;
	}
	kill_reap(pid);
}

/* Spawn, first beat and reap floors, with one way of starting. */
static void
floor_spawn(const char *ward, size_t n, pid_t (*start)(const char *, int),
	    struct series *spawn, struct series *reap, struct series *restart)
{
	int p[2];
	pid_t pid;

	high_pipe(p);
	for (size_t i = 0; i < n; i++) {
		int64_t t0 = now_ns(), t1;

		pid = start(ward, p[1]);
		read_beat(p[0]);
		t1 = now_ns();
		spawn->v[spawn->n++] = (double)(t1 - t0) / 1e3;
		if (reap != NULL) {
			t0 = now_ns();
			kill_reap(pid);
			reap->v[reap->n++] = (double)(now_ns() - t0) / 1e3;
		} else {
			kill_reap(pid);
		}
		nap_us(2000);
	}
	floor_restart(ward, n, start, p, restart);
	if (close(p[0]) == -1 || close(p[1]) == -1)
		die("close");
}

/* -W: only the warm restart, as floor_spawn() measures it. */
static void
floor_warm(const char *ward, size_t n, struct series *restart)
{
	int p[2];

	high_pipe(p);
	floor_restart(ward, n, start_fork, p, restart);
	if (close(p[0]) == -1 || close(p[1]) == -1)
		die("close");
}

#define SETTLED_WARDS 20

/* Throw away what r holds now (beats of a ward that is gone). */
static void
drain(int r)
{
	char buf[4096];
	int avail;

	if (ioctl(r, FIONREAD, &avail) == -1)
		die("ioctl FIONREAD");
	while (avail > 0) {
		ssize_t got = read(r, buf,
				   (size_t)avail < sizeof(buf) ? (size_t)avail
							       : sizeof(buf));

		if (got == -1 && errno == EINTR)
			continue;
		if (got <= 0)
			die("read");
		avail -= (int)got;
	}
}

/* Restarts by hand of wards that have been beating for a while. */
static void
floor_settled(const char *ward, size_t n, long gap_ms, struct series *s)
{
	int p[SETTLED_WARDS][2];
	pid_t pid[SETTLED_WARDS];

	for (size_t k = 0; k < SETTLED_WARDS; k++) {
		high_pipe(p[k]);
		pid[k] = start_fork(ward, p[k][1]);
		read_beat(p[k][0]);
	}
	nap_us(1500000); /* every ward asleep between beats */
	for (size_t i = 0; i < n; i++) {
		size_t k = i % SETTLED_WARDS;
		int64_t t0;

		nap_us(gap_ms * 1000);
		t0 = now_ns();
		kill_reap(pid[k]);
		drain(p[k][0]);
		pid[k] = start_fork(ward, p[k][1]);
		read_beat(p[k][0]);
		s->v[s->n++] = (double)(now_ns() - t0) / 1e3;
	}
	for (size_t k = 0; k < SETTLED_WARDS; k++) {
		kill_reap(pid[k]);
		if (close(p[k][0]) == -1 || close(p[k][1]) == -1)
			die("close");
	}
}

/* In the child: wait on r with epoll, note each wake-up's latency. */
static void __attribute__((noreturn)) wake_child(int r, int back, size_t n)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.fd = r};
	double *lat = calloc(n ? n : 1, sizeof(double));
	int ep = epoll_create1(EPOLL_CLOEXEC);

	if (lat == NULL || ep == -1 || epoll_ctl(ep, EPOLL_CTL_ADD, r, &ev))
		_exit(1);
	for (size_t i = 0; i < n; i++) {
		int64_t sent;
		ssize_t got;

		while (epoll_wait(ep, &ev, 1, -1) != 1) {
			if (errno != EINTR)
				_exit(1);
		}
		got = read(r, &sent, sizeof(sent));
		if (got != (ssize_t)sizeof(sent))
			_exit(1);
		lat[i] = (double)(now_ns() - sent) / 1e3;
	}
	if (write(back, lat, n * sizeof(double)) !=
	    (ssize_t)(n * sizeof(double)))
		_exit(1);
	_exit(0);
}

/* Read exactly len bytes. */
static void
read_all(int fd, void *buf, size_t len)
{
	char *p = buf;

	while (len > 0) {
		ssize_t got = read(fd, p, len);

		if (got == -1 && errno == EINTR)
			continue;
		if (got <= 0)
			die("read");
		p += got;
		len -= (size_t)got;
	}
}

/* Pipe write -> epoll wake-up in another process. */
static void
floor_pipe_wake(size_t n, struct series *s)
{
	int to[2], back[2], st;
	pid_t pid;

	if (pipe2(to, O_CLOEXEC) == -1 || pipe2(back, O_CLOEXEC) == -1)
		die("pipe2");
	if ((pid = fork()) == -1)
		die("fork");
	if (pid == 0)
		wake_child(to[0], back[1], n);
	for (size_t i = 0; i < n; i++) {
		int64_t t;

		nap_us(500 + (long)(i * 7919 % 1500)); /* the reader sleeps */
		t = now_ns();
		if (write(to[1], &t, sizeof(t)) != (ssize_t)sizeof(t))
			die("write");
	}
	read_all(back[0], s->v, n * sizeof(double));
	s->n = n;
	if (waitpid(pid, &st, 0) == -1)
		die("waitpid");
	if (close(to[0]) == -1 || close(to[1]) == -1 || close(back[0]) == -1 ||
	    close(back[1]) == -1)
		die("close");
}

static int sig_fd = -1;

/* In the child: note when the signal arrived. */
static void
on_signal(int sig)
{
	int64_t t = now_ns();

	(void)sig;
	if (write(sig_fd, &t, sizeof(t)) != (ssize_t)sizeof(t))
		_exit(1);
}

/* kill(2) -> the handler runs in another, sleeping process. */
static void
floor_signal_wake(size_t n, struct series *s)
{
	struct sigaction sa;
	int back[2], st;
	pid_t pid;

	if (pipe2(back, O_CLOEXEC) == -1)
		die("pipe2");
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	if (sigemptyset(&sa.sa_mask) == -1)
		die("sigemptyset");
	sa.sa_flags = SA_RESTART;
	if (sigaction(SIGUSR2, &sa, NULL) == -1)
		die("sigaction");
	if ((pid = fork()) == -1)
		die("fork");
	if (pid == 0) {
		sig_fd = back[1];
		for (;;)
			pause();
	}
	nap_us(20000);
	for (size_t i = 0; i < n; i++) {
		int64_t t0, t1;

		nap_us(500 + (long)(i * 7919 % 1500));
		t0 = now_ns();
		if (kill(pid, SIGUSR2) == -1)
			die("kill");
		read_all(back[0], &t1, sizeof(t1));
		s->v[s->n++] = (double)(t1 - t0) / 1e3;
	}
	if (kill(pid, SIGKILL) == -1 || waitpid(pid, &st, 0) == -1)
		die("kill/waitpid");
	if (close(back[0]) == -1 || close(back[1]) == -1)
		die("close");
}

/* epoll_wait with a timeout rounded up to ms, as libev does: lateness. */
static void
floor_timer_late(size_t n, struct series *s)
{
	struct epoll_event ev;
	int ep = epoll_create1(EPOLL_CLOEXEC);

	if (ep == -1)
		die("epoll_create1");
	for (size_t i = 0; i < n; i++) {
		int64_t deadline =
		    now_ns() + 1000000 + (int64_t)(i * 104729 % 3000000);
		int64_t left;

		while ((left = deadline - now_ns()) > 0) {
			int ms = (int)((left + 999999) / 1000000);

			if (epoll_wait(ep, &ev, 1, ms) == -1 && errno != EINTR)
				die("epoll_wait");
		}
		s->v[s->n++] = (double)(now_ns() - deadline) / 1e3;
	}
	if (close(ep) == -1)
		die("close");
}

/* This process's time on a CPU so far, in ns (from schedstat). */
static int64_t
self_run_ns(void)
{
	FILE *f = fopen("/proc/self/schedstat", "re");
	long long ns;

	if (f == NULL)
		die("/proc/self/schedstat");
	if (fscanf(f, "%lld", &ns) != 1)
		die("reading /proc/self/schedstat");
	if (fclose(f) == EOF)
		die("fclose");
	return ns;
}

/* Read every ready pipe once, for secs; beats and CPU ns spent. */
static void
loop_run(int ep, double secs, long nap, int64_t *beats, int64_t *cpu)
{
	struct epoll_event ev[512];
	int64_t end = now_ns() + (int64_t)(secs * 1e9);
	int64_t c0 = self_run_ns();

	*beats = 0;
	while (now_ns() < end) {
		int n = epoll_wait(ep, ev, 512, 100);

		if (n == -1 && errno != EINTR)
			die("epoll_wait");
		for (int i = 0; i < n; i++) {
			char buf[64];
			ssize_t got = read(ev[i].data.fd, buf, sizeof(buf));

			if (got == -1 && errno != EAGAIN && errno != EINTR)
				die("read");
			if (got > 0)
				*beats += got;
		}
		if (nap > 0)
			nap_us(nap);
	}
	*cpu = self_run_ns() - c0;
}

/* The floor of hearing N wards beat: see the top of the file. */
static int
floor_loop(const char *ward, size_t n, double secs)
{
	int ep = epoll_create1(EPOLL_CLOEXEC);
	pid_t *pids = calloc(n ? n : 1, sizeof(pid_t));
	int64_t beats[2], cpu[2];

	if (ep == -1 || pids == NULL)
		die("epoll_create1");
	(void)hold_fds(0); /* raise the soft fd limit */
	for (size_t i = 0; i < n; i++) {
		struct epoll_event e = {.events = EPOLLIN};
		int p[2];

		if (pipe2(p, O_CLOEXEC | O_NONBLOCK) == -1)
			die("pipe2");
		pids[i] = start_clone(ward, p[1]);
		if (close(p[1]) == -1)
			die("close");
		e.data.fd = p[0];
		if (epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &e) == -1)
			die("epoll_ctl");
	}
	loop_run(ep, 3.0, 0, &beats[0], &cpu[0]); /* the start-up burst */
	loop_run(ep, secs, 0, &beats[0], &cpu[0]);
	loop_run(ep, secs, 1000, &beats[1], &cpu[1]);
	for (size_t i = 0; i < n; i++) {
		if (kill(pids[i], SIGTERM) == -1)
			die("kill");
	}
	for (size_t i = 0; i < n; i++) {
		while (waitpid(pids[i], NULL, 0) == -1) {
			if (errno != EINTR)
				die("waitpid");
		}
	}
	printf("{\"wards\": %zu, \"seconds\": %.1f, "
	       "\"beats_per_s\": %.1f, \"us_per_beat\": %.3f, "
	       "\"cpu_pct\": %.3f, \"batched_beats_per_s\": %.1f, "
	       "\"batched_us_per_beat\": %.3f, \"batched_cpu_pct\": %.3f}\n",
	       n, secs, (double)beats[0] / secs,
	       (double)cpu[0] / 1e3 / (double)(beats[0] ? beats[0] : 1),
	       100.0 * (double)cpu[0] / (secs * 1e9), (double)beats[1] / secs,
	       (double)cpu[1] / 1e3 / (double)(beats[1] ? beats[1] : 1),
	       100.0 * (double)cpu[1] / (secs * 1e9));
	if (fflush(stdout) == EOF)
		die("stdout");
	return 0;
}

/* Print the series as one JSON object. */
static void
print_json(struct series *s, size_t ns)
{
	printf("{");
	for (size_t i = 0; i < ns; i++) {
		printf("%s\"%s\": [", i ? ", " : "", s[i].name);
		for (size_t j = 0; j < s[i].n; j++)
			printf("%s%.3f", j ? "," : "", s[i].v[j]);
		printf("]");
	}
	printf("}\n");
	if (fflush(stdout) == EOF)
		die("stdout");
}

/* An -o output pipe's tag in its epoll data, beside the ward's index. */
#define OUTPUT_TAG ((size_t)1 << 62)

/*
 * -o: ward i's stdout and stderr pipes, their write ends in the reserved
 * descriptors for the child, their read ends in fd[0] and fd[1], heard.
 */
static void
output_pipes(int ep, int *fd, size_t i)
{
	for (int k = 0; k < 2; k++) {
		struct epoll_event e = {.events = EPOLLIN};
		int p[2];

		if (pipe2(p, O_CLOEXEC | O_NONBLOCK) == -1)
			die("pipe2 (-o)");
		if (dup3(p[1], k == 0 ? reserved_out : reserved_err,
			 O_CLOEXEC) == -1 ||
		    close(p[1]) == -1)
			die("dup3 (-o)");
		fd[k] = p[0];
		e.data.u64 = (uint64_t)(OUTPUT_TAG | (i << 1) | (size_t)k);
		if (epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &e) == -1)
			die("epoll_ctl (-o)");
	}
}

/* -o past the fd limit: the wards' stdout and stderr are /dev/null. */
static void
no_output(void)
{
	int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);

	if (fd == -1 || dup3(fd, reserved_out, O_CLOEXEC) == -1 ||
	    dup3(fd, reserved_err, O_CLOEXEC) == -1 || close(fd) == -1)
		die("/dev/null (-o)");
}

/* -o: what a ward wrote to its stdout or stderr, thrown away. */
static void
output_read(int ep, int *ofd, size_t tag, uint32_t events)
{
	int fd = ofd[tag & ~OUTPUT_TAG];
	int avail;

	drain(fd);
	/* A pipe whose writers are gone stays ready: stop hearing it (and
	 * with -G forget it, or the stop would wait for its end). */
	if ((events & EPOLLHUP) && ioctl(fd, FIONREAD, &avail) == 0 &&
	    avail == 0) {
		if (epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL) == -1)
			die("epoll_ctl (-o)");
		if (stop_as_promised) {
			if (close(fd) == -1)
				die("close (-o)");
			ofd[tag & ~OUTPUT_TAG] = -1;
		}
	}
}

/* -C: remove ward i's cgroup (it is empty: the ward is reaped). */
static void
remove_cgroup(int cgfd, size_t i)
{
	char cg[32];

	snprintf(cg, sizeof(cg), "%zu", i);
	if (unlinkat(cgfd, cg, AT_REMOVEDIR) == -1)
		die("rmdir (-C)");
}

/* Wait for up to 64 events of the start-all's epoll set. */
static int
wait_events(int ep, struct epoll_event *ev)
{
	int k;

	while ((k = epoll_wait(ep, ev, 64, -1)) == -1) {
		if (errno != EINTR)
			die("epoll_wait");
	}
	return k;
}

/* Read fd to its end of file; false if it has not ended yet. */
static bool
read_to_end(int fd)
{
	char buf[4096];

	for (;;) {
		ssize_t got = read(fd, buf, sizeof(buf));

		if (got == 0)
			return true;
		if (got > 0)
			continue;
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN)
			return false;
		die("read (-G)");
	}
}

/*
 * -G: stop n wards as a supervisor must (see the top of the file): every
 * group signalled, then each ward finished as its pipes end, in the
 * order they end.
 */
static void
stop_promised(int ep, struct epoll_event *ev, const pid_t *pids, const int *rfd,
	      const int *ofd, size_t n, size_t out_n, int cgfd, bool keep)
{
	unsigned char *open_pipes = malloc(n ? n : 1);
	size_t done = 0;
	char path[64], events[256];

	if (open_pipes == NULL)
		die("malloc");
	/* The reserved descriptors still hold the last ward's write ends:
	 * let go of them, or its pipes never end. */
	if (dup3(ep, reserved_fd, O_CLOEXEC) == -1 ||
	    dup3(ep, reserved_out, O_CLOEXEC) == -1 ||
	    dup3(ep, reserved_err, O_CLOEXEC) == -1)
		die("dup3 (-G)");
	for (size_t i = 0; i < n; i++) {
		open_pipes[i] =
		    (unsigned char)(1 + (i < out_n && ofd[2 * i] >= 0) +
				    (i < out_n && ofd[2 * i + 1] >= 0));
		if (kill(-pids[i], SIGTERM) == -1 ||
		    kill(-pids[i], SIGCONT) == -1)
			die("kill (-G)");
	}
	while (done < n) {
		int k = wait_events(ep, ev);

		for (int j = 0; j < k; j++) {
			size_t tag = (size_t)ev[j].data.u64;
			size_t i =
			    tag & OUTPUT_TAG ? (tag & ~OUTPUT_TAG) >> 1 : tag;
			int fd =
			    tag & OUTPUT_TAG ? ofd[tag & ~OUTPUT_TAG] : rfd[i];
			siginfo_t si;

			if (!read_to_end(fd))
				continue;
			if (close(fd) == -1)
				die("close (-G)");
			if (--open_pipes[i] > 0)
				continue;
			/* Its pipes closed as it exited: the zombie is due. */
			si.si_pid = 0;
			while (waitid(P_PID, (id_t)pids[i], &si,
				      WEXITED | WNOWAIT) == -1) {
				if (errno != EINTR)
					die("waitid (-G)");
			}
			if (kill(-pids[i], SIGKILL) == -1)
				die("kill SIGKILL (-G)");
			while (waitpid(pids[i], NULL, WNOHANG) == -1) {
				if (errno != EINTR)
					die("waitpid (-G)");
			}
			if (cgfd >= 0 && keep) {
				/* Kept: is anything left in it? */
				int efd;

				snprintf(path, sizeof(path),
					 "%zu/cgroup.events", i);
				efd = openat(cgfd, path, O_RDONLY | O_CLOEXEC);
				if (efd == -1 ||
				    read(efd, events, sizeof(events)) <= 0 ||
				    close(efd) == -1)
					die("cgroup.events (-C -G)");
			} else if (cgfd >= 0) {
				remove_cgroup(cgfd, i);
			}
			done++;
		}
	}
	free(open_pipes);
}

/* The floor of starting N wards at once: see the top of the file. */
static int
floor_start_all(const char *ward, size_t n, size_t runs, const char *cgdir)
{
	int cgfd = -1;
	char cg[32];

	pid_t *pids = calloc(n ? n : 1, sizeof(pid_t));
	int *rfd = calloc(n ? n : 1, sizeof(int));
	int *ofd = calloc(2 * (n ? n : 1), sizeof(int)); /* -o */
	struct epoll_event *ev = calloc(64, sizeof(*ev));
	struct series all, spawned, stopped, stop_cpu, kept, kept_cpu, warmup,
	    captured;
	bool alternate; /* -C -G: stops that keep and that remove, in turn */
	struct epoll_event e0 = {.events = 0};
	int ep = epoll_create1(EPOLL_CLOEXEC);
	size_t out_n = 0, limit;
	struct rlimit rl;

	if (pids == NULL || rfd == NULL || ofd == NULL || ev == NULL ||
	    ep == -1)
		die("calloc");
	(void)hold_fds(0); /* raise the soft fd limit */
	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		die("getrlimit");
	limit = rl.rlim_cur == RLIM_INFINITY ? SIZE_MAX : (size_t)rl.rlim_cur;
	if (start_all_output)
		out_n = limit > n + 100 ? (limit - n - 100) / 2 : 0;
	if (out_n > n)
		out_n = n;
	if (cgdir != NULL &&
	    (cgfd = open(cgdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		die("open -C DIR");
	series_init(&all, "start_all_clone", runs);
	series_init(&spawned, "start_all_spawned", runs);
	series_init(&stopped, "stop_all_kill_reap", runs);
	series_init(&stop_cpu, "stop_all_cpu", runs);
	series_init(&kept, "stop_all_keep", runs);
	series_init(&kept_cpu, "stop_all_keep_cpu", runs);
	series_init(&warmup, "stop_all_warmup", 1);
	alternate = stop_as_promised && cgfd >= 0;
	for (size_t r = 0; r < runs; r++) {
		int64_t t0 = now_ns(), t1, c0;
		size_t beats = 0;

		for (size_t i = 0; i < n; i++) {
			struct epoll_event e = {.events = EPOLLIN};
			int p[2];

			if (pipe2(p, O_CLOEXEC | O_NONBLOCK) == -1)
				die("pipe2");
			if (i < out_n)
				output_pipes(ep, &ofd[2 * i], i);
			else if (i == out_n && start_all_output)
				no_output(); /* past the fd limit, as stewardd
					      */
			snprintf(cg, sizeof(cg), "%zu", i);
			pids[i] = cgfd >= 0
				      ? start_clone_cg(ward, p[1], cgfd, cg)
				      : start_clone(ward, p[1]);
			if (close(p[1]) == -1)
				die("close");
			rfd[i] = p[0];
			e.data.u64 = i;
			if (epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &e) == -1)
				die("epoll_ctl");
		}
		t1 = now_ns();
		while (beats < n) {
			int k = wait_events(ep, ev);

			for (int j = 0; j < k; j++) {
				size_t i = (size_t)ev[j].data.u64;

				if (i & OUTPUT_TAG) {
					output_read(ep, ofd, i, ev[j].events);
					continue;
				}
				drain(rfd[i]);
				/* -G: its end of file is heard (EPOLLHUP is
				 * reported whatever the mask), its beats not.
				 */
				if (stop_as_promised)
					e0.data.u64 = i;
				if (epoll_ctl(ep,
					      stop_as_promised ? EPOLL_CTL_MOD
							       : EPOLL_CTL_DEL,
					      rfd[i], &e0) == -1)
					die("epoll_ctl");
				beats++;
			}
		}
		all.v[all.n++] = (double)(now_ns() - t0) / 1e6;
		spawned.v[spawned.n++] = (double)(t1 - t0) / 1e6;
		t0 = now_ns();
		c0 = cpu_ns();
		if (stop_as_promised) {
			bool keep = alternate && r % 2 == 1;

			stop_promised(ep, ev, pids, rfd, ofd, n, out_n, cgfd,
				      keep);
			if (alternate && r == 0) {
				warmup.v[warmup.n++] =
				    (double)(now_ns() - t0) / 1e6;
			} else if (keep) {
				kept.v[kept.n++] =
				    (double)(now_ns() - t0) / 1e6;
				kept_cpu.v[kept_cpu.n++] =
				    (double)(cpu_ns() - c0) / 1e6;
				for (size_t i = 0; i < n; i++)
					remove_cgroup(cgfd, i);
			} else {
				stopped.v[stopped.n++] =
				    (double)(now_ns() - t0) / 1e6;
				stop_cpu.v[stop_cpu.n++] =
				    (double)(cpu_ns() - c0) / 1e6;
			}
			continue;
		}
		for (size_t i = 0; i < n; i++) {
			if (kill(pids[i], SIGTERM) == -1)
				die("kill");
			if (close(rfd[i]) == -1)
				die("close");
			if (i < out_n && (close(ofd[2 * i]) == -1 ||
					  close(ofd[2 * i + 1]) == -1))
				die("close");
		}
		for (size_t i = 0; i < n; i++) {
			while (waitpid(pids[i], NULL, 0) == -1) {
				if (errno != EINTR)
					die("waitpid");
			}
			if (cgfd >= 0)
				remove_cgroup(cgfd, i);
		}
		stopped.v[stopped.n++] = (double)(now_ns() - t0) / 1e6;
		stop_cpu.v[stop_cpu.n++] = (double)(cpu_ns() - c0) / 1e6;
	}
	series_init(&captured, "output_captured", 1);
	captured.v[captured.n++] = (double)out_n;
	{
		struct series s[8] = {all, spawned, stopped, stop_cpu,
				      captured};
		size_t k = start_all_output ? 5 : 4;

		if (alternate) {
			s[k++] = kept;
			s[k++] = kept_cpu;
			s[k++] = warmup;
		}
		print_json(s, k);
	}
	return 0;
}

/* -E: benchfloor's environment, less a supervisor's variables of its own
 * (as stewardd leaves them out), then the contract's. */
static void
inherit_environment(void)
{
	size_t n = 0, k = 0;

	for (char **e = environ; *e != NULL; e++)
		n++;
	ward_env = calloc(n + sizeof(ward_vars) / sizeof(ward_vars[0]),
			  sizeof(char *));
	if (ward_env == NULL)
		die("calloc");
	for (char **e = environ; *e != NULL; e++) {
		if (strncmp(*e, "STEWARD_", 8) != 0 &&
		    strncmp(*e, "BENCH_REPORT=", 13) != 0)
			ward_env[k++] = *e;
	}
	for (char **v = ward_vars; *v != NULL; v++)
		ward_env[k++] = *v;
}

/* Say how benchfloor is called. */
static int
usage(void)
{
	fprintf(stderr,
		"usage: benchfloor [-E] [-F NFDS] [-n N] [-w N] | "
		"-S N [-g MS] | -W N | -L N [-t SECONDS] | "
		"-A N [-n RUNS] [-R FIFO] [-s] [-o] [-G] [-C DIR] BENCHWARD\n");
	return 64;
}

/* Measure every floor and print them as one JSON object. */
int
main(int argc, char **argv)
{
	size_t n = 200, nw = 1000, nfds = 0, ns = 9, loop_n = 0;
	size_t settled_n = 0, warm_n = 0, all_n = 0, runs = 3;
	const char *cgdir = NULL;
	char *report = NULL;
	long gap_ms = 100;
	double secs = 10;
	struct series s[14];
	bool inherit = false;
	int opt;

	/* Before anything else is open: low fds for start_clone(). */
	if ((reserved_fd = fcntl(0, F_DUPFD_CLOEXEC, 4)) == -1 ||
	    (reserved_out = fcntl(0, F_DUPFD_CLOEXEC, reserved_fd + 1)) == -1 ||
	    (reserved_err = fcntl(0, F_DUPFD_CLOEXEC, reserved_out + 1)) == -1)
		die("fcntl F_DUPFD_CLOEXEC");
	while ((opt = getopt(argc, argv, "A:C:EF:GL:R:S:W:g:n:ost:w:")) != -1) {
		switch (opt) {
		case 'E':
			inherit = true;
			break;
		case 'o':
			start_all_output = true;
			break;
		case 'G':
			stop_as_promised = true;
			break;
		case 'C':
			cgdir = optarg;
			break;
		case 's':
			start_all_setsid = true;
			break;
		case 'R':
			if (asprintf(&report, "BENCH_REPORT=%s", optarg) == -1)
				die("asprintf");
			ward_vars[4] = report;
			break;
		case 'A':
			all_n = strtoul(optarg, NULL, 10);
			break;
		case 'L':
			loop_n = strtoul(optarg, NULL, 10);
			break;
		case 't':
			secs = strtod(optarg, NULL);
			break;
		case 'F':
			nfds = strtoul(optarg, NULL, 10);
			break;
		case 'n':
			n = strtoul(optarg, NULL, 10);
			break;
		case 'S':
			settled_n = strtoul(optarg, NULL, 10);
			break;
		case 'W':
			warm_n = strtoul(optarg, NULL, 10);
			break;
		case 'g':
			gap_ms = strtol(optarg, NULL, 10);
			break;
		case 'w':
			nw = strtoul(optarg, NULL, 10);
			break;
		default:
			return usage();
		}
	}
	if (nw > 8000)
		nw = 8000; /* the latencies go back through one pipe buffer */
	if (optind + 1 != argc || (stop_as_promised && !start_all_setsid))
		return usage(); /* -G signals groups: it needs -s */
	if (inherit)
		inherit_environment();
	if (loop_n > 0)
		return floor_loop(argv[optind], loop_n, secs > 0 ? secs : 10);
	if (all_n > 0)
		return floor_start_all(argv[optind], all_n,
				       n != 200 && n > 0 ? n : runs, cgdir);
	if (warm_n > 0) {
		series_init(&s[0], "restart_fork_exec", warm_n);
		floor_warm(argv[optind], warm_n, &s[0]);
		print_json(s, 1);
		return 0;
	}
	if (settled_n > 0) {
		series_init(&s[0], "restart_settled_fork_exec", settled_n);
		floor_settled(argv[optind], settled_n, gap_ms > 0 ? gap_ms : 0,
			      &s[0]);
		print_json(s, 1);
		return 0;
	}
	series_init(&s[0], "spawn_fork_exec", n);
	series_init(&s[1], "spawn_posix_spawn", n);
	series_init(&s[2], "kill_reap", n);
	series_init(&s[3], "restart_fork_exec", n);
	series_init(&s[4], "restart_posix_spawn", n);
	series_init(&s[5], "pipe_wake", nw);
	series_init(&s[6], "signal_wake", nw);
	series_init(&s[7], "timer_late", nw / 2);
	floor_spawn(argv[optind], n, start_fork, &s[0], &s[2], &s[3]);
	floor_spawn(argv[optind], n, start_spawn, &s[1], NULL, &s[4]);
	floor_pipe_wake(nw, &s[5]);
	floor_signal_wake(nw, &s[6]);
	floor_timer_late(nw / 2, &s[7]);
	{
		size_t m = n / 2 ? n / 2 : 1;
		struct series scratch;

		series_init(&scratch, "scratch", m);
		series_init(&s[8], "restart_fork_exec_sigreset", m);
		reset_signals = 1;
		floor_spawn(argv[optind], m, start_fork, &scratch, NULL, &s[8]);
		reset_signals = 0;
		free(scratch.v);
	}

	if (nfds > 0) {
		size_t m = n / 2 ? n / 2 : 1;

		series_init(&s[9], "fork_parent_fds", 2 * m + 1);
		series_init(&s[10], "spawn_fork_exec_fds", m);
		series_init(&s[11], "restart_fork_exec_fds", m);
		series_init(&s[12], "spawn_clone_fds", m);
		series_init(&s[13], "restart_clone_fds", m);
		ns = 14;
		(void)hold_fds(nfds);
		fork_cost = &s[9];
		floor_spawn(argv[optind], m, start_fork, &s[10], NULL, &s[11]);
		fork_cost = NULL;
		floor_spawn(argv[optind], m, start_clone, &s[12], NULL, &s[13]);
	}
	print_json(s, ns);
	return 0;
}
