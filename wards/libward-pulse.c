/*
 * libward's pulse: a background thread that beats every
 * ward_interval_ms(), for programs with no loop of their own (ward.h).
 *
 * A pulse proves only that the process is scheduled, not that its work
 * moves; a ward with a natural loop should beat from that loop (or use
 * ward_work()) instead, so that a stuck loop stops the beats.
 *
 * The thread sleeps in poll() on an eventfd with a timeout reaching to
 * the next beat, computed on CLOCK_MONOTONIC, so ward_pulse_stop() wakes
 * it at once by writing to the eventfd and then joins it.  Beats keep a
 * fixed rate; after a stall longer than an interval (a suspended
 * machine, a stopped process) the schedule restarts from now instead of
 * sending a burst.  The thread runs with every signal blocked, so the
 * program's handlers keep running in its own threads, and it calls only
 * ward_beat(), which never blocks.
 *
 * Start and stop are serialised by one mutex, held across the join; the
 * thread itself never takes it.  A fork() child has no pulse thread, so
 * a pthread_atfork() handler forgets the parent's there (and closes the
 * child's copy of the eventfd, which would otherwise wake the parent's
 * thread); the prepare handler takes the mutex so that fork() never
 * copies it locked.  The child may start its own pulse.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "ward.h"

static pthread_mutex_t pulse_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t pulse_once = PTHREAD_ONCE_INIT;
static int pulse_once_err;

/* All under pulse_lock; the thread reads its copy in struct pulse_arg. */
static bool pulse_running;
static pthread_t pulse_thread;
static int pulse_efd = -1;

struct pulse_arg {
	int efd;
	int64_t interval_ns;
};
static struct pulse_arg pulse_arg;

/* fork(): hold the lock so the child's copy is consistent. */
static void
pulse_prepare(void)
{
	(void)pthread_mutex_lock(&pulse_lock); /* fails only when misused */
}

/* fork(), in the parent: carry on. */
static void
pulse_parent(void)
{
	(void)pthread_mutex_unlock(&pulse_lock);
}

/* fork(), in the child: the thread stayed with the parent. */
static void
pulse_child(void)
{
	if (pulse_running) {
		(void)close(pulse_efd); /* our copy; the parent keeps its own */
		pulse_efd = -1;
		pulse_running = false;
	}
	(void)pthread_mutex_unlock(&pulse_lock);
}

/* Register the fork handlers, once per process. */
static void
pulse_init(void)
{
	pulse_once_err =
	    pthread_atfork(pulse_prepare, pulse_parent, pulse_child);
}

/* Now on the monotonic clock, in nanoseconds. */
static int64_t
pulse_now(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
		return 0; /* EINVAL only; CLOCK_MONOTONIC always exists */
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* The thread: beat at each interval until the eventfd is readable. */
static void *
pulse_main(void *argp)
{
	const struct pulse_arg *a = argp;
	int64_t next = pulse_now() + a->interval_ns;

	for (;;) {
		struct pollfd pfd = {.fd = a->efd, .events = POLLIN};
		int64_t now = pulse_now(), wait_ms = 0;
		int n;

		if (next > now)
			wait_ms = (next - now + 999999) / 1000000;
		n = poll(&pfd, 1, wait_ms > INT_MAX ? INT_MAX : (int)wait_ms);
		if (n == -1 && errno == EINTR)
			continue;
		if (n != 0)
			break; /* stop, or poll failed: beats end visibly */
		if (pulse_now() < next)
			continue;  /* a clamped wait: not time yet */
		(void)ward_beat(); /* a dropped beat is counted; go on */
		next += a->interval_ns;
		now = pulse_now();
		if (next <= now)
			next =
			    now + a->interval_ns; /* no burst after a stall */
	}
	return NULL;
}

/* Create the thread with every signal blocked; 0 or an error number. */
static int
pulse_spawn(void)
{
	sigset_t all, old;
	int rc;

	if (sigfillset(&all) == -1)
		return errno;
	rc = pthread_sigmask(SIG_SETMASK, &all, &old);
	if (rc != 0)
		return rc;
	rc = pthread_create(&pulse_thread, NULL, pulse_main, &pulse_arg);
	/* Restoring cannot fail ("how" is valid), and the thread may run. */
	(void)pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc;
}

/* Start beating from a background thread; see ward.h. */
int
ward_pulse_start(void)
{
	long interval = ward_interval_ms();
	int rc;

	if (!ward_enabled())
		return ward_beat(); /* 0 off steward; -1 and why if broken */
	if (interval <= 0)
		return 0; /* no watchdog: nothing to beat for */
	rc = pthread_once(&pulse_once, pulse_init);
	if (rc != 0 || (rc = pulse_once_err) != 0) {
		errno = rc;
		return -1;
	}
	rc = pthread_mutex_lock(&pulse_lock);
	if (rc != 0) {
		errno = rc;
		return -1;
	}
	if (pulse_running) {
		(void)pthread_mutex_unlock(&pulse_lock);
		return 0;
	}
	pulse_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (pulse_efd == -1) {
		rc = errno;
		goto out;
	}
	pulse_arg = (struct pulse_arg){
	    .efd = pulse_efd, .interval_ns = (int64_t)interval * 1000000};
	(void)ward_beat(); /* the first beat now */
	rc = pulse_spawn();
	if (rc != 0) {
		(void)close(pulse_efd);
		pulse_efd = -1;
		goto out;
	}
	pulse_running = true;
out:
	(void)pthread_mutex_unlock(&pulse_lock);
	if (rc != 0) {
		errno = rc;
		return -1;
	}
	return 0;
}

/* Stop the pulse thread and wait for it; see ward.h. */
int
ward_pulse_stop(void)
{
	const uint64_t one = 1;
	int rc = pthread_mutex_lock(&pulse_lock);

	if (rc != 0) {
		errno = rc;
		return -1;
	}
	if (!pulse_running)
		goto out;
	if (write(pulse_efd, &one, sizeof(one)) != (ssize_t)sizeof(one)) {
		/* Only a counter at its maximum could refuse: cannot be. */
		rc = errno;
		goto out;
	}
	rc = pthread_join(pulse_thread, NULL);
	if (rc != 0)
		goto out;
	if (close(pulse_efd) == -1 && errno != EINTR)
		rc = errno;
	pulse_efd = -1;
	pulse_running = false;
out:
	(void)pthread_mutex_unlock(&pulse_lock);
	if (rc != 0) {
		errno = rc;
		return -1;
	}
	return 0;
}
