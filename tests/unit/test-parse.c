/*
 * Unit tests for the value parsers.  Each parser is driven by tables of
 * accepted inputs with their exact results and refused inputs with their
 * exact messages, so a changed message or a shifted column fails here.
 * Every refusal is also checked against the message grammar: one sentence,
 * lower case first, no trailing period, and the output left untouched.
 */
#include <inttypes.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "base/parse.h"

#define nitems(a) (sizeof(a) / sizeof((a)[0]))

#define DURATION_EXPECTED                                                      \
	"expected a duration such as 250ms, 3s, 2m or 1h (units us, ms, s, "   \
	"m, h)"
#define DURATION_BLANKS                                                        \
	"a duration cannot contain blanks; write sums without spaces, such "   \
	"as 1m30s"
#define DURATION_NO_UNIT "a number needs a unit; " DURATION_EXPECTED
#define DURATION_UNKNOWN_UNIT                                                  \
	"unknown unit; expected us, ms, s, m or h after each number"
#define DURATION_NEGATIVE "a duration cannot be negative; " DURATION_EXPECTED
#define DURATION_DIGIT_BEFORE                                                  \
	"a decimal point needs a digit before it, as in 0.5s"
#define DURATION_DIGIT_AFTER                                                   \
	"a decimal point needs a digit after it, as in 1.5s"
#define DURATION_SIX_DIGITS                                                    \
	"at most 6 digits may follow the decimal point, as in 1.5s"
#define DURATION_TOO_LONG_MS                                                   \
	"the duration is too long; expected less than 2562047788016h"
#define DURATION_TOO_LONG_US                                                   \
	"the duration is too long; expected less than 2562047789h"

#define SIZE_EXPECTED                                                          \
	"expected a size such as 512, 64KiB, 1MiB or 2GiB (units B, KiB, "     \
	"MiB, GiB)"
#define SIZE_UNKNOWN_UNIT                                                      \
	"unknown unit; expected B, KiB, MiB or GiB (binary units), or no "     \
	"unit for bytes"
#define SIZE_TOO_LARGE                                                         \
	"the size is too large; expected at most 18446744073709551615 bytes"

#define RATE_EXPECTED                                                          \
	"expected a rate such as 5/1m or 5/m: a burst from 1 to 1000000, a "   \
	"slash and a period"
#define RATE_BURST                                                             \
	"the burst before the slash must be a whole number from 1 to 1000000"
#define RATE_ZERO "the period after the slash must be longer than 0, such as 1m"

#define BACKOFF_ORDER                                                          \
	"the minimum is longer than the maximum; expected MIN..MAX with MIN "  \
	"no longer than MAX, such as 100ms..30s"

#define BOOL_EXPECTED "expected true or false, yes or no, on or off, 1 or 0"

#define SPLIT_EMPTY                                                            \
	"the command has no words; expected a program and its arguments"

#define ENV_NO_EQUALS "there is no =; expected NAME=value"
#define ENV_EMPTY_NAME                                                         \
	"the name before = is empty; expected NAME=value with a name of "      \
	"letters, digits and _"
#define ENV_DIGIT_FIRST                                                        \
	"the name starts with a digit at column 1; expected a name of "        \
	"letters, digits and _ that does not start with a digit"

/* An input and the result it must give. */
struct ok_i64 {
	const char *in;
	int64_t want;
};

/* An input and the exact message its refusal must give. */
struct bad {
	const char *in;
	const char *why;
};

/* Messages are one sentence: lower case first, no period, no newline. */
static void
check_why_grammar(const char *in, const char *why)
{
	size_t len = strlen(why);

	if (len == 0 || len >= PARSE_WHY - 1 || why[0] < 'a' || why[0] > 'z' ||
	    why[len - 1] == '.' || strchr(why, '\n') != NULL)
		fail_msg("input \"%s\": badly formed message \"%s\"", in, why);
}

/* Fail with the input named, which cmocka's own asserts cannot do. */
static void
check_why(const char *in, const char *why, const char *want)
{
	check_why_grammar(in, why);
	if (strcmp(why, want) != 0)
		fail_msg("input \"%s\":\n  got  \"%s\"\n  want \"%s\"", in, why,
			 want);
}

/* parse_duration_ms() and parse_duration_us(), one shape. */
typedef int (*parse_i64_fn)(const char *s, int64_t *out, char *why);

/* Every input of ok parses to its exact result; unit names the parser. */
static void
check_i64_accepts(parse_i64_fn parse, const char *unit, const struct ok_i64 *ok,
		  size_t n)
{
	char why[PARSE_WHY];
	int64_t v;
	size_t i;

	for (i = 0; i < n; i++) {
		why[0] = '\0';
		if (parse(ok[i].in, &v, why) != 0)
			fail_msg("%s \"%s\" refused: %s", unit, ok[i].in, why);
		if (v != ok[i].want)
			fail_msg("%s \"%s\" is %" PRId64 ", want %" PRId64,
				 unit, ok[i].in, v, ok[i].want);
	}
}

/* Exact results of parse_duration_ms() and parse_duration_us(). */
static void
test_duration_accepts(void **state __attribute__((unused)))
{
	static const struct ok_i64 ms[] = {
	    {.in = "0", .want = 0},
	    {.in = "0s", .want = 0},
	    {.in = "0ms", .want = 0},
	    {.in = "0us", .want = 0},
	    {.in = "0h0m", .want = 0},
	    {.in = "250ms", .want = 250},
	    {.in = "3s", .want = 3000},
	    {.in = "2m", .want = 120000},
	    {.in = "1h", .want = 3600000},
	    {.in = "1m30s", .want = 90000},
	    {.in = "1h1m1s1ms", .want = 3661001},
	    {.in = "1h1m1s1ms1us", .want = 3661002},
	    {.in = "30s1m", .want = 90000},
	    {.in = "1s1s", .want = 2000},
	    {.in = "007s", .want = 7000},
	    {.in = "1us", .want = 1},
	    {.in = "999us", .want = 1},
	    {.in = "1000us", .want = 1},
	    {.in = "1001us", .want = 2},
	    {.in = "500us500us", .want = 1},
	    {.in = "1ms999us1us", .want = 2},
	    {.in = "1.5s", .want = 1500},
	    {.in = "0.5ms", .want = 1},
	    {.in = "0.25h", .want = 900000},
	    {.in = "1.25h", .want = 4500000},
	    {.in = "1.5m", .want = 90000},
	    {.in = "0.000001s", .want = 1},
	    {.in = "1.999999s", .want = 2000},
	    {.in = "1.000000s", .want = 1000},
	    {.in = "0.000001h", .want = 4},
	    {.in = "2.5ms", .want = 3},
	    {.in = "0.000001ms", .want = 1},
	    {.in = "1.000001m", .want = 60001},
	    {.in = "9223372036854775807ms", .want = INT64_MAX},
	    {.in = "9223372036854775806ms1us", .want = INT64_MAX},
	    {.in = "2562047788015h", .want = INT64_C(9223372036854000000)},
	    {.in = "2562047788015h12m55s807ms", .want = INT64_MAX},
	};
	static const struct ok_i64 us[] = {
	    {.in = "0", .want = 0},
	    {.in = "1us", .want = 1},
	    {.in = "1ms", .want = 1000},
	    {.in = "1s", .want = 1000000},
	    {.in = "1m30s", .want = 90000000},
	    {.in = "1h", .want = INT64_C(3600000000)},
	    {.in = "1.5us", .want = 2},
	    {.in = "0.1us", .want = 1},
	    {.in = "0.000001us", .want = 1},
	    {.in = "1.5ms", .want = 1500},
	    {.in = "0.000001ms", .want = 1},
	    {.in = "0.000001m", .want = 60},
	    {.in = "1.000001s", .want = 1000001},
	    {.in = "0.000001h", .want = 3600},
	    {.in = "1ms1us", .want = 1001},
	    {.in = "9223372036854775807us", .want = INT64_MAX},
	    {.in = "9223372036854775ms807us", .want = INT64_MAX},
	    {.in = "2562047788h", .want = INT64_C(9223372036800000000)},
	};

	check_i64_accepts(parse_duration_ms, "ms", ms, nitems(ms));
	check_i64_accepts(parse_duration_us, "us", us, nitems(us));
}

