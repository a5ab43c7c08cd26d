/*
 * A cgroup per instance: nothing a ward starts outlives its stop.
 *
 * Layout.  At start stewardd finds the cgroup v2 hierarchy in
 * /proc/self/mountinfo and its own cgroup in /proc/self/cgroup, and makes
 * one directory for itself below its own cgroup, named after its control
 * socket (so that the next stewardd on the same socket finds it again):
 *
 *   <own cgroup>/steward-<8 hex digits>/ward:<NAME>/<replica>
 *   <own cgroup>/steward-<8 hex digits>/job:<NAME>:<run>/<replica>
 *
 * The child joins its replica's cgroup before exec (ward-spawn.c), so
 * everything it starts, double-forked and setsid'ed or not, is in there.
 * The directories are opened once, relative to the descriptor of
 * stewardd's own (cgroup.c: openat, O_NOFOLLOW, O_CLOEXEC); an instance
 * holds its directory's descriptor while it has processes.
 *
 * Ending.  When the main process ends (stopped, or on its own) and the
 * cgroup still has processes, they get the stop signal and, at the stop's
 * SIGKILL deadline (or stop_timeout later when no stop was under way),
 * SIGKILL all together (cgroup.kill, or freeze and kill each), as
 * systemd's KillMode=control-group does; and the exit event is held:
 * the state machine hears of the end only once cgroup.events says
 * "populated 0".  That is heard, not polled: one inotify descriptor in
 * the loop watches the instances' cgroup.events (IN_MODIFY), and a
 * table maps watches to instances.  An instance is watched from the
 * first time processes outlive its main one, not from its first spawn:
 * most never need it, and a watch costs a lookup and a kernel object
 * (6 % of the loop's time in a start of 10,000).  Changes the kernel
 * drops (its queue overflowed while the loop was held up) are made up
 * for by looking at every held instance.  A held instance counts as
 * live, so a restart, a reload or stewardd's shutdown waits for it, and
 * two instances of a replica never overlap even through their strays.
 *
 * Delegation.  The kernel enables no controller in the
 * cgroup.subtree_control of a cgroup that has processes (but in the
 * root): under systemd (Delegate=yes) or any delegated subtree,
 * stewardd's own cgroup has stewardd in it.  So when a limit key needs a
 * controller that our cgroup offers (cgroup.controllers) but that cannot
 * be enabled below it because stewardd (and its guard, forked into the
 * same cgroup) are its only processes, both move into a leaf beside our
 * directory, and the controllers are enabled from there down:
 *
 *   <own cgroup>/steward-<8 hex digits>.stewardd   stewardd, its guard
 *
 * Only then: without limit keys, or with stewardd in the root cgroup,
 * nothing moves.  A process not ours in the cgroup stays (we must not
 * move it), and the limit key fails saying so.  An orderly exit turns
 * those controllers off again, moves stewardd back and removes the leaf;
 * after a SIGKILL the guard ends the wards' tree, and the next stewardd
 * on the socket (started in our cgroup once its controllers are off: the
 * kernel lets no process in before) removes it, ending what is in it.
 *
 * Leftovers.  A stewardd killed with SIGKILL leaves its directory; the
 * guard (guard.c) kills what is in it, and the next stewardd on the same
 * socket kills whatever is still there (a guard killed too), waits for
 * it to go, and removes the old directories before it starts a ward.
 *
 * Without a writable cgroup v2 hierarchy ([steward] cgroups = auto)
 * stewardd says once why and supervises by process group as before;
 * cgroups = required refuses to start instead, cgroups = off never looks.
 *
 * Cost: two small file reads and one write per spawn (cgroup.procs or
 * clone3), one read per end, nothing per beat.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "core/cgroup.h"
#include "base/log.h"
#include "core/steward.h"

#define CG_BUCKETS 1024
/* Seconds a killed stewardd's leftovers may take to end at start. */
#define CG_LEFTOVER_WAIT 5.0
/* Replicas from which a storm of ends reads the ward's cpu.stat first. */
#define CG_FLUSH_WARD_MIN 64
/* How long a usage read serves status and metrics (seconds). */
#define CG_USAGE_FRESH 1.0
/* How often memory_restart looks at memory.current. */
#define CG_MEMORY_EVERY 1.0

/* A watch → instance entry of the table. */
struct ward_cg_link {
	int wd;
	struct ward_inst *wi;
	struct ward_cg_link *next;
};

struct steward_cg {
	int own_fd;        /* stewardd's own cgroup */
	int root_fd;       /* <own>/steward-<id> */
	char *path;        /* the latter's absolute path, for people */
	bool own_root;     /* our own cgroup is the hierarchy's root */
	bool moved;        /* stewardd moved to <own>/steward-<id>.stewardd */
	char enabled[256]; /* its cgroup.subtree_control */
	int ino_fd;
	ev_io ino_io;
	ev_timer memory;
	struct ward_cg_link *buckets[CG_BUCKETS];
	/* the ward whose cpu.stat was read last, and in which iteration
	 * (the loop's woke_at): see cg_flush_ward() */
	const struct ward_rt *flushed;
	double flushed_at;
};

