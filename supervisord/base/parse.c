/*
 * Pure parsers for the values of steward's INI files.
 *
 * Each parser reads one value, writes its result only on success, and on
 * failure fills why with one sentence: what is wrong and what would be
 * accepted.  The value and the key are not repeated in why; the caller
 * (config.c) adds them with the file and line.  Nothing here depends on
 * err.c, so the parsers stay leaf code that any test can link alone.
 *
 * Durations.  A duration is a sum of terms NUMBER[.FRACTION]UNIT with the
 * units us, ms, s, m and h, written without blanks ("1m30s", "1h1ms").
 * Terms may repeat and come in any order; they are simply added.  A bare
 * number is refused, except "0", because "5" could mean 5s or 5ms.  A
 * decimal fraction of up to 6 digits is accepted ("1.5s", "0.25h") and
 * computed exactly in integers: the fraction is held in millionths of the
 * unit, so it is exact for every unit down to the microsecond, and a
 * fraction of a microsecond ("1.5us") rounds up to the next whole one.
 * While it is parsed, a duration is held as whole milliseconds plus a
 * remainder of 0-999 microseconds, so that parse_duration_ms() can use the
 * whole range of int64_t milliseconds and parse_duration_us() the whole
 * range of int64_t microseconds; each detects overflow against its own
 * range.  parse_duration_ms() rounds a remainder up: 1us is 1ms, so that a
 * nonzero duration never becomes 0.  parse_format_duration() writes the
 * same grammar back, and its output always parses to the same value.
 *
 * Splitting.  parse_split() runs the same scanner twice: once to check
 * the line and count its words and bytes, once to copy them into a single
 * allocation that holds the vector followed by the strings, so that
 * parse_split_free() is one free() and a half-built vector never exists.
 * Both passes are O(n) in the length of the line.
 */
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/parse.h"

#define nitems(a) (sizeof(a) / sizeof((a)[0]))

#define DURATION_EXPECTED                                                      \
	"expected a duration such as 250ms, 3s, 2m or 1h (units us, ms, s, "   \
	"m, h)"
#define SIZE_EXPECTED                                                          \
	"expected a size such as 512, 64KiB, 1MiB or 2GiB (units B, KiB, "     \
	"MiB, GiB)"
#define RATE_BURST_MAX 1000000UL

/* Whole milliseconds and a remainder of microseconds, 0 <= us < 1000. */
struct duration {
	int64_t ms;
	int64_t us;
};

/* The duration units, two-letter ones first so "ms" is not read as "m". */
static const struct {
	const char *name;
	int64_t us;
} duration_units[] = {
    {.name = "us", .us = 1},         {.name = "ms", .us = 1000},
    {.name = "s", .us = 1000000},    {.name = "m", .us = 60000000},
    {.name = "h", .us = 3600000000},
};

/* The sendable signals steward knows by name, indexed by number. */
static const char *const signal_names[] = {
    [SIGHUP] = "HUP",       [SIGINT] = "INT",   [SIGQUIT] = "QUIT",
    [SIGILL] = "ILL",       [SIGTRAP] = "TRAP", [SIGABRT] = "ABRT",
    [SIGBUS] = "BUS",       [SIGFPE] = "FPE",   [SIGKILL] = "KILL",
    [SIGUSR1] = "USR1",     [SIGSEGV] = "SEGV", [SIGUSR2] = "USR2",
    [SIGPIPE] = "PIPE",     [SIGALRM] = "ALRM", [SIGTERM] = "TERM",
#ifdef SIGSTKFLT
    [SIGSTKFLT] = "STKFLT",
#endif
    [SIGCHLD] = "CHLD",     [SIGCONT] = "CONT", [SIGSTOP] = "STOP",
    [SIGTSTP] = "TSTP",     [SIGTTIN] = "TTIN", [SIGTTOU] = "TTOU",
    [SIGURG] = "URG",       [SIGXCPU] = "XCPU", [SIGXFSZ] = "XFSZ",
    [SIGVTALRM] = "VTALRM", [SIGPROF] = "PROF", [SIGWINCH] = "WINCH",
    [SIGIO] = "IO",
#ifdef SIGPWR
    [SIGPWR] = "PWR",
#endif
    [SIGSYS] = "SYS",
};

