/*
 * Unit tests for evlog.c with a real libev loop and real descriptors:
 * the record format, a full disk (/dev/full, and a file size limit that
 * tears a line in two), reopen, rotation noticed by the check timer, and
 * a pipe that stops draining (EAGAIN, the 1 MiB cap, events_lost).
 * Waits are bounded and say what they waited for.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <ev.h>

#include "base/err.h"
#include "core/evlog.h"

/* cmocka hands every test a state pointer some tests do not use. */
#define UNUSED __attribute__((unused))

/* Each test's scratch directory and log path. */
struct fixture {
	char dir[64];
	char path[128];
	struct ev_loop *loop;
	struct evlog *log; /* for commit_then_reopened() */
	bool committed;
};

/* Make a scratch directory and a fresh loop. */
static int
setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof(*f));

	snprintf(f->dir, sizeof(f->dir), "/tmp/test-evlog.XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/events.log", f->dir);
	f->loop = ev_loop_new(EVFLAG_AUTO);
	*state = f;
	return f->loop == NULL ? -1 : 0;
}

/* Remove what the tests left in the scratch directory. */
static int
teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];

	ev_loop_destroy(f->loop);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

/* The whole file as a string. */
static char *
slurp(const char *path)
{
	struct sbuf b = {0};
	char chunk[4096];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	assert_true(fd >= 0);
	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		sbuf_add(&b, chunk, (size_t)n);
	assert_int_equal(n, 0);
	assert_int_equal(close(fd), 0);
	sbuf_add(&b, "", 0);
	return b.s;
}

/*
 * Check line's timestamp is shaped like 2026-11-26T23:05:01.123Z and
 * return what follows it, from the comma on.
 */
static const char *
after_ts(const char *line)
{
	static const char shape[] = "dddd-dd-ddTdd:dd:dd.dddZ";
	size_t i;

	assert_memory_equal(line, "{\"ts\":\"", 7);
	line += 7;
	for (i = 0; i < sizeof(shape) - 1; i++) {
		if (shape[i] == 'd')
			assert_true(line[i] >= '0' && line[i] <= '9');
		else
			assert_int_equal(line[i], shape[i]);
	}
	assert_int_equal(line[i], '"');
	return line + i + 1;
}

/* The n-th line (from 0) of text, copied without its newline. */
static char *
line_at(const char *text, int n)
{
	const char *end;

	while (n-- > 0) {
		text = strchr(text, '\n');
		assert_non_null(text);
		text++;
	}
	end = strchr(text, '\n');
	assert_non_null(end);
	return strndup(text, (size_t)(end - text));
}

/* Lines in text; each must be whole and look like one of our objects. */
static int
count_lines(const char *text)
{
	int n = 0;

	while (*text != '\0') {
		const char *end = strchr(text, '\n');

		assert_non_null(end);
		assert_memory_equal(text, "{\"ts\":\"", 7);
		assert_int_equal(end[-1], '}');
		text = end + 1;
		n++;
	}
	return n;
}

