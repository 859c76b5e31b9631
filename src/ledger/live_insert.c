/*
 * live_insert.c — the bulk path of o2c.ledger_track: invoices inserted (a
 * COPY of a million rows, say) are read once, in C, from the transition
 * table. Their open amount is their amount (no settlement can precede its
 * invoice), so no lookup is needed. Nothing is upserted: the rows' balance
 * deltas are appended to o2c.ledger_delta in a compact form (live_delta.h).
 * Upserted per (customer, currency, due date) they would cost as much as
 * the COPY itself, and even one upsert per customer costs a quarter of it;
 * a per-customer summary written with them cost a third of the trigger
 * with 200,000 customers. o2c.ledger_compact (and so the daily
 * o2c.ledger_roll) folds them into o2c.ledger_balance and o2c.ledger_aging;
 * readers add the pending ones (o2c.ledger_pending_summary sums them).
 */
#include "postgres.h"

#include <math.h>

#include "live.h"
#include "ledger.h"
#include "live_delta.h"

#include "core/innerq.h"
#include "core/keymap.h"
#include "core/o2c.h"

#include "catalog/pg_statistic.h"
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
#include "utils/syscache.h"
#include "utils/tuplestore.h"

PG_FUNCTION_INFO_V1(o2c_ledger_avg);

/*
 * A part of a delta chunk is written once it holds about this many bytes:
 * below the C library's threshold for mapping fresh memory (live_delta.h).
 */
#define DELTA_PART_BYTES (96 * 1024)

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

/*
 * The customers (and currencies) counted by this backend's last INSERT into
 * a tracked table: with the planner's estimate, the size the next
 * statement's hash table starts at.
 */
static Oid	last_relid = InvalidOid;
static int64 last_keys = 0;

/* Start a statement's table this large at most (its slots then take 16 MB). */
#define KEYS_PRESIZE_MAX (1 << 20)

/*
 * The hash table and part buffer of this backend's last INSERT into a
 * tracked table, emptied and reused by the next one: memory the backend
 * has touched costs nothing to touch again, where fresh memory costs a page
 * fault per 4 kB (15 us each on some virtual machines: 2,500 faults for
 * 200,000 customers, as much time as the hash lookups). Kept only up to
 * SCRATCH_KEEP_MAX (a statement of about 300,000 customers); a larger one
 * is freed. Between statements it hangs from TopMemoryContext; during one,
 * from the trigger's context, so an error frees it.
 */
typedef struct InsertScratch
{
	MemoryContext cxt;			/* holds all of it */
	O2cKeyMap  *keys;
	StringInfoData part;		/* the part being filled */
} InsertScratch;

static InsertScratch *kept_scratch = NULL;

#define SCRATCH_KEEP_MAX (16 * 1024 * 1024)

/*
 * How many keys a statement of rows rows is likely to enter, from the
 * customer column's statistics (n distinct customers: about n (1 - e^(-rows
 * / n)) of them among the rows; a negative stadistinct, a fraction of the
 * rows) or the last statement's count, the larger, at most rows. A map that
 * starts at its final size is zeroed once instead of at every doubling
 * (200,000 customers: 4 MB instead of 8), and its keys are not rehashed into
 * each new array. Only a size: a wrong guess costs memory or a doubling.
 */
static size_t
expected_keys(Relation rel, AttrNumber custatt, int64 rows)
{
	double		keys = 0;
	/* A partitioned table's statistics cover its partitions. */
	bool		inh = rel->rd_rel->relkind == RELKIND_PARTITIONED_TABLE;
	HeapTuple	st = SearchSysCache3(STATRELATTINH, ObjectIdGetDatum(RelationGetRelid(rel)),
									 Int16GetDatum(custatt), BoolGetDatum(inh));

	if (HeapTupleIsValid(st))
	{
		double		nd = ((Form_pg_statistic) GETSTRUCT(st))->stadistinct;

		keys = nd > 0 ? nd * (1.0 - exp(-(double) rows / nd)) : -nd * rows;
		/* ANALYZE's estimate from a sample tends to run low. */
		keys *= 1.25;
		ReleaseSysCache(st);
	}
	if (RelationGetRelid(rel) == last_relid)
		keys = Max(keys, (double) last_keys);
	keys = Min(keys, (double) rows);
	return (size_t) Min(keys, KEYS_PRESIZE_MAX);
}

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

