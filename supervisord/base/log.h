/*
 * stewardd's own messages for people, on standard error: startup
 * problems, and a readable line for every event-log record when the
 * event log is a file.  Writes never block the loop: a line that cannot
 * be written at once is dropped and counted (the event log is the
 * record; this is its mirror).
 */
#ifndef STEWARD_LOG_H
#define STEWARD_LOG_H

#include <stdbool.h>

/* Set up the non-blocking stderr; call once, early. */
void log_init(void);

/* "HH:MM:SS.mmm message" on stderr. */
void log_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* "stewardd: message" on stderr, for before the loop runs. */
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

struct err;
/* An error for people (err_person_message()) by log_warnx(); frees e. */
void log_err(struct err *e);

/*
 * While held, lines gather (up to PIPE_BUF bytes, written whole by a
 * pipe) and log_flush() writes them in one write(2); the loop holds them
 * for one iteration, as the event log does.  log_hold(false) flushes.
 */
void log_hold(bool on);
void log_flush(void);

/* Lines dropped because stderr was not writable. */
unsigned long log_dropped(void);

#endif
