/*
 * rules.c — the data-quality rule ids and severities, the single-row invoice
 * rules shared by quality_scan and invoice_guard, and reference similarity.
 */
#include "postgres.h"

#include "quality.h"
#include "core/currency.h"
#include "terms/termtype.h"

#include "catalog/pg_type.h"
#include "utils/builtins.h"
#include "utils/syscache.h"
#include "utils/date.h"
#include "utils/datetime.h"
#include "utils/numeric.h"

/* ------------------------------------------------------------ rule table */

const char *const o2c_rule_names[O2C_RULE_COUNT] = {
	[O2C_RULE_MISSING_CUSTOMER] = "missing_customer",
	[O2C_RULE_ZERO_AMOUNT] = "zero_amount",
	[O2C_RULE_NEGATIVE_AMOUNT] = "negative_amount",
	[O2C_RULE_DUE_BEFORE_INVOICE] = "due_before_invoice",
	[O2C_RULE_INVALID_CURRENCY] = "invalid_currency",
	[O2C_RULE_OPEN_EXCEEDS_AMOUNT] = "open_exceeds_amount",
	[O2C_RULE_NEGATIVE_OPEN] = "negative_open",
	[O2C_RULE_FUTURE_INVOICE_DATE] = "future_invoice_date",
	[O2C_RULE_INVALID_IBAN] = "invalid_iban",
	[O2C_RULE_INVALID_TERMS] = "invalid_terms",
	[O2C_RULE_TERMS_DUE_MISMATCH] = "terms_due_mismatch",
	[O2C_RULE_DUPLICATE_NUMBER] = "duplicate_number",
	[O2C_RULE_SUSPECTED_DUPLICATE] = "suspected_duplicate",
};

const char *const o2c_rule_severity[O2C_RULE_COUNT] = {
	[O2C_RULE_MISSING_CUSTOMER] = "error",
	[O2C_RULE_ZERO_AMOUNT] = "error",
	[O2C_RULE_NEGATIVE_AMOUNT] = "error",
	[O2C_RULE_DUE_BEFORE_INVOICE] = "error",
	[O2C_RULE_INVALID_CURRENCY] = "error",
	[O2C_RULE_OPEN_EXCEEDS_AMOUNT] = "error",
	[O2C_RULE_NEGATIVE_OPEN] = "error",
	[O2C_RULE_FUTURE_INVOICE_DATE] = "warning",
	[O2C_RULE_INVALID_IBAN] = "error",
	[O2C_RULE_INVALID_TERMS] = "error",
	[O2C_RULE_TERMS_DUE_MISMATCH] = "warning",
	[O2C_RULE_DUPLICATE_NUMBER] = "error",
	[O2C_RULE_SUSPECTED_DUPLICATE] = "warning",
};

bool
o2c_rule_on_by_default(int rule)
{
	return rule != O2C_RULE_NEGATIVE_AMOUNT;
}

int
o2c_rule_lookup(const char *name)
{
	for (int i = 0; i < O2C_RULE_COUNT; i++)
		if (strcmp(name, o2c_rule_names[i]) == 0)
			return i;
	return -1;
}

/* ------------------------------------------------------- single-row rules */

/* ISO 8601 whatever DateStyle says: findings are stored and compared. */
static char *
date_text(DateADT d)
{
	int			y,
				m,
				day;

	if (DATE_NOT_FINITE(d))
		return pstrdup(DATE_IS_NOBEGIN(d) ? "-infinity" : "infinity");
	j2date(d + POSTGRES_EPOCH_JDATE, &y, &m, &day);
	if (y <= 0)
		return psprintf("%04d-%02d-%02d BC", 1 - y, m, day);
	return psprintf("%04d-%02d-%02d", y, m, day);
}

/*
 * An amount read without copying: integers and numerics of up to 8 decimals
 * below 10^20 are compared as scaled integers (the exactsum fast path);
 * anything else falls back to numeric arithmetic.
 */
typedef struct Amount
{
	bool		fast;
	int128		units;
	Datum		d;
	Oid			type;
} Amount;

static void
amount_load(Amount *a, Datum d, Oid type)
{
	int32		dscale;

	a->d = d;
	a->type = type;
	a->fast = true;
	switch (type)
	{
		case INT2OID:
			a->units = (int128) DatumGetInt16(d) * 100000000;
			break;
		case INT4OID:
			a->units = (int128) DatumGetInt32(d) * 100000000;
			break;
		case INT8OID:
			a->units = (int128) DatumGetInt64(d) * 100000000;
			break;
		default:
			a->fast = o2c_numeric_units(d, &a->units, &dscale) == O2C_UNITS_FAST;
			break;
	}
}

static Numeric
amount_numeric(const Amount *a)
{
	return o2c_datum_amount(a->d, a->type);
}

static bool
amount_is_nan(const Amount *a)
{
	return !a->fast && numeric_is_nan(amount_numeric(a));
}

