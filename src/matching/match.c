/*
 * match.c — o2c.match_payments: its options, the two inner queries read
 * through SPI (columns matched by name, types checked), and the result rows.
 * The engine itself (indexes, scoring, placement) is match_engine.c.
 *
 * The matching concern (src/matching/), above core and terms: string
 * metrics and normalizations (strsim.c, strsim_dl.c) and cash application
 * (match.c, match_engine.c). Reads payments and invoices through inner
 * queries; writes nothing (the cash-application job stores the matches).
 */
#include "postgres.h"

#include <math.h>

#include "core/o2c.h"
#include "match.h"
#include "strsim.h"
#include "core/currency.h"
#include "core/innerq.h"
#include "terms/termtype.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/numeric.h"
#include "utils/syscache.h"
#include "utils/tuplestore.h"

PG_FUNCTION_INFO_V1(o2c_match_payments);

/* ---------- options ---------- */

static double
option_number(JsonbValue *v, const char *key, double lo, double hi)
{
	double		d;

	if (v->type != jbvNumeric)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("option \"%s\" of match_payments must be a number", key)));
	d = DatumGetFloat8(DirectFunctionCall1(numeric_float8, NumericGetDatum(v->val.numeric)));
	if (!(d >= lo && d <= hi))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("option \"%s\" of match_payments is out of range: %g", key, d),
				 errdetail("It must lie between %g and %g.", lo, hi)));
	return d;
}

static int128
option_amount(JsonbValue *v, const char *key)
{
	int128		units;
	int32		dscale;

	if (v->type != jbvNumeric ||
		o2c_numeric_units(NumericGetDatum(v->val.numeric), &units, &dscale) != O2C_UNITS_FAST ||
		units < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("option \"%s\" of match_payments must be a non-negative number", key)));
	return units;
}

static void
parse_options(Jsonb *jb, Options *o)
{
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken tok;
	char	   *key = NULL;

	o->auto_threshold = 0.9;
	o->margin = 0.05;
	o->name_threshold = 0.85;
	o->tolerance = 0;
	o->tolerance_pct = 0;
	o->max_candidates = 25;
	o->max_invoices = 8;
	o->max_steps = 100000;
	o->applied_sql = NULL;
	if (jb == NULL)
		return;
	if (!JB_ROOT_IS_OBJECT(jb))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("options of match_payments must be a JSON object")));
	it = JsonbIteratorInit(&jb->root);
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		if (tok == WJB_KEY)
			key = pnstrdup(v.val.string.val, v.val.string.len);
		else if (tok == WJB_VALUE)
		{
			if (strcmp(key, "auto_threshold") == 0)
				o->auto_threshold = option_number(&v, key, 0, 1);
			else if (strcmp(key, "margin") == 0)
				o->margin = option_number(&v, key, 0, 1);
			else if (strcmp(key, "name_threshold") == 0)
				o->name_threshold = option_number(&v, key, 0, 1);
			else if (strcmp(key, "tolerance") == 0)
				o->tolerance = option_amount(&v, key);
			else if (strcmp(key, "tolerance_percent") == 0)
			{
				o->tolerance_pct = option_amount(&v, key);
				(void) option_number(&v, key, 0, 100);
			}
			else if (strcmp(key, "max_candidates") == 0)
				o->max_candidates = (int) option_number(&v, key, 0, 64);
			else if (strcmp(key, "max_invoices") == 0)
				o->max_invoices = (int) option_number(&v, key, 0, 64);
			else if (strcmp(key, "max_steps") == 0)
				o->max_steps = (int) option_number(&v, key, 0, 100000000);
			else if (strcmp(key, "applied_sql") == 0)
			{
				if (v.type != jbvString)
					ereport(ERROR,
							(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
							 errmsg("option \"applied_sql\" of match_payments must be a string holding a query")));
				o->applied_sql = pnstrdup(v.val.string.val, v.val.string.len);
			}
			else
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("unknown option of match_payments: \"%s\"", o2c_quote_cstr(key)),
						 errhint("Known options: auto_threshold, margin, name_threshold, tolerance, tolerance_percent, max_candidates, max_invoices, max_steps, applied_sql.")));
		}
	}
}

/* ---------- reading inner queries ---------- */

typedef struct Col
{
	const char *name;
	O2cColKind	kind;
	bool		required;
	int			attno;			/* 0 when absent */
	Oid			type;
	FmgrInfo	out;
} Col;

