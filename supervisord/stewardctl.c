/*
 * stewardctl: the command line for people and scripts (stewardctl(1)).
 *
 * Finding the daemon.  -s PATH, else $STEWARD_SOCKET, else [steward]
 * socket of -c FILE (the default when FILE sets none), else
 * config_default_socket().  The path is kept with the way it was chosen,
 * because "cannot connect" is the error people meet most, and they need
 * to see which path was tried and why that one.
 *
 * Talking to it (the wire protocol is in ctl-proto.h).  One connection
 * per request: connect, send one line, read one line, close.  Every step
 * waits in poll() against a deadline on the monotonic clock, never in a
 * blocking call, so a stuck daemon costs the person the deadline and no
 * more.  start, stop and restart wait for their instances, and stewardd
 * bounds that wait itself (the slowest instance's stop_timeout plus
 * start_timeout plus 10s) and always replies by then.  A fixed deadline
 * here would either cut that wait short (30s is exactly stewardd's bound
 * for the default timeouts) or leave a hung daemon unnoticed for long;
 * so while it waits, stewardctl asks for "health" on a second connection
 * every CTL_ALIVE_EVERY_MS and gives up only when that is not answered
 * within CTL_ALIVE_TIMEOUT_MS.  --timeout D adds a hard limit.  A reply
 * is checked strictly (one line, at most CTL_REPLY_MAX bytes, one JSON
 * object with a boolean "ok") before anything in it is believed.
 *
 * Errors follow the daemon's grammar: "stewardctl: cannot <verb> <what>:
 * <cause>", the cause being stewardd's own message.  Exit codes follow
 * sysexits(3), one meaning each (ctl_codes[], stewardctl(1)), so that a
 * script can tell "did not start" (1) from "no such ward" (67), "not
 * running" (69), "try again" (75) and "not allowed" (77).
 *
 * Reading the event log.  "log" reads the file itself, a line at a time,
 * so it works without a daemon; only the path may come from "info".  A
 * line that is not a JSON object is skipped and counted.  -f polls the
 * file every CTL_FOLLOW_MS and reopens the path when it names another
 * file (rotation, by device and inode) or the file shrinks (truncation).
 *
 * Everything shown to a person from stewardd or the log passes through
 * escape_text() (escape.c), mostly by way of ctl_clean(): ward STATUS=
 * text and reasons are a ward's words, and a ward must not be able to
 * send escape sequences or bidi overrides to the operator's terminal.
 * The answer of "run" is the job's own output and is written as it is;
 * --json replies are JSON.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "ctl-proto.h"
#include "err.h"
#include "escape.h"
#include "json-read.h"
#include "parse.h"

#ifndef STEWARD_VERSION
#define STEWARD_VERSION "0.1.0"
#endif

#define CTL_EX_FAILED 1 /* an instance did not reach its goal */
#define CTL_TIMEOUT_MS 5000
#define CTL_HEALTH_TIMEOUT_MS 2000
#define CTL_ALIVE_EVERY_MS 5000
#define CTL_ALIVE_TIMEOUT_MS 5000
#define CTL_FOLLOW_MS 200
#define CTL_LOG_LINE_MAX (4 * 1024 * 1024)
#define CTL_NAME_WIDTH_MAX 24
/* The status table's columns after NAME: STATE 8, PID 7, UPTIME 6,
 * BEAT 5, RESTARTS 8, TOKENS 7, each after two spaces, and two more. */
#define CTL_STATUS_FIXED (2 + 8 + 2 + 7 + 2 + 6 + 2 + 5 + 2 + 8 + 2 + 7 + 2)
/* With cgroups: CPU 6 and PROCS 5 after TOKENS. */
#define CTL_STATUS_USAGE (2 + 6 + 2 + 5)

#define CTL_RED "\033[31m"
#define CTL_GREEN "\033[32m"
#define CTL_YELLOW "\033[33m"
#define CTL_BOLD "\033[1m"
#define CTL_RESET "\033[0m"

/* What every command may need: the daemon's address and the output. */
struct ctl_ctx {
	const char *sock_opt;   /* -s PATH */
	const char *config_opt; /* -c FILE */
	struct config *cfg;     /* -c FILE, loaded when first needed */
	char *sock;             /* the socket chosen ... */
	char *sock_how;         /* ... and how it was chosen */
	bool color;             /* stdout is a terminal, colour allowed */
	int width;              /* stdout's columns; 0 when not a terminal */
};

/* The options and operands of one command. */
struct ctl_args {
	bool json, no_wait, follow;
	long replicas; /* run --replicas, 0: the job's */
	bool with_dependents;
	int64_t timeout_ms; /* -1: the command's default */
	char **wards, **events;
	size_t nwards, nevents;
	bool has_since, has_id;
	int64_t since_ms;
	int64_t id;
	const char *file;
	char **names; /* operands */
	size_t nnames;
};

/* One stewardd reply: the line (without its newline) and its tree. */
struct ctl_reply {
	char *line;
	size_t len;
	json_t *doc;
};

enum ctl_opt {
	OPT_JSON = 1 << 0,
	OPT_NO_WAIT = 1 << 1,
	OPT_TIMEOUT = 1 << 2,
	OPT_WARD = 1 << 3,
	OPT_EVENT = 1 << 4,
	OPT_SINCE = 1 << 5,
	OPT_ID = 1 << 6,
	OPT_FOLLOW = 1 << 7,
	OPT_FILE = 1 << 8,
	OPT_REPLICAS = 1 << 9,
	OPT_WITH_DEPENDENTS = 1 << 10,
};

/* One command: its word, handler, options, operands and help. */
struct ctl_command {
	const char *name;
	int (*run)(struct ctl_ctx *c, const struct ctl_command *cmd,
		   struct ctl_args *a);
	unsigned opts;
	size_t min_names;
	size_t max_names;    /* SIZE_MAX: any number */
	const char *missing; /* too few operands; NULL: "give at least
				one NAME, or all" */
	const char *synopsis;
	const char *summary;
	const char *help;
};

/* stewardd's error codes (ctl-proto.h) and the exit code of each. */
static const struct {
	const char *code;
	int exit;
} ctl_codes[] = {
    {.code = "usage", .exit = EX_USAGE},
    {.code = "version", .exit = EX_PROTOCOL},
    {.code = "no_such_ward", .exit = EX_NOUSER},
    {.code = "too_long", .exit = EX_USAGE},
    {.code = "rate_limited", .exit = EX_TEMPFAIL},
    {.code = "refused", .exit = EX_NOPERM},
    {.code = "busy", .exit = EX_TEMPFAIL},
    {.code = "timeout", .exit = EX_TEMPFAIL},
    {.code = "shutting_down", .exit = EX_UNAVAILABLE},
    {.code = "failed", .exit = CTL_EX_FAILED},
    {.code = "config", .exit = EX_CONFIG},
    {.code = "no_such_job", .exit = EX_NOUSER},
    {.code = "no_such_run", .exit = EX_NOUSER},
    {.code = "cancelled", .exit = CTL_EX_FAILED},
    {.code = "dependents", .exit = CTL_EX_FAILED},
    {.code = "internal", .exit = EX_SOFTWARE},
};

static volatile sig_atomic_t ctl_interrupted;

/* ---------------------------------------------------------------- */
/* Small helpers                                                    */
/* ---------------------------------------------------------------- */

/* Microseconds on the monotonic clock. */
static int64_t
ctl_now_us(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1) {
		fprintf(stderr,
			"stewardctl: cannot read the monotonic clock: "
			"%s\n",
			strerror(errno));
		exit(EX_SOFTWARE);
	}
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Milliseconds on the monotonic clock, for every deadline. */
static int64_t
ctl_now_ms(void)
{
	return ctl_now_us() / 1000;
}

/* Milliseconds on the wall clock, for the event log's timestamps. */
static int64_t
ctl_wall_ms(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_REALTIME, &ts) == -1) {
		fprintf(stderr, "stewardctl: cannot read the clock: %s\n",
			strerror(errno));
		exit(EX_SOFTWARE);
	}
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* What is left of a deadline (-1: none) as a poll() timeout. */
static int
ctl_left(int64_t deadline)
{
	int64_t left;

	if (deadline < 0)
		return -1;
	left = deadline - ctl_now_ms();
	if (left < 0)
		return 0;
	return left > INT_MAX ? INT_MAX : (int)left;
}

/*
 * Close a descriptor we only read from or that failed: its close(2)
 * error cannot lose data, and Linux releases the descriptor regardless.
 */
static void
ctl_close(int fd)
{
	if (close(fd) == -1 && errno != EINTR) {
		/* Nothing was written through fd that could be lost. */
	}
}

/*
 * Whether an error already says everything as one line (connection and
 * config errors): its outermost layer has the field "socket".
 */
static bool
ctl_standalone(const struct err *e)
{
	for (size_t i = 0; e != NULL && i < e->nfields; i++)
		if (strcmp(e->fields[i].key, "socket") == 0)
			return true;
	return false;
}

/* Print prefix and s, escaped (escape_text()), as a line on stderr. */
static void
ctl_eprint(const char *prefix, const char *s)
{
	char *clean = escape_dup(s);

	fprintf(stderr, "%s%s\n", prefix, clean);
	free(clean);
}

