/*
 * Unit tests for XML-RPC: calls as supervisorctl and Python's
 * xmlrpc.client send them, calls that must be refused, and responses as
 * xmlrpc.client reads them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "proto/xmlrpc.h"

/* What supervisorctl sends for "start web:web_00" (captured). */
static const char start_call[] =
    "<?xml version='1.0'?>\n<methodCall>\n"
    "<methodName>supervisor.startProcess</methodName>\n<params>\n"
    "<param>\n<value><string>web:web_00</string></value>\n</param>\n"
    "<param>\n<value><boolean>1</boolean></value>\n</param>\n"
    "</params>\n</methodCall>\n";

static int
parse(const char *text, struct xr_call *c, char *why)
{
	return xmlrpc_parse(text, strlen(text), c, why, 256);
}

static void
test_supervisorctl_start(void **state)
{
	struct xr_call c;
	char why[256];

	(void)state;
	assert_int_equal(parse(start_call, &c, why), 0);
	assert_string_equal(c.method, "supervisor.startProcess");
	assert_int_equal(c.nparams, 2);
	assert_int_equal(c.params[0]->type, XR_STRING);
	assert_string_equal(c.params[0]->s, "web:web_00");
	assert_int_equal(c.params[1]->type, XR_BOOL);
	assert_int_equal(c.params[1]->i, 1);
	xmlrpc_call_free(&c);
}

static void
test_no_params_and_untyped_string(void **state)
{
	struct xr_call c;
	char why[256];

	(void)state;
	assert_int_equal(parse("<methodCall><methodName>system.listMethods"
			       "</methodName></methodCall>",
			       &c, why),
			 0);
	assert_string_equal(c.method, "system.listMethods");
	assert_int_equal(c.nparams, 0);
	xmlrpc_call_free(&c);
	/* A <value> with no type is a string, its blanks kept. */
	assert_int_equal(parse("<methodCall><methodName>m</methodName><params>"
			       "<param><value> a &amp; b </value></param>"
			       "</params></methodCall>",
			       &c, why),
			 0);
	assert_string_equal(c.params[0]->s, " a & b ");
	xmlrpc_call_free(&c);
	/* So does a <string> (a trailing newline was once trimmed). */
	assert_int_equal(parse("<methodCall><methodName>m</methodName><params>"
			       "<param><value><string> x\n</string></value>"
			       "</param></params></methodCall>",
			       &c, why),
			 0);
	assert_string_equal(c.params[0]->s, " x\n");
	xmlrpc_call_free(&c);
}

/* system.multicall: an array of structs holding arrays. */
static void
test_multicall_nesting(void **state)
{
	static const char text[] =
	    "<methodCall><methodName>system.multicall</methodName><params>"
	    "<param><value><array><data>"
	    "<value><struct>"
	    "<member><name>methodName</name><value><string>supervisor."
	    "getPID</string></value></member>"
	    "<member><name>params</name><value><array><data/></array>"
	    "</value></member>"
	    "</struct></value>"
	    "<value><struct>"
	    "<member><name>methodName</name><value>supervisor.signalProcess"
	    "</value></member>"
	    "<member><name>params</name><value><array><data>"
	    "<value>web</value><value><i4>-15</i4></value><value><double>"
	    "1.5</double></value><value><nil/></value>"
	    "</data></array></value></member>"
	    "</struct></value>"
	    "</data></array></value></param></params></methodCall>";
	struct xr_call c;
	char why[256];
	const struct xr_value *calls, *ps;

	(void)state;
	assert_int_equal(parse(text, &c, why), 0);
	calls = c.params[0];
	assert_int_equal(calls->type, XR_ARRAY);
	assert_int_equal(calls->n, 2);
	assert_string_equal(xmlrpc_member(calls->v[0], "methodName")->s,
			    "supervisor.getPID");
	assert_int_equal(xmlrpc_member(calls->v[0], "params")->n, 0);
	ps = xmlrpc_member(calls->v[1], "params");
	assert_int_equal(ps->n, 4);
	assert_string_equal(ps->v[0]->s, "web");
	assert_int_equal(ps->v[1]->type, XR_INT);
	assert_int_equal(ps->v[1]->i, -15);
	assert_true(ps->v[2]->type == XR_DOUBLE && ps->v[2]->d == 1.5);
	assert_int_equal(ps->v[3]->type, XR_NIL);
	assert_null(xmlrpc_member(calls->v[1], "nosuch"));
	xmlrpc_call_free(&c);
}

