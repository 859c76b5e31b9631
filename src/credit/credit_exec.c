/*
 * credit_exec.c — o2c.credit_state_run: the query o2c.credit_state builds
 * from the credit sources, run with its plan kept.
 *
 * credit_state is PL/pgSQL, and its query is dynamic (it wraps the queries
 * registered in o2c.credit_source), so EXECUTE planned it at every call:
 * most of a single order's credit check. The text changes only when the
 * sources or the policy do, so it is prepared once per backend and text
 * (core/keptplan.c), with PostgreSQL's choice between custom and generic
 * plans, as for a prepared statement; PostgreSQL replans it when a table
 * it reads changes or the search_path the source queries resolve in does.
 */
#include "postgres.h"

#include "core/keptplan.h"
#include "core/o2c.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/tuplestore.h"

PG_FUNCTION_INFO_V1(o2c_credit_state_run);

#define CREDIT_STATE_PARAMS 12

/*
 * o2c.credit_state_run(query, keep, $1 ... $12): the rows of query, whose
 * columns must be the function's own (a query that returns rows, else an
 * error, as for any inner query). With keep false (a text that names the
 * customers, made for one call), it is planned for this call alone.
 */
Datum
o2c_credit_state_run(PG_FUNCTION_ARGS)
{
	static const Oid types[CREDIT_STATE_PARAMS] = {
		TEXTARRAYOID, TEXTARRAYOID, DATEOID, TEXTARRAYOID, TEXTARRAYOID, TEXTARRAYOID,
		NUMERICARRAYOID, INT4OID, INT4OID, TEXTOID, BOOLOID, BOOLOID
	};
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	char	   *sql;
	bool		keep;
	Datum		values[CREDIT_STATE_PARAMS];
	char		nulls[CREDIT_STATE_PARAMS];
	SPIPlanPtr	plan;
	TupleDesc	got;
	int			rc;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("query and keep must not be null")));
	InitMaterializedSRF(fcinfo, 0);
	sql = text_to_cstring(PG_GETARG_TEXT_PP(0));
	keep = PG_GETARG_BOOL(1);
	for (int i = 0; i < CREDIT_STATE_PARAMS; i++)
	{
		nulls[i] = PG_ARGISNULL(i + 2) ? 'n' : ' ';
		values[i] = PG_ARGISNULL(i + 2) ? (Datum) 0 : PG_GETARG_DATUM(i + 2);
	}

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	plan = keep ? o2c_kept_plan(InvalidOid, sql, CREDIT_STATE_PARAMS, (Oid *) types, 0) :
		SPI_prepare(sql, CREDIT_STATE_PARAMS, (Oid *) types);
	if (plan == NULL)
		elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
	/* Anyone who may check credit may call it: what it is given is checked. */
	if (!SPI_is_cursor_plan(plan))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the query of credit_state_run must be one query that returns rows"),
				 errdetail("The query given was: %s", o2c_quote_cstr(sql))));
	rc = SPI_execute_plan(plan, values, nulls, false, 0);
	if (rc < 0 || SPI_tuptable == NULL)
		elog(ERROR, "SPI_execute_plan failed: %s", SPI_result_code_string(rc));

	got = SPI_tuptable->tupdesc;
	if (got->natts != rsinfo->setDesc->natts)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("the query of credit_state_run returns %d columns, expected %d (those of credit_state)",
						got->natts, rsinfo->setDesc->natts)));
	for (int i = 0; i < got->natts; i++)
		if (TupleDescAttr(got, i)->atttypid != TupleDescAttr(rsinfo->setDesc, i)->atttypid)
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("column %d of the query of credit_state_run has type %s, expected %s", i + 1,
							format_type_be(TupleDescAttr(got, i)->atttypid),
							format_type_be(TupleDescAttr(rsinfo->setDesc, i)->atttypid))));
	for (uint64 r = 0; r < SPI_processed; r++)
		tuplestore_puttuple(rsinfo->setResult, SPI_tuptable->vals[r]);
	SPI_finish();
	return (Datum) 0;
}
