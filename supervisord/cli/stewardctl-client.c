/*
 * stewardctl's client side: finding stewardd's socket, one request and
 * its reply, the error codes' exit codes.
 *
 * Finding the daemon.  -s PATH, else $STEWARD_SOCKET, else [steward]
 * socket of -c FILE (the default when FILE sets none), else
 * config_default_socket().  The path is kept with the way it was chosen,
 * because "cannot connect" is the error people meet most, and they need
 * to see which path was tried and why that one.
 *
 * Talking to it (the wire protocol is in ctl-proto.h).  One connection
 * per request: connect, send one line, read one line, close.  Every step
 * waits in poll() against a deadline on the monotonic clock, never in a
 * blocking call, so a stuck daemon costs the person the deadline and no
 * more.  start, stop and restart wait for their instances, and stewardd
 * bounds that wait itself (the slowest instance's stop_timeout plus
 * start_timeout plus 10s) and always replies by then.  A fixed deadline
 * here would either cut that wait short (30s is exactly stewardd's bound
 * for the default timeouts) or leave a hung daemon unnoticed for long;
 * so while it waits, stewardctl asks for "health" on a second connection
 * every CTL_ALIVE_EVERY_MS and gives up only when that is not answered
 * within CTL_ALIVE_TIMEOUT_MS.  --timeout D adds a hard limit.  A reply
 * is checked strictly (one line, at most CTL_REPLY_MAX bytes, one JSON
 * object with a boolean "ok") before anything in it is believed.
 */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sysexits.h>
#include <unistd.h>

#include "base/io.h"
#include "config/config.h"
#include "proto/ctl-proto.h"
#include "base/err.h"
#include "cli/json-read.h"
#include "base/parse.h"
#include "cli/stewardctl.h"

/* stewardd's error codes (ctl-proto.h) and the exit code of each. */
static const struct {
	const char *code;
	int exit;
} stewardctl_client_codes[] = {
    {.code = "usage", .exit = EX_USAGE},
    {.code = "version", .exit = EX_PROTOCOL},
    {.code = "no_such_ward", .exit = EX_NOUSER},
    {.code = "too_long", .exit = EX_USAGE},
    {.code = "rate_limited", .exit = EX_TEMPFAIL},
    {.code = "refused", .exit = EX_NOPERM},
    {.code = "busy", .exit = EX_TEMPFAIL},
    {.code = "timeout", .exit = EX_TEMPFAIL},
    {.code = "shutting_down", .exit = EX_UNAVAILABLE},
    {.code = "failed", .exit = CTL_EX_FAILED},
    {.code = "config", .exit = EX_CONFIG},
    {.code = "no_such_job", .exit = EX_NOUSER},
    {.code = "no_such_run", .exit = EX_NOUSER},
    {.code = "cancelled", .exit = CTL_EX_FAILED},
    {.code = "dependents", .exit = CTL_EX_FAILED},
    {.code = "too_slow", .exit = EX_TEMPFAIL},
    {.code = "internal", .exit = EX_SOFTWARE},
};

/* ---------------------------------------------------------------- */
/* Finding stewardd                                                 */
/* ---------------------------------------------------------------- */

/*
 * Load -c FILE once.  Its errors are printed as they are (file:line);
 * the returned error is the one-line summary.
 */
int
stewardctl_client_load_config(struct stewardctl_ctx *c, struct err **errp)
{
	struct config_report rep = {0};
	struct stat st;

	if (c->cfg != NULL)
		return 0;
	if (stat(c->config_opt, &st) == -1) {
		*errp =
		    ERR_SYS("cannot read %s (given with -c)", c->config_opt);
		err_set(*errp, "socket", "-");
		return EX_NOINPUT;
	}
	c->cfg = config_load(c->config_opt, &rep);
	if (c->cfg == NULL) {
		for (size_t i = 0; i < rep.n; i++)
			if (rep.v[i].severity == CONFIG_ERROR)
				fprintf(stderr, "%s\n", rep.v[i].msg);
		*errp = ERR_NEW("cannot use %s (given with -c): %zu error%s",
				c->config_opt, rep.errors,
				rep.errors == 1 ? "" : "s");
		err_set(*errp, "socket", "-");
	}
	config_report_free(&rep);
	return c->cfg == NULL ? EX_CONFIG : 0;
}