/* Print "stewardctl: " and the error, wrapped in what we were doing. */
static int ctl_fail(int rc, struct err *e, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
ctl_fail(int rc, struct err *e, const char *fmt, ...)
{
	char *s;

	if (fmt != NULL && !ctl_standalone(e)) {
		va_list ap;
		char *what;

		va_start(ap, fmt);
		what = xvasprintf(fmt, ap);
		va_end(ap);
		e = ERR_WRAP(e, "%s", what);
		free(what);
	}
	s = err_str(e);
	if (fflush(stdout) == EOF) {
		/* Reported by main() when it flushes again. */
	}
	/* stewardd's words may quote a ward's or a file's. */
	ctl_eprint("stewardctl: ", s);
	free(s);
	err_free(e);
	return rc;
}

/* A usage error for one command: the complaint and where to read more. */
static int ctl_usage(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
ctl_usage(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	if (fflush(stdout) == EOF) {
		/* Reported by main() when it flushes again. */
	}
	fprintf(stderr, "stewardctl%s%s: ", cmd ? " " : "", cmd ? cmd : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "; see stewardctl help%s%s\n", cmd ? " " : "",
		cmd ? cmd : "");
	return EX_USAGE;
}

/*
 * Text from stewardd or the log made safe and short for a terminal:
 * escaped by escape_text() (controls, bidi marks and invalid UTF-8 shown
 * as \x9b, \u202e), and when cols > 0 cut to cols characters, the last
 * one "…".
 */
static char *
ctl_clean(const char *s, size_t cols)
{
	char *e = escape_dup(s), *p;
	size_t n = 0, total = 0;

	if (cols == 0)
		return e;
	for (const char *q = e; *q; q++)
		total += ((unsigned char)*q & 0xc0) != 0x80;
	if (total <= cols)
		return e;
	/* Valid UTF-8 now: skip cols - 1 characters, then cut. */
	e = xrealloc(e, strlen(e) + 4);
	p = e;
	while (*p && n < cols - 1) {
		p++;
		while (((unsigned char)*p & 0xc0) == 0x80)
			p++;
		n++;
	}
	memcpy(p, "\xe2\x80\xa6", 4); /* …, and the NUL */
	return e;
}

/* Characters (not bytes) in a UTF-8 string, for column widths. */
static size_t
ctl_cols(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

/* Print a cell padded to width, coloured when colour is on. */
static void
ctl_cell(const struct ctl_ctx *c, const char *s, size_t width, bool right,
	 const char *color)
{
	size_t n = ctl_cols(s);
	size_t pad = n < width ? width - n : 0;

	if (right)
		printf("%*s", (int)pad, "");
	if (color != NULL && c->color)
		printf("%s%s%s", color, s, CTL_RESET);
	else
		fputs(s, stdout);
	if (!right)
		printf("%*s", (int)pad, "");
}

/* The colour of a state or event word, or NULL. */
static const char *
ctl_color(const char *word)
{
	if (word == NULL)
		return NULL;
	if (strcmp(word, "running") == 0)
		return CTL_GREEN;
	if (strcmp(word, "failed") == 0)
		return CTL_RED;
	if (strcmp(word, "backoff") == 0 || strcmp(word, "stopping") == 0 ||
	    strcmp(word, "killing") == 0)
		return CTL_YELLOW;
	return NULL;
}

/* An age or uptime for people: 0.4s (short ages), 3s, 2m10s, 1h2m, 3d4h. */
static void
ctl_human_ms(int64_t ms, bool tenths, char *buf, size_t len)
{
	int64_t s = ms / 1000;

	if (ms < 0)
		snprintf(buf, len, "-");
	else if (tenths && ms < 10000)
		snprintf(buf, len, "%" PRId64 ".%" PRId64 "s", s,
			 (ms % 1000) / 100);
	else if (s < 60)
		snprintf(buf, len, "%" PRId64 "s", s);
	else if (s < 3600)
		snprintf(buf, len, "%" PRId64 "m%" PRId64 "s", s / 60, s % 60);
	else if (s < 86400)
		snprintf(buf, len, "%" PRId64 "h%" PRId64 "m", s / 3600,
			 s / 60 % 60);
	else
		snprintf(buf, len, "%" PRId64 "d%" PRId64 "h", s / 86400,
			 s / 3600 % 24);
}

/* An integer member, or def when it is missing or not an integer. */
static int64_t
ctl_int(const json_t *obj, const char *key, int64_t def)
{
	int64_t v;

	return json_read_int(json_object_get(obj, key), &v) == 0 ? v : def;
}

/* "web:0" for a record or result with "ward" and "replica". */
static char *
ctl_label(const json_t *obj)
{
	const char *ward = json_string_value(json_object_get(obj, "ward"));
	int64_t replica = ctl_int(obj, "replica", -1);

	char *clean, *s;

	if (ward == NULL)
		return xstrdup("-");
	clean = ctl_clean(ward, 0);
	if (replica < 0)
		return clean;
	s = xasprintf("%s:%" PRId64, clean, replica);
	free(clean);
	return s;
}

/* How the request's names read in a message: ward "web", every ward. */
static char *
ctl_what(char **names, size_t n)
{
	struct sbuf b = {0};
	bool all = n == 0;

	for (size_t i = 0; i < n; i++)
		all |= strcmp(names[i], "all") == 0;
	if (all)
		return xstrdup("every ward");
	if (n == 1)
		return xasprintf("%s \"%s\"",
				 strchr(names[0], ':') ? "instance" : "ward",
				 names[0]);
	sbuf_addf(&b, "wards");
	for (size_t i = 0; i < n && i < 4; i++)
		sbuf_addf(&b, "%s \"%s\"", i ? "," : "", names[i]);
	if (n > 4)
		sbuf_addf(&b, " and %zu more", n - 4);
	return b.s;
}

/* ---------------------------------------------------------------- */
/* Finding stewardd                                                 */
/* ---------------------------------------------------------------- */

/*
 * Load -c FILE once.  Its errors are printed as they are (file:line);
 * the returned error is the one-line summary.
 */
static int
ctl_load_config(struct ctl_ctx *c, struct err **errp)
{
	struct config_report rep = {0};
	struct stat st;

	if (c->cfg != NULL)
		return 0;
	if (stat(c->config_opt, &st) == -1) {
		*errp =
		    ERR_SYS("cannot read %s (given with -c)", c->config_opt);
		err_set(*errp, "socket", "-");
		return EX_NOINPUT;
	}
	c->cfg = config_load(c->config_opt, &rep);
	if (c->cfg == NULL) {
		for (size_t i = 0; i < rep.n; i++)
			if (rep.v[i].severity == CONFIG_ERROR)
				fprintf(stderr, "%s\n", rep.v[i].msg);
		*errp = ERR_NEW("cannot use %s (given with -c): %zu error%s",
				c->config_opt, rep.errors,
				rep.errors == 1 ? "" : "s");
		err_set(*errp, "socket", "-");
	}
	config_report_free(&rep);
	return c->cfg == NULL ? EX_CONFIG : 0;
}

/* Choose the socket and say how (see the top of this file). */
static int
ctl_find_socket(struct ctl_ctx *c, struct err **errp)
{
	const char *env = getenv("STEWARD_SOCKET");
	const char *root = geteuid() == 0 ? "the default for root"
					  : "the default in $XDG_RUNTIME_DIR";
	int rc;

	if (c->sock != NULL)
		return 0;
	if (c->sock_opt != NULL) {
		c->sock = xstrdup(c->sock_opt);
		c->sock_how = xstrdup("given with -s");
		return 0;
	}
	if (env != NULL && env[0] != '\0') {
		c->sock = xstrdup(env);
		c->sock_how = xstrdup("from $STEWARD_SOCKET");
		return 0;
	}
	if (c->config_opt != NULL) {
		if ((rc = ctl_load_config(c, errp)) != 0)
			return rc;
		if (c->cfg->socket != NULL) {
			c->sock = xstrdup(c->cfg->socket);
			c->sock_how =
			    xasprintf("[steward] socket in %s", c->config_opt);
			return 0;
		}
		c->sock = config_default_socket();
		c->sock_how = xasprintf("%s, as %s sets no [steward] socket",
					root, c->config_opt);
	} else {
		c->sock = config_default_socket();
		c->sock_how = xasprintf("%s; use -s PATH or -c FILE", root);
	}
	if (c->sock == NULL) {
		*errp = err_set(ERR_NEW("cannot find stewardd: no -s PATH, no "
					"$STEWARD_SOCKET, no [steward] socket, "
					"and no default socket for uid %u "
					"without $XDG_RUNTIME_DIR; use -s PATH "
					"or -c FILE",
					(unsigned)geteuid()),
				"socket", "-");
		return EX_UNAVAILABLE;
	}
	return 0;
}

/* A connection error, as the one line the person sees. */
static int
ctl_connect_error(struct ctl_ctx *c, int errnum, struct err **errp)
{
	*errp = ERR_ERRNO(errnum, "cannot connect to stewardd at %s (%s)",
			  c->sock, c->sock_how);
	err_set(*errp, "socket", "%s", c->sock);
	if (errnum == EACCES || errnum == EPERM)
		return EX_NOPERM;
	if (errnum == EAGAIN || errnum == ETIMEDOUT)
		return EX_TEMPFAIL;
	return EX_UNAVAILABLE;
}

/*
 * Connect without blocking: a unix socket connects at once or says
 * EAGAIN when stewardd's listen queue is full; that is retried every
 * 10ms until the deadline.
 */
static int
ctl_connect(struct ctl_ctx *c, int64_t deadline, int *fdp, struct err **errp)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int64_t cap = ctl_now_ms() + CTL_TIMEOUT_MS;
	int rc, fd;

	/* Connecting takes no longer than an ordinary request. */
	if (deadline < 0 || deadline > cap)
		deadline = cap;
	if ((rc = ctl_find_socket(c, errp)) != 0)
		return rc;
	if (strlen(c->sock) >= sizeof(sa.sun_path))
		return ctl_connect_error(c, ENAMETOOLONG, errp);
	memcpy(sa.sun_path, c->sock, strlen(c->sock) + 1);
	for (;;) {
		int err = 0;
		socklen_t elen = sizeof(err);
		struct pollfd p;

		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
			    0);
		if (fd == -1) {
			*errp = ERR_SYS("cannot create a unix socket");
			return EX_SOFTWARE;
		}
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
			break;
		err = errno;
		if (err == EINPROGRESS || err == EINTR) {
			p = (struct pollfd){.fd = fd, .events = POLLOUT};
			rc = poll(&p, 1, ctl_left(deadline));
			if (rc == 1 && getsockopt(fd, SOL_SOCKET, SO_ERROR,
						  &err, &elen) == -1)
				err = errno;
			else if (rc == 0)
				err = ETIMEDOUT;
			else if (rc == -1)
				err = errno;
			if (err == 0)
				break;
		}
		ctl_close(fd);
		if (err == EAGAIN && ctl_left(deadline) != 0) {
			if (poll(NULL, 0, 10) == -1 && errno != EINTR)
				return ctl_connect_error(c, errno, errp);
			continue;
		}
		return ctl_connect_error(c, err, errp);
	}
	*fdp = fd;
	return 0;
}

/* ---------------------------------------------------------------- */
/* Requests and replies                                             */
/* ---------------------------------------------------------------- */

/* Build the request line and check it against the protocol's limits. */
static int
ctl_request_line(struct sbuf *b, const char *cmd, char *const *words, size_t n,
		 struct err **errp)
{
	if (n > CTL_ARGS_MAX) {
		*errp = ERR_NEW("%zu arguments; a request takes at most %d", n,
				CTL_ARGS_MAX);
		return EX_USAGE;
	}
	sbuf_addf(b, "%s %s", CTL_PROTO, cmd);
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(words[i]);
		bool ok = len > 0 && len <= CTL_WORD_MAX;

		for (size_t k = 0; k < len && ok; k++)
			ok = words[i][k] >= 0x21 && words[i][k] <= 0x7e;
		if (!ok) {
			char *w = ctl_clean(words[i], 40);

			*errp =
			    ERR_NEW("\"%s\" cannot be sent: a word is 1 to "
				    "%d printable ASCII characters, without "
				    "spaces",
				    w, CTL_WORD_MAX);
			free(w);
			return EX_USAGE;
		}
		sbuf_addf(b, " %s", words[i]);
	}
	sbuf_add(b, "\n", 1);
	if (b->len > CTL_LINE_MAX) {
		*errp = ERR_NEW("the request is %zu bytes; at most %d are "
				"accepted",
				b->len, CTL_LINE_MAX);
		return EX_USAGE;
	}
	return 0;
}

/* Send all of s before the deadline. */
static int
ctl_send(int fd, const char *s, size_t n, int64_t deadline, struct err **errp)
{
	size_t off = 0;

	while (off < n) {
		ssize_t k = send(fd, s + off, n - off, MSG_NOSIGNAL);
		struct pollfd p = {.fd = fd, .events = POLLOUT};
		int rc;

		if (k >= 0) {
			off += (size_t)k;
			continue;
		}
		if (errno == EINTR)
			continue;
		/* Gone: a refusal may be waiting to be read, so read. */
		if (errno == EPIPE || errno == ECONNRESET)
			return 0;
		if (errno != EAGAIN) {
			*errp = ERR_SYS("cannot send the request");
			return EX_UNAVAILABLE;
		}
		rc = poll(&p, 1, ctl_left(deadline));
		if (rc == 0) {
			*errp = ERR_NEW("stewardd did not take the request in "
					"time");
			return EX_TEMPFAIL;
		}
		if (rc == -1 && errno != EINTR) {
			*errp = ERR_SYS("cannot wait to send the request");
			return EX_SOFTWARE;
		}
	}
	return 0;
}

static int ctl_call(struct ctl_ctx *c, const char *cmd, char *const *words,
		    size_t n, int64_t timeout_ms, bool keep_alive,
		    struct ctl_reply *r, struct err **errp);

/* Free what a reply holds. */
static void
ctl_reply_free(struct ctl_reply *r)
{
	json_decref(r->doc);
	free(r->line);
	*r = (struct ctl_reply){0};
}

/* While a long wait goes on: is stewardd still answering? */
static int
ctl_still_alive(struct ctl_ctx *c, struct err **errp)
{
	struct ctl_reply r = {0};
	struct err *e = NULL;
	int rc =
	    ctl_call(c, "health", NULL, 0, CTL_ALIVE_TIMEOUT_MS, false, &r, &e);

	/* Any reply, even "busy", says the loop runs. */
	ctl_reply_free(&r);
	if (rc == 0)
		return 0;
	*errp = ERR_WRAP(e, "stewardd stopped answering while it worked on "
			    "the request");
	return rc == EX_UNAVAILABLE ? EX_UNAVAILABLE : EX_TEMPFAIL;
}

/* Read one reply line before the deadline (see ctl-proto.h). */
static int
ctl_recv(struct ctl_ctx *c, int fd, int64_t deadline, bool keep_alive,
	 struct ctl_reply *r, struct err **errp)
{
	struct sbuf b = {0};
	int64_t alive_at = ctl_now_ms() + CTL_ALIVE_EVERY_MS;
	char chunk[65536], *nl = NULL;
	struct err *e = NULL;
	int rc = 0;

	while (nl == NULL) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		int wait = ctl_left(deadline), k;
		ssize_t n;