/* Refusals common to both duration parsers, with their messages. */
static const struct bad duration_bad[] = {
    {.in = "", .why = DURATION_EXPECTED},
    {.in = "s", .why = DURATION_EXPECTED},
    {.in = "ms", .why = DURATION_EXPECTED},
    {.in = "+1s", .why = DURATION_EXPECTED},
    {.in = "1s,2s", .why = DURATION_EXPECTED},
    {.in = "1s+2s", .why = DURATION_EXPECTED},
    {.in = "1s/2", .why = DURATION_EXPECTED},
    {.in = "1s-2s", .why = DURATION_EXPECTED},
    {.in = "\xef\xbc\x91s", .why = DURATION_EXPECTED}, /* fullwidth 1 */
    {.in = "5", .why = DURATION_NO_UNIT},
    {.in = "00", .why = DURATION_NO_UNIT},
    {.in = "1m30", .why = DURATION_NO_UNIT},
    {.in = "1.5", .why = DURATION_NO_UNIT},
    {.in = "-1s", .why = DURATION_NEGATIVE},
    {.in = "-0", .why = DURATION_NEGATIVE},
    {.in = " 1s", .why = DURATION_BLANKS},
    {.in = "1s ", .why = DURATION_BLANKS},
    {.in = "1 s", .why = DURATION_BLANKS},
    {.in = "1m 30s", .why = DURATION_BLANKS},
    {.in = "1s\t", .why = DURATION_BLANKS},
    {.in = "1s\n", .why = DURATION_BLANKS},
    {.in = "\r1s", .why = DURATION_BLANKS},
    {.in = " ", .why = DURATION_BLANKS},
    {.in = "1S", .why = DURATION_UNKNOWN_UNIT},
    {.in = "1H", .why = DURATION_UNKNOWN_UNIT},
    {.in = "1MS", .why = DURATION_UNKNOWN_UNIT},
    {.in = "1d", .why = DURATION_UNKNOWN_UNIT},
    {.in = "1sec", .why = DURATION_UNKNOWN_UNIT},
    {.in = "1min", .why = DURATION_UNKNOWN_UNIT},
    {.in = "1hr", .why = DURATION_UNKNOWN_UNIT},
    {.in = "1mss", .why = DURATION_UNKNOWN_UNIT},
    {.in = "1e3ms", .why = DURATION_UNKNOWN_UNIT},
    {.in = "0x10s", .why = DURATION_UNKNOWN_UNIT},
    {.in = "1\xc2\xb5s", .why = DURATION_UNKNOWN_UNIT}, /* 1µs */
    {.in = "1s\xc2\xa0", .why = DURATION_UNKNOWN_UNIT}, /* no-break space */
    {.in = ".5s", .why = DURATION_DIGIT_BEFORE},
    {.in = "1s.5s", .why = DURATION_DIGIT_BEFORE},
    {.in = "1.s", .why = DURATION_DIGIT_AFTER},
    {.in = "1.", .why = DURATION_DIGIT_AFTER},
    {.in = "1..5s", .why = DURATION_DIGIT_AFTER},
    {.in = "1.1234567s", .why = DURATION_SIX_DIGITS},
    {.in = "0.0000001s", .why = DURATION_SIX_DIGITS},
};

/*
 * Every input of duration_bad and then of own is refused with its exact
 * message, the output left untouched; unit names the parser.
 */
static void
check_duration_refuses(parse_i64_fn parse, const char *unit,
		       const struct bad *own, size_t nown)
{
	char why[PARSE_WHY];
	int64_t v;
	size_t i;

	for (i = 0; i < nitems(duration_bad) + nown; i++) {
		const struct bad *b = i < nitems(duration_bad)
					  ? &duration_bad[i]
					  : &own[i - nitems(duration_bad)];

		v = -42;
		why[0] = '\0';
		if (parse(b->in, &v, why) != -1)
			fail_msg("%s \"%s\" accepted as %" PRId64, unit, b->in,
				 v);
		assert_int_equal(v, -42);
		check_why(b->in, why, b->why);
	}
}

/* Refusals of parse_duration_ms(), overflow included. */
static void
test_duration_ms_refuses(void **state __attribute__((unused)))
{
	static const struct bad bad[] = {
	    {.in = "9223372036854775808ms", .why = DURATION_TOO_LONG_MS},
	    {.in = "9223372036854775807ms1us", .why = DURATION_TOO_LONG_MS},
	    {.in = "9223372036854775807ms1ms", .why = DURATION_TOO_LONG_MS},
	    {.in = "2562047788016h", .why = DURATION_TOO_LONG_MS},
	    {.in = "2562047788015h12m56s", .why = DURATION_TOO_LONG_MS},
	    {.in = "99999999999999999999s", .why = DURATION_TOO_LONG_MS},
	    {.in = "153722867280912931m", .why = DURATION_TOO_LONG_MS},
	    {.in = "99999999999999999999999999999999us",
	     .why = DURATION_TOO_LONG_MS},
	};

	check_duration_refuses(parse_duration_ms, "ms", bad, nitems(bad));
}