static int
amount_sign(const Amount *a)
{
	if (a->fast)
		return a->units > 0 ? 1 : a->units < 0 ? -1 : 0;
	return o2c_numeric_sign(amount_numeric(a));
}

static int
amount_cmp(const Amount *a, const Amount *b)
{
	if (a->fast && b->fast)
		return a->units < b->units ? -1 : a->units > b->units ? 1 : 0;
	return o2c_num_cmp(amount_numeric(a), amount_numeric(b));
}

static char *
amount_text(const Amount *a)
{
	return pstrdup(o2c_quote_cstr(o2c_num_text(amount_numeric(a))));
}

void
o2c_check_invoice_row(const O2cInvoiceVals *v, const bool *enabled,
					  O2cFindingFn emit, void *arg)
{
	Amount		amount,
				open;
	bool		has_amount = v->has_amount && !v->amount_null;
	bool		has_open = v->has_open && !v->open_null;
	bool		credit_note;

	if (has_amount)
		amount_load(&amount, v->amount, v->amount_type);
	/* Unless credit notes are refused, a negative amount is one. */
	credit_note = has_amount && !enabled[O2C_RULE_NEGATIVE_AMOUNT] &&
		!amount_is_nan(&amount) && amount_sign(&amount) < 0;
	if (has_open)
		amount_load(&open, v->open_amount, v->open_type);

	if (enabled[O2C_RULE_MISSING_CUSTOMER] && v->has_customer)
	{
		const char *c = v->customer_id;

		while (c != NULL && *c == ' ')
			c++;
		if (c == NULL || *c == '\0')
			emit(arg, O2C_RULE_MISSING_CUSTOMER, pstrdup("the invoice has no customer"));
	}
	if (enabled[O2C_RULE_ZERO_AMOUNT] && has_amount &&
		(amount_is_nan(&amount) || amount_sign(&amount) == 0))
		emit(arg, O2C_RULE_ZERO_AMOUNT,
			 psprintf("amount %s is neither positive (an invoice) nor negative (a credit note)", amount_text(&amount)));
	if (enabled[O2C_RULE_NEGATIVE_AMOUNT] && has_amount && !amount_is_nan(&amount) &&
		amount_sign(&amount) < 0)
		emit(arg, O2C_RULE_NEGATIVE_AMOUNT,
			 psprintf("amount %s is negative (a credit note, refused here)", amount_text(&amount)));
	if (enabled[O2C_RULE_DUE_BEFORE_INVOICE] && v->has_due_date &&
		v->has_invoice_date && !v->due_date_null && !v->invoice_date_null &&
		v->due_date < v->invoice_date)
		emit(arg, O2C_RULE_DUE_BEFORE_INVOICE,
			 psprintf("due date %s is before invoice date %s",
					  date_text(v->due_date), date_text(v->invoice_date)));
	if (enabled[O2C_RULE_INVALID_CURRENCY] && v->has_currency && v->currency != NULL &&
		o2c_currency_minor_units(v->currency, v->currency_len) == O2C_CURRENCY_UNKNOWN)
		emit(arg, O2C_RULE_INVALID_CURRENCY,
			 psprintf("currency \"%s\" is not an active ISO 4217 code",
					  o2c_quote(&(O2cQuote) {{0}}, v->currency, v->currency_len)));
	/* A credit note's open amount lies between its amount and 0. */
	if (enabled[O2C_RULE_OPEN_EXCEEDS_AMOUNT] && has_open && has_amount &&
		!amount_is_nan(&open) && !amount_is_nan(&amount) &&
		(credit_note ? amount_cmp(&open, &amount) < 0 || amount_sign(&open) > 0
		 : amount_cmp(&open, &amount) > 0))
		emit(arg, O2C_RULE_OPEN_EXCEEDS_AMOUNT,
			 credit_note ?
			 psprintf("open amount %s is outside credit note amount %s to 0",
					  amount_text(&open), amount_text(&amount)) :
			 psprintf("open amount %s exceeds amount %s",
					  amount_text(&open), amount_text(&amount)));
	if (enabled[O2C_RULE_NEGATIVE_OPEN] && has_open && !credit_note && !amount_is_nan(&open) &&
		amount_sign(&open) < 0)
		emit(arg, O2C_RULE_NEGATIVE_OPEN,
			 psprintf("open amount %s is negative", amount_text(&open)));
	if (enabled[O2C_RULE_FUTURE_INVOICE_DATE] && v->has_invoice_date &&
		!v->invoice_date_null && v->invoice_date > v->as_of &&
		!DATE_NOT_FINITE(v->invoice_date))
		emit(arg, O2C_RULE_FUTURE_INVOICE_DATE,
			 v->as_of_is_today ?
			 psprintf("invoice date %s is after the current date",
					  date_text(v->invoice_date)) :
			 psprintf("invoice date %s is after %s",
					  date_text(v->invoice_date), date_text(v->as_of)));
	if (enabled[O2C_RULE_TERMS_DUE_MISMATCH] && v->has_terms_due &&
		v->has_due_date && !v->due_date_null && v->due_date != v->terms_due)
	{
		char		buf[O2C_TERMS_TEXT_MAX];

		o2c_terms_print(v->terms_parts, v->terms_nparts, buf);
		emit(arg, O2C_RULE_TERMS_DUE_MISMATCH,
			 psprintf("due date %s differs from %s given by terms \"%s\" from invoice date %s%s%s%s",
					  date_text(v->due_date), date_text(v->terms_due), buf,
					  date_text(v->invoice_date),
					  v->calendar ? " on calendar \"" : "",
					  v->calendar ? v->calendar : "", v->calendar ? "\"" : ""));
	}
}

