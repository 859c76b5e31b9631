/*
 * core_server.c — core.h's allocation and errors inside the server, and the
 * argument checks every concern shares.
 */
#include "postgres.h"

#include "o2c.h"

#include "utils/date.h"

void *
o2c_core_alloc(size_t size)
{
	return palloc0(size);
}

void
o2c_core_free(void *ptr)
{
	if (ptr != NULL)
		pfree(ptr);
}

static int
sqlstate_of(O2cErrKind kind)
{
	switch (kind)
	{
		case O2C_ERR_SYNTAX:
			return ERRCODE_INVALID_TEXT_REPRESENTATION;
		case O2C_ERR_VALUE:
			return ERRCODE_INVALID_PARAMETER_VALUE;
		case O2C_ERR_DATETIME:
			return ERRCODE_DATETIME_VALUE_OUT_OF_RANGE;
		case O2C_ERR_DATA:
			return ERRCODE_DATA_EXCEPTION;
		case O2C_ERR_LIMIT:
			return ERRCODE_PROGRAM_LIMIT_EXCEEDED;
		case O2C_OK:
			break;
	}
	return ERRCODE_INTERNAL_ERROR;
}

void
o2c_raise(const O2cError *err)
{
	ereport(ERROR,
			(errcode(sqlstate_of(err->kind)),
			 errmsg_internal("%s", err->message),
			 err->detail[0] ? errdetail_internal("%s", err->detail) : 0,
			 err->hint[0] ? errhint("%s", err->hint) : 0));
}

void
o2c_check_finite_date(DateADT d, const char *what)
{
	if (DATE_NOT_FINITE(d))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("%s must be a finite date, not \"%s\"", what,
						DATE_IS_NOBEGIN(d) ? "-infinity" : "infinity")));
}
