/*
 * The control protocol between stewardctl and stewardd, version 1.
 *
 * Transport: a unix stream socket ([steward] socket; mode 0600, or 0660
 * with [steward] group).  The peer's credentials are checked when it
 * connects (SO_PEERCRED, SO_PEERGROUPS): root, stewardd's own uid, or a
 * member of the configured group; anyone else receives one error reply
 * (code "refused") and is disconnected.
 *
 * A connection carries any number of requests, one at a time: the client
 * sends a request line and reads exactly one reply line before sending
 * the next.
 *
 * Request: one line of at most CTL_LINE_MAX bytes, newline included:
 *
 *	steward/1 COMMAND [ARG ...]\n
 *
 * Words are separated by single spaces; a word is 1 to CTL_WORD_MAX
 * bytes of printable ASCII (0x21-0x7e); at most CTL_ARGS_MAX args.
 * Options are args that start with "--" and come before the other args.
 * NAME is a ward ("web", every replica of it), an instance ("web:1") or a
 * [group:NAME] (its members); "all" means every ward.  start also starts
 * what the named wards require, and starts each once those are running.
 *
 *	status [NAME ...]             every instance, or the ones named
 *	start [--no-wait] NAME ...    start, wait until running or failed
 *	stop [--no-wait] [--with-dependents] NAME ...
 *	                              stop, wait until it has no process;
 *	                              refused (code dependents) when wards
 *	                              that require it run, unless
 *	                              --with-dependents stops them first
 *	restart [--no-wait] NAME ...  stop then start, wait until running
 *	signal SIG NAME ...           send SIG to the instances' groups
 *	health                        answers at once while the loop runs
 *	reopen                        reopen the logs (as SIGUSR1)
 *	info                          version, pid, paths, uptime
 *	reload                        re-read the config, apply the change
 *	run [--replicas=N] [--timeout=D] JOB [ARG ...]
 *	                              run a [job:NAME]; ARGs are appended to
 *	                              its command, percent-encoded (%20 for a
 *	                              space, %25 for %); a lone % is the
 *	                              empty argument; %00 is refused
 *	cancel RUN                    cancel a run in flight
 *	tail [--follow] [--lines=N] [--stderr] [--previous] [--since=D]
 *	     NAME                     the last lines an instance wrote
 *	                              (NAME: "web:1", or a ward of one
 *	                              instance); --follow: then each new
 *	                              line as it comes
 *
 * Reply: one line, a JSON object, at most 16 MiB, ending in "\n".
 *	{"ok":true, ...}
 *	{"ok":false,"code":"CODE","error":"MESSAGE", ...}
 * MESSAGE is written for people, without the command's own context
 * (the client adds it: "cannot stop ward "web": " + MESSAGE).  CODE is
 * one of: usage, version, no_such_ward, no_such_job, no_such_run,
 * too_long, rate_limited, refused, busy, timeout, shutting_down, failed,
 * cancelled, config, dependents, too_slow, internal.
 *
 * status: {"ok":true,"daemon":{DAEMON},"runs":[{RUN}...],
 *	     "instances":[{INSTANCE}...]}
 *   DAEMON: "pid", "version", "uptime_ms", "config", "event_log",
 *	     "socket", "events_lost", "instances", and the fd budget:
 *	     "fd_limit", "fd_own" (stewardd's own at start), "fd_wards"
 *	     (reserved for the wards), "fd_runs" (held by job runs),
 *	     "connections", "connections_max" (allowed now)
 *   INSTANCE: "ward", "replica", "state", "pid" (0: none),
 *	     "uptime_ms" (since spawn; 0 without a process),
 *	     "since_ms" (in this state), "last_beat_ms" (-1: no beat yet or
 *	     no heartbeat), "heartbeat" (pipe|notify|none), "beats", "work" and
 *	     "status" (null when none), "restarts", "tokens" (fractional),
 *	     "limit" ("5/1m"), "cause" and "reason" (of the last restart,
 *	     stop or failure; null when none), "log_id" (of that reason's
 *	     error, or null); in a cgroup, when the status has at most
 *	     STEWARD_CG_USAGE_MAX instances, "cpu_usec", "procs" and,
 *	     with the memory controller, "memory"
 *   RUN: a job run in flight: "run", "job", "replicas", "live",
 *	     "elapsed_ms", "timeout_ms"
 * start, stop, restart: {"ok":BOOL,"results":[{"ward","replica",
 *	     "ok":BOOL,"state","reason"}...]} with "code":"failed" and an
 *	     "error" when any instance did not reach its goal; with
 *	     --no-wait the results have the state at once and ok true.
 * signal: {"ok":true,"signalled":N} (instances with a process).
 * health: {"ok":true,"uptime_ms":N,"loop":{"iterations","gap_max_ms",
 *	     "gap_recent_max_ms","cpu_gap_max_ms","cpu_gap_recent_max_ms",
 *	     "starts_queued","deaths_queued","gaps":[{"below_ms","n"}...],
 *	     "cpu_gaps":[...]}} (the loop's latency, in wall-clock and in
 *	     the loop thread's CPU time: steward-pace.c)
 * reopen: {"ok":true,"output_files":N} (the ward log files reopened; a
 *	     file that cannot be is an output_reopen_failed record) or an
 *	     error (the event log could not be reopened).
 * info: {"ok":true,"daemon":{DAEMON},"protocol":1}
 * run: TWO reply lines.  First, at once: {"ok":true,"run":ID,"job":NAME,
 *	     "replicas":N,"timeout_ms":N,"state":"started"} (or one error
 *	     line: no_such_job, busy, usage, shutting_down).  Then, when the
 *	     run has its outcome: {"ok":BOOL,"run","job","outcome" (success,
 *	     failed, timeout, cancelled),"duration_ms","cancelled" (replicas
 *	     cancelled),"replica_ends":[TEXT...]} with, on success, "winner",
 *	     "exit_code":0,"output_b64" (the winner's stdout, base64, at most
 *	     output_limit bytes),"output_bytes" (all it wrote),
 *	     "output_limit","output_truncated"; otherwise "code" (failed,
 *	     timeout, cancelled), "error" and "log_id".  Closing the
 *	     connection before the second line cancels the run.
 * cancel: {"ok":true,"run":ID} or code no_such_run.
 * tail: {"ok":true,"ward","replica","stream" (stdout|stderr),"run"
 *	     (current|previous),"generation" (the process's spawn count; 0:
 *	     none yet),"pid","state","missed" (older lines no longer held),
 *	     "other_lines" (the lines the same process's other stream
 *	     holds),"lines":[LINE...]}, the last --lines=N lines (default
 *	     10; 0: none) of those of the last --since=D (default all).  LINE:
 *	     {"seq" (counted over the instance's life),"ts_ms" (when read,
 *	     milliseconds since the epoch),"text" (any byte: NUL as \u0000,
 *	     invalid UTF-8 as the text \xNN), and true flags "cut" (longer
 *	     than tail_size), "split" (the next line continues it),
 *	     "unended" (the process ended before a newline)}.  With
 *	     --follow, more lines follow, one a line: a LINE for each line
 *	     written; {"note":"spawn","generation","pid"} when a new process
 *	     of the instance starts; {"note":"gone"} when a reload removed
 *	     it (the connection closes).  A follower that reads slower than
 *	     the ward writes, CTL_TAIL_QUEUE bytes behind, gets one
 *	     {"ok":false,"code":"too_slow","error",...} line and is closed.
 *	     --previous (the process before the current one) and --follow
 *	     do not go together.
 * reload: {"ok":BOOL,"added":[NAME...],"changed":[...],"removed":[...],
 *	     "resized":[...],"unchanged":N,"problems":["FILE:LINE: ..."...],
 *	     "notes":[TEXT...]}; on an error in the config "code":"config",
 *	     "error" and "problems", and nothing changed.
 *
 * Limits, per connection: a request line longer than CTL_LINE_MAX is
 * refused (code too_long) and the connection closed; no complete request
 * for CTL_IDLE_SECONDS closes it; requests beyond a token bucket of
 * CTL_RATE_BURST, refilled CTL_RATE_BURST per second, get code
 * rate_limited; a reply the client does not read past 32 MiB closes it.
 * At most CTL_CONN_MAX connections at once: one more gets code busy.
 */
