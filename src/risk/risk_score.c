/*
 * risk_score.c — o2c.risk_score: load a model from o2c.risk_model, build
 * each invoice's features from the history known at as_of (less the
 * invoice itself), and return probability, grade and reasons.
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
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/tuplestore.h"

PG_FUNCTION_INFO_V1(o2c_risk_score);

static const RiskInvoice *settle_base;

static void
read_float8_array(Datum d, double *out, int n, const char *model, const char *what)
{
	ArrayType  *arr = DatumGetArrayTypeP(d);
	Datum	   *elems;
	bool	   *enulls;
	int			nelems;

	deconstruct_array(arr, FLOAT8OID, sizeof(float8), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE,
					  &elems, &enulls, &nelems);
	if (nelems != n)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("risk model \"%s\" has %d %s, expected %d", o2c_quote_cstr(model), nelems, what, n),
				 errhint("Train the model again with o2c.train_risk_model.")));
	for (int i = 0; i < n; i++)
	{
		if (enulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("risk model \"%s\" has a null in %s", o2c_quote_cstr(model), what)));
		out[i] = DatumGetFloat8(elems[i]);
	}
}

static void
load_model(FunctionCallInfo fcinfo, const char *name, RiskFit *fit)
{
	Oid			types[1] = {TEXTOID};
	Datum		args[1];
	bool		isnull;
	Datum		feats;
	ArrayType  *farr;
	Datum	   *felems;
	bool	   *fnulls;
	int			nf;

	args[0] = CStringGetTextDatum(name);
	if (SPI_execute_with_args(psprintf("SELECT features, intercept, coefficients, feature_mean,"
									   " feature_scale FROM %s WHERE name = $1",
									   o2c_risk_model_table(fcinfo)),
							  1, types, args, NULL, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "reading risk model failed");
	if (SPI_processed == 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("risk model \"%s\" does not exist", o2c_quote_cstr(name)),
				 errhint("Train it first: CALL o2c.train_risk_model('%s', history_sql, as_of).", o2c_quote_cstr(name))));

	memset(fit, 0, sizeof(RiskFit));
	fit->nfeatures = RISK_NFEAT;
	feats = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	farr = DatumGetArrayTypeP(feats);
	deconstruct_array(farr, TEXTOID, -1, false, TYPALIGN_INT, &felems, &fnulls, &nf);
	for (int i = 0; i < nf && nf == RISK_NFEAT; i++)
		if (fnulls[i] || strcmp(TextDatumGetCString(felems[i]), o2c_risk_feature_names[i]) != 0)
			nf = -1;
	if (nf != RISK_NFEAT)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("risk model \"%s\" was trained with other features", o2c_quote_cstr(name)),
				 errhint("Train the model again with o2c.train_risk_model.")));
	fit->intercept = DatumGetFloat8(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull));
	read_float8_array(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3, &isnull),
					  fit->coef, RISK_NFEAT, name, "coefficients");
	read_float8_array(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 4, &isnull),
					  fit->mean, RISK_NFEAT, name, "feature means");
	read_float8_array(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 5, &isnull),
					  fit->scale, RISK_NFEAT, name, "feature scales");
	for (int i = 0; i < RISK_NFEAT; i++)
		if (!(fit->scale[i] > 0))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("risk model \"%s\" has a feature scale that is not positive", o2c_quote_cstr(name))));
}

/* Grades by fixed probability bands. */
static const char *
grade_of(double p)
{
	if (p < 0.10)
		return "A";
	if (p < 0.25)
		return "B";
	if (p < 0.50)
		return "C";
	if (p < 0.75)
		return "D";
	return "E";
}

/* Customer, invoice id: finding a scored invoice in the history. */
static int
id_idx_cmp(const void *a, const void *b)
{
	const RiskInvoice *x = &settle_base[*(const int64 *) a];
	const RiskInvoice *y = &settle_base[*(const int64 *) b];
	int			c = strcmp(x->customer_id, y->customer_id);

	return c != 0 ? c : strcmp(x->invoice_id, y->invoice_id);
}

static int
cust_range_cmp(const void *key, const void *elem)
{
	return strcmp((const char *) key, ((const CustRange *) elem)->customer_id);
}

#define MAX_REASONS 3
#define MIN_REASON	0.2			/* log-odds a feature must add to be named */