/* Every field type, in order, exactly as written. */
static void
test_record_format(void **state)
{
	struct fixture *f = *state;
	struct evlog_rec r;
	struct err *e = NULL;
	struct evlog *l = evlog_open(NULL, f->path, &e);
	char *text, *line, *want;
	int err_line;

	assert_null(e);
	assert_non_null(l);
	assert_int_equal(evlog_next_id(l), 1);
	assert_int_equal(evlog_next_id(l), 2);

	evlog_begin(&r, l, EVLOG_INFO, "ward_started");
	evlog_str(&r, "ward", "we\"b\n");
	evlog_int(&r, "pid", -42);
	evlog_bool(&r, "ok", true);
	evlog_bool(&r, "bad", false);
	evlog_num(&r, "a", 2.5);
	evlog_num(&r, "b", 3.0);
	evlog_num(&r, "c", 0.12345);
	evlog_num(&r, "d", 1e20);
	evlog_num(&r, "e", 0.0001);
	evlog_num(&r, "f", NAN);
	evlog_num(&r, "g", -1.25);
	evlog_str(&r, "h", NULL);
	evlog_commit(&r);

	/* clang-format off */
	err_line = __LINE__; e = ERR_ERRNO(ENOENT, "executing %s", "/x");
	/* clang-format on */
	e = ERR_WRAP_P(e, "cannot start ward \"web\"");
	evlog_begin(&r, l, EVLOG_ERROR, "ward_failed");
	evlog_err(&r, 3, e);
	evlog_commit(&r);
	err_free(e);
	evlog_close(l);

	text = slurp(f->path);
	assert_int_equal(count_lines(text), 2);
	line = line_at(text, 0);
	assert_string_equal(
	    after_ts(line),
	    ",\"level\":\"info\",\"event\":\"ward_started\","
	    "\"ward\":\"we\\\"b\\n\",\"pid\":-42,\"ok\":true,\"bad\":false,"
	    "\"a\":2.5,\"b\":3,\"c\":0.123,\"d\":1e+20,\"e\":0.0001,"
	    "\"f\":null,\"g\":-1.25,\"h\":null}");
	free(line);
	line = line_at(text, 1);
	want =
	    xasprintf(",\"level\":\"error\",\"event\":\"ward_failed\","
		      "\"log_id\":3,"
		      "\"message\":\"cannot start ward \\\"web\\\": "
		      "executing /x: No such file or directory\","
		      "\"error\":[{\"msg\":\"cannot start ward \\\"web\\\"\","
		      "\"at\":\"%s:%d\",\"func\":\"test_record_format\"},"
		      "{\"msg\":\"executing /x\",\"at\":\"%s:%d\","
		      "\"func\":\"test_record_format\",\"errno\":%d,"
		      "\"errname\":\"ENOENT\","
		      "\"strerror\":\"No such file or directory\"}]}",
		      __FILE__, err_line + 2, __FILE__, err_line, ENOENT);
	assert_string_equal(after_ts(line), want);
	free(want);
	free(line);
	free(text);
}

/* A failed open is a leaf naming the path, with its errno. */
static void
test_open_error(void **state)
{
	struct fixture *f = *state;
	struct err *e = NULL;
	char *path = xasprintf("%s/missing/events.log", f->dir);
	char *s;

	assert_null(evlog_open(f->loop, path, &e));
	assert_non_null(e);
	assert_int_equal(err_errno(e), ENOENT);
	assert_string_equal(err_get(e, "path"), path);
	s = err_str(e);
	assert_true(strstr(s, "opening ") == s);
	assert_non_null(strstr(s, ": No such file or directory"));
	free(s);
	err_free(e);
	free(path);
}

/* Commit three records from inside the loop; see what the file holds. */
struct held {
	ev_timer t;
	struct evlog *l;
	const char *path;
	int lines_inside;
};

static void
held_cb(struct ev_loop *loop UNUSED, ev_timer *w, int revents UNUSED)
{
	struct held *h = (struct held *)w;
	struct evlog_rec r;
	char *text;

	for (int i = 0; i < 3; i++) {
		evlog_begin(&r, h->l, EVLOG_INFO, "held");
		evlog_int(&r, "seq", i);
		evlog_commit(&r);
	}
	text = slurp(h->path);
	h->lines_inside = count_lines(text);
	free(text);
}

/*
 * Inside the loop, records wait for it to be about to sleep, and those
 * of one turn are written together, in order; outside it, at once.
 */
static void
test_written_before_the_loop_sleeps(void **state)
{
	struct fixture *f = *state;
	struct held h = {.path = f->path, .lines_inside = -1};
	struct evlog_rec r;
	struct err *e = NULL;
	char *text, *line;

	h.l = evlog_open(f->loop, f->path, &e);
	assert_non_null(h.l);
	ev_timer_init(&h.t, held_cb, 0, 0);
	ev_timer_start(f->loop, &h.t);
	ev_run(f->loop, 0);
	assert_int_equal(h.lines_inside, 0);
	text = slurp(f->path);
	assert_int_equal(count_lines(text), 3);
	for (int i = 0; i < 3; i++) {
		char *want = xasprintf("\"seq\":%d}", i);

		line = line_at(text, i);
		assert_non_null(strstr(line, want));
		free(want);
		free(line);
	}
	free(text);

	/* Outside the loop: written by the commit. */
	evlog_begin(&r, h.l, EVLOG_INFO, "now");
	evlog_commit(&r);
	text = slurp(f->path);
	assert_int_equal(count_lines(text), 4);
	free(text);
	evlog_close(h.l);
}

