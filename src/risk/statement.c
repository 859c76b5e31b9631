/*
 * statement.c — o2c.customer_statement: a customer's statement of account.
 *
 * Reads the invoices and payments inner queries (risk_input.c), keeps the
 * rows of one customer, and returns the opening balance at from_date, the
 * documents dated from_date to to_date in date order with a running
 * balance, the closing balance at to_date and the aging of what stays open
 * then. C rather than SQL: the inner queries must run as given through SPI,
 * never spliced into a bigger query, and a plain SQL function cannot do that.
 *
 * What stays open: each invoice or credit note dated up to to_date, less the
 * payments received up to to_date that name it in invoice_id; a payment that
 * names no invoice of this customer (on account) is an open credit due on
 * the day it was received. o2c never guesses an allocation, so the open
 * items always add up to the closing balance, and their aging is exactly
 * o2c.aging(open amount, due date, to_date) over them.
 *
 * In a reporting currency (the six-argument form) every document is
 * converted once, at to_date's rate, before anything is added up, so the
 * running balance, the closing balance and the aging still agree to the
 * cent: converting the open amounts instead would round differently.
 */
#include "postgres.h"

#include "core/o2c.h"
#include "fx/fx.h"
#include "risk.h"

#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/tuplestore.h"

PG_FUNCTION_INFO_V1(o2c_customer_statement);
PG_FUNCTION_INFO_V1(o2c_customer_statement_in);

typedef struct StmtDoc
{
	char	   *id;
	DateADT		date;			/* invoice date or received on */
	DateADT		due;			/* invoices only */
	Numeric		amount;			/* as given: payments positive */
	bool		payment;
	char	   *applies_to;		/* payments: invoice_id or NULL */
	char	   *currency;		/* with a reporting currency only */
	bool		applied;		/* payments: settles an invoice listed here */
	O2cSum		open;			/* invoices: amount less payments naming it */
} StmtDoc;

typedef struct StmtRead
{
	const char *customer;
	bool		payments;
	bool		currency;		/* the queries have a currency column */
	int64		rows;			/* rows read, of any customer */
	StmtDoc    *docs;
	int			ndocs;
	int			cap;
} StmtRead;

static const O2cColSpec invoice_cols[] = {
	{"invoice_id", O2C_COL_ID, true, false},
	{"customer_id", O2C_COL_ID, true, true},
	{"invoice_date", O2C_COL_DATE, true, false},
	{"due_date", O2C_COL_DATE, true, false},
	{"amount", O2C_COL_AMOUNT, true, false},
	{"currency", O2C_COL_ID, true, false},	/* read with a reporting currency */
};

static const O2cColSpec payment_cols[] = {
	{"payment_id", O2C_COL_ID, true, false},
	{"customer_id", O2C_COL_ID, true, true},
	{"received_on", O2C_COL_DATE, true, false},
	{"amount", O2C_COL_AMOUNT, true, false},
	{"invoice_id", O2C_COL_ID, false, true},
	{"currency", O2C_COL_ID, true, false},	/* read with a reporting currency */
};

static void
collect_doc(const O2cValue *v, void *arg)
{
	StmtRead   *st = (StmtRead *) arg;
	StmtDoc    *d;

	st->rows++;
	if (v[1].isnull || strcmp(v[1].id, st->customer) != 0)
		return;
	if (st->ndocs == st->cap)
	{
		st->cap = st->cap == 0 ? 64 : st->cap * 2;
		st->docs = st->docs == NULL ? palloc(sizeof(StmtDoc) * st->cap)
			: repalloc(st->docs, sizeof(StmtDoc) * st->cap);
	}
	d = &st->docs[st->ndocs++];
	memset(d, 0, sizeof(StmtDoc));
	d->id = v[0].id;
	d->date = v[2].date;
	d->amount = v[st->payments ? 3 : 4].amount;
	d->payment = st->payments;
	if (st->payments)
		d->applies_to = v[4].isnull ? NULL : v[4].id;
	else
		d->due = v[3].date;
	if (st->currency)
		d->currency = v[5].id;
	o2c_sum_init(&d->open);
}

/* Date, then invoices and credit notes before payments, then document id. */
static int
doc_cmp(const void *a, const void *b)
{
	const StmtDoc *x = (const StmtDoc *) a;
	const StmtDoc *y = (const StmtDoc *) b;

	if (x->date != y->date)
		return x->date < y->date ? -1 : 1;
	if (x->payment != y->payment)
		return x->payment ? 1 : -1;
	return strcmp(x->id, y->id);
}

static int
doc_id_cmp(const void *a, const void *b)
{
	return strcmp((*(StmtDoc *const *) a)->id, (*(StmtDoc *const *) b)->id);
}

/* Add sign * amount to sum, exactly. */
static void
sum_add(O2cSum *sum, Numeric amount, int sign)
{
	int128		units;
	int32		dscale;

	if (o2c_numeric_units(NumericGetDatum(amount), &units, &dscale) == O2C_UNITS_FAST)
		o2c_sum_add_units(sum, sign < 0 ? -units : units, dscale, CurrentMemoryContext);
	else
		o2c_sum_add_numeric(sum, sign < 0 ?
							DatumGetNumeric(DirectFunctionCall1(numeric_uminus,
																NumericGetDatum(amount))) :
							amount, CurrentMemoryContext);
}