/* The chunk a statement writes, a part at a time (live_delta.h). */
typedef struct DeltaOut
{
	StringInfoData buf;			/* the part being filled */
	int64		rows;			/* its rows */
	int64		chunk;			/* -1 until the first part is written */
	int32		part;
	int32		written;		/* dictionary entries in the parts written */
	int64		dict_bytes;		/* about what the others will take */
	int			dscale;			/* the part's amount scale, -1 until set */
	SPIPlanPtr	insert;
} DeltaOut;

static void
part_start(DeltaOut *out, DateADT base, int32 first)
{
	StringInfo	buf = &out->buf;

	resetStringInfo(buf);
	appendStringInfoSpaces(buf, VARHDRSZ);
	pq_sendint32(buf, DELTA_VERSION);
	pq_sendint32(buf, 0);		/* the dictionary's offset, set when written */
	pq_sendint32(buf, base);
	pq_sendint32(buf, first);
	pq_sendint32(buf, 0);		/* the amounts' scale, set when written */
	out->rows = 0;
	out->dscale = -1;
}

/* Write the part, with the dictionary entries its rows added, as a row of o2c.ledger_delta. */
static void
part_write(LiveCtx *c, DeltaOut *out, O2cKeyMap *keys)
{
	StringInfo	buf = &out->buf;
	Oid			types[5] = {TEXTOID, INT8OID, INT4OID, INT8OID, BYTEAOID};
	Datum		values[5];
	uint32		off;
	int32		count = o2c_keymap_count(keys);

	if (out->rows == 0)
		return;
	if (out->chunk < 0)
	{
		/* One number for the statement's parts. */
		char	   *seq = quote_literal_cstr(psprintf("%s.ledger_delta_chunk", c->sch));
		bool		isnull;

		if (SPI_execute(psprintf("SELECT pg_catalog.nextval(%s::pg_catalog.regclass)", seq), false, 1) != SPI_OK_SELECT)
			elog(ERROR, "SPI_execute failed: %s", "nextval");
		out->chunk = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
		/*
		 * A generic plan: a custom one would fold the parameters into
		 * constants, copying the part once more.
		 */
		out->insert = SPI_prepare_cursor(psprintf("INSERT INTO %s.ledger_delta (ledger, chunk, part, rows, data) "
												  "VALUES ($1, $2, $3, $4, $5)", c->sch),
										 5, types, CURSOR_OPT_GENERIC_PLAN);
		if (out->insert == NULL)
			elog(ERROR, "SPI_prepare_cursor failed: %s", SPI_result_code_string(SPI_result));
	}
	off = pg_hton32((uint32) (buf->len - VARHDRSZ));
	memcpy(buf->data + VARHDRSZ + 4, &off, 4);
	off = pg_hton32((uint32) out->dscale);
	memcpy(buf->data + VARHDRSZ + 16, &off, 4);
	pq_sendint32(buf, count - out->written);
	for (int32 i = out->written; i < count; i++)
	{
		size_t		len,
					prevlen = 0;
		const char *k = o2c_keymap_key(keys, i, &len);
		const char *prev = i > 0 ? o2c_keymap_key(keys, i - 1, &prevlen) : NULL;
		int			custlen = strlen(k);	/* a customer has no NUL byte */
		int			prevcustlen = prev != NULL ? strlen(prev) : 0;
		int			curlen = (int) len - custlen - 1;
		int			shared = 0;

		/* The customer's prefix shared with the previous entry's, then the rest. */
		if (prev != NULL)
			while (shared < custlen && prev[shared] == k[shared])
				shared++;
		put_varint(buf, (uint64) shared);
		put_varint(buf, (uint64) (custlen - shared));
		appendBinaryStringInfo(buf, k + shared, custlen - shared);
		/* The currency, 0 when the previous entry's. */
		if (prev != NULL && prevcustlen + 1 + curlen == (int) prevlen &&
			memcmp(prev + prevlen - curlen, k + custlen + 1, curlen) == 0)
			put_varint(buf, 0);
		else
		{
			put_varint(buf, (uint64) curlen + 1);
			appendBinaryStringInfo(buf, k + custlen + 1, curlen);
		}
	}
	SET_VARSIZE(buf->data, buf->len);
	values[0] = CStringGetTextDatum(c->ledger);
	values[1] = Int64GetDatum(out->chunk);
	values[2] = Int32GetDatum(out->part);
	values[3] = Int64GetDatum(out->rows);
	values[4] = PointerGetDatum(buf->data);
	if (SPI_execute_plan(out->insert, values, NULL, false, 0) != SPI_OK_INSERT)
		elog(ERROR, "SPI_execute_plan failed: %s", "INSERT INTO ledger_delta");
	out->part++;
	out->written = count;
	out->dict_bytes = 0;
	part_start(out, c->as_of, count);
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

void
live_insert_invoices(LiveCtx *c, TriggerData *td)
{
	LiveTable  *inv = c->inv;
	TupleDesc	desc = RelationGetDescr(td->tg_relation);
	TupleTableSlot *slot = MakeSingleTupleTableSlot(desc, &TTSOpsMinimalTuple);
	MemoryContext rowcxt = AllocSetContextCreate(CurrentMemoryContext, "ledger_track row",
												 ALLOCSET_DEFAULT_SIZES);
	InsertScratch *scratch = kept_scratch;
	MemoryContext keycxt;
	O2cKeyMap  *keys;
	size_t		expected;
	TextCol		idcol,
				custcol,
				curcol;
	int			due_att = inv->att[LC_DUE],
				amt_att = inv->att[LC_AMOUNT];
	Oid			amt_type = getBaseType(TupleDescAttr(desc, amt_att - 1)->atttypid);
	int			last = 0;
	StringInfoData key;
	DeltaOut	out = {.chunk = -1};
	PendingRow	batch[ROW_BATCH];

	textcol_init(&idcol, inv->att[LC_ID], TupleDescAttr(desc, inv->att[LC_ID] - 1)->atttypid);
	textcol_init(&custcol, inv->att[LC_CUSTOMER], TupleDescAttr(desc, inv->att[LC_CUSTOMER] - 1)->atttypid);
	textcol_init(&curcol, inv->att[LC_CURRENCY], TupleDescAttr(desc, inv->att[LC_CURRENCY] - 1)->atttypid);
	for (int k = 0; k < LC_NCOLS; k++)
		last = Max(last, inv->att[k]);

	expected = Max(expected_keys(td->tg_relation, inv->att[LC_CUSTOMER],
								 tuplestore_tuple_count(td->tg_newtable)),
				   1024);
	kept_scratch = NULL;
	if (scratch != NULL)
	{
		MemoryContext old;

		MemoryContextSetParent(scratch->cxt, CurrentMemoryContext);
		old = MemoryContextSwitchTo(scratch->cxt);
		o2c_keymap_clear(scratch->keys, expected);
		MemoryContextSwitchTo(old);
	}
	else
	{
		MemoryContext cxt = AllocSetContextCreate(CurrentMemoryContext, "ledger_track keys",
												  ALLOCSET_DEFAULT_SIZES);
		MemoryContext old = MemoryContextSwitchTo(cxt);

		scratch = palloc(sizeof(InsertScratch));
		scratch->cxt = cxt;
		scratch->keys = o2c_keymap_create(expected);
		/* One buffer for every part: the memory touched stays the same. */
		initStringInfo(&scratch->part);
		enlargeStringInfo(&scratch->part, DELTA_PART_BYTES + DELTA_PART_BYTES / 4);
		MemoryContextSwitchTo(old);
	}
	keycxt = scratch->cxt;
	keys = scratch->keys;
	out.buf = scratch->part;
	part_start(&out, c->as_of, 0);
	initStringInfo(&key);

	/* A read pointer of our own: other triggers may read the same table. */
	tuplestore_select_read_pointer(td->tg_newtable,
								   tuplestore_alloc_read_pointer(td->tg_newtable, EXEC_FLAG_REWIND));
	tuplestore_rescan(td->tg_newtable);
	/*
	 * Rows are read in batches so that their customers' lines are fetched
	 * ahead: as a row is read its key is hashed and its slot prefetched;
	 * then each row's key is prefetched; then each row is added, in order.
	 * With many customers every lookup would otherwise wait on memory twice.
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

			/* The key, customer '\0' currency, copied for the same reason. */
			cust = textcol_get(&custcol, v[custcol.att - 1], &custlen);
			cur = textcol_get(&curcol, v[curcol.att - 1], &curlen);
			r->keyoff = key.len;
			r->keylen = custlen + curlen + 1;
			appendBinaryStringInfo(&key, cust, custlen);
			appendStringInfoChar(&key, '\0');
			appendBinaryStringInfo(&key, cur, curlen);
			r->hash = o2c_keymap_hash(key.data + r->keyoff, r->keylen);
			o2c_keymap_prefetch(keys, r->hash);
			MemoryContextSwitchTo(old);
		}
		if (n == 0)
			break;
		for (int i = 0; i < n; i++)
			o2c_keymap_prefetch_key(keys, batch[i].hash);
		for (int i = 0; i < n; i++)
		{
			PendingRow *r = &batch[i];
			int32		idx;
			bool		added;

			/* The map grows in keycxt. */
			MemoryContextSwitchTo(keycxt);
			idx = o2c_keymap_enter_hashed(keys, key.data + r->keyoff, r->keylen, r->hash, &added);
			if (idx < 0)
				ereport(ERROR,
						(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
						 errmsg("ledger_track takes at most %d customers and currencies in one statement",
								O2C_KEYMAP_MAX_KEYS),
						 errhint("Insert the rows in several statements.")));
			MemoryContextSwitchTo(rowcxt);
			if (added)
				out.dict_bytes += r->keylen + 2;

			/* The balance delta, appended. */
			put_varint(&out.buf, (uint64) idx);
			put_varint(&out.buf, zigzag((int64) r->due - c->as_of));
			/* The part's scale: its first amount's (numeric(12,2): 2). */
			if (out.dscale < 0 && r->num == NULL && r->dscale >= 0 && r->dscale <= O2C_SUM_SCALE)
				out.dscale = r->dscale;
			live_put_amount(&out.buf, r->items + 1, r->units, r->dscale, r->num, out.dscale);
			out.rows++;
			if (out.buf.len + out.dict_bytes >= DELTA_PART_BYTES)
			{
				MemoryContextSwitchTo(old);
				part_write(c, &out, keys);
				MemoryContextSwitchTo(rowcxt);
			}
		}
		MemoryContextSwitchTo(old);
		MemoryContextReset(rowcxt);
		CHECK_FOR_INTERRUPTS();
	}
	ExecDropSingleTupleTableSlot(slot);
	part_write(c, &out, keys);
	last_relid = RelationGetRelid(td->tg_relation);
	last_keys = o2c_keymap_count(keys);
	if (out.insert != NULL)
		SPI_freeplan(out.insert);
	MemoryContextDelete(rowcxt);
	/* Kept for the next statement, unless large (or a nested one kept its own). */
	scratch->part = out.buf;
	if (kept_scratch == NULL && MemoryContextMemAllocated(keycxt, true) <= SCRATCH_KEEP_MAX)
	{
		MemoryContextSetParent(keycxt, TopMemoryContext);
		kept_scratch = scratch;
	}
	else
		MemoryContextDelete(keycxt);
}
