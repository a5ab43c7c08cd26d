/*
 * What stewardctl's files share: the context and arguments every
 * command gets, a reply, and the functions one file offers the others.
 * Each file's functions carry its name as their prefix
 * (stewardctl-log.c: stewardctl_log_*); stewardctl.c holds main(), the
 * handlers bound to the commands of ctl_cmds[] (ctl-proto.c, where
 * each command's options, operands and help are), the option parser and
 * the small helpers.
 */
#ifndef STEWARD_STEWARDCTL_H
#define STEWARD_STEWARDCTL_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/ctl-proto.h"
#include "base/err.h"
#include "cli/json-read.h"

struct config;

#ifndef STEWARD_VERSION
#define STEWARD_VERSION "0.1.0"
#endif

#define CTL_EX_FAILED 1 /* an instance did not reach its goal */
#define CTL_TIMEOUT_MS 5000
#define CTL_HEALTH_TIMEOUT_MS 2000
#define CTL_ALIVE_EVERY_MS 5000
#define CTL_ALIVE_TIMEOUT_MS 5000
#define CTL_FOLLOW_MS 200
#define CTL_LOG_LINE_MAX (4 * 1024 * 1024)
#define CTL_NAME_WIDTH_MAX 24
/* The status table's columns after NAME: STATE 8, PID 7, UPTIME 6,
 * BEAT 5, RESTARTS 8, TOKENS 7, each after two spaces, and two more. */
#define CTL_STATUS_FIXED (2 + 8 + 2 + 7 + 2 + 6 + 2 + 5 + 2 + 8 + 2 + 7 + 2)
/* With cgroups: CPU 6 and PROCS 5 after TOKENS. */
#define CTL_STATUS_USAGE (2 + 6 + 2 + 5)

#define CTL_RED "\033[31m"
#define CTL_GREEN "\033[32m"
#define CTL_YELLOW "\033[33m"
#define CTL_BOLD "\033[1m"
#define CTL_RESET "\033[0m"

/* What every command may need: the daemon's address and the output. */
struct stewardctl_ctx {
	const char *sock_opt;   /* -s PATH */
	const char *config_opt; /* -c FILE */
	struct config *cfg;     /* -c FILE, loaded when first needed */
	char *sock;             /* the socket chosen ... */
	char *sock_how;         /* ... and how it was chosen */
	bool color;             /* stdout is a terminal, colour allowed */
	int width;              /* stdout's columns; 0 when not a terminal */
};

/* The options and operands of one command. */
struct stewardctl_args {
	bool json, no_wait, follow;
	long replicas; /* run --replicas, 0: the job's */
	bool with_dependents;
	int64_t timeout_ms; /* -1: the command's default */
	char **wards, **events;
	size_t nwards, nevents;
	bool has_since, has_id;
	int64_t since_ms;
	int64_t id;
	const char *file;
	long lines; /* tail -n N, -1: the default */
	bool stderr_stream, previous, timestamps; /* tail */
	char **names;                             /* operands */
	size_t nnames;
};

/* One stewardd reply: the line (without its newline) and its tree. */
struct stewardctl_reply {
	char *line;
	size_t len;
	json_t *doc;
};

/* stewardctl.c: small helpers shared by the commands */
void stewardctl_cell(const struct stewardctl_ctx *c, const char *s,
		     size_t width, bool right, const char *color);
