/*
 * Unit tests for the byte ring and the line cutter (core/bytering.c):
 * lines, pieces and held rests; bytes kept, dropped and taken in order
 * with their read times, across the wrap; and a long random run where
 * lines cut late from the ring (what it let go only counted) match the
 * last lines of the same bytes cut at once.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/bytering.h"

/* Lines a cutter gave: text and flags, in order. */
struct got {
	char *text[4096];
	size_t len[4096];
	unsigned flags[4096];
	bool cont[4096];
	size_t n;
	struct linecut *lc;
};

static void
got_line(void *ctx, const char *text, size_t len, unsigned flags)
{
	struct got *g = ctx;

	assert_true(g->n < 4096);
	g->text[g->n] = malloc(len + 1);
	memcpy(g->text[g->n], text, len);
	g->text[g->n][len] = '\0';
	g->len[g->n] = len;
	g->flags[g->n] = flags;
	g->cont[g->n] = g->lc != NULL && g->lc->cont;
	g->n++;
}

static void
got_free(struct got *g)
{
	for (size_t i = 0; i < g->n; i++)
		free(g->text[i]);
	g->n = 0;
}

static uint64_t
feed_str(struct linecut *lc, const char *s, struct got *g)
{
	return linecut_feed(lc, s, strlen(s), g != NULL ? got_line : NULL, g);
}

/* Whole lines, an empty one, and a rest held until its newline. */
static void
test_cut_lines(void **state)
{
	static struct got g;
	struct linecut lc;

	(void)state;
	linecut_init(&lc, 16);
	assert_int_equal(feed_str(&lc, "one\n\ntw", &g), 2);
	assert_int_equal(g.n, 2);
	assert_string_equal(g.text[0], "one");
	assert_string_equal(g.text[1], "");
	assert_int_equal(lc.hlen, 2);
	assert_int_equal(feed_str(&lc, "o\nthree", &g), 1);
	assert_string_equal(g.text[2], "two");
	assert_int_equal(g.flags[2], 0);
	assert_int_equal(linecut_end(&lc, got_line, &g), 1);
	assert_string_equal(g.text[3], "three");
	assert_int_equal(g.flags[3], LINECUT_UNENDED);
	assert_int_equal(linecut_end(&lc, got_line, &g), 0);
	assert_int_equal(g.n, 4);
	got_free(&g);
	linecut_free(&lc);
}

/* A line longer than max comes in pieces, each but the last split; a
 * line of exactly max is whole, held or not. */
static void
test_cut_pieces(void **state)
{
	static struct got g;
	struct linecut lc;

	(void)state;
	linecut_init(&lc, 4);
	g.lc = &lc;
	assert_int_equal(feed_str(&lc, "abcdefghij\nwxyz\nab", &g), 4);
	assert_string_equal(g.text[0], "abcd");
	assert_int_equal(g.flags[0], LINECUT_SPLIT);
	assert_false(g.cont[0]);
	assert_string_equal(g.text[1], "efgh");
	assert_int_equal(g.flags[1], LINECUT_SPLIT);
	assert_true(g.cont[1]); /* it continues a piece */
	assert_string_equal(g.text[2], "ij");
	assert_int_equal(g.flags[2], 0);
	assert_true(g.cont[2]);
	assert_string_equal(g.text[3], "wxyz");
	assert_int_equal(g.flags[3], 0);
	assert_false(g.cont[3]);
	/* "ab" held, then "cd" fills it: it waits for the next byte. */
	assert_int_equal(feed_str(&lc, "cd", &g), 0);
	assert_int_equal(lc.hlen, 4);
	assert_int_equal(feed_str(&lc, "\n", &g), 1);
	assert_string_equal(g.text[4], "abcd");
	assert_int_equal(g.flags[4], 0);
	/* A full held piece followed by more: split. */
	assert_int_equal(feed_str(&lc, "abcd", &g), 0);
	assert_int_equal(feed_str(&lc, "e", &g), 1);
	assert_int_equal(g.flags[5], LINECUT_SPLIT);
	assert_int_equal(linecut_end(&lc, got_line, &g), 1);
	assert_string_equal(g.text[6], "e");
	assert_int_equal(g.flags[6], LINECUT_UNENDED);
	got_free(&g);
	linecut_free(&lc);
}

/* Counting only keeps the held rest as cutting would. */
static void
test_cut_count(void **state)
{
	static struct got g;
	struct linecut lc;

	(void)state;
	linecut_init(&lc, 4);
	assert_int_equal(feed_str(&lc, "a\nbcdefg\nhi", NULL), 3);
	assert_int_equal(lc.hlen, 2);
	assert_int_equal(feed_str(&lc, "j\n", &g), 1);
	assert_string_equal(g.text[0], "hij");
	got_free(&g);
	linecut_reset(&lc);
	assert_int_equal(lc.hlen, 0);
	linecut_free(&lc);
}

