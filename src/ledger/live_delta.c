/*
 * live_delta.c — the amounts of o2c.ledger_delta's compact form
 * (live_delta.h) and its readers: o2c.ledger_delta_rows and
 * o2c.ledger_delta_summary.
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
PG_FUNCTION_INFO_V1(o2c_ledger_delta_summary);

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

bool
live_get_amount(StringInfo buf, int *low2, Datum *out)
{
	int128		units;
	int			dscale;
	Numeric		num;

	if (!live_get_amount_units(buf, low2, &units, &dscale, &num))
		return false;
	*out = num != NULL ? NumericGetDatum(num) : NumericGetDatum(live_units_numeric(units, dscale));
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
	StringInfoData buf;
	int32		rows_end,
				ndict;
	DateADT		base;
	Datum	   *cust,
			   *cur;

	InitMaterializedSRF(fcinfo, 0);
	buf.data = VARDATA_ANY(data);
	buf.len = VARSIZE_ANY_EXHDR(data);
	buf.maxlen = buf.len;
	buf.cursor = 0;
	/* Every read is checked first: corrupt data is an error, never a crash. */
#define NEED(n) do { if ((n) < 0 || (n) > buf.len - buf.cursor) goto corrupt; } while (0)
	NEED(12);
	if (pq_getmsgint(&buf, 4) != DELTA_VERSION)
		goto corrupt;
	rows_end = pq_getmsgint(&buf, 4);
	base = (DateADT) pq_getmsgint(&buf, 4);
	if (rows_end < 12 || rows_end > buf.len || DATE_NOT_FINITE(base))
		goto corrupt;

	/* The dictionary first. */
	buf.cursor = rows_end;
	NEED(4);
	ndict = pq_getmsgint(&buf, 4);
	if (ndict < 0 || ndict > (buf.len - buf.cursor) / 8)
		goto corrupt;
	cust = palloc(Max(ndict, 1) * sizeof(Datum));
	cur = palloc(Max(ndict, 1) * sizeof(Datum));
	for (int i = 0; i < ndict; i++)
	{
		int			n;

		NEED(4);
		n = pq_getmsgint(&buf, 4);
		NEED(n);
		cust[i] = PointerGetDatum(cstring_to_text_with_len(pq_getmsgbytes(&buf, n), n));
		NEED(4);
		n = pq_getmsgint(&buf, 4);
		NEED(n);
		cur[i] = PointerGetDatum(cstring_to_text_with_len(pq_getmsgbytes(&buf, n), n));
	}
	if (buf.cursor != buf.len)
		goto corrupt;

	buf.cursor = 12;
	buf.len = rows_end;
	while (buf.cursor < buf.len)
	{
		Datum		values[5];
		bool		nulls[5] = {false};
		uint64		v;
		int64		d;
		int			low2;

		if (!get_varint(&buf, &v) || v >= (uint64) ndict)
			goto corrupt;
		values[0] = cust[v];
		values[1] = cur[v];
		if (!get_varint(&buf, &v))
			goto corrupt;
		d = unzigzag(v);
		if (d < PG_INT32_MIN || d > PG_INT32_MAX)
			goto corrupt;
		d += base;
		if (d < PG_INT32_MIN || d > PG_INT32_MAX || DATE_NOT_FINITE((DateADT) d) || !IS_VALID_DATE((DateADT) d))
			goto corrupt;
		values[2] = DateADTGetDatum((DateADT) d);
		if (!live_get_amount(&buf, &low2, &values[3]) || low2 > 2)
			goto corrupt;
		values[4] = Int64GetDatum((int64) low2 - 1);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
#undef NEED

corrupt:
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
			 errmsg("invalid ledger delta data at byte %d", buf.cursor)));
	return (Datum) 0;
}

/*
 * o2c.ledger_delta_summary(summary bytea): the per-customer summary of one
 * statement's inserted invoices (o2c.ledger_delta.summary), as rows
 * (as_of, customer_id, currency, current, d1_30, d31_60, d61_90, d91_plus,
 * total, overdue, items, overdue_due_sum).
 */
Datum
o2c_ledger_delta_summary(PG_FUNCTION_ARGS)
{
	bytea	   *data = PG_GETARG_BYTEA_PP(0);
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	StringInfoData buf;
	DateADT		as_of;
	int32		count;

	InitMaterializedSRF(fcinfo, 0);
	buf.data = VARDATA_ANY(data);
	buf.len = VARSIZE_ANY_EXHDR(data);
	buf.maxlen = buf.len;
	buf.cursor = 0;
	if (buf.len < 12 || pq_getmsgint(&buf, 4) != SUMMARY_VERSION)
		goto corrupt;
	as_of = (DateADT) pq_getmsgint(&buf, 4);
	count = pq_getmsgint(&buf, 4);
	if (DATE_NOT_FINITE(as_of) || !IS_VALID_DATE(as_of) || count < 0 || count > buf.len - buf.cursor)
		goto corrupt;
	for (int i = 0; i < count; i++)
	{
		Datum		values[12];
		bool		nulls[12] = {false};
		uint64		v;
		int			low2;

		values[0] = DateADTGetDatum(as_of);
		for (int k = 1; k <= 2; k++)
		{
			if (!get_varint(&buf, &v) || v > (uint64) (buf.len - buf.cursor))
				goto corrupt;
			values[k] = PointerGetDatum(cstring_to_text_with_len(pq_getmsgbytes(&buf, (int) v), (int) v));
		}
		if (!get_varint(&buf, &v))
			goto corrupt;
		values[10] = Int64GetDatum(unzigzag(v));
		for (int k = 3; k <= 9; k++)
			if (!live_get_amount(&buf, &low2, &values[k]) || low2 != 0)
				goto corrupt;
		if (!live_get_amount(&buf, &low2, &values[11]) || low2 != 0)
			goto corrupt;
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	if (buf.cursor != buf.len)
		goto corrupt;
	return (Datum) 0;

corrupt:
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
			 errmsg("invalid ledger delta summary at byte %d", buf.cursor)));
	return (Datum) 0;
}
