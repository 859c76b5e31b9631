/*
 * live_trigger.c — o2c.ledger_track(), the statement trigger that keeps a
 * live ledger (o2c.ledger_balance per customer, currency and due date, and
 * o2c.ledger_aging per customer and currency as of o2c.ledger_state.as_of)
 * equal to the aging of the tracked tables' current book: every invoice's
 * amount less the sum of all its settlements. And o2c.ledger_rebuild().
 *
 * An INSERT of invoices is one pass of C over the transition table that
 * appends its balances to o2c.ledger_delta (live_insert.c), folded in later
 * by o2c.ledger_compact. Every other
 * firing is set-based SQL over the transition tables (SPI): the
 * statement's changes become deltas of open amount and of open-invoice
 * count per (customer, currency, due date), which are upserted in key order,
 * so two concurrent statements lock the same rows in the same order. An
 * invoice's open amount is not stored: when it is needed (an invoice
 * changed, a settlement changed) its settled total is looked up in the
 * settlements table, by an index that the trigger requires. Settlement
 * changes lock their invoices' rows (FOR NO KEY UPDATE, in id order) before
 * they look, so an invoice's settlements and the invoice itself are never
 * changed by two transactions at once and each lookup sees the other's
 * committed rows (READ COMMITTED; SERIALIZABLE detects the rest).
 *
 * A settlement must name an existing invoice and an invoice that has
 * settlements cannot be deleted (nor its id changed): errors naming it, as
 * with a foreign key. The firing reads the ledger's state row FOR SHARE, so
 * it never buckets against a date o2c.ledger_roll (FOR UPDATE) is moving,
 * except an INSERT of invoices: its chunk buckets nothing, and compaction
 * folds and deletes only the chunks it has read, so a load of new invoices
 * neither waits for a roll or compaction nor holds one up.
 */
#include "postgres.h"

#include "live.h"

#include "core/capture.h"
#include "core/o2c.h"

#include "access/xact.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"
#include "utils/tuplestore.h"

PG_FUNCTION_INFO_V1(o2c_ledger_track);
PG_FUNCTION_INFO_V1(o2c_ledger_rebuild);

/* SQL of a numeric amount that is not a finite number. */
#define NOT_FINITE(x) "(" x ")::numeric IN ('NaN', 'Infinity', '-Infinity')"

static Datum
spi_value(int row, int col, bool *isnull)
{
	return SPI_getbinval(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, col, isnull);
}

static char *
spi_text(int row, int col)
{
	char	   *s = SPI_getvalue(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, col);

	return s == NULL ? "NULL" : s;
}

/* How a firing holds the ledger's state row (lock_state). */
typedef enum StateLock
{
	STATE_READ,					/* not at all: an INSERT of invoices */
	STATE_SHARE,				/* against a roll or compaction: every other change */
	STATE_UPDATE				/* against every writer but inserts: a rebuild */
} StateLock;

/*
 * Read the ledger's state, creating it (as of today) at the ledger's first
 * write, and lock it as mode says.
 */
static DateADT
lock_state(LiveCtx *c, StateLock mode)
{
	Oid			types[1] = {TEXTOID};
	Datum		values[1] = {CStringGetTextDatum(c->ledger)};
	char	   *sel = psprintf("SELECT as_of FROM %s.ledger_state WHERE ledger = $1%s", c->sch,
							   mode == STATE_UPDATE ? " FOR UPDATE" : mode == STATE_SHARE ? " FOR SHARE" : "");
	bool		isnull;

	live_spi_exec(sel, 1, types, values, SPI_OK_SELECT);
	if (SPI_processed == 0)
	{
		live_spi_exec(psprintf("INSERT INTO %s.ledger_state (ledger, as_of) VALUES ($1, current_date) "
						  "ON CONFLICT (ledger) DO NOTHING", c->sch),
				 1, types, values, SPI_OK_INSERT);
		live_spi_exec(sel, 1, types, values, SPI_OK_SELECT);
		if (SPI_processed == 0)
			elog(ERROR, "ledger_track: state of ledger \"%s\" vanished", c->ledger);
	}
	return DatumGetDateADT(spi_value(0, 1, &isnull));
}

/* The settled total of the invoice whose id is expression idexpr. */
static char *
settled_sql(LiveCtx *c, const char *idexpr)
{
	if (c->set == NULL)
		return pstrdup("0::numeric");
	return psprintf("(SELECT COALESCE(sum((s.%s)::numeric), 0) FROM %s s WHERE s.%s = (%s)::%s)",
					c->set->col[LC_AMOUNT], c->set->qrel, c->set->col[LC_ID], idexpr,
					c->set->coltype[LC_ID]);
}

/*
 * Rows (c, k, d, o, n, bad) of one invoice side: customer, currency, due
 * date, sign * open amount, sign * (open <> 0), and whether the row lacks
 * what tracking needs. With lookup, open is amount less the settled total.
 */
