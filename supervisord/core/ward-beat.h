/*
 * Hearing an instance's heartbeat pipe (ward-beat.c).
 */
#ifndef STEWARD_WARD_BEAT_H
#define STEWARD_WARD_BEAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ev.h>

#include "proto/ward-proto.h"

struct steward;
struct ward_inst;

/* An instance's heartbeat channel, embedded in ward_inst as beat. */
struct ward_beat {
	int fd; /* heartbeat pipe, read end, or -1 */
	ev_io io;
	struct proto_framer framer;
	/* protocol errors, reported at most once per interval */
	uint64_t bad_lines;
	uint64_t bad_unreported;
	double bad_reported_at;
	char bad_why[128]; /* the last one's reason (a copy: callers' may
			      live on their stack) */
	/* how much earlier than stamped its last beat may have been
	   written (steward_beat_doubt), 0 when none was read */
	double doubt;
};

/* Start hearing the instance's heartbeat pipe (fd). */
void ward_beat_start(struct steward *s, struct ward_inst *wi, int fd);
/* Read what is left in the pipe, then close it. */
void ward_beat_close(struct steward *s, struct ward_inst *wi);
/* Read waiting beats before a deadline is judged. */
void ward_beat_poll(struct steward *s, struct ward_inst *wi);
/* Act on one protocol message from another channel. */
void ward_beat_message(struct steward *s, struct ward_inst *wi, const char *msg,
		       size_t len, bool dead);
/* Count and report (rate-limited) one bad message. */
void ward_beat_invalid(struct steward *s, struct ward_inst *wi, const char *why,
		       const char *sample, size_t len);

#endif