/* Refusals of parse_duration_us(), whose range is 1000 times smaller. */
static void
test_duration_us_refuses(void **state __attribute__((unused)))
{
	static const struct bad bad[] = {
	    {.in = "9223372036854775808us", .why = DURATION_TOO_LONG_US},
	    {.in = "9223372036854775807us1us", .why = DURATION_TOO_LONG_US},
	    {.in = "9223372036854776ms", .why = DURATION_TOO_LONG_US},
	    {.in = "2562047789h", .why = DURATION_TOO_LONG_US},
	    {.in = "2562047788h55s", .why = DURATION_TOO_LONG_US},
	    {.in = "99999999999999999999s", .why = DURATION_TOO_LONG_US},
	};
	char why[PARSE_WHY];
	int64_t v;

	check_duration_refuses(parse_duration_us, "us", bad, nitems(bad));
	/* Just under the limit the us parser still accepts. */
	assert_int_equal(parse_duration_us("2562047788h54s", &v, why), 0);
	assert_true(v == INT64_C(9223372036854000000));
}

/* Exact output of parse_format_duration(). */
static void
test_format_duration(void **state __attribute__((unused)))
{
	static const struct {
		int64_t ms;
		const char *want;
	} cases[] = {
	    {.ms = 0, .want = "0s"},
	    {.ms = 1, .want = "1ms"},
	    {.ms = 250, .want = "250ms"},
	    {.ms = 999, .want = "999ms"},
	    {.ms = 1000, .want = "1s"},
	    {.ms = 1500, .want = "1s500ms"},
	    {.ms = 3000, .want = "3s"},
	    {.ms = 60000, .want = "1m"},
	    {.ms = 150000, .want = "2m30s"},
	    {.ms = 3600000, .want = "1h"},
	    {.ms = 3600001, .want = "1h1ms"},
	    {.ms = 3661001, .want = "1h1m1s1ms"},
	    {.ms = 86400000, .want = "24h"},
	    {.ms = INT64_MAX, .want = "2562047788015h12m55s807ms"},
	    {.ms = -1500, .want = "-1s500ms"},
	    {.ms = INT64_MIN, .want = "-2562047788015h12m55s808ms"},
	};
	char buf[64];
	size_t i;

	for (i = 0; i < nitems(cases); i++) {
		parse_format_duration(cases[i].ms, buf, sizeof(buf));
		if (strcmp(buf, cases[i].want) != 0)
			fail_msg("%" PRId64 " formats as \"%s\", want \"%s\"",
				 cases[i].ms, buf, cases[i].want);
	}
}

/* A short buffer gets a truncated, terminated string; none is untouched. */
static void
test_format_duration_truncates(void **state __attribute__((unused)))
{
	char buf[8];

	memset(buf, 'x', sizeof(buf));
	parse_format_duration(150000, buf, 4);
	assert_string_equal(buf, "2m3");
	assert_int_equal(buf[4], 'x');
	parse_format_duration(150000, buf, 1);
	assert_string_equal(buf, "");
	memset(buf, 'x', sizeof(buf));
	parse_format_duration(150000, buf, 0);
	assert_int_equal(buf[0], 'x');
}

/* Whatever parse_format_duration() writes parses back to the same ms. */
static void
test_format_duration_round_trip(void **state __attribute__((unused)))
{
	static const int64_t fixed[] = {
	    0,       1,        999,       1000,          1001,
	    59999,   60000,    60001,     3599999,       3600000,
	    3600001, 86399999, INT64_MAX, INT64_MAX - 1, INT64_MAX / 2,
	};
	char buf[64], why[PARSE_WHY];
	uint64_t x = 88172645463325252u;
	int64_t ms, back;
	size_t i;

	for (i = 0; i < nitems(fixed) + 10000; i++) {
		if (i < nitems(fixed)) {
			ms = fixed[i];
		} else {
			/* xorshift64: values of every magnitude. */
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			ms = (int64_t)(x >> (1 + x % 63));
		}
		parse_format_duration(ms, buf, sizeof(buf));
		if (parse_duration_ms(buf, &back, why) != 0)
			fail_msg("%" PRId64 " formats as \"%s\": %s", ms, buf,
				 why);
		if (back != ms)
			fail_msg("%" PRId64 " formats as \"%s\", parses as "
				 "%" PRId64,
				 ms, buf, back);
	}
}

/* Exact results of parse_size(). */
static void
test_size_accepts(void **state __attribute__((unused)))
{
	static const struct {
		const char *in;
		uint64_t want;
	} cases[] = {
	    {.in = "0", .want = 0},
	    {.in = "0B", .want = 0},
	    {.in = "0GiB", .want = 0},
	    {.in = "1", .want = 1},
	    {.in = "512", .want = 512},
	    {.in = "512B", .want = 512},
	    {.in = "1KiB", .want = 1024},
	    {.in = "64KiB", .want = 65536},
	    {.in = "1MiB", .want = 1048576},
	    {.in = "2GiB", .want = UINT64_C(2147483648)},
	    {.in = "0064KiB", .want = 65536},
	    {.in = "18446744073709551615", .want = UINT64_MAX},
	    {.in = "18446744073709551615B", .want = UINT64_MAX},
	    {.in = "17179869183GiB", .want = UINT64_C(18446744072635809792)},
	    {.in = "17592186044415MiB", .want = UINT64_C(18446744073708503040)},
	};
	char why[PARSE_WHY];
	uint64_t v;
	size_t i;

	for (i = 0; i < nitems(cases); i++) {
		why[0] = '\0';
		if (parse_size(cases[i].in, &v, why) != 0)
			fail_msg("\"%s\" refused: %s", cases[i].in, why);
		if (v != cases[i].want)
			fail_msg("\"%s\" is %" PRIu64 ", want %" PRIu64,
				 cases[i].in, v, cases[i].want);
	}
}

