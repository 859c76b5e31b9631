/*
 * live_delta.c — the amounts of o2c.ledger_delta's compact form
 * (live_delta.h), its reader of a ledger's parts (DeltaReader), and
 * o2c.ledger_delta_rows.
 */
#include "postgres.h"

#include "ledger.h"
#include "live_delta.h"

#include "core/o2c.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "libpq/pqformat.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/tuplestore.h"

PG_FUNCTION_INFO_V1(o2c_ledger_delta_rows);

/*
 * A sum as a numeric of display scale dscale (at least its own), without
 * going through text when it fits: units are in 10^-8, and every value added
 * had at most dscale decimals, so the division below is exact.
 */
Numeric
live_units_numeric(int128 units, int dscale)
{
	int128		q;

	if (dscale >= 0 && dscale <= O2C_SUM_SCALE)
	{
		q = units / ledger_pow10[O2C_SUM_SCALE - dscale];
		if (q * ledger_pow10[O2C_SUM_SCALE - dscale] == units && q >= PG_INT64_MIN && q <= PG_INT64_MAX)
			return o2c_int64_numeric((int64) q, dscale);
	}
	return o2c_units_numeric(units, dscale);
}

Numeric
live_sum_numeric(const O2cSum *sum, int dscale)
{
	dscale = Max(dscale, Max(sum->dscale, 0));
	if (sum->spill == NULL)
		return live_units_numeric(sum->fast, dscale);
	return o2c_sum_numeric(sum, dscale);
}

void
live_put_amount(StringInfo buf, int low2, int128 units, int dscale, Numeric num, int part_dscale)
{
	int128		scaled = 0;
	int			kind = 2;

	if (num == NULL && dscale >= 0 && dscale <= O2C_SUM_SCALE)
	{
		int64		p = ledger_pow10[O2C_SUM_SCALE - dscale];

		/* 64-bit division when it fits: the usual amount, once per row. */
		if (units >= PG_INT64_MIN && units <= PG_INT64_MAX)
		{
			int64		q = (int64) units / p;

			scaled = q;
			kind = q * p == (int64) units ? 0 : 1;
		}
		else
		{
			scaled = units / p;
			kind = (scaled * p == units && scaled >= PG_INT64_MIN && scaled <= PG_INT64_MAX) ? 0 : 1;
		}
	}
	/* The usual amount: its scale the part's, and no byte of flags. */
	if (kind == 0 && dscale == part_dscale && zigzag((int64) scaled) < (UINT64CONST(1) << 62))
	{
		put_varint(buf, (zigzag((int64) scaled) << 2) | (uint64) low2);
		return;
	}
	put_varint(buf, 3);
	if (num == NULL && kind == 2)
	{
		/* More decimals than the units hold, all zeros: kept as written. */
		num = o2c_units_numeric(units, Max(dscale, 0));
		if (dscale > O2C_SUM_SCALE)
			num = DatumGetNumeric(DirectFunctionCall2(numeric_round, NumericGetDatum(num), Int32GetDatum(dscale)));
	}
	if (buf->len + 1 >= buf->maxlen)
		enlargeStringInfo(buf, 1);
	buf->data[buf->len++] = (char) (low2 | (kind << 2) | ((kind == 2 ? 0 : dscale) << 4));
	if (kind == 0)
		put_varint(buf, zigzag((int64) scaled));
	else if (kind == 1)
	{
		pq_sendint64(buf, (int64) (units >> 64));
		pq_sendint64(buf, (int64) (uint64) units);
	}
	else
	{
		char	   *t = o2c_num_text(num);
		int			n = strlen(t);

		put_varint(buf, (uint64) n);
		pq_sendbytes(buf, t, n);
	}
}

