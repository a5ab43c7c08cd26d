/*
 * heartbeat = notify: the systemd notification protocol, per instance.
 *
 * Each instance gets its own datagram socket, bound before the ward is
 * spawned, at <notify_dir>/<ward>.<replica>/notify.  notify_dir is made
 * once per stewardd, and each instance directory in it per spawn, both
 * owned by stewardd's user (root) with mode 0711: others may pass
 * through, but neither list nor change them, so nobody else can swap
 * the socket for a link between bind() and the chown/chmod that follow,
 * or leave a file behind that keeps the directory alive (SECURITY in
 * stewardd(8)).  The socket itself is given to the ward's user with mode
 * 0600, so only stewardd and that user can send to it.  Directories are
 * reached by descriptors (mkdirat, openat, unlinkat), the base found by
 * the path rule of safepath.h.  The ward finds the socket in
 * NOTIFY_SOCKET, with WATCHDOG_USEC (heartbeat_timeout) and WATCHDOG_PID
 * (its own pid), as sd_notify(3) and systemd-notify(1) expect.
 *
 * A datagram holds one or more words separated by newlines, the words
 * of ward-proto.h; each goes through the same handling as a pipe line.
 * The socket has SO_PASSCRED, so every datagram carries the sender's
 * pid, checked against the ward: its main process or a member of its
 * process group (systemd-notify runs as a child of a shell ward).
 * Anything else is rejected and reported.  Passed file descriptors
 * (SCM_RIGHTS, e.g. systemd-notify's BARRIER=1 fd, which it waits to see
 * closed) are closed at once, so nothing leaks and barriers complete.
 * Zero-length and over-long datagrams (MSG_TRUNC) are counted as bad
 * messages.  One wake-up reads at most NOTIFY_READ_MAX datagrams, so a
 * flooding ward cannot hold the loop.
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
#include "core/steward.h"

#define NOTIFY_MSG_MAX 4096
#define NOTIFY_FDS_MAX 16
#define NOTIFY_READ_MAX 64

/*
 * Make (or take back) the directory name in dfd, owned by stewardd's own
 * user with mode 0711, and open it.  One left by an older stewardd that
 * is not ours (a ward user's, from before the directories were root's)
 * is renamed aside.  Returns the descriptor, or -1 with *errp.
 */
static int
notify_mkdir(int dfd, const char *name, const char *path, struct err **errp)
{
	struct stat sb;
	int fd;

	for (int tries = 0;; tries++) {
		if (mkdirat(dfd, name, 0711) == -1 && errno != EEXIST) {
			*errp = ERR_SYS("making %s", path);
			return -1;
		}
		fd = openat(dfd, name,
			    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd == -1 && errno != ELOOP && errno != ENOTDIR) {
			*errp = ERR_SYS("opening %s", path);
			return -1;
		}
		if (fd != -1 && fstat(fd, &sb) == -1) {
			*errp = ERR_SYS("checking %s", path);
			close(fd);
			return -1;
		}
		if (fd != -1 && sb.st_uid == geteuid())
			break;
		if (fd != -1)
			close(fd);
		if (tries > 0) {
			*errp =
			    ERR_NEW("%s is not stewardd's own directory", path);
			return -1;
		}
		/* Not ours: move it out of the way, keep it for a look. */
		{
			char aside[300];

			snprintf(aside, sizeof(aside), "%s.stale.%d", name,
				 (int)getpid());
			if (renameat(dfd, name, dfd, aside) == -1) {
				*errp = ERR_SYS("moving aside %s, which is not "
						"stewardd's own",
						path);
				return -1;
			}
			log_warnx("%s was not stewardd's own directory; moved "
				  "it aside to %s",
				  path, aside);
		}
	}
	if (fchmod(fd, 0711) == -1) {
		*errp = ERR_SYS("setting the mode of %s", path);
		close(fd);
		return -1;
	}
	return fd;
}

