/*
 * ledger.c — reading the receivables ledger: the invoices inner query
 * (invoices and credit notes) and the settlements inner query (payments,
 * credit notes applied, discounts, write-offs, adjustments), checked row by
 * row, into compact in-memory items.
 *
 * Per invoice the ledger holds a 40-byte item, its id in an arena (length +
 * 1 bytes), an 8-byte pointer to it and a 12-byte hash slot at most 90% full
 * (13 to 27 bytes): about 80 bytes plus the id (187 MB measured for two
 * million invoices). Customers and currencies are interned once each.
 * Settlements are applied as they are read (open_items) or kept at 16 bytes
 * each (history.c).
 *
 * The ledger concern (src/ledger/), above aging: open items as of a date
 * (open_items.c) and aging over a series of dates (history.c). Reads the
 * caller's rows through inner queries; writes nothing.
 */
#include "postgres.h"

#include "core/o2c.h"
#include "core/innerq.h"
#include "core/options.h"
#include "ledger.h"

#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "tcop/pquery.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

const int64 ledger_pow10[19] = {
	INT64CONST(1), INT64CONST(10), INT64CONST(100), INT64CONST(1000),
	INT64CONST(10000), INT64CONST(100000), INT64CONST(1000000),
	INT64CONST(10000000), INT64CONST(100000000), INT64CONST(1000000000),
	INT64CONST(10000000000), INT64CONST(100000000000),
	INT64CONST(1000000000000), INT64CONST(10000000000000),
	INT64CONST(100000000000000), INT64CONST(1000000000000000),
	INT64CONST(10000000000000000), INT64CONST(100000000000000000),
	INT64CONST(1000000000000000000)
};

/* ---------------------------------------------------------------- interning */

#define PROBE		LEDGER_NONE
#define ARENA_BLOCK	(64 * 1024)

typedef struct StrEntry
{
	uint32		index;
	uint32		hash;
	char		status;
} StrEntry;

static inline const char *
interned(LedgerInterner *in, uint32 i)
{
	return in->chunks[i >> LEDGER_CHUNK_BITS][i & (LEDGER_CHUNK - 1)];
}

static inline uint32
str_hash(LedgerInterner *in, uint32 key)
{
	if (key == PROBE)
		return hash_bytes((const unsigned char *) in->probe, in->probe_len);
	return hash_bytes((const unsigned char *) interned(in, key), strlen(interned(in, key)));
}

/* Only the probe is ever compared with a stored string. */
static inline bool
str_equal(LedgerInterner *in, uint32 a, uint32 b)
{
	const char *s;

	if (a == b)
		return true;
	s = interned(in, a == PROBE ? b : a);
	return memcmp(s, in->probe, in->probe_len) == 0 && s[in->probe_len] == '\0';
}

#define SH_PREFIX strtab
#define SH_ELEMENT_TYPE StrEntry
#define SH_KEY_TYPE uint32
#define SH_KEY index
#define SH_HASH_KEY(tb, key) str_hash((LedgerInterner *) (tb)->private_data, key)
#define SH_EQUAL(tb, a, b) str_equal((LedgerInterner *) (tb)->private_data, a, b)
#define SH_STORE_HASH
#define SH_GET_HASH(tb, a) a->hash
#define SH_SCOPE static inline
#define SH_DECLARE
#define SH_DEFINE
#include "lib/simplehash.h"

typedef struct GrpEntry
{
	uint64		key;
	uint32		group;
	char		status;
} GrpEntry;

#define SH_PREFIX grptab
#define SH_ELEMENT_TYPE GrpEntry
#define SH_KEY_TYPE uint64
#define SH_KEY key
#define SH_HASH_KEY(tb, key) hash_combine(hash_bytes_uint32((uint32) ((key) >> 32)), hash_bytes_uint32((uint32) (key)))
#define SH_EQUAL(tb, a, b) ((a) == (b))
#define SH_SCOPE static inline
#define SH_DECLARE
#define SH_DEFINE
#include "lib/simplehash.h"

static void
interner_init(LedgerInterner *in, MemoryContext ctx, uint32 size)
{
	memset(in, 0, sizeof(*in));
	in->ctx = ctx;
	in->tab = strtab_create(ctx, size, in);
}

const char *
ledger_string(LedgerInterner *in, uint32 i)
{
	return i == LEDGER_NONE ? NULL : interned(in, i);
}

