/*
 * The HTTP server of [unix_http_server], for supervisorctl and the tools
 * built on supervisord's XML-RPC API, and for a browser: GET / and
 * /web/... are the web page's (web.c), behind the same auth.
 *
 * libmicrohttpd runs in its external epoll mode (MHD_USE_EPOLL, no
 * thread): its epoll descriptor is one ev_io in stewardd's loop, and
 * MHD_get_timeout() arms one ev_timer; each wakes MHD_run(), which never
 * blocks.  HTTP is libmicrohttpd's, XML is expat's (xmlrpc.c).
 *
 * Limits.  At most HTTP_CONN_MAX connections (libmicrohttpd refuses
 * more), each closed after HTTP_IDLE_SECONDS of silence, its headers in
 * HTTP_HEADER_MEM bytes; a body over HTTP_BODY_MAX is answered 413
 * without being kept.  A call that waits (start, stop) suspends its
 * connection until xmlrpc-methods.c answers; a suspended connection
 * costs its fd and no timer.
 *
 * Slow clients.  libmicrohttpd's timeout is an idle one: a client that
 * sends a byte every few seconds (slowloris) would hold its slot for
 * ever, and HTTP_CONN_MAX of them every slot, before saying who it is.
 * So each connection whose request is not yet read, or not proven
 * (below), is on the incomplete list (h->inc_head), in the order its
 * request began (its accept, or the answer to the one before it on the
 * connection): the head is the oldest, and each new entry goes to the
 * tail, O(1).  One timer in stewardd's loop closes the head when it is
 * HTTP_REQUEST_SECONDS old, whatever bytes trickle in; and a connection
 * that takes the last slot closes the head at once, so that a fresh
 * client always finds one free.  A request leaves the list once its
 * headers are read and its credentials allowed (basic auth; on the
 * socket, the peer's uid), or else once its body is read too: an
 * unproven body must come within the same deadline.  A /logtail
 * follower or a call that waits has its whole request read: it is never
 * cut but by its client.  "Closed" is shutdown(2) of the socket, which
 * libmicrohttpd then reads as the client's end and closes itself, its fd
 * never reused under it.
 *
 * Who may call.  With username and password, HTTP basic auth as
 * supervisord does it (a password "{SHA}" and hex is the SHA-1 of the
 * one given).  Without, the peer's credentials (SO_PEERCRED)
 * must be allowed by the socket's own mode: root, its owner, its group
 * when the mode gives the group write, anyone when it gives others
 * write.  The socket is made as the control socket is (safepath's
 * rule; bound under umask 0177, then chowned and chmoded through a
 * descriptor of its directory).
 */
#include <errno.h>
#include <fcntl.h>
#include <gnutls/crypto.h>
#include <microhttpd.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "config/config.h"
#include "ctl/http.h"
#include "base/log.h"
#include "base/safepath.h"
#include "core/bucket.h"
#include "ctl/sockname.h"
#include "ctl/web.h"
#include "core/steward.h"
#include "ctl/xmlrpc-logtail.h"
#include "ctl/xmlrpc-methods.h"
#include "proto/http-route.h"
#include "proto/xmlrpc.h"

#define HTTP_HEADER_MEM (32 * 1024)

struct http_req;
struct http_conn;

struct http {
	struct steward *s;
	struct MHD_Daemon *d;
	char *path; /* the socket, or HOST:PORT */
	bool tcp;   /* [inet_http_server] */
	dev_t dev;
	ino_t ino;
	mode_t mode;
	uid_t uid;
	gid_t gid;
	char *username, *password;
	ev_io eio;
	ev_timer tmo;
	struct http_req *waiting;     /* suspended for an answer */
	struct xrm_logtail *logtails; /* tail -f streams (xmlrpc-logtail.c) */
	struct http_client *clients;  /* HTTP_CLIENTS_MAX, for the rate */
	struct web *web;              /* the web page (web.c) */
	/* The connections whose request is incomplete, oldest first (see
	 * Slow clients), and the timer that cuts the head. */
	struct http_conn *inc_head, *inc_tail;
	ev_timer cut;
	unsigned nconns;    /* connections libmicrohttpd holds (http_notify) */
	unsigned long cuts; /* connections cut, not yet said */
	double cuts_said;   /* when they were last said */
	ev_timer say;       /* when cuts held back may be said */
};

