/*
 * libward: sending heartbeat messages to steward (see ward.h, libward(3)).
 *
 * The channel.  The first call reads the environment once (pthread_once)
 * and settles on one of: nothing (not under steward: every call returns
 * 0 at the cost of one pthread_once check), a pipe or unix socket named
 * by STEWARD_HEARTBEAT_FD, a datagram socket at NOTIFY_SOCKET, or
 * "broken" (a variable names something unusable: every call fails with
 * the errno that init saw, so the author learns why nothing arrives).
 * STEWARD_HEARTBEAT_FD must name a descriptor open for writing that is a
 * pipe, FIFO or AF_UNIX socket; anything else (a closed number, a file,
 * a terminal, the read end of a pipe) is never written to.  The library
 * then works on a close-on-exec descriptor of its own, numbered 3 or
 * more, so a program that later closes fd 3, or reuses the number for a
 * file, cannot make it write into the wrong place.
 *
 * Never block.  A ward calls us from its work loop; a beat that waited
 * for a stalled reader would turn a slow steward into a hung ward.
 *   - Sockets: send(MSG_DONTWAIT | MSG_NOSIGNAL) never blocks and never
 *     raises SIGPIPE.  A notify datagram goes out with sendto() from our
 *     own SOCK_DGRAM | SOCK_CLOEXEC socket, as sd_notify(3) does.
 *   - Pipes: there is no per-call "don't wait" flag that works on every
 *     kernel, and poll(POLLOUT)-then-write() is racy (another thread or a
 *     child can fill the pipe between the two, and Linux reports POLLOUT
 *     when one page slot is free, not when our bytes fit).  So the write
 *     goes to a non-blocking open file description.  Setting O_NONBLOCK
 *     on fd 3 itself would change the description we share with anything
 *     else that holds fd 3, so init first opens /proc/self/fd/N again,
 *     which for a pipe gives a new description of the same pipe that we
 *     alone make non-blocking (the daemon's log.c does the same for fd 2).
 *     Where that open fails (no /proc; EACCES when the ward runs as a
 *     user other than the pipe's creator, as after steward's user=;
 *     ENXIO when the reader is already gone) we fall back to setting
 *     O_NONBLOCK on the shared description: fd 3 belongs to the
 *     heartbeat protocol by contract, and a shell child writing to it
 *     then sees EAGAIN rather than hanging.
 * With O_NONBLOCK, POSIX makes a write of at most PIPE_BUF bytes
 * all-or-nothing: it writes the whole message or fails with EAGAIN.
 * Every message is one write() or send() of at most 512 bytes (the
 * daemon's PROTO_LINE_MAX, newline included), far below PIPE_BUF (4096),
 * so messages from several threads or processes never interleave and a
 * full pipe drops a whole message, never part of one.  A dropped message
 * is counted (ward_dropped()) and the call fails with EAGAIN: like a
 * pulse sent with "select ... default", nobody waits for the listener.
 *
 * SIGPIPE.  A write to a pipe whose reader is gone raises SIGPIPE, which
 * by default kills the ward; a library must not decide that for it.  So
 * around each pipe write the calling thread blocks SIGPIPE
 * (pthread_sigmask: per thread, and a write's SIGPIPE is sent to the
 * thread that wrote).  If the write fails with EPIPE and no SIGPIPE was
 * pending before, the one we caused is consumed with a zero-timeout
 * sigtimedwait(); then the old mask comes back.  A SIGPIPE already
 * pending (the program blocks it and has one waiting) is left alone;
 * ours merges with it.  This is libpq's method; it costs three extra
 * system calls per pipe message, which beats at human intervals afford.
 * Checking poll(POLLERR) first instead would still race with a reader
 * that closes between the check and the write.
 *
 * Threads.  After init the channel is read-only, and pthread_once orders
 * init before every use; the drop count is an atomic.  There is no lock
 * on the send path.  The pulse thread (libward-pulse.c) uses only the
 * public calls.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "ward.h"

/* The longest message text; with its newline it fits PROTO_LINE_MAX. */
#define WARD_MSG_MAX 511

