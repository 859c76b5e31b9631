/*
 * guard.c — o2c.invoice_guard(), a trigger for any invoice table. Its
 * arguments map the table's columns ('amount=total', 'due_date=due',
 * 'iban=payer_iban', ...) and choose 'mode=reject' (default: an error naming
 * the rule and the row key) or 'mode=record' (the row goes in; a row goes
 * into o2c.finding). It checks the single-row rules of quality_scan.
 *
 * It is attached in one of two forms:
 *  - BEFORE INSERT OR UPDATE FOR EACH ROW: it also normalizes IBAN columns
 *    in place, and 'terms=COLUMN' (o2c.terms, or text holding terms) fills a
 *    NULL due date from the terms and the invoice date;
 *  - AFTER INSERT (or AFTER UPDATE) REFERENCING NEW TABLE ... FOR EACH
 *    STATEMENT: it checks the statement's new rows from the transition
 *    table and changes nothing. PostgreSQL's COPY inserts row by row
 *    whenever a table has a BEFORE ROW trigger, but keeps its batched
 *    inserts with this form, so bulk loads cost little more than without a
 *    trigger.
 * In both forms 'terms=' turns on terms_due_mismatch for a due date that
 * differs from the terms; 'calendar=NAME' moves those due dates by the
 * calendar's default convention.
 *
 * The configuration is parsed and checked against the table at the first
 * row of each statement and kept in fn_extra, so COPY pays it once; each row
 * is deformed once and read from the cached attribute numbers.
 */
#include "postgres.h"

#include "quality.h"
#include "core/capture.h"
#include "terms/termtype.h"
#include "validate.h"

#include "access/htup_details.h"
#include "catalog/pg_index.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/executor.h"
#include "executor/spi.h"
#include "executor/tuptable.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/hsearch.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/syscache.h"
#include "utils/tuplestore.h"

PG_FUNCTION_INFO_V1(o2c_invoice_guard);

enum
{
	G_INVOICE_ID, G_CUSTOMER, G_INVOICE_DATE, G_DUE_DATE, G_AMOUNT, G_OPEN,
	G_CURRENCY, G_NCOLS
};

static const O2cColSpec guard_cols[G_NCOLS] = {
	[G_INVOICE_ID] = {"invoice_id", O2C_COL_ID, false},
	[G_CUSTOMER] = {"customer_id", O2C_COL_ID, false},
	[G_INVOICE_DATE] = {"invoice_date", O2C_COL_DATE, false},
	[G_DUE_DATE] = {"due_date", O2C_COL_DATE, false},
	[G_AMOUNT] = {"amount", O2C_COL_AMOUNT, false},
	[G_OPEN] = {"open_amount", O2C_COL_AMOUNT, false},
	[G_CURRENCY] = {"currency", O2C_COL_TEXT, false},
};

#define GUARD_MAX_IBAN 8

/*
 * Terms held as text are parsed once per distinct text per statement: a
 * table has a handful of terms ("NET 30", "2/10 NET 30"), and parsing them
 * on every row was the slow part of filling due dates. The parse depends on
 * the text alone, so an entry never goes stale. Texts of 64 bytes or more,
 * and any beyond the first 512 distinct ones, are parsed each time.
 */
#define TERMS_CACHE_KEY 64
#define TERMS_CACHE_MAX 512

typedef struct TermsCacheEntry
{
	char		key[TERMS_CACHE_KEY];	/* the terms text, NUL-padded */
	int			nparts;			/* 0: not terms */
	O2cTermPart parts[O2C_TERMS_MAX_PARTS];
	char	   *invalid;		/* the invalid_terms detail, or NULL */
} TermsCacheEntry;

typedef struct GuardConfig
{
	Oid			tgoid;			/* the cache is for this trigger on this table */
	Oid			relid;
	int			att[G_NCOLS];	/* 0 when not mapped */
	Oid			type[G_NCOLS];
	int			iban_att[GUARD_MAX_IBAN];
	bool		iban_is_text[GUARD_MAX_IBAN];
	int			n_iban;
	int			terms_att;		/* 0 when no terms= */
	Oid			terms_col_type;
	Oid			terms_type;		/* o2c.terms */
	HTAB	   *terms_cache;	/* text terms parsed so far (TermsCacheEntry) */
	text	   *cal_name;		/* NULL when no calendar= */
	char	   *cal_cstr;
	char	   *cal_arg;
	FmgrInfo	cal_flinfo;		/* holds the calendar cache reference */
	int			key_att[INDEX_MAX_KEYS];
	FmgrInfo	key_out[INDEX_MAX_KEYS];
	int			n_key;
	bool		record;
	bool		enabled[O2C_RULE_COUNT];
	char	   *source;
	FmgrInfo	record_fn;
	DateADT		as_of;
	bool		customer_is_text;
	int			last_att;		/* the last column read, keys included */
	int			natts;			/* the table's columns, dropped ones included */
	Datum	   *values;			/* one row, deformed once per row */
	bool	   *nulls;
} GuardConfig;

