/*
 * Unit tests for json.c: valid documents of every kind, string escapes
 * and surrogate pairs, numbers (integers, exponents, -0, int64 edges,
 * overflow), the depth and size limits, NUL bytes, and every kind of
 * error with its exact message and byte offset.  Every expectation is
 * exact, so a change in behaviour or wording fails a test.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "err.h"
#include "json.h"

/* cmocka hands every test a state pointer these tests do not use. */
#define UNUSED __attribute__((unused))

/* Parse n bytes that must be valid JSON. */
static struct json *
parse_n(const char *s, size_t n)
{
	struct err *e = NULL;
	struct json *j = json_parse(s, n, &e);

	if (j == NULL) {
		char *msg = err_str(e);

		fail_msg("json_parse(%s) failed: %s", s, msg);
	}
	assert_null(e);
	return j;
}

/* Parse a C string that must be valid JSON. */
static struct json *
parse(const char *s)
{
	return parse_n(s, strlen(s));
}

/*
 * Parse n bytes that must be refused, with exactly this message (after
 * "invalid JSON at byte N: ") at exactly this offset.
 */
static void
refuse_n(const char *s, size_t n, size_t offset, const char *what)
{
	struct err *e = NULL;
	struct json *j = json_parse(s, n, &e);
	char *want, *got, off[32];

	assert_null(j);
	assert_non_null(e);
	want = xasprintf("invalid JSON at byte %zu: %s", offset, what);
	got = err_str(e);
	assert_string_equal(got, want);
	snprintf(off, sizeof(off), "%zu", offset);
	assert_string_equal(err_get(e, "offset"), off);
	free(want);
	free(got);
	err_free(e);
}

/* The same for a C string. */
static void
refuse(const char *s, size_t offset, const char *what)
{
	refuse_n(s, strlen(s), offset, what);
}

static const char any_value[] =
    "a value (object, array, string, number, true, false or null)";

/* An object keeps its members in order, with every type of value. */
static void
test_object_members_in_order(UNUSED void **state)
{
	struct json *j =
	    parse("{\"ok\":true,\"n\":3,\"s\":\"x\",\"a\":[1,\"b\","
		  "null],\"o\":{},\"z\":null,\"f\":false}");
	const char *keys[] = {"ok", "n", "s", "a", "o", "z", "f"};
	const struct json *a;
	int64_t i;
	bool b;

	assert_int_equal(json_type(j), JSON_OBJECT);
	assert_int_equal(json_len(j), 7);
	for (size_t k = 0; k < 7; k++)
		assert_string_equal(json_at(j, k)->key, keys[k]);
	assert_int_equal(json_bool(json_get(j, "ok"), &b), 0);
	assert_true(b);
	assert_int_equal(json_int(json_get(j, "n"), &i), 0);
	assert_int_equal(i, 3);
	assert_string_equal(json_str(json_get(j, "s")), "x");
	a = json_get(j, "a");
	assert_int_equal(json_type(a), JSON_ARRAY);
	assert_int_equal(json_len(a), 3);
	assert_int_equal(json_int(json_at(a, 0), &i), 0);
	assert_int_equal(i, 1);
	assert_string_equal(json_str(json_at(a, 1)), "b");
	assert_true(json_is_null(json_at(a, 2)));
	assert_null(json_at(a, 3));
	assert_int_equal(json_type(json_get(j, "o")), JSON_OBJECT);
	assert_int_equal(json_len(json_get(j, "o")), 0);
	assert_true(json_is_null(json_get(j, "z")));
	assert_int_equal(json_bool(json_get(j, "f"), &b), 0);
	assert_false(b);
	assert_null(json_get(j, "missing"));
	assert_false(json_is_null(json_get(j, "missing")));
	json_free(j);
}

/* Any value may be the whole document, with whitespace around it. */
static void
test_scalar_documents(UNUSED void **state)
{
	struct json *j;
	bool b;

	j = parse(" \t\r\n\"text\" \n");
	assert_string_equal(json_str(j), "text");
	assert_int_equal(j->offset, 4);
	json_free(j);
	j = parse("null");
	assert_true(json_is_null(j));
	json_free(j);
	j = parse("true");
	assert_int_equal(json_bool(j, &b), 0);
	assert_true(b);
	json_free(j);
	j = parse("[ ]");
	assert_int_equal(json_type(j), JSON_ARRAY);
	assert_int_equal(json_len(j), 0);
	json_free(j);
	j = parse("[[[]], {\"a\" : {\"b\" : [ 1 , 2 ] } } ]");
	assert_int_equal(json_len(json_at(j, 0)), 1);
	assert_int_equal(json_len(json_get(json_get(json_at(j, 1), "a"), "b")),
			 2);
	json_free(j);
}

