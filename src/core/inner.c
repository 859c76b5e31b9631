/*
 * inner.c — reading the user's rows through an inner query.
 *
 * Bulk functions and jobs take an SQL string (as pgRouting does) whose result
 * has documented column names. This file runs such a query through SPI with
 * the caller's rights, read-only, matches its columns by name, checks their
 * types, and returns the documented columns typed and in a fixed order, so
 * the SQL around it never splices the user's text into a statement.
 */
#include "postgres.h"

#include "o2c.h"
#include "innerq.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

#define INNER_FETCH_ROWS 10000

/* The documented columns (DESIGN.md) of each kind of row, in output order. */
static const O2cColSpec invoice_columns[] = {
	{"invoice_id", O2C_COL_ID},
	{"customer_id", O2C_COL_ID},
	{"customer_name", O2C_COL_ID},
	{"invoice_date", O2C_COL_DATE},
	{"due_date", O2C_COL_DATE},
	{"amount", O2C_COL_AMOUNT},
	{"open_amount", O2C_COL_AMOUNT},
	{"currency", O2C_COL_ID},
	{"reference", O2C_COL_ID},
	{"language", O2C_COL_ID},
};

static const O2cColSpec payment_columns[] = {
	{"payment_id", O2C_COL_ID},
	{"customer_id", O2C_COL_ID},
	{"received_on", O2C_COL_DATE},
	{"amount", O2C_COL_AMOUNT},
	{"currency", O2C_COL_ID},
	{"invoice_id", O2C_COL_ID},
	{"payer_name", O2C_COL_ID},
	{"reference", O2C_COL_ID},
};

/* Payment history: each invoice with the day it was settled, NULL while open. */
static const O2cColSpec history_columns[] = {
	{"invoice_id", O2C_COL_ID},
	{"customer_id", O2C_COL_ID},
	{"invoice_date", O2C_COL_DATE},
	{"due_date", O2C_COL_DATE},
	{"amount", O2C_COL_AMOUNT},
	{"paid_on", O2C_COL_DATE},
	{"disputed", O2C_COL_BOOL},
	{"currency", O2C_COL_ID},
};

/* Customers and the attributes collection strategies are chosen by. */
static const O2cColSpec customer_columns[] = {
	{"customer_id", O2C_COL_ID},
	{"customer_name", O2C_COL_ID},
	{"segment", O2C_COL_ID},
	{"country", O2C_COL_ID},
	{"currency", O2C_COL_ID},
	{"balance", O2C_COL_AMOUNT},
	{"days_past_due", O2C_COL_AMOUNT},
	{"risk_grade", O2C_COL_ID},
};

#define MAX_INNER_COLUMNS 16

typedef struct InnerKind
{
	const char *arg;			/* the argument's name: invoices_sql */
	const char *noun;			/* "invoice" */
	const O2cColSpec *cols;
	int			ncols;
	const char *hint;			/* the columns, for an unknown one */
} InnerKind;

static const InnerKind invoice_kind = {
	"invoices_sql", "invoice", invoice_columns, lengthof(invoice_columns),
	"Invoice columns are invoice_id, customer_id, customer_name, invoice_date, due_date, amount, open_amount, currency, reference and language."
};
static const InnerKind payment_kind = {
	"payments_sql", "payment", payment_columns, lengthof(payment_columns),
	"Payment columns are payment_id, customer_id, received_on, amount, currency, invoice_id, payer_name and reference."
};

static const InnerKind history_kind = {
	"history_sql", "history", history_columns, lengthof(history_columns),
	"History columns are invoice_id, customer_id, invoice_date, due_date, amount, paid_on, disputed and currency."
};

static const InnerKind customer_kind = {
	"customers_sql", "customer", customer_columns, lengthof(customer_columns),
	"Customer columns are customer_id, customer_name, segment, country, currency, balance, days_past_due and risk_grade."
};

PG_FUNCTION_INFO_V1(o2c_customers_from);
PG_FUNCTION_INFO_V1(o2c_invoices_from);
PG_FUNCTION_INFO_V1(o2c_payments_from);
PG_FUNCTION_INFO_V1(o2c_history_from);

typedef struct InnerContext
{
	const InnerKind *kind;
	const char *sql;
} InnerContext;

/*
 * What an error inside invoices_from is about: the argument and (a prefix
 * of) the user's query, also for errors raised while its rows are fetched,
 * which SPI gives no context of its own.
 */
static void
inner_context(void *arg)
{
	InnerContext *ic = arg;

	errcontext("inner query %s: %s", ic->kind->arg, o2c_quote_cstr(ic->sql));
}

/*
 * The columns asked for in required must be columns of the kind; they are
 * required, the others optional, and all are bound as every inner query is.
 */
