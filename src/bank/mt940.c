/*
 * mt940.c — SWIFT MT940 customer statements and MT942 interim reports to
 * lines (bankfmt.h).
 *
 * Reads tags :20: :25: :28C: :60F:/:60M: :61: :86: :62F:/:62M: and, of
 * MT942, :34F: :13D: :90D: :90C: (known others are skipped; an unknown tag
 * is a strict error and a lax warning, as are a statement without :25: and
 * an MT940 without closing balance), several statements per input, CRLF or
 * LF, an optional SWIFT block header ({1:...}{2:...}{4:) and trailer (-}),
 * control characters before a tag. A lone '-' line ends a message only
 * before the end of the input, a '{' block or the next :20: (bank header
 * lines may come between); elsewhere it is text of the field. :61: amounts
 * take a comma or a decimal point; type and reference may be missing. :86:
 * is read in its common structured forms: German ?nn sub-fields (also with
 * '~' or '>' as Polish and Dutch banks write them: ?00 booking text, ?20-?29
 * and ?60-?63 remittance, ?31 account, ?38 IBAN, ?32/?33 name), Dutch
 * /KEY/value pairs (/NAME/ /IBAN/ /REMI/ /EREF/ /CNTP/), Swiss and Polish
 * "KEYWORD:" labels; anything else is remittance text. The supplementary
 * details on the second line of :61: are the remittance when :86: gives
 * none. Every line of a field is kept, however many the bank writes
 * (SWIFT's 6 x 65 characters of :86: are exceeded in practice): no text is
 * cut. Plain C over buffers (core.h), so fuzzers reach it.
 */
#include <stdio.h>
#include <string.h>

#include "bankfmt.h"

typedef struct Mt940
{
	O2cBankResult *res;
	O2cError   *err;
	char		tag[8];			/* current field's tag, "" if none */
	int			tag_line;		/* input line where it starts */
	const char **seg;			/* the field's physical lines, all of them */
	size_t	   *seglen;
	int			nseg;
	int			segcap;
	char		prev_tag[8];	/* tag of the field flushed last */
	int			cur;			/* current statement, -1 if none */
	int			last_line;		/* last :61: line of it, -1 if none */
	int			nline;			/* lines in the current statement */
	bool		between;		/* before a message's :20: (headers allowed) */
	bool		content;		/* saw anything but white space */
	char	   *scratch;		/* joined field text */
	size_t		scratch_cap;
	bool		strict;
	/* the current statement's structure, checked at its end */
	bool		has25;
	bool		has62;
	bool		is942;			/* :34F:, :13D: or :90D:/:90C: seen */
	bool		next942;		/* a {2:...942 block before its :20: */
	int			stmt_lines;		/* index of the statement's first line */
	long		n90[2];			/* :90D: / :90C: count, -1 when absent */
	int64_t		sum90[2];
	int			line90[2];
	/* the input, for the look ahead after a lone '-' line */
	const char *buf;
	size_t		len;
	size_t		next;			/* start of the line after the current one */
	size_t		dash_until;		/* a look ahead's verdict holds up to here */
	bool		dash_ends;
} Mt940;

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool
is_upper(char c)
{
	return c >= 'A' && c <= 'Z';
}

static bool
is_alnum(char c)
{
	return is_digit(c) || is_upper(c) || (c >= 'a' && c <= 'z');
}