static void
invoice_rows(StringInfo buf, LiveCtx *c, const char *from, int sign, bool lookup)
{
	LiveTable  *i = c->inv;
	char	   *open = lookup ? psprintf("(r.%s)::numeric - %s", i->col[LC_AMOUNT],
										 settled_sql(c, psprintf("r.%s", i->col[LC_ID]))) :
		psprintf("(r.%s)::numeric", i->col[LC_AMOUNT]);

	appendStringInfo(buf,
					 "SELECT (r.%s)::text AS c, (r.%s)::text AS k, r.%s AS d, %s(x.o) AS o, "
					 "%s(x.o <> 0)::int AS n, "
					 "(r.%s IS NULL OR r.%s IS NULL OR r.%s IS NULL OR r.%s IS NULL OR NOT isfinite(r.%s) OR "
					 NOT_FINITE("r.%s") ") AS bad "
					 "FROM %s r CROSS JOIN LATERAL (SELECT %s AS o) x",
					 i->col[LC_CUSTOMER], i->col[LC_CURRENCY], i->col[LC_DUE],
					 sign < 0 ? "-" : "", sign < 0 ? "-" : "",
					 i->col[LC_CUSTOMER], i->col[LC_CURRENCY], i->col[LC_DUE], i->col[LC_AMOUNT],
					 i->col[LC_DUE], i->col[LC_AMOUNT], from, open);
}

/*
 * Apply the deltas of query d (rows c, k, d, o, n, bad) to the ledger: one
 * statement upserting the balances and the summary in key order, then the
 * rows left with no open invoice are deleted. Returns whether a row was bad
 * (the caller then names it and raises).
 */
static bool
apply_deltas(LiveCtx *c, const char *delta)
{
	StringInfoData q;
	Oid			types[2] = {TEXTOID, DATEOID};
	Datum		values[2] = {CStringGetTextDatum(c->ledger), DateADTGetDatum(c->as_of)};
	bool		isnull;
	int64		nbad;

	initStringInfo(&q);
	appendStringInfo(&q,
					 "WITH d AS (%s), "
					 "g AS (SELECT c, k, d, sum(o) AS o, sum(n) AS n, bool_or(bad) AS bad FROM d GROUP BY c, k, d), "
					 "good AS (SELECT c, k, d, o, n FROM g WHERE NOT bad AND (o <> 0 OR n <> 0)), "
					 "b AS (INSERT INTO %s.ledger_balance AS t (ledger, customer_id, currency, due_date, open_amount, items) "
					 "  SELECT $1, c, k, d, o, n FROM good ORDER BY c COLLATE \"C\", k COLLATE \"C\", d "
					 "  ON CONFLICT (ledger, customer_id, currency, due_date) DO UPDATE "
					 "  SET open_amount = t.open_amount + excluded.open_amount, items = t.items + excluded.items "
					 "  RETURNING customer_id, currency, due_date, open_amount, items), "
					 "a AS (INSERT INTO %s.ledger_aging AS t (ledger, customer_id, currency, current, d1_30, d31_60, "
					 "      d61_90, d91_plus, total, overdue, items, avg_days_past_due, overdue_due_sum) "
					 "  SELECT $1, c, k, round(b0, s), round(b1, s), round(b2, s), round(b3, s), round(b4, s), "
					 "    round(b0 + od, s), round(od, s), n, %s.ledger_avg(od, w, $2), w "
					 "  FROM (SELECT c, k, "
					 "    COALESCE(sum(o) FILTER (WHERE $2 - d <= 0), 0) AS b0, "
					 "    COALESCE(sum(o) FILTER (WHERE $2 - d BETWEEN 1 AND 30), 0) AS b1, "
					 "    COALESCE(sum(o) FILTER (WHERE $2 - d BETWEEN 31 AND 60), 0) AS b2, "
					 "    COALESCE(sum(o) FILTER (WHERE $2 - d BETWEEN 61 AND 90), 0) AS b3, "
					 "    COALESCE(sum(o) FILTER (WHERE $2 - d > 90), 0) AS b4, "
					 "    COALESCE(sum(o) FILTER (WHERE $2 - d > 0), 0) AS od, "
					 "    sum(n) AS n, COALESCE(sum(o * (d - DATE '2000-01-01')) FILTER (WHERE $2 - d > 0), 0) AS w, "
					 "    max(scale(o)) AS s "
					 "    FROM good GROUP BY c, k) x ORDER BY c COLLATE \"C\", k COLLATE \"C\" "
					 LIVE_AGING_CONFLICT
					 "  RETURNING customer_id, currency, items) "
					 "SELECT (SELECT count(*) FROM g WHERE bad), "
					 "  (SELECT array_agg(customer_id) FROM b WHERE items = 0 AND open_amount = 0), "
					 "  (SELECT array_agg(currency) FROM b WHERE items = 0 AND open_amount = 0), "
					 "  (SELECT array_agg(due_date) FROM b WHERE items = 0 AND open_amount = 0), "
					 "  (SELECT array_agg(customer_id) FROM a WHERE items = 0), "
					 "  (SELECT array_agg(currency) FROM a WHERE items = 0)",
					 delta, c->sch, c->sch, c->sch, c->sch, "$2");
	live_spi_exec(q.data, 2, types, values, SPI_OK_SELECT);
	nbad = DatumGetInt64(spi_value(0, 1, &isnull));
	if (nbad > 0)
		return true;

	/*
	 * Rows with no open invoice left go. A summary row's amounts are 0 then
	 * unless inserts not yet folded in (o2c.ledger_delta) hold the
	 * rest of its items: it stays until o2c.ledger_compact adds them.
	 */
	{
		Datum		bv[4] = {values[0], 0, 0, 0};
		Datum		av[3] = {values[0], 0, 0};
		Oid			bt[4] = {TEXTOID, TEXTARRAYOID, TEXTARRAYOID, DATEARRAYOID};
		Oid			at[3] = {TEXTOID, TEXTARRAYOID, TEXTARRAYOID};
		bool		bnull,
					anull;

		/* The tuple table stays until SPI_finish: its values outlive the next query. */
		bv[1] = spi_value(0, 2, &bnull);
		bv[2] = spi_value(0, 3, &isnull);
		bv[3] = spi_value(0, 4, &isnull);
		av[1] = spi_value(0, 5, &anull);
		av[2] = spi_value(0, 6, &isnull);
		if (!bnull)
			live_spi_exec(psprintf("DELETE FROM %s.ledger_balance WHERE ledger = $1 AND items = 0 AND open_amount = 0 "
							  "AND (customer_id, currency, due_date) IN (SELECT * FROM unnest($2, $3, $4))",
							  c->sch), 4, bt, bv, SPI_OK_DELETE);
		if (!anull)
			live_spi_exec(psprintf("DELETE FROM %s.ledger_aging WHERE ledger = $1 AND items = 0 "
							  "AND current = 0 AND d1_30 = 0 AND d31_60 = 0 AND d61_90 = 0 AND d91_plus = 0 "
							  "AND overdue_due_sum = 0 "
							  "AND (customer_id, currency) IN (SELECT * FROM unnest($2, $3))",
							  c->sch), 3, at, av, SPI_OK_DELETE);
	}
	return false;
}

