/*
 * Unit tests for json-read.c, stewardctl's JSON reading on jansson: the
 * documents stewardctl reads (members in document order, scalars), the
 * refusals it relies on (duplicate keys, RFC 8259's strictness, "\u0000",
 * trailing data), the depth and size bounds kept in front of jansson with
 * their exact messages and offsets, and json_read_int()'s integers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/err.h"
#include "cli/json-read.h"

/* cmocka hands every test a state pointer these tests do not use. */
#define UNUSED __attribute__((unused))

/* Parse n bytes that must be valid JSON. */
static json_t *
parse_n(const char *s, size_t n)
{
	struct err *e = NULL;
	json_t *j = json_read_doc(s, n, &e);

	if (j == NULL) {
		char *msg = err_str(e);

		fail_msg("json_read_doc(%s) failed: %s", s, msg);
	}
	assert_null(e);
	return j;
}

/* Parse a C string that must be valid JSON. */
static json_t *
parse(const char *s)
{
	return parse_n(s, strlen(s));
}

/*
 * Parse n bytes that must be refused: "invalid JSON at byte N: ..." with
 * the field offset=N inside the input; with what, exactly that message
 * at exactly that offset.
 */
static void
refuse_n(const char *s, size_t n, size_t offset, const char *what)
{
	struct err *e = NULL;
	json_t *j = json_read_doc(s, n, &e);
	char *got, *want, off[32];
	const char *o;

	assert_null(j);
	assert_non_null(e);
	got = err_str(e);
	assert_true(strncmp(got, "invalid JSON at byte ", 21) == 0);
	o = err_get(e, "offset");
	assert_non_null(o);
	assert_true(strtoull(o, NULL, 10) <= n);
	if (what != NULL) {
		want = xasprintf("invalid JSON at byte %zu: %s", offset, what);
		assert_string_equal(got, want);
		snprintf(off, sizeof(off), "%zu", offset);
		assert_string_equal(o, off);
		free(want);
	}
	free(got);
	err_free(e);
}

/* A C string that must be refused, whatever jansson says. */
static void
refuse(const char *s)
{
	refuse_n(s, strlen(s), 0, NULL);
}

/* Members come back in document order, keys and values intact. */
static void
test_object_members_in_order(UNUSED void **state)
{
	static const char *const keys[] = {"zeta", "alpha", "mid", "b", "a"};
	json_t *j = parse("{\"zeta\":1,\"alpha\":\"x\",\"mid\":[true,false,"
			  "null],\"b\":{},\"a\":2.5}");
	const char *key;
	json_t *m;
	size_t i = 0;

	json_object_foreach(j, key, m)
	{
		assert_true(i < 5);
		assert_string_equal(key, keys[i]);
		i++;
	}
	assert_int_equal(i, 5);
	assert_int_equal(json_array_size(json_object_get(j, "mid")), 3);
	assert_true(json_is_true(json_array_get(json_object_get(j, "mid"), 0)));
	assert_string_equal(json_string_value(json_object_get(j, "alpha")),
			    "x");
	json_decref(j);
}

/* Any value is a document, as stewardctl's callers check the type. */
static void
test_scalar_documents(UNUSED void **state)
{
	json_t *j;

	j = parse(" \"s\" ");
	assert_string_equal(json_string_value(j), "s");
	json_decref(j);
	j = parse("null");
	assert_true(json_is_null(j));
	json_decref(j);
	j = parse("-12");
	assert_true(json_is_integer(j));
	json_decref(j);
}

/* jansson's accessors chain over NULL and mistyped nodes. */
static void
test_accessors_chain(UNUSED void **state)
{
	json_t *j = parse("{\"a\":[1]}");
	int64_t i;

	assert_null(json_object_get(json_object_get(j, "nope"), "x"));
	assert_null(json_string_value(json_object_get(j, "a")));
	assert_int_equal(json_array_size(json_object_get(j, "nope")), 0);
	assert_null(json_array_get(json_object_get(j, "a"), 5));
	assert_int_equal(json_read_int(NULL, &i), -1);
	assert_int_equal(json_read_int(json_object_get(j, "a"), &i), -1);
	json_decref(j);
}

