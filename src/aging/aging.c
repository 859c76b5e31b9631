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
#define AGING_STATE_VERSION	3

static const int32 default_bounds[] = {0, 30, 60, 90};
#define DEFAULT_NBOUNDS		lengthof(default_bounds)

typedef struct AgingBucket
{
	O2cSum		sum;
	int64		count;
} AgingBucket;

/*
 * The working form of an aging state, in which sums may hold spilled
 * numerics: used by the final functions, the rare transition that spills,
 * and callers outside SQL (aging_history). Custom bounds live after the
 * buckets in the same chunk; items is the sum of the bucket counts.
 */
struct AgingState
{
	const int32 *bounds;		/* default_bounds, or after the buckets */
	DateADT		as_of;
	int16		nbounds;
	bool		weigh_days;		/* keep overdue_days (the 5-bucket form) */
	O2cSum		overdue_days;	/* sum of amount * days past due, if > 0 */
	O2cSum		undated;		/* amounts without a due date: in no bucket */
	O2cSum		disputed;		/* disputed parts of amounts: in no bucket */
	AgingBucket buckets[FLEXIBLE_ARRAY_MEMBER];	/* nbounds + 1 */
};

/*
 * The transition value of the o2c.aging aggregates, SQL type
 * o2c.aging_state: one flat varlena without pointers, so parallel workers
 * and Citus workers can hand it on as it is, and Citus can split the
 * aggregate (it splits only non-internal states). The transition function
 * adds to it in place; the int32 bounds follow the buckets, then any
 * spilled numerics. With five buckets it is 248 bytes.
 */
typedef struct AgingFlatBucket
{
	O2cFlatSum	sum;
	int64		count;
} AgingFlatBucket;

typedef struct AgingFlat
{
	int32		vl_len_;
	uint8		version;
	bool		weigh_days;
	int16		nbounds;
	DateADT		as_of;
	O2cFlatSum	overdue_days;
	O2cFlatSum	undated;
	O2cFlatSum	disputed;
	AgingFlatBucket buckets[FLEXIBLE_ARRAY_MEMBER];	/* nbounds + 1 */
} AgingFlat;

#define FLAT_NSUMS			3	/* overdue_days, undated, disputed */
#define FLAT_FIXED_SIZE(nb) (offsetof(AgingFlat, buckets) + \
							 ((nb) + 1) * sizeof(AgingFlatBucket) + (nb) * sizeof(int32))
#define FLAT_BOUNDS(f)		((int32 *) ((char *) (f) + offsetof(AgingFlat, buckets) + \
										((f)->nbounds + 1) * sizeof(AgingFlatBucket)))
#define STATE_TYPE_NAME		"o2c.aging_state"

PG_FUNCTION_INFO_V1(o2c_days_past_due);
PG_FUNCTION_INFO_V1(o2c_aging_bucket);
PG_FUNCTION_INFO_V1(o2c_aging_trans);
PG_FUNCTION_INFO_V1(o2c_aging_bounds_trans);
PG_FUNCTION_INFO_V1(o2c_aging_disputed_trans);
PG_FUNCTION_INFO_V1(o2c_aging_combine);
PG_FUNCTION_INFO_V1(o2c_aging_state_in);
PG_FUNCTION_INFO_V1(o2c_aging_state_out);
PG_FUNCTION_INFO_V1(o2c_aging_state_recv);
PG_FUNCTION_INFO_V1(o2c_aging_state_send);
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
	o2c_sum_init(&state->disputed);
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
check_same_bounds(const int32 *a, int na, const int32 *b, int nb)
{
	if (na != nb || memcmp(a, b, na * sizeof(int32)) != 0)
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

static void
invalid_disputed(Datum disputed)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid disputed amount: \"%s\"",
					DatumGetCString(DirectFunctionCall1(numeric_out, disputed))),
			 errdetail("A disputed amount is a finite number of 0 or more."),
			 errhint("Pass 0 or NULL for an invoice without a dispute.")));
}

/* ------------------------------------------------ flat <-> working form */

