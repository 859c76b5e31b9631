/*
 * strsim.c — string metrics and the normalizations cash application needs:
 * Jaro-Winkler, unrestricted Damerau-Levenshtein, company-name and
 * invoice-reference normalization, reference extraction from remittance
 * text.
 *
 * Plain C over UTF-8 buffers (core.h): metrics count characters (code
 * points), not bytes. Case folding and accent folding are our own tables, so
 * results never depend on the server's locale and the SQL functions can be
 * IMMUTABLE.
 */
#include <stdlib.h>
#include <string.h>
/* SSE2 is part of x86-64; O2C_DL_NO_SIMD builds the portable code there too. */
#if defined(__SSE2__) && !defined(O2C_DL_NO_SIMD)
#define O2C_DL_SIMD 1
#include <emmintrin.h>
#endif

#include "strsim.h"

/* ---------- UTF-8 ---------- */

int
o2c_utf8_decode(const char *s, size_t len, uint32_t *out)
{
	const unsigned char *p = (const unsigned char *) s;
	size_t		i = 0;
	int			n = 0;

	while (i < len)
	{
		unsigned char c = p[i];
		int			extra;
		uint32_t	cp;

		if (c < 0x80)
			extra = 0, cp = c;
		else if ((c & 0xE0) == 0xC0)
			extra = 1, cp = c & 0x1F;
		else if ((c & 0xF0) == 0xE0)
			extra = 2, cp = c & 0x0F;
		else if ((c & 0xF8) == 0xF0)
			extra = 3, cp = c & 0x07;
		else
			extra = -1, cp = c;
		if (extra > 0)
		{
			int			k;

			for (k = 1; k <= extra; k++)
			{
				if (i + k >= len || (p[i + k] & 0xC0) != 0x80)
					break;
				cp = (cp << 6) | (p[i + k] & 0x3F);
			}
			if (k <= extra)
				extra = -1, cp = c;
		}
		out[n++] = cp;
		i += (extra < 0 ? 1 : extra + 1);
	}
	return n;
}

static int
utf8_encode(uint32_t c, char *out)
{
	if (c < 0x80)
	{
		out[0] = (char) c;
		return 1;
	}
	if (c < 0x800)
	{
		out[0] = (char) (0xC0 | (c >> 6));
		out[1] = (char) (0x80 | (c & 0x3F));
		return 2;
	}
	if (c < 0x10000)
	{
		out[0] = (char) (0xE0 | (c >> 12));
		out[1] = (char) (0x80 | ((c >> 6) & 0x3F));
		out[2] = (char) (0x80 | (c & 0x3F));
		return 3;
	}
	out[0] = (char) (0xF0 | (c >> 18));
	out[1] = (char) (0x80 | ((c >> 12) & 0x3F));
	out[2] = (char) (0x80 | ((c >> 6) & 0x3F));
	out[3] = (char) (0x80 | (c & 0x3F));
	return 4;
}

/* ---------- case and accent folding ---------- */

uint32_t
o2c_fold_case(uint32_t c)
{
	if (c < 0x80)
		return (c >= 'A' && c <= 'Z') ? c + 32 : c;
	if (c >= 0xC0 && c <= 0xDE && c != 0xD7)
		return c + 32;
	if (c >= 0x100 && c <= 0x17F)
	{
		/* Latin Extended-A: pairs upper/lower, in two phases of parity */
		if (c == 0x130)
			return 'i';
		if (c == 0x178)
			return 0xFF;
		if ((c >= 0x100 && c <= 0x12F) || (c >= 0x132 && c <= 0x137) ||
			(c >= 0x14A && c <= 0x177))
			return (c % 2 == 0) ? c + 1 : c;
		if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E))
			return (c % 2 == 1) ? c + 1 : c;
		return c;
	}
	if (c >= 0x218 && c <= 0x21B)	/* Romanian comma-below S and T */
		return (c % 2 == 0) ? c + 1 : c;
	if (c >= 0x391 && c <= 0x3AB && c != 0x3A2)	/* Greek */
		return c + 32;
	if (c >= 0x410 && c <= 0x42F)	/* Cyrillic */
		return c + 32;
	if (c >= 0x400 && c <= 0x40F)
		return c + 80;
	return c;
}