/* FNV-1a, 32 bits: the directory's name from the socket's path. */
static uint32_t
cg_hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* The watch table's bucket of wd. */
static struct ward_cg_link **
cg_bucket(struct steward_cg *c, int wd)
{
	return &c->buckets[(unsigned)wd % CG_BUCKETS];
}

/* The instance watching wd, or NULL. */
static struct ward_inst *
cg_find(struct steward_cg *c, int wd)
{
	for (struct ward_cg_link *l = *cg_bucket(c, wd); l; l = l->next)
		if (l->wd == wd)
			return l->wi;
	return NULL;
}

/* Forget the instance's watch (the kernel's and the table's). */
static void
cg_unwatch(struct steward_cg *c, struct ward_inst *wi)
{
	struct ward_cg_link **pp;

	if (wi->cg.wd < 0)
		return;
	for (pp = cg_bucket(c, wi->cg.wd); *pp != NULL; pp = &(*pp)->next) {
		if ((*pp)->wi == wi) {
			struct ward_cg_link *l = *pp;

			*pp = l->next;
			free(l);
			break;
		}
	}
	(void)inotify_rm_watch(c->ino_fd, wi->cg.wd);
	wi->cg.wd = -1;
}

/*
 * Watch the instance's cgroup.events; its directory is open as fd.
 * Added at each linger, not kept from the last: the cgroup removed from
 * outside while the instance was down (a root ward, a cleanup of the
 * tree) is made again by its next spawn, and the old watch, on the
 * removed file, would never hear the new one empty.
 */
static int
cg_watch(struct steward_cg *c, struct ward_inst *wi, int fd, struct err **errp)
{
	char path[64];
	struct ward_cg_link *l;
	int wd;

	/* Through our own descriptor: no path in the tree is walked. */
	snprintf(path, sizeof(path), "/proc/self/fd/%d/cgroup.events", fd);
	wd = inotify_add_watch(c->ino_fd, path, IN_MODIFY | IN_DONT_FOLLOW);
	if (wd == -1) {
		*errp = ERR_SYS("watching cgroup.events");
		return -1;
	}
	/* The same file as before gives the same watch. */
	if (wd == wi->cg.wd)
		return 0;
	cg_unwatch(c, wi); /* the removed file's, if any */
	/* The same inode twice gives the same watch: keep one entry. */
	if (cg_find(c, wd) == NULL) {
		l = xcalloc(1, sizeof(*l));
		l->wd = wd;
		l->wi = wi;
		l->next = *cg_bucket(c, wd);
		*cg_bucket(c, wd) = l;
	}
	wi->cg.wd = wd;
	return 0;
}

/* Close the instance's directory. */
static void
cg_close_fd(struct ward_inst *wi)
{
	if (wi->cg.fd >= 0 && close(wi->cg.fd) == -1 && errno != EINTR)
		log_warnx("cannot close a cgroup directory: %s",
			  strerror(errno));
	wi->cg.fd = -1;
}

/* The directory of the instance's ward: "ward:web", "job:q:7". */
static void
cg_ward_name(const struct ward_rt *wr, char *buf, size_t len)
{
	if (wr->run != NULL)
		snprintf(buf, len, "job:%s:%llu", wr->spec->name,
			 (unsigned long long)wr->run_id);
	else
		snprintf(buf, len, "ward:%s", wr->spec->name);
}

/* "ward:web/0": the instance's cgroup below stewardd's. */
static void
cg_inst_path(const struct ward_inst *wi, char *buf, size_t len)
{
	char wname[300];

	cg_ward_name(wi->ward, wname, sizeof(wname));
	snprintf(buf, len, "%s/%u", wname, wi->replica);
}

/* Are any controllers on for the wards' cgroups (else: no files of
 * theirs to read)? */
static bool
cg_controllers_on(const struct steward_cg *c)
{
	return c->enabled[strspn(c->enabled, " \n")] != '\0';
}

/* A held instance's cgroup is empty: hand its exit on. */
static void
cg_release(struct steward *s, struct ward_inst *wi)
{
	struct ward_input in = wi->cg.exit;

	ev_timer_stop(s->loop, &wi->cg.kill_timer);
	wi->cg.linger = false;
	wi->cg.has_exit = false;
	cg_close_fd(wi);
	in.now = steward_now();
	steward_exit_held(s, wi, &in);
}

/*
 * The cgroup.events of watch wd changed: release its instance if it is
 * held and its cgroup empty now.  Looked up by wd each time: a release
 * may free instances (a job run's end).
 */
static void
cg_heard(struct steward *s, int wd)
{
	struct steward_cg *c = s->cg;
	struct ward_inst *wi = cg_find(c, wd);
	struct err *e = NULL;
	char at[320];
	int pop;

	if (wi == NULL || !wi->cg.linger)
		return;
	cg_inst_path(wi, at, sizeof(at));
	pop = cgroup_populated(c->root_fd, at, &e);
	/* -1: the directory is gone; so are they. */
	err_free(e);
	if (pop != 1)
		cg_release(s, wi);
}

/*
 * The kernel's inotify queue overflowed (more changes than
 * fs.inotify.max_queued_events while the loop was held up): the changes
 * after it were dropped, and a held instance whose "populated 0" was
 * among them would wait forever, its cgroup empty.  So each held
 * instance is looked at as if its cgroup.events had changed.
 */
