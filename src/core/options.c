/*
 * options.c — the jsonb options argument of the bulk functions: unknown keys
 * refused with the list of known ones, integer options range-checked.
 */
#include "postgres.h"

#include "o2c.h"
#include "options.h"

#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/numeric.h"

void
o2c_options_check_keys(Jsonb *options, const char *const *allowed,
					   const char *fname)
{
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken tok;

	if (!JB_ROOT_IS_OBJECT(options))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("options of %s must be a JSON object", fname)));
	it = JsonbIteratorInit(&options->root);
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		bool		found = false;
		char	   *key;
		StringInfoData list;

		if (tok != WJB_KEY)
			continue;
		key = pnstrdup(v.val.string.val, v.val.string.len);
		initStringInfo(&list);
		for (int i = 0; allowed[i] != NULL; i++)
		{
			if (strcmp(key, allowed[i]) == 0)
				found = true;
			appendStringInfo(&list, "%s%s", i ? ", " : "", allowed[i]);
		}
		if (!found)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("unknown option of %s: \"%s\"", fname, o2c_quote_cstr(key)),
					 errhint("Known options: %s.", list.data)));
	}
}

JsonbValue *
o2c_options_get(Jsonb *options, const char *key)
{
	if (options == NULL)
		return NULL;
	return getKeyJsonValueFromContainer(&options->root, key, strlen(key), NULL);
}

int
o2c_options_int(Jsonb *options, const char *key, int dflt, int min, int max)
{
	JsonbValue *v = o2c_options_get(options, key);
	int64		n = 0;
	bool		ok = false;

	if (v == NULL)
		return dflt;
	if (v->type == jbvNumeric && !numeric_is_nan(v->val.numeric) &&
		!numeric_is_inf(v->val.numeric))
	{
		Numeric		lo = int64_to_numeric(PG_INT32_MIN);
		Numeric		hi = int64_to_numeric(PG_INT32_MAX);

		if (o2c_num_cmp(v->val.numeric, lo) >= 0 && o2c_num_cmp(v->val.numeric, hi) <= 0)
		{
			n = DatumGetInt64(DirectFunctionCall1(numeric_int8,
												  NumericGetDatum(v->val.numeric)));
			ok = o2c_num_cmp(int64_to_numeric(n), v->val.numeric) == 0;
		}
		else
			ok = true, n = o2c_num_cmp(v->val.numeric, lo) < 0 ? (int64) min - 1 : (int64) max + 1;
	}
	if (!ok)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("option \"%s\" must be an integer", key)));
	if (n < min || n > max)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("option \"%s\" is out of range: %lld", key, (long long) n),
				 errdetail("It must be between %d and %d.", min, max)));
	return (int) n;
}

