/*
 * calendar.c — business calendars: is_business_day, add_business_days,
 * adjust, and the per-backend cache of o2c.calendar and o2c.holiday.
 *
 * A calendar is loaded once through SPI and kept in CacheMemoryContext.
 * Statement-level triggers on both tables call CacheInvalidateRelcacheByRelid
 * (plain DML sends no invalidation by itself), and a relcache callback bumps
 * a generation counter, so the next call in this session or any other one
 * reloads. Expressions keep their calendar in fn_extra, tagged with the
 * generation, so a row costs a compare, not a hash lookup.
 *
 * The calendar concern (src/calendar/), above core. Reads o2c.calendar and
 * o2c.holiday (the user's configuration); writes nothing.
 */
#include "postgres.h"

#include "core/o2c.h"
#include "calendar.h"

#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "storage/proc.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

/* How far adjust() looks for a business day before giving up. */
#define CAL_SEARCH_DAYS		366

/* add_business_days steps one day at a time: a bound keeps each call short. */
#define CAL_MAX_STEP		1000000

struct O2cCalendar
{
	char	   *name;
	uint8		weekend;		/* bit (ISO day - 1) set for weekend days */
	O2cConvention convention;	/* the calendar's default */
	int			nholidays;
	DateADT    *holidays;		/* sorted, distinct */
	DateADT		first,
				last;			/* holidays[0], holidays[n-1] */
	uint8	   *bitmap;			/* bit (d - first) set for holidays, or NULL */
};

/* Holidays spanning up to this many days get a bitmap (128 kB at most). */
#define CAL_BITMAP_MAX_DAYS	(1 << 20)

typedef struct CalEntry
{
	struct CalEntry *next;
	int			namelen;
	bool		txn_local;		/* built under a transaction snapshot */
	LocalTransactionId lxid;	/* ... of this transaction */
	O2cCalendar cal;
} CalEntry;

/* What an expression keeps in fn_extra. */
typedef struct CalRef
{
	uint64		generation;
	const CalEntry *entry;
	int			size;			/* bytes available in name */
	int			namelen;
	char		name[FLEXIBLE_ARRAY_MEMBER];
} CalRef;

static MemoryContext cal_cxt = NULL;
static CalEntry *cal_list = NULL;
static uint64 cal_generation = 1;
static uint64 cal_list_generation = 1;	/* generation cal_list belongs to */
static bool cal_callback_registered = false;
static Oid	cal_relids[2] = {InvalidOid, InvalidOid};

static const char *const convention_names[] = {
	"unadjusted", "following", "modified_following", "preceding", "modified_preceding"
};

PG_FUNCTION_INFO_V1(o2c_is_business_day_sql);
PG_FUNCTION_INFO_V1(o2c_add_business_days);
PG_FUNCTION_INFO_V1(o2c_adjust_sql);
PG_FUNCTION_INFO_V1(o2c_calendar_changed);

DateADT
o2c_check_date_result(int64 d)
{
	if (d < (int64) (DATETIME_MIN_JULIAN - POSTGRES_EPOCH_JDATE) ||
		d >= (int64) (DATE_END_JULIAN - POSTGRES_EPOCH_JDATE))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("date out of range")));
	return (DateADT) d;
}

static bool
convention_from_cstring(const char *s, size_t len, O2cConvention *out)
{
	int			i;

	for (i = 0; i < lengthof(convention_names); i++)
		if (strlen(convention_names[i]) == len &&
			pg_strncasecmp(convention_names[i], s, len) == 0)
		{
			*out = (O2cConvention) i;
			return true;
		}
	return false;
}

O2cConvention
o2c_convention_from_text(text *name)
{
	O2cConvention conv;
	O2cQuote	q;

	if (!convention_from_cstring(VARDATA_ANY(name), VARSIZE_ANY_EXHDR(name), &conv))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown business day convention: \"%s\"",
						o2c_quote(&q, VARDATA_ANY(name), VARSIZE_ANY_EXHDR(name))),
				 errhint("Use unadjusted, following, modified_following, preceding or modified_preceding.")));
	return conv;
}

