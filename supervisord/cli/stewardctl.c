/*
 * stewardctl: the command line for people and scripts (stewardctl(1)).
 *
 * The files, by command family (each file's functions carry its name):
 * stewardctl.c main(), the command table, the options, help and the
 * small helpers; stewardctl-client.c finding stewardd and one request
 * with its reply; stewardctl-status.c status, info, version, check;
 * stewardctl-steer.c start, stop, restart, signal, health, reopen,
 * reload; stewardctl-run.c run, cancel; stewardctl-log.c the event log;
 * stewardctl-tail.c an instance's last lines.
 * stewardctl.h holds what they share.
 *
 * Errors follow the daemon's grammar: "stewardctl: cannot <verb> <what>:
 * <cause>", the cause being stewardd's own message.  Exit codes follow
 * sysexits(3), one meaning each (stewardctl_client_codes[], stewardctl(1)), so
 * that a script can tell "did not start" (1) from "no such ward" (67), "not
 * running" (69), "try again" (75) and "not allowed" (77).
 *
 * Everything shown to a person from stewardd or the log passes through
 * escape_text() (escape.c), mostly by way of stewardctl_clean(): ward STATUS=
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
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "config/config.h"
#include "proto/ctl-proto.h"
#include "base/err.h"
#include "base/escape.h"
#include "cli/json-read.h"
#include "base/parse.h"
#include "cli/stewardctl.h"

/* ---------------------------------------------------------------- */
/* Small helpers                                                    */
/* ---------------------------------------------------------------- */

/* Microseconds on the monotonic clock. */
int64_t
stewardctl_now_us(void)
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
int64_t
stewardctl_now_ms(void)
{
	return stewardctl_now_us() / 1000;
}

/* Milliseconds on the wall clock, for the event log's timestamps. */
int64_t
stewardctl_wall_ms(void)
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
int
stewardctl_left(int64_t deadline)
{
	int64_t left;

	if (deadline < 0)
		return -1;
	left = deadline - stewardctl_now_ms();
	if (left < 0)
		return 0;
	return left > INT_MAX ? INT_MAX : (int)left;
}

/*
 * Close a descriptor we only read from or that failed: its close(2)
 * error cannot lose data, and Linux releases the descriptor regardless.
 */
void
stewardctl_close(int fd)
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
stewardctl_standalone(const struct err *e)
{
	for (size_t i = 0; e != NULL && i < e->nfields; i++)
		if (strcmp(e->fields[i].key, "socket") == 0)
			return true;
	return false;
}

/* Print prefix and s, escaped (escape_text()), as a line on stderr. */
void
stewardctl_eprint(const char *prefix, const char *s)
{
	char *clean = escape_dup(s);

	fprintf(stderr, "%s%s\n", prefix, clean);
	free(clean);
}