		if (keep_alive && (wait < 0 || wait > ctl_left(alive_at)))
			wait = ctl_left(alive_at);
		k = poll(&p, 1, wait);
		if (k == -1 && errno == EINTR)
			continue;
		if (k == -1) {
			e = ERR_SYS("cannot wait for the reply");
			rc = EX_SOFTWARE;
			goto out;
		}
		if (k == 0) {
			if (deadline >= 0 && ctl_left(deadline) == 0) {
				/* ctl_call() says how long that was. */
				e = ERR_NEW("no reply from stewardd in time");
				rc = EX_TEMPFAIL;
				goto out;
			}
			if (keep_alive && ctl_left(alive_at) == 0) {
				if ((rc = ctl_still_alive(c, &e)) != 0)
					goto out;
				alive_at = ctl_now_ms() + CTL_ALIVE_EVERY_MS;
			}
			continue;
		}
		n = recv(fd, chunk, sizeof(chunk), 0);
		if (n == -1 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n == -1 && errno != ECONNRESET) {
			e = ERR_SYS("cannot read the reply");
			rc = EX_UNAVAILABLE;
			goto out;
		}
		if (n <= 0)
			break;
		if (b.len + (size_t)n > CTL_REPLY_MAX) {
			e = ERR_NEW("the reply is longer than the protocol's "
				    "limit of 16 MiB");
			rc = EX_PROTOCOL;
			goto out;
		}
		sbuf_add(&b, chunk, (size_t)n);
		nl = memchr(b.s + b.len - (size_t)n, '\n', (size_t)n);
	}
	if (nl == NULL && b.len == 0) {
		e = ERR_NEW("stewardd closed the connection without replying");
		rc = EX_UNAVAILABLE;
	} else if (nl == NULL) {
		e = ERR_NEW("the reply ended after %zu bytes without a newline",
			    b.len);
		rc = EX_PROTOCOL;
	} else if ((size_t)(nl - b.s) + 1 != b.len) {
		e = ERR_NEW("stewardd sent %zu bytes after its reply line",
			    b.len - (size_t)(nl - b.s) - 1);
		rc = EX_PROTOCOL;
	}
	if (rc != 0)
		goto out;
	r->len = (size_t)(nl - b.s);
	b.s[r->len] = '\0';
	if ((r->doc = json_read_doc(b.s, r->len, &e)) == NULL) {
		e = ERR_WRAP(e, "the reply is not valid JSON");
		rc = EX_DATAERR;
	} else if (!json_is_object(r->doc) ||
		   (!json_is_true(json_object_get(r->doc, "ok")) &&
		    !json_is_false(json_object_get(r->doc, "ok")))) {
		e = ERR_NEW("the reply is not a JSON object with a boolean "
			    "\"ok\"");
		rc = EX_DATAERR;
	} else {
		r->line = b.s;
		return 0;
	}
out:
	sbuf_free(&b);
	json_decref(r->doc);
	r->doc = NULL;
	*errp = e;
	return rc;
}

/*
 * One request: connect, send, read the reply.  timeout_ms bounds the
 * whole exchange (-1: none); keep_alive checks on stewardd meanwhile.
 * Returns 0 with a reply (ok or not), or an exit code and an error.
 */
static int
ctl_call(struct ctl_ctx *c, const char *cmd, char *const *words, size_t n,
	 int64_t timeout_ms, bool keep_alive, struct ctl_reply *r,
	 struct err **errp)
{
	int64_t deadline = timeout_ms < 0 ? -1 : ctl_now_ms() + timeout_ms;
	struct sbuf line = {0};
	int fd = -1, rc;

	*r = (struct ctl_reply){0};
	if ((rc = ctl_request_line(&line, cmd, words, n, errp)) != 0 ||
	    (rc = ctl_connect(c, deadline, &fd, errp)) != 0 ||
	    (rc = ctl_send(fd, line.s, line.len, deadline, errp)) != 0 ||
	    (rc = ctl_recv(c, fd, deadline, keep_alive, r, errp)) != 0) {
		if (rc == EX_TEMPFAIL && timeout_ms >= 0 &&
		    ctl_left(deadline) == 0) {
			char d[32];

			parse_format_duration(timeout_ms, d, sizeof(d));
			err_free(*errp);
			*errp = ERR_NEW("no reply from stewardd within %s", d);
		}
	}
	if (fd >= 0)
		ctl_close(fd);
	sbuf_free(&line);
	return rc;
}

/* The exit code of an error code from stewardd. */
static int
ctl_code_exit(const char *code)
{
	for (size_t i = 0; i < sizeof(ctl_codes) / sizeof(ctl_codes[0]); i++)
		if (strcmp(ctl_codes[i].code, code) == 0)
			return ctl_codes[i].exit;
	return EX_SOFTWARE;
}

/* 0 for an "ok" reply; else the exit code and stewardd's message. */
static int
ctl_reply_status(const struct ctl_reply *r, struct err **errp)
{
	const char *code = json_string_value(json_object_get(r->doc, "code"));
	const char *msg = json_string_value(json_object_get(r->doc, "error"));

	if (json_is_true(json_object_get(r->doc, "ok")))
		return 0;
	if (code == NULL || msg == NULL) {
		*errp = ERR_NEW("the reply says it failed but has no \"code\" "
				"and \"error\" strings");
		return EX_DATAERR;
	}
	if (strcmp(code, "version") == 0)
		*errp = ERR_NEW("%s (this stewardctl speaks %s; use the "
				"stewardctl that came with this stewardd)",
				msg, CTL_PROTO);
	else
		*errp = ERR_NEW("%s", msg);
	err_set(*errp, "code", "%s", code);
	return ctl_code_exit(code);
}

/* Print a reply line as it came (for --json). */
static void
ctl_print_raw(const struct ctl_reply *r)
{
	fwrite(r->line, 1, r->len, stdout);
	putchar('\n');
}

/*
 * The common shape of a command that asks stewardd one thing: call,
 * print the raw reply for --json, map a refusal to its exit code.
 * Returns 0 with the reply to show, or the exit code (message printed).
 */
static int
ctl_ask(struct ctl_ctx *c, const char *cmd, char *const *words, size_t n,
	const struct ctl_args *a, int64_t timeout_ms, bool keep_alive,
	struct ctl_reply *r, const char *what)
{
	struct err *e = NULL;
	int rc = ctl_call(c, cmd, words, n, timeout_ms, keep_alive, r, &e);

	if (rc != 0)
		return ctl_fail(rc, e, "cannot %s", what);
	if (a->json)
		ctl_print_raw(r);
	if ((rc = ctl_reply_status(r, &e)) != 0) {
		ctl_reply_free(r);
		return ctl_fail(rc, e, "cannot %s", what);
	}
	return 0;
}

/* ---------------------------------------------------------------- */
/* Commands that talk to stewardd                                   */
/* ---------------------------------------------------------------- */

/* The restart tokens left of the burst: "4.5/5", "5/5". */
static void
ctl_tokens(const json_t *in, char *buf, size_t len)
{
	const char *limit = json_string_value(json_object_get(in, "limit"));
	double tok;

	if (!json_is_number(json_object_get(in, "tokens")) || limit == NULL ||
	    (tok = json_number_value(json_object_get(in, "tokens"))) < 0 ||
	    tok > 1e9) {
		snprintf(buf, len, "-");
		return;
	}
	/* Floor to tenths: 4.99 tokens is not yet 5. */
	tok = (double)(int64_t)(tok * 10) / 10;
	snprintf(buf, len, "%.*f/%.*s", tok == (double)(int64_t)tok ? 0 : 1,
		 tok, (int)strcspn(limit, "/"), limit);
}

/* CPU time of the instance's processes: 0.12s, 3.4s, 2m10s; or -. */
static void
ctl_cpu(const json_t *in, char *buf, size_t len)
{
	int64_t us = ctl_int(in, "cpu_usec", -1);

	if (us < 0)
		snprintf(buf, len, "-");
	else if (us < 10000000)
		snprintf(buf, len, "%.2fs", (double)us / 1e6);
	else if (us < 100000000)
		snprintf(buf, len, "%.1fs", (double)us / 1e6);
	else
		ctl_human_ms(us / 1000, false, buf, len);
}

/*
 * One instance: a row of cells, and under it the reason of its last
 * restart, stop or failure.  On a terminal the free text is cut to the
 * width; anywhere else it is whole.
 */
static void
ctl_status_row(const struct ctl_ctx *c, const json_t *in, size_t namew,
	       bool usage)
{
	const char *st = json_string_value(json_object_get(in, "state"));
	const char *work = json_string_value(json_object_get(in, "work"));
	const char *status = json_string_value(json_object_get(in, "status"));
	const char *reason = json_string_value(json_object_get(in, "reason"));
	int64_t p = ctl_int(in, "pid", 0), uptime = ctl_int(in, "uptime_ms", 0);
	int64_t log_id;
	char *label = ctl_label(in), *state = ctl_clean(st ? st : "?", 0);
	char up[32], beat[32], tokens[48], pid[24], restarts[24], *text;
	size_t used = namew + CTL_STATUS_FIXED;
	struct sbuf b = {0};

	snprintf(pid, sizeof(pid), p > 0 ? "%" PRId64 : "-", p);
	if (p > 0 && uptime > 0)
		ctl_human_ms(uptime, false, up, sizeof(up));
	else
		snprintf(up, sizeof(up), "-");
	ctl_human_ms(ctl_int(in, "last_beat_ms", -1), true, beat, sizeof(beat));
	snprintf(restarts, sizeof(restarts), "%" PRId64,
		 ctl_int(in, "restarts", 0));
	ctl_tokens(in, tokens, sizeof(tokens));

	ctl_cell(c, label, namew, false, NULL);
	printf("  ");
	ctl_cell(c, state, 8, false, ctl_color(st));
	printf("  ");
	ctl_cell(c, pid, 7, true, NULL);
	printf("  ");
	ctl_cell(c, up, 6, true, NULL);
	printf("  ");
	ctl_cell(c, beat, 5, true, NULL);
	printf("  ");
	ctl_cell(c, restarts, 8, true, NULL);
	printf("  ");
	ctl_cell(c, tokens, 7, true, NULL);
	if (usage) {
		char cpu[32], procs[24];

		ctl_cpu(in, cpu, sizeof(cpu));
		if (json_object_get(in, "procs") != NULL)
			snprintf(procs, sizeof(procs), "%" PRId64,
				 ctl_int(in, "procs", 0));
		else
			snprintf(procs, sizeof(procs), "-");
		printf("  ");
		ctl_cell(c, cpu, 6, true, NULL);
		printf("  ");
		ctl_cell(c, procs, 5, true, NULL);
		used += CTL_STATUS_USAGE;
	}
	if (work != NULL)
		sbuf_addf(&b, "work=%s", work);
	if (status != NULL)
		sbuf_addf(&b, "%s%s", work ? " " : "", status);
	if (b.s != NULL) {
		text =
		    ctl_clean(b.s, c->width > 0 && (size_t)c->width > used + 4
				       ? (size_t)c->width - used
				       : 0);
		printf("  %s", text);
		free(text);
	}
	putchar('\n');
	sbuf_free(&b);
	if (reason != NULL) {
		sbuf_addf(&b, "%s", reason);
		if (json_read_int(json_object_get(in, "log_id"), &log_id) == 0)
			sbuf_addf(&b, " [log %" PRId64 "]", log_id);
		text = ctl_clean(b.s, c->width > 8 ? (size_t)c->width - 4 : 0);
		printf("    %s\n", text);
		free(text);
		sbuf_free(&b);
	}
	free(label);
	free(state);
}

/* The runs of jobs in flight, under the instances: RUN is what cancel takes. */
static void
ctl_status_runs(struct ctl_ctx *c, const json_t *runs)
{
	if (!json_is_array(runs) || json_array_size(runs) == 0)
		return;
	putchar('\n');
	if (c->color)
		fputs(CTL_BOLD, stdout);
	printf("%6s  %-24s  %8s  %5s  %8s  %8s", "RUN", "JOB", "REPLICAS",
	       "LIVE", "ELAPSED", "TIMEOUT");
	if (c->color)
		fputs(CTL_RESET, stdout);
	putchar('\n');
	for (size_t i = 0; i < json_array_size(runs); i++) {
		const json_t *r = json_array_get(runs, i);
		char *job =
		    ctl_clean(json_string_value(json_object_get(r, "job")), 24);
		char el[32], to[32];

		ctl_human_ms(ctl_int(r, "elapsed_ms", 0), true, el, sizeof(el));
		ctl_human_ms(ctl_int(r, "timeout_ms", 0), true, to, sizeof(to));
		printf("%6" PRId64 "  ", ctl_int(r, "run", 0));
		ctl_cell(c, job, 24, false, NULL);
		printf("  %8" PRId64 "  %5" PRId64 "  %8s  %8s\n",
		       ctl_int(r, "replicas", 0), ctl_int(r, "live", 0), el,
		       to);
		free(job);
	}
}

