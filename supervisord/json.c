/*
 * A strict JSON reader (RFC 8259); the contract is in json.h.
 *
 * One recursive-descent pass over the bytes, with the depth bounded by
 * JSON_DEPTH_MAX, so the C stack holds at most that many frames.  Every
 * node is one struct json; an array's or object's children live in one
 * array of nodes grown by doubling, so a document of n values costs O(n)
 * time and memory (duplicate keys are found by a linear scan in small
 * objects and by sorting in larger ones: O(k log k) for k members).
 *
 * A string is scanned twice: once to find its closing quote (which
 * bounds its decoded length, since every escape decodes to fewer bytes
 * than it takes), once to validate and decode it into a buffer of that
 * size.  Raw bytes are checked as UTF-8 (escape_utf8_len(), by Unicode's
 * table 3-7), because the input need not be a C string and a reader of a
 * decoded string should be able to trust it.
 *
 * The first error wins: the parser stops at once and reports where it
 * was and what it expected there.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "escape.h"
#include "json.h"

/* Objects with more members than this are checked for duplicates by
 * sorting instead of comparing every pair. */
#define JSON_DUP_LINEAR 16

struct json_parser {
	const unsigned char *s;
	size_t len;
	size_t pos;
	struct err *e; /* the first error, or NULL */
};

static int json_value(struct json_parser *p, struct json *out, int depth);

