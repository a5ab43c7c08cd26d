/*
 * Unit tests for the ring of last lines (core/ring.c): bounds by lines
 * and by bytes, wrapping text, cut lines, numbering across clears and
 * moves, and a long random run checked against a plain list.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/ring.h"

/* Line seq's text as a string (static buffer), or NULL when not held. */
static const char *
text_of(const struct ring *r, uint64_t seq)
{
	static char buf[4096];
	const char *t;
	const struct ring_line *ln = ring_get(r, seq, &t);

	if (ln == NULL)
		return NULL;
	assert_true(ln->len < sizeof(buf));
	memcpy(buf, t, ln->len);
	buf[ln->len] = '\0';
	return buf;
}

static void
push_str(struct ring *r, const char *s, int64_t ts)
{
	ring_push(r, s, strlen(s), ts, 0);
}

/* An empty ring holds nothing and numbers from 1. */
static void
test_empty(void **state __attribute__((unused)))
{
	struct ring r;
	const char *t;

	ring_init(&r, 10, 100);
	assert_int_equal(ring_begin(&r), 1);
	assert_int_equal(ring_end(&r), 1);
	assert_null(ring_get(&r, 1, &t));
	assert_int_equal(ring_last(&r, 5), 1);
	assert_int_equal(ring_since(&r, 0), 1);
	ring_free(&r);
}

/* Lines come back in order, with their stamps; an empty line too. */
static void
test_push_get(void **state __attribute__((unused)))
{
	struct ring r;
	const char *t;

	ring_init(&r, 10, 100);
	push_str(&r, "one", 1000);
	push_str(&r, "", 1001);
	push_str(&r, "three", 1002);
	assert_int_equal(ring_begin(&r), 1);
	assert_int_equal(ring_end(&r), 4);
	assert_string_equal(text_of(&r, 1), "one");
	assert_string_equal(text_of(&r, 2), "");
	assert_string_equal(text_of(&r, 3), "three");
	assert_int_equal(ring_get(&r, 3, &t)->ts_ms, 1002);
	assert_null(ring_get(&r, 4, &t));
	assert_null(ring_get(&r, 0, &t));
	assert_int_equal(ring_last(&r, 2), 2);
	assert_int_equal(ring_last(&r, 0), 4);
	ring_free(&r);
}

/* At most max_lines: the oldest go first. */
static void
test_line_bound(void **state __attribute__((unused)))
{
	struct ring r;
	char s[16];

	ring_init(&r, 3, 1000);
	for (int i = 1; i <= 10; i++) {
		snprintf(s, sizeof(s), "l%d", i);
		push_str(&r, s, i);
	}
	assert_int_equal(r.n, 3);
	assert_int_equal(ring_begin(&r), 8);
	assert_string_equal(text_of(&r, 8), "l8");
	assert_int_equal(ring_missed(&r), 7);
	assert_string_equal(text_of(&r, 10), "l10");
	assert_null(text_of(&r, 7));
	ring_free(&r);
}

/* At most max_bytes of text: the oldest go first, text wraps whole. */
static void
test_byte_bound(void **state __attribute__((unused)))
{
	struct ring r;
	char s[64];

	ring_init(&r, 1000, 64);
	for (int i = 0; i < 100; i++) {
		memset(s, 'a' + i % 26, 10);
		s[10] = '\0';
		push_str(&r, s, i);
		assert_true(r.bytes <= 64);
		assert_true(r.bcap <= 64);
	}
	/* 10-byte lines in 64 bytes: at least 5 lines (a gap at the end
	 * may hold less than a line). */
	assert_true(r.n >= 5 && r.n <= 6);
	assert_int_equal(ring_end(&r), 101);
	for (uint64_t q = ring_begin(&r); q < ring_end(&r); q++) {
		memset(s, 'a' + (int)((q - 1) % 26), 10);
		s[10] = '\0';
		assert_string_equal(text_of(&r, q), s);
	}
	ring_free(&r);
}

/* A line longer than the ring keeps its start and says it was cut. */
static void
test_cut(void **state __attribute__((unused)))
{
	struct ring r;
	char big[300];
	const char *t;
	const struct ring_line *ln;

	ring_init(&r, 10, 100);
	push_str(&r, "before", 1);
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	push_str(&r, big, 2);
	ln = ring_get(&r, 2, &t);
	assert_non_null(ln);
	assert_int_equal(ln->len, 100);
	assert_true(ln->flags & RING_CUT);
	assert_null(ring_get(&r, 1, &t)); /* it took all the room */
	push_str(&r, "after", 3);
	assert_string_equal(text_of(&r, 3), "after");
	ring_free(&r);
}

/* ring_since finds the first line at or after a stamp. */
static void
test_since(void **state __attribute__((unused)))
{
	struct ring r;

	ring_init(&r, 100, 1000);
	for (int i = 0; i < 10; i++)
		push_str(&r, "x", 100 * i);
	assert_int_equal(ring_since(&r, 0), 1);
	assert_int_equal(ring_since(&r, 450), 6);
	assert_int_equal(ring_since(&r, 500), 6);
	assert_int_equal(ring_since(&r, 901), 11);
	ring_free(&r);
}

