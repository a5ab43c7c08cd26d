/*
 * Reading steward.ini (see config.h for the contract).
 *
 * How lines reach inih.  Debian builds inih with a fixed 200-byte line
 * buffer on the stack and no line numbers in the handler.  Left alone it
 * would split a long line in two (the tail read as a new line), join
 * indented lines into the previous value, and say only "line N" for the
 * first syntax error.  So config_load() reads the file itself and feeds
 * inih through config_reader(), one line per call, after checking it:
 *
 *   - blank and comment lines pass as blank lines;
 *   - an indented line, a line without "=" or ":", a bad [section]
 *     header and a NUL byte are reported here with their line, and inih
 *     gets a blank line (after a bad header, a sentinel section, so the
 *     keys below it are not taken for the previous section's);
 *   - a line too long for inih's buffer is handed over as "key=\x01"
 *     and config_handler() takes the value from the original line, with
 *     the same trimming and inline-comment rule inih applies.
 *
 * inih calls the handler for a line before it reads the next one, so the
 * reader's line number is the handler's.  No byte of input is cut,
 * joined or dropped without a problem being reported.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "config/config-internal.h"
#include "base/safepath.h"

/*
 * Where inih splits KEY = VALUE: the first "=" or ":" before any inline
 * comment (a ";" after a blank).  -1 when the line has none.
 */
static ssize_t
config_separator(const char *line, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (line[i] == '=' || line[i] == ':')
			return (ssize_t)i;
		if (line[i] == ';' && i > 0 &&
		    isspace((unsigned char)line[i - 1]))
			return -1;
	}
	return -1;
}

/*
 * The reader inih calls for each line: check the line, then hand inih
 * either the line itself, a blank line, or a stand-in (see the essay).
 */
static char *
config_reader(char *buf, int size, void *arg)
{
	struct config_state *st = arg;
	const char *line, *nl, *p, *end;
	size_t len;

	if (st->pos >= st->len)
		return NULL;
	line = st->text + st->pos;
	nl = memchr(line, '\n', st->len - st->pos);
	len = nl != NULL ? (size_t)(nl - line) : st->len - st->pos;
	st->pos += len + (nl != NULL);
	st->lineno++;
	if (st->lineno == 1 && len >= 3 &&
	    memcmp(line, "\xEF\xBB\xBF", 3) == 0) {
		line += 3; /* a UTF-8 byte order mark */
		len -= 3;
	}
	if (len > 0 && line[len - 1] == '\r')
		len--;
	st->raw = line;
	st->rawlen = len;
	st->raw_long = false;
	strcpy(buf, "\n");

	if (memchr(line, '\0', len) != NULL) {
		config_problem(st, CONFIG_ERROR, st->lineno,
			       "a NUL byte in the line; the file must be text");
		return buf;
	}
	p = line;
	end = line + len;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p == end || *p == ';' || *p == '#')
		return buf;
	st->raw_continuation = false;
	if (p != line && (st->sec == SEC_DIALECT || st->sec == SEC_GROUP) &&
	    st->last_key_line == st->lineno - 1 && len + 3 <= (size_t)size) {
		/* supervisord's continuation line: inih hands it to the
		 * handler under the previous key, which joins it. */
		st->raw_continuation = true;
		st->last_key_line = st->lineno;
		memcpy(buf, line, len);
		memcpy(buf + len, "\n", 2);
		return buf;
	}
	if (p != line) {
		config_problem(
		    st, CONFIG_ERROR, st->lineno,
		    "an indented line; steward does not join continuation "
		    "lines: put the whole value on one line and start keys "
		    "and sections at the first column");
		return buf;
	}
	if (*p == '[') {
		const char *close = memchr(p, ']', (size_t)(end - p));
		const char *q = close != NULL ? close + 1 : NULL;

		while (q != NULL && q < end && (*q == ' ' || *q == '\t'))
			q++;
		if (close == NULL || (q < end && *q != ';' && *q != '#') ||
		    (size_t)(close - p) + 3 > (size_t)size) {
			config_problem(
			    st, CONFIG_ERROR, st->lineno,
			    "a malformed section header \"%.*s\"; expected "
			    "[steward] or [ward:NAME]",
			    (int)len, line);
			snprintf(buf, (size_t)size, "[%s]\n",
				 CONFIG_BAD_SECTION);
			return buf;
		}
		snprintf(buf, (size_t)size, "%.*s\n", (int)(close - p + 1), p);
		return buf;
	}
	if (config_separator(line, len) < 0) {
		config_problem(
		    st, CONFIG_ERROR, st->lineno,
		    "\"%.*s\" is not a setting; expected KEY = VALUE", (int)len,
		    line);
		return buf;
	}
	st->last_key_line = st->lineno;
	if (len + 3 <= (size_t)size) {
		memcpy(buf, line, len);
		memcpy(buf + len, "\n", 2);
		return buf;
	}
	/* Too long for inih: pass the key, keep the value by reference. */
	size_t klen = (size_t)config_separator(line, len);
	if (klen + 3 + strlen(CONFIG_LONG_MARK) > (size_t)size) {
		config_problem(st, CONFIG_ERROR, st->lineno,
			       "a key of %zu bytes; no key is that long", klen);
		return buf;
	}
	st->raw_long = true;
	snprintf(buf, (size_t)size, "%.*s=%s\n", (int)klen, line,
		 CONFIG_LONG_MARK);
	return buf;
}

