/*
 * XML-RPC calls read with expat; responses written by hand (writing is
 * not parsing: a fixed set of tags around escaped text).
 *
 * Reading keeps a stack of open elements, each a frame.  The grammar is
 * enforced as the elements open (a <value> only in <param>, <data> or
 * <member>; a <member> only in <struct> ...), so what is not a
 * methodCall is refused at its first wrong tag.  A <value> frame holds
 * the value its child made (a typed scalar, an array, a struct) or, with
 * no typed child, becomes a string of its text, as the spec says.  The
 * cost is linear in the input; XMLRPC_DEPTH_MAX bounds the stack and
 * XMLRPC_VALUES_MAX the tree.  A DOCTYPE (the only door to entities) is
 * refused, so nothing expands.
 */
#include <errno.h>
#include <stdint.h>
#include <expat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/escape.h"
#include "proto/xmlrpc.h"

enum xr_elem {
	E_METHODCALL,
	E_METHODNAME,
	E_PARAMS,
	E_PARAM,
	E_VALUE,
	E_ARRAY,
	E_DATA,
	E_STRUCT,
	E_MEMBER,
	E_NAME,
	E_STRING,
	E_INT,
	E_I4,
	E_I8,
	E_BOOLEAN,
	E_DOUBLE,
	E_BASE64,
	E_DATETIME,
	E_NIL,
	E_NELEMS,
};

static const char *const xr_elem_names[E_NELEMS] = {
    [E_METHODCALL] = "methodCall",
    [E_METHODNAME] = "methodName",
    [E_PARAMS] = "params",
    [E_PARAM] = "param",
    [E_VALUE] = "value",
    [E_ARRAY] = "array",
    [E_DATA] = "data",
    [E_STRUCT] = "struct",
    [E_MEMBER] = "member",
    [E_NAME] = "name",
    [E_STRING] = "string",
    [E_INT] = "int",
    [E_I4] = "i4",
    [E_I8] = "i8",
    [E_BOOLEAN] = "boolean",
    [E_DOUBLE] = "double",
    [E_BASE64] = "base64",
    [E_DATETIME] = "dateTime.iso8601",
    [E_NIL] = "nil",
};

struct xr_frame {
	enum xr_elem e;
	struct xr_value *val; /* E_VALUE: its value; E_ARRAY/E_STRUCT: it */
	char *name;           /* E_MEMBER: the member's name */
};

struct xr_reader {
	XML_Parser p;
	struct xr_call *call;
	struct xr_frame stack[XMLRPC_DEPTH_MAX * 4 + 4];
	size_t depth;
	struct sbuf text;
	size_t nvalues;
	char *why;
	size_t whylen;
	bool failed;
	bool seen_root;
};

/* Stop reading with a reason. */
static void
xr_fail(struct xr_reader *r, const char *msg)
{
	if (r->failed)
		return;
	r->failed = true;
	snprintf(r->why, r->whylen, "line %lu: %s",
		 (unsigned long)XML_GetCurrentLineNumber(r->p), msg);
	XML_StopParser(r->p, XML_FALSE);
}

#define XR_FAIL(r, ...)                                                        \
	do {                                                                   \
		char m_[200];                                                  \
		snprintf(m_, sizeof(m_), __VA_ARGS__);                         \
		xr_fail(r, m_);                                                \
	} while (0)

/* Whether child may open inside parent. */
static bool
xr_allowed(enum xr_elem parent, enum xr_elem child)
{
	switch (parent) {
	case E_METHODCALL:
		return child == E_METHODNAME || child == E_PARAMS;
	case E_PARAMS:
		return child == E_PARAM;
	case E_PARAM:
	case E_DATA:
		return child == E_VALUE;
	case E_VALUE:
		return child >= E_STRING || child == E_ARRAY ||
		       child == E_STRUCT;
	case E_ARRAY:
		return child == E_DATA;
	case E_STRUCT:
		return child == E_MEMBER;
	case E_MEMBER:
		return child == E_NAME || child == E_VALUE;
	default:
		return false;
	}
}

