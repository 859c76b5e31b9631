/*
 * quality.c — o2c.quality_scan over an inner query of invoices, and what the
 * data-quality files share: reading inner-query columns by name with type
 * checks, the single-row invoice rules (also run by invoice_guard), jsonb
 * options, and reference similarity.
 */
#include "postgres.h"

#include "quality.h"
#include "currency.h"
#include "validate.h"

#include "catalog/pg_type.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/datetime.h"
#include "utils/lsyscache.h"
#include "utils/numeric.h"

PG_FUNCTION_INFO_V1(o2c_quality_scan);

/* ------------------------------------------------------------ rule table */

const char *const o2c_rule_names[O2C_RULE_COUNT] = {
	[O2C_RULE_MISSING_CUSTOMER] = "missing_customer",
	[O2C_RULE_NONPOSITIVE_AMOUNT] = "nonpositive_amount",
	[O2C_RULE_DUE_BEFORE_INVOICE] = "due_before_invoice",
	[O2C_RULE_INVALID_CURRENCY] = "invalid_currency",
	[O2C_RULE_OPEN_EXCEEDS_AMOUNT] = "open_exceeds_amount",
	[O2C_RULE_NEGATIVE_OPEN] = "negative_open",
	[O2C_RULE_FUTURE_INVOICE_DATE] = "future_invoice_date",
	[O2C_RULE_INVALID_IBAN] = "invalid_iban",
	[O2C_RULE_TERMS_DUE_MISMATCH] = "terms_due_mismatch",
	[O2C_RULE_DUPLICATE_NUMBER] = "duplicate_number",
	[O2C_RULE_SUSPECTED_DUPLICATE] = "suspected_duplicate",
};

const char *const o2c_rule_severity[O2C_RULE_COUNT] = {
	[O2C_RULE_MISSING_CUSTOMER] = "error",
	[O2C_RULE_NONPOSITIVE_AMOUNT] = "error",
	[O2C_RULE_DUE_BEFORE_INVOICE] = "error",
	[O2C_RULE_INVALID_CURRENCY] = "error",
	[O2C_RULE_OPEN_EXCEEDS_AMOUNT] = "error",
	[O2C_RULE_NEGATIVE_OPEN] = "error",
	[O2C_RULE_FUTURE_INVOICE_DATE] = "warning",
	[O2C_RULE_INVALID_IBAN] = "error",
	[O2C_RULE_TERMS_DUE_MISMATCH] = "warning",
	[O2C_RULE_DUPLICATE_NUMBER] = "error",
	[O2C_RULE_SUSPECTED_DUPLICATE] = "warning",
};

int
o2c_rule_lookup(const char *name)
{
	for (int i = 0; i < O2C_RULE_COUNT; i++)
		if (strcmp(name, o2c_rule_names[i]) == 0)
			return i;
	return -1;
}

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
			return type == TEXTOID || type == VARCHAROID || type == BPCHAROID;
		case O2C_COL_DATE:
			return type == DATEOID;
		case O2C_COL_AMOUNT:
			return type == NUMERICOID || type == INT2OID || type == INT4OID ||
				type == INT8OID;
	}
	return false;
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
				 errdetail("The query given was: %s", q)));
	return SPI_tuptable;
}

/*
 * Find each column by name and check its type: a missing required column or
 * a wrong type is an error naming the column, the type found and the type
 * expected.
 */
