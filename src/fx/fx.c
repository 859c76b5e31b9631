/*
 * fx.c — the exchange-rate lookup shared by o2c.convert and
 * o2c.revaluation: which stored rate converts one currency into another on
 * a date, and the exact arithmetic of a conversion.
 *
 * A conversion from A to B on day d uses the latest rate dated on or before
 * d of A/B (multiply) or B/A (divide), whichever is more recent (A/B on a
 * tie); when neither has one, the pivot currency P of o2c.settings (EUR
 * when unset) bridges them, each leg A-P and P-B chosen the same way. The
 * result is rounded once, half away from zero, to B's minor units.
 *
 * Rates are read through SPI one (base, quote) series at a time, only when
 * a conversion first needs it, sorted by date; a date is then a binary
 * search. The series live in a memory context the caller owns (the
 * expression's fn_mcxt for o2c.convert) and are dropped when the active
 * snapshot changes, so nothing outlives the query that read it.
 *
 * The fx concern (src/fx/), above core, calendar and terms. Reads
 * o2c.fx_rate and o2c.settings with the caller's rights; writes nothing.
 */
#include "postgres.h"

#include "core/o2c.h"
#include "core/currency.h"
#include "fx.h"

#include "catalog/pg_type.h"
#include "common/int.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "storage/proc.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"

#define FX_SLOTS			(26 * 26 * 26)
#define FX_DEFAULT_PIVOT	"EUR"

/* Rates below 10^10 with at most 8 decimals are kept as a fraction too. */
#define FX_FAST_MAX_UNITS	((int128) 1000000000000000000LL)	/* 10^18 */
#define FX_UNITS_PER_ONE	100000000	/* 10^8: o2c_numeric_units' scale */

typedef struct FxPoint
{
	DateADT		date;
	bool		fast;			/* rate == num / den exactly */
	int64		num;
	int64		den;
	Numeric		rate;
} FxPoint;

typedef struct FxSeries
{
	int			n;
	FxPoint    *points;			/* sorted by date, distinct */
	/* dense[k]: index of the latest point on or before points[0].date + k */
	int32	   *dense;			/* NULL when the span is too long */
	int32		span;
} FxSeries;

/* Series that span up to this many days get an index by day (512 kB). */
#define FX_DENSE_MAX_DAYS	(1 << 17)

/* A pair asked for: its own series and the other direction's. */
typedef struct FxPair
{
	int32		key;			/* from slot * FX_SLOTS + to slot; -1: empty */
	const FxSeries *direct;
	const FxSeries *inverse;
} FxPair;

/* One stored rate used for a conversion: multiply, or divide if inverse. */
typedef struct FxLeg
{
	const FxPoint *pt;
	bool		inverse;
} FxLeg;

struct O2cFxCache
{
	MemoryContext cxt;			/* the series; reset when stale */
	FxPair	   *pairs;			/* open addressing, linear probing */
	int			npairs;
	int			pairs_cap;		/* a power of 2 */
	bool		have_pivot;
	O2cFxCode	pivot;
	/* the snapshot the series were read under (o2c_fx_cache_check) */
	bool		stamped;
	LocalTransactionId lxid;
	TransactionId xmin;
	TransactionId xmax;
	uint32		xcnt;
	CommandId	curcid;
	uint64		completions;
	/* the route of the last conversion, for rows that repeat it */
	int			nlegs;			/* 0: none yet */
	int32		last_key;
	DateADT		last_date;
	FxLeg		legs[2];
};

/* Planned once per backend; the plan cache re-plans after DDL. */
static SPIPlanPtr series_plan = NULL;
static SPIPlanPtr pivot_plan = NULL;

static const int128 pow10_128[] = {
	1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000
};

void
o2c_fx_code(const char *s, size_t len, O2cFxCode *out, const char *what)
{
	O2cQuote	q;

	if (!o2c_currency_code(s, len, out->code) ||
		(out->minor = o2c_currency_minor_units(out->code, 3)) == O2C_CURRENCY_UNKNOWN)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown currency: \"%s\"", o2c_quote(&q, s, len)),
				 errdetail("%s must be an active ISO 4217 code.", what),
				 errhint("Use an active ISO 4217 code such as EUR, USD or JPY.")));
	out->slot = ((out->code[0] - 'A') * 26 + (out->code[1] - 'A')) * 26 + (out->code[2] - 'A');
}

