/*
 * exactsum.c — exact money arithmetic shared by the aggregates.
 *
 * An O2cSum adds numerics without rounding and without a palloc per value:
 * values that fit are decoded straight from numeric's stored form into a
 * 128-bit count of 10^-8 units; the rare value that does not fit (more than
 * 8 decimals, 10^20 or more) and any fast part about to overflow move into an
 * ordinary numeric, so the result is exact in every case.
 */
#include "postgres.h"

#include "o2c.h"

#include <ctype.h>

#include "libpq/pqformat.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"

/*
 * numeric's stored form (PostgreSQL's on-disk format, stable across major
 * versions because pg_upgrade keeps numeric columns as they are): a 16-bit
 * header, in the long form followed by a 16-bit weight, then base-10000
 * digits, most significant first.
 */
#define NUM_FLAG_MASK			0xC000
#define NUM_FLAG_NEG			0x4000
#define NUM_FLAG_SHORT			0x8000
#define NUM_FLAG_SPECIAL		0xC000
#define NUM_SHORT_NEG			0x2000
#define NUM_SHORT_DSCALE_MASK	0x1F80
#define NUM_SHORT_DSCALE_SHIFT	7
#define NUM_SHORT_WEIGHT_NEG	0x0040
#define NUM_SHORT_WEIGHT_MASK	0x003F
#define NUM_LONG_DSCALE_MASK	0x3FFF
#define NBASE					10000

/* Largest base-10000 weight the fast path takes: values below 10^20. */
#define FAST_MAX_WEIGHT			4
/* Base-10000 digits after the point that 10^-8 units hold. */
#define FAST_FRAC_DIGITS		(O2C_SUM_SCALE / 4)

static const int128 nbase_pow[] = {
	1, 10000, 100000000, INT64CONST(1000000000000),
	INT64CONST(10000000000000000),
	(int128) INT64CONST(10000000000000000) * 10000,
	(int128) INT64CONST(10000000000000000) * 100000000,
};

/*
 * Classify a numeric Datum and, when it fits, return its value in 10^-8
 * units. Reads the possibly short-header datum in place: no copy, no palloc.
 */
O2cUnitsResult
o2c_numeric_units(Datum num, int128 *units, int32 *dscale)
{
	struct varlena *v = (struct varlena *) PG_DETOAST_DATUM_PACKED(num);
	const char *p = VARDATA_ANY(v);
	int			len = VARSIZE_ANY_EXHDR(v);
	uint16		header;
	int16		weight;
	bool		negative;
	const char *digits;
	int			ndigits;
	int			exponent;
	int128		acc = 0;

	memcpy(&header, p, sizeof(uint16));
	if ((header & NUM_FLAG_MASK) == NUM_FLAG_SPECIAL)
		return O2C_UNITS_SPECIAL;

	if ((header & NUM_FLAG_MASK) == NUM_FLAG_SHORT)
	{
		negative = (header & NUM_SHORT_NEG) != 0;
		*dscale = (header & NUM_SHORT_DSCALE_MASK) >> NUM_SHORT_DSCALE_SHIFT;
		weight = (int16) (header & NUM_SHORT_WEIGHT_MASK);
		if (header & NUM_SHORT_WEIGHT_NEG)
			weight |= ~NUM_SHORT_WEIGHT_MASK;
		digits = p + sizeof(uint16);
		ndigits = (len - (int) sizeof(uint16)) / (int) sizeof(int16);
	}
	else
	{
		negative = (header & NUM_FLAG_MASK) == NUM_FLAG_NEG;
		*dscale = header & NUM_LONG_DSCALE_MASK;
		memcpy(&weight, p + sizeof(uint16), sizeof(int16));
		digits = p + 2 * sizeof(uint16);
		ndigits = (len - 2 * (int) sizeof(uint16)) / (int) sizeof(int16);
	}

	if (ndigits == 0)
	{
		*units = 0;
		return O2C_UNITS_FAST;
	}

	/* The last digit stands for NBASE^exponent units of 10^-8. */
	exponent = weight - (ndigits - 1) + FAST_FRAC_DIGITS;
	if (weight > FAST_MAX_WEIGHT || exponent < 0)
		return O2C_UNITS_SLOW;

	/* Up to four digits (below 10^16) accumulate in 64 bits: the usual case. */
	{
		int64		acc64 = 0;
		int			i;

		for (i = 0; i < ndigits && i < 4; i++)
		{
			int16		d;

			memcpy(&d, digits + i * sizeof(int16), sizeof(int16));
			acc64 = acc64 * NBASE + d;
		}
		acc = acc64;
		for (; i < ndigits; i++)
		{
			int16		d;

			memcpy(&d, digits + i * sizeof(int16), sizeof(int16));
			acc = acc * NBASE + d;
		}
	}
	if (exponent > 0)
		acc *= nbase_pow[exponent];
	*units = negative ? -acc : acc;
	return O2C_UNITS_FAST;
}

