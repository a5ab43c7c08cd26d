/*
 * The control socket: stewardd's side of the protocol in ctl-proto.h.
 */
#ifndef STEWARD_CTL_H
#define STEWARD_CTL_H

#include "base/err.h"
#include "core/steward-events.h"

struct steward;
struct ward_inst;
struct ctl;

/*
 * Listen on path: refuses a symlink, a non-socket, or a socket another
 * live stewardd answers on; replaces a stale one.  Mode 0600, or 0660
 * and owned by group gid when has_group.
 */
struct ctl *ctl_open(struct steward *s, const char *path, bool has_group,
		     gid_t gid, struct err **errp)
    __attribute__((nonnull(1, 2, 5)));

/* An instance changed state: finish the requests waiting for it. */
void ctl_transition(struct ctl *c, struct ward_inst *wi);

/* An instance is about to be freed: answer the waits that include it. */
void ctl_forget(struct ctl *c, struct ward_inst *wi);

/* Who else may connect, after a reload changed [steward] group. */
void ctl_set_group(struct ctl *c, bool has_group, gid_t gid);

/* The control connections open now (each holds one fd). */
size_t ctl_nconns(const struct ctl *c);

/* Stop listening, answer waiting clients, close, unlink the socket. */
void ctl_close(struct ctl *c);

/* A reload cn asked for is done (rc 0 or -1, the reply's fields). */
struct ctl_conn;
void ctl_reload_done(struct ctl_conn *cn, int rc, const struct sbuf *json);

/* What the control socket hears of the core (steward-events.h):
 * transitions and orders done (waits judge), instances freed. */
extern const struct steward_events ctl_events;

#endif