char *stewardctl_clean(const char *s, size_t cols);
void stewardctl_close(int fd);
const char *stewardctl_color(const char *word);
size_t stewardctl_cols(const char *s);
void stewardctl_eprint(const char *prefix, const char *s);
int stewardctl_fail(int rc, struct err *e, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void stewardctl_human_ms(int64_t ms, bool tenths, char *buf, size_t len);
int64_t stewardctl_int(const json_t *obj, const char *key, int64_t def);
char *stewardctl_label(const json_t *obj);
int stewardctl_left(int64_t deadline);
int64_t stewardctl_now_ms(void);
int64_t stewardctl_now_us(void);
int stewardctl_usage(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int64_t stewardctl_wall_ms(void);
char *stewardctl_what(char **names, size_t n);

/* stewardctl-client.c: finding stewardd, requests and replies */
int stewardctl_client_ask(struct stewardctl_ctx *c, const char *cmd,
			  char *const *words, size_t n,
			  const struct stewardctl_args *a, int64_t timeout_ms,
			  bool keep_alive, struct stewardctl_reply *r,
			  const char *what);
int stewardctl_client_call(struct stewardctl_ctx *c, const char *cmd,
			   char *const *words, size_t n, int64_t timeout_ms,
			   bool keep_alive, struct stewardctl_reply *r,
			   struct err **errp);
int stewardctl_client_connect(struct stewardctl_ctx *c, int64_t deadline,
			      int *fdp, struct err **errp);
int stewardctl_client_open(struct stewardctl_ctx *c, const char *cmd,
			   char *const *words, size_t n, int64_t deadline,
			   int *fdp, struct err **errp);
int stewardctl_client_load_config(struct stewardctl_ctx *c, struct err **errp);
void stewardctl_client_print_raw(const struct stewardctl_reply *r);
void stewardctl_client_reply_free(struct stewardctl_reply *r);
int stewardctl_client_reply_status(const struct stewardctl_reply *r,
				   struct err **errp);
int stewardctl_client_request_line(struct sbuf *b, const char *cmd,
				   char *const *words, size_t n,
				   struct err **errp);
int stewardctl_client_send(int fd, const char *s, size_t n, int64_t deadline,
			   struct err **errp);

/* stewardctl-status.c: status, info, version, check */
int stewardctl_status_check(struct stewardctl_ctx *c,
			    const struct ctl_cmd_def *cmd,
			    struct stewardctl_args *a);
int stewardctl_status_info(struct stewardctl_ctx *c,
			   const struct ctl_cmd_def *cmd,
			   struct stewardctl_args *a);
int stewardctl_status_cmd(struct stewardctl_ctx *c,
			  const struct ctl_cmd_def *cmd,
			  struct stewardctl_args *a);
int stewardctl_status_version(struct stewardctl_ctx *c,
			      const struct ctl_cmd_def *cmd,
			      struct stewardctl_args *a);
char *stewardctl_status_number_text(const json_t *m);

/* stewardctl-steer.c: start, stop, restart, signal, health, reopen, reload */
int stewardctl_steer_health(struct stewardctl_ctx *c,
			    const struct ctl_cmd_def *cmd,
			    struct stewardctl_args *a);
int stewardctl_steer_reload(struct stewardctl_ctx *c,
			    const struct ctl_cmd_def *cmd,
			    struct stewardctl_args *a);
int stewardctl_steer_reopen(struct stewardctl_ctx *c,
			    const struct ctl_cmd_def *cmd,
			    struct stewardctl_args *a);
int stewardctl_steer_signal(struct stewardctl_ctx *c,
			    const struct ctl_cmd_def *cmd,
			    struct stewardctl_args *a);
int stewardctl_steer_cmd(struct stewardctl_ctx *c,
			 const struct ctl_cmd_def *cmd,
			 struct stewardctl_args *a);

/* stewardctl-run.c: run, cancel */
int stewardctl_run_cancel(struct stewardctl_ctx *c,
			  const struct ctl_cmd_def *cmd,
			  struct stewardctl_args *a);
int stewardctl_run_cmd(struct stewardctl_ctx *c, const struct ctl_cmd_def *cmd,
		       struct stewardctl_args *a);

/* stewardctl-tail.c: an instance's last lines */
int stewardctl_tail_cmd(struct stewardctl_ctx *c, const struct ctl_cmd_def *cmd,
			struct stewardctl_args *a);

/* stewardctl-log.c: the event log */
int stewardctl_log_cmd(struct stewardctl_ctx *c, const struct ctl_cmd_def *cmd,
		       struct stewardctl_args *a);
extern volatile sig_atomic_t stewardctl_log_interrupted;
int stewardctl_log_catch_signals(void);

#endif