Datum
o2c_risk_score(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	char	   *model = text_to_cstring(PG_GETARG_TEXT_PP(0));
	char	   *history_sql = text_to_cstring(PG_GETARG_TEXT_PP(1));
	char	   *invoices_sql = text_to_cstring(PG_GETARG_TEXT_PP(2));
	DateADT		as_of = PG_GETARG_DATEADT(3);
	RiskFit		fit;
	RiskBook	book,
				to_score;
	CustRange  *cr;
	int64		ncust;
	HistStats  *cstats;
	int64	   *by_id;

	o2c_risk_check_as_of(as_of);
	InitMaterializedSRF(fcinfo, 0);
	SPI_connect();
	load_model(fcinfo, model, &fit);
	o2c_risk_read_book(history_sql, "history query", o2c_risk_history_cols, &book);
	o2c_risk_read_book(invoices_sql, "invoices query", o2c_risk_score_cols, &to_score);

	qsort(book.rows, book.n, sizeof(RiskInvoice), o2c_risk_book_cmp);
	cr = o2c_risk_customer_ranges(&book, &ncust);
	cstats = MemoryContextAllocHuge(CurrentMemoryContext, sizeof(HistStats) * Max(ncust, 1));
	for (int64 c = 0; c < ncust; c++)
		o2c_risk_stats_at(&book.rows[cr[c].lo], cr[c].hi - cr[c].lo, as_of, -1, &cstats[c]);
	by_id = MemoryContextAllocHuge(CurrentMemoryContext, sizeof(int64) * Max(book.n, 1));
	for (int64 i = 0; i < book.n; i++)
		by_id[i] = i;
	settle_base = book.rows;
	qsort(by_id, book.n, sizeof(int64), id_idx_cmp);

	for (int64 i = 0; i < to_score.n; i++)
	{
		RiskInvoice *inv = &to_score.rows[i];
		CustRange  *range;
		HistStats	s;
		RawFeatures raw;
		double		x[RISK_NFEAT];
		double		contrib[RISK_NFEAT];
		double		p;
		Datum		values[5];
		bool		nulls[5] = {false};
		Datum		reasons[MAX_REASONS];
		int			nreasons = 0;
		bool		used[RISK_NFEAT] = {false};

		memset(&s, 0, sizeof(s));
		range = ncust > 0 ? bsearch(inv->customer_id, cr, ncust, sizeof(CustRange),
									cust_range_cmp) : NULL;
		if (range != NULL)
		{
			int64		c = range - cr;
			int64		lo = 0,
						hi = book.n;
			int64		self = -1;

			s = cstats[c];
			/* Leave the scored invoice out of its own history. */
			while (lo < hi)
			{
				int64		mid = (lo + hi) / 2;
				const RiskInvoice *m = &book.rows[by_id[mid]];
				int			cmp = strcmp(m->customer_id, inv->customer_id);

				if (cmp == 0)
					cmp = strcmp(m->invoice_id, inv->invoice_id);
				if (cmp == 0)
				{
					self = by_id[mid];
					break;
				}
				if (cmp < 0)
					lo = mid + 1;
				else
					hi = mid;
			}
			if (self >= 0 && book.rows[self].invoice_date <= as_of)
			{
				const RiskInvoice *r = &book.rows[self];

				if (r->paid && r->paid_on <= as_of)
					o2c_risk_stats_at(&book.rows[range->lo], range->hi - range->lo, as_of,
							 self - range->lo, &s);
				else
				{
					s.known--;
					s.disputed -= r->disputed ? 1 : 0;
					s.amount_sum -= r->amount_f;
					if (!r->disputed && r->due_date < as_of)
						s.open_overdue--;
				}
			}
		}
		o2c_risk_features(&s, inv->amount_f, inv->disputed, x, &raw);
		p = o2c_risk_predict(&fit, x);

		/*
		 * Reasons: the features that raised the log-odds most. Without a
		 * paid history the late-payment features are placeholders (0), so
		 * no_paid_history speaks for them.
		 */
		for (int j = 0; j < RISK_NFEAT; j++)
			contrib[j] = fit.coef[j] * (x[j] - fit.mean[j]) / fit.scale[j];
		while (nreasons < MAX_REASONS)
		{
			int			best = -1;

			for (int j = 0; j < RISK_NFEAT; j++)
				if (!used[j] && contrib[j] >= MIN_REASON && !(s.paid == 0 && j >= 1 && j <= 3) &&
					(x[j] - fit.mean[j]) * o2c_risk_feature_direction[j] > 0 &&
					(best < 0 || contrib[j] > contrib[best]))
					best = j;
			if (best < 0)
				break;
			used[best] = true;
			reasons[nreasons++] = CStringGetTextDatum(o2c_risk_reason_text(best, &raw));
		}

		values[0] = CStringGetTextDatum(inv->invoice_id);
		values[1] = CStringGetTextDatum(inv->customer_id);
		values[2] = DirectFunctionCall2(numeric_round,
										DirectFunctionCall1(float8_numeric, Float8GetDatum(p)),
										Int32GetDatum(4));
		values[3] = CStringGetTextDatum(grade_of(p));
		values[4] = PointerGetDatum(construct_array(reasons, nreasons, TEXTOID, -1, false,
													TYPALIGN_INT));
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	SPI_finish();
	return (Datum) 0;
}
