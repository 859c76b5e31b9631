/*
 * bai2.c — BAI2 cash management balance reporting files to lines
 * (bankfmt.h).
 *
 * Records 01 (file), 02 (group), 03 (account), 16 (transaction), 88
 * (continuation), 49/98/99 (trailers with control totals and record
 * counts). Amounts have implied decimals (the currency's minor units, 2 when
 * unknown); detail type codes 100-399 are credits, 400-699 debits. Fund
 * types 0, 1, 2, Z, V (value date and time), S (three amounts) and D
 * (distribution) are read. Strict mode checks every control total and record
 * count and, where the 03 record gives them, opening ledger (010) plus the
 * details against closing ledger (015); lax mode reads on and warns. Real
 * files end records with empty fields (",,,/"), without '/', continue any
 * record with 88 at any point and write '/' inside a 16's references: all
 * read. Plain C over buffers (core.h).
 */
#include <stdio.h>
#include <string.h>

#include "bankfmt.h"
#include "core/currency.h"

typedef struct Fields
{
	const char *s;
	size_t		n;
	size_t		pos;
	bool		done;
	bool		slash_at_end;	/* only a last '/' ends the record (16) */
} Fields;

/* Does a '/' at i end the record? Not inside a 16's references. */
static bool
ends_record(const Fields *f, size_t i)
{
	if (!f->slash_at_end)
		return true;
	for (i++; i < f->n; i++)
		if (f->s[i] != ' ')
			return false;
	return true;
}

typedef struct Bai2
{
	O2cBankResult *res;
	O2cError   *err;
	bool		strict;
	int			lineno;			/* physical line of the record's start */
	/* file */
	bool		in_file;
	char	   *file_id;
	__int128	file_total;
	long		file_records;
	long		file_groups;
	/* group */
	bool		in_group;
	int32_t		as_of;
	char		group_ccy[4];
	__int128	group_total;
	long		group_records;
	long		group_accounts;
	/* account */
	bool		in_account;
	int			cur;
	int			minor;
	__int128	acct_total;
	long		acct_records;
	int			nline;
	int			extra;			/* 88 lines of the record being read */
} Bai2;

/* Next field up to ',' or '/'; false when the record has no more. */
static bool
next_field(Fields *f, const char **s, size_t *n)
{
	size_t		start = f->pos;

	if (f->done || f->pos > f->n)
		return false;
	while (f->pos < f->n && f->s[f->pos] != ',' &&
		   !(f->s[f->pos] == '/' && ends_record(f, f->pos)))
		f->pos++;
	*s = f->s + start;
	*n = f->pos - start;
	if (f->pos >= f->n || f->s[f->pos] == '/')
		f->done = true;
	f->pos++;
	while (*n > 0 && (*s)[0] == ' ')
		(*s)++, (*n)--;
	while (*n > 0 && (*s)[*n - 1] == ' ')
		(*n)--;
	return true;
}

static bool
syntax(Bai2 *p, const char *expected)
{
	return o2c_fail(p->err, O2C_ERR_SYNTAX,
					"invalid BAI2 file: line %d: expected %s", p->lineno, expected);
}

static bool
total_mismatch(Bai2 *p, const char *what, const char *id, __int128 found, __int128 expected)
{
	char		a[48],
				b[48];

	o2c_bank_format(found * 100000, 0, a);
	o2c_bank_format(expected * 100000, 0, b);
	if (!p->strict)
	{
		o2c_bank_warn(p->res, "BAI2 %s of \"%s\" does not match at line %d: the trailer says %s, the records give %s; read anyway",
					  what, o2c_quote_cstr(id ? id : ""), p->lineno, a, b);
		return true;
	}
	o2c_fail(p->err, O2C_ERR_DATA, "BAI2 %s of \"%s\" does not match at line %d",
			 what, o2c_quote_cstr(id ? id : ""), p->lineno);
	o2c_fail_detail(p->err, "Statement \"%s\": the trailer says %s, the records give %s.",
					o2c_quote_cstr(id ? id : ""), a, b);
	o2c_fail_hint(p->err, "Pass strict => false to read the lines anyway.");
	return false;
}

