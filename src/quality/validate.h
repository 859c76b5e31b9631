/*
 * validate.h — account-data validators (validate.c), plain C over buffers so
 * unit tests and fuzzers can link them without a server.
 */
#ifndef O2C_VALIDATE_H
#define O2C_VALIDATE_H

#include "core/core.h"

#define O2C_IBAN_MAX 34

/* Why an IBAN was refused; O2C_IBAN_OK when it passed every check. */
typedef enum O2cIbanResult
{
	O2C_IBAN_OK = 0,
	O2C_IBAN_CHARACTERS,		/* not letters, digits and spaces */
	O2C_IBAN_COUNTRY,			/* no IBAN country */
	O2C_IBAN_LENGTH,			/* wrong length for the country */
	O2C_IBAN_STRUCTURE,			/* BBAN letters/digits pattern */
	O2C_IBAN_CHECKSUM,			/* ISO 7064 mod 97-10 */
	O2C_IBAN_NATIONAL			/* the country's own check digits */
} O2cIbanResult;

/*
 * Check an IBAN as typed; on success out holds the compact upper-case form
 * (NUL-terminated, at most O2C_IBAN_MAX characters).
 */
extern O2cIbanResult o2c_iban_check(const char *s, size_t len,
									char out[O2C_IBAN_MAX + 1]);
extern const char *o2c_iban_result_text(O2cIbanResult r);

/* Server only (validate_sql.c): o2c_iban_check or an ERROR 22P02. */
extern void o2c_iban_parse(const char *s, size_t len,
						   char out[O2C_IBAN_MAX + 1]);

extern bool o2c_bic_valid(const char *s, size_t len);
extern bool o2c_vat_valid(const char *s, size_t len);
extern bool o2c_email_valid(const char *s, size_t len);
extern bool o2c_country_valid(const char *s, size_t len);
extern bool o2c_lei_valid(const char *s, size_t len);
extern bool o2c_aba_valid(const char *s, size_t len);
extern bool o2c_luhn_valid(const char *s, size_t len);

#endif							/* O2C_VALIDATE_H */
