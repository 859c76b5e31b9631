/*
 * live_insert.c — the bulk path of o2c.ledger_track: invoices inserted (a
 * COPY of a million rows, say) are read once, in C, from the transition
 * table. Their open amount is their amount (no settlement can precede its
 * invoice), so no lookup is needed. Nothing is upserted: the rows' balance
 * deltas and the statement's per-customer summary of the buckets are
 * appended to o2c.ledger_delta in a compact form (live_delta.h). Upserted
 * per (customer, currency, due date) they would cost as much as the COPY
 * itself, and even one upsert per customer costs a quarter of it.
 * o2c.ledger_compact (and so the daily o2c.ledger_roll) folds them into
 * o2c.ledger_balance and o2c.ledger_aging; readers add the pending ones.
 */
#include "postgres.h"

#include "live.h"
#include "ledger.h"
#include "live_delta.h"

#include "core/innerq.h"
#include "core/keymap.h"
#include "core/o2c.h"

#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/executor.h"
#include "executor/spi.h"
#include "executor/tuptable.h"
#include "funcapi.h"
#include "libpq/pqformat.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/tuplestore.h"

PG_FUNCTION_INFO_V1(o2c_ledger_avg);

/* A delta chunk is written once it holds this many bytes. */
#define DELTA_CHUNK_BYTES (32 * 1024 * 1024)

/* An entry's exact sums, once a value does not fit its fast ones. */
typedef struct SumExact
{
	O2cSum		b[5];			/* current, 1-30, 31-60, 61-90, 91+ */
	O2cSum		w;				/* sum of open * (due - 2000-01-01) when overdue */
	int64		items;
} SumExact;

/*
 * The summary of one customer and currency, indexed as its key
 * (customer '\0' currency) in the statement's keymap: the keymap's order of
 * creation is also the order of the delta's dictionary. The sums are 64-bit
 * integers of 10^-scale, so an entry is one cache line and a row touches
 * just that line; the first value that does not fit (a scale beyond 8, an
 * overflow, a numeric beyond the fast range) moves the entry to exact sums.
 */
typedef struct SumEntry
{
	int64		b[5];
	int64		w;
	int32		items;
	int16		scale;			/* of b and w: the largest display scale added */
	int16		wscale;			/* the largest added to w, -1 if none */
	SumExact   *exact;			/* NULL while the fast sums hold */
} SumEntry;

/* A row read and checked, waiting in its batch to be added. */
typedef struct PendingRow
{
	int128		units;			/* the amount, when num is NULL */
	Numeric		num;			/* beyond the fast range: the amount */
	int32		dscale;
	DateADT		due;
	uint32		hash;			/* of its key */
	int32		keyoff;			/* its key in the batch's key buffer */
	int32		keylen;
	int8		items;
} PendingRow;

/* Rows per batch: enough for the prefetches to land before the rows are added. */
#define ROW_BATCH 32

/* The statement's customers: keys in the keymap, sums in entries[]. */
typedef struct Sums
{
	O2cKeyMap  *keys;
	SumEntry   *entries;
	int32		cap;
} Sums;

/* A column's value as the text `(col)::text` would give. */
typedef struct TextCol
{
	int			att;
	Oid			type;			/* base type */
	FmgrInfo	out;
} TextCol;

static void
textcol_init(TextCol *tc, int att, Oid type)
{
	Oid			outfunc;
	bool		varlena;

	tc->att = att;
	tc->type = getBaseType(type);
	getTypeOutputInfo(tc->type, &outfunc, &varlena);
	fmgr_info(outfunc, &tc->out);
}

static const char *
textcol_get(TextCol *tc, Datum d, int *len)
{
	if (tc->type == TEXTOID || tc->type == VARCHAROID || tc->type == BPCHAROID)
	{
		text	   *t = DatumGetTextPP(d);
		int			n = VARSIZE_ANY_EXHDR(t);

		/* char(n) to text drops the padding. */
		if (tc->type == BPCHAROID)
			while (n > 0 && VARDATA_ANY(t)[n - 1] == ' ')
				n--;
		*len = n;
		return VARDATA_ANY(t);
	}
	{
		char	   *s = OutputFunctionCall(&tc->out, d);

		*len = strlen(s);
		return s;
	}
}