/* Signed integer with implied decimals; empty is allowed (*present false). */
static bool
raw_amount(Bai2 *p, const char *s, size_t n, __int128 *v, bool *present)
{
	bool		neg = false;
	size_t		i;

	*v = 0;
	*present = n > 0;
	if (n == 0)
		return true;
	if (s[0] == '+' || s[0] == '-')
	{
		neg = s[0] == '-';
		s++, n--;
	}
	if (n == 0 || n > 18)
		return syntax(p, "an amount of at most 18 digits");
	for (i = 0; i < n; i++)
	{
		if (s[i] < '0' || s[i] > '9')
			return syntax(p, "an amount in digits (implied decimals)");
		*v = *v * 10 + (s[i] - '0');
	}
	if (neg)
		*v = -*v;
	return true;
}

/* Implied-decimal amount to 10^-5 units, within the bank amount range. */
static bool
to_units(Bai2 *p, __int128 raw, int64_t *out)
{
	int			i;

	for (i = p->minor; i < O2C_BANK_SCALE; i++)
		raw *= 10;				/* 18 digits times 10^5 fits in int128 */
	if (raw > O2C_BANK_MAX_UNITS || raw < -O2C_BANK_MAX_UNITS)
		return syntax(p, "an amount below 10^13 currency units");
	*out = (int64_t) raw;
	return true;
}

static bool
count_field(Bai2 *p, Fields *f, long *v, const char *what)
{
	const char *s;
	size_t		n,
				i;

	*v = -1;
	if (!next_field(f, &s, &n) || n == 0)
		return true;
	if (n > 9)
		return syntax(p, what);
	*v = 0;
	for (i = 0; i < n; i++)
	{
		if (s[i] < '0' || s[i] > '9')
			return syntax(p, what);
		*v = *v * 10 + (s[i] - '0');
	}
	return true;
}

static bool
yymmdd(Bai2 *p, const char *s, size_t n, int32_t *out)
{
	int			y,
				m,
				d;
	size_t		i;

	if (n != 6)
		return syntax(p, "a date YYMMDD");
	for (i = 0; i < 6; i++)
		if (s[i] < '0' || s[i] > '9')
			return syntax(p, "a date YYMMDD");
	y = (s[0] - '0') * 10 + (s[1] - '0');
	m = (s[2] - '0') * 10 + (s[3] - '0');
	d = (s[4] - '0') * 10 + (s[5] - '0');
	y += y < 70 ? 2000 : 1900;
	if (!o2c_bank_valid_date(y, m, d))
		return o2c_fail(p->err, O2C_ERR_DATETIME,
						"invalid BAI2 file: line %d: \"%.6s\" is not a date", p->lineno, s);
	*out = y * 10000 + m * 100 + d;
	return true;
}

/* Skip the extra fields of a funds type; a V value date goes to *vdate. */
static bool
funds(Bai2 *p, Fields *f, int32_t *vdate, __int128 *total)
{
	const char *s;
	size_t		n;

	if (!next_field(f, &s, &n) || n == 0)
		return true;
	if (n != 1)
		return syntax(p, "a funds type (0, 1, 2, S, V, D or Z)");
	switch (s[0])
	{
		case '0':
		case '1':
		case '2':
		case 'Z':
			return true;
		case 'S':
			{
				int			i;

				for (i = 0; i < 3; i++)
				{
					const char *a;
					size_t		an;
					__int128	v;
					bool		present;

					if (next_field(f, &a, &an) && !raw_amount(p, a, an, &v, &present))
						return false;
				}
				return true;
			}
		case 'V':
			{
				const char *d;
				size_t		dn;

				if (next_field(f, &d, &dn) && dn > 0 && vdate != NULL &&
					!yymmdd(p, d, dn, vdate))
					return false;
				next_field(f, &d, &dn); /* time */
				return true;
			}
		case 'D':
			{
				long		k,
							i;
				const char *d;
				size_t		dn;

				if (!count_field(p, f, &k, "a distribution count"))
					return false;
				if (k > 1000)
					return syntax(p, "a distribution count up to 1000");
				for (i = 0; i < k * 2; i++)
					next_field(f, &d, &dn);
				return true;
			}
		default:
			return syntax(p, "a funds type (0, 1, 2, S, V, D or Z)");
	}
}

