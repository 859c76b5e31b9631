/*
 * money.c — exact money splitting by largest remainder: split_amount, and
 * the split payment_schedule and installment_plan use.
 *
 * The amount is taken in minor units U (it must not have more decimals than
 * the currency). Each part gets floor(U w_i / W) units; the units left over
 * go one each to the parts with the largest remainders U w_i mod W, ties to
 * the earlier part. All in exact numeric arithmetic, so the parts always sum
 * to the amount.
 */
#include "postgres.h"

#include "o2c.h"
#include "money.h"

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"

#define SPLIT_MAX_PARTS		10000

PG_FUNCTION_INFO_V1(o2c_split_amount);

void
o2c_check_finite_amount(Numeric amount, const char *what)
{
	if (numeric_is_nan(amount) || numeric_is_inf(amount))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be a finite number, not \"%s\"", what,
						DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(amount))))));
}


typedef struct SplitRem
{
	int			index;
	Numeric		rem;
} SplitRem;

static inline Datum
num(Numeric n)
{
	return NumericGetDatum(n);
}

static int
rem_cmp(const void *a, const void *b)
{
	const SplitRem *x = a;
	const SplitRem *y = b;
	int			c = DatumGetInt32(DirectFunctionCall2(numeric_cmp, num(y->rem), num(x->rem)));

	if (c != 0)
		return c;
	return x->index - y->index;
}

static char *
numeric_text(Numeric n)
{
	return DatumGetCString(DirectFunctionCall1(numeric_out, num(n)));
}

void
o2c_split_numeric(Numeric amount, const Numeric *weights, int n, int scale,
				  Numeric *results)
{
	Datum		pow10 = DirectFunctionCall2(numeric_power, num(int64_to_numeric(10)),
											num(int64_to_numeric(scale)));
	Datum		units,
				total = num(int64_to_numeric(0)),
				left;
	bool		negative;
	SplitRem   *rems = palloc(sizeof(SplitRem) * n);
	Datum	   *q = palloc(sizeof(Datum) * n);
	int			i,
				extra;

	o2c_check_finite_amount(amount, "amount");
	units = DirectFunctionCall2(numeric_mul, num(amount), pow10);
	if (DatumGetInt32(DirectFunctionCall2(numeric_cmp, units,
										  DirectFunctionCall2(numeric_trunc, units, Int32GetDatum(0)))) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("amount %s has more than %d decimals", o2c_quote_cstr(numeric_text(amount)), scale),
				 errhint("Round the amount to the currency's minor units first.")));
	negative = o2c_numeric_sign(DatumGetNumeric(units)) < 0;
	units = DirectFunctionCall1(numeric_abs, units);

	for (i = 0; i < n; i++)
		total = DirectFunctionCall2(numeric_add, total, num(weights[i]));
	if (o2c_numeric_sign(DatumGetNumeric(total)) <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("split weights sum to %s, not a positive number",
						o2c_quote_cstr(numeric_text(DatumGetNumeric(total))))));

	left = units;
	for (i = 0; i < n; i++)
	{
		Datum		share = DirectFunctionCall2(numeric_mul, units, num(weights[i]));

		q[i] = DirectFunctionCall2(numeric_div_trunc, share, total);
		rems[i].index = i;
		rems[i].rem = DatumGetNumeric(DirectFunctionCall2(numeric_sub, share,
														  DirectFunctionCall2(numeric_mul, q[i], total)));
		left = DirectFunctionCall2(numeric_sub, left, q[i]);
	}
	/* Fewer than n units are left over. */
	extra = DatumGetInt32(DirectFunctionCall1(numeric_int4, left));
	if (extra > 0)
	{
		qsort(rems, n, sizeof(SplitRem), rem_cmp);
		for (i = 0; i < extra; i++)
			q[rems[i].index] = DirectFunctionCall2(numeric_add, q[rems[i].index],
												   num(int64_to_numeric(1)));
	}
	for (i = 0; i < n; i++)
	{
		Datum		v = DirectFunctionCall2(numeric_div, q[i], pow10);

		if (negative)
			v = DirectFunctionCall1(numeric_uminus, v);
		results[i] = DatumGetNumeric(DirectFunctionCall2(numeric_round, v, Int32GetDatum(scale)));
	}
	pfree(rems);
	pfree(q);
}

typedef struct SplitRemInt
{
	int			index;
	int128		rem;
} SplitRemInt;