static void
delta_start(StringInfo buf, DateADT base)
{
	resetStringInfo(buf);
	appendStringInfoSpaces(buf, VARHDRSZ);
	pq_sendint32(buf, DELTA_VERSION);
	pq_sendint32(buf, 0);		/* the dictionary's offset, set at the flush */
	pq_sendint32(buf, base);
}

/*
 * Write the chunk (and, with the last one, the statement's summary) as a
 * row of o2c.ledger_delta. Earlier chunks carry no summary; the last is
 * written even without rows when there is a summary.
 */
static void
flush_delta(LiveCtx *c, StringInfo buf, int64 *rows, Sums *sums, StringInfo summary)
{
	Oid			types[4] = {TEXTOID, INT8OID, BYTEAOID, BYTEAOID};
	Datum		values[4];
	char		nulls[4] = {' ', ' ', ' ', summary == NULL ? 'n' : ' '};
	uint32		off;
	SPIPlanPtr	plan;

	if (*rows == 0 && summary == NULL)
		return;
	off = pg_hton32((uint32) (buf->len - VARHDRSZ));
	memcpy(buf->data + VARHDRSZ + 4, &off, 4);
	pq_sendint32(buf, o2c_keymap_count(sums->keys));
	for (int32 i = 0; i < o2c_keymap_count(sums->keys); i++)
	{
		size_t		len;
		const char *k = o2c_keymap_key(sums->keys, i, &len);
		int			custlen = strlen(k);	/* a customer has no NUL byte */

		pq_sendint32(buf, custlen);
		pq_sendbytes(buf, k, custlen);
		pq_sendint32(buf, (int) len - custlen - 1);
		pq_sendbytes(buf, k + custlen + 1, (int) len - custlen - 1);
	}
	SET_VARSIZE(buf->data, buf->len);
	values[0] = CStringGetTextDatum(c->ledger);
	values[1] = Int64GetDatum(*rows);
	values[2] = PointerGetDatum(buf->data);
	values[3] = summary == NULL ? (Datum) 0 : PointerGetDatum(summary->data);

	/*
	 * A generic plan: a custom one would fold the parameters into constants,
	 * copying megabytes of delta once more.
	 */
	plan = SPI_prepare_cursor(psprintf("INSERT INTO %s.ledger_delta (ledger, rows, data, summary) "
									   "VALUES ($1, $2, $3, $4)", c->sch),
							  4, types, CURSOR_OPT_GENERIC_PLAN);
	if (plan == NULL)
		elog(ERROR, "SPI_prepare_cursor failed: %s", SPI_result_code_string(SPI_result));
	if (SPI_execute_plan(plan, values, nulls, false, 0) != SPI_OK_INSERT)
		elog(ERROR, "SPI_execute_plan failed: %s", "INSERT INTO ledger_delta");
	SPI_freeplan(plan);
	delta_start(buf, c->as_of);
	*rows = 0;
}

static void
bad_invoice(LiveCtx *c, TupleTableSlot *slot, TextCol *idcol, const char *what, int code)
{
	const char *id = "NULL";
	int			len = 0;

	if (!slot->tts_isnull[idcol->att - 1])
	{
		const char *s = textcol_get(idcol, slot->tts_values[idcol->att - 1], &len);

		id = pnstrdup(s, len);
	}
	ereport(ERROR,
			(errcode(code),
			 errmsg("invoice \"%s\" has %s", o2c_quote_cstr(id), what),
			 errdetail("Table %s is tracked by ledger \"%s\", which needs a customer, currency, finite due date and finite amount on every invoice.",
					   c->inv->qrel, o2c_quote_cstr(c->ledger))));
}

/*
 * The amount-weighted days past due of the overdue items as of a date, from
 * the overdue total and w = sum(open * (due - 2000-01-01)) over them:
 * (overdue * days(as_of) - w) / overdue rounded half away from zero to 2
 * decimals, as o2c.aging rounds; NULL (false) unless overdue > 0. Exact in
 * 128-bit integers of 10^-8 units, or in numeric when they would overflow.
 */
