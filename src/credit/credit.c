/*
 * credit.c — checking the inner queries registered in o2c.credit_source.
 *
 * Exposure wraps each source query as a subquery (credit.sql), so a column
 * missing there would surface as the server's own "column q.x does not
 * exist" in the middle of an order. Instead the query is prepared when its
 * row is written and its result columns bound as every other inner query's
 * are: an error names the source, the column, the type found and expected.
 */
#include "postgres.h"

#include "core/o2c.h"
#include "core/innerq.h"

#include "executor/spi.h"
#include "fmgr.h"
#include "utils/builtins.h"

PG_FUNCTION_INFO_V1(o2c_credit_source_columns);

static const O2cColSpec receivable_cols[] = {
	{"customer_id", O2C_COL_ID, true, false},
	{"currency", O2C_COL_TEXT, true, false},
	{"open_amount", O2C_COL_AMOUNT, true, false},
	{"due_date", O2C_COL_DATE, true, false},
	{"invoice_id", O2C_COL_ID, false, false},
	{"invoice_date", O2C_COL_DATE, false, false},
	{"amount", O2C_COL_AMOUNT, false, false},
};

static const O2cColSpec order_cols[] = {
	{"order_id", O2C_COL_ID, true, false},
	{"customer_id", O2C_COL_ID, true, false},
	{"currency", O2C_COL_TEXT, true, false},
	{"amount", O2C_COL_AMOUNT, true, false},
};

static const O2cColSpec delivered_cols[] = {
	{"customer_id", O2C_COL_ID, true, false},
	{"currency", O2C_COL_TEXT, true, false},
	{"amount", O2C_COL_AMOUNT, true, false},
};

Datum
o2c_credit_source_columns(PG_FUNCTION_ARGS)
{
	char	   *source = text_to_cstring(PG_GETARG_TEXT_PP(0));
	char	   *sql = text_to_cstring(PG_GETARG_TEXT_PP(1));
	const O2cColSpec *specs;
	int			n;
	O2cCol		cols[8];
	Portal		portal;
	char	   *what;

	if (strcmp(source, "receivables") == 0)
		specs = receivable_cols, n = lengthof(receivable_cols);
	else if (strcmp(source, "orders") == 0)
		specs = order_cols, n = lengthof(order_cols);
	else if (strcmp(source, "delivered") == 0)
		specs = delivered_cols, n = lengthof(delivered_cols);
	else
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown credit source: \"%s\"", o2c_quote_cstr(source)),
				 errhint("Credit sources are receivables, orders and delivered.")));
	what = psprintf("the %s query", source);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	/* Opened, never fetched from: only the result's columns are needed. */
	portal = o2c_innerq_open(sql, what, true);
	o2c_innerq_bind(portal->tupDesc, specs, n, cols, what, InvalidOid);
	SPI_cursor_close(portal);
	SPI_finish();
	PG_RETURN_VOID();
}
