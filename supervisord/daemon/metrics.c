/*
 * Writing the metrics file: node_exporter's textfile collector reads
 * every *.prom file of its directory on each scrape, so stewardd keeps
 * one such file (metrics_file in [steward]) up to date, rewritten every
 * metrics_interval (10s by default) and once more at exit.
 *
 * Atomic replacement.  A reader must never see half a file: the text is
 * written to ".NAME.tmp" in the same directory (node_exporter reads only
 * *.prom, so it never reads the temporary file), closed, and renamed
 * over NAME.  rename(2) within one filesystem replaces the name at once:
 * a scrape gets the old file or the new one, whole.
 *
 * No fsync.  fsync makes the new contents survive a power cut, which
 * these do not need: after a crash stewardd starts again and rewrites
 * the file within one interval, and the numbers from before the crash
 * are stale anyway.  fsync would also wait for the disk, for as long as
 * the disk likes (seconds behind a busy journal), and the loop must not
 * wait: it judges every heartbeat deadline.  ext4 (auto_da_alloc)
 * flushes a file replaced by rename before the rename commits, so a
 * crash there leaves the old file or the new one; other filesystems may
 * leave an empty file, which the next write replaces.
 *
 * Never blocking the loop for long.  Each write begins with a snapshot:
 * the instances' numbers copied into plain structs (struct metrics_doc,
 * with the ward names copied too, since a reload may free a ward while
 * the file is being written).  The text is then rendered and written a
 * piece of METRICS_PIECE bytes per loop iteration, by a check watcher at
 * the lowest priority: it runs after every other callback of the
 * iteration, so beats, deadlines and clients are served between
 * the pieces, and a big file costs the loop many short steps instead of
 * one long one.  Measured for 10,000 instances (11 MB of text, on this
 * project's 2-core VM, ext4): the snapshot about 1 ms, 171 pieces of
 * 0.5 to 1 ms each (up to 6 ms while the kernel throttles writeback),
 * 80 ms in all; the rename over the old file 15 to 25 ms, because ext4
 * (auto_da_alloc) starts writing the new file out when it replaces
 * another.  For 100 instances the whole write is under 1 ms.  Put
 * metrics_file on a local filesystem (the textfile collector's directory
 * is one), not NFS.  While a write goes on, an idle watcher keeps the
 * loop from sleeping in poll, so a piece follows each iteration however
 * busy or quiet the loop is (an idle watcher alone could be starved by
 * a loop that always has events).  A tick that comes while a write is
 * still going is skipped.
 *
 * Failures.  A write that fails at any step (open, write, close, rename:
 * a missing directory, a full disk, permissions) leaves the last
 * complete file in place, removes the temporary one, and is tried again
 * at the next tick.  It is reported in the event log at once, then at
 * most once every METRICS_REPORT_EVERY seconds with the count since the
 * last report; the first success after failures says so.
 *
 * The numbers.  For each instance: its state, its healing restarts by
 * the reason it ended (ward_inst.restarts_by_cause), the age of its last
 * beat, its beats over all its processes, and the tokens left in its
 * restart bucket; for stewardd: its version, start time, orphans reaped
 * and event-log records lost; for each job, its runs by outcome, counted
 * here as job.c reports each run's end (metrics_job_finished()) while
 * a metrics file is kept.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <ev.h>

#include "base/log.h"
#include "daemon/metrics.h"
#include "base/parse.h"
#include "base/safepath.h"
#include "core/steward.h"

#define METRICS_PIECE (64 * 1024)
#define METRICS_REPORT_EVERY 60.0

/* The reasons a healing restart is counted under, in output order. */
static const enum ward_cause metrics_causes[] = {
    WCAUSE_EXIT,              /* "exit": exited with a code */
    WCAUSE_SIGNAL,            /* "signal": killed by a signal */
    WCAUSE_SPAWN_FAILED,      /* "spawn_failed": could not start */
    WCAUSE_HEARTBEAT_TIMEOUT, /* "heartbeat_timeout": hung */
    WCAUSE_START_TIMEOUT,     /* "start_timeout": never ready */
    WCAUSE_TRIGGER,           /* "watchdog_trigger": asked for it */
    WCAUSE_MEMORY,            /* "memory_restart": above it too long */
};
#define METRICS_NCAUSES (sizeof(metrics_causes) / sizeof(metrics_causes[0]))
_Static_assert(METRICS_NCAUSES <= METRICS_REASONS_MAX,
	       "struct metrics_inst has room for every reason");

