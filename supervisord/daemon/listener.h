/*
 * supervisord's event listeners ([eventlistener:NAME]) at run time.
 *
 * An [eventlistener:NAME] is a ward whose instances (numprocs) form a
 * pool with one buffer of events (buffer_size, default 10; when full,
 * the oldest event is dropped and the drop reported).  An event is put
 * in every pool that subscribes to it (events=); a pool sends its oldest
 * event to one instance that is running and has said READY, and the
 * next only when that one answered: supervisord's rules
 * (supervisor/process.py, EventListenerPool).  A rejected event (a
 * RESULT other than OK), or one whose listener ended before it
 * answered, goes back to the head of the buffer.
 *
 * Each instance's stdin and stdout are pipes that stewardd's loop writes
 * and reads without ever blocking: an instance holds at most the one
 * envelope it was sent, and what it writes is read into a bounded buffer
 * (listener-proto.h), so a listener that stops reading or floods its
 * stdout costs stewardd a few KiB and never stalls the loop.
 *
 * Every event sent to a pool is also written to the event log
 * ("listener_event"), and so are drops, rejections and broken protocols.
 */
#ifndef STEWARD_LISTENER_H
#define STEWARD_LISTENER_H

#include <stdbool.h>
#include "core/steward-events.h"

struct steward;
struct ward_rt;
struct ward_inst;
struct ward_out;
struct ward_input;

/* A ward that is a listener gets its pool (steward_ward_new). */
void listener_ward_new(struct steward *s, struct ward_rt *wr);
/* Its pool goes (steward_ward_free). */
void listener_ward_free(struct steward *s, struct ward_rt *wr);
/* Everything goes (stewardd's exit). */
void listener_fini(struct steward *s);

/* A listener instance was spawned with these pipe ends (stewardd's). */
void listener_attach(struct steward *s, struct ward_inst *wi, int in_w,
		     int out_r);
/* Its process ended, or the instance goes: close its pipes, put the
 * event it did not answer back in the buffer, and (dispatch) send it to
 * another instance that is ready. */
void listener_detach(struct steward *s, struct ward_inst *wi, bool dispatch);

/* A logged transition of any instance: PROCESS_STATE_* events. */
void listener_transition(struct steward *s, struct ward_inst *wi,
			 const struct ward_out *out,
			 const struct ward_input *in);

/* stewardd is up (running) or stopping: SUPERVISOR_STATE_CHANGE_*. */
void listener_supervisor(struct steward *s, bool running);

/* What eventlisteners hear of the core (steward-events.h): every
 * record, their own processes' pipes, spawns, ends and lifetimes. */
extern const struct steward_events listener_events;

#endif
