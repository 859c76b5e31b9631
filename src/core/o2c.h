/*
 * o2c.h — declarations shared across o2c's source files.
 *
 * The core concern (src/core/), below every other: the allocation-and-error
 * interface of the plain-C cores (core.h), exact sums (exactsum.c), money
 * splitting (money.c), ISO 4217 currencies (currency.c), the jsonb options
 * (options.c), the one binder of inner-query columns (innerq.c) and
 * invoices_from (inner.c), and the one place that looks at the server
 * version (compat.h). Reads only what callers pass and their inner queries;
 * writes nothing.
 */
#ifndef O2C_H
#define O2C_H

#include "postgres.h"

#include "compat.h"
#include "core.h"
#include "lib/stringinfo.h"
#include "utils/date.h"
#include "utils/numeric.h"

/*
 * Exact sum of numerics (exactsum.c). Values of up to 8 decimals and below
 * 10^20 in magnitude are added as integers of 10^-8 units; anything else, and
 * the fast part itself when it would overflow, goes to a numeric spill. The
 * sum is therefore always exact, and cheap in the common case.
 */
#define O2C_SUM_SCALE 8

typedef struct O2cSum
{
	int128		fast;			/* in units of 10^-O2C_SUM_SCALE */
	Numeric		spill;			/* the rest, or NULL */
	int32		dscale;			/* largest display scale added, -1 if none */
} O2cSum;

/* How o2c_numeric_units() classified a value. */
typedef enum O2cUnitsResult
{
	O2C_UNITS_FAST,				/* *units holds the value */
	O2C_UNITS_SLOW,				/* finite, but outside the fast range */
	O2C_UNITS_SPECIAL			/* NaN or +/-Infinity */
} O2cUnitsResult;

extern O2cUnitsResult o2c_numeric_units(Datum num, int128 *units, int32 *dscale);
extern void o2c_sum_init(O2cSum *sum);
extern void o2c_sum_add_units(O2cSum *sum, int128 units, int32 dscale,
							  MemoryContext ctx);
extern void o2c_sum_add_numeric(O2cSum *sum, Numeric num, MemoryContext ctx);
extern void o2c_sum_add_product(O2cSum *sum, int128 units, int64 factor,
								int32 dscale, MemoryContext ctx);
extern void o2c_sum_add_sum(O2cSum *sum, const O2cSum *other, MemoryContext ctx);
extern Numeric o2c_sum_numeric(const O2cSum *sum, int32 dscale);
extern int	o2c_sum_sign(const O2cSum *sum);
extern int	o2c_numeric_sign(Numeric num);
/* numeric_cmp and numeric_out of two Numerics, for C callers. */
extern int	o2c_num_cmp(Numeric a, Numeric b);
extern char *o2c_num_text(Numeric n);
extern void o2c_sum_serialize(StringInfo buf, const O2cSum *sum);
extern void o2c_sum_deserialize(StringInfo buf, O2cSum *sum);
extern Numeric o2c_units_numeric(int128 units, int32 dscale);
/* value * 10^-scale, built directly in numeric's stored form. */
extern Numeric o2c_int64_numeric(int64 value, int scale);

/*
 * An O2cSum laid out inside a varlena aggregate state. It holds no pointer,
 * so the state can be copied, passed from a parallel worker or sent to
 * another server as it is; a spilled part is a numeric stored in the same
 * state, spill bytes from its start. Transition functions add to fast in
 * place and rebuild the state (o2c_flat_put) only when a value spills.
 */
typedef struct O2cFlatSum
{
	int128		fast;			/* in units of 10^-O2C_SUM_SCALE */
	int32		dscale;			/* largest display scale added, -1 if none */
	int32		spill;			/* offset of a numeric in the state, 0 if none */
} O2cFlatSum;

/* Bytes o2c_flat_put needs after a state's fixed part for this sum. */
extern Size o2c_flat_extra(const O2cSum *sum);
/* Store sum into *dst of the state at base, its spill at *offset (advanced). */
extern void o2c_flat_put(char *base, Size *offset, O2cFlatSum *dst, const O2cSum *sum);
/* Read *src of the state at base into sum, its spill copied. */
extern void o2c_flat_get(const char *base, const O2cFlatSum *src, O2cSum *sum);

/*
 * Checked reads of an aggregate state's external form: running out of data
 * or a value out of range is an error with errcode, naming the type.
 */
extern int	o2c_state_read_byte(StringInfo buf, int sqlstate, const char *type_name);
extern int32 o2c_state_read_int32(StringInfo buf, int sqlstate, const char *type_name);
extern int64 o2c_state_read_int64(StringInfo buf, int sqlstate, const char *type_name);
extern void o2c_state_read_sum(StringInfo buf, O2cSum *sum, int sqlstate, const char *type_name);
/* A state's text form: its binary form in hexadecimal, and back (22P02). */
extern char *o2c_hex_encode(const char *data, int len);
extern void o2c_hex_decode(const char *text, StringInfo buf, const char *type_name);
O2C_NORETURN_BEFORE extern void o2c_state_corrupt(int sqlstate, const char *type_name) O2C_NORETURN_AFTER;

/* Exact p / q rounded half away from zero to scale decimals. */
extern Numeric o2c_div_round(Numeric p, Numeric q, int scale);

/* 22008 for an infinite date argument (core_server.c). */
extern void o2c_check_finite_date(DateADT d, const char *what);

/* Minor units of a currency argument; 22023 when unknown (currency_sql.c). */
extern int	o2c_currency_minor_units_or_error(text *currency);

/* Raise a core failure as an ERROR with its SQLSTATE (core_server.c). */
O2C_NORETURN_BEFORE extern void o2c_raise(const O2cError *err) O2C_NORETURN_AFTER;

#endif							/* O2C_H */