/* status [NAME ...] [--json] */
static int
cmd_status(struct ctl_ctx *c, const struct ctl_command *cmd, struct ctl_args *a)
{
	struct ctl_reply r;
	const json_t *list, *daemon;
	char *what = ctl_what(a->names, a->nnames), *msg;
	size_t namew = 4;
	bool usage = false;
	int64_t lost;
	int rc;

	msg = xasprintf("get the status of %s", what);
	free(what);
	rc = ctl_ask(c, cmd->name, a->names, a->nnames, a, CTL_TIMEOUT_MS,
		     false, &r, msg);
	free(msg);
	if (rc != 0 || a->json) {
		ctl_reply_free(&r);
		return rc;
	}
	list = json_object_get(r.doc, "instances");
	daemon = json_object_get(r.doc, "daemon");
	if (!json_is_array(list)) {
		ctl_reply_free(&r);
		return ctl_fail(EX_DATAERR,
				ERR_NEW("the reply has no \"instances\" array"),
				"cannot read stewardd's status");
	}
	for (size_t i = 0; i < json_array_size(list); i++) {
		char *label = ctl_label(json_array_get(list, i));
		size_t w = ctl_cols(label);

		if (w > namew)
			namew = w < CTL_NAME_WIDTH_MAX ? w : CTL_NAME_WIDTH_MAX;
		free(label);
		/* Instances in cgroups: their usage gets columns. */
		if (json_object_get(json_array_get(list, i), "cpu_usec") !=
		    NULL)
			usage = true;
	}
	if (c->color)
		fputs(CTL_BOLD, stdout);
	printf("%-*s  %-8s  %7s  %6s  %5s  %8s  %7s", (int)namew, "NAME",
	       "STATE", "PID", "UPTIME", "BEAT", "RESTARTS", "TOKENS");
	if (usage)
		printf("  %6s  %5s", "CPU", "PROCS");
	printf("  %s", "WORK/STATUS");
	if (c->color)
		fputs(CTL_RESET, stdout);
	putchar('\n');
	for (size_t i = 0; i < json_array_size(list); i++)
		ctl_status_row(c, json_array_get(list, i), namew, usage);
	if (json_array_size(list) == 0)
		printf("(no instances)\n");
	ctl_status_runs(c, json_object_get(r.doc, "runs"));
	lost = ctl_int(daemon, "events_lost", 0);
	if (lost > 0)
		printf("stewardd lost %" PRId64 " event log record%s (the log "
		       "could not be written)\n",
		       lost, lost == 1 ? "" : "s");
	ctl_reply_free(&r);
	return 0;
}

/* start, stop, restart [--no-wait] [--timeout D] NAME ... | all */
static int
cmd_steer(struct ctl_ctx *c, const struct ctl_command *cmd, struct ctl_args *a)
{
	char *words[CTL_ARGS_MAX + 1], *what, *msg;
	const json_t *results;
	struct ctl_reply r;
	struct err *e = NULL;
	size_t n = 0;
	int rc;

	if (a->nnames + 1 > CTL_ARGS_MAX)
		return ctl_usage(cmd->name, "at most %d names",
				 CTL_ARGS_MAX - 1);
	if (a->no_wait)
		words[n++] = "--no-wait";
	if (a->with_dependents)
		words[n++] = "--with-dependents";
	for (size_t i = 0; i < a->nnames; i++)
		words[n++] = a->names[i];
	what = ctl_what(a->names, a->nnames);
	msg = xasprintf("%s %s", cmd->name, what);
	free(what);
	rc = ctl_call(c, cmd->name, words, n,
		      a->no_wait ? CTL_TIMEOUT_MS : a->timeout_ms, !a->no_wait,
		      &r, &e);
	if (rc != 0) {
		rc = ctl_fail(rc, e, "cannot %s", msg);
		free(msg);
		return rc;
	}
	if (a->json)
		ctl_print_raw(&r);
	results = json_object_get(r.doc, "results");
	for (size_t i = 0; !a->json && i < json_array_size(results); i++) {
		const json_t *res = json_array_get(results, i);
		const char *st =
		    json_string_value(json_object_get(res, "state"));
		const char *why =
		    json_string_value(json_object_get(res, "reason"));
		char *label = ctl_label(res),
		     *state = ctl_clean(st ? st : "?", 0);

		printf("%s ", label);
		ctl_cell(c, state, 0, false, ctl_color(st));
		if (!json_is_true(json_object_get(res, "ok")) && why != NULL) {
			char *clean = ctl_clean(why, 0);

			if (st == NULL || strcmp(st, "failed") != 0)
				printf(" (not %s)",
				       strcmp(cmd->name, "stop") == 0
					   ? "stopped"
					   : "running");
			printf(": %s", clean);
			free(clean);
		}
		putchar('\n');
		free(label);
		free(state);
	}
	rc = ctl_reply_status(&r, &e);
	if (rc == 0 && !json_is_array(results))
		rc = ctl_fail(EX_DATAERR,
			      ERR_NEW("the reply has no \"results\" array"),
			      "cannot %s", msg);
	else if (rc != 0)
		rc = ctl_fail(rc, e, "cannot %s", msg);
	free(msg);
	ctl_reply_free(&r);
	return rc;
}

/* signal SIG NAME ... | all */
static int
cmd_signal(struct ctl_ctx *c, const struct ctl_command *cmd, struct ctl_args *a)
{
	char why[PARSE_WHY], *what, *msg;
	struct ctl_reply r;
	int64_t count;
	int signo, rc;

	if (parse_signal(a->names[0], &signo, why) == -1)
		return ctl_usage(cmd->name, "\"%s\": %s", a->names[0], why);
	what = ctl_what(a->names + 1, a->nnames - 1);
	msg = xasprintf("send %s to %s", parse_signal_name(signo), what);
	free(what);
	rc = ctl_ask(c, cmd->name, a->names, a->nnames, a, CTL_TIMEOUT_MS,
		     false, &r, msg);
	free(msg);
	if (rc == 0 && !a->json) {
		count = ctl_int(r.doc, "signalled", 0);
		printf("sent %s to %" PRId64 " instance%s%s\n",
		       parse_signal_name(signo), count, count == 1 ? "" : "s",
		       count == 0 ? " (none of them has a process)" : "");
	}
	ctl_reply_free(&r);
	return rc;
}

/* health [--timeout D]: 0 when stewardd answers in time, else 1. */
static int
cmd_health(struct ctl_ctx *c, const struct ctl_command *cmd, struct ctl_args *a)
{
	int64_t t0 = ctl_now_us(), timeout = a->timeout_ms;
	struct ctl_reply r;
	struct err *e = NULL;
	char up[32], *s;
	int rc;

	if (timeout < 0)
		timeout = CTL_HEALTH_TIMEOUT_MS;
	rc = ctl_call(c, cmd->name, NULL, 0, timeout, false, &r, &e);
	if (rc == 0 && a->json)
		ctl_print_raw(&r);
	if (rc == 0 && (rc = ctl_reply_status(&r, &e)) != 0) {
		/* An answer from a loop too busy to take us is an answer. */
		const char *code = err_get(e, "code");

		if (strcmp(code, "busy") == 0 ||
		    strcmp(code, "rate_limited") == 0) {
			s = err_str(e);
			if (!a->json) {
				char *clean = escape_dup(s);

				printf("stewardd is healthy: it answered, "
				       "\"%s\"\n",
				       clean);
				free(clean);
			}
			free(s);
			err_free(e);
			ctl_reply_free(&r);
			return 0;
		}
	}
	if (rc != 0) {
		ctl_reply_free(&r);
		e = ERR_WRAP(e, "stewardd is not healthy");
		s = err_str(e);
		ctl_eprint("stewardctl: ", s);
		free(s);
		err_free(e);
		return CTL_EX_FAILED;
	}
	if (!a->json) {
		ctl_human_ms(ctl_int(r.doc, "uptime_ms", 0), false, up,
			     sizeof(up));
		printf("stewardd is healthy: answered in %.1fms, up %s\n",
		       (double)(ctl_now_us() - t0) / 1000, up);
	}
	ctl_reply_free(&r);
	return 0;
}

/* reopen: the event log, as SIGUSR1 does. */
static int
cmd_reopen(struct ctl_ctx *c, const struct ctl_command *cmd, struct ctl_args *a)
{
	struct ctl_reply r;
	int rc = ctl_ask(c, cmd->name, NULL, 0, a, CTL_TIMEOUT_MS, false, &r,
			 "reopen the event log");

	if (rc == 0 && !a->json)
		printf("stewardd reopened its event log\n");
	ctl_reply_free(&r);
	return rc;
}

static int ctl_log_catch_signals(void);

/*
 * Percent-encode one argument for the request line (ctl-proto.h); the
 * empty argument is the lone word "%".
 */
static char *
ctl_escape(const char *w)
{
	struct sbuf b = {0};

	if (*w == '\0')
		return xstrdup("%");

	for (const unsigned char *p = (const unsigned char *)w; *p; p++) {
		if (*p < 0x21 || *p > 0x7e || *p == '%')
			sbuf_addf(&b, "%%%02X", *p);
		else
			sbuf_add(&b, (const char *)p, 1);
	}
	return b.s != NULL ? b.s : xstrdup("");
}

/* Decode base64 into stdout; -1 on malformed input. */
static int
ctl_write_base64(const char *in)
{
	static const char tab[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	unsigned v = 0, bits = 0;

	for (const char *p = in; *p != '\0' && *p != '='; p++) {
		const char *k = strchr(tab, *p);

		if (k == NULL)
			return -1;
		v = (v << 6) | (unsigned)(k - tab);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (putchar((int)((v >> bits) & 0xff)) == EOF)
				return -1;
		}
	}
	return fflush(stdout) == 0 ? 0 : -1;
}

/* Read reply lines of a run until n complete ones are in *buf. */
static int
ctl_run_read(int fd, struct sbuf *buf, int lines, struct err **errp)
{
	char chunk[65536];

	for (;;) {
		int have = 0;
		struct pollfd p = {.fd = fd, .events = POLLIN};
		ssize_t n;

		for (size_t i = 0; i < buf->len; i++)
			have += buf->s[i] == '\n';
		if (have >= lines)
			return 0;
		if (poll(&p, 1, -1) == -1) {
			if (errno == EINTR && !ctl_interrupted)
				continue;
			if (errno == EINTR)
				return EX_TEMPFAIL; /* Ctrl-C */
			*errp = ERR_SYS("cannot wait for the answer");
			return EX_SOFTWARE;
		}
		n = recv(fd, chunk, sizeof(chunk), 0);
		if (n == -1 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0) {
			*errp = ERR_NEW("stewardd closed the connection before "
					"the run's answer");
			return EX_UNAVAILABLE;
		}
		if (buf->len + (size_t)n > 2 * CTL_REPLY_MAX) {
			*errp = ERR_NEW("the answer is longer than the "
					"protocol's limit");
			return EX_PROTOCOL;
		}
		sbuf_add(buf, chunk, (size_t)n);
	}
}

/* run JOB [--replicas N] [--timeout D] [-- ARG ...] */
static int
cmd_run(struct ctl_ctx *c, const struct ctl_command *cmd, struct ctl_args *a)
{
	char *words[CTL_ARGS_MAX + 1];
	char opt_r[32], opt_t[48];
	struct sbuf line = {0}, in = {0};
	struct err *e = NULL;
	json_t *first = NULL, *last = NULL;
	size_t n = 0, nl;
	int fd = -1, rc;
	const char *job = a->names[0];

	if (a->nnames + 2 > CTL_ARGS_MAX)
		return ctl_usage(cmd->name, "too many arguments");
	if (a->replicas > 0) {
		snprintf(opt_r, sizeof(opt_r), "--replicas=%ld", a->replicas);
		words[n++] = opt_r;
	}
	if (a->timeout_ms > 0) {
		snprintf(opt_t, sizeof(opt_t), "--timeout=%lldms",
			 (long long)a->timeout_ms);
		words[n++] = opt_t;
	}
	for (size_t i = 0; i < a->nnames; i++)
		words[n++] =
		    i == 0 ? xstrdup(a->names[0]) : ctl_escape(a->names[i]);
	rc = 0;
	for (size_t i = 1; i < a->nnames && rc == 0; i++) {
		size_t len = strlen(words[n - a->nnames + i]);

		if (len > CTL_WORD_MAX) {
			e = ERR_NEW("argument %zu is %zu bytes once "
				    "percent-encoded; at most %d are sent",
				    i, len, CTL_WORD_MAX);
			rc = EX_USAGE;
		}
	}
	if (rc == 0)
		rc = ctl_request_line(&line, cmd->name, words, n, &e);
	for (size_t i = n - a->nnames; i < n; i++)
		free(words[i]);
	if (rc == 0)
		rc = ctl_connect(c, ctl_now_ms() + CTL_TIMEOUT_MS, &fd, &e);
	if (rc == 0)
		rc = ctl_send(fd, line.s, line.len,
			      ctl_now_ms() + CTL_TIMEOUT_MS, &e);
	sbuf_free(&line);
	/* Ctrl-C closes the connection, which cancels the run. */
	if (rc == 0 && (rc = ctl_log_catch_signals()) != 0)
		goto out;
	if (rc == 0)
		rc = ctl_run_read(fd, &in, 1, &e);
	if (rc == 0) {
		nl = (size_t)((char *)memchr(in.s, '\n', in.len) - in.s);
		if ((first = json_read_doc(in.s, nl, &e)) == NULL)
			rc = EX_DATAERR;
	}
	if (rc == 0 && !json_is_true(json_object_get(first, "ok"))) {
		struct ctl_reply r = {.doc = first};

		if (a->json)
			printf("%.*s\n", (int)nl, in.s);
		rc = ctl_reply_status(&r, &e);
		goto out;
	}
	if (rc == 0 && a->json)
		printf("%.*s\n", (int)nl, in.s);
	if (rc == 0 && !a->json && isatty(2))
		fprintf(stderr,
			"stewardctl: run %" PRId64 " of job \"%s\": %" PRId64
			" replica%s started\n",
			ctl_int(first, "run", 0), job,
			ctl_int(first, "replicas", 0),
			ctl_int(first, "replicas", 0) == 1 ? "" : "s");
	if (rc == 0)
		rc = ctl_run_read(fd, &in, 2, &e);
	if (rc == EX_TEMPFAIL && ctl_interrupted) {
		fprintf(stderr,
			"stewardctl: run %" PRId64 " of job \"%s\" "
			"cancelled (interrupted)\n",
			ctl_int(first, "run", 0), job);
		rc = 130;
		goto out;
	}
	if (rc == 0) {
		char *second = in.s + nl + 1;
		size_t len = in.len - nl - 2;

		if ((last = json_read_doc(second, len, &e)) == NULL) {
			rc = EX_DATAERR;
			goto out;
		}
		if (a->json) {
			printf("%.*s\n", (int)len, second);
			rc = json_is_true(json_object_get(last, "ok"))
				 ? 0
				 : CTL_EX_FAILED;
			goto out;
		}
		if (json_is_true(json_object_get(last, "ok"))) {
			const char *b64 = json_string_value(
			    json_object_get(last, "output_b64"));

			if (b64 != NULL && ctl_write_base64(b64) == -1) {
				e = ERR_NEW("cannot write the answer");
				rc = EX_IOERR;
			}
			if (json_is_true(
				json_object_get(last, "output_truncated")))
				fprintf(stderr,
					"stewardctl: the answer was cut at "
					"output_limit: %" PRId64 " of %" PRId64
					" bytes shown\n",
					ctl_int(last, "output_limit", 0),
					ctl_int(last, "output_bytes", 0));
		} else {
			const char *msg =
			    json_string_value(json_object_get(last, "error"));
			int64_t id = ctl_int(last, "log_id", 0);

			char *clean = escape_dup(msg ? msg : "failed");

			fprintf(stderr, "stewardctl: %s", clean);
			free(clean);
			if (id > 0)
				fprintf(stderr,
					" [log %" PRId64
					"; stewardctl log --id %" PRId64 "]",
					id, id);
			fputc('\n', stderr);
			rc = CTL_EX_FAILED;
		}
	}
out:
	json_decref(first);
	json_decref(last);
	sbuf_free(&in);
	if (fd >= 0)
		ctl_close(fd);
	if (e != NULL)
		rc = ctl_fail(rc, e, "cannot run job \"%s\"", job);
	return rc;
}

