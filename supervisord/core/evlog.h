/*
 * The event log: one JSON object a line, appended.
 *
 * Rules (see evlog.c's essay): the log never blocks the loop; a write
 * that fails (full disk, EIO) loses that event, counts it, and the next
 * write that succeeds is preceded by an "events_lost" record with the
 * count; a deleted or rotated file is noticed and reopened; SIGUSR1
 * reopens.  "-" means standard error (JSON lines there too).
 *
 * A record is built with evlog_begin(), fields added, and
 * evlog_commit()ed.  Fields "ts" (RFC 3339 UTC, milliseconds), "level"
 * and "event" are written first by evlog_begin().
 */
#ifndef STEWARD_EVLOG_H
#define STEWARD_EVLOG_H

#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"

struct ev_loop;
struct evlog;

enum evlog_level { EVLOG_DEBUG, EVLOG_INFO, EVLOG_WARN, EVLOG_ERROR };

struct evlog_rec {
	struct evlog *log;
	struct sbuf buf;
};

/* Open path for appending (mode 0640, created); "-" = stderr. */
struct evlog *evlog_open(struct ev_loop *loop, const char *path,
			 struct err **errp);

/* Flush what can be flushed without blocking, then close. */
void evlog_close(struct evlog *l);

/* Reopen the same path (after rotation, SIGUSR1). */
int evlog_reopen(struct evlog *l, struct err **errp);

/* The next log id (1, 2, ...), for errors that reach the top. */
uint64_t evlog_next_id(struct evlog *l);

/*
 * The file the log is written to, for a reader, or NULL: stewardd's own
 * standard error ("-"), or a name of its own stdout or stderr
 * (/dev/stderr, /proc/self/fd/1, ...), which is no file to read back.
 */
const char *evlog_file(const struct evlog *l);

/* Events lost so far (writes that failed), for status. */
uint64_t evlog_lost(const struct evlog *l);

void evlog_begin(struct evlog_rec *r, struct evlog *l, enum evlog_level lvl,
		 const char *event);
void evlog_str(struct evlog_rec *r, const char *key, const char *val);
void evlog_int(struct evlog_rec *r, const char *key, long long val);
void evlog_num(struct evlog_rec *r, const char *key, double val);
void evlog_bool(struct evlog_rec *r, const char *key, bool val);
/* "log_id": id and "error": err_json(e) and "message": person message. */
void evlog_err(struct evlog_rec *r, uint64_t log_id, const struct err *e);
/* Write the record (or count it lost) and free its buffer. */
void evlog_commit(struct evlog_rec *r);

/*
 * Write what is held now.  Inside the loop a commit is written just
 * before the loop next sleeps, by a prepare watcher; one committed from
 * a prepare watcher would wait for the next turn, so the loop's last
 * prepare watcher calls this.
 */
void evlog_sync(struct evlog *l);

/* The timestamp format used in "ts", for other writers: buf >= 32. */
void evlog_timestamp(char *buf, unsigned long len);

#endif
