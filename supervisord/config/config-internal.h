/*
 * What config.c and config-supervisord.c share while reading: the
 * reader's state and the helpers that report problems and build wards.
 * Nothing outside the config reader includes this.
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
#define CONFIG_NSTEWARD_KEYS 7
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
	K_NKEYS,
};

struct config_program; /* config-supervisord.c */

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
	SEC_PROGRAM,    /* supervisord's [program:NAME] */
	SEC_SV_INCLUDE, /* supervisord's [include] */
	SEC_SV_MAIN,    /* supervisord's [supervisord] */
	SEC_SV_OTHER,   /* other supervisord sections: warned, ignored */
	SEC_GROUP,      /* [group:NAME], steward's or supervisord's */
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
	int last_key_line; /* the line of the last KEY = VALUE, for
			      supervisord's continuation lines */
	char *sv_env_raw;  /* [supervisord] environment, for programs */
	int sv_env_line;
	bool sv_env_done; /* sv_env is split and expanded */
	char **sv_env;    /* [supervisord] environment: NAME=value */
	size_t sv_nenv;
	bool include_sv;     /* the include came from [include] files= */
	int sv_include_line; /* the main file's [include] header */
	int sv_other;        /* 1: [unix_http_server], 2: [inet_http_server] */
	char *sv_unix_file;  /* their file= and port=, for
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
	struct nametab group_names;   /* group names -> index in groups */
	struct config_lookup *lookup; /* the last command found on PATH */
	int steward_line;             /* first [steward] line */
	int steward_key_line[CONFIG_NSTEWARD_KEYS];
};

void config_problem(struct config_state *st, enum config_severity sev, int line,
		    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void config_bad(struct config_state *st, const char *section, const char *key,
		const char *value, const char *why);
void config_unknown_key(struct config_state *st, const char *section,
			const char *key, const char *const *known,
			size_t nknown);
bool config_name_ok(const char *s);
struct config_ward *config_ward_begin(struct config_state *st,
				      const char *name);
void config_ward_key(struct config_state *st, const char *section,
		     const char *key, const char *value);
int config_output(const char *v, struct config_output *o, bool is_stderr,
		  char *why);
char *config_path_from(const struct config_state *st, const char *p);
void config_env_set(char ***env, size_t *n, const char *word);
char **config_vec_dup(char *const *v, size_t n);
int config_strict(int fd, char *why, size_t len);
int config_open(const char *path, bool *wrong_kind, char *why, size_t len);

/* config.c: a key of a [group:NAME] section. */
void config_group_key(struct config_state *st, const char *key,
		      const char *value);

/* config-supervisord.c */
/* A section of a supervisord.conf; false if name is none of them. */
bool config_sv_section(struct config_state *st, const char *name);
/* A KEY = VALUE in one of those sections. */
void config_sv_key(struct config_state *st, const char *key, const char *value,
		   bool continuation);
/* Turn a [program:NAME]'s keys into its ward, once it is read. */
void config_sv_finish(struct config_state *st, struct config_ward *cw);
void config_sv_free(struct config_program *p);
/* Checks of the whole file once every section is finished. */
void config_sv_end(struct config_state *st);

#endif
