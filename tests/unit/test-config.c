/*
 * Unit tests for the INI config loader (supervisord/config/config.c).
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

/* The directory every test writes its file into. */
static char test_dir[64];

/* One load: the file, the config (or NULL) and the report. */
struct load {
	char path[256];
	struct config *c;
	struct config_report rep;
};

/*
 * The load of the running test.  A test that fails in the middle leaves it
 * loaded; the teardown frees it, so failures do not show up as leaks.
 */
static struct load the_load;
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
static void
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
static void
load(struct load *l, const char *name, const char *text)
{
	load_n(l, name, text, strlen(text));
}

/* Free what a load made and remove its file. */
static void
unload(struct load *l)
{
	config_free(l->c);
	config_report_free(&l->rep);
	unlink(l->path);
	memset(l, 0, sizeof(*l));
	the_load_live = false;
}

/* After each test: free a load a failed test left behind. */
static int
load_teardown(void **state)
{
	if (the_load_live)
		unload(&the_load);
	return 0;
}

/* Print every problem, to explain a failure. */
static void
dump(const struct load *l)
{
	for (size_t i = 0; i < l->rep.n; i++)
		print_message("  problem %zu: %s\n", i, l->rep.v[i].msg);
}

/* The report holds exactly this many errors and warnings. */
static void
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
static void
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
static void
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

/* Every key of a [ward:NAME] section, and of [steward], is parsed. */
static void
test_every_key_is_parsed(void **state)
{
	static const char *const argv[] = {"/bin/echo", "hello world", "a b",
					   "it's", NULL};
	struct load *l = &the_load;
	const struct ward_spec *w;
	bool has_root = false;

	load(l, "every-key.ini",
	     "[steward]\n"
	     "event_log = /var/log/steward/events.jsonl\n"
	     "\n"
	     "[ward:web]\n"
	     "command = /bin/echo \"hello world\" a\\ b \"it's\"\n"
	     "replicas = 2\n"
	     "heartbeat = pipe\n"
	     "heartbeat_timeout = 3s\n"
	     "start_timeout = 250ms\n"
	     "restart = on-failure\n"
	     "backoff = 100ms..30s\n"
	     "restart_limit = 5/1m\n"
	     "stop_signal = INT\n"
	     "stop_timeout = 2m\n"
	     "user = root\n"
	     "group = root\n"
	     "directory = /tmp\n"
	     "environment = MODE=prod GREETING=\"hello world\"\n"
	     "stdout = /tmp/web.out\n"
	     "stderr = stdout\n"
	     "autostart = no\n");
	expect_counts(l, 0, 0);
	assert_string_equal(l->c->path, l->path);
	assert_null(l->c->socket);
	assert_string_equal(l->c->event_log, "/var/log/steward/events.jsonl");
	assert_int_equal(l->c->nwards, 1);
	w = config_ward(l->c, "web");
	assert_non_null(w);
	assert_null(config_ward(l->c, "we"));
	assert_string_equal(w->name, "web");
	assert_string_equal(w->file, l->path);
	assert_int_equal(w->line, 4);
	assert_string_equal(w->command,
			    "/bin/echo \"hello world\" a\\ b \"it's\"");
	expect_argv(w, argv);
	assert_int_equal(w->replicas, 2);
	assert_int_equal(w->pol.heartbeat, WARD_HB_PIPE);
	assert_int_equal(w->heartbeat_timeout_ms, 3000);
	assert_int_equal(w->start_timeout_ms, 250);
	assert_int_equal(w->pol.restart, WARD_RESTART_ON_FAILURE);
	assert_int_equal(w->backoff_min_ms, 100);
	assert_int_equal(w->backoff_max_ms, 30000);
	assert_int_equal(w->limit.burst, 5);
	assert_int_equal(w->limit.period_ms, 60000);
	assert_int_equal(w->stop_signal, SIGINT);
	assert_int_equal(w->stop_timeout_ms, 120000);
	/* The policy the state machine gets, in seconds. */
	assert_true(w->pol.heartbeat_timeout == 3.0);
	assert_true(w->pol.start_timeout == 0.25);
	assert_true(w->pol.stop_timeout == 120.0);
	assert_true(w->pol.backoff_min == 0.1);
	assert_true(w->pol.backoff_max == 30.0);
	assert_int_equal(w->pol.limit_burst, 5);
	assert_true(w->pol.limit_period == 60.0);
	/* user = root and group = root resolve to ids and groups. */
	assert_true(w->has_user);
	assert_true(w->has_group);
	assert_string_equal(w->user, "root");
	assert_string_equal(w->group, "root");
	assert_int_equal(w->uid, 0);
	assert_int_equal(w->gid, 0);
	assert_string_equal(w->home, "/root");
	assert_true(w->ngroups >= 1);
	for (int i = 0; i < w->ngroups; i++)
		has_root |= w->groups[i] == 0;
	assert_true(has_root);
	assert_string_equal(w->directory, "/tmp");
	assert_int_equal(w->nenv, 2);
	assert_string_equal(w->env[0], "MODE=prod");
	assert_string_equal(w->env[1], "GREETING=hello world");
	assert_int_equal(w->out.kind, CONFIG_OUT_FILE);
	assert_string_equal(w->out.path, "/tmp/web.out");
	assert_int_equal(w->err.kind, CONFIG_OUT_STDOUT);
	assert_null(w->err.path);
	assert_false(w->autostart);
	unload(l);
}

/* A ward with only a command gets the documented defaults. */
static void
test_defaults(void **state)
{
	static const char *const argv[] = {"/bin/true", NULL};
	struct load *l = &the_load;
	const struct ward_spec *w;

	load(l, "defaults.ini",
	     "[ward:min]\ncommand = /bin/true\n"
	     "[ward:beating]\ncommand = /bin/true\nheartbeat = pipe\n");
	expect_counts(l, 0, 0);
	assert_null(l->c->socket);
	assert_string_equal(l->c->event_log, "-");
	assert_int_equal(l->c->nwards, 2);
	w = config_ward(l->c, "min");
	assert_non_null(w);
	expect_argv(w, argv);
	assert_int_equal(w->replicas, 1);
	assert_int_equal(w->pol.heartbeat, WARD_HB_NONE);
	assert_int_equal(w->pol.restart, WARD_RESTART_ALWAYS);
	assert_int_equal(w->heartbeat_timeout_ms, 10000);
	assert_int_equal(w->start_timeout_ms, 1000);
	assert_int_equal(w->stop_timeout_ms, 10000);
	assert_int_equal(w->backoff_min_ms, 100);
	assert_int_equal(w->backoff_max_ms, 30000);
	assert_int_equal(w->limit.burst, 5);
	assert_int_equal(w->limit.period_ms, 60000);
	assert_int_equal(w->stop_signal, SIGTERM);
	assert_true(w->autostart);
	assert_false(w->has_user);
	assert_false(w->has_group);
	assert_null(w->user);
	assert_null(w->groups);
	assert_int_equal(w->ngroups, 0);
	assert_null(w->directory);
	assert_int_equal(w->nenv, 0);
	assert_int_equal(w->out.kind, CONFIG_OUT_INHERIT);
	assert_int_equal(w->err.kind, CONFIG_OUT_INHERIT);
	assert_true(w->pol.start_timeout == 1.0);
	assert_true(w->pol.stop_timeout == 10.0);
	/* With beats, the start phase lasts 10s by default. */
	w = config_ward(l->c, "beating");
	assert_non_null(w);
	assert_int_equal(w->pol.heartbeat, WARD_HB_PIPE);
	assert_int_equal(w->start_timeout_ms, 10000);
	assert_true(w->pol.heartbeat_timeout == 10.0);
	unload(l);
}

/* user = 0 is looked up by uid; group alone sets only the gid. */
static void
test_user_by_uid_and_group_alone(void **state)
{
	struct load *l = &the_load;
	const struct ward_spec *w;

	load(l, "uid.ini",
	     "[ward:a]\ncommand = /bin/true\nuser = 0\n"
	     "[ward:b]\ncommand = /bin/true\ngroup = root\n");
	expect_counts(l, 0, 0);
	w = config_ward(l->c, "a");
	assert_true(w->has_user);
	assert_false(w->has_group);
	assert_string_equal(w->user, "root");
	assert_int_equal(w->uid, 0);
	w = config_ward(l->c, "b");
	assert_false(w->has_user);
	assert_true(w->has_group);
	assert_int_equal(w->gid, 0);
	assert_int_equal(w->ngroups, 1);
	assert_int_equal(w->groups[0], 0);
	unload(l);
}

