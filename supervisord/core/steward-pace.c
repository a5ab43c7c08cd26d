/*
 * Pacing: big starts in slices, and the loop's own latency.
 *
 * A spawn costs the loop about half a millisecond (fork or clone, and
 * the parent's share of exec); 10,000 of them in one go held the loop
 * for 6-7 s, in which no control client was answered and no beat was
 * heard.  A stop costs less, but signalling 10,000 process groups held
 * it over a second.  So a start of many (stewardd's autostart, `start`,
 * the wards a reload adds, the wards a dependency releases) and a stop
 * of many (`stop`, the wards a reload removes or changes, a level of
 * stewardd's shutdown) do not act at once: they queue the instance
 * here, and the feeder carries out the queued orders in order, one
 * slice per loop iteration, each slice ending once the iteration has
 * worked STEWARD_PACE_SLICE seconds since its poll returned
 * (steward_pace_spent(): the beats read and the requests answered
 * first count too), after one order at least.
 * Between slices the loop polls: beats are read and judged, control
 * clients answered, dead wards healed.
 *
 * Deaths come in storms too (a stop of many, a reload's removal, a
 * killed process group of wards): steward-reap.c handles none past the
 * iteration's slice, and queues the pids here instead; the feeder asks
 * about them first, before any order, as its slices allow.
 *
 * An idle watcher keeps the poll from sleeping while anything is
 * queued, so the slices follow each other back to back and a start of
 * many takes about what its spawns take.
 *
 * The feeder is an ev_check watcher at the lowest priority: it runs
 * after the iteration's beats, signals and control requests, and before
 * the next poll.  A queued instance is as it was until its turn; any
 * other order given to it first (steward_step_why(): a person's start,
 * a group's restart) takes it off the queue, so a queued order never
 * undoes a later one (a stop's wait that a start replaced so is
 * answered at once: ctl_judge()).  Its own events (beats, an exit) do not: a
 * queued stop still stops a ward that died meanwhile and is in backoff.  An
 * instance freed while queued leaves an empty slot.
 *
 * The loop's latency is measured here too: an ev_check at the highest
 * priority stamps the end of each poll, the ev_prepare before the next
 * poll the end of the work, and the difference (how long the loop went
 * without looking at its descriptors) goes into a histogram by powers
 * of two, with its maximum.  The same gap is also counted in the loop
 * thread's CPU time (CLOCK_THREAD_CPUTIME_ID): on a loaded machine the
 * wall-clock gap holds the time others had the CPU, the CPU gap only
 * what stewardd itself did without looking.  The health reply shows
 * them ("loop"), and the benchmark reads them.
 *
 * Cost: O(1) per queued start or death (a slot in a growing vector, the
 * room doubling); four clock reads per loop iteration for the latency.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/steward-internal.h"
#include "core/steward.h"

/* A slice ends once the loop iteration has worked this long (seconds). */
#define STEWARD_PACE_SLICE 0.005
/* The feeder's own share of an iteration, at least (seconds). */
#define STEWARD_PACE_MIN 0.001

/* Has this iteration worked a slice already?  See steward-pace.h. */
bool
steward_pace_spent(const struct steward *s)
{
	return s->woke_at > 0 &&
	       steward_now() - s->woke_at >= STEWARD_PACE_SLICE;
}

/* Wake the feeder: the loop polls without sleeping while it has work. */
static void
pace_wake(struct steward *s)
{
	struct steward_pace *p = &s->pace;

	if (!ev_is_active(&p->feed)) {
		ev_check_start(s->loop, &p->feed);
		ev_idle_start(s->loop, &p->busy);
	}
}

/* May work begun at t0 go on?  See steward-pace.h. */
bool
steward_pace_more(const struct steward *s, double t0)
{
	double now = steward_now();

	return now - t0 < STEWARD_PACE_MIN || s->woke_at == 0 ||
	       now - s->woke_at < STEWARD_PACE_SLICE;
}

/*
 * Deaths first (a restart waits on each), then queued orders, while
 * steward_pace_more() says so: at least one of either.
 */
