/*
 * Parsing control requests (the protocol is in ctl-proto.h).
 *
 * The parser splits the line in place and checks everything it can
 * without knowing the daemon's wards: the version word, the command,
 * the word grammar, options, and the number of arguments each command
 * takes.  Names are looked up by the caller.
 */
#include <stdio.h>
#include <string.h>

#include "ctl-proto.h"
#include "parse.h"

/* One command's word and the shape of its arguments. */
struct ctl_cmd_def {
	const char *name;
	bool waits;     /* takes --no-wait */
	bool needs_sig; /* the first arg is a signal */
	size_t min_names;
	const char *usage;
};

static const struct ctl_cmd_def ctl_cmds[] = {
    [CTL_STATUS] = {.name = "status", .usage = "status [NAME ...]"},
    [CTL_START] = {.name = "start",
		   .waits = true,
		   .min_names = 1,
		   .usage = "start [--no-wait] NAME ... | all"},
    [CTL_STOP] = {.name = "stop",
		  .waits = true,
		  .min_names = 1,
		  .usage =
		      "stop [--no-wait] [--with-dependents] NAME ... | all"},
    [CTL_RESTART] = {.name = "restart",
		     .waits = true,
		     .min_names = 1,
		     .usage = "restart [--no-wait] NAME ... | all"},
    [CTL_SIGNAL] = {.name = "signal",
		    .needs_sig = true,
		    .min_names = 1,
		    .usage = "signal SIG NAME ... | all"},
    [CTL_HEALTH] = {.name = "health", .usage = "health"},
    [CTL_REOPEN] = {.name = "reopen", .usage = "reopen"},
    [CTL_INFO] = {.name = "info", .usage = "info"},
    [CTL_RELOAD] = {.name = "reload", .usage = "reload"},
    [CTL_RUN] = {.name = "run",
		 .min_names = 1,
		 .usage = "run [--replicas=N] [--timeout=D] JOB [ARG ...]"},
    [CTL_CANCEL] = {.name = "cancel", .min_names = 1, .usage = "cancel RUN"},
};
#define CTL_NCMDS (sizeof(ctl_cmds) / sizeof(ctl_cmds[0]))

/* Check one word: printable ASCII, no blanks, bounded. */
static int
ctl_word_ok(const char *w, size_t n)
{
	if (n == 0 || n > CTL_WORD_MAX)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (w[i] < 0x21 || w[i] > 0x7e)
			return 0;
	}
	return 1;
}

/* Parse one request; see ctl-proto.h. */
int
ctl_parse(char *line, size_t len, struct ctl_request *req, const char **code,
	  char *why)
{
	char *words[CTL_ARGS_MAX + 3];
	size_t nw = 0, i = 0;
	const struct ctl_cmd_def *def = NULL;

	*req = (struct ctl_request){0};
	*code = "usage";
	if (len > 0 && line[len - 1] == '\r')
		len--;
	if (memchr(line, '\0', len) != NULL) {
		snprintf(why, PARSE_WHY, "a NUL byte in the request");
		return -1;
	}
	/* Split on single spaces, checking every word. */
	for (size_t start = 0; start <= len;) {
		size_t end = start;

		while (end < len && line[end] != ' ')
			end++;
		if (!ctl_word_ok(line + start, end - start)) {
			snprintf(why, PARSE_WHY,
				 "word %zu is empty, too long or not printable "
				 "ASCII; words are 1 to %d bytes of 0x21-0x7e "
				 "separated by one space",
				 nw + 1, CTL_WORD_MAX);
			return -1;
		}
		if (nw == sizeof(words) / sizeof(words[0])) {
			snprintf(why, PARSE_WHY, "more than %d arguments",
				 CTL_ARGS_MAX);
			return -1;
		}
		words[nw++] = line + start;
		line[end] = '\0';
		start = end + 1;
		if (end == len)
			break;
	}
	if (strcmp(words[0], CTL_PROTO) != 0) {
		*code = "version";
		snprintf(why, PARSE_WHY,
			 "unknown protocol \"%.40s\"; this stewardd speaks %s",
			 words[0], CTL_PROTO);
		return -1;
	}
	if (nw < 2) {
		snprintf(why, PARSE_WHY,
			 "no command; expected status, start, "
			 "stop, restart, signal, health, "
			 "reopen, info, reload, run or cancel");
		return -1;
	}
	for (size_t c = 0; c < CTL_NCMDS; c++) {
		if (strcmp(words[1], ctl_cmds[c].name) == 0) {
			def = &ctl_cmds[c];
			req->cmd = (enum ctl_cmd)c;
		}
	}
	if (def == NULL) {
		snprintf(
		    why, PARSE_WHY,
		    "unknown command \"%.40s\"; expected status, start, stop, "
		    "restart, signal, health, reopen, info, reload, run or "
		    "cancel",
		    words[1]);
		return -1;
	}
	for (i = 2; i < nw && strncmp(words[i], "--", 2) == 0; i++) {
		long n;
		int64_t ms = -1;
		char inner[PARSE_WHY];

		if (def->waits && strcmp(words[i], "--no-wait") == 0) {
			req->no_wait = true;
			continue;
		}
		if (req->cmd == CTL_STOP &&
		    strcmp(words[i], "--with-dependents") == 0) {
			req->with_dependents = true;
			continue;
		}
		if (req->cmd == CTL_RUN &&
		    strncmp(words[i], "--replicas=", 11) == 0) {
			if (parse_long(words[i] + 11, 1, 1000, &n, inner) ==
			    -1) {
				snprintf(why, PARSE_WHY, "--replicas: %.200s",
					 inner);
				return -1;
			}
			req->replicas = (unsigned)n;
			continue;
		}
		if (req->cmd == CTL_RUN &&
		    strncmp(words[i], "--timeout=", 10) == 0) {
			if (parse_duration_ms(words[i] + 10, &ms, inner) ==
				-1 ||
			    ms == 0) {
				snprintf(why, PARSE_WHY, "--timeout: %.200s",
					 ms == 0 ? "expected a duration above 0"
						 : inner);
				return -1;
			}
			req->timeout_ms = ms;
			continue;
		}
		snprintf(why, PARSE_WHY, "unknown option \"%.40s\"; usage: %s",
			 words[i], def->usage);
		return -1;
	}
	if (def->needs_sig) {
		if (i == nw) {
			snprintf(why, PARSE_WHY, "no signal; usage: %s",
				 def->usage);
			return -1;
		}
		req->sig = words[i++];
	}
	if (nw - i < def->min_names ||
	    (def->min_names == 0 && req->cmd != CTL_STATUS && nw > i) ||
	    (req->cmd == CTL_CANCEL && nw - i != 1)) {
		snprintf(why, PARSE_WHY, "%s; usage: %s",
			 nw - i < def->min_names
			     ? (req->cmd == CTL_RUN      ? "no job named"
				: req->cmd == CTL_CANCEL ? "no run named"
							 : "no ward named")
			     : "unexpected arguments",
			 def->usage);
		return -1;
	}
	if (nw - i > CTL_ARGS_MAX) {
		snprintf(why, PARSE_WHY, "more than %d arguments",
			 CTL_ARGS_MAX);
		return -1;
	}
	for (; i < nw; i++)
		req->args[req->nargs++] = words[i];
	return 0;
}

/* The command's word. */
const char *
ctl_cmd_name(enum ctl_cmd c)
{
	return (unsigned)c < CTL_NCMDS ? ctl_cmds[c].name : "unknown";
}
