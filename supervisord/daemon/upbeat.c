/*
 * Beats to stewardd's own supervisor (see upbeat.h).
 *
 * Writes never block: the pipe is made non-blocking (stewardd owns its
 * write end alone) and the datagram socket is sent to with MSG_DONTWAIT;
 * a beat that does not fit is dropped, as libward drops it.  Each message
 * is one write below PIPE_BUF.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "base/log.h"
#include "core/steward.h"
#include "daemon/upbeat.h"

/* The channel to stewardd's own supervisor (s->up, while open). */
struct upbeat {
	struct steward *s;
	int fd; /* -1: none */
	bool is_socket;
	struct sockaddr_un addr;
	socklen_t addrlen;
	ev_timer timer;
	bool ready_pending;
	char last_status[200];
	unsigned long errors;
};

/* Send one message upward; a full channel drops it. */
static void
upbeat_send(struct steward *s, const char *msg)
{
	struct upbeat *u = s->up;
	size_t len = strlen(msg);
	ssize_t n;

	if (u == NULL || u->fd < 0)
		return;
	do {
		if (u->is_socket)
			n = sendto(u->fd, msg, len, MSG_DONTWAIT | MSG_NOSIGNAL,
				   (struct sockaddr *)&u->addr, u->addrlen);
		else
			n = write(u->fd, msg, len);
	} while (n == -1 && errno == EINTR);
	if (n == -1 && errno != EAGAIN)
		u->errors++;
}

/* "3 running, 1 failed": the states of every instance. */
static void
upbeat_summary(struct steward *s, char *buf, size_t len)
{
	size_t count[WARD_NSTATES] = {0};
	size_t off = 0;

	for (size_t i = 0; i < s->nwards; i++)
		for (unsigned j = 0; j < s->wards[i]->ninst; j++)
			count[s->wards[i]->inst[j]->sm.state]++;
	buf[0] = '\0';
	for (int st = 0; st < WARD_NSTATES && off < len; st++) {
		if (count[st] == 0)
			continue;
		off += (size_t)snprintf(buf + off, len - off, "%s%zu %s",
					off ? ", " : "", count[st],
					ward_state_name((enum ward_state)st));
	}
	if (off == 0)
		snprintf(buf, len, "no wards");
}

/* The beat timer: WATCHDOG=1, and STATUS= when it changed. */
static void
upbeat_timer_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct upbeat *u = container_of(t, struct upbeat, timer);
	struct steward *s = u->s;
	char status[200], msg[240];

	(void)loop;
	(void)revents;
	/* A steward above takes the first beat for readiness: wait. */
	if (s->up->ready_pending)
		return;
	upbeat_send(s, s->up->is_socket ? "WATCHDOG=1" : "WATCHDOG=1\n");
	upbeat_summary(s, status, sizeof(status));
	if (strcmp(status, s->up->last_status) != 0) {
		snprintf(msg, sizeof(msg), "STATUS=%s%s", status,
			 s->up->is_socket ? "" : "\n");
		upbeat_send(s, msg);
		snprintf(s->up->last_status, sizeof(s->up->last_status), "%s",
			 status);
	}
}

/* Parse a non-negative decimal environment value; -1 if absent/bad. */
static long long
upbeat_env_num(const char *name)
{
	const char *v = getenv(name);
	char *end;
	long long n;

	if (v == NULL || *v == '\0')
		return -1;
	errno = 0;
	n = strtoll(v, &end, 10);
	if (errno != 0 || *end != '\0' || n < 0)
		return -1;
	return n;
}

/* Use fd (inherited, fd 3 usually) as the pipe upward. */
static int
upbeat_use_pipe(struct steward *s, long long fd)
{
	struct stat sb;
	int fl;

	if (fd < 0 || fd > 1 << 20 || fstat((int)fd, &sb) == -1 ||
	    !S_ISFIFO(sb.st_mode)) {
		log_warnx("STEWARD_HEARTBEAT_FD=%lld is not an open pipe; not "
			  "beating upward",
			  fd);
		return -1;
	}
	fl = fcntl((int)fd, F_GETFL);
	if (fl == -1 || fcntl((int)fd, F_SETFL, fl | O_NONBLOCK) == -1 ||
	    fcntl((int)fd, F_SETFD, FD_CLOEXEC) == -1) {
		log_warnx("cannot set up STEWARD_HEARTBEAT_FD=%lld: %s", fd,
			  strerror(errno));
		return -1;
	}
	s->up->fd = (int)fd;
	return 0;
}

