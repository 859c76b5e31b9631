/*
 * keymap_unit.c — the key map (src/core/keymap.c) against a plain list:
 * dense indexes in entry order, lookups, growth, keys with NUL bytes, empty
 * and long keys. Built with AddressSanitizer and UBSan by keymap.sh.
 */
#include <stdio.h>
#include <stdlib.h>

#include "core/keymap.h"

static int	failures;

/* The order o2c_keymap_sort promises: bytewise, a prefix first. */
static int
key_cmp(const O2cKeyMap *map, int32_t a, int32_t b)
{
	size_t		xl,
				yl;
	const char *x = o2c_keymap_key(map, a, &xl);
	const char *y = o2c_keymap_key(map, b, &yl);
	int			r = memcmp(x, y, xl < yl ? xl : yl);

	return r != 0 ? r : (xl > yl) - (xl < yl);
}

#define CHECK(cond, ...) \
	do { if (!(cond)) { failures++; printf("FAIL %s:%d: ", __FILE__, __LINE__); printf(__VA_ARGS__); printf("\n"); } } while (0)

/* Enter n keys "C0".."C<n-1>" twice, starting from a map sized for hint. */
static void
test_dense(int n, size_t hint)
{
	O2cKeyMap  *map = o2c_keymap_create(hint);
	char		buf[32];
	bool		added;

	CHECK(o2c_keymap_find(map, "C0", 2) == -1, "empty map finds a key");
	for (int round = 0; round < 2; round++)
		for (int i = 0; i < n; i++)
		{
			int			len = snprintf(buf, sizeof(buf), "C%d", i);
			int32_t		ix = o2c_keymap_enter(map, buf, len, &added);

			CHECK(ix == i && added == (round == 0), "enter %s: %d (added %d), round %d", buf, ix, added, round);
		}
	CHECK(o2c_keymap_count(map) == n, "count %d, expected %d", o2c_keymap_count(map), n);
	for (int i = 0; i < n; i++)
	{
		int			len = snprintf(buf, sizeof(buf), "C%d", i);
		size_t		klen;
		const char *k = o2c_keymap_key(map, i, &klen);

		CHECK(o2c_keymap_find(map, buf, len) == i, "find %s", buf);
		CHECK(klen == (size_t) len && strcmp(k, buf) == 0, "key %d is \"%s\"", i, k);
		/* an extension of the key is another key */
		buf[len] = 'x';
		CHECK(o2c_keymap_find(map, buf, len + 1) == -1, "%.*s found", len + 1, buf);
	}
	o2c_keymap_free(map);
}

/* Random byte strings (NUL bytes included, some repeated) against a list. */
static void
test_random(int n)
{
	O2cKeyMap  *map = o2c_keymap_create(0);
	char	  **keys = calloc(n, sizeof(char *));
	size_t	   *lens = calloc(n, sizeof(size_t));
	int			distinct = 0;

	srand(17);
	for (int i = 0; i < n; i++)
	{
		int32_t		want = -1,
					got;
		bool		added;

		if (i > 0 && rand() % 4 == 0)
		{
			/* a key seen before */
			int			j = rand() % distinct;

			got = o2c_keymap_enter(map, keys[j], lens[j], &added);
			CHECK(got == j && !added, "repeat of key %d: %d", j, got);
			continue;
		}
		lens[distinct] = rand() % 3 == 0 ? (size_t) (rand() % 4) : (size_t) (rand() % 40);
		keys[distinct] = malloc(lens[distinct] + 1);
		for (size_t b = 0; b < lens[distinct]; b++)
			keys[distinct][b] = (char) (rand() % 3 == 0 ? 0 : rand() % 256);
		for (int j = 0; j < distinct && want < 0; j++)
			if (lens[j] == lens[distinct] && memcmp(keys[j], keys[distinct], lens[j]) == 0)
				want = j;
		got = o2c_keymap_enter(map, keys[distinct], lens[distinct], &added);
		if (want >= 0)
		{
			CHECK(got == want && !added, "duplicate drawn: %d, expected %d", got, want);
			free(keys[distinct]);
			continue;
		}
		CHECK(got == distinct && added, "new key: %d, expected %d", got, distinct);
		distinct++;
	}
	CHECK(o2c_keymap_count(map) == distinct, "count %d, expected %d", o2c_keymap_count(map), distinct);
	for (int j = 0; j < distinct; j++)
	{
		size_t		len;
		const char *k = o2c_keymap_key(map, j, &len);

		CHECK(len == lens[j] && memcmp(k, keys[j], len) == 0 && k[len] == '\0', "key %d read back", j);
		CHECK(o2c_keymap_find(map, keys[j], lens[j]) == j, "find key %d", j);
		free(keys[j]);
	}
	free(keys);
	free(lens);
	o2c_keymap_free(map);
}

