/*
 * A plain output stream's last bytes, and the cutting of bytes into
 * lines.
 *
 * Why a byte ring.  Most of what wards write is never read: a flood
 * into a log file pushes its lines out of the tail ring long before
 * anyone asks for them.  Cutting every line and copying it into the
 * line ring (ring.c) cost more than the write(2) of the same bytes.  So
 * a stream whose lines need not be seen as they come (written to a file
 * as read, or kept in memory only, and followed by no one) keeps its
 * last bytes as they were read; they are cut into lines when someone
 * reads them (a tail, the last words, a follower who joins).
 *
 * The ring holds at most max bytes, in one circular buffer that grows
 * (doubling, up to max) as bytes come, so a quiet stream costs little.
 * Each read's time is a mark (the offset from which bytes were read
 * then); the lines cut from them get the time of the read that brought
 * their newline, as when they are cut at once.  Reads in one
 * millisecond share a mark; when BYTERING_MARKS are held the caller
 * takes the bytes (cuts them) before adding more.
 *
 * Bytes that no longer fit are given to the caller before they go (the
 * caller counts their lines, so that the line ring's numbering stays
 * that of every line written): what is cut later starts exactly where
 * they ended, and a line begun in them is still whole, its start held by
 * the cutter.
 *
 * The cutter (struct linecut) is the one every stream uses, cut at once
 * or later: a line is given without its newline; a line longer than max
 * is given in pieces of max bytes, each but the last flagged
 * LINECUT_SPLIT; an unended rest is held (at most max bytes) until its
 * newline comes, or the stream ends (linecut_end: LINECUT_UNENDED).  Any
 * byte is kept as it is.
 *
 * Counting the lines of bytes let go costs no memchr per line: the
 * whole lines are counted 16 bytes at a time (a vector compare), and
 * only a stretch of max / 2 bytes with no newline in it (a line that
 * may be longer than max) is cut one line at a time.
 *
 * Cost: bytering_add is one copy of what is kept, O(1) per read beside;
 * what is let go costs a pass of counting; a cut is one memchr per line,
 * plus the caller's work per line.
 */
#include <stdlib.h>
#include <string.h>

#include "core/bytering.h"

#define BYTERING_MIN 4096

/* Allocation that cannot fail for the caller: out of memory aborts. */
static void *
bytering_alloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		abort();
	return p;
}

/* An empty cutter; see bytering.h. */
void
linecut_init(struct linecut *lc, size_t max)
{
	*lc = (struct linecut){.max = max > 0 ? max : 1};
}

/* One line or piece to fn (or counted). */
static uint64_t
linecut_give(struct linecut *lc, const char *text, size_t len, unsigned flags,
	     linecut_fn *fn, void *ctx)
{
	if (fn != NULL)
		fn(ctx, text, len, flags);
	lc->cont = (flags & LINECUT_SPLIT) != 0;
	return 1;
}

/* Newlines in n bytes, 64 at a time (the compiler's vector type: a
 * compare and a subtract per 16 bytes, on any target). */
static size_t
linecut_newlines(const char *p, size_t n)
{
	typedef unsigned char v16 __attribute__((vector_size(16)));
	const v16 nlv = {'\n', '\n', '\n', '\n', '\n', '\n', '\n', '\n',
			 '\n', '\n', '\n', '\n', '\n', '\n', '\n', '\n'};
	size_t c = 0, i = 0;

	while (n - i >= 64) {
		v16 a0 = {0}, a1 = {0}, a2 = {0}, a3 = {0}, v;
		size_t rounds = (n - i) / 64;

		if (rounds > 255) /* a lane counts to 255 */
			rounds = 255;
		for (size_t k = 0; k < rounds; k++, i += 64) {
			/* A match is -1: subtracting it counts it. */
			memcpy(&v, p + i, 16);
			a0 -= (v16)(v == nlv);
			memcpy(&v, p + i + 16, 16);
			a1 -= (v16)(v == nlv);
			memcpy(&v, p + i + 32, 16);
			a2 -= (v16)(v == nlv);
			memcpy(&v, p + i + 48, 16);
			a3 -= (v16)(v == nlv);
		}
		for (int l = 0; l < 16; l++)
			c += (size_t)a0[l] + a1[l] + a2[l] + a3[l];
	}
	for (; i < n; i++)
		c += p[i] == '\n';
	return c;
}

