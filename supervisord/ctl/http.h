/*
 * supervisord's HTTP server on [unix_http_server]: XML-RPC at /RPC2
 * (xmlrpc.c, xmlrpc-methods.c), served by libmicrohttpd from stewardd's
 * own loop.
 */
#ifndef STEWARD_HTTP_H
#define STEWARD_HTTP_H

#include <stdbool.h>

#include "base/err.h"

struct steward;
struct http_spec;
struct http;

/* The limits (see stewardd(8), SUPERVISORCTL). */
#define HTTP_BODY_MAX (256 * 1024) /* bytes of a request's body */
#define HTTP_CONN_MAX 32           /* connections at once */
#define HTTP_IDLE_SECONDS 30       /* a connection silent this long */
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

/* Equal strings, in a time that does not tell where they differ (a
 * password, a token): the web page's checks use it too. */
bool http_same(const char *a, const char *b);

#endif