/* Make stewardd's notify directory, once. */
static int
notify_dir(struct steward *s, struct err **errp)
{
	const char *base = getenv("XDG_RUNTIME_DIR");
	struct safepath_why why;
	const char *name;
	char msg[512];
	char *dir;
	int pfd, fd;

	if (s->notify_dir != NULL)
		return 0;
	if (geteuid() == 0)
		dir = xasprintf("/run/steward-notify.%d", (int)s->self);
	else if (base != NULL && base[0] == '/')
		dir = xasprintf("%s/steward-notify.%d", base, (int)s->self);
	else
		dir = xasprintf("/tmp/steward-notify.%d.%u", (int)s->self,
				(unsigned)geteuid());
	pfd = safepath_parent(dir, &name, &why);
	if (pfd == -1) {
		*errp =
		    ERR_NEW("opening the directory of %s: %s", dir,
			    safepath_describe(&why, errno, msg, sizeof(msg)));
		free(dir);
		return -1;
	}
	if (why.shared) {
		*errp = ERR_NEW("refusing %s for notify sockets: a directory "
				"on the way is one that another user can "
				"change",
				dir);
		close(pfd);
		free(dir);
		return -1;
	}
	fd = notify_mkdir(pfd, name, dir, errp);
	close(pfd);
	if (fd == -1) {
		free(dir);
		return -1;
	}
	close(fd);
	s->notify_dir = dir;
	return 0;
}

/*
 * Open stewardd's notify directory again, by the path rule, and check
 * that it is still its own; -1 with *errp (if errp) when not.  Opened per
 * use rather than held: a few system calls per spawn, no descriptor for
 * the daemon's whole life.
 */
static int
notify_base(struct steward *s, struct err **errp)
{
	struct safepath_why why;
	struct stat sb;
	char msg[512];
	int fd;

	fd = safepath_open(s->notify_dir, O_RDONLY | O_DIRECTORY, 0, &why);
	if (fd == -1) {
		if (errp != NULL)
			*errp = ERR_NEW(
			    "opening %s: %s", s->notify_dir,
			    safepath_describe(&why, errno, msg, sizeof(msg)));
		return -1;
	}
	if (fstat(fd, &sb) == -1 || sb.st_uid != geteuid() ||
	    (sb.st_mode & (S_IWGRP | S_IWOTH)) != 0 || why.shared) {
		if (errp != NULL)
			*errp = ERR_NEW("%s is no longer stewardd's own "
					"directory",
					s->notify_dir);
		close(fd);
		return -1;
	}
	return fd;
}

/* Close every fd passed in a message's control data. */
static void
notify_close_fds(struct msghdr *mh)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c != NULL;
	     c = CMSG_NXTHDR(mh, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		int *fds = (int *)(void *)CMSG_DATA(c);

		for (size_t i = 0; i < n; i++) {
			if (close(fds[i]) == -1 && errno != EINTR)
				log_warnx("cannot close a passed fd: %s",
					  strerror(errno));
		}
	}
}

/* The sender's credentials, or NULL when the kernel gave none. */
static struct ucred *
notify_creds(struct msghdr *mh)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c != NULL;
	     c = CMSG_NXTHDR(mh, c)) {
		if (c->cmsg_level == SOL_SOCKET &&
		    c->cmsg_type == SCM_CREDENTIALS &&
		    c->cmsg_len >= CMSG_LEN(sizeof(struct ucred)))
			return (struct ucred *)(void *)CMSG_DATA(c);
	}
	return NULL;
}

/* True when pid is the instance's main process or in its group. */
static bool
notify_sender_ok(const struct ward_inst *wi, pid_t pid)
{
	pid_t pg;

	if (wi->pid <= 0 || pid <= 0)
		return false;
	if (pid == wi->pid)
		return true;
	pg = getpgid(pid);
	return pg == wi->pid;
}

/* Act on one datagram: each newline-separated word in turn. */
static void
notify_handle(struct steward *s, struct ward_inst *wi, const char *buf,
	      size_t len, bool dead)
{
	const char *end = buf + len;

	while (buf < end) {
		const char *nl = memchr(buf, '\n', (size_t)(end - buf));
		size_t n =
		    nl != NULL ? (size_t)(nl - buf) : (size_t)(end - buf);

		/* Newlines separate words; they are no empty beats here. */
		if (n > 0)
			ward_beat_message(s, wi, buf, n, dead);
		buf += n + (nl != NULL);
	}
}

