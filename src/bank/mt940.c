/*
 * mt940.c — SWIFT MT940 customer statements to lines (bankfmt.h).
 *
 * Reads tags :20: :25: :28C: :60F:/:60M: :61: :86: :62F:/:62M: (others are
 * skipped), several statements per input, CRLF or LF, an optional SWIFT
 * block header ({1:...}{2:...}{4:) and trailer (-}), control characters
 * before a tag. :86: is read in its common structured forms: German ?nn
 * sub-fields (?20-?29 and ?60-?63 remittance, ?31 account, ?32/?33 name) and
 * Dutch /KEY/value pairs (/NAME/ /IBAN/ /REMI/ /EREF/ /CNTP/); anything else
 * is remittance text. The supplementary details on the second line of :61:
 * are the remittance when :86: gives none. Every line of a field is kept,
 * however many the bank writes (SWIFT's 6 x 65 characters of :86: are
 * exceeded in practice): no text is cut. Plain C over buffers (core.h), so
 * fuzzers reach it.
 */
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
	if (!o2c_bank_valid_date(y, m, d))
	{
		o2c_fail(p->err, O2C_ERR_DATETIME,
				 "invalid MT940 statement: line %d: %s \"%.6s\" is not a date",
				 p->tag_line, what, s);
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
	while (i < n && (is_digit(v[i]) || v[i] == ','))
		i++;
	if (!o2c_bank_amount(v + start, i - start, &units, &scale))
		return syntax(p, "an amount such as 1234,56");
	if (i + 4 > n || !is_upper(v[i]))
		return syntax(p, "a transaction type such as NTRF");

	l = o2c_bank_add_line(p->res);
	l->line_no = ++p->nline;
	l->value_date = vdate;
	l->booking_date = bdate;
	l->credit = credit;
	l->amount = credit ? units : -units;
	l->type_code = dup_trim(p, v + i, 4);
	if (scale > s->dscale)
		s->dscale = scale;
	i += 4;
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
		else if (code == 31)
			l->counterparty_account = dup_trim(p, t + start, i - start);
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
		else
			l->remittance = dup_trim(p, t, n);
	}
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
		O2cBankStmt *s = o2c_bank_add_stmt(p->res);

		s->message = "mt940";
		s->statement_id = dup_trim(p, p->seg[0], p->seglen[0]);
		s->first_line = p->tag_line;
		p->cur = p->res->nstmts - 1;
		p->last_line = -1;
		p->nline = 0;
	}
	else if (p->cur < 0)
		ok = o2c_fail(p->err, O2C_ERR_SYNTAX,
					  "invalid MT940 statement: line %d: expected :20: before :%s:",
					  p->tag_line, tag);
	else if (strcmp(tag, "25") == 0)
		p->res->stmts[p->cur].account = dup_trim(p, p->seg[0], p->seglen[0]);
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
		ok = balance(p, false);
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
			if (s[i] == '{' && s[i + 1] == '4' && s[i + 2] == ':')
				return one_line(p, s + i + 3, n - i - 3, lineno);
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
		lineno++;
		ok = one_line(&p, buf + pos, n, lineno);
		pos = end + 1;
	}
	if (ok)
		ok = flush(&p);
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