static struct xr_value *
xr_new(struct xr_reader *r, enum xr_type t)
{
	struct xr_value *v;

	if (++r->nvalues > XMLRPC_VALUES_MAX) {
		XR_FAIL(r, "more than %s values", "10000");
		return NULL;
	}
	v = xcalloc(1, sizeof(*v));
	v->type = t;
	return v;
}

/* Append to an array (key NULL) or a struct. */
static void
xr_append(struct xr_value *c, char *key, struct xr_value *v)
{
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 4;
		c->v = xrealloc(c->v, c->cap * sizeof(*c->v));
		if (c->type == XR_STRUCT)
			c->keys = xrealloc(c->keys, c->cap * sizeof(*c->keys));
	}
	if (c->type == XR_STRUCT)
		c->keys[c->n] = key;
	c->v[c->n++] = v;
}

static void XMLCALL
xr_start(void *arg, const XML_Char *name, const XML_Char **attrs)
{
	struct xr_reader *r = arg;
	enum xr_elem e = E_NELEMS;
	struct xr_frame *f;

	(void)attrs;
	if (r->failed)
		return;
	for (int i = 0; i < E_NELEMS; i++)
		if (strcmp(name, xr_elem_names[i]) == 0)
			e = (enum xr_elem)i;
	if (e == E_NELEMS) {
		XR_FAIL(r, "<%s> is not an element of XML-RPC", name);
		return;
	}
	if (r->depth == 0 ? (e != E_METHODCALL || r->seen_root)
			  : !xr_allowed(r->stack[r->depth - 1].e, e)) {
		XR_FAIL(r, "<%s> is out of place", name);
		return;
	}
	if (r->depth == sizeof(r->stack) / sizeof(r->stack[0])) {
		XR_FAIL(r, "values nest deeper than %s", "32");
		return;
	}
	r->seen_root = true;
	f = &r->stack[r->depth++];
	*f = (struct xr_frame){.e = e};
	if (e == E_ARRAY || e == E_STRUCT)
		f->val = xr_new(r, e == E_ARRAY ? XR_ARRAY : XR_STRUCT);
	if (e == E_VALUE && ++r->nvalues > XMLRPC_VALUES_MAX)
		XR_FAIL(r, "more than %s values", "10000");
	r->text.len = 0;
}

static void XMLCALL
xr_chars(void *arg, const XML_Char *s, int len)
{
	struct xr_reader *r = arg;

	if (!r->failed && r->depth > 0)
		sbuf_add(&r->text, s, (size_t)len);
}

/* The text gathered since the element opened, as a new string. */
static char *
xr_text(struct xr_reader *r)
{
	char *t = xmalloc(r->text.len + 1);

	if (r->text.len > 0)
		memcpy(t, r->text.s, r->text.len);
	t[r->text.len] = '\0';
	r->text.len = 0;
	return t;
}

/* Trim ASCII blanks at both ends, in place. */
static char *
xr_trim(char *t)
{
	size_t n;

	while (*t == ' ' || *t == '\t' || *t == '\n' || *t == '\r')
		t++;
	n = strlen(t);
	while (n > 0 && strchr(" \t\n\r", t[n - 1]) != NULL)
		t[--n] = '\0';
	return t;
}