/* Every bad value in a file is reported, in order, not only the first. */
static void
test_several_problems_are_all_reported(void **state)
{
	struct load *l = &the_load;

	load(l, "several.ini",
	     "[ward:a]\n"
	     "command = /bin/true\n"
	     "replicas = 0\n"
	     "heartbeat = pulse\n"
	     "restart = sometimes\n"
	     "stop_signal = FOO\n"
	     "autostart = maybe\n"
	     "[ward:b]\n"
	     "command = /bin/true \"unterminated\n"
	     "backoff = 30s..1s\n"
	     "restart_limit = 0/1m\n"
	     "stop_timeout = 5\n"
	     "directory = relative/dir\n"
	     "environment = 1A=x\n"
	     "stdout = stdout\n"
	     "stderr = somefile\n"
	     "heartbeat = beats\n"
	     "replicas =\n");
	/* A bad command is one problem, not also "has no command". */
	expect_counts(l, 15, 0);
	expect_problem(
	    l, 0, CONFIG_ERROR,
	    "FILE:3: [ward:a] replicas = \"0\": expected a whole number from "
	    "1 to 100000");
	expect_problem(
	    l, 1, CONFIG_ERROR,
	    "FILE:4: [ward:a] heartbeat = \"pulse\": expected pipe, notify or "
	    "none");
	expect_problem(
	    l, 2, CONFIG_ERROR,
	    "FILE:5: [ward:a] restart = \"sometimes\": expected always, "
	    "on-failure or never");
	expect_problem(
	    l, 3, CONFIG_ERROR,
	    "FILE:6: [ward:a] stop_signal = \"FOO\": unknown signal; expected "
	    "a name such as TERM, INT, HUP, QUIT, KILL, USR1, USR2 or a "
	    "number 1-64");
	expect_problem(
	    l, 4, CONFIG_ERROR,
	    "FILE:7: [ward:a] autostart = \"maybe\": expected true or false, "
	    "yes or no, on or off, 1 or 0");
	expect_problem(
	    l, 5, CONFIG_ERROR,
	    "FILE:9: [ward:b] command = \"/bin/true \"unterminated\": "
	    "unterminated double quote opened at column 11; close it with "
	    "another \"");
	expect_problem(
	    l, 6, CONFIG_ERROR,
	    "FILE:10: [ward:b] backoff = \"30s..1s\": the minimum is longer "
	    "than the maximum; expected MIN..MAX with MIN no longer than MAX, "
	    "such as 100ms..30s");
	expect_problem(
	    l, 7, CONFIG_ERROR,
	    "FILE:11: [ward:b] restart_limit = \"0/1m\": the burst before the "
	    "slash must be a whole number from 1 to 1000000");
	expect_problem(
	    l, 8, CONFIG_ERROR,
	    "FILE:12: [ward:b] stop_timeout = \"5\": a number needs a unit; "
	    "expected a duration such as 250ms, 3s, 2m or 1h (units us, ms, "
	    "s, m, h)");
	expect_problem(
	    l, 9, CONFIG_ERROR,
	    "FILE:13: [ward:b] directory = \"relative/dir\": expected an "
	    "absolute path");
	expect_problem(
	    l, 10, CONFIG_ERROR,
	    "FILE:14: [ward:b] environment = \"1A=x\": word 1 \"1A=x\": the "
	    "name starts with a digit at column 1; expected a name of "
	    "letters, digits and _ that does not start with a digit");
	expect_problem(
	    l, 11, CONFIG_ERROR,
	    "FILE:15: [ward:b] stdout = \"stdout\": expected inherit, null, "
	    "an absolute file path");
	expect_problem(
	    l, 12, CONFIG_ERROR,
	    "FILE:16: [ward:b] stderr = \"somefile\": expected inherit, null, "
	    "stdout (same as stdout), an absolute file path");
	expect_problem(
	    l, 13, CONFIG_ERROR,
	    "FILE:17: [ward:b] heartbeat = \"beats\": expected pipe, notify or "
	    "none");
	expect_problem(
	    l, 14, CONFIG_ERROR,
	    "FILE:18: [ward:b] replicas = \"\": an empty value; remove the "
	    "line to get the default");
	unload(l);
}

/* Build "/bin/echo arg000 arg001 ..." of exactly len bytes into buf. */
static void
long_command(char *buf, size_t len, const char **argv, char words[][8])
{
	size_t n = 0, w = 0;

	n = (size_t)sprintf(buf, "/bin/echo");
	argv[w++] = "/bin/echo";
	while (n + 7 <= len - 4) {
		snprintf(words[w], 8, "arg%03u", (unsigned)w % 1000u);
		n += (size_t)sprintf(buf + n, " %s", words[w]);
		argv[w] = words[w];
		w++;
	}
	/* Pad the last word so the value is exactly len bytes. */
	snprintf(words[w], 8, "%.*s", (int)(len - n - 1), "zzzzzz");
	n += (size_t)sprintf(buf + n, " %s", words[w]);
	argv[w] = words[w];
	argv[w + 1] = NULL;
	assert_int_equal(n, len);
}

/*
 * Values far longer than inih's 200-byte line are read whole: a
 * 1000-byte command (with an inline comment) and a 5000-byte environment.
 */
static void
test_long_values_are_read_whole(void **state)
{
	static char cmd[1001], words[200][8], env[5001], envw[100][64];
	static char text[8192];
	const char *argv[200];
	struct load *l = &the_load;
	const struct ward_spec *w;
	size_t n = 0;

	long_command(cmd, 1000, argv, words);
	/* 100 words of 49 bytes and 99 blanks: 4999 bytes, plus one. */
	for (int i = 0; i < 100; i++) {
		snprintf(envw[i], sizeof(envw[i]), "V%03d=%s%s", i,
			 "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
			 i == 99 ? "y" : "");
		n += (size_t)sprintf(env + n, "%s%s", i ? " " : "", envw[i]);
	}
	assert_int_equal(n, 5000);
	snprintf(text, sizeof(text),
		 "[ward:long]\ncommand = %s ; a comment\nenvironment = %s\n"
		 "stdout = null\n",
		 cmd, env);
	load(l, "long.ini", text);
	expect_counts(l, 0, 0);
	w = config_ward(l->c, "long");
	assert_non_null(w);
	assert_string_equal(w->command, cmd);
	expect_argv(w, argv);
	assert_int_equal(w->nenv, 100);
	for (int i = 0; i < 100; i++)
		assert_string_equal(w->env[i], envw[i]);
	/* The line after the long ones is read as itself. */
	assert_int_equal(w->out.kind, CONFIG_OUT_NULL);
	unload(l);
}

/* Lines of 190 to 210 bytes, around inih's 200-byte buffer, are whole. */
static void
test_lines_around_inih_buffer_are_whole(void **state)
{
	static char text[16384], want[21][256];
	struct load *l = &the_load;
	size_t n = 0;

	for (int i = 0; i <= 20; i++) {
		int len = 190 + i; /* "environment = A=yyy...": len bytes */
		int ys = len - (int)strlen("environment = A=");

		snprintf(
		    want[i], sizeof(want[i]), "A=%.*s", ys,
		    "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy"
		    "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy"
		    "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy"
		    "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy");
		n += (size_t)sprintf(
		    text + n,
		    "[ward:w%d]\ncommand = /bin/true\nenvironment = %s\n", i,
		    want[i]);
	}
	load(l, "boundary.ini", text);
	expect_counts(l, 0, 0);
	for (int i = 0; i <= 20; i++) {
		char name[8];
		const struct ward_spec *w;

		snprintf(name, sizeof(name), "w%d", i);
		w = config_ward(l->c, name);
		assert_non_null(w);
		assert_int_equal(w->nenv, 1);
		assert_int_equal(strlen(w->env[0]) + strlen("environment = "),
				 190 + i);
		assert_string_equal(w->env[0], want[i]);
	}
	unload(l);
}