/*
 * value * 10^-scale as a numeric, written directly in numeric's short stored
 * form (the inverse of the decoding above): the same bytes numeric's own
 * constructors make, without their intermediate variable and second
 * allocation. Aggregates and table functions build many of these.
 */
Numeric
o2c_int64_numeric(int64 value, int scale)
{
	int16		digits[12];	/* base 10000, least significant first */
	int			nfrac;			/* base-10000 digits after the point */
	int			n = 0,
				lo = 0,
				ndigits,
				weight;
	uint64		mag = value < 0 ? (uint64) 0 - (uint64) value : (uint64) value;
	uint64		high;
	Numeric		result;
	char	   *p;
	uint16		header;

	if (scale < 0 || scale > NUM_SHORT_DSCALE_MASK >> NUM_SHORT_DSCALE_SHIFT)
		return int64_div_fast_to_numeric(value, scale);
	nfrac = (scale + 3) / 4;
	/* Align the point on a digit boundary: mag * 10^(4 nfrac - scale). */
	high = 0;
	for (int k = 4 * nfrac - scale; k > 0; k--)
	{
		uint128		m = ((uint128) high << 64 | mag) * 10;

		high = (uint64) (m >> 64);
		mag = (uint64) m;
	}
	if (high != 0)
	{
		uint128		m = (uint128) high << 64 | mag;

		while (m > 0)
		{
			digits[n++] = (int16) (m % NBASE);
			m /= NBASE;
		}
	}
	else
		while (mag > 0)
		{
			digits[n++] = (int16) (mag % NBASE);
			mag /= NBASE;
		}
	while (lo < n && digits[lo] == 0)
		lo++;
	ndigits = n - lo;
	weight = ndigits == 0 ? 0 : n - 1 - nfrac;

	result = (Numeric) palloc(VARHDRSZ + sizeof(uint16) + ndigits * sizeof(int16));
	SET_VARSIZE(result, VARHDRSZ + sizeof(uint16) + ndigits * sizeof(int16));
	header = NUM_FLAG_SHORT | (uint16) (scale << NUM_SHORT_DSCALE_SHIFT) |
		(uint16) (weight & NUM_SHORT_WEIGHT_MASK);
	if (weight < 0)
		header |= NUM_SHORT_WEIGHT_NEG;
	if (value < 0 && ndigits > 0)
		header |= NUM_SHORT_NEG;
	p = (char *) result + VARHDRSZ;
	memcpy(p, &header, sizeof(uint16));
	p += sizeof(uint16);
	for (int i = n - 1; i >= lo; i--, p += sizeof(int16))
		memcpy(p, &digits[i], sizeof(int16));
	return result;
}

