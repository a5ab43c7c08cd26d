/*
 * Where captured ward output is written.
 *
 * A sink is a log file stewardd holds for one stream of one instance,
 * or stewardd's own stdout or stderr, which every ward writing there
 * shares (one sink each).  ward-output.c reads the wards' pipes and
 * hands a sink whole lines (or the pieces of a line too long to hold);
 * the sink writes them.
 *
 * Never block the loop.  A file is appended to (O_APPEND): a write to a
 * regular file does not wait on a reader, only on the disk.  stewardd's
 * own stdout and stderr are shared with its parent and with wards that
 * inherit them, so, as for the event log (evlog.c), their blocking mode
 * is never changed: a pipe, FIFO or terminal is opened again through
 * /proc/self/fd (a description of our own, non-blocking), a socket is
 * written with send(MSG_DONTWAIT).  What the descriptor does not take
 * is kept (q) and written when it is writable again (an EV_WRITE watcher
 * that runs only then).  Above OUTPUT_SINK_HIGH kept, the streams that
 * write the sink stop reading their pipes (output_sink_wait()): a ward
 * that writes faster than its sink takes is throttled by its own full
 * pipe, and stewardd's memory stays bounded.  Below OUTPUT_SINK_LOW they
 * read again.
 *
 * A full disk loses lines, not the daemon.  A write that fails (ENOSPC,
 * EDQUOT, EIO, EPIPE) drops what was given and what was kept, counted in
 * lines; the first drop is an "output_dropping" record.  The next write
 * that succeeds is preceded, in the file itself, by a line saying how
 * many lines were lost and why, and an "output_lost" record says it
 * too.  Lines stay whole where the sink can keep them so: a line the
 * kernel took only part of is finished before the note.
 *
 * Rotation by size.  Before a write would take the file past max_size,
 * the lines that fit are written, then PATH.(n-1) becomes PATH.n ...,
 * PATH becomes PATH.1 (renameat in the file's directory, opened by the
 * path rule: a rename never follows a link) and a new PATH is opened by
 * the path rule; the rest goes there.  A line is thus never split
 * between two files nor written twice; only a single line longer than
 * max_size makes a file bigger than max_size.  With backups = 0 the file
 * is truncated instead.  Backups beyond the count are renamed over (the
 * oldest is lost).  An external logrotate is served by reopen
 * (SIGUSR1, `stewardctl reopen`): the path is opened again and the old
 * descriptor closed only once the new one is open.
 *
 * Cost: a line costs one copy into the caller's buffer; a read of a
 * ward's pipe costs one write(2) (two at a rotation).  Rotation costs
 * backups + 1 renames, once per max_size bytes.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/io.h"
#include "base/log.h"
#include "base/safepath.h"
#include "core/output-sink.h"
#include "core/steward.h"
#include "core/ward-output.h"

/* A kept queue bigger than this gives its memory back once drained. */
#define OUTPUT_SINK_KEEP (64 * 1024)

static void output_sink_flush(struct output_sink *k);

/* Link a new sink into the steward's list. */
static struct output_sink *
output_sink_new(struct steward *s, const char *who)
{
	struct output_sink *k = xcalloc(1, sizeof(*k));

	k->s = s;
	k->fd = -1;
	snprintf(k->who, sizeof(k->who), "%s", who);
	k->next = s->sinks;
	if (s->sinks != NULL)
		s->sinks->prev = k;
	s->sinks = k;
	return k;
}

/* Unlink and free a sink (its descriptor closed). */
static void
output_sink_free(struct output_sink *k)
{
	struct steward *s = k->s;

	if (k->prev != NULL)
		k->prev->next = k->next;
	else
		s->sinks = k->next;
	if (k->next != NULL)
		k->next->prev = k->prev;
	ev_io_stop(s->loop, &k->wio);
	if (k->path != NULL)
		s->fds.output--; /* a log file's fd, counted at its open */
	ward_spawn_close_fd(&k->fd);
	sbuf_free(&k->q);
	free(k->path);
	free(k);
}

/* The lines in n bytes: its newlines, and one for an unended rest. */
static uint64_t
output_sink_lines(const char *p, size_t n)
{
	uint64_t lines = 0;
	const char *e = p + n;

	while (p < e && (p = memchr(p, '\n', (size_t)(e - p))) != NULL) {
		lines++;
		p++;
	}
	if (n > 0 && e[-1] != '\n')
		lines++;
	return lines;
}

