/*
 * The heartbeat protocol, ward side to steward: parsing, no I/O.
 *
 * A ward writes lines (pipe) or datagrams (notify) of these words:
 *
 *   "" or WATCHDOG=1        a beat
 *   WORK=<unit id>          a beat at the start of a unit of work
 *   READY=1                 started; ends the start phase
 *   STATUS=<text>           free text for stewardctl status
 *   EXTEND_TIMEOUT_USEC=<n> this once, the deadline is n µs away
 *   WATCHDOG=trigger        heal me now
 *   STOPPING=1              shutting down on my own
 *
 * Lines longer than PROTO_LINE_MAX bytes are not messages: the framer
 * discards them whole (up to the next newline) and counts them, so a
 * flooding ward costs at most PROTO_LINE_MAX bytes of daemon memory.
 */
#ifndef STEWARD_WARD_PROTO_H
#define STEWARD_WARD_PROTO_H

#include <stddef.h>
#include <stdint.h>

/* The longest line accepted, newline excluded. */
#define PROTO_LINE_MAX 512

enum proto_kind {
	PROTO_BEAT,
	PROTO_WORK,
	PROTO_READY,
	PROTO_STATUS,
	PROTO_EXTEND,
	PROTO_TRIGGER,
	PROTO_STOPPING,
	PROTO_IGNORED, /* a systemd word steward accepts and does not use */
	PROTO_INVALID, /* malformed or unknown; why says which */
};

struct proto_msg {
	enum proto_kind kind;
	const char *arg; /* WORK and STATUS text (not NUL-terminated) */
	size_t arglen;
	int64_t usec;    /* EXTEND_TIMEOUT_USEC */
	const char *why; /* PROTO_INVALID: a static description */
};

/* Parse one line (no newline) of len bytes. */
void ward_proto_parse(const char *line, size_t len, struct proto_msg *m);

/*
 * Splitting a byte stream into lines.  The carry holds a partial line
 * between reads; it is allocated when the first partial line arrives and
 * kept (PROTO_LINE_MAX bytes) until ward_proto_reset(), so a ward that
 * writes lines in pieces costs no allocation per line.
 */
struct proto_framer {
	char *carry; /* partial line, PROTO_LINE_MAX bytes when set */
	size_t carry_len;
	int discarding; /* inside an over-long line: skip to newline */
};

/* Called for every complete line (without its newline). */
typedef void proto_line_fn(void *arg, const char *line, size_t len);

/*
 * Feed len bytes; calls fn for each complete line.  Returns the number of
 * over-long lines discarded in this call.
 */
unsigned ward_proto_feed(struct proto_framer *f, const char *buf, size_t len,
			 proto_line_fn *fn, void *arg);

/* Forget any partial line and free the carry. */
void ward_proto_reset(struct proto_framer *f);

const char *ward_proto_kind_name(enum proto_kind k);

#endif
