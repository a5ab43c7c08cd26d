/*
 * One control connection: request lines read as they come, handed to the
 * handler of their command one at a time, replies written without
 * blocking, the idle deadline, and closing (see ctl.c for the limits).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/io.h"
#include "base/log.h"
#include "base/parse.h"
#include "core/steward.h"
#include "daemon/steward-reload.h"
#include "ctl/ctl-internal.h"
#include "daemon/job.h"

/*
 * Append a reply line and start writing it.  A reply may name records
 * ("[log 12]"), and the client may read the event log as soon as it has
 * the reply: the records this loop turn holds are written first.
 */
void
ctl_reply(struct ctl_conn *cn, struct sbuf *body)
{
	sbuf_add(&cn->out, body->s, body->len);
	sbuf_add(&cn->out, "\n", 1);
	sbuf_free(body);
	evlog_sync(cn->ctl->s->log);
	ctl_conn_flush(cn);
}

/* An error reply: code and a message for people. */
void
ctl_reply_error(struct ctl_conn *cn, const char *code, const char *fmt, ...)
{
	struct sbuf b = {0};
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	sbuf_addf(&b, "{\"ok\":false,\"code\":\"%s\",\"error\":", code);
	sbuf_add_json(&b, msg);
	sbuf_add(&b, "}", 1);
	free(msg);
	ctl_reply(cn, &b);
}

/* Write what is pending; watch for writability if the socket is full. */
void
ctl_conn_flush(struct ctl_conn *cn)
{
	struct ev_loop *loop = cn->ctl->s->loop;

	while (cn->outoff < cn->out.len) {
		ssize_t n = io_write(cn->fd, cn->out.s + cn->outoff,
				     cn->out.len - cn->outoff,
				     MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n == 0) {
			if (cn->out.len - cn->outoff > 2 * CTL_REPLY_MAX) {
				ctl_conn_close(cn); /* it does not read */
				return;
			}
			ev_io_start(loop, &cn->wio);
			return;
		}
		if (n < 0) {
			ctl_conn_close(cn); /* EPIPE, ECONNRESET: gone */
			return;
		}
		cn->outoff += (size_t)n;
	}
	ev_io_stop(loop, &cn->wio);
	cn->out.len = 0;
	cn->outoff = 0;
	if (cn->closing)
		ctl_conn_close(cn);
}

/*
 * A reply is done: the lines that came behind its request are handled
 * by the write callback, in a later turn of the loop, outside any
 * request's handler.  A reply may be finished from within one (status
 * from ctl_conn_process(), a wait judged in a transition), and a line
 * handled there would be taken from under the caller's feet: a status
 * pipelined before another request closed the connection or crashed.
 */
void
ctl_conn_resume(struct ctl_conn *cn)
{
	if (cn->fd >= 0 && cn->stream == NULL &&
	    memchr(cn->in, '\n', cn->inlen) != NULL && !ev_is_active(&cn->wio))
		ev_io_start(cn->ctl->s->loop, &cn->wio);
}

/* The socket can take more of the reply. */
void
ctl_conn_write_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct ctl_conn *cn = container_of(w, struct ctl_conn, wio);

	(void)loop;
	(void)revents;
	ctl_conn_flush(cn);
	if (cn->fd >= 0 && cn->stream != NULL)
		ctl_stream_pump(cn, false);
	else if (cn->fd >= 0)
		ctl_conn_process(cn); /* the lines behind a finished reply */
}

/* A request's handler. */
typedef void ctl_handler_fn(struct ctl_conn *cn, struct ctl_request *req);

/*
 * Each command of ctl_cmds[] (ctl-proto.c) bound to its handler;
 * stewardctl's own commands never come as requests (ctl_parse() refuses
 * them).  No default: a command added to enum ctl_cmd and not bound here
 * is a compile error (-Wswitch, -Werror).
 */
static ctl_handler_fn *
ctl_handler(enum ctl_cmd cmd)
{
	switch (cmd) {
	case CTL_STATUS:
		return ctl_do_status;
	case CTL_START:
	case CTL_STOP:
	case CTL_RESTART:
		return ctl_do_steer;
	case CTL_SIGNAL:
		return ctl_do_signal;
	case CTL_HEALTH:
		return ctl_do_health;
	case CTL_REOPEN:
		return ctl_do_reopen;
	case CTL_RUN:
		return ctl_do_run;
	case CTL_CANCEL:
		return ctl_do_cancel;
	case CTL_RELOAD:
		return ctl_do_reload;
	case CTL_INFO:
		return ctl_do_info;
	case CTL_TAIL:
		return ctl_do_tail;
	case CTL_VERSION:
	case CTL_CHECK:
	case CTL_LOG:
	case CTL_HELP:
	case CTL_NCMDS:
		break;
	}
	return NULL;
}

/* Handle one complete request line. */
static void
ctl_request(struct ctl_conn *cn, char *line, size_t len)
{
	struct ctl_request req;
	ctl_handler_fn *fn;
	const char *code;
	char why[PARSE_WHY];

	if (!bucket_take(&cn->rate, steward_now())) {
		ctl_reply_error(cn, "rate_limited",
				"more than %d requests a second; slow down",
				CTL_RATE_BURST);
		return;
	}
	if (ctl_parse(line, len, &req, &code, why) == -1) {
		ctl_reply_error(cn, code, "%s", why);
		return;
	}
	if ((fn = ctl_handler(req.cmd)) == NULL) {
		/* ctl_parse() returns only commands bound above. */
		ctl_reply_error(cn, "internal", "no handler for \"%s\"",
				ctl_cmd_name(req.cmd));
		return;
	}
	fn(cn, &req);
}

