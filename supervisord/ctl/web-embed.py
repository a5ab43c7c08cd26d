#!/usr/bin/env python3
"""Make web-page.h from web-page.html: the page as an array of its
lines (ISO C bounds a string literal; ctl/web.c fills the @NAME@ marks,
each within a line).  Run by meson at build time."""
import sys

src, out = sys.argv[1], sys.argv[2]
with open(src, encoding="utf-8") as f:
    text = f.read()
lines = ["/* Made from web-page.html by web-embed.py: do not edit. */",
         "static const char *const web_page_lines[] = {"]
for line in text.splitlines(keepends=True):
    esc = line.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    lines.append('\t"' + esc + '",')
lines.append("};")
with open(out, "w", encoding="utf-8") as f:
    f.write("\n".join(lines) + "\n")
