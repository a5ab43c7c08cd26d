/*
 * stewardctl start, stop, restart, signal, health, reopen and reload:
 * the commands that change what runs, and the two that only ask.
 */
#include <inttypes.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "proto/ctl-proto.h"
#include "base/err.h"
#include "base/escape.h"
#include "cli/json-read.h"
#include "base/parse.h"
#include "cli/stewardctl.h"

/* start, stop, restart [--no-wait] [--timeout D] NAME ... | all */
int
stewardctl_steer_cmd(struct stewardctl_ctx *c, const struct ctl_cmd_def *cmd,
		     struct stewardctl_args *a)
{
	char *words[CTL_ARGS_MAX + 1], *what, *msg;
	const json_t *results;
	struct stewardctl_reply r;
	struct err *e = NULL;
	size_t n = 0;
	int rc;

	if (a->nnames + 1 > CTL_ARGS_MAX)
		return stewardctl_usage(cmd->name, "at most %d names",
					CTL_ARGS_MAX - 1);
	if (a->no_wait)
		words[n++] = "--no-wait";
	if (a->with_dependents)
		words[n++] = "--with-dependents";
	for (size_t i = 0; i < a->nnames; i++)
		words[n++] = a->names[i];
	what = stewardctl_what(a->names, a->nnames);
	msg = xasprintf("%s %s", cmd->name, what);
	free(what);
	rc = stewardctl_client_call(c, cmd->name, words, n,
				    a->no_wait ? CTL_TIMEOUT_MS : a->timeout_ms,
				    !a->no_wait, &r, &e);
	if (rc != 0) {
		rc = stewardctl_fail(rc, e, "cannot %s", msg);
		free(msg);
		return rc;
	}
	if (a->json)
		stewardctl_client_print_raw(&r);
	results = json_object_get(r.doc, "results");
	for (size_t i = 0; !a->json && i < json_array_size(results); i++) {
		const json_t *res = json_array_get(results, i);
		const char *st =
		    json_string_value(json_object_get(res, "state"));
		const char *why =
		    json_string_value(json_object_get(res, "reason"));
		char *label = stewardctl_label(res),
		     *state = stewardctl_clean(st ? st : "?", 0);

		printf("%s ", label);
		stewardctl_cell(c, state, 0, false, stewardctl_color(st));
		if (!json_is_true(json_object_get(res, "ok")) && why != NULL) {
			char *clean = stewardctl_clean(why, 0);

			if (st == NULL || strcmp(st, "failed") != 0)
				printf(" (not %s)",
				       strcmp(cmd->name, "stop") == 0
					   ? "stopped"
					   : "running");
			printf(": %s", clean);
			free(clean);
		}
		putchar('\n');
		free(label);
		free(state);
	}
	rc = stewardctl_client_reply_status(&r, &e);
	if (rc == 0 && !json_is_array(results))
		rc = stewardctl_fail(
		    EX_DATAERR, ERR_NEW("the reply has no \"results\" array"),
		    "cannot %s", msg);
	else if (rc != 0)
		rc = stewardctl_fail(rc, e, "cannot %s", msg);
	free(msg);
	stewardctl_client_reply_free(&r);
	return rc;
}

/* signal SIG NAME ... | all */
int
stewardctl_steer_signal(struct stewardctl_ctx *c, const struct ctl_cmd_def *cmd,
			struct stewardctl_args *a)
{
	char why[PARSE_WHY], *what, *msg;
	struct stewardctl_reply r;
	int64_t count;
	int signo, rc;

	if (parse_signal(a->names[0], &signo, why) == -1)
		return stewardctl_usage(cmd->name, "\"%s\": %s", a->names[0],
					why);
	what = stewardctl_what(a->names + 1, a->nnames - 1);
	msg = xasprintf("send %s to %s", parse_signal_name(signo), what);
	free(what);
	rc = stewardctl_client_ask(c, cmd->name, a->names, a->nnames, a,
				   CTL_TIMEOUT_MS, false, &r, msg);
	free(msg);
	if (rc == 0 && !a->json) {
		count = stewardctl_int(r.doc, "signalled", 0);
		printf("sent %s to %" PRId64 " instance%s%s\n",
		       parse_signal_name(signo), count, count == 1 ? "" : "s",
		       count == 0 ? " (none of them has a process)" : "");
	}
	stewardctl_client_reply_free(&r);
	return rc;
}

/* health [--timeout D]: 0 when stewardd answers in time, else 1. */
int
stewardctl_steer_health(struct stewardctl_ctx *c, const struct ctl_cmd_def *cmd,
			struct stewardctl_args *a)
{
	int64_t t0 = stewardctl_now_us(), timeout = a->timeout_ms;
	struct stewardctl_reply r;
	struct err *e = NULL;
	char up[32], *s;
	int rc;