/* A 128-bit count of 10^-8 units as a numeric with the given display scale. */
Numeric
o2c_units_numeric(int128 units, int32 dscale)
{
	int32		scale = Max(0, Min(dscale, O2C_SUM_SCALE));
	static const int64 pow10[O2C_SUM_SCALE + 1] = {
		1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000
	};
	int128		per = pow10[O2C_SUM_SCALE - scale];
	int128		q;
	char		buf[64];
	char	   *end = buf + sizeof(buf) - 1;
	char	   *c = end;
	uint128		mag = units < 0 ? -(uint128) units : (uint128) units;
	int			ndigits = 0;

	/*
	 * The usual case, a whole number of 10^-scale that fits 64 bits, is
	 * built directly, without printing and parsing it; a 64-bit division
	 * when the units fit, as 128-bit division is a library call.
	 */
	if (units >= PG_INT64_MIN && units <= PG_INT64_MAX)
	{
		int64		u = (int64) units;

		if (u % pow10[O2C_SUM_SCALE - scale] == 0)
			return o2c_int64_numeric(u / pow10[O2C_SUM_SCALE - scale], scale);
	}
	q = units / per;
	if (q * per == units && q >= PG_INT64_MIN && q <= PG_INT64_MAX)
		return o2c_int64_numeric((int64) q, scale);

	*c = '\0';
	/* At least one integer digit and all O2C_SUM_SCALE fraction digits. */
	while (mag > 0 || ndigits <= O2C_SUM_SCALE)
	{
		if (ndigits == O2C_SUM_SCALE)
			*--c = '.';
		*--c = '0' + (int) (mag % 10);
		mag /= 10;
		ndigits++;
	}
	if (units < 0)
		*--c = '-';

	/*
	 * Drop fraction digits past the display scale: every value added had at
	 * most that many, so what is dropped is zeros.
	 */
	dscale = Max(0, Min(dscale, O2C_SUM_SCALE));
	end[-(O2C_SUM_SCALE - dscale) - (dscale == 0 ? 1 : 0)] = '\0';

	return DatumGetNumeric(DirectFunctionCall3(numeric_in,
											   CStringGetDatum(c),
											   ObjectIdGetDatum(InvalidOid),
											   Int32GetDatum(-1)));
}

void
o2c_sum_init(O2cSum *sum)
{
	sum->fast = 0;
	sum->spill = NULL;
	sum->dscale = -1;
}

static void
sum_spill_numeric(O2cSum *sum, Numeric num, MemoryContext ctx)
{
	MemoryContext old = MemoryContextSwitchTo(ctx);
	Numeric		prev = sum->spill;

	sum->spill = prev == NULL ? DatumGetNumericCopy(NumericGetDatum(num))
		: numeric_add_opt_error(prev, num, NULL);
	if (prev != NULL)
		pfree(prev);
	MemoryContextSwitchTo(old);
}

/* Move the fast part into the spill, freeing the fast part for more. */
static void
sum_spill_fast(O2cSum *sum, MemoryContext ctx)
{
	if (sum->fast != 0)
	{
		sum_spill_numeric(sum, o2c_units_numeric(sum->fast, O2C_SUM_SCALE), ctx);
		sum->fast = 0;
	}
}

void
o2c_sum_add_units(O2cSum *sum, int128 units, int32 dscale, MemoryContext ctx)
{
	if (unlikely(__builtin_add_overflow(sum->fast, units, &sum->fast)))
	{
		sum_spill_fast(sum, ctx);
		sum->fast = units;
	}
	if (dscale > sum->dscale)
		sum->dscale = dscale;
}

void
o2c_sum_add_numeric(O2cSum *sum, Numeric num, MemoryContext ctx)
{
	int32		dscale = DatumGetInt32(DirectFunctionCall1(numeric_scale,
														   NumericGetDatum(num)));

	sum_spill_numeric(sum, num, ctx);
	if (dscale > sum->dscale)
		sum->dscale = dscale;
}

/* Add units * factor, exactly, whatever their size. */
void
o2c_sum_add_product(O2cSum *sum, int128 units, int64 factor, int32 dscale,
					MemoryContext ctx)
{
	int128		product;

	/* Two 64-bit factors cannot overflow 128 bits: skip the costly check. */
	if (likely(units >= PG_INT64_MIN && units <= PG_INT64_MAX))
		o2c_sum_add_units(sum, (int128) (int64) units * factor, dscale, ctx);
	else if (!__builtin_mul_overflow(units, (int128) factor, &product))
		o2c_sum_add_units(sum, product, dscale, ctx);
	else
	{
		Numeric		big = numeric_mul_opt_error(o2c_units_numeric(units, O2C_SUM_SCALE),
												int64_to_numeric(factor), NULL);

		sum_spill_numeric(sum, big, ctx);
		if (dscale > sum->dscale)
			sum->dscale = dscale;
	}
}

void
o2c_sum_add_sum(O2cSum *sum, const O2cSum *other, MemoryContext ctx)
{
	o2c_sum_add_units(sum, other->fast, other->dscale, ctx);
	if (other->spill != NULL)
		sum_spill_numeric(sum, other->spill, ctx);
}

/* The exact total, shown with at least the given display scale. */
Numeric
o2c_sum_numeric(const O2cSum *sum, int32 dscale)
{
	Numeric		result = o2c_units_numeric(sum->fast, Max(dscale, sum->dscale));

	if (sum->spill != NULL)
		result = numeric_add_opt_error(result, sum->spill, NULL);
	return result;
}