/*
 * The value of a line inih could not hold, trimmed as inih trims: blanks
 * around it, and an inline comment (";" after a blank) cut off.
 */
static char *
config_long_value(const struct config_state *st)
{
	const char *p = st->raw + config_separator(st->raw, st->rawlen) + 1;
	const char *end = st->raw + st->rawlen;
	const char *q;

	/* The comment rule looks at the value before blanks are trimmed. */
	for (q = p; q < end; q++) {
		if (*q == ';' && q > p && isspace((unsigned char)q[-1]))
			break;
	}
	while (p < q && isspace((unsigned char)*p))
		p++;
	while (q > p && isspace((unsigned char)q[-1]))
		q--;
	return xasprintf("%.*s", (int)(q - p), p);
}

/*
 * The handler inih calls for every KEY = VALUE it reads.  The section is
 * the reader's (st->sec, st->cur), not inih's, whose buffer would cut a
 * long ward name.
 */
static int
config_handler(void *arg, const char *section, const char *key,
	       const char *value)
{
	struct config_state *st = arg;
	char *longv = NULL;
	char name[CONFIG_NAME_MAX + 8];

	(void)section;
	if (st->sec == SEC_BAD)
		return 1; /* the header was reported */
	if (st->raw_long && strcmp(value, CONFIG_LONG_MARK) == 0)
		value = longv = config_long_value(st);
	if (key[0] == '\0') {
		config_problem(st, CONFIG_ERROR, st->lineno,
			       "a setting without a key; expected KEY = VALUE");
	} else if (st->sec == SEC_NONE) {
		config_problem(
		    st, CONFIG_ERROR, st->lineno,
		    "%s = \"%s\" is outside any section; put it under "
		    "[steward] or [ward:NAME]",
		    key, value);
	} else if (st->sec == SEC_STEWARD) {
		config_steward_key(st, key, value);
	} else if (st->sec == SEC_GROUP) {
		config_group_key(st, key, value);
	} else if (st->sec == SEC_DIALECT) {
		bool cont = st->raw_continuation;

		st->dialect->key(st, key, value, cont);
	} else if (st->cur != NULL) {
		snprintf(name, sizeof(name), "%s:%s", st->cur->spec.kind,
			 st->cur->spec.name);
		config_ward_key(st, name, key, value);
	}
	free(longv);
	return 1;
}

