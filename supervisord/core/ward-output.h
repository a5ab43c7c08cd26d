/*
 * A ward's stdout and stderr, read by stewardd through pipes in its loop
 * (ward-output.c): cut into lines for the tail rings (tail.h), at once
 * or, for a plain stream no one follows, when someone reads them
 * (bytering.h), and written to the stream's sink (output-sink.h).
 *
 * For what is built on the core (the XML-RPC log methods, say):
 * ward_output_dest() says where a stream goes now (a file, and which;
 * stewardd's own stdout or stderr, which is no file to open; memory only),
 * and ward_output_clear() forgets an instance's lines and empties its
 * files.
 */
#ifndef STEWARD_WARD_OUTPUT_H
#define STEWARD_WARD_OUTPUT_H

#include <ev.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"
#include "core/bytering.h"
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
/* One read(2) takes at most this much (stewardd's one read buffer). */
#define OUTPUT_READ_BUF (64 * 1024)

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
	struct linecut cut;   /* its lines for the tail ring, held rest */
	struct linecut fcut;  /* the same for the sink's text (formatted or
			       * shared sinks only) */
	struct bytering pend; /* read, not cut yet: a plain stream's last
			       * bytes while no one follows it */
	unsigned gen;         /* the generation of the process writing it */
	uint64_t bytes;       /* read, all runs */
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

/* Cut what wi's streams hold uncut into its tail rings (before a
 * reader looks at them: tail_of() and the last words do). */
void ward_output_sync(struct ward_inst *wi);

/* Its process ended: read what is left, keep an unended line, close. */
void ward_output_close(struct steward *s, struct ward_inst *wi);

/* The instance is freed: close, and let go of its sinks. */
void ward_output_free(struct steward *s, struct ward_inst *wi);

/* The sink drained: read stream o again. */
void ward_output_resume(struct steward *s, struct ward_output_stream *o);

/* Where a stream of an instance goes (ward_output_dest()). */
enum ward_output_to {
	WARD_OUTPUT_MEMORY,      /* null: kept in its rings only */
	WARD_OUTPUT_WITH_STDOUT, /* stderr = stdout: in the stdout stream */
	WARD_OUTPUT_OWN_FD,      /* stewardd's own stdout or stderr */
	WARD_OUTPUT_FILE,        /* a file */
};

struct ward_output_dest {
	enum ward_output_to to;
	/* WARD_OUTPUT_FILE: the file; NULL for every other: in particular
	 * a config's /dev/stdout, /dev/fd/2, /proc/self/fd/1 ... is
	 * WARD_OUTPUT_OWN_FD, never a file to open (whatever fd 1 is: a
	 * terminal, a container's pipe, stewardd's own log). */
	const char *path;
	/* WARD_OUTPUT_FILE: stewardd writes it (else the ward does: output
	 * = direct, its open failed here, not started yet). */
	bool held;
	int std; /* WARD_OUTPUT_OWN_FD: 1 or 2 */
	/* WARD_OUTPUT_OWN_FD: the name the config gave it, for a person
	 * (supervisord shows it as the log file); NULL when inherited. */
	const char *named;
};

/* Where wi's stream st goes now: the sink it is written to, else (not
 * started, output = direct) what its config says. */
struct ward_output_dest ward_output_dest(const struct ward_inst *wi,
					 enum tail_stream st);

/* Forget wi's kept lines and empty its log files (not their backups):
 * supervisord's clearProcessLogs.  0, or -1 with *errp. */
int ward_output_clear(struct steward *s, struct ward_inst *wi,
		      struct err **errp);

#endif