static char *
arena_copy(LedgerInterner *in, const char *s, int len)
{
	char	   *p;

	if ((Size) len + 1 > in->arena_left)
	{
		Size		size = Max(ARENA_BLOCK, (Size) len + 1);

		in->arena = MemoryContextAlloc(in->ctx, size);
		in->arena_left = size;
	}
	p = in->arena;
	memcpy(p, s, len);
	p[len] = '\0';
	in->arena += len + 1;
	in->arena_left -= len + 1;
	return p;
}

/* The index of s, or LEDGER_NONE when absent. */
static uint32
intern_lookup(LedgerInterner *in, const char *s, int len)
{
	StrEntry   *e;

	in->probe = s;
	in->probe_len = len;
	e = strtab_lookup(in->tab, PROBE);
	return e == NULL ? LEDGER_NONE : e->index;
}

/* The index of s, added when new; *found tells which. */
static uint32
intern(LedgerInterner *in, const char *s, int len, bool *found)
{
	StrEntry   *e;
	uint32		i;

	in->probe = s;
	in->probe_len = len;
	e = strtab_insert(in->tab, PROBE, found);
	if (*found)
		return e->index;
	if (in->n >= LEDGER_MAX_ITEMS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("the ledger holds at most %u distinct ids", LEDGER_MAX_ITEMS)));
	i = in->n++;
	if (in->chunks[i >> LEDGER_CHUNK_BITS] == NULL)
		in->chunks[i >> LEDGER_CHUNK_BITS] =
			MemoryContextAlloc(in->ctx, LEDGER_CHUNK * sizeof(char *));
	in->chunks[i >> LEDGER_CHUNK_BITS][i & (LEDGER_CHUNK - 1)] = arena_copy(in, s, len);
	/* The entry now stands for the stored string, not the probe. */
	e->index = i;
	return i;
}

/* ------------------------------------------------------------------ options */

static bool
option_bool(Jsonb *options, const char *key, bool dflt, const char *fname)
{
	JsonbValue *v = o2c_options_get(options, key);

	if (v == NULL)
		return dflt;
	if (v->type != jbvBool)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("option \"%s\" of %s must be true or false", key, fname)));
	return v->val.boolean;
}

void
ledger_parse_options(Jsonb *options, const char *fname, LedgerOptions *opt)
{
	static const char *const known[] = {
		"include_credit_balances", "include_settled", "unknown_settlements", NULL
	};
	JsonbValue *v;

	o2c_options_check_keys(options, known, fname);
	opt->include_credit_balances = option_bool(options, "include_credit_balances", true, fname);
	opt->include_settled = option_bool(options, "include_settled", false, fname);
	opt->skip_unknown = false;
	v = o2c_options_get(options, "unknown_settlements");
	if (v != NULL)
	{
		if (v->type == jbvString && v->val.string.len == 4 &&
			memcmp(v->val.string.val, "skip", 4) == 0)
			opt->skip_unknown = true;
		else if (!(v->type == jbvString && v->val.string.len == 5 &&
				   memcmp(v->val.string.val, "error", 5) == 0))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("option \"unknown_settlements\" of %s must be \"error\" or \"skip\"",
							fname)));
	}
}

/* ------------------------------------------------------------------ ledger */

Ledger *
ledger_create(const char *fname, LedgerOptions *opt)
{
	MemoryContext ctx = AllocSetContextCreate(CurrentMemoryContext, "o2c ledger",
											  ALLOCSET_DEFAULT_SIZES);
	Ledger	   *l = MemoryContextAllocZero(ctx, sizeof(Ledger));

	l->ctx = ctx;
	l->fname = fname;
	l->opt = *opt;
	interner_init(&l->ids, ctx, 16384);
	interner_init(&l->customers, ctx, 256);
	interner_init(&l->currencies, ctx, 16);
	l->grptab = grptab_create(ctx, 256, NULL);
	l->groups_alloc = 256;
	l->groups = MemoryContextAlloc(ctx, l->groups_alloc * sizeof(LedgerGroup));
	return l;
}

static uint32
ledger_group(Ledger *l, uint32 customer, uint32 currency)
{
	bool		found;
	GrpEntry   *e = grptab_insert(l->grptab, ((uint64) customer << 32) | currency, &found);

	if (!found)
	{
		if (l->ngroups == l->groups_alloc)
		{
			l->groups_alloc *= 2;
			l->groups = repalloc_huge(l->groups, l->groups_alloc * sizeof(LedgerGroup));
		}
		l->groups[l->ngroups].customer = customer;
		l->groups[l->ngroups].currency = currency;
		e->group = l->ngroups++;
	}
	return e->group;
}

