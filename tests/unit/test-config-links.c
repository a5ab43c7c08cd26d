/*
 * Unit tests of the config reader: what refers to wards by name: requires,
 * after, groups, and names wards, jobs and groups may not share.
 */
#include <grp.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config/config.h"
#include "proto/listener-proto.h"
#include "test-config.h"

/* requires/after name wards; cycles and unknown names are errors. */
static void
test_dependencies_and_groups_are_checked(void **state)
{
	struct load *l = &the_load;
	const struct ward_spec *w;

	load(l, "deps.ini",
	     "[ward:web]\ncommand = /bin/true\nrequires = db, cache\n"
	     "after = log\nessential = yes\n"
	     "[ward:db]\ncommand = /bin/true\n"
	     "[ward:cache]\ncommand = /bin/true\n"
	     "[ward:log]\ncommand = /bin/true\n"
	     "[group:front]\nwards = web cache\nstrategy = rest_for_one\n"
	     "restart_limit = 3/1m\n");
	expect_counts(l, 0, 0);
	w = config_ward(l->c, "web");
	assert_int_equal(w->nrequires, 2);
	assert_string_equal(w->requires[1], "cache");
	assert_int_equal(w->nafter, 1);
	assert_true(w->essential);
	assert_int_equal(l->c->ngroups, 1);
	assert_int_equal(l->c->groups[0].strategy, GROUP_REST_FOR_ONE);
	assert_int_equal(l->c->groups[0].nmembers, 2);
	assert_true(l->c->groups[0].has_limit);
	unload(l);

	load(l, "cycle.ini",
	     "[ward:a]\ncommand = /bin/true\nrequires = b\n"
	     "[ward:b]\ncommand = /bin/true\nafter = c\n"
	     "[ward:c]\ncommand = /bin/true\nrequires = a ghost\n"
	     "[group:g]\nwards = a nobody\nstrategy = all\n"
	     "[group:h]\nwards = a\n");
	expect_counts(l, 5, 0);
	expect_problem(l, 0, CONFIG_ERROR,
		       "FILE:1: a cycle of requires/after: a -> b -> c -> a; "
		       "no ward of it could ever start");
	expect_problem(l, 1, CONFIG_ERROR,
		       "FILE:9: [ward:c] requires = ghost: no ward has that "
		       "name");
	expect_problem(l, 2, CONFIG_ERROR,
		       "FILE:11: [group:g] nobody: no ward or program has that "
		       "name");
	expect_problem(l, 3, CONFIG_ERROR,
		       "FILE:12: [group:g] strategy = \"all\": expected "
		       "one_for_one, one_for_all or rest_for_one");
	expect_problem(l, 4, CONFIG_ERROR,
		       "FILE:14: [group:h] a is already a member of [group:g]; "
		       "a ward belongs to one group");
	unload(l);
}

/*
 * A word stewardctl gives a meaning ("all", a leading '-') names nothing,
 * and a ward, a job and a group may not share a name.
 */
static void
test_reserved_and_shared_names_are_errors(void **state)
{
	struct load *l = &the_load;

	load(l, "reserved.ini",
	     "[ward:all]\ncommand = /bin/true\n\n"
	     "[job:-h]\ncommand = /bin/true\n\n"
	     "[ward:web]\ncommand = /bin/true\n\n"
	     "[group:web]\nwards = all\n\n"
	     "[job:db]\ncommand = /bin/true\n\n"
	     "[group:db]\nwards = w2\n\n"
	     "[ward:w2]\ncommand = /bin/true\n\n"
	     "[group:all]\nwards = web\n\n"
	     "[program:-x]\ncommand = /bin/true\n");
	expect_counts(l, 7, 0);
	expect_problem(l, 0, CONFIG_ERROR,
		       "FILE:1: \"all\" cannot name a ward, job or group: "
		       "stewardctl reads it as every ward (stop all); choose "
		       "another name");
	expect_problem(l, 1, CONFIG_ERROR,
		       "FILE:4: \"-h\" cannot name a ward, job or group: "
		       "stewardctl reads a word that starts with '-' as an "
		       "option; choose another name");
	expect_problem(l, 2, CONFIG_ERROR,
		       "FILE:10: [group:web] has the name of [ward:web] "
		       "(FILE:7); a ward, a job and a group may not share a "
		       "name, or stewardctl could not tell which one a "
		       "command means");
	expect_problem(l, 3, CONFIG_ERROR,
		       "FILE:16: [group:db] has the name of [job:db] "
		       "(FILE:13); a ward, a job and a group may not share a "
		       "name, or stewardctl could not tell which one a "
		       "command means");
	expect_problem(l, 4, CONFIG_ERROR,
		       "FILE:22: \"all\" cannot name a ward, job or group: "
		       "stewardctl reads it as every ward (stop all); choose "
		       "another name");
	expect_problem(l, 5, CONFIG_ERROR,
		       "FILE:22: [group:all] has the name of [ward:all] "
		       "(FILE:1); a ward, a job and a group may not share a "
		       "name, or stewardctl could not tell which one a "
		       "command means");
	expect_problem(l, 6, CONFIG_ERROR,
		       "FILE:25: \"-x\" cannot name a ward, job or group: "
		       "stewardctl reads a word that starts with '-' as an "
		       "option; choose another name");
	unload(l);
}

const struct CMUnitTest test_config_links[] = {
    cmocka_unit_test_teardown(test_dependencies_and_groups_are_checked,
			      load_teardown),
    cmocka_unit_test_teardown(test_reserved_and_shared_names_are_errors,
			      load_teardown),
};
const size_t test_config_links_n =
    sizeof(test_config_links) / sizeof(test_config_links[0]);
