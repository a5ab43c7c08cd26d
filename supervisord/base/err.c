/*
 * Wrapped, structured errors, and the small helpers every file needs.
 *
 * An error is a singly linked chain, outermost first: each ERR_WRAP()
 * puts a new layer in front of the one it was given and owns it from
 * then on.  Nothing here can fail: allocation failure aborts (xmalloc),
 * so that an error path never needs an error path of its own.
 *
 * Three renderings exist, for three readers:
 *  - err_str(): one line, messages joined by ": ", the system's words
 *    for the errno right after the message of the layer that failed;
 *  - err_person_message(): the same line, but only from the outermost
 *    layer someone wrote for people, or a request for a bug report when
 *    nobody did (a raw strerror from three layers down helps no one);
 *  - err_json(): the whole chain with wrap sites, errno names and
 *    fields, for the event log.
 *
 * sbuf_add_json() is the only JSON string writer in the daemon: it
 * escapes control bytes as JSON does and writes each byte of invalid
 * UTF-8 as the text \xNN (never as the Latin-1 character \u00NN), so
 * whatever a ward or a file name contains, a log line stays valid JSON
 * and UTF-8.  C1 and bidi controls (escape_hidden()) are written as
 * \uNNNN, so that even a person reading the file with cat is safe.
 * UTF-8 is checked by escape_utf8_len() (escape.c), the check that
 * readable output uses too.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/err.h"
#include "base/escape.h"

/* strerrorname_np() came with glibc 2.32; elsewhere a short table. */
#ifndef HAVE_STRERRORNAME_NP
#ifdef __GLIBC__
#if __GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 32)
#define HAVE_STRERRORNAME_NP 1
#endif
#endif
#endif
#ifndef HAVE_STRERRORNAME_NP
#define HAVE_STRERRORNAME_NP 0
#endif

static const char unexpected_msg[] =
    "an unexpected issue; please report it as a bug";

static void xoom(void) __attribute__((noreturn));

/* Say we are out of memory, the only way left, and stop. */
static void
xoom(void)
{
	static const char msg[] = "steward: out of memory\n";

	if (write(STDERR_FILENO, msg, sizeof(msg) - 1) == -1) {
		/* Nothing is left to report with; abort regardless. */
	}
	abort();
}

/* Malloc that cannot fail; a zero size still returns a unique pointer. */
void *
xmalloc(size_t n)
{
	void *p = malloc(n == 0 ? 1 : n);

	if (p == NULL)
		xoom();
	return p;
}

/* Calloc that cannot fail; calloc itself checks n * size for overflow. */
void *
xcalloc(size_t n, size_t size)
{
	void *p;

	if (n == 0 || size == 0)
		n = size = 1;
	p = calloc(n, size);
	if (p == NULL)
		xoom();
	return p;
}

/* Realloc that cannot fail; never frees on a zero size. */
void *
xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n == 0 ? 1 : n);

	if (q == NULL)
		xoom();
	return q;
}

/* Strdup that cannot fail. */
char *
xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(xmalloc(n), s, n);
}

/* Vasprintf that cannot fail. */
char *
xvasprintf(const char *fmt, va_list ap)
{
	char *s;

	if (vasprintf(&s, fmt, ap) == -1)
		xoom();
	return s;
}

/* Asprintf that cannot fail. */
char *
xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	return s;
}

/* Make room for n more bytes and the terminating NUL. */
static void
sbuf_grow(struct sbuf *b, size_t n)
{
	size_t need = b->len + n + 1;
	size_t cap;

	if (need <= b->cap)
		return;
	cap = b->cap < 64 ? 64 : b->cap;
	while (cap < need)
		cap *= 2;
	b->s = xrealloc(b->s, cap);
	b->cap = cap;
}

