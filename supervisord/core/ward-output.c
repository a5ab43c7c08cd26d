/*
 * A ward's stdout and stderr, read by stewardd.
 *
 * Unless a ward says output = direct, its stdout and stderr are pipes
 * whose read ends stewardd holds, non-blocking, watched by the loop
 * (ward_output_prepare() before the spawn, ward_output_start() after).
 * What a read brings is cut into lines: each line goes to the
 * instance's tail ring (tail_line(): `stewardctl tail`, the last words
 * of a failure record) and to the stream's sink (output-sink.c): the
 * file the config names, which stewardd holds and rotates, stewardd's
 * own stdout or stderr (the default: "inherit"), or nowhere (null: kept
 * in memory only).  stderr = stdout sends both into the stdout pipe.
 *
 * How a line is written:
 *   a file of its own, plain      the bytes as read, one write per read
 *                                 (the lines are still cut for the
 *                                 ring), so the file is what the ward
 *                                 wrote, byte for byte
 *   stewardd's stdout, plain      whole lines, so that wards sharing it
 *                                 never interleave inside a line
 *   output_prefix, _timestamps    "[TIME ][web:0 ]| line": each line
 *                                 after its time (when stewardd read it,
 *                                 RFC 3339 UTC) and its instance
 *
 * A line longer than OUTPUT_LINE_MAX is never lost: it is kept and
 * written in pieces of that size; the ring marks each piece but the
 * last as split, and a formatted line marks a continuation with "+"
 * where a line's start has "|".  Any byte is kept as it is (binary too);
 * what shows a line (stewardctl, the last words) escapes it.
 *
 * Cut later: for the tail ring, a stream that no one follows keeps
 * what it read in a byte ring (bytering.c) as it was read, bounded by
 * what the tail ring could keep of it; the bytes are cut into the tail
 * ring when someone reads it (tail_of(), the last words, the web page:
 * they call ward_output_sync()), when a follower joins, and before
 * anything is cut at once.  What the byte ring lets go is only counted
 * (its lines are numbered, so `missed` stays right); the ring's cutter
 * (cut) goes on exactly where it was, so lines come out the same, cut
 * now or later.  A sink's text that must be made of lines (formatted,
 * or shared) has a cutter of its own (fcut), which cuts every read at
 * once.
 *
 * Never blocked, never flooded: a read takes what the pipe holds (at
 * most OUTPUT_READ_MAX per wakeup); when the sink cannot keep up (more
 * than OUTPUT_SINK_HIGH unwritten), the stream stops reading until it
 * drains, and the ward blocks on its own full pipe.  Memory per stream:
 * at most one held line (OUTPUT_LINE_MAX), made on first use, and for
 * a plain stream its byte ring (up to tail_size + tail_lines bytes,
 * growing as bytes come).
 *
 * When the process ends, what is left in its pipes is read while it is a
 * zombie (before its exit is judged, so its last words are there), an
 * unended last line is kept as such, and the pipes are closed.
 *
 * Cost per read: one read(2) and one write(2); for the tail ring, while
 * no one follows, one copy of the read into the byte ring and a
 * counting pass (16 bytes at a time) over what it lets go; while
 * someone follows, one memchr and one copy into the tail ring per
 * line.  Formatted or shared text costs one memchr and one copy per
 * line more.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/io.h"
#include "base/safepath.h"
#include "core/output-sink.h"
#include "core/steward.h"
#include "core/ward-output.h"
#include "core/ward-spawn-env.h"
#include "core/ward-spawn.h"

/* What one read's lines share. */
struct output_ctx {
	struct ward_output_stream *o;
	double wall;      /* when it was read */
	struct sbuf *out; /* formatted or shared lines; NULL: not written */
	bool fmt;         /* prefix or timestamps */
	bool raw;         /* a file of its own, plain: written as read */
	char pre[160];    /* "[TIME ][web:0 ]": what starts each line */
	size_t prelen;
};

/* The config of wi's stream st (a [program:x] process's own). */
static const struct config_output *
output_config(const struct ward_inst *wi, enum tail_stream st)
{
	const struct ward_proc *pr = ward_spawn_proc(wi);

	if (pr != NULL)
		return st == TAIL_STDOUT ? &pr->out : &pr->err;
	return st == TAIL_STDOUT ? &wi->ward->spec->out : &wi->ward->spec->err;
}

