/*
 * validate.c — validators of account data: IBAN (ISO 13616, with the
 * registry's per-country length and BBAN structure), BIC (ISO 9362),
 * e-mail addresses, ISO 3166-1 country codes, LEI
 * (ISO 17442), US ABA routing numbers and the Luhn check.
 *
 * Plain C over buffers (core.h): the input is untrusted bytes of any length,
 * so every function bounds its work by a small fixed buffer and never reads
 * past len. None allocates, none fails: they answer true or false.
 */
#include <string.h>

#include "validate_util.h"

#define Min_size(a, b) ((a) < (b) ? (a) : (b))

/* ---------------------------------------------------------------- countries */

/* ISO 3166-1 alpha-2, officially assigned codes, sorted (249 codes). */
static const char country_codes[] =
	"ADAEAFAGAIALAMAOAQARASATAUAWAXAZBABBBDBEBFBGBHBIBJBLBMBNBOBQBRBSBTBVBWBYBZ"
	"CACCCDCFCGCHCICKCLCMCNCOCRCUCVCWCXCYCZDEDJDKDMDODZECEEEGEHERESETFIFJFKFMFO"
	"FRGAGBGDGEGFGGGHGIGLGMGNGPGQGRGSGTGUGWGYHKHMHNHRHTHUIDIEILIMINIOIQIRISITJE"
	"JMJOJPKEKGKHKIKMKNKPKRKWKYKZLALBLCLILKLRLSLTLULVLYMAMCMDMEMFMGMHMKMLMMMNMO"
	"MPMQMRMSMTMUMVMWMXMYMZNANCNENFNGNINLNONPNRNUNZOMPAPEPFPGPHPKPLPMPNPRPSPTPW"
	"PYQARERORSRURWSASBSCSDSESGSHSISJSKSLSMSNSOSRSSSTSVSXSYSZTCTDTFTGTHTJTKTLTM"
	"TNTOTRTTTVTWTZUAUGUMUSUYUZVAVCVEVGVIVNVUWFWSYEYTZAZMZW";

bool
o2c_country_known(const char *cc)
{
	int			lo = 0,
				hi = (int) (sizeof(country_codes) - 1) / 2 - 1;

	while (lo <= hi)
	{
		int			mid = (lo + hi) / 2;
		int			c = memcmp(cc, country_codes + 2 * mid, 2);

		if (c == 0)
			return true;
		if (c < 0)
			hi = mid - 1;
		else
			lo = mid + 1;
	}
	return false;
}

bool
o2c_country_valid(const char *s, size_t len)
{
	char		cc[3];
	size_t		n;

	while (len > 0 && s[0] == ' ')
		s++, len--;
	while (len > 0 && s[len - 1] == ' ')
		len--;
	if (len != 2 || !compact(s, len, "", cc, sizeof(cc), &n))
		return false;
	if (!IS_UPPER(cc[0]) || !IS_UPPER(cc[1]))
		return false;
	return o2c_country_known(cc);
}

/* --------------------------------------------------------------------- IBAN */

/*
 * The IBAN registry: country, total length, and the BBAN structure as runs
 * of <count><n|a|c> (digits, upper-case letters, alphanumerics). Sorted.
 */
typedef struct IbanCountry
{
	char		cc[3];
	int8_t		length;
	const char *bban;
} IbanCountry;