/* Print "stewardctl: " and the error, wrapped in what we were doing. */
int
stewardctl_fail(int rc, struct err *e, const char *fmt, ...)
{
	char *s;

	if (fmt != NULL && !stewardctl_standalone(e)) {
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
	stewardctl_eprint("stewardctl: ", s);
	free(s);
	err_free(e);
	return rc;
}

/* A usage error for one command: the complaint and where to read more. */
int
stewardctl_usage(const char *cmd, const char *fmt, ...)
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
char *
stewardctl_clean(const char *s, size_t cols)
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
size_t
stewardctl_cols(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

/* Print a cell padded to width, coloured when colour is on. */
void
stewardctl_cell(const struct stewardctl_ctx *c, const char *s, size_t width,
		bool right, const char *color)
{
	size_t n = stewardctl_cols(s);
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
const char *
stewardctl_color(const char *word)
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
void
stewardctl_human_ms(int64_t ms, bool tenths, char *buf, size_t len)
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
int64_t
stewardctl_int(const json_t *obj, const char *key, int64_t def)
{
	int64_t v;

	return json_read_int(json_object_get(obj, key), &v) == 0 ? v : def;
}

/* "web:0" for a record or result with "ward" and "replica". */
char *
stewardctl_label(const json_t *obj)
{
	const char *ward = json_string_value(json_object_get(obj, "ward"));
	int64_t replica = stewardctl_int(obj, "replica", -1);

	char *clean, *s;

	if (ward == NULL)
		return xstrdup("-");
	clean = stewardctl_clean(ward, 0);
	if (replica < 0)
		return clean;
	s = xasprintf("%s:%" PRId64, clean, replica);
	free(clean);
	return s;
}

/* How the request's names read in a message: ward "web", every ward. */
char *
stewardctl_what(char **names, size_t n)
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
/* The command table, help, and the command line                    */
/* ---------------------------------------------------------------- */

static int stewardctl_help(struct stewardctl_ctx *c,
			   const struct ctl_cmd_def *cmd,
			   struct stewardctl_args *a);

static const char stewardctl_names_help[] =
    "NAME is a ward (\"web\": every replica of it) or an instance\n"
    "(\"web:1\"); \"all\" means every ward.\n";

/* A command's handler in stewardctl. */
typedef int stewardctl_fn(struct stewardctl_ctx *c,
			  const struct ctl_cmd_def *cmd,
			  struct stewardctl_args *a);

/*
 * Each command of ctl_cmds[] (ctl-proto.c) bound to its handler.  No
 * default: a command added to enum ctl_cmd and not bound here is a
 * compile error (-Wswitch, -Werror).
 */
static stewardctl_fn *
stewardctl_handler(enum ctl_cmd cmd)
{
	switch (cmd) {
	case CTL_STATUS:
		return stewardctl_status_cmd;
	case CTL_START:
	case CTL_STOP:
	case CTL_RESTART:
		return stewardctl_steer_cmd;
	case CTL_SIGNAL:
		return stewardctl_steer_signal;
	case CTL_HEALTH:
		return stewardctl_steer_health;
	case CTL_REOPEN:
		return stewardctl_steer_reopen;
	case CTL_RUN:
		return stewardctl_run_cmd;
	case CTL_CANCEL:
		return stewardctl_run_cancel;
	case CTL_RELOAD:
		return stewardctl_steer_reload;
	case CTL_INFO:
		return stewardctl_status_info;
	case CTL_VERSION:
		return stewardctl_status_version;
	case CTL_CHECK:
		return stewardctl_status_check;
	case CTL_LOG:
		return stewardctl_log_cmd;
	case CTL_TAIL:
		return stewardctl_tail_cmd;
	case CTL_HELP:
		return stewardctl_help;
	case CTL_NCMDS:
		break;
	}
	return NULL;
}

/* The command named word, or NULL. */
static const struct ctl_cmd_def *
stewardctl_cmd_find(const char *word)
{
	for (size_t i = 0; i < CTL_NCMDS; i++)
		if (strcmp(ctl_cmds[i].name, word) == 0)
			return &ctl_cmds[i];
	return NULL;
}

/* Print the help of one command. */
static void
stewardctl_cmd_help(const struct ctl_cmd_def *cmd)
{
	printf("usage: stewardctl %s\n\n%s", cmd->synopsis, cmd->help);
	if (cmd->min_args > 0 && cmd != &ctl_cmds[CTL_CHECK] &&
	    cmd != &ctl_cmds[CTL_TAIL])
		printf("\n%s", stewardctl_names_help);
}

/* Print stewardctl's own help. */
static void
stewardctl_main_help(FILE *f)
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
		   "78 config error, 74 run or tail could not write its "
		   "output,\n"
		   "130 run interrupted (Ctrl-C).  See stewardctl(1).\n");
}

/* help [COMMAND] */
static int
stewardctl_help(struct stewardctl_ctx *c, const struct ctl_cmd_def *cmd,
		struct stewardctl_args *a)
{
	const struct ctl_cmd_def *which;

	(void)c;
	if (a->nnames == 0) {
		stewardctl_main_help(stdout);
		return 0;
	}
	if ((which = stewardctl_cmd_find(a->names[0])) == NULL)
		return stewardctl_usage(NULL, "no command \"%s\"", a->names[0]);
	stewardctl_cmd_help(which);
	return 0;
}

/* Add the comma-separated words of arg to a list. */
static void
stewardctl_list_add(char ***list, size_t *n, const char *arg)
{
	char *copy = xstrdup(arg), *save = NULL;

	for (char *w = strtok_r(copy, ",", &save); w != NULL;
	     w = strtok_r(NULL, ",", &save)) {
		*list = xrealloc(*list, (*n + 1) * sizeof(**list));
		(*list)[(*n)++] = xstrdup(w);
	}
	free(copy);
}

/* Free what stewardctl_parse_args() allocated. */
static void
stewardctl_args_free(struct stewardctl_args *a)
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
stewardctl_parse_args(const struct ctl_cmd_def *cmd, int argc, char **argv,
		      struct stewardctl_args *a)
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
	    {"lines", required_argument, NULL, 'n'},
	    {"stderr", no_argument, NULL, 'E'},
	    {"previous", no_argument, NULL, 'P'},
	    {"timestamps", no_argument, NULL, 'T'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	static const struct {
		int ch;
		unsigned opt;
	} need[] = {
	    {.ch = 'j', .opt = CTL_OPT_JSON},
	    {.ch = 'W', .opt = CTL_OPT_NO_WAIT},
	    {.ch = 't', .opt = CTL_OPT_TIMEOUT},
	    {.ch = 'w', .opt = CTL_OPT_WARD},
	    {.ch = 'e', .opt = CTL_OPT_EVENT},
	    {.ch = 'S', .opt = CTL_OPT_SINCE},
	    {.ch = 'i', .opt = CTL_OPT_ID},
	    {.ch = 'f', .opt = CTL_OPT_FOLLOW},
	    {.ch = 'F', .opt = CTL_OPT_FILE},
	    {.ch = 'r', .opt = CTL_OPT_REPLICAS},
	    {.ch = 'D', .opt = CTL_OPT_WITH_DEPENDENTS},
	    {.ch = 'n', .opt = CTL_OPT_LINES},
	    {.ch = 'E', .opt = CTL_OPT_STDERR},
	    {.ch = 'P', .opt = CTL_OPT_PREVIOUS},
	    {.ch = 'T', .opt = CTL_OPT_TIMESTAMPS},
	};
	char why[PARSE_WHY];
	long id;
	int ch;

	*a = (struct stewardctl_args){.timeout_ms = -1, .lines = -1};
	optind = 0; /* glibc: start over, with this argv */
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":hfn:", longopts, NULL)) != -1) {
		if (ch == 'h')
			return -1;
		if (ch == '?')
			return stewardctl_usage(cmd->name, "unknown option %s",
						argv[optind - 1]);
		if (ch == ':')
			return stewardctl_usage(cmd->name, "%s needs a value",
						argv[optind - 1]);
		for (size_t i = 0; i < sizeof(need) / sizeof(need[0]); i++)
			if (need[i].ch == ch && !(cmd->opts & need[i].opt))
				return stewardctl_usage(
				    cmd->name, "%s is not an option of %s",
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
		case 'n':
			if (parse_long(optarg, 0, 1000000, &a->lines, why) ==
			    -1)
				return stewardctl_usage(
				    cmd->name, "-n \"%s\": %s", optarg, why);
			break;
		case 'E':
			a->stderr_stream = true;
			break;
		case 'P':
			a->previous = true;
			break;
		case 'T':
			a->timestamps = true;
			break;
		case 'r':
			if (parse_long(optarg, 1, 1000, &a->replicas, why) ==
			    -1)
				return stewardctl_usage(cmd->name,
							"--replicas \"%s\": %s",
							optarg, why);
			break;
		case 'w':
			stewardctl_list_add(&a->wards, &a->nwards, optarg);
			break;
		case 'e':
			stewardctl_list_add(&a->events, &a->nevents, optarg);
			break;
		case 't':
		case 'S':
			if (parse_duration_ms(optarg,
					      ch == 't' ? &a->timeout_ms
							: &a->since_ms,
					      why) == -1)
				return stewardctl_usage(
				    cmd->name, "%s \"%s\": %s",
				    ch == 't' ? "--timeout" : "--since", optarg,
				    why);
			a->has_since |= ch == 'S';
			break;
		case 'i':
			if (parse_long(optarg, 1, LONG_MAX, &id, why) == -1)
				return stewardctl_usage(
				    cmd->name, "--id \"%s\": %s", optarg, why);
			a->id = id;
			a->has_id = true;
			break;
		default:
			return stewardctl_usage(cmd->name, "unknown option %s",
						argv[optind - 1]);
		}
	}
	a->names = argv + optind;
	a->nnames = (size_t)(argc - optind);
	if (a->nnames < cmd->min_args)
		return stewardctl_usage(cmd->name, "%s",
					cmd->missing
					    ? cmd->missing
					    : "give at least one NAME, or all");
	if (a->nnames > cmd->max_args)
		return stewardctl_usage(cmd->name, "unexpected argument \"%s\"",
					a->names[cmd->max_args]);
	/* log NAME ...: the same as --ward NAME ... */
	if (cmd == &ctl_cmds[CTL_LOG])
		for (size_t i = 0; i < a->nnames; i++)
			stewardctl_list_add(&a->wards, &a->nwards, a->names[i]);
	return 0;
}

