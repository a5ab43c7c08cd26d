/*
 * Unit tests for the control request parser (ctl-proto.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "proto/ctl-proto.h"
#include "base/parse.h"

/* Parse a copy of s; return the result and fill req, code and why. */
static int
parse(const char *s, struct ctl_request *req, const char **code, char *why)
{
	static char buf[CTL_LINE_MAX + 1];
	size_t len = strlen(s);

	memcpy(buf, s, len + 1);
	return ctl_parse(buf, len, req, code, why);
}

/* Parse s expecting failure with code; return the message. */
static const char *
refuse(const char *s, const char *want_code)
{
	static char why[PARSE_WHY];
	struct ctl_request req;
	const char *code = NULL;

	assert_int_equal(parse(s, &req, &code, why), -1);
	assert_non_null(code);
	assert_string_equal(code, want_code);
	return why;
}

/* Every command is recognised with its arguments. */
static void
test_commands(void **state)
{
	struct ctl_request r;
	const char *code;
	char why[PARSE_WHY];

	(void)state;
	assert_int_equal(parse("steward/1 status", &r, &code, why), 0);
	assert_int_equal(r.cmd, CTL_STATUS);
	assert_int_equal(r.nargs, 0);
	assert_int_equal(parse("steward/1 status web api:1", &r, &code, why),
			 0);
	assert_int_equal(r.nargs, 2);
	assert_string_equal(r.args[0], "web");
	assert_string_equal(r.args[1], "api:1");
	assert_int_equal(parse("steward/1 stop --no-wait all", &r, &code, why),
			 0);
	assert_int_equal(r.cmd, CTL_STOP);
	assert_true(r.no_wait);
	assert_string_equal(r.args[0], "all");
	assert_int_equal(parse("steward/1 start web", &r, &code, why), 0);
	assert_int_equal(r.cmd, CTL_START);
	assert_false(r.no_wait);
	assert_int_equal(parse("steward/1 restart a b c", &r, &code, why), 0);
	assert_int_equal(r.cmd, CTL_RESTART);
	assert_int_equal(r.nargs, 3);
	assert_int_equal(parse("steward/1 signal HUP web", &r, &code, why), 0);
	assert_int_equal(r.cmd, CTL_SIGNAL);
	assert_string_equal(r.sig, "HUP");
	assert_string_equal(r.args[0], "web");
	assert_int_equal(parse("steward/1 health", &r, &code, why), 0);
	assert_int_equal(r.cmd, CTL_HEALTH);
	assert_int_equal(parse("steward/1 reopen", &r, &code, why), 0);
	assert_int_equal(r.cmd, CTL_REOPEN);
	assert_int_equal(parse("steward/1 info\r", &r, &code, why), 0);
	assert_int_equal(r.cmd, CTL_INFO);
	assert_string_equal(ctl_cmd_name(CTL_SIGNAL), "signal");
}

/* The version word comes first and must be ours. */
static void
test_version(void **state)
{
	(void)state;
	assert_string_equal(
	    refuse("steward/2 status", "version"),
	    "unknown protocol \"steward/2\"; this stewardd speaks steward/1");
	refuse("status", "version");
}

