/*
 * Unit tests for safepath.c: the classification of directories and
 * links as pure functions, then the walk itself against real temporary
 * directories, links, hard links and sockets (no fake file system).
 * A directory "another user can change" is made with mode 0777 (no
 * sticky bit), which needs no root; as root, links owned by nobody
 * (65534) are tried too.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/safepath.h"

#define UNUSED __attribute__((unused))

/* Each test's scratch directory. */
struct fixture {
	char dir[64];
};

/* A path in the scratch directory. */
static const char *
at(struct fixture *f, const char *name)
{
	static char buf[4][256];
	static int n;
	char *p = buf[n++ % 4];

	snprintf(p, 256, "%s/%s", f->dir, name);
	return p;
}

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/test-safepath-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

/* Whether path exists (without following a last link). */
static bool
exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

/* Directories are classed by who can change the names in them. */
static void
test_dir_kind(void **state UNUSED)
{
	uid_t me = geteuid();

	assert_int_equal(safepath_dir_kind(0, 0, S_IFDIR | 0755),
			 SAFEPATH_DIR_PRIVATE);
	assert_int_equal(safepath_dir_kind(me, 0, S_IFDIR | 0700),
			 SAFEPATH_DIR_PRIVATE);
	/* Group root may write; another group may not. */
	assert_int_equal(safepath_dir_kind(0, 0, S_IFDIR | 0775),
			 SAFEPATH_DIR_PRIVATE);
	assert_int_equal(safepath_dir_kind(0, 4, S_IFDIR | 0775),
			 SAFEPATH_DIR_SHARED);
	assert_int_equal(safepath_dir_kind(0, 0, S_IFDIR | 0777),
			 SAFEPATH_DIR_SHARED);
	assert_int_equal(safepath_dir_kind(0, 0, S_IFDIR | 01777),
			 SAFEPATH_DIR_STICKY);
	if (me != 65534) {
		/* Another user's directory, sticky or not, is theirs. */
		assert_int_equal(safepath_dir_kind(65534, 0, S_IFDIR | 0755),
				 SAFEPATH_DIR_SHARED);
		assert_int_equal(safepath_dir_kind(65534, 0, S_IFDIR | 01777),
				 SAFEPATH_DIR_SHARED);
	}
}

/* Links are followed as protected_symlinks would, and no further. */
static void
test_may_follow(void **state UNUSED)
{
	uid_t me = geteuid();

	assert_true(safepath_may_follow(SAFEPATH_DIR_PRIVATE, false, 65534));
	assert_true(safepath_may_follow(SAFEPATH_DIR_STICKY, false, 0));
	assert_true(safepath_may_follow(SAFEPATH_DIR_STICKY, false, me));
	if (me != 65534)
		assert_false(
		    safepath_may_follow(SAFEPATH_DIR_STICKY, false, 65534));
	assert_false(safepath_may_follow(SAFEPATH_DIR_SHARED, false, 0));
	assert_false(safepath_may_follow(SAFEPATH_DIR_PRIVATE, true, 0));
}

/* The names of stewardd's own stdout and stderr. */
static void
test_std_fd(void **state UNUSED)
{
	assert_int_equal(safepath_std_fd("/dev/stdout"), 1);
	assert_int_equal(safepath_std_fd("/dev/fd/1"), 1);
	assert_int_equal(safepath_std_fd("/proc/self/fd/1"), 1);
	assert_int_equal(safepath_std_fd("/dev/stderr"), 2);
	assert_int_equal(safepath_std_fd("/dev/fd/2"), 2);
	assert_int_equal(safepath_std_fd("/proc/self/fd/2"), 2);
	assert_int_equal(safepath_std_fd("/dev/fd/3"), -1);
	assert_int_equal(safepath_std_fd("/dev/stdout/x"), -1);
	assert_int_equal(safepath_std_fd("/var/log/x"), -1);
}