/* Append n bytes; the buffer stays NUL-terminated. */
void
sbuf_add(struct sbuf *b, const char *s, size_t n)
{
	sbuf_grow(b, n);
	if (n > 0)
		memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

/* Append n bytes the caller writes; see err.h. */
char *
sbuf_extend(struct sbuf *b, size_t n)
{
	char *p;

	sbuf_grow(b, n);
	p = b->s + b->len;
	b->len += n;
	b->s[b->len] = '\0';
	return p;
}

/* Append formatted text, growing once if the first try did not fit. */
void
sbuf_addf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	sbuf_grow(b, 0);
	va_start(ap, fmt);
	n = vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	/* Only an encoding error or EOVERFLOW fail; treat them as fatal. */
	if (n < 0)
		xoom();
	if ((size_t)n >= b->cap - b->len) {
		sbuf_grow(b, (size_t)n);
		va_start(ap, fmt);
		n = vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
		if (n < 0)
			xoom();
	}
	b->len += (size_t)n;
}

/* Append s as a JSON string; NULL is written as null. */
void
sbuf_add_json(struct sbuf *b, const char *s)
{
	if (s == NULL) {
		sbuf_add(b, "null", 4);
		return;
	}
	sbuf_add_json_len(b, s, strlen(s));
}

/*
 * Append len bytes of s as a JSON string: any byte may occur (a NUL is
 * \u0000); a sequence cut by the end is invalid UTF-8, escaped.
 */
void
sbuf_add_json_len(struct sbuf *b, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	const unsigned char *end = p + len;
	const unsigned char *run;

	sbuf_add(b, "\"", 1);
	run = p;
	while (p < end) {
		unsigned char c = *p;
		uint32_t cp = 0;
		size_t n;

		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
			p++;
			continue;
		}
		if (c >= 0x80 &&
		    (n = escape_utf8_len(p, (size_t)(end - p), &cp)) > 0) {
			if (escape_hidden(cp)) {
				/*
				 * C1 and bidi controls as \uNNNN: still JSON,
				 * and safe for a person reading the file.
				 */
				sbuf_add(b, (const char *)run,
					 (size_t)(p - run));
				sbuf_addf(b, "\\u%04x", (unsigned)cp);
				run = p + n;
			}
			p += n;
			continue;
		}
		sbuf_add(b, (const char *)run, (size_t)(p - run));
		switch (c) {
		case '"':
			sbuf_add(b, "\\\"", 2);
			break;
		case '\\':
			sbuf_add(b, "\\\\", 2);
			break;
		case '\n':
			sbuf_add(b, "\\n", 2);
			break;
		case '\t':
			sbuf_add(b, "\\t", 2);
			break;
		case '\r':
			sbuf_add(b, "\\r", 2);
			break;
		default:
			/*
			 * Control bytes and DEL as JSON has them; a byte of
			 * invalid UTF-8 as the text \xNN, so that no reader
			 * takes it for the Latin-1 character \u00NN would be.
			 */
			if (c < 0x80)
				sbuf_addf(b, "\\u%04x", (unsigned)c);
			else
				sbuf_addf(b, "\\\\x%02x", (unsigned)c);
			break;
		}
		run = ++p;
	}
	sbuf_add(b, (const char *)run, (size_t)(p - run));
	sbuf_add(b, "\"", 1);
}

/* Free the buffer's memory and leave it empty and reusable. */
void
sbuf_free(struct sbuf *b)
{
	free(b->s);
	b->s = NULL;
	b->len = b->cap = 0;
}

/* Hand the buffer's string to the caller ("" if nothing was added). */
static char *
sbuf_take(struct sbuf *b)
{
	char *s;

	if (b->s == NULL)
		return xstrdup("");
	s = b->s;
	b->s = NULL;
	b->len = b->cap = 0;
	return s;
}

static struct err *err_alloc(const char *file, int line, const char *func,
			     int errnum, bool for_people, const char *fmt,
			     va_list ap) __attribute__((format(printf, 6, 0)));

/* A layer with its message formatted; the caller links it. */
static struct err *
err_alloc(const char *file, int line, const char *func, int errnum,
	  bool for_people, const char *fmt, va_list ap)
{
	struct err *e = xcalloc(1, sizeof(*e));

	e->msg = xvasprintf(fmt, ap);
	e->file = file;
	e->line = line;
	e->func = func;
	e->errnum = errnum;
	e->for_people = for_people;
	return e;
}