/* Name the first invoice row of table `from` that tracking cannot take. */
static void
raise_bad_invoice(LiveCtx *c, const char *from, bool must)
{
	LiveTable  *i = c->inv;
	const char *what;
	int			code;
	char	   *id;

	live_spi_exec(psprintf("SELECT (r.%s)::text, r.%s IS NULL, r.%s IS NULL, r.%s IS NULL, r.%s IS NULL, "
					  "NOT isfinite(r.%s), " NOT_FINITE("r.%s") ", (r.%s)::text "
					  "FROM %s r WHERE r.%s IS NULL OR r.%s IS NULL OR r.%s IS NULL OR r.%s IS NULL "
					  "OR NOT isfinite(r.%s) OR " NOT_FINITE("r.%s") " LIMIT 1",
					  i->col[LC_ID], i->col[LC_CUSTOMER], i->col[LC_CURRENCY], i->col[LC_DUE],
					  i->col[LC_AMOUNT], i->col[LC_DUE], i->col[LC_AMOUNT], i->col[LC_AMOUNT], from,
					  i->col[LC_CUSTOMER], i->col[LC_CURRENCY], i->col[LC_DUE], i->col[LC_AMOUNT],
					  i->col[LC_DUE], i->col[LC_AMOUNT]),
			 0, NULL, NULL, SPI_OK_SELECT);
	if (SPI_processed == 0)
	{
		if (!must)
			return;
		elog(ERROR, "ledger_track: a bad invoice row was counted but not found");
	}
	id = spi_text(0, 1);
	code = ERRCODE_NOT_NULL_VIOLATION;
	if (strcmp(spi_text(0, 2), "t") == 0)
		what = psprintf("a null %s (column \"%s\")", "customer_id", i->colname[LC_CUSTOMER]);
	else if (strcmp(spi_text(0, 3), "t") == 0)
		what = psprintf("a null %s (column \"%s\")", "currency", i->colname[LC_CURRENCY]);
	else if (strcmp(spi_text(0, 4), "t") == 0)
		what = psprintf("a null %s (column \"%s\")", "due_date", i->colname[LC_DUE]);
	else if (strcmp(spi_text(0, 5), "t") == 0)
		what = psprintf("a null %s (column \"%s\")", "amount", i->colname[LC_AMOUNT]);
	else if (strcmp(spi_text(0, 6), "t") == 0)
	{
		code = ERRCODE_DATETIME_VALUE_OUT_OF_RANGE;
		what = psprintf("an infinite due date (column \"%s\")", i->colname[LC_DUE]);
	}
	else
	{
		code = ERRCODE_INVALID_PARAMETER_VALUE;
		what = psprintf("an amount that is not a finite number: \"%s\"", spi_text(0, 8));
	}
	ereport(ERROR,
			(errcode(code),
			 errmsg("invoice \"%s\" has %s", o2c_quote_cstr(id), what),
			 errdetail("Table %s is tracked by ledger \"%s\", which needs a customer, currency, finite due date and finite amount on every invoice.",
					   i->qrel, o2c_quote_cstr(c->ledger))));
}