bool
live_get_amount_units(StringInfo buf, int part_dscale, int *low2, int128 *units, int *dscale, Numeric *num)
{
	int			flags,
				kind;
	uint64		v;

	*num = NULL;
	if (!get_varint(buf, &v))
		return false;
	if ((v & 3) != 3)
	{
		/* In the part's scale (v >> 2 is below 2^62: the units fit). */
		if (part_dscale < 0)
			return false;
		*low2 = (int) (v & 3);
		*dscale = part_dscale;
		*units = (int128) unzigzag(v >> 2) * ledger_pow10[O2C_SUM_SCALE - part_dscale];
		return true;
	}
	if (v != 3 || buf->cursor >= buf->len)
		return false;
	flags = (unsigned char) buf->data[buf->cursor++];
	*low2 = flags & 3;
	kind = (flags >> 2) & 3;
	*dscale = flags >> 4;
	if (*dscale > O2C_SUM_SCALE)
		return false;
	if (kind == 0)
	{
		if (!get_varint(buf, &v))
			return false;
		*units = (int128) unzigzag(v) * ledger_pow10[O2C_SUM_SCALE - *dscale];
	}
	else if (kind == 1)
	{
		int64		hi;
		uint64		lo;

		if (buf->len - buf->cursor < 16)
			return false;
		hi = pq_getmsgint64(buf);
		lo = (uint64) pq_getmsgint64(buf);
		*units = (int128) (((uint128) (uint64) hi << 64) | lo);
	}
	else if (kind == 2)
	{
		char	   *t;
		int			n;

		if (!get_varint(buf, &v) || v > (uint64) (buf->len - buf->cursor))
			return false;
		n = (int) v;
		t = pnstrdup(pq_getmsgbytes(buf, n), n);
		*num = DatumGetNumeric(DirectFunctionCall3(numeric_in, CStringGetDatum(t),
												   ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1)));
		if (numeric_is_nan(*num) || numeric_is_inf(*num))
			return false;
		*dscale = -1;
	}
	else
		return false;
	return true;
}

O2C_NORETURN_BEFORE static void delta_corrupt(const DeltaReader *r) O2C_NORETURN_AFTER;

static void
delta_corrupt(const DeltaReader *r)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
			 errmsg("invalid ledger delta data at byte %d of chunk %lld part %d",
					r->buf.cursor, (long long) r->chunk, r->part)));
}

/* n bytes of the dictionary, or an error when fewer are left. */
static const char *
dict_bytes(DeltaReader *r, uint64 n)
{
	const char *p;

	if (n > (uint64) (r->buf.len - r->buf.cursor))
		delta_corrupt(r);
	p = r->buf.data + r->buf.cursor;
	r->buf.cursor += (int) n;
	return p;
}

void
delta_reader_init(DeltaReader *r, MemoryContext parent)
{
	memset(r, 0, sizeof(*r));
	r->chunk = -1;
	r->part = -1;
	r->cxt = AllocSetContextCreate(parent, "ledger delta chunk", ALLOCSET_DEFAULT_SIZES);
}