static void
fx_pairs_alloc(O2cFxCache *c, int cap)
{
	c->pairs = MemoryContextAlloc(c->cxt, sizeof(FxPair) * cap);
	for (int i = 0; i < cap; i++)
		c->pairs[i].key = -1;
	c->pairs_cap = cap;
	c->npairs = 0;
}

static void
fx_reset(O2cFxCache *c)
{
	MemoryContextReset(c->cxt);
	fx_pairs_alloc(c, 64);
	c->have_pivot = false;
	c->stamped = false;
	c->nlegs = 0;
}

O2cFxCache *
o2c_fx_cache_create(MemoryContext parent)
{
	O2cFxCache *c = MemoryContextAllocZero(parent, sizeof(O2cFxCache));

	c->cxt = AllocSetContextCreate(parent, "o2c fx rates", ALLOCSET_SMALL_SIZES);
	fx_reset(c);
	return c;
}

void
o2c_fx_cache_check(O2cFxCache *c)
{
	Snapshot	s;

	if (!ActiveSnapshotSet())
	{
		/* Nothing to tell one statement from the next: keep nothing. */
		fx_reset(c);
		return;
	}
	s = GetActiveSnapshot();
	if (c->stamped && c->lxid == O2C_MY_LXID() && c->curcid == s->curcid &&
		c->xmin == s->xmin && c->xmax == s->xmax && c->xcnt == s->xcnt &&
		c->completions == s->snapXactCompletionCount)
		return;
	fx_reset(c);
	c->stamped = true;
	c->lxid = O2C_MY_LXID();
	c->curcid = s->curcid;
	c->xmin = s->xmin;
	c->xmax = s->xmax;
	c->xcnt = s->xcnt;
	c->completions = s->snapXactCompletionCount;
}

static int64
gcd64(int64 a, int64 b)
{
	while (b != 0)
	{
		int64		t = a % b;

		a = b;
		b = t;
	}
	return a;
}

static SPIPlanPtr
fx_plan(SPIPlanPtr *slot, const char *sql, int nargs, Oid *types)
{
	if (*slot == NULL)
	{
		SPIPlanPtr	plan = SPI_prepare(sql, nargs, types);

		if (plan == NULL)
			elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
		if (SPI_keepplan(plan) != 0)
			elog(ERROR, "SPI_keepplan failed");
		*slot = plan;
	}
	return *slot;
}

/*
 * Connect to SPI for a read-only query. Such a query runs under the active
 * snapshot; in the rare call without one, under a fresh one (popped by
 * fx_spi_end, or at abort).
 */
static bool
fx_spi_begin(void)
{
	bool		pushed = false;

	if (!ActiveSnapshotSet())
	{
		PushActiveSnapshot(GetTransactionSnapshot());
		pushed = true;
	}
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	return pushed;
}

static void
fx_spi_end(bool pushed)
{
	SPI_finish();
	if (pushed)
		PopActiveSnapshot();
}