/* A typed scalar from its text. */
static struct xr_value *
xr_scalar(struct xr_reader *r, enum xr_elem e)
{
	char *text = xr_text(r), *t, *end;
	struct xr_value *v = NULL;

	/* A string keeps its blanks; the others are read trimmed. */
	t = e == E_STRING ? text : xr_trim(text);

	switch (e) {
	case E_STRING:
	case E_BASE64:
	case E_DATETIME:
		v = xr_new(r, e == E_STRING   ? XR_STRING
			      : e == E_BASE64 ? XR_BASE64
					      : XR_DATETIME);
		if (v != NULL) {
			v->s = e == E_STRING ? text : xstrdup(t);
			if (e == E_STRING)
				text = NULL;
		}
		break;
	case E_INT:
	case E_I4:
	case E_I8:
	case E_BOOLEAN: {
		long long i;

		errno = 0;
		i = strtoll(t, &end, 10);
		if (*t == '\0' || *end != '\0' || errno != 0 ||
		    (e == E_BOOLEAN && i != 0 && i != 1) ||
		    (e != E_I8 && (i < -2147483648LL || i > 2147483647LL))) {
			XR_FAIL(r, "<%s> holds no such number",
				xr_elem_names[e]);
			break;
		}
		v = xr_new(r, e == E_BOOLEAN ? XR_BOOL : XR_INT);
		if (v != NULL)
			v->i = i;
		break;
	}
	case E_DOUBLE: {
		double d;

		errno = 0;
		d = strtod(t, &end);
		if (*t == '\0' || *end != '\0' || errno != 0) {
			XR_FAIL(r, "<%s> holds no such number", "double");
			break;
		}
		v = xr_new(r, XR_DOUBLE);
		if (v != NULL)
			v->d = d;
		break;
	}
	case E_NIL:
		if (*t != '\0')
			XR_FAIL(r, "<%s> holds text", "nil");
		else
			v = xr_new(r, XR_NIL);
		break;
	default:
		break;
	}
	free(text);
	return v;
}

static void XMLCALL
xr_end(void *arg, const XML_Char *name)
{
	struct xr_reader *r = arg;
	struct xr_frame *f, *p;

	(void)name;
	if (r->failed || r->depth == 0)
		return;
	f = &r->stack[--r->depth];
	p = r->depth > 0 ? &r->stack[r->depth - 1] : NULL;
	switch (f->e) {
	case E_METHODNAME: {
		char *t = xr_text(r);

		if (r->call->method != NULL || *xr_trim(t) == '\0') {
			free(t);
			XR_FAIL(r, "%s",
				"one methodName, not empty, is needed");
			return;
		}
		r->call->method = xstrdup(xr_trim(t));
		free(t);
		return;
	}
	case E_NAME:
		free(p->name);
		p->name = xr_text(r);
		return;
	case E_ARRAY:
	case E_STRUCT:
		if (p->val != NULL) {
			xmlrpc_value_free(f->val);
			XR_FAIL(r, "%s", "a <value> holds one value");
			return;
		}
		p->val = f->val;
		f->val = NULL;
		r->text.len = 0;
		return;
	case E_VALUE: {
		struct xr_value *v = f->val;

		if (v == NULL) {
			v = xr_new(r, XR_STRING);
			if (v == NULL)
				return;
			v->s = xr_text(r);
		}
		f->val = NULL;
		if (p->e == E_PARAM) {
			struct xr_call *c = r->call;

			if (p->val != NULL) {
				xmlrpc_value_free(v);
				XR_FAIL(r, "%s", "a <param> holds one value");
				return;
			}
			if (c->nparams == c->cap) {
				c->cap = c->cap ? c->cap * 2 : 4;
				c->params = xrealloc(
				    c->params, c->cap * sizeof(*c->params));
			}
			c->params[c->nparams++] = v;
			p->val = v; /* owned by the call: only a mark */
		} else if (p->e == E_DATA) {
			xr_append(r->stack[r->depth - 2].val, NULL, v);
		} else if (p->val != NULL) { /* E_MEMBER */
			xmlrpc_value_free(v);
			XR_FAIL(r, "%s", "a <member> holds one value");
		} else {
			p->val = v;
		}
		r->text.len = 0;
		return;
	}
	case E_MEMBER:
		if (f->name == NULL || f->val == NULL) {
			free(f->name);
			xmlrpc_value_free(f->val);
			XR_FAIL(r, "%s",
				"a <member> needs a <name> and a <value>");
			return;
		}
		xr_append(p->val, f->name, f->val);
		r->text.len = 0;
		return;
	case E_PARAM:
		if (f->val == NULL)
			XR_FAIL(r, "%s", "a <param> needs a <value>");
		r->text.len = 0;
		return;
	default:
		if (f->e >= E_STRING) {
			struct xr_value *v = xr_scalar(r, f->e);

			if (v == NULL)
				return;
			if (p->val != NULL) {
				xmlrpc_value_free(v);
				XR_FAIL(r, "%s", "a <value> holds one value");
				return;
			}
			p->val = v;
		}
		r->text.len = 0;
		return;
	}
}

