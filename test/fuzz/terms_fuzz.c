/*
 * terms_fuzz.c — libFuzzer target for the payment terms parser (src/terms/terms.c):
 * any bytes either fail cleanly or parse to terms whose canonical text
 * reparses to the same parts. Built and run (bounded) by test/unit/terms.sh.
 */
#include <stdlib.h>
#include <string.h>

#include "terms/terms.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	O2cTermPart parts[O2C_TERMS_MAX_PARTS];
	O2cTermPart again[O2C_TERMS_MAX_PARTS];
	O2cError	err;
	char		buf[O2C_TERMS_TEXT_MAX];
	int			n,
				m;

	memset(&err, 0, sizeof(err));
	n = o2c_terms_parse((const char *) data, size, parts, &err);
	if (n == 0)
	{
		if (err.kind != O2C_ERR_SYNTAX && err.kind != O2C_ERR_VALUE)
			abort();
		return 0;
	}
	o2c_terms_print(parts, n, buf);
	memset(&err, 0, sizeof(err));
	m = o2c_terms_parse(buf, strlen(buf), again, &err);
	if (m != n || o2c_terms_cmp(parts, n, again, m) != 0)
		abort();
	return 0;
}
