/*
 * bankfmt.c — memory, amounts, dates and the balance check shared by the
 * bank statement parsers. Plain C over buffers (core.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "bankfmt.h"
#include "core/currency.h"

#define CHUNK_MIN 8192

void
o2c_bank_init(O2cBankResult *res)
{
	memset(res, 0, sizeof(*res));
}

void
o2c_bank_free(O2cBankResult *res)
{
	O2cBankChunk *c = res->chunks;

	while (c != NULL)
	{
		O2cBankChunk *next = c->next;

		o2c_core_free(c);
		c = next;
	}
	o2c_core_free(res->stmts);
	o2c_core_free(res->lines);
	o2c_core_free(res->warnings);
	memset(res, 0, sizeof(*res));
}

/* Strings live in chunks, so a result is freed in a few calls. */
static char *
bank_alloc(O2cBankResult *res, size_t n)
{
	O2cBankChunk *c = res->chunks;
	char	   *p;

	if (c == NULL || c->size - c->used < n)
	{
		size_t		size = n > CHUNK_MIN ? n : CHUNK_MIN;

		c = o2c_core_alloc(sizeof(O2cBankChunk) + size);
		c->size = size;
		c->next = res->chunks;
		res->chunks = c;
	}
	p = c->data + c->used;
	c->used += n;
	return p;
}

void *
o2c_bank_alloc(O2cBankResult *res, size_t n)
{
	/* strings leave any offset: take 7 bytes more and align up */
	char	   *p = bank_alloc(res, n + 7);

	p = (char *) (((uintptr_t) p + 7) & ~(uintptr_t) 7);
	memset(p, 0, n);
	return p;
}