/* A section header: check it and make it the current section. */
static void
config_section(struct config_state *st, const char *name)
{
	st->cur = NULL;
	st->sec = SEC_BAD;
	if (strcmp(name, "steward") == 0 && st->file != 0) {
		config_problem(
		    st, CONFIG_ERROR, st->lineno,
		    "[steward] belongs in the main file %s, not in an "
		    "included one",
		    st->cfg->path);
	} else if (strcmp(name, "steward") == 0) {
		if (st->steward_line != 0)
			config_problem(
			    st, CONFIG_ERROR, st->lineno,
			    "[steward] is already defined at line %d; "
			    "define it once",
			    st->steward_line);
		else
			st->steward_line = st->lineno;
		st->sec = SEC_STEWARD;
	} else if (strncmp(name, "ward:", 5) == 0) {
		if (!config_name_ok(name + 5)) {
			config_problem(
			    st, CONFIG_ERROR, st->lineno,
			    "[%s]: a ward name is 1 to %d letters, digits, "
			    "'_', '-' or '.'",
			    name, CONFIG_NAME_MAX);
			return;
		}
		st->cur = config_ward_begin(st, name + 5);
		if (st->cur != NULL)
			st->sec = SEC_WARD;
	} else if (strncmp(name, "group:", 6) == 0) {
		struct config_group *g;

		if (!config_name_ok(name + 6)) {
			config_problem(
			    st, CONFIG_ERROR, st->lineno,
			    "[%s]: a group name is 1 to %d letters, digits, "
			    "'_', '-' or '.'",
			    name, CONFIG_NAME_MAX);
			return;
		}
		ssize_t i = nametab_get(&st->group_names, name + 6);

		if (i >= 0) {
			/* configparser merges a section given twice. */
			config_problem(
			    st, CONFIG_WARNING, st->lineno,
			    "[%s] is already defined at %s:%d; its keys are "
			    "merged into that section, a value given again "
			    "replacing the first, as supervisord does",
			    name, st->groups[i].spec.file,
			    st->groups[i].spec.line);
			st->cur_group = (size_t)i;
			st->sec = SEC_GROUP;
			return;
		}
		if ((st->ngroups & (st->ngroups - 1)) == 0)
			st->groups = xrealloc(
			    st->groups, (st->ngroups ? st->ngroups * 2 : 1) *
					    sizeof(*st->groups));
		config_name_reserved(st, name + 6);
		g = &st->groups[st->ngroups++];
		memset(g, 0, sizeof(*g));
		g->spec.name = xstrdup(name + 6);
		(void)nametab_put(&st->group_names, g->spec.name,
				  st->ngroups - 1);
		g->spec.file = xstrdup(st->path);
		g->spec.line = st->lineno;
		st->cur_group = st->ngroups - 1;
		st->sec = SEC_GROUP;
	} else if (st->dialect->section(st, name)) {
		return; /* a section of the dialect's */
	} else if (strncmp(name, "job:", 4) == 0) {
		if (!config_name_ok(name + 4)) {
			config_problem(
			    st, CONFIG_ERROR, st->lineno,
			    "[%s]: a job name is 1 to %d letters, digits, "
			    "'_', '-' or '.'",
			    name, CONFIG_NAME_MAX);
			return;
		}
		st->cur = config_ward_begin(st, name + 4);
		if (st->cur != NULL) {
			struct ward_spec *w = &st->cur->spec;

			w->is_job = true;
			w->kind = "job";
			w->pol.restart = WARD_RESTART_NEVER;
			w->timeout_ms = 60000;
			w->output_limit = 1024 * 1024;
			w->max_concurrent = 8;
			st->sec = SEC_JOB;
		}
	} else {
		config_problem(
		    st, CONFIG_ERROR, st->lineno,
		    "unknown section [%s]; expected [steward], [ward:NAME], "
		    "[job:NAME], [group:NAME] or [program:NAME]",
		    name);
	}
}

/*
 * The reader inih sees: config_reader, plus the sections, which are
 * tracked here and handed to inih as a short stand-in.
 */
static char *
config_reader_sections(char *buf, int size, void *arg)
{
	struct config_state *st = arg;
	char *r = config_reader(buf, size, arg);

	if (r == NULL || buf[0] != '[')
		return r;
	if (strncmp(buf + 1, CONFIG_BAD_SECTION, strlen(CONFIG_BAD_SECTION)) ==
	    0) {
		st->cur = NULL;
		st->sec = SEC_BAD;
	} else {
		char *close = strchr(buf, ']');
		char name[256];

		snprintf(name, sizeof(name), "%.*s", (int)(close - buf - 1),
			 buf + 1);
		config_section(st, name);
	}
	snprintf(buf, (size_t)size, "[s]\n");
	return r;
}

/*
 * As root, read only files that only root can change (like sshd's
 * StrictModes): owned by root, not writable by others, nor by a group
 * other than root.  Returns -1 with why set.
 */
int
config_strict(int fd, char *why, size_t len)
{
	struct stat sb;

	if (geteuid() != 0)
		return 0;
	if (fstat(fd, &sb) == -1) {
		snprintf(why, len, "cannot check its owner: %s",
			 strerror(errno));
		return -1;
	}
	if (sb.st_uid != 0 || (sb.st_mode & S_IWOTH) ||
	    ((sb.st_mode & S_IWGRP) && sb.st_gid != 0)) {
		snprintf(
		    why, len,
		    "refused: other users can change it (owner uid %u, group "
		    "gid %u, mode %04o), and stewardd runs as root; make it "
		    "root's and not writable by others: chown root:root, "
		    "chmod go-w",
		    (unsigned)sb.st_uid, (unsigned)sb.st_gid,
		    (unsigned)(sb.st_mode & 07777));
		return -1;
	}
	return 0;
}

/* What a file is, for "is a FIFO, not a regular file". */
const char *
config_file_kind(mode_t mode)
{
	return S_ISDIR(mode)    ? "a directory"
	       : S_ISFIFO(mode) ? "a FIFO"
	       : S_ISCHR(mode)  ? "a character device"
	       : S_ISBLK(mode)  ? "a block device"
	       : S_ISSOCK(mode) ? "a socket"
				: "not a file";
}

