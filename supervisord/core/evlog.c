/*
 * The event log: one JSON object a line, appended to a file or written
 * to standard error.
 *
 * Never block the loop.  The daemon's one thread runs every heartbeat
 * deadline and every restart; a log write that waits on a slow disk, a
 * stuck pipe reader or a paused terminal would make healthy wards look
 * hung.  So the descriptor is non-blocking wherever the kernel allows
 * it, and a record is never written directly: evlog_commit() appends the
 * finished line to an in-memory queue, and just before the loop next
 * sleeps (an ev_prepare watcher) as much of the queue is written as the
 * descriptor takes.  The records of one loop iteration (a ward's death,
 * the restart it leads to) cost one write(2), made after the restart:
 * none of it stands between a death and the replacement's start.
 * Outside ev_run() (stewardd's start, its last records) a commit writes
 * at once, and so does one that finds EVLOG_HOLD_MAX (64 KiB) held.
 * When write() says EAGAIN the rest stays queued and an EV_WRITE watcher
 * finishes the job when the descriptor drains; the watcher runs only
 * while something is queued.  The queue is capped at EVLOG_QUEUE_MAX
 * (1 MiB): a reader that never drains costs bounded memory, and a record
 * that does not fit is dropped and counted lost.
 *   Standard error needs care, because its open file description is
 * shared with our parent and our wards: setting O_NONBLOCK on fd 2
 * would surprise every one of them.  For a pipe, FIFO or terminal we
 * open /proc/self/fd/2 again, which gives a new description of the same
 * object that we alone make non-blocking.  For a socket (journald) we
 * keep a duplicate and use send(MSG_DONTWAIT), which never blocks and
 * raises no SIGPIPE.  A regular file is duplicated as it is: reopening
 * it would start writing at offset 0 over what is there, and a file
 * never says EAGAIN anyway.  Only when there is no /proc do other kinds
 * fall back to a blocking duplicate.
 *
 * A full disk loses events, not the daemon.  Any other write error
 * (ENOSPC, EDQUOT, EIO, EPIPE, EBADF) drops every queued record not yet
 * begun, counts each as lost and remembers the errno; the steward keeps
 * supervising.  Lines stay whole: when the kernel took only part of a
 * line, the rest of that line is kept and written before anything else,
 * so a record never starts in the middle of another.  The next record
 * committed after a loss is preceded by an "events_lost" record saying
 * how many were lost and why; if that report itself cannot be written
 * it is dropped too and the count carries over to the next one, so each
 * loss is reported exactly once, when the log can say so.  Closing the
 * log reports losses nothing came after, past the cap if need be.
 *
 * Rotation.  SIGUSR1 (evlog_reopen()) opens the path again before it
 * closes the old descriptor, so a failed reopen keeps logging to the old
 * file.  Rotation without the signal is noticed too, when it matters:
 * before the loop writes a batch of new records (not on a timer, so an
 * idle daemon never wakes for it), fstat() of the descriptor is compared
 * with stat() of the path; a deleted file (no links left) or a path that
 * names another file is reopened first, and an "event_log_reopened"
 * record in the new file says why.  A record is thus never written to a
 * file that was rotated away before the record was made.  After a
 * failed automatic reopen the next try waits EVLOG_RETRY_AFTER seconds.
 *
 * Cost: a commit copies its line once into the queue; the queue is
 * compacted when more than half of it has been written, so each byte is
 * moved O(1) times.  The check costs two stat calls per batch written
 * (at most one batch per loop iteration), none while nothing is logged.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <ev.h>

#include "base/err.h"
#include "core/evlog.h"
#include "base/safepath.h"

#define EVLOG_QUEUE_MAX (1024 * 1024)
/* After a failed automatic reopen, the next try waits this long. */
#define EVLOG_RETRY_AFTER 2.0
/* Held for the end of a loop turn up to this much, then written. */
#define EVLOG_HOLD_MAX (64 * 1024)
/* A drained queue bigger than this gives its memory back. */
#define EVLOG_QUEUE_KEEP (64 * 1024)

