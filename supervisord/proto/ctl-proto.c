/*
 * Parsing control requests (the protocol is in ctl-proto.h).
 *
 * The parser splits the line in place and checks everything it can
 * without knowing the daemon's wards: the version word, the command,
 * the word grammar, options, and the number of arguments each command
 * takes.  Names are looked up by the caller.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "proto/ctl-proto.h"
#include "base/parse.h"

/* Every command's record (ctl-proto.h); stewardctl's help is here too. */
const struct ctl_cmd_def ctl_cmds[CTL_NCMDS] = {
    [CTL_STATUS] =
	{
	    .name = "status",
	    .usage = "status [NAME ...]",
	    .opts = CTL_OPT_JSON,
	    .max_args = SIZE_MAX,
	    .synopsis = "status [--json] [NAME ...]",
	    .summary = "show every instance, or the ones named",
	    .help =
		"Show each instance: NAME, STATE (coloured on a terminal),\n"
		"PID, UPTIME, BEAT (age of the last heartbeat), RESTARTS,\n"
		"TOKENS (restart tokens left of the burst), CPU and PROCS\n"
		"(with cgroups: CPU time and processes of its cgroup),\n"
		"WORK/STATUS (the ward's WORK= unit and STATUS= text), and\n"
		"under it the reason of its last restart, stop or failure\n"
		"with its [log N] id.  Runs of jobs in flight follow in a\n"
		"second table.\n"
		"\n"
		"  --json   print stewardd's reply document as it is\n",
	},
    [CTL_START] =
	{
	    .name = "start",
	    .waits = true,
	    .min_names = 1,
	    .usage = "start [--no-wait] NAME ... | all",
	    .opts = CTL_OPT_JSON | CTL_OPT_NO_WAIT | CTL_OPT_TIMEOUT,
	    .min_args = 1,
	    .max_args = SIZE_MAX,
	    .synopsis =
		"start [--no-wait] [--timeout D] [--json] NAME ... | all",
	    .summary = "start instances and wait until they run or fail",
	    .help =
		"Start the instances (also a failed one: this is how a ward\n"
		"whose restart limit was spent comes back) and wait until "
		"each\n"
		"is running or cannot be.  One line per instance; exit 0 when\n"
		"all run, 1 when one did not.\n"
		"\n"
		"  --no-wait    reply at once with the states as they are\n"
		"  --timeout D  give up after D (e.g. 1m); by default wait as\n"
		"               long as stewardd keeps answering (it bounds\n"
		"               its own wait)\n"
		"  --json       print stewardd's reply document as it is\n",
	},
    [CTL_STOP] =
	{
	    .name = "stop",
	    .waits = true,
	    .min_names = 1,
	    .usage = "stop [--no-wait] [--with-dependents] NAME ... | all",
	    .opts = CTL_OPT_JSON | CTL_OPT_NO_WAIT | CTL_OPT_TIMEOUT |
		    CTL_OPT_WITH_DEPENDENTS,
	    .min_args = 1,
	    .max_args = SIZE_MAX,
	    .synopsis = "stop [--no-wait] [--with-dependents] [--timeout D] "
			"[--json] NAME ... | all",
	    .summary = "stop instances and wait until they have no process",
	    .help =
		"Stop the instances (stop_signal, then KILL to the process\n"
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
    [CTL_RESTART] =
	{
	    .name = "restart",
	    .waits = true,
	    .min_names = 1,
	    .usage = "restart [--no-wait] NAME ... | all",
	    .opts = CTL_OPT_JSON | CTL_OPT_NO_WAIT | CTL_OPT_TIMEOUT,
	    .min_args = 1,
	    .max_args = SIZE_MAX,
	    .synopsis =
		"restart [--no-wait] [--timeout D] [--json] NAME ... | all",
	    .summary = "stop, then start, and wait until running",
	    .help =
		"Stop the instances, start them again, and wait until each\n"
		"new process is running or cannot be.  Exit 0 when all run.\n"
		"\n"
		"  --no-wait    reply at once with the states as they are\n"
		"  --timeout D  give up after D; by default wait as long as\n"
		"               stewardd keeps answering\n"
		"  --json       print stewardd's reply document as it is\n",
	},
    [CTL_SIGNAL] =
	{
	    .name = "signal",
	    .needs_sig = true,
	    .min_names = 1,
	    .usage = "signal SIG NAME ... | all",
	    .opts = CTL_OPT_JSON,
	    .min_args = 2,
	    .max_args = SIZE_MAX,
	    .missing = "give a signal and at least one NAME",
	    .synopsis = "signal [--json] SIG NAME ... | all",
	    .summary = "send a signal to the instances' process groups",
	    .help =
		"Send SIG (TERM, SIGHUP, hup or 1; not -1) to the process\n"
		"group of each named instance that has a process.  This does\n"
		"not change what stewardd expects: a ward killed this way is\n"
		"restarted by its restart policy.\n"
		"\n"
		"  --json   print stewardd's reply document as it is\n",
	},
    [CTL_HEALTH] =
	{
	    .name = "health",
	    .usage = "health",
	    .opts = CTL_OPT_JSON | CTL_OPT_TIMEOUT,
	    .synopsis = "health [--timeout D] [--json]",
	    .summary = "exit 0 when stewardd answers in time, else 1",
	    .help =
		"Ask stewardd whether its loop runs; it answers at once when\n"
		"it does.  Exit 0 when the answer comes within the timeout,\n"
		"else 1 with a line saying why (for container probes).\n"
		"\n"
		"  --timeout D  how long to wait (default 2s)\n"
		"  --json       print stewardd's reply document as it is\n",
	},
    [CTL_REOPEN] =
	{
	    .name = "reopen",
	    .usage = "reopen",
	    .opts = CTL_OPT_JSON,
	    .synopsis = "reopen [--json]",
	    .summary = "make stewardd reopen its logs (after rotation)",
	    .help =
		"Make stewardd reopen its event log and the wards' log files\n"
		"it writes, as SIGUSR1 does, after they were rotated, moved\n"
		"or deleted (a deleted file is made again).\n"
		"\n"
		"  --json   print stewardd's reply document as it is\n",
	},
    [CTL_RUN] =
	{
	    .name = "run",
	    .min_names = 1,
	    .usage = "run [--replicas=N] [--timeout=D] JOB [ARG ...]",
	    .opts = CTL_OPT_JSON | CTL_OPT_TIMEOUT | CTL_OPT_REPLICAS,
	    .min_args = 1,
	    .max_args = SIZE_MAX,
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
		"(exit 130).  ARGs after -- are appended to the job's "
		"command.\n"
		"\n"
		"  --replicas N  how many replicas (1 to 1000)\n"
		"  --timeout D   give up after D (e.g. 5s)\n"
		"  --json        print stewardd's two reply documents\n",
	},
    [CTL_CANCEL] =
	{
	    .name = "cancel",
	    .min_names = 1,
	    .usage = "cancel RUN",
	    .opts = CTL_OPT_JSON,
	    .min_args = 1,
	    .max_args = 1,
	    .missing = "give the RUN to cancel (its id, from status)",
	    .synopsis = "cancel RUN [--json]",
	    .summary = "cancel a run in flight (see status)",
	    .help = "Cancel a run of a job: every replica still running is\n"
		    "stopped, and its client gets a \"cancelled\" error.\n"
		    "\n"
		    "  --json   print stewardd's reply document as it is\n",
	},
    [CTL_RELOAD] =
	{
	    .name = "reload",
	    .usage = "reload",
	    .opts = CTL_OPT_JSON,
	    .synopsis = "reload [--json]",
	    .summary = "make stewardd re-read its config and apply the change",
	    .help =
		"Make stewardd re-read its config (and included and\n"
		"environment files), as SIGHUP does, and apply only the\n"
		"difference: new wards start, removed wards stop, changed\n"
		"wards restart, a change of replicas adds or removes "
		"instances,\n"
		"unchanged wards keep running untouched.  A config with any\n"
		"error changes nothing: every problem is printed and the exit\n"
		"code is 78.\n"
		"\n"
		"  --json   print stewardd's reply document as it is\n",
	},
    [CTL_INFO] =
	{
	    .name = "info",
	    .usage = "info",
	    .opts = CTL_OPT_JSON,
	    .synopsis = "info [--json]",
	    .summary = "show stewardd's version, pid, paths and uptime",
	    .help = "Show stewardd's version, pid, uptime, config file, event "
		    "log,\n"
		    "socket, lost event count, instance count and protocol.\n"
		    "\n"
		    "  --json   print stewardd's reply document as it is\n",
	},
    [CTL_VERSION] =
	{
	    .name = "version",
	    .local = true,
	    .synopsis = "version",
	    .summary = "show stewardctl's version, and stewardd's",
	    .help = "Show stewardctl's version and, when stewardd answers,\n"
		    "stewardd's.  Exit 0 either way.\n",
	},
    [CTL_CHECK] =
	{
	    .name = "check",
	    .local = true,
	    .max_args = 1,
	    .synopsis = "check [FILE]",
	    .summary = "check a config file as stewardd --check does",
	    .help =
		"Read FILE (default: -c FILE) as stewardd would, print every\n"
		"problem with its file and line, and exit 0 when it has no\n"
		"error, 78 when it has one.  Nothing is sent to stewardd.\n",
	},
    [CTL_LOG] =
	{
	    .name = "log",
	    .local = true,
	    .opts = CTL_OPT_JSON | CTL_OPT_WARD | CTL_OPT_EVENT |
		    CTL_OPT_SINCE | CTL_OPT_ID | CTL_OPT_FOLLOW | CTL_OPT_FILE,
	    .max_args = SIZE_MAX,
	    .synopsis =
		"log [--ward NAME] [--event E] [--since D] [--id N] [-f]\n"
		"                  [--json] [--file PATH] [NAME ...]",
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
		"                repeat or use commas for several; a NAME\n"
		"                after the options is the same\n"
		"  --event E     only these events (any, e.g. running, "
		"starting);\n"
		"                repeat or use commas for several\n"
		"  --since D     only records of the last D (e.g. 10m, 2h)\n"
		"  --id N        the record with log id N and its whole error\n"
		"                chain, one layer a line with its wrap site\n"
		"  -f, --follow  keep reading as records are added (also "
		"across\n"
		"                rotation); Ctrl-C ends it (exit 0)\n"
		"  --json        print the matching lines as they are\n"
		"  --file PATH   read this file\n"
		"\n"
		"Lines that are not JSON objects are skipped and counted.\n",
	},
    [CTL_TAIL] =
	{
	    .name = "tail",
	    .min_names = 1,
	    .usage = "tail [--follow] [--lines=N] [--stderr] [--previous] "
		     "[--since=D] NAME",
	    .opts = CTL_OPT_JSON | CTL_OPT_FOLLOW | CTL_OPT_LINES |
		    CTL_OPT_STDERR | CTL_OPT_PREVIOUS | CTL_OPT_SINCE |
		    CTL_OPT_TIMESTAMPS,
	    .min_args = 1,
	    .max_args = 1,
	    .missing = "give the instance (web:1), or a ward of one",
	    .synopsis = "tail [-f] [-n N] [--stderr] [--previous] [--since D]\n"
			"                  [--timestamps] [--json] WARD[:N]",
	    .summary = "show the last lines an instance wrote; -f follows",
	    .help =
		"Show the last lines the instance wrote to its stdout (or\n"
		"--stderr), as stewardd keeps them in memory (tail_lines and\n"
		"tail_size of its ward), whatever its stdout and stderr\n"
		"files are.  WARD alone names a ward of one instance.\n"
		"On a terminal, control characters and invalid UTF-8 are\n"
		"shown escaped (\\x1b); elsewhere the lines are written as\n"
		"they came.\n"
		"\n"
		"  -f, --follow    then print each new line as it comes,\n"
		"                  across restarts (a line on stderr,\n"
		"                  \"--- web:0 restarted: a new process, pid\n"
		"                  4242 ---\", marks each new process);\n"
		"                  Ctrl-C ends it (exit 0).  A follower that\n"
		"                  reads too slowly is dropped by stewardd\n"
		"                  with a note (exit 75)\n"
		"  -n, --lines N   the last N lines (default 10; 0: none)\n"
		"  --stderr        its stderr instead of its stdout\n"
		"  --previous      the lines of the process before the\n"
		"                  current one (what it said before its\n"
		"                  last restart)\n"
		"  --since D       only lines of the last D (e.g. 10m)\n"
		"  --timestamps    each line after the time it was read\n"
		"  --json          print stewardd's reply lines as they are\n",
	},
    [CTL_HELP] =
	{
	    .name = "help",
	    .local = true,
	    .max_args = 1,
	    .synopsis = "help [COMMAND]",
	    .summary = "show this help, or a command's",
	    .help = "Show the list of commands, or one command's help.\n",
	},
};

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

/* The requests' words, "status, start, ... or info", from ctl_cmds[]. */
static void
ctl_cmd_list(char *buf, size_t size)
{
	size_t last = 0, len = 0, n = 0;

	for (size_t c = 0; c < CTL_NCMDS; c++)
		if (!ctl_cmds[c].local)
			last = c;
	buf[0] = '\0';
	for (size_t c = 0; c < CTL_NCMDS && len < size; c++) {
		int k;

		if (ctl_cmds[c].local)
			continue;
		k = snprintf(buf + len, size - len, "%s%s",
			     n == 0      ? ""
			     : c == last ? " or "
					 : ", ",
			     ctl_cmds[c].name);
		if (k < 0)
			break;
		len += (size_t)k;
		n++;
	}
}

/*
 * One option of tail: 1 when it is one (stored; why empty), 1 with why
 * set when its value is bad, 0 when it is no option of tail.
 */
static int
ctl_parse_tail_option(const char *w, struct ctl_request *req, char *why)
{
	char inner[PARSE_WHY];
	int64_t ms;

	why[0] = '\0';
	if (strcmp(w, "--follow") == 0)
		req->follow = true;
	else if (strcmp(w, "--stderr") == 0)
		req->stderr_stream = true;
	else if (strcmp(w, "--previous") == 0)
		req->previous = true;
	else if (strncmp(w, "--lines=", 8) == 0) {
		if (parse_long(w + 8, 0, 1000000, &req->lines, inner) == -1)
			snprintf(why, PARSE_WHY, "--lines: %.200s", inner);
	} else if (strncmp(w, "--since=", 8) == 0) {
		if (parse_duration_ms(w + 8, &ms, inner) == -1)
			snprintf(why, PARSE_WHY, "--since: %.200s", inner);
		req->since_ms = ms;
	} else
		return 0;
	if (why[0] == '\0' && req->follow && req->previous)
		snprintf(why, PARSE_WHY,
			 "--previous and --follow do not go together: the "
			 "previous process writes no more");
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
	char list[160];

	*req = (struct ctl_request){.lines = -1, .since_ms = -1};
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
		ctl_cmd_list(list, sizeof(list));
		snprintf(why, PARSE_WHY, "no command; expected %s", list);
		return -1;
	}
	for (size_t c = 0; c < CTL_NCMDS; c++) {
		if (!ctl_cmds[c].local &&
		    strcmp(words[1], ctl_cmds[c].name) == 0) {
			def = &ctl_cmds[c];
			req->cmd = (enum ctl_cmd)c;
		}
	}
	if (def == NULL) {
		ctl_cmd_list(list, sizeof(list));
		snprintf(why, PARSE_WHY,
			 "unknown command \"%.40s\"; expected %s", words[1],
			 list);
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
		if (req->cmd == CTL_TAIL &&
		    ctl_parse_tail_option(words[i], req, why) != 0) {
			if (why[0] != '\0')
				return -1;
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
	    ((req->cmd == CTL_CANCEL || req->cmd == CTL_TAIL) && nw - i > 1)) {
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
