/*
 * cgroupfs operations (see cgroup.h).
 *
 * stewardd runs as root and writes into a tree a ward's processes may
 * also see.  cgroupfs itself holds no symlinks and no files but its own,
 * but a path is only as safe as the way it is walked: every file here
 * is opened relative to a directory descriptor the caller holds, with
 * openat2(2) and RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS (no "..", no
 * symlink, no magic link on the way), O_NOFOLLOW and O_CLOEXEC;
 * directories with O_DIRECTORY too.  Where openat2 is missing (before
 * 5.6, or under a valgrind that does not know it, as 3.19), the same
 * walk by hand: openat(2) one name at a time, each with O_NOFOLLOW, and
 * no "." or "..".  Files are never created (no O_CREAT): writing a name
 * cgroupfs does not have fails instead of leaving a plain file behind.
 *
 * The reads are small (cgroup.events, cpu.stat, memory.events: a few
 * lines), read whole into a stack buffer and parsed as "key value" lines.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include "core/cgroup.h"
#include "base/safepath.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

/* True when any key of l needs a controller; see cgroup.h. */
bool
cgroup_limits_any(const struct cgroup_limits *l)
{
	return l->memory_max != 0 || l->memory_high != 0 || l->pids_max != 0 ||
	       l->cpu_weight != 0 || l->cpu_quota_us != 0 ||
	       l->memory_restart != 0 || l->controllers[0] != '\0';
}

static bool cgroup_has_word(const char *list, const char *word, size_t n);

/* The key that needs a controller; see cgroup.h. */
const char *
cgroup_limits_key(const struct cgroup_limits *l, const char *ctl)
{
	if (strcmp(ctl, "memory") == 0 &&
	    (l->memory_max || l->memory_high || l->memory_restart))
		return l->memory_max    ? "memory_max"
		       : l->memory_high ? "memory_high"
					: "memory_restart";
	if (strcmp(ctl, "pids") == 0 && l->pids_max)
		return "pids_max";
	if (strcmp(ctl, "cpu") == 0 && (l->cpu_weight || l->cpu_quota_us))
		return l->cpu_weight ? "cpu_weight" : "cpu_max";
	return "cgroup_controllers";
}

/* A controller the kernel knows; see cgroup.h. */
bool
cgroup_controller_known(const char *name, size_t n)
{
	return n > 0 && cgroup_has_word(CGROUP_KNOWN, name, n);
}

/* The controllers l needs; see cgroup.h. */
void
cgroup_limits_controllers(const struct cgroup_limits *l, char *buf, size_t len)
{
	bool mem =
	    l->memory_max != 0 || l->memory_high != 0 || l->memory_restart != 0;
	bool cpu = l->cpu_weight != 0 || l->cpu_quota_us != 0;

	size_t at;

	snprintf(buf, len, "%s%s%s%s%s", mem ? "memory" : "",
		 mem && (l->pids_max != 0 || cpu) ? " " : "",
		 l->pids_max != 0 ? "pids" : "",
		 l->pids_max != 0 && cpu ? " " : "", cpu ? "cpu" : "");
	at = strlen(buf);
	for (const char *p = l->controllers; *p != '\0';) {
		size_t n;

		p += strspn(p, " ");
		n = strcspn(p, " ");
		if (n > 0 && !cgroup_has_word(buf, p, n) && at + n + 2 < len)
			at += (size_t)snprintf(buf + at, len - at, "%s%.*s",
					       at ? " " : "", (int)n, p);
		p += n;
	}
}

/* Is word one of the space-separated words of list? */
static bool
cgroup_has_word(const char *list, const char *word, size_t n)
{
	const char *p = list;

	while (*p != '\0') {
		size_t m;

		p += strspn(p, " \t\n");
		m = strcspn(p, " \t\n");
		if (m == n && strncmp(p, word, n) == 0)
			return true;
		p += m;
	}
	return false;
}

