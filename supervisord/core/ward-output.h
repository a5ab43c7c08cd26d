/*
 * A ward's stdout and stderr, read by stewardd through pipes in its loop
 * (ward-output.c): cut into lines for the tail rings (tail.h) and
 * written to the stream's sink (output-sink.h).
 *
 * For what is built on the core (the XML-RPC log methods, say):
 * ward_output_path() names the file a stream is written to now, and
 * ward_output_clear() forgets an instance's lines and empties its files.
 */
#ifndef STEWARD_WARD_OUTPUT_H
#define STEWARD_WARD_OUTPUT_H

#include <ev.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"
#include "core/tail.h"

struct steward;
struct ward_inst;
struct output_sink;

/* A line longer than this is written and kept in pieces of this size,
 * each but the last marked as continued (TAIL_SPLIT). */
#define OUTPUT_LINE_MAX (16 * 1024)
/* The pipe of a stream that filled it once (F_SETPIPE_SZ). */
#define OUTPUT_PIPE_BIG (1024 * 1024)
/* Read per wakeup at most, so that one flood cannot starve the loop. */
#define OUTPUT_READ_MAX (256 * 1024)

/* One stream of one instance (embedded in struct ward_output). */
struct ward_output_stream {
	int fd; /* the pipe's read end, or -1 */
	ev_io io;
	struct ward_inst *wi;
	enum tail_stream st;
	struct output_sink *sink; /* where its lines go; NULL: memory only */
	bool paused;              /* waiting for its sink to drain */
	bool big_pipe;            /* its pipe was made OUTPUT_PIPE_BIG */
	struct ward_output_stream *pnext; /* on the sink's waiting list */
	char *held; /* an unended line (OUTPUT_LINE_MAX), made on use */
	size_t hlen;
	bool cont;      /* what is held continues a split line */
	unsigned gen;   /* the generation of the process writing it */
	uint64_t bytes; /* read, all runs */
};

/* An instance's streams (struct ward_inst's output). */
struct ward_output {
	struct ward_output_stream st[TAIL_NSTREAMS];
};

/* A new instance's streams: nothing open. */
void ward_output_init(struct ward_inst *wi);

/*
 * Before a spawn: the streams (bits 1 << enum tail_stream) stewardd will
 * read for wi, their sinks opened now (a log file whose open fails is
 * left to the child, which reports the failure by stage).  stdout_taken:
 * a subscriber reads its stdout (a job's answer, a listener's protocol).
 */
unsigned ward_output_prepare(struct steward *s, struct ward_inst *wi,
			     bool stdout_taken);

/* After the spawn: read stream st from fd (the pipe's read end). */
void ward_output_start(struct steward *s, struct ward_inst *wi,
		       enum tail_stream st, int fd);

/* Read what waits in wi's pipes now, without blocking (before a
 * deadline is judged: the last words of a hung ward). */
void ward_output_poll(struct steward *s, struct ward_inst *wi);

/* Its process ended: read what is left, keep an unended line, close. */
void ward_output_close(struct steward *s, struct ward_inst *wi);

/* The instance is freed: close, and let go of its sinks. */
void ward_output_free(struct steward *s, struct ward_inst *wi);

/* The sink drained: read stream o again. */
void ward_output_resume(struct steward *s, struct ward_output_stream *o);

/* The file wi's stream st is written to now, or NULL (not a file of
 * stewardd's: memory only, stewardd's own stdout, or output = direct). */
const char *ward_output_path(const struct ward_inst *wi, enum tail_stream st);

/* Forget wi's kept lines and empty its log files (not their backups):
 * supervisord's clearProcessLogs.  0, or -1 with *errp. */
int ward_output_clear(struct steward *s, struct ward_inst *wi,
		      struct err **errp);

#endif
