/*
 * Fuzz ward_proto_feed(), the heartbeat pipe's line framer, with the
 * stream cut into reads at points the fuzzer chooses.
 *
 * Input: byte 0 is n (mod 32), the count of read sizes; the next 2n
 * bytes are the sizes (little-endian, mod 1024; 0 is an empty read);
 * the rest is the stream.  The sizes are used in turn, round and round,
 * until the stream is consumed.  A pipe's reads can cut a line anywhere,
 * so the framer must not care where the cuts fall.
 *
 * Property: the lines the framer delivers, and the count it discards,
 * equal what a plain reading of ward-proto.h gives for the whole stream:
 * every newline-terminated segment of at most PROTO_LINE_MAX bytes is a
 * line, in order; every segment longer than that (terminated or not) is
 * discarded once; a short unterminated tail stays in the carry.  The
 * same holds when the stream arrives in one read.  Every line is also
 * parsed, as beat_line() does.
 */
#include <string.h>

#include "fuzz.h"
#include "proto/ward-proto.h"

/* What the framer has delivered so far, checked against the stream. */
struct feed_check {
	const char *stream; /* the whole stream */
	size_t len;
	size_t pos;      /* where the next expected segment starts */
	size_t lines;    /* lines delivered */
	size_t discards; /* over-long segments skipped on the way */
};

/*
 * The next line the stream should yield from c->pos, skipping (and
 * counting) over-long segments: its start and length, or -1 when no
 * newline-terminated short segment is left.
 */
static int
feed_expect(struct feed_check *c, size_t *start, size_t *len)
{
	while (c->pos < c->len) {
		const char *s = c->stream + c->pos;
		const char *nl = memchr(s, '\n', c->len - c->pos);
		size_t n = nl != NULL ? (size_t)(nl - s) : c->len - c->pos;

		if (nl == NULL)
			return -1;
		c->pos += n + 1;
		if (n > PROTO_LINE_MAX) {
			c->discards++;
			continue;
		}
		*start = (size_t)(s - c->stream);
		*len = n;
		return 0;
	}
	return -1;
}

/* The framer's callback: the line must be the next one expected. */
static void
feed_line(void *arg, const char *line, size_t len)
{
	struct feed_check *c = arg;
	struct proto_msg m;
	size_t start, n;

	FUZZ_CHECK(len <= PROTO_LINE_MAX, "a line of %zu bytes", len);
	FUZZ_CHECK(feed_expect(c, &start, &n) == 0,
		   "line %zu delivered, none expected", c->lines + 1);
	FUZZ_CHECK(
	    n == len && memcmp(c->stream + start, line, len) == 0,
	    "line %zu: %zu bytes delivered, %zu bytes at offset %zu expected",
	    c->lines + 1, len, n, start);
	c->lines++;
	ward_proto_parse(line, len, &m);
	if (m.kind == PROTO_WORK || m.kind == PROTO_STATUS)
		FUZZ_CHECK(m.arg >= line && m.arg + m.arglen <= line + len,
			   "argument outside its line");
}

/* Count the over-long segments left after the last line delivered. */
static size_t
feed_tail_discards(struct feed_check *c)
{
	size_t start, n;

	while (feed_expect(c, &start, &n) == 0)
		FUZZ_CHECK(0, "line at offset %zu never delivered", start);
	/* An unterminated tail longer than a line is discarded as well. */
	if (c->pos < c->len && c->len - c->pos > PROTO_LINE_MAX) {
		c->discards++;
		c->pos = c->len;
	}
	return c->discards;
}

/* Feed the stream in reads of the given sizes and check the result. */
static void
feed_run(const char *stream, size_t len, const uint8_t *sizes, size_t nsizes)
{
	struct proto_framer f = {0};
	struct feed_check c = {.stream = stream, .len = len};
	size_t off = 0, discarded = 0;

	for (size_t i = 0; off < len; i++) {
		size_t want = len - off;

		if (nsizes > 0) {
			const uint8_t *p = sizes + 2 * (i % nsizes);

			want = (size_t)(p[0] | (p[1] << 8)) % 1024;
			/* A round of empty reads would never end. */
			if (want == 0 && i >= nsizes && i % nsizes == 0)
				want = 1;
		}
		if (want > len - off)
			want = len - off;
		discarded +=
		    ward_proto_feed(&f, stream + off, want, feed_line, &c);
		off += want;
	}
	FUZZ_CHECK(discarded == feed_tail_discards(&c),
		   "%zu lines discarded, %zu expected", discarded, c.discards);
	FUZZ_CHECK(f.carry_len <= PROTO_LINE_MAX, "carry of %zu bytes",
		   f.carry_len);
	ward_proto_reset(&f);
}

/* Cut the input into read sizes and a stream; feed it two ways. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t nsizes;

	if (size == 0)
		return 0;
	nsizes = data[0] % 32;
	if (size < 1 + 2 * nsizes)
		return 0;
	feed_run((const char *)data + 1 + 2 * nsizes, size - 1 - 2 * nsizes,
		 data + 1, nsizes);
	feed_run((const char *)data + 1 + 2 * nsizes, size - 1 - 2 * nsizes,
		 NULL, 0);
	return 0;
}