/* A new innermost error. */
struct err *
err_new(const char *file, int line, const char *func, int errnum,
	const char *fmt, ...)
{
	struct err *e;
	va_list ap;

	va_start(ap, fmt);
	e = err_alloc(file, line, func, errnum, false, fmt, ap);
	va_end(ap);
	return e;
}

/* A new layer in front of inner, which it now owns. */
struct err *
err_wrap(struct err *inner, const char *file, int line, const char *func,
	 bool for_people, const char *fmt, ...)
{
	struct err *e;
	va_list ap;

	va_start(ap, fmt);
	e = err_alloc(file, line, func, 0, for_people, fmt, ap);
	va_end(ap);
	e->inner = inner;
	return e;
}

/* Add a field to this layer, or replace the value of one it has. */
struct err *
err_set(struct err *e, const char *key, const char *fmt, ...)
{
	va_list ap;
	char *value;
	size_t i;

	if (e == NULL)
		return NULL;
	va_start(ap, fmt);
	value = xvasprintf(fmt, ap);
	va_end(ap);
	for (i = 0; i < e->nfields; i++) {
		if (strcmp(e->fields[i].key, key) == 0) {
			free(e->fields[i].value);
			e->fields[i].value = value;
			return e;
		}
	}
	e->fields = xrealloc(e->fields, (e->nfields + 1) * sizeof(*e->fields));
	e->fields[e->nfields].key = xstrdup(key);
	e->fields[e->nfields].value = value;
	e->nfields++;
	return e;
}

/* Mark this layer as a message written for people. */
struct err *
err_for_people(struct err *e)
{
	if (e != NULL)
		e->for_people = true;
	return e;
}

/* The innermost layer: the error that started it all. */
const struct err *
err_root(const struct err *e)
{
	while (e != NULL && e->inner != NULL)
		e = e->inner;
	return e;
}

/* The first errno met walking inwards, or 0. */
int
err_errno(const struct err *e)
{
	for (; e != NULL; e = e->inner)
		if (e->errnum != 0)
			return e->errnum;
	return 0;
}

/* A field's value, the outermost layer that has the key winning. */
const char *
err_get(const struct err *e, const char *key)
{
	size_t i;

	for (; e != NULL; e = e->inner)
		for (i = 0; i < e->nfields; i++)
			if (strcmp(e->fields[i].key, key) == 0)
				return e->fields[i].value;
	return NULL;
}

/* Append the chain from e inwards as one line (see err_str()). */
static void
err_str_add(struct sbuf *b, const struct err *e)
{
	const struct err *failed = NULL;
	const struct err *p;

	/* Only the innermost errno is said, after its own layer's message. */
	for (p = e; p != NULL; p = p->inner)
		if (p->errnum != 0)
			failed = p;
	for (p = e; p != NULL; p = p->inner) {
		if (p->msg[0] != '\0') {
			if (b->len > 0)
				sbuf_add(b, ": ", 2);
			sbuf_add(b, p->msg, strlen(p->msg));
		}
		if (p == failed) {
			const char *why = strerror(p->errnum);

			if (b->len > 0)
				sbuf_add(b, ": ", 2);
			sbuf_add(b, why, strlen(why));
		}
	}
}

/* The chain as one line. */
char *
err_str(const struct err *e)
{
	struct sbuf b = {0};

	err_str_add(&b, e);
	return sbuf_take(&b);
}

/* The line a person sees: from the outermost layer written for people. */
char *
err_person_message(const struct err *e)
{
	for (; e != NULL; e = e->inner)
		if (e->for_people)
			return err_str(e);
	return xstrdup(unexpected_msg);
}

