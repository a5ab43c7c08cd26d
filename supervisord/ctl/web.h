/*
 * The web page of the HTTP server (see web.c): every ward instance and
 * job at a glance, with start, stop and restart buttons.  http.c hands
 * it the requests web_route() claims, after its own auth check.
 */
#ifndef STEWARD_WEB_H
#define STEWARD_WEB_H

#include <microhttpd.h>
#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"

struct steward;
struct web;

/* The limits (see stewardd(8), WEB PAGE). */
#define WEB_PAGE_ROWS 100 /* instances a page or a refresh shows */
#define WEB_OUT_LINES 4   /* output lines a row shows */
#define WEB_LINE_MAX 200  /* bytes of each line shown */
#define WEB_Q_MAX 64      /* bytes of a filter */

/*
 * The page's state for one server: a random token that every action
 * must carry (made now from getrandom(2)), and the host of
 * [inet_http_server] (NULL on the unix socket) that a browser's Host
 * header may name.  NULL with *errp.
 */
struct web *web_new(struct steward *s, const char *host, struct err **errp);
void web_free(struct web *w);

/* True when the request is the page's: GET of "/", anything under
 * "/web/". */
bool web_route(const char *method, const char *url);

/*
 * Why a request is a browser's from another site (its Origin is not this
 * server, or Sec-Fetch-Site is not same-origin), or NULL: not a
 * browser's, or the page's own.  supervisorctl and xmlrpc.client send
 * neither header.
 */
const char *web_cross_site(struct MHD_Connection *conn);

/* Answer a request web_route() claimed, its body read (an action's
 * form).  The caller checked who may ask. */
enum MHD_Result web_answer(struct web *w, struct MHD_Connection *conn,
			   const char *url, const char *method,
			   const char *body, size_t len);

#endif
