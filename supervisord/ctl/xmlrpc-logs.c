/*
 * supervisord's log methods: readLog, clearLog, read/tail/clear of a
 * process's stdout and stderr (supervisorctl tail, clear, maintail).
 *
 * Where the bytes come from.  A process whose stdout (stderr) goes to a
 * file (stdout_logfile = PATH) is read from that file, as supervisord
 * reads it: offsets are the file's.  ward_output_dest() says which: a
 * name of stewardd's own stdout (/dev/stdout) is no file to read back
 * (it would be whatever fd 1 is now).  Otherwise from the lines stewardd
 * keeps of it (core/tail.c's rings): the previous run's, then the
 * current run's, each line with its newline, the current run's alone
 * when its ring already dropped lines (the two would not join).  Their
 * offsets are a running count of the bytes the stream wrote over the
 * instance's life (tail_inst.written), so a client polling
 * tailProcessStdoutLog with the offset it was given reads each byte
 * once; what the rings no longer hold is skipped, as a rotated log's.
 *
 * The main log.  supervisord's is its own log file; stewardd's nearest
 * is the event log (one JSON object a line), which readLog reads: NO_FILE
 * when it goes to standard error (evlog_file()).  clearLog would throw
 * away the record of what happened: it is refused (FAILED); rotate the
 * file and send SIGUSR1 instead.
 *
 * Files are opened through safepath (no symlink followed into another
 * user's file), read with pread, never more than XRL_READ_MAX bytes a
 * call.  Bytes that are not UTF-8, and NULs, become U+FFFD and "?" so
 * that the answer stays XML.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/safepath.h"
#include "config/config.h"
#include "core/steward.h"
#include "core/tail.h"
#include "core/ward-output.h"
#include "base/log.h"
#include "ctl/xmlrpc-internal.h"

/* The most bytes one call answers. */
#define XRL_READ_MAX (1024 * 1024)
/* An offset past any log (tail's arithmetic stays in range). */
#define XRL_OFFSET_MAX (1LL << 60)

/* The int parameter i, or a fault. */
static bool
xrl_int(struct xrm_ctx *c, size_t i, long long *out)
{
	const struct xr_value *v =
	    i < c->call->nparams ? c->call->params[i] : NULL;

	if (v == NULL || v->type != XR_INT) {
		xrm_fail(c, XRM_INCORRECT_PARAMETERS, NULL);
		return false;
	}
	*out = v->i;
	return true;
}

/* Open a log file under safepath's rule; see xmlrpc-internal.h. */
int
xrl_open(const char *path, struct xrl_src *src)
{
	struct safepath_why why;
	struct stat sb;
	int fd;

	if ((fd = safepath_open(path, O_RDONLY | O_NONBLOCK, 0, &why)) == -1)
		return -1;
	if (fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode)) {
		close(fd);
		errno = EINVAL;
		return -1;
	}
	src->fd = fd;
	src->path = path;
	src->base = 0;
	src->size = (uint64_t)sb.st_size;
	return 0;
}

/* Add a ring's lines to text, each with its newline. */
static void
xrl_ring_text(const struct ring *r, struct sbuf *text)
{
	for (uint64_t q = ring_begin(r); q < ring_end(r); q++) {
		const char *s;
		const struct ring_line *ln = ring_get(r, q, &s);

		if (ln == NULL)
			continue;
		sbuf_add(text, s, ln->len);
		if ((ln->flags & (TAIL_SPLIT | TAIL_UNENDED)) == 0)
			sbuf_add(text, "\n", 1);
	}
}

/* An instance's stream as its rings hold it; see the top. */
static void
xrl_rings(struct ward_inst *wi, enum tail_stream st, struct xrl_src *src)
{
	struct tail_inst *t = tail_of(wi);

	src->fd = -1;
	src->text = (struct sbuf){0};
	if (ring_missed(&t->cur[st]) == 0)
		xrl_ring_text(&t->prev[st], &src->text);
	xrl_ring_text(&t->cur[st], &src->text);
	src->size = t->written[st];
	src->base = src->size >= src->text.len ? src->size - src->text.len : 0;
}