void
o2c_innerq_bind(TupleDesc td, const O2cColSpec *specs, int n, O2cCol *cols,
				const char *argname)
{
	for (int i = 0; i < n; i++)
	{
		int			attno = SPI_fnumber(td, specs[i].name);

		memset(&cols[i], 0, sizeof(O2cCol));
		cols[i].kind = specs[i].kind;
		if (attno <= 0)
		{
			if (specs[i].required)
				ereport(ERROR,
						(errcode(ERRCODE_UNDEFINED_COLUMN),
						 errmsg("column \"%s\" is missing from %s", specs[i].name, argname),
						 errdetail("%s must return a column \"%s\" of %s.", argname,
								   specs[i].name, o2c_col_kind_name(specs[i].kind))));
			continue;
		}
		cols[i].attno = attno;
		cols[i].type = SPI_gettypeid(td, attno);
		if (!o2c_col_type_ok(specs[i].kind, cols[i].type))
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("column \"%s\" of %s has type %s, expected %s",
							specs[i].name, argname, format_type_be(cols[i].type),
							o2c_col_kind_name(specs[i].kind))));
		if (specs[i].kind == O2C_COL_ID || specs[i].kind == O2C_COL_TEXT)
		{
			Oid			outfunc;
			bool		varlena;

			getTypeOutputInfo(cols[i].type, &outfunc, &varlena);
			fmgr_info(outfunc, &cols[i].out);
		}
	}
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

/* ------------------------------------------------------- single-row rules */

static int
num_cmp(Numeric a, Numeric b)
{
	return DatumGetInt32(DirectFunctionCall2(numeric_cmp, NumericGetDatum(a),
											 NumericGetDatum(b)));
}

static char *
num_text(Numeric n)
{
	return DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(n)));
}

/* ISO 8601 whatever DateStyle says: findings are stored and compared. */
static char *
date_text(DateADT d)
{
	int			y,
				m,
				day;

	if (DATE_NOT_FINITE(d))
		return pstrdup(DATE_IS_NOBEGIN(d) ? "-infinity" : "infinity");
	j2date(d + POSTGRES_EPOCH_JDATE, &y, &m, &day);
	if (y <= 0)
		return psprintf("%04d-%02d-%02d BC", 1 - y, m, day);
	return psprintf("%04d-%02d-%02d", y, m, day);
}

/*
 * An amount read without copying: integers and numerics of up to 8 decimals
 * below 10^20 are compared as scaled integers (the exactsum fast path);
 * anything else falls back to numeric arithmetic.
 */
typedef struct Amount
{
	bool		fast;
	int128		units;
	Datum		d;
	Oid			type;
} Amount;

static void
amount_load(Amount *a, Datum d, Oid type)
{
	int32		dscale;

	a->d = d;
	a->type = type;
	a->fast = true;
	switch (type)
	{
		case INT2OID:
			a->units = (int128) DatumGetInt16(d) * 100000000;
			break;
		case INT4OID:
			a->units = (int128) DatumGetInt32(d) * 100000000;
			break;
		case INT8OID:
			a->units = (int128) DatumGetInt64(d) * 100000000;
			break;
		default:
			a->fast = o2c_numeric_units(d, &a->units, &dscale) == O2C_UNITS_FAST;
			break;
	}
}

static Numeric
amount_numeric(const Amount *a)
{
	return o2c_datum_amount(a->d, a->type);
}

static bool
amount_is_nan(const Amount *a)
{
	return !a->fast && numeric_is_nan(amount_numeric(a));
}

static int
amount_sign(const Amount *a)
{
	if (a->fast)
		return a->units > 0 ? 1 : a->units < 0 ? -1 : 0;
	return o2c_numeric_sign(amount_numeric(a));
}

static int
amount_cmp(const Amount *a, const Amount *b)
{
	if (a->fast && b->fast)
		return a->units < b->units ? -1 : a->units > b->units ? 1 : 0;
	return num_cmp(amount_numeric(a), amount_numeric(b));
}

static char *
amount_text(const Amount *a)
{
	return num_text(amount_numeric(a));
}

