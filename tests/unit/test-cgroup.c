/*
 * Unit tests for cgroup.c against a temporary directory laid out as
 * cgroupfs lays out a cgroup: the same file names and the same formats,
 * written by the test.  What only the kernel does (make the files of a
 * new directory, refuse a write to a controller that is off) is what a
 * missing file stands for here: cgroup.c never creates a file.
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
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/cgroup.h"

/* A fresh directory and its descriptor, per test. */
struct fixture {
	char path[64];
	int fd;
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	snprintf(f->path, sizeof(f->path), "/tmp/test-cgroup-XXXXXX");
	if (mkdtemp(f->path) == NULL)
		return -1;
	f->fd = open(f->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	*state = f;
	return f->fd == -1 ? -1 : 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];

	close(f->fd);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->path);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

/* Write a file of the fake cgroup, as the kernel would have it. */
static void
put(struct fixture *f, const char *name, const char *text)
{
	int fd = openat(f->fd, name, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

/* What a file of the fake cgroup holds now. */
static const char *
get(struct fixture *f, const char *name)
{
	static char buf[512];

	assert_true(cgroup_read(f->fd, name, buf, sizeof(buf)) >= 0);
	return buf;
}

/* A hybrid host: cgroup v1 controllers, cgroup2 at .../unified. */
static void
test_mount_point_hybrid(void **state)
{
	const char *mi =
	    "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw\n"
	    "35 31 0:32 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n"
	    "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 "
	    "cgroup2 rw\n";
	char *m = cgroup_mount_point(mi);

	(void)state;
	assert_string_equal(m, "/sys/fs/cgroup/unified");
	free(m);
}

/* A bind mount of a subtree is skipped; escapes are undone. */
static void
test_mount_point_subtree_and_escapes(void **state)
{
	const char *mi = "50 1 0:40 /a/b /mnt/sub rw - cgroup2 cgroup2 rw\n"
			 "51 1 0:40 / /mnt/with\\040space rw - cgroup2 "
			 "cgroup2 rw\n";
	char *m = cgroup_mount_point(mi);

	(void)state;
	assert_string_equal(m, "/mnt/with space");
	free(m);
	assert_null(cgroup_mount_point("1 0 0:1 / / rw - ext4 /dev/sda rw\n"));
}

/* The "0::" line of /proc/self/cgroup. */
static void
test_own_path(void **state)
{
	char *p = cgroup_own_path("9:name=systemd:/\n4:memory:/x\n0::/a/b\n");

	(void)state;
	assert_string_equal(p, "/a/b");
	free(p);
	assert_null(cgroup_own_path("4:memory:/x\n"));
}

/* Which controllers the keys need, and which are missing. */
static void
test_controllers(void **state)
{
	struct cgroup_limits l = {0};
	char buf[64], miss[32];

	(void)state;
	assert_false(cgroup_limits_any(&l));
	cgroup_limits_controllers(&l, buf, sizeof(buf));
	assert_string_equal(buf, "");
	l.pids_max = 10;
	cgroup_limits_controllers(&l, buf, sizeof(buf));
	assert_string_equal(buf, "pids");
	l.memory_restart = 1 << 20;
	l.cpu_weight = 50;
	assert_true(cgroup_limits_any(&l));
	cgroup_limits_controllers(&l, buf, sizeof(buf));
	assert_string_equal(buf, "memory pids cpu");
	assert_null(
	    cgroup_missing(buf, "cpu io memory pids\n", miss, sizeof(miss)));
	assert_string_equal(
	    cgroup_missing(buf, "memory cpu", miss, sizeof(miss)), "pids");
	assert_string_equal(cgroup_missing(buf, "", miss, sizeof(miss)),
			    "memory");
}

/* Every key lands in its file, in cgroupfs's own format. */
static void
test_limits_apply(void **state)
{
	struct fixture *f = *state;
	struct cgroup_limits l = {.memory_max = 64ULL << 20,
				  .memory_high = CGROUP_MAX,
				  .pids_max = 50,
				  .cpu_weight = 200,
				  .cpu_quota_us = 50000,
				  .cpu_period_us = 100000};
	struct err *e = NULL;

	/* Empty: a regular file keeps what a shorter write leaves. */
	put(f, "memory.max", "");
	put(f, "memory.high", "");
	put(f, "pids.max", "");
	put(f, "cpu.weight", "");
	put(f, "cpu.max", "");
	assert_int_equal(cgroup_limits_apply(f->fd, &l, &e), 0);
	assert_null(e);
	assert_string_equal(get(f, "memory.max"), "67108864");
	assert_string_equal(get(f, "memory.high"), "max");
	assert_string_equal(get(f, "pids.max"), "50");
	assert_string_equal(get(f, "cpu.weight"), "200");
	assert_string_equal(get(f, "cpu.max"), "50000 100000");
}

/* A controller that is off has no files: the error names the file. */
static void
test_limits_without_controller(void **state)
{
	struct fixture *f = *state;
	struct cgroup_limits l = {.pids_max = 5};
	struct err *e = NULL;
	char *msg;

	assert_int_equal(cgroup_limits_apply(f->fd, &l, &e), -1);
	assert_non_null(e);
	msg = err_str(e);
	assert_non_null(strstr(msg, "pids.max"));
	assert_int_equal(err_errno(e), ENOENT);
	free(msg);
	err_free(e);
	/* Nothing was left behind by the failed write. */
	assert_int_equal(faccessat(f->fd, "pids.max", F_OK, 0), -1);
}

/* Usage without controllers: cpu.stat and the lines of cgroup.procs. */
static void
test_usage_without_controllers(void **state)
{
	struct fixture *f = *state;
	struct cgroup_usage u;

	assert_int_equal(cgroup_usage(f->fd, NULL, false, &u), -1);
	put(f, "cpu.stat",
	    "usage_usec 123456\nuser_usec 100000\n"
	    "system_usec 23456\nnice_usec 0\n");
	put(f, "cgroup.procs", "101\n102\n103\n");
	put(f, "pids.current", "9\n"); /* not read: no controllers */
	assert_int_equal(cgroup_usage(f->fd, NULL, false, &u), 0);
	assert_int_equal(u.cpu_usec, 123456);
	assert_int_equal(u.procs, 3);
	assert_false(u.has_memory);
	assert_int_equal(u.oom_kills, 0);
}

/* The CPU time alone: cgroup.procs is not read. */
static void
test_cpu_usage_only(void **state)
{
	struct fixture *f = *state;
	struct cgroup_usage u;

	assert_int_equal(cgroup_cpu_usage(f->fd, NULL, &u), -1);
	put(f, "cpu.stat", "usage_usec 99\nuser_usec 90\n");
	put(f, "cgroup.procs", "101\n102\n");
	u.procs = 7;
	assert_int_equal(cgroup_cpu_usage(f->fd, NULL, &u), 0);
	assert_int_equal(u.cpu_usec, 99);
	assert_int_equal(u.procs, 0);
	assert_false(u.has_memory);
}

/* With controllers: pids.current wins, memory and OOM kills are read. */
static void
test_usage_with_controllers(void **state)
{
	struct fixture *f = *state;
	struct cgroup_usage u;

	put(f, "cpu.stat", "usage_usec 7\n");
	put(f, "cgroup.procs", "101\n");
	put(f, "pids.current", "4\n");
	put(f, "memory.current", "1048576\n");
	put(f, "memory.events",
	    "low 0\nhigh 2\nmax 9\noom 1\noom_kill 1\n"
	    "oom_group_kill 0\n");
	assert_int_equal(cgroup_usage(f->fd, NULL, true, &u), 0);
	assert_int_equal(u.procs, 4);
	assert_true(u.has_memory);
	assert_int_equal(u.memory, 1048576);
	assert_int_equal(u.oom_kills, 1);
}

/* A descendant by its path; never through a symlink or "..". */
static void
test_usage_beneath(void **state)
{
	struct fixture *f = *state;
	struct cgroup_usage u;
	char buf[64], path[128];
	int fd;

	assert_int_equal(mkdirat(f->fd, "ward:web", 0755), 0);
	assert_int_equal(mkdirat(f->fd, "ward:web/0", 0755), 0);
	fd = openat(f->fd, "ward:web/0/cpu.stat", O_WRONLY | O_CREAT, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "usage_usec 42\n", 14), 14);
	close(fd);
	assert_int_equal(cgroup_usage(f->fd, "ward:web/0", false, &u), 0);
	assert_int_equal(u.cpu_usec, 42);
	assert_int_equal(symlinkat("ward:web", f->fd, "ward:link"), 0);
	assert_int_equal(cgroup_usage(f->fd, "ward:link/0", false, &u), -1);
	/* Out and back in: the same file, but not beneath dir on the way. */
	snprintf(path, sizeof(path), "../%s/ward:web/0/cpu.stat",
		 strrchr(f->path, '/') + 1);
	assert_int_equal(cgroup_read(f->fd, path, buf, sizeof(buf)), -1);
	assert_true(
	    cgroup_read(f->fd, "ward:web/0/cpu.stat", buf, sizeof(buf)) > 0);
}

/* populated, from cgroup.events. */
static void
test_populated(void **state)
{
	struct fixture *f = *state;
	struct err *e = NULL;

	assert_int_equal(cgroup_populated(f->fd, NULL, &e), -1);
	err_free(e);
	e = NULL;
	put(f, "cgroup.events", "populated 1\nfrozen 0\n");
	assert_int_equal(cgroup_populated(f->fd, NULL, &e), 1);
	put(f, "cgroup.events", "populated 0\nfrozen 0\n");
	assert_int_equal(cgroup_populated(f->fd, NULL, &e), 0);
	assert_null(e);
}

/* Only the controllers not yet on are asked for. */
static void
test_enable(void **state)
{
	struct fixture *f = *state;
	struct err *e = NULL;

	put(f, "cgroup.subtree_control", "memory\n\n\n\n\n\n");
	/* (padded: what is written lands over it) */
	assert_int_equal(cgroup_enable(f->fd, "memory pids cpu", &e), 0);
	assert_memory_equal(get(f, "cgroup.subtree_control"), "+pids +cpu", 10);
	put(f, "cgroup.subtree_control", "pids cpu memory\n");
	assert_int_equal(cgroup_enable(f->fd, "memory pids", &e), 0);
	assert_string_equal(get(f, "cgroup.subtree_control"),
			    "pids cpu memory\n");
	assert_null(e);
}

/* Kill: cgroup.kill where there is one; else freeze, kill each, thaw. */
static void
test_kill(void **state)
{
	struct fixture *f = *state;
	struct err *e = NULL;

	put(f, "cgroup.freeze", "");
	put(f, "cgroup.procs", "");
	assert_int_equal(cgroup_kill(f->fd, &e), 0);
	assert_string_equal(get(f, "cgroup.freeze"), "0"); /* thawed */
	put(f, "cgroup.kill", "");
	assert_int_equal(cgroup_kill(f->fd, &e), 0);
	assert_string_equal(get(f, "cgroup.kill"), "1");
	assert_null(e);
}

/* Names with a slash or dots are refused; a child is made and opened. */
static void
test_open_child(void **state)
{
	struct fixture *f = *state;
	struct err *e = NULL;
	int fd;

	assert_int_equal(cgroup_open_child(f->fd, "a/b", true, &e), -1);
	err_free(e);
	e = NULL;
	assert_int_equal(cgroup_open_child(f->fd, "..", true, &e), -1);
	err_free(e);
	e = NULL;
	assert_int_equal(cgroup_open_child(f->fd, "ward:web", false, &e), -1);
	err_free(e);
	e = NULL;
	/* A symlink planted where a cgroup would be is not followed. */
	assert_int_equal(symlinkat("/etc", f->fd, "ward:evil"), 0);
	assert_int_equal(cgroup_open_child(f->fd, "ward:evil", true, &e), -1);
	/* O_NOFOLLOW with O_DIRECTORY: ENOTDIR, not ELOOP */
	assert_true(err_errno(e) == ELOOP || err_errno(e) == ENOTDIR);
	err_free(e);
	e = NULL;
	fd = cgroup_open_child(f->fd, "ward:web", true, &e);
	assert_true(fd >= 0);
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	close(fd);
	fd = cgroup_open_child(f->fd, "ward:web", true, &e); /* exists */
	assert_true(fd >= 0);
	close(fd);
}

/* memory_restart: above the limit for the whole duration, then heal. */
static void
test_memory_over(void **state)
{
	double since = 0;
	const uint64_t mib = 1 << 20;

	(void)state;
	assert_false(cgroup_memory_over(100 * mib, 200 * mib, 10, 1, &since));
	assert_true(since == 0);
	assert_false(cgroup_memory_over(300 * mib, 200 * mib, 10, 2, &since));
	assert_true(since == 2);
	assert_false(cgroup_memory_over(300 * mib, 200 * mib, 10, 11, &since));
	/* It dipped below: the clock starts again. */
	assert_false(cgroup_memory_over(150 * mib, 200 * mib, 10, 12, &since));
	assert_true(since == 0);
	assert_false(cgroup_memory_over(250 * mib, 200 * mib, 10, 13, &since));
	assert_true(cgroup_memory_over(250 * mib, 200 * mib, 10, 23, &since));
	/* No duration: the first look above it is enough. */
	since = 0;
	assert_true(cgroup_memory_over(201 * mib, 200 * mib, 0, 5, &since));
	/* Unset: never. */
	since = 0;
	assert_false(cgroup_memory_over(999 * mib, 0, 0, 5, &since));
}

/*
 * A delegated cgroup stewardd is a member of: controllers it offers can
 * be enabled below it only once stewardd's processes have left it.
 */
static void
test_move_needed(void **state)
{
	struct fixture *f = *state;
	const pid_t ours[] = {100, 200}, alone[] = {100};
	char m[32];

	put(f, "cgroup.controllers", "cpu memory pids hugetlb\n");
	put(f, "cgroup.subtree_control", "\n");
	put(f, "cgroup.procs", "100\n200\n");
	/* stewardd and its guard, alone there: move. */
	assert_int_equal(
	    cgroup_move_needed(f->fd, "memory pids", ours, 2, m, sizeof(m)),
	    CGROUP_MOVE);
	assert_string_equal(m, "memory");
	/* A process not ours (200) would stay: moving does not help. */
	assert_int_equal(
	    cgroup_move_needed(f->fd, "memory", alone, 1, m, sizeof(m)),
	    CGROUP_SHARED);
	/* Not offered by the parent: no move makes it available. */
	assert_int_equal(
	    cgroup_move_needed(f->fd, "memory io", ours, 2, m, sizeof(m)),
	    CGROUP_STAY);
	/* Already enabled (and so nobody is a member): nothing to do. */
	put(f, "cgroup.subtree_control", "memory pids\n");
	assert_int_equal(
	    cgroup_move_needed(f->fd, "pids memory", ours, 2, m, sizeof(m)),
	    CGROUP_STAY);
	/* Only the missing one counts: cpu, offered, with us in it. */
	assert_int_equal(
	    cgroup_move_needed(f->fd, "memory cpu", ours, 2, m, sizeof(m)),
	    CGROUP_MOVE);
	assert_string_equal(m, "cpu");
	/* Nobody in it: enabling works without a move. */
	put(f, "cgroup.subtree_control", "\n");
	put(f, "cgroup.procs", "");
	assert_int_equal(
	    cgroup_move_needed(f->fd, "memory", ours, 2, m, sizeof(m)),
	    CGROUP_STAY);
}

/* The move writes each pid into the leaf's cgroup.procs. */
static void
test_move_into(void **state)
{
	struct fixture *f = *state;
	const pid_t pids[] = {4242};
	struct err *e = NULL;

	/* The kernel makes a new cgroup's files; here the test does. */
	assert_int_equal(mkdirat(f->fd, "steward-1.stewardd", 0755), 0);
	put(f, "steward-1.stewardd/cgroup.procs", "");
	assert_int_equal(
	    cgroup_move_into(f->fd, "steward-1.stewardd", pids, 1, &e), 0);
	assert_string_equal(get(f, "steward-1.stewardd/cgroup.procs"), "4242");
	/* Without cgroupfs's file: the error names the pid and the leaf. */
	assert_int_equal(cgroup_move_into(f->fd, "other", pids, 1, &e), -1);
	{
		char *msg = err_str(e);

		assert_non_null(
		    strstr(msg, "moving pid 4242 into cgroup other"));
		free(msg);
	}
	err_free(e);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_mount_point_hybrid),
	    cmocka_unit_test(test_mount_point_subtree_and_escapes),
	    cmocka_unit_test(test_own_path),
	    cmocka_unit_test(test_controllers),
	    cmocka_unit_test_setup_teardown(test_limits_apply, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_limits_without_controller,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_usage_without_controllers,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_cpu_usage_only, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_usage_with_controllers, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_usage_beneath, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_populated, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_enable, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_kill, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_move_needed, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_move_into, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_open_child, setup, teardown),
	    cmocka_unit_test(test_memory_over),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
