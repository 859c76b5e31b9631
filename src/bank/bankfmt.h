/*
 * bankfmt.h — what the bank statement parsers (mt940.c, camt.c, bai2.c)
 * produce: plain C over buffers (core.h), so the fuzzers link them without
 * a server. Amounts are exact: signed integers of 10^-5 units (camt allows at
 * most 5 fraction digits); dates are yyyymmdd integers, 0 when absent.
 */
#ifndef O2C_BANKFMT_H
#define O2C_BANKFMT_H

#include "core/core.h"

#define O2C_BANK_SCALE 5
/* Largest amount accepted, in 10^-5 units: 10^18, far beyond any bank's. */
#define O2C_BANK_MAX_UNITS INT64_C(1000000000000000000)

typedef struct O2cBankStmt
{
	char	   *statement_id;
	char	   *account;
	char	   *currency;		/* 3 letters, or NULL */
	bool		has_opening;
	bool		has_closing;
	int64_t		opening;		/* 10^-5 units, signed */
	int64_t		closing;
	int			dscale;			/* most fraction digits written */
	int			first_line;		/* input line of the statement, for errors */
	/* message type: "camt.052", "camt.053", "camt.054", "mt940", "mt942", "bai2" */
	const char *message;
	int			unbooked;		/* camt entries not booked (PDNG, INFO, FUTR) */
} O2cBankStmt;

/* camt AmtDtls/InstdAmt and CcyXchg of a line; rare, so kept apart. */
typedef struct O2cBankInstructed
{
	bool		has_amount;
	int64_t		amount;			/* 10^-5 units, signed as the line's amount */
	int			scale;
	char	   *currency;
	char	   *exchange_rate;	/* decimal text, checked */
} O2cBankInstructed;

typedef struct O2cBankLine
{
	int			stmt;			/* index into O2cBankResult.stmts */
	int			line_no;		/* 1-based within its statement */
	int32_t		booking_date;	/* yyyymmdd, 0 = unknown */
	int32_t		value_date;
	int64_t		amount;			/* 10^-5 units, signed by direction */
	bool		credit;
	bool		unbooked;		/* camt Sts other than BOOK: not in balances */
	char	   *counterparty_name;
	char	   *counterparty_account;
	char	   *reference;
	char	   *remittance;
	char	   *bank_reference;
	char	   *type_code;
	O2cBankInstructed *instructed;	/* NULL: none */
} O2cBankLine;

/* Memory of a result: chunks freed together by o2c_bank_free. */
typedef struct O2cBankChunk
{
	struct O2cBankChunk *next;
	size_t		used;
	size_t		size;
	char		data[];
} O2cBankChunk;

typedef struct O2cBankResult
{
	O2cBankStmt *stmts;
	int			nstmts;
	int			stmts_cap;
	O2cBankLine *lines;
	int			nlines;
	int			lines_cap;
	O2cBankChunk *chunks;
	/* what a lax parse skipped or doubted, for the caller to report */
	char	  **warnings;
	int			nwarnings;
	int			warnings_cap;
	long		warnings_dropped;	/* beyond O2C_BANK_MAX_WARNINGS */
} O2cBankResult;

/* Warnings kept per parse; the rest are counted (bounded memory). */
#define O2C_BANK_MAX_WARNINGS 100

/* The parsers: false with err filled on bad input (strict adds balances). */
extern bool o2c_parse_mt940(const char *buf, size_t len, bool strict,
							O2cBankResult *res, O2cError *err);
/*
 * camt.052, camt.053 and camt.054 of any version, keyed on the message
 * element (BkToCstmrAcctRpt, BkToCstmrStmt, BkToCstmrDbtCdtNtfctn).
 */
extern bool o2c_parse_camt053(const char *buf, size_t len, bool strict,
							  O2cBankResult *res, O2cError *err);
/*
 * camt.053 whose bytes are known to be in encoding (a libxml2 name such as
 * "UTF-8"; NULL: as the document declares). The declaration must still name
 * an encoding read (camt.c).
 */
extern bool o2c_parse_camt053_as(const char *buf, size_t len, const char *encoding,
								 bool strict, O2cBankResult *res, O2cError *err);
extern bool o2c_parse_bai2(const char *buf, size_t len, bool strict,
						   O2cBankResult *res, O2cError *err);

/* Shared helpers (bankfmt.c). */
extern void o2c_bank_init(O2cBankResult *res);
extern void o2c_bank_free(O2cBankResult *res);
extern char *o2c_bank_strndup(O2cBankResult *res, const char *s, size_t n);
/* Zeroed memory of the result, freed with it. */
extern void *o2c_bank_alloc(O2cBankResult *res, size_t n);
extern char *o2c_bank_concat(O2cBankResult *res, const char *a, size_t an,
							 const char *b, size_t bn);
extern O2cBankStmt *o2c_bank_add_stmt(O2cBankResult *res);
extern O2cBankLine *o2c_bank_add_line(O2cBankResult *res);
extern bool o2c_bank_valid_date(int y, int m, int d);
/* Decimal text (digits, one ',' or '.') to 10^-5 units; false if malformed. */
extern bool o2c_bank_amount(const char *s, size_t n, int64_t *units, int *scale);
/* Format 10^-5 units as decimal text with scale digits (buf >= 48 bytes). */
extern void o2c_bank_format(__int128 units, int scale, char *buf);
/* Display scale: the largest written, at least the currency's minor units. */
extern int	o2c_bank_stmt_scale(const O2cBankStmt *s);
/*
 * Balance check of every statement (opening + booked lines = closing):
 * strict, a mismatch fails; lax, it is a warning.
 */
extern bool o2c_bank_check_balances(O2cBankResult *res, O2cError *err, bool strict);
/* A statement's message as messages name it: "MT940", "camt.053", ... */
extern const char *o2c_bank_format_name(const O2cBankStmt *s);
/* Record a warning (printf-style); never fails. */
extern void o2c_bank_warn(O2cBankResult *res, const char *fmt,...)
			__attribute__((format(printf, 2, 3)));
/* A decimal number (digits, at most one '.'), as exchange rates are. */
extern bool o2c_bank_decimal_text(const char *s, size_t n);

#endif							/* O2C_BANKFMT_H */
