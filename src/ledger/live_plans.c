/*
 * live_plans.c — how o2c.ledger_track and o2c.ledger_rebuild run their
 * generated SQL, and the plans the trigger keeps for small statements.
 *
 * For a statement of a few rows (a payment posted alone), planning the
 * trigger's SQL cost four times running it: 5 ms a payment, 4 of them in
 * the planner. So while a trigger fires on transition tables of at most
 * LIVE_PLAN_ROWS rows, each query is prepared once per backend, tracked
 * table and text (the text names the transition tables and every column),
 * as a generic plan, and kept (core/keptplan.c). PostgreSQL invalidates a kept plan when a
 * table it reads changes, the tracked table included (a transition table
 * depends on it), or is analyzed; permissions are checked at every
 * execution. Larger statements are planned for their own row counts, as
 * before: a plan made for a few rows could be ruinous for a million.
 */
#include "postgres.h"

#include "live.h"

#include "core/keptplan.h"

#include "executor/spi.h"

/* The tracked table whose small statement is firing, or InvalidOid: plan each query afresh. */
static Oid	plans_relid = InvalidOid;

void
live_plans_use(Oid relid)
{
	plans_relid = relid;
}

void
live_spi_exec(const char *sql, int nparams, Oid *types, Datum *values, int expect)
{
	int			rc;

	if (OidIsValid(plans_relid))
		rc = SPI_execute_plan(o2c_kept_plan(plans_relid, sql, nparams, types, CURSOR_OPT_GENERIC_PLAN),
							  values, NULL, false, 0);
	else
		rc = SPI_execute_with_args(sql, nparams, types, values, NULL, false, 0);
	/* Anything unexpected is a bug. */
	if (rc != expect)
		elog(ERROR, "ledger_track: SPI_execute returned %d for: %s", rc, sql);
}