/* A connection (libmicrohttpd's socket context). */
struct http_conn {
	struct http *h;
	struct MHD_Connection *conn;
	double since; /* its request began (steward_now()) */
	bool listed;  /* on h->incomplete */
	bool cut;     /* shut down: libmicrohttpd closes it */
	struct http_conn *prev, *next;
};

/* A client (a peer uid, or an address), and the rate of its requests. */
struct http_client {
	char key[64]; /* "" : a free slot */
	struct bucket rate;
	double last; /* its last request, to replace the oldest */
};

/* One request. */
struct http_req {
	struct http *h;
	struct MHD_Connection *conn;
	struct sbuf body;
	bool too_big;
	bool denied;   /* neither the credentials nor the peer may call */
	bool answered; /* a waited answer is in reply */
	bool web;      /* the web page's (web.c) */
	bool logtail;  /* supervisorctl tail -f's (xmlrpc-logtail.c) */
	bool limited;  /* beyond its client's rate: 429 */
	bool proven;   /* allowed by credentials (see Slow clients) */
	struct sbuf reply;
	struct xrm_wait *wait;
	struct http_req *prev, *next; /* on h->waiting */
};

static void http_run(struct http *h);

/* Arm the cut timer for the head of the incomplete list, if any. */
static void
http_cut_arm(struct http *h)
{
	double left;

	ev_timer_stop(h->s->loop, &h->cut);
	if (h->inc_head == NULL)
		return;
	left = h->inc_head->since + HTTP_REQUEST_SECONDS - steward_now();
	ev_timer_set(&h->cut, left > 0 ? left : 0, 0);
	ev_timer_start(h->s->loop, &h->cut);
}

/* Take c off the incomplete list. */
static void
http_conn_unlist(struct http_conn *c)
{
	struct http *h;
	bool head;

	if (c == NULL || !c->listed)
		return;
	h = c->h;
	head = h->inc_head == c;
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		h->inc_head = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	else
		h->inc_tail = c->prev;
	c->prev = c->next = NULL;
	c->listed = false;
	if (head)
		http_cut_arm(h);
}

/* A request begins on c now: at the tail of the incomplete list. */
static void
http_conn_list(struct http_conn *c)
{
	struct http *h = c->h;

	http_conn_unlist(c);
	if (c->cut)
		return;
	c->since = steward_now();
	c->prev = h->inc_tail;
	if (h->inc_tail != NULL)
		h->inc_tail->next = c;
	else
		h->inc_head = c;
	h->inc_tail = c;
	c->listed = true;
	if (h->inc_head == c)
		http_cut_arm(h);
}

/*
 * Close c, whose request is too slow (or whose slot a fresh client
 * needs): shut its socket down, and libmicrohttpd reads the end.
 */
static void
http_conn_cut(struct http_conn *c)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(c->conn, MHD_CONNECTION_INFO_CONNECTION_FD);

	http_conn_unlist(c);
	c->cut = true;
	c->h->cuts++;
	if (ci != NULL && shutdown(ci->connect_fd, SHUT_RDWR) == -1 &&
	    errno != ENOTCONN)
		log_warnx("http: cannot shut a slow connection down: %s",
			  strerror(errno));
}

/*
 * Say how many connections were cut, at most once a minute: those cut
 * within the minute after a saying are said when it is over (the say
 * timer), or when the server closes first; with now, whatever the time.
 */
static void
http_cuts_say(struct http *h, bool now_anyway)
{
	double now = steward_now();

	if (h->cuts == 0)
		return;
	if (!now_anyway && h->cuts_said != 0 && now - h->cuts_said < 60) {
		if (!ev_is_active(&h->say)) {
			ev_timer_set(&h->say, h->cuts_said + 60 - now, 0);
			ev_timer_start(h->s->loop, &h->say);
		}
		return;
	}
	ev_timer_stop(h->s->loop, &h->say);
	log_warnx("http: closed %lu connection%s whose request was not "
		  "complete within %d s, or whose slot a new client took "
		  "(all %d were taken); a client that sends slowly, or "
		  "many at once",
		  h->cuts, h->cuts == 1 ? "" : "s", HTTP_REQUEST_SECONDS,
		  HTTP_CONN_MAX);
	h->cuts = 0;
	h->cuts_said = now;
}

