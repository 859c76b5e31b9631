/*
 * risk.c — late-payment risk: reading the history, per-customer history
 * statistics and features, and o2c.customer_history. Training is in
 * risk_train.c, scoring in risk_score.c, the numeric fit in risk_fit.c.
 *
 * History known at a date t counts the invoices dated on or before t; an
 * invoice is paid at t when paid_on <= t (settled later, it is still open
 * then). Training computes each invoice's features from the history known
 * the day before its invoice date (so the invoice itself and its same-day
 * siblings are never part of their own history), in one sweep per customer;
 * scoring uses the history known at as_of, less the scored invoice itself.
 *
 * Features (the model standardises them):
 *   prior_invoices    log(1 + invoices known)
 *   share_paid_late   paid invoices settled after their due date / paid *
 *   avg_days_late     amount-weighted mean days late of paid invoices *
 *   recent_days_late  mean days late of the last 3 settled (by paid_on) *
 *   dispute_rate      disputed / invoices known
 *   relative_amount   log(amount / mean amount of the invoices known)
 *   disputed          the invoice's own dispute flag
 *   open_overdue      log(1 + invoices open and past due) *
 *   no_paid_history   1 when nothing was paid yet * (the starred ones are
 *                     0 then)
 * The starred (lateness) features leave disputed invoices out: an invoice
 * paid late, or left open, because the customer disputed it tells of the
 * dispute, not of a customer who can pay but does not (the signal they
 * measure); dispute_rate and disputed carry the disputes. A customer whose
 * only payments are of disputed invoices has no_paid_history = 1.
 * An empty history is all zeros plus no_paid_history = 1 (and
 * prior_invoices = 0), which the model learns as the new-customer rate.
 *
 * The risk concern (src/risk/), above core: late-payment risk (risk*.c)
 * and the customer statement (statement.c). Reads invoice history through
 * inner queries and o2c.risk_model; train_risk_model writes o2c.risk_model.
 */
#include "postgres.h"

#include <math.h>

#include "core/o2c.h"
#include "risk.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/memutils.h"
#include "utils/tuplestore.h"

PG_FUNCTION_INFO_V1(o2c_customer_history);

const char *const o2c_risk_feature_names[RISK_NFEAT] = {
	"prior_invoices", "share_paid_late", "avg_days_late", "recent_days_late",
	"dispute_rate", "relative_amount", "disputed", "open_overdue",
	"no_paid_history"
};

/*
 * The side of its mean on which each feature means more risk: fewer prior
 * invoices, more of everything else. A feature is named as a reason only when
 * the invoice's value lies on that side, so a model that learned a sign
 * against common sense (disputes lowering the risk, on a book where disputed
 * customers are large and pay) never gives "dispute_rate=0.00" as why a score
 * is high.
 */
const int	o2c_risk_feature_direction[RISK_NFEAT] = {-1, 1, 1, 1, 1, 1, 1, 1, 1};

/* ---------------------------------------------------------------------
 * Reading the history
 */

const O2cColSpec o2c_risk_history_cols[RISK_NCOLS] = {
	{"invoice_id", O2C_COL_ID, true, false},
	{"customer_id", O2C_COL_ID, true, false},
	{"invoice_date", O2C_COL_DATE, true, false},
	{"due_date", O2C_COL_DATE, true, false},
	{"amount", O2C_COL_AMOUNT, true, false},
	{"paid_on", O2C_COL_DATE, true, true},
	{"disputed", O2C_COL_BOOL, false, true},
};

/* The invoices to score: the same shape (and length), paid_on not needed. */
const O2cColSpec o2c_risk_score_cols[RISK_NCOLS] = {
	{"invoice_id", O2C_COL_ID, true, false},
	{"customer_id", O2C_COL_ID, true, false},
	{"invoice_date", O2C_COL_DATE, true, false},
	{"due_date", O2C_COL_DATE, true, false},
	{"amount", O2C_COL_AMOUNT, true, false},
	{"paid_on", O2C_COL_DATE, false, true},
	{"disputed", O2C_COL_BOOL, false, true},
};

static double
amount_double(Numeric amount)
{
	int128		units;
	int32		dscale;

	if (o2c_numeric_units(NumericGetDatum(amount), &units, &dscale) == O2C_UNITS_FAST)
		return (double) units / 1e8;
	return DatumGetFloat8(DirectFunctionCall1(numeric_float8, NumericGetDatum(amount)));
}

