/*
 * Deadlines and timers: each instance's timer, each ward's heartbeat
 * deadline list, and the loop's batching when beats are many.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/log.h"
#include "core/steward.h"
#include "core/steward-internal.h"

static void steward_timer_fire(struct steward *s, struct ward_inst *wi);

/*
 * Heartbeat deadlines: libev's "be smart about timeouts", strategy 4.
 * Every running instance of a ward has the same deadline rule, its last
 * beat plus heartbeat_timeout, so the instances are kept in a list
 * ordered by last beat (a beat moves its instance to the tail: a few
 * pointer writes), and one timer per ward waits for the head's deadline.
 * With a timer per instance (strategy 3, before), each one fired about
 * every 1.5 s at 1 s beats and 2 s timeouts only to be set again: some
 * 6,700 heap operations a second at 10,000 wards, 13% of stewardd's
 * CPU time there (perf).  Now the ward's timer fires about once a
 * second, and pops only the instances whose deadline has passed, each
 * judged as its own timer would have judged it.  The machine says which
 * deadline is the list's: WACT_WATCH puts the instance on it (or moves
 * it to its place), WACT_ARM (an EXTEND_TIMEOUT_USEC extension, or a
 * state other than running) and WACT_DISARM take it off (ward.h).
 */

/* Wait for the head's deadline (or for nothing: an empty list). */
static void
steward_dl_arm(struct steward *s, struct ward_rt *wr)
{
	double after;

	ev_timer_stop(s->loop, &wr->dl.timer);
	if (wr->dl.head == NULL)
		return;
	after = wr->dl.head->sm.last_beat + wr->spec->pol.heartbeat_timeout -
		steward_now();
	ev_timer_set(&wr->dl.timer, after > 0 ? after : 0, 0);
	ev_timer_start(s->loop, &wr->dl.timer);
}

/* Take the instance off its ward's list, if it is on it. */
void
steward_dl_remove(struct ward_inst *wi)
{
	struct ward_rt *wr = wi->ward;

	if (!wi->dl.on)
		return;
	if (wi->dl.prev != NULL)
		wi->dl.prev->dl.next = wi->dl.next;
	else
		wr->dl.head = wi->dl.next;
	if (wi->dl.next != NULL)
		wi->dl.next->dl.prev = wi->dl.prev;
	else
		wr->dl.tail = wi->dl.prev;
	wi->dl.prev = wi->dl.next = NULL;
	wi->dl.on = false;
}

/* Put the instance on its ward's list by its last beat (mostly last). */
static void
steward_dl_insert(struct steward *s, struct ward_inst *wi)
{
	struct ward_rt *wr = wi->ward;
	struct ward_inst *prev = wr->dl.tail;

	while (prev != NULL && prev->sm.last_beat > wi->sm.last_beat)
		prev = prev->dl.prev;
	wi->dl.prev = prev;
	wi->dl.next = prev != NULL ? prev->dl.next : wr->dl.head;
	if (wi->dl.next != NULL)
		wi->dl.next->dl.prev = wi;
	else
		wr->dl.tail = wi;
	if (prev != NULL)
		prev->dl.next = wi;
	else
		wr->dl.head = wi;
	wi->dl.on = true;
	/*
	 * A new head may be due sooner; otherwise the timer waits on.  Not
	 * when it has fired and waits for its callback, which arms it for
	 * the head: stopping it would take the firing back, and with beats
	 * read first in every turn (batching) it would never run.
	 */
	if (ev_is_pending(&wr->dl.timer))
		return;
	if (wr->dl.head == wi || !ev_is_active(&wr->dl.timer))
		steward_dl_arm(s, wr);
}

/* A beat (or an arm): the instance goes to its place, mostly the tail,
 * on the list or onto it (the timer is left as it is). */
void
steward_dl_touch(struct steward *s, struct ward_inst *wi)
{
	if (wi->ward->dl.tail == wi)
		return;
	steward_dl_remove(wi);
	steward_dl_insert(s, wi);
}

static void steward_dl_cb(struct ev_loop *loop, ev_timer *w, int revents);

/* See steward.h. */
void
steward_dl_init(struct ward_rt *wr)
{
	ev_init(&wr->dl.timer, steward_dl_cb);
}