/* Close and free a source; see xmlrpc-internal.h. */
void
xrl_src_free(struct xrl_src *src)
{
	if (src->fd != -1)
		close(src->fd);
	src->fd = -1;
	sbuf_free(&src->text);
}

/* Bytes [from, from + n) of a source, clipped to what it holds. */
static void
xrl_copy(const struct xrl_src *src, uint64_t from, uint64_t n, struct sbuf *out)
{
	uint64_t end;

	if (from < src->base)
		from = src->base;
	if (n > XRL_READ_MAX)
		n = XRL_READ_MAX;
	end = from + n > src->size ? src->size : from + n;
	if (from >= end)
		return;
	if (src->fd == -1) {
		sbuf_add(out, src->text.s + (from - src->base), end - from);
		return;
	}
	while (from < end) {
		char buf[16384];
		size_t want =
		    end - from < sizeof(buf) ? end - from : sizeof(buf);
		ssize_t got = pread(src->fd, buf, want, (off_t)from);

		if (got <= 0)
			return; /* shorter than fstat said: truncated */
		sbuf_add(out, buf, (size_t)got);
		from += (uint64_t)got;
	}
}

/* The length of a UTF-8 sequence at s (n bytes left), or 0: invalid. */
static size_t
xrl_utf8(const unsigned char *s, size_t n)
{
	size_t len;
	unsigned cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return len;
}

/* Bytes as one XML-RPC string value; see the top. */
static void
xrl_add_bytes(struct sbuf *b, const char *p, size_t n)
{
	struct sbuf clean = {0};

	for (size_t i = 0; i < n;) {
		size_t k = xrl_utf8((const unsigned char *)p + i, n - i);

		if (k == 0) {
			sbuf_add(&clean, "\xef\xbf\xbd", 3);
			k = 1;
		} else if (p[i] == '\0') {
			sbuf_add(&clean, "?", 1);
		} else {
			sbuf_add(&clean, p + i, k);
		}
		i += k;
	}
	sbuf_add(&clean, "", 1);
	xmlrpc_add_string(b, clean.s);
	sbuf_free(&clean);
}

/* supervisord's readFile(offset, length) on a source. */
static void
xrl_read(struct xrm_ctx *c, const struct xrl_src *src, long long offset,
	 long long length)
{
	struct sbuf out = {0};
	uint64_t from, n;

	if (offset < 0) {
		uint64_t back = (uint64_t)(-(offset + 1)) + 1;

		if (length != 0) {
			xrm_fail(c, XRM_BAD_ARGUMENTS, NULL);
			return;
		}
		from = src->size > back ? src->size - back : 0;
		n = back;
	} else {
		if (length < 0) {
			xrm_fail(c, XRM_BAD_ARGUMENTS, NULL);
			return;
		}
		from = (uint64_t)offset;
		n = length == 0 ? UINT64_MAX - from : (uint64_t)length;
	}
	xrl_copy(src, from, n, &out);
	xrl_add_bytes(c->b, out.s != NULL ? out.s : "", out.len);
	sbuf_free(&out);
}

/* supervisord's tailFile(offset, length): [bytes, offset, overflow]. */
static void
xrl_tail(struct xrm_ctx *c, const struct xrl_src *src, long long offset,
	 long long length)
{
	long long sz = (long long)src->size;
	bool overflow = false;
	struct sbuf out = {0};

	/* Bounded first: offset + length never overflows. */
	if (length > XRL_READ_MAX)
		length = XRL_READ_MAX;
	if (offset < 0)
		offset = 0;
	if (offset > XRL_OFFSET_MAX)
		offset = XRL_OFFSET_MAX;
	if (sz > offset + length) {
		overflow = true;
		offset = sz - 1;
	}
	if (offset + length > sz) {
		if (offset > sz - 1)
			length = 0;
		offset = sz - length;
	}
	if (offset < 0)
		offset = 0;
	if (length < 0)
		length = 0;
	if (length > 0)
		xrl_copy(src, (uint64_t)offset, (uint64_t)length, &out);
	xmlrpc_array_begin(c->b);
	xrl_add_bytes(c->b, out.s != NULL ? out.s : "", out.len);
	xmlrpc_add_int(c->b, sz);
	xmlrpc_add_bool(c->b, overflow);
	xmlrpc_array_end(c->b);
	sbuf_free(&out);
}

