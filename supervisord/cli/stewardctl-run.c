/*
 * stewardctl run and cancel: a [job:NAME] run, its two reply lines, the
 * winner's output written as it is.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sysexits.h>
#include <unistd.h>

#include "base/io.h"
#include "proto/ctl-proto.h"
#include "base/err.h"
#include "base/escape.h"
#include "cli/json-read.h"
#include "cli/stewardctl.h"

/*
 * Percent-encode one argument for the request line (ctl-proto.h); the
 * empty argument is the lone word "%".
 */
static char *
stewardctl_run_escape(const char *w)
{
	struct sbuf b = {0};

	if (*w == '\0')
		return xstrdup("%");

	for (const unsigned char *p = (const unsigned char *)w; *p; p++) {
		if (*p < 0x21 || *p > 0x7e || *p == '%')
			sbuf_addf(&b, "%%%02X", *p);
		else
			sbuf_add(&b, (const char *)p, 1);
	}
	return b.s != NULL ? b.s : xstrdup("");
}

/* Decode base64 into stdout; -1 on malformed input. */
static int
stewardctl_run_write_base64(const char *in)
{
	static const char tab[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	unsigned v = 0, bits = 0;

	for (const char *p = in; *p != '\0' && *p != '='; p++) {
		const char *k = strchr(tab, *p);

		if (k == NULL)
			return -1;
		v = (v << 6) | (unsigned)(k - tab);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (putchar((int)((v >> bits) & 0xff)) == EOF)
				return -1;
		}
	}
	return fflush(stdout) == 0 ? 0 : -1;
}

/* Read reply lines of a run until n complete ones are in *buf. */
static int
stewardctl_run_read(int fd, struct sbuf *buf, int lines, struct err **errp)
{
	char chunk[65536];

	for (;;) {
		int have = 0;
		struct pollfd p = {.fd = fd, .events = POLLIN};
		ssize_t n;

		for (size_t i = 0; i < buf->len; i++)
			have += buf->s[i] == '\n';
		if (have >= lines)
			return 0;
		if (poll(&p, 1, -1) == -1) {
			if (errno == EINTR && !stewardctl_log_interrupted)
				continue;
			if (errno == EINTR)
				return EX_TEMPFAIL; /* Ctrl-C */
			*errp = ERR_SYS("cannot wait for the answer");
			return EX_SOFTWARE;
		}
		n = io_read(fd, chunk, sizeof(chunk), 0);
		if (n == 0)
			continue;
		if (n < 0) {
			*errp = ERR_NEW("stewardd closed the connection before "
					"the run's answer");
			return EX_UNAVAILABLE;
		}
		if (buf->len + (size_t)n > 2 * CTL_REPLY_MAX) {
			*errp = ERR_NEW("the answer is longer than the "
					"protocol's limit");
			return EX_PROTOCOL;
		}
		sbuf_add(buf, chunk, (size_t)n);
	}
}

/* run JOB [--replicas N] [--timeout D] [-- ARG ...] */
int
stewardctl_run_cmd(struct stewardctl_ctx *c, const struct ctl_cmd_def *cmd,
		   struct stewardctl_args *a)
{
	char *words[CTL_ARGS_MAX + 1];
	char opt_r[32], opt_t[48];
	struct sbuf in = {0};
	struct err *e = NULL;
	json_t *first = NULL, *last = NULL;
	size_t n = 0, nl;
	int fd = -1, rc;
	const char *job = a->names[0];

