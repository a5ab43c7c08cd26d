/*
 * Where captured ward output is written: a log file stewardd holds
 * (rotated by size), or stewardd's own stdout or stderr, shared by every
 * ward that writes there (output-sink.c).
 */
#ifndef STEWARD_OUTPUT_SINK_H
#define STEWARD_OUTPUT_SINK_H

#include <ev.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

struct steward;
struct ward_output_stream;

/* Taken but not written: reading stops above HIGH, goes on below LOW. */
#define OUTPUT_SINK_HIGH (256 * 1024)
#define OUTPUT_SINK_LOW (64 * 1024)

struct output_sink {
	struct steward *s;
	char *path; /* the file; NULL: stewardd's own fd std */
	int std;    /* 1 or 2 for stewardd's own stdout or stderr, else 0 */
	int fd;
	bool use_send; /* a socket: send(MSG_DONTWAIT) */
	unsigned refs; /* streams that write it */
	struct sbuf q; /* taken, not yet written: q.s[off, q.len) */
	size_t off;
	ev_io wio;         /* runs while q holds something */
	uint64_t size;     /* the file's size as written (rotation) */
	uint64_t max_size; /* rotate above (0: never) */
	unsigned backups;  /* rotated files kept */
	uint64_t dropped;  /* lines dropped since the last note */
	uint64_t dropped_all;
	int drop_errno; /* why, the first time */
	bool midline;   /* the last write stopped inside a line */
	char who[96];   /* "web:0 stdout", for records */
	struct ward_output_stream *paused; /* waiting for q to drain */
	struct output_sink *prev, *next;   /* every sink of the steward */
};

/*
 * stewardd's own stdout (std 1) or stderr (2), shared: one per steward,
 * made on first use.  Never fails: without a usable descriptor, lines are
 * dropped and counted.
 */
struct output_sink *output_sink_std(struct steward *s, int std);

/*
 * A log file, opened now by the path rule (safepath.h: never following a
 * link another user could have planted), appended, rotated above
 * max_size keeping backups.  NULL with *errp (errno kept) when it cannot
 * be opened.
 */
struct output_sink *output_sink_file(struct steward *s, const char *path,
				     uint64_t max_size, unsigned backups,
				     const char *who, struct err **errp);

/* One more stream writes k. */
void output_sink_ref(struct output_sink *k);
/* One stream less: the last one writes what is left it can, closes. */
void output_sink_unref(struct output_sink *k);

/*
 * Write n bytes (whole lines, unless a split line's piece): at once when
 * the descriptor takes them, the rest kept; a write error drops them,
 * counted in lines (a note says so in the file once it takes lines
 * again, and in the event log).
 */
void output_sink_put(struct output_sink *k, const char *p, size_t n);

/* True when the sink holds more than OUTPUT_SINK_HIGH unwritten. */
bool output_sink_behind(const struct output_sink *k);

/* o stopped reading until k drains (ward_output_resume() then). */
void output_sink_wait(struct output_sink *k, struct ward_output_stream *o);
/* o waits no more (it closes). */
void output_sink_forget(struct output_sink *k, struct ward_output_stream *o);

/* Reopen k's file at its path (after an external rotation): -1 with
 * *errp, and the old file is kept. */
int output_sink_reopen(struct output_sink *k, struct err **errp);

/* Empty k's file (not its backups): -1 with *errp. */
int output_sink_truncate(struct output_sink *k, struct err **errp);

/* Reopen every file sink (stewardctl reopen, SIGUSR1); failures are
 * records. Returns the number reopened. */
size_t output_sink_reopen_all(struct steward *s);

/* Write what can be written of every sink, close them (at the end). */
void output_sink_close_all(struct steward *s);

#endif