/* Malformed requests say what is wrong and what would be accepted. */
static void
test_usage_errors(void **state)
{
	(void)state;
	assert_string_equal(
	    refuse("steward/1", "usage"),
	    "no command; expected status, start, stop, restart, signal, "
	    "health, reopen, run, cancel, reload, info or tail");
	assert_string_equal(
	    refuse("steward/1 frob", "usage"),
	    "unknown command \"frob\"; expected status, start, stop, restart, "
	    "signal, health, reopen, run, cancel, reload, info or tail");
	/* stewardctl's own commands are no requests. */
	assert_string_equal(
	    refuse("steward/1 log", "usage"),
	    "unknown command \"log\"; expected status, start, stop, restart, "
	    "signal, health, reopen, run, cancel, reload, info or tail");
	refuse("steward/1 version", "usage");
	refuse("steward/1 check", "usage");
	refuse("steward/1 help", "usage");
	assert_string_equal(
	    refuse("steward/1 stop", "usage"),
	    "no ward named; usage: stop [--no-wait] [--with-dependents] NAME "
	    "... | all");
	assert_string_equal(refuse("steward/1 start --now web", "usage"),
			    "unknown option \"--now\"; usage: start "
			    "[--no-wait] NAME ... | all");
	assert_string_equal(
	    refuse("steward/1 status --no-wait", "usage"),
	    "unknown option \"--no-wait\"; usage: status [NAME ...]");
	assert_string_equal(refuse("steward/1 signal", "usage"),
			    "no signal; usage: signal SIG NAME ... | all");
	assert_string_equal(refuse("steward/1 signal HUP", "usage"),
			    "no ward named; usage: signal SIG NAME ... | all");
	assert_string_equal(refuse("steward/1 health now", "usage"),
			    "unexpected arguments; usage: health");
	refuse("", "usage");
	refuse("steward/1  status", "usage"); /* two spaces */
	refuse("steward/1 status ", "usage"); /* trailing space */
	refuse("steward/1\tstatus", "usage"); /* a tab is not a separator */
	refuse("steward/1 status w\x01", "usage");
	refuse("steward/1 status \xc3\xa9", "usage"); /* not ASCII */
}

/* run takes its options as --name=value, then the job and its args. */
static void
test_run_and_cancel(void **state)
{
	struct ctl_request r;
	const char *code;
	char why[PARSE_WHY];

	(void)state;
	assert_int_equal(parse("steward/1 run --replicas=3 --timeout=5s "
			       "lookup a%20b c",
			       &r, &code, why),
			 0);
	assert_int_equal(r.cmd, CTL_RUN);
	assert_int_equal(r.replicas, 3);
	assert_int_equal(r.timeout_ms, 5000);
	assert_int_equal(r.nargs, 3);
	assert_string_equal(r.args[0], "lookup");
	assert_string_equal(r.args[1], "a%20b");
	assert_int_equal(parse("steward/1 run lookup", &r, &code, why), 0);
	assert_int_equal(r.replicas, 0);
	assert_int_equal(r.timeout_ms, 0);
	assert_string_equal(
	    refuse("steward/1 run", "usage"),
	    "no job named; usage: run [--replicas=N] [--timeout=D] JOB "
	    "[ARG ...]");
	assert_string_equal(
	    refuse("steward/1 run --replicas=0 x", "usage"),
	    "--replicas: expected a whole number from 1 to 1000");
	assert_string_equal(refuse("steward/1 run --timeout=0 x", "usage"),
			    "--timeout: expected a duration above 0");
	assert_int_equal(parse("steward/1 cancel 17", &r, &code, why), 0);
	assert_int_equal(r.cmd, CTL_CANCEL);
	assert_string_equal(r.args[0], "17");
	assert_string_equal(refuse("steward/1 cancel 1 2", "usage"),
			    "unexpected arguments; usage: cancel RUN");
}

/* tail: its options, one NAME, and --previous never with --follow. */
static void
test_tail(void **state)
{
	struct ctl_request r;
	const char *code;
	char why[PARSE_WHY];

	(void)state;
	assert_int_equal(parse("steward/1 tail web:1", &r, &code, why), 0);
	assert_int_equal(r.cmd, CTL_TAIL);
	assert_int_equal(r.lines, -1);
	assert_int_equal(r.since_ms, -1);
	assert_false(r.follow || r.stderr_stream || r.previous);
	assert_string_equal(r.args[0], "web:1");
	assert_int_equal(parse("steward/1 tail --follow --lines=0 --stderr "
			       "--since=2m web",
			       &r, &code, why),
			 0);
	assert_true(r.follow && r.stderr_stream && !r.previous);
	assert_int_equal(r.lines, 0);
	assert_int_equal(r.since_ms, 120000);
	assert_int_equal(parse("steward/1 tail --previous web", &r, &code, why),
			 0);
	assert_true(r.previous);
	assert_string_equal(refuse("steward/1 tail", "usage"),
			    "no ward named; usage: tail [--follow] [--lines=N] "
			    "[--stderr] [--previous] [--since=D] NAME");
	assert_string_equal(refuse("steward/1 tail a b", "usage"),
			    "unexpected arguments; usage: tail [--follow] "
			    "[--lines=N] [--stderr] [--previous] [--since=D] "
			    "NAME");
	assert_string_equal(refuse("steward/1 tail --lines=-1 web", "usage"),
			    "--lines: expected a whole number from 0 to "
			    "1000000");
	assert_string_equal(refuse("steward/1 tail --since=x web", "usage"),
			    "--since: expected a duration such as 250ms, 3s, "
			    "2m or 1h (units us, ms, s, m, h)");
	assert_string_equal(
	    refuse("steward/1 tail --previous --follow web", "usage"),
	    "--previous and --follow do not go together: the previous "
	    "process writes no more");
	/* Another command's options are not tail's, nor tail's theirs. */
	refuse("steward/1 tail --no-wait web", "usage");
	refuse("steward/1 status --follow", "usage");
}

