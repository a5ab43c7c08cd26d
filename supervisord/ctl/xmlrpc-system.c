/*
 * supervisord's methods about stewardd itself and the API: shutdown,
 * restart, sendProcessStdin, system.methodHelp, system.methodSignature.
 *
 * restart.  supervisord's restart stops every process, reads its config
 * again from scratch and starts anew in the same process.  stewardd does
 * the same by shutting down as for SIGTERM (every ward stopped in order,
 * the sockets closed) and then executing itself again with the same
 * command line (main.c): the same pid, the config read fresh, every
 * autostart ward started again.
 *
 * sendProcessStdin.  A ward's stdin is stewardd's /dev/null (or, for an
 * event listener, the pipe its events come through), never a pipe a
 * client may write into: the call is answered NO_FILE, after the checks
 * supervisord makes first (INCORRECT_PARAMETERS, BAD_NAME, NOT_RUNNING).
 *
 * The help table.  Every method served has one record here, its
 * signature as supervisord's docstrings give it ([return, params...]);
 * the scenario supervisorctl-shutdown-restart-help checks that each name
 * system.listMethods gives has one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "core/evlog.h"
#include "core/steward.h"
#include "ctl/xmlrpc-internal.h"

/* One method's signature and help. */
struct xrs_help {
	const char *name;
	const char *sig; /* types, space-separated: return first */
	const char *help;
};

static const struct xrs_help xrs_help[] = {
    {"supervisor.getAPIVersion", "string",
     "The version of the API stewardd speaks (supervisord's 3.0)."},
    {"supervisor.getVersion", "string", "As getAPIVersion."},
    {"supervisor.getSupervisorVersion", "string", "stewardd's version."},
    {"supervisor.getIdentification", "string",
     "The identifier of this server (supervisor)."},
    {"supervisor.getState", "struct",
     "{statecode, statename}: RUNNING, or SHUTDOWN while stewardd stops."},
    {"supervisor.getPID", "int", "stewardd's process id."},
    {"supervisor.getAllProcessInfo", "array",
     "The info struct of every process, by group and name."},
    {"supervisor.getProcessInfo", "struct string",
     "The info struct of one process, by its name (GROUP:NAME)."},
    {"supervisor.startProcess", "boolean string boolean",
     "Start a process (or a group); wait for it when wait is true."},
    {"supervisor.stopProcess", "boolean string boolean",
     "Stop a process (or a group); wait for it when wait is true."},
    {"supervisor.startProcessGroup", "array string boolean",
     "Start every process of a group; an array of results."},
    {"supervisor.stopProcessGroup", "array string boolean",
     "Stop every process of a group; an array of results."},
    {"supervisor.startAllProcesses", "array boolean",
     "Start every process; an array of results."},
    {"supervisor.stopAllProcesses", "array boolean",
     "Stop every process; an array of results."},
    {"supervisor.signalProcess", "boolean string string",
     "Send a signal (name or number) to a process."},
    {"supervisor.signalProcessGroup", "array string string",
     "Send a signal to every running process of a group."},
    {"supervisor.signalAllProcesses", "array string",
     "Send a signal to every running process."},
    {"supervisor.reloadConfig", "array",
     "Read the config again and say which groups were added, changed "
     "and removed ([[added, changed, removed]]); apply nothing."},
    {"supervisor.addProcessGroup", "boolean string",
     "Start a group as the config read by reloadConfig has it."},
    {"supervisor.removeProcessGroup", "boolean string",
     "Forget a group whose processes are all stopped."},
    {"supervisor.getAllConfigInfo", "array",
     "The config of every process, in use or not."},
    {"supervisor.shutdown", "boolean", "Stop every process, then stewardd."},
    {"supervisor.restart", "boolean",
     "Stop every process, then run stewardd again (same pid, the config "
     "read anew)."},
    {"supervisor.sendProcessStdin", "boolean string string",
     "Not possible with stewardd: a ward's stdin is no pipe (NO_FILE)."},
    {"supervisor.readLog", "string int int",
     "Read length bytes of the main log from offset."},
    {"supervisor.readMainLog", "string int int", "As readLog."},
    {"supervisor.clearLog", "boolean", "Clear the main log."},
    {"supervisor.readProcessStdoutLog", "string string int int",
     "Read length bytes of a process's stdout from offset."},
    {"supervisor.readProcessLog", "string string int int",
     "As readProcessStdoutLog."},
    {"supervisor.readProcessStderrLog", "string string int int",
     "Read length bytes of a process's stderr from offset."},
    {"supervisor.tailProcessStdoutLog", "array string int int",
     "[bytes, offset, overflow]: the end of a process's stdout."},
    {"supervisor.tailProcessLog", "array string int int",
     "As tailProcessStdoutLog."},
    {"supervisor.tailProcessStderrLog", "array string int int",
     "[bytes, offset, overflow]: the end of a process's stderr."},
    {"supervisor.clearProcessLogs", "boolean string",
     "Clear a process's stdout and stderr."},
    {"supervisor.clearProcessLog", "boolean string", "As clearProcessLogs."},
    {"supervisor.clearAllProcessLogs", "array",
     "Clear the output of every process; an array of results."},
    {"system.listMethods", "array", "The names of the methods served."},
    {"system.methodHelp", "string string", "A method's help."},
    {"system.methodSignature", "array string",
     "A method's signature: [return type, parameter types...]."},
    {"system.multicall", "array array",
     "Run calls ({methodName, params}) in turn; nothing in it waits."},
};