static void
collect_invoice(const O2cValue *v, void *arg)
{
	RiskBook   *book = (RiskBook *) arg;
	RiskInvoice *r;

	if (book->n == book->cap)
	{
		book->cap = book->cap == 0 ? 1024 : book->cap * 2;
		book->rows = book->rows == NULL
			? MemoryContextAllocHuge(CurrentMemoryContext, sizeof(RiskInvoice) * book->cap)
			: repalloc_huge(book->rows, sizeof(RiskInvoice) * book->cap);
	}
	r = &book->rows[book->n++];
	r->invoice_id = v[0].id;
	r->customer_id = v[1].id;
	r->invoice_date = v[2].date;
	r->due_date = v[3].date;
	r->amount = v[4].amount;
	r->amount_f = amount_double(v[4].amount);
	r->paid = !v[5].isnull;
	r->paid_on = r->paid ? v[5].date : 0;
	r->settled = r->paid ? Max(r->paid_on, r->invoice_date) : 0;
	r->disputed = !v[6].isnull && v[6].flag;
}

void
o2c_risk_read_book(const char *sql, const char *what, const O2cColSpec *cols, RiskBook *book)
{
	memset(book, 0, sizeof(RiskBook));
	o2c_read_inner_query(sql, what, cols, RISK_NCOLS, collect_invoice, book);
}

/* Customer, invoice date, invoice id: history order. */
int
o2c_risk_book_cmp(const void *a, const void *b)
{
	const RiskInvoice *x = (const RiskInvoice *) a;
	const RiskInvoice *y = (const RiskInvoice *) b;
	int			c = strcmp(x->customer_id, y->customer_id);

	if (c != 0)
		return c;
	if (x->invoice_date != y->invoice_date)
		return x->invoice_date < y->invoice_date ? -1 : 1;
	return strcmp(x->invoice_id, y->invoice_id);
}

/* Settlement order: when known, paid_on, invoice date, id. */
int
o2c_risk_settle_cmp(const RiskInvoice *x, const RiskInvoice *y)
{
	if (x->settled != y->settled)
		return x->settled < y->settled ? -1 : 1;
	if (x->paid_on != y->paid_on)
		return x->paid_on < y->paid_on ? -1 : 1;
	if (x->invoice_date != y->invoice_date)
		return x->invoice_date < y->invoice_date ? -1 : 1;
	return strcmp(x->invoice_id, y->invoice_id);
}

int32
o2c_risk_days_late(const RiskInvoice *r)
{
	return Max(0, (int32) (r->paid_on - r->due_date));
}

/* ---------------------------------------------------------------------
 * History statistics and features
 */

void
o2c_risk_stats_add_paid(HistStats *s, const RiskInvoice *r)
{
	int32		d = o2c_risk_days_late(r);

	s->paid++;
	s->late += d > 0 ? 1 : 0;
	s->paid_amount += r->amount_f;
	s->paid_amount_days += r->amount_f * d;
	s->paid_days += d;
	/* r is later in settlement order than anything seen: it goes first */
	memmove(&s->last_days[1], &s->last_days[0], sizeof(int32) * (RISK_LAST_N - 1));
	s->last_days[0] = d;
	s->nlast = Min(s->nlast + 1, RISK_LAST_N);
}

/*
 * Statistics of rows[0..n) (one customer) known at t, leaving out row
 * skip (-1 for none). A direct pass; the last settled are found by
 * settlement order. Disputed invoices count as known and disputed only.
 * customer_training_rows (risk_train.c) computes the same by a sweep.
 */
