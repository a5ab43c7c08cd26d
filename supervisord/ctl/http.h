/*
 * supervisord's HTTP server on [unix_http_server]: XML-RPC at /RPC2
 * (xmlrpc.c, xmlrpc-methods.c), served by libmicrohttpd from stewardd's
 * own loop.
 */
#ifndef STEWARD_HTTP_H
#define STEWARD_HTTP_H

#include <microhttpd.h>
#include <stdbool.h>

#include "base/err.h"

struct steward;
struct http_spec;
struct http;

/* The limits (see stewardd(8), SUPERVISORCTL). */
#define HTTP_BODY_MAX (256 * 1024) /* bytes of a request's body */
#define HTTP_CONN_MAX 32           /* connections at once */
#define HTTP_IDLE_SECONDS 30       /* a connection silent this long */
#define HTTP_REQUEST_SECONDS 10    /* a request's headers (unproven: body) */
#define HTTP_RATE_BURST 200        /* requests a client may make at once */
#define HTTP_RATE_PER_SECOND 50    /* and then, a second */
#define HTTP_CLIENTS_MAX 64        /* clients whose rate is remembered */

/*
 * Listen on spec->file as the control socket does (safepath's rule, a
 * stale socket replaced, a live one or a non-socket refused) with
 * spec's mode and owner.  NULL with *errp.
 */
struct http *http_open(struct steward *s, const struct http_spec *spec,
		       struct err **errp);

/* Answer waiting calls with SHUTDOWN_STATE, close, unlink the socket. */
void http_close(struct http *h);

/* A header of a response, beyond its Content-Type. */
struct http_header {
	const char *name, *value;
};

/*
 * Queue a response: status, a Content-Type of type (none when NULL),
 * then each header of extra in its order (extra ends at a NULL name; NULL
 * for none), and body, which the response takes (*body is emptied, also
 * on failure).  Every answer of the server is made here: the XML-RPC
 * calls', the web page's (web.c, with its security headers), the log
 * streams' errors.  MHD_NO when libmicrohttpd cannot.
 */
enum MHD_Result http_respond(struct MHD_Connection *conn, unsigned status,
			     const char *type, struct sbuf *body,
			     const struct http_header *extra);

/* http_respond() of a copy of text, with no other header. */
enum MHD_Result http_text(struct MHD_Connection *conn, unsigned status,
			  const char *type, const char *text);

/* Equal strings, in a time that does not tell where they differ (a
 * password, a token): the web page's checks use it too. */
bool http_same(const char *a, const char *b);

#endif