/* Refusals of parse_size(): decimal units, fractions, overflow. */
static void
test_size_refuses(void **state __attribute__((unused)))
{
	static const struct bad cases[] = {
	    {.in = "", .why = SIZE_EXPECTED},
	    {.in = "KiB", .why = SIZE_EXPECTED},
	    {.in = "+1", .why = SIZE_EXPECTED},
	    {.in = ".5KiB", .why = SIZE_EXPECTED},
	    {.in = "-1", .why = "a size cannot be negative; " SIZE_EXPECTED},
	    {.in = " 1", .why = "a size cannot contain blanks; " SIZE_EXPECTED},
	    {.in = "1 ", .why = "a size cannot contain blanks; " SIZE_EXPECTED},
	    {.in = "1 KiB",
	     .why = "a size cannot contain blanks; " SIZE_EXPECTED},
	    {.in = "1.5MiB",
	     .why = "a size must be a whole number; " SIZE_EXPECTED},
	    {.in = "1K", .why = SIZE_UNKNOWN_UNIT},
	    {.in = "1KB", .why = SIZE_UNKNOWN_UNIT},
	    {.in = "1k", .why = SIZE_UNKNOWN_UNIT},
	    {.in = "1kib", .why = SIZE_UNKNOWN_UNIT},
	    {.in = "1M", .why = SIZE_UNKNOWN_UNIT},
	    {.in = "1MB", .why = SIZE_UNKNOWN_UNIT},
	    {.in = "1G", .why = SIZE_UNKNOWN_UNIT},
	    {.in = "1GB", .why = SIZE_UNKNOWN_UNIT},
	    {.in = "1TiB", .why = SIZE_UNKNOWN_UNIT},
	    {.in = "1b", .why = SIZE_UNKNOWN_UNIT},
	    {.in = "1KiBB", .why = SIZE_UNKNOWN_UNIT},
	    {.in = "1KiB1", .why = SIZE_UNKNOWN_UNIT},
	    {.in = "1\xc2\xb5", .why = SIZE_UNKNOWN_UNIT},
	    {.in = "18446744073709551616", .why = SIZE_TOO_LARGE},
	    {.in = "99999999999999999999999", .why = SIZE_TOO_LARGE},
	    {.in = "17179869184GiB", .why = SIZE_TOO_LARGE},
	    {.in = "18014398509481984KiB", .why = SIZE_TOO_LARGE},
	};
	char why[PARSE_WHY];
	uint64_t v;
	size_t i;

	for (i = 0; i < nitems(cases); i++) {
		v = 42;
		why[0] = '\0';
		if (parse_size(cases[i].in, &v, why) != -1)
			fail_msg("\"%s\" accepted as %" PRIu64, cases[i].in, v);
		assert_int_equal(v, 42);
		check_why(cases[i].in, why, cases[i].why);
	}
}

/* Exact results of parse_rate(), bare units included. */
static void
test_rate_accepts(void **state __attribute__((unused)))
{
	static const struct {
		const char *in;
		unsigned burst;
		int64_t period_ms;
	} cases[] = {
	    {.in = "5/1m", .burst = 5, .period_ms = 60000},
	    {.in = "5/m", .burst = 5, .period_ms = 60000},
	    {.in = "5/s", .burst = 5, .period_ms = 1000},
	    {.in = "5/h", .burst = 5, .period_ms = 3600000},
	    {.in = "5/ms", .burst = 5, .period_ms = 1},
	    {.in = "5/us", .burst = 5, .period_ms = 1},
	    {.in = "1/1s", .burst = 1, .period_ms = 1000},
	    {.in = "3/30s", .burst = 3, .period_ms = 30000},
	    {.in = "5/1m30s", .burst = 5, .period_ms = 90000},
	    {.in = "5/1.5s", .burst = 5, .period_ms = 1500},
	    {.in = "5/500us", .burst = 5, .period_ms = 1},
	    {.in = "007/1m", .burst = 7, .period_ms = 60000},
	    {.in = "1000000/1h", .burst = 1000000, .period_ms = 3600000},
	};
	struct parse_rate r;
	char why[PARSE_WHY];
	size_t i;

	for (i = 0; i < nitems(cases); i++) {
		why[0] = '\0';
		if (parse_rate(cases[i].in, &r, why) != 0)
			fail_msg("\"%s\" refused: %s", cases[i].in, why);
		if (r.burst != cases[i].burst ||
		    r.period_ms != cases[i].period_ms)
			fail_msg("\"%s\" is %u/%" PRId64 "ms, want %u/%" PRId64
				 "ms",
				 cases[i].in, r.burst, r.period_ms,
				 cases[i].burst, cases[i].period_ms);
	}
}

/* Refusals of parse_rate(), each saying which side is wrong. */
static void
test_rate_refuses(void **state __attribute__((unused)))
{
	static const struct bad cases[] = {
	    {.in = "", .why = RATE_EXPECTED},
	    {.in = "5", .why = RATE_EXPECTED},
	    {.in = "5 per minute", .why = RATE_EXPECTED},
	    {.in = "5:1m", .why = RATE_EXPECTED},
	    {.in = "/1m", .why = RATE_BURST},
	    {.in = "0/1m", .why = RATE_BURST},
	    {.in = "1000001/1m", .why = RATE_BURST},
	    {.in = "99999999999999999999999/1m", .why = RATE_BURST},
	    {.in = "-5/1m", .why = RATE_BURST},
	    {.in = "+5/1m", .why = RATE_BURST},
	    {.in = " 5/1m", .why = RATE_BURST},
	    {.in = "5 /1m", .why = RATE_BURST},
	    {.in = "5.5/1m", .why = RATE_BURST},
	    {.in = "five/1m", .why = RATE_BURST},
	    {.in = "5/", .why = "after the slash, " DURATION_EXPECTED},
	    {.in = "5/1", .why = "after the slash, " DURATION_NO_UNIT},
	    {.in = "5/ 1m", .why = "after the slash, " DURATION_BLANKS},
	    {.in = "5/1m/2", .why = "after the slash, " DURATION_EXPECTED},
	    {.in = "5/M", .why = "after the slash, " DURATION_EXPECTED},
	    {.in = "5/-1m", .why = "after the slash, " DURATION_NEGATIVE},
	    {.in = "5/1min", .why = "after the slash, " DURATION_UNKNOWN_UNIT},
	    {.in = "5/0", .why = RATE_ZERO},
	    {.in = "5/0s", .why = RATE_ZERO},
	    {.in = "5/0h0m", .why = RATE_ZERO},
	};
	struct parse_rate r = {.burst = 42, .period_ms = 42};
	char why[PARSE_WHY];
	size_t i;

	for (i = 0; i < nitems(cases); i++) {
		why[0] = '\0';
		if (parse_rate(cases[i].in, &r, why) != -1)
			fail_msg("\"%s\" accepted", cases[i].in);
		assert_int_equal(r.burst, 42);
		assert_int_equal(r.period_ms, 42);
		check_why(cases[i].in, why, cases[i].why);
	}
}

/* Exact results of parse_backoff(), ranges and fixed delays. */
static void
test_backoff_accepts(void **state __attribute__((unused)))
{
	static const struct {
		const char *in;
		int64_t min, max;
	} cases[] = {
	    {.in = "100ms..30s", .min = 100, .max = 30000},
	    {.in = "1s", .min = 1000, .max = 1000},
	    {.in = "0", .min = 0, .max = 0},
	    {.in = "0..5s", .min = 0, .max = 5000},
	    {.in = "0..0", .min = 0, .max = 0},
	    {.in = "1s..1s", .min = 1000, .max = 1000},
	    {.in = "1000ms..1s", .min = 1000, .max = 1000},
	    {.in = "1.5s..1m30s", .min = 1500, .max = 90000},
	    {.in = "1us..1ms", .min = 1, .max = 1},
	};
	char why[PARSE_WHY];
	int64_t lo, hi;
	size_t i;

	for (i = 0; i < nitems(cases); i++) {
		why[0] = '\0';
		if (parse_backoff(cases[i].in, &lo, &hi, why) != 0)
			fail_msg("\"%s\" refused: %s", cases[i].in, why);
		if (lo != cases[i].min || hi != cases[i].max)
			fail_msg("\"%s\" is %" PRId64 "..%" PRId64
				 ", want %" PRId64 "..%" PRId64,
				 cases[i].in, lo, hi, cases[i].min,
				 cases[i].max);
	}
}

