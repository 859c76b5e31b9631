/*
 * aging.c — receivables aging: days past due, bucket labels, and the
 * o2c.aging aggregates (five standard buckets, or a ladder of custom bounds).
 *
 * A bucket is chosen by days past due (as_of - due) against inclusive upper
 * bounds: a count <= bounds[0] is "current", one <= bounds[i] falls in
 * "bounds[i-1]+1 - bounds[i]", anything past the last bound in "last+1 +".
 * Amounts are summed exactly (exactsum.c), so every bucket equals what
 * sum(amount) gives over the same rows.
 *
 * The aging concern (src/aging/), above core: the aging aggregates here and
 * the collection KPIs (kpi.c). Pure functions of their arguments: reads no
 * table, writes nothing.
 */
#include "postgres.h"

#include "core/o2c.h"
#include "aging.h"

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "libpq/pqformat.h"
#include "nodes/primnodes.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/fmgrprotos.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

#define AGING_MAX_BOUNDS	O2C_AGING_MAX_BOUNDS
#define AGING_STATE_VERSION	2

static const int32 default_bounds[] = {0, 30, 60, 90};
#define DEFAULT_NBOUNDS		lengthof(default_bounds)

typedef struct AgingBucket
{
	O2cSum		sum;
	int64		count;
} AgingBucket;

/*
 * Kept small on purpose: a grouped query holds one per group, and with five
 * buckets the whole state is 256 bytes, one allocator size class. Custom
 * bounds live after the buckets in the same chunk; items is the sum of the
 * bucket counts.
 */
struct AgingState
{
	Pointer		last_bounds;	/* bounds datum last checked, by address */
	const int32 *bounds;		/* default_bounds, or after the buckets */
	DateADT		as_of;
	int16		nbounds;
	bool		weigh_days;		/* keep overdue_days (the 5-bucket form) */
	O2cSum		overdue_days;	/* sum of amount * days past due, if > 0 */
	O2cSum		undated;		/* amounts without a due date: in no bucket */
	AgingBucket buckets[FLEXIBLE_ARRAY_MEMBER];	/* nbounds + 1 */
};

PG_FUNCTION_INFO_V1(o2c_days_past_due);
PG_FUNCTION_INFO_V1(o2c_aging_bucket);
PG_FUNCTION_INFO_V1(o2c_aging_trans);
PG_FUNCTION_INFO_V1(o2c_aging_bounds_trans);
PG_FUNCTION_INFO_V1(o2c_aging_combine);
PG_FUNCTION_INFO_V1(o2c_aging_serialize);
PG_FUNCTION_INFO_V1(o2c_aging_deserialize);
PG_FUNCTION_INFO_V1(o2c_aging_final);
PG_FUNCTION_INFO_V1(o2c_aging_ladder_final);

static inline int64
days_between(DateADT due, DateADT as_of)
{
	o2c_check_finite_date(due, "due date");
	o2c_check_finite_date(as_of, "as_of date");
	return (int64) as_of - (int64) due;
}

static char *
bounds_text(ArrayType *arr)
{
	/* array_out caches type data in flinfo, so it needs a real call. */
	return OidOutputFunctionCall(F_ARRAY_OUT, PointerGetDatum(arr));
}

/*
 * Read and check an int[] of bucket bounds: one dimension, 1 to
 * AGING_MAX_BOUNDS elements, no NULLs, non-negative, strictly increasing.
 */
static int
parse_bounds(ArrayType *arr, int32 *bounds)
{
	int			n;
	const char *why = NULL;

	if (ARR_ELEMTYPE(arr) != INT4OID)
		elog(ERROR, "aging bounds must be int[]");
	n = ArrayGetNItems(ARR_NDIM(arr), ARR_DIMS(arr));
	if (n == 0)
		why = "Bounds must not be empty.";
	else if (ARR_NDIM(arr) != 1)
		why = "Bounds must be a one-dimensional array.";
	else if (n > AGING_MAX_BOUNDS)
		why = psprintf("At most %d bounds are allowed.", AGING_MAX_BOUNDS);
	else if (ARR_HASNULL(arr) && array_contains_nulls(arr))
		why = "Bounds must not contain NULL.";
	else
	{
		const int32 *vals = (const int32 *) ARR_DATA_PTR(arr);

		for (int i = 0; i < n && why == NULL; i++)
		{
			if (vals[i] < 0)
				why = "Bounds must not be negative.";
			else if (i > 0 && vals[i] <= vals[i - 1])
				why = "Bounds must be strictly increasing.";
			else
				bounds[i] = vals[i];
		}
	}
	if (why != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid aging bounds: \"%s\"", o2c_quote_cstr(bounds_text(arr))),
				 errdetail_internal("%s", why),
				 errhint("Give inclusive upper day counts, for example '{0,30,60,90}'.")));
	return n;
}

