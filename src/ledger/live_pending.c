/*
 * live_pending.c — the inserts a ledger has not folded in yet (the chunks
 * of its o2c.ledger_delta rows), read in C: o2c.ledger_pending_summary
 * sums them per customer and currency into the buckets as of the state date
 * (o2c.live_aging adds them to o2c.ledger_aging; o2c.ledger_compact folds
 * them in), o2c.ledger_pending_balances per customer, currency and due date
 * (for compaction), both in key order. And o2c.live_aging_source, which
 * tells live_aging whether there is anything pending.
 */
#include "postgres.h"

#include "live_delta.h"
#include "live_sums.h"

#include "core/keymap.h"
#include "core/o2c.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "libpq/pqformat.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "mb/pg_wchar.h"
#include "utils/lsyscache.h"
#include "utils/tuplestore.h"

PG_FUNCTION_INFO_V1(o2c_ledger_pending_summary);
PG_FUNCTION_INFO_V1(o2c_live_aging_source);
PG_FUNCTION_INFO_V1(o2c_ledger_pending_balances);

/* Keys or rows per batch whose lines are prefetched. */
#define SUMS_BATCH 16

/*
 * o2c.ledger_pending_summary(ledger [, chunks]): the inserts a ledger has not
 * folded in yet (the rows of its o2c.ledger_delta chunks, or of those
 * listed: what ledger_compact read and will delete), summed per customer and
 * currency into the buckets as of the ledger's state date, in key order.
 * o2c.live_aging adds them to o2c.ledger_aging; o2c.ledger_compact folds
 * them in. A chunk's dictionary maps to the sums' keys once, so each row
 * costs no lookup.
 */
