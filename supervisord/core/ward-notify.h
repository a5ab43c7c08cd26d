/*
 * heartbeat = notify: an instance's NOTIFY_SOCKET (ward-notify.c).
 */
#ifndef STEWARD_WARD_NOTIFY_H
#define STEWARD_WARD_NOTIFY_H

#include <ev.h>

#include "base/err.h"

struct steward;
struct ward_inst;

/* An instance's notify socket, embedded in ward_inst as notify. */
struct ward_notify {
	int fd;     /* the socket, or -1 */
	char *path; /* its path */
	ev_io io;
};

/* Make the instance's NOTIFY_SOCKET before it spawns. */
int ward_notify_open(struct steward *s, struct ward_inst *wi,
		     struct err **errp);
/* Read waiting messages before a deadline is judged. */
void ward_notify_poll(struct steward *s, struct ward_inst *wi);
/* Read what is left, close and remove the socket. */
void ward_notify_close(struct steward *s, struct ward_inst *wi);
/* Remove stewardd's notify directory at exit. */
void ward_notify_cleanup(struct steward *s);

#endif
