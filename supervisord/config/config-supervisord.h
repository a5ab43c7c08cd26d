/*
 * What the files of the supervisord.conf dialect share.  Only
 * config-supervisord*.c include this.
 */
#ifndef STEWARD_CONFIG_SUPERVISORD_H
#define STEWARD_CONFIG_SUPERVISORD_H

#include "config/config-internal.h"

/* The sections of a supervisord.conf (st->dialect_sec). */
enum sv_sec {
	SV_SEC_PROGRAM, /* [program:NAME], [eventlistener:NAME] */
	SV_SEC_INCLUDE, /* [include] */
	SV_SEC_MAIN,    /* [supervisord] */
	SV_SEC_OTHER,   /* the others: warned, ignored (or read by http.c) */
};

enum sv_key {
	SV_COMMAND,
	SV_PROCESS_NAME,
	SV_NUMPROCS,
	SV_NUMPROCS_START,
	SV_DIRECTORY,
	SV_UMASK,
	SV_PRIORITY,
	SV_AUTOSTART,
	SV_AUTORESTART,
	SV_EXITCODES,
	SV_STARTSECS,
	SV_STARTRETRIES,
	SV_STOPSIGNAL,
	SV_STOPWAITSECS,
	SV_STOPASGROUP,
	SV_KILLASGROUP,
	SV_USER,
	SV_REDIRECT_STDERR,
	SV_STDOUT_LOGFILE,
	SV_STDERR_LOGFILE,
	SV_STDOUT_LOGFILE_MAXBYTES,
	SV_STDOUT_LOGFILE_BACKUPS,
	SV_STDERR_LOGFILE_MAXBYTES,
	SV_STDERR_LOGFILE_BACKUPS,
	SV_ENVIRONMENT,
	SV_SERVERURL,
	SV_EVENTS,         /* [eventlistener:NAME] only */
	SV_BUFFER_SIZE,    /* [eventlistener:NAME] only */
	SV_RESULT_HANDLER, /* [eventlistener:NAME] only */
	SV_NKEYS,
};

/* A [program:NAME] being read: supervisord's keys as written. */
/* A steward key of a program whose value waits to be expanded. */
struct sv_later {
	char *key;
	char *value;
	int line;
	const char *file;
};

struct config_program {
	struct sv_later *later; /* expanded and set by config_sv_finish */
	size_t nlater;
	char *raw[SV_NKEYS];
	int line[SV_NKEYS];
	const char *kfile[SV_NKEYS]; /* the file each key is in */
	const char *file;            /* where the section is, for %(here)s */
};

/*
 * What %(...)s may name while expanding a value.  supervisord's names:
 * ENV_X is looked up in the program's own environment= (env2, for the
 * values expanded per process), then [supervisord] environment= (env1),
 * then stewardd's environment, as supervisord extends its expansions.
 */
struct sv_expand {
	const char *program;
	const char *group;
	bool has_num; /* process_num and numprocs: per-process values only */
	long num;
	long numprocs;
	const char *here;
	char host[256];
	char *const *env1;
	size_t n1;
	char *const *env2;
	size_t n2;
};

/* config-supervisord.c */
/* A section of a supervisord.conf; false if name is none of them. */
bool config_sv_section(struct config_state *st, const char *name);
/* A KEY = VALUE in one of those sections. */
void config_sv_key(struct config_state *st, const char *key, const char *value,
		   bool continuation);

/* config-supervisord-expand.c */
/* Expand %(name)s references as Python's % does; NULL with why set. */
char *sv_expand(const struct sv_expand *x, const char *in, char *why);
/* Append supervisord's environment= pairs to env; -1 with why set. */
int sv_environment(const char *v, char ***env, size_t *n, char *why);
/* The directory of a file, absolute, for %(here)s; malloc'd. */
char *sv_here(const char *file);

/* config-supervisord-finish.c */
/* The name of each program key. */
extern const char *const sv_key_names[SV_NKEYS];
/* Turn a [program:NAME]'s keys into its ward, once it is read. */
void config_sv_finish(struct config_state *st, struct config_ward *cw);
/* Checks of the whole file once every section is finished. */
void config_sv_end(struct config_state *st);

#endif
