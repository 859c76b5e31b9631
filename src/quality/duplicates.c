/*
 * duplicates.c — o2c.duplicate_invoices and o2c.duplicate_customers: pairs of
 * rows that look like the same invoice or the same customer, with a score
 * and the reasons.
 *
 * No all-pairs comparison: rows are grouped by exact keys (sort, then runs
 * of equal keys) and similar names are found by the sorted-neighbourhood
 * method (sort by normalized name, by the reversed name and by the name's
 * words in alphabetical order, and compare each row with the next `window`
 * only), so a typo in any one word usually leaves a pass where the two
 * names sort close together; names one edit apart are also found whatever
 * their order, through their one-byte deletions (pairs_one_edit_names). The
 * work is O(n log n + n * window + n * L^2) for names of length L.
 */
#include "postgres.h"

#include "quality.h"
#include "validate.h"

#include "funcapi.h"
#include "common/hashfn.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/numeric.h"

PG_FUNCTION_INFO_V1(o2c_duplicate_invoices);
PG_FUNCTION_INFO_V1(o2c_duplicate_customers);

/* Past this size an exact-key group links every member to its first only. */
#define DUP_FULL_BLOCK 20

typedef struct DupPair
{
	int			a;				/* the earlier row (duplicate_of) */
	int			b;				/* the later row */
	double		score;
	const char *reason;
} DupPair;

typedef struct DupPairs
{
	DupPair    *items;
	int64		n;
	int64		cap;
} DupPairs;

static void
pair_add(DupPairs *p, int a, int b, double score, const char *reason)
{
	if (a == b)
		return;
	if (a > b)
	{
		int			t = a;

		a = b;
		b = t;
	}
	if (p->n == p->cap)
	{
		p->cap = p->cap ? p->cap * 2 : 256;
		p->items = p->items ? repalloc_huge(p->items, p->cap * sizeof(DupPair))
			: palloc_extended(p->cap * sizeof(DupPair), MCXT_ALLOC_HUGE);
	}
	p->items[p->n].a = a;
	p->items[p->n].b = b;
	p->items[p->n].score = score;
	p->items[p->n].reason = reason;
	p->n++;
}

static int
pair_ab_cmp(const void *x, const void *y)
{
	const DupPair *p = x,
			   *q = y;

	if (p->a != q->a)
		return p->a < q->a ? -1 : 1;
	if (p->b != q->b)
		return p->b < q->b ? -1 : 1;
	return p->score > q->score ? -1 : p->score < q->score ? 1 : 0;
}

static int
pair_score_cmp(const void *x, const void *y)
{
	const DupPair *p = x,
			   *q = y;

	if (p->score != q->score)
		return p->score > q->score ? -1 : 1;
	if (p->b != q->b)
		return p->b < q->b ? -1 : 1;
	return p->a < q->a ? -1 : p->a > q->a ? 1 : 0;
}

/*
 * Merge the evidence for each pair: independent reasons combine as
 * 1 - prod(1 - s); the same reason twice counts once. Then sort by score.
 */
static void
pairs_merge(DupPairs *p)
{
	int64		out = 0;

	if (p->n == 0)
		return;
	qsort(p->items, p->n, sizeof(DupPair), pair_ab_cmp);
	for (int64 i = 0; i < p->n;)
	{
		int64		j = i;
		double		keep = 1.0;
		StringInfoData reasons;

		initStringInfo(&reasons);
		for (; j < p->n && p->items[j].a == p->items[i].a && p->items[j].b == p->items[i].b; j++)
		{
			if (strstr(reasons.data, p->items[j].reason) != NULL)
				continue;
			keep *= 1.0 - p->items[j].score;
			appendStringInfo(&reasons, "%s%s", reasons.len ? "; " : "", p->items[j].reason);
		}
		p->items[out] = p->items[i];
		p->items[out].score = 1.0 - keep;
		p->items[out].reason = reasons.data;
		out++;
		i = j;
	}
	p->n = out;
	qsort(p->items, p->n, sizeof(DupPair), pair_score_cmp);
}

/* Score as numeric with 3 decimals (scores are not money; rounding is shown). */
static Datum
score_datum(double s)
{
	char		buf[32];

	snprintf(buf, sizeof(buf), "%.3f", s);
	return DirectFunctionCall3(numeric_in, CStringGetDatum(buf),
							   ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1));
}

static double
option_fraction(Jsonb *options, const char *key, double dflt)
{
	JsonbValue *v = o2c_options_get(options, key);
	double		d;

	if (v == NULL)
		return dflt;
	if (v->type != jbvNumeric)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("option \"%s\" must be a number between 0 and 1", key)));
	d = DatumGetFloat8(DirectFunctionCall1(numeric_float8, NumericGetDatum(v->val.numeric)));
	if (!(d >= 0.0 && d <= 1.0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("option \"%s\" must be a number between 0 and 1", key)));
	return d;
}

/* Rows sorted by a string key; runs of equal non-empty keys become pairs. */
typedef struct KeyRef
{
	const char *key;
	int			row;
} KeyRef;

