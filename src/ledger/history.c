/*
 * history.c — o2c.aging_history: the aging of the ledger by customer and
 * currency at every date of a series, in one sweep.
 *
 * The rows are read once. Each settlement is filed under the first date of
 * the series on or after its own date, so at each date the sweep applies
 * just the settlements since the previous one. The invoices issued by the
 * date and still open are "live", and an invoice that is not listed and has
 * no settlement left to come leaves the live set for good, so the work per
 * date is the number of open items, not the size of the ledger. Each group
 * (customer, currency) is aged with aging.c's own state (aging.h), so every
 * row equals open_items(...) + o2c.aging(open_amount, due_date, as_of)
 * GROUP BY customer_id, currency.
 */
#include "postgres.h"

#include "core/o2c.h"
#include "aging/aging.h"
#include "ledger.h"

#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "port/pg_bitutils.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/memutils.h"
#include "utils/tuplestore.h"

PG_FUNCTION_INFO_V1(o2c_aging_history);
PG_FUNCTION_INFO_V1(o2c_aging_history_ladder);

/* Ten years of days. */
#define HISTORY_MAX_DATES	3660

/* A settlement waiting for its date: 16 bytes. */
typedef struct Pending
{
	int64		amount;
	uint32		item_scale;		/* item << 4 | scale, then key << 4 | scale */
} Pending;

/* Chunks grow from 64 rows to 4096, so a daily series of a small ledger stays small. */
#define PENDING_FIRST	64
#define PENDING_MAX		4096

typedef struct PendingChunk
{
	struct PendingChunk *next;
	int			n;
	int			cap;
	Pending		rows[FLEXIBLE_ARRAY_MEMBER];
} PendingChunk;

typedef struct History
{
	DateADT    *dates;
	int			ndates;
	PendingChunk **pending;		/* per date, newest chunk first */
	uint32		npending;
} History;

/* ---------------------------------------------------------- the dates */

static bool
is_month_end(int y, int m, int d)
{
	return d == day_tab[isleap(y)][m - 1];
}

/*
 * from + i * step for i = 0, 1, ... up to to. Each date is computed from
 * from, not from the one before, so a month step from the 31st gives the
 * 31st, 30th or 28/29th of each month; and from a month-end, whole-month
 * steps give month-ends (2024-02-29, 2024-03-31, 2024-04-30), where
 * generate_series would drift to the 29th.
 */
static DateADT *
series(DateADT from, DateADT to, Interval *step, int *ndates)
{
	DateADT    *dates = palloc(sizeof(DateADT) * (HISTORY_MAX_DATES + 1));
	int			y,
				m,
				d,
				n = 0;
	bool		to_end;

	if (step->time != 0 || step->month < 0 || step->day < 0 ||
		(step->month == 0 && step->day == 0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("step of aging_history must be a positive number of days or months: \"%s\"",
						DatumGetCString(DirectFunctionCall1(interval_out, IntervalPGetDatum(step)))),
				 errhint("For example '1 month', '7 days' or '1 month 15 days'.")));
	if (from > to)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("from_date of aging_history is after to_date"),
				 errdetail("from_date is %s, to_date is %s.",
						   DatumGetCString(DirectFunctionCall1(date_out, DateADTGetDatum(from))),
						   DatumGetCString(DirectFunctionCall1(date_out, DateADTGetDatum(to))))));
	j2date(from + POSTGRES_EPOCH_JDATE, &y, &m, &d);
	to_end = step->month > 0 && step->day == 0 && is_month_end(y, m, d);
	for (int64 i = 0;; i++)
	{
		int64		months = (int64) (m - 1) + i * step->month;
		int64		yy = y + months / 12;
		int			mm = (int) (months % 12) + 1;
		int			dd;
		int64		date;

		if (yy > 5874897)		/* past any date: the series has ended */
			break;
		dd = to_end ? day_tab[isleap(yy)][mm - 1] : Min(d, day_tab[isleap(yy)][mm - 1]);
		date = (int64) date2j((int) yy, mm, dd) - POSTGRES_EPOCH_JDATE + i * step->day;
		if (date > to)
			break;
		if (n == HISTORY_MAX_DATES)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("aging_history covers at most %d dates", HISTORY_MAX_DATES),
					 errhint("Use a longer step or a shorter range.")));
		dates[n++] = (DateADT) date;
	}
	*ndates = n;
	return dates;
}

