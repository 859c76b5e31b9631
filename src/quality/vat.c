/*
 * vat.c — VAT numbers of the 27 EU member states (Greece as EL), GB (and XI
 * for Northern Ireland), CH and NO: the country prefix, each country's
 * format, and its check-digit algorithm where it has one.
 *
 * Plain C over buffers (core.h), like validate.c: never allocates, never
 * fails, bounded by a small fixed buffer.
 */
#include <string.h>

#include "validate_util.h"

/* ---------------------------------------------------------------------- VAT */

static bool
vat_at(const char *n, size_t len)
{
	int			sum = 0;

	if (len != 9 || n[0] != 'U' || !all_digits(n + 1, 8))
		return false;
	for (int i = 0; i < 7; i++)
	{
		int			d = dig(n[1 + i]) * (i % 2 ? 2 : 1);

		sum += d / 10 + d % 10;
	}
	return (10 - (sum + 4) % 10) % 10 == dig(n[8]);
}

static bool
vat_be(const char *n, size_t len)
{
	char		b[10];
	long long	v = 0;

	if (len == 9 && all_digits(n, 9))
	{
		b[0] = '0';
		memcpy(b + 1, n, 9);
	}
	else if (len == 10 && all_digits(n, 10))
		memcpy(b, n, 10);
	else
		return false;
	if (b[0] != '0' && b[0] != '1')
		return false;
	for (int i = 0; i < 8; i++)
		v = v * 10 + dig(b[i]);
	return 97 - v % 97 == dig(b[8]) * 10 + dig(b[9]);
}

static bool
vat_bg(const char *n, size_t len)
{
	if (!all_digits(n, len))
		return false;
	if (len == 9)
	{
		static const int w1[8] = {1, 2, 3, 4, 5, 6, 7, 8};
		static const int w2[8] = {3, 4, 5, 6, 7, 8, 9, 10};
		int			r = weighted(n, w1, 8) % 11;

		if (r == 10)
			r = weighted(n, w2, 8) % 11 % 10;
		return r == dig(n[8]);
	}
	if (len == 10)
	{
		/* A personal number (EGN), a foreigner's number, or another entity. */
		static const int wp[9] = {2, 4, 8, 5, 10, 9, 7, 3, 6};
		static const int wf[9] = {21, 19, 17, 13, 11, 9, 7, 3, 1};
		static const int wo[9] = {4, 3, 2, 7, 6, 5, 4, 3, 2};
		int			c;
		int			month = dig(n[2]) * 10 + dig(n[3]);
		int			day = dig(n[4]) * 10 + dig(n[5]);

		if (((month >= 1 && month <= 12) || (month >= 21 && month <= 32) ||
			 (month >= 41 && month <= 52)) && day >= 1 && day <= 31 &&
			weighted(n, wp, 9) % 11 % 10 == dig(n[9]))
			return true;
		if (weighted(n, wf, 9) % 10 == dig(n[9]))
			return true;
		c = 11 - weighted(n, wo, 9) % 11;
		if (c == 11)
			c = 0;
		return c != 10 && c == dig(n[9]);
	}
	return false;
}

static bool
vat_cy(const char *n, size_t len)
{
	static const int tr[10] = {1, 0, 5, 7, 9, 13, 15, 17, 19, 21};
	int			sum = 0;

	if (len != 9 || !all_digits(n, 8) || !IS_UPPER(n[8]))
		return false;
	if (n[0] == '1' && n[1] == '2')
		return false;
	for (int i = 0; i < 8; i++)
		sum += (i % 2 == 0) ? tr[dig(n[i])] : dig(n[i]);
	return n[8] == 'A' + sum % 26;
}