/* A cutter's fn that only counts. */
static void
count_line(void *ctx, const char *text, size_t len, unsigned flags)
{
	(void)text;
	(void)len;
	(void)flags;
	(*(uint64_t *)ctx)++;
}

/* Counting (16 bytes at a time where it can) matches cutting, line for
 * line and held byte for held byte, whatever the lines' lengths and
 * wherever the reads split them. */
static void
test_count_matches_cut(void **state)
{
	static char buf[8192];
	unsigned seed = 42;

	(void)state;
	for (int density = 1; density <= 800; density *= 3) {
		struct linecut a, b;
		uint64_t na = 0, nb = 0, given = 0;

		linecut_init(&a, 64);
		linecut_init(&b, 64);
		for (int round = 0; round < 200; round++) {
			size_t n = (size_t)rand_r(&seed) % sizeof(buf) + 1;

			for (size_t i = 0; i < n; i++)
				buf[i] = rand_r(&seed) % 1000 < density
					     ? '\n'
					     : (char)(rand_r(&seed) % 256 | 1);
			na += linecut_feed(&a, buf, n, count_line, &given);
			nb += linecut_feed(&b, buf, n, NULL, NULL);
			assert_int_equal(na, given);
			assert_int_equal(na, nb);
			assert_int_equal(a.hlen, b.hlen);
			assert_int_equal(a.cont, b.cont);
			if (a.hlen > 0)
				assert_memory_equal(a.held, b.held, a.hlen);
		}
		linecut_free(&a);
		linecut_free(&b);
	}
}

/* Runs a byte ring gives: bytes and their times, concatenated. */
struct runs {
	char bytes[1 << 16];
	size_t len;
	double wall[64];
	size_t wn;
};

static void
runs_take(void *ctx, const char *p, size_t n, double wall)
{
	struct runs *r = ctx;

	assert_true(n > 0);
	assert_true(r->len + n <= sizeof(r->bytes));
	memcpy(r->bytes + r->len, p, n);
	r->len += n;
	if (r->wn == 0 || r->wall[r->wn - 1] != wall) {
		assert_true(r->wn < 64);
		r->wall[r->wn++] = wall;
	}
}

static void
add_str(struct bytering *br, const char *s, double wall, struct runs *drop)
{
	bytering_add(br, s, strlen(s), wall, runs_take, drop);
}

/* Within its bound, it gives back what came, with the times. */
static void
test_ring_keep_take(void **state)
{
	static struct runs drop, got;
	struct bytering br;

	(void)state;
	bytering_init(&br, 10);
	add_str(&br, "abc", 1.0, &drop);
	add_str(&br, "de", 1.0004, &drop); /* the same millisecond */
	add_str(&br, "fg", 2.0, &drop);
	assert_int_equal(drop.len, 0);
	assert_int_equal(br.len, 7);
	assert_int_equal(br.mn, 2);
	bytering_take(&br, runs_take, &got);
	assert_int_equal(got.len, 7);
	assert_memory_equal(got.bytes, "abcdefg", 7);
	assert_int_equal(got.wn, 2);
	assert_true(got.wall[0] == 1.0 && got.wall[1] == 2.0);
	assert_int_equal(br.len, 0);
	bytering_take(&br, runs_take, &got); /* nothing more */
	assert_int_equal(got.len, 7);
	bytering_free(&br);
}

/* Past its bound, the oldest bytes go to drop first, in order, and the
 * held ones wrap in the buffer. */
static void
test_ring_drop_wrap(void **state)
{
	static struct runs drop, got;
	struct bytering br;

	(void)state;
	bytering_init(&br, 8);
	add_str(&br, "01234", 1, &drop);
	add_str(&br, "567", 2, &drop);
	assert_int_equal(drop.len, 0);
	add_str(&br, "89", 3, &drop); /* "01" let go */
	assert_int_equal(drop.len, 2);
	assert_memory_equal(drop.bytes, "01", 2);
	add_str(&br, "abcd", 4, &drop); /* "2345" let go: wraps */
	assert_int_equal(drop.len, 6);
	assert_memory_equal(drop.bytes, "012345", 6);
	bytering_take(&br, runs_take, &got);
	assert_int_equal(got.len, 8);
	assert_memory_equal(got.bytes, "6789abcd", 8);
	assert_int_equal(got.wn, 3);
	assert_true(got.wall[0] == 2 && got.wall[1] == 3 && got.wall[2] == 4);
	/* A read bigger than the ring: the held bytes and its start go. */
	memset(&drop, 0, sizeof(drop));
	memset(&got, 0, sizeof(got));
	add_str(&br, "xy", 5, &drop);
	add_str(&br, "ABCDEFGHIJKL", 6, &drop);
	assert_int_equal(drop.len, 6);
	assert_memory_equal(drop.bytes, "xyABCD", 6);
	bytering_take(&br, runs_take, &got);
	assert_int_equal(got.len, 8);
	assert_memory_equal(got.bytes, "EFGHIJKL", 8);
	assert_int_equal(br.end, 5 + 3 + 2 + 4 + 2 + 12);
	bytering_free(&br);
}

