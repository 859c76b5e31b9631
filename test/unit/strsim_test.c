/*
 * strsim_test.c — standalone checks of the string cores (strsim*.c):
 * reference pairs, the byte fast paths against the code-point paths, and
 * the unrestricted Damerau-Levenshtein distance against a brute-force
 * definition on short random strings and against the plain textbook
 * recurrence (strsim_reference.h) on longer ones, ASCII and not.
 *
 *   cc -O2 -I src -o /tmp/strsim_test test/unit/strsim_test.c src/matching/strsim.c src/matching/strsim_dl.c \
 *      src/core/core_messages.c test/unit/core_standalone.c -lm && /tmp/strsim_test
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "matching/strsim.h"
#include "strsim_reference.h"

static int	failures = 0;

#define CHECK(cond, ...) \
	do { if (!(cond)) { failures++; printf("FAIL: " __VA_ARGS__); printf("\n"); } } while (0)

/* Plain Levenshtein: an upper bound of the Damerau-Levenshtein distance. */
static int
lev(const char *a, const char *b)
{
	int			la = strlen(a),
				lb = strlen(b);
	int			d[32][32];

	for (int i = 0; i <= la; i++)
		d[i][0] = i;
	for (int j = 0; j <= lb; j++)
		d[0][j] = j;
	for (int i = 1; i <= la; i++)
		for (int j = 1; j <= lb; j++)
		{
			int			v = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);

			if (d[i - 1][j] + 1 < v)
				v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			d[i][j] = v;
		}
	return d[la][lb];
}


/* Can a become b in at most d single edits (insert, delete, substitute, swap adjacent)? */
static int
reach(const char *a, const char *b, int d)
{
	int			la = strlen(a);
	char		t[16];

	if (strcmp(a, b) == 0)
		return 1;
	if (d == 0 || la > 10 || abs(la - (int) strlen(b)) > d)
		return 0;
	for (int i = 0; i <= la; i++)
		for (const char *c = "abc"; *c; c++)
		{
			memcpy(t, a, i);
			t[i] = *c;
			strcpy(t + i + 1, a + i);
			if (reach(t, b, d - 1))
				return 1;
		}
	for (int i = 0; i < la; i++)
	{
		memcpy(t, a, i);
		strcpy(t + i, a + i + 1);
		if (reach(t, b, d - 1))
			return 1;
		strcpy(t, a);
		for (const char *c = "abc"; *c; c++)
			if (*c != a[i])
			{
				t[i] = *c;
				if (reach(t, b, d - 1))
					return 1;
			}
		if (i + 1 < la && a[i] != a[i + 1])
		{
			strcpy(t, a);
			t[i] = a[i + 1];
			t[i + 1] = a[i];
			if (reach(t, b, d - 1))
				return 1;
		}
	}
	return 0;
}

static int
encode(const uint32_t *cp, int n, char *out)
{
	int			len = 0;

	for (int i = 0; i < n; i++)
	{
		uint32_t	c = cp[i];

		if (c < 0x80)
			out[len++] = (char) c;
		else if (c < 0x800)
		{
			out[len++] = (char) (0xC0 | (c >> 6));
			out[len++] = (char) (0x80 | (c & 0x3F));
		}
		else if (c < 0x10000)
		{
			out[len++] = (char) (0xE0 | (c >> 12));
			out[len++] = (char) (0x80 | ((c >> 6) & 0x3F));
			out[len++] = (char) (0x80 | (c & 0x3F));
		}
		else
		{
			out[len++] = (char) (0xF0 | (c >> 18));
			out[len++] = (char) (0x80 | ((c >> 12) & 0x3F));
			out[len++] = (char) (0x80 | ((c >> 6) & 0x3F));
			out[len++] = (char) (0x80 | (c & 0x3F));
		}
	}
	return len;
}

static int
dl_cp(const char *a, const char *b)
{
	uint32_t	ac[64],
				bc[64];
	int			la = o2c_utf8_decode(a, strlen(a), ac);
	int			lb = o2c_utf8_decode(b, strlen(b), bc);

	return o2c_damerau_levenshtein_cp(ac, la, bc, lb);
}

