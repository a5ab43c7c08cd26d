/*
 * pulse-c: a healthy ward with no natural loop to beat from.  libward's
 * pulse thread beats at the interval steward asks for (half the
 * heartbeat_timeout) while the main thread says READY=1 and, once a
 * second, sets STATUS= to how many ticks it has counted.  The C twin of
 * pulse.sh.
 *
 * SIGTERM or SIGINT ends it cleanly with STOPPING=1.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "ward.h"

static volatile sig_atomic_t stop_requested;

/* Ask the main loop to stop. */
static void
on_stop(int sig)
{
	(void)sig;
	stop_requested = 1;
}

int
main(void)
{
	struct sigaction sa = {.sa_handler = on_stop};
	unsigned long ticks = 0;

	if (sigemptyset(&sa.sa_mask) == -1 ||
	    sigaction(SIGTERM, &sa, NULL) == -1 ||
	    sigaction(SIGINT, &sa, NULL) == -1) {
		fprintf(stderr, "pulse-c: cannot set signal handlers: %s\n",
			strerror(errno));
		return 1;
	}
	if (ward_pulse_start() == -1) {
		fprintf(stderr, "pulse-c: cannot start beating: %s\n",
			strerror(errno));
		return 1;
	}
	(void)ward_ready();
	while (!stop_requested) {
		struct timespec second = {.tv_sec = 1};

		ticks++;
		(void)ward_status("tick %lu, %lu beats dropped", ticks,
				  ward_dropped());
		/* A signal cuts the sleep short; the loop then ends. */
		if (nanosleep(&second, NULL) == -1 && errno != EINTR)
			break;
	}
	if (ward_pulse_stop() == -1)
		fprintf(stderr, "pulse-c: cannot stop beating: %s\n",
			strerror(errno));
	(void)ward_stopping();
	return 0;
}