/* A record committed by a prepare watcher, and evlog_sync() after it. */
struct late {
	ev_prepare commit, sync;
	ev_timer after;
	struct evlog *l;
	const char *path;
	bool committed;
	int lines_after;
};

static void
late_commit_cb(struct ev_loop *loop, ev_prepare *w, int revents UNUSED)
{
	struct late *t = w->data;
	struct evlog_rec r;

	ev_prepare_stop(loop, w);
	evlog_begin(&r, t->l, EVLOG_INFO, "from_prepare");
	evlog_commit(&r);
	t->committed = true;
}

static void
late_sync_cb(struct ev_loop *loop, ev_prepare *w, int revents UNUSED)
{
	struct late *t = w->data;

	ev_prepare_stop(loop, w);
	evlog_sync(t->l);
}

static void
late_after_cb(struct ev_loop *loop UNUSED, ev_timer *w, int revents UNUSED)
{
	struct late *t = w->data;
	char *text = slurp(t->path);

	t->lines_after = count_lines(text);
	free(text);
}

/*
 * A commit from a prepare watcher comes after that turn's own flush was
 * planned: evlog_sync() from a later (lower priority) prepare watcher
 * writes it before the loop sleeps, not a turn later.
 */
static void
test_sync_after_prepare(void **state)
{
	struct fixture *f = *state;
	struct late t = {.path = f->path, .lines_after = -1};
	struct err *e = NULL;

	t.l = evlog_open(f->loop, f->path, &e);
	assert_non_null(t.l);
	ev_prepare_init(&t.commit, late_commit_cb);
	t.commit.data = &t;
	ev_prepare_init(&t.sync, late_sync_cb);
	ev_set_priority(&t.sync, EV_MINPRI);
	t.sync.data = &t;
	ev_timer_init(&t.after, late_after_cb, 0.02, 0);
	t.after.data = &t;
	ev_prepare_start(f->loop, &t.commit);
	ev_prepare_start(f->loop, &t.sync);
	ev_timer_start(f->loop, &t.after);
	ev_run(f->loop, 0);
	assert_true(t.committed);
	assert_int_equal(t.lines_after, 1);
	evlog_close(t.l);
}

/* A full disk loses records; once writable, a report precedes the next. */
static void
test_full_disk_then_reopen(void **state)
{
	struct fixture *f = *state;
	char *real = xasprintf("%s/real.log", f->dir);
	struct evlog_rec r;
	struct err *e = NULL;
	struct evlog *l;
	char *text, *line;
	int i;

	assert_int_equal(symlink("/dev/full", f->path), 0);
	l = evlog_open(f->loop, f->path, &e);
	assert_non_null(l);
	for (i = 0; i < 3; i++) {
		evlog_begin(&r, l, EVLOG_INFO, "lost_one");
		evlog_commit(&r);
	}
	assert_int_equal(evlog_lost(l), 3);

	assert_int_equal(unlink(f->path), 0);
	assert_int_equal(symlink(real, f->path), 0);
	assert_int_equal(evlog_reopen(l, &e), 0);
	evlog_begin(&r, l, EVLOG_INFO, "kept");
	evlog_commit(&r);
	evlog_begin(&r, l, EVLOG_INFO, "kept_too");
	evlog_commit(&r);
	assert_int_equal(evlog_lost(l), 3);
	evlog_close(l);

	text = slurp(real);
	assert_int_equal(count_lines(text), 3);
	line = line_at(text, 0);
	assert_string_equal(
	    after_ts(line),
	    ",\"level\":\"warn\",\"event\":\"events_lost\",\"lost\":3,"
	    "\"lost_total\":3,\"errno_name\":\"ENOSPC\","
	    "\"reason\":\"cannot write the event log: "
	    "No space left on device\"}");
	free(line);
	line = line_at(text, 1);
	assert_string_equal(after_ts(line),
			    ",\"level\":\"info\",\"event\":\"kept\"}");
	free(line);
	line = line_at(text, 2);
	assert_string_equal(after_ts(line),
			    ",\"level\":\"info\",\"event\":\"kept_too\"}");
	free(line);
	free(text);
	free(real);
}