/* extract_refs(text) joined with commas, compared with want. */
static void
check_refs(const char *text, const char *want)
{
	char	  **refs;
	int			n = o2c_extract_refs(text, strlen(text), &refs);
	char		got[256] = "";

	for (int i = 0; i < n; i++)
	{
		if (i > 0)
			strcat(got, ",");
		strncat(got, refs[i], sizeof(got) - strlen(got) - 2);
		o2c_core_free(refs[i]);
	}
	o2c_core_free(refs);
	CHECK(strcmp(got, want) == 0, "extract_refs(%s) is {%s}, want {%s}", text, got, want);
}

static void
check_name(const char *name, const char *want)
{
	size_t		len;
	char	   *got = o2c_normalize_name(name, strlen(name), &len);

	CHECK(strcmp(got, want) == 0, "normalize_name(%s) is '%s', want '%s'", name, got, want);
	o2c_core_free(got);
}

int
main(void)
{
	O2cError	err;
	char		a[32],
				b[32];

	memset(&err, 0, sizeof(err));
	CHECK(o2c_damerau_levenshtein("CA", 2, "ABC", 3, &err) == 2, "CA/ABC");
	CHECK(fabs(o2c_jaro_winkler("MARTHA", 6, "MARHTA", 6) - 0.9611) < 0.0001, "MARTHA");
	CHECK(fabs(o2c_jaro_winkler("DIXON", 5, "DICKSONX", 8) - 0.8133) < 0.0001, "DIXON");

	/* a letter prefix written apart from its digits */
	check_refs("payment inv 000123 thanks", "inv123,123");
	check_refs("INV-000123", "inv123");
	check_refs("inv\t 123", "inv123,123");
	check_refs("RE 2024/0815", "re2024815,2024815");
	check_refs("Rechnung 2024/0815", "2024815");
	check_refs("invoice no. 123", "123");
	check_refs("invoice no 123", "123");
	check_refs("order 55 and inv 123", "55,inv123,123");
	check_refs("inv, 123", "123");
	check_refs("inv-x 123", "123");
	check_refs("inv 123 456", "inv123,123,456");
	check_refs("inv abc123", "abc123");
	check_refs("inv", "");

	/* legal forms, single and multi-word */
	check_name("Tata Consultancy Services Private Limited", "tata consultancy services");
	check_name("Infosys Pvt. Ltd.", "infosys");
	check_name("Petronas Dagangan Sdn. Bhd.", "petronas dagangan");
	check_name("Maybank Berhad", "maybank");
	check_name("Wilmar Trading Pte Ltd", "wilmar trading");
	check_name("PT Bank Mandiri Tbk", "pt bank mandiri");
	check_name("Private Label Foods", "private label foods");
	check_name("Sdn Logistics", "sdn logistics");
	check_name("Private Limited", "private limited");

	srand(42);
	for (int n = 0; n < 200000; n++)
	{
		int			la = rand() % 9,
					lb = rand() % 9;
		int			d,
					d2;
		double		j1,
					j2;
		uint32_t	ac[32],
					bc[32];

		for (int i = 0; i < la; i++)
			a[i] = "abcd"[rand() % 4];
		for (int i = 0; i < lb; i++)
			b[i] = "abcd"[rand() % 4];
		a[la] = b[lb] = '\0';
		d = o2c_damerau_levenshtein(a, la, b, lb, &err);
		d2 = dl_cp(a, b);
		CHECK(d == d2, "byte and code-point paths differ on %s/%s: %d %d", a, b, d, d2);
		CHECK(d <= lev(a, b), "above Levenshtein on %s/%s", a, b);
		CHECK(d >= abs(la - lb), "below length difference on %s/%s", a, b);
		CHECK(d == o2c_damerau_levenshtein(b, lb, a, la, &err), "not symmetric on %s/%s", a, b);
		for (int i = 0; i < la; i++)
			ac[i] = (unsigned char) a[i];
		for (int i = 0; i < lb; i++)
			bc[i] = (unsigned char) b[i];
		j1 = o2c_jaro_winkler(a, la, b, lb);
		j2 = o2c_jaro_winkler_cp(ac, la, bc, lb);
		CHECK(j1 == j2, "JW paths differ on %s/%s", a, b);
		CHECK(j1 >= 0 && j1 <= 1, "JW out of range on %s/%s", a, b);
		/* a transposition of adjacent characters costs at most 1 */
		if (la >= 2)
		{
			char		t[32];
			int			k = rand() % (la - 1);

			strcpy(t, a);
			t[k] = a[k + 1];
			t[k + 1] = a[k];
			CHECK(o2c_damerau_levenshtein(a, la, t, la, &err) <= 1, "transposition %s/%s", a, t);
		}
		if (failures > 20)
			break;
	}
	/* triangle inequality holds for the unrestricted distance (not for OSA) */
	for (int n = 0; n < 50000 && failures <= 20; n++)
	{
		char		c[32];
		int			la = rand() % 7,
					lb = rand() % 7,
					lc = rand() % 7;

		for (int i = 0; i < la; i++)
			a[i] = "abc"[rand() % 3];
		for (int i = 0; i < lb; i++)
			b[i] = "abc"[rand() % 3];
		for (int i = 0; i < lc; i++)
			c[i] = "abc"[rand() % 3];
		a[la] = b[lb] = c[lc] = '\0';
		CHECK(o2c_damerau_levenshtein(a, la, c, lc, &err) <=
			  o2c_damerau_levenshtein(a, la, b, lb, &err) + o2c_damerau_levenshtein(b, lb, c, lc, &err),
			  "triangle inequality fails on %s %s %s", a, b, c);
	}
	/* against the definition: the fewest edits, found by search */
	for (int n = 0; n < 3000 && failures <= 20; n++)
	{
		int			la = rand() % (n < 2800 ? 5 : 7),
					lb = rand() % (n < 2800 ? 5 : 7),
					d,
					want = 0;

		for (int i = 0; i < la; i++)
			a[i] = "abc"[rand() % 3];
		for (int i = 0; i < lb; i++)
			b[i] = "abc"[rand() % 3];
		a[la] = b[lb] = '\0';
		d = o2c_damerau_levenshtein(a, la, b, lb, &err);
		while (!reach(a, b, want))
			want++;
		CHECK(d == want, "distance %s/%s is %d, search says %d", a, b, d, want);
	}
	/*
	 * Against the textbook recurrence, on strings up to 60 characters over
	 * small and large alphabets, ASCII only or with multibyte characters,
	 * and now and then up to 300 (past the 64 of the bit-mask code, and
	 * one string past it with the other within).
	 */
	for (int n = 0; n < 60000 && failures <= 20; n++)
	{
		static const uint32_t alpha[] = {'a', 'b', 'c', 'd', 'e', ' ', 'A', 'x', 'y', 'z',
			0xE4, 0xF6, 0x416, 0x20AC, 0x1F600, 0xC3};
		int			kind = n % 5,
					size = kind == 0 ? 2 : kind == 1 ? 3 : kind == 2 ? 6 : kind == 3 ? 10 : 16,
					maxlen = n % 7 == 0 ? 61 : 13,
					la = rand() % (n % 50 == 1 ? 300 : maxlen),
					lb = rand() % (n % 50 == 1 || n % 50 == 2 ? 300 : maxlen),
					d,
					want,
					alen,
					blen;
		uint32_t	ac[300],
					bc[300];
		char		as[1200],
					bs[1200];

		for (int i = 0; i < la; i++)
			ac[i] = alpha[rand() % size];
		for (int j = 0; j < lb; j++)
			bc[j] = alpha[rand() % size];
		/* often one a variant of the other, as in real comparisons */
		if (n % 3 == 0)
		{
			lb = la;
			memcpy(bc, ac, la * sizeof(uint32_t));
			for (int e = rand() % 4; e > 0 && lb > 1; e--)
			{
				int			k = rand() % (lb - 1);
				uint32_t	t = bc[k];

				if (e % 2)
					bc[k] = alpha[rand() % size];
				else
				{
					bc[k] = bc[k + 1];
					bc[k + 1] = t;
				}
			}
		}
		alen = encode(ac, la, as);
		blen = encode(bc, lb, bs);
		want = dl_reference(ac, la, bc, lb);
		d = o2c_damerau_levenshtein(as, alen, bs, blen, &err);
		CHECK(d == want, "distance of %d and %d characters (alphabet %d) is %d, reference says %d",
			  la, lb, size, d, want);
		d = o2c_damerau_levenshtein_cp(ac, la, bc, lb);
		CHECK(d == want, "code-point distance is %d, reference says %d", d, want);
	}
	printf("%s (%d failures)\n", failures ? "FAILED" : "ok", failures);
	return failures ? 1 : 0;
}
