/*
 * libward against real pipes and sockets.
 *
 * libward reads its environment once per process (pthread_once), so
 * every case runs in a child process of its own: the child sets the
 * environment, uses the library and checks what arrives on the other end
 * of a real pipe or datagram socket.  A failed check prints where and
 * what on stderr and exits 1; the parent (cmocka) asserts that the child
 * exited 0.  A child first arms alarm(CHILD_DEADLINE): a library call
 * that blocked would end in SIGALRM, which the parent reports as
 * "blocked", so the suite never hangs.  Waits for data have deadlines and
 * say what they waited for; no assertion rests on a bare sleep.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <setjmp.h>
#include <cmocka.h>

#include "ward.h"

#define HB_FD 37           /* where the tests put steward's pipe */
#define CHILD_DEADLINE 20  /* seconds before a blocked child is killed */
#define WAIT_MS 5000       /* how long to wait for a line that must come */
#define LINE_MAX_BYTES 512 /* the daemon's PROTO_LINE_MAX */
#define NTHREADS 8
#define PER_THREAD 2000

/* --- running a case in a child ------------------------------------ */

__attribute__((format(printf, 3, 4), noreturn)) static void
child_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s:%d: check failed: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	fflush(stderr);
	_exit(1);
}

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond))                                                   \
			child_fail(__FILE__, __LINE__, "%s (errno: %s)",       \
				   #cond, strerror(errno));                    \
	} while (0)

#define CHECK_STR(got, want)                                                   \
	do {                                                                   \
		const char *got_ = (got), *want_ = (want);                     \
		if (strcmp(got_, want_) != 0)                                  \
			child_fail(__FILE__, __LINE__,                         \
				   "got \"%s\", want \"%s\"", got_, want_);    \
	} while (0)

/* A call that must fail with -1 and this errno. */
#define CHECK_FAILS(call, err)                                                 \
	do {                                                                   \
		long rc_;                                                      \
		int e_;                                                        \
		errno = 0;                                                     \
		rc_ = (long)(call);                                            \
		e_ = errno;                                                    \
		if (rc_ != -1 || e_ != (err))                                  \
			child_fail(__FILE__, __LINE__,                         \
				   "%s: got %ld (%s), want -1 (%s)", #call,    \
				   rc_, strerror(e_), strerror(err));          \
	} while (0)

/* Run fn in a child; its wait status. */
static int
run_child(void (*fn)(void))
{
	int status;
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid == -1)
		return -1;
	if (pid == 0) {
		alarm(CHILD_DEADLINE);
		fn();
		fflush(stdout);
		exit(0);
	}
	while (waitpid(pid, &status, 0) == -1)
		if (errno != EINTR)
			return -1;
	return status;
}

/* Describe a child's wait status for a failure message. */
static const char *
child_status(int status, char *buf, size_t len)
{
	if (status == -1)
		snprintf(buf, len, "could not run: %s", strerror(errno));
	else if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM)
		snprintf(buf, len, "blocked: killed after %d s",
			 CHILD_DEADLINE);
	else if (WIFSIGNALED(status))
		snprintf(buf, len, "killed by signal %d (%s)", WTERMSIG(status),
			 strsignal(WTERMSIG(status)));
	else
		snprintf(buf, len, "exited %d", WEXITSTATUS(status));
	return buf;
}

/* A check, in a child, that another child passed. */
static void
check_child(void (*fn)(void), const char *what)
{
	char buf[128];
	int status = run_child(fn);

	if (status != 0)
		child_fail(__FILE__, __LINE__, "%s: %s", what,
			   child_status(status, buf, sizeof(buf)));
}

/* One case of the table in main(). */
struct child_case {
	const char *name;
	void (*fn)(void);
};

/* The cmocka test: run the case in a child, which must exit 0. */
static void
run_case(void **state)
{
	const struct child_case *c = *state;
	char buf[128];
	int status = run_child(c->fn);

	if (status != 0)
		fail_msg("the case's child %s",
			 child_status(status, buf, sizeof(buf)));
}

/* --- helpers ------------------------------------------------------- */

