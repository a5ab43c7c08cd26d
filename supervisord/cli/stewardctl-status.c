/*
 * stewardctl status, info, version and check: what stewardd and its
 * instances are, as tables for people or stewardd's document as it is.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "config/config.h"
#include "proto/ctl-proto.h"
#include "base/err.h"
#include "cli/json-read.h"
#include "cli/stewardctl.h"

/* ---------------------------------------------------------------- */
/* Commands that talk to stewardd                                   */
/* ---------------------------------------------------------------- */

/*
 * A count of tokens, floored to tenths (4.99 tokens is not yet 5); from
 * 10,000 up in thousands or millions, so that a supervisord program's
 * 1000000/1s reads 1M/1M and stays in its column.
 */
static void
stewardctl_status_count(double v, char *buf, size_t len)
{
	const char *unit = "";

	if (v >= 1e6) {
		v /= 1e6;
		unit = "M";
	} else if (v >= 1e4) {
		v /= 1e3;
		unit = "k";
	}
	v = (double)(int64_t)(v * 10) / 10;
	snprintf(buf, len, "%.*f%s", v == (double)(int64_t)v ? 0 : 1, v, unit);
}

/* The restart tokens left of the burst: "4.5/5", "5/5", "1M/1M". */
static void
stewardctl_status_tokens(const json_t *in, char *buf, size_t len)
{
	const char *limit = json_string_value(json_object_get(in, "limit"));
	double tok, burst;
	char t[24], b[24];

	if (!json_is_number(json_object_get(in, "tokens")) || limit == NULL ||
	    (tok = json_number_value(json_object_get(in, "tokens"))) < 0 ||
	    tok > 1e9) {
		snprintf(buf, len, "-");
		return;
	}
	stewardctl_status_count(tok, t, sizeof(t));
	/* The burst is what the limit says before its slash. */
	burst = strtod(limit, NULL);
	if (burst >= 1e4 && burst <= 1e9) {
		stewardctl_status_count(burst, b, sizeof(b));
		snprintf(buf, len, "%s/%s", t, b);
	} else {
		snprintf(buf, len, "%s/%.*s", t, (int)strcspn(limit, "/"),
			 limit);
	}
}

/* CPU time of the instance's processes: 0.12s, 3.4s, 2m10s; or -. */
static void
stewardctl_status_cpu(const json_t *in, char *buf, size_t len)
{
	int64_t us = stewardctl_int(in, "cpu_usec", -1);

	if (us < 0)
		snprintf(buf, len, "-");
	else if (us < 10000000)
		snprintf(buf, len, "%.2fs", (double)us / 1e6);
	else if (us < 100000000)
		snprintf(buf, len, "%.1fs", (double)us / 1e6);
	else
		stewardctl_human_ms(us / 1000, false, buf, len);
}

/*
 * One instance: a row of cells, and under it the reason of its last
 * restart, stop or failure.  On a terminal the free text is cut to the
 * width; anywhere else it is whole.
 */
static void
stewardctl_status_row(const struct stewardctl_ctx *c, const json_t *in,
		      size_t namew, bool usage)
{
	const char *st = json_string_value(json_object_get(in, "state"));
	const char *work = json_string_value(json_object_get(in, "work"));
	const char *status = json_string_value(json_object_get(in, "status"));
	const char *reason = json_string_value(json_object_get(in, "reason"));
	int64_t p = stewardctl_int(in, "pid", 0),
		uptime = stewardctl_int(in, "uptime_ms", 0);
	int64_t log_id;
	char *label = stewardctl_label(in),
	     *state = stewardctl_clean(st ? st : "?", 0);
	char up[32], beat[32], tokens[48], pid[24], restarts[24], *text;
	size_t used = namew + CTL_STATUS_FIXED;
	struct sbuf b = {0};

	snprintf(pid, sizeof(pid), p > 0 ? "%" PRId64 : "-", p);
	if (p > 0 && uptime > 0)
		stewardctl_human_ms(uptime, false, up, sizeof(up));
	else
		snprintf(up, sizeof(up), "-");
	stewardctl_human_ms(stewardctl_int(in, "last_beat_ms", -1), true, beat,
			    sizeof(beat));
	snprintf(restarts, sizeof(restarts), "%" PRId64,
		 stewardctl_int(in, "restarts", 0));
	stewardctl_status_tokens(in, tokens, sizeof(tokens));

	stewardctl_cell(c, label, namew, false, NULL);
	printf("  ");
	stewardctl_cell(c, state, 8, false, stewardctl_color(st));
	printf("  ");
	stewardctl_cell(c, pid, 7, true, NULL);
	printf("  ");
	stewardctl_cell(c, up, 6, true, NULL);
	printf("  ");
	stewardctl_cell(c, beat, 5, true, NULL);
	printf("  ");
	stewardctl_cell(c, restarts, 8, true, NULL);
	printf("  ");
	stewardctl_cell(c, tokens, 7, true, NULL);
	if (usage) {
		char cpu[32], procs[24];

		stewardctl_status_cpu(in, cpu, sizeof(cpu));
		if (json_object_get(in, "procs") != NULL)
			snprintf(procs, sizeof(procs), "%" PRId64,
				 stewardctl_int(in, "procs", 0));
		else
			snprintf(procs, sizeof(procs), "-");
		printf("  ");
		stewardctl_cell(c, cpu, 6, true, NULL);
		printf("  ");
		stewardctl_cell(c, procs, 5, true, NULL);
		used += CTL_STATUS_USAGE;
	}
	if (work != NULL)
		sbuf_addf(&b, "work=%s", work);
	if (status != NULL)
		sbuf_addf(&b, "%s%s", work ? " " : "", status);
	if (b.s != NULL) {
		text = stewardctl_clean(b.s, c->width > 0 &&
						     (size_t)c->width > used + 4
						 ? (size_t)c->width - used
						 : 0);
		printf("  %s", text);
		free(text);
	}
	putchar('\n');
	sbuf_free(&b);
	if (reason != NULL) {
		sbuf_addf(&b, "%s", reason);
		if (json_read_int(json_object_get(in, "log_id"), &log_id) == 0)
			sbuf_addf(&b, " [log %" PRId64 "]", log_id);
		text = stewardctl_clean(b.s, c->width > 8 ? (size_t)c->width - 4
							  : 0);
		printf("    %s\n", text);
		free(text);
		sbuf_free(&b);
	}
	free(label);
	free(state);
}