static AgingFlat *
aging_flatten(const AgingState *w)
{
	Size		fixed = FLAT_FIXED_SIZE(w->nbounds);
	Size		size = fixed;
	Size		offset = fixed;
	AgingFlat  *f;

	size += o2c_flat_extra(&w->overdue_days) + o2c_flat_extra(&w->undated) +
		o2c_flat_extra(&w->disputed);
	for (int i = 0; i <= w->nbounds; i++)
		size += o2c_flat_extra(&w->buckets[i].sum);
	f = palloc0(size);
	SET_VARSIZE(f, size);
	f->version = AGING_STATE_VERSION;
	f->weigh_days = w->weigh_days;
	f->nbounds = w->nbounds;
	f->as_of = w->as_of;
	memcpy(FLAT_BOUNDS(f), w->bounds, w->nbounds * sizeof(int32));
	o2c_flat_put((char *) f, &offset, &f->overdue_days, &w->overdue_days);
	o2c_flat_put((char *) f, &offset, &f->undated, &w->undated);
	o2c_flat_put((char *) f, &offset, &f->disputed, &w->disputed);
	for (int i = 0; i <= w->nbounds; i++)
	{
		o2c_flat_put((char *) f, &offset, &f->buckets[i].sum, &w->buckets[i].sum);
		f->buckets[i].count = w->buckets[i].count;
	}
	Assert(offset == size);
	return f;
}

static AgingState *
aging_unflatten(const AgingFlat *f)
{
	AgingState *w = aging_state_new(CurrentMemoryContext, FLAT_BOUNDS(f), f->nbounds,
									f->as_of, f->weigh_days);

	o2c_flat_get((const char *) f, &f->overdue_days, &w->overdue_days);
	o2c_flat_get((const char *) f, &f->undated, &w->undated);
	o2c_flat_get((const char *) f, &f->disputed, &w->disputed);
	for (int i = 0; i <= f->nbounds; i++)
	{
		o2c_flat_get((const char *) f, &f->buckets[i].sum, &w->buckets[i].sum);
		w->buckets[i].count = f->buckets[i].count;
	}
	return w;
}

/*
 * A state handed in from SQL rather than by the aggregate itself (a direct
 * call, or a value read back from a table): check its layout before any
 * offset in it is followed.
 */
static AgingFlat *
flat_checked(Datum d, bool copy)
{
	AgingFlat  *f = (AgingFlat *) (copy ? PG_DETOAST_DATUM_COPY(d) : PG_DETOAST_DATUM(d));
	Size		size = VARSIZE(f);
	bool		ok;

	ok = size >= offsetof(AgingFlat, buckets) && f->version == AGING_STATE_VERSION &&
		f->nbounds >= 1 && f->nbounds <= AGING_MAX_BOUNDS &&
		size >= FLAT_FIXED_SIZE(f->nbounds);
	if (ok)
	{
		const O2cFlatSum *sums[FLAT_NSUMS + AGING_MAX_BOUNDS + 1];
		int			n = 0;

		sums[n++] = &f->overdue_days;
		sums[n++] = &f->undated;
		sums[n++] = &f->disputed;
		for (int i = 0; i <= f->nbounds; i++)
			sums[n++] = &f->buckets[i].sum;
		for (int i = 0; i < n && ok; i++)
			ok = sums[i]->spill == 0 ||
				(sums[i]->spill >= FLAT_FIXED_SIZE(f->nbounds) &&
				 sums[i]->spill + VARHDRSZ <= size &&
				 sums[i]->spill + VARSIZE((char *) f + sums[i]->spill) <= size);
	}
	if (!ok)
		o2c_state_corrupt(ERRCODE_DATA_CORRUPTED, STATE_TYPE_NAME);
	return f;
}

/*
 * The state argument of a transition or combine call. Inside an aggregate
 * it is the aggregate's own transition value, changed in place; a direct
 * call works on a checked copy.
 */