static void
cg_heard_all(struct steward *s)
{
	struct steward_cg *c = s->cg;
	struct evlog_rec r;
	int *wds = NULL;
	size_t n = 0, cap = 0;

	for (int i = 0; i < CG_BUCKETS; i++) {
		for (struct ward_cg_link *l = c->buckets[i]; l; l = l->next) {
			if (!l->wi->cg.linger)
				continue;
			if (n == cap) {
				cap = cap ? 2 * cap : 64;
				wds = xrealloc(wds, cap * sizeof(*wds));
			}
			wds[n++] = l->wd;
		}
	}
	evlog_begin(&r, s->log, EVLOG_WARN, "cgroup_events_lost");
	evlog_int(&r, "held", (long long)n);
	evlog_str(&r, "reason",
		  "the kernel's inotify queue overflowed "
		  "(fs.inotify.max_queued_events) and dropped changes of "
		  "cgroup.events: each held instance's cgroup is looked at "
		  "again");
	evlog_commit(&r);
	for (size_t i = 0; i < n; i++)
		cg_heard(s, wds[i]);
	free(wds);
}

/* cgroup.events changed somewhere: release the instances now empty. */
static void
cg_inotify_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct steward *s = w->data;
	struct steward_cg *c = s->cg;
	char buf[4096]
	    __attribute__((aligned(__alignof__(struct inotify_event))));
	bool lost = false;

	(void)loop;
	(void)revents;
	for (;;) {
		ssize_t n = read(c->ino_fd, buf, sizeof(buf));

		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break; /* EAGAIN: all read */
		for (char *p = buf; p < buf + n;) {
			struct inotify_event *ev = (struct inotify_event *)p;

			p += sizeof(*ev) + ev->len;
			if (ev->mask & IN_Q_OVERFLOW)
				lost = true;
			else
				cg_heard(s, ev->wd);
		}
	}
	if (lost)
		cg_heard_all(s);
}

/* Say once why cgroups are not used (and, if required, refuse). */
static int
cg_unavailable(struct steward *s, struct err *e)
{
	char *msg = err_str(e);
	struct evlog_rec r;
	bool required = s->cfg->cgroups == CONFIG_CGROUPS_REQUIRED;

	evlog_begin(&r, s->log, required ? EVLOG_ERROR : EVLOG_WARN,
		    "cgroups_unavailable");
	evlog_str(&r, "reason", msg);
	evlog_str(&r, "impact",
		  required ? "[steward] cgroups = required: stewardd does "
			     "not start"
			   : "wards are tracked by process group only: a "
			     "process that leaves its group (setsid) "
			     "outlives a restart");
	evlog_commit(&r);
	log_warnx("%s wards by cgroup: %s%s",
		  required ? "cannot start: cannot track" : "not tracking", msg,
		  required ? " ([steward] cgroups = required)"
			   : " (process groups only; [steward] cgroups = off "
			     "silences this)");
	free(msg);
	err_free(e);
	return required ? -1 : 0;
}

/* End each cgroup a killed stewardd left in ours; say what was found. */
static void
cg_end_leftovers(struct steward *s)
{
	struct steward_cg *c = s->cg;
	int dup_fd = fcntl(c->root_fd, F_DUPFD_CLOEXEC, 0);
	DIR *d = dup_fd >= 0 ? fdopendir(dup_fd) : NULL;
	struct dirent *de;
	long long procs = 0, dirs = 0;
	struct sbuf names = {0};

	if (d == NULL) {
		if (dup_fd >= 0)
			close(dup_fd);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		struct err *e = NULL;
		int n;

		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		n = cgroup_end_tree(c->root_fd, de->d_name, CG_LEFTOVER_WAIT,
				    &e);
		if (n == -1) {
			char *msg = err_str(e);

			log_warnx("cannot end the cgroup %s/%s left behind: %s",
				  c->path, de->d_name, msg);
			free(msg);
			err_free(e);
			continue;
		}
		dirs++;
		procs += n;
		sbuf_addf(&names, "%s%s", names.s ? " " : "", de->d_name);
	}
	closedir(d);
	if (dirs > 0) {
		struct evlog_rec r;

		evlog_begin(&r, s->log, procs ? EVLOG_WARN : EVLOG_INFO,
			    "cgroup_leftovers");
		evlog_int(&r, "procs", procs);
		evlog_int(&r, "cgroups", dirs);
		evlog_str(&r, "names", names.s);
		evlog_str(&r, "reason",
			  "cgroups of an earlier stewardd on this socket were "
			  "found; what was in them was killed");
		evlog_commit(&r);
		if (procs > 0)
			log_warnx("killed %lld process%s left behind in %s by "
				  "an earlier stewardd",
				  procs, procs == 1 ? "" : "es", c->path);
	}
	sbuf_free(&names);
}

static void cg_memory_cb(struct ev_loop *loop, ev_timer *w, int revents);

/* The leaf stewardd moves into: "steward-<id>.stewardd". */
static void
cg_leaf_name(const struct steward_cg *c, char *buf, size_t len)
{
	snprintf(buf, len, "%s.stewardd", strrchr(c->path, '/') + 1);
}

