/*
 * calendar.h — business calendars (calendar.c): a per-backend cache of
 * o2c.calendar and o2c.holiday, and the day rules over it.
 */
#ifndef O2C_CALENDAR_H
#define O2C_CALENDAR_H

#include "postgres.h"

#include "fmgr.h"
#include "utils/date.h"

typedef enum O2cConvention
{
	O2C_CONV_UNADJUSTED = 0,
	O2C_CONV_FOLLOWING,
	O2C_CONV_MODIFIED_FOLLOWING,
	O2C_CONV_PRECEDING,
	O2C_CONV_MODIFIED_PRECEDING
} O2cConvention;

typedef struct O2cCalendar O2cCalendar;

/*
 * The named calendar, cached in flinfo->fn_extra across calls of one
 * expression; 22023 naming it when it does not exist.
 */
extern const O2cCalendar *o2c_calendar_lookup(FmgrInfo *flinfo, text *name);
extern O2cConvention o2c_calendar_convention(const O2cCalendar *cal);
extern bool o2c_is_business_day(const O2cCalendar *cal, DateADT d);
extern DateADT o2c_adjust(const O2cCalendar *cal, DateADT d, O2cConvention conv);
extern O2cConvention o2c_convention_from_text(text *name);

/* 22008 unless d is a finite date inside PostgreSQL's range. */
extern DateADT o2c_check_date_result(int64 d);

#endif							/* O2C_CALENDAR_H */