static bool
avg_units(int128 ou, int128 wu, DateADT as_of, int64 *q)
{
	int128		d,
				num,
				den,
				r;
	bool		neg;

	if (__builtin_mul_overflow(ou, (int128) as_of, &d) ||
		__builtin_sub_overflow(d, wu, &d))
		return false;
	neg = d < 0;
	if (neg)
		d = -d;
	/* round(d * 100 / ou) = trunc((200 d + ou) / (2 ou)) */
	if (__builtin_mul_overflow(d, (int128) 200, &num) ||
		__builtin_add_overflow(num, ou, &num) ||
		__builtin_mul_overflow(ou, (int128) 2, &den))
		return false;
	r = num / den;
	if (r > PG_INT64_MAX)
		return false;
	*q = neg ? -(int64) r : (int64) r;
	return true;
}

static Datum
avg_numeric(Numeric overdue, Numeric w, DateADT as_of)
{
	Numeric		d = numeric_sub_opt_error(numeric_mul_opt_error(overdue, int64_to_numeric(as_of), NULL),
										  w, NULL);

	return NumericGetDatum(o2c_div_round(d, overdue, 2));
}

Datum
o2c_ledger_avg(PG_FUNCTION_ARGS)
{
	Datum		od = PG_GETARG_DATUM(0);
	Datum		wd = PG_GETARG_DATUM(1);
	DateADT		as_of = PG_GETARG_DATEADT(2);
	int128		ou,
				wu;
	int32		os,
				ws;
	O2cUnitsResult ro,
				rw;
	int64		q;

	o2c_check_finite_date(as_of, "as_of date");
	ro = o2c_numeric_units(od, &ou, &os);
	rw = o2c_numeric_units(wd, &wu, &ws);
	if (ro == O2C_UNITS_SPECIAL || rw == O2C_UNITS_SPECIAL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid amount: \"%s\"",
						o2c_num_text(PG_GETARG_NUMERIC(ro == O2C_UNITS_SPECIAL ? 0 : 1))),
				 errdetail("Amounts must be finite numbers.")));
	if (ro == O2C_UNITS_FAST && rw == O2C_UNITS_FAST)
	{
		if (ou <= 0)
			PG_RETURN_NULL();
		if (avg_units(ou, wu, as_of, &q))
			PG_RETURN_NUMERIC(o2c_int64_numeric(q, 2));
	}
	else if (o2c_numeric_sign(PG_GETARG_NUMERIC(0)) <= 0)
		PG_RETURN_NULL();
	return avg_numeric(PG_GETARG_NUMERIC(0), PG_GETARG_NUMERIC(1), as_of);
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
static inline void
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

/* A bucket sum as put_amount takes it, shown with display scale dscale. */
static void
put_sum(StringInfo buf, const O2cSum *sum, int dscale)
{
	dscale = Max(dscale, Max(sum->dscale, 0));
	if (sum->spill == NULL)
		live_put_amount(buf, 0, sum->fast, dscale, NULL);
	else
		live_put_amount(buf, 0, 0, dscale, o2c_sum_numeric(sum, dscale));
}

/* An amount of v * 10^-scale, as live_put_amount writes it. */
static void
put_scaled(StringInfo buf, int128 v, int scale)
{
	if (v >= PG_INT64_MIN && v <= PG_INT64_MAX)
	{
		if (buf->len + 1 >= buf->maxlen)
			enlargeStringInfo(buf, 1);
		buf->data[buf->len++] = (char) (scale << 4);	/* kind 0 */
		put_varint(buf, zigzag((int64) v));
	}
	else
		live_put_amount(buf, 0, v * ledger_pow10[O2C_SUM_SCALE - scale], scale, NULL);
}

/*
 * The statement's summary: per customer and currency with an open item,
 * the five buckets, total and overdue (all shown with the entry's largest
 * scale, as o2c.aging shows them), overdue_due_sum and items, as of the
 * state date. Format (version 1): int32 version, int32 as_of, int32 count,
 * then per entry in key order the customer and currency (varint length,
 * bytes), items (signed varint) and eight amounts (put_amount). NULL when
 * no entry has an open item.
 */
