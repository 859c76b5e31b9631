/*
 * capture.c — the check of an UPDATE's transition tables on a partitioned
 * table (capture.h).
 */
#include "postgres.h"

#include "core/capture.h"
#include "core/o2c.h"

#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/pg_index.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/syscache.h"

List *
o2c_unique_key(Oid relid)
{
	Relation	rel = table_open(relid, AccessShareLock);
	List	   *indexes = RelationGetIndexList(rel);
	ListCell   *lc;
	List	   *cols = NIL;
	bool		primary = false;

	foreach(lc, indexes)
	{
		HeapTuple	itup = SearchSysCache1(INDEXRELID, ObjectIdGetDatum(lfirst_oid(lc)));
		Form_pg_index idx;
		bool		usable;

		if (!HeapTupleIsValid(itup))
			continue;
		idx = (Form_pg_index) GETSTRUCT(itup);
		usable = idx->indisvalid && idx->indisunique && idx->indimmediate && idx->indnkeyatts >= 1 &&
			heap_attisnull(itup, Anum_pg_index_indpred, NULL) &&
			heap_attisnull(itup, Anum_pg_index_indexprs, NULL);
		/* The primary key first, else the first unique index found. */
		if (usable && !primary && (cols == NIL || idx->indisprimary))
		{
			list_free(cols);
			cols = NIL;
			for (int k = 0; k < idx->indnkeyatts; k++)
				cols = lappend(cols, (char *) quote_identifier(get_attname(relid, idx->indkey.values[k], false)));
			primary = idx->indisprimary;
		}
		ReleaseSysCache(itup);
	}
	list_free(indexes);
	table_close(rel, AccessShareLock);
	return cols;
}

void
o2c_check_update_capture(Relation rel, const char *oldt, const char *newt, const char *who)
{
	List	   *key;
	StringInfoData k,
				tk,
				xk;
	ListCell   *lc;
	const char *qrel;
	int			rc;

	if (rel->rd_rel->relkind != RELKIND_PARTITIONED_TABLE)
		return;
	key = o2c_unique_key(RelationGetRelid(rel));
	if (key == NIL)
		return;
	qrel = quote_qualified_identifier(get_namespace_name(RelationGetNamespace(rel)), RelationGetRelationName(rel));
	initStringInfo(&k);
	initStringInfo(&tk);
	initStringInfo(&xk);
	foreach(lc, key)
	{
		const char *col = lfirst(lc);
		const char *sep = foreach_current_index(lc) > 0 ? ", " : "";

		appendStringInfo(&k, "%s%s", sep, col);
		appendStringInfo(&tk, "%st.%s", sep, col);
		appendStringInfo(&xk, "%sx.%s", sep, col);
	}
	/* Not read-only: a fresh snapshot, which sees the statement's own changes. */
	rc = SPI_execute(psprintf("SELECT (ROW(%s))::text FROM (SELECT %s FROM %s EXCEPT SELECT %s FROM %s) x "
							  "WHERE EXISTS (SELECT 1 FROM %s t WHERE ROW(%s) = ROW(%s)) LIMIT 1",
							  xk.data, k.data, oldt, k.data, newt, qrel, tk.data, xk.data),
					 false, 1);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute failed: %s", SPI_result_code_string(rc));
	if (SPI_processed > 0)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("%s cannot use this statement's new rows: the row of %s with (%s) = %s was updated but is missing from them",
						who, qrel, k.data,
						o2c_quote_cstr(SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1))),
				 errdetail("PostgreSQL %s gives statement triggers wrong new rows when a MERGE into a partitioned table inserts a row before it updates others.",
						   PG_VERSION),
				 errhint("Run the MERGE's WHEN MATCHED and WHEN NOT MATCHED actions as two statements (or an UPDATE and an INSERT).")));
}