/* CRLF line endings work, for short and long lines alike. */
static void
test_crlf_line_endings_work(void **state)
{
	static char text[4096], arg[301];
	static const char *argv[3] = {"/bin/echo", arg, NULL};
	static const char *const shortv[] = {"/bin/echo", "hi", NULL};
	struct load *l = &the_load;
	const struct ward_spec *w;

	memset(arg, 'z', 300);
	arg[300] = '\0';
	snprintf(
	    text, sizeof(text),
	    "[steward]\r\nevent_log = /var/log/s.jsonl\r\n\r\n; comment\r\n"
	    "[ward:a]\r\ncommand = /bin/echo %s ; comment\r\n"
	    "stdout: null\r\nheartbeat = pipe\r\n"
	    "[ward:b]\r\ncommand = /bin/echo hi\r\nenvironment = A=1\r\n",
	    arg);
	load(l, "crlf.ini", text);
	expect_counts(l, 0, 0);
	assert_string_equal(l->c->event_log, "/var/log/s.jsonl");
	w = config_ward(l->c, "a");
	assert_non_null(w);
	expect_argv(w, argv);
	assert_int_equal(w->out.kind, CONFIG_OUT_NULL);
	assert_int_equal(w->pol.heartbeat, WARD_HB_PIPE);
	w = config_ward(l->c, "b");
	assert_non_null(w);
	expect_argv(w, shortv);
	assert_string_equal(w->env[0], "A=1");
	unload(l);
}

/* An indented line is an error, never joined to the value above. */
static void
test_indented_continuation_line_is_error(void **state)
{
	struct load *l = &the_load;

	load(l, "indent.ini",
	     "[ward:a]\ncommand = /bin/echo one\n  two\n\tthree = 3\n");
	expect_counts(l, 2, 0);
	expect_problem(
	    l, 0, CONFIG_ERROR,
	    "FILE:3: an indented line; steward does not join continuation "
	    "lines: put the whole value on one line and start keys and "
	    "sections at the first column");
	expect_problem(
	    l, 1, CONFIG_ERROR,
	    "FILE:4: an indented line; steward does not join continuation "
	    "lines: put the whole value on one line and start keys and "
	    "sections at the first column");
	unload(l);
}

/* A line without '=' is an error naming its line, and reading goes on. */
static void
test_line_without_equals_is_error(void **state)
{
	struct load *l = &the_load;

	load(l, "noequals.ini",
	     "[ward:a]\ncommand = /bin/true\n\n; fine\nautostart\n"
	     "replicas = 0\n");
	expect_counts(l, 2, 0);
	expect_problem(
	    l, 0, CONFIG_ERROR,
	    "FILE:5: \"autostart\" is not a setting; expected KEY = VALUE");
	expect_problem(
	    l, 1, CONFIG_ERROR,
	    "FILE:6: [ward:a] replicas = \"0\": expected a whole number from "
	    "1 to 100000");
	unload(l);
}

/* A bad section header is an error; its keys go to no section. */
static void
test_bad_section_header_keys_not_attributed(void **state)
{
	struct load *l = &the_load;

	/* Were they ward a's, command would be set twice. */
	load(l, "badheader.ini",
	     "[ward:a]\ncommand = /bin/true\n[ward:b\ncommand = /bin/false\n"
	     "[ward:c] trailing\ncommand = /bin/false\n");
	expect_counts(l, 2, 0);
	expect_problem(
	    l, 0, CONFIG_ERROR,
	    "FILE:3: a malformed section header \"[ward:b\"; expected "
	    "[steward] or [ward:NAME]");
	expect_problem(
	    l, 1, CONFIG_ERROR,
	    "FILE:5: a malformed section header \"[ward:c] trailing\"; "
	    "expected [steward] or [ward:NAME]");
	unload(l);
}

/* A key set twice is an error naming both lines. */
static void
test_duplicate_key_names_both_lines(void **state)
{
	struct load *l = &the_load;

	load(l, "dupkey.ini",
	     "[steward]\nevent_log = -\nevent_log = /b\n"
	     "[ward:a]\ncommand = /bin/true\nreplicas = 2\ncommand = "
	     "/bin/false\n");
	expect_counts(l, 2, 0);
	expect_problem(
	    l, 0, CONFIG_ERROR,
	    "FILE:3: [steward] event_log is already set at line 2; set each "
	    "key "
	    "once");
	expect_problem(
	    l, 1, CONFIG_ERROR,
	    "FILE:7: [ward:a] command is already set at line 5; set each key "
	    "once");
	unload(l);
}

/* A second [ward:x] or [steward] is an error naming both places. */
static void
test_duplicate_section_names_both_places(void **state)
{
	struct load *l = &the_load;

	load(l, "dupsection.ini",
	     "[ward:x]\ncommand = /bin/true\n[steward]\n\n"
	     "[ward:x]\ncommand = /bin/false\n[steward]\n");
	expect_counts(l, 2, 0);
	expect_problem(
	    l, 0, CONFIG_ERROR,
	    "FILE:5: \"x\" is already defined at FILE:1 (as [ward:x]); give "
	    "each ward, program and job its own name");
	expect_problem(
	    l, 1, CONFIG_ERROR,
	    "FILE:7: [steward] is already defined at line 3; define it once");
	unload(l);
}

/* metrics_file and metrics_interval: defaults, values, refusals. */
static void
test_metrics_keys(void **state)
{
	struct load *l = &the_load;

	load(l, "m0.ini", "[ward:a]\ncommand = /bin/true\n");
	expect_counts(l, 0, 0);
	assert_null(l->c->metrics_file);
	assert_int_equal(l->c->metrics_interval_ms, 10000);
	unload(l);

	load(l, "m1.ini",
	     "[steward]\nmetrics_file = /var/lib/node/steward.prom\n"
	     "metrics_interval = 1m30s\n[ward:a]\ncommand = /bin/true\n");
	expect_counts(l, 0, 0);
	assert_string_equal(l->c->metrics_file, "/var/lib/node/steward.prom");
	assert_int_equal(l->c->metrics_interval_ms, 90000);
	unload(l);

	load(l, "m2.ini",
	     "[steward]\nmetrics_file = /tmp/steward.txt\n"
	     "[ward:a]\ncommand = /bin/true\n");
	expect_counts(l, 0, 1);
	expect_problem(l, 0, CONFIG_WARNING,
		       "FILE:2: warning: [steward] metrics_file = "
		       "\"/tmp/steward.txt\": node_exporter's textfile "
		       "collector reads only files named *.prom");
	unload(l);

	load(l, "m3.ini",
	     "[steward]\nmetrics_file = steward.prom\nmetrics_interval = "
	     "500ms\n[ward:a]\ncommand = /bin/true\n");
	expect_counts(l, 2, 0);
	expect_problem(l, 0, CONFIG_ERROR,
		       "FILE:2: [steward] metrics_file = \"steward.prom\": "
		       "expected the absolute path of a file");
	expect_problem(l, 1, CONFIG_ERROR,
		       "FILE:3: [steward] metrics_interval = \"500ms\": "
		       "expected a duration from 1s to 1h");
	unload(l);

	load(l, "m4.ini",
	     "[steward]\nmetrics_interval = 5s\n[ward:a]\ncommand = "
	     "/bin/true\n");
	expect_counts(l, 0, 1);
	expect_problem(l, 0, CONFIG_WARNING,
		       "FILE: warning: [steward] metrics_interval is set but "
		       "metrics_file is not; no metrics are written");
	unload(l);
}

/* An unknown key is a warning with a hint; the config is still used. */
static void
test_unknown_key_warns_with_hint(void **state)
{
	struct load *l = &the_load;

	load(l, "unknown.ini",
	     "[steward]\nsockett = /x\nfrobnicate = 1\n"
	     "[ward:a]\ncommand = /bin/true\nreplica = 2\n");
	expect_counts(l, 0, 3);
	expect_problem(
	    l, 0, CONFIG_WARNING,
	    "FILE:2: warning: [steward] unknown key \"sockett\" ignored; did "
	    "you mean socket?");
	expect_problem(
	    l, 1, CONFIG_WARNING,
	    "FILE:3: warning: [steward] unknown key \"frobnicate\" ignored; "
	    "known keys: socket, event_log, include, group, metrics_file, "
	    "metrics_interval, cgroups");
	expect_problem(
	    l, 2, CONFIG_WARNING,
	    "FILE:6: warning: [ward:a] unknown key \"replica\" ignored; did "
	    "you mean replicas?");
	assert_int_equal(config_ward(l->c, "a")->replicas, 1);
	unload(l);
}