static void XMLCALL
xr_doctype(void *arg, const XML_Char *name, const XML_Char *sysid,
	   const XML_Char *pubid, int has_internal_subset)
{
	(void)name;
	(void)sysid;
	(void)pubid;
	(void)has_internal_subset;
	XR_FAIL((struct xr_reader *)arg, "%s", "a DOCTYPE is refused");
}

/* Read a methodCall; see xmlrpc.h. */
int
xmlrpc_parse(const char *buf, size_t len, struct xr_call *call, char *why,
	     size_t whylen)
{
	struct xr_reader r = {.call = call, .why = why, .whylen = whylen};
	enum XML_Status st;

	memset(call, 0, sizeof(*call));
	if (len > (size_t)INT32_MAX) {
		snprintf(why, whylen, "the call is too long");
		return -1;
	}
	r.p = XML_ParserCreate(NULL);
	if (r.p == NULL) {
		snprintf(why, whylen, "cannot make an XML parser");
		return -1;
	}
	XML_SetUserData(r.p, &r);
	XML_SetElementHandler(r.p, xr_start, xr_end);
	XML_SetCharacterDataHandler(r.p, xr_chars);
	XML_SetStartDoctypeDeclHandler(r.p, xr_doctype);
	st = XML_Parse(r.p, buf, (int)len, XML_TRUE);
	if (st == XML_STATUS_ERROR && !r.failed) {
		r.failed = true;
		snprintf(why, whylen, "line %lu: %s",
			 (unsigned long)XML_GetCurrentLineNumber(r.p),
			 XML_ErrorString(XML_GetErrorCode(r.p)));
	}
	if (!r.failed && call->method == NULL) {
		r.failed = true;
		snprintf(why, whylen, "no methodName");
	}
	/* Frames left open after a failure own their values. */
	for (size_t i = 0; i < r.depth; i++) {
		if (r.stack[i].e != E_PARAM)
			xmlrpc_value_free(r.stack[i].val);
		free(r.stack[i].name);
	}
	XML_ParserFree(r.p);
	sbuf_free(&r.text);
	if (r.failed) {
		xmlrpc_call_free(call);
		return -1;
	}
	return 0;
}

/* Free a value and everything in it. */
void
xmlrpc_value_free(struct xr_value *v)
{
	if (v == NULL)
		return;
	for (size_t i = 0; i < v->n; i++) {
		xmlrpc_value_free(v->v[i]);
		if (v->keys != NULL)
			free(v->keys[i]);
	}
	free(v->v);
	free(v->keys);
	free(v->s);
	free(v);
}

/* Free a call's contents. */
void
xmlrpc_call_free(struct xr_call *call)
{
	for (size_t i = 0; i < call->nparams; i++)
		xmlrpc_value_free(call->params[i]);
	free(call->params);
	free(call->method);
	memset(call, 0, sizeof(*call));
}

/* A struct's member; see xmlrpc.h. */
const struct xr_value *
xmlrpc_member(const struct xr_value *v, const char *key)
{
	if (v == NULL || v->type != XR_STRUCT)
		return NULL;
	for (size_t i = 0; i < v->n; i++)
		if (strcmp(v->keys[i], key) == 0)
			return v->v[i];
	return NULL;
}

/*
 * Text as XML character data: markup escaped; what XML 1.0 cannot carry
 * replaced, so that every answer is well-formed whatever a ward wrote
 * (expat, Python's xmlrpc.client, refuses the whole answer otherwise):
 * C0 controls but tab, newline and return become '?'; a byte of invalid
 * UTF-8 (escape_utf8_len()) and the noncharacters U+FFFE and U+FFFF
 * become U+FFFD.
 */
