/*
 * bank_memory.c — peak memory of the camt.053 parser on one large statement
 * (test/unit/bank.sh, built without sanitizers, which would add their own).
 * The file is read first; what the parse adds to the process's peak
 * resident size must stay below the input's size (the compact lines and
 * their strings, one entry's tree at a time): the whole tree of a statement
 * once cost about 11 times it.
 *   bank_memory FILE
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "bank/bankfmt.h"

static long
peak_kb(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

int
main(int argc, char **argv)
{
	O2cBankResult res;
	O2cError	err;
	FILE	   *f;
	char	   *buf;
	long		len,
				before,
				after;
	bool		ok;
	double		ratio;

	if (argc < 2 || (f = fopen(argv[1], "rb")) == NULL)
		return 2;
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc(len);
	if (buf == NULL || fread(buf, 1, len, f) != (size_t) len)
		return 2;
	fclose(f);
	before = peak_kb();
	o2c_bank_init(&res);
	memset(&err, 0, sizeof(err));
	ok = o2c_parse_camt053(buf, len, true, &res, &err);
	after = peak_kb();
	ratio = (after - before) * 1024.0 / len;
	printf("%s - camt.053 parse of one %.1f MB statement: %s, %d lines\n",
		   ok ? "ok" : "NOT OK", len / 1048576.0, ok ? "read" : err.message, res.nlines);
	printf("%s - it adds %.1f MB to the peak, %.2f times the input (limit 1)\n",
		   ratio <= 1.0 ? "ok" : "NOT OK", (after - before) / 1024.0, ratio);
	o2c_bank_free(&res);
	free(buf);
	return ok && ratio <= 1.0 ? 0 : 1;
}