static const IbanCountry iban_countries[] = {
	{"AD", 24, "8n12c"}, {"AE", 23, "19n"}, {"AL", 28, "8n16c"},
	{"AT", 20, "16n"}, {"AZ", 28, "4a20c"}, {"BA", 20, "16n"},
	{"BE", 16, "12n"}, {"BG", 22, "4a6n8c"}, {"BH", 22, "4a14c"},
	{"BI", 27, "23n"}, {"BR", 29, "23n1a1c"}, {"BY", 28, "4c4n16c"},
	{"CH", 21, "5n12c"}, {"CR", 22, "18n"}, {"CY", 28, "8n16c"},
	{"CZ", 24, "20n"}, {"DE", 22, "18n"}, {"DJ", 27, "23n"},
	{"DK", 18, "14n"}, {"DO", 28, "4c20n"}, {"EE", 20, "16n"},
	{"EG", 29, "25n"}, {"ES", 24, "20n"}, {"FI", 18, "14n"},
	{"FK", 18, "2a12n"}, {"FO", 18, "14n"}, {"FR", 27, "10n11c2n"},
	{"GB", 22, "4a14n"}, {"GE", 22, "2a16n"}, {"GI", 23, "4a15c"},
	{"GL", 18, "14n"}, {"GR", 27, "7n16c"}, {"GT", 28, "4c20c"},
	{"HR", 21, "17n"}, {"HU", 28, "24n"}, {"IE", 22, "4a14n"},
	{"IL", 23, "19n"}, {"IQ", 23, "4a15n"}, {"IS", 26, "22n"},
	{"IT", 27, "1a10n12c"}, {"JO", 30, "4a4n18c"}, {"KW", 30, "4a22c"},
	{"KZ", 20, "3n13c"}, {"LB", 28, "4n20c"}, {"LC", 32, "4a24c"},
	{"LI", 21, "5n12c"}, {"LT", 20, "16n"}, {"LU", 20, "3n13c"},
	{"LV", 21, "4a13c"}, {"LY", 25, "21n"}, {"MC", 27, "10n11c2n"},
	{"MD", 24, "2c18c"}, {"ME", 22, "18n"}, {"MK", 19, "3n10c2n"},
	{"MN", 20, "16n"}, {"MR", 27, "23n"}, {"MT", 31, "4a5n18c"},
	{"MU", 30, "4a19n3a"}, {"NI", 28, "4a20n"}, {"NL", 18, "4a10n"},
	{"NO", 15, "11n"}, {"OM", 23, "3n16c"}, {"PK", 24, "4a16c"},
	{"PL", 28, "24n"}, {"PS", 29, "4a21c"}, {"PT", 25, "21n"},
	{"QA", 29, "4a21c"}, {"RO", 24, "4a16c"}, {"RS", 22, "18n"},
	{"RU", 33, "14n15c"}, {"SA", 24, "2n18c"}, {"SC", 31, "4a20n3a"},
	{"SD", 18, "14n"}, {"SE", 24, "20n"}, {"SI", 19, "15n"},
	{"SK", 24, "20n"}, {"SM", 27, "1a10n12c"}, {"SO", 23, "19n"},
	{"ST", 25, "21n"}, {"SV", 28, "4a20n"}, {"TL", 23, "19n"},
	{"TN", 24, "20n"}, {"TR", 26, "6n16c"}, {"UA", 29, "6n19c"},
	{"VA", 22, "18n"}, {"VG", 24, "4a16n"}, {"XK", 20, "16n"},
};

static const IbanCountry *
iban_country(const char *cc)
{
	int			lo = 0,
				hi = (int) (sizeof(iban_countries) / sizeof(iban_countries[0])) - 1;

	while (lo <= hi)
	{
		int			mid = (lo + hi) / 2;
		int			c = memcmp(cc, iban_countries[mid].cc, 2);

		if (c == 0)
			return &iban_countries[mid];
		if (c < 0)
			hi = mid - 1;
		else
			lo = mid + 1;
	}
	return NULL;
}

static bool
bban_matches(const char *bban, const char *pattern)
{
	const char *p = pattern;

	while (*p)
	{
		int			count = 0;

		while (IS_DIGIT(*p))
			count = count * 10 + dig(*p++);
		for (int i = 0; i < count; i++, bban++)
		{
			char		c = *bban;

			if (*p == 'n' ? !IS_DIGIT(c) : *p == 'a' ? !IS_UPPER(c) : false)
				return false;
		}
		p++;
	}
	return true;
}

/*
 * National check digits inside the BBAN, for the countries whose registry
 * entry defines them and whose rule is checked here (README lists them).
 * Each is called only after the BBAN matched its structure, so the digit
 * positions hold digits.
 */

/* Spain: two control digits over bank+branch and over the account. */
static bool
iban_national_es(const char *bban)
{
	static const int w[10] = {1, 2, 4, 8, 5, 10, 9, 7, 3, 6};
	char		first[10];
	int			c1,
				c2;

	first[0] = first[1] = '0';
	memcpy(first + 2, bban, 8);
	c1 = 11 - weighted(first, w, 10) % 11;
	c2 = 11 - weighted(bban + 10, w, 10) % 11;
	c1 = c1 == 11 ? 0 : c1 == 10 ? 1 : c1;
	c2 = c2 == 11 ? 0 : c2 == 10 ? 1 : c2;
	return dig(bban[8]) == c1 && dig(bban[9]) == c2;
}