/* Remove the leaf a killed stewardd left (ending its guard if alive). */
static void
cg_end_leaf(struct steward_cg *c)
{
	char leaf[64];
	struct err *e = NULL;

	cg_leaf_name(c, leaf, sizeof(leaf));
	if (cgroup_end_tree(c->own_fd, leaf, CG_LEFTOVER_WAIT, &e) == -1) {
		char *msg = err_str(e);

		log_warnx("cannot end the cgroup %s.stewardd left behind: %s",
			  c->path, msg);
		free(msg);
		err_free(e);
	}
}

/* Find, make and clean stewardd's cgroup; see steward-cgroup.h. */
int
steward_cgroup_open(struct steward *s)
{
	struct steward_cg *c;
	struct err *e = NULL;
	char *own_path = NULL, *sock, name[32];
	int own;

	if (s->cfg->cgroups == CONFIG_CGROUPS_OFF)
		return 0;
	own = cgroup_open_own(&own_path, &e);
	if (own == -1) {
		free(own_path);
		return cg_unavailable(s, e);
	}
	sock =
	    s->cfg->socket ? xstrdup(s->cfg->socket) : config_default_socket();
	snprintf(name, sizeof(name), "steward-%08x",
		 (unsigned)cg_hash(sock ? sock : s->cfg->path));
	free(sock);
	c = xcalloc(1, sizeof(*c));
	c->own_fd = own;
	c->ino_fd = -1;
	c->path = xasprintf("%s/%s", own_path, name);
	free(own_path);
	/* Only a non-root cgroup has cgroup.type (cgroup-v2.rst). */
	c->own_root =
	    faccessat(own, "cgroup.type", F_OK, 0) == -1 && errno == ENOENT;
	c->root_fd = cgroup_open_child(own, name, true, &e);
	if (c->root_fd == -1) {
		e = ERR_WRAP(e, "cannot make %s", c->path);
		goto fail;
	}
	cg_end_leaf(c); /* a killed stewardd's, see the top */
	if (faccessat(c->root_fd, "cgroup.procs", W_OK, 0) == -1) {
		e = ERR_SYS("cannot write %s/cgroup.procs", c->path);
		goto fail;
	}
	c->ino_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (c->ino_fd == -1) {
		e = ERR_SYS("cannot make an inotify descriptor");
		goto fail;
	}
	if (cgroup_read(c->root_fd, "cgroup.subtree_control", c->enabled,
			sizeof(c->enabled)) == -1)
		c->enabled[0] = '\0';
	s->cg = c;
	cg_end_leftovers(s);
	ev_io_init(&c->ino_io, cg_inotify_cb, c->ino_fd, EV_READ);
	c->ino_io.data = s;
	ev_io_start(s->loop, &c->ino_io);
	ev_timer_init(&c->memory, cg_memory_cb, CG_MEMORY_EVERY,
		      CG_MEMORY_EVERY);
	c->memory.data = s; /* started by the first memory_restart spawn */
	{
		struct evlog_rec r;
		char avail[256] = "";

		(void)cgroup_read(c->own_fd, "cgroup.controllers", avail,
				  sizeof(avail));
		avail[strcspn(avail, "\n")] = '\0';
		evlog_begin(&r, s->log, EVLOG_INFO, "cgroups");
		evlog_str(&r, "path", c->path);
		evlog_str(&r, "controllers", avail);
		evlog_commit(&r);
	}
	return 0;
fail:
	if (c->ino_fd >= 0)
		close(c->ino_fd);
	if (c->root_fd >= 0)
		close(c->root_fd);
	close(c->own_fd);
	free(c->path);
	free(c);
	s->cg = NULL;
	return cg_unavailable(s, e);
}

/* The guard's way in; see steward-cgroup.h. */
struct guard_cgroup
steward_cgroup_guard(const struct steward *s)
{
	struct guard_cgroup g = {.parent = -1, .name = NULL};

	if (s->cg != NULL) {
		g.parent = s->cg->own_fd;
		g.name = strrchr(s->cg->path, '/') + 1;
	}
	return g;
}

/*
 * At an orderly exit, after a move (see the top): our cgroup had no
 * controller on below it before (it had us in it), so each on now is
 * ours to turn off; then stewardd goes back and the leaf goes.
 */
static void
cg_move_back(struct steward_cg *c)
{
	char on[256] = "", off[300] = "", leaf[64];
	size_t at = 0;
	struct err *e = NULL;
	char pid[24];

	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	(void)cgroup_read(c->own_fd, "cgroup.subtree_control", on, sizeof(on));
	for (char *save = NULL, *t = strtok_r(on, " \n", &save); t != NULL;
	     t = strtok_r(NULL, " \n", &save))
		at += (size_t)snprintf(off + at, sizeof(off) - at, "%s-%s",
				       at ? " " : "", t);
	cg_leaf_name(c, leaf, sizeof(leaf));
	if ((at == 0 ||
	     cgroup_write(c->own_fd, "cgroup.subtree_control", off, &e) == 0) &&
	    cgroup_write(c->own_fd, "cgroup.procs", pid, &e) == 0 &&
	    unlinkat(c->own_fd, leaf, AT_REMOVEDIR) == -1)
		e = ERR_SYS("removing cgroup %s", leaf);
	if (e != NULL) {
		char *msg = err_str(e);

		log_warnx("cannot leave %s.stewardd: %s", c->path, msg);
		free(msg);
		err_free(e);
	}
}