void
o2c_check_invoice_row(const O2cInvoiceVals *v, const bool *enabled,
					  O2cFindingFn emit, void *arg)
{
	Amount		amount,
				open;
	bool		has_amount = v->has_amount && !v->amount_null;
	bool		has_open = v->has_open && !v->open_null;

	if (has_amount)
		amount_load(&amount, v->amount, v->amount_type);
	if (has_open)
		amount_load(&open, v->open_amount, v->open_type);

	if (enabled[O2C_RULE_MISSING_CUSTOMER] && v->has_customer)
	{
		const char *c = v->customer_id;

		while (c != NULL && *c == ' ')
			c++;
		if (c == NULL || *c == '\0')
			emit(arg, O2C_RULE_MISSING_CUSTOMER, pstrdup("the invoice has no customer"));
	}
	if (enabled[O2C_RULE_NONPOSITIVE_AMOUNT] && has_amount &&
		(amount_is_nan(&amount) || amount_sign(&amount) <= 0))
		emit(arg, O2C_RULE_NONPOSITIVE_AMOUNT,
			 psprintf("amount %s is not positive", amount_text(&amount)));
	if (enabled[O2C_RULE_DUE_BEFORE_INVOICE] && v->has_due_date &&
		v->has_invoice_date && !v->due_date_null && !v->invoice_date_null &&
		v->due_date < v->invoice_date)
		emit(arg, O2C_RULE_DUE_BEFORE_INVOICE,
			 psprintf("due date %s is before invoice date %s",
					  date_text(v->due_date), date_text(v->invoice_date)));
	if (enabled[O2C_RULE_INVALID_CURRENCY] && v->has_currency && v->currency != NULL &&
		o2c_currency_minor_units(v->currency, v->currency_len) == O2C_CURRENCY_UNKNOWN)
		emit(arg, O2C_RULE_INVALID_CURRENCY,
			 psprintf("currency \"%.*s\" is not an active ISO 4217 code",
					  v->currency_len, v->currency));
	if (enabled[O2C_RULE_OPEN_EXCEEDS_AMOUNT] && has_open && has_amount &&
		!amount_is_nan(&open) && !amount_is_nan(&amount) &&
		amount_cmp(&open, &amount) > 0)
		emit(arg, O2C_RULE_OPEN_EXCEEDS_AMOUNT,
			 psprintf("open amount %s exceeds amount %s",
					  amount_text(&open), amount_text(&amount)));
	if (enabled[O2C_RULE_NEGATIVE_OPEN] && has_open && !amount_is_nan(&open) &&
		amount_sign(&open) < 0)
		emit(arg, O2C_RULE_NEGATIVE_OPEN,
			 psprintf("open amount %s is negative", amount_text(&open)));
	if (enabled[O2C_RULE_FUTURE_INVOICE_DATE] && v->has_invoice_date &&
		!v->invoice_date_null && v->invoice_date > v->as_of &&
		!DATE_NOT_FINITE(v->invoice_date))
		emit(arg, O2C_RULE_FUTURE_INVOICE_DATE,
			 v->as_of_is_today ?
			 psprintf("invoice date %s is after the current date",
					  date_text(v->invoice_date)) :
			 psprintf("invoice date %s is after %s",
					  date_text(v->invoice_date), date_text(v->as_of)));
}

/* ------------------------------------------------------ reference metrics */

char *
o2c_normalize_reference(const char *s)
{
	char	   *out = palloc(strlen(s) + 1);
	int			n = 0;
	bool		in_digits = false;

	for (; *s; s++)
	{
		char		c = *s;

		if (c >= 'A' && c <= 'Z')
			c = (char) (c - 'A' + 'a');
		if (c >= '0' && c <= '9')
		{
			/* Drop leading zeros of a digit run ("INV-0042" is "inv42"). */
			if (!in_digits && c == '0' && s[1] >= '0' && s[1] <= '9')
				continue;
			in_digits = true;
			out[n++] = c;
		}
		else if (c >= 'a' && c <= 'z')
		{
			in_digits = false;
			out[n++] = c;
		}
		else
			in_digits = false;
	}
	out[n] = '\0';
	return out;
}

