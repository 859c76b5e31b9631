/*
 * risk_train.c — CALL o2c.train_risk_model: labels, per-invoice features
 * from the history known the day before each invoice, the time-ordered
 * holdout, the fit (risk_fit.c) and storing the model in o2c.risk_model.
 */
#include "postgres.h"

#include <math.h>

#include "core/o2c.h"
#include "risk.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/tuplestore.h"

PG_FUNCTION_INFO_V1(o2c_train_risk_model);

#define HOLDOUT_SHARE	0.2
#define MIN_TRAIN_ROWS	10

static char *
date_text(DateADT d)
{
	return DatumGetCString(DirectFunctionCall1(date_out, DateADTGetDatum(d)));
}

typedef struct TrainOptions
{
	int32		late_days;
	double		l2;
	bool		has_from;
	DateADT		from;
} TrainOptions;

static void
option_error(const char *key, const char *why)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid risk model option \"%s\"", o2c_quote_cstr(key)),
			 errdetail("%s", why),
			 errhint("Known options: late_days (integer >= 0, default 0), l2 (number >= 0, default 1), from (date).")));
}

static void
parse_options(Jsonb *jb, TrainOptions *opt)
{
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken tok;
	char	   *key = NULL;

	opt->late_days = 0;
	opt->l2 = 1.0;
	opt->has_from = false;
	opt->from = 0;
	if (jb == NULL)
		return;
	if (!JB_ROOT_IS_OBJECT(jb))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("risk model options must be a JSON object")));
	it = JsonbIteratorInit(&jb->root);
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		if (tok == WJB_KEY)
			key = pnstrdup(v.val.string.val, v.val.string.len);
		else if (tok == WJB_VALUE)
		{
			if (strcmp(key, "late_days") == 0)
			{
				if (v.type != jbvNumeric)
					option_error(key, "late_days must be a number.");
				opt->late_days = DatumGetInt32(DirectFunctionCall1(numeric_int4,
																	NumericGetDatum(v.val.numeric)));
				if (!DatumGetBool(DirectFunctionCall2(numeric_eq,
													  NumericGetDatum(v.val.numeric),
													  NumericGetDatum(int64_to_numeric(opt->late_days)))))
					option_error(key, "late_days must be a whole number of days.");
				if (opt->late_days < 0)
					option_error(key, "late_days must not be negative.");
			}
			else if (strcmp(key, "l2") == 0)
			{
				if (v.type != jbvNumeric)
					option_error(key, "l2 must be a number.");
				opt->l2 = DatumGetFloat8(DirectFunctionCall1(numeric_float8,
															 NumericGetDatum(v.val.numeric)));
				if (!(opt->l2 >= 0) || isinf(opt->l2))
					option_error(key, "l2 must be a finite number >= 0.");
			}
			else if (strcmp(key, "from") == 0)
			{
				if (v.type != jbvString)
					option_error(key, "from must be a date string.");
				opt->from = DatumGetDateADT(DirectFunctionCall1(date_in,
																CStringGetDatum(pnstrdup(v.val.string.val,
																						 v.val.string.len))));
				o2c_check_finite_date(opt->from, "from date");
				opt->has_from = true;
			}
			else
				option_error(key, "Unknown option.");
		}
	}
}

typedef struct TrainRow
{
	DateADT		invoice_date;
	const char *invoice_id;
	const char *customer_id;
	bool		y;
	double		x[RISK_NFEAT];
} TrainRow;

static int
train_row_cmp(const void *a, const void *b)
{
	const TrainRow *x = (const TrainRow *) a;
	const TrainRow *y = (const TrainRow *) b;
	int			c;

	if (x->invoice_date != y->invoice_date)
		return x->invoice_date < y->invoice_date ? -1 : 1;
	c = strcmp(x->invoice_id, y->invoice_id);
	if (c != 0)
		return c;
	return strcmp(x->customer_id, y->customer_id);
}

static int
dateadt_cmp(const void *a, const void *b)
{
	DateADT		x = *(const DateADT *) a;
	DateADT		y = *(const DateADT *) b;

	return x < y ? -1 : (x > y ? 1 : 0);
}

static const RiskInvoice *settle_base;

static int
settle_idx_cmp(const void *a, const void *b)
{
	return o2c_risk_settle_cmp(&settle_base[*(const int64 *) a], &settle_base[*(const int64 *) b]);
}

