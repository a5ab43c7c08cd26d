/*
 * Fuzz config_load(): the whole reader, from inih's line reader to the
 * checks of a finished ward, including includes and environment files.
 *
 * The input is up to three files separated by the line "#%next-file":
 * steward.ini (the one loaded), more.ini and env.  Each lives in a memfd
 * (nothing is written to disk) reached through a symlink in a private
 * directory made once per process, $TMPDIR/steward-fuzz-config.XXXXXX,
 * so "include = *.ini" or "environment_file = env" reach the other
 * parts.  A run that crashes leaves that directory behind (atexit does
 * not run); run.sh points TMPDIR into the build directory for that.
 *
 * A config may name any path, and as root a read of /dev or /proc can
 * block, or worse.  So the reader is sandboxed: this target is linked
 * with -Wl,--wrap= for fopen and glob (and their 64 names), and the
 * wrappers below let config.c open for reading only files inside the
 * private directory (anything else fails with EACCES, as an unreadable
 * file would) and glob only patterns under it without "..", dot components
 * or backslashes (anything else matches nothing).  stat(), access() and
 * the user and group database are real.
 *
 * FUZZ_CONFIG_VERBOSE=1 in the environment prints each report.
 *
 * Properties: the report counts its problems right and is sorted by file
 * and line; a config comes back exactly when there is no error; every
 * ward is found by name and is the same as itself (config_ward_same).
 */
#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <stdbool.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/config.h"
#include "fuzz.h"

#define FUZZ_PARTS 3
#define FUZZ_SEPARATOR "#%next-file\n"

/* Both names of each: meson builds with _FILE_OFFSET_BITS=64, which
 * makes config.c call fopen64 and glob64. */
FILE *__real_fopen(const char *path, const char *mode);
FILE *__real_fopen64(const char *path, const char *mode);
FILE *__wrap_fopen(const char *path, const char *mode);
FILE *__wrap_fopen64(const char *path, const char *mode);
int __real_glob(const char *pattern, int flags,
		int (*errfunc)(const char *, int), glob_t *pglob);
int __real_glob64(const char *pattern, int flags,
		  int (*errfunc)(const char *, int), glob64_t *pglob);
int __wrap_glob(const char *pattern, int flags,
		int (*errfunc)(const char *, int), glob_t *pglob);
int __wrap_glob64(const char *pattern, int flags,
		  int (*errfunc)(const char *, int), glob64_t *pglob);

int LLVMFuzzerInitialize(int *argc, char ***argv);

static const char *const fuzz_part_names[FUZZ_PARTS] = {"steward.ini",
							"more.ini", "env"};

/* The private directory (its real path: config.c resolves it) and, in
 * it, a symlink to each part's memfd. */
static char fuzz_dir[PATH_MAX];
static char fuzz_paths[FUZZ_PARTS][PATH_MAX + 16];
static int fuzz_fds[FUZZ_PARTS];
/* FUZZ_CONFIG_VERBOSE=1 prints every report, to see what an input does. */
static bool fuzz_verbose;

/* True when path lies inside the private directory and stays there. */
static int
fuzz_inside(const char *path, const char *forbidden)
{
	size_t n = strlen(fuzz_dir);

	if (strncmp(path, fuzz_dir, n) != 0 || path[n] != '/')
		return 0;
	for (const char *f = forbidden; *f != '\0'; f += strlen(f) + 1)
		if (strstr(path + n, f) != NULL)
			return 0;
	return 1;
}

/*
 * True when config.c may open path: a file of the private directory.
 * --wrap rewrites every fopen() of the link, libFuzzer's too, and it
 * writes its corpus and crash files with "wb" (reading with ifstream);
 * config.c only reads.  So only reads are sandboxed.
 */
static int
fuzz_may_open(const char *path, const char *mode)
{
	if (mode[0] != 'r' || strchr(mode, '+') != NULL)
		return 1;
	if (fuzz_inside(path, "/..\0"))
		return 1;
	errno = EACCES;
	return 0;
}