/* " ; comment" is stripped; a ';' inside a word is kept. */
static void
test_inline_comments_are_stripped(void **state)
{
	static const char *const argv[] = {"/bin/echo", "a;b", NULL};
	struct load *l = &the_load;
	const struct ward_spec *w;

	load(l, "comments.ini",
	     "; a comment\n# another\n[ward:a] ; the a ward\n"
	     "command = /bin/echo a;b ; the command\n"
	     "stdout = null\t; quiet\n"
	     "replicas = 3 ;three\n");
	expect_counts(l, 0, 0);
	w = config_ward(l->c, "a");
	assert_non_null(w);
	expect_argv(w, argv);
	assert_string_equal(w->command, "/bin/echo a;b");
	assert_int_equal(w->out.kind, CONFIG_OUT_NULL);
	assert_int_equal(w->replicas, 3);
	unload(l);
}

/* A NUL byte is an error on its line; the rest is still checked. */
static void
test_nul_byte_is_error(void **state)
{
	static const char text[] = "[ward:a]\nenvironment = A=\0\n"
				   "command = /bin/true\nstop_signal = FOO\n";
	struct load *l = &the_load;

	load_n(l, "nul.ini", text, sizeof(text) - 1);
	expect_counts(l, 2, 0);
	expect_problem(l, 0, CONFIG_ERROR,
		       "FILE:2: a NUL byte in the line; the file must be text");
	expect_problem(
	    l, 1, CONFIG_ERROR,
	    "FILE:4: [ward:a] stop_signal = \"FOO\": unknown signal; expected "
	    "a name such as TERM, INT, HUP, QUIT, KILL, USR1, USR2 or a "
	    "number 1-64");
	unload(l);
}

/* A ward without a command is an error at its section. */
static void
test_missing_command_is_error(void **state)
{
	struct load *l = &the_load;

	load(l, "nocommand.ini",
	     "[ward:a]\ncommand = /bin/true\n\n[ward:b]\nreplicas = 2\n");
	expect_counts(l, 1, 0);
	expect_problem(
	    l, 0, CONFIG_ERROR,
	    "FILE:4: [ward:b] has no command; add command = /path/to/program "
	    "[ARGS...]");
	unload(l);
}

/* heartbeat_timeout with no heartbeat to time is an error. */
static void
test_heartbeat_timeout_with_heartbeat_none_is_error(void **state)
{
	struct load *l = &the_load;

	load(l, "hbnone.ini",
	     "[ward:a]\ncommand = /bin/true\nheartbeat = none\n"
	     "heartbeat_timeout = 3s\n");
	expect_counts(l, 1, 0);
	expect_problem(
	    l, 0, CONFIG_ERROR,
	    "FILE:4: [ward:a] heartbeat_timeout is set but heartbeat = none "
	    "hears no beats; add heartbeat = pipe or notify");
	unload(l);
}

/* start_timeout = 0 leaves a beating ward no time to start. */
static void
test_zero_start_timeout_with_heartbeat_is_error(void **state)
{
	struct load *l = &the_load;

	load(l, "start0.ini",
	     "[ward:a]\ncommand = /bin/true\nheartbeat = pipe\n"
	     "start_timeout = 0\n"
	     "[ward:b]\ncommand = /bin/true\nstart_timeout = 0\n");
	expect_counts(l, 1, 0);
	expect_problem(
	    l, 0, CONFIG_ERROR,
	    "FILE:4: [ward:a] start_timeout = 0 leaves no time for a first "
	    "beat; expected a duration above 0");
	unload(l);
}

/* supervisord's sections and [job:] are read; unknown ones are errors. */
static void
test_program_and_job_sections(void **state)
{
	struct load *l = &the_load;

	load(l, "program.ini",
	     "[program:p]\ncommand = /bin/true\nnumprocs = 2\n"
	     "[job:j]\ncommand = /bin/true\ntimeout = 5s\nrestart = never\n"
	     "[group:g]\nprograms = p\n"
	     "[weird]\nx = 1\n");
	expect_counts(l, 3, 0);
	expect_problem(
	    l, 0, CONFIG_ERROR,
	    "FILE:3: [program:p] numprocs = 2 needs %(process_num) in "
	    "process_name (as supervisord requires), e.g. process_name = "
	    "%(program_name)s_%(process_num)02d");
	expect_problem(l, 1, CONFIG_ERROR,
		       "FILE:7: [job:j] restart is not a key of a job: a job "
		       "runs once per request");
	expect_problem(l, 2, CONFIG_ERROR,
		       "FILE:10: unknown section [weird]; expected [steward], "
		       "[ward:NAME], [job:NAME], [group:NAME] or "
		       "[program:NAME]");
	unload(l);
}

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

/* A [program:x] maps key by key, with its expansions per process. */
static void
test_program_maps_supervisord_keys(void **state)
{
	struct load *l = &the_load;
	const struct ward_spec *w;

	setenv("STEWARD_TEST_PORT", "80", 1);
	load(l, "sv.ini",
	     "[supervisord]\nlogfile = /tmp/x.log\n"
	     "environment = GLOBAL=\"g\"\n"
	     "[program:web]\n"
	     "command = /bin/echo %(program_name)s "
	     "--port=%(ENV_STEWARD_TEST_PORT)s%(process_num)02d\n"
	     "process_name = %(program_name)s_%(process_num)02d\n"
	     "numprocs = 3\nnumprocs_start = 1\n"
	     "directory = %(here)s\numask = 022\npriority = 10\n"
	     "autostart = false\nautorestart = unexpected\n"
	     "exitcodes = 0,2\nstartsecs = 5\nstartretries = 7\n"
	     "stopsignal = INT\nstopwaitsecs = 3\nstopasgroup = true\n"
	     "redirect_stderr = true\n"
	     "stdout_logfile = /var/log/%(process_num)d.log\n"
	     "stdout_logfile_maxbytes = 1MB\n"
	     "environment = A=\"1,2\",B='x y',\n"
	     "  C=3\n"
	     "heartbeat = pipe\nheartbeat_timeout = 2s\n");
	expect_counts(l, 0, 2);
	w = config_ward(l->c, "web");
	assert_non_null(w);
	assert_string_equal(w->kind, "program");
	assert_int_equal(w->replicas, 3);
	assert_non_null(w->procs);
	assert_string_equal(w->procs[0].name, "web_01");
	assert_string_equal(w->procs[2].name, "web_03");
	assert_int_equal(w->procs[1].argc, 3);
	assert_string_equal(w->procs[1].argv[1], "web");
	assert_string_equal(w->procs[1].argv[2], "--port=8002");
	{
		char *dir = strdup(l->path);

		assert_non_null(dir);
		*strrchr(dir, '/') = '\0';
		assert_string_equal(w->procs[0].directory, dir);
		free(dir);
	}
	assert_int_equal(w->umask, 022);
	assert_int_equal(w->priority, 10);
	assert_false(w->autostart);
	assert_int_equal(w->pol.restart, WARD_RESTART_ON_FAILURE);
	assert_int_equal(w->pol.success[0], 1 << 0 | 1 << 2);
	assert_int_equal(w->start_timeout_ms, 5000);
	assert_int_equal(w->pol.start_retries, 7);
	assert_int_equal(w->stop_signal, SIGINT);
	assert_int_equal(w->stop_timeout_ms, 3000);
	assert_true(w->stop_group);
	assert_true(w->kill_group); /* stopasgroup implies killasgroup */
	assert_int_equal(w->procs[2].out.kind, CONFIG_OUT_FILE);
	assert_string_equal(w->procs[2].out.path, "/var/log/3.log");
	assert_int_equal(w->procs[0].err.kind, CONFIG_OUT_STDOUT);
	assert_int_equal(w->pol.heartbeat, WARD_HB_PIPE);
	assert_int_equal(w->heartbeat_timeout_ms, 2000);
	/* SUPERVISOR_*, then [supervisord] environment, then the
	 * program's (continued), as supervisord builds it */
	assert_int_equal(w->procs[0].nenv, 7);
	assert_string_equal(w->procs[0].env[0], "SUPERVISOR_ENABLED=1");
	assert_string_equal(w->procs[0].env[1],
			    "SUPERVISOR_PROCESS_NAME=web_01");
	assert_string_equal(w->procs[0].env[2], "SUPERVISOR_GROUP_NAME=web");
	assert_string_equal(w->procs[0].env[3], "GLOBAL=g");
	assert_string_equal(w->procs[0].env[4], "A=1,2");
	assert_string_equal(w->procs[0].env[5], "B=x y");
	assert_string_equal(w->procs[0].env[6], "C=3");
	unload(l);
}

