/*
 * kpi.c — collection KPIs: DSO, best possible DSO, average days delinquent,
 * the collection effectiveness index, and the amount-weighted day-count
 * aggregates avg_days_to_pay and avg_days_late.
 *
 * Every result is exact numeric arithmetic rounded once, half away from
 * zero, to 2 decimals. A ratio whose denominator is zero or negative (no
 * sales, nothing collectible) is NULL: the KPI is undefined there.
 */
#include "postgres.h"

#include "core/o2c.h"

#include "fmgr.h"
#include "libpq/pqformat.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"

#define KPI_SCALE			2
#define DAYS_STATE_VERSION	1

PG_FUNCTION_INFO_V1(o2c_dso);
PG_FUNCTION_INFO_V1(o2c_best_possible_dso);
PG_FUNCTION_INFO_V1(o2c_average_days_delinquent);
PG_FUNCTION_INFO_V1(o2c_cei);
PG_FUNCTION_INFO_V1(o2c_days_to_pay_trans);
PG_FUNCTION_INFO_V1(o2c_days_late_trans);
PG_FUNCTION_INFO_V1(o2c_days_combine);
PG_FUNCTION_INFO_V1(o2c_days_serialize);
PG_FUNCTION_INFO_V1(o2c_days_deserialize);
PG_FUNCTION_INFO_V1(o2c_days_final);

static Numeric
finite_arg(FunctionCallInfo fcinfo, int argno, const char *name)
{
	Numeric		num = PG_GETARG_NUMERIC(argno);

	if (numeric_is_nan(num) || numeric_is_inf(num))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be a finite number, not \"%s\"", name,
						DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(num))))));
	return num;
}

static Numeric
period_days_arg(FunctionCallInfo fcinfo, int argno)
{
	int32		days = PG_GETARG_INT32(argno);

	if (days <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("days must be positive, not %d", days),
				 errhint("Pass the length of the sales period in days, for example 90.")));
	return int64_to_numeric(days);
}

/*
 * A receivables figure below zero is a book in credit (more credit notes and
 * payments than invoices): no number of days of sales describes it, and a
 * negative DSO would only look like a very good one.
 */
static Numeric
receivables_arg(FunctionCallInfo fcinfo, int argno, const char *name)
{
	Numeric		num = finite_arg(fcinfo, argno, name);

	if (o2c_numeric_sign(num) < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s %s is negative", name,
						o2c_quote_cstr(DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(num))))),
				 errhint("A negative balance is a customer in credit: leave such customers out of the KPI, "
						 "or report them apart.")));
	return num;
}

/* round(part / sales * days, 2), or NULL when sales <= 0. */
static Datum
days_of_sales(FunctionCallInfo fcinfo, Numeric part, Numeric sales, Numeric days)
{
	if (o2c_numeric_sign(sales) <= 0)
		PG_RETURN_NULL();
	PG_RETURN_NUMERIC(o2c_div_round(numeric_mul_opt_error(part, days, NULL), sales, KPI_SCALE));
}

/* DSO = receivables / credit_sales * days */
Datum
o2c_dso(PG_FUNCTION_ARGS)
{
	Numeric		receivables = receivables_arg(fcinfo, 0, "receivables");
	Numeric		sales = finite_arg(fcinfo, 1, "credit_sales");

	return days_of_sales(fcinfo, receivables, sales, period_days_arg(fcinfo, 2));
}

/* Best possible DSO = current_receivables / credit_sales * days */
Datum
o2c_best_possible_dso(PG_FUNCTION_ARGS)
{
	Numeric		current = receivables_arg(fcinfo, 0, "current_receivables");
	Numeric		sales = finite_arg(fcinfo, 1, "credit_sales");

	return days_of_sales(fcinfo, current, sales, period_days_arg(fcinfo, 2));
}

/*
 * ADD = DSO - best possible DSO = (receivables - current) / sales * days,
 * computed from the unrounded terms so it is not off by a rounding cent.
 */
Datum
o2c_average_days_delinquent(PG_FUNCTION_ARGS)
{
	Numeric		receivables = receivables_arg(fcinfo, 0, "receivables");
	Numeric		current = receivables_arg(fcinfo, 1, "current_receivables");
	Numeric		sales = finite_arg(fcinfo, 2, "credit_sales");
	Numeric		days = period_days_arg(fcinfo, 3);

	return days_of_sales(fcinfo, numeric_sub_opt_error(receivables, current, NULL),
						 sales, days);
}

/*
 * CEI = (beginning + sales - ending) / (beginning + sales - ending current)
 *       * 100
 */
Datum
o2c_cei(PG_FUNCTION_ARGS)
{
	Numeric		beginning = receivables_arg(fcinfo, 0, "beginning_receivables");
	Numeric		sales = finite_arg(fcinfo, 1, "credit_sales");
	Numeric		ending = receivables_arg(fcinfo, 2, "ending_receivables");
	Numeric		ending_current = receivables_arg(fcinfo, 3, "ending_current_receivables");
	Numeric		available;
	Numeric		collected;
	Numeric		collectible;

	available = numeric_add_opt_error(beginning, sales, NULL);
	collected = numeric_sub_opt_error(available, ending, NULL);
	collectible = numeric_sub_opt_error(available, ending_current, NULL);

	if (o2c_numeric_sign(collectible) <= 0)
		PG_RETURN_NULL();
	PG_RETURN_NUMERIC(o2c_div_round(numeric_mul_opt_error(collected, int64_to_numeric(100), NULL),
									collectible, KPI_SCALE));
}

