/*
 * strsim_dl.c — the unrestricted (true) Damerau-Levenshtein distance,
 * Lowrance-Wagner's recurrence, exact for every input, over UTF-8
 * characters (code points), at about the cost of plain Levenshtein or less.
 *
 * Plain C (core.h) like strsim.c; SSE2 where the compiler targets it.
 */
#include <string.h>

/* SSE2 is part of x86-64; O2C_DL_NO_SIMD builds the portable code there too. */
#if defined(__SSE2__) && !defined(O2C_DL_NO_SIMD)
#define O2C_DL_SIMD 1
#include <emmintrin.h>
#endif

#include "strsim.h"

typedef unsigned char uchar_t;

/* ---------- Damerau-Levenshtein (unrestricted, Lowrance-Wagner) ---------- */

#if defined(__GNUC__)
#define DL_RARE(x) __builtin_expect((x), 0)
#else
#define DL_RARE(x) (x)
#endif

/*
 * Lowrance-Wagner over bytes or code points, with no alphabet: dab[j] is
 * the last row before the current one holding b[j], updated when a row
 * matches b[j] (after that cell has read it), so any character set costs
 * the same. Row 0 and column 0 of the table hold "infinity", so the
 * transposition term needs no test for "no earlier match".
 *
 * The transposition term of cell (i, j) comes from cell (i1 - 1, j1 - 1),
 * where i1 is the last row before i holding b[j] and j1 the last column
 * before j holding a[i]. That cell is at least H[i-1][j-1] less
 * max(i - i1, j - j1), so the term is at least H[i-1][j-1] +
 * min(i - i1, j - j1) - 1: it can only beat the other three when
 * i1 = i - 1 (a[i-1] is b[j]) or j1 = j - 1 (b[j-1] is a[i]). Everywhere
 * else the cell is a Levenshtein cell, which is why this costs about what
 * Levenshtein costs. Exact for every input.
 */
#define DL_BODY(T) \
static int \
dl_##T(const T *a, int la, const T *b, int lb) \
{ \
	int			cols = lb + 2; \
	int			inf = la + lb; \
	int			small[4096]; \
	int			dab_small[256]; \
	int		   *h = ((size_t) (la + 2) * cols <= 4096) ? small \
		: o2c_core_alloc((size_t) (la + 2) * cols * sizeof(int)); \
	int		   *dab = lb < 256 ? dab_small : o2c_core_alloc((lb + 1) * sizeof(int)); \
	int			result; \
\
	h[0] = inf; \
	for (int i = 0; i <= la; i++) \
	{ \
		h[(i + 1) * cols] = inf; \
		h[(i + 1) * cols + 1] = i; \
	} \
	for (int j = 0; j <= lb; j++) \
	{ \
		h[j + 1] = inf; \
		h[cols + j + 1] = j; \
		dab[j] = 0; \
	} \
	for (int i = 1; i <= la; i++) \
	{ \
		int			db = 0; \
		const int  *prev = h + i * cols; \
		int		   *cur = h + (i + 1) * cols; \
		T			ac = a[i - 1]; \
		T			pa = a[i >= 2 ? i - 2 : 0]; \
		bool		has_pa = i >= 2; \
		int			diag = prev[1]; \
		int			left = cur[1]; \
\
		/* diag, left and up are the three neighbours, kept in registers */ \
		for (int j = 1; j <= lb; j++) \
		{ \
			T			bc = b[j - 1]; \
			int			up = prev[j + 1]; \
			int			v = diag + (ac != bc); \
\
			/* branch-free: only left + 1 waits for the previous cell */ \
			v = up + 1 < v ? up + 1 : v; \
			v = left + 1 < v ? left + 1 : v; \
			if (DL_RARE((pa == bc && has_pa) | (db == j - 1))) \
			{ \
				int			i1 = dab[j]; \
				int			w = h[i1 * cols + db] + (i - i1) + (j - db) - 1; \
\
				v = w < v ? w : v; \
			} \
			if (ac == bc) \
			{ \
				db = j; \
				dab[j] = i; \
			} \
			cur[j + 1] = v; \
			diag = up; \
			left = v; \
		} \
	} \
	result = h[(la + 1) * cols + lb + 1]; \
	if (h != small) \
		o2c_core_free(h); \
	if (dab != dab_small) \
		o2c_core_free(dab); \
	return result; \
}

DL_BODY(uchar_t)
DL_BODY(uint32_t)

