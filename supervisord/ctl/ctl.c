/*
 * The control socket (the wire protocol is in ctl-proto.h).
 *
 * Never stall the loop.  The listening socket and every connection are
 * non-blocking.  A connection costs a fixed input buffer of CTL_LINE_MAX
 * bytes and an output buffer that is dropped with the connection when it
 * passes twice CTL_REPLY_MAX (a client that does not read).  A request is
 * handled only once its newline has arrived, so a client that sends a
 * byte at a time costs a read per byte and nothing else; one that sends
 * nothing is closed after CTL_IDLE_SECONDS (an idle timer per connection,
 * re-armed lazily: a read only stamps last_active, and the timer, when it
 * fires, waits for the rest); a line that fills the
 * buffer is refused and the connection closed.  Requests beyond a token
 * bucket (bucket.c, as for restarts) are answered "rate_limited".  At
 * most CTL_CONN_MAX connections live at once; one more is answered
 * "busy" and closed.  When accept() fails for lack of fds (EMFILE,
 * ENFILE), the listener is paused for CTL_PAUSE seconds instead of being
 * woken again at once by the same pending connection (a busy loop).
 *
 * Who may connect.  SO_PEERCRED at accept: root, stewardd's own uid, or
 * (with [steward] group) that gid as primary or supplementary group
 * (SO_PEERGROUPS).  Anyone else gets one "refused" reply; refusals are
 * logged, at most one record per CTL_REPORT_EVERY seconds with a count.
 *
 * Waiting.  start, stop and restart reply when every instance named has
 * reached its goal or cannot: steward.c calls ctl_transition() on every
 * transition, which re-judges the waits that include that instance
 * (a wait is linked from each of its instances, so the cost is the
 * number of waits on that instance, usually zero).  A wait has a
 * deadline (the longest stop_timeout + start_timeout of its instances,
 * plus CTL_WAIT_SLACK).
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
#include "base/safepath.h"
#include "core/fdbudget.h"
#include "core/steward.h"
#include "ctl/ctl-internal.h"
#include "ctl/sockname.h"
#include "daemon/job.h"

/* Before the loop waits: free the connections closed meanwhile. */
static void
ctl_reap_cb(struct ev_loop *loop, ev_prepare *w, int revents)
{
	struct ctl *c = container_of(w, struct ctl, reap);

	(void)loop;
	(void)revents;
	while (c->dead != NULL) {
		struct ctl_conn *cn = c->dead;

		c->dead = cn->next;
		free(cn);
	}
}

/* A rate-limited warning about the control socket. */
static void
ctl_report(struct ctl *c, double *last, uint64_t *count, const char *event,
	   const char *reason, uid_t uid, pid_t pid)
{
	struct evlog_rec r;
	double now = steward_now();

	(*count)++;
	if (*last > 0 && now - *last < CTL_REPORT_EVERY)
		return;
	evlog_begin(&r, c->s->log, EVLOG_WARN, event);
	evlog_int(&r, "count", (long long)*count);
	if (pid > 0) {
		evlog_int(&r, "peer_uid", uid);
		evlog_int(&r, "peer_pid", pid);
	}
	evlog_str(&r, "reason", reason);
	evlog_commit(&r);
	*count = 0;
	*last = now;
}

/* May this peer steer stewardd? */
static bool
ctl_peer_allowed(struct ctl *c, int fd, struct ucred *cred)
{
	socklen_t len = sizeof(*cred);
	gid_t groups[256];

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, cred, &len) == -1)
		return false;
	if (cred->uid == 0 || cred->uid == geteuid())
		return true;
	if (!c->has_group)
		return false;
	if (cred->gid == c->gid)
		return true;
	len = sizeof(groups);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len) == -1)
		return false;
	for (size_t i = 0; i < len / sizeof(gid_t); i++) {
		if (groups[i] == c->gid)
			return true;
	}
	return false;
}

/* Answer and close a connection that will not be served. */
static void
ctl_turn_away(int fd, const char *code, const char *msg)
{
	struct sbuf b = {0};

	sbuf_addf(&b, "{\"ok\":false,\"code\":\"%s\",\"error\":", code);
	sbuf_add_json(&b, msg);
	sbuf_add(&b, "}\n", 2);
	/* Best effort: a fresh socket has room for one short line. */
	(void)send(fd, b.s, b.len, MSG_NOSIGNAL | MSG_DONTWAIT);
	sbuf_free(&b);
	if (close(fd) == -1 && errno != EINTR)
		log_warnx("cannot close a refused connection: %s",
			  strerror(errno));
}

