/*
 * bank_sql.c — set-returning SQL wrappers of the bank statement parsers
 * (mt940.c, camt.c, bai2.c): one row per statement line.
 *
 * The bank concern (src/bank/), above core: the statement parsers
 * (bankfmt.c, mt940.c, camt.c, bai2.c; plain C over buffers) and
 * reconcile (reconcile.c). Reads statement text and, for reconcile, bank
 * lines and book entries through inner queries; writes nothing.
 */
#include "postgres.h"

#include "core/o2c.h"
#include "bankfmt.h"
#include "core/currency.h"

#include "fmgr.h"
#include "funcapi.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/memutils.h"

PG_FUNCTION_INFO_V1(o2c_parse_mt940_sql);
PG_FUNCTION_INFO_V1(o2c_parse_camt053_sql);
PG_FUNCTION_INFO_V1(o2c_parse_bai2_sql);
PG_FUNCTION_INFO_V1(o2c_parse_warnings_sql);

typedef bool (*BankParser) (const char *buf, size_t len, bool strict,
							O2cBankResult *res, O2cError *err);

#define BANK_COLS 20

static Datum
date_datum(int32 ymd)
{
	return DateADTGetDatum(date2j(ymd / 10000, ymd / 100 % 100, ymd % 100)
						   - POSTGRES_EPOCH_JDATE);
}

/*
 * 10^-5 units as a numeric of the given display scale: built directly from
 * the integer, which is several times cheaper than numeric_in on text.
 */
static Datum
amount_datum(int64 units, int scale)
{
	int64		div = 1;
	int			i;

	for (i = scale; i < O2C_BANK_SCALE; i++)
		div *= 10;
	if (units % div != 0)		/* more decimals than the display scale */
		return NumericGetDatum(o2c_units_numeric((int128) units * 1000, O2C_BANK_SCALE));
	return NumericGetDatum(o2c_int64_numeric(units / div, scale));
}

/* Text out of the parser: UTF-8 (camt) is converted to the server's encoding. */
static void
put_text(Datum *values, bool *nulls, int i, const char *s, bool utf8)
{
	if (s == NULL)
		nulls[i] = true;
	else if (utf8)
		values[i] = CStringGetTextDatum(pg_any_to_server(s, strlen(s), PG_UTF8));
	else
		values[i] = CStringGetTextDatum(s);
}

/*
 * A text argument is in the server's encoding, whatever the XML declaration
 * it carries says (it described the file before it became text; it must
 * still name an encoding read): libxml2 reads it as that. Under SQL_ASCII
 * the bytes are the file's, and the declaration decides.
 */
static bool
camt_server_text(const char *buf, size_t len, bool strict,
				 O2cBankResult *res, O2cError *err)
{
	int			enc = GetDatabaseEncoding();

	if (enc == PG_SQL_ASCII)
		return o2c_parse_camt053(buf, len, strict, res, err);
	if (enc != PG_UTF8)
	{
		buf = pg_server_to_any(buf, (int) len, PG_UTF8);
		len = strlen(buf);
	}
	return o2c_parse_camt053_as(buf, len, "UTF-8", strict, res, err);
}

/* Parse input into res, or raise the parser's error. */
static void
run_parser(BankParser parse, text *input, bool strict, O2cBankResult *res)
{
	O2cError	err;

	o2c_bank_init(res);
	memset(&err, 0, sizeof(err));
	if (!parse(VARDATA_ANY(input), VARSIZE_ANY_EXHDR(input), strict, res, &err))
	{
		o2c_bank_free(res);
		o2c_raise(&err);
	}
}