/* Name the first settlement that tracking cannot take. */
static void
raise_bad_settlement(LiveCtx *c, const char *newt, const char *oldt)
{
	LiveTable  *s = c->set;
	LiveTable  *i = c->inv;
	StringInfoData q;
	char	   *id;

	initStringInfo(&q);
	appendStringInfo(&q, "SELECT (r.%s)::text, r.%s IS NULL, r.%s IS NULL, " NOT_FINITE("r.%s") ", "
					 "NOT EXISTS (SELECT 1 FROM %s i WHERE i.%s = (r.%s)::%s), r.side, (r.%s)::text FROM (",
					 s->col[LC_ID], s->col[LC_ID], s->col[LC_AMOUNT], s->col[LC_AMOUNT],
					 i->qrel, i->col[LC_ID], s->col[LC_ID], i->coltype[LC_ID], s->col[LC_AMOUNT]);
	if (newt)
		appendStringInfo(&q, "SELECT %s, %s, 1 AS side FROM %s", s->col[LC_ID], s->col[LC_AMOUNT], newt);
	if (newt && oldt)
		appendStringInfoString(&q, " UNION ALL ");
	if (oldt)
		appendStringInfo(&q, "SELECT %s, %s, 2 AS side FROM %s", s->col[LC_ID], s->col[LC_AMOUNT], oldt);
	appendStringInfo(&q, ") r WHERE (r.side = 1 AND (r.%s IS NULL OR r.%s IS NULL OR " NOT_FINITE("r.%s") ")) "
					 "OR NOT EXISTS (SELECT 1 FROM %s i WHERE i.%s = (r.%s)::%s) "
					 "ORDER BY r.side, 1 LIMIT 1",
					 s->col[LC_ID], s->col[LC_AMOUNT], s->col[LC_AMOUNT],
					 i->qrel, i->col[LC_ID], s->col[LC_ID], i->coltype[LC_ID]);
	live_spi_exec(q.data, 0, NULL, NULL, SPI_OK_SELECT);
	if (SPI_processed == 0)
		elog(ERROR, "ledger_track: a bad settlement row was counted but not found");
	id = spi_text(0, 1);
	if (strcmp(spi_text(0, 2), "t") == 0)
		ereport(ERROR,
				(errcode(ERRCODE_NOT_NULL_VIOLATION),
				 errmsg("settlement with a null invoice_id (column \"%s\" of table %s)",
						s->colname[LC_ID], s->qrel)));
	if (strcmp(spi_text(0, 3), "t") == 0)
		ereport(ERROR,
				(errcode(ERRCODE_NOT_NULL_VIOLATION),
				 errmsg("settlement of invoice \"%s\" has a null amount (column \"%s\" of table %s)",
						o2c_quote_cstr(id), s->colname[LC_AMOUNT], s->qrel)));
	if (strcmp(spi_text(0, 4), "t") == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("settlement of invoice \"%s\" has an amount that is not a finite number: \"%s\"",
						o2c_quote_cstr(id), spi_text(0, 7))));
	if (strcmp(spi_text(0, 6), "1") == 0)
		ereport(ERROR,
				(errcode(ERRCODE_FOREIGN_KEY_VIOLATION),
				 errmsg("settlement for unknown invoice \"%s\"", o2c_quote_cstr(id)),
				 errdetail("Table %s has no invoice \"%s\" in column \"%s\" (ledger \"%s\").",
						   i->qrel, o2c_quote_cstr(id), i->colname[LC_ID], o2c_quote_cstr(c->ledger))));
	ereport(ERROR,
			(errcode(ERRCODE_FOREIGN_KEY_VIOLATION),
			 errmsg("settlement of invoice \"%s\" changed after the invoice was deleted", o2c_quote_cstr(id)),
			 errdetail("Table %s has no invoice \"%s\" any more (ledger \"%s\").",
					   i->qrel, o2c_quote_cstr(id), o2c_quote_cstr(c->ledger)),
			 errhint("Delete an invoice's settlements before the invoice, not by a cascade from it.")));
}

/* Error when an invoice among `ids` (a query of one column) has settlements. */
static void
check_no_settlements(LiveCtx *c, const char *ids)
{
	if (c->set == NULL)
		return;
	live_spi_exec(psprintf("SELECT (x.id)::text FROM (%s) x(id) WHERE EXISTS "
					  "(SELECT 1 FROM %s s WHERE s.%s = (x.id)::%s) LIMIT 1",
					  ids, c->set->qrel, c->set->col[LC_ID], c->set->coltype[LC_ID]),
			 0, NULL, NULL, SPI_OK_SELECT);
	if (SPI_processed > 0)
		ereport(ERROR,
				(errcode(ERRCODE_FOREIGN_KEY_VIOLATION),
				 errmsg("invoice \"%s\" still has settlements", o2c_quote_cstr(spi_text(0, 1))),
				 errdetail("Table %s holds settlements of it (ledger \"%s\"); an invoice with settlements can be neither deleted nor given another id.",
						   c->set->qrel, o2c_quote_cstr(c->ledger)),
				 errhint("Delete or move its settlements first.")));
}

