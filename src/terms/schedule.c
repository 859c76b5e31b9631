/*
 * schedule.c — payment schedules: payment_schedule (installments of terms),
 * installment_plan (level-payment annuity) and late_interest.
 *
 * Amounts are split by largest remainder (money.c) and every rounding is
 * half away from zero to the currency's minor units (o2c_div_round), so
 * schedules always sum exactly to the amount.
 */
#include "postgres.h"

#include "core/o2c.h"
#include "calendar/calendar.h"
#include "termtype.h"

#include "catalog/pg_type.h"
#include "datatype/timestamp.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/timestamp.h"
#include "utils/tuplestore.h"

#define PLAN_MAX_INSTALLMENTS	10000

PG_FUNCTION_INFO_V1(o2c_payment_schedule);
PG_FUNCTION_INFO_V1(o2c_installment_plan);
PG_FUNCTION_INFO_V1(o2c_late_interest);

static inline Datum
num(Numeric n)
{
	return NumericGetDatum(n);
}

static Numeric
zero_at(int scale)
{
	return DatumGetNumeric(DirectFunctionCall2(numeric_round, num(int64_to_numeric(0)),
											   Int32GetDatum(scale)));
}

/*
 * payment_schedule(amount, invoice_date, terms [, currency [, calendar]])
 *   -> (installment, due_date, amount, discount_until, discount_amount)
 */
Datum
o2c_payment_schedule(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Numeric		amount = PG_GETARG_NUMERIC(0);
	DateADT		inv = PG_GETARG_DATEADT(1);
	O2cTerms   *t = PG_GETARG_O2CTERMS(2);
	int			scale = PG_NARGS() > 3 ? o2c_currency_minor_units_or_error(PG_GETARG_TEXT_PP(3)) : 2;
	const O2cCalendar *cal = NULL;
	int32		weights[O2C_TERMS_MAX_PARTS];
	Numeric		parts[O2C_TERMS_MAX_PARTS];
	int			i;

	o2c_check_finite_amount(amount, "amount");
	o2c_check_finite_date(inv, "invoice date");
	if (PG_NARGS() > 4)
		cal = o2c_calendar_lookup(fcinfo->flinfo, PG_GETARG_TEXT_PP(4));
	for (i = 0; i < t->nparts; i++)
		weights[i] = t->parts[i].pct;
	o2c_split_int_weights(amount, weights, t->nparts, scale, parts);

	InitMaterializedSRF(fcinfo, 0);
	for (i = 0; i < t->nparts; i++)
	{
		const O2cTermPart *p = &t->parts[i];
		Datum		values[5];
		bool		nulls[5] = {false, false, false, false, false};
		DateADT		due = o2c_part_due_adjusted(p, inv, cal);

		values[0] = Int32GetDatum(i + 1);
		values[1] = DateADTGetDatum(due);
		values[2] = num(parts[i]);
		if (p->disc_pct > 0)
		{
			values[3] = DateADTGetDatum(o2c_part_discount_until(p, inv));
			values[4] = num(o2c_discount_of(parts[i], p->disc_pct, scale));
		}
		else
			nulls[3] = nulls[4] = true;
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

/* Periodic rate numerator factor and basis: months/12 or days/365. */
static void
period_of(Interval *every, int *factor, int *basis, bool *months)
{
	if (every->time == 0 && every->day == 0 && every->month > 0)
	{
		*factor = every->month;
		*basis = 12;
		*months = true;
	}
	else if (every->time == 0 && every->month == 0 && every->day > 0)
	{
		*factor = every->day;
		*basis = 365;
		*months = false;
	}
	else
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("installment interval %s is not a positive number of whole months or whole days",
						DatumGetCString(DirectFunctionCall1(interval_out, IntervalPGetDatum(every)))),
				 errhint("Use an interval such as '1 month', '3 months' or '14 days'.")));
}

