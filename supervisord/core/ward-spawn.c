/*
 * Spawning a ward instance.
 *
 * The parent does everything that can fail slowly or needs the heap:
 * it resolves the program on PATH, builds argv and the environment, and
 * makes two pipes (both O_CLOEXEC): the heartbeat pipe, whose write end
 * becomes the child's fd 3, and the report pipe.  It blocks every signal,
 * creates the child, and restores its mask.
 *
 * stewardd holds one descriptor per ward (its heartbeat pipe): 10,000
 * of them with 10,000 wards.  fork(2) copies that table and execve(2)
 * closes every entry again, one by one: O(wards) per spawn; and fork
 * copies stewardd's page tables, which execve throws away again.  So the
 * child is created as posix_spawn(3) creates its own, with clone(CLONE_VM
 * | CLONE_VFORK), on a stack of its own, and with CLONE_FILES too: it
 * shares the table, and its first
 * act is close_range(first, ~0, CLOSE_RANGE_UNSHARE), which gives it a
 * table of only the descriptors below first.  The parent has put the
 * pipe ends the child needs there beforehand, in a few slots reserved
 * low at start (ward_spawn_init), and points the slots back at
 * /dev/null once the child has exec'd or failed (CLONE_VFORK holds the
 * parent until then).  Sharing memory, the child writes only its own
 * stack, the plan, the WATCHDOG_PID= string and errno.  As the parent waits,
 * nothing the child does before exec may block: output files are opened
 * O_NONBLOCK (a FIFO without a reader is an error, not a hang).  Where
 * clone is refused (valgrind, a seccomp filter) stewardd falls back to
 * fork(2) for good.
 *
 * The child makes only system calls.  It resets the signal dispositions
 * stewardd changed and its mask, starts a new session (so the instance is a
 * process group stewardd can signal whole), sets up fds 0-3, marks every other
 * fd close-on-exec, drops to the ward's groups and user, changes directory,
 * asks for SIGKILL when stewardd dies (PR_SET_PDEATHSIG, set after the
 * credential change that would clear it), and execs.  When a step fails
 * it writes {stage, errno} to the report pipe and exits 127; when exec
 * succeeds the pipe closes with no data.  After a clone the parent reads
 * the pipe as soon as clone returns (the child is past exec or gone);
 * after a fork, from the loop (never blocking on it).  When the child is
 * reaped, a report becomes a wrapped error naming the step: "cannot
 * start ward "web:0": executing /srv/web/bin/web: Permission denied".
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <grp.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/clone3.h"
#include "base/io.h"
#include "base/log.h"
#include "base/safepath.h"
#include "core/steward-internal.h"
#include "core/steward.h"
#include "core/ward-output.h"
#include "core/ward-spawn-env.h"
#include "core/tail.h"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#endif
#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#endif
#endif

/* The clone's stack: spawn_child and what it calls need a few KiB. */
#define SPAWN_STACK_SIZE (256 * 1024)

#ifndef CLOSE_RANGE_UNSHARE
#define CLOSE_RANGE_UNSHARE (1U << 1)
#endif
#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

enum spawn_stage {
	STAGE_NONE,
	STAGE_CGROUP,
	STAGE_SIGNALS,
	STAGE_SETSID,
	STAGE_STDIN,
	STAGE_STDOUT,
	STAGE_STDERR,
	STAGE_FDS,
	STAGE_GROUPS,
	STAGE_GID,
	STAGE_UID,
	STAGE_DIRECTORY,
	STAGE_PDEATHSIG,
	STAGE_RLIMIT,
	STAGE_EXEC,
	STAGE_NSTAGES,
};

/* What each stage was doing, as the error says it. */
static const char *const spawn_stage_names[STAGE_NSTAGES] = {
    [STAGE_NONE] = "starting",
    [STAGE_CGROUP] = "joining its cgroup",
    [STAGE_SIGNALS] = "resetting signal handling",
    [STAGE_SETSID] = "creating a session",
    [STAGE_STDIN] = "opening /dev/null for stdin",
    [STAGE_STDOUT] = "opening the stdout file",
    [STAGE_STDERR] = "opening the stderr file",
    [STAGE_FDS] = "setting up file descriptors 0-3",
    [STAGE_GROUPS] = "setting supplementary groups",
    [STAGE_GID] = "setting the group ID",
    [STAGE_UID] = "setting the user ID",
    [STAGE_DIRECTORY] = "changing directory",
    [STAGE_PDEATHSIG] = "asking to die with stewardd",
    [STAGE_RLIMIT] = "restoring the open-file limit",
    [STAGE_EXEC] = "executing the program",
};

/* The instance's directory, stdout and stderr. */
static const char *
spawn_directory(const struct ward_inst *wi)
{
	const struct ward_proc *pr = ward_spawn_proc(wi);

	return pr != NULL ? pr->directory : wi->ward->spec->directory;
}

static const struct config_output *
spawn_stdout(const struct ward_inst *wi)
{
	const struct ward_proc *pr = ward_spawn_proc(wi);

	return pr != NULL ? &pr->out : &wi->ward->spec->out;
}

