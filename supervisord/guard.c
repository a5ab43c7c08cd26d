/*
 * The guard process (see guard.h for why it exists).
 *
 * Messages are fixed 8-byte records {op, pgid} written whole (below
 * PIPE_BUF, so atomic) with a blocking write: the guard does nothing but
 * read, many records a read, so the pipe never stays full (it is made
 * 1 MiB where the system allows it: 131,072 records).  The
 * guard keeps the live groups in an open-addressing set (linear probing,
 * tombstones), O(1) per message.
 *
 * The guard runs at SCHED_IDLE: it never takes the CPU from stewardd or
 * a ward that is starting, only what they leave.  At its normal weight
 * each record woke it in the middle of a restart (0.55 ms off stewardd's
 * CPU, perf trace at 10,000 wards); niced to 19 it still ran before the
 * new ward (sched trace).  Its one real job, after stewardd is killed,
 * gets done at any weight.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guard.h"

enum { GUARD_ADD = 1, GUARD_REMOVE = 2, GUARD_BYE = 3 };

struct guard_msg {
	int32_t op;
	int32_t pgid;
};

#define GUARD_TOMB (-1)
#define GUARD_PIPE_SIZE (1 << 20)

/* The guard's set of live process groups. */
struct guard_set {
	pid_t *slot; /* 0 empty, GUARD_TOMB removed, else a pgid */
	size_t cap;  /* a power of two */
	size_t used; /* live + tombstones */
};

/* Insert pgid; grow (rehash) when more than half full. */
static int
guard_set_add(struct guard_set *s, pid_t pgid)
{
	if ((s->used + 1) * 2 > s->cap) {
		struct guard_set n = {.cap = s->cap ? s->cap * 2 : 1024};

		n.slot = calloc(n.cap, sizeof(pid_t));
		if (n.slot == NULL)
			return -1;
		for (size_t i = 0; i < s->cap; i++) {
			if (s->slot[i] > 0) {
				size_t j = (size_t)s->slot[i] & (n.cap - 1);

				while (n.slot[j] != 0)
					j = (j + 1) & (n.cap - 1);
				n.slot[j] = s->slot[i];
				n.used++;
			}
		}
		free(s->slot);
		*s = n;
	}
	size_t i = (size_t)pgid & (s->cap - 1);
	while (s->slot[i] > 0)
		i = (i + 1) & (s->cap - 1);
	if (s->slot[i] == 0)
		s->used++;
	s->slot[i] = pgid;
	return 0;
}

/* Remove pgid if present. */
static void
guard_set_remove(struct guard_set *s, pid_t pgid)
{
	if (s->cap == 0)
		return;
	for (size_t i = (size_t)pgid & (s->cap - 1); s->slot[i] != 0;
	     i = (i + 1) & (s->cap - 1)) {
		if (s->slot[i] == pgid) {
			s->slot[i] = GUARD_TOMB;
			return;
		}
	}
}

/* The guard's life: read messages until the pipe ends. */
static void __attribute__((noreturn)) guard_main(int fd)
{
	struct guard_set set = {0};
	struct guard_msg m[512];
	size_t have = 0; /* bytes in m, a record may come in pieces */

	for (;;) {
		ssize_t n = read(fd, (char *)m + have, sizeof(m) - have);
		size_t whole;

		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break; /* EOF (or an error): stewardd is gone */
		have += (size_t)n;
		whole = have / sizeof(m[0]);
		for (size_t i = 0; i < whole; i++) {
			if (m[i].op == GUARD_ADD && m[i].pgid > 0)
				(void)guard_set_add(&set, m[i].pgid);
			else if (m[i].op == GUARD_REMOVE)
				guard_set_remove(&set, m[i].pgid);
			else if (m[i].op == GUARD_BYE)
				_exit(0);
		}
		have -= whole * sizeof(m[0]);
		memmove(m, (char *)m + whole * sizeof(m[0]), have);
	}
	for (size_t i = 0; i < set.cap; i++) {
		if (set.slot[i] > 0)
			(void)kill(-set.slot[i], SIGKILL);
	}
	_exit(0);
}

/* Fork the guard; see guard.h. */
int
guard_start(struct guard *g, struct err **errp)
{
	int p[2];
	sigset_t all, old;
	pid_t pid;

	g->pid = 0;
	g->fd = -1;
	if (pipe2(p, O_CLOEXEC) == -1) {
		*errp = ERR_SYS("making the guard's pipe");
		return -1;
	}
	/* Room for a start of many wards while the guard waits for a CPU
	 * (see the top); the default 64 KiB where 1 MiB is refused. */
	(void)fcntl(p[1], F_SETPIPE_SZ, GUARD_PIPE_SIZE);
	sigfillset(&all);
	if (sigprocmask(SIG_SETMASK, &all, &old) == -1) {
		*errp = ERR_SYS("blocking signals before fork");
		close(p[0]);
		close(p[1]);
		return -1;
	}
	pid = fork();
	if (pid == 0) {
		struct sigaction ign = {.sa_handler = SIG_IGN};
		struct sigaction dfl = {.sa_handler = SIG_DFL};

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
		if (dup2(p[0], 3) == -1)
			_exit(1);
		(void)syscall(SYS_close_range, 0U, 2U, 0U);
		(void)syscall(SYS_close_range, 4U, ~0U, 0U);
		sigemptyset(&all);
		(void)sigprocmask(SIG_SETMASK, &all, NULL);
		guard_main(3);
	}
	if (sigprocmask(SIG_SETMASK, &old, NULL) == -1)
		abort(); /* cannot fail with a mask sigprocmask gave us */
	close(p[0]);
	if (pid == -1) {
		*errp = ERR_SYS("forking the guard");
		close(p[1]);
		return -1;
	}
	g->pid = pid;
	g->fd = p[1];
	return 0;
}

/* Send one record; a gone guard is noted by the caller's reaping. */
static void
guard_send(struct guard *g, int op, pid_t pgid)
{
	struct guard_msg m = {.op = op, .pgid = (int32_t)pgid};
	ssize_t n;

	if (g->fd < 0)
		return;
	do
		n = write(g->fd, &m, sizeof(m));
	while (n == -1 && errno == EINTR);
	if (n != (ssize_t)sizeof(m)) {
		/* EPIPE: the guard died; the wards lose the cover. */
		close(g->fd);
		g->fd = -1;
	}
}

/* Tell the guard about a new group. */
void
guard_add(struct guard *g, pid_t pgid)
{
	guard_send(g, GUARD_ADD, pgid);
}

/* Tell the guard a group's leader was reaped. */
void
guard_remove(struct guard *g, pid_t pgid)
{
	guard_send(g, GUARD_REMOVE, pgid);
}

/* Say goodbye and reap the guard. */
void
guard_stop(struct guard *g)
{
	guard_send(g, GUARD_BYE, 0);
	if (g->fd >= 0 && close(g->fd) == -1 && errno != EINTR)
		abort(); /* EBADF here is a bug */
	g->fd = -1;
	if (g->pid > 0) {
		while (waitpid(g->pid, NULL, 0) == -1 && errno == EINTR)
			;
		g->pid = 0;
	}
}