/* Milliseconds on the monotonic clock. */
static int64_t
now_ms(void)
{
	struct timespec ts;

	CHECK(clock_gettime(CLOCK_MONOTONIC, &ts) == 0);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Forget every variable libward reads. */
static void
env_clear(void)
{
	static const char *const names[] = {
	    "STEWARD_HEARTBEAT_FD", "STEWARD_HEARTBEAT_INTERVAL_MS",
	    "NOTIFY_SOCKET",        "WATCHDOG_USEC",
	    "WATCHDOG_PID",
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		CHECK(unsetenv(names[i]) == 0);
}

/*
 * Make a pipe whose write end is HB_FD, as steward's is fd 3, and point
 * STEWARD_HEARTBEAT_FD at it.  Returns the read end.
 */
static int
pipe_setup(int size, const char *interval_ms)
{
	int p[2];

	CHECK(pipe2(p, O_CLOEXEC) == 0);
	if (size > 0)
		CHECK(fcntl(p[1], F_SETPIPE_SZ, size) >= size);
	CHECK(dup2(p[1], HB_FD) == HB_FD);
	CHECK(close(p[1]) == 0);
	env_clear();
	CHECK(setenv("STEWARD_HEARTBEAT_FD", "37", 1) == 0);
	if (interval_ms != NULL)
		CHECK(setenv("STEWARD_HEARTBEAT_INTERVAL_MS", interval_ms, 1) ==
		      0);
	return p[0];
}

/* Lines from a pipe's read end. */
struct reader {
	int fd;
	size_t len;
	char buf[16384];
};

/* The next line, without its newline; false on timeout or EOF. */
static bool
reader_line(struct reader *r, char *line, size_t cap, int timeout_ms)
{
	int64_t deadline = now_ms() + timeout_ms;

	for (;;) {
		char *nl = memchr(r->buf, '\n', r->len);
		struct pollfd pfd = {.fd = r->fd, .events = POLLIN};
		int64_t left;
		ssize_t n;

		if (nl != NULL) {
			size_t len = (size_t)(nl - r->buf);

			CHECK(len < cap);
			memcpy(line, r->buf, len);
			line[len] = '\0';
			r->len -= len + 1;
			memmove(r->buf, nl + 1, r->len);
			return true;
		}
		CHECK(r->len < sizeof(r->buf)); /* a line that never ends */
		left = deadline - now_ms();
		if (left < 0)
			left = 0;
		n = poll(&pfd, 1, (int)left);
		if (n == -1 && errno == EINTR)
			continue;
		CHECK(n >= 0);
		if (n == 0)
			return false;
		n = read(r->fd, r->buf + r->len, sizeof(r->buf) - r->len);
		if (n == -1 && errno == EINTR)
			continue;
		CHECK(n >= 0);
		if (n == 0)
			return false;
		r->len += (size_t)n;
	}
}

/* Wait for the next line and check it is exactly want. */
static void
expect_line(struct reader *r, const char *want)
{
	char line[4096];

	if (!reader_line(r, line, sizeof(line), WAIT_MS))
		child_fail(__FILE__, __LINE__,
			   "no line within %d ms; waited for \"%s\"", WAIT_MS,
			   want);
	CHECK_STR(line, want);
}

/* Check that nothing arrives for ms milliseconds. */
static void
expect_quiet(int fd, int ms)
{
	struct pollfd pfd = {.fd = fd, .events = POLLIN};
	int n;

	while ((n = poll(&pfd, 1, ms)) == -1 && errno == EINTR)
		;
	if (n != 0) {
		char buf[256];
		ssize_t got = read(fd, buf, sizeof(buf) - 1);

		buf[got > 0 ? got : 0] = '\0';
		child_fail(__FILE__, __LINE__,
			   "expected quiet for %d ms, got \"%s\"", ms, buf);
	}
}

/* The next datagram, exactly as sent. */
static void
expect_dgram(int fd, const char *want)
{
	struct pollfd pfd = {.fd = fd, .events = POLLIN};
	char buf[4096];
	ssize_t n;

	CHECK(poll(&pfd, 1, WAIT_MS) == 1);
	n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);
	CHECK(n >= 0);
	buf[n] = '\0';
	CHECK((size_t)n == strlen(buf)); /* no NUL inside */
	CHECK_STR(buf, want);
}

/* How many descriptors the process has open. */
static int
count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	CHECK(d != NULL);
	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	CHECK(closedir(d) == 0);
	return n - 1; /* the directory's own */
}

/* How many threads the process has. */
static int
count_threads(void)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	int n = 0;

	CHECK(d != NULL);
	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	CHECK(closedir(d) == 0);
	return n;
}

