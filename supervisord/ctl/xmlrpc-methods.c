/*
 * supervisord's XML-RPC methods, answered from stewardd's wards.
 *
 * Names.  A process is named as supervisord names it: GROUP:PROCESS,
 * or NAME when group and process are one (supervisor/options.py's
 * split_namespec).  The group is the ward's [group:NAME] if it has one,
 * else the ward; the process is the ward's process_name (a
 * [program:NAME] with numprocs), else the ward's name (one replica),
 * else its label "NAME:R" as stewardctl and event listeners show it
 * ("NAME:R" also finds it: group NAME, process R).
 *
 * States.  steward's states map onto supervisord's one to one: stopped
 * STOPPED, starting STARTING, running RUNNING, backoff BACKOFF, stopping
 * STOPPING, exited EXITED, failed FATAL.
 *
 * Waiting.  start and stop with wait = true (supervisorctl's) answer
 * once every instance named reached its goal or cannot.  The wait holds
 * the instances' labels, not pointers (a reload may free them), and
 * looks again every XRM_TICK seconds until the deadline (the longest
 * stop_timeout + start_timeout, plus XRM_SLACK): O(instances) a look.
 * Inside system.multicall nothing waits (as with wait = false).
 */
#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "proto/listener-proto.h"
#include "base/parse.h"
#include "core/steward.h"
#include "daemon/steward-deps.h"
#include "daemon/steward-reload.h"
#include "ctl/xmlrpc-internal.h"
#include "ctl/xmlrpc-methods.h"

#define XRM_TICK 0.05
#define XRM_SLACK 10.0
#define XRM_API_VERSION "3.0"

enum xrm_goal { XRM_GOAL_RUNNING, XRM_GOAL_STOPPED };
enum xrm_shape { XRM_SHAPE_BOOL, XRM_SHAPE_LIST };

/* A start or stop waiting for its instances; see the top. */
struct xrm_wait {
	struct steward *s;
	enum xrm_goal goal;
	enum xrm_shape shape;
	size_t n;
	char (*label)[80];
	char **name, **group; /* for the results */
	unsigned *gen0;
	int *fault; /* 0 pending, XRM_SUCCESS or a fault */
	double deadline;
	ev_timer tick;
	xrm_done_fn *done;
	void *arg;
	struct steward_read *read; /* reloadConfig's read, or NULL */
};

const char *
xrm_fault_name(int code)
{
	switch (code) {
	case XRM_UNKNOWN_METHOD:
		return "UNKNOWN_METHOD";
	case XRM_INCORRECT_PARAMETERS:
		return "INCORRECT_PARAMETERS";
	case XRM_BAD_ARGUMENTS:
		return "BAD_ARGUMENTS";
	case XRM_SIGNATURE_UNSUPPORTED:
		return "SIGNATURE_UNSUPPORTED";
	case XRM_SHUTDOWN_STATE:
		return "SHUTDOWN_STATE";
	case XRM_BAD_NAME:
		return "BAD_NAME";
	case XRM_BAD_SIGNAL:
		return "BAD_SIGNAL";
	case XRM_NO_FILE:
		return "NO_FILE";
	case XRM_NOT_EXECUTABLE:
		return "NOT_EXECUTABLE";
	case XRM_FAILED:
		return "FAILED";
	case XRM_ABNORMAL_TERMINATION:
		return "ABNORMAL_TERMINATION";
	case XRM_SPAWN_ERROR:
		return "SPAWN_ERROR";
	case XRM_ALREADY_STARTED:
		return "ALREADY_STARTED";
	case XRM_NOT_RUNNING:
		return "NOT_RUNNING";
	case XRM_SUCCESS:
		return "SUCCESS";
	case XRM_ALREADY_ADDED:
		return "ALREADY_ADDED";
	case XRM_STILL_RUNNING:
		return "STILL_RUNNING";
	case XRM_CANT_REREAD:
		return "CANT_REREAD";
	default:
		return "UNKNOWN";
	}
}

/* Fail the call as supervisord's RPCError(code, extra) does. */
void
xrm_fail(struct xrm_ctx *c, int code, const char *extra)
{
	c->fault = code;
	if (extra != NULL)
		snprintf(c->fmsg, sizeof(c->fmsg), "%s: %s",
			 xrm_fault_name(code), extra);
	else
		snprintf(c->fmsg, sizeof(c->fmsg), "%s", xrm_fault_name(code));
}

/* The process name of an instance; see the top. */
const char *
xrm_procname(const struct ward_inst *wi)
{
	const struct ward_spec *w = wi->ward->spec;

	if (w->procs != NULL && wi->replica < w->replicas &&
	    w->procs[wi->replica].name != NULL)
		return w->procs[wi->replica].name;
	if (w->replicas <= 1)
		return w->name;
	return wi->label;
}

/* The group name of an instance. */
const char *
xrm_groupname(const struct ward_inst *wi)
{
	const struct ward_rt *wr = wi->ward;

	return wr->group != NULL ? wr->group->spec->name : wr->spec->name;
}