static const char *const guard_keys =
"invoice_id, customer_id, invoice_date, due_date, amount, open_amount, currency, iban, mode, rules, terms, calendar, credit_notes";

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
				 errmsg("invoice_guard argument \"%s\": column \"%s\" does not exist in table \"%s\"",
						o2c_quote_cstr(arg), o2c_quote_cstr(colname), RelationGetRelationName(rel))));
	return 0;
}

static void
guard_check_type(Relation rel, const char *arg, const char *colname,
				 O2cColKind kind, Oid type)
{
	if (!o2c_col_type_ok(kind, type))
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("invoice_guard argument \"%s\": column \"%s\" of table \"%s\" has type %s, expected %s",
						o2c_quote_cstr(arg), o2c_quote_cstr(colname), RelationGetRelationName(rel),
						format_type_be(type), o2c_col_kind_name(kind))));
}

static void
guard_arg_context(void *arg)
{
	errcontext("invoice_guard argument \"%s\"", o2c_quote_cstr((const char *) arg));
}

static void
guard_rules(GuardConfig *cfg, const char *arg, const char *list)
{
	char	   *copy = pstrdup(list);
	char	   *tok,
			   *save = NULL;

	memset(cfg->enabled, 0, sizeof(cfg->enabled));
	for (tok = strtok_r(copy, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save))
	{
		int			r = o2c_rule_lookup(tok);

		if (r < 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invoice_guard argument \"%s\": unknown rule \"%s\"",
							o2c_quote_cstr(arg), o2c_quote_cstr(tok))));
		if (r == O2C_RULE_DUPLICATE_NUMBER || r == O2C_RULE_SUSPECTED_DUPLICATE)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invoice_guard argument \"%s\": rule \"%s\" compares rows and cannot run in a row trigger",
							o2c_quote_cstr(arg), tok),
					 errhint("Use o2c.quality_scan or o2c.duplicate_invoices for it.")));
		cfg->enabled[r] = true;
	}
}

