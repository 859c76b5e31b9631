/*
 * innerq.c — reading the caller's inner queries (columns matched by name,
 * types checked, errors naming column, found type and expected type).
 */
#include "postgres.h"

#include "o2c.h"
#include "innerq.h"

#include "catalog/pg_type.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/numeric.h"

/* ------------------------------------------------------ inner-query columns */

const char *
o2c_col_kind_name(O2cColKind kind)
{
	switch (kind)
	{
		case O2C_COL_ID:
			return "any type";
		case O2C_COL_TEXT:
			return "text, varchar or char";
		case O2C_COL_DATE:
			return "date";
		case O2C_COL_AMOUNT:
			return "numeric or an integer type";
		case O2C_COL_BOOL:
			return "boolean";
		case O2C_COL_TERMS:
			return "o2c.terms or text";
	}
	return "?";
}

bool
o2c_col_type_ok(O2cColKind kind, Oid type)
{
	switch (kind)
	{
		case O2C_COL_ID:
			return true;
		case O2C_COL_TEXT:
		case O2C_COL_TERMS:
			return type == TEXTOID || type == VARCHAROID || type == BPCHAROID;
		case O2C_COL_DATE:
			return type == DATEOID;
		case O2C_COL_AMOUNT:
			return type == NUMERICOID || type == INT2OID || type == INT4OID ||
				type == INT8OID;
		case O2C_COL_BOOL:
			return type == BOOLOID;
	}
	return false;
}

/* The type a mistyped column could be cast to, for the hint. */
static const char *
col_kind_cast(O2cColKind kind)
{
	switch (kind)
	{
		case O2C_COL_TEXT:
		case O2C_COL_TERMS:
			return "text";
		case O2C_COL_DATE:
			return "date";
		case O2C_COL_AMOUNT:
			return "numeric";
		case O2C_COL_BOOL:
			return "boolean";
		case O2C_COL_ID:
			break;
	}
	return "text";
}

static char *
required_list(const O2cColSpec *specs, int n)
{
	StringInfoData buf;

	initStringInfo(&buf);
	for (int i = 0; i < n; i++)
		if (specs[i].required)
			appendStringInfo(&buf, "%s%s", buf.len > 0 ? ", " : "", specs[i].name);
	return buf.data;
}

Portal
o2c_innerq_open(const char *sql, const char *what, bool read_only)
{
	SPIPlanPtr	plan = SPI_prepare(sql, 0, NULL);

	if (plan == NULL)
		elog(ERROR, "SPI_prepare failed for %s: %s", what,
			 SPI_result_code_string(SPI_result));
	if (!SPI_is_cursor_plan(plan))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be a query that returns rows", what),
				 errdetail("The query given was: %s", o2c_quote_cstr(sql))));
	return SPI_cursor_open(NULL, plan, NULL, NULL, read_only);
}

/*
 * Find each column by name and check its type: a missing required column, a
 * name given twice or a wrong type is an error naming the column, the type
 * found and the type expected.
 */
void
o2c_innerq_bind(TupleDesc td, const O2cColSpec *specs, int n, O2cCol *cols,
				const char *what, Oid terms_type)
{
	for (int i = 0; i < n; i++)
	{
		memset(&cols[i], 0, sizeof(O2cCol));
		cols[i].kind = specs[i].kind;
		for (int a = 0; a < td->natts; a++)
		{
			Form_pg_attribute att = TupleDescAttr(td, a);
			Oid			base;

			if (att->attisdropped || strcmp(NameStr(att->attname), specs[i].name) != 0)
				continue;
			if (cols[i].attno != 0)
				ereport(ERROR,
						(errcode(ERRCODE_AMBIGUOUS_COLUMN),
						 errmsg("column \"%s\" appears more than once in %s",
								specs[i].name, what)));
			base = getBaseType(att->atttypid);
			if (!o2c_col_type_ok(specs[i].kind, base) &&
				!(specs[i].kind == O2C_COL_TERMS && OidIsValid(terms_type) && base == terms_type))
				ereport(ERROR,
						(errcode(ERRCODE_DATATYPE_MISMATCH),
						 errmsg("column \"%s\" of %s has type %s, expected %s",
								specs[i].name, what, format_type_be(att->atttypid),
								o2c_col_kind_name(specs[i].kind)),
						 errhint("Cast it in the query, as in %s::%s.",
								 specs[i].name, col_kind_cast(specs[i].kind))));
			cols[i].attno = a + 1;
			cols[i].type = base;
			if (specs[i].kind == O2C_COL_ID || specs[i].kind == O2C_COL_TEXT ||
				specs[i].kind == O2C_COL_TERMS)
			{
				Oid			outfunc;
				bool		varlena;

				getTypeOutputInfo(base, &outfunc, &varlena);
				fmgr_info(outfunc, &cols[i].out);
			}
		}
		if (cols[i].attno == 0 && specs[i].required)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("column \"%s\" is missing from %s", specs[i].name, what),
					 errdetail("%s must return a column \"%s\" of %s.", what,
							   specs[i].name, o2c_col_kind_name(specs[i].kind)),
					 errhint("Its required columns are %s.", required_list(specs, n))));
	}
}

/* Run the caller's query with the caller's rights; it must return rows. */
SPITupleTable *
o2c_innerq_exec(text *sql, const char *argname)
{
	char	   *q = text_to_cstring(sql);
	int			rc = SPI_execute(q, false, 0);

	if (rc < 0 || SPI_tuptable == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be a query that returns rows", argname),
				 errdetail("The query given was: %s", o2c_quote_cstr(q))));
	return SPI_tuptable;
}

char *
o2c_col_text(HeapTuple tup, TupleDesc td, const O2cCol *col)
{
	bool		isnull;
	Datum		d;

	if (col->attno == 0)
		return NULL;
	d = SPI_getbinval(tup, td, col->attno, &isnull);
	if (isnull)
		return NULL;
	return OutputFunctionCall((FmgrInfo *) &col->out, d);
}

bool
o2c_col_date(HeapTuple tup, TupleDesc td, const O2cCol *col, DateADT *out)
{
	bool		isnull;
	Datum		d;

	if (col->attno == 0)
		return false;
	d = SPI_getbinval(tup, td, col->attno, &isnull);
	if (isnull)
		return false;
	*out = DatumGetDateADT(d);
	return true;
}

Numeric
o2c_datum_amount(Datum d, Oid type)
{
	switch (type)
	{
		case INT2OID:
			return int64_to_numeric(DatumGetInt16(d));
		case INT4OID:
			return int64_to_numeric(DatumGetInt32(d));
		case INT8OID:
			return int64_to_numeric(DatumGetInt64(d));
		default:
			return DatumGetNumeric(d);
	}
}

Numeric
o2c_col_amount(HeapTuple tup, TupleDesc td, const O2cCol *col)
{
	bool		isnull;
	Datum		d;

	if (col->attno == 0)
		return NULL;
	d = SPI_getbinval(tup, td, col->attno, &isnull);
	if (isnull)
		return NULL;
	return o2c_datum_amount(d, col->type);
}
