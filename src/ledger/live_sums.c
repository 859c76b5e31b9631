/*
 * live_sums.c — per customer and currency, a set of balances in the five
 * buckets of o2c.aging as of a date (live_sums.h). An entry's sums are
 * 64-bit integers at the entry's scale, one cache line per customer, until a
 * value does not fit; then they are exact (O2cSum).
 */
#include "postgres.h"

#include "ledger.h"
#include "live_delta.h"
#include "live_sums.h"

#include "utils/builtins.h"
#include "utils/memutils.h"

void
live_sums_init(LiveSums *s, DateADT as_of, MemoryContext cxt)
{
	MemoryContext old = MemoryContextSwitchTo(cxt);

	s->keys = o2c_keymap_create(1024);
	s->cap = 1024;
	s->entries = palloc(s->cap * sizeof(SumEntry));
	s->as_of = as_of;
	s->cxt = cxt;
	MemoryContextSwitchTo(old);
}

static void
entry_init(SumEntry *e)
{
	memset(e, 0, sizeof(SumEntry));
	e->wscale = -1;
}

/* The entry's sums in exact form (from here on, or to encode them). */
static SumExact *
entry_exact(SumEntry *e, MemoryContext cxt)
{
	SumExact   *x;
	int64		p = ledger_pow10[O2C_SUM_SCALE - e->scale];

	if (e->exact != NULL)
		return e->exact;
	x = MemoryContextAlloc(cxt, sizeof(SumExact));
	for (int k = 0; k < 5; k++)
	{
		o2c_sum_init(&x->b[k]);
		o2c_sum_add_units(&x->b[k], (int128) e->b[k] * p, e->scale, cxt);
	}
	o2c_sum_init(&x->w);
	if (e->wscale >= 0)
		o2c_sum_add_units(&x->w, (int128) e->w * p, e->wscale, cxt);
	x->items = e->items;
	e->exact = x;
	return x;
}

/*
 * Adds a row (units and display scale, or num when outside the fast range)
 * to bucket k, and to w when overdue: in the fast sums when everything fits,
 * else in exact ones.
 */
static void
entry_add(SumEntry *e, int k, bool overdue, int128 units, int32 dscale, Numeric num,
		  DateADT due, int items, MemoryContext cxt)
{
	SumExact   *x;

	if (e->exact == NULL && num == NULL && dscale >= 0 && dscale <= O2C_SUM_SCALE)
	{
		int64		b[5],
					w = e->w,
					v,
					vw = 0;
		int32		n;
		int			s = Max(e->scale, dscale);
		int128		q;
		bool		ok;

		/* 64-bit division when it fits: the usual amount, once per row. */
		if (units >= PG_INT64_MIN && units <= PG_INT64_MAX)
			q = (int64) units / ledger_pow10[O2C_SUM_SCALE - s];
		else
			q = units / ledger_pow10[O2C_SUM_SCALE - s];
		ok = q >= PG_INT64_MIN && q <= PG_INT64_MAX;

		memcpy(b, e->b, sizeof(b));
		if (ok && s > e->scale)
		{
			/* A row with more decimals: the sums move to its scale. */
			int64		f = ledger_pow10[s - e->scale];

			for (int j = 0; j < 5 && ok; j++)
				ok = !__builtin_mul_overflow(b[j], f, &b[j]);
			ok = ok && !__builtin_mul_overflow(w, f, &w);
		}
		v = (int64) q;
		if (ok && overdue)
			ok = !__builtin_mul_overflow(v, (int64) due, &vw) && !__builtin_add_overflow(w, vw, &w);
		if (ok && !__builtin_add_overflow(b[k], v, &b[k]) && !__builtin_add_overflow(e->items, items, &n))
		{
			memcpy(e->b, b, sizeof(b));
			e->w = w;
			e->items = n;
			e->scale = (int16) s;
			if (overdue)
				e->wscale = (int16) Max(e->wscale, dscale);
			return;
		}
	}
	x = entry_exact(e, cxt);
	if (num == NULL)
	{
		o2c_sum_add_units(&x->b[k], units, dscale, cxt);
		if (overdue)
			o2c_sum_add_product(&x->w, units, due, dscale, cxt);
	}
	else
	{
		o2c_sum_add_numeric(&x->b[k], num, cxt);
		if (overdue)
			o2c_sum_add_numeric(&x->w, numeric_mul_opt_error(num, int64_to_numeric(due), NULL), cxt);
	}
	x->items += items;
}

