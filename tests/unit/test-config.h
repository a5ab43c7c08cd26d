/*
 * What the config reader's unit tests share (test-config.c defines it).
 */
#ifndef STEWARD_TEST_CONFIG_H
#define STEWARD_TEST_CONFIG_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "config/config.h"

/* One load: the file, the config (or NULL) and the report. */
struct load {
	char path[256];
	struct config *c;
	struct config_report rep;
};

/* The directory every test writes its file into. */
extern char test_dir[64];
/* The load of the running test, freed by load_teardown if a test fails. */
extern struct load the_load;

/* Write len bytes of text to name in the test directory and load it. */
void load_n(struct load *l, const char *name, const char *text, size_t len);
/* Write a C string to name and load it. */
void load(struct load *l, const char *name, const char *text);
/* Free what a load made and remove its file. */
void unload(struct load *l);
/* After each test: free a load a failed test left behind. */
int load_teardown(void **state);
/* Print every problem, to explain a failure. */
void dump(const struct load *l);
/* The report holds exactly this many errors and warnings. */
void expect_counts(const struct load *l, size_t errors, size_t warnings);
/* Problem i has this severity and reads tmpl with FILE as the path. */
void expect_problem(const struct load *l, size_t i, enum config_severity sev,
		    const char *tmpl);
/* The ward's argv is exactly the NULL-terminated list want. */
void expect_argv(const struct ward_spec *w, const char *const *want);

/* Each test file's group, run by main. */
extern const struct CMUnitTest test_config_reader[];
extern const size_t test_config_reader_n;
extern const struct CMUnitTest test_config_keys[];
extern const size_t test_config_keys_n;
extern const struct CMUnitTest test_config_links[];
extern const size_t test_config_links_n;
extern const struct CMUnitTest test_config_supervisord[];
extern const size_t test_config_supervisord_n;

#endif