typedef struct QueryCtx
{
	const char *what;			/* "payments_sql" */
	const char *sql;
} QueryCtx;

static void
query_error_context(void *arg)
{
	QueryCtx   *q = arg;

	errcontext("inner query %s of match_payments: %s", q->what, o2c_quote_cstr(q->sql));
}

/* Bind the columns by name and type, the one way every inner query is read. */
static void
bind_columns(TupleDesc td, Col *cols, int ncols, const char *what, Oid terms_type)
{
	O2cColSpec *specs = palloc0(sizeof(O2cColSpec) * ncols);
	O2cCol	   *bound = palloc0(sizeof(O2cCol) * ncols);

	for (int i = 0; i < ncols; i++)
	{
		specs[i].name = cols[i].name;
		specs[i].kind = cols[i].kind;
		specs[i].required = cols[i].required;
	}
	o2c_innerq_bind(td, specs, ncols, bound, psprintf("%s of match_payments", what),
					terms_type);
	for (int i = 0; i < ncols; i++)
	{
		cols[i].attno = bound[i].attno;
		cols[i].type = bound[i].type;
		cols[i].out = bound[i].out;
	}
}

/* Text of a column, or NULL (absent column or NULL value). */
static char *
col_text(Col *c, HeapTuple tup, TupleDesc td)
{
	bool		isnull;
	Datum		d;

	if (c->attno == 0)
		return NULL;
	d = SPI_getbinval(tup, td, c->attno, &isnull);
	if (isnull)
		return NULL;
	if (c->type == TEXTOID || c->type == VARCHAROID || c->type == BPCHAROID)
		return TextDatumGetCString(d);
	return OutputFunctionCall(&c->out, d);
}

static bool
col_amount(Col *c, HeapTuple tup, TupleDesc td, int128 *units, int32 *dscale)
{
	bool		isnull;
	Datum		d;

	if (c->attno == 0)
		return false;
	d = SPI_getbinval(tup, td, c->attno, &isnull);
	if (isnull)
		return false;
	*dscale = 0;
	switch (c->type)
	{
		case INT2OID:
			*units = (int128) DatumGetInt16(d) * 100000000;
			return true;
		case INT4OID:
			*units = (int128) DatumGetInt32(d) * 100000000;
			return true;
		case INT8OID:
			*units = (int128) DatumGetInt64(d) * 100000000;
			return true;
		default:
			if (o2c_numeric_units(d, units, dscale) != O2C_UNITS_FAST)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("amount in column \"%s\" out of range for match_payments: %s",
								c->name, o2c_quote_cstr(DatumGetCString(DirectFunctionCall1(numeric_out, d)))),
						 errdetail("Amounts must be finite, below 10^20 and have at most 8 decimals.")));
			return true;
	}
}

static bool
col_date(Col *c, HeapTuple tup, TupleDesc td, DateADT *out)
{
	bool		isnull;
	Datum		d;

	if (c->attno == 0)
		return false;
	d = SPI_getbinval(tup, td, c->attno, &isnull);
	if (isnull)
		return false;
	*out = DatumGetDateADT(d);
	return !DATE_NOT_FINITE(*out);
}

static void
currency_of(const char *s, char cur[4])
{
	cur[0] = '\0';
	if (s != NULL)
	{
		int			n = 0;

		for (const char *p = s; *p && n < 3; p++)
			if (*p != ' ')
				cur[n++] = pg_ascii_toupper((unsigned char) *p);
		cur[n] = '\0';
	}
}

static char *
iban_of(const char *s)
{
	char	   *out;
	int			n = 0;

	if (s == NULL)
		return NULL;
	out = palloc(strlen(s) + 1);
	for (const char *p = s; *p; p++)
		if (*p != ' ' && *p != '-')
			out[n++] = pg_ascii_toupper((unsigned char) *p);
	out[n] = '\0';
	return n > 0 ? out : NULL;
}

static char *
norm_ref(const char *s)
{
	size_t		len;
	char	   *r;

	if (s == NULL)
		return NULL;
	r = o2c_normalize_ref(s, strlen(s), &len);
	return len > 0 ? r : NULL;
}

/*
 * Names longer than any real company name are cut (at a character
 * boundary): name comparisons are quadratic in length.
 */
#define MAX_NAME_BYTES 200

static char *
short_name(char *name, size_t *len)
{
	if (*len > MAX_NAME_BYTES)
	{
		size_t		cut = MAX_NAME_BYTES;

		while (cut > 0 && (name[cut] & 0xC0) == 0x80)
			cut--;
		name[cut] = '\0';
		*len = cut;
	}
	return name;
}