/* Choose the socket and say how (see the top of this file). */
static int
stewardctl_client_find_socket(struct stewardctl_ctx *c, struct err **errp)
{
	const char *env = getenv("STEWARD_SOCKET");
	const char *root = geteuid() == 0 ? "the default for root"
					  : "the default in $XDG_RUNTIME_DIR";
	int rc;

	if (c->sock != NULL)
		return 0;
	if (c->sock_opt != NULL) {
		c->sock = xstrdup(c->sock_opt);
		c->sock_how = xstrdup("given with -s");
		return 0;
	}
	if (env != NULL && env[0] != '\0') {
		c->sock = xstrdup(env);
		c->sock_how = xstrdup("from $STEWARD_SOCKET");
		return 0;
	}
	if (c->config_opt != NULL) {
		if ((rc = stewardctl_client_load_config(c, errp)) != 0)
			return rc;
		if (c->cfg->socket != NULL) {
			c->sock = xstrdup(c->cfg->socket);
			c->sock_how =
			    xasprintf("[steward] socket in %s", c->config_opt);
			return 0;
		}
		c->sock = config_default_socket();
		c->sock_how = xasprintf("%s, as %s sets no [steward] socket",
					root, c->config_opt);
	} else {
		c->sock = config_default_socket();
		c->sock_how = xasprintf("%s; use -s PATH or -c FILE", root);
	}
	if (c->sock == NULL) {
		*errp = err_set(ERR_NEW("cannot find stewardd: no -s PATH, no "
					"$STEWARD_SOCKET, no [steward] socket, "
					"and no default socket for uid %u "
					"without $XDG_RUNTIME_DIR; use -s PATH "
					"or -c FILE",
					(unsigned)geteuid()),
				"socket", "-");
		return EX_UNAVAILABLE;
	}
	return 0;
}

/* A connection error, as the one line the person sees. */
static int
stewardctl_client_connect_error(struct stewardctl_ctx *c, int errnum,
				struct err **errp)
{
	*errp = ERR_ERRNO(errnum, "cannot connect to stewardd at %s (%s)",
			  c->sock, c->sock_how);
	err_set(*errp, "socket", "%s", c->sock);
	if (errnum == EACCES || errnum == EPERM)
		return EX_NOPERM;
	if (errnum == EAGAIN || errnum == ETIMEDOUT)
		return EX_TEMPFAIL;
	return EX_UNAVAILABLE;
}

/*
 * Connect without blocking: a unix socket connects at once or says
 * EAGAIN when stewardd's listen queue is full; that is retried every
 * 10ms until the deadline.
 */
int
stewardctl_client_connect(struct stewardctl_ctx *c, int64_t deadline, int *fdp,
			  struct err **errp)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int64_t cap = stewardctl_now_ms() + CTL_TIMEOUT_MS;
	int rc, fd;

	/* Connecting takes no longer than an ordinary request. */
	if (deadline < 0 || deadline > cap)
		deadline = cap;
	if ((rc = stewardctl_client_find_socket(c, errp)) != 0)
		return rc;
	if (strlen(c->sock) >= sizeof(sa.sun_path))
		return stewardctl_client_connect_error(c, ENAMETOOLONG, errp);
	memcpy(sa.sun_path, c->sock, strlen(c->sock) + 1);
	for (;;) {
		int err = 0;
		socklen_t elen = sizeof(err);
		struct pollfd p;

		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
			    0);
		if (fd == -1) {
			*errp = ERR_SYS("cannot create a unix socket");
			return EX_SOFTWARE;
		}
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
			break;
		err = errno;
		if (err == EINPROGRESS || err == EINTR) {
			p = (struct pollfd){.fd = fd, .events = POLLOUT};
			rc = poll(&p, 1, stewardctl_left(deadline));
			if (rc == 1 && getsockopt(fd, SOL_SOCKET, SO_ERROR,
						  &err, &elen) == -1)
				err = errno;
			else if (rc == 0)
				err = ETIMEDOUT;
			else if (rc == -1)
				err = errno;
			if (err == 0)
				break;
		}
		stewardctl_close(fd);
		if (err == EAGAIN && stewardctl_left(deadline) != 0) {
			if (poll(NULL, 0, 10) == -1 && errno != EINTR)
				return stewardctl_client_connect_error(c, errno,
								       errp);
			continue;
		}
		return stewardctl_client_connect_error(c, err, errp);
	}
	*fdp = fd;
	return 0;
}