/* cancel RUN */
static int
cmd_cancel(struct ctl_ctx *c, const struct ctl_command *cmd, struct ctl_args *a)
{
	struct ctl_reply r;
	char *what = xasprintf("cancel run %s", a->names[0]);
	int rc = ctl_ask(c, cmd->name, a->names, 1, a, CTL_TIMEOUT_MS, false,
			 &r, what);

	free(what);
	if (rc == 0 && !a->json)
		printf("run %s cancelled\n", a->names[0]);
	ctl_reply_free(&r);
	return rc;
}

/* Print one list of a reload reply: "added: a, b". */
static void
cmd_reload_list(const json_t *doc, const char *key, const char *label)
{
	const json_t *l = json_object_get(doc, key);

	if (json_array_size(l) == 0)
		return;
	printf("%s: ", label);
	for (size_t i = 0; i < json_array_size(l); i++) {
		char *name =
		    ctl_clean(json_string_value(json_array_get(l, i)), 0);

		printf("%s%s", i ? ", " : "", name);
		free(name);
	}
	putchar('\n');
}

/* reload: stewardd re-reads its config and applies the difference. */
static int
cmd_reload(struct ctl_ctx *c, const struct ctl_command *cmd, struct ctl_args *a)
{
	struct ctl_reply r;
	struct err *e = NULL;
	const json_t *problems;
	int rc = ctl_call(c, cmd->name, NULL, 0, CTL_TIMEOUT_MS, false, &r, &e);

	if (rc != 0)
		return ctl_fail(rc, e, "cannot reload");
	if (a->json)
		ctl_print_raw(&r);
	problems = json_object_get(r.doc, "problems");
	for (size_t i = 0; !a->json && i < json_array_size(problems); i++)
		ctl_eprint("", json_string_value(json_array_get(problems, i)));
	if ((rc = ctl_reply_status(&r, &e)) != 0) {
		ctl_reply_free(&r);
		return ctl_fail(rc, e, "cannot reload");
	}
	if (!a->json) {
		cmd_reload_list(r.doc, "added", "added");
		cmd_reload_list(r.doc, "changed", "changed (restarting)");
		cmd_reload_list(r.doc, "removed", "removed (stopping)");
		cmd_reload_list(r.doc, "resized", "resized");
		cmd_reload_list(r.doc, "notes", "note");
		printf("unchanged: %" PRId64 "\n",
		       ctl_int(r.doc, "unchanged", 0));
	}
	ctl_reply_free(&r);
	return 0;
}

/* A number as text: an exact integer as one, else "%g". */
static char *
ctl_number_text(const json_t *m)
{
	int64_t i;

	if (json_read_int(m, &i) == 0)
		return xasprintf("%" PRId64, i);
	return xasprintf("%g", json_number_value(m));
}

/* Print the daemon object of "info" as aligned key/value lines. */
static void
ctl_print_daemon(json_t *d, int64_t protocol)
{
	const char *key;
	json_t *m;

	json_object_foreach(d, key, m)
	{
		size_t klen = strlen(key);
		char buf[64], *v = NULL;
		int64_t ms;

		if (klen > 3 && strcmp(key + klen - 3, "_ms") == 0 &&
		    json_read_int(m, &ms) == 0) {
			ctl_human_ms(ms, false, buf, sizeof(buf));
			printf("%-12.*s %s\n", (int)(klen - 3), key, buf);
			continue;
		}
		if (json_is_string(m))
			v = ctl_clean(json_string_value(m), 0);
		else if (json_is_number(m))
			v = ctl_number_text(m);
		else if (json_is_true(m) || json_is_false(m))
			v = xstrdup(json_is_true(m) ? "yes" : "no");
		else if (json_is_null(m))
			v = xstrdup("-");
		if (v != NULL)
			printf("%-12s %s\n", key, v);
		free(v);
	}
	if (protocol >= 0)
		printf("%-12s %" PRId64 "\n", "protocol", protocol);
}

/* info: version, pid, paths, uptime. */
static int
cmd_info(struct ctl_ctx *c, const struct ctl_command *cmd, struct ctl_args *a)
{
	struct ctl_reply r;
	int rc = ctl_ask(c, cmd->name, NULL, 0, a, CTL_TIMEOUT_MS, false, &r,
			 "get information from stewardd");

	if (rc == 0 && !a->json)
		ctl_print_daemon(json_object_get(r.doc, "daemon"),
				 ctl_int(r.doc, "protocol", -1));
	ctl_reply_free(&r);
	return rc;
}

/* version: stewardctl's, and stewardd's when it answers. */
static int
cmd_version(struct ctl_ctx *c, const struct ctl_command *cmd,
	    struct ctl_args *a)
{
	const json_t *d;
	struct ctl_reply r;
	struct err *e = NULL;
	char *s;
	int rc;

	(void)cmd;
	(void)a;
	printf("stewardctl %s (protocol %s)\n", STEWARD_VERSION, CTL_PROTO);
	rc = ctl_call(c, "info", NULL, 0, CTL_HEALTH_TIMEOUT_MS, false, &r, &e);
	if (rc == 0)
		rc = ctl_reply_status(&r, &e);
	if (rc != 0) {
		s = err_str(e);
		printf("stewardd: unknown (%s)\n", s);
		free(s);
		err_free(e);
		ctl_reply_free(&r);
		return 0;
	}
	d = json_object_get(r.doc, "daemon");
	s = ctl_clean(json_string_value(json_object_get(d, "version")), 0);
	printf("stewardd %s (pid %" PRId64 ", protocol %" PRId64 ", at %s)\n",
	       s[0] ? s : "?", ctl_int(d, "pid", 0),
	       ctl_int(r.doc, "protocol", 0), c->sock);
	free(s);
	ctl_reply_free(&r);
	return 0;
}

/* check [FILE]: as stewardd --check. */
static int
cmd_check(struct ctl_ctx *c, const struct ctl_command *cmd, struct ctl_args *a)
{
	const char *path = a->nnames > 0 ? a->names[0] : c->config_opt;

	if (path == NULL)
		return ctl_usage(cmd->name, "which file? give FILE or -c FILE");
	return config_check(path);
}

/* ---------------------------------------------------------------- */
/* The event log                                                    */
/* ---------------------------------------------------------------- */

/* The events "log" shows when no --event is given. */
static const char *const ctl_log_default_events[] = {
    "stopping", "killing",           "backoff",     "failed",
    "exited",   "heartbeat_invalid", "events_lost",
};

/* Where the log is read from, what is shown, and what was seen. */
struct ctl_log {
	struct ctl_ctx *c;
	struct ctl_args *a;
	char *path;
	char *how;
	int64_t cutoff_ms; /* --since: records at or after this wall time */
	bool long_time;    /* dates shown: the output reaches before today */
	bool started;      /* the header is printed */
	size_t shown;
	size_t malformed;
	size_t nlines;
	char *chain_seen; /* --id: the last chain printed, by its sites */
};

/* Parse an RFC 3339 UTC timestamp "2026-11-26T23:18:51.123Z" to ms. */
static int
ctl_parse_ts(const char *ts, int64_t *ms)
{
	struct tm tm = {0};
	int ms_part = 0, used = 0;
	time_t t;

	if (ts == NULL || sscanf(ts, "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year,
				 &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
				 &tm.tm_min, &tm.tm_sec, &used) != 6)
		return -1;
	ts += used;
	if (*ts == '.') {
		int digits = 0;

		for (ts++; *ts >= '0' && *ts <= '9'; ts++, digits++)
			if (digits < 3)
				ms_part = ms_part * 10 + (*ts - '0');
		for (; digits < 3; digits++)
			ms_part *= 10;
	}
	if (strcmp(ts, "Z") != 0)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	if ((t = timegm(&tm)) == (time_t)-1)
		return -1;
	*ms = (int64_t)t * 1000 + ms_part;
	return 0;
}

/* Local time of a record: "23:18:51", with the date when asked. */
static void
ctl_log_time(const char *ts, bool with_date, bool zone, char *buf, size_t len)
{
	int64_t ms;
	time_t t;
	struct tm tm;
	size_t n;

	if (ctl_parse_ts(ts, &ms) == -1) {
		snprintf(buf, len, "?");
		return;
	}
	t = (time_t)(ms / 1000);
	if (localtime_r(&t, &tm) == NULL) {
		snprintf(buf, len, "?");
		return;
	}
	if (zone)
		n = strftime(buf, len, "%Y-%m-%d %H:%M:%S %Z", &tm);
	else if (with_date)
		n = strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm);
	else
		n = strftime(buf, len, "%H:%M:%S", &tm);
	if (n == 0)
		snprintf(buf, len, "?");
}

/* Whether a record's local date is today's. */
static bool
ctl_is_today(const char *ts)
{
	int64_t ms;
	time_t t, now = time(NULL);
	struct tm a, b;

	if (ctl_parse_ts(ts, &ms) == -1)
		return true;
	t = (time_t)(ms / 1000);
	if (localtime_r(&t, &a) == NULL || localtime_r(&now, &b) == NULL)
		return true;
	return a.tm_year == b.tm_year && a.tm_yday == b.tm_yday;
}

/* Whether word is in a list given with --ward or --event. */
static bool
ctl_in_list(char **list, size_t n, const char *word)
{
	for (size_t i = 0; i < n; i++)
		if (word != NULL && strcmp(list[i], word) == 0)
			return true;
	return false;
}

/* Whether a record passes the filters of the command line. */
static bool
ctl_log_match(const struct ctl_log *l, const json_t *rec)
{
	const struct ctl_args *a = l->a;
	const char *event = json_string_value(json_object_get(rec, "event"));
	const char *level = json_string_value(json_object_get(rec, "level"));
	int64_t ms, id;

	if (a->has_id)
		return json_read_int(json_object_get(rec, "log_id"), &id) ==
			   0 &&
		       id == a->id;
	if (a->nevents > 0) {
		if (!ctl_in_list(a->events, a->nevents, event))
			return false;
	} else if (!ctl_in_list((char **)ctl_log_default_events,
				sizeof(ctl_log_default_events) /
				    sizeof(ctl_log_default_events[0]),
				event) &&
		   (level == NULL || strcmp(level, "error") != 0) &&
		   json_object_get(rec, "error") == NULL)
		return false;
	if (a->nwards > 0) {
		const char *ward =
		    json_string_value(json_object_get(rec, "ward"));
		char *label = ctl_label(rec);
		bool hit = ctl_in_list(a->wards, a->nwards, ward) ||
			   ctl_in_list(a->wards, a->nwards, label);

		free(label);
		if (!hit)
			return false;
	}
	if (a->has_since &&
	    (ctl_parse_ts(json_string_value(json_object_get(rec, "ts")), &ms) ==
		 -1 ||
	     ms < l->cutoff_ms))
		return false;
	return true;
}