static GuardConfig *
guard_config(FunctionCallInfo fcinfo, TriggerData *td)
{
	Trigger    *tg = td->tg_trigger;
	Relation	rel = td->tg_relation;
	TupleDesc	desc = RelationGetDescr(rel);
	GuardConfig *cfg = fcinfo->flinfo->fn_extra;
	MemoryContext old;
	bool		mapped[G_NCOLS] = {0};
	Oid			nsp,
				iban_type;
	bool		explicit_rules = false;
	const char *terms_arg = NULL;
	bool		credit_notes = true;
	bool		credit_notes_set = false;

	if (cfg != NULL && cfg->tgoid == tg->tgoid && cfg->relid == RelationGetRelid(rel) &&
		cfg->natts == desc->natts)
		return cfg;

	old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);
	cfg = palloc0(sizeof(GuardConfig));
	cfg->tgoid = tg->tgoid;
	cfg->relid = RelationGetRelid(rel);
	for (int r = 0; r < O2C_RULE_COUNT; r++)
		cfg->enabled[r] = r != O2C_RULE_DUPLICATE_NUMBER && r != O2C_RULE_SUSPECTED_DUPLICATE &&
			o2c_rule_on_by_default(r);

	nsp = get_func_namespace(fcinfo->flinfo->fn_oid);
	iban_type = GetSysCacheOid2(TYPENAMENSP, Anum_pg_type_oid,
								CStringGetDatum("iban"), ObjectIdGetDatum(nsp));

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
					 errmsg("invalid invoice_guard argument: \"%s\"", o2c_quote_cstr(arg)),
					 errhint("Arguments are key=value with keys %s.", guard_keys)));
		key = pnstrdup(arg, eq - arg);
		val = pstrdup(eq + 1);

		if (strcmp(key, "mode") == 0)
		{
			if (strcmp(val, "reject") == 0)
				cfg->record = false;
			else if (strcmp(val, "record") == 0)
				cfg->record = true;
			else
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("invoice_guard argument \"%s\": mode must be reject or record", o2c_quote_cstr(arg))));
			continue;
		}
		if (strcmp(key, "rules") == 0)
		{
			guard_rules(cfg, arg, val);
			explicit_rules = true;
			continue;
		}
		if (strcmp(key, "terms") == 0)
		{
			int			att = guard_attnum(rel, arg, val);
			Oid			t = TupleDescAttr(desc, att - 1)->atttypid;

			cfg->terms_type = o2c_terms_type(nsp);
			if (t != cfg->terms_type && t != TEXTOID && t != VARCHAROID)
				ereport(ERROR,
						(errcode(ERRCODE_DATATYPE_MISMATCH),
						 errmsg("invoice_guard argument \"%s\": column \"%s\" of table \"%s\" has type %s, expected o2c.terms or text",
								o2c_quote_cstr(arg), o2c_quote_cstr(val), RelationGetRelationName(rel), format_type_be(t))));
			cfg->terms_att = att;
			cfg->terms_col_type = t;
			terms_arg = pstrdup(arg);
			continue;
		}
		if (strcmp(key, "credit_notes") == 0)
		{
			bool		allowed;

			if (!parse_bool(val, &allowed))
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("invoice_guard argument \"%s\": credit_notes must be true or false", o2c_quote_cstr(arg))));
			credit_notes_set = true;
			credit_notes = allowed;
			continue;
		}
		if (strcmp(key, "calendar") == 0)
		{
			cfg->cal_name = cstring_to_text(val);
			cfg->cal_cstr = pstrdup(val);
			cfg->cal_arg = pstrdup(arg);
			continue;
		}
		if (strcmp(key, "iban") == 0)
		{
			int			att = guard_attnum(rel, arg, val);
			Oid			t = TupleDescAttr(desc, att - 1)->atttypid;

			if (cfg->n_iban == GUARD_MAX_IBAN)
				ereport(ERROR,
						(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
						 errmsg("invoice_guard argument \"%s\": at most %d iban columns", o2c_quote_cstr(arg), GUARD_MAX_IBAN)));
			cfg->iban_att[cfg->n_iban] = att;
			cfg->iban_is_text[cfg->n_iban] = (t == TEXTOID || t == VARCHAROID);
			if (t != iban_type && !cfg->iban_is_text[cfg->n_iban])
				ereport(ERROR,
						(errcode(ERRCODE_DATATYPE_MISMATCH),
						 errmsg("invoice_guard argument \"%s\": column \"%s\" of table \"%s\" has type %s, expected text or o2c.iban",
								o2c_quote_cstr(arg), o2c_quote_cstr(val), RelationGetRelationName(rel), format_type_be(t))));
			cfg->n_iban++;
			continue;
		}
		for (k = 0; k < G_NCOLS; k++)
			if (strcmp(key, guard_cols[k].name) == 0)
				break;
		if (k == G_NCOLS)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("unknown invoice_guard argument: \"%s\"", o2c_quote_cstr(arg)),
					 errhint("Arguments are key=value with keys %s.", guard_keys)));
		cfg->att[k] = guard_attnum(rel, arg, val);
		cfg->type[k] = TupleDescAttr(desc, cfg->att[k] - 1)->atttypid;
		guard_check_type(rel, arg, val, guard_cols[k].kind, cfg->type[k]);
		mapped[k] = true;
	}

	/* Columns not mapped are matched by their own name when present. */
	for (int k = 0; k < G_NCOLS; k++)
	{
		if (mapped[k])
			continue;
		cfg->att[k] = guard_attnum(rel, NULL, guard_cols[k].name);
		if (cfg->att[k] != 0)
		{
			char	   *arg = psprintf("%s (matched by name)", guard_cols[k].name);

			cfg->type[k] = TupleDescAttr(desc, cfg->att[k] - 1)->atttypid;
			guard_check_type(rel, arg, guard_cols[k].name, guard_cols[k].kind,
							 cfg->type[k]);
		}
	}

	/* Terms need both dates; a calendar needs terms. */
	if (terms_arg != NULL && (cfg->att[G_INVOICE_DATE] == 0 || cfg->att[G_DUE_DATE] == 0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invoice_guard argument \"%s\" needs an invoice date and a due date column in table \"%s\"",
						o2c_quote_cstr(terms_arg), RelationGetRelationName(rel)),
				 errhint("Map them with invoice_date= and due_date=.")));
	if (credit_notes_set && credit_notes && explicit_rules && cfg->enabled[O2C_RULE_NEGATIVE_AMOUNT])
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invoice_guard argument credit_notes=true contradicts rule \"negative_amount\"")));
	if (credit_notes_set && !credit_notes)
		cfg->enabled[O2C_RULE_NEGATIVE_AMOUNT] = true;
	if (cfg->cal_name != NULL && terms_arg == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invoice_guard argument \"%s\" needs a terms= argument", o2c_quote_cstr(cfg->cal_arg)),
				 errdetail("The calendar only moves due dates filled or checked from payment terms.")));
	if (explicit_rules && cfg->enabled[O2C_RULE_TERMS_DUE_MISMATCH] && terms_arg == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invoice_guard rule \"terms_due_mismatch\" needs a terms= argument"),
				 errhint("Name the table's payment terms column, as in 'terms=payment_terms'.")));
	if (explicit_rules && cfg->enabled[O2C_RULE_INVALID_TERMS] && terms_arg == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invoice_guard rule \"invalid_terms\" needs a terms= argument"),
				 errhint("Name the table's payment terms column, as in 'terms=payment_terms'.")));
	if (terms_arg == NULL)
		cfg->enabled[O2C_RULE_TERMS_DUE_MISMATCH] = cfg->enabled[O2C_RULE_INVALID_TERMS] = false;
	if (cfg->cal_name != NULL)
	{
		ErrorContextCallback ctx;

		/* An unknown calendar is an error now, at the first row. */
		cfg->cal_flinfo.fn_mcxt = fcinfo->flinfo->fn_mcxt;
		ctx.callback = guard_arg_context;
		ctx.arg = cfg->cal_arg;
		ctx.previous = error_context_stack;
		error_context_stack = &ctx;
		(void) o2c_calendar_lookup(&cfg->cal_flinfo, cfg->cal_name);
		error_context_stack = ctx.previous;
	}

	/* The row key: invoice_id, or else the primary key. */
	if (cfg->att[G_INVOICE_ID] != 0)
	{
		cfg->key_att[0] = cfg->att[G_INVOICE_ID];
		cfg->n_key = 1;
	}
	else
	{
		Oid			pk = O2C_PRIMARY_KEY_INDEX(rel);
		HeapTuple	itup;
		Form_pg_index idx;

		if (!OidIsValid(pk))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invoice_guard on table \"%s\" needs an invoice_id= argument or a primary key",
							RelationGetRelationName(rel)),
					 errdetail("Findings and errors name the row by its key.")));
		itup = SearchSysCache1(INDEXRELID, ObjectIdGetDatum(pk));
		if (!HeapTupleIsValid(itup))
			elog(ERROR, "cache lookup failed for index %u", pk);
		idx = (Form_pg_index) GETSTRUCT(itup);
		for (int i = 0; i < idx->indnkeyatts; i++)
			cfg->key_att[cfg->n_key++] = idx->indkey.values[i];
		ReleaseSysCache(itup);
	}
	for (int i = 0; i < cfg->n_key; i++)
	{
		Oid			outfunc;
		bool		varlena;

		getTypeOutputInfo(TupleDescAttr(desc, cfg->key_att[i] - 1)->atttypid,
						  &outfunc, &varlena);
		fmgr_info_cxt(outfunc, &cfg->key_out[i], fcinfo->flinfo->fn_mcxt);
	}

	/* Rules whose columns are not there are off. */
	if (cfg->att[G_CUSTOMER] == 0)
		cfg->enabled[O2C_RULE_MISSING_CUSTOMER] = false;
	if (cfg->att[G_AMOUNT] == 0)
		cfg->enabled[O2C_RULE_ZERO_AMOUNT] = cfg->enabled[O2C_RULE_NEGATIVE_AMOUNT] =
			cfg->enabled[O2C_RULE_OPEN_EXCEEDS_AMOUNT] = false;
	if (cfg->att[G_INVOICE_DATE] == 0)
		cfg->enabled[O2C_RULE_DUE_BEFORE_INVOICE] = cfg->enabled[O2C_RULE_FUTURE_INVOICE_DATE] = false;
	if (cfg->att[G_DUE_DATE] == 0)
		cfg->enabled[O2C_RULE_DUE_BEFORE_INVOICE] = false;
	if (cfg->att[G_CURRENCY] == 0)
		cfg->enabled[O2C_RULE_INVALID_CURRENCY] = false;
	if (cfg->att[G_OPEN] == 0)
		cfg->enabled[O2C_RULE_OPEN_EXCEEDS_AMOUNT] = cfg->enabled[O2C_RULE_NEGATIVE_OPEN] = false;
	if (cfg->n_iban == 0)
		cfg->enabled[O2C_RULE_INVALID_IBAN] = false;

	cfg->source = quote_qualified_identifier(get_namespace_name(RelationGetNamespace(rel)),
											 RelationGetRelationName(rel));
	if (cfg->record)
	{
		/*
		 * Found in o2c's own schema by the catalog, not by name lookup: the
		 * role writing invoices needs no USAGE on schema o2c.
		 */
		Oid			argtypes[5] = {TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID};
		Oid			fn = GetSysCacheOid3(PROCNAMEARGSNSP, Anum_pg_proc_oid,
										 CStringGetDatum("record_finding"),
										 PointerGetDatum(buildoidvector(argtypes, 5)),
										 ObjectIdGetDatum(nsp));

		if (!OidIsValid(fn))
			elog(ERROR, "function %s.record_finding is missing", get_namespace_name(nsp));
		fmgr_info_cxt(fn, &cfg->record_fn, fcinfo->flinfo->fn_mcxt);
	}
	cfg->as_of = GetSQLCurrentDate();
	cfg->customer_is_text = cfg->att[G_CUSTOMER] != 0 &&
		o2c_col_type_ok(O2C_COL_TEXT, cfg->type[G_CUSTOMER]);
	{
		int			last = cfg->terms_att;

		for (int k = 0; k < G_NCOLS; k++)
			last = Max(last, cfg->att[k]);
		for (int i = 0; i < cfg->n_iban; i++)
			last = Max(last, cfg->iban_att[i]);
		for (int i = 0; i < cfg->n_key; i++)
			last = Max(last, cfg->key_att[i]);
		cfg->last_att = Max(last, 1);
	}
	cfg->natts = desc->natts;
	cfg->values = palloc(sizeof(Datum) * desc->natts);
	cfg->nulls = palloc(sizeof(bool) * desc->natts);
	MemoryContextSwitchTo(old);
	fcinfo->flinfo->fn_extra = cfg;
	return cfg;
}

