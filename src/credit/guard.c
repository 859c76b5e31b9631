/*
 * guard.c — o2c.order_guard(), a trigger for any orders table. Arguments map
 * the columns ('order_id=no', 'customer_id=cust', 'amount=total',
 * 'currency=cur', 'hold=on_hold') and choose what happens to an order that
 * fails the credit check (o2c.credit_check's rules):
 *   mode=hold    the order is written with its hold column true and a
 *                waiting row in o2c.credit_hold (the default with hold=);
 *   mode=reject  an error naming the order, the customer and the reasons
 *                (the default without hold=);
 *   mode=record  the order is written; a recorded row in o2c.credit_hold.
 *
 * Forms, as invoice_guard's:
 *  - BEFORE INSERT OR UPDATE FOR EACH ROW: each order is checked against
 *    the exposure without it (its own id left out of the open orders);
 *  - AFTER INSERT (or UPDATE) REFERENCING NEW TABLE ... FOR EACH STATEMENT:
 *    the statement's orders are checked together, customer by customer in
 *    the order they came, against the exposure without them (read once,
 *    leaving out the transition table's ids); the held ones are then
 *    marked by one UPDATE. COPY keeps its batched inserts.
 *
 * Orders already on hold are not checked again; an update that leaves
 * customer, amount and currency alone is not checked either; an order whose
 * hold was released (o2c.release_hold) passes up to the amount released.
 *
 * Concurrency: before reading the exposure, a transaction-level advisory
 * lock is taken per customer (and a shared one on a key of the whole guard;
 * a statement with more than GUARD_MAX_LOCKS customers takes that one
 * exclusively instead), in ascending key order. Under READ COMMITTED each
 * check reads with a fresh snapshot after its lock, so it sees the orders
 * of any transaction that held the lock before: two orders of one customer
 * written at once are checked one after the other.
 */
#include "postgres.h"

#include "core/capture.h"
#include "core/o2c.h"
#include "core/innerq.h"
#include "core/keymap.h"

#include "access/htup_details.h"
#include "access/transam.h"
#include "access/xact.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "common/hashfn.h"
#include "executor/executor.h"
#include "executor/spi.h"
#include "executor/tuptable.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/date.h"
#include "utils/fmgrprotos.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
#include "utils/tuplestore.h"

PG_FUNCTION_INFO_V1(o2c_order_guard);

/* Advisory lock classes: one per customer key, one for the whole guard. */
#define GUARD_LOCK_CUSTOMER 0x6f326372	/* "o2cr" */
#define GUARD_LOCK_ALL		0x6f326373
#define GUARD_MAX_LOCKS		64

enum
{
	O_ORDER, O_CUSTOMER, O_AMOUNT, O_CURRENCY, O_HOLD, O_NCOLS
};

static const char *const col_names[O_NCOLS] = {"order_id", "customer_id", "amount", "currency", "hold"};
static const O2cColKind col_kinds[O_NCOLS] = {O2C_COL_ID, O2C_COL_ID, O2C_COL_AMOUNT, O2C_COL_TEXT, O2C_COL_BOOL};

typedef enum GuardMode
{
	MODE_HOLD, MODE_REJECT, MODE_RECORD
} GuardMode;

static const char *const guard_keys = "order_id, customer_id, amount, currency, hold, mode";

typedef struct OrderGuardConfig
{
	Oid			tgoid;
	Oid			relid;
	int			natts;
	int			att[O_NCOLS];	/* 0 when absent (only hold may be) */
	Oid			type[O_NCOLS];
	FmgrInfo	out[O_NCOLS];	/* for order_id and customer_id */
	GuardMode	mode;
	char	   *source;			/* the table, schema-qualified */
	char	   *nsp;			/* o2c's schema, quoted */
	FmgrInfo	convert;		/* o2c.convert, its rate cache kept per statement */
	Oid			credit_state;	/* what the writer needs: EXECUTE on o2c.credit_state */
	Oid			credit_hold;	/* and SELECT on o2c.credit_hold */
	DateADT		as_of;
} OrderGuardConfig;

typedef struct CustKey
{
	const char *s;
	int			len;
} CustKey;

/* A customer of the statement, and what the check found for it. */
typedef struct CustEntry
{
	/* Read and written per row: kept together at the start. */
	O2cSum		total;			/* its orders' amounts (one currency) */
	char	   *currency;		/* of its first order */
	int			currency_len;
	bool		one_currency;
	int64		last_row;		/* its last checked order */
	/* Per customer */
	int64		first_row;		/* its first checked order */
	char	   *id;
	int32		lock_key;
	/* from o2c.credit_state */
	char	   *limit_currency;
	Numeric		credit_limit;	/* NULL: no limit */
	Numeric		exposure;
	Datum		blocks;			/* text[] */
	bool		has_blocks;
	bool		all_pass;
	Numeric		running;		/* exposure plus the orders passed so far */
} CustEntry;

static int
guard_attnum(Relation rel, const char *arg, const char *colname)
{
	TupleDesc	td = RelationGetDescr(rel);

	for (int i = 0; i < td->natts; i++)
	{
		Form_pg_attribute a = TupleDescAttr(td, i);

		if (!a->attisdropped && strcmp(NameStr(a->attname), colname) == 0)
			return i + 1;
	}
	if (arg != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("order_guard argument \"%s\": column \"%s\" does not exist in table \"%s\"",
						o2c_quote_cstr(arg), o2c_quote_cstr(colname), RelationGetRelationName(rel))));
	return 0;
}