static bool
rec_02(Bai2 *p, Fields *f)
{
	const char *s;
	size_t		n;
	int			i;

	if (!p->in_file || p->in_group)
		return syntax(p, p->in_group ? "98 group trailer before a new 02" : "01 file header before 02");
	p->in_group = true;
	p->group_total = 0;
	p->group_records = 1 + p->extra;
	p->group_accounts = 0;
	p->as_of = 0;
	memcpy(p->group_ccy, "USD", 4);
	for (i = 1; next_field(f, &s, &n); i++)
	{
		if (i == 4 && !yymmdd(p, s, n, &p->as_of))
			return false;
		if (i == 6 && n > 0)
		{
			if (n != 3)
				return syntax(p, "a 3-letter currency in the 02 record");
			memcpy(p->group_ccy, s, 3);
		}
	}
	if (p->as_of == 0)
		return syntax(p, "an as-of date in the 02 record");
	return true;
}

static bool
rec_03(Bai2 *p, Fields *f)
{
	const char *s;
	size_t		n;
	O2cBankStmt *st;
	const char *acct;
	size_t		acctn;
	const char *ccy;
	int			minor;

	if (!p->in_group || p->in_account)
		return syntax(p, p->in_account ? "49 account trailer before a new 03" : "02 group header before 03");
	if (!next_field(f, &acct, &acctn) || acctn == 0)
		return syntax(p, "an account number in the 03 record");
	p->in_account = true;
	p->acct_total = 0;
	p->acct_records = 1 + p->extra;
	p->nline = 0;
	p->group_accounts++;
	st = o2c_bank_add_stmt(p->res);
	st->message = "bai2";
	p->cur = p->res->nstmts - 1;
	st->first_line = p->lineno;
	st->account = o2c_bank_strndup(p->res, acct, acctn);
	st->statement_id = p->file_id
		? o2c_bank_concat(p->res, o2c_bank_concat(p->res, p->file_id, strlen(p->file_id), "/", 1),
						  strlen(p->file_id) + 1, acct, acctn)
		: st->account;
	if (!next_field(f, &ccy, &n))
		n = 0;
	if (n == 0)
	{
		ccy = p->group_ccy;
		n = 3;
	}
	if (n != 3)
		return syntax(p, "a 3-letter currency in the 03 record");
	st->currency = o2c_bank_strndup(p->res, ccy, 3);
	minor = o2c_currency_minor_units(ccy, 3);
	p->minor = minor >= 0 ? minor : 2;
	st->dscale = p->minor;
	/* summary and status items: type code, amount, item count, funds type */
	while (next_field(f, &s, &n))
	{
		char		code[4] = "";
		const char *a;
		size_t		an;
		__int128	v = 0;
		bool		present = false;
		long		items;

		if (n == 3)
			memcpy(code, s, 3);
		else if (n != 0)
			return syntax(p, "a 3-digit type code in the 03 record");
		if (next_field(f, &a, &an) && !raw_amount(p, a, an, &v, &present))
			return false;
		if (!count_field(p, f, &items, "an item count") || !funds(p, f, NULL, NULL))
			return false;
		p->acct_total += v;
		if (present && strcmp(code, "010") == 0)
		{
			st->has_opening = true;
			if (!to_units(p, v, &st->opening))
				return false;
		}
		else if (present && strcmp(code, "015") == 0)
		{
			st->has_closing = true;
			if (!to_units(p, v, &st->closing))
				return false;
		}
	}
	return true;
}

