/*
 * Text a ward wrote, made safe to show a person (see escape.c).
 */
#ifndef STEWARD_ESCAPE_H
#define STEWARD_ESCAPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The most bytes escape_text() writes for len bytes, without the NUL. */
#define ESCAPE_BOUND(len) ((len)*4)

/*
 * The length of the valid UTF-8 sequence at s, of at most avail bytes:
 * 1 for ASCII, 0 when the bytes there are not valid UTF-8 (overlong
 * forms, surrogates, past U+10FFFF, a cut sequence).  A NUL is never a
 * continuation byte, so with a NUL-terminated string any avail is safe.
 * With cp non-NULL, a valid sequence's code point is stored there.
 */
size_t escape_utf8_len(const unsigned char *s, size_t avail, uint32_t *cp);

/*
 * True for a code point shown escaped: C0, DEL, C1, bidi and line marks,
 * and the noncharacters U+FFFE and U+FFFF.
 */
bool escape_hidden(uint32_t cp);

/*
 * Write len bytes of src to dst, escaped for a terminal, and a NUL: a
 * hidden code point as \n, \t, \r, \xNN (C0, DEL) or \uNNNN (C1, bidi
 * controls, U+FFFE, U+FFFF), a byte of invalid UTF-8 as \xNN;
 * everything else as it is.  dst holds ESCAPE_BOUND(len) + 1 bytes.
 * Returns the bytes written, without the NUL.
 */
size_t escape_text(char *dst, const char *src, size_t len);

/* True when escape_text() would change nothing. */
bool escape_clean(const char *src, size_t len);

/* A new string: s escaped ("" for NULL).  Aborts when memory is out. */
char *escape_dup(const char *s);

#endif