void
ledger_scale_overflow(Ledger *l, uint32 i)
{
	ereport(ERROR,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 errmsg("amounts of invoice \"%s\" are out of range for %s",
					o2c_quote_cstr(interned(&l->ids, i)), l->fname),
			 errdetail("An invoice's amount and the sum of its settlements must fit in 18 digits with their decimals.")));
}

/* ------------------------------------------------------------ reading rows */

/*
 * Rows arrive at a DestReceiver straight from the executor: no copy of each
 * tuple into an SPI tuple table, which would cost as much as reading it.
 */
typedef struct ReadCtx
{
	DestReceiver pub;
	Ledger	   *l;
	const char *what;			/* "invoices_sql" */
	const char *sql;
	int64		row;			/* 1-based row being read */
	const O2cColSpec *specs;
	int			nspecs;
	O2cCol		cols[8];		/* the longer of the two specs */
	bool		invoices;
	LedgerSettle settle;
	void	   *arg;
	MemoryContext batch;		/* reset every FETCH_ROWS rows */
} ReadCtx;

static void
read_error_context(void *arg)
{
	ReadCtx    *r = arg;

	if (r->row > 0)
		errcontext("row %lld of inner query %s of %s: %s", (long long) r->row,
				   r->what, r->l->fname, o2c_quote_cstr(r->sql));
	else
		errcontext("inner query %s of %s: %s", r->what, r->l->fname, o2c_quote_cstr(r->sql));
}

/* The bytes of an id or text column; false when NULL. */
static bool
col_bytes(const O2cCol *c, TupleTableSlot *slot, const char **s, int *len)
{
	bool		isnull;
	Datum		d;

	if (c->attno == 0)
		return false;
	d = slot_getattr(slot, c->attno, &isnull);
	if (isnull)
		return false;
	if (c->type == TEXTOID || c->type == VARCHAROID || c->type == BPCHAROID)
	{
		struct varlena *v = PG_DETOAST_DATUM_PACKED(d);

		*s = VARDATA_ANY(v);
		*len = VARSIZE_ANY_EXHDR(v);
	}
	else
	{
		*s = OutputFunctionCall((FmgrInfo *) &c->out, d);
		*len = strlen(*s);
	}
	return true;
}

static void
null_value(ReadCtx *r, const char *column, const char *invoice)
{
	if (invoice != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s of invoice \"%s\" is null in %s", column,
						o2c_quote_cstr(invoice), r->what)));
	ereport(ERROR,
			(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
			 errmsg("%s is null in row %lld of %s", column, (long long) r->row, r->what)));
}

/* A date column: NULL allowed or not, never infinite. */
static bool
read_date(ReadCtx *r, const O2cCol *c, TupleTableSlot *slot, const char *column,
		  const char *invoice, bool nullable, DateADT *out)
{
	bool		isnull;
	Datum		d = slot_getattr(slot, c->attno, &isnull);

	*out = isnull ? 0 : DatumGetDateADT(d);
	if (isnull)
	{
		if (!nullable)
			null_value(r, column, invoice);
		return false;
	}
	if (DATE_NOT_FINITE(*out))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("%s of invoice \"%s\" is infinite in %s", column,
						o2c_quote_cstr(invoice), r->what)));
	return true;
}