/* Wait until the process has n threads. */
static void
expect_threads(int n)
{
	int64_t deadline = now_ms() + WAIT_MS;
	struct timespec tick = {.tv_nsec = 5 * 1000000};

	while (count_threads() != n) {
		if (now_ms() > deadline)
			child_fail(__FILE__, __LINE__,
				   "waited %d ms for %d threads, have %d",
				   WAIT_MS, n, count_threads());
		nanosleep(&tick, NULL);
	}
}

/* Make a file in /tmp, unlinked; returns its descriptor. */
static int
temp_file(void)
{
	int fd = open("/tmp", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);

	CHECK(fd >= 0);
	return fd;
}

/* The library holds one write end of the pipe, close-on-exec. */
static void
check_own_fds_cloexec(int hb)
{
	struct stat want, st;
	int mine = 0;

	CHECK(fstat(hb, &want) == 0);
	for (int fd = 0; fd < 1024; fd++) {
		int fl = fcntl(fd, F_GETFD);

		if (fd == hb || fl == -1 || fstat(fd, &st) == -1 ||
		    st.st_ino != want.st_ino || st.st_dev != want.st_dev ||
		    (fcntl(fd, F_GETFL) & O_ACCMODE) == O_RDONLY)
			continue; /* not a write end of the pipe */
		CHECK(fl & FD_CLOEXEC);
		CHECK(fd >= 3);
		mine++;
	}
	CHECK(mine == 1);
}

/* --- the cases ----------------------------------------------------- */

/* Not under steward: every call is a no-op returning 0. */
static void
case_off_steward_is_a_noop(void)
{
	int fds;

	env_clear();
	fds = count_fds();
	CHECK(ward_enabled() == 0);
	CHECK(ward_beat() == 0);
	CHECK(ward_work("job-%d", 1) == 0);
	CHECK(ward_ready() == 0);
	CHECK(ward_status("%s", "idle") == 0);
	CHECK(ward_extend_usec(1000) == 0);
	CHECK(ward_trigger() == 0);
	CHECK(ward_stopping() == 0);
	CHECK(ward_interval_ms() == 0);
	CHECK(ward_pulse_stop() == 0); /* never started */
	CHECK(ward_pulse_start() == 0);
	CHECK(count_threads() == 1);
	CHECK(ward_pulse_stop() == 0);
	CHECK(ward_dropped() == 0);
	CHECK(count_fds() == fds);
}

/* Each call writes exactly its line to the pipe. */
static void
case_pipe_words(void)
{
	struct reader r = {.fd = pipe_setup(0, "250")};
	int tmp, fl;
	struct stat st;

	CHECK(ward_enabled() == 1);
	CHECK(ward_interval_ms() == 250);
	CHECK(ward_beat() == 0);
	expect_line(&r, "WATCHDOG=1");
	CHECK(ward_work("job-%d", 7) == 0);
	expect_line(&r, "WORK=job-7");
	CHECK(ward_ready() == 0);
	expect_line(&r, "READY=1");
	CHECK(ward_status("%d of %d done", 3, 10) == 0);
	expect_line(&r, "STATUS=3 of 10 done");
	CHECK(ward_status("%s", "") == 0);
	expect_line(&r, "STATUS=");
	CHECK(ward_extend_usec(1500000) == 0);
	expect_line(&r, "EXTEND_TIMEOUT_USEC=1500000");
	CHECK(ward_extend_usec(999999999999999999ULL) == 0);
	expect_line(&r, "EXTEND_TIMEOUT_USEC=999999999999999999");
	CHECK_FAILS(ward_extend_usec(1000000000000000000ULL), EINVAL);
	CHECK(ward_trigger() == 0);
	expect_line(&r, "WATCHDOG=trigger");
	CHECK(ward_stopping() == 0);
	expect_line(&r, "STOPPING=1");
	CHECK(ward_dropped() == 0);

	/* The library writes through a private non-blocking description. */
	fl = fcntl(HB_FD, F_GETFL);
	CHECK(fl != -1 && !(fl & O_NONBLOCK));
	check_own_fds_cloexec(HB_FD);

	/* fd 37 closed and reused for a file: the file gets nothing. */
	tmp = temp_file();
	CHECK(dup2(tmp, HB_FD) == HB_FD);
	CHECK(ward_beat() == 0);
	expect_line(&r, "WATCHDOG=1");
	CHECK(fstat(tmp, &st) == 0 && st.st_size == 0);
}