/* A move keeps the lines and their numbers; the source goes on
 * numbering after them, empty; a clear keeps numbering too. */
static void
test_move_clear(void **state __attribute__((unused)))
{
	struct ring cur, prev;

	ring_init(&cur, 10, 100);
	ring_init(&prev, 10, 100);
	push_str(&prev, "stale", 1);
	push_str(&cur, "a", 1);
	push_str(&cur, "b", 2);
	ring_move(&prev, &cur);
	assert_string_equal(text_of(&prev, 1), "a");
	assert_string_equal(text_of(&prev, 2), "b");
	assert_int_equal(cur.n, 0);
	assert_int_equal(ring_begin(&cur), 3);
	assert_int_equal(ring_missed(&cur), 0);
	assert_int_equal(ring_missed(&prev), 0);
	push_str(&cur, "c", 3);
	assert_string_equal(text_of(&cur, 3), "c");
	ring_clear(&cur);
	assert_int_equal(ring_begin(&cur), 4);
	push_str(&cur, "d", 4);
	assert_string_equal(text_of(&cur, 4), "d");
	ring_free(&cur);
	ring_free(&prev);
}

/* A ring bounded at 0 keeps nothing and still numbers. */
/* Lines counted but never kept push every held line out; numbering
 * goes on after them. */
static void
test_skip(void **state __attribute__((unused)))
{
	struct ring r;

	ring_init(&r, 10, 100);
	push_str(&r, "a", 1);
	push_str(&r, "b", 2);
	ring_skip(&r, 0);
	assert_int_equal(r.n, 2);
	ring_skip(&r, 5);
	assert_int_equal(r.n, 0);
	assert_int_equal(ring_begin(&r), 8);
	assert_int_equal(ring_missed(&r), 7);
	assert_int_equal(ring_end(&r), 8);
	push_str(&r, "c", 3);
	assert_string_equal(text_of(&r, 8), "c");
	assert_null(text_of(&r, 7));
	assert_int_equal(ring_missed(&r), 7);
	ring_free(&r);
}

static void
test_zero(void **state __attribute__((unused)))
{
	struct ring r;

	ring_init(&r, 0, 0);
	assert_int_equal(ring_push(&r, "a", 1, 0, 0), 1);
	assert_int_equal(ring_push(&r, "b", 1, 0, 0), 2);
	assert_int_equal(r.n, 0);
	assert_int_equal(ring_begin(&r), 3);
	ring_free(&r);
}

/*
 * Many lines of random lengths against a plain list: what the ring
 * holds is always the newest lines, in order, with their text, within
 * both bounds, and never less than the byte bound minus the longest
 * line (the gap text may leave at the end of the buffer).
 */
static void
test_random(void **state __attribute__((unused)))
{
	enum { N = 20000, MAXLEN = 200 };
	static char texts[N][MAXLEN + 1];
	struct ring r;
	unsigned seed = 7;

	for (size_t bound = 1; bound <= 1024; bound = bound * 3 + 1) {
		ring_init(&r, 50, bound);
		for (int i = 0; i < N; i++) {
			size_t len, held = 0;
			uint64_t q;

			seed = seed * 1103515245 + 12345;
			len = (seed >> 16) % (MAXLEN + 1);
			if ((seed >> 8) % 7 == 0)
				len = 0;
			for (size_t k = 0; k < len; k++)
				texts[i][k] = (char)('!' + (i + k) % 90);
			texts[i][len] = '\0';
			q = ring_push(&r, texts[i], len, i, 0);
			assert_int_equal(q, (uint64_t)i + 1);
			assert_true(r.n <= 50);
			assert_true(r.bytes <= bound && r.bcap <= bound);
			assert_int_equal(ring_end(&r), (uint64_t)i + 2);
			/* The newest line is always held (cut if need be). */
			assert_non_null(text_of(&r, q));
			for (q = ring_begin(&r); q < ring_end(&r); q++) {
				const char *t = text_of(&r, q);
				size_t want = strlen(texts[q - 1]);

				assert_non_null(t);
				if (want > bound)
					want = bound;
				assert_int_equal(strlen(t), want);
				assert_memory_equal(t, texts[q - 1], want);
				held += want;
			}
			/* Not too eager to drop: the line before the oldest
			 * held would not have fitted beside the others. */
			if (r.n < 50 && ring_begin(&r) > 1) {
				size_t before =
				    strlen(texts[ring_begin(&r) - 2]);

				assert_true(held + before + MAXLEN > bound ||
					    held + before > bound);
			}
		}
		ring_free(&r);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_empty),
	    cmocka_unit_test(test_push_get),
	    cmocka_unit_test(test_line_bound),
	    cmocka_unit_test(test_byte_bound),
	    cmocka_unit_test(test_cut),
	    cmocka_unit_test(test_since),
	    cmocka_unit_test(test_move_clear),
	    cmocka_unit_test(test_skip),
	    cmocka_unit_test(test_zero),
	    cmocka_unit_test(test_random),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