/* The first controller of need missing from have; see cgroup.h. */
const char *
cgroup_missing(const char *need, const char *have, char *buf, size_t len)
{
	const char *p = need;

	while (*p != '\0') {
		size_t n;

		p += strspn(p, " ");
		n = strcspn(p, " ");
		if (n > 0 && !cgroup_has_word(have, p, n)) {
			snprintf(buf, len, "%.*s", (int)n, p);
			return buf;
		}
		p += n;
	}
	return NULL;
}

/*
 * Undo mountinfo's octal escapes (\040 for a space) in place.
 */
static void
cgroup_unescape(char *s)
{
	char *d = s;

	for (; *s != '\0'; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' &&
		    s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*d++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 +
				      (s[3] - '0'));
			s += 3;
		} else {
			*d++ = *s;
		}
	}
	*d = '\0';
}

/* The cgroup2 mount point; see cgroup.h. */
char *
cgroup_mount_point(const char *mountinfo)
{
	const char *line = mountinfo;

	/* "36 25 0:31 / /sys/fs/cgroup rw,... - cgroup2 cgroup2 rw" */
	while (line != NULL && *line != '\0') {
		const char *end = strchr(line, '\n');
		size_t n = end ? (size_t)(end - line) : strlen(line);
		char *copy = strndup(line, n);
		char *sep = copy ? strstr(copy, " - ") : NULL;

		if (copy == NULL)
			return NULL;
		if (sep != NULL && strncmp(sep + 3, "cgroup2 ", 8) == 0) {
			char *f[5];
			char *save = NULL;
			int i = 0;

			*sep = '\0';
			for (char *t = strtok_r(copy, " ", &save);
			     t != NULL && i < 5; t = strtok_r(NULL, " ", &save))
				f[i++] = t;
			/* Only a mount of the hierarchy's root ("/"): a bind
			 * mount of a subtree names no cgroup by its path. */
			if (i == 5 && strcmp(f[3], "/") == 0) {
				char *mnt = strdup(f[4]);

				free(copy);
				if (mnt != NULL)
					cgroup_unescape(mnt);
				return mnt;
			}
		}
		free(copy);
		line = end ? end + 1 : NULL;
	}
	return NULL;
}

/* Our own cgroup from /proc/self/cgroup; see cgroup.h. */
char *
cgroup_own_path(const char *proc_cgroup)
{
	const char *line = proc_cgroup;

	while (line != NULL && *line != '\0') {
		const char *end = strchr(line, '\n');
		size_t n = end ? (size_t)(end - line) : strlen(line);

		if (n >= 3 && strncmp(line, "0::", 3) == 0)
			return strndup(line + 3, n - 3);
		line = end ? end + 1 : NULL;
	}
	return NULL;
}

/* Read a whole small file by absolute path (procfs), malloc'd. */
static char *
cgroup_slurp(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct sbuf b = {0};
	char buf[4096];
	ssize_t n;

	if (fd == -1)
		return NULL;
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			break;
		sbuf_add(&b, buf, (size_t)n);
	}
	close(fd);
	if (b.s == NULL)
		sbuf_add(&b, "", 0);
	return b.s;
}