static int
rem_int_cmp(const void *a, const void *b)
{
	const SplitRemInt *x = a;
	const SplitRemInt *y = b;

	if (x->rem != y->rem)
		return x->rem > y->rem ? -1 : 1;
	return x->index - y->index;
}

/*
 * The same split over integers when the amount has at most O2C_SUM_SCALE
 * decimals and is below 10^20 (the sum fast path's range); false otherwise,
 * or when the amount has more decimals than `scale` (the numeric path then
 * raises the error).
 */
static bool
split_fast(Numeric amount, const int32 *weights, int n, int scale, Numeric *results)
{
	int128		units,
				step = 1,
				total = 0,
				left;
	int32		dscale;
	bool		negative;
	SplitRemInt *rems;
	int128	   *q;
	int			i;

	if (o2c_numeric_units(NumericGetDatum(amount), &units, &dscale) != O2C_UNITS_FAST)
		return false;
	for (i = scale; i < O2C_SUM_SCALE; i++)
		step *= 10;
	if (units % step != 0)
		return false;
	for (i = 0; i < n; i++)
		total += weights[i];
	if (total <= 0)
		return false;
	negative = units < 0;
	left = (negative ? -units : units) / step;
	rems = palloc(sizeof(SplitRemInt) * n);
	q = palloc(sizeof(int128) * n);
	{
		int128		u = left;

		/* u < 10^(20+4) and weights below 2^31: the products fit in 128 bits. */
		for (i = 0; i < n; i++)
		{
			int128		share = u * weights[i];

			q[i] = share / total;
			rems[i].index = i;
			rems[i].rem = share % total;
			left -= q[i];
		}
	}
	if (left > 0)
	{
		qsort(rems, n, sizeof(SplitRemInt), rem_int_cmp);
		for (i = 0; i < left; i++)
			q[rems[i].index]++;
	}
	for (i = 0; i < n; i++)
		results[i] = o2c_units_numeric((negative ? -q[i] : q[i]) * step, scale);
	pfree(rems);
	pfree(q);
	return true;
}

void
o2c_split_int_weights(Numeric amount, const int32 *weights, int n, int scale,
					  Numeric *results)
{
	Numeric    *w;
	int			i;

	o2c_check_finite_amount(amount, "amount");
	if (split_fast(amount, weights, n, scale, results))
		return;
	w = palloc(sizeof(Numeric) * n);
	for (i = 0; i < n; i++)
		w[i] = int64_to_numeric(weights[i]);
	o2c_split_numeric(amount, w, n, scale, results);
	pfree(w);
}

/* split_amount(amount, weights numeric[] [, currency]) -> numeric[] */
Datum
o2c_split_amount(PG_FUNCTION_ARGS)
{
	Numeric		amount = PG_GETARG_NUMERIC(0);
	ArrayType  *arr = PG_GETARG_ARRAYTYPE_P(1);
	int			scale = PG_NARGS() > 2 ? o2c_currency_minor_units_or_error(PG_GETARG_TEXT_PP(2)) : 2;
	Datum	   *elems;
	bool	   *nulls;
	int			n,
				i;
	Numeric    *weights,
			   *results;
	Datum	   *out;

	if (ARR_NDIM(arr) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("split weights must be a one-dimensional array")));
	deconstruct_array(arr, NUMERICOID, -1, false, TYPALIGN_INT, &elems, &nulls, &n);
	if (n == 0 || n > SPLIT_MAX_PARTS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("split weights must have 1 to %d elements, not %d", SPLIT_MAX_PARTS, n)));
	weights = palloc(sizeof(Numeric) * n);
	results = palloc(sizeof(Numeric) * n);
	for (i = 0; i < n; i++)
	{
		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("split weight %d is NULL", i + 1)));
		weights[i] = DatumGetNumeric(elems[i]);
		if (numeric_is_nan(weights[i]) || numeric_is_inf(weights[i]) ||
			o2c_numeric_sign(weights[i]) < 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("split weight %d is %s, not a finite number >= 0",
							i + 1, o2c_quote_cstr(numeric_text(weights[i])))));
	}
	o2c_split_numeric(amount, weights, n, scale, results);
	out = palloc(sizeof(Datum) * n);
	for (i = 0; i < n; i++)
		out[i] = num(results[i]);
	PG_RETURN_ARRAYTYPE_P(construct_array(out, n, NUMERICOID, -1, false, TYPALIGN_INT));
}