/*
 * installment_plan(principal, annual_rate, n, first_due [, every [, currency]])
 *   -> (installment, due_date, payment, interest, principal, balance)
 *
 * payment = P i / (1 - (1 + i)^-n) rounded; interest per row = opening
 * balance x i rounded (computed as balance x rate x factor / basis, exactly);
 * the last row repays the remaining balance. Dates step from first_due, so
 * month ends stay month ends.
 */
Datum
o2c_installment_plan(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Numeric		principal = PG_GETARG_NUMERIC(0);
	Numeric		rate = PG_GETARG_NUMERIC(1);
	int32		n = PG_GETARG_INT32(2);
	DateADT		first_due = PG_GETARG_DATEADT(3);
	Interval   *every = PG_GETARG_INTERVAL_P(4);
	int			scale = PG_NARGS() > 5 ? o2c_currency_minor_units_or_error(PG_GETARG_TEXT_PP(5)) : 2;
	int			factor,
				basis;
	bool		by_months;
	Numeric    *equal = NULL;
	Datum		payment = (Datum) 0,
				balance,
				rate_factor,
				basis_num;
	int			k;

	o2c_check_finite_amount(principal, "principal");
	o2c_check_finite_amount(rate, "annual rate");
	o2c_check_finite_date(first_due, "first due date");
	if (o2c_numeric_sign(rate) < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("annual rate %s is negative",
						o2c_quote_cstr(DatumGetCString(DirectFunctionCall1(numeric_out, num(rate))))),
				 errhint("Rates are fractions: 0.06 is 6%%.")));
	if (n < 1 || n > PLAN_MAX_INSTALLMENTS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("number of installments %d out of range", n),
				 errdetail("It must be between 1 and %d.", PLAN_MAX_INSTALLMENTS)));
	period_of(every, &factor, &basis, &by_months);
	rate_factor = DirectFunctionCall2(numeric_mul, num(rate), num(int64_to_numeric(factor)));
	basis_num = num(int64_to_numeric(basis));

	if (o2c_numeric_sign(rate) == 0)
	{
		int32	   *w = palloc(sizeof(int32) * n);

		equal = palloc(sizeof(Numeric) * n);
		for (k = 0; k < n; k++)
			w[k] = 1;
		o2c_split_int_weights(principal, w, n, scale, equal);
	}
	else
	{
		/* 40 decimals of working precision: the payment is rounded to cents. */
		Datum		i = DirectFunctionCall2(numeric_div,
											DirectFunctionCall2(numeric_round, rate_factor, Int32GetDatum(40)),
											basis_num);
		Datum		f = DirectFunctionCall2(numeric_power,
											DirectFunctionCall2(numeric_add, num(int64_to_numeric(1)), i),
											DirectFunctionCall2(numeric_round, num(int64_to_numeric(n)), Int32GetDatum(0)));
		Datum		p = DirectFunctionCall2(numeric_mul, num(principal),
										   DirectFunctionCall2(numeric_mul, i, f));

		p = DirectFunctionCall2(numeric_div, p,
								DirectFunctionCall2(numeric_sub, f, num(int64_to_numeric(1))));
		payment = DirectFunctionCall2(numeric_round, p, Int32GetDatum(scale));
		/* An amount with more decimals than the currency is refused, as in split_amount. */
		{
			Numeric		one[1] = {int64_to_numeric(1)};
			Numeric		chk[1];

			o2c_split_numeric(principal, one, 1, scale, chk);
		}
	}

	InitMaterializedSRF(fcinfo, 0);
	balance = DirectFunctionCall2(numeric_round, num(principal), Int32GetDatum(scale));
	for (k = 0; k < n; k++)
	{
		Datum		values[6];
		bool		nulls[6] = {false, false, false, false, false, false};
		Datum		interest,
					pay,
					princ;
		int64		due;

		CHECK_FOR_INTERRUPTS();
		if (by_months)
			due = o2c_add_months(first_due, (int64) k * factor);
		else
			due = (int64) first_due + (int64) k * factor;
		if (equal != NULL)
		{
			interest = num(zero_at(scale));
			princ = num(equal[k]);
			pay = princ;
		}
		else
		{
			interest = num(o2c_div_round(DatumGetNumeric(DirectFunctionCall2(numeric_mul, balance, rate_factor)),
										 DatumGetNumeric(basis_num), scale));
			if (k == n - 1)
			{
				princ = balance;
				pay = DirectFunctionCall2(numeric_add, balance, interest);
			}
			else
			{
				pay = payment;
				princ = DirectFunctionCall2(numeric_sub, payment, interest);
			}
		}
		balance = DirectFunctionCall2(numeric_sub, balance, princ);
		values[0] = Int32GetDatum(k + 1);
		values[1] = DateADTGetDatum(o2c_check_date_result(due));
		values[2] = pay;
		values[3] = interest;
		values[4] = princ;
		values[5] = balance;
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

/* Days between two dates under the 30E/360 (Eurobond) convention. */
static int64
days_30e_360(DateADT from, DateADT to)
{
	int			y1,
				m1,
				d1,
				y2,
				m2,
				d2;

	o2c_civil_from_days(from, &y1, &m1, &d1);
	o2c_civil_from_days(to, &y2, &m2, &d2);
	d1 = Min(d1, 30);
	d2 = Min(d2, 30);
	return (int64) 360 * (y2 - y1) + 30 * (m2 - m1) + (d2 - d1);
}

/*
 * late_interest(amount, due, paid_on, annual_rate [, day_count [, currency]]):
 * amount x rate x days / basis, rounded half-up; 0 when paid on time.
 */
Datum
o2c_late_interest(PG_FUNCTION_ARGS)
{
	Numeric		amount = PG_GETARG_NUMERIC(0);
	DateADT		due = PG_GETARG_DATEADT(1);
	DateADT		paid = PG_GETARG_DATEADT(2);
	Numeric		rate = PG_GETARG_NUMERIC(3);
	char	   *dc = text_to_cstring(PG_GETARG_TEXT_PP(4));
	int			scale = PG_NARGS() > 5 ? o2c_currency_minor_units_or_error(PG_GETARG_TEXT_PP(5)) : 2;
	int64		days;
	int			basis;
	Datum		prod;

	o2c_check_finite_amount(amount, "amount");
	o2c_check_finite_amount(rate, "annual rate");
	o2c_check_finite_date(due, "due date");
	o2c_check_finite_date(paid, "payment date");
	if (o2c_numeric_sign(amount) < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("amount %s is negative",
						o2c_quote_cstr(DatumGetCString(DirectFunctionCall1(numeric_out, num(amount))))),
				 errhint("Late interest is charged on an amount owed; a credit note or an overpayment earns none.")));
	if (o2c_numeric_sign(rate) < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("annual rate %s is negative",
						o2c_quote_cstr(DatumGetCString(DirectFunctionCall1(numeric_out, num(rate))))),
				 errhint("Rates are fractions: 0.08 is 8%%.")));
	if (pg_strcasecmp(dc, "act/365") == 0)
	{
		days = (int64) paid - due;
		basis = 365;
	}
	else if (pg_strcasecmp(dc, "act/360") == 0)
	{
		days = (int64) paid - due;
		basis = 360;
	}
	else if (pg_strcasecmp(dc, "30e/360") == 0)
	{
		days = paid > due ? days_30e_360(due, paid) : 0;
		basis = 360;
	}
	else
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown day count convention: \"%s\"", o2c_quote_cstr(dc)),
				 errhint("Use act/365, act/360 or 30e/360.")));
	if (paid <= due || days <= 0)
		PG_RETURN_NUMERIC(zero_at(scale));
	prod = DirectFunctionCall2(numeric_mul, num(amount),
							   DirectFunctionCall2(numeric_mul, num(rate), num(int64_to_numeric(days))));
	PG_RETURN_NUMERIC(o2c_div_round(DatumGetNumeric(prod), int64_to_numeric(basis), scale));
}