#ifndef O2C_DL_SIMD
/*
 * The same recurrence when b has at most 64 characters, driven by one bit
 * mask per row: bit j - 1 of pm[i - 1] says a[i] is b[j]. The cells where
 * the transposition term can win (b[j] is a[i-1], or b[j-1] is a[i], and
 * a[i] is not b[j]) are the bits of (previous mask | mask << 1) & ~mask, so
 * every other cell runs a plain Levenshtein step with no test at all, and
 * those few get the term from the last matching row and column.
 */
static int
dl_masks(const uint64_t *pm, int la, int lb)
{
	int			cols = lb + 2;
	int			inf = la + lb;
	int			small[4096];
	int			dab[65];
	int		   *h = ((size_t) (la + 2) * cols <= 4096) ? small
		: o2c_core_alloc((size_t) (la + 2) * cols * sizeof(int));
	uint64_t	lbmask = lb == 64 ? ~(uint64_t) 0 : ((uint64_t) 1 << lb) - 1;
	uint64_t	prevm = 0;
	int			result;

	h[0] = inf;
	for (int i = 0; i <= la; i++)
	{
		h[(i + 1) * cols] = inf;
		h[(i + 1) * cols + 1] = i;
	}
	for (int j = 0; j <= lb; j++)
	{
		h[j + 1] = inf;
		h[cols + j + 1] = j;
		dab[j] = 0;
	}
	for (int i = 1; i <= la; i++)
	{
		const int  *prev = h + i * cols;
		int		   *cur = h + (i + 1) * cols;
		uint64_t	m = pm[i - 1];
		uint64_t	nm = ~m;
		uint64_t	swaps = (prevm | (m << 1)) & ~m & lbmask;
		int			left;

		/* diagonal and vertical steps: independent cells */
		for (int j = 1; j <= lb; j++)
		{
			int			v = prev[j] + (int) ((nm >> (j - 1)) & 1);

			cur[j + 1] = prev[j + 1] + 1 < v ? prev[j + 1] + 1 : v;
		}
		/* the few cells where a transposition may win (earlier rows only) */
		for (; swaps; swaps &= swaps - 1)
		{
			int			j = __builtin_ctzll(swaps) + 1;
			uint64_t	before = m & (((uint64_t) 1 << (j - 1)) - 1);
			int			db = before ? 64 - __builtin_clzll(before) : 0;
			int			i1 = dab[j];
			int			w = h[i1 * cols + db] + (i - i1) + (j - db) - 1;

			if (w < cur[j + 1])
				cur[j + 1] = w;
		}
		/* horizontal steps: the only chain from cell to cell, add and min */
		left = cur[1];
		for (int j = 1; j <= lb; j++)
		{
			left = left + 1 < cur[j + 1] ? left + 1 : cur[j + 1];
			cur[j + 1] = left;
		}
		for (uint64_t r = m; r; r &= r - 1)
			dab[__builtin_ctzll(r) + 1] = i;
		prevm = m;
	}
	result = h[(la + 1) * cols + lb + 1];
	if (h != small)
		o2c_core_free(h);
	return result;
}

#endif

#ifdef O2C_DL_SIMD
/*
 * dl_masks with eight cells at a time (SSE2, 16-bit cells: distances stay
 * below 2 * O2C_DL_MAX_CHARS). A row is t[j] = min(diag + cost, up + 1)
 * for every j at once, then the transposition cells (from earlier rows),
 * then the horizontal steps, v[j] = min(t[j], v[j-1] + 1), which are
 * j + the running minimum of t[k] - k: a prefix minimum, done in three
 * shifts per eight cells. Row r of the table is h + r * stride, cells
 * 0..lb, then padding that later rows read but no result depends on.
 */
