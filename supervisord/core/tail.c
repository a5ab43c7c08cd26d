/*
 * The last lines of each instance's output, kept in memory.
 *
 * Every line stewardd captures from an instance (ward-output.c hands
 * them over: at once, or, for a plain stream no one follows, when a
 * reader asks, tail_of() cutting what it holds uncut first) is kept in
 * a ring (ring.c) per stream, bounded by the ward's
 * tail_lines and tail_size, and given to the followers of that
 * instance (`stewardctl tail -f`).  When a new process of the instance
 * starts, the current rings become the previous ones (`--previous`, as
 * `kubectl logs --previous`) and fresh ones begin: an instance holds at
 * most four rings, each growing only as lines come, so a silent ward
 * costs nothing but its struct tail_inst (made on its first line).
 *
 * Followers are linked from the instance; a line costs one call per
 * follower.  A follower must not block: the control socket's follower
 * (ctl-tail.c) queues the line and drops itself when its queue is full.
 *
 * Last words: when an instance fails, its record quotes the last lines
 * of its current process's stderr (or stdout, when it wrote nothing on
 * stderr: a redirect_stderr program, or a ward that logs to stdout).
 */
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/escape.h"
#include "core/steward.h"
#include "core/tail.h"
#include "core/ward-output.h"

/* The ring bounds of wi's ward. */
static void
tail_bounds(const struct ward_inst *wi, size_t *lines, size_t *bytes)
{
	const struct ward_spec *w = wi->ward->spec;

	*lines = w->tail_lines;
	*bytes = w->tail_size;
}

/* The rings of wi for a reader; see tail.h. */
struct tail_inst *
tail_of(struct ward_inst *wi)
{
	ward_output_sync(wi);
	return tail_make(wi);
}

/* The rings of wi, made on first use; see tail.h. */
struct tail_inst *
tail_make(struct ward_inst *wi)
{
	struct tail_inst *t = wi->tail;
	size_t lines, bytes;

	if (t != NULL)
		return t;
	t = xcalloc(1, sizeof(*t));
	tail_bounds(wi, &lines, &bytes);
	for (int i = 0; i < TAIL_NSTREAMS; i++) {
		ring_init(&t->cur[i], lines, bytes);
		ring_init(&t->prev[i], lines, bytes);
	}
	t->cur_gen = wi->generation;
	wi->tail = t;
	return t;
}

/* Keep a line and hand it to the followers; see tail.h. */
void
tail_line(struct ward_inst *wi, enum tail_stream st, const char *data,
	  size_t len, unsigned flags, double wall, unsigned gen)
{
	struct tail_inst *t = tail_make(wi);
	struct ring *r = &t->cur[st];
	const struct ring_line *ln;
	const char *text;
	uint64_t seq;

	/* A late line of the process before (its pipe read after the new
	 * one started) belongs to the previous run. */
	if (gen != t->cur_gen && gen == t->prev_gen && t->prev_gen != 0)
		r = &t->prev[st];
	seq = ring_push(r, data, len, (int64_t)(wall * 1000), flags);
	if (r != &t->cur[st] || t->followers == NULL)
		return;
	if ((ln = ring_get(r, seq, &text)) == NULL)
		return; /* a ring of size 0 */
	for (struct tail_follower *f = t->followers, *next; f != NULL;
	     f = next) {
		next = f->next; /* f may unfollow */
		if (f->streams & (1u << st))
			f->ops->line(f, st, ln, text);
	}
}

/* Lines never kept; see tail.h. */
void
tail_skip(struct ward_inst *wi, enum tail_stream st, uint64_t k)
{
	ring_skip(&tail_make(wi)->cur[st], k);
}

