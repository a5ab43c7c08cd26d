/*
 * Unit tests for escape.c: what a person is shown of a ward's text.
 * Every expectation is an exact string.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/escape.h"

/* cmocka hands every test a state pointer these tests do not use. */
#define UNUSED __attribute__((unused))

/* Escape len bytes of in and compare with want; check clean agrees. */
static void
check(const char *in, size_t len, const char *want)
{
	char *out = malloc(ESCAPE_BOUND(len) + 1);
	size_t n;

	assert_non_null(out);
	n = escape_text(out, in, len);
	assert_string_equal(out, want);
	assert_int_equal(n, strlen(want));
	assert_true(n <= ESCAPE_BOUND(len));
	assert_int_equal(escape_clean(in, len),
			 len == n && memcmp(in, want, len) == 0);
	free(out);
}

#define CHECK(in, want) check(in, sizeof(in) - 1, want)

/* Printable ASCII and valid printable UTF-8 are kept as they are. */
static void
test_printable_kept(void **state UNUSED)
{
	CHECK("", "");
	CHECK("web:0 work=job-17 50% \\ done", "web:0 work=job-17 50% \\ done");
	CHECK("h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80",
	      "h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80");
	/* U+00A0, the first code point after C1, and U+FFFD. */
	CHECK("\xc2\xa0\xef\xbf\xbd", "\xc2\xa0\xef\xbf\xbd");
	/* Hebrew and Arabic letters are text, not controls. */
	CHECK("\xd7\xa9\xd8\xb3", "\xd7\xa9\xd8\xb3");
}

/* C0 controls and DEL: the common three by name, the rest as \xNN. */
static void
test_c0(void **state UNUSED)
{
	CHECK("\x1b[2J\x1b]0;owned\x07", "\\x1b[2J\\x1b]0;owned\\x07");
	CHECK("a\nb\tc\rd", "a\\nb\\tc\\rd");
	CHECK("\x01\x1f\x7f", "\\x01\\x1f\\x7f");
	check("a\0b", 3, "a\\x00b");
}

/* C1 controls as UTF-8 (U+0080-U+009F) become \u0080-\u009f. */
static void
test_c1(void **state UNUSED)
{
	CHECK("\xc2\x80", "\\u0080");
	CHECK("\xc2\x85", "\\u0085");
	CHECK("\xc2\x9b"
	      "31m",
	      "\\u009b31m");
	CHECK("\xc2\x9f", "\\u009f");
}

/* The raw byte 0x9b (8-bit CSI) is invalid UTF-8: \x9b. */
static void
test_raw_csi(void **state UNUSED)
{
	CHECK("\x9b"
	      "31mred",
	      "\\x9b31mred");
	CHECK("\x9b\x9b", "\\x9b\\x9b");
}

/* Bidi embeddings, overrides, isolates and marks, and line marks. */
static void
test_bidi(void **state UNUSED)
{
	CHECK("a\xe2\x80\xae"
	      "cod.exe",
	      "a\\u202ecod.exe");
	CHECK("\xe2\x80\xaa\xe2\x80\xab\xe2\x80\xac\xe2\x80\xad",
	      "\\u202a\\u202b\\u202c\\u202d");
	CHECK("\xe2\x81\xa6\xe2\x81\xa7\xe2\x81\xa8\xe2\x81\xa9",
	      "\\u2066\\u2067\\u2068\\u2069");
	CHECK("\xe2\x80\x8e\xe2\x80\x8f\xd8\x9c", "\\u200e\\u200f\\u061c");
	CHECK("\xe2\x80\xa8\xe2\x80\xa9", "\\u2028\\u2029");
	/* Neighbours of the ranges are ordinary text. */
	CHECK("\xe2\x80\xa9\xe2\x80\xaf", "\\u2029\xe2\x80\xaf");
	CHECK("\xe2\x81\xa5\xe2\x81\xaa", "\xe2\x81\xa5\xe2\x81\xaa");
}

