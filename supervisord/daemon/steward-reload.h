/*
 * Reloading the config (steward-reload.c has the design).
 */
#ifndef STEWARD_STEWARD_RELOAD_H
#define STEWARD_STEWARD_RELOAD_H

#include "core/steward-events.h"

struct steward;
struct ctl_conn;

/*
 * Re-read the config (in a thread) and apply the difference once read;
 * cn, unless NULL (a SIGHUP), then gets its reply through
 * ctl_reload_done(): -1 when the config has an error (nothing changed),
 * with the reply's fields for stewardctl.
 */
void steward_reload(struct steward *s, const char *why, struct ctl_conn *cn);
/* cn went away; it gets no reply. */
void steward_reload_forget(struct steward *s, struct ctl_conn *cn);
/* At the end, wait for a read under way and drop it. */
void steward_reload_fini(struct steward *s);
/* After a transition, finish what a reload began. */
void steward_reload_settle(struct steward *s);

/* What reload hears of the core (steward-events.h): SIGHUP, settles. */
extern const struct steward_events reload_events;

#endif