char *
o2c_bank_strndup(O2cBankResult *res, const char *s, size_t n)
{
	char	   *p = bank_alloc(res, n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

/* a (an bytes) followed by b (bn bytes), as a new string */
char *
o2c_bank_concat(O2cBankResult *res, const char *a, size_t an,
				const char *b, size_t bn)
{
	char	   *r = bank_alloc(res, an + bn + 1);

	/* fresh space: it overlaps neither a nor b */
	memcpy(r, a, an);
	memcpy(r + an, b, bn);
	r[an + bn] = '\0';
	return r;
}

/* Grow an array by doubling: the allocator has no realloc. */
static void *
grow(void *old, int count, int *cap, size_t elem)
{
	int			newcap = *cap ? *cap * 2 : 16;
	void	   *p = o2c_core_alloc((size_t) newcap * elem);

	if (old != NULL)
	{
		memcpy(p, old, (size_t) count * elem);
		o2c_core_free(old);
	}
	*cap = newcap;
	return p;
}

O2cBankStmt *
o2c_bank_add_stmt(O2cBankResult *res)
{
	O2cBankStmt *s;

	if (res->nstmts == res->stmts_cap)
		res->stmts = grow(res->stmts, res->nstmts, &res->stmts_cap, sizeof(O2cBankStmt));
	s = &res->stmts[res->nstmts++];
	memset(s, 0, sizeof(*s));
	return s;
}

O2cBankLine *
o2c_bank_add_line(O2cBankResult *res)
{
	O2cBankLine *l;

	if (res->nlines == res->lines_cap)
		res->lines = grow(res->lines, res->nlines, &res->lines_cap, sizeof(O2cBankLine));
	l = &res->lines[res->nlines++];
	memset(l, 0, sizeof(*l));
	l->stmt = res->nstmts - 1;
	return l;
}

bool
o2c_bank_valid_date(int y, int m, int d)
{
	static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int			max;

	if (y < 1 || y > 9999 || m < 1 || m > 12 || d < 1)
		return false;
	max = mdays[m - 1];
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		max = 29;
	return d <= max;
}

bool
o2c_bank_amount(const char *s, size_t n, int64_t *units, int *scale)
{
	int64_t		v = 0;
	int			frac = -1;
	int			digits = 0;
	size_t		i;

	for (i = 0; i < n; i++)
	{
		char		c = s[i];

		if (c >= '0' && c <= '9')
		{
			if (frac >= 0)
			{
				if (frac == O2C_BANK_SCALE)
					return false;
				frac++;
			}
			if (v > (O2C_BANK_MAX_UNITS - (c - '0')) / 10)
				return false;
			v = v * 10 + (c - '0');
			digits++;
		}
		else if ((c == ',' || c == '.') && frac < 0)
			frac = 0;
		else
			return false;
	}
	if (digits == 0)
		return false;
	if (frac < 0)
		frac = 0;
	for (i = frac; i < O2C_BANK_SCALE; i++)
	{
		if (v > O2C_BANK_MAX_UNITS / 10)
			return false;
		v *= 10;
	}
	*units = v;
	if (scale != NULL)
		*scale = frac;
	return true;
}

void
o2c_bank_format(__int128 units, int scale, char *buf)
{
	char		tmp[48];
	char	   *c = tmp + sizeof(tmp);
	unsigned __int128 mag = units < 0 ? (unsigned __int128) 0 - (unsigned __int128) units : (unsigned __int128) units;
	int			n = 0;
	int			drop;

	if (scale < 0)
		scale = 0;
	if (scale > O2C_BANK_SCALE)
		scale = O2C_BANK_SCALE;
	/* drop the fraction digits beyond scale (zeros for parsed amounts) */
	for (drop = O2C_BANK_SCALE - scale; drop > 0; drop--)
		mag /= 10;
	*--c = '\0';
	while (mag > 0 || n <= scale)
	{
		if (n == scale && scale > 0)
			*--c = '.';
		*--c = '0' + (int) (mag % 10);
		mag /= 10;
		n++;
	}
	if (units < 0)
		*--c = '-';
	strcpy(buf, c);
}

int
o2c_bank_stmt_scale(const O2cBankStmt *s)
{
	int			minor = s->currency ? o2c_currency_minor_units(s->currency, 3) : -1;

	if (minor < 0)
		minor = 2;
	return s->dscale > minor ? s->dscale : minor;
}

const char *
o2c_bank_format_name(const O2cBankStmt *s)
{
	if (s->message == NULL || strcmp(s->message, "mt940") == 0)
		return "MT940";
	if (strcmp(s->message, "mt942") == 0)
		return "MT942";
	if (strcmp(s->message, "bai2") == 0)
		return "BAI2";
	return s->message;
}

void
o2c_bank_warn(O2cBankResult *res, const char *fmt,...)
{
	char		msg[600];
	va_list		ap;

	if (res->nwarnings >= O2C_BANK_MAX_WARNINGS)
	{
		res->warnings_dropped++;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (res->nwarnings == res->warnings_cap)
		res->warnings = grow(res->warnings, res->nwarnings, &res->warnings_cap, sizeof(char *));
	res->warnings[res->nwarnings++] = o2c_bank_strndup(res, msg, strlen(msg));
}

bool
o2c_bank_decimal_text(const char *s, size_t n)
{
	size_t		i;
	int			digits = 0,
				points = 0;

	if (n == 0 || n > 40)
		return false;
	for (i = 0; i < n; i++)
	{
		if (s[i] >= '0' && s[i] <= '9')
			digits++;
		else if (s[i] == '.' && points == 0)
			points++;
		else
			return false;
	}
	return digits > 0;
}

bool
o2c_bank_check_balances(O2cBankResult *res, O2cError *err, bool strict)
{
	int			i;
	int			l = 0;

	for (i = 0; i < res->nstmts; i++)
	{
		O2cBankStmt *s = &res->stmts[i];
		__int128	sum = s->opening;
		const char *fmt = o2c_bank_format_name(s);
		const char *id = s->statement_id ? s->statement_id : "";

		for (; l < res->nlines && res->lines[l].stmt == i; l++)
			if (!res->lines[l].unbooked)
				sum += res->lines[l].amount;	/* int128: cannot overflow */
		if (!s->has_opening || !s->has_closing)
			continue;
		if (sum != s->closing)
		{
			char		a[48],
						b[48],
						d[48];

			o2c_bank_format(sum, o2c_bank_stmt_scale(s), a);
			o2c_bank_format(s->closing, o2c_bank_stmt_scale(s), b);
			o2c_bank_format((__int128) s->closing - sum, o2c_bank_stmt_scale(s), d);
			if (!strict)
			{
				o2c_bank_warn(res, "%s statement \"%s\" (line %d) does not balance: opening balance plus entries is %s, closing balance is %s, difference %s; read anyway",
							  fmt, o2c_quote_cstr(id), s->first_line, a, b, d);
				continue;
			}
			o2c_fail(err, O2C_ERR_DATA,
					 "%s statement \"%s\" does not balance",
					 fmt, o2c_quote_cstr(id));
			o2c_fail_detail(err,
							"Statement \"%s\" (line %d): opening balance plus entries is %s, closing balance is %s, difference %s.",
							o2c_quote_cstr(id), s->first_line, a, b, d);
			o2c_fail_hint(err, "Pass strict => false to read the lines anyway.");
			return false;
		}
	}
	return true;
}
