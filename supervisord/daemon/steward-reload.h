/*
 * Reloading the config (steward-reload.c has the design).
 */
#ifndef STEWARD_STEWARD_RELOAD_H
#define STEWARD_STEWARD_RELOAD_H

#include "core/steward-events.h"

struct steward;
struct ctl_conn;
struct config;
struct config_report;

/*
 * Re-read the config (in a thread) and apply the difference once read;
 * cn, unless NULL (a SIGHUP), then gets its reply through
 * ctl_reload_done(): -1 when the config has an error (nothing changed),
 * with the reply's fields for stewardctl.
 */
void steward_reload(struct steward *s, const char *why, struct ctl_conn *cn);
/* cn went away; it gets no reply. */
void steward_reload_forget(struct steward *s, struct ctl_conn *cn);
/* What steward_reload_some() does to a ward, by its name. */
enum reload_pick {
	RELOAD_KEEP,  /* left as it runs, whatever the config says */
	RELOAD_APPLY, /* added, changed or removed as the config says */
	RELOAD_DROP,  /* removed, whatever the config says */
};
typedef enum reload_pick reload_pick_fn(void *arg, const char *ward);

/*
 * Apply a config read already (a reference is taken) as a reload does,
 * but only to the wards pick chooses (supervisord's addProcessGroup and
 * removeProcessGroup); the [steward] section is left as it runs.  The
 * config becomes the running one.  0, or -1 when stewardd is stopping.
 */
int steward_reload_some(struct steward *s, const char *why, struct config *c,
			reload_pick_fn *pick, void *arg);
/*
 * Read the config as a reload does, in a thread, and apply nothing
 * (supervisord's reloadConfig): fn(arg, c, rep) is called on the loop
 * with the config (a reference fn owns, or NULL on errors) and the
 * problems (freed after fn).  NULL when no thread could start.
 */
struct steward_read;
typedef void steward_read_fn(void *arg, struct config *c,
			     struct config_report *rep);
struct steward_read *steward_read_config(struct steward *s, steward_read_fn *fn,
					 void *arg);
/* fn is not called (its asker went away); the read ends unheard. */
void steward_read_cancel(struct steward_read *rd);
/* At the end, wait for a read under way and drop it. */
void steward_reload_fini(struct steward *s);
/* After a transition, finish what a reload began. */
void steward_reload_settle(struct steward *s);

/* What reload hears of the core (steward-events.h): SIGHUP, settles. */
extern const struct steward_events reload_events;

#endif
