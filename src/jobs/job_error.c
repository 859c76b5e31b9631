/*
 * job_error.c — re-raising a job's error as the user's error.
 *
 * o2c.run_job catches a failed run's error, records it, commits, and raises
 * it again. Raised from PL/pgSQL, the error would carry a CONTEXT line for
 * every o2c procedure it passed through (run_job, the job's procedure, the
 * CALL between them): plumbing, not the user's mistake. o2c.job_raise
 * raises it with only the context the caller keeps (the user's inner query),
 * by leaving the error context callbacks out for this one report.
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"

PG_FUNCTION_INFO_V1(o2c_job_raise);

/* o2c.job_raise(message, sqlstate, detail, hint, context): never returns. */
Datum
o2c_job_raise(PG_FUNCTION_ARGS)
{
	char	   *message = PG_ARGISNULL(0) ? "job failed" : text_to_cstring(PG_GETARG_TEXT_PP(0));
	char	   *state = PG_ARGISNULL(1) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(1));
	char	   *detail = PG_ARGISNULL(2) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(2));
	char	   *hint = PG_ARGISNULL(3) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(3));
	char	   *context = PG_ARGISNULL(4) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(4));
	int			code = ERRCODE_RAISE_EXCEPTION;

	/* A SQLSTATE is five digits or upper-case letters; else P0001. */
	if (state != NULL && strlen(state) == 5 &&
		strspn(state, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ") == 5)
		code = MAKE_SQLSTATE(state[0], state[1], state[2], state[3], state[4]);
	/*
	 * Every enclosing PG_TRY restores the stack it saved, and the top level
	 * resets it, so nothing else loses its context.
	 */
	error_context_stack = NULL;
	ereport(ERROR,
			(errcode(code),
			 errmsg_internal("%s", message),
			 (detail != NULL && detail[0] != '\0') ? errdetail_internal("%s", detail) : 0,
			 (hint != NULL && hint[0] != '\0') ? errhint("%s", hint) : 0,
			 (context != NULL && context[0] != '\0') ? errcontext("%s", context) : 0));
	PG_RETURN_VOID();
}
