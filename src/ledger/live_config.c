/*
 * live_config.c — the arguments of o2c.ledger_track triggers: key=value
 * (role, ledger, column mappings, invoices=TABLE on the settlements side),
 * checked against the table with errors naming the argument; and the
 * catalog lookup that finds a ledger's two tables from their triggers, so
 * each side knows the other's columns and the rebuild knows both.
 */
#include "postgres.h"

#include "live.h"

#include "core/innerq.h"
#include "core/o2c.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/namespace.h"
#include "catalog/pg_index.h"
#include "catalog/pg_trigger.h"
#include "executor/spi.h"
#include "nodes/makefuncs.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/syscache.h"
#include "utils/varlena.h"

static const char *const live_col_key[LC_NCOLS] = {
	[LC_ID] = "invoice_id",
	[LC_CUSTOMER] = "customer_id",
	[LC_DUE] = "due_date",
	[LC_AMOUNT] = "amount",
	[LC_CURRENCY] = "currency",
};

static const O2cColKind live_col_kind[LC_NCOLS] = {
	[LC_ID] = O2C_COL_ID,
	[LC_CUSTOMER] = O2C_COL_ID,
	[LC_DUE] = O2C_COL_DATE,
	[LC_AMOUNT] = O2C_COL_AMOUNT,
	[LC_CURRENCY] = O2C_COL_TEXT,
};

static const char *const live_keys =
"role, ledger, invoice_id, customer_id, due_date, amount, currency, invoices";

static void
live_bind_col(LiveTable *t, LiveCol k, const char *arg, const char *colname)
{
	AttrNumber	att = get_attnum(t->relid, colname);
	Oid			type,
				base;

	if (att == InvalidAttrNumber || att < 0)
	{
		if (arg != NULL)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("ledger_track argument \"%s\": column \"%s\" does not exist in table \"%s\"",
							o2c_quote_cstr(arg), o2c_quote_cstr(colname), t->relname)));
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("ledger_track on table \"%s\" needs a column for %s", t->relname, live_col_key[k]),
				 errhint("Name it with the argument '%s=COLUMN'.", live_col_key[k])));
	}
	type = get_atttype(t->relid, att);
	base = getBaseType(type);
	if (!o2c_col_type_ok(live_col_kind[k], base))
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("ledger_track argument \"%s\": column \"%s\" of table \"%s\" has type %s, expected %s",
						o2c_quote_cstr(arg != NULL ? arg : live_col_key[k]), o2c_quote_cstr(colname),
						t->relname, format_type_be(type), o2c_col_kind_name(live_col_kind[k]))));
	t->att[k] = att;
	t->colname[k] = pstrdup(colname);
	t->col[k] = pstrdup(quote_identifier(colname));
	t->coltype[k] = format_type_be_qualified(type);
}