/* The daemon parses at most 18 digits of EXTEND_TIMEOUT_USEC. */
#define WARD_USEC_MAX UINT64_C(999999999999999999)

_Static_assert(WARD_MSG_MAX + 1 <= PIPE_BUF, "a message is one atomic write");

enum ward_chan_kind {
	CHAN_OFF,    /* not under steward: every call is a no-op */
	CHAN_BROKEN, /* the environment names something unusable */
	CHAN_PIPE,   /* non-blocking pipe: write() with SIGPIPE blocked */
	CHAN_SOCKET, /* a unix socket from STEWARD_HEARTBEAT_FD: send() */
	CHAN_NOTIFY, /* NOTIFY_SOCKET: sendto() the address */
};

struct ward_chan {
	enum ward_chan_kind kind;
	int fd;           /* ours, close-on-exec, >= 3 */
	int err;          /* CHAN_BROKEN: the errno init saw */
	bool newline;     /* a byte stream: end each message with '\n' */
	long interval_ms; /* 0 when unknown */
	struct sockaddr_un addr;
	socklen_t addrlen;
};

static struct ward_chan ward_chan = {.kind = CHAN_OFF, .fd = -1};
static pthread_once_t ward_once = PTHREAD_ONCE_INIT;
static atomic_ulong ward_ndropped;

/* A variable from the environment; empty counts as unset. */
static const char *
ward_getenv(const char *name)
{
	/* secure_getenv: a set-user-ID program ignores its caller's. */
	const char *v = secure_getenv(name);

	return v != NULL && *v != '\0' ? v : NULL;
}

/* Parse a whole decimal number of at most 18 digits, or fail. */
static int
ward_parse_num(const char *s, long long *out)
{
	long long v = 0;
	size_t n = 0;

	for (; s[n] >= '0' && s[n] <= '9'; n++) {
		if (n == 18)
			return -1;
		v = v * 10 + (s[n] - '0');
	}
	if (n == 0 || s[n] != '\0')
		return -1;
	*out = v;
	return 0;
}

/*
 * Move a descriptor of ours to 3 or above, so it never stands in for a
 * closed stdin, stdout or stderr that the program writes to.
 */
static int
ward_lift(int fd)
{
	int nfd;

	if (fd >= 3)
		return fd;
	nfd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	if (nfd == -1) {
		int e = errno;

		(void)close(fd);
		errno = e;
		return -1;
	}
	if (close(fd) == -1 && errno != EINTR) {
		(void)close(nfd);
		return -1;
	}
	return nfd;
}

/* Close a descriptor of ours on a failed init, keeping errno. */
static void
ward_close_keep_errno(int fd)
{
	int e = errno;

	(void)close(fd); /* fresh and unused: nothing to report */
	errno = e;
}

/* A non-blocking description of the pipe at fd; see the essay above. */
static int
ward_open_pipe(int fd, const struct stat *st, int flags)
{
	char path[32];
	struct stat nst;
	int nfd;

	(void)snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	nfd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (nfd != -1) {
		/* Still the same pipe?  Another thread may reuse fd. */
		if (fstat(nfd, &nst) == 0 && nst.st_dev == st->st_dev &&
		    nst.st_ino == st->st_ino)
			return ward_lift(nfd);
		ward_close_keep_errno(nfd);
	}
	/* No private description: make the shared one non-blocking. */
	nfd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	if (nfd == -1)
		return -1;
	if (!(flags & O_NONBLOCK) &&
	    fcntl(nfd, F_SETFL, flags | O_NONBLOCK) == -1) {
		ward_close_keep_errno(nfd);
		return -1;
	}
	return nfd;
}

