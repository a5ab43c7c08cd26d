/*
 * The guard process (see guard.h for why it exists).
 *
 * What the guard must know, the live process groups, is a table that
 * stewardd and the guard share: a memfd of one byte per possible pid
 * (PID_MAX_LIMIT, 4 MiB of address space; only the pages of pids in use
 * are ever touched), where byte pgid is 1 while pgid is a live group of
 * a ward.  stewardd sets and clears bytes with plain stores, no system
 * call and no wake-up of the guard: a store is whole at any instant
 * stewardd could be killed, and the guard reads the table only once
 * stewardd is gone.  (The table was once a pipe of {op, pgid} records;
 * each one woke the guard in the middle of a restart: 39 us off each
 * restart, paired A/B at 1,000 wards.)
 *
 * The guard itself blocks in read(2) on a pipe whose write end only
 * stewardd holds.  EOF means stewardd is gone: the guard reads the table
 * (read(2) of a memfd, which allocates nothing for the untouched pages)
 * and sends SIGKILL to each group in it.  A goodbye byte means an
 * orderly stop: it exits without killing.
 *
 * The guard runs at SCHED_IDLE: it never takes the CPU from stewardd or
 * a ward that is starting.  Its one real job, after stewardd is killed,
 * gets done at any weight.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/cgroup.h"
#include "core/guard.h"

/* The kernel's bound on pid_max (PID_MAX_LIMIT on 64-bit). */
#define GUARD_PIDS (4 * 1024 * 1024)
#define GUARD_BYE 'B'

/* stewardd is gone: kill every group the table holds. */
static void
guard_kill_all(int table)
{
	unsigned char buf[64 * 1024];
	off_t at = 0;

	for (;;) {
		ssize_t n = pread(table, buf, sizeof(buf), at);

		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		for (ssize_t i = 0; i < n; i++) {
			if (buf[i] != 0 && at + i > 1)
				(void)kill(-(pid_t)(at + i), SIGKILL);
		}
		at += n;
	}
}

/*
 * stewardd is gone: kill its whole cgroup tree, strays and all, and
 * remove it once empty (a stewardd on the same socket would find it
 * otherwise, steward-cgroup.c).
 */
static void
guard_kill_cgroup(int parent, const char *name)
{
	struct err *e = NULL;

	if (parent < 0)
		return;
	if (cgroup_end_tree(parent, name, 2.0, &e) == -1)
		err_free(e); /* the next stewardd on the socket tries again */
}

/* The guard's life: wait for stewardd's end, then act on it. */
static void __attribute__((noreturn))
guard_main(int fd, int table, int cg, const char *cg_name)
{
	char c;

	for (;;) {
		ssize_t n = read(fd, &c, 1);

		if (n == -1 && errno == EINTR)
			continue;
		if (n == 1 && c == GUARD_BYE)
			_exit(0);
		if (n <= 0)
			break; /* EOF (or an error): stewardd is gone */
	}
	guard_kill_all(table);
	guard_kill_cgroup(cg, cg_name);
	_exit(0);
}

