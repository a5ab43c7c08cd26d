/*
 * Fuzz the HTTP server's request path past libmicrohttpd: the input is
 * what a client writes on a connection (one request or several, as
 * supervisorctl keeps its connection), the seeds supervisorctl's own
 * requests recorded against stewardd (status, start, tail, tail -f,
 * maintail -f, avail, reread, update, ...).  The harness splits each
 * request as libmicrohttpd hands it over (method, URL decoded, headers,
 * body) and drives what ctl/http.c does with it: http_route() for the
 * URL, http_route_length() for Content-Length, and xmlrpc_parse() for a
 * body posted to /RPC2, answering with the response writer.
 *
 * Properties: a logtail name is not empty, holds no '/', fits, and its
 * channel is what the URL ends with; /RPC2 and / are the XML-RPC path;
 * a Content-Length accepted is a number within the limit, one refused
 * for its size is beyond it; a body read is never larger than the
 * limit; a call accepted answers with a whole methodResponse.
 */
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "fuzz.h"
#include "proto/http-route.h"
#include "proto/xmlrpc.h"

#define BODY_MAX (256 * 1024) /* ctl/http.h's HTTP_BODY_MAX */

/* Decode %XX as libmicrohttpd does for the URL (in place). */
static void
unescape(char *s)
{
	char *w = s;

	for (; *s != '\0'; s++) {
		unsigned v;

		if (s[0] == '%' && s[1] != '\0' && s[2] != '\0' &&
		    sscanf(s + 1, "%2x", &v) == 1 && v != 0) {
			*w++ = (char)v;
			s += 2;
		} else {
			*w++ = *s;
		}
	}
	*w = '\0';
}

/* Check what the URL names against the URL itself. */
static void
check_route(const char *url)
{
	struct http_route r;

	http_route(url, &r);
	switch (r.kind) {
	case HTTP_ROUTE_RPC2:
		FUZZ_CHECK(strcmp(url, "/RPC2") == 0 || strcmp(url, "/") == 0,
			   "%s routed to XML-RPC", url);
		break;
	case HTTP_ROUTE_MAINLOGTAIL:
		FUZZ_CHECK(strcmp(url, "/mainlogtail") == 0, "%s", url);
		break;
	case HTTP_ROUTE_LOGTAIL: {
		size_t n = strlen(r.name);
		const char *rest = url + 9 + n;

		FUZZ_CHECK(strncmp(url, "/logtail/", 9) == 0, "%s", url);
		FUZZ_CHECK(n > 0 && n <= HTTP_ROUTE_NAME_MAX, "name of %zu", n);
		FUZZ_CHECK(strchr(r.name, '/') == NULL, "name %s", r.name);
		FUZZ_CHECK(strncmp(url + 9, r.name, n) == 0, "name %s", r.name);
		FUZZ_CHECK(r.stderr_ == (strcmp(rest, "/stderr") == 0),
			   "channel of %s", url);
		FUZZ_CHECK(*rest == '\0' || strcmp(rest, "/stdout") == 0 ||
			       strcmp(rest, "/stderr") == 0,
			   "a logtail %s with a bad channel", url);
		break;
	}
	case HTTP_ROUTE_BAD_LOGTAIL:
		FUZZ_CHECK(strncmp(url, "/logtail/", 9) == 0, "%s", url);
		break;
	case HTTP_ROUTE_OTHER:
		FUZZ_CHECK(strncmp(url, "/logtail/", 9) != 0 &&
			       strcmp(url, "/RPC2") != 0 &&
			       strcmp(url, "/") != 0 &&
			       strcmp(url, "/mainlogtail") != 0,
			   "%s not routed", url);
		break;
	}
}

/* Check a Content-Length's verdict; the body length it allows. */
static size_t
check_length(const char *cl)
{
	unsigned v = http_route_length(cl, BODY_MAX);
	unsigned long long n = 0;
	const char *p = cl;
	bool digits = false;

	FUZZ_CHECK(v == 0 || v == 400 || v == 413, "verdict %u", v);
	if (cl == NULL) {
		FUZZ_CHECK(v == 0, "no Content-Length refused");
		return BODY_MAX;
	}
	while (*p == ' ' || *p == '\t')
		p++;
	for (; *p >= '0' && *p <= '9'; p++, digits = true)
		n = n > BODY_MAX ? n : n * 10 + (unsigned)(*p - '0');
	if (v == 0) {
		FUZZ_CHECK(digits && n <= BODY_MAX, "%s accepted", cl);
		return (size_t)n;
	}
	if (v == 413)
		FUZZ_CHECK(digits && n > BODY_MAX, "%s refused as too big", cl);
	return 0;
}

/* One request: its line, headers and body; how many bytes it took. */
static size_t
one_request(const char *in, size_t size)
{
	const char *end = memmem(in, size, "\r\n\r\n", 4);
	size_t head_len, body_len, used;
	char *head, *line, *save, *save2, *method, *url, *cl = NULL;

	if (end == NULL)
		return size;
	head_len = (size_t)(end - in);
	head = malloc(head_len + 1);
	FUZZ_CHECK(head != NULL, "malloc");
	memcpy(head, in, head_len);
	head[head_len] = '\0';
	line = strtok_r(head, "\r\n", &save);
	method = line != NULL ? strtok_r(line, " ", &save2) : NULL;
	url = method != NULL ? strtok_r(NULL, " ", &save2) : NULL;
	for (char *h = strtok_r(NULL, "\r\n", &save); h != NULL;
	     h = strtok_r(NULL, "\r\n", &save))
		if (strncasecmp(h, "Content-Length:", 15) == 0)
			cl = h + 15;
	body_len = check_length(cl);
	used = head_len + 4;
	if (body_len > size - used)
		body_len = size - used;
	FUZZ_CHECK(body_len <= BODY_MAX, "a body of %zu read", body_len);
	if (url != NULL) {
		struct http_route r;

		unescape(url);
		check_route(url);
		http_route(url, &r);
		if (r.kind == HTTP_ROUTE_RPC2 && strcmp(method, "POST") == 0) {
			struct xr_call call;
			struct sbuf b = {0};
			char why[256];

			if (xmlrpc_parse(in + used, body_len, &call, why,
					 sizeof(why)) == 0) {
				xmlrpc_fault(&b, 1, call.method);
				FUZZ_CHECK(b.len > 0 && strstr(b.s, "</methodR"
								    "esponse>"),
					   "a fault not whole");
				xmlrpc_call_free(&call);
			}
			sbuf_free(&b);
		}
	}
	free(head);
	return used + body_len;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* A NUL-terminated copy: the harness's string functions stop at
	 * the end. */
	char *in = malloc(size + 1);
	size_t off = 0;

	FUZZ_CHECK(in != NULL, "malloc");
	memcpy(in, data, size);
	in[size] = '\0';
	while (off < size) {
		size_t n = one_request(in + off, size - off);

		if (n == 0)
			break;
		off += n;
	}
	free(in);
	return 0;
}
