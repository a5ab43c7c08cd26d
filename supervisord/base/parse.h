/*
 * Pure parsers for the values of steward's INI files: durations, sizes,
 * rates, backoff ranges, signal names, booleans, integers, and the
 * shell-like splitting of commands and environment assignments.
 *
 * Every parser returns 0 on success and -1 on failure.  On failure it
 * writes into why (a buffer of PARSE_WHY bytes) one sentence that says
 * what is wrong and what would be accepted, e.g. "expected a duration
 * such as 250ms, 3s, 2m or 1h".  The caller adds where (file:line, key)
 * and the value itself.  Nothing here allocates except parse_split().
 */
#ifndef STEWARD_PARSE_H
#define STEWARD_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PARSE_WHY 256

/* A token bucket's shape: burst tokens, all refilled over period_ms. */
struct parse_rate {
	unsigned burst;
	int64_t period_ms;
};

/*
 * "250ms", "3s", "2m", "1h", and sums of them such as "1m30s".  Units:
 * us, ms, s, m, h.  A bare number is refused (the unit is required) except
 * "0".  The result is in milliseconds, rounded up from microseconds; it
 * must fit in int64_t.
 */
int parse_duration_ms(const char *s, int64_t *out, char *why);

/* The same grammar, result in microseconds. */
int parse_duration_us(const char *s, int64_t *out, char *why);

/* "512", "512B", "64KiB", "1MiB", "2GiB" (binary units only). */
int parse_size(const char *s, uint64_t *out, char *why);

/* "5/1m": burst 5 refilled over one minute; "5/m" means "5/1m". */
int parse_rate(const char *s, struct parse_rate *out, char *why);

/* "100ms..30s" (exponential from min to max) or "1s" (min = max). */
int parse_backoff(const char *s, int64_t *min_ms, int64_t *max_ms, char *why);

/* "TERM", "SIGTERM", "term", "15": a signal that can be sent. */
int parse_signal(const char *s, int *signo, char *why);

/* The name of a signal without "SIG", or "signal N" when it has none. */
const char *parse_signal_name(int signo);

/* true/false, yes/no, on/off, 1/0, case-insensitive. */
int parse_bool(const char *s, bool *out, char *why);

/* A decimal integer within [min, max]; no sign unless min < 0. */
int parse_long(const char *s, long min, long max, long *out, char *why);

/*
 * Split a command line like a POSIX shell does for words, without
 * running a shell: blanks separate words; 'single quotes' keep
 * everything literally; "double quotes" keep everything but allow \" \\
 * \$ \` escapes; outside quotes a backslash keeps the next character.
 * No expansion of variables, globs or ~.  Adjacent quoted and unquoted
 * pieces join into one word ("a"'b'c is abc).  An empty quoted string is
 * an empty word.  Errors: unterminated quote (with its column), a
 * trailing backslash, no words at all.  On success *argvp is a
 * NULL-terminated vector (free with parse_split_free()) and *argcp its
 * length.
 */
int parse_split(const char *s, char ***argvp, size_t *argcp, char *why);
void parse_split_free(char **argv);

/*
 * Check one environment assignment word "NAME=value": NAME must match
 * [A-Za-z_][A-Za-z0-9_]*.  On success *name_len is the length of NAME.
 */
int parse_env_assignment(const char *word, size_t *name_len, char *why);

/* Format a duration in ms the way the user writes it: 250ms, 3s, 2m30s. */
void parse_format_duration(int64_t ms, char *buf, size_t len);

#endif