static StringInfo
summary_encode(LiveCtx *c, Sums *sums, MemoryContext cxt)
{
	int32		n = o2c_keymap_count(sums->keys);
	int32	   *sorted = palloc(Max(n, 1) * sizeof(int32));
	int			m = 0;
	StringInfo	buf;

	for (int32 i = 0; i < n; i++)
		if ((sums->entries[i].exact ? sums->entries[i].exact->items : sums->entries[i].items) != 0)	/* else only zero amounts: nothing open */
			sorted[m++] = i;
	if (m == 0)
		return NULL;
	/* Keys customer '\0' currency, bytewise: customer, then currency (COLLATE "C"). */
	o2c_keymap_sort(sums->keys, sorted, m);

	buf = makeStringInfo();
	enlargeStringInfo(buf, m * 64 + 64);
	appendStringInfoSpaces(buf, VARHDRSZ);
	pq_sendint32(buf, SUMMARY_VERSION);
	pq_sendint32(buf, c->as_of);
	pq_sendint32(buf, m);
	for (int i = 0; i < m; i++)
	{
		SumEntry   *e = &sums->entries[sorted[i]];
		SumExact   *x;
		O2cSum		overdue,
					total;
		int			dscale = 0;
		size_t		len;
		const char *k = o2c_keymap_key(sums->keys, sorted[i], &len);
		int			custlen = strlen(k);	/* a customer has no NUL byte */
		int			curlen = (int) len - custlen - 1;

		put_varint(buf, (uint64) custlen);
		appendBinaryStringInfo(buf, k, custlen);
		put_varint(buf, (uint64) curlen);
		appendBinaryStringInfo(buf, k + custlen + 1, curlen);
		if (e->exact == NULL)
		{
			/* The fast sums as they are: every bucket at the entry's scale. */
			int128		od = 0;
			int			ws = Max(e->wscale, 0);

			put_varint(buf, zigzag(e->items));
			for (int b = 0; b < 5; b++)
			{
				put_scaled(buf, e->b[b], e->scale);
				if (b > 0)
					od += e->b[b];
			}
			put_scaled(buf, od + e->b[0], e->scale);
			put_scaled(buf, od, e->scale);
			/* w has at most wscale decimals, though summed at the entry's scale. */
			put_scaled(buf, e->w / ledger_pow10[e->scale - ws], ws);
			continue;
		}
		x = e->exact;
		o2c_sum_init(&overdue);
		for (int b = 1; b < 5; b++)
			o2c_sum_add_sum(&overdue, &x->b[b], cxt);
		o2c_sum_init(&total);
		o2c_sum_add_sum(&total, &x->b[0], cxt);
		o2c_sum_add_sum(&total, &overdue, cxt);
		for (int b = 0; b < 5; b++)
			dscale = Max(dscale, x->b[b].dscale);

		put_varint(buf, zigzag(x->items));
		for (int b = 0; b < 5; b++)
			put_sum(buf, &x->b[b], dscale);
		put_sum(buf, &total, dscale);
		put_sum(buf, &overdue, dscale);
		put_sum(buf, &x->w, 0);
	}
	SET_VARSIZE(buf->data, buf->len);
	return buf;
}

