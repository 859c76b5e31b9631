/*
 * live.h — live aging: the configuration of o2c.ledger_track triggers
 * (live_config.c) shared by the trigger and o2c.ledger_rebuild
 * (live_trigger.c).
 */
#ifndef O2C_LIVE_H
#define O2C_LIVE_H

#include "postgres.h"

#include "access/attnum.h"
#include "lib/stringinfo.h"
#include "utils/date.h"

/* The columns a tracked table maps; settlements use ID and AMOUNT only. */
typedef enum LiveCol
{
	LC_ID, LC_CUSTOMER, LC_DUE, LC_AMOUNT, LC_CURRENCY, LC_NCOLS
} LiveCol;

typedef struct LiveTable
{
	Oid			relid;
	char	   *relname;		/* for messages */
	char	   *qrel;			/* schema-qualified, quoted */
	bool		settlements;	/* role=settlements */
	char	   *ledger;
	char	   *col[LC_NCOLS];	/* quoted column names (NULL: not used) */
	char	   *colname[LC_NCOLS];
	char	   *coltype[LC_NCOLS];	/* the column's type, qualified */
	AttrNumber	att[LC_NCOLS];
	Oid			invoices_relid; /* settlements: the invoices= table */
	char	   *invoices_arg;
	int			nargs;			/* the trigger's arguments, for comparing */
	char	  **args;
} LiveTable;

/* One firing (or rebuild) of a ledger. */
typedef struct LiveCtx
{
	const char *sch;			/* o2c's schema, quoted */
	const char *ledger;
	LiveTable  *inv;
	LiveTable  *set;			/* NULL: no settlements tracked */
	DateADT		as_of;			/* the ledger's state date */
} LiveCtx;

/*
 * The INSERT of invoices in one pass of C over the transition table
 * (live_insert.c): the summary upserted per customer, the balances appended
 * to o2c.ledger_delta in compact form.
 */
struct TriggerData;
extern void live_insert_invoices(LiveCtx *c, struct TriggerData *td);
/*
 * One SPI statement of the trigger or the rebuild (live_plans.c): with its
 * plan kept while live_plans_use names a tracked table, planned afresh
 * while it names InvalidOid.
 */
extern void live_spi_exec(const char *sql, int nparams, Oid *types, Datum *values, int expect);
/* Statements of at most this many rows use kept plans. */
#define LIVE_PLAN_ROWS 100
extern void live_plans_use(Oid relid);

/*
 * The upsert of o2c.ledger_aging rows (alias t) shared by both paths: %s is
 * o2c's schema, twice, and the as_of parameter.
 */
#define LIVE_AGING_CONFLICT \
	"ON CONFLICT (ledger, customer_id, currency) DO UPDATE " \
	"SET current = t.current + excluded.current, d1_30 = t.d1_30 + excluded.d1_30, " \
	"d31_60 = t.d31_60 + excluded.d31_60, d61_90 = t.d61_90 + excluded.d61_90, " \
	"d91_plus = t.d91_plus + excluded.d91_plus, total = t.total + excluded.total, " \
	"overdue = t.overdue + excluded.overdue, items = t.items + excluded.items, " \
	"overdue_due_sum = t.overdue_due_sum + excluded.overdue_due_sum, " \
	"avg_days_past_due = %s.ledger_avg(t.overdue + excluded.overdue, " \
	"t.overdue_due_sum + excluded.overdue_due_sum, %s) "

/* Parse one trigger's arguments against its table; errors name the argument. */
extern LiveTable *live_parse(Oid relid, int nargs, char **args);

/*
 * The invoices and settlements tables of a ledger, from every ledger_track
 * trigger (function fnoid) in the catalog: *inv is NULL when no invoices
 * trigger names the ledger, *set when no settlements trigger does. Two
 * tables in one role, or triggers of one table that disagree, are errors.
 */
extern void live_resolve(Oid fnoid, const char *ledger, LiveTable **inv, LiveTable **set);

/* Errors unless the invoices table has a unique index on its id column. */
extern void live_check_invoices_index(const LiveTable *inv);
/* Errors unless the settlements table has an index led by its invoice column. */
extern void live_check_settlements_index(const LiveTable *set);

#endif							/* O2C_LIVE_H */