/* A failed reopen keeps the old descriptor and says why. */
static void
test_reopen_failure_keeps_old(void **state)
{
	struct fixture *f = *state;
	char *sub = xasprintf("%s/sub", f->dir);
	char *path = xasprintf("%s/events.log", sub);
	char *keep = xasprintf("%s/keep.log", f->dir);
	struct evlog_rec r;
	struct err *e = NULL;
	struct evlog *l;
	char *text;

	assert_int_equal(mkdir(sub, 0700), 0);
	l = evlog_open(f->loop, path, &e);
	assert_non_null(l);
	assert_int_equal(link(path, keep), 0);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(rmdir(sub), 0);

	assert_int_equal(evlog_reopen(l, &e), -1);
	assert_non_null(e);
	assert_int_equal(err_errno(e), ENOENT);
	err_free(e);
	evlog_begin(&r, l, EVLOG_INFO, "still_here");
	evlog_commit(&r);
	evlog_close(l);

	text = slurp(keep);
	assert_int_equal(count_lines(text), 1);
	assert_non_null(strstr(text, "\"event\":\"still_here\"}\n"));
	free(text);
	free(keep);
	free(path);
	free(sub);
}

/*
 * A write the disk takes only in part (here: a file size limit) leaves
 * the rest of that line queued; it is finished before anything else.
 */
static void
test_torn_line_is_finished_first(void **state)
{
	struct fixture *f = *state;
	struct rlimit old, small;
	struct evlog_rec r;
	struct err *e = NULL;
	struct evlog *l;
	char *text, *line, *want;
	uint64_t lost;
	int i, kept;

	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	assert_true(signal(SIGXFSZ, SIG_IGN) != SIG_ERR);
	l = evlog_open(f->loop, f->path, &e);
	assert_non_null(l);

	small = old;
	small.rlim_cur = 1000;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
	for (i = 0; i < 20; i++) {
		evlog_begin(&r, l, EVLOG_INFO, "filler");
		evlog_int(&r, "seq", i);
		evlog_str(&r, "pad",
			  "0123456789012345678901234567890123456789");
		evlog_commit(&r);
	}
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	lost = evlog_lost(l);
	assert_true(lost > 0 && lost < 20);
	evlog_begin(&r, l, EVLOG_INFO, "after");
	evlog_commit(&r);
	evlog_close(l);
	assert_true(signal(SIGXFSZ, SIG_DFL) != SIG_ERR);

	/* The kept ones in order (the torn one whole), the report, "after". */
	text = slurp(f->path);
	kept = 20 - (int)lost;
	assert_int_equal(count_lines(text), kept + 2);
	for (i = 0; i < kept; i++) {
		want = xasprintf("\"seq\":%d,", i);
		line = line_at(text, i);
		assert_non_null(strstr(line, want));
		free(want);
		free(line);
	}
	line = line_at(text, kept);
	want = xasprintf(",\"level\":\"warn\",\"event\":\"events_lost\","
			 "\"lost\":%d,\"lost_total\":%d,"
			 "\"errno_name\":\"EFBIG\","
			 "\"reason\":\"cannot write the event log: "
			 "File too large\"}",
			 (int)lost, (int)lost);
	assert_string_equal(after_ts(line), want);
	free(want);
	free(line);
	line = line_at(text, kept + 1);
	assert_string_equal(after_ts(line),
			    ",\"level\":\"info\",\"event\":\"after\"}");
	free(line);
	free(text);
}

/* Bounded waiting: run the loop until done() or the deadline. */
struct wait {
	ev_timer poll, deadline;
	bool (*done)(void *);
	void *arg;
	bool ok;
};

/* Check the condition now and then. */
static void
wait_poll_cb(struct ev_loop *loop, ev_timer *w, int revents UNUSED)
{
	struct wait *wt = w->data;

	if (wt->done(wt->arg)) {
		wt->ok = true;
		ev_break(loop, EVBREAK_ONE);
	}
}

