/*
 * Unit tests for the heartbeat protocol (supervisord/proto/ward-proto.c): every
 * word of the table in ward-proto.h, the tolerated trailing "\r", the
 * systemd words steward ignores, the malformed ones, and the framer that
 * cuts a byte stream into lines with at most PROTO_LINE_MAX bytes held.
 * Run under ASan, the reset tests also show that no carry leaks.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "proto/ward-proto.h"

/* The reason given for a word that is neither known nor KEY=VALUE. */
#define WHY_NOT_KV "not a KEY=VALUE word (a beat is an empty line)"
/* The reason given for an unknown KEY=VALUE word. */
#define WHY_UNKNOWN                                                            \
	"an unknown word; expected WATCHDOG=1, WORK=, READY=1, STATUS=, "      \
	"EXTEND_TIMEOUT_USEC=, WATCHDOG=trigger or STOPPING=1"
#define WHY_USEC "EXTEND_TIMEOUT_USEC= needs a whole number of microseconds"

/* Parse a C string (no newline) and return the message. */
static struct proto_msg
parse(const char *line)
{
	struct proto_msg m;

	ward_proto_parse(line, strlen(line), &m);
	return m;
}

/* Parse len bytes, which may hold a NUL. */
static struct proto_msg
parse_n(const char *line, size_t len)
{
	struct proto_msg m;

	ward_proto_parse(line, len, &m);
	return m;
}

/* The message is of kind k; its name shows on failure. */
static void
expect_kind(const struct proto_msg *m, enum proto_kind k, const char *line)
{
	if (m->kind != k)
		fail_msg("\"%s\": kind %s, expected %s", line,
			 ward_proto_kind_name(m->kind),
			 ward_proto_kind_name(k));
}

/* The word is invalid for exactly this reason. */
static void
expect_invalid(const char *line, size_t len, const char *why)
{
	struct proto_msg m = parse_n(line, len);

	expect_kind(&m, PROTO_INVALID, line);
	assert_non_null(m.why);
	assert_string_equal(m.why, why);
}

/* The argument of WORK= or STATUS= is exactly text. */
static void
expect_arg(const struct proto_msg *m, const char *text)
{
	assert_int_equal(m->arglen, strlen(text));
	assert_memory_equal(m->arg, text, m->arglen);
}

/* An empty line and WATCHDOG=1 are beats. */
static void
test_empty_line_and_watchdog_1_are_beats(void **state)
{
	struct proto_msg m = parse("");

	expect_kind(&m, PROTO_BEAT, "");
	assert_null(m.why);
	m = parse("WATCHDOG=1");
	expect_kind(&m, PROTO_BEAT, "WATCHDOG=1");
}

/* WORK=<unit id> is a beat that names the unit, pointing into the line. */
static void
test_work_names_the_unit(void **state)
{
	const char *line = "WORK=order-17 batch\t3";
	struct proto_msg m = parse(line);

	expect_kind(&m, PROTO_WORK, line);
	assert_ptr_equal(m.arg, line + 5);
	expect_arg(&m, "order-17 batch\t3");
}

/* READY=1 ends the start phase; other values are not READY. */
static void
test_ready_1(void **state)
{
	struct proto_msg m = parse("READY=1");

	expect_kind(&m, PROTO_READY, "READY=1");
	expect_invalid("READY=0", 7, WHY_UNKNOWN);
	expect_invalid("READY=11", 8, WHY_UNKNOWN);
}

/* STATUS=<text> carries free text, UTF-8 and tabs included, or none. */
static void
test_status_carries_text(void **state)
{
	struct proto_msg m = parse("STATUS=serving 3 clients");

	expect_kind(&m, PROTO_STATUS, "STATUS=");
	expect_arg(&m, "serving 3 clients");
	m = parse("STATUS=caf\xc3\xa9\tok");
	expect_kind(&m, PROTO_STATUS, "STATUS=caf\\xc3\\xa9");
	expect_arg(&m, "caf\xc3\xa9\tok");
	m = parse("STATUS=");
	expect_kind(&m, PROTO_STATUS, "STATUS=");
	assert_int_equal(m.arglen, 0);
}