#if !HAVE_STRERRORNAME_NP
/* The names the daemon is likely to meet, indexed by errno. */
#define ERRNAME(e) [e] = #e
static const char *const errnames[] = {
    ERRNAME(EPERM),        ERRNAME(ENOENT),     ERRNAME(ESRCH),
    ERRNAME(EINTR),        ERRNAME(EIO),        ERRNAME(ENXIO),
    ERRNAME(E2BIG),        ERRNAME(ENOEXEC),    ERRNAME(EBADF),
    ERRNAME(ECHILD),       ERRNAME(EAGAIN),     ERRNAME(ENOMEM),
    ERRNAME(EACCES),       ERRNAME(EFAULT),     ERRNAME(EBUSY),
    ERRNAME(EEXIST),       ERRNAME(EXDEV),      ERRNAME(ENODEV),
    ERRNAME(ENOTDIR),      ERRNAME(EISDIR),     ERRNAME(EINVAL),
    ERRNAME(ENFILE),       ERRNAME(EMFILE),     ERRNAME(ENOTTY),
    ERRNAME(ETXTBSY),      ERRNAME(EFBIG),      ERRNAME(ENOSPC),
    ERRNAME(ESPIPE),       ERRNAME(EROFS),      ERRNAME(EMLINK),
    ERRNAME(EPIPE),        ERRNAME(ERANGE),     ERRNAME(ENAMETOOLONG),
    ERRNAME(ELOOP),        ERRNAME(ENOTSOCK),   ERRNAME(EADDRINUSE),
    ERRNAME(ECONNREFUSED), ERRNAME(ECONNRESET), ERRNAME(ETIMEDOUT),
    ERRNAME(EDQUOT),
};
#undef ERRNAME
#endif

/* The symbolic name of an errno ("ENOENT"), or NULL if unknown. */
const char *
err_errname(int errnum)
{
#if HAVE_STRERRORNAME_NP
	return strerrorname_np(errnum);
#else
	if (errnum <= 0 ||
	    (size_t)errnum >= sizeof(errnames) / sizeof(errnames[0]))
		return NULL;
	return errnames[errnum];
#endif
}

/* Append one layer as a JSON object. */
static void
err_json_layer(struct sbuf *b, const struct err *e)
{
	char *at;
	size_t i;

	at = xasprintf("%s:%d", e->file != NULL ? e->file : "?", e->line);
	sbuf_add(b, "{\"msg\":", 7);
	sbuf_add_json(b, e->msg);
	sbuf_add(b, ",\"at\":", 6);
	sbuf_add_json(b, at);
	sbuf_add(b, ",\"func\":", 8);
	sbuf_add_json(b, e->func != NULL ? e->func : "?");
	free(at);
	if (e->errnum != 0) {
		const char *name = err_errname(e->errnum);

		sbuf_addf(b, ",\"errno\":%d", e->errnum);
		if (name != NULL) {
			sbuf_add(b, ",\"errname\":", 11);
			sbuf_add_json(b, name);
		}
		sbuf_add(b, ",\"strerror\":", 12);
		sbuf_add_json(b, strerror(e->errnum));
	}
	if (e->nfields > 0) {
		sbuf_add(b, ",\"fields\":{", 11);
		for (i = 0; i < e->nfields; i++) {
			if (i > 0)
				sbuf_add(b, ",", 1);
			sbuf_add_json(b, e->fields[i].key);
			sbuf_add(b, ":", 1);
			sbuf_add_json(b, e->fields[i].value);
		}
		sbuf_add(b, "}", 1);
	}
	sbuf_add(b, "}", 1);
}

/* The chain as a JSON array, outermost layer first. */
char *
err_json(const struct err *e)
{
	struct sbuf b = {0};

	sbuf_add(&b, "[", 1);
	for (; e != NULL; e = e->inner) {
		if (b.len > 1)
			sbuf_add(&b, ",", 1);
		err_json_layer(&b, e);
	}
	sbuf_add(&b, "]", 1);
	return sbuf_take(&b);
}

/* Free the whole chain, iteratively so a deep chain costs no stack. */
void
err_free(struct err *e)
{
	while (e != NULL) {
		struct err *inner = e->inner;
		size_t i;

		for (i = 0; i < e->nfields; i++) {
			free(e->fields[i].key);
			free(e->fields[i].value);
		}
		free(e->fields);
		free(e->msg);
		free(e);
		e = inner;
	}
}