/* ASCII spelling of a lower-case Latin letter with a diacritic, or NULL. */
static const char *
fold_accent(uint32_t c)
{
	static const char *const latin1[64] = {
		/* C0 */ "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
		/* D0 */ "d", "n", "o", "o", "o", "o", "o", NULL, "o", "u", "u", "u", "u", "y", "th", "ss",
		/* E0 */ "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
		/* F0 */ "d", "n", "o", "o", "o", "o", "o", NULL, "o", "u", "u", "u", "u", "y", "th", "y"
	};
	static const struct
	{
		uint16_t	from,
					to;
		const char *ascii;
	}			exta[] = {
		{0x100, 0x105, "a"}, {0x106, 0x10D, "c"}, {0x10E, 0x111, "d"},
		{0x112, 0x11B, "e"}, {0x11C, 0x123, "g"}, {0x124, 0x127, "h"},
		{0x128, 0x131, "i"}, {0x132, 0x133, "ij"}, {0x134, 0x135, "j"},
		{0x136, 0x138, "k"}, {0x139, 0x142, "l"}, {0x143, 0x14B, "n"},
		{0x14C, 0x151, "o"}, {0x152, 0x153, "oe"}, {0x154, 0x159, "r"},
		{0x15A, 0x161, "s"}, {0x162, 0x167, "t"}, {0x168, 0x173, "u"},
		{0x174, 0x175, "w"}, {0x176, 0x178, "y"}, {0x179, 0x17E, "z"},
		{0x17F, 0x17F, "s"}, {0x218, 0x219, "s"}, {0x21A, 0x21B, "t"}
	};

	if (c >= 0xC0 && c <= 0xFF)
		return latin1[c - 0xC0];
	if (c >= 0x100 && c <= 0x21B)
	{
		for (size_t i = 0; i < sizeof(exta) / sizeof(exta[0]); i++)
			if (c >= exta[i].from && c <= exta[i].to)
				return exta[i].ascii;
	}
	return NULL;
}

static bool
is_combining_mark(uint32_t c)
{
	return (c >= 0x300 && c <= 0x36F);
}

/* Non-ASCII punctuation, symbols and spaces (separators in names). */
static bool
is_unicode_separator(uint32_t c)
{
	return (c >= 0x80 && c <= 0xBF) || c == 0xD7 || c == 0xF7 ||
		(c >= 0x2000 && c <= 0x206F) || (c >= 0x20A0 && c <= 0x20CF) ||
		(c >= 0x2190 && c <= 0x2BFF) || (c >= 0x3000 && c <= 0x303F) ||
		(c >= 0xFE30 && c <= 0xFE4F) || (c >= 0xFF00 && c <= 0xFF0F) ||
		c == 0xFEFF;
}

/* ---------- Jaro-Winkler ---------- */

/*
 * One body for bytes (the ASCII fast path) and for code points: matches
 * within the window, half the out-of-order matches as transpositions, and
 * Winkler's prefix boost (up to 4 characters, scale 0.1) above 0.7.
 */
#define JW_BODY(T) \
static double \
jw_##T(const T *a, int la, const T *b, int lb) \
{ \
	unsigned char abuf[256], bbuf[256]; \
	unsigned char *amatch, *bmatch; \
	int			window, m = 0, t = 0, prefix = 0, k; \
	double		jaro; \
\
	if (la == 0 && lb == 0) \
		return 1.0; \
	if (la == 0 || lb == 0) \
		return 0.0; \
	amatch = la <= 256 ? abuf : o2c_core_alloc(la); \
	bmatch = lb <= 256 ? bbuf : o2c_core_alloc(lb); \
	if (la <= 256) \
		memset(amatch, 0, la); \
	if (lb <= 256) \
		memset(bmatch, 0, lb); \
	window = (la > lb ? la : lb) / 2 - 1; \
	if (window < 0) \
		window = 0; \
	for (int i = 0; i < la; i++) \
	{ \
		int			lo = i - window > 0 ? i - window : 0; \
		int			hi = i + window + 1 < lb ? i + window + 1 : lb; \
\
		for (int j = lo; j < hi; j++) \
		{ \
			if (!bmatch[j] && a[i] == b[j]) \
			{ \
				amatch[i] = bmatch[j] = 1; \
				m++; \
				break; \
			} \
		} \
	} \
	if (m == 0) \
		jaro = 0.0; \
	else \
	{ \
		k = 0; \
		for (int i = 0; i < la; i++) \
		{ \
			if (!amatch[i]) \
				continue; \
			while (!bmatch[k]) \
				k++; \
			if (a[i] != b[k]) \
				t++; \
			k++; \
		} \
		jaro = ((double) m / la + (double) m / lb + (double) (m - t / 2) / m) / 3.0; \
		if (jaro > 0.7) \
		{ \
			while (prefix < 4 && prefix < la && prefix < lb && a[prefix] == b[prefix]) \
				prefix++; \
			jaro += prefix * 0.1 * (1.0 - jaro); \
		} \
	} \
	if (amatch != abuf) \
		o2c_core_free(amatch); \
	if (bmatch != bbuf) \
		o2c_core_free(bmatch); \
	return jaro; \
}

