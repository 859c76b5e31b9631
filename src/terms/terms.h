/*
 * terms.h — payment terms (terms.c): parsed form, parser, printer and the
 * date rules, in plain C over buffers (core.h) so unit tests can link it.
 */
#ifndef O2C_TERMS_H
#define O2C_TERMS_H

#include "core/core.h"

#define O2C_TERMS_VERSION	1
#define O2C_TERMS_MAX_PARTS	32		/* installments in one terms value */

typedef enum O2cTermKind
{
	O2C_TERM_NET = 1,			/* due `days` after the invoice date (or EOM) */
	O2C_TERM_PROX = 2			/* due on `prox_day` of the next month */
} O2cTermKind;

/*
 * One installment. Percentages are hundredths (10000 = 100%); every field is
 * set canonically (zero when unused) so equal terms have equal bytes.
 */
typedef struct O2cTermPart
{
	int32_t		pct;			/* share of the amount, 1..10000 */
	int32_t		disc_pct;		/* discount, 0 (none) or 1..9999 */
	int16_t		days;			/* NET n: 0..999 */
	int16_t		disc_days;		/* discount window: 0..days */
	uint8_t		kind;			/* O2cTermKind */
	uint8_t		eom;			/* periods count from month end */
	uint8_t		prox_day;		/* PROX: 1..31 */
	uint8_t		pad;
} O2cTermPart;

/* Parse text into parts[]; returns the number of parts, or 0 with err set. */
extern int	o2c_terms_parse(const char *text, size_t len, O2cTermPart *parts,
							O2cError *err);

/* Canonical text into buf (NUL-terminated); returns its length. */
#define O2C_TERMS_TEXT_MAX	(O2C_TERMS_MAX_PARTS * 48)
extern size_t o2c_terms_print(const O2cTermPart *parts, int nparts, char *buf);

/* Check a part read from binary input; false with err set. */
extern bool o2c_terms_part_valid(const O2cTermPart *part, O2cError *err);

/* Total order over terms (for the B-tree operator class). */
extern int	o2c_terms_cmp(const O2cTermPart *a, int na, const O2cTermPart *b, int nb);

/*
 * Dates are days since 2000-01-01 (PostgreSQL's DateADT). The result of the
 * rules may leave PostgreSQL's date range: the caller checks.
 */
extern int64_t o2c_days_from_civil(int y, int m, int d);
extern void o2c_civil_from_days(int32_t days, int *y, int *m, int *d);
extern int	o2c_days_in_month(int y, int m);
extern int64_t o2c_add_months(int32_t date, int64_t months);
extern int64_t o2c_term_due(const O2cTermPart *part, int32_t invoice_date);
extern int64_t o2c_term_discount_until(const O2cTermPart *part, int32_t invoice_date);

#endif							/* O2C_TERMS_H */
