/*
 * The path rule (see safepath.h and SECURITY in stewardd(8)).
 *
 * A path is resolved by stewardd itself, one name at a time: each name
 * is opened with openat(dir, name, O_PATH | O_NOFOLLOW) relative to the
 * directory descriptor of the name before it, and what was opened is
 * examined with fstat(2) on that descriptor, so the object checked is
 * the object used, whatever is renamed meanwhile.
 *
 * Every directory passed is classed by who can change the names in it:
 *
 *   private  owned by root or stewardd's user, writable by neither its
 *            group (unless the group is root) nor others;
 *   sticky   the same owner, writable by others but with the sticky bit
 *            (/tmp): others can add names but not rename or remove ours;
 *   shared   anything else: another user can replace any name in it.
 *
 * A symbolic link is followed as Linux's protected_symlinks would follow
 * it, and only where no directory before it is shared: in a private
 * directory always, in a sticky one when the link is owned by root or
 * stewardd's user, in a shared one never.  A name in a shared directory,
 * or a name owned by another user in a sticky one, makes everything after
 * it "shared" too (the user could have put any directory of theirs there);
 * beyond that point no link is followed.  Plain directories are still
 * walked into: a user can only move there a directory they can write
 * themselves, so a write below it lands where they could write anyway.
 * The last name is opened with O_NOFOLLOW; an existing regular file with
 * more than one name in a shared place is refused, as a hard link (where
 * protected_hardlinks is off) could make it any file on that filesystem.
 *
 * The "magic" links of /proc (/proc/self/fd/N and the like) name no path
 * in their text; one the rule allows (procfs directories are root's or
 * the process's own) is followed by the kernel itself, for that one name.
 *
 * Cost: two system calls per name (openat, fstat) and four per link
 * followed; at most SAFEPATH_LINKS links, as the kernel's 40.
 *
 * Only system calls and the caller's buffers are used, never the heap:
 * ward-spawn.c calls safepath_open() in a child that shares stewardd's
 * memory between clone and exec.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "base/safepath.h"

#define SAFEPATH_MAX 4096
#define SAFEPATH_LINKS 40

/* A walk in progress. */
struct safepath_walk {
	char rest[SAFEPATH_MAX]; /* what is left to walk */
	size_t pos;              /* the next name starts at rest[pos] */
	int dfd;                 /* the directory reached so far */
	struct stat dst;         /* ... and what it is */
	int links;
	struct safepath_why *why;
};

/* Root and stewardd's own user are trusted; nobody else is. */
static bool
safepath_user_ok(uid_t uid)
{
	return uid == 0 || uid == geteuid();
}

/* How a directory with this owner, group and mode may be changed. */
enum safepath_dir
safepath_dir_kind(uid_t uid, gid_t gid, mode_t mode)
{
	bool others = !safepath_user_ok(uid) || (mode & S_IWOTH) != 0 ||
		      ((mode & S_IWGRP) != 0 && gid != 0);

	if (!others)
		return SAFEPATH_DIR_PRIVATE;
	if ((mode & S_ISVTX) != 0 && safepath_user_ok(uid))
		return SAFEPATH_DIR_STICKY;
	return SAFEPATH_DIR_SHARED;
}

/* Whether a symlink owned by link_uid in such a directory is followed. */
bool
safepath_may_follow(enum safepath_dir kind, bool shared_before, uid_t link_uid)
{
	if (shared_before)
		return false;
	switch (kind) {
	case SAFEPATH_DIR_PRIVATE:
		return true;
	case SAFEPATH_DIR_STICKY:
		return safepath_user_ok(link_uid);
	default:
		return false;
	}
}

/* 1 or 2 for the names of stewardd's own stdout and stderr, else -1. */
int
safepath_std_fd(const char *path)
{
	static const char *const out[] = {"/dev/stdout", "/dev/fd/1",
					  "/proc/self/fd/1"};
	static const char *const err[] = {"/dev/stderr", "/dev/fd/2",
					  "/proc/self/fd/2"};

	for (size_t i = 0; i < sizeof(out) / sizeof(out[0]); i++) {
		if (strcmp(path, out[i]) == 0)
			return 1;
		if (strcmp(path, err[i]) == 0)
			return 2;
	}
	return -1;
}

/* Append "/name" (n bytes) to why->where, cut short if it is long. */
static void
safepath_where_add(struct safepath_why *why, const char *name, size_t n)
{
	size_t len = strlen(why->where);

	if (len + 1 < sizeof(why->where))
		why->where[len++] = '/';
	if (n > sizeof(why->where) - 1 - len)
		n = sizeof(why->where) - 1 - len;
	memcpy(why->where + len, name, n);
	why->where[len + n] = '\0';
}

