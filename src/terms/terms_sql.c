/*
 * terms_sql.c — the o2c.terms type (text and binary I/O, B-tree and hash
 * support) and the term functions: due_date, discount_until,
 * discount_amount. Parsing and the date rules live in terms.c.
 *
 * The terms concern (src/terms/), above core and calendar: the o2c.terms
 * type and its date rules (terms.c, terms_sql.c), payment schedules,
 * installment plans, late interest and dunning policies (schedule.c).
 * Reads its arguments, calendars and o2c.dunning_policy; writes nothing.
 */
#include "postgres.h"

#include "core/o2c.h"
#include "calendar/calendar.h"
#include "termtype.h"

#include "common/hashfn.h"
#include "fmgr.h"
#include "libpq/pqformat.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"

PG_FUNCTION_INFO_V1(o2c_terms_in);
PG_FUNCTION_INFO_V1(o2c_terms_out);
PG_FUNCTION_INFO_V1(o2c_terms_recv);
PG_FUNCTION_INFO_V1(o2c_terms_send);
PG_FUNCTION_INFO_V1(o2c_terms_cmp_sql);
PG_FUNCTION_INFO_V1(o2c_terms_eq);
PG_FUNCTION_INFO_V1(o2c_terms_ne);
PG_FUNCTION_INFO_V1(o2c_terms_lt);
PG_FUNCTION_INFO_V1(o2c_terms_le);
PG_FUNCTION_INFO_V1(o2c_terms_gt);
PG_FUNCTION_INFO_V1(o2c_terms_ge);
PG_FUNCTION_INFO_V1(o2c_terms_hash);
PG_FUNCTION_INFO_V1(o2c_terms_hash_extended);
PG_FUNCTION_INFO_V1(o2c_terms_due_date);
PG_FUNCTION_INFO_V1(o2c_terms_due_date_cal);
PG_FUNCTION_INFO_V1(o2c_terms_discount_until);
PG_FUNCTION_INFO_V1(o2c_terms_discount_amount);

static O2cTerms *
terms_make(const O2cTermPart *parts, int n)
{
	Size		size = offsetof(O2cTerms, parts) + sizeof(O2cTermPart) * n;
	O2cTerms   *t = palloc0(size);

	SET_VARSIZE(t, size);
	t->version = O2C_TERMS_VERSION;
	t->nparts = (uint8) n;
	memcpy(t->parts, parts, sizeof(O2cTermPart) * n);
	return t;
}

Datum
o2c_terms_in(PG_FUNCTION_ARGS)
{
	char	   *s = PG_GETARG_CSTRING(0);
	O2cTermPart parts[O2C_TERMS_MAX_PARTS];
	O2cError	err;
	int			n;

	memset(&err, 0, sizeof(err));
	n = o2c_terms_parse(s, strlen(s), parts, &err);
	if (n == 0)
		o2c_raise(&err);
	PG_RETURN_POINTER(terms_make(parts, n));
}

Datum
o2c_terms_out(PG_FUNCTION_ARGS)
{
	O2cTerms   *t = PG_GETARG_O2CTERMS(0);
	char	   *buf = palloc(O2C_TERMS_TEXT_MAX);

	o2c_terms_print(t->parts, t->nparts, buf);
	PG_RETURN_CSTRING(buf);
}

/*
 * Binary form: version byte, part count byte, then per part pct int4,
 * discount int4, days int2, discount days int2, kind, eom and PROX day bytes.
 */
#define TERMS_BINARY_PART_BYTES 15

/*
 * A value shorter than its header or its installments is bad data (22P03),
 * not the protocol error pq_getmsg* would raise for reading past its end.
 */
static void
terms_recv_need(StringInfo buf, int bytes)
{
	if (buf->len - buf->cursor < bytes)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid binary payment terms: %d bytes is too short", buf->len),
				 errdetail("A value is a version byte, an installment count and %d bytes per installment.",
						   TERMS_BINARY_PART_BYTES)));
}