/* A plain path is created, in directories only we can change. */
static void
test_open_plain(void **state)
{
	struct fixture *f = *state;
	struct safepath_why why;
	int fd;

	assert_int_equal(mkdir(at(f, "a"), 0755), 0);
	fd = safepath_open(at(f, "a/f.log"), O_WRONLY | O_CREAT | O_APPEND,
			   0640, &why);
	assert_true(fd >= 0);
	assert_false(why.shared);
	assert_int_equal(why.refusal, SAFEPATH_OK);
	close(fd);
	assert_true(exists(at(f, "a/f.log")));
	/* Missing directories are not made. */
	assert_int_equal(
	    safepath_open(at(f, "b/f.log"), O_WRONLY | O_CREAT, 0640, &why),
	    -1);
	assert_int_equal(errno, ENOENT);
	/* Not absolute; O_TRUNC. */
	assert_int_equal(safepath_open("a/f.log", O_RDONLY, 0, &why), -1);
	assert_int_equal(errno, EPERM);
	assert_int_equal(why.refusal, SAFEPATH_NOT_ABSOLUTE);
	assert_int_equal(
	    safepath_open(at(f, "a/f.log"), O_WRONLY | O_TRUNC, 0, &why), -1);
	assert_int_equal(errno, EINVAL);
}

/* A root-owned style log directory link (/var/log/app -> /data/app). */
static void
test_open_private_links(void **state)
{
	struct fixture *f = *state;
	struct safepath_why why;
	char target[256];
	int fd;

	assert_int_equal(mkdir(at(f, "data"), 0755), 0);
	assert_int_equal(mkdir(at(f, "data/app"), 0755), 0);
	assert_int_equal(mkdir(at(f, "log"), 0755), 0);
	snprintf(target, sizeof(target), "%s", at(f, "data/app"));
	assert_int_equal(symlink(target, at(f, "log/app")), 0);
	fd = safepath_open(at(f, "log/app/web.log"),
			   O_WRONLY | O_CREAT | O_APPEND, 0640, &why);
	assert_true(fd >= 0);
	close(fd);
	assert_true(exists(at(f, "data/app/web.log")));
	/* Relative targets, and a last name that is a link. */
	assert_int_equal(symlink("../data/app", at(f, "log/rel")), 0);
	assert_int_equal(symlink("web.log", at(f, "data/app/last")), 0);
	fd = safepath_open(at(f, "log/rel/last"), O_WRONLY | O_APPEND, 0, &why);
	assert_true(fd >= 0);
	close(fd);
	/* A loop ends. */
	assert_int_equal(symlink("loop", at(f, "log/loop")), 0);
	assert_int_equal(safepath_open(at(f, "log/loop/x"), O_RDONLY, 0, &why),
			 -1);
	assert_int_equal(errno, ELOOP);
}

/* The magic links of /proc are followed by the kernel. */
static void
test_open_proc_fd(void **state)
{
	struct fixture *f = *state;
	struct safepath_why why;
	char proc[64], buf[8] = "";
	int fd, in;

	fd = open(at(f, "data"), O_RDWR | O_CREAT, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "hello", 5), 5);
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	in = safepath_open(proc, O_RDONLY, 0, &why);
	assert_true(in >= 0);
	assert_int_equal(pread(in, buf, 5, 0), 5);
	assert_string_equal(buf, "hello");
	close(in);
	/* ... also through a link to them in a private directory. */
	assert_int_equal(symlink(proc, at(f, "viaproc")), 0);
	in = safepath_open(at(f, "viaproc"), O_RDONLY, 0, &why);
	assert_true(in >= 0);
	close(in);
	close(fd);
}

/* In a directory another user can change, no link is followed. */
static void
test_open_shared_refused(void **state)
{
	struct fixture *f = *state;
	struct safepath_why why;
	char target[256];

	assert_int_equal(mkdir(at(f, "target"), 0755), 0);
	assert_int_equal(mkdir(at(f, "shared"), 0777), 0);
	assert_int_equal(chmod(at(f, "shared"), 0777), 0);
	snprintf(target, sizeof(target), "%s", at(f, "target"));
	/* A link above the file (the O_NOFOLLOW gap). */
	assert_int_equal(symlink(target, at(f, "shared/sub")), 0);
	assert_int_equal(safepath_open(at(f, "shared/sub/f.log"),
				       O_WRONLY | O_CREAT | O_APPEND, 0640,
				       &why),
			 -1);
	assert_int_equal(errno, EPERM);
	assert_int_equal(why.refusal, SAFEPATH_LINK_SHARED);
	assert_string_equal(why.where, at(f, "shared/sub"));
	assert_false(exists(at(f, "target/f.log")));
	/* The file itself a link. */
	snprintf(target, sizeof(target), "%s", at(f, "target/x.log"));
	assert_int_equal(symlink(target, at(f, "shared/x.log")), 0);
	assert_int_equal(safepath_open(at(f, "shared/x.log"),
				       O_WRONLY | O_CREAT | O_APPEND, 0640,
				       &why),
			 -1);
	assert_int_equal(why.refusal, SAFEPATH_LINK_SHARED);
	assert_false(exists(at(f, "target/x.log")));
	/* Below a shared directory, even a link in a private one. */
	assert_int_equal(mkdir(at(f, "shared/d"), 0755), 0);
	snprintf(target, sizeof(target), "%s", at(f, "target"));
	assert_int_equal(symlink(target, at(f, "shared/d/l")), 0);
	assert_int_equal(safepath_open(at(f, "shared/d/l/f.log"),
				       O_WRONLY | O_CREAT | O_APPEND, 0640,
				       &why),
			 -1);
	assert_int_equal(why.refusal, SAFEPATH_LINK_SHARED);
	/* A plain file there is fine, and said to be in a shared place. */
	int fd = safepath_open(at(f, "shared/d/ok.log"),
			       O_WRONLY | O_CREAT | O_APPEND, 0640, &why);
	assert_true(fd >= 0);
	assert_true(why.shared);
	close(fd);
}

