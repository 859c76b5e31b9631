/*
 * quality.c — o2c.quality_scan: the single-row rules (rules.c) and the
 * duplicate rules over the invoices of an inner query (innerq.c).
 *
 * The quality concern (src/quality/), above core, calendar and terms: the
 * validators (validate.c, vat.c, iban.c), the rules (rules.c),
 * quality_scan here, duplicate_invoices and duplicate_customers
 * (duplicates.c) and the invoice_guard trigger (guard.c). Reads invoices
 * through inner queries and the rows of guarded tables; writes o2c.finding
 * (the guard, through one definer-rights function).
 */
#include "postgres.h"

#include "quality.h"
#include "validate.h"

#include "catalog/pg_type.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/lsyscache.h"
#include "utils/numeric.h"

PG_FUNCTION_INFO_V1(o2c_quality_scan);
PG_FUNCTION_INFO_V1(o2c_quality_scan_rows);

/* Invoices read by this session's last quality_scan; -1 before the first. */
static int64 last_scan_rows = -1;

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
	c = o2c_num_cmp(ra->amount, rb->amount);
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

	JsonbValue *cn = o2c_options_get(options, "credit_notes");
	bool		credit_notes = true;

	if (cn != NULL && cn->type != jbvBool)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("option \"credit_notes\" must be true or false")));
	if (cn != NULL)
		credit_notes = cn->val.boolean;
	*explicit_rules = false;
	for (int i = 0; i < O2C_RULE_COUNT; i++)
		enabled[i] = o2c_rule_on_by_default(i);
	if (!credit_notes)
		enabled[O2C_RULE_NEGATIVE_AMOUNT] = true;
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
						 errmsg("unknown rule: \"%s\"", o2c_quote_cstr(name)),
						 errhint("Rules: missing_customer, zero_amount, negative_amount, due_before_invoice, invalid_currency, open_exceeds_amount, negative_open, future_invoice_date, invalid_iban, invalid_terms, terms_due_mismatch, duplicate_number, suspected_duplicate.")));
			enabled[r] = true;
		}
	}
	if (cn != NULL && credit_notes && enabled[O2C_RULE_NEGATIVE_AMOUNT])
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("option \"credit_notes\": true contradicts rule \"negative_amount\"")));
	if (!credit_notes)
		enabled[O2C_RULE_NEGATIVE_AMOUNT] = true;
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
	SC_CURRENCY, SC_REFERENCE, SC_IBAN, SC_TERMS, SC_NCOLS
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
	[SC_TERMS] = {"terms", O2C_COL_TERMS, false},
};

