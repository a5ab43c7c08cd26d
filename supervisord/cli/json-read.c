/*
 * stewardctl's JSON reading on jansson, with the size and depth bounds
 * kept in front of it (see json-read.h).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <stdbool.h>

#include "cli/json-read.h"

/*
 * The offset of the opener that nests deeper than JSON_READ_DEPTH_MAX,
 * or len when there is none.  Brackets inside strings do not count; an
 * input too broken to scan rightly is refused by jansson anyway.
 */
static size_t
json_read_too_deep(const char *s, size_t len)
{
	bool in_str = false, esc = false;
	size_t depth = 0;

	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (in_str) {
			if (esc)
				esc = false;
			else if (c == '\\')
				esc = true;
			else if (c == '"')
				in_str = false;
		} else if (c == '"') {
			in_str = true;
		} else if (c == '[' || c == '{') {
			if (++depth > JSON_READ_DEPTH_MAX)
				return i;
		} else if ((c == ']' || c == '}') && depth > 0) {
			depth--;
		}
	}
	return len;
}

/* An error at byte at; NULL when the caller wants none. */
static json_t *
json_read_fail(struct err **errp, size_t at, const char *what)
{
	struct err *e;

	if (errp == NULL)
		return NULL;
	e = ERR_NEW("invalid JSON at byte %zu: %s", at, what);
	err_set(e, "offset", "%zu", at);
	*errp = e;
	return NULL;
}

json_t *
json_read_doc(const char *s, size_t len, struct err **errp)
{
	json_error_t je;
	const char *nul;
	json_t *j;
	size_t at;
	char what[96];

	if (errp != NULL)
		*errp = NULL;
	if (len > JSON_READ_SIZE_MAX) {
		snprintf(what, sizeof(what),
			 "the document is %zu bytes, more than the %d allowed",
			 len, JSON_READ_SIZE_MAX);
		return json_read_fail(errp, JSON_READ_SIZE_MAX, what);
	}
	/* jansson takes a NUL byte after a scalar for the end: "1\0" would
	 * pass.  JSON has no place for one. */
	if ((nul = memchr(s, '\0', len)) != NULL)
		return json_read_fail(errp, (size_t)(nul - s),
				      "a NUL byte, which JSON never holds");
	if ((at = json_read_too_deep(s, len)) < len) {
		snprintf(what, sizeof(what),
			 "arrays and objects nested deeper than %d levels",
			 JSON_READ_DEPTH_MAX);
		return json_read_fail(errp, at, what);
	}
	j = json_loadb(s, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &je);
	if (j == NULL) {
		at = je.position < 0 ? 0 : (size_t)je.position;
		return json_read_fail(errp, at > len ? len : at, je.text);
	}
	return j;
}

int
json_read_int(const json_t *j, int64_t *out)
{
	double d;

	if (json_is_integer(j)) {
		*out = (int64_t)json_integer_value(j);
		return 0;
	}
	if (!json_is_real(j))
		return -1;
	d = json_real_value(j);
	if (d != floor(d) || fabs(d) > 9007199254740992.0)
		return -1;
	*out = (int64_t)d;
	return 0;
}