static int
keyref_cmp(const void *x, const void *y)
{
	const KeyRef *p = x,
			   *q = y;
	int			c = strcmp(p->key, q->key);

	if (c != 0)
		return c;
	return p->row < q->row ? -1 : p->row > q->row ? 1 : 0;
}

static void
pairs_from_key(DupPairs *pairs, char **keys, int n, double score, const char *reason)
{
	KeyRef	   *refs = palloc_extended(sizeof(KeyRef) * (n > 0 ? n : 1), MCXT_ALLOC_HUGE);
	int			m = 0;

	for (int i = 0; i < n; i++)
		if (keys[i] != NULL && keys[i][0] != '\0')
		{
			refs[m].key = keys[i];
			refs[m].row = i;
			m++;
		}
	qsort(refs, m, sizeof(KeyRef), keyref_cmp);
	for (int s = 0; s < m;)
	{
		int			e = s + 1;

		while (e < m && strcmp(refs[e].key, refs[s].key) == 0)
			e++;
		if (e - s <= DUP_FULL_BLOCK)
		{
			for (int x = s; x < e; x++)
				for (int y = x + 1; y < e; y++)
					pair_add(pairs, refs[x].row, refs[y].row, score, reason);
		}
		else
			for (int y = s + 1; y < e; y++)
				pair_add(pairs, refs[s].row, refs[y].row, score, reason);
		s = e;
		CHECK_FOR_INTERRUPTS();
	}
	pfree(refs);
}

/* ------------------------------------------------------------ name metrics */

/* Fold the Latin-1 supplement letters (UTF-8 C3 xx) to ASCII. */
static char
fold_latin1(unsigned char c2)
{
	static const char map[64] =
		"aaaaaaaceeeeiiiidnooooo*ouuuuyts"	/* C3 80-9F, upper case */
		"aaaaaaaceeeeiiiidnooooo/ouuuuyty";	/* C3 A0-BF */

	if (c2 < 0x80 || c2 > 0xBF)
		return 0;
	return map[c2 - 0x80];
}

/*
 * Legal forms, each with the countries that use it (one bit per country).
 * Two names whose forms share no country name different legal entities:
 * "Lumen Crest B.V." and "Lumen Crest S.A." are a Dutch and a French firm.
 * Forms of no one country ("co", "company", "the") carry no bits.
 * Belgium and Switzerland name one form in two languages, so they have a
 * bit per form: a Belgian NV is an SA (BE_NV), a BV an SRL (BE); a Swiss AG
 * an SA (CH_AG), a GmbH a Sarl (CH_GMBH).
 */
#define LF_DE (UINT64CONST(1) << 0)
#define LF_AT (UINT64CONST(1) << 1)
#define LF_CH_AG (UINT64CONST(1) << 2)
#define LF_CH_GMBH (UINT64CONST(1) << 3)
#define LF_FR (UINT64CONST(1) << 4)
#define LF_BE (UINT64CONST(1) << 5)
#define LF_BE_NV (UINT64CONST(1) << 6)
#define LF_LU (UINT64CONST(1) << 7)
#define LF_NL (UINT64CONST(1) << 8)
#define LF_IT (UINT64CONST(1) << 9)
#define LF_ES (UINT64CONST(1) << 10)
#define LF_PT (UINT64CONST(1) << 11)
#define LF_GB (UINT64CONST(1) << 12)
#define LF_IE (UINT64CONST(1) << 13)
#define LF_US (UINT64CONST(1) << 14)
#define LF_CA (UINT64CONST(1) << 15)
#define LF_AU (UINT64CONST(1) << 16)
#define LF_NZ (UINT64CONST(1) << 17)
#define LF_IN (UINT64CONST(1) << 18)
#define LF_SG (UINT64CONST(1) << 19)
#define LF_MY (UINT64CONST(1) << 20)
#define LF_HK (UINT64CONST(1) << 21)
#define LF_SE (UINT64CONST(1) << 22)
#define LF_NO (UINT64CONST(1) << 23)
#define LF_DK (UINT64CONST(1) << 24)
#define LF_FI (UINT64CONST(1) << 25)
#define LF_PL (UINT64CONST(1) << 26)
#define LF_CZ (UINT64CONST(1) << 27)
#define LF_SK (UINT64CONST(1) << 28)
#define LF_HU (UINT64CONST(1) << 29)
#define LF_ID (UINT64CONST(1) << 30)
#define LF_JP (UINT64CONST(1) << 31)
#define LF_ZA (UINT64CONST(1) << 32)

#define LF_COMMONWEALTH (LF_GB | LF_IE | LF_CA | LF_AU | LF_NZ | LF_IN | LF_SG | LF_MY | LF_HK | LF_ZA)