/* The minute after a saying is over: say the cuts held back. */
static void
http_say_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	(void)loop;
	(void)revents;
	http_cuts_say(t->data, true);
}

/* The deadline of the oldest incomplete requests passed: cut them. */
static void
http_cut_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct http *h = t->data;
	double now = steward_now();

	(void)loop;
	(void)revents;
	while (h->inc_head != NULL &&
	       h->inc_head->since + HTTP_REQUEST_SECONDS <= now + 0.001)
		http_conn_cut(h->inc_head);
	http_cut_arm(h);
	http_cuts_say(h, false);
}

/* libmicrohttpd's news of a connection: opened, or closed. */
static void
http_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
	    enum MHD_ConnectionNotificationCode toe)
{
	struct http *h = cls;
	struct http_conn *c = *socket_context;

	if (toe == MHD_CONNECTION_NOTIFY_CLOSED) {
		if (c != NULL) {
			http_conn_unlist(c);
			free(c);
			*socket_context = NULL;
			h->nconns--;
		}
		return;
	}
	c = xcalloc(1, sizeof(*c));
	c->h = h;
	c->conn = conn;
	*socket_context = c;
	h->nconns++;
	http_conn_list(c);
	/* The last slot taken: free one for the next fresh client. */
	if (h->nconns >= HTTP_CONN_MAX && h->inc_head != c) {
		http_conn_cut(h->inc_head);
		http_cuts_say(h, false);
	}
}

/* The connection of a request (its socket context), or NULL. */
static struct http_conn *
http_conn_of(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return ci != NULL ? ci->socket_context : NULL;
}

/* Queue a response; see http.h. */
enum MHD_Result
http_respond(struct MHD_Connection *conn, unsigned status, const char *type,
	     struct sbuf *body, const struct http_header *extra)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(
	    body->len, body->s != NULL ? body->s : (void *)"",
	    body->s != NULL ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
	enum MHD_Result rc;

	if (resp == NULL) {
		sbuf_free(body);
		return MHD_NO;
	}
	*body = (struct sbuf){0}; /* the response's now */
	if (type != NULL &&
	    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type) ==
		MHD_NO) {
		MHD_destroy_response(resp);
		return MHD_NO;
	}
	for (; extra != NULL && extra->name != NULL; extra++) {
		if (MHD_add_response_header(resp, extra->name, extra->value) ==
		    MHD_NO) {
			MHD_destroy_response(resp);
			return MHD_NO;
		}
	}
	rc = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	return rc;
}

/* Queue a response of plain text (copied); see http.h. */
enum MHD_Result
http_text(struct MHD_Connection *conn, unsigned status, const char *type,
	  const char *text)
{
	struct sbuf b = {0};

	sbuf_add(&b, text, strlen(text));
	return http_respond(conn, status, type, &b, NULL);
}

/* Equal strings, in constant time; see http.h. */
bool
http_same(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	unsigned char d = la != lb;

	for (size_t i = 0; i < la; i++)
		d |= (unsigned char)(a[i] ^ b[i % (lb ? lb : 1)]);
	return d == 0;
}

/*
 * Whether pass is the password: as written, or, written "{SHA}" and 40
 * hex digits, the SHA-1 of pass (as supervisord accepts it).
 */