/* Use NOTIFY_SOCKET (a path, or @abstract) as the socket upward. */
static int
upbeat_use_socket(struct steward *s, const char *path)
{
	struct upbeat *u = s->up;
	size_t len = strlen(path);

	if ((path[0] != '/' && path[0] != '@') || len < 2 ||
	    len >= sizeof(u->addr.sun_path)) {
		log_warnx("NOTIFY_SOCKET=%s is not a socket path; not beating "
			  "upward",
			  path);
		return -1;
	}
	u->addr.sun_family = AF_UNIX;
	memcpy(u->addr.sun_path, path, len);
	if (path[0] == '@')
		u->addr.sun_path[0] = '\0';
	u->addrlen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len +
				 (path[0] == '@' ? 0 : 1));
	u->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (u->fd == -1) {
		log_warnx("cannot make a socket for NOTIFY_SOCKET: %s",
			  strerror(errno));
		return -1;
	}
	u->is_socket = true;
	return 0;
}

/* Find the channel upward; see upbeat.h. */
void
upbeat_open(struct steward *s)
{
	struct upbeat *u;
	long long fd = upbeat_env_num("STEWARD_HEARTBEAT_FD");
	long long interval = -1;
	const char *sock = getenv("NOTIFY_SOCKET");

	u = s->up = xcalloc(1, sizeof(*s->up));
	u->s = s;
	u->fd = -1;
	if (fd >= 0) {
		if (upbeat_use_pipe(s, fd) == -1)
			return;
		interval = upbeat_env_num("STEWARD_HEARTBEAT_INTERVAL_MS");
	} else if (sock != NULL) {
		long long wd = upbeat_env_num("WATCHDOG_USEC");
		long long wdpid = upbeat_env_num("WATCHDOG_PID");

		if (upbeat_use_socket(s, sock) == -1)
			return;
		/* The watchdog is ours unless it names another pid. */
		if (wd > 0 && (wdpid < 0 || wdpid == s->self))
			interval = wd / 2000;
	} else {
		return;
	}
	if (interval > 0) {
		ev_timer_init(&u->timer, upbeat_timer_cb, 0,
			      (double)interval / 1000.0);
		ev_timer_again(s->loop, &u->timer);
	}
	u->ready_pending = true;
}

/* States changed; see upbeat.h. */
void
upbeat_update(struct steward *s)
{
	struct upbeat *u = s->up;

	if (u == NULL || u->fd < 0 || !u->ready_pending || !s->autostarted ||
	    s->nstarting > 0)
		return;
	u->ready_pending = false;
	upbeat_send(s, u->is_socket ? "READY=1" : "READY=1\n");
	upbeat_timer_cb(s->loop, &u->timer, 0); /* a beat and STATUS= now */
}

/* stewardd begins to stop; see upbeat.h. */
void
upbeat_stopping(struct steward *s)
{
	if (s->up != NULL)
		upbeat_send(s,
			    s->up->is_socket ? "STOPPING=1" : "STOPPING=1\n");
}

/* Close the channel. */
void
upbeat_close(struct steward *s)
{
	struct upbeat *u = s->up;

	if (u == NULL)
		return;
	if (u->fd >= 0) {
		ev_timer_stop(s->loop, &u->timer);
		if (close(u->fd) == -1 && errno != EINTR)
			log_warnx("cannot close the channel upward: %s",
				  strerror(errno));
	}
	free(u);
	s->up = NULL;
}

/* The core's events upbeat hears; see upbeat.h. */
static void
upbeat_ev_transition(void *ctx, struct steward *s, struct ward_inst *wi,
		     const struct ward_out *out, const struct ward_input *in)
{
	upbeat_update(s);
}

static void
upbeat_ev_update(void *ctx, struct steward *s)
{
	upbeat_update(s);
}

static void
upbeat_ev_shutdown(void *ctx, struct steward *s)
{
	upbeat_stopping(s);
}

const struct steward_events upbeat_events = {
    .transition = upbeat_ev_transition,
    .autostarted = upbeat_ev_update,
    .shutdown = upbeat_ev_shutdown,
};