/* Give up. */
static void
wait_deadline_cb(struct ev_loop *loop, ev_timer *w UNUSED, int revents UNUSED)
{
	ev_break(loop, EVBREAK_ONE);
}

/* Run loop until done(arg) holds; false after seconds without it. */
static bool
wait_for(struct ev_loop *loop, bool (*done)(void *), void *arg, double seconds,
	 const char *what)
{
	struct wait wt = {.done = done, .arg = arg};

	ev_timer_init(&wt.poll, wait_poll_cb, 0.05, 0.05);
	wt.poll.data = &wt;
	ev_timer_init(&wt.deadline, wait_deadline_cb, seconds, 0);
	ev_timer_start(loop, &wt.poll);
	ev_timer_start(loop, &wt.deadline);
	ev_run(loop, 0);
	ev_timer_stop(loop, &wt.poll);
	ev_timer_stop(loop, &wt.deadline);
	if (!wt.ok)
		print_error("waited %.1fs for %s\n", seconds, what);
	return wt.ok;
}

/* The path holds a reopen record (the file was recreated). */
static bool
reopened(void *path)
{
	char *text;
	bool yes;

	if (access(path, F_OK) == -1)
		return false;
	text = slurp(path);
	yes = strstr(text, "\"event\":\"event_log_reopened\"") != NULL;
	free(text);
	return yes;
}

/* In the loop: commit a record once, then wait for the reopen. */
static bool
commit_then_reopened(void *arg)
{
	struct fixture *f = arg;
	struct evlog_rec r;

	if (!f->committed) {
		f->committed = true;
		evlog_begin(&r, f->log, EVLOG_INFO, "after_rotation");
		evlog_commit(&r);
		return false;
	}
	return reopened(f->path);
}

/* The next record reopens a deleted file, then a rotated one. */
static void
test_deleted_and_rotated(void **state)
{
	struct fixture *f = *state;
	char *rotated = xasprintf("%s.1", f->path);
	struct evlog_rec r;
	struct err *e = NULL;
	struct evlog *l = evlog_open(f->loop, f->path, &e);
	char *text, *want;
	int fd;

	assert_non_null(l);
	/* Nothing else is active: the log must not keep the loop alive. */
	alarm(10);
	assert_int_equal(ev_run(f->loop, 0), 0);
	alarm(0);

	/* Deleted: the next record goes to a new file, with the reason. */
	assert_int_equal(unlink(f->path), 0);
	evlog_begin(&r, l, EVLOG_INFO, "after_deletion");
	evlog_commit(&r);
	text = slurp(f->path);
	assert_int_equal(count_lines(text), 2);
	want = xasprintf("\"event\":\"event_log_reopened\","
			 "\"path\":\"%s\",\"reason\":\"the file was deleted\"}",
			 f->path);
	assert_non_null(strstr(text, want));
	assert_non_null(strstr(text, "\"event\":\"after_deletion\"}"));
	free(want);
	free(text);

	/* Rotated, in the loop: written to the new file when it sleeps. */
	assert_int_equal(rename(f->path, rotated), 0);
	fd = open(f->path, O_WRONLY | O_CREAT | O_CLOEXEC, 0640);
	assert_true(fd >= 0);
	assert_int_equal(close(fd), 0);
	f->log = l;
	assert_true(wait_for(f->loop, commit_then_reopened, f, 5,
			     "the rotated event log to be reopened"));
	evlog_close(l);

	text = slurp(f->path);
	assert_int_equal(count_lines(text), 2);
	want = xasprintf("\"event\":\"event_log_reopened\","
			 "\"path\":\"%s\","
			 "\"reason\":\"the path names a new file (rotated)\"}",
			 f->path);
	assert_non_null(strstr(text, want));
	assert_non_null(strstr(text, "\"event\":\"after_rotation\"}"));
	free(want);
	free(text);
	text = slurp(rotated);
	assert_int_equal(count_lines(text), 2);
	assert_null(strstr(text, "after_rotation"));
	free(text);
	free(rotated);
}

/* The far end of a pipe, read by the loop. */
struct reader {
	ev_io io;
	struct sbuf got;
	struct evlog *log;
	bool end_sent;
};