static inline int
bucket_index(const int32 *bounds, int nbounds, int64 days)
{
	int			i = 0;

	while (i < nbounds && days > bounds[i])
		i++;
	return i;
}

static char *
bucket_label(const int32 *bounds, int nbounds, int i)
{
	if (i == 0)
		return pstrdup("current");
	if (i == nbounds)
		return psprintf("%d+", bounds[i - 1] + 1);
	return psprintf("%d-%d", bounds[i - 1] + 1, bounds[i]);
}

Datum
o2c_days_past_due(PG_FUNCTION_ARGS)
{
	/* Dates span less than 2^31 days, so the difference fits an int4. */
	PG_RETURN_INT32((int32) days_between(PG_GETARG_DATEADT(0), PG_GETARG_DATEADT(1)));
}

/* Parsed bounds cached across calls, keyed by the array's bytes. */
typedef struct BucketCache
{
	int			nbounds;
	int32		bounds[AGING_MAX_BOUNDS];
	Size		key_len;
	char	   *key;
} BucketCache;

Datum
o2c_aging_bucket(PG_FUNCTION_ARGS)
{
	int64		days = days_between(PG_GETARG_DATEADT(0), PG_GETARG_DATEADT(1));
	ArrayType  *arr = PG_GETARG_ARRAYTYPE_P(2);
	BucketCache *cache = (BucketCache *) fcinfo->flinfo->fn_extra;
	Size		len = VARSIZE(arr);

	if (cache == NULL || cache->key_len != len || memcmp(cache->key, arr, len) != 0)
	{
		MemoryContext old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);

		if (cache == NULL)
			cache = palloc0(sizeof(BucketCache));
		else if (cache->key != NULL)
			pfree(cache->key);
		cache->key = NULL;
		fcinfo->flinfo->fn_extra = cache;
		MemoryContextSwitchTo(old);

		cache->nbounds = parse_bounds(arr, cache->bounds);
		cache->key = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, len);
		memcpy(cache->key, arr, len);
		cache->key_len = len;
	}
	PG_RETURN_TEXT_P(cstring_to_text(bucket_label(cache->bounds, cache->nbounds,
												  bucket_index(cache->bounds, cache->nbounds, days))));
}

static AgingState *
aging_state_new(MemoryContext ctx, const int32 *bounds, int nbounds,
				DateADT as_of, bool weigh_days)
{
	bool		is_default = nbounds == DEFAULT_NBOUNDS &&
		memcmp(bounds, default_bounds, sizeof(default_bounds)) == 0;
	Size		head = offsetof(AgingState, buckets) + (nbounds + 1) * sizeof(AgingBucket);
	AgingState *state = MemoryContextAllocZero(ctx, head +
											   (is_default ? 0 : nbounds * sizeof(int32)));

	state->as_of = as_of;
	state->weigh_days = weigh_days;
	state->nbounds = (int16) nbounds;
	if (is_default)
		state->bounds = default_bounds;
	else
	{
		int32	   *own = (int32 *) ((char *) state + head);

		memcpy(own, bounds, nbounds * sizeof(int32));
		state->bounds = own;
	}
	o2c_sum_init(&state->overdue_days);
	o2c_sum_init(&state->undated);
	for (int i = 0; i <= nbounds; i++)
		o2c_sum_init(&state->buckets[i].sum);
	return state;
}

static int64
state_items(const AgingState *state)
{
	int64		items = 0;

	for (int i = 0; i <= state->nbounds; i++)
		items += state->buckets[i].count;
	return items;
}

static void
check_same_as_of(DateADT a, DateADT b)
{
	if (a != b)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("as_of must be the same in every row of a group, found \"%s\" and \"%s\"",
						DatumGetCString(DirectFunctionCall1(date_out, DateADTGetDatum(a))),
						DatumGetCString(DirectFunctionCall1(date_out, DateADTGetDatum(b)))),
				 errhint("Age one as_of date per group: group by it, or pass a constant.")));
}