/* One member of a record or layer as "key=value" (value cleaned). */
static char *
ctl_member_text(const char *key, const json_t *m)
{
	char *v, *s;

	if (json_is_string(m))
		v = ctl_clean(json_string_value(m), 0);
	else if (json_is_number(m))
		v = ctl_number_text(m);
	else if (json_is_boolean(m))
		v = xstrdup(json_is_true(m) ? "true" : "false");
	else if (json_is_null(m))
		v = xstrdup("null");
	else
		v = xstrdup("...");
	s = xasprintf("%s=%s", key, v);
	free(v);
	return s;
}

/* One layer of an error chain: message, errno, fields (left part). */
static char *
ctl_layer_text(const json_t *layer)
{
	json_t *fields = json_object_get(layer, "fields"), *m;
	const char *se = json_string_value(json_object_get(layer, "strerror"));
	const char *en = json_string_value(json_object_get(layer, "errname"));
	const char *key;
	struct sbuf b = {0};
	size_t i = 0;
	char *s;

	s = ctl_clean(json_string_value(json_object_get(layer, "msg")), 0);
	sbuf_addf(&b, "%s", s);
	free(s);
	if (se != NULL) {
		sbuf_addf(&b, ": %s", se);
		if (en != NULL)
			sbuf_addf(&b, " (%s)", en);
	}
	json_object_foreach(fields, key, m)
	{
		s = ctl_member_text(key, m);
		sbuf_addf(&b, "%s%s", i++ == 0 ? "  {" : ", ", s);
		free(s);
	}
	if (i > 0)
		sbuf_add(&b, "}", 1);
	s = ctl_clean(b.s, 0);
	sbuf_free(&b);
	return s;
}

/* --id N: the record with its whole error chain, a layer a line. */
static void
ctl_log_detail(struct ctl_log *l, json_t *rec)
{
	static const char *const shown[] = {"ts",      "level",   "event",
					    "ward",    "replica", "reason",
					    "message", "error",   "log_id"};
	const json_t *chain = json_object_get(rec, "error");
	const char *reason = json_string_value(json_object_get(rec, "reason"));
	const char *event = json_string_value(json_object_get(rec, "event"));
	char when[64], *label = ctl_label(rec), *s, **left;
	size_t width = 0, n = json_array_size(chain);
	struct sbuf b = {0};
	const char *key;
	json_t *m;

	if (l->shown++ > 0)
		putchar('\n');
	ctl_log_time(json_string_value(json_object_get(rec, "ts")), true, true,
		     when, sizeof(when));
	s = ctl_clean(event ? event : "?", 0);
	printf("log %" PRId64 "  %s  ", l->a->id, when);
	ctl_cell(l->c, s, 0, false, ctl_color(event));
	printf("  %s\n", label);
	free(s);
	s = ctl_clean(reason
			  ? reason
			  : json_string_value(json_object_get(rec, "message")),
		      0);
	printf("%s\n", s);
	free(s);
	json_object_foreach(rec, key, m)
	{
		if (ctl_in_list((char **)shown,
				sizeof(shown) / sizeof(shown[0]), key))
			continue;
		s = ctl_member_text(key, m);
		sbuf_addf(&b, "%s%s", b.len ? " " : "", s);
		free(s);
	}
	if (b.s != NULL)
		printf("  %s\n", b.s);
	sbuf_free(&b);
	if (n == 0) {
		printf("  (no error chain: this record is not an error)\n");
		free(label);
		return;
	}
	/* One failure is logged at each step (stopping, backoff): print
	 * its chain once. */
	for (size_t i = 0; i < n; i++) {
		const char *msg = json_string_value(
		    json_object_get(json_array_get(chain, i), "msg"));
		const char *at = json_string_value(
		    json_object_get(json_array_get(chain, i), "at"));

		sbuf_addf(&b, "%s@%s\n", msg ? msg : "", at ? at : "");
	}
	if (l->chain_seen != NULL && b.s != NULL &&
	    strcmp(l->chain_seen, b.s) == 0) {
		printf("  error chain: the same as above\n");
		sbuf_free(&b);
		free(label);
		return;
	}
	free(l->chain_seen);
	l->chain_seen = b.s;
	printf("  error chain, outermost first, with where each layer was "
	       "added:\n");
	left = xcalloc(n, sizeof(*left));
	for (size_t i = 0; i < n; i++) {
		left[i] = ctl_layer_text(json_array_get(chain, i));
		if (ctl_cols(left[i]) > width && ctl_cols(left[i]) <= 56)
			width = ctl_cols(left[i]);
	}
	for (size_t i = 0; i < n; i++) {
		const json_t *layer = json_array_get(chain, i);
		char *at = ctl_clean(
		    json_string_value(json_object_get(layer, "at")), 0);
		char *fn = ctl_clean(
		    json_string_value(json_object_get(layer, "func")), 0);

		printf("    ");
		ctl_cell(l->c, left[i], width, false, NULL);
		printf("  %s %s\n", at[0] ? at : "?", fn);
		free(at);
		free(fn);
		free(left[i]);
	}
	free(left);
	free(label);
}

/* One row of the default table: TIME WARD EVENT REASON. */
static void
ctl_log_row(struct ctl_log *l, const json_t *rec)
{
	const char *ts = json_string_value(json_object_get(rec, "ts"));
	const char *event = json_string_value(json_object_get(rec, "event"));
	const char *reason = json_string_value(json_object_get(rec, "reason"));
	char when[48], *label = ctl_label(rec), *ev, *why;
	int64_t id;
	struct sbuf b = {0};

	if (!l->started) {
		/* The first row decides: dates shown when it is not today. */
		l->long_time = !ctl_is_today(ts);
		l->started = true;
		if (l->c->color)
			fputs(CTL_BOLD, stdout);
		printf("%-*s  %-12s  %-11s  %s", l->long_time ? 19 : 8, "TIME",
		       "WARD", "EVENT", "REASON");
		if (l->c->color)
			fputs(CTL_RESET, stdout);
		putchar('\n');
	}
	ctl_log_time(ts, l->long_time || !ctl_is_today(ts), false, when,
		     sizeof(when));
	ev = ctl_clean(event ? event : "?", 0);
	if (reason == NULL)
		reason = json_string_value(json_object_get(rec, "message"));
	sbuf_addf(&b, "%s", reason ? reason : "");
	if (json_read_int(json_object_get(rec, "log_id"), &id) == 0)
		sbuf_addf(&b, "%s[log %" PRId64 "]", b.len ? " " : "", id);
	why = ctl_clean(b.s ? b.s : "", 0);
	ctl_cell(l->c, when, l->long_time ? 19 : 8, false, NULL);
	printf("  ");
	ctl_cell(l->c, label, 12, false, NULL);
	printf("  ");
	ctl_cell(l->c, ev, 11, false, ctl_color(event));
	printf("  %s\n", why);
	l->shown++;
	free(label);
	free(ev);
	free(why);
	sbuf_free(&b);
}

/* Judge and show one line of the log. */
static void
ctl_log_line(struct ctl_log *l, const char *line, size_t len)
{
	json_t *rec;

	l->nlines++;
	if (len == 0)
		return;
	rec = json_read_doc(line, len, NULL);
	if (rec == NULL || !json_is_object(rec)) {
		l->malformed++;
		json_decref(rec);
		return;
	}
	if (ctl_log_match(l, rec)) {
		if (l->a->json) {
			fwrite(line, 1, len, stdout);
			putchar('\n');
			l->shown++;
		} else if (l->a->has_id)
			ctl_log_detail(l, rec);
		else
			ctl_log_row(l, rec);
	}
	json_decref(rec);
}

/*
 * Hand every complete line in buf to ctl_log_line() and keep the rest.
 * A line longer than CTL_LOG_LINE_MAX is dropped (counted malformed)
 * up to its newline; *skipping says we are inside one.
 */
static void
ctl_log_lines(struct ctl_log *l, struct sbuf *buf, bool *skipping)
{
	size_t start = 0;
	char *nl;

	while ((nl = memchr(buf->s + start, '\n', buf->len - start)) != NULL) {
		size_t len = (size_t)(nl - (buf->s + start));

		if (*skipping) {
			*skipping = false;
			l->nlines++;
		} else
			ctl_log_line(l, buf->s + start, len);
		start += len + 1;
	}
	if (buf->len - start > CTL_LOG_LINE_MAX) {
		if (!*skipping)
			l->malformed++;
		*skipping = true;
		start = buf->len;
	}
	memmove(buf->s, buf->s + start, buf->len - start);
	buf->len -= start;
	if (buf->s != NULL)
		buf->s[buf->len] = '\0';
}

/* Read what fd has now; -1 on a read error (message printed). */
static int
ctl_log_drain(struct ctl_log *l, int fd, struct sbuf *buf, bool *skipping)
{
	char chunk[65536];

	for (;;) {
		ssize_t n = read(fd, chunk, sizeof(chunk));

		if (n == -1 && errno == EINTR && !ctl_interrupted)
			continue;
		if (n == -1 && errno == EINTR)
			return 0;
		if (n == -1) {
			fprintf(stderr,
				"stewardctl: cannot read the event log "
				"%s: %s\n",
				l->path, strerror(errno));
			return -1;
		}
		if (n == 0)
			return 0;
		sbuf_add(buf, chunk, (size_t)n);
		ctl_log_lines(l, buf, skipping);
	}
}

/* SIGINT and SIGTERM end "log -f" (exit 0). */
static void
ctl_on_signal(int sig)
{
	(void)sig;
	ctl_interrupted = 1;
}

/* Catch SIGINT and SIGTERM (no SA_RESTART: they interrupt the wait). */
static int
ctl_log_catch_signals(void)
{
	struct sigaction sa = {.sa_handler = ctl_on_signal};

	if (sigemptyset(&sa.sa_mask) == -1 ||
	    sigaction(SIGINT, &sa, NULL) == -1 ||
	    sigaction(SIGTERM, &sa, NULL) == -1) {
		fprintf(stderr, "stewardctl: cannot catch SIGINT: %s\n",
			strerror(errno));
		return EX_SOFTWARE;
	}
	return 0;
}

