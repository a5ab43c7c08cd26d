/*
 * The last lines of each instance's output, and who follows them (see
 * tail.c): `stewardctl tail` reads them, failure records quote them.
 */
#ifndef STEWARD_TAIL_H
#define STEWARD_TAIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/bytering.h"
#include "core/ring.h"

struct steward;
struct ward_inst;

enum tail_stream { TAIL_STDOUT = 0, TAIL_STDERR = 1, TAIL_NSTREAMS = 2 };

/* A line's flags beside ring.h's: */
#define TAIL_SPLIT LINECUT_SPLIT     /* a piece: the next continues it */
#define TAIL_UNENDED LINECUT_UNENDED /* the process ended first */

/* Last words: at most this many lines of stderr, this many bytes. */
#define TAIL_WORDS_LINES 3
#define TAIL_WORDS_BYTES 400

/* What a follower hears besides lines. */
enum tail_note {
	TAIL_NOTE_SPAWN, /* a new process of the instance started */
	TAIL_NOTE_GONE,  /* the instance is being freed: follow no more */
};

struct tail_follower;

/* A follower's callbacks: they must not block, and may unfollow. */
struct tail_follower_ops {
	void (*line)(struct tail_follower *f, enum tail_stream st,
		     const struct ring_line *ln, const char *text);
	void (*note)(struct tail_follower *f, enum tail_note n);
};

/* One follower of one instance (embedded in the follower's record). */
struct tail_follower {
	const struct tail_follower_ops *ops;
	unsigned streams; /* bits 1 << enum tail_stream */
	struct ward_inst *wi;
	struct tail_follower *prev, *next;
};

/* An instance's rings: the current process's and the one before. */
struct tail_inst {
	struct ring cur[TAIL_NSTREAMS];
	struct ring prev[TAIL_NSTREAMS];
	unsigned cur_gen, prev_gen; /* their generations; 0: none */
	/* bytes written on each stream over the instance's life, each
	 * line with its newline: supervisord's log offsets (XML-RPC) */
	uint64_t written[TAIL_NSTREAMS];
	struct tail_follower *followers;
};

/*
 * One line the instance wrote (without its newline), read at wall
 * (seconds since the epoch) from its process of generation gen; flags
 * TAIL_SPLIT, TAIL_UNENDED.  Kept, and given to the followers.  (Its
 * bytes are counted in written[] by the reader, as read.)
 */
void tail_line(struct ward_inst *wi, enum tail_stream st, const char *data,
	       size_t len, unsigned flags, double wall, unsigned gen);

/* k lines of the current process on st were never kept (bytes let go
 * uncut): counted, and every line held on st is pushed out. */
void tail_skip(struct ward_inst *wi, enum tail_stream st, uint64_t k);

/* The rings of wi, made on first use, for the writer (ward-output.c):
 * bytes not cut yet are left so. */
struct tail_inst *tail_make(struct ward_inst *wi);

/* A new process of wi (wi->generation is its): its lines so far become
 * the previous run's. */
void tail_spawn(struct ward_inst *wi);

/* wi is about to be freed: its followers hear TAIL_NOTE_GONE; then its
 * rings are freed. */
void tail_inst_free(struct ward_inst *wi);

/* The rings of wi (made on first use), for a reader: what its streams
 * hold uncut is cut into them first (ward_output_sync()). */
struct tail_inst *tail_of(struct ward_inst *wi);

/* Follow wi's streams (bits) from now on; unfollow before f is freed. */
void tail_follow(struct ward_inst *wi, struct tail_follower *f,
		 const struct tail_follower_ops *ops, unsigned streams);
void tail_unfollow(struct tail_follower *f);

/*
 * The last words of wi's current process: its last TAIL_WORDS_LINES
 * lines of stderr (of stdout when its stderr goes there), at most
 * TAIL_WORDS_BYTES, escaped (escape_text()) and joined by "\n" as two
 * characters; NULL when it wrote none.  Free it.
 */
char *tail_last_words(const struct ward_inst *wi);

#endif
