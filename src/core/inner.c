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

/* The documented invoice columns (DESIGN.md), in output order. */
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
};
#define N_INVOICE_COLUMNS lengthof(invoice_columns)

PG_FUNCTION_INFO_V1(o2c_invoices_from);

/*
 * What an error inside invoices_from is about: the argument and (a prefix
 * of) the user's query, also for errors raised while its rows are fetched,
 * which SPI gives no context of its own.
 */
static void
inner_context(void *arg)
{
	errcontext("inner query invoices_sql: %s", o2c_quote_cstr((const char *) arg));
}

/*
 * The columns asked for in required must be invoice columns; they are
 * required, the others optional, and all are bound as every inner query is.
 */
static void
map_columns(TupleDesc desc, const char *what, ArrayType *required, O2cCol *map)
{
	O2cColSpec	specs[N_INVOICE_COLUMNS];
	Datum	   *req;
	bool	   *req_nulls;
	int			nreq;

	memcpy(specs, invoice_columns, sizeof(specs));
	deconstruct_array(required, TEXTOID, -1, false, TYPALIGN_INT, &req, &req_nulls, &nreq);
	for (int r = 0; r < nreq; r++)
	{
		char	   *name;
		int			c;

		if (req_nulls[r])
			continue;
		name = TextDatumGetCString(req[r]);
		for (c = 0; c < (int) N_INVOICE_COLUMNS; c++)
			if (strcmp(name, invoice_columns[c].name) == 0)
				break;
		if (c == (int) N_INVOICE_COLUMNS)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("\"%s\" is not an invoice column", o2c_quote_cstr(name)),
					 errhint("Invoice columns are invoice_id, customer_id, customer_name, invoice_date, due_date, amount, open_amount, currency and reference.")));
		specs[c].required = true;
	}
	o2c_innerq_bind(desc, specs, N_INVOICE_COLUMNS, map, what, InvalidOid);
}

static Datum
column_value(const O2cCol *map, int c, Datum value)
{
	switch (invoice_columns[c].kind)
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
 * o2c.invoices_from(invoices_sql text, required text[]) returns the inner
 * query's rows with the documented invoice columns; absent optional columns
 * are NULL.
 */
Datum
o2c_invoices_from(PG_FUNCTION_ARGS)
{
	char	   *sql = text_to_cstring(PG_GETARG_TEXT_PP(0));
	ArrayType  *required = PG_GETARG_ARRAYTYPE_P(1);
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	ErrorContextCallback errcb;
	MemoryContext row_ctx;
	O2cCol		map[N_INVOICE_COLUMNS];
	Portal		portal;
	bool		mapped = false;

	InitMaterializedSRF(fcinfo, 0);
	row_ctx = AllocSetContextCreate(CurrentMemoryContext, "o2c inner rows",
									ALLOCSET_DEFAULT_SIZES);

	errcb.callback = inner_context;
	errcb.arg = sql;
	errcb.previous = error_context_stack;
	error_context_stack = &errcb;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	portal = o2c_innerq_open(sql, "invoices_sql", true);

	for (;;)
	{
		SPI_cursor_fetch(portal, true, INNER_FETCH_ROWS);
		if (!mapped)
		{
			map_columns(SPI_tuptable->tupdesc, "invoices_sql", required, map);
			mapped = true;
		}
		if (SPI_processed == 0)
			break;
		for (uint64 i = 0; i < SPI_processed; i++)
		{
			HeapTuple	tuple = SPI_tuptable->vals[i];
			Datum		values[N_INVOICE_COLUMNS];
			bool		nulls[N_INVOICE_COLUMNS];
			MemoryContext old = MemoryContextSwitchTo(row_ctx);

			for (int c = 0; c < (int) N_INVOICE_COLUMNS; c++)
			{
				if (map[c].attno == 0)
				{
					nulls[c] = true;
					continue;
				}
				values[c] = SPI_getbinval(tuple, SPI_tuptable->tupdesc, map[c].attno, &nulls[c]);
				if (!nulls[c])
					values[c] = column_value(map, c, values[c]);
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
