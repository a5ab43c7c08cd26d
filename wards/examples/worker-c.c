/*
 * worker-c: a ward that beats at the start of every unit of work
 * (WORK=job-N) and, on unit $HANG_AT (default 5; 0 never), hangs: alive
 * but stuck, the case a supervisor that only watches for exits never
 * sees.  steward names the unit it hung in.  The C twin of worker.sh.
 *
 * SIGTERM or SIGINT ends it cleanly with STOPPING=1.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ward.h"

static volatile sig_atomic_t stop_requested;

/* Ask the main loop to stop. */
static void
on_stop(int sig)
{
	(void)sig;
	stop_requested = 1;
}

/* Do one unit of work: here, 300 ms of sleep, cut short by a signal. */
static void
work(void)
{
	struct timespec ts = {.tv_sec = 0, .tv_nsec = 300 * 1000000L};

	while (!stop_requested && nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

int
main(void)
{
	struct sigaction sa = {.sa_handler = on_stop};
	const char *env = getenv("HANG_AT");
	unsigned long hang_at = env != NULL ? strtoul(env, NULL, 10) : 5;

	if (sigemptyset(&sa.sa_mask) == -1 ||
	    sigaction(SIGTERM, &sa, NULL) == -1 ||
	    sigaction(SIGINT, &sa, NULL) == -1) {
		fprintf(stderr, "worker-c: cannot set signal handlers: %s\n",
			strerror(errno));
		return 1;
	}
	if (ward_ready() == -1)
		fprintf(stderr, "worker-c: cannot say READY=1: %s\n",
			strerror(errno));
	for (unsigned long unit = 1; !stop_requested; unit++) {
		/* A dropped beat is counted by libward; the next may pass. */
		(void)ward_work("job-%lu", unit);
		if (unit == hang_at) {
			(void)ward_status("stuck on job-%lu", unit);
			while (!stop_requested)
				pause(); /* hung: no more beats */
			break;
		}
		work();
	}
	(void)ward_stopping();
	return 0;
}
