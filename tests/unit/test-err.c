/*
 * Unit tests for err.c: wrap chains, the three renderings (one line,
 * the person's line, JSON), fields, and the JSON string escaper.
 * Every expectation is an exact string, so a change in format fails.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/err.h"

/* cmocka hands every test a state pointer these tests do not use. */
#define UNUSED __attribute__((unused))

/*
 * The three layers of the notes: a failed system call, the steward's
 * intermediate step written for people, and a top layer that is not.
 */
static struct err *
three_layers(void)
{
	struct err *low, *mid;

	low = ERR_ERRNO(ENOENT, "executing %s", "/usr/local/bin/web");
	err_set(low, "path", "%s", "/usr/local/bin/web");
	mid = ERR_WRAP_P(low, "cannot start ward \"%s\"", "web");
	err_set(mid, "ward", "web");
	return ERR_WRAP(mid, "applying the new configuration");
}

/* Render one string with sbuf_add_json() into a new string. */
static char *
json_of(const char *s)
{
	struct sbuf b = {0};
	char *out;

	sbuf_add_json(&b, s);
	out = xstrdup(b.s);
	sbuf_free(&b);
	return out;
}

/* err_str() joins every layer and puts strerror after the failed one. */
static void
test_str_three_layers(void **state UNUSED)
{
	struct err *e = three_layers();
	char *s = err_str(e);

	assert_string_equal(s, "applying the new configuration: "
			       "cannot start ward \"web\": "
			       "executing /usr/local/bin/web: "
			       "No such file or directory");
	free(s);
	err_free(e);
}

/* The person sees the chain from the outermost layer marked for them. */
static void
test_person_message_marked(void **state UNUSED)
{
	struct err *e = three_layers();
	char *s = err_person_message(e);

	assert_string_equal(s, "cannot start ward \"web\": "
			       "executing /usr/local/bin/web: "
			       "No such file or directory");
	free(s);

	/* Marking the top layer later makes the whole chain the message. */
	err_for_people(e);
	s = err_person_message(e);
	assert_string_equal(s, "applying the new configuration: "
			       "cannot start ward \"web\": "
			       "executing /usr/local/bin/web: "
			       "No such file or directory");
	free(s);
	err_free(e);
}

/* A chain nobody wrote for people asks for a bug report instead. */
static void
test_person_message_unmarked(void **state UNUSED)
{
	struct err *e = ERR_WRAP(ERR_ERRNO(EBADF, "closing fd 7"), "reaping");
	char *s = err_person_message(e);

	assert_string_equal(s,
			    "an unexpected issue; please report it as a bug");
	free(s);
	s = err_str(e);
	assert_string_equal(s, "reaping: closing fd 7: Bad file descriptor");
	free(s);
	err_free(e);
}

/* A layer's strerror follows its own message; only the innermost one. */
static void
test_str_errno_placement(void **state UNUSED)
{
	struct err *e;
	char *s;

	/* The failed layer is in the middle: its inner detail comes after. */
	e = ERR_NEW("short header");
	e = ERR_WRAP(e, "reading %s", "beat.pipe");
	e->errnum = EIO;
	e = ERR_WRAP(e, "polling ward");
	s = err_str(e);
	assert_string_equal(s, "polling ward: reading beat.pipe: "
			       "Input/output error: short header");
	free(s);
	err_free(e);

	/* Two layers with an errno: only the innermost is said. */
	e = ERR_ERRNO(ENOSPC, "writing");
	e = ERR_WRAP(e, "saving state");
	e->errnum = EIO;
	s = err_str(e);
	assert_string_equal(s,
			    "saving state: writing: No space left on device");
	free(s);
	err_free(e);

	/* No errno anywhere: just the messages. */
	e = ERR_WRAP(ERR_NEW("bad duration \"%s\"", "3x"), "line %d", 4);
	s = err_str(e);
	assert_string_equal(s, "line 4: bad duration \"3x\"");
	free(s);
	err_free(e);
}

/* A wrap with no inner error is a leaf of its own. */
static void
test_wrap_null_inner(void **state UNUSED)
{
	struct err *e = ERR_WRAP_P(NULL, "cannot stop ward \"%s\"", "db");
	char *s = err_person_message(e);

	assert_null(e->inner);
	assert_true(e->for_people);
	assert_string_equal(s, "cannot stop ward \"db\"");
	free(s);
	err_free(e);
}

/* Each layer records the file, line and function that made it. */
static void
test_wrap_sites(void **state UNUSED)
{
	struct err *e;
	int leaf_line, wrap_line;

	/* clang-format off */
	leaf_line = __LINE__; e = ERR_SYS("opening %s", "x");
	wrap_line = __LINE__; e = ERR_WRAP(e, "loading");
	/* clang-format on */

	assert_string_equal(e->file, __FILE__);
	assert_int_equal(e->line, wrap_line);
	assert_string_equal(e->func, "test_wrap_sites");
	assert_false(e->for_people);
	assert_string_equal(e->inner->file, __FILE__);
	assert_int_equal(e->inner->line, leaf_line);
	assert_string_equal(e->inner->func, "test_wrap_sites");
	assert_null(e->inner->inner);
	err_free(e);
}