static OrderGuardConfig *
guard_config(FunctionCallInfo fcinfo, TriggerData *td)
{
	Trigger    *tg = td->tg_trigger;
	Relation	rel = td->tg_relation;
	TupleDesc	desc = RelationGetDescr(rel);
	OrderGuardConfig *cfg = fcinfo->flinfo->fn_extra;
	MemoryContext old;
	const char *mode_arg = NULL;
	bool		mode_set = false;
	Oid			nsp,
				fn;
	Oid			argtypes[4] = {NUMERICOID, TEXTOID, TEXTOID, DATEOID};

	if (cfg != NULL && cfg->tgoid == tg->tgoid && cfg->relid == RelationGetRelid(rel) &&
		cfg->natts == desc->natts)
		return cfg;

	old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);
	cfg = palloc0(sizeof(OrderGuardConfig));
	cfg->tgoid = tg->tgoid;
	cfg->relid = RelationGetRelid(rel);
	cfg->natts = desc->natts;

	for (int i = 0; i < tg->tgnargs; i++)
	{
		const char *arg = tg->tgargs[i];
		const char *eq = strchr(arg, '=');
		char	   *key,
				   *val;
		int			k;

		if (eq == NULL || eq == arg || eq[1] == '\0')
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid order_guard argument: \"%s\"", o2c_quote_cstr(arg)),
					 errhint("Arguments are key=value with keys %s.", guard_keys)));
		key = pnstrdup(arg, eq - arg);
		val = pstrdup(eq + 1);
		if (strcmp(key, "mode") == 0)
		{
			if (strcmp(val, "hold") == 0)
				cfg->mode = MODE_HOLD;
			else if (strcmp(val, "reject") == 0)
				cfg->mode = MODE_REJECT;
			else if (strcmp(val, "record") == 0)
				cfg->mode = MODE_RECORD;
			else
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("order_guard argument \"%s\": mode must be hold, reject or record", o2c_quote_cstr(arg))));
			mode_set = true;
			mode_arg = pstrdup(arg);
			continue;
		}
		for (k = 0; k < O_NCOLS; k++)
			if (strcmp(key, col_names[k]) == 0)
				break;
		if (k == O_NCOLS)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("unknown order_guard argument: \"%s\"", o2c_quote_cstr(arg)),
					 errhint("Arguments are key=value with keys %s.", guard_keys)));
		cfg->att[k] = guard_attnum(rel, arg, val);
		cfg->type[k] = getBaseType(TupleDescAttr(desc, cfg->att[k] - 1)->atttypid);
		if (!o2c_col_type_ok(col_kinds[k], cfg->type[k]))
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("order_guard argument \"%s\": column \"%s\" of table \"%s\" has type %s, expected %s",
							o2c_quote_cstr(arg), o2c_quote_cstr(val), RelationGetRelationName(rel),
							format_type_be(cfg->type[k]), o2c_col_kind_name(col_kinds[k]))));
	}

	/* Columns not mapped are matched by their own name; hold only when mapped. */
	for (int k = 0; k < O_HOLD; k++)
	{
		if (cfg->att[k] != 0)
			continue;
		cfg->att[k] = guard_attnum(rel, NULL, col_names[k]);
		if (cfg->att[k] == 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("order_guard on table \"%s\" needs a %s= argument", RelationGetRelationName(rel), col_names[k]),
					 errdetail("The table has no column \"%s\" either.", col_names[k])));
		cfg->type[k] = getBaseType(TupleDescAttr(desc, cfg->att[k] - 1)->atttypid);
		if (!o2c_col_type_ok(col_kinds[k], cfg->type[k]))
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("order_guard: column \"%s\" of table \"%s\" (matched by name) has type %s, expected %s",
							col_names[k], RelationGetRelationName(rel),
							format_type_be(cfg->type[k]), o2c_col_kind_name(col_kinds[k]))));
	}
	if (!mode_set)
		cfg->mode = cfg->att[O_HOLD] != 0 ? MODE_HOLD : MODE_REJECT;
	else if (cfg->mode == MODE_HOLD && cfg->att[O_HOLD] == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("order_guard argument \"%s\" needs a hold= argument", o2c_quote_cstr(mode_arg)),
				 errhint("Name the table's boolean hold column, as in 'hold=on_hold'.")));
	for (int k = 0; k < O_HOLD; k++)
	{
		Oid			outfunc;
		bool		varlena;

		getTypeOutputInfo(cfg->type[k], &outfunc, &varlena);
		fmgr_info_cxt(outfunc, &cfg->out[k], fcinfo->flinfo->fn_mcxt);
	}

	nsp = get_func_namespace(fcinfo->flinfo->fn_oid);
	cfg->nsp = pstrdup(quote_identifier(get_namespace_name(nsp)));
	fn = GetSysCacheOid3(PROCNAMEARGSNSP, Anum_pg_proc_oid, CStringGetDatum("convert"),
						 PointerGetDatum(buildoidvector(argtypes, 4)), ObjectIdGetDatum(nsp));
	if (!OidIsValid(fn))
		elog(ERROR, "function %s.convert is missing", cfg->nsp);
	fmgr_info_cxt(fn, &cfg->convert, fcinfo->flinfo->fn_mcxt);
	{
		Oid			state_args[8] = {TEXTARRAYOID, TEXTARRAYOID, DATEOID, TEXTARRAYOID, TEXTARRAYOID, TEXTARRAYOID,
		NUMERICARRAYOID, BOOLOID};

		cfg->credit_state = GetSysCacheOid3(PROCNAMEARGSNSP, Anum_pg_proc_oid, CStringGetDatum("credit_state"),
											PointerGetDatum(buildoidvector(state_args, 8)), ObjectIdGetDatum(nsp));
		cfg->credit_hold = get_relname_relid("credit_hold", nsp);
		if (!OidIsValid(cfg->credit_state) || !OidIsValid(cfg->credit_hold))
			elog(ERROR, "%s.credit_state or %s.credit_hold is missing", cfg->nsp, cfg->nsp);
	}
	cfg->source = quote_qualified_identifier(get_namespace_name(RelationGetNamespace(rel)),
											 RelationGetRelationName(rel));
	cfg->as_of = GetSQLCurrentDate();
	MemoryContextSwitchTo(old);
	fcinfo->flinfo->fn_extra = cfg;
	return cfg;
}

/*
 * The check runs with the rights of the role writing the orders: a role
 * without o2c_reader's is told so in its own terms, rather than by a
 * permission error on a query of o2c's own.
 */
static void
guard_check_privileges(const OrderGuardConfig *cfg)
{
	Oid			user = GetUserId();

	if (O2C_PROC_ACLCHECK(cfg->credit_state, user, ACL_EXECUTE) != ACLCHECK_OK ||
		pg_class_aclcheck(cfg->credit_hold, user, ACL_SELECT) != ACLCHECK_OK)
	{
		const char *role = GetUserNameFromId(user, false);

		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("role \"%s\" cannot check the credit of orders written to table %s", role, cfg->source),
				 errdetail("order_guard reads the limits, the holds and the exposure (%s.credit_state, %s.credit_hold) with the rights of the role that writes the orders.",
						   cfg->nsp, cfg->nsp),
				 errhint("GRANT o2c_reader TO %s;", quote_identifier(role))));
	}
}

