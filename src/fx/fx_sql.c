/*
 * fx_sql.c — o2c.convert(amount, from_currency, to_currency, on_date): the
 * SQL face of the rate lookup (fx.c), with its cache kept per call site.
 */
#include "postgres.h"

#include "core/o2c.h"
#include "core/money.h"
#include "fx.h"

#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/numeric.h"

PG_FUNCTION_INFO_V1(o2c_convert);

/*
 * o2c.convert: the cache lives in fn_mcxt (one expression of one query, or
 * of a PL/pgSQL function's statements) and is checked against the active
 * snapshot on every call, so it never serves rates another statement could
 * see differently.
 */
Datum
o2c_convert(PG_FUNCTION_ARGS)
{
	Datum		amount = PG_GETARG_DATUM(0);
	text	   *from_t = PG_GETARG_TEXT_PP(1);
	text	   *to_t = PG_GETARG_TEXT_PP(2);
	DateADT		on = PG_GETARG_DATEADT(3);
	O2cFxCache *cache = (O2cFxCache *) fcinfo->flinfo->fn_extra;
	O2cFxCode	from,
				to;
	int128		units;
	int32		dscale;

	o2c_fx_code(VARDATA_ANY(from_t), VARSIZE_ANY_EXHDR(from_t), &from, "from_currency");
	o2c_fx_code(VARDATA_ANY(to_t), VARSIZE_ANY_EXHDR(to_t), &to, "to_currency");
	if (o2c_numeric_units(amount, &units, &dscale) == O2C_UNITS_SPECIAL)
		o2c_check_finite_amount(DatumGetNumeric(amount), "amount");
	o2c_check_finite_date(on, "on_date");

	if (cache == NULL)
	{
		cache = o2c_fx_cache_create(fcinfo->flinfo->fn_mcxt);
		fcinfo->flinfo->fn_extra = cache;
	}
	o2c_fx_cache_check(cache);
	PG_RETURN_NUMERIC(o2c_fx_convert(cache, amount, &from, &to, on, NULL));
}