/* Recompute the ledger from the tracked tables (balances, then summary). */
static int64
rebuild(LiveCtx *c)
{
	LiveTable  *i = c->inv;
	Oid			types[2] = {TEXTOID, DATEOID};
	Datum		values[2] = {CStringGetTextDatum(c->ledger), DateADTGetDatum(c->as_of)};
	StringInfoData q;
	int64		n;

	if (c->set != NULL)
	{
		live_spi_exec(psprintf("SELECT (s.%s)::text FROM %s s WHERE s.%s IS NOT NULL AND NOT EXISTS "
						  "(SELECT 1 FROM %s i WHERE i.%s = (s.%s)::%s) LIMIT 1",
						  c->set->col[LC_ID], c->set->qrel, c->set->col[LC_ID], i->qrel, i->col[LC_ID],
						  c->set->col[LC_ID], i->coltype[LC_ID]),
				 0, NULL, NULL, SPI_OK_SELECT);
		if (SPI_processed > 0)
			ereport(ERROR,
					(errcode(ERRCODE_FOREIGN_KEY_VIOLATION),
					 errmsg("settlement for unknown invoice \"%s\"", o2c_quote_cstr(spi_text(0, 1))),
					 errdetail("Table %s has no such invoice (ledger \"%s\").", i->qrel, o2c_quote_cstr(c->ledger))));
		live_spi_exec(psprintf("SELECT 1 FROM %s s WHERE s.%s IS NULL OR s.%s IS NULL OR " NOT_FINITE("s.%s") " LIMIT 1",
						  c->set->qrel, c->set->col[LC_ID], c->set->col[LC_AMOUNT], c->set->col[LC_AMOUNT]),
				 0, NULL, NULL, SPI_OK_SELECT);
		if (SPI_processed > 0)
			raise_bad_settlement(c, c->set->qrel, NULL);
	}
	live_spi_exec(psprintf("DELETE FROM %s.ledger_balance WHERE ledger = $1", c->sch), 1, types, values, SPI_OK_DELETE);

	/*
	 * The pending chunks go in the statement that reads the invoices: in its
	 * snapshot. Inserts do not wait for a rebuild, and a chunk committed
	 * after the snapshot must stay, one committed before must go.
	 */
	initStringInfo(&q);
	appendStringInfo(&q, "WITH del AS (DELETE FROM %s.ledger_delta WHERE ledger = $1), ", c->sch);
	appendStringInfo(&q, "d AS (SELECT (r.%s)::text AS c, (r.%s)::text AS k, r.%s AS d, "
					 "(r.%s)::numeric - COALESCE(st.v, 0) AS o, "
					 "(r.%s IS NULL OR r.%s IS NULL OR r.%s IS NULL OR r.%s IS NULL OR NOT isfinite(r.%s) OR "
					 NOT_FINITE("r.%s") ") AS bad FROM %s r ",
					 i->col[LC_CUSTOMER], i->col[LC_CURRENCY], i->col[LC_DUE], i->col[LC_AMOUNT],
					 i->col[LC_CUSTOMER], i->col[LC_CURRENCY], i->col[LC_DUE], i->col[LC_AMOUNT],
					 i->col[LC_DUE], i->col[LC_AMOUNT], i->qrel);
	if (c->set != NULL)
		appendStringInfo(&q, "LEFT JOIN (SELECT s.%s AS id, sum((s.%s)::numeric) AS v FROM %s s GROUP BY 1) st "
						 "ON st.id = (r.%s)::%s",
						 c->set->col[LC_ID], c->set->col[LC_AMOUNT], c->set->qrel, i->col[LC_ID],
						 c->set->coltype[LC_ID]);
	else
		appendStringInfoString(&q, "CROSS JOIN (SELECT NULL::numeric AS v) st");
	appendStringInfo(&q, "), "
					 "ins AS (INSERT INTO %s.ledger_balance (ledger, customer_id, currency, due_date, open_amount, items) "
					 "  SELECT $1, c, k, d, sum(o), count(*) FROM d WHERE NOT bad AND o <> 0 "
					 "  GROUP BY c, k, d ORDER BY c COLLATE \"C\", k COLLATE \"C\", d RETURNING 1) "
					 "SELECT (SELECT count(*) FROM d WHERE bad), (SELECT count(*) FROM ins)", c->sch);
	live_spi_exec(q.data, 2, types, values, SPI_OK_SELECT);
	{
		bool		isnull;

		if (DatumGetInt64(spi_value(0, 1, &isnull)) > 0)
			raise_bad_invoice(c, i->qrel, true);
		n = DatumGetInt64(spi_value(0, 2, &isnull));
	}
	live_spi_exec(psprintf("SELECT %s.ledger_summarize($1, $2)", c->sch), 2, types, values, SPI_OK_SELECT);
	return n;
}

O2C_NORETURN_BEFORE static void refuse_writer(LiveCtx *c, const char *use, const char *lacks,
											 const char *grant) O2C_NORETURN_AFTER;

/* The writer lacks privileges (lacks) on what the triggers use; grant gives them. */
static void
refuse_writer(LiveCtx *c, const char *use, const char *lacks, const char *grant)
{
	const char *role = GetUserNameFromId(GetUserId(), false);

	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("role \"%s\" cannot keep ledger \"%s\" live", role, o2c_quote_cstr(c->ledger)),
			 errdetail("The ledger's triggers %s with the rights of the role that writes the tracked tables, and it lacks %s on it.",
					   use, lacks),
			 errhint("GRANT %s TO %s;", grant, quote_identifier(role))));
}

/*
 * The trigger writes o2c's ledger tables with the writer's rights: a role
 * without them is told so here, in its own terms, rather than by a
 * permission error on a query of o2c's own.
 */