/* Open our own cgroup; see cgroup.h. */
int
cgroup_open_own(char **pathp, struct err **errp)
{
	char *mi = cgroup_slurp("/proc/self/mountinfo");
	char *pc = cgroup_slurp("/proc/self/cgroup");
	char *mnt = mi ? cgroup_mount_point(mi) : NULL;
	char *own = pc ? cgroup_own_path(pc) : NULL;
	int mfd = -1, fd = -1;
	struct safepath_why why;
	struct statfs sf;

	free(mi);
	free(pc);
	if (mnt == NULL) {
		*errp = ERR_NEW("no cgroup v2 hierarchy is mounted "
				"(/proc/self/mountinfo lists no cgroup2)");
		goto out;
	}
	if (own == NULL) {
		*errp = ERR_NEW("/proc/self/cgroup has no cgroup v2 line");
		goto out;
	}
	/* The mount point by the path rule (safepath.h), as every path. */
	mfd = safepath_open(mnt, O_RDONLY | O_DIRECTORY, 0, &why);
	if (mfd == -1) {
		char msg[512];

		*errp =
		    ERR_NEW("opening %s: %s", mnt,
			    safepath_describe(&why, errno, msg, sizeof(msg)));
		goto out;
	}
	if (fstatfs(mfd, &sf) == -1 || sf.f_type != CGROUP2_SUPER_MAGIC) {
		*errp = ERR_NEW("%s is not a cgroup2 file system", mnt);
		goto out;
	}
	if (strcmp(own, "/") == 0) {
		fd = mfd;
		mfd = -1;
	} else {
		/* Its own path, below a cgroup2 root: no symlink there. */
		fd = openat(mfd, own + 1,
			    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd == -1)
			*errp = ERR_SYS("opening %s%s", mnt, own);
	}
	*pathp = xasprintf("%s%s", mnt, strcmp(own, "/") == 0 ? "" : own);
out:
	if (mfd >= 0)
		close(mfd);
	free(mnt);
	free(own);
	return fd;
}

/*
 * Without openat2: the path one name at a time, each directory opened
 * with O_NOFOLLOW | O_DIRECTORY from the last; "", "." and ".." are
 * refused (ELOOP), so the walk stays beneath dir as RESOLVE_BENEATH would.
 */
static int
cgroup_openat_walk(int dir, const char *path, int flags)
{
	char buf[512], *name = buf, *slash;
	int cur = dir, fd;

	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (;;) {
		bool last;

		slash = strchr(name, '/');
		last = slash == NULL;
		if (!last)
			*slash = '\0';
		if (name[0] == '\0' || strcmp(name, ".") == 0 ||
		    strcmp(name, "..") == 0) {
			fd = -1;
			errno = ELOOP;
		} else {
			do
				fd = openat(
				    cur, name,
				    (last ? flags : O_RDONLY | O_DIRECTORY) |
					O_NOFOLLOW | O_CLOEXEC);
			while (fd == -1 && errno == EINTR);
		}
		if (cur != dir) {
			int saved = errno;

			close(cur);
			errno = saved;
		}
		if (fd == -1 || last)
			return fd;
		cur = fd;
		name = slash + 1;
	}
}

/* Open a file beneath dir; see the top. */
static int
cgroup_openat(int dir, const char *name, int flags)
{
	static bool no_openat2;
	struct open_how how = {
	    .flags = (uint64_t)(flags | O_NOFOLLOW | O_CLOEXEC),
	    .resolve =
		RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS};
	int fd;

	if (!no_openat2) {
		do
			fd = (int)syscall(SYS_openat2, dir, name, &how,
					  sizeof(how));
		while (fd == -1 && errno == EINTR);
		if (fd != -1 || errno != ENOSYS)
			return fd;
		no_openat2 = true;
	}
	return cgroup_openat_walk(dir, name, flags);
}

