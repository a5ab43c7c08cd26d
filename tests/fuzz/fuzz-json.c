/*
 * Fuzz json_parse(), stewardctl's reader of the daemon's replies and the
 * event log, and, on the same input, sbuf_add_json(), the daemon's only
 * JSON string writer: whatever one writes, the other must read.
 *
 * Properties of a parsed tree: every node starts at its offset with the
 * byte its type begins with; strings and keys are NUL-terminated valid
 * UTF-8 of their stated length; an object has no key twice and
 * json_get() finds each key; an integer's double is its value; nesting
 * stays within JSON_DEPTH_MAX.  The tree written back as JSON parses to
 * the same tree.  A refused document has an error whose offset lies in
 * the input and whose err_json() is itself valid JSON.  Finally the
 * input, cut at its first NUL and written by sbuf_add_json(), parses as
 * one string, equal to the input when the input is valid UTF-8.
 */
#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "err.h"
#include "fuzz.h"
#include "json.h"

/* The length of the valid UTF-8 sequence at s (Unicode table 3-7), or 0. */
static size_t
utf8_len(const unsigned char *s, size_t avail)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;
	if (s[0] == 0xe0)
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f;
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;
	if (avail < n || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

/* True when the n bytes at s are valid UTF-8. */
static bool
utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;

	for (size_t i = 0, k; i < n; i += k)
		if ((k = utf8_len(p + i, n - i)) == 0)
			return false;
	return true;
}

/* Check a decoded string or key: NUL-terminated valid UTF-8. */
static void
check_text(const char *s, size_t n, const char *what)
{
	FUZZ_CHECK(s != NULL && s[n] == '\0', "%s not terminated", what);
	FUZZ_CHECK(utf8_valid(s, n), "%s of %zu bytes is not UTF-8", what, n);
}

/* The byte a value of this type starts with, as a set of candidates. */
static const char *
first_bytes(enum json_type t)
{
	switch (t) {
	case JSON_NULL:
		return "n";
	case JSON_FALSE:
		return "f";
	case JSON_TRUE:
		return "t";
	case JSON_NUMBER:
		return "-0123456789";
	case JSON_STRING:
		return "\"";
	case JSON_ARRAY:
		return "[";
	case JSON_OBJECT:
		return "{";
	}
	return "";
}

/* Check a node and its children; depth is the node's nesting. */
static void
check_node(const struct json *j, const char *doc, size_t len, int depth)
{
	FUZZ_CHECK(j->offset < len, "offset %zu of %zu", j->offset, len);
	FUZZ_CHECK(doc[j->offset] != '\0' &&
		       strchr(first_bytes(j->type), doc[j->offset]) != NULL,
		   "type %d at byte %zu starts with 0x%02x", (int)j->type,
		   j->offset, (unsigned char)doc[j->offset]);
	switch (j->type) {
	case JSON_STRING:
		check_text(j->str, j->str_len, "string");
		FUZZ_CHECK(json_str(j) == j->str &&
			       json_str_len(j) == j->str_len,
			   "string accessors");
		break;
	case JSON_NUMBER:
		FUZZ_CHECK(isfinite(j->num), "number %g", j->num);
		if (j->is_int)
			FUZZ_CHECK((double)j->i == j->num, "int %lld vs %.17g",
				   (long long)j->i, j->num);
		break;
	case JSON_ARRAY:
	case JSON_OBJECT:
		FUZZ_CHECK(depth < JSON_DEPTH_MAX, "depth %d", depth);
		FUZZ_CHECK(json_len(j) == j->n, "json_len");
		for (size_t i = 0; i < j->n; i++) {
			const struct json *m = json_at(j, i);

			FUZZ_CHECK(m == &j->v[i], "json_at(%zu)", i);
			check_node(m, doc, len, depth + 1);
			if (j->type == JSON_ARRAY) {
				FUZZ_CHECK(m->key == NULL, "array item key");
				continue;
			}
			check_text(m->key, m->key_len, "key");
			for (size_t k = 0; k < i; k++)
				FUZZ_CHECK(j->v[k].key_len != m->key_len ||
					       memcmp(j->v[k].key, m->key,
						      m->key_len) != 0,
					   "key %zu repeats key %zu", i, k);
			if (strlen(m->key) == m->key_len)
				FUZZ_CHECK(json_get(j, m->key) == m,
					   "json_get misses key %zu", i);
		}
		break;
	case JSON_NULL:
	case JSON_FALSE:
	case JSON_TRUE:
		break;
	}
}

/* Write n bytes as a JSON string literal, escaping all but UTF-8 text. */
static void
write_string(struct sbuf *b, const char *s, size_t n)
{
	sbuf_add(b, "\"", 1);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == '"' || c == '\\')
			sbuf_addf(b, "\\u%04x", c);
		else
			sbuf_add(b, s + i, 1);
	}
	sbuf_add(b, "\"", 1);
}