static void
xr_escape(struct sbuf *b, const char *s)
{
	while (*s != '\0') {
		unsigned char c = (unsigned char)*s;
		uint32_t cp;
		size_t k;

		if (c >= 0x80) {
			k = escape_utf8_len((const unsigned char *)s, 4, &cp);
			if (k == 0 || cp == 0xfffe || cp == 0xffff) {
				sbuf_add(b, "\xef\xbf\xbd", 3);
				s += k == 0 ? 1 : k;
			} else {
				sbuf_add(b, s, k);
				s += k;
			}
			continue;
		}
		if (c == '<')
			sbuf_add(b, "&lt;", 4);
		else if (c == '>')
			sbuf_add(b, "&gt;", 4);
		else if (c == '&')
			sbuf_add(b, "&amp;", 5);
		else if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
			sbuf_add(b, "?", 1);
		else if (c == '\r')
			sbuf_add(b, "&#13;", 5);
		else
			sbuf_add(b, s, 1);
		s++;
	}
}

void
xmlrpc_response_begin(struct sbuf *b)
{
	sbuf_addf(b, "<?xml version='1.0'?>\n<methodResponse>\n<params>\n"
		     "<param>\n");
}

void
xmlrpc_response_end(struct sbuf *b)
{
	sbuf_addf(b, "</param>\n</params>\n</methodResponse>\n");
}

void
xmlrpc_fault(struct sbuf *b, int code, const char *msg)
{
	sbuf_addf(b, "<?xml version='1.0'?>\n<methodResponse>\n<fault>\n");
	xmlrpc_fault_struct(b, code, msg);
	sbuf_addf(b, "</fault>\n</methodResponse>\n");
}

void
xmlrpc_fault_struct(struct sbuf *b, int code, const char *msg)
{
	xmlrpc_struct_begin(b);
	xmlrpc_member_int(b, "faultCode", code);
	xmlrpc_member_string(b, "faultString", msg);
	xmlrpc_struct_end(b);
}

void
xmlrpc_add_int(struct sbuf *b, long long i)
{
	/* XML-RPC's int is 32 bits; supervisord caps its times so too. */
	if (i > 2147483647LL)
		i = 2147483647LL;
	if (i < -2147483648LL)
		i = -2147483648LL;
	sbuf_addf(b, "<value><int>%lld</int></value>\n", i);
}

void
xmlrpc_add_bool(struct sbuf *b, bool v)
{
	sbuf_addf(b, "<value><boolean>%d</boolean></value>\n", v ? 1 : 0);
}

void
xmlrpc_add_string(struct sbuf *b, const char *s)
{
	sbuf_add(b, "<value><string>", 15);
	xr_escape(b, s);
	sbuf_add(b, "</string></value>\n", 18);
}

void
xmlrpc_array_begin(struct sbuf *b)
{
	sbuf_addf(b, "<value><array><data>\n");
}

void
xmlrpc_array_end(struct sbuf *b)
{
	sbuf_addf(b, "</data></array></value>\n");
}

void
xmlrpc_struct_begin(struct sbuf *b)
{
	sbuf_addf(b, "<value><struct>\n");
}

void
xmlrpc_struct_end(struct sbuf *b)
{
	sbuf_addf(b, "</struct></value>\n");
}

void
xmlrpc_member_begin(struct sbuf *b, const char *name)
{
	sbuf_add(b, "<member>\n<name>", 15);
	xr_escape(b, name);
	sbuf_add(b, "</name>\n", 8);
}

void
xmlrpc_member_end(struct sbuf *b)
{
	sbuf_addf(b, "</member>\n");
}

void
xmlrpc_member_int(struct sbuf *b, const char *name, long long i)
{
	xmlrpc_member_begin(b, name);
	xmlrpc_add_int(b, i);
	xmlrpc_member_end(b);
}

void
xmlrpc_member_string(struct sbuf *b, const char *name, const char *s)
{
	xmlrpc_member_begin(b, name);
	xmlrpc_add_string(b, s);
	xmlrpc_member_end(b);
}