/* ERR_SYS takes errno at the call. */
static void
test_sys_takes_errno(void **state UNUSED)
{
	struct err *e;

	errno = EACCES;
	e = ERR_SYS("opening %s", "/etc/shadow");
	assert_int_equal(e->errnum, EACCES);
	assert_string_equal(e->msg, "opening /etc/shadow");
	err_free(e);
}

/* err_errno() finds the first errno from the outside in. */
static void
test_errno_lookup(void **state UNUSED)
{
	struct err *e = three_layers();

	assert_int_equal(err_errno(e), ENOENT);
	e->errnum = EPERM;
	assert_int_equal(err_errno(e), EPERM);
	err_free(e);

	e = ERR_WRAP(ERR_NEW("plain"), "outer");
	assert_int_equal(err_errno(e), 0);
	err_free(e);
	assert_int_equal(err_errno(NULL), 0);
}

/* err_root() is the innermost layer. */
static void
test_root(void **state UNUSED)
{
	struct err *e = three_layers();
	const struct err *r = err_root(e);

	assert_ptr_equal(r, e->inner->inner);
	assert_string_equal(r->msg, "executing /usr/local/bin/web");
	assert_ptr_equal(err_root(r), r);
	assert_null(err_root(NULL));
	err_free(e);
}

/* err_get() searches the chain and the outermost key wins. */
static void
test_get(void **state UNUSED)
{
	struct err *e = three_layers();

	assert_string_equal(err_get(e, "ward"), "web");
	assert_string_equal(err_get(e, "path"), "/usr/local/bin/web");
	assert_null(err_get(e, "stage"));
	err_set(e, "path", "/outer");
	assert_string_equal(err_get(e, "path"), "/outer");
	assert_string_equal(err_get(e->inner->inner, "path"),
			    "/usr/local/bin/web");
	err_free(e);
}

/* err_set() replaces a key already on the layer instead of adding. */
static void
test_set_replaces(void **state UNUSED)
{
	struct err *e = ERR_NEW("x");

	assert_ptr_equal(err_set(e, "stage", "%s", "chdir"), e);
	err_set(e, "ward", "web");
	err_set(e, "stage", "setuid %d", 1000);
	assert_int_equal(e->nfields, 2);
	assert_string_equal(e->fields[0].key, "stage");
	assert_string_equal(e->fields[0].value, "setuid 1000");
	assert_string_equal(e->fields[1].key, "ward");
	assert_string_equal(e->fields[1].value, "web");
	assert_string_equal(err_get(e, "stage"), "setuid 1000");
	err_free(e);
}

/* The JSON array: exact shape, outermost first, fields and escaping. */
static void
test_json_shape(void **state UNUSED)
{
	struct err *e;
	int leaf_line, wrap_line;
	char *got, *want;

	/* clang-format off */
	leaf_line = __LINE__; e = ERR_ERRNO(ENOENT, "opening \"%s\"", "a\nb");
	err_set(e, "path", "q\"\\\x01\x7f\xff\xc3\xa9");
	err_set(e, "stage", "open");
	wrap_line = __LINE__; e = ERR_WRAP_P(e, "cannot load %s", "x.ini");
	/* clang-format on */

	got = err_json(e);
	want = xasprintf("["
			 "{\"msg\":\"cannot load x.ini\","
			 "\"at\":\"%s:%d\","
			 "\"func\":\"test_json_shape\"},"
			 "{\"msg\":\"opening \\\"a\\nb\\\"\","
			 "\"at\":\"%s:%d\","
			 "\"func\":\"test_json_shape\","
			 "\"errno\":%d,"
			 "\"errname\":\"ENOENT\","
			 "\"strerror\":\"No such file or directory\","
			 "\"fields\":{"
			 "\"path\":\"q\\\"\\\\\\u0001\\u007f\\\\xff\xc3\xa9\","
			 "\"stage\":\"open\"}}"
			 "]",
			 __FILE__, wrap_line, __FILE__, leaf_line, ENOENT);
	assert_string_equal(got, want);
	free(got);
	free(want);
	err_free(e);

	got = err_json(NULL);
	assert_string_equal(got, "[]");
	free(got);
}

/* err_errname() gives the symbolic names the log shows. */
static void
test_errname(void **state UNUSED)
{
	assert_string_equal(err_errname(ENOSPC), "ENOSPC");
	assert_string_equal(err_errname(EIO), "EIO");
	assert_string_equal(err_errname(ENOENT), "ENOENT");
}

/* Control bytes, quotes, backslashes and DEL are escaped. */
static void
test_json_escape_controls(void **state UNUSED)
{
	char *s;

	s = json_of("");
	assert_string_equal(s, "\"\"");
	free(s);
	s = json_of("plain text / ok");
	assert_string_equal(s, "\"plain text / ok\"");
	free(s);
	s = json_of("\"\\\n\t\r\b\f\x1b\x1f\x7f ~");
	assert_string_equal(s, "\"\\\"\\\\\\n\\t\\r\\u0008\\u000c\\u001b"
			       "\\u001f\\u007f ~\"");
	free(s);
	s = json_of(NULL);
	assert_string_equal(s, "null");
	free(s);
}

