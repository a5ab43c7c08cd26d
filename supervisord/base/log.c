/*
 * Messages for people on standard error (see log.h).
 *
 * stderr may be a pipe to a slow reader (a terminal, journald, a
 * container runtime).  Setting O_NONBLOCK on fd 2 would change the file
 * description stewardd shares with its parent, so log_init() opens
 * /proc/self/fd/2 again, which for a pipe, FIFO or terminal gives a new
 * description of the same file that can be non-blocking on its own.
 * When that is not possible (a socket, no /proc), writes go to fd 2 as
 * they are.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/err.h"
#include "base/escape.h"
#include "base/log.h"

static int log_fd = 2;
static unsigned long log_ndropped;

/* Lines held for one write (see log_hold()); whole lines only. */
static bool log_held;
static char log_buf[PIPE_BUF];
static size_t log_len;
static unsigned log_lines;

/* Find a non-blocking way to write to stderr. */
void
log_init(void)
{
	struct stat sb;
	int fd;

	/* A regular file never blocks; keep sharing its offset. */
	if (fstat(2, &sb) == -1 || S_ISREG(sb.st_mode))
		return;
	fd = open("/proc/self/fd/2",
		  O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd != -1)
		log_fd = fd;
}

/* Write whole lines (lines of them), or drop them. */
static void
log_put(const char *buf, size_t len, unsigned lines)
{
	ssize_t n;

	do
		n = write(log_fd, buf, len);
	while (n == -1 && errno == EINTR);
	if (n != (ssize_t)len)
		log_ndropped += lines;
}

/* Write what is held. */
void
log_flush(void)
{
	if (log_len > 0)
		log_put(log_buf, log_len, log_lines);
	log_len = 0;
	log_lines = 0;
}

/* Hold lines for log_flush(), or write them at once again. */
void
log_hold(bool on)
{
	if (!on)
		log_flush();
	log_held = on;
}

/* One whole line: held, or written now. */
static void
log_write(const char *buf, size_t len)
{
	if (!log_held || len > sizeof(log_buf)) {
		log_flush();
		log_put(buf, len, 1);
		return;
	}
	if (log_len + len > sizeof(log_buf))
		log_flush();
	memcpy(log_buf + log_len, buf, len);
	log_len += len;
	log_lines++;
}

/*
 * Format into a line buffer and write it with a prefix, escaped: the
 * line may hold a ward's words (STATUS=, WORK=, its output), and a
 * ward must not be able to steer the terminal that reads stderr.
 */
__attribute__((format(printf, 2, 0))) static void
log_vline(const char *prefix, const char *fmt, va_list ap)
{
	char buf[2048], out[ESCAPE_BOUND(sizeof(buf)) + 2];
	int n = snprintf(buf, sizeof(buf), "%s", prefix);

	if (n < 0 || (size_t)n >= sizeof(buf))
		n = 0;
	int m = vsnprintf(buf + n, sizeof(buf) - (size_t)n, fmt, ap);
	if (m < 0)
		return;
	size_t len = (size_t)n + (size_t)m;
	if (len > sizeof(buf) - 1)
		len = sizeof(buf) - 1;
	if (escape_clean(buf, len)) {
		memcpy(out, buf, len);
	} else {
		/* A cut may have split a sequence: fine, it is shown. */
		len = escape_text(out, buf, len);
	}
	out[len++] = '\n';
	log_write(out, len);
}

/* A readable line with the local time. */
void
log_line(const char *fmt, ...)
{
	char prefix[32];
	struct timespec ts;
	struct tm tm;
	va_list ap;

	if (clock_gettime(CLOCK_REALTIME, &ts) == -1 ||
	    localtime_r(&ts.tv_sec, &tm) == NULL) {
		prefix[0] = '\0';
	} else {
		snprintf(prefix, sizeof(prefix), "%02d:%02d:%02d.%03ld ",
			 tm.tm_hour, tm.tm_min, tm.tm_sec,
			 ts.tv_nsec / 1000000);
	}
	va_start(ap, fmt);
	log_vline(prefix, fmt, ap);
	va_end(ap);
}

/* A message with the program's name. */
void
log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vline("stewardd: ", fmt, ap);
	va_end(ap);
}

/* An error for people, one line; see log.h. */
void
log_err(struct err *e)
{
	char *msg = err_person_message(e);

	log_warnx("%s", msg);
	free(msg);
	err_free(e);
}

/* Lines dropped so far. */
unsigned long
log_dropped(void)
{
	return log_ndropped;
}