/* supervisord's state code of a steward state. */
static enum sv_state
xrm_state(enum ward_state st)
{
	switch (st) {
	case WARD_STOPPED:
		return SV_STOPPED;
	case WARD_STARTING:
		return SV_STARTING;
	case WARD_RUNNING:
		return SV_RUNNING;
	case WARD_STOPPING:
		return SV_STOPPING;
	case WARD_BACKOFF:
		return SV_BACKOFF;
	case WARD_FAILED:
		return SV_FATAL;
	case WARD_EXITED:
		return SV_EXITED;
	}
	return SV_UNKNOWN;
}

static int
xrm_state_code(enum sv_state st)
{
	static const int code[SV_NSTATES] = {
	    [SV_STOPPED] = 0,  [SV_STARTING] = 10,  [SV_RUNNING] = 20,
	    [SV_BACKOFF] = 30, [SV_STOPPING] = 40,  [SV_EXITED] = 100,
	    [SV_FATAL] = 200,  [SV_UNKNOWN] = 1000,
	};

	return code[st];
}

/* supervisord's RUNNING_STATES: running, backoff, starting. */
static bool
xrm_running_state(enum ward_state st)
{
	return st == WARD_RUNNING || st == WARD_BACKOFF || st == WARD_STARTING;
}

/* The instances a supervisorctl sees, ward by ward (jobs are not). */
bool
xrm_listed(const struct ward_rt *wr)
{
	return wr->run == NULL && !wr->spec->is_job;
}

/* Order by group, then process, as supervisord's getAllProcessInfo. */
static int
xrm_cmp(const void *a, const void *b)
{
	const struct ward_inst *x = *(struct ward_inst *const *)a;
	const struct ward_inst *y = *(struct ward_inst *const *)b;
	int r = strcmp(xrm_groupname(x), xrm_groupname(y));

	return r != 0 ? r : strcmp(xrm_procname(x), xrm_procname(y));
}

/* Every instance a supervisorctl sees, in that order; *np the count. */
struct ward_inst **
xrm_all_listed(struct steward *s, size_t *np)
{
	struct ward_inst **v;
	size_t n = 0, cap = 0;

	for (size_t i = 0; i < s->nwards; i++)
		if (xrm_listed(s->wards[i]))
			cap += s->wards[i]->ninst;
	v = xcalloc(cap ? cap : 1, sizeof(*v));
	for (size_t i = 0; i < s->nwards; i++)
		if (xrm_listed(s->wards[i]))
			for (unsigned j = 0; j < s->wards[i]->ninst; j++)
				v[n++] = s->wards[i]->inst[j];
	qsort(v, n, sizeof(*v), xrm_cmp);
	*np = n;
	return v;
}

/*
 * The instances a namespec names, sorted; *whole: it named a group
 * (GROUP:* or a bare NAME that is a group and not a process).  -1 with
 * BAD_NAME when nothing matches.
 */
ssize_t
xrm_find(struct xrm_ctx *c, const char *spec, struct ward_inst ***out,
	 bool *whole)
{
	struct steward *s = c->s;
	const char *colon = strchr(spec, ':');
	char group[256];
	const char *proc;
	struct ward_inst **v = NULL;
	size_t n = 0, cap = 0, ingroup = 0;

	if (colon != NULL) {
		snprintf(group, sizeof(group), "%.*s", (int)(colon - spec),
			 spec);
		proc = strcmp(colon + 1, "*") == 0 ? NULL : colon + 1;
	} else {
		snprintf(group, sizeof(group), "%s", spec);
		proc = spec;
	}
	for (size_t i = 0; i < s->nwards; i++) {
		struct ward_rt *wr = s->wards[i];
		bool g;

		if (!xrm_listed(wr))
			continue;
		g = strcmp(group, wr->spec->name) == 0 ||
		    (wr->group != NULL &&
		     strcmp(group, wr->group->spec->name) == 0);
		if (!g)
			continue;
		for (unsigned j = 0; j < wr->ninst; j++) {
			struct ward_inst *wi = wr->inst[j];
			bool want =
			    proc == NULL ||
			    strcmp(proc, xrm_procname(wi)) == 0 ||
			    (colon != NULL && strcmp(spec, wi->label) == 0);

			ingroup++;
			if (!want)
				continue;
			if (n == cap) {
				cap = cap ? cap * 2 : 8;
				v = xrealloc(v, cap * sizeof(*v));
			}
			v[n++] = wi;
		}
	}
	*whole = proc == NULL;
	if (n == 0 && colon == NULL && ingroup > 0) {
		/* A group with no process of its own name: supervisord
		 * takes the whole group (startProcess("g")). */
		char *all = xasprintf("%s:*", group);
		ssize_t r;

		free(v);
		r = xrm_find(c, all, out, whole);
		free(all);
		return r;
	}
	if (n == 0 && (proc != NULL || ingroup == 0)) {
		free(v);
		xrm_fail(c, XRM_BAD_NAME, spec);
		return -1;
	}
	if (n > 1)
		qsort(v, n, sizeof(*v), xrm_cmp);
	*out = v;
	return (ssize_t)n;
}