static void
check_same_bounds(const AgingState *a, const int32 *bounds, int nbounds)
{
	if (a->nbounds != nbounds || memcmp(a->bounds, bounds, nbounds * sizeof(int32)) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("aging bounds must be the same in every row of a group")));
}

static void
invalid_amount(Datum amount)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid amount: \"%s\"",
					DatumGetCString(DirectFunctionCall1(numeric_out, amount))),
			 errdetail("Amounts must be finite numbers.")));
}

/* Shared by both transition functions; bounds_arg < 0 means the defaults. */
static Datum
aging_accumulate(FunctionCallInfo fcinfo, int bounds_arg)
{
	MemoryContext aggctx;
	AgingState *state = PG_ARGISNULL(0) ? NULL : (AgingState *) PG_GETARG_POINTER(0);
	DateADT		as_of;
	AgingBucket *bucket;
	int64		days;
	int128		units;
	int32		dscale;

	if (!AggCheckCallContext(fcinfo, &aggctx))
		elog(ERROR, "o2c.aging transition called in non-aggregate context");
	if (PG_ARGISNULL(3))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("as_of must not be null")));
	if (bounds_arg >= 0 && PG_ARGISNULL(bounds_arg))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("aging bounds must not be null")));
	/* A NULL amount is skipped, as sum() skips NULL. */
	if (PG_ARGISNULL(1))
	{
		if (state == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(state);
	}

	as_of = PG_GETARG_DATEADT(3);
	if (state == NULL)
	{
		int32		bounds[AGING_MAX_BOUNDS];
		int			nbounds;

		o2c_check_finite_date(as_of, "as_of date");
		if (bounds_arg < 0)
		{
			nbounds = DEFAULT_NBOUNDS;
			memcpy(bounds, default_bounds, sizeof(default_bounds));
		}
		else
			nbounds = parse_bounds(PG_GETARG_ARRAYTYPE_P(bounds_arg), bounds);
		state = aging_state_new(aggctx, bounds, nbounds, as_of, bounds_arg < 0);
		if (bounds_arg >= 0)
			state->last_bounds = DatumGetPointer(PG_GETARG_DATUM(bounds_arg));
	}
	else
	{
		if (unlikely(as_of != state->as_of))
			check_same_as_of(state->as_of, as_of);
		/* A constant arrives at the same address every row: one check. */
		if (bounds_arg >= 0 &&
			unlikely(DatumGetPointer(PG_GETARG_DATUM(bounds_arg)) != state->last_bounds))
		{
			int32		bounds[AGING_MAX_BOUNDS];
			int			nbounds = parse_bounds(PG_GETARG_ARRAYTYPE_P(bounds_arg), bounds);

			check_same_bounds(state, bounds, nbounds);
			state->last_bounds = DatumGetPointer(PG_GETARG_DATUM(bounds_arg));
		}
	}

	/*
	 * An amount without a due date cannot be aged: it is added apart (the
	 * undated column), so it is counted rather than silently left out.
	 */
	if (PG_ARGISNULL(2))
	{
		switch (o2c_numeric_units(PG_GETARG_DATUM(1), &units, &dscale))
		{
			case O2C_UNITS_FAST:
				o2c_sum_add_units(&state->undated, units, dscale, aggctx);
				break;
			case O2C_UNITS_SLOW:
				o2c_sum_add_numeric(&state->undated, PG_GETARG_NUMERIC(1), aggctx);
				break;
			case O2C_UNITS_SPECIAL:
				invalid_amount(PG_GETARG_DATUM(1));
		}
		PG_RETURN_POINTER(state);
	}

	days = days_between(PG_GETARG_DATEADT(2), as_of);
	bucket = &state->buckets[bucket_index(state->bounds, state->nbounds, days)];

	switch (o2c_numeric_units(PG_GETARG_DATUM(1), &units, &dscale))
	{
		case O2C_UNITS_FAST:
			o2c_sum_add_units(&bucket->sum, units, dscale, aggctx);
			if (state->weigh_days && days > 0)
				o2c_sum_add_product(&state->overdue_days, units, days, dscale, aggctx);
			break;
		case O2C_UNITS_SLOW:
			{
				Numeric		amount = PG_GETARG_NUMERIC(1);

				o2c_sum_add_numeric(&bucket->sum, amount, aggctx);
				if (state->weigh_days && days > 0)
					o2c_sum_add_numeric(&state->overdue_days,
										numeric_mul_opt_error(amount, int64_to_numeric(days), NULL),
										aggctx);
				break;
			}
		case O2C_UNITS_SPECIAL:
			invalid_amount(PG_GETARG_DATUM(1));
	}
	bucket->count++;
	PG_RETURN_POINTER(state);
}