/* Fill the pipe: the call fails with EAGAIN at once and is counted. */
static void
fill_until_dropped(struct reader *r)
{
	char line[64];
	long sent = 0, got = 0;

	for (;;) {
		int rc = ward_beat();

		if (rc == -1)
			break;
		CHECK(rc == 0);
		CHECK(++sent < 1000000); /* a 4 KiB pipe fills long before */
	}
	CHECK(errno == EAGAIN);
	CHECK(ward_dropped() == 1);
	CHECK_FAILS(ward_work("job-%d", 1), EAGAIN);
	CHECK(ward_dropped() == 2);
	/* What went in came out whole. */
	while (reader_line(r, line, sizeof(line), 0)) {
		CHECK_STR(line, "WATCHDOG=1");
		got++;
	}
	CHECK(r->len == 0);
	CHECK(got == sent);
	CHECK(ward_beat() == 0);
	expect_line(r, "WATCHDOG=1");
	CHECK(ward_dropped() == 2);
}

/* A full pipe drops the beat: the caller never waits. */
static void
case_full_pipe_drops(void)
{
	struct reader r = {.fd = pipe_setup(4096, NULL)};
	int fl;

	fill_until_dropped(&r);
	fl = fcntl(HB_FD, F_GETFL);
	CHECK(fl != -1 && !(fl & O_NONBLOCK)); /* others' fd 3 unchanged */
}

/*
 * Without a private description (here: the pipe's inode is not ours to
 * open, as for a ward steward runs as another user), the shared one is
 * made non-blocking, and a full pipe still drops.
 */
static void
case_full_pipe_drops_shared_description(void)
{
	struct reader r = {.fd = pipe_setup(4096, NULL)};
	int fl;

	CHECK(fchmod(HB_FD, 0) == 0);
	if (geteuid() == 0) {
		CHECK(setresgid(65534, 65534, 65534) == 0);
		CHECK(setresuid(65534, 65534, 65534) == 0);
		CHECK(prctl(PR_SET_DUMPABLE, 1) == 0);
	}
	fill_until_dropped(&r);
	fl = fcntl(HB_FD, F_GETFL);
	CHECK(fl != -1 && (fl & O_NONBLOCK));
	check_own_fds_cloexec(HB_FD);
}

/* Nothing kills us: EPIPE, no SIGPIPE left pending, mask unchanged. */
static void
check_epipe(void)
{
	sigset_t before, after, pending;

	CHECK(signal(SIGPIPE, SIG_DFL) != SIG_ERR);
	CHECK(sigprocmask(SIG_SETMASK, NULL, &before) == 0);
	CHECK_FAILS(ward_beat(), EPIPE);
	CHECK_FAILS(ward_status("%s", "still here"), EPIPE);
	CHECK(ward_dropped() == 2);
	CHECK(sigprocmask(SIG_SETMASK, NULL, &after) == 0);
	CHECK(sigismember(&after, SIGPIPE) == sigismember(&before, SIGPIPE));
	CHECK(sigpending(&pending) == 0);
	CHECK(!sigismember(&pending, SIGPIPE));
}

/* The reader goes away after the library opened the pipe. */
static void
case_reader_gone_after_init(void)
{
	int rfd = pipe_setup(0, NULL);

	CHECK(ward_enabled() == 1);
	CHECK(close(rfd) == 0);
	check_epipe();
}

/* The reader is gone before the library looks (no private reopen). */
static void
case_reader_gone_before_init(void)
{
	CHECK(close(pipe_setup(0, NULL)) == 0);
	CHECK(ward_enabled() == 1);
	check_epipe();
}

/* A SIGPIPE the program holds pending is the program's, not ours. */
static void
case_pending_sigpipe_is_left_alone(void)
{
	sigset_t set, pending;

	CHECK(close(pipe_setup(0, NULL)) == 0);
	CHECK(sigemptyset(&set) == 0 && sigaddset(&set, SIGPIPE) == 0);
	CHECK(sigprocmask(SIG_BLOCK, &set, NULL) == 0);
	CHECK(raise(SIGPIPE) == 0);
	CHECK_FAILS(ward_beat(), EPIPE);
	CHECK(sigpending(&pending) == 0);
	CHECK(sigismember(&pending, SIGPIPE));
	CHECK(sigprocmask(SIG_SETMASK, NULL, &set) == 0);
	CHECK(sigismember(&set, SIGPIPE)); /* still blocked, as it was */
}