/* The runs of one job, by outcome (kept across reloads). */
struct metrics_job_count {
	char *job;
	uint64_t runs[JOB_NOUTCOMES];
};

struct metrics {
	struct steward *s;
	ev_timer tick;
	ev_check work; /* one piece per loop iteration, while writing */
	ev_idle nudge; /* keeps the loop from blocking meanwhile */
	char *path;    /* metrics_file */
	char *tmp;     /* ".NAME.tmp" beside it */
	double interval;
	double start_time; /* stewardd's start, Unix seconds */
	/* the write in progress */
	int fd;  /* the temporary file, or -1 */
	int dfd; /* its directory, by the path rule (safepath.h), or -1 */
	struct metrics_doc doc;
	struct metrics_inst *inst;
	size_t capinst;
	size_t *name_at; /* each instance's name in names */
	struct sbuf names;
	const char *states[WARD_NSTATES];
	const char *reasons[METRICS_NCAUSES];
	struct metrics_job *jobs; /* the snapshot's rows */
	size_t capjobs;
	struct metrics_cursor cur;
	struct sbuf out;
	/* failures, reported at most once per METRICS_REPORT_EVERY */
	uint64_t unreported;
	uint64_t failed_since_ok;
	double reported_at;
	bool written; /* some write succeeded */
	/* job runs by job and outcome, since the metrics began */
	struct metrics_job_count *counts;
	size_t ncounts;
};

/* Wall-clock seconds since the Unix epoch. */
static double
metrics_wall(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_REALTIME, &ts) == -1)
		return 0;
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ".NAME.tmp" in the directory of path. */
static char *
metrics_tmp_path(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		return xasprintf(".%s.tmp", path);
	return xasprintf("%.*s/.%s.tmp", (int)(slash - path), path, slash + 1);
}

/* The run counts of job, new (all zero) the first time it is named. */
static struct metrics_job_count *
metrics_job_count(struct metrics *m, const char *job)
{
	for (size_t i = 0; i < m->ncounts; i++)
		if (strcmp(m->counts[i].job, job) == 0)
			return &m->counts[i];
	m->counts = xrealloc(m->counts, (m->ncounts + 1) * sizeof(*m->counts));
	m->counts[m->ncounts] = (struct metrics_job_count){.job = xstrdup(job)};
	return &m->counts[m->ncounts++];
}

/*
 * The snapshot's job rows: every job of the config (zero until it runs)
 * and every job that ran since, one row per outcome.  The names are the
 * counts' own copies, which live as long as m.
 */
static size_t
metrics_collect_jobs(struct metrics *m)
{
	const struct config *c = m->s->cfg;
	size_t n = 0;

	for (size_t i = 0; i < c->njobs; i++)
		(void)metrics_job_count(m, c->jobs[i].name);
	if (m->capjobs < m->ncounts * JOB_NOUTCOMES) {
		m->capjobs = m->ncounts * JOB_NOUTCOMES;
		m->jobs = xrealloc(m->jobs, m->capjobs * sizeof(*m->jobs));
	}
	for (size_t i = 0; i < m->ncounts; i++)
		for (size_t k = 0; k < JOB_NOUTCOMES; k++)
			m->jobs[n++] = (struct metrics_job){
			    .job = m->counts[i].job,
			    .outcome = job_outcome_name((enum job_outcome)k),
			    .runs = m->counts[i].runs[k],
			};
	return n;
}

/* An instance's cgroup usage, when it has a cgroup. */
static void
metrics_collect_cgroup(struct steward *s, struct ward_inst *wi,
		       struct metrics_inst *mi)
{
	struct ward_cg_usage u;

	steward_cgroup_usage(s, wi, &u);
	mi->has_cgroup = u.tracked;
	mi->cpu_seconds = (double)u.cpu_total_usec / 1e6;
	mi->procs = u.procs;
	mi->has_memory = u.has_memory;
	mi->memory = u.memory;
}

