/*
 * Unit tests for html.c: what the web page shows of a ward's text.
 * Every expectation is an exact string.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/html.h"

#define UNUSED __attribute__((unused))

static void
check(const char *in, size_t len, const char *want)
{
	struct sbuf b = {0};

	sbuf_add(&b, "", 0);
	html_add(&b, in, len);
	sbuf_add(&b, "", 1);
	assert_string_equal(b.s, want);
	sbuf_free(&b);
}

#define CHECK(in, want) check(in, sizeof(in) - 1, want)

/* Plain text, UTF-8 included, is kept. */
static void
test_plain_kept(void **state UNUSED)
{
	CHECK("web-1", "web-1");
	CHECK("caf\xc3\xa9 \xe2\x9c\x93", "caf\xc3\xa9 \xe2\x9c\x93");
	CHECK("", "");
}

/* The five characters with a meaning in HTML become references. */
static void
test_markup_referenced(void **state UNUSED)
{
	CHECK("<script>alert(1)</script>",
	      "&lt;script&gt;alert(1)&lt;/script&gt;");
	CHECK("a & b", "a &amp; b");
	CHECK("\"x\" 'y'", "&quot;x&quot; &#39;y&#39;");
	CHECK("<img src=x onerror=\"window.p=1\">",
	      "&lt;img src=x onerror=&quot;window.p=1&quot;&gt;");
	CHECK("&lt;", "&amp;lt;");
}

/* Controls and invalid UTF-8 are shown as escape_text() shows them,
 * and what that writes is referenced in turn. */
static void
test_controls_and_bytes(void **state UNUSED)
{
	CHECK("\x1b[31m<red>", "\\x1b[31m&lt;red&gt;");
	CHECK("a\nb\tc", "a\\nb\\tc");
	CHECK("\xff<", "\\xff&lt;");
	CHECK("x\0<y", "x\\x00&lt;y");
	CHECK("\xe2\x80\xae<", "\\u202e&lt;"); /* a bidi override */
}

/* A long hostile line: every < is referenced, none survives. */
static void
test_long_line(void **state UNUSED)
{
	size_t n = 5000;
	char *in = malloc(n);
	struct sbuf b = {0};

	assert_non_null(in);
	for (size_t i = 0; i < n; i++)
		in[i] = i % 7 == 0 ? '\x01' : '<';
	html_add(&b, in, n);
	assert_null(memchr(b.s, '<', b.len));
	assert_null(memchr(b.s, '\x01', b.len));
	sbuf_free(&b);
	free(in);
}

/* html_adds: NULL adds nothing. */
static void
test_adds(void **state UNUSED)
{
	struct sbuf b = {0};

	html_adds(&b, NULL);
	assert_int_equal(b.len, 0);
	html_adds(&b, "<b>");
	sbuf_add(&b, "", 1);
	assert_string_equal(b.s, "&lt;b&gt;");
	sbuf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_plain_kept),
	    cmocka_unit_test(test_markup_referenced),
	    cmocka_unit_test(test_controls_and_bytes),
	    cmocka_unit_test(test_long_line),
	    cmocka_unit_test(test_adds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