/* Read up to max datagrams; -1 when the socket failed. */
static int
notify_read(struct steward *s, struct ward_inst *wi, int max, bool dead)
{
	for (int i = 0; i < max && wi->notify.fd >= 0; i++) {
		char buf[NOTIFY_MSG_MAX];
		union {
			struct cmsghdr align;
			char space[CMSG_SPACE(sizeof(struct ucred)) +
				   CMSG_SPACE(sizeof(int) * NOTIFY_FDS_MAX)];
		} control;
		struct iovec iov = {.iov_base = buf, .iov_len = sizeof(buf)};
		struct msghdr mh = {.msg_iov = &iov,
				    .msg_iovlen = 1,
				    .msg_control = &control,
				    .msg_controllen = sizeof(control)};
		struct ucred *cred;
		ssize_t n;

		n = recvmsg(wi->notify.fd, &mh,
			    MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN)
			return 0;
		if (n == -1)
			return -1;
		notify_close_fds(&mh);
		cred = notify_creds(&mh);
		if (cred == NULL || !notify_sender_ok(wi, cred->pid)) {
			char why[128];

			snprintf(
			    why, sizeof(why),
			    "a notification from pid %d, which is not in the "
			    "ward's process group; rejected",
			    cred != NULL ? (int)cred->pid : 0);
			if (!dead)
				ward_beat_invalid(s, wi, why, buf,
						  (size_t)n > 64 ? 64
								 : (size_t)n);
			continue;
		}
		if (mh.msg_flags & MSG_TRUNC) {
			ward_beat_invalid(
			    s, wi,
			    "a notification longer than 4096 bytes; dropped",
			    buf, 64);
			continue;
		}
		if (mh.msg_flags & MSG_CTRUNC) {
			ward_beat_invalid(
			    s, wi,
			    "more than 16 file descriptors passed; the rest "
			    "were closed",
			    NULL, 0);
		}
		if (n == 0) {
			ward_beat_invalid(s, wi, "an empty notification", NULL,
					  0);
			continue;
		}
		notify_handle(s, wi, buf, (size_t)n, dead);
	}
	return 0;
}

/* The socket is readable: hear the ward. */
static void
notify_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct ward_inst *wi = container_of(w, struct ward_inst, notify.io);
	struct steward *s = wi->ward->steward;

	(void)loop;
	(void)revents;
	if (notify_read(s, wi, NOTIFY_READ_MAX, false) == -1)
		ward_beat_invalid(s, wi, "the notify socket failed", NULL, 0);
}

/* Read what waits before a deadline is judged; see ward_beat_poll(). */
void
ward_notify_poll(struct steward *s, struct ward_inst *wi)
{
	if (wi->notify.fd >= 0)
		(void)notify_read(s, wi, NOTIFY_READ_MAX, false);
}

