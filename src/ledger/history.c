/*
 * history.c — o2c.aging_history: the aging of the ledger by customer and
 * currency at every date of a series, in one sweep.
 *
 * The rows are read once. Each settlement is filed under the first date of
 * the series on or after its own date, so at each date the sweep applies
 * just the settlements since the previous one. Within a group (customer,
 * currency) the invoices are ordered by invoice date; the ones issued by the
 * date and still open are "live", and an invoice that is not listed and has
 * no settlement left to come leaves the live set for good, so the work per
 * date is the number of open items, not the size of the ledger. Each group
 * is aged with aging.c's own state (aging.h), so every row equals
 * open_items(...) + o2c.aging(open_amount, due_date, as_of) GROUP BY
 * customer_id, currency.
 */
#include "postgres.h"

#include "core/o2c.h"
#include "aging/aging.h"
#include "ledger.h"

#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
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
	uint32		item_scale;		/* item << 4 | scale */
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
	it = ledger_item(l, i);
	if (on > it->last_settled)
		it->last_settled = on;
}

/* ---------------------------------------------------------- the sweep */

static int
issue_cmp(const void *a, const void *b, void *arg)
{
	Ledger	   *l = arg;
	DateADT		x = ledger_item(l, *(const uint32 *) a)->invoice_date;
	DateADT		y = ledger_item(l, *(const uint32 *) b)->invoice_date;

	return x < y ? -1 : (x > y ? 1 : 0);
}

/*
 * The sweep's view of the ledger: the items copied in group order (by rank,
 * then invoice date) so each group is walked in sequence. Within a group's
 * range the first live[r] items are live, then come the ones gone for good,
 * then, from next[r] on, the ones not yet issued. ids[] and pos[] map sweep
 * positions to item indexes (for messages and settlements) and back.
 */
typedef struct Sweep
{
	Ledger	   *l;
	LedgerItem *items;
	uint32	   *ids;
	uint32	   *pos;
	uint32	   *start;			/* per rank, and one past the last */
	uint32	   *next;
	uint32	   *live;
	DateADT    *next_date;		/* invoice date at next[r], or +infinity */
} Sweep;

static inline void
sweep_swap(Sweep *sw, uint32 a, uint32 b)
{
	LedgerItem	t = sw->items[a];
	uint32		id = sw->ids[a];

	sw->items[a] = sw->items[b];
	sw->items[b] = t;
	sw->ids[a] = sw->ids[b];
	sw->ids[b] = id;
	sw->pos[sw->ids[a]] = a;
	sw->pos[sw->ids[b]] = b;
}

static void
sweep_init(Sweep *sw, Ledger *l)
{
	uint32		ng = l->ngroups;
	uint32		n = l->nitems;
	uint32	   *fill = palloc((ng + 1) * sizeof(uint32));

	sw->l = l;
	sw->start = MemoryContextAllocZero(l->ctx, (ng + 1) * sizeof(uint32));
	sw->next = MemoryContextAlloc(l->ctx, (ng + 1) * sizeof(uint32));
	sw->live = MemoryContextAllocZero(l->ctx, (ng + 1) * sizeof(uint32));
	sw->next_date = MemoryContextAlloc(l->ctx, (ng + 1) * sizeof(DateADT));
	sw->ids = MemoryContextAllocHuge(l->ctx, (Size) Max(n, 1) * sizeof(uint32));
	sw->pos = MemoryContextAllocHuge(l->ctx, (Size) Max(n, 1) * sizeof(uint32));
	sw->items = MemoryContextAllocHuge(l->ctx, (Size) Max(n, 1) * sizeof(LedgerItem));

	/* A counting sort by rank, then each group by invoice date. */
	for (uint32 i = 0; i < n; i++)
		sw->start[l->groups[ledger_item(l, i)->group].rank + 1]++;
	for (uint32 r = 0; r < ng; r++)
		sw->start[r + 1] += sw->start[r];
	memcpy(fill, sw->start, (ng + 1) * sizeof(uint32));
	for (uint32 i = 0; i < n; i++)
		sw->ids[fill[l->groups[ledger_item(l, i)->group].rank]++] = i;
	for (uint32 r = 0; r < ng; r++)
		qsort_arg(sw->ids + sw->start[r], sw->start[r + 1] - sw->start[r], sizeof(uint32),
				  issue_cmp, l);
	for (uint32 k = 0; k < n; k++)
	{
		sw->items[k] = *ledger_item(l, sw->ids[k]);
		sw->pos[sw->ids[k]] = k;
	}
	/* The copies are the items from here on. */
	for (uint32 c = 0; c < lengthof(l->items) && l->items[c] != NULL; c++)
	{
		pfree(l->items[c]);
		l->items[c] = NULL;
	}
	for (uint32 r = 0; r < ng; r++)
	{
		sw->next[r] = sw->start[r];
		sw->next_date[r] = sw->start[r] < sw->start[r + 1] ?
			sw->items[sw->start[r]].invoice_date : DATEVAL_NOEND;
	}
	pfree(fill);
}