static const struct config_output *
spawn_stderr(const struct ward_inst *wi)
{
	const struct ward_proc *pr = ward_spawn_proc(wi);

	return pr != NULL ? &pr->err : &wi->ward->spec->err;
}

/* Everything the child needs, prepared by the parent before fork. */
struct spawn_plan {
	const struct ward_spec *spec;
	const char *path;
	char **argv;
	char **envp;
	int hb_w;     /* heartbeat write end, or -1 */
	int report_w; /* report pipe write end; -1: write into report */
	int null_fd;  /* stewardd's /dev/null (O_RDWR), or -1 */
	struct spawn_report report; /* a clone sharing our memory fills it */
	unsigned slots_used;        /* bit i: spawn_slot[i] holds a pipe end */
	pid_t parent;
	char *watchdog_pid; /* "WATCHDOG_PID=" in envp, filled by the child */
	rlim_t nofile_soft; /* give back stewardd's original soft limit */
	const char *directory;
	const struct config_output *out;
	const struct config_output *err;
	int capture_w;           /* stdout, a subscriber's pipe, or -1 */
	int out_w;               /* stdout, stewardd's pipe (ward-output.c) */
	int err_w;               /* stderr, stewardd's pipe, or -1 */
	int stdin_r;             /* stdin, a subscriber's pipe, or -1 */
	unsigned keep_below;     /* the child's table: only fds below this */
	uint64_t sigs;           /* bit n: signal n is caught or ignored */
	struct safepath_why why; /* why an output path was refused */
	int cg_fd;               /* its cgroup's directory, or -1 */
	bool cg_born;            /* clone3 may put the child there */
	bool in_cgroup;          /* born there (clone3): nothing to join */
};

/*
 * The functions that run in the clone's child, on the spawn stack, and
 * call a function that does not return.  AddressSanitizer calls its
 * __asan_handle_no_return() before such a call to clear the stack's
 * shadow, and on a stack it does not know it warns (once) that false
 * error reports may follow.  They are left uninstrumented: the spawn
 * stack is no object of ours to check.
 */
#if defined(__SANITIZE_ADDRESS__)
#define SPAWN_CHILD_SIDE __attribute__((no_sanitize_address))
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SPAWN_CHILD_SIDE __attribute__((no_sanitize_address))
#endif
#endif
#ifndef SPAWN_CHILD_SIDE
#define SPAWN_CHILD_SIDE
#endif

/* In the child: report a failed stage to the parent and exit. */
static void __attribute__((noreturn)) SPAWN_CHILD_SIDE
spawn_fail(struct spawn_plan *p, enum spawn_stage stage)
{
	struct spawn_report r = {.stage = stage, .errnum = errno};
	ssize_t n;

	if (r.errnum == EPERM && p->why.refusal != SAFEPATH_OK) {
		r.refusal = (int)p->why.refusal;
		r.uid = p->why.uid;
	}

	if (p->report_w < 0) {
		/* Our memory is stewardd's, which waits for our exit. */
		p->report = r;
		_exit(127);
	}
	do
		n = write(p->report_w, &r, sizeof(r));
	while (n == -1 && errno == EINTR);
	_exit(127);
}

/*
 * In the child: open an output file per the spec, or -1.  stewardd's own
 * stdout and stderr by name (/dev/stdout, /dev/fd/2, ...) are copies of
 * its fd 1 and 2, as under supervisord; any other path is opened by the
 * path rule (safepath.h), as root, before the ward's user is taken on.
 */
static int
spawn_open_output(struct spawn_plan *p, const struct config_output *o)
{
	switch (o->kind) {
	case CONFIG_OUT_NULL:
		return open("/dev/null", O_WRONLY | O_CLOEXEC);
	case CONFIG_OUT_FILE: {
		int std = safepath_std_fd(o->path), fd, fl;

		/* Above 0-3, so that stdout=/dev/stderr, stderr=/dev/stdout
		 * survive the dup2s that follow. */
		if (std > 0)
			return fcntl(std, F_DUPFD_CLOEXEC, 10);
		/*
		 * No link where another user could plant it, on any
		 * component; a FIFO without a reader fails (ENXIO) instead
		 * of blocking, and the file is made blocking again for the
		 * ward.
		 */
		fd = safepath_open(o->path,
				   O_WRONLY | O_APPEND | O_CREAT | O_NONBLOCK,
				   0640, &p->why);
		if (fd >= 0 && ((fl = fcntl(fd, F_GETFL)) == -1 ||
				fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) == -1))
			return -1;
		return fd;
	}
	default:
		return -2; /* inherit, or stdout */
	}
}

/* In the child: move fd above 9 so that dup2 to 0-3 cannot clobber it. */
static int SPAWN_CHILD_SIDE
spawn_lift(struct spawn_plan *p, int fd)
{
	int nfd;

	/* Only 0-3 are dup2'ed over; the reserved slots are above. */
	if (fd < 0 || fd > 3)
		return fd;
	nfd = fcntl(fd, F_DUPFD_CLOEXEC, 10);
	if (nfd == -1)
		spawn_fail(p, STAGE_FDS);
	return nfd;
}