/* The shared table, mapped; -1 and *errp when it cannot be made. */
static int
guard_table(struct guard *g, struct err **errp)
{
	int fd = memfd_create("stewardd-guard", MFD_CLOEXEC);
	void *t;

	if (fd == -1) {
		*errp = ERR_SYS("making the guard's table (memfd_create)");
		return -1;
	}
	if (ftruncate(fd, GUARD_PIDS) == -1) {
		*errp = ERR_SYS("sizing the guard's table");
		close(fd);
		return -1;
	}
	t = mmap(NULL, GUARD_PIDS, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (t == MAP_FAILED) {
		*errp = ERR_SYS("mapping the guard's table");
		close(fd);
		return -1;
	}
	g->table = t;
	return fd;
}

/* Drop the table's mapping. */
static void
guard_untable(struct guard *g)
{
	if (g->table != NULL && munmap(g->table, GUARD_PIDS) == -1)
		abort(); /* EINVAL here is a bug */
	g->table = NULL;
}

/* Fork the guard; see guard.h. */
int
guard_start(struct guard *g, const struct guard_cgroup *cgr, struct err **errp)
{
	int p[2], table;
	sigset_t all, old;
	pid_t pid;

	g->pid = 0;
	g->fd = -1;
	g->table = NULL;
	table = guard_table(g, errp);
	if (table == -1)
		return -1;
	if (pipe2(p, O_CLOEXEC) == -1) {
		*errp = ERR_SYS("making the guard's pipe");
		close(table);
		guard_untable(g);
		return -1;
	}
	sigfillset(&all);
	if (sigprocmask(SIG_SETMASK, &all, &old) == -1) {
		*errp = ERR_SYS("blocking signals before fork");
		close(p[0]);
		close(p[1]);
		close(table);
		guard_untable(g);
		return -1;
	}
	pid = fork();
	if (pid == 0) {
		struct sigaction ign = {.sa_handler = SIG_IGN};
		struct sigaction dfl = {.sa_handler = SIG_DFL};
		int rd, tb, cg = -1;

		/* Deaf to the signals meant for stewardd; out of its group. */
		for (int sig = 1; sig < NSIG; sig++) {
			if (sig == SIGKILL || sig == SIGSTOP)
				continue;
			(void)sigaction(sig, sig == SIGCHLD ? &dfl : &ign,
					NULL);
		}
		struct sched_param idle = {.sched_priority = 0};

		(void)setsid();
		/* Only the CPU time nobody else wants (see the top); where
		 * SCHED_IDLE is refused, the lowest nice. */
		if (sched_setscheduler(0, SCHED_IDLE, &idle) == -1)
			(void)setpriority(PRIO_PROCESS, 0, 19);
		/* Above 4 first, so that neither lands on the other. */
		rd = fcntl(p[0], F_DUPFD_CLOEXEC, 6);
		tb = fcntl(table, F_DUPFD_CLOEXEC, 6);
		if (cgr != NULL && cgr->parent >= 0)
			cg = fcntl(cgr->parent, F_DUPFD_CLOEXEC, 6);
		if (rd == -1 || tb == -1 || dup2(rd, 3) == -1 ||
		    dup2(tb, 4) == -1 || (cg >= 0 && dup2(cg, 5) == -1))
			_exit(1);
		(void)syscall(SYS_close_range, 0U, 2U, 0U);
		(void)syscall(SYS_close_range, 6U, ~0U, 0U);
		sigemptyset(&all);
		(void)sigprocmask(SIG_SETMASK, &all, NULL);
		guard_main(3, 4, cg >= 0 ? 5 : -1,
			   cgr != NULL ? cgr->name : NULL);
	}
	if (sigprocmask(SIG_SETMASK, &old, NULL) == -1)
		abort(); /* cannot fail with a mask sigprocmask gave us */
	close(p[0]);
	close(table); /* the mapping stays */
	if (pid == -1) {
		*errp = ERR_SYS("forking the guard");
		close(p[1]);
		guard_untable(g);
		return -1;
	}
	g->pid = pid;
	g->fd = p[1];
	return 0;
}

/* Mark pgid live (1) or gone (0) in the table: one store. */
static void
guard_mark(struct guard *g, pid_t pgid, unsigned char live)
{
	if (g->table != NULL && pgid > 1 && pgid < GUARD_PIDS)
		__atomic_store_n(&g->table[pgid], live, __ATOMIC_RELAXED);
}

/* A new group for the guard to kill if stewardd dies. */
void
guard_add(struct guard *g, pid_t pgid)
{
	guard_mark(g, pgid, 1);
}

/* A group whose leader is about to be reaped: forget it first. */
void
guard_remove(struct guard *g, pid_t pgid)
{
	guard_mark(g, pgid, 0);
}

/* Say goodbye and reap the guard. */
void
guard_stop(struct guard *g)
{
	if (g->fd >= 0) {
		char bye = GUARD_BYE;
		ssize_t n;

		do
			n = write(g->fd, &bye, 1);
		while (n == -1 && errno == EINTR);
		/* EPIPE: the guard is gone already; it is reaped below. */
		if (close(g->fd) == -1 && errno != EINTR)
			abort(); /* EBADF here is a bug */
	}
	g->fd = -1;
	if (g->pid > 0) {
		while (waitpid(g->pid, NULL, 0) == -1 && errno == EINTR)
			;
		g->pid = 0;
	}
	guard_untable(g);
}