/* -1, 0 or 1 for a finite numeric. */
int
o2c_numeric_sign(Numeric num)
{
	int			cmp = DatumGetInt32(DirectFunctionCall2(numeric_cmp, NumericGetDatum(num),
														NumericGetDatum(int64_to_numeric(0))));

	return cmp > 0 ? 1 : (cmp < 0 ? -1 : 0);
}

/* -1, 0 or 1. */
int
o2c_sum_sign(const O2cSum *sum)
{
	Numeric		total;

	if (sum->spill == NULL)
		return sum->fast > 0 ? 1 : (sum->fast < 0 ? -1 : 0);
	total = o2c_sum_numeric(sum, 0);
	return o2c_numeric_sign(total);
}

/* Fixed binary layout: fast as two int64 halves, dscale, spill as text. */
void
o2c_sum_serialize(StringInfo buf, const O2cSum *sum)
{
	pq_sendint64(buf, (int64) (sum->fast >> 64));
	pq_sendint64(buf, (int64) (uint64) sum->fast);
	pq_sendint32(buf, sum->dscale);
	if (sum->spill == NULL)
		pq_sendbyte(buf, 0);
	else
	{
		pq_sendbyte(buf, 1);
		pq_sendstring(buf, DatumGetCString(DirectFunctionCall1(numeric_out,
															   NumericGetDatum(sum->spill))));
	}
}

/* Reads what o2c_sum_serialize wrote; allocates in CurrentMemoryContext. */
void
o2c_sum_deserialize(StringInfo buf, O2cSum *sum)
{
	int64		high = pq_getmsgint64(buf);
	uint64		low = (uint64) pq_getmsgint64(buf);

	sum->fast = ((int128) high << 64) | (int128) low;
	sum->dscale = pq_getmsgint(buf, 4);
	if (pq_getmsgbyte(buf) == 0)
		sum->spill = NULL;
	else
		sum->spill = DatumGetNumeric(DirectFunctionCall3(numeric_in,
														 CStringGetDatum(pq_getmsgstring(buf)),
														 ObjectIdGetDatum(InvalidOid),
														 Int32GetDatum(-1)));
}

/*
 * p / q rounded half away from zero to `scale` decimals, exactly: numeric
 * division alone rounds at its own working scale first, which can tip a
 * value sitting just below a half upwards.
 */
Numeric
o2c_div_round(Numeric p, Numeric q, int scale)
{
	Datum		zero = NumericGetDatum(int64_to_numeric(0));
	bool		negative;
	Datum		abs_p,
				abs_q,
				pow10,
				twice_q,
				num,
				quotient;

	negative = o2c_numeric_sign(p) * o2c_numeric_sign(q) < 0;
	abs_p = DirectFunctionCall1(numeric_abs, NumericGetDatum(p));
	abs_q = DirectFunctionCall1(numeric_abs, NumericGetDatum(q));
	pow10 = DirectFunctionCall2(numeric_power, NumericGetDatum(int64_to_numeric(10)),
								NumericGetDatum(int64_to_numeric(scale)));
	twice_q = DirectFunctionCall2(numeric_add, abs_q, abs_q);

	/* trunc((2 |p| 10^scale + |q|) / (2 |q|)) = round(|p| 10^scale / |q|) */
	num = DirectFunctionCall2(numeric_mul, abs_p, pow10);
	num = DirectFunctionCall2(numeric_add, DirectFunctionCall2(numeric_add, num, num), abs_q);
	quotient = DirectFunctionCall2(numeric_div_trunc, num, twice_q);
	if (negative)
		quotient = DirectFunctionCall2(numeric_sub, zero, quotient);

	/* Dividing by 10^scale is exact; numeric_round only sets the display scale. */
	return DatumGetNumeric(DirectFunctionCall2(numeric_round,
											   DirectFunctionCall2(numeric_div, quotient, pow10),
											   Int32GetDatum(scale)));
}

int
o2c_num_cmp(Numeric a, Numeric b)
{
	return DatumGetInt32(DirectFunctionCall2(numeric_cmp, NumericGetDatum(a),
											 NumericGetDatum(b)));
}

char *
o2c_num_text(Numeric n)
{
	return DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(n)));
}

/* ------------------------------------------ sums inside varlena states */

