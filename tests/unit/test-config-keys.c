/*
 * Unit tests of the config reader: the keys of [steward], [ward:NAME] and
 * [job:NAME]: every value parsed, the defaults, and each refusal with its
 * wording.
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

/* tail_lines and tail_size: their defaults, values and bounds. */
static void
test_tail_keys(void **state)
{
	struct load *l = &the_load;
	const struct ward_spec *w;

	load(l, "tail.ini",
	     "[ward:a]\ncommand = /bin/true\n"
	     "[ward:b]\ncommand = /bin/true\ntail_lines = 0\n"
	     "tail_size = 1MiB\n");
	expect_counts(l, 0, 0);
	w = config_ward(l->c, "a");
	assert_int_equal(w->tail_lines, 1000);
	assert_int_equal(w->tail_size, 64 * 1024);
	w = config_ward(l->c, "b");
	assert_int_equal(w->tail_lines, 0);
	assert_int_equal(w->tail_size, 1024 * 1024);
	unload(l);
	load(l, "badtail.ini",
	     "[ward:a]\ncommand = /bin/true\ntail_lines = -1\n"
	     "tail_size = 2MiB\n");
	expect_counts(l, 2, 0);
	expect_problem(l, 0, CONFIG_ERROR,
		       "FILE:3: [ward:a] tail_lines = \"-1\": expected a "
		       "whole number from 0 to 1000000");
	expect_problem(l, 1, CONFIG_ERROR,
		       "FILE:4: [ward:a] tail_size = \"2MiB\": expected at "
		       "most 1MiB (0: keep no lines)");
	unload(l);
}

/* output, output_prefix, output_timestamps and the rotation keys. */
static void
test_output_keys(void **state)
{
	struct load *l = &the_load;
	const struct ward_spec *w;

	load(l, "out.ini",
	     "[ward:a]\ncommand = /bin/true\n"
	     "[ward:b]\ncommand = /bin/true\noutput = direct\n"
	     "output_prefix = yes\noutput_timestamps = yes\n"
	     "stdout_max_size = 1KiB\nstdout_backups = 0\n"
	     "stderr_max_size = 0\nstderr_backups = 3\n");
	expect_counts(l, 0, 0);
	w = config_ward(l->c, "a");
	assert_false(w->output_direct);
	assert_false(w->output_prefix);
	assert_false(w->output_timestamps);
	assert_int_equal(w->out.max_size, 50 * 1024 * 1024);
	assert_int_equal(w->out.backups, 10);
	assert_int_equal(w->err.max_size, 50 * 1024 * 1024);
	w = config_ward(l->c, "b");
	assert_true(w->output_direct);
	assert_true(w->output_prefix);
	assert_true(w->output_timestamps);
	assert_int_equal(w->out.max_size, 1024);
	assert_int_equal(w->out.backups, 0);
	assert_int_equal(w->err.max_size, 0);
	assert_int_equal(w->err.backups, 3);
	unload(l);
	load(l, "badout.ini",
	     "[ward:a]\ncommand = /bin/true\noutput = pipe\n"
	     "stdout_backups = 1001\n");
	expect_counts(l, 2, 0);
	expect_problem(l, 0, CONFIG_ERROR,
		       "FILE:3: [ward:a] output = \"pipe\": expected capture "
		       "or direct");
	expect_problem(l, 1, CONFIG_ERROR,
		       "FILE:4: [ward:a] stdout_backups = \"1001\": expected "
		       "a whole number from 0 to 1000");
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
	    "metrics_interval, cgroups, log_dir");
	expect_problem(
	    l, 2, CONFIG_WARNING,
	    "FILE:6: warning: [ward:a] unknown key \"replica\" ignored; did "
	    "you mean replicas?");
	assert_int_equal(config_ward(l->c, "a")->replicas, 1);
	unload(l);

	/* A ward is shown the keys of a ward, a job those of a job. */
	load(l, "unknown-kinds.ini",
	     "[ward:a]\ncommand = /bin/true\nfrobnicate = 1\n"
	     "[job:j]\ncommand = /bin/true\nfrobnicate = 1\n");
	expect_counts(l, 0, 2);
	assert_non_null(strstr(l->rep.v[0].msg, "[ward:a] unknown key"));
	assert_non_null(strstr(l->rep.v[0].msg, " restart_limit, "));
	assert_null(strstr(l->rep.v[0].msg, " max_concurrent"));
	assert_null(strstr(l->rep.v[0].msg, " timeout,"));
	assert_non_null(strstr(l->rep.v[1].msg, "[job:j] unknown key"));
	assert_non_null(strstr(l->rep.v[1].msg, " max_concurrent"));
	assert_null(strstr(l->rep.v[1].msg, " restart_limit"));
	assert_null(strstr(l->rep.v[1].msg, " stdout_backups"));
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

/*
 * Regression test for a fixed bug (config-ward.c, config_ward_identity:
 * "return;" after the user error): a bad user hides a bad group in the same
 * ward, so not every problem is reported.
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

const struct CMUnitTest test_config_keys[] = {
    cmocka_unit_test_teardown(test_every_key_is_parsed, load_teardown),
    cmocka_unit_test_teardown(test_cgroup_limits, load_teardown),
    cmocka_unit_test_teardown(test_cgroup_controllers, load_teardown),
    cmocka_unit_test_teardown(test_cgroup_bad_values, load_teardown),
    cmocka_unit_test_teardown(test_cgroup_limit_when_off, load_teardown),
    cmocka_unit_test_teardown(test_defaults, load_teardown),
    cmocka_unit_test_teardown(test_tail_keys, load_teardown),
    cmocka_unit_test_teardown(test_user_by_uid_and_group_alone, load_teardown),
    cmocka_unit_test_teardown(test_unknown_key_warns_with_hint, load_teardown),
    cmocka_unit_test_teardown(test_metrics_keys, load_teardown),
    cmocka_unit_test_teardown(test_missing_command_is_error, load_teardown),
    cmocka_unit_test_teardown(
	test_heartbeat_timeout_with_heartbeat_none_is_error, load_teardown),
    cmocka_unit_test_teardown(test_zero_start_timeout_with_heartbeat_is_error,
			      load_teardown),
    cmocka_unit_test_teardown(test_bad_ward_names_are_errors, load_teardown),
    cmocka_unit_test_teardown(test_steward_section_and_stray_keys,
			      load_teardown),
    cmocka_unit_test_teardown(test_unknown_user_is_error, load_teardown),
    cmocka_unit_test_teardown(test_output_keys, load_teardown),
    cmocka_unit_test_teardown(test_missing_paths_are_warnings, load_teardown),
    cmocka_unit_test_teardown(test_environment_variable_set_twice_is_error,
			      load_teardown),
    cmocka_unit_test_teardown(test_bad_user_and_bad_group_both_reported,
			      load_teardown),
};
const size_t test_config_keys_n =
    sizeof(test_config_keys) / sizeof(test_config_keys[0]);
