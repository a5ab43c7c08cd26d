/*
 * run and cancel: a job run whose outcome is the request's second reply
 * line (see job.h).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "core/steward.h"
#include "ctl/ctl-internal.h"
#include "daemon/job.h"

/*
 * Decode a run argument in place (ctl-proto.h): %XX is the byte XX, and
 * the lone word "%" is the empty argument.  -1 on a bad escape, -2 on
 * %00, which no argument of a program can hold (it would cut it short).
 */
static int
ctl_unescape(char *w)
{
	char *out = w;

	if (strcmp(w, "%") == 0) {
		*w = '\0';
		return 0;
	}
	for (const char *p = w; *p != '\0'; p++) {
		if (*p != '%') {
			*out++ = *p;
			continue;
		}
		if (!isxdigit((unsigned char)p[1]) ||
		    !isxdigit((unsigned char)p[2]))
			return -1;
		char hex[3] = {p[1], p[2], '\0'};
		*out = (char)strtol(hex, NULL, 16);
		if (*out++ == '\0')
			return -2;
		p += 2;
	}
	*out = '\0';
	return 0;
}

/* A run has its outcome: the second reply line. */
static void
ctl_run_done(void *arg, struct job_run *run)
{
	struct ctl_conn *cn = arg;
	struct sbuf b = {0};
	enum job_outcome o = job_run_outcome(run);

	cn->run = NULL;
	sbuf_add(&b, "{", 1);
	job_result_json(run, &b);
	if (o == JOB_SUCCESS)
		sbuf_add(&b, ",\"ok\":true}", 11);
	else
		sbuf_addf(&b, ",\"ok\":false,\"code\":\"%s\"}",
			  job_outcome_name(o));
	ctl_reply(cn, &b);
	/* Requests that came meanwhile are handled now. */
	if (cn->fd >= 0)
		ctl_conn_process(cn);
}

/* run [--replicas=N] [--timeout=D] JOB [ARG ...] */
void
ctl_do_run(struct ctl_conn *cn, struct ctl_request *req)
{
	struct job_run *run;
	const char *code = NULL;
	struct err *e = NULL;
	struct sbuf b = {0};

	for (size_t i = 1; i < req->nargs; i++) {
		int rc = ctl_unescape(req->args[i]);

		if (rc == -2) {
			ctl_reply_error(cn, "usage",
					"argument %zu holds a NUL byte (%%00); "
					"a program's argument cannot hold one",
					i);
			return;
		}
		if (rc == -1) {
			ctl_reply_error(cn, "usage",
					"argument %zu has a bad %%XX escape; "
					"expected %%XX with two hex digits, or "
					"a lone %% for an empty argument",
					i);
			return;
		}
	}
	run = job_create(cn->ctl->s, req->args[0], req->replicas,
			 req->timeout_ms, req->args + 1, req->nargs - 1,
			 ctl_run_done, cn, &code, &e);
	if (run == NULL) {
		char *msg = err_str(e);

		ctl_reply_error(cn, code, "%s", msg);
		free(msg);
		err_free(e);
		return;
	}
	cn->run = run;
	sbuf_add(&b, "{\"ok\":true,", 11);
	job_started_json(run, &b);
	sbuf_add(&b, "}", 1);
	ctl_reply(cn, &b);
	job_launch(run);
}

/* cancel RUN */
void
ctl_do_cancel(struct ctl_conn *cn, struct ctl_request *req)
{
	char *end;
	unsigned long long id = strtoull(req->args[0], &end, 10);
	struct job_run *run = *end == '\0' ? job_find(cn->ctl->s, id) : NULL;
	struct sbuf b = {0};

	if (run == NULL) {
		ctl_reply_error(
		    cn, "no_such_run",
		    "no run %s is in flight (see stewardctl status)",
		    req->args[0]);
		return;
	}
	job_cancel(run, "cancelled by stewardctl cancel");
	sbuf_addf(&b, "{\"ok\":true,\"run\":%llu}", id);
	ctl_reply(cn, &b);
}