/* Copy what the file will say about s into m->doc. */
static void
metrics_collect(struct metrics *m)
{
	struct steward *s = m->s;
	double now = steward_now();
	size_t n = 0, njobs, total = 0;
	bool usage;

	m->names.len = 0;
	for (size_t i = 0; i < s->nwards; i++)
		total += s->wards[i]->ninst;
	/* Usage costs cgroupfs reads: only for a bounded number. */
	usage = total <= STEWARD_CG_USAGE_MAX;
	for (size_t i = 0; i < s->nwards; i++) {
		struct ward_rt *wr = s->wards[i];
		size_t at = m->names.len;

		if (wr->spec->is_job)
			continue;
		sbuf_add(&m->names, wr->spec->name, strlen(wr->spec->name) + 1);
		for (unsigned j = 0; j < wr->ninst; j++) {
			struct ward_inst *wi = wr->inst[j];
			struct metrics_inst *mi;
			bool live = steward_inst_has_pid(wi);

			if (n == m->capinst) {
				m->capinst = m->capinst ? m->capinst * 2 : 64;
				m->inst = xrealloc(
				    m->inst, m->capinst * sizeof(*m->inst));
				m->name_at =
				    xrealloc(m->name_at,
					     m->capinst * sizeof(*m->name_at));
			}
			mi = &m->inst[n];
			m->name_at[n++] = at;
			*mi = (struct metrics_inst){
			    .replica = wi->replica,
			    .state = (unsigned)wi->sm.state,
			    .last_beat_age = -1,
			    .beats = wi->beats_past + wi->beats,
			    .tokens = bucket_tokens(&wi->sm.bucket, now),
			};
			if (live && wr->spec->pol.heartbeat != WARD_HB_NONE &&
			    wi->beats > 0)
				mi->last_beat_age =
				    fmax(0, now - wi->sm.last_beat);
			for (size_t k = 0; k < METRICS_NCAUSES; k++)
				mi->restarts[k] =
				    wi->restarts_by_cause[metrics_causes[k]];
			if (usage)
				metrics_collect_cgroup(s, wi, mi);
		}
	}
	/* The names are all in place: names.s moves no more. */
	for (size_t i = 0; i < n; i++)
		m->inst[i].ward = m->names.s + m->name_at[i];
	njobs = metrics_collect_jobs(m); /* before m->jobs is read */
	m->doc = (struct metrics_doc){
	    .version = STEWARD_VERSION,
	    .start_time = m->start_time,
	    .orphans_reaped = s->orphans_reaped,
	    .events_lost = evlog_lost(s->log),
	    .states = m->states,
	    .nstates = WARD_NSTATES,
	    .reasons = m->reasons,
	    .nreasons = METRICS_NCAUSES,
	    .inst = m->inst,
	    .ninst = n,
	    .jobs = m->jobs,
	    .njobs = njobs,
	};
	m->cur = (struct metrics_cursor){0};
	m->out.len = 0;
}

/* Nothing: while active, it only keeps the loop from blocking. */
static void
metrics_nudge_cb(struct ev_loop *loop, ev_idle *w, int revents)
{
	(void)loop;
	(void)w;
	(void)revents;
}

/* Stop writing pieces (the write is over, or abandoned). */
static void
metrics_pause(struct metrics *m)
{
	ev_check_stop(m->s->loop, &m->work);
	ev_idle_stop(m->s->loop, &m->nudge);
}

/* The last name of a path. */
static const char *
metrics_base(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash != NULL ? slash + 1 : path;
}

/* Close the directory of a write. */
static void
metrics_close_dir(struct metrics *m)
{
	if (m->dfd >= 0)
		(void)close(m->dfd);
	m->dfd = -1;
}

/* Close and remove the temporary file of a write that will not end. */
static void
metrics_abandon(struct metrics *m)
{
	if (m->fd >= 0) {
		(void)close(m->fd);
		m->fd = -1;
		if (unlinkat(m->dfd, metrics_base(m->tmp), 0) == -1 &&
		    errno != ENOENT)
			log_line("%-12s %-8s cannot remove %s: %s", "stewardd",
				 "metrics", m->tmp, strerror(errno));
	}
	metrics_close_dir(m);
	metrics_pause(m);
}