/* Accessors answer NULL or -1 for a missing or mistyped node. */
static void
test_accessors_on_wrong_types(UNUSED void **state)
{
	struct json *j = parse("{\"n\":1.5,\"s\":\"x\",\"a\":[1]}");
	double d;
	int64_t i;
	bool b;

	assert_null(json_str(json_get(j, "n")));
	assert_int_equal(json_str_len(json_get(j, "n")), 0);
	assert_int_equal(json_int(json_get(j, "n"), &i), -1);
	assert_int_equal(json_num(json_get(j, "n"), &d), 0);
	assert_true(d == 1.5);
	assert_int_equal(json_num(json_get(j, "s"), &d), -1);
	assert_int_equal(json_bool(json_get(j, "s"), &b), -1);
	assert_null(json_get(json_get(j, "a"), "x"));
	assert_null(json_get(json_get(j, "missing"), "x"));
	assert_int_equal(json_len(json_get(j, "s")), 0);
	assert_null(json_at(json_get(j, "s"), 0));
	assert_int_equal(json_type(NULL), JSON_NULL);
	assert_false(json_is_null(NULL));
	assert_null(json_str(NULL));
	assert_int_equal(json_int(NULL, &i), -1);
	json_free(j);
	json_free(NULL);
}

/* The two-character escapes decode to their bytes. */
static void
test_simple_escapes(UNUSED void **state)
{
	struct json *j = parse("\"q\\\" b\\\\ s\\/ \\b\\f\\n\\r\\t.\"");

	assert_string_equal(json_str(j), "q\" b\\ s/ \b\f\n\r\t.");
	assert_int_equal(json_str_len(j), 15);
	json_free(j);
}

/* \u escapes decode to UTF-8 of one to four bytes. */
static void
test_unicode_escapes(UNUSED void **state)
{
	struct json *j;

	j = parse("\"\\u0041\\u00e9\\u20AC\\u07FF\\uFFFF\"");
	assert_string_equal(json_str(j),
			    "A\xc3\xa9\xe2\x82\xac\xdf\xbf\xef\xbf\xbf");
	json_free(j);
	/* U+1F600 as a surrogate pair, upper and lower case hex. */
	j = parse(
	    "[\"\\uD83D\\uDE00\", \"\\ud83d\\ude00\", \"\\uDBFF\\uDFFF\"]");
	assert_string_equal(json_str(json_at(j, 0)), "\xf0\x9f\x98\x80");
	assert_string_equal(json_str(json_at(j, 1)), "\xf0\x9f\x98\x80");
	assert_string_equal(json_str(json_at(j, 2)), "\xf4\x8f\xbf\xbf");
	json_free(j);
}

/* \u0000 is a NUL inside the string; the length keeps it. */
static void
test_escaped_nul(UNUSED void **state)
{
	struct json *j = parse("{\"k\\u0000ey\":\"a\\u0000b\"}");
	const struct json *m = json_at(j, 0);

	assert_int_equal(m->key_len, 4);
	assert_memory_equal(m->key, "k\0ey", 5);
	assert_int_equal(json_str_len(m), 3);
	assert_memory_equal(json_str(m), "a\0b", 4);
	/* json_get() compares whole keys: "k" is not "k\0ey". */
	assert_null(json_get(j, "k"));
	json_free(j);
}

/* Valid raw UTF-8 passes through unchanged. */
static void
test_raw_utf8(UNUSED void **state)
{
	const char *s = "\"\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xed\x9f\xbf "
			"\xee\x80\x80 \xf4\x8f\xbf\xbf\"";
	struct json *j = parse(s);

	assert_int_equal(json_str_len(j), strlen(s) - 2);
	assert_memory_equal(json_str(j), s + 1, strlen(s) - 2);
	json_free(j);
}

