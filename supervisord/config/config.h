/*
 * Reading steward.ini: the [steward] section and [ward:NAME] sections.
 *
 * config_load() reads one file completely, validates every value, and
 * reports every problem it finds (not only the first), each naming
 * file:line, the section, the key, the value and what would be accepted.
 * A config with any error is not used: the caller keeps what it had.
 *
 * inih does the INI grammar; a reader in config-reader.c feeds it one
 * line at a time so that Debian's fixed 200-byte line buffer can never
 * cut a line: a long value is handed over by reference, and lines inih
 * would join or misread (continuations, lines without "=") are errors
 * here.
 */
#ifndef STEWARD_CONFIG_H
#define STEWARD_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/cgroup.h"
#include "base/parse.h"
#include "core/ward.h"

enum config_out {
	CONFIG_OUT_INHERIT,
	CONFIG_OUT_NULL,
	CONFIG_OUT_FILE,
	CONFIG_OUT_STDOUT
};

/* tail_lines and tail_size: their defaults and tail_size's bound. */
#define CONFIG_TAIL_LINES 1000
#define CONFIG_TAIL_SIZE (64 * 1024)
#define CONFIG_TAIL_SIZE_MAX (1024 * 1024)

/* A log file's rotation by default (supervisord's 50MB and 10), and the
 * most backups kept. */
#define CONFIG_LOG_MAX_SIZE (UINT64_C(50) << 20)
#define CONFIG_LOG_BACKUPS 10
#define CONFIG_LOG_BACKUPS_MAX 1000

/* Where a ward's stdout or stderr goes. */
struct config_output {
	enum config_out kind;
	char *path;        /* CONFIG_OUT_FILE */
	uint64_t max_size; /* a file stewardd writes: rotated above; 0 never */
	unsigned backups;  /* rotated files kept: PATH.1 (newest) ... */
	bool auto_dir;     /* supervisord's AUTO: its directory is made */
};

/*
 * What differs between the instances of a supervisord [program:NAME]
 * with numprocs > 1: its values with %(process_num)d expanded.
 */
struct ward_proc {
	char *name; /* process_name */
	char **argv;
	size_t argc;
	char *directory;
	struct config_output out;
	struct config_output err;
	char **env; /* the whole environment= of this process */
	size_t nenv;
};

/* One [ward:NAME] (or [program:NAME]) section, validated. */
struct ward_spec {
	char *name;
	char *file; /* where the section starts */
	int line;
	char *command; /* as written */
	char **argv;   /* split like a shell */
	size_t argc;
	unsigned replicas;
	struct ward_policy pol;
	int64_t heartbeat_timeout_ms;
	int64_t start_timeout_ms;
	int64_t stop_timeout_ms;
	int64_t backoff_min_ms;
	int64_t backoff_max_ms;
	struct parse_rate limit;
	int stop_signal;
	bool autostart;
	bool has_user;  /* user= given: drop to uid/gid/groups */
	bool has_group; /* group= given */
	char *user;
	char *group;
	uid_t uid;
	gid_t gid;
	gid_t *groups; /* supplementary groups of user, or only gid */
	int ngroups;
	char *home; /* the user's home, for HOME */
	char *directory;
	char **env; /* "NAME=value": environment_file=, then environment= */
	size_t nenv;
	char *env_files; /* environment_file as written, or NULL */
	struct config_output out;
	struct config_output err;
	int priority;    /* start ascending, stop descending (999) */
	int umask;       /* -1: inherit stewardd's */
	bool stop_group; /* stop_signal to the group, not the main process */
	bool kill_group; /* SIGKILL at stop_timeout to the group */
	struct ward_proc *procs; /* [program:NAME]: per instance, or NULL */
	const char *kind;        /* "ward", "program" or "job" */
	/* dependencies: names of wards (validated to exist, no cycle) */
	char **requires; /* started (ready) before it, pulled in */
	size_t nrequires;
	char **after; /* started before it if they start too */
	size_t nafter;
	bool essential; /* failed: stewardd stops everything and exits */
	/* [eventlistener:NAME]: the events it takes (listener-proto.h's
	 * bits; 0: no listener) and its pool's buffer_size */
	uint32_t listen_events;
	unsigned buffer_size;
	/* [job:NAME] */
	bool is_job;
	int64_t timeout_ms;
	uint64_t output_limit;
	unsigned max_concurrent;
	/* cgroup limits (steward-cgroup.c) */
	struct cgroup_limits limits;
	/* the last lines kept in memory per stream (core/tail.c) */
	size_t tail_lines;
	uint64_t tail_size;
	/* output = direct: the child writes its files itself, stewardd
	 * reads no pipe (core/ward-output.c) */
	bool output_direct;
	bool output_prefix;     /* lines written as "web:0 | line" */
	bool output_timestamps; /* lines written after their time */
};