int
o2c_bounded_levenshtein(const char *a, const char *b, int limit)
{
	int			la = strlen(a),
				lb = strlen(b);
	int		   *prev,
			   *cur;

	if (abs(la - lb) > limit)
		return limit + 1;
	if (la > 255 || lb > 255)
		return strcmp(a, b) == 0 ? 0 : limit + 1;
	prev = palloc((lb + 1) * sizeof(int));
	cur = palloc((lb + 1) * sizeof(int));
	for (int j = 0; j <= lb; j++)
		prev[j] = j;
	for (int i = 1; i <= la; i++)
	{
		int			best;

		cur[0] = i;
		best = cur[0];
		for (int j = 1; j <= lb; j++)
		{
			int			v = prev[j - 1] + (a[i - 1] != b[j - 1]);

			v = Min(v, prev[j] + 1);
			v = Min(v, cur[j - 1] + 1);
			cur[j] = v;
			best = Min(best, v);
		}
		if (best > limit)
		{
			pfree(prev);
			pfree(cur);
			return limit + 1;
		}
		{
			int		   *t = prev;

			prev = cur;
			cur = t;
		}
	}
	{
		int			d = prev[lb];

		pfree(prev);
		pfree(cur);
		return Min(d, limit + 1);
	}
}

/* ---------------------------------------------------------------- options */

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
					 errmsg("unknown option of %s: \"%s\"", fname, key),
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

		if (num_cmp(v->val.numeric, lo) >= 0 && num_cmp(v->val.numeric, hi) <= 0)
		{
			n = DatumGetInt64(DirectFunctionCall1(numeric_int8,
												  NumericGetDatum(v->val.numeric)));
			ok = num_cmp(int64_to_numeric(n), v->val.numeric) == 0;
		}
		else
			ok = true, n = num_cmp(v->val.numeric, lo) < 0 ? (int64) min - 1 : (int64) max + 1;
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

/* ------------------------------------------------------------ quality_scan */

typedef struct ScanRow
{
	char	   *id;
	char	   *customer;
	bool		has_date;
	DateADT		invoice_date;
	Numeric		amount;
	char	   *nref;			/* normalized reference, "" when none */
} ScanRow;

typedef struct Finding
{
	int			row;
	int			rule;
	char	   *detail;
} Finding;

typedef struct FindingList
{
	Finding    *items;
	int			n;
	int			cap;
	int			cur_row;
} FindingList;

static void
finding_add(FindingList *fl, int row, int rule, char *detail)
{
	if (fl->n == fl->cap)
	{
		fl->cap = fl->cap ? fl->cap * 2 : 64;
		fl->items = fl->items ? repalloc_huge(fl->items, fl->cap * sizeof(Finding))
			: palloc(fl->cap * sizeof(Finding));
	}
	fl->items[fl->n].row = row;
	fl->items[fl->n].rule = rule;
	fl->items[fl->n].detail = detail;
	fl->n++;
}

static void
finding_emit(void *arg, O2cRule rule, const char *detail)
{
	FindingList *fl = (FindingList *) arg;

	finding_add(fl, fl->cur_row, rule, (char *) detail);
}

static int
finding_cmp(const void *a, const void *b)
{
	const Finding *fa = a,
			   *fb = b;

	if (fa->row != fb->row)
		return fa->row < fb->row ? -1 : 1;
	return fa->rule < fb->rule ? -1 : fa->rule > fb->rule ? 1 : 0;
}

static int
row_id_cmp(const void *a, const void *b, void *arg)
{
	ScanRow    *rows = arg;

	return strcmp(rows[*(const int *) a].id, rows[*(const int *) b].id);
}

static int
row_dup_cmp(const void *a, const void *b, void *arg)
{
	ScanRow    *rows = arg;
	ScanRow    *ra = &rows[*(const int *) a];
	ScanRow    *rb = &rows[*(const int *) b];
	int			c = strcmp(ra->customer, rb->customer);

	if (c != 0)
		return c;
	c = num_cmp(ra->amount, rb->amount);
	if (c != 0)
		return c;
	return ra->invoice_date < rb->invoice_date ? -1 :
		ra->invoice_date > rb->invoice_date ? 1 : 0;
}