Datum
o2c_terms_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	O2cTermPart parts[O2C_TERMS_MAX_PARTS];
	O2cError	err;
	int			version;
	int			n;
	int			i;
	int64		total = 0;

	terms_recv_need(buf, 2);
	version = pq_getmsgbyte(buf);
	n = pq_getmsgbyte(buf);

	if (version != O2C_TERMS_VERSION)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("unsupported binary payment terms version %d", version)));
	if (n < 1 || n > O2C_TERMS_MAX_PARTS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid installment count %d in binary payment terms", n)));
	terms_recv_need(buf, n * TERMS_BINARY_PART_BYTES);
	memset(parts, 0, sizeof(parts));
	memset(&err, 0, sizeof(err));
	for (i = 0; i < n; i++)
	{
		parts[i].pct = pq_getmsgint(buf, 4);
		parts[i].disc_pct = pq_getmsgint(buf, 4);
		parts[i].days = (int16) pq_getmsgint(buf, 2);
		parts[i].disc_days = (int16) pq_getmsgint(buf, 2);
		parts[i].kind = (uint8) pq_getmsgbyte(buf);
		parts[i].eom = (uint8) pq_getmsgbyte(buf);
		parts[i].prox_day = (uint8) pq_getmsgbyte(buf);
		if (!o2c_terms_part_valid(&parts[i], &err))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
					 errmsg("invalid binary payment terms"),
					 errdetail("Installment %d has a field out of range.", i + 1)));
		total += parts[i].pct;
	}
	if (total != 10000)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid binary payment terms"),
				 errdetail("Installment percentages sum to %lld hundredths, not 10000.",
						   (long long) total)));
	PG_RETURN_POINTER(terms_make(parts, n));
}

