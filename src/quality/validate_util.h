/*
 * validate_util.h — small digit and check-sum helpers shared by the plain-C
 * validators (validate.c, vat.c). Internal: include only from those files.
 */
#ifndef O2C_VALIDATE_UTIL_H
#define O2C_VALIDATE_UTIL_H

#include <string.h>

#include "validate.h"

#define IS_DIGIT(c)	((c) >= '0' && (c) <= '9')
#define IS_UPPER(c)	((c) >= 'A' && (c) <= 'Z')
#define IS_LOWER(c)	((c) >= 'a' && (c) <= 'z')

static inline char
to_upper(char c)
{
	return IS_LOWER(c) ? (char) (c - 'a' + 'A') : c;
}

/*
 * Copy s into out upper-cased, dropping the separator characters listed in
 * seps; false when a character is not a letter, digit or separator, or the
 * result would not fit in cap - 1 characters.
 */
static inline bool
compact(const char *s, size_t len, const char *seps, char *out, size_t cap,
		size_t *outlen)
{
	size_t		n = 0;

	for (size_t i = 0; i < len; i++)
	{
		char		c = s[i];

		if (c != '\0' && strchr(seps, c) != NULL)
			continue;
		c = to_upper(c);
		if (!IS_DIGIT(c) && !IS_UPPER(c))
			return false;
		if (n + 1 >= cap)
			return false;
		out[n++] = c;
	}
	out[n] = '\0';
	*outlen = n;
	return true;
}

static inline bool
all_digits(const char *s, size_t len)
{
	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!IS_DIGIT(s[i]))
			return false;
	return true;
}

static inline int
dig(char c)
{
	return c - '0';
}

/* Weighted digit sum: sum of w[i] * s[i] over n digits. */
static inline int
weighted(const char *s, const int *w, int n)
{
	int			sum = 0;

	for (int i = 0; i < n; i++)
		sum += w[i] * dig(s[i]);
	return sum;
}

/*
 * ISO 7064 mod 97-10 of digits and letters (A = 10 ... Z = 35). The
 * remainder is taken only when the accumulator grows past 10^15, so a
 * 30-character IBAN costs a few divisions instead of one per character.
 */
static inline int
mod97(const char *s, size_t len)
{
	uint64_t	r = 0;

	for (size_t i = 0; i < len; i++)
	{
		char		c = s[i];

		if (IS_DIGIT(c))
			r = r * 10 + (uint64_t) (c - '0');
		else
			r = r * 100 + (uint64_t) (c - 'A' + 10);
		if (r >= 1000000000000000ULL)
			r %= 97;
	}
	return (int) (r % 97);
}

/* ISO 7064 mod 11,10 over n digits, the last being the check digit. */
static inline bool
mod11_10(const char *s, int n)
{
	int			p = 10;

	for (int i = 0; i < n - 1; i++)
	{
		int			t = (dig(s[i]) + p) % 10;

		if (t == 0)
			t = 10;
		p = (2 * t) % 11;
	}
	return (11 - p) % 10 == dig(s[n - 1]);
}

/* Luhn over digits (the last one the check digit). */
static inline bool
luhn(const char *s, size_t n)
{
	int			sum = 0;
	bool		dbl = false;

	for (size_t i = n; i-- > 0;)
	{
		int			d = dig(s[i]);

		if (dbl)
		{
			d *= 2;
			if (d > 9)
				d -= 9;
		}
		sum += d;
		dbl = !dbl;
	}
	return sum % 10 == 0;
}

/* ISO 3166-1 alpha-2 look-up of two upper-case letters (validate.c). */
extern bool o2c_country_known(const char *cc);

#endif							/* O2C_VALIDATE_UTIL_H */