/* Drop n bytes at p, and everything kept, for errnum. */
static void
output_sink_drop(struct output_sink *k, const char *p, size_t n, int errnum)
{
	struct evlog_rec r;

	if (k->dropped == 0) {
		evlog_begin(&r, k->s->log, EVLOG_WARN, "output_dropping");
		evlog_str(&r, "output", k->who);
		if (k->path != NULL)
			evlog_str(&r, "path", k->path);
		evlog_str(&r, "errno", strerror(errnum));
		evlog_str(&r, "message",
			  "cannot write ward output: lines are dropped and "
			  "counted until it can");
		evlog_commit(&r);
		k->drop_errno = errnum;
	}
	k->dropped += output_sink_lines(k->q.s + k->off, k->q.len - k->off);
	k->dropped += output_sink_lines(p, n);
	k->q.len = k->off = 0;
	ev_io_stop(k->s->loop, &k->wio);
}

/* Write some of p: the bytes written, 0 for EAGAIN, -1 with errno. */
static ssize_t
output_sink_write(struct output_sink *k, const char *p, size_t n)
{
	if (k->fd < 0) {
		errno = EBADF;
		return -1;
	}
	return io_write(k->fd, p, n,
			k->use_send ? MSG_DONTWAIT | MSG_NOSIGNAL : IO_WRITE);
}

/*
 * Write all of p now, or keep what the descriptor does not take; 0, or
 * -1 with errno when a write failed (nothing kept then).
 */
static int
output_sink_emit(struct output_sink *k, const char *p, size_t n)
{
	while (n > 0 && k->q.len == k->off) {
		ssize_t w = output_sink_write(k, p, n);

		if (w < 0)
			return -1;
		if (w == 0)
			break;
		k->size += (uint64_t)w;
		k->midline = p[w - 1] != '\n';
		p += w;
		n -= (size_t)w;
	}
	if (n > 0) {
		sbuf_add(&k->q, p, n);
		if (!ev_is_active(&k->wio)) {
			ev_io_set(&k->wio, k->fd, EV_WRITE);
			ev_io_start(k->s->loop, &k->wio);
		}
	}
	return 0;
}

/* After a loss, the note that says so, first in the file; 0 or -1. */
static int
output_sink_note_loss(struct output_sink *k)
{
	struct evlog_rec r;
	char note[256];
	int len;

	len = snprintf(note, sizeof(note),
		       "%sstewardd: %" PRIu64 " lines of %s lost here (%s)\n",
		       k->midline ? "\n" : "", k->dropped, k->who,
		       strerror(k->drop_errno));
	if (output_sink_emit(k, note, (size_t)len) == -1)
		return -1;
	evlog_begin(&r, k->s->log, EVLOG_WARN, "output_lost");
	evlog_str(&r, "output", k->who);
	if (k->path != NULL)
		evlog_str(&r, "path", k->path);
	evlog_int(&r, "lines", (long long)k->dropped);
	evlog_str(&r, "errno", strerror(k->drop_errno));
	evlog_commit(&r);
	k->dropped_all += k->dropped;
	k->dropped = 0;
	return 0;
}

/* Rename PATH.i-1 to PATH.i ... PATH to PATH.1, and open a new PATH. */
static int
output_sink_rotate(struct output_sink *k, struct err **errp)
{
	struct safepath_why why;
	const char *name;
	char from[512], to[512];
	int dfd, fd;

	if (k->backups == 0) {
		if (ftruncate(k->fd, 0) == -1) {
			*errp = ERR_SYS("truncating %s", k->path);
			return -1;
		}
		k->size = 0;
		return 0;
	}
	dfd = safepath_parent(k->path, &name, &why);
	if (dfd == -1) {
		*errp = ERR_SYS("opening the directory of %s", k->path);
		return -1;
	}
	for (unsigned i = k->backups; i > 0; i--) {
		if (i > 1)
			snprintf(from, sizeof(from), "%s.%u", name, i - 1);
		else
			snprintf(from, sizeof(from), "%s", name);
		snprintf(to, sizeof(to), "%s.%u", name, i);
		if (renameat(dfd, from, dfd, to) == -1 && errno != ENOENT) {
			*errp = ERR_SYS("renaming %s to %s", from, to);
			close(dfd);
			return -1;
		}
	}
	close(dfd);
	fd = safepath_open(
	    k->path, O_WRONLY | O_APPEND | O_CREAT | O_NONBLOCK | O_CLOEXEC,
	    0640, &why);
	if (fd == -1) {
		*errp = ERR_SYS("opening %s", k->path);
		return -1;
	}
	ward_spawn_close_fd(&k->fd);
	k->fd = fd;
	k->size = 0;
	k->midline = false;
	return 0;
}

/* A rotation that failed: a record, and the file grows on. */
static void
output_sink_rotate_failed(struct output_sink *k, struct err *e)
{
	struct evlog_rec r;

	e = ERR_WRAP_P(e, "cannot rotate %s", k->path);
	evlog_begin(&r, k->s->log, EVLOG_ERROR, "output_rotate_failed");
	evlog_str(&r, "output", k->who);
	evlog_err(&r, evlog_next_id(k->s->log), e);
	evlog_commit(&r);
	err_free(e);
	k->max_size = 0; /* said once; a reopen or respawn tries again */
}