typedef unsigned char uchar_t;
JW_BODY(uchar_t)
JW_BODY(uint32_t)

/*
 * The same for ASCII strings of up to 64 characters, with bit masks: for
 * each character of a, the unmatched positions of that character in b
 * within the window are one AND away.
 */
static double
jw_ascii64(const unsigned char *a, int la, const unsigned char *b, int lb)
{
	uint64_t	pm[128];
	uint64_t	amatched = 0,
				bmatched = 0;
	int			window,
				m = 0,
				t = 0,
				prefix = 0;
	double		jaro;

	if (la == 0 && lb == 0)
		return 1.0;
	if (la == 0 || lb == 0)
		return 0.0;
	for (int j = 0; j < lb; j++)
		pm[b[j]] = 0;
	for (int i = 0; i < la; i++)
		pm[a[i]] = 0;
	for (int j = 0; j < lb; j++)
		pm[b[j]] |= (uint64_t) 1 << j;
	window = (la > lb ? la : lb) / 2 - 1;
	if (window < 0)
		window = 0;
	for (int i = 0; i < la; i++)
	{
		int			lo = i - window > 0 ? i - window : 0;
		int			hi = i + window + 1 < lb ? i + window + 1 : lb;
		uint64_t	wmask,
					cand;

		if (lo >= hi)
			continue;
		wmask = (hi == 64 ? ~(uint64_t) 0 : (((uint64_t) 1 << hi) - 1)) & ~(((uint64_t) 1 << lo) - 1);
		cand = pm[a[i]] & wmask & ~bmatched;
		if (cand)
		{
			bmatched |= cand & (~cand + 1);
			amatched |= (uint64_t) 1 << i;
			m++;
		}
	}
	if (m == 0)
		return 0.0;
	{
		uint64_t	am = amatched,
					bm = bmatched;

		while (am)
		{
			int			i = __builtin_ctzll(am);
			int			j = __builtin_ctzll(bm);

			if (a[i] != b[j])
				t++;
			am &= am - 1;
			bm &= bm - 1;
		}
	}
	jaro = ((double) m / la + (double) m / lb + (double) (m - t / 2) / m) / 3.0;
	if (jaro > 0.7)
	{
		while (prefix < 4 && prefix < la && prefix < lb && a[prefix] == b[prefix])
			prefix++;
		jaro += prefix * 0.1 * (1.0 - jaro);
	}
	return jaro;
}

double
o2c_jaro_winkler_cp(const uint32_t *a, int la, const uint32_t *b, int lb)
{
	return jw_uint32_t(a, la, b, lb);
}

static bool
is_ascii(const char *s, size_t len)
{
	uint64_t	high = 0;
	size_t		i = 0;

	/* eight bytes at a time: any high bit means a multibyte character */
	for (; i + 8 <= len; i += 8)
	{
		uint64_t	w;

		memcpy(&w, s + i, 8);
		high |= w;
	}
	for (; i < len; i++)
		high |= (unsigned char) s[i];
	return (high & UINT64_C(0x8080808080808080)) == 0;
}

double
o2c_jaro_winkler(const char *a, size_t alen, const char *b, size_t blen)
{
	uint32_t	abuf[128],
				bbuf[128];
	uint32_t   *ac,
			   *bc;
	int			la,
				lb;
	double		r;

	/* One byte per character: no decoding needed. */
	if (is_ascii(a, alen) && is_ascii(b, blen))
	{
		if (alen <= 64 && blen <= 64)
			return jw_ascii64((const unsigned char *) a, (int) alen, (const unsigned char *) b, (int) blen);
		return jw_uchar_t((const uchar_t *) a, (int) alen, (const uchar_t *) b, (int) blen);
	}
	ac = alen <= 128 ? abuf : o2c_core_alloc(alen * sizeof(uint32_t));
	bc = blen <= 128 ? bbuf : o2c_core_alloc(blen * sizeof(uint32_t));
	la = o2c_utf8_decode(a, alen, ac);
	lb = o2c_utf8_decode(b, blen, bc);
	r = jw_uint32_t(ac, la, bc, lb);
	if (ac != abuf)
		o2c_core_free(ac);
	if (bc != bbuf)
		o2c_core_free(bc);
	return r;
}

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
		is_ascii(a, alen) && is_ascii(b, blen))
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

