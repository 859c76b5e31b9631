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
#define DAYS_STATE_VERSION	2

PG_FUNCTION_INFO_V1(o2c_dso);
PG_FUNCTION_INFO_V1(o2c_best_possible_dso);
PG_FUNCTION_INFO_V1(o2c_average_days_delinquent);
PG_FUNCTION_INFO_V1(o2c_cei);
PG_FUNCTION_INFO_V1(o2c_days_to_pay_trans);
PG_FUNCTION_INFO_V1(o2c_days_late_trans);
PG_FUNCTION_INFO_V1(o2c_days_combine);
PG_FUNCTION_INFO_V1(o2c_days_state_in);
PG_FUNCTION_INFO_V1(o2c_days_state_out);
PG_FUNCTION_INFO_V1(o2c_days_state_recv);
PG_FUNCTION_INFO_V1(o2c_days_state_send);
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
 * The working form may hold spilled numerics; the transition value, SQL
 * type o2c.days_state, is one flat varlena (see aging.c for why), added to
 * in place on the common row.
 */
typedef struct DaysState
{
	int64		items;
	O2cSum		weight;			/* sum of amounts */
	O2cSum		weighted;		/* sum of amount * days */
} DaysState;

typedef struct DaysFlat
{
	int32		vl_len_;
	uint8		version;
	int64		items;
	O2cFlatSum	weight;
	O2cFlatSum	weighted;
} DaysFlat;

#define DAYS_TYPE_NAME	"o2c.days_state"

static DaysState *
days_state_new(void)
{
	DaysState  *state = palloc0(sizeof(DaysState));

	o2c_sum_init(&state->weight);
	o2c_sum_init(&state->weighted);
	return state;
}

static DaysFlat *
days_flatten(const DaysState *w)
{
	Size		offset = sizeof(DaysFlat);
	Size		size = offset + o2c_flat_extra(&w->weight) + o2c_flat_extra(&w->weighted);
	DaysFlat   *f = palloc0(size);

	SET_VARSIZE(f, size);
	f->version = DAYS_STATE_VERSION;
	f->items = w->items;
	o2c_flat_put((char *) f, &offset, &f->weight, &w->weight);
	o2c_flat_put((char *) f, &offset, &f->weighted, &w->weighted);
	return f;
}

static DaysState *
days_unflatten(const DaysFlat *f)
{
	DaysState  *w = days_state_new();

	w->items = f->items;
	o2c_flat_get((const char *) f, &f->weight, &w->weight);
	o2c_flat_get((const char *) f, &f->weighted, &w->weighted);
	return w;
}

static bool
days_spill_ok(const DaysFlat *f, int32 spill, Size size)
{
	return spill == 0 ||
		(spill >= (int32) sizeof(DaysFlat) && spill + VARHDRSZ <= size &&
		 spill + VARSIZE((const char *) f + spill) <= size);
}

/* A state handed in from SQL: its layout checked before it is read. */
static DaysFlat *
days_checked(Datum d, bool copy)
{
	DaysFlat   *f = (DaysFlat *) (copy ? PG_DETOAST_DATUM_COPY(d) : PG_DETOAST_DATUM(d));
	Size		size = VARSIZE(f);

	if (size < sizeof(DaysFlat) || f->version != DAYS_STATE_VERSION || f->items < 0 ||
		!days_spill_ok(f, f->weight.spill, size) || !days_spill_ok(f, f->weighted.spill, size))
		o2c_state_corrupt(ERRCODE_DATA_CORRUPTED, DAYS_TYPE_NAME);
	return f;
}

/* In an aggregate, its own transition value; a direct call works on a copy. */
static DaysFlat *
days_arg(FunctionCallInfo fcinfo, int argno, bool in_aggregate)
{
	if (PG_ARGISNULL(argno))
		return NULL;
	if (in_aggregate)
		return (DaysFlat *) PG_GETARG_POINTER(argno);
	return days_checked(PG_GETARG_DATUM(argno), true);
}