/*
 * supervisord's reading, as its options.py does it: every value expanded
 * (ENV_ from stewardd's environment, [supervisord] environment and the
 * program's own, later ones winning), a key or section given twice
 * merged with the last value winning, a program ordered by its
 * [group:NAME]'s priority and given its name.
 */
static void
test_program_expands_every_value(void **state)
{
	struct load *l = &the_load;
	const struct ward_spec *w;

	setenv("STEWARD_TEST_N", "2", 1);
	setenv("STEWARD_TEST_SHADOWED", "daemon", 1);
	load(l, "svx.ini",
	     "[supervisord]\n"
	     "environment = STEWARD_TEST_SHADOWED=\"file\",PRIO=\"7\"\n"
	     "[program:w]\n"
	     "command = /bin/echo %(ENV_STEWARD_TEST_SHADOWED)s "
	     "%(ENV_OWN)s %(group_name)s\n"
	     "environment = OWN=own\n"
	     "numprocs = %(ENV_STEWARD_TEST_N)s\n"
	     "process_name = %(program_name)s_%(process_num)d\n"
	     "priority = %(ENV_PRIO)s\n"
	     "autostart = %(ENV_STEWARD_TEST_N)s\n" /* "2": not a boolean */
	     "startsecs = 3\n"
	     "startsecs = 4 ; the last one wins\n"
	     "[program:v]\ncommand = /bin/true\n"
	     "[group:g]\nprograms = w\npriority = 5\n"
	     "[program:v]\nautostart = false\n");
	expect_counts(l, 1, 3);
	expect_problem(l, 0, CONFIG_WARNING,
		       "FILE:1: warning: [supervisord]: only its environment "
		       "is used (given to every program); stewardd takes the "
		       "rest from [steward] and its command line");
	expect_problem(l, 1, CONFIG_ERROR,
		       "FILE:9: [program:w] autostart = "
		       "\"%(ENV_STEWARD_TEST_N)s\": expanded to \"2\": "
		       "expected true or false, yes or no, on or off, 1 or 0");
	unload(l);

	load(l, "svx.ini",
	     "[supervisord]\n"
	     "environment = STEWARD_TEST_SHADOWED=\"file\",PRIO=\"7\"\n"
	     "[program:w]\n"
	     "command = /bin/echo %(ENV_STEWARD_TEST_SHADOWED)s "
	     "%(ENV_OWN)s %(group_name)s\n"
	     "environment = OWN=own\n"
	     "numprocs = %(ENV_STEWARD_TEST_N)s\n"
	     "process_name = %(program_name)s_%(process_num)d\n"
	     "priority = %(ENV_PRIO)s\n"
	     "startsecs = 3\n"
	     "startsecs = 4 ; the last one wins\n"
	     "[program:v]\ncommand = /bin/true\npriority = %(ENV_PRIO)s\n"
	     "[group:g]\nprograms = w\npriority = 5\n"
	     "[program:v]\nautostart = false\n");
	expect_counts(l, 0, 3);
	w = config_ward(l->c, "w");
	assert_int_equal(w->replicas, 2);
	assert_string_equal(w->procs[1].name, "w_1");
	assert_string_equal(w->procs[0].argv[1], "file");
	assert_string_equal(w->procs[0].argv[2], "own");
	assert_string_equal(w->procs[0].argv[3], "g");
	assert_string_equal(w->procs[0].env[2], "SUPERVISOR_GROUP_NAME=g");
	assert_int_equal(w->start_timeout_ms, 4000);
	assert_int_equal(w->priority, 5); /* the group's */
	w = config_ward(l->c, "v");
	assert_int_equal(w->priority, 7);
	assert_false(w->autostart); /* the second [program:v] merged */
	assert_string_equal(w->procs[0].env[2], "SUPERVISOR_GROUP_NAME=v");
	unload(l);

	/* steward's own keys in a program are expanded too. */
	load(l, "svhb.ini",
	     "[supervisord]\nenvironment = HB=\"2s\"\n"
	     "[program:p]\ncommand = /bin/true\nheartbeat = notify\n"
	     "heartbeat_timeout = %(ENV_HB)s\n");
	expect_counts(l, 0, 1);
	assert_int_equal(config_ward(l->c, "p")->heartbeat_timeout_ms, 2000);
	unload(l);

	/* A [group:NAME] given twice is merged; its members continue. */
	load(l, "svgrp.ini",
	     "[program:a]\ncommand = /bin/true\n"
	     "[program:b]\ncommand = /bin/true\n"
	     "[group:g]\nprograms = a\n"
	     "[group:g]\nprograms = a,\n  b\npriority = 3\n");
	expect_counts(l, 0, 2);
	assert_int_equal(l->c->ngroups, 1);
	assert_int_equal(l->c->groups[0].nmembers, 2);
	assert_string_equal(l->c->groups[0].members[1], "b");
	assert_int_equal(config_ward(l->c, "b")->priority, 3);
	unload(l);

	/* environment= is split as Python's shlex splits it. */
	load(l, "svenv.ini",
	     "[program:p]\ncommand = /bin/true\n"
	     "environment = B='1,2',A=x y # a comment\n");
	expect_counts(l, 0, 0);
	assert_string_equal(config_ward(l->c, "p")->procs[0].env[3], "B=1,2");
	assert_string_equal(config_ward(l->c, "p")->procs[0].env[4], "A=x");
	unload(l);
	load(l, "svenv.ini",
	     "[program:p]\ncommand = /bin/true\nenvironment = A=a@b\n");
	expect_counts(l, 1, 0);
	unload(l);

	/* supervisord expands its own keys too: an unset X refuses. */
	unsetenv("STEWARD_TEST_UNSET");
	load(l, "svmain.ini",
	     "[supervisord]\nloglevel = %(ENV_STEWARD_TEST_UNSET)s\n"
	     "[program:p]\ncommand = /bin/true\n");
	expect_counts(l, 1, 1);
	expect_problem(l, 1, CONFIG_ERROR,
		       "FILE:2: [supervisord] loglevel = "
		       "\"%(ENV_STEWARD_TEST_UNSET)s\": "
		       "%(ENV_STEWARD_TEST_UNSET)s: STEWARD_TEST_UNSET is set "
		       "neither in stewardd's environment nor in an "
		       "environment= of this file");
	unload(l);

	/* [include] needs files; a log file's directory must exist; a
	 * relative log file is from stewardd's working directory. */
	load(l, "svinc.ini",
	     "[include]\n"
	     "[program:p]\ncommand = /bin/true\n"
	     "stdout_logfile = /nonexistent-dir/p.log\n"
	     "stderr_logfile = p.err\n");
	expect_counts(l, 2, 1);
	expect_problem(l, 0, CONFIG_ERROR,
		       "FILE:1: [include] has no files; add files = PATTERN "
		       "... (supervisord refuses it too)");
	expect_problem(l, 1, CONFIG_ERROR,
		       "FILE:4: [program:p] stdout_logfile = "
		       "\"/nonexistent-dir/p.log\": its directory "
		       "/nonexistent-dir does not exist (supervisord refuses "
		       "to start too); create it");
	unload(l);
}