/* ---------------------------------------------------------------- */
/* Requests and replies                                             */
/* ---------------------------------------------------------------- */

/* Build the request line and check it against the protocol's limits. */
int
stewardctl_client_request_line(struct sbuf *b, const char *cmd,
			       char *const *words, size_t n, struct err **errp)
{
	if (n > CTL_ARGS_MAX) {
		*errp = ERR_NEW("%zu arguments; a request takes at most %d", n,
				CTL_ARGS_MAX);
		return EX_USAGE;
	}
	sbuf_addf(b, "%s %s", CTL_PROTO, cmd);
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(words[i]);
		bool ok = len > 0 && len <= CTL_WORD_MAX;

		for (size_t k = 0; k < len && ok; k++)
			ok = words[i][k] >= 0x21 && words[i][k] <= 0x7e;
		if (!ok) {
			char *w = stewardctl_clean(words[i], 40);

			*errp =
			    ERR_NEW("\"%s\" cannot be sent: a word is 1 to "
				    "%d printable ASCII characters, without "
				    "spaces",
				    w, CTL_WORD_MAX);
			free(w);
			return EX_USAGE;
		}
		sbuf_addf(b, " %s", words[i]);
	}
	sbuf_add(b, "\n", 1);
	if (b->len > CTL_LINE_MAX) {
		*errp = ERR_NEW("the request is %zu bytes; at most %d are "
				"accepted",
				b->len, CTL_LINE_MAX);
		return EX_USAGE;
	}
	return 0;
}

/* Send all of s before the deadline. */
int
stewardctl_client_send(int fd, const char *s, size_t n, int64_t deadline,
		       struct err **errp)
{
	size_t off = 0;

	while (off < n) {
		ssize_t k = send(fd, s + off, n - off, MSG_NOSIGNAL);
		struct pollfd p = {.fd = fd, .events = POLLOUT};
		int rc;

		if (k >= 0) {
			off += (size_t)k;
			continue;
		}
		if (errno == EINTR)
			continue;
		/* Gone: a refusal may be waiting to be read, so read. */
		if (errno == EPIPE || errno == ECONNRESET)
			return 0;
		if (errno != EAGAIN) {
			*errp = ERR_SYS("cannot send the request");
			return EX_UNAVAILABLE;
		}
		rc = poll(&p, 1, stewardctl_left(deadline));
		if (rc == 0) {
			*errp = ERR_NEW("stewardd did not take the request in "
					"time");
			return EX_TEMPFAIL;
		}
		if (rc == -1 && errno != EINTR) {
			*errp = ERR_SYS("cannot wait to send the request");
			return EX_SOFTWARE;
		}
	}
	return 0;
}

/* Free what a reply holds. */
void
stewardctl_client_reply_free(struct stewardctl_reply *r)
{
	json_decref(r->doc);
	free(r->line);
	*r = (struct stewardctl_reply){0};
}

/* While a long wait goes on: is stewardd still answering? */
static int
stewardctl_client_still_alive(struct stewardctl_ctx *c, struct err **errp)
{
	struct stewardctl_reply r = {0};
	struct err *e = NULL;
	int rc = stewardctl_client_call(c, "health", NULL, 0,
					CTL_ALIVE_TIMEOUT_MS, false, &r, &e);

	/* Any reply, even "busy", says the loop runs. */
	stewardctl_client_reply_free(&r);
	if (rc == 0)
		return 0;
	*errp = ERR_WRAP(e, "stewardd stopped answering while it worked on "
			    "the request");
	return rc == EX_UNAVAILABLE ? EX_UNAVAILABLE : EX_TEMPFAIL;
}