/* Refusals of parse_backoff(), each saying which side is wrong. */
static void
test_backoff_refuses(void **state __attribute__((unused)))
{
	static const struct bad cases[] = {
	    {.in = "", .why = DURATION_EXPECTED},
	    {.in = "fast", .why = DURATION_EXPECTED},
	    {.in = "5", .why = DURATION_NO_UNIT},
	    {.in = "1s - 2s", .why = DURATION_BLANKS},
	    {.in = "30s..100ms", .why = BACKOFF_ORDER},
	    {.in = "1ms..0", .why = BACKOFF_ORDER},
	    {.in = "..5s", .why = "before the .., " DURATION_EXPECTED},
	    {.in = "..", .why = "before the .., " DURATION_EXPECTED},
	    {.in = "1..5s", .why = "before the .., " DURATION_NO_UNIT},
	    {.in = "1s ..5s", .why = "before the .., " DURATION_BLANKS},
	    {.in = "1s..", .why = "after the .., " DURATION_EXPECTED},
	    {.in = "1s..5", .why = "after the .., " DURATION_NO_UNIT},
	    {.in = "1s.. 5s", .why = "after the .., " DURATION_BLANKS},
	    {.in = "1s...2s", .why = "after the .., " DURATION_DIGIT_BEFORE},
	    {.in = "1s..2s..3s", .why = "after the .., " DURATION_DIGIT_BEFORE},
	    {.in = "1s..-2s", .why = "after the .., " DURATION_NEGATIVE},
	    {.in = "1s..9223372036854775808ms",
	     .why = "after the .., " DURATION_TOO_LONG_MS},
	};
	char why[PARSE_WHY];
	int64_t lo = 42, hi = 42;
	size_t i;

	for (i = 0; i < nitems(cases); i++) {
		why[0] = '\0';
		if (parse_backoff(cases[i].in, &lo, &hi, why) != -1)
			fail_msg("\"%s\" accepted", cases[i].in);
		assert_int_equal(lo, 42);
		assert_int_equal(hi, 42);
		check_why(cases[i].in, why, cases[i].why);
	}
}

/* Names, prefixes, case and numbers that parse_signal() accepts. */
static void
test_signal_accepts(void **state __attribute__((unused)))
{
	static const struct {
		const char *in;
		int want;
	} cases[] = {
	    {.in = "TERM", .want = SIGTERM},
	    {.in = "SIGTERM", .want = SIGTERM},
	    {.in = "term", .want = SIGTERM},
	    {.in = "sigterm", .want = SIGTERM},
	    {.in = "SigTeRm", .want = SIGTERM},
	    {.in = "15", .want = 15},
	    {.in = "HUP", .want = SIGHUP},
	    {.in = "INT", .want = SIGINT},
	    {.in = "QUIT", .want = SIGQUIT},
	    {.in = "KILL", .want = SIGKILL},
	    {.in = "USR1", .want = SIGUSR1},
	    {.in = "usr2", .want = SIGUSR2},
	    {.in = "SIGCHLD", .want = SIGCHLD},
	    {.in = "WINCH", .want = SIGWINCH},
	    {.in = "VTALRM", .want = SIGVTALRM},
	    {.in = "IO", .want = SIGIO},
	    {.in = "SYS", .want = SIGSYS},
	    {.in = "STOP", .want = SIGSTOP},
	    {.in = "CONT", .want = SIGCONT},
	    {.in = "1", .want = 1},
	    {.in = "9", .want = 9},
	    {.in = "09", .want = 9},
	};
	static const char *const table[] = {
	    "HUP",  "INT",    "QUIT", "ILL",   "TRAP", "ABRT", "BUS",  "FPE",
	    "KILL", "USR1",   "SEGV", "USR2",  "PIPE", "ALRM", "TERM", "STKFLT",
	    "CHLD", "CONT",   "STOP", "TSTP",  "TTIN", "TTOU", "URG",  "XCPU",
	    "XFSZ", "VTALRM", "PROF", "WINCH", "IO",   "PWR",  "SYS",
	};
	char why[PARSE_WHY], num[16], sig[16];
	int signo, other;
	size_t i;

	for (i = 0; i < nitems(cases); i++) {
		why[0] = '\0';
		if (parse_signal(cases[i].in, &signo, why) != 0)
			fail_msg("\"%s\" refused: %s", cases[i].in, why);
		if (signo != cases[i].want)
			fail_msg("\"%s\" is %d, want %d", cases[i].in, signo,
				 cases[i].want);
	}
	/* Every name in the table, with and without SIG, round-trips. */
	for (i = 0; i < nitems(table); i++) {
		if (parse_signal(table[i], &signo, why) != 0)
			fail_msg("\"%s\" refused: %s", table[i], why);
		assert_string_equal(parse_signal_name(signo), table[i]);
		snprintf(sig, sizeof(sig), "SIG%s", table[i]);
		assert_int_equal(parse_signal(sig, &other, why), 0);
		assert_int_equal(other, signo);
	}
	/* Every number up to SIGRTMAX is accepted as itself. */
	for (i = 1; i <= (size_t)SIGRTMAX; i++) {
		snprintf(num, sizeof(num), "%zu", i);
		assert_int_equal(parse_signal(num, &signo, why), 0);
		assert_int_equal(signo, (int)i);
	}
}