/* An "events_lost" line queued but not yet begun, and its count. */
struct evlog_report {
	uint64_t start; /* position in the stream (see evlog.base) */
	uint64_t count;
};

struct evlog {
	struct ev_loop *loop; /* NULL: no watchers, blocking writes */
	char *path;           /* as given; "-" is standard error */
	bool is_stderr;
	int fd;
	bool use_send; /* a socket: send(MSG_DONTWAIT) never blocks */
	ev_io writable;
	ev_prepare soon; /* writes the queue before the loop next sleeps */
	bool checking;   /* in evlog_check(): no second check */
	ev_tstamp retry_after; /* no automatic reopen before (ev_now) */

	/* Whole lines waiting; q.s[off, q.len) is not written yet. */
	struct sbuf q;
	size_t off;
	uint64_t base; /* bytes of the stream before q.s[0] */
	bool midline;  /* the fd holds part of the line at off */

	/* Reports in the queue not yet begun, oldest first. */
	struct evlog_report *reports;
	size_t rep_head, rep_len, rep_cap;

	uint64_t lost;          /* records lost so far */
	uint64_t reported_lost; /* of those, reported or queued to be */
	int lost_errno;         /* the latest write error since a report */
	bool lost_overflow;     /* the queue was full since a report */
	bool reopen_failed;     /* an automatic reopen failed; said once */
	uint64_t next_id;
};

static const char *const level_names[] = {
    [EVLOG_DEBUG] = "debug",
    [EVLOG_INFO] = "info",
    [EVLOG_WARN] = "warn",
    [EVLOG_ERROR] = "error",
};

static void evlog_check(struct evlog *l);

/* Hand an error to the caller, or free it if the caller wants none. */
static void
evlog_fail(struct err **errp, struct err *e)
{
	if (errp != NULL)
		*errp = e;
	else
		err_free(e);
}

/* A descriptor for standard error that shares no blocking mode. */
static int
evlog_open_stderr(const struct evlog *l, bool *use_send, struct err **errp)
{
	struct stat st;
	int fd;

	*use_send = false;
	if (fstat(STDERR_FILENO, &st) == -1) {
		evlog_fail(errp, ERR_SYS("examining standard error"));
		return -1;
	}
	if (l->loop != NULL && (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode))) {
		fd = open("/proc/self/fd/2",
			  O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
		if (fd != -1)
			return fd;
		/* No /proc, or a FIFO with no reader: share fd 2 as it is. */
	}
	if (l->loop != NULL && S_ISSOCK(st.st_mode))
		*use_send = true;
	fd = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
	if (fd == -1) {
		evlog_fail(errp, ERR_SYS("duplicating standard error"));
		return -1;
	}
	return fd;
}

/*
 * Open the log's path for appending.  O_NONBLOCK changes nothing for a
 * regular file but keeps a FIFO with no reader from stalling the open.
 */
static int
evlog_open_fd(const struct evlog *l, bool *use_send, struct err **errp)
{
	int flags = O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY;
	struct safepath_why why;
	struct err *e;
	int fd;

	if (l->is_stderr)
		return evlog_open_stderr(l, use_send, errp);
	*use_send = false;
	if (l->loop != NULL)
		flags |= O_NONBLOCK;
	/* By the path rule: after a deletion, a link another user planted
	 * in the log's directory is refused, not followed. */
	fd = safepath_open(l->path, flags, 0640, &why);
	if (fd == -1) {
		char msg[512];

		if (errno == EPERM && why.refusal != SAFEPATH_OK)
			e = ERR_NEW(
			    "opening %s: %s", l->path,
			    safepath_describe(&why, errno, msg, sizeof(msg)));
		else
			e = ERR_SYS("opening %s", l->path);
		evlog_fail(errp, err_set(e, "path", "%s", l->path));
		return -1;
	}
	return fd;
}

/* Start or stop waiting for the descriptor to take more. */
static void
evlog_watch(struct evlog *l, bool on)
{
	if (l->loop == NULL || on == (ev_is_active(&l->writable) != 0))
		return;
	if (on)
		ev_io_start(l->loop, &l->writable);
	else
		ev_io_stop(l->loop, &l->writable);
}