/* The runs of jobs in flight, under the instances: RUN is what cancel takes. */
static void
stewardctl_status_runs(struct stewardctl_ctx *c, const json_t *runs)
{
	if (!json_is_array(runs) || json_array_size(runs) == 0)
		return;
	putchar('\n');
	if (c->color)
		fputs(CTL_BOLD, stdout);
	printf("%6s  %-24s  %8s  %5s  %8s  %8s", "RUN", "JOB", "REPLICAS",
	       "LIVE", "ELAPSED", "TIMEOUT");
	if (c->color)
		fputs(CTL_RESET, stdout);
	putchar('\n');
	for (size_t i = 0; i < json_array_size(runs); i++) {
		const json_t *r = json_array_get(runs, i);
		char *job = stewardctl_clean(
		    json_string_value(json_object_get(r, "job")), 24);
		char el[32], to[32];

		stewardctl_human_ms(stewardctl_int(r, "elapsed_ms", 0), true,
				    el, sizeof(el));
		stewardctl_human_ms(stewardctl_int(r, "timeout_ms", 0), true,
				    to, sizeof(to));
		printf("%6" PRId64 "  ", stewardctl_int(r, "run", 0));
		stewardctl_cell(c, job, 24, false, NULL);
		printf("  %8" PRId64 "  %5" PRId64 "  %8s  %8s\n",
		       stewardctl_int(r, "replicas", 0),
		       stewardctl_int(r, "live", 0), el, to);
		free(job);
	}
}

/* status [NAME ...] [--json] */
int
stewardctl_status_cmd(struct stewardctl_ctx *c, const struct ctl_cmd_def *cmd,
		      struct stewardctl_args *a)
{
	struct stewardctl_reply r;
	const json_t *list, *daemon;
	char *what = stewardctl_what(a->names, a->nnames), *msg;
	size_t namew = 4;
	bool usage = false;
	int64_t lost;
	int rc;

	msg = xasprintf("get the status of %s", what);
	free(what);
	rc = stewardctl_client_ask(c, cmd->name, a->names, a->nnames, a,
				   CTL_TIMEOUT_MS, false, &r, msg);
	free(msg);
	if (rc != 0 || a->json) {
		stewardctl_client_reply_free(&r);
		return rc;
	}
	list = json_object_get(r.doc, "instances");
	daemon = json_object_get(r.doc, "daemon");
	if (!json_is_array(list)) {
		stewardctl_client_reply_free(&r);
		return stewardctl_fail(
		    EX_DATAERR, ERR_NEW("the reply has no \"instances\" array"),
		    "cannot read stewardd's status");
	}
	for (size_t i = 0; i < json_array_size(list); i++) {
		char *label = stewardctl_label(json_array_get(list, i));
		size_t w = stewardctl_cols(label);

		if (w > namew)
			namew = w < CTL_NAME_WIDTH_MAX ? w : CTL_NAME_WIDTH_MAX;
		free(label);
		/* Instances in cgroups: their usage gets columns. */
		if (json_object_get(json_array_get(list, i), "cpu_usec") !=
		    NULL)
			usage = true;
	}
	if (c->color)
		fputs(CTL_BOLD, stdout);
	printf("%-*s  %-8s  %7s  %6s  %5s  %8s  %7s", (int)namew, "NAME",
	       "STATE", "PID", "UPTIME", "BEAT", "RESTARTS", "TOKENS");
	if (usage)
		printf("  %6s  %5s", "CPU", "PROCS");
	printf("  %s", "WORK/STATUS");
	if (c->color)
		fputs(CTL_RESET, stdout);
	putchar('\n');
	for (size_t i = 0; i < json_array_size(list); i++)
		stewardctl_status_row(c, json_array_get(list, i), namew, usage);
	if (json_array_size(list) == 0)
		printf("(no instances)\n");
	stewardctl_status_runs(c, json_object_get(r.doc, "runs"));
	lost = stewardctl_int(daemon, "events_lost", 0);
	if (lost > 0)
		printf("stewardd lost %" PRId64 " event log record%s (the log "
		       "could not be written)\n",
		       lost, lost == 1 ? "" : "s");
	stewardctl_client_reply_free(&r);
	return 0;
}

