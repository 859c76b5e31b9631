/*
 * strsim_sql.c — SQL wrappers of the string metrics and normalizations
 * (strsim.c).
 */
#include "postgres.h"

#include "core/o2c.h"
#include "strsim.h"

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "utils/array.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"

PG_FUNCTION_INFO_V1(o2c_jaro_winkler_sql);
PG_FUNCTION_INFO_V1(o2c_damerau_levenshtein_sql);
PG_FUNCTION_INFO_V1(o2c_normalize_name_sql);
PG_FUNCTION_INFO_V1(o2c_normalize_ref_sql);
PG_FUNCTION_INFO_V1(o2c_extract_refs_sql);

/* Jaro-Winkler is quadratic in the worst case: refuse what would not end soon. */
static void
check_jw_length(text *t)
{
	int			bytes = VARSIZE_ANY_EXHDR(t);
	int			chars;

	if (bytes <= O2C_JW_MAX_CHARS)
		return;
	chars = pg_mbstrlen_with_len(VARDATA_ANY(t), bytes);
	if (chars > O2C_JW_MAX_CHARS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("argument of jaro_winkler exceeds the maximum length of %d characters",
						O2C_JW_MAX_CHARS),
				 errdetail("The argument has %d characters.", chars)));
}

Datum
o2c_jaro_winkler_sql(PG_FUNCTION_ARGS)
{
	text	   *a = PG_GETARG_TEXT_PP(0);
	text	   *b = PG_GETARG_TEXT_PP(1);

	check_jw_length(a);
	check_jw_length(b);

	PG_RETURN_FLOAT8(o2c_jaro_winkler(VARDATA_ANY(a), VARSIZE_ANY_EXHDR(a),
									  VARDATA_ANY(b), VARSIZE_ANY_EXHDR(b)));
}

Datum
o2c_damerau_levenshtein_sql(PG_FUNCTION_ARGS)
{
	text	   *a = PG_GETARG_TEXT_PP(0);
	text	   *b = PG_GETARG_TEXT_PP(1);
	O2cError	err;			/* filled only on failure: no 1 kB clear per call */
	int			d = o2c_damerau_levenshtein(VARDATA_ANY(a), VARSIZE_ANY_EXHDR(a),
											VARDATA_ANY(b), VARSIZE_ANY_EXHDR(b), &err);

	if (d < 0)
		o2c_raise(&err);
	PG_RETURN_INT32(d);
}

Datum
o2c_normalize_name_sql(PG_FUNCTION_ARGS)
{
	text	   *t = PG_GETARG_TEXT_PP(0);
	size_t		len;
	char	   *s = o2c_normalize_name(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t), &len);

	PG_RETURN_TEXT_P(cstring_to_text_with_len(s, len));
}

Datum
o2c_normalize_ref_sql(PG_FUNCTION_ARGS)
{
	text	   *t = PG_GETARG_TEXT_PP(0);
	size_t		len;
	char	   *s = o2c_normalize_ref(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t), &len);

	PG_RETURN_TEXT_P(cstring_to_text_with_len(s, len));
}

Datum
o2c_extract_refs_sql(PG_FUNCTION_ARGS)
{
	text	   *t = PG_GETARG_TEXT_PP(0);
	char	  **refs;
	int			n = o2c_extract_refs(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t), &refs);
	Datum	   *elems = palloc(sizeof(Datum) * (n > 0 ? n : 1));

	for (int i = 0; i < n; i++)
		elems[i] = PointerGetDatum(cstring_to_text(refs[i]));
	PG_RETURN_ARRAYTYPE_P(construct_array(elems, n, TEXTOID, -1, false, TYPALIGN_INT));
}