/* Read one reply line before the deadline (see ctl-proto.h). */
static int
stewardctl_client_recv(struct stewardctl_ctx *c, int fd, int64_t deadline,
		       bool keep_alive, struct stewardctl_reply *r,
		       struct err **errp)
{
	struct sbuf b = {0};
	int64_t alive_at = stewardctl_now_ms() + CTL_ALIVE_EVERY_MS;
	char chunk[65536], *nl = NULL;
	struct err *e = NULL;
	int rc = 0;

	while (nl == NULL) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		int wait = stewardctl_left(deadline), k;
		ssize_t n;

		if (keep_alive &&
		    (wait < 0 || wait > stewardctl_left(alive_at)))
			wait = stewardctl_left(alive_at);
		k = poll(&p, 1, wait);
		if (k == -1 && errno == EINTR)
			continue;
		if (k == -1) {
			e = ERR_SYS("cannot wait for the reply");
			rc = EX_SOFTWARE;
			goto out;
		}
		if (k == 0) {
			if (deadline >= 0 && stewardctl_left(deadline) == 0) {
				/* stewardctl_client_call() says how long that
				 * was. */
				e = ERR_NEW("no reply from stewardd in time");
				rc = EX_TEMPFAIL;
				goto out;
			}
			if (keep_alive && stewardctl_left(alive_at) == 0) {
				if ((rc = stewardctl_client_still_alive(
					 c, &e)) != 0)
					goto out;
				alive_at =
				    stewardctl_now_ms() + CTL_ALIVE_EVERY_MS;
			}
			continue;
		}
		n = io_read(fd, chunk, sizeof(chunk), 0);
		if (n == 0)
			continue;
		if (n < 0 && errno != 0 && errno != ECONNRESET) {
			e = ERR_SYS("cannot read the reply");
			rc = EX_UNAVAILABLE;
			goto out;
		}
		if (n < 0)
			break; /* the end, or reset: what came is the reply */
		if (b.len + (size_t)n > CTL_REPLY_MAX) {
			e = ERR_NEW("the reply is longer than the protocol's "
				    "limit of 16 MiB");
			rc = EX_PROTOCOL;
			goto out;
		}
		sbuf_add(&b, chunk, (size_t)n);
		nl = memchr(b.s + b.len - (size_t)n, '\n', (size_t)n);
	}
	if (nl == NULL && b.len == 0) {
		e = ERR_NEW("stewardd closed the connection without replying");
		rc = EX_UNAVAILABLE;
	} else if (nl == NULL) {
		e = ERR_NEW("the reply ended after %zu bytes without a newline",
			    b.len);
		rc = EX_PROTOCOL;
	} else if ((size_t)(nl - b.s) + 1 != b.len) {
		e = ERR_NEW("stewardd sent %zu bytes after its reply line",
			    b.len - (size_t)(nl - b.s) - 1);
		rc = EX_PROTOCOL;
	}
	if (rc != 0)
		goto out;
	r->len = (size_t)(nl - b.s);
	b.s[r->len] = '\0';
	if ((r->doc = json_read_doc(b.s, r->len, &e)) == NULL) {
		e = ERR_WRAP(e, "the reply is not valid JSON");
		rc = EX_DATAERR;
	} else if (!json_is_object(r->doc) ||
		   (!json_is_true(json_object_get(r->doc, "ok")) &&
		    !json_is_false(json_object_get(r->doc, "ok")))) {
		e = ERR_NEW("the reply is not a JSON object with a boolean "
			    "\"ok\"");
		rc = EX_DATAERR;
	} else {
		r->line = b.s;
		return 0;
	}
out:
	sbuf_free(&b);
	json_decref(r->doc);
	r->doc = NULL;
	*errp = e;
	return rc;
}

/*
 * Send one request and leave the connection open for its reply: the
 * request line, a connection, the line sent, each by deadline.  Returns
 * 0 with *fdp open, or an exit code and an error (*fdp -1 or open; the
 * caller closes it).
 */
int
stewardctl_client_open(struct stewardctl_ctx *c, const char *cmd,
		       char *const *words, size_t n, int64_t deadline, int *fdp,
		       struct err **errp)
{
	struct sbuf line = {0};
	int rc;