	if (a->nnames + 2 > CTL_ARGS_MAX)
		return stewardctl_usage(cmd->name, "too many arguments");
	if (a->replicas > 0) {
		snprintf(opt_r, sizeof(opt_r), "--replicas=%ld", a->replicas);
		words[n++] = opt_r;
	}
	if (a->timeout_ms > 0) {
		snprintf(opt_t, sizeof(opt_t), "--timeout=%lldms",
			 (long long)a->timeout_ms);
		words[n++] = opt_t;
	}
	for (size_t i = 0; i < a->nnames; i++)
		words[n++] = i == 0 ? xstrdup(a->names[0])
				    : stewardctl_run_escape(a->names[i]);
	rc = 0;
	for (size_t i = 1; i < a->nnames && rc == 0; i++) {
		size_t len = strlen(words[n - a->nnames + i]);

		if (len > CTL_WORD_MAX) {
			e = ERR_NEW("argument %zu is %zu bytes once "
				    "percent-encoded; at most %d are sent",
				    i, len, CTL_WORD_MAX);
			rc = EX_USAGE;
		}
	}
	if (rc == 0)
		rc = stewardctl_client_open(
		    c, cmd->name, words, n,
		    stewardctl_now_ms() + CTL_TIMEOUT_MS, &fd, &e);
	for (size_t i = n - a->nnames; i < n; i++)
		free(words[i]);
	/* Ctrl-C closes the connection, which cancels the run. */
	if (rc == 0 && (rc = stewardctl_log_catch_signals()) != 0)
		goto out;
	if (rc == 0)
		rc = stewardctl_run_read(fd, &in, 1, &e);
	if (rc == 0) {
		nl = (size_t)((char *)memchr(in.s, '\n', in.len) - in.s);
		if ((first = json_read_doc(in.s, nl, &e)) == NULL)
			rc = EX_DATAERR;
	}
	if (rc == 0 && !json_is_true(json_object_get(first, "ok"))) {
		struct stewardctl_reply r = {.doc = first};

		if (a->json)
			printf("%.*s\n", (int)nl, in.s);
		rc = stewardctl_client_reply_status(&r, &e);
		goto out;
	}
	if (rc == 0 && a->json)
		printf("%.*s\n", (int)nl, in.s);
	if (rc == 0 && !a->json && isatty(2))
		fprintf(stderr,
			"stewardctl: run %" PRId64 " of job \"%s\": %" PRId64
			" replica%s started\n",
			stewardctl_int(first, "run", 0), job,
			stewardctl_int(first, "replicas", 0),
			stewardctl_int(first, "replicas", 0) == 1 ? "" : "s");
	if (rc == 0)
		rc = stewardctl_run_read(fd, &in, 2, &e);
	if (rc == EX_TEMPFAIL && stewardctl_log_interrupted) {
		fprintf(stderr,
			"stewardctl: run %" PRId64 " of job \"%s\" "
			"cancelled (interrupted)\n",
			stewardctl_int(first, "run", 0), job);
		rc = 130;
		goto out;
	}
	if (rc == 0) {
		char *second = in.s + nl + 1;
		size_t len = in.len - nl - 2;

		if ((last = json_read_doc(second, len, &e)) == NULL) {
			rc = EX_DATAERR;
			goto out;
		}
		if (a->json) {
			printf("%.*s\n", (int)len, second);
			rc = json_is_true(json_object_get(last, "ok"))
				 ? 0
				 : CTL_EX_FAILED;
			goto out;
		}
		if (json_is_true(json_object_get(last, "ok"))) {
			const char *b64 = json_string_value(
			    json_object_get(last, "output_b64"));

			if (b64 != NULL &&
			    stewardctl_run_write_base64(b64) == -1) {
				e = ERR_NEW("cannot write the answer");
				rc = EX_IOERR;
			}
			if (json_is_true(
				json_object_get(last, "output_truncated")))
				fprintf(
				    stderr,
				    "stewardctl: the answer was cut at "
				    "output_limit: %" PRId64 " of %" PRId64
				    " bytes shown\n",
				    stewardctl_int(last, "output_limit", 0),
				    stewardctl_int(last, "output_bytes", 0));
		} else {
			const char *msg =
			    json_string_value(json_object_get(last, "error"));
			int64_t id = stewardctl_int(last, "log_id", 0);

			char *clean = escape_dup(msg ? msg : "failed");

			fprintf(stderr, "stewardctl: %s", clean);
			free(clean);
			if (id > 0)
				fprintf(stderr,
					" [log %" PRId64
					"; stewardctl log --id %" PRId64 "]",
					id, id);
			fputc('\n', stderr);
			rc = CTL_EX_FAILED;
		}
	}
out:
	json_decref(first);
	json_decref(last);
	sbuf_free(&in);
	if (fd >= 0)
		stewardctl_close(fd);
	if (e != NULL)
		rc = stewardctl_fail(rc, e, "cannot run job \"%s\"", job);
	return rc;
}

/* cancel RUN */
int
stewardctl_run_cancel(struct stewardctl_ctx *c, const struct ctl_cmd_def *cmd,
		      struct stewardctl_args *a)
{
	struct stewardctl_reply r;
	char *what = xasprintf("cancel run %s", a->names[0]);
	int rc = stewardctl_client_ask(c, cmd->name, a->names, 1, a,
				       CTL_TIMEOUT_MS, false, &r, what);

	free(what);
	if (rc == 0 && !a->json)
		printf("run %s cancelled\n", a->names[0]);
	stewardctl_client_reply_free(&r);
	return rc;
}
