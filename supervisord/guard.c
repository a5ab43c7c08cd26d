/*
 * The guard process (see guard.h for why it exists).
 *
 * Messages are fixed 8-byte records {op, pgid} written whole (below
 * PIPE_BUF, so atomic) with a blocking write: the guard does nothing but
 * read, so the pipe never stays full.  The guard keeps the live groups in
 * an open-addressing set (linear probing, tombstones), O(1) per message.
 */
#include <errno.h>
#include <fcntl.h>
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
	struct guard_msg m;

	for (;;) {
		ssize_t n = read(fd, &m, sizeof(m));

		if (n == -1 && errno == EINTR)
			continue;
		if (n != (ssize_t)sizeof(m))
			break; /* EOF (or an error): stewardd is gone */
		if (m.op == GUARD_ADD && m.pgid > 0)
			(void)guard_set_add(&set, m.pgid);
		else if (m.op == GUARD_REMOVE)
			guard_set_remove(&set, m.pgid);
		else if (m.op == GUARD_BYE)
			_exit(0);
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
		(void)setsid();
		/*
		 * Niced: each record wakes the guard, and at its normal
		 * weight it took the CPU from stewardd in the middle of a
		 * restart (0.55 ms, perf trace at 10,000 wards).  It has
		 * little to do, and its work when stewardd dies gets done
		 * at any weight.
		 */
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