static const struct
{
	const char *form;
	uint64		countries;
}			legal_forms[] = {
	{"ab", LF_SE | LF_FI}, {"ag", LF_DE | LF_AT | LF_CH_AG}, {"as", LF_NO | LF_DK | LF_CZ | LF_SK},
	{"asa", LF_NO}, {"aps", LF_DK}, {"berhad", LF_MY}, {"bhd", LF_MY}, {"bv", LF_NL | LF_BE},
	{"bvba", LF_BE}, {"co", 0}, {"company", 0}, {"corp", LF_US | LF_CA}, {"corporation", LF_US | LF_CA},
	{"gmbh", LF_DE | LF_AT | LF_CH_GMBH}, {"inc", LF_US | LF_CA}, {"incorporated", LF_US | LF_CA},
	{"kft", LF_HU}, {"kg", LF_DE | LF_AT}, {"kk", LF_JP}, {"llc", LF_US}, {"llp", LF_GB | LF_US | LF_IN},
	{"lp", LF_US | LF_GB | LF_CA}, {"ltd", LF_COMMONWEALTH}, {"limited", LF_COMMONWEALTH},
	{"nv", LF_NL | LF_BE_NV}, {"oy", LF_FI}, {"oyj", LF_FI}, {"plc", LF_GB | LF_IE},
	{"pte", LF_SG}, {"pty", LF_AU | LF_ZA}, {"pvt", LF_IN},
	{"sa", LF_FR | LF_BE_NV | LF_LU | LF_CH_AG | LF_ES | LF_PT | LF_PL},
	{"sarl", LF_FR | LF_LU | LF_CH_GMBH}, {"sas", LF_FR}, {"sdn", LF_MY}, {"spa", LF_IT},
	{"sp", LF_PL}, {"srl", LF_IT | LF_BE}, {"sro", LF_CZ | LF_SK}, {"tbk", LF_ID}, {"the", 0},
	{"ug", LF_DE}, {"zoo", LF_PL}
};

/*
 * The countries of a name's forms are those all its forms share ("Pte Ltd"
 * is Singapore's, "Sdn Bhd" Malaysia's), or all of them when they share none.
 */
static void
add_form_countries(uint64 *acc, uint64 countries)
{
	if (countries == 0)
		return;
	if (*acc == 0 || (*acc & countries) == 0)
		*acc |= countries;
	else
		*acc &= countries;
}

/* Is w a legal form? Its countries go to *countries. */
static bool
is_legal_form(const char *w, int len, uint64 *countries)
{
	for (int i = 0; i < (int) lengthof(legal_forms); i++)
		if ((int) strlen(legal_forms[i].form) == len && memcmp(legal_forms[i].form, w, len) == 0)
		{
			add_form_countries(countries, legal_forms[i].countries);
			return true;
		}
	return false;
}

/* Is the next word after the spaces at p the word w? */
static bool
word_at(const char *p, const char *w)
{
	size_t		l = strlen(w);

	while (*p == ' ')
		p++;
	return strncmp(p, w, l) == 0 && (p[l] == ' ' || p[l] == '\0');
}

/*
 * Lower case, accents folded, punctuation dropped, legal forms removed as
 * whole words ("ACME GmbH." and "Acme" are "acme"; "A.C.M.E." is "acme"),
 * "private" too before "limited" or "ltd". The countries of the forms
 * removed go to *countries.
 */
static char *
normalize_customer_name(const char *s, uint64 *countries)
{
	int			len = strlen(s);
	char	   *tmp = palloc(len + 1);
	char	   *out = palloc(len + 2);
	int			n = 0,
				o = 0;

	for (int i = 0; i < len; i++)
	{
		unsigned char c = (unsigned char) s[i];

		if (c >= 'A' && c <= 'Z')
			tmp[n++] = (char) (c - 'A' + 'a');
		else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
			tmp[n++] = (char) c;
		else if (c == 0xC3 && i + 1 < len && fold_latin1((unsigned char) s[i + 1]) > 0)
		{
			char		f = fold_latin1((unsigned char) s[++i]);

			tmp[n++] = (f >= 'a' && f <= 'z') ? f : ' ';
		}
		else if (c == '.' || c == '\'')
			continue;			/* "A.C.M.E." and "O'Neil" close up */
		else if (c >= 0x80)
		{
			tmp[n++] = (char) c;	/* other letters kept as bytes */
		}
		else
			tmp[n++] = ' ';
	}
	tmp[n] = '\0';
	for (int i = 0; i < n;)
	{
		int			j;

		while (i < n && tmp[i] == ' ')
			i++;
		j = i;
		while (j < n && tmp[j] != ' ')
			j++;
		if (j - i == 7 && memcmp(tmp + i, "private", 7) == 0 &&
			(word_at(tmp + j, "limited") || word_at(tmp + j, "ltd")))
		{
			add_form_countries(countries, LF_IN);
			i = j;
			continue;
		}
		if (j > i && !is_legal_form(tmp + i, j - i, countries))
		{
			if (o > 0)
				out[o++] = ' ';
			memcpy(out + o, tmp + i, j - i);
			o += j - i;
		}
		i = j;
	}
	out[o] = '\0';
	pfree(tmp);
	return out;
}

static int
cstring_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *) a, *(char *const *) b);
}