static void
trim(const char **s, size_t *n)
{
	while (*n > 0 && (**s == ' ' || **s == '\t'))
		(*s)++, (*n)--;
	while (*n > 0 && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'))
		(*n)--;
}

static char *
dup_trim(Mt940 *p, const char *s, size_t n)
{
	trim(&s, &n);
	return n ? o2c_bank_strndup(p->res, s, n) : NULL;
}

static int
digits(const char *s, int n)
{
	int			v = 0;
	int			i;

	for (i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

static bool
all_digits(const char *s, size_t avail, int n)
{
	int			i;

	if (avail < (size_t) n)
		return false;
	for (i = 0; i < n; i++)
		if (!is_digit(s[i]))
			return false;
	return true;
}

/* YYMMDD, years 80-99 in the 1900s; 0 and an error when not a date. */
static int32_t
yymmdd(Mt940 *p, const char *s, const char *what)
{
	int			y = digits(s, 2),
				m = digits(s + 2, 2),
				d = digits(s + 4, 2);

	y += y < 80 ? 2000 : 1900;
	if (!o2c_bank_valid_date(y, m, d) && !p->strict && m >= 1 && m <= 12 && d >= 29 && d <= 31)
	{
		/* German banks book quarter-end interest on 30 February */
		int			last = d;

		while (!o2c_bank_valid_date(y, m, last))
			last--;
		o2c_bank_warn(p->res, "MT940 statement \"%s\": line %d: %s \"%.6s\" is not a date; read as %04d-%02d-%02d",
					  o2c_quote_cstr(p->cur >= 0 && p->res->stmts[p->cur].statement_id ? p->res->stmts[p->cur].statement_id : ""),
					  p->tag_line, what, s, y, m, last);
		d = last;
	}
	if (!o2c_bank_valid_date(y, m, d))
	{
		o2c_fail(p->err, O2C_ERR_DATETIME,
				 "invalid MT940 statement: line %d: %s \"%.6s\" is not a date",
				 p->tag_line, what, s);
		if (m >= 1 && m <= 12 && d >= 29 && d <= 31)
			o2c_fail_hint(p->err, "Pass strict => false to read it as the last day of its month.");
		return 0;
	}
	return y * 10000 + m * 100 + d;
}

static bool
syntax(Mt940 *p, const char *expected)
{
	return o2c_fail(p->err, O2C_ERR_SYNTAX,
					"invalid MT940 statement: line %d: expected %s in :%s:",
					p->tag_line, expected, p->tag);
}

/* The current statement's id, for messages. */
static const char *
cur_id(Mt940 *p)
{
	return p->cur >= 0 && p->res->stmts[p->cur].statement_id
		? p->res->stmts[p->cur].statement_id : "";
}

/*
 * Something the strict mode refuses and the lax mode skips with a warning:
 * what says what is wrong, skipped what a lax read does about it.
 */
static bool
strict_or_warn(Mt940 *p, int line, const char *what, const char *skipped)
{
	const char *fmt = p->cur >= 0 ? o2c_bank_format_name(&p->res->stmts[p->cur]) : "MT940";

	if (!p->strict)
	{
		o2c_bank_warn(p->res, "%s statement \"%s\": line %d: %s; %s",
					  fmt, o2c_quote_cstr(cur_id(p)), line, what, skipped);
		return true;
	}
	o2c_fail(p->err, O2C_ERR_SYNTAX, "%s statement \"%s\": line %d: %s",
			 fmt, o2c_quote_cstr(cur_id(p)), line, what);
	o2c_fail_hint(p->err, "Pass strict => false to read it anyway (%s).", skipped);
	return false;
}

/*
 * Join the field's lines. Lines of 65 characters or more were cut by the
 * bank's line length and are joined directly, as are lines starting a
 * sub-field (? or /); other breaks become a space.
 */
static const char *
joined(Mt940 *p, size_t *outlen)
{
	size_t		need = 1;
	size_t		n = 0;
	int			i;

	for (i = 0; i < p->nseg; i++)
		need += p->seglen[i] + 1;
	if (need > p->scratch_cap)
	{
		o2c_core_free(p->scratch);
		p->scratch_cap = need * 2;
		p->scratch = o2c_core_alloc(p->scratch_cap);
	}
	for (i = 0; i < p->nseg; i++)
	{
		if (i > 0 && p->seglen[i - 1] < 65 && p->seglen[i] > 0 &&
			p->seg[i][0] != '?' && p->seg[i][0] != '/')
			p->scratch[n++] = ' ';
		memcpy(p->scratch + n, p->seg[i], p->seglen[i]);
		n += p->seglen[i];
	}
	p->scratch[n] = '\0';
	*outlen = n;
	return p->scratch;
}

static bool
balance(Mt940 *p, bool opening)
{
	O2cBankStmt *s = &p->res->stmts[p->cur];
	const char *v = p->seg[0];
	size_t		n = p->seglen[0];
	int64_t		units;
	int			scale;
	int32_t		date;

	trim(&v, &n);
	if (n < 1 || (v[0] != 'C' && v[0] != 'D'))
		return syntax(p, "C or D");
	if (!all_digits(v + 1, n - 1, 6))
		return syntax(p, "a date YYMMDD");
	date = yymmdd(p, v + 1, "balance date");
	if (date == 0)
		return false;
	if (n < 10 || !is_upper(v[7]) || !is_upper(v[8]) || !is_upper(v[9]))
		return syntax(p, "a currency code");
	if (!o2c_bank_amount(v + 10, n - 10, &units, &scale))
		return syntax(p, "an amount such as 1234,56");
	if (v[0] == 'D')
		units = -units;
	if (s->currency == NULL)
		s->currency = o2c_bank_strndup(p->res, v + 7, 3);
	else if (memcmp(s->currency, v + 7, 3) != 0)
		return o2c_fail(p->err, O2C_ERR_SYNTAX,
						"invalid MT940 statement: line %d: currency %.3s differs from the statement's %s",
						p->tag_line, v + 7, s->currency);
	if (scale > s->dscale)
		s->dscale = scale;
	if (opening)
	{
		s->has_opening = true;
		s->opening = units;
	}
	else
	{
		s->has_closing = true;
		s->closing = units;
	}
	return true;
}

/* :61: value date, [entry date], mark, [funds code], amount, type, refs */
static bool
entry(Mt940 *p)
{
	O2cBankStmt *s = &p->res->stmts[p->cur];
	O2cBankLine *l;
	const char *v = p->seg[0];
	size_t		n = p->seglen[0];
	size_t		i = 0;
	size_t		start;
	int32_t		vdate,
				bdate;
	bool		credit;
	int64_t		units;
	int			scale;

	trim(&v, &n);
	if (!all_digits(v, n, 6))
		return syntax(p, "a value date YYMMDD");
	vdate = yymmdd(p, v, "value date");
	if (vdate == 0)
		return false;
	bdate = vdate;
	i = 6;
	if (all_digits(v + i, n - i, 4))
	{
		int			vy = vdate / 10000,
					vm = vdate / 100 % 100;
		int			m = digits(v + i, 2),
					d = digits(v + i + 2, 2);
		int			y = vy;

		/* the entry date has no year: the one closest to the value date */
		if (m - vm > 6)
			y--;
		else if (vm - m > 6)
			y++;
		/* lax: 30 February and the like as the month's last day, as above */
		if (!o2c_bank_valid_date(y, m, d) && !p->strict && m >= 1 && m <= 12 && d >= 29 && d <= 31)
		{
			int			last = d;

			while (!o2c_bank_valid_date(y, m, last))
				last--;
			o2c_bank_warn(p->res, "MT940 statement \"%s\": line %d: entry date \"%.4s\" is not a date; read as %04d-%02d-%02d",
						  o2c_quote_cstr(cur_id(p)), p->tag_line, v + i, y, m, last);
			d = last;
		}
		if (!o2c_bank_valid_date(y, m, d))
			return o2c_fail(p->err, O2C_ERR_DATETIME,
							"invalid MT940 statement: line %d: entry date \"%.4s\" is not a date",
							p->tag_line, v + i);
		bdate = y * 10000 + m * 100 + d;
		i += 4;
	}
	if (i < n && v[i] == 'R' && i + 1 < n && (v[i + 1] == 'C' || v[i + 1] == 'D'))
	{
		credit = v[i + 1] == 'D';	/* reversal of a debit is a credit */
		i += 2;
	}
	else if (i < n && (v[i] == 'C' || v[i] == 'D'))
	{
		credit = v[i] == 'C';
		i++;
	}
	else
		return syntax(p, "C, D, RC or RD after the dates");
	if (i + 1 < n && is_upper(v[i]) && (is_digit(v[i + 1]) || v[i + 1] == ','))
		i++;					/* funds code */
	start = i;
	/* some banks' exports write a decimal point, as camt does */
	while (i < n && (is_digit(v[i]) || v[i] == ',' || v[i] == '.'))
		i++;
	if (!o2c_bank_amount(v + start, i - start, &units, &scale))
		return syntax(p, "an amount such as 1234,56");
	/* type and reference may both be missing (some banks' exports) */
	if (i < n && (i + 4 > n || !is_upper(v[i])))
		return syntax(p, "a transaction type such as NTRF");

	l = o2c_bank_add_line(p->res);
	l->line_no = ++p->nline;
	l->value_date = vdate;
	l->booking_date = bdate;
	l->credit = credit;
	l->amount = credit ? units : -units;
	l->type_code = i < n ? dup_trim(p, v + i, 4) : NULL;
	if (scale > s->dscale)
		s->dscale = scale;
	i = i < n ? i + 4 : n;
	start = i;
	while (i < n && !(v[i] == '/' && i + 1 < n && v[i + 1] == '/'))
		i++;
	if (i - start != 6 || memcmp(v + start, "NONREF", 6) != 0)
		l->reference = dup_trim(p, v + start, i - start);
	if (i < n)
		l->bank_reference = dup_trim(p, v + i + 2, n - i - 2);

	/*
	 * The field's next line holds the supplementary details (subfield 9):
	 * the remittance until a :86: gives one, as camt.053's AddtlNtryInf.
	 */
	if (p->nseg > 1)
	{
		size_t		need = 0,
					rn = 0;
		char	   *r = NULL;

		/* joined in one allocation: lines are as many as the bank wrote */
		for (int k = 1; k < p->nseg; k++)
			need += p->seglen[k] + 1;
		for (int k = 1; k < p->nseg; k++)
		{
			const char *t = p->seg[k];
			size_t		tn = p->seglen[k];

			trim(&t, &tn);
			if (tn == 0)
				continue;
			if (r == NULL)
				r = o2c_core_alloc(need);
			else
				r[rn++] = ' ';
			memcpy(r + rn, t, tn);
			rn += tn;
		}
		if (r != NULL)
		{
			l->remittance = o2c_bank_strndup(p->res, r, rn);
			o2c_core_free(r);
		}
	}
	p->last_line = p->res->nlines - 1;
	return true;
}

/* German ?nn sub-fields after a 3-digit business code. */
static void
info_german(Mt940 *p, O2cBankLine *l, const char *t, size_t n)
{
	char		sep = t[3];
	size_t		i = 3;

	/* pieces gathered in place (they fit in n): sub-fields may be many */
	char	   *rem = o2c_core_alloc(n + 1);
	char	   *name = o2c_core_alloc(n + 1);
	size_t		remlen = 0,
				namelen = 0;
	bool		has_rem = false,
				has_name = false;
	const char *booking = NULL;
	size_t		booking_len = 0;

	while (i < n)
	{
		size_t		start;
		int			code;

		if (!(t[i] == sep && i + 2 < n && is_digit(t[i + 1]) && is_digit(t[i + 2])))
		{
			i++;
			continue;
		}
		code = digits(t + i + 1, 2);
		i += 3;
		start = i;
		while (i < n && !(t[i] == sep && i + 2 < n && is_digit(t[i + 1]) && is_digit(t[i + 2])))
			i++;
		if ((code >= 20 && code <= 29) || (code >= 60 && code <= 63))
		{
			/* sub-fields cut words at fixed widths: keep their spaces */
			memcpy(rem + remlen, t + start, i - start);
			remlen += i - start;
			has_rem = true;
		}
		else if (code == 31 && l->counterparty_account == NULL)
			l->counterparty_account = dup_trim(p, t + start, i - start);
		else if (code == 38)
		{
			/* the IBAN (Polish ~38), over the bare account number of ?31 */
			char	   *iban = dup_trim(p, t + start, i - start);

			if (iban != NULL)
				l->counterparty_account = iban;
		}
		else if (code == 0)
		{
			booking = t + start;
			booking_len = i - start;
		}
		else if (code == 32 || code == 33)
		{
			memcpy(name + namelen, t + start, i - start);
			namelen += i - start;
			has_name = true;
		}
	}
	if (has_name)
		l->counterparty_name = dup_trim(p, name, namelen);
	if (has_rem)
		l->remittance = dup_trim(p, rem, remlen);
	/* no purpose text: the booking text (?00) says what it was */
	if (l->remittance == NULL && booking != NULL)
		l->remittance = dup_trim(p, booking, booking_len);
	o2c_core_free(rem);
	o2c_core_free(name);
	/* SEPA end-to-end reference inside the purpose text */
	if (l->remittance != NULL && l->reference == NULL)
	{
		const char *e = strstr(l->remittance, "EREF+");

		if (e != NULL)
		{
			const char *end = e + 5;

			while (*end && !(is_upper(end[0]) && is_upper(end[1]) && is_upper(end[2]) &&
							 is_upper(end[3]) && end[4] == '+'))
				end++;
			if (end - (e + 5) != 11 || strncmp(e + 5, "NOTPROVIDED", 11) != 0)
				l->reference = dup_trim(p, e + 5, end - (e + 5));
		}
	}
	/* SEPA purpose: the text after SVWZ+ up to the next keyword */
	if (l->remittance != NULL)
	{
		const char *w = strstr(l->remittance, "SVWZ+");

		if (w != NULL)
		{
			const char *end = w + 5;

			while (*end && !(is_upper(end[0]) && is_upper(end[1]) && is_upper(end[2]) &&
							 is_upper(end[3]) && end[4] == '+'))
				end++;
			if (end > w + 5)
				l->remittance = dup_trim(p, w + 5, end - (w + 5));
		}
	}
}

static const char *const slash_keys[] = {
	"TRTP", "IBAN", "BIC", "NAME", "REMI", "EREF", "MARF", "CSID", "CNTP",
	"ORDP", "BENM", "ADDR", "PURP", "RTRN", "ULTC", "ULTD", "ULTB", "SVCL",
	"EXCH", "CHGS", "ISDT", "PREF", "OCMT", "ID", "CDTRREF", "CDTRREFTP", NULL
};

/* Length of the "/KEY/" at t, or 0 when t does not start one. */
static size_t
slash_key(const char *t, size_t n, int *which)
{
	int			k;

	if (n < 3 || t[0] != '/')
		return 0;
	for (k = 0; slash_keys[k]; k++)
	{
		size_t		kl = strlen(slash_keys[k]);

		if (n >= kl + 2 && memcmp(t + 1, slash_keys[k], kl) == 0 && t[kl + 1] == '/')
		{
			*which = k;
			return kl + 2;
		}
	}
	return 0;
}

static void
info_slash(Mt940 *p, O2cBankLine *l, const char *t, size_t n)
{
	size_t		i = 0;
	int			key;
	size_t		kl = slash_key(t, n, &key);

	/* /REMI/ values, trimmed and joined, gathered in place (they fit in n) */
	char	   *rem = o2c_core_alloc(n + 1);
	size_t		remlen = 0;

	while (kl > 0)
	{
		size_t		start = i + kl;
		size_t		end = start;
		int			next = -1;
		size_t		nkl = 0;
		const char *v;
		size_t		vn;
		const char *k = slash_keys[key];

		while (end < n && (nkl = slash_key(t + end, n - end, &next)) == 0)
			end++;
		v = t + start;
		vn = end - start;
		if (vn > 0 && v[vn - 1] == '/')
			vn--;
		if (strcmp(k, "REMI") == 0)
		{
			if (vn >= 6 && memcmp(v, "USTD//", 6) == 0)
				v += 6, vn -= 6;
			trim(&v, &vn);
			memcpy(rem + remlen, v, vn);
			remlen += vn;
		}
		else if (strcmp(k, "NAME") == 0 && l->counterparty_name == NULL)
			l->counterparty_name = dup_trim(p, v, vn);
		else if (strcmp(k, "IBAN") == 0 && l->counterparty_account == NULL)
			l->counterparty_account = dup_trim(p, v, vn);
		else if (strcmp(k, "EREF") == 0 && l->reference == NULL &&
				 !(vn == 11 && memcmp(v, "NOTPROVIDED", 11) == 0))
			l->reference = dup_trim(p, v, vn);
		else if (strcmp(k, "CNTP") == 0)
		{
			/* account/BIC/name/city */
			const char *f = v;
			size_t		left = vn;
			int			field;

			for (field = 0; field < 3 && left > 0; field++)
			{
				const char *slash = memchr(f, '/', left);
				size_t		fl = slash ? (size_t) (slash - f) : left;

				if (field == 0 && l->counterparty_account == NULL)
					l->counterparty_account = dup_trim(p, f, fl);
				else if (field == 2 && l->counterparty_name == NULL)
					l->counterparty_name = dup_trim(p, f, fl);
				if (slash == NULL)
					break;
				f = slash + 1;
				left -= fl + 1;
			}
		}
		i = end;
		kl = nkl;
		key = next;
	}
	if (remlen > 0)
		l->remittance = o2c_bank_strndup(p->res, rem, remlen);
	o2c_core_free(rem);
}

/*
 * Free text with "KEYWORD:" labels, as Swiss (PostFinance: AUFTRAGGEBER:,
 * MITTEILUNGEN:) and Polish banks (mBank: OD:, TYT.:, Z RACH.:, separated
 * by ';') write :86:. Role 0 name, 1 account, 2 remittance, 3 reference.
 */
static const struct
{
	const char *key;
	int			role;
}			info_keys[] =
{
	{"AUFTRAGGEBER:", 0}, {"BEGUENSTIGTER:", 0}, {"BEGÜNSTIGTER:", 0}, {"ZAHLUNGSEMPFAENGER:", 0},
	{"MITTEILUNGEN:", 2}, {"ZAHLUNGSZWECK:", 2}, {"REFERENZEN:", 3}, {"REFERENZ:", 3},
	{"OD:", 0}, {"DO:", 0}, {"Z RACH.:", 1}, {"NA RACH.:", 1}, {"TYT.:", 2},
	{"ID IPH:", -1}, {"TNR:", -1},
	{NULL, 0}
};

/* The info_keys entry starting at t[i] (after a separator), or -1. */
static int
info_key_at(const char *t, size_t n, size_t i)
{
	int			k;

	if (i > 0 && t[i - 1] != ' ' && t[i - 1] != ';')
		return -1;
	for (k = 0; info_keys[k].key; k++)
	{
		size_t		kl = strlen(info_keys[k].key);

		if (n - i >= kl && memcmp(t + i, info_keys[k].key, kl) == 0)
			return k;
	}
	return -1;
}

static bool
info_keywords(Mt940 *p, O2cBankLine *l, const char *t, size_t n)
{
	size_t		i;
	int			k = -1;
	size_t		start = 0;
	bool		any = false;

	for (i = 0; i <= n; i++)
	{
		int			next = i < n ? info_key_at(t, n, i) : -1;

		if (i < n && next < 0 && t[i] != ';')
			continue;
		if (k >= 0)
		{
			const char *v = t + start;
			size_t		vn = i - start;
			char	  **dst = NULL;

			switch (info_keys[k].role)
			{
				case 0:
					dst = &l->counterparty_name;
					break;
				case 1:
					dst = &l->counterparty_account;
					break;
				case 2:
					dst = &l->remittance;
					break;
				case 3:
					dst = &l->reference;
					break;
			}
			trim(&v, &vn);
			if (dst != NULL && *dst == NULL && vn > 0)
				*dst = o2c_bank_strndup(p->res, v, vn);
			k = -1;
		}
		if (next >= 0)
		{
			k = next;
			any = true;
			start = i + strlen(info_keys[k].key);
			i = start - 1;
		}
	}
	return any;
}

static void
info(Mt940 *p)
{
	O2cBankLine *l = &p->res->lines[p->last_line];
	size_t		n;
	const char *t = joined(p, &n);

	trim(&t, &n);
	if (n == 0)
		return;
	if (n > 4 && is_digit(t[0]) && is_digit(t[1]) && is_digit(t[2]) &&
		!is_alnum(t[3]) && t[3] != ' ' && t[3] != '/')
		info_german(p, l, t, n);
	else
	{
		int			key;

		if (slash_key(t, n, &key) > 0)
			info_slash(p, l, t, n);
		else if (!info_keywords(p, l, t, n) || l->remittance == NULL)
			l->remittance = dup_trim(p, t, n);
	}
}

/* :90D: / :90C: of MT942: number and sum of debit / credit entries */
static bool
totals(Mt940 *p, int which)
{
	O2cBankStmt *s = &p->res->stmts[p->cur];
	const char *v = p->seg[0];
	size_t		n = p->seglen[0];
	size_t		i = 0;
	long		count = 0;

	trim(&v, &n);
	while (i < n && is_digit(v[i]) && i < 9)
		count = count * 10 + (v[i++] - '0');
	if (i == 0 || i + 3 > n || !is_upper(v[i]) || !is_upper(v[i + 1]) || !is_upper(v[i + 2]))
		return syntax(p, "a number of entries and a currency");
	if (!o2c_bank_amount(v + i + 3, n - i - 3, &p->sum90[which], NULL))
		return syntax(p, "an amount such as 1234,56");
	if (s->currency == NULL)
		s->currency = o2c_bank_strndup(p->res, v + i, 3);
	p->n90[which] = count;
	p->line90[which] = p->tag_line;
	p->is942 = true;
	return true;
}

/*
 * The end of a statement: strict refuses, lax warns of, a statement without
 * :25:, an MT940 without a closing balance, MT942 totals not matching.
 */
static bool
statement_done(Mt940 *p)
{
	O2cBankStmt *s;
	int			k;

	if (p->cur < 0)
		return true;
	s = &p->res->stmts[p->cur];
	if (p->is942)
		s->message = "mt942";
	if (!p->has25 &&
		!strict_or_warn(p, s->first_line, "no :25: account identification", "read without an account"))
		return false;
	if (!p->is942 && !p->has62 &&
		!strict_or_warn(p, s->first_line, "no closing balance :62F: or :62M:", "read without a balance check"))
		return false;
	for (k = 0; k < 2; k++)
	{
		long		count = 0;
		__int128	sum = 0;
		int			l;
		char		what[200],
					a[48],
					b[48];

		if (p->n90[k] < 0)
			continue;
		for (l = p->stmt_lines; l < p->res->nlines; l++)
			if (p->res->lines[l].credit == (k == 1))
				count++, sum += p->res->lines[l].amount < 0 ? -p->res->lines[l].amount : p->res->lines[l].amount;
		if (count == p->n90[k] && sum == p->sum90[k])
			continue;
		o2c_bank_format(p->sum90[k], o2c_bank_stmt_scale(s), a);
		o2c_bank_format(sum, o2c_bank_stmt_scale(s), b);
		snprintf(what, sizeof(what), ":%s: says %ld entries of %s, the %s entries are %ld of %s",
				 k == 0 ? "90D" : "90C", p->n90[k], a, k == 0 ? "debit" : "credit", count, b);
		if (!p->strict)
		{
			o2c_bank_warn(p->res, "MT942 statement \"%s\": line %d: %s; read anyway",
						  o2c_quote_cstr(cur_id(p)), p->line90[k], what);
			continue;
		}
		o2c_fail(p->err, O2C_ERR_DATA, "MT942 statement \"%s\": line %d: :%s: does not match its entries",
				 o2c_quote_cstr(cur_id(p)), p->line90[k], k == 0 ? "90D" : "90C");
		o2c_fail_detail(p->err, "Statement \"%s\": %s.", o2c_quote_cstr(cur_id(p)), what);
		o2c_fail_hint(p->err, "Pass strict => false to read the lines anyway.");
		return false;
	}
	return true;
}

/* Tags read or knowingly skipped; any other is unknown. */
static bool
known_tag(const char *tag)
{
	static const char *const tags[] = {
		"20", "21", "25", "25P", "28", "28C", "60F", "60M", "61", "86", "62F", "62M",
		"64", "65", "34F", "13", "13D", "90D", "90C", "NS", NULL
	};
	int			k;

	for (k = 0; tags[k]; k++)
		if (strcmp(tag, tags[k]) == 0)
			return true;
	return false;
}

static bool
flush(Mt940 *p)
{
	const char *tag = p->tag;
	bool		ok = true;

	if (tag[0] == '\0')
		return true;
	if (strcmp(tag, "20") == 0)
	{
		O2cBankStmt *s;

		if (!statement_done(p))
			return false;
		s = o2c_bank_add_stmt(p->res);
		s->message = "mt940";
		s->statement_id = dup_trim(p, p->seg[0], p->seglen[0]);
		s->first_line = p->tag_line;
		p->cur = p->res->nstmts - 1;
		p->last_line = -1;
		p->nline = 0;
		p->has25 = p->has62 = false;
		p->is942 = p->next942;
		p->next942 = false;
		p->n90[0] = p->n90[1] = -1;
		p->stmt_lines = p->res->nlines;
	}
	else if (p->cur < 0)
		ok = o2c_fail(p->err, O2C_ERR_SYNTAX,
					  "invalid MT940 statement: line %d: expected :20: before :%s:",
					  p->tag_line, tag);
	else if (strcmp(tag, "25") == 0 || strcmp(tag, "25P") == 0)
	{
		p->res->stmts[p->cur].account = dup_trim(p, p->seg[0], p->seglen[0]);
		p->has25 = true;
	}
	else if (strcmp(tag, "28C") == 0 || strcmp(tag, "28") == 0)
	{
		O2cBankStmt *s = &p->res->stmts[p->cur];
		const char *v = p->seg[0];
		size_t		n = p->seglen[0];

		trim(&v, &n);
		if (n > 0)
		{
			if (s->statement_id == NULL)
				s->statement_id = o2c_bank_strndup(p->res, v, n);
			else
			{
				size_t		il = strlen(s->statement_id);
				char	   *id = o2c_bank_concat(p->res, s->statement_id, il, "/", 1);

				s->statement_id = o2c_bank_concat(p->res, id, il + 1, v, n);
			}
		}
	}
	else if (strcmp(tag, "60F") == 0 || strcmp(tag, "60M") == 0)
		ok = balance(p, true);
	else if (strcmp(tag, "62F") == 0 || strcmp(tag, "62M") == 0)
	{
		ok = balance(p, false);
		p->has62 = true;
	}
	else if (strcmp(tag, "61") == 0)
		ok = entry(p);
	else if (strcmp(tag, "86") == 0)
	{
		if (p->last_line >= 0 && strcmp(p->prev_tag, "61") == 0)
		{
			O2cBankLine *l = &p->res->lines[p->last_line];
			char	   *supplementary = l->remittance; /* from :61:, or NULL */

			l->remittance = NULL;
			info(p);
			if (l->remittance == NULL)
				l->remittance = supplementary;
		}
	}
	else if (strcmp(tag, "90D") == 0 || strcmp(tag, "90C") == 0)
		ok = totals(p, tag[2] == 'C');
	else if (strcmp(tag, "34F") == 0 || strcmp(tag, "13D") == 0 || strcmp(tag, "13") == 0)
	{
		O2cBankStmt *s = &p->res->stmts[p->cur];
		const char *v = p->seg[0];
		size_t		n = p->seglen[0];

		/* an interim report has no balances: its floor limit names the currency */
		trim(&v, &n);
		if (tag[1] == '4' && s->currency == NULL && n >= 3 &&
			is_upper(v[0]) && is_upper(v[1]) && is_upper(v[2]))
			s->currency = o2c_bank_strndup(p->res, v, 3);
		p->is942 = true;
	}
	else if (!known_tag(tag))
	{
		char		what[40];

		snprintf(what, sizeof(what), "unknown tag :%s:", tag);
		ok = strict_or_warn(p, p->tag_line, what, "skipped");
	}
	memcpy(p->prev_tag, p->tag, sizeof(p->tag));
	p->tag[0] = '\0';
	p->nseg = 0;
	return ok;
}

/* Does the line start a field (":tag:")? Sets the tag and the value start. */
static bool
tag_start(const char *s, size_t n, char tag[8], size_t *vstart)
{
	size_t		i = 1;

	if (n < 3 || s[0] != ':')
		return false;
	while (i < n && i <= 4 && is_alnum(s[i]))
		i++;
	if (i == 1 || i >= n || s[i] != ':')
		return false;
	memcpy(tag, s + 1, i - 1);
	tag[i - 1] = '\0';
	*vstart = i + 1;
	return true;
}

/* Add a physical line to the current field: every line is kept. */
static void
add_segment(Mt940 *p, const char *s, size_t n)
{
	if (p->nseg == p->segcap)
	{
		int			cap = p->segcap ? p->segcap * 2 : 64;
		const char **seg = o2c_core_alloc(cap * sizeof(*seg));
		size_t	   *seglen = o2c_core_alloc(cap * sizeof(*seglen));

		if (p->nseg > 0)
		{
			memcpy(seg, p->seg, p->nseg * sizeof(*seg));
			memcpy(seglen, p->seglen, p->nseg * sizeof(*seglen));
		}
		o2c_core_free(p->seg);
		o2c_core_free(p->seglen);
		p->seg = seg;
		p->seglen = seglen;
		p->segcap = cap;
	}
	p->seg[p->nseg] = s;
	p->seglen[p->nseg] = n;
	p->nseg++;
}

/*
 * Does a lone '-' line end the message? Only when what follows it is the end
 * of the input, a new '{' block, "-}", or a new message (:20:, perhaps after
 * bank header lines such as "940" or ":940:"); before any other tag it is
 * text of the field. The verdict holds up to the line where the look ahead
 * stopped, so a run of '-' lines is looked at once.
 */
static bool
dash_ends_message(Mt940 *p)
{
	size_t		pos = p->next;

	if (pos < p->dash_until)
		return p->dash_ends;
	p->dash_ends = true;
	while (pos < p->len)
	{
		const char *nl = memchr(p->buf + pos, '\n', p->len - pos);
		size_t		end = nl ? (size_t) (nl - p->buf) : p->len;
		const char *s = p->buf + pos;
		size_t		n = end - pos;
		char		tag[8];
		size_t		v;

		while (n > 0 && ((unsigned char) s[0] < 0x20 || s[0] == ' '))
			s++, n--;
		if (n > 0 && (s[0] == '{' || (n >= 2 && s[0] == '-' && s[1] == '}')))
			break;
		if (tag_start(s, n, tag, &v) && known_tag(tag))
		{
			p->dash_ends = strcmp(tag, "20") == 0;
			break;
		}
		pos = end + 1;
	}
	p->dash_until = pos;
	return p->dash_ends;
}

static bool
one_line(Mt940 *p, const char *s, size_t n, int lineno)
{
	char		tag[8];
	size_t		v;

	/* control characters (SOH, ETX, ...) before a tag are transport noise */
	while (n > 0 && (unsigned char) s[0] < 0x20)
		s++, n--;
	if (n > 0)
		p->content = true;
	if (n >= 2 && s[0] == '-' && s[1] == '}')
	{
		p->between = true;
		if (!flush(p))
			return false;
		return one_line(p, s + 2, n - 2, lineno);
	}
	if (n > 0 && s[0] == '{')
	{
		/* SWIFT blocks: the text block {4: holds the fields */
		size_t		i;

		if (!flush(p))
			return false;
		for (i = 0; i + 3 <= n; i++)
		{
			/* the application header names the message: {2:O942... or {2:I942... */
			if (i + 7 <= n && memcmp(s + i, "{2:", 3) == 0 && memcmp(s + i + 4, "942", 3) == 0)
				p->next942 = true;
			if (s[i] == '{' && s[i + 1] == '4' && s[i + 2] == ':')
				return one_line(p, s + i + 3, n - i - 3, lineno);
		}
		return true;
	}
	if (n == 1 && s[0] == '-' && p->tag[0] != '\0' && !dash_ends_message(p))
	{
		/* a '-' line of text inside a field (a :86: list, a signature) */
		add_segment(p, s, n);
		return true;
	}
	if (n == 1 && (s[0] == '-' || s[0] == '}'))
	{
		p->between = true;
		return flush(p);
	}
	if (tag_start(s, n, tag, &v))
	{
		/* bank headers (":940:", "940 00") before a message's :20: */
		if (p->between && strcmp(tag, "20") != 0)
		{
			static const char *const content[] = {
				"25", "28", "28C", "60F", "60M", "61", "62F", "62M", "64", "65", "86", NULL
			};
			int			k;

			for (k = 0; content[k]; k++)
				if (strcmp(tag, content[k]) == 0)
					return o2c_fail(p->err, O2C_ERR_SYNTAX,
									"invalid MT940 statement: line %d: expected :20: before :%s:",
									lineno, tag);
			return true;
		}
		p->between = false;
		if (!flush(p))
			return false;
		memcpy(p->tag, tag, sizeof(tag));
		p->tag_line = lineno;
		p->nseg = 0;
		add_segment(p, s + v, n - v);
		return true;
	}
	if (p->tag[0] != '\0')
	{
		/* a continuation line, kept however many there are */
		if (n > 0)
			add_segment(p, s, n);
		return true;
	}
	while (n > 0 && (s[0] == ' ' || s[0] == '\t'))
		s++, n--;
	if (n == 0 || p->between)
		return true;
	{
		char		found[24];
		size_t		k;

		/* the input is not NUL-terminated: copy what is quoted */
		for (k = 0; k < n && k < 20 && s[k] != '\0'; k++)
			found[k] = s[k];
		/* never cut a UTF-8 character in two */
		while (k > 0 && k < n && ((unsigned char) s[k] & 0xC0) == 0x80)
			k--;
		found[k] = '\0';
		return o2c_fail(p->err, O2C_ERR_SYNTAX,
						"invalid MT940 statement: line %d: expected a tag such as :20:, found \"%s\"",
						lineno, found);
	}
}

bool
o2c_parse_mt940(const char *buf, size_t len, bool strict,
				O2cBankResult *res, O2cError *err)
{
	Mt940		p;
	size_t		pos = 0;
	int			lineno = 0;
	bool		ok = true;

	memset(&p, 0, sizeof(p));
	p.res = res;
	p.err = err;
	p.cur = -1;
	p.last_line = -1;
	p.between = true;
	p.strict = strict;
	p.buf = buf;
	p.len = len;
	/* a UTF-8 byte order mark */
	if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
		pos = 3;
	while (ok && pos < len)
	{
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t		end = nl ? (size_t) (nl - buf) : len;
		size_t		n = end - pos;

		if (n > 0 && buf[pos + n - 1] == '\r')
			n--;
		/* a lone '-' with trailing blanks is one too */
		if (n > 1 && buf[pos] == '-')
		{
			size_t		m = n;

			while (m > 1 && (buf[pos + m - 1] == ' ' || buf[pos + m - 1] == '\t'))
				m--;
			if (m == 1)
				n = 1;
		}
		lineno++;
		p.next = end + 1;
		ok = one_line(&p, buf + pos, n, lineno);
		pos = end + 1;
	}
	if (ok)
		ok = flush(&p);
	if (ok)
		ok = statement_done(&p);
	o2c_core_free(p.scratch);
	o2c_core_free(p.seg);
	o2c_core_free(p.seglen);
	if (ok && res->nstmts == 0 && p.content)
		ok = o2c_fail(err, O2C_ERR_SYNTAX,
					  "invalid MT940 statement: no :20: tag found");
	if (ok)
		ok = o2c_bank_check_balances(res, err, strict);
	return ok;
}