Datum
o2c_aging_trans(PG_FUNCTION_ARGS)
{
	return aging_accumulate(fcinfo, -1);
}

Datum
o2c_aging_bounds_trans(PG_FUNCTION_ARGS)
{
	return aging_accumulate(fcinfo, 4);
}

static void
aging_state_merge(AgingState *into, const AgingState *from, MemoryContext ctx)
{
	check_same_as_of(into->as_of, from->as_of);
	check_same_bounds(into, from->bounds, from->nbounds);
	o2c_sum_add_sum(&into->overdue_days, &from->overdue_days, ctx);
	o2c_sum_add_sum(&into->undated, &from->undated, ctx);
	for (int i = 0; i <= into->nbounds; i++)
	{
		into->buckets[i].count += from->buckets[i].count;
		o2c_sum_add_sum(&into->buckets[i].sum, &from->buckets[i].sum, ctx);
	}
}

Datum
o2c_aging_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggctx;
	AgingState *a = PG_ARGISNULL(0) ? NULL : (AgingState *) PG_GETARG_POINTER(0);
	AgingState *b = PG_ARGISNULL(1) ? NULL : (AgingState *) PG_GETARG_POINTER(1);

	if (!AggCheckCallContext(fcinfo, &aggctx))
		elog(ERROR, "o2c.aging combine called in non-aggregate context");
	if (b == NULL)
	{
		if (a == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(a);
	}
	if (a == NULL)
	{
		/* Copy b into the aggregate's context, spills included. */
		a = aging_state_new(aggctx, b->bounds, b->nbounds, b->as_of, b->weigh_days);
		a->last_bounds = NULL;
	}
	aging_state_merge(a, b, aggctx);
	PG_RETURN_POINTER(a);
}

Datum
o2c_aging_serialize(PG_FUNCTION_ARGS)
{
	AgingState *state = (AgingState *) PG_GETARG_POINTER(0);
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendbyte(&buf, AGING_STATE_VERSION);
	pq_sendint32(&buf, state->as_of);
	pq_sendbyte(&buf, state->weigh_days ? 1 : 0);
	pq_sendint32(&buf, state->nbounds);
	for (int i = 0; i < state->nbounds; i++)
		pq_sendint32(&buf, state->bounds[i]);
	pq_sendint64(&buf, state_items(state));
	o2c_sum_serialize(&buf, &state->overdue_days);
	o2c_sum_serialize(&buf, &state->undated);
	for (int i = 0; i <= state->nbounds; i++)
	{
		pq_sendint64(&buf, state->buckets[i].count);
		o2c_sum_serialize(&buf, &state->buckets[i].sum);
	}
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

Datum
o2c_aging_deserialize(PG_FUNCTION_ARGS)
{
	bytea	   *data = PG_GETARG_BYTEA_PP(0);
	StringInfoData buf;
	AgingState *state;
	DateADT		as_of;
	bool		weigh_days;
	int32		nbounds;
	int32		bounds[AGING_MAX_BOUNDS];

	initStringInfo(&buf);
	appendBinaryStringInfo(&buf, VARDATA_ANY(data), VARSIZE_ANY_EXHDR(data));
	if (pq_getmsgbyte(&buf) != AGING_STATE_VERSION)
		elog(ERROR, "unknown o2c.aging state version");
	as_of = pq_getmsgint(&buf, 4);
	weigh_days = pq_getmsgbyte(&buf) != 0;
	nbounds = pq_getmsgint(&buf, 4);
	if (nbounds < 1 || nbounds > AGING_MAX_BOUNDS)
		elog(ERROR, "corrupt o2c.aging state");
	for (int i = 0; i < nbounds; i++)
		bounds[i] = pq_getmsgint(&buf, 4);

	state = aging_state_new(CurrentMemoryContext, bounds, nbounds, as_of, weigh_days);
	(void) pq_getmsgint64(&buf);	/* items: the sum of the counts below */
	o2c_sum_deserialize(&buf, &state->overdue_days);
	o2c_sum_deserialize(&buf, &state->undated);
	for (int i = 0; i <= nbounds; i++)
	{
		state->buckets[i].count = pq_getmsgint64(&buf);
		o2c_sum_deserialize(&buf, &state->buckets[i].sum);
	}
	pq_getmsgend(&buf);
	PG_RETURN_POINTER(state);
}

/* The display scale every bucket is shown with: the largest amount scale. */
static int32
state_dscale(const AgingState *state)
{
	int32		dscale = 0;

	for (int i = 0; i <= state->nbounds; i++)
		dscale = Max(dscale, state->buckets[i].sum.dscale);
	dscale = Max(dscale, state->undated.dscale);
	return dscale;
}

static TupleDesc
result_tupdesc(FunctionCallInfo fcinfo)
{
	TupleDesc	tupdesc;

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "o2c.aging final function must return a composite type");
	return BlessTupleDesc(tupdesc);
}