/* Refusals of parse_signal(): unknown names and numbers out of range. */
static void
test_signal_refuses(void **state __attribute__((unused)))
{
	static const char *const unknown[] = {
	    "",    "FOO",   "SIG",   "SIGSIGTERM", "SIG15",
	    "-9",  "15x",   " TERM", "TERM ",      "TERM\n",
	    "TER", "TERMS", "RTMIN", "SIGRTMIN+1", "\xc3\x9cTERM",
	    "+15", "0x0f",  "IOT",   "POLL",       "SIG TERM",
	};
	static const char *const range[] = {
	    "0", "00", "65", "1000", "99999999999999999999999",
	};
	char why[PARSE_WHY], want[PARSE_WHY], num[16];
	int signo = 42;
	size_t i;

	snprintf(
	    want, sizeof(want),
	    "unknown signal; expected a name such as TERM, INT, HUP, QUIT, "
	    "KILL, USR1, USR2 or a number 1-%d",
	    SIGRTMAX);
	for (i = 0; i < nitems(unknown); i++) {
		why[0] = '\0';
		if (parse_signal(unknown[i], &signo, why) != -1)
			fail_msg("\"%s\" accepted as %d", unknown[i], signo);
		assert_int_equal(signo, 42);
		check_why(unknown[i], why, want);
	}
	snprintf(
	    want, sizeof(want),
	    "the signal number is out of range; expected a number 1-%d or a "
	    "name such as TERM",
	    SIGRTMAX);
	snprintf(num, sizeof(num), "%d", SIGRTMAX + 1);
	assert_int_equal(parse_signal(num, &signo, why), -1);
	check_why(num, why, want);
	for (i = 0; i < nitems(range); i++) {
		why[0] = '\0';
		if (parse_signal(range[i], &signo, why) != -1)
			fail_msg("\"%s\" accepted as %d", range[i], signo);
		assert_int_equal(signo, 42);
		check_why(range[i], why, want);
	}
}

/* parse_signal_name() for named, unnamed and impossible signals. */
static void
test_signal_name(void **state __attribute__((unused)))
{
	char want[32];

	assert_string_equal(parse_signal_name(SIGTERM), "TERM");
	assert_string_equal(parse_signal_name(SIGKILL), "KILL");
	assert_string_equal(parse_signal_name(SIGHUP), "HUP");
	assert_string_equal(parse_signal_name(SIGSYS), "SYS");
	assert_string_equal(parse_signal_name(0), "signal 0");
	assert_string_equal(parse_signal_name(-1), "signal -1");
	assert_string_equal(parse_signal_name(1000), "signal 1000");
	assert_string_equal(parse_signal_name(INT_MIN), "signal -2147483648");
	snprintf(want, sizeof(want), "signal %d", SIGRTMIN);
	assert_string_equal(parse_signal_name(SIGRTMIN), want);
	snprintf(want, sizeof(want), "signal %d", SIGRTMAX);
	assert_string_equal(parse_signal_name(SIGRTMAX), want);
}

/* parse_bool(): every spelling in every case, and near misses. */
static void
test_bool(void **state __attribute__((unused)))
{
	static const struct {
		const char *in;
		bool want;
	} ok[] = {
	    {.in = "true", .want = true}, {.in = "false", .want = false},
	    {.in = "yes", .want = true},  {.in = "no", .want = false},
	    {.in = "on", .want = true},   {.in = "off", .want = false},
	    {.in = "1", .want = true},    {.in = "0", .want = false},
	    {.in = "TRUE", .want = true}, {.in = "False", .want = false},
	    {.in = "Yes", .want = true},  {.in = "nO", .want = false},
	    {.in = "oN", .want = true},   {.in = "OFF", .want = false},
	};
	static const char *const bad[] = {
	    "",      "2",     "y",    "n",    "t",    "f",        "enable",
	    " true", "true ", "yes!", "00",   "01",   "-1",       "tru",
	    "truee", "o",     "of",   "offf", "nope", "\xc3\xbf", "on\n",
	};
	char why[PARSE_WHY];
	bool v;
	size_t i;

	for (i = 0; i < nitems(ok); i++) {
		v = !ok[i].want;
		if (parse_bool(ok[i].in, &v, why) != 0)
			fail_msg("\"%s\" refused: %s", ok[i].in, why);
		if (v != ok[i].want)
			fail_msg("\"%s\" is %d", ok[i].in, v);
	}
	for (i = 0; i < nitems(bad); i++) {
		v = true;
		why[0] = '\0';
		if (parse_bool(bad[i], &v, why) != -1)
			fail_msg("\"%s\" accepted", bad[i]);
		assert_true(v);
		check_why(bad[i], why, BOOL_EXPECTED);
	}
}

/* parse_long() within a positive range: no signs, no blanks, no hex. */
static void
test_long_positive_range(void **state __attribute__((unused)))
{
	static const struct {
		const char *in;
		long want;
	} ok[] = {
	    {.in = "1", .want = 1},
	    {.in = "42", .want = 42},
	    {.in = "10000", .want = 10000},
	    {.in = "007", .want = 7},
	    {.in = "0000000000000000000000001", .want = 1},
	};
	static const char *const bad[] = {
	    "",         "0",
	    "10001",    "-1",
	    "-0",       "+5",
	    " 5",       "5 ",
	    "5x",       "0x10",
	    "1e3",      "1.0",
	    "1,000",    "99999999999999999999",
	    "\xd9\xa3", /* ARABIC-INDIC DIGIT THREE */
	};
	char why[PARSE_WHY];
	long v;
	size_t i;

	for (i = 0; i < nitems(ok); i++) {
		if (parse_long(ok[i].in, 1, 10000, &v, why) != 0)
			fail_msg("\"%s\" refused: %s", ok[i].in, why);
		if (v != ok[i].want)
			fail_msg("\"%s\" is %ld", ok[i].in, v);
	}
	for (i = 0; i < nitems(bad); i++) {
		v = 42;
		why[0] = '\0';
		if (parse_long(bad[i], 1, 10000, &v, why) != -1)
			fail_msg("\"%s\" accepted as %ld", bad[i], v);
		assert_int_equal(v, 42);
		check_why(bad[i], why,
			  "expected a whole number from 1 to 10000");
	}
	/* Zero is fine when the range has it, a sign still is not. */
	assert_int_equal(parse_long("0", 0, 5, &v, why), 0);
	assert_int_equal(v, 0);
	assert_int_equal(parse_long("-0", 0, 5, &v, why), -1);
	check_why("-0", why, "expected a whole number from 0 to 5");
}

/* parse_long() with a negative minimum, up to the limits of long. */
static void
test_long_negative_range(void **state __attribute__((unused)))
{
	char why[PARSE_WHY], want[PARSE_WHY];
	long v;

	assert_int_equal(parse_long("-5", -10, 10, &v, why), 0);
	assert_true(v == -5);
	assert_int_equal(parse_long("-10", -10, 10, &v, why), 0);
	assert_true(v == -10);
	assert_int_equal(parse_long("-0", -10, 10, &v, why), 0);
	assert_true(v == 0);
	assert_int_equal(parse_long("10", -10, 10, &v, why), 0);
	assert_true(v == 10);
	assert_int_equal(parse_long("-11", -10, 10, &v, why), -1);
	check_why("-11", why, "expected a whole number from -10 to 10");
	assert_int_equal(parse_long("-", -10, 10, &v, why), -1);
	check_why("-", why, "expected a whole number from -10 to 10");
	assert_int_equal(parse_long("--5", -10, 10, &v, why), -1);
	assert_int_equal(parse_long("- 5", -10, 10, &v, why), -1);
	assert_int_equal(parse_long("+5", -10, 10, &v, why), -1);

	assert_int_equal(
	    parse_long("-9223372036854775808", LONG_MIN, LONG_MAX, &v, why), 0);
	assert_true(v == LONG_MIN);
	assert_int_equal(
	    parse_long("9223372036854775807", LONG_MIN, LONG_MAX, &v, why), 0);
	assert_true(v == LONG_MAX);
	assert_int_equal(
	    parse_long("9223372036854775808", LONG_MIN, LONG_MAX, &v, why), -1);
	assert_int_equal(
	    parse_long("-9223372036854775809", LONG_MIN, LONG_MAX, &v, why),
	    -1);
	snprintf(want, sizeof(want), "expected a whole number from %ld to %ld",
		 LONG_MIN, LONG_MAX);
	check_why("-9223372036854775809", why, want);
	assert_true(v == LONG_MAX);
}