/* The words of a name in alphabetical order: "b a c" is "a b c". */
static char *
sorted_words(const char *s)
{
	char	   *copy = pstrdup(s);
	char	   *out = palloc(strlen(s) + 1);
	char	  **words = palloc(sizeof(char *) * (strlen(s) / 2 + 2));
	int			n = 0,
				o = 0;
	char	   *save = NULL;

	for (char *w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save))
		words[n++] = w;
	qsort(words, n, sizeof(char *), cstring_cmp);
	for (int i = 0; i < n; i++)
	{
		int			l = strlen(words[i]);

		if (i > 0)
			out[o++] = ' ';
		memcpy(out + o, words[i], l);
		o += l;
	}
	out[o] = '\0';
	pfree(copy);
	pfree(words);
	return out;
}

static char *
reverse_string(const char *s)
{
	int			n = strlen(s);
	char	   *r = palloc(n + 1);

	for (int i = 0; i < n; i++)
		r[i] = s[n - 1 - i];
	r[n] = '\0';
	return r;
}

/*
 * Names of as many words whose differing words are each only a typo apart:
 * at most one edit per four letters (at least one). Long names that share
 * all words but one are otherwise similar overall ("wren timberworks aachen
 * bergen" and "raven timberworks aachen bergen" are 3 edits in 32) although
 * they name different firms. Names with different word counts (a space
 * typed as a letter) are judged by the whole-name similarity alone.
 */
#define DUP_MAX_WORDS 32

static int
split_words(const char *s, const char **w, int *wl)
{
	int			n = 0;

	while (*s)
	{
		const char *e = strchr(s, ' ');
		int			len = e ? (int) (e - s) : (int) strlen(s);

		if (n == DUP_MAX_WORDS)
			return -1;
		w[n] = s;
		wl[n++] = len;
		s += len;
		while (*s == ' ')
			s++;
	}
	return n;
}

static bool
differing_words_are_typos(const char *a, const char *b)
{
	const char *wa[DUP_MAX_WORDS],
			   *wb[DUP_MAX_WORDS];
	int			la[DUP_MAX_WORDS],
				lb[DUP_MAX_WORDS];
	int			na = split_words(a, wa, la),
				nb = split_words(b, wb, lb);

	if (na < 0 || nb < 0 || na != nb)
		return true;
	for (int i = 0; i < na; i++)
	{
		char		x[256],
					y[256];
		int			maxlen = Max(la[i], lb[i]);
		int			limit = Max(1, maxlen / 4);

		if (la[i] == lb[i] && memcmp(wa[i], wb[i], la[i]) == 0)
			continue;
		if (la[i] > 255 || lb[i] > 255)
			return false;
		memcpy(x, wa[i], la[i]);
		x[la[i]] = '\0';
		memcpy(y, wb[i], lb[i]);
		y[lb[i]] = '\0';
		if (o2c_bounded_levenshtein(x, y, limit) > limit)
			return false;
	}
	return true;
}

/*
 * Do two names hold the same numbers (words of digits only) in the same
 * order? "Store 12" and "Store 122", "Lumen Crest 122" and "Lumen Crest 22"
 * are different firms (branches, franchises, numbered companies) far more
 * often than typos. Digits inside a word ("c4ca42") are left to the edit
 * distance.
 */
static const char *
next_number(const char *s, int *len)
{
	while (*s)
	{
		const char *e = s;
		bool		digits = true;

		while (*e && *e != ' ')
		{
			if (*e < '0' || *e > '9')
				digits = false;
			e++;
		}
		if (digits && e > s)
		{
			*len = (int) (e - s);
			return s;
		}
		s = *e ? e + 1 : e;
	}
	*len = 0;
	return NULL;
}

static bool
same_numbers(const char *a, const char *b)
{
	for (;;)
	{
		int			la,
					lb;

		a = next_number(a, &la);
		b = next_number(b, &lb);
		if (a == NULL || b == NULL)
			return a == b;
		if (la != lb || memcmp(a, b, la) != 0)
			return false;
		a += la;
		b += lb;
	}
}

/* Sorted neighbourhood: compare each row with the next `window` by key. */
static void
pairs_similar_names(DupPairs *pairs, char **sortkey, char **names, int n,
					int window, double threshold, double weight)
{
	KeyRef	   *refs = palloc_extended(sizeof(KeyRef) * (n > 0 ? n : 1), MCXT_ALLOC_HUGE);
	int			m = 0;

	for (int i = 0; i < n; i++)
		if (names[i][0] != '\0')
		{
			refs[m].key = sortkey[i];
			refs[m].row = i;
			m++;
		}
	qsort(refs, m, sizeof(KeyRef), keyref_cmp);
	for (int x = 0; x < m; x++)
	{
		for (int y = x + 1; y < m && y <= x + window; y++)
		{
			const char *na = names[refs[x].row],
					   *nb = names[refs[y].row];

			if (strcmp(na, nb) == 0)
				continue;		/* the exact-name key reports these */
			{
				/*
				 * Similarity is 1 - edits / longer length: a typo in a long
				 * name scores high, names sharing only a prefix do not.
				 */
				int			maxlen = Max(strlen(na), strlen(nb));
				int			limit = (int) ((1.0 - threshold) * maxlen + 1e-9);
				int			d;
				double		sim;

				if (limit < 1 || !same_numbers(na, nb))
					continue;
				d = o2c_bounded_levenshtein(na, nb, limit);
				if (d > limit || !differing_words_are_typos(na, nb))
					continue;
				sim = 1.0 - (double) d / maxlen;
				pair_add(pairs, refs[x].row, refs[y].row, sim * weight,
						 psprintf("similar name (%d edit%s)", d, d == 1 ? "" : "s"));
			}
		}
		if ((x & 1023) == 0)
			CHECK_FOR_INTERRUPTS();
	}
	pfree(refs);
}

