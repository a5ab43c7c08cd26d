/*
 * sockname.c: the name of a unix socket stewardd listens on (the control
 * socket, [unix_http_server]), made stewardd's before it binds.
 */
#ifndef STEWARD_SOCKNAME_H
#define STEWARD_SOCKNAME_H

#include "base/err.h"

/*
 * Make NAME (in the directory dfd, shown to people as path) free for a
 * new socket: refuse a symbolic link, anything that is not a socket, and
 * a socket some server still answers on (who names it: "stewardd",
 * "server"); remove a stale socket.  hint says what the person may
 * choose instead ("socket path", "[unix_http_server] file").  0, or -1
 * with *errp.
 */
int sockname_claim(int dfd, const char *name, const char *path, const char *who,
		   const char *hint, struct err **errp);

#endif
