/*
 * fx_reval.c — o2c.revaluation(open_items_sql, to_currency, closing
 * [, booked_rate_column]): per open item, its open amount in the reporting
 * currency at the booked rate and at the closing rate, and the unrealized
 * gain or loss between the two (what a controller posts at month end).
 *
 * The open items are read through an inner query (columns by name, as
 * every o2c bulk function reads them); the rates through fx.c.
 */
#include "postgres.h"

#include "core/o2c.h"
#include "core/innerq.h"
#include "fx.h"

#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/numeric.h"
#include "utils/tuplestore.h"

PG_FUNCTION_INFO_V1(o2c_revaluation);

enum
{
	R_ID, R_CUST, R_CUR, R_IDATE, R_OPEN, R_BOOKED, R_NCOLS
};

#define REVAL_OUT_COLS 9

typedef struct RevalContext
{
	const char *sql;
	const char *invoice;		/* the row being converted, or NULL */
} RevalContext;

static void
reval_error_context(void *arg)
{
	RevalContext *r = arg;

	if (r->invoice != NULL)
		errcontext("invoice \"%s\" of open_items_sql of revaluation", o2c_quote_cstr(r->invoice));
	else
		errcontext("inner query open_items_sql of revaluation: %s", o2c_quote_cstr(r->sql));
}

/* A rate or amount NULL where the row needs it: 22004 naming both. */
static void
reval_null(const char *column, const char *invoice, const char *why)
{
	ereport(ERROR,
			(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
			 errmsg("%s of invoice \"%s\" is null", column,
					invoice ? o2c_quote_cstr(invoice) : "NULL"),
			 errdetail("%s", why)));
}

/* One open item: the output values, allocated in the current context. */
static void
reval_row(O2cFxCache *cache, HeapTuple tup, TupleDesc td, const O2cCol *cols,
		  const char *booked_col, const O2cFxCode *to, DateADT closing,
		  RevalContext *ctx, Datum *values, bool *nulls)
{
	char	   *id = o2c_col_text(tup, td, &cols[R_ID]);
	char	   *cust = o2c_col_text(tup, td, &cols[R_CUST]);
	char	   *cur = o2c_col_text(tup, td, &cols[R_CUR]);
	Numeric		open = o2c_col_amount(tup, td, &cols[R_OPEN]);
	Numeric		booked_rate = NULL,
				booked_amount,
				closing_rate,
				closing_amount;
	O2cFxCode	from;

	ctx->invoice = id ? id : "NULL";
	memset(nulls, 0, sizeof(bool) * REVAL_OUT_COLS);
	if (id != NULL)
		values[0] = CStringGetTextDatum(id);
	else
		nulls[0] = true;
	if (cust != NULL)
		values[1] = CStringGetTextDatum(cust);
	else
		nulls[1] = true;
	if (cur == NULL)
		reval_null("currency", id, "Every open item needs its currency.");
	if (open == NULL)
		reval_null("open_amount", id, "Every open item needs its open amount.");
	if (numeric_is_nan(open) || numeric_is_inf(open))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("open_amount of invoice \"%s\" must be a finite number, not \"%s\"",
						id ? o2c_quote_cstr(id) : "NULL", o2c_num_text(open))));
	o2c_fx_code(cur, strlen(cur), &from, "The currency of an open item");
	values[2] = CStringGetTextDatum(from.code);
	values[3] = NumericGetDatum(open);

	if (from.slot == to->slot)
	{
		/* rates 1, amounts unchanged, no gain or loss */
		values[4] = values[6] = NumericGetDatum(int64_to_numeric(1));
		values[5] = values[7] = NumericGetDatum(open);
		values[8] = NumericGetDatum(o2c_int64_numeric(0, to->minor));
		return;
	}

	if (booked_col != NULL)
		booked_rate = o2c_col_amount(tup, td, &cols[R_BOOKED]);
	if (booked_rate != NULL)
	{
		if (numeric_is_nan(booked_rate) || numeric_is_inf(booked_rate) ||
			o2c_numeric_sign(booked_rate) <= 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("booked rate of invoice \"%s\" must be a positive finite number, not \"%s\"",
							id ? o2c_quote_cstr(id) : "NULL", o2c_num_text(booked_rate)),
					 errdetail("Column \"%s\" gives units of %s per unit of %s.",
							   booked_col, to->code, from.code)));
		booked_amount = DatumGetNumeric(DirectFunctionCall2(numeric_round,
															DirectFunctionCall2(numeric_mul,
																				NumericGetDatum(open),
																				NumericGetDatum(booked_rate)),
															Int32GetDatum(to->minor)));
	}
	else
	{
		DateADT		invoice_date;

		if (!o2c_col_date(tup, td, &cols[R_IDATE], &invoice_date))
			reval_null("invoice_date", id,
					   booked_col ? "Without a booked rate the rate of the invoice date is used."
					   : "The booked rate is the rate of the invoice date.");
		o2c_check_finite_date(invoice_date, "invoice_date");
		booked_amount = o2c_fx_convert(cache, NumericGetDatum(open), &from, to,
									   invoice_date, &booked_rate);
	}
	closing_amount = o2c_fx_convert(cache, NumericGetDatum(open), &from, to, closing,
									&closing_rate);
	values[4] = NumericGetDatum(booked_rate);
	values[5] = NumericGetDatum(booked_amount);
	values[6] = NumericGetDatum(closing_rate);
	values[7] = NumericGetDatum(closing_amount);
	values[8] = DirectFunctionCall2(numeric_sub, NumericGetDatum(closing_amount),
									NumericGetDatum(booked_amount));
}

