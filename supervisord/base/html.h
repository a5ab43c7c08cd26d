/*
 * Text made safe inside an HTML page (see html.c): the web page of
 * stewardd's HTTP server shows names, reasons and output lines that a
 * ward or a config wrote.
 */
#ifndef STEWARD_HTML_H
#define STEWARD_HTML_H

#include <stddef.h>

#include "base/err.h"

/*
 * Append len bytes of s for HTML text or a quoted attribute value:
 * first escaped as escape_text() escapes for a terminal (control and
 * bidi code points, invalid UTF-8), then & < > " ' as character
 * references.  Never a byte that ends an element, an attribute or a
 * comment.
 */
void html_add(struct sbuf *b, const char *s, size_t len);

/* The same for a string; NULL adds nothing. */
void html_adds(struct sbuf *b, const char *s);

#endif
