/*
 * Groups and escalation, decided (the design is in
 * daemon/steward-deps.c's essay; the effects there).
 *
 * An essential ward that ends failed stops stewardd, unless it is
 * stopping already.  Otherwise a group acts only at the start of a
 * member's heal: the member was starting or running and is now stopping
 * or in backoff, for a cause that asks for healing.  Each such heal
 * takes a token from the group's bucket (when it has a restart limit);
 * an empty bucket fails the group, for good until a person starts it.
 * Then one_for_one leaves the member's heal to its own machine,
 * one_for_all restarts every other member, rest_for_one the members
 * listed after it.
 *
 * Cost: O(1) per decision; ward_group_restarts() is O(1) per member.
 */
#include "core/ward-group.h"

/* See ward-group.h. */
bool
ward_group_heal_cause(enum ward_cause c)
{
	return c == WCAUSE_EXIT || c == WCAUSE_SIGNAL ||
	       c == WCAUSE_SPAWN_FAILED || c == WCAUSE_HEARTBEAT_TIMEOUT ||
	       c == WCAUSE_START_TIMEOUT || c == WCAUSE_TRIGGER ||
	       c == WCAUSE_MEMORY;
}

/* See ward-group.h. */
void
ward_group_decide(struct ward_group_state *g, const struct ward_group_input *in,
		  struct ward_group_out *out)
{
	const struct ward_out *t = in->out;

	*out = (struct ward_group_out){.verdict = WGROUP_NOTHING};
	if (t->to == WARD_FAILED && in->essential) {
		if (!in->shutdown)
			out->verdict = WGROUP_ESCALATE;
		return;
	}
	/* A member must be healed: the start of a heal, not its end. */
	if (g == NULL || in->shutdown || g->failed ||
	    !(t->from == WARD_RUNNING || t->from == WARD_STARTING) ||
	    !(t->to == WARD_STOPPING || t->to == WARD_BACKOFF) ||
	    !ward_group_heal_cause(t->cause))
		return;
	if (g->has_limit && !bucket_take(&g->bucket, in->now)) {
		g->failed = true;
		out->verdict = WGROUP_FAIL;
		out->escalate = g->essential;
		return;
	}
	switch (g->strategy) {
	case GROUP_ONE_FOR_ONE:
		return;
	case GROUP_ONE_FOR_ALL:
		out->verdict = WGROUP_RESTART;
		out->first = 0;
		out->strategy = "one_for_all";
		return;
	case GROUP_REST_FOR_ONE:
		out->verdict = WGROUP_RESTART;
		out->first = in->member + 1;
		out->strategy = "rest_for_one";
		return;
	}
}

/* See ward-group.h. */
bool
ward_group_restarts(const struct ward_group_out *out,
		    const struct ward_group_input *in, size_t k)
{
	return out->verdict == WGROUP_RESTART && k >= out->first &&
	       k != in->member;
}

/* See ward-group.h. */
bool
ward_group_restarts_state(enum ward_state st)
{
	return ward_state_has_process(st) || st == WARD_BACKOFF;
}
