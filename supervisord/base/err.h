/*
 * Wrapped, structured errors.
 *
 * An error is a chain of layers, innermost last.  Each layer keeps its
 * message (what went wrong, or what this layer was doing), the site that
 * made it (file, line, function: the chain is the error's own stack of
 * wrap sites), an errno when a system call failed, and key/value fields
 * (ward, path, stage, ...).  A fallible function returns -1 or NULL and
 * fills a struct err ** out-parameter; its caller wraps with what it was
 * doing:
 *
 *	if (spawn(w, &e) == -1)
 *		*errp = ERR_WRAP(e, "cannot start ward \"%s\"", w->name);
 *
 * One grammar.  The outermost layer for people, and a line logged on
 * its own (log_warnx()), reads "cannot VERB OBJECT: CAUSE", with what
 * happens next in parentheses: "cannot remove /run/s.sock: Permission
 * denied", "cannot signal ward \"web\": sending TERM to process group
 * 412: Operation not permitted".  An inner layer says what it was doing
 * when it failed ("executing /usr/bin/web", "sending TERM to ..."), not
 * a system call's name; errno's text comes last.
 *
 * A layer marked for people (err_for_people(), or ERR_WRAP_P) says the
 * error is a well-crafted message: err_person_message() shows the chain
 * from the outermost such layer down.  An error that no layer marked is
 * shown as "an unexpected issue; please report it as a bug".  The full
 * chain goes to the event log under a log id (see evlog.h).
 *
 * Allocation failure is fatal (xmalloc): an error path never fails.
 */
#ifndef STEWARD_ERR_H
#define STEWARD_ERR_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

struct err_field {
	char *key;
	char *value;
};

struct err {
	struct err *inner; /* the error this one wraps, or NULL */
	char *msg;         /* this layer's message, never NULL */
	const char *file;  /* wrap site, "supervisord/core/steward.c" wherever
			    * the build directory is (meson.build's macro
			    * prefix maps) */
	int line;
	const char *func;
	int errnum;      /* errno of a failed system call, or 0 */
	bool for_people; /* a layer wrapped it for people */
	struct err_field *fields;
	size_t nfields;
};

/* A new innermost error; errnum may be 0. */
struct err *err_new(const char *file, int line, const char *func, int errnum,
		    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* A new layer around inner (which may be NULL); takes ownership. */
struct err *err_wrap(struct err *inner, const char *file, int line,
		     const char *func, bool for_people, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

#define ERR_NEW(...) err_new(__FILE__, __LINE__, __func__, 0, __VA_ARGS__)
/* A leaf for a failed system call: takes errno. */
#define ERR_SYS(...) err_new(__FILE__, __LINE__, __func__, errno, __VA_ARGS__)
#define ERR_ERRNO(e, ...) err_new(__FILE__, __LINE__, __func__, e, __VA_ARGS__)
#define ERR_WRAP(inner, ...)                                                   \
	err_wrap(inner, __FILE__, __LINE__, __func__, false, __VA_ARGS__)
/* Wrap and mark the layer as written for people. */
#define ERR_WRAP_P(inner, ...)                                                 \
	err_wrap(inner, __FILE__, __LINE__, __func__, true, __VA_ARGS__)

/* Add (or replace) a field on this layer; returns e for chaining. */
struct err *err_set(struct err *e, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Mark this layer as written for people; returns e. */
struct err *err_for_people(struct err *e);

/* The innermost layer. */
const struct err *err_root(const struct err *e);

/* The first errnum found from the outside in, or 0. */
int err_errno(const struct err *e);

/* An errno's symbolic name ("ENOENT"), or NULL when it is unknown. */
const char *err_errname(int errnum);

/* A field's value looked up through the whole chain, outermost first. */
const char *err_get(const struct err *e, const char *key);

/*
 * The chain as one line: messages joined by ": ", the innermost errno's
 * strerror last, e.g. "cannot start ward "web": executing /bin/x: No such
 * file or directory".  Malloc'd.
 */
char *err_str(const struct err *e);

/*
 * What a person sees: err_str() from the outermost layer marked for
 * people, or "an unexpected issue; please report it as a bug" when none
 * is.  Malloc'd.
 */
char *err_person_message(const struct err *e);

/*
 * The chain as a JSON array, outermost first, one object a layer:
 * {"msg":..., "at":"file:line", "func":..., "errno":N, "strerror":...,
 * "fields":{...}}.  Malloc'd.
 */
char *err_json(const struct err *e);

void err_free(struct err *e);

/*
 * Small shared helpers: allocation that cannot fail (fatal on OOM),
 * printf into a new string, and JSON string escaping.
 */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap)
    __attribute__((format(printf, 1, 0)));

/* A growable string buffer. */
struct sbuf {
	char *s;
	size_t len;
	size_t cap;
};
void sbuf_addf(struct sbuf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void sbuf_add(struct sbuf *b, const char *s, size_t n);
/* Append n bytes for the caller to write: where they start (valid until
 * the next append). */
char *sbuf_extend(struct sbuf *b, size_t n);
/* Append s as a JSON string literal, quotes included; invalid UTF-8 and
 * control bytes are escaped (\u00XX) so the output is always valid JSON. */
void sbuf_add_json(struct sbuf *b, const char *s);
/* The same for len bytes of any value (NUL, binary) at s. */
void sbuf_add_json_len(struct sbuf *b, const char *s, size_t len);
void sbuf_free(struct sbuf *b);

#endif