/* A ring of 0 bytes lets everything go; with every mark held, the two
 * oldest runs share the older's time. */
static void
test_ring_zero_and_marks(void **state)
{
	static struct runs drop, got;
	struct bytering br;

	(void)state;
	bytering_init(&br, 0);
	add_str(&br, "abc", 1, &drop);
	assert_int_equal(drop.len, 3);
	assert_int_equal(br.len, 0);
	bytering_free(&br);

	bytering_init(&br, 1000);
	for (int i = 0; i < BYTERING_MARKS; i++)
		add_str(&br, "x", i, &drop);
	assert_true(bytering_full(&br));
	add_str(&br, "y", 1000, &drop);
	assert_int_equal(br.mn, BYTERING_MARKS);
	bytering_take(&br, runs_take, &got);
	assert_int_equal(got.len, BYTERING_MARKS + 1);
	assert_int_equal(got.wn, BYTERING_MARKS);
	assert_true(got.wall[0] == 0 && got.wall[1] == 2);
	assert_true(got.wall[BYTERING_MARKS - 1] == 1000);
	bytering_clear(&br);
	assert_false(bytering_full(&br));
	bytering_free(&br);
}

/* What the test's lazy side does with bytes let go: count their lines. */
struct lazy {
	struct linecut lc;
	uint64_t counted;
	struct got *g;
};

static void
lazy_count(void *ctx, const char *p, size_t n, double wall)
{
	struct lazy *z = ctx;

	(void)wall;
	z->counted += linecut_feed(&z->lc, p, n, NULL, NULL);
}

static void
lazy_cut(void *ctx, const char *p, size_t n, double wall)
{
	struct lazy *z = ctx;

	(void)wall;
	z->counted += linecut_feed(&z->lc, p, n, got_line, z->g);
}

/*
 * Random bytes (short lines, empty ones, lines past max, binary) in
 * random reads, cut at once on one side; on the other kept in a byte
 * ring and cut at random times.  Both count the same lines, and each
 * lazy cut gives exactly the last lines of the eager side since the
 * last cut, as far as they were not let go.
 */
static void
test_random_against_eager(void **state)
{
	static struct got eager, lazyg;
	static char buf[4096];
	struct linecut elc;
	struct lazy z = {.g = &lazyg};
	struct bytering br;
	uint64_t ecount = 0;
	unsigned seed = 1977;

	(void)state;
	linecut_init(&elc, 32);
	linecut_init(&z.lc, 32);
	bytering_init(&br, 200);
	for (int round = 0; round < 3000; round++) {
		size_t n = (size_t)rand_r(&seed) % 300 + 1;

		for (size_t i = 0; i < n; i++) {
			int k = rand_r(&seed) % 100;

			buf[i] = k < 8    ? '\n'
				 : k < 10 ? (char)(rand_r(&seed) % 256)
					  : (char)('a' + k % 26);
		}
		if (rand_r(&seed) % 7 == 0) /* a long line */
			memset(buf, 'L', n > 80 ? 80 : n);
		ecount += linecut_feed(&elc, buf, n, got_line, &eager);
		bytering_add(&br, buf, n, round, lazy_count, &z);
		if (rand_r(&seed) % 5 == 0 || eager.n > 3000) {
			/* A reader: cut what the ring holds. */
			uint64_t before = z.counted;

			bytering_take(&br, lazy_cut, &z);
			assert_int_equal(z.counted, ecount);
			assert_int_equal(elc.hlen, z.lc.hlen);
			assert_memory_equal(elc.held, z.lc.held, elc.hlen);
			/* The lazy lines are the eager ones' last. */
			assert_true(lazyg.n <= eager.n);
			for (size_t i = 0; i < lazyg.n; i++) {
				size_t j = eager.n - lazyg.n + i;

				assert_int_equal(lazyg.len[i], eager.len[j]);
				assert_memory_equal(
				    lazyg.text[i], eager.text[j], eager.len[j]);
				assert_int_equal(lazyg.flags[i],
						 eager.flags[j]);
			}
			/* Every line ended in what the ring held is there
			 * (it held 200 bytes, or all since the last cut). */
			assert_true(lazyg.n == z.counted - before ||
				    lazyg.n * 33 + 32 >= 200);
			got_free(&eager);
			got_free(&lazyg);
		}
	}
	bytering_free(&br);
	linecut_free(&elc);
	linecut_free(&z.lc);
	got_free(&eager);
	got_free(&lazyg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_cut_lines),
	    cmocka_unit_test(test_cut_pieces),
	    cmocka_unit_test(test_cut_count),
	    cmocka_unit_test(test_count_matches_cut),
	    cmocka_unit_test(test_ring_keep_take),
	    cmocka_unit_test(test_ring_drop_wrap),
	    cmocka_unit_test(test_ring_zero_and_marks),
	    cmocka_unit_test(test_random_against_eager),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