typedef void (*RowReader) (Matcher *m, Col *cols, HeapTuple tup, TupleDesc td);

static void
run_query(Matcher *m, const char *sql, const char *what, Col *cols, int ncols, RowReader reader)
{
	QueryCtx	q = {what, sql};
	ErrorContextCallback cb;
	Portal		portal;
	bool		bound = false;

	cb.callback = query_error_context;
	cb.arg = &q;
	cb.previous = error_context_stack;
	error_context_stack = &cb;

	portal = o2c_innerq_open(sql, psprintf("%s of match_payments", what), true);
	for (;;)
	{
		SPI_cursor_fetch(portal, true, 10000);
		if (!bound)
		{
			bind_columns(SPI_tuptable->tupdesc, cols, ncols, what, m->terms_type);
			bound = true;
		}
		if (SPI_processed == 0)
			break;
		for (uint64 i = 0; i < SPI_processed; i++)
		{
			MemoryContext old = MemoryContextSwitchTo(m->mcxt);

			reader(m, cols, SPI_tuptable->vals[i], SPI_tuptable->tupdesc);
			MemoryContextSwitchTo(old);
		}
		SPI_freetuptable(SPI_tuptable);
		CHECK_FOR_INTERRUPTS();
	}
	SPI_cursor_close(portal);
	error_context_stack = cb.previous;
}

enum
{
	I_ID, I_CUST, I_OPEN, I_NAME, I_IDATE, I_DDATE, I_CUR, I_REF, I_IBAN, I_DPCT, I_DUNTIL, I_TERMS, I_NCOLS
};
enum
{
	P_ID, P_AMOUNT, P_DATE, P_CUR, P_NAME, P_IBAN, P_REF, P_CUST, P_NCOLS
};

/*
 * The first installment of the invoice's terms into *part; the number of
 * installments, or 0 when the terms column is absent or NULL. Text is
 * parsed like o2c.terms input; the last text is remembered, since a book
 * repeats a few terms over many invoices.
 */
static int
col_terms(Matcher *m, Col *c, HeapTuple tup, TupleDesc td, const char *inv_id,
		  O2cTermPart *part)
{
	bool		isnull;
	Datum		d;
	char	   *s;
	O2cTermPart parts[O2C_TERMS_MAX_PARTS];
	O2cError	err;
	int			n;

	if (c->attno == 0)
		return 0;
	d = SPI_getbinval(tup, td, c->attno, &isnull);
	if (isnull)
		return 0;
	if (c->type == m->terms_type)
	{
		O2cTerms   *t = DatumGetO2cTerms(d);

		*part = t->parts[0];
		return t->nparts;
	}
	s = TextDatumGetCString(d);
	if (m->terms_text == NULL || strcmp(s, m->terms_text) != 0)
	{
		memset(&err, 0, sizeof(err));
		n = o2c_terms_parse(s, strlen(s), parts, &err);
		if (n == 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
					 errmsg("invalid terms of invoice \"%s\" in invoices_sql of match_payments: \"%s\"",
							o2c_quote_cstr(inv_id), o2c_quote_cstr(s)),
					 errdetail("%s", err.message),
					 errhint("Terms look like NET 30, 2/10 NET 30, NET 30 EOM, 15 PROX or 40%% NET 0; 60%% NET 30.")));
		m->terms_text = s;
		m->terms_nparts = n;
		m->terms_part = parts[0];
	}
	else
		pfree(s);
	*part = m->terms_part;
	return m->terms_nparts;
}

/*
 * The early-payment discount from the invoice's terms, as discount_until
 * and discount_amount compute it: one installment only, the window counted
 * from the invoice date with its last day included, the discount rounded
 * half up to the currency's minor units (2 without a currency). Returns
 * false when the invoice has no terms; terms then win over the
 * discount_percent and discount_until columns.
 */