/* Split s, which must succeed, and compare with the n words of want. */
static void
check_split(const char *s, const char *const *want, size_t n)
{
	char why[PARSE_WHY] = "", **argv = NULL;
	size_t argc = 0, i;

	if (parse_split(s, &argv, &argc, why) != 0)
		fail_msg("\"%s\" refused: %s", s, why);
	if (argc != n)
		fail_msg("\"%s\" has %zu words, want %zu", s, argc, n);
	for (i = 0; i < n; i++)
		if (strcmp(argv[i], want[i]) != 0)
			fail_msg("\"%s\" word %zu is \"%s\", want \"%s\"", s, i,
				 argv[i], want[i]);
	assert_null(argv[argc]);
	/* One allocation: the strings follow the vector in order. */
	assert_ptr_equal(argv[0], (char *)(argv + argc + 1));
	for (i = 1; i < n; i++)
		assert_ptr_equal(argv[i],
				 argv[i - 1] + strlen(argv[i - 1]) + 1);
	parse_split_free(argv);
}

#define SPLIT(s, ...)                                                          \
	do {                                                                   \
		static const char *const split_want_[] = {__VA_ARGS__};        \
		check_split((s), split_want_, nitems(split_want_));            \
	} while (0)

/* Blanks separate words: space, tab and newline, in any number. */
static void
test_split_blanks(void **state __attribute__((unused)))
{
	SPLIT("a", "a");
	SPLIT("a b c", "a", "b", "c");
	SPLIT("  a\t\tb\n\nc  ", "a", "b", "c");
	SPLIT("/usr/bin/web --port 8080", "/usr/bin/web", "--port", "8080");
	SPLIT("\ta\n", "a");
	/* Carriage return and other bytes are not blanks. */
	SPLIT("a\rb c\v", "a\rb", "c\v");
	SPLIT("h\xc3\xa9llo w\xc3\xb6rld", "h\xc3\xa9llo", "w\xc3\xb6rld");
}

/* Single quotes keep everything literally, backslashes included. */
static void
test_split_single_quotes(void **state __attribute__((unused)))
{
	SPLIT("'a b' c", "a b", "c");
	SPLIT("'a\\b'", "a\\b");
	SPLIT("'\\'", "\\");
	SPLIT("'say \"hi\"'", "say \"hi\"");
	SPLIT("'$HOME `x` ~ *'", "$HOME `x` ~ *");
	SPLIT("'a\nb\tc'", "a\nb\tc");
	SPLIT("''", "");
}

/* Double quotes keep all but the escapes \" \\ \$ \`. */
static void
test_split_double_quotes(void **state __attribute__((unused)))
{
	SPLIT("\"a b\" c", "a b", "c");
	SPLIT("\"a\\\"b\"", "a\"b");
	SPLIT("\"\\\\\"", "\\");
	SPLIT("\"\\$HOME\"", "$HOME");
	SPLIT("\"\\`x\\`\"", "`x`");
	/* Any other backslash stays, with the character after it. */
	SPLIT("\"\\n\\a\\'\"", "\\n\\a\\'");
	SPLIT("\"it's\"", "it's");
	SPLIT("\"a\nb\"", "a\nb");
	SPLIT("\"$HOME\"", "$HOME");
	SPLIT("\"\"", "");
}

/* Outside quotes a backslash keeps the next character, whatever it is. */
static void
test_split_backslash(void **state __attribute__((unused)))
{
	SPLIT("a\\ b", "a b");
	SPLIT("\\'x", "'x");
	SPLIT("\\\"x", "\"x");
	SPLIT("\\\\", "\\");
	SPLIT("\\a\\b", "ab");
	SPLIT("a\\\nb", "a\nb");
	SPLIT("\\$HOME", "$HOME");
	SPLIT("a \\  b", "a", " ", "b");
}

/* Quoted and unquoted pieces join; empty quotes make empty words. */
static void
test_split_joins_and_empty_words(void **state __attribute__((unused)))
{
	SPLIT("\"a\"'b'c", "abc");
	SPLIT("a'b'\"c\"d\\ e", "abc"
				"d e");
	SPLIT("a''b", "ab");
	SPLIT("a \"\" b", "a", "", "b");
	SPLIT("'' ''", "", "");
	SPLIT("x=\"1 2\"", "x=1 2");
	SPLIT("--opt='a b'", "--opt=a b");
}

/* No expansion of variables, globs, ~ or command substitution. */
static void
test_split_no_expansion(void **state __attribute__((unused)))
{
	SPLIT("echo $HOME ~ *.c $(id) `id` a;b a|b a>b", "echo", "$HOME", "~",
	      "*.c", "$(id)", "`id`", "a;b", "a|b", "a>b");
	SPLIT("#comment", "#comment");
}

/* Many words, to make sure the vector is sized right. */
static void
test_split_many_words(void **state __attribute__((unused)))
{
	char line[2000], why[PARSE_WHY], **argv, want[8];
	size_t argc, i, len = 0;

	for (i = 0; i < 300; i++)
		len += (size_t)snprintf(line + len, sizeof(line) - len, "w%zu ",
					i);
	assert_int_equal(parse_split(line, &argv, &argc, why), 0);
	assert_int_equal(argc, 300);
	for (i = 0; i < 300; i++) {
		snprintf(want, sizeof(want), "w%zu", i);
		assert_string_equal(argv[i], want);
	}
	assert_null(argv[300]);
	parse_split_free(argv);
}