/* The text of an id column's value. */
static char *
id_text(OrderGuardConfig *cfg, int k, Datum d)
{
	if (cfg->type[k] == TEXTOID || cfg->type[k] == VARCHAROID)
		return TextDatumGetCString(d);
	return OutputFunctionCall(&cfg->out[k], d);
}

/* A currency code in upper case (o2c's limits are stored so). */
static char *
currency_text(Datum d)
{
	char	   *s = TextDatumGetCString(d);

	for (char *p = s; *p; p++)
		*p = pg_ascii_toupper((unsigned char) *p);
	return s;
}

/* The customer's key, read in place from a text column (per row, no copy). */
static CustKey
cust_key(OrderGuardConfig *cfg, Datum d)
{
	CustKey		k;

	if (cfg->type[O_CUSTOMER] == TEXTOID || cfg->type[O_CUSTOMER] == VARCHAROID)
	{
		text	   *t = DatumGetTextPP(d);

		k.s = VARDATA_ANY(t);
		k.len = VARSIZE_ANY_EXHDR(t);
	}
	else
	{
		k.s = id_text(cfg, O_CUSTOMER, d);
		k.len = strlen(k.s);
	}
	return k;
}

/* Is the currency column's value cur (upper case, len bytes) in any case? */
static inline bool
currency_is(Datum d, const char *cur, int len)
{
	text	   *t = DatumGetTextPP(d);

	/* Codes usually come in upper case: memcmp first. */
	return VARSIZE_ANY_EXHDR(t) == len &&
		(memcmp(VARDATA_ANY(t), cur, len) == 0 || pg_strncasecmp(VARDATA_ANY(t), cur, len) == 0);
}

/* Add an order's amount: numerics of small scale as integers, in place. */
static void
sum_add_amount(OrderGuardConfig *cfg, O2cSum *sum, Datum d, const char *customer, MemoryContext cxt)
{
	int128		units;
	int32		dscale;

	if (cfg->type[O_AMOUNT] != NUMERICOID)
	{
		Numeric		n = o2c_datum_amount(d, cfg->type[O_AMOUNT]);

		o2c_sum_add_numeric(sum, n, cxt);
		return;
	}
	switch (o2c_numeric_units(d, &units, &dscale))
	{
		case O2C_UNITS_FAST:
			o2c_sum_add_units(sum, units, dscale, cxt);
			break;
		case O2C_UNITS_SLOW:
			o2c_sum_add_numeric(sum, DatumGetNumeric(d), cxt);
			break;
		case O2C_UNITS_SPECIAL:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("order_guard: an order of customer \"%s\" has amount %s",
							o2c_quote_cstr(customer), numeric_normalize(DatumGetNumeric(d)))));
	}
}

static int32
lock_key_of(const char *customer)
{
	return (int32) hash_bytes((const unsigned char *) customer, strlen(customer));
}

static int
cmp_int32(const void *a, const void *b)
{
	int32		x = *(const int32 *) a,
				y = *(const int32 *) b;

	return x < y ? -1 : x > y ? 1 : 0;
}

/* Lock the customers' keys (sorted, distinct), after the guard's own key. */
static void
guard_lock(int32 *keys, int n)
{
	if (n > GUARD_MAX_LOCKS)
	{
		DirectFunctionCall2(pg_advisory_xact_lock_int4, Int32GetDatum(GUARD_LOCK_ALL), Int32GetDatum(0));
		return;
	}
	DirectFunctionCall2(pg_advisory_xact_lock_shared_int4, Int32GetDatum(GUARD_LOCK_ALL), Int32GetDatum(0));
	qsort(keys, n, sizeof(int32), cmp_int32);
	for (int i = 0; i < n; i++)
		if (i == 0 || keys[i] != keys[i - 1])
			DirectFunctionCall2(pg_advisory_xact_lock_int4, Int32GetDatum(GUARD_LOCK_CUSTOMER), Int32GetDatum(keys[i]));
}

static Datum
text_array(char **items, int n)
{
	Datum	   *d = palloc(sizeof(Datum) * Max(n, 1));

	for (int i = 0; i < n; i++)
		d[i] = CStringGetTextDatum(items[i]);
	return PointerGetDatum(construct_array(d, n, TEXTOID, -1, false, TYPALIGN_INT));
}

static Datum
numeric_array(Numeric *items, int n)
{
	Datum	   *d = palloc(sizeof(Datum) * Max(n, 1));

	for (int i = 0; i < n; i++)
		d[i] = NumericGetDatum(items[i]);
	return PointerGetDatum(construct_array(d, n, NUMERICOID, -1, false, TYPALIGN_INT));
}

/*
 * Run o2c.credit_state for the customers (inside SPI) and fill their entries
 * (allocated in cxt): ents[i] is the customer of index i in custs (or
 * ents[0] alone when custs is NULL). exclude: order ids left out of the
 * orders source (row form); given: open orders already summed (statement
 * form), or NULL.
 */