/*
 * overdue_days / overdue (> 0) rounded half away from zero to 2 decimals,
 * as o2c_div_round does; on the 128-bit sums themselves when they fit.
 */
static Numeric
avg_days(const O2cSum *days, const O2cSum *overdue)
{
	int128		p = days->fast,
				q = overdue->fast;
	int128		lim = (((int128) PG_INT64_MAX) << 56) / 200;

	if (days->spill == NULL && overdue->spill == NULL && q > 0 && p < lim && p > -lim)
	{
		int128		ap = p < 0 ? -p : p;
		int128		r = (2 * ap * 100 + q) / (2 * q);

		if (r <= PG_INT64_MAX)
			return int64_div_fast_to_numeric((int64) (p < 0 ? -r : r), 2);
	}
	return o2c_div_round(o2c_sum_numeric(days, 0), o2c_sum_numeric(overdue, 0), 2);
}

/*
 * A sum as a numeric; the zero of each display scale is made once, as most
 * buckets of a small group are empty (the result is only read or copied).
 */
static Numeric
sum_numeric(const O2cSum *sum, int32 dscale)
{
	static Numeric zeros[O2C_SUM_SCALE + 1];

	if (sum->fast == 0 && sum->spill == NULL && sum->dscale <= dscale &&
		dscale >= 0 && dscale <= O2C_SUM_SCALE)
	{
		if (zeros[dscale] == NULL)
		{
			MemoryContext old = MemoryContextSwitchTo(TopMemoryContext);

			zeros[dscale] = int64_div_fast_to_numeric(0, dscale);
			MemoryContextSwitchTo(old);
		}
		return zeros[dscale];
	}
	return o2c_sum_numeric(sum, dscale);
}

void
o2c_aging_buckets_values(AgingState *state, Datum *values, bool *nulls)
{
	O2cSum		total,
				overdue;
	int32		dscale;

	Assert(state->nbounds == DEFAULT_NBOUNDS);
	dscale = state_dscale(state);

	o2c_sum_init(&total);
	o2c_sum_init(&overdue);
	for (int i = 0; i <= DEFAULT_NBOUNDS; i++)
	{
		nulls[i] = false;
		values[i] = NumericGetDatum(sum_numeric(&state->buckets[i].sum, dscale));
		o2c_sum_add_sum(&total, &state->buckets[i].sum, CurrentMemoryContext);
		if (i > 0)
			o2c_sum_add_sum(&overdue, &state->buckets[i].sum, CurrentMemoryContext);
	}
	values[5] = NumericGetDatum(sum_numeric(&total, dscale));
	values[6] = NumericGetDatum(sum_numeric(&overdue, dscale));
	values[7] = Int64GetDatum(state_items(state));
	nulls[5] = nulls[6] = nulls[7] = false;
	nulls[8] = o2c_sum_sign(&overdue) <= 0;
	if (!nulls[8])
		values[8] = NumericGetDatum(avg_days(&state->overdue_days, &overdue));
}

Datum
o2c_aging_final(PG_FUNCTION_ARGS)
{
	AgingState *state = PG_ARGISNULL(0) ? NULL : (AgingState *) PG_GETARG_POINTER(0);
	TupleDesc	tupdesc = result_tupdesc(fcinfo);
	Datum		values[10];
	bool		nulls[10] = {false};

	if (state == NULL)
		state = aging_state_new(CurrentMemoryContext, default_bounds, DEFAULT_NBOUNDS,
								0, true);
	o2c_aging_buckets_values(state, values, nulls);
	values[9] = NumericGetDatum(sum_numeric(&state->undated, state_dscale(state)));
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}

/*
 * With no rows at all there is no state to read the bounds from; take them
 * from the call when they are a constant, so empty groups keep their labels.
 */