/* Belgium: the first ten digits mod 97 are the last two (0 written 97). */
static bool
iban_national_be(const char *bban)
{
	long long	v = 0;
	int			r;

	for (int i = 0; i < 10; i++)
		v = v * 10 + dig(bban[i]);
	r = (int) (v % 97);
	if (r == 0)
		r = 97;
	return r == dig(bban[10]) * 10 + dig(bban[11]);
}

/*
 * The whole BBAN is ISO 7064 mod 97-10 (its last two digits make it 1 mod
 * 97), which is why these countries' IBAN check digits never vary: BA 39,
 * ME 25, MK 07, PT 50, RS 35, SI 56, TL 38. Letters in a Macedonian account
 * have no published rule: such BBANs are not checked.
 */
static bool
iban_national_mod97(const char *bban, size_t len)
{
	if (!all_digits(bban, len))
		return true;
	return mod97(bban, len) == 1;
}

/* Norway: the 11-digit account number, mod 11 with weights 5,4,3,2,7,6,5,4,3,2. */
static bool
iban_national_no(const char *bban)
{
	static const int w[10] = {5, 4, 3, 2, 7, 6, 5, 4, 3, 2};
	int			c = 11 - weighted(bban, w, 10) % 11;

	if (c == 11)
		c = 0;
	return c != 10 && c == dig(bban[10]);
}

/* France and Monaco (RIB key): letters count as A/J 1, B/K/S 2, ... I/R/Z 9. */
static int
rib_value(char c)
{
	static const char map[26] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 1, 2, 3, 4, 5, 6, 7, 8, 9,
	2, 3, 4, 5, 6, 7, 8, 9};

	return IS_DIGIT(c) ? dig(c) : map[c - 'A'];
}

static bool
iban_national_fr(const char *bban)
{
	/* 97 - (89 * bank + 15 * branch + 3 * account) mod 97, kept mod 97. */
	int			bank = 0,
				branch = 0,
				account = 0;

	for (int i = 0; i < 5; i++)
		bank = (bank * 10 + rib_value(bban[i])) % 97;
	for (int i = 5; i < 10; i++)
		branch = (branch * 10 + rib_value(bban[i])) % 97;
	for (int i = 10; i < 21; i++)
		account = (account * 10 + rib_value(bban[i])) % 97;
	return 97 - (89 * bank + 15 * branch + 3 * account) % 97 ==
		dig(bban[21]) * 10 + dig(bban[22]);
}

/* Italy and San Marino (CIN): a letter over bank, branch and account. */
static bool
iban_national_it(const char *bban)
{
	static const int odd[26] = {1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20,
	11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23};
	int			sum = 0;

	for (int i = 0; i < 22; i++)
	{
		char		c = bban[1 + i];
		int			v = IS_DIGIT(c) ? dig(c) : c - 'A';

		sum += (i % 2 == 0) ? odd[v] : v;
	}
	return bban[0] == 'A' + sum % 26;
}

/* Finland: the 14-digit machine-form account number is Luhn-valid. */
static bool
iban_national_fi(const char *bban)
{
	return luhn(bban, 14);
}

/* Croatia: bank (7 digits) and account (10), each ISO 7064 mod 11,10. */
static bool
iban_national_hr(const char *bban)
{
	return mod11_10(bban, 7) && mod11_10(bban + 7, 10);
}

/* Poland: the 8-digit sort code, weights 3,9,7,1,3,9,7. */
static bool
iban_national_pl(const char *bban)
{
	static const int w[7] = {3, 9, 7, 1, 3, 9, 7};

	return (10 - weighted(bban, w, 7) % 10) % 10 == dig(bban[7]);
}

/* Czechia and Slovakia: account prefix and number, each 0 mod 11. */
static bool
iban_national_cz(const char *bban)
{
	static const int wp[6] = {10, 5, 8, 4, 2, 1};
	static const int wa[10] = {6, 3, 7, 9, 10, 5, 8, 4, 2, 1};

	return weighted(bban + 4, wp, 6) % 11 == 0 && weighted(bban + 10, wa, 10) % 11 == 0;
}

/* Hungary: bank+branch (8 digits) and account (16), weights 9,7,3,1, 0 mod 10. */
static bool
iban_national_hu(const char *bban)
{
	static const int w[16] = {9, 7, 3, 1, 9, 7, 3, 1, 9, 7, 3, 1, 9, 7, 3, 1};

	return weighted(bban, w, 8) % 10 == 0 && weighted(bban + 8, w, 16) % 10 == 0;
}

/*
 * Estonia: the account (after the 2-digit bank code), 7-3-1 weights from the
 * right over all but its last digit; leading zeros weigh nothing.
 */
