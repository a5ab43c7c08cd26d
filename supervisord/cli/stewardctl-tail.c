/*
 * stewardctl tail: the last lines an instance wrote, and with -f each
 * new one as stewardd reads it (the reply lines are in ctl-proto.h).
 *
 * The lines are the ward's own bytes.  On a terminal they are shown
 * escaped (escape_text(): a ward must not send escape sequences to the
 * operator's terminal); into a pipe or a file they are written as they
 * came, so that grep and friends see the ward's text.  Notes (a new
 * process, a follower dropped) go to stderr, apart from the lines.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "base/io.h"
#include "base/err.h"
#include "base/escape.h"
#include "cli/stewardctl.h"
#include "proto/ctl-proto.h"

/* What the reading of the reply lines knows. */
struct stewardctl_tail {
	const struct stewardctl_args *a;
	bool tty;        /* stdout is a terminal: escape */
	bool first_done; /* the first reply line was handled */
	char *label;     /* "web:0" */
};

/* Print one LINE object; -1 when it is malformed. */
static int
stewardctl_tail_print(struct stewardctl_tail *t, const json_t *ln)
{
	const json_t *text = json_object_get(ln, "text");
	const char *s = json_string_value(text);
	size_t len = json_string_length(text);

	if (s == NULL)
		return -1;
	if (t->a->timestamps) {
		int64_t ms = stewardctl_int(ln, "ts_ms", 0);
		time_t sec = (time_t)(ms / 1000);
		struct tm tm;
		char when[32];

		if (localtime_r(&sec, &tm) == NULL ||
		    strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm) == 0)
			snprintf(when, sizeof(when), "?");
		printf("%s.%03d ", when, (int)(ms % 1000));
	}
	if (t->tty) {
		char *esc = xmalloc(ESCAPE_BOUND(len) + 1);

		escape_text(esc, s, len);
		fputs(esc, stdout);
		free(esc);
	} else {
		fwrite(s, 1, len, stdout);
	}
	/* A piece of a long line: the next one continues it. */
	if (!json_is_true(json_object_get(ln, "split")))
		putchar('\n');
	return 0;
}

/*
 * No line came of the stream asked for, but the process wrote on the
 * other one (a ward that speaks on stderr only): say where they are,
 * on stderr, rather than leave an empty answer.
 */
static void
stewardctl_tail_elsewhere(const struct stewardctl_tail *t, const json_t *doc,
			  size_t shown)
{
	int64_t other = stewardctl_int(doc, "other_lines", 0);
	bool err = t->a->stderr_stream;

	if (shown > 0 || other <= 0 || t->a->json || t->a->lines == 0 ||
	    t->a->has_since)
		return;
	fprintf(stderr,
		"stewardctl: %s has no lines on %s; its %s has %" PRId64
		" (%s)\n",
		t->label, err ? "stderr" : "stdout", err ? "stdout" : "stderr",
		other, err ? "without --stderr" : "--stderr");
}

/*
 * Handle one reply line.  Returns 0 to read on, 1 when done (exit 0),
 * or an exit code with *errp.
 */
static int
stewardctl_tail_reply(struct stewardctl_tail *t, const char *line, size_t len,
		      struct err **errp)
{
	json_error_t je;
	json_t *doc =
	    json_loadb(line, len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &je);
	const char *note;
	int rc = 0;

	if (doc == NULL || !json_is_object(doc)) {
		*errp = ERR_NEW("a reply line is not a JSON object (%s)",
				doc == NULL ? je.text : "another value");
		json_decref(doc);
		return EX_DATAERR;
	}
	if (t->a->json) {
		fwrite(line, 1, len, stdout);
		putchar('\n');
	}
	if (json_object_get(doc, "ok") != NULL) {
		struct stewardctl_reply r = {.doc = doc};

		if ((rc = stewardctl_client_reply_status(&r, errp)) != 0)
			goto out;
	}
	if (!t->first_done) {
		const json_t *lines = json_object_get(doc, "lines"), *ln;
		int64_t missed = stewardctl_int(doc, "missed", 0);
		size_t i;

		t->first_done = true;
		free(t->label);
		t->label = stewardctl_label(doc);
		if (!json_is_array(lines)) {
			*errp = ERR_NEW("the reply has no \"lines\" array");
			rc = EX_DATAERR;
			goto out;
		}
		if (missed > 0 && !t->a->json && t->a->lines != 0 &&
		    (t->a->lines < 0 ? 10 : t->a->lines) >
			(long)json_array_size(lines))
			fprintf(stderr,
				"stewardctl: %" PRId64 " earlier line%s of "
				"%s %s no longer kept (see tail_size)\n",
				missed, missed == 1 ? "" : "s", t->label,
				missed == 1 ? "is" : "are");
		json_array_foreach(lines, i, ln)
		{
			if (!t->a->json && stewardctl_tail_print(t, ln) == -1) {
				*errp = ERR_NEW("line %zu of the reply has no "
						"\"text\"",
						i);
				rc = EX_DATAERR;
				goto out;
			}
		}
		stewardctl_tail_elsewhere(t, doc, json_array_size(lines));
		rc = t->a->follow ? 0 : 1;
		goto out;
	}
	note = json_string_value(json_object_get(doc, "note"));
	if (note == NULL) {
		if (!t->a->json && stewardctl_tail_print(t, doc) == -1) {
			*errp = ERR_NEW("a line from stewardd has no \"text\"");
			rc = EX_DATAERR;
		}
	} else if (strcmp(note, "spawn") == 0) {
		if (!t->a->json) {
			fflush(stdout);
			fprintf(stderr,
				"--- %s restarted: a new process, pid %" PRId64
				" ---\n",
				t->label, stewardctl_int(doc, "pid", 0));
		}
	} else if (strcmp(note, "gone") == 0) {
		if (!t->a->json) {
			fflush(stdout);
			fprintf(stderr,
				"stewardctl: %s is gone (a reload removed it); "
				"no more lines\n",
				t->label);
		}
		rc = 1;
	}
out:
	json_decref(doc);
	return rc;
}