/* In the child: move itself into its cgroup (cgroup.procs, "0"). */
static void SPAWN_CHILD_SIDE
spawn_join_cgroup(struct spawn_plan *p)
{
	int fd =
	    openat(p->cg_fd, "cgroup.procs", O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
	ssize_t n;

	if (fd == -1)
		spawn_fail(p, STAGE_CGROUP);
	do
		n = write(fd, "0", 1);
	while (n == -1 && errno == EINTR);
	if (n != 1)
		spawn_fail(p, STAGE_CGROUP);
	if (close(fd) == -1 && errno != EINTR)
		spawn_fail(p, STAGE_CGROUP);
}

/* In the child: set up everything, then exec; never returns. */
static void __attribute__((noreturn)) SPAWN_CHILD_SIDE
spawn_child(struct spawn_plan *p)
{
	const struct ward_spec *w = p->spec;
	struct sigaction sa = {.sa_handler = SIG_DFL};
	sigset_t empty;
	int in, out, errfd;

	/*
	 * Before anything else (and before the table below closes its
	 * descriptor), into the instance's cgroup: whatever it starts is
	 * there too (steward-cgroup.c).
	 */
	if (p->cg_fd >= 0 && !p->in_cgroup)
		spawn_join_cgroup(p);
	/*
	 * First of all, a table of our own with only the low descriptors
	 * (see the top of the file); until then the parent's table is ours
	 * too.  Kernels before 5.9 lack the flag: copy the whole table.
	 */
	if (syscall(SYS_close_range, p->keep_below, ~0U, CLOSE_RANGE_UNSHARE) ==
		-1 &&
	    unshare(CLONE_FILES) == -1)
		spawn_fail(p, STAGE_FDS);
	/* Only the signals stewardd catches or ignores: the rest are at
	 * their default already (see ward_spawn_note_signals). */
	for (int sig = 1; sig < NSIG && sig < 64; sig++) {
		if ((p->sigs & (UINT64_C(1) << sig)) == 0)
			continue;
		if (sigaction(sig, &sa, NULL) == -1)
			spawn_fail(p, STAGE_SIGNALS);
	}
	if (setsid() == -1)
		spawn_fail(p, STAGE_SETSID);

	p->report_w = spawn_lift(p, p->report_w);
	p->hb_w = spawn_lift(p, p->hb_w);
	/*
	 * stdin: stewardd's /dev/null, dup2'ed to 0 before anything else
	 * is, so it needs no lift unless it is 0 itself (dup2 onto itself
	 * would leave it close-on-exec).
	 */
	p->stdin_r = spawn_lift(p, p->stdin_r);
	in = p->stdin_r >= 0 ? p->stdin_r : p->null_fd;
	if (in < 0 && (in = open("/dev/null", O_RDONLY | O_CLOEXEC)) == -1)
		spawn_fail(p, STAGE_STDIN);
	if (in == 0)
		in = spawn_lift(p, in);
	p->capture_w = spawn_lift(p, p->capture_w);
	p->out_w = spawn_lift(p, p->out_w);
	p->err_w = spawn_lift(p, p->err_w);
	if (p->capture_w >= 0)
		out = p->capture_w; /* a job's stdout is its answer */
	else if (p->out_w >= 0)
		out = p->out_w; /* read by stewardd */
	else if ((out = spawn_open_output(p, p->out)) == -1)
		spawn_fail(p, STAGE_STDOUT);
	out = spawn_lift(p, out);
	if (p->err->kind == CONFIG_OUT_STDOUT)
		errfd = out == -2 ? 1 : out;
	else if (p->err_w >= 0)
		errfd = p->err_w;
	else if ((errfd = spawn_open_output(p, p->err)) == -1)
		spawn_fail(p, STAGE_STDERR);
	errfd = spawn_lift(p, errfd);

	/* dup2 clears close-on-exec on the copy; inherited 1/2 are kept. */
	if (dup2(in, 0) == -1 || (out >= 0 && dup2(out, 1) == -1) ||
	    (errfd >= 0 && errfd != 1 && dup2(errfd, 2) == -1))
		spawn_fail(p, STAGE_FDS);
	if (errfd == 1 && out == -2) {
		/* stderr = stdout with stdout inherited: 2 follows 1 */
		if (dup2(1, 2) == -1)
			spawn_fail(p, STAGE_FDS);
	}
	if (p->hb_w >= 0) {
		if (dup2(p->hb_w, 3) == -1)
			spawn_fail(p, STAGE_FDS);
	} else if (close(3) == -1 && errno != EBADF) {
		spawn_fail(p, STAGE_FDS);
	}
	/* Whatever else is open (inherited by stewardd) ends at exec. */
	if (syscall(SYS_close_range, 4U, ~0U, CLOSE_RANGE_CLOEXEC) == -1) {
		for (int fd = 4; fd < 65536; fd++) {
			int fl = fcntl(fd, F_GETFD);

			if (fl != -1 && !(fl & FD_CLOEXEC))
				fcntl(fd, F_SETFD, fl | FD_CLOEXEC);
		}
	}

	if (w->ngroups > 0 && setgroups((size_t)w->ngroups, w->groups) == -1)
		spawn_fail(p, STAGE_GROUPS);
	if ((w->has_user || w->has_group) &&
	    setresgid(w->gid, w->gid, w->gid) == -1)
		spawn_fail(p, STAGE_GID);
	if (w->has_user && setresuid(w->uid, w->uid, w->uid) == -1)
		spawn_fail(p, STAGE_UID);
	if (p->directory != NULL && chdir(p->directory) == -1)
		spawn_fail(p, STAGE_DIRECTORY);
	if (w->umask >= 0)
		umask((mode_t)w->umask);
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) == -1)
		spawn_fail(p, STAGE_PDEATHSIG);
	if (getppid() != p->parent) {
		/* stewardd died before PR_SET_PDEATHSIG took hold. */
		_exit(127);
	}
	if (p->nofile_soft != RLIM_INFINITY) {
		struct rlimit rl;

		if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
			spawn_fail(p, STAGE_RLIMIT);
		rl.rlim_cur = p->nofile_soft;
		if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
			spawn_fail(p, STAGE_RLIMIT);
	}
	if (p->watchdog_pid != NULL) {
		/* Our own pid, written into the slot made before fork. */
		char *d = p->watchdog_pid + strlen("WATCHDOG_PID=");
		char digits[16];
		int n = 0;

		for (pid_t v = getpid(); v > 0 && n < 15; v /= 10)
			digits[n++] = (char)('0' + v % 10);
		while (n > 0)
			*d++ = digits[--n];
		*d = '\0';
	}
	sigemptyset(&empty);
	if (sigprocmask(SIG_SETMASK, &empty, NULL) == -1)
		spawn_fail(p, STAGE_SIGNALS);
	execve(p->path, p->argv, p->envp);
	spawn_fail(p, STAGE_EXEC);
}