/* A new instance's streams; see ward-output.h. */
void
ward_output_init(struct ward_inst *wi)
{
	for (int i = 0; i < TAIL_NSTREAMS; i++) {
		struct ward_output_stream *o = &wi->output.st[i];

		*o = (struct ward_output_stream){
		    .fd = -1, .wi = wi, .st = (enum tail_stream)i};
		linecut_init(&o->cut, OUTPUT_LINE_MAX);
		linecut_init(&o->fcut, OUTPUT_LINE_MAX);
		bytering_init(&o->pend, 0);
	}
}

/* One line or piece (linecut_fn) for the tail ring. */
static void
output_line(void *ctx, const char *text, size_t len, unsigned flags)
{
	struct output_ctx *c = ctx;
	struct ward_output_stream *o = c->o;

	tail_line(o->wi, o->st, text, len, flags, c->wall, o->gen);
}

/* One line or piece (linecut_fn) for the sink's text: formatted, or
 * whole for a shared sink. */
static void
output_text_line(void *ctx, const char *text, size_t len, unsigned flags)
{
	struct output_ctx *c = ctx;
	struct sbuf *b = c->out;
	char *d;

	if (c->fmt) {
		/* "[TIME ][web:0 ]| line\n", made in place. */
		d = sbuf_extend(b, c->prelen + 2 + len + 1);
		memcpy(d, c->pre, c->prelen);
		d += c->prelen;
		memcpy(d, c->o->fcut.cont ? "+ " : "| ", 2);
		memcpy(d + 2, text, len);
		d[2 + len] = '\n';
	} else {
		sbuf_add(b, text, len);
		if (!(flags & TAIL_SPLIT))
			sbuf_add(b, "\n", 1);
	}
}

/* Bytes the byte ring lets go uncut (bytering_fn): their lines are
 * counted, not kept (newer ones push them out of the ring anyway). */
static void
output_drop_cb(void *ctx, const char *p, size_t n, double wall)
{
	struct ward_output_stream *o = ctx;
	uint64_t k = linecut_feed(&o->cut, p, n, NULL, NULL);

	(void)wall;
	tail_skip(o->wi, o->st, k);
}

/* Bytes the byte ring held, cut now (bytering_fn), with their time. */
static void
output_cut_cb(void *ctx, const char *p, size_t n, double wall)
{
	struct output_ctx *c = ctx;

	c->wall = wall;
	linecut_feed(&c->o->cut, p, n, output_line, c);
}

/* Cut what o holds uncut (plain: no text to write). */
static void
output_sync(struct ward_output_stream *o)
{
	struct output_ctx c = {.o = o};

	if (o->pend.len > 0)
		bytering_take(&o->pend, output_cut_cb, &c);
}

/* Cut what wi's streams hold; see ward-output.h. */
void
ward_output_sync(struct ward_inst *wi)
{
	for (int i = 0; i < TAIL_NSTREAMS; i++)
		output_sync(&wi->output.st[i]);
}

/*
 * May n bytes just read on o wait uncut in its byte ring?  Only what
 * no one needs as lines in the tail ring now: no follower, and of the
 * process whose lines the current ring keeps (the sink's text, when
 * there is one, is cut apart: fcut).  The ring's bound is what the tail
 * ring could keep of them: tail_size of text plus a newline per line.
 */
static bool
output_lazy(const struct output_ctx *c)
{
	struct ward_output_stream *o = c->o;
	const struct ward_spec *w = o->wi->ward->spec;
	const struct tail_inst *t = o->wi->tail;
	size_t keep;

	if (t == NULL || t->followers != NULL || o->gen != t->cur_gen)
		return false;
	keep = (size_t)w->tail_size + (w->tail_lines < w->tail_size
					   ? w->tail_lines
					   : (size_t)w->tail_size);
	if (o->pend.max != keep) {
		/* A reload changed the bounds (or the first read). */
		output_sync(o);
		bytering_free(&o->pend);
		o->pend.max = keep;
	}
	if (bytering_full(&o->pend))
		output_sync(o);
	return true;
}

/* Set up what one read's lines share. */
static void
output_ctx_init(struct steward *s, struct output_ctx *c,
		struct ward_output_stream *o)
{
	const struct ward_spec *w = o->wi->ward->spec;
	struct timespec ts;

	c->o = o;
	c->wall = clock_gettime(CLOCK_REALTIME, &ts) == 0
		      ? (double)ts.tv_sec + ts.tv_nsec / 1e9
		      : 0;
	c->fmt = w->output_prefix || w->output_timestamps;
	c->out = NULL;
	c->raw = o->sink != NULL && o->sink->path != NULL && !c->fmt;
	if (o->sink != NULL && !c->raw) {
		c->out = &s->output_text;
		c->out->len = 0;
	}
	c->prelen = 0;
	if (w->output_timestamps) {
		evlog_timestamp(c->pre, 40);
		c->prelen = strlen(c->pre);
		c->pre[c->prelen++] = ' ';
	}
	if (w->output_prefix) {
		size_t n = strlen(o->wi->label);

		memcpy(c->pre + c->prelen, o->wi->label, n);
		c->prelen += n;
		c->pre[c->prelen++] = ' ';
	}
}

