/*
 * supervisorctl tail -f and maintail -f: GET /logtail/NAME[/stdout|
 * /stderr] and /mainlogtail, answered as supervisord's logtail handlers
 * answer them: the last XRT_HEAD bytes, then what comes, in a chunked
 * response that lasts until the client leaves; 404 for a name that is
 * no process or a stream with no log, 400 for another method.
 *
 * A process whose stream goes to a file, and the main log (the event
 * log, as for readLog), are followed as supervisord follows a file: the
 * file is looked at every XRT_POLL seconds, and a file that shrank is
 * read again from its start after "==> File truncated <==".  Otherwise
 * the stream's lines come from the rings (core/tail.c) through a tail
 * follower, as they are read: nothing is polled.
 *
 * libmicrohttpd asks for the body through xrt_read(); with nothing to
 * give, it suspends the connection and answers 0 (libmicrohttpd's way
 * of saying "later"); the poll timer or the next line resumes it.  A
 * suspended connection holds its fd and no timer of libmicrohttpd, so a
 * follower lasts as long as its client (it counts among HTTP_CONN_MAX).
 * A client that does not read loses the lines past XRT_PENDING_MAX
 * bytes, and is told so in the stream.
 *
 * A client that leaves while its connection is suspended would be seen
 * only at the next write, which for a quiet ward or a quiet event log
 * may never come: its fd, its file and its place among HTTP_CONN_MAX
 * would stay taken.  So while suspended, the connection's socket is
 * watched (hup): readable with nothing to read is the client gone, and
 * the stream ends.  A client that sends bytes instead is watched no
 * more (it is then seen at the next write, as before).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/config.h"
#include "core/steward.h"
#include "ctl/http.h"
#include "ctl/xmlrpc-internal.h"
#include "ctl/xmlrpc-logtail.h"
#include "proto/http-route.h"

#define XRT_HEAD 1024
#define XRT_POLL 0.2
#define XRT_PENDING_MAX (256 * 1024)

/* One stream a client follows (struct xrm_logtail to the server). */
struct xrm_logtail {
	struct steward *s;
	struct MHD_Connection *conn;
	void (*kick)(void *arg);
	void *kick_arg;
	int fd;        /* a file followed, or -1 */
	char *path;    /* its name, to see it rotated */
	uint64_t fpos; /* where its next bytes are */
	struct tail_follower f;
	bool following; /* f is on an instance's list */
	bool gone;      /* the instance was freed: the stream ends */
	bool dropped;   /* lines were lost since the client last read */
	enum tail_stream st;
	struct sbuf pend; /* bytes for the client, from off */
	size_t off;
	bool suspended;
	bool left;   /* the client closed its end */
	bool talked; /* the client sent bytes: hup is not watched */
	ev_timer poll;
	ev_io hup;                 /* the client's socket, while suspended */
	struct xrm_logtail **list; /* the server's streams */
	struct xrm_logtail *prev, *next;
};

/* Whether url is one of the paths; see xmlrpc-logtail.h. */
bool
xrm_logtail_route(const char *url)
{
	struct http_route r;

	http_route(url, &r);
	return r.kind == HTTP_ROUTE_LOGTAIL ||
	       r.kind == HTTP_ROUTE_MAINLOGTAIL ||
	       r.kind == HTTP_ROUTE_BAD_LOGTAIL;
}

/* Let libmicrohttpd ask for the body again. */
static void
xrt_resume(struct xrm_logtail *t)
{
	if (!t->suspended)
		return;
	t->suspended = false;
	ev_timer_stop(t->s->loop, &t->poll);
	ev_io_stop(t->s->loop, &t->hup);
	MHD_resume_connection(t->conn);
	t->kick(t->kick_arg);
}

/* The client's socket is readable while suspended: gone, or talking. */
static void
xrt_hup_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct xrm_logtail *t = w->data;
	char c;
	ssize_t n = recv(w->fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);

	(void)revents;
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	ev_io_stop(loop, w);
	if (n > 0)
		t->talked = true;
	else
		t->left = true;
	xrt_resume(t);
}