/* STEWARD_HEARTBEAT_FD names a regular file: never written. */
static void
variant_fd_is_file(void)
{
	int tmp = temp_file();
	struct stat st;

	env_clear();
	CHECK(dup2(tmp, HB_FD) == HB_FD);
	CHECK(setenv("STEWARD_HEARTBEAT_FD", "37", 1) == 0);
	CHECK(ward_enabled() == 0);
	CHECK(ward_interval_ms() == 0);
	CHECK_FAILS(ward_beat(), EBADF);
	CHECK_FAILS(ward_status("%s", "x"), EBADF);
	CHECK(ward_dropped() == 0);
	CHECK(fstat(tmp, &st) == 0 && st.st_size == 0);
}

/* STEWARD_HEARTBEAT_FD names a closed descriptor. */
static void
variant_fd_closed(void)
{
	env_clear();
	CHECK(close(HB_FD) == -1); /* not open */
	CHECK(setenv("STEWARD_HEARTBEAT_FD", "37", 1) == 0);
	CHECK_FAILS(ward_beat(), EBADF);
	CHECK_FAILS(ward_pulse_start(), EBADF);
}

/* STEWARD_HEARTBEAT_FD names a pipe's read end. */
static void
variant_fd_read_end(void)
{
	int p[2];

	env_clear();
	CHECK(pipe2(p, O_CLOEXEC) == 0);
	CHECK(dup2(p[0], HB_FD) == HB_FD);
	CHECK(setenv("STEWARD_HEARTBEAT_FD", "37", 1) == 0);
	CHECK_FAILS(ward_beat(), EBADF);
}

/* STEWARD_HEARTBEAT_FD is not a number: NOTIFY_SOCKET is not tried. */
static void
variant_fd_junk(void)
{
	env_clear();
	CHECK(setenv("STEWARD_HEARTBEAT_FD", "3x", 1) == 0);
	CHECK(setenv("NOTIFY_SOCKET", "/nonexistent/notify", 1) == 0);
	CHECK_FAILS(ward_ready(), EINVAL);
	CHECK(ward_enabled() == 0);
}

/* A character device (a terminal, /dev/null) is not steward's either. */
static void
variant_fd_device(void)
{
	int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);

	env_clear();
	CHECK(fd >= 0 && dup2(fd, HB_FD) == HB_FD);
	CHECK(setenv("STEWARD_HEARTBEAT_FD", "37", 1) == 0);
	CHECK_FAILS(ward_beat(), EBADF);
}

/* Only what steward gives is ever written to. */
static void
case_foreign_fds_refused(void)
{
	check_child(variant_fd_is_file, "a regular file");
	check_child(variant_fd_closed, "a closed descriptor");
	check_child(variant_fd_read_end, "a pipe's read end");
	check_child(variant_fd_junk, "not a number");
	check_child(variant_fd_device, "/dev/null");
}

/* Point STEWARD_HEARTBEAT_FD at one end of a socketpair; the other. */
static int
socketpair_setup(int type)
{
	int s[2];

	CHECK(socketpair(AF_UNIX, type | SOCK_CLOEXEC, 0, s) == 0);
	CHECK(dup2(s[1], HB_FD) == HB_FD);
	CHECK(close(s[1]) == 0);
	env_clear();
	CHECK(setenv("STEWARD_HEARTBEAT_FD", "37", 1) == 0);
	return s[0];
}

/* A stream socket gets lines; a gone peer is EPIPE, not SIGPIPE. */
static void
variant_stream_socket(void)
{
	struct reader r = {.fd = socketpair_setup(SOCK_STREAM)};

	CHECK(signal(SIGPIPE, SIG_DFL) != SIG_ERR);
	CHECK(ward_enabled() == 1);
	CHECK(ward_ready() == 0);
	expect_line(&r, "READY=1");
	CHECK(ward_work("job-%d", 2) == 0);
	expect_line(&r, "WORK=job-2");
	CHECK(close(r.fd) == 0);
	CHECK_FAILS(ward_beat(), EPIPE);
	CHECK(ward_dropped() == 1);
}

/* A datagram socket gets one datagram per message, no newline. */
static void
variant_dgram_socket(void)
{
	int fd = socketpair_setup(SOCK_DGRAM);

	CHECK(ward_ready() == 0);
	expect_dgram(fd, "READY=1");
	CHECK(ward_status("%s", "up") == 0);
	expect_dgram(fd, "STATUS=up");
}

