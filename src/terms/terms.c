/*
 * terms.c — payment terms: parser, canonical printer and date rules.
 *
 * Grammar (case-insensitive, any run of blanks between tokens):
 *   terms  := part { ";" part }
 *   part   := [ pct "%" ] simple
 *   simple := "NET" n [ "EOM" ] | d "/" k "NET" n [ "EOM" ]
 *           | d "%" k "NET" n [ "EOM" ] | day "PROX" | "COD" | "DUE ON RECEIPT"
 * A leading "p%" is an installment share unless a day count and NET follow
 * it ("2% 10 NET 30" is a discount). Several parts need a share each, and
 * the shares sum to exactly 100.
 *
 * Plain C over buffers (core.h): the text comes from users.
 */
#include <stdio.h>
#include <string.h>

#include "terms.h"

/* Numbers keep at most this many integer digits; longer ones are out of range. */
#define NUM_MAX_INT		1000000
#define WORD_MAX		16

typedef enum TokKind
{
	TOK_END,
	TOK_NUM,
	TOK_PCT,
	TOK_SLASH,
	TOK_SEMI,
	TOK_NET,
	TOK_EOM,
	TOK_PROX,
	TOK_COD,
	TOK_DUE,
	TOK_ON,
	TOK_RECEIPT
} TokKind;

typedef struct Token
{
	TokKind		kind;
	int			pos;			/* 1-based character position */
	int64_t		hundredths;		/* TOK_NUM: value x 100 (capped) */
	int			decimals;		/* TOK_NUM: digits after the point */
	bool		big;			/* TOK_NUM: integer part >= NUM_MAX_INT */
} Token;

typedef struct Parser
{
	const char *text;
	size_t		len;
	size_t		at;
	Token		tok;			/* current token */
	Token		ahead[3];		/* look-ahead, filled on demand */
	int			nahead;
	O2cError   *err;
} Parser;

static const struct
{
	const char *word;
	TokKind		kind;
}			keywords[] = {
	{"NET", TOK_NET}, {"EOM", TOK_EOM}, {"PROX", TOK_PROX}, {"COD", TOK_COD},
	{"DUE", TOK_DUE}, {"ON", TOK_ON}, {"RECEIPT", TOK_RECEIPT}
};