/* One write without blocking (or, without a loop, one write). */
static ssize_t
evlog_write_some(struct evlog *l, const char *p, size_t n)
{
	if (l->use_send)
		return send(l->fd, p, n, MSG_DONTWAIT | MSG_NOSIGNAL);
	return write(l->fd, p, n);
}

/*
 * Forget reports that have begun (they are written or being written),
 * and compact or free the queue once enough of it is written.
 */
static void
evlog_settle(struct evlog *l)
{
	while (l->rep_head < l->rep_len &&
	       l->reports[l->rep_head].start < l->base + l->off)
		l->rep_head++;
	if (l->rep_head == l->rep_len)
		l->rep_head = l->rep_len = 0;

	if (l->off == l->q.len) {
		l->base += l->off;
		l->off = 0;
		if (l->q.cap > EVLOG_QUEUE_KEEP)
			sbuf_free(&l->q);
		l->q.len = 0;
		evlog_watch(l, false);
	} else if (l->off > l->q.len / 2) {
		memmove(l->q.s, l->q.s + l->off, l->q.len - l->off);
		l->base += l->off;
		l->q.len -= l->off;
		l->q.s[l->q.len] = '\0';
		l->off = 0;
	}
}

/*
 * A write failed for good: drop every queued line not yet begun (the
 * rest of a partly written line stays, to keep lines whole), count the
 * records among them lost, and take back the reports among them.
 */
static void
evlog_drop(struct evlog *l, int errnum)
{
	size_t keep = l->off;
	uint64_t lines = 0, reports = 0, reported = 0;
	size_t i;

	if (l->midline) {
		char *nl = memchr(l->q.s + l->off, '\n', l->q.len - l->off);

		keep = nl != NULL ? (size_t)(nl - l->q.s) + 1 : l->q.len;
	}
	for (i = keep; i < l->q.len; i++)
		if (l->q.s[i] == '\n')
			lines++;
	for (i = l->rep_head; i < l->rep_len; i++) {
		reports++;
		reported += l->reports[i].count;
	}
	l->rep_head = l->rep_len = 0;
	l->lost += lines - reports;
	l->reported_lost -= reported;
	l->lost_errno = errnum;
	if (l->q.s != NULL) {
		l->q.len = keep;
		l->q.s[keep] = '\0';
	}
	/* Nothing to wait for; the next commit tries the rest again. */
	evlog_watch(l, false);
}

/* Without a loop, wait for the descriptor; -1 with errno on failure. */
static int
evlog_wait_writable(struct evlog *l)
{
	struct pollfd pfd = {.fd = l->fd, .events = POLLOUT};

	for (;;) {
		if (poll(&pfd, 1, -1) >= 0)
			return 0;
		if (errno != EINTR)
			return -1;
	}
}

/* Write queued bytes until done, the descriptor is full, or it fails. */
static void
evlog_flush(struct evlog *l)
{
	while (l->off < l->q.len) {
		ssize_t n =
		    evlog_write_some(l, l->q.s + l->off, l->q.len - l->off);

		if (n > 0) {
			l->off += (size_t)n;
			l->midline = l->q.s[l->off - 1] != '\n';
			continue;
		}
		if (n == 0) {
			/* A write of nothing would repeat forever. */
			evlog_drop(l, EIO);
			break;
		}
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK) {
			if (l->loop != NULL) {
				evlog_watch(l, true);
				break;
			}
			if (evlog_wait_writable(l) == 0)
				continue;
		}
		evlog_drop(l, errno);
		break;
	}
	evlog_settle(l);
}

/* The loop is about to sleep: write what this iteration queued. */
static void
evlog_soon_cb(struct ev_loop *loop, ev_prepare *w, int revents)
{
	(void)loop;
	(void)revents;
	evlog_sync(w->data);
}