/* See steward.h. */
void
steward_dl_fini(struct steward *s, struct ward_rt *wr)
{
	ev_timer_stop(s->loop, &wr->dl.timer);
}

/* A ward's deadline timer: judge every instance whose deadline passed. */
static void
steward_dl_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct ward_rt *wr = container_of(w, struct ward_rt, dl.timer);
	struct steward *s = wr->steward;
	double now = steward_now();

	(void)loop;
	(void)revents;
	s->in_timer_cb = true; /* see steward_apply's WACT_ARM */
	while (wr->dl.head != NULL &&
	       wr->dl.head->sm.last_beat + wr->spec->pol.heartbeat_timeout <=
		   now) {
		struct ward_inst *wi = wr->dl.head;

		steward_dl_remove(wi);
		steward_timer_fire(s, wi); /* may put it back, later */
	}
	s->in_timer_cb = false;
	steward_dl_arm(s, wr);
}

/*
 * Batching, when beats are many.  Each beat is a wake-up of the loop, and
 * a wake-up costs more than the beat itself: at 10,000 wards beating once
 * a second, most of stewardd's CPU time went to epoll_wait(2).  So once a
 * second the loop looks at how many beats it heard: from STEWARD_BATCH_ON
 * beats a second, it gathers ready pipes for up to 1 ms before it polls
 * and lets timers wait up to 2 ms (libev's collect intervals; epoll
 * counts in whole milliseconds, so the timer interval must exceed the I/O
 * one by one for any sleep to happen), and a wake-up serves many beats;
 * below STEWARD_BATCH_OFF it wakes for each event again.  The price: a
 * deadline is judged up to 2 ms later, and a beat, a death or a signal
 * to stewardd is heard up to 1 ms late (signals come through a signalfd,
 * polled with the pipes: steward_open()).

 *   The look costs a wake-up a second, so it is taken only while beats
 * come: a second without any (wards with heartbeat = none, or none at
 * all) stops the timer, and the next beat heard starts it again
 * (steward_tune_wake()).  An idle stewardd wakes for nothing.
 */
#define STEWARD_BATCH_ON 3000
#define STEWARD_BATCH_OFF 1500

void
steward_tune_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct steward *s = container_of(w, struct steward, tune);
	uint64_t rate = s->beats - s->beats_at_tune;

	(void)revents;
	s->beats_at_tune = s->beats;
	if (!s->batching && rate == 0) {
		ev_timer_stop(loop, w); /* until the next beat */
	} else if (!s->batching && rate >= STEWARD_BATCH_ON) {
		s->batching = true;
		ev_set_io_collect_interval(loop, 0.001);
		ev_set_timeout_collect_interval(loop, 0.002);
	} else if (s->batching && rate < STEWARD_BATCH_OFF) {
		s->batching = false;
		ev_set_io_collect_interval(loop, 0);
		ev_set_timeout_collect_interval(loop, 0);
	}
}

/* A beat was heard: count it, and look at the rate again if idle. */
void
steward_tune_wake(struct steward *s)
{
	s->beats++;
	if (!ev_is_active(&s->tune))
		ev_timer_again(s->loop, &s->tune);
}

/* An instance's timer fired: judge its deadline or step its state. */
static void
steward_timer_fire(struct steward *s, struct ward_inst *wi)
{
	struct ward_input in = {.event = WEV_TIMER, .now = steward_now()};

	if ((wi->sm.state == WARD_RUNNING || wi->sm.state == WARD_STARTING) &&
	    ward_timer_due(&wi->sm, &wi->ward->spec->pol, in.now)) {
		/* Beats that wait in the pipe count before the judgement
		 * (not before a mere re-arm: no syscall per beat for it). */
		ward_beat_poll(s, wi);
		ward_notify_poll(s, wi);
		ward_output_poll(s, wi); /* its last words, if judged */
		if (wi->sm.state != WARD_RUNNING &&
		    wi->sm.state != WARD_STARTING)
			return; /* a message there changed its state */
	}
	steward_step_input(s, wi, &in);
}

void
steward_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct ward_inst *wi = container_of(w, struct ward_inst, timer);
	struct steward *s = wi->ward->steward;

	(void)loop;
	(void)revents;
	s->in_timer_cb = true; /* see steward_apply's WACT_ARM */
	steward_timer_fire(s, wi);
	s->in_timer_cb = false;
}
