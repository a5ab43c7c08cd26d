/*
 * Unit tests of the config reader: the supervisord.conf dialect:
 * [program:NAME], [eventlistener:NAME], their expansions, defaults and
 * refusals.
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

/* A {SHA} password is 40 lowercase hex digits; anything else is refused. */
static void
test_http_sha_password(void **state)
{
	struct load *l = &the_load;

	load(l, "sha.ini",
	     "[unix_http_server]\nfile = /tmp/s.sock\nusername = u\n"
	     "password = {SHA}fef341f85d87439e7d91a2d465b9871ef66b5e98\n"
	     "[program:p]\ncommand = /bin/true\n");
	expect_counts(l, 0, 0);
	assert_string_equal(l->c->unix_http.password,
			    "{SHA}fef341f85d87439e7d91a2d465b9871ef66b5e98");
	unload(l);

	load(l, "shabad.ini",
	     "[unix_http_server]\nfile = /tmp/s.sock\nusername = u\n"
	     "password = {SHA}FEF341\n[program:p]\ncommand = /bin/true\n");
	expect_problem(l, 1, CONFIG_ERROR,
		       "FILE:4: [unix_http_server] password = \"{SHA}FEF341\": "
		       "a {SHA} password is 40 lowercase hex digits (the SHA-1 "
		       "of the password) after {SHA}");
	unload(l);
}

/* AUTO log files: childlogdir, else [steward] log_dir; NAME-stream.log. */
static void
test_auto_logfiles(void **state)
{
	struct load *l = &the_load;
	const struct ward_spec *w;

	load(l, "auto.ini",
	     "[supervisord]\nchildlogdir = /srv/logs\n"
	     "[program:a]\ncommand = /bin/true\n"
	     "stderr_logfile_backups = 2\n");
	w = config_ward(l->c, "a");
	assert_non_null(w);
	assert_int_equal(w->procs[0].out.kind, CONFIG_OUT_FILE);
	assert_string_equal(w->procs[0].out.path, "/srv/logs/a-stdout.log");
	assert_true(w->procs[0].out.auto_dir);
	assert_string_equal(w->procs[0].err.path, "/srv/logs/a-stderr.log");
	assert_int_equal(w->procs[0].err.backups, 2);
	unload(l);
	load(l, "auto2.ini",
	     "[steward]\nlog_dir = /var/log/here\n"
	     "[program:b]\ncommand = /bin/true\n");
	w = config_ward(l->c, "b");
	assert_non_null(w);
	assert_string_equal(w->procs[0].out.path, "/var/log/here/b-stdout.log");
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
	expect_counts(l, 0, 1);
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
	/* supervisord's MB is 1024 * 1024; _backups defaults to 10 */
	assert_int_equal(w->procs[2].out.max_size, 1024 * 1024);
	assert_int_equal(w->procs[2].out.backups, 10);
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
	/* AUTO: a file of its own in the log directory */
	assert_int_equal(w->procs[0].out.kind, CONFIG_OUT_FILE);
	assert_true(w->procs[0].out.auto_dir);
	assert_int_equal(w->procs[0].out.max_size, 50 * 1024 * 1024);
	assert_int_equal(w->procs[0].out.backups, 10);
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
		       "(given to every program) and childlogdir are used; "
		       "stewardd takes the rest from [steward] and its command "
		       "line");
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

const struct CMUnitTest test_config_supervisord[] = {
    cmocka_unit_test_teardown(test_program_and_job_sections, load_teardown),
    cmocka_unit_test_teardown(test_http_sha_password, load_teardown),
    cmocka_unit_test_teardown(test_auto_logfiles, load_teardown),
    cmocka_unit_test_teardown(test_program_maps_supervisord_keys,
			      load_teardown),
    cmocka_unit_test_teardown(test_eventlistener_sections, load_teardown),
    cmocka_unit_test_teardown(test_program_defaults_and_refusals,
			      load_teardown),
    cmocka_unit_test_teardown(test_program_expands_every_value, load_teardown),
};
const size_t test_config_supervisord_n =
    sizeof(test_config_supervisord) / sizeof(test_config_supervisord[0]);
