/*
 * Dependencies and groups: requires=, after=, [group:] strategies
 * (steward-deps.c).
 */
#ifndef STEWARD_STEWARD_DEPS_H
#define STEWARD_STEWARD_DEPS_H

#include <stdbool.h>
#include <stddef.h>

#include "core/steward-events.h"
#include "core/bucket.h"
#include "core/ward-group.h"
#include "core/ward.h"

struct steward;
struct ward_inst;
struct ward_rt;
struct group_spec;

/* A [group:NAME] at run time. */
struct group_rt {
	const struct group_spec *spec;
	struct ward_rt **members;
	size_t nmembers;
	struct ward_group_state st; /* strategy, bucket, failed */
};

/* Resolve requires/after/groups by name (after build and after every
 * reload). */
void steward_deps_link(struct steward *s);
/* Start an instance once what it requires is ready (starting what it
 * requires first). */
void steward_deps_start(struct steward *s, struct ward_inst *wi);
/* Stop an instance once its dependents are down. */
void steward_deps_stop_after(struct steward *s, struct ward_inst *wi);
/* The wards that would go down with wr (transitively), live ones only;
 * a malloc'd vector and its length. */
size_t steward_deps_dependents(struct steward *s, struct ward_rt *wr,
			       struct ward_rt ***out);
/* May wr stop now (its dependents are down)? */
bool steward_deps_may_stop(const struct ward_rt *wr);
/* A transition: group strategies, escalation. */
void steward_deps_transition(struct steward *s, struct ward_inst *wi,
			     const struct ward_out *out);
/* Start or stop what was waiting and now may. */
void steward_deps_settle(struct steward *s);
/* Free the links. */
void steward_deps_free(struct steward *s);

/* What dependencies hear of the core (steward-events.h): transitions
 * (group strategies, escalation) and settles. */
extern const struct steward_events deps_events;
/* How the daemon starts and stops an instance: dependencies first. */
extern const struct steward_orders deps_orders;

#endif