static Datum
days_accumulate(FunctionCallInfo fcinfo, const char *from_name, bool clip_at_zero)
{
	MemoryContext aggctx;
	bool		in_aggregate = AggCheckCallContext(fcinfo, &aggctx) != 0;
	DaysFlat   *state = days_arg(fcinfo, 0, in_aggregate);
	DaysState  *w;
	DateADT		from,
				to;
	int64		days;
	int128		units;
	int32		dscale;
	O2cUnitsResult kind;

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

	kind = o2c_numeric_units(PG_GETARG_DATUM(1), &units, &dscale);
	if (kind == O2C_UNITS_SPECIAL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid amount: \"%s\"",
						DatumGetCString(DirectFunctionCall1(numeric_out, PG_GETARG_DATUM(1)))),
				 errdetail("Amounts must be finite numbers.")));
	if (state == NULL)
		state = days_flatten(days_state_new());

	/* The common row in place: both new sums computed, stored if both fit. */
	if (kind == O2C_UNITS_FAST && units >= PG_INT64_MIN && units <= PG_INT64_MAX)
	{
		int128		weight,
					weighted;

		if (!__builtin_add_overflow(state->weight.fast, units, &weight) &&
			!__builtin_add_overflow(state->weighted.fast, (int128) (int64) units * days, &weighted))
		{
			state->weight.fast = weight;
			state->weighted.fast = weighted;
			state->weight.dscale = Max(state->weight.dscale, dscale);
			state->weighted.dscale = Max(state->weighted.dscale, dscale);
			state->items++;
			PG_RETURN_POINTER(state);
		}
	}

	/* Anything else through the working form and a rebuilt state. */
	w = days_unflatten(state);
	if (kind == O2C_UNITS_FAST)
	{
		o2c_sum_add_units(&w->weight, units, dscale, CurrentMemoryContext);
		o2c_sum_add_product(&w->weighted, units, days, dscale, CurrentMemoryContext);
	}
	else
	{
		Numeric		amount = PG_GETARG_NUMERIC(1);

		o2c_sum_add_numeric(&w->weight, amount, CurrentMemoryContext);
		o2c_sum_add_numeric(&w->weighted,
							numeric_mul_opt_error(amount, int64_to_numeric(days), NULL),
							CurrentMemoryContext);
	}
	w->items++;
	PG_RETURN_POINTER(days_flatten(w));
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
	bool		in_aggregate = AggCheckCallContext(fcinfo, &aggctx) != 0;
	DaysFlat   *a = days_arg(fcinfo, 0, in_aggregate);
	DaysFlat   *b = PG_ARGISNULL(1) ? NULL : days_checked(PG_GETARG_DATUM(1), false);
	DaysState  *w;
	DaysState  *wb;
	int128		weight,
				weighted;

	if (b == NULL)
	{
		if (a == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(a);
	}
	if (a == NULL)
		PG_RETURN_POINTER(days_checked(PG_GETARG_DATUM(1), true));
	if (b->weight.spill == 0 && b->weighted.spill == 0 &&
		!__builtin_add_overflow(a->weight.fast, b->weight.fast, &weight) &&
		!__builtin_add_overflow(a->weighted.fast, b->weighted.fast, &weighted))
	{
		a->weight.fast = weight;
		a->weighted.fast = weighted;
		a->weight.dscale = Max(a->weight.dscale, b->weight.dscale);
		a->weighted.dscale = Max(a->weighted.dscale, b->weighted.dscale);
		a->items += b->items;
		PG_RETURN_POINTER(a);
	}
	w = days_unflatten(a);
	wb = days_unflatten(b);
	w->items += wb->items;
	o2c_sum_add_sum(&w->weight, &wb->weight, CurrentMemoryContext);
	o2c_sum_add_sum(&w->weighted, &wb->weighted, CurrentMemoryContext);
	PG_RETURN_POINTER(days_flatten(w));
}

static void
days_state_write(StringInfo buf, const DaysState *state)
{
	pq_sendbyte(buf, DAYS_STATE_VERSION);
	pq_sendint64(buf, state->items);
	o2c_sum_serialize(buf, &state->weight);
	o2c_sum_serialize(buf, &state->weighted);
}

static DaysFlat *
days_state_read(StringInfo buf, int sqlstate)
{
	DaysState  *state = days_state_new();

	if (o2c_state_read_byte(buf, sqlstate, DAYS_TYPE_NAME) != DAYS_STATE_VERSION)
		o2c_state_corrupt(sqlstate, DAYS_TYPE_NAME);
	state->items = o2c_state_read_int64(buf, sqlstate, DAYS_TYPE_NAME);
	if (state->items < 0)
		o2c_state_corrupt(sqlstate, DAYS_TYPE_NAME);
	o2c_state_read_sum(buf, &state->weight, sqlstate, DAYS_TYPE_NAME);
	o2c_state_read_sum(buf, &state->weighted, sqlstate, DAYS_TYPE_NAME);
	if (buf->cursor != buf->len)
		o2c_state_corrupt(sqlstate, DAYS_TYPE_NAME);
	return days_flatten(state);
}

Datum
o2c_days_state_send(PG_FUNCTION_ARGS)
{
	StringInfoData buf;

	pq_begintypsend(&buf);
	days_state_write(&buf, days_unflatten(days_checked(PG_GETARG_DATUM(0), false)));
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

Datum
o2c_days_state_recv(PG_FUNCTION_ARGS)
{
	PG_RETURN_POINTER(days_state_read((StringInfo) PG_GETARG_POINTER(0),
									  ERRCODE_INVALID_BINARY_REPRESENTATION));
}

Datum
o2c_days_state_out(PG_FUNCTION_ARGS)
{
	StringInfoData buf;

	initStringInfo(&buf);
	days_state_write(&buf, days_unflatten(days_checked(PG_GETARG_DATUM(0), false)));
	PG_RETURN_CSTRING(o2c_hex_encode(buf.data, buf.len));
}

Datum
o2c_days_state_in(PG_FUNCTION_ARGS)
{
	StringInfoData buf;

	o2c_hex_decode(PG_GETARG_CSTRING(0), &buf, DAYS_TYPE_NAME);
	PG_RETURN_POINTER(days_state_read(&buf, ERRCODE_INVALID_TEXT_REPRESENTATION));
}

/* NULL with no rows, or when the amounts sum to zero or less. */
Datum
o2c_days_final(PG_FUNCTION_ARGS)
{
	DaysState  *state = PG_ARGISNULL(0) ? NULL
		: days_unflatten(days_checked(PG_GETARG_DATUM(0), false));

	if (state == NULL || o2c_sum_sign(&state->weight) <= 0)
		PG_RETURN_NULL();
	PG_RETURN_NUMERIC(o2c_div_round(o2c_sum_numeric(&state->weighted, 0),
									o2c_sum_numeric(&state->weight, 0), KPI_SCALE));
}