typedef struct GuardRow
{
	GuardConfig *cfg;
	Relation	rel;
	Datum	   *values;			/* the row, deformed at least up to cfg->last_att */
	bool	   *nulls;
	char	   *key;			/* built at the first finding */
} GuardRow;

static const char *
guard_row_key(GuardRow *gr)
{
	StringInfoData buf;

	if (gr->key != NULL)
		return gr->key;
	initStringInfo(&buf);
	for (int i = 0; i < gr->cfg->n_key; i++)
	{
		int			a = gr->cfg->key_att[i] - 1;

		if (i > 0)
			appendStringInfoChar(&buf, ',');
		appendStringInfoString(&buf, gr->nulls[a] ? "NULL" :
							   OutputFunctionCall(&gr->cfg->key_out[i], gr->values[a]));
	}
	gr->key = buf.data;
	return gr->key;
}

static void
guard_emit(void *arg, O2cRule rule, const char *detail)
{
	GuardRow   *gr = arg;
	const char *key = guard_row_key(gr);

	if (!gr->cfg->record)
	{
		char	   *sentence = pstrdup(detail);

		sentence[0] = pg_toupper((unsigned char) sentence[0]);
		ereport(ERROR,
				(errcode(ERRCODE_CHECK_VIOLATION),
				 errmsg("invoice %s violates rule %s", o2c_quote_cstr(key), o2c_rule_names[rule]),
				 errdetail("%s (table %s).", sentence, gr->cfg->source),
				 errtable(gr->rel)));
	}
	FunctionCall5(&gr->cfg->record_fn,
				  CStringGetTextDatum(gr->cfg->source),
				  CStringGetTextDatum(key),
				  CStringGetTextDatum(o2c_rule_names[rule]),
				  CStringGetTextDatum(o2c_rule_severity[rule]),
				  CStringGetTextDatum(detail));
}