/* Integers, fractions, exponents and their int64 views. */
static void
test_numbers(UNUSED void **state)
{
	struct json *j = parse("[0, -0, 123, -45, 1.5, 1e3, 2.0, 1E2, -1.25e2,"
			       " 1e-2, 0.5e1, 1e300, 1e-400]");
	const struct json *v;
	int64_t i;
	double d;

	assert_int_equal(json_int(json_at(j, 0), &i), 0);
	assert_int_equal(i, 0);
	/* -0 is the integer 0 but keeps its sign as a double. */
	v = json_at(j, 1);
	assert_int_equal(json_int(v, &i), 0);
	assert_int_equal(i, 0);
	assert_int_equal(json_num(v, &d), 0);
	assert_true(d == 0.0 && signbit(d));
	assert_int_equal(json_int(json_at(j, 2), &i), 0);
	assert_int_equal(i, 123);
	assert_int_equal(json_int(json_at(j, 3), &i), 0);
	assert_int_equal(i, -45);
	assert_int_equal(json_int(json_at(j, 4), &i), -1);
	assert_int_equal(json_num(json_at(j, 4), &d), 0);
	assert_true(d == 1.5);
	assert_int_equal(json_int(json_at(j, 5), &i), 0);
	assert_int_equal(i, 1000);
	assert_int_equal(json_int(json_at(j, 6), &i), 0);
	assert_int_equal(i, 2);
	assert_int_equal(json_int(json_at(j, 7), &i), 0);
	assert_int_equal(i, 100);
	assert_int_equal(json_int(json_at(j, 8), &i), 0);
	assert_int_equal(i, -125);
	assert_int_equal(json_int(json_at(j, 9), &i), -1);
	assert_int_equal(json_num(json_at(j, 9), &d), 0);
	assert_true(d == 0.01);
	assert_int_equal(json_int(json_at(j, 10), &i), 0);
	assert_int_equal(i, 5);
	/* Integral, but past 2^53: only a double. */
	assert_int_equal(json_int(json_at(j, 11), &i), -1);
	assert_int_equal(json_num(json_at(j, 11), &d), 0);
	assert_true(d == 1e300);
	/* Underflow is 0, and not claimed to be an integer. */
	assert_int_equal(json_int(json_at(j, 12), &i), -1);
	assert_int_equal(json_num(json_at(j, 12), &d), 0);
	assert_true(d == 0.0);
	json_free(j);
}

/* Integer literals are exact to the int64 limits, doubles beyond. */
static void
test_int64_edges(UNUSED void **state)
{
	struct json *j = parse("[9223372036854775807, -9223372036854775808, "
			       "9223372036854775808, 9007199254740993, "
			       "-99999999999999999999]");
	int64_t i;
	double d;

	assert_int_equal(json_int(json_at(j, 0), &i), 0);
	assert_true(i == INT64_MAX);
	assert_int_equal(json_int(json_at(j, 1), &i), 0);
	assert_true(i == INT64_MIN);
	assert_int_equal(json_int(json_at(j, 2), &i), -1);
	assert_int_equal(json_num(json_at(j, 2), &d), 0);
	assert_true(d == 9223372036854775808.0);
	/* 2^53 + 1: a double cannot hold it, the int64 view can. */
	assert_int_equal(json_int(json_at(j, 3), &i), 0);
	assert_true(i == 9007199254740993LL);
	assert_int_equal(json_num(json_at(j, 3), &d), 0);
	assert_true(d == 9007199254740992.0);
	assert_int_equal(json_int(json_at(j, 4), &i), -1);
	assert_int_equal(json_num(json_at(j, 4), &d), 0);
	assert_true(d == -1e20);
	json_free(j);
}

/* Numbers RFC 8259 does not allow, and one too large for a double. */
static void
test_bad_numbers(UNUSED void **state)
{
	refuse("01", 1, "a number cannot have a leading zero");
	refuse("[-00]", 3, "a number cannot have a leading zero");
	refuse("-", 1,
	       "expected a digit in the number, found the end of the "
	       "input");
	refuse("-x", 1, "expected a digit in the number, found 'x'");
	refuse("1.", 2,
	       "expected a digit after the '.', found the end of the "
	       "input");
	refuse("1.e5", 2, "expected a digit after the '.', found 'e'");
	refuse("1e", 2,
	       "expected a digit in the exponent, found the end of "
	       "the input");
	refuse("[1e+]", 4, "expected a digit in the exponent, found ']'");
	refuse(".5", 0,
	       "expected a value (object, array, string, number, true, "
	       "false or null), found '.'");
	refuse("+1", 0,
	       "expected a value (object, array, string, number, true, "
	       "false or null), found '+'");
	refuse("[1, 1e400]", 4, "the number is too large for a double");
	refuse("-1e400", 0, "the number is too large for a double");
	refuse("0x10", 1,
	       "expected the end of the document after the value, "
	       "found 'x'");
	refuse("Infinity", 0,
	       "expected a value (object, array, string, "
	       "number, true, false or null), found 'I'");
	refuse("NaN", 0,
	       "expected a value (object, array, string, number, "
	       "true, false or null), found 'N'");
}