/* Keys longer than a block, keys equal in their first 8 bytes, the empty key. */
static void
test_shapes(void)
{
	O2cKeyMap  *map = o2c_keymap_create(4);
	size_t		big = 100000;
	char	   *a = malloc(big),
			   *b = malloc(big);
	bool		added;

	memset(a, 'a', big);
	memcpy(b, a, big);
	b[big - 1] = 'b';
	CHECK(o2c_keymap_enter(map, "", 0, &added) == 0 && added, "empty key");
	CHECK(o2c_keymap_enter(map, a, big, &added) == 1 && added, "long key a");
	CHECK(o2c_keymap_enter(map, b, big, &added) == 2 && added, "long key b");
	CHECK(o2c_keymap_enter(map, "12345678X", 9, &added) == 3 && added, "9 bytes");
	CHECK(o2c_keymap_enter(map, "12345678Y", 9, &added) == 4 && added, "9 bytes, last differs");
	CHECK(o2c_keymap_enter(map, "12345678", 8, &added) == 5 && added, "8 bytes");
	CHECK(o2c_keymap_enter(map, "EUR\0", 4, &added) == 6 && added, "a trailing NUL is part of the key");
	CHECK(o2c_keymap_find(map, "EUR", 3) == -1, "EUR without the NUL");
	CHECK(o2c_keymap_find(map, "", 0) == 0, "find the empty key");
	CHECK(o2c_keymap_find(map, b, big) == 2 && o2c_keymap_find(map, a, big) == 1, "find long keys");
	CHECK(o2c_keymap_find(map, a, big - 1) == -1, "a prefix of a long key");
	{
		/* Sorted: a prefix first, bytewise, long keys equal but for their last byte. */
		int32_t		ix[7] = {6, 5, 4, 3, 2, 1, 0};
		int32_t		want[7] = {0, 5, 3, 4, 6, 1, 2};

		o2c_keymap_sort(map, ix, 7);
		for (int i = 0; i < 7; i++)
			CHECK(ix[i] == want[i], "sorted shapes: %d at %d, expected %d", ix[i], i, want[i]);
		CHECK(key_cmp(map, 0, 3) < 0 && key_cmp(map, 3, 0) > 0 && key_cmp(map, 5, 5) == 0 && key_cmp(map, 5, 3) < 0,
			  "the reference order");
	}
	CHECK(o2c_keymap_hash("C1", 2) == o2c_keymap_hash("C1", 2) && o2c_keymap_hash("C1", 2) != o2c_keymap_hash("C2", 2),
		  "hash");
	{
		/* Keys longer than the largest block (a megabyte) get blocks of their own. */
		size_t		huge = 3 * 1024 * 1024 + 5;
		char	   *h = malloc(huge);
		size_t		len;

		memset(h, 'h', huge);
		CHECK(o2c_keymap_enter(map, h, huge, &added) == 7 && added, "a key of 3 MB");
		h[0] = 'i';
		CHECK(o2c_keymap_enter(map, h, huge, &added) == 8 && added, "another one");
		CHECK(o2c_keymap_enter(map, "after", 5, &added) == 9 && added, "a short key after them");
		CHECK(o2c_keymap_find(map, h, huge) == 8 && o2c_keymap_find(map, "after", 5) == 9
			  && o2c_keymap_find(map, "12345678", 8) == 5, "found again");
		CHECK(memcmp(o2c_keymap_key(map, 8, &len), h, huge) == 0 && len == huge, "read back");
		h[0] = 'h';
		CHECK(memcmp(o2c_keymap_key(map, 7, &len), h, huge) == 0 && len == huge, "the first read back");
		free(h);
	}
	free(a);
	free(b);
	o2c_keymap_free(map);
}