/* Is it /dev/null (the device, by any name)? */
static bool
config_file_null(const struct stat *sb)
{
	return S_ISCHR(sb->st_mode) && sb->st_rdev == makedev(1, 3);
}

/* A regular file, or /dev/null (read as empty): what stewardd reads. */
static bool
config_file_readable(const struct stat *sb)
{
	return S_ISREG(sb->st_mode) || config_file_null(sb);
}

/*
 * Open path for reading.  As root, by the path rule (safepath.h): a
 * symbolic link that another user could have planted (in or below a
 * directory they can change) is refused, so that no user can point an
 * include or an environment_file at a file of root's, whose content
 * config_strict would accept and whose variables a ward would be given.
 * Returns the fd, or -1 with why and errno (0 when refused).
 */
static int
config_open_rule(const char *path, char *why, size_t len)
{
	struct safepath_why spw;
	char abs[4096], msg[512];
	int fd, e;

	if (geteuid() != 0) {
		fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	} else {
		if (path[0] != '/') {
			if (getcwd(abs, sizeof(abs)) == NULL ||
			    strlen(abs) + strlen(path) + 2 > sizeof(abs)) {
				e = errno ? errno : ENAMETOOLONG;
				snprintf(why, len, "cannot open: %s",
					 strerror(e));
				errno = e;
				return -1;
			}
			strcat(abs, "/");
			strcat(abs, path);
			path = abs;
		}
		fd = safepath_open(path, O_RDONLY | O_NONBLOCK, 0, &spw);
		if (fd == -1 && errno == EPERM && spw.refusal != SAFEPATH_OK) {
			snprintf(
			    why, len, "%s",
			    safepath_describe(&spw, EPERM, msg, sizeof(msg)));
			errno = 0;
			return -1;
		}
	}
	if (fd == -1) {
		e = errno;
		snprintf(why, len, "cannot open: %s", strerror(e));
		errno = e;
	}
	return fd;
}

/*
 * Open a file stewardd reads at start or on reload (the config, an
 * included file, an environment file).  Nothing here may block (a FIFO
 * would hold --check forever, and the reload thread with every reload
 * after it): the file is looked at before it is opened (opening a FIFO
 * or a device can wait, or do something), opened non-blocking in case
 * it was swapped meanwhile, and looked at again.
 * Only a regular file, or /dev/null, is read; as root, only a file
 * that only root can change (config_strict; /dev/null reads as nothing,
 * whoever writes to it).  Every file the config reader reads is opened
 * here and only here.  Returns the fd, or -1 with why set ("is a FIFO,
 * not a regular file", "cannot open: ...") and errno set to the open's
 * error, or to 0 when the file is of the wrong kind or refused.
 */
int
config_open(const char *path, bool *wrong_kind, char *why, size_t len)
{
	struct stat sb;
	int fd, e;

	*wrong_kind = false;
	if (stat(path, &sb) == -1) {
		e = errno;
		snprintf(why, len, "cannot open: %s", strerror(e));
		errno = e;
		return -1;
	}
	if (!config_file_readable(&sb))
		goto kind;
	fd = config_open_rule(path, why, len);
	if (fd == -1)
		return -1;
	if (fstat(fd, &sb) == -1) {
		e = errno;
		snprintf(why, len, "cannot check what it is: %s", strerror(e));
		close(fd);
		errno = e;
		return -1;
	}
	if (!config_file_readable(&sb)) {
		close(fd);
		goto kind;
	}
	/* What anyone writes to /dev/null, it reads as nothing. */
	if (!config_file_null(&sb) && config_strict(fd, why, len) == -1) {
		close(fd);
		errno = 0;
		return -1;
	}
	return fd;
kind:
	*wrong_kind = true;
	snprintf(why, len, "is %s, not a regular file",
		 config_file_kind(sb.st_mode));
	errno = 0;
	return -1;
}

