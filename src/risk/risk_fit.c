/*
 * risk_fit.c — L2-regularised logistic regression by Newton's method
 * (iteratively reweighted least squares), and the holdout metrics.
 *
 * Pure numerics over arrays: features are standardised (mean 0, standard
 * deviation 1 over the fitted rows; a constant feature keeps scale 1 and so
 * contributes nothing), the intercept is not penalised, and every sum runs
 * over the rows in the order given, so the same rows in the same order give
 * bit-for-bit the same model. A handful of features makes each Newton step
 * a small dense solve (Cholesky); the penalty keeps it positive definite.
 */
#include "postgres.h"

#include <math.h>

#include "risk.h"

#define FIT_MAX_ITER	50
#define FIT_TOL			1e-10
#define P_CLIP			1e-15

static inline double
sigmoid(double z)
{
	if (z >= 0)
		return 1.0 / (1.0 + exp(-z));
	else
	{
		double		e = exp(z);

		return e / (1.0 + e);
	}
}

/* Penalised negative log likelihood at beta (intercept first). */
static double
objective(const double *z, const bool *y, int64 n, int k, const double *beta, double l2)
{
	double		obj = 0;

	for (int64 i = 0; i < n; i++)
	{
		const double *row = z + i * k;
		double		eta = beta[0];

		for (int j = 0; j < k; j++)
			eta += beta[j + 1] * row[j];
		/* log(1 + e^eta) - y eta, computed without overflow */
		obj += (eta > 0 ? eta + log1p(exp(-eta)) : log1p(exp(eta))) - (y[i] ? eta : 0);
	}
	for (int j = 1; j <= k; j++)
		obj += 0.5 * l2 * beta[j] * beta[j];
	return obj;
}

/* Solve A x = b for symmetric positive definite A (m x m), in place in b. */
static bool
cholesky_solve(double *a, double *b, int m)
{
	for (int j = 0; j < m; j++)
	{
		double		d = a[j * m + j];

		for (int p = 0; p < j; p++)
			d -= a[j * m + p] * a[j * m + p];
		if (d <= 1e-300)
			return false;
		d = sqrt(d);
		a[j * m + j] = d;
		for (int i = j + 1; i < m; i++)
		{
			double		s = a[i * m + j];

			for (int p = 0; p < j; p++)
				s -= a[i * m + p] * a[j * m + p];
			a[i * m + j] = s / d;
		}
	}
	for (int i = 0; i < m; i++)
	{
		double		s = b[i];

		for (int p = 0; p < i; p++)
			s -= a[i * m + p] * b[p];
		b[i] = s / a[i * m + i];
	}
	for (int i = m - 1; i >= 0; i--)
	{
		double		s = b[i];

		for (int p = i + 1; p < m; p++)
			s -= a[p * m + i] * b[p];
		b[i] = s / a[i * m + i];
	}
	return true;
}