static inline bool
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static inline bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static inline bool
is_alpha(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static bool
syntax_error(Parser *p, int pos, const char *expected)
{
	O2cQuote	s;

	o2c_fail(p->err, O2C_ERR_SYNTAX, "invalid payment terms: \"%s\"", o2c_quote(&s, p->text, p->len));
	o2c_fail_detail(p->err, "Expected %s at position %d.", expected, pos);
	o2c_fail_hint(p->err, "Write terms such as \"NET 30\", \"NET 30 EOM\", \"2/10 NET 30\", \"15 PROX\", \"COD\" or \"40%% NET 0; 60%% NET 30\".");
	return false;
}

static bool
range_error(Parser *p, const char *what, const char *detail)
{
	O2cQuote	s;

	o2c_fail(p->err, O2C_ERR_VALUE, "%s out of range in payment terms \"%s\"", what, o2c_quote(&s, p->text, p->len));
	o2c_fail_detail(p->err, "%s", detail);
	return false;
}

/* Read the next token from the text; false (err set) on a bad character. */
static bool
lex(Parser *p, Token *t)
{
	while (p->at < p->len && is_blank(p->text[p->at]))
		p->at++;
	memset(t, 0, sizeof(*t));
	t->pos = (int) p->at + 1;
	if (p->at >= p->len)
	{
		t->kind = TOK_END;
		return true;
	}
	if (is_digit(p->text[p->at]))
	{
		int64_t		whole = 0;
		int64_t		frac = 0;

		while (p->at < p->len && is_digit(p->text[p->at]))
		{
			if (whole < NUM_MAX_INT)
				whole = whole * 10 + (p->text[p->at] - '0');
			p->at++;
		}
		if (p->at < p->len && p->text[p->at] == '.')
		{
			p->at++;
			if (p->at >= p->len || !is_digit(p->text[p->at]))
				return syntax_error(p, (int) p->at + 1, "a digit after the decimal point");
			while (p->at < p->len && is_digit(p->text[p->at]))
			{
				if (t->decimals < 2)
					frac = frac * 10 + (p->text[p->at] - '0');
				else if (p->text[p->at] != '0')
					t->decimals = 3;	/* more precision than hundredths */
				if (t->decimals < 2)
					t->decimals++;
				p->at++;
			}
			if (t->decimals == 1)
				frac *= 10;
		}
		t->kind = TOK_NUM;
		t->big = whole >= NUM_MAX_INT;
		t->hundredths = whole * 100 + frac;
		return true;
	}
	if (is_alpha(p->text[p->at]))
	{
		char		word[WORD_MAX + 1];
		size_t		n = 0,
					i;

		while (p->at < p->len && is_alpha(p->text[p->at]))
		{
			if (n < WORD_MAX)
				word[n++] = (char) (p->text[p->at] & ~0x20);	/* ASCII upper */
			p->at++;
		}
		word[n] = '\0';
		for (i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++)
			if (strcmp(word, keywords[i].word) == 0)
			{
				t->kind = keywords[i].kind;
				return true;
			}
		{
			O2cQuote	s;

			o2c_fail(p->err, O2C_ERR_SYNTAX, "invalid payment terms: \"%s\"", o2c_quote(&s, p->text, p->len));
			o2c_fail_detail(p->err, "Unknown word \"%s\" at position %d; expected NET, EOM, PROX, COD or DUE ON RECEIPT.", word, t->pos);
			return false;
		}
	}
	switch (p->text[p->at])
	{
		case '%':
			t->kind = TOK_PCT;
			break;
		case '/':
			t->kind = TOK_SLASH;
			break;
		case ';':
			t->kind = TOK_SEMI;
			break;
		default:
			return syntax_error(p, t->pos, "a number, a word, \"%\", \"/\" or \";\"");
	}
	p->at++;
	return true;
}

/* The token i places after the current one (0 = current). */
static bool
peek(Parser *p, int i, Token **t)
{
	if (i == 0)
	{
		*t = &p->tok;
		return true;
	}
	while (p->nahead < i)
	{
		if (!lex(p, &p->ahead[p->nahead]))
			return false;
		p->nahead++;
	}
	*t = &p->ahead[i - 1];
	return true;
}

static bool
advance(Parser *p)
{
	if (p->nahead > 0)
	{
		p->tok = p->ahead[0];
		memmove(&p->ahead[0], &p->ahead[1], sizeof(Token) * (p->nahead - 1));
		p->nahead--;
		return true;
	}
	return lex(p, &p->tok);
}

/* A whole day count in [lo, hi]; `what` names it in messages. */
static bool
take_days(Parser *p, int lo, int hi, const char *what, int *out)
{
	char		detail[128];

	if (p->tok.kind != TOK_NUM)
		return syntax_error(p, p->tok.pos, what);
	if (p->tok.decimals > 0)
		return syntax_error(p, p->tok.pos, "a whole number of days (no decimal point)");
	if (p->tok.big || p->tok.hundredths / 100 < lo || p->tok.hundredths / 100 > hi)
	{
		snprintf(detail, sizeof(detail), "The %s must be between %d and %d.", what, lo, hi);
		return range_error(p, what, detail);
	}
	*out = (int) (p->tok.hundredths / 100);
	return advance(p);
}

/* A percentage in hundredths, 0 < value < 100 (or <= 100 when allow_100). */
static bool
take_percent(Parser *p, bool allow_100, const char *what, int32_t *out)
{
	char		detail[128];

	if (p->tok.decimals > 2)
	{
		snprintf(detail, sizeof(detail), "The %s may have at most 2 decimals.", what);
		return range_error(p, what, detail);
	}
	if (p->tok.big || p->tok.hundredths <= 0 ||
		p->tok.hundredths > 10000 || (!allow_100 && p->tok.hundredths == 10000))
	{
		snprintf(detail, sizeof(detail), "The %s must be above 0 and %s 100.",
				 what, allow_100 ? "at most" : "below");
		return range_error(p, what, detail);
	}
	*out = (int32_t) p->tok.hundredths;
	return advance(p);
}

/* "NET n [EOM]" at the current token. */
static bool
parse_net(Parser *p, O2cTermPart *part)
{
	int			days;

	if (p->tok.kind != TOK_NET)
		return syntax_error(p, p->tok.pos, "\"NET\"");
	if (!advance(p) || !take_days(p, 0, 999, "net days", &days))
		return false;
	part->kind = O2C_TERM_NET;
	part->days = (int16_t) days;
	if (p->tok.kind == TOK_EOM)
	{
		part->eom = 1;
		return advance(p);
	}
	return true;
}

static bool
parse_simple(Parser *p, O2cTermPart *part)
{
	Token	   *next;

	switch (p->tok.kind)
	{
		case TOK_COD:
			part->kind = O2C_TERM_NET;
			return advance(p);
		case TOK_DUE:
			if (!advance(p))
				return false;
			if (p->tok.kind != TOK_ON)
				return syntax_error(p, p->tok.pos, "\"ON\" (DUE ON RECEIPT)");
			if (!advance(p))
				return false;
			if (p->tok.kind != TOK_RECEIPT)
				return syntax_error(p, p->tok.pos, "\"RECEIPT\" (DUE ON RECEIPT)");
			part->kind = O2C_TERM_NET;
			return advance(p);
		case TOK_NET:
			return parse_net(p, part);
		case TOK_NUM:
			if (!peek(p, 1, &next))
				return false;
			if (next->kind == TOK_PROX)
			{
				int			day;

				if (!take_days(p, 1, 31, "PROX day", &day) || !advance(p))
					return false;
				part->kind = O2C_TERM_PROX;
				part->prox_day = (uint8_t) day;
				return true;
			}
			if (next->kind == TOK_SLASH || next->kind == TOK_PCT)
			{
				int32_t		disc;
				int			k;

				if (!take_percent(p, false, "discount percentage", &disc) || !advance(p))
					return false;
				if (p->tok.kind != TOK_NUM)
					return syntax_error(p, p->tok.pos, "the discount days");
				if (!take_days(p, 0, 999, "discount days", &k) || !parse_net(p, part))
					return false;
				if (k > part->days)
					return range_error(p, "discount days",
									   "The discount days must not exceed the net days.");
				part->disc_pct = disc;
				part->disc_days = (int16_t) k;
				return true;
			}
			return syntax_error(p, next->pos, "\"/\", \"%\" or \"PROX\" after a number");
		case TOK_END:
			return syntax_error(p, p->tok.pos, "payment terms");
		default:
			return syntax_error(p, p->tok.pos,
								"\"NET\", \"COD\", \"DUE ON RECEIPT\", a discount such as \"2/10\" or a day before \"PROX\"");
	}
}

/* Is the current "n %" an installment share rather than "d% k NET n"? */
static bool
share_ahead(Parser *p, bool *is_share)
{
	Token	   *t1,
			   *t2,
			   *t3;

	*is_share = false;
	if (p->tok.kind != TOK_NUM)
		return true;
	if (!peek(p, 1, &t1))
		return false;
	if (t1->kind != TOK_PCT)
		return true;
	if (!peek(p, 2, &t2))
		return false;
	if (t2->kind == TOK_NUM)
	{
		if (!peek(p, 3, &t3))
			return false;
		if (t3->kind == TOK_NET)
			return true;		/* a discount */
	}
	*is_share = true;
	return true;
}

/* Hundredths without trailing zeros: 150 -> "1.5", 200 -> "2". */
static size_t
print_hundredths(char *buf, int32_t v)
{
	if (v % 100 == 0)
		return (size_t) sprintf(buf, "%d", (int) (v / 100));
	if (v % 10 == 0)
		return (size_t) sprintf(buf, "%d.%d", (int) (v / 100), (int) (v % 100 / 10));
	return (size_t) sprintf(buf, "%d.%02d", (int) (v / 100), (int) (v % 100));
}

int
o2c_terms_parse(const char *text, size_t len, O2cTermPart *parts, O2cError *err)
{
	Parser		p;
	int			n = 0;
	int			with_share = 0;
	int			missing_at = 0;	/* position of a part without a share */
	int64_t		total = 0;

	memset(&p, 0, sizeof(p));
	p.text = text;
	p.len = len;
	p.err = err;
	if (!lex(&p, &p.tok))
		return 0;
	for (;;)
	{
		O2cTermPart *part;
		bool		is_share;

		if (n == O2C_TERMS_MAX_PARTS)
		{
			O2cQuote	s;

			o2c_fail(err, O2C_ERR_VALUE, "too many installments in payment terms \"%s\"", o2c_quote(&s, p.text, p.len));
			o2c_fail_detail(err, "At most %d installments are allowed.", O2C_TERMS_MAX_PARTS);
			return 0;
		}
		part = &parts[n];
		memset(part, 0, sizeof(*part));
		part->pct = 10000;
		if (!share_ahead(&p, &is_share))
			return 0;
		if (!is_share && missing_at == 0)
			missing_at = p.tok.pos;
		if (is_share)
		{
			if (!take_percent(&p, true, "installment percentage", &part->pct) || !advance(&p))
				return 0;
			with_share++;
		}
		if (!parse_simple(&p, part))
			return 0;
		total += part->pct;
		n++;
		if (p.tok.kind == TOK_END)
			break;
		if (p.tok.kind != TOK_SEMI)
		{
			(void) syntax_error(&p, p.tok.pos, "\";\" or the end of the terms");
			return 0;
		}
		if (!advance(&p))
			return 0;
	}
	if (n > 1 && with_share < n)
	{
		(void) syntax_error(&p, missing_at, "a percentage such as \"50%\" before every installment");
		return 0;
	}
	if (total != 10000)
	{
		O2cQuote	s;
		char		sum[32];

		print_hundredths(sum, (int32_t) total);
		o2c_fail(err, O2C_ERR_VALUE, "installment percentages of payment terms \"%s\" sum to %s, not 100", o2c_quote(&s, p.text, p.len), sum);
		o2c_fail_hint(err, "Make the percentages before each installment add up to exactly 100.");
		return 0;
	}
	return n;
}

size_t
o2c_terms_print(const O2cTermPart *parts, int nparts, char *buf)
{
	size_t		n = 0;
	int			i;

	buf[0] = '\0';
	for (i = 0; i < nparts; i++)
	{
		const O2cTermPart *t = &parts[i];

		if (i > 0)
			n += (size_t) sprintf(buf + n, "; ");
		if (nparts > 1 || t->pct != 10000)
		{
			n += print_hundredths(buf + n, t->pct);
			n += (size_t) sprintf(buf + n, "%% ");
		}
		if (t->kind == O2C_TERM_PROX)
		{
			n += (size_t) sprintf(buf + n, "%d PROX", (int) t->prox_day);
			continue;
		}
		if (t->disc_pct > 0)
		{
			n += print_hundredths(buf + n, t->disc_pct);
			n += (size_t) sprintf(buf + n, "/%d ", (int) t->disc_days);
		}
		n += (size_t) sprintf(buf + n, "NET %d%s", (int) t->days, t->eom ? " EOM" : "");
	}
	return n;
}

bool
o2c_terms_part_valid(const O2cTermPart *t, O2cError *err)
{
	bool		ok;

	if (t->kind == O2C_TERM_PROX)
		ok = t->prox_day >= 1 && t->prox_day <= 31 && t->days == 0 &&
			t->eom == 0 && t->disc_pct == 0 && t->disc_days == 0;
	else if (t->kind == O2C_TERM_NET)
		ok = t->days >= 0 && t->days <= 999 && t->eom <= 1 && t->prox_day == 0 &&
			t->disc_pct >= 0 && t->disc_pct < 10000 &&
			t->disc_days >= 0 && t->disc_days <= t->days &&
			(t->disc_pct > 0 || t->disc_days == 0);
	else
		ok = false;
	ok = ok && t->pct >= 1 && t->pct <= 10000 && t->pad == 0;
	if (!ok)
		return o2c_fail(err, O2C_ERR_DATA, "invalid binary payment terms");
	return true;
}

#define CMP_FIELD(f) \
	do { if (a[i].f != b[i].f) return a[i].f < b[i].f ? -1 : 1; } while (0)

int
o2c_terms_cmp(const O2cTermPart *a, int na, const O2cTermPart *b, int nb)
{
	int			i;

	for (i = 0; i < na && i < nb; i++)
	{
		CMP_FIELD(kind);
		CMP_FIELD(days);
		CMP_FIELD(eom);
		CMP_FIELD(prox_day);
		CMP_FIELD(disc_pct);
		CMP_FIELD(disc_days);
		CMP_FIELD(pct);
	}
	return na == nb ? 0 : (na < nb ? -1 : 1);
}

/*
 * Proleptic Gregorian civil dates <-> days since 2000-01-01 (after Howard
 * Hinnant's public-domain algorithms), integer-only and exact.
 */
int64_t
o2c_days_from_civil(int y, int m, int d)
{
	int64_t		era,
				yoe,
				doy,
				doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468 - 10957;
}

void
o2c_civil_from_days(int32_t days, int *y, int *m, int *d)
{
	int64_t		z = (int64_t) days + 719468 + 10957;
	int64_t		era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t		doe = z - era * 146097;
	int64_t		yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t		doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t		mp = (5 * doy + 2) / 153;

	*d = (int) (doy - (153 * mp + 2) / 5 + 1);
	*m = (int) (mp < 10 ? mp + 3 : mp - 9);
	*y = (int) (yoe + era * 400 + (*m <= 2));
}

int
o2c_days_in_month(int y, int m)
{
	static const int dim[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	if (m == 2 && (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
		return 29;
	return dim[m - 1];
}

/* Beyond every representable date: callers range-check the result. */
#define MONTHS_BEYOND	((int64_t) 12 * 20000000)

/*
 * Same day `months` later, clamped to the month's last day (Jan 31 + 1 =
 * Feb 28/29); far out of range returns a value past any valid date.
 */
int64_t
o2c_add_months(int32_t date, int64_t months)
{
	int			y,
				m,
				d,
				dim;
	int64_t		mi;

	if (months > MONTHS_BEYOND || months < -MONTHS_BEYOND)
		return months > 0 ? INT64_MAX / 2 : INT64_MIN / 2;
	o2c_civil_from_days(date, &y, &m, &d);
	mi = (int64_t) y * 12 + (m - 1) + months;
	y = (int) (mi >= 0 ? mi / 12 : (mi - 11) / 12);
	m = (int) (mi - (int64_t) y * 12) + 1;
	dim = o2c_days_in_month(y, m);
	return o2c_days_from_civil(y, m, d < dim ? d : dim);
}

static int32_t
month_end(int32_t date)
{
	int			y,
				m,
				d;

	o2c_civil_from_days(date, &y, &m, &d);
	return date + (o2c_days_in_month(y, m) - d);
}

int64_t
o2c_term_due(const O2cTermPart *t, int32_t invoice_date)
{
	if (t->kind == O2C_TERM_PROX)
	{
		int			y,
					m,
					d,
					dim;

		o2c_civil_from_days(month_end(invoice_date) + 1, &y, &m, &d);
		dim = o2c_days_in_month(y, m);
		return o2c_days_from_civil(y, m, t->prox_day < dim ? t->prox_day : dim);
	}
	return (int64_t) (t->eom ? month_end(invoice_date) : invoice_date) + t->days;
}

int64_t
o2c_term_discount_until(const O2cTermPart *t, int32_t invoice_date)
{
	return (int64_t) (t->eom ? month_end(invoice_date) : invoice_date) + t->disc_days;
}