/* Our own descriptor of the unix socket at fd, if it is one. */
static int
ward_open_socket(int fd)
{
	int domain, type;
	socklen_t len = sizeof(domain);

	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) == -1)
		return -1;
	len = sizeof(type);
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) == -1)
		return -1;
	if (domain != AF_UNIX) {
		errno = EBADF; /* not something steward hands out */
		return -1;
	}
	ward_chan.newline = type == SOCK_STREAM;
	return fcntl(fd, F_DUPFD_CLOEXEC, 3);
}

/* Set up the channel named by STEWARD_HEARTBEAT_FD. */
static int
ward_init_fd(const char *value)
{
	struct stat st;
	long long num;
	int flags;

	if (ward_parse_num(value, &num) == -1 || num > INT_MAX) {
		errno = EINVAL;
		return -1;
	}
	if (fstat((int)num, &st) == -1)
		return -1;
	flags = fcntl((int)num, F_GETFL);
	if (flags == -1)
		return -1;
	if ((flags & O_ACCMODE) == O_RDONLY) {
		errno = EBADF;
		return -1;
	}
	if (S_ISFIFO(st.st_mode)) {
		ward_chan.kind = CHAN_PIPE;
		ward_chan.newline = true;
		ward_chan.fd = ward_open_pipe((int)num, &st, flags);
	} else if (S_ISSOCK(st.st_mode)) {
		ward_chan.kind = CHAN_SOCKET;
		ward_chan.fd = ward_open_socket((int)num);
	} else {
		errno = EBADF; /* a file or a terminal: not steward's */
		return -1;
	}
	return ward_chan.fd == -1 ? -1 : 0;
}

/* Set up a datagram socket for NOTIFY_SOCKET ("/path" or "@abstract"). */
static int
ward_init_notify(const char *path)
{
	struct sockaddr_un *a = &ward_chan.addr;
	size_t len = strlen(path);

	if (path[0] != '/' && path[0] != '@') {
		errno = EAFNOSUPPORT; /* e.g. systemd's vsock: addresses */
		return -1;
	}
	if (len < 2 || len > sizeof(a->sun_path) ||
	    (path[0] == '/' && len == sizeof(a->sun_path))) {
		errno = len < 2 ? EINVAL : ENAMETOOLONG;
		return -1;
	}
	a->sun_family = AF_UNIX;
	memcpy(a->sun_path, path, len);
	if (path[0] == '@') {
		a->sun_path[0] = '\0'; /* abstract: the length says where */
		ward_chan.addrlen =
		    (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len);
	} else {
		ward_chan.addrlen = (socklen_t)sizeof(*a);
	}
	ward_chan.kind = CHAN_NOTIFY;
	ward_chan.newline = false;
	ward_chan.fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (ward_chan.fd == -1)
		return -1;
	ward_chan.fd = ward_lift(ward_chan.fd);
	return ward_chan.fd == -1 ? -1 : 0;
}

/* How often to beat: steward's interval, else half of WATCHDOG_USEC. */
static long
ward_init_interval(void)
{
	const char *ms = ward_getenv("STEWARD_HEARTBEAT_INTERVAL_MS");
	const char *usec = ward_getenv("WATCHDOG_USEC");
	const char *pid = ward_getenv("WATCHDOG_PID");
	long long v, p;

	if (ms != NULL && ward_parse_num(ms, &v) == 0 && v > 0)
		return v > LONG_MAX ? LONG_MAX : (long)v;
	if (usec == NULL || ward_parse_num(usec, &v) == -1 || v <= 0)
		return 0;
	/* As sd_watchdog_enabled(3): the watchdog is some other process's. */
	if (pid != NULL && (ward_parse_num(pid, &p) == -1 || p != getpid()))
		return 0;
	v /= 2000;
	if (v > LONG_MAX)
		return LONG_MAX;
	return v > 0 ? (long)v : 1;
}