/* The listener was paused for lack of fds: listen again. */
static void
ctl_resume_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct ctl *c = container_of(t, struct ctl, pause);

	(void)revents;
	ev_io_start(loop, &c->lio);
}

/*
 * How many connections may be open: CTL_CONN_MAX, or fewer when the fds
 * left beside the wards' reserve and the job runs are fewer (fdbudget.c).
 */
size_t
ctl_cap(const struct ctl *c)
{
	size_t shared = fdbudget_shared(c->s), runs = job_fds(c->s);
	size_t room = shared > runs ? shared - runs : 0;

	if (room < 1)
		room = 1; /* the operator's one way in */
	return room < CTL_CONN_MAX ? room : CTL_CONN_MAX;
}

/*
 * The connection to close to make room for a new one: the one idle the
 * longest, among those with no request in progress (no wait, no run,
 * no reload, no status being made, nothing left to write).  NULL when
 * every one is at work.
 */
static struct ctl_conn *
ctl_idlest(struct ctl *c)
{
	struct ctl_conn *best = NULL;

	for (struct ctl_conn *cn = c->conns; cn != NULL; cn = cn->next) {
		if (cn->wait != NULL || cn->run != NULL || cn->reloading ||
		    cn->stream != NULL || cn->tail != NULL || cn->closing ||
		    cn->outoff < cn->out.len)
			continue;
		if (best == NULL || cn->last_active < best->last_active)
			best = cn;
	}
	return best;
}

/* Close an idle connection to make room, telling it why. */
static void
ctl_evict(struct ctl_conn *cn, size_t cap)
{
	struct ctl *c = cn->ctl;
	struct sbuf b = {0};
	char why[160];

	snprintf(why, sizeof(why),
		 "closed to make room for a new connection: this one was "
		 "idle the longest of %zu",
		 cap);
	sbuf_addf(&b, "{\"ok\":false,\"code\":\"busy\",\"error\":");
	sbuf_add_json(&b, why);
	sbuf_add(&b, "}\n", 2);
	/* Best effort: an idle connection's buffer is empty. */
	(void)send(cn->fd, b.s, b.len, MSG_NOSIGNAL | MSG_DONTWAIT);
	sbuf_free(&b);
	ctl_report(c, &c->evicted_reported_at, &c->evicted_unreported,
		   "control_evicted",
		   "an idle connection was closed to make room for a new one",
		   cn->peer_uid, cn->peer_pid);
	ctl_conn_close(cn);
}

/* The connections open now; see ctl.h. */
size_t
ctl_nconns(const struct ctl *c)
{
	return c->nconns;
}

/* Accept what is waiting, a bounded batch per wake-up. */
static void
ctl_accept_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct ctl *c = container_of(w, struct ctl, lio);

	(void)revents;
	for (int i = 0; i < CTL_ACCEPT_BATCH; i++) {
		int fd =
		    accept4(c->fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
		struct ucred cred = {0};
		struct ctl_conn *cn;

		if (fd == -1) {
			if (errno == EMFILE || errno == ENFILE ||
			    errno == ENOBUFS || errno == ENOMEM) {
				/* Pending connections would wake us at once,
				 * again and again: pause instead. */
				ev_io_stop(loop, &c->lio);
				ev_timer_set(&c->pause, CTL_PAUSE, 0);
				ev_timer_start(loop, &c->pause);
				ctl_report(c, &c->pause_reported_at,
					   &c->pause_count,
					   "control_accept_paused",
					   strerror(errno), 0, 0);
			}
			return; /* EAGAIN, ECONNABORTED, ...: done for now */
		}
		if (!ctl_peer_allowed(c, fd, &cred)) {
			c->refused++;
			ctl_turn_away(
			    fd, "refused",
			    "permission denied: only root, stewardd's own user "
			    "or members of [steward] group may steer it");
			ctl_report(
			    c, &c->refused_reported_at, &c->refused_unreported,
			    "control_refused",
			    "a peer that may not steer stewardd connected",
			    cred.uid, cred.pid);
			continue;
		}
		/* Full: the idlest connection makes room, if one is idle. */
		size_t cap = ctl_cap(c);
		struct ctl_conn *idle;

		while (c->nconns >= cap && (idle = ctl_idlest(c)) != NULL)
			ctl_evict(idle, cap);
		if (c->nconns >= cap) {
			ctl_turn_away(
			    fd, "busy",
			    "too many control connections; try again");
			ctl_report(
			    c, &c->busy_reported_at, &c->busy_unreported,
			    "control_busy",
			    "connection refused: every connection allowed is "
			    "at work",
			    cred.uid, cred.pid);
			continue;
		}
		cn = xcalloc(1, sizeof(*cn));
		cn->ctl = c;
		cn->fd = fd;
		cn->peer_pid = cred.pid;
		cn->peer_uid = cred.uid;
		cn->last_active = steward_now();
		bucket_init(&cn->rate, CTL_RATE_BURST, 1.0, cn->last_active);
		ev_io_init(&cn->rio, ctl_conn_read_cb, fd, EV_READ);
		ev_io_init(&cn->wio, ctl_conn_write_cb, fd, EV_WRITE);
		ev_init(&cn->idle, ctl_conn_idle_cb);
		cn->idle.repeat = CTL_IDLE_SECONDS;
		ev_io_start(loop, &cn->rio);
		ev_timer_again(loop, &cn->idle);
		cn->next = c->conns;
		c->conns = cn;
		c->nconns++;
	}
}

