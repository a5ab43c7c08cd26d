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

#include "base/log.h"
#include "config/config.h"
#include "core/fdbudget.h"
#include "core/steward-events.h"
#include "core/steward.h"
#include "ctl/ctl.h"
#include "ctl/http.h"
#include "daemon/job.h"
#include "daemon/listener.h"
#include "daemon/metrics.h"
#include "daemon/steward-deps.h"
#include "daemon/steward-reload.h"
#include "daemon/upbeat.h"

#define EX_OK 0
#define EX_USAGE 64
#define EX_CONFIG 78

/* After a usage error: the synopsis and where the rest is. */
static const char usage_short[] =
    "usage: stewardd -c FILE [-s SOCKET] [-l EVENT_LOG]\n"
    "       stewardd --check [-c] FILE [--dump-json]\n"
    "stewardd --help says more; see stewardd(8).\n";

static const char usage_text[] =
    "usage: stewardd -c FILE [-s SOCKET] [-l EVENT_LOG]\n"
    "       stewardd --check [-c] FILE [--dump-json]\n"
    "\n"
    "Supervise the wards defined in FILE in the foreground: spawn them,\n"
    "hear their heartbeats, and heal any that dies or stops beating.\n"
    "\n"
    "  -c, --config FILE   run the wards of FILE (steward.ini(5), or a\n"
    "                      supervisord.conf as it is)\n"
    "  -s, --socket PATH   the control socket (overrides [steward] socket)\n"
    "  -l, --event-log PATH  the event log, or - for standard error\n"
    "                      (overrides [steward] event_log)\n"
    "  -n, --check FILE    read FILE (or the -c FILE), print every\n"
    "                      problem, exit 0 if it has no error and 78\n"
    "                      if it has one; nothing runs\n"
    "      --dump-json     with --check: print what was understood of\n"
    "                      FILE (every ward, its processes, argv,\n"
    "                      environment...) as one JSON document\n"
    "  -h, --help          show this help\n"
    "  -V, --version       show the version\n"
    "\n"
    "Signals: TERM or INT stop every ward and exit (a second one kills\n"
    "them at once); HUP re-reads the config and applies the difference\n"
    "(several at once count as one); USR1 reopens the event log and\n"
    "the wards' log files.\n"
    "Events are JSON lines in the event_log of\n"
    "[steward] (default: standard error).  stewardctl(1) talks to the\n"
    "control socket ([steward] socket; default /run/steward.sock for\n"
    "root, $XDG_RUNTIME_DIR/steward.sock otherwise).  A supervisord.conf's\n"
    "[unix_http_server] and [inet_http_server] are served: to\n"
    "supervisorctl(1), and to a browser (the web page at /).\n"
    "\n"
    "Exit codes: 0 stopped cleanly, 1 an essential ward failed,\n"
    "64 bad usage, 71 system error,\n"
    "73 cannot open the event log or listen on the control socket\n"
    "or a supervisord.conf's http server,\n"
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

/* Open the control socket; -1 (said) when stewardd must not start. */
static int
daemon_listen(struct steward *s)
{
	const struct config *cfg = s->cfg;
	char *path =
	    cfg->socket ? xstrdup(cfg->socket) : config_default_socket();
	struct err *e = NULL;

	if (path == NULL) {
		log_warnx("no control socket: [steward] socket is not set and "
			  "XDG_RUNTIME_DIR is not set; stewardctl cannot reach "
			  "this stewardd");
		return 0;
	}
	s->ctl = ctl_open(s, path, cfg->has_group, cfg->group_gid, &e);
	if (s->ctl == NULL) {
		e = ERR_WRAP_P(e, "cannot listen on the control socket %s",
			       path);
		log_err(e);
		free(path);
		return -1;
	}
	free(path);
	if (cfg->unix_http.file != NULL &&
	    (s->http = http_open(s, &cfg->unix_http, &e)) == NULL) {
		e = ERR_WRAP_P(e, "cannot serve [unix_http_server] on %s",
			       cfg->unix_http.file);
		log_err(e);
		ctl_close(s->ctl);
		s->ctl = NULL;
		return -1;
	}
	if (cfg->inet_http.port != NULL &&
	    (s->http_inet = http_open(s, &cfg->inet_http, &e)) == NULL) {
		e = ERR_WRAP_P(e, "cannot serve [inet_http_server] on %s:%s",
			       cfg->inet_http.host, cfg->inet_http.port);
		log_err(e);
		http_close(s->http);
		s->http = NULL;
		ctl_close(s->ctl);
		s->ctl = NULL;
		return -1;
	}
	return 0;
}

/*
 * The daemon assembled: the core (core/steward.h) with what is built on
 * it.  Each module hears the core through the listener list
 * (core/steward-events.h), subscribed here, in this order: a transition
 * is told to job runs and dependencies (group strategies) before the
 * control socket's waits judge it, and upbeat sums up last.
 */
