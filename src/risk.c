/*
 * risk.c — late-payment risk: per-customer payment history, training a
 * logistic model of "paid more than late_days late", and scoring invoices.
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
 *   share_paid_late   paid invoices settled after their due date / paid
 *   avg_days_late     amount-weighted mean days late of paid invoices
 *   recent_days_late  mean days late of the last 3 settled (by paid_on)
 *   dispute_rate      disputed / invoices known
 *   relative_amount   log(amount / mean amount of the invoices known)
 *   disputed          the invoice's own dispute flag
 *   open_overdue      log(1 + invoices open and past due)
 *   no_paid_history   1 when nothing was paid yet (the others are 0 then)
 * An empty history is therefore all zeros plus no_paid_history = 1 (and
 * prior_invoices = 0), which the model learns as the new-customer rate.
 */
#include "postgres.h"

#include <math.h>

#include "o2c.h"
#include "risk.h"

#include "access/htup_details.h"
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

PG_FUNCTION_INFO_V1(o2c_customer_history);
PG_FUNCTION_INFO_V1(o2c_train_risk_model);
PG_FUNCTION_INFO_V1(o2c_risk_score);

#define NFEAT 9
static const char *const feature_names[NFEAT] = {
	"prior_invoices", "share_paid_late", "avg_days_late", "recent_days_late",
	"dispute_rate", "relative_amount", "disputed", "open_overdue",
	"no_paid_history"
};

#define LAST_N 3
#define HOLDOUT_SHARE 0.2
#define MIN_TRAIN_ROWS 10

/* ---------------------------------------------------------------------
 * Reading the history
 */

static const O2cColSpec history_cols[] = {
	{"invoice_id", O2C_COL_ID, true, false},
	{"customer_id", O2C_COL_ID, true, false},
	{"invoice_date", O2C_COL_DATE, true, false},
	{"due_date", O2C_COL_DATE, true, false},
	{"amount", O2C_COL_AMOUNT, true, false},
	{"paid_on", O2C_COL_DATE, true, true},
	{"disputed", O2C_COL_BOOL, false, true},
};

/* The invoices to score: the same shape (and length), paid_on not needed. */
static const O2cColSpec score_cols[] = {
	{"invoice_id", O2C_COL_ID, true, false},
	{"customer_id", O2C_COL_ID, true, false},
	{"invoice_date", O2C_COL_DATE, true, false},
	{"due_date", O2C_COL_DATE, true, false},
	{"amount", O2C_COL_AMOUNT, true, false},
	{"paid_on", O2C_COL_DATE, false, true},
	{"disputed", O2C_COL_BOOL, false, true},
};

typedef struct RiskBook
{
	RiskInvoice *rows;
	int64		n;
	int64		cap;
} RiskBook;

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

static void
read_book(const char *sql, const char *what, const O2cColSpec *cols, RiskBook *book)
{
	memset(book, 0, sizeof(RiskBook));
	o2c_read_inner_query(sql, what, cols, lengthof(history_cols), collect_invoice, book);
}

/* Customer, invoice date, invoice id: history order. */
static int
book_cmp(const void *a, const void *b)
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
static int
settle_cmp(const RiskInvoice *x, const RiskInvoice *y)
{
	if (x->settled != y->settled)
		return x->settled < y->settled ? -1 : 1;
	if (x->paid_on != y->paid_on)
		return x->paid_on < y->paid_on ? -1 : 1;
	if (x->invoice_date != y->invoice_date)
		return x->invoice_date < y->invoice_date ? -1 : 1;
	return strcmp(x->invoice_id, y->invoice_id);
}

static inline int32
days_late(const RiskInvoice *r)
{
	return Max(0, (int32) (r->paid_on - r->due_date));
}

/* ---------------------------------------------------------------------
 * History statistics and features
 */

typedef struct HistStats
{
	int64		known;
	int64		disputed;
	double		amount_sum;		/* of the invoices known */
	int64		paid;
	int64		late;
	double		paid_amount;
	double		paid_amount_days;
	double		paid_days;		/* unweighted, when amounts cancel out */
	int			nlast;
	int32		last_days[LAST_N];	/* most recent first */
	int64		open_overdue;
} HistStats;

static void
stats_add_paid(HistStats *s, const RiskInvoice *r)
{
	int32		d = days_late(r);

	s->paid++;
	s->late += d > 0 ? 1 : 0;
	s->paid_amount += r->amount_f;
	s->paid_amount_days += r->amount_f * d;
	s->paid_days += d;
	/* r is later in settlement order than anything seen: it goes first */
	memmove(&s->last_days[1], &s->last_days[0], sizeof(int32) * (LAST_N - 1));
	s->last_days[0] = d;
	s->nlast = Min(s->nlast + 1, LAST_N);
}

/*
 * Statistics of rows[0..n) (one customer) known at t, leaving out row
 * skip (-1 for none). A direct pass; the last settled are found by
 * settlement order.
 */