void
delta_reader_part(DeltaReader *r, int64 chunk, int32 part, Datum data)
{
	MemoryContext old;
	bytea	   *raw;
	int32		rows_end,
				first,
				nnew;
	uint32		version;

	if (chunk != r->chunk)
	{
		/* A new chunk: its first part, and a dictionary of its own. */
		MemoryContextReset(r->cxt);
		r->ndict = 0;
		r->dictcap = 0;
		r->chunk = chunk;
		r->part = part;
		r->buf.cursor = 0;
		if (part != 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
					 errmsg("ledger delta chunk %lld starts at part %d", (long long) chunk, part),
					 errdetail("Its earlier parts are missing from o2c.ledger_delta.")));
	}
	else
	{
		if (part != r->part + 1)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
					 errmsg("ledger delta chunk %lld has part %d after part %d", (long long) chunk, part, r->part),
					 errdetail("A part is missing from o2c.ledger_delta.")));
		r->part = part;
	}

	/* The part stays in memory with its chunk: the dictionary points into it. */
	old = MemoryContextSwitchTo(r->cxt);
	raw = DatumGetByteaPP(data);
	r->buf.data = VARDATA_ANY(raw);
	r->buf.len = VARSIZE_ANY_EXHDR(raw);
	r->buf.maxlen = r->buf.len;
	r->buf.cursor = 0;
	if (r->buf.len < DELTA_HEADER + 4)
		delta_corrupt(r);
	version = pq_getmsgint(&r->buf, 4);
	if (version != DELTA_VERSION)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("ledger delta chunk %lld part %d is in format %u; this o2c reads format %d",
						(long long) chunk, part, version, DELTA_VERSION),
				 errhint("o2c.ledger_rebuild recomputes the ledger from its tracked tables and drops its pending chunks.")));
	rows_end = pq_getmsgint(&r->buf, 4);
	r->base = (DateADT) pq_getmsgint(&r->buf, 4);
	first = pq_getmsgint(&r->buf, 4);
	r->dscale = pq_getmsgint(&r->buf, 4);
	if (rows_end < DELTA_HEADER || rows_end > r->buf.len - 4 || DATE_NOT_FINITE(r->base) ||
		!IS_VALID_DATE(r->base) || first != r->ndict || r->dscale < -1 || r->dscale > O2C_SUM_SCALE)
		delta_corrupt(r);

	/* The dictionary first: each entry takes at least three bytes. */
	r->buf.cursor = rows_end;
	nnew = pq_getmsgint(&r->buf, 4);
	if (nnew < 0 || nnew > (r->buf.len - r->buf.cursor) / 3 || nnew > PG_INT32_MAX - r->ndict)
		delta_corrupt(r);
	if (r->ndict + nnew > r->dictcap)
	{
		int32		cap = Max(Max(r->dictcap * 2, r->ndict + nnew), 64);

		if (r->dictcap == 0)
		{
			r->cust = palloc_extended(cap * sizeof(char *), MCXT_ALLOC_HUGE);
			r->custlen = palloc_extended(cap * sizeof(int32), MCXT_ALLOC_HUGE);
			r->cur = palloc_extended(cap * sizeof(char *), MCXT_ALLOC_HUGE);
			r->curlen = palloc_extended(cap * sizeof(int32), MCXT_ALLOC_HUGE);
		}
		else
		{
			r->cust = repalloc_huge(r->cust, cap * sizeof(char *));
			r->custlen = repalloc_huge(r->custlen, cap * sizeof(int32));
			r->cur = repalloc_huge(r->cur, cap * sizeof(char *));
			r->curlen = repalloc_huge(r->curlen, cap * sizeof(int32));
		}
		r->dictcap = cap;
	}
	r->new_from = r->ndict;
	for (int32 i = r->ndict; i < r->ndict + nnew; i++)
	{
		uint64		shared,
					n;
		const char *rest;

		/* The customer: a prefix of the previous entry's, and the rest. */
		if (!get_varint(&r->buf, &shared) || !get_varint(&r->buf, &n) ||
			shared > (uint64) (i > 0 ? r->custlen[i - 1] : 0))
			delta_corrupt(r);
		rest = dict_bytes(r, n);
		if (shared == 0)
			r->cust[i] = rest;
		else
		{
			char	   *k;

			if (shared + n > MaxAllocSize)
				delta_corrupt(r);
			k = palloc(shared + n);
			memcpy(k, r->cust[i - 1], shared);
			memcpy(k + shared, rest, n);
			r->cust[i] = k;
		}
		r->custlen[i] = (int32) (shared + n);

		/* The currency: the previous entry's (0), or its length + 1 and bytes. */
		if (!get_varint(&r->buf, &n) || (n == 0 && i == 0))
			delta_corrupt(r);
		if (n == 0)
		{
			r->cur[i] = r->cur[i - 1];
			r->curlen[i] = r->curlen[i - 1];
		}
		else
		{
			r->cur[i] = dict_bytes(r, n - 1);
			r->curlen[i] = (int32) (n - 1);
		}
	}
	MemoryContextSwitchTo(old);
	if (r->buf.cursor != r->buf.len)
		delta_corrupt(r);
	r->ndict += nnew;
	r->buf.cursor = DELTA_HEADER;
	r->buf.len = rows_end;
}

bool
delta_reader_next(DeltaReader *r, DeltaRow *row)
{
	uint64		v;
	int64		due;
	int			low2;

	if (r->buf.cursor >= r->buf.len)
		return false;
	if (!get_varint(&r->buf, &v) || v >= (uint64) r->ndict)
		delta_corrupt(r);
	row->entry = (int32) v;
	if (!get_varint(&r->buf, &v))
		delta_corrupt(r);
	due = unzigzag(v);
	if (due < PG_INT32_MIN || due > PG_INT32_MAX)
		delta_corrupt(r);
	due += r->base;
	if (due < PG_INT32_MIN || due > PG_INT32_MAX || DATE_NOT_FINITE((DateADT) due) || !IS_VALID_DATE((DateADT) due))
		delta_corrupt(r);
	row->due = (DateADT) due;
	if (!live_get_amount_units(&r->buf, r->dscale, &low2, &row->units, &row->dscale, &row->num) || low2 > 2)
		delta_corrupt(r);
	row->items = low2 - 1;
	return true;
}