/* A NUL inside the line is refused. */
static void
test_nul_byte(void **state)
{
	char buf[] = "steward/1 status\0web";
	struct ctl_request r;
	const char *code;
	char why[PARSE_WHY];

	(void)state;
	assert_int_equal(ctl_parse(buf, sizeof(buf) - 1, &r, &code, why), -1);
	assert_string_equal(why, "a NUL byte in the request");
}

/* Word and argument limits hold exactly at their bounds. */
static void
test_limits(void **state)
{
	char line[CTL_LINE_MAX + 1];
	char word[CTL_WORD_MAX + 2];
	struct ctl_request r;
	const char *code;
	char why[PARSE_WHY];
	size_t n;

	(void)state;
	memset(word, 'w', CTL_WORD_MAX);
	word[CTL_WORD_MAX] = '\0';
	snprintf(line, sizeof(line), "steward/1 status %s", word);
	assert_int_equal(parse(line, &r, &code, why), 0);
	assert_int_equal(strlen(r.args[0]), CTL_WORD_MAX);
	word[CTL_WORD_MAX] = 'w';
	word[CTL_WORD_MAX + 1] = '\0';
	snprintf(line, sizeof(line), "steward/1 status %s", word);
	assert_int_equal(parse(line, &r, &code, why), -1);

	n = (size_t)snprintf(line, sizeof(line), "steward/1 status");
	for (int i = 0; i < CTL_ARGS_MAX; i++)
		n += (size_t)snprintf(line + n, sizeof(line) - n, " a");
	assert_int_equal(parse(line, &r, &code, why), 0);
	assert_int_equal(r.nargs, CTL_ARGS_MAX);
	snprintf(line + n, sizeof(line) - n, " a");
	assert_int_equal(parse(line, &r, &code, why), -1);
	assert_string_equal(why, "more than 64 arguments");
}

/* One record a command, each complete for both sides. */
static void
test_command_table(void **state)
{
	(void)state;
	for (size_t c = 0; c < CTL_NCMDS; c++) {
		const struct ctl_cmd_def *d = &ctl_cmds[c];

		assert_non_null(d->name);
		assert_string_equal(ctl_cmd_name((enum ctl_cmd)c), d->name);
		assert_non_null(d->synopsis);
		assert_non_null(d->summary);
		assert_non_null(d->help);
		assert_true(d->max_args >= d->min_args);
		/* The synopsis starts with the command's word. */
		assert_int_equal(strncmp(d->synopsis, d->name, strlen(d->name)),
				 0);
		if (!d->local) {
			assert_non_null(d->usage);
			assert_int_equal(
			    strncmp(d->usage, d->name, strlen(d->name)), 0);
		}
		for (size_t k = 0; k < c; k++)
			assert_string_not_equal(ctl_cmds[k].name, d->name);
	}
	assert_string_equal(ctl_cmd_name(CTL_NCMDS), "unknown");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_commands),
	    cmocka_unit_test(test_command_table),
	    cmocka_unit_test(test_version),
	    cmocka_unit_test(test_usage_errors),
	    cmocka_unit_test(test_run_and_cancel),
	    cmocka_unit_test(test_tail),
	    cmocka_unit_test(test_nul_byte),
	    cmocka_unit_test(test_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