static bool
http_password(const char *want, const char *pass)
{
	unsigned char md[20];
	char hex[41];

	if (strncmp(want, "{SHA}", 5) != 0)
		return http_same(pass, want);
	if (gnutls_hash_fast(GNUTLS_DIG_SHA1, pass, strlen(pass), md) != 0)
		return false;
	for (int i = 0; i < 20; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	return http_same(hex, want + 5);
}

/* Whether the request may call: basic auth, or the peer's credentials. */
static bool
http_allowed(struct http *h, struct MHD_Connection *conn)
{
	if (h->username != NULL) {
		char *pass = NULL;
		char *user = MHD_basic_auth_get_username_password(conn, &pass);
		bool ok = user != NULL && pass != NULL &&
			  http_same(user, h->username) &&
			  http_password(h->password, pass);

		MHD_free(user);
		MHD_free(pass);
		return ok;
	}
	if (h->tcp)
		return true; /* as supervisord: the port is open to all */
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
	struct ucred cred;
	socklen_t len = sizeof(cred);

	if (ci == NULL || getsockopt(ci->connect_fd, SOL_SOCKET, SO_PEERCRED,
				     &cred, &len) == -1)
		return false;
	if (cred.uid == 0 || (h->mode & 0002) != 0)
		return true;
	if (cred.uid == (h->uid != (uid_t)-1 ? h->uid : geteuid()))
		return (h->mode & 0200) != 0;
	return (h->mode & 0020) != 0 &&
	       cred.gid == (h->gid != (gid_t)-1 ? h->gid : getegid());
}

/*
 * Whether the request's client may make one more request: a token bucket
 * per client (a burst of HTTP_RATE_BURST, then HTTP_RATE_PER_SECOND a
 * second), the client being the peer's uid
 * on the socket, its address on TCP; the HTTP_CLIENTS_MAX most recent
 * are remembered (O(HTTP_CLIENTS_MAX) a request).
 */
static bool
http_rate(struct http *h, struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *ci;
	struct http_client *c = NULL, *oldest = &h->clients[0];
	double now = steward_now();
	char key[64] = "?";

	if (h->tcp) {
		ci = MHD_get_connection_info(
		    conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
		if (ci != NULL && ci->client_addr != NULL &&
		    getnameinfo(ci->client_addr,
				ci->client_addr->sa_family == AF_INET6
				    ? sizeof(struct sockaddr_in6)
				    : sizeof(struct sockaddr_in),
				key, sizeof(key), NULL, 0, NI_NUMERICHOST) != 0)
			snprintf(key, sizeof(key), "?");
	} else {
		struct ucred cred;
		socklen_t len = sizeof(cred);

		ci = MHD_get_connection_info(conn,
					     MHD_CONNECTION_INFO_CONNECTION_FD);
		if (ci != NULL && getsockopt(ci->connect_fd, SOL_SOCKET,
					     SO_PEERCRED, &cred, &len) == 0)
			snprintf(key, sizeof(key), "uid %u",
				 (unsigned)cred.uid);
	}
	for (size_t i = 0; i < HTTP_CLIENTS_MAX && c == NULL; i++) {
		if (strcmp(h->clients[i].key, key) == 0)
			c = &h->clients[i];
		else if (h->clients[i].last < oldest->last)
			oldest = &h->clients[i];
	}
	if (c == NULL) {
		c = oldest;
		snprintf(c->key, sizeof(c->key), "%s", key);
		bucket_init(&c->rate, HTTP_RATE_BURST,
			    (double)HTTP_RATE_BURST / HTTP_RATE_PER_SECOND,
			    now);
	}
	c->last = now;
	return bucket_take(&c->rate, now);
}

/* 403 for a peer the socket's mode does not let in; 401 to ask. */
static enum MHD_Result
http_deny(struct http *h, struct MHD_Connection *conn)
{
	struct MHD_Response *resp;
	enum MHD_Result rc;

	if (h->username == NULL)
		return http_text(conn, MHD_HTTP_FORBIDDEN, "text/plain",
				 "refused: this user may not use the socket\n");
	resp = MHD_create_response_from_buffer(13, (void *)"Unauthorized\n",
					       MHD_RESPMEM_PERSISTENT);
	if (resp == NULL)
		return MHD_NO;
	rc = MHD_queue_basic_auth_fail_response(conn, "default", resp);
	MHD_destroy_response(resp);
	return rc;
}

/* A waited answer came: resume the connection to send it. */
static void
http_done(void *arg, struct sbuf *body)
{
	struct http_req *r = arg;
	struct http *h = r->h;

	sbuf_add(&r->reply, body->s != NULL ? body->s : "", body->len);
	r->answered = true;
	r->wait = NULL;
	if (r->prev != NULL)
		r->prev->next = r->next;
	else
		h->waiting = r->next;
	if (r->next != NULL)
		r->next->prev = r->prev;
	r->prev = r->next = NULL;
	MHD_resume_connection(r->conn);
	http_run(h);
}

/* The request's XML-RPC call, answered now or later. */
static enum MHD_Result
http_call(struct http *h, struct http_req *r)
{
	struct xr_call call;
	struct sbuf reply = {0};
	char why[256];

	if (xmlrpc_parse(r->body.s != NULL ? r->body.s : "", r->body.len, &call,
			 why, sizeof(why)) == -1) {
		char msg[300];

		snprintf(msg, sizeof(msg), "not an XML-RPC call: %s\n", why);
		return http_text(r->conn, MHD_HTTP_BAD_REQUEST, "text/plain",
				 msg);
	}
	if (xrm_call(h->s, &call, &reply, http_done, r, &r->wait) == 1) {
		xmlrpc_call_free(&call);
		r->next = h->waiting;
		if (h->waiting != NULL)
			h->waiting->prev = r;
		h->waiting = r;
		MHD_suspend_connection(r->conn);
		return MHD_YES;
	}
	xmlrpc_call_free(&call);
	return http_respond(r->conn, MHD_HTTP_OK, "text/xml", &reply, NULL);
}

/*
 * A streamed answer's connection was resumed: let the server run from
 * the loop, soon (not from here: a tail follower's callback calls this,
 * and running now could free the next follower under its loop).
 */
static void
http_kick(void *arg)
{
	struct http *h = arg;

	ev_timer_stop(h->s->loop, &h->tmo);
	ev_timer_set(&h->tmo, 0, 0);
	ev_timer_start(h->s->loop, &h->tmo);
}

/* libmicrohttpd's handler: called for the headers, the body, the end. */
static enum MHD_Result
http_handler(void *cls, struct MHD_Connection *conn, const char *url,
	     const char *method, const char *version, const char *upload,
	     size_t *upload_size, void **con_cls)
{
	struct http *h = cls;
	struct http_req *r = *con_cls;
	const char *cross;

	(void)version;
	if (r == NULL) {
		const char *cl;

		r = xcalloc(1, sizeof(*r));
		r->h = h;
		r->conn = conn;
		*con_cls = r;
		/* Judged now, answered once the body is read: a client
		 * answered before it sent its body sees a broken pipe. */
		r->denied = !http_allowed(h, conn);
		r->limited = !http_rate(h, conn);
		/* Anyone is allowed on a TCP port with no password: such a
		 * request is proven only by its whole body, in time. */
		r->proven = !r->denied && (h->username != NULL || !h->tcp);
		if (r->proven)
			http_conn_unlist(http_conn_of(conn));
		r->web = web_route(method, url);
		r->logtail = xrm_logtail_route(url);
		if ((r->web || r->logtail) && strcmp(method, "POST") != 0)
			return MHD_YES; /* answered below, as a POST */
		if (strcmp(method, "POST") != 0)
			return http_text(conn, MHD_HTTP_NOT_FOUND, "text/plain",
					 "stewardd serves XML-RPC at /RPC2 "
					 "(POST) and its web page at /\n");
		cl = MHD_lookup_connection_value(
		    conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
		switch (http_route_length(cl, HTTP_BODY_MAX)) {
		case 0:
			break;
		case 413:
			return http_text(conn, MHD_HTTP_CONTENT_TOO_LARGE,
					 "text/plain",
					 "request body too large\n");
		default:
			return http_text(conn, MHD_HTTP_BAD_REQUEST,
					 "text/plain",
					 "Content-Length is no number\n");
		}
		return MHD_YES;
	}
	if (*upload_size > 0) {
		if (r->body.len + *upload_size > HTTP_BODY_MAX)
			r->too_big = true;
		else
			sbuf_add(&r->body, upload, *upload_size);
		*upload_size = 0;
		return MHD_YES;
	}
	http_conn_unlist(http_conn_of(conn)); /* its body is read */
	if (r->answered) {
		r->answered = false;
		return http_respond(conn, MHD_HTTP_OK, "text/xml", &r->reply,
				    NULL);
	}
	if (r->wait != NULL)
		return MHD_YES;
	if (r->limited)
		return http_text(conn, MHD_HTTP_TOO_MANY_REQUESTS, "text/plain",
				 "too many requests: more than 50 a "
				 "second after a burst of 200; slow down\n");
	if (r->denied)
		return http_deny(h, conn);
	if (r->too_big)
		return http_text(conn, MHD_HTTP_CONTENT_TOO_LARGE, "text/plain",
				 "request body too large\n");
	if (r->logtail)
		return xrm_logtail_answer(h->s, conn, method, url, &h->logtails,
					  http_kick, h);
	if (r->web)
		return web_answer(h->web, conn, url, method,
				  r->body.s != NULL ? r->body.s : "",
				  r->body.len);
	if (strcmp(url, "/RPC2") != 0 && strcmp(url, "/") != 0)
		return http_text(conn, MHD_HTTP_NOT_FOUND, "text/plain",
				 "stewardd serves XML-RPC at /RPC2\n");
	/* A page elsewhere may make a browser POST a call here (a form
	 * with enctype text/plain), with the basic auth it keeps for this
	 * server: refused, as the web page's buttons are. */
	if ((cross = web_cross_site(conn)) != NULL) {
		char msg[200];

		snprintf(msg, sizeof(msg),
			 "refused: a browser's call from another site (%s); "
			 "XML-RPC is for supervisorctl and other programs\n",
			 cross);
		return http_text(conn, MHD_HTTP_FORBIDDEN, "text/plain", msg);
	}
	return http_call(h, r);
}

/* A request is over (answered, or its connection gone): free it. */
static void
http_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
	       enum MHD_RequestTerminationCode toe)
{
	struct http_req *r = *con_cls;
	struct http_conn *hc = http_conn_of(conn);

	(void)cls;
	(void)toe;
	if (hc != NULL)
		http_conn_list(hc); /* the next request's time begins */
	if (r == NULL)
		return;
	if (r->wait != NULL) {
		xrm_wait_cancel(r->wait);
		if (r->prev != NULL)
			r->prev->next = r->next;
		else
			r->h->waiting = r->next;
		if (r->next != NULL)
			r->next->prev = r->prev;
	}
	sbuf_free(&r->body);
	sbuf_free(&r->reply);
	free(r);
	*con_cls = NULL;
}

/* libmicrohttpd's own complaints, into stewardd's log. */
__attribute__((format(printf, 2, 0))) static void
http_logger(void *cls, const char *fmt, va_list ap)
{
	char msg[512];
	size_t n;

	(void)cls;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n > 0 && msg[n - 1] == '\n')
		msg[--n] = '\0';
	/* A client that left in the middle of its request, or was cut for
	 * its slowness (see Slow clients, said once a minute), is no fault
	 * of the server's: a line each would let clients fill stderr. */
	if (strstr(msg, "closed when reading request") != NULL)
		return;
	log_warnx("http: %s", msg);
}

/*
 * Let libmicrohttpd work, then arm its next timeout.
 *
 * At HTTP_CONN_MAX connections libmicrohttpd takes its listening socket
 * out of its epoll set, and puts it back at the start of the next
 * MHD_run(), not when a connection closes.  A run that closed
 * connections at the limit is thus followed by another: else, with no
 * connection left to wake the loop, the clients waiting in the backlog
 * (and every later one) would never be accepted.
 */
static void
http_run(struct http *h)
{
	MHD_UNSIGNED_LONG_LONG ms;
	bool at_limit = h->nconns >= HTTP_CONN_MAX;

	if (MHD_run(h->d) == MHD_NO)
		log_warnx("http: cannot run the server: libmicrohttpd failed");
	if (at_limit && h->nconns < HTTP_CONN_MAX && MHD_run(h->d) == MHD_NO)
		log_warnx("http: cannot run the server: libmicrohttpd failed");
	ev_timer_stop(h->s->loop, &h->tmo);
	if (MHD_get_timeout(h->d, &ms) == MHD_YES) {
		ev_timer_set(&h->tmo, (double)ms / 1000.0, 0);
		ev_timer_start(h->s->loop, &h->tmo);
	}
}

static void
http_io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)loop;
	(void)revents;
	http_run(w->data);
}