Datum
o2c_ledger_pending_summary(PG_FUNCTION_ARGS)
{
	text	   *ledger = PG_GETARG_TEXT_PP(0);
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MemoryContext callcxt = CurrentMemoryContext;
	MemoryContext chunkcxt;
	DeltaReader r;
	int32	   *entry_of = NULL;	/* per dictionary entry of the chunk: its sums */
	int32		entry_cap = 0;
	LiveSums	sums;
	int32		n,
				m = 0;
	int32	   *order;
	Oid			types[1] = {TEXTOID};
	Datum		values[1] = {PointerGetDatum(ledger)};
	StringInfoData key;
	DateADT		as_of;
	bool		isnull;

	InitMaterializedSRF(fcinfo, 0);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute_with_args(psprintf("SELECT s.as_of FROM %s.ledger_state s WHERE s.ledger OPERATOR(pg_catalog.=) $1",
									   quote_identifier(get_namespace_name(get_func_namespace(fcinfo->flinfo->fn_oid)))),
							  1, types, values, NULL, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute_with_args failed: %s", "SELECT FROM ledger_state");
	/* An unknown ledger has nothing pending. */
	if (SPI_processed == 0)
	{
		SPI_finish();
		return (Datum) 0;
	}
	as_of = DatumGetDateADT(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	live_sums_init(&sums, as_of, callcxt);
	initStringInfo(&key);
	chunkcxt = AllocSetContextCreate(callcxt, "ledger_pending_summary row", ALLOCSET_DEFAULT_SIZES);
	delta_reader_init(&r, callcxt);
	delta_select_parts(fcinfo->flinfo->fn_oid, ledger, PG_NARGS() > 1 ? PG_GETARG_ARRAYTYPE_P(1) : NULL);
	for (uint64 p = 0; p < SPI_processed; p++)
	{
		MemoryContext old = MemoryContextSwitchTo(callcxt);

		delta_reader_selected(&r, p);
		entry_of = delta_entry_array(entry_of, &entry_cap, r.ndict, sizeof(int32));
		MemoryContextSwitchTo(chunkcxt);

		/*
		 * The keys this part adds to its chunk's dictionary entered first,
		 * and the rows then added, each in batches whose lines are
		 * prefetched ahead: with many customers every key and every
		 * customer's sums would otherwise be a wait on memory. A key no row
		 * uses gets an entry without items, which is left out below.
		 */
		for (int32 first = r.new_from; first < r.ndict; first += SUMS_BATCH)
		{
			int32		nkeys = Min(SUMS_BATCH, r.ndict - first);
			uint32		hash[SUMS_BATCH];

			resetStringInfo(&key);
			for (int32 i = 0; i < nkeys; i++)
			{
				int32		e = first + i;

				appendBinaryStringInfo(&key, r.cust[e], r.custlen[e]);
				appendStringInfoChar(&key, '\0');
				appendBinaryStringInfo(&key, r.cur[e], r.curlen[e]);
				hash[i] = o2c_keymap_hash(key.data + key.len - (r.custlen[e] + 1 + r.curlen[e]),
										  r.custlen[e] + 1 + r.curlen[e]);
				o2c_keymap_prefetch(sums.keys, hash[i]);
			}
			for (int32 i = 0, off = 0; i < nkeys; i++)
			{
				int32		e = first + i;
				int32		len = r.custlen[e] + 1 + r.curlen[e];

				entry_of[e] = live_sums_enter(&sums, key.data + off, len, hash[i]);
				off += len;
			}
			CHECK_FOR_INTERRUPTS();
		}
		for (;;)
		{
			DeltaRow	rows[SUMS_BATCH];
			int			nrows = 0;

			while (nrows < SUMS_BATCH && delta_reader_next(&r, &rows[nrows]))
				live_sums_prefetch(&sums, entry_of[rows[nrows++].entry]);
			if (nrows == 0)
				break;
			for (int i = 0; i < nrows; i++)
				live_sums_add(&sums, entry_of[rows[i].entry], rows[i].due, rows[i].units, rows[i].dscale,
							  rows[i].num, rows[i].items);
			CHECK_FOR_INTERRUPTS();
		}
		MemoryContextSwitchTo(old);
		MemoryContextReset(chunkcxt);
	}
	SPI_finish();
	MemoryContextDelete(r.cxt);

	/* Customers with an open item (or none, only zero amounts: left out), in key order. */
	n = o2c_keymap_count(sums.keys);
	order = palloc(Max(n, 1) * sizeof(int32));
	for (int32 i = 0; i < n; i++)
		if (live_sums_items(&sums, i) != 0)
			order[m++] = i;
	o2c_keymap_sort(sums.keys, order, m);
	for (int32 i = 0; i < m; i++)
	{
		size_t		len;
		const char *k = o2c_keymap_key(sums.keys, order[i], &len);
		size_t		custlen = strlen(k);
		Datum		out[12];
		bool		nulls[12] = {false};
		Datum		v[LIVE_SUM_VALUES];
		int64		items;
		MemoryContext old = MemoryContextSwitchTo(chunkcxt);

		live_sums_values(&sums, order[i], v, &items);
		out[0] = DateADTGetDatum(as_of);
		out[1] = PointerGetDatum(cstring_to_text_with_len(k, (int) custlen));
		out[2] = PointerGetDatum(cstring_to_text_with_len(k + custlen + 1, (int) (len - custlen - 1)));
		for (int j = 0; j < 7; j++)
			out[3 + j] = v[j];
		out[10] = Int64GetDatum(items);
		out[11] = v[7];
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, out, nulls);
		MemoryContextSwitchTo(old);
		MemoryContextReset(chunkcxt);
		CHECK_FOR_INTERRUPTS();
	}
	return (Datum) 0;
}

/*
 * o2c.live_aging_source(ledger, as_of): which of live_aging's ways answers
 * a date: 1, the summary alone (as of the state date, nothing pending); 2,
 * the summary and the pending inserts; 3, the balances (any other date).
 * It raises live_aging's errors, so live_aging itself stays one SQL query
 * the planner can inline.
 */
Datum
o2c_live_aging_source(PG_FUNCTION_ARGS)
{
	text	   *ledger;
	DateADT		as_of;
	DateADT		state;
	bool		pending;
	bool		isnull;
	Oid			types[1] = {TEXTOID};
	Datum		values[1];
	const char *sch = quote_identifier(get_namespace_name(get_func_namespace(fcinfo->flinfo->fn_oid)));

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("as_of and ledger must not be null")));
	ledger = PG_GETARG_TEXT_PP(0);
	as_of = PG_GETARG_DATEADT(1);
	if (DATE_NOT_FINITE(as_of))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("as_of date must be finite: \"%s\"",
						DatumGetCString(DirectFunctionCall1(date_out, DateADTGetDatum(as_of))))));
	values[0] = PointerGetDatum(ledger);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute_with_args(psprintf("SELECT s.as_of, EXISTS (SELECT FROM %s.ledger_delta x "
									   "WHERE x.ledger OPERATOR(pg_catalog.=) $1) "
									   "FROM %s.ledger_state s WHERE s.ledger OPERATOR(pg_catalog.=) $1",
									   sch, sch),
							  1, types, values, NULL, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute_with_args failed: %s", "SELECT FROM ledger_state");
	if (SPI_processed == 0)
	{
		char	   *name = text_to_cstring(ledger);

		ereport(ERROR,
				(errcode(ERRCODE_NO_DATA_FOUND),
				 errmsg("unknown ledger: \"%s\"", pnstrdup(name, pg_mbcliplen(name, strlen(name), 64))),
				 errhint("A ledger is created by the first write to a table with an o2c.ledger_track trigger, or by o2c.ledger_rebuild.")));
	}
	state = DatumGetDateADT(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	pending = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull));
	SPI_finish();
	PG_RETURN_INT32(state != as_of ? 3 : pending ? 2 : 1);
}

