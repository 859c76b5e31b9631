/*
 * live_pending.c — o2c.ledger_pending_summary(ledger): the per-customer
 * summaries of the inserts a ledger has not folded in yet (the summary
 * column of its o2c.ledger_delta rows), merged into one row per customer
 * and currency. Each summary is in key order, so the merge is a k-way merge
 * of the chunks over a binary heap: no hash table, and the output comes in
 * key order too. o2c.live_aging adds it to o2c.ledger_aging as of the state
 * date; o2c.ledger_compact folds it in. And o2c.live_aging_source, which
 * tells live_aging whether there is anything pending, and
 * o2c.ledger_pending_balances, the pending balances merged for compaction.
 */
#include "postgres.h"

#include "live_delta.h"

#include "core/keymap.h"
#include "core/o2c.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "lib/binaryheap.h"
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

/* The amounts of an entry: five buckets, total, overdue, overdue_due_sum. */
#define PENDING_AMOUNTS 8

/* One chunk's summary, read entry by entry. */
typedef struct SummaryStream
{
	StringInfoData buf;
	int32		remaining;		/* entries after the current one */
	const char *cust;			/* the current entry's key */
	int			custlen;
	const char *cur;
	int			curlen;
} SummaryStream;

O2C_NORETURN_BEFORE static void corrupt(const SummaryStream *s) O2C_NORETURN_AFTER;

static void
corrupt(const SummaryStream *s)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
			 errmsg("invalid ledger delta summary at byte %d", s->buf.cursor)));
}

static bool
read_bytes(SummaryStream *s, const char **p, int *len)
{
	uint64		v;

	if (!get_varint(&s->buf, &v) || v > (uint64) (s->buf.len - s->buf.cursor))
		return false;
	*len = (int) v;
	*p = pq_getmsgbytes(&s->buf, *len);
	return true;
}

/* Moves to the next entry's key; false at the end. */
static bool
stream_next(SummaryStream *s)
{
	if (s->remaining == 0)
	{
		if (s->buf.cursor != s->buf.len)
			corrupt(s);
		return false;
	}
	s->remaining--;
	if (!read_bytes(s, &s->cust, &s->custlen) || !read_bytes(s, &s->cur, &s->curlen))
		corrupt(s);
	return true;
}

/* Key order, bytewise: customer, then currency (COLLATE "C"). */
static int
key_cmp(const SummaryStream *a, const SummaryStream *b)
{
	int			r = memcmp(a->cust, b->cust, Min(a->custlen, b->custlen));

	if (r == 0)
		r = (a->custlen > b->custlen) - (a->custlen < b->custlen);
	if (r == 0)
		r = memcmp(a->cur, b->cur, Min(a->curlen, b->curlen));
	if (r == 0)
		r = (a->curlen > b->curlen) - (a->curlen < b->curlen);
	return r;
}

/* binaryheap keeps the largest first: invert for the smallest key. */
static int
heap_cmp(Datum a, Datum b, void *arg)
{
	return -key_cmp((SummaryStream *) DatumGetPointer(a), (SummaryStream *) DatumGetPointer(b));
}

static Datum
sum_datum(const O2cSum *sum)
{
	int			dscale = Max(sum->dscale, 0);

	if (sum->spill == NULL)
		return NumericGetDatum(live_units_numeric(sum->fast, dscale));
	return NumericGetDatum(o2c_sum_numeric(sum, dscale));
}

