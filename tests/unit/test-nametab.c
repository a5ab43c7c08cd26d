/*
 * Unit tests for the name table: what is put is found, a second put of a
 * name keeps the first value, and growth keeps every entry.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "base/nametab.h"

/* An empty table finds nothing and frees cleanly. */
static void
test_empty(void **state __attribute__((unused)))
{
	struct nametab t = {0};

	assert_int_equal(nametab_get(&t, "web"), -1);
	nametab_free(&t);
	assert_int_equal(nametab_get(&t, ""), -1);
}

/* A name is found with its value; a second put keeps the first. */
static void
test_put_get_duplicate(void **state __attribute__((unused)))
{
	struct nametab t = {0};

	assert_int_equal(nametab_put(&t, "web", 3), -1);
	assert_int_equal(nametab_put(&t, "db", 7), -1);
	assert_int_equal(nametab_get(&t, "web"), 3);
	assert_int_equal(nametab_get(&t, "db"), 7);
	assert_int_equal(nametab_get(&t, "we"), -1);
	assert_int_equal(nametab_get(&t, "webb"), -1);
	assert_int_equal(nametab_put(&t, "web", 9), 3);
	assert_int_equal(nametab_get(&t, "web"), 3);
	assert_int_equal(t.n, 2);
	nametab_free(&t);
}

/* Many names, through many doublings: each keeps its own value. */
static void
test_growth(void **state __attribute__((unused)))
{
	enum { N = 50000 };
	struct nametab t = {0};
	char(*names)[16] = calloc(N, sizeof(*names));

	assert_non_null(names);
	for (size_t i = 0; i < N; i++) {
		snprintf(names[i], sizeof(names[i]), "w%zu", i);
		assert_int_equal(nametab_put(&t, names[i], i), -1);
	}
	assert_int_equal(t.n, N);
	assert_true(t.cap >= 2 * N);
	for (size_t i = 0; i < N; i++)
		assert_int_equal(nametab_get(&t, names[i]), (ssize_t)i);
	assert_int_equal(nametab_get(&t, "w50000"), -1);
	nametab_free(&t);
	free(names);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_empty),
	    cmocka_unit_test(test_put_get_duplicate),
	    cmocka_unit_test(test_growth),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