static int
dl_masks(const uint64_t *pm, int la, int lb)
{
	int			stride = (lb + 8 + 7) & ~7;
	int16_t		small[8192];
	int16_t    *h = (size_t) (la + 1) * stride <= 8192 ? small
		: o2c_core_alloc((size_t) (la + 1) * stride * sizeof(int16_t));
	int			dab[65];
	uint64_t	lbmask = lb == 64 ? ~(uint64_t) 0 : ((uint64_t) 1 << lb) - 1;
	uint64_t	prevm = 0;
	const __m128i one = _mm_set1_epi16(1);
	const __m128i sel = _mm_setr_epi16(1, 2, 4, 8, 16, 32, 64, 128);
	const __m128i step = _mm_set1_epi16(8);
	const __m128i fill1 = _mm_setr_epi16(0x7fff, 0, 0, 0, 0, 0, 0, 0);
	const __m128i fill2 = _mm_setr_epi16(0x7fff, 0x7fff, 0, 0, 0, 0, 0, 0);
	const __m128i fill4 = _mm_setr_epi16(0x7fff, 0x7fff, 0x7fff, 0x7fff, 0, 0, 0, 0);
	int			result;

	for (int j = 0; j < stride; j++)
		h[j] = (int16_t) j;
	for (int j = 0; j <= lb; j++)
		dab[j] = 0;
	for (int i = 1; i <= la; i++)
	{
		const int16_t *prev = h + (i - 1) * stride;
		int16_t    *cur = h + i * stride;
		uint64_t	m = pm[i - 1];
		uint64_t	swaps = (prevm | (m << 1)) & ~m & lbmask;
		__m128i		idx = _mm_setr_epi16(1, 2, 3, 4, 5, 6, 7, 8);
		__m128i		carry = _mm_set1_epi16((int16_t) i);

		cur[0] = (int16_t) i;
		/* diagonal and vertical steps */
		for (int j = 1; j <= lb; j += 8)
		{
			__m128i		bits = _mm_set1_epi16((int16_t) ((m >> (j - 1)) & 0xFF));
			__m128i		eq = _mm_cmpeq_epi16(_mm_and_si128(bits, sel), sel);
			__m128i		diag = _mm_loadu_si128((const __m128i *) (prev + j - 1));
			__m128i		up = _mm_loadu_si128((const __m128i *) (prev + j));

			/* a match (eq is -1) makes diag + 1 + eq: diag itself */
			_mm_storeu_si128((__m128i *) (cur + j),
							 _mm_add_epi16(_mm_min_epi16(_mm_add_epi16(diag, eq), up), one));
		}
		/* the few cells where a transposition may win (earlier rows only) */
		for (; swaps; swaps &= swaps - 1)
		{
			int			j = __builtin_ctzll(swaps) + 1;
			uint64_t	before = m & (((uint64_t) 1 << (j - 1)) - 1);
			int			db = before ? 64 - __builtin_clzll(before) : 0;
			int			i1 = dab[j];

			if (i1 > 0 && db > 0)
			{
				int			w = h[(i1 - 1) * stride + db - 1] + (i - i1) + (j - db) - 1;

				if (w < cur[j])
					cur[j] = (int16_t) w;
			}
		}
		/* horizontal steps: j + running minimum of t[k] - k */
		for (int j = 1; j <= lb; j += 8)
		{
			__m128i		x = _mm_sub_epi16(_mm_loadu_si128((const __m128i *) (cur + j)), idx);

			x = _mm_min_epi16(x, _mm_or_si128(_mm_slli_si128(x, 2), fill1));
			x = _mm_min_epi16(x, _mm_or_si128(_mm_slli_si128(x, 4), fill2));
			x = _mm_min_epi16(x, _mm_or_si128(_mm_slli_si128(x, 8), fill4));
			x = _mm_min_epi16(x, carry);
			/* the last lane, broadcast, carries into the next eight */
			carry = _mm_shufflehi_epi16(x, 0xFF);
			carry = _mm_unpackhi_epi64(carry, carry);
			_mm_storeu_si128((__m128i *) (cur + j), _mm_add_epi16(x, idx));
			idx = _mm_add_epi16(idx, step);
		}
		for (uint64_t r = m; r; r &= r - 1)
			dab[__builtin_ctzll(r) + 1] = i;
		prevm = m;
	}
	result = h[la * stride + lb];
	if (h != small)
		o2c_core_free(h);
	return result;
}
#endif							/* O2C_DL_SIMD */

/* Distance of stripped, non-empty strings: the masks when one fits in 64. */
#define DL_DISPATCH(T) \
static int \
dl_any_##T(const T *a, int la, const T *b, int lb) \
{ \
	uint64_t	pm_small[256]; \
	uint64_t   *pm; \
	int			r; \
\
	if (lb > 64 && la <= 64) \
	{ \
		const T    *t = a; \
		int			tl = la; \
\
		a = b, la = lb, b = t, lb = tl; \
	} \
	if (lb > 64) \
		return dl_##T(a, la, b, lb); \
	pm = la <= 256 ? pm_small : o2c_core_alloc(la * sizeof(uint64_t)); \
	pm[0] = 0;					/* la > 0: quiets a false maybe-uninitialized */ \
	DL_ROW_MASKS_##T(a, la, b, lb, pm); \
	r = dl_masks(pm, la, lb); \
	if (pm != pm_small) \
		o2c_core_free(pm); \
	return r; \
}

