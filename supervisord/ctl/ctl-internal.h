/*
 * The control socket's insides, shared by its files (ctl.h is what the
 * rest of stewardd sees):
 *
 *	ctl.c		the listening socket: who may connect, how many,
 *			eviction of the idlest, pausing on EMFILE
 *	ctl-conn.c	one connection: reading request lines, dispatch to
 *			the handlers, replies, the idle deadline, closing
 *	ctl-resolve.c	names on the command line to instances
 *	ctl-status.c	status, info, health (status made in slices)
 *	ctl-steer.c	start, stop, restart, signal, reopen, reload
 *	ctl-wait.c	the waits of start, stop and restart
 *	ctl-run.c	run and cancel (jobs)
 *	ctl-tail.c	tail, and its followers
 */
#ifndef STEWARD_CTL_INTERNAL_H
#define STEWARD_CTL_INTERNAL_H

#include <ev.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/err.h"
#include "core/bucket.h"
#include "proto/ctl-proto.h"
#include "ctl/ctl.h"

struct job_run;
struct ward_inst;
#define CTL_PAUSE 0.1
#define CTL_REPORT_EVERY 10.0
#define CTL_WAIT_SLACK 10.0
#define CTL_ACCEPT_BATCH 16

enum ctl_goal { GOAL_RUNNING, GOAL_STOPPED, GOAL_RESTARTED };

struct ctl_conn;

/* A start/stop/restart request waiting for its instances. */
struct ctl_wait {
	struct ctl_conn *conn;
	enum ctl_cmd cmd;
	enum ctl_goal goal;
	size_t n;
	struct ward_inst **inst;
	unsigned *gen0;       /* each instance's generation at the request */
	signed char *verdict; /* 1 reached, -1 cannot, 0 not yet */
	size_t pending;       /* verdicts still 0 */
	bool armed;           /* judged after the request's own steps */
	ev_timer deadline;
};

/* An instance's link to a wait that includes it (see ward_inst). */
struct ctl_ref {
	struct ctl_wait *wait;
	size_t k; /* the instance's position in the wait */
};

/*
 * A reply of many instances made in slices, a status or the results of
 * a start, stop or restart: instances are added to the output as the
 * client reads it, CTL_STREAM_SLICE seconds of work at most per loop
 * iteration and no more than CTL_STREAM_AHEAD bytes ahead of what the
 * socket took, so that a status of 10,000 instances (2.5 MB), or the
 * results of a stop of 10,000, never holds the loop.  The instances stay
 * valid: one about to be freed (a reload) first finishes every stream
 * at once (ctl_forget()).
 */
struct ctl_stream {
	struct ward_inst **v;
	size_t n, next;
	double now; /* the moment the status describes */
	/* results (ctl-wait.c), or NULL: a status; each instance's verdict,
	 * and its state and reason as they were when the wait ended */
	signed char *verdict;
	unsigned char *state;
	char **reason;
	char *end; /* what follows the last instance */
};

#define CTL_STREAM_SLICE 0.002
#define CTL_STREAM_AHEAD (256 * 1024)

struct ctl_conn {
	struct ctl *ctl;
	int fd;
	ev_io rio;
	ev_io wio;
	ev_timer idle;
	double last_active;
	char in[CTL_LINE_MAX + 1];
	size_t inlen;
	struct sbuf out;
	size_t outoff;
	bool closing; /* close once out is written */
	struct bucket rate;
	struct ctl_wait *wait;
	struct job_run *run; /* a run whose outcome it waits for */
	bool reloading;      /* waits for its reload (ctl_reload_done()) */
	struct ctl_stream *stream; /* a status reply being made */
	struct ctl_tail *tail;     /* tail --follow (ctl-tail.c) */
	pid_t peer_pid;
	uid_t peer_uid;
	struct ctl_conn *next;
};

struct ctl {
	struct steward *s;
	char *path;
	dev_t dev;
	ino_t ino;
	int fd;
	bool has_group;
	gid_t gid;
	ev_io lio;
	ev_timer pause;
	ev_prepare reap;
	struct ctl_conn *conns;
	struct ctl_conn *dead; /* closed, freed before the loop next waits */
	size_t nconns;
	size_t nstreams; /* connections with a status reply being made */
	/* rate-limited reports */
	uint64_t refused, refused_unreported;
	uint64_t busy_unreported;
	uint64_t evicted_unreported;
	uint64_t pause_count;
	double refused_reported_at, busy_reported_at, pause_reported_at;
	double evicted_reported_at;
};

/* ctl.c */
size_t ctl_cap(const struct ctl *c);

/* ctl-conn.c */
void ctl_reply(struct ctl_conn *cn, struct sbuf *body);
void ctl_reply_error(struct ctl_conn *cn, const char *code, const char *fmt,
		     ...) __attribute__((format(printf, 3, 4)));
void ctl_conn_flush(struct ctl_conn *cn);
void ctl_conn_process(struct ctl_conn *cn);
void ctl_conn_resume(struct ctl_conn *cn);
void ctl_conn_close(struct ctl_conn *cn);
void ctl_conn_read_cb(struct ev_loop *loop, ev_io *w, int revents);
void ctl_conn_write_cb(struct ev_loop *loop, ev_io *w, int revents);
void ctl_conn_idle_cb(struct ev_loop *loop, ev_timer *t, int revents);

/* ctl-resolve.c */
ssize_t ctl_resolve(struct ctl_conn *cn, const struct ctl_request *req,
		    struct ward_inst ***outp);

/* ctl-status.c */
void ctl_add_str(struct sbuf *b, const char *key, const char *v);
void ctl_stream_pump(struct ctl_conn *cn, bool all);
void ctl_stream_free(struct ctl_conn *cn);
void ctl_do_status(struct ctl_conn *cn, struct ctl_request *req);
void ctl_do_health(struct ctl_conn *cn, struct ctl_request *req);
void ctl_do_info(struct ctl_conn *cn, struct ctl_request *req);

/* ctl-wait.c */
int ctl_judge(const struct ctl_wait *w, size_t k);
void ctl_wait_free(struct ctl_wait *w);
void ctl_wait_finish(struct ctl_wait *w, const char *why_not);
void ctl_wait_result(struct sbuf *b, const struct ctl_stream *st, size_t k);
void ctl_wait_deadline_cb(struct ev_loop *loop, ev_timer *t, int revents);

/* ctl-steer.c */
void ctl_do_steer(struct ctl_conn *cn, struct ctl_request *req);
void ctl_do_signal(struct ctl_conn *cn, struct ctl_request *req);
void ctl_do_reopen(struct ctl_conn *cn, struct ctl_request *req);
void ctl_do_reload(struct ctl_conn *cn, struct ctl_request *req);

/* ctl-run.c */
void ctl_do_run(struct ctl_conn *cn, struct ctl_request *req);
void ctl_do_cancel(struct ctl_conn *cn, struct ctl_request *req);

/* ctl-tail.c */
struct ctl_tail;
void ctl_do_tail(struct ctl_conn *cn, struct ctl_request *req);
void ctl_tail_free(struct ctl_tail *t);

#endif