/* An amount column as an integer at its own display scale (0..8). */
static void
read_amount(ReadCtx *r, const O2cCol *c, TupleTableSlot *slot, const char *invoice,
			int64 *amount, int *scale)
{
	bool		isnull;
	Datum		d = slot_getattr(slot, c->attno, &isnull);
	int128		units;
	int32		dscale;

	if (isnull)
		null_value(r, "amount", invoice);
	*scale = 0;
	switch (c->type)
	{
		case INT2OID:
			*amount = DatumGetInt16(d);
			return;
		case INT4OID:
			*amount = DatumGetInt32(d);
			return;
		case INT8OID:
			*amount = DatumGetInt64(d);
			return;
		default:
			break;
	}
	switch (o2c_numeric_units(d, &units, &dscale))
	{
		case O2C_UNITS_SPECIAL:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid amount of invoice \"%s\" in %s: \"%s\"",
							o2c_quote_cstr(invoice), r->what,
							o2c_num_text(DatumGetNumeric(d))),
					 errdetail("Amounts must be finite numbers.")));
			break;
		case O2C_UNITS_FAST:
			if (dscale <= O2C_SUM_SCALE)
			{
				int128		v = units / ledger_pow10[O2C_SUM_SCALE - dscale];

				if (v >= PG_INT64_MIN && v <= PG_INT64_MAX)
				{
					*amount = (int64) v;
					*scale = dscale;
					return;
				}
			}
			/* FALLTHROUGH */
		case O2C_UNITS_SLOW:
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("amount of invoice \"%s\" is out of range for %s: %s",
							o2c_quote_cstr(invoice), r->l->fname,
							o2c_quote_cstr(o2c_num_text(DatumGetNumeric(d)))),
					 errdetail("Amounts may have at most 8 decimals and, with them, at most 18 digits.")));
	}
}

/* Is kind (len bytes) one of names? */
static bool
kind_is(const char *kind, int len, const char *name)
{
	return (int) strlen(name) == len && memcmp(kind, name, len) == 0;
}

#define FETCH_ROWS 10000

enum
{
	IC_ID, IC_CUSTOMER, IC_INVOICE_DATE, IC_DUE, IC_AMOUNT, IC_CURRENCY, IC_KIND, IC_N
};
static const O2cColSpec invoice_specs[IC_N] = {
	{"invoice_id", O2C_COL_ID, true},
	{"customer_id", O2C_COL_ID, true},
	{"invoice_date", O2C_COL_DATE, true},
	{"due_date", O2C_COL_DATE, true},
	{"amount", O2C_COL_AMOUNT, true},
	{"currency", O2C_COL_ID, true},
	{"kind", O2C_COL_TEXT, false},
};

enum
{
	SC_ID, SC_SETTLED_ON, SC_AMOUNT, SC_KIND, SC_CURRENCY, SC_N
};
static const O2cColSpec settlement_specs[SC_N] = {
	{"invoice_id", O2C_COL_ID, true},
	{"settled_on", O2C_COL_DATE, true},
	{"amount", O2C_COL_AMOUNT, true},
	{"kind", O2C_COL_TEXT, false},
	{"currency", O2C_COL_ID, false},
};

static void
read_invoice(ReadCtx *r, TupleTableSlot *slot)
{
	O2cCol	   *cols = r->cols;
	Ledger	   *l = r->l;
	const char *s;
	int			len;
	bool		found;
	uint32		i,
				customer,
				currency = LEDGER_NONE;
	const char *id;
	LedgerItem *it;
	int64		amount;
	int			scale;

	if (!col_bytes(&cols[IC_ID], slot, &s, &len))
		null_value(r, "invoice_id", NULL);
	i = intern(&l->ids, s, len, &found);
	id = interned(&l->ids, i);
	if (found)
		ereport(ERROR,
				(errcode(ERRCODE_UNIQUE_VIOLATION),
				 errmsg("duplicate invoice_id \"%s\" in %s", o2c_quote_cstr(id), r->what),
				 errdetail("Each invoice or credit note must appear once; its settlements go in settlements_sql.")));
	Assert(i == l->nitems);
	if (l->items[i >> LEDGER_CHUNK_BITS] == NULL)
		l->items[i >> LEDGER_CHUNK_BITS] =
			MemoryContextAlloc(l->ctx, LEDGER_CHUNK * sizeof(LedgerItem));
	l->nitems++;
	it = ledger_item(l, i);
	memset(it, 0, sizeof(LedgerItem));

	if (!col_bytes(&cols[IC_CUSTOMER], slot, &s, &len))
		null_value(r, "customer_id", id);
	customer = intern(&l->customers, s, len, &found);
	if (col_bytes(&cols[IC_CURRENCY], slot, &s, &len))
		currency = intern(&l->currencies, s, len, &found);
	it->group = ledger_group(l, customer, currency);

	read_date(r, &cols[IC_INVOICE_DATE], slot, "invoice_date", id, false, &it->invoice_date);
	if (read_date(r, &cols[IC_DUE], slot, "due_date", id, true, &it->due_date))
		it->flags |= ITEM_HAS_DUE;
	read_amount(r, &cols[IC_AMOUNT], slot, id, &amount, &scale);
	if (col_bytes(&cols[IC_KIND], slot, &s, &len) && !kind_is(s, len, "invoice"))
	{
		if (!kind_is(s, len, "credit_note"))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("unknown kind of invoice \"%s\" in %s: \"%s\"", o2c_quote_cstr(id),
							r->what, o2c_quote_cstr(pnstrdup(s, len))),
					 errhint("Known kinds: invoice, credit_note.")));
		/* A credit note is money owed to the customer, however it is signed. */
		if (amount > 0)
			amount = -amount;
	}
	it->amount = amount;
	it->scale = (int8) scale;
	it->last_settled = DATEVAL_NOBEGIN;
}