/* Read the environment, once per process (pthread_once). */
static void
ward_init(void)
{
	const char *fd = ward_getenv("STEWARD_HEARTBEAT_FD");
	const char *sock = ward_getenv("NOTIFY_SOCKET");
	int rc;

	if (fd != NULL)
		rc = ward_init_fd(fd);
	else if (sock != NULL)
		rc = ward_init_notify(sock);
	else
		return;
	if (rc == -1) {
		ward_chan.err = errno;
		ward_chan.kind = CHAN_BROKEN;
		if (ward_chan.fd >= 0)
			(void)close(ward_chan.fd);
		ward_chan.fd = -1;
		return;
	}
	ward_chan.interval_ms = ward_init_interval();
}

/* True when messages have somewhere to go. */
static bool
ward_live(const struct ward_chan *c)
{
	return c->kind == CHAN_PIPE || c->kind == CHAN_SOCKET ||
	       c->kind == CHAN_NOTIFY;
}

/* The channel, set up on first use. */
static const struct ward_chan *
ward_get(void)
{
	int rc = pthread_once(&ward_once, ward_init);

	if (rc != 0) {
		/* Cannot happen on Linux; fail each call rather than crash. */
		static const struct ward_chan failed = {
		    .kind = CHAN_BROKEN, .fd = -1, .err = EIO};

		return &failed;
	}
	return &ward_chan;
}

/* Write one message to the pipe without blocking or raising SIGPIPE. */
static ssize_t
ward_write_pipe(int fd, const char *buf, size_t len)
{
	static const struct timespec zero = {0, 0};
	sigset_t pipeset, pending, old;
	bool was_pending;
	ssize_t n;
	int rc, e;

	if (sigemptyset(&pipeset) == -1 || sigaddset(&pipeset, SIGPIPE) == -1 ||
	    sigpending(&pending) == -1)
		return -1;
	was_pending = sigismember(&pending, SIGPIPE) == 1;
	rc = pthread_sigmask(SIG_BLOCK, &pipeset, &old);
	if (rc != 0) {
		errno = rc;
		return -1;
	}
	do
		n = write(fd, buf, len);
	while (n == -1 && errno == EINTR);
	e = errno;
	if (n == -1 && e == EPIPE && !was_pending) {
		/* Consume the SIGPIPE this write raised, and only that one. */
		while (sigtimedwait(&pipeset, NULL, &zero) == -1 &&
		       errno == EINTR)
			;
	}
	rc = pthread_sigmask(SIG_SETMASK, &old, NULL);
	/* It fails only for a bad "how" (EINVAL); ours is good. */
	(void)rc;
	errno = e;
	return n;
}

/* Send a finished message (buf has room for one byte more than len). */
static int
ward_send(const struct ward_chan *c, char *buf, size_t len)
{
	ssize_t n = -1;

	if (c->newline)
		buf[len++] = '\n';
	switch (c->kind) {
	case CHAN_OFF:
		return 0;
	case CHAN_BROKEN:
		errno = c->err;
		return -1;
	case CHAN_PIPE:
		n = ward_write_pipe(c->fd, buf, len);
		break;
	case CHAN_SOCKET:
		do
			n = send(c->fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);
		while (n == -1 && errno == EINTR);
		break;
	case CHAN_NOTIFY:
		do
			n = sendto(c->fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL,
				   (const struct sockaddr *)&c->addr,
				   c->addrlen);
		while (n == -1 && errno == EINTR);
		break;
	}
	if (n == (ssize_t)len)
		return 0;
	if (n >= 0)
		errno = EIO; /* a short write: atomicity says it cannot be */
	else if (errno == EWOULDBLOCK)
		errno = EAGAIN;
	atomic_fetch_add_explicit(&ward_ndropped, 1, memory_order_relaxed);
	return -1;
}

/* Send a fixed word. */
static int
ward_send_word(const char *word)
{
	const struct ward_chan *c = ward_get();
	char buf[WARD_MSG_MAX + 1];
	size_t len = strlen(word);

	if (c->kind == CHAN_OFF)
		return 0;
	memcpy(buf, word, len);
	return ward_send(c, buf, len);
}