static void
map_columns(TupleDesc desc, const InnerKind *kind, ArrayType *required, O2cCol *map)
{
	O2cColSpec	specs[MAX_INNER_COLUMNS];
	Datum	   *req;
	bool	   *req_nulls;
	int			nreq;

	memcpy(specs, kind->cols, sizeof(O2cColSpec) * kind->ncols);
	deconstruct_array(required, TEXTOID, -1, false, TYPALIGN_INT, &req, &req_nulls, &nreq);
	for (int r = 0; r < nreq; r++)
	{
		char	   *name;
		int			c;

		if (req_nulls[r])
			continue;
		name = TextDatumGetCString(req[r]);
		for (c = 0; c < kind->ncols; c++)
			if (strcmp(name, kind->cols[c].name) == 0)
				break;
		if (c == kind->ncols)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("\"%s\" is not %s %s column", o2c_quote_cstr(name),
							kind->noun[0] == 'i' ? "an" : "a", kind->noun),
					 errhint("%s", kind->hint)));
		specs[c].required = true;
	}
	o2c_innerq_bind(desc, specs, kind->ncols, map, kind->arg, InvalidOid);
}

static Datum
column_value(const InnerKind *kind, const O2cCol *map, int c, Datum value)
{
	switch (kind->cols[c].kind)
	{
		case O2C_COL_AMOUNT:
			switch (map[c].type)
			{
				case INT2OID:
					return NumericGetDatum(int64_to_numeric(DatumGetInt16(value)));
				case INT4OID:
					return NumericGetDatum(int64_to_numeric(DatumGetInt32(value)));
				case INT8OID:
					return NumericGetDatum(int64_to_numeric(DatumGetInt64(value)));
				default:
					return PointerGetDatum(PG_DETOAST_DATUM_COPY(value));
			}
		case O2C_COL_DATE:
		case O2C_COL_BOOL:
			return value;
		default:
			/* an id or text: read as text */
			if (map[c].type == TEXTOID || map[c].type == VARCHAROID)
				return PointerGetDatum(PG_DETOAST_DATUM_COPY(value));
			return PointerGetDatum(cstring_to_text(OutputFunctionCall((FmgrInfo *) &map[c].out,
																	  value)));
	}
}

/*
 * The inner query's rows with the documented columns of kind; absent
 * optional columns are NULL.
 */
static Datum
inner_rows(FunctionCallInfo fcinfo, const InnerKind *kind)
{
	char	   *sql = text_to_cstring(PG_GETARG_TEXT_PP(0));
	ArrayType  *required = PG_GETARG_ARRAYTYPE_P(1);
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	ErrorContextCallback errcb;
	InnerContext ic = {kind, sql};
	MemoryContext row_ctx;
	O2cCol		map[MAX_INNER_COLUMNS];
	Portal		portal;
	bool		mapped = false;

	InitMaterializedSRF(fcinfo, 0);
	row_ctx = AllocSetContextCreate(CurrentMemoryContext, "o2c inner rows",
									ALLOCSET_DEFAULT_SIZES);

	errcb.callback = inner_context;
	errcb.arg = &ic;
	errcb.previous = error_context_stack;
	error_context_stack = &errcb;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	portal = o2c_innerq_open(sql, kind->arg, true);

	for (;;)
	{
		SPI_cursor_fetch(portal, true, INNER_FETCH_ROWS);
		if (!mapped)
		{
			map_columns(SPI_tuptable->tupdesc, kind, required, map);
			mapped = true;
		}
		if (SPI_processed == 0)
			break;
		for (uint64 i = 0; i < SPI_processed; i++)
		{
			HeapTuple	tuple = SPI_tuptable->vals[i];
			Datum		values[MAX_INNER_COLUMNS];
			bool		nulls[MAX_INNER_COLUMNS];
			MemoryContext old = MemoryContextSwitchTo(row_ctx);

			for (int c = 0; c < kind->ncols; c++)
			{
				if (map[c].attno == 0)
				{
					nulls[c] = true;
					continue;
				}
				values[c] = SPI_getbinval(tuple, SPI_tuptable->tupdesc, map[c].attno, &nulls[c]);
				if (!nulls[c])
					values[c] = column_value(kind, map, c, values[c]);
			}
			MemoryContextSwitchTo(old);
			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
			MemoryContextReset(row_ctx);
		}
		SPI_freetuptable(SPI_tuptable);
	}
	SPI_cursor_close(portal);
	SPI_finish();
	error_context_stack = errcb.previous;
	return (Datum) 0;
}

/* o2c.invoices_from(invoices_sql text, required text[]) */
Datum
o2c_invoices_from(PG_FUNCTION_ARGS)
{
	return inner_rows(fcinfo, &invoice_kind);
}

/* o2c.payments_from(payments_sql text, required text[]) */
Datum
o2c_payments_from(PG_FUNCTION_ARGS)
{
	return inner_rows(fcinfo, &payment_kind);
}

/* o2c.history_from(history_sql text, required text[]) */
Datum
o2c_history_from(PG_FUNCTION_ARGS)
{
	return inner_rows(fcinfo, &history_kind);
}

/* o2c.customers_from(customers_sql text, required text[]) */
Datum
o2c_customers_from(PG_FUNCTION_ARGS)
{
	return inner_rows(fcinfo, &customer_kind);
}
