/*
 * bank_unit.c — the camt.053 parser against hostile documents (test/unit/bank.sh).
 *
 * test/fixtures/refused holds documents with a DTD (entity expansion, an
 * external entity, an external parameter entity, an external DTD), in UTF-8
 * and hidden behind another encoding (UTF-7, UTF-16 with and without a byte
 * order mark, UTF-32, EBCDIC): each must be refused with O2C_ERR_SYNTAX
 * (22P02), and libxml2 must never be asked to load anything, which a
 * counting external entity loader checks. test/fixtures/encodings holds the
 * 8-bit encodings a bank sends, which must read as the same UTF-8 text.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/parserInternals.h>

#include "bank/bankfmt.h"

static int	loads;
static int	passed;
static int	failed;

/* Counts every attempt to load an external resource, and loads nothing. */
static xmlParserInputPtr
counting_loader(const char *url, const char *id, xmlParserCtxtPtr ctxt)
{
	loads++;
	return NULL;
}

static char *
slurp(const char *dir, const char *name, size_t *len)
{
	char		path[1024];
	FILE	   *f;
	char	   *buf;
	long		n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "rb");
	if (f == NULL)
	{
		fprintf(stderr, "cannot open %s\n", path);
		exit(2);
	}
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc(n + 1);
	if (fread(buf, 1, n, f) != (size_t) n)
		exit(2);
	fclose(f);
	*len = (size_t) n;
	return buf;
}

static void
check(bool ok, const char *what)
{
	if (ok)
		passed++;
	else
		failed++;
	printf("%s - %s\n", ok ? "ok" : "NOT OK", what);
}

/* A refused document: 22P02 with the message given, nothing loaded. */
static void
refused(const char *dir, const char *name, const char *encoding, const char *message)
{
	size_t		len;
	char	   *buf = slurp(dir, name, &len);
	int			strict;

	for (strict = 0; strict < 2; strict++)
	{
		O2cBankResult res;
		O2cError	err;
		bool		ok;
		char		what[2048];

		o2c_bank_init(&res);
		memset(&err, 0, sizeof(err));
		loads = 0;
		ok = o2c_parse_camt053_as(buf, len, encoding, strict, &res, &err);
		snprintf(what, sizeof(what), "%s%s%s%s: refused (got \"%s\")", name,
				 encoding ? " read as " : "", encoding ? encoding : "",
				 strict ? "" : ", lax", ok ? "no error" : err.message);
		check(!ok && err.kind == O2C_ERR_SYNTAX && strcmp(err.message, message) == 0 &&
			  res.nlines == 0, what);
		snprintf(what, sizeof(what), "%s%s: nothing loaded (%d attempts)", name,
				 strict ? "" : ", lax", loads);
		check(loads == 0, what);
		o2c_bank_free(&res);
	}
	free(buf);
}

/* An accepted document: its one line's remittance, as UTF-8. */
static void
accepted(const char *dir, const char *name, const char *encoding, const char *remittance)
{
	size_t		len;
	char	   *buf = slurp(dir, name, &len);
	O2cBankResult res;
	O2cError	err;
	bool		ok;
	char		what[2048];

	o2c_bank_init(&res);
	memset(&err, 0, sizeof(err));
	ok = o2c_parse_camt053_as(buf, len, encoding, true, &res, &err);
	snprintf(what, sizeof(what), "%s%s%s: remittance \"%s\" (got %s \"%s\")", name,
			 encoding ? " read as " : "", encoding ? encoding : "", remittance,
			 ok ? "remittance" : "error", ok ? (res.nlines == 1 && res.lines[0].remittance ? res.lines[0].remittance : "?") : err.message);
	check(ok && res.nlines == 1 && res.lines[0].remittance != NULL &&
		  strcmp(res.lines[0].remittance, remittance) == 0, what);
	o2c_bank_free(&res);
	free(buf);
}

/*
 * A fixture of the project (test/fixtures/NAME) under AddressSanitizer, in
 * strict and in lax mode: both read the same lines, with no warning.
 */
static void
fixture(const char *dir, const char *name, const char *format, const char *message, int lines)
{
	size_t		len;
	char	   *buf = slurp(dir, name, &len);
	int			strict;

	for (strict = 0; strict < 2; strict++)
	{
		O2cBankResult res;
		O2cError	err;
		bool		ok;
		char		what[2048];

		o2c_bank_init(&res);
		memset(&err, 0, sizeof(err));
		ok = strcmp(format, "camt") == 0 ? o2c_parse_camt053(buf, len, strict, &res, &err)
			: strcmp(format, "mt940") == 0 ? o2c_parse_mt940(buf, len, strict, &res, &err)
			: o2c_parse_bai2(buf, len, strict, &res, &err);
		snprintf(what, sizeof(what), "%s%s: %d %s lines, no warning (got %s, %d lines, %d warnings)",
				 name, strict ? "" : ", lax", lines, message, ok ? "ok" : err.message,
				 res.nlines, res.nwarnings);
		check(ok && res.nlines == lines && res.nwarnings == 0 &&
			  strcmp(res.stmts[0].message, message) == 0, what);
		o2c_bank_free(&res);
	}
	free(buf);
}