void
delta_select_parts(Oid fn_oid, text *ledger, ArrayType *chunks)
{
	Oid			types[2] = {TEXTOID, INT8ARRAYOID};
	Datum		values[2] = {PointerGetDatum(ledger), PointerGetDatum(chunks)};
	const char *sch = quote_identifier(get_namespace_name(get_func_namespace(fn_oid)));

	if (SPI_execute_with_args(psprintf("SELECT x.chunk, x.part, x.data FROM %s.ledger_delta x "
									   "WHERE x.ledger OPERATOR(pg_catalog.=) $1%s ORDER BY x.chunk, x.part", sch,
									   chunks != NULL ? " AND x.chunk OPERATOR(pg_catalog.=) ANY ($2)" : ""),
							  chunks != NULL ? 2 : 1, types, values, NULL, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute_with_args failed: %s", "SELECT FROM ledger_delta");
}

void *
delta_entry_array(void *array, int32 *cap, int32 need, Size elem)
{
	if (need <= *cap)
		return array;
	*cap = Max(need, *cap * 2);
	if (array == NULL)
		return palloc_extended((Size) *cap * elem, MCXT_ALLOC_HUGE);
	return repalloc_huge(array, (Size) *cap * elem);
}

void
delta_reader_selected(DeltaReader *r, uint64 i)
{
	HeapTuple	tup = SPI_tuptable->vals[i];
	TupleDesc	desc = SPI_tuptable->tupdesc;
	bool		isnull;
	int64		chunk = DatumGetInt64(SPI_getbinval(tup, desc, 1, &isnull));
	int32		part = DatumGetInt32(SPI_getbinval(tup, desc, 2, &isnull));

	delta_reader_part(r, chunk, part, SPI_getbinval(tup, desc, 3, &isnull));
}

/*
 * o2c.ledger_delta_rows(ledger): the balance deltas of a ledger's pending
 * inserts (the parts of its o2c.ledger_delta chunks), one row per invoice:
 * (customer_id, currency, due_date, open_amount, items).
 */
Datum
o2c_ledger_delta_rows(PG_FUNCTION_ARGS)
{
	text	   *ledger = PG_GETARG_TEXT_PP(0);
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MemoryContext callcxt = CurrentMemoryContext;
	MemoryContext namecxt,
				rowcxt;
	DeltaReader r;
	DeltaRow	row;
	Datum	   *names = NULL;
	int32		cap = 0;

	InitMaterializedSRF(fcinfo, 0);
	delta_reader_init(&r, callcxt);
	namecxt = AllocSetContextCreate(callcxt, "ledger_delta_rows names", ALLOCSET_DEFAULT_SIZES);
	rowcxt = AllocSetContextCreate(callcxt, "ledger_delta_rows row", ALLOCSET_DEFAULT_SIZES);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	delta_select_parts(fcinfo->flinfo->fn_oid, ledger, NULL);
	for (uint64 p = 0; p < SPI_processed; p++)
	{
		MemoryContext old = MemoryContextSwitchTo(callcxt);

		delta_reader_selected(&r, p);
		/* The entries this part adds, as text once: customer and currency. */
		names = delta_entry_array(names, &cap, r.ndict, 2 * sizeof(Datum));
		if (r.new_from == 0)
			MemoryContextReset(namecxt);
		MemoryContextSwitchTo(namecxt);
		for (int32 i = r.new_from; i < r.ndict; i++)
		{
			names[2 * i] = PointerGetDatum(cstring_to_text_with_len(r.cust[i], r.custlen[i]));
			names[2 * i + 1] = PointerGetDatum(cstring_to_text_with_len(r.cur[i], r.curlen[i]));
		}
		MemoryContextSwitchTo(rowcxt);
		while (delta_reader_next(&r, &row))
		{
			Datum		values[5];
			bool		nulls[5] = {false};

			values[0] = names[2 * row.entry];
			values[1] = names[2 * row.entry + 1];
			values[2] = DateADTGetDatum(row.due);
			values[3] = NumericGetDatum(row.num != NULL ? row.num : live_units_numeric(row.units, row.dscale));
			values[4] = Int64GetDatum((int64) row.items);
			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
			MemoryContextReset(rowcxt);
			CHECK_FOR_INTERRUPTS();
		}
		MemoryContextSwitchTo(old);
	}
	SPI_finish();
	MemoryContextDelete(r.cxt);
	return (Datum) 0;
}