#ifndef STEWARD_CTL_PROTO_H
#define STEWARD_CTL_PROTO_H

#include <stdbool.h>
#include <stddef.h>

#define CTL_PROTO "steward/1"
#define CTL_LINE_MAX 4096
#define CTL_WORD_MAX 255
#define CTL_ARGS_MAX 64
#define CTL_IDLE_SECONDS 10
#define CTL_RATE_BURST 50
#define CTL_CONN_MAX 64
#define CTL_REPLY_MAX (16 * 1024 * 1024) /* 40,000 instances of status */
#define CTL_TAIL_QUEUE (256 * 1024)      /* a follower's lines not yet sent */

/*
 * Every command, once: the daemon's (sent as a request) and stewardctl's
 * own (.local: version, check, log, help), in the order stewardctl's
 * help lists them.  ctl_cmds[] below holds one record each; ctl_parse()
 * reads the wire fields, stewardctl its own, and each side binds its
 * handlers by this enum (HACKING.md, "How to add a control command").
 */
enum ctl_cmd {
	CTL_STATUS,
	CTL_START,
	CTL_STOP,
	CTL_RESTART,
	CTL_SIGNAL,
	CTL_HEALTH,
	CTL_REOPEN,
	CTL_RUN,
	CTL_CANCEL,
	CTL_RELOAD,
	CTL_INFO,
	CTL_VERSION,
	CTL_CHECK,
	CTL_LOG,
	CTL_TAIL,
	CTL_HELP,
	CTL_NCMDS
};