/* The rates of one (base, quote) pair, sorted by date, read through SPI. */
static const FxSeries *
fx_load(O2cFxCache *c, const O2cFxCode *base, const O2cFxCode *quote)
{
	FxSeries   *s = MemoryContextAllocZero(c->cxt, sizeof(FxSeries));
	Oid			types[2] = {TEXTOID, TEXTOID};
	Datum		args[2];
	int			ret;
	bool		pushed = fx_spi_begin();

	args[0] = CStringGetTextDatum(base->code);
	args[1] = CStringGetTextDatum(quote->code);
	ret = SPI_execute_plan(fx_plan(&series_plan,
								   "SELECT rate_date, rate FROM o2c.fx_rate "
								   "WHERE base OPERATOR(pg_catalog.=) $1 "
								   "AND quote OPERATOR(pg_catalog.=) $2 ORDER BY rate_date",
								   2, types),
						   args, NULL, true, 0);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "reading o2c.fx_rate failed: %s", SPI_result_code_string(ret));
	if (SPI_processed > (uint64) PG_INT32_MAX / sizeof(FxPoint))
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("too many rates in o2c.fx_rate for %s/%s", base->code, quote->code)));
	s->n = (int) SPI_processed;
	if (s->n > 0)
		s->points = MemoryContextAlloc(c->cxt, sizeof(FxPoint) * s->n);
	for (int i = 0; i < s->n; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		TupleDesc	td = SPI_tuptable->tupdesc;
		FxPoint    *p = &s->points[i];
		bool		isnull_d,
					isnull_r;
		Datum		d = SPI_getbinval(tup, td, 1, &isnull_d);
		Datum		r = SPI_getbinval(tup, td, 2, &isnull_r);
		int128		units = 0;
		int32		dscale;
		O2cUnitsResult kind;

		if (!isnull_r)			/* a plain 4-byte header, as copied below */
			r = PointerGetDatum(PG_DETOAST_DATUM(r));
		kind = isnull_r ? O2C_UNITS_SPECIAL : o2c_numeric_units(r, &units, &dscale);
		/* The table's checks forbid these; a copy without them may not. */
		if (isnull_d || kind == O2C_UNITS_SPECIAL ||
			o2c_numeric_sign(DatumGetNumeric(r)) <= 0 ||
			DATE_NOT_FINITE(DatumGetDateADT(d)) ||
			(i > 0 && DatumGetDateADT(d) <= s->points[i - 1].date))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid row in o2c.fx_rate for %s/%s", base->code, quote->code),
					 errdetail("Every rate must be a positive finite number with a finite date, one per day.")));
		p->date = DatumGetDateADT(d);
		p->rate = (Numeric) MemoryContextAlloc(c->cxt, VARSIZE(DatumGetPointer(r)));
		memcpy(p->rate, DatumGetPointer(r), VARSIZE(DatumGetPointer(r)));
		p->fast = (kind == O2C_UNITS_FAST && units < FX_FAST_MAX_UNITS);
		if (p->fast)
		{
			int64		g = gcd64((int64) units, FX_UNITS_PER_ONE);

			p->num = (int64) units / g;
			p->den = FX_UNITS_PER_ONE / g;
		}
	}
	fx_spi_end(pushed);

	/* A date then costs an array read instead of a binary search. */
	if (s->n > 1 && (int64) s->points[s->n - 1].date - s->points[0].date < FX_DENSE_MAX_DAYS)
	{
		DateADT		first = s->points[0].date;
		int			k = 0;

		s->span = s->points[s->n - 1].date - first + 1;
		s->dense = MemoryContextAlloc(c->cxt, sizeof(int32) * s->span);
		for (int32 day = 0; day < s->span; day++)
		{
			while (k + 1 < s->n && s->points[k + 1].date <= first + day)
				k++;
			s->dense[day] = k;
		}
	}
	return s;
}

static uint32
fx_hash(int32 key)
{
	return (uint32) key * 0x9E3779B1u;
}

static FxPair *
fx_pair_find(O2cFxCache *c, int32 key)
{
	uint32		mask = c->pairs_cap - 1;

	for (uint32 i = fx_hash(key) & mask;; i = (i + 1) & mask)
		if (c->pairs[i].key == key || c->pairs[i].key == -1)
			return &c->pairs[i];
}

/* The series of a/b and b/a, read at the first need. */
static const FxPair *
fx_pair(O2cFxCache *c, const O2cFxCode *a, const O2cFxCode *b)
{
	int32		key = a->slot * FX_SLOTS + b->slot;
	FxPair	   *e = fx_pair_find(c, key);
	FxPair	   *other;
	const FxSeries *direct,
			   *inverse;

	if (e->key == key)
		return e;
	other = fx_pair_find(c, b->slot * FX_SLOTS + a->slot);
	if (other->key != -1)
	{
		direct = other->inverse;
		inverse = other->direct;
	}
	else
	{
		direct = fx_load(c, a, b);
		inverse = fx_load(c, b, a);
	}
	if (2 * (c->npairs + 1) > c->pairs_cap)
	{
		FxPair	   *old = c->pairs;
		int			old_cap = c->pairs_cap;

		fx_pairs_alloc(c, 2 * old_cap);
		for (int i = 0; i < old_cap; i++)
			if (old[i].key != -1)
			{
				*fx_pair_find(c, old[i].key) = old[i];
				c->npairs++;
			}
		pfree(old);
	}
	e = fx_pair_find(c, key);
	e->key = key;
	e->direct = direct;
	e->inverse = inverse;
	c->npairs++;
	return e;
}