static int32
numeric_dscale(Numeric n)
{
	return DatumGetInt32(DirectFunctionCall1(numeric_scale, NumericGetDatum(n)));
}

typedef struct StmtOut
{
	Tuplestorestate *ts;
	TupleDesc	desc;
	int32		line;
} StmtOut;

static void
emit(StmtOut *out, DateADT date, const char *kind, const char *document,
	 const DateADT *due, Numeric amount, Numeric balance)
{
	Datum		values[7];
	bool		nulls[7] = {false};

	values[0] = Int32GetDatum(++out->line);
	values[1] = DateADTGetDatum(date);
	values[2] = CStringGetTextDatum(kind);
	nulls[3] = document == NULL;
	values[3] = document ? CStringGetTextDatum(document) : (Datum) 0;
	nulls[4] = due == NULL;
	values[4] = due ? DateADTGetDatum(*due) : (Datum) 0;
	nulls[5] = amount == NULL;
	values[5] = NumericGetDatum(amount);
	nulls[6] = balance == NULL;
	values[6] = NumericGetDatum(balance);
	tuplestore_putvalues(out->ts, out->desc, values, nulls);
}

/* Each document's amount in the reporting currency, at to_date's rate. */
static void
convert_docs(StmtRead *st, const O2cFxCode *to, DateADT on, O2cFxCache *cache)
{
	for (int i = 0; i < st->ndocs; i++)
	{
		StmtDoc    *d = &st->docs[i];
		O2cFxCode	from;
		char	   *what = psprintf("The currency of %s \"%s\"",
									st->payments ? "payment" : "invoice", o2c_quote_cstr(d->id));

		o2c_fx_code(d->currency, strlen(d->currency), &from, what);
		d->amount = o2c_fx_convert(cache, NumericGetDatum(d->amount), &from, to, on, NULL);
	}
}

static Datum statement_run(FunctionCallInfo fcinfo, text *reporting);

Datum
o2c_customer_statement(PG_FUNCTION_ARGS)
{
	return statement_run(fcinfo, NULL);
}

Datum
o2c_customer_statement_in(PG_FUNCTION_ARGS)
{
	return statement_run(fcinfo, PG_GETARG_TEXT_PP(5));
}

