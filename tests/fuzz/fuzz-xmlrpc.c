/*
 * Fuzz xmlrpc_parse(): the input is an HTTP body as supervisorctl posts
 * it to /RPC2.
 *
 * Properties: an accepted call has a method name that is not empty and
 * a tree within XMLRPC_DEPTH_MAX and XMLRPC_VALUES_MAX, every struct
 * member named; a refused one says why and leaves the call empty.  A
 * call's method name and string parameters, written back with the
 * response writer's escaping, read back the same (a round trip).
 */
#include <string.h>

#include "fuzz.h"
#include "proto/xmlrpc.h"

/* Check a value's tree; returns how many values it holds. */
static size_t
check_value(const struct xr_value *v, int depth)
{
	size_t n = 1;

	FUZZ_CHECK(v != NULL, "a NULL value");
	FUZZ_CHECK(depth <= XMLRPC_DEPTH_MAX * 4, "depth %d", depth);
	FUZZ_CHECK(v->type <= XR_STRUCT, "type %d", (int)v->type);
	if (v->type == XR_STRING || v->type == XR_BASE64 ||
	    v->type == XR_DATETIME)
		FUZZ_CHECK(v->s != NULL, "a string without text");
	if (v->type == XR_BOOL)
		FUZZ_CHECK(v->i == 0 || v->i == 1, "boolean %lld", v->i);
	for (size_t i = 0; i < v->n; i++) {
		if (v->type == XR_STRUCT)
			FUZZ_CHECK(v->keys[i] != NULL, "a member without name");
		n += check_value(v->v[i], depth + 1);
	}
	if (v->type != XR_ARRAY && v->type != XR_STRUCT)
		FUZZ_CHECK(v->n == 0, "a scalar with %zu items", v->n);
	return n;
}

/* Write the call's name and string parameters back, read them again. */
static void
round_trip(const struct xr_call *c)
{
	struct sbuf b = {0};
	struct xr_call again;
	char why[256];
	size_t k = 0;

	sbuf_addf(&b, "<methodCall><methodName>");
	{
		/* The name as a string value's text, tags stripped. */
		struct sbuf s = {0};

		xmlrpc_add_string(&s, c->method);
		sbuf_add(&b, s.s + 15, s.len - 15 - 18);
		sbuf_free(&s);
	}
	sbuf_addf(&b, "</methodName><params>");
	for (size_t i = 0; i < c->nparams; i++) {
		if (c->params[i]->type != XR_STRING)
			continue;
		sbuf_addf(&b, "<param>");
		xmlrpc_add_string(&b, c->params[i]->s);
		sbuf_addf(&b, "</param>");
	}
	sbuf_addf(&b, "</params></methodCall>");
	FUZZ_CHECK(xmlrpc_parse(b.s, b.len, &again, why, sizeof(why)) == 0,
		   "the written call is refused: %s", why);
	FUZZ_CHECK(strcmp(again.method, c->method) == 0, "method %s vs %s",
		   again.method, c->method);
	for (size_t i = 0; i < c->nparams; i++) {
		if (c->params[i]->type != XR_STRING)
			continue;
		FUZZ_CHECK(k < again.nparams, "a parameter lost");
		/* Only bytes XML cannot carry are written as '?'. */
		FUZZ_CHECK(strlen(again.params[k]->s) ==
			       strlen(c->params[i]->s),
			   "string %zu changed length", i);
		k++;
	}
	xmlrpc_call_free(&again);
	sbuf_free(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xr_call c;
	char why[256] = "";
	size_t n = 0;

	if (xmlrpc_parse((const char *)data, size, &c, why, sizeof(why)) ==
	    -1) {
		FUZZ_CHECK(why[0] != '\0', "refused without a reason");
		FUZZ_CHECK(c.method == NULL && c.nparams == 0,
			   "a refused call is not empty");
		return 0;
	}
	FUZZ_CHECK(c.method != NULL && c.method[0] != '\0', "no method");
	for (size_t i = 0; i < c.nparams; i++)
		n += check_value(c.params[i], 0);
	FUZZ_CHECK(n <= XMLRPC_VALUES_MAX, "%zu values", n);
	round_trip(&c);
	xmlrpc_call_free(&c);
	return 0;
}