/* Refuse: errno EPERM, with the reason and the other user. */
static int
safepath_refuse(struct safepath_why *why, enum safepath_refusal r, uid_t uid)
{
	why->refusal = r;
	why->uid = uid;
	errno = EPERM;
	return -1;
}

/* The other user of a shared directory: its owner, or "any" (-1). */
static uid_t
safepath_other(const struct stat *st)
{
	return safepath_user_ok(st->st_uid) ? (uid_t)-1 : st->st_uid;
}

/* Start at "/" with path (which must be absolute) to walk. */
static int
safepath_begin(struct safepath_walk *w, const char *path,
	       struct safepath_why *why)
{
	size_t n = strlen(path);

	*why = (struct safepath_why){.refusal = SAFEPATH_OK};
	w->why = why;
	w->links = 0;
	w->dfd = -1;
	if (path[0] != '/')
		return safepath_refuse(why, SAFEPATH_NOT_ABSOLUTE, (uid_t)-1);
	if (n >= sizeof(w->rest)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(w->rest, path, n + 1);
	w->pos = 0;
	w->dfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (w->dfd == -1 || fstat(w->dfd, &w->dst) == -1)
		return -1;
	return 0;
}

/* Close what the walk holds, keeping errno. */
static void
safepath_end(struct safepath_walk *w)
{
	int saved = errno;

	if (w->dfd >= 0)
		close(w->dfd);
	w->dfd = -1;
	errno = saved;
}

/*
 * The next name: its start and length, and whether it is the last.
 * Returns false when nothing is left.
 */
static bool
safepath_next(struct safepath_walk *w, const char **name, size_t *len,
	      bool *last)
{
	const char *p = w->rest + w->pos;

	while (*p == '/')
		p++;
	if (*p == '\0')
		return false;
	*name = p;
	*len = strcspn(p, "/");
	w->pos = (size_t)(p - w->rest) + *len;
	p += *len;
	while (*p == '/')
		p++;
	*last = *p == '\0';
	return true;
}

/*
 * Follow the link held by lfd (found in the walk's directory): put its
 * target in front of what is left, from "/" when it is absolute.
 */
static int
safepath_follow(struct safepath_walk *w, int lfd)
{
	char target[SAFEPATH_MAX], joined[SAFEPATH_MAX];
	const char *left = w->rest + w->pos;
	size_t tn, ln = strlen(left);
	ssize_t n;

	if (++w->links > SAFEPATH_LINKS) {
		errno = ELOOP;
		return -1;
	}
	n = readlinkat(lfd, "", target, sizeof(target));
	if (n == -1)
		return -1;
	tn = (size_t)n;
	if (tn == 0) {
		errno = ENOENT;
		return -1;
	}
	if (tn + ln + 2 > sizeof(joined)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(joined, target, tn);
	joined[tn] = '/';
	memcpy(joined + tn + 1, left, ln + 1);
	memcpy(w->rest, joined, tn + ln + 2);
	w->pos = 0;
	if (target[0] == '/') {
		int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);

		if (root == -1)
			return -1;
		close(w->dfd);
		w->dfd = root;
		w->why->where[0] = '\0';
		if (fstat(w->dfd, &w->dst) == -1)
			return -1;
	} else {
		/* The link's own name is not part of the path reached. */
		char *slash = strrchr(w->why->where, '/');

		if (slash != NULL)
			*slash = '\0';
	}
	return 0;
}

/*
 * The name is a link, open as lfd with stat lst: follow it if the rule
 * allows, else refuse.  Returns 0 when followed, 1 when the kernel must
 * follow it (a "magic" link of /proc, such as /proc/self/fd/N, whose
 * text names no path), -1 with errno.
 */
static int
safepath_link(struct safepath_walk *w, int lfd, const struct stat *lst)
{
	enum safepath_dir kind =
	    safepath_dir_kind(w->dst.st_uid, w->dst.st_gid, w->dst.st_mode);
	struct statfs sf;

	if (!safepath_may_follow(kind, w->why->shared, lst->st_uid)) {
		if (kind == SAFEPATH_DIR_STICKY && !w->why->shared)
			return safepath_refuse(w->why, SAFEPATH_LINK_OWNER,
					       lst->st_uid);
		return safepath_refuse(
		    w->why, SAFEPATH_LINK_SHARED,
		    w->why->shared ? w->why->uid : safepath_other(&w->dst));
	}
	if (fstatfs(w->dfd, &sf) == 0 && sf.f_type == PROC_SUPER_MAGIC) {
		if (++w->links > SAFEPATH_LINKS) {
			errno = ELOOP;
			return -1;
		}
		return 1;
	}
	return safepath_follow(w, lfd);
}

/* Whether the name with stat st in the walk's directory is shared. */
static bool
safepath_entry_shared(const struct safepath_walk *w, const struct stat *st)
{
	enum safepath_dir kind =
	    safepath_dir_kind(w->dst.st_uid, w->dst.st_gid, w->dst.st_mode);

	return kind == SAFEPATH_DIR_SHARED ||
	       (kind == SAFEPATH_DIR_STICKY && !safepath_user_ok(st->st_uid));
}

/* Mark the walk shared from here on, remembering who can change it. */
static void
safepath_mark_shared(struct safepath_walk *w, const struct stat *st)
{
	if (w->why->shared)
		return;
	w->why->shared = true;
	w->why->uid =
	    safepath_user_ok(w->dst.st_uid)
		? (safepath_user_ok(st->st_uid) ? (uid_t)-1 : st->st_uid)
		: w->dst.st_uid;
}

/*
 * Step into the name (n bytes, not the last one): a directory, or a link
 * followed by the rule.  Returns -1 with errno.
 */
static int
safepath_step(struct safepath_walk *w, const char *name, size_t n)
{
	char comp[256];
	struct stat st;
	int fd;

	if (n >= sizeof(comp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(comp, name, n);
	comp[n] = '\0';
	if (strcmp(comp, ".") == 0)
		return 0;
	safepath_where_add(w->why, comp, n);
	fd = openat(w->dfd, comp, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd == -1)
		return -1;
	if (fstat(fd, &st) == -1) {
		close(fd);
		return -1;
	}
	if (S_ISLNK(st.st_mode)) {
		int rc = safepath_link(w, fd, &st);

		close(fd);
		if (rc != 1)
			return rc;
		/* A magic link of /proc: the kernel follows it. */
		fd = openat(w->dfd, comp, O_PATH | O_CLOEXEC);
		if (fd == -1)
			return -1;
		if (fstat(fd, &st) == -1) {
			close(fd);
			return -1;
		}
	}
	if (!S_ISDIR(st.st_mode)) {
		close(fd);
		errno = ENOTDIR;
		return -1;
	}
	if (safepath_entry_shared(w, &st))
		safepath_mark_shared(w, &st);
	close(w->dfd);
	w->dfd = fd;
	w->dst = st;
	return 0;
}

/* Open an absolute path under the rule; see safepath.h. */
int
safepath_open(const char *path, int flags, mode_t mode,
	      struct safepath_why *why)
{
	struct safepath_walk w;
	const char *name;
	size_t n;
	bool last;

	if (flags & O_TRUNC) {
		*why = (struct safepath_why){.refusal = SAFEPATH_OK};
		errno = EINVAL;
		return -1;
	}
	if (safepath_begin(&w, path, why) == -1) {
		safepath_end(&w);
		return -1;
	}
	while (safepath_next(&w, &name, &n, &last)) {
		char comp[256];
		struct stat st;
		int fd;

		if (!last || (n == 1 && name[0] == '.') ||
		    (n == 2 && name[0] == '.' && name[1] == '.')) {
			if (safepath_step(&w, name, n) == -1)
				goto fail;
			continue;
		}
		if (n >= sizeof(comp)) {
			errno = ENAMETOOLONG;
			goto fail;
		}
		memcpy(comp, name, n);
		comp[n] = '\0';
		safepath_where_add(why, comp, n);
		fd = openat(w.dfd, comp,
			    flags | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, mode);
		if (fd == -1 && errno == ELOOP) {
			/* The last name is a link: follow it by the rule. */
			int lfd = openat(w.dfd, comp,
					 O_PATH | O_NOFOLLOW | O_CLOEXEC);
			int rc;

			if (lfd == -1)
				goto fail;
			if (fstat(lfd, &st) == -1 || !S_ISLNK(st.st_mode)) {
				close(lfd);
				errno = ELOOP;
				goto fail;
			}
			rc = safepath_link(&w, lfd, &st);
			close(lfd);
			if (rc == -1)
				goto fail;
			if (rc == 0)
				continue;
			/* A magic link of /proc: the kernel follows it. */
			fd = openat(w.dfd, comp, flags | O_CLOEXEC | O_NOCTTY,
				    mode);
		}
		if (fd == -1)
			goto fail;
		if (fstat(fd, &st) == -1) {
			close(fd);
			goto fail;
		}
		if (safepath_entry_shared(&w, &st))
			safepath_mark_shared(&w, &st);
		if (why->shared && S_ISREG(st.st_mode) && st.st_nlink > 1) {
			close(fd);
			safepath_refuse(why, SAFEPATH_HARDLINK, st.st_uid);
			goto fail;
		}
		safepath_end(&w);
		return fd;
	}
	/* "/" itself, or a path of "." and "..": a directory. */
	{
		int fd = openat(w.dfd, ".", flags & ~O_CREAT, mode);

		safepath_end(&w);
		return fd;
	}
fail:
	safepath_end(&w);
	return -1;
}

/* Open the directory holding path's last name; see safepath.h. */
int
safepath_parent(const char *path, const char **lastname,
		struct safepath_why *why)
{
	struct safepath_walk w;
	const char *name, *base = strrchr(path, '/');
	size_t n;
	bool last;

	if (safepath_begin(&w, path, why) == -1)
		goto fail;
	/* The caller acts on path's own last name, never a link's. */
	base++;
	if (*base == '\0' || strcmp(base, ".") == 0 ||
	    strcmp(base, "..") == 0) {
		errno = EINVAL;
		goto fail;
	}
	while (safepath_next(&w, &name, &n, &last)) {
		if (last) {
			int fd = w.dfd;

			if (safepath_dir_kind(w.dst.st_uid, w.dst.st_gid,
					      w.dst.st_mode) ==
				SAFEPATH_DIR_SHARED &&
			    !why->shared) {
				why->shared = true;
				why->uid = safepath_other(&w.dst);
			}
			*lastname = base;
			w.dfd = -1;
			return fd;
		}
		if (safepath_step(&w, name, n) == -1)
			goto fail;
	}
	errno = EINVAL;
fail:
	safepath_end(&w);
	return -1;
}

/* Write the decimal digits of v at p; returns the end. */
static char *
safepath_digits(char *p, unsigned v)
{
	char tmp[16];
	int n = 0;

	do
		tmp[n++] = (char)('0' + v % 10);
	while ((v /= 10) > 0);
	while (n > 0)
		*p++ = tmp[--n];
	*p = '\0';
	return p;
}

/* chown and chmod our socket by its descriptor; see safepath.h. */
int
safepath_sock_chown_chmod(int dfd, const char *name, dev_t dev, ino_t ino,
			  uid_t uid, gid_t gid, mode_t mode)
{
	char proc[64] = "/proc/self/fd/";
	struct stat st;
	int fd, rc = 0;

	fd = openat(dfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd == -1)
		return -1;
	if (fstat(fd, &st) == -1) {
		rc = -1;
		goto out;
	}
	if (!S_ISSOCK(st.st_mode) || st.st_dev != dev || st.st_ino != ino) {
		errno = ESTALE;
		rc = -1;
		goto out;
	}
	if ((uid != (uid_t)-1 || gid != (gid_t)-1) &&
	    fchownat(fd, "", uid, gid, AT_EMPTY_PATH) == -1) {
		rc = -1;
		goto out;
	}
	/* chmod has no AT_EMPTY_PATH: /proc names exactly this inode. */
	safepath_digits(proc + strlen(proc), (unsigned)fd);
	if (chmod(proc, mode) == -1)
		rc = -1;
out : {
	int saved = errno;

	close(fd);
	errno = saved;
}
	return rc;
}

/* The refusal in words; see safepath.h. */
const char *
safepath_refusal_text(enum safepath_refusal r)
{
	switch (r) {
	case SAFEPATH_LINK_SHARED:
		return "a symbolic link in a directory that another user can "
		       "change (stewardd, as root, follows links only where "
		       "only root could have put them)";
	case SAFEPATH_LINK_OWNER:
		return "a symbolic link owned by another user in a sticky "
		       "directory";
	case SAFEPATH_HARDLINK:
		return "a file with more than one name in a directory that "
		       "another user can change (a hard link could make it any "
		       "file)";
	case SAFEPATH_NOT_ABSOLUTE:
		return "not an absolute path";
	case SAFEPATH_OWNER:
		return "it belongs to another user";
	default:
		return "refused";
	}
}

/* The whole message for a failed call; see safepath.h. */
char *
safepath_describe(const struct safepath_why *why, int err, char *buf,
		  size_t len)
{
	if (err != EPERM || why->refusal == SAFEPATH_OK) {
		snprintf(buf, len, "%s", strerror(err));
		return buf;
	}
	if (why->uid != (uid_t)-1 && why->uid != 0)
		snprintf(buf, len, "refusing %s: %s; user %u can change it",
			 why->where[0] ? why->where : "/",
			 safepath_refusal_text(why->refusal),
			 (unsigned)why->uid);
	else
		snprintf(buf, len, "refusing %s: %s",
			 why->where[0] ? why->where : "/",
			 safepath_refusal_text(why->refusal));
	return buf;
}