/* A unix socket handed over as STEWARD_HEARTBEAT_FD. */
static void
case_socket_as_heartbeat_fd(void)
{
	check_child(variant_stream_socket, "a stream socket");
	check_child(variant_dgram_socket, "a datagram socket");
}

/* One call, one line: controls replaced, cut to fit 512 bytes. */
static void
case_long_status_is_one_line(void)
{
	struct reader r = {.fd = pipe_setup(0, NULL)};
	char big[2001], line[4096], want[600];
	static const char e_acute[] = "\xc3\xa9";

	memset(big, 'z', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	CHECK(ward_status("a\nb\tc\r\x01%cd\x7f%s", 0, big) == 0);
	CHECK(reader_line(&r, line, sizeof(line), WAIT_MS));
	CHECK(strlen(line) + 1 <= LINE_MAX_BYTES); /* with its newline */
	CHECK(strlen(line) + 1 == LINE_MAX_BYTES); /* and no shorter */
	CHECK(strncmp(line, "STATUS=a b c ??d?zzz", 20) == 0);
	for (size_t i = 0; line[i] != '\0'; i++)
		CHECK((unsigned char)line[i] >= 0x20 && line[i] != 0x7f);
	expect_quiet(r.fd, 0); /* the rest of the text was not sent */

	/* A cut never splits a UTF-8 character: x + 251 of 400 é fit. */
	big[0] = '\0';
	for (int i = 0; i < 400; i++)
		strcat(big, e_acute);
	CHECK(ward_status("x%s", big) == 0);
	CHECK(reader_line(&r, line, sizeof(line), WAIT_MS));
	strcpy(want, "STATUS=x");
	for (int i = 0; i < 251; i++)
		strcat(want, e_acute);
	CHECK_STR(line, want);

	/* Work ids follow the same rules. */
	CHECK(ward_work("job\n%d", 9) == 0);
	expect_line(&r, "WORK=job 9");
	CHECK(ward_dropped() == 0);
}

struct beater {
	pthread_t tid;
	int id;
};

static atomic_int beaters_done;

/* One of the beating threads. */
static void *
beater_main(void *arg)
{
	const struct beater *b = arg;

	for (int i = 0; i < PER_THREAD; i++)
		(void)ward_work("t%d-%d", b->id, i);
	atomic_fetch_add(&beaters_done, 1);
	return NULL;
}

/* Threads beating at once: only whole lines, each thread's in order. */
static void
case_threads_write_whole_lines(void)
{
	struct reader r = {.fd = pipe_setup(4096, NULL)};
	struct beater b[NTHREADS];
	int last[NTHREADS];
	long got = 0;
	char line[256];

	for (int i = 0; i < NTHREADS; i++) {
		last[i] = -1;
		b[i].id = i;
		CHECK(pthread_create(&b[i].tid, NULL, beater_main, &b[i]) == 0);
	}
	for (;;) {
		int t, seq, n, end = 0;
		bool done = atomic_load(&beaters_done) == NTHREADS;

		if (!reader_line(&r, line, sizeof(line), done ? 0 : 100)) {
			if (done)
				break;
			continue;
		}
		n = sscanf(line, "WORK=t%d-%d%n", &t, &seq, &end);
		if (n != 2 || end == 0 || line[end] != '\0' || t < 0 ||
		    t >= NTHREADS)
			child_fail(__FILE__, __LINE__, "a torn line: \"%s\"",
				   line);
		CHECK(seq > last[t]);
		last[t] = seq;
		got++;
	}
	for (int i = 0; i < NTHREADS; i++)
		CHECK(pthread_join(b[i].tid, NULL) == 0);
	CHECK(r.len == 0);
	CHECK(got + (long)ward_dropped() == (long)NTHREADS * PER_THREAD);
}

/* Read n beats, each within the deadline. */
static void
expect_beats(struct reader *r, int n)
{
	for (int i = 0; i < n; i++)
		expect_line(r, "WATCHDOG=1");
}

/* In a fork child: the parent's pulse is not ours to stop. */
static void
pulse_fork_child(void)
{
	CHECK(count_threads() == 1);
	CHECK(ward_pulse_stop() == 0);
	CHECK(ward_pulse_start() == 0); /* a pulse of its own */
	CHECK(count_threads() == 2);
	CHECK(ward_pulse_stop() == 0);
	expect_threads(1);
	/*
	 * _exit: LeakSanitizer, run by exit(), would still list the
	 * parent's pulse thread, which fork() did not copy.
	 */
	_exit(0);
}

/* The pulse thread beats at the interval, and stops. */
static void
case_pulse_beats_and_stops(void)
{
	struct reader r = {.fd = pipe_setup(0, "50")};
	int64_t t0, elapsed;
	char line[64];

	CHECK(ward_interval_ms() == 50);
	t0 = now_ms();
	CHECK(ward_pulse_start() == 0);
	CHECK(ward_pulse_start() == 0); /* already running: no-op */
	expect_beats(&r, 6);            /* one at once, then 5 intervals */
	elapsed = now_ms() - t0;
	if (elapsed < 240)
		child_fail(__FILE__, __LINE__,
			   "6 beats at 50 ms came in %lld ms, want >= 240",
			   (long long)elapsed);
	CHECK(count_threads() == 2);
	CHECK(ward_pulse_stop() == 0);
	expect_threads(1);
	while (reader_line(&r, line, sizeof(line), 0))
		; /* a beat sent before stop */
	expect_quiet(r.fd, 200);
	CHECK(ward_pulse_stop() == 0);

	/* Again, and across fork(). */
	CHECK(ward_pulse_start() == 0);
	expect_beats(&r, 2);
	check_child(pulse_fork_child, "the pulse in a fork child");
	while (reader_line(&r, line, sizeof(line), 0))
		;
	expect_beats(&r, 2); /* ours still beats */
	CHECK(ward_pulse_stop() == 0);
	expect_threads(1);
}

/* A notify socket with no watchdog interval: no pulse thread. */
static void
case_pulse_needs_an_interval(void)
{
	env_clear();
	CHECK(setenv("NOTIFY_SOCKET", "@libward-test-unused", 1) == 0);
	CHECK(ward_enabled() == 1);
	CHECK(ward_interval_ms() == 0);
	CHECK(ward_pulse_start() == 0);
	CHECK(count_threads() == 1);
	CHECK(ward_pulse_stop() == 0);
}

/* A bound datagram socket at a path (or abstract if path is NULL). */
static int
dgram_listen(char *path, size_t len, bool abstract)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	socklen_t alen;
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	CHECK(fd >= 0);
	if (abstract) {
		snprintf(path, len, "@libward-test-%ld", (long)getpid());
		memcpy(a.sun_path, path, strlen(path));
		a.sun_path[0] = '\0';
		alen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
				   strlen(path));
	} else {
		char dir[] = "/tmp/libward-test.XXXXXX";

		CHECK(mkdtemp(dir) != NULL);
		snprintf(path, len, "%s/notify", dir);
		CHECK(strlen(path) < sizeof(a.sun_path));
		strcpy(a.sun_path, path);
		alen = sizeof(a);
	}
	CHECK(bind(fd, (struct sockaddr *)&a, alen) == 0);
	return fd;
}