/* Every refusal names its reason; nothing is left allocated. */
static void
test_refused(void **state)
{
	static const struct {
		const char *text, *why;
	} bad[] = {
	    {"<methodCall><params/></methodCall>", "no methodName"},
	    {"<methodCall><methodName>m</methodName><params><param><value>"
	     "<i4>2147483648</i4></value></param></params></methodCall>",
	     "<i4> holds no such number"},
	    {"<methodCall><methodName>m</methodName><params><param><value>"
	     "<boolean>2</boolean></value></param></params></methodCall>",
	     "<boolean> holds no such number"},
	    {"<methodCall><methodName>m</methodName><params><param><value>"
	     "<int>1</int><int>2</int></value></param></params></methodCall>",
	     "a <value> holds one value"},
	    {"<methodCall><methodName>m</methodName><param/></methodCall>",
	     "<param> is out of place"},
	    {"<methodCall><methodName>m</methodName><params><param><value>"
	     "<struct><member><name>a</name></member></struct></value>"
	     "</param></params></methodCall>",
	     "a <member> needs a <name> and a <value>"},
	    {"<methodCall><methodName>m</methodName><params><param><value>"
	     "<string>open",
	     "no element found"},
	    {"<?xml version='1.0'?><!DOCTYPE lolz [<!ENTITY lol \"lol\">]>"
	     "<methodCall><methodName>&lol;</methodName></methodCall>",
	     "a DOCTYPE is refused"},
	    {"<methodCall><methodName>m</methodName><script/></methodCall>",
	     "<script> is not an element of XML-RPC"},
	    {"<methodResponse/>",
	     "<methodResponse> is not an element of XML-RPC"},
	};
	char why[256];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct xr_call c;

		if (parse(bad[i].text, &c, why) != -1)
			fail_msg("accepted: %s", bad[i].text);
		if (strstr(why, bad[i].why) == NULL)
			fail_msg("%s: said \"%s\", expected \"%s\"",
				 bad[i].text, why, bad[i].why);
		assert_null(c.method);
		assert_int_equal(c.nparams, 0);
	}
}

/* Arrays nested past the limit are refused, not recursed into. */
static void
test_depth_limit(void **state)
{
	struct sbuf b = {0};
	struct xr_call c;
	char why[256];

	(void)state;
	sbuf_addf(&b, "<methodCall><methodName>m</methodName><params><param>");
	for (int i = 0; i < 200; i++)
		sbuf_addf(&b, "<value><array><data>");
	assert_int_equal(xmlrpc_parse(b.s, b.len, &c, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "nest deeper"));
	sbuf_free(&b);
}

/* A response as Python's xmlrpc.client reads it, text escaped. */
static void
test_response(void **state)
{
	struct sbuf b = {0};

	(void)state;
	xmlrpc_response_begin(&b);
	xmlrpc_struct_begin(&b);
	xmlrpc_member_string(&b, "name", "a<b>&c\001");
	xmlrpc_member_int(&b, "start", 5000000000LL);
	xmlrpc_struct_end(&b);
	xmlrpc_response_end(&b);
	assert_string_equal(
	    b.s, "<?xml version='1.0'?>\n<methodResponse>\n<params>\n"
		 "<param>\n<value><struct>\n<member>\n<name>name</name>\n"
		 "<value><string>a&lt;b&gt;&amp;c?</string></value>\n"
		 "</member>\n<member>\n<name>start</name>\n"
		 "<value><int>2147483647</int></value>\n</member>\n"
		 "</struct></value>\n</param>\n</params>\n"
		 "</methodResponse>\n");
	sbuf_free(&b);
	xmlrpc_fault(&b, 10, "BAD_NAME: x");
	assert_string_equal(
	    b.s, "<?xml version='1.0'?>\n<methodResponse>\n<fault>\n"
		 "<value><struct>\n<member>\n<name>faultCode</name>\n"
		 "<value><int>10</int></value>\n</member>\n<member>\n"
		 "<name>faultString</name>\n<value><string>BAD_NAME: x"
		 "</string></value>\n</member>\n</struct></value>\n"
		 "</fault>\n</methodResponse>\n");
	sbuf_free(&b);
}

/*
 * Bytes XML 1.0 cannot carry, in any string answered: invalid UTF-8 (a
 * lone byte, a surrogate, an overlong form, a cut sequence) and the
 * noncharacters U+FFFE and U+FFFF become U+FFFD; expat (Python's
 * xmlrpc.client) refuses the whole answer otherwise.
 */
static void
test_response_not_xml_chars(void **state)
{
	struct sbuf b = {0};

	(void)state;
	xmlrpc_add_string(&b, "a\xff|\xed\xa0\x80|\xef\xbf\xbe|\xef\xbf\xbf|"
			      "\xc0\xaf|\xe2\x82|\xc3\xa9\xf4\x8f\xbf\xbf\x7f");
	assert_string_equal(b.s, "<value><string>a\xef\xbf\xbd|"
				 "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd|"
				 "\xef\xbf\xbd|\xef\xbf\xbd|"
				 "\xef\xbf\xbd\xef\xbf\xbd|"
				 "\xef\xbf\xbd\xef\xbf\xbd|"
				 "\xc3\xa9\xf4\x8f\xbf\xbf\x7f"
				 "</string></value>\n");
	sbuf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_supervisorctl_start),
	    cmocka_unit_test(test_no_params_and_untyped_string),
	    cmocka_unit_test(test_multicall_nesting),
	    cmocka_unit_test(test_refused),
	    cmocka_unit_test(test_depth_limit),
	    cmocka_unit_test(test_response),
	    cmocka_unit_test(test_response_not_xml_chars),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