/* A hard link in a shared place could be any file: refused. */
static void
test_open_hardlink(void **state)
{
	struct fixture *f = *state;
	struct safepath_why why;
	int fd;

	assert_int_equal(mkdir(at(f, "shared"), 0777), 0);
	assert_int_equal(chmod(at(f, "shared"), 0777), 0);
	fd = open(at(f, "victim"), O_WRONLY | O_CREAT, 0600);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(link(at(f, "victim"), at(f, "shared/h.log")), 0);
	assert_int_equal(
	    safepath_open(at(f, "shared/h.log"), O_WRONLY | O_APPEND, 0, &why),
	    -1);
	assert_int_equal(errno, EPERM);
	assert_int_equal(why.refusal, SAFEPATH_HARDLINK);
	/* In a private directory a second name is the owner's choice. */
	assert_int_equal(link(at(f, "victim"), at(f, "h2")), 0);
	fd = safepath_open(at(f, "h2"), O_WRONLY | O_APPEND, 0, &why);
	assert_true(fd >= 0);
	close(fd);
}

/* Sticky directories: our links are followed, others' are not. */
static void
test_open_sticky(void **state)
{
	struct fixture *f = *state;
	struct safepath_why why;
	char target[256];
	int fd;

	assert_int_equal(mkdir(at(f, "target"), 0755), 0);
	assert_int_equal(mkdir(at(f, "sticky"), 0777), 0);
	assert_int_equal(chmod(at(f, "sticky"), 01777), 0);
	snprintf(target, sizeof(target), "%s", at(f, "target"));
	assert_int_equal(symlink(target, at(f, "sticky/mine")), 0);
	fd = safepath_open(at(f, "sticky/mine/f.log"),
			   O_WRONLY | O_CREAT | O_APPEND, 0640, &why);
	assert_true(fd >= 0);
	close(fd);
	if (geteuid() != 0)
		return;
	assert_int_equal(symlink(target, at(f, "sticky/theirs")), 0);
	assert_int_equal(lchown(at(f, "sticky/theirs"), 65534, 65534), 0);
	assert_int_equal(safepath_open(at(f, "sticky/theirs/g.log"),
				       O_WRONLY | O_CREAT | O_APPEND, 0640,
				       &why),
			 -1);
	assert_int_equal(why.refusal, SAFEPATH_LINK_OWNER);
	assert_int_equal(why.uid, 65534);
	assert_false(exists(at(f, "target/g.log")));
	/* A directory of theirs in the sticky one is theirs to swap. */
	assert_int_equal(mkdir(at(f, "sticky/d"), 0755), 0);
	assert_int_equal(chown(at(f, "sticky/d"), 65534, 65534), 0);
	assert_int_equal(symlink(target, at(f, "sticky/d/l")), 0);
	assert_int_equal(safepath_open(at(f, "sticky/d/l/h.log"),
				       O_WRONLY | O_CREAT | O_APPEND, 0640,
				       &why),
			 -1);
	assert_int_equal(why.refusal, SAFEPATH_LINK_SHARED);
	assert_int_equal(why.uid, 65534);
}