static void
guard_state(OrderGuardConfig *cfg, CustEntry *ents, int n, O2cKeyMap *custs, Datum exclude,
			Datum *given, MemoryContext cxt)
{
	char	  **ids = palloc(sizeof(char *) * n);
	char	  **curs = palloc(sizeof(char *) * n);
	Oid			types[7] = {TEXTARRAYOID, TEXTARRAYOID, DATEOID, TEXTARRAYOID, TEXTARRAYOID,
	TEXTARRAYOID, NUMERICARRAYOID};
	Datum		vals[7];
	char		nulls[7] = {' ', ' ', ' ', ' ', 'n', 'n', 'n'};
	int			rc;

	guard_check_privileges(cfg);
	for (int i = 0; i < n; i++)
	{
		ids[i] = ents[i].id;
		curs[i] = ents[i].currency;
	}
	vals[0] = text_array(ids, n);
	vals[1] = text_array(curs, n);
	vals[2] = DateADTGetDatum(cfg->as_of);
	vals[3] = exclude;
	if (exclude == (Datum) 0)
		nulls[3] = 'n';
	if (given != NULL)
	{
		for (int i = 0; i < 3; i++)
		{
			vals[4 + i] = given[i];
			nulls[4 + i] = ' ';
		}
	}
	rc = SPI_execute_with_args(psprintf("SELECT s.customer_id, s.currency, s.credit_limit, s.exposure, s.blocks "
										"FROM %s.credit_state($1, $2, $3, $4, $5, $6, $7, true) s", cfg->nsp),
							   7, types, vals, nulls, false, 0);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "credit_state failed: %s", SPI_result_code_string(rc));
	for (uint64 r = 0; r < SPI_processed; r++)
	{
		HeapTuple	tup = SPI_tuptable->vals[r];
		TupleDesc	td = SPI_tuptable->tupdesc;
		bool		isnull;
		Datum		d;
		CustEntry  *e = NULL;
		MemoryContext old;

		/* The id is looked up in place (text), without the output function. */
		d = SPI_getbinval(tup, td, 1, &isnull);
		if (!isnull)
		{
			text	   *t = DatumGetTextPP(d);
			const char *id = VARDATA_ANY(t);
			int			len = VARSIZE_ANY_EXHDR(t);

			if (custs != NULL)
			{
				int32		ix = o2c_keymap_find(custs, id, len);

				e = ix >= 0 ? &ents[ix] : NULL;
			}
			else if (strlen(ents[0].id) == len && memcmp(ents[0].id, id, len) == 0)
				e = &ents[0];
		}
		if (e == NULL)
			elog(ERROR, "credit_state returned an unknown customer");
		d = SPI_getbinval(tup, td, 2, &isnull);
		if (isnull)
			elog(ERROR, "credit_state returned no currency");
		old = MemoryContextSwitchTo(cxt);
		e->limit_currency = TextDatumGetCString(d);
		d = SPI_getbinval(tup, td, 3, &isnull);
		e->credit_limit = isnull ? NULL : DatumGetNumericCopy(d);
		d = SPI_getbinval(tup, td, 4, &isnull);
		e->exposure = DatumGetNumericCopy(d);
		d = SPI_getbinval(tup, td, 5, &isnull);
		e->blocks = PointerGetDatum(DatumGetArrayTypePCopy(d));
		e->has_blocks = ArrayGetNItems(ARR_NDIM(DatumGetArrayTypeP(e->blocks)),
									   ARR_DIMS(DatumGetArrayTypeP(e->blocks))) > 0;
		e->running = e->exposure;
		MemoryContextSwitchTo(old);
	}
}

/* An order's amount in its customer's limit currency. */
static Numeric
guard_convert(OrderGuardConfig *cfg, CustEntry *e, Numeric amount, const char *currency)
{
	if (strcmp(currency, e->limit_currency) == 0)
		return amount;
	return DatumGetNumeric(FunctionCall4(&cfg->convert, NumericGetDatum(amount),
										 CStringGetTextDatum(currency),
										 CStringGetTextDatum(e->limit_currency),
										 DateADTGetDatum(cfg->as_of)));
}

static bool
guard_gt(Numeric a, Numeric b)
{
	return DatumGetInt32(DirectFunctionCall2(numeric_cmp, NumericGetDatum(a), NumericGetDatum(b))) > 0;
}

static Numeric
numeric_plus(Numeric a, Numeric b)
{
	return DatumGetNumeric(DirectFunctionCall2(numeric_add, NumericGetDatum(a), NumericGetDatum(b)));
}

/*
 * Check one order of a customer whose state is known: true when it passes
 * (then counted in the running exposure, allocated in cxt); otherwise
 * *reasons is the text[] of reasons.
 */
static bool
guard_order_passes(OrderGuardConfig *cfg, CustEntry *e, Numeric amount, const char *currency,
				   Datum *reasons, MemoryContext cxt)
{
	Numeric		conv,
				after;
	MemoryContext old;

	if (e->has_blocks)
	{
		*reasons = e->blocks;
		return false;
	}
	if (e->credit_limit == NULL)
		return true;
	conv = guard_convert(cfg, e, amount, currency);
	after = numeric_plus(e->running, conv);
	if (guard_gt(after, e->credit_limit))
	{
		char	   *r = "over_limit";

		*reasons = text_array(&r, 1);
		return false;
	}
	old = MemoryContextSwitchTo(cxt);
	e->running = DatumGetNumericCopy(NumericGetDatum(after));
	MemoryContextSwitchTo(old);
	return true;
}

/* Was a hold of this order released, for at least this amount? */
static bool
guard_released(OrderGuardConfig *cfg, SPIPlanPtr *plan, const char *order_id, const char *customer,
			   const char *currency, Numeric amount)
{
	Oid			types[5] = {TEXTOID, TEXTOID, TEXTOID, TEXTOID, NUMERICOID};
	Datum		vals[5] = {CStringGetTextDatum(cfg->source), CStringGetTextDatum(order_id),
	CStringGetTextDatum(customer), CStringGetTextDatum(currency), NumericGetDatum(amount)};
	int			rc;

	/* Prepared once per statement: a bulk load may hold many orders. */
	if (*plan == NULL)
	{
		*plan = SPI_prepare(psprintf("SELECT 1 FROM %s.credit_hold h WHERE h.source OPERATOR(pg_catalog.=) $1 "
									 "AND h.order_id OPERATOR(pg_catalog.=) $2 AND h.customer_id OPERATOR(pg_catalog.=) $3 "
									 "AND h.currency OPERATOR(pg_catalog.=) $4 AND h.amount OPERATOR(pg_catalog.>=) $5 "
									 "AND h.status OPERATOR(pg_catalog.=) 'released' LIMIT 1", cfg->nsp),
							5, types);
		if (*plan == NULL)
			elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
	}
	rc = SPI_execute_plan(*plan, vals, NULL, true, 1);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "credit_hold lookup failed: %s", SPI_result_code_string(rc));
	return SPI_processed > 0;
}

