/*
 * open_items.c — o2c.open_items: what was open on each invoice as of a
 * date, from the invoices and the settlements applied to them.
 */
#include "postgres.h"

#include "core/o2c.h"
#include "ledger.h"

#include "fmgr.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/numeric.h"
#include "utils/tuplestore.h"

PG_FUNCTION_INFO_V1(o2c_open_items);

/* Settlements up to as_of count; later ones are read, checked and ignored. */
static void
settle_as_of(Ledger *l, uint32 i, DateADT on, int64 amount, int scale, void *arg)
{
	DateADT		as_of = *(DateADT *) arg;
	LedgerItem *it;

	if (on > as_of)
		return;
	it = ledger_item(l, i);
	ledger_settle(l, it, i, amount, scale);
	if (on > it->last_settled)
		it->last_settled = on;
}

/* Output order: customer_id, currency, due_date (NULL last), invoice_id. */
static int
item_cmp(const void *a, const void *b, void *arg)
{
	Ledger	   *l = arg;
	uint32		ia = *(const uint32 *) a,
				ib = *(const uint32 *) b;
	LedgerItem *x = ledger_item(l, ia);
	LedgerItem *y = ledger_item(l, ib);
	uint32		rx = l->groups[x->group].rank,
				ry = l->groups[y->group].rank;

	if (rx != ry)
		return rx < ry ? -1 : 1;
	if ((x->flags ^ y->flags) & ITEM_HAS_DUE)
		return (x->flags & ITEM_HAS_DUE) ? -1 : 1;
	if ((x->flags & ITEM_HAS_DUE) && x->due_date != y->due_date)
		return x->due_date < y->due_date ? -1 : 1;
	return strcmp(ledger_string(&l->ids, ia), ledger_string(&l->ids, ib));
}

static Datum
text_datum(const char *s)
{
	return PointerGetDatum(cstring_to_text(s));
}

Datum
o2c_open_items(PG_FUNCTION_ARGS)
{
	char	   *invoices_sql = text_to_cstring(PG_GETARG_TEXT_PP(0));
	char	   *settlements_sql = text_to_cstring(PG_GETARG_TEXT_PP(1));
	DateADT		as_of = PG_GETARG_DATEADT(2);
	Jsonb	   *options = PG_GETARG_JSONB_P(3);
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	LedgerOptions opt;
	Ledger	   *l;
	uint32	   *listed;
	uint32		n = 0;
	MemoryContext row_ctx;

	o2c_check_finite_date(as_of, "as_of date");
	ledger_parse_options(options, "open_items", &opt);
	InitMaterializedSRF(fcinfo, 0);

	l = ledger_create("open_items", &opt);
	ledger_read(l, invoices_sql, settlements_sql, settle_as_of, &as_of);
	ledger_rank_groups(l);

	listed = MemoryContextAllocHuge(l->ctx, (Size) Max(l->nitems, 1) * sizeof(uint32));
	for (uint32 i = 0; i < l->nitems; i++)
	{
		LedgerItem *it = ledger_item(l, i);

		if (it->invoice_date <= as_of && ledger_listed(&opt, ledger_open(l, it, i)))
			listed[n++] = i;
	}
	qsort_arg(listed, n, sizeof(uint32), item_cmp, l);

	row_ctx = AllocSetContextCreate(CurrentMemoryContext, "o2c open_items row",
									ALLOCSET_DEFAULT_SIZES);
	for (uint32 k = 0; k < n; k++)
	{
		uint32		i = listed[k];
		LedgerItem *it = ledger_item(l, i);
		LedgerGroup *g = &l->groups[it->group];
		const char *currency = ledger_string(&l->currencies, g->currency);
		Datum		values[9];
		bool		nulls[9] = {false};
		MemoryContext old = MemoryContextSwitchTo(row_ctx);

		values[0] = text_datum(ledger_string(&l->ids, i));
		values[1] = text_datum(ledger_string(&l->customers, g->customer));
		nulls[2] = currency == NULL;
		if (currency != NULL)
			values[2] = text_datum(currency);
		values[3] = DateADTGetDatum(it->invoice_date);
		nulls[4] = !(it->flags & ITEM_HAS_DUE);
		values[4] = DateADTGetDatum(it->due_date);
		values[5] = NumericGetDatum(o2c_int64_numeric(it->amount, it->scale));
		values[6] = NumericGetDatum(o2c_int64_numeric(it->settled, it->scale));
		values[7] = NumericGetDatum(o2c_int64_numeric(ledger_open(l, it, i), it->scale));
		nulls[8] = it->last_settled == DATEVAL_NOBEGIN;
		values[8] = DateADTGetDatum(it->last_settled);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		MemoryContextSwitchTo(old);
		MemoryContextReset(row_ctx);
	}
	MemoryContextDelete(row_ctx);
	MemoryContextDelete(l->ctx);
	return (Datum) 0;
}