static AgingFlat *
state_arg(FunctionCallInfo fcinfo, int argno, bool in_aggregate)
{
	if (PG_ARGISNULL(argno))
		return NULL;
	if (in_aggregate)
		return (AgingFlat *) PG_GETARG_POINTER(argno);
	return flat_checked(PG_GETARG_DATUM(argno), true);
}

/* ---------------------------------------------------------- transition */

/* The last bounds array seen by a transition call site, parsed once. */
typedef struct BoundsSeen
{
	int			nbounds;
	int32		bounds[AGING_MAX_BOUNDS];
	Size		key_len;
	char	   *key;
} BoundsSeen;

/*
 * Parse the bounds argument, reusing the last parse while the array's bytes
 * are the same (a constant, or the same value again); compared by content,
 * as a per-row column can reuse one address for different arrays.
 */
static const BoundsSeen *
bounds_arg_parsed(FunctionCallInfo fcinfo, int argno)
{
	ArrayType  *arr = PG_GETARG_ARRAYTYPE_P(argno);
	BoundsSeen *seen = (BoundsSeen *) fcinfo->flinfo->fn_extra;
	Size		len = VARSIZE(arr);

	if (seen == NULL || seen->key_len != len || memcmp(seen->key, arr, len) != 0)
	{
		if (seen == NULL)
			seen = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(BoundsSeen));
		else if (seen->key != NULL)
			pfree(seen->key);
		seen->key = NULL;
		seen->key_len = 0;
		fcinfo->flinfo->fn_extra = seen;
		seen->nbounds = parse_bounds(arr, seen->bounds);
		seen->key = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, len);
		memcpy(seen->key, arr, len);
		seen->key_len = len;
	}
	return seen;
}

/*
 * One row into the working form, whatever its values: the general path,
 * taken when a value or a sum leaves the 128-bit fast range. The disputed
 * part of a row is at most its amount (as dunning takes it), none of a
 * credit.
 */
static void
work_add_row(AgingState *w, Datum amount, bool dated, int64 days,
			 bool has_disputed, Datum disputed, MemoryContext ctx)
{
	int128		units;
	int32		dscale;
	O2cUnitsResult kind = o2c_numeric_units(amount, &units, &dscale);

	if (kind == O2C_UNITS_SPECIAL)
		invalid_amount(amount);
	if (has_disputed)
	{
		int128		dunits;
		int32		ddscale;
		O2cUnitsResult dkind = o2c_numeric_units(disputed, &dunits, &ddscale);

		if (kind == O2C_UNITS_FAST && dkind == O2C_UNITS_FAST)
		{
			int128		part = Min(dunits, Max(units, 0));

			o2c_sum_add_units(&w->disputed, part, Max(dscale, ddscale), ctx);
			units -= part;
		}
		else
		{
			Numeric		a = DatumGetNumeric(amount);
			Numeric		d = DatumGetNumeric(disputed);
			Numeric		part = o2c_numeric_sign(a) <= 0 ? int64_to_numeric(0)
				: (o2c_num_cmp(d, a) < 0 ? d : a);

			o2c_sum_add_numeric(&w->disputed, part, ctx);
			amount = NumericGetDatum(numeric_sub_opt_error(a, part, NULL));
			kind = o2c_numeric_units(amount, &units, &dscale);
		}
	}
	if (!dated)
	{
		if (kind == O2C_UNITS_FAST)
			o2c_sum_add_units(&w->undated, units, dscale, ctx);
		else
			o2c_sum_add_numeric(&w->undated, DatumGetNumeric(amount), ctx);
		return;
	}
	{
		AgingBucket *bucket = &w->buckets[bucket_index(w->bounds, w->nbounds, days)];

		if (kind == O2C_UNITS_FAST)
		{
			o2c_sum_add_units(&bucket->sum, units, dscale, ctx);
			if (w->weigh_days && days > 0)
				o2c_sum_add_product(&w->overdue_days, units, days, dscale, ctx);
		}
		else
		{
			o2c_sum_add_numeric(&bucket->sum, DatumGetNumeric(amount), ctx);
			if (w->weigh_days && days > 0)
				o2c_sum_add_numeric(&w->overdue_days,
									numeric_mul_opt_error(DatumGetNumeric(amount),
														  int64_to_numeric(days), NULL),
									ctx);
		}
		bucket->count++;
	}
}

