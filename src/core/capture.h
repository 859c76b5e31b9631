/*
 * capture.h — a check of the transition tables PostgreSQL hands an AFTER
 * UPDATE ... FOR EACH STATEMENT trigger of a partitioned table (capture.c).
 * PostgreSQL 18.6 captures them wrong for a MERGE that routes an inserted
 * row to a partition before it updates other rows: those rows' new versions
 * are captured as the inserted row. A trigger that reads both tables calls
 * this before it uses them, so the statement fails rather than the
 * trigger's work go wrong.
 */
#ifndef O2C_CAPTURE_H
#define O2C_CAPTURE_H

#include "postgres.h"

#include "nodes/pg_list.h"
#include "utils/relcache.h"

/*
 * The columns of the table's primary key, or else of a unique index (valid,
 * immediate, on columns, not partial), quoted; NIL when it has none.
 */
extern List *o2c_unique_key(Oid relid);

/*
 * On a partitioned table with a unique key: error (0A000, naming who, the
 * table and the row) when a row of the old transition table oldt is missing,
 * by that key, from the new one newt but is still in the table, which a
 * correct capture cannot give (such a row was given another key or deleted).
 * Does nothing on other tables. SPI must be connected, with the trigger's
 * transition tables registered (SPI_register_trigger_data).
 */
extern void o2c_check_update_capture(Relation rel, const char *oldt, const char *newt, const char *who);

#endif
