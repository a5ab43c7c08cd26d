/*
 * What the files of the config reader share: the reader's state, the
 * helpers each file offers the others, and the table through which a
 * dialect (supervisord.conf) plugs into the reader.  Nothing outside
 * supervisord/config/ includes this.
 *
 * The files, from the bottom up: a file calls only files above it in
 * this list; the reader calls the dialect only through its table.
 *
 *   config-report.c      problems, their wording (file:line) and order
 *   config-keys.c        the key tables and the check of each value
 *   config-reader.c      the line reader that drives inih; the files
 *   config-env.c         environment_file=, then environment= over it
 *   config-links.c       requires, after, group members
 *   config-ward.c        a ward as a whole: identity, command, outputs
 *   config-diff.c        what a reload changes
 *   config-supervisord*.c  the supervisord.conf dialect (its own header,
 *                        config-supervisord.h), plugged in through
 *                        struct config_dialect
 *   config.c             config_load(): the above, in order
 */
#ifndef STEWARD_CONFIG_INTERNAL_H
#define STEWARD_CONFIG_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "config/config.h"
#include "base/err.h"
#include "base/nametab.h"

#define CONFIG_MAX_BYTES (16 * 1024 * 1024)
#define CONFIG_NAME_MAX 64
#define CONFIG_REPLICAS_MAX 100000
/* inih's sentinel for "the rest of this line is in the original". */
#define CONFIG_LONG_MARK "\001"
#define CONFIG_BAD_SECTION "\001bad"

enum config_key {
	K_COMMAND,
	K_REPLICAS,
	K_HEARTBEAT,
	K_HEARTBEAT_TIMEOUT,
	K_START_TIMEOUT,
	K_RESTART,
	K_BACKOFF,
	K_RESTART_LIMIT,
	K_STOP_SIGNAL,
	K_STOP_TIMEOUT,
	K_USER,
	K_GROUP,
	K_DIRECTORY,
	K_ENVIRONMENT,
	K_STDOUT,
	K_STDERR,
	K_AUTOSTART,
	K_ENVIRONMENT_FILE,
	K_TIMEOUT,        /* [job:NAME] only */
	K_OUTPUT_LIMIT,   /* [job:NAME] only */
	K_MAX_CONCURRENT, /* [job:NAME] only */
	K_REQUIRES,
	K_AFTER,
	K_ESSENTIAL,
	K_PRIORITY,
	K_MEMORY_MAX,
	K_MEMORY_HIGH,
	K_PIDS_MAX,
	K_CPU_WEIGHT,
	K_CPU_MAX,
	K_MEMORY_RESTART,
	K_CGROUP_CONTROLLERS,
	K_TAIL_LINES,
	K_TAIL_SIZE,
	K_OUTPUT,
	K_OUTPUT_PREFIX,
	K_OUTPUT_TIMESTAMPS,
	K_STDOUT_MAX_SIZE,
	K_STDOUT_BACKUPS,
	K_STDERR_MAX_SIZE,
	K_STDERR_BACKUPS,
	K_NKEYS,
};

/* The keys of [steward]. */
enum config_steward_key {
	SK_SOCKET,
	SK_EVENT_LOG,
	SK_INCLUDE,
	SK_GROUP,
	SK_METRICS_FILE,
	SK_METRICS_INTERVAL,
	SK_CGROUPS,
	SK_LOG_DIR,
	SK_NKEYS,
};

struct config_program; /* the dialect's keys of a ward */

/* A [group:NAME] being read. */
struct config_group {
	struct group_spec spec;
	int line_members; /* where wards= or programs= is */
	int line_strategy;
	int line_limit;
	int line_essential;
	int line_priority; /* supervisord's priority of the group */
	long priority;
};

/* A ward section being read: the spec plus where each key was set. */
struct config_ward {
	struct ward_spec spec;
	int key_line[K_NKEYS];       /* 0: not set */
	bool bad[K_NKEYS];           /* set, but its value was refused */
	struct config_program *prog; /* [program:NAME]: supervisord's keys */
};

enum config_sec {
	SEC_NONE,
	SEC_STEWARD,
	SEC_WARD,
	SEC_JOB,
	SEC_DIALECT, /* the dialect's: st->dialect_sec says which */
	SEC_GROUP,   /* [group:NAME], steward's or supervisord's */
	SEC_BAD,
};

struct config_state {
	const char *path; /* the file being read */
	int file;         /* its index in reading order */
	const char *dir;  /* the main file's directory, for relative paths */
	char *include;    /* [steward] include, as written */
	int include_line;
	/* the file, and the reader's position in it */
	char *text;
	size_t len;
	size_t pos;
	int lineno;
	const char *raw; /* the current line as written */
	size_t rawlen;
	bool raw_long;         /* handed to inih by reference */
	bool raw_continuation; /* a supervisord continuation line */
	struct config_report *rep;
	struct config *cfg;
	/* sections */
	struct config_ward *wards;
	size_t nwards;
	size_t cap;
	struct nametab names;    /* ward and job names -> index in wards */
	struct config_ward *cur; /* the ward section being read */
	enum config_sec sec;
	int dialect_sec;   /* SEC_DIALECT: the dialect's own number of it */
	int last_key_line; /* the line of the last KEY = VALUE, for
			      supervisord's continuation lines */
	char *sv_env_raw;  /* [supervisord] environment, for programs */
	int sv_env_line;
	bool sv_env_done; /* sv_env is split and expanded */
	char **sv_env;    /* [supervisord] environment: NAME=value */
	size_t sv_nenv;
	bool include_sv;      /* the include came from [include] files= */
	int sv_include_line;  /* the main file's [include] header */
	int sv_other;         /* 1: [unix_http_server], 2: [inet_http_server] */
	char *sv_childlogdir; /* [supervisord] childlogdir, expanded */
	char *sv_unix_file;   /* their file= and port=, for
				 SUPERVISOR_SERVER_URL */
	char *sv_inet_port;
	const char *sv_server_file;
	struct nametab sv_members; /* group members -> index in groups */
	bool sv_members_done;
	const char *sv_here_file; /* %(here)s and the host, per file */
	char *sv_here_dir;
	char sv_host[256];
	struct config_group *groups; /* [group:NAME] being read */
	size_t ngroups;
	size_t cur_group; /* the [group:NAME] whose keys are being read */
	struct nametab group_names; /* group names -> index in groups */
	const struct config_dialect *dialect;
	struct config_lookup *lookup; /* the last command found on PATH */
	int steward_line;             /* first [steward] line */
	int steward_key_line[SK_NKEYS];
};