/* Make a close-on-exec pipe whose read end does not block. */
static int
spawn_pipe(int fds[2], struct err **errp)
{
	if (pipe2(fds, O_CLOEXEC) == -1) {
		*errp = ERR_SYS("making a pipe");
		return -1;
	}
	if (fcntl(fds[0], F_SETFL, O_NONBLOCK) == -1) {
		*errp = ERR_SYS("making a pipe non-blocking");
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	return 0;
}

/*
 * A listener's stdin: a close-on-exec pipe whose write end, stewardd's,
 * does not block (listener.c); the child's read end blocks as a stdin
 * should.
 */
static int
spawn_stdin_pipe(int fds[2], struct err **errp)
{
	if (pipe2(fds, O_CLOEXEC) == -1) {
		fds[0] = fds[1] = -1;
		*errp = ERR_SYS("making a listener's stdin pipe");
		return -1;
	}
	if (fcntl(fds[1], F_SETFL, O_NONBLOCK) == -1) {
		*errp = ERR_SYS("making a listener's stdin pipe non-blocking");
		close(fds[0]);
		close(fds[1]);
		fds[0] = fds[1] = -1;
		return -1;
	}
	return 0;
}

/* Close an fd we own, checking the result; see ward-spawn.h. */
void
ward_spawn_close_fd(int *fd)
{
	if (*fd >= 0 && close(*fd) == -1 && errno != EINTR)
		log_warnx("cannot close descriptor %d: %s", *fd,
			  strerror(errno));
	*fd = -1;
}

/* The report pipe has data or EOF: exec failed, or succeeded. */
static void
spawn_report_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct ward_inst *wi = container_of(w, struct ward_inst, err_io);

	(void)loop;
	(void)revents;
	ward_spawn_drain(wi->ward->steward, wi);
}

/* Read the child's report without blocking; close the pipe at EOF. */
void
ward_spawn_drain(struct steward *s, struct ward_inst *wi)
{
	struct spawn_report r;
	ssize_t n;

	if (wi->err_fd < 0)
		return;
	n = io_read(wi->err_fd, &r, sizeof(r), IO_READ);
	if (n == 0)
		return; /* not yet */
	if (n == (ssize_t)sizeof(r) && r.stage > STAGE_NONE &&
	    r.stage < STAGE_NSTAGES)
		wi->report = r;
	ward_spawn_close(s, wi);
}

/* Stop watching the report pipe and close it. */
void
ward_spawn_close(struct steward *s, struct ward_inst *wi)
{
	if (wi->err_fd < 0)
		return;
	ev_io_stop(s->loop, &wi->err_io);
	ward_spawn_close_fd(&wi->err_fd);
}

