/*
 * innerq.h — the one way o2c reads the columns of a caller's inner query:
 * matched by name, domains read as their base types, and a missing,
 * duplicated or mistyped column an error naming it, the type found and the
 * type expected (innerq.c). Each concern reads the values its own way.
 */
#ifndef O2C_INNERQ_H
#define O2C_INNERQ_H

#include "postgres.h"

#include "access/tupdesc.h"
#include "executor/spi.h"
#include "utils/portal.h"
#include "fmgr.h"
#include "utils/date.h"
#include "utils/numeric.h"

/* What an inner-query column must hold. */
typedef enum O2cColKind
{
	O2C_COL_ID,					/* any type, read as text */
	O2C_COL_TEXT,				/* text, varchar or char */
	O2C_COL_DATE,				/* date */
	O2C_COL_AMOUNT,				/* smallint, integer, bigint or numeric */
	O2C_COL_BOOL,				/* boolean */
	O2C_COL_TERMS				/* o2c.terms, or text holding terms */
} O2cColKind;

typedef struct O2cColSpec
{
	const char *name;
	O2cColKind	kind;
	bool		required;		/* a missing column is an error */
	bool		nullable;		/* for readers that check: NULL allowed */
} O2cColSpec;

/* A spec bound to the query's result. */
typedef struct O2cCol
{
	int			attno;			/* 1-based; 0 when the column is absent */
	Oid			type;			/* base type */
	O2cColKind	kind;
	FmgrInfo	out;			/* output function, for ID and TEXT */
} O2cCol;

extern const char *o2c_col_kind_name(O2cColKind kind);
/* Does a value of type (a base type) fit kind? TERMS also takes terms_type. */
extern bool o2c_col_type_ok(O2cColKind kind, Oid type);

/*
 * Bind specs to the columns of td. what names the query in errors, as in
 * "invoices_sql" or "the history query"; terms_type is o2c.terms, needed
 * only when a spec has kind TERMS.
 */
extern void o2c_innerq_bind(TupleDesc td, const O2cColSpec *specs, int n,
							O2cCol *cols, const char *what, Oid terms_type);

/* Run the caller's query (SPI, the caller's rights); it must return rows. */
extern SPITupleTable *o2c_innerq_exec(text *sql, const char *argname);
/* The same, through a cursor, for readers that fetch in batches. */
extern Portal o2c_innerq_open(const char *sql, const char *what, bool read_only);

/* One bound column of a row: NULL/false when absent or NULL. */
extern char *o2c_col_text(HeapTuple tup, TupleDesc td, const O2cCol *col);
extern bool o2c_col_date(HeapTuple tup, TupleDesc td, const O2cCol *col,
						 DateADT *out);
extern Numeric o2c_col_amount(HeapTuple tup, TupleDesc td, const O2cCol *col);
extern Numeric o2c_datum_amount(Datum d, Oid type);

#endif							/* O2C_INNERQ_H */