Datum
o2c_ledger_pending_summary(PG_FUNCTION_ARGS)
{
	text	   *ledger = PG_GETARG_TEXT_PP(0);
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MemoryContext callcxt = CurrentMemoryContext;
	MemoryContext rowcxt;
	SummaryStream *streams;
	binaryheap *heap;
	int			nstreams = 0;
	DateADT		as_of = 0;
	Oid			types[1] = {TEXTOID};
	Datum		values[1] = {PointerGetDatum(ledger)};

	InitMaterializedSRF(fcinfo, 0);

	/* The pending summaries, copied out of SPI's memory. */
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute_with_args(psprintf("SELECT x.summary FROM %s.ledger_delta x "
									   "WHERE x.ledger OPERATOR(pg_catalog.=) $1 AND x.summary IS NOT NULL",
									   quote_identifier(get_namespace_name(get_func_namespace(fcinfo->flinfo->fn_oid)))),
							  1, types, values, NULL, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute_with_args failed: %s", "SELECT FROM ledger_delta");
	streams = MemoryContextAllocZero(callcxt, Max(SPI_processed, 1) * sizeof(SummaryStream));
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		bool		isnull;
		Datum		d = SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1, &isnull);
		MemoryContext old = MemoryContextSwitchTo(callcxt);
		bytea	   *b = PG_DETOAST_DATUM_COPY(d);
		SummaryStream *s = &streams[nstreams];
		DateADT		d_as_of;

		MemoryContextSwitchTo(old);
		s->buf.data = VARDATA(b);
		s->buf.len = VARSIZE(b) - VARHDRSZ;
		s->buf.maxlen = s->buf.len;
		s->buf.cursor = 0;
		if (s->buf.len < 12 || pq_getmsgint(&s->buf, 4) != SUMMARY_VERSION)
			corrupt(s);
		d_as_of = (DateADT) pq_getmsgint(&s->buf, 4);
		s->remaining = pq_getmsgint(&s->buf, 4);
		if (DATE_NOT_FINITE(d_as_of) || !IS_VALID_DATE(d_as_of) || s->remaining < 0 ||
			s->remaining > s->buf.len - s->buf.cursor)
			corrupt(s);
		if (nstreams > 0 && d_as_of != as_of)
			ereport(ERROR,
					(errcode(ERRCODE_DATA_CORRUPTED),
					 errmsg("ledger \"%s\" has pending summaries of two state dates",
							o2c_quote_cstr(text_to_cstring(ledger))),
					 errhint("Run o2c.ledger_rebuild to recompute the ledger.")));
		as_of = d_as_of;
		nstreams++;
	}
	SPI_finish();

	heap = binaryheap_allocate(Max(nstreams, 1), heap_cmp, NULL);
	for (int i = 0; i < nstreams; i++)
		if (stream_next(&streams[i]))
			binaryheap_add_unordered(heap, PointerGetDatum(&streams[i]));
	binaryheap_build(heap);

	rowcxt = AllocSetContextCreate(callcxt, "ledger_pending_summary row", ALLOCSET_SMALL_SIZES);
	while (!binaryheap_empty(heap))
	{
		SummaryStream *top = (SummaryStream *) DatumGetPointer(binaryheap_first(heap));
		SummaryStream key = *top;
		O2cSum		sums[PENDING_AMOUNTS];
		int64		items = 0;
		Datum		out[12];
		bool		nulls[12] = {false};
		MemoryContext old = MemoryContextSwitchTo(rowcxt);

		for (int k = 0; k < PENDING_AMOUNTS; k++)
			o2c_sum_init(&sums[k]);
		/* Every chunk with this key adds its entry, then moves on. */
		while (!binaryheap_empty(heap))
		{
			SummaryStream *s = (SummaryStream *) DatumGetPointer(binaryheap_first(heap));
			uint64		v;
			int			low2;

			if (key_cmp(s, &key) != 0)
				break;
			if (!get_varint(&s->buf, &v))
				corrupt(s);
			items += unzigzag(v);
			for (int k = 0; k < PENDING_AMOUNTS; k++)
			{
				int128		units;
				int			dscale;
				Numeric		num;

				if (!live_get_amount_units(&s->buf, &low2, &units, &dscale, &num) || low2 != 0)
					corrupt(s);
				if (num != NULL)
					o2c_sum_add_numeric(&sums[k], num, rowcxt);
				else
					o2c_sum_add_units(&sums[k], units, dscale, rowcxt);
			}
			/* The key's bytes stay valid: they point into the chunk's copy. */
			if (stream_next(s))
				binaryheap_replace_first(heap, PointerGetDatum(s));
			else
				(void) binaryheap_remove_first(heap);
		}
		out[0] = DateADTGetDatum(as_of);
		out[1] = PointerGetDatum(cstring_to_text_with_len(key.cust, key.custlen));
		out[2] = PointerGetDatum(cstring_to_text_with_len(key.cur, key.curlen));
		for (int k = 0; k < 7; k++)
			out[3 + k] = sum_datum(&sums[k]);
		out[10] = Int64GetDatum(items);
		out[11] = sum_datum(&sums[7]);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, out, nulls);
		MemoryContextSwitchTo(old);
		MemoryContextReset(rowcxt);
		CHECK_FOR_INTERRUPTS();
	}
	return (Datum) 0;
}

