/*
 * bank_dump.c — print what a bank statement parser reads from a file, one
 * line per statement line (development aid; the same cores as the server).
 *   cc -I src test/unit/bank_dump.c src/bank/bankfmt.c src/bank/mt940.c ... -o bank_dump
 *   bank_dump mt940|camt|bai2 FILE [nostrict]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bank/bankfmt.h"

int
main(int argc, char **argv)
{
	O2cBankResult res;
	O2cError	err;
	FILE	   *f;
	char	   *buf;
	long		len;
	bool		ok;
	bool		strict = argc < 4;
	int			i;

	if (argc < 3 || (f = fopen(argv[2], "rb")) == NULL)
		return 2;
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc(len + 1);
	if (fread(buf, 1, len, f) != (size_t) len)
		return 2;
	fclose(f);
	o2c_bank_init(&res);
	memset(&err, 0, sizeof(err));
	if (strcmp(argv[1], "mt940") == 0)
		ok = o2c_parse_mt940(buf, len, strict, &res, &err);
	else if (strncmp(argv[1], "camt", 4) == 0)
		ok = o2c_parse_camt053(buf, len, strict, &res, &err);
	else
		ok = o2c_parse_bai2(buf, len, strict, &res, &err);
	if (!ok)
		printf("ERROR %d: %s | %s | %s\n", err.kind, err.message, err.detail, err.hint);
	for (i = 0; i < res.nwarnings; i++)
		printf("WARNING: %s\n", res.warnings[i]);
	for (i = 0; i < res.nlines; i++)
	{
		O2cBankLine *l = &res.lines[i];
		O2cBankStmt *s = &res.stmts[l->stmt];
		char		a[48], o[48], c[48], ia[48];

		o2c_bank_format(l->amount, s->dscale, a);
		o2c_bank_format(s->opening, s->dscale, o);
		o2c_bank_format(s->closing, s->dscale, c);
		if (l->instructed && l->instructed->has_amount)
			o2c_bank_format(l->instructed->amount, l->instructed->scale, ia);
		printf("%s|%s|%s|%s|%d|%d|%d|%s|%c|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s\n", s->message,
			   s->statement_id, s->account, s->currency, l->line_no,
			   l->booking_date, l->value_date, a, l->credit ? 't' : 'f',
			   l->counterparty_name, l->counterparty_account, l->reference,
			   l->remittance, l->bank_reference, l->type_code,
			   s->has_opening ? o : "-", s->has_closing ? c : "-",
			   l->instructed && l->instructed->has_amount ? ia : "-",
			   l->instructed && l->instructed->currency ? l->instructed->currency : "-",
			   l->instructed && l->instructed->exchange_rate ? l->instructed->exchange_rate : "-");
	}
	printf("%d statements, %d lines\n", res.nstmts, res.nlines);
	o2c_bank_free(&res);
	free(buf);
	return ok ? 0 : 1;
}