/* Read whatever the pipe holds. */
static void
reader_cb(struct ev_loop *loop UNUSED, ev_io *w, int revents UNUSED)
{
	struct reader *rd = w->data;
	char chunk[65536];
	ssize_t n;

	while ((n = read(w->fd, chunk, sizeof(chunk))) > 0)
		sbuf_add(&rd->got, chunk, (size_t)n);
}

/*
 * Once the queue has drained well below its cap, commit "end"; done
 * when "end" came out of the pipe.
 */
static bool
reader_done(void *arg)
{
	struct reader *rd = arg;
	struct evlog_rec r;

	if (!rd->end_sent && rd->got.len > 64 * 1024) {
		evlog_begin(&r, rd->log, EVLOG_INFO, "end");
		evlog_commit(&r);
		rd->end_sent = true;
	}
	return rd->got.s != NULL &&
	       strstr(rd->got.s, "\"event\":\"end\"}\n") != NULL;
}

/*
 * Standard error as a pipe nobody reads: nothing blocks, the queue
 * stops at its cap and counts the rest lost, and once the pipe drains
 * every kept line arrives whole and in order, then the report.
 */
static void
test_stuck_pipe(void **state)
{
	struct fixture *f = *state;
	struct reader rd = {0};
	struct evlog_rec r;
	struct err *e = NULL;
	int p[2], saved, i, kept;
	uint64_t lost;
	char *line, *want;

	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	assert_true(fcntl(p[1], F_SETPIPE_SZ, 4096) >= 4096);
	saved = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
	assert_true(saved >= 0);
	assert_int_equal(dup2(p[1], STDERR_FILENO), STDERR_FILENO);
	rd.log = evlog_open(f->loop, "-", &e);
	assert_int_equal(dup2(saved, STDERR_FILENO), STDERR_FILENO);
	assert_int_equal(close(saved), 0);
	assert_int_equal(close(p[1]), 0);
	assert_non_null(rd.log);
	/* fd 2 itself must not have become non-blocking. */
	assert_int_equal(fcntl(STDERR_FILENO, F_GETFL) & O_NONBLOCK, 0);

	for (i = 0; i < 20000; i++) {
		evlog_begin(&r, rd.log, EVLOG_DEBUG, "filler");
		evlog_int(&r, "seq", i);
		evlog_str(&r, "pad", "01234567890123456789012345678901234567");
		evlog_commit(&r);
	}
	lost = evlog_lost(rd.log);
	assert_true(lost > 0 && lost < 20000);

	assert_int_equal(fcntl(p[0], F_SETFL, O_NONBLOCK), 0);
	ev_io_init(&rd.io, reader_cb, p[0], EV_READ);
	rd.io.data = &rd;
	ev_io_start(f->loop, &rd.io);
	assert_true(wait_for(f->loop, reader_done, &rd, 10,
			     "the \"end\" record to come out of the pipe"));
	ev_io_stop(f->loop, &rd.io);
	assert_int_equal(evlog_lost(rd.log), lost);
	evlog_close(rd.log);
	assert_int_equal(close(p[0]), 0);

	kept = 20000 - (int)lost;
	assert_int_equal(count_lines(rd.got.s), kept + 2);
	for (i = 0; i < kept; i += 997) {
		want = xasprintf("\"seq\":%d,", i);
		line = line_at(rd.got.s, i);
		assert_non_null(strstr(line, want));
		free(line);
		free(want);
	}
	line = line_at(rd.got.s, kept);
	want = xasprintf(",\"level\":\"warn\",\"event\":\"events_lost\","
			 "\"lost\":%d,\"lost_total\":%d,"
			 "\"reason\":\"the event log fell behind: 1 MiB was "
			 "waiting to be written\"}",
			 (int)lost, (int)lost);
	assert_string_equal(after_ts(line), want);
	free(want);
	free(line);
	sbuf_free(&rd.got);
}

/* Run every evlog test, each in its own scratch directory. */
int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_record_format, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_open_error, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_written_before_the_loop_sleeps,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sync_after_prepare, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_full_disk_then_reopen, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_reopen_failure_keeps_old,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_torn_line_is_finished_first,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_deleted_and_rotated, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_stuck_pipe, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