/* The one process name names; see xmlrpc-internal.h. */
struct ward_inst *
xrm_find_one(struct xrm_ctx *c, const char *name)
{
	struct ward_inst **v, *wi = NULL;
	bool whole;
	ssize_t n;

	if ((n = xrm_find(c, name, &v, &whole)) < 0)
		return NULL;
	if (whole || n != 1)
		xrm_fail(c, XRM_BAD_NAME, name);
	else
		wi = v[0];
	free(v);
	return wi;
}

/* Wall-clock seconds of a moment on steward_now()'s clock. */
static long long
xrm_wall(double mono)
{
	struct timespec ts;
	double now = steward_now();

	if (clock_gettime(CLOCK_REALTIME, &ts) == -1)
		return 0;
	return (long long)((double)ts.tv_sec + ts.tv_nsec / 1e9 - (now - mono));
}

/* Python's str(timedelta) of whole seconds: "1 day, 2:03:04". */
static void
xrm_uptime(char *buf, size_t len, long long secs)
{
	long long d = secs / 86400, r = secs % 86400;

	if (secs < 0)
		d = r = 0;
	if (d > 0)
		snprintf(buf, len, "%lld day%s, %lld:%02lld:%02lld", d,
			 d == 1 ? "" : "s", r / 3600, r / 60 % 60, r % 60);
	else
		snprintf(buf, len, "%lld:%02lld:%02lld", r / 3600, r / 60 % 60,
			 r % 60);
}

/* One process info struct, as supervisord's getProcessInfo. */
static void
xrm_add_info(struct sbuf *b, const struct ward_inst *wi, long long now)
{
	enum sv_state st = xrm_state(wi->sm.state);
	bool live = steward_inst_has_pid(wi);
	long long start = wi->generation > 0 ? xrm_wall(wi->sm.spawned_at) : 0;
	long long stop =
	    !live && wi->generation > 0 ? xrm_wall(wi->state_since) : 0;
	const char *spawnerr = "";
	char desc[600];

	if (st == SV_BACKOFF || st == SV_FATAL)
		spawnerr = wi->last_reason != NULL ? wi->last_reason : "";
	switch (st) {
	case SV_RUNNING: {
		char up[64];

		xrm_uptime(up, sizeof(up), now - start);
		snprintf(desc, sizeof(desc), "pid %d, uptime %s", (int)wi->pid,
			 up);
		break;
	}
	case SV_BACKOFF:
	case SV_FATAL:
		if (*spawnerr != '\0')
			snprintf(desc, sizeof(desc), "%s", spawnerr);
		else
			snprintf(desc, sizeof(desc),
				 "unknown error (try \"tail %s\")",
				 xrm_procname(wi));
		break;
	case SV_STOPPED:
	case SV_EXITED:
		if (start != 0) {
			time_t t = (time_t)stop;
			struct tm tm;

			if (localtime_r(&t, &tm) == NULL ||
			    strftime(desc, sizeof(desc), "%b %d %I:%M %p",
				     &tm) == 0)
				desc[0] = '\0';
		} else {
			snprintf(desc, sizeof(desc), "Not started");
		}
		break;
	default:
		desc[0] = '\0';
		break;
	}
	xmlrpc_struct_begin(b);
	xmlrpc_member_string(b, "name", xrm_procname(wi));
	xmlrpc_member_string(b, "group", xrm_groupname(wi));
	xmlrpc_member_string(b, "description", desc);
	xmlrpc_member_int(b, "start", start);
	xmlrpc_member_int(b, "stop", stop);
	xmlrpc_member_int(b, "now", now);
	xmlrpc_member_int(b, "state", xrm_state_code(st));
	xmlrpc_member_string(b, "statename", listener_state_name(st));
	xmlrpc_member_string(b, "spawnerr", spawnerr);
	/* supervisord's decode_wait_status(): the code, -1 for a signal. */
	xmlrpc_member_int(b, "exitstatus",
			  live || wi->generation == 0 || st == SV_BACKOFF ? 0
			  : WIFEXITED(wi->sm.exit_status)
			      ? WEXITSTATUS(wi->sm.exit_status)
			      : -1);
	xmlrpc_member_string(b, "logfile", xrl_logfile(wi, TAIL_STDOUT));
	xmlrpc_member_string(b, "stdout_logfile", xrl_logfile(wi, TAIL_STDOUT));
	xmlrpc_member_string(b, "stderr_logfile", xrl_logfile(wi, TAIL_STDERR));
	xmlrpc_member_int(b, "pid", live ? (long long)wi->pid : 0);
	xmlrpc_struct_end(b);
}

/* The string parameter i, or a fault. */
const char *
xrm_str(struct xrm_ctx *c, size_t i)
{
	const struct xr_value *v =
	    i < c->call->nparams ? c->call->params[i] : NULL;

	if (v == NULL || v->type != XR_STRING) {
		xrm_fail(c, XRM_INCORRECT_PARAMETERS, NULL);
		return NULL;
	}
	return v->s;
}