enum group_strategy {
	GROUP_ONE_FOR_ONE,
	GROUP_ONE_FOR_ALL,
	GROUP_REST_FOR_ONE
};

/* A [group:NAME]: wards healed together (OTP's strategies). */
struct group_spec {
	char *name;
	char *file;
	int line;
	char **members; /* ward names, in order */
	size_t nmembers;
	enum group_strategy strategy;
	bool has_limit;
	struct parse_rate limit; /* the group's own restart bucket */
	bool essential;
};

/* [steward] cgroups: track each instance in a cgroup of its own. */
enum config_cgroups {
	CONFIG_CGROUPS_AUTO,     /* where a cgroup v2 tree is writable */
	CONFIG_CGROUPS_OFF,      /* never */
	CONFIG_CGROUPS_REQUIRED, /* or refuse to start */
};

/*
 * [unix_http_server] or [inet_http_server] of a supervisord.conf: where
 * http.c serves.
 */
struct http_spec {
	char *file;     /* the socket, or NULL: not served */
	char *host;     /* [inet_http_server]: "" for every address */
	char *port;     /* [inet_http_server]: the port, or NULL */
	mode_t mode;    /* chmod (supervisord's default 0700) */
	uid_t uid;      /* chown, or (uid_t)-1 */
	gid_t gid;      /* chown's group, or (gid_t)-1 */
	char *username; /* both or neither */
	char *password;
};

struct config {
	unsigned refs; /* config_ref/config_unref; 1 when loaded */
	char *path;
	char *socket; /* NULL: config_default_socket() */
	/* stewardd -s and -l: kept across reloads (not owned) */
	const char *socket_override;
	const char *event_log_override;
	char *event_log;
	char **files; /* every file read: path, then includes, sorted */
	size_t nfiles;
	bool has_group; /* [steward] group: who else may steer */
	gid_t group_gid;
	char *group;
	char *log_dir; /* [steward] log_dir: supervisord's AUTO logs, or NULL */
	char *metrics_file;          /* Prometheus textfile, or NULL: none */
	int64_t metrics_interval_ms; /* how often it is rewritten */
	enum config_cgroups cgroups;
	struct ward_spec *wards;
	size_t nwards;
	struct ward_spec *jobs; /* [job:NAME]: run on request */
	size_t njobs;
	struct group_spec *groups;
	size_t ngroups;
	struct http_spec unix_http; /* [unix_http_server] */
	struct http_spec inet_http; /* [inet_http_server] */
};

enum config_severity { CONFIG_WARNING, CONFIG_ERROR };

struct config_problem {
	enum config_severity severity;
	int file;  /* index of the file in reading order (for sorting) */
	int line;  /* 0: the file as a whole */
	char *msg; /* "file:line: [section] key = "value": why" */
};

/* Every problem found while loading, in file order. */
struct config_report {
	struct config_problem *v;
	size_t n;
	size_t errors;
	size_t warnings;
};

/*
 * Read and validate path.  Returns the config (with warnings in rep) when
 * there is no error; NULL when there is at least one (all in rep).
 */
struct config *config_load(const char *path, struct config_report *rep);

void config_free(struct config *c);

/* Reference counting: a running steward keeps the config its wards'
 * specs point into until no ward uses it. */
struct config *config_ref(struct config *c);
void config_unref(struct config *c);

/*
 * True when two definitions of a ward would run the same processes the
 * same way: every key but replicas (and where they were written) equal.
 */
bool config_ward_same(const struct ward_spec *a, const struct ward_spec *b);
void config_report_free(struct config_report *rep);

/*
 * Check a file as stewardd --check and stewardctl check do: every problem
 * on stderr, a summary line, and the exit code (0, or 78 on an error).
 */
int config_check(const char *path);

/*
 * stewardd --check --dump-json: what was understood of the file, as one
 * JSON document on stdout (config-dump.c); 0, or 78 on an error.
 */
int config_dump_json(const char *path);

/*
 * The control socket when [steward] socket is not set: /run/steward.sock
 * for root, $XDG_RUNTIME_DIR/steward.sock otherwise (NULL when that is
 * unset).  Malloc'd.
 */
char *config_default_socket(void);

/* The ward with this name, or NULL. */
const struct ward_spec *config_ward(const struct config *c, const char *name);

/* The job with this name, or NULL. */
const struct ward_spec *config_job(const struct config *c, const char *name);

#endif