static void
read_settlement(ReadCtx *r, TupleTableSlot *slot)
{
	O2cCol	   *cols = r->cols;
	Ledger	   *l = r->l;
	const char *s;
	int			len;
	uint32		i;
	const char *id;
	DateADT		on;
	int64		amount;
	int			scale;

	if (!col_bytes(&cols[SC_ID], slot, &s, &len))
		null_value(r, "invoice_id", NULL);
	i = intern_lookup(&l->ids, s, len);
	if (i == LEDGER_NONE)
	{
		if (!l->opt.skip_unknown)
			ereport(ERROR,
					(errcode(ERRCODE_FOREIGN_KEY_VIOLATION),
					 errmsg("settlement for unknown invoice \"%s\" in %s",
							o2c_quote_cstr(pnstrdup(s, len)), r->what),
					 errdetail("invoices_sql has no invoice with that invoice_id."),
					 errhint("Pass the option {\"unknown_settlements\": \"skip\"} to skip such settlements with a warning.")));
		if (l->unknown++ == 0)
			l->first_unknown = MemoryContextStrdup(l->ctx, pnstrdup(s, len));
		return;
	}
	id = interned(&l->ids, i);
	read_date(r, &cols[SC_SETTLED_ON], slot, "settled_on", id, false, &on);
	read_amount(r, &cols[SC_AMOUNT], slot, id, &amount, &scale);
	if (col_bytes(&cols[SC_KIND], slot, &s, &len) &&
		!kind_is(s, len, "payment") && !kind_is(s, len, "credit_note") &&
		!kind_is(s, len, "discount") && !kind_is(s, len, "write_off") &&
		!kind_is(s, len, "adjustment"))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown kind of settlement of invoice \"%s\" in %s: \"%s\"",
						o2c_quote_cstr(id), r->what, o2c_quote_cstr(pnstrdup(s, len))),
				 errhint("Known kinds: payment, credit_note, discount, write_off, adjustment.")));
	if (col_bytes(&cols[SC_CURRENCY], slot, &s, &len))
	{
		const char *cur = ledger_string(&l->currencies,
										l->groups[ledger_item(l, i)->group].currency);

		if (cur != NULL && !((int) strlen(cur) == len && memcmp(cur, s, len) == 0))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("settlement currency \"%s\" differs from the currency \"%s\" of invoice \"%s\"",
							o2c_quote_cstr(pnstrdup(s, len)), o2c_quote_cstr(cur),
							o2c_quote_cstr(id)),
					 errhint("Convert the settlement into the invoice's currency in settlements_sql.")));
	}
	r->settle(l, i, on, amount, scale, r->arg);
}

static bool
receive_row(TupleTableSlot *slot, DestReceiver *self)
{
	ReadCtx    *r = (ReadCtx *) self;
	MemoryContext old = MemoryContextSwitchTo(r->batch);

	r->row++;
	if (r->invoices)
		read_invoice(r, slot);
	else
		read_settlement(r, slot);
	MemoryContextSwitchTo(old);
	if (r->row % FETCH_ROWS == 0)
		MemoryContextReset(r->batch);
	return true;
}

/* The columns are bound when the result's shape is known, rows or none. */
static void
receive_startup(DestReceiver *self, int operation, TupleDesc typeinfo)
{
	ReadCtx    *r = (ReadCtx *) self;

	o2c_innerq_bind(typeinfo, r->specs, r->nspecs, r->cols,
					psprintf("%s of %s", r->what, r->l->fname), InvalidOid);
}

static void
receive_nothing(DestReceiver *self)
{
}

/*
 * Size the id table for the planner's estimate of the invoices, up to ten
 * million: growing it step by step would copy and zero it many times over.
 */
