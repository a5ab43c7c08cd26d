/*
 * stewardctl's JSON reading (the daemon's replies, the event log's
 * lines), on jansson.
 *
 * json_read_doc() hands one complete document to jansson with
 * JSON_REJECT_DUPLICATES and JSON_DECODE_ANY, and keeps two bounds of
 * its own in front of it: a document longer than JSON_READ_SIZE_MAX
 * bytes, or with arrays and objects nested deeper than
 * JSON_READ_DEPTH_MAX, is refused before jansson reads it, so a hostile
 * input costs bounded stack and memory (jansson's own limit is 2048
 * levels, fixed when it is built).  Everything else RFC 8259 refuses,
 * jansson refuses: comments, trailing commas, leading zeros, raw
 * control bytes in strings, invalid UTF-8, unpaired surrogate escapes,
 * data after the value, and "\u0000" (not asked for with
 * JSON_ALLOW_NUL), so every string is a C string.  A raw NUL byte is
 * refused here (jansson would take one after a scalar for the end of
 * the input).  jansson keeps an
 * object's members in document order, and json_object_foreach() walks
 * them so.
 *
 * Read the tree with jansson's own accessors (json_object_get(),
 * json_string_value(), json_array_get(), ...: each answers NULL or 0 on
 * a NULL or mistyped node, so they chain), and free it with
 * json_decref().
 */
#ifndef STEWARD_JSON_READ_H
#define STEWARD_JSON_READ_H

#include <stdint.h>
#include <stddef.h>

#include <jansson.h>

#include "base/err.h"

#define JSON_READ_DEPTH_MAX 64
#define JSON_READ_SIZE_MAX (16 * 1024 * 1024)

/*
 * Parse exactly one JSON document of len bytes (the input need not be a
 * C string).  Returns the tree, or NULL with *errp (if errp is not NULL)
 * set, e.g. "invalid JSON at byte 7: ..." with the field offset=7.
 */
json_t *json_read_doc(const char *s, size_t len, struct err **errp);

/*
 * 0 and *out for a number that is an exact int64: an integer, or a real
 * with no fractional part within +-2^53 ("1e3", "2.0"); -1 otherwise
 * (NULL included).
 */
int json_read_int(const json_t *j, int64_t *out);

#endif