/* True when config.c may expand pattern: it cannot leave the directory. */
static int
fuzz_may_glob(const char *pattern)
{
	return fuzz_inside(pattern, "..\0/.\0\\\0");
}

/* fopen() for config.c: only files of the private directory. */
FILE *
__wrap_fopen(const char *path, const char *mode)
{
	return fuzz_may_open(path, mode) ? __real_fopen(path, mode) : NULL;
}

/* fopen64(), the same. */
FILE *
__wrap_fopen64(const char *path, const char *mode)
{
	return fuzz_may_open(path, mode) ? __real_fopen64(path, mode) : NULL;
}

/* glob() for config.c: a pattern that could leave matches nothing. */
int
__wrap_glob(const char *pattern, int flags, int (*errfunc)(const char *, int),
	    glob_t *pglob)
{
	if (!fuzz_may_glob(pattern))
		return GLOB_NOMATCH;
	return __real_glob(pattern, flags, errfunc, pglob);
}

/* glob64(), the same. */
int
__wrap_glob64(const char *pattern, int flags, int (*errfunc)(const char *, int),
	      glob64_t *pglob)
{
	if (!fuzz_may_glob(pattern))
		return GLOB_NOMATCH;
	return __real_glob64(pattern, flags, errfunc, pglob);
}

/* Remove the symlinks and the directory when the fuzzer exits. */
static void
fuzz_sandbox_remove(void)
{
	for (size_t i = 0; i < FUZZ_PARTS; i++)
		unlink(fuzz_paths[i]);
	rmdir(fuzz_dir);
}

/* Make the directory, the memfds and the symlinks, once. */
static void
fuzz_sandbox_make(void)
{
	const char *tmp = getenv("TMPDIR");
	char template[PATH_MAX], target[64];

	snprintf(template, sizeof(template), "%s/steward-fuzz-config.XXXXXX",
		 tmp != NULL && tmp[0] == '/' ? tmp : "/tmp");
	if (mkdtemp(template) == NULL || realpath(template, fuzz_dir) == NULL) {
		perror("fuzz-config: mkdtemp");
		abort();
	}
	for (size_t i = 0; i < FUZZ_PARTS; i++) {
		fuzz_fds[i] = memfd_create(fuzz_part_names[i], MFD_CLOEXEC);
		snprintf(fuzz_paths[i], sizeof(fuzz_paths[i]), "%s/%s",
			 fuzz_dir, fuzz_part_names[i]);
		snprintf(target, sizeof(target), "/proc/self/fd/%d",
			 fuzz_fds[i]);
		/* A memfd is born 0777; as root, config.c refuses a file
		 * others can write (config_strict). */
		if (fuzz_fds[i] == -1 || fchmod(fuzz_fds[i], 0600) == -1 ||
		    symlink(target, fuzz_paths[i]) == -1) {
			perror("fuzz-config: memfd_create, fchmod or symlink");
			abort();
		}
	}
	atexit(fuzz_sandbox_remove);
	fuzz_verbose = getenv("FUZZ_CONFIG_VERBOSE") != NULL;
}

/* Replace part i's content with n bytes. */
static void
fuzz_part_write(size_t i, const uint8_t *data, size_t n)
{
	if (ftruncate(fuzz_fds[i], 0) == -1 ||
	    (n > 0 && pwrite(fuzz_fds[i], data, n, 0) != (ssize_t)n)) {
		perror("fuzz-config: writing a memfd");
		abort();
	}
}

/* The next separator line at or after data: at its start or after a
 * newline.  NULL when there is none. */
static const uint8_t *
fuzz_separator(const uint8_t *data, size_t size)
{
	const size_t seplen = strlen(FUZZ_SEPARATOR);
	const uint8_t *p = data;

	while ((p = memmem(p, size - (size_t)(p - data), FUZZ_SEPARATOR,
			   seplen)) != NULL) {
		if (p == data || p[-1] == '\n')
			return p;
		p++;
	}
	return NULL;
}