/* Remove a socket made by dgram_listen and its directory. */
static void
dgram_cleanup(const char *path)
{
	char dir[128];

	if (path[0] != '/')
		return;
	snprintf(dir, sizeof(dir), "%s", path);
	*strrchr(dir, '/') = '\0';
	CHECK(unlink(path) == 0);
	CHECK(rmdir(dir) == 0);
}

/* The words as datagrams, without newlines. */
static void
notify_words(bool abstract)
{
	char path[108], pid[32];
	int fd = dgram_listen(path, sizeof(path), abstract);
	long sent = 0;

	env_clear();
	snprintf(pid, sizeof(pid), "%ld", (long)getpid());
	CHECK(setenv("NOTIFY_SOCKET", path, 1) == 0);
	CHECK(setenv("WATCHDOG_USEC", "400000", 1) == 0);
	CHECK(setenv("WATCHDOG_PID", pid, 1) == 0);
	CHECK(ward_enabled() == 1);
	CHECK(ward_interval_ms() == 200);
	CHECK(ward_beat() == 0);
	expect_dgram(fd, "WATCHDOG=1");
	CHECK(ward_work("job-%d", 3) == 0);
	expect_dgram(fd, "WORK=job-3");
	CHECK(ward_ready() == 0);
	expect_dgram(fd, "READY=1");
	CHECK(ward_status("a\nb") == 0);
	expect_dgram(fd, "STATUS=a b");
	CHECK(ward_extend_usec(42) == 0);
	expect_dgram(fd, "EXTEND_TIMEOUT_USEC=42");
	CHECK(ward_trigger() == 0);
	expect_dgram(fd, "WATCHDOG=trigger");
	CHECK(ward_stopping() == 0);
	expect_dgram(fd, "STOPPING=1");
	CHECK(ward_dropped() == 0);

	/* Nobody reads: the queue fills and beats drop at once. */
	while (ward_beat() == 0)
		CHECK(++sent < 1000000);
	CHECK(errno == EAGAIN);
	CHECK(ward_dropped() == 1);

	/* Nobody listens any more: dropped, not blocked. */
	CHECK(close(fd) == 0);
	if (!abstract)
		dgram_cleanup(path);
	CHECK(ward_beat() == -1);
	CHECK(errno == ECONNREFUSED || errno == ENOENT);
	CHECK(ward_dropped() == 2);
}