static void
check_privileges(LiveCtx *c, Oid nsp, bool reads_invoices, bool reads_settlements)
{
	static const char *const ledger_tables[] = {"ledger_state", "ledger_balance", "ledger_aging", "ledger_delta"};
	const AclMode write = ACL_SELECT | ACL_INSERT | ACL_UPDATE | ACL_DELETE;
	Oid			user = GetUserId();
	Oid			seq;

	for (int i = 0; i < lengthof(ledger_tables); i++)
	{
		Oid			rel = get_relname_relid(ledger_tables[i], nsp);

		if (!OidIsValid(rel))
			elog(ERROR, "table %s.%s is missing", c->sch, ledger_tables[i]);
		if (pg_class_aclmask(rel, user, write, ACLMASK_ALL) != write)
			refuse_writer(c, psprintf("write %s.%s", c->sch, ledger_tables[i]), "SELECT, INSERT, UPDATE or DELETE",
						  "o2c_operator");
	}
	seq = get_relname_relid("ledger_delta_chunk", nsp);
	if (!OidIsValid(seq))
		elog(ERROR, "sequence %s.ledger_delta_chunk is missing", c->sch);
	if (pg_class_aclcheck(seq, user, ACL_USAGE) != ACLCHECK_OK)
		refuse_writer(c, psprintf("number their changes with sequence %s.ledger_delta_chunk", c->sch), "USAGE",
					  "o2c_operator");

	/*
	 * A settlement reads its invoice and locks it FOR NO KEY UPDATE (UPDATE
	 * on the table or a column of it); settled totals are read from the
	 * settlements table.
	 */
	if (reads_invoices)
	{
		if (pg_class_aclcheck(c->inv->relid, user, ACL_SELECT) != ACLCHECK_OK)
			refuse_writer(c, psprintf("read table %s", c->inv->qrel), "SELECT", psprintf("SELECT ON %s", c->inv->qrel));
		if (pg_class_aclcheck(c->inv->relid, user, ACL_UPDATE) != ACLCHECK_OK &&
			pg_attribute_aclcheck_all(c->inv->relid, user, ACL_UPDATE, ACLMASK_ANY) != ACLCHECK_OK)
			refuse_writer(c, psprintf("lock the settled invoices of table %s", c->inv->qrel), "UPDATE",
						  psprintf("UPDATE ON %s", c->inv->qrel));
	}
	if (reads_settlements && c->set != NULL && pg_class_aclcheck(c->set->relid, user, ACL_SELECT) != ACLCHECK_OK)
		refuse_writer(c, psprintf("read table %s", c->set->qrel), "SELECT", psprintf("SELECT ON %s", c->set->qrel));
}

/* REPEATABLE READ would look settled totals up in a stale snapshot. */
static void
check_isolation(LiveCtx *c)
{
	if (IsolationUsesXactSnapshot() && !IsolationIsSerializable())
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("ledger_track cannot keep ledger \"%s\" exact under REPEATABLE READ",
						o2c_quote_cstr(c->ledger)),
				 errdetail("This change looks up settled totals that a concurrent transaction may have changed since the snapshot."),
				 errhint("Write the tracked tables at READ COMMITTED (the default) or SERIALIZABLE.")));
}

static void
track_invoices(LiveCtx *c, TriggerData *td, const char *newt, const char *oldt)
{
	LiveTable  *i = c->inv;
	StringInfoData d;
	const char *cols;

	initStringInfo(&d);
	if (TRIGGER_FIRED_BY_TRUNCATE(td->tg_event))
	{
		Oid			types[1] = {TEXTOID};
		Datum		values[1] = {CStringGetTextDatum(c->ledger)};

		if (c->set != NULL)
		{
			live_spi_exec(psprintf("SELECT 1 FROM %s LIMIT 1", c->set->qrel), 0, NULL, NULL, SPI_OK_SELECT);
			if (SPI_processed > 0)
				ereport(ERROR,
						(errcode(ERRCODE_FOREIGN_KEY_VIOLATION),
						 errmsg("cannot truncate table %s: its settlements table %s has rows", i->qrel, c->set->qrel),
						 errhint("Truncate both in one statement: TRUNCATE %s, %s;", i->qrel, c->set->qrel)));
		}
		live_spi_exec(psprintf("DELETE FROM %s.ledger_balance WHERE ledger = $1", c->sch), 1, types, values, SPI_OK_DELETE);
		live_spi_exec(psprintf("DELETE FROM %s.ledger_aging WHERE ledger = $1", c->sch), 1, types, values, SPI_OK_DELETE);
		live_spi_exec(psprintf("DELETE FROM %s.ledger_delta WHERE ledger = $1", c->sch), 1, types, values, SPI_OK_DELETE);
		return;
	}
	cols = psprintf("%s, %s, %s, %s, %s", i->col[LC_ID], i->col[LC_CUSTOMER], i->col[LC_CURRENCY],
					i->col[LC_DUE], i->col[LC_AMOUNT]);
	if (TRIGGER_FIRED_BY_INSERT(td->tg_event))
	{
		/* No settlement can precede its invoice: open is the amount. */
		live_insert_invoices(c, td);
		return;
	}
	if (TRIGGER_FIRED_BY_DELETE(td->tg_event))
	{
		check_no_settlements(c, psprintf("SELECT %s FROM %s", i->col[LC_ID], oldt));
		invoice_rows(&d, c, oldt, -1, false);
	}
	else
	{
		/* Ids that disappear must have no settlements; rows that did not change cancel out. */
		o2c_check_update_capture(td->tg_relation, oldt, newt, "ledger_track");
		check_no_settlements(c, psprintf("SELECT %s FROM %s EXCEPT SELECT %s FROM %s",
										 i->col[LC_ID], oldt, i->col[LC_ID], newt));
		invoice_rows(&d, c, psprintf("(SELECT %s FROM %s EXCEPT ALL SELECT %s FROM %s)", cols, oldt, cols, newt),
					 -1, true);
		appendStringInfoString(&d, " UNION ALL ");
		invoice_rows(&d, c, psprintf("(SELECT %s FROM %s EXCEPT ALL SELECT %s FROM %s)", cols, newt, cols, oldt),
					 1, true);
	}
	if (apply_deltas(c, d.data))
	{
		/* New rows first; old ones only when tracked data predates the trigger. */
		if (newt != NULL)
			raise_bad_invoice(c, newt, oldt == NULL);
		if (oldt != NULL)
			raise_bad_invoice(c, oldt, true);
	}
}