static void
pace_feed_cb(struct ev_loop *loop, ev_check *w, int revents)
{
	struct steward *s = container_of(w, struct steward, pace.feed);
	struct steward_pace *p = &s->pace;
	double t0 = steward_now(), t1;
	unsigned n = 0;
	bool more = true;

	(void)loop;
	(void)revents;
	while (p->dhead < p->dtail && more) {
		steward_child_late(s, p->deaths[p->dhead++]);
		more = steward_pace_more(s, t0);
	}
	if (p->dhead == p->dtail)
		p->dhead = p->dtail = 0;
	t1 = steward_now();
	while (p->head < p->tail && more) {
		struct pace_entry *e = &p->q[p->head++];
		struct ward_inst *wi = e->wi;

		if (wi == NULL)
			continue; /* freed or ordered otherwise while queued */
		wi->pace_slot = 0;
		p->queued--;
		if (s->stopping && e->kind != PACE_SHUTDOWN)
			continue; /* the shutdown stops everything itself */
		if (e->kind == PACE_SHUTDOWN)
			steward_step(s, wi, WEV_SHUTDOWN);
		else if (e->kind == PACE_START)
			steward_order_start(s, wi);
		else if (e->why == NULL)
			steward_order_stop(s, wi);
		else
			steward_step_why(s, wi, WEV_STOP, e->why);
		/* Waits on it judge again: an order that changed nothing
		 * (a start of a running ward) makes no transition. */
		steward_tell_order_done(s, wi);
		n++;
		more = steward_pace_more(s, t0);
	}
	if (n > 0) {
		/* What a start costs, for callers that wait on many. */
		double each = (steward_now() - t1) / n;

		p->cost = p->cost == 0 ? each : 0.9 * p->cost + 0.1 * each;
	}
	if (p->head == p->tail) {
		p->head = p->tail = 0;
		if (!s->autostarted) {
			s->autostarted = true;
			steward_tell_autostarted(s);
		}
	}
	if (p->head == p->tail && p->dhead == p->dtail) {
		ev_check_stop(s->loop, &p->feed);
		ev_idle_stop(s->loop, &p->busy);
	}
}

/* Are deaths waiting for a slice?  See steward-pace.h. */
bool
steward_pace_deaths(const struct steward *s)
{
	return s->pace.dhead < s->pace.dtail;
}

/* A death to ask about in a later slice; see steward-pace.h. */
void
steward_pace_death(struct steward *s, pid_t pid)
{
	struct steward_pace *p = &s->pace;

	if (p->dtail == p->dcap) {
		p->dcap = p->dcap ? p->dcap * 2 : 64;
		p->deaths = xrealloc(p->deaths, p->dcap * sizeof(*p->deaths));
	}
	p->deaths[p->dtail++] = pid;
	pace_wake(s);
}

/* Only there so the loop polls without sleeping while starts wait. */
static void
pace_busy_cb(struct ev_loop *loop, ev_idle *w, int revents)
{
	(void)loop;
	(void)w;
	(void)revents;
}

/* The loop thread's CPU time (seconds), or -1. */
static double
pace_cpu_now(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) == -1)
		return -1;
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Count a gap (seconds) into a histogram by powers of two of 1 ms. */
static void
pace_count(uint64_t *hist, double gap, double *max, double *recent)
{
	unsigned b = 0;
	double edge = 0.001;

	while (b + 1 < STEWARD_LOOP_BUCKETS && gap >= edge) {
		b++;
		edge *= 2;
	}
	hist[b]++;
	if (gap > *max)
		*max = gap;
	if (gap > *recent)
		*recent = gap;
}

/* The poll returned: the loop is at work from now. */
static void
pace_woke_cb(struct ev_loop *loop, ev_check *w, int revents)
{
	struct steward_pace *p = container_of(w, struct steward_pace, woke);

	(void)loop;
	(void)revents;
	p->woke_at = steward_now();
	p->woke_cpu = pace_cpu_now();
}

/* The loop is about to poll: how long did it work without looking? */
static void
pace_sleep_cb(struct ev_loop *loop, ev_prepare *w, int revents)
{
	struct steward_pace *p = container_of(w, struct steward_pace, sleep);
	double cpu;

	(void)loop;
	(void)revents;
	if (p->woke_at == 0)
		return;
	pace_count(p->gaps, steward_now() - p->woke_at, &p->gap_max,
		   &p->gap_recent);
	p->woke_at = 0;
	p->iterations++;
	if (p->woke_cpu >= 0 && (cpu = pace_cpu_now()) >= 0)
		pace_count(p->cpu_gaps, cpu - p->woke_cpu, &p->cpu_gap_max,
			   &p->cpu_gap_recent);
}

/* Set up the queue and the latency watchers; see steward.h. */
void
steward_pace_init(struct steward *s)
{
	struct steward_pace *p = &s->pace;

	ev_check_init(&p->feed, pace_feed_cb);
	ev_set_priority(&p->feed, EV_MINPRI);
	ev_idle_init(&p->busy, pace_busy_cb);
	ev_set_priority(&p->busy, EV_MINPRI);
	ev_check_init(&p->woke, pace_woke_cb);
	ev_set_priority(&p->woke, EV_MAXPRI);
	ev_prepare_init(&p->sleep, pace_sleep_cb);
	ev_set_priority(&p->sleep, EV_MINPRI);
	/* Measuring must not keep the loop running. */
	ev_check_start(s->loop, &p->woke);
	ev_unref(s->loop);
	ev_prepare_start(s->loop, &p->sleep);
	ev_unref(s->loop);
}