/* U+FFFE and U+FFFF, which XML 1.0 and HTML have no place for. */
static void
test_noncharacters(void **state UNUSED)
{
	CHECK("a\xef\xbf\xbe"
	      "b\xef\xbf\xbf"
	      "c",
	      "a\\ufffeb\\uffffc");
	/* U+FFFD, the replacement character, is ordinary text. */
	CHECK("\xef\xbf\xbd", "\xef\xbf\xbd");
}

/* Invalid UTF-8, byte by byte, never as Latin-1 characters. */
static void
test_invalid(void **state UNUSED)
{
	CHECK("caf\xe9", "caf\\xe9");
	CHECK("\xc0\xaf", "\\xc0\\xaf");                   /* overlong '/' */
	CHECK("\xe0\x80\xaf", "\\xe0\\x80\\xaf");          /* overlong '/' */
	CHECK("\xed\xa0\x80", "\\xed\\xa0\\x80");          /* a surrogate */
	CHECK("\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80"); /* > U+10FFFF */
	CHECK("\xf5\xff\xfe", "\\xf5\\xff\\xfe");
	/* Cut sequences, then decoding resumes. */
	CHECK("\xe2\x82", "\\xe2\\x82");
	CHECK("\xe2\x82z\xc3\xa9", "\\xe2\\x82z\xc3\xa9");
	CHECK("\xc3\xc3\xa9", "\\xc3\xc3\xa9");
	/* A sequence cut by the length, not by a NUL. */
	check("\xc3\xa9", 1, "\\xc3");
}

/* The bound holds for the worst inputs, 4 bytes out per byte in. */
static void
test_bound(void **state UNUSED)
{
	static const char *const worst[] = {"\x9b", "\x01", "\xc2\x85",
					    "\xe2\x80\xae"};

	for (size_t k = 0; k < sizeof(worst) / sizeof(worst[0]); k++) {
		size_t unit = strlen(worst[k]), len = 999 * unit;
		char *in = malloc(len), *out = malloc(ESCAPE_BOUND(len) + 1);

		assert_non_null(in);
		assert_non_null(out);
		for (size_t i = 0; i < len; i += unit)
			memcpy(in + i, worst[k], unit);
		assert_true(escape_text(out, in, len) <= ESCAPE_BOUND(len));
		assert_false(escape_clean(in, len));
		free(in);
		free(out);
	}
}

/* The UTF-8 check gives the length and the code point. */
static void
test_utf8_len(void **state UNUSED)
{
	uint32_t cp = 0;

	assert_int_equal(escape_utf8_len((const unsigned char *)"A", 1, &cp),
			 1);
	assert_int_equal(cp, 'A');
	assert_int_equal(
	    escape_utf8_len((const unsigned char *)"\xe2\x80\xae", 3, &cp), 3);
	assert_int_equal(cp, 0x202e);
	assert_int_equal(
	    escape_utf8_len((const unsigned char *)"\xf4\x8f\xbf\xbf", 4, &cp),
	    4);
	assert_int_equal(cp, 0x10ffff);
	assert_int_equal(
	    escape_utf8_len((const unsigned char *)"\xe2\x80\xae", 2, NULL), 0);
	assert_int_equal(escape_utf8_len((const unsigned char *)"", 0, NULL),
			 0);
	assert_int_equal(
	    escape_utf8_len((const unsigned char *)"\x80", 1, NULL), 0);
}

/* escape_dup() of NULL is the empty string. */
static void
test_dup(void **state UNUSED)
{
	char *s = escape_dup(NULL);

	assert_string_equal(s, "");
	free(s);
	s = escape_dup("ok \xc2\x9b\x9b\xe2\x80\xae");
	assert_string_equal(s, "ok \\u009b\\x9b\\u202e");
	free(s);
}

/* Run every escape test. */
int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_printable_kept),
	    cmocka_unit_test(test_c0),
	    cmocka_unit_test(test_c1),
	    cmocka_unit_test(test_raw_csi),
	    cmocka_unit_test(test_bidi),
	    cmocka_unit_test(test_noncharacters),
	    cmocka_unit_test(test_invalid),
	    cmocka_unit_test(test_bound),
	    cmocka_unit_test(test_utf8_len),
	    cmocka_unit_test(test_dup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