/* Rules chosen by options->'rules', or every rule the query's columns allow. */
static void
scan_rules(Jsonb *options, bool *enabled, bool *explicit_rules)
{
	JsonbValue *v = o2c_options_get(options, "rules");

	*explicit_rules = false;
	for (int i = 0; i < O2C_RULE_COUNT; i++)
		enabled[i] = (i != O2C_RULE_TERMS_DUE_MISMATCH);
	if (v == NULL)
		return;
	if (v->type != jbvBinary || !JsonContainerIsArray(v->val.binary.data))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("option \"rules\" must be an array of rule ids")));
	*explicit_rules = true;
	memset(enabled, 0, O2C_RULE_COUNT * sizeof(bool));
	{
		JsonbIterator *it = JsonbIteratorInit(v->val.binary.data);
		JsonbValue	e;
		JsonbIteratorToken tok;

		while ((tok = JsonbIteratorNext(&it, &e, true)) != WJB_DONE)
		{
			char	   *name;
			int			r;

			if (tok != WJB_ELEM)
				continue;
			if (e.type != jbvString)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("option \"rules\" must be an array of rule ids")));
			name = pnstrdup(e.val.string.val, e.val.string.len);
			r = o2c_rule_lookup(name);
			if (r < 0)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("unknown rule: \"%s\"", name),
						 errhint("Rules: missing_customer, nonpositive_amount, due_before_invoice, invalid_currency, open_exceeds_amount, negative_open, future_invoice_date, invalid_iban, terms_due_mismatch, duplicate_number, suspected_duplicate.")));
			if (r == O2C_RULE_TERMS_DUE_MISMATCH)
				ereport(ERROR,
						(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
						 errmsg("rule \"terms_due_mismatch\" is not supported yet"),
						 errdetail("It needs the o2c.terms payment-terms type, which this build does not have.")));
			enabled[r] = true;
		}
	}
}

/* An explicitly chosen rule whose column the query lacks is an error. */
static void
scan_need_column(bool *enabled, bool explicit_rules, int rule, const O2cCol *col,
				 const char *colname, O2cColKind kind)
{
	if (!enabled[rule] || col->attno != 0)
		return;
	if (explicit_rules)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("column \"%s\" is missing from invoices_sql", colname),
				 errdetail("Rule %s needs a column \"%s\" of %s.", o2c_rule_names[rule],
						   colname, o2c_col_kind_name(kind))));
	enabled[rule] = false;
}

enum
{
	SC_ID, SC_CUSTOMER, SC_INVOICE_DATE, SC_DUE_DATE, SC_AMOUNT, SC_OPEN,
	SC_CURRENCY, SC_REFERENCE, SC_IBAN, SC_NCOLS
};

static const O2cColSpec scan_cols[SC_NCOLS] = {
	[SC_ID] = {"invoice_id", O2C_COL_ID, true},
	[SC_CUSTOMER] = {"customer_id", O2C_COL_ID, true},
	[SC_INVOICE_DATE] = {"invoice_date", O2C_COL_DATE, true},
	[SC_DUE_DATE] = {"due_date", O2C_COL_DATE, true},
	[SC_AMOUNT] = {"amount", O2C_COL_AMOUNT, true},
	[SC_OPEN] = {"open_amount", O2C_COL_AMOUNT, false},
	[SC_CURRENCY] = {"currency", O2C_COL_TEXT, false},
	[SC_REFERENCE] = {"reference", O2C_COL_TEXT, false},
	[SC_IBAN] = {"iban", O2C_COL_TEXT, false},
};

static const char *const scan_options[] = {
	"rules", "as_of", "window_days", "max_reference_distance", NULL
};

