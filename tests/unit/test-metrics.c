/*
 * Unit tests for the metrics renderer (metrics-render.c): a snapshot in,
 * Prometheus text out.  The renderer has no clock and no I/O, so the
 * tests compare whole documents, render them in pieces of every size,
 * and check the rules of the text format on what comes out.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "daemon/metrics.h"

static const char *const test_states[] = {"stopped", "running", "failed"};
static const char *const test_reasons[] = {"exit", "heartbeat_timeout"};

/* A document with two instances of one ward, one of another, one job. */
static void
test_doc(struct metrics_doc *d, struct metrics_inst inst[3],
	 struct metrics_job *job)
{
	inst[0] = (struct metrics_inst){.ward = "web",
					.replica = 0,
					.state = 1,
					.last_beat_age = 0.25,
					.beats = 120,
					.tokens = 5,
					.restarts = {0, 2}};
	inst[1] = (struct metrics_inst){.ward = "web",
					.replica = 1,
					.state = 1,
					.last_beat_age = 0,
					.beats = 7,
					.tokens = 4.5};
	inst[2] = (struct metrics_inst){.ward = "crash",
					.replica = 0,
					.state = 2,
					.last_beat_age = -1,
					.beats = 0,
					.tokens = 0.125,
					.restarts = {3, 0}};
	*job = (struct metrics_job){
	    .job = "lookup", .outcome = "success", .runs = 4};
	*d = (struct metrics_doc){.version = "0.1.0",
				  .start_time = 1700000000.5,
				  .orphans_reaped = 9,
				  .events_lost = 1,
				  .states = test_states,
				  .nstates = 3,
				  .reasons = test_reasons,
				  .nreasons = 2,
				  .inst = inst,
				  .ninst = 3,
				  .jobs = job,
				  .njobs = 1};
}

/* Render the whole document in one call. */
static char *
render_all(const struct metrics_doc *d)
{
	struct metrics_cursor c = {0};
	struct sbuf b = {0};

	assert_true(metrics_render(d, &c, &b, SIZE_MAX));
	return b.s != NULL ? b.s : strdup("");
}

static const char expected[] =
    "# HELP steward_build_info Always 1; the version of stewardd as a "
    "label.\n"
    "# TYPE steward_build_info gauge\n"
    "steward_build_info{version=\"0.1.0\"} 1\n"
    "# HELP steward_start_time_seconds When stewardd started, in seconds "
    "since the Unix epoch.\n"
    "# TYPE steward_start_time_seconds gauge\n"
    "steward_start_time_seconds 1700000000.500\n"
    "# HELP steward_orphans_reaped_total Processes reaped by stewardd that "
    "were no ward's main process (orphans of wards).\n"
    "# TYPE steward_orphans_reaped_total counter\n"
    "steward_orphans_reaped_total 9\n"
    "# HELP steward_events_lost_total Event-log records that could not be "
    "written.\n"
    "# TYPE steward_events_lost_total counter\n"
    "steward_events_lost_total 1\n"
    "# HELP steward_ward_state 1 for the state the ward instance is in, 0 "
    "for the others.\n"
    "# TYPE steward_ward_state gauge\n"
    "steward_ward_state{ward=\"web\",replica=\"0\",state=\"stopped\"} 0\n"
    "steward_ward_state{ward=\"web\",replica=\"0\",state=\"running\"} 1\n"
    "steward_ward_state{ward=\"web\",replica=\"0\",state=\"failed\"} 0\n"
    "steward_ward_state{ward=\"web\",replica=\"1\",state=\"stopped\"} 0\n"
    "steward_ward_state{ward=\"web\",replica=\"1\",state=\"running\"} 1\n"
    "steward_ward_state{ward=\"web\",replica=\"1\",state=\"failed\"} 0\n"
    "steward_ward_state{ward=\"crash\",replica=\"0\",state=\"stopped\"} 0\n"
    "steward_ward_state{ward=\"crash\",replica=\"0\",state=\"running\"} 0\n"
    "steward_ward_state{ward=\"crash\",replica=\"0\",state=\"failed\"} 1\n"
    "# HELP steward_ward_restarts_total Restarts by healing (the restart "
    "policy), by the reason the instance ended.\n"
    "# TYPE steward_ward_restarts_total counter\n"
    "steward_ward_restarts_total{ward=\"web\",replica=\"0\",reason=\"exit\"}"
    " 0\n"
    "steward_ward_restarts_total{ward=\"web\",replica=\"0\",reason="
    "\"heartbeat_timeout\"} 2\n"
    "steward_ward_restarts_total{ward=\"web\",replica=\"1\",reason=\"exit\"}"
    " 0\n"
    "steward_ward_restarts_total{ward=\"web\",replica=\"1\",reason="
    "\"heartbeat_timeout\"} 0\n"
    "steward_ward_restarts_total{ward=\"crash\",replica=\"0\",reason="
    "\"exit\"} 3\n"
    "steward_ward_restarts_total{ward=\"crash\",replica=\"0\",reason="
    "\"heartbeat_timeout\"} 0\n"
    "# HELP steward_ward_last_beat_age_seconds Seconds since the "
    "instance's last heartbeat; absent when its process has not beaten.\n"
    "# TYPE steward_ward_last_beat_age_seconds gauge\n"
    "steward_ward_last_beat_age_seconds{ward=\"web\",replica=\"0\"} 0.250\n"
    "steward_ward_last_beat_age_seconds{ward=\"web\",replica=\"1\"} 0.000\n"
    "# HELP steward_ward_beats_total Heartbeats heard from the instance, "
    "over all its processes.\n"
    "# TYPE steward_ward_beats_total counter\n"
    "steward_ward_beats_total{ward=\"web\",replica=\"0\"} 120\n"
    "steward_ward_beats_total{ward=\"web\",replica=\"1\"} 7\n"
    "steward_ward_beats_total{ward=\"crash\",replica=\"0\"} 0\n"
    "# HELP steward_ward_restart_tokens Tokens left in the instance's "
    "restart bucket (restart_limit); below 1 it fails instead of "
    "restarting.\n"
    "# TYPE steward_ward_restart_tokens gauge\n"
    "steward_ward_restart_tokens{ward=\"web\",replica=\"0\"} 5.000\n"
    "steward_ward_restart_tokens{ward=\"web\",replica=\"1\"} 4.500\n"
    "steward_ward_restart_tokens{ward=\"crash\",replica=\"0\"} 0.125\n"
    "# HELP steward_job_runs_total Runs of a job, by outcome.\n"
    "# TYPE steward_job_runs_total counter\n"
    "steward_job_runs_total{job=\"lookup\",outcome=\"success\"} 4\n";

