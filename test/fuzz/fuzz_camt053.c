/*
 * fuzz_camt053.c — libFuzzer harness of the camt parser (camt.052, camt.053,
 * camt.054; scripts/fuzz.sh):
 * any bytes, strict and lenient; the parser must fail cleanly or succeed.
 */
#include <stdint.h>
#include <string.h>

#include "bank/bankfmt.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int			strict;

	for (strict = 0; strict < 2; strict++)
	{
		O2cBankResult res;
		O2cError	err;

		o2c_bank_init(&res);
		memset(&err, 0, sizeof(err));
		if (!o2c_parse_camt053((const char *) data, size, strict, &res, &err) &&
			(err.kind == O2C_OK || err.message[0] == '\0'))
			__builtin_trap();	/* a failure must say why */
		o2c_bank_free(&res);
	}
	return 0;
}
