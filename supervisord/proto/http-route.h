/*
 * The pure part of the HTTP server's request path (ctl/http.c): what a
 * request's URL names among supervisord's paths, and whether its
 * Content-Length may be read.  No loop, no system calls: the fuzz
 * target tests/fuzz/fuzz-http.c drives it with whole requests.
 */
#ifndef STEWARD_HTTP_ROUTE_H
#define STEWARD_HTTP_ROUTE_H

#include <stdbool.h>
#include <stddef.h>

/* The longest process name a logtail path may carry. */
#define HTTP_ROUTE_NAME_MAX 255

enum http_route_kind {
	HTTP_ROUTE_RPC2,        /* /RPC2 (or /), XML-RPC by POST */
	HTTP_ROUTE_LOGTAIL,     /* /logtail/NAME[/stdout|/stderr] */
	HTTP_ROUTE_MAINLOGTAIL, /* /mainlogtail */
	HTTP_ROUTE_BAD_LOGTAIL, /* /logtail/ with no name, or a bad channel */
	HTTP_ROUTE_OTHER,       /* anything else (the web page's, or 404) */
};

struct http_route {
	enum http_route_kind kind;
	char name[HTTP_ROUTE_NAME_MAX + 1]; /* HTTP_ROUTE_LOGTAIL */
	bool stderr_;                       /* HTTP_ROUTE_LOGTAIL: stderr */
};

/* What url (decoded, as libmicrohttpd gives it) names. */
void http_route(const char *url, struct http_route *r);

/*
 * A Content-Length's verdict against max: 0 when the body may be read
 * (absent, or a number up to max), 413 when it is larger, 400 when it
 * is no number.
 */
unsigned http_route_length(const char *cl, size_t max);

#endif