/*
 * The lines of n bytes that start a line and end with a newline, when
 * none is longer than max: every block of max / 2 bytes holds a newline
 * then (a longer line would cover a whole block).  SIZE_MAX when a block
 * holds none: the caller cuts them one by one.
 */
static size_t
linecut_whole(const char *p, size_t n, size_t max)
{
	size_t blk = max / 2 > 0 ? max / 2 : 1, lines = 0;

	for (size_t at = 0; at < n; at += blk) {
		size_t k =
		    linecut_newlines(p + at, n - at < blk ? n - at : blk);

		if (k == 0)
			return SIZE_MAX;
		lines += k;
	}
	return lines;
}

static uint64_t linecut_cut(struct linecut *lc, const char *p, size_t n,
			    linecut_fn *fn, void *ctx);

/*
 * Count the lines of n bytes as linecut_cut() would give them, without
 * a memchr per line: the line in progress is finished by the cutter,
 * the whole lines after it are counted 16 bytes at a time, and the rest
 * is held by the cutter.
 */
static uint64_t
linecut_count(struct linecut *lc, const char *p, size_t n)
{
	const char *end = p + n, *last;
	uint64_t lines = 0;
	size_t k;

	if (lc->hlen > 0) {
		const char *nl = memchr(p, '\n', n);
		size_t upto = nl != NULL ? (size_t)(nl - p) + 1 : n;

		lines += linecut_cut(lc, p, upto, NULL, NULL);
		p += upto;
	}
	if (p < end && (last = memrchr(p, '\n', (size_t)(end - p))) != NULL) {
		size_t len = (size_t)(last - p) + 1;

		if ((k = linecut_whole(p, len, lc->max)) != SIZE_MAX) {
			lines += k;
			lc->cont = false;
		} else {
			lines += linecut_cut(lc, p, len, NULL, NULL);
		}
		p = last + 1;
	}
	return lines + linecut_cut(lc, p, (size_t)(end - p), NULL, NULL);
}

/* Cut n bytes; see bytering.h. */
uint64_t
linecut_feed(struct linecut *lc, const char *p, size_t n, linecut_fn *fn,
	     void *ctx)
{
	if (fn == NULL)
		return linecut_count(lc, p, n);
	return linecut_cut(lc, p, n, fn, ctx);
}

/* Cut n bytes, a memchr per line. */
static uint64_t
linecut_cut(struct linecut *lc, const char *p, size_t n, linecut_fn *fn,
	    void *ctx)
{
	const char *end = p + n;
	uint64_t lines = 0;

	while (p < end) {
		const char *nl;
		size_t len, take;

		if (lc->hlen == lc->max) {
			bool ends = *p == '\n';

			lines +=
			    linecut_give(lc, lc->held, lc->hlen,
					 ends ? 0 : LINECUT_SPLIT, fn, ctx);
			lc->hlen = 0;
			p += ends;
			continue;
		}
		nl = memchr(p, '\n', (size_t)(end - p));
		len = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);
		if (lc->hlen == 0 && nl != NULL && len <= lc->max) {
			/* A whole line in place: no copy. */
			lines += linecut_give(lc, p, len, 0, fn, ctx);
			p = nl + 1;
			continue;
		}
		if (lc->held == NULL)
			lc->held = bytering_alloc(lc->max);
		take = lc->max - lc->hlen;
		if (len < take)
			take = len;
		memcpy(lc->held + lc->hlen, p, take);
		lc->hlen += take;
		p += take;
		if (take == len && nl != NULL) {
			lines +=
			    linecut_give(lc, lc->held, lc->hlen, 0, fn, ctx);
			lc->hlen = 0;
			p = nl + 1;
		}
	}
	return lines;
}

/* The held rest; see bytering.h. */
uint64_t
linecut_end(struct linecut *lc, linecut_fn *fn, void *ctx)
{
	uint64_t lines = 0;

	if (lc->hlen > 0)
		lines = linecut_give(lc, lc->held, lc->hlen, LINECUT_UNENDED,
				     fn, ctx);
	lc->hlen = 0;
	lc->cont = false;
	return lines;
}

/* Forget what is held; see bytering.h. */
void
linecut_reset(struct linecut *lc)
{
	lc->hlen = 0;
	lc->cont = false;
}

/* Free it; see bytering.h. */
void
linecut_free(struct linecut *lc)
{
	free(lc->held);
	linecut_init(lc, lc->max);
}

/* An empty ring; see bytering.h. */
void
bytering_init(struct bytering *br, size_t max)
{
	*br = (struct bytering){.max = max};
}