/*
 * Names one edit apart, however far apart they sort: two names at
 * Levenshtein distance 1 share a string made by deleting at most one byte
 * from each (the deletion neighbourhood of SymSpell). A typo in a word's first
 * letter, or a space typed as a letter, moves a name far from its original in
 * all three sort orders above; here it meets it. Each distinct name stands for
 * its rows. The strings are hashed, one key length at a time, so memory holds
 * only the keys of two name lengths; equal hashes are confirmed by the edit
 * distance itself.
 */
typedef struct DelKey
{
	uint64		hash;
	int			row;
} DelKey;

static int
delkey_cmp(const void *x, const void *y)
{
	const DelKey *p = x,
			   *q = y;

	if (p->hash != q->hash)
		return p->hash < q->hash ? -1 : 1;
	return p->row < q->row ? -1 : p->row > q->row ? 1 : 0;
}

static int
keyref_len_cmp(const void *x, const void *y)
{
	size_t		a = strlen(((const KeyRef *) x)->key),
				b = strlen(((const KeyRef *) y)->key);

	if (a != b)
		return a < b ? -1 : 1;
	return keyref_cmp(x, y);
}

/* Past this many rows with one key, each is compared with the next ones only. */
#define DUP_EDIT_RUN 64
#define DUP_EDIT_MAXLEN 255

static void
pairs_one_edit_names(DupPairs *pairs, char **names, int n, double threshold,
					 double weight)
{
	KeyRef	   *reps = palloc_extended(sizeof(KeyRef) * (n > 0 ? n : 1), MCXT_ALLOC_HUGE);
	int			m = 0,
				nrep = 0;
	char		buf[DUP_EDIT_MAXLEN + 1];

	for (int i = 0; i < n; i++)
		if (names[i][0] != '\0' && strlen(names[i]) <= DUP_EDIT_MAXLEN)
		{
			reps[m].key = names[i];
			reps[m].row = i;
			m++;
		}
	/* One row per distinct name (the exact-name key pairs the others). */
	qsort(reps, m, sizeof(KeyRef), keyref_cmp);
	for (int i = 0; i < m; i++)
		if (nrep == 0 || strcmp(reps[nrep - 1].key, reps[i].key) != 0)
			reps[nrep++] = reps[i];
	qsort(reps, nrep, sizeof(KeyRef), keyref_len_cmp);

	/*
	 * Keys of length len: the names of that length as they are, and the
	 * names one byte longer with each byte deleted in turn.
	 */
	for (int lo = 0; lo < nrep;)
	{
		int			len = strlen(reps[lo].key);
		int			mid = lo,
					hi;
		int64		nkeys = 0,
					cap;
		DelKey	   *keys;

		while (mid < nrep && (int) strlen(reps[mid].key) == len)
			mid++;
		hi = mid;
		while (hi < nrep && (int) strlen(reps[hi].key) == len + 1)
			hi++;
		/* Names this short cannot be one edit apart above the threshold. */
		if ((1.0 - threshold) * (len + 1) + 1e-9 < 1.0)
		{
			lo = mid;
			continue;
		}
		cap = (int64) (mid - lo) + (int64) (hi - mid) * (len + 1);
		keys = palloc_extended(sizeof(DelKey) * (cap > 0 ? cap : 1), MCXT_ALLOC_HUGE);
		for (int r = lo; r < mid; r++)
		{
			keys[nkeys].hash = hash_bytes_extended((const unsigned char *) reps[r].key, len, 0);
			keys[nkeys].row = reps[r].row;
			nkeys++;
		}
		for (int r = mid; r < hi; r++)
		{
			const char *name = reps[r].key;

			for (int del = 0; del <= len; del++)
			{
				/* Deleting either of two equal neighbours gives one string. */
				if (del > 0 && name[del] == name[del - 1])
					continue;
				memcpy(buf, name, del);
				memcpy(buf + del, name + del + 1, len - del);
				keys[nkeys].hash = hash_bytes_extended((const unsigned char *) buf, len, 0);
				keys[nkeys].row = reps[r].row;
				nkeys++;
			}
		}
		qsort(keys, nkeys, sizeof(DelKey), delkey_cmp);
		for (int64 s = 0; s < nkeys;)
		{
			int64		e = s + 1;

			while (e < nkeys && keys[e].hash == keys[s].hash)
				e++;
			for (int64 x = s; x < e; x++)
				for (int64 y = x + 1; y < e && y <= x + DUP_EDIT_RUN; y++)
				{
					const char *na = names[keys[x].row],
							   *nb = names[keys[y].row];
					int			maxlen = Max(strlen(na), strlen(nb));
					int			limit = (int) ((1.0 - threshold) * maxlen + 1e-9);
					int			d;

					if (keys[x].row == keys[y].row || limit < 1 || !same_numbers(na, nb))
						continue;
					d = o2c_bounded_levenshtein(na, nb, Min(limit, 1));
					if (d != 1)
						continue;	/* a hash collision */
					pair_add(pairs, keys[x].row, keys[y].row,
							 (1.0 - 1.0 / maxlen) * weight, "similar name (1 edit)");
				}
			s = e;
			CHECK_FOR_INTERRUPTS();
		}
		pfree(keys);
		lo = mid;
	}
	pfree(reps);
}