/* ------------------------------------------------------------ payment terms */

int
o2c_terms_datum_parts(Datum d, Oid type, Oid terms_type, O2cTermPart *buf,
					  const O2cTermPart **parts, char **invalid)
{
	text	   *t;
	O2cError	err;
	int			n;

	if (type == terms_type)
	{
		/* STORAGE plain: never toasted, read in place. */
		O2cTerms   *tv = DatumGetO2cTerms(d);

		*parts = tv->parts;
		return tv->nparts;
	}
	t = DatumGetTextPP(d);
	memset(&err, 0, sizeof(err));
	n = o2c_terms_parse(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t), buf, &err);
	if (n == 0 && invalid == NULL)
		o2c_raise(&err);
	if (n == 0)
	{
		/* 'invalid payment terms: "x"; unknown word "X" at position 1; ...' */
		char	   *why = pstrdup(err.detail);
		size_t		len = strlen(why);

		if (len > 0 && why[len - 1] == '.')
			why[len - 1] = '\0';
		why[0] = pg_tolower((unsigned char) why[0]);
		*invalid = why[0] ? psprintf("%s; %s", err.message, why) : pstrdup(err.message);
	}
	*parts = buf;
	return n;
}

DateADT
o2c_terms_parts_due(const O2cTermPart *parts, int n, DateADT invoice_date,
					const O2cCalendar *cal)
{
	DateADT		due = 0;

	o2c_check_finite_date(invoice_date, "invoice date");
	for (int i = 0; i < n; i++)
	{
		DateADT		d = o2c_part_due_adjusted(&parts[i], invoice_date, cal);

		if (i == 0 || d > due)
			due = d;
	}
	return due;
}

Oid
o2c_terms_type(Oid nsp)
{
	return GetSysCacheOid2(TYPENAMENSP, Anum_pg_type_oid,
						   CStringGetDatum("terms"), ObjectIdGetDatum(nsp));
}

/* ------------------------------------------------------ reference metrics */

char *
o2c_normalize_reference(const char *s)
{
	char	   *out = palloc(strlen(s) + 1);
	int			n = 0;
	bool		in_digits = false;

	for (; *s; s++)
	{
		char		c = *s;

		if (c >= 'A' && c <= 'Z')
			c = (char) (c - 'A' + 'a');
		if (c >= '0' && c <= '9')
		{
			/* Drop leading zeros of a digit run ("INV-0042" is "inv42"). */
			if (!in_digits && c == '0' && s[1] >= '0' && s[1] <= '9')
				continue;
			in_digits = true;
			out[n++] = c;
		}
		else if (c >= 'a' && c <= 'z')
		{
			in_digits = false;
			out[n++] = c;
		}
		else
			in_digits = false;
	}
	out[n] = '\0';
	return out;
}

int
o2c_bounded_levenshtein(const char *a, const char *b, int limit)
{
	int			la = strlen(a),
				lb = strlen(b);
	int		   *prev,
			   *cur;

	if (abs(la - lb) > limit)
		return limit + 1;
	if (la > 255 || lb > 255)
		return strcmp(a, b) == 0 ? 0 : limit + 1;
	prev = palloc((lb + 1) * sizeof(int));
	cur = palloc((lb + 1) * sizeof(int));
	for (int j = 0; j <= lb; j++)
		prev[j] = j;
	for (int i = 1; i <= la; i++)
	{
		int			best;

		cur[0] = i;
		best = cur[0];
		for (int j = 1; j <= lb; j++)
		{
			int			v = prev[j - 1] + (a[i - 1] != b[j - 1]);

			v = Min(v, prev[j] + 1);
			v = Min(v, cur[j - 1] + 1);
			cur[j] = v;
			best = Min(best, v);
		}
		if (best > limit)
		{
			pfree(prev);
			pfree(cur);
			return limit + 1;
		}
		{
			int		   *t = prev;

			prev = cur;
			cur = t;
		}
	}
	{
		int			d = prev[lb];

		pfree(prev);
		pfree(cur);
		return Min(d, limit + 1);
	}
}

