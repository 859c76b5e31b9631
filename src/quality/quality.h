/*
 * quality.h — what the data-quality files share: reading inner-query
 * columns by name and jsonb options (innerq.c), the rule ids and the
 * single-row invoice rules used by both quality_scan and the invoice_guard
 * trigger, and reference similarity (rules.c).
 */
#ifndef O2C_QUALITY_H
#define O2C_QUALITY_H

#include "core/o2c.h"

#include "access/tupdesc.h"
#include "executor/spi.h"
#include "utils/jsonb.h"

#include "calendar/calendar.h"
#include "core/innerq.h"
#include "core/options.h"
#include "terms/terms.h"


/* The rules, in their reporting order. */
typedef enum O2cRule
{
	O2C_RULE_MISSING_CUSTOMER,
	O2C_RULE_ZERO_AMOUNT,
	O2C_RULE_NEGATIVE_AMOUNT,
	O2C_RULE_DUE_BEFORE_INVOICE,
	O2C_RULE_INVALID_CURRENCY,
	O2C_RULE_OPEN_EXCEEDS_AMOUNT,
	O2C_RULE_NEGATIVE_OPEN,
	O2C_RULE_FUTURE_INVOICE_DATE,
	O2C_RULE_INVALID_IBAN,
	O2C_RULE_INVALID_TERMS,
	O2C_RULE_TERMS_DUE_MISMATCH,
	O2C_RULE_DUPLICATE_NUMBER,
	O2C_RULE_SUSPECTED_DUPLICATE,
	O2C_RULE_COUNT
} O2cRule;

/*
 * A negative amount is a credit note, as o2c.aging and o2c.open_items take
 * it: rule negative_amount, which refuses it, is on only when asked for
 * (credit_notes=false, or named in the rules).
 */
extern bool o2c_rule_on_by_default(int rule);

extern const char *const o2c_rule_names[O2C_RULE_COUNT];
extern const char *const o2c_rule_severity[O2C_RULE_COUNT];
/* The rule with that id, or -1. */
extern int	o2c_rule_lookup(const char *name);

/* One invoice's values as the single-row rules see them. */
typedef struct O2cInvoiceVals
{
	bool		has_customer;	/* the column exists */
	const char *customer_id;	/* NULL when SQL NULL */
	bool		has_invoice_date;
	bool		invoice_date_null;
	DateADT		invoice_date;
	bool		has_due_date;
	bool		due_date_null;
	DateADT		due_date;
	bool		has_amount;
	bool		amount_null;
	Datum		amount;			/* numeric or an integer type */
	Oid			amount_type;
	bool		has_open;
	bool		open_null;
	Datum		open_amount;
	Oid			open_type;
	bool		has_currency;
	const char *currency;		/* not NUL-terminated; NULL when SQL NULL */
	int			currency_len;
	DateADT		as_of;			/* for future_invoice_date */
	bool		as_of_is_today; /* say "the current date", not the date */
	/* terms_due_mismatch: the due date the terms give, computed by the caller */
	bool		has_terms_due;
	DateADT		terms_due;
	const O2cTermPart *terms_parts; /* for the detail */
	int			terms_nparts;
	const char *calendar;		/* NULL when none */
} O2cInvoiceVals;

/* Called once per finding: the rule and a palloc'd detail. */
typedef void (*O2cFindingFn) (void *arg, O2cRule rule, const char *detail);

/* Check the single-row rules enabled in `enabled` (indexed by O2cRule). */
extern void o2c_check_invoice_row(const O2cInvoiceVals *v, const bool *enabled,
								  O2cFindingFn emit, void *arg);

/*
 * Payment terms in an o2c.terms (terms_type) or text column: their parts,
 * read in place for o2c.terms into *parts, or parsed from text into buf.
 * Returns the count. Text that does not parse is 22P02 naming the value, or,
 * when invalid is not NULL, returns 0 and sets *invalid to the detail of an
 * invalid_terms finding.
 */
extern int	o2c_terms_datum_parts(Datum d, Oid type, Oid terms_type,
								  O2cTermPart *buf, const O2cTermPart **parts,
								  char **invalid);
/*
 * The due date those terms give for an invoice date (the latest
 * installment), each installment moved by cal's default convention when cal
 * is not NULL; 22008 for a non-finite invoice date or a result out of range.
 */
extern DateADT o2c_terms_parts_due(const O2cTermPart *parts, int n,
								   DateADT invoice_date, const O2cCalendar *cal);
/* The o2c.terms type of the extension in namespace nsp, or InvalidOid. */
extern Oid	o2c_terms_type(Oid nsp);

/* Lower-case letters and digits only, leading zeros of digit runs dropped. */
extern char *o2c_normalize_reference(const char *s);
/* Levenshtein distance, or limit + 1 as soon as it exceeds limit. */
extern int	o2c_bounded_levenshtein(const char *a, const char *b, int limit);

#endif							/* O2C_QUALITY_H */