Size
o2c_flat_extra(const O2cSum *sum)
{
	return sum->spill == NULL ? 0 : INTALIGN(VARSIZE_ANY(sum->spill));
}

void
o2c_flat_put(char *base, Size *offset, O2cFlatSum *dst, const O2cSum *sum)
{
	dst->fast = sum->fast;
	dst->dscale = sum->dscale;
	dst->spill = 0;
	if (sum->spill != NULL)
	{
		Size		len = VARSIZE_ANY(sum->spill);

		memcpy(base + *offset, sum->spill, len);
		dst->spill = (int32) *offset;
		*offset += INTALIGN(len);
	}
}

void
o2c_flat_get(const char *base, const O2cFlatSum *src, O2cSum *sum)
{
	sum->fast = src->fast;
	sum->dscale = src->dscale;
	sum->spill = src->spill == 0 ? NULL
		: DatumGetNumericCopy(PointerGetDatum(base + src->spill));
}

void
o2c_state_corrupt(int sqlstate, const char *type_name)
{
	ereport(ERROR,
			(errcode(sqlstate),
			 errmsg("invalid value of type %s: truncated or corrupt", type_name),
			 errhint("Values of this type are aggregate states; pass on what its output or send function gave.")));
}

int
o2c_state_read_byte(StringInfo buf, int sqlstate, const char *type_name)
{
	if (buf->cursor + 1 > buf->len)
		o2c_state_corrupt(sqlstate, type_name);
	return (unsigned char) buf->data[buf->cursor++];
}

int32
o2c_state_read_int32(StringInfo buf, int sqlstate, const char *type_name)
{
	if (buf->cursor + 4 > buf->len)
		o2c_state_corrupt(sqlstate, type_name);
	return pq_getmsgint(buf, 4);
}

int64
o2c_state_read_int64(StringInfo buf, int sqlstate, const char *type_name)
{
	if (buf->cursor + 8 > buf->len)
		o2c_state_corrupt(sqlstate, type_name);
	return pq_getmsgint64(buf);
}

/* Reads what o2c_sum_serialize wrote, checking it as it goes. */
void
o2c_state_read_sum(StringInfo buf, O2cSum *sum, int sqlstate, const char *type_name)
{
	int64		high = o2c_state_read_int64(buf, sqlstate, type_name);
	uint64		low = (uint64) o2c_state_read_int64(buf, sqlstate, type_name);
	const char *text;
	const char *nul;

	sum->fast = ((int128) high << 64) | (int128) low;
	sum->dscale = o2c_state_read_int32(buf, sqlstate, type_name);
	if (sum->dscale < -1 || sum->dscale > NUMERIC_MAX_DISPLAY_SCALE)
		o2c_state_corrupt(sqlstate, type_name);
	sum->spill = NULL;
	switch (o2c_state_read_byte(buf, sqlstate, type_name))
	{
		case 0:
			return;
		case 1:
			break;
		default:
			o2c_state_corrupt(sqlstate, type_name);
	}
	text = buf->data + buf->cursor;
	nul = memchr(text, '\0', buf->len - buf->cursor);
	if (nul == NULL)
		o2c_state_corrupt(sqlstate, type_name);
	buf->cursor += (nul - text) + 1;
	sum->spill = DatumGetNumeric(DirectFunctionCall3(numeric_in, CStringGetDatum(text),
													 ObjectIdGetDatum(InvalidOid),
													 Int32GetDatum(-1)));
	if (numeric_is_nan(sum->spill) || numeric_is_inf(sum->spill))
		o2c_state_corrupt(sqlstate, type_name);
}

char *
o2c_hex_encode(const char *data, int len)
{
	char	   *out = palloc((Size) len * 2 + 1);

	out[hex_encode(data, len, out)] = '\0';
	return out;
}

void
o2c_hex_decode(const char *text, StringInfo buf, const char *type_name)
{
	size_t		len = strlen(text);

	for (size_t i = 0; i < len; i++)
		if (!isxdigit((unsigned char) text[i]))
			len = 0;
	if (len == 0 || len % 2 != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid input syntax for type %s: \"%s\"", type_name,
						o2c_quote_cstr(text)),
				 errdetail("The text form of an aggregate state is an even number of hexadecimal digits.")));
	initStringInfo(buf);
	enlargeStringInfo(buf, len / 2);
	buf->len = hex_decode(text, len, buf->data);
	buf->data[buf->len] = '\0';
}