/* A customer's or currency's text, made once. */
static text *
group_text(Ledger *l, text **cache, LedgerInterner *in, uint32 i)
{
	if (cache[i] == NULL)
	{
		MemoryContext old = MemoryContextSwitchTo(l->ctx);

		cache[i] = cstring_to_text(ledger_string(in, i));
		MemoryContextSwitchTo(old);
	}
	return cache[i];
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
	text	  **customer_text;
	text	  **currency_text;
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
	InitMaterializedSRF(fcinfo, 0);

	l = ledger_create("aging_history", &opt);
	ledger_read(l, invoices_sql, settlements_sql, settle_later, &h);
	ledger_rank_groups(l);
	sweep_init(&sw, l);
	elog(DEBUG1, "aging_history sweeps %u invoices over %d dates in %zu bytes",
		 l->nitems, h.ndates, MemoryContextMemAllocated(l->ctx, true));
	customer_text = MemoryContextAllocZero(l->ctx, (l->customers.n + 1) * sizeof(text *));
	currency_text = MemoryContextAllocZero(l->ctx, (l->currencies.n + 1) * sizeof(text *));
	rank_customer = MemoryContextAlloc(l->ctx, (l->ngroups + 1) * sizeof(text *));
	rank_currency = MemoryContextAlloc(l->ctx, (l->ngroups + 1) * sizeof(text *));
	for (uint32 g = 0; g < l->ngroups; g++)
	{
		LedgerGroup *lg = &l->groups[g];

		rank_customer[lg->rank] = group_text(l, customer_text, &l->customers, lg->customer);
		rank_currency[lg->rank] = lg->currency == LEDGER_NONE ? NULL :
			group_text(l, currency_text, &l->currencies, lg->currency);
	}

	state = o2c_aging_state_create(l->ctx, ladder ? bounds : NULL, nbounds, h.dates[0]);
	row_ctx = AllocSetContextCreate(CurrentMemoryContext, "o2c aging_history row",
									ALLOCSET_DEFAULT_SIZES);
	for (int j = 0; j < h.ndates; j++)
	{
		DateADT		as_of = h.dates[j];

		for (PendingChunk *c = h.pending[j]; c != NULL; c = c->next)
			for (int k = 0; k < c->n; k++)
			{
				uint32		i = c->rows[k].item_scale >> 4;

				ledger_settle(l, &sw.items[sw.pos[i]], i, c->rows[k].amount,
							  (int) (c->rows[k].item_scale & 0xF));
			}

		for (uint32 r = 0; r < l->ngroups; r++)
		{
			uint32		base = sw.start[r];
			int64		listed = 0;

			/* Invoices issued since the last date join the live ones. */
			while (sw.next_date[r] <= as_of)
			{
				sweep_swap(&sw, base + sw.live[r], sw.next[r]);
				sw.live[r]++;
				sw.next[r]++;
				sw.next_date[r] = sw.next[r] < sw.start[r + 1] ?
					sw.items[sw.next[r]].invoice_date : DATEVAL_NOEND;
			}
			if (sw.live[r] == 0)
				continue;
			o2c_aging_state_clear(state, as_of);
			for (uint32 p = base; p < base + sw.live[r];)
			{
				LedgerItem *it = &sw.items[p];
				int64		open = ledger_open(l, it, sw.ids[p]);

				if (ledger_listed(&opt, open))
				{
					listed++;
					if (it->flags & ITEM_HAS_DUE)
						o2c_aging_state_add(state,
											(int128) open * ledger_pow10[O2C_SUM_SCALE - it->scale],
											it->scale, it->due_date, row_ctx);
					p++;
				}
				else if (it->last_settled <= as_of)
				{
					/* Not listed now or ever again: out of the live set. */
					sweep_swap(&sw, p, base + sw.live[r] - 1);
					sw.live[r]--;
				}
				else
					p++;
			}
			if (listed > 0)
			{
				Datum		values[12];
				bool		nulls[12] = {false};
				MemoryContext old;

				old = MemoryContextSwitchTo(row_ctx);
				values[0] = DateADTGetDatum(as_of);
				values[1] = PointerGetDatum(rank_customer[r]);
				nulls[2] = rank_currency[r] == NULL;
				values[2] = PointerGetDatum(rank_currency[r]);
				if (ladder)
					o2c_aging_ladder_values(state, values + 3);
				else
					o2c_aging_buckets_values(state, values + 3, nulls + 3);
				tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
				MemoryContextSwitchTo(old);
			}
			MemoryContextReset(row_ctx);
		}
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
