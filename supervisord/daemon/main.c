/*
 * stewardd: the process supervisor daemon.  Parses the command line,
 * loads the config (or only checks it), and runs the steward in the
 * foreground.  Exit codes follow sysexits(3).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "config/config.h"
#include "base/log.h"
#include "core/steward.h"

#define EX_OK 0
#define EX_USAGE 64
#define EX_CONFIG 78

static const char usage_text[] =
    "usage: stewardd -c FILE [-s SOCKET] [-l EVENT_LOG]\n"
    "       stewardd --check FILE [--dump-json]\n"
    "\n"
    "Supervise the wards defined in FILE in the foreground: spawn them,\n"
    "hear their heartbeats, and heal any that dies or stops beating.\n"
    "\n"
    "  -c, --config FILE   run the wards of FILE (steward.ini(5), or a\n"
    "                      supervisord.conf as it is)\n"
    "  -s, --socket PATH   the control socket (overrides [steward] socket)\n"
    "  -l, --event-log PATH  the event log, or - for standard error\n"
    "                      (overrides [steward] event_log)\n"
    "  -n, --check FILE    read FILE, print every problem, exit 0 if\n"
    "                      it has no error and 78 if it has one\n"
    "      --dump-json     with --check: print what was understood of\n"
    "                      FILE (every ward, its processes, argv,\n"
    "                      environment...) as one JSON document\n"
    "  -h, --help          show this help\n"
    "  -V, --version       show the version\n"
    "\n"
    "Signals: TERM or INT stop every ward and exit (a second one kills\n"
    "them at once); HUP re-reads the config and applies the difference\n"
    "(several at once count as one); USR1 reopens the event log.\n"
    "Events are JSON lines in the event_log of\n"
    "[steward] (default: standard error).  stewardctl(1) talks to the\n"
    "control socket ([steward] socket; default /run/steward.sock for\n"
    "root, $XDG_RUNTIME_DIR/steward.sock otherwise).\n"
    "\n"
    "Exit codes: 0 stopped cleanly, 1 an essential ward failed,\n"
    "64 bad usage, 71 system error,\n"
    "73 cannot open the event log or listen on the control socket,\n"
    "78 bad config.\n"
    "See stewardd(8) and steward.ini(5).\n";

/* Print every problem of a load; return how many were errors. */
static size_t
print_report(const struct config_report *rep)
{
	for (size_t i = 0; i < rep->n; i++)
		fprintf(stderr, "%s\n", rep->v[i].msg);
	return rep->errors;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"config", required_argument, NULL, 'c'},
	    {"check", required_argument, NULL, 'n'},
	    {"dump-json", no_argument, NULL, 'J'},
	    {"socket", required_argument, NULL, 's'},
	    {"event-log", required_argument, NULL, 'l'},
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},
	    {NULL, 0, NULL, 0},
	};
	const char *config_path = NULL, *check_path = NULL;
	const char *socket_path = NULL, *event_log = NULL;
	bool dump_json = false;
	struct config_report rep = {0};
	struct config *c;
	struct rlimit rl;
	rlim_t nofile_soft = RLIM_INFINITY; /* unchanged: nothing to restore */
	int ch;

	/*
	 * fds 0-2 must be open, or the loop's own fds would take their
	 * numbers and "-" would write into epoll.  A reader that goes away
	 * gives EPIPE, not death (wards get their signals reset to default).
	 */
	for (int fd = 0; fd < 3; fd++) {
		if (fcntl(fd, F_GETFD) == -1 &&
		    open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY) == -1)
			return 71; /* EX_OSERR: no /dev/null */
	}
	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
		return 71;

	while ((ch = getopt_long(argc, argv, "c:n:s:l:hV", longopts, NULL)) !=
	       -1) {
		switch (ch) {
		case 'c':
			config_path = optarg;
			break;
		case 'n':
			check_path = optarg;
			break;
		case 'J':
			dump_json = true;
			break;
		case 's':
			if (optarg[0] != '/') {
				fprintf(stderr,
					"stewardd: -s %s: expected an "
					"absolute path\n",
					optarg);
				return EX_USAGE;
			}
			socket_path = optarg;
			break;
		case 'l':
			if (optarg[0] != '/' && strcmp(optarg, "-") != 0) {
				fprintf(stderr,
					"stewardd: -l %s: expected an "
					"absolute path or -\n",
					optarg);
				return EX_USAGE;
			}
			event_log = optarg;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return EX_OK;
		case 'V':
			printf("stewardd %s\n", STEWARD_VERSION);
			return EX_OK;
		default:
			fputs(usage_text, stderr);
			return EX_USAGE;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "stewardd: unexpected argument \"%s\"\n%s",
			argv[optind], usage_text);
		return EX_USAGE;
	}
	if (dump_json && check_path == NULL) {
		fprintf(stderr,
			"stewardd: --dump-json goes with --check FILE\n%s",
			usage_text);
		return EX_USAGE;
	}
	if (check_path != NULL)
		return dump_json ? config_dump_json(check_path)
				 : config_check(check_path);
	if (config_path == NULL) {
		fprintf(stderr, "stewardd: no config given; use -c FILE\n%s",
			usage_text);
		return EX_USAGE;
	}

	log_init();
	/* Each ward holds an fd: take all the machine allows (see config.c). */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		nofile_soft = rl.rlim_cur;
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
			log_warnx("cannot raise RLIMIT_NOFILE to %llu: %s",
				  (unsigned long long)rl.rlim_max,
				  strerror(errno));
	}
	c = config_load(config_path, &rep);
	if (print_report(&rep) > 0 || c == NULL) {
		fprintf(stderr, "stewardd: %s has %zu error%s; not starting\n",
			config_path, rep.errors, rep.errors == 1 ? "" : "s");
		config_report_free(&rep);
		return EX_CONFIG;
	}
	config_report_free(&rep);
	/* The command line wins over [steward], also on reload. */
	c->socket_override = socket_path;
	c->event_log_override = event_log;
	if (socket_path != NULL) {
		free(c->socket);
		c->socket = xstrdup(socket_path);
	}
	if (event_log != NULL) {
		free(c->event_log);
		c->event_log = xstrdup(event_log);
	}
	return steward_run(c, nofile_soft); /* it owns c now */
}
