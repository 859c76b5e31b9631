/*
 * termtype.h — the on-disk o2c.terms value and helpers shared by the
 * terms and schedule wrappers (server side).
 */
#ifndef O2C_TERMTYPE_H
#define O2C_TERMTYPE_H

#include "postgres.h"

#include "fmgr.h"
#include "utils/date.h"
#include "utils/numeric.h"

#include "core/money.h"
#include "terms.h"

/*
 * STORAGE plain, ALIGNMENT int4: always a 4-byte header, never compressed,
 * so a value is read in place without a copy.
 */
typedef struct O2cTerms
{
	int32		vl_len_;
	uint8		version;
	uint8		nparts;
	uint16		pad;
	O2cTermPart parts[FLEXIBLE_ARRAY_MEMBER];
} O2cTerms;

#define DatumGetO2cTerms(d)		((O2cTerms *) PG_DETOAST_DATUM(d))
#define PG_GETARG_O2CTERMS(n)	DatumGetO2cTerms(PG_GETARG_DATUM(n))

/* Invoice date + rule, checked to stay a valid date (22008 otherwise). */
extern DateADT o2c_part_due(const O2cTermPart *part, DateADT invoice_date);
/* ... moved by the calendar's default convention, never before the invoice date. */
struct O2cCalendar;
extern DateADT o2c_part_due_adjusted(const O2cTermPart *part, DateADT invoice_date,
									 const struct O2cCalendar *cal);
extern DateADT o2c_part_discount_until(const O2cTermPart *part, DateADT invoice_date);

/* Discount of amount at pct hundredths, rounded half away from zero. */
extern Numeric o2c_discount_of(Numeric amount, int32 pct, int scale);

#endif							/* O2C_TERMTYPE_H */
