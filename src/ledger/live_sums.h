/*
 * live_sums.h — per customer and currency, the five buckets of o2c.aging
 * (with the total, overdue and the due-weighted sum behind the average days
 * past due) of a set of balances as of a date: how o2c.ledger_pending_summary
 * sums the inserts not yet folded in (live_pending.c).
 */
#ifndef O2C_LIVE_SUMS_H
#define O2C_LIVE_SUMS_H

#include "postgres.h"

#include "core/keymap.h"
#include "core/o2c.h"

#include "utils/date.h"
#include "utils/numeric.h"

/* An entry's exact sums, once a value does not fit its fast ones. */
typedef struct SumExact
{
	O2cSum		b[5];			/* current, 1-30, 31-60, 61-90, 91+ */
	O2cSum		w;				/* sum of open * (due - 2000-01-01) when overdue */
	int64		items;
} SumExact;

/*
 * The sums of one customer and currency, indexed as its key (customer '\0'
 * currency) in the keymap of LiveSums. The sums are 64-bit
 * integers of 10^-scale, so an entry is one cache line and a row touches
 * just that line; the first value that does not fit (a scale beyond 8, an
 * overflow, a numeric beyond the fast range) moves the entry to exact sums.
 */
typedef struct SumEntry
{
	int64		b[5];
	int64		w;
	int32		items;
	int16		scale;			/* of b and w: the largest display scale added */
	int16		wscale;			/* the largest added to w, -1 if none */
	SumExact   *exact;			/* NULL while the fast sums hold */
} SumEntry;

/* The sums of many customers: keys in the keymap, sums in entries[]. */
typedef struct LiveSums
{
	O2cKeyMap  *keys;
	SumEntry   *entries;
	int32		cap;
	DateADT		as_of;			/* the date the buckets are aged as of */
	MemoryContext cxt;			/* where the map and the sums grow */
} LiveSums;

/* The values of an entry as o2c.ledger_aging holds them. */
#define LIVE_SUM_VALUES 8		/* five buckets, total, overdue, overdue_due_sum */

extern void live_sums_init(LiveSums *s, DateADT as_of, MemoryContext cxt);
/*
 * The index of a customer and currency (key customer '\0' currency, hash its
 * o2c_keymap_hash), entered when new.
 */
extern int32 live_sums_enter(LiveSums *s, const char *key, size_t len, uint32 hash);
/* Fetches an entry's lines ahead of live_sums_add. */
extern void live_sums_prefetch(const LiveSums *s, int32 idx);
/* Adds a balance (units of 10^-8 and display scale, or num) due on due. */
extern void live_sums_add(LiveSums *s, int32 idx, DateADT due, int128 units, int32 dscale, Numeric num, int items);
/* An entry's items: 0 when all its amounts were zero. */
extern int64 live_sums_items(const LiveSums *s, int32 idx);
/* An entry's values, each shown with the entry's largest display scale as o2c.aging shows them. */
extern void live_sums_values(LiveSums *s, int32 idx, Datum values[LIVE_SUM_VALUES], int64 *items);

#endif							/* O2C_LIVE_SUMS_H */