static int
daemon_run(struct config *cfg, rlim_t nofile_soft, bool *reexec)
{
	struct steward st;
	struct steward *s = &st;
	int rc = steward_open(s, cfg, nofile_soft); /* it owns cfg now */

	if (rc != 0)
		return rc;
	if (daemon_listen(s) == -1) {
		steward_abandon(s);
		return 73; /* EX_CANTCREAT */
	}
	steward_subscribe(s, &reload_events, NULL);
	steward_subscribe(s, &listener_events, NULL);
	steward_subscribe(s, &job_events, NULL);
	steward_subscribe(s, &deps_events, NULL);
	steward_subscribe(s, &ctl_events, NULL);
	steward_subscribe(s, &upbeat_events, NULL);
	steward_set_orders(s, &deps_orders);
	if ((rc = steward_prepare(s)) != 0) {
		http_close(s->http_inet);
		http_close(s->http);
		ctl_close(s->ctl);
		steward_abandon(s);
		return rc;
	}
	steward_deps_link(s);
	steward_started(s);
	upbeat_open(s);
	metrics_start(s);
	fdbudget_measure(s); /* what stewardd holds before the wards */
	steward_autostart(s);
	upbeat_update(s);
	listener_supervisor(s, true);

	steward_loop(s); /* until shutdown */

	metrics_stop(s);
	http_close(s->http_inet);
	s->http_inet = NULL;
	http_close(s->http);
	s->http = NULL;
	ctl_close(s->ctl);
	s->ctl = NULL;
	job_teardown(s);
	upbeat_close(s);
	steward_reload_fini(s);
	config_unref(s->reread);
	s->reread = NULL;
	steward_deps_free(s);
	steward_free_wards(s);
	listener_fini(s);
	rc = s->exit_code;
	*reexec = s->reexec;
	steward_close(s);
	return rc;
}

/*
 * supervisord's restart (ctl/xmlrpc-system.c): every ward stopped and
 * every socket closed, execute stewardd again with the same arguments,
 * with the signal mask and RLIMIT_NOFILE it was started with.  Returns
 * only on failure (EX_OSERR).
 */
static int
daemon_reexec(char **argv, rlim_t nofile_soft)
{
	struct rlimit rl;
	sigset_t none;

	if (nofile_soft != RLIM_INFINITY &&
	    getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = nofile_soft;
		if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
			log_warnx("cannot restore RLIMIT_NOFILE to %llu: %s",
				  (unsigned long long)nofile_soft,
				  strerror(errno));
	}
	sigemptyset(&none);
	if (sigprocmask(SIG_SETMASK, &none, NULL) == -1)
		log_warnx("cannot unblock signals before restarting: %s",
			  strerror(errno));
	execv("/proc/self/exe", argv);
	log_warnx("cannot restart stewardd: executing /proc/self/exe: %s "
		  "(exiting)",
		  strerror(errno));
	return 71; /* EX_OSERR */
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"config", required_argument, NULL, 'c'},
	    /* The file may follow (--check FILE) or come from -c. */
	    {"check", optional_argument, NULL, 'n'},
	    {"dump-json", no_argument, NULL, 'J'},
	    {"socket", required_argument, NULL, 's'},
	    {"event-log", required_argument, NULL, 'l'},
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},
	    {NULL, 0, NULL, 0},
	};
	const char *config_path = NULL, *check_path = NULL;
	const char *socket_path = NULL, *event_log = NULL;
	bool check = false, dump_json = false;
	struct config_report rep = {0};
	struct config *c;
	struct rlimit rl;
	rlim_t nofile_soft = RLIM_INFINITY; /* unchanged: nothing to restore */
	bool reexec = false;
	int ch, rc;

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

	while ((ch = getopt_long(argc, argv, "c:n::s:l:hV", longopts, NULL)) !=
	       -1) {
		switch (ch) {
		case 'c':
			config_path = optarg;
			break;
		case 'n':
			check = true;
			if (optarg != NULL)
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
			fputs(usage_short, stderr);
			return EX_USAGE;
		}
	}
	/*
	 * --check FILE, -n FILE: the file is the operand (its option takes
	 * no argument of its own, so that --check -c FILE reads FILE too).
	 * A file named after --check wins over -c's.
	 */
	if (check && check_path == NULL && optind < argc)
		check_path = argv[optind++];
	if (check && check_path == NULL)
		check_path = config_path;
	if (optind != argc) {
		fprintf(stderr, "stewardd: unexpected argument \"%s\"\n%s",
			argv[optind], usage_short);
		return EX_USAGE;
	}
	if (check && check_path == NULL) {
		fprintf(stderr,
			"stewardd: --check needs a FILE: --check FILE or "
			"--check -c FILE\n%s",
			usage_short);
		return EX_USAGE;
	}
	if (dump_json && check_path == NULL) {
		fprintf(stderr,
			"stewardd: --dump-json goes with --check FILE\n%s",
			usage_short);
		return EX_USAGE;
	}
	if (check_path != NULL)
		return dump_json ? config_dump_json(check_path)
				 : config_check(check_path);
	if (config_path == NULL) {
		fprintf(stderr, "stewardd: no config given; use -c FILE\n%s",
			usage_short);
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
	rc = daemon_run(c, nofile_soft, &reexec); /* it owns c now */
	if (reexec)
		return daemon_reexec(argv, nofile_soft);
	return rc;
}