/* The log file of an instance's stream, or ""; see xmlrpc-internal.h. */
const char *
xrl_logfile(const struct ward_inst *wi, enum tail_stream st)
{
	struct ward_output_dest d = ward_output_dest(wi, st);

	if (d.to == WARD_OUTPUT_FILE)
		return d.path;
	if (d.to == WARD_OUTPUT_OWN_FD && d.named != NULL)
		return d.named; /* as supervisord shows /dev/stdout */
	return "";
}

/* The source of a process's stream; see xmlrpc-internal.h. */
bool
xrl_source(struct xrm_ctx *c, const char *name, enum tail_stream st,
	   struct xrl_src *src, struct ward_inst **wip)
{
	struct ward_output_dest d;
	struct ward_inst *wi;

	if ((wi = xrm_find_one(c, name)) == NULL)
		return false;
	d = ward_output_dest(wi, st);
	switch (d.to) {
	case WARD_OUTPUT_MEMORY:
	case WARD_OUTPUT_WITH_STDOUT:
		/* NONE, or redirect_stderr's: no log, as supervisord. */
		xrm_fail(c, XRM_NO_FILE, NULL);
		return false;
	case WARD_OUTPUT_OWN_FD:
		xrl_rings(wi, st, src); /* what it wrote, not what fd 1 is */
		break;
	case WARD_OUTPUT_FILE:
		if (xrl_open(d.path, src) == -1) {
			xrm_fail(c, errno == ENOENT ? XRM_NO_FILE : XRM_FAILED,
				 d.path);
			return false;
		}
		break;
	}
	if (wip != NULL)
		*wip = wi;
	return true;
}

/* read/tail of a process's stream. */
static void
xrl_process(struct xrm_ctx *c, enum tail_stream st, bool tail)
{
	struct xrl_src src = {.fd = -1};
	long long offset, length;

	const char *name = xrm_str(c, 0);

	if (name == NULL || !xrl_int(c, 1, &offset) || !xrl_int(c, 2, &length))
		return;
	if (!xrl_source(c, name, st, &src, NULL))
		return;
	if (tail)
		xrl_tail(c, &src, offset, length);
	else
		xrl_read(c, &src, offset, length);
	xrl_src_free(&src);
}

static void
m_read_stdout(struct xrm_ctx *c)
{
	xrl_process(c, TAIL_STDOUT, false);
}

static void
m_read_stderr(struct xrm_ctx *c)
{
	xrl_process(c, TAIL_STDERR, false);
}

static void
m_tail_stdout(struct xrm_ctx *c)
{
	xrl_process(c, TAIL_STDOUT, true);
}

static void
m_tail_stderr(struct xrm_ctx *c)
{
	xrl_process(c, TAIL_STDERR, true);
}

/*
 * Clear one instance's output: its rings and the files stewardd writes
 * (ward_output_clear()), and the files a ward writes itself (output =
 * direct: truncated through a descriptor safepath opened); 0, or -1.
 */
static int
xrl_clear(struct steward *s, struct ward_inst *wi)
{
	struct err *e = NULL;
	int rc = 0;

	if (ward_output_clear(s, wi, &e) == -1) {
		char *msg = err_str(e);

		log_warnx("cannot clear the output of %s: %s", wi->label, msg);
		free(msg);
		err_free(e);
		rc = -1;
	}
	for (int st = 0; st < TAIL_NSTREAMS; st++) {
		struct ward_output_dest d = ward_output_dest(wi, st);
		struct safepath_why why;
		int fd;

		if (d.to != WARD_OUTPUT_FILE || d.held)
			continue;
		fd = safepath_open(d.path, O_WRONLY | O_NONBLOCK, 0, &why);
		if (fd == -1) {
			if (errno != ENOENT)
				rc = -1;
			continue;
		}
		if (ftruncate(fd, 0) == -1)
			rc = -1;
		close(fd);
	}
	return rc;
}