void
o2c_risk_fit(const double *x, const bool *y, int64 n, int k, double l2, RiskFit *fit)
{
	int			m = k + 1;
	double	   *z;
	double		beta[RISK_MAX_FEATURES + 1] = {0};
	double		h[(RISK_MAX_FEATURES + 1) * (RISK_MAX_FEATURES + 1)];
	double		g[RISK_MAX_FEATURES + 1];
	double		obj;
	int64		pos = 0;

	Assert(k <= RISK_MAX_FEATURES && n > 0);
	memset(fit, 0, sizeof(RiskFit));
	fit->nfeatures = k;

	/* Standardise. */
	for (int j = 0; j < k; j++)
	{
		double		s = 0,
					ss = 0;

		for (int64 i = 0; i < n; i++)
			s += x[i * k + j];
		fit->mean[j] = s / n;
		for (int64 i = 0; i < n; i++)
		{
			double		d = x[i * k + j] - fit->mean[j];

			ss += d * d;
		}
		fit->scale[j] = sqrt(ss / n);
		if (!(fit->scale[j] > 1e-12))
			fit->scale[j] = 1.0;
	}
	z = palloc_extended(sizeof(double) * n * k, MCXT_ALLOC_HUGE);
	for (int64 i = 0; i < n; i++)
		for (int j = 0; j < k; j++)
			z[i * k + j] = (x[i * k + j] - fit->mean[j]) / fit->scale[j];

	/* Start from the base rate: the intercept alone. */
	for (int64 i = 0; i < n; i++)
		pos += y[i] ? 1 : 0;
	beta[0] = log((pos + 0.5) / (n - pos + 0.5));
	obj = objective(z, y, n, k, beta, l2);

	for (int iter = 0; iter < FIT_MAX_ITER; iter++)
	{
		double		step = 1.0;
		double		maxd = 0;
		double		trial[RISK_MAX_FEATURES + 1];
		double		tobj = obj;

		memset(h, 0, sizeof(double) * m * m);
		memset(g, 0, sizeof(double) * m);
		for (int64 i = 0; i < n; i++)
		{
			const double *row = z + i * k;
			double		eta = beta[0];
			double		p,
						w,
						r;

			for (int j = 0; j < k; j++)
				eta += beta[j + 1] * row[j];
			p = sigmoid(eta);
			w = p * (1 - p);
			r = (y[i] ? 1.0 : 0.0) - p;
			g[0] += r;
			h[0] += w;
			for (int a = 0; a < k; a++)
			{
				double		wa = w * row[a];

				g[a + 1] += r * row[a];
				h[(a + 1) * m] += wa;
				for (int b = 0; b <= a; b++)
					h[(a + 1) * m + b + 1] += wa * row[b];
			}
		}
		for (int a = 1; a < m; a++)
		{
			g[a] -= l2 * beta[a];
			h[a * m + a] += l2 + 1e-9;	/* tiny ridge: constant features */
			for (int b = 0; b < a; b++)
				h[b * m + a] = h[a * m + b];
		}
		h[0] += 1e-12;
		if (!cholesky_solve(h, g, m))
			break;
		/* Newton step, halved while it would make things worse. */
		for (int halve = 0; halve < 30; halve++)
		{
			for (int j = 0; j < m; j++)
				trial[j] = beta[j] + step * g[j];
			tobj = objective(z, y, n, k, trial, l2);
			if (tobj <= obj + 1e-12 * fabs(obj))
				break;
			step *= 0.5;
		}
		for (int j = 0; j < m; j++)
		{
			maxd = Max(maxd, fabs(trial[j] - beta[j]));
			beta[j] = trial[j];
		}
		obj = tobj;
		fit->iterations = iter + 1;
		if (maxd < FIT_TOL)
			break;
	}
	fit->intercept = beta[0];
	for (int j = 0; j < k; j++)
		fit->coef[j] = beta[j + 1];
	pfree(z);
}

double
o2c_risk_predict(const RiskFit *fit, const double *x)
{
	double		eta = fit->intercept;

	for (int j = 0; j < fit->nfeatures; j++)
		eta += fit->coef[j] * (x[j] - fit->mean[j]) / fit->scale[j];
	return sigmoid(eta);
}

typedef struct ScoredLabel
{
	double		p;
	bool		y;
} ScoredLabel;

static int
scored_cmp(const void *a, const void *b)
{
	double		x = ((const ScoredLabel *) a)->p;
	double		y = ((const ScoredLabel *) b)->p;

	return x < y ? -1 : (x > y ? 1 : 0);
}

/*
 * ROC AUC as the Mann-Whitney statistic: the chance that a random late
 * invoice scores above a random on-time one, ties counting one half.
 * NaN when either class is missing.
 */
double
o2c_roc_auc(const double *p, const bool *y, int64 n)
{
	ScoredLabel *s = palloc_extended(sizeof(ScoredLabel) * Max(n, 1), MCXT_ALLOC_HUGE);
	double		rank_sum = 0;
	int64		npos = 0;
	double		auc;

	for (int64 i = 0; i < n; i++)
	{
		s[i].p = p[i];
		s[i].y = y[i];
		npos += y[i] ? 1 : 0;
	}
	if (npos == 0 || npos == n)
	{
		pfree(s);
		return NAN;
	}
	qsort(s, n, sizeof(ScoredLabel), scored_cmp);
	for (int64 i = 0; i < n;)
	{
		int64		j = i;
		int64		pos_here = 0;

		while (j < n && s[j].p == s[i].p)
			pos_here += s[j++].y ? 1 : 0;
		/* ranks i+1 .. j share their average */
		rank_sum += pos_here * ((double) (i + 1 + j) / 2.0);
		i = j;
	}
	auc = (rank_sum - (double) npos * (npos + 1) / 2.0) / ((double) npos * (n - npos));
	pfree(s);
	return auc;
}

/* Mean log loss, probabilities clipped to [1e-15, 1 - 1e-15]. */
double
o2c_log_loss(const double *p, const bool *y, int64 n)
{
	double		sum = 0;

	for (int64 i = 0; i < n; i++)
	{
		double		q = Min(Max(p[i], P_CLIP), 1 - P_CLIP);

		sum -= y[i] ? log(q) : log(1 - q);
	}
	return n > 0 ? sum / n : NAN;
}