static bool
invoice_terms(Matcher *m, Col *cols, HeapTuple tup, TupleDesc td, Invoice *iv,
			  const char *cur_text)
{
	O2cTermPart part;
	int			n = col_terms(m, &cols[I_TERMS], tup, td, iv->id, &part);
	DateADT		inv_date;
	int64		until;

	if (n == 0)
		return false;
	if (n != 1 || part.disc_pct == 0 || !col_date(&cols[I_IDATE], tup, td, &inv_date))
		return true;			/* terms without a discount we can date */
	iv->disc_scale = 2;
	if (cur_text != NULL)
	{
		int			units = o2c_currency_minor_units(cur_text, strlen(cur_text));

		if (units == O2C_CURRENCY_UNKNOWN)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("unknown currency \"%s\" of invoice \"%s\" in invoices_sql of match_payments",
							o2c_quote_cstr(cur_text), o2c_quote_cstr(iv->id)),
					 errdetail("The discount of the invoice's terms is rounded to the currency's minor units."),
					 errhint("Use an active ISO 4217 code such as EUR, USD or JPY.")));
		if (units < 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("currency \"%s\" of invoice \"%s\" in invoices_sql of match_payments has no minor unit",
							o2c_quote_cstr(cur_text), o2c_quote_cstr(iv->id)),
					 errdetail("The discount of the invoice's terms is rounded to the currency's minor units.")));
		iv->disc_scale = units;
	}
	until = o2c_term_discount_until(&part, inv_date);
	iv->disc_until = (DateADT) Min(until, (int64) PG_INT32_MAX);
	/* hundredths of a percent -> percent in 10^-8 units */
	iv->disc_pct = (int128) part.disc_pct * 1000000;
	iv->has_disc = true;
	return true;
}

static void
read_invoice(Matcher *m, Col *cols, HeapTuple tup, TupleDesc td)
{
	Invoice    *iv;
	char	   *cust_id,
			   *cur_text,
			   *s;
	int		   *slot;
	int128		units;
	int32		dscale;

	if (!col_amount(&cols[I_OPEN], tup, td, &units, &dscale) || units <= 0)
		return;					/* nothing open: not a candidate */
	if (m->ninv == m->cap_inv)
	{
		m->cap_inv *= 2;
		m->inv = repalloc_huge(m->inv, sizeof(Invoice) * m->cap_inv);
	}
	iv = &m->inv[m->ninv];
	memset(iv, 0, sizeof(*iv));
	iv->id = col_text(&cols[I_ID], tup, td);
	if (iv->id == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("invoice_id is NULL in invoices_sql of match_payments")));
	iv->open = iv->remaining = units;
	iv->dscale = dscale;
	if (!col_date(&cols[I_IDATE], tup, td, &iv->date) &&
		!col_date(&cols[I_DDATE], tup, td, &iv->date))
		iv->date = 0;
	cur_text = col_text(&cols[I_CUR], tup, td);
	currency_of(cur_text, iv->cur);
	iv->ref = norm_ref(col_text(&cols[I_REF], tup, td));
	iv->core = iv->ref ? o2c_match_ref_core(iv->ref) : NULL;
	iv->next_ref = iv->next_core = -1;
	if (!invoice_terms(m, cols, tup, td, iv, cur_text) &&
		col_amount(&cols[I_DPCT], tup, td, &iv->disc_pct, &dscale) &&
		col_date(&cols[I_DUNTIL], tup, td, &iv->disc_until) && iv->disc_pct > 0)
	{
		iv->disc_scale = iv->dscale;	/* the open amount's decimals */
		iv->has_disc = true;
	}

	cust_id = col_text(&cols[I_CUST], tup, td);
	if (cust_id == NULL)
		cust_id = psprintf("\x01%s", iv->id);	/* a customer of its own */
	slot = o2c_strmap_slot(m->custs, cust_id);
	if (*slot < 0)
	{
		Customer   *c;

		if ((m->ncust & (m->ncust - 1)) == 0 && m->ncust >= 1024)
			m->cust = repalloc_huge(m->cust, sizeof(Customer) * m->ncust * 2);
		*slot = m->ncust++;
		c = &m->cust[*slot];
		memset(c, 0, sizeof(*c));
		c->id = cust_id;
	}
	iv->cust = *slot;
	if (m->cust[iv->cust].name == NULL && (s = col_text(&cols[I_NAME], tup, td)) != NULL)
	{
		size_t		len;

		m->cust[iv->cust].name = short_name(o2c_normalize_name(s, strlen(s), &len), &len);
	}
	if ((s = iban_of(col_text(&cols[I_IBAN], tup, td))) != NULL)
	{
		slot = o2c_strmap_slot(m->ibans, s);
		if (*slot < 0)
			*slot = iv->cust;
		else if (*slot != iv->cust)
			*slot = -2;			/* one IBAN, two customers: no clue */
	}
	m->ninv++;
}