void
o2c_risk_stats_at(const RiskInvoice *rows, int64 n, DateADT t, int64 skip, HistStats *s)
{
	const RiskInvoice *last[RISK_LAST_N];
	int			nlast = 0;

	memset(s, 0, sizeof(HistStats));
	for (int64 i = 0; i < n; i++)
	{
		const RiskInvoice *r = &rows[i];

		if (i == skip || r->invoice_date > t)
			continue;
		s->known++;
		s->disputed += r->disputed ? 1 : 0;
		s->amount_sum += r->amount_f;
		if (r->disputed)
			continue;			/* not part of the lateness statistics */
		if (r->paid && r->paid_on <= t)
		{
			int32		d = o2c_risk_days_late(r);
			int			pos;

			s->paid++;
			s->late += d > 0 ? 1 : 0;
			s->paid_amount += r->amount_f;
			s->paid_amount_days += r->amount_f * d;
			s->paid_days += d;
			/* keep the RISK_LAST_N latest in settlement order, latest first */
			for (pos = nlast; pos > 0 && o2c_risk_settle_cmp(r, last[pos - 1]) > 0; pos--)
				;
			if (pos < RISK_LAST_N)
			{
				int			keep = Min(nlast, RISK_LAST_N - 1);

				memmove(&last[pos + 1], &last[pos], sizeof(last[0]) * (keep - pos));
				last[pos] = r;
				nlast = Min(nlast + 1, RISK_LAST_N);
			}
		}
		else if (r->due_date < t)
			s->open_overdue++;
	}
	s->nlast = nlast;
	for (int i = 0; i < nlast; i++)
		s->last_days[i] = o2c_risk_days_late(last[i]);
}

void
o2c_risk_features(const HistStats *s, double amount, bool disputed, double *x, RawFeatures *raw)
{
	RawFeatures rf = {0};

	rf.known = s->known;
	rf.disputed = disputed;
	rf.open_overdue = s->open_overdue;
	rf.amount_ratio = 1.0;
	if (s->paid > 0)
	{
		double		recent = 0;

		rf.share_late = (double) s->late / s->paid;
		rf.avg_days_late = s->paid_amount > 0 ? s->paid_amount_days / s->paid_amount
			: s->paid_days / s->paid;
		for (int i = 0; i < s->nlast; i++)
			recent += s->last_days[i];
		rf.recent_days_late = recent / s->nlast;
	}
	if (s->known > 0)
	{
		double		mean = s->amount_sum / s->known;

		rf.dispute_rate = (double) s->disputed / s->known;
		if (amount > 0 && mean > 0)
			rf.amount_ratio = amount / mean;
	}
	x[0] = log1p((double) rf.known);
	x[1] = rf.share_late;
	x[2] = rf.avg_days_late;
	x[3] = rf.recent_days_late;
	x[4] = rf.dispute_rate;
	x[5] = log(rf.amount_ratio);
	x[6] = disputed ? 1 : 0;
	x[7] = log1p((double) rf.open_overdue);
	x[8] = s->paid == 0 ? 1 : 0;
	if (raw)
		*raw = rf;
}

char *
o2c_risk_reason_text(int j, const RawFeatures *rf)
{
	switch (j)
	{
		case 0:
			return psprintf("prior_invoices=" INT64_FORMAT, rf->known);
		case 1:
			return psprintf("share_paid_late=%.2f", rf->share_late);
		case 2:
			return psprintf("avg_days_late=%.1f", rf->avg_days_late);
		case 3:
			return psprintf("recent_days_late=%.1f", rf->recent_days_late);
		case 4:
			return psprintf("dispute_rate=%.2f", rf->dispute_rate);
		case 5:
			return psprintf("relative_amount=%.2f", rf->amount_ratio);
		case 6:
			return pstrdup("disputed");
		case 7:
			return psprintf("open_overdue=" INT64_FORMAT, rf->open_overdue);
		default:
			return pstrdup("no_paid_history");
	}
}

CustRange *
o2c_risk_customer_ranges(const RiskBook *book, int64 *ncust)
{
	CustRange  *cr = MemoryContextAllocHuge(CurrentMemoryContext,
											sizeof(CustRange) * Max(book->n, 1));
	int64		nc = 0;

	for (int64 i = 0; i < book->n;)
	{
		int64		j = i + 1;

		while (j < book->n && strcmp(book->rows[j].customer_id, book->rows[i].customer_id) == 0)
			j++;
		cr[nc].customer_id = book->rows[i].customer_id;
		cr[nc].lo = i;
		cr[nc].hi = j;
		nc++;
		i = j;
	}
	*ncust = nc;
	return cr;
}

void
o2c_risk_check_as_of(DateADT as_of)
{
	o2c_check_finite_date(as_of, "as_of date");
}

/* ---------------------------------------------------------------------
 * o2c.customer_history(history_sql, as_of)
 */

