/*
 * supervisord's XML-RPC methods (supervisor.*, system.*) on stewardd's
 * wards: see the METHODS table in stewardd(8).
 */
#ifndef STEWARD_XMLRPC_METHODS_H
#define STEWARD_XMLRPC_METHODS_H

#include "base/err.h"
#include "proto/xmlrpc.h"

struct steward;
struct xrm_wait;

/* supervisord's fault codes (supervisor/xmlrpc.py). */
enum xrm_fault {
	XRM_UNKNOWN_METHOD = 1,
	XRM_INCORRECT_PARAMETERS = 2,
	XRM_BAD_ARGUMENTS = 3,
	XRM_SIGNATURE_UNSUPPORTED = 4,
	XRM_SHUTDOWN_STATE = 6,
	XRM_BAD_NAME = 10,
	XRM_BAD_SIGNAL = 11,
	XRM_NO_FILE = 20,
	XRM_NOT_EXECUTABLE = 21,
	XRM_FAILED = 30,
	XRM_ABNORMAL_TERMINATION = 40,
	XRM_SPAWN_ERROR = 50,
	XRM_ALREADY_STARTED = 60,
	XRM_NOT_RUNNING = 70,
	XRM_SUCCESS = 80,
	XRM_ALREADY_ADDED = 90,
	XRM_STILL_RUNNING = 91,
	XRM_CANT_REREAD = 92,
};

/* Called once with the whole methodResponse of a call that waited. */
typedef void xrm_done_fn(void *arg, struct sbuf *body);

/*
 * Answer a call: 0 with the methodResponse in body, or 1 when it waits
 * for wards (start, stop): then done(arg, body) comes later from the
 * loop, unless xrm_wait_cancel(*waitp) is called first.
 */
int xrm_call(struct steward *s, const struct xr_call *call, struct sbuf *body,
	     xrm_done_fn *done, void *arg, struct xrm_wait **waitp);

/* Forget a waiting call (its client left, or the server closes). */
void xrm_wait_cancel(struct xrm_wait *w);

#endif