/* NOTIFY_SOCKET at a path. */
static void
case_notify_path(void)
{
	notify_words(false);
}

/* NOTIFY_SOCKET in the abstract namespace ("@name"). */
static void
case_notify_abstract(void)
{
	notify_words(true);
}

/* A watchdog meant for another process gives no interval. */
static void
case_notify_other_pid(void)
{
	env_clear();
	CHECK(setenv("NOTIFY_SOCKET", "@libward-test-unused", 1) == 0);
	CHECK(setenv("WATCHDOG_USEC", "400000", 1) == 0);
	CHECK(setenv("WATCHDOG_PID", "1", 1) == 0);
	CHECK(ward_enabled() == 1);
	CHECK(ward_interval_ms() == 0);
}

/* Unusable NOTIFY_SOCKET values fail with a reason. */
static void
variant_notify_relative(void)
{
	env_clear();
	CHECK(setenv("NOTIFY_SOCKET", "relative/notify", 1) == 0);
	CHECK_FAILS(ward_beat(), EAFNOSUPPORT);
	CHECK(ward_enabled() == 0);
}

/* A path longer than sun_path. */
static void
variant_notify_too_long(void)
{
	char path[200];

	memset(path, 'a', sizeof(path) - 1);
	path[0] = '/';
	path[sizeof(path) - 1] = '\0';
	env_clear();
	CHECK(setenv("NOTIFY_SOCKET", path, 1) == 0);
	CHECK_FAILS(ward_beat(), ENAMETOOLONG);
}

/* Bad notify addresses. */
static void
case_notify_bad_address(void)
{
	check_child(variant_notify_relative, "a relative path");
	check_child(variant_notify_too_long, "a path too long");
}

int
main(void)
{
	static struct child_case cases[] = {
	    {.name = "off-steward-is-a-noop", .fn = case_off_steward_is_a_noop},
	    {.name = "pipe-words", .fn = case_pipe_words},
	    {.name = "full-pipe-drops", .fn = case_full_pipe_drops},
	    {.name = "full-pipe-drops-shared-description",
	     .fn = case_full_pipe_drops_shared_description},
	    {.name = "reader-gone-after-init",
	     .fn = case_reader_gone_after_init},
	    {.name = "reader-gone-before-init",
	     .fn = case_reader_gone_before_init},
	    {.name = "pending-sigpipe-is-left-alone",
	     .fn = case_pending_sigpipe_is_left_alone},
	    {.name = "foreign-fds-refused", .fn = case_foreign_fds_refused},
	    {.name = "socket-as-heartbeat-fd",
	     .fn = case_socket_as_heartbeat_fd},
	    {.name = "long-status-is-one-line",
	     .fn = case_long_status_is_one_line},
	    {.name = "threads-write-whole-lines",
	     .fn = case_threads_write_whole_lines},
	    {.name = "pulse-beats-and-stops", .fn = case_pulse_beats_and_stops},
	    {.name = "pulse-needs-an-interval",
	     .fn = case_pulse_needs_an_interval},
	    {.name = "notify-path", .fn = case_notify_path},
	    {.name = "notify-abstract", .fn = case_notify_abstract},
	    {.name = "notify-other-pid", .fn = case_notify_other_pid},
	    {.name = "notify-bad-address", .fn = case_notify_bad_address},
	};
	struct CMUnitTest tests[sizeof(cases) / sizeof(cases[0])];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		tests[i] = (struct CMUnitTest){.name = cases[i].name,
					       .test_func = run_case,
					       .initial_state = &cases[i]};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