/* Remove our cgroups at exit; see steward-cgroup.h. */
void
steward_cgroup_close(struct steward *s)
{
	struct steward_cg *c = s->cg;
	struct err *e = NULL;
	const char *name;

	if (c == NULL)
		return;
	ev_io_stop(s->loop, &c->ino_io);
	ev_timer_stop(s->loop, &c->memory);
	for (int i = 0; i < CG_BUCKETS; i++) {
		while (c->buckets[i] != NULL) {
			struct ward_cg_link *l = c->buckets[i];

			c->buckets[i] = l->next;
			l->wi->cg.wd = -1;
			free(l);
		}
	}
	close(c->ino_fd);
	close(c->root_fd);
	name = strrchr(c->path, '/') + 1;
	/* Every ward has ended: a short wait is for strays only. */
	if (cgroup_end_tree(c->own_fd, name, 1.0, &e) == -1) {
		char *msg = err_str(e);

		log_warnx("cannot remove %s: %s", c->path, msg);
		free(msg);
		err_free(e);
	}
	if (c->moved)
		cg_move_back(c);
	close(c->own_fd);
	free(c->path);
	free(c);
	s->cg = NULL;
}

/*
 * Leave our own cgroup for the leaf if the controllers of need can be
 * enabled only so (see the top).  0, or -1 and *errp.
 */
static int
cg_move_if_needed(struct steward *s, const char *need, struct err **errp)
{
	struct steward_cg *c = s->cg;
	const pid_t ours[] = {getpid(), s->guard.pid};
	char ctl[32], leaf[64];
	struct evlog_rec r;

	if (c->own_root || c->moved)
		return 0;
	switch (
	    cgroup_move_needed(c->own_fd, need, ours, 2, ctl, sizeof(ctl))) {
	case CGROUP_STAY:
		return 0;
	case CGROUP_SHARED:
		*errp = ERR_NEW("processes other than stewardd's are in its "
				"cgroup, and the kernel enables no controller "
				"below a cgroup with processes");
		return -1;
	case CGROUP_MOVE:
		break;
	}
	cg_leaf_name(c, leaf, sizeof(leaf));
	if (cgroup_move_into(c->own_fd, leaf, ours, 2, errp) == -1)
		return -1;
	c->moved = true;
	evlog_begin(&r, s->log, EVLOG_INFO, "cgroup_moved");
	evlog_str(&r, "to", leaf);
	evlog_str(&r, "controller", ctl);
	evlog_str(&r, "reason",
		  "stewardd left its own cgroup for a leaf: the kernel enables "
		  "no controller below a cgroup with processes");
	evlog_commit(&r);
	return 0;
}

/*
 * Make sure the controllers l needs are enabled for the wards' cgroups:
 * in our own cgroup and in stewardd's.  -1 and *errp naming the key.
 */
static int
cg_controllers(struct steward *s, const struct cgroup_limits *l,
	       struct err **errp)
{
	struct steward_cg *c = s->cg;
	char need[160], miss[32], avail[256] = "";
	const char *m;
	struct err *e = NULL;

	cgroup_limits_controllers(l, need, sizeof(need));
	if (cgroup_missing(need, c->enabled, miss, sizeof(miss)) == NULL)
		return 0;
	if (cg_move_if_needed(s, need, &e) == 0 &&
	    cgroup_enable(c->own_fd, need, &e) == 0)
		(void)cgroup_enable(c->root_fd, need, &e);
	if (cgroup_read(c->root_fd, "cgroup.subtree_control", c->enabled,
			sizeof(c->enabled)) == -1)
		c->enabled[0] = '\0';
	m = cgroup_missing(need, c->enabled, miss, sizeof(miss));
	if (m == NULL) {
		err_free(e);
		return 0;
	}
	(void)cgroup_read(c->own_fd, "cgroup.controllers", avail,
			  sizeof(avail));
	avail[strcspn(avail, "\n")] = '\0';
	*errp = ERR_WRAP(
	    e != NULL ? e : ERR_NEW("not in %s's cgroup.subtree_control", m),
	    "%s needs the %s controller, which is not enabled for %s "
	    "(available: %s)",
	    cgroup_limits_key(l, m), m, c->path, avail[0] ? avail : "none");
	err_set(*errp, "controller", "%s", m);
	return -1;
}

/* Make, limit, open and watch the instance's cgroup; steward-cgroup.h. */
int
steward_cgroup_prepare(struct steward *s, struct ward_inst *wi,
		       struct err **errp)
{
	struct steward_cg *c = s->cg;
	const struct cgroup_limits *l = &wi->ward->spec->limits;
	char wname[300], rname[16];
	int wfd, fd;
	struct err *e = NULL;