/* Valid UTF-8 of every length passes through unchanged. */
static void
test_json_valid_utf8(void **state UNUSED)
{
	/* U+00E9, U+20AC, U+1F600, U+10FFFF, U+FFFD. */
	const char *in = "\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 "
			 "\xf4\x8f\xbf\xbf \xef\xbf\xbd";
	char *s = json_of(in);
	char *want = xasprintf("\"%s\"", in);

	assert_string_equal(s, want);
	free(s);
	free(want);
}

/*
 * Invalid UTF-8 is written byte by byte as the text \xNN (never as the
 * Latin-1 character \u00NN), then decoding resumes.
 */
static void
test_json_invalid_utf8(void **state UNUSED)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
	    {"\x80", "\"\\\\x80\""},
	    {"a\xff"
	     "b",
	     "\"a\\\\xffb\""},
	    /* Overlong encodings of '/' and NUL. */
	    {"\xc0\xaf", "\"\\\\xc0\\\\xaf\""},
	    {"\xc1\xbf", "\"\\\\xc1\\\\xbf\""},
	    {"\xe0\x80\xaf", "\"\\\\xe0\\\\x80\\\\xaf\""},
	    {"\xf0\x80\x80\xaf", "\"\\\\xf0\\\\x80\\\\x80\\\\xaf\""},
	    /* A UTF-16 surrogate (U+D800). */
	    {"\xed\xa0\x80", "\"\\\\xed\\\\xa0\\\\x80\""},
	    /* Past U+10FFFF, and bytes that never start a sequence. */
	    {"\xf4\x90\x80\x80", "\"\\\\xf4\\\\x90\\\\x80\\\\x80\""},
	    {"\xf5\xfe", "\"\\\\xf5\\\\xfe\""},
	    /* Truncated sequences, at the end and before ASCII. */
	    {"\xe2\x82", "\"\\\\xe2\\\\x82\""},
	    {"\xe2\x82z\xc3\xa9", "\"\\\\xe2\\\\x82z\xc3\xa9\""},
	    {"\xf0\x9f\x98", "\"\\\\xf0\\\\x9f\\\\x98\""},
	    /* A lead byte followed by another lead byte. */
	    {"\xc3\xc3\xa9", "\"\\\\xc3\xc3\xa9\""},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *s = json_of(cases[i].in);

		assert_string_equal(s, cases[i].out);
		free(s);
	}
}

/* C1 and bidi controls, valid UTF-8, are written as \uNNNN. */
static void
test_json_hidden(void **state UNUSED)
{
	char *s = json_of("a\xc2\x9b"
			  "b\xc2\x85\xe2\x80\xae"
			  "c\xe2\x81\xa6\xc2\xa0\xe2\x82\xac");

	assert_string_equal(s, "\"a\\u009bb\\u0085\\u202ec\\u2066"
			       "\xc2\xa0\xe2\x82\xac\"");
	free(s);
}

/* The buffer grows past its first allocation and stays terminated. */
static void
test_sbuf_growth(void **state UNUSED)
{
	struct sbuf b = {0};
	char *s;
	int i;

	for (i = 0; i < 1000; i++)
		sbuf_addf(&b, "%d,", i % 10);
	assert_int_equal(b.len, 2000);
	assert_int_equal(strlen(b.s), 2000);
	assert_memory_equal(b.s + 1990, "5,6,7,8,9,", 10);
	sbuf_add(&b, "xyz", 2);
	assert_string_equal(b.s + 2000, "xy");
	sbuf_free(&b);
	assert_null(b.s);
	assert_int_equal(b.len, 0);

	s = xasprintf("%s-%05d", "id", 42);
	assert_string_equal(s, "id-00042");
	free(s);
}

/* Run every err test. */
int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_str_three_layers),
	    cmocka_unit_test(test_person_message_marked),
	    cmocka_unit_test(test_person_message_unmarked),
	    cmocka_unit_test(test_str_errno_placement),
	    cmocka_unit_test(test_wrap_null_inner),
	    cmocka_unit_test(test_wrap_sites),
	    cmocka_unit_test(test_sys_takes_errno),
	    cmocka_unit_test(test_errno_lookup),
	    cmocka_unit_test(test_root),
	    cmocka_unit_test(test_get),
	    cmocka_unit_test(test_set_replaces),
	    cmocka_unit_test(test_json_shape),
	    cmocka_unit_test(test_errname),
	    cmocka_unit_test(test_json_escape_controls),
	    cmocka_unit_test(test_json_valid_utf8),
	    cmocka_unit_test(test_json_invalid_utf8),
	    cmocka_unit_test(test_json_hidden),
	    cmocka_unit_test(test_sbuf_growth),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