static void
stats_at(const RiskInvoice *rows, int64 n, DateADT t, int64 skip, HistStats *s)
{
	const RiskInvoice *last[LAST_N];
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
		if (r->paid && r->paid_on <= t)
		{
			int32		d = days_late(r);
			int			pos;

			s->paid++;
			s->late += d > 0 ? 1 : 0;
			s->paid_amount += r->amount_f;
			s->paid_amount_days += r->amount_f * d;
			s->paid_days += d;
			/* keep the LAST_N latest in settlement order, latest first */
			for (pos = nlast; pos > 0 && settle_cmp(r, last[pos - 1]) > 0; pos--)
				;
			if (pos < LAST_N)
			{
				int			keep = Min(nlast, LAST_N - 1);

				memmove(&last[pos + 1], &last[pos], sizeof(last[0]) * (keep - pos));
				last[pos] = r;
				nlast = Min(nlast + 1, LAST_N);
			}
		}
		else if (r->due_date < t)
			s->open_overdue++;
	}
	s->nlast = nlast;
	for (int i = 0; i < nlast; i++)
		s->last_days[i] = days_late(last[i]);
}

/* What a feature vector was made from, for the reasons. */
typedef struct RawFeatures
{
	int64		known;
	double		share_late;
	double		avg_days_late;
	double		recent_days_late;
	double		dispute_rate;
	double		amount_ratio;
	bool		disputed;
	int64		open_overdue;
} RawFeatures;

static void
features(const HistStats *s, double amount, bool disputed, double *x, RawFeatures *raw)
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

static char *
reason_text(int j, const RawFeatures *rf)
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

/* Customer ranges of a book sorted by book_cmp. */
typedef struct CustRange
{
	const char *customer_id;
	int64		lo;
	int64		hi;
} CustRange;

static CustRange *
customer_ranges(const RiskBook *book, int64 *ncust)
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

static char *
date_text(DateADT d)
{
	return DatumGetCString(DirectFunctionCall1(date_out, DateADTGetDatum(d)));
}

static void
check_as_of(DateADT as_of)
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

	check_as_of(as_of);
	InitMaterializedSRF(fcinfo, 0);
	SPI_connect();
	read_book(sql, "history query", history_cols, &book);
	qsort(book.rows, book.n, sizeof(RiskInvoice), book_cmp);
	cr = customer_ranges(&book, &ncust);

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
		Datum		values[11];
		bool		nulls[11] = {false};
		Numeric		avg = NULL,
					recent = NULL;

		stats_at(rows, n, as_of, -1, &s);
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
				sum_add_times(&paid_amount, r->amount, 1);
				sum_add_times(&paid_amount_days, r->amount, days_late(r));
				max_late = Max(max_late, days_late(r));
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
		values[2] = Int64GetDatum(s.paid);
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

/* ---------------------------------------------------------------------
 * Training
 */

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
			 errmsg("invalid risk model option \"%s\"", key),
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
	double		x[NFEAT];
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
	return settle_cmp(&settle_base[*(const int64 *) a], &settle_base[*(const int64 *) b]);
}

