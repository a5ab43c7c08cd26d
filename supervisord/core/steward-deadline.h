/*
 * Heartbeat deadlines: each ward keeps its running instances in a list
 * by last beat, with one timer for the oldest one's deadline
 * (steward-deadline.c has the design).
 */
#ifndef STEWARD_STEWARD_DEADLINE_H
#define STEWARD_STEWARD_DEADLINE_H

#include <ev.h>
#include <stdbool.h>

struct steward;
struct ward_inst;
struct ward_rt;

/* An instance's place on its ward's list, embedded in ward_inst as dl. */
struct ward_dl {
	struct ward_inst *prev, *next;
	bool on; /* it is on the list */
};

/* A ward's list and its timer, embedded in ward_rt as dl. */
struct ward_dl_list {
	struct ward_inst *head, *tail;
	ev_timer timer;
};

/* A ward's heartbeat deadline timer: set up before its instances run,
 * stopped before it is freed (steward_ward_new/free do both). */
void steward_dl_init(struct ward_rt *wr);
void steward_dl_fini(struct steward *s, struct ward_rt *wr);

#endif
