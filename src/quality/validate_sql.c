/*
 * validate_sql.c — SQL wrappers of the validators (validate.c, vat.c). Each
 * *_valid function reads the text in place and answers true or false; only
 * iban_normalize raises.
 */
#include "postgres.h"

#include "core/o2c.h"
#include "validate.h"

#include "fmgr.h"
#include "utils/builtins.h"

PG_FUNCTION_INFO_V1(o2c_iban_valid);
PG_FUNCTION_INFO_V1(o2c_iban_normalize);
PG_FUNCTION_INFO_V1(o2c_bic_valid_sql);
PG_FUNCTION_INFO_V1(o2c_vat_valid_sql);
PG_FUNCTION_INFO_V1(o2c_email_valid_sql);
PG_FUNCTION_INFO_V1(o2c_country_valid_sql);
PG_FUNCTION_INFO_V1(o2c_lei_valid_sql);
PG_FUNCTION_INFO_V1(o2c_aba_valid_sql);
PG_FUNCTION_INFO_V1(o2c_luhn_valid_sql);

/* Normalize an IBAN or raise 22P02 naming the value and the failed check. */
void
o2c_iban_parse(const char *s, size_t len, char out[O2C_IBAN_MAX + 1])
{
	O2cIbanResult r = o2c_iban_check(s, len, out);

	if (r != O2C_IBAN_OK)
	{
		static const char *const details[] = {
			[O2C_IBAN_CHARACTERS] = "An IBAN has only letters, digits and spaces.",
			[O2C_IBAN_COUNTRY] = "The first two letters are not a country of the IBAN registry.",
			[O2C_IBAN_LENGTH] = "The length does not match the country's IBAN length.",
			[O2C_IBAN_STRUCTURE] = "The letters and digits do not follow the country's BBAN structure.",
			[O2C_IBAN_CHECKSUM] = "The ISO 7064 mod 97-10 checksum is wrong.",
			[O2C_IBAN_NATIONAL] = "The country's national check digits are wrong.",
		};

		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid IBAN: \"%s\"", o2c_quote(&(O2cQuote) {{0}}, s, len)),
				 errdetail("Failed check: %s. %s", o2c_iban_result_text(r),
						   details[r])));
	}
}

Datum
o2c_iban_valid(PG_FUNCTION_ARGS)
{
	text	   *t = PG_GETARG_TEXT_PP(0);
	char		out[O2C_IBAN_MAX + 1];

	PG_RETURN_BOOL(o2c_iban_check(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t), out)
				   == O2C_IBAN_OK);
}

Datum
o2c_iban_normalize(PG_FUNCTION_ARGS)
{
	text	   *t = PG_GETARG_TEXT_PP(0);
	char		out[O2C_IBAN_MAX + 1];

	o2c_iban_parse(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t), out);
	PG_RETURN_TEXT_P(cstring_to_text(out));
}

#define O2C_TEXT_VALIDATOR(sqlname, cfunc) \
Datum \
sqlname(PG_FUNCTION_ARGS) \
{ \
	text	   *t = PG_GETARG_TEXT_PP(0); \
\
	PG_RETURN_BOOL(cfunc(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t))); \
}

O2C_TEXT_VALIDATOR(o2c_bic_valid_sql, o2c_bic_valid)
O2C_TEXT_VALIDATOR(o2c_vat_valid_sql, o2c_vat_valid)
O2C_TEXT_VALIDATOR(o2c_email_valid_sql, o2c_email_valid)
O2C_TEXT_VALIDATOR(o2c_country_valid_sql, o2c_country_valid)
O2C_TEXT_VALIDATOR(o2c_lei_valid_sql, o2c_lei_valid)
O2C_TEXT_VALIDATOR(o2c_aba_valid_sql, o2c_aba_valid)
O2C_TEXT_VALIDATOR(o2c_luhn_valid_sql, o2c_luhn_valid)