/* Drop an incomplete UTF-8 character left at the end by a cut. */
static size_t
ward_utf8_cut(const char *text, size_t len)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t i = len, have, need;

	while (i > 0 && len - i < 3 && (s[i - 1] & 0xc0) == 0x80)
		i--;
	if (i == 0 || s[i - 1] < 0xc0)
		return len; /* ASCII, or not UTF-8: leave it as it is */
	need = s[i - 1] >= 0xf0 ? 4 : s[i - 1] >= 0xe0 ? 3 : 2;
	have = len - (i - 1);
	return have < need ? i - 1 : len;
}

/* Make text one line: whitespace controls become ' ', others '?'. */
static void
ward_clean(char *text, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)text[i];

		if (ch == '\t' || ch == '\n' || ch == '\v' || ch == '\f' ||
		    ch == '\r')
			text[i] = ' ';
		else if (ch < 0x20 || ch == 0x7f)
			text[i] = '?';
	}
}

/* Send prefix + formatted text, made one line and cut to fit. */
__attribute__((format(printf, 2, 0))) static int
ward_send_text(const char *prefix, const char *fmt, va_list ap)
{
	const struct ward_chan *c = ward_get();
	char buf[WARD_MSG_MAX + 1];
	size_t plen = strlen(prefix), room = WARD_MSG_MAX - plen, len;
	int n;

	if (c->kind == CHAN_OFF)
		return 0;
	if (fmt == NULL) {
		errno = EINVAL;
		return -1;
	}
	memcpy(buf, prefix, plen);
	n = vsnprintf(buf + plen, room + 1, fmt, ap);
	if (n < 0)
		return -1;
	len = (size_t)n;
	if (len > room)
		len = ward_utf8_cut(buf + plen, room);
	ward_clean(buf + plen, len);
	return ward_send(c, buf, plen + len);
}

/* Beat. */
int
ward_beat(void)
{
	return ward_send_word("WATCHDOG=1");
}

/* Beat at the start of a unit of work, va_list form. */
int
ward_vwork(const char *fmt, va_list ap)
{
	return ward_send_text("WORK=", fmt, ap);
}

/* Beat at the start of a unit of work. */
int
ward_work(const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = ward_vwork(fmt, ap);
	va_end(ap);
	return rc;
}

/* Say start-up is over. */
int
ward_ready(void)
{
	return ward_send_word("READY=1");
}

/* Set the status text, va_list form. */
int
ward_vstatus(const char *fmt, va_list ap)
{
	return ward_send_text("STATUS=", fmt, ap);
}

/* Set the status text. */
int
ward_status(const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = ward_vstatus(fmt, ap);
	va_end(ap);
	return rc;
}

/* Move this one deadline usec microseconds away. */
int
ward_extend_usec(uint64_t usec)
{
	char word[48];

	if (ward_get()->kind == CHAN_OFF)
		return 0;
	if (usec > WARD_USEC_MAX) {
		errno = EINVAL;
		return -1;
	}
	(void)snprintf(word, sizeof(word), "EXTEND_TIMEOUT_USEC=%" PRIu64,
		       usec);
	return ward_send_word(word);
}

/* Ask to be healed now. */
int
ward_trigger(void)
{
	return ward_send_word("WATCHDOG=trigger");
}

/* Say the ward is shutting down on its own. */
int
ward_stopping(void)
{
	return ward_send_word("STOPPING=1");
}

/* How often to beat, in milliseconds, or 0. */
long
ward_interval_ms(void)
{
	const struct ward_chan *c = ward_get();

	return ward_live(c) ? c->interval_ms : 0;
}

/* Whether messages have somewhere to go. */
int
ward_enabled(void)
{
	return ward_live(ward_get());
}

/* How many messages were dropped. */
unsigned long
ward_dropped(void)
{
	return atomic_load_explicit(&ward_ndropped, memory_order_relaxed);
}