static inline void
flat_set(O2cFlatSum *sum, int128 fast, int32 dscale)
{
	sum->fast = fast;
	if (dscale > sum->dscale)
		sum->dscale = dscale;
}

/*
 * The three transition functions: bounds_arg < 0 means the five standard
 * buckets, disputed_arg < 0 no disputed column. The common row (an amount
 * of at most 8 decimals, sums in range) is added to the state in place;
 * anything else goes through the working form and a rebuilt state.
 */
static Datum
aging_accumulate(FunctionCallInfo fcinfo, int bounds_arg, int disputed_arg)
{
	MemoryContext aggctx;
	bool		in_aggregate = AggCheckCallContext(fcinfo, &aggctx) != 0;
	AgingFlat  *state = state_arg(fcinfo, 0, in_aggregate);
	const BoundsSeen *seen = NULL;
	bool		has_disputed;
	bool		dated;
	DateADT		as_of;
	int64		days = 0;
	int128		units;
	int128		dunits = 0;
	int32		dscale;
	int32		ddscale = 0;
	O2cUnitsResult kind;
	AgingState *w;

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
	if (bounds_arg >= 0)
		seen = bounds_arg_parsed(fcinfo, bounds_arg);
	if (state == NULL)
	{
		o2c_check_finite_date(as_of, "as_of date");
		w = seen != NULL
			? aging_state_new(CurrentMemoryContext, seen->bounds, seen->nbounds, as_of, false)
			: aging_state_new(CurrentMemoryContext, default_bounds, DEFAULT_NBOUNDS, as_of, true);
		state = aging_flatten(w);
	}
	else
	{
		if (unlikely(as_of != state->as_of))
			check_same_as_of(state->as_of, as_of);
		if (seen != NULL)
			check_same_bounds(FLAT_BOUNDS(state), state->nbounds, seen->bounds, seen->nbounds);
	}

	dated = !PG_ARGISNULL(2);
	if (dated)
		days = days_between(PG_GETARG_DATEADT(2), as_of);
	kind = o2c_numeric_units(PG_GETARG_DATUM(1), &units, &dscale);
	if (kind == O2C_UNITS_SPECIAL)
		invalid_amount(PG_GETARG_DATUM(1));
	has_disputed = disputed_arg >= 0 && !PG_ARGISNULL(disputed_arg);
	if (has_disputed)
	{
		O2cUnitsResult dkind = o2c_numeric_units(PG_GETARG_DATUM(disputed_arg), &dunits, &ddscale);

		if (dkind == O2C_UNITS_SPECIAL ||
			o2c_numeric_sign(PG_GETARG_NUMERIC(disputed_arg)) < 0)
			invalid_disputed(PG_GETARG_DATUM(disputed_arg));
		if (dkind != O2C_UNITS_FAST)
			kind = O2C_UNITS_SLOW;
	}

	/* The fast path: new sums computed first, stored only if all fit. */
	if (likely(kind == O2C_UNITS_FAST))
	{
		int128		part = has_disputed ? Min(dunits, Max(units, 0)) : 0;
		int128		rest = units - part;
		int128		new_disputed = state->disputed.fast;
		int128		new_sum;
		int128		new_days = state->overdue_days.fast;
		bool		fits = !has_disputed ||
			!__builtin_add_overflow(state->disputed.fast, part, &new_disputed);

		if (!dated)
		{
			if (fits && !__builtin_add_overflow(state->undated.fast, rest, &new_sum))
			{
				flat_set(&state->undated, new_sum, dscale);
				if (has_disputed)
					flat_set(&state->disputed, new_disputed, Max(dscale, ddscale));
				PG_RETURN_POINTER(state);
			}
		}
		else
		{
			AgingFlatBucket *bucket =
				&state->buckets[bucket_index(FLAT_BOUNDS(state), state->nbounds, days)];
			bool		weigh = state->weigh_days && days > 0;

			fits = fits && !__builtin_add_overflow(bucket->sum.fast, rest, &new_sum);
			/* Two 64-bit factors cannot overflow 128 bits. */
			if (fits && weigh)
				fits = rest >= PG_INT64_MIN && rest <= PG_INT64_MAX &&
					!__builtin_add_overflow(new_days, (int128) (int64) rest * days, &new_days);
			if (fits)
			{
				flat_set(&bucket->sum, new_sum, dscale);
				if (weigh)
					flat_set(&state->overdue_days, new_days, dscale);
				if (has_disputed)
					flat_set(&state->disputed, new_disputed, Max(dscale, ddscale));
				bucket->count++;
				PG_RETURN_POINTER(state);
			}
		}
	}

	/*
	 * The general path. A new state is returned: the aggregate copies it into
	 * its own context and frees the old one.
	 */
	w = aging_unflatten(state);
	work_add_row(w, PG_GETARG_DATUM(1), dated, days, has_disputed,
				 has_disputed ? PG_GETARG_DATUM(disputed_arg) : (Datum) 0,
				 CurrentMemoryContext);
	PG_RETURN_POINTER(aging_flatten(w));
}