/* The whole document, byte for byte. */
static void
test_document(void **state __attribute__((unused)))
{
	struct metrics_inst inst[3];
	struct metrics_job job;
	struct metrics_doc d;
	char *text;

	test_doc(&d, inst, &job);
	text = render_all(&d);
	assert_string_equal(text, expected);
	free(text);
}

/* Rendered in pieces of any size, the text is the same. */
static void
test_pieces(void **state __attribute__((unused)))
{
	static const size_t budgets[] = {0, 1, 7, 64, 100, 1000, 4096};
	struct metrics_inst inst[3];
	struct metrics_job job;
	struct metrics_doc d;
	char *whole;

	test_doc(&d, inst, &job);
	whole = render_all(&d);
	for (size_t k = 0; k < sizeof(budgets) / sizeof(budgets[0]); k++) {
		struct metrics_cursor c = {0};
		struct sbuf b = {0};
		unsigned calls = 0;

		for (;;) {
			size_t before = b.len;
			bool done = metrics_render(&d, &c, &b, budgets[k]);

			calls++;
			/* Every call but the last makes progress. */
			assert_true(done || b.len > before);
			if (done)
				break;
			assert_true(calls < 100000);
		}
		assert_string_equal(b.s, whole);
		/* A small budget takes many calls, a big one few. */
		if (budgets[k] <= 1)
			assert_true(calls > 10);
		sbuf_free(&b);
	}
	free(whole);
}

/* A finished cursor renders nothing more. */
static void
test_done_is_done(void **state __attribute__((unused)))
{
	struct metrics_inst inst[3];
	struct metrics_job job;
	struct metrics_doc d;
	struct metrics_cursor c = {0};
	struct sbuf b = {0};
	size_t len;

	test_doc(&d, inst, &job);
	assert_true(metrics_render(&d, &c, &b, SIZE_MAX));
	len = b.len;
	assert_true(metrics_render(&d, &c, &b, SIZE_MAX));
	assert_int_equal(b.len, len);
	sbuf_free(&b);
}