/*
 * Amount-weighted average of a day count: sum(amount * days) / sum(amount).
 */
typedef struct DaysState
{
	MemoryContext ctx;
	int64		items;
	O2cSum		weight;			/* sum of amounts */
	O2cSum		weighted;		/* sum of amount * days */
} DaysState;

static DaysState *
days_state_new(MemoryContext ctx)
{
	DaysState  *state = MemoryContextAllocZero(ctx, sizeof(DaysState));

	state->ctx = ctx;
	o2c_sum_init(&state->weight);
	o2c_sum_init(&state->weighted);
	return state;
}

static Datum
days_accumulate(FunctionCallInfo fcinfo, const char *from_name, bool clip_at_zero)
{
	MemoryContext aggctx;
	DaysState  *state = PG_ARGISNULL(0) ? NULL : (DaysState *) PG_GETARG_POINTER(0);
	DateADT		from,
				to;
	int64		days;
	int128		units;
	int32		dscale;

	if (!AggCheckCallContext(fcinfo, &aggctx))
		elog(ERROR, "o2c day-count transition called in non-aggregate context");
	/* Any NULL (an unpaid invoice has no paid_on) leaves the row out. */
	if (PG_ARGISNULL(1) || PG_ARGISNULL(2) || PG_ARGISNULL(3))
	{
		if (state == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(state);
	}
	from = PG_GETARG_DATEADT(2);
	to = PG_GETARG_DATEADT(3);
	o2c_check_finite_date(from, from_name);
	o2c_check_finite_date(to, "paid_on date");
	days = (int64) to - (int64) from;
	if (clip_at_zero && days < 0)
		days = 0;

	if (state == NULL)
		state = days_state_new(aggctx);
	switch (o2c_numeric_units(PG_GETARG_DATUM(1), &units, &dscale))
	{
		case O2C_UNITS_FAST:
			o2c_sum_add_units(&state->weight, units, dscale, aggctx);
			o2c_sum_add_product(&state->weighted, units, days, dscale, aggctx);
			break;
		case O2C_UNITS_SLOW:
			{
				Numeric		amount = PG_GETARG_NUMERIC(1);

				o2c_sum_add_numeric(&state->weight, amount, aggctx);
				o2c_sum_add_numeric(&state->weighted,
									numeric_mul_opt_error(amount, int64_to_numeric(days), NULL),
									aggctx);
				break;
			}
		case O2C_UNITS_SPECIAL:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid amount: \"%s\"",
							DatumGetCString(DirectFunctionCall1(numeric_out, PG_GETARG_DATUM(1)))),
					 errdetail("Amounts must be finite numbers.")));
	}
	state->items++;
	PG_RETURN_POINTER(state);
}

Datum
o2c_days_to_pay_trans(PG_FUNCTION_ARGS)
{
	return days_accumulate(fcinfo, "invoice_date", false);
}

Datum
o2c_days_late_trans(PG_FUNCTION_ARGS)
{
	return days_accumulate(fcinfo, "due date", true);
}

Datum
o2c_days_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggctx;
	DaysState  *a = PG_ARGISNULL(0) ? NULL : (DaysState *) PG_GETARG_POINTER(0);
	DaysState  *b = PG_ARGISNULL(1) ? NULL : (DaysState *) PG_GETARG_POINTER(1);

	if (!AggCheckCallContext(fcinfo, &aggctx))
		elog(ERROR, "o2c day-count combine called in non-aggregate context");
	if (b == NULL)
	{
		if (a == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(a);
	}
	if (a == NULL)
		a = days_state_new(aggctx);
	a->items += b->items;
	o2c_sum_add_sum(&a->weight, &b->weight, a->ctx);
	o2c_sum_add_sum(&a->weighted, &b->weighted, a->ctx);
	PG_RETURN_POINTER(a);
}

Datum
o2c_days_serialize(PG_FUNCTION_ARGS)
{
	DaysState  *state = (DaysState *) PG_GETARG_POINTER(0);
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendbyte(&buf, DAYS_STATE_VERSION);
	pq_sendint64(&buf, state->items);
	o2c_sum_serialize(&buf, &state->weight);
	o2c_sum_serialize(&buf, &state->weighted);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

Datum
o2c_days_deserialize(PG_FUNCTION_ARGS)
{
	bytea	   *data = PG_GETARG_BYTEA_PP(0);
	StringInfoData buf;
	DaysState  *state = days_state_new(CurrentMemoryContext);

	initStringInfo(&buf);
	appendBinaryStringInfo(&buf, VARDATA_ANY(data), VARSIZE_ANY_EXHDR(data));
	if (pq_getmsgbyte(&buf) != DAYS_STATE_VERSION)
		elog(ERROR, "unknown o2c day-count state version");
	state->items = pq_getmsgint64(&buf);
	o2c_sum_deserialize(&buf, &state->weight);
	o2c_sum_deserialize(&buf, &state->weighted);
	pq_getmsgend(&buf);
	PG_RETURN_POINTER(state);
}

/* NULL with no rows, or when the amounts sum to zero or less. */
Datum
o2c_days_final(PG_FUNCTION_ARGS)
{
	DaysState  *state = PG_ARGISNULL(0) ? NULL : (DaysState *) PG_GETARG_POINTER(0);

	if (state == NULL || o2c_sum_sign(&state->weight) <= 0)
		PG_RETURN_NULL();
	PG_RETURN_NUMERIC(o2c_div_round(o2c_sum_numeric(&state->weighted, 0),
									o2c_sum_numeric(&state->weight, 0), KPI_SCALE));
}
