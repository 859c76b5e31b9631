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

typedef enum InnerKind
{
	INNER_TEXT,					/* any type, read as text */
	INNER_AMOUNT,				/* smallint, integer, bigint or numeric */
	INNER_DATE					/* date */
} InnerKind;

typedef struct InnerColumn
{
	const char *name;
	InnerKind	kind;
} InnerColumn;

/* The documented invoice columns (DESIGN.md), in output order. */
static const InnerColumn invoice_columns[] = {
	{"invoice_id", INNER_TEXT},
	{"customer_id", INNER_TEXT},
	{"customer_name", INNER_TEXT},
	{"invoice_date", INNER_DATE},
	{"due_date", INNER_DATE},
	{"amount", INNER_AMOUNT},
	{"open_amount", INNER_AMOUNT},
	{"currency", INNER_TEXT},
	{"reference", INNER_TEXT},
};
#define N_INVOICE_COLUMNS lengthof(invoice_columns)

/* Where each documented column is found in the inner query's result. */
typedef struct InnerMap
{
	int			attno[N_INVOICE_COLUMNS];	/* 0-based, -1 when absent */
	Oid			typid[N_INVOICE_COLUMNS];
	FmgrInfo	output[N_INVOICE_COLUMNS];	/* for INNER_TEXT of other types */
} InnerMap;

PG_FUNCTION_INFO_V1(o2c_invoices_from);

static const char *
kind_expected(InnerKind kind)
{
	switch (kind)
	{
		case INNER_TEXT:
			return "any type (read as text)";
		case INNER_AMOUNT:
			return "numeric, bigint, integer or smallint";
		case INNER_DATE:
			return "date";
	}
	return "?";
}

static void
inner_context(void *arg)
{
	errcontext("inner query %s", (const char *) arg);
}

/* Match columns by name; check types; require the columns asked for. */
static void
map_columns(TupleDesc desc, const char *what, ArrayType *required, InnerMap *map)
{
	Datum	   *req;
	bool	   *req_nulls;
	int			nreq;

	for (int c = 0; c < (int) N_INVOICE_COLUMNS; c++)
	{
		map->attno[c] = -1;
		for (int a = 0; a < desc->natts; a++)
		{
			Form_pg_attribute att = TupleDescAttr(desc, a);

			if (att->attisdropped || strcmp(NameStr(att->attname), invoice_columns[c].name) != 0)
				continue;
			if (map->attno[c] >= 0)
				ereport(ERROR,
						(errcode(ERRCODE_AMBIGUOUS_COLUMN),
						 errmsg("%s has more than one column \"%s\"", what, invoice_columns[c].name)));
			map->attno[c] = a;
			map->typid[c] = att->atttypid;
		}
		if (map->attno[c] < 0)
			continue;

		switch (invoice_columns[c].kind)
		{
			case INNER_TEXT:
				if (map->typid[c] != TEXTOID && map->typid[c] != VARCHAROID)
				{
					Oid			func;
					bool		varlena;

					getTypeOutputInfo(map->typid[c], &func, &varlena);
					fmgr_info(func, &map->output[c]);
				}
				break;
			case INNER_AMOUNT:
				if (map->typid[c] == NUMERICOID || map->typid[c] == INT8OID ||
					map->typid[c] == INT4OID || map->typid[c] == INT2OID)
					break;
				/* fall through */
			case INNER_DATE:
				if (invoice_columns[c].kind == INNER_DATE && map->typid[c] == DATEOID)
					break;
				ereport(ERROR,
						(errcode(ERRCODE_DATATYPE_MISMATCH),
						 errmsg("column \"%s\" of %s has type %s, expected %s",
								invoice_columns[c].name, what,
								format_type_be(map->typid[c]),
								kind_expected(invoice_columns[c].kind)),
						 errhint("Cast the column in the query, for example %s::%s.",
								 invoice_columns[c].name,
								 invoice_columns[c].kind == INNER_DATE ? "date" : "numeric")));
		}
	}

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
					 errmsg("\"%s\" is not an invoice column", name),
					 errhint("Invoice columns are invoice_id, customer_id, customer_name, invoice_date, due_date, amount, open_amount, currency and reference.")));
		if (map->attno[c] < 0)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("%s has no column \"%s\"", what, name),
					 errhint("Name the column in the query's select list, for example \"... AS %s\".", name)));
	}
}

static Datum
column_value(const InnerMap *map, int c, Datum value)
{
	switch (invoice_columns[c].kind)
	{
		case INNER_TEXT:
			if (map->typid[c] == TEXTOID || map->typid[c] == VARCHAROID)
				return PointerGetDatum(PG_DETOAST_DATUM_COPY(value));
			return PointerGetDatum(cstring_to_text(OutputFunctionCall((FmgrInfo *) &map->output[c],
																	  value)));
		case INNER_AMOUNT:
			switch (map->typid[c])
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
		case INNER_DATE:
			return value;
	}
	return value;
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
	InnerMap	map;
	Portal		portal;
	bool		mapped = false;

	InitMaterializedSRF(fcinfo, 0);
	row_ctx = AllocSetContextCreate(CurrentMemoryContext, "o2c inner rows",
									ALLOCSET_DEFAULT_SIZES);

	errcb.callback = inner_context;
	errcb.arg = (void *) "invoices_sql";
	errcb.previous = error_context_stack;
	error_context_stack = &errcb;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	portal = SPI_cursor_open_with_args(NULL, sql, 0, NULL, NULL, NULL, true, 0);

	for (;;)
	{
		SPI_cursor_fetch(portal, true, INNER_FETCH_ROWS);
		if (!mapped)
		{
			map_columns(SPI_tuptable->tupdesc, "invoices_sql", required, &map);
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
				if (map.attno[c] < 0)
				{
					nulls[c] = true;
					continue;
				}
				values[c] = SPI_getbinval(tuple, SPI_tuptable->tupdesc, map.attno[c] + 1, &nulls[c]);
				if (!nulls[c])
					values[c] = column_value(&map, c, values[c]);
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
