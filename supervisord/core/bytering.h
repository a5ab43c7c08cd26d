/*
 * A plain output stream's last bytes, kept as they were read, and the
 * cutting of bytes into lines (see bytering.c).
 *
 * Pure: no loop, no system calls; the caller gives each read's time.
 */
#ifndef STEWARD_BYTERING_H
#define STEWARD_BYTERING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A line's flags as the cutter gives them (tail.h uses the same bits). */
#define LINECUT_SPLIT (1u << 4)   /* a piece: the next line continues it */
#define LINECUT_UNENDED (1u << 5) /* the stream ended before a newline */

/* One stream's cutting: what is held of a line not ended yet. */
struct linecut {
	size_t max;  /* a longer line is given in pieces of this size */
	char *held;  /* max bytes, made on first use */
	size_t hlen; /* held bytes */
	bool cont;   /* the last line given was a piece (LINECUT_SPLIT) */
};

/* Takes one whole line or piece (without its newline).  lc->cont says,
 * during the call, whether it continues a piece given before. */
typedef void linecut_fn(void *ctx, const char *text, size_t len,
			unsigned flags);

/* An empty cutter of lines longer than max (> 0) into pieces. */
void linecut_init(struct linecut *lc, size_t max);

/*
 * Cut n bytes into lines: each whole line, and each piece of max bytes
 * of a longer one (LINECUT_SPLIT but the last), goes to fn; an unended
 * rest is held.  A full held piece waits for the next byte: a newline
 * makes it a whole line.  fn NULL: the lines are only counted (what is
 * held is kept all the same).  Returns the lines given or counted.
 */
uint64_t linecut_feed(struct linecut *lc, const char *p, size_t n,
		      linecut_fn *fn, void *ctx);

/* The held rest, if any, as one line flagged LINECUT_UNENDED (fn NULL:
 * counted); nothing is held after.  Returns 0 or 1. */
uint64_t linecut_end(struct linecut *lc, linecut_fn *fn, void *ctx);

/* Forget what is held (memory kept). */
void linecut_reset(struct linecut *lc);

/* Free what it holds; it may be used again. */
void linecut_free(struct linecut *lc);

/* A byte ring's read times: at most this many held at once. */
#define BYTERING_MARKS 64

/* The bytes from absolute offset at on were read at wall. */
struct bytering_mark {
	uint64_t at;
	double wall;
};

/* The last bytes of a stream, at most max, with the times they came. */
struct bytering {
	size_t max;
	char *buf; /* circular, cap bytes, grown up to max as bytes come */
	size_t cap;
	size_t head;  /* the oldest held byte's place in buf */
	size_t len;   /* bytes held */
	uint64_t end; /* bytes added over its life: held [end - len, end) */
	struct bytering_mark mark[BYTERING_MARKS]; /* circular */
	size_t mfirst, mn;
};

/* Takes a run of bytes read at wall, in order. */
typedef void bytering_fn(void *ctx, const char *p, size_t n, double wall);

/* An empty ring holding at most max bytes (0: none). */
void bytering_init(struct bytering *br, size_t max);

/* True when a read of another time would have no mark of its own (it
 * would share the oldest's): the caller takes the bytes first. */
bool bytering_full(const struct bytering *br);

/*
 * Keep n bytes read at wall.  The oldest bytes that no longer fit (held
 * ones first, then the start of p) go to drop, in order, before they
 * are let go.  A read in the same millisecond as the one before shares
 * its mark.
 */
void bytering_add(struct bytering *br, const char *p, size_t n, double wall,
		  bytering_fn *drop, void *ctx);

/* Give every held byte to fn, in order (one call per run of one read
 * time, two where it wraps), and hold none. */
void bytering_take(struct bytering *br, bytering_fn *fn, void *ctx);

/* Forget the held bytes (memory kept). */
void bytering_clear(struct bytering *br);

/* Free its memory; it is empty and may be used again. */
void bytering_free(struct bytering *br);

#endif