/* Structural errors name what was expected and where. */
static void
test_structure_errors(UNUSED void **state)
{
	char what[128];

	snprintf(what, sizeof(what), "expected %s, found the end of the input",
		 any_value);
	refuse("", 0, what);
	refuse(" \n ", 3, what);
	refuse("[1,", 3, what);
	refuse("{\"a\" 1}", 5, "expected ':' after an object key, found '1'");
	refuse("{\"a\":1,}", 7, "expected '\"' to start a key, found '}'");
	refuse("{,}", 1, "expected '\"' to start a key or '}', found ','");
	refuse("{a:1}", 1, "expected '\"' to start a key or '}', found 'a'");
	refuse("{\"a\":1 \"b\":2}", 7,
	       "expected ',' or '}' after an object member, found '\"'");
	refuse("{\"a\":1", 6,
	       "expected ',' or '}' after an object member, found the end of "
	       "the input");
	snprintf(what, sizeof(what), "expected %s, found ']'", any_value);
	refuse("[1,]", 3, what);
	refuse("[1 2]", 3,
	       "expected ',' or ']' after an array item, found '2'");
	refuse("[1}", 2, "expected ',' or ']' after an array item, found '}'");
	refuse("tru", 3,
	       "expected the literal true, found the end of the "
	       "input");
	refuse("nul1", 3, "expected the literal null, found '1'");
	refuse("[fals]", 5, "expected the literal false, found ']'");
	refuse("True", 0,
	       "expected a value (object, array, string, number, "
	       "true, false or null), found 'T'");
	refuse("/* c */ 1", 0,
	       "expected a value (object, array, string, "
	       "number, true, false or null), found '/'");
	refuse("{\"a\":1,\"a\":2}", 7,
	       "duplicate key \"a\" in an object (first at byte 1)");
	refuse("{\"x\":{},\"y\":[{\"b\":1,\"c\":2,\"b\":3}]}", 26,
	       "duplicate key \"b\" in an object (first at byte 14)");
}

/* A large object is checked for duplicates too (the sorting path). */
static void
test_duplicate_in_large_object(UNUSED void **state)
{
	struct sbuf b = {0};
	size_t dup_at = 0, first_at = 0;
	char what[96];
	struct json *j;

	sbuf_add(&b, "{", 1);
	for (int i = 0; i < 40; i++) {
		if (i > 0)
			sbuf_add(&b, ",", 1);
		if (i == 30)
			dup_at = b.len;
		if (i == 7)
			first_at = b.len;
		/* Member 30 repeats member 7's key, and 35 repeats 3's. */
		sbuf_addf(&b, "\"k%d\":%d", i == 30 ? 7 : i == 35 ? 3 : i, i);
	}
	sbuf_add(&b, "}", 1);
	snprintf(what, sizeof(what),
		 "duplicate key \"k7\" in an object (first at byte %zu)",
		 first_at);
	refuse_n(b.s, b.len, dup_at, what);

	/* The same object without duplicates is fine, order kept. */
	b.len = 0;
	sbuf_add(&b, "{", 1);
	for (int i = 0; i < 40; i++)
		sbuf_addf(&b, "%s\"k%d\":%d", i > 0 ? "," : "", 39 - i, i);
	sbuf_add(&b, "}", 1);
	j = parse_n(b.s, b.len);
	assert_int_equal(json_len(j), 40);
	assert_string_equal(json_at(j, 0)->key, "k39");
	assert_non_null(json_get(j, "k0"));
	json_free(j);
	sbuf_free(&b);
}

