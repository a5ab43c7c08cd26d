/*
 * HTML escaping for the web page (ctl/web.c).  Pure.
 *
 * Two steps: what a terminal would be fooled by (escape_text(): C0 and
 * C1 controls, DEL, bidi and line marks, invalid UTF-8) becomes visible
 * text such as \x1b; then the five characters that HTML gives a meaning
 * (& < > " ') become references.  The result is the same in text and in
 * a quoted attribute, so one function serves both.
 */
#include <stdlib.h>
#include <string.h>

#include "base/escape.h"
#include "base/html.h"

static void
html_refs(struct sbuf *b, const char *s, size_t len)
{
	size_t run = 0;

	for (size_t i = 0; i < len; i++) {
		const char *ref;

		switch (s[i]) {
		case '&':
			ref = "&amp;";
			break;
		case '<':
			ref = "&lt;";
			break;
		case '>':
			ref = "&gt;";
			break;
		case '"':
			ref = "&quot;";
			break;
		case '\'':
			ref = "&#39;";
			break;
		default:
			continue;
		}
		sbuf_add(b, s + run, i - run);
		sbuf_add(b, ref, strlen(ref));
		run = i + 1;
	}
	sbuf_add(b, s + run, len - run);
}

/* See html.h. */
void
html_add(struct sbuf *b, const char *s, size_t len)
{
	char small[256];
	char *buf;
	size_t n;

	if (escape_clean(s, len)) {
		html_refs(b, s, len);
		return;
	}
	buf = ESCAPE_BOUND(len) + 1 <= sizeof(small)
		  ? small
		  : xmalloc(ESCAPE_BOUND(len) + 1);
	n = escape_text(buf, s, len);
	html_refs(b, buf, n);
	if (buf != small)
		free(buf);
}

/* See html.h. */
void
html_adds(struct sbuf *b, const char *s)
{
	if (s != NULL)
		html_add(b, s, strlen(s));
}