static Datum
statement_run(FunctionCallInfo fcinfo, text *reporting)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	char	   *invoices_sql = text_to_cstring(PG_GETARG_TEXT_PP(0));
	char	   *payments_sql = text_to_cstring(PG_GETARG_TEXT_PP(1));
	char	   *customer = text_to_cstring(PG_GETARG_TEXT_PP(2));
	DateADT		from_date = PG_GETARG_DATEADT(3);
	DateADT		to_date = PG_GETARG_DATEADT(4);
	StmtRead	inv = {0};
	StmtRead	pay = {0};
	StmtDoc   **by_id;
	StmtDoc    *docs;
	int			ndocs;
	int32		dscale = 0;
	O2cSum		balance;
	O2cSum		aging[5];		/* open items per bucket */
	bool		any_open = false;
	StmtOut		out;
	static const char *const labels[] = {"current", "1-30", "31-60", "61-90", "91+"};
	static const int bounds[] = {0, 30, 60, 90};
	O2cFxCode	to;
	int			ncols = reporting ? 6 : 5;

	if (reporting)
	{
		o2c_fx_code(VARDATA_ANY(reporting), VARSIZE_ANY_EXHDR(reporting), &to, "reporting_currency");
		(void) o2c_currency_minor_units_or_error(reporting);
	}
	o2c_check_finite_date(from_date, "from_date");
	o2c_check_finite_date(to_date, "to_date");
	if (from_date > to_date)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("from_date %s is after to_date %s",
						DatumGetCString(DirectFunctionCall1(date_out, DateADTGetDatum(from_date))),
						DatumGetCString(DirectFunctionCall1(date_out, DateADTGetDatum(to_date))))));

	InitMaterializedSRF(fcinfo, 0);
	out.ts = rsinfo->setResult;
	out.desc = rsinfo->setDesc;
	out.line = 0;

	SPI_connect();
	inv.customer = customer;
	inv.payments = false;
	inv.currency = reporting != NULL;
	o2c_read_inner_query(invoices_sql, "invoices query", invoice_cols,
						 ncols, collect_doc, &inv);
	pay.customer = customer;
	pay.payments = true;
	pay.currency = reporting != NULL;
	o2c_read_inner_query(payments_sql, "payments query", payment_cols,
						 ncols, collect_doc, &pay);

	/*
	 * A customer the queries never name is most often a mistyped id: say so
	 * rather than print a statement of zeros.
	 */
	if (inv.ndocs == 0 && pay.ndocs == 0)
		ereport(ERROR,
				(errcode(ERRCODE_NO_DATA_FOUND),
				 errmsg("customer \"%s\" has no invoice and no payment in the queries", o2c_quote_cstr(customer)),
				 errdetail("The invoices query returned " INT64_FORMAT " rows and the payments query " INT64_FORMAT
						   ", none of this customer, at any date.", inv.rows, pay.rows),
				 errhint("Customer ids are compared exactly (case and spaces count).")));

	if (reporting)
	{
		O2cFxCache *cache = o2c_fx_cache_create(CurrentMemoryContext);

		convert_docs(&inv, &to, to_date, cache);
		convert_docs(&pay, &to, to_date, cache);
	}

	/* Apply payments that name an invoice of this customer dated by to_date. */
	by_id = palloc(sizeof(StmtDoc *) * Max(inv.ndocs, 1));
	for (int i = 0; i < inv.ndocs; i++)
	{
		StmtDoc    *d = &inv.docs[i];

		by_id[i] = d;
		sum_add(&d->open, d->amount, 1);
		dscale = Max(dscale, numeric_dscale(d->amount));
	}
	qsort(by_id, inv.ndocs, sizeof(StmtDoc *), doc_id_cmp);
	for (int i = 0; i < pay.ndocs; i++)
	{
		StmtDoc    *p = &pay.docs[i];
		StmtDoc    *probe;
		StmtDoc   **hit = NULL;

		dscale = Max(dscale, numeric_dscale(p->amount));
		if (p->applies_to != NULL && inv.ndocs > 0)
		{
			StmtDoc		k = {0};

			k.id = p->applies_to;
			probe = &k;
			hit = bsearch(&probe, by_id, inv.ndocs, sizeof(StmtDoc *), doc_id_cmp);
		}
		if (hit != NULL && (*hit)->date <= to_date)
		{
			if (p->date <= to_date)
				sum_add(&(*hit)->open, p->amount, -1);
			p->applied = true;
		}
	}

	/* One list in statement order. */
	ndocs = inv.ndocs + pay.ndocs;
	docs = palloc(sizeof(StmtDoc) * Max(ndocs, 1));
	if (inv.ndocs > 0)
		memcpy(docs, inv.docs, sizeof(StmtDoc) * inv.ndocs);
	if (pay.ndocs > 0)
		memcpy(docs + inv.ndocs, pay.docs, sizeof(StmtDoc) * pay.ndocs);
	qsort(docs, ndocs, sizeof(StmtDoc), doc_cmp);

	/* Opening balance: everything dated before from_date. */
	o2c_sum_init(&balance);
	for (int i = 0; i < ndocs; i++)
		if (docs[i].date < from_date)
			sum_add(&balance, docs[i].amount, docs[i].payment ? -1 : 1);
	emit(&out, from_date, "opening balance", NULL, NULL, NULL,
		 o2c_sum_numeric(&balance, dscale));

	for (int i = 0; i < ndocs; i++)
	{
		StmtDoc    *d = &docs[i];
		Numeric		shown;
		const char *kind;

		if (d->date < from_date || d->date > to_date)
			continue;
		if (d->payment)
		{
			shown = DatumGetNumeric(DirectFunctionCall1(numeric_uminus,
														NumericGetDatum(d->amount)));
			kind = o2c_numeric_sign(d->amount) < 0 ? "refund" : "payment";
		}
		else
		{
			shown = d->amount;
			kind = o2c_numeric_sign(d->amount) < 0 ? "credit note" : "invoice";
		}
		sum_add(&balance, d->amount, d->payment ? -1 : 1);
		emit(&out, d->date, kind, d->id, d->payment ? NULL : &d->due, shown,
			 o2c_sum_numeric(&balance, dscale));
	}
	emit(&out, to_date, "closing balance", NULL, NULL, NULL,
		 o2c_sum_numeric(&balance, dscale));

	/* Aging of the open items at to_date, bucketed as o2c.aging does. */
	for (int b = 0; b < 5; b++)
		o2c_sum_init(&aging[b]);
	for (int i = 0; i < ndocs; i++)
	{
		StmtDoc    *d = &docs[i];
		DateADT		due;
		O2cSum		item;
		int			b = 0;

		if (d->date > to_date)
			continue;
		if (d->payment)
		{
			if (d->applied)		/* counted in its invoice's open amount */
				continue;
			o2c_sum_init(&item);
			sum_add(&item, d->amount, -1);
			due = d->date;
		}
		else
		{
			item = d->open;
			due = d->due;
		}
		if (o2c_sum_sign(&item) == 0)
			continue;
		any_open = true;
		while (b < 4 && (int64) to_date - (int64) due > bounds[b])
			b++;
		o2c_sum_add_sum(&aging[b], &item, CurrentMemoryContext);
	}
	if (any_open)
		for (int b = 0; b < 5; b++)
			emit(&out, to_date, "aging", labels[b], NULL,
				 o2c_sum_numeric(&aging[b], dscale), NULL);

	SPI_finish();
	return (Datum) 0;
}