/* Write what is held, now (unless the descriptor is full); evlog.h. */
void
evlog_sync(struct evlog *l)
{
	if (l->loop != NULL)
		ev_prepare_stop(l->loop, &l->soon);
	if (l->q.len > l->off && !ev_is_active(&l->writable)) {
		evlog_check(l);
		evlog_flush(l);
	}
}

/* The descriptor takes more: write what is queued. */
static void
evlog_writable_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)loop;
	(void)revents;
	evlog_flush(w->data);
}

/* Remember a report about to be queued at the end of the queue. */
static void
evlog_push_report(struct evlog *l, uint64_t count)
{
	if (l->rep_len == l->rep_cap) {
		if (l->rep_head > 0) {
			memmove(l->reports, l->reports + l->rep_head,
				(l->rep_len - l->rep_head) *
				    sizeof(*l->reports));
			l->rep_len -= l->rep_head;
			l->rep_head = 0;
		} else {
			l->rep_cap = l->rep_cap == 0 ? 4 : l->rep_cap * 2;
			l->reports = xrealloc(l->reports,
					      l->rep_cap * sizeof(*l->reports));
		}
	}
	l->reports[l->rep_len].start = l->base + l->q.len;
	l->reports[l->rep_len].count = count;
	l->rep_len++;
}

/* End a record's object and line. */
static void
evlog_end_line(struct evlog_rec *r)
{
	sbuf_add(&r->buf, "}\n", 2);
}

/* Build the "events_lost" line for count records not reported yet. */
static void
evlog_report_line(struct evlog *l, struct sbuf *out, uint64_t count)
{
	struct evlog_rec r;
	const char *name;
	char *why;

	evlog_begin(&r, l, EVLOG_WARN, "events_lost");
	evlog_int(&r, "lost", (long long)count);
	evlog_int(&r, "lost_total", (long long)l->lost);
	if (l->lost_errno != 0) {
		name = err_errname(l->lost_errno);
		if (name != NULL)
			evlog_str(&r, "errno_name", name);
		why = xasprintf("cannot write the event log: %s",
				strerror(l->lost_errno));
	} else if (l->lost_overflow) {
		why = xstrdup("the event log fell behind: 1 MiB was waiting "
			      "to be written");
	} else {
		why = xstrdup("records could not be written");
	}
	evlog_str(&r, "reason", why);
	free(why);
	evlog_end_line(&r);
	*out = r.buf;
}

/* Queue a report line built by evlog_report_line(). */
static void
evlog_add_report(struct evlog *l, const struct sbuf *rep, uint64_t count)
{
	evlog_push_report(l, count);
	sbuf_add(&l->q, rep->s, rep->len);
	l->reported_lost += count;
	l->lost_errno = 0;
	l->lost_overflow = false;
}

/*
 * Queue one finished line, after a report of earlier losses if there
 * were any, and write what the descriptor takes.
 */
static void
evlog_queue(struct evlog *l, const char *line, size_t n)
{
	uint64_t unreported = l->lost - l->reported_lost;
	struct sbuf rep = {0};

	if (unreported > 0)
		evlog_report_line(l, &rep, unreported);
	if (l->q.len - l->off + rep.len + n > EVLOG_QUEUE_MAX) {
		l->lost++;
		l->lost_overflow = true;
		sbuf_free(&rep);
		return;
	}
	if (rep.len > 0)
		evlog_add_report(l, &rep, unreported);
	sbuf_free(&rep);
	sbuf_add(&l->q, line, n);
	if (ev_is_active(&l->writable))
		return; /* the descriptor is full: its watcher goes on */
	if (l->loop == NULL || ev_depth(l->loop) == 0) {
		evlog_check(l); /* outside the loop: now, to the right file */
		evlog_flush(l);
	} else if (l->q.len - l->off >= EVLOG_HOLD_MAX) {
		evlog_check(l); /* much held: now, to the right file */
		evlog_flush(l);
	} else if (!ev_is_active(&l->soon))
		ev_prepare_start(l->loop, &l->soon);
}

