/*
 * Unit tests of the config reader: the line reader and the files: lines inih
 * could cut or join, comments, NUL bytes, CRLF, a BOM, missing files, and
 * problems in file order.
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
 * Regression test for a fixed bug (config.c and config-ward.c,
 * config_load/config_ward_finish): config.h promises the problems "in file
 * order", but the checks made once a section is read (missing command,
 * heartbeat_timeout with heartbeat = none, start_timeout = 0, user, group,
 * directory, command path) are appended after every problem of the whole file.
 * Here line 4's error comes after line 6's.
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
 * Regression test for a fixed bug (config-reader.c, config_reader): a line
 * whose "=" comes after an inline comment (" ;") passes the reader's check
 * (strcspn finds the "="), but inih sees no "=" before the comment and only
 * records its line number; config_load() then reports "cannot read this line as
 * INI" only if nothing else was wrong, and only for the first such line.
 * Expected: each such line reported, like any line without "=", whatever else
 * is in the file.
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
 * Regression test for a fixed bug (config-reader.c; inih keeps the section name
 * in a 50-byte buffer): a ward name of 45 to 64 bytes (the documented limit) is
 * cut short in every message about its keys: "[ward:nnn...]" shows 44 of 60
 * bytes. The reader should name the section from its own copy
 * (st->cur->spec.name).
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
 * Regression test for a fixed bug (config-reader.c, config_long_value: "q > p"
 * skips a
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
 * Regression test for a fixed bug (config-reader.c,
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

const struct CMUnitTest test_config_reader[] = {
    cmocka_unit_test_teardown(test_several_problems_are_all_reported,
			      load_teardown),
    cmocka_unit_test_teardown(test_long_values_are_read_whole, load_teardown),
    cmocka_unit_test_teardown(test_lines_around_inih_buffer_are_whole,
			      load_teardown),
    cmocka_unit_test_teardown(test_crlf_line_endings_work, load_teardown),
    cmocka_unit_test_teardown(test_indented_continuation_line_is_error,
			      load_teardown),
    cmocka_unit_test_teardown(test_line_without_equals_is_error, load_teardown),
    cmocka_unit_test_teardown(test_bad_section_header_keys_not_attributed,
			      load_teardown),
    cmocka_unit_test_teardown(test_duplicate_key_names_both_lines,
			      load_teardown),
    cmocka_unit_test_teardown(test_duplicate_section_names_both_places,
			      load_teardown),
    cmocka_unit_test_teardown(test_inline_comments_are_stripped, load_teardown),
    cmocka_unit_test_teardown(test_nul_byte_is_error, load_teardown),
    cmocka_unit_test_teardown(test_missing_and_empty_files, load_teardown),
    cmocka_unit_test_teardown(test_problems_are_in_file_order, load_teardown),
    cmocka_unit_test_teardown(test_setting_hidden_by_comment_is_reported,
			      load_teardown),
    cmocka_unit_test_teardown(test_long_ward_name_is_whole_in_messages,
			      load_teardown),
    cmocka_unit_test_teardown(test_long_line_comment_rule_matches_short,
			      load_teardown),
    cmocka_unit_test_teardown(test_utf8_bom_does_not_drop_first_section,
			      load_teardown),
};
const size_t test_config_reader_n =
    sizeof(test_config_reader) / sizeof(test_config_reader[0]);