/* Write; see output-sink.h. */
void
output_sink_put(struct output_sink *k, const char *p, size_t n)
{
	if (n == 0)
		return;
	if (k->dropped > 0 && output_sink_note_loss(k) == -1) {
		output_sink_drop(k, p, n, errno);
		return;
	}
	/* Rotation: what fits, to whole lines, then a new file. */
	while (k->path != NULL && k->max_size > 0 &&
	       k->size + n > k->max_size && k->q.len == k->off) {
		size_t room = k->size < k->max_size
				  ? (size_t)(k->max_size - k->size)
				  : 0,
		       cut = 0;
		struct err *e = NULL;

		for (size_t i = room < n ? room : n; i > 0; i--) {
			if (p[i - 1] == '\n') {
				cut = i;
				break;
			}
		}
		if (cut == 0 && (k->size == 0 || k->midline)) {
			/* A line longer than the room, or the end of one
			 * begun here: whole, in this file. */
			const char *nl = memchr(p, '\n', n);

			cut = nl != NULL ? (size_t)(nl - p) + 1 : n;
		}
		if (cut > 0 && output_sink_emit(k, p, cut) == -1) {
			output_sink_drop(k, p, n, errno);
			return;
		}
		p += cut;
		n -= cut;
		if (n == 0 || k->q.len != k->off)
			break; /* rotated at the next put, once written */
		if (output_sink_rotate(k, &e) == -1) {
			output_sink_rotate_failed(k, e);
			break;
		}
	}
	if (output_sink_emit(k, p, n) == -1)
		output_sink_drop(k, p, n, errno);
}

/* True above the high mark; see output-sink.h. */
bool
output_sink_behind(const struct output_sink *k)
{
	return k->q.len - k->off > OUTPUT_SINK_HIGH;
}

/* o waits for k; see output-sink.h. */
void
output_sink_wait(struct output_sink *k, struct ward_output_stream *o)
{
	o->paused = true;
	o->pnext = k->paused;
	k->paused = o;
}

/* o waits no more; see output-sink.h. */
void
output_sink_forget(struct output_sink *k, struct ward_output_stream *o)
{
	for (struct ward_output_stream **pp = &k->paused; *pp != NULL;
	     pp = &(*pp)->pnext) {
		if (*pp == o) {
			*pp = o->pnext;
			break;
		}
	}
	o->paused = false;
	o->pnext = NULL;
}

/* Let the streams that waited read again. */
static void
output_sink_release(struct output_sink *k)
{
	struct ward_output_stream *o = k->paused;

	k->paused = NULL;
	while (o != NULL) {
		struct ward_output_stream *next = o->pnext;

		o->paused = false;
		o->pnext = NULL;
		ward_output_resume(k->s, o);
		o = next;
	}
}

/* Write what is kept, as far as the descriptor takes it. */
static void
output_sink_flush(struct output_sink *k)
{
	while (k->off < k->q.len) {
		ssize_t w =
		    output_sink_write(k, k->q.s + k->off, k->q.len - k->off);

		if (w < 0) {
			output_sink_drop(k, NULL, 0, errno);
			break;
		}
		if (w == 0)
			break;
		k->size += (uint64_t)w;
		k->off += (size_t)w;
		k->midline = k->q.s[k->off - 1] != '\n';
	}
	if (k->off == k->q.len) {
		k->q.len = k->off = 0;
		if (k->q.cap > OUTPUT_SINK_KEEP) {
			sbuf_free(&k->q);
		}
		ev_io_stop(k->s->loop, &k->wio);
	} else if (k->off > k->q.len / 2) {
		memmove(k->q.s, k->q.s + k->off, k->q.len - k->off);
		k->q.len -= k->off;
		k->off = 0;
	}
	if (k->paused != NULL && k->q.len - k->off < OUTPUT_SINK_LOW)
		output_sink_release(k);
}

/* The descriptor takes more. */
static void
output_sink_writable_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct output_sink *k = container_of(w, struct output_sink, wio);

	(void)loop;
	(void)revents;
	output_sink_flush(k);
}

/* stewardd's own fd std, as a descriptor of ours that never blocks. */
static int
output_sink_open_std(int std, bool *use_send)
{
	struct stat st;
	char proc[32];
	int fd;

	*use_send = false;
	if (fstat(std, &st) == -1)
		return -1;
	if (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode)) {
		snprintf(proc, sizeof(proc), "/proc/self/fd/%d", std);
		fd = open(proc, O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
		if (fd != -1)
			return fd;
	}
	if (S_ISSOCK(st.st_mode))
		*use_send = true;
	return fcntl(std, F_DUPFD_CLOEXEC, 3);
}