LiveTable *
live_parse(Oid relid, int nargs, char **args)
{
	LiveTable  *t = palloc0(sizeof(LiveTable));
	const char *mapped[LC_NCOLS] = {0};
	const char *mapped_arg[LC_NCOLS] = {0};
	const char *role = NULL;

	t->relid = relid;
	t->relname = get_rel_name(relid);
	if (t->relname == NULL)
		elog(ERROR, "cache lookup failed for relation %u", relid);
	t->qrel = quote_qualified_identifier(get_namespace_name(get_rel_namespace(relid)), t->relname);
	t->ledger = "default";
	t->nargs = nargs;
	t->args = args;

	for (int i = 0; i < nargs; i++)
	{
		const char *arg = args[i];
		const char *eq = strchr(arg, '=');
		char	   *key,
				   *val;
		int			k;

		if (eq == NULL || eq == arg || eq[1] == '\0')
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid ledger_track argument: \"%s\"", o2c_quote_cstr(arg)),
					 errhint("Arguments are key=value with keys %s.", live_keys)));
		key = pnstrdup(arg, eq - arg);
		val = pstrdup(eq + 1);
		if (strcmp(key, "role") == 0)
		{
			if (strcmp(val, "invoices") != 0 && strcmp(val, "settlements") != 0)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("ledger_track argument \"%s\": role must be invoices or settlements",
								o2c_quote_cstr(arg))));
			role = val;
			continue;
		}
		if (strcmp(key, "ledger") == 0)
		{
			t->ledger = val;
			continue;
		}
		if (strcmp(key, "invoices") == 0)
		{
			List	   *names;
			RangeVar   *rv;

			if (!SplitIdentifierString(pstrdup(val), '.', &names) || list_length(names) > 2)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_NAME),
						 errmsg("ledger_track argument \"%s\": invalid table name", o2c_quote_cstr(arg))));
			rv = list_length(names) == 2 ?
				makeRangeVar(linitial(names), lsecond(names), -1) :
				makeRangeVar(NULL, linitial(names), -1);
			t->invoices_relid = RangeVarGetRelid(rv, NoLock, true);
			if (!OidIsValid(t->invoices_relid))
				ereport(ERROR,
						(errcode(ERRCODE_UNDEFINED_TABLE),
						 errmsg("ledger_track argument \"%s\": table \"%s\" does not exist",
								o2c_quote_cstr(arg), o2c_quote_cstr(val))));
			t->invoices_arg = pstrdup(arg);
			continue;
		}
		for (k = 0; k < LC_NCOLS; k++)
			if (strcmp(key, live_col_key[k]) == 0)
				break;
		if (k == LC_NCOLS)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("unknown ledger_track argument: \"%s\"", o2c_quote_cstr(arg)),
					 errhint("Arguments are key=value with keys %s.", live_keys)));
		mapped[k] = val;
		mapped_arg[k] = arg;
	}

	if (role == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("ledger_track on table \"%s\" needs a role argument", t->relname),
				 errhint("Give 'role=invoices' or 'role=settlements'.")));
	t->settlements = strcmp(role, "settlements") == 0;
	if (t->settlements)
	{
		for (int k = 0; k < LC_NCOLS; k++)
			if (mapped[k] != NULL && k != LC_ID && k != LC_AMOUNT)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("ledger_track argument \"%s\" applies to role=invoices only",
								o2c_quote_cstr(mapped_arg[k])),
						 errdetail("A settlement takes its customer, currency and due date from its invoice.")));
		if (!OidIsValid(t->invoices_relid))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("ledger_track role=settlements on table \"%s\" needs an invoices argument",
							t->relname),
					 errhint("Name the tracked invoices table, as in 'invoices=public.invoices'.")));
		if (t->invoices_relid == relid)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("ledger_track argument \"%s\" names the settlements table itself",
							o2c_quote_cstr(t->invoices_arg))));
	}
	else if (t->invoices_arg != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("ledger_track argument \"%s\" applies to role=settlements only",
						o2c_quote_cstr(t->invoices_arg))));

	/* Columns not mapped are matched by their own name. */
	for (int k = 0; k < LC_NCOLS; k++)
	{
		if (t->settlements && k != LC_ID && k != LC_AMOUNT)
			continue;
		live_bind_col(t, k, mapped_arg[k], mapped[k] != NULL ? mapped[k] : live_col_key[k]);
	}
	return t;
}

/* The trigger's arguments, read from a pg_trigger row as the relcache does. */
static char **
trigger_args(HeapTuple tup, TupleDesc desc, int nargs)
{
	bool		isnull;
	Datum		d;
	bytea	   *val;
	char	   *p;
	char	  **args;

	if (nargs == 0)
		return NULL;
	d = heap_getattr(tup, Anum_pg_trigger_tgargs, desc, &isnull);
	if (isnull)
		elog(ERROR, "tgargs is null in trigger %u", ((Form_pg_trigger) GETSTRUCT(tup))->oid);
	val = DatumGetByteaPP(d);
	p = VARDATA_ANY(val);
	args = palloc(nargs * sizeof(char *));
	for (int i = 0; i < nargs; i++)
	{
		args[i] = pstrdup(p);
		p += strlen(p) + 1;
	}
	return args;
}

/* A ledger's name and role as the arguments give them, without checking. */
static void
peek_args(int nargs, char **args, const char **ledger, bool *settlements)
{
	*ledger = "default";
	*settlements = false;
	for (int i = 0; i < nargs; i++)
	{
		if (strncmp(args[i], "ledger=", 7) == 0 && args[i][7] != '\0')
			*ledger = args[i] + 7;
		else if (strcmp(args[i], "role=settlements") == 0)
			*settlements = true;
	}
}

static bool
same_args(const LiveTable *a, int nargs, char **args)
{
	if (a->nargs != nargs)
		return false;
	for (int i = 0; i < nargs; i++)
		if (strcmp(a->args[i], args[i]) != 0)
			return false;
	return true;
}

