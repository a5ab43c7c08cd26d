/*
 * safepath: one rule for every path stewardd opens, creates, removes,
 * chowns or chmods while it runs as root.
 *
 * Root's writes must never land where a user other than root (or
 * stewardd's own user) could redirect them.  So a path is walked one
 * component at a time with openat(2) from "/", never trusting the kernel
 * to resolve more than one name, and a symbolic link is followed only
 * where Linux's protected_symlinks rule would follow it and no directory
 * on the way can be changed by another user.  See the essay at the top
 * of safepath.c for the rule in full, and SECURITY in stewardd(8) for
 * every path it guards.
 *
 * Everything here makes system calls only: no heap, no stdio, so a
 * child between clone and exec may call safepath_open() too.
 */
#ifndef STEWARD_SAFEPATH_H
#define STEWARD_SAFEPATH_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Why the rule refused a path (errno is EPERM then). */
enum safepath_refusal {
	SAFEPATH_OK,
	SAFEPATH_LINK_SHARED, /* a symlink where another user could plant it */
	SAFEPATH_LINK_OWNER,  /* a symlink owned by another user, sticky dir */
	SAFEPATH_HARDLINK,    /* a file with other names, in a shared place */
	SAFEPATH_NOT_ABSOLUTE,
	SAFEPATH_OWNER, /* a directory stewardd made is not its own */
};

/* What the rule said about a path; filled by every safepath_ call. */
struct safepath_why {
	enum safepath_refusal refusal;
	uid_t uid;       /* the other user (owner of the dir or link) */
	bool shared;     /* another user can change a directory on the way */
	char where[256]; /* the path walked up to the refused component */
};

/* Directory kinds, by who can change the names in it. */
enum safepath_dir {
	SAFEPATH_DIR_PRIVATE, /* only root and stewardd's user */
	SAFEPATH_DIR_STICKY,  /* others may add names, not touch ours */
	SAFEPATH_DIR_SHARED,  /* another user can rename or replace names */
};

/* How a directory with this owner, group and mode may be changed. */
enum safepath_dir safepath_dir_kind(uid_t uid, gid_t gid, mode_t mode);

/* Whether a symlink owned by link_uid in such a directory is followed. */
bool safepath_may_follow(enum safepath_dir kind, bool shared_before,
			 uid_t link_uid);

/*
 * 1 or 2 when path names stewardd's own stdout or stderr (/dev/stdout,
 * /dev/fd/1, /proc/self/fd/1, ...), else -1.
 */
int safepath_std_fd(const char *path);

/*
 * Open an absolute path under the rule: flags as for open(2) (O_NOFOLLOW,
 * O_CLOEXEC and O_NOCTTY are added; O_TRUNC is refused with EINVAL).  An
 * existing regular file with more than one name in a place another user
 * can change is refused.  Returns the fd, or -1 with errno (EPERM and
 * why->refusal when the rule refused it).
 */
int safepath_open(const char *path, int flags, mode_t mode,
		  struct safepath_why *why);

/*
 * Open the directory holding path's last component (O_DIRECTORY, read
 * only) under the rule; *name points at that component in path.  For
 * mkdirat, unlinkat, renameat, bind through /proc/self/fd.  why->shared
 * says whether another user can change the names in it.
 */
int safepath_parent(const char *path, const char **name,
		    struct safepath_why *why);

/*
 * chown and chmod the socket called name in directory dfd, only if it
 * is still the socket dev/ino (never following a symlink).  uid or gid
 * (uid_t)-1 / (gid_t)-1 leave them; returns -1 with errno (ESTALE when
 * the name now holds something else).
 */
int safepath_sock_chown_chmod(int dfd, const char *name, dev_t dev, ino_t ino,
			      uid_t uid, gid_t gid, mode_t mode);

/* The refusal in words: "a symlink in a directory user 1000 can change". */
const char *safepath_refusal_text(enum safepath_refusal r);

/*
 * The whole message for a failed call: "refusing <where>: <text> (uid N)"
 * or strerror(err), into buf; returns buf.
 */
char *safepath_describe(const struct safepath_why *why, int err, char *buf,
			size_t len);

#endif