/* Watch the client's socket while suspended (see the top). */
static void
xrt_watch_hup(struct xrm_logtail *t)
{
	const union MHD_ConnectionInfo *ci;

	if (t->talked)
		return;
	ci =
	    MHD_get_connection_info(t->conn, MHD_CONNECTION_INFO_CONNECTION_FD);
	if (ci == NULL || ci->connect_fd < 0)
		return;
	ev_io_set(&t->hup, ci->connect_fd, EV_READ);
	ev_io_start(t->s->loop, &t->hup);
}

static void
xrt_poll_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	xrt_resume(w->data);
}

/* A line of the followed instance: queue it for the client. */
static void
xrt_line(struct tail_follower *f, enum tail_stream st,
	 const struct ring_line *ln, const char *text)
{
	struct xrm_logtail *t = container_of(f, struct xrm_logtail, f);

	(void)st;
	if (t->pend.len - t->off + ln->len + 1 > XRT_PENDING_MAX) {
		t->dropped = true;
		return;
	}
	if (t->dropped) {
		sbuf_addf(&t->pend, "==> lines lost: the client read too "
				    "slowly <==\n");
		t->dropped = false;
	}
	sbuf_add(&t->pend, text, ln->len);
	if ((ln->flags & (TAIL_SPLIT | TAIL_UNENDED)) == 0)
		sbuf_add(&t->pend, "\n", 1);
	xrt_resume(t);
}

/* The followed instance is freed: end the stream. */
static void
xrt_note(struct tail_follower *f, enum tail_note n)
{
	struct xrm_logtail *t = container_of(f, struct xrm_logtail, f);

	if (n != TAIL_NOTE_GONE)
		return;
	tail_unfollow(&t->f);
	t->following = false;
	t->gone = true;
	xrt_resume(t);
}

static const struct tail_follower_ops xrt_ops = {
    .line = xrt_line,
    .note = xrt_note,
};

/* New bytes of the followed file into buf; 0 when there are none. */
static ssize_t
xrt_read_file(struct xrm_logtail *t, char *buf, size_t max)
{
	struct stat sb;
	ssize_t n;

	if (fstat(t->fd, &sb) == -1)
		return 0;
	if ((uint64_t)sb.st_size < t->fpos) {
		t->fpos = 0;
		sbuf_addf(&t->pend, "==> File truncated <==\n");
		return 0;
	}
	n = pread(t->fd, buf, max, (off_t)t->fpos);
	if (n <= 0) {
		/* All read: a rotated file is followed under its name. */
		struct xrl_src src = {.fd = -1};
		struct stat nb;

		if (xrl_open(t->path, &src) == -1)
			return 0;
		if (fstat(src.fd, &nb) == 0 &&
		    (nb.st_ino != sb.st_ino || nb.st_dev != sb.st_dev)) {
			close(t->fd);
			t->fd = src.fd;
			t->fpos = 0;
			return 0; /* read at the next look */
		}
		xrl_src_free(&src);
		return 0;
	}
	t->fpos += (uint64_t)n;
	return n;
}

/* libmicrohttpd asks for the body's next bytes. */
static ssize_t
xrt_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct xrm_logtail *t = cls;
	ssize_t n;

	(void)pos;
	if (t->fd != -1 && t->off == t->pend.len &&
	    (n = xrt_read_file(t, buf, max)) > 0)
		return n;
	if (t->off < t->pend.len) {
		size_t k = t->pend.len - t->off;

		if (k > max)
			k = max;
		memcpy(buf, t->pend.s + t->off, k);
		t->off += k;
		if (t->off == t->pend.len)
			t->pend.len = t->off = 0;
		return (ssize_t)k;
	}
	if (t->gone)
		return MHD_CONTENT_READER_END_OF_STREAM;
	if (t->left) /* ended as any stream (an error would be logged) */
		return MHD_CONTENT_READER_END_OF_STREAM;
	/* Nothing now: later, when a line comes or the poll looks. */
	MHD_suspend_connection(t->conn);
	t->suspended = true;
	xrt_watch_hup(t);
	if (t->fd != -1) {
		ev_timer_set(&t->poll, XRT_POLL, 0);
		ev_timer_start(t->s->loop, &t->poll);
	}
	return 0;
}