/* Decide on colour and width from the terminal and the environment. */
static void
stewardctl_terminal(struct stewardctl_ctx *c)
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
stewardctl_std_fds(void)
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
	struct stewardctl_ctx c = {0};
	const struct ctl_cmd_def *cmd;
	struct stewardctl_args a;
	int ch, rc;

	stewardctl_std_fds();
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
			stewardctl_main_help(stdout);
			return 0;
		case 'V':
			printf("stewardctl %s\n", STEWARD_VERSION);
			return 0;
		case ':':
			return stewardctl_usage(NULL, "%s needs a value",
						argv[optind - 1]);
		default:
			return stewardctl_usage(NULL, "unknown option %s",
						argv[optind - 1]);
		}
	}
	if (optind >= argc) {
		stewardctl_main_help(stderr);
		return EX_USAGE;
	}
	if ((cmd = stewardctl_cmd_find(argv[optind])) == NULL)
		return stewardctl_usage(NULL, "no command \"%s\"",
					argv[optind]);
	rc = stewardctl_parse_args(cmd, argc - optind, argv + optind, &a);
	if (rc == -1) {
		stewardctl_cmd_help(cmd);
		rc = 0;
	} else if (rc == 0) {
		stewardctl_terminal(&c);
		rc = stewardctl_handler((enum ctl_cmd)(cmd - ctl_cmds))(&c, cmd,
									&a);
	}
	stewardctl_args_free(&a);
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