/* Stop the watchers and forget the queue; see steward.h. */
void
steward_pace_fini(struct steward *s)
{
	struct steward_pace *p = &s->pace;

	for (size_t i = p->head; i < p->tail; i++)
		if (p->q[i].wi != NULL)
			p->q[i].wi->pace_slot = 0;
	ev_check_stop(s->loop, &p->feed);
	ev_idle_stop(s->loop, &p->busy);
	ev_ref(s->loop);
	ev_check_stop(s->loop, &p->woke);
	ev_ref(s->loop);
	ev_prepare_stop(s->loop, &p->sleep);
	free(p->q);
	p->q = NULL;
	p->head = p->tail = p->cap = p->queued = 0;
	free(p->deaths);
	p->deaths = NULL;
	p->dhead = p->dtail = p->dcap = 0;
}

/* Queue an order for the feeder; a later one replaces an earlier. */
static void
pace_queue(struct steward *s, struct ward_inst *wi, enum pace_kind kind,
	   const char *why)
{
	struct steward_pace *p = &s->pace;

	if (wi->pace_slot != 0) {
		struct pace_entry *e = &p->q[wi->pace_slot - 1];

		if (e->kind == kind && e->why == why)
			return; /* queued already: keeps its place */
		steward_pace_cancel(s, wi);
	}
	if (p->tail == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 64;
		p->q = xrealloc(p->q, p->cap * sizeof(*p->q));
	}
	p->q[p->tail++] =
	    (struct pace_entry){.wi = wi, .kind = kind, .why = why};
	wi->pace_slot = p->tail; /* index + 1 */
	p->queued++;
	pace_wake(s);
}

/* Queue a start for the feeder; see steward.h. */
void
steward_pace_start(struct steward *s, struct ward_inst *wi)
{
	pace_queue(s, wi, PACE_START, NULL);
}

/* Queue a stop for the feeder; see steward.h. */
void
steward_pace_stop(struct steward *s, struct ward_inst *wi, const char *why)
{
	pace_queue(s, wi, PACE_STOP, why);
}

/* Queue a shutdown step for the feeder; see steward-pace.h. */
void
steward_pace_shutdown(struct steward *s, struct ward_inst *wi)
{
	pace_queue(s, wi, PACE_SHUTDOWN, NULL);
}

/* Take an instance off the queue, if it is on it; see steward.h. */
bool
steward_pace_cancel(struct steward *s, struct ward_inst *wi)
{
	struct steward_pace *p = &s->pace;

	if (wi->pace_slot == 0)
		return false;
	p->q[wi->pace_slot - 1].wi = NULL;
	wi->pace_slot = 0;
	p->queued--;
	return true;
}

/* Seconds the queued starts will take, at the cost seen; steward.h. */
double
steward_pace_eta(const struct steward *s)
{
	const struct steward_pace *p = &s->pace;

	return (double)p->queued * (p->cost > 0 ? p->cost : 0.001);
}

/* One histogram of gaps as a JSON array. */
static void
pace_hist_json(struct sbuf *b, const uint64_t *hist)
{
	double edge = 1;

	sbuf_add(b, "[", 1);
	for (unsigned i = 0; i < STEWARD_LOOP_BUCKETS; i++) {
		if (i + 1 < STEWARD_LOOP_BUCKETS)
			sbuf_addf(b, "%s{\"below_ms\":%g,\"n\":%llu}",
				  i ? "," : "", edge,
				  (unsigned long long)hist[i]);
		else
			sbuf_addf(b, ",{\"below_ms\":null,\"n\":%llu}",
				  (unsigned long long)hist[i]);
		edge *= 2;
	}
	sbuf_add(b, "]", 1);
}

/* The loop's latency as JSON fields; see steward.h. */
void
steward_pace_json(struct steward *s, struct sbuf *b)
{
	struct steward_pace *p = &s->pace;

	sbuf_addf(b,
		  "\"loop\":{\"iterations\":%llu,\"gap_max_ms\":%.3f,"
		  "\"gap_recent_max_ms\":%.3f,\"cpu_gap_max_ms\":%.3f,"
		  "\"cpu_gap_recent_max_ms\":%.3f,\"starts_queued\":%zu,"
		  "\"deaths_queued\":%zu,\"gaps\":",
		  (unsigned long long)p->iterations, p->gap_max * 1000,
		  p->gap_recent * 1000, p->cpu_gap_max * 1000,
		  p->cpu_gap_recent * 1000, p->queued, p->dtail - p->dhead);
	/* the next reply: the longest since this one */
	p->gap_recent = p->cpu_gap_recent = 0;
	pace_hist_json(b, p->gaps);
	sbuf_add(b, ",\"cpu_gaps\":", 12);
	pace_hist_json(b, p->cpu_gaps);
	sbuf_add(b, "}", 1);
}