/* The reasons, comma-separated. */
static char *
reasons_text(Datum arr)
{
	Datum	   *items;
	bool	   *nulls;
	int			n;
	StringInfoData buf;

	deconstruct_array(DatumGetArrayTypeP(arr), TEXTOID, -1, false, TYPALIGN_INT, &items, &nulls, &n);
	initStringInfo(&buf);
	for (int i = 0; i < n; i++)
		appendStringInfo(&buf, "%s%s", i > 0 ? ", " : "", nulls[i] ? "" : TextDatumGetCString(items[i]));
	return buf.data;
}

/* Reject (an error), or record the failed check in o2c.credit_hold. */
static void
guard_act(OrderGuardConfig *cfg, SPIPlanPtr *plan, Relation rel, const char *order_id, const char *customer,
		  const char *currency, Numeric amount, CustEntry *e, Datum reasons)
{
	Oid			types[12] = {TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID, NUMERICOID,
	NUMERICOID, NUMERICOID, TEXTOID, TEXTARRAYOID, TEXTOID};
	Datum		vals[12];
	char		nulls[12];
	int			rc;

	if (cfg->mode == MODE_REJECT)
	{
		char	   *list = reasons_text(reasons);

		ereport(ERROR,
				(errcode(ERRCODE_CHECK_VIOLATION),
				 errmsg("order \"%s\" of customer \"%s\" fails the credit check: %s",
						o2c_quote_cstr(order_id), o2c_quote_cstr(customer), list),
				 e->credit_limit != NULL ?
				 errdetail("Exposure %s %s before the order of %s %s; limit %s %s (table %s).",
						   numeric_normalize(e->running), e->limit_currency,
						   numeric_normalize(amount), currency,
						   numeric_normalize(e->credit_limit), e->limit_currency, cfg->source) :
				 errdetail("No credit limit on file (table %s).", cfg->source),
				 errtable(rel)));
	}
	memset(nulls, ' ', sizeof(nulls));
	vals[0] = CStringGetTextDatum(cfg->source);
	vals[1] = CStringGetTextDatum(order_id);
	vals[2] = CStringGetTextDatum(NameStr(TupleDescAttr(RelationGetDescr(rel), cfg->att[O_ORDER] - 1)->attname));
	if (cfg->att[O_HOLD] != 0 && cfg->mode == MODE_HOLD)
		vals[3] = CStringGetTextDatum(NameStr(TupleDescAttr(RelationGetDescr(rel), cfg->att[O_HOLD] - 1)->attname));
	else
		nulls[3] = 'n';
	vals[4] = CStringGetTextDatum(customer);
	vals[5] = CStringGetTextDatum(currency);
	vals[6] = NumericGetDatum(amount);
	vals[7] = NumericGetDatum(e->running);
	if (e->credit_limit != NULL)
		vals[8] = NumericGetDatum(e->credit_limit);
	else
		nulls[8] = 'n';
	vals[9] = CStringGetTextDatum(e->limit_currency);
	vals[10] = reasons;
	vals[11] = CStringGetTextDatum(cfg->mode == MODE_HOLD ? "waiting" : "recorded");
	if (*plan == NULL)
	{
		*plan = SPI_prepare(psprintf("SELECT %s.record_credit_hold($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
									 cfg->nsp), 12, types);
		if (*plan == NULL)
			elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
	}
	rc = SPI_execute_plan(*plan, vals, nulls, false, 0);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "record_credit_hold failed: %s", SPI_result_code_string(rc));
}

/* Row form: returns the row, its hold column set when held. */
static HeapTuple
guard_row_form(OrderGuardConfig *cfg, TriggerData *td)
{
	Relation	rel = td->tg_relation;
	TupleDesc	desc = RelationGetDescr(rel);
	bool		is_update = TRIGGER_FIRED_BY_UPDATE(td->tg_event);
	HeapTuple	tup = is_update ? td->tg_newtuple : td->tg_trigtuple;
	bool		isnull;
	Datum		d;
	char	   *order_id,
			   *customer,
			   *currency;
	Numeric		amount;
	CustEntry	e = {0};
	int32		key;
	bool		held = false;
	Datum		reasons;
	MemoryContext cxt = CurrentMemoryContext;
	SPIPlanPtr	plans[2] = {NULL, NULL};

	if (cfg->att[O_HOLD] != 0)
	{
		d = heap_getattr(tup, cfg->att[O_HOLD], desc, &isnull);
		if (!isnull && DatumGetBool(d))
			return tup;			/* on hold already: waits for release */
	}
	if (is_update)
	{
		/* Re-checked only when what the check reads changed, or on release. */
		bool		same = true;

		for (int k = O_CUSTOMER; k <= O_HOLD && same; k++)
		{
			bool		n1,
						n2;
			Datum		a,
						b;
			Form_pg_attribute att;

			if (cfg->att[k] == 0)
				continue;
			att = TupleDescAttr(desc, cfg->att[k] - 1);
			a = heap_getattr(td->tg_trigtuple, cfg->att[k], desc, &n1);
			b = heap_getattr(tup, cfg->att[k], desc, &n2);
			same = n1 == n2 && (n1 || datumIsEqual(a, b, att->attbyval, att->attlen));
		}
		if (same)
			return tup;
	}
	d = heap_getattr(tup, cfg->att[O_CUSTOMER], desc, &isnull);
	if (isnull)
		return tup;				/* no customer: nothing to check against */
	customer = id_text(cfg, O_CUSTOMER, d);
	d = heap_getattr(tup, cfg->att[O_AMOUNT], desc, &isnull);
	if (isnull)
		return tup;
	amount = o2c_datum_amount(d, cfg->type[O_AMOUNT]);
	if (numeric_is_nan(amount) || numeric_is_inf(amount))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("order_guard: an order of customer \"%s\" has amount %s",
						o2c_quote_cstr(customer), numeric_normalize(amount)),
				 errtable(rel)));
	d = heap_getattr(tup, cfg->att[O_CURRENCY], desc, &isnull);
	if (isnull)
		ereport(ERROR,
				(errcode(ERRCODE_NOT_NULL_VIOLATION),
				 errmsg("order_guard: an order of customer \"%s\" has no currency", o2c_quote_cstr(customer)),
				 errtable(rel)));
	currency = currency_text(d);
	d = heap_getattr(tup, cfg->att[O_ORDER], desc, &isnull);
	if (isnull)
		ereport(ERROR,
				(errcode(ERRCODE_NOT_NULL_VIOLATION),
				 errmsg("order_guard: an order of customer \"%s\" has no order id", o2c_quote_cstr(customer)),
				 errtable(rel)));
	order_id = id_text(cfg, O_ORDER, d);

	key = lock_key_of(customer);
	guard_lock(&key, 1);
	e.id = customer;
	e.currency = currency;
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	guard_state(cfg, &e, 1, NULL, text_array(&order_id, 1), NULL, cxt);
	if (!guard_order_passes(cfg, &e, amount, currency, &reasons, cxt) &&
		!guard_released(cfg, &plans[0], order_id, customer, currency, amount))
	{
		guard_act(cfg, &plans[1], rel, order_id, customer, currency, amount, &e, reasons);
		held = cfg->mode == MODE_HOLD;
	}
	SPI_finish();
	if (held)
	{
		int			col = cfg->att[O_HOLD];
		Datum		v = BoolGetDatum(true);
		bool		n = false;

		tup = heap_modify_tuple_by_cols(tup, desc, 1, &col, &v, &n);
	}
	return tup;
}