/* Columns the row form changes: normalized IBANs and a filled due date. */
typedef struct GuardChanges
{
	int			n;
	int			cols[GUARD_MAX_IBAN + 1];
	Datum		vals[GUARD_MAX_IBAN + 1];
	bool		nulls[GUARD_MAX_IBAN + 1];
} GuardChanges;

/*
 * Check one row. With changes, the row may be changed (row form): IBANs are
 * normalized and a NULL due date is filled from the terms; without, the row
 * is only checked (statement form).
 */
/* The parts of a row's terms: o2c.terms read in place, text through the cache. */
static int
guard_terms_parts(GuardConfig *cfg, Datum d, O2cTermPart *buf,
				  const O2cTermPart **parts, char **invalid)
{
	text	   *t;
	int			len;
	char		key[TERMS_CACHE_KEY];
	TermsCacheEntry *e;
	int			n;

	if (cfg->terms_col_type == cfg->terms_type)
		return o2c_terms_datum_parts(d, cfg->terms_col_type, cfg->terms_type, buf, parts, invalid);
	t = DatumGetTextPP(d);
	len = VARSIZE_ANY_EXHDR(t);
	if (len >= TERMS_CACHE_KEY)
		return o2c_terms_datum_parts(PointerGetDatum(t), cfg->terms_col_type, cfg->terms_type,
									 buf, parts, invalid);
	memset(key, 0, sizeof(key));
	memcpy(key, VARDATA_ANY(t), len);
	if (cfg->terms_cache == NULL)
	{
		HASHCTL		ctl;

		ctl.keysize = TERMS_CACHE_KEY;
		ctl.entrysize = sizeof(TermsCacheEntry);
		ctl.hcxt = GetMemoryChunkContext(cfg);
		cfg->terms_cache = hash_create("o2c invoice_guard terms", 16, &ctl,
									   HASH_ELEM | HASH_STRINGS | HASH_CONTEXT);
	}
	e = hash_search(cfg->terms_cache, key, HASH_FIND, NULL);
	if (e != NULL)
	{
		*parts = e->parts;
		*invalid = e->invalid != NULL ? pstrdup(e->invalid) : NULL;
		return e->nparts;
	}
	n = o2c_terms_datum_parts(PointerGetDatum(t), cfg->terms_col_type, cfg->terms_type,
							  buf, parts, invalid);
	if (hash_get_num_entries(cfg->terms_cache) < TERMS_CACHE_MAX)
	{
		e = hash_search(cfg->terms_cache, key, HASH_ENTER, NULL);
		e->nparts = n;
		memcpy(e->parts, *parts, sizeof(O2cTermPart) * n);
		e->invalid = *invalid != NULL ?
			MemoryContextStrdup(GetMemoryChunkContext(cfg), *invalid) : NULL;
	}
	return n;
}

