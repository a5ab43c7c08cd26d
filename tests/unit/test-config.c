/*
 * Unit tests for the config reader (supervisord/config/): the helpers the
 * test files share (test-config.h) and main, which runs each file's group:
 * test-config-reader.c, -keys.c, -links.c and -supervisord.c.
 *
 * Each test writes its file into a directory made with mkdtemp() under
 * /tmp, calls config_load() and checks either the config it returns or
 * the exact problems it reports.  Problem messages start with the file's
 * path, so the expected texts below write "FILE" for it.
 *
 * The loader runs on Debian's libinih, whose line buffer is 200 bytes:
 * several tests use values much longer than that and compare them whole.
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

/* The directory every test writes its file into. */
char test_dir[64];

/*
 * The load of the running test.  A test that fails in the middle leaves it
 * loaded; the teardown frees it, so failures do not show up as leaks.
 */
struct load the_load;
static bool the_load_live;

/* Make the temporary directory for the whole group. */
static int
group_setup(void **state)
{
	snprintf(test_dir, sizeof(test_dir), "/tmp/test-config-XXXXXX");
	return mkdtemp(test_dir) == NULL ? -1 : 0;
}

/* Remove the temporary directory (each test removed its file). */
static int
group_teardown(void **state)
{
	return rmdir(test_dir);
}

/* Write len bytes of text to name in the test directory and load it. */
void
load_n(struct load *l, const char *name, const char *text, size_t len)
{
	FILE *f;

	memset(l, 0, sizeof(*l));
	snprintf(l->path, sizeof(l->path), "%s/%s", test_dir, name);
	f = fopen(l->path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	l->c = config_load(l->path, &l->rep);
	the_load_live = true;
}

/* Write a C string to name and load it. */
void
load(struct load *l, const char *name, const char *text)
{
	load_n(l, name, text, strlen(text));
}

/* Free what a load made and remove its file. */
void
unload(struct load *l)
{
	config_free(l->c);
	config_report_free(&l->rep);
	unlink(l->path);
	memset(l, 0, sizeof(*l));
	the_load_live = false;
}

/* After each test: free a load a failed test left behind. */
int
load_teardown(void **state)
{
	if (the_load_live)
		unload(&the_load);
	return 0;
}

/* Print every problem, to explain a failure. */
void
dump(const struct load *l)
{
	for (size_t i = 0; i < l->rep.n; i++)
		print_message("  problem %zu: %s\n", i, l->rep.v[i].msg);
}

/* The report holds exactly this many errors and warnings. */
void
expect_counts(const struct load *l, size_t errors, size_t warnings)
{
	if (l->rep.errors != errors || l->rep.warnings != warnings ||
	    l->rep.n != errors + warnings) {
		dump(l);
		fail_msg("%zu errors and %zu warnings (%zu problems), expected "
			 "%zu and %zu",
			 l->rep.errors, l->rep.warnings, l->rep.n, errors,
			 warnings);
	}
	if (errors > 0)
		assert_null(l->c);
	else
		assert_non_null(l->c);
}

/* Problem i has this severity and reads tmpl with FILE as the path. */
void
expect_problem(const struct load *l, size_t i, enum config_severity sev,
	       const char *tmpl)
{
	char want[8192];
	size_t n = 0;

	for (const char *p = tmpl; *p != '\0' && n + 1 < sizeof(want);) {
		if (strncmp(p, "FILE", 4) == 0) {
			n += (size_t)snprintf(want + n, sizeof(want) - n, "%s",
					      l->path);
			p += 4;
		} else {
			want[n++] = *p++;
		}
	}
	want[n] = '\0';
	if (i >= l->rep.n) {
		dump(l);
		fail_msg("no problem %zu; expected \"%s\"", i, want);
	}
	if (strcmp(l->rep.v[i].msg, want) != 0) {
		dump(l);
		fail_msg("problem %zu is\n  \"%s\"\nexpected\n  \"%s\"", i,
			 l->rep.v[i].msg, want);
	}
	assert_int_equal(l->rep.v[i].severity, sev);
}

/* The ward's argv is exactly the NULL-terminated list want. */
void
expect_argv(const struct ward_spec *w, const char *const *want)
{
	size_t n = 0;

	while (want[n] != NULL)
		n++;
	assert_int_equal(w->argc, n);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(w->argv[i], want[i]);
	assert_null(w->argv[n]);
}

int
main(void)
{
	int failed = 0;

	failed += _cmocka_run_group_tests("config-reader", test_config_reader,
					  test_config_reader_n, group_setup,
					  group_teardown);
	failed += _cmocka_run_group_tests("config-keys", test_config_keys,
					  test_config_keys_n, group_setup,
					  group_teardown);
	failed += _cmocka_run_group_tests("config-links", test_config_links,
					  test_config_links_n, group_setup,
					  group_teardown);
	failed += _cmocka_run_group_tests(
	    "config-supervisord", test_config_supervisord,
	    test_config_supervisord_n, group_setup, group_teardown);
	return failed;
}
