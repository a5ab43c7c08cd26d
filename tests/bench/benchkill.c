/*
 * benchkill: the benchmark's hand in the restart trials, in C like the
 * floor (benchfloor) its figures are compared with.
 *
 *   benchkill -f FIFO [-g GAP_US] [-r REPEAT] WID PID [WID PID ...]
 *
 * For each target in turn, REPEAT times (default 1): sleep GAP_US
 * (default 2000), read CLOCK_MONOTONIC, SIGKILL the target's process,
 * and read the wards' report FIFO (see benchward.c) until the target's
 * replacement reports its first beat ("F WID NEWPID T_NS", a new pid, a
 * time after the kill); then print
 *
 *   K WID NEWPID T_NS LATENCY_NS
 *
 * and go on with the new pid.  Every other report line read meanwhile
 * is printed as "R <line>", so the benchmark's own reader misses none.
 *
 * Why not from Python: after kill(2) the interpreter took 25-30 us to
 * block (sched trace), and the victim, woken on the same CPU, waited for
 * that before it could die; benchfloor kills and blocks in waitpid at
 * once.  Here the kill is followed by a blocking poll(2) as quickly.
 *
 * Exit status: 0; 1 if a replacement did not report within 30 s; 64 for
 * bad arguments; 2 for a failing system call.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define TRIAL_TIMEOUT_MS 30000

static int64_t
now_ns(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1) {
		perror("benchkill: clock_gettime");
		exit(2);
	}
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void
nap_us(long us)
{
	struct timespec ts = {.tv_sec = us / 1000000,
			      .tv_nsec = (us % 1000000) * 1000};

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/* The report stream: whole lines out of a FIFO. */
struct reader {
	int fd;
	char buf[1 << 16];
	size_t len;
};

/* The next whole line (NUL-terminated, without its newline), waiting up
 * to deadline_ns; NULL on timeout. */
static char *
next_line(struct reader *r, int64_t deadline_ns)
{
	static char line[512];

	for (;;) {
		char *nl = memchr(r->buf, '\n', r->len);

		if (nl != NULL) {
			size_t n = (size_t)(nl - r->buf);
			size_t keep =
			    n < sizeof(line) - 1 ? n : sizeof(line) - 1;

			memcpy(line, r->buf, keep);
			line[keep] = '\0';
			r->len -= n + 1;
			memmove(r->buf, nl + 1, r->len);
			return line;
		}
		if (r->len == sizeof(r->buf)) {
			fprintf(stderr,
				"benchkill: a report line is too long\n");
			exit(2);
		}
		int64_t left = deadline_ns - now_ns();
		struct pollfd p = {.fd = r->fd, .events = POLLIN};

		if (left <= 0)
			return NULL;
		int rc = poll(&p, 1, (int)(left / 1000000) + 1);
		if (rc == -1 && errno != EINTR) {
			perror("benchkill: poll");
			exit(2);
		}
		if (rc <= 0)
			continue;
		ssize_t n =
		    read(r->fd, r->buf + r->len, sizeof(r->buf) - r->len);
		if (n == -1 && errno != EINTR && errno != EAGAIN) {
			perror("benchkill: read");
			exit(2);
		}
		if (n > 0)
			r->len += (size_t)n;
	}
}

/* Kill pid of ward wid; wait for its replacement; print the trial. */
static pid_t
trial(struct reader *r, const char *wid, pid_t pid)
{
	int64_t t0 = now_ns();
	int64_t deadline = t0 + (int64_t)TRIAL_TIMEOUT_MS * 1000000;

	if (kill(pid, SIGKILL) == -1) {
		fprintf(stderr, "benchkill: kill %s (pid %d): %s\n", wid,
			(int)pid, strerror(errno));
		exit(2);
	}
	for (;;) {
		char *line = next_line(r, deadline);
		char w[256];
		long long np, t;

		if (line == NULL) {
			fprintf(stderr,
				"benchkill: no replacement of %s (pid %d) "
				"reported within %d ms\n",
				wid, (int)pid, TRIAL_TIMEOUT_MS);
			exit(1);
		}
		if (sscanf(line, "F %255s %lld %lld", w, &np, &t) == 3 &&
		    strcmp(w, wid) == 0 && np != pid && t > t0) {
			printf("K %s %lld %lld %lld\n", wid, np, t, t - t0);
			return (pid_t)np;
		}
		printf("R %s\n", line);
	}
}

int
main(int argc, char **argv)
{
	struct reader *r = calloc(1, sizeof(*r));
	const char *fifo = NULL;
	long gap_us = 2000, repeat = 1;
	pid_t *pids;
	int opt;

	while ((opt = getopt(argc, argv, "f:g:r:")) != -1) {
		switch (opt) {
		case 'f':
			fifo = optarg;
			break;
		case 'g':
			gap_us = strtol(optarg, NULL, 10);
			break;
		case 'r':
			repeat = strtol(optarg, NULL, 10);
			break;
		default:
			return 64;
		}
	}
	if (r == NULL || fifo == NULL || gap_us < 0 || repeat < 1 ||
	    (argc - optind) % 2 != 0 || argc == optind) {
		fprintf(stderr, "usage: benchkill -f FIFO [-g GAP_US] "
				"[-r REPEAT] WID PID [WID PID ...]\n");
		return 64;
	}
	pids = calloc((size_t)(argc - optind) / 2, sizeof(*pids));
	if (pids == NULL)
		return 2;
	for (int i = optind; i < argc; i += 2)
		pids[(i - optind) / 2] = (pid_t)strtol(argv[i + 1], NULL, 10);
	/* O_RDWR: opening never blocks and the FIFO never reads EOF. */
	r->fd = open(fifo, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (r->fd == -1) {
		perror("benchkill: open");
		return 2;
	}
	for (int i = optind; i < argc; i += 2) {
		pid_t pid = pids[(i - optind) / 2];

		for (long k = 0; k < repeat; k++) {
			nap_us(gap_us);
			pid = trial(r, argv[i], pid);
		}
		/* A ward named again later is killed in its new process. */
		for (int j = i + 2; j < argc; j += 2) {
			if (strcmp(argv[j], argv[i]) == 0)
				pids[(j - optind) / 2] = pid;
		}
	}
	/* What came after the last trial's report is the benchmark's. */
	while (r->len > 0) {
		char *line = next_line(r, now_ns());

		if (line == NULL)
			break;
		printf("R %s\n", line);
	}
	if (fflush(stdout) == EOF || close(r->fd) == -1) {
		perror("benchkill: output");
		return 2;
	}
	free(pids);
	free(r);
	return 0;
}