/* ------------------------------------------------------ duplicate_customers */

enum
{
	DC_ID, DC_NAME, DC_TAX, DC_IBAN, DC_EMAIL, DC_COUNTRY, DC_NCOLS
};

static const O2cColSpec customer_cols[DC_NCOLS] = {
	[DC_ID] = {"customer_id", O2C_COL_ID, true},
	[DC_NAME] = {"name", O2C_COL_TEXT, true},
	[DC_TAX] = {"tax_id", O2C_COL_TEXT, false},
	[DC_IBAN] = {"iban", O2C_COL_TEXT, false},
	[DC_EMAIL] = {"email", O2C_COL_TEXT, false},
	[DC_COUNTRY] = {"country", O2C_COL_TEXT, false},
};

static const char *const customer_options[] = {
	"min_score", "window", "name_threshold", NULL
};

/* Upper-case letters and digits only; NULL when shorter than minlen. */
static char *
compact_key(const char *s, int minlen, bool upper)
{
	char	   *out;
	int			n = 0;

	if (s == NULL)
		return NULL;
	out = palloc(strlen(s) + 1);
	for (; *s; s++)
	{
		char		c = *s;

		if (c >= 'a' && c <= 'z' && upper)
			c = (char) (c - 'a' + 'A');
		if (c >= 'A' && c <= 'Z' && !upper)
			c = (char) (c - 'A' + 'a');
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
			out[n++] = c;
	}
	out[n] = '\0';
	return n >= minlen ? out : NULL;
}

static char *
email_key(const char *s)
{
	char	   *out;
	int			n = 0;

	if (s == NULL)
		return NULL;
	out = palloc(strlen(s) + 1);
	for (; *s; s++)
	{
		char		c = *s;

		if (c == ' ' || c == '\t')
			continue;
		out[n++] = (c >= 'A' && c <= 'Z') ? (char) (c - 'A' + 'a') : c;
	}
	out[n] = '\0';
	return strchr(out, '@') != NULL ? out : NULL;
}

static void
emit_pairs(ReturnSetInfo *rsinfo, DupPairs *pairs, char **ids, double min_score)
{
	for (int64 i = 0; i < pairs->n; i++)
	{
		DupPair    *p = &pairs->items[i];
		Datum		values[4];
		bool		nulls[4] = {false, false, false, false};

		if (p->score < min_score)
			continue;
		values[0] = CStringGetTextDatum(ids[p->b]);
		values[1] = CStringGetTextDatum(ids[p->a]);
		values[2] = score_datum(p->score);
		values[3] = CStringGetTextDatum(p->reason);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
}

Datum
o2c_duplicate_customers(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	text	   *sql = PG_GETARG_TEXT_PP(0);
	Jsonb	   *options = PG_NARGS() > 1 ? PG_GETARG_JSONB_P(1) : NULL;
	double		min_score,
				threshold;
	int			window;
	SPITupleTable *tt;
	TupleDesc	td;
	O2cCol		cols[DC_NCOLS];
	int			n;
	char	  **ids,
			  **names,
			  **revnames,
			  **wordnames,
			  **tax,
			  **iban,
			  **email,
			  **country;
	uint64	   *forms;
	DupPairs	pairs = {0};

	if (options != NULL)
		o2c_options_check_keys(options, customer_options, "o2c.duplicate_customers");
	min_score = option_fraction(options, "min_score", 0.7);
	threshold = option_fraction(options, "name_threshold", 0.9);
	window = o2c_options_int(options, "window", 20, 1, 1000);

	InitMaterializedSRF(fcinfo, 0);
	SPI_connect();
	tt = o2c_innerq_exec(sql, "customers_sql");
	td = tt->tupdesc;
	o2c_innerq_bind(td, customer_cols, DC_NCOLS, cols, "customers_sql", InvalidOid);
	if (SPI_processed > PG_INT32_MAX / 2)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("too many customers for one call: %llu", (unsigned long long) SPI_processed)));
	n = (int) SPI_processed;