static void
http_tmo_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	(void)loop;
	(void)revents;
	http_run(t->data);
}

/* Bind and listen on the socket; its fd, or -1 with *errp. */
static int
http_listen(struct http *h, struct err **errp)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct safepath_why why;
	struct stat sb;
	const char *name;
	char msg[512];
	mode_t old;
	int fd, dfd;

	if (strlen(h->path) >= sizeof(sa.sun_path)) {
		*errp = ERR_NEW("the socket path %s is longer than %zu bytes",
				h->path, sizeof(sa.sun_path) - 1);
		return -1;
	}
	if ((dfd = safepath_parent(h->path, &name, &why)) == -1) {
		*errp =
		    ERR_NEW("opening the directory of %s: %s", h->path,
			    safepath_describe(&why, errno, msg, sizeof(msg)));
		return -1;
	}
	if (why.shared) {
		close(dfd);
		*errp = ERR_NEW("refusing %s: a directory on the way is one "
				"that another user can change; put it in a "
				"directory only root can change (see SECURITY "
				"in stewardd(8))",
				h->path);
		return -1;
	}
	if (sockname_claim(dfd, name, h->path, "server",
			   "[unix_http_server] file", errp) == -1) {
		close(dfd);
		return -1;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd == -1) {
		*errp = ERR_SYS("making the socket");
		close(dfd);
		return -1;
	}
	memcpy(sa.sun_path, h->path, strlen(h->path) + 1);
	old = umask(0177); /* never a moment with a wider mode */
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == -1) {
		*errp = ERR_SYS("binding %s", h->path);
		umask(old);
		close(fd);
		close(dfd);
		return -1;
	}
	umask(old);
	if (fstatat(dfd, name, &sb, AT_SYMLINK_NOFOLLOW) == -1) {
		*errp = ERR_SYS("checking %s", h->path);
		goto fail;
	}
	if (!S_ISSOCK(sb.st_mode)) {
		*errp =
		    ERR_NEW("%s is no socket just after binding it", h->path);
		goto fail;
	}
	if (safepath_sock_chown_chmod(dfd, name, sb.st_dev, sb.st_ino, h->uid,
				      h->gid, h->mode) == -1) {
		*errp = ERR_SYS("giving %s its owner and mode %04o", h->path,
				(unsigned)h->mode);
		goto fail;
	}
	if (listen(fd, 64) == -1) {
		*errp = ERR_SYS("listening on %s", h->path);
		goto fail;
	}
	close(dfd);
	h->dev = sb.st_dev;
	h->ino = sb.st_ino;
	return fd;