static const O2cFxCode *
fx_pivot(O2cFxCache *c)
{
	char	   *value = NULL;
	int			ret;
	bool		pushed;

	if (c->have_pivot)
		return &c->pivot;
	pushed = fx_spi_begin();
	ret = SPI_execute_plan(fx_plan(&pivot_plan,
								   "SELECT value FROM o2c.settings "
								   "WHERE name OPERATOR(pg_catalog.=) 'fx_pivot'",
								   0, NULL),
						   NULL, NULL, true, 0);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "reading o2c.settings failed: %s", SPI_result_code_string(ret));
	if (SPI_processed > 0)
	{
		char	   *v = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);

		if (v != NULL)
			value = MemoryContextStrdup(c->cxt, v);
	}
	fx_spi_end(pushed);
	o2c_fx_code(value ? value : FX_DEFAULT_PIVOT, strlen(value ? value : FX_DEFAULT_PIVOT),
				&c->pivot, "the fx_pivot setting of o2c.settings");
	c->have_pivot = true;
	return &c->pivot;
}

/* The latest point dated on or before d, or NULL. */
static inline const FxPoint *
fx_latest(const FxSeries *s, DateADT d)
{
	int			lo = 0,
				hi = s->n;		/* answer is lo - 1 */

	if (s->n == 0 || d < s->points[0].date)
		return NULL;
	if (d >= s->points[s->n - 1].date)
		return &s->points[s->n - 1];
	if (s->dense != NULL)
		return &s->points[s->dense[d - s->points[0].date]];
	while (lo < hi)
	{
		int			mid = lo + (hi - lo) / 2;

		if (s->points[mid].date <= d)
			lo = mid + 1;
		else
			hi = mid;
	}
	return &s->points[lo - 1];
}

/* The more recent of a/b and b/a on or before d (a/b on a tie). */
static bool
fx_leg(O2cFxCache *c, const O2cFxCode *a, const O2cFxCode *b, DateADT d, FxLeg *leg)
{
	const FxPair *pair = fx_pair(c, a, b);
	const FxPoint *p = fx_latest(pair->direct, d);
	const FxPoint *q = fx_latest(pair->inverse, d);

	if (p == NULL && q == NULL)
		return false;
	leg->inverse = (p == NULL || (q != NULL && q->date > p->date));
	leg->pt = leg->inverse ? q : p;
	return true;
}

static char *
fx_date_text(DateADT d)
{
	return DatumGetCString(DirectFunctionCall1(date_out, DateADTGetDatum(d)));
}

static void
fx_route(O2cFxCache *c, const O2cFxCode *from, const O2cFxCode *to, DateADT d)
{
	int32		key = from->slot * FX_SLOTS + to->slot;
	const O2cFxCode *p;

	if (c->nlegs > 0 && c->last_key == key && c->last_date == d)
		return;
	c->nlegs = 0;
	if (fx_leg(c, from, to, d, &c->legs[0]))
		c->nlegs = 1;
	else
	{
		p = fx_pivot(c);
		if (p->slot != from->slot && p->slot != to->slot &&
			fx_leg(c, from, p, d, &c->legs[0]) && fx_leg(c, p, to, d, &c->legs[1]))
			c->nlegs = 2;
		else
			ereport(ERROR,
					(errcode(ERRCODE_NO_DATA_FOUND),
					 errmsg("no exchange rate from %s to %s on or before %s",
							from->code, to->code, fx_date_text(d)),
					 (p->slot == from->slot || p->slot == to->slot) ?
					 errdetail("o2c.fx_rate holds no rate %s/%s or %s/%s dated on or before that day.",
							   from->code, to->code, to->code, from->code) :
					 errdetail("o2c.fx_rate holds no rate %s/%s or %s/%s dated on or before that day, "
							   "nor both legs through the pivot currency %s (%s/%s or %s/%s, and %s/%s or %s/%s).",
							   from->code, to->code, to->code, from->code, p->code,
							   from->code, p->code, p->code, from->code,
							   p->code, to->code, to->code, p->code),
					 errhint("Add a row to o2c.fx_rate (base, quote, rate_date, rate) for %s/%s dated on or before %s.",
							 from->code, to->code, fx_date_text(d))));
	}
	c->last_key = key;
	c->last_date = d;
}