static Datum
bank_srf(FunctionCallInfo fcinfo, BankParser parse)
{
	text	   *input = PG_GETARG_TEXT_PP(0);
	bool		strict = PG_NARGS() > 1 ? PG_GETARG_BOOL(1) : true;
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	O2cBankResult res;
	int			i;
	int			cur = -1;
	Datum		stmt_values[BANK_COLS];
	bool		stmt_nulls[BANK_COLS];
	int			scale = 2;

	/* camt text is UTF-8 out of libxml2; MT940 and BAI2 are slices of the input */
	bool		utf8 = parse == camt_server_text && GetDatabaseEncoding() != PG_UTF8 &&
		GetDatabaseEncoding() != PG_SQL_ASCII;

	MemoryContext outer = CurrentMemoryContext;
	MemoryContext stmtcxt,
				rowcxt;

	InitMaterializedSRF(fcinfo, 0);
	run_parser(parse, input, strict, &res);
	/* what a lax read skipped or doubted, before its rows */
	for (i = 0; i < res.nwarnings; i++)
		ereport(WARNING,
				(errcode(ERRCODE_WARNING),
				 errmsg_internal("%s", utf8 ? pg_any_to_server(res.warnings[i], strlen(res.warnings[i]), PG_UTF8)
								 : res.warnings[i])));
	if (res.warnings_dropped > 0)
		ereport(WARNING,
				(errcode(ERRCODE_WARNING),
				 errmsg("%ld more warnings not shown", res.warnings_dropped)));

	/*
	 * A row's datums are garbage once the tuplestore has copied them: freed
	 * per row (and a statement's per statement), so that a large statement
	 * costs its compact lines and the tuplestore (work_mem), no more.
	 */
	stmtcxt = AllocSetContextCreate(outer, "o2c bank statement", ALLOCSET_SMALL_SIZES);
	rowcxt = AllocSetContextCreate(outer, "o2c bank line", ALLOCSET_SMALL_SIZES);
	for (i = 0; i < res.nlines; i++)
	{
		O2cBankLine *l = &res.lines[i];
		Datum		values[BANK_COLS];
		bool		nulls[BANK_COLS];

		if (l->stmt != cur)
		{
			/* the statement's columns, computed once per statement */
			O2cBankStmt *s = &res.stmts[l->stmt];

			MemoryContextReset(stmtcxt);
			MemoryContextSwitchTo(stmtcxt);
			cur = l->stmt;
			scale = o2c_bank_stmt_scale(s);
			memset(stmt_nulls, 0, sizeof(stmt_nulls));
			put_text(stmt_values, stmt_nulls, 0, s->statement_id, utf8);
			put_text(stmt_values, stmt_nulls, 1, s->account, utf8);
			put_text(stmt_values, stmt_nulls, 2, s->currency, utf8);
			if (s->has_opening)
				stmt_values[14] = amount_datum(s->opening, scale);
			else
				stmt_nulls[14] = true;
			if (s->has_closing)
				stmt_values[15] = amount_datum(s->closing, scale);
			else
				stmt_nulls[15] = true;
			stmt_values[16] = CStringGetTextDatum(s->message ? s->message : "");
		}
		MemoryContextSwitchTo(rowcxt);
		memcpy(values, stmt_values, sizeof(values));
		memcpy(nulls, stmt_nulls, sizeof(nulls));
		values[3] = Int32GetDatum(l->line_no);
		if (l->booking_date)
			values[4] = date_datum(l->booking_date);
		else
			nulls[4] = true;
		if (l->value_date)
			values[5] = date_datum(l->value_date);
		else
			nulls[5] = true;
		values[6] = amount_datum(l->amount, scale);
		values[7] = BoolGetDatum(l->credit);
		put_text(values, nulls, 8, l->counterparty_name, utf8);
		put_text(values, nulls, 9, l->counterparty_account, utf8);
		put_text(values, nulls, 10, l->reference, utf8);
		put_text(values, nulls, 11, l->remittance, utf8);
		put_text(values, nulls, 12, l->bank_reference, utf8);
		put_text(values, nulls, 13, l->type_code, utf8);
		if (l->instructed != NULL && l->instructed->has_amount)
		{
			const char *ccy = l->instructed->currency;
			int			minor = ccy ? o2c_currency_minor_units(ccy, 3) : 2;

			values[17] = amount_datum(l->instructed->amount, Max(l->instructed->scale, Max(minor, 0)));
		}
		else
			nulls[17] = true;
		put_text(values, nulls, 18, l->instructed ? l->instructed->currency : NULL, utf8);
		if (l->instructed != NULL && l->instructed->exchange_rate != NULL)
			values[19] = DirectFunctionCall3(numeric_in, CStringGetDatum(l->instructed->exchange_rate),
											 ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1));
		else
			nulls[19] = true;
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		MemoryContextSwitchTo(outer);
		MemoryContextReset(rowcxt);
	}
	MemoryContextDelete(rowcxt);
	MemoryContextDelete(stmtcxt);
	o2c_bank_free(&res);
	return (Datum) 0;
}

Datum
o2c_parse_mt940_sql(PG_FUNCTION_ARGS)
{
	return bank_srf(fcinfo, o2c_parse_mt940);
}

Datum
o2c_parse_camt053_sql(PG_FUNCTION_ARGS)
{
	return bank_srf(fcinfo, camt_server_text);
}

Datum
o2c_parse_bai2_sql(PG_FUNCTION_ARGS)
{
	return bank_srf(fcinfo, o2c_parse_bai2);
}

/*
 * o2c.parse_warnings(format, statement): what a lax parse of the statement
 * skipped or doubted, one row per warning, without raising them: for a load
 * job that records them, and for tests. Malformed input is still an error.
 */
Datum
o2c_parse_warnings_sql(PG_FUNCTION_ARGS)
{
	char	   *format = text_to_cstring(PG_GETARG_TEXT_PP(0));
	text	   *input = PG_GETARG_TEXT_PP(1);
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	BankParser	parse;
	O2cBankResult res;
	int			i;
	bool		utf8 = false;

	if (strcmp(format, "camt") == 0 || strcmp(format, "camt053") == 0)
	{
		parse = camt_server_text;
		utf8 = GetDatabaseEncoding() != PG_UTF8 && GetDatabaseEncoding() != PG_SQL_ASCII;
	}
	else if (strcmp(format, "mt940") == 0)
		parse = o2c_parse_mt940;
	else if (strcmp(format, "bai2") == 0)
		parse = o2c_parse_bai2;
	else
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown bank statement format \"%s\"", o2c_quote_cstr(format)),
				 errhint("The formats are camt, mt940 and bai2.")));
	InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC);
	run_parser(parse, input, false, &res);
	for (i = 0; i < res.nwarnings; i++)
	{
		Datum		v;
		bool		n = false;

		v = CStringGetTextDatum(utf8 ? pg_any_to_server(res.warnings[i], strlen(res.warnings[i]), PG_UTF8)
								: res.warnings[i]);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, &v, &n);
	}
	if (res.warnings_dropped > 0)
	{
		Datum		v = CStringGetTextDatum(psprintf("%ld more warnings not shown", res.warnings_dropped));
		bool		n = false;

		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, &v, &n);
	}
	o2c_bank_free(&res);
	return (Datum) 0;
}