static bool
iban_national_ee(const char *bban)
{
	static const int w[3] = {7, 3, 1};
	int			sum = 0;

	for (int i = 14, k = 0; i >= 2; i--, k++)
		sum += w[k % 3] * dig(bban[i]);
	return (10 - sum % 10) % 10 == dig(bban[15]);
}

/* False when the BBAN of an IBAN of country cc fails its national check. */
static bool
iban_national_ok(const char *cc, const char *bban, size_t len)
{
#define CC(a, b) (cc[0] == (a) && cc[1] == (b))
	if (CC('B', 'A') || CC('M', 'E') || CC('M', 'K') || CC('P', 'T') ||
		CC('R', 'S') || CC('S', 'I') || CC('T', 'L'))
		return iban_national_mod97(bban, len);
	if (CC('B', 'E'))
		return iban_national_be(bban);
	if (CC('C', 'Z') || CC('S', 'K'))
		return iban_national_cz(bban);
	if (CC('E', 'E'))
		return iban_national_ee(bban);
	if (CC('E', 'S'))
		return iban_national_es(bban);
	if (CC('F', 'I'))
		return iban_national_fi(bban);
	if (CC('F', 'R') || CC('M', 'C'))
		return iban_national_fr(bban);
	if (CC('H', 'R'))
		return iban_national_hr(bban);
	if (CC('H', 'U'))
		return iban_national_hu(bban);
	if (CC('I', 'T') || CC('S', 'M'))
		return iban_national_it(bban);
	if (CC('N', 'O'))
		return iban_national_no(bban);
	if (CC('P', 'L'))
		return iban_national_pl(bban);
#undef CC
	return true;
}

O2cIbanResult
o2c_iban_check(const char *s, size_t len, char out[O2C_IBAN_MAX + 1])
{
	char		buf[O2C_IBAN_MAX + 2];
	size_t		n;
	const IbanCountry *country;

	out[0] = '\0';
	/* The hot path: inline compaction, no per-character strchr. */
	n = 0;
	for (size_t i = 0; i < len; i++)
	{
		char		c = s[i];

		if (c == ' ' || c == '-' || c == '.')
			continue;
		if (c >= 'a' && c <= 'z')
			c = (char) (c - 'a' + 'A');
		else if (!IS_DIGIT(c) && !IS_UPPER(c))
			return O2C_IBAN_CHARACTERS;
		if (n >= O2C_IBAN_MAX)
		{
			n = O2C_IBAN_MAX + 1;
			break;
		}
		buf[n++] = c;
	}
	buf[Min_size(n, O2C_IBAN_MAX)] = '\0';
	if (n > O2C_IBAN_MAX)
	{
		/* Distinguish a long but well-formed value from a bad character. */
		for (size_t i = 0; i < len; i++)
		{
			char		c = to_upper(s[i]);

			if (c != ' ' && c != '-' && c != '.' && !IS_DIGIT(c) && !IS_UPPER(c))
				return O2C_IBAN_CHARACTERS;
		}
		if (len >= 2 && IS_UPPER(to_upper(s[0])) && IS_UPPER(to_upper(s[1])) &&
			iban_country((char[]) {to_upper(s[0]), to_upper(s[1])}) == NULL)
			return O2C_IBAN_COUNTRY;
		return O2C_IBAN_LENGTH;
	}
	if (n < 2 || !IS_UPPER(buf[0]) || !IS_UPPER(buf[1]) ||
		(country = iban_country(buf)) == NULL)
		return O2C_IBAN_COUNTRY;
	if ((int) n != country->length)
		return O2C_IBAN_LENGTH;
	if (!IS_DIGIT(buf[2]) || !IS_DIGIT(buf[3]) ||
		!bban_matches(buf + 4, country->bban))
		return O2C_IBAN_STRUCTURE;
	{
		/* Move country and check digits to the end, as ISO 13616 says. */
		int			r = mod97(buf + 4, n - 4);

		r = (r * 100 + (buf[0] - 'A' + 10)) % 97;
		r = (r * 100 + (buf[1] - 'A' + 10)) % 97;
		r = (r * 100 + dig(buf[2]) * 10 + dig(buf[3])) % 97;
		if (r != 1)
			return O2C_IBAN_CHECKSUM;
	}
	if (!iban_national_ok(buf, buf + 4, n - 4))
		return O2C_IBAN_NATIONAL;
	memcpy(out, buf, n + 1);
	return O2C_IBAN_OK;
}