/* EXTEND_TIMEOUT_USEC=n takes a whole number of microseconds. */
static void
test_extend_timeout_usec(void **state)
{
	struct proto_msg m = parse("EXTEND_TIMEOUT_USEC=2500000");

	expect_kind(&m, PROTO_EXTEND, "EXTEND_TIMEOUT_USEC=2500000");
	assert_int_equal(m.usec, 2500000);
	m = parse("EXTEND_TIMEOUT_USEC=0");
	expect_kind(&m, PROTO_EXTEND, "EXTEND_TIMEOUT_USEC=0");
	assert_int_equal(m.usec, 0);
	/* 18 digits is the most accepted, and fits in int64_t. */
	m = parse("EXTEND_TIMEOUT_USEC=999999999999999999");
	expect_kind(&m, PROTO_EXTEND, "18 digits");
	assert_true(m.usec == INT64_C(999999999999999999));
}

/* WATCHDOG=trigger asks to be healed now. */
static void
test_watchdog_trigger(void **state)
{
	struct proto_msg m = parse("WATCHDOG=trigger");

	expect_kind(&m, PROTO_TRIGGER, "WATCHDOG=trigger");
	expect_invalid("WATCHDOG=0", 10, WHY_UNKNOWN);
	expect_invalid("WATCHDOG=triggered", 18, WHY_UNKNOWN);
}

/* STOPPING=1 says the ward is shutting down on its own. */
static void
test_stopping_1(void **state)
{
	struct proto_msg m = parse("STOPPING=1");

	expect_kind(&m, PROTO_STOPPING, "STOPPING=1");
	expect_invalid("STOPPING=0", 10, WHY_UNKNOWN);
}

/* One trailing "\r" is tolerated on every word, and not kept in args. */
static void
test_trailing_cr_is_tolerated(void **state)
{
	static const struct {
		const char *line;
		enum proto_kind kind;
	} cases[] = {
	    {"\r", PROTO_BEAT},
	    {"WATCHDOG=1\r", PROTO_BEAT},
	    {"WORK=unit\r", PROTO_WORK},
	    {"READY=1\r", PROTO_READY},
	    {"STATUS=fine\r", PROTO_STATUS},
	    {"EXTEND_TIMEOUT_USEC=5\r", PROTO_EXTEND},
	    {"WATCHDOG=trigger\r", PROTO_TRIGGER},
	    {"STOPPING=1\r", PROTO_STOPPING},
	    {"MAINPID=1\r", PROTO_IGNORED},
	};
	struct proto_msg m;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		m = parse(cases[i].line);
		expect_kind(&m, cases[i].kind, cases[i].line);
	}
	m = parse("WORK=unit\r");
	expect_arg(&m, "unit");
	m = parse("STATUS=fine\r");
	expect_arg(&m, "fine");
	m = parse("EXTEND_TIMEOUT_USEC=5\r");
	assert_int_equal(m.usec, 5);
	/* Only one: a second "\r" is a control character. */
	expect_invalid("READY=1\r\r", 9, WHY_UNKNOWN);
	expect_invalid("WORK=a\r\r", 8, "WORK= with control characters");
}

/* Words systemd defines and steward has no use for are ignored. */
static void
test_systemd_words_are_ignored(void **state)
{
	static const char *const words[] = {
	    "MAINPID=4242",     "ERRNO=2",          "BUSERROR=org.x.Err",
	    "EXIT_STATUS=3",    "MONOTONIC_USEC=1", "RELOADING=1",
	    "FDSTORE=1",        "FDSTOREREMOVE=1",  "FDNAME=sock",
	    "FDPOLL=0",         "BARRIER=1",        "WATCHDOG_USEC=2000000",
	    "NOTIFYACCESS=all",
	};

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		struct proto_msg m = parse(words[i]);

		expect_kind(&m, PROTO_IGNORED, words[i]);
		assert_null(m.why);
	}
}

