/*
 * benchward: the tiny ward the benchmark runs by the thousand.
 *
 * It beats ("\n") on fd 3 at once and then every interval, on an
 * absolute CLOCK_MONOTONIC schedule so that it does not drift.  The
 * interval is -i MS, else STEWARD_HEARTBEAT_INTERVAL_MS, else 1000.
 * Without STEWARD_HEARTBEAT_FD (supervisord, heartbeat = none) it does
 * not beat and only sleeps: fd 3 may be missing or be anything.
 *
 * What the benchmark learns from it goes to the FIFO named by
 * BENCH_REPORT (opened for each report, one write below PIPE_BUF, so
 * atomic), one line each, times in CLOCK_MONOTONIC nanoseconds:
 *
 *   F ID PID T     the first beat was written at T (without fd 3: the
 *                  ward reached its loop at T)
 *   T ID PID L S   a ward told to hang got SIGTERM at S; its last beat
 *                  was written at L
 *
 * ID is STEWARD_WARD:STEWARD_REPLICA ("w:17"), else
 * SUPERVISOR_PROCESS_NAME, else, with BENCH_ID_FROM_CWD set, the name of
 * the working directory (runit's and s6's service directory, where they
 * run it as ./run), else "-".
 *
 * Signals: SIGUSR1 stops the beats (the ward stays alive: it hangs);
 * SIGTERM ends it at once with code 0, after a T report if it hangs.
 *
 *   -i MS   beat interval in milliseconds
 *   -x      exit with code 0 right after the first beat (spawn floor)
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Set by SIGUSR1: stop beating. */
static volatile sig_atomic_t hanging;
/* When the last beat was written (ns), for the T report. */
static volatile int64_t last_beat_ns;
static const char *report_path;
static const char *ward_id = "-";
static char ward_id_buf[160];

/* CLOCK_MONOTONIC in nanoseconds (async-signal-safe). */
static int64_t
now_ns(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
		_exit(111);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Append a decimal number and a separator to buf at *n (signal-safe). */
static void
put_num(char *buf, size_t *n, int64_t v, char sep)
{
	char d[24];
	int k = 0;

	if (v < 0) {
		buf[(*n)++] = '-';
		v = -v;
	}
	do
		d[k++] = (char)('0' + v % 10);
	while ((v /= 10) > 0);
	while (k > 0)
		buf[(*n)++] = d[--k];
	buf[(*n)++] = sep;
}

/* Append a string and a separator to buf at *n (signal-safe). */
static void
put_str(char *buf, size_t *n, const char *s, char sep)
{
	size_t len = strlen(s);

	if (len > 64)
		len = 64;
	memcpy(buf + *n, s, len);
	*n += len;
	buf[(*n)++] = sep;
}

/* Send one report line to the benchmark, if it listens (signal-safe). */
static void
report(char kind, int64_t a, int64_t b, int nums)
{
	char buf[200];
	size_t n = 0;
	ssize_t w;
	int fd;

	if (report_path == NULL)
		return;
	buf[n++] = kind;
	buf[n++] = ' ';
	put_str(buf, &n, ward_id, ' ');
	put_num(buf, &n, (int64_t)getpid(), nums > 0 ? ' ' : '\n');
	if (nums > 0)
		put_num(buf, &n, a, nums > 1 ? ' ' : '\n');
	if (nums > 1)
		put_num(buf, &n, b, '\n');
	do
		fd = open(report_path, O_WRONLY | O_CLOEXEC);
	while (fd == -1 && errno == EINTR);
	if (fd == -1)
		_exit(112);
	do
		w = write(fd, buf, n);
	while (w == -1 && errno == EINTR);
	if (w != (ssize_t)n)
		_exit(112);
	if (close(fd) == -1 && errno != EINTR)
		_exit(112);
}

/* SIGTERM: end now; a hanging ward first says when it was told. */
static void
on_term(int sig)
{
	int64_t t = now_ns();

	(void)sig;
	if (hanging)
		report('T', last_beat_ns, t, 2);
	_exit(0);
}

/* SIGUSR1: stop beating, stay alive. */
static void
on_usr1(int sig)
{
	(void)sig;
	hanging = 1;
}

/* Install a handler, or exit. */
static void
handle(int sig, void (*fn)(int))
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = fn;
	if (sigemptyset(&sa.sa_mask) == -1 || sigaction(sig, &sa, NULL) == -1)
		_exit(113);
}

/* Write one beat; 0, or -1 when the steward is gone. */
static int
beat(void)
{
	int64_t t = now_ns();
	ssize_t n;

	do
		n = write(3, "\n", 1);
	while (n == -1 && errno == EINTR);
	if (n != 1)
		return -1;
	last_beat_ns = t;
	return 0;
}

/* Beat until told otherwise; see the top of the file. */
int
main(int argc, char **argv)
{
	const char *env;
	long interval_ms = 1000;
	int exit_after_first = 0, beating = 0, opt;
	struct timespec next;
	int64_t first;

	if ((env = getenv("STEWARD_HEARTBEAT_INTERVAL_MS")) != NULL)
		interval_ms = strtol(env, NULL, 10);
	while ((opt = getopt(argc, argv, "i:x")) != -1) {
		switch (opt) {
		case 'i':
			interval_ms = strtol(optarg, NULL, 10);
			break;
		case 'x':
			exit_after_first = 1;
			break;
		default:
			return 64;
		}
	}
	if (interval_ms <= 0)
		interval_ms = 1000;
	report_path = getenv("BENCH_REPORT");
	if (getenv("STEWARD_WARD") != NULL &&
	    (env = getenv("STEWARD_REPLICA")) != NULL) {
		snprintf(ward_id_buf, sizeof(ward_id_buf), "%.64s:%.16s",
			 getenv("STEWARD_WARD"), env);
		ward_id = ward_id_buf;
	} else if ((env = getenv("SUPERVISOR_PROCESS_NAME")) != NULL) {
		ward_id = env;
	} else if (getenv("BENCH_ID_FROM_CWD") != NULL &&
		   getcwd(ward_id_buf, sizeof(ward_id_buf)) != NULL) {
		const char *slash = strrchr(ward_id_buf, '/');

		ward_id = slash != NULL ? slash + 1 : ward_id_buf;
	}
	handle(SIGTERM, on_term);
	handle(SIGUSR1, on_usr1);
	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
		return 113;
	/* fd 3 is a heartbeat pipe only when the steward says so. */
	if (getenv("STEWARD_HEARTBEAT_FD") != NULL && fcntl(3, F_GETFD) != -1 &&
	    beat() == 0)
		beating = 1;
	first = beating ? last_beat_ns : now_ns();
	report('F', first, 0, 1);
	if (exit_after_first)
		return 0;
	next.tv_sec = (time_t)(first / 1000000000);
	next.tv_nsec = (long)(first % 1000000000);
	for (;;) {
		int rc;

		next.tv_nsec += (interval_ms % 1000) * 1000000L;
		next.tv_sec += interval_ms / 1000 + next.tv_nsec / 1000000000;
		next.tv_nsec %= 1000000000;
		do
			rc = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME,
					     &next, NULL);
		while (rc == EINTR);
		if (rc != 0)
			return 114;
		if (beating && !hanging && beat() == -1)
			beating =
			    0; /* the steward closed the pipe: only live */
	}
}
