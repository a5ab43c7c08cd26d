/*
 * What a [group:NAME] and essential = do about one member's transition,
 * decided with no system calls (ward-group.c): the group's strategy,
 * its restart limit, escalation.  daemon/steward-deps.c carries the
 * decision out; tests/unit/test-ward-group.c covers it with a clock
 * that moves only when the test says.
 */
#ifndef STEWARD_WARD_GROUP_H
#define STEWARD_WARD_GROUP_H

#include <stdbool.h>
#include <stddef.h>

#include "config/config.h"
#include "core/bucket.h"
#include "core/ward.h"

/* What to do. */
enum ward_group_verdict {
	WGROUP_NOTHING,  /* not the start of a heal, or only the member's */
	WGROUP_ESCALATE, /* an essential ward failed: stewardd stops, exits 1 */
	WGROUP_FAIL,     /* the group's restart limit is spent: stop it */
	WGROUP_RESTART,  /* restart the members ward_group_restarts() says */
};

/* A member's transition, and what the group knows. */
struct ward_group_input {
	const struct ward_out *out; /* the member's transition */
	size_t member;              /* its place in the group (members=) */
	bool essential;             /* the ward, or its group, is essential */
	bool shutdown;              /* stewardd is stopping */
	double now;                 /* monotonic seconds */
};

/* The group's part: its definition, restart bucket and whether failed. */
struct ward_group_state {
	enum group_strategy strategy;
	bool has_limit;       /* restart_limit given: bucket counts */
	bool essential;       /* the group itself is essential */
	bool failed;          /* its limit was spent; stays so */
	struct bucket bucket; /* the group's restart limit */
};

struct ward_group_out {
	enum ward_group_verdict verdict;
	/* WGROUP_FAIL: and escalate (the group is essential). */
	bool escalate;
	/* WGROUP_RESTART: members from first on restart, but the member. */
	size_t first;
	const char *strategy; /* "one_for_all", "rest_for_one" */
};

/*
 * Decide about one member's transition; g->bucket may lose a token and
 * g->failed become true.  A group with no member transition to judge
 * (the ward is in none) passes g = NULL: only escalation applies.
 */
void ward_group_decide(struct ward_group_state *g,
		       const struct ward_group_input *in,
		       struct ward_group_out *out);

/* WGROUP_RESTART: whether member k restarts. */
bool ward_group_restarts(const struct ward_group_out *out,
			 const struct ward_group_input *in, size_t k);

/* Whether an instance in state st is restarted with its group (it has,
 * or is about to have, a process). */
bool ward_group_restarts_state(enum ward_state st);

/* True for a cause that means the ward must be healed (not a person's
 * stop or restart, not stewardd's shutdown). */
bool ward_group_heal_cause(enum ward_cause c);

#endif
