/*
 * ledger.h — the receivables ledger read from two inner queries (ledger.c):
 * invoices and credit notes, and the settlements applied to them, held in
 * memory compactly enough for tens of millions of invoices; open_items.c
 * and history.c answer what was open as of a date, and its aging.
 */
#ifndef O2C_LEDGER_H
#define O2C_LEDGER_H

#include "postgres.h"

#include "core/compat.h"

#include "common/int.h"
#include "utils/date.h"
#include "utils/jsonb.h"

/* Chunked arrays: no huge reallocation as the ledger grows. */
#define LEDGER_CHUNK_BITS	16
#define LEDGER_CHUNK		(1U << LEDGER_CHUNK_BITS)
/* Item indexes keep 4 bits free in a settlement record (history.c). */
#define LEDGER_MAX_ITEMS	((1U << 28) - 1)
#define LEDGER_NONE			PG_UINT32_MAX

#define ITEM_HAS_DUE		0x01
#define ITEM_SETTLED		0x02	/* a settlement was counted */

/*
 * One invoice or credit note: 40 bytes. Amounts are integers in units of
 * 10^-scale, where scale is the largest display scale of the amount and the
 * settlements counted so far (at most 8), so they stay exact.
 */
typedef struct LedgerItem
{
	int64		amount;			/* signed: credit notes are negative */
	int64		settled;
	uint32		group;			/* (customer, currency) */
	DateADT		invoice_date;
	DateADT		due_date;		/* when ITEM_HAS_DUE */
	DateADT		last_settled;	/* latest settlement counted (or to come) */
	int8		scale;
	uint8		flags;
} LedgerItem;

/* A customer and currency: the unit aging groups by. */
typedef struct LedgerGroup
{
	uint32		customer;		/* index into customers */
	uint32		currency;		/* index into currencies, LEDGER_NONE for NULL */
	uint32		rank;			/* position in (customer, currency) byte order */
} LedgerGroup;

struct strtab_hash;
struct grptab_hash;

/* Strings to dense indexes; the strings live in an arena of their own. */
typedef struct LedgerInterner
{
	MemoryContext ctx;
	struct strtab_hash *tab;
	char	  **chunks[LEDGER_MAX_ITEMS / LEDGER_CHUNK + 1];
	uint32		n;
	char	   *arena;			/* current block, and what is left in it */
	Size		arena_left;
	const char *probe;			/* the string being looked up */
	int			probe_len;
} LedgerInterner;

typedef struct LedgerOptions
{
	bool		include_credit_balances;
	bool		include_settled;
	bool		skip_unknown;
} LedgerOptions;

typedef struct Ledger Ledger;

/* Called for each settlement row of a known invoice. */
typedef void (*LedgerSettle) (Ledger *l, uint32 item, DateADT settled_on,
							  int64 amount, int scale, void *arg);

struct Ledger
{
	MemoryContext ctx;
	const char *fname;			/* "open_items", for messages */
	LedgerOptions opt;
	LedgerInterner ids;			/* invoice ids: index = item index */
	LedgerInterner customers;
	LedgerInterner currencies;
	LedgerItem *items[LEDGER_MAX_ITEMS / LEDGER_CHUNK + 1];
	uint32		nitems;
	LedgerGroup *groups;
	uint32		ngroups;
	uint32		groups_alloc;
	struct grptab_hash *grptab;
	int64		unknown;		/* settlements of unknown invoices skipped */
	char	   *first_unknown;
};

/* 10^n for n in 0..18. */
extern const int64 ledger_pow10[19];

static inline LedgerItem *
ledger_item(Ledger *l, uint32 i)
{
	return &l->items[i >> LEDGER_CHUNK_BITS][i & (LEDGER_CHUNK - 1)];
}

extern const char *ledger_string(LedgerInterner *in, uint32 i);

extern void ledger_parse_options(Jsonb *options, const char *fname, LedgerOptions *opt);
extern Ledger *ledger_create(const char *fname, LedgerOptions *opt);
/* Read the invoices, then the settlements (calling settle); SPI inside. */
extern void ledger_read(Ledger *l, const char *invoices_sql, const char *settlements_sql,
						LedgerSettle settle, void *arg);
/* Number the groups in (customer_id, currency) byte order, NULL currency last. */
extern void ledger_rank_groups(Ledger *l);
/* No more lookups of invoice ids (ledger_string still works). */
extern void ledger_free_id_table(Ledger *l);

/* 22003 naming invoice i: its amounts outgrew 64 bits at their scale. */
O2C_NORETURN_BEFORE extern void ledger_scale_overflow(Ledger *l, uint32 i) O2C_NORETURN_AFTER;

/* Add a settlement of amount at scale to item it (invoice i), exactly. */
static inline void
ledger_settle(Ledger *l, LedgerItem *it, uint32 i, int64 amount, int scale)
{
	if (scale > it->scale)
	{
		int64		f = ledger_pow10[scale - it->scale];

		if (pg_mul_s64_overflow(it->amount, f, &it->amount) ||
			pg_mul_s64_overflow(it->settled, f, &it->settled))
			ledger_scale_overflow(l, i);
		it->scale = (int8) scale;
	}
	else if (scale < it->scale &&
			 pg_mul_s64_overflow(amount, ledger_pow10[it->scale - scale], &amount))
		ledger_scale_overflow(l, i);
	if (pg_add_s64_overflow(it->settled, amount, &it->settled))
		ledger_scale_overflow(l, i);
	it->flags |= ITEM_SETTLED;
}

/* Open amount of item it (invoice i) at its scale. */
static inline int64
ledger_open(Ledger *l, const LedgerItem *it, uint32 i)
{
	int64		open;

	if (pg_sub_s64_overflow(it->amount, it->settled, &open))
		ledger_scale_overflow(l, i);
	return open;
}

/* Is an item with this open amount listed, under the options? */
static inline bool
ledger_listed(const LedgerOptions *opt, int64 open)
{
	if (open == 0)
		return opt->include_settled;
	return open > 0 || opt->include_credit_balances;
}


#endif							/* O2C_LEDGER_H */
