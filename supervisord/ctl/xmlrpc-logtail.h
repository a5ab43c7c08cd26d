/*
 * The HTTP paths supervisorctl tail -f and maintail -f stream:
 * /logtail/NAME, /logtail/NAME/stdout, /logtail/NAME/stderr and
 * /mainlogtail (xmlrpc-logtail.c has the design).
 */
#ifndef STEWARD_XMLRPC_LOGTAIL_H
#define STEWARD_XMLRPC_LOGTAIL_H

#include <microhttpd.h>
#include <stdbool.h>

struct steward;
struct xrm_logtail; /* one stream a client follows */

/* Whether url is one of these paths. */
bool xrm_logtail_route(const char *url);

/*
 * Answer a request for one: 404 when there is nothing to follow, else a
 * stream that follows the log until the client leaves, kept on *list.
 * kick(arg) is called after the connection is resumed, for the server
 * to run.
 */
enum MHD_Result xrm_logtail_answer(struct steward *s,
				   struct MHD_Connection *conn,
				   const char *method, const char *url,
				   struct xrm_logtail **list,
				   void (*kick)(void *arg), void *arg);

/*
 * End every stream on *list (the server closes): each suspended one is
 * resumed to end, as libmicrohttpd stops only without suspended
 * connections; run the server once after.
 */
void xrm_logtail_end_all(struct xrm_logtail **list);

#endif