#define XRS_NHELP (sizeof(xrs_help) / sizeof(xrs_help[0]))

/* The help record of a method served, or NULL. */
static const struct xrs_help *
xrs_find(const char *name)
{
	if (!xrm_served(name))
		return NULL;
	for (size_t i = 0; i < XRS_NHELP; i++)
		if (strcmp(xrs_help[i].name, name) == 0)
			return &xrs_help[i];
	return NULL;
}

/* system.methodHelp(name). */
static void
m_method_help(struct xrm_ctx *c)
{
	const char *name = xrm_str(c, 0);
	const struct xrs_help *h;

	if (name == NULL)
		return;
	if ((h = xrs_find(name)) == NULL)
		xrm_fail(c, XRM_SIGNATURE_UNSUPPORTED, NULL);
	else
		xmlrpc_add_string(c->b, h->help);
}

/* system.methodSignature(name): [return, params...], as supervisord. */
static void
m_method_signature(struct xrm_ctx *c)
{
	const char *name = xrm_str(c, 0);
	const struct xrs_help *h;
	char word[16];

	if (name == NULL)
		return;
	if ((h = xrs_find(name)) == NULL) {
		xrm_fail(c, XRM_SIGNATURE_UNSUPPORTED, NULL);
		return;
	}
	xmlrpc_array_begin(c->b);
	for (const char *p = h->sig; *p != '\0';) {
		size_t n = strcspn(p, " ");

		snprintf(word, sizeof(word), "%.*s", (int)n, p);
		xmlrpc_add_string(c->b, word);
		p += n;
		p += *p == ' ';
	}
	xmlrpc_array_end(c->b);
}

/* A record of what a client asked of stewardd itself. */
static void
xrs_record(struct steward *s, const char *event, const char *reason)
{
	struct evlog_rec r;

	evlog_begin(&r, s->log, EVLOG_INFO, event);
	evlog_str(&r, "reason", reason);
	evlog_commit(&r);
	if (!s->log_is_stderr)
		log_line("%-12s %-8s %s", "stewardd", event, reason);
}

/* supervisor.shutdown(): as SIGTERM. */
static void
m_shutdown(struct xrm_ctx *c)
{
	if (c->s->stopping) {
		xrm_fail(c, XRM_SHUTDOWN_STATE, NULL);
		return;
	}
	xrs_record(c->s, "shutdown",
		   "supervisor.shutdown (XML-RPC): stopping every ward, then "
		   "exiting");
	steward_shutdown(c->s);
	xmlrpc_add_bool(c->b, true);
}

/* supervisor.restart(): shut down, then execute stewardd again. */
static void
m_restart(struct xrm_ctx *c)
{
	if (c->s->stopping) {
		xrm_fail(c, XRM_SHUTDOWN_STATE, NULL);
		return;
	}
	xrs_record(c->s, "restart",
		   "supervisor.restart (XML-RPC): stopping every ward, then "
		   "running stewardd again");
	c->s->reexec = true;
	steward_shutdown(c->s);
	xmlrpc_add_bool(c->b, true);
}

/* supervisor.sendProcessStdin(name, chars): NO_FILE; see the top. */
static void
m_send_stdin(struct xrm_ctx *c)
{
	const char *name = xrm_str(c, 0);
	const struct xr_value *chars =
	    c->call->nparams > 1 ? c->call->params[1] : NULL;
	struct ward_inst *wi;
	char msg[400];

	if (name == NULL)
		return;
	if (chars == NULL ||
	    (chars->type != XR_STRING && chars->type != XR_BASE64)) {
		xrm_fail(c, XRM_INCORRECT_PARAMETERS, NULL);
		return;
	}
	if ((wi = xrm_find_one(c, name)) == NULL)
		return;
	if (!steward_inst_has_pid(wi) || wi->sm.state == WARD_STOPPING)
		xrm_fail(c, XRM_NOT_RUNNING, name);
	else {
		snprintf(msg, sizeof(msg),
			 "%s (stewardd gives no ward a stdin pipe)", name);
		xrm_fail(c, XRM_NO_FILE, msg);
	}
}

const struct xrm_method xrm_system_methods[] = {
    {.name = "supervisor.shutdown", .fn = m_shutdown},
    {.name = "supervisor.restart", .fn = m_restart},
    {.name = "supervisor.sendProcessStdin",
     .fn = m_send_stdin,
     .min = 2,
     .max = 2},
    {.name = "system.methodHelp", .fn = m_method_help, .min = 1, .max = 1},
    {.name = "system.methodSignature",
     .fn = m_method_signature,
     .min = 1,
     .max = 1},
};

const size_t xrm_system_nmethods =
    sizeof(xrm_system_methods) / sizeof(xrm_system_methods[0]);