/* Cut the input into the parts at each separator (the last takes all). */
static void
fuzz_parts_write(const uint8_t *data, size_t size)
{
	const size_t seplen = strlen(FUZZ_SEPARATOR);
	size_t i;

	for (i = 0; i < FUZZ_PARTS - 1; i++) {
		const uint8_t *sep = fuzz_separator(data, size);

		if (sep == NULL)
			break;
		fuzz_part_write(i, data, (size_t)(sep - data));
		size -= (size_t)(sep - data) + seplen;
		data = sep + seplen;
	}
	fuzz_part_write(i, data, size);
	while (++i < FUZZ_PARTS)
		fuzz_part_write(i, NULL, 0);
}

/* Check the report: counts, messages, order, and the config's presence. */
static void
check_report(const struct config_report *rep, const struct config *c)
{
	size_t errors = 0, warnings = 0;

	for (size_t i = 0; i < rep->n; i++) {
		const struct config_problem *p = &rep->v[i];

		FUZZ_CHECK(p->msg != NULL && p->msg[0] != '\0', "problem %zu",
			   i);
		FUZZ_CHECK(p->line >= 0 && p->file >= 0, "problem %zu at %d:%d",
			   i, p->file, p->line);
		if (p->severity == CONFIG_ERROR)
			errors++;
		else
			warnings++;
		if (i > 0)
			FUZZ_CHECK(rep->v[i - 1].file < p->file ||
				       (rep->v[i - 1].file == p->file &&
					rep->v[i - 1].line <= p->line),
				   "problem %zu out of order: %s", i, p->msg);
	}
	FUZZ_CHECK(errors == rep->errors && warnings == rep->warnings,
		   "%zu errors, %zu warnings counted as %zu, %zu", errors,
		   warnings, rep->errors, rep->warnings);
	FUZZ_CHECK((c == NULL) == (rep->errors > 0),
		   "config %p with %zu errors", (const void *)c, rep->errors);
}

/* Check a loaded config: every ward found by name and equal to itself. */
static void
check_config(struct config *c)
{
	FUZZ_CHECK(c->refs == 1 && c->nfiles >= 1, "refs %u, files %zu",
		   c->refs, c->nfiles);
	for (size_t i = 0; i < c->nwards; i++) {
		const struct ward_spec *w = &c->wards[i];

		FUZZ_CHECK(config_ward(c, w->name) == w, "ward %s not found",
			   w->name);
		FUZZ_CHECK(config_ward_same(w, w),
			   "ward %s differs from itself", w->name);
		FUZZ_CHECK(w->argv == NULL || w->argv[w->argc] == NULL,
			   "ward %s: argv[%zu] is not NULL", w->name, w->argc);
		FUZZ_CHECK(w->replicas >= 1, "ward %s: %u replicas", w->name,
			   w->replicas);
	}
	config_unref(config_ref(c));
	FUZZ_CHECK(c->refs == 1, "refs %u after ref and unref", c->refs);
}

/*
 * Before any input: make the sandbox and load a minimal config in it.
 * If config.c refused the sandbox itself (a new check, no /proc), every
 * input would fail alike and the fuzzer would explore nothing; say so.
 */
int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char minimal[] = "[ward:a]\ncommand = /bin/true\n";
	struct config_report rep = {0};
	struct config *c;

	(void)argc;
	(void)argv;
	fuzz_sandbox_make();
	fuzz_parts_write((const uint8_t *)minimal, strlen(minimal));
	c = config_load(fuzz_paths[0], &rep);
	FUZZ_CHECK(c != NULL && c->nwards == 1,
		   "the sandbox cannot load a minimal config: %s",
		   rep.n > 0 ? rep.v[0].msg : "no problem reported");
	config_free(c);
	config_report_free(&rep);
	return 0;
}

/* One input: write the parts, load, check, free. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config_report rep = {0};
	struct config *c;

	fuzz_parts_write(data, size);
	c = config_load(fuzz_paths[0], &rep);
	if (fuzz_verbose)
		for (size_t i = 0; i < rep.n; i++)
			fprintf(stderr, "%s\n", rep.v[i].msg);
	check_report(&rep, c);
	if (c != NULL)
		check_config(c);
	config_free(c);
	config_report_free(&rep);
	return 0;
}
