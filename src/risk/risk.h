/*
 * risk.h — declarations shared by the risk and statement files: reading the
 * rows of an inner query (risk_input.c), the per-customer history and
 * features (risk.c, used by risk_train.c and risk_score.c) and the logistic
 * fit (risk_fit.c).
 */
#ifndef O2C_RISK_H
#define O2C_RISK_H

#include "postgres.h"

#include "fmgr.h"
#include "core/innerq.h"
#include "utils/date.h"
#include "utils/numeric.h"

/* One value read from a row; which field is set depends on the kind. */
typedef struct O2cValue
{
	bool		isnull;
	char	   *id;				/* O2C_COL_ID */
	Numeric		amount;			/* O2C_COL_AMOUNT, finite */
	DateADT		date;			/* O2C_COL_DATE, finite */
	bool		flag;			/* O2C_COL_BOOL */
} O2cValue;

/* Called for each row with ncols values (absent optional columns are NULL). */
typedef void (*O2cRowCallback) (const O2cValue *values, void *arg);

/*
 * Run query (read through a cursor, with the caller's rights) and call cb
 * for each row. Values are allocated in CurrentMemoryContext at the call.
 * Must be called between SPI_connect and SPI_finish. what names the query in
 * errors ("history query").
 */
extern void o2c_read_inner_query(const char *query, const char *what,
								 const O2cColSpec *cols, int ncols,
								 O2cRowCallback cb, void *arg);

/* An invoice as the risk functions see it. */
typedef struct RiskInvoice
{
	char	   *invoice_id;
	char	   *customer_id;
	DateADT		invoice_date;
	DateADT		due_date;
	DateADT		paid_on;		/* valid when paid */
	DateADT		settled;		/* when the payment is known: the later of
								 * paid_on and invoice_date (prepayments) */
	bool		paid;
	bool		disputed;
	double		amount_f;		/* for features only */
	Numeric		amount;			/* exact, for money outputs */
} RiskInvoice;

/* The risk model's features (risk.c), in model order. */
#define RISK_NFEAT	9
#define RISK_LAST_N	3			/* "recent": the last 3 settled */
#define RISK_NCOLS	7			/* columns of the history query */

extern const char *const o2c_risk_feature_names[RISK_NFEAT];
extern const int o2c_risk_feature_direction[RISK_NFEAT];
extern const O2cColSpec o2c_risk_history_cols[RISK_NCOLS];
extern const O2cColSpec o2c_risk_score_cols[RISK_NCOLS];

typedef struct RiskBook
{
	RiskInvoice *rows;
	int64		n;
	int64		cap;
} RiskBook;


/*
 * History known at a date. known, disputed and amount_sum count every
 * invoice known; the rest (lateness) only the undisputed ones.
 */
typedef struct HistStats
{
	int64		known;
	int64		disputed;
	double		amount_sum;		/* of the invoices known */
	int64		paid;			/* undisputed and paid */
	int64		late;
	double		paid_amount;
	double		paid_amount_days;
	double		paid_days;		/* unweighted, when amounts cancel out */
	int			nlast;
	int32		last_days[RISK_LAST_N];	/* most recent first */
	int64		open_overdue;	/* undisputed, open and past due */
} HistStats;


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


/* Customer ranges of a book sorted by o2c_risk_book_cmp. */
typedef struct CustRange
{
	const char *customer_id;
	int64		lo;
	int64		hi;
} CustRange;

extern void o2c_risk_check_as_of(DateADT as_of);
extern void o2c_risk_read_book(const char *sql, const char *what, const O2cColSpec *cols,
							   RiskBook *book);
extern int	o2c_risk_book_cmp(const void *a, const void *b);
extern int	o2c_risk_settle_cmp(const RiskInvoice *x, const RiskInvoice *y);
extern int32 o2c_risk_days_late(const RiskInvoice *r);
extern void o2c_risk_stats_add_paid(HistStats *s, const RiskInvoice *r);
extern void o2c_risk_stats_at(const RiskInvoice *rows, int64 n, DateADT t, int64 skip,
							  HistStats *s);
extern void o2c_risk_features(const HistStats *s, double amount, bool disputed, double *x,
							  RawFeatures *raw);
extern char *o2c_risk_reason_text(int j, const RawFeatures *rf);
extern CustRange *o2c_risk_customer_ranges(const RiskBook *book, int64 *ncust);
extern char *o2c_risk_model_table(FunctionCallInfo fcinfo);

/* Logistic regression with an L2 penalty (risk_fit.c). */
#define RISK_MAX_FEATURES 16

typedef struct RiskFit
{
	int			nfeatures;
	double		intercept;
	double		coef[RISK_MAX_FEATURES];	/* on standardised features */
	double		mean[RISK_MAX_FEATURES];
	double		scale[RISK_MAX_FEATURES];
	int			iterations;
} RiskFit;

extern void o2c_risk_fit(const double *x, const bool *y, int64 n, int nfeatures,
						 double l2, RiskFit *fit);
extern double o2c_risk_predict(const RiskFit *fit, const double *x);
extern double o2c_roc_auc(const double *p, const bool *y, int64 n);
extern double o2c_log_loss(const double *p, const bool *y, int64 n);

#endif							/* O2C_RISK_H */