const char *
o2c_iban_result_text(O2cIbanResult r)
{
	switch (r)
	{
		case O2C_IBAN_OK:
			return "valid";
		case O2C_IBAN_CHARACTERS:
			return "characters";
		case O2C_IBAN_COUNTRY:
			return "country";
		case O2C_IBAN_LENGTH:
			return "length";
		case O2C_IBAN_STRUCTURE:
			return "structure";
		case O2C_IBAN_CHECKSUM:
			return "checksum";
		case O2C_IBAN_NATIONAL:
			return "national check digits";
	}
	return "unknown";
}

/* ---------------------------------------------------------------------- BIC */

bool
o2c_bic_valid(const char *s, size_t len)
{
	char		b[12];
	size_t		n;

	if (!compact(s, len, " ", b, sizeof(b), &n) || (n != 8 && n != 11))
		return false;
	for (int i = 0; i < 4; i++)
		if (!IS_UPPER(b[i]))
			return false;
	/* SWIFT uses XK for Kosovo, which ISO 3166 has not assigned. */
	if (!IS_UPPER(b[4]) || !IS_UPPER(b[5]) ||
		(!o2c_country_known(b + 4) && memcmp(b + 4, "XK", 2) != 0))
		return false;
	/* compact() already limited the rest to letters and digits. */
	return true;
}

/* -------------------------------------------------------------------- email */

static bool
atext(unsigned char c)
{
	return IS_DIGIT(c) || IS_UPPER(c) || IS_LOWER(c) ||
		(c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL);
}

bool
o2c_email_valid(const char *s, size_t len)
{
	size_t		at = 0,
				labels = 0,
				label_len = 0;
	bool		tld_all_digits = true;

	while (len > 0 && (s[0] == ' ' || s[0] == '\t'))
		s++, len--;
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	if (len == 0 || len > 254)
		return false;
	while (at < len && s[at] != '@')
		at++;
	if (at == 0 || at > 64 || at >= len - 1)
		return false;
	/* Local part: a dot-atom, no leading, trailing or doubled dot. */
	for (size_t i = 0; i < at; i++)
	{
		if (s[i] == '.')
		{
			if (i == 0 || i == at - 1 || s[i - 1] == '.')
				return false;
		}
		else if (!atext((unsigned char) s[i]))
			return false;
	}
	/* Domain: at least two labels of letters, digits, inner hyphens. */
	for (size_t i = at + 1; i <= len; i++)
	{
		if (i == len || s[i] == '.')
		{
			if (label_len == 0 || label_len > 63 || s[i - 1] == '-')
				return false;
			labels++;
			label_len = 0;
			continue;
		}
		if (label_len == 0)
		{
			if (s[i] == '-')
				return false;
			tld_all_digits = true;
		}
		if (!(IS_DIGIT(s[i]) || IS_UPPER(s[i]) || IS_LOWER(s[i]) || s[i] == '-'))
			return false;
		if (!IS_DIGIT(s[i]))
			tld_all_digits = false;
		label_len++;
	}
	return labels >= 2 && !tld_all_digits;
}

/* ------------------------------------------------------ LEI, ABA and Luhn */

bool
o2c_lei_valid(const char *s, size_t len)
{
	char		b[21];
	size_t		n;

	if (!compact(s, len, " ", b, sizeof(b), &n) || n != 20 ||
		!IS_DIGIT(b[18]) || !IS_DIGIT(b[19]))
		return false;
	return mod97(b, 20) == 1;
}

bool
o2c_aba_valid(const char *s, size_t len)
{
	static const int w[9] = {3, 7, 1, 3, 7, 1, 3, 7, 1};
	char		b[10];
	size_t		n;
	int			prefix;

	if (!compact(s, len, " -", b, sizeof(b), &n) || n != 9 || !all_digits(b, 9))
		return false;
	/* Federal Reserve districts 01-12, thrifts 21-32, electronic 61-72, 80. */
	prefix = dig(b[0]) * 10 + dig(b[1]);
	if (!(prefix <= 12 || (prefix >= 21 && prefix <= 32) ||
		  (prefix >= 61 && prefix <= 72) || prefix == 80))
		return false;
	return weighted(b, w, 9) % 10 == 0;
}

bool
o2c_luhn_valid(const char *s, size_t len)
{
	char		b[128];
	size_t		n;

	if (!compact(s, len, " -", b, sizeof(b), &n) || n < 2 || !all_digits(b, n))
		return false;
	return luhn(b, n);
}