	if (timeout < 0)
		timeout = CTL_HEALTH_TIMEOUT_MS;
	rc = stewardctl_client_call(c, cmd->name, NULL, 0, timeout, false, &r,
				    &e);
	if (rc == 0 && a->json)
		stewardctl_client_print_raw(&r);
	if (rc == 0 && (rc = stewardctl_client_reply_status(&r, &e)) != 0) {
		/* An answer from a loop too busy to take us is an answer. */
		const char *code = err_get(e, "code");

		if (strcmp(code, "busy") == 0 ||
		    strcmp(code, "rate_limited") == 0) {
			s = err_str(e);
			if (!a->json) {
				char *clean = escape_dup(s);

				printf("stewardd is healthy: it answered, "
				       "\"%s\"\n",
				       clean);
				free(clean);
			}
			free(s);
			err_free(e);
			stewardctl_client_reply_free(&r);
			return 0;
		}
	}
	if (rc != 0) {
		stewardctl_client_reply_free(&r);
		e = ERR_WRAP(e, "stewardd is not healthy");
		s = err_str(e);
		stewardctl_eprint("stewardctl: ", s);
		free(s);
		err_free(e);
		return CTL_EX_FAILED;
	}
	if (!a->json) {
		stewardctl_human_ms(stewardctl_int(r.doc, "uptime_ms", 0),
				    false, up, sizeof(up));
		printf("stewardd is healthy: answered in %.1fms, up %s\n",
		       (double)(stewardctl_now_us() - t0) / 1000, up);
	}
	stewardctl_client_reply_free(&r);
	return 0;
}

/* reopen: the event log and the ward log files, as SIGUSR1 does. */
int
stewardctl_steer_reopen(struct stewardctl_ctx *c, const struct ctl_cmd_def *cmd,
			struct stewardctl_args *a)
{
	struct stewardctl_reply r;
	int rc = stewardctl_client_ask(c, cmd->name, NULL, 0, a, CTL_TIMEOUT_MS,
				       false, &r, "reopen the event log");

	if (rc == 0 && !a->json)
		printf("stewardd reopened its event log and %lld ward log "
		       "file%s\n",
		       (long long)stewardctl_int(r.doc, "output_files", 0),
		       stewardctl_int(r.doc, "output_files", 0) == 1 ? ""
								     : "s");
	stewardctl_client_reply_free(&r);
	return rc;
}

/* Print one list of a reload reply: "added: a, b". */
static void
stewardctl_steer_reload_list(const json_t *doc, const char *key,
			     const char *label)
{
	const json_t *l = json_object_get(doc, key);

	if (json_array_size(l) == 0)
		return;
	printf("%s: ", label);
	for (size_t i = 0; i < json_array_size(l); i++) {
		char *name = stewardctl_clean(
		    json_string_value(json_array_get(l, i)), 0);

		printf("%s%s", i ? ", " : "", name);
		free(name);
	}
	putchar('\n');
}

/* reload: stewardd re-reads its config and applies the difference. */
int
stewardctl_steer_reload(struct stewardctl_ctx *c, const struct ctl_cmd_def *cmd,
			struct stewardctl_args *a)
{
	struct stewardctl_reply r;
	struct err *e = NULL;
	const json_t *problems;
	int rc = stewardctl_client_call(c, cmd->name, NULL, 0, CTL_TIMEOUT_MS,
					false, &r, &e);

	if (rc != 0)
		return stewardctl_fail(rc, e, "cannot reload");
	if (a->json)
		stewardctl_client_print_raw(&r);
	problems = json_object_get(r.doc, "problems");
	for (size_t i = 0; !a->json && i < json_array_size(problems); i++)
		stewardctl_eprint(
		    "", json_string_value(json_array_get(problems, i)));
	if ((rc = stewardctl_client_reply_status(&r, &e)) != 0) {
		stewardctl_client_reply_free(&r);
		return stewardctl_fail(rc, e, "cannot reload");
	}
	if (!a->json) {
		stewardctl_steer_reload_list(r.doc, "added", "added");
		stewardctl_steer_reload_list(r.doc, "changed",
					     "changed (restarting)");
		stewardctl_steer_reload_list(r.doc, "removed",
					     "removed (stopping)");
		stewardctl_steer_reload_list(r.doc, "resized", "resized");
		stewardctl_steer_reload_list(r.doc, "notes", "note");
		printf("unchanged: %" PRId64 "\n",
		       stewardctl_int(r.doc, "unchanged", 0));
	}
	stewardctl_client_reply_free(&r);
	return 0;
}