	cg_close_fd(wi);
	wi->cg.placed = false;
	if (c == NULL)
		return 0;
	cg_ward_name(wi->ward, wname, sizeof(wname));
	snprintf(rname, sizeof(rname), "%u", wi->replica);
	if (l->memory_restart != 0 && !ev_is_active(&c->memory))
		ev_timer_again(s->loop, &c->memory);
	if (!cgroup_limits_any(l)) {
		/*
		 * Without limits: made by its path (both names ours, and
		 * cgroupfs holds no symlink), and on a restart, made and
		 * watched before, only opened.
		 */
		char at[320];

		snprintf(at, sizeof(at), "%s/%s", wname, rname);
		if (!wi->cg.made && mkdirat(c->root_fd, at, 0755) == -1 &&
		    errno == ENOENT && mkdirat(c->root_fd, wname, 0755) == 0)
			(void)mkdirat(c->root_fd, at, 0755);
		if ((fd = cgroup_open_path(c->root_fd, at, &e)) >= 0) {
			wi->cg.made = true;
			wi->cg.fd = fd;
			return 0;
		}
		err_free(e);
		e = NULL; /* the long way says what fails */
	}
	if (cgroup_limits_any(l) && cg_controllers(s, l, &e) == -1)
		goto fail;
	wfd = cgroup_open_child(c->root_fd, wname, true, &e);
	if (wfd == -1)
		goto fail;
	if (cgroup_limits_any(l)) {
		char need[160];

		cgroup_limits_controllers(l, need, sizeof(need));
		if (cgroup_enable(wfd, need, &e) == -1) {
			close(wfd);
			goto fail;
		}
	}
	fd = cgroup_open_child(wfd, rname, true, &e);
	close(wfd);
	if (fd == -1)
		goto fail;
	if (cgroup_limits_apply(fd, l, &e) == -1) {
		close(fd);
		goto fail;
	}
	wi->cg.made = true;
	wi->cg.fd = fd;
	return 0;
fail:
	*errp = ERR_WRAP(e, "setting up the cgroup %s/%s/%s", c->path, wname,
			 rname);
	err_set(*errp, "cgroup", "%s/%s/%s", c->path, wname, rname);
	return -1;
}

/* Note where the new process's CPU time begins; steward-cgroup.h. */
void
steward_cgroup_spawned(struct steward *s, struct ward_inst *wi, bool ok)
{
	struct cgroup_usage u;

	(void)s;
	wi->cg.over_since = 0;
	if (wi->cg.fd < 0)
		return;
	if (!ok) {
		cg_close_fd(wi);
		return;
	}
	wi->cg.placed = true;
	wi->cg.seen.at = 0; /* a new process: read its usage afresh */
	/*
	 * Its CPU time counts from what the cgroup had used when the last
	 * process ended (nothing runs there in between): no read per spawn
	 * without controllers.
	 */
	wi->cg.cpu_base = wi->cg.cpu_total;
	if (cg_controllers_on(s->cg) &&
	    cgroup_usage(wi->cg.fd, NULL, true, &u) == 0) {
		wi->cg.cpu_base = u.cpu_usec;
		wi->cg.oom_base = u.oom_kills;
	}
	cg_close_fd(wi); /* the child is in: opened again when needed */
}

/* The grace period of what was left is over: kill it all. */
static void
cg_kill_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct ward_inst *wi = container_of(w, struct ward_inst, cg.kill_timer);

	(void)loop;
	(void)revents;
	steward_cgroup_kill(wi->ward->steward, wi);
}

/*
 * The main process is gone and processes are left: as systemd does,
 * they get the stop signal, and SIGKILL (the whole cgroup) when the stop's
 * deadline comes, or stop_timeout from now if no stop was under way.
 * After a SIGKILL deadline passed, at once.
 */
static void
cg_stop_rest(struct steward *s, struct ward_inst *wi, int fd, double now)
{
	const struct ward_spec *w = wi->ward->spec;
	double at = wi->sm.state == WARD_STOPPING && wi->sm.timer_at > 0
			? wi->sm.timer_at
			: now + w->pol.stop_timeout;

	if (wi->sm.killed || at <= now || w->stop_signal == SIGKILL) {
		steward_cgroup_kill(s, wi);
		return;
	}
	(void)cgroup_signal(fd, w->stop_signal);
	if (w->stop_signal != SIGCONT)
		(void)cgroup_signal(fd, SIGCONT);
	ev_timer_init(&wi->cg.kill_timer, cg_kill_timer_cb, at - now, 0);
	ev_timer_start(s->loop, &wi->cg.kill_timer);
}

/*
 * A storm of ends in one ward of many replicas (a stop of 10,000): the
 * kernel's flush for one replica's cpu.stat walks the list of its
 * siblings with pending updates (css_rstat_updated_list(), Linux 6.x),
 * so each read cost hundreds of microseconds to milliseconds at 10,000
 * replicas beating, most of a stop's time.  One read of the ward's own
 * cpu.stat flushes them all, and the replicas' reads after it find short
 * lists.  Once per loop iteration and ward, while more ends wait.
 */
static void
cg_flush_ward(struct steward *s, const struct ward_rt *wr)
{
	struct steward_cg *c = s->cg;
	char wname[300], at[320], buf[1024];

	if (wr->ninst < CG_FLUSH_WARD_MIN || !steward_pace_deaths(s) ||
	    (c->flushed == wr && c->flushed_at == s->woke_at))
		return;
	c->flushed = wr;
	c->flushed_at = s->woke_at;
	cg_ward_name(wr, wname, sizeof(wname));
	snprintf(at, sizeof(at), "%s/cpu.stat", wname);
	(void)cgroup_read(c->root_fd, at, buf, sizeof(buf));
}