static void
read_payment(Matcher *m, Col *cols, HeapTuple tup, TupleDesc td)
{
	Payment    *p;
	char	   *s;

	if (m->npay == m->cap_pay)
	{
		m->cap_pay *= 2;
		m->pay = repalloc_huge(m->pay, sizeof(Payment) * m->cap_pay);
	}
	p = &m->pay[m->npay];
	memset(p, 0, sizeof(*p));
	p->id = col_text(&cols[P_ID], tup, td);
	if (p->id == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("payment_id is NULL in payments_sql of match_payments")));
	if (!col_amount(&cols[P_AMOUNT], tup, td, &p->amount, &p->dscale))
		p->amount = 0;
	p->has_date = col_date(&cols[P_DATE], tup, td, &p->received_on);
	currency_of(col_text(&cols[P_CUR], tup, td), p->cur);
	if ((s = col_text(&cols[P_NAME], tup, td)) != NULL)
	{
		size_t		len;

		p->raw_name_len = strlen(s);
		p->name = short_name(o2c_normalize_name(s, strlen(s), &len), &len);
		if (len == 0)
			p->name = NULL;
	}
	p->iban = iban_of(col_text(&cols[P_IBAN], tup, td));
	p->reference = col_text(&cols[P_REF], tup, td);
	p->cust_id = col_text(&cols[P_CUST], tup, td);
	m->npay++;
}

/* ---------- applications already made (option applied_sql) ---------- */

enum
{
	A_PAY, A_INV, A_AMOUNT, A_NCOLS
};

typedef struct Applied
{
	char	   *payment_id;
	char	   *invoice_id;		/* NULL for an unapplied remainder */
	int128		amount;
} Applied;

static void
read_applied(Matcher *m, Col *cols, HeapTuple tup, TupleDesc td)
{
	Applied    *a;
	int32		dscale;

	if (m->napplied == m->cap_applied)
	{
		m->cap_applied = m->cap_applied ? m->cap_applied * 2 : 256;
		m->applied = m->applied
			? repalloc_huge(m->applied, sizeof(Applied) * m->cap_applied)
			: palloc(sizeof(Applied) * m->cap_applied);
	}
	a = &m->applied[m->napplied];
	a->payment_id = col_text(&cols[A_PAY], tup, td);
	if (a->payment_id == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("payment_id is NULL in applied_sql of match_payments")));
	a->invoice_id = col_text(&cols[A_INV], tup, td);
	if (!col_amount(&cols[A_AMOUNT], tup, td, &a->amount, &dscale) || a->amount < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("amount in applied_sql of match_payments must be a non-negative number")));
	m->napplied++;
}

/*
 * Applications already made (announced downstream, say) are final: their
 * payments are not matched again, and while such a payment is still among
 * the payments read (not yet posted to the invoices), its amounts are taken
 * off the invoices' open amounts, so no other payment is given them.
 */
static void
apply_applied(Matcher *m)
{
	StrMap	   *frozen,
			   *seen,
			   *inv_ids;
	int			kept = 0;

	if (m->napplied == 0)
		return;
	frozen = strmap_create(m->mcxt, m->napplied, NULL);
	seen = strmap_create(m->mcxt, m->napplied, NULL);
	for (int i = 0; i < m->napplied; i++)
		*o2c_strmap_slot(frozen, m->applied[i].payment_id) = 1;
	for (int i = 0; i < m->npay; i++)
	{
		if (o2c_strmap_get(frozen, m->pay[i].id) == 1)
			*o2c_strmap_slot(seen, m->pay[i].id) = 1;
		else
			m->pay[kept++] = m->pay[i];
	}
	m->npay = kept;
	inv_ids = strmap_create(m->mcxt, m->ninv + 1, NULL);
	for (int i = 0; i < m->ninv; i++)
		*o2c_strmap_slot(inv_ids, m->inv[i].id) = i;
	for (int i = 0; i < m->napplied; i++)
	{
		Applied    *a = &m->applied[i];
		int			k;

		if (a->invoice_id == NULL || o2c_strmap_get(seen, a->payment_id) != 1 ||
			(k = o2c_strmap_get(inv_ids, a->invoice_id)) < 0)
			continue;
		m->inv[k].open = Max(m->inv[k].open - a->amount, 0);
		m->inv[k].remaining = Max(m->inv[k].remaining - a->amount, 0);
	}
}

/* ---------- the SQL function ---------- */