/*
 * The first log id of this run: one past the largest in the last
 * EVLOG_ID_SCAN bytes of the file, so ids do not repeat in a log that
 * several runs append to (a rotated-away file starts again at 1).
 */
#define EVLOG_ID_SCAN (256 * 1024)

static uint64_t
evlog_first_id(const char *path)
{
	static const char key[] = "\"log_id\":";
	uint64_t max = 0;
	char *buf;
	off_t size;
	ssize_t n;
	struct safepath_why why;
	int fd = safepath_open(path, O_RDONLY | O_NONBLOCK, 0, &why);

	if (fd == -1)
		return 1;
	size = lseek(fd, 0, SEEK_END);
	if (size <= 0) {
		close(fd);
		return 1;
	}
	buf = xmalloc(EVLOG_ID_SCAN + 1);
	n = pread(fd, buf, EVLOG_ID_SCAN,
		  size > EVLOG_ID_SCAN ? size - EVLOG_ID_SCAN : 0);
	close(fd);
	if (n > 0) {
		buf[n] = '\0';
		for (char *p = buf; (p = memmem(p, (size_t)(buf + n - p), key,
						sizeof(key) - 1)) != NULL;) {
			uint64_t v = strtoull(p + sizeof(key) - 1, &p, 10);

			if (v > max)
				max = v;
		}
	}
	free(buf);
	return max + 1;
}

/* The file it is written to; see evlog.h. */
const char *
evlog_file(const struct evlog *l)
{
	if (l == NULL || l->is_stderr || safepath_std_fd(l->path) > 0)
		return NULL;
	return l->path;
}

/* Open the log; "-" is standard error. */
struct evlog *
evlog_open(struct ev_loop *loop, const char *path, struct err **errp)
{
	struct evlog *l = xcalloc(1, sizeof(*l));
	bool use_send;

	l->loop = loop;
	l->path = xstrdup(path);
	l->is_stderr = strcmp(path, "-") == 0;
	l->next_id = l->is_stderr ? 1 : evlog_first_id(path);
	l->fd = evlog_open_fd(l, &use_send, errp);
	if (l->fd == -1) {
		free(l->path);
		free(l);
		return NULL;
	}
	l->use_send = use_send;
	ev_io_init(&l->writable, evlog_writable_cb, l->fd, EV_WRITE);
	l->writable.data = l;
	ev_prepare_init(&l->soon, evlog_soon_cb);
	ev_set_priority(&l->soon, EV_MINPRI);
	l->soon.data = l;
	return l;
}

/*
 * Before the descriptor changes, finish the line the old file holds part
 * of, if it takes it now; otherwise that line is lost (the old file keeps
 * its torn start) and the new file begins with a whole line.
 */
static void
evlog_finish_partial(struct evlog *l)
{
	size_t end, cut, i;
	ssize_t n;
	char *nl;

	while (l->midline) {
		nl = memchr(l->q.s + l->off, '\n', l->q.len - l->off);
		end = nl != NULL ? (size_t)(nl - l->q.s) + 1 : l->q.len;
		n = evlog_write_some(l, l->q.s + l->off, end - l->off);
		if (n > 0) {
			l->off += (size_t)n;
			l->midline = l->q.s[l->off - 1] != '\n';
		} else if (n == -1 && errno == EINTR) {
			continue;
		} else {
			/* Cut the rest of the line out of the queue. */
			l->lost++;
			l->lost_errno = n == 0 ? EIO : errno;
			cut = end - l->off;
			memmove(l->q.s + l->off, l->q.s + end, l->q.len - end);
			l->q.len -= cut;
			l->q.s[l->q.len] = '\0';
			for (i = l->rep_head; i < l->rep_len; i++)
				l->reports[i].start -= cut;
			l->midline = false;
		}
	}
	evlog_settle(l);
}