Datum
o2c_revaluation(PG_FUNCTION_ARGS)
{
	char	   *sql = text_to_cstring(PG_GETARG_TEXT_PP(0));
	text	   *to_t = PG_GETARG_TEXT_PP(1);
	DateADT		closing = PG_GETARG_DATEADT(2);
	char	   *booked_col = PG_NARGS() > 3 ? text_to_cstring(PG_GETARG_TEXT_PP(3)) : NULL;
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	RevalContext rctx = {sql, NULL};
	ErrorContextCallback errcb;
	MemoryContext mcxt,
				row_ctx;
	O2cFxCache *cache;
	O2cFxCode	to;
	O2cColSpec	specs[R_NCOLS] = {
		{"invoice_id", O2C_COL_ID, true},
		{"customer_id", O2C_COL_ID, true},
		{"currency", O2C_COL_TEXT, true},
		{"invoice_date", O2C_COL_DATE, booked_col == NULL},
		{"open_amount", O2C_COL_AMOUNT, true},
		{booked_col ? booked_col : "", O2C_COL_AMOUNT, booked_col != NULL},
	};
	O2cCol		cols[R_NCOLS];
	Portal		portal;
	bool		bound = false;

	o2c_fx_code(VARDATA_ANY(to_t), VARSIZE_ANY_EXHDR(to_t), &to, "to_currency");
	(void) o2c_currency_minor_units_or_error(to_t);
	o2c_check_finite_date(closing, "closing");

	InitMaterializedSRF(fcinfo, 0);
	mcxt = AllocSetContextCreate(CurrentMemoryContext, "o2c revaluation", ALLOCSET_DEFAULT_SIZES);
	row_ctx = AllocSetContextCreate(mcxt, "o2c revaluation row", ALLOCSET_DEFAULT_SIZES);
	cache = o2c_fx_cache_create(mcxt);

	errcb.callback = reval_error_context;
	errcb.arg = &rctx;
	errcb.previous = error_context_stack;
	error_context_stack = &errcb;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	portal = o2c_innerq_open(sql, "open_items_sql of revaluation", true);
	for (;;)
	{
		SPITupleTable *batch;

		SPI_cursor_fetch(portal, true, 10000);
		batch = SPI_tuptable;
		if (!bound)
		{
			/* without a booked-rate column, its spec is left out */
			o2c_innerq_bind(batch->tupdesc, specs, booked_col ? R_NCOLS : R_NCOLS - 1, cols,
							"open_items_sql of revaluation", InvalidOid);
			if (booked_col == NULL)
				memset(&cols[R_BOOKED], 0, sizeof(O2cCol));
			bound = true;
		}
		if (SPI_processed == 0)
			break;
		for (uint64 i = 0, n = SPI_processed; i < n; i++)
		{
			Datum		values[REVAL_OUT_COLS];
			bool		nulls[REVAL_OUT_COLS];
			MemoryContext old = MemoryContextSwitchTo(row_ctx);

			reval_row(cache, batch->vals[i], batch->tupdesc, cols, booked_col, &to,
					  closing, &rctx, values, nulls);
			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
			MemoryContextSwitchTo(old);
			MemoryContextReset(row_ctx);
			rctx.invoice = NULL;
		}
		SPI_freetuptable(batch);
		CHECK_FOR_INTERRUPTS();
	}
	SPI_cursor_close(portal);
	SPI_finish();
	error_context_stack = errcb.previous;
	MemoryContextDelete(mcxt);
	return (Datum) 0;
}