static void
track_settlements(LiveCtx *c, TriggerData *td, const char *newt, const char *oldt)
{
	LiveTable  *s = c->set;
	LiveTable  *i = c->inv;
	StringInfoData chg,
				d;

	if (TRIGGER_FIRED_BY_TRUNCATE(td->tg_event))
	{
		/* Every invoice is now open for its whole amount. */
		rebuild(c);
		return;
	}

	if (newt != NULL && oldt != NULL)
		o2c_check_update_capture(td->tg_relation, oldt, newt, "ledger_track");

	/* The changed settlements, signed: (inv, a, bad); only new rows can be bad. */
	initStringInfo(&chg);
	if (newt != NULL)
		appendStringInfo(&chg,
						 "SELECT r.%s AS inv, (r.%s)::numeric AS a, "
						 "(r.%s IS NULL OR r.%s IS NULL OR " NOT_FINITE("r.%s") ") AS bad FROM %s r",
						 s->col[LC_ID], s->col[LC_AMOUNT], s->col[LC_ID], s->col[LC_AMOUNT], s->col[LC_AMOUNT],
						 oldt == NULL ? newt :
						 psprintf("(SELECT %s, %s FROM %s EXCEPT ALL SELECT %s, %s FROM %s)",
								  s->col[LC_ID], s->col[LC_AMOUNT], newt, s->col[LC_ID], s->col[LC_AMOUNT], oldt));
	if (newt != NULL && oldt != NULL)
		appendStringInfoString(&chg, " UNION ALL ");
	if (oldt != NULL)
		appendStringInfo(&chg, "SELECT r.%s AS inv, -(r.%s)::numeric AS a, false AS bad FROM %s r",
						 s->col[LC_ID], s->col[LC_AMOUNT],
						 newt == NULL ? oldt :
						 psprintf("(SELECT %s, %s FROM %s EXCEPT ALL SELECT %s, %s FROM %s)",
								  s->col[LC_ID], s->col[LC_AMOUNT], oldt, s->col[LC_ID], s->col[LC_AMOUNT], newt));

	/*
	 * Lock the invoices first, in id order, in a statement of its own: the
	 * lookups below then run in a snapshot taken after any concurrent change
	 * of these invoices or their settlements has committed.
	 */
	live_spi_exec(psprintf("SELECT 1 FROM %s i WHERE i.%s IN (SELECT (x.inv)::%s FROM (%s) x) "
					  "ORDER BY i.%s FOR NO KEY UPDATE OF i",
					  i->qrel, i->col[LC_ID], i->coltype[LC_ID], chg.data, i->col[LC_ID]),
			 0, NULL, NULL, SPI_OK_SELECT);

	initStringInfo(&d);
	appendStringInfo(&d,
					 "SELECT (i.%s)::text AS c, (i.%s)::text AS k, i.%s AS d, -x.ds AS o, "
					 "((i.%s)::numeric - l.st <> 0)::int - ((i.%s)::numeric - l.st + x.ds <> 0)::int AS n, "
					 "(x.bad OR i.%s IS NULL) AS bad "
					 "FROM (SELECT inv, sum(a) AS ds, bool_or(bad) AS bad FROM (%s) z GROUP BY inv) x "
					 "LEFT JOIN %s i ON i.%s = (x.inv)::%s "
					 "CROSS JOIN LATERAL (SELECT %s AS st) l",
					 i->col[LC_CUSTOMER], i->col[LC_CURRENCY], i->col[LC_DUE],
					 i->col[LC_AMOUNT], i->col[LC_AMOUNT], i->col[LC_ID],
					 chg.data, i->qrel, i->col[LC_ID], i->coltype[LC_ID],
					 settled_sql(c, "x.inv"));
	if (apply_deltas(c, d.data))
		raise_bad_settlement(c, newt, oldt);
}

/* o2c's schema, quoted: where the trigger function lives. */
static const char *
o2c_schema(Oid fnoid)
{
	return quote_identifier(get_namespace_name(get_func_namespace(fnoid)));
}

