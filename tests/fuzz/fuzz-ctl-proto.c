/*
 * Fuzz ctl_parse(): the input is one control request line without its
 * newline.  ctl_parse() splits the line in place and writes a NUL at
 * line[len], so it gets a copy of len + 1 bytes, as ctl.c gives it.
 *
 * Properties: a parsed request has a known command, at most CTL_ARGS_MAX
 * names, and every name (and the signal word) is a word of the grammar
 * inside the copy; a refused one has the code usage or version and a
 * reason.
 */
#include <stdbool.h>
#include <string.h>

#include "proto/ctl-proto.h"
#include "fuzz.h"
#include "base/parse.h"

/* True when w is a word of the grammar lying inside [buf, buf + len]. */
static bool
ctl_word_inside(const char *w, const char *buf, size_t len)
{
	size_t n;

	if (w < buf || w > buf + len)
		return false;
	n = strnlen(w, (size_t)(buf + len + 1 - w));
	if (n == 0 || n > CTL_WORD_MAX || w + n > buf + len)
		return false;
	for (size_t i = 0; i < n; i++)
		if (w[i] < 0x21 || w[i] > 0x7e)
			return false;
	return true;
}

/* Check a request ctl_parse() accepted. */
static void
check_request(const struct ctl_request *req, const char *buf, size_t len)
{
	FUZZ_CHECK(strcmp(ctl_cmd_name(req->cmd), "unknown") != 0, "cmd %d",
		   (int)req->cmd);
	FUZZ_CHECK(req->nargs <= CTL_ARGS_MAX, "%zu names", req->nargs);
	FUZZ_CHECK((req->cmd == CTL_SIGNAL) == (req->sig != NULL),
		   "signal word %p for %s", (const void *)req->sig,
		   ctl_cmd_name(req->cmd));
	if (req->sig != NULL)
		FUZZ_CHECK(ctl_word_inside(req->sig, buf, len),
			   "bad signal word");
	for (size_t i = 0; i < req->nargs; i++)
		FUZZ_CHECK(ctl_word_inside(req->args[i], buf, len),
			   "bad name %zu", i);
	if (req->no_wait)
		FUZZ_CHECK(req->cmd == CTL_START || req->cmd == CTL_STOP ||
			       req->cmd == CTL_RESTART,
			   "--no-wait for %s", ctl_cmd_name(req->cmd));
	if (req->cmd == CTL_HEALTH || req->cmd == CTL_REOPEN ||
	    req->cmd == CTL_INFO || req->cmd == CTL_RELOAD)
		FUZZ_CHECK(req->nargs == 0, "%zu names for %s", req->nargs,
			   ctl_cmd_name(req->cmd));
}

/* One request line in a buffer of len + 1 bytes. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1);
	struct ctl_request req;
	const char *code = NULL;
	char why[PARSE_WHY] = "";

	if (buf == NULL)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\n'; /* what ctl.c has there before it cuts the line */
	if (ctl_parse(buf, size, &req, &code, why) == 0) {
		check_request(&req, buf, size);
	} else {
		FUZZ_CHECK(code != NULL && (strcmp(code, "usage") == 0 ||
					    strcmp(code, "version") == 0),
			   "code %s", code != NULL ? code : "(null)");
		FUZZ_CHECK(why[0] != '\0' && strlen(why) < PARSE_WHY,
			   "no reason");
	}
	free(buf);
	return 0;
}