/* stewardd's stdout or stderr; see output-sink.h. */
struct output_sink *
output_sink_std(struct steward *s, int std)
{
	struct output_sink *k;

	for (k = s->sinks; k != NULL; k = k->next)
		if (k->std == std)
			return k;
	k = output_sink_new(s, std == 1 ? "stewardd's stdout"
					: "stewardd's stderr");
	k->std = std;
	k->refs = 1; /* kept until output_sink_close_all() */
	k->fd = output_sink_open_std(std, &k->use_send);
	if (k->fd == -1)
		log_warnx("cannot use stewardd's %s for ward output (%s): "
			  "lines written there are dropped",
			  std == 1 ? "stdout" : "stderr", strerror(errno));
	ev_init(&k->wio, output_sink_writable_cb);
	return k;
}

/* Open path by the rule, for appending; -1 with *errp. */
static int
output_sink_open_path(const char *path, struct err **errp)
{
	struct safepath_why why;
	int fd = safepath_open(
	    path, O_WRONLY | O_APPEND | O_CREAT | O_NONBLOCK | O_CLOEXEC, 0640,
	    &why);

	if (fd == -1) {
		char msg[512];
		int saved = errno;

		if (errno == EPERM && why.refusal != SAFEPATH_OK)
			*errp = ERR_NEW(
			    "opening %s: %s", path,
			    safepath_describe(&why, errno, msg, sizeof(msg)));
		else
			*errp = ERR_SYS("opening %s", path);
		err_set(*errp, "path", "%s", path);
		errno = saved;
	}
	return fd;
}

/* A log file; see output-sink.h. */
struct output_sink *
output_sink_file(struct steward *s, const char *path, uint64_t max_size,
		 unsigned backups, const char *who, struct err **errp)
{
	struct output_sink *k;
	struct stat st;
	int fd = output_sink_open_path(path, errp);

	if (fd == -1)
		return NULL;
	k = output_sink_new(s, who);
	k->path = xstrdup(path);
	k->fd = fd;
	s->fds.output++; /* counted as the pipes are (fdbudget.h) */
	k->refs = 1;
	k->max_size = max_size;
	k->backups = backups;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
		k->size = (uint64_t)st.st_size;
	else
		k->max_size = 0; /* a FIFO or device: no rotation */
	ev_init(&k->wio, output_sink_writable_cb);
	return k;
}

/* One more writer; see output-sink.h. */
void
output_sink_ref(struct output_sink *k)
{
	k->refs++;
}

/* One writer less; see output-sink.h. */
void
output_sink_unref(struct output_sink *k)
{
	if (k == NULL || --k->refs > 0)
		return;
	output_sink_flush(k);
	output_sink_free(k);
}

/* Reopen the file; see output-sink.h. */
int
output_sink_reopen(struct output_sink *k, struct err **errp)
{
	struct stat st;
	int fd;

	if (k->path == NULL)
		return 0;
	output_sink_flush(k);
	if ((fd = output_sink_open_path(k->path, errp)) == -1)
		return -1;
	ward_spawn_close_fd(&k->fd);
	k->fd = fd;
	k->size = fstat(fd, &st) == 0 ? (uint64_t)st.st_size : 0;
	k->midline = false;
	if (ev_is_active(&k->wio)) {
		ev_io_stop(k->s->loop, &k->wio);
		ev_io_set(&k->wio, k->fd, EV_WRITE);
		ev_io_start(k->s->loop, &k->wio);
	}
	return 0;
}

/* Empty the file; see output-sink.h. */
int
output_sink_truncate(struct output_sink *k, struct err **errp)
{
	k->q.len = k->off = 0;
	if (ftruncate(k->fd, 0) == -1) {
		*errp = ERR_SYS("truncating %s", k->path);
		return -1;
	}
	k->size = 0;
	k->midline = false;
	return 0;
}

/* Reopen every file; see output-sink.h. */
size_t
output_sink_reopen_all(struct steward *s)
{
	size_t n = 0;

	for (struct output_sink *k = s->sinks; k != NULL; k = k->next) {
		struct err *e = NULL;
		struct evlog_rec r;

		if (k->path == NULL)
			continue;
		if (output_sink_reopen(k, &e) == 0) {
			n++;
			continue;
		}
		e = ERR_WRAP_P(e, "cannot reopen the log file of %s", k->who);
		evlog_begin(&r, s->log, EVLOG_ERROR, "output_reopen_failed");
		evlog_str(&r, "output", k->who);
		evlog_err(&r, evlog_next_id(s->log), e);
		evlog_commit(&r);
		err_free(e);
	}
	return n;
}

/* Write what can be written, close every sink; see output-sink.h. */
void
output_sink_close_all(struct steward *s)
{
	while (s->sinks != NULL) {
		struct output_sink *k = s->sinks;

		output_sink_flush(k);
		output_sink_free(k);
	}
}