static void
presize_ids(Ledger *l, Portal portal)
{
	PlannedStmt *ps;
	double		rows;

	if (list_length(portal->stmts) != 1)
		return;
	ps = linitial_node(PlannedStmt, portal->stmts);
	rows = Min(ps->planTree->plan_rows, 10000000.0);
	if (rows > l->ids.tab->size * 0.8)
		strtab_grow(l->ids.tab, (uint64) (rows / 0.8));
}

static void
read_query(Ledger *l, const char *sql, const char *what, const O2cColSpec *specs, int n,
		   bool invoices, LedgerSettle settle, void *arg)
{
	ReadCtx		r;
	ErrorContextCallback cb;
	Portal		portal;

	memset(&r, 0, sizeof(r));
	r.pub.receiveSlot = receive_row;
	r.pub.rStartup = receive_startup;
	r.pub.rShutdown = receive_nothing;
	r.pub.rDestroy = receive_nothing;
	r.pub.mydest = DestNone;
	r.l = l;
	r.what = what;
	r.sql = sql;
	r.specs = specs;
	r.nspecs = n;
	r.invoices = invoices;
	r.settle = settle;
	r.arg = arg;
	r.batch = AllocSetContextCreate(CurrentMemoryContext, "o2c ledger rows",
									ALLOCSET_DEFAULT_SIZES);

	cb.callback = read_error_context;
	cb.arg = &r;
	cb.previous = error_context_stack;
	error_context_stack = &cb;

	/*
	 * A cursor run straight into our receiver: SPI's own execution would add
	 * the whole query text to every error's context.
	 */
	portal = o2c_innerq_open(sql, what, true);
	if (invoices)
		presize_ids(l, portal);
	PortalRunFetch(portal, FETCH_FORWARD, FETCH_ALL, &r.pub);
	SPI_cursor_close(portal);
	MemoryContextDelete(r.batch);
	error_context_stack = cb.previous;
}

void
ledger_read(Ledger *l, const char *invoices_sql, const char *settlements_sql,
			LedgerSettle settle, void *arg)
{
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	read_query(l, invoices_sql, "invoices_sql", invoice_specs, IC_N, true, NULL, NULL);
	read_query(l, settlements_sql, "settlements_sql", settlement_specs, SC_N, false,
			   settle, arg);
	SPI_finish();
	elog(DEBUG1, "%s holds %u invoices, %u customers and %u groups in %zu bytes",
		 l->fname, l->nitems, l->customers.n, l->ngroups,
		 MemoryContextMemAllocated(l->ctx, true));
	if (l->unknown > 0)
		ereport(WARNING,
				(errcode(ERRCODE_WARNING),
				 errmsg("%s skipped %lld settlements for unknown invoices", l->fname,
						(long long) l->unknown),
				 errdetail("The first was for invoice \"%s\".", o2c_quote_cstr(l->first_unknown))));
}

/*
 * Free the invoice id hash table once all rows are read: the ids stay (for
 * messages), and the table's memory can serve what is built next instead of
 * fresh pages.
 */
void
ledger_free_id_table(Ledger *l)
{
	strtab_destroy(l->ids.tab);
	l->ids.tab = NULL;
}

/* ------------------------------------------------------------ group order */

static int
group_cmp(const void *a, const void *b, void *arg)
{
	Ledger	   *l = arg;
	const LedgerGroup *ga = &l->groups[*(const uint32 *) a];
	const LedgerGroup *gb = &l->groups[*(const uint32 *) b];
	int			c;

	if (ga->customer != gb->customer)
	{
		c = strcmp(interned(&l->customers, ga->customer), interned(&l->customers, gb->customer));
		if (c != 0)
			return c;
	}
	if (ga->currency == gb->currency)
		return 0;
	if (ga->currency == LEDGER_NONE)
		return 1;
	if (gb->currency == LEDGER_NONE)
		return -1;
	return strcmp(interned(&l->currencies, ga->currency), interned(&l->currencies, gb->currency));
}

void
ledger_rank_groups(Ledger *l)
{
	uint32	   *order = palloc(Max(l->ngroups, 1) * sizeof(uint32));

	for (uint32 g = 0; g < l->ngroups; g++)
		order[g] = g;
	qsort_arg(order, l->ngroups, sizeof(uint32), group_cmp, l);
	for (uint32 r = 0; r < l->ngroups; r++)
		l->groups[order[r]].rank = r;
	pfree(order);
}