Datum
o2c_ledger_track(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	Trigger    *tg;
	LiveTable  *self;
	LiveCtx		c = {0};
	const char *newt = NULL;
	const char *oldt = NULL;
	int			save_nestlevel;
	bool		truncate;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("ledger_track must be called as a trigger")));
	tg = td->tg_trigger;
	truncate = TRIGGER_FIRED_BY_TRUNCATE(td->tg_event);
	if (!TRIGGER_FIRED_AFTER(td->tg_event) || !TRIGGER_FIRED_FOR_STATEMENT(td->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("ledger_track trigger \"%s\" must be fired AFTER ... FOR EACH STATEMENT", tg->tgname),
				 errhint("Declare one trigger per event: AFTER INSERT REFERENCING NEW TABLE AS new_rows, AFTER UPDATE REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows, AFTER DELETE REFERENCING OLD TABLE AS old_rows, each FOR EACH STATEMENT, and AFTER TRUNCATE.")));
	if (!truncate)
	{
		bool		need_new = !TRIGGER_FIRED_BY_DELETE(td->tg_event);
		bool		need_old = !TRIGGER_FIRED_BY_INSERT(td->tg_event);

		if ((need_new && td->tg_newtable == NULL) || (need_old && td->tg_oldtable == NULL))
			ereport(ERROR,
					(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
					 errmsg("ledger_track trigger \"%s\" needs %s", tg->tgname,
							need_new && need_old ? "an old and a new transition table" :
							need_new ? "a new transition table" : "an old transition table"),
					 errhint("Declare it REFERENCING %s%s%s.",
							 need_old ? "OLD TABLE AS old_rows" : "", need_new && need_old ? " " : "",
							 need_new ? "NEW TABLE AS new_rows" : "")));
		if (need_new)
			newt = quote_identifier(tg->tgnewtable);
		if (need_old)
			oldt = quote_identifier(tg->tgoldtable);
	}

	/* The firing trigger's own arguments are checked first, naming them. */
	self = live_parse(RelationGetRelid(td->tg_relation), tg->tgnargs, tg->tgargs);
	c.sch = o2c_schema(fcinfo->flinfo->fn_oid);
	c.ledger = self->ledger;
	live_resolve(fcinfo->flinfo->fn_oid, c.ledger, &c.inv, &c.set);
	if (c.inv == NULL || (self->settlements ? c.set : c.inv)->relid != self->relid)
		elog(ERROR, "ledger_track: trigger \"%s\" not found in the catalog", tg->tgname);
	live_check_invoices_index(c.inv);
	if (c.set != NULL)
		live_check_settlements_index(c.set);
	/* An INSERT of invoices reads neither table; every other change reads settled totals. */
	check_privileges(&c, get_func_namespace(fcinfo->flinfo->fn_oid), self->settlements,
					 self->settlements || !TRIGGER_FIRED_BY_INSERT(td->tg_event));
	if (self->settlements || !TRIGGER_FIRED_BY_INSERT(td->tg_event))
		check_isolation(&c);

	/* Generated SQL resolves only o2c's and PostgreSQL's names. */
	save_nestlevel = NewGUCNestLevel();
	(void) set_config_option("search_path", "pg_catalog, pg_temp", PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (!truncate && SPI_register_trigger_data(td) != SPI_OK_TD_REGISTER)
		elog(ERROR, "SPI_register_trigger_data failed");
	live_plans_use(!truncate &&
				   (td->tg_newtable == NULL || tuplestore_tuple_count(td->tg_newtable) <= LIVE_PLAN_ROWS) &&
				   (td->tg_oldtable == NULL || tuplestore_tuple_count(td->tg_oldtable) <= LIVE_PLAN_ROWS) ?
				   RelationGetRelid(td->tg_relation) : InvalidOid);
	c.as_of = lock_state(&c, truncate && self->settlements ? STATE_UPDATE :
						 !self->settlements && !truncate && TRIGGER_FIRED_BY_INSERT(td->tg_event) ? STATE_READ :
						 STATE_SHARE);
	if (self->settlements)
		track_settlements(&c, td, newt, oldt);
	else
		track_invoices(&c, td, newt, oldt);
	live_plans_use(InvalidOid);
	SPI_finish();
	AtEOXact_GUC(true, save_nestlevel);
	return PointerGetDatum(NULL);
}

Datum
o2c_ledger_rebuild(PG_FUNCTION_ARGS)
{
	LiveCtx		c = {0};
	Oid			nsp = get_func_namespace(fcinfo->flinfo->fn_oid);
	Oid			fnoid = GetSysCacheOid3(PROCNAMEARGSNSP, Anum_pg_proc_oid,
										CStringGetDatum("ledger_track"),
										PointerGetDatum(buildoidvector(NULL, 0)),
										ObjectIdGetDatum(nsp));
	int			save_nestlevel;
	int64		n;

	if (!OidIsValid(fnoid))
		elog(ERROR, "function %s.ledger_track is missing", get_namespace_name(nsp));
	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("ledger must not be null")));
	if (!PG_ARGISNULL(1))
		o2c_check_finite_date(PG_GETARG_DATEADT(1), "as_of date");
	c.sch = quote_identifier(get_namespace_name(nsp));
	c.ledger = text_to_cstring(PG_GETARG_TEXT_PP(0));
	live_resolve(fnoid, c.ledger, &c.inv, &c.set);
	if (c.inv == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("no table is tracked by ledger \"%s\"", o2c_quote_cstr(c.ledger)),
				 errhint("Attach o2c.ledger_track to the invoices table with the argument 'ledger=%s'.",
						 o2c_quote_cstr(c.ledger))));
	live_check_invoices_index(c.inv);
	if (c.set != NULL)
		live_check_settlements_index(c.set);

	save_nestlevel = NewGUCNestLevel();
	(void) set_config_option("search_path", "pg_catalog, pg_temp", PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	live_plans_use(InvalidOid);
	c.as_of = lock_state(&c, STATE_UPDATE);
	if (!PG_ARGISNULL(1))
		c.as_of = PG_GETARG_DATEADT(1);
	n = rebuild(&c);
	SPI_finish();
	AtEOXact_GUC(true, save_nestlevel);
	PG_RETURN_INT64(n);
}
