/*
 * The core's listener list (steward-events.h): subscribers, told in the
 * order they subscribed, and the one order policy.
 */
#include <stdlib.h>

#include "base/err.h"
#include "core/steward-events.h"
#include "core/steward-internal.h"
#include "core/steward.h"

/* Subscribe ev with ctx; see steward-events.h. */
void
steward_subscribe(struct steward *s, const struct steward_events *ev, void *ctx)
{
	s->subs = xrealloc(s->subs, (s->nsubs + 1) * sizeof(*s->subs));
	s->subs[s->nsubs++] = (struct steward_sub){.ev = ev, .ctx = ctx};
}

/* Forget every subscriber; see steward-events.h. */
void
steward_unsubscribe_all(struct steward *s)
{
	free(s->subs);
	s->subs = NULL;
	s->nsubs = 0;
}

/* Set the order policy; see steward-events.h. */
void
steward_set_orders(struct steward *s, const struct steward_orders *o)
{
	s->orders = o;
}

/* Settle before the loop next sleeps; see steward-events.h. */
void
steward_settle_arm(struct steward *s)
{
	s->settle_armed = true;
	ev_prepare_start(s->loop, &s->settle);
}

/* Call member m of every subscriber that has it, with the arguments. */
#define TELL(s, m, ...)                                                        \
	do {                                                                   \
		for (size_t i_ = 0; i_ < (s)->nsubs; i_++)                     \
			if ((s)->subs[i_].ev->m != NULL)                       \
				(s)->subs[i_].ev->m((s)->subs[i_].ctx, (s),    \
						    __VA_ARGS__);              \
	} while (0)
#define TELL0(s, m)                                                            \
	do {                                                                   \
		for (size_t i_ = 0; i_ < (s)->nsubs; i_++)                     \
			if ((s)->subs[i_].ev->m != NULL)                       \
				(s)->subs[i_].ev->m((s)->subs[i_].ctx, (s));   \
	} while (0)

void
steward_tell_record(struct steward *s, struct ward_inst *wi,
		    const struct ward_out *out, const struct ward_input *in)
{
	TELL(s, record, wi, out, in);
}

void
steward_tell_transition(struct steward *s, struct ward_inst *wi,
			const struct ward_out *out, const struct ward_input *in)
{
	TELL(s, transition, wi, out, in);
}

void
steward_tell_order_done(struct steward *s, struct ward_inst *wi)
{
	TELL(s, order_done, wi);
}

unsigned
steward_tell_spawn_pipes(struct steward *s, struct ward_inst *wi)
{
	unsigned want = 0;

	for (size_t i = 0; i < s->nsubs; i++)
		if (s->subs[i].ev->spawn_pipes != NULL)
			want |=
			    s->subs[i].ev->spawn_pipes(s->subs[i].ctx, s, wi);
	return want;
}

void
steward_tell_spawned(struct steward *s, struct ward_inst *wi,
		     struct steward_pipes *p)
{
	TELL(s, spawned, wi, p);
}

void
steward_tell_ended(struct steward *s, struct ward_inst *wi)
{
	TELL(s, ended, wi);
}

void
steward_tell_ward_new(struct steward *s, struct ward_rt *wr)
{
	TELL(s, ward_new, wr);
}

void
steward_tell_ward_free(struct steward *s, struct ward_rt *wr)
{
	TELL(s, ward_free, wr);
}

void
steward_tell_inst_free(struct steward *s, struct ward_inst *wi)
{
	TELL(s, inst_free, wi);
}

void
steward_tell_settle(struct steward *s)
{
	TELL0(s, settle);
}

void
steward_tell_reload(struct steward *s, const char *why)
{
	TELL(s, reload, why);
}

void
steward_tell_shutdown(struct steward *s)
{
	TELL0(s, shutdown);
}

bool
steward_tell_busy(struct steward *s)
{
	for (size_t i = 0; i < s->nsubs; i++)
		if (s->subs[i].ev->busy != NULL &&
		    s->subs[i].ev->busy(s->subs[i].ctx, s))
			return true;
	return false;
}

void
steward_tell_autostarted(struct steward *s)
{
	TELL0(s, autostarted);
}

/* Start wi as the policy does, or with a plain start. */
void
steward_order_start(struct steward *s, struct ward_inst *wi)
{
	if (s->orders != NULL && s->orders->start != NULL)
		s->orders->start(s, wi);
	else
		steward_step(s, wi, WEV_START);
}

/* Stop wi as the policy does, or with a plain stop. */
void
steward_order_stop(struct steward *s, struct ward_inst *wi)
{
	if (s->orders != NULL && s->orders->stop != NULL)
		s->orders->stop(s, wi);
	else
		steward_step(s, wi, WEV_STOP);
}

/* May wr stop now, in shutdown's order? */
bool
steward_order_may_stop(struct steward *s, const struct ward_rt *wr)
{
	if (s->orders != NULL && s->orders->may_stop != NULL)
		return s->orders->may_stop(wr);
	return true;
}