Datum
o2c_aging_trans(PG_FUNCTION_ARGS)
{
	return aging_accumulate(fcinfo, -1, -1);
}

Datum
o2c_aging_bounds_trans(PG_FUNCTION_ARGS)
{
	return aging_accumulate(fcinfo, 4, -1);
}

Datum
o2c_aging_disputed_trans(PG_FUNCTION_ARGS)
{
	return aging_accumulate(fcinfo, -1, 4);
}

/* ------------------------------------------------------------- combine */

static void
aging_state_merge(AgingState *into, const AgingState *from, MemoryContext ctx)
{
	check_same_as_of(into->as_of, from->as_of);
	check_same_bounds(into->bounds, into->nbounds, from->bounds, from->nbounds);
	o2c_sum_add_sum(&into->overdue_days, &from->overdue_days, ctx);
	o2c_sum_add_sum(&into->undated, &from->undated, ctx);
	o2c_sum_add_sum(&into->disputed, &from->disputed, ctx);
	for (int i = 0; i <= into->nbounds; i++)
	{
		into->buckets[i].count += from->buckets[i].count;
		o2c_sum_add_sum(&into->buckets[i].sum, &from->buckets[i].sum, ctx);
	}
}

/* Every sum of a flat state, in a fixed order. */
static int
flat_sums(AgingFlat *f, O2cFlatSum **sums)
{
	int			n = 0;

	sums[n++] = &f->overdue_days;
	sums[n++] = &f->undated;
	sums[n++] = &f->disputed;
	for (int i = 0; i <= f->nbounds; i++)
		sums[n++] = &f->buckets[i].sum;
	return n;
}

/* b into a in place when nothing spills; false (a unchanged) otherwise. */
static bool
flat_merge_fast(AgingFlat *a, AgingFlat *b)
{
	O2cFlatSum *as[FLAT_NSUMS + AGING_MAX_BOUNDS + 1];
	O2cFlatSum *bs[FLAT_NSUMS + AGING_MAX_BOUNDS + 1];
	int128		sums[FLAT_NSUMS + AGING_MAX_BOUNDS + 1];
	int			n = flat_sums(a, as);

	(void) flat_sums(b, bs);
	for (int i = 0; i < n; i++)
		if (bs[i]->spill != 0 || __builtin_add_overflow(as[i]->fast, bs[i]->fast, &sums[i]))
			return false;
	for (int i = 0; i < n; i++)
		flat_set(as[i], sums[i], bs[i]->dscale);
	for (int i = 0; i <= a->nbounds; i++)
		a->buckets[i].count += b->buckets[i].count;
	return true;
}

