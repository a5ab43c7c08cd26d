/*
 * XML-RPC, the encoding of supervisord's API: a methodCall read with
 * expat into a tree of values, and a methodResponse written into an
 * sbuf.  Pure: no loop, no system calls (see xmlrpc-methods.c for what
 * the calls do and http.c for where they arrive).
 */
#ifndef STEWARD_XMLRPC_H
#define STEWARD_XMLRPC_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"

/* The deepest nesting of values a call may have. */
#define XMLRPC_DEPTH_MAX 32
/* The most values a call may hold in all. */
#define XMLRPC_VALUES_MAX 10000

enum xr_type {
	XR_STRING,
	XR_INT,
	XR_BOOL,
	XR_DOUBLE,
	XR_BASE64,
	XR_DATETIME,
	XR_NIL,
	XR_ARRAY,
	XR_STRUCT,
};

/* One value: a scalar, or an array or struct of values. */
struct xr_value {
	enum xr_type type;
	long long i;         /* XR_INT, XR_BOOL */
	double d;            /* XR_DOUBLE */
	char *s;             /* XR_STRING, XR_BASE64, XR_DATETIME: the text */
	struct xr_value **v; /* XR_ARRAY items, XR_STRUCT member values */
	char **keys;         /* XR_STRUCT member names */
	size_t n;
	size_t cap;
};

/* A methodCall. */
struct xr_call {
	char *method;
	struct xr_value **params;
	size_t nparams;
	size_t cap;
};

/*
 * Read a methodCall of len bytes.  Returns 0, or -1 with why filled
 * ("line 3: ..."), the call then empty.  A DOCTYPE is refused.
 */
int xmlrpc_parse(const char *buf, size_t len, struct xr_call *call, char *why,
		 size_t whylen);
void xmlrpc_call_free(struct xr_call *call);
void xmlrpc_value_free(struct xr_value *v);

/* A struct's member called key, or NULL. */
const struct xr_value *xmlrpc_member(const struct xr_value *v, const char *key);

/* The methodResponse around one value written between begin and end. */
void xmlrpc_response_begin(struct sbuf *b);
void xmlrpc_response_end(struct sbuf *b);
/* A whole fault response. */
void xmlrpc_fault(struct sbuf *b, int code, const char *msg);

/* Values, each a whole <value>. */
void xmlrpc_add_int(struct sbuf *b, long long i);
void xmlrpc_add_bool(struct sbuf *b, bool v);
void xmlrpc_add_string(struct sbuf *b, const char *s);
void xmlrpc_array_begin(struct sbuf *b);
void xmlrpc_array_end(struct sbuf *b);
void xmlrpc_struct_begin(struct sbuf *b);
void xmlrpc_struct_end(struct sbuf *b);
/* A member's name; its value follows, then xmlrpc_member_end(). */
void xmlrpc_member_begin(struct sbuf *b, const char *name);
void xmlrpc_member_end(struct sbuf *b);
/* A member of one scalar. */
void xmlrpc_member_int(struct sbuf *b, const char *name, long long i);
void xmlrpc_member_string(struct sbuf *b, const char *name, const char *s);
/* A fault as a struct (system.multicall's). */
void xmlrpc_fault_struct(struct sbuf *b, int code, const char *msg);

#endif