/* The optional boolean parameter i (wait), true when absent. */
static bool
xrm_wait_param(struct xrm_ctx *c, size_t i)
{
	const struct xr_value *v =
	    i < c->call->nparams ? c->call->params[i] : NULL;

	if (v == NULL)
		return true;
	if (v->type != XR_BOOL && v->type != XR_INT) {
		xrm_fail(c, XRM_INCORRECT_PARAMETERS, NULL);
		return true;
	}
	return v->i != 0;
}

static long long
xrm_now(void)
{
	return (long long)time(NULL);
}

static void
m_api_version(struct xrm_ctx *c)
{
	xmlrpc_add_string(c->b, XRM_API_VERSION);
}

static void
m_supervisor_version(struct xrm_ctx *c)
{
	xmlrpc_add_string(c->b, STEWARD_VERSION);
}

static void
m_identification(struct xrm_ctx *c)
{
	xmlrpc_add_string(c->b, "supervisor");
}

static void
m_state(struct xrm_ctx *c)
{
	xmlrpc_struct_begin(c->b);
	xmlrpc_member_int(c->b, "statecode", c->s->stopping ? -1 : 1);
	xmlrpc_member_string(c->b, "statename",
			     c->s->stopping ? "SHUTDOWN" : "RUNNING");
	xmlrpc_struct_end(c->b);
}

static void
m_pid(struct xrm_ctx *c)
{
	xmlrpc_add_int(c->b, (long long)c->s->self);
}

static void
m_all_info(struct xrm_ctx *c)
{
	struct ward_inst **v;
	size_t n;
	long long now = xrm_now();

	v = xrm_all_listed(c->s, &n);
	xmlrpc_array_begin(c->b);
	for (size_t k = 0; k < n; k++)
		xrm_add_info(c->b, v[k], now);
	xmlrpc_array_end(c->b);
	free(v);
}

static void
m_info(struct xrm_ctx *c)
{
	const char *name = xrm_str(c, 0);
	struct ward_inst *wi;

	if (name != NULL && (wi = xrm_find_one(c, name)) != NULL)
		xrm_add_info(c->b, wi, xrm_now());
}

/* A result struct of a group or all operation. */
static void
xrm_add_result(struct sbuf *b, const char *name, const char *group, int code,
	       const char *desc)
{
	xmlrpc_struct_begin(b);
	xmlrpc_member_string(b, "name", name);
	xmlrpc_member_string(b, "group", group);
	xmlrpc_member_int(b, "status", code);
	xmlrpc_member_string(b, "description", desc);
	xmlrpc_struct_end(b);
}

/* The instance with a label now, or NULL (a reload removed it). */
static struct ward_inst *
xrm_by_label(struct steward *s, const char *label)
{
	for (size_t i = 0; i < s->nwards; i++)
		for (unsigned j = 0; j < s->wards[i]->ninst; j++)
			if (strcmp(s->wards[i]->inst[j]->label, label) == 0)
				return s->wards[i]->inst[j];
	return NULL;
}

/* Judge one instance of a wait: 0 not yet, else its result code. */
static int
xrm_judge(const struct xrm_wait *w, size_t k)
{
	struct ward_inst *wi = xrm_by_label(w->s, w->label[k]);
	enum ward_state st;
	bool fresh;

	if (wi == NULL)
		return XRM_BAD_NAME;
	st = wi->sm.state;
	fresh = wi->generation != w->gen0[k];
	if (wi->want_start || wi->want_stop || wi->pace_slot != 0)
		return 0;
	if (w->goal == XRM_GOAL_STOPPED) {
		if (!ward_state_has_process(st) || fresh)
			return XRM_SUCCESS;
		/* Same process, nothing queued, not stopping: a later
		 * start took the place of the stop (see ctl_judge). */
		return st == WARD_STOPPING ? 0 : XRM_FAILED;
	}
	if (st == WARD_RUNNING)
		return XRM_SUCCESS;
	if (st == WARD_STARTING || st == WARD_STOPPING)
		return 0;
	if (st == WARD_BACKOFF || st == WARD_FAILED)
		return XRM_SPAWN_ERROR;
	return fresh ? XRM_ABNORMAL_TERMINATION : XRM_SPAWN_ERROR;
}

/* The answer of a finished wait, as a whole methodResponse. */
static void
xrm_wait_answer(struct xrm_wait *w, struct sbuf *body)
{
	if (w->shape == XRM_SHAPE_BOOL) {
		if (w->fault[0] == XRM_SUCCESS) {
			xmlrpc_response_begin(body);
			xmlrpc_add_bool(body, true);
			xmlrpc_response_end(body);
		} else {
			char msg[600];

			snprintf(msg, sizeof(msg), "%s: %s",
				 xrm_fault_name(w->fault[0]), w->name[0]);
			xmlrpc_fault(body, w->fault[0], msg);
		}
		return;
	}
	xmlrpc_response_begin(body);
	xmlrpc_array_begin(body);
	for (size_t k = 0; k < w->n; k++) {
		char msg[600];

		if (w->fault[k] == XRM_SUCCESS)
			snprintf(msg, sizeof(msg), "OK");
		else
			snprintf(msg, sizeof(msg), "%s: %s",
				 xrm_fault_name(w->fault[k]), w->name[k]);
		xrm_add_result(body, w->name[k], w->group[k], w->fault[k], msg);
	}
	xmlrpc_array_end(body);
	xmlrpc_response_end(body);
}