fail:
	(void)unlinkat(dfd, name, 0);
	close(fd);
	close(dfd);
	return -1;
}

/*
 * Bind and listen on [inet_http_server]'s HOST:PORT ("" every address),
 * the first address getaddrinfo gives; its fd, or -1 with *errp.
 */
static int
http_listen_tcp(const struct http_spec *spec, struct err **errp)
{
	struct addrinfo hints = {.ai_family = AF_UNSPEC,
				 .ai_socktype = SOCK_STREAM,
				 .ai_flags = AI_PASSIVE | AI_NUMERICSERV};
	struct addrinfo *ai;
	int fd, rc, one = 1;

	rc = getaddrinfo(*spec->host ? spec->host : NULL, spec->port, &hints,
			 &ai);
	if (rc != 0) {
		*errp = ERR_NEW("resolving %s:%s: %s", spec->host, spec->port,
				gai_strerror(rc));
		return -1;
	}
	fd = socket(ai->ai_family,
		    ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd == -1) {
		*errp = ERR_SYS("making a TCP socket");
		freeaddrinfo(ai);
		return -1;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == -1 ||
	    bind(fd, ai->ai_addr, ai->ai_addrlen) == -1 ||
	    listen(fd, 64) == -1) {
		*errp = ERR_SYS("listening on %s:%s", spec->host, spec->port);
		close(fd);
		freeaddrinfo(ai);
		return -1;
	}
	freeaddrinfo(ai);
	return fd;
}