/* The response is done with (the client left, or the server closes). */
static void
xrt_free(void *cls)
{
	struct xrm_logtail *t = cls;

	ev_timer_stop(t->s->loop, &t->poll);
	ev_io_stop(t->s->loop, &t->hup);
	if (t->following)
		tail_unfollow(&t->f);
	if (t->list != NULL) {
		if (t->prev != NULL)
			t->prev->next = t->next;
		else
			*t->list = t->next;
		if (t->next != NULL)
			t->next->prev = t->prev;
	}
	if (t->fd != -1)
		close(t->fd);
	free(t->path);
	sbuf_free(&t->pend);
	free(t);
}

/*
 * Find what url names: a file (t->fd) or an instance's rings (followed,
 * with the last XRT_HEAD bytes queued); false when there is none.
 */
static bool
xrt_find(struct xrm_logtail *t, const char *url)
{
	struct xrm_ctx c = {.s = t->s};
	struct xrl_src src = {.fd = -1};
	struct ward_inst *wi;
	struct http_route r;

	http_route(url, &r);
	if (r.kind == HTTP_ROUTE_MAINLOGTAIL) {
		const char *path = evlog_file(t->s->log);

		if (path == NULL || xrl_open(path, &src) == -1)
			return false;
		t->path = xstrdup(path);
	} else if (r.kind == HTTP_ROUTE_LOGTAIL) {
		t->st = r.stderr_ ? TAIL_STDERR : TAIL_STDOUT;
		if (!xrl_source(&c, r.name, t->st, &src, &wi))
			return false;
		if (src.fd != -1)
			t->path = xstrdup(src.path);
	} else {
		return false;
	}
	if (src.fd != -1) {
		t->fd = src.fd;
		t->fpos = src.size > XRT_HEAD ? src.size - XRT_HEAD : 0;
		return true;
	}
	if (src.text.len > XRT_HEAD)
		sbuf_add(&t->pend, src.text.s + src.text.len - XRT_HEAD,
			 XRT_HEAD);
	else if (src.text.len > 0)
		sbuf_add(&t->pend, src.text.s, src.text.len);
	xrl_src_free(&src);
	tail_follow(wi, &t->f, &xrt_ops, 1u << t->st);
	t->following = true;
	return true;
}

/* Answer a logtail request; see xmlrpc-logtail.h. */
enum MHD_Result
xrm_logtail_answer(struct steward *s, struct MHD_Connection *conn,
		   const char *method, const char *url,
		   struct xrm_logtail **list, void (*kick)(void *arg),
		   void *arg)
{
	struct xrm_logtail *t;
	struct MHD_Response *resp;
	enum MHD_Result rc;

	if (strcmp(method, "GET") != 0)
		return http_text(conn, MHD_HTTP_BAD_REQUEST, NULL,
				 "GET only\n");
	t = xcalloc(1, sizeof(*t));
	t->s = s;
	t->conn = conn;
	t->kick = kick;
	t->kick_arg = arg;
	t->fd = -1;
	ev_init(&t->poll, xrt_poll_cb);
	t->poll.data = t;
	ev_init(&t->hup, xrt_hup_cb);
	t->hup.data = t;
	if (!xrt_find(t, url)) {
		xrt_free(t);
		return http_text(conn, MHD_HTTP_NOT_FOUND, NULL, "Not Found\n");
	}
	resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 16384,
						 xrt_read, t, xrt_free);
	if (resp == NULL) {
		xrt_free(t);
		return MHD_NO;
	}
	if (MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
				    "text/plain;charset=utf-8") == MHD_NO ||
	    MHD_add_response_header(resp, "X-Accel-Buffering", "no") ==
		MHD_NO) {
		MHD_destroy_response(resp);
		return MHD_NO;
	}
	t->list = list;
	t->next = *list;
	if (*list != NULL)
		(*list)->prev = t;
	*list = t;
	rc = MHD_queue_response(conn, MHD_HTTP_OK, resp);
	MHD_destroy_response(resp);
	return rc;
}

/* End every stream; see xmlrpc-logtail.h. */
void
xrm_logtail_end_all(struct xrm_logtail **list)
{
	for (struct xrm_logtail *t = *list; t != NULL; t = t->next) {
		if (t->following)
			tail_unfollow(&t->f);
		t->following = false;
		t->gone = true;
		if (t->fd != -1)
			close(t->fd);
		t->fd = -1;
		if (t->suspended) {
			t->suspended = false;
			ev_timer_stop(t->s->loop, &t->poll);
			ev_io_stop(t->s->loop, &t->hup);
			MHD_resume_connection(t->conn);
		}
	}
}