/* Relcache callback: any change to o2c.calendar or o2c.holiday drops the cache. */
static void
cal_relcache_callback(Datum arg, Oid relid)
{
	if (relid == InvalidOid || relid == cal_relids[0] || relid == cal_relids[1])
		cal_generation++;		/* freed at the next look-up, not here */
}

/* Read one calendar through SPI into a new cache entry, or NULL if absent. */
static CalEntry *
cal_load(const char *name, int namelen)
{
	Oid			argtypes[1] = {TEXTOID};
	Datum		args[1];
	int			ret;
	CalEntry   *e = NULL;

	/* Register first, so an invalidation arriving during the query counts. */
	if (!cal_callback_registered)
	{
		CacheRegisterRelcacheCallback(cal_relcache_callback, (Datum) 0);
		cal_callback_registered = true;
	}
	/* Resolved on every load: the extension may have been re-created. */
	{
		Oid			nsp = get_namespace_oid("o2c", false);

		cal_relids[0] = get_relname_relid("calendar", nsp);
		cal_relids[1] = get_relname_relid("holiday", nsp);
	}
	if (cal_cxt == NULL)
		cal_cxt = AllocSetContextCreate(CacheMemoryContext, "o2c calendars",
										ALLOCSET_SMALL_SIZES);

	args[0] = PointerGetDatum(cstring_to_text_with_len(name, namelen));
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	ret = SPI_execute_with_args(
		"SELECT c.weekend::pg_catalog.int4[], c.convention, "
		"       ARRAY(SELECT h.day FROM o2c.holiday h "
		"             WHERE h.calendar OPERATOR(pg_catalog.=) c.name ORDER BY h.day) "
		"FROM o2c.calendar c WHERE c.name OPERATOR(pg_catalog.=) $1",
		1, argtypes, args, NULL, true, 1);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "calendar query failed: %d", ret);

	if (SPI_processed == 1)
	{
		HeapTuple	tup = SPI_tuptable->vals[0];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		bool		isnull;
		Datum		d;
		MemoryContext old;
		Datum	   *elems;
		bool	   *nulls;
		int			n,
					i,
					k;
		uint8		weekend = 0;
		O2cConvention conv = O2C_CONV_FOLLOWING;

		d = SPI_getbinval(tup, desc, 1, &isnull);
		if (!isnull)
		{
			deconstruct_array(DatumGetArrayTypeP(d), INT4OID, 4, true, TYPALIGN_INT,
							  &elems, &nulls, &n);
			for (i = 0; i < n; i++)
				if (!nulls[i] && DatumGetInt32(elems[i]) >= 1 && DatumGetInt32(elems[i]) <= 7)
					weekend |= (uint8) (1 << (DatumGetInt32(elems[i]) - 1));
		}
		d = SPI_getbinval(tup, desc, 2, &isnull);
		if (!isnull)
		{
			text	   *t = DatumGetTextPP(d);
			O2cQuote	qc,
						qn;

			if (!convention_from_cstring(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t), &conv))
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("unknown business day convention \"%s\" in calendar \"%s\"",
								o2c_quote(&qc, VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t)),
								o2c_quote(&qn, name, namelen))));
		}
		d = SPI_getbinval(tup, desc, 3, &isnull);
		deconstruct_array(DatumGetArrayTypeP(d), DATEOID, 4, true, TYPALIGN_INT,
						  &elems, &nulls, &n);

		old = MemoryContextSwitchTo(cal_cxt);
		e = palloc0(sizeof(CalEntry));
		e->cal.name = pnstrdup(name, namelen);
		e->namelen = namelen;
		e->cal.weekend = weekend;
		e->cal.convention = conv;
		e->cal.holidays = palloc(sizeof(DateADT) * Max(n, 1));
		for (i = 0, k = 0; i < n; i++)
		{
			DateADT		h = DatumGetDateADT(elems[i]);

			if (nulls[i] || (k > 0 && e->cal.holidays[k - 1] == h))
				continue;
			e->cal.holidays[k++] = h;
		}
		e->cal.nholidays = k;
		if (k > 0)
		{
			e->cal.first = e->cal.holidays[0];
			e->cal.last = e->cal.holidays[k - 1];
			/* A bitmap makes the per-row test O(1) instead of a search. */
			if ((int64) e->cal.last - e->cal.first < CAL_BITMAP_MAX_DAYS)
			{
				int64		span = (int64) e->cal.last - e->cal.first + 1;

				e->cal.bitmap = palloc0((span + 7) / 8);
				for (i = 0; i < k; i++)
				{
					int64		off = (int64) e->cal.holidays[i] - e->cal.first;

					e->cal.bitmap[off / 8] |= (uint8) (1 << (off % 8));
				}
			}
		}
		/* Under REPEATABLE READ the snapshot may predate a committed change. */
		e->txn_local = IsolationUsesXactSnapshot();
		e->lxid = O2C_MY_LXID();
		MemoryContextSwitchTo(old);
	}
	SPI_finish();
	return e;
}