static void
guard_check_row(GuardRow *gr, GuardChanges *changes)
{
	GuardConfig *cfg = gr->cfg;
	Datum	   *values = gr->values;
	bool	   *nulls = gr->nulls;
	TupleDesc	desc = RelationGetDescr(gr->rel);
	O2cInvoiceVals v = {0};

	/* IBANs: normalize in place, or a finding when invalid. */
	for (int i = 0; i < cfg->n_iban; i++)
	{
		char		out[O2C_IBAN_MAX + 1];
		text	   *t;
		O2cIbanResult r;
		int			a = cfg->iban_att[i] - 1;

		if (!cfg->iban_is_text[i] || nulls[a])
			continue;			/* o2c.iban is valid by construction */
		t = DatumGetTextPP(values[a]);
		r = o2c_iban_check(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t), out);
		if (r != O2C_IBAN_OK)
		{
			if (cfg->enabled[O2C_RULE_INVALID_IBAN])
				guard_emit(gr, O2C_RULE_INVALID_IBAN,
						   psprintf("IBAN \"%s\" in column \"%s\" fails the %s check",
									o2c_quote(&(O2cQuote) {{0}}, VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t)),
									NameStr(TupleDescAttr(desc, a)->attname),
									o2c_iban_result_text(r)));
			continue;
		}
		if (changes != NULL &&
			(strlen(out) != VARSIZE_ANY_EXHDR(t) ||
			 memcmp(out, VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t)) != 0))
		{
			changes->cols[changes->n] = cfg->iban_att[i];
			changes->vals[changes->n] = CStringGetTextDatum(out);
			changes->nulls[changes->n] = false;
			changes->n++;
		}
	}

	if (cfg->att[G_CUSTOMER])
	{
		int			a = cfg->att[G_CUSTOMER] - 1;

		v.has_customer = true;
		if (nulls[a])
			v.customer_id = NULL;
		else if (cfg->customer_is_text)
		{
			/* Only blankness matters here; other types are never blank. */
			text	   *t = DatumGetTextPP(values[a]);
			const char *p = VARDATA_ANY(t);
			int			n = VARSIZE_ANY_EXHDR(t);

			while (n > 0 && *p == ' ')
				p++, n--;
			v.customer_id = n > 0 ? "x" : "";
		}
		else
			v.customer_id = "x";
	}
	if (cfg->att[G_INVOICE_DATE])
	{
		int			a = cfg->att[G_INVOICE_DATE] - 1;

		v.has_invoice_date = true;
		v.invoice_date_null = nulls[a];
		if (!nulls[a])
			v.invoice_date = DatumGetDateADT(values[a]);
	}
	if (cfg->att[G_DUE_DATE])
	{
		int			a = cfg->att[G_DUE_DATE] - 1;

		v.has_due_date = true;
		v.due_date_null = nulls[a];
		if (!nulls[a])
			v.due_date = DatumGetDateADT(values[a]);
	}
	if (cfg->att[G_AMOUNT])
	{
		int			a = cfg->att[G_AMOUNT] - 1;

		v.has_amount = true;
		v.amount_null = nulls[a];
		v.amount = values[a];
		v.amount_type = cfg->type[G_AMOUNT];
	}
	if (cfg->att[G_OPEN])
	{
		int			a = cfg->att[G_OPEN] - 1;

		v.has_open = true;
		v.open_null = nulls[a];
		v.open_amount = values[a];
		v.open_type = cfg->type[G_OPEN];
	}
	if (cfg->att[G_CURRENCY])
	{
		int			a = cfg->att[G_CURRENCY] - 1;

		v.has_currency = true;
		if (!nulls[a])
		{
			text	   *t = DatumGetTextPP(values[a]);

			v.currency = VARDATA_ANY(t);
			v.currency_len = VARSIZE_ANY_EXHDR(t);
		}
	}

	/*
	 * Terms: invalid_terms for text that is not terms; then fill a NULL due
	 * date (row form), or give terms_due_mismatch the date to compare with.
	 * An infinite invoice date can only be an error when a due date must be
	 * filled from it.
	 */
	if (cfg->terms_att && !nulls[cfg->terms_att - 1])
	{
		bool		need_due = !v.invoice_date_null &&
			((v.due_date_null && changes != NULL) ||
			 (!v.due_date_null && cfg->enabled[O2C_RULE_TERMS_DUE_MISMATCH] &&
			  !DATE_NOT_FINITE(v.invoice_date)));
		bool		check_text = cfg->enabled[O2C_RULE_INVALID_TERMS] &&
			cfg->terms_col_type != cfg->terms_type;
		O2cTermPart buf[O2C_TERMS_MAX_PARTS];
		const O2cTermPart *parts = NULL;
		int			n = 0;
		char	   *invalid = NULL;

		if (need_due || check_text)
			n = guard_terms_parts(cfg, values[cfg->terms_att - 1], buf, &parts, &invalid);
		if (invalid != NULL && cfg->enabled[O2C_RULE_INVALID_TERMS])
			guard_emit(gr, O2C_RULE_INVALID_TERMS, invalid);
		if (need_due && n > 0)
		{
			const O2cCalendar *cal = NULL;
			DateADT		due;

			if (cfg->cal_name != NULL)
				cal = o2c_calendar_lookup(&cfg->cal_flinfo, cfg->cal_name);
			due = o2c_terms_parts_due(parts, n, v.invoice_date, cal);
			if (v.due_date_null)
			{
				v.due_date_null = false;
				v.due_date = due;
				changes->cols[changes->n] = cfg->att[G_DUE_DATE];
				changes->vals[changes->n] = DateADTGetDatum(due);
				changes->nulls[changes->n] = false;
				changes->n++;
			}
			else
			{
				v.has_terms_due = true;
				v.terms_due = due;
				v.terms_parts = parts;
				v.terms_nparts = n;
				v.calendar = cfg->cal_cstr;
			}
		}
	}

	v.as_of = cfg->as_of;
	v.as_of_is_today = true;
	o2c_check_invoice_row(&v, cfg->enabled, guard_emit, gr);
}

