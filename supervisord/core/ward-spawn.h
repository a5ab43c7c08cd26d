/*
 * Spawning an instance's process (ward-spawn.c has the design).
 */
#ifndef STEWARD_WARD_SPAWN_H
#define STEWARD_WARD_SPAWN_H

#include <sys/types.h>

#include "base/err.h"

struct steward;
struct ward_inst;

/* What a child reported before exec failed (embedded in ward_inst). */
struct spawn_report {
	int stage; /* enum spawn_stage, 0: nothing reported */
	int errnum;
	int refusal; /* enum safepath_refusal of an output path */
	uid_t uid;   /* ... and the user who could redirect it */
};

/* heartbeat, report, capture, stdin, stdout and stderr pipe ends */
#define SPAWN_SLOTS 6

/* How ward-spawn.c makes a child (see the top of that file). */
enum spawn_mode {
	SPAWN_FORK_WHOLE, /* fork; no slots: the child keeps its whole table */
	SPAWN_CLONE,      /* clone sharing memory and table, slots used */
	SPAWN_FORK_SLOTS, /* fork (valgrind, clone refused), slots used */
};

/*
 * Reserve the low descriptors spawns put a child's pipe ends in (as
 * early as possible, so that they are low), and give them back.
 */
void ward_spawn_init(struct steward *s);
void ward_spawn_fini(struct steward *s);
/*
 * Note which signals a child must reset: once, after every signal
 * handler of stewardd is in place and before the first spawn (none is
 * added later).
 */
void ward_spawn_note_signals(struct steward *s);
/* Start the instance's process; -1 and *errp on failure. */
int ward_spawn_start(struct steward *s, struct ward_inst *wi,
		     struct err **errp);
/* Read what the child reported about exec (non-blocking). */
void ward_spawn_drain(struct steward *s, struct ward_inst *wi);
/* The wrapped error a failed exec report becomes. */
struct err *ward_spawn_error(const struct ward_inst *wi);
/* Close the report pipe and stop its watcher. */
void ward_spawn_close(struct steward *s, struct ward_inst *wi);
/* Close an fd we own (and set it to -1), checking the result. */
void ward_spawn_close_fd(int *fd);

#endif
