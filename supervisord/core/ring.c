/*
 * The last lines of an output stream, bounded by lines and by bytes.
 *
 * Two circular arrays: the lines' records (lines[], at most max_lines)
 * and their text (buf[], at most max_bytes).  Text is written in order,
 * each line in one piece: at wpos when it fits before the end of buf
 * (or before the oldest line's text, once wrapped), else at 0; the
 * oldest lines are dropped until it fits.  A line's text is never split,
 * so a reader gets it as one pointer and length.  At worst the end of
 * buf holds a gap smaller than a line: the text held is then a little
 * less than max_bytes.
 *
 * Memory grows with what is written: an instance that never writes
 * costs the struct, one that writes a line costs that line, and buf and
 * lines[] double up to their bounds (realloc, while the text has not
 * wrapped, so offsets stay valid).  Cost: O(1) amortized per line,
 * plus the copy of its text; O(log n) for ring_since().
 */
#include <stdlib.h>
#include <string.h>

#include "core/ring.h"

#define RING_MIN_BYTES 256
#define RING_MIN_LINES 8

/* Allocation that cannot fail for the caller: out of memory aborts. */
static void *
ring_realloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (q == NULL)
		abort();
	return q;
}

/* An empty ring; see ring.h. */
void
ring_init(struct ring *r, size_t max_lines, size_t max_bytes)
{
	*r = (struct ring){.max_lines = max_lines,
			   .max_bytes = max_bytes,
			   .next_seq = 1,
			   .first_seq = 1};
}

/* Free the text and records; see ring.h. */
void
ring_free(struct ring *r)
{
	uint64_t next = r->next_seq;

	free(r->lines);
	free(r->buf);
	uint64_t first = r->first_seq;

	ring_init(r, r->max_lines, r->max_bytes);
	r->next_seq = next;
	r->first_seq = first;
}

/* Forget every line; see ring.h. */
void
ring_clear(struct ring *r)
{
	r->head = r->n = 0;
	r->wpos = 0;
	r->wrapped = false;
	r->bytes = 0;
}

/* Count lines never kept; see ring.h. */
void
ring_skip(struct ring *r, uint64_t k)
{
	if (k == 0)
		return;
	ring_free(r); /* the memory too: the next lines may be long in
		       * coming (cut from a byte ring when read) */
	r->next_seq += k;
}

/* head + i within lcap, i <= lcap: no division per line. */
static size_t
ring_slot(const struct ring *r, size_t i)
{
	size_t k = r->head + i;

	return k >= r->lcap ? k - r->lcap : k;
}

/* The i-th line from the oldest. */
static struct ring_line *
ring_at(const struct ring *r, size_t i)
{
	return &r->lines[ring_slot(r, i)];
}

/* Drop the oldest line. */
static void
ring_drop(struct ring *r)
{
	struct ring_line *old = ring_at(r, 0);
	uint32_t off = old->off;

	r->bytes -= old->len;
	r->head = ring_slot(r, 1);
	if (--r->n == 0) {
		ring_clear(r);
		return;
	}
	/* Past the wrap: the oldest text now lies below. */
	if (r->wrapped && ring_at(r, 0)->off < off)
		r->wrapped = false;
}

/* Room for one more record, growing lines[] or dropping the oldest. */
static void
ring_room_line(struct ring *r)
{
	if (r->n == r->max_lines) {
		ring_drop(r);
		return;
	}
	if (r->n < r->lcap)
		return;
	size_t cap = r->lcap ? r->lcap * 2 : RING_MIN_LINES;
	struct ring_line *v;

	if (cap > r->max_lines)
		cap = r->max_lines;
	v = ring_realloc(NULL, cap * sizeof(*v));
	for (size_t i = 0; i < r->n; i++)
		v[i] = *ring_at(r, i);
	free(r->lines);
	r->lines = v;
	r->lcap = cap;
	r->head = 0;
}

/* Where len bytes of text go, dropping old lines to make room. */
static size_t
ring_room_text(struct ring *r, size_t len)
{
	for (;;) {
		if (r->n == 0)
			r->wpos = 0;
		if (r->wrapped) {
			/* Free: from wpos to the oldest line's text. */
			if (r->wpos + len <= ring_at(r, 0)->off)
				return r->wpos;
			ring_drop(r);
			continue;
		}
		if (r->wpos + len <= r->bcap)
			return r->wpos;
		if (r->bcap < r->max_bytes) {
			size_t cap = r->bcap ? r->bcap * 2 : RING_MIN_BYTES;

			while (cap < r->wpos + len)
				cap *= 2;
			if (cap > r->max_bytes)
				cap = r->max_bytes;
			r->buf = ring_realloc(r->buf, cap);
			r->bcap = cap;
			continue;
		}
		/* At the end: wrap to 0 once the oldest text leaves room. */
		if (len <= ring_at(r, 0)->off) {
			r->wrapped = true;
			r->wpos = 0;
			return 0;
		}
		ring_drop(r);
	}
}

/* Keep one line; see ring.h. */
uint64_t
ring_push(struct ring *r, const char *s, size_t len, int64_t ts_ms,
	  unsigned flags)
{
	uint64_t seq = r->next_seq++;
	struct ring_line *ln;
	size_t off;

	if (r->max_lines == 0 || r->max_bytes == 0)
		return seq;
	if (len > r->max_bytes) {
		len = r->max_bytes;
		flags |= RING_CUT;
	}
	if (len > UINT32_MAX)
		len = UINT32_MAX;
	ring_room_line(r);
	off = ring_room_text(r, len);
	if (len > 0)
		memcpy(r->buf + off, s, len);
	r->wpos = off + len;
	ln = &r->lines[ring_slot(r, r->n)];
	*ln = (struct ring_line){.seq = seq,
				 .ts_ms = ts_ms,
				 .off = (uint32_t)off,
				 .len = (uint32_t)len,
				 .flags = flags};
	r->n++;
	r->bytes += len;
	return seq;
}

/* The oldest line's number; see ring.h. */
uint64_t
ring_begin(const struct ring *r)
{
	return r->n ? ring_at(r, 0)->seq : r->next_seq;
}

/* One past the newest; see ring.h. */
uint64_t
ring_end(const struct ring *r)
{
	return r->next_seq;
}

/* Line seq; see ring.h. */
const struct ring_line *
ring_get(const struct ring *r, uint64_t seq, const char **text)
{
	uint64_t first = ring_begin(r);
	const struct ring_line *ln;

	if (seq < first || seq >= r->next_seq || r->n == 0)
		return NULL;
	ln = ring_at(r, (size_t)(seq - first));
	*text = r->buf != NULL ? r->buf + ln->off : "";
	return ln;
}

/* The first of the last n lines; see ring.h. */
uint64_t
ring_last(const struct ring *r, size_t n)
{
	return n >= r->n ? ring_begin(r) : r->next_seq - n;
}

/* The first line at or after ts_ms; see ring.h. */
uint64_t
ring_since(const struct ring *r, int64_t ts_ms)
{
	size_t lo = 0, hi = r->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (ring_at(r, mid)->ts_ms < ts_ms)
			lo = mid + 1;
		else
			hi = mid;
	}
	return ring_begin(r) + lo;
}

/* Move src into dst; see ring.h. */
void
ring_move(struct ring *dst, struct ring *src)
{
	free(dst->lines);
	free(dst->buf);
	*dst = *src;
	ring_init(src, src->max_lines, src->max_bytes);
	src->next_seq = src->first_seq = dst->next_seq;
}

/* Lines no longer held; see ring.h. */
uint64_t
ring_missed(const struct ring *r)
{
	return ring_begin(r) - r->first_seq;
}
