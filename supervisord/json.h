/*
 * A small, strict JSON reader (RFC 8259) for stewardctl: the daemon's
 * replies and the event log's lines.
 *
 * json_parse() reads one complete document into a tree and refuses
 * anything RFC 8259 does not allow: no comments, no trailing commas, no
 * leading zeros, no raw control bytes in strings, no invalid UTF-8 (no
 * overlong forms, no encoded surrogates, nothing past U+10FFFF), no
 * unpaired \uD800-\uDFFF escapes, no duplicate keys in an object, no
 * data after the value but whitespace.  A document nested deeper than
 * JSON_DEPTH_MAX or longer than JSON_SIZE_MAX is refused too, so a
 * hostile input costs bounded stack and memory.  An error says the byte
 * offset (also in the field "offset") and what was expected there.
 *
 * Objects keep their members in document order.  Strings are decoded to
 * UTF-8 and NUL-terminated; one that contains \u0000 keeps its true
 * length in json_str_len().  Numbers are doubles, and also int64 when
 * the value is an integer that int64 holds exactly: a literal without
 * fraction or exponent that fits (9007199254740993 stays exact), or a
 * double with no fractional part within +-2^53 ("1e3", "2.0", "-0").  A
 * number too large for a double ("1e400") is an error; one too small
 * ("1e-400") becomes 0, not an integer.  The accessors never crash on a
 * NULL or mistyped node: they answer NULL or -1, so a caller can chain
 * json_get() freely.
 *
 * Numbers are converted with strtod(): the caller keeps LC_NUMERIC "C"
 * (stewardctl never calls setlocale()).
 */
#ifndef STEWARD_JSON_H
#define STEWARD_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define JSON_DEPTH_MAX 64
#define JSON_SIZE_MAX (16 * 1024 * 1024)

enum json_type {
	JSON_NULL,
	JSON_FALSE,
	JSON_TRUE,
	JSON_NUMBER,
	JSON_STRING,
	JSON_ARRAY,
	JSON_OBJECT,
};

struct json {
	enum json_type type;
	size_t offset; /* where the value starts in the document */
	char *key;     /* the member's name, when in an object */
	size_t key_len;
	char *str; /* JSON_STRING: decoded, NUL-terminated */
	size_t str_len;
	double num; /* JSON_NUMBER */
	bool is_int;
	int64_t i;
	struct json *v; /* JSON_ARRAY, JSON_OBJECT: items, in order */
	size_t n;
};

/*
 * Parse exactly one JSON document of len bytes (NUL bytes included: the
 * input need not be a C string).  Returns the tree, or NULL with *errp
 * set, e.g. "invalid JSON at byte 7: expected ':' after an object key,
 * found ','" with fields offset=7.
 */
struct json *json_parse(const char *s, size_t len, struct err **errp);

void json_free(struct json *j);

/* The member named key of an object (NULL if j is not an object). */
const struct json *json_get(const struct json *j, const char *key);

/* Items of an array or members of an object: count and i-th. */
size_t json_len(const struct json *j);
const struct json *json_at(const struct json *j, size_t i);

/* The type, or JSON_NULL for a NULL node. */
enum json_type json_type(const struct json *j);

/* A string's text, or NULL when j is not a string. */
const char *json_str(const struct json *j);
/* A string's length in bytes (with any \u0000), or 0. */
size_t json_str_len(const struct json *j);

/* 0 and *out for a number, -1 otherwise. */
int json_num(const struct json *j, double *out);
/* 0 and *out for a number that is an exact int64, -1 otherwise. */
int json_int(const struct json *j, int64_t *out);
/* 0 and *out for true or false, -1 otherwise. */
int json_bool(const struct json *j, bool *out);
/* Whether j is the literal null (a missing member is not). */
bool json_is_null(const struct json *j);

#endif
