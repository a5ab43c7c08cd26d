/*
 * Fuzz json_read_doc(), stewardctl's JSON reading on jansson (the
 * daemon's replies and the event log), and, on the same input,
 * sbuf_add_json(), the daemon's only JSON string writer: whatever one
 * writes, the other must read.
 *
 * Properties of a read tree: strings and keys are valid UTF-8 with no
 * NUL inside (jansson's length equals strlen); an object has no key
 * twice and json_object_get() finds each key; nesting stays within
 * JSON_READ_DEPTH_MAX; an input with a NUL byte is never read.  The tree
 * written back by jansson reads to an equal tree.  A refused document
 * has an error whose offset lies in the input and whose err_json() is
 * itself read as a JSON array.  Finally the input, cut at its first NUL
 * and written by sbuf_add_json(), reads as one string, equal to the
 * input when the input is valid UTF-8.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "fuzz.h"
#include "cli/json-read.h"

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

/* Check a string or key: valid UTF-8, no NUL inside. */
static void
check_text(const char *s, size_t n, const char *what)
{
	FUZZ_CHECK(s != NULL && strlen(s) == n, "%s holds a NUL", what);
	FUZZ_CHECK(utf8_valid(s, n), "%s of %zu bytes is not UTF-8", what, n);
}

/* Check a node and its children; depth is the node's nesting. */
static void
check_node(json_t *j, int depth)
{
	const char *key, *prev = NULL;
	size_t i, n = 0;
	json_t *m;

	switch (json_typeof(j)) {
	case JSON_STRING:
		check_text(json_string_value(j), json_string_length(j),
			   "string");
		break;
	case JSON_ARRAY:
		FUZZ_CHECK(depth < JSON_READ_DEPTH_MAX, "depth %d", depth);
		json_array_foreach(j, i, m)
		{
			check_node(m, depth + 1);
		}
		break;
	case JSON_OBJECT:
		FUZZ_CHECK(depth < JSON_READ_DEPTH_MAX, "depth %d", depth);
		json_object_foreach(j, key, m)
		{
			check_text(key, strlen(key), "key");
			FUZZ_CHECK(json_object_get(j, key) == m,
				   "json_object_get misses key %s", key);
			FUZZ_CHECK(prev == NULL || strcmp(prev, key) != 0,
				   "key %s twice", key);
			prev = key;
			n++;
			check_node(m, depth + 1);
		}
		FUZZ_CHECK(n == json_object_size(j), "%zu members of %zu", n,
			   json_object_size(j));
		break;
	default:
		break;
	}
}

/* Write the tree back and read it again: an equal tree. */
static void
check_round_trip(json_t *j)
{
	char *s = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
	struct err *e = NULL;
	json_t *again;

	if (s == NULL)
		return; /* out of memory */
	again = json_read_doc(s, strlen(s), &e);
	FUZZ_CHECK(again != NULL, "written back as %.200s, refused", s);
	FUZZ_CHECK(json_equal(j, again), "written back as %.200s, differs", s);
	json_decref(again);
	free(s);
}

/* A refusal: an offset inside the input, an error that is valid JSON. */
static void
check_error(struct err *e, size_t len)
{
	const char *off;
	char *ej;
	json_t *j;

	FUZZ_CHECK(e != NULL, "refused without an error");
	off = err_get(e, "offset");
	FUZZ_CHECK(off != NULL && strtoull(off, NULL, 10) <= len,
		   "offset %s of %zu", off != NULL ? off : "(none)", len);
	ej = err_json(e);
	j = json_read_doc(ej, strlen(ej), NULL);
	FUZZ_CHECK(json_is_array(j), "err_json is not a JSON array: %.200s",
		   ej);
	json_decref(j);
	free(ej);
}

/* The input as a C string through sbuf_add_json and back. */
static void
check_writer(const uint8_t *data, size_t size)
{
	size_t n = strnlen((const char *)data, size);
	char *s = malloc(n + 1);
	struct sbuf b = {0};
	json_t *j;

	if (s == NULL)
		return;
	memcpy(s, data, n);
	s[n] = '\0';
	sbuf_add_json(&b, s);
	j = json_read_doc(b.s, b.len, NULL);
	FUZZ_CHECK(json_is_string(j), "sbuf_add_json wrote %.200s", b.s);
	if (utf8_valid(s, n))
		FUZZ_CHECK(json_string_length(j) == n &&
			       memcmp(json_string_value(j), s, n) == 0,
			   "sbuf_add_json of %zu UTF-8 bytes reads back as %zu",
			   n, json_string_length(j));
	json_decref(j);
	sbuf_free(&b);
	free(s);
}

/* One document in. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct err *e = NULL;
	json_t *j = json_read_doc((const char *)data, size, &e);

	if (j != NULL) {
		FUZZ_CHECK(e == NULL, "a tree and an error");
		FUZZ_CHECK(memchr(data, '\0', size) == NULL,
			   "read an input with a NUL byte");
		check_node(j, 0);
		check_round_trip(j);
		json_decref(j);
	} else {
		check_error(e, size);
		err_free(e);
	}
	check_writer(data, size);
	return 0;
}