/* Read reply lines until done; 0, or an exit code with *errp. */
static int
stewardctl_tail_read(struct stewardctl_tail *t, int fd, struct err **errp)
{
	struct sbuf in = {0};
	char chunk[65536];
	int rc = 0;

	for (;;) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		size_t start = 0;
		char *nl;
		ssize_t n;

		if (poll(&p, 1, t->first_done ? -1 : CTL_TIMEOUT_MS) == -1) {
			if (errno == EINTR && stewardctl_log_interrupted)
				break; /* Ctrl-C: done */
			if (errno == EINTR)
				continue;
			*errp = ERR_SYS("cannot wait for the lines");
			rc = EX_SOFTWARE;
			break;
		}
		if (!t->first_done && !(p.revents & (POLLIN | POLLHUP))) {
			*errp = ERR_NEW("no reply from stewardd in %d ms",
					CTL_TIMEOUT_MS);
			rc = EX_TEMPFAIL;
			break;
		}
		n = io_read(fd, chunk, sizeof(chunk), 0);
		if (n == 0) {
			if (stewardctl_log_interrupted)
				break;
			continue;
		}
		if (n < 0) {
			*errp = ERR_NEW("stewardd closed the connection%s",
					t->first_done ? " (it stopped?)"
						      : " without replying");
			rc = EX_UNAVAILABLE;
			break;
		}
		if (in.len + (size_t)n > CTL_REPLY_MAX) {
			*errp = ERR_NEW("a reply line is longer than the "
					"protocol's limit of 16 MiB");
			rc = EX_PROTOCOL;
			break;
		}
		sbuf_add(&in, chunk, (size_t)n);
		while ((nl = memchr(in.s + start, '\n', in.len - start)) !=
		       NULL) {
			size_t len = (size_t)(nl - (in.s + start));

			rc = stewardctl_tail_reply(t, in.s + start, len, errp);
			start += len + 1;
			if (rc != 0)
				break;
		}
		memmove(in.s, in.s + start, in.len - start);
		in.len -= start;
		if (fflush(stdout) == EOF) {
			*errp = ERR_SYS("cannot write the lines");
			rc = EX_IOERR;
		}
		if (rc != 0)
			break;
	}
	sbuf_free(&in);
	return rc == 1 ? 0 : rc;
}

/* tail [-f] [-n N] [--stderr] [--previous] [--since D] WARD[:N] */
int
stewardctl_tail_cmd(struct stewardctl_ctx *c, const struct ctl_cmd_def *cmd,
		    struct stewardctl_args *a)
{
	char *words[8];
	char opt_n[32], opt_s[48];
	struct stewardctl_tail t = {.a = a, .tty = isatty(STDOUT_FILENO)};
	struct err *e = NULL;
	size_t n = 0;
	int fd = -1, rc;

	if (a->follow && a->previous)
		return stewardctl_usage(cmd->name,
					"--previous and -f do not go together: "
					"the previous process writes no more");
	if (a->follow)
		words[n++] = "--follow";
	if (a->lines >= 0) {
		snprintf(opt_n, sizeof(opt_n), "--lines=%ld", a->lines);
		words[n++] = opt_n;
	}
	if (a->stderr_stream)
		words[n++] = "--stderr";
	if (a->previous)
		words[n++] = "--previous";
	if (a->has_since) {
		snprintf(opt_s, sizeof(opt_s), "--since=%lldms",
			 (long long)a->since_ms);
		words[n++] = opt_s;
	}
	words[n++] = a->names[0];
	rc = stewardctl_client_open(c, cmd->name, words, n,
				    stewardctl_now_ms() + CTL_TIMEOUT_MS, &fd,
				    &e);
	if (rc == 0 && a->follow)
		rc = stewardctl_log_catch_signals();
	if (rc == 0)
		rc = stewardctl_tail_read(&t, fd, &e);
	if (fd >= 0)
		stewardctl_close(fd);
	free(t.label);
	if (e != NULL)
		return stewardctl_fail(rc, e, "cannot tail %s \"%s\"",
				       strchr(a->names[0], ':') ? "instance"
								: "ward",
				       a->names[0]);
	return rc;
}