/* supervisord's defaults, and keys steward cannot honour. */
static void
test_program_defaults_and_refusals(void **state)
{
	struct load *l = &the_load;
	const struct ward_spec *w;

	load(l, "svdef.ini", "[program:p]\ncommand = /bin/true\n");
	expect_counts(l, 0, 0);
	w = config_ward(l->c, "p");
	assert_int_equal(w->pol.heartbeat, WARD_HB_NONE);
	assert_int_equal(w->pol.restart, WARD_RESTART_ON_FAILURE);
	assert_int_equal(w->pol.start_retries, 3);
	assert_int_equal(w->start_timeout_ms, 1000);
	assert_int_equal(w->stop_timeout_ms, 10000);
	assert_false(w->stop_group);
	assert_false(w->kill_group);
	assert_int_equal(w->procs[0].out.kind, CONFIG_OUT_INHERIT);
	unload(l);

	load(l, "svbad.ini",
	     "[program:p]\ncommand = /bin/true %(nope)s\n"
	     "stdout_logfile = syslog\nautorestart = sometimes\n"
	     "umask = 9\n");
	expect_counts(l, 2, 0);
	expect_problem(l, 0, CONFIG_ERROR,
		       "FILE:4: [program:p] autorestart = \"sometimes\": "
		       "expected true, false or unexpected");
	expect_problem(l, 1, CONFIG_ERROR,
		       "FILE:5: [program:p] umask = \"9\": expected an octal "
		       "mode such as 022");
	unload(l);
	/* Per-process keys are checked once the others are good. */
	load(l, "svbad2.ini",
	     "[program:p]\ncommand = /bin/true %(nope)s\n"
	     "stdout_logfile = syslog\n");
	expect_counts(l, 2, 0);
	expect_problem(l, 0, CONFIG_ERROR,
		       "FILE:2: [program:p] command = \"/bin/true %(nope)s\": "
		       "%(nope) cannot be expanded here; expected "
		       "program_name, group_name, process_num, numprocs, "
		       "host_node_name, here or ENV_NAME");
	expect_problem(l, 1, CONFIG_ERROR,
		       "FILE:3: [program:p] stdout_logfile = \"syslog\": "
		       "steward does not send output to syslog; expected AUTO, "
		       "NONE or a file path");
	unload(l);
}

/* An [eventlistener:x] is a ward with its events, pool and defaults. */
static void
test_eventlistener_sections(void **state)
{
	struct load *l = &the_load;
	const struct ward_spec *w;

	load(l, "lsn.ini",
	     "[eventlistener:crashmail]\ncommand = /bin/cat\n"
	     "events = PROCESS_STATE_FATAL, tick_60\n"
	     "[eventlistener:every]\ncommand = /bin/cat\nevents = EVENT\n"
	     "buffer_size = 3\n"
	     "[eventlistener:logs]\ncommand = /bin/cat\n"
	     "events = PROCESS_LOG,PROCESS_STATE\n");
	expect_counts(l, 0, 1);
	expect_problem(
	    l, 0, CONFIG_WARNING,
	    "FILE:10: warning: [eventlistener:logs] events: stewardd "
	    "never "
	    "sends PROCESS_LOG events; the listener gets the others");
	w = config_ward(l->c, "crashmail");
	assert_string_equal(w->kind, "eventlistener");
	assert_int_equal(w->listen_events,
			 LEV_BIT(LEV_PROCESS_STATE + SV_FATAL) |
			     LEV_BIT(LEV_TICK_60));
	assert_int_equal(w->buffer_size, 10);
	assert_int_equal(w->priority, -1);
	w = config_ward(l->c, "every");
	assert_int_equal(w->listen_events, LEV_BIT(LEV_NEVENTS) - 1);
	assert_int_equal(w->buffer_size, 3);
	assert_int_equal(config_ward(l->c, "logs")->listen_events,
			 LEV_ALL_PROCESS_STATE);
	unload(l);

	load(l, "lsnbad.ini",
	     "[eventlistener:a]\ncommand = /bin/cat\n"
	     "[eventlistener:b]\ncommand = /bin/cat\nevents = NOPE\n"
	     "buffer_size = 0\nresult_handler = mymod:handler\n"
	     "redirect_stderr = true\n"
	     "[program:c]\ncommand = /bin/cat\nevents = TICK_5\n");
	expect_counts(l, 5, 1);
	expect_problem(l, 0, CONFIG_ERROR,
		       "FILE:1: [eventlistener:a] has no events; add events = "
		       "PROCESS_STATE_FATAL (or PROCESS_STATE, TICK_60, ...)");
	unload(l);
}

