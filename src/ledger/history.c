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

#define PENDING_CHUNK	4096

typedef struct PendingChunk
{
	struct PendingChunk *next;
	int			n;
	Pending		rows[PENDING_CHUNK];
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
	if (c == NULL || c->n == PENDING_CHUNK)
	{
		PendingChunk *fresh = MemoryContextAlloc(l->ctx, sizeof(PendingChunk));

		fresh->next = c;
		fresh->n = 0;
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
	uint32	   *order,
			   *start,
			   *next,
			   *live;
	uint32	   *by_rank;
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

	/* Invoices by group rank (a counting sort), then by invoice date. */
	start = MemoryContextAllocZero(l->ctx, (l->ngroups + 1) * sizeof(uint32));
	next = MemoryContextAlloc(l->ctx, (l->ngroups + 1) * sizeof(uint32));
	live = MemoryContextAllocZero(l->ctx, (l->ngroups + 1) * sizeof(uint32));
	by_rank = MemoryContextAlloc(l->ctx, (l->ngroups + 1) * sizeof(uint32));
	order = MemoryContextAllocHuge(l->ctx, (Size) Max(l->nitems, 1) * sizeof(uint32));
	for (uint32 g = 0; g < l->ngroups; g++)
		by_rank[l->groups[g].rank] = g;
	for (uint32 i = 0; i < l->nitems; i++)
		start[l->groups[ledger_item(l, i)->group].rank + 1]++;
	for (uint32 r = 0; r < l->ngroups; r++)
		start[r + 1] += start[r];
	memcpy(next, start, (l->ngroups + 1) * sizeof(uint32));
	for (uint32 i = 0; i < l->nitems; i++)
		order[next[l->groups[ledger_item(l, i)->group].rank]++] = i;
	for (uint32 r = 0; r < l->ngroups; r++)
	{
		qsort_arg(order + start[r], start[r + 1] - start[r], sizeof(uint32), issue_cmp, l);
		next[r] = start[r];
	}

	state = o2c_aging_state_create(l->ctx, ladder ? bounds : NULL, nbounds, h.dates[0]);
	row_ctx = AllocSetContextCreate(CurrentMemoryContext, "o2c aging_history row",
									ALLOCSET_DEFAULT_SIZES);
	for (int j = 0; j < h.ndates; j++)
	{
		DateADT		as_of = h.dates[j];

		for (PendingChunk *c = h.pending[j]; c != NULL; c = c->next)
			for (int k = 0; k < c->n; k++)
				ledger_item_settle(l, c->rows[k].item_scale >> 4, c->rows[k].amount,
								   (int) (c->rows[k].item_scale & 0xF));

		for (uint32 r = 0; r < l->ngroups; r++)
		{
			uint32		base = start[r];
			int64		listed = 0;

			/* Invoices issued since the last date join the live ones. */
			while (next[r] < start[r + 1] && ledger_item(l, order[next[r]])->invoice_date <= as_of)
			{
				uint32		t = order[base + live[r]];

				order[base + live[r]] = order[next[r]];
				order[next[r]] = t;
				live[r]++;
				next[r]++;
			}
			if (live[r] == 0)
				continue;
			o2c_aging_state_clear(state, as_of);
			for (uint32 p = base; p < base + live[r];)
			{
				uint32		i = order[p];
				LedgerItem *it = ledger_item(l, i);
				int64		open = ledger_item_open(l, i);

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
					order[p] = order[base + live[r] - 1];
					order[base + live[r] - 1] = i;
					live[r]--;
				}
				else
					p++;
			}
			if (listed > 0)
			{
				LedgerGroup *g = &l->groups[by_rank[r]];
				const char *currency = ledger_string(&l->currencies, g->currency);
				Datum		values[12];
				bool		nulls[12] = {false};
				MemoryContext old = MemoryContextSwitchTo(row_ctx);

				values[0] = DateADTGetDatum(as_of);
				values[1] = PointerGetDatum(cstring_to_text(ledger_string(&l->customers, g->customer)));
				nulls[2] = currency == NULL;
				if (currency != NULL)
					values[2] = PointerGetDatum(cstring_to_text(currency));
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
