/*
 * Fuzz the value parsers of parse.h: the input, cut at its first NUL as
 * a value from an INI file is, goes to every parser in turn.
 *
 * Properties, beyond "no crash, no leak":
 *   - a refusal always fills why with a sentence;
 *   - a duration that parses formats (parse_format_duration) to text
 *     that parses back to the same value; parse_duration_us agrees with
 *     parse_duration_ms (ms is us rounded up) whenever it succeeds;
 *   - results lie in their documented ranges (rate, backoff, signal,
 *     long), and a signal's name parses back to its number;
 *   - parse_split's words, quoted again with single quotes, split back
 *     to the same words;
 *   - parse_env_assignment's name ends at the first '=';
 *   - the first 8 bytes, as an int64, format (into buffers of any size)
 *     to a NUL-terminated string that parses back when non-negative.
 */
#include <limits.h>
#include <signal.h>
#include <string.h>

#include "fuzz.h"
#include "base/parse.h"

/* Parse s as a duration in ms; format and parse it again. */
static void
check_duration(const char *s)
{
	char why[PARSE_WHY] = "", text[64];
	int64_t ms = 0, us, again = 0;
	int rc_ms = parse_duration_ms(s, &ms, why);

	FUZZ_CHECK(rc_ms == 0 || why[0] != '\0', "no reason for \"%s\"", s);
	if (rc_ms == 0) {
		FUZZ_CHECK(ms >= 0, "\"%s\" is %lld ms", s, (long long)ms);
		parse_format_duration(ms, text, sizeof(text));
		FUZZ_CHECK(
		    parse_duration_ms(text, &again, why) == 0,
		    "\"%s\" (%lld ms) formats to \"%s\", which is refused: %s",
		    s, (long long)ms, text, why);
		FUZZ_CHECK(
		    again == ms,
		    "\"%s\" is %lld ms, formats to \"%s\", which is %lld ms", s,
		    (long long)ms, text, (long long)again);
	}
	why[0] = '\0';
	if (parse_duration_us(s, &us, why) == 0) {
		FUZZ_CHECK(us >= 0, "\"%s\" is %lld us", s, (long long)us);
		FUZZ_CHECK(rc_ms == 0 && ms == us / 1000 + (us % 1000 != 0),
			   "\"%s\" is %lld us but %s%lld ms", s, (long long)us,
			   rc_ms == 0 ? "" : "refused as ", (long long)ms);
	} else {
		FUZZ_CHECK(why[0] != '\0', "no reason for \"%s\" in us", s);
	}
}

/* The parsers without a round trip: ranges and reasons only. */
static void
check_values(const char *s)
{
	char why[PARSE_WHY] = "";
	uint64_t size;
	struct parse_rate rate;
	int64_t lo, hi;
	bool b;

	if (parse_size(s, &size, why) == -1)
		FUZZ_CHECK(why[0] != '\0', "size: no reason");
	why[0] = '\0';
	if (parse_rate(s, &rate, why) == 0)
		FUZZ_CHECK(rate.burst >= 1 && rate.burst <= 1000000 &&
			       rate.period_ms > 0,
			   "rate %u/%lld ms", rate.burst,
			   (long long)rate.period_ms);
	else
		FUZZ_CHECK(why[0] != '\0', "rate: no reason");
	why[0] = '\0';
	if (parse_backoff(s, &lo, &hi, why) == 0)
		FUZZ_CHECK(lo >= 0 && lo <= hi, "backoff %lld..%lld",
			   (long long)lo, (long long)hi);
	else
		FUZZ_CHECK(why[0] != '\0', "backoff: no reason");
	why[0] = '\0';
	if (parse_bool(s, &b, why) == -1)
		FUZZ_CHECK(why[0] != '\0', "bool: no reason");
}

/* A signal: in range, and its name (when it has one) parses back. */
static void
check_signal(const char *s)
{
	char why[PARSE_WHY] = "";
	int signo, again = 0;
	const char *name;

	if (parse_signal(s, &signo, why) == -1) {
		FUZZ_CHECK(why[0] != '\0', "signal: no reason");
		return;
	}
	FUZZ_CHECK(signo >= 1 && signo <= SIGRTMAX, "signal %d", signo);
	name = parse_signal_name(signo);
	if (strncmp(name, "signal ", 7) == 0)
		return;
	FUZZ_CHECK(parse_signal(name, &again, why) == 0 && again == signo,
		   "\"%s\" is %d, named %s, which is %d", s, signo, name,
		   again);
}