/* Refusals of parse_split(), with 1-based byte columns. */
static void
test_split_refuses(void **state __attribute__((unused)))
{
	static const struct bad cases[] = {
	    {.in = "", .why = SPLIT_EMPTY},
	    {.in = " ", .why = SPLIT_EMPTY},
	    {.in = " \t\n ", .why = SPLIT_EMPTY},
	    {.in = "'abc",
	     .why = "unterminated single quote opened at column 1; close "
		    "it with another '"},
	    {.in = "a 'b\"c",
	     .why = "unterminated single quote opened at column 3; close "
		    "it with another '"},
	    {.in = "echo hello \"world",
	     .why = "unterminated double quote opened at column 12; close "
		    "it with another \""},
	    {.in = "\"abc\\\"",
	     .why = "unterminated double quote opened at column 1; close "
		    "it with another \""},
	    {.in = "\"abc\\",
	     .why = "unterminated double quote opened at column 1; close "
		    "it with another \""},
	    {.in = "'a' 'b' \"c\" \"",
	     .why = "unterminated double quote opened at column 13; close "
		    "it with another \""},
	    {.in = "\\''",
	     .why = "unterminated single quote opened at column 3; close "
		    "it with another '"},
	    /* Columns count bytes: é is two. */
	    {.in = "\xc3\xa9 'x",
	     .why = "unterminated single quote opened at column 4; close "
		    "it with another '"},
	    {.in = "abc\\",
	     .why = "trailing backslash at column 4 has nothing to escape; "
		    "write \\\\ for a literal backslash"},
	    {.in = "\\",
	     .why = "trailing backslash at column 1 has nothing to escape; "
		    "write \\\\ for a literal backslash"},
	    {.in = "a b \\\\\\",
	     .why = "trailing backslash at column 7 has nothing to escape; "
		    "write \\\\ for a literal backslash"},
	};
	char why[PARSE_WHY], **argv = (char **)&why;
	size_t argc = 42, i;

	for (i = 0; i < nitems(cases); i++) {
		why[0] = '\0';
		if (parse_split(cases[i].in, &argv, &argc, why) != -1)
			fail_msg("\"%s\" accepted", cases[i].in);
		assert_ptr_equal(argv, (char **)&why);
		assert_int_equal(argc, 42);
		check_why(cases[i].in, why, cases[i].why);
	}
}

/* parse_env_assignment(): accepted names and the length of each. */
static void
test_env_accepts(void **state __attribute__((unused)))
{
	static const struct {
		const char *in;
		size_t len;
	} cases[] = {
	    {.in = "A=b", .len = 1},
	    {.in = "PATH=/bin:/usr/bin", .len = 4},
	    {.in = "_=x", .len = 1},
	    {.in = "a1_B2=", .len = 5},
	    {.in = "X==y", .len = 1},
	    {.in = "X=y=z", .len = 1},
	    {.in = "__9=1", .len = 3},
	    {.in = "LANG=C.UTF-8", .len = 4},
	    {.in = "X= spaced value ", .len = 1},
	    {.in = "Y=\xc3\xa9", .len = 1},
	};
	char why[PARSE_WHY];
	size_t len;
	size_t i;

	for (i = 0; i < nitems(cases); i++) {
		if (parse_env_assignment(cases[i].in, &len, why) != 0)
			fail_msg("\"%s\" refused: %s", cases[i].in, why);
		if (len != cases[i].len)
			fail_msg("\"%s\" has name length %zu", cases[i].in,
				 len);
	}
}

/* parse_env_assignment() refusals name the column of the bad byte. */
static void
test_env_refuses(void **state __attribute__((unused)))
{
	static const struct bad cases[] = {
	    {.in = "", .why = ENV_NO_EQUALS},
	    {.in = "PATH", .why = ENV_NO_EQUALS},
	    {.in = "=x", .why = ENV_EMPTY_NAME},
	    {.in = "=", .why = ENV_EMPTY_NAME},
	    {.in = "1A=x", .why = ENV_DIGIT_FIRST},
	    {.in = "9=x", .why = ENV_DIGIT_FIRST},
	    {.in = "A-B=x",
	     .why = "the character at column 2 cannot be in a name; "
		    "expected a name of letters, digits and _ before the ="},
	    {.in = "A B=x",
	     .why = "the character at column 2 cannot be in a name; "
		    "expected a name of letters, digits and _ before the ="},
	    {.in = " A=x",
	     .why = "the character at column 1 cannot be in a name; "
		    "expected a name of letters, digits and _ before the ="},
	    {.in = "\xc3\x84"
		   "B=x",
	     .why = "the character at column 1 cannot be in a name; "
		    "expected a name of letters, digits and _ before the ="},
	    {.in = "AB\xc3\x84=x",
	     .why = "the character at column 3 cannot be in a name; "
		    "expected a name of letters, digits and _ before the ="},
	    {.in = "ABCDE.=x",
	     .why = "the character at column 6 cannot be in a name; "
		    "expected a name of letters, digits and _ before the ="},
	};
	char why[PARSE_WHY];
	size_t len = 42, i;

	for (i = 0; i < nitems(cases); i++) {
		why[0] = '\0';
		if (parse_env_assignment(cases[i].in, &len, why) != -1)
			fail_msg("\"%s\" accepted", cases[i].in);
		assert_int_equal(len, 42);
		check_why(cases[i].in, why, cases[i].why);
	}
}

/* A NULL why is allowed for callers that only want a yes or no. */
static void
test_null_why(void **state __attribute__((unused)))
{
	int64_t v;

	assert_int_equal(parse_duration_ms("nope", &v, NULL), -1);
	assert_int_equal(parse_duration_ms("2s", &v, NULL), 0);
	assert_true(v == 2000);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_duration_accepts),
	    cmocka_unit_test(test_duration_ms_refuses),
	    cmocka_unit_test(test_duration_us_refuses),
	    cmocka_unit_test(test_format_duration),
	    cmocka_unit_test(test_format_duration_truncates),
	    cmocka_unit_test(test_format_duration_round_trip),
	    cmocka_unit_test(test_size_accepts),
	    cmocka_unit_test(test_size_refuses),
	    cmocka_unit_test(test_rate_accepts),
	    cmocka_unit_test(test_rate_refuses),
	    cmocka_unit_test(test_backoff_accepts),
	    cmocka_unit_test(test_backoff_refuses),
	    cmocka_unit_test(test_signal_accepts),
	    cmocka_unit_test(test_signal_refuses),
	    cmocka_unit_test(test_signal_name),
	    cmocka_unit_test(test_bool),
	    cmocka_unit_test(test_long_positive_range),
	    cmocka_unit_test(test_long_negative_range),
	    cmocka_unit_test(test_split_blanks),
	    cmocka_unit_test(test_split_single_quotes),
	    cmocka_unit_test(test_split_double_quotes),
	    cmocka_unit_test(test_split_backslash),
	    cmocka_unit_test(test_split_joins_and_empty_words),
	    cmocka_unit_test(test_split_no_expansion),
	    cmocka_unit_test(test_split_many_words),
	    cmocka_unit_test(test_split_refuses),
	    cmocka_unit_test(test_env_accepts),
	    cmocka_unit_test(test_env_refuses),
	    cmocka_unit_test(test_null_why),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