/* Record the first error: where it happened and what was wrong. */
static int json_fail(struct json_parser *p, size_t at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
json_fail(struct json_parser *p, size_t at, const char *fmt, ...)
{
	va_list ap;
	char *what;

	if (p->e != NULL)
		return -1;
	va_start(ap, fmt);
	what = xvasprintf(fmt, ap);
	va_end(ap);
	p->e = ERR_NEW("invalid JSON at byte %zu: %s", at, what);
	err_set(p->e, "offset", "%zu", at);
	free(what);
	return -1;
}

/* What is at position at, in words, for "found ..." (buf >= 32). */
static const char *
json_found(const struct json_parser *p, size_t at, char *buf, size_t len)
{
	unsigned char c;

	if (at >= p->len)
		return "the end of the input";
	c = p->s[at];
	if (c > 0x20 && c < 0x7f)
		snprintf(buf, len, "'%c'", c);
	else
		snprintf(buf, len, "byte 0x%02x", c);
	return buf;
}

/* Fail with "expected WHAT, found X" at the current position. */
static int
json_expected(struct json_parser *p, const char *what)
{
	char buf[32];

	return json_fail(p, p->pos, "expected %s, found %s", what,
			 json_found(p, p->pos, buf, sizeof(buf)));
}

/* Skip the four whitespace bytes JSON allows. */
static void
json_ws(struct json_parser *p)
{
	while (p->pos < p->len) {
		unsigned char c = p->s[p->pos];

		if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
			break;
		p->pos++;
	}
}

/* The byte at the current position, or -1 at the end. */
static int
json_peek(const struct json_parser *p)
{
	return p->pos < p->len ? p->s[p->pos] : -1;
}

/* Write code point cp as UTF-8; returns the bytes written. */
static size_t
json_put_utf8(char *out, unsigned long cp)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* Read the four hex digits of a \u escape starting at at. */
static int
json_hex4(struct json_parser *p, size_t at, unsigned long *out)
{
	char buf[32];

	*out = 0;
	for (size_t i = 0; i < 4; i++) {
		int c = at + i < p->len ? p->s[at + i] : -1;
		unsigned long d;

		if (c >= '0' && c <= '9')
			d = (unsigned long)(c - '0');
		else if (c >= 'a' && c <= 'f')
			d = (unsigned long)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			d = (unsigned long)(c - 'A' + 10);
		else
			return json_fail(
			    p, at + i,
			    "expected 4 hex digits after \\u, found %s",
			    json_found(p, at + i, buf, sizeof(buf)));
		*out = *out << 4 | d;
	}
	return 0;
}

/* Decode one \u escape (a surrogate pair takes two) at p->pos. */
static int
json_unicode_escape(struct json_parser *p, char *out, size_t *outlen)
{
	size_t start = p->pos; /* the backslash */
	unsigned long cp, lo;

	if (json_hex4(p, start + 2, &cp) == -1)
		return -1;
	p->pos = start + 6;
	if (cp >= 0xdc00 && cp <= 0xdfff)
		return json_fail(
		    p, start,
		    "unpaired surrogate \\u%04lX (a low surrogate must follow "
		    "a high one \\uD800-\\uDBFF)",
		    cp);
	if (cp >= 0xd800 && cp <= 0xdbff) {
		if (p->pos + 1 >= p->len || p->s[p->pos] != '\\' ||
		    p->s[p->pos + 1] != 'u')
			return json_fail(
			    p, start,
			    "unpaired surrogate \\u%04lX (a high surrogate "
			    "must be followed by a low one \\uDC00-\\uDFFF)",
			    cp);
		if (json_hex4(p, p->pos + 2, &lo) == -1)
			return -1;
		if (lo < 0xdc00 || lo > 0xdfff)
			return json_fail(
			    p, start,
			    "unpaired surrogate \\u%04lX (a high surrogate "
			    "must be followed by a low one \\uDC00-\\uDFFF)",
			    cp);
		cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
		p->pos += 6;
	}
	*outlen += json_put_utf8(out + *outlen, cp);
	return 0;
}

/* Parse a string at p->pos (its opening quote) into *str and *len. */
static int
json_string(struct json_parser *p, char **str, size_t *len)
{
	size_t start = p->pos, end, n = 0;
	char *out, buf[32];

	/* Find the closing quote; it bounds the decoded length. */
	for (end = start + 1; end < p->len && p->s[end] != '"'; end++)
		if (p->s[end] == '\\')
			end++;
	if (end >= p->len)
		return json_fail(p, p->len,
				 "unterminated string (it starts at byte %zu)",
				 start);
	out = xmalloc(end - start);
	p->pos = start + 1;
	while (p->pos < end) {
		unsigned char c = p->s[p->pos];
		size_t k;

		if (c == '\\') {
			int esc = p->s[p->pos + 1];
			const char *from = "\"\\/bfnrt",
				   *to = "\"\\/\b\f\n\r\t";
			const char *hit = strchr(from, esc);

			if (esc == 'u') {
				if (json_unicode_escape(p, out, &n) == -1)
					goto fail;
				continue;
			}
			if (esc == '\0' || hit == NULL) {
				if (esc > 0x20 && esc < 0x7f)
					snprintf(buf, sizeof(buf), "\\%c", esc);
				else
					snprintf(buf, sizeof(buf),
						 "\\ and byte 0x%02x", esc);
				json_fail(
				    p, p->pos,
				    "invalid escape %s in a string (JSON has "
				    "\\\" \\\\ \\/ \\b \\f \\n \\r \\t and "
				    "\\uXXXX)",
				    buf);
				goto fail;
			}
			out[n++] = to[hit - from];
			p->pos += 2;
		} else if (c < 0x20) {
			json_fail(
			    p, p->pos,
			    "control byte 0x%02x in a string; write it as "
			    "\\u%04x",
			    c, c);
			goto fail;
		} else if ((k = escape_utf8_len(p->s + p->pos, end - p->pos,
						NULL)) == 0) {
			json_fail(p, p->pos,
				  "invalid UTF-8 byte 0x%02x in a string", c);
			goto fail;
		} else {
			memcpy(out + n, p->s + p->pos, k);
			n += k;
			p->pos += k;
		}
	}
	out[n] = '\0';
	p->pos = end + 1;
	*str = out;
	*len = n;
	return 0;
fail:
	free(out);
	return -1;
}

/* Scan a run of digits; returns how many there were. */
static size_t
json_digits(struct json_parser *p)
{
	size_t n = 0;

	while (p->pos < p->len && p->s[p->pos] >= '0' && p->s[p->pos] <= '9') {
		p->pos++;
		n++;
	}
	return n;
}

/* Parse a number at p->pos by RFC 8259's grammar. */
static int
json_number(struct json_parser *p, struct json *out)
{
	size_t start = p->pos, n;
	bool plain = true, range;
	char small[64], *tok, *end;
	double d;

	if (json_peek(p) == '-')
		p->pos++;
	if (json_peek(p) == '0') {
		p->pos++;
		if (json_peek(p) >= '0' && json_peek(p) <= '9')
			return json_fail(p, p->pos,
					 "a number cannot have a leading zero");
	} else if (json_digits(p) == 0)
		return json_expected(p, "a digit in the number");
	if (json_peek(p) == '.') {
		plain = false;
		p->pos++;
		if (json_digits(p) == 0)
			return json_expected(p, "a digit after the '.'");
	}
	if (json_peek(p) == 'e' || json_peek(p) == 'E') {
		plain = false;
		p->pos++;
		if (json_peek(p) == '+' || json_peek(p) == '-')
			p->pos++;
		if (json_digits(p) == 0)
			return json_expected(p, "a digit in the exponent");
	}
	n = p->pos - start;
	tok = n < sizeof(small) ? small : xmalloc(n + 1);
	memcpy(tok, p->s + start, n);
	tok[n] = '\0';
	errno = 0;
	d = strtod(tok, &end);
	range = errno == ERANGE;
	if (range && (d > 1.0 || d < -1.0)) {
		if (tok != small)
			free(tok);
		return json_fail(p, start,
				 "the number is too large for a "
				 "double");
	}
	out->type = JSON_NUMBER;
	out->num = d;
	if (plain) {
		long long v;

		errno = 0;
		v = strtoll(tok, &end, 10);
		if (errno == 0 && *end == '\0') {
			out->is_int = true;
			out->i = v;
		}
	} else if (!range && d >= -9007199254740992.0 &&
		   d <= 9007199254740992.0 && (double)(int64_t)d == d) {
		out->is_int = true;
		out->i = (int64_t)d;
	}
	if (tok != small)
		free(tok);
	return 0;
}

/* Parse the literal word (true, false, null) at p->pos. */
static int
json_literal(struct json_parser *p, const char *word, enum json_type t,
	     struct json *out)
{
	size_t n = strlen(word);

	for (size_t i = 0; i < n; i++) {
		if (p->pos + i >= p->len || p->s[p->pos + i] != word[i]) {
			char buf[32];

			return json_fail(
			    p, p->pos + i, "expected the literal %s, found %s",
			    word, json_found(p, p->pos + i, buf, sizeof(buf)));
		}
	}
	p->pos += n;
	out->type = t;
	return 0;
}

/* Append an empty child to a container node; returns it. */
static struct json *
json_push(struct json *parent, size_t *cap)
{
	if (parent->n == *cap) {
		*cap = *cap ? *cap * 2 : 4;
		parent->v = xrealloc(parent->v, *cap * sizeof(*parent->v));
	}
	memset(&parent->v[parent->n], 0, sizeof(parent->v[0]));
	return &parent->v[parent->n++];
}

/* Order members by key, then by where they appear. */
static int
json_key_cmp(const void *a, const void *b)
{
	const struct json *x = *(const struct json *const *)a;
	const struct json *y = *(const struct json *const *)b;
	size_t n = x->key_len < y->key_len ? x->key_len : y->key_len;
	int c = memcmp(x->key, y->key, n);

	if (c != 0)
		return c;
	if (x->key_len != y->key_len)
		return x->key_len < y->key_len ? -1 : 1;
	return x->offset < y->offset ? -1 : x->offset > y->offset;
}

/* Whether two members have the same key. */
static bool
json_same_key(const struct json *x, const struct json *y)
{
	return x->key_len == y->key_len &&
	       memcmp(x->key, y->key, x->key_len) == 0;
}

/* Refuse an object in which a key appears twice. */
static int
json_check_dups(struct json_parser *p, const struct json *obj,
		const size_t *key_at)
{
	const struct json *first = NULL, *second = NULL;

	if (obj->n <= JSON_DUP_LINEAR) {
		for (size_t i = 1; i < obj->n && second == NULL; i++)
			for (size_t k = 0; k < i; k++)
				if (json_same_key(&obj->v[k], &obj->v[i])) {
					first = &obj->v[k];
					second = &obj->v[i];
					break;
				}
	} else {
		const struct json **idx = xcalloc(obj->n, sizeof(*idx));

		for (size_t i = 0; i < obj->n; i++)
			idx[i] = &obj->v[i];
		qsort(idx, obj->n, sizeof(*idx), json_key_cmp);
		/* Report the earliest second occurrence in the document. */
		for (size_t i = 1; i < obj->n; i++)
			if (json_same_key(idx[i - 1], idx[i]) &&
			    (second == NULL ||
			     idx[i]->offset < second->offset)) {
				first = idx[i - 1];
				second = idx[i];
			}
		free(idx);
	}
	if (second == NULL)
		return 0;
	/* key_at[i] is where member i's key starts. */
	return json_fail(
	    p, key_at[second - obj->v],
	    "duplicate key \"%s\" in an object (first at byte %zu)",
	    second->key, key_at[first - obj->v]);
}

/* Parse an object at p->pos (its '{'). */
static int
json_object(struct json_parser *p, struct json *out, int depth)
{
	size_t cap = 0, kcap = 0, *key_at = NULL;
	int rc = -1;

	out->type = JSON_OBJECT;
	p->pos++;
	json_ws(p);
	if (json_peek(p) == '}') {
		p->pos++;
		return 0;
	}
	for (;;) {
		struct json *m;
		char *key;
		size_t klen, at;

		if (json_peek(p) != '"') {
			json_expected(p, out->n == 0 ? "'\"' to start a key or "
						       "'}'"
						     : "'\"' to start a key");
			goto out;
		}
		at = p->pos;
		if (json_string(p, &key, &klen) == -1)
			goto out;
		m = json_push(out, &cap);
		m->key = key;
		m->key_len = klen;
		if (kcap < cap) {
			kcap = cap;
			key_at = xrealloc(key_at, kcap * sizeof(*key_at));
		}
		key_at[out->n - 1] = at;
		json_ws(p);
		if (json_peek(p) != ':') {
			json_expected(p, "':' after an object key");
			goto out;
		}
		p->pos++;
		json_ws(p);
		if (json_value(p, m, depth + 1) == -1)
			goto out;
		json_ws(p);
		if (json_peek(p) == ',') {
			p->pos++;
			json_ws(p);
			continue;
		}
		if (json_peek(p) == '}') {
			p->pos++;
			break;
		}
		json_expected(p, "',' or '}' after an object member");
		goto out;
	}
	rc = json_check_dups(p, out, key_at);
out:
	free(key_at);
	return rc;
}

/* Parse an array at p->pos (its '['). */
static int
json_array(struct json_parser *p, struct json *out, int depth)
{
	size_t cap = 0;

	out->type = JSON_ARRAY;
	p->pos++;
	json_ws(p);
	if (json_peek(p) == ']') {
		p->pos++;
		return 0;
	}
	for (;;) {
		if (json_value(p, json_push(out, &cap), depth + 1) == -1)
			return -1;
		json_ws(p);
		if (json_peek(p) == ',') {
			p->pos++;
			json_ws(p);
			continue;
		}
		if (json_peek(p) == ']') {
			p->pos++;
			return 0;
		}
		return json_expected(p, "',' or ']' after an array item");
	}
}

/* Parse any value at p->pos (whitespace already skipped). */
static int
json_value(struct json_parser *p, struct json *out, int depth)
{
	int c = json_peek(p);

	out->offset = p->pos;
	if ((c == '{' || c == '[') && depth >= JSON_DEPTH_MAX)
		return json_fail(
		    p, p->pos,
		    "arrays and objects nested deeper than %d levels",
		    JSON_DEPTH_MAX);
	switch (c) {
	case '{':
		return json_object(p, out, depth);
	case '[':
		return json_array(p, out, depth);
	case '"':
		out->type = JSON_STRING;
		return json_string(p, &out->str, &out->str_len);
	case 't':
		return json_literal(p, "true", JSON_TRUE, out);
	case 'f':
		return json_literal(p, "false", JSON_FALSE, out);
	case 'n':
		return json_literal(p, "null", JSON_NULL, out);
	default:
		if (c == '-' || (c >= '0' && c <= '9'))
			return json_number(p, out);
		return json_expected(p, "a value (object, array, string, "
					"number, true, false or null)");
	}
}

/* Free what a node owns, not the node itself. */
static void
json_clear(struct json *j)
{
	for (size_t i = 0; i < j->n; i++)
		json_clear(&j->v[i]);
	free(j->v);
	free(j->key);
	free(j->str);
}

/* Parse one document; see json.h. */
struct json *
json_parse(const char *s, size_t len, struct err **errp)
{
	struct json_parser p = {.s = (const unsigned char *)s, .len = len};
	struct json *root = xcalloc(1, sizeof(*root));

	if (len > JSON_SIZE_MAX)
		json_fail(&p, JSON_SIZE_MAX,
			  "the document is %zu bytes, more than the %d allowed",
			  len, JSON_SIZE_MAX);
	else {
		json_ws(&p);
		if (json_value(&p, root, 0) == 0) {
			json_ws(&p);
			if (p.pos < p.len)
				json_expected(&p, "the end of the document "
						  "after the value");
		}
	}
	if (p.e != NULL) {
		json_free(root);
		if (errp != NULL)
			*errp = p.e;
		else
			err_free(p.e);
		return NULL;
	}
	return root;
}

/* Free a tree from json_parse(). */
void
json_free(struct json *j)
{
	if (j == NULL)
		return;
	json_clear(j);
	free(j);
}

/* The first member named key; see json.h. */
const struct json *
json_get(const struct json *j, const char *key)
{
	size_t n;

	if (j == NULL || j->type != JSON_OBJECT)
		return NULL;
	n = strlen(key);
	for (size_t i = 0; i < j->n; i++)
		if (j->v[i].key_len == n && memcmp(j->v[i].key, key, n) == 0)
			return &j->v[i];
	return NULL;
}

/* How many items or members a container has. */
size_t
json_len(const struct json *j)
{
	if (j == NULL || (j->type != JSON_ARRAY && j->type != JSON_OBJECT))
		return 0;
	return j->n;
}

/* The i-th item or member, or NULL past the end. */
const struct json *
json_at(const struct json *j, size_t i)
{
	return i < json_len(j) ? &j->v[i] : NULL;
}

/* The node's type; a missing node reads as null. */
enum json_type
json_type(const struct json *j)
{
	return j == NULL ? JSON_NULL : j->type;
}

/* A string's decoded text. */
const char *
json_str(const struct json *j)
{
	return j != NULL && j->type == JSON_STRING ? j->str : NULL;
}

/* A string's decoded length. */
size_t
json_str_len(const struct json *j)
{
	return j != NULL && j->type == JSON_STRING ? j->str_len : 0;
}

/* A number's value as a double. */
int
json_num(const struct json *j, double *out)
{
	if (j == NULL || j->type != JSON_NUMBER)
		return -1;
	*out = j->num;
	return 0;
}

/* A number's value as an exact int64. */
int
json_int(const struct json *j, int64_t *out)
{
	if (j == NULL || j->type != JSON_NUMBER || !j->is_int)
		return -1;
	*out = j->i;
	return 0;
}

/* A boolean's value. */
int
json_bool(const struct json *j, bool *out)
{
	if (j == NULL || (j->type != JSON_TRUE && j->type != JSON_FALSE))
		return -1;
	*out = j->type == JSON_TRUE;
	return 0;
}

/* Whether the node is the literal null. */
bool
json_is_null(const struct json *j)
{
	return j != NULL && j->type == JSON_NULL;
}