Datum
o2c_match_payments(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	char	   *payments_sql = text_to_cstring(PG_GETARG_TEXT_PP(0));
	char	   *invoices_sql = text_to_cstring(PG_GETARG_TEXT_PP(1));
	Jsonb	   *options = PG_NARGS() > 2 ? PG_GETARG_JSONB_P(2) : NULL;
	MemoryContext mcxt,
				old;
	Matcher    *m;
	Col			icols[I_NCOLS] = {
		{"invoice_id", O2C_COL_ID, true}, {"customer_id", O2C_COL_ID, true},
		{"open_amount", O2C_COL_AMOUNT, true}, {"customer_name", O2C_COL_TEXT, false},
		{"invoice_date", O2C_COL_DATE, false}, {"due_date", O2C_COL_DATE, false},
		{"currency", O2C_COL_TEXT, false}, {"reference", O2C_COL_TEXT, false},
		{"customer_iban", O2C_COL_TEXT, false}, {"discount_percent", O2C_COL_AMOUNT, false},
		{"discount_until", O2C_COL_DATE, false}, {"terms", O2C_COL_TERMS, false}
	};
	Col			pcols[P_NCOLS] = {
		{"payment_id", O2C_COL_ID, true}, {"amount", O2C_COL_AMOUNT, true},
		{"received_on", O2C_COL_DATE, false}, {"currency", O2C_COL_TEXT, false},
		{"payer_name", O2C_COL_TEXT, false}, {"payer_iban", O2C_COL_TEXT, false},
		{"reference", O2C_COL_TEXT, false}, {"customer_id", O2C_COL_ID, false}
	};

	InitMaterializedSRF(fcinfo, 0);
	mcxt = AllocSetContextCreate(CurrentMemoryContext, "match_payments", ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(mcxt);
	m = palloc0(sizeof(Matcher));
	m->mcxt = mcxt;
	/* o2c.terms in the schema this function lives in (no fixed OID) */
	m->terms_type = GetSysCacheOid2(TYPENAMENSP, Anum_pg_type_oid,
									CStringGetDatum("terms"),
									ObjectIdGetDatum(get_func_namespace(fcinfo->flinfo->fn_oid)));
	parse_options(options, &m->opt);
	m->cap_inv = 1024;
	m->inv = palloc(sizeof(Invoice) * m->cap_inv);
	m->cap_pay = 1024;
	m->pay = palloc(sizeof(Payment) * m->cap_pay);
	m->cust = palloc(sizeof(Customer) * 1024);
	m->cap_rows = 1024;
	m->rows = palloc(sizeof(OutRow) * m->cap_rows);
	m->custs = strmap_create(mcxt, 1024, NULL);
	m->ibans = strmap_create(mcxt, 1024, NULL);
	m->refs = strmap_create(mcxt, 1024, NULL);
	m->cores = strmap_create(mcxt, 1024, NULL);
	m->namekeys = strmap_create(mcxt, 1024, NULL);
	MemoryContextSwitchTo(old);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	run_query(m, invoices_sql, "invoices_sql", icols, I_NCOLS, read_invoice);
	run_query(m, payments_sql, "payments_sql", pcols, P_NCOLS, read_payment);
	if (m->opt.applied_sql != NULL)
	{
		Col			acols[A_NCOLS] = {
			{"payment_id", O2C_COL_ID, true}, {"invoice_id", O2C_COL_ID, true},
			{"amount", O2C_COL_AMOUNT, true}
		};

		run_query(m, m->opt.applied_sql, "applied_sql", acols, A_NCOLS, read_applied);
	}
	SPI_finish();
	apply_applied(m);

	old = MemoryContextSwitchTo(mcxt);
	o2c_match_run(m);
	MemoryContextSwitchTo(old);
	for (int i = 0; i < m->nrows; i++)
	{
		OutRow	   *r = &m->rows[i];
		Datum		values[6];
		bool		nulls[6] = {false};

		values[0] = CStringGetTextDatum(m->pay[r->pay].id);
		if (r->inv >= 0)
			values[1] = CStringGetTextDatum(m->inv[r->inv].id);
		else
			nulls[1] = true;
		values[2] = NumericGetDatum(o2c_units_numeric(r->amount, r->dscale));
		values[3] = Float8GetDatum(round(r->score * 10000.0) / 10000.0);
		values[4] = CStringGetTextDatum(r->rule);
		values[5] = BoolGetDatum(r->is_auto);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	MemoryContextDelete(mcxt);
	return (Datum) 0;
}