/* An output path the path rule refused, said as the rule sees it. */
static struct err *
spawn_refusal_error(const struct ward_inst *wi, int stage)
{
	const struct config_output *o =
	    stage == STAGE_STDOUT ? spawn_stdout(wi) : spawn_stderr(wi);
	char who[48] = "";
	struct err *e;

	if (wi->report.uid != (uid_t)-1 && wi->report.uid != 0)
		snprintf(who, sizeof(who), "; user %u can change it",
			 (unsigned)wi->report.uid);
	e = ERR_NEW("opening %s file %s: refusing it: %s%s",
		    stage == STAGE_STDOUT ? "stdout" : "stderr", o->path,
		    safepath_refusal_text(wi->report.refusal), who);
	err_set(e, "path", "%s", o->path);
	return e;
}

/* The wrapped error for a child that failed before exec. */
struct err *
ward_spawn_error(const struct ward_inst *wi)
{
	const struct ward_spec *w = wi->ward->spec;
	int stage = wi->report.stage;
	struct err *e;

	if ((stage == STAGE_STDOUT || stage == STAGE_STDERR) &&
	    wi->report.refusal != SAFEPATH_OK) {
		e = spawn_refusal_error(wi, stage);
		err_set(e, "stage", "%s", spawn_stage_names[stage]);
		return e;
	}
	switch (stage) {
	case STAGE_STDOUT:
		e = ERR_ERRNO(wi->report.errnum, "opening stdout file %s",
			      spawn_stdout(wi)->path);
		err_set(e, "path", "%s", spawn_stdout(wi)->path);
		break;
	case STAGE_STDERR:
		e = ERR_ERRNO(wi->report.errnum, "opening stderr file %s",
			      spawn_stderr(wi)->path);
		err_set(e, "path", "%s", spawn_stderr(wi)->path);
		break;
	case STAGE_GROUPS:
	case STAGE_GID:
		e = ERR_ERRNO(wi->report.errnum, "%s to %u for group %s",
			      spawn_stage_names[stage], (unsigned)w->gid,
			      w->group ? w->group : w->user);
		break;
	case STAGE_UID:
		e = ERR_ERRNO(wi->report.errnum,
			      "setting the user ID to %u "
			      "(%s)",
			      (unsigned)w->uid, w->user);
		break;
	case STAGE_DIRECTORY:
		e = ERR_ERRNO(wi->report.errnum, "changing directory to %s",
			      spawn_directory(wi));
		err_set(e, "path", "%s", spawn_directory(wi));
		break;
	case STAGE_EXEC:
		e = ERR_ERRNO(wi->report.errnum, "executing %s",
			      wi->spawn_path);
		err_set(e, "path", "%s", wi->spawn_path);
		break;
	default:
		e = ERR_ERRNO(
		    wi->report.errnum, "%s",
		    spawn_stage_names[stage < STAGE_NSTAGES ? stage : 0]);
		break;
	}
	err_set(e, "stage", "%s",
		spawn_stage_names[stage < STAGE_NSTAGES ? stage : 0]);
	return e;
}

/*
 * valgrind cannot run a clone that shares memory without being a thread
 * (it exits, it does not refuse): under valgrind, fork.  Its client
 * request says so when the header was there at build time; its preload
 * library says so always.
 */
static bool
spawn_under_valgrind(void)
{
	const char *pre = getenv("LD_PRELOAD");

#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
	if (RUNNING_ON_VALGRIND)
		return true;
#endif
#endif
	return pre != NULL && strstr(pre, "vgpreload") != NULL;
}

/*
 * The signals whose disposition is not the default in stewardd: those
 * libev catches and those ignored (SIGPIPE, and whatever stewardd's own
 * parent ignored).  A child resets these, one syscall each, instead of
 * all 62 while stewardd waits for it.  See steward.h for when.
 */
void
ward_spawn_note_signals(struct steward *s)
{
	s->spawn_sigs = 0;
	for (int sig = 1; sig < NSIG && sig < 64; sig++) {
		struct sigaction old;

		if (sig == SIGKILL || sig == SIGSTOP)
			continue;
		/* Signals glibc reserves fail: never ours. */
		if (sigaction(sig, NULL, &old) == -1)
			continue;
		if ((old.sa_flags & SA_SIGINFO) != 0 ||
		    old.sa_handler != SIG_DFL)
			s->spawn_sigs |= UINT64_C(1) << sig;
	}
}