/* Forget a wait; see xmlrpc-methods.h. */
void
xrm_wait_cancel(struct xrm_wait *w)
{
	if (w == NULL)
		return;
	steward_read_cancel(w->read);
	ev_timer_stop(w->s->loop, &w->tick);
	for (size_t k = 0; k < w->n; k++) {
		free(w->name[k]);
		free(w->group[k]);
	}
	free(w->name);
	free(w->group);
	free(w->label);
	free(w->gen0);
	free(w->fault);
	free(w);
}

/* A wait for a config read; see xmlrpc-internal.h. */
struct xrm_wait *
xrm_wait_read(struct steward *s,
	      struct steward_read *(*start)(struct steward *s,
					    struct xrm_wait *w))
{
	struct xrm_wait *w = xcalloc(1, sizeof(*w));

	w->s = s;
	if ((w->read = start(s, w)) == NULL) {
		free(w);
		return NULL;
	}
	return w;
}

/* The steward a wait is of. */
struct steward *
xrm_wait_steward(const struct xrm_wait *w)
{
	return w->s;
}

/* Answer a wait with body, and forget it; see xmlrpc-internal.h. */
void
xrm_wait_finish(struct xrm_wait *w, struct sbuf *body)
{
	w->read = NULL; /* it is the read that finishes */
	w->done(w->arg, body);
	xrm_wait_cancel(w);
}

/* Judge what is pending; true when nothing is. */
static bool
xrm_wait_judge(struct xrm_wait *w, bool late)
{
	bool done = true;

	for (size_t k = 0; k < w->n; k++) {
		if (w->fault[k] == 0)
			w->fault[k] = xrm_judge(w, k);
		if (w->fault[k] == 0 && late)
			w->fault[k] = XRM_FAILED;
		if (w->fault[k] == 0)
			done = false;
	}
	return done;
}

static void
xrm_tick_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct xrm_wait *w =
	    (struct xrm_wait *)((char *)t - offsetof(struct xrm_wait, tick));
	struct sbuf body = {0};

	(void)loop;
	(void)revents;
	if (!xrm_wait_judge(w, steward_now() >= w->deadline))
		return;
	xrm_wait_answer(w, &body);
	ev_timer_stop(w->s->loop, &w->tick);
	w->done(w->arg, &body);
	sbuf_free(&body);
	xrm_wait_cancel(w);
}

/*
 * Start or stop instances v (their namespec name for one), then wait as
 * the shape says; those that need nothing are left out of a list (as
 * supervisord's make_allfunc filters them) and fault a single one.
 */
static void
xrm_steer(struct xrm_ctx *c, struct ward_inst **v, size_t n, bool start,
	  enum xrm_shape shape, const char *name, bool wait)
{
	struct steward *s = c->s;
	struct xrm_wait *w;
	double longest = 0;

	if (s->stopping) {
		xrm_fail(c, XRM_SHUTDOWN_STATE, NULL);
		return;
	}
	w = xcalloc(1, sizeof(*w));
	w->s = s;
	w->goal = start ? XRM_GOAL_RUNNING : XRM_GOAL_STOPPED;
	w->shape = shape;
	w->label = xcalloc(n ? n : 1, sizeof(*w->label));
	w->name = xcalloc(n ? n : 1, sizeof(char *));
	w->group = xcalloc(n ? n : 1, sizeof(char *));
	w->gen0 = xcalloc(n ? n : 1, sizeof(unsigned));
	w->fault = xcalloc(n ? n : 1, sizeof(int));
	for (size_t k = 0; k < n; k++) {
		struct ward_inst *wi = v[k];
		bool running = xrm_running_state(wi->sm.state);
		const struct ward_policy *pol = &wi->ward->spec->pol;

		if (start == running) {
			if (shape == XRM_SHAPE_LIST)
				continue;
			xrm_fail(c,
				 start ? XRM_ALREADY_STARTED : XRM_NOT_RUNNING,
				 name);
			xrm_wait_cancel(w);
			return;
		}
		snprintf(w->label[w->n], sizeof(w->label[0]), "%s", wi->label);
		w->name[w->n] = xstrdup(xrm_procname(wi));
		w->group[w->n] = xstrdup(xrm_groupname(wi));
		w->gen0[w->n] = wi->generation;
		w->n++;
		if (pol->stop_timeout + pol->start_timeout > longest)
			longest = pol->stop_timeout + pol->start_timeout;
		if (start)
			steward_pace_start(s, wi);
		else
			steward_pace_stop(s, wi, NULL);
	}
	if (!wait || !c->may_wait) {
		for (size_t k = 0; k < w->n; k++)
			w->fault[k] = XRM_SUCCESS;
	} else if (!xrm_wait_judge(w, false)) {
		w->deadline = steward_now() + longest +
			      2 * steward_pace_eta(s) + XRM_SLACK;
		ev_timer_init(&w->tick, xrm_tick_cb, XRM_TICK, XRM_TICK);
		ev_timer_start(s->loop, &w->tick);
		c->wait = w;
		return;
	}
	/* Answered at once: write the value the wait would have. */
	{
		struct sbuf body = {0};

		if (shape == XRM_SHAPE_BOOL && w->fault[0] != XRM_SUCCESS) {
			snprintf(c->fmsg, sizeof(c->fmsg), "%s: %s",
				 xrm_fault_name(w->fault[0]), name);
			c->fault = w->fault[0];
		} else if (shape == XRM_SHAPE_BOOL) {
			xmlrpc_add_bool(c->b, true);
		} else {
			xmlrpc_array_begin(c->b);
			for (size_t k = 0; k < w->n; k++) {
				char msg[600];

				if (w->fault[k] == XRM_SUCCESS)
					snprintf(msg, sizeof(msg), "OK");
				else
					snprintf(msg, sizeof(msg), "%s: %s",
						 xrm_fault_name(w->fault[k]),
						 w->name[k]);
				xrm_add_result(c->b, w->name[k], w->group[k],
					       w->fault[k], msg);
			}
			xmlrpc_array_end(c->b);
		}
		sbuf_free(&body);
	}
	xrm_wait_cancel(w);
}