	*fdp = -1;
	if ((rc = stewardctl_client_request_line(&line, cmd, words, n, errp)) ==
		0 &&
	    (rc = stewardctl_client_connect(c, deadline, fdp, errp)) == 0)
		rc = stewardctl_client_send(*fdp, line.s, line.len, deadline,
					    errp);
	sbuf_free(&line);
	return rc;
}

/*
 * One request: connect, send, read the reply.  timeout_ms bounds the
 * whole exchange (-1: none); keep_alive checks on stewardd meanwhile.
 * Returns 0 with a reply (ok or not), or an exit code and an error.
 */
int
stewardctl_client_call(struct stewardctl_ctx *c, const char *cmd,
		       char *const *words, size_t n, int64_t timeout_ms,
		       bool keep_alive, struct stewardctl_reply *r,
		       struct err **errp)
{
	int64_t deadline =
	    timeout_ms < 0 ? -1 : stewardctl_now_ms() + timeout_ms;
	int fd = -1, rc;

	*r = (struct stewardctl_reply){0};
	if ((rc = stewardctl_client_open(c, cmd, words, n, deadline, &fd,
					 errp)) != 0 ||
	    (rc = stewardctl_client_recv(c, fd, deadline, keep_alive, r,
					 errp)) != 0) {
		if (rc == EX_TEMPFAIL && timeout_ms >= 0 &&
		    stewardctl_left(deadline) == 0) {
			char d[32];

			parse_format_duration(timeout_ms, d, sizeof(d));
			err_free(*errp);
			*errp = ERR_NEW("no reply from stewardd within %s", d);
		}
	}
	if (fd >= 0)
		stewardctl_close(fd);
	return rc;
}

/* The exit code of an error code from stewardd. */
static int
stewardctl_client_code_exit(const char *code)
{
	for (size_t i = 0; i < sizeof(stewardctl_client_codes) /
				   sizeof(stewardctl_client_codes[0]);
	     i++)
		if (strcmp(stewardctl_client_codes[i].code, code) == 0)
			return stewardctl_client_codes[i].exit;
	return EX_SOFTWARE;
}

/* 0 for an "ok" reply; else the exit code and stewardd's message. */
int
stewardctl_client_reply_status(const struct stewardctl_reply *r,
			       struct err **errp)
{
	const char *code = json_string_value(json_object_get(r->doc, "code"));
	const char *msg = json_string_value(json_object_get(r->doc, "error"));

	if (json_is_true(json_object_get(r->doc, "ok")))
		return 0;
	if (code == NULL || msg == NULL) {
		*errp = ERR_NEW("the reply says it failed but has no \"code\" "
				"and \"error\" strings");
		return EX_DATAERR;
	}
	if (strcmp(code, "version") == 0)
		*errp = ERR_NEW("%s (this stewardctl speaks %s; use the "
				"stewardctl that came with this stewardd)",
				msg, CTL_PROTO);
	else
		*errp = ERR_NEW("%s", msg);
	err_set(*errp, "code", "%s", code);
	return stewardctl_client_code_exit(code);
}

/* Print a reply line as it came (for --json). */
void
stewardctl_client_print_raw(const struct stewardctl_reply *r)
{
	fwrite(r->line, 1, r->len, stdout);
	putchar('\n');
}

/*
 * The common shape of a command that asks stewardd one thing: call,
 * print the raw reply for --json, map a refusal to its exit code.
 * Returns 0 with the reply to show, or the exit code (message printed).
 */
int
stewardctl_client_ask(struct stewardctl_ctx *c, const char *cmd,
		      char *const *words, size_t n,
		      const struct stewardctl_args *a, int64_t timeout_ms,
		      bool keep_alive, struct stewardctl_reply *r,
		      const char *what)
{
	struct err *e = NULL;
	int rc = stewardctl_client_call(c, cmd, words, n, timeout_ms,
					keep_alive, r, &e);

	if (rc != 0)
		return stewardctl_fail(rc, e, "cannot %s", what);
	if (a->json)
		stewardctl_client_print_raw(r);
	if ((rc = stewardctl_client_reply_status(r, &e)) != 0) {
		stewardctl_client_reply_free(r);
		return stewardctl_fail(rc, e, "cannot %s", what);
	}
	return 0;
}
