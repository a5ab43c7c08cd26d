/*
 * What a request names, and whether its body may be read; see
 * http-route.h.  supervisord's logtail handler splits the path the same
 * way: /logtail/NAME, /logtail/NAME/CHANNEL, CHANNEL stdout or stderr.
 */
#include <string.h>

#include "proto/http-route.h"

/* What url names; see http-route.h. */
void
http_route(const char *url, struct http_route *r)
{
	const char *name, *slash;
	size_t n;

	r->name[0] = '\0';
	r->stderr_ = false;
	if (strcmp(url, "/RPC2") == 0 || strcmp(url, "/") == 0) {
		r->kind = HTTP_ROUTE_RPC2;
		return;
	}
	if (strcmp(url, "/mainlogtail") == 0) {
		r->kind = HTTP_ROUTE_MAINLOGTAIL;
		return;
	}
	if (strncmp(url, "/logtail/", 9) != 0) {
		r->kind = HTTP_ROUTE_OTHER;
		return;
	}
	r->kind = HTTP_ROUTE_BAD_LOGTAIL;
	name = url + 9;
	slash = strchr(name, '/');
	n = slash != NULL ? (size_t)(slash - name) : strlen(name);
	if (n == 0 || n > HTTP_ROUTE_NAME_MAX)
		return;
	if (slash != NULL && strcmp(slash, "/stderr") == 0)
		r->stderr_ = true;
	else if (slash != NULL && strcmp(slash, "/stdout") != 0)
		return;
	memcpy(r->name, name, n);
	r->name[n] = '\0';
	r->kind = HTTP_ROUTE_LOGTAIL;
}

/* A Content-Length's verdict; see http-route.h. */
unsigned
http_route_length(const char *cl, size_t max)
{
	size_t v = 0;

	if (cl == NULL)
		return 0;
	while (*cl == ' ' || *cl == '\t')
		cl++;
	if (*cl < '0' || *cl > '9')
		return 400;
	for (; *cl >= '0' && *cl <= '9'; cl++) {
		if (v > (max - (size_t)(*cl - '0')) / 10)
			return 413;
		v = v * 10 + (size_t)(*cl - '0');
	}
	while (*cl == ' ' || *cl == '\t')
		cl++;
	return *cl == '\0' ? 0 : 400;
}