struct config_state;

/*
 * A dialect of the config file: sections the reader does not know are
 * offered to it, and it takes part in finishing each ward and the
 * whole.  config_load() picks the dialect; the reader calls it only
 * through this table.
 */
struct config_dialect {
	const char *name;
	/* A section header: true if it is the dialect's (it then sets
	 * st->sec, to SEC_DIALECT or SEC_BAD, and st->cur), else false. */
	bool (*section)(struct config_state *st, const char *name);
	/* A KEY = VALUE in one of its sections; continuation: the line
	 * is an indented continuation of the previous key's value. */
	void (*key)(struct config_state *st, const char *key, const char *value,
		    bool continuation);
	/* A ward of the dialect (cw->prog set) is read: make its spec. */
	void (*finish)(struct config_state *st, struct config_ward *cw);
	/* Every file is read and every ward finished: checks of the whole. */
	void (*end)(struct config_state *st);
	/* Free what the dialect keeps in st and in its wards. */
	void (*free)(struct config_state *st);
};

/* config-report.c */
/* Record one problem, formatted, with its severity. */
void config_problem(struct config_state *st, enum config_severity sev, int line,
		    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Report a bad value of a key in the current section. */
void config_bad(struct config_state *st, const char *section, const char *key,
		const char *value, const char *why);
/* Warn about an unknown key, suggesting the nearest known one. */
void config_unknown_key(struct config_state *st, const char *section,
			const char *key, const char *const *known,
			size_t nknown);
/* Put the problems in file order (stable: same line keeps its order). */
void config_sort(struct config_report *rep);

/* config-keys.c */
/* The name of each key of a ward or job section. */
extern const char *const config_key_names[K_NKEYS];
/* Is s a ward, job or group name: 1 to CONFIG_NAME_MAX of [A-Za-z0-9_.-]? */
bool config_name_ok(const char *s);
/* Refuse a name stewardctl gives a meaning ("all", "-..."). */
void config_name_reserved(struct config_state *st, const char *name);
/* Start a ward section named name; NULL if the name is taken. */
struct config_ward *config_ward_begin(struct config_state *st,
				      const char *name);
/* A key of a [ward:NAME] or [job:NAME] section. */
void config_ward_key(struct config_state *st, const char *section,
		     const char *key, const char *value);
/* A key in the [steward] section. */
void config_steward_key(struct config_state *st, const char *key,
			const char *value);
/* A key of a [group:NAME] section. */
void config_group_key(struct config_state *st, const char *key,
		      const char *value);
/* Parse stdout= or stderr=; -1 with why set. */
int config_output(const char *v, struct config_output *o, bool is_stderr,
		  char *why);
/* Parse environment = NAME=value ... into the spec; -1 with why set. */
int config_environment(const char *v, struct ward_spec *w, char *why);
/* A copy of n strings in one allocation (free with parse_split_free()). */
char **config_vec_dup(char *const *v, size_t n);

/* config-env.c */
/* Set NAME=value in a NULL-terminated environment vector, replacing. */
void config_env_set(char ***env, size_t *n, const char *word);
/* environment_file= first, then environment= over it. */
void config_ward_env(struct config_state *st, struct config_ward *cw);

/* config-reader.c */
/* Read and parse one file into the state (the main one or an include). */
void config_parse_file(struct config_state *st, const char *path);
/* Read every file [steward] include names, in sorted order. */
void config_includes(struct config_state *st, const char *main_path);
/* A path as written in the config: relative ones from its directory. */
char *config_path_from(const struct config_state *st, const char *p);
/* As root, refuse a file others than root may change; -1 with why. */
int config_strict(int fd, char *why, size_t len);
/* Open a config file for reading, checked; -1 with why set. */
int config_open(const char *path, bool *wrong_kind, char *why, size_t len);
/* What a file is, for "is a FIFO, not a regular file". */
const char *config_file_kind(mode_t mode);

/* config-links.c */
/* A ward (or job) and a group may not share a name. */
void config_check_names(struct config_state *st);
/* Check requires, after and group members: names, cycles, one group. */
void config_check_links(struct config_state *st);

/* config-ward.c */
/* Check a ward as a whole, once all its keys are read. */
void config_ward_finish(struct config_state *st, struct config_ward *cw);
/* Check that the ward's command names a program its user can run. */
void config_ward_command(struct config_state *st, struct config_ward *cw);
/* Check where each instance's output goes. */
void config_ward_outputs(struct config_state *st, struct config_ward *cw);
/* Free the remembered PATH lookup. */
void config_lookup_free(struct config_lookup *l);

/* config-supervisord.c: the supervisord.conf dialect. */
extern const struct config_dialect config_sv_dialect;

#endif