/*
 * The bulk path: hash, prefetch the slot, prefetch the key record, enter
 * by hash. Same indexes as o2c_keymap_enter, across growth.
 */
static void
test_prefetch(int n)
{
	O2cKeyMap  *map = o2c_keymap_create(0);
	O2cKeyMap  *plain = o2c_keymap_create(0);
	char		buf[32];
	bool		added,
				added2;

	for (int round = 0; round < 2; round++)
		for (int i = 0; i < n; i++)
		{
			int			len = snprintf(buf, sizeof(buf), "K%d", (i * 7919) % n);
			uint32_t	h = o2c_keymap_hash(buf, len);
			int32_t		got,
						want;

			o2c_keymap_prefetch(map, h);
			o2c_keymap_prefetch_key(map, h);
			got = o2c_keymap_enter_hashed(map, buf, len, h, &added);
			want = o2c_keymap_enter(plain, buf, len, &added2);
			CHECK(got == want && added == added2, "%s: %d (added %d), expected %d (added %d)", buf, got, added, want, added2);
			CHECK(added == (round == 0), "%s: added %d in round %d", buf, added, round);
		}
	CHECK(o2c_keymap_count(map) == n, "count %d, expected %d", o2c_keymap_count(map), n);
	o2c_keymap_free(map);
	o2c_keymap_free(plain);
}

/*
 * o2c_keymap_sort against key_cmp: keys with a long common
 * prefix, keys ending inside the abbreviated bytes, NUL bytes, the empty
 * key, equal 8-byte windows; each index once, adjacent pairs in order.
 */
static void
test_sort(int n, const char *prefix)
{
	O2cKeyMap  *map = o2c_keymap_create(0);
	int32_t    *ix;
	int		   *seen;
	char		buf[64];
	int			m;

	srand(29);
	for (int i = 0; i < n; i++)
	{
		int			len = snprintf(buf, sizeof(buf), "%s", prefix);
		int			extra = rand() % 12;

		for (int b = 0; b < extra; b++)
			buf[len++] = (char) (rand() % 5 == 0 ? 0 : rand() % 4 == 0 ? 0xff : 'a' + rand() % 3);
		o2c_keymap_enter(map, buf, len, NULL);
	}
	m = o2c_keymap_count(map);
	ix = calloc(m, sizeof(int32_t));
	seen = calloc(m, sizeof(int));
	for (int i = 0; i < m; i++)
		ix[i] = m - 1 - i;
	o2c_keymap_sort(map, ix, m);
	for (int i = 0; i < m; i++)
	{
		CHECK(ix[i] >= 0 && ix[i] < m && seen[ix[i]]++ == 0, "sort: index %d at %d", ix[i], i);
		CHECK(i == 0 || key_cmp(map, ix[i - 1], ix[i]) < 0, "sort: %d before %d at %d", ix[i - 1], ix[i], i);
	}
	free(ix);
	free(seen);
	o2c_keymap_free(map);
}

/*
 * o2c_keymap_clear: one map emptied and refilled, round after round, with
 * more keys, fewer, longer than a block (then short ones where that block
 * was), and a larger expected size; each round against a fresh map. No key
 * of an earlier round is found again unless entered again.
 */
