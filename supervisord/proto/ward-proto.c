/*
 * The heartbeat protocol: one line → one message (see ward-proto.h).
 *
 * Parsing is strict: a word is exactly KEY=VALUE with the keys of the
 * protocol table; a trailing "\r" is tolerated (a ward written on another
 * system); anything else is PROTO_INVALID with a reason, which the daemon
 * counts and reports at a limited rate.  Words systemd defines that
 * steward has no use for (MAINPID=, ERRNO=, ...) are PROTO_IGNORED so
 * programs written for sd_notify(3) run without noise.
 */
#include <stdlib.h>
#include <string.h>

#include "proto/ward-proto.h"

/* True when the line starts with the literal prefix p. */
static int
has_prefix(const char *line, size_t len, const char *p, size_t plen)
{
	return len >= plen && memcmp(line, p, plen) == 0;
}

/* Parse a decimal count of microseconds, at most 18 digits. */
static int
parse_usec(const char *s, size_t len, int64_t *out)
{
	int64_t v = 0;

	if (len == 0 || len > 18)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

/* True when the text has no control bytes (tabs allowed). */
static int
printable(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return 0;
	}
	return 1;
}

/* Parse one protocol line; see ward-proto.h. */
void
ward_proto_parse(const char *line, size_t len, struct proto_msg *m)
{
	static const char *const ignored[] = {
	    "MAINPID=",        "ERRNO=",      "BUSERROR=",     "EXIT_STATUS=",
	    "MONOTONIC_USEC=", "RELOADING=1", "NOTIFYACCESS=", "FDSTORE=",
	    "FDSTOREREMOVE=",  "FDNAME=",     "FDPOLL=",       "BARRIER=1",
	    "WATCHDOG_USEC=",
	};

	*m = (struct proto_msg){.kind = PROTO_INVALID};
	if (len > 0 && line[len - 1] == '\r')
		len--;
	if (len == 0 || (len == 10 && memcmp(line, "WATCHDOG=1", 10) == 0)) {
		m->kind = PROTO_BEAT;
		return;
	}
	if (memchr(line, '\0', len) != NULL) {
		m->why = "a NUL byte inside the line";
		return;
	}
	if (has_prefix(line, len, "WORK=", 5)) {
		m->arg = line + 5;
		m->arglen = len - 5;
		if (!printable(m->arg, m->arglen)) {
			m->why = "WORK= with control characters";
			return;
		}
		m->kind = PROTO_WORK;
		return;
	}
	if (len == 7 && memcmp(line, "READY=1", 7) == 0) {
		m->kind = PROTO_READY;
		return;
	}
	if (has_prefix(line, len, "STATUS=", 7)) {
		m->arg = line + 7;
		m->arglen = len - 7;
		if (!printable(m->arg, m->arglen)) {
			m->why = "STATUS= with control characters";
			return;
		}
		m->kind = PROTO_STATUS;
		return;
	}
	if (has_prefix(line, len, "EXTEND_TIMEOUT_USEC=", 20)) {
		if (parse_usec(line + 20, len - 20, &m->usec) == -1) {
			m->why = "EXTEND_TIMEOUT_USEC= needs a whole number of "
				 "microseconds";
			return;
		}
		m->kind = PROTO_EXTEND;
		return;
	}
	if (len == 16 && memcmp(line, "WATCHDOG=trigger", 16) == 0) {
		m->kind = PROTO_TRIGGER;
		return;
	}
	if (len == 10 && memcmp(line, "STOPPING=1", 10) == 0) {
		m->kind = PROTO_STOPPING;
		return;
	}
	for (size_t i = 0; i < sizeof(ignored) / sizeof(ignored[0]); i++) {
		if (has_prefix(line, len, ignored[i], strlen(ignored[i]))) {
			m->kind = PROTO_IGNORED;
			return;
		}
	}
	m->why = memchr(line, '=', len) == NULL
		     ? "not a KEY=VALUE word (a beat is an empty line)"
		     : "an unknown word; expected WATCHDOG=1, WORK=, READY=1, "
		       "STATUS=, EXTEND_TIMEOUT_USEC=, WATCHDOG=trigger or "
		       "STOPPING=1";
}

/* Split bytes into lines; see ward-proto.h. */
unsigned
ward_proto_feed(struct proto_framer *f, const char *buf, size_t len,
		proto_line_fn *fn, void *arg)
{
	unsigned discarded = 0;

	while (len > 0) {
		const char *nl = memchr(buf, '\n', len);
		size_t seg = nl != NULL ? (size_t)(nl - buf) : len;
		size_t used = seg + (nl != NULL);

		if (f->discarding) {
			/* The rest of an over-long line: skip it. */
			if (nl != NULL)
				f->discarding = 0;
		} else if (f->carry_len + seg > PROTO_LINE_MAX) {
			ward_proto_reset(f);
			discarded++;
			f->discarding = nl == NULL;
		} else if (nl == NULL) {
			if (f->carry == NULL &&
			    (f->carry = malloc(PROTO_LINE_MAX)) == NULL) {
				/* No memory: lose this fragment, resync at
				 * the next newline. */
				f->discarding = 1;
				discarded++;
			} else {
				memcpy(f->carry + f->carry_len, buf, seg);
				f->carry_len += seg;
			}
		} else if (f->carry_len > 0) {
			size_t n = f->carry_len + seg;

			memcpy(f->carry + f->carry_len, buf, seg);
			f->carry_len = 0;
			fn(arg, f->carry, n);
		} else {
			fn(arg, buf, seg);
		}
		buf += used;
		len -= used;
	}
	return discarded;
}

/* Forget any partial line; see ward-proto.h. */
void
ward_proto_reset(struct proto_framer *f)
{
	free(f->carry);
	f->carry = NULL;
	f->carry_len = 0;
	f->discarding = 0;
}

/* The kind's name, for logs and tests. */
const char *
ward_proto_kind_name(enum proto_kind k)
{
	static const char *const names[] = {
	    [PROTO_BEAT] = "beat",         [PROTO_WORK] = "work",
	    [PROTO_READY] = "ready",       [PROTO_STATUS] = "status",
	    [PROTO_EXTEND] = "extend",     [PROTO_TRIGGER] = "trigger",
	    [PROTO_STOPPING] = "stopping", [PROTO_IGNORED] = "ignored",
	    [PROTO_INVALID] = "invalid",
	};

	return (unsigned)k < sizeof(names) / sizeof(names[0]) ? names[k]
							      : "unknown";
}
