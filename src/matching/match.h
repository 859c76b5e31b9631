/*
 * match.h — the cash-application engine's data, shared by match.c (the SQL
 * function and its inner queries) and match_engine.c (indexes, scoring,
 * placement).
 */
#ifndef O2C_MATCH_H
#define O2C_MATCH_H

#include "postgres.h"

#include "utils/date.h"

#include "terms/terms.h"

#define UNIT_SCALE		O2C_SUM_SCALE	/* amounts in 10^-8 units */
#define MAX_NAME_CANDIDATES 300
#define NAME_KEY_LEN	3
#define NAME_KEY_MAX_LIST 5000	/* a name-word prefix this common is no clue */

/* Evidence of identification and fit of the amount (README documents them). */
#define EV_REF_EXACT	1.00
#define EV_REF_CORE		0.98	/* same digits, letter prefix missing or different */
#define EV_REF_FUZZY	0.92	/* one edit or transposition away, 6+ characters */
#define EV_CUSTOMER_ID	1.00
#define EV_IBAN			0.98
#define BOOST_CUSTOMER	0.04	/* a fuzzy reference whose customer the payer confirms */
#define FIT_EXACT		1.00
#define FIT_DISCOUNT	0.97
#define FIT_SHORT_PAY	0.95
#define FIT_SHORT_PAY_LARGE 0.80	/* a short pay only proposed: see amount_fit */
#define SHORT_PAY_MAX_SHARE 10		/* a flat tolerance's cap, % of the open amount */
#define FIT_COMBINATION 0.95
#define FIT_OVERPAY		0.90	/* the rest stays unapplied */
#define FIT_OVERPAY_UNCONFIRMED 0.85
#define FIT_PARTIAL		0.50

typedef struct Options
{
	double		auto_threshold;
	double		margin;
	double		name_threshold;
	int128		tolerance;		/* absolute short-pay tolerance, units */
	int128		tolerance_pct;	/* percent, units */
	int			max_candidates;
	int			max_invoices;
	int			max_steps;
	char	   *applied_sql;	/* applications already made, or NULL */
} Options;

typedef struct Invoice
{
	char	   *id;
	int			cust;
	int128		open;
	int128		remaining;
	int32		dscale;
	DateADT		date;			/* invoice_date, else due_date, else 0 */
	char		cur[4];
	char	   *ref;
	char	   *core;
	bool		has_disc;
	int128		disc_pct;		/* percent, units */
	DateADT		disc_until;		/* last day of the window, included */
	int32		disc_scale;		/* decimals the discount is rounded to */
	int			next_ref;
	int			next_core;
} Invoice;

typedef struct Customer
{
	char	   *id;
	char	   *name;			/* normalized, or NULL */
	int			first;			/* into the by-customer invoice index */
	int			count;
} Customer;

typedef struct Payment
{
	char	   *id;
	int128		amount;
	int32		dscale;
	bool		has_date;
	DateADT		received_on;
	char		cur[4];
	char	   *name;			/* normalized payer name */
	int			raw_name_len;
	char	   *iban;
	char	   *reference;
	char	   *cust_id;
	bool		done;
} Payment;

typedef struct OutRow
{
	int			pay;
	int			seq;
	int			inv;			/* -1 for none */
	int128		amount;
	int32		dscale;
	double		score;
	const char *rule;
	bool		is_auto;
} OutRow;

/*
 * String -> int map (lib/simplehash.h, defined in match_engine.c): keys are
 * NUL-terminated strings that outlive the map; a new key's value is -1.
 */
typedef struct StrMapEntry
{
	const char *key;
	uint32		hash;
	char		status;
	int			val;
} StrMapEntry;

#define SH_PREFIX		strmap
#define SH_ELEMENT_TYPE	StrMapEntry
#define SH_KEY_TYPE		const char *
#define SH_SCOPE		extern
#define SH_DECLARE
#include "lib/simplehash.h"

typedef struct strmap_hash StrMap;

/* An option considered for one payment. */
typedef struct Option
{
	double		score;
	const char *rule;
	int			ninv;
	int		   *invs;
	bool		settles;		/* discount / short pay: invoice settled in full */
} Option;

typedef struct Matcher
{
	Options		opt;
	Invoice    *inv;
	int			ninv;
	Customer   *cust;
	int			ncust;
	int		   *by_cust;		/* invoice indexes grouped by customer, oldest first */
	Payment    *pay;
	int			npay;
	StrMap	   *refs,
			   *cores,
			   *custs,
			   *ibans,
			   *namekeys;
	int		   *nk_cust;		/* name-key postings: customer, next */
	int		   *nk_next;
	int			nnk,
				cap_nk;
	OutRow	   *rows;
	int			nrows,
				cap_rows;
	int		   *seen;			/* scratch: candidate marks per invoice */
	int			cap_inv,
				cap_pay;
	int		   *name_hits;		/* per customer: word prefixes shared with the payer */
	int		   *touched;
	int			cap_touched;
	struct NameKey *name_keys;	/* per name-key slot: postings head, count */
	int			n_name_keys;
	MemoryContext mcxt;			/* outlives SPI_finish */
	Oid			terms_type;		/* o2c.terms, looked up per call */
	char	   *terms_text;		/* last terms text parsed, and its result */
	int			terms_nparts;
	O2cTermPart terms_part;
	struct Applied *applied;	/* the rows of option applied_sql (match.c) */
	int			napplied,
				cap_applied;
} Matcher;

typedef struct NameKey
{
	int			head;
	int			count;
} NameKey;

/* The value of k, or -1 when absent. */
static inline int
o2c_strmap_get(StrMap *m, const char *k)
{
	StrMapEntry *e = strmap_lookup(m, k);

	return e ? e->val : -1;
}

/* The value of k, inserted as -1 when new (k must outlive the map). */
static inline int *
o2c_strmap_slot(StrMap *m, const char *k)
{
	bool		found;
	StrMapEntry *e = strmap_insert(m, k, &found);

	if (!found)
		e->val = -1;
	return &e->val;
}

/* Digits after a letter prefix ("inv123" -> "123"), or NULL. */
extern char *o2c_match_ref_core(const char *r);

/* Builds the indexes, places every payment, leaves m->rows sorted. */
extern void o2c_match_run(Matcher *m);

#endif							/* O2C_MATCH_H */