void
live_resolve(Oid fnoid, const char *ledger, LiveTable **inv, LiveTable **set)
{
	Relation	rel = table_open(TriggerRelationId, AccessShareLock);
	SysScanDesc scan = systable_beginscan(rel, InvalidOid, false, NULL, 0, NULL);
	HeapTuple	tup;
	LiveTable  *found[2] = {NULL, NULL};

	while (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		Form_pg_trigger tg = (Form_pg_trigger) GETSTRUCT(tup);
		char	  **args;
		const char *l;
		bool		s;

		if (tg->tgfoid != fnoid)
			continue;
		args = trigger_args(tup, RelationGetDescr(rel), tg->tgnargs);
		peek_args(tg->tgnargs, args, &l, &s);
		if (strcmp(l, ledger) != 0)
			continue;
		if (found[s] == NULL)
		{
			found[s] = palloc0(sizeof(LiveTable));
			found[s]->relid = tg->tgrelid;
			found[s]->nargs = tg->tgnargs;
			found[s]->args = args;
			continue;
		}
		if (found[s]->relid != tg->tgrelid)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("ledger \"%s\" is tracked on two %s tables: \"%s\" and \"%s\"",
							o2c_quote_cstr(ledger), s ? "settlements" : "invoices",
							get_rel_name(found[s]->relid), get_rel_name(tg->tgrelid)),
					 errhint("Give each pair of tables its own ledger= argument.")));
		if (!same_args(found[s], tg->tgnargs, args))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("the ledger_track triggers of ledger \"%s\" on table \"%s\" have different arguments",
							o2c_quote_cstr(ledger), get_rel_name(tg->tgrelid)),
					 errdetail("Trigger \"%s\" differs from another trigger of that table.", NameStr(tg->tgname)),
					 errhint("Give the INSERT, UPDATE, DELETE and TRUNCATE triggers of a table the same arguments.")));
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);

	*inv = found[0] ? live_parse(found[0]->relid, found[0]->nargs, found[0]->args) : NULL;
	*set = found[1] ? live_parse(found[1]->relid, found[1]->nargs, found[1]->args) : NULL;
	if (*set != NULL && (*inv == NULL || (*inv)->relid != (*set)->invoices_relid))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("ledger_track argument \"%s\": table \"%s\" has no ledger_track role=invoices trigger of ledger \"%s\"",
						o2c_quote_cstr((*set)->invoices_arg), get_rel_name((*set)->invoices_relid),
						o2c_quote_cstr(ledger)),
				 errhint("Track the invoices table first, with the same ledger= argument.")));
}

/*
 * Does the table have a valid, non-partial index whose first key is att
 * (unique and on att alone when unique is asked)?
 */
static bool
has_index_on(Oid relid, AttrNumber att, bool unique)
{
	Relation	rel = table_open(relid, AccessShareLock);
	List	   *indexes = RelationGetIndexList(rel);
	ListCell   *lc;
	bool		found = false;

	foreach(lc, indexes)
	{
		HeapTuple	itup = SearchSysCache1(INDEXRELID, ObjectIdGetDatum(lfirst_oid(lc)));
		Form_pg_index idx;

		if (!HeapTupleIsValid(itup))
			continue;
		idx = (Form_pg_index) GETSTRUCT(itup);
		if (idx->indisvalid && idx->indnkeyatts >= 1 && idx->indkey.values[0] == att &&
			heap_attisnull(itup, Anum_pg_index_indpred, NULL) &&
			(!unique || (idx->indisunique && idx->indimmediate && idx->indnkeyatts == 1)))
			found = true;
		ReleaseSysCache(itup);
		if (found)
			break;
	}
	list_free(indexes);
	table_close(rel, AccessShareLock);
	return found;
}

void
live_check_invoices_index(const LiveTable *inv)
{
	/* A unique index of a partitioned table must hold its partition key. */
	if (!has_index_on(inv->relid, inv->att[LC_ID], true))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("ledger_track needs a unique index on column \"%s\" of table \"%s\"",
						inv->colname[LC_ID], inv->relname),
				 errdetail("Settlements name their invoice by it, as a foreign key would."),
				 get_rel_relkind(inv->relid) == RELKIND_PARTITIONED_TABLE ?
				 errhint("A partitioned table has one only when partitioned by %s alone (PARTITION BY HASH or RANGE): "
						 "then CREATE UNIQUE INDEX ON %s (%s);", inv->col[LC_ID], inv->qrel, inv->col[LC_ID]) :
				 errhint("CREATE UNIQUE INDEX ON %s (%s);", inv->qrel, inv->col[LC_ID])));
}

void
live_check_settlements_index(const LiveTable *set)
{
	if (!has_index_on(set->relid, set->att[LC_ID], false))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("ledger_track needs an index on column \"%s\" of table \"%s\"",
						set->colname[LC_ID], set->relname),
				 errdetail("An invoice's settled total is looked up by it at every change of the invoice or its settlements."),
				 errhint("CREATE INDEX ON %s (%s);", set->qrel, set->col[LC_ID])));
}