/* Write a tree back as compact JSON. */
static void
write_node(struct sbuf *b, const struct json *j)
{
	switch (j->type) {
	case JSON_NULL:
		sbuf_add(b, "null", 4);
		break;
	case JSON_FALSE:
		sbuf_add(b, "false", 5);
		break;
	case JSON_TRUE:
		sbuf_add(b, "true", 4);
		break;
	case JSON_NUMBER:
		if (j->is_int)
			sbuf_addf(b, "%lld", (long long)j->i);
		else
			sbuf_addf(b, "%.17g", j->num);
		break;
	case JSON_STRING:
		write_string(b, j->str, j->str_len);
		break;
	case JSON_ARRAY:
	case JSON_OBJECT:
		sbuf_add(b, j->type == JSON_ARRAY ? "[" : "{", 1);
		for (size_t i = 0; i < j->n; i++) {
			if (i > 0)
				sbuf_add(b, ",", 1);
			if (j->type == JSON_OBJECT) {
				write_string(b, j->v[i].key, j->v[i].key_len);
				sbuf_add(b, ":", 1);
			}
			write_node(b, &j->v[i]);
		}
		sbuf_add(b, j->type == JSON_ARRAY ? "]" : "}", 1);
		break;
	}
}

/* True when two trees hold the same values (offsets aside). */
static bool
same_tree(const struct json *a, const struct json *b)
{
	if (a->type != b->type || a->n != b->n)
		return false;
	switch (a->type) {
	case JSON_STRING:
		return a->str_len == b->str_len &&
		       memcmp(a->str, b->str, a->str_len) == 0;
	case JSON_NUMBER:
		/* "1e-400" reads as 0, not an integer; written "0", it is. */
		return a->num == b->num &&
		       (!a->is_int || (b->is_int && a->i == b->i));
	case JSON_ARRAY:
	case JSON_OBJECT:
		for (size_t i = 0; i < a->n; i++) {
			const struct json *x = &a->v[i], *y = &b->v[i];

			if (a->type == JSON_OBJECT &&
			    (x->key_len != y->key_len ||
			     memcmp(x->key, y->key, x->key_len) != 0))
				return false;
			if (!same_tree(x, y))
				return false;
		}
		return true;
	case JSON_NULL:
	case JSON_FALSE:
	case JSON_TRUE:
		return true;
	}
	return false;
}

/* Write the tree back and read it again: the same tree. */
static void
check_round_trip(const struct json *j)
{
	struct sbuf b = {0};
	struct err *e = NULL;
	struct json *again;

	write_node(&b, j);
	again = json_parse(b.s, b.len, &e);
	FUZZ_CHECK(again != NULL, "written back as %.200s, refused", b.s);
	FUZZ_CHECK(same_tree(j, again), "written back as %.200s, differs", b.s);
	json_free(again);
	sbuf_free(&b);
}

/* A refusal: an offset inside the input, an error that is valid JSON. */
static void
check_error(struct err *e, size_t len)
{
	const char *off;
	char *ej;
	struct json *j;

	FUZZ_CHECK(e != NULL, "refused without an error");
	off = err_get(e, "offset");
	FUZZ_CHECK(off != NULL && strtoull(off, NULL, 10) <= len,
		   "offset %s of %zu", off != NULL ? off : "(none)", len);
	ej = err_json(e);
	j = json_parse(ej, strlen(ej), NULL);
	FUZZ_CHECK(j != NULL && json_type(j) == JSON_ARRAY,
		   "err_json is not a JSON array: %.200s", ej);
	json_free(j);
	free(ej);
}

/* The input as a C string through sbuf_add_json and back. */
static void
check_writer(const uint8_t *data, size_t size)
{
	size_t n = strnlen((const char *)data, size);
	char *s = malloc(n + 1);
	struct sbuf b = {0};
	struct json *j;

	if (s == NULL)
		return;
	memcpy(s, data, n);
	s[n] = '\0';
	sbuf_add_json(&b, s);
	j = json_parse(b.s, b.len, NULL);
	FUZZ_CHECK(j != NULL && json_type(j) == JSON_STRING,
		   "sbuf_add_json wrote %.200s", b.s);
	if (utf8_valid(s, n))
		FUZZ_CHECK(json_str_len(j) == n &&
			       memcmp(json_str(j), s, n) == 0,
			   "sbuf_add_json of %zu UTF-8 bytes reads back as %zu",
			   n, json_str_len(j));
	json_free(j);
	sbuf_free(&b);
	free(s);
}

/* One document in. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct err *e = NULL;
	struct json *j = json_parse((const char *)data, size, &e);

	if (j != NULL) {
		FUZZ_CHECK(e == NULL, "a tree and an error");
		check_node(j, (const char *)data, size, 0);
		check_round_trip(j);
		json_free(j);
	} else {
		check_error(e, size);
		err_free(e);
	}
	check_writer(data, size);
	return 0;
}
