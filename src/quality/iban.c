/*
 * iban.c — the o2c.iban type: a validated IBAN stored in its compact
 * upper-case form, printed in groups of four, comparable and hashable so it
 * can be a key.
 *
 * On disk it is a short varlena of the compact characters (at most 34). The
 * binary form (send/recv) is a version byte, 1, followed by those
 * characters; recv checks them like input does.
 */
#include "postgres.h"

#include "core/o2c.h"
#include "validate.h"

#include "common/hashfn.h"
#include "fmgr.h"
#include "libpq/pqformat.h"
#include "utils/builtins.h"

#define O2C_IBAN_BINARY_VERSION 1

typedef struct varlena O2cIban;

#define DatumGetIbanP(d)	((O2cIban *) PG_DETOAST_DATUM_PACKED(d))
#define PG_GETARG_IBAN_P(n)	DatumGetIbanP(PG_GETARG_DATUM(n))

PG_FUNCTION_INFO_V1(o2c_iban_in);
PG_FUNCTION_INFO_V1(o2c_iban_out);
PG_FUNCTION_INFO_V1(o2c_iban_recv);
PG_FUNCTION_INFO_V1(o2c_iban_send);
PG_FUNCTION_INFO_V1(o2c_iban_from_text);
PG_FUNCTION_INFO_V1(o2c_iban_to_text);
PG_FUNCTION_INFO_V1(o2c_iban_cmp);
PG_FUNCTION_INFO_V1(o2c_iban_eq);
PG_FUNCTION_INFO_V1(o2c_iban_ne);
PG_FUNCTION_INFO_V1(o2c_iban_lt);
PG_FUNCTION_INFO_V1(o2c_iban_le);
PG_FUNCTION_INFO_V1(o2c_iban_gt);
PG_FUNCTION_INFO_V1(o2c_iban_ge);
PG_FUNCTION_INFO_V1(o2c_iban_hash);
PG_FUNCTION_INFO_V1(o2c_iban_hash_extended);

static O2cIban *
iban_make(const char *s, size_t len)
{
	char		compact[O2C_IBAN_MAX + 1];
	size_t		n;
	O2cIban    *result;

	o2c_iban_parse(s, len, compact);
	n = strlen(compact);
	result = (O2cIban *) palloc(VARHDRSZ + n);
	SET_VARSIZE(result, VARHDRSZ + n);
	memcpy(VARDATA(result), compact, n);
	return result;
}

Datum
o2c_iban_in(PG_FUNCTION_ARGS)
{
	char	   *s = PG_GETARG_CSTRING(0);

	PG_RETURN_POINTER(iban_make(s, strlen(s)));
}

/* Groups of four separated by a space, as printed on paper. */
Datum
o2c_iban_out(PG_FUNCTION_ARGS)
{
	O2cIban    *v = PG_GETARG_IBAN_P(0);
	const char *p = VARDATA_ANY(v);
	int			n = VARSIZE_ANY_EXHDR(v);
	char	   *out = palloc(n + n / 4 + 1);
	int			k = 0;

	for (int i = 0; i < n; i++)
	{
		if (i > 0 && i % 4 == 0)
			out[k++] = ' ';
		out[k++] = p[i];
	}
	out[k] = '\0';
	PG_RETURN_CSTRING(out);
}

Datum
o2c_iban_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	int			version;
	int			n;
	const char *p;

	/* An empty value is bad data (22P03), not a protocol error. */
	if (buf->len - buf->cursor < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid binary iban: the value is empty"),
				 errdetail("A value is a version byte followed by the IBAN's characters.")));
	version = pq_getmsgbyte(buf);
	if (version != O2C_IBAN_BINARY_VERSION)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("unsupported binary iban version: %d", version)));
	n = buf->len - buf->cursor;
	p = pq_getmsgbytes(buf, n);
	PG_RETURN_POINTER(iban_make(p, n));
}

Datum
o2c_iban_send(PG_FUNCTION_ARGS)
{
	O2cIban    *v = PG_GETARG_IBAN_P(0);
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendbyte(&buf, O2C_IBAN_BINARY_VERSION);
	pq_sendbytes(&buf, VARDATA_ANY(v), VARSIZE_ANY_EXHDR(v));
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

Datum
o2c_iban_from_text(PG_FUNCTION_ARGS)
{
	text	   *t = PG_GETARG_TEXT_PP(0);

	PG_RETURN_POINTER(iban_make(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t)));
}

/* The compact form: what a payment file or a bank API wants. */
Datum
o2c_iban_to_text(PG_FUNCTION_ARGS)
{
	O2cIban    *v = PG_GETARG_IBAN_P(0);

	PG_RETURN_TEXT_P(cstring_to_text_with_len(VARDATA_ANY(v),
											  VARSIZE_ANY_EXHDR(v)));
}

static int
iban_cmp_internal(O2cIban *a, O2cIban *b)
{
	int			la = VARSIZE_ANY_EXHDR(a);
	int			lb = VARSIZE_ANY_EXHDR(b);
	int			c = memcmp(VARDATA_ANY(a), VARDATA_ANY(b), Min(la, lb));

	if (c != 0)
		return c < 0 ? -1 : 1;
	return la < lb ? -1 : la > lb ? 1 : 0;
}

Datum
o2c_iban_cmp(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32(iban_cmp_internal(PG_GETARG_IBAN_P(0), PG_GETARG_IBAN_P(1)));
}

#define IBAN_CMP_FUNC(name, op) \
Datum \
name(PG_FUNCTION_ARGS) \
{ \
	PG_RETURN_BOOL(iban_cmp_internal(PG_GETARG_IBAN_P(0), \
									 PG_GETARG_IBAN_P(1)) op 0); \
}

IBAN_CMP_FUNC(o2c_iban_eq, ==)
IBAN_CMP_FUNC(o2c_iban_ne, !=)
IBAN_CMP_FUNC(o2c_iban_lt, <)
IBAN_CMP_FUNC(o2c_iban_le, <=)
IBAN_CMP_FUNC(o2c_iban_gt, >)
IBAN_CMP_FUNC(o2c_iban_ge, >=)

Datum
o2c_iban_hash(PG_FUNCTION_ARGS)
{
	O2cIban    *v = PG_GETARG_IBAN_P(0);

	return hash_any((const unsigned char *) VARDATA_ANY(v), VARSIZE_ANY_EXHDR(v));
}

Datum
o2c_iban_hash_extended(PG_FUNCTION_ARGS)
{
	O2cIban    *v = PG_GETARG_IBAN_P(0);

	return hash_any_extended((const unsigned char *) VARDATA_ANY(v),
							 VARSIZE_ANY_EXHDR(v), PG_GETARG_INT64(1));
}