const O2cCalendar *
o2c_calendar_lookup(FmgrInfo *flinfo, text *name)
{
	const char *s = VARDATA_ANY(name);
	int			len = VARSIZE_ANY_EXHDR(name);
	CalRef	   *ref = flinfo ? (CalRef *) flinfo->fn_extra : NULL;
	CalEntry   *e;

	if (ref != NULL && ref->generation == cal_generation && ref->namelen == len &&
		memcmp(ref->name, s, len) == 0 &&
		(!ref->entry->txn_local || ref->entry->lxid == O2C_MY_LXID()))
		return &ref->entry->cal;

	if (cal_list_generation != cal_generation)
	{
		cal_list = NULL;
		if (cal_cxt != NULL)
			MemoryContextReset(cal_cxt);
		cal_list_generation = cal_generation;
	}
	for (e = cal_list; e != NULL; e = e->next)
		if (e->namelen == len && memcmp(e->cal.name, s, len) == 0)
			break;
	if (e != NULL && e->txn_local && e->lxid != O2C_MY_LXID())
	{
		/* Stale snapshot: start over. */
		cal_generation++;
		return o2c_calendar_lookup(flinfo, name);
	}
	if (e == NULL)
	{
		uint64		before;
		int			tries = 0;

		/*
		 * A change committed while the query ran (seen when it took its
		 * locks) may be missing from its snapshot: load again.
		 */
		do
		{
			before = cal_generation;
			e = cal_load(s, len);
		} while (before != cal_generation && ++tries < 3);
		if (e == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("unknown calendar: \"%s\"", o2c_quote(&(O2cQuote) {{0}}, s, len)),
					 errhint("Add it to o2c.calendar first.")));
		/* Loading may have processed an invalidation: start the list anew then. */
		if (cal_list_generation != cal_generation)
		{
			cal_list = NULL;
			cal_list_generation = cal_generation;
		}
		e->next = cal_list;
		cal_list = e;
	}
	if (flinfo != NULL)
	{
		if (ref == NULL || ref->size < len)
		{
			ref = MemoryContextAlloc(flinfo->fn_mcxt, offsetof(CalRef, name) + len + 1);
			ref->size = len;
			flinfo->fn_extra = ref;
		}
		ref->generation = cal_generation;
		ref->entry = e;
		ref->namelen = len;
		memcpy(ref->name, s, len);
	}
	return &e->cal;
}

O2cConvention
o2c_calendar_convention(const O2cCalendar *cal)
{
	return cal->convention;
}

static inline int
iso_dow(DateADT d)
{
	/* 2000-01-01 (day 0) was a Saturday, ISO day 6. */
	return (int) (((int64) d % 7 + 7 + 5) % 7) + 1;
}

bool
o2c_is_business_day(const O2cCalendar *cal, DateADT d)
{
	int			lo,
				hi;

	if (cal->weekend & (1 << (iso_dow(d) - 1)))
		return false;
	if (cal->nholidays == 0 || d < cal->first || d > cal->last)
		return true;
	if (cal->bitmap != NULL)
	{
		uint32		off = (uint32) (d - cal->first);

		return (cal->bitmap[off / 8] & (1 << (off % 8))) == 0;
	}
	lo = 0;
	hi = cal->nholidays - 1;
	while (lo <= hi)
	{
		int			mid = (lo + hi) / 2;

		if (cal->holidays[mid] == d)
			return false;
		if (cal->holidays[mid] < d)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return true;
}

/* The first business day at or after (dir 1) or before (dir -1) d. */
static DateADT
roll(const O2cCalendar *cal, DateADT d, int dir)
{
	int			i;
	DateADT		start = d;

	for (i = 0; i <= CAL_SEARCH_DAYS; i++)
	{
		if (o2c_is_business_day(cal, d))
			return d;
		d = o2c_check_date_result((int64) d + dir);
	}
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("calendar \"%s\" has no business day within a year %s %s",
					o2c_quote_cstr(cal->name), dir > 0 ? "after" : "before",
					DatumGetCString(DirectFunctionCall1(date_out, DateADTGetDatum(start)))),
			 errhint("Check the weekend days and holidays of the calendar.")));
	return d;					/* not reached */
}