/* A number as text: an exact integer as one, else "%g". */
char *
stewardctl_status_number_text(const json_t *m)
{
	int64_t i;

	if (json_read_int(m, &i) == 0)
		return xasprintf("%" PRId64, i);
	return xasprintf("%g", json_number_value(m));
}

/* Print the daemon object of "info" as aligned key/value lines. */
static void
stewardctl_status_print_daemon(json_t *d, int64_t protocol)
{
	const char *key;
	json_t *m;
	int width = (int)strlen("protocol");

	/* One column for the values, past the longest key. */
	json_object_foreach(d, key, m)
	{
		size_t klen = strlen(key);

		if (klen > 3 && strcmp(key + klen - 3, "_ms") == 0)
			klen -= 3;
		if (klen < 64 && (int)klen > width)
			width = (int)klen;
	}
	json_object_foreach(d, key, m)
	{
		size_t klen = strlen(key);
		char buf[64], *v = NULL;
		int64_t ms;

		if (klen > 3 && strcmp(key + klen - 3, "_ms") == 0 &&
		    json_read_int(m, &ms) == 0) {
			stewardctl_human_ms(ms, false, buf, sizeof(buf));
			printf("%-*.*s %s\n", width, (int)(klen - 3), key, buf);
			continue;
		}
		if (json_is_string(m))
			v = stewardctl_clean(json_string_value(m), 0);
		else if (json_is_number(m))
			v = stewardctl_status_number_text(m);
		else if (json_is_true(m) || json_is_false(m))
			v = xstrdup(json_is_true(m) ? "yes" : "no");
		else if (json_is_null(m))
			v = xstrdup("-");
		if (v != NULL)
			printf("%-*s %s\n", width, key, v);
		free(v);
	}
	if (protocol >= 0)
		printf("%-*s %" PRId64 "\n", width, "protocol", protocol);
}

/* info: version, pid, paths, uptime. */
int
stewardctl_status_info(struct stewardctl_ctx *c, const struct ctl_cmd_def *cmd,
		       struct stewardctl_args *a)
{
	struct stewardctl_reply r;
	int rc =
	    stewardctl_client_ask(c, cmd->name, NULL, 0, a, CTL_TIMEOUT_MS,
				  false, &r, "get information from stewardd");

	if (rc == 0 && !a->json)
		stewardctl_status_print_daemon(
		    json_object_get(r.doc, "daemon"),
		    stewardctl_int(r.doc, "protocol", -1));
	stewardctl_client_reply_free(&r);
	return rc;
}

/* version: stewardctl's, and stewardd's when it answers. */
int
stewardctl_status_version(struct stewardctl_ctx *c,
			  const struct ctl_cmd_def *cmd,
			  struct stewardctl_args *a)
{
	const json_t *d;
	struct stewardctl_reply r;
	struct err *e = NULL;
	char *s;
	int rc;

	(void)cmd;
	(void)a;
	printf("stewardctl %s (protocol %s)\n", STEWARD_VERSION, CTL_PROTO);
	rc = stewardctl_client_call(c, "info", NULL, 0, CTL_HEALTH_TIMEOUT_MS,
				    false, &r, &e);
	if (rc == 0)
		rc = stewardctl_client_reply_status(&r, &e);
	if (rc != 0) {
		s = err_str(e);
		printf("stewardd: unknown (%s)\n", s);
		free(s);
		err_free(e);
		stewardctl_client_reply_free(&r);
		return 0;
	}
	d = json_object_get(r.doc, "daemon");
	s = stewardctl_clean(json_string_value(json_object_get(d, "version")),
			     0);
	printf("stewardd %s (pid %" PRId64 ", protocol %" PRId64 ", at %s)\n",
	       s[0] ? s : "?", stewardctl_int(d, "pid", 0),
	       stewardctl_int(r.doc, "protocol", 0), c->sock);
	free(s);
	stewardctl_client_reply_free(&r);
	return 0;
}

/* check [FILE]: as stewardd --check. */
int
stewardctl_status_check(struct stewardctl_ctx *c, const struct ctl_cmd_def *cmd,
			struct stewardctl_args *a)
{
	const char *path = a->nnames > 0 ? a->names[0] : c->config_opt;

	if (path == NULL)
		return stewardctl_usage(cmd->name,
					"which file? give FILE or -c FILE");
	return config_check(path);
}
