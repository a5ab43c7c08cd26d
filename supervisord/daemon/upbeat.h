/*
 * stewardd as a ward: beats to its own supervisor.
 *
 * Started with STEWARD_HEARTBEAT_FD (a steward above it) or NOTIFY_SOCKET
 * (systemd, Type=notify), stewardd speaks the heartbeat protocol upward:
 * READY=1 once every autostart instance has left "starting", a beat at
 * the interval it was given (STEWARD_HEARTBEAT_INTERVAL_MS, or half of
 * WATCHDOG_USEC), STATUS= with a summary when it changes, and STOPPING=1
 * when it begins to stop.  The beats come from a timer of its own loop,
 * so a stuck loop stops beating and the supervisor above heals it.
 */
#ifndef STEWARD_UPBEAT_H
#define STEWARD_UPBEAT_H

#include "core/steward-events.h"

struct steward;

/* Find the channel upward, if any; log what was found. */
void upbeat_open(struct steward *s);

/* The instances' states changed: maybe READY=1, a new STATUS=. */
void upbeat_update(struct steward *s);

/* stewardd begins to stop. */
void upbeat_stopping(struct steward *s);

void upbeat_close(struct steward *s);

/* What upbeat hears of the core (steward-events.h): transitions and
 * the end of the autostart (READY=1, STATUS=), shutdown (STOPPING=1). */
extern const struct steward_events upbeat_events;

#endif