/* Open the log; the message says how its path was found. */
static int
ctl_log_open(const struct ctl_log *l, int *fdp, struct stat *st)
{
	int fd = open(l->path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

	if (fd == -1 || fstat(fd, st) == -1) {
		fprintf(stderr,
			"stewardctl: cannot read the event log %s (%s): "
			"%s\n",
			l->path, l->how, strerror(errno));
		if (fd != -1)
			ctl_close(fd);
		return EX_NOINPUT;
	}
	*fdp = fd;
	return 0;
}

/*
 * -f: every CTL_FOLLOW_MS read what was added; when the path names
 * another file (rotated), finish the old one and start the new one at
 * its beginning; when the file shrank (truncated), start over.
 */
static int
ctl_log_follow(struct ctl_log *l, int fd, struct stat *cur, struct sbuf *buf,
	       bool *skipping)
{
	while (!ctl_interrupted) {
		struct stat now, path;
		off_t pos;

		if (fflush(stdout) == EOF)
			return EX_SOFTWARE;
		if (poll(NULL, 0, CTL_FOLLOW_MS) == -1 && errno != EINTR)
			return EX_SOFTWARE;
		if (ctl_interrupted)
			break;
		if (fstat(fd, &now) == -1 ||
		    (pos = lseek(fd, 0, SEEK_CUR)) == -1) {
			fprintf(stderr, "stewardctl: cannot follow %s: %s\n",
				l->path, strerror(errno));
			return EX_SOFTWARE;
		}
		if (now.st_size < pos) {
			/* Truncated in place: read it again from the top. */
			if (lseek(fd, 0, SEEK_SET) == -1)
				return EX_SOFTWARE;
			buf->len = 0;
			*skipping = false;
		}
		if (now.st_size != pos &&
		    ctl_log_drain(l, fd, buf, skipping) == -1)
			return EX_SOFTWARE;
		if (stat(l->path, &path) == -1 ||
		    (path.st_dev == cur->st_dev && path.st_ino == cur->st_ino))
			continue; /* gone for now, or the same file */
		/* Rotated: finish the old file, then switch. */
		if (ctl_log_drain(l, fd, buf, skipping) == -1)
			return EX_SOFTWARE;
		ctl_close(fd);
		buf->len = 0;
		*skipping = false;
		if (ctl_log_open(l, &fd, cur) != 0)
			return EX_NOINPUT;
	}
	ctl_close(fd);
	return 0;
}

/*
 * Where the event log is: --file, else stewardd's "info", else -c
 * FILE's [steward] event_log.
 */
static int
ctl_log_find(struct ctl_log *l)
{
	struct ctl_ctx *c = l->c;
	struct ctl_reply r;
	struct err *e = NULL;
	const char *p;
	int rc;

	if (l->a->file != NULL) {
		l->path = xstrdup(l->a->file);
		l->how = xstrdup("given with --file");
		return 0;
	}
	rc = ctl_call(c, "info", NULL, 0, CTL_HEALTH_TIMEOUT_MS, false, &r, &e);
	if (rc == 0 && (rc = ctl_reply_status(&r, &e)) == 0) {
		p = json_string_value(json_object_get(
		    json_object_get(r.doc, "daemon"), "event_log"));
		if (p == NULL) {
			e = ERR_NEW("stewardd's info reply has no "
				    "\"event_log\"");
			rc = EX_DATAERR;
		} else {
			l->path = xstrdup(p);
			l->how =
			    xasprintf("stewardd's event_log, from %s", c->sock);
		}
	}
	ctl_reply_free(&r);
	if (rc != 0 && c->config_opt != NULL) {
		err_free(e);
		e = NULL;
		if ((rc = ctl_load_config(c, &e)) != 0)
			return ctl_fail(rc, e, NULL);
		l->path = xstrdup(c->cfg->event_log);
		l->how = xasprintf("[steward] event_log in %s", c->config_opt);
	}
	if (rc != 0) {
		return ctl_fail(
		    rc,
		    ERR_WRAP(e, "cannot find the event log (use --file PATH "
				"or -c FILE)"),
		    NULL);
	}
	err_free(e);
	if (strcmp(l->path, "-") == 0) {
		fprintf(stderr,
			"stewardctl: cannot read the event log: it "
			"goes to stewardd's standard error (event_log "
			"= -, %s), which stewardctl cannot read; read "
			"it where stewardd's stderr goes (journalctl, "
			"docker logs), or set [steward] event_log to a "
			"file\n",
			l->how);
		return EX_NOINPUT;
	}
	return 0;
}

/* log [--ward W] [--event E] [--since D] [--id N] [-f] [--json] [--file P] */
static int
cmd_log(struct ctl_ctx *c, const struct ctl_command *cmd, struct ctl_args *a)
{
	struct ctl_log l = {.c = c, .a = a};
	struct sbuf buf = {0};
	bool skipping = false;
	struct stat st;
	int fd = -1, rc;

	if (a->has_id && a->follow)
		return ctl_usage(cmd->name, "--id and -f do not go together");
	if (a->has_since)
		l.cutoff_ms = ctl_wall_ms() - a->since_ms;
	if ((rc = ctl_log_find(&l)) != 0 ||
	    (rc = ctl_log_open(&l, &fd, &st)) != 0)
		goto out;
	if (a->follow && (rc = ctl_log_catch_signals()) != 0)
		goto out;
	if (ctl_log_drain(&l, fd, &buf, &skipping) == -1) {
		rc = EX_SOFTWARE;
		goto out;
	}
	if (a->follow) {
		rc = ctl_log_follow(&l, fd, &st, &buf, &skipping);
		fd = -1;
	} else if (buf.len > 0 && !skipping)
		ctl_log_line(&l, buf.s, buf.len); /* a last line, unfinished */
	if (l.malformed > 0)
		fprintf(stderr,
			"stewardctl: skipped %zu malformed line%s (of "
			"%zu) in %s: not a JSON object, or longer than "
			"4 MiB\n",
			l.malformed, l.malformed == 1 ? "" : "s", l.nlines,
			l.path);
	if (rc == 0 && a->has_id && l.shown == 0) {
		fprintf(stderr,
			"stewardctl: cannot show log %" PRId64 ": no "
			"record has that log_id in %s (%s)\n",
			a->id, l.path, l.how);
		rc = CTL_EX_FAILED;
	}
	if (rc == 0 && l.shown == 0 && !a->json && !a->follow)
		printf("(no matching records in %s)\n", l.path);
out:
	if (fd >= 0)
		ctl_close(fd);
	sbuf_free(&buf);
	free(l.path);
	free(l.how);
	free(l.chain_seen);
	return rc;
}

/* ---------------------------------------------------------------- */
/* The command table, help, and the command line                    */
/* ---------------------------------------------------------------- */

static int cmd_help(struct ctl_ctx *c, const struct ctl_command *cmd,
		    struct ctl_args *a);

static const char ctl_names_help[] =
    "NAME is a ward (\"web\": every replica of it) or an instance\n"
    "(\"web:1\"); \"all\" means every ward.\n";

static const struct ctl_command ctl_cmds[] = {
    {
	.name = "status",
	.run = cmd_status,
	.opts = OPT_JSON,
	.max_names = SIZE_MAX,
	.synopsis = "status [--json] [NAME ...]",
	.summary = "show every instance, or the ones named",
	.help = "Show each instance: NAME, STATE (coloured on a terminal),\n"
		"PID, UPTIME, BEAT (age of the last heartbeat), RESTARTS,\n"
		"TOKENS (restart tokens left of the burst), WORK/STATUS (the\n"
		"ward's WORK= unit and STATUS= text), and under it the reason\n"
		"of its last restart, stop or failure with its [log N] id.\n"
		"\n"
		"  --json   print stewardd's reply document as it is\n",
    },
    {
	.name = "start",
	.run = cmd_steer,
	.opts = OPT_JSON | OPT_NO_WAIT | OPT_TIMEOUT,
	.min_names = 1,
	.max_names = SIZE_MAX,
	.synopsis = "start [--no-wait] [--timeout D] [--json] NAME ... | all",
	.summary = "start instances and wait until they run or fail",
	.help =
	    "Start the instances (also a failed one: this is how a ward\n"
	    "whose restart limit was spent comes back) and wait until each\n"
	    "is running or cannot be.  One line per instance; exit 0 when\n"
	    "all run, 1 when one did not.\n"
	    "\n"
	    "  --no-wait    reply at once with the states as they are\n"
	    "  --timeout D  give up after D (e.g. 1m); by default wait as\n"
	    "               long as stewardd keeps answering (it bounds\n"
	    "               its own wait)\n"
	    "  --json       print stewardd's reply document as it is\n",
    },
    {
	.name = "stop",
	.run = cmd_steer,
	.opts = OPT_JSON | OPT_NO_WAIT | OPT_TIMEOUT | OPT_WITH_DEPENDENTS,
	.min_names = 1,
	.max_names = SIZE_MAX,
	.synopsis = "stop [--no-wait] [--with-dependents] [--timeout D] "
		    "[--json] NAME ... | all",
	.summary = "stop instances and wait until they have no process",
	.help = "Stop the instances (stop_signal, then KILL to the process\n"
		"group after stop_timeout) and wait until none has a process.\n"
		"They stay stopped until started.  Exit 0 when all stopped.\n"
		"A ward that others require (requires =) is stopped only\n"
		"with --with-dependents, which stops them first; without it\n"
		"stewardctl says what would go down and exits 1.  NAME may be\n"
		"a [group:NAME].\n"
		"\n"
		"  --no-wait    reply at once with the states as they are\n"
		"  --with-dependents  stop the wards that require it first\n"
		"  --timeout D  give up after D; by default wait as long as\n"
		"               stewardd keeps answering\n"
		"  --json       print stewardd's reply document as it is\n",
    },
    {
	.name = "restart",
	.run = cmd_steer,
	.opts = OPT_JSON | OPT_NO_WAIT | OPT_TIMEOUT,
	.min_names = 1,
	.max_names = SIZE_MAX,
	.synopsis = "restart [--no-wait] [--timeout D] [--json] NAME ... | all",
	.summary = "stop, then start, and wait until running",
	.help = "Stop the instances, start them again, and wait until each\n"
		"new process is running or cannot be.  Exit 0 when all run.\n"
		"\n"
		"  --no-wait    reply at once with the states as they are\n"
		"  --timeout D  give up after D; by default wait as long as\n"
		"               stewardd keeps answering\n"
		"  --json       print stewardd's reply document as it is\n",
    },
    {
	.name = "signal",
	.run = cmd_signal,
	.opts = OPT_JSON,
	.min_names = 2,
	.max_names = SIZE_MAX,
	.missing = "give a signal and at least one NAME",
	.synopsis = "signal [--json] SIG NAME ... | all",
	.summary = "send a signal to the instances' process groups",
	.help = "Send SIG (TERM, SIGHUP, hup or 1; not -1) to the process\n"
		"group of each named instance that has a process.  This does\n"
		"not change what stewardd expects: a ward killed this way is\n"
		"restarted by its restart policy.\n"
		"\n"
		"  --json   print stewardd's reply document as it is\n",
    },
    {
	.name = "health",
	.run = cmd_health,
	.opts = OPT_JSON | OPT_TIMEOUT,
	.synopsis = "health [--timeout D] [--json]",
	.summary = "exit 0 when stewardd answers in time, else 1",
	.help = "Ask stewardd whether its loop runs; it answers at once when\n"
		"it does.  Exit 0 when the answer comes within the timeout,\n"
		"else 1 with a line saying why (for container probes).\n"
		"\n"
		"  --timeout D  how long to wait (default 2s)\n"
		"  --json       print stewardd's reply document as it is\n",
    },
    {
	.name = "reopen",
	.run = cmd_reopen,
	.opts = OPT_JSON,
	.synopsis = "reopen [--json]",
	.summary = "make stewardd reopen its event log (after rotation)",
	.help = "Make stewardd reopen its event log, as SIGUSR1 does, after\n"
		"the file was rotated.\n"
		"\n"
		"  --json   print stewardd's reply document as it is\n",
    },
    {
	.name = "run",
	.run = cmd_run,
	.opts = OPT_JSON | OPT_TIMEOUT | OPT_REPLICAS,
	.min_names = 1,
	.max_names = SIZE_MAX,
	.missing = "give the JOB to run (a [job:NAME] of the config)",
	.synopsis =
	    "run JOB [--replicas N] [--timeout D] [--json] [-- ARG ...]",
	.summary = "run a [job:NAME]: the first replica to succeed answers",
	.help =
	    "Ask stewardd to run the job as N replicas at once (default:\n"
	    "the job's replicas).  The first replica to exit 0 wins: its\n"
	    "stdout (at most the job's output_limit; a cut is said on\n"
	    "stderr) is printed and the others are cancelled.  With no\n"
	    "winner before the timeout (default: the job's), or when\n"
	    "every replica fails, one error line with a log id is\n"
	    "printed and the exit code is 1.  Ctrl-C cancels the run\n"
	    "(exit 130).  ARGs after -- are appended to the job's command.\n"
	    "\n"
	    "  --replicas N  how many replicas (1 to 1000)\n"
	    "  --timeout D   give up after D (e.g. 5s)\n"
	    "  --json        print stewardd's two reply documents\n",
    },
    {
	.name = "cancel",
	.run = cmd_cancel,
	.opts = OPT_JSON,
	.min_names = 1,
	.max_names = 1,
	.missing = "give the RUN to cancel (its id, from status)",
	.synopsis = "cancel RUN [--json]",
	.summary = "cancel a run in flight (see status)",
	.help = "Cancel a run of a job: every replica still running is\n"
		"stopped, and its client gets a \"cancelled\" error.\n"
		"\n"
		"  --json   print stewardd's reply document as it is\n",
    },
    {
	.name = "reload",
	.run = cmd_reload,
	.opts = OPT_JSON,
	.synopsis = "reload [--json]",
	.summary = "make stewardd re-read its config and apply the change",
	.help =
	    "Make stewardd re-read its config (and included and\n"
	    "environment files), as SIGHUP does, and apply only the\n"
	    "difference: new wards start, removed wards stop, changed\n"
	    "wards restart, a change of replicas adds or removes instances,\n"
	    "unchanged wards keep running untouched.  A config with any\n"
	    "error changes nothing: every problem is printed and the exit\n"
	    "code is 78.\n"
	    "\n"
	    "  --json   print stewardd's reply document as it is\n",
    },
    {
	.name = "info",
	.run = cmd_info,
	.opts = OPT_JSON,
	.synopsis = "info [--json]",
	.summary = "show stewardd's version, pid, paths and uptime",
	.help =
	    "Show stewardd's version, pid, uptime, config file, event log,\n"
	    "socket, lost event count, instance count and protocol.\n"
	    "\n"
	    "  --json   print stewardd's reply document as it is\n",
    },
    {
	.name = "version",
	.run = cmd_version,
	.synopsis = "version",
	.summary = "show stewardctl's version, and stewardd's",
	.help = "Show stewardctl's version and, when stewardd answers,\n"
		"stewardd's.  Exit 0 either way.\n",
    },
    {
	.name = "check",
	.run = cmd_check,
	.max_names = 1,
	.synopsis = "check [FILE]",
	.summary = "check a config file as stewardd --check does",
	.help = "Read FILE (default: -c FILE) as stewardd would, print every\n"
		"problem with its file and line, and exit 0 when it has no\n"
		"error, 78 when it has one.  Nothing is sent to stewardd.\n",
    },
    {
	.name = "log",
	.run = cmd_log,
	.opts = OPT_JSON | OPT_WARD | OPT_EVENT | OPT_SINCE | OPT_ID |
		OPT_FOLLOW | OPT_FILE,
	.synopsis = "log [--ward NAME] [--event E] [--since D] [--id N] [-f]\n"
		    "                  [--json] [--file PATH]",
	.summary = "show why wards restarted, from the event log",
	.help =
	    "Read the event log and show the records that explain\n"
	    "restarts (stopping, killing, backoff, failed, exited,\n"
	    "heartbeat_invalid, events_lost, and every error) as TIME\n"
	    "(local; with the date when not today), WARD, EVENT, REASON\n"
	    "and [log N].  The file is --file PATH, else the event_log\n"
	    "stewardd reports, else [steward] event_log of -c FILE.\n"
	    "\n"
	    "  --ward NAME   only this ward (\"web\") or instance "
	    "(\"web:0\");\n"
	    "                repeat or use commas for several\n"
	    "  --event E     only these events (any, e.g. running, starting);\n"
	    "                repeat or use commas for several\n"
	    "  --since D     only records of the last D (e.g. 10m, 2h)\n"
	    "  --id N        the record with log id N and its whole error\n"
	    "                chain, one layer a line with its wrap site\n"
	    "  -f, --follow  keep reading as records are added (also across\n"
	    "                rotation); Ctrl-C ends it (exit 0)\n"
	    "  --json        print the matching lines as they are\n"
	    "  --file PATH   read this file\n"
	    "\n"
	    "Lines that are not JSON objects are skipped and counted.\n",
    },
    {
	.name = "help",
	.run = cmd_help,
	.max_names = 1,
	.synopsis = "help [COMMAND]",
	.summary = "show this help, or a command's",
	.help = "Show the list of commands, or one command's help.\n",
    },
};

#define CTL_NCMDS (sizeof(ctl_cmds) / sizeof(ctl_cmds[0]))

/* The command named word, or NULL. */
static const struct ctl_command *
ctl_cmd_find(const char *word)
{
	for (size_t i = 0; i < CTL_NCMDS; i++)
		if (strcmp(ctl_cmds[i].name, word) == 0)
			return &ctl_cmds[i];
	return NULL;
}

/* Print the help of one command. */
static void
ctl_cmd_help(const struct ctl_command *cmd)
{
	printf("usage: stewardctl %s\n\n%s", cmd->synopsis, cmd->help);
	if (cmd->min_names > 0 && cmd->run != cmd_check)
		printf("\n%s", ctl_names_help);
}

/* Print stewardctl's own help. */
static void
ctl_main_help(FILE *f)
{
	fprintf(f, "usage: stewardctl [-s PATH] [-c FILE] COMMAND [ARG ...]\n"
		   "       stewardctl help COMMAND | COMMAND --help\n"
		   "\n"
		   "Steer stewardd and read why its wards restarted.\n"
		   "\n"
		   "  -s, --socket PATH   stewardd's control socket\n"
		   "  -c, --config FILE   use [steward] socket and event_log "
		   "of FILE\n"
		   "  -h, --help          show this help\n"
		   "  -V, --version       show stewardctl's version\n"
		   "\n"
		   "The socket is -s PATH, else $STEWARD_SOCKET, else the one "
		   "in -c FILE,\n"
		   "else /run/steward.sock for root and "
		   "$XDG_RUNTIME_DIR/steward.sock\n"
		   "for others.\n"
		   "\n"
		   "Commands:\n");
	for (size_t i = 0; i < CTL_NCMDS; i++)
		fprintf(f, "  %-9s %s\n", ctl_cmds[i].name,
			ctl_cmds[i].summary);
	fprintf(f, "\n"
		   "Exit codes: 0 ok, 1 an instance did not reach its goal or "
		   "health\n"
		   "failed, 64 usage, 65 malformed reply, 66 no event log, "
		   "67 no such\n"
		   "ward, 69 stewardd unavailable, 70 internal error, 75 try "
		   "again\n"
		   "(busy, rate limited, timeout), 76 protocol mismatch, 77 "
		   "not allowed,\n"
		   "78 config error, 74 output could not be written, 130 "
		   "run\n"
		   "interrupted (Ctrl-C).  See stewardctl(1).\n");
}

/* help [COMMAND] */
static int
cmd_help(struct ctl_ctx *c, const struct ctl_command *cmd, struct ctl_args *a)
{
	const struct ctl_command *which;

	(void)c;
	if (a->nnames == 0) {
		ctl_main_help(stdout);
		return 0;
	}
	if ((which = ctl_cmd_find(a->names[0])) == NULL)
		return ctl_usage(NULL, "no command \"%s\"", a->names[0]);
	ctl_cmd_help(which);
	return 0;
}

/* Add the comma-separated words of arg to a list. */
static void
ctl_list_add(char ***list, size_t *n, const char *arg)
{
	char *copy = xstrdup(arg), *save = NULL;

	for (char *w = strtok_r(copy, ",", &save); w != NULL;
	     w = strtok_r(NULL, ",", &save)) {
		*list = xrealloc(*list, (*n + 1) * sizeof(**list));
		(*list)[(*n)++] = xstrdup(w);
	}
	free(copy);
}

/* Free what ctl_parse_args() allocated. */
static void
ctl_args_free(struct ctl_args *a)
{
	for (size_t i = 0; i < a->nwards; i++)
		free(a->wards[i]);
	for (size_t i = 0; i < a->nevents; i++)
		free(a->events[i]);
	free(a->wards);
	free(a->events);
}

/*
 * Parse a command's options (anywhere before "--") and operands.
 * Returns -1 for --help (printed), 0, or EX_USAGE (message printed).
 */
static int
ctl_parse_args(const struct ctl_command *cmd, int argc, char **argv,
	       struct ctl_args *a)
{
	static const struct option longopts[] = {
	    {"json", no_argument, NULL, 'j'},
	    {"no-wait", no_argument, NULL, 'W'},
	    {"timeout", required_argument, NULL, 't'},
	    {"ward", required_argument, NULL, 'w'},
	    {"event", required_argument, NULL, 'e'},
	    {"since", required_argument, NULL, 'S'},
	    {"id", required_argument, NULL, 'i'},
	    {"follow", no_argument, NULL, 'f'},
	    {"file", required_argument, NULL, 'F'},
	    {"replicas", required_argument, NULL, 'r'},
	    {"with-dependents", no_argument, NULL, 'D'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	static const struct {
		int ch;
		unsigned opt;
	} need[] = {
	    {.ch = 'j', .opt = OPT_JSON},
	    {.ch = 'W', .opt = OPT_NO_WAIT},
	    {.ch = 't', .opt = OPT_TIMEOUT},
	    {.ch = 'w', .opt = OPT_WARD},
	    {.ch = 'e', .opt = OPT_EVENT},
	    {.ch = 'S', .opt = OPT_SINCE},
	    {.ch = 'i', .opt = OPT_ID},
	    {.ch = 'f', .opt = OPT_FOLLOW},
	    {.ch = 'F', .opt = OPT_FILE},
	    {.ch = 'r', .opt = OPT_REPLICAS},
	    {.ch = 'D', .opt = OPT_WITH_DEPENDENTS},
	};
	char why[PARSE_WHY];
	long id;
	int ch;

	*a = (struct ctl_args){.timeout_ms = -1};
	optind = 0; /* glibc: start over, with this argv */
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":hf", longopts, NULL)) != -1) {
		if (ch == 'h')
			return -1;
		if (ch == '?')
			return ctl_usage(cmd->name, "unknown option %s",
					 argv[optind - 1]);
		if (ch == ':')
			return ctl_usage(cmd->name, "%s needs a value",
					 argv[optind - 1]);
		for (size_t i = 0; i < sizeof(need) / sizeof(need[0]); i++)
			if (need[i].ch == ch && !(cmd->opts & need[i].opt))
				return ctl_usage(cmd->name,
						 "%s is not an option of %s",
						 argv[optind - 1], cmd->name);
		switch (ch) {
		case 'j':
			a->json = true;
			break;
		case 'W':
			a->no_wait = true;
			break;
		case 'f':
			a->follow = true;
			break;
		case 'F':
			a->file = optarg;
			break;
		case 'D':
			a->with_dependents = true;
			break;
		case 'r':
			if (parse_long(optarg, 1, 1000, &a->replicas, why) ==
			    -1)
				return ctl_usage(cmd->name,
						 "--replicas \"%s\": %s",
						 optarg, why);
			break;
		case 'w':
			ctl_list_add(&a->wards, &a->nwards, optarg);
			break;
		case 'e':
			ctl_list_add(&a->events, &a->nevents, optarg);
			break;
		case 't':
		case 'S':
			if (parse_duration_ms(optarg,
					      ch == 't' ? &a->timeout_ms
							: &a->since_ms,
					      why) == -1)
				return ctl_usage(cmd->name, "%s \"%s\": %s",
						 ch == 't' ? "--timeout"
							   : "--since",
						 optarg, why);
			a->has_since |= ch == 'S';
			break;
		case 'i':
			if (parse_long(optarg, 1, LONG_MAX, &id, why) == -1)
				return ctl_usage(cmd->name, "--id \"%s\": %s",
						 optarg, why);
			a->id = id;
			a->has_id = true;
			break;
		default:
			return ctl_usage(cmd->name, "unknown option %s",
					 argv[optind - 1]);
		}
	}
	a->names = argv + optind;
	a->nnames = (size_t)(argc - optind);
	if (a->nnames < cmd->min_names)
		return ctl_usage(cmd->name, "%s",
				 cmd->missing
				     ? cmd->missing
				     : "give at least one NAME, or all");
	if (a->nnames > cmd->max_names)
		return ctl_usage(cmd->name, "unexpected argument \"%s\"",
				 a->names[cmd->max_names]);
	return 0;
}