/* The main process ended: stop the rest, hold the exit; see the top. */
bool
steward_cgroup_linger(struct steward *s, struct ward_inst *wi,
		      const struct ward_input *in)
{
	struct cgroup_usage u;
	struct err *e = NULL;
	char at[320];
	int fd, pop;
	bool ctl;

	wi->cg.cpu_usec = 0;
	wi->cg.procs_left = 0;
	wi->cg.oom_killed = false;
	if (s->cg == NULL || !wi->cg.placed)
		return false;
	wi->cg.placed = false;
	cg_inst_path(wi, at, sizeof(at));
	cg_flush_ward(s, wi->ward);
	/*
	 * Empty, as it mostly is: its CPU time is all there is to read
	 * without controllers (no process to count).  A file less per end,
	 * of three: a stop of 10,000 reads 10,000 of each.
	 */
	pop = cgroup_populated(s->cg->root_fd, at, &e);
	ctl = cg_controllers_on(s->cg);
	if ((pop == 0 && !ctl
		 ? cgroup_cpu_usage(s->cg->root_fd, at, &u)
		 : cgroup_usage(s->cg->root_fd, at, ctl, &u)) == 0) {
		wi->cg.cpu_usec = u.cpu_usec - wi->cg.cpu_base;
		wi->cg.cpu_total = u.cpu_usec;
		wi->cg.procs_left = u.procs;
		wi->cg.oom_killed = u.oom_kills > wi->cg.oom_base;
	}
	if (pop != 1 || (fd = cgroup_open_path(s->cg->root_fd, at, &e)) == -1) {
		err_free(e);
		return false;
	}
	/*
	 * Watched from now on (the first time: see the top; after, the
	 * watch is checked to be on this cgroup's file, see cg_watch()),
	 * and looked at again: emptied before the watch, it is heard by no
	 * event, and nothing lingers.
	 */
	if (cg_watch(s->cg, wi, fd, &e) == -1) {
		/* Unheard, it could not be waited for: no grace period. */
		char *msg = err_str(e);

		log_warnx("cannot wait for the rest of %s's cgroup (%s): "
			  "killing it at once",
			  wi->label, msg);
		free(msg);
		err_free(e);
		e = NULL;
		if (cgroup_kill(fd, &e) == 0)
			wi->cg.killed = true;
		err_free(e);
		close(fd);
		return false;
	}
	if (cgroup_populated(fd, NULL, &e) != 1) {
		err_free(e);
		close(fd);
		return false;
	}
	wi->cg.seen.at = 0;
	wi->cg.linger = true;
	wi->cg.has_exit = true;
	wi->cg.exit = *in;
	/* Watched since before the re-read: its emptying is an event. */
	cg_stop_rest(s, wi, fd, in->now);
	close(fd);
	return true;
}

/* Kill the whole cgroup; see steward-cgroup.h. */
void
steward_cgroup_kill(struct steward *s, struct ward_inst *wi)
{
	struct err *e = NULL;
	char at[320];
	int fd;

	if (s->cg == NULL || (!wi->cg.placed && !wi->cg.linger))
		return;
	cg_inst_path(wi, at, sizeof(at));
	fd = cgroup_open_path(s->cg->root_fd, at, &e);
	if (fd >= 0 && cgroup_kill(fd, &e) == 0)
		e = NULL;
	if (fd >= 0)
		wi->cg.killed = true;
	if (fd >= 0)
		close(fd);
	if (e != NULL)
		steward_signal_failed(
		    s, wi,
		    ERR_WRAP_P(e, "cannot kill the cgroup of ward \"%s\"",
			       wi->label));
}

/*
 * Remove an empty cgroup directory (a gone one is fine), with the
 * cgroups a root ward made in it (empty too: nothing of the instance
 * runs when it goes), the deepest first.
 */
static void
cg_rmdir(struct steward *s, int parent, const char *name)
{
	struct err *e = NULL;
	char *msg;

	if (cgroup_remove_tree(parent, name, &e) == 0)
		return;
	msg = err_str(e);
	log_warnx("cannot remove the cgroup %s/%s: %s", s->cg->path, name, msg);
	free(msg);
	err_free(e);
}

/* The instance goes; see steward-cgroup.h. */
void
steward_cgroup_inst_free(struct steward *s, struct ward_inst *wi)
{
	char at[320];

	cg_close_fd(wi);
	if (s->cg == NULL)
		return;
	ev_timer_stop(s->loop, &wi->cg.kill_timer);
	cg_unwatch(s->cg, wi);
	cg_inst_path(wi, at, sizeof(at));
	cg_rmdir(s, s->cg->root_fd, at); /* by its path, as it was made */
}

/* The ward goes; see steward-cgroup.h. */
void
steward_cgroup_ward_free(struct steward *s, struct ward_rt *wr)
{
	char wname[300];

	if (s->cg == NULL)
		return;
	cg_ward_name(wr, wname, sizeof(wname));
	cg_rmdir(s, s->cg->root_fd, wname);
}

/* Usage now; see steward-cgroup.h. */
void
steward_cgroup_usage(struct steward *s, struct ward_inst *wi,
		     struct ward_cg_usage *u)
{
	struct cgroup_usage cu;
	char at[320];
	double now;