/* Make the instance's socket; see steward.h. */
int
ward_notify_open(struct steward *s, struct ward_inst *wi, struct err **errp)
{
	const struct ward_spec *w = wi->ward->spec;
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	char *name = NULL, *dir = NULL;
	struct stat sb;
	int fd = -1, bfd = -1, ifd = -1, one = 1;

	if (notify_dir(s, errp) == -1)
		return -1;
	name = xasprintf("%s.%u", w->name, wi->replica);
	dir = xasprintf("%s/%s", s->notify_dir, name);
	free(wi->notify.path);
	wi->notify.path = xasprintf("%s/notify", dir);
	if (strlen(wi->notify.path) >= sizeof(sa.sun_path)) {
		*errp = ERR_NEW("the notify socket path %s is too long",
				wi->notify.path);
		goto fail;
	}
	if ((bfd = notify_base(s, errp)) == -1 ||
	    (ifd = notify_mkdir(bfd, name, dir, errp)) == -1)
		goto fail;
	if (unlinkat(ifd, "notify", 0) == -1 && errno != ENOENT) {
		*errp = ERR_SYS("removing an old %s", wi->notify.path);
		goto fail;
	}
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd == -1) {
		*errp = ERR_SYS("making the notify socket");
		goto fail;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)) == -1) {
		*errp = ERR_SYS("asking for sender credentials");
		goto fail;
	}
	/* By path: every directory on it is one only stewardd can change. */
	memcpy(sa.sun_path, wi->notify.path, strlen(wi->notify.path) + 1);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == -1) {
		*errp = ERR_SYS("binding %s", wi->notify.path);
		goto fail;
	}
	/* Only stewardd and the ward's user may send to it. */
	if (fstatat(ifd, "notify", &sb, AT_SYMLINK_NOFOLLOW) == -1 ||
	    safepath_sock_chown_chmod(ifd, "notify", sb.st_dev, sb.st_ino,
				      w->has_user ? w->uid : (uid_t)-1,
				      w->has_user ? w->gid : (gid_t)-1,
				      0600) == -1) {
		*errp =
		    ERR_SYS("giving %s to user %s with mode 0600",
			    wi->notify.path, w->has_user ? w->user : "root");
		goto fail;
	}
	close(ifd);
	close(bfd);
	free(dir);
	free(name);
	wi->notify.fd = fd;
	ev_io_init(&wi->notify.io, notify_cb, fd, EV_READ);
	ev_set_priority(&wi->notify.io, EV_MAXPRI);
	ev_io_start(s->loop, &wi->notify.io);
	return 0;

fail:
	if (fd >= 0)
		close(fd);
	if (ifd >= 0) {
		(void)unlinkat(ifd, "notify", 0);
		close(ifd);
		(void)unlinkat(bfd, name, AT_REMOVEDIR);
	}
	if (bfd >= 0)
		close(bfd);
	free(dir);
	free(name);
	return -1;
}

/* Read what is left, then close and remove the socket; see steward.h. */
void
ward_notify_close(struct steward *s, struct ward_inst *wi)
{
	const struct ward_spec *w = wi->ward->spec;
	struct err *e = NULL;
	char *name;
	int bfd, ifd;

	if (wi->notify.fd < 0)
		return;
	(void)notify_read(s, wi, 1024, true);
	ev_io_stop(s->loop, &wi->notify.io);
	if (close(wi->notify.fd) == -1 && errno != EINTR)
		log_warnx("cannot close %s: %s", wi->notify.path,
			  strerror(errno));
	wi->notify.fd = -1;
	if ((bfd = notify_base(s, &e)) == -1) {
		log_warnx("cannot remove %s: %s", wi->notify.path, e->msg);
		err_free(e);
		return;
	}
	name = xasprintf("%s.%u", w->name, wi->replica);
	ifd = openat(bfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (ifd != -1 && unlinkat(ifd, "notify", 0) == -1 && errno != ENOENT)
		log_warnx("cannot remove %s: %s", wi->notify.path,
			  strerror(errno));
	if (ifd != -1)
		close(ifd);
	if (unlinkat(bfd, name, AT_REMOVEDIR) == -1 && errno != ENOENT)
		log_warnx("cannot remove %s/%s: %s", s->notify_dir, name,
			  strerror(errno));
	close(bfd);
	free(name);
}

/* Remove the notify directory at exit; see steward.h. */
void
ward_notify_cleanup(struct steward *s)
{
	struct safepath_why why;
	const char *name;
	int pfd;

	if (s->notify_dir == NULL)
		return;
	pfd = safepath_parent(s->notify_dir, &name, &why);
	if (pfd != -1 && unlinkat(pfd, name, AT_REMOVEDIR) == -1 &&
	    errno != ENOENT)
		log_warnx("cannot remove %s: %s", s->notify_dir,
			  strerror(errno));
	if (pfd != -1)
		close(pfd);
	free(s->notify_dir);
	s->notify_dir = NULL;
}