/* Warnings are bounded: 100 kept, the rest counted. */
static void
bounded_warnings(void)
{
	size_t		cap = 100000,
				n;
	char	   *mt = malloc(cap);
	O2cBankResult res;
	O2cError	err;
	bool		ok;
	int			k;
	char		what[256];

	n = (size_t) snprintf(mt, cap, ":20:W\n:25:A\n:60F:C250301EUR0,00\n");
	for (k = 0; k < 5000; k++)
		n += (size_t) snprintf(mt + n, cap - n, ":12:%d\n", k);
	n += (size_t) snprintf(mt + n, cap - n, ":62F:C250301EUR0,00\n");
	o2c_bank_init(&res);
	memset(&err, 0, sizeof(err));
	ok = o2c_parse_mt940(mt, n, false, &res, &err);
	snprintf(what, sizeof(what), "5,000 unknown tags, lax: 100 warnings kept, 4,900 counted (got %d, %ld)",
			 res.nwarnings, res.warnings_dropped);
	check(ok && res.nwarnings == O2C_BANK_MAX_WARNINGS && res.warnings_dropped == 4900, what);
	o2c_bank_free(&res);
	free(mt);
}

int
main(int argc, char **argv)
{
	char		refused_dir[1024],
				enc_dir[1024];
	const char *dtd = "camt document with a DOCTYPE declaration refused";

	if (argc < 2)
		return 2;
	snprintf(refused_dir, sizeof(refused_dir), "%s/refused", argv[1]);
	snprintf(enc_dir, sizeof(enc_dir), "%s/encodings", argv[1]);
	xmlSetExternalEntityLoader(counting_loader);

	refused(refused_dir, "billion_laughs.camt053", NULL, dtd);
	refused(refused_dir, "external_entity.camt053", NULL, dtd);
	refused(refused_dir, "external_parameter_entity.camt053", NULL, dtd);
	refused(refused_dir, "external_dtd.camt053", NULL, dtd);
	refused(refused_dir, "utf7_doctype.camt053", NULL,
			"camt document in encoding \"UTF-7\" refused");
	refused(refused_dir, "utf16_doctype.camt053", NULL,
			"camt document in encoding \"UTF-16LE\" refused");
	refused(refused_dir, "utf16be_doctype.camt053", NULL,
			"camt document in encoding \"UTF-16BE\" refused");
	refused(refused_dir, "utf32_doctype.camt053", NULL,
			"camt document in encoding \"UTF-32LE\" refused");
	refused(refused_dir, "ebcdic_doctype.camt053", NULL,
			"camt document in encoding \"EBCDIC\" refused");
	/* the server passes text in its own encoding: the same refusals */
	refused(refused_dir, "billion_laughs.camt053", "UTF-8", dtd);
	refused(refused_dir, "external_entity.camt053", "UTF-8", dtd);
	refused(refused_dir, "utf7_doctype.camt053", "UTF-8",
			"camt document in encoding \"UTF-7\" refused");

	accepted(enc_dir, "ascii.camt053", NULL, "plain");
	accepted(enc_dir, "latin1.camt053", NULL, "S\xc3\xb8ren \xc3\x86r\xc3\xb8");
	accepted(enc_dir, "latin9.camt053", NULL, "5 \xe2\x82\xac \xc5\x92uvre");
	accepted(enc_dir, "cp1252.camt053", NULL, "5 \xe2\x82\xac \xe2\x80\x9eZahlung\xe2\x80\x9c");

	/* text the server converted to UTF-8 keeps its (now wrong) declaration */
	{
		const char *doc = "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>"
			"<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.02\"><BkToCstmrStmt><Stmt>"
			"<Ntry><Amt>1.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><AddtlNtryInf>S\xc3\xb8ren</AddtlNtryInf></Ntry>"
			"</Stmt></BkToCstmrStmt></Document>";
		O2cBankResult res;
		O2cError	err;
		bool		ok;

		o2c_bank_init(&res);
		memset(&err, 0, sizeof(err));
		ok = o2c_parse_camt053_as(doc, strlen(doc), "UTF-8", true, &res, &err);
		check(ok && res.nlines == 1 && strcmp(res.lines[0].remittance, "S\xc3\xb8ren") == 0,
			  "declared ISO-8859-1, read as UTF-8: the UTF-8 text unchanged");
		o2c_bank_free(&res);
	}

	fixture(argv[1], "statement.camt053", "camt", "camt.053", 4);
	fixture(argv[1], "report.camt052", "camt", "camt.052", 5);
	fixture(argv[1], "notification.camt054", "camt", "camt.054", 1);
	fixture(argv[1], "two_statements.sta", "mt940", "mt940", 3);
	fixture(argv[1], "dialects.sta", "mt940", "mt940", 5);
	fixture(argv[1], "interim.sta", "mt940", "mt942", 2);
	fixture(argv[1], "file.bai2", "bai2", "bai2", 2);
	fixture(argv[1], "variants.bai2", "bai2", "bai2", 7);
	bounded_warnings();

	printf("%d passed, %d failed\n", passed, failed);
	return failed == 0 ? 0 : 1;
}
