/*
 * validate_vectors.c — standalone driver for validate.c: reads lines
 * "kind<TAB>value" on stdin and prints "kind<TAB>value<TAB>true|false".
 * Used during development to compare against published vectors, and by
 * test/fuzz to feed arbitrary bytes (no crash, no read past the length).
 *
 *   cc -I src src/quality/validate.c src/quality/vat.c test/unit/core_standalone.c \
 *      test/unit/validate_vectors.c -o /tmp/validate_vectors
 */
#include <stdio.h>
#include <string.h>

#include "quality/validate.h"

int
main(void)
{
	char		line[4096];

	while (fgets(line, sizeof(line), stdin))
	{
		char	   *tab = strchr(line, '\t');
		char	   *value;
		size_t		len;
		bool		ok = false;
		char		out[O2C_IBAN_MAX + 1];

		if (tab == NULL)
			continue;
		*tab = '\0';
		value = tab + 1;
		len = strcspn(value, "\r\n");
		value[len] = '\0';
		if (strcmp(line, "iban") == 0)
			ok = o2c_iban_check(value, len, out) == O2C_IBAN_OK;
		else if (strcmp(line, "bic") == 0)
			ok = o2c_bic_valid(value, len);
		else if (strcmp(line, "vat") == 0)
			ok = o2c_vat_valid(value, len);
		else if (strcmp(line, "email") == 0)
			ok = o2c_email_valid(value, len);
		else if (strcmp(line, "country") == 0)
			ok = o2c_country_valid(value, len);
		else if (strcmp(line, "lei") == 0)
			ok = o2c_lei_valid(value, len);
		else if (strcmp(line, "aba") == 0)
			ok = o2c_aba_valid(value, len);
		else if (strcmp(line, "luhn") == 0)
			ok = o2c_luhn_valid(value, len);
		printf("%s\t%s\t%s\n", line, value, ok ? "true" : "false");
	}
	return 0;
}