/* A write failed: keep the old file; say so, at most once a while. */
static void
metrics_failed(struct metrics *m, struct err *e)
{
	struct steward *s = m->s;
	double now = steward_now();
	char next[96], d[32];
	struct evlog_rec r;
	uint64_t id;
	char *msg;

	metrics_abandon(m);
	m->unreported++;
	m->failed_since_ok++;
	if (m->reported_at > 0 && now - m->reported_at < METRICS_REPORT_EVERY) {
		err_free(e);
		return;
	}
	parse_format_duration((int64_t)llround(m->interval * 1000), d,
			      sizeof(d));
	snprintf(next, sizeof(next), "%s; trying again in %s",
		 m->written ? "keeping the last complete file" : "no file yet",
		 d);
	e = ERR_WRAP_P(e, "cannot write the metrics file %s", m->path);
	msg = err_person_message(e);
	id = evlog_next_id(s->log);
	evlog_begin(&r, s->log, EVLOG_WARN, "metrics_write_failed");
	evlog_str(&r, "path", m->path);
	evlog_int(&r, "failures", (long long)m->unreported);
	evlog_str(&r, "reason", next);
	evlog_err(&r, id, e);
	evlog_commit(&r);
	if (!s->log_is_stderr)
		log_line("%-12s %-8s %s (%s) [log %llu]", "stewardd", "metrics",
			 msg, next, (unsigned long long)id);
	free(msg);
	err_free(e);
	m->unreported = 0;
	m->reported_at = now;
}

/* Write all of the rendered piece; -1 and *errp on failure. */
static int
metrics_write_out(struct metrics *m, struct err **errp)
{
	size_t done = 0;

	while (done < m->out.len) {
		ssize_t n = write(m->fd, m->out.s + done, m->out.len - done);

		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			*errp = ERR_SYS("writing %s", m->tmp);
			return -1;
		}
		done += (size_t)n;
	}
	m->out.len = 0;
	return 0;
}

/* The whole file is written: close it and put it in place. */
static int
metrics_finish(struct metrics *m, struct err **errp)
{
	int fd = m->fd;

	const char *tmp = metrics_base(m->tmp);
	int rc = 0;

	m->fd = -1;
	if (close(fd) == -1) {
		*errp = ERR_SYS("closing %s", m->tmp);
		(void)unlinkat(m->dfd, tmp, 0);
		rc = -1;
	} else if (renameat(m->dfd, tmp, m->dfd, metrics_base(m->path)) == -1) {
		*errp = ERR_SYS("renaming %s to %s", m->tmp, m->path);
		(void)unlinkat(m->dfd, tmp, 0);
		rc = -1;
	}
	metrics_close_dir(m);
	return rc;
}

/* A write succeeded: after failures, say that it works again. */
static void
metrics_ok(struct metrics *m)
{
	struct evlog_rec r;

	m->written = true;
	if (m->failed_since_ok == 0)
		return;
	evlog_begin(&r, m->s->log, EVLOG_INFO, "metrics_written");
	evlog_str(&r, "path", m->path);
	evlog_int(&r, "failures", (long long)m->failed_since_ok);
	evlog_str(&r, "reason", "the metrics file is written again");
	evlog_commit(&r);
	m->failed_since_ok = 0;
	m->unreported = 0;
	m->reported_at = 0;
}

/* Take a snapshot and open the temporary file; -1 and *errp on failure. */
static int
metrics_begin(struct metrics *m, struct err **errp)
{
	struct safepath_why why;
	const char *name;
	char msg[512];

	metrics_collect(m);
	/*
	 * The directory by the path rule; the temporary file made anew
	 * (O_EXCL: never one another user left there) and renamed within
	 * that directory, by descriptor.
	 */
	m->dfd = safepath_parent(m->path, &name, &why);
	if (m->dfd == -1) {
		*errp =
		    ERR_NEW("opening the directory of %s: %s", m->path,
			    safepath_describe(&why, errno, msg, sizeof(msg)));
		return -1;
	}
	if (unlinkat(m->dfd, metrics_base(m->tmp), 0) == -1 &&
	    errno != ENOENT) {
		*errp = ERR_SYS("removing an old %s", m->tmp);
		metrics_close_dir(m);
		return -1;
	}
	m->fd = openat(m->dfd, metrics_base(m->tmp),
		       O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY |
			   O_NOFOLLOW,
		       0644);
	if (m->fd == -1) {
		*errp = ERR_SYS("opening %s", m->tmp);
		metrics_close_dir(m);
		return -1;
	}
	return 0;
}