int32
live_sums_enter(LiveSums *s, const char *key, size_t len, uint32 hash)
{
	MemoryContext old = MemoryContextSwitchTo(s->cxt);
	bool		added;
	int32		idx = o2c_keymap_enter_hashed(s->keys, key, len, hash, &added);

	if (idx < 0)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("a ledger's pending inserts may hold at most %d customers and currencies",
						O2C_KEYMAP_MAX_KEYS),
				 errhint("Run o2c.ledger_compact more often.")));
	if (added)
	{
		if (idx == s->cap)
		{
			s->cap *= 2;
			s->entries = repalloc_huge(s->entries, (Size) s->cap * sizeof(SumEntry));
		}
		entry_init(&s->entries[idx]);
	}
	MemoryContextSwitchTo(old);
	return idx;
}

void
live_sums_prefetch(const LiveSums *s, int32 idx)
{
	/* Both lines: palloc does not align an entry to one. */
	O2C_PREFETCH(&s->entries[idx]);
	O2C_PREFETCH(&s->entries[idx].exact);
}

void
live_sums_add(LiveSums *s, int32 idx, DateADT due, int128 units, int32 dscale, Numeric num, int items)
{
	int64		days = (int64) s->as_of - (int64) due;
	int			bucket = days <= 0 ? 0 : days <= 30 ? 1 : days <= 60 ? 2 : days <= 90 ? 3 : 4;

	entry_add(&s->entries[idx], bucket, days > 0, units, dscale, num, due, items, s->cxt);
}

int64
live_sums_items(const LiveSums *s, int32 idx)
{
	const SumEntry *e = &s->entries[idx];

	return e->exact != NULL ? e->exact->items : e->items;
}

/* v * 10^-scale, shown with display scale scale. */
static Datum
scaled_value(int128 v, int scale)
{
	return NumericGetDatum(live_units_numeric(v * ledger_pow10[O2C_SUM_SCALE - scale], scale));
}

void
live_sums_values(LiveSums *s, int32 idx, Datum values[LIVE_SUM_VALUES], int64 *items)
{
	SumEntry   *e = &s->entries[idx];
	SumExact   *x = e->exact;
	O2cSum		overdue,
				total;
	int			dscale = 0;

	if (x == NULL)
	{
		/* The fast sums as they are: every bucket at the entry's scale. */
		int128		od = 0;
		int			ws = Max(e->wscale, 0);

		*items = e->items;
		for (int b = 0; b < 5; b++)
		{
			values[b] = scaled_value(e->b[b], e->scale);
			if (b > 0)
				od += e->b[b];
		}
		values[5] = scaled_value(od + e->b[0], e->scale);
		values[6] = scaled_value(od, e->scale);
		/* w has at most wscale decimals, though summed at the entry's scale. */
		values[7] = scaled_value(e->w / ledger_pow10[e->scale - ws], ws);
		return;
	}
	o2c_sum_init(&overdue);
	for (int b = 1; b < 5; b++)
		o2c_sum_add_sum(&overdue, &x->b[b], CurrentMemoryContext);
	o2c_sum_init(&total);
	o2c_sum_add_sum(&total, &x->b[0], CurrentMemoryContext);
	o2c_sum_add_sum(&total, &overdue, CurrentMemoryContext);
	for (int b = 0; b < 5; b++)
		dscale = Max(dscale, x->b[b].dscale);
	*items = x->items;
	for (int b = 0; b < 5; b++)
		values[b] = NumericGetDatum(live_sum_numeric(&x->b[b], dscale));
	values[5] = NumericGetDatum(live_sum_numeric(&total, dscale));
	values[6] = NumericGetDatum(live_sum_numeric(&overdue, dscale));
	values[7] = NumericGetDatum(live_sum_numeric(&x->w, 0));
}