/* startProcess, stopProcess (a group name: the group's, as supervisord). */
static void
xrm_process(struct xrm_ctx *c, bool start)
{
	const char *name = xrm_str(c, 0);
	bool wait = xrm_wait_param(c, 1), whole;
	struct ward_inst **v;
	ssize_t n;

	if (name == NULL || c->fault != 0)
		return;
	if ((n = xrm_find(c, name, &v, &whole)) < 0)
		return;
	xrm_steer(c, v, (size_t)n, start,
		  whole ? XRM_SHAPE_LIST : XRM_SHAPE_BOOL, name, wait);
	free(v);
}

static void
m_start(struct xrm_ctx *c)
{
	xrm_process(c, true);
}

static void
m_stop(struct xrm_ctx *c)
{
	xrm_process(c, false);
}

/* startProcessGroup, stopProcessGroup. */
static void
xrm_group(struct xrm_ctx *c, bool start)
{
	const char *name = xrm_str(c, 0);
	bool wait = xrm_wait_param(c, 1), whole;
	struct ward_inst **v;
	char *spec;
	ssize_t n;

	if (name == NULL || c->fault != 0)
		return;
	spec = xasprintf("%s:*", name);
	n = xrm_find(c, spec, &v, &whole);
	free(spec);
	if (n < 0) {
		xrm_fail(c, XRM_BAD_NAME, name);
		return;
	}
	xrm_steer(c, v, (size_t)n, start, XRM_SHAPE_LIST, name, wait);
	free(v);
}

static void
m_start_group(struct xrm_ctx *c)
{
	xrm_group(c, true);
}

static void
m_stop_group(struct xrm_ctx *c)
{
	xrm_group(c, false);
}

/* startAllProcesses, stopAllProcesses. */
static void
xrm_all(struct xrm_ctx *c, bool start)
{
	bool wait = xrm_wait_param(c, 0);
	struct ward_inst **v;
	size_t n;

	if (c->fault != 0)
		return;
	v = xrm_all_listed(c->s, &n);
	xrm_steer(c, v, n, start, XRM_SHAPE_LIST, "all", wait);
	free(v);
}

static void
m_start_all(struct xrm_ctx *c)
{
	xrm_all(c, true);
}

static void
m_stop_all(struct xrm_ctx *c)
{
	xrm_all(c, false);
}

/* supervisord's SIGNALLABLE_STATES: running, starting, stopping. */
static bool
xrm_signallable(const struct ward_inst *wi)
{
	enum ward_state st = wi->sm.state;

	return (st == WARD_RUNNING || st == WARD_STARTING ||
		st == WARD_STOPPING) &&
	       wi->pid > 0;
}

/*
 * Signal one instance's main process, as supervisord does: 0, or the
 * fault code with *msg for FAILED.
 */
static int
xrm_signal_one(struct ward_inst *wi, const char *sig_text, char *msg,
	       size_t len)
{
	char why[PARSE_WHY];
	int sig;

	if (parse_signal(sig_text, &sig, why) == -1)
		return XRM_BAD_SIGNAL;
	if (!xrm_signallable(wi))
		return XRM_NOT_RUNNING;
	if (kill(wi->pid, sig) == -1) {
		snprintf(msg, len, "%s", strerror(errno));
		return XRM_FAILED;
	}
	return 0;
}

/* The signal parameter (a name or a number) as text, or NULL. */
static const char *
xrm_sig_param(struct xrm_ctx *c, size_t i, char *num, size_t len)
{
	const struct xr_value *sv =
	    i < c->call->nparams ? c->call->params[i] : NULL;

	if (sv == NULL || (sv->type != XR_STRING && sv->type != XR_INT)) {
		xrm_fail(c, XRM_INCORRECT_PARAMETERS, NULL);
		return NULL;
	}
	if (sv->type == XR_STRING)
		return sv->s;
	snprintf(num, len, "%lld", sv->i);
	return num;
}