/* A long within several ranges: in range, and its decimal reparses. */
static void
check_long(const char *s)
{
	static const long ranges[][2] = {
	    {1, 100000}, {0, LONG_MAX}, {LONG_MIN, LONG_MAX}, {-5, 5}};
	char why[PARSE_WHY], text[32];
	long v, again = 0;

	for (size_t i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++) {
		why[0] = '\0';
		if (parse_long(s, ranges[i][0], ranges[i][1], &v, why) == -1) {
			FUZZ_CHECK(why[0] != '\0', "long: no reason");
			continue;
		}
		FUZZ_CHECK(v >= ranges[i][0] && v <= ranges[i][1], "%ld", v);
		snprintf(text, sizeof(text), "%ld", v);
		FUZZ_CHECK(parse_long(text, ranges[i][0], ranges[i][1], &again,
				      why) == 0 &&
			       again == v,
			   "\"%s\" is %ld, printed \"%s\"", s, v, text);
	}
}

/* Quote each word for a shell: 'it'\''s' for it's. */
static char *
requote(char **argv, size_t argc)
{
	size_t n = 1;
	char *out, *w;

	for (size_t i = 0; i < argc; i++)
		n += 3 + 4 * strlen(argv[i]);
	if ((w = out = malloc(n)) == NULL)
		abort();
	for (size_t i = 0; i < argc; i++) {
		if (i > 0)
			*w++ = ' ';
		*w++ = '\'';
		for (const char *p = argv[i]; *p != '\0'; p++) {
			if (*p == '\'') {
				memcpy(w, "'\\''", 4);
				w += 4;
			} else {
				*w++ = *p;
			}
		}
		*w++ = '\'';
	}
	*w = '\0';
	return out;
}

/* Split, quote the words again, split again: the same words. */
static void
check_split(const char *s)
{
	char why[PARSE_WHY] = "", **argv, **again, *quoted;
	size_t argc, argc2, name_len;

	if (parse_split(s, &argv, &argc, why) == -1) {
		FUZZ_CHECK(why[0] != '\0', "split: no reason");
		return;
	}
	FUZZ_CHECK(argc >= 1 && argv[argc] == NULL, "argc %zu", argc);
	quoted = requote(argv, argc);
	FUZZ_CHECK(parse_split(quoted, &again, &argc2, why) == 0,
		   "requoted \"%s\" refused: %s", quoted, why);
	FUZZ_CHECK(argc2 == argc, "%zu words, requoted %zu", argc, argc2);
	for (size_t i = 0; i < argc; i++)
		FUZZ_CHECK(strcmp(argv[i], again[i]) == 0,
			   "word %zu \"%s\" requoted as \"%s\"", i, argv[i],
			   again[i]);
	for (size_t i = 0; i < argc; i++) {
		why[0] = '\0';
		if (parse_env_assignment(argv[i], &name_len, why) == 0)
			FUZZ_CHECK(name_len > 0 && argv[i][name_len] == '=' &&
				       memchr(argv[i], '=', name_len) == NULL,
				   "name of %zu bytes in \"%s\"", name_len,
				   argv[i]);
		else
			FUZZ_CHECK(why[0] != '\0', "env: no reason");
	}
	parse_split_free(again);
	parse_split_free(argv);
	free(quoted);
}

/* Format any int64 into a buffer of any size. */
static void
check_format(const uint8_t *data, size_t size)
{
	char buf[64], why[PARSE_WHY];
	uint64_t raw = 0;
	int64_t ms, again = 0;
	size_t len;

	if (size < 9)
		return;
	for (size_t i = 0; i < 8; i++)
		raw |= (uint64_t)data[i] << (8 * i);
	memcpy(&ms, &raw, sizeof(ms));
	len = data[8] % (sizeof(buf) + 1);
	memset(buf, 'x', sizeof(buf));
	parse_format_duration(ms, buf, len);
	if (len > 0)
		FUZZ_CHECK(memchr(buf, '\0', len) != NULL,
			   "%lld in %zu bytes: no NUL", (long long)ms, len);
	for (size_t i = len; i < sizeof(buf); i++)
		FUZZ_CHECK(buf[i] == 'x', "%lld wrote past %zu bytes",
			   (long long)ms, len);
	if (ms < 0 || len != sizeof(buf))
		return;
	FUZZ_CHECK(parse_duration_ms(buf, &again, why) == 0 && again == ms,
		   "%lld ms formats to \"%s\", which does not parse back",
		   (long long)ms, buf);
}

/* Every parser on the input as a C string. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	check_duration(s);
	check_values(s);
	check_signal(s);
	check_long(s);
	check_split(s);
	check_format(data, size);
	free(s);
	return 0;
}