static AgingState *
empty_ladder_state(FunctionCallInfo fcinfo)
{
	Aggref	   *aggref = AggGetAggref(fcinfo);
	int32		bounds[AGING_MAX_BOUNDS];
	int			nbounds = 0;

	if (aggref != NULL && list_length(aggref->args) == 4)
	{
		TargetEntry *tle = (TargetEntry *) lfourth(aggref->args);

		if (IsA(tle->expr, Const) && !((Const *) tle->expr)->constisnull)
			nbounds = parse_bounds(DatumGetArrayTypeP(((Const *) tle->expr)->constvalue),
								   bounds);
	}
	if (nbounds == 0)
		return NULL;
	return aging_state_new(CurrentMemoryContext, bounds, nbounds, 0, false);
}

/* The ladder's columns; a NULL state (no rows, no constant bounds) is empty. */
void
o2c_aging_ladder_values(AgingState *state, Datum *values)
{
	Datum	   *labels;
	Datum	   *amounts;
	Datum	   *counts;
	int			nbuckets;
	int32		dscale;
	O2cSum		total;

	nbuckets = state == NULL ? 0 : state->nbounds + 1;
	dscale = state == NULL ? 0 : state_dscale(state);
	labels = palloc(Max(nbuckets, 1) * sizeof(Datum));
	amounts = palloc(Max(nbuckets, 1) * sizeof(Datum));
	counts = palloc(Max(nbuckets, 1) * sizeof(Datum));

	o2c_sum_init(&total);
	for (int i = 0; i < nbuckets; i++)
	{
		labels[i] = PointerGetDatum(cstring_to_text(bucket_label(state->bounds,
																 state->nbounds, i)));
		amounts[i] = NumericGetDatum(o2c_sum_numeric(&state->buckets[i].sum, dscale));
		counts[i] = Int64GetDatum(state->buckets[i].count);
		o2c_sum_add_sum(&total, &state->buckets[i].sum, CurrentMemoryContext);
	}
	values[0] = PointerGetDatum(construct_array(labels, nbuckets, TEXTOID, -1, false, TYPALIGN_INT));
	values[1] = PointerGetDatum(construct_array(amounts, nbuckets, NUMERICOID, -1, false, TYPALIGN_INT));
	values[2] = PointerGetDatum(construct_array(counts, nbuckets, INT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
	values[3] = NumericGetDatum(o2c_sum_numeric(&total, dscale));
}

Datum
o2c_aging_ladder_final(PG_FUNCTION_ARGS)
{
	AgingState *state = PG_ARGISNULL(0) ? NULL : (AgingState *) PG_GETARG_POINTER(0);
	TupleDesc	tupdesc = result_tupdesc(fcinfo);
	Datum		values[5];
	bool		nulls[5] = {false};

	if (state == NULL)
		state = empty_ladder_state(fcinfo);
	o2c_aging_ladder_values(state, values);
	values[4] = NumericGetDatum(state == NULL ? int64_to_numeric(0)
								: sum_numeric(&state->undated, state_dscale(state)));
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}

/* ---------------------------------------------- for callers outside SQL */

int
o2c_aging_parse_bounds(ArrayType *arr, int32 *bounds)
{
	return parse_bounds(arr, bounds);
}

AgingState *
o2c_aging_state_create(MemoryContext ctx, const int32 *bounds, int nbounds,
					   DateADT as_of)
{
	if (bounds == NULL)
		return aging_state_new(ctx, default_bounds, DEFAULT_NBOUNDS, as_of, true);
	return aging_state_new(ctx, bounds, nbounds, as_of, false);
}

void
o2c_aging_state_clear(AgingState *state, DateADT as_of)
{
	state->as_of = as_of;
	o2c_sum_init(&state->overdue_days);
	o2c_sum_init(&state->undated);
	for (int i = 0; i <= state->nbounds; i++)
	{
		o2c_sum_init(&state->buckets[i].sum);
		state->buckets[i].count = 0;
	}
}

/* What aging_accumulate does for one row on the fast path. */
void
o2c_aging_state_add(AgingState *state, int128 units, int32 dscale, DateADT due,
					MemoryContext ctx)
{
	int64		days = days_between(due, state->as_of);
	AgingBucket *bucket = &state->buckets[bucket_index(state->bounds, state->nbounds, days)];

	o2c_sum_add_units(&bucket->sum, units, dscale, ctx);
	if (state->weigh_days && days > 0)
		o2c_sum_add_product(&state->overdue_days, units, days, dscale, ctx);
	bucket->count++;
}