/* Write what the lines of one read made. */
static void
output_ctx_done(struct output_ctx *c)
{
	if (c->out != NULL && c->out->len > 0)
		output_sink_put(c->o->sink, c->out->s, c->out->len);
}

/* The held rest of a line whose process ended (or closed the pipe). */
static void
output_end_held(struct steward *s, struct ward_output_stream *o)
{
	struct output_ctx c;

	output_sync(o);
	if (o->cut.hlen == 0 && o->fcut.hlen == 0) {
		o->cut.cont = o->fcut.cont = false;
		return;
	}
	output_ctx_init(s, &c, o);
	linecut_end(&o->cut, output_line, &c);
	if (c.out != NULL)
		linecut_end(&o->fcut, output_text_line, &c);
	linecut_reset(&o->fcut);
	output_ctx_done(&c);
}

/* Stop reading o and close its pipe. */
static void
output_stop(struct steward *s, struct ward_output_stream *o)
{
	if (o->fd < 0)
		return;
	ev_io_stop(s->loop, &o->io);
	if (o->paused && o->sink != NULL)
		output_sink_forget(o->sink, o);
	ward_spawn_close_fd(&o->fd);
	s->fds.output--;
}

/*
 * Read up to max bytes of o's pipe (throttled: stops early when its
 * sink is behind, unless all).  At EOF or an error, the pipe is closed.
 */
static void
output_read(struct steward *s, struct ward_output_stream *o, size_t max,
	    bool all)
{
	size_t total = 0;
	char *buf;

	if (s->output_buf == NULL)
		s->output_buf = xmalloc(OUTPUT_READ_BUF);
	buf = s->output_buf;
	while (o->fd >= 0 && total < max) {
		struct output_ctx c;
		ssize_t n = io_read(o->fd, buf, OUTPUT_READ_BUF, IO_READ);

		if (n == 0)
			return;
		if (n < 0) {
			/* EOF (every writer closed it), or an error
			 * (EIO) no retry would mend. */
			output_stop(s, o);
			output_end_held(s, o);
			return;
		}
		total += (size_t)n;
		o->bytes += (uint64_t)n;
		tail_make(o->wi)->written[o->st] += (uint64_t)n;
		if ((size_t)n == OUTPUT_READ_BUF && !o->big_pipe) {
			/*
			 * It filled its pipe: a flood.  A bigger pipe means
			 * fewer hand-overs between the ward and stewardd
			 * (each a wake-up of both, slow on a busy machine);
			 * asked once per process, memory only while filled,
			 * and a refusal (the user's pipe limits) is fine.
			 */
			o->big_pipe = true;
			(void)fcntl(o->fd, F_SETPIPE_SZ, OUTPUT_PIPE_BIG);
		}
		output_ctx_init(s, &c, o);
		if (c.raw)
			output_sink_put(o->sink, buf, (size_t)n);
		else if (c.out != NULL)
			linecut_feed(&o->fcut, buf, (size_t)n, output_text_line,
				     &c);
		if (output_lazy(&c)) {
			bytering_add(&o->pend, buf, (size_t)n, c.wall,
				     output_drop_cb, o);
		} else {
			output_sync(o);
			linecut_feed(&o->cut, buf, (size_t)n, output_line, &c);
		}
		output_ctx_done(&c);
		if (!all && o->sink != NULL && output_sink_behind(o->sink)) {
			ev_io_stop(s->loop, &o->io);
			output_sink_wait(o->sink, o);
			return;
		}
		if ((size_t)n < OUTPUT_READ_BUF && !all)
			return; /* drained: no read only to hear EAGAIN */
	}
}

/* The pipe has something. */
static void
output_read_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct ward_output_stream *o =
	    container_of(w, struct ward_output_stream, io);

	(void)loop;
	(void)revents;
	output_read(o->wi->ward->steward, o, OUTPUT_READ_MAX, false);
}

/* Read again; see ward-output.h. */
void
ward_output_resume(struct steward *s, struct ward_output_stream *o)
{
	if (o->fd >= 0)
		ev_io_start(s->loop, &o->io);
}

