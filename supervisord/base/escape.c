/*
 * Everything a ward wrote is escaped before a person sees it.
 *
 * A ward's STATUS= and WORK= text, its name in a reason, a file name in
 * an error: all of it may reach a terminal, through stewardd's readable
 * stderr lines, stewardctl's tables and "stewardctl log", or --check.  A
 * terminal obeys what it is sent: C0 controls (ESC starts a sequence),
 * C1 controls (U+009B is CSI, as is the lone byte 0x9b on a terminal
 * that reads 8-bit controls), and the bidirectional overrides and
 * isolates that reorder what follows them on the line (U+202E makes
 * "exe.txt" read "txt.exe").  So every such output passes its text
 * through escape_text(), the one function that decides, and shows each
 * of these visibly: "\x1b", "\u009b", "\u202e"; a byte that is not
 * valid UTF-8 as "\x9b", never as the Latin-1 character it would be.
 * Valid printable UTF-8 is kept as it is.  A backslash is kept too: the
 * result is for reading, not for parsing back.
 *
 * JSON output escapes by JSON's rules instead (sbuf_add_json() in
 * err.c), with the same UTF-8 check, escape_utf8_len().
 *
 * The cost is one pass over the text, and no allocation for the caller
 * that passes its own buffer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/escape.h"

/* The length of the valid UTF-8 sequence at s; see escape.h. */
size_t
escape_utf8_len(const unsigned char *s, size_t avail, uint32_t *cp)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xbf;
	size_t n;
	uint32_t v;

	if (avail == 0)
		return 0;
	if (c < 0x80) {
		n = 1;
		v = c;
	} else if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		v = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		v = c & 0x0f;
		lo = c == 0xe0 ? 0xa0 : 0x80; /* no overlong forms */
		hi = c == 0xed ? 0x9f : 0xbf; /* no surrogates */
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		v = c & 0x07;
		lo = c == 0xf0 ? 0x90 : 0x80; /* no overlong forms */
		hi = c == 0xf4 ? 0x8f : 0xbf; /* nothing past U+10FFFF */
	} else {
		return 0;
	}
	if (n > avail)
		return 0;
	for (size_t i = 1; i < n; i++) {
		unsigned char b = s[i];

		if (i == 1 ? (b < lo || b > hi) : (b & 0xc0) != 0x80)
			return 0;
		v = v << 6 | (b & 0x3f);
	}
	if (cp != NULL)
		*cp = v;
	return n;
}

/* True for a code point shown escaped; see escape.h. */
bool
escape_hidden(uint32_t cp)
{
	if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f))
		return true; /* C0, DEL, C1 */
	switch (cp) {
	case 0x061c: /* arabic letter mark */
	case 0x200e: /* left-to-right mark */
	case 0x200f: /* right-to-left mark */
	case 0x2028: /* line separator */
	case 0x2029: /* paragraph separator */
	case 0xfffe: /* noncharacters: no place in XML 1.0, nor in HTML */
	case 0xffff:
		return true;
	default:
		break;
	}
	return (cp >= 0x202a && cp <= 0x202e) || /* embeddings, overrides */
	       (cp >= 0x2066 && cp <= 0x2069);   /* isolates */
}

/* Write src escaped into dst; see escape.h. */
size_t
escape_text(char *dst, const char *src, size_t len)
{
	const unsigned char *p = (const unsigned char *)src;
	size_t i = 0, o = 0;

	while (i < len) {
		uint32_t cp = 0;
		size_t n = escape_utf8_len(p + i, len - i, &cp);

		if (n == 0) {
			o += (size_t)snprintf(dst + o, 5, "\\x%02x", p[i]);
			i++;
			continue;
		}
		if (!escape_hidden(cp)) {
			memcpy(dst + o, p + i, n);
			o += n;
		} else if (cp == '\n' || cp == '\t' || cp == '\r') {
			dst[o++] = '\\';
			dst[o++] = cp == '\n' ? 'n' : cp == '\t' ? 't' : 'r';
		} else if (cp < 0x80) {
			o += (size_t)snprintf(dst + o, 5, "\\x%02x", cp);
		} else {
			o += (size_t)snprintf(dst + o, 7, "\\u%04x", cp);
		}
		i += n;
	}
	dst[o] = '\0';
	return o;
}

/* True when nothing in src needs escaping. */
bool
escape_clean(const char *src, size_t len)
{
	const unsigned char *p = (const unsigned char *)src;
	size_t i = 0;

	while (i < len) {
		uint32_t cp = 0;
		size_t n;

		if (p[i] >= 0x20 && p[i] < 0x7f) {
			i++;
			continue;
		}
		n = escape_utf8_len(p + i, len - i, &cp);
		if (n == 0 || escape_hidden(cp))
			return false;
		i += n;
	}
	return true;
}

/* A new escaped copy of s; see escape.h. */
char *
escape_dup(const char *s)
{
	size_t len = s != NULL ? strlen(s) : 0;
	char *d = malloc(ESCAPE_BOUND(len) + 1);

	if (d == NULL)
		abort();
	escape_text(d, s != NULL ? s : "", len);
	return d;
}