	*u = (struct ward_cg_usage){0};
	if (s->cg == NULL)
		return;
	u->tracked = true;
	cg_inst_path(wi, at, sizeof(at));
	/* One openat2 per file, beneath our directory: a status of
	 * thousands of instances must stay cheap. */
	if (!wi->cg.placed && !wi->cg.linger) {
		u->cpu_usec = wi->cg.cpu_usec; /* the last process's */
		u->cpu_total_usec = wi->cg.cpu_total;
		return;
	}
	now = steward_now();
	if (wi->cg.seen.at == 0 || now - wi->cg.seen.at >= CG_USAGE_FRESH) {
		if (cgroup_usage(s->cg->root_fd, at, cg_controllers_on(s->cg),
				 &cu) == -1) {
			u->cpu_usec = wi->cg.cpu_usec;
			u->cpu_total_usec = wi->cg.cpu_total;
			return;
		}
		wi->cg.seen =
		    (struct ward_cg_usage_cache){.at = now,
						 .cpu = cu.cpu_usec,
						 .procs = cu.procs,
						 .memory = cu.memory,
						 .has_memory = cu.has_memory};
	}
	u->cpu_usec = wi->cg.seen.cpu - wi->cg.cpu_base;
	u->cpu_total_usec = wi->cg.seen.cpu;
	u->procs = wi->cg.seen.procs;
	u->has_memory = wi->cg.seen.has_memory;
	u->memory = wi->cg.seen.memory;
}

/* A failure record's usage fields; see steward-cgroup.h. */
void
steward_cgroup_record(const struct ward_inst *wi, struct evlog_rec *r)
{
	if (wi->ward->steward->cg == NULL)
		return;
	evlog_int(r, "cpu_usec", (long long)wi->cg.cpu_usec);
	evlog_int(r, "procs_left", (long long)wi->cg.procs_left);
	if (wi->cg.oom_killed)
		evlog_int(r, "oom_kill", 1);
}

/* "64MiB": a size as people write it. */
static void
cg_size(uint64_t v, char *buf, size_t len)
{
	static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
	unsigned u = 0;
	double d = (double)v;

	while (d >= 1024 && u < 4) {
		d /= 1024;
		u++;
	}
	if (u == 0 || d == (double)(uint64_t)d)
		snprintf(buf, len, "%.0f%s", d, units[u]);
	else
		snprintf(buf, len, "%.1f%s", d, units[u]);
}

/* The OOM kill behind the last end, as an error; steward-cgroup.h. */
struct err *
steward_cgroup_oom_error(const struct ward_inst *wi)
{
	const struct cgroup_limits *l = &wi->ward->spec->limits;
	char sz[32];
	struct err *e;

	if (!wi->cg.oom_killed)
		return NULL;
	if (l->memory_max != 0 && l->memory_max != CGROUP_MAX) {
		cg_size(l->memory_max, sz, sizeof(sz));
		e = ERR_NEW("the kernel's OOM killer ended it at its "
			    "memory_max %s",
			    sz);
		err_set(e, "memory_max", "%s", sz);
	} else {
		e = ERR_NEW("the kernel's OOM killer ended it");
	}
	err_set(e, "oom_kill", "1");
	return e;
}

/* The error a memory_restart heal carries. */
struct err *
steward_cgroup_memory_error(const struct ward_inst *wi)
{
	const struct cgroup_limits *l = &wi->ward->spec->limits;
	char now[32], lim[32], d[32];
	struct err *e;

	cg_size(wi->cg.memory_seen, now, sizeof(now));
	cg_size(l->memory_restart, lim, sizeof(lim));
	parse_format_duration(l->memory_restart_for_ms, d, sizeof(d));
	e = ERR_NEW("its memory is %s, above memory_restart %s for %s", now,
		    lim, d);
	err_set(e, "memory", "%llu", (unsigned long long)wi->cg.memory_seen);
	err_set(e, "memory_restart", "%s", lim);
	return e;
}

/* Once a second: heal instances above memory_restart long enough. */
static void
cg_memory_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct steward *s = w->data;
	double now = steward_now();
	bool any = false;

	(void)revents;
	for (size_t i = 0; i < s->nwards; i++) {
		struct ward_rt *wr = s->wards[i];
		const struct cgroup_limits *l = &wr->spec->limits;

		if (l->memory_restart == 0)
			continue;
		any = true;
		for (unsigned j = 0; j < wr->ninst; j++) {
			struct ward_inst *wi = wr->inst[j];
			char buf[64];

			char at[340];

			if (!wi->cg.placed || wi->cg.linger ||
			    (wi->sm.state != WARD_RUNNING &&
			     wi->sm.state != WARD_STARTING))
				continue;
			cg_inst_path(wi, at, sizeof(at) - 16);
			strcat(at, "/memory.current");
			if (cgroup_read(s->cg->root_fd, at, buf, sizeof(buf)) <=
			    0)
				continue;
			wi->cg.memory_seen = strtoull(buf, NULL, 10);
			if (cgroup_memory_over(
				wi->cg.memory_seen, l->memory_restart,
				(double)l->memory_restart_for_ms / 1000.0, now,
				&wi->cg.over_since))
				steward_step(s, wi, WEV_MEMORY);
		}
	}
	/* An idle stewardd does not wake: nothing to watch, no timer. */
	if (!any)
		ev_timer_stop(loop, w);
}