Datum
o2c_terms_send(PG_FUNCTION_ARGS)
{
	O2cTerms   *t = PG_GETARG_O2CTERMS(0);
	StringInfoData buf;
	int			i;

	pq_begintypsend(&buf);
	pq_sendbyte(&buf, O2C_TERMS_VERSION);
	pq_sendbyte(&buf, t->nparts);
	for (i = 0; i < t->nparts; i++)
	{
		const O2cTermPart *p = &t->parts[i];

		pq_sendint32(&buf, p->pct);
		pq_sendint32(&buf, p->disc_pct);
		pq_sendint16(&buf, p->days);
		pq_sendint16(&buf, p->disc_days);
		pq_sendbyte(&buf, p->kind);
		pq_sendbyte(&buf, p->eom);
		pq_sendbyte(&buf, p->prox_day);
	}
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

static int
terms_cmp(FunctionCallInfo fcinfo)
{
	O2cTerms   *a = PG_GETARG_O2CTERMS(0);
	O2cTerms   *b = PG_GETARG_O2CTERMS(1);

	return o2c_terms_cmp(a->parts, a->nparts, b->parts, b->nparts);
}

Datum
o2c_terms_cmp_sql(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32(terms_cmp(fcinfo));
}

Datum
o2c_terms_eq(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(terms_cmp(fcinfo) == 0);
}

Datum
o2c_terms_ne(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(terms_cmp(fcinfo) != 0);
}

Datum
o2c_terms_lt(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(terms_cmp(fcinfo) < 0);
}

Datum
o2c_terms_le(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(terms_cmp(fcinfo) <= 0);
}

Datum
o2c_terms_gt(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(terms_cmp(fcinfo) > 0);
}

Datum
o2c_terms_ge(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(terms_cmp(fcinfo) >= 0);
}

/* Parts are canonical with no padding bytes, so equal terms hash equally. */
Datum
o2c_terms_hash(PG_FUNCTION_ARGS)
{
	O2cTerms   *t = PG_GETARG_O2CTERMS(0);

	return hash_any((const unsigned char *) t->parts, sizeof(O2cTermPart) * t->nparts);
}

Datum
o2c_terms_hash_extended(PG_FUNCTION_ARGS)
{
	O2cTerms   *t = PG_GETARG_O2CTERMS(0);

	return hash_any_extended((const unsigned char *) t->parts,
							 sizeof(O2cTermPart) * t->nparts, PG_GETARG_INT64(1));
}

DateADT
o2c_part_due(const O2cTermPart *part, DateADT invoice_date)
{
	return o2c_check_date_result(o2c_term_due(part, invoice_date));
}

DateADT
o2c_part_discount_until(const O2cTermPart *part, DateADT invoice_date)
{
	return o2c_check_date_result(o2c_term_discount_until(part, invoice_date));
}

Numeric
o2c_discount_of(Numeric amount, int32 pct, int scale)
{
	Datum		prod = DirectFunctionCall2(numeric_mul, NumericGetDatum(amount),
										   NumericGetDatum(int64_to_numeric(pct)));

	return o2c_div_round(DatumGetNumeric(prod), int64_to_numeric(10000), scale);
}

/*
 * An installment's due date moved by the calendar's convention, but never
 * before the invoice date: a preceding roll that would cross it follows.
 */
DateADT
o2c_part_due_adjusted(const O2cTermPart *part, DateADT invoice_date, const O2cCalendar *cal)
{
	DateADT		d = o2c_part_due(part, invoice_date);
	DateADT		r;

	if (cal == NULL)
		return d;
	r = o2c_adjust(cal, d, o2c_calendar_convention(cal));
	return r >= invoice_date ? r : o2c_adjust(cal, d, O2C_CONV_FOLLOWING);
}

/* The latest installment date. */
static DateADT
terms_due(const O2cTerms *t, DateADT invoice_date, const O2cCalendar *cal)
{
	DateADT		due = 0;
	int			i;

	for (i = 0; i < t->nparts; i++)
	{
		DateADT		d = o2c_part_due_adjusted(&t->parts[i], invoice_date, cal);

		if (i == 0 || d > due)
			due = d;
	}
	return due;
}

Datum
o2c_terms_due_date(PG_FUNCTION_ARGS)
{
	O2cTerms   *t = PG_GETARG_O2CTERMS(0);
	DateADT		inv = PG_GETARG_DATEADT(1);

	o2c_check_finite_date(inv, "invoice date");
	PG_RETURN_DATEADT(terms_due(t, inv, NULL));
}

Datum
o2c_terms_due_date_cal(PG_FUNCTION_ARGS)
{
	O2cTerms   *t = PG_GETARG_O2CTERMS(0);
	DateADT		inv = PG_GETARG_DATEADT(1);
	const O2cCalendar *cal;

	o2c_check_finite_date(inv, "invoice date");
	cal = o2c_calendar_lookup(fcinfo->flinfo, PG_GETARG_TEXT_PP(2));
	PG_RETURN_DATEADT(terms_due(t, inv, cal));
}

/* NULL without a discount, and for installment terms. */
Datum
o2c_terms_discount_until(PG_FUNCTION_ARGS)
{
	O2cTerms   *t = PG_GETARG_O2CTERMS(0);
	DateADT		inv = PG_GETARG_DATEADT(1);

	o2c_check_finite_date(inv, "invoice date");
	if (t->nparts != 1 || t->parts[0].disc_pct == 0)
		PG_RETURN_NULL();
	PG_RETURN_DATEADT(o2c_part_discount_until(&t->parts[0], inv));
}

/*
 * discount_amount(terms, amount, invoice_date, paid_on [, currency]): the
 * discount earned when paid on paid_on, the window's last day included; 0
 * outside it and for installment terms (see payment_schedule).
 */
Datum
o2c_terms_discount_amount(PG_FUNCTION_ARGS)
{
	O2cTerms   *t = PG_GETARG_O2CTERMS(0);
	Numeric		amount = PG_GETARG_NUMERIC(1);
	DateADT		inv = PG_GETARG_DATEADT(2);
	DateADT		paid = PG_GETARG_DATEADT(3);
	int			scale = PG_NARGS() > 4 ? o2c_currency_minor_units_or_error(PG_GETARG_TEXT_PP(4)) : 2;

	o2c_check_finite_amount(amount, "amount");
	o2c_check_finite_date(inv, "invoice date");
	o2c_check_finite_date(paid, "payment date");
	if (t->nparts != 1 || t->parts[0].disc_pct == 0 ||
		paid > o2c_part_discount_until(&t->parts[0], inv))
		PG_RETURN_NUMERIC(o2c_div_round(int64_to_numeric(0), int64_to_numeric(1), scale));
	PG_RETURN_NUMERIC(o2c_discount_of(amount, t->parts[0].disc_pct, scale));
}