/* Decide on colour and width from the terminal and the environment. */
static void
ctl_terminal(struct ctl_ctx *c)
{
	const char *no = getenv("NO_COLOR"), *term = getenv("TERM");
	const char *cols = getenv("COLUMNS");
	struct winsize ws;

	if (!isatty(STDOUT_FILENO))
		return;
	c->color = (no == NULL || no[0] == '\0') &&
		   (term == NULL || strcmp(term, "dumb") != 0);
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		c->width = ws.ws_col;
	else if (cols != NULL && atoi(cols) > 0)
		c->width = atoi(cols);
	else
		c->width = 80;
}

/*
 * fds 0-2 must be open: otherwise the control socket could take number
 * 1 and the output would be sent to stewardd as a request.  (These are
 * meant to be inherited, so they are the one exception to O_CLOEXEC.)
 */
static void
ctl_std_fds(void)
{
	for (int fd = 0; fd < 3; fd++) {
		if (fcntl(fd, F_GETFD) != -1 || errno != EBADF)
			continue;
		if (open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY) != fd)
			exit(EX_SOFTWARE); /* nowhere left to say why */
	}
}

/* Parse the options before the command, then run the command. */
int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"socket", required_argument, NULL, 's'},
	    {"config", required_argument, NULL, 'c'},
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},
	    {NULL, 0, NULL, 0},
	};
	struct ctl_ctx c = {0};
	const struct ctl_command *cmd;
	struct ctl_args a;
	int ch, rc;

	ctl_std_fds();
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "+:s:c:hV", longopts, NULL)) !=
	       -1) {
		switch (ch) {
		case 's':
			c.sock_opt = optarg;
			break;
		case 'c':
			c.config_opt = optarg;
			break;
		case 'h':
			ctl_main_help(stdout);
			return 0;
		case 'V':
			printf("stewardctl %s\n", STEWARD_VERSION);
			return 0;
		case ':':
			return ctl_usage(NULL, "%s needs a value",
					 argv[optind - 1]);
		default:
			return ctl_usage(NULL, "unknown option %s",
					 argv[optind - 1]);
		}
	}
	if (optind >= argc) {
		ctl_main_help(stderr);
		return EX_USAGE;
	}
	if ((cmd = ctl_cmd_find(argv[optind])) == NULL)
		return ctl_usage(NULL, "no command \"%s\"", argv[optind]);
	rc = ctl_parse_args(cmd, argc - optind, argv + optind, &a);
	if (rc == -1) {
		ctl_cmd_help(cmd);
		rc = 0;
	} else if (rc == 0) {
		ctl_terminal(&c);
		rc = cmd->run(&c, cmd, &a);
	}
	ctl_args_free(&a);
	config_free(c.cfg);
	free(c.sock);
	free(c.sock_how);
	if ((fflush(stdout) == EOF || ferror(stdout)) && rc == 0) {
		fprintf(stderr, "stewardctl: cannot write the output: %s\n",
			strerror(errno));
		rc = EX_SOFTWARE;
	}
	return rc;
}