/* Row form: check, and change the row where needed. */
static HeapTuple
guard_row_form(GuardConfig *cfg, TriggerData *td)
{
	HeapTuple	tup = TRIGGER_FIRED_BY_UPDATE(td->tg_event) ? td->tg_newtuple : td->tg_trigtuple;
	GuardRow	gr = {cfg, td->tg_relation, cfg->values, cfg->nulls, NULL};
	GuardChanges changes;

	/*
	 * One pass over the row instead of a heap_getattr per column, with the
	 * table's own descriptor: a copy cut short at the last column read is
	 * no valid descriptor of the row type, and the server refuses to deform
	 * an updated row with it.
	 */
	heap_deform_tuple(tup, RelationGetDescr(td->tg_relation), gr.values, gr.nulls);
	changes.n = 0;
	guard_check_row(&gr, &changes);
	if (changes.n > 0)
		tup = heap_modify_tuple_by_cols(tup, RelationGetDescr(td->tg_relation),
										changes.n, changes.cols, changes.vals,
										changes.nulls);
	return tup;
}

/* Statement form: check every row of the transition table, in order. */
static void
guard_statement_form(GuardConfig *cfg, TriggerData *td)
{
	TupleTableSlot *slot = MakeSingleTupleTableSlot(RelationGetDescr(td->tg_relation),
													&TTSOpsMinimalTuple);
	MemoryContext rowcxt = AllocSetContextCreate(CurrentMemoryContext,
												 "invoice_guard row",
												 ALLOCSET_DEFAULT_SIZES);

	/* Declared with an old table too, an UPDATE's capture can be checked. */
	if (TRIGGER_FIRED_BY_UPDATE(td->tg_event) && td->tg_oldtable != NULL &&
		td->tg_relation->rd_rel->relkind == RELKIND_PARTITIONED_TABLE)
	{
		if (SPI_connect() != SPI_OK_CONNECT)
			elog(ERROR, "SPI_connect failed");
		if (SPI_register_trigger_data(td) != SPI_OK_TD_REGISTER)
			elog(ERROR, "SPI_register_trigger_data failed");
		o2c_check_update_capture(td->tg_relation, quote_identifier(td->tg_trigger->tgoldtable),
								 quote_identifier(td->tg_trigger->tgnewtable), "invoice_guard");
		SPI_finish();
	}

	/* A read pointer of our own: other triggers may read the same table. */
	tuplestore_select_read_pointer(td->tg_newtable,
								   tuplestore_alloc_read_pointer(td->tg_newtable,
																 EXEC_FLAG_REWIND));
	tuplestore_rescan(td->tg_newtable);

	/*
	 * The slot owns and frees tuples read back from a spilled tuplestore, so
	 * they are fetched outside the per-row context that is reset below.
	 */
	while (tuplestore_gettupleslot(td->tg_newtable, true, false, slot))
	{
		GuardRow	gr = {cfg, td->tg_relation, NULL, NULL, NULL};
		MemoryContext old;

		slot_getsomeattrs(slot, cfg->last_att);
		gr.values = slot->tts_values;
		gr.nulls = slot->tts_isnull;
		old = MemoryContextSwitchTo(rowcxt);
		guard_check_row(&gr, NULL);
		MemoryContextSwitchTo(old);
		MemoryContextReset(rowcxt);
		CHECK_FOR_INTERRUPTS();
	}
	MemoryContextDelete(rowcxt);
	ExecDropSingleTupleTableSlot(slot);
}

