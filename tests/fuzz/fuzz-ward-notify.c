/*
 * Fuzz the notify path: the input is one datagram from a ward's
 * NOTIFY_SOCKET.  stewardd's notify_handle() (ward-notify.c) is static
 * and needs a live instance, so notify_split() below replicates its
 * split exactly: newline-separated words, empty words skipped (they are
 * no beats here), each word handed to ward_proto_parse() as beat_line()
 * does.  Keep the two in step.
 *
 * Properties: every word lies inside the datagram and holds no newline;
 * texts kept from WORK= and STATUS= lie inside their word; the words
 * plus the newlines between them cover the datagram exactly.
 */
#include <string.h>

#include "fuzz.h"
#include "proto/ward-proto.h"

/* stewardd's datagram buffer (NOTIFY_MSG_MAX in ward-notify.c). */
#define NOTIFY_MSG_MAX 4096

/* Act on one word as beat_line() does: parse it, touch what is kept. */
static void
notify_word(const char *buf, size_t len, const char *word, size_t n,
	    size_t *covered)
{
	struct proto_msg m;
	char sample[80];

	FUZZ_CHECK(word >= buf && word + n <= buf + len, "word outside");
	FUZZ_CHECK(memchr(word, '\n', n) == NULL, "newline inside a word");
	*covered += n;
	ward_proto_parse(word, n, &m);
	if (m.kind == PROTO_WORK || m.kind == PROTO_STATUS) {
		FUZZ_CHECK(m.arg >= word && m.arg + m.arglen <= word + n,
			   "argument outside its word");
		/* beat_keep(): the text is copied with "%.*s". */
		snprintf(sample, sizeof(sample), "%.*s",
			 (int)(m.arglen > 64 ? 64 : m.arglen), m.arg);
	} else if (m.kind == PROTO_INVALID) {
		/* beat_report_bad(): a sample of at most 64 bytes. */
		FUZZ_CHECK(m.why != NULL, "an invalid word without a reason");
		snprintf(sample, sizeof(sample), "%.*s", (int)(n > 64 ? 64 : n),
			 word);
	}
}

/* notify_handle()'s loop, with notify_word() for ward_beat_message(). */
static void
notify_split(const char *buf, size_t len, size_t *covered)
{
	const char *start = buf, *end = buf + len;

	while (buf < end) {
		const char *nl = memchr(buf, '\n', (size_t)(end - buf));
		size_t n =
		    nl != NULL ? (size_t)(nl - buf) : (size_t)(end - buf);

		/* Newlines separate words; they are no empty beats here. */
		if (n > 0)
			notify_word(start, len, buf, n, covered);
		buf += n + (nl != NULL);
	}
}

/* One datagram in; recvmsg() never hands over more than NOTIFY_MSG_MAX. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	size_t covered = 0, newlines = 0;

	if (size > NOTIFY_MSG_MAX)
		return -1; /* not a datagram stewardd can receive */
	notify_split(buf, size, &covered);
	for (size_t i = 0; i < size; i++)
		newlines += buf[i] == '\n';
	FUZZ_CHECK(covered + newlines == size,
		   "words %zu + newlines %zu != %zu bytes", covered, newlines,
		   size);
	return 0;
}
