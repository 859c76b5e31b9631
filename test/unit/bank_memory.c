/*
 * bank_memory.c — peak memory of the camt.053 parser on one large statement
 * (test/unit/bank.sh, built without sanitizers, which would add their own).
 * The file is read first; what the parse adds to the process's peak
 * resident size must stay below the input's size (the compact lines and
 * their strings, one entry's tree at a time): the whole tree of a statement
 * once cost about 11 times it. Before it, an MT940 :86: of 20,000 German
 * sub-fields on one line and one of 20,000 lines must each cost a small
 * multiple of their size (sub-fields were once joined by copying the text
 * so far for each one: memory and time grew with the square of their number).
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

/* MT940 sub-fields, run first: the process's peak is still low. */
static bool
mt940_subfields(void)
{
	O2cBankResult res;
	O2cError	err;
	long		before,
				after;
	bool		ok;

	for (int form = 0; form < 2; form++)
	{
		size_t		cap = 64 + 20000 * 16,
					n;
		int			k;
		char	   *mt = malloc(cap);

		n = (size_t) snprintf(mt, cap, ":20:G\n:61:250301C1,00NTRFX\n:86:166?00X");
		for (k = 0; k < 20000; k++)
			n += (size_t) snprintf(mt + n, cap - n, form == 0 ? "?2%dab" : "\n?2%dab", k % 10);
		before = peak_kb();
		o2c_bank_init(&res);
		memset(&err, 0, sizeof(err));
		ok = o2c_parse_mt940(mt, n, false, &res, &err);
		after = peak_kb();
		ok = ok && res.nlines == 1 && strlen(res.lines[0].remittance) == 40000;
		printf("%s - MT940 :86: of 20,000 sub-fields %s: %s, adds %.1f MB to the peak for %.1f kB (limit 4 MB)\n",
			   ok && after - before <= 4096 ? "ok" : "NOT OK", form == 0 ? "on one line" : "on 20,000 lines",
			   ok ? "all kept" : "NOT all kept", (after - before) / 1024.0, n / 1024.0);
		if (!ok || after - before > 4096)
			return false;
		o2c_bank_free(&res);
		free(mt);
	}
	return true;
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
	if (!mt940_subfields())
		return 1;
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