/*
 * The directory of the socket path, by the path rule (safepath.h): the
 * socket is root's door, so a directory another user can change (who
 * could swap the socket for a link, or for a socket of their own) is
 * refused.  Returns its descriptor and the socket's name in it.
 */
static int
ctl_dir(const char *path, const char **name, struct err **errp)
{
	struct safepath_why why;
	char msg[512];
	int dfd = safepath_parent(path, name, &why);

	if (dfd == -1) {
		*errp =
		    ERR_NEW("opening the directory of %s: %s", path,
			    safepath_describe(&why, errno, msg, sizeof(msg)));
		return -1;
	}
	if (why.shared) {
		close(dfd);
		if (why.uid != (uid_t)-1 && why.uid != 0)
			snprintf(msg, sizeof(msg), " (user %u)",
				 (unsigned)why.uid);
		else
			msg[0] = '\0';
		*errp = ERR_NEW(
		    "refusing %s for the control socket: a directory on the "
		    "way is one that another user can change%s; put it in a "
		    "directory only root can change (see SECURITY in "
		    "stewardd(8))",
		    path, msg);
		return -1;
	}
	return dfd;
}

/*
 * Give the socket its group and mode through a descriptor of the socket
 * itself (never a link that replaced it); -1 with errno.
 */
static int
ctl_modes(int dfd, const char *name, dev_t dev, ino_t ino, bool has_group,
	  gid_t gid)
{
	return safepath_sock_chown_chmod(dfd, name, dev, ino, (uid_t)-1,
					 has_group ? gid : (gid_t)-1,
					 has_group ? 0660 : 0600);
}

/* Listen on the control socket; see ctl.h. */
struct ctl *
ctl_open(struct steward *s, const char *path, bool has_group, gid_t gid,
	 struct err **errp)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct ctl *c;
	struct stat sb;
	const char *name;
	mode_t old;
	int fd, dfd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		*errp = ERR_NEW("the socket path %s is longer than %zu bytes",
				path, sizeof(sa.sun_path) - 1);
		return NULL;
	}
	if ((dfd = ctl_dir(path, &name, errp)) == -1)
		return NULL;
	if (sockname_claim(dfd, name, path, "stewardd", "socket path", errp) ==
	    -1) {
		close(dfd);
		return NULL;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd == -1) {
		*errp = ERR_SYS("making the control socket");
		close(dfd);
		return NULL;
	}
	/* By path: no other user can change a directory on the way. */
	memcpy(sa.sun_path, path, strlen(path) + 1);
	old = umask(0177); /* never a moment with a wider mode */
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == -1) {
		*errp = ERR_SYS("binding %s", path);
		umask(old);
		close(fd);
		close(dfd);
		return NULL;
	}
	umask(old);
	if (fstatat(dfd, name, &sb, AT_SYMLINK_NOFOLLOW) == -1) {
		*errp = ERR_SYS("checking %s", path);
		goto fail;
	}
	if (!S_ISSOCK(sb.st_mode)) {
		*errp = ERR_NEW("%s is no socket just after binding it", path);
		goto fail;
	}
	if (has_group &&
	    ctl_modes(dfd, name, sb.st_dev, sb.st_ino, true, gid) == -1) {
		*errp = ERR_SYS("giving %s to group %u with mode 0660", path,
				(unsigned)gid);
		goto fail;
	}
	if (listen(fd, 64) == -1) {
		*errp = ERR_SYS("listening on %s", path);
		goto fail;
	}
	close(dfd);
	c = xcalloc(1, sizeof(*c));
	c->s = s;
	c->path = xstrdup(path);
	c->dev = sb.st_dev;
	c->ino = sb.st_ino;
	c->fd = fd;
	c->has_group = has_group;
	c->gid = gid;
	ev_io_init(&c->lio, ctl_accept_cb, fd, EV_READ);
	ev_io_start(s->loop, &c->lio);
	ev_init(&c->pause, ctl_resume_cb);
	ev_prepare_init(&c->reap, ctl_reap_cb);
	ev_prepare_start(s->loop, &c->reap);
	return c;