/* Fill why, when the caller gave one, with a formatted sentence. */
static void __attribute__((format(printf, 2, 3)))
why_set(char *why, const char *fmt, ...)
{
	va_list ap;

	if (why == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(why, PARSE_WHY, fmt, ap);
	va_end(ap);
}

/* The byte at p, or 0 at the end of the span; spans never hold a NUL. */
static int
peek(const char *p, const char *end)
{
	return p < end ? (unsigned char)*p : 0;
}

/* ASCII only: the parsers must not change with the locale. */
static int
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

/* ASCII letters, for names and units. */
static int
is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* The blanks that separate words: space, tab and newline. */
static int
is_blank(int c)
{
	return c == ' ' || c == '\t' || c == '\n';
}

/* Any whitespace a user might paste into a value by mistake. */
static int
is_space(int c)
{
	return is_blank(c) || c == '\r' || c == '\v' || c == '\f';
}

/* ASCII lower case, for case-insensitive names. */
static int
to_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* Compare a span with a string, ignoring ASCII case. */
static int
span_equal_nocase(const char *p, const char *end, const char *s)
{
	for (; p < end; p++, s++)
		if (*s == '\0' ||
		    to_lower((unsigned char)*p) != to_lower((unsigned char)*s))
			return 0;
	return *s == '\0';
}

/* Read the decimal digits of [p, end) into *out; 0 if any is not, or > max. */
static int
span_ulong(const char *p, const char *end, unsigned long max,
	   unsigned long *out)
{
	unsigned long n = 0;

	if (p == end)
		return 0;
	for (; p < end; p++) {
		if (!is_digit((unsigned char)*p))
			return 0;
		if (n > (max - (unsigned long)(*p - '0')) / 10)
			return 0;
		n = n * 10 + (unsigned long)(*p - '0');
	}
	*out = n;
	return 1;
}

/* Add b to *a unless the sum would pass INT64_MAX; both are >= 0. */
static int
add_i64(int64_t *a, int64_t b)
{
	if (*a > INT64_MAX - b)
		return 0;
	*a += b;
	return 1;
}

/* Add n and millionths frac of a unit to *d; 0 when it leaves int64 ms. */
static int
duration_add(struct duration *d, int64_t n, int64_t frac, int64_t unit_us)
{
	int64_t ms, us, part;

	if (unit_us >= 1000) {
		if (n > INT64_MAX / (unit_us / 1000))
			return 0;
		ms = n * (unit_us / 1000);
		/* frac * unit_us < 3.6e15: exact, rounded up to a whole us. */
		part = (frac * unit_us + 999999) / 1000000;
		if (!add_i64(&ms, part / 1000))
			return 0;
		us = part % 1000;
	} else {
		ms = n / 1000;
		us = n % 1000 + (frac > 0);
	}
	d->us += us;
	if (d->us >= 1000) {
		d->us -= 1000;
		if (!add_i64(&d->ms, 1))
			return 0;
	}
	return add_i64(&d->ms, ms);
}

/* Say what is wrong where a duration's number was expected at p. */
static void
duration_why_number(const char *s, const char *p, const char *end, char *why)
{
	int c = peek(p, end);

	if (p == s && c == '-')
		why_set(why,
			"a duration cannot be negative; " DURATION_EXPECTED);
	else if (is_space(c))
		why_set(why, "a duration cannot contain blanks; write sums "
			     "without spaces, such as 1m30s");
	else if (c == '.')
		why_set(why, "a decimal point needs a digit before it, as in "
			     "0.5s");
	else
		why_set(why, DURATION_EXPECTED);
}

/* Say what is wrong where a duration's unit was expected at p. */
static void
duration_why_unit(const char *p, const char *end, char *why)
{
	int c = peek(p, end);

	if (c == 0)
		why_set(why, "a number needs a unit; " DURATION_EXPECTED);
	else if (is_space(c))
		why_set(why, "a duration cannot contain blanks; write sums "
			     "without spaces, such as 1m30s");
	else if (is_alpha(c) || c >= 0x80)
		why_set(why, "unknown unit; expected us, ms, s, m or h after "
			     "each number");
	else
		why_set(why, DURATION_EXPECTED);
}

/* Say that a duration passes the range, which ends below limit hours. */
static void
duration_why_too_long(char *why, int64_t limit)
{
	why_set(why,
		"the duration is too long; expected less than %" PRId64 "h",
		limit);
}

/* The unit at p in microseconds, or 0 for none; *lenp is its length. */
static int64_t
duration_unit(const char *p, const char *end, size_t *lenp)
{
	size_t i, len;

	for (i = 0; i < nitems(duration_units); i++) {
		len = strlen(duration_units[i].name);
		if ((size_t)(end - p) >= len &&
		    memcmp(p, duration_units[i].name, len) == 0) {
			*lenp = len;
			return duration_units[i].us;
		}
	}
	return 0;
}

/* Parse the duration [s, end); overflow is reported as hours_limit. */
static int
duration_parse(const char *s, const char *end, int64_t hours_limit,
	       struct duration *out, char *why)
{
	struct duration d = {0, 0};
	const char *p = s;
	int64_t n, frac, unit_us;
	size_t len, digits;

	if (end - s == 1 && *s == '0') {
		*out = d;
		return 0;
	}
	do {
		if (!is_digit(peek(p, end))) {
			duration_why_number(s, p, end, why);
			return -1;
		}
		for (n = 0; is_digit(peek(p, end)); p++) {
			if (n > (INT64_MAX - (*p - '0')) / 10)
				goto too_long;
			n = n * 10 + (*p - '0');
		}
		frac = 0;
		if (peek(p, end) == '.') {
			p++;
			if (!is_digit(peek(p, end))) {
				why_set(why, "a decimal point needs a digit "
					     "after it, as in 1.5s");
				return -1;
			}
			for (digits = 0; is_digit(peek(p, end)); p++, digits++)
				if (digits < 6)
					frac = frac * 10 + (*p - '0');
			if (digits > 6) {
				why_set(why, "at most 6 digits may follow the "
					     "decimal point, as in 1.5s");
				return -1;
			}
			for (; digits < 6; digits++)
				frac *= 10;
		}
		if ((unit_us = duration_unit(p, end, &len)) == 0) {
			duration_why_unit(p, end, why);
			return -1;
		}
		p += len;
		if (is_alpha(peek(p, end)) || peek(p, end) >= 0x80) {
			duration_why_unit(p, end, why);
			return -1;
		}
		if (!duration_add(&d, n, frac, unit_us))
			goto too_long;
	} while (p < end);
	*out = d;
	return 0;

too_long:
	duration_why_too_long(why, hours_limit);
	return -1;
}

/* Parse [s, end) as a duration in ms, rounded up from microseconds. */
static int
duration_ms_span(const char *s, const char *end, int64_t *out, char *why)
{
	int64_t limit = INT64_MAX / 3600000 + 1;
	struct duration d;

	if (duration_parse(s, end, limit, &d, why) == -1)
		return -1;
	if (d.us > 0 && !add_i64(&d.ms, 1)) {
		duration_why_too_long(why, limit);
		return -1;
	}
	*out = d.ms;
	return 0;
}

/* Durations for timeouts and delays: whole milliseconds. */
int
parse_duration_ms(const char *s, int64_t *out, char *why)
{
	return duration_ms_span(s, s + strlen(s), out, why);
}

/* Durations where microseconds matter. */
int
parse_duration_us(const char *s, int64_t *out, char *why)
{
	int64_t limit = INT64_MAX / 3600000000 + 1;
	struct duration d;

	if (duration_parse(s, s + strlen(s), limit, &d, why) == -1)
		return -1;
	if (d.ms > (INT64_MAX - d.us) / 1000) {
		duration_why_too_long(why, limit);
		return -1;
	}
	*out = d.ms * 1000 + d.us;
	return 0;
}

/* Sizes of logs and buffers: bytes with an optional binary unit. */
int
parse_size(const char *s, uint64_t *out, char *why)
{
	static const struct {
		const char *name;
		uint64_t mult;
	} units[] = {
	    {.name = "", .mult = 1},
	    {.name = "B", .mult = 1},
	    {.name = "KiB", .mult = UINT64_C(1) << 10},
	    {.name = "MiB", .mult = UINT64_C(1) << 20},
	    {.name = "GiB", .mult = UINT64_C(1) << 30},
	};
	const char *p = s;
	uint64_t n = 0;
	size_t i;

	if (!is_digit((unsigned char)*p)) {
		if (*p == '-')
			why_set(why,
				"a size cannot be negative; " SIZE_EXPECTED);
		else if (is_space((unsigned char)*p))
			why_set(why,
				"a size cannot contain blanks; " SIZE_EXPECTED);
		else
			why_set(why, SIZE_EXPECTED);
		return -1;
	}
	for (; is_digit((unsigned char)*p); p++) {
		if (n > (UINT64_MAX - (uint64_t)(*p - '0')) / 10)
			goto too_large;
		n = n * 10 + (uint64_t)(*p - '0');
	}
	for (i = 0; i < nitems(units); i++)
		if (strcmp(p, units[i].name) == 0)
			break;
	if (i == nitems(units)) {
		if (*p == '.')
			why_set(
			    why,
			    "a size must be a whole number; " SIZE_EXPECTED);
		else if (is_space((unsigned char)*p))
			why_set(why,
				"a size cannot contain blanks; " SIZE_EXPECTED);
		else
			why_set(why,
				"unknown unit; expected B, KiB, MiB or GiB "
				"(binary units), or no unit for bytes");
		return -1;
	}
	if (n > UINT64_MAX / units[i].mult)
		goto too_large;
	*out = n * units[i].mult;
	return 0;

too_large:
	why_set(why,
		"the size is too large; expected at most %" PRIu64 " bytes",
		UINT64_MAX);
	return -1;
}

/* Restart limits: BURST/PERIOD, where a bare unit means one of it. */
int
parse_rate(const char *s, struct parse_rate *out, char *why)
{
	const char *slash = strchr(s, '/'), *period, *end;
	char inner[PARSE_WHY];
	unsigned long burst;
	int64_t unit_us, ms;
	size_t len;

	if (slash == NULL) {
		why_set(why,
			"expected a rate such as 5/1m or 5/m: a burst from "
			"1 to %lu, a slash and a period",
			RATE_BURST_MAX);
		return -1;
	}
	if (!span_ulong(s, slash, RATE_BURST_MAX, &burst) || burst == 0) {
		why_set(why,
			"the burst before the slash must be a whole "
			"number from 1 to %lu",
			RATE_BURST_MAX);
		return -1;
	}
	period = slash + 1;
	end = period + strlen(period);
	unit_us = duration_unit(period, end, &len);
	if (unit_us != 0 && period + len == end) {
		/* "5/m": one unit, rounded up to a whole millisecond. */
		ms = (unit_us + 999) / 1000;
	} else if (duration_ms_span(period, end, &ms, inner) == -1) {
		why_set(why, "after the slash, %s", inner);
		return -1;
	}
	if (ms == 0) {
		why_set(why,
			"the period after the slash must be longer than 0, "
			"such as 1m");
		return -1;
	}
	out->burst = (unsigned)burst;
	out->period_ms = ms;
	return 0;
}

/* Restart delays: MIN..MAX, or one duration for a fixed delay. */
int
parse_backoff(const char *s, int64_t *min_ms, int64_t *max_ms, char *why)
{
	const char *dots = strstr(s, "..");
	char inner[PARSE_WHY];
	int64_t lo, hi;

	if (dots == NULL) {
		if (duration_ms_span(s, s + strlen(s), &lo, why) == -1)
			return -1;
		*min_ms = *max_ms = lo;
		return 0;
	}
	if (duration_ms_span(s, dots, &lo, inner) == -1) {
		why_set(why, "before the .., %s", inner);
		return -1;
	}
	if (duration_ms_span(dots + 2, dots + 2 + strlen(dots + 2), &hi,
			     inner) == -1) {
		why_set(why, "after the .., %s", inner);
		return -1;
	}
	if (lo > hi) {
		why_set(why, "the minimum is longer than the maximum; expected "
			     "MIN..MAX with MIN no longer than MAX, such as "
			     "100ms..30s");
		return -1;
	}
	*min_ms = lo;
	*max_ms = hi;
	return 0;
}

/* Stop and reload signals: a name from the table or a number. */
int
parse_signal(const char *s, int *signo, char *why)
{
	const char *p = s, *end = s + strlen(s);
	unsigned long n;
	size_t i;

	if (*s != '\0' && strspn(s, "0123456789") == (size_t)(end - s)) {
		if (!span_ulong(s, end, (unsigned long)SIGRTMAX, &n) ||
		    n == 0) {
			why_set(why,
				"the signal number is out of range; "
				"expected a number 1-%d or a name such as "
				"TERM",
				SIGRTMAX);
			return -1;
		}
		*signo = (int)n;
		return 0;
	}
	if (end - p > 3 && span_equal_nocase(p, p + 3, "SIG"))
		p += 3;
	for (i = 1; i < nitems(signal_names); i++) {
		if (signal_names[i] != NULL &&
		    span_equal_nocase(p, end, signal_names[i])) {
			*signo = (int)i;
			return 0;
		}
	}
	why_set(why,
		"unknown signal; expected a name such as TERM, INT, HUP, "
		"QUIT, KILL, USR1, USR2 or a number 1-%d",
		SIGRTMAX);
	return -1;
}

/* For logs: "TERM", or "signal 40" from a static buffer. */
const char *
parse_signal_name(int signo)
{
	static char buf[32];

	if (signo > 0 && (size_t)signo < nitems(signal_names) &&
	    signal_names[signo] != NULL)
		return signal_names[signo];
	snprintf(buf, sizeof(buf), "signal %d", signo);
	return buf;
}

/* Switches: the usual spellings of yes and no. */
int
parse_bool(const char *s, bool *out, char *why)
{
	static const struct {
		const char *name;
		bool value;
	} words[] = {
	    {.name = "true", .value = true}, {.name = "false", .value = false},
	    {.name = "yes", .value = true},  {.name = "no", .value = false},
	    {.name = "on", .value = true},   {.name = "off", .value = false},
	    {.name = "1", .value = true},    {.name = "0", .value = false},
	};
	const char *end = s + strlen(s);
	size_t i;

	for (i = 0; i < nitems(words); i++) {
		if (span_equal_nocase(s, end, words[i].name)) {
			*out = words[i].value;
			return 0;
		}
	}
	why_set(why, "expected true or false, yes or no, on or off, 1 or 0");
	return -1;
}

/* Counts and limits: plain decimal, no blanks, no '+', checked range. */
int
parse_long(const char *s, long min, long max, long *out, char *why)
{
	const char *p = s, *end = s + strlen(s);
	unsigned long limit = LONG_MAX, mag;
	bool negative = false;
	long v;

	if (*p == '-' && min < 0) {
		negative = true;
		limit = (unsigned long)LONG_MAX + 1;
		p++;
	}
	if (!span_ulong(p, end, limit, &mag))
		goto bad;
	if (!negative)
		v = (long)mag;
	else if (mag == (unsigned long)LONG_MAX + 1)
		v = LONG_MIN;
	else
		v = -(long)mag;
	if (v < min || v > max)
		goto bad;
	*out = v;
	return 0;

bad:
	why_set(why, "expected a whole number from %ld to %ld", min, max);
	return -1;
}

/*
 * Scan s into words.  With argv NULL it only checks s and counts the
 * words and the bytes they need (NULs included); otherwise it copies the
 * words into buf and points argv at them.
 */
static int
split_scan(const char *s, char **argv, char *buf, size_t *argcp, size_t *bytesp,
	   char *why)
{
	const char *p = s, *open;
	size_t argc = 0, bytes = 0;
	char *w = buf;

#define EMIT(c)                                                                \
	do {                                                                   \
		if (w != NULL)                                                 \
			*w++ = (c);                                            \
		bytes++;                                                       \
	} while (0)

	for (;;) {
		while (is_blank((unsigned char)*p))
			p++;
		if (*p == '\0')
			break;
		if (argv != NULL)
			argv[argc] = w;
		while (*p != '\0' && !is_blank((unsigned char)*p)) {
			if (*p == '\'') {
				open = p++;
				for (; *p != '\''; p++) {
					if (*p == '\0')
						goto unterminated;
					EMIT(*p);
				}
				p++;
			} else if (*p == '"') {
				open = p++;
				for (; *p != '"'; p++) {
					if (*p == '\0')
						goto unterminated;
					if (*p == '\\' && p[1] != '\0' &&
					    strchr("\"\\$`", p[1]) != NULL)
						p++;
					EMIT(*p);
				}
				p++;
			} else if (*p == '\\') {
				if (p[1] == '\0') {
					why_set(
					    why,
					    "trailing backslash at column %zu "
					    "has nothing to escape; write \\\\ "
					    "for a literal backslash",
					    (size_t)(p - s) + 1);
					return -1;
				}
				EMIT(p[1]);
				p += 2;
			} else {
				EMIT(*p);
				p++;
			}
		}
		EMIT('\0');
		argc++;
	}
#undef EMIT
	if (argc == 0) {
		why_set(why, "the command has no words; expected a program and "
			     "its arguments");
		return -1;
	}
	if (argv != NULL)
		argv[argc] = NULL;
	*argcp = argc;
	*bytesp = bytes;
	return 0;

unterminated:
	why_set(why,
		"unterminated %s quote opened at column %zu; close it "
		"with another %c",
		*open == '"' ? "double" : "single", (size_t)(open - s) + 1,
		*open);
	return -1;
}

/* Commands: words split like a shell would, in one allocation. */
int
parse_split(const char *s, char ***argvp, size_t *argcp, char *why)
{
	size_t argc, bytes, vec;
	char **argv;

	if (split_scan(s, NULL, NULL, &argc, &bytes, why) == -1)
		return -1;
	/* Both counts are bounded by strlen(s) + 1; this cannot overflow. */
	vec = (argc + 1) * sizeof(*argv);
	if ((argv = malloc(vec + bytes)) == NULL) {
		why_set(why, "out of memory");
		return -1;
	}
	if (split_scan(s, argv, (char *)argv + vec, &argc, &bytes, why) == -1) {
		/* The first pass accepted s, so the second one cannot fail. */
		free(argv);
		return -1;
	}
	*argvp = argv;
	*argcp = argc;
	return 0;
}

/* The vector and its strings are one allocation. */
void
parse_split_free(char **argv)
{
	free(argv);
}

/* Environment entries: NAME=value with a portable NAME. */
int
parse_env_assignment(const char *word, size_t *name_len, char *why)
{
	const char *eq = strchr(word, '=');
	size_t i;
	int c;

	if (eq == NULL) {
		why_set(why, "there is no =; expected NAME=value");
		return -1;
	}
	if (eq == word) {
		why_set(why, "the name before = is empty; expected NAME=value "
			     "with a name of letters, digits and _");
		return -1;
	}
	for (i = 0; word + i < eq; i++) {
		c = (unsigned char)word[i];
		if (c == '_' || is_alpha(c) || (i > 0 && is_digit(c)))
			continue;
		if (i == 0 && is_digit(c))
			why_set(why,
				"the name starts with a digit at column 1; "
				"expected a name of letters, digits and _ "
				"that does not start with a digit");
		else
			why_set(why,
				"the character at column %zu cannot be in "
				"a name; expected a name of letters, "
				"digits and _ before the =",
				i + 1);
		return -1;
	}
	*name_len = i;
	return 0;
}

/* Write ms as a sum of h, m, s and ms terms; "0s" for zero. */
void
parse_format_duration(int64_t ms, char *buf, size_t len)
{
	static const struct {
		const char *name;
		uint64_t ms;
	} units[] = {
	    {.name = "h", .ms = 3600000},
	    {.name = "m", .ms = 60000},
	    {.name = "s", .ms = 1000},
	    {.name = "ms", .ms = 1},
	};
	char tmp[64];
	size_t i, used = 0;
	uint64_t rest;

	if (len == 0)
		return;
	if (ms == 0) {
		snprintf(buf, len, "0s");
		return;
	}
	/* A negative duration cannot be parsed, but it should still show. */
	if (ms < 0) {
		tmp[used++] = '-';
		rest = (uint64_t)0 - (uint64_t)ms;
	} else
		rest = (uint64_t)ms;
	for (i = 0; i < nitems(units); i++) {
		if (rest < units[i].ms)
			continue;
		used += (size_t)snprintf(tmp + used, sizeof(tmp) - used,
					 "%" PRIu64 "%s", rest / units[i].ms,
					 units[i].name);
		rest %= units[i].ms;
	}
	snprintf(buf, len, "%s", tmp);
}
