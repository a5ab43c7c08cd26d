/*
 * Unit tests for the HTTP request path's pure part (proto/http-route.c):
 * the paths supervisorctl asks for, and Content-Length's verdicts.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "proto/http-route.h"

/* supervisorctl's paths: XML-RPC, tail -f of each channel, maintail -f. */
static void
test_supervisorctl_paths(void **state)
{
	struct http_route r;

	(void)state;
	http_route("/RPC2", &r);
	assert_int_equal(r.kind, HTTP_ROUTE_RPC2);
	http_route("/", &r);
	assert_int_equal(r.kind, HTTP_ROUTE_RPC2);
	http_route("/mainlogtail", &r);
	assert_int_equal(r.kind, HTTP_ROUTE_MAINLOGTAIL);
	http_route("/logtail/web:web_00", &r);
	assert_int_equal(r.kind, HTTP_ROUTE_LOGTAIL);
	assert_string_equal(r.name, "web:web_00");
	assert_false(r.stderr_);
	http_route("/logtail/talker/stdout", &r);
	assert_int_equal(r.kind, HTTP_ROUTE_LOGTAIL);
	assert_string_equal(r.name, "talker");
	assert_false(r.stderr_);
	http_route("/logtail/talker/stderr", &r);
	assert_int_equal(r.kind, HTTP_ROUTE_LOGTAIL);
	assert_true(r.stderr_);
}

/* No name, a bad channel, a name too long: no logtail; others: other. */
static void
test_bad_paths(void **state)
{
	struct http_route r;
	char url[400];

	(void)state;
	http_route("/logtail/", &r);
	assert_int_equal(r.kind, HTTP_ROUTE_BAD_LOGTAIL);
	http_route("/logtail/talker/stdin", &r);
	assert_int_equal(r.kind, HTTP_ROUTE_BAD_LOGTAIL);
	http_route("/logtail/talker/stderr/x", &r);
	assert_int_equal(r.kind, HTTP_ROUTE_BAD_LOGTAIL);
	memset(url, 'a', sizeof(url));
	memcpy(url, "/logtail/", 9);
	url[sizeof(url) - 1] = '\0';
	http_route(url, &r);
	assert_int_equal(r.kind, HTTP_ROUTE_BAD_LOGTAIL);
	http_route("/web/rows", &r);
	assert_int_equal(r.kind, HTTP_ROUTE_OTHER);
	http_route("/RPC2/", &r);
	assert_int_equal(r.kind, HTTP_ROUTE_OTHER);
}

/* Content-Length: absent or within the limit 0, beyond 413, else 400. */
static void
test_content_length(void **state)
{
	(void)state;
	assert_int_equal(http_route_length(NULL, 100), 0);
	assert_int_equal(http_route_length("0", 100), 0);
	assert_int_equal(http_route_length("100", 100), 0);
	assert_int_equal(http_route_length(" 42 ", 100), 0);
	assert_int_equal(http_route_length("101", 100), 413);
	assert_int_equal(http_route_length("99999999999999999999999", 100),
			 413);
	assert_int_equal(http_route_length("", 100), 400);
	assert_int_equal(http_route_length("-1", 100), 400);
	assert_int_equal(http_route_length("12abc", 100), 400);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_supervisorctl_paths),
	    cmocka_unit_test(test_bad_paths),
	    cmocka_unit_test(test_content_length),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