/* Signal every signallable instance of v: supervisord's result array. */
static void
xrm_signal_list(struct xrm_ctx *c, struct ward_inst **v, size_t n,
		const char *sig_text)
{
	xmlrpc_array_begin(c->b);
	for (size_t k = 0; k < n; k++) {
		char msg[300] = "", desc[400];
		int code;

		if (!xrm_signallable(v[k]))
			continue;
		code = xrm_signal_one(v[k], sig_text, msg, sizeof(msg));
		if (code == 0)
			snprintf(desc, sizeof(desc), "OK");
		else if (code == XRM_FAILED)
			snprintf(desc, sizeof(desc), "FAILED: %s", msg);
		else
			snprintf(desc, sizeof(desc), "%s: %s",
				 xrm_fault_name(code),
				 code == XRM_BAD_SIGNAL ? sig_text
							: xrm_procname(v[k]));
		xrm_add_result(c->b, xrm_procname(v[k]), xrm_groupname(v[k]),
			       code == 0 ? XRM_SUCCESS : code, desc);
	}
	xmlrpc_array_end(c->b);
}

/* signalProcess(name, signal): the main process only, as supervisord. */
static void
m_signal(struct xrm_ctx *c)
{
	const char *name = xrm_str(c, 0), *sig_text;
	char num[32], msg[300];
	struct ward_inst **v;
	bool whole;
	ssize_t n;
	int code;

	if (name == NULL ||
	    (sig_text = xrm_sig_param(c, 1, num, sizeof(num))) == NULL)
		return;
	if ((n = xrm_find(c, name, &v, &whole)) < 0)
		return;
	if (whole) {
		xrm_signal_list(c, v, (size_t)n, sig_text);
		free(v);
		return;
	}
	code = xrm_signal_one(v[0], sig_text, msg, sizeof(msg));
	free(v);
	if (code == XRM_BAD_SIGNAL)
		xrm_fail(c, code, sig_text);
	else if (code == XRM_FAILED)
		xrm_fail(c, code, msg);
	else if (code != 0)
		xrm_fail(c, code, name);
	else
		xmlrpc_add_bool(c->b, true);
}

/* signalProcessGroup(group, signal). */
static void
m_signal_group(struct xrm_ctx *c)
{
	const char *name = xrm_str(c, 0), *sig_text;
	char num[32], *spec;
	struct ward_inst **v;
	bool whole;
	ssize_t n;

	if (name == NULL ||
	    (sig_text = xrm_sig_param(c, 1, num, sizeof(num))) == NULL)
		return;
	spec = xasprintf("%s:*", name);
	n = xrm_find(c, spec, &v, &whole);
	free(spec);
	if (n < 0) {
		xrm_fail(c, XRM_BAD_NAME, name);
		return;
	}
	xrm_signal_list(c, v, (size_t)n, sig_text);
	free(v);
}

/* signalAllProcesses(signal). */
static void
m_signal_all(struct xrm_ctx *c)
{
	const char *sig_text;
	char num[32];
	struct ward_inst **v;
	size_t n;

	if ((sig_text = xrm_sig_param(c, 0, num, sizeof(num))) == NULL)
		return;
	v = xrm_all_listed(c->s, &n);
	xrm_signal_list(c, v, n, sig_text);
	free(v);
}

static void m_list_methods(struct xrm_ctx *c);
static void m_multicall(struct xrm_ctx *c);

/* The methods of this file, with the parameters each takes. */
static const struct xrm_method xrm_methods[] = {
    {.name = "supervisor.getAPIVersion", .fn = m_api_version},
    {.name = "supervisor.getVersion", .fn = m_api_version},
    {.name = "supervisor.getSupervisorVersion", .fn = m_supervisor_version},
    {.name = "supervisor.getIdentification", .fn = m_identification},
    {.name = "supervisor.getState", .fn = m_state},
    {.name = "supervisor.getPID", .fn = m_pid},
    {.name = "supervisor.getAllProcessInfo", .fn = m_all_info},
    {.name = "supervisor.getProcessInfo", .fn = m_info, .min = 1, .max = 1},
    {.name = "supervisor.startProcess", .fn = m_start, .min = 1, .max = 2},
    {.name = "supervisor.stopProcess", .fn = m_stop, .min = 1, .max = 2},
    {.name = "supervisor.startProcessGroup",
     .fn = m_start_group,
     .min = 1,
     .max = 2},
    {.name = "supervisor.stopProcessGroup",
     .fn = m_stop_group,
     .min = 1,
     .max = 2},
    {.name = "supervisor.startAllProcesses", .fn = m_start_all, .max = 1},
    {.name = "supervisor.stopAllProcesses", .fn = m_stop_all, .max = 1},
    {.name = "supervisor.signalProcess", .fn = m_signal, .min = 2, .max = 2},
    {.name = "supervisor.signalProcessGroup",
     .fn = m_signal_group,
     .min = 2,
     .max = 2},
    {.name = "supervisor.signalAllProcesses",
     .fn = m_signal_all,
     .min = 1,
     .max = 1},
    {.name = "system.listMethods", .fn = m_list_methods},
    {.name = "system.multicall", .fn = m_multicall, .min = 1, .max = 1},
};
static const size_t xrm_nmethods = sizeof(xrm_methods) / sizeof(xrm_methods[0]);