static void
test_clear(void)
{
	static const int counts[] = {5000, 20, 300000, 3, 70000, 70000};
	static const size_t expect[] = {0, 0, 1000, 0, 500000, 10};
	O2cKeyMap  *map = o2c_keymap_create(0);
	size_t		big = (2 << 20) + 5;
	char	   *longkey = malloc(big);
	char		buf[32];
	bool		added;

	memset(longkey, 'z', big);
	for (int round = 0; round < 6; round++)
	{
		O2cKeyMap  *fresh = o2c_keymap_create(expect[round]);
		int			n = counts[round];

		if (round > 0)
			o2c_keymap_clear(map, expect[round]);
		CHECK(o2c_keymap_count(map) == 0, "round %d: count %d after a clear", round, o2c_keymap_count(map));
		CHECK(o2c_keymap_find(map, "R0-0", 4) == -1, "round %d: a key of round 0 found", round);
		/* Round 3 starts with a key longer than any block, round 4 fills its block with short ones. */
		if (round == 3)
		{
			CHECK(o2c_keymap_enter(map, longkey, big, &added) == 0 && added, "long key");
			CHECK(o2c_keymap_enter(fresh, longkey, big, &added) == 0, "long key, fresh map");
		}
		for (int i = 0; i < n; i++)
		{
			int			len = snprintf(buf, sizeof(buf), "R%d-%d", round % 5, (int) ((long long) i * 7919 % n));
			int32_t		got = o2c_keymap_enter(map, buf, len, &added),
						want = o2c_keymap_enter(fresh, buf, len, NULL);

			CHECK(got == want && added, "round %d, %s: %d (added %d), expected %d", round, buf, got, added, want);
		}
		CHECK(o2c_keymap_count(map) == o2c_keymap_count(fresh), "round %d: count %d, expected %d",
			  round, o2c_keymap_count(map), o2c_keymap_count(fresh));
		for (int i = 0; i < o2c_keymap_count(fresh); i++)
		{
			size_t		len,
						flen;
			const char *k = o2c_keymap_key(map, i, &len);
			const char *f = o2c_keymap_key(fresh, i, &flen);

			CHECK(len == flen && memcmp(k, f, len) == 0, "round %d: key %d differs", round, i);
			CHECK(o2c_keymap_find(map, f, flen) == i, "round %d: find key %d", round, i);
		}
		if (round > 0 && round != 5)
			CHECK(o2c_keymap_find(map, "R0-0", 4) == -1, "round %d: R0-0 of round 0 found", round);
		o2c_keymap_free(fresh);
	}
	free(longkey);
	o2c_keymap_free(map);
}

/*
 * The keys of before entered again after a clear, in reverse order: each
 * gets its new index, not its old one (a slot left behind would still
 * point at its old record, whose bytes are still in the block). Few keys
 * in many slots are cleared one by one, many by zeroing every slot.
 */
static void
test_clear_again(int n, size_t hint)
{
	O2cKeyMap  *map = o2c_keymap_create(hint);
	char		buf[32];
	bool		added;

	for (int i = 0; i < n; i++)
		o2c_keymap_enter(map, buf, snprintf(buf, sizeof(buf), "S%d", i), NULL);
	o2c_keymap_clear(map, 0);
	for (int i = n - 1; i >= 0; i--)
	{
		int32_t		got = o2c_keymap_enter(map, buf, snprintf(buf, sizeof(buf), "S%d", i), &added);

		CHECK(got == n - 1 - i && added, "S%d after a clear: %d (added %d), expected %d", i, got, added, n - 1 - i);
	}
	o2c_keymap_free(map);
}

int
main(void)
{
	test_dense(1, 0);
	test_dense(13, 0);
	test_dense(100000, 0);
	test_dense(100000, 200000);
	test_random(20000);
	test_shapes();
	test_clear();
	test_clear_again(5, 1000);
	test_clear_again(3000, 1000);
	test_prefetch(50000);
	test_sort(20000, "CUST-");
	test_sort(20000, "");
	test_sort(3, "X");
	test_sort(1, "");
	if (failures > 0)
	{
		printf("keymap_unit: %d failures\n", failures);
		return 1;
	}
	printf("keymap_unit: ok\n");
	return 0;
}