#define ROWS_ARRAY() ((char **) palloc_extended(sizeof(char *) * (n > 0 ? n : 1), MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO))
	ids = ROWS_ARRAY();
	names = ROWS_ARRAY();
	revnames = ROWS_ARRAY();
	wordnames = ROWS_ARRAY();
	tax = ROWS_ARRAY();
	iban = ROWS_ARRAY();
	email = ROWS_ARRAY();
	country = ROWS_ARRAY();
	forms = palloc_extended(sizeof(uint64) * (n > 0 ? n : 1), MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO);
	for (int i = 0; i < n; i++)
	{
		HeapTuple	tup = tt->vals[i];
		char	   *name = o2c_col_text(tup, td, &cols[DC_NAME]);
		char	   *c;

		ids[i] = o2c_col_text(tup, td, &cols[DC_ID]);
		if (ids[i] == NULL)
			ids[i] = "";
		names[i] = name ? normalize_customer_name(name, &forms[i]) : "";
		revnames[i] = reverse_string(names[i]);
		wordnames[i] = sorted_words(names[i]);
		tax[i] = compact_key(o2c_col_text(tup, td, &cols[DC_TAX]), 4, true);
		iban[i] = compact_key(o2c_col_text(tup, td, &cols[DC_IBAN]), 10, true);
		email[i] = email_key(o2c_col_text(tup, td, &cols[DC_EMAIL]));
		c = o2c_col_text(tup, td, &cols[DC_COUNTRY]);
		country[i] = c ? compact_key(c, 1, true) : NULL;
		if ((i & 1023) == 0)
			CHECK_FOR_INTERRUPTS();
	}

	pairs_from_key(&pairs, tax, n, 0.95, "same tax id");
	pairs_from_key(&pairs, iban, n, 0.90, "same IBAN");
	pairs_from_key(&pairs, email, n, 0.80, "same email");
	pairs_from_key(&pairs, names, n, 0.85, "same normalized name");
	pairs_similar_names(&pairs, names, names, n, window, threshold, 0.8);
	pairs_similar_names(&pairs, revnames, names, n, window, threshold, 0.8);
	pairs_similar_names(&pairs, wordnames, names, n, window, threshold, 0.8);
	pairs_one_edit_names(&pairs, names, n, threshold, 0.8);

	/*
	 * Different countries, or legal forms of different countries, make a
	 * name-only match much weaker.
	 */
	for (int64 i = 0; i < pairs.n; i++)
	{
		DupPair    *p = &pairs.items[i];

		if (strncmp(p->reason, "same normalized name", 20) != 0 &&
			strncmp(p->reason, "similar name", 12) != 0)
			continue;
		if (country[p->a] && country[p->b] && strcmp(country[p->a], country[p->b]) != 0)
			p->score *= 0.5;
		if (forms[p->a] && forms[p->b] && (forms[p->a] & forms[p->b]) == 0)
			p->score *= 0.5;
	}
	pairs_merge(&pairs);
	emit_pairs(rsinfo, &pairs, ids, min_score);
	SPI_finish();
	PG_RETURN_NULL();
}

/* ------------------------------------------------------- duplicate_invoices */

enum
{
	DI_ID, DI_CUSTOMER, DI_DATE, DI_AMOUNT, DI_REFERENCE, DI_CURRENCY, DI_NCOLS
};

static const O2cColSpec invoice_cols[DI_NCOLS] = {
	[DI_ID] = {"invoice_id", O2C_COL_ID, true},
	[DI_CUSTOMER] = {"customer_id", O2C_COL_ID, true},
	[DI_DATE] = {"invoice_date", O2C_COL_DATE, true},
	[DI_AMOUNT] = {"amount", O2C_COL_AMOUNT, true},
	[DI_REFERENCE] = {"reference", O2C_COL_TEXT, false},
	[DI_CURRENCY] = {"currency", O2C_COL_TEXT, false},
};

static const char *const invoice_options[] = {
	"min_score", "window_days", "max_reference_distance", NULL
};

typedef struct InvRow
{
	char	   *id;
	char	   *customer;
	char	   *amount;			/* numeric text, trailing zeros trimmed */
	char	   *currency;
	bool		has_date;
	DateADT		date;
	char	   *nref;
} InvRow;

static int
invrow_block_cmp(const void *x, const void *y, void *arg)
{
	InvRow	   *rows = arg;
	InvRow	   *p = &rows[*(const int *) x],
			   *q = &rows[*(const int *) y];
	int			c;

	if ((c = strcmp(p->customer, q->customer)) != 0)
		return c;
	if ((c = strcmp(p->amount, q->amount)) != 0)
		return c;
	if ((c = strcmp(p->currency, q->currency)) != 0)
		return c;
	return p->date < q->date ? -1 : p->date > q->date ? 1 : 0;
}

/* "100.50" and "100.5" and "100.500" are the same amount. */
static char *
amount_key(Numeric n)
{
	char	   *s = DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(n)));
	int			len = strlen(s);

	if (strchr(s, '.') != NULL)
	{
		while (len > 0 && s[len - 1] == '0')
			len--;
		if (len > 0 && s[len - 1] == '.')
			len--;
		s[len] = '\0';
	}
	return s;
}