Datum
o2c_aging_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggctx;
	bool		in_aggregate = AggCheckCallContext(fcinfo, &aggctx) != 0;
	AgingFlat  *a = state_arg(fcinfo, 0, in_aggregate);
	AgingFlat  *b = PG_ARGISNULL(1) ? NULL : flat_checked(PG_GETARG_DATUM(1), false);
	AgingState *w;

	if (b == NULL)
	{
		if (a == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(a);
	}
	if (a == NULL)
		PG_RETURN_POINTER(flat_checked(PG_GETARG_DATUM(1), true));
	check_same_as_of(a->as_of, b->as_of);
	check_same_bounds(FLAT_BOUNDS(a), a->nbounds, FLAT_BOUNDS(b), b->nbounds);
	if (a->weigh_days != b->weigh_days)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot combine a state of o2c.aging with one of the aging ladder")));
	if (flat_merge_fast(a, b))
		PG_RETURN_POINTER(a);
	w = aging_unflatten(a);
	aging_state_merge(w, aging_unflatten(b), CurrentMemoryContext);
	PG_RETURN_POINTER(aging_flatten(w));
}

/* ------------------------------------------------------- external forms */

static void
aging_state_write(StringInfo buf, const AgingState *state)
{
	pq_sendbyte(buf, AGING_STATE_VERSION);
	pq_sendint32(buf, state->as_of);
	pq_sendbyte(buf, state->weigh_days ? 1 : 0);
	pq_sendint32(buf, state->nbounds);
	for (int i = 0; i < state->nbounds; i++)
		pq_sendint32(buf, state->bounds[i]);
	pq_sendint64(buf, state_items(state));
	o2c_sum_serialize(buf, &state->overdue_days);
	o2c_sum_serialize(buf, &state->undated);
	o2c_sum_serialize(buf, &state->disputed);
	for (int i = 0; i <= state->nbounds; i++)
	{
		pq_sendint64(buf, state->buckets[i].count);
		o2c_sum_serialize(buf, &state->buckets[i].sum);
	}
}

/* Reads what aging_state_write wrote, checking every field. */
static AgingFlat *
aging_state_read(StringInfo buf, int sqlstate)
{
	AgingState *state;
	DateADT		as_of;
	int			weigh_days;
	int32		nbounds;
	int32		bounds[AGING_MAX_BOUNDS];
	int64		items;

#define RD_BYTE()	o2c_state_read_byte(buf, sqlstate, STATE_TYPE_NAME)
#define RD_INT32()	o2c_state_read_int32(buf, sqlstate, STATE_TYPE_NAME)
#define RD_INT64()	o2c_state_read_int64(buf, sqlstate, STATE_TYPE_NAME)
#define RD_SUM(s)	o2c_state_read_sum(buf, (s), sqlstate, STATE_TYPE_NAME)
	if (RD_BYTE() != AGING_STATE_VERSION)
		o2c_state_corrupt(sqlstate, STATE_TYPE_NAME);
	as_of = RD_INT32();
	weigh_days = RD_BYTE();
	nbounds = RD_INT32();
	if (DATE_NOT_FINITE(as_of) || weigh_days > 1 || nbounds < 1 || nbounds > AGING_MAX_BOUNDS)
		o2c_state_corrupt(sqlstate, STATE_TYPE_NAME);
	for (int i = 0; i < nbounds; i++)
	{
		bounds[i] = RD_INT32();
		if (bounds[i] < 0 || (i > 0 && bounds[i] <= bounds[i - 1]))
			o2c_state_corrupt(sqlstate, STATE_TYPE_NAME);
	}
	/* the five-bucket form always has the standard bounds */
	if (weigh_days && (nbounds != DEFAULT_NBOUNDS ||
					   memcmp(bounds, default_bounds, sizeof(default_bounds)) != 0))
		o2c_state_corrupt(sqlstate, STATE_TYPE_NAME);
	state = aging_state_new(CurrentMemoryContext, bounds, nbounds, as_of, weigh_days);
	items = RD_INT64();
	RD_SUM(&state->overdue_days);
	RD_SUM(&state->undated);
	RD_SUM(&state->disputed);
	for (int i = 0; i <= nbounds; i++)
	{
		state->buckets[i].count = RD_INT64();
		if (state->buckets[i].count < 0)
			o2c_state_corrupt(sqlstate, STATE_TYPE_NAME);
		RD_SUM(&state->buckets[i].sum);
	}
	if (buf->cursor != buf->len || items != state_items(state))
		o2c_state_corrupt(sqlstate, STATE_TYPE_NAME);
#undef RD_BYTE
#undef RD_INT32
#undef RD_INT64
#undef RD_SUM
	return aging_flatten(state);
}