/*
 * Make the directory of an AUTO log file (supervisord's childlogdir,
 * /var/log/steward), one level, mode 0750, in its parent opened by the
 * path rule.  0, or -1 with errno.
 */
static int
output_make_dir(const char *path)
{
	struct safepath_why why;
	char *dir = xstrdup(path), *slash = strrchr(dir, '/');
	const char *name;
	int dfd, rc = -1;

	if (slash == NULL || slash == dir) {
		free(dir);
		errno = ENOENT;
		return -1;
	}
	*slash = '\0';
	if ((dfd = safepath_parent(dir, &name, &why)) >= 0) {
		rc = mkdirat(dfd, name, 0750) == -1 && errno != EEXIST ? -1 : 0;
		close(dfd);
	}
	free(dir);
	return rc;
}

/* The sink of stream st for this spawn: kept when it is the same. */
static struct output_sink *
output_sink_for(struct steward *s, struct ward_inst *wi, enum tail_stream st,
		bool *ok)
{
	const struct config_output *c = output_config(wi, st);
	struct ward_output_stream *o = &wi->output.st[st];
	struct output_sink *k = o->sink;
	struct err *e = NULL;
	char who[96];
	int std;

	*ok = true;
	switch (c->kind) {
	case CONFIG_OUT_NULL:
		return NULL;
	case CONFIG_OUT_STDOUT: /* stderr = stdout: only for stderr */
	case CONFIG_OUT_INHERIT:
		return output_sink_std(s, st == TAIL_STDOUT ? 1 : 2);
	case CONFIG_OUT_FILE:
		break;
	}
	if ((std = safepath_std_fd(c->path)) > 0)
		return output_sink_std(s, std);
	if (k != NULL && k->path != NULL && strcmp(k->path, c->path) == 0) {
		k->max_size = c->max_size; /* a reload may change them */
		k->backups = c->backups;
		return k;
	}
	snprintf(who, sizeof(who), "%s %s", wi->label,
		 st == TAIL_STDOUT ? "stdout" : "stderr");
	k = output_sink_file(s, c->path, c->max_size, c->backups, who, &e);
	if (k == NULL && c->auto_dir && errno == ENOENT &&
	    output_make_dir(c->path) == 0) {
		err_free(e);
		e = NULL;
		k = output_sink_file(s, c->path, c->max_size, c->backups, who,
				     &e);
	}
	if (k == NULL) {
		/* The child opens it itself, fails, and says which stage. */
		err_free(e);
		*ok = false;
	}
	return k;
}

/* No fd to spare for a pipe: said once, with the remedy. */
static void
output_short(struct steward *s, struct ward_inst *wi)
{
	struct evlog_rec r;

	if (s->output_short_said)
		return;
	s->output_short_said = true;
	evlog_begin(&r, s->log, EVLOG_WARN, "output_not_captured");
	evlog_str(&r, "ward", wi->ward->spec->name);
	evlog_int(&r, "replica", wi->replica);
	evlog_int(&r, "fd_limit", (long long)s->fds.limit);
	evlog_str(&r, "message",
		  "cannot read ward output: too few file descriptors "
		  "(RLIMIT_NOFILE); from this ward on, output goes where it "
		  "is configured, uncaptured (no tail, no last words); raise "
		  "the limit");
	evlog_commit(&r);
}

/* Before a spawn; see ward-output.h. */
unsigned
ward_output_prepare(struct steward *s, struct ward_inst *wi, bool stdout_taken)
{
	const struct ward_spec *w = wi->ward->spec;
	unsigned want = 0;

	if (w->output_direct)
		return 0;
	for (int i = 0; i < TAIL_NSTREAMS; i++) {
		struct ward_output_stream *o = &wi->output.st[i];
		struct output_sink *k;
		bool ok;

		if (i == TAIL_STDOUT && stdout_taken)
			continue;
		if (i == TAIL_STDERR &&
		    output_config(wi, TAIL_STDERR)->kind == CONFIG_OUT_STDOUT)
			continue; /* into the stdout pipe */
		if (!fdbudget_output_fits(s)) {
			output_short(s, wi);
			continue; /* written where it goes, uncaptured */
		}
		k = output_sink_for(s, wi, (enum tail_stream)i, &ok);
		if (!ok)
			continue;
		if (k != o->sink) {
			if (k != NULL && k->std != 0)
				output_sink_ref(k); /* stewardd's own */
			output_sink_unref(o->sink);
			o->sink = k;
		}
		want |= 1u << i;
	}
	return want;
}