Datum
o2c_quality_scan(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	text	   *sql = PG_GETARG_TEXT_PP(0);
	Jsonb	   *options = PG_NARGS() > 1 ? PG_GETARG_JSONB_P(1) : NULL;
	bool		enabled[O2C_RULE_COUNT];
	bool		explicit_rules;
	DateADT		as_of;
	bool		as_of_is_today = false;
	int			window_days,
				maxdist;
	SPITupleTable *tt;
	TupleDesc	td;
	O2cCol		cols[SC_NCOLS];
	uint64		nrows;
	ScanRow    *rows;
	FindingList fl = {0};

	if (options != NULL)
		o2c_options_check_keys(options, scan_options, "o2c.quality_scan");
	scan_rules(options, enabled, &explicit_rules);
	window_days = o2c_options_int(options, "window_days", 7, 0, 3660);
	maxdist = o2c_options_int(options, "max_reference_distance", 1, 0, 64);
	{
		JsonbValue *v = o2c_options_get(options, "as_of");

		if (v == NULL)
		{
			as_of = GetSQLCurrentDate();
			as_of_is_today = true;
		}
		else if (v->type != jbvString)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("option \"as_of\" must be a date string")));
		else
			as_of = DatumGetDateADT(DirectFunctionCall1(date_in,
														CStringGetDatum(pnstrdup(v->val.string.val, v->val.string.len))));
	}

	InitMaterializedSRF(fcinfo, 0);

	SPI_connect();
	tt = o2c_innerq_exec(sql, "invoices_sql");
	td = tt->tupdesc;
	o2c_innerq_bind(td, scan_cols, SC_NCOLS, cols, "invoices_sql");
	scan_need_column(enabled, explicit_rules, O2C_RULE_INVALID_CURRENCY,
					 &cols[SC_CURRENCY], "currency", O2C_COL_TEXT);
	scan_need_column(enabled, explicit_rules, O2C_RULE_OPEN_EXCEEDS_AMOUNT,
					 &cols[SC_OPEN], "open_amount", O2C_COL_AMOUNT);
	scan_need_column(enabled, explicit_rules, O2C_RULE_NEGATIVE_OPEN,
					 &cols[SC_OPEN], "open_amount", O2C_COL_AMOUNT);
	scan_need_column(enabled, explicit_rules, O2C_RULE_INVALID_IBAN,
					 &cols[SC_IBAN], "iban", O2C_COL_TEXT);

	nrows = SPI_processed;
	rows = palloc_extended(sizeof(ScanRow) * (nrows > 0 ? nrows : 1), MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO);
	for (uint64 i = 0; i < nrows; i++)
	{
		HeapTuple	tup = tt->vals[i];
		O2cInvoiceVals v = {0};
		char	   *ref;

		CHECK_FOR_INTERRUPTS();
		rows[i].id = o2c_col_text(tup, td, &cols[SC_ID]);
		if (rows[i].id == NULL)
			rows[i].id = "";
		v.has_customer = true;
		v.customer_id = rows[i].customer = o2c_col_text(tup, td, &cols[SC_CUSTOMER]);
		v.has_invoice_date = true;
		v.invoice_date_null = !o2c_col_date(tup, td, &cols[SC_INVOICE_DATE], &v.invoice_date);
		v.has_due_date = true;
		v.due_date_null = !o2c_col_date(tup, td, &cols[SC_DUE_DATE], &v.due_date);
		v.has_amount = true;
		rows[i].amount = o2c_col_amount(tup, td, &cols[SC_AMOUNT]);
		v.amount_null = rows[i].amount == NULL;
		v.amount = NumericGetDatum(rows[i].amount);
		v.amount_type = NUMERICOID;
		v.has_open = cols[SC_OPEN].attno != 0;
		{
			Numeric		open = o2c_col_amount(tup, td, &cols[SC_OPEN]);

			v.open_null = open == NULL;
			v.open_amount = NumericGetDatum(open);
			v.open_type = NUMERICOID;
		}
		v.has_currency = cols[SC_CURRENCY].attno != 0;
		v.currency = o2c_col_text(tup, td, &cols[SC_CURRENCY]);
		v.currency_len = v.currency ? strlen(v.currency) : 0;
		v.as_of = as_of;
		v.as_of_is_today = as_of_is_today;
		rows[i].has_date = !v.invoice_date_null;
		rows[i].invoice_date = v.invoice_date;
		ref = o2c_col_text(tup, td, &cols[SC_REFERENCE]);
		rows[i].nref = ref ? o2c_normalize_reference(ref) : "";

		fl.cur_row = (int) i;
		o2c_check_invoice_row(&v, enabled, finding_emit, &fl);
		if (enabled[O2C_RULE_INVALID_IBAN])
		{
			char	   *iban = o2c_col_text(tup, td, &cols[SC_IBAN]);
			char		out[O2C_IBAN_MAX + 1];
			O2cIbanResult r;

			if (iban != NULL &&
				(r = o2c_iban_check(iban, strlen(iban), out)) != O2C_IBAN_OK)
				finding_add(&fl, (int) i, O2C_RULE_INVALID_IBAN,
							psprintf("IBAN \"%s\" fails the %s check", iban,
									 o2c_iban_result_text(r)));
		}
	}

	if (enabled[O2C_RULE_DUPLICATE_NUMBER] && nrows > 1)
	{
		int		   *idx = palloc_extended(sizeof(int) * nrows, MCXT_ALLOC_HUGE);
		uint64		start = 0;

		for (uint64 i = 0; i < nrows; i++)
			idx[i] = (int) i;
		qsort_arg(idx, nrows, sizeof(int), row_id_cmp, rows);
		for (uint64 i = 1; i <= nrows; i++)
		{
			if (i < nrows && strcmp(rows[idx[i]].id, rows[idx[start]].id) == 0)
				continue;
			if (i - start > 1)
				for (uint64 k = start; k < i; k++)
					finding_add(&fl, idx[k], O2C_RULE_DUPLICATE_NUMBER,
								psprintf("invoice id \"%s\" appears %d times",
										 rows[idx[k]].id, (int) (i - start)));
			start = i;
		}
	}

	if (enabled[O2C_RULE_SUSPECTED_DUPLICATE] && nrows > 1)
	{
		/* Block on customer and amount, sorted by date: no all-pairs pass. */
		int		   *idx = palloc_extended(sizeof(int) * nrows, MCXT_ALLOC_HUGE);
		bool	   *flagged = palloc_extended(sizeof(bool) * nrows, MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO);
		int			m = 0;

		for (uint64 i = 0; i < nrows; i++)
			if (rows[i].customer != NULL && rows[i].amount != NULL &&
				rows[i].has_date && !numeric_is_nan(rows[i].amount))
				idx[m++] = (int) i;
		qsort_arg(idx, m, sizeof(int), row_dup_cmp, rows);
		for (int a = 0; a < m; a++)
		{
			ScanRow    *ra = &rows[idx[a]];

			for (int b = a + 1; b < m; b++)
			{
				ScanRow    *rb = &rows[idx[b]];
				int			days = rb->invoice_date - ra->invoice_date;

				if (strcmp(ra->customer, rb->customer) != 0 ||
					num_cmp(ra->amount, rb->amount) != 0 || days > window_days)
					break;
				if (flagged[idx[b]] || strcmp(ra->id, rb->id) == 0)
					continue;
				/* A missing reference cannot tell the two apart. */
				if (ra->nref[0] != '\0' && rb->nref[0] != '\0' &&
					o2c_bounded_levenshtein(ra->nref, rb->nref, maxdist) > maxdist)
					continue;
				flagged[idx[b]] = true;
				finding_add(&fl, idx[b], O2C_RULE_SUSPECTED_DUPLICATE,
							psprintf("same customer \"%s\" and amount %s as invoice \"%s\", %d day%s apart",
									 rb->customer, num_text(rb->amount), ra->id, days,
									 days == 1 ? "" : "s"));
			}
		}
	}

	if (fl.n > 0)
		qsort(fl.items, fl.n, sizeof(Finding), finding_cmp);
	for (int i = 0; i < fl.n; i++)
	{
		Datum		values[4];
		bool		nulls[4] = {false, false, false, false};
		Finding    *f = &fl.items[i];

		values[0] = CStringGetTextDatum(rows[f->row].id);
		values[1] = CStringGetTextDatum(o2c_rule_names[f->rule]);
		values[2] = CStringGetTextDatum(o2c_rule_severity[f->rule]);
		values[3] = CStringGetTextDatum(f->detail);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	SPI_finish();
	PG_RETURN_NULL();
}
