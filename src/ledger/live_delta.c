/*
 * live_delta.c — the amounts of o2c.ledger_delta's compact form
 * (live_delta.h), its reader (DeltaReader), and o2c.ledger_delta_rows.
 */
#include "postgres.h"

#include "ledger.h"
#include "live_delta.h"

#include "core/o2c.h"

#include "fmgr.h"
#include "funcapi.h"
#include "libpq/pqformat.h"
#include "utils/builtins.h"
#include "utils/date.h"
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
live_put_amount(StringInfo buf, int low2, int128 units, int dscale, Numeric num)
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
	if (num == NULL && kind == 2)
		num = o2c_units_numeric(units, Max(dscale, 0));
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
live_get_amount_units(StringInfo buf, int *low2, int128 *units, int *dscale, Numeric *num)
{
	int			flags,
				kind;
	uint64		v;

	*num = NULL;
	if (buf->cursor >= buf->len)
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
			 errmsg("invalid ledger delta data at byte %d", r->buf.cursor)));
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
delta_reader_open(DeltaReader *r, bytea *data)
{
	int32		rows_end;

	r->buf.data = VARDATA_ANY(data);
	r->buf.len = VARSIZE_ANY_EXHDR(data);
	r->buf.maxlen = r->buf.len;
	r->buf.cursor = 0;
	if (r->buf.len < 16 || pq_getmsgint(&r->buf, 4) != DELTA_VERSION)
		delta_corrupt(r);
	rows_end = pq_getmsgint(&r->buf, 4);
	r->base = (DateADT) pq_getmsgint(&r->buf, 4);
	if (rows_end < 12 || rows_end > r->buf.len - 4 || DATE_NOT_FINITE(r->base) || !IS_VALID_DATE(r->base))
		delta_corrupt(r);

	/* The dictionary first: each entry takes at least two bytes. */
	r->buf.cursor = rows_end;
	r->ndict = pq_getmsgint(&r->buf, 4);
	if (r->ndict < 0 || r->ndict > (r->buf.len - r->buf.cursor) / 2)
		delta_corrupt(r);
	r->cust = palloc(Max(r->ndict, 1) * sizeof(char *));
	r->custlen = palloc(Max(r->ndict, 1) * sizeof(int32));
	r->cur = palloc(Max(r->ndict, 1) * sizeof(char *));
	r->curlen = palloc(Max(r->ndict, 1) * sizeof(int32));
	for (int32 i = 0; i < r->ndict; i++)
	{
		uint64		n;

		if (!get_varint(&r->buf, &n))
			delta_corrupt(r);
		r->cust[i] = dict_bytes(r, n);
		r->custlen[i] = (int32) n;
		if (!get_varint(&r->buf, &n))
			delta_corrupt(r);
		r->cur[i] = dict_bytes(r, n);
		r->curlen[i] = (int32) n;
	}
	if (r->buf.cursor != r->buf.len)
		delta_corrupt(r);
	r->buf.cursor = 12;
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
	if (!live_get_amount_units(&r->buf, &low2, &row->units, &row->dscale, &row->num) || low2 > 2)
		delta_corrupt(r);
	row->items = low2 - 1;
	return true;
}

/*
 * o2c.ledger_delta_rows(data bytea): the balance deltas of one chunk of
 * o2c.ledger_delta, as rows (customer_id, currency, due_date, open_amount,
 * items).
 */
Datum
o2c_ledger_delta_rows(PG_FUNCTION_ARGS)
{
	bytea	   *data = PG_GETARG_BYTEA_PP(0);
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	DeltaReader r;
	DeltaRow	row;
	Datum	   *cust,
			   *cur;

	InitMaterializedSRF(fcinfo, 0);
	delta_reader_open(&r, data);
	cust = palloc(Max(r.ndict, 1) * sizeof(Datum));
	cur = palloc(Max(r.ndict, 1) * sizeof(Datum));
	for (int32 i = 0; i < r.ndict; i++)
	{
		cust[i] = PointerGetDatum(cstring_to_text_with_len(r.cust[i], r.custlen[i]));
		cur[i] = PointerGetDatum(cstring_to_text_with_len(r.cur[i], r.curlen[i]));
	}
	while (delta_reader_next(&r, &row))
	{
		Datum		values[5];
		bool		nulls[5] = {false};

		values[0] = cust[row.entry];
		values[1] = cur[row.entry];
		values[2] = DateADTGetDatum(row.due);
		values[3] = NumericGetDatum(row.num != NULL ? row.num : live_units_numeric(row.units, row.dscale));
		values[4] = Int64GetDatum((int64) row.items);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}