/* The parent of a path: the directory, and the name to act on. */
static void
test_parent(void **state)
{
	struct fixture *f = *state;
	struct safepath_why why;
	const char *name;
	char target[256];
	int dfd;

	assert_int_equal(mkdir(at(f, "real"), 0755), 0);
	snprintf(target, sizeof(target), "%s", at(f, "real"));
	assert_int_equal(symlink(target, at(f, "via")), 0);
	dfd = safepath_parent(at(f, "via/sub"), &name, &why);
	assert_true(dfd >= 0);
	assert_string_equal(name, "sub");
	assert_false(why.shared);
	assert_int_equal(mkdirat(dfd, name, 0711), 0);
	close(dfd);
	assert_true(exists(at(f, "real/sub")));
	/* The last name is never followed: it is what we act on. */
	assert_int_equal(symlink("/etc", at(f, "real/link")), 0);
	dfd = safepath_parent(at(f, "via/link"), &name, &why);
	assert_true(dfd >= 0);
	assert_int_equal(unlinkat(dfd, name, 0), 0);
	close(dfd);
	assert_true(exists("/etc"));
	/* A shared parent is said to be one. */
	assert_int_equal(mkdir(at(f, "shared"), 0777), 0);
	assert_int_equal(chmod(at(f, "shared"), 0777), 0);
	dfd = safepath_parent(at(f, "shared/x"), &name, &why);
	assert_true(dfd >= 0);
	assert_true(why.shared);
	close(dfd);
	assert_int_equal(safepath_parent(at(f, "real/"), &name, &why), -1);
	assert_int_equal(errno, EINVAL);
}

/* chown and chmod reach our socket only, never what replaced it. */
static void
test_sock_chmod(void **state)
{
	struct fixture *f = *state;
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct safepath_why why;
	const char *name;
	struct stat st;
	int s, dfd, victim;

	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(s >= 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", at(f, "ctl.sock"));
	assert_int_equal(bind(s, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(lstat(at(f, "ctl.sock"), &st), 0);
	dfd = safepath_parent(at(f, "ctl.sock"), &name, &why);
	assert_true(dfd >= 0);
	assert_int_equal(safepath_sock_chown_chmod(dfd, name, st.st_dev,
						   st.st_ino, (uid_t)-1,
						   getegid(), 0660),
			 0);
	assert_int_equal(lstat(at(f, "ctl.sock"), &st), 0);
	assert_int_equal(st.st_mode & 07777, 0660);
	/* Swapped for a link to a file: not touched, ESTALE. */
	victim = open(at(f, "victim"), O_WRONLY | O_CREAT, 0600);
	assert_true(victim >= 0);
	close(victim);
	assert_int_equal(unlink(at(f, "ctl.sock")), 0);
	assert_int_equal(symlink(at(f, "victim"), at(f, "ctl.sock")), 0);
	assert_int_equal(safepath_sock_chown_chmod(dfd, name, st.st_dev,
						   st.st_ino, (uid_t)-1,
						   getegid(), 0666),
			 -1);
	assert_int_equal(errno, ESTALE);
	assert_int_equal(stat(at(f, "victim"), &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	close(dfd);
	close(s);
}

/* The refusal in words names the place and the user. */
static void
test_describe(void **state)
{
	struct fixture *f = *state;
	struct safepath_why why;
	char target[256], buf[512];

	assert_int_equal(mkdir(at(f, "shared"), 0777), 0);
	assert_int_equal(chmod(at(f, "shared"), 0777), 0);
	snprintf(target, sizeof(target), "%s", f->dir);
	assert_int_equal(symlink(target, at(f, "shared/l")), 0);
	assert_int_equal(safepath_open(at(f, "shared/l/x"), O_RDONLY, 0, &why),
			 -1);
	safepath_describe(&why, errno, buf, sizeof(buf));
	assert_non_null(strstr(buf, "refusing "));
	assert_non_null(strstr(buf, "/shared/l: a symbolic link in a "
				    "directory that another user can change"));
	safepath_describe(&why, ENOENT, buf, sizeof(buf));
	assert_string_equal(buf, strerror(ENOENT));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_dir_kind),
	    cmocka_unit_test(test_may_follow),
	    cmocka_unit_test(test_std_fd),
	    cmocka_unit_test_setup_teardown(test_open_plain, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_open_private_links, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_open_proc_fd, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_open_shared_refused, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_open_hardlink, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_open_sticky, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_parent, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sock_chmod, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_describe, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