/* Read a small file; see cgroup.h. */
ssize_t
cgroup_read(int dir, const char *name, char *buf, size_t len)
{
	int fd = cgroup_openat(dir, name, O_RDONLY);
	size_t got = 0;

	if (fd == -1)
		return -1;
	while (got + 1 < len) {
		ssize_t n = read(fd, buf + got, len - 1 - got);

		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			int saved = errno;

			close(fd);
			errno = saved;
			return -1;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	buf[got] = '\0';
	close(fd);
	return (ssize_t)got;
}

/* Write s to a file; see cgroup.h. */
int
cgroup_write(int dir, const char *name, const char *s, struct err **errp)
{
	int fd = cgroup_openat(dir, name, O_WRONLY);
	size_t n = strlen(s);
	ssize_t w;

	if (fd == -1) {
		*errp = ERR_SYS("opening %s", name);
		return -1;
	}
	do
		w = write(fd, s, n);
	while (w == -1 && errno == EINTR);
	if (w != (ssize_t)n) {
		*errp = w == -1 ? ERR_SYS("writing \"%s\" to %s", s, name)
				: ERR_NEW("writing \"%s\" to %s: a short write",
					  s, name);
		close(fd);
		return -1;
	}
	if (close(fd) == -1) {
		/* cgroupfs checks some values only here. */
		*errp = ERR_SYS("writing \"%s\" to %s", s, name);
		return -1;
	}
	return 0;
}

/* Open a cgroup below dir by its path; see cgroup.h. */
int
cgroup_open_path(int dir, const char *path, struct err **errp)
{
	int fd = cgroup_openat(dir, path, O_RDONLY | O_DIRECTORY);

	if (fd == -1)
		*errp = ERR_SYS("opening cgroup %s", path);
	return fd;
}

/* Make and open a child cgroup; see cgroup.h. */
int
cgroup_open_child(int dir, const char *name, bool create, struct err **errp)
{
	int fd;

	if (strchr(name, '/') != NULL || strcmp(name, ".") == 0 ||
	    strcmp(name, "..") == 0) {
		*errp = ERR_NEW("\"%s\" is not a cgroup name", name);
		return -1;
	}
	if (create && mkdirat(dir, name, 0755) == -1 && errno != EEXIST) {
		*errp = ERR_SYS("making cgroup %s", name);
		return -1;
	}
	fd = cgroup_openat(dir, name, O_RDONLY | O_DIRECTORY);
	if (fd == -1)
		*errp = ERR_SYS("opening cgroup %s", name);
	return fd;
}

/* The number after "key " in a "key value" file's text, or def. */
static uint64_t
cgroup_field(const char *text, const char *key, uint64_t def)
{
	size_t n = strlen(key);

	for (const char *p = text; p != NULL && *p != '\0';) {
		if (strncmp(p, key, n) == 0 && p[n] == ' ')
			return strtoull(p + n + 1, NULL, 10);
		p = strchr(p, '\n');
		if (p != NULL)
			p++;
	}
	return def;
}

/* populated from cgroup.events; see cgroup.h. */
int
cgroup_populated(int dir, const char *at, struct err **errp)
{
	char buf[256], name[512];

	snprintf(name, sizeof(name), "%s%scgroup.events", at ? at : "",
		 at ? "/" : "");
	if (cgroup_read(dir, name, buf, sizeof(buf)) == -1) {
		*errp = ERR_SYS("reading cgroup.events");
		return -1;
	}
	return cgroup_field(buf, "populated", 0) != 0;
}

/* One pid: with sig, sent sig (never to pid 1); 1 if it counts. */
static unsigned
cgroup_pid_each(long pid, int sig)
{
	return pid > 0 && (sig == 0 || (pid > 1 && kill((pid_t)pid, sig) == 0));
}

/*
 * Each pid of the cgroup's cgroup.procs: with sig, sent sig (never to
 * pid 1), and how many it reached; with 0, how many there are.  The
 * whole file, read in pieces (a ward may hold thousands of processes).
 */
static unsigned
cgroup_procs_each(int dir, int sig)
{
	char buf[4096];
	size_t have = 0;
	unsigned n = 0;
	int fd = cgroup_openat(dir, "cgroup.procs", O_RDONLY);

	if (fd == -1)
		return 0;
	for (;;) {
		ssize_t got = read(fd, buf + have, sizeof(buf) - 1 - have);
		char *p = buf, *nl;

		if (got == -1 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		have += (size_t)got;
		buf[have] = '\0';
		/* Every whole line; a part line waits for the rest. */
		while ((nl = strchr(p, '\n')) != NULL) {
			n += cgroup_pid_each(strtol(p, NULL, 10), sig);
			p = nl + 1;
		}
		have -= (size_t)(p - buf);
		memmove(buf, p, have);
	}
	if (have > 0) {
		buf[have] = '\0';
		n += cgroup_pid_each(strtol(buf, NULL, 10), sig);
	}
	close(fd);
	return n;
}

/* cgroup_procs_each over the tree: the cgroup and its children. */
static unsigned
cgroup_tree_each(int dir, int sig, unsigned depth)
{
	unsigned n = cgroup_procs_each(dir, sig);
	int dup_fd;
	DIR *d;
	struct dirent *de;
	struct stat st;

	/* cgroupfs counts a directory's subdirectories in its links (2 +
	 * how many): one without (nearly every instance's) is not read. */
	if (depth > 16 || (fstat(dir, &st) == 0 && st.st_nlink <= 2) ||
	    (dup_fd = fcntl(dir, F_DUPFD_CLOEXEC, 0)) == -1)
		return n;
	if ((d = fdopendir(dup_fd)) == NULL) {
		close(dup_fd);
		return n;
	}
	/* The dup shares dir's offset: an earlier walk left it at the end
	 * (a SIGCONT after the stop signal, the next round of a kill). */
	rewinddir(d);
	while ((de = readdir(d)) != NULL) {
		int c;

		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		c = cgroup_openat(dir, de->d_name, O_RDONLY | O_DIRECTORY);
		if (c == -1)
			continue;
		n += cgroup_tree_each(c, sig, depth + 1);
		close(c);
	}
	closedir(d);
	return n;
}

/* Signal each process of the cgroup and below; see cgroup.h. */
unsigned
cgroup_signal(int dir, int sig)
{
	return cgroup_tree_each(dir, sig, 0);
}

/* Kill the whole cgroup; see cgroup.h. */
int
cgroup_kill(int dir, struct err **errp)
{
	struct err *e = NULL;
	unsigned rounds = 0;

	if (cgroup_write(dir, "cgroup.kill", "1", &e) == 0)
		return 0;
	if (err_errno(e) != ENOENT) {
		*errp = e;
		return -1;
	}
	err_free(e);
	e = NULL;
	/* Before 5.14: frozen, nothing forks while the pids are read. */
	if (cgroup_write(dir, "cgroup.freeze", "1", &e) == -1) {
		err_free(e);
		e = NULL;
	}
	while (cgroup_tree_each(dir, SIGKILL, 0) > 0 && ++rounds < 100)
		;
	if (cgroup_write(dir, "cgroup.freeze", "0", &e) == -1)
		err_free(e);
	return 0;
}

/* Only the CPU time; see cgroup.h. */
int
cgroup_cpu_usage(int dir, const char *at, struct cgroup_usage *u)
{
	char buf[1024], name[512];

	*u = (struct cgroup_usage){0};
	snprintf(name, sizeof(name), "%s%scpu.stat", at ? at : "",
		 at ? "/" : "");
	if (cgroup_read(dir, name, buf, sizeof(buf)) == -1)
		return -1;
	u->cpu_usec = cgroup_field(buf, "usage_usec", 0);
	return 0;
}

/* What the cgroup used; see cgroup.h. */
int
cgroup_usage(int dir, const char *at, bool controllers, struct cgroup_usage *u)
{
	char buf[4096], name[512];

#define CGROUP_AT(file)                                                        \
	(snprintf(name, sizeof(name), "%s%s%s", at ? at : "", at ? "/" : "",   \
		  file),                                                       \
	 name)
	if (cgroup_cpu_usage(dir, at, u) == -1)
		return -1;
	if (controllers &&
	    cgroup_read(dir, CGROUP_AT("pids.current"), buf, sizeof(buf)) > 0) {
		u->procs = strtoull(buf, NULL, 10);
	} else {
		/* Every line of each cgroup.procs, however many, below
		 * too (as pids.current counts). */
		int d = at != NULL
			    ? cgroup_openat(dir, at, O_RDONLY | O_DIRECTORY)
			    : dir;

		if (d >= 0)
			u->procs = cgroup_tree_each(d, 0, 0);
		if (d >= 0 && d != dir)
			close(d);
	}
	if (!controllers)
		return 0;
	if (cgroup_read(dir, CGROUP_AT("memory.current"), buf, sizeof(buf)) >
	    0) {
		u->has_memory = true;
		u->memory = strtoull(buf, NULL, 10);
	}
	if (cgroup_read(dir, CGROUP_AT("memory.events"), buf, sizeof(buf)) > 0)
		u->oom_kills = cgroup_field(buf, "oom_kill", 0);
#undef CGROUP_AT
	return 0;
}

/* A limit as cgroupfs writes it: a number or "max". */
static void
cgroup_value(uint64_t v, char *buf, size_t len)
{
	if (v == CGROUP_MAX)
		snprintf(buf, len, "max");
	else
		snprintf(buf, len, "%" PRIu64, v);
}

/* Write the limits; see cgroup.h. */
int
cgroup_limits_apply(int dir, const struct cgroup_limits *l, struct err **errp)
{
	char v[64];

	if (l->memory_max != 0) {
		cgroup_value(l->memory_max, v, sizeof(v));
		if (cgroup_write(dir, "memory.max", v, errp) == -1)
			return -1;
	}
	if (l->memory_high != 0) {
		cgroup_value(l->memory_high, v, sizeof(v));
		if (cgroup_write(dir, "memory.high", v, errp) == -1)
			return -1;
	}
	if (l->pids_max != 0) {
		cgroup_value(l->pids_max, v, sizeof(v));
		if (cgroup_write(dir, "pids.max", v, errp) == -1)
			return -1;
	}
	if (l->cpu_weight != 0) {
		snprintf(v, sizeof(v), "%" PRIu64, l->cpu_weight);
		if (cgroup_write(dir, "cpu.weight", v, errp) == -1)
			return -1;
	}
	if (l->cpu_quota_us != 0) {
		char q[32];

		cgroup_value(l->cpu_quota_us, q, sizeof(q));
		snprintf(v, sizeof(v), "%s %" PRIu64, q, l->cpu_period_us);
		if (cgroup_write(dir, "cpu.max", v, errp) == -1)
			return -1;
	}
	return 0;
}

/* Enable controllers for the children; see cgroup.h. */
int
cgroup_enable(int dir, const char *need, struct err **errp)
{
	char buf[256], have[256];
	size_t at = 0;
	const char *p = need;

	if (cgroup_read(dir, "cgroup.subtree_control", have, sizeof(have)) ==
	    -1) {
		*errp = ERR_SYS("reading cgroup.subtree_control");
		return -1;
	}
	buf[0] = '\0';
	while (*p != '\0') {
		size_t n;

		p += strspn(p, " ");
		n = strcspn(p, " ");
		if (n > 0 && !cgroup_has_word(have, p, n) &&
		    at + n + 3 < sizeof(buf))
			at += (size_t)snprintf(buf + at, sizeof(buf) - at,
					       "%s+%.*s", at ? " " : "", (int)n,
					       p);
		p += n;
	}
	if (at == 0)
		return 0;
	return cgroup_write(dir, "cgroup.subtree_control", buf, errp);
}

/* Must stewardd move to a leaf first; see cgroup.h. */
enum cgroup_move
cgroup_move_needed(int dir, const char *need, const pid_t *ours, size_t n,
		   char *buf, size_t len)
{
	char offered[256] = "", on[256] = "", procs[8192];
	ssize_t got;

	(void)cgroup_read(dir, "cgroup.subtree_control", on, sizeof(on));
	if (cgroup_missing(need, on, buf, len) == NULL)
		return CGROUP_STAY;
	(void)cgroup_read(dir, "cgroup.controllers", offered, sizeof(offered));
	for (const char *p = need; *p != '\0';) {
		size_t m;

		p += strspn(p, " ");
		m = strcspn(p, " ");
		if (m > 0 && !cgroup_has_word(on, p, m) &&
		    !cgroup_has_word(offered, p, m))
			return CGROUP_STAY; /* not to be had by moving */
		p += m;
	}
	got = cgroup_read(dir, "cgroup.procs", procs, sizeof(procs));
	if (got <= 0)
		return CGROUP_STAY;
	for (char *p = procs; *p != '\0';) {
		long pid = strtol(p, &p, 10);
		bool mine = false;

		if (pid <= 0)
			break;
		for (size_t i = 0; i < n && !mine; i++)
			mine = ours[i] == (pid_t)pid;
		if (!mine)
			return CGROUP_SHARED;
		p += strspn(p, "\n");
	}
	return CGROUP_MOVE;
}

/* Move our processes into a leaf; see cgroup.h. */
int
cgroup_move_into(int dir, const char *name, const pid_t *pids, size_t n,
		 struct err **errp)
{
	int leaf = cgroup_open_child(dir, name, true, errp);
	int rc = 0;

	if (leaf == -1)
		return -1;
	for (size_t i = 0; i < n && rc == 0; i++) {
		char v[24];

		if (pids[i] <= 0)
			continue;
		snprintf(v, sizeof(v), "%d", (int)pids[i]);
		rc = cgroup_write(leaf, "cgroup.procs", v, errp);
		if (rc == -1)
			*errp = ERR_WRAP(*errp, "moving pid %s into cgroup %s",
					 v, name);
	}
	close(leaf);
	return rc;
}

/* Remove the (empty) cgroups under dir, bottom-up, then name itself. */
static int
cgroup_rmdir_tree(int parent, const char *name, unsigned depth,
		  struct err **errp)
{
	int dir = cgroup_openat(parent, name, O_RDONLY | O_DIRECTORY);
	int dup_fd;
	DIR *d;
	struct dirent *de;
	int rc = 0;

	if (dir == -1) {
		if (errno == ENOENT)
			return 0;
		*errp = ERR_SYS("opening cgroup %s", name);
		return -1;
	}
	if (depth < 16 && (dup_fd = fcntl(dir, F_DUPFD_CLOEXEC, 0)) != -1) {
		if ((d = fdopendir(dup_fd)) == NULL) {
			close(dup_fd);
		} else {
			while (rc == 0 && (de = readdir(d)) != NULL) {
				if (de->d_type != DT_DIR ||
				    de->d_name[0] == '.')
					continue;
				rc = cgroup_rmdir_tree(dir, de->d_name,
						       depth + 1, errp);
			}
			closedir(d);
		}
	}
	close(dir);
	if (rc == 0 && unlinkat(parent, name, AT_REMOVEDIR) == -1 &&
	    errno != ENOENT) {
		*errp = ERR_SYS("removing cgroup %s", name);
		return -1;
	}
	return rc;
}

/*
 * Remove an empty tree; see cgroup.h.
 *
 * The directory is held open (O_PATH) across its rmdir.  A directory
 * removed while nothing else holds it stays in the kernel's dentry cache
 * as a negative entry below its parent, and the parent's own rmdir then
 * walks and frees them all: after a reload removed a ward's 10,000
 * instances one by one, while another process listed the directory,
 * the rmdir of the ward's directory took 7.6 ms in one run (strace -T)
 * and 127 ms of stewardd's CPU in another (perf), the loop held all that
 * time.  Held, the entry is unhashed at the rmdir and freed at the
 * close.
 */
int
cgroup_remove_tree(int parent, const char *name, struct err **errp)
{
	int hold = openat(parent, name, O_PATH | O_DIRECTORY | O_CLOEXEC);
	int rc = 0;

	if (hold == -1 && errno == ENOENT)
		return 0;
	/* Not held (no fd to spare): removed all the same.  Nearly always
	 * without children: one rmdir. */
	if (unlinkat(parent, name, AT_REMOVEDIR) == -1 && errno != ENOENT) {
		if (errno == EBUSY) {
			rc = cgroup_rmdir_tree(parent, name, 0, errp);
		} else {
			*errp = ERR_SYS("removing cgroup %s", name);
			rc = -1;
		}
	}
	if (hold != -1)
		close(hold);
	return rc;
}

/* End a tree left behind; see cgroup.h. */
int
cgroup_end_tree(int parent, const char *name, double timeout, struct err **errp)
{
	int dir = cgroup_openat(parent, name, O_RDONLY | O_DIRECTORY);
	int found;
	struct timespec start, now;

	if (dir == -1) {
		if (errno == ENOENT)
			return 0;
		*errp = ERR_SYS("opening cgroup %s", name);
		return -1;
	}
	found = (int)cgroup_tree_each(dir, 0, 0);
	if (found > 0 && cgroup_kill(dir, errp) == -1) {
		close(dir);
		return -1;
	}
	clock_gettime(CLOCK_MONOTONIC, &start);
	/* Before the loop runs: a short wait for SIGKILLs to land. */
	for (;;) {
		struct err *e = NULL;
		int pop = cgroup_populated(dir, NULL, &e);
		struct timespec ts = {0, 5000000};

		if (pop <= 0) {
			err_free(e);
			break;
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		if ((double)(now.tv_sec - start.tv_sec) +
			(double)(now.tv_nsec - start.tv_nsec) / 1e9 >=
		    timeout) {
			close(dir);
			*errp = ERR_NEW("cgroup %s still has processes %.1fs "
					"after they were killed",
					name, timeout);
			return -1;
		}
		nanosleep(&ts, NULL);
	}
	close(dir);
	if (cgroup_rmdir_tree(parent, name, 0, errp) == -1)
		return -1;
	return found;
}

/* memory_restart's judge; see cgroup.h. */
bool
cgroup_memory_over(uint64_t memory, uint64_t limit, double for_s, double now,
		   double *over_since)
{
	if (limit == 0 || memory <= limit) {
		*over_since = 0;
		return false;
	}
	if (*over_since == 0)
		*over_since = now;
	return now - *over_since >= for_s;
}

/* The limits --check cannot see applied here; see cgroup.h. */
char *
cgroup_check_limits(const char *where, const struct cgroup_limits *l)
{
	char need[160], avail[256] = "";
	struct err *e = NULL;
	char *path = NULL;
	struct sbuf b = {0};
	int fd;

	if (!cgroup_limits_any(l))
		return NULL;
	fd = cgroup_open_own(&path, &e);
	if (fd == -1) {
		char *msg = err_str(e);

		sbuf_addf(&b,
			  "%s: its cgroup limits cannot be applied here (%s); "
			  "stewardd would not start it\n",
			  where, msg);
		free(msg);
		err_free(e);
		free(path);
		return b.s;
	}
	(void)cgroup_read(fd, "cgroup.controllers", avail, sizeof(avail));
	avail[strcspn(avail, "\n")] = '\0';
	close(fd);
	cgroup_limits_controllers(l, need, sizeof(need));
	for (const char *p = need; *p != '\0';) {
		size_t n = strcspn(p, " ");
		char ctl[32];

		snprintf(ctl, sizeof(ctl), "%.*s", (int)n, p);
		if (!cgroup_has_word(avail, ctl, strlen(ctl)))
			sbuf_addf(&b,
				  "%s %s needs the %s controller, which is not "
				  "available in %s (cgroup.controllers: %s); "
				  "stewardd would not start it here\n",
				  where, cgroup_limits_key(l, ctl), ctl, path,
				  avail[0] ? avail : "none");
		p += n;
		p += strspn(p, " ");
	}
	free(path);
	return b.s;
}