/* Listen and serve; see http.h. */
struct http *
http_open(struct steward *s, const struct http_spec *spec, struct err **errp)
{
	struct http *h = xcalloc(1, sizeof(*h));
	const union MHD_DaemonInfo *di;
	int fd;

	h->s = s;
	h->tcp = spec->file == NULL;
	h->path = h->tcp ? xasprintf("%s:%s", spec->host, spec->port)
			 : xstrdup(spec->file);
	h->mode = spec->mode;
	h->uid = spec->uid;
	h->gid = spec->gid;
	h->username = spec->username ? xstrdup(spec->username) : NULL;
	h->password = spec->password ? xstrdup(spec->password) : NULL;
	h->clients = xcalloc(HTTP_CLIENTS_MAX, sizeof(*h->clients));
	if ((h->web = web_new(s, h->tcp ? spec->host : NULL, errp)) == NULL)
		goto fail;
	if ((fd = h->tcp ? http_listen_tcp(spec, errp)
			 : http_listen(h, errp)) == -1)
		goto fail;
	h->d = MHD_start_daemon(
	    MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG, 0,
	    NULL, NULL, http_handler, h, MHD_OPTION_EXTERNAL_LOGGER,
	    http_logger, h, MHD_OPTION_LISTEN_SOCKET, fd,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)HTTP_CONN_MAX,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)HTTP_IDLE_SECONDS,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)HTTP_HEADER_MEM,
	    MHD_OPTION_NOTIFY_COMPLETED, http_completed, h,
	    MHD_OPTION_NOTIFY_CONNECTION, http_notify, h, MHD_OPTION_END);
	if (h->d == NULL) {
		*errp = ERR_NEW("cannot start libmicrohttpd on %s", h->path);
		close(fd);
		goto fail_unlink;
	}
	di = MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_EPOLL_FD);
	if (di == NULL) {
		*errp = ERR_NEW("libmicrohttpd gave no epoll descriptor");
		MHD_stop_daemon(h->d);
		goto fail_unlink;
	}
	ev_io_init(&h->eio, http_io_cb, di->epoll_fd, EV_READ);
	h->eio.data = h;
	ev_io_start(s->loop, &h->eio);
	ev_init(&h->tmo, http_tmo_cb);
	h->tmo.data = h;
	ev_init(&h->cut, http_cut_cb);
	h->cut.data = h;
	ev_init(&h->say, http_say_cb);
	h->say.data = h;
	http_run(h);
	return h;