/* clearProcessLogs(name). */
static void
m_clear_process(struct xrm_ctx *c)
{
	const char *name = xrm_str(c, 0);
	struct ward_inst *wi;

	if (name == NULL || (wi = xrm_find_one(c, name)) == NULL)
		return;
	if (xrl_clear(c->s, wi) == -1)
		xrm_fail(c, XRM_FAILED, name);
	else
		xmlrpc_add_bool(c->b, true);
}

/* clearAllProcessLogs(): supervisord's result array. */
static void
m_clear_all(struct xrm_ctx *c)
{
	struct ward_inst **v;
	size_t n;

	v = xrm_all_listed(c->s, &n);
	xmlrpc_array_begin(c->b);
	for (size_t k = 0; k < n; k++) {
		bool ok = xrl_clear(c->s, v[k]) == 0;

		xmlrpc_struct_begin(c->b);
		xmlrpc_member_string(c->b, "name", xrm_procname(v[k]));
		xmlrpc_member_string(c->b, "group", xrm_groupname(v[k]));
		xmlrpc_member_int(c->b, "status",
				  ok ? XRM_SUCCESS : XRM_FAILED);
		xmlrpc_member_string(c->b, "description", ok ? "OK" : "FAILED");
		xmlrpc_struct_end(c->b);
	}
	xmlrpc_array_end(c->b);
	free(v);
}

/* readLog(offset, length): the event log; see the top. */
static void
m_read_log(struct xrm_ctx *c)
{
	const char *path = evlog_file(c->s->log);
	struct xrl_src src = {.fd = -1};
	long long offset, length;

	if (!xrl_int(c, 0, &offset) || !xrl_int(c, 1, &length))
		return;
	if (path == NULL) {
		xrm_fail(c, XRM_NO_FILE, NULL);
		return;
	}
	if (xrl_open(path, &src) == -1) {
		xrm_fail(c, errno == ENOENT ? XRM_NO_FILE : XRM_FAILED, path);
		return;
	}
	xrl_read(c, &src, offset, length);
	xrl_src_free(&src);
}

/* clearLog(): refused; see the top. */
static void
m_clear_log(struct xrm_ctx *c)
{
	xrm_fail(c, XRM_FAILED,
		 "stewardd keeps its event log: rotate it and send SIGUSR1");
}

const struct xrm_method xrm_log_methods[] = {
    {.name = "supervisor.readLog", .fn = m_read_log, .min = 2, .max = 2},
    {.name = "supervisor.readMainLog", .fn = m_read_log, .min = 2, .max = 2},
    {.name = "supervisor.clearLog", .fn = m_clear_log},
    {.name = "supervisor.readProcessStdoutLog",
     .fn = m_read_stdout,
     .min = 3,
     .max = 3},
    {.name = "supervisor.readProcessLog",
     .fn = m_read_stdout,
     .min = 3,
     .max = 3},
    {.name = "supervisor.readProcessStderrLog",
     .fn = m_read_stderr,
     .min = 3,
     .max = 3},
    {.name = "supervisor.tailProcessStdoutLog",
     .fn = m_tail_stdout,
     .min = 3,
     .max = 3},
    {.name = "supervisor.tailProcessLog",
     .fn = m_tail_stdout,
     .min = 3,
     .max = 3},
    {.name = "supervisor.tailProcessStderrLog",
     .fn = m_tail_stderr,
     .min = 3,
     .max = 3},
    {.name = "supervisor.clearProcessLogs",
     .fn = m_clear_process,
     .min = 1,
     .max = 1},
    {.name = "supervisor.clearProcessLog",
     .fn = m_clear_process,
     .min = 1,
     .max = 1},
    {.name = "supervisor.clearAllProcessLogs", .fn = m_clear_all},
};

const size_t xrm_log_nmethods =
    sizeof(xrm_log_methods) / sizeof(xrm_log_methods[0]);