/* Statement form: the statement's orders, customer by customer. */
static void
guard_statement_form(OrderGuardConfig *cfg, TriggerData *td)
{
	Relation	rel = td->tg_relation;
	Tuplestorestate *ts = td->tg_newtable;
	TupleTableSlot *slot = MakeSingleTupleTableSlot(RelationGetDescr(rel), &TTSOpsMinimalTuple);
	MemoryContext cxt = AllocSetContextCreate(CurrentMemoryContext, "order_guard", ALLOCSET_DEFAULT_SIZES);
	MemoryContext rowcxt = AllocSetContextCreate(cxt, "order_guard row", ALLOCSET_DEFAULT_SIZES);
	MemoryContext old;
	O2cKeyMap  *custs;
	CustEntry  *ents;			/* by the customer's index in custs */
	int			nents = 0;
	int			ents_cap;
	int32	   *row_cust;		/* per row: its customer's index, or -1 */
	int64		nrows;
	int64		rows_cap;
	int64		first_row = -1,
				last_row = -1;	/* the rows a second pass must read */
	int32	   *keys;
	int			last_att = 0;
	int			a_hold,			/* 0-based column positions; -1: no hold */
				a_cust,
				a_amount,
				a_cur,
				a_order;
	int			ptr;
	List	   *held_ids = NIL;
	Datum	   *held_vals = NULL;	/* their ids as the column holds them */
	int			n_held = 0;
	CustEntry  *e;
	Datum		given[3];
	bool		has_orders;
	CommandId	stmt_cid;
	SPIPlanPtr	plans[2] = {NULL, NULL};	/* released lookup, record_credit_hold */

	/* The statement's rows carry the command id of its snapshot. */
	stmt_cid = ActiveSnapshotSet() ? GetActiveSnapshot()->curcid : GetCurrentCommandId(false);
	for (int k = 0; k < O_NCOLS; k++)
		last_att = Max(last_att, cfg->att[k]);

	/*
	 * The row count bounds the customers, but they are usually far fewer:
	 * the key map starts at most at 1024 and grows.
	 */
	rows_cap = Max(tuplestore_tuple_count(ts), 1);
	old = MemoryContextSwitchTo(cxt);
	custs = o2c_keymap_create(Min(rows_cap, 1024));
	ents_cap = (int) Min(rows_cap, 1024);
	ents = palloc0(sizeof(CustEntry) * ents_cap);
	row_cust = MemoryContextAllocHuge(cxt, sizeof(int32) * rows_cap);
	MemoryContextSwitchTo(old);

	/* A read pointer of our own: other triggers may read the same table. */
	ptr = tuplestore_alloc_read_pointer(ts, EXEC_FLAG_REWIND);

	/*
	 * Pass 1: the customers, and each one's total when in one currency; each
	 * row's customer is remembered so that a second pass needs no lookup.
	 */
	tuplestore_select_read_pointer(ts, ptr);
	tuplestore_rescan(ts);
	/* Column positions in locals: the stores in the loop could alias cfg. */
	a_hold = cfg->att[O_HOLD] - 1;
	a_cust = cfg->att[O_CUSTOMER] - 1;
	a_amount = cfg->att[O_AMOUNT] - 1;
	a_cur = cfg->att[O_CURRENCY] - 1;
	a_order = cfg->att[O_ORDER] - 1;
	for (nrows = 0; tuplestore_gettupleslot(ts, true, false, slot); nrows++)
	{
		Datum	   *values = slot->tts_values;
		bool	   *nulls = slot->tts_isnull;
		CustKey		key;
		int32		ix;
		bool		added;

		if (nrows == rows_cap)
		{
			rows_cap *= 2;
			row_cust = repalloc_huge(row_cust, sizeof(int32) * rows_cap);
		}
		row_cust[nrows] = -1;
		slot_getsomeattrs(slot, last_att);
		if ((a_hold >= 0 && !nulls[a_hold] && DatumGetBool(values[a_hold])) ||
			nulls[a_cust] || nulls[a_amount])
			continue;
		old = MemoryContextSwitchTo(rowcxt);
		if (nulls[a_cur] || nulls[a_order])
			ereport(ERROR,
					(errcode(ERRCODE_NOT_NULL_VIOLATION),
					 errmsg("order_guard: an order of customer \"%s\" has no %s",
							o2c_quote_cstr(id_text(cfg, O_CUSTOMER, values[a_cust])),
							nulls[a_order] ? "order id" : "currency"),
					 errtable(rel)));
		key = cust_key(cfg, values[a_cust]);
		/* The map grows in cxt, not in the row's context. */
		MemoryContextSwitchTo(cxt);
		ix = o2c_keymap_enter(custs, key.s, key.len, &added);
		if (ix < 0)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("order_guard: a statement may write orders of at most %d customers", O2C_KEYMAP_MAX_KEYS)));
		if (added)
		{
			if (ix == ents_cap)
			{
				ents = repalloc_huge(ents, sizeof(CustEntry) * ents_cap * 2);
				memset(&ents[ents_cap], 0, sizeof(CustEntry) * ents_cap);
				ents_cap *= 2;
			}
			e = &ents[ix];
			e->id = (char *) o2c_keymap_key(custs, ix, NULL);
			e->currency = currency_text(values[a_cur]);
			e->currency_len = strlen(e->currency);
			e->one_currency = true;
			o2c_sum_init(&e->total);
			e->lock_key = lock_key_of(e->id);
			e->first_row = nrows;
			nents++;
		}
		MemoryContextSwitchTo(rowcxt);
		e = &ents[ix];
		e->last_row = nrows;
		row_cust[nrows] = ix;
		if (!added && e->one_currency && !currency_is(values[a_cur], e->currency, e->currency_len))
			e->one_currency = false;
		if (e->one_currency)
			sum_add_amount(cfg, &e->total, values[a_amount], e->id, cxt);
		MemoryContextSwitchTo(old);
		MemoryContextReset(rowcxt);
		CHECK_FOR_INTERRUPTS();
	}
	if (nents == 0)
		goto done;

	keys = MemoryContextAlloc(cxt, sizeof(int32) * nents);
	for (int i = 0; i < nents; i++)
		keys[i] = ents[i].lock_key;
	guard_lock(keys, nents);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_register_trigger_data(td) != SPI_OK_TD_REGISTER)
		elog(ERROR, "SPI_register_trigger_data failed");
	/* Declared with an old table too, an UPDATE's capture can be checked. */
	if (TRIGGER_FIRED_BY_UPDATE(td->tg_event) && td->tg_oldtable != NULL)
		o2c_check_update_capture(td->tg_relation, quote_identifier(td->tg_trigger->tgoldtable),
								 quote_identifier(td->tg_trigger->tgnewtable), "order_guard");

	/*
	 * The open orders without this statement's: the orders source is run
	 * here, where the transition table can be named, and left-anti-joined to
	 * it by order id.
	 */
	{
		int			rc = SPI_execute(psprintf("SELECT s.query FROM %s.credit_source s WHERE s.source OPERATOR(pg_catalog.=) 'orders'",
											  cfg->nsp), true, 1);
		char	  **oc = NULL,
				  **occ = NULL;
		Numeric    *oa = NULL;
		int			no = 0;

		if (rc != SPI_OK_SELECT)
			elog(ERROR, "credit_source lookup failed");
		has_orders = SPI_processed > 0;
		if (has_orders)
		{
			char	   *q = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
			char	  **ids = palloc(sizeof(char *) * nents);
			Oid			t = TEXTARRAYOID;
			Datum		v;

			for (int i = 0; i < nents; i++)
				ids[i] = ents[i].id;
			v = text_array(ids, nents);
			if (TRIGGER_FIRED_BY_INSERT(td->tg_event))
			{
				/*
				 * A snapshot taken now (after the locks: it sees the orders
				 * committed before them) that leaves out the rows this
				 * statement wrote, as its command id does: cheaper than
				 * reading them back and joining them away.
				 */
				SPIPlanPtr	plan = SPI_prepare(psprintf("SELECT q.customer_id::text, q.currency::text, "
														"pg_catalog.sum(q.amount)::pg_catalog.numeric FROM (%s) q "
														"WHERE q.customer_id::text OPERATOR(pg_catalog.=) ANY ($1) GROUP BY 1, 2", q),
											   1, &t);
				Snapshot	snap;

				if (plan == NULL)
					elog(ERROR, "SPI_prepare failed for the orders query: %s", SPI_result_code_string(SPI_result));
				snap = RegisterSnapshot(GetLatestSnapshot());
				snap->curcid = stmt_cid;
				rc = SPI_execute_snapshot(plan, &v, NULL, snap, InvalidSnapshot, true, false, 0);
				UnregisterSnapshot(snap);
			}
			else
			{
				/*
				 * An update's old row versions are still visible to such a
				 * snapshot: leave the statement's orders out by id instead.
				 */
				rc = SPI_execute_with_args(psprintf("SELECT q.customer_id::text, q.currency::text, "
													"pg_catalog.sum(q.amount)::pg_catalog.numeric FROM (%s) q "
													"WHERE q.customer_id::text OPERATOR(pg_catalog.=) ANY ($1) "
													"AND NOT EXISTS (SELECT FROM %s n WHERE n.%s::text OPERATOR(pg_catalog.=) q.order_id::text) "
													"GROUP BY 1, 2",
													q, quote_identifier(td->tg_trigger->tgnewtable),
													quote_identifier(NameStr(TupleDescAttr(RelationGetDescr(rel), cfg->att[O_ORDER] - 1)->attname))),
										   1, &t, &v, NULL, false, 0);
			}
			if (rc != SPI_OK_SELECT)
				elog(ERROR, "the orders query failed: %s", SPI_result_code_string(rc));
			oc = palloc(sizeof(char *) * Max(SPI_processed, 1));
			occ = palloc(sizeof(char *) * Max(SPI_processed, 1));
			oa = palloc(sizeof(Numeric) * Max(SPI_processed, 1));
			/* Rows without a currency or amount add nothing, as in credit_state. */
			for (uint64 i = 0, rows = SPI_processed; i < rows; i++)
			{
				bool		isnull;
				Datum		d;

				d = SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 3, &isnull);
				occ[no] = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 2);
				if (isnull || occ[no] == NULL)
					continue;
				oc[no] = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1);
				oa[no++] = DatumGetNumeric(d);
			}
		}
		given[0] = text_array(oc, no);
		given[1] = text_array(occ, no);
		given[2] = numeric_array(oa, no);
	}
	guard_state(cfg, ents, nents, custs, (Datum) 0, given, cxt);

	/* Customers whose orders all fit, in one currency, need no second pass. */
	for (int i = 0; i < nents; i++)
	{
		e = &ents[i];
		if (e->has_blocks)
			e->all_pass = false;
		else if (e->credit_limit == NULL)
			e->all_pass = true;
		else if (e->one_currency && strcmp(e->currency, e->limit_currency) == 0)
			e->all_pass = !guard_gt(numeric_plus(e->exposure, o2c_sum_numeric(&e->total, 2)),
									  e->credit_limit);
		else
			e->all_pass = false;
		if (!e->all_pass)
		{
			if (first_row < 0 || e->first_row < first_row)
				first_row = e->first_row;
			last_row = Max(last_row, e->last_row);
		}
	}

	/*
	 * Pass 2: order by order, for the customers that may not all pass; the
	 * other rows are stepped over without being read into the slot.
	 */
	if (first_row >= 0)
	{
		tuplestore_select_read_pointer(ts, ptr);
		tuplestore_rescan(ts);
		if (first_row > 0 && !tuplestore_skiptuples(ts, first_row, true))
			elog(ERROR, "order_guard: the transition table is shorter than in the first pass");
		for (int64 r = first_row; r <= last_row; r++)
		{
			char	   *customer,
					   *currency,
					   *order_id;
			Numeric		amount;
			Datum		reasons;
			int32		ix = row_cust[r];

			if (ix < 0 || ents[ix].all_pass)
			{
				if (!tuplestore_advance(ts, true))
					elog(ERROR, "order_guard: the transition table is shorter than in the first pass");
				continue;
			}
			if (!tuplestore_gettupleslot(ts, true, false, slot))
				elog(ERROR, "order_guard: the transition table is shorter than in the first pass");
			slot_getsomeattrs(slot, last_att);
			e = &ents[ix];
			old = MemoryContextSwitchTo(rowcxt);
			customer = e->id;
			currency = currency_text(slot->tts_values[cfg->att[O_CURRENCY] - 1]);
			amount = o2c_datum_amount(slot->tts_values[cfg->att[O_AMOUNT] - 1], cfg->type[O_AMOUNT]);
			order_id = id_text(cfg, O_ORDER, slot->tts_values[cfg->att[O_ORDER] - 1]);
			if (!guard_order_passes(cfg, e, amount, currency, &reasons, cxt) &&
				!guard_released(cfg, &plans[0], order_id, customer, currency, amount))
			{
				guard_act(cfg, &plans[1], rel, order_id, customer, currency, amount, e, reasons);
				if (cfg->mode == MODE_HOLD)
				{
					MemoryContextSwitchTo(cxt);
					held_ids = lappend(held_ids, pstrdup(order_id));
					held_vals = held_vals == NULL ? palloc(sizeof(Datum) * 64) :
						(n_held % 64 == 0 ? repalloc(held_vals, sizeof(Datum) * (n_held + 64)) : held_vals);
					held_vals[n_held++] = datumCopy(slot->tts_values[cfg->att[O_ORDER] - 1],
													TupleDescAttr(RelationGetDescr(rel), cfg->att[O_ORDER] - 1)->attbyval,
													TupleDescAttr(RelationGetDescr(rel), cfg->att[O_ORDER] - 1)->attlen);
				}
			}
			MemoryContextSwitchTo(old);
			MemoryContextReset(rowcxt);
			CHECK_FOR_INTERRUPTS();
		}
	}

	/*
	 * The held orders' hold column, in one UPDATE. It fires this trigger
	 * again when it is also AFTER UPDATE; those rows are on hold and skipped.
	 */
	if (held_ids != NIL)
	{
		char	  **ids = palloc(sizeof(char *) * list_length(held_ids));
		int			n = 0;
		ListCell   *lc;
		Oid			t = TEXTARRAYOID;
		Datum		v;
		TupleDesc	desc = RelationGetDescr(rel);
		int			rc;

		Oid			base = cfg->type[O_ORDER];
		Oid			arr = get_array_type(base);
		const char *cast = "::text";

		if (OidIsValid(arr) && base < FirstNormalObjectId)
		{
			/* A built-in type (its = is pg_catalog's): its index, no cast per row. */
			int16		typlen;
			bool		typbyval;
			char		typalign;

			get_typlenbyvalalign(base, &typlen, &typbyval, &typalign);
			v = PointerGetDatum(construct_array(held_vals, n_held, base, typlen, typbyval, typalign));
			t = arr;
			cast = "";
		}
		else
		{
			foreach(lc, held_ids)
				ids[n++] = lfirst(lc);
			v = text_array(ids, n);
		}
		rc = SPI_execute_with_args(psprintf("UPDATE %s SET %s = true WHERE %s%s OPERATOR(pg_catalog.=) ANY ($1)",
											cfg->source,
											quote_identifier(NameStr(TupleDescAttr(desc, cfg->att[O_HOLD] - 1)->attname)),
											quote_identifier(NameStr(TupleDescAttr(desc, cfg->att[O_ORDER] - 1)->attname)),
											cast),
								   1, &t, &v, NULL, false, 0);
		if (rc != SPI_OK_UPDATE)
			elog(ERROR, "marking held orders failed: %s", SPI_result_code_string(rc));
	}
	SPI_finish();
