/*
 * currency_sql.c — SQL wrappers of the ISO 4217 table (currency.c), and the
 * currency argument check shared by functions that take a currency.
 */
#include "postgres.h"

#include "o2c.h"
#include "currency.h"

#include "fmgr.h"
#include "utils/builtins.h"

PG_FUNCTION_INFO_V1(o2c_currency_valid);
PG_FUNCTION_INFO_V1(o2c_currency_minor_units_sql);

/*
 * Minor units of a currency argument, raising 22023 for a code that is not
 * ISO 4217 or has no minor unit: never a silent default.
 */
int
o2c_currency_minor_units_or_error(text *currency)
{
	char	   *s = text_to_cstring(currency);
	int			units = o2c_currency_minor_units(s, strlen(s));

	if (units == O2C_CURRENCY_UNKNOWN)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown currency: \"%s\"", o2c_quote_cstr(s)),
				 errhint("Use an active ISO 4217 code such as EUR, USD or JPY.")));
	if (units == O2C_CURRENCY_NO_MINOR_UNIT)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("currency \"%s\" has no minor unit", o2c_quote_cstr(s)),
				 errdetail("ISO 4217 defines no decimals for precious metals, SDR and testing codes.")));
	return units;
}

Datum
o2c_currency_valid(PG_FUNCTION_ARGS)
{
	text	   *t = PG_GETARG_TEXT_PP(0);

	PG_RETURN_BOOL(o2c_currency_minor_units(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t))
				   != O2C_CURRENCY_UNKNOWN);
}

Datum
o2c_currency_minor_units_sql(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32(o2c_currency_minor_units_or_error(PG_GETARG_TEXT_PP(0)));
}