/* The index of the first date on or after on; ndates when past the last. */
static int
date_index(History *h, DateADT on)
{
	int			lo = 0,
				hi = h->ndates;

	while (lo < hi)
	{
		int			mid = (lo + hi) / 2;

		if (h->dates[mid] < on)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* File a settlement under its date; ones after the last date never count. */
static void
settle_later(Ledger *l, uint32 i, DateADT on, int64 amount, int scale, void *arg)
{
	History    *h = arg;
	int			j = date_index(h, on);
	PendingChunk *c;
	LedgerItem *it;

	if (j == h->ndates)
		return;
	c = h->pending[j];
	if (c == NULL || c->n == c->cap)
	{
		int			cap = c == NULL ? PENDING_FIRST : Min(c->cap * 2, PENDING_MAX);
		PendingChunk *fresh = MemoryContextAlloc(l->ctx, offsetof(PendingChunk, rows) +
												 cap * sizeof(Pending));

		fresh->next = c;
		fresh->n = 0;
		fresh->cap = cap;
		h->pending[j] = c = fresh;
	}
	c->rows[c->n].amount = amount;
	c->rows[c->n].item_scale = i << 4 | (uint32) scale;
	c->n++;
	h->npending++;
	it = ledger_item(l, i);
	if (on > it->last_settled)
		it->last_settled = on;
}

/* ---------------------------------------------------------- the sweep */

/*
 * The sweep walks, at each date, a dense array of the live items in key
 * order, merged with the items issued since the date before and with the
 * settlements counting from this date, both sorted by key too: every array
 * is read in sequence, so the work per date is a few sequential passes over
 * the open items, not a jump per item into the whole ledger. An item's key
 * is its position in (group rank, issue date index, item) order, so the
 * items of a group are contiguous and the ones it gains come after the ones
 * it has.
 */

/* A live item: 48 bytes, its group replaced by the group's rank. */
typedef struct SweepItem
{
	LedgerItem	it;
	uint32		key;
	uint32		item;			/* the ledger's index, for messages */
} SweepItem;

typedef struct Sweep
{
	SweepItem  *joins;			/* the items each date gains, in key order */
	uint32	   *join_start;		/* per date, and one past the last */
	Pending    *settlements;	/* sorted by date, then key */
	uint32	   *settle_start;	/* per date, and one past the last */
	SweepItem  *live;
	uint32		nlive;
	Size		cap;
} Sweep;

/*
 * A stable counting sort of n indexes in by keys[in[k]] (0 .. nkeys - 1)
 * into out; start gets each key's first position, and one past the last.
 */
static void
count_sort(const uint32 *in, uint32 n, const uint32 *keys, uint32 nkeys,
		   uint32 *out, uint32 *start)
{
	uint32	   *fill = palloc0((Size) (nkeys + 1) * sizeof(uint32));

	for (uint32 k = 0; k < n; k++)
		fill[keys[in == NULL ? k : in[k]] + 1]++;
	for (uint32 b = 0; b < nkeys; b++)
		fill[b + 1] += fill[b];
	if (start != NULL)
		memcpy(start, fill, (nkeys + 1) * sizeof(uint32));
	for (uint32 k = 0; k < n; k++)
	{
		uint32		i = in == NULL ? k : in[k];

		out[fill[keys[i]]++] = i;
	}
	pfree(fill);
}

/* Sort n settlements by key (keys below nkeys), 11 bits a pass; tmp holds n. */
static void
sort_by_key(Pending *p, uint32 n, Pending *tmp, uint32 nkeys)
{
	Pending    *from = p,
			   *to = tmp;
	int			bits = pg_leftmost_one_pos32(Max(nkeys, 2) - 1) + 1;

	if (n < 2)
		return;
	for (int shift = 0; shift < bits; shift += 11)
	{
		uint32		count[2048 + 1] = {0};

		for (uint32 k = 0; k < n; k++)
			count[((from[k].item_scale >> 4) >> shift & 2047) + 1]++;
		for (int b = 0; b < 2048; b++)
			count[b + 1] += count[b];
		for (uint32 k = 0; k < n; k++)
			to[count[(from[k].item_scale >> 4) >> shift & 2047]++] = from[k];
		from = to;
		to = from == p ? tmp : p;
	}
	if (from != p)
		memcpy(p, from, n * sizeof(Pending));
}

static void
sweep_init(Sweep *sw, Ledger *l, History *h)
{
	uint32		n = l->nitems;
	uint32		nd = (uint32) h->ndates;
	Size		size = (Size) Max(n, 1) * sizeof(uint32);
	uint32	   *join = palloc(size);	/* per item: index of its first date, nd if none */
	uint32	   *rank = palloc(size);	/* per item: its group's rank */
	uint32	   *join_pos;		/* per item: its place in joins */
	uint32	   *by_join = palloc(size);
	uint32	   *by_key = palloc(size);
	uint32	   *key = palloc(size);
	uint32	   *fill;
	uint32		widest = 0;
	Pending    *tmp;

	for (uint32 i = 0; i < n; i++)
	{
		LedgerItem *it = ledger_item(l, i);

		join[i] = (uint32) date_index(h, it->invoice_date);
		rank[i] = l->groups[it->group].rank;
	}
	/* Keys: by rank, then issue date index, then item (two stable passes). */
	count_sort(NULL, n, join, nd + 1, by_join, NULL);
	count_sort(by_join, n, rank, l->ngroups, by_key, NULL);
	for (uint32 k = 0; k < n; k++)
		key[by_key[k]] = k;
	/*
	 * The items each date gains, in key order; the ones issued after the last
	 * date never. Copied in the ledger's order, as the items are read in
	 * sequence: scattered writes cost less than scattered reads.
	 */
	sw->join_start = MemoryContextAlloc(l->ctx, (nd + 2) * sizeof(uint32));
	count_sort(by_key, n, join, nd + 1, by_join, sw->join_start);
	join_pos = palloc(size);
	for (uint32 q = 0; q < n; q++)
		join_pos[by_join[q]] = q;
	sw->joins = MemoryContextAllocHuge(l->ctx, (Size) Max(sw->join_start[nd], 1) * sizeof(SweepItem));
	for (uint32 i = 0; i < n; i++)
	{
		SweepItem  *e;

		if (join[i] == nd)
			continue;
		e = &sw->joins[join_pos[i]];
		e->it = *ledger_item(l, i);
		e->it.group = rank[i];
		e->key = key[i];
		e->item = i;
	}
	/* The copies are the items from here on. */
	for (uint32 c = 0; c < lengthof(l->items) && l->items[c] != NULL; c++)
	{
		pfree(l->items[c]);
		l->items[c] = NULL;
	}

	/*
	 * A settlement counts from its own date or, when it was made before the
	 * invoice was issued, from the date the invoice joins the sweep; those of
	 * invoices issued after the last date never count. Each date's are then
	 * sorted by key, a slice small enough to sort in cache.
	 */
	sw->settle_start = MemoryContextAllocZero(l->ctx, (nd + 1) * sizeof(uint32));
	for (uint32 j = 0; j < nd; j++)
		for (PendingChunk *c = h->pending[j]; c != NULL; c = c->next)
			for (int r = 0; r < c->n; r++)
			{
				uint32		i = c->rows[r].item_scale >> 4;

				if (join[i] < nd)
					sw->settle_start[Max(j, join[i]) + 1]++;
			}
	fill = palloc((nd + 1) * sizeof(uint32));
	for (uint32 j = 0; j < nd; j++)
	{
		sw->settle_start[j + 1] += sw->settle_start[j];
		widest = Max(widest, sw->settle_start[j + 1] - sw->settle_start[j]);
	}
	memcpy(fill, sw->settle_start, (nd + 1) * sizeof(uint32));
	sw->settlements = MemoryContextAllocHuge(l->ctx, (Size) Max(sw->settle_start[nd], 1) * sizeof(Pending));
	for (uint32 j = 0; j < nd; j++)
	{
		PendingChunk *c = h->pending[j];

		while (c != NULL)
		{
			PendingChunk *done = c;

			for (int r = 0; r < c->n; r++)
			{
				uint32		i = c->rows[r].item_scale >> 4;
				Pending    *p;

				if (join[i] == nd)
					continue;
				p = &sw->settlements[fill[Max(j, join[i])]++];
				p->amount = c->rows[r].amount;
				p->item_scale = key[i] << 4 | (c->rows[r].item_scale & 0xF);
			}
			c = c->next;
			pfree(done);
		}
		h->pending[j] = NULL;
	}
	tmp = palloc((Size) Max(widest, 1) * sizeof(Pending));
	for (uint32 j = 0; j < nd; j++)
		sort_by_key(sw->settlements + sw->settle_start[j],
					sw->settle_start[j + 1] - sw->settle_start[j], tmp, n);
	pfree(tmp);
	pfree(fill);

	sw->nlive = 0;
	sw->cap = 1024;
	sw->live = MemoryContextAllocHuge(l->ctx, sw->cap * sizeof(SweepItem));
	pfree(join);
	pfree(rank);
	pfree(join_pos);
	pfree(by_join);
	pfree(by_key);
	pfree(key);
}

/*
 * The customer and currency of each group as texts, by rank. The customers'
 * are laid out in rank order in one block: every row copies one, and rows
 * come in rank order, so they are read in sequence rather than one cache
 * miss a row. A customer's groups (one per currency) share its text.
 */
static void
rank_texts(Ledger *l, text ***customer, text ***currency)
{
	uint32		ng = l->ngroups;
	uint32	   *by_rank = palloc((Size) Max(ng, 1) * sizeof(uint32));
	text	  **cur_text = MemoryContextAllocZero(l->ctx, (l->currencies.n + 1) * sizeof(text *));
	Size		size = 0;
	char	   *block;
	uint32		prev = LEDGER_NONE;

	*customer = MemoryContextAlloc(l->ctx, (Size) (ng + 1) * sizeof(text *));
	*currency = MemoryContextAlloc(l->ctx, (Size) (ng + 1) * sizeof(text *));
	for (uint32 g = 0; g < ng; g++)
		by_rank[l->groups[g].rank] = g;
	for (uint32 r = 0; r < ng; r++)
	{
		LedgerGroup *lg = &l->groups[by_rank[r]];

		if (lg->customer != prev)
			size += INTALIGN(VARHDRSZ + strlen(ledger_string(&l->customers, lg->customer)));
		prev = lg->customer;
	}
	block = MemoryContextAllocHuge(l->ctx, Max(size, 1));
	prev = LEDGER_NONE;
	for (uint32 r = 0; r < ng; r++)
	{
		LedgerGroup *lg = &l->groups[by_rank[r]];

		if (lg->customer != prev)
		{
			const char *s = ledger_string(&l->customers, lg->customer);
			Size		len = strlen(s);

			(*customer)[r] = (text *) block;
			SET_VARSIZE((*customer)[r], VARHDRSZ + len);
			memcpy(VARDATA((*customer)[r]), s, len);
			block += INTALIGN(VARHDRSZ + len);
		}
		else
			(*customer)[r] = (*customer)[r - 1];
		prev = lg->customer;
		if (lg->currency == LEDGER_NONE)
			(*currency)[r] = NULL;
		else
		{
			if (cur_text[lg->currency] == NULL)
			{
				MemoryContext old = MemoryContextSwitchTo(l->ctx);

				cur_text[lg->currency] = cstring_to_text(ledger_string(&l->currencies, lg->currency));
				MemoryContextSwitchTo(old);
			}
			(*currency)[r] = cur_text[lg->currency];
		}
	}
	pfree(by_rank);
}

/* One row: a group's aging at a date. */
static void
emit_row(ReturnSetInfo *rsinfo, AgingState *state, DateADT as_of, text *customer,
		 text *currency, bool ladder, MemoryContext row_ctx)
{
	Datum		values[12];
	bool		nulls[12] = {false};
	MemoryContext old;

	old = MemoryContextSwitchTo(row_ctx);
	values[0] = DateADTGetDatum(as_of);
	values[1] = PointerGetDatum(customer);
	nulls[2] = currency == NULL;
	values[2] = PointerGetDatum(currency);
	if (ladder)
		o2c_aging_ladder_values(state, values + 3);
	else
		o2c_aging_buckets_values(state, values + 3, nulls + 3);
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	MemoryContextSwitchTo(old);
	MemoryContextReset(row_ctx);
}

static Datum
history(FunctionCallInfo fcinfo, bool ladder)
{
	char	   *invoices_sql = text_to_cstring(PG_GETARG_TEXT_PP(0));
	char	   *settlements_sql = text_to_cstring(PG_GETARG_TEXT_PP(1));
	DateADT		from = PG_GETARG_DATEADT(2);
	DateADT		to = PG_GETARG_DATEADT(3);
	Interval   *step = PG_GETARG_INTERVAL_P(4);
	Jsonb	   *options = PG_GETARG_JSONB_P(ladder ? 6 : 5);
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	int32		bounds[O2C_AGING_MAX_BOUNDS];
	int			nbounds = 0;
	LedgerOptions opt;
	History		h;
	Ledger	   *l;
	Sweep		sw;
	text	  **rank_customer;	/* per rank, read in sequence by the sweep */
	text	  **rank_currency;
	AgingState *state;
	MemoryContext row_ctx;

	o2c_check_finite_date(from, "from_date");
	o2c_check_finite_date(to, "to_date");
	if (ladder)
		nbounds = o2c_aging_parse_bounds(PG_GETARG_ARRAYTYPE_P(5), bounds);
	ledger_parse_options(options, "aging_history", &opt);
	h.dates = series(from, to, step, &h.ndates);
	h.pending = palloc0(sizeof(PendingChunk *) * h.ndates);
	h.npending = 0;
	InitMaterializedSRF(fcinfo, 0);

	l = ledger_create("aging_history", &opt);
	ledger_read(l, invoices_sql, settlements_sql, settle_later, &h);
	ledger_free_id_table(l);
	ledger_rank_groups(l);
	sweep_init(&sw, l, &h);
	elog(DEBUG1, "aging_history sweeps %u invoices over %d dates in %zu bytes",
		 l->nitems, h.ndates, MemoryContextMemAllocated(l->ctx, true));
	rank_texts(l, &rank_customer, &rank_currency);

	state = o2c_aging_state_create(l->ctx, ladder ? bounds : NULL, nbounds, h.dates[0]);
	row_ctx = AllocSetContextCreate(CurrentMemoryContext, "o2c aging_history row",
									ALLOCSET_DEFAULT_SIZES);
	for (int j = 0; j < h.ndates; j++)
	{
		DateADT		as_of = h.dates[j];
		uint32		q = sw.join_start[j],
					qend = sw.join_start[j + 1];
		uint32		s = sw.settle_start[j],
					send = sw.settle_start[j + 1];
		uint32		nall = sw.nlive + (qend - q),
					w = nall,
					n = 0;
		uint32		rank = LEDGER_NONE;
		int64		listed = 0;

		if (nall > sw.cap)
		{
			sw.cap = Max(Min(sw.cap * 2, l->nitems), nall);
			sw.live = repalloc_huge(sw.live, sw.cap * sizeof(SweepItem));
		}

		/*
		 * The items issued since the date before join the live ones in key
		 * order, merged from the back so they need no second array.
		 */
		for (uint32 o = sw.nlive, b = qend; b > q;)
		{
			if (o > 0 && sw.live[o - 1].key > sw.joins[b - 1].key)
				sw.live[--w] = sw.live[--o];
			else
				sw.live[--w] = sw.joins[--b];
		}

		/* Apply the date's settlements, age, and keep what stays live. */
		for (uint32 p = 0; p < nall; p++)
		{
			SweepItem  *e = &sw.live[p];
			int64		open;

			if (e->it.group != rank)
			{
				if (listed > 0)
					emit_row(rsinfo, state, as_of, rank_customer[rank], rank_currency[rank],
							 ladder, row_ctx);
				o2c_aging_state_clear(state, as_of);
				rank = e->it.group;
				listed = 0;
			}
			for (; s < send && sw.settlements[s].item_scale >> 4 == e->key; s++)
				ledger_settle(l, &e->it, e->item, sw.settlements[s].amount,
							  (int) (sw.settlements[s].item_scale & 0xF));
			open = ledger_open(l, &e->it, e->item);
			if (ledger_listed(&opt, open))
			{
				listed++;
				if (e->it.flags & ITEM_HAS_DUE)
					o2c_aging_state_add(state,
										(int128) open * ledger_pow10[O2C_SUM_SCALE - e->it.scale],
										e->it.scale, e->it.due_date, row_ctx);
			}
			else if (e->it.last_settled <= as_of)
				continue;		/* not listed now or ever again: out of the live set */
			if (n != p)
				sw.live[n] = *e;
			n++;
		}
		if (listed > 0)
			emit_row(rsinfo, state, as_of, rank_customer[rank], rank_currency[rank],
					 ladder, row_ctx);
		if (s != send)
			elog(ERROR, "aging_history left %u settlements unapplied at %d", send - s, j);
		sw.nlive = n;
		CHECK_FOR_INTERRUPTS();
	}
	MemoryContextDelete(row_ctx);
	MemoryContextDelete(l->ctx);
	return (Datum) 0;
}

Datum
o2c_aging_history(PG_FUNCTION_ARGS)
{
	return history(fcinfo, false);
}

Datum
o2c_aging_history_ladder(PG_FUNCTION_ARGS)
{
	return history(fcinfo, true);
}