/* A new process: the current rings become the previous; see tail.h. */
void
tail_spawn(struct ward_inst *wi)
{
	struct tail_inst *t;
	size_t lines, bytes;

	ward_output_sync(wi); /* what it held uncut is the last run's */
	t = wi->tail;
	if (t == NULL)
		return; /* nothing kept yet: tail_of() starts from here */
	tail_bounds(wi, &lines, &bytes);
	for (int i = 0; i < TAIL_NSTREAMS; i++) {
		ring_move(&t->prev[i], &t->cur[i]);
		/* A reload may have changed the bounds. */
		t->cur[i].max_lines = lines;
		t->cur[i].max_bytes = bytes;
	}
	t->prev_gen = t->cur_gen;
	t->cur_gen = wi->generation;
	for (struct tail_follower *f = t->followers, *next; f != NULL;
	     f = next) {
		next = f->next;
		f->ops->note(f, TAIL_NOTE_SPAWN);
	}
}

/* wi is about to be freed; see tail.h. */
void
tail_inst_free(struct ward_inst *wi)
{
	struct tail_inst *t = wi->tail;

	if (t == NULL)
		return;
	while (t->followers != NULL) {
		struct tail_follower *f = t->followers;

		f->ops->note(f, TAIL_NOTE_GONE);
		if (t->followers == f)
			tail_unfollow(f); /* it did not: now it is */
	}
	for (int i = 0; i < TAIL_NSTREAMS; i++) {
		ring_free(&t->cur[i]);
		ring_free(&t->prev[i]);
	}
	free(t);
	wi->tail = NULL;
}

/* Follow wi; see tail.h. */
void
tail_follow(struct ward_inst *wi, struct tail_follower *f,
	    const struct tail_follower_ops *ops, unsigned streams)
{
	struct tail_inst *t = tail_of(wi);

	f->ops = ops;
	f->streams = streams;
	f->wi = wi;
	f->prev = NULL;
	f->next = t->followers;
	if (t->followers != NULL)
		t->followers->prev = f;
	t->followers = f;
}

/* Stop following; see tail.h. */
void
tail_unfollow(struct tail_follower *f)
{
	struct tail_inst *t;

	if (f->wi == NULL)
		return;
	t = f->wi->tail;
	if (f->prev != NULL)
		f->prev->next = f->next;
	else
		t->followers = f->next;
	if (f->next != NULL)
		f->next->prev = f->prev;
	f->wi = NULL;
	f->prev = f->next = NULL;
}

/* Its last words; see tail.h. */
char *
tail_last_words(const struct ward_inst *wi)
{
	struct tail_inst *t;
	const struct ring *r;
	struct sbuf b = {0};
	uint64_t pick[TAIL_WORDS_LINES];
	size_t total = 0, n = 0;

	/* Cutting the bytes held uncut changes what wi holds, not what
	 * it says: the lines are the same, cut now or at once. */
	ward_output_sync((struct ward_inst *)wi);
	t = wi->tail;
	if (t == NULL || t->cur_gen != wi->generation)
		return NULL;
	r = &t->cur[TAIL_STDERR];
	if (r->n == 0)
		r = &t->cur[TAIL_STDOUT];
	if (r->n == 0)
		return NULL;
	/* The last lines that say something, newest first, within the
	 * bytes (the newest always, cut to its end if need be). */
	for (uint64_t q = ring_end(r);
	     q > ring_begin(r) && n < TAIL_WORDS_LINES; q--) {
		const char *text;
		const struct ring_line *ln = ring_get(r, q - 1, &text);

		if (ln->len == 0)
			continue;
		if (n > 0 && total + ln->len > TAIL_WORDS_BYTES)
			break;
		total += ln->len;
		pick[n++] = q - 1;
	}
	while (n > 0) {
		const char *text;
		const struct ring_line *ln = ring_get(r, pick[--n], &text);
		size_t len = ln->len, skip = 0;
		char *esc;

		/* One line longer than the bound: its end is what it
		 * said last. */
		if (len > TAIL_WORDS_BYTES) {
			skip = len - TAIL_WORDS_BYTES;
			/* Not inside a UTF-8 sequence. */
			while (skip < len &&
			       ((unsigned char)text[skip] & 0xc0) == 0x80)
				skip++;
		}
		esc = xmalloc(ESCAPE_BOUND(len - skip) + 1);
		escape_text(esc, text + skip, len - skip);
		sbuf_addf(&b, "%s%s%s", b.len > 0 ? "\\n" : "",
			  skip ? "..." : "", esc);
		free(esc);
	}
	return b.s; /* NULL: only empty lines */
}