/* Unknown keys and words without '=' are invalid, each with its reason. */
static void
test_unknown_and_keyless_words_are_invalid(void **state)
{
	expect_invalid("HELLO=1", 7, WHY_UNKNOWN);
	expect_invalid("ready=1", 7, WHY_UNKNOWN);
	expect_invalid(" READY=1", 8, WHY_UNKNOWN);
	expect_invalid("READY=1 ", 8, WHY_UNKNOWN);
	expect_invalid("hello", 5, WHY_NOT_KV);
	expect_invalid("READY", 5, WHY_NOT_KV);
	expect_invalid(" ", 1, WHY_NOT_KV);
}

/* EXTEND_TIMEOUT_USEC= refuses anything but 1 to 18 decimal digits. */
static void
test_bad_usec_is_invalid(void **state)
{
	static const char *const bad[] = {
	    "EXTEND_TIMEOUT_USEC=",
	    "EXTEND_TIMEOUT_USEC=-1",
	    "EXTEND_TIMEOUT_USEC=+1",
	    "EXTEND_TIMEOUT_USEC= 1",
	    "EXTEND_TIMEOUT_USEC=1 ",
	    "EXTEND_TIMEOUT_USEC=1.5",
	    "EXTEND_TIMEOUT_USEC=1s",
	    "EXTEND_TIMEOUT_USEC=0x10",
	    "EXTEND_TIMEOUT_USEC=1000000000000000000",
	    "EXTEND_TIMEOUT_USEC=99999999999999999999999",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_invalid(bad[i], strlen(bad[i]), WHY_USEC);
}

/* Control characters in WORK= or STATUS= make the word invalid. */
static void
test_control_chars_in_text_are_invalid(void **state)
{
	expect_invalid("WORK=a\x1b[2Jb", 11, "WORK= with control characters");
	expect_invalid("WORK=a\rb", 8, "WORK= with control characters");
	expect_invalid("WORK=\x7f", 6, "WORK= with control characters");
	expect_invalid("STATUS=a\nb", 10, "STATUS= with control characters");
	expect_invalid("STATUS=\x01", 8, "STATUS= with control characters");
	expect_invalid("STATUS=bell\a", 12, "STATUS= with control characters");
}

/* A NUL byte anywhere in a line makes it invalid. */
static void
test_nul_byte_is_invalid(void **state)
{
	expect_invalid("WORK=a\0b", 8, "a NUL byte inside the line");
	expect_invalid("STATUS=\0", 8, "a NUL byte inside the line");
	expect_invalid("READY=1\0", 8, "a NUL byte inside the line");
	expect_invalid("\0", 1, "a NUL byte inside the line");
}

/* Every kind has a name for logs. */
static void
test_kind_names(void **state)
{
	assert_string_equal(ward_proto_kind_name(PROTO_BEAT), "beat");
	assert_string_equal(ward_proto_kind_name(PROTO_WORK), "work");
	assert_string_equal(ward_proto_kind_name(PROTO_READY), "ready");
	assert_string_equal(ward_proto_kind_name(PROTO_STATUS), "status");
	assert_string_equal(ward_proto_kind_name(PROTO_EXTEND), "extend");
	assert_string_equal(ward_proto_kind_name(PROTO_TRIGGER), "trigger");
	assert_string_equal(ward_proto_kind_name(PROTO_STOPPING), "stopping");
	assert_string_equal(ward_proto_kind_name(PROTO_IGNORED), "ignored");
	assert_string_equal(ward_proto_kind_name(PROTO_INVALID), "invalid");
	assert_string_equal(ward_proto_kind_name((enum proto_kind)99),
			    "unknown");
}

/* The lines a framer handed over, copied (the carry is reused). */
struct lines {
	size_t n;
	size_t len[16];
	char text[16][PROTO_LINE_MAX + 1];
};

/* proto_line_fn: keep a copy of the line. */
static void
collect(void *arg, const char *line, size_t len)
{
	struct lines *l = arg;

	assert_true(l->n < 16);
	assert_true(len <= PROTO_LINE_MAX);
	memcpy(l->text[l->n], line, len);
	l->text[l->n][len] = '\0';
	l->len[l->n] = len;
	l->n++;
}

/* Feed a C string; returns the lines discarded. */
static unsigned
feed(struct proto_framer *f, struct lines *l, const char *s)
{
	return ward_proto_feed(f, s, strlen(s), collect, l);
}

/* Line i is exactly s. */
static void
expect_line(const struct lines *l, size_t i, const char *s)
{
	assert_true(i < l->n);
	assert_int_equal(l->len[i], strlen(s));
	assert_string_equal(l->text[i], s);
}

/* A buffer of n copies of c, then the string tail. */
static char *
filled(size_t n, char c, const char *tail)
{
	char *s = malloc(n + strlen(tail) + 1);

	assert_non_null(s);
	memset(s, c, n);
	strcpy(s + n, tail);
	return s;
}

/* A line split across feeds is joined and handed over once. */
static void
test_line_split_across_feeds(void **state)
{
	struct proto_framer f = {0};
	struct lines l = {0};

	assert_int_equal(feed(&f, &l, "REA"), 0);
	assert_int_equal(l.n, 0);
	assert_int_equal(feed(&f, &l, "DY="), 0);
	assert_int_equal(l.n, 0);
	assert_int_equal(feed(&f, &l, "1\nWATCH"), 0);
	assert_int_equal(l.n, 1);
	expect_line(&l, 0, "READY=1");
	assert_int_equal(feed(&f, &l, "DOG=1\n"), 0);
	assert_int_equal(l.n, 2);
	expect_line(&l, 1, "WATCHDOG=1");
	ward_proto_reset(&f);
}

/* A stream fed one byte at a time gives the same lines. */
static void
test_one_byte_per_feed(void **state)
{
	const char *s = "WORK=42\n\nSTATUS=ok\r\n";
	struct proto_framer f = {0};
	struct lines l = {0};

	for (size_t i = 0; s[i] != '\0'; i++)
		assert_int_equal(ward_proto_feed(&f, s + i, 1, collect, &l), 0);
	assert_int_equal(l.n, 3);
	expect_line(&l, 0, "WORK=42");
	expect_line(&l, 1, "");
	expect_line(&l, 2, "STATUS=ok\r");
	ward_proto_reset(&f);
}

/* Several lines in one feed, empty ones included, come out in order. */
static void
test_several_lines_in_one_feed(void **state)
{
	struct proto_framer f = {0};
	struct lines l = {0};

	assert_int_equal(feed(&f, &l, "WORK=a\n\nREADY=1\nSTATUS=x y\nWAT"), 0);
	assert_int_equal(l.n, 4);
	expect_line(&l, 0, "WORK=a");
	expect_line(&l, 1, "");
	expect_line(&l, 2, "READY=1");
	expect_line(&l, 3, "STATUS=x y");
	/* The unfinished "WAT" waits in the carry. */
	assert_int_equal(f.carry_len, 3);
	assert_int_equal(feed(&f, &l, "CHDOG=trigger\n"), 0);
	expect_line(&l, 4, "WATCHDOG=trigger");
	ward_proto_reset(&f);
}

/* A framed "READY=1\r\n" parses as READY. */
static void
test_crlf_line_parses(void **state)
{
	struct proto_framer f = {0};
	struct lines l = {0};
	struct proto_msg m;

	feed(&f, &l, "READY=1\r\n");
	assert_int_equal(l.n, 1);
	ward_proto_parse(l.text[0], l.len[0], &m);
	expect_kind(&m, PROTO_READY, "READY=1\\r");
	ward_proto_reset(&f);
}

/* A line of exactly PROTO_LINE_MAX bytes is accepted, whole or split. */
static void
test_line_of_max_bytes_is_accepted(void **state)
{
	char *line = filled(PROTO_LINE_MAX, 'w', "\n");
	struct proto_framer f = {0};
	struct lines l = {0};

	assert_int_equal(feed(&f, &l, line), 0);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.len[0], PROTO_LINE_MAX);
	assert_memory_equal(l.text[0], line, PROTO_LINE_MAX);

	/* Split: all PROTO_LINE_MAX bytes in the carry, then the newline. */
	assert_int_equal(ward_proto_feed(&f, line, PROTO_LINE_MAX, collect, &l),
			 0);
	assert_int_equal(l.n, 1);
	assert_int_equal(f.carry_len, PROTO_LINE_MAX);
	assert_int_equal(feed(&f, &l, "\n"), 0);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.len[1], PROTO_LINE_MAX);
	assert_memory_equal(l.text[1], line, PROTO_LINE_MAX);
	ward_proto_reset(&f);
	free(line);
}

