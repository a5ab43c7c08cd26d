/*
 * testward: a ward whose behaviour the integration tests choose, so that
 * each scenario runs a real process with real pipes and signals.
 *
 *   --beat MS          beat every MS milliseconds (default 100)
 *   --ready            write READY=1 before the first beat
 *   --work             beat as WORK=unit-N instead of empty lines
 *   --hang-after N     after N beats stop beating, stay alive
 *   --only-replica R   ignore --hang-after unless STEWARD_REPLICA is R
 *   --stagger-us U     after the first beat, wait STEWARD_REPLICA * U us
 *                      (modulo the beat) once: replicas' beats spread out
 *   --exit-after N     after N beats exit with --code
 *   --code C           the exit code (default 0)
 *   --ignore-term      ignore SIGTERM (needs SIGKILL)
 *   --child            fork a child that sleeps forever (same group)
 *   --lone-child       the same, but the child closes fd 3 first
 *   --garbage          write a garbage line before every beat
 *   --flood BYTES      first write BYTES bytes without a newline
 *   --trigger-after N  after N beats write WATCHDOG=trigger
 *   --stopping-after N after N beats write STOPPING=1 and exit 0
 *   --extend-after N   after N beats write EXTEND_TIMEOUT_USEC=--extend
 *   --extend USEC      (default 3000000) and stop beating
 *   --close-after N    after N beats close fd 3, stay alive
 *   --pidfile PATH     append "pid" (and the child's) to PATH
 *   --status TEXT      write STATUS=TEXT once
 *   --fds PATH         write the numbers of our open fds to PATH
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <time.h>
#include <unistd.h>

/* Write a whole string to fd 3; exit if the steward is gone. */
static void
say(const char *s)
{
	size_t len = strlen(s);

	while (len > 0) {
		ssize_t n = write(3, s, len);

		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			exit(errno == EPIPE ? 0 : 111);
		s += n;
		len -= (size_t)n;
	}
}

/* Sleep for ms milliseconds, through signals. */
static void
nap_us(long us)
{
	struct timespec ts = {us / 1000000, (us % 1000000) * 1000L};

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

static void
nap(long ms)
{
	nap_us(ms * 1000);
}

/* Append our pid to a file. */
static void
note_pid(const char *path, pid_t pid)
{
	FILE *f = fopen(path, "a");

	if (f == NULL)
		exit(112);
	fprintf(f, "%d\n", (int)pid);
	if (fclose(f) != 0)
		exit(112);
}

/* Write our open fds, one a line, to path (the listing's own excluded). */
static void
note_fds(const char *path)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	FILE *f;

	if (d == NULL)
		exit(116);
	f = fopen(path, "w");
	if (f == NULL)
		exit(116);
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || atoi(de->d_name) == dirfd(d) ||
		    atoi(de->d_name) == fileno(f))
			continue;
		fprintf(f, "%s\n", de->d_name);
	}
	closedir(d);
	if (fclose(f) != 0)
		exit(116);
}

int
main(int argc, char **argv)
{
	long beat = 100, hang = -1, exit_after = -1, code = 0, flood = 0;
	long trigger = -1, stopping = -1, extend_after = -1, close_after = -1;
	long extend = 3000000, stagger = 0;
	int ready = 0, work = 0, child = 0, garbage = 0;
	const char *pidfile = NULL, *status = NULL, *only = NULL;
	char line[128];

	signal(SIGPIPE, SIG_IGN);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : "0";

		if (strcmp(a, "--beat") == 0)
			beat = atol(v), i++;
		else if (strcmp(a, "--ready") == 0)
			ready = 1;
		else if (strcmp(a, "--work") == 0)
			work = 1;
		else if (strcmp(a, "--hang-after") == 0)
			hang = atol(v), i++;
		else if (strcmp(a, "--only-replica") == 0)
			only = v, i++;
		else if (strcmp(a, "--stagger-us") == 0)
			stagger = atol(v), i++;
		else if (strcmp(a, "--exit-after") == 0)
			exit_after = atol(v), i++;
		else if (strcmp(a, "--code") == 0)
			code = atol(v), i++;
		else if (strcmp(a, "--ignore-term") == 0)
			signal(SIGTERM, SIG_IGN);
		else if (strcmp(a, "--child") == 0)
			child = 1;
		else if (strcmp(a, "--lone-child") == 0)
			child = 2;
		else if (strcmp(a, "--garbage") == 0)
			garbage = 1;
		else if (strcmp(a, "--flood") == 0)
			flood = atol(v), i++;
		else if (strcmp(a, "--trigger-after") == 0)
			trigger = atol(v), i++;
		else if (strcmp(a, "--stopping-after") == 0)
			stopping = atol(v), i++;
		else if (strcmp(a, "--extend-after") == 0)
			extend_after = atol(v), i++;
		else if (strcmp(a, "--extend") == 0)
			extend = atol(v), i++;
		else if (strcmp(a, "--close-after") == 0)
			close_after = atol(v), i++;
		else if (strcmp(a, "--pidfile") == 0)
			pidfile = v, i++;
		else if (strcmp(a, "--fds") == 0)
			note_fds(v), i++;
		else if (strcmp(a, "--status") == 0)
			status = v, i++;
		else {
			fprintf(stderr, "testward: unknown option %s\n", a);
			return 64;
		}
	}
	if (only != NULL && (getenv("STEWARD_REPLICA") == NULL ||
			     strcmp(getenv("STEWARD_REPLICA"), only) != 0))
		hang = -1;
	if (pidfile != NULL)
		note_pid(pidfile, getpid());
	if (child) {
		pid_t pid = fork();

		if (pid == -1)
			return 113;
		if (pid == 0) {
			if (child == 2 && close(3) == -1)
				_exit(115);
			for (;;)
				pause();
		}
		if (pidfile != NULL)
			note_pid(pidfile, pid);
	}
	if (flood > 0) {
		char *junk = malloc((size_t)flood);

		if (junk == NULL)
			return 114;
		memset(junk, 'x', (size_t)flood);
		for (long off = 0; off < flood;) {
			ssize_t n = write(3, junk + off, (size_t)(flood - off));

			if (n == -1 && errno == EINTR)
				continue;
			if (n == -1)
				return 115;
			off += n;
		}
		free(junk);
		say("\n");
	}
	if (status != NULL) {
		snprintf(line, sizeof(line), "STATUS=%s\n", status);
		say(line);
	}
	if (ready)
		say("READY=1\n");
	for (long n = 0;; n++) {
		if (n == hang || n == close_after) {
			if (n == close_after)
				close(3);
			for (;;)
				pause();
		}
		if (n == exit_after)
			return (int)code;
		if (n == trigger)
			say("WATCHDOG=trigger\n");
		if (n == stopping) {
			say("STOPPING=1\n");
			return 0;
		}
		if (n == extend_after) {
			snprintf(line, sizeof(line),
				 "EXTEND_TIMEOUT_USEC=%ld\n", extend);
			say(line);
			for (;;)
				pause();
		}
		if (garbage)
			say("garbage \x01 line\nUNKNOWN=1\n");
		if (work) {
			snprintf(line, sizeof(line), "WORK=unit-%ld\n", n);
			say(line);
		} else {
			say("\n");
		}
		nap(beat);
		if (n == 0 && stagger > 0 && getenv("STEWARD_REPLICA") != NULL)
			nap_us(atol(getenv("STEWARD_REPLICA")) * stagger %
			       (beat * 1000));
	}
}