Datum
o2c_aging_state_send(PG_FUNCTION_ARGS)
{
	AgingState *state = aging_unflatten(flat_checked(PG_GETARG_DATUM(0), false));
	StringInfoData buf;

	pq_begintypsend(&buf);
	aging_state_write(&buf, state);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

Datum
o2c_aging_state_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);

	PG_RETURN_POINTER(aging_state_read(buf, ERRCODE_INVALID_BINARY_REPRESENTATION));
}

/* The text form is the binary form in hexadecimal: opaque, but exact. */
Datum
o2c_aging_state_out(PG_FUNCTION_ARGS)
{
	AgingState *state = aging_unflatten(flat_checked(PG_GETARG_DATUM(0), false));
	StringInfoData buf;

	initStringInfo(&buf);
	aging_state_write(&buf, state);
	PG_RETURN_CSTRING(o2c_hex_encode(buf.data, buf.len));
}

Datum
o2c_aging_state_in(PG_FUNCTION_ARGS)
{
	const char *text = PG_GETARG_CSTRING(0);
	StringInfoData buf;

	o2c_hex_decode(text, &buf, STATE_TYPE_NAME);
	PG_RETURN_POINTER(aging_state_read(&buf, ERRCODE_INVALID_TEXT_REPRESENTATION));
}

/* ---------------------------------------------------------------- final */

/* The display scale every bucket is shown with: the largest amount scale. */
static int32
state_dscale(const AgingState *state)
{
	int32		dscale = 0;

	for (int i = 0; i <= state->nbounds; i++)
		dscale = Max(dscale, state->buckets[i].sum.dscale);
	dscale = Max(dscale, state->undated.dscale);
	dscale = Max(dscale, state->disputed.dscale);
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
			return o2c_int64_numeric((int64) (p < 0 ? -r : r), 2);
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

			zeros[dscale] = o2c_int64_numeric(0, dscale);
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
	AgingState *state = NULL;
	TupleDesc	tupdesc = result_tupdesc(fcinfo);
	Datum		values[11];
	bool		nulls[11] = {false};
	int32		dscale;

	if (!PG_ARGISNULL(0))
	{
		AgingFlat  *flat = flat_checked(PG_GETARG_DATUM(0), false);

		if (!flat->weigh_days)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("o2c.aging_final takes a state of the five-bucket o2c.aging, not of the aging ladder"),
					 errhint("Use o2c.aging_ladder_final for a state with custom bounds.")));
		state = aging_unflatten(flat);
	}
	else
		state = aging_state_new(CurrentMemoryContext, default_bounds, DEFAULT_NBOUNDS,
								0, true);
	o2c_aging_buckets_values(state, values, nulls);
	dscale = state_dscale(state);
	values[9] = NumericGetDatum(sum_numeric(&state->undated, dscale));
	values[10] = NumericGetDatum(sum_numeric(&state->disputed, dscale));
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
	AgingState *state = NULL;
	TupleDesc	tupdesc = result_tupdesc(fcinfo);
	Datum		values[5];
	bool		nulls[5] = {false};

	if (!PG_ARGISNULL(0))
	{
		AgingFlat  *flat = flat_checked(PG_GETARG_DATUM(0), false);

		if (flat->weigh_days)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("o2c.aging_ladder_final takes a state of the aging ladder, not of the five-bucket o2c.aging"),
					 errhint("Use o2c.aging_final for a state of o2c.aging(amount, due, as_of).")));
		state = aging_unflatten(flat);
	}
	else
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
	o2c_sum_init(&state->disputed);
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
