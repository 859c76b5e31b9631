/*
 * live_plans.c — how o2c.ledger_track and o2c.ledger_rebuild run their
 * generated SQL, and the plans the trigger keeps for small statements.
 *
 * For a statement of a few rows (a payment posted alone), planning the
 * trigger's SQL cost four times running it: 5 ms a payment, 4 of them in
 * the planner. So while a trigger fires on transition tables of at most
 * LIVE_PLAN_ROWS rows, each query is prepared once per backend, tracked
 * table and text (the text names the transition tables and every column),
 * as a generic plan, and kept. PostgreSQL invalidates a kept plan when a
 * table it reads changes, the tracked table included (a transition table
 * depends on it), or is analyzed; permissions are checked at every
 * execution. Larger statements are planned for their own row counts, as
 * before: a plan made for a few rows could be ruinous for a million.
 */
#include "postgres.h"

#include "live.h"

#include "common/hashfn.h"
#include "executor/spi.h"
#include "utils/memutils.h"

/* At most this many kept plans; when full, they are all freed and kept afresh. */
#define LIVE_PLANS_MAX 64

typedef struct LivePlan
{
	Oid			relid;			/* the tracked table */
	uint32		hash;			/* of the text */
	char	   *sql;
	SPIPlanPtr	plan;
} LivePlan;

static LivePlan plans[LIVE_PLANS_MAX];
static int	nplans = 0;
static MemoryContext plans_cxt = NULL;
/* The tracked table whose small statement is firing, or InvalidOid: plan each query afresh. */
static Oid	plans_relid = InvalidOid;

void
live_plans_use(Oid relid)
{
	plans_relid = relid;
}

static void
plans_forget(void)
{
	for (int i = 0; i < nplans; i++)
		SPI_freeplan(plans[i].plan);
	nplans = 0;
	MemoryContextReset(plans_cxt);
}

static SPIPlanPtr
plan_for(const char *sql, int nparams, Oid *types)
{
	uint32		hash = hash_bytes((const unsigned char *) sql, strlen(sql));
	SPIPlanPtr	plan;

	for (int i = 0; i < nplans; i++)
		if (plans[i].relid == plans_relid && plans[i].hash == hash && strcmp(plans[i].sql, sql) == 0)
			return plans[i].plan;
	if (plans_cxt == NULL)
		plans_cxt = AllocSetContextCreate(TopMemoryContext, "ledger_track plans", ALLOCSET_SMALL_SIZES);
	if (nplans == LIVE_PLANS_MAX)
		plans_forget();
	plan = SPI_prepare_cursor(sql, nparams, types, CURSOR_OPT_GENERIC_PLAN);
	if (plan == NULL)
		elog(ERROR, "ledger_track: SPI_prepare returned %d for: %s", SPI_result, sql);
	if (SPI_keepplan(plan) != 0)
		elog(ERROR, "ledger_track: SPI_keepplan failed");
	plans[nplans].relid = plans_relid;
	plans[nplans].hash = hash;
	plans[nplans].sql = MemoryContextStrdup(plans_cxt, sql);
	plans[nplans].plan = plan;
	nplans++;
	return plan;
}

void
live_spi_exec(const char *sql, int nparams, Oid *types, Datum *values, int expect)
{
	int			rc;

	if (OidIsValid(plans_relid))
		rc = SPI_execute_plan(plan_for(sql, nparams, types), values, NULL, false, 0);
	else
		rc = SPI_execute_with_args(sql, nparams, types, values, NULL, false, 0);
	/* Anything unexpected is a bug. */
	if (rc != expect)
		elog(ERROR, "ledger_track: SPI_execute returned %d for: %s", rc, sql);
}