/* sum += amount * factor, exactly */
static void
sum_add_times(O2cSum *sum, Numeric amount, int64 factor)
{
	int128		units;
	int32		dscale;

	if (o2c_numeric_units(NumericGetDatum(amount), &units, &dscale) == O2C_UNITS_FAST)
		o2c_sum_add_product(sum, units, factor, dscale, CurrentMemoryContext);
	else
		o2c_sum_add_numeric(sum,
							DatumGetNumeric(DirectFunctionCall2(numeric_mul,
																NumericGetDatum(amount),
																NumericGetDatum(int64_to_numeric(factor)))),
							CurrentMemoryContext);
}

static Numeric
ratio(int64 p, int64 q, int scale)
{
	return o2c_div_round(int64_to_numeric(p), int64_to_numeric(q), scale);
}

Datum
o2c_customer_history(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	char	   *sql = text_to_cstring(PG_GETARG_TEXT_PP(0));
	DateADT		as_of = PG_GETARG_DATEADT(1);
	RiskBook	book;
	CustRange  *cr;
	int64		ncust;

	o2c_risk_check_as_of(as_of);
	InitMaterializedSRF(fcinfo, 0);
	SPI_connect();
	o2c_risk_read_book(sql, "history query", o2c_risk_history_cols, &book);
	qsort(book.rows, book.n, sizeof(RiskInvoice), o2c_risk_book_cmp);
	cr = o2c_risk_customer_ranges(&book, &ncust);

	for (int64 c = 0; c < ncust; c++)
	{
		const RiskInvoice *rows = &book.rows[cr[c].lo];
		int64		n = cr[c].hi - cr[c].lo;
		HistStats	s;
		O2cSum		paid_amount,
					paid_amount_days,
					open_amount,
					overdue_amount;
		int32		max_late = -1;
		int64		paid_all = 0;
		Datum		values[11];
		bool		nulls[11] = {false};
		Numeric		avg = NULL,
					recent = NULL;

		o2c_risk_stats_at(rows, n, as_of, -1, &s);
		if (s.known == 0)
			continue;			/* nothing known yet at as_of */
		o2c_sum_init(&paid_amount);
		o2c_sum_init(&paid_amount_days);
		o2c_sum_init(&open_amount);
		o2c_sum_init(&overdue_amount);
		for (int64 i = 0; i < n; i++)
		{
			const RiskInvoice *r = &rows[i];

			if (r->invoice_date > as_of)
				continue;
			if (r->paid && r->paid_on <= as_of)
			{
				paid_all++;
				if (!r->disputed)
				{
					sum_add_times(&paid_amount, r->amount, 1);
					sum_add_times(&paid_amount_days, r->amount, o2c_risk_days_late(r));
				}
				max_late = Max(max_late, o2c_risk_days_late(r));
			}
			else
			{
				sum_add_times(&open_amount, r->amount, 1);
				if (r->due_date < as_of)
				{
					sum_add_times(&overdue_amount, r->amount, 1);
					max_late = Max(max_late, (int32) (as_of - r->due_date));
				}
			}
		}

		values[0] = CStringGetTextDatum(cr[c].customer_id);
		values[1] = Int64GetDatum(s.known);
		/* s.paid and the lateness columns count the undisputed only */
		values[2] = Int64GetDatum(paid_all);
		if (s.paid > 0)
		{
			int64		recent_sum = 0;

			values[3] = NumericGetDatum(ratio(s.late, s.paid, 4));
			for (int i = 0; i < s.nlast; i++)
				recent_sum += s.last_days[i];
			recent = ratio(recent_sum, s.nlast, 2);
			if (o2c_sum_sign(&paid_amount) > 0)
				avg = o2c_div_round(o2c_sum_numeric(&paid_amount_days, 0),
									o2c_sum_numeric(&paid_amount, 0), 2);
		}
		else
			nulls[3] = true;
		nulls[4] = avg == NULL;
		values[4] = NumericGetDatum(avg);
		nulls[5] = recent == NULL;
		values[5] = NumericGetDatum(recent);
		nulls[6] = avg == NULL || recent == NULL;
		if (!nulls[6])
			values[6] = DirectFunctionCall2(numeric_sub, NumericGetDatum(recent),
											NumericGetDatum(avg));
		values[7] = NumericGetDatum(ratio(s.disputed, s.known, 4));
		values[8] = NumericGetDatum(o2c_sum_numeric(&open_amount, 0));
		values[9] = NumericGetDatum(o2c_sum_numeric(&overdue_amount, 0));
		nulls[10] = max_late < 0;
		values[10] = Int32GetDatum(max_late);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	SPI_finish();
	return (Datum) 0;
}