/*
 * Features of every labelled invoice of one customer (rows sorted by date),
 * each from the history known the day before its invoice date: pointers
 * over the rows by date, by settlement and by the start and end of each
 * invoice's open-and-overdue interval, all moving forward only.
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
			stats_add_paid(&s, &rows[by_settle[p++]]);
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

			stats_at(rows, n, t, -1, &d);
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
		features(&s, r->amount_f, r->disputed, out[nout].x, NULL);
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
	Datum		d[NFEAT];

	for (int i = 0; i < NFEAT; i++)
		d[i] = CStringGetTextDatum(feature_names[i]);
	return PointerGetDatum(construct_array(d, NFEAT, TEXTOID, -1, false, TYPALIGN_INT));
}

static char *
model_table(FunctionCallInfo fcinfo)
{
	Oid			nsp = get_func_namespace(fcinfo->flinfo->fn_oid);

	return psprintf("%s.risk_model", quote_identifier(get_namespace_name(nsp)));
}

static void
fit_rows(const TrainRow *rows, int64 n, double l2, RiskFit *fit)
{
	double	   *x = MemoryContextAllocHuge(CurrentMemoryContext, sizeof(double) * NFEAT * Max(n, 1));
	bool	   *y = MemoryContextAllocHuge(CurrentMemoryContext, sizeof(bool) * Max(n, 1));

	for (int64 i = 0; i < n; i++)
	{
		memcpy(&x[i * NFEAT], rows[i].x, sizeof(double) * NFEAT);
		y[i] = rows[i].y;
	}
	o2c_risk_fit(x, y, n, NFEAT, l2, fit);
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
	check_as_of(as_of);
	if (name[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("risk model name must not be empty")));
	parse_options(PG_ARGISNULL(3) ? NULL : PG_GETARG_JSONB_P(3), &opt);

	SPI_connect();
	read_book(sql, "history query", history_cols, &book);
	qsort(book.rows, book.n, sizeof(RiskInvoice), book_cmp);
	cr = customer_ranges(&book, &ncust);

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
				 errmsg("not enough labelled invoices to train risk model \"%s\"", name),
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
	args[6] = float8_array(fit.coef, NFEAT);
	args[7] = float8_array(fit.mean, NFEAT);
	args[8] = float8_array(fit.scale, NFEAT);
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
										 model_table(fcinfo)),
								17, types, args, nulls, false, 0);
	if (ret != SPI_OK_INSERT)
		elog(ERROR, "storing risk model failed: %s", SPI_result_code_string(ret));
	SPI_finish();
	PG_RETURN_VOID();
}

/* ---------------------------------------------------------------------
 * Scoring
 */

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
				 errmsg("risk model \"%s\" has %d %s, expected %d", model, nelems, what, n),
				 errhint("Train the model again with o2c.train_risk_model.")));
	for (int i = 0; i < n; i++)
	{
		if (enulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("risk model \"%s\" has a null in %s", model, what)));
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
									   model_table(fcinfo)),
							  1, types, args, NULL, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "reading risk model failed");
	if (SPI_processed == 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("risk model \"%s\" does not exist", name),
				 errhint("Train it first: CALL o2c.train_risk_model('%s', history_sql, as_of).", name)));

	memset(fit, 0, sizeof(RiskFit));
	fit->nfeatures = NFEAT;
	feats = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	farr = DatumGetArrayTypeP(feats);
	deconstruct_array(farr, TEXTOID, -1, false, TYPALIGN_INT, &felems, &fnulls, &nf);
	for (int i = 0; i < nf && nf == NFEAT; i++)
		if (fnulls[i] || strcmp(TextDatumGetCString(felems[i]), feature_names[i]) != 0)
			nf = -1;
	if (nf != NFEAT)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("risk model \"%s\" was trained with other features", name),
				 errhint("Train the model again with o2c.train_risk_model.")));
	fit->intercept = DatumGetFloat8(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull));
	read_float8_array(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3, &isnull),
					  fit->coef, NFEAT, name, "coefficients");
	read_float8_array(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 4, &isnull),
					  fit->mean, NFEAT, name, "feature means");
	read_float8_array(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 5, &isnull),
					  fit->scale, NFEAT, name, "feature scales");
	for (int i = 0; i < NFEAT; i++)
		if (!(fit->scale[i] > 0))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("risk model \"%s\" has a feature scale that is not positive", name)));
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
				todo;
	CustRange  *cr;
	int64		ncust;
	HistStats  *cstats;
	int64	   *by_id;

	check_as_of(as_of);
	InitMaterializedSRF(fcinfo, 0);
	SPI_connect();
	load_model(fcinfo, model, &fit);
	read_book(history_sql, "history query", history_cols, &book);
	read_book(invoices_sql, "invoices query", score_cols, &todo);

	qsort(book.rows, book.n, sizeof(RiskInvoice), book_cmp);
	cr = customer_ranges(&book, &ncust);
	cstats = MemoryContextAllocHuge(CurrentMemoryContext, sizeof(HistStats) * Max(ncust, 1));
	for (int64 c = 0; c < ncust; c++)
		stats_at(&book.rows[cr[c].lo], cr[c].hi - cr[c].lo, as_of, -1, &cstats[c]);
	by_id = MemoryContextAllocHuge(CurrentMemoryContext, sizeof(int64) * Max(book.n, 1));
	for (int64 i = 0; i < book.n; i++)
		by_id[i] = i;
	settle_base = book.rows;
	qsort(by_id, book.n, sizeof(int64), id_idx_cmp);

	for (int64 i = 0; i < todo.n; i++)
	{
		RiskInvoice *inv = &todo.rows[i];
		CustRange  *range;
		HistStats	s;
		RawFeatures raw;
		double		x[NFEAT];
		double		contrib[NFEAT];
		double		p;
		Datum		values[5];
		bool		nulls[5] = {false};
		Datum		reasons[MAX_REASONS];
		int			nreasons = 0;
		bool		used[NFEAT] = {false};

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
					stats_at(&book.rows[range->lo], range->hi - range->lo, as_of,
							 self - range->lo, &s);
				else
				{
					s.known--;
					s.disputed -= r->disputed ? 1 : 0;
					s.amount_sum -= r->amount_f;
					if (r->due_date < as_of)
						s.open_overdue--;
				}
			}
		}
		features(&s, inv->amount_f, inv->disputed, x, &raw);
		p = o2c_risk_predict(&fit, x);

		/*
		 * Reasons: the features that raised the log-odds most. Without a
		 * paid history the late-payment features are placeholders (0), so
		 * no_paid_history speaks for them.
		 */
		for (int j = 0; j < NFEAT; j++)
			contrib[j] = fit.coef[j] * (x[j] - fit.mean[j]) / fit.scale[j];
		while (nreasons < MAX_REASONS)
		{
			int			best = -1;

			for (int j = 0; j < NFEAT; j++)
				if (!used[j] && contrib[j] >= MIN_REASON && !(s.paid == 0 && j >= 1 && j <= 3) &&
					(best < 0 || contrib[j] > contrib[best]))
					best = j;
			if (best < 0)
				break;
			used[best] = true;
			reasons[nreasons++] = CStringGetTextDatum(reason_text(best, &raw));
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