/*
 * Features of every labelled invoice of one customer (rows sorted by date),
 * each from the history known the day before its invoice date: pointers
 * over the rows by date, by settlement and by the start and end of each
 * invoice's open-and-overdue interval, all moving forward only. The
 * same statistics as o2c_risk_stats_at (risk.c): disputed invoices are
 * known and disputed, and take no part in the rest.
 */
static int64
customer_training_rows(const RiskInvoice *rows, int64 n, DateADT as_of,
					   const TrainOptions *opt, TrainRow *out)
{
	int64	   *by_settle = palloc(sizeof(int64) * n);
	DateADT    *starts = palloc(sizeof(DateADT) * n);
	DateADT    *ends = palloc(sizeof(DateADT) * n);
	int64		npaid = 0,
				nint = 0,
				nend = 0;
	int64		k = 0,
				p = 0,
				si = 0,
				ei = 0,
				nout = 0;
	HistStats	s;

	for (int64 i = 0; i < n; i++)
	{
		const RiskInvoice *r = &rows[i];
		DateADT		start = Max(r->invoice_date, r->due_date + 1);

		/* disputed invoices are known (below) but not lateness history */
		if (r->disputed)
			continue;
		if (r->paid)
			by_settle[npaid++] = i;
		/* open and past due on the days start <= t < paid_on */
		if (!r->paid || start < r->paid_on)
		{
			starts[nint++] = start;
			if (r->paid)
				ends[nend++] = r->paid_on;
		}
	}
	settle_base = rows;
	qsort(by_settle, npaid, sizeof(int64), settle_idx_cmp);
	qsort(starts, nint, sizeof(DateADT), dateadt_cmp);
	qsort(ends, nend, sizeof(DateADT), dateadt_cmp);

	memset(&s, 0, sizeof(s));
	for (int64 i = 0; i < n; i++)
	{
		const RiskInvoice *r = &rows[i];
		DateADT		t = r->invoice_date - 1;
		bool		y;

		if (r->invoice_date > as_of)
			break;
		while (k < n && rows[k].invoice_date <= t)
		{
			s.known++;
			s.disputed += rows[k].disputed ? 1 : 0;
			s.amount_sum += rows[k].amount_f;
			k++;
		}
		while (p < npaid && rows[by_settle[p]].settled <= t)
			o2c_risk_stats_add_paid(&s, &rows[by_settle[p++]]);
		while (si < nint && starts[si] <= t)
		{
			s.open_overdue++;
			si++;
		}
		while (ei < nend && ends[ei] <= t)
		{
			s.open_overdue--;
			ei++;
		}

#ifdef O2C_RISK_SELFCHECK
		{
			/* development check: the sweep agrees with the direct pass */
			HistStats	d;

			o2c_risk_stats_at(rows, n, t, -1, &d);
			if (d.known != s.known || d.disputed != s.disputed || d.paid != s.paid ||
				d.late != s.late || d.open_overdue != s.open_overdue || d.nlast != s.nlast ||
				memcmp(d.last_days, s.last_days, sizeof(int32) * d.nlast) != 0 ||
				fabs(d.amount_sum - s.amount_sum) > 1e-6 ||
				fabs(d.paid_amount_days - s.paid_amount_days) > 1e-6)
				elog(ERROR, "risk sweep mismatch at invoice %s", r->invoice_id);
		}
#endif
		/* credit notes are history, not something to predict */
		if ((opt->has_from && r->invoice_date < opt->from) || r->amount_f <= 0)
			continue;
		/* the label: settled by as_of, or open and already late enough */
		if (r->paid && r->paid_on <= as_of)
			y = (int64) r->paid_on - r->due_date > opt->late_days;
		else if ((int64) as_of - r->due_date > opt->late_days)
			y = true;
		else
			continue;
		out[nout].invoice_date = r->invoice_date;
		out[nout].invoice_id = r->invoice_id;
		out[nout].customer_id = r->customer_id;
		out[nout].y = y;
		o2c_risk_features(&s, r->amount_f, r->disputed, out[nout].x, NULL);
		nout++;
	}
	pfree(by_settle);
	pfree(starts);
	pfree(ends);
	return nout;
}