Datum
o2c_invoice_guard(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	GuardConfig *cfg;
	bool		by_insert_or_update;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("invoice_guard must be called as a trigger")));
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
					 errmsg("invoice_guard trigger \"%s\" fired FOR EACH STATEMENT needs a transition table",
							td->tg_trigger->tgname),
					 errhint("Declare it AFTER INSERT REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT.")));
		cfg = guard_config(fcinfo, td);
		guard_statement_form(cfg, td);
		return PointerGetDatum(NULL);
	}
	ereport(ERROR,
			(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
			 errmsg("invoice_guard trigger \"%s\" must be fired BEFORE INSERT OR UPDATE FOR EACH ROW, or AFTER INSERT or AFTER UPDATE FOR EACH STATEMENT",
					td->tg_trigger->tgname),
			 errhint("The statement form is declared AFTER INSERT REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT.")));
	PG_RETURN_NULL();			/* not reached */
}

/*
 * Not part of the SQL API: a BEFORE ROW trigger that returns the row
 * unchanged, so bench/quality.sh can measure what any row trigger costs COPY
 * (bound there with CREATE FUNCTION ... LANGUAGE c).
 */
PG_FUNCTION_INFO_V1(o2c_bench_noop_trigger);

Datum
o2c_bench_noop_trigger(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo))
		elog(ERROR, "o2c_bench_noop_trigger must be called as a trigger");
	return PointerGetDatum(TRIGGER_FIRED_BY_UPDATE(td->tg_event) ?
						   td->tg_newtuple : td->tg_trigtuple);
}