void
live_insert_invoices(LiveCtx *c, TriggerData *td)
{
	LiveTable  *inv = c->inv;
	TupleDesc	desc = RelationGetDescr(td->tg_relation);
	TupleTableSlot *slot = MakeSingleTupleTableSlot(desc, &TTSOpsMinimalTuple);
	MemoryContext rowcxt = AllocSetContextCreate(CurrentMemoryContext, "ledger_track row",
												 ALLOCSET_DEFAULT_SIZES);
	MemoryContext sumcxt = AllocSetContextCreate(CurrentMemoryContext, "ledger_track summary",
												 ALLOCSET_DEFAULT_SIZES);
	Sums		sums;
	TextCol		idcol,
				custcol,
				curcol;
	int			due_att = inv->att[LC_DUE],
				amt_att = inv->att[LC_AMOUNT];
	Oid			amt_type = getBaseType(TupleDescAttr(desc, amt_att - 1)->atttypid);
	int			last = 0;
	StringInfoData delta,
				key;
	int64		rows = 0;
	PendingRow	batch[ROW_BATCH];
	int64		ntuples = tuplestore_tuple_count(td->tg_newtable);

	textcol_init(&idcol, inv->att[LC_ID], TupleDescAttr(desc, inv->att[LC_ID] - 1)->atttypid);
	textcol_init(&custcol, inv->att[LC_CUSTOMER], TupleDescAttr(desc, inv->att[LC_CUSTOMER] - 1)->atttypid);
	textcol_init(&curcol, inv->att[LC_CURRENCY], TupleDescAttr(desc, inv->att[LC_CURRENCY] - 1)->atttypid);
	for (int k = 0; k < LC_NCOLS; k++)
		last = Max(last, inv->att[k]);

	{
		MemoryContext old = MemoryContextSwitchTo(sumcxt);

		sums.keys = o2c_keymap_create(1024);
		sums.cap = 1024;
		sums.entries = palloc(sums.cap * sizeof(SumEntry));
		MemoryContextSwitchTo(old);
	}

	/* Room for the rows at once: no copying as the buffer grows. */
	initStringInfo(&delta);
	enlargeStringInfo(&delta, (int) Min((int64) DELTA_CHUNK_BYTES + 1024, 12 * ntuples + 1024));
	delta_start(&delta, c->as_of);
	initStringInfo(&key);

	/* A read pointer of our own: other triggers may read the same table. */
	tuplestore_select_read_pointer(td->tg_newtable,
								   tuplestore_alloc_read_pointer(td->tg_newtable, EXEC_FLAG_REWIND));
	tuplestore_rescan(td->tg_newtable);
	/*
	 * Rows are read in batches so that their customers' lines are fetched
	 * ahead: as a row is read its key is hashed and its slot prefetched;
	 * then each row's key and sums are prefetched; then each row is added,
	 * in order. With many customers every lookup would otherwise wait on
	 * memory two or three times.
	 */
	for (;;)
	{
		MemoryContext old = CurrentMemoryContext;
		int			n = 0;

		resetStringInfo(&key);
		/*
		 * Rows are read in the caller's context: one read from a spilled
		 * table is allocated then, and the slot frees it at the next read,
		 * after rowcxt's reset.
		 */
		while (n < ROW_BATCH && tuplestore_gettupleslot(td->tg_newtable, true, false, slot))
		{
			PendingRow *r = &batch[n++];
			Datum	   *v;
			bool	   *isnull;
			const char *cust,
					   *cur;
			int			custlen,
						curlen;
			O2cUnitsResult ur;

			MemoryContextSwitchTo(rowcxt);
			slot_getsomeattrs(slot, last);
			v = slot->tts_values;
			isnull = slot->tts_isnull;
			if (isnull[custcol.att - 1])
				bad_invoice(c, slot, &idcol, psprintf("a null customer_id (column \"%s\")", inv->colname[LC_CUSTOMER]),
							ERRCODE_NOT_NULL_VIOLATION);
			if (isnull[curcol.att - 1])
				bad_invoice(c, slot, &idcol, psprintf("a null currency (column \"%s\")", inv->colname[LC_CURRENCY]),
							ERRCODE_NOT_NULL_VIOLATION);
			if (isnull[due_att - 1])
				bad_invoice(c, slot, &idcol, psprintf("a null due_date (column \"%s\")", inv->colname[LC_DUE]),
							ERRCODE_NOT_NULL_VIOLATION);
			if (isnull[amt_att - 1])
				bad_invoice(c, slot, &idcol, psprintf("a null amount (column \"%s\")", inv->colname[LC_AMOUNT]),
							ERRCODE_NOT_NULL_VIOLATION);
			r->due = DatumGetDateADT(v[due_att - 1]);
			if (DATE_NOT_FINITE(r->due))
				bad_invoice(c, slot, &idcol, psprintf("an infinite due date (column \"%s\")", inv->colname[LC_DUE]),
							ERRCODE_DATETIME_VALUE_OUT_OF_RANGE);
			r->units = 0;
			r->dscale = 0;
			r->num = NULL;
			if (amt_type == NUMERICOID)
			{
				ur = o2c_numeric_units(v[amt_att - 1], &r->units, &r->dscale);
				if (ur == O2C_UNITS_SPECIAL)
					bad_invoice(c, slot, &idcol,
								psprintf("an amount that is not a finite number: \"%s\"",
										 o2c_num_text(DatumGetNumeric(v[amt_att - 1]))),
								ERRCODE_INVALID_PARAMETER_VALUE);
				/* A copy: the row may be gone when the batch is added. */
				if (ur == O2C_UNITS_SLOW)
					r->num = DatumGetNumericCopy(v[amt_att - 1]);
			}
			else
			{
				int64		i = amt_type == INT2OID ? DatumGetInt16(v[amt_att - 1]) :
					amt_type == INT4OID ? DatumGetInt32(v[amt_att - 1]) : DatumGetInt64(v[amt_att - 1]);

				r->units = (int128) i * 100000000;
			}
			r->items = r->num != NULL ? (o2c_numeric_sign(r->num) != 0) : (r->units != 0);

			/* The summary's key, customer '\0' currency, copied for the same reason. */
			cust = textcol_get(&custcol, v[custcol.att - 1], &custlen);
			cur = textcol_get(&curcol, v[curcol.att - 1], &curlen);
			r->keyoff = key.len;
			r->keylen = custlen + curlen + 1;
			appendBinaryStringInfo(&key, cust, custlen);
			appendStringInfoChar(&key, '\0');
			appendBinaryStringInfo(&key, cur, curlen);
			r->hash = o2c_keymap_hash(key.data + r->keyoff, r->keylen);
			o2c_keymap_prefetch(sums.keys, r->hash);
			MemoryContextSwitchTo(old);
		}
		if (n == 0)
			break;
		for (int i = 0; i < n; i++)
		{
			int32		hint = o2c_keymap_prefetch_key(sums.keys, batch[i].hash);

			/* Both lines: palloc does not align an entry to one. */
			if (hint >= 0)
			{
				O2C_PREFETCH(&sums.entries[hint]);
				O2C_PREFETCH(&sums.entries[hint].exact);
			}
		}
		for (int i = 0; i < n; i++)
		{
			PendingRow *r = &batch[i];
			int64		days;
			int			bucket;
			int32		idx;
			bool		added;

			/* The map and the entries grow in sumcxt. */
			MemoryContextSwitchTo(sumcxt);
			idx = o2c_keymap_enter_hashed(sums.keys, key.data + r->keyoff, r->keylen, r->hash, &added);
			if (idx < 0)
				ereport(ERROR,
						(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
						 errmsg("ledger_track takes at most %d customers and currencies in one statement",
								O2C_KEYMAP_MAX_KEYS),
						 errhint("Insert the rows in several statements.")));
			if (added)
			{
				if (idx == sums.cap)
				{
					sums.cap *= 2;
					sums.entries = repalloc_huge(sums.entries, (Size) sums.cap * sizeof(SumEntry));
				}
				entry_init(&sums.entries[idx]);
			}
			MemoryContextSwitchTo(rowcxt);
			days = (int64) c->as_of - (int64) r->due;
			bucket = days <= 0 ? 0 : days <= 30 ? 1 : days <= 60 ? 2 : days <= 90 ? 3 : 4;
			entry_add(&sums.entries[idx], bucket, days > 0, r->units, r->dscale, r->num, r->due, r->items, sumcxt);

			/* The balance delta, appended. */
			put_varint(&delta, (uint64) idx);
			put_varint(&delta, zigzag((int64) r->due - c->as_of));
			live_put_amount(&delta, r->items + 1, r->units, r->dscale, r->num);
			rows++;
			if (delta.len >= DELTA_CHUNK_BYTES)
			{
				MemoryContextSwitchTo(old);
				flush_delta(c, &delta, &rows, &sums, NULL);
				MemoryContextSwitchTo(rowcxt);
			}
		}
		MemoryContextSwitchTo(old);
		MemoryContextReset(rowcxt);
		CHECK_FOR_INTERRUPTS();
	}
	ExecDropSingleTupleTableSlot(slot);
	flush_delta(c, &delta, &rows, &sums, summary_encode(c, &sums, sumcxt));
	MemoryContextDelete(rowcxt);
	MemoryContextDelete(sumcxt);
}