static const char *const scan_options[] = {
	"rules", "as_of", "window_days", "max_reference_distance", "calendar", "credit_notes", NULL
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
	int			terms_att = 0;
	Oid			terms_col_type = InvalidOid,
				terms_type;
	text	   *cal_name = NULL;
	char	   *cal_cstr = NULL;
	FmgrInfo	cal_fl;			/* holds the calendar cache reference */
	O2cTermPart terms_buf[O2C_TERMS_MAX_PARTS];	/* one row's parsed text terms */

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

	{
		JsonbValue *v = o2c_options_get(options, "calendar");

		if (v != NULL && v->type != jbvString)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("option \"calendar\" must be a calendar name string")));
		if (v != NULL)
		{
			cal_cstr = pnstrdup(v->val.string.val, v->val.string.len);
			cal_name = cstring_to_text(cal_cstr);
			/* An unknown calendar is an error even when no row needs it. */
			memset(&cal_fl, 0, sizeof(cal_fl));
			cal_fl.fn_mcxt = CurrentMemoryContext;
			(void) o2c_calendar_lookup(&cal_fl, cal_name);
		}
	}

	InitMaterializedSRF(fcinfo, 0);

	SPI_connect();
	tt = o2c_innerq_exec(sql, "invoices_sql");
	td = tt->tupdesc;
	terms_type = o2c_terms_type(get_func_namespace(fcinfo->flinfo->fn_oid));
	o2c_innerq_bind(td, scan_cols, SC_NCOLS, cols, "invoices_sql", terms_type);
	scan_need_column(enabled, explicit_rules, O2C_RULE_INVALID_CURRENCY,
					 &cols[SC_CURRENCY], "currency", O2C_COL_TEXT);
	scan_need_column(enabled, explicit_rules, O2C_RULE_OPEN_EXCEEDS_AMOUNT,
					 &cols[SC_OPEN], "open_amount", O2C_COL_AMOUNT);
	scan_need_column(enabled, explicit_rules, O2C_RULE_NEGATIVE_OPEN,
					 &cols[SC_OPEN], "open_amount", O2C_COL_AMOUNT);
	scan_need_column(enabled, explicit_rules, O2C_RULE_INVALID_IBAN,
					 &cols[SC_IBAN], "iban", O2C_COL_TEXT);

	/* The optional terms column: o2c.terms, or text holding terms. */
	terms_att = cols[SC_TERMS].attno;
	terms_col_type = cols[SC_TERMS].type;
	if (terms_att == 0)
	{
		for (int r = O2C_RULE_INVALID_TERMS; r <= O2C_RULE_TERMS_DUE_MISMATCH; r++)
		{
			if (enabled[r] && explicit_rules)
				ereport(ERROR,
						(errcode(ERRCODE_UNDEFINED_COLUMN),
						 errmsg("column \"terms\" is missing from invoices_sql"),
						 errdetail("Rule %s needs a column \"terms\" of o2c.terms or text.",
								   o2c_rule_names[r])));
			enabled[r] = false;
		}
	}

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
		fl.cur_row = (int) i;
		if (terms_att != 0)
		{
			bool		need_due = enabled[O2C_RULE_TERMS_DUE_MISMATCH] && !v.due_date_null &&
				!v.invoice_date_null && !DATE_NOT_FINITE(v.invoice_date);
			bool		check_text = enabled[O2C_RULE_INVALID_TERMS] &&
				terms_col_type != terms_type;
			bool		tnull = true;
			Datum		td_terms = 0;
			const O2cTermPart *parts = NULL;
			int			n = 0;
			char	   *invalid = NULL;

			if (need_due || check_text)
				td_terms = SPI_getbinval(tup, td, terms_att, &tnull);
			if (!tnull)
				n = o2c_terms_datum_parts(td_terms, terms_col_type, terms_type,
										  terms_buf, &parts, &invalid);
			if (invalid != NULL && enabled[O2C_RULE_INVALID_TERMS])
				finding_emit(&fl, O2C_RULE_INVALID_TERMS, invalid);
			if (need_due && n > 0)
			{
				v.has_terms_due = true;
				/* Looked up per row: a cache invalidation may drop it. */
				v.terms_due = o2c_terms_parts_due(parts, n, v.invoice_date,
												  cal_name ? o2c_calendar_lookup(&cal_fl, cal_name) : NULL);
				v.terms_parts = parts;
				v.terms_nparts = n;
				v.calendar = cal_cstr;
			}
		}
		rows[i].has_date = !v.invoice_date_null;
		rows[i].invoice_date = v.invoice_date;
		ref = o2c_col_text(tup, td, &cols[SC_REFERENCE]);
		rows[i].nref = ref ? o2c_normalize_reference(ref) : "";

		o2c_check_invoice_row(&v, enabled, finding_emit, &fl);
		if (enabled[O2C_RULE_INVALID_IBAN])
		{
			char	   *iban = o2c_col_text(tup, td, &cols[SC_IBAN]);
			char		out[O2C_IBAN_MAX + 1];
			O2cIbanResult r;

			if (iban != NULL &&
				(r = o2c_iban_check(iban, strlen(iban), out)) != O2C_IBAN_OK)
				finding_add(&fl, (int) i, O2C_RULE_INVALID_IBAN,
							psprintf("IBAN \"%s\" fails the %s check", o2c_quote_cstr(iban),
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
										 o2c_quote_cstr(rows[idx[k]].id), (int) (i - start)));
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
					o2c_num_cmp(ra->amount, rb->amount) != 0 || days > window_days)
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
									 o2c_quote_cstr(rb->customer), o2c_quote_cstr(o2c_num_text(rb->amount)),
									 o2c_quote_cstr(ra->id), days,
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
	last_scan_rows = (int64) nrows;
	PG_RETURN_NULL();
}

/*
 * o2c.quality_scan_rows(): the invoices the session's last quality_scan read,
 * for the rows_read of run_quality_scan; NULL before any scan.
 */
Datum
o2c_quality_scan_rows(PG_FUNCTION_ARGS)
{
	if (last_scan_rows < 0)
		PG_RETURN_NULL();
	PG_RETURN_INT64(last_scan_rows);
}