/* Reopen the path, keeping the old descriptor if that fails. */
int
evlog_reopen(struct evlog *l, struct err **errp)
{
	struct evlog_rec r;
	struct err *e;
	bool use_send;
	int fd, old, close_errno = 0;

	if (l->is_stderr)
		return 0;
	fd = evlog_open_fd(l, &use_send, errp);
	if (fd == -1)
		return -1;
	evlog_finish_partial(l);
	evlog_watch(l, false);
	old = l->fd;
	l->fd = fd;
	l->use_send = use_send;
	ev_io_set(&l->writable, fd, EV_WRITE);
	if (close(old) == -1)
		close_errno = errno;
	l->reopen_failed = false;
	if (close_errno != 0) {
		/* Data may be missing from the old file (NFS, EIO). */
		e = ERR_ERRNO(close_errno, "closing the old event log");
		e = ERR_WRAP_P(e, "the old event log %s may be incomplete",
			       l->path);
		evlog_begin(&r, l, EVLOG_WARN, "event_log_close_failed");
		evlog_err(&r, evlog_next_id(l), e);
		evlog_commit(&r);
		err_free(e);
	} else if (l->q.len > l->off) {
		evlog_flush(l);
	}
	return 0;
}

/* Reopen because the file went away; say so once either way. */
static void
evlog_reopen_because(struct evlog *l, const char *reason)
{
	struct evlog_rec r;
	struct err *e = NULL;

	if (evlog_reopen(l, &e) == 0) {
		evlog_begin(&r, l, EVLOG_INFO, "event_log_reopened");
		evlog_str(&r, "path", l->path);
		evlog_str(&r, "reason", reason);
		evlog_commit(&r);
		return;
	}
	l->retry_after = ev_now(l->loop) + EVLOG_RETRY_AFTER;
	if (!l->reopen_failed) {
		l->reopen_failed = true;
		e = ERR_WRAP_P(
		    e,
		    "cannot reopen the event log %s (still writing to the "
		    "old file; retrying with the records after %.0fs)",
		    l->path, EVLOG_RETRY_AFTER);
		evlog_begin(&r, l, EVLOG_WARN, "event_log_reopen_failed");
		evlog_str(&r, "path", l->path);
		evlog_str(&r, "reason", reason);
		evlog_err(&r, evlog_next_id(l), e);
		evlog_commit(&r);
	}
	err_free(e);
}

/*
 * Before a batch is written: was the file deleted or rotated under us?
 * Only in the loop (its clock paces retries), and not for standard
 * error, which has no path to open again.
 */
static void
evlog_check(struct evlog *l)
{
	struct stat fst, pst;

	if (l->loop == NULL || l->is_stderr || l->checking)
		return;
	if (l->reopen_failed && ev_now(l->loop) < l->retry_after)
		return;
	/* Without an answer there is nothing to compare; try next time. */
	if (fstat(l->fd, &fst) == -1)
		return;
	l->checking = true;
	if (fst.st_nlink == 0)
		evlog_reopen_because(l, "the file was deleted");
	else if (stat(l->path, &pst) == -1)
		; /* Moved away and not recreated yet: keep writing. */
	else if (pst.st_dev != fst.st_dev || pst.st_ino != fst.st_ino)
		evlog_reopen_because(l, "the path names a new file (rotated)");
	l->checking = false;
}

/* Report losses not yet told, flush without blocking, and close. */
void
evlog_close(struct evlog *l)
{
	struct sbuf rep = {0};
	uint64_t unreported;

	if (l == NULL)
		return;
	/* Say what was lost while there is a last chance to, cap or not. */
	unreported = l->lost - l->reported_lost;
	if (unreported > 0) {
		evlog_report_line(l, &rep, unreported);
		evlog_add_report(l, &rep, unreported);
		sbuf_free(&rep);
	}
	if (l->q.len > l->off)
		evlog_flush(l);
	evlog_watch(l, false);
	if (l->loop != NULL)
		ev_prepare_stop(l->loop, &l->soon);
	if (close(l->fd) == -1) {
		/* The log is what would say so; nothing is left to tell. */
	}
	sbuf_free(&l->q);
	free(l->reports);
	free(l->path);
	free(l);
}

/* The next log id, 1 first. */
uint64_t
evlog_next_id(struct evlog *l)
{
	return l->next_id++;
}