Datum
o2c_duplicate_invoices(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	text	   *sql = PG_GETARG_TEXT_PP(0);
	Jsonb	   *options = PG_NARGS() > 1 ? PG_GETARG_JSONB_P(1) : NULL;
	double		min_score;
	int			window_days,
				maxdist;
	SPITupleTable *tt;
	TupleDesc	td;
	O2cCol		cols[DI_NCOLS];
	int			n,
				m = 0;
	InvRow	   *rows;
	int		   *idx;
	char	  **ids,
			  **refkeys,
			  **idkeys;
	DupPairs	pairs = {0};

	if (options != NULL)
		o2c_options_check_keys(options, invoice_options, "o2c.duplicate_invoices");
	min_score = option_fraction(options, "min_score", 0.5);
	window_days = o2c_options_int(options, "window_days", 7, 0, 3660);
	maxdist = o2c_options_int(options, "max_reference_distance", 1, 0, 64);

	InitMaterializedSRF(fcinfo, 0);
	SPI_connect();
	tt = o2c_innerq_exec(sql, "invoices_sql");
	td = tt->tupdesc;
	o2c_innerq_bind(td, invoice_cols, DI_NCOLS, cols, "invoices_sql", InvalidOid);
	if (SPI_processed > PG_INT32_MAX / 2)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("too many invoices for one call: %llu", (unsigned long long) SPI_processed)));
	n = (int) SPI_processed;
	rows = palloc_extended(sizeof(InvRow) * (n > 0 ? n : 1), MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO);
	idx = palloc_extended(sizeof(int) * (n > 0 ? n : 1), MCXT_ALLOC_HUGE);
	ids = ROWS_ARRAY();
	refkeys = ROWS_ARRAY();
	idkeys = ROWS_ARRAY();
	for (int i = 0; i < n; i++)
	{
		HeapTuple	tup = tt->vals[i];
		Numeric		amt = o2c_col_amount(tup, td, &cols[DI_AMOUNT]);
		char	   *ref = o2c_col_text(tup, td, &cols[DI_REFERENCE]);
		char	   *cur = o2c_col_text(tup, td, &cols[DI_CURRENCY]);

		rows[i].id = o2c_col_text(tup, td, &cols[DI_ID]);
		if (rows[i].id == NULL)
			rows[i].id = "";
		ids[i] = idkeys[i] = rows[i].id;
		rows[i].customer = o2c_col_text(tup, td, &cols[DI_CUSTOMER]);
		rows[i].amount = (amt && !numeric_is_nan(amt)) ? amount_key(amt) : NULL;
		rows[i].currency = cur ? compact_key(cur, 0, true) : "";
		rows[i].has_date = o2c_col_date(tup, td, &cols[DI_DATE], &rows[i].date);
		rows[i].nref = ref ? o2c_normalize_reference(ref) : "";
		if (rows[i].nref[0] != '\0' && rows[i].amount != NULL)
			refkeys[i] = psprintf("%s|%s|%s", rows[i].nref, rows[i].amount, rows[i].currency);
		if (rows[i].customer != NULL && rows[i].amount != NULL && rows[i].has_date)
			idx[m++] = i;
		if ((i & 1023) == 0)
			CHECK_FOR_INTERRUPTS();
	}

	/* Same customer, amount and currency, dated within the window. */
	qsort_arg(idx, m, sizeof(int), invrow_block_cmp, rows);
	for (int x = 0; x < m; x++)
	{
		InvRow	   *a = &rows[idx[x]];

		for (int y = x + 1; y < m; y++)
		{
			InvRow	   *b = &rows[idx[y]];
			int			days = b->date - a->date;
			double		score;
			const char *refpart;

			if (strcmp(a->customer, b->customer) != 0 || strcmp(a->amount, b->amount) != 0 ||
				strcmp(a->currency, b->currency) != 0 || days > window_days)
				break;
			if (a->nref[0] == '\0' || b->nref[0] == '\0')
			{
				score = 0.6;
				refpart = "";
			}
			else if (strcmp(a->nref, b->nref) == 0)
			{
				score = 0.9;
				refpart = ", same reference";
			}
			else if (o2c_bounded_levenshtein(a->nref, b->nref, maxdist) <= maxdist)
			{
				score = 0.8;
				refpart = ", similar reference";
			}
			else
			{
				score = 0.3;
				refpart = ", different reference";
			}
			if (days == 0)
				score += 0.05;
			pair_add(&pairs, idx[x], idx[y], score,
					 psprintf("same customer and amount, %d day%s apart%s", days,
							  days == 1 ? "" : "s", refpart));
		}
		if ((x & 1023) == 0)
			CHECK_FOR_INTERRUPTS();
	}
	/* Same reference and amount under different customers (or the same). */
	pairs_from_key(&pairs, refkeys, n, 0.7, "same reference and amount");
	pairs_from_key(&pairs, idkeys, n, 0.99, "same invoice id");
	pairs_merge(&pairs);
	emit_pairs(rsinfo, &pairs, ids, min_score);
	SPI_finish();
	PG_RETURN_NULL();
}
