/*
 * A bounded ring of the last lines of one output stream (see ring.c).
 *
 * Pure: no loop, no system calls; the caller gives each line's time.
 * Every line gets a sequence number, counted from 1 over the ring's life
 * (ring_clear() keeps counting), so that a reader can ask for "the lines
 * after the one I saw last" and learn how many it missed.
 */
#ifndef STEWARD_RING_H
#define STEWARD_RING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A line's flags. */
enum ring_flag {
	RING_CUT = 1 << 0,     /* longer than the ring: its start was kept */
	RING_PARTIAL = 1 << 1, /* the stream ended with no newline */
};

struct ring_line {
	uint64_t seq;
	int64_t ts_ms; /* wall-clock milliseconds, as the caller gave them */
	uint32_t off;  /* in buf */
	uint32_t len;
	unsigned flags;
};

struct ring {
	size_t max_lines; /* bounds; 0 lines or bytes: keeps nothing */
	size_t max_bytes;
	struct ring_line *lines; /* circular, lcap entries, grown lazily */
	size_t lcap, head, n;
	char *buf; /* the text, circular, bcap bytes, grown lazily */
	size_t bcap, wpos;
	bool wrapped;       /* the newest lines lie below the oldest */
	size_t bytes;       /* text held */
	uint64_t next_seq;  /* the next line's number */
	uint64_t first_seq; /* the first since ring_init() or ring_move() */
};

/* An empty ring holding at most max_lines lines and max_bytes of text. */
void ring_init(struct ring *r, size_t max_lines, size_t max_bytes);

/* Free what it holds; it is empty (and may be used again). */
void ring_free(struct ring *r);

/* Forget every line (memory kept, numbering goes on). */
void ring_clear(struct ring *r);

/*
 * Keep one line (without its newline), dropping the oldest to make room.
 * A line longer than max_bytes keeps its first max_bytes, flagged
 * RING_CUT.  Returns the line's sequence number.
 */
uint64_t ring_push(struct ring *r, const char *s, size_t len, int64_t ts_ms,
		   unsigned flags);

/*
 * Count k lines that were never kept (cut from bytes let go unread, see
 * bytering.h): newer than every line held, they push all of them out,
 * so the ring is emptied (its memory freed) and numbering goes on after
 * them.
 */
void ring_skip(struct ring *r, uint64_t k);

/* Lines pushed since ring_init() or ring_move() that are held no more. */
uint64_t ring_missed(const struct ring *r);

/* The oldest line's number (== ring_end() when empty). */
uint64_t ring_begin(const struct ring *r);

/* One past the newest line's number. */
uint64_t ring_end(const struct ring *r);

/* Line seq, or NULL when it is not held; *text points into the ring. */
const struct ring_line *ring_get(const struct ring *r, uint64_t seq,
				 const char **text);

/* The number of the first of the last n lines. */
uint64_t ring_last(const struct ring *r, size_t n);

/* The number of the first line stamped at or after ts_ms (ring_end():
 * none); stamps are taken as non-decreasing. */
uint64_t ring_since(const struct ring *r, int64_t ts_ms);

/* Move src's lines into dst (whose own are freed); src is left empty. */
void ring_move(struct ring *dst, struct ring *src);

#endif