/* Records lost so far. */
uint64_t
evlog_lost(const struct evlog *l)
{
	return l->lost;
}

/* The "ts" format: RFC 3339, UTC, milliseconds. */
void
evlog_timestamp(char *buf, unsigned long len)
{
	struct timespec ts;
	struct tm tm;

	if (clock_gettime(CLOCK_REALTIME, &ts) == -1 ||
	    gmtime_r(&ts.tv_sec, &tm) == NULL) {
		snprintf(buf, len, "1970-01-01T00:00:00.000Z");
		return;
	}
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ",
		 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		 tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000);
}

/* Start a record with its timestamp, level and event. */
void
evlog_begin(struct evlog_rec *r, struct evlog *l, enum evlog_level lvl,
	    const char *event)
{
	char ts[32];
	const char *level = "info";

	if ((unsigned)lvl < sizeof(level_names) / sizeof(level_names[0]))
		level = level_names[lvl];
	r->log = l;
	r->buf = (struct sbuf){0};
	evlog_timestamp(ts, sizeof(ts));
	sbuf_addf(&r->buf, "{\"ts\":\"%s\",\"level\":\"%s\",\"event\":", ts,
		  level);
	sbuf_add_json(&r->buf, event);
}

/* Begin a field: a comma, the key, a colon. */
static void
evlog_key(struct evlog_rec *r, const char *key)
{
	sbuf_add(&r->buf, ",", 1);
	sbuf_add_json(&r->buf, key);
	sbuf_add(&r->buf, ":", 1);
}

/* A string field (NULL is written as null). */
void
evlog_str(struct evlog_rec *r, const char *key, const char *val)
{
	evlog_key(r, key);
	sbuf_add_json(&r->buf, val);
}

/* An integer field. */
void
evlog_int(struct evlog_rec *r, const char *key, long long val)
{
	evlog_key(r, key);
	sbuf_addf(&r->buf, "%lld", val);
}

/*
 * A number field, written for people: whole numbers as integers, others
 * with up to three decimals; tiny and huge ones in exponent form so they
 * do not read as 0; NaN and infinities as null (JSON has neither).
 */
void
evlog_num(struct evlog_rec *r, const char *key, double val)
{
	double mag = val < 0 ? -val : val;
	char num[64];
	size_t n;

	evlog_key(r, key);
	if (!isfinite(val)) {
		sbuf_add(&r->buf, "null", 4);
		return;
	}
	if (mag < 1e15 && val == (double)(long long)val) {
		sbuf_addf(&r->buf, "%lld", (long long)val);
		return;
	}
	if (mag >= 1e15 || mag < 0.0005) {
		sbuf_addf(&r->buf, "%.6g", val);
		return;
	}
	snprintf(num, sizeof(num), "%.3f", val);
	n = strlen(num);
	while (n > 0 && num[n - 1] == '0')
		n--;
	if (n > 0 && num[n - 1] == '.')
		n--;
	sbuf_add(&r->buf, num, n);
}

/* A boolean field. */
void
evlog_bool(struct evlog_rec *r, const char *key, bool val)
{
	evlog_key(r, key);
	sbuf_add(&r->buf, val ? "true" : "false", val ? 4 : 5);
}

/* An error that reached the top: its id, its line for people, its chain. */
void
evlog_err(struct evlog_rec *r, uint64_t log_id, const struct err *e)
{
	char *msg = err_person_message(e);
	char *chain = err_json(e);

	evlog_key(r, "log_id");
	sbuf_addf(&r->buf, "%" PRIu64, log_id);
	evlog_str(r, "message", msg);
	evlog_key(r, "error");
	sbuf_add(&r->buf, chain, strlen(chain));
	free(msg);
	free(chain);
}

/* Finish the record, queue it for writing (or count it lost), free it. */
void
evlog_commit(struct evlog_rec *r)
{
	if (r->log != NULL) {
		evlog_end_line(r);
		evlog_queue(r->log, r->buf.s, r->buf.len);
	}
	sbuf_free(&r->buf);
	r->log = NULL;
}
