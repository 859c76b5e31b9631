/*
 * fx.h — exchange rates: the rate lookup (fx.c) that o2c.convert
 * (fx_sql.c) and o2c.revaluation (fx_reval.c) share.
 */
#ifndef O2C_FX_H
#define O2C_FX_H

#include "postgres.h"

#include "utils/date.h"
#include "utils/numeric.h"

/* A currency argument: its code upper-cased, table slot and minor units. */
typedef struct O2cFxCode
{
	char		code[4];
	int			slot;			/* 0 .. 26^3 - 1 */
	int			minor;			/* minor units, or O2C_CURRENCY_NO_MINOR_UNIT */
} O2cFxCode;

/* The rates read so far, kept for one query (opaque, fx.c). */
typedef struct O2cFxCache O2cFxCache;

/*
 * Parse a currency argument; 22023 naming it when it is not ISO 4217. what
 * names the argument in the message ("from_currency", "currency of invoice X").
 */
extern void o2c_fx_code(const char *s, size_t len, O2cFxCode *out, const char *what);

/* A cache whose memory is a child of parent, for one query. */
extern O2cFxCache *o2c_fx_cache_create(MemoryContext parent);

/*
 * For a cache kept across calls (fn_extra): forget what was read unless the
 * active snapshot is the one it was read under, so a change to o2c.fx_rate
 * or o2c.settings made between two statements is always seen.
 */
extern void o2c_fx_cache_check(O2cFxCache *cache);

/*
 * A finite numeric amount (possibly packed) converted from one currency to
 * another on a date, rounded half away from zero to to->minor decimals;
 * the same amount when the currencies are equal; P0002 when no rate
 * applies. When
 * rate is not NULL it receives the effective rate (units of to per unit of
 * from), exact for a direct rate, else to numeric division's precision.
 */
extern Numeric o2c_fx_convert(O2cFxCache *cache, Datum amount,
							  const O2cFxCode *from, const O2cFxCode *to,
							  DateADT on, Numeric *rate);

#endif							/* O2C_FX_H */