static bool
cz_birth_date(const char *n)
{
	int			month = dig(n[2]) * 10 + dig(n[3]);
	int			day = dig(n[4]) * 10 + dig(n[5]);

	if (month > 70)
		month -= 70;
	else if (month > 50)
		month -= 50;
	else if (month > 20)
		month -= 20;
	return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

static bool
vat_cz(const char *n, size_t len)
{
	if (!all_digits(n, len))
		return false;
	if (len == 8)
	{
		static const int w[7] = {8, 7, 6, 5, 4, 3, 2};
		int			c;

		if (n[0] == '9')
			return false;
		c = (11 - weighted(n, w, 7) % 11) % 11;
		if (c == 0)
			c = 1;
		return c % 10 == dig(n[7]);
	}
	if (len == 9 && n[0] == '6')
	{
		/* Individuals without a birth number: check over digits 2-8. */
		static const int w[7] = {8, 7, 6, 5, 4, 3, 2};
		int			c = weighted(n + 1, w, 7) % 11;

		return 9 - (11 - c) % 10 == dig(n[8]);
	}
	if (len == 9)
		return cz_birth_date(n);	/* born before 1954: no check digit */
	if (len == 10)
	{
		long long	v = 0;

		if (!cz_birth_date(n))
			return false;
		for (int i = 0; i < 9; i++)
			v = v * 10 + dig(n[i]);
		if (v % 11 == 10)
			return n[9] == '0';
		return v % 11 == dig(n[9]);
	}
	return false;
}

static bool
vat_de(const char *n, size_t len)
{
	return len == 9 && all_digits(n, 9) && n[0] != '0' && mod11_10(n, 9);
}

static bool
vat_dk(const char *n, size_t len)
{
	static const int w[8] = {2, 7, 6, 5, 4, 3, 2, 1};

	return len == 8 && all_digits(n, 8) && n[0] != '0' &&
		weighted(n, w, 8) % 11 == 0;
}

static bool
vat_ee(const char *n, size_t len)
{
	static const int w[9] = {3, 7, 1, 3, 7, 1, 3, 7, 1};

	return len == 9 && all_digits(n, 9) && n[0] == '1' && n[1] == '0' &&
		weighted(n, w, 9) % 10 == 0;
}

static bool
vat_el(const char *n, size_t len)
{
	static const int w[8] = {256, 128, 64, 32, 16, 8, 4, 2};
	char		b[9];

	if (len == 8 && all_digits(n, 8))
	{
		b[0] = '0';
		memcpy(b + 1, n, 8);
	}
	else if (len == 9 && all_digits(n, 9))
		memcpy(b, n, 9);
	else
		return false;
	return weighted(b, w, 8) % 11 % 10 == dig(b[8]);
}

static int
es_dni_letter(long v)
{
	return "TRWAGMYFPDXBNJZSQVHLCKE"[v % 23];
}

static bool
vat_es(const char *n, size_t len)
{
	long		v = 0;

	if (len != 9 || !all_digits(n + 1, 7))
		return false;
	if (IS_DIGIT(n[0]) || n[0] == 'X' || n[0] == 'Y' || n[0] == 'Z')
	{
		/* DNI (8 digits) or NIE (X/Y/Z for 0/1/2): a letter mod 23. */
		v = IS_DIGIT(n[0]) ? dig(n[0]) : n[0] - 'X';
		for (int i = 1; i < 8; i++)
			v = v * 10 + dig(n[i]);
		return n[8] == es_dni_letter(v);
	}
	if (n[0] == 'K' || n[0] == 'L' || n[0] == 'M')
	{
		for (int i = 1; i < 8; i++)
			v = v * 10 + dig(n[i]);
		return n[8] == es_dni_letter(v);
	}
	if (strchr("ABCDEFGHJNPQRSUVW", n[0]) != NULL)
	{
		/* CIF: Luhn-like sum; the check is a digit or a letter J, A-I. */
		int			sum = 0,
					c;

		for (int i = 1; i < 8; i++)
		{
			int			d = dig(n[i]);

			if (i % 2 == 1)
			{
				d *= 2;
				d = d / 10 + d % 10;
			}
			sum += d;
		}
		c = (10 - sum % 10) % 10;
		return n[8] == '0' + c || n[8] == "JABCDEFGHI"[c];
	}
	return false;
}

static bool
vat_fi(const char *n, size_t len)
{
	static const int w[7] = {7, 9, 10, 5, 8, 4, 2};
	int			c;

	if (len != 8 || !all_digits(n, 8))
		return false;
	c = 11 - weighted(n, w, 7) % 11;
	if (c == 11)
		c = 0;
	return c != 10 && c == dig(n[7]);
}

static bool
vat_fr(const char *n, size_t len)
{
	static const char alphabet[] = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ";
	long long	siren = 0;

	if (len != 11 || !all_digits(n + 2, 9))
		return false;
	for (int i = 2; i < 11; i++)
		siren = siren * 10 + dig(n[i]);
	/* Monaco's numbers start 000 and are not Luhn-checked SIRENs. */
	if (!(n[2] == '0' && n[3] == '0' && n[4] == '0') && !luhn(n + 2, 9))
		return false;
	if (IS_DIGIT(n[0]) && IS_DIGIT(n[1]))
		return (dig(n[0]) * 10 + dig(n[1])) == (12 + 3 * (siren % 97)) % 97;
	{
		/* New-style keys of letters and digits. */
		const char *p0 = strchr(alphabet, n[0]);
		const char *p1 = strchr(alphabet, n[1]);
		long long	check;

		if (p0 == NULL || p1 == NULL)
			return false;
		if (IS_DIGIT(n[0]))
			check = (p0 - alphabet) * 24 + (p1 - alphabet) - 10;
		else
			check = (p0 - alphabet) * 34 + (p1 - alphabet) - 100;
		return (siren + 1 + check / 11) % 11 == check % 11;
	}
}

static bool
gb_standard(const char *n)
{
	static const int w[7] = {8, 7, 6, 5, 4, 3, 2};
	int			sum = weighted(n, w, 7) + dig(n[7]) * 10 + dig(n[8]);

	/* Old numbers: total mod 97 is 0; since 2010 also 42 (the "9755" rule). */
	return sum % 97 == 0 || sum % 97 == 42;
}

static bool
vat_gb(const char *n, size_t len)
{
	if (len == 5 && n[0] == 'G' && n[1] == 'D' && all_digits(n + 2, 3))
		return (dig(n[2]) * 100 + dig(n[3]) * 10 + dig(n[4])) < 500;
	if (len == 5 && n[0] == 'H' && n[1] == 'A' && all_digits(n + 2, 3))
		return (dig(n[2]) * 100 + dig(n[3]) * 10 + dig(n[4])) >= 500;
	if ((len == 9 || len == 12) && all_digits(n, len))
		return gb_standard(n);	/* 12 digits: a branch suffix */
	return false;
}

static bool
vat_hr(const char *n, size_t len)
{
	return len == 11 && all_digits(n, 11) && mod11_10(n, 11);
}

static bool
vat_hu(const char *n, size_t len)
{
	static const int w[8] = {9, 7, 3, 1, 9, 7, 3, 1};

	return len == 8 && all_digits(n, 8) && weighted(n, w, 8) % 10 == 0;
}

static bool
vat_ie(const char *n, size_t len)
{
	static const int w[7] = {8, 7, 6, 5, 4, 3, 2};
	char		b[9];
	int			sum;

	if (len != 8 && len != 9)
		return false;
	memcpy(b, n, len);
	/* Old style: digit, letter or + or *, five digits, check letter. */
	if (len == 8 && IS_DIGIT(n[0]) && (IS_UPPER(n[1]) || n[1] == '+' || n[1] == '*'))
	{
		b[0] = '0';
		memcpy(b + 1, n + 2, 5);
		b[6] = n[0];
		b[7] = n[7];
	}
	if (!all_digits(b, 7) || !IS_UPPER(b[7]))
		return false;
	sum = weighted(b, w, 7);
	if (len == 9)
	{
		if (b[8] == 'W')
			;
		else if (b[8] >= 'A' && b[8] <= 'I')
			sum += 9 * (b[8] - 'A' + 1);
		else
			return false;
	}
	return b[7] == "WABCDEFGHIJKLMNOPQRSTUV"[sum % 23];
}

static bool
vat_it(const char *n, size_t len)
{
	int			office;

	if (len != 11 || !all_digits(n, 11) || memcmp(n, "0000000", 7) == 0)
		return false;
	office = dig(n[7]) * 100 + dig(n[8]) * 10 + dig(n[9]);
	if (!((office >= 1 && office <= 100) || office == 120 || office == 121 ||
		  office == 888 || office == 999))
		return false;
	return luhn(n, 11);
}

static bool
vat_lt(const char *n, size_t len)
{
	int			sum = 0,
				c;

	if ((len != 9 && len != 12) || !all_digits(n, len) || n[len - 2] != '1')
		return false;
	for (size_t i = 0; i < len - 1; i++)
		sum += (int) (i % 9 + 1) * dig(n[i]);
	c = sum % 11;
	if (c == 10)
	{
		sum = 0;
		for (size_t i = 0; i < len - 1; i++)
			sum += (int) ((i + 2) % 9 + 1) * dig(n[i]);
		c = sum % 11 % 10;
	}
	return c == dig(n[len - 1]);
}

static bool
vat_lu(const char *n, size_t len)
{
	long		v = 0;

	if (len != 8 || !all_digits(n, 8))
		return false;
	for (int i = 0; i < 6; i++)
		v = v * 10 + dig(n[i]);
	return v % 89 == dig(n[6]) * 10 + dig(n[7]);
}

static bool
vat_lv(const char *n, size_t len)
{
	if (len != 11 || !all_digits(n, 11))
		return false;
	if (n[0] > '3')
	{
		static const int w[11] = {9, 1, 4, 8, 3, 10, 2, 5, 7, 6, 1};

		return weighted(n, w, 11) % 11 == 3;
	}
	{
		/* Personal codes; those issued since 2017 start 32 and hold no date. */
		static const int w[10] = {1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
		int			day = dig(n[0]) * 10 + dig(n[1]);
		int			month = dig(n[2]) * 10 + dig(n[3]);
		int			c = (1101 - weighted(n, w, 10)) % 11;

		if (!(n[0] == '3' && n[1] == '2') &&
			(day < 1 || day > 31 || month < 1 || month > 12))
			return false;
		return c != 10 && c == dig(n[10]);
	}
}

static bool
vat_mt(const char *n, size_t len)
{
	static const int w[8] = {3, 4, 6, 7, 8, 9, 10, 1};

	return len == 8 && all_digits(n, 8) && n[0] != '0' &&
		weighted(n, w, 8) % 37 == 0;
}

static bool
vat_nl(const char *n0, size_t len)
{
	static const int w[8] = {9, 8, 7, 6, 5, 4, 3, 2};
	char		n[12];
	int			r;

	/* Numbers written without leading zeros: pad the nine digits. */
	if (len < 12 && len >= 4)
	{
		memset(n, '0', 12 - len);
		memcpy(n + 12 - len, n0, len);
		len = 12;
	}
	else if (len == 12)
		memcpy(n, n0, 12);
	else
		return false;
	if (n[10] == '0' && n[11] == '0')
		return false;
	if (len != 12 || !all_digits(n, 9) || n[9] != 'B' || !all_digits(n + 10, 2))
		return false;
	if ((weighted(n, w, 8) - dig(n[8])) % 11 == 0)
		return true;
	/* Sole traders since 2020: ISO 7064 mod 97 over "NL" and the number. */
	r = mod97("NL", 2);
	for (int i = 0; i < 12; i++)
		r = IS_DIGIT(n[i]) ? (r * 10 + dig(n[i])) % 97
			: (r * 100 + (n[i] - 'A' + 10)) % 97;
	return r == 1;
}

static bool
vat_pl(const char *n, size_t len)
{
	static const int w[9] = {6, 5, 7, 2, 3, 4, 5, 6, 7};
	int			c;

	if (len != 10 || !all_digits(n, 10))
		return false;
	c = weighted(n, w, 9) % 11;
	return c != 10 && c == dig(n[9]);
}

static bool
vat_pt(const char *n, size_t len)
{
	static const int w[8] = {9, 8, 7, 6, 5, 4, 3, 2};
	int			c;

	if (len != 9 || !all_digits(n, 9) || n[0] == '0')
		return false;
	c = 11 - weighted(n, w, 8) % 11;
	if (c >= 10)
		c = 0;
	return c == dig(n[8]);
}

static bool
vat_ro(const char *n, size_t len)
{
	if (!all_digits(n, len))
		return false;
	if (len >= 2 && len <= 10)
	{
		static const int w[9] = {7, 5, 3, 2, 1, 7, 5, 3, 2};
		char		b[10];

		memset(b, '0', 10);
		memcpy(b + 10 - len, n, len);
		return weighted(b, w, 9) * 10 % 11 % 10 == dig(b[9]);
	}
	if (len == 13)
	{
		/* A personal number (CNP). */
		static const int w[12] = {2, 7, 9, 1, 4, 6, 3, 5, 8, 2, 7, 9};
		int			c = weighted(n, w, 12) % 11;
		int			month = dig(n[3]) * 10 + dig(n[4]);
		int			day = dig(n[5]) * 10 + dig(n[6]);

		if (c == 10)
			c = 1;
		return n[0] != '0' && month >= 1 && month <= 12 && day >= 1 &&
			day <= 31 && c == dig(n[12]);
	}
	return false;
}

static bool
vat_se(const char *n, size_t len)
{
	return len == 12 && all_digits(n, 12) && n[10] == '0' && n[11] == '1' &&
		luhn(n, 10);
}

static bool
vat_si(const char *n, size_t len)
{
	static const int w[7] = {8, 7, 6, 5, 4, 3, 2};
	int			c;

	if (len != 8 || !all_digits(n, 8) || n[0] == '0')
		return false;
	c = 11 - weighted(n, w, 7) % 11;
	if (c == 10)
		c = 0;
	return c != 11 && c == dig(n[7]);
}

static bool
vat_sk(const char *n, size_t len)
{
	long long	v = 0;

	if (len != 10 || !all_digits(n, 10) || n[0] == '0' ||
		strchr("234789", n[2]) == NULL)
		return false;
	for (int i = 0; i < 10; i++)
		v = v * 10 + dig(n[i]);
	return v % 11 == 0;
}

/* Norway and Switzerland: weighted mod 11, 11 means 0, 10 is never issued. */
static bool
mod11_weights(const char *n, const int *w, int nw)
{
	int			c = 11 - weighted(n, w, nw) % 11;

	if (c == 11)
		c = 0;
	return c != 10 && c == dig(n[nw]);
}

static bool
vat_ch(const char *n, size_t len)
{
	static const int w[8] = {5, 4, 3, 2, 7, 6, 5, 4};

	/* CHE123456789 with an optional MWST, TVA, IVA or TPV suffix. */
	if (len < 10 || n[0] != 'E' || !all_digits(n + 1, 9))
		return false;
	if (len > 10)
	{
		const char *suffix = n + 10;
		size_t		sl = len - 10;

		if (!((sl == 4 && memcmp(suffix, "MWST", 4) == 0) ||
			  (sl == 3 && (memcmp(suffix, "TVA", 3) == 0 ||
						   memcmp(suffix, "IVA", 3) == 0 ||
						   memcmp(suffix, "TPV", 3) == 0))))
			return false;
	}
	return mod11_weights(n + 1, w, 8);
}

static bool
vat_no(const char *n, size_t len)
{
	static const int w[8] = {3, 2, 7, 6, 5, 4, 3, 2};

	if (len == 12 && memcmp(n + 9, "MVA", 3) == 0)
		len = 9;
	return len == 9 && all_digits(n, 9) && mod11_weights(n, w, 8);
}

typedef struct VatCountry
{
	char		prefix[3];
	bool		(*check) (const char *n, size_t len);
} VatCountry;

/* Sorted by prefix. Greece is EL; XI (Northern Ireland) follows GB rules. */
static const VatCountry vat_countries[] = {
	{"AT", vat_at}, {"BE", vat_be}, {"BG", vat_bg}, {"CH", vat_ch},
	{"CY", vat_cy}, {"CZ", vat_cz}, {"DE", vat_de}, {"DK", vat_dk},
	{"EE", vat_ee}, {"EL", vat_el}, {"ES", vat_es}, {"FI", vat_fi},
	{"FR", vat_fr}, {"GB", vat_gb}, {"HR", vat_hr}, {"HU", vat_hu},
	{"IE", vat_ie}, {"IT", vat_it}, {"LT", vat_lt}, {"LU", vat_lu},
	{"LV", vat_lv}, {"MT", vat_mt}, {"NL", vat_nl}, {"NO", vat_no},
	{"PL", vat_pl}, {"PT", vat_pt}, {"RO", vat_ro}, {"SE", vat_se},
	{"SI", vat_si}, {"SK", vat_sk}, {"XI", vat_gb},
};

bool
o2c_vat_valid(const char *s, size_t len)
{
	char		b[24];
	size_t		n = 0;

	/* Upper-case, dropping what people type around it: space . - / : ( ) */
	for (size_t i = 0; i < len; i++)
	{
		char		c = to_upper(s[i]);

		if (c == ' ' || c == '.' || c == '-' || c == '/' || c == ':' ||
			c == '(' || c == ')')
			continue;
		if (!IS_DIGIT(c) && !IS_UPPER(c) && c != '+' && c != '*')
			return false;
		if (n + 1 >= sizeof(b))
			return false;
		b[n++] = c;
	}
	if (n < 3)
		return false;
	for (size_t i = 0; i < sizeof(vat_countries) / sizeof(vat_countries[0]); i++)
		if (memcmp(b, vat_countries[i].prefix, 2) == 0)
		{
			/* Only Ireland's old style uses + and *. */
			if (memcmp(b, "IE", 2) != 0 &&
				(memchr(b, '+', n) != NULL || memchr(b, '*', n) != NULL))
				return false;
			return vat_countries[i].check(b + 2, n - 2);
		}
	return false;
}

