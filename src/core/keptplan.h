/*
 * keptplan.h — SPI plans kept for the backend's life, by text (keptplan.c):
 * what PL/pgSQL does for its static queries, for the SQL that o2c's C code
 * generates at run time.
 */
#ifndef O2C_KEPTPLAN_H
#define O2C_KEPTPLAN_H

#include "postgres.h"

#include "executor/spi.h"

/*
 * The kept plan of sql with nparams parameters of types, prepared with
 * cursor_options (CURSOR_OPT_GENERIC_PLAN, or 0 for PostgreSQL's choice
 * between custom and generic plans, as for a prepared statement) the first
 * time this owner asks for it; owner is any OID that tells apart callers
 * whose same text means different things (a table the text depends on), or
 * InvalidOid. SPI must be connected.
 *
 * PostgreSQL replans a kept plan when a table it reads changes or is
 * analyzed, or the search_path changes, and checks permissions at every
 * execution. At most O2C_KEPT_PLANS are kept; when full, all are freed.
 */
extern SPIPlanPtr o2c_kept_plan(Oid owner, const char *sql, int nparams, Oid *types, int cursor_options);

#define O2C_KEPT_PLANS 64

#endif							/* O2C_KEPTPLAN_H */