/* Every table of methods, one per file of a family. */
static const struct xrm_table {
	const struct xrm_method *v;
	const size_t *n;
} xrm_tables[] = {
    {.v = xrm_methods, .n = &xrm_nmethods},
    {.v = xrm_config_methods, .n = &xrm_config_nmethods},
    {.v = xrm_system_methods, .n = &xrm_system_nmethods},
    {.v = xrm_log_methods, .n = &xrm_log_nmethods},
};

#define XRM_NTABLES (sizeof(xrm_tables) / sizeof(xrm_tables[0]))

/* The method called name, or NULL. */
static const struct xrm_method *
xrm_method(const char *name)
{
	for (size_t t = 0; t < XRM_NTABLES; t++)
		for (size_t i = 0; i < *xrm_tables[t].n; i++)
			if (strcmp(name, xrm_tables[t].v[i].name) == 0)
				return &xrm_tables[t].v[i];
	return NULL;
}

/* Whether a method is served; see xmlrpc-internal.h. */
bool
xrm_served(const char *name)
{
	return xrm_method(name) != NULL;
}

static void
m_list_methods(struct xrm_ctx *c)
{
	xmlrpc_array_begin(c->b);
	for (size_t t = 0; t < XRM_NTABLES; t++)
		for (size_t i = 0; i < *xrm_tables[t].n; i++)
			xmlrpc_add_string(c->b, xrm_tables[t].v[i].name);
	xmlrpc_array_end(c->b);
}

/* Run one call into c (its value in c->b, or c->fault). */
static void
xrm_dispatch(struct xrm_ctx *c)
{
	const struct xr_call *call = c->call;
	const struct xrm_method *m = xrm_method(call->method);

	if (m == NULL)
		xrm_fail(c, XRM_UNKNOWN_METHOD, NULL);
	else if (call->nparams < m->min || call->nparams > m->max)
		xrm_fail(c, XRM_INCORRECT_PARAMETERS, NULL);
	else
		m->fn(c);
}

/* system.multicall([{methodName, params}, ...]): nothing waits. */
static void
m_multicall(struct xrm_ctx *c)
{
	const struct xr_value *calls = c->call->params[0];

	if (calls->type != XR_ARRAY) {
		xrm_fail(c, XRM_INCORRECT_PARAMETERS, NULL);
		return;
	}
	xmlrpc_array_begin(c->b);
	for (size_t i = 0; i < calls->n; i++) {
		const struct xr_value *one = calls->v[i];
		const struct xr_value *mn = xmlrpc_member(one, "methodName");
		const struct xr_value *ps = xmlrpc_member(one, "params");
		struct sbuf b = {0};
		struct xr_call sub = {0};
		struct xrm_ctx sc = {.s = c->s, .call = &sub, .b = &b};

		if (mn == NULL || mn->type != XR_STRING ||
		    (ps != NULL && ps->type != XR_ARRAY)) {
			xrm_fail(&sc, XRM_INCORRECT_PARAMETERS, NULL);
		} else if (strcmp(mn->s, "system.multicall") == 0) {
			/* supervisord refuses recursion too. */
			xrm_fail(&sc, XRM_INCORRECT_PARAMETERS,
				 "recursive system.multicall forbidden");
		} else {
			sub.method = mn->s;
			sub.params = ps != NULL ? ps->v : NULL;
			sub.nparams = ps != NULL ? ps->n : 0;
			xrm_dispatch(&sc);
		}
		if (sc.fault != 0) {
			xmlrpc_fault_struct(c->b, sc.fault, sc.fmsg);
		} else {
			xmlrpc_array_begin(c->b);
			sbuf_add(c->b, b.s != NULL ? b.s : "", b.len);
			xmlrpc_array_end(c->b);
		}
		sbuf_free(&b);
	}
	xmlrpc_array_end(c->b);
}

/* Answer a call; see xmlrpc-methods.h. */
int
xrm_call(struct steward *s, const struct xr_call *call, struct sbuf *body,
	 xrm_done_fn *done, void *arg, struct xrm_wait **waitp)
{
	struct sbuf b = {0};
	struct xrm_ctx c = {.s = s, .call = call, .b = &b, .may_wait = true};

	*waitp = NULL;
	xrm_dispatch(&c);
	if (c.wait != NULL) {
		sbuf_free(&b);
		c.wait->done = done;
		c.wait->arg = arg;
		*waitp = c.wait;
		return 1;
	}
	if (c.fault != 0) {
		xmlrpc_fault(body, c.fault, c.fmsg);
	} else {
		xmlrpc_response_begin(body);
		sbuf_add(body, b.s != NULL ? b.s : "", b.len);
		xmlrpc_response_end(body);
	}
	sbuf_free(&b);
	return 0;
}