done:
	ExecDropSingleTupleTableSlot(slot);
	MemoryContextDelete(cxt);
}

Datum
o2c_order_guard(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	OrderGuardConfig *cfg;
	bool		by_insert_or_update;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("order_guard must be called as a trigger")));
	by_insert_or_update = TRIGGER_FIRED_BY_INSERT(td->tg_event) ||
		TRIGGER_FIRED_BY_UPDATE(td->tg_event);
	if (by_insert_or_update && TRIGGER_FIRED_BEFORE(td->tg_event) &&
		TRIGGER_FIRED_FOR_ROW(td->tg_event))
	{
		cfg = guard_config(fcinfo, td);
		return PointerGetDatum(guard_row_form(cfg, td));
	}
	if (by_insert_or_update && TRIGGER_FIRED_AFTER(td->tg_event) &&
		TRIGGER_FIRED_FOR_STATEMENT(td->tg_event))
	{
		if (td->tg_newtable == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
					 errmsg("order_guard trigger \"%s\" fired FOR EACH STATEMENT needs a transition table",
							td->tg_trigger->tgname),
					 errhint("Declare it AFTER INSERT REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT.")));
		cfg = guard_config(fcinfo, td);
		guard_statement_form(cfg, td);
		return PointerGetDatum(NULL);
	}
	ereport(ERROR,
			(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
			 errmsg("order_guard trigger \"%s\" must be fired BEFORE INSERT OR UPDATE FOR EACH ROW, or AFTER INSERT or AFTER UPDATE FOR EACH STATEMENT",
					td->tg_trigger->tgname),
			 errhint("The statement form is declared AFTER INSERT REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT.")));
	PG_RETURN_NULL();			/* not reached */
}