/* One byte longer is discarded and counted; the next line is fine. */
static void
test_line_one_byte_too_long_is_discarded(void **state)
{
	char *line = filled(PROTO_LINE_MAX + 1, 'w', "\nREADY=1\n");
	struct proto_framer f = {0};
	struct lines l = {0};

	assert_int_equal(feed(&f, &l, line), 1);
	assert_int_equal(l.n, 1);
	expect_line(&l, 0, "READY=1");
	assert_int_equal(f.carry_len, 0);
	assert_int_equal(f.discarding, 0);

	/* The same with the last byte in a second feed. */
	assert_int_equal(ward_proto_feed(&f, line, PROTO_LINE_MAX, collect, &l),
			 0);
	assert_int_equal(feed(&f, &l, "w\nSTOPPING=1\n"), 1);
	assert_int_equal(l.n, 2);
	expect_line(&l, 1, "STOPPING=1");
	ward_proto_reset(&f);
	free(line);
}

/* An over-long line over several feeds is skipped to its newline, once. */
static void
test_long_line_spanning_feeds_is_skipped(void **state)
{
	char *chunk = filled(300, 'x', "");
	struct proto_framer f = {0};
	struct lines l = {0};
	unsigned discarded = 0;

	discarded += feed(&f, &l, chunk);
	assert_int_equal(discarded, 0);
	discarded += feed(&f, &l, chunk); /* 600 bytes: over the limit */
	assert_int_equal(discarded, 1);
	assert_null(f.carry); /* the partial line is not kept */
	assert_int_equal(f.carry_len, 0);
	discarded += feed(&f, &l, chunk);
	discarded += feed(&f, &l, chunk);
	assert_int_equal(l.n, 0);
	discarded += feed(&f, &l, "tail READY=1\nWORK=7\nSTATUS=");
	assert_int_equal(discarded, 1);
	assert_int_equal(l.n, 1);
	expect_line(&l, 0, "WORK=7");
	discarded += feed(&f, &l, "done\n");
	assert_int_equal(discarded, 1);
	expect_line(&l, 1, "STATUS=done");
	ward_proto_reset(&f);
	free(chunk);
}

