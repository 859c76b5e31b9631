/*
 * validate_fuzz.c — libFuzzer target for the validators (validate.c, vat.c):
 * every validator over the same arbitrary bytes, which are not
 * NUL-terminated, so a read past the length is caught by AddressSanitizer.
 *
 *   clang-14 -g -O1 -fsanitize=fuzzer,address,undefined -I src \
 *       src/quality/validate.c src/quality/vat.c test/unit/core_standalone.c \
 *       test/fuzz/validate_fuzz.c -o /tmp/validate_fuzz
 *   /tmp/validate_fuzz -max_total_time=60 -max_len=512
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "quality/validate.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* An exact-size heap copy: one byte more would hide overreads. */
	char	   *s = malloc(size ? size : 1);
	char		out[O2C_IBAN_MAX + 1];
	O2cIbanResult r;

	memcpy(s, data, size);
	r = o2c_iban_check(s, size, out);
	if (r == O2C_IBAN_OK)
	{
		/* A normalized IBAN is valid again and normalizes to itself. */
		char		again[O2C_IBAN_MAX + 1];

		if (o2c_iban_check(out, strlen(out), again) != O2C_IBAN_OK ||
			strcmp(out, again) != 0)
			abort();
	}
	(void) o2c_iban_result_text(r);
	(void) o2c_bic_valid(s, size);
	(void) o2c_vat_valid(s, size);
	(void) o2c_email_valid(s, size);
	(void) o2c_country_valid(s, size);
	(void) o2c_lei_valid(s, size);
	(void) o2c_aba_valid(s, size);
	(void) o2c_luhn_valid(s, size);
	free(s);
	return 0;
}