/* ---------- company names ---------- */

/* Legal forms and articles removed as whole words (after dots are dropped). */
static const char *const legal_forms[] = {
	"ab", "ag", "aps", "as", "bv", "co", "company", "corp", "corporation",
	"gmbh", "inc", "incorporated", "kg", "kk", "limited", "llc", "llp", "ltd",
	"nv", "oy", "plc", "pte", "pty", "sa", "sarl", "sas", "spa", "srl"
};

static bool
is_legal_form(const char *w, size_t len)
{
	for (size_t i = 0; i < sizeof(legal_forms) / sizeof(legal_forms[0]); i++)
		if (strlen(legal_forms[i]) == len && memcmp(legal_forms[i], w, len) == 0)
			return true;
	return false;
}

/*
 * Words are runs of letters and digits; dots and apostrophes inside a word
 * are dropped (so "S.A." is "sa", "O'Neil" is "oneil"), every other
 * punctuation mark, symbol or space separates words, "&" is the word "and".
 */
char *
o2c_normalize_name(const char *s, size_t len, size_t *outlen)
{
	uint32_t   *cp = o2c_core_alloc((len + 1) * sizeof(uint32_t));
	int			n = o2c_utf8_decode(s, len, cp);
	/* folded text: each character to at most 4 bytes, "&" to " and " */
	char	   *tmp = o2c_core_alloc((size_t) n * 5 + 2);
	char	   *out = o2c_core_alloc((size_t) n * 5 + 2);
	size_t		tlen = 0,
				olen = 0;
	size_t	   *wstart,
			   *wlen;
	int			nwords = 0,
				kept = 0,
				first;
	bool		all_removable = true;

	/* Pass 1: fold to lower-case, accent-free words separated by one space. */
	for (int i = 0; i < n; i++)
	{
		uint32_t	c = o2c_fold_case(cp[i]);
		const char *acc;

		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
			tmp[tlen++] = (char) c;
		else if (c == '.' || c == '\'' || c == 0x2019 || is_combining_mark(c))
			continue;
		else if (c == '&')
		{
			memcpy(tmp + tlen, " and ", 5);
			tlen += 5;
		}
		else if (c < 0x80 || is_unicode_separator(c))
			tmp[tlen++] = ' ';
		else if ((acc = fold_accent(c)) != NULL)
		{
			memcpy(tmp + tlen, acc, strlen(acc));
			tlen += strlen(acc);
		}
		else
			tlen += utf8_encode(c, tmp + tlen);
	}

	/* Pass 2: split into words. */
	wstart = o2c_core_alloc((tlen / 2 + 2) * sizeof(size_t));
	wlen = o2c_core_alloc((tlen / 2 + 2) * sizeof(size_t));
	for (size_t i = 0; i < tlen;)
	{
		size_t		j;

		if (tmp[i] == ' ')
		{
			i++;
			continue;
		}
		for (j = i; j < tlen && tmp[j] != ' '; j++)
			;
		wstart[nwords] = i;
		wlen[nwords] = j - i;
		nwords++;
		i = j;
	}

	/*
	 * Pass 3: drop a leading "the" and legal forms anywhere; when nothing but
	 * those is left ("The Company"), keep every word rather than return ''.
	 */
	first = (nwords > 1 && wlen[0] == 3 && memcmp(tmp + wstart[0], "the", 3) == 0) ? 1 : 0;
	for (int w = first; w < nwords; w++)
		if (!is_legal_form(tmp + wstart[w], wlen[w]))
			all_removable = false;
	for (int w = all_removable ? 0 : first; w < nwords; w++)
	{
		if (!all_removable && is_legal_form(tmp + wstart[w], wlen[w]))
			wlen[w] = 0;
	}
	/* An "and" left dangling by a removed form ("Meyer & Co." -> "meyer"). */
	for (int w = nwords - 1; w >= first && !all_removable; w--)
	{
		if (wlen[w] == 0)
			continue;
		if (wlen[w] == 3 && memcmp(tmp + wstart[w], "and", 3) == 0)
			wlen[w] = 0;
		else
			break;
	}
	for (int w = all_removable ? 0 : first; w < nwords; w++)
	{
		if (wlen[w] == 0)
			continue;
		if (kept++ > 0)
			out[olen++] = ' ';
		memcpy(out + olen, tmp + wstart[w], wlen[w]);
		olen += wlen[w];
	}
	out[olen] = '\0';
	*outlen = olen;

	o2c_core_free(cp);
	o2c_core_free(tmp);
	o2c_core_free(wstart);
	o2c_core_free(wlen);
	return out;
}