/* No mark to spare; see bytering.h. */
bool
bytering_full(const struct bytering *br)
{
	return br->mn == BYTERING_MARKS;
}

/* The i-th held mark from the oldest. */
static struct bytering_mark *
bytering_mark_at(struct bytering *br, size_t i)
{
	return &br->mark[(br->mfirst + i) % BYTERING_MARKS];
}

/* Give the oldest k (<= len) bytes to fn, a run per mark, and let them
 * go. */
static void
bytering_give(struct bytering *br, size_t k, bytering_fn *fn, void *ctx)
{
	uint64_t begin = br->end - br->len;

	while (k > 0) {
		const struct bytering_mark *m = bytering_mark_at(br, 0);
		uint64_t stop =
		    br->mn > 1 ? bytering_mark_at(br, 1)->at : br->end;
		size_t run = (size_t)(stop - begin), first;

		if (run > k)
			run = k;
		first = br->cap - br->head;
		if (first > run)
			first = run;
		fn(ctx, br->buf + br->head, first, m->wall);
		if (run > first)
			fn(ctx, br->buf, run - first, m->wall);
		br->head += run;
		if (br->head >= br->cap)
			br->head -= br->cap;
		br->len -= run;
		begin += run;
		k -= run;
		if (begin == stop && br->mn > 1) {
			br->mfirst = (br->mfirst + 1) % BYTERING_MARKS;
			br->mn--;
		}
	}
	if (br->len == 0)
		bytering_clear(br);
}

/* Room for need bytes in buf (need <= max): the held ones moved to 0. */
static void
bytering_grow(struct bytering *br, size_t need)
{
	size_t cap = br->cap ? br->cap : BYTERING_MIN, first;
	char *b;

	while (cap < need)
		cap *= 2;
	if (cap > br->max)
		cap = br->max;
	b = bytering_alloc(cap);
	first = br->cap - br->head;
	if (first > br->len)
		first = br->len;
	if (br->len > 0) {
		memcpy(b, br->buf + br->head, first);
		memcpy(b + first, br->buf, br->len - first);
	}
	free(br->buf);
	br->buf = b;
	br->cap = cap;
	br->head = 0;
}

/* Keep n bytes; see bytering.h. */
void
bytering_add(struct bytering *br, const char *p, size_t n, double wall,
	     bytering_fn *drop, void *ctx)
{
	struct bytering_mark *last;
	size_t at, first;

	if (n == 0)
		return;
	if (n >= br->max) {
		size_t skip = n - br->max;

		bytering_give(br, br->len, drop, ctx);
		if (skip > 0)
			drop(ctx, p, skip, wall);
		br->end += skip;
		p += skip;
		n -= skip;
		if (n == 0)
			return; /* a ring of 0 bytes */
	} else if (br->len + n > br->max) {
		bytering_give(br, br->len + n - br->max, drop, ctx);
	}
	if (br->len + n > br->cap)
		bytering_grow(br, br->len + n);
	at = br->head + br->len;
	if (at >= br->cap)
		at -= br->cap;
	first = br->cap - at;
	if (first > n)
		first = n;
	memcpy(br->buf + at, p, first);
	memcpy(br->buf, p + first, n - first);
	last = br->mn > 0 ? bytering_mark_at(br, br->mn - 1) : NULL;
	if (last == NULL ||
	    (long long)(last->wall * 1000) != (long long)(wall * 1000)) {
		if (br->mn == BYTERING_MARKS) {
			/* The two oldest runs share the older's time. */
			struct bytering_mark *m0 = bytering_mark_at(br, 0);

			*bytering_mark_at(br, 1) = *m0;
			br->mfirst = (br->mfirst + 1) % BYTERING_MARKS;
			br->mn--;
		}
		*bytering_mark_at(br, br->mn) =
		    (struct bytering_mark){.at = br->end, .wall = wall};
		br->mn++;
	}
	br->end += n;
	br->len += n;
}

/* Give all; see bytering.h. */
void
bytering_take(struct bytering *br, bytering_fn *fn, void *ctx)
{
	bytering_give(br, br->len, fn, ctx);
}

/* Forget the held bytes; see bytering.h. */
void
bytering_clear(struct bytering *br)
{
	br->len = 0;
	br->head = 0;
	br->mfirst = 0;
	br->mn = 0;
}

/* Free its memory; see bytering.h. */
void
bytering_free(struct bytering *br)
{
	uint64_t end = br->end;

	free(br->buf);
	bytering_init(br, br->max);
	br->end = end;
}