/* Reserve the low slots and a /dev/null to park them on; see steward.h. */
void
ward_spawn_init(struct steward *s)
{
	s->spawn_stack = mmap(NULL, SPAWN_STACK_SIZE, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (s->spawn_stack == MAP_FAILED) {
		log_warnx("cannot map a stack for spawning (%s): every spawn "
			  "will copy stewardd's memory map",
			  strerror(errno));
		s->spawn_stack = NULL;
		s->spawn_null = -1;
		for (int i = 0; i < SPAWN_SLOTS; i++)
			s->spawn_slot[i] = -1;
		return;
	}
	s->spawn_null = open("/dev/null", O_RDWR | O_CLOEXEC);
	for (int i = 0; i < SPAWN_SLOTS; i++)
		s->spawn_slot[i] =
		    s->spawn_null < 0
			? -1
			: fcntl(s->spawn_null, F_DUPFD_CLOEXEC, 3);
	for (int i = 0; i < SPAWN_SLOTS; i++) {
		if (s->spawn_slot[i] < 0) {
			log_warnx("cannot reserve low descriptors (%s): "
				  "every spawn will copy stewardd's whole "
				  "descriptor table",
				  strerror(errno));
			ward_spawn_fini(s);
			return;
		}
	}
	s->spawn_mode = spawn_under_valgrind() ? SPAWN_FORK_SLOTS : SPAWN_CLONE;
}

/* Close the reserved slots; see steward.h. */
void
ward_spawn_fini(struct steward *s)
{
	for (int i = 0; i < SPAWN_SLOTS; i++)
		ward_spawn_close_fd(&s->spawn_slot[i]);
	ward_spawn_close_fd(&s->spawn_null);
	free(s->spawn_env);
	s->spawn_env = NULL;
	s->spawn_nenv = 0;
	s->spawn_mode = SPAWN_FORK_WHOLE;
	if (s->spawn_stack != NULL &&
	    munmap(s->spawn_stack, SPAWN_STACK_SIZE) == -1)
		log_warnx("cannot unmap the spawn stack: %s", strerror(errno));
	s->spawn_stack = NULL;
}

/*
 * The child has its own table now (or is gone): park the slots on
 * /dev/null again, so that stewardd holds no write end of a ward's
 * pipes (a heartbeat pipe must read EOF when the ward dies).
 */
static void
spawn_slots_clear(struct steward *s, struct spawn_plan *p)
{
	if (s->spawn_mode == SPAWN_FORK_WHOLE)
		return;
	for (int i = 0; i < SPAWN_SLOTS; i++) {
		if ((p->slots_used & (1U << i)) == 0)
			continue;
		p->slots_used &= ~(1U << i);
		if (dup3(s->spawn_null, s->spawn_slot[i], O_CLOEXEC) == -1) {
			/* Cannot happen with two open descriptors; if it
			 * does, give the slot up rather than hold a pipe. */
			log_warnx("cannot park descriptor %d: %s",
				  s->spawn_slot[i], strerror(errno));
			ward_spawn_fini(s);
			return;
		}
	}
}

/*
 * Put the pipe ends the child needs in the low slots, and tell the child
 * to keep only what is below them.  Without slots, the child keeps its
 * whole (copied) table, as after a plain fork.
 */
static int
spawn_slots_fill(struct steward *s, struct spawn_plan *p, struct err **errp)
{
	int *ends[SPAWN_SLOTS] = {&p->hb_w,    &p->report_w, &p->capture_w,
				  &p->stdin_r, &p->out_w,    &p->err_w};
	int top = 3;

	p->keep_below = ~0U;
	if (s->spawn_mode == SPAWN_FORK_WHOLE)
		return 0;
	if (s->spawn_null > top)
		top = s->spawn_null; /* the child's stdin */
	for (int i = 0; i < SPAWN_SLOTS; i++) {
		int slot = s->spawn_slot[i];

		if (slot > top)
			top = slot;
		if (*ends[i] < 0)
			continue;
		if (dup3(*ends[i], slot, O_CLOEXEC) == -1) {
			*errp =
			    ERR_SYS("moving a pipe end to descriptor %d", slot);
			spawn_slots_clear(s, p);
			return -1;
		}
		p->slots_used |= 1U << i;
		*ends[i] = slot;
	}
	p->keep_below = (unsigned)top + 1;
	return 0;
}

/*
 * A fork whose child is born in its cgroup: clone3 with
 * CLONE_INTO_CGROUP (Linux 5.7), no migration afterwards; where that is
 * refused (an older kernel, valgrind), a fork whose child joins by
 * itself (spawn_join_cgroup).
 */
static pid_t
spawn_fork_into(struct spawn_plan *p)
{
#ifdef SYS_clone3
	if (p->cg_fd >= 0 && p->cg_born) {
		struct clone3_args a = {.flags = CLONE3_INTO_CGROUP,
					.exit_signal = SIGCHLD,
					.cgroup = (uint64_t)p->cg_fd};
		pid_t pid = (pid_t)syscall(SYS_clone3, &a, sizeof(a));

		if (pid == 0)
			p->in_cgroup = true; /* our own copy of the plan */
		if (pid >= 0)
			return pid;
		if (errno != ENOSYS && errno != E2BIG && errno != EINVAL)
			return -1;
	}
#endif
	return fork();
}

/* The clone's entry: on the spawn stack, in stewardd's memory. */
static int SPAWN_CHILD_SIDE
spawn_child_entry(void *arg)
{
	spawn_child(arg);
}

#ifdef CLONE3_VM_OK
/* clone3 refused once (an older kernel, a seccomp filter): not again. */
static bool spawn_no_clone3;
#endif

/*
 * The usual clone, with the child born in its cgroup (CLONE_INTO_CGROUP):
 * no migration of a running process, which takes the kernel's cgroup
 * locks for writing.  -1 where there is no cgroup or clone3 is refused:
 * then the plain clone, and the child joins by itself.
 */
static pid_t
spawn_clone_into(struct steward *s, struct spawn_plan *p)
{
#ifdef CLONE3_VM_OK
	struct clone3_args a = {.flags = CLONE_VM | CLONE_FILES | CLONE_VFORK |
					 CLONE3_INTO_CGROUP,
				.exit_signal = SIGCHLD,
				.stack = (uint64_t)(uintptr_t)s->spawn_stack,
				.stack_size = SPAWN_STACK_SIZE,
				.cgroup = (uint64_t)p->cg_fd};
	long r;

	if (p->cg_fd < 0 || !p->cg_born || spawn_no_clone3)
		return -1;
	p->in_cgroup = true; /* the child reads our memory */
	r = clone3_vm(&a, spawn_child_entry, p);
	if (r >= 0)
		return (pid_t)r;
	p->in_cgroup = false;
	if (r == -ENOSYS || r == -E2BIG || r == -EINVAL || r == -EPERM)
		spawn_no_clone3 = true;
	return -1;
#else
	(void)s;
	(void)p;
	return -1;
#endif
}

/*
 * A new process running spawn_child(p): a clone sharing our memory and
 * descriptor table, with this thread held until the child has exec'd or
 * exited (as posix_spawn does, but with our own child code); or a plain
 * fork where that is refused (valgrind knows no such clone), from then
 * on.  Returns the pid, or -1 with errno set (EAGAIN and a new mode when
 * the clone was refused).
 */
static pid_t
spawn_clone(struct steward *s, struct spawn_plan *p)
{
	pid_t pid;

	if (s->spawn_mode == SPAWN_CLONE) {
		pid = spawn_clone_into(s, p);
		if (pid == -1)
			pid = clone(
			    spawn_child_entry,
			    (char *)s->spawn_stack + SPAWN_STACK_SIZE,
			    CLONE_VM | CLONE_FILES | CLONE_VFORK | SIGCHLD, p);
#if defined(__SANITIZE_ADDRESS__)
		/* The child's frames never returned: clear their poison. */
		__asan_unpoison_memory_region(s->spawn_stack, SPAWN_STACK_SIZE);
#endif
		if (pid != -1 ||
		    (errno != EINVAL && errno != ENOSYS && errno != EPERM))
			return pid;
		log_warnx("cannot spawn with clone(CLONE_VM | CLONE_VFORK): "
			  "%s (spawning with fork from now on)",
			  strerror(errno));
		s->spawn_mode = SPAWN_FORK_SLOTS;
		/* The caller starts again: a forked child reports through
		 * a pipe, not into our memory. */
		errno = EAGAIN;
		return -1;
	}
	pid = spawn_fork_into(p);
	if (pid == 0)
		spawn_child(p);
	return pid;
}

/* Start the instance's process; see the essay at the top. */
int
ward_spawn_start(struct steward *s, struct ward_inst *wi, struct err **errp)
{
	const struct ward_spec *w = wi->ward->spec;
	struct spawn_plan plan = {.spec = w,
				  .hb_w = -1,
				  .report_w = -1,
				  .null_fd = s->spawn_null,
				  .parent = s->self,
				  .nofile_soft = s->nofile_soft,
				  .capture_w = -1,
				  .out_w = -1,
				  .err_w = -1,
				  .stdin_r = -1,
				  .cg_fd = -1};
	struct spawn_env env = {0};
	int hb[2] = {-1, -1}, rep[2] = {-1, -1}, cap[2] = {-1, -1};
	int lin[2] = {-1, -1};
	int outp[TAIL_NSTREAMS][2] = {{-1, -1}, {-1, -1}};
	unsigned streams;
	/* stdin and stdout pipes its subscribers want (an eventlistener's
	 * or a job replica's: steward-events.h) */
	unsigned pipes = steward_tell_spawn_pipes(s, wi);
	sigset_t all, old;
	pid_t pid;
	struct err *e = NULL;
	enum spawn_mode mode;
	bool retry = false;

	wi->report = (struct spawn_report){0};
	if (w->pol.heartbeat == WARD_HB_NOTIFY &&
	    ward_notify_open(s, wi, &e) == -1)
		return *errp = e, -1;
	if (s->spawn_env == NULL)
		ward_spawn_env_base(s);
	ward_spawn_environment(s, wi, &env, &plan.watchdog_pid);
	plan.envp = env.v;
	plan.argv = ward_spawn_proc(wi) != NULL ? ward_spawn_proc(wi)->argv
		    : wi->ward->argv != NULL    ? wi->ward->argv
						: w->argv;
	plan.directory = spawn_directory(wi);
	plan.out = spawn_stdout(wi);
	plan.err = spawn_stderr(wi);
	free(wi->spawn_path);
	wi->spawn_path = ward_spawn_resolve(plan.argv[0], plan.envp, &e);
	if (wi->spawn_path == NULL)
		goto fail;
	plan.path = wi->spawn_path;
	if (steward_cgroup_prepare(s, wi, &e) == -1)
		goto fail;
	plan.cg_fd = wi->cg.fd;
	/*
	 * Linux 6.18 kills a child born by CLONE_INTO_CGROUP in a cgroup
	 * that cgroup.kill was ever written to (seen here: every spawn after
	 * the first stop_timeout died of SIGKILL at once); a child that
	 * joins through cgroup.procs is not.  So once killed, it joins.
	 */
	plan.cg_born = !wi->cg.killed;
	if (w->pol.heartbeat == WARD_HB_PIPE && spawn_pipe(hb, &e) == -1)
		goto fail;
	/* A clone sharing our memory reports into the plan: no pipe. */
	if (s->spawn_mode != SPAWN_CLONE && spawn_pipe(rep, &e) == -1)
		goto fail;
	if ((pipes & STEWARD_PIPE_STDOUT) && spawn_pipe(cap, &e) == -1)
		goto fail;
	if ((pipes & STEWARD_PIPE_STDIN) && spawn_stdin_pipe(lin, &e) == -1)
		goto fail;
	/* stdout and stderr stewardd reads (ward-output.c) */
	streams = ward_output_prepare(s, wi, pipes & STEWARD_PIPE_STDOUT);
	for (int i = 0; i < TAIL_NSTREAMS; i++)
		if ((streams & (1u << i)) && spawn_pipe(outp[i], &e) == -1)
			goto fail;
	plan.out_w = outp[TAIL_STDOUT][1];
	plan.err_w = outp[TAIL_STDERR][1];
	plan.hb_w = hb[1];
	plan.report_w = rep[1];
	plan.capture_w = cap[1];
	plan.stdin_r = lin[0];
	plan.sigs = s->spawn_sigs;
	if (spawn_slots_fill(s, &plan, &e) == -1)
		goto fail;

	sigfillset(&all);
	if (sigprocmask(SIG_SETMASK, &all, &old) == -1) {
		e = ERR_SYS("blocking signals before fork");
		spawn_slots_clear(s, &plan);
		goto fail;
	}
	mode = s->spawn_mode;
	pid = spawn_clone(s, &plan);
	if (pid == -1)
		e = ERR_SYS("creating the process");
	if (sigprocmask(SIG_SETMASK, &old, NULL) == -1)
		abort(); /* cannot fail with a mask sigprocmask gave us */
	spawn_slots_clear(s, &plan);
	if (pid == -1 && mode != s->spawn_mode) {
		/* The clone was refused: once more, with fork. */
		err_free(e);
		e = NULL;
		retry = true;
	}
	if (pid == -1)
		goto fail;

	ward_spawn_env_free(&env);
	ward_spawn_close_fd(&hb[1]);
	ward_spawn_close_fd(&rep[1]);
	ward_spawn_close_fd(&cap[1]);
	ward_spawn_close_fd(&lin[0]);
	wi->pid = pid;
	/* Its lines so far become the previous run's; then read its. */
	tail_spawn(wi);
	for (int i = 0; i < TAIL_NSTREAMS; i++) {
		ward_spawn_close_fd(&outp[i][1]);
		if (outp[i][0] >= 0)
			ward_output_start(s, wi, (enum tail_stream)i,
					  outp[i][0]);
	}
	if (pipes != 0) {
		/* Its subscribers take the ends they asked for. */
		struct steward_pipes sp = {.stdin_w = lin[1],
					   .stdout_r = cap[0]};

		lin[1] = cap[0] = -1;
		steward_tell_spawned(s, wi, &sp);
		ward_spawn_close_fd(&sp.stdin_w);
		ward_spawn_close_fd(&sp.stdout_r);
	}
	if (rep[0] < 0) {
		/*
		 * A clone with CLONE_VFORK returns once the child is past
		 * exec's point of no return, or has exited: what it
		 * reported is in the plan already.
		 */
		if (plan.report.stage > STAGE_NONE &&
		    plan.report.stage < STAGE_NSTAGES)
			wi->report = plan.report;
	} else {
		wi->err_fd = rep[0];
		ev_io_init(&wi->err_io, spawn_report_cb, wi->err_fd, EV_READ);
		ev_io_start(s->loop, &wi->err_io);
	}
	if (hb[0] >= 0)
		ward_beat_start(s, wi, hb[0]);
	return 0;

fail:
	ward_spawn_env_free(&env);
	ward_notify_close(s, wi);
	ward_spawn_close_fd(&cap[0]);
	ward_spawn_close_fd(&cap[1]);
	ward_spawn_close_fd(&lin[0]);
	ward_spawn_close_fd(&lin[1]);
	for (int i = 0; i < TAIL_NSTREAMS; i++) {
		ward_spawn_close_fd(&outp[i][0]);
		ward_spawn_close_fd(&outp[i][1]);
	}
	ward_spawn_close_fd(&hb[0]);
	ward_spawn_close_fd(&hb[1]);
	ward_spawn_close_fd(&rep[0]);
	ward_spawn_close_fd(&rep[1]);
	if (retry)
		return ward_spawn_start(s, wi, errp);
	*errp = e;
	return -1;
}