static bool
rec_16(Bai2 *p, Fields *f)
{
	const char *s;
	size_t		n;
	int			code;
	__int128	v;
	bool		present;
	int32_t		vdate = 0;
	O2cBankLine *l;
	const char *bref,
			   *cref;
	size_t		bn = 0,
				cn = 0;

	if (!p->in_account)
		return syntax(p, "an 03 account record before 16");
	/* banks write '/' inside references (AB/GS/0001): only the last ends it */
	f->slash_at_end = true;
	if (!next_field(f, &s, &n) || n != 3 || s[0] < '0' || s[0] > '9' ||
		s[1] < '0' || s[1] > '9' || s[2] < '0' || s[2] > '9')
		return syntax(p, "a 3-digit type code in the 16 record");
	code = (s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0');
	if (code < 100 || code > 699)
		return o2c_fail(p->err, O2C_ERR_SYNTAX,
						"invalid BAI2 file: line %d: detail type code %03d is neither a credit (100-399) nor a debit (400-699)",
						p->lineno, code);
	l = o2c_bank_add_line(p->res);
	l->type_code = o2c_bank_strndup(p->res, s, 3);
	if (!next_field(f, &s, &n))
		n = 0;
	if (!raw_amount(p, s, n, &v, &present))
		return false;
	if (!present || v < 0)
		return syntax(p, "an unsigned amount in the 16 record");
	p->acct_total += v;
	if (!funds(p, f, &vdate, NULL))
		return false;
	if (next_field(f, &bref, &bn) && next_field(f, &cref, &cn))
	{
		/* the text is the rest of the record, commas and all */
		size_t		start = f->done ? f->n : f->pos;
		const char *t = f->s + start;
		size_t		tn = f->n - start;

		/* empty trailing fields (",,,/") are no text */
		while (tn > 0 && (t[tn - 1] == ' ' || t[tn - 1] == '/' || t[tn - 1] == ','))
			tn--;
		while (tn > 0 && t[0] == ' ')
			t++, tn--;
		if (tn > 0)
			l->remittance = o2c_bank_strndup(p->res, t, tn);
		if (cn > 0)
			l->reference = o2c_bank_strndup(p->res, cref, cn);
		f->done = true;
	}
	if (bn > 0)
		l->bank_reference = o2c_bank_strndup(p->res, bref, bn);
	l->line_no = ++p->nline;
	l->credit = code < 400;
	if (!to_units(p, v, &l->amount))
		return false;
	if (!l->credit)
		l->amount = -l->amount;
	l->booking_date = p->as_of;
	l->value_date = vdate ? vdate : p->as_of;
	return true;
}

static bool
trailer(Bai2 *p, Fields *f, const char *what, __int128 records_total,
		long count, long expect_count, const char *count_what, long records)
{
	const char *s;
	size_t		n;
	__int128	v;
	bool		present;
	long		c,
				r;
	const char *id = p->cur >= 0 && p->cur < p->res->nstmts
		? p->res->stmts[p->cur].statement_id : p->file_id;

	if (!next_field(f, &s, &n) || !raw_amount(p, s, n, &v, &present))
		return syntax(p, "a control total in the trailer");
	if (count_what != NULL)
	{
		if (!count_field(p, f, &c, "a count in the trailer"))
			return false;
	}
	else
		c = -1;
	if (!count_field(p, f, &r, "a record count in the trailer"))
		return false;
	if (present && v != records_total && !total_mismatch(p, what, id, v, records_total))
		return false;
	if (c >= 0 && c != expect_count && !total_mismatch(p, count_what, id, c, expect_count))
		return false;
	if (r >= 0 && r != records && !total_mismatch(p, "record count", id, r, records))
		return false;
	(void) count;
	return true;
}

/*
 * Has a 16 record (rec, n bytes so far) reached its text field? Its fields
 * are 16, type code, amount, funds type and the funds type's own fields (S:
 * 3, V: 2, D: a count and as many pairs), bank and customer reference, then
 * the text.
 */
static bool
text_started(const char *rec, size_t n)
{
	size_t		i;
	long		field = 0;
	long		text_field = 6;
	size_t		start = 0;

	for (i = 0; i <= n; i++)
	{
		if (i < n && rec[i] != ',')
			continue;
		/* field `field` spans rec[start..i) */
		if (field == 3 && i - start == 1)
		{
			char		ft = rec[start];

			text_field += ft == 'S' ? 3 : ft == 'V' ? 2 : ft == 'D' ? 1 : 0;
		}
		else if (field == 4 && text_field == 7 && i < n)
		{
			/* D: the count of (amount, days) pairs that follow */
			long		k = 0;
			size_t		j;

			for (j = start; j < i && rec[j] >= '0' && rec[j] <= '9' && k < 1000; j++)
				k = k * 10 + (rec[j] - '0');
			text_field += 2 * k;
		}
		if (i == n)
			break;
		field++;
		start = i + 1;
		if (field >= text_field)
			return true;
	}
	return false;
}

/* Lax: say what was skipped; strict: refuse it. */
static bool
strict_or_warn(Bai2 *p, const char *what, const char *skipped)
{
	const char *id = p->cur >= 0 && p->cur < p->res->nstmts
		? p->res->stmts[p->cur].statement_id : p->file_id;

	if (!p->strict)
	{
		o2c_bank_warn(p->res, "BAI2 file \"%s\": line %d: %s; %s",
					  o2c_quote_cstr(id ? id : ""), p->lineno, what, skipped);
		return true;
	}
	o2c_fail(p->err, O2C_ERR_SYNTAX, "invalid BAI2 file: line %d: %s", p->lineno, what);
	o2c_fail_hint(p->err, "Pass strict => false to read it anyway (%s).", skipped);
	return false;
}

static bool
record(Bai2 *p, const char *s, size_t n)
{
	Fields		f = {s, n, 0, false, false};
	const char *t;
	size_t		tn;

	if (!next_field(&f, &t, &tn) || tn != 2)
	{
		char		what[80];
		size_t		k;

		/* quote a short printable prefix of the record */
		for (k = 0; k < n && k < 20 && (unsigned char) s[k] >= 0x20 && s[k] != '"'; k++)
			;
		snprintf(what, sizeof(what), "unknown record \"%.*s\"", (int) k, s);
		return strict_or_warn(p, what, "record skipped");
	}
	/* a record and its continuations all count in the trailers */
	p->file_records += 1 + p->extra;
	if (p->in_group)
		p->group_records += 1 + p->extra;
	if (p->in_account)
		p->acct_records += 1 + p->extra;
	if (memcmp(t, "01", 2) == 0)
	{
		int			i;

		if (p->in_file)
			return syntax(p, "99 file trailer before a new 01");
		p->in_file = true;
		p->file_total = 0;
		p->file_records = 1 + p->extra;
		p->file_groups = 0;
		for (i = 1; next_field(&f, &t, &tn); i++)
			if (i == 5 && tn > 0)
				p->file_id = o2c_bank_strndup(p->res, t, tn);
		return true;
	}
	if (!p->in_file)
		return syntax(p, "01 file header");
	if (memcmp(t, "02", 2) == 0)
	{
		p->file_groups++;
		return rec_02(p, &f);
	}
	if (memcmp(t, "03", 2) == 0)
		return rec_03(p, &f);
	if (memcmp(t, "16", 2) == 0)
		return rec_16(p, &f);
	if (memcmp(t, "49", 2) == 0)
	{
		if (!p->in_account)
			return syntax(p, "an 03 account record before 49");
		p->in_account = false;
		p->group_total += p->acct_total;
		if (!trailer(p, &f, "account control total", p->acct_total, 0, 0, NULL, p->acct_records))
			return false;
		p->cur = -1;
		return true;
	}
	if (memcmp(t, "98", 2) == 0)
	{
		if (!p->in_group || p->in_account)
			return syntax(p, p->in_account ? "49 account trailer before 98" : "02 group header before 98");
		p->in_group = false;
		p->file_total += p->group_total;
		return trailer(p, &f, "group control total", p->group_total, 0,
					   p->group_accounts, "number of accounts", p->group_records);
	}
	if (memcmp(t, "99", 2) == 0)
	{
		if (p->in_group)
			return syntax(p, "98 group trailer before 99");
		p->in_file = false;
		p->cur = -1;
		return trailer(p, &f, "file control total", p->file_total, 0,
					   p->file_groups, "number of groups", p->file_records);
	}
	{
		char		what[64];

		snprintf(what, sizeof(what), "unknown record type \"%.2s\"", t);
		/* no amount is lost: the records with amounts are the known ones */
		return strict_or_warn(p, what, "record skipped");
	}
}

bool
o2c_parse_bai2(const char *buf, size_t len, bool strict,
			   O2cBankResult *res, O2cError *err)
{
	Bai2		p;
	size_t		pos = 0;
	int			lineno = 0;
	char	   *rec = NULL;		/* the logical record: a line and its 88s */
	size_t		reclen = 0,
				reccap = 0;
	bool		ok = true;

	memset(&p, 0, sizeof(p));
	p.res = res;
	p.err = err;
	p.strict = strict;
	p.cur = -1;
	while (ok && pos < len)
	{
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t		end = nl ? (size_t) (nl - buf) : len;
		const char *s = buf + pos;
		size_t		n = end - pos;
		bool		cont;

		lineno++;
		pos = end + 1;
		if (n > 0 && s[n - 1] == '\r')
			n--;
		while (n > 0 && (unsigned char) s[0] < 0x20)
			s++, n--;
		if (n == 0)
			continue;
		cont = n >= 3 && memcmp(s, "88,", 3) == 0;
		if (cont && reclen == 0)
		{
			p.lineno = lineno;
			ok = syntax(&p, "a record before the 88 continuation");
			break;
		}
		if (cont)
		{
			/*
			 * An 88 continues the record's text with a space once a 16 has
			 * reached its text field; otherwise it continues with a field.
			 */
			char		sep = reclen >= 2 && memcmp(rec, "16", 2) == 0 &&
				text_started(rec, reclen) ? ' ' : ',';

			/* a record ending in ',' (not ",/") already ends its last field */
			if (sep == ',' && reclen > 0 && rec[reclen - 1] == '/')
				reclen--;
			else if (sep == ',' && reclen > 0 && rec[reclen - 1] == ',')
				sep = '\0';
			s += 3, n -= 3;
			if (reclen + 1 + n + 1 > reccap)
			{
				char	   *nr;

				reccap = (reclen + 1 + n + 1) * 2;
				nr = o2c_core_alloc(reccap);
				memcpy(nr, rec, reclen);
				o2c_core_free(rec);
				rec = nr;
			}
			if (sep != '\0')
				rec[reclen++] = sep;
			memcpy(rec + reclen, s, n);
			reclen += n;
			p.extra++;
			continue;
		}
		if (reclen > 0)
			ok = record(&p, rec, reclen);
		reclen = 0;
		p.extra = 0;
		if (!ok)
			continue;
		p.lineno = lineno;
		if (n + 1 > reccap)
		{
			o2c_core_free(rec);
			reccap = (n + 1) * 2;
			rec = o2c_core_alloc(reccap);
		}
		memcpy(rec, s, n);
		reclen = n;
	}
	if (ok && reclen > 0)
		ok = record(&p, rec, reclen);
	o2c_core_free(rec);
	if (ok && res->nstmts == 0 && !p.in_file && lineno > 0 && p.file_records == 0)
		ok = o2c_fail(err, O2C_ERR_SYNTAX, "invalid BAI2 file: no records found");
	if (ok && p.in_file)
	{
		p.lineno = lineno;
		ok = strict_or_warn(&p, p.in_account ? "no 49 account trailer at the end" :
							p.in_group ? "no 98 group trailer at the end" : "no 99 file trailer at the end",
							"read without its control totals");
	}
	if (ok)
		ok = o2c_bank_check_balances(res, err, strict);
	return ok;
}