/* Read the whole file into memory, refusing what is not a config. */
static int
config_read_file(struct config_state *st)
{
	size_t cap = 65536;
	char why[PARSE_WHY];
	bool wrong_kind;
	int fd = config_open(st->path, &wrong_kind, why, sizeof(why));

	if (fd == -1 && wrong_kind && st->file != 0) {
		/* An include pattern matched it: say where that is. */
		const char *inc = st->path;

		st->path = st->cfg->files[0];
		st->file = 0;
		config_problem(st, CONFIG_ERROR, st->include_line,
			       "[steward] include = \"%s\": %s %s; an "
			       "included file must be a regular file",
			       st->include, inc, why);
		return -1;
	}
	if (fd == -1) {
		config_problem(st, CONFIG_ERROR, 0, "%s%s", why,
			       wrong_kind ? "; stewardd reads its config "
					    "only from a regular file"
					  : "");
		return -1;
	}
	st->text = xmalloc(cap);
	for (;;) {
		ssize_t n = read(fd, st->text + st->len, cap - st->len);

		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			config_problem(st, CONFIG_ERROR, 0, "cannot read: %s",
				       strerror(errno));
			close(fd);
			return -1;
		}
		st->len += (size_t)n;
		if (n == 0)
			break;
		if (st->len > CONFIG_MAX_BYTES) {
			config_problem(
			    st, CONFIG_ERROR, 0,
			    "larger than %d MiB; a config file is not that "
			    "large",
			    CONFIG_MAX_BYTES >> 20);
			close(fd);
			return -1;
		}
		if (st->len == cap) {
			cap *= 2;
			st->text = xrealloc(st->text, cap);
		}
	}
	close(fd);
	return 0;
}

/* Read and parse one file into the state (the main one or an include). */
void
config_parse_file(struct config_state *st, const char *path)
{
	struct config *c = st->cfg;
	int rc;

	st->file = (int)c->nfiles;
	c->files = xrealloc(c->files, (c->nfiles + 1) * sizeof(char *));
	c->files[c->nfiles++] = xstrdup(path);
	st->path = c->files[st->file]; /* lives as long as the config */
	st->text = NULL;
	st->len = st->pos = 0;
	st->lineno = 0;
	st->cur = NULL;
	st->sec = SEC_NONE;
	if (config_read_file(st) == 0) {
		size_t before = st->rep->errors;

		rc = ini_parse_stream(config_reader_sections, st,
				      config_handler, st);
		if (rc > 0 && st->rep->errors == before)
			config_problem(st, CONFIG_ERROR, rc,
				       "cannot read this line as INI");
		else if (rc < 0 && st->rep->errors == before)
			config_problem(st, CONFIG_ERROR, 0,
				       "cannot parse (inih error %d)", rc);
	}
	free(st->text);
	st->text = NULL;
}

/* A path as written in the config: relative ones from its directory. */
char *
config_path_from(const struct config_state *st, const char *p)
{
	return p[0] == '/' ? xstrdup(p) : xasprintf("%s/%s", st->dir, p);
}

/* glob(3) cannot say which directory failed; remember the error. */
static int config_glob_errno;

/* glob's error hook: a missing directory only means no match. */
static int
config_glob_error(const char *path, int errnum)
{
	(void)path;
	if (errnum != ENOENT && errnum != ENOTDIR)
		config_glob_errno = errnum;
	return 0;
}

/* Read every file [steward] include names, in sorted order. */
void
config_includes(struct config_state *st, const char *main_path)
{
	char **pats;
	size_t npats;
	char why[PARSE_WHY];
	const char *what =
	    st->include_sv ? "[include] files" : "[steward] include";

	if (st->include == NULL ||
	    parse_split(st->include, &pats, &npats, why) == -1)
		return;
	for (size_t i = 0; i < npats; i++) {
		char *pat = config_path_from(st, pats[i]);
		glob_t g;
		int rc;

		config_glob_errno = 0;
		rc = glob(pat, 0, config_glob_error, &g);
		if (rc == 0 || rc == GLOB_NOMATCH) {
			if (config_glob_errno != 0)
				config_problem(st, CONFIG_WARNING,
					       st->include_line,
					       "%s = \"%s\": part of %s "
					       "could not be read: %s",
					       what, st->include, pat,
					       strerror(config_glob_errno));
		}

		st->path = main_path;
		st->file = 0;
		if (rc == GLOB_NOMATCH) {
			config_problem(st, CONFIG_WARNING, st->include_line,
				       "%s = \"%s\": nothing matches %s", what,
				       st->include, pat);
		} else if (rc != 0) {
			config_problem(st, CONFIG_ERROR, st->include_line,
				       "%s = \"%s\": cannot expand %s", what,
				       st->include, pat);
		} else {
			for (size_t k = 0; k < g.gl_pathc; k++) {
				char *f = xstrdup(g.gl_pathv[k]);

				config_parse_file(st, f);
				free(f);
			}
		}
		if (rc != GLOB_NOMATCH)
			globfree(&g);
		free(pat);
	}
	parse_split_free(pats);
	st->path = main_path;
	st->file = 0;
}