/* ---------- references ---------- */

static bool
is_ascii_alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/*
 * Lower case, every ASCII character other than a letter or digit dropped,
 * and each run of digits (as written, before separators are dropped, so
 * "2024/0815" is "2024815") without its leading zeros; a run of zeros is "0".
 */
char *
o2c_normalize_ref(const char *s, size_t len, size_t *outlen)
{
	uint32_t   *cp = o2c_core_alloc((len + 1) * sizeof(uint32_t));
	int			n = o2c_utf8_decode(s, len, cp);
	char	   *out = o2c_core_alloc((size_t) n * 4 + 1);
	size_t		olen = 0;

	for (int i = 0; i < n; i++)
	{
		uint32_t	c = o2c_fold_case(cp[i]);

		if (c >= '0' && c <= '9')
		{
			int			j = i;

			while (j < n && cp[j] == '0')
				j++;
			if (j == n || cp[j] < '0' || cp[j] > '9')
				out[olen++] = '0';	/* the run was all zeros */
			for (; j < n && cp[j] >= '0' && cp[j] <= '9'; j++)
				out[olen++] = (char) cp[j];
			i = j - 1;
		}
		else if (c >= 'a' && c <= 'z')
			out[olen++] = (char) c;
		else if (c < 0x80 || is_unicode_separator(c) || is_combining_mark(c))
			continue;
		else
			olen += utf8_encode(c, out + olen);
	}
	out[olen] = '\0';
	*outlen = olen;
	o2c_core_free(cp);
	return out;
}

static bool
is_ref_joiner(unsigned char c)
{
	return c == '-' || c == '/' || c == '.' || c == '_' || c == '#' || c == '\\';
}

/*
 * A candidate is a maximal run of ASCII letters and digits, possibly joined
 * by single separators (- / . _ # \) between them, that holds a digit.
 * Words without digits ("invoice", "Rechnung", "and") are not references,
 * so "inv 123" gives "123" and "INV-000123" gives "inv123"; the matcher
 * compares the digits after a letter prefix too, so both find the invoice.
 */
int
o2c_extract_refs(const char *s, size_t len, char ***refs)
{
	const unsigned char *p = (const unsigned char *) s;
	int			cap = 8,
				n = 0;
	char	  **out = o2c_core_alloc(cap * sizeof(char *));
	size_t		i = 0;

	while (i < len)
	{
		size_t		start,
					j;
		bool		digit = false;

		if (!is_ascii_alnum(p[i]))
		{
			i++;
			continue;
		}
		start = i;
		j = i;
		for (;;)
		{
			while (j < len && is_ascii_alnum(p[j]))
			{
				if (p[j] >= '0' && p[j] <= '9')
					digit = true;
				j++;
			}
			if (j + 1 < len && is_ref_joiner(p[j]) && is_ascii_alnum(p[j + 1]))
				j++;
			else
				break;
		}
		/* Glued to non-ASCII letters (e.g. "Nr.123ä")? Still a token. */
		if (digit)
		{
			size_t		rlen;
			char	   *r = o2c_normalize_ref(s + start, j - start, &rlen);
			bool		dup = false;

			for (int k = 0; k < n && !dup; k++)
				dup = strcmp(out[k], r) == 0;
			if (dup || rlen == 0)
				o2c_core_free(r);
			else
			{
				if (n == cap)
				{
					char	  **bigger = o2c_core_alloc(cap * 2 * sizeof(char *));

					memcpy(bigger, out, cap * sizeof(char *));
					o2c_core_free(out);
					out = bigger;
					cap *= 2;
				}
				out[n++] = r;
			}
		}
		i = j;
	}
	*refs = out;
	return n;
}