/* A pending balance: the open amount and items of one key. */
typedef struct PendingBalance
{
	O2cSum		open;
	int64		items;
} PendingBalance;

/*
 * o2c.ledger_pending_balances(ledger [, chunks]): the balance changes of a
 * ledger's pending inserts (the data column of its o2c.ledger_delta rows, of
 * the chunks listed when given), summed per customer, currency and due
 * date, in that order: what ledger_compact upserts into o2c.ledger_balance,
 * merged here in C rather than by a numeric aggregate and a sort in SQL.
 */
Datum
o2c_ledger_pending_balances(PG_FUNCTION_ARGS)
{
	text	   *ledger = PG_GETARG_TEXT_PP(0);
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MemoryContext callcxt = CurrentMemoryContext;
	MemoryContext chunkcxt;
	O2cKeyMap  *keys;
	PendingBalance *entries;
	DeltaReader r;
	int32		cap = 1024,
				n;
	int32	   *order;
	StringInfoData key;

	InitMaterializedSRF(fcinfo, 0);
	keys = o2c_keymap_create(1024);
	entries = palloc(cap * sizeof(PendingBalance));
	initStringInfo(&key);
	chunkcxt = AllocSetContextCreate(callcxt, "ledger_pending_balances chunk", ALLOCSET_DEFAULT_SIZES);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	delta_reader_init(&r, callcxt);
	delta_select_parts(fcinfo->flinfo->fn_oid, ledger, PG_NARGS() > 1 ? PG_GETARG_ARRAYTYPE_P(1) : NULL);
	for (uint64 p = 0; p < SPI_processed; p++)
	{
		MemoryContext old = MemoryContextSwitchTo(chunkcxt);
		DeltaRow	row;

		delta_reader_selected(&r, p);
		while (delta_reader_next(&r, &row))
		{
			/* Key customer '\0' currency '\0' due date. */
			uint32		sortable = pg_hton32((uint32) row.due ^ 0x80000000u);
			int32		idx;
			bool		added;

			/* Big-endian with the sign bit flipped: bytewise order is date order. */
			resetStringInfo(&key);
			appendBinaryStringInfo(&key, r.cust[row.entry], r.custlen[row.entry]);
			appendStringInfoChar(&key, '\0');
			appendBinaryStringInfo(&key, r.cur[row.entry], r.curlen[row.entry]);
			appendStringInfoChar(&key, '\0');
			appendBinaryStringInfo(&key, (char *) &sortable, 4);

			MemoryContextSwitchTo(callcxt);
			idx = o2c_keymap_enter(keys, key.data, key.len, &added);
			if (idx < 0)
				ereport(ERROR,
						(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
						 errmsg("ledger_pending_balances takes at most %d balances", O2C_KEYMAP_MAX_KEYS),
						 errhint("Run o2c.ledger_compact more often.")));
			if (added)
			{
				if (idx == cap)
				{
					cap *= 2;
					entries = repalloc_huge(entries, (Size) cap * sizeof(PendingBalance));
				}
				o2c_sum_init(&entries[idx].open);
				entries[idx].items = 0;
			}
			if (row.num != NULL)
				o2c_sum_add_numeric(&entries[idx].open, row.num, callcxt);
			else
				o2c_sum_add_units(&entries[idx].open, row.units, row.dscale, callcxt);
			entries[idx].items += row.items;
			MemoryContextSwitchTo(chunkcxt);
			CHECK_FOR_INTERRUPTS();
		}
		MemoryContextSwitchTo(old);
		MemoryContextReset(chunkcxt);
	}
	SPI_finish();
	MemoryContextDelete(r.cxt);

	n = o2c_keymap_count(keys);
	order = palloc(Max(n, 1) * sizeof(int32));
	for (int32 i = 0; i < n; i++)
		order[i] = i;
	o2c_keymap_sort(keys, order, n);
	for (int32 i = 0; i < n; i++)
	{
		size_t		len;
		const char *k = o2c_keymap_key(keys, order[i], &len);
		size_t		custlen = strlen(k);
		size_t		curlen = strlen(k + custlen + 1);
		uint32		sortable;
		Datum		out[5];
		bool		nulls[5] = {false};
		PendingBalance *e = &entries[order[i]];

		memcpy(&sortable, k + custlen + curlen + 2, 4);
		out[0] = PointerGetDatum(cstring_to_text_with_len(k, (int) custlen));
		out[1] = PointerGetDatum(cstring_to_text_with_len(k + custlen + 1, (int) curlen));
		out[2] = DateADTGetDatum((DateADT) (int32) (pg_ntoh32(sortable) ^ 0x80000000u));
		out[3] = NumericGetDatum(live_sum_numeric(&e->open, 0));
		out[4] = Int64GetDatum(e->items);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, out, nulls);
		CHECK_FOR_INTERRUPTS();
	}
	return (Datum) 0;
}