/* After the spawn; see ward-output.h. */
void
ward_output_start(struct steward *s, struct ward_inst *wi, enum tail_stream st,
		  int fd)
{
	struct ward_output_stream *o = &wi->output.st[st];

	output_stop(s, o); /* a pipe of the process before, if any */
	output_end_held(s, o);
	o->fd = fd;
	o->big_pipe = false;
	s->fds.output++;
	o->gen = wi->generation;
	ev_io_init(&o->io, output_read_cb, fd, EV_READ);
	if (o->sink != NULL && output_sink_behind(o->sink))
		output_sink_wait(o->sink, o);
	else
		ev_io_start(s->loop, &o->io);
}

/* Read what waits; see ward-output.h. */
void
ward_output_poll(struct steward *s, struct ward_inst *wi)
{
	for (int i = 0; i < TAIL_NSTREAMS; i++) {
		struct ward_output_stream *o = &wi->output.st[i];

		if (o->fd >= 0 && !o->paused)
			output_read(s, o, OUTPUT_READ_MAX, false);
	}
}

/* Its process ended; see ward-output.h. */
void
ward_output_close(struct steward *s, struct ward_inst *wi)
{
	for (int i = 0; i < TAIL_NSTREAMS; i++) {
		struct ward_output_stream *o = &wi->output.st[i];

		if (o->fd < 0)
			continue;
		/* What it wrote last, bounded: something it started may
		 * hold the pipe and write on. */
		output_read(s, o, 4 * OUTPUT_READ_MAX, true);
		output_stop(s, o);
		output_end_held(s, o);
		/* Cut (output_end_held()): its memory is not needed until
		 * the next process writes. */
		bytering_free(&o->pend);
	}
}

/* The instance is freed; see ward-output.h. */
void
ward_output_free(struct steward *s, struct ward_inst *wi)
{
	for (int i = 0; i < TAIL_NSTREAMS; i++) {
		struct ward_output_stream *o = &wi->output.st[i];

		output_stop(s, o);
		linecut_free(&o->cut);
		linecut_free(&o->fcut);
		bytering_free(&o->pend);
		output_sink_unref(o->sink);
		o->sink = NULL;
	}
}

/* Where it goes; see ward-output.h. */
struct ward_output_dest
ward_output_dest(const struct ward_inst *wi, enum tail_stream st)
{
	const struct config_output *c = output_config(wi, st);
	const struct output_sink *k = wi->output.st[st].sink;
	struct ward_output_dest d = {.to = WARD_OUTPUT_MEMORY};
	int std = -1;

	if (c->kind == CONFIG_OUT_NULL)
		return d;
	if (c->kind == CONFIG_OUT_STDOUT) { /* only stderr's */
		d.to = WARD_OUTPUT_WITH_STDOUT;
		return d;
	}
	if (c->kind == CONFIG_OUT_FILE) {
		d.named = c->path;
		std = safepath_std_fd(c->path);
	}
	if (k != NULL && k->path != NULL) {
		d.to = WARD_OUTPUT_FILE;
		d.path = k->path; /* the file written, whatever a reload said */
		d.held = true;
	} else if (k != NULL && k->std != 0) {
		d.to = WARD_OUTPUT_OWN_FD;
		d.std = k->std;
	} else if (c->kind == CONFIG_OUT_INHERIT || std > 0) {
		d.to = WARD_OUTPUT_OWN_FD;
		d.std = std > 0 ? std : st == TAIL_STDOUT ? 1 : 2;
	} else {
		d.to = WARD_OUTPUT_FILE;
		d.path = c->path; /* the ward's own (output = direct) */
	}
	if (d.to != WARD_OUTPUT_OWN_FD)
		d.named = NULL;
	return d;
}

/* Forget its lines, empty its files; see ward-output.h. */
int
ward_output_clear(struct steward *s, struct ward_inst *wi, struct err **errp)
{
	struct tail_inst *t = wi->tail;

	(void)s;
	for (int i = 0; i < TAIL_NSTREAMS; i++) {
		struct ward_output_stream *o = &wi->output.st[i];

		/* Let its uncut bytes go, counted (the cutter goes on where
		 * they end): the ring is cleared below. */
		bytering_take(&o->pend, output_drop_cb, o);
	}
	if (t != NULL) {
		for (int i = 0; i < TAIL_NSTREAMS; i++) {
			ring_clear(&t->cur[i]);
			ring_clear(&t->prev[i]);
		}
	}
	for (int i = 0; i < TAIL_NSTREAMS; i++) {
		struct output_sink *k = wi->output.st[i].sink;

		if (k != NULL && k->path != NULL &&
		    output_sink_truncate(k, errp) == -1)
			return -1;
	}
	return 0;
}
