/*
 * Capturing what a job replica writes to stdout (ward-capture.c).
 */
#ifndef STEWARD_WARD_CAPTURE_H
#define STEWARD_WARD_CAPTURE_H

#include <ev.h>
#include <stdint.h>

#include "base/err.h"

struct steward;
struct ward_inst;

/* A replica's captured stdout, embedded in ward_inst as capture. */
struct ward_capture {
	int fd; /* the pipe's read end, or -1 */
	ev_io io;
	struct sbuf buf; /* what it wrote, up to the job's output_limit */
	uint64_t bytes;  /* all it wrote, kept or not */
};

/* Start reading the replica's stdout from fd (the pipe's read end). */
void ward_capture_start(struct steward *s, struct ward_inst *wi, int fd);
/* Read what a job replica wrote to stdout, then close. */
void ward_capture_close(struct steward *s, struct ward_inst *wi);

#endif