/* String errors: unterminated, control bytes, bad escapes. */
static void
test_string_errors(UNUSED void **state)
{
	refuse("\"abc", 4, "unterminated string (it starts at byte 0)");
	refuse("[\"a\\\"]", 6, "unterminated string (it starts at byte 1)");
	refuse("\"a\\x\"", 2,
	       "invalid escape \\x in a string (JSON has \\\" \\\\ \\/ \\b \\f "
	       "\\n "
	       "\\r \\t and \\uXXXX)");
	refuse(
	    "\"a\\\x01\"", 2,
	    "invalid escape \\ and byte 0x01 in a string (JSON has \\\" \\\\ "
	    "\\/ \\b \\f \\n \\r \\t and \\uXXXX)");
	refuse("\"a\nb\"", 2,
	       "control byte 0x0a in a string; write it as \\u000a");
	refuse("\"\t\"", 1,
	       "control byte 0x09 in a string; write it as "
	       "\\u0009");
	refuse("\"\\u12G4\"", 5, "expected 4 hex digits after \\u, found 'G'");
	refuse("\"\\u12\"", 5, "expected 4 hex digits after \\u, found '\"'");
}

/* Surrogates must come as a high and a low escape, in that order. */
static void
test_surrogate_errors(UNUSED void **state)
{
	const char *high = "unpaired surrogate \\uD800 (a high surrogate must "
			   "be followed by a low one \\uDC00-\\uDFFF)";

	refuse("\"\\uD800\"", 1, high);
	refuse("\"x\\uD800\\u0041\"", 2, high);
	refuse("\"\\uD800\\uD800\"", 1, high);
	refuse("\"\\uD800\\n\"", 1, high);
	refuse("\"\\uDC00\\uD800\"", 1,
	       "unpaired surrogate \\uDC00 (a low surrogate must follow a high "
	       "one \\uD800-\\uDBFF)");
	refuse("\"\\uDFFF\"", 1,
	       "unpaired surrogate \\uDFFF (a low surrogate must follow a high "
	       "one \\uD800-\\uDBFF)");
	refuse("\"\\uD800\\uZZZZ\"", 9,
	       "expected 4 hex digits after \\u, found 'Z'");
}

/* Raw bytes that are not UTF-8 are refused where they start. */
static void
test_invalid_utf8(UNUSED void **state)
{
	refuse("\"\xff\"", 1, "invalid UTF-8 byte 0xff in a string");
	refuse("\"ab\x80\"", 3, "invalid UTF-8 byte 0x80 in a string");
	/* Overlong forms of '/' and of U+0000. */
	refuse("\"\xc0\xaf\"", 1, "invalid UTF-8 byte 0xc0 in a string");
	refuse("\"\xe0\x80\xaf\"", 1, "invalid UTF-8 byte 0xe0 in a string");
	/* A surrogate encoded directly (CESU-8). */
	refuse("\"\xed\xa0\x80\"", 1, "invalid UTF-8 byte 0xed in a string");
	/* Past U+10FFFF. */
	refuse("\"\xf4\x90\x80\x80\"", 1,
	       "invalid UTF-8 byte 0xf4 in a string");
	/* Truncated by the closing quote, and by the end of a key. */
	refuse("\"\xe2\x82\"", 1, "invalid UTF-8 byte 0xe2 in a string");
	refuse("{\"\xf0\x9f\x98\":1}", 2,
	       "invalid UTF-8 byte 0xf0 in a string");
	refuse(
	    "\xef\xbb\xbf{}", 0,
	    "expected a value (object, array, string, number, true, false or "
	    "null), found byte 0xef");
}

/* NUL bytes are data, not the end of the input. */
static void
test_nul_bytes(UNUSED void **state)
{
	refuse_n("\"a\0b\"", 5, 2,
		 "control byte 0x00 in a string; write it as \\u0000");
	refuse_n("1\0", 2, 1,
		 "expected the end of the document after the value, found byte "
		 "0x00");
	refuse_n(
	    "[\0]", 3, 1,
	    "expected a value (object, array, string, number, true, false or "
	    "null), found byte 0x00");
	refuse_n(
	    "\0", 1, 0,
	    "expected a value (object, array, string, number, true, false or "
	    "null), found byte 0x00");
}