/* Each over-long line in one feed is counted. */
static void
test_each_long_line_is_counted(void **state)
{
	char *one = filled(PROTO_LINE_MAX + 10, 'a', "\n");
	char *buf = malloc(3 * strlen(one) + 1);
	struct proto_framer f = {0};
	struct lines l = {0};

	assert_non_null(buf);
	strcpy(buf, one);
	strcat(buf, one);
	strcat(buf, one);
	assert_int_equal(feed(&f, &l, buf), 3);
	assert_int_equal(l.n, 0);
	ward_proto_reset(&f);
	free(buf);
	free(one);
}

/* reset forgets a partial line and frees the carry. */
static void
test_reset_frees_the_carry(void **state)
{
	struct proto_framer f = {0};
	struct lines l = {0};

	feed(&f, &l, "WORK=abc");
	assert_non_null(f.carry);
	assert_int_equal(f.carry_len, 8);
	ward_proto_reset(&f);
	assert_null(f.carry);
	assert_int_equal(f.carry_len, 0);
	assert_int_equal(f.discarding, 0);
	/* The next line starts afresh, not "WORK=abcREADY=1". */
	feed(&f, &l, "READY=1\n");
	assert_int_equal(l.n, 1);
	expect_line(&l, 0, "READY=1");
	/* Twice is harmless. */
	ward_proto_reset(&f);
	ward_proto_reset(&f);
	assert_null(f.carry);
}