/* Render and write one piece; finish the file after the last one. */
static void
metrics_work_cb(struct ev_loop *loop, ev_check *w, int revents)
{
	struct metrics *m = container_of(w, struct metrics, work);
	struct err *e = NULL;
	bool done;

	(void)loop;
	(void)revents;
	done = metrics_render(&m->doc, &m->cur, &m->out, METRICS_PIECE);
	if (metrics_write_out(m, &e) == -1) {
		metrics_failed(m, e);
		return;
	}
	if (!done)
		return;
	metrics_pause(m);
	if (metrics_finish(m, &e) == -1) {
		metrics_failed(m, e);
		return;
	}
	metrics_ok(m);
}

/* The interval passed: begin a write, unless one is still going. */
static void
metrics_tick_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct metrics *m = container_of(t, struct metrics, tick);
	struct err *e = NULL;

	(void)revents;
	if (m->fd >= 0)
		return;
	if (metrics_begin(m, &e) == -1) {
		metrics_failed(m, e);
		return;
	}
	ev_check_start(loop, &m->work);
	ev_idle_start(loop, &m->nudge);
}

/* Write the whole file now, blocking (at exit). */
static void
metrics_write_now(struct metrics *m)
{
	struct err *e = NULL;

	metrics_abandon(m);
	if (metrics_begin(m, &e) == -1) {
		metrics_failed(m, e);
		return;
	}
	while (!metrics_render(&m->doc, &m->cur, &m->out, METRICS_PIECE)) {
		if (metrics_write_out(m, &e) == -1) {
			metrics_failed(m, e);
			return;
		}
	}
	if (metrics_write_out(m, &e) == -1 || metrics_finish(m, &e) == -1) {
		metrics_failed(m, e);
		return;
	}
	metrics_ok(m);
}

/* Stop the timer and any write, and free everything. */
static void
metrics_free(struct steward *s)
{
	struct metrics *m = s->metrics;

	if (m == NULL)
		return;
	metrics_abandon(m);
	ev_timer_stop(s->loop, &m->tick);
	free(m->path);
	free(m->tmp);
	free(m->inst);
	free(m->name_at);
	free(m->jobs);
	for (size_t i = 0; i < m->ncounts; i++)
		free(m->counts[i].job);
	free(m->counts);
	sbuf_free(&m->names);
	sbuf_free(&m->out);
	free(m);
	s->metrics = NULL;
}

/* Start, or apply a changed config; see metrics.h. */
void
metrics_start(struct steward *s)
{
	const struct config *c = s->cfg;
	struct metrics *m = s->metrics;
	double interval = (double)c->metrics_interval_ms / 1000;

	if (c->metrics_file == NULL) {
		metrics_free(s);
		return;
	}
	if (m != NULL && strcmp(m->path, c->metrics_file) == 0 &&
	    m->interval == interval)
		return;
	if (m == NULL) {
		m = s->metrics = xcalloc(1, sizeof(*m));
		m->s = s;
		m->fd = -1;
		m->dfd = -1;
		m->start_time =
		    metrics_wall() - (steward_now() - s->started_at);
		for (unsigned k = 0; k < WARD_NSTATES; k++)
			m->states[k] = ward_state_name((enum ward_state)k);
		for (size_t k = 0; k < METRICS_NCAUSES; k++)
			m->reasons[k] = ward_cause_name(metrics_causes[k]);
		ev_timer_init(&m->tick, metrics_tick_cb, 0, 0);
		ev_check_init(&m->work, metrics_work_cb);
		ev_set_priority(&m->work, EV_MINPRI);
		ev_idle_init(&m->nudge, metrics_nudge_cb);
		ev_set_priority(&m->nudge, EV_MINPRI);
	}
	/* A new path or interval: start over with a write at once. */
	metrics_abandon(m);
	free(m->path);
	free(m->tmp);
	m->path = xstrdup(c->metrics_file);
	m->tmp = metrics_tmp_path(m->path);
	m->interval = interval;
	ev_timer_stop(s->loop, &m->tick);
	ev_timer_set(&m->tick, 0, interval);
	ev_timer_start(s->loop, &m->tick);
}

/* Write one last time, then stop; see metrics.h. */
void
metrics_stop(struct steward *s)
{
	if (s->metrics == NULL)
		return;
	metrics_write_now(s->metrics);
	metrics_free(s);
}

/* Count a job run's outcome; see metrics.h. */
void
metrics_job_finished(struct steward *s, const char *job,
		     enum job_outcome outcome)
{
	if (s->metrics == NULL || job == NULL ||
	    (unsigned)outcome >= JOB_NOUTCOMES)
		return;
	metrics_job_count(s->metrics, job)->runs[outcome]++;
}