/* Its reload is done: reply, then go on with the lines behind it. */
void
ctl_reload_done(struct ctl_conn *cn, int rc, const struct sbuf *json)
{
	struct sbuf b = {0};

	cn->reloading = false;
	sbuf_addf(&b, "{\"ok\":%s%s", rc == 0 ? "true" : "false",
		  rc == 0 ? "" : ",\"code\":\"config\"");
	if (json->len > 0)
		sbuf_add(&b, ",", 1);
	sbuf_add(&b, json->s, json->len);
	sbuf_add(&b, "}", 1);
	ctl_reply(cn, &b);
	if (cn->fd >= 0) {
		ctl_conn_process(cn);
		if (cn->fd >= 0 && !ev_is_active(&cn->rio) && !cn->closing)
			ev_io_start(cn->ctl->s->loop, &cn->rio);
	}
}

/* Handle every complete line in the buffer (one at a time, no waits). */
void
ctl_conn_process(struct ctl_conn *cn)
{
	while (cn->wait == NULL && cn->run == NULL && !cn->reloading &&
	       cn->stream == NULL && cn->tail == NULL && !cn->closing &&
	       cn->fd >= 0) {
		char *nl = memchr(cn->in, '\n', cn->inlen);
		size_t len;

		if (nl == NULL)
			break;
		len = (size_t)(nl - cn->in);
		cn->last_active = steward_now();
		ctl_request(cn, cn->in, len);
		if (cn->fd < 0)
			return; /* closed while replying */
		memmove(cn->in, cn->in + len + 1, cn->inlen - len - 1);
		cn->inlen -= len + 1;
	}
}

/* The client sent something, or went away. */
void
ctl_conn_read_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct ctl_conn *cn = container_of(w, struct ctl_conn, rio);
	ssize_t n;

	(void)loop;
	(void)revents;
	if (cn->inlen == CTL_LINE_MAX) {
		/* Full of lines waiting behind a pending request. */
		ev_io_stop(loop, &cn->rio);
		return;
	}
	n = io_read(cn->fd, cn->in + cn->inlen, CTL_LINE_MAX - cn->inlen,
		    MSG_DONTWAIT);
	if (n == 0)
		return;
	if (n < 0) {
		ctl_conn_close(cn); /* EOF or reset: cancels any wait */
		return;
	}
	cn->inlen += (size_t)n;
	ctl_conn_process(cn);
	if (cn->fd >= 0 && cn->wait == NULL && cn->run == NULL &&
	    !cn->reloading && cn->stream == NULL && cn->tail == NULL &&
	    !cn->closing && cn->inlen == CTL_LINE_MAX) {
		ctl_reply_error(cn, "too_long",
				"a request longer than %d bytes; closing",
				CTL_LINE_MAX);
		if (cn->fd >= 0) {
			cn->closing = true;
			ev_io_stop(loop, &cn->rio);
			ctl_conn_flush(cn);
		}
	}
}

/* The idle timer fired: close if nothing came for CTL_IDLE_SECONDS. */
void
ctl_conn_idle_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct ctl_conn *cn = container_of(t, struct ctl_conn, idle);
	double left = cn->last_active + CTL_IDLE_SECONDS - steward_now();

	(void)revents;
	if (cn->wait != NULL || cn->run != NULL || cn->reloading ||
	    cn->stream != NULL || cn->tail != NULL || left > 0) {
		t->repeat = left > 0 ? left : CTL_IDLE_SECONDS;
		ev_timer_again(loop, t);
		return;
	}
	ctl_reply_error(cn, "timeout", "no request for %d seconds; closing",
			CTL_IDLE_SECONDS);
	if (cn->fd >= 0) {
		cn->closing = true;
		ev_io_stop(loop, &cn->rio);
		ctl_conn_flush(cn);
	}
}

/* Close a connection, dropping any wait and pending output. */
void
ctl_conn_close(struct ctl_conn *cn)
{
	struct ctl *c = cn->ctl;
	struct ev_loop *loop = c->s->loop;

	if (cn->fd < 0)
		return;
	if (cn->wait != NULL)
		ctl_wait_free(cn->wait);
	if (cn->reloading) {
		cn->reloading = false;
		steward_reload_forget(c->s, cn);
	}
	ctl_stream_free(cn);
	if (cn->tail != NULL) {
		ctl_tail_free(cn->tail);
		cn->tail = NULL;
	}
	if (cn->run != NULL) {
		/* The client went away: nobody wants the answer. */
		struct job_run *run = cn->run;

		cn->run = NULL;
		job_detach(run);
		job_cancel(run, "the client went away");
	}
	ev_io_stop(loop, &cn->rio);
	ev_io_stop(loop, &cn->wio);
	ev_timer_stop(loop, &cn->idle);
	if (close(cn->fd) == -1 && errno != EINTR)
		log_warnx("cannot close a control connection: %s",
			  strerror(errno));
	cn->fd = -1;
	for (struct ctl_conn **p = &c->conns; *p != NULL; p = &(*p)->next) {
		if (*p == cn) {
			*p = cn->next;
			break;
		}
	}
	c->nconns--;
	sbuf_free(&cn->out);
	/* Freed before the loop next waits: callers may still look at it. */
	cn->next = c->dead;
	c->dead = cn;
}