/* reset inside an over-long line stops the skipping. */
static void
test_reset_while_discarding(void **state)
{
	char *big = filled(PROTO_LINE_MAX + 1, 'z', "");
	struct proto_framer f = {0};
	struct lines l = {0};

	assert_int_equal(feed(&f, &l, big), 1);
	assert_int_equal(f.discarding, 1);
	ward_proto_reset(&f);
	assert_int_equal(f.discarding, 0);
	feed(&f, &l, "READY=1\n");
	assert_int_equal(l.n, 1);
	expect_line(&l, 0, "READY=1");
	ward_proto_reset(&f);
	free(big);
}

/* The carry is allocated once and reused until reset (ward-proto.h). */
static void
test_carry_is_kept_until_reset(void **state)
{
	struct proto_framer f = {0};
	struct lines l = {0};
	char *carry;

	feed(&f, &l, "REA");
	assert_non_null(f.carry);
	carry = f.carry;
	feed(&f, &l, "DY=1\n");
	expect_line(&l, 0, "READY=1");
	assert_int_equal(f.carry_len, 0);
	/* Kept for the next partial line: no allocation per line. */
	assert_ptr_equal(f.carry, carry);
	feed(&f, &l, "WOR");
	feed(&f, &l, "K=7\n");
	expect_line(&l, 1, "WORK=7");
	assert_ptr_equal(f.carry, carry);
	ward_proto_reset(&f);
	assert_null(f.carry);
	assert_int_equal(f.carry_len, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_empty_line_and_watchdog_1_are_beats),
	    cmocka_unit_test(test_work_names_the_unit),
	    cmocka_unit_test(test_ready_1),
	    cmocka_unit_test(test_status_carries_text),
	    cmocka_unit_test(test_extend_timeout_usec),
	    cmocka_unit_test(test_watchdog_trigger),
	    cmocka_unit_test(test_stopping_1),
	    cmocka_unit_test(test_trailing_cr_is_tolerated),
	    cmocka_unit_test(test_systemd_words_are_ignored),
	    cmocka_unit_test(test_unknown_and_keyless_words_are_invalid),
	    cmocka_unit_test(test_bad_usec_is_invalid),
	    cmocka_unit_test(test_control_chars_in_text_are_invalid),
	    cmocka_unit_test(test_nul_byte_is_invalid),
	    cmocka_unit_test(test_kind_names),
	    cmocka_unit_test(test_line_split_across_feeds),
	    cmocka_unit_test(test_one_byte_per_feed),
	    cmocka_unit_test(test_several_lines_in_one_feed),
	    cmocka_unit_test(test_crlf_line_parses),
	    cmocka_unit_test(test_line_of_max_bytes_is_accepted),
	    cmocka_unit_test(test_line_one_byte_too_long_is_discarded),
	    cmocka_unit_test(test_long_line_spanning_feeds_is_skipped),
	    cmocka_unit_test(test_each_long_line_is_counted),
	    cmocka_unit_test(test_reset_frees_the_carry),
	    cmocka_unit_test(test_reset_while_discarding),
	    cmocka_unit_test(test_carry_is_kept_until_reset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