/* Ward names are checked; keys under a refused name go nowhere. */
static void
test_bad_ward_names_are_errors(void **state)
{
	struct load *l = &the_load;

	load(l, "names.ini",
	     "[ward:bad name]\ncommand = /bin/true\n[ward:]\nreplicas = 0\n"
	     "[ward:ok_name-1.2]\ncommand = /bin/true\n");
	expect_counts(l, 2, 0);
	expect_problem(
	    l, 0, CONFIG_ERROR,
	    "FILE:1: [ward:bad name]: a ward name is 1 to 64 letters, "
	    "digits, '_', '-' or '.'");
	expect_problem(
	    l, 1, CONFIG_ERROR,
	    "FILE:3: [ward:]: a ward name is 1 to 64 letters, digits, '_', "
	    "'-' or '.'");
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

/* Settings outside any section, and bad [steward] values, are errors. */
static void
test_steward_section_and_stray_keys(void **state)
{
	struct load *l = &the_load;

	load(l, "steward.ini",
	     "=x\nk = v\n[steward]\nsocket = relative.sock\n"
	     "event_log = events.jsonl\ninclude = /nonexistent.d/*.ini\n"
	     "[ward:a]\ncommand = /bin/true\n");
	expect_counts(l, 4, 1);
	expect_problem(l, 0, CONFIG_ERROR,
		       "FILE:1: a setting without a key; expected KEY = VALUE");
	expect_problem(l, 1, CONFIG_ERROR,
		       "FILE:2: k = \"v\" is outside any section; put it under "
		       "[steward] or [ward:NAME]");
	expect_problem(
	    l, 2, CONFIG_ERROR,
	    "FILE:4: [steward] socket = \"relative.sock\": expected an "
	    "absolute path");
	expect_problem(
	    l, 3, CONFIG_ERROR,
	    "FILE:5: [steward] event_log = \"events.jsonl\": expected an "
	    "absolute path, or - for standard error");
	expect_problem(
	    l, 4, CONFIG_WARNING,
	    "FILE:6: warning: [steward] include = \"/nonexistent.d/*.ini\": "
	    "nothing matches /nonexistent.d/*.ini");
	unload(l);
}

/* An unknown user is an error naming the ward and the value. */
static void
test_unknown_user_is_error(void **state)
{
	struct load *l = &the_load;

	load(l, "nouser.ini",
	     "[ward:a]\ncommand = /bin/true\nuser = no_such_user_steward\n");
	expect_counts(l, 1, 0);
	expect_problem(
	    l, 0, CONFIG_ERROR,
	    "FILE:3: [ward:a] user = \"no_such_user_steward\": no such user "
	    "on this system; expected a name or uid from the passwd "
	    "database");
	unload(l);
}

/* A missing program or directory is only a warning: it may appear. */
static void
test_missing_paths_are_warnings(void **state)
{
	struct load *l = &the_load;

	load(l, "paths.ini",
	     "[ward:a]\ndirectory = /no/such/steward-dir\n"
	     "command = /no/such/steward-prog --flag\n");
	expect_counts(l, 0, 2);
	expect_problem(
	    l, 0, CONFIG_WARNING,
	    "FILE:2: warning: [ward:a] directory = \"/no/such/steward-dir\" is "
	    "not a directory now; starting the ward will fail until it is");
	expect_problem(
	    l, 1, CONFIG_WARNING,
	    "FILE:3: warning: [ward:a] command: /no/such/steward-prog does "
	    "not exist now; starting the ward will fail until it does");
	unload(l);
}

/* A variable set twice in environment= is an error. */
static void
test_environment_variable_set_twice_is_error(void **state)
{
	struct load *l = &the_load;

	load(l, "envtwice.ini",
	     "[ward:a]\ncommand = /bin/true\nenvironment = A=1 B=2 A=3\n");
	expect_counts(l, 1, 0);
	expect_problem(
	    l, 0, CONFIG_ERROR,
	    "FILE:3: [ward:a] environment = \"A=1 B=2 A=3\": A is set twice; "
	    "set each variable once");
	unload(l);
}

/* A missing file, and an empty one, are reported without a line. */
static void
test_missing_and_empty_files(void **state)
{
	struct load *l = &the_load;
	struct config_report rep = {0};
	char path[256];

	snprintf(path, sizeof(path), "%s/does-not-exist.ini", test_dir);
	assert_null(config_load(path, &rep));
	assert_int_equal(rep.n, 1);
	assert_int_equal(rep.errors, 1);
	assert_int_equal(rep.v[0].severity, CONFIG_ERROR);
	{
		char want[320];

		snprintf(want, sizeof(want),
			 "%s: cannot open: No such file or directory", path);
		assert_string_equal(rep.v[0].msg, want);
	}
	config_report_free(&rep);
	assert_int_equal(rep.n, 0);

	load(l, "empty.ini", "");
	expect_counts(l, 0, 1);
	expect_problem(
	    l, 0, CONFIG_WARNING,
	    "FILE: warning: no [ward:NAME], [program:NAME] or [job:NAME] "
	    "sections here or in the 0 files included; stewardd will "
	    "supervise nothing");
	assert_int_equal(l->c->nwards, 0);
	unload(l);
}

/*
 * Regression test for a fixed bug (config.c, config_load/config_ward_finish):
 * config.h promises the problems "in file order", but the checks made once a
 * section is read (missing command, heartbeat_timeout with heartbeat = none,
 * start_timeout = 0, user, group, directory, command path) are appended after
 * every problem of the whole file.  Here line 4's error comes after line 6's.
 */
static void
test_problems_are_in_file_order(void **state)
{
	struct load *l = &the_load;

	load(l, "order.ini",
	     "[ward:a]\ncommand = /bin/true\nheartbeat = none\n"
	     "heartbeat_timeout = 3s\n[ward:b]\nreplicas = 0\n"
	     "command = /bin/true\n");
	expect_counts(l, 2, 0);
	expect_problem(
	    l, 0, CONFIG_ERROR,
	    "FILE:4: [ward:a] heartbeat_timeout is set but heartbeat = none "
	    "hears no beats; add heartbeat = pipe or notify");
	expect_problem(
	    l, 1, CONFIG_ERROR,
	    "FILE:6: [ward:b] replicas = \"0\": expected a whole number from "
	    "1 to 100000");
	unload(l);
}

/*
 * Regression test for a fixed bug (config.c, config_ward_identity: "return;"
 * after the user error): a bad user hides a bad group in the same ward, so not
 * every problem is reported.
 */
static void
test_bad_user_and_bad_group_both_reported(void **state)
{
	struct load *l = &the_load;

	load(l, "usergroup.ini",
	     "[ward:a]\ncommand = /bin/true\nuser = no_such_user_steward\n"
	     "group = no_such_group_steward\n");
	expect_counts(l, 2, 0);
	expect_problem(
	    l, 0, CONFIG_ERROR,
	    "FILE:3: [ward:a] user = \"no_such_user_steward\": no such user "
	    "on this system; expected a name or uid from the passwd "
	    "database");
	expect_problem(
	    l, 1, CONFIG_ERROR,
	    "FILE:4: [ward:a] group = \"no_such_group_steward\": no such group "
	    "on this system; expected a name or gid from the group database");
	unload(l);
}

/*
 * Regression test for a fixed bug (config.c, config_reader): a line whose "="
 * comes after an inline comment (" ;") passes the reader's check (strcspn finds
 * the "="), but inih sees no "=" before the comment and only records its line
 * number; config_load() then reports "cannot read this line as INI" only if
 * nothing else was wrong, and only for the first such line.  Expected:
 * each such line reported, like any line without "=", whatever else is
 * in the file.
 */
static void
test_setting_hidden_by_comment_is_reported(void **state)
{
	struct load *l = &the_load;

	load(l, "hidden.ini",
	     "[ward:a]\ncommand = /bin/true\nreplicas = 0\nfoo ;bar = 1\n"
	     "baz ;qux = 2\n");
	if (l->rep.errors != 3) {
		dump(l);
		fail_msg("BUG: %zu errors, expected 3 (lines 3, 4 and 5)",
			 l->rep.errors);
	}
	assert_null(l->c);
	expect_problem(
	    l, 0, CONFIG_ERROR,
	    "FILE:3: [ward:a] replicas = \"0\": expected a whole number from "
	    "1 to 100000");
	assert_non_null(strstr(l->rep.v[1].msg, ":4: "));
	assert_non_null(strstr(l->rep.v[2].msg, ":5: "));
	unload(l);
}

/*
 * Regression test for a fixed bug (config.c; inih keeps the section name in a
 * 50-byte buffer): a ward name of 45 to 64 bytes (the documented limit) is cut
 * short in every message about its keys: "[ward:nnn...]" shows 44 of 60 bytes.
 * config.c should name the section from its own copy (st->cur->spec.name).
 */
static void
test_long_ward_name_is_whole_in_messages(void **state)
{
	char name[61], text[256], want[256];
	struct load *l = &the_load;

	memset(name, 'n', 60);
	name[60] = '\0';
	snprintf(text, sizeof(text),
		 "[ward:%s]\ncommand = /bin/true\nreplicas = 0\n", name);
	snprintf(
	    want, sizeof(want),
	    "FILE:3: [ward:%s] replicas = \"0\": expected a whole number from "
	    "1 to 100000",
	    name);
	load(l, "longname.ini", text);
	expect_counts(l, 1, 0);
	expect_problem(l, 0, CONFIG_ERROR, want);
	unload(l);
}

/*
 * Regression test for a fixed bug (config.c, config_long_value: "q > p" skips a
 * ';' right after the blanks that follow "="): inih reads "command = ;x" as an
 * empty value
 * (" ;" starts a comment), but the same line made longer than 200 bytes
 * gives the command ";xxx...".  A line's meaning must not depend on its
 * length; expected: the empty-value error in both cases.
 */
static void
test_long_line_comment_rule_matches_short(void **state)
{
	static char text[512];
	struct load *l = &the_load;

	load(l, "comment-short.ini", "[ward:a]\ncommand = ;xxxx\n");
	expect_counts(l, 1, 0);
	expect_problem(
	    l, 0, CONFIG_ERROR,
	    "FILE:2: [ward:a] command = \"\": an empty value; remove the line "
	    "to get the default");
	unload(l);

	snprintf(text, sizeof(text), "[ward:a]\ncommand = ;%0300d\n", 0);
	load(l, "comment-long.ini", text);
	if (l->rep.errors == 0) {
		fail_msg("BUG: the long line gave command \"%.20s...\"; "
			 "expected the empty-value error",
			 l->c->wards[0].command);
	}
	expect_counts(l, 1, 0);
	expect_problem(
	    l, 0, CONFIG_ERROR,
	    "FILE:2: [ward:a] command = \"\": an empty value; remove the line "
	    "to get the default");
	unload(l);
}

/*
 * Regression test for a fixed bug (config.c,
 * config_reader/config_reader_sections): a file saved with a UTF-8 byte order
 * mark loses its first section silently.  The reader sees
 * "\xEF\xBB\xBF[ward:a]" as a setting (it has a ':'), inih strips the BOM and
 * opens section "ward:a", but config_section() never ran, so st->cur is NULL
 * and config_ward_key() drops every key without a word. The result is a config
 * with no ward and only the "no [ward:NAME] sections" warning.  Expected:
 * [ward:a] read (inih's own rule), or an error on line 1; never silence.
 */
static void
test_utf8_bom_does_not_drop_first_section(void **state)
{
	static const char *const argv[] = {"/bin/true", NULL};
	struct load *l = &the_load;

	load(l, "bom.ini", "\xEF\xBB\xBF[ward:a]\ncommand = /bin/true\n");
	if (l->c != NULL && l->c->nwards == 0) {
		dump(l);
		fail_msg("BUG: [ward:a] after a BOM was dropped without an "
			 "error");
	}
	if (l->rep.errors > 0) {
		/* An error is acceptable too, if it names line 1. */
		assert_null(l->c);
		assert_non_null(strstr(l->rep.v[0].msg, ".ini:1: "));
	} else {
		expect_counts(l, 0, 0);
		expect_argv(config_ward(l->c, "a"), argv);
	}
	unload(l);
}

/* The cgroup keys: sizes or max, counts, a weight, a CPU share. */
static void
test_cgroup_limits(void **state)
{
	struct load *l = &the_load;
	const struct cgroup_limits *lim;

	load(l, "limits.ini",
	     "[steward]\ncgroups = required\n"
	     "[ward:a]\ncommand = /bin/true\nmemory_max = 64MiB\n"
	     "memory_high = max\npids_max = 100\ncpu_weight = 50\n"
	     "cpu_max = 150%\nmemory_restart = 200MiB for 30s\n");
	expect_counts(l, 0, 0);
	assert_int_equal(l->c->cgroups, CONFIG_CGROUPS_REQUIRED);
	lim = &l->c->wards[0].limits;
	assert_int_equal(lim->memory_max, 64ULL << 20);
	assert_true(lim->memory_high == CGROUP_MAX);
	assert_int_equal(lim->pids_max, 100);
	assert_int_equal(lim->cpu_weight, 50);
	assert_int_equal(lim->cpu_quota_us, 150000);
	assert_int_equal(lim->cpu_period_us, 100000);
	assert_int_equal(lim->memory_restart, 200ULL << 20);
	assert_int_equal(lim->memory_restart_for_ms, 30000);
	unload(l);
}

/* cgroup_controllers: known names, each once; anything else refused. */
static void
test_cgroup_controllers(void **state)
{
	struct load *l = &the_load;
	char need[160];

	load(l, "ctl.ini",
	     "[ward:a]\ncommand = /bin/true\n"
	     "cgroup_controllers = hugetlb  io hugetlb\npids_max = 5\n");
	expect_counts(l, 0, 0);
	assert_string_equal(l->c->wards[0].limits.controllers, "hugetlb io");
	assert_true(cgroup_limits_any(&l->c->wards[0].limits));
	cgroup_limits_controllers(&l->c->wards[0].limits, need, sizeof(need));
	assert_string_equal(need, "pids hugetlb io");
	assert_string_equal(
	    cgroup_limits_key(&l->c->wards[0].limits, "hugetlb"),
	    "cgroup_controllers");
	assert_string_equal(cgroup_limits_key(&l->c->wards[0].limits, "pids"),
			    "pids_max");
	unload(l);
	load(l, "badctl.ini",
	     "[ward:b]\ncommand = /bin/true\ncgroup_controllers = hugepages\n");
	expect_counts(l, 1, 0);
	expect_problem(l, 0, CONFIG_ERROR,
		       "FILE:3: [ward:b] cgroup_controllers = \"hugepages\": "
		       "\"hugepages\" is not a cgroup v2 controller; expected "
		       "names among cpu cpuset io memory pids rdma hugetlb "
		       "misc");
	unload(l);
}

/* Bad cgroup values say what would be accepted. */
static void
test_cgroup_bad_values(void **state)
{
	struct load *l = &the_load;

	load(l, "badlimits.ini",
	     "[steward]\ncgroups = maybe\n"
	     "[ward:a]\ncommand = /bin/true\nmemory_max = lots\n"
	     "cpu_max = 0.5\ncpu_weight = 0\nmemory_restart = 1MiB for "
	     "ever\n");
	expect_counts(l, 5, 0);
	expect_problem(l, 0, CONFIG_ERROR,
		       "FILE:2: [steward] cgroups = \"maybe\": expected "
		       "auto, off or required");
	expect_problem(l, 1, CONFIG_ERROR,
		       "FILE:5: [ward:a] memory_max = \"lots\": expected a "
		       "size such as 512MiB or 2GiB, or max");
	unload(l);
}

/* A limit with cgroups = off cannot be honoured: an error. */
static void
test_cgroup_limit_when_off(void **state)
{
	struct load *l = &the_load;

	load(l, "off.ini",
	     "[steward]\ncgroups = off\n"
	     "[ward:a]\ncommand = /bin/true\npids_max = 10\n");
	expect_counts(l, 1, 0);
	expect_problem(l, 0, CONFIG_ERROR,
		       "FILE:5: [ward:a] pids_max needs a cgroup of its own, "
		       "but [steward] cgroups = off; remove the key or set "
		       "cgroups = auto");
	unload(l);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_teardown(test_every_key_is_parsed, load_teardown),
	    cmocka_unit_test_teardown(test_cgroup_limits, load_teardown),
	    cmocka_unit_test_teardown(test_cgroup_controllers, load_teardown),
	    cmocka_unit_test_teardown(test_cgroup_bad_values, load_teardown),
	    cmocka_unit_test_teardown(test_cgroup_limit_when_off,
				      load_teardown),
	    cmocka_unit_test_teardown(test_defaults, load_teardown),
	    cmocka_unit_test_teardown(test_user_by_uid_and_group_alone,
				      load_teardown),
	    cmocka_unit_test_teardown(test_several_problems_are_all_reported,
				      load_teardown),
	    cmocka_unit_test_teardown(test_long_values_are_read_whole,
				      load_teardown),
	    cmocka_unit_test_teardown(test_lines_around_inih_buffer_are_whole,
				      load_teardown),
	    cmocka_unit_test_teardown(test_crlf_line_endings_work,
				      load_teardown),
	    cmocka_unit_test_teardown(test_indented_continuation_line_is_error,
				      load_teardown),
	    cmocka_unit_test_teardown(test_line_without_equals_is_error,
				      load_teardown),
	    cmocka_unit_test_teardown(
		test_bad_section_header_keys_not_attributed, load_teardown),
	    cmocka_unit_test_teardown(test_duplicate_key_names_both_lines,
				      load_teardown),
	    cmocka_unit_test_teardown(test_duplicate_section_names_both_places,
				      load_teardown),
	    cmocka_unit_test_teardown(test_unknown_key_warns_with_hint,
				      load_teardown),
	    cmocka_unit_test_teardown(test_metrics_keys, load_teardown),
	    cmocka_unit_test_teardown(test_inline_comments_are_stripped,
				      load_teardown),
	    cmocka_unit_test_teardown(test_nul_byte_is_error, load_teardown),
	    cmocka_unit_test_teardown(test_missing_command_is_error,
				      load_teardown),
	    cmocka_unit_test_teardown(
		test_heartbeat_timeout_with_heartbeat_none_is_error,
		load_teardown),
	    cmocka_unit_test_teardown(
		test_zero_start_timeout_with_heartbeat_is_error, load_teardown),
	    cmocka_unit_test_teardown(test_program_and_job_sections,
				      load_teardown),
	    cmocka_unit_test_teardown(test_program_maps_supervisord_keys,
				      load_teardown),
	    cmocka_unit_test_teardown(test_dependencies_and_groups_are_checked,
				      load_teardown),
	    cmocka_unit_test_teardown(test_eventlistener_sections,
				      load_teardown),
	    cmocka_unit_test_teardown(test_program_defaults_and_refusals,
				      load_teardown),
	    cmocka_unit_test_teardown(test_program_expands_every_value,
				      load_teardown),
	    cmocka_unit_test_teardown(test_bad_ward_names_are_errors,
				      load_teardown),
	    cmocka_unit_test_teardown(test_reserved_and_shared_names_are_errors,
				      load_teardown),
	    cmocka_unit_test_teardown(test_steward_section_and_stray_keys,
				      load_teardown),
	    cmocka_unit_test_teardown(test_unknown_user_is_error,
				      load_teardown),
	    cmocka_unit_test_teardown(test_missing_paths_are_warnings,
				      load_teardown),
	    cmocka_unit_test_teardown(
		test_environment_variable_set_twice_is_error, load_teardown),
	    cmocka_unit_test_teardown(test_missing_and_empty_files,
				      load_teardown),
	    cmocka_unit_test_teardown(test_problems_are_in_file_order,
				      load_teardown),
	    cmocka_unit_test_teardown(test_bad_user_and_bad_group_both_reported,
				      load_teardown),
	    cmocka_unit_test_teardown(
		test_setting_hidden_by_comment_is_reported, load_teardown),
	    cmocka_unit_test_teardown(test_long_ward_name_is_whole_in_messages,
				      load_teardown),
	    cmocka_unit_test_teardown(test_long_line_comment_rule_matches_short,
				      load_teardown),
	    cmocka_unit_test_teardown(test_utf8_bom_does_not_drop_first_section,
				      load_teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