/* With no instances and no jobs, only stewardd's own families. */
static void
test_empty(void **state __attribute__((unused)))
{
	struct metrics_doc d = {.version = "0.1.0",
				.states = test_states,
				.nstates = 3,
				.reasons = test_reasons,
				.nreasons = 2};
	char *text = render_all(&d);

	assert_non_null(
	    strstr(text, "steward_build_info{version=\"0.1.0\"} 1\n"));
	assert_non_null(strstr(text, "steward_orphans_reaped_total 0\n"));
	assert_null(strstr(text, "steward_ward_"));
	assert_null(strstr(text, "steward_job_"));
	free(text);
}

/* Label values escape backslash, quote and newline, and nothing else. */
static void
test_label_escaping(void **state __attribute__((unused)))
{
	struct sbuf b = {0};

	metrics_label_value(&b, "a\\b\"c\nd:e.f-g_h");
	assert_string_equal(b.s, "\"a\\\\b\\\"c\\nd:e.f-g_h\"");
	b.len = 0;
	metrics_label_value(&b, "");
	assert_string_equal(b.s, "\"\"");
	sbuf_free(&b);
}

/* A ward name with odd bytes is escaped wherever it appears. */
static void
test_escaped_in_samples(void **state __attribute__((unused)))
{
	struct metrics_inst inst = {
	    .ward = "we\"b", .state = 0, .tokens = 1, .last_beat_age = 1};
	struct metrics_doc d = {.states = test_states,
				.nstates = 3,
				.reasons = test_reasons,
				.nreasons = 2,
				.inst = &inst,
				.ninst = 1};
	char *text = render_all(&d);

	assert_non_null(strstr(
	    text,
	    "steward_ward_beats_total{ward=\"we\\\"b\",replica=\"0\"} 0\n"));
	assert_null(strstr(text, "\"we\"b\""));
	free(text);
}

/* True when name is the metric a sample line is of. */
static size_t
sample_name_len(const char *line)
{
	return strcspn(line, "{ ");
}

/*
 * The rules of the text format on a big document: every line ends in a
 * newline; a family's HELP and TYPE come once, before its samples; a
 * family's samples are contiguous; counters end in _total.
 */
static void
test_format_rules(void **state __attribute__((unused)))
{
	enum { N = 500 };
	struct metrics_inst *inst = calloc(N, sizeof(*inst));
	struct metrics_doc d = {.version = "v",
				.states = test_states,
				.nstates = 3,
				.reasons = test_reasons,
				.nreasons = 2,
				.inst = inst,
				.ninst = N};
	char seen[64][64];
	size_t nseen = 0;
	char current[64] = "", typed[64] = "";
	char *text, *line, *save = NULL;

	assert_non_null(inst);
	for (size_t i = 0; i < N; i++)
		inst[i] =
		    (struct metrics_inst){.ward = i % 2 ? "a" : "b",
					  .replica = (unsigned)i,
					  .state = (unsigned)(i % 3),
					  .last_beat_age = i % 5 ? 1.5 : -1,
					  .tokens = 2};
	text = render_all(&d);
	assert_true(text[strlen(text) - 1] == '\n');
	for (line = strtok_r(text, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		char name[64];
		size_t n;

		if (strncmp(line, "# TYPE ", 7) == 0) {
			n = strcspn(line + 7, " ");
			snprintf(typed, sizeof(typed), "%.*s", (int)n,
				 line + 7);
			if (strcmp(line + 7 + n, " counter") == 0)
				assert_non_null(strstr(typed, "_total"));
			continue;
		}
		if (line[0] == '#')
			continue;
		n = sample_name_len(line);
		snprintf(name, sizeof(name), "%.*s", (int)n, line);
		/* Typed just before, or the family already running. */
		assert_string_equal(name, typed);
		if (strcmp(name, current) != 0) {
			for (size_t k = 0; k < nseen; k++)
				assert_string_not_equal(seen[k], name);
			assert_true(nseen < 64);
			snprintf(seen[nseen++], sizeof(seen[0]), "%s", name);
			snprintf(current, sizeof(current), "%s", name);
		}
		/* name{labels} value, the value a number. */
		assert_non_null(strchr(line, ' '));
		assert_true(strchr(line, ' ')[1] != '\0');
	}
	free(text);
	free(inst);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_document),
	    cmocka_unit_test(test_pieces),
	    cmocka_unit_test(test_done_is_done),
	    cmocka_unit_test(test_empty),
	    cmocka_unit_test(test_label_escaping),
	    cmocka_unit_test(test_escaped_in_samples),
	    cmocka_unit_test(test_format_rules),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