static inline int
month_of(DateADT d)
{
	int			y,
				m,
				day;

	j2date(d + POSTGRES_EPOCH_JDATE, &y, &m, &day);
	return y * 12 + m;
}

DateADT
o2c_adjust(const O2cCalendar *cal, DateADT d, O2cConvention conv)
{
	DateADT		r;

	switch (conv)
	{
		case O2C_CONV_UNADJUSTED:
			return d;
		case O2C_CONV_FOLLOWING:
			return roll(cal, d, 1);
		case O2C_CONV_PRECEDING:
			return roll(cal, d, -1);
		case O2C_CONV_MODIFIED_FOLLOWING:
			r = roll(cal, d, 1);
			return month_of(r) == month_of(d) ? r : roll(cal, d, -1);
		case O2C_CONV_MODIFIED_PRECEDING:
			r = roll(cal, d, -1);
			return month_of(r) == month_of(d) ? r : roll(cal, d, 1);
	}
	elog(ERROR, "unknown convention %d", (int) conv);
	return d;
}

Datum
o2c_is_business_day_sql(PG_FUNCTION_ARGS)
{
	DateADT		d = PG_GETARG_DATEADT(0);
	const O2cCalendar *cal;

	o2c_check_finite_date(d, "date");
	cal = o2c_calendar_lookup(fcinfo->flinfo, PG_GETARG_TEXT_PP(1));
	PG_RETURN_BOOL(o2c_is_business_day(cal, d));
}

/*
 * n business days from d, counting from d itself as WORKDAY and QuantLib's
 * advance do: Saturday + 1 is Monday, Saturday - 1 is Friday; n = 0 rolls d
 * forward to a business day.
 */
Datum
o2c_add_business_days(PG_FUNCTION_ARGS)
{
	DateADT		d = PG_GETARG_DATEADT(0);
	int32		n = PG_GETARG_INT32(1);
	const O2cCalendar *cal;
	int			dir = n < 0 ? -1 : 1;
	int64		left = n < 0 ? -(int64) n : n;

	o2c_check_finite_date(d, "date");
	if (left > CAL_MAX_STEP)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("business day count %d out of range", n),
				 errdetail("At most %d business days forward or back.", CAL_MAX_STEP)));
	cal = o2c_calendar_lookup(fcinfo->flinfo, PG_GETARG_TEXT_PP(2));
	if (n == 0)
		PG_RETURN_DATEADT(roll(cal, d, 1));
	while (left-- > 0)
	{
		CHECK_FOR_INTERRUPTS();
		d = roll(cal, o2c_check_date_result((int64) d + dir), dir);
	}
	PG_RETURN_DATEADT(d);
}

Datum
o2c_adjust_sql(PG_FUNCTION_ARGS)
{
	DateADT		d = PG_GETARG_DATEADT(0);
	O2cConvention conv = o2c_convention_from_text(PG_GETARG_TEXT_PP(2));
	const O2cCalendar *cal;

	o2c_check_finite_date(d, "date");
	cal = o2c_calendar_lookup(fcinfo->flinfo, PG_GETARG_TEXT_PP(1));
	PG_RETURN_DATEADT(o2c_adjust(cal, d, conv));
}

/*
 * Statement trigger on o2c.calendar and o2c.holiday: send a relcache
 * invalidation for the table, which reaches this session at the end of the
 * command and others when the transaction commits.
 */
Datum
o2c_calendar_changed(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("o2c.calendar_changed() must be called as a trigger")));
	CacheInvalidateRelcacheByRelid(RelationGetRelid(trigdata->tg_relation));
	return PointerGetDatum(NULL);
}
