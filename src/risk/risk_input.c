/*
 * risk_input.c — read the rows of an inner query for the risk and statement
 * functions.
 *
 * The query runs as given, through an SPI cursor with the caller's rights,
 * never spliced into other SQL. Its columns are matched by name; ids of any
 * type are read as text, amounts may be any integer type or numeric, dates
 * must be date. A missing, duplicated or mistyped column is an error that
 * names it; so is a NULL where none is allowed, an infinite date or a NaN
 * or infinite amount.
 */
#include "postgres.h"

#include "core/o2c.h"
#include "risk.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/portal.h"

#define FETCH_ROWS	10000

static void
read_value(Datum d, const O2cColSpec *col, const O2cCol *bind, const char *what,
		   O2cValue *v)
{
	switch (col->kind)
	{
		case O2C_COL_ID:
		case O2C_COL_TEXT:
		case O2C_COL_TERMS:
			if (bind->type == TEXTOID || bind->type == VARCHAROID)
				v->id = TextDatumGetCString(d);
			else
				v->id = OutputFunctionCall((FmgrInfo *) &bind->out, d);
			break;
		case O2C_COL_AMOUNT:
			switch (bind->type)
			{
				case INT2OID:
					v->amount = int64_to_numeric(DatumGetInt16(d));
					break;
				case INT4OID:
					v->amount = int64_to_numeric(DatumGetInt32(d));
					break;
				case INT8OID:
					v->amount = int64_to_numeric(DatumGetInt64(d));
					break;
				default:
					v->amount = DatumGetNumericCopy(d);
					if (numeric_is_nan(v->amount) || numeric_is_inf(v->amount))
						ereport(ERROR,
								(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
								 errmsg("column \"%s\" of the %s must be finite, not \"%s\"",
										col->name, what,
										DatumGetCString(DirectFunctionCall1(numeric_out, d)))));
			}
			break;
		case O2C_COL_DATE:
			v->date = DatumGetDateADT(d);
			if (DATE_NOT_FINITE(v->date))
				ereport(ERROR,
						(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
						 errmsg("column \"%s\" of the %s must be a finite date, not \"%s\"",
								col->name, what,
								DATE_IS_NOBEGIN(v->date) ? "-infinity" : "infinity")));
			break;
		case O2C_COL_BOOL:
			v->flag = DatumGetBool(d);
			break;
	}
}

void
o2c_read_inner_query(const char *query, const char *what,
					 const O2cColSpec *cols, int ncols,
					 O2cRowCallback cb, void *arg)
{
	MemoryContext target = CurrentMemoryContext;
	Portal		portal;
	O2cCol	   *bind;
	O2cValue   *values;

	portal = o2c_innerq_open(query, psprintf("the %s", what), false);

	bind = palloc0(sizeof(O2cCol) * ncols);
	values = palloc0(sizeof(O2cValue) * ncols);
	o2c_innerq_bind(portal->tupDesc, cols, ncols, bind, psprintf("the %s", what), InvalidOid);

	for (;;)
	{
		SPITupleTable *tt;
		MemoryContext old;

		SPI_cursor_fetch(portal, true, FETCH_ROWS);
		tt = SPI_tuptable;
		if (SPI_processed == 0 || tt == NULL)
			break;
		old = MemoryContextSwitchTo(target);
		for (uint64 r = 0; r < SPI_processed; r++)
		{
			HeapTuple	tup = tt->vals[r];

			for (int c = 0; c < ncols; c++)
			{
				Datum		d;

				memset(&values[c], 0, sizeof(O2cValue));
				if (bind[c].attno == 0)
				{
					values[c].isnull = true;
					continue;
				}
				d = heap_getattr(tup, bind[c].attno, tt->tupdesc, &values[c].isnull);
				if (values[c].isnull)
				{
					if (!cols[c].nullable)
						ereport(ERROR,
								(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
								 errmsg("column \"%s\" of the %s must not be null",
										cols[c].name, what),
								 (c > 0 && cols[0].kind == O2C_COL_ID && !values[0].isnull) ?
								 errdetail("The row with %s \"%s\" has a null %s.",
										   cols[0].name, o2c_quote_cstr(values[0].id), cols[c].name) : 0));
					continue;
				}
				read_value(d, &cols[c], &bind[c], what, &values[c]);
			}
			cb(values, arg);
		}
		MemoryContextSwitchTo(old);
		SPI_freetuptable(tt);
	}
	SPI_cursor_close(portal);
	pfree(bind);
	pfree(values);
}
