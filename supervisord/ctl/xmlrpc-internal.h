/*
 * What the files of supervisord's XML-RPC methods share among
 * themselves: the call in the making, the method tables and the name
 * helpers.  Nothing outside ctl/xmlrpc-*.c includes it.
 *
 *   xmlrpc-methods.c  names, process info, start/stop/signal, dispatch,
 *                     system.listMethods and system.multicall
 *   xmlrpc-config.c   reloadConfig, addProcessGroup, removeProcessGroup,
 *                     getAllConfigInfo
 *   xmlrpc-system.c   shutdown, restart, sendProcessStdin, methodHelp,
 *                     methodSignature
 *   xmlrpc-logs.c     readLog, clearLog, read/tail/clear process logs
 *   xmlrpc-logtail.c  the HTTP paths supervisorctl tail -f streams
 */
#ifndef STEWARD_XMLRPC_INTERNAL_H
#define STEWARD_XMLRPC_INTERNAL_H

#include <stdbool.h>
#include <sys/types.h>

#include "core/tail.h"
#include "ctl/xmlrpc-methods.h"

struct ward_inst;
struct ward_rt;

/* One call in the making. */
struct xrm_ctx {
	struct steward *s;
	const struct xr_call *call;
	struct sbuf *b; /* the one value answered */
	bool may_wait;
	struct xrm_wait *wait;
	int fault;
	char fmsg[512];
};

/* A method served, with the number of parameters it takes. */
struct xrm_method {
	const char *name;
	void (*fn)(struct xrm_ctx *c);
	unsigned min, max;
};

/* The methods of xmlrpc-config.c. */
extern const struct xrm_method xrm_config_methods[];
extern const size_t xrm_config_nmethods;
/* The methods of xmlrpc-system.c. */
extern const struct xrm_method xrm_system_methods[];
extern const size_t xrm_system_nmethods;
/* The methods of xmlrpc-logs.c. */
extern const struct xrm_method xrm_log_methods[];
extern const size_t xrm_log_nmethods;

/* A stream's bytes (xmlrpc-logs.c): a file, or text for [base, size). */
struct xrl_src {
	int fd;           /* -1: text */
	const char *path; /* the file's name (borrowed) */
	struct sbuf text;
	uint64_t base, size;
};

/*
 * The source of a process's stream: its log file (opened), else its
 * rings; *wip the instance unless NULL.  False with a fault in c
 * (BAD_NAME, NO_FILE, FAILED).
 */
bool xrl_source(struct xrm_ctx *c, const char *name, enum tail_stream st,
		struct xrl_src *src, struct ward_inst **wip);
void xrl_src_free(struct xrl_src *src);
/* The log file of an instance's stream as getProcessInfo names it: the
 * file it is written to, or "" (kept in memory only, or redirected). */
const char *xrl_logfile(const struct ward_inst *wi, enum tail_stream st);
/* Open a log file (safepath's rule) into src; 0, or -1 with errno. */
int xrl_open(const char *path, struct xrl_src *src);

/*
 * A wait for a config read (reloadConfig): start(s, w) starts the read
 * whose callback answers with xrm_wait_finish(w, body); NULL when it
 * could not start.  xrm_wait_cancel() cancels the read too.
 */
struct steward_read;
struct xrm_wait *xrm_wait_read(
    struct steward *s,
    struct steward_read *(*start)(struct steward *s, struct xrm_wait *w));
struct steward *xrm_wait_steward(const struct xrm_wait *w);
void xrm_wait_finish(struct xrm_wait *w, struct sbuf *body);

/* Whether a method of that name is served. */
bool xrm_served(const char *name);

/* supervisord's name of a fault code ("BAD_NAME"). */
const char *xrm_fault_name(int code);
/* Fail the call as supervisord's RPCError(code, extra) does. */
void xrm_fail(struct xrm_ctx *c, int code, const char *extra);
/* The string parameter i, or NULL with INCORRECT_PARAMETERS. */
const char *xrm_str(struct xrm_ctx *c, size_t i);

/* The process and group names of an instance (see xmlrpc-methods.c). */
const char *xrm_procname(const struct ward_inst *wi);
const char *xrm_groupname(const struct ward_inst *wi);
/* Whether supervisorctl sees a ward's instances (jobs it does not). */
bool xrm_listed(const struct ward_rt *wr);
/* Every instance a supervisorctl sees, by group and process. */
struct ward_inst **xrm_all_listed(struct steward *s, size_t *np);
/*
 * The instances a namespec names, sorted; *whole when it named a group.
 * -1 with BAD_NAME when nothing matches.
 */
ssize_t xrm_find(struct xrm_ctx *c, const char *spec, struct ward_inst ***out,
		 bool *whole);
/* The one process name names, or NULL with BAD_NAME (a group, many,
 * none). */
struct ward_inst *xrm_find_one(struct xrm_ctx *c, const char *name);

#endif