fail:
	(void)unlinkat(dfd, name, 0);
	close(fd);
	close(dfd);
	return NULL;
}

/* A reload changed [steward] group; see ctl.h. */
void
ctl_set_group(struct ctl *c, bool has_group, gid_t gid)
{
	struct err *e = NULL;
	const char *name;
	int dfd;

	if (c->has_group == has_group && (!has_group || c->gid == gid))
		return;
	if ((dfd = ctl_dir(c->path, &name, &e)) == -1) {
		log_warnx("cannot change the control socket's group: %s",
			  e->msg);
		err_free(e);
		return;
	}
	if (ctl_modes(dfd, name, c->dev, c->ino, has_group, gid) == -1)
		log_warnx("cannot set %s to %s mode %s: %s", c->path,
			  has_group ? "its group and" : "",
			  has_group ? "0660" : "0600",
			  errno == ESTALE ? "it is no longer stewardd's socket"
					  : strerror(errno));
	close(dfd);
	c->has_group = has_group;
	c->gid = gid;
}

/* Stop listening and close everything; see ctl.h. */
void
ctl_close(struct ctl *c)
{
	struct ev_loop *loop;
	struct safepath_why why;
	const char *name;
	struct stat sb;
	int dfd;

	if (c == NULL)
		return;
	loop = c->s->loop;
	while (c->conns != NULL) {
		struct ctl_conn *cn = c->conns;

		if (cn->wait != NULL) {
			ctl_wait_free(cn->wait);
			ctl_reply_error(cn, "shutting_down",
					"stewardd is shutting down");
		}
		ctl_conn_close(cn);
	}
	ctl_reap_cb(loop, &c->reap, 0);
	ev_io_stop(loop, &c->lio);
	ev_timer_stop(loop, &c->pause);
	ev_prepare_stop(loop, &c->reap);
	if (close(c->fd) == -1 && errno != EINTR)
		log_warnx("cannot close the control socket: %s",
			  strerror(errno));
	/* Remove the name only if it is still our socket. */
	if ((dfd = safepath_parent(c->path, &name, &why)) != -1) {
		if (fstatat(dfd, name, &sb, AT_SYMLINK_NOFOLLOW) == 0 &&
		    sb.st_dev == c->dev && sb.st_ino == c->ino &&
		    unlinkat(dfd, name, 0) == -1)
			log_warnx("cannot remove %s: %s", c->path,
				  strerror(errno));
		close(dfd);
	}
	free(c->path);
	free(c);
}

/* The core's events the control socket hears; see ctl.h. */
static void
ctl_ev_transition(void *ctx, struct steward *s, struct ward_inst *wi,
		  const struct ward_out *out, const struct ward_input *in)
{
	if (s->ctl != NULL)
		ctl_transition(s->ctl, wi);
}

static void
ctl_ev_order_done(void *ctx, struct steward *s, struct ward_inst *wi)
{
	if (s->ctl != NULL && wi->nrefs > 0)
		ctl_transition(s->ctl, wi);
}

static void
ctl_ev_inst_free(void *ctx, struct steward *s, struct ward_inst *wi)
{
	if (s->ctl != NULL)
		ctl_forget(s->ctl, wi);
	free(wi->refs);
	wi->refs = NULL;
	wi->nrefs = wi->caprefs = 0;
}

const struct steward_events ctl_events = {
    .transition = ctl_ev_transition,
    .order_done = ctl_ev_order_done,
    .inst_free = ctl_ev_inst_free,
};
