/*
 * strsim.c — string metrics and the normalizations cash application needs:
 * Jaro-Winkler, company-name and invoice-reference normalization,
 * reference extraction from remittance text (the unrestricted
 * Damerau-Levenshtein distance is in strsim_dl.c).
 *
 * Plain C over UTF-8 buffers (core.h): metrics count characters (code
 * points), not bytes. Case folding and accent folding are our own tables, so
 * results never depend on the server's locale and the SQL functions can be
 * IMMUTABLE.
 */
#include <stdlib.h>
#include <string.h>

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

bool
o2c_is_ascii(const char *s, size_t len)
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
	if (o2c_is_ascii(a, alen) && o2c_is_ascii(b, blen))
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

/* ---------- company names ---------- */

/* Legal forms and articles removed as whole words (after dots are dropped). */
static const char *const legal_forms[] = {
	"ab", "ag", "aps", "as", "bv", "co", "company", "corp", "corporation",
	"berhad", "bhd", "gmbh", "inc", "incorporated", "kg", "kk", "limited", "llc",
	"llp", "ltd", "nv", "oy", "plc", "pte", "pty", "pvt", "sa", "sarl", "sas",
	"spa", "srl", "tbk"
};

/*
 * Words that are a legal form only before one of the given words: "private"
 * in "private limited", "sdn" in "sdn bhd" ("Private Label Foods" keeps it).
 */
static const struct
{
	const char *word;
	const char *next[3];
}			legal_form_heads[] = {
	{"private", {"limited", "ltd", NULL}},
	{"sdn", {"bhd", "berhad", NULL}},
	{"sendirian", {"berhad", "bhd", NULL}}
};

static bool
word_is(const char *w, size_t len, const char *lit)
{
	return strlen(lit) == len && memcmp(lit, w, len) == 0;
}

static bool
is_legal_form(const char *w, size_t len)
{
	for (size_t i = 0; i < sizeof(legal_forms) / sizeof(legal_forms[0]); i++)
		if (word_is(w, len, legal_forms[i]))
			return true;
	return false;
}

/* Is word w of the name part of a legal form (alone or with the next word)? */
static bool
is_legal_form_at(const char *tmp, const size_t *wstart, const size_t *wlen, int nwords, int w)
{
	if (is_legal_form(tmp + wstart[w], wlen[w]))
		return true;
	if (w + 1 >= nwords)
		return false;
	for (size_t i = 0; i < sizeof(legal_form_heads) / sizeof(legal_form_heads[0]); i++)
	{
		if (!word_is(tmp + wstart[w], wlen[w], legal_form_heads[i].word))
			continue;
		for (int k = 0; k < 3 && legal_form_heads[i].next[k]; k++)
			if (word_is(tmp + wstart[w + 1], wlen[w + 1], legal_form_heads[i].next[k]))
				return true;
	}
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
	bool	   *removable;

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
	removable = o2c_core_alloc((size_t) nwords + 1);
	for (int w = 0; w < nwords; w++)
		removable[w] = is_legal_form_at(tmp, wstart, wlen, nwords, w);
	for (int w = first; w < nwords; w++)
		if (!removable[w])
			all_removable = false;
	for (int w = all_removable ? 0 : first; w < nwords; w++)
	{
		if (!all_removable && removable[w])
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
	o2c_core_free(removable);
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
 * Short words that label a number rather than prefix it ("no 42", "ref 7"):
 * never joined to the digits that follow.
 */
static const char *const ref_labels[] = {
	"and", "at", "by", "for", "in", "nr", "nro", "no", "num", "of", "on", "or",
	"per", "ref", "the", "to"
};

/*
 * A word that may be a reference's letter prefix written apart from its
 * digits ("inv 000123", "RE 2024/0815"): 1 to 4 ASCII letters, no label.
 */
static bool
is_ref_prefix_word(const unsigned char *w, size_t len)
{
	char		low[5];

	if (len == 0 || len > 4)
		return false;
	for (size_t i = 0; i < len; i++)
	{
		unsigned char c = w[i];

		if (c >= 'A' && c <= 'Z')
			c += 32;
		if (c < 'a' || c > 'z')
			return false;
		low[i] = (char) c;
	}
	for (size_t i = 0; i < sizeof(ref_labels) / sizeof(ref_labels[0]); i++)
		if (strlen(ref_labels[i]) == len && memcmp(ref_labels[i], low, len) == 0)
			return false;
	return true;
}

/* Appends the normalized text s[0..len) to out unless empty or present. */
static void
add_ref(char ***out, int *n, int *cap, const char *s, size_t len)
{
	size_t		rlen;
	char	   *r = o2c_normalize_ref(s, len, &rlen);

	for (int k = 0; k < *n; k++)
		if (strcmp((*out)[k], r) == 0)
			rlen = 0;
	if (rlen == 0)
	{
		o2c_core_free(r);
		return;
	}
	if (*n == *cap)
	{
		char	  **bigger = o2c_core_alloc(*cap * 2 * sizeof(char *));

		memcpy(bigger, *out, *cap * sizeof(char *));
		o2c_core_free(*out);
		*out = bigger;
		*cap *= 2;
	}
	(*out)[(*n)++] = r;
}

/*
 * A candidate is a maximal run of ASCII letters and digits, possibly joined
 * by single separators (- / . _ # \) between them, that holds a digit.
 * Words without digits ("invoice", "Rechnung", "and") are not references.
 * A short letter word separated only by blanks from a run that starts with
 * a digit is also read as that run's prefix: "inv 000123" gives "inv123"
 * (as "INV-000123" does) and then "123", so the digits alone still find an
 * invoice whose prefix differs. Longer words and labels ("invoice 5",
 * "order 55", "no 42") are never joined.
 */
int
o2c_extract_refs(const char *s, size_t len, char ***refs)
{
	const unsigned char *p = (const unsigned char *) s;
	int			cap = 8,
				n = 0;
	char	  **out = o2c_core_alloc(cap * sizeof(char *));
	size_t		i = 0;
	size_t		pw_start = 0,
				pw_len = 0;		/* the last prefix word, while only blanks follow it */

	while (i < len)
	{
		size_t		start,
					j;
		bool		digit = false,
					joined = false;

		if (!is_ascii_alnum(p[i]))
		{
			if (p[i] != ' ' && p[i] != '\t')
				pw_len = 0;
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
			{
				j++;
				joined = true;
			}
			else
				break;
		}
		/* Glued to non-ASCII letters (e.g. "Nr.123ä")? Still a token. */
		if (digit)
		{
			if (pw_len > 0 && p[start] >= '0' && p[start] <= '9')
			{
				char	   *both = o2c_core_alloc(pw_len + (j - start) + 1);

				memcpy(both, s + pw_start, pw_len);
				memcpy(both + pw_len, s + start, j - start);
				add_ref(&out, &n, &cap, both, pw_len + (j - start));
				o2c_core_free(both);
			}
			add_ref(&out, &n, &cap, s + start, j - start);
			pw_len = 0;
		}
		else if (!joined && is_ref_prefix_word(p + start, j - start))
		{
			pw_start = start;
			pw_len = j - start;
		}
		else
			pw_len = 0;
		i = j;
	}
	*refs = out;
	return n;
}