/* Bytes: one mask per byte value of b, looked up per row. */
#define DL_ROW_MASKS_uchar_t(a, la, b, lb, pm) \
	do { \
		uint64_t	bytemask[128]; \
\
		for (int i = 0; i < (la); i++) \
			bytemask[(a)[i]] = 0; \
		for (int j = 0; j < (lb); j++) \
			bytemask[(b)[j]] = 0; \
		for (int j = 0; j < (lb); j++) \
			bytemask[(b)[j]] |= (uint64_t) 1 << j; \
		for (int i = 0; i < (la); i++) \
			(pm)[i] = bytemask[(a)[i]]; \
	} while (0)

/* Code points: b's (at most 64) distinct characters in a small hash table. */
#define DL_ROW_MASKS_uint32_t(a, la, b, lb, pm) \
	do { \
		uint32_t	keys[128]; \
		uint64_t	masks[128]; \
		bool		used[128]; \
\
		memset(used, 0, sizeof(used)); \
		for (int j = 0; j < (lb); j++) \
		{ \
			unsigned	s = DL_HASH((b)[j]); \
\
			while (used[s] && keys[s] != (b)[j]) \
				s = (s + 1) & 127; \
			if (!used[s]) \
				used[s] = true, keys[s] = (b)[j], masks[s] = 0; \
			masks[s] |= (uint64_t) 1 << j; \
		} \
		for (int i = 0; i < (la); i++) \
		{ \
			unsigned	s = DL_HASH((a)[i]); \
\
			while (used[s] && keys[s] != (a)[i]) \
				s = (s + 1) & 127; \
			(pm)[i] = used[s] ? masks[s] : 0; \
		} \
	} while (0)
#define DL_HASH(c) ((unsigned) (((uint32_t) (c) * 2654435761u) >> 25))

DL_DISPATCH(uchar_t)
DL_DISPATCH(uint32_t)

int
o2c_damerau_levenshtein_cp(const uint32_t *a, int la, const uint32_t *b, int lb)
{
	/* A common prefix or suffix never changes the distance. */
	while (la > 0 && lb > 0 && a[0] == b[0])
		a++, b++, la--, lb--;
	while (la > 0 && lb > 0 && a[la - 1] == b[lb - 1])
		la--, lb--;
	if (la == 0 || lb == 0)
		return la + lb;
	return dl_any_uint32_t(a, la, b, lb);
}

int
o2c_damerau_levenshtein(const char *a, size_t alen, const char *b, size_t blen,
						O2cError *err)
{
	uint32_t	abuf[128],
				bbuf[128];
	uint32_t   *ac,
			   *bc;
	int			la,
				lb;
	int			r;

	if (alen <= O2C_DL_MAX_CHARS && blen <= O2C_DL_MAX_CHARS &&
		o2c_is_ascii(a, alen) && o2c_is_ascii(b, blen))
	{
		/* A common prefix or suffix never changes the distance. */
		while (alen > 0 && blen > 0 && a[0] == b[0])
			a++, b++, alen--, blen--;
		while (alen > 0 && blen > 0 && a[alen - 1] == b[blen - 1])
			alen--, blen--;
		if (alen == 0 || blen == 0)
			return (int) (alen + blen);
		return dl_any_uchar_t((const uchar_t *) a, (int) alen, (const uchar_t *) b, (int) blen);
	}
	ac = alen <= 128 ? abuf : o2c_core_alloc(alen * sizeof(uint32_t));
	bc = blen <= 128 ? bbuf : o2c_core_alloc(blen * sizeof(uint32_t));
	la = o2c_utf8_decode(a, alen, ac);
	lb = o2c_utf8_decode(b, blen, bc);
	if (la > O2C_DL_MAX_CHARS || lb > O2C_DL_MAX_CHARS)
	{
		o2c_fail(err, O2C_ERR_LIMIT,
				 "argument of damerau_levenshtein exceeds the maximum length of %d characters",
				 O2C_DL_MAX_CHARS);
		o2c_fail_detail(err, "The arguments have %d and %d characters.", la, lb);
		r = -1;
	}
	else
		r = o2c_damerau_levenshtein_cp(ac, la, bc, lb);
	if (ac != abuf)
		o2c_core_free(ac);
	if (bc != bbuf)
		o2c_core_free(bc);
	return r;
}