/* Escapes and raw UTF-8 decode to UTF-8; a pair to one code point. */
static void
test_strings(UNUSED void **state)
{
	json_t *j = parse("[\"a\\\"\\\\\\/\\b\\f\\n\\r\\tz\", \"\\u00e9\\u20ac"
			  "\\ud83d\\ude00\", \"\xc3\xa9\"]");

	assert_string_equal(json_string_value(json_array_get(j, 0)),
			    "a\"\\/\b\f\n\r\tz");
	assert_string_equal(json_string_value(json_array_get(j, 1)),
			    "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
	assert_string_equal(json_string_value(json_array_get(j, 2)),
			    "\xc3\xa9");
	json_decref(j);
}

/* Integers exact to int64's ends; integral reals are integers too. */
static void
test_numbers(UNUSED void **state)
{
	json_t *j = parse("[9007199254740993, -9223372036854775808, "
			  "9223372036854775807, 1e3, 2.0, -0, 4.5, 1e300]");
	int64_t i;

	assert_int_equal(json_read_int(json_array_get(j, 0), &i), 0);
	assert_true(i == INT64_C(9007199254740993));
	assert_int_equal(json_read_int(json_array_get(j, 1), &i), 0);
	assert_true(i == INT64_MIN);
	assert_int_equal(json_read_int(json_array_get(j, 2), &i), 0);
	assert_true(i == INT64_MAX);
	assert_int_equal(json_read_int(json_array_get(j, 3), &i), 0);
	assert_true(i == 1000);
	assert_int_equal(json_read_int(json_array_get(j, 4), &i), 0);
	assert_true(i == 2);
	assert_int_equal(json_read_int(json_array_get(j, 5), &i), 0);
	assert_true(i == 0);
	assert_int_equal(json_read_int(json_array_get(j, 6), &i), -1);
	assert_true(json_number_value(json_array_get(j, 6)) == 4.5);
	assert_int_equal(json_read_int(json_array_get(j, 7), &i), -1);
	json_decref(j);
}

/* What RFC 8259 refuses, refused, each with an offset in the input. */
static void
test_strictness(UNUSED void **state)
{
	static const char *const bad[] = {
	    "",
	    " ",
	    "[1,]",
	    "{\"a\":1,}",
	    "[1 2]",
	    "{\"a\" 1}",
	    "{a:1}",
	    "01",
	    "1.",
	    ".5",
	    "+1",
	    "1e",
	    "NaN",
	    "Infinity",
	    "tru",
	    "nul",
	    "[",
	    "{",
	    "\"abc",
	    "'a'",
	    "[1]/**/",
	    "//\n1",
	    "\"\\x\"",
	    "\"\\u12\"",
	    "\"a\tb\"",
	    "\"\\ud800\"",
	    "\"\\udc00x\"",
	    "1e400",
	    "99999999999999999999",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		refuse(bad[i]);
}

/* A key twice is refused, in a small object and a large one. */
static void
test_duplicate_keys(UNUSED void **state)
{
	struct sbuf b = {0};

	refuse("{\"a\":1,\"a\":2}");
	refuse("{\"x\":{\"k\":1,\"j\":2,\"k\":3}}");
	sbuf_add(&b, "{", 1);
	for (int i = 0; i < 100; i++)
		sbuf_addf(&b, "\"k%d\":%d,", i, i);
	sbuf_add(&b, "\"k57\":0}", 8);
	refuse(b.s);
	sbuf_free(&b);
}

/* Invalid UTF-8, raw or decoded, and NUL bytes are refused. */
static void
test_bytes(UNUSED void **state)
{
	refuse("\"\xc0\xaf\"");         /* overlong */
	refuse("\"\xed\xa0\x80\"");     /* encoded surrogate */
	refuse("\"\xf4\x90\x80\x80\""); /* past U+10FFFF */
	refuse("\"\x80\"");             /* lone continuation */
	refuse("\"\\u0000\"");          /* not without JSON_ALLOW_NUL */
	refuse_n("\"a\0b\"", 5, 2, "a NUL byte, which JSON never holds");
	refuse_n("1\0", 2, 1, "a NUL byte, which JSON never holds");
}

/* One document only: a second, or anything but whitespace, refused. */
static void
test_trailing_data(UNUSED void **state)
{
	json_t *j;

	refuse("{} x");
	refuse("{}}");
	refuse("1 2");
	refuse("{\"ok\":true}\n{\"ok\":true}\n");
	j = parse("{\"ok\":true} \n\t\r");
	json_decref(j);
}

/* Build n nested openers and closers of one kind. */
static char *
nest(int n, const char *open, const char *close)
{
	struct sbuf b = {0};

	for (int i = 0; i < n; i++)
		sbuf_add(&b, open, strlen(open));
	sbuf_add(&b, "1", 1);
	for (int i = 0; i < n; i++)
		sbuf_add(&b, close, strlen(close));
	return b.s;
}

/* JSON_READ_DEPTH_MAX levels are fine; one more is refused where it
 * opens; brackets in strings do not count. */
static void
test_depth_limit(UNUSED void **state)
{
	char what[64], *s;
	json_t *j;

	snprintf(what, sizeof(what),
		 "arrays and objects nested deeper than %d levels",
		 JSON_READ_DEPTH_MAX);
	s = nest(JSON_READ_DEPTH_MAX, "[", "]");
	j = parse(s);
	json_decref(j);
	free(s);
	s = nest(JSON_READ_DEPTH_MAX + 1, "[", "]");
	refuse_n(s, strlen(s), JSON_READ_DEPTH_MAX, what);
	free(s);
	s = nest(JSON_READ_DEPTH_MAX, "{\"a\":", "}");
	j = parse(s);
	json_decref(j);
	free(s);
	s = nest(JSON_READ_DEPTH_MAX + 1, "{\"a\":", "}");
	refuse_n(s, strlen(s), 5 * JSON_READ_DEPTH_MAX, what);
	free(s);
	/* Deeper than jansson's own 2048. */
	s = nest(100000, "[", "]");
	refuse_n(s, strlen(s), JSON_READ_DEPTH_MAX, what);
	free(s);
	/* Brackets and escaped quotes inside strings are text. */
	s = nest(JSON_READ_DEPTH_MAX, "[\"[[{\\\"[\",", "]");
	j = parse(s);
	json_decref(j);
	free(s);
}

/* A document over JSON_READ_SIZE_MAX is refused before it is read. */
static void
test_size_limit(UNUSED void **state)
{
	size_t n = (size_t)JSON_READ_SIZE_MAX + 1;
	char *s = xmalloc(n), what[96];
	json_t *j;

	memset(s, ' ', n);
	s[0] = '1';
	snprintf(what, sizeof(what),
		 "the document is %zu bytes, more than the %d allowed", n,
		 JSON_READ_SIZE_MAX);
	refuse_n(s, n, JSON_READ_SIZE_MAX, what);
	/* Exactly the limit is read. */
	j = parse_n(s, n - 1);
	assert_true(json_is_integer(j));
	json_decref(j);
	free(s);
}

/* Callers that want no error may pass NULL. */
static void
test_null_errp(UNUSED void **state)
{
	char *s = nest(JSON_READ_DEPTH_MAX + 1, "[", "]");

	assert_null(json_read_doc("[", 1, NULL));
	assert_null(json_read_doc(s, strlen(s), NULL));
	free(s);
}

/* sbuf_add_json(), the daemon's writer, is read back by the reader. */
static void
test_writer_round_trip(UNUSED void **state)
{
	static const char *const in[] = {
	    "plain", "quote \" and \\ back", "ctl \x01\x1f\x7f tab\t",
	    "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", ""};

	for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		struct sbuf b = {0};
		json_t *j;

		sbuf_add_json(&b, in[i]);
		j = parse_n(b.s, b.len);
		assert_string_equal(json_string_value(j), in[i]);
		json_decref(j);
		sbuf_free(&b);
	}
}

/* A daemon reply and an event log line, as stewardctl reads them. */
static void
test_real_documents(UNUSED void **state)
{
	const char *line =
	    "{\"ts\":\"2026-11-26T23:18:51.123Z\",\"level\":\"warn\","
	    "\"event\":\"backoff\",\"ward\":\"crasher\",\"replica\":0,"
	    "\"reason\":\"ward \\\"crasher:0\\\" ended: exited with code 3\","
	    "\"tokens\":4.5,\"log_id\":17,\"error\":[{\"msg\":\"ward "
	    "\\\"crasher:0\\\" "
	    "ended\",\"at\":\"supervisord/core/steward.c:195\","
	    "\"func\":\"steward_failure\"},{\"msg\":\"exited with code 3\","
	    "\"at\":\"supervisord/core/"
	    "steward.c:186\",\"func\":\"steward_failure\","
	    "\"fields\":{\"exit_code\":\"3\"}}]}";
	json_t *j = parse(line);
	const json_t *err = json_object_get(j, "error");
	int64_t id;

	assert_string_equal(json_string_value(json_object_get(j, "reason")),
			    "ward \"crasher:0\" ended: exited with code 3");
	assert_int_equal(json_read_int(json_object_get(j, "log_id"), &id), 0);
	assert_int_equal(id, 17);
	assert_true(json_number_value(json_object_get(j, "tokens")) == 4.5);
	assert_int_equal(json_array_size(err), 2);
	assert_string_equal(
	    json_string_value(json_object_get(
		json_object_get(json_array_get(err, 1), "fields"),
		"exit_code")),
	    "3");
	json_decref(j);
}

/* Run every json test. */
int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_object_members_in_order),
	    cmocka_unit_test(test_scalar_documents),
	    cmocka_unit_test(test_accessors_chain),
	    cmocka_unit_test(test_strings),
	    cmocka_unit_test(test_numbers),
	    cmocka_unit_test(test_strictness),
	    cmocka_unit_test(test_duplicate_keys),
	    cmocka_unit_test(test_bytes),
	    cmocka_unit_test(test_trailing_data),
	    cmocka_unit_test(test_depth_limit),
	    cmocka_unit_test(test_size_limit),
	    cmocka_unit_test(test_null_errp),
	    cmocka_unit_test(test_writer_round_trip),
	    cmocka_unit_test(test_real_documents),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