fail_unlink:
	if (!h->tcp)
		(void)unlink(h->path);
fail:
	web_free(h->web);
	free(h->path);
	free(h->username);
	free(h->password);
	free(h->clients);
	free(h);
	return NULL;
}

/* Stop serving; see http.h. */
void
http_close(struct http *h)
{
	struct safepath_why why;
	const char *name;
	struct stat sb;
	int dfd;

	if (h == NULL)
		return;
	while (h->waiting != NULL) {
		struct http_req *r = h->waiting;
		struct sbuf body = {0};

		xrm_wait_cancel(r->wait);
		r->wait = NULL;
		xmlrpc_fault(&body, XRM_SHUTDOWN_STATE, "SHUTDOWN_STATE");
		http_done(r, &body);
		sbuf_free(&body);
	}
	/* libmicrohttpd stops only with no connection suspended. */
	xrm_logtail_end_all(&h->logtails);
	http_run(h);
	ev_io_stop(h->s->loop, &h->eio);
	ev_timer_stop(h->s->loop, &h->tmo);
	MHD_stop_daemon(h->d); /* closes the listening socket too */
	ev_timer_stop(h->s->loop, &h->cut);
	http_cuts_say(h, true); /* the last held back (stops the timer) */
	if (!h->tcp && (dfd = safepath_parent(h->path, &name, &why)) != -1) {
		if (fstatat(dfd, name, &sb, AT_SYMLINK_NOFOLLOW) == 0 &&
		    sb.st_dev == h->dev && sb.st_ino == h->ino &&
		    unlinkat(dfd, name, 0) == -1)
			log_warnx("cannot remove %s: %s", h->path,
				  strerror(errno));
		close(dfd);
	}
	web_free(h->web);
	free(h->path);
	free(h->username);
	free(h->password);
	free(h->clients);
	free(h);
}