/* Round n / d (d > 0) half away from zero. */
static inline int128
fx_div_round(int128 n, int128 d)
{
	bool		neg = n < 0;
	int128		m = neg ? -n : n;
	int128		q = m / d;
	int128		r = m - q * d;

	if (r >= d - r)
		q++;
	return neg ? -q : q;
}

/*
 * amount * (product of the legs) rounded to scale decimals: on 128-bit
 * integers when the amount and the rates fit, else on numerics, exact in
 * both cases (one rounding, at the end).
 */
static Numeric
fx_apply(const O2cFxCache *c, Datum amount, int scale)
{
	int128		a;
	int32		dscale;
	bool		fast = true;
	Datum		prod,
				div = (Datum) 0;

	for (int i = 0; i < c->nlegs; i++)
		fast = fast && c->legs[i].pt->fast;
	if (fast && o2c_numeric_units(amount, &a, &dscale) == O2C_UNITS_FAST)
	{
		int128		num = 1,
					den = 1,
					n,
					d,
					r;

		/* each factor is below 10^18: two of them fit */
		for (int i = 0; i < c->nlegs; i++)
		{
			const FxPoint *p = c->legs[i].pt;

			num *= c->legs[i].inverse ? p->den : p->num;
			den *= c->legs[i].inverse ? p->num : p->den;
		}
		/* amount is a * 10^-8; the result, in units of 10^-scale, */
		/* is a * num / (den * 10^(8 - scale)) */
		if (!__builtin_mul_overflow(a, num, &n) &&
			!__builtin_mul_overflow(den, pow10_128[8 - scale], &d))
		{
			r = fx_div_round(n, d);
			if (r >= PG_INT64_MIN && r <= PG_INT64_MAX)
				return o2c_int64_numeric((int64) r, scale);
		}
	}

	prod = PointerGetDatum(PG_DETOAST_DATUM(amount));
	for (int i = 0; i < c->nlegs; i++)
	{
		Datum		rate = NumericGetDatum(c->legs[i].pt->rate);

		if (!c->legs[i].inverse)
			prod = DirectFunctionCall2(numeric_mul, prod, rate);
		else
			div = div ? DirectFunctionCall2(numeric_mul, div, rate) : rate;
	}
	if (div == (Datum) 0)
		return DatumGetNumeric(DirectFunctionCall2(numeric_round, prod, Int32GetDatum(scale)));
	return o2c_div_round(DatumGetNumeric(prod), DatumGetNumeric(div), scale);
}

/* The route's rate as one number: exact unless a leg divides. */
static Numeric
fx_effective_rate(const O2cFxCache *c)
{
	Datum		num = (Datum) 0,
				den = (Datum) 0;

	for (int i = 0; i < c->nlegs; i++)
	{
		Datum		rate = NumericGetDatum(c->legs[i].pt->rate);
		Datum	   *side = c->legs[i].inverse ? &den : &num;

		*side = *side ? DirectFunctionCall2(numeric_mul, *side, rate) : rate;
	}
	if (num == (Datum) 0)
		num = NumericGetDatum(int64_to_numeric(1));
	if (den == (Datum) 0)
		return DatumGetNumeric(num);
	/* numeric division pads to its working scale: drop the trailing zeros */
	return DatumGetNumeric(DirectFunctionCall1(numeric_trim_scale,
											   DirectFunctionCall2(numeric_div, num, den)));
}

Numeric
o2c_fx_convert(O2cFxCache *c, Datum amount, const O2cFxCode *from,
			   const O2cFxCode *to, DateADT on, Numeric *rate)
{
	if (to->minor < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("currency \"%s\" has no minor unit", to->code),
				 errdetail("ISO 4217 defines no decimals for precious metals, SDR and testing codes, so amounts cannot be rounded to it.")));
	if (from->slot == to->slot)
	{
		if (rate)
			*rate = int64_to_numeric(1);
		return DatumGetNumeric(amount);
	}
	fx_route(c, from, to, on);
	if (rate)
		*rate = fx_effective_rate(c);
	return fx_apply(c, amount, to->minor);
}