/* Anything but whitespace after the value is refused. */
static void
test_trailing_garbage(UNUSED void **state)
{
	refuse("{} x", 3,
	       "expected the end of the document after the value, "
	       "found 'x'");
	refuse("{}}", 2,
	       "expected the end of the document after the value, "
	       "found '}'");
	refuse("1 2", 2,
	       "expected the end of the document after the value, "
	       "found '2'");
	refuse("{\"ok\":true}\n{\"ok\":true}\n", 12,
	       "expected the end of the document after the value, found '{'");
	refuse("\"a\"\v", 3,
	       "expected the end of the document after the value, "
	       "found byte 0x0b");
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

/* JSON_DEPTH_MAX levels are fine; one more is refused where it opens. */
static void
test_depth_limit(UNUSED void **state)
{
	char what[64], *s;
	struct json *j;

	snprintf(what, sizeof(what),
		 "arrays and objects nested deeper than %d levels",
		 JSON_DEPTH_MAX);
	s = nest(JSON_DEPTH_MAX, "[", "]");
	j = parse(s);
	json_free(j);
	free(s);
	s = nest(JSON_DEPTH_MAX + 1, "[", "]");
	refuse(s, JSON_DEPTH_MAX, what);
	free(s);
	s = nest(JSON_DEPTH_MAX, "{\"a\":", "}");
	j = parse(s);
	json_free(j);
	free(s);
	s = nest(JSON_DEPTH_MAX + 1, "{\"a\":", "}");
	refuse(s, 5 * JSON_DEPTH_MAX, what);
	free(s);
	/* Deep enough to crash an unbounded parser. */
	s = nest(100000, "[", "]");
	refuse(s, JSON_DEPTH_MAX, what);
	free(s);
}

/* A document over JSON_SIZE_MAX is refused before it is read. */
static void
test_size_limit(UNUSED void **state)
{
	size_t n = (size_t)JSON_SIZE_MAX + 1;
	char *s = xmalloc(n), what[96];
	struct json *j;

	memset(s, ' ', n);
	s[0] = '1';
	snprintf(what, sizeof(what),
		 "the document is %zu bytes, more than the %d allowed", n,
		 JSON_SIZE_MAX);
	refuse_n(s, n, JSON_SIZE_MAX, what);
	/* Exactly the limit is read. */
	j = parse_n(s, n - 1);
	assert_int_equal(json_type(j), JSON_NUMBER);
	json_free(j);
	free(s);
}

/* Callers that want no error may pass NULL. */
static void
test_null_errp(UNUSED void **state)
{
	assert_null(json_parse("[", 1, NULL));
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
	    "\\\"crasher:0\\\" ended\",\"at\":\"supervisord/steward.c:195\","
	    "\"func\":\"steward_failure\"},{\"msg\":\"exited with code 3\","
	    "\"at\":\"supervisord/steward.c:186\",\"func\":\"steward_failure\","
	    "\"fields\":{\"exit_code\":\"3\"}}]}";
	struct json *j = parse(line);
	const struct json *err = json_get(j, "error");
	int64_t id;
	double t;

	assert_string_equal(json_str(json_get(j, "reason")),
			    "ward \"crasher:0\" ended: exited with code 3");
	assert_int_equal(json_int(json_get(j, "log_id"), &id), 0);
	assert_int_equal(id, 17);
	assert_int_equal(json_num(json_get(j, "tokens"), &t), 0);
	assert_true(t == 4.5);
	assert_int_equal(json_len(err), 2);
	assert_string_equal(
	    json_str(
		json_get(json_get(json_at(err, 1), "fields"), "exit_code")),
	    "3");
	json_free(j);
}

/* Run every json test. */
int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_object_members_in_order),
	    cmocka_unit_test(test_scalar_documents),
	    cmocka_unit_test(test_accessors_on_wrong_types),
	    cmocka_unit_test(test_simple_escapes),
	    cmocka_unit_test(test_unicode_escapes),
	    cmocka_unit_test(test_escaped_nul),
	    cmocka_unit_test(test_raw_utf8),
	    cmocka_unit_test(test_numbers),
	    cmocka_unit_test(test_int64_edges),
	    cmocka_unit_test(test_bad_numbers),
	    cmocka_unit_test(test_structure_errors),
	    cmocka_unit_test(test_duplicate_in_large_object),
	    cmocka_unit_test(test_string_errors),
	    cmocka_unit_test(test_surrogate_errors),
	    cmocka_unit_test(test_invalid_utf8),
	    cmocka_unit_test(test_nul_bytes),
	    cmocka_unit_test(test_trailing_garbage),
	    cmocka_unit_test(test_depth_limit),
	    cmocka_unit_test(test_size_limit),
	    cmocka_unit_test(test_null_errp),
	    cmocka_unit_test(test_real_documents),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