/* stewardctl's options, as a command takes them (ctl_cmd_def.opts). */
enum ctl_opt {
	CTL_OPT_JSON = 1 << 0,
	CTL_OPT_NO_WAIT = 1 << 1,
	CTL_OPT_TIMEOUT = 1 << 2,
	CTL_OPT_WARD = 1 << 3,
	CTL_OPT_EVENT = 1 << 4,
	CTL_OPT_SINCE = 1 << 5,
	CTL_OPT_ID = 1 << 6,
	CTL_OPT_FOLLOW = 1 << 7,
	CTL_OPT_FILE = 1 << 8,
	CTL_OPT_REPLICAS = 1 << 9,
	CTL_OPT_WITH_DEPENDENTS = 1 << 10,
	CTL_OPT_LINES = 1 << 11,
	CTL_OPT_STDERR = 1 << 12,
	CTL_OPT_PREVIOUS = 1 << 13,
	CTL_OPT_TIMESTAMPS = 1 << 14,
};

/* One command: its word, its request's shape, stewardctl's side. */
struct ctl_cmd_def {
	const char *name;
	bool local; /* stewardctl's own: never a request; ctl_parse refuses */
	/* The request (ctl_parse()): */
	bool waits;        /* takes --no-wait */
	bool needs_sig;    /* the first arg is a signal */
	size_t min_names;  /* args after the options (and SIG) */
	const char *usage; /* in stewardd's "usage" errors */
	/* stewardctl's command line: */
	unsigned opts;       /* enum ctl_opt */
	size_t min_args;     /* operands */
	size_t max_args;     /* SIZE_MAX: any number */
	const char *missing; /* too few operands; NULL: "give at least
				one NAME, or all" */
	const char *synopsis;
	const char *summary;
	const char *help;
};

extern const struct ctl_cmd_def ctl_cmds[CTL_NCMDS];

struct ctl_request {
	enum ctl_cmd cmd;
	bool no_wait;
	bool with_dependents; /* stop --with-dependents */
	unsigned replicas;    /* run --replicas=N, 0: the job's */
	long long timeout_ms; /* run --timeout=D, 0: the job's */
	bool follow;          /* tail --follow */
	bool stderr_stream;   /* tail --stderr */
	bool previous;        /* tail --previous */
	long lines;           /* tail --lines=N, -1: the default */
	long long since_ms;   /* tail --since=D, -1: all */
	const char *sig;      /* signal: the signal word */
	size_t nargs;         /* NAMEs */
	char *args[CTL_ARGS_MAX];
};

/*
 * Parse one request line (without its newline), splitting it in place.
 * Returns 0, or -1 with *code ("usage", "version") and a message in why
 * (PARSE_WHY bytes).
 */
int ctl_parse(char *line, size_t len, struct ctl_request *req,
	      const char **code, char *why);

/* The command's word ("status", ...). */
const char *ctl_cmd_name(enum ctl_cmd c);

#endif