/*
 * o2c.live_aging_source(ledger, as_of): which of live_aging's ways answers
 * a date: 1, the summary alone (as of the state date, nothing pending); 2,
 * the summary and the pending summaries; 3, the balances (any other date).
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
									   "WHERE x.ledger OPERATOR(pg_catalog.=) $1 AND x.summary IS NOT NULL) "
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

static void
delta_corrupt(int at)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
			 errmsg("invalid ledger delta data at byte %d", at)));
}

/*
 * o2c.ledger_pending_balances(ledger): the balance changes of a ledger's
 * pending inserts (the data column of its o2c.ledger_delta rows), summed per
 * customer, currency and due date, in that order: what ledger_compact
 * upserts into o2c.ledger_balance, merged here in C rather than by a
 * numeric aggregate and a sort in SQL.
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
	int32		cap = 1024,
				n;
	int32	   *order;
	Oid			types[1] = {TEXTOID};
	Datum		values[1] = {PointerGetDatum(ledger)};
	StringInfoData key;

	InitMaterializedSRF(fcinfo, 0);
	keys = o2c_keymap_create(1024);
	entries = palloc(cap * sizeof(PendingBalance));
	initStringInfo(&key);
	chunkcxt = AllocSetContextCreate(callcxt, "ledger_pending_balances chunk", ALLOCSET_DEFAULT_SIZES);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute_with_args(psprintf("SELECT x.data FROM %s.ledger_delta x WHERE x.ledger OPERATOR(pg_catalog.=) $1",
									   quote_identifier(get_namespace_name(get_func_namespace(fcinfo->flinfo->fn_oid)))),
							  1, types, values, NULL, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute_with_args failed: %s", "SELECT FROM ledger_delta");
	for (uint64 c = 0; c < SPI_processed; c++)
	{
		bool		isnull;
		Datum		d = SPI_getbinval(SPI_tuptable->vals[c], SPI_tuptable->tupdesc, 1, &isnull);
		MemoryContext old = MemoryContextSwitchTo(chunkcxt);
		bytea	   *data = PG_DETOAST_DATUM(d);
		StringInfoData buf;
		int32		rows_end,
					ndict;
		DateADT		base;
		int32	   *dict_off;	/* per entry: its key's offset in dict_keys */
		StringInfoData dict_keys;

		buf.data = VARDATA_ANY(data);
		buf.len = VARSIZE_ANY_EXHDR(data);
		buf.maxlen = buf.len;
		buf.cursor = 0;
		if (buf.len < 16 || pq_getmsgint(&buf, 4) != DELTA_VERSION)
			delta_corrupt(buf.cursor);
		rows_end = pq_getmsgint(&buf, 4);
		base = (DateADT) pq_getmsgint(&buf, 4);
		if (rows_end < 12 || rows_end > buf.len - 4 || DATE_NOT_FINITE(base))
			delta_corrupt(buf.cursor);

		/* The dictionary: each entry's key prefix, customer '\0' currency '\0'. */
		buf.cursor = rows_end;
		ndict = pq_getmsgint(&buf, 4);
		if (ndict < 0 || ndict > (buf.len - buf.cursor) / 8)
			delta_corrupt(buf.cursor);
		dict_off = palloc((ndict + 1) * sizeof(int32));
		initStringInfo(&dict_keys);
		for (int i = 0; i < ndict; i++)
		{
			dict_off[i] = dict_keys.len;
			for (int part = 0; part < 2; part++)
			{
				int			len;

				if (buf.len - buf.cursor < 4)
					delta_corrupt(buf.cursor);
				len = pq_getmsgint(&buf, 4);
				if (len < 0 || len > buf.len - buf.cursor)
					delta_corrupt(buf.cursor);
				appendBinaryStringInfo(&dict_keys, pq_getmsgbytes(&buf, len), len);
				appendStringInfoChar(&dict_keys, '\0');
			}
		}
		dict_off[ndict] = dict_keys.len;
		if (buf.cursor != buf.len)
			delta_corrupt(buf.cursor);

		buf.cursor = 12;
		buf.len = rows_end;
		while (buf.cursor < buf.len)
		{
			uint64		v;
			int64		due;
			uint32		sortable;
			int			low2,
						dscale,
						plen;
			int128		units;
			Numeric		num;
			int32		idx;
			bool		added;

			if (!get_varint(&buf, &v) || v >= (uint64) ndict)
				delta_corrupt(buf.cursor);
			plen = dict_off[v + 1] - dict_off[v];
			resetStringInfo(&key);
			appendBinaryStringInfo(&key, dict_keys.data + dict_off[v], plen);
			if (!get_varint(&buf, &v))
				delta_corrupt(buf.cursor);
			due = unzigzag(v);
			if (due < PG_INT32_MIN || due > PG_INT32_MAX)
				delta_corrupt(buf.cursor);
			due += base;
			if (due < PG_INT32_MIN || due > PG_INT32_MAX || DATE_NOT_FINITE((DateADT) due) ||
				!IS_VALID_DATE((DateADT) due))
				delta_corrupt(buf.cursor);
			/* Big-endian with the sign bit flipped: bytewise order is date order. */
			sortable = pg_hton32((uint32) (int32) due ^ 0x80000000u);
			appendBinaryStringInfo(&key, (char *) &sortable, 4);
			if (!live_get_amount_units(&buf, &low2, &units, &dscale, &num) || low2 > 2)
				delta_corrupt(buf.cursor);

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
			if (num != NULL)
				o2c_sum_add_numeric(&entries[idx].open, num, callcxt);
			else
				o2c_sum_add_units(&entries[idx].open, units, dscale, callcxt);
			entries[idx].items += low2 - 1;
			MemoryContextSwitchTo(chunkcxt);
			CHECK_FOR_INTERRUPTS();
		}
		MemoryContextSwitchTo(old);
		MemoryContextReset(chunkcxt);
	}
	SPI_finish();

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
		out[3] = sum_datum(&e->open);
		out[4] = Int64GetDatum(e->items);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, out, nulls);
		CHECK_FOR_INTERRUPTS();
	}
	return (Datum) 0;
}
