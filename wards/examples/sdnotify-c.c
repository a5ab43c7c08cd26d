/*
 * sdnotify-c: a ward written for systemd, unchanged: it speaks through
 * sd_notify(3) from libsystemd, so it runs under steward's
 * heartbeat = notify exactly as under systemd's Type=notify with
 * WatchdogSec=.  READY=1 once, then WATCHDOG=1 at half WATCHDOG_USEC
 * (sd_watchdog_enabled(3)) and a STATUS= with the count.
 *
 * SIGTERM or SIGINT ends it cleanly with STOPPING=1.
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <systemd/sd-daemon.h>

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
	uint64_t usec = 0, period;
	unsigned long beats = 0;
	int rc;

	if (sigemptyset(&sa.sa_mask) == -1 ||
	    sigaction(SIGTERM, &sa, NULL) == -1 ||
	    sigaction(SIGINT, &sa, NULL) == -1) {
		fprintf(stderr, "sdnotify-c: cannot set signal handlers: %s\n",
			strerror(errno));
		return 1;
	}
	rc = sd_watchdog_enabled(0, &usec);
	if (rc < 0)
		fprintf(stderr, "sdnotify-c: bad watchdog settings: %s\n",
			strerror(-rc));
	/* Half the timeout, as steward's own interval; 1 s with none. */
	period = rc > 0 && usec > 0 ? usec / 2 : 1000000;
	rc = sd_notify(0, "READY=1");
	if (rc < 0)
		fprintf(stderr, "sdnotify-c: cannot say READY=1: %s\n",
			strerror(-rc));
	while (!stop_requested) {
		struct timespec ts = {.tv_sec = (time_t)(period / 1000000),
				      .tv_nsec =
					  (long)(period % 1000000) * 1000};

		/* Failures here are not fatal: the next beat may pass. */
		(void)sd_notifyf(0, "WATCHDOG=1\nSTATUS=beat %lu", ++beats);
		if (nanosleep(&ts, NULL) == -1 && errno != EINTR)
			break;
	}
	(void)sd_notify(0, "STOPPING=1");
	return 0;
}