static Datum
float8_array(const double *v, int n)
{
	Datum	   *d = palloc(sizeof(Datum) * n);

	for (int i = 0; i < n; i++)
		d[i] = Float8GetDatum(v[i]);
	return PointerGetDatum(construct_array(d, n, FLOAT8OID, sizeof(float8),
										   FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
}

static Datum
feature_names_array(void)
{
	Datum		d[RISK_NFEAT];

	for (int i = 0; i < RISK_NFEAT; i++)
		d[i] = CStringGetTextDatum(o2c_risk_feature_names[i]);
	return PointerGetDatum(construct_array(d, RISK_NFEAT, TEXTOID, -1, false, TYPALIGN_INT));
}

char *
o2c_risk_model_table(FunctionCallInfo fcinfo)
{
	Oid			nsp = get_func_namespace(fcinfo->flinfo->fn_oid);

	return psprintf("%s.risk_model", quote_identifier(get_namespace_name(nsp)));
}

static void
fit_rows(const TrainRow *rows, int64 n, double l2, RiskFit *fit)
{
	double	   *x = MemoryContextAllocHuge(CurrentMemoryContext, sizeof(double) * RISK_NFEAT * Max(n, 1));
	bool	   *y = MemoryContextAllocHuge(CurrentMemoryContext, sizeof(bool) * Max(n, 1));

	for (int64 i = 0; i < n; i++)
	{
		memcpy(&x[i * RISK_NFEAT], rows[i].x, sizeof(double) * RISK_NFEAT);
		y[i] = rows[i].y;
	}
	o2c_risk_fit(x, y, n, RISK_NFEAT, l2, fit);
	pfree(x);
	pfree(y);
}

Datum
o2c_train_risk_model(PG_FUNCTION_ARGS)
{
	char	   *name;
	char	   *sql;
	DateADT		as_of;
	TrainOptions opt;
	RiskBook	book;
	CustRange  *cr;
	int64		ncust;
	TrainRow   *rows;
	int64		nrows = 0,
				npos = 0,
				cut,
				nhold;
	RiskFit		fit,
				hold_fit;
	double		auc = NAN,
				loss = NAN;
	DateADT		holdout_from = 0;
	Datum		args[17];
	char		nulls[17];
	Oid			types[17] = {TEXTOID, DATEOID, INT4OID, FLOAT8OID, TEXTARRAYOID,
		FLOAT8OID, FLOAT8ARRAYOID, FLOAT8ARRAYOID, FLOAT8ARRAYOID, DATEOID, DATEOID,
		INT8OID, INT8OID, INT8OID, DATEOID, FLOAT8OID, FLOAT8OID};
	int			ret;

	for (int i = 0; i < 3; i++)
		if (PG_ARGISNULL(i))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("%s must not be null", i == 0 ? "name" : i == 1 ? "history_sql" : "as_of")));
	name = text_to_cstring(PG_GETARG_TEXT_PP(0));
	sql = text_to_cstring(PG_GETARG_TEXT_PP(1));
	as_of = PG_GETARG_DATEADT(2);
	o2c_risk_check_as_of(as_of);
	if (name[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("risk model name must not be empty")));
	parse_options(PG_ARGISNULL(3) ? NULL : PG_GETARG_JSONB_P(3), &opt);

	SPI_connect();
	o2c_risk_read_book(sql, "history query", o2c_risk_history_cols, &book);
	qsort(book.rows, book.n, sizeof(RiskInvoice), o2c_risk_book_cmp);
	cr = o2c_risk_customer_ranges(&book, &ncust);

	rows = MemoryContextAllocHuge(CurrentMemoryContext, sizeof(TrainRow) * Max(book.n, 1));
	for (int64 c = 0; c < ncust; c++)
		nrows += customer_training_rows(&book.rows[cr[c].lo], cr[c].hi - cr[c].lo,
										as_of, &opt, rows + nrows);
	/* Time order, so the fit and the holdout never depend on input order. */
	qsort(rows, nrows, sizeof(TrainRow), train_row_cmp);
	for (int64 i = 0; i < nrows; i++)
		npos += rows[i].y ? 1 : 0;
	if (nrows < MIN_TRAIN_ROWS || npos == 0 || npos == nrows)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("not enough labelled invoices to train risk model \"%s\"", o2c_quote_cstr(name)),
				 errdetail(INT64_FORMAT " labelled invoices up to %s, " INT64_FORMAT
						   " of them late; training needs at least %d and both outcomes.",
						   nrows, date_text(as_of), npos, MIN_TRAIN_ROWS)));

	/*
	 * Holdout: the invoices dated on or after the date at 80% of the window,
	 * so one day is never split. Its metrics come from a model fitted on the
	 * rows before it; the stored model is then fitted on every row.
	 */
	cut = (int64) floor(nrows * (1.0 - HOLDOUT_SHARE));
	holdout_from = rows[Min(cut, nrows - 1)].invoice_date;
	while (cut > 0 && rows[cut - 1].invoice_date >= holdout_from)
		cut--;
	nhold = nrows - cut;
	if (cut >= MIN_TRAIN_ROWS && nhold > 0)
	{
		double	   *p = MemoryContextAllocHuge(CurrentMemoryContext, sizeof(double) * nhold);
		bool	   *y = MemoryContextAllocHuge(CurrentMemoryContext, sizeof(bool) * nhold);
		int64		train_pos = 0;

		for (int64 i = 0; i < cut; i++)
			train_pos += rows[i].y ? 1 : 0;
		if (train_pos > 0 && train_pos < cut)
		{
			fit_rows(rows, cut, opt.l2, &hold_fit);
			for (int64 i = 0; i < nhold; i++)
			{
				p[i] = o2c_risk_predict(&hold_fit, rows[cut + i].x);
				y[i] = rows[cut + i].y;
			}
			auc = o2c_roc_auc(p, y, nhold);
			loss = o2c_log_loss(p, y, nhold);
		}
	}
	else
		nhold = 0;
	fit_rows(rows, nrows, opt.l2, &fit);

	memset(nulls, ' ', sizeof(nulls));
	args[0] = CStringGetTextDatum(name);
	args[1] = DateADTGetDatum(as_of);
	args[2] = Int32GetDatum(opt.late_days);
	args[3] = Float8GetDatum(opt.l2);
	args[4] = feature_names_array();
	args[5] = Float8GetDatum(fit.intercept);
	args[6] = float8_array(fit.coef, RISK_NFEAT);
	args[7] = float8_array(fit.mean, RISK_NFEAT);
	args[8] = float8_array(fit.scale, RISK_NFEAT);
	args[9] = DateADTGetDatum(rows[0].invoice_date);
	args[10] = DateADTGetDatum(rows[nrows - 1].invoice_date);
	args[11] = Int64GetDatum(nrows);
	args[12] = Int64GetDatum(npos);
	args[13] = Int64GetDatum(nhold);
	args[14] = DateADTGetDatum(holdout_from);
	if (nhold == 0)
		nulls[14] = 'n';
	args[15] = Float8GetDatum(auc);
	if (isnan(auc))
		nulls[15] = 'n';
	args[16] = Float8GetDatum(loss);
	if (isnan(loss))
		nulls[16] = 'n';

	ret = SPI_execute_with_args(psprintf("INSERT INTO %s AS m (name, as_of, late_days, l2, features,"
										 " intercept, coefficients, feature_mean, feature_scale,"
										 " window_from, window_to, rows, late_rows, holdout_rows,"
										 " holdout_from, holdout_auc, holdout_log_loss, trained_at)"
										 " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11,"
										 " $12, $13, $14, $15, $16, $17, pg_catalog.now())"
										 " ON CONFLICT (name) DO UPDATE SET"
										 " as_of = EXCLUDED.as_of, late_days = EXCLUDED.late_days,"
										 " l2 = EXCLUDED.l2, features = EXCLUDED.features,"
										 " intercept = EXCLUDED.intercept,"
										 " coefficients = EXCLUDED.coefficients,"
										 " feature_mean = EXCLUDED.feature_mean,"
										 " feature_scale = EXCLUDED.feature_scale,"
										 " window_from = EXCLUDED.window_from,"
										 " window_to = EXCLUDED.window_to, rows = EXCLUDED.rows,"
										 " late_rows = EXCLUDED.late_rows,"
										 " holdout_rows = EXCLUDED.holdout_rows,"
										 " holdout_from = EXCLUDED.holdout_from,"
										 " holdout_auc = EXCLUDED.holdout_auc,"
										 " holdout_log_loss = EXCLUDED.holdout_log_loss,"
										 " trained_at = EXCLUDED.trained_at",
										 o2c_risk_model_table(fcinfo)),
								17, types, args, nulls, false, 0);
	if (ret != SPI_OK_INSERT)
		elog(ERROR, "storing risk model failed: %s", SPI_result_code_string(ret));
	SPI_finish();
	PG_RETURN_VOID();
}

