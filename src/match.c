/*
 * match.c — o2c.match_payments: cash application of payments to open
 * invoices, read through two inner queries (SPI).
 *
 * Candidates come only from hash look-ups (normalized reference, the digits
 * of a reference, one-edit variants of a reference, customer id, IBAN, and
 * word prefixes of normalized customer names), never from comparing every
 * payment with every invoice. Each option for a payment gets a score =
 * identification evidence x amount fit (README "How a match is scored");
 * the best option is applied, and it is automatic only when its score clears
 * auto_threshold and the runner-up is at least margin below it.
 */
#include "postgres.h"

#include "o2c.h"
#include "strsim.h"

#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/numeric.h"
#include "utils/tuplestore.h"

PG_FUNCTION_INFO_V1(o2c_match_payments);

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
	int128		disc_pct;
	DateADT		disc_until;
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

/* String -> int hash map, open addressing; values start at -1. */
typedef struct StrMap
{
	uint32		cap;
	uint32		n;
	const char **keys;
	int		   *vals;
} StrMap;

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
	StrMap		refs,
				cores,
				custs,
				ibans,
				namekeys;
	int		   *nk_cust;		/* name-key postings: customer, next */
	int		   *nk_next;
	int		   *nk_count;		/* postings per key slot */
	int			nnk,
				cap_nk;
	OutRow	   *rows;
	int			nrows,
				cap_rows;
	int		   *seen;			/* scratch: invoice/customer marks */
	int			seen_gen;
	int			cap_inv,
				cap_pay;
	int		   *name_hits;		/* per customer: word prefixes shared with the payer */
	int		   *touched;
	int			cap_touched;
	MemoryContext mcxt;			/* outlives SPI_finish */
} Matcher;

/* ---------- small hash map ---------- */

static void
strmap_init(StrMap *m, uint32 expected)
{
	uint32		cap = 16;

	while (cap < expected * 2)
		cap <<= 1;
	m->cap = cap;
	m->n = 0;
	m->keys = palloc0(sizeof(char *) * cap);
	m->vals = palloc(sizeof(int) * cap);
}

static uint32
strmap_find(const StrMap *m, const char *k)
{
	uint32		h = hash_bytes((const unsigned char *) k, strlen(k)) & (m->cap - 1);

	while (m->keys[h] != NULL && strcmp(m->keys[h], k) != 0)
		h = (h + 1) & (m->cap - 1);
	return h;
}

static int
strmap_get(const StrMap *m, const char *k)
{
	uint32		h = strmap_find(m, k);

	return m->keys[h] ? m->vals[h] : -1;
}

/* Slot of k, inserted with value -1 when new (k must outlive the map). */
static int *
strmap_slot(StrMap *m, const char *k, uint32 *slot)
{
	uint32		h;

	if ((m->n + 1) * 2 > m->cap)
	{
		StrMap		bigger;

		strmap_init(&bigger, m->cap);
		for (uint32 i = 0; i < m->cap; i++)
			if (m->keys[i] != NULL)
			{
				uint32		j = strmap_find(&bigger, m->keys[i]);

				bigger.keys[j] = m->keys[i];
				bigger.vals[j] = m->vals[i];
			}
		bigger.n = m->n;
		pfree(m->keys);
		pfree(m->vals);
		*m = bigger;
	}
	h = strmap_find(m, k);
	if (m->keys[h] == NULL)
	{
		m->keys[h] = k;
		m->vals[h] = -1;
		m->n++;
	}
	if (slot)
		*slot = h;
	return &m->vals[h];
}

/* ---------- options ---------- */

static double
option_number(JsonbValue *v, const char *key, double lo, double hi)
{
	double		d;

	if (v->type != jbvNumeric)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("option \"%s\" of match_payments must be a number", key)));
	d = DatumGetFloat8(DirectFunctionCall1(numeric_float8, NumericGetDatum(v->val.numeric)));
	if (!(d >= lo && d <= hi))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("option \"%s\" of match_payments is out of range: %g", key, d),
				 errdetail("It must lie between %g and %g.", lo, hi)));
	return d;
}

static int128
option_amount(JsonbValue *v, const char *key)
{
	int128		units;
	int32		dscale;

	if (v->type != jbvNumeric ||
		o2c_numeric_units(NumericGetDatum(v->val.numeric), &units, &dscale) != O2C_UNITS_FAST ||
		units < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("option \"%s\" of match_payments must be a non-negative number", key)));
	return units;
}

static void
parse_options(Jsonb *jb, Options *o)
{
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken tok;
	char	   *key = NULL;

	o->auto_threshold = 0.9;
	o->margin = 0.05;
	o->name_threshold = 0.85;
	o->tolerance = 0;
	o->tolerance_pct = 0;
	o->max_candidates = 25;
	o->max_invoices = 8;
	o->max_steps = 100000;
	if (jb == NULL)
		return;
	if (!JB_ROOT_IS_OBJECT(jb))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("options of match_payments must be a JSON object")));
	it = JsonbIteratorInit(&jb->root);
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		if (tok == WJB_KEY)
			key = pnstrdup(v.val.string.val, v.val.string.len);
		else if (tok == WJB_VALUE)
		{
			if (strcmp(key, "auto_threshold") == 0)
				o->auto_threshold = option_number(&v, key, 0, 1);
			else if (strcmp(key, "margin") == 0)
				o->margin = option_number(&v, key, 0, 1);
			else if (strcmp(key, "name_threshold") == 0)
				o->name_threshold = option_number(&v, key, 0, 1);
			else if (strcmp(key, "tolerance") == 0)
				o->tolerance = option_amount(&v, key);
			else if (strcmp(key, "tolerance_percent") == 0)
			{
				o->tolerance_pct = option_amount(&v, key);
				(void) option_number(&v, key, 0, 100);
			}
			else if (strcmp(key, "max_candidates") == 0)
				o->max_candidates = (int) option_number(&v, key, 0, 64);
			else if (strcmp(key, "max_invoices") == 0)
				o->max_invoices = (int) option_number(&v, key, 0, 64);
			else if (strcmp(key, "max_steps") == 0)
				o->max_steps = (int) option_number(&v, key, 0, 100000000);
			else
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("unknown option of match_payments: \"%s\"", key),
						 errhint("Known options: auto_threshold, margin, name_threshold, tolerance, tolerance_percent, max_candidates, max_invoices, max_steps.")));
		}
	}
}

/* ---------- reading inner queries ---------- */

typedef enum ColKind
{
	COL_ID,						/* any type, read as text */
	COL_TEXT,					/* text, varchar, bpchar, name */
	COL_AMOUNT,					/* integer or numeric */
	COL_DATE
} ColKind;

typedef struct Col
{
	const char *name;
	ColKind		kind;
	bool		required;
	int			attno;			/* 0 when absent */
	Oid			type;
	FmgrInfo	out;
} Col;

typedef struct QueryCtx
{
	const char *what;			/* "payments_sql" */
	const char *sql;
} QueryCtx;

static void
query_error_context(void *arg)
{
	QueryCtx   *q = arg;

	errcontext("inner query %s of match_payments: %s", q->what, q->sql);
}

static const char *
kind_name(ColKind k)
{
	switch (k)
	{
		case COL_ID:
			return "any";
		case COL_TEXT:
			return "text";
		case COL_AMOUNT:
			return "numeric or integer";
		case COL_DATE:
			return "date";
	}
	return "?";
}

static void
bind_columns(TupleDesc td, Col *cols, int ncols, const char *what)
{
	for (int i = 0; i < ncols; i++)
	{
		Col		   *c = &cols[i];
		int			attno = SPI_fnumber(td, c->name);
		Oid			t;
		bool		ok;

		c->attno = 0;
		if (attno <= 0)
		{
			if (c->required)
				ereport(ERROR,
						(errcode(ERRCODE_UNDEFINED_COLUMN),
						 errmsg("column \"%s\" missing from %s of match_payments", c->name, what),
						 errhint("The inner query must return a column named \"%s\" of type %s.",
								 c->name, kind_name(c->kind))));
			continue;
		}
		t = SPI_gettypeid(td, attno);
		switch (c->kind)
		{
			case COL_ID:
				ok = true;
				break;
			case COL_TEXT:
				ok = (t == TEXTOID || t == VARCHAROID || t == BPCHAROID || t == NAMEOID);
				break;
			case COL_AMOUNT:
				ok = (t == NUMERICOID || t == INT2OID || t == INT4OID || t == INT8OID);
				break;
			case COL_DATE:
				ok = (t == DATEOID);
				break;
			default:
				ok = false;
		}
		if (!ok)
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("column \"%s\" of %s of match_payments has type %s, expected %s",
							c->name, what, format_type_be(t), kind_name(c->kind))));
		c->attno = attno;
		c->type = t;
		if (c->kind == COL_ID || c->kind == COL_TEXT)
		{
			Oid			outfn;
			bool		varlena;

			getTypeOutputInfo(t, &outfn, &varlena);
			fmgr_info(outfn, &c->out);
		}
	}
}

/* Text of a column, or NULL (absent column or NULL value). */
static char *
col_text(Col *c, HeapTuple tup, TupleDesc td)
{
	bool		isnull;
	Datum		d;

	if (c->attno == 0)
		return NULL;
	d = SPI_getbinval(tup, td, c->attno, &isnull);
	if (isnull)
		return NULL;
	if (c->type == TEXTOID || c->type == VARCHAROID || c->type == BPCHAROID)
		return TextDatumGetCString(d);
	return OutputFunctionCall(&c->out, d);
}

static bool
col_amount(Col *c, HeapTuple tup, TupleDesc td, int128 *units, int32 *dscale)
{
	bool		isnull;
	Datum		d;

	if (c->attno == 0)
		return false;
	d = SPI_getbinval(tup, td, c->attno, &isnull);
	if (isnull)
		return false;
	*dscale = 0;
	switch (c->type)
	{
		case INT2OID:
			*units = (int128) DatumGetInt16(d) * 100000000;
			return true;
		case INT4OID:
			*units = (int128) DatumGetInt32(d) * 100000000;
			return true;
		case INT8OID:
			*units = (int128) DatumGetInt64(d) * 100000000;
			return true;
		default:
			if (o2c_numeric_units(d, units, dscale) != O2C_UNITS_FAST)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("amount in column \"%s\" out of range for match_payments: %s",
								c->name, DatumGetCString(DirectFunctionCall1(numeric_out, d))),
						 errdetail("Amounts must be finite, below 10^20 and have at most 8 decimals.")));
			return true;
	}
}

static bool
col_date(Col *c, HeapTuple tup, TupleDesc td, DateADT *out)
{
	bool		isnull;
	Datum		d;

	if (c->attno == 0)
		return false;
	d = SPI_getbinval(tup, td, c->attno, &isnull);
	if (isnull)
		return false;
	*out = DatumGetDateADT(d);
	return !DATE_NOT_FINITE(*out);
}

static void
currency_of(const char *s, char cur[4])
{
	cur[0] = '\0';
	if (s != NULL)
	{
		int			n = 0;

		for (const char *p = s; *p && n < 3; p++)
			if (*p != ' ')
				cur[n++] = pg_ascii_toupper((unsigned char) *p);
		cur[n] = '\0';
	}
}

static char *
iban_of(const char *s)
{
	char	   *out;
	int			n = 0;

	if (s == NULL)
		return NULL;
	out = palloc(strlen(s) + 1);
	for (const char *p = s; *p; p++)
		if (*p != ' ' && *p != '-')
			out[n++] = pg_ascii_toupper((unsigned char) *p);
	out[n] = '\0';
	return n > 0 ? out : NULL;
}

static char *
norm_ref(const char *s)
{
	size_t		len;
	char	   *r;

	if (s == NULL)
		return NULL;
	r = o2c_normalize_ref(s, strlen(s), &len);
	return len > 0 ? r : NULL;
}

/* Digits after a letter prefix ("inv123" -> "123"), or NULL. */
static char *
ref_core(const char *r)
{
	const char *p = r;

	while (*p >= 'a' && *p <= 'z')
		p++;
	if (p == r || *p == '\0')
		return NULL;
	for (const char *q = p; *q; q++)
		if (*q < '0' || *q > '9')
			return NULL;
	return pstrdup(p);
}

typedef void (*RowReader) (Matcher *m, Col *cols, HeapTuple tup, TupleDesc td);

static void
run_query(Matcher *m, const char *sql, const char *what, Col *cols, int ncols, RowReader reader)
{
	QueryCtx	q = {what, sql};
	ErrorContextCallback cb;
	SPIPlanPtr	plan;
	Portal		portal;
	bool		bound = false;

	cb.callback = query_error_context;
	cb.arg = &q;
	cb.previous = error_context_stack;
	error_context_stack = &cb;

	plan = SPI_prepare(sql, 0, NULL);
	if (plan == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot prepare %s of match_payments: %s", what,
						SPI_result_code_string(SPI_result))));
	if (!SPI_is_cursor_plan(plan))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s of match_payments must be a query that returns rows", what)));
	portal = SPI_cursor_open(NULL, plan, NULL, NULL, true);
	for (;;)
	{
		SPI_cursor_fetch(portal, true, 10000);
		if (!bound)
		{
			bind_columns(SPI_tuptable->tupdesc, cols, ncols, what);
			bound = true;
		}
		if (SPI_processed == 0)
			break;
		for (uint64 i = 0; i < SPI_processed; i++)
		{
			MemoryContext old = MemoryContextSwitchTo(m->mcxt);

			reader(m, cols, SPI_tuptable->vals[i], SPI_tuptable->tupdesc);
			MemoryContextSwitchTo(old);
		}
		SPI_freetuptable(SPI_tuptable);
		CHECK_FOR_INTERRUPTS();
	}
	SPI_cursor_close(portal);
	error_context_stack = cb.previous;
}

enum
{
	I_ID, I_CUST, I_OPEN, I_NAME, I_IDATE, I_DDATE, I_CUR, I_REF, I_IBAN, I_DPCT, I_DUNTIL, I_NCOLS
};
enum
{
	P_ID, P_AMOUNT, P_DATE, P_CUR, P_NAME, P_IBAN, P_REF, P_CUST, P_NCOLS
};

static void
read_invoice(Matcher *m, Col *cols, HeapTuple tup, TupleDesc td)
{
	Invoice    *iv;
	char	   *cust_id,
			   *s;
	int		   *slot;
	int128		units;
	int32		dscale;

	if (!col_amount(&cols[I_OPEN], tup, td, &units, &dscale) || units <= 0)
		return;					/* nothing open: not a candidate */
	if (m->ninv == m->cap_inv)
	{
		m->cap_inv *= 2;
		m->inv = repalloc_huge(m->inv, sizeof(Invoice) * m->cap_inv);
	}
	iv = &m->inv[m->ninv];
	memset(iv, 0, sizeof(*iv));
	iv->id = col_text(&cols[I_ID], tup, td);
	if (iv->id == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("invoice_id is NULL in invoices_sql of match_payments")));
	iv->open = iv->remaining = units;
	iv->dscale = dscale;
	if (!col_date(&cols[I_IDATE], tup, td, &iv->date) &&
		!col_date(&cols[I_DDATE], tup, td, &iv->date))
		iv->date = 0;
	currency_of(col_text(&cols[I_CUR], tup, td), iv->cur);
	iv->ref = norm_ref(col_text(&cols[I_REF], tup, td));
	iv->core = iv->ref ? ref_core(iv->ref) : NULL;
	iv->next_ref = iv->next_core = -1;
	if (col_amount(&cols[I_DPCT], tup, td, &iv->disc_pct, &dscale) &&
		col_date(&cols[I_DUNTIL], tup, td, &iv->disc_until) && iv->disc_pct > 0)
		iv->has_disc = true;

	cust_id = col_text(&cols[I_CUST], tup, td);
	if (cust_id == NULL)
		cust_id = psprintf("\x01%s", iv->id);	/* a customer of its own */
	slot = strmap_slot(&m->custs, cust_id, NULL);
	if (*slot < 0)
	{
		Customer   *c;

		if ((m->ncust & (m->ncust - 1)) == 0 && m->ncust >= 1024)
			m->cust = repalloc_huge(m->cust, sizeof(Customer) * m->ncust * 2);
		*slot = m->ncust++;
		c = &m->cust[*slot];
		memset(c, 0, sizeof(*c));
		c->id = cust_id;
	}
	iv->cust = *slot;
	if (m->cust[iv->cust].name == NULL && (s = col_text(&cols[I_NAME], tup, td)) != NULL)
	{
		size_t		len;

		m->cust[iv->cust].name = o2c_normalize_name(s, strlen(s), &len);
	}
	if ((s = iban_of(col_text(&cols[I_IBAN], tup, td))) != NULL)
	{
		slot = strmap_slot(&m->ibans, s, NULL);
		if (*slot < 0)
			*slot = iv->cust;
		else if (*slot != iv->cust)
			*slot = -2;			/* one IBAN, two customers: no clue */
	}
	m->ninv++;
}

static void
read_payment(Matcher *m, Col *cols, HeapTuple tup, TupleDesc td)
{
	Payment    *p;
	char	   *s;

	if (m->npay == m->cap_pay)
	{
		m->cap_pay *= 2;
		m->pay = repalloc_huge(m->pay, sizeof(Payment) * m->cap_pay);
	}
	p = &m->pay[m->npay];
	memset(p, 0, sizeof(*p));
	p->id = col_text(&cols[P_ID], tup, td);
	if (p->id == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("payment_id is NULL in payments_sql of match_payments")));
	if (!col_amount(&cols[P_AMOUNT], tup, td, &p->amount, &p->dscale))
		p->amount = 0;
	p->has_date = col_date(&cols[P_DATE], tup, td, &p->received_on);
	currency_of(col_text(&cols[P_CUR], tup, td), p->cur);
	if ((s = col_text(&cols[P_NAME], tup, td)) != NULL)
	{
		size_t		len;

		p->raw_name_len = strlen(s);
		p->name = o2c_normalize_name(s, strlen(s), &len);
		if (len == 0)
			p->name = NULL;
	}
	p->iban = iban_of(col_text(&cols[P_IBAN], tup, td));
	p->reference = col_text(&cols[P_REF], tup, td);
	p->cust_id = col_text(&cols[P_CUST], tup, td);
	m->npay++;
}

/* ---------- indexes ---------- */

typedef struct NameKey
{
	int			head;
	int			count;
} NameKey;

static NameKey *name_keys;
static int	n_name_keys;

static int
by_cust_cmp(const void *a, const void *b, void *arg)
{
	const Invoice *inv = arg;
	const Invoice *x = &inv[*(const int *) a];
	const Invoice *y = &inv[*(const int *) b];

	if (x->cust != y->cust)
		return x->cust < y->cust ? -1 : 1;
	if (x->date != y->date)
		return x->date < y->date ? -1 : 1;
	return *(const int *) a - *(const int *) b;
}

static void
add_name_posting(Matcher *m, const char *key, int cust)
{
	int		   *slot = strmap_slot(&m->namekeys, key, NULL);
	NameKey    *k;

	if (*slot < 0)
	{
		if (n_name_keys % 1024 == 0)
			name_keys = n_name_keys == 0 ? palloc(sizeof(NameKey) * 1024)
				: repalloc_huge(name_keys, sizeof(NameKey) * (n_name_keys + 1024));
		*slot = n_name_keys++;
		name_keys[*slot].head = -1;
		name_keys[*slot].count = 0;
	}
	k = &name_keys[*slot];
	if (k->head >= 0 && m->nk_cust[k->head] == cust)
		return;					/* same word twice in one name */
	if (m->nnk == m->cap_nk)
	{
		m->cap_nk *= 2;
		m->nk_cust = repalloc_huge(m->nk_cust, sizeof(int) * m->cap_nk);
		m->nk_next = repalloc_huge(m->nk_next, sizeof(int) * m->cap_nk);
	}
	m->nk_cust[m->nnk] = cust;
	m->nk_next[m->nnk] = k->head;
	k->head = m->nnk++;
	k->count++;
}

/* Calls fn for each word-prefix key of a normalized name. */
static int
name_keys_of(const char *name, char keys[][NAME_KEY_LEN * 4 + 1], int max)
{
	int			n = 0;
	const char *p = name;

	while (*p && n < max)
	{
		const char *e = p;
		int			len;

		while (*e && *e != ' ')
			e++;
		len = e - p;
		if (len >= NAME_KEY_LEN)
		{
			int			take = len < NAME_KEY_LEN ? len : NAME_KEY_LEN;

			memcpy(keys[n], p, take);
			keys[n][take] = '\0';
			n++;
		}
		p = *e ? e + 1 : e;
	}
	return n;
}

static void
build_indexes(Matcher *m)
{
	int			i;

	m->by_cust = palloc_extended(sizeof(int) * (m->ninv + 1), MCXT_ALLOC_HUGE);
	for (i = 0; i < m->ninv; i++)
		m->by_cust[i] = i;
	qsort_arg(m->by_cust, m->ninv, sizeof(int), by_cust_cmp, m->inv);
	for (i = 0; i < m->ninv; i++)
	{
		Customer   *c = &m->cust[m->inv[m->by_cust[i]].cust];

		if (c->count++ == 0)
			c->first = i;
	}
	for (i = m->ninv - 1; i >= 0; i--)
	{
		Invoice    *iv = &m->inv[i];
		int		   *slot;

		if (iv->ref)
		{
			slot = strmap_slot(&m->refs, iv->ref, NULL);
			iv->next_ref = *slot;
			*slot = i;
		}
		if (iv->core)
		{
			slot = strmap_slot(&m->cores, iv->core, NULL);
			iv->next_core = *slot;
			*slot = i;
		}
	}
	n_name_keys = 0;
	name_keys = NULL;
	m->cap_nk = 1024;
	m->nk_cust = palloc(sizeof(int) * m->cap_nk);
	m->nk_next = palloc(sizeof(int) * m->cap_nk);
	for (i = 0; i < m->ncust; i++)
	{
		char		keys[16][NAME_KEY_LEN * 4 + 1];
		int			nk;

		if (m->cust[i].name == NULL)
			continue;
		nk = name_keys_of(m->cust[i].name, keys, 16);
		for (int k = 0; k < nk; k++)
			add_name_posting(m, pstrdup(keys[k]), i);
	}
	m->seen = palloc0(sizeof(int) * (Max(m->ninv, m->ncust) + 1));
	m->name_hits = palloc0(sizeof(int) * (m->ncust + 1));
	m->cap_touched = 16 * NAME_KEY_MAX_LIST;
	m->touched = palloc(sizeof(int) * m->cap_touched);
}

/* ---------- options of one payment ---------- */

#define MAX_OPTIONS 64

typedef struct Choices
{
	Option		opt[MAX_OPTIONS];
	int			n;
} Choices;

static void
add_option(Choices *ch, double score, const char *rule, const int *invs, int ninv, bool settles)
{
	Option	   *o;

	if (ch->n == MAX_OPTIONS)
	{
		/* replace the weakest when full */
		int			w = 0;

		for (int i = 1; i < ch->n; i++)
			if (ch->opt[i].score < ch->opt[w].score)
				w = i;
		if (ch->opt[w].score >= score)
			return;
		o = &ch->opt[w];
	}
	else
		o = &ch->opt[ch->n++];
	o->score = score;
	o->rule = rule;
	o->ninv = ninv;
	o->invs = palloc(sizeof(int) * ninv);
	memcpy(o->invs, invs, sizeof(int) * ninv);
	o->settles = settles;
}

static bool
currency_ok(const Payment *p, const Invoice *iv)
{
	return p->cur[0] == '\0' || iv->cur[0] == '\0' || strcmp(p->cur, iv->cur) == 0;
}

static int128
round_to_step(int128 v, int128 step)
{
	int128		q = v / step,
				r = v % step;

	if (r * 2 >= step)
		q++;
	return q * step;
}

/* How the payment's amount fits one invoice's remaining amount. */
static double
amount_fit(const Matcher *m, const Payment *p, const Invoice *iv, const char **rule, bool *settles)
{
	int128		r = iv->remaining;
	int128		a = p->amount;
	int128		tol;

	*settles = false;
	*rule = NULL;
	if (a == r)
		return FIT_EXACT;
	if (a > r)
		return FIT_OVERPAY;
	if (iv->has_disc && p->has_date && p->received_on <= iv->disc_until)
	{
		int128		step = 1;
		int128		disc;

		for (int i = iv->dscale; i < UNIT_SCALE; i++)
			step *= 10;
		/* r (10^-8) x pct (10^-8) / 100 -> 10^-8 units, rounded to the invoice's decimals */
		disc = round_to_step(r * iv->disc_pct / ((int128) 100 * 100000000), step);
		if (a - (r - disc) <= step && (r - disc) - a <= step)
		{
			*rule = "discount";
			*settles = true;
			return FIT_DISCOUNT;
		}
	}
	tol = m->opt.tolerance;
	if (m->opt.tolerance_pct > 0)
	{
		int128		t = r * m->opt.tolerance_pct / ((int128) 100 * 100000000);

		if (t > tol)
			tol = t;
	}
	if (r - a <= tol)
	{
		*rule = "short_pay";
		*settles = true;
		return FIT_SHORT_PAY;
	}
	*rule = "partial";
	return FIT_PARTIAL;
}

/* Subset-sum search over candidates (oldest first), counted steps. */
typedef struct Subset
{
	const int128 *amt;
	int			n;
	int			kmax;
	long		steps;
	long		max_steps;
	int			chosen[64];
	int			nchosen;
	int			sol[2][64];
	int			solsz[2];
	int			nsol;
	int128		suffix[65];
} Subset;

static void
subset_dfs(Subset *s, int start, int128 left)
{
	if (s->nsol >= 2 || s->steps >= s->max_steps)
		return;
	s->steps++;
	if (left == 0)
	{
		if (s->nchosen >= 2)
		{
			memcpy(s->sol[s->nsol], s->chosen, sizeof(int) * s->nchosen);
			s->solsz[s->nsol++] = s->nchosen;
		}
		return;
	}
	if (s->nchosen == s->kmax)
		return;
	for (int i = start; i < s->n; i++)
	{
		if (s->suffix[i] < left)
			return;
		if (s->amt[i] > left)
			continue;
		s->chosen[s->nchosen++] = i;
		subset_dfs(s, i + 1, left - s->amt[i]);
		s->nchosen--;
		if (s->nsol >= 2 || s->steps >= s->max_steps)
			return;
	}
}

/* Adds combination options for cand[] (invoice indexes, oldest first). */
static void
add_combinations(Matcher *m, Choices *ch, const Payment *p, const int *cand, const double *ev,
				 int ncand, double fit)
{
	Subset		s;
	int128		amt[64];
	int			n = Min(ncand, Min(m->opt.max_candidates, 64));

	if (n < 2 || m->opt.max_invoices < 2)
		return;
	memset(&s, 0, sizeof(s));
	for (int i = 0; i < n; i++)
		amt[i] = m->inv[cand[i]].remaining;
	s.suffix[n] = 0;
	for (int i = n - 1; i >= 0; i--)
		s.suffix[i] = s.suffix[i + 1] + amt[i];
	s.amt = amt;
	s.n = n;
	s.kmax = Min(m->opt.max_invoices, 64);
	s.max_steps = m->opt.max_steps;
	subset_dfs(&s, 0, p->amount);
	for (int k = 0; k < s.nsol; k++)
	{
		int			invs[64];
		double		e = 1.0;

		for (int j = 0; j < s.solsz[k]; j++)
		{
			invs[j] = cand[s.sol[k][j]];
			e = Min(e, ev[s.sol[k][j]]);
		}
		add_option(ch, e * fit, "combination", invs, s.solsz[k], false);
	}
}

/* ---------- applying ---------- */

static void
emit(Matcher *m, int pay, int inv, int128 amount, int32 dscale, double score,
	 const char *rule, bool is_auto)
{
	OutRow	   *r;

	if (m->nrows == m->cap_rows)
	{
		m->cap_rows *= 2;
		m->rows = repalloc_huge(m->rows, sizeof(OutRow) * m->cap_rows);
	}
	r = &m->rows[m->nrows];
	r->pay = pay;
	r->seq = m->nrows++;
	r->inv = inv;
	r->amount = amount;
	r->dscale = dscale;
	r->score = score;
	r->rule = rule;
	r->is_auto = is_auto;
}

/* Applies the best option; false when there is none. */
static bool
apply_best(Matcher *m, int pi, Choices *ch)
{
	Payment    *p = &m->pay[pi];
	int			best = -1;
	double		runner = -1;
	bool		is_auto;
	int128		left = p->amount;
	Option	   *o;

	for (int i = 0; i < ch->n; i++)
		if (best < 0 || ch->opt[i].score > ch->opt[best].score + 1e-12)
			best = i;
	if (best < 0)
		return false;
	for (int i = 0; i < ch->n; i++)
		if (i != best && ch->opt[i].score > runner)
			runner = ch->opt[i].score;
	o = &ch->opt[best];
	is_auto = o->score >= m->opt.auto_threshold - 1e-9 &&
		(runner < 0 || o->score - runner >= m->opt.margin - 1e-9) &&
		strcmp(o->rule, "partial") != 0;
	for (int k = 0; k < o->ninv && left > 0; k++)
	{
		Invoice    *iv = &m->inv[o->invs[k]];
		int128		amt = Min(left, iv->remaining);

		if (amt <= 0)
			continue;
		emit(m, pi, o->invs[k], amt, Max(p->dscale, iv->dscale), o->score, o->rule, is_auto);
		iv->remaining = o->settles ? 0 : iv->remaining - amt;
		left -= amt;
	}
	if (left > 0)
		emit(m, pi, -1, left, p->dscale, o->score, "unapplied", false);
	p->done = true;
	return true;
}

/* ---------- pass 1: references ---------- */

typedef struct Cands
{
	int			inv[256];
	double		ev[256];
	int			n;
} Cands;

static void
add_cand(Matcher *m, Cands *c, const Payment *p, int inv, double ev)
{
	Invoice    *iv = &m->inv[inv];

	if (iv->remaining <= 0 || !currency_ok(p, iv))
		return;
	if (m->seen[inv] > 0 && m->seen[inv] <= c->n && c->inv[m->seen[inv] - 1] == inv)
	{
		double	   *e = &c->ev[m->seen[inv] - 1];

		if (ev > *e)
			*e = ev;
		return;
	}
	if (c->n == 256)
		return;
	c->inv[c->n] = inv;
	c->ev[c->n] = ev;
	m->seen[inv] = ++c->n;
}

/* Fuzzy look-ups only reach references of 6+ characters. */
static void
lookup_ref(Matcher *m, Cands *c, const Payment *p, const char *key, double ev_ref, double ev_core,
		   bool fuzzy)
{
	for (int i = strmap_get(&m->refs, key); i >= 0; i = m->inv[i].next_ref)
		if (!fuzzy || strlen(m->inv[i].ref) >= 6)
			add_cand(m, c, p, i, ev_ref);
	for (int i = strmap_get(&m->cores, key); i >= 0; i = m->inv[i].next_core)
		if (!fuzzy || strlen(m->inv[i].ref) >= 6)
			add_cand(m, c, p, i, ev_core);
}

static bool
all_digits(const char *s)
{
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/* One-edit variants of key (digits inserted or substituted), looked up. */
static void
lookup_fuzzy(Matcher *m, Cands *c, const Payment *p, const char *key)
{
	int			len = strlen(key);
	char		buf[128];

	/* the digits of a 6+ character reference may be shorter ("inv1234") */
	if (len < 4 || len > 100)
		return;
	for (int i = 0; i < len; i++)
	{
		/* deletion */
		memcpy(buf, key, i);
		strcpy(buf + i, key + i + 1);
		lookup_ref(m, c, p, buf, EV_REF_FUZZY, EV_REF_FUZZY, true);
		/* transposition */
		if (i + 1 < len && key[i] != key[i + 1])
		{
			strcpy(buf, key);
			buf[i] = key[i + 1];
			buf[i + 1] = key[i];
			lookup_ref(m, c, p, buf, EV_REF_FUZZY, EV_REF_FUZZY, true);
		}
		/* substitution of a digit */
		if (key[i] >= '0' && key[i] <= '9')
		{
			strcpy(buf, key);
			for (char d = '0'; d <= '9'; d++)
				if (d != key[i])
				{
					buf[i] = d;
					lookup_ref(m, c, p, buf, EV_REF_FUZZY, EV_REF_FUZZY, true);
				}
		}
	}
	/* insertion of a digit */
	for (int i = 0; i <= len; i++)
	{
		memcpy(buf, key, i);
		strcpy(buf + i + 1, key + i);
		for (char d = '0'; d <= '9'; d++)
		{
			buf[i] = d;
			lookup_ref(m, c, p, buf, EV_REF_FUZZY, EV_REF_FUZZY, true);
		}
	}
}

static double name_similarity(const Payment *p, const char *cand);

/* The payer confirms the invoice's customer (id, IBAN or name). */
static bool
payer_is_customer(Matcher *m, const Payment *p, int cust)
{
	Customer   *c = &m->cust[cust];

	if (p->cust_id && strcmp(p->cust_id, c->id) == 0)
		return true;
	if (p->iban && strmap_get(&m->ibans, p->iban) == cust)
		return true;
	return p->name && c->name && name_similarity(p, c->name) >= m->opt.name_threshold;
}

static int
cand_age_cmp(const void *a, const void *b, void *arg)
{
	const Matcher *m = arg;
	int			x = *(const int *) a,
				y = *(const int *) b;

	if (m->inv[x].date != m->inv[y].date)
		return m->inv[x].date < m->inv[y].date ? -1 : 1;
	return x - y;
}

/* Reference options; returns false (and keeps ch) when pass 2 should look too. */
static bool
reference_options(Matcher *m, int pi, Choices *ch)
{
	Payment    *p = &m->pay[pi];
	char	  **refs;
	int			nrefs;
	Cands		c;
	int			exact[256],
				nexact = 0;
	int128		exact_sum = 0;
	double		exact_ev = 1.0,
				best_ev = 0;
	int			order[256];
	double		ev_sorted[256];

	if (p->reference == NULL)
		return false;
	nrefs = o2c_extract_refs(p->reference, strlen(p->reference), &refs);
	c.n = 0;
	for (int r = 0; r < nrefs && r < 16; r++)
	{
		char	   *core = ref_core(refs[r]);

		/* bare digits equal to an invoice's digits are as good as the reference */
		lookup_ref(m, &c, p, refs[r], EV_REF_EXACT,
				   all_digits(refs[r]) ? EV_REF_EXACT : EV_REF_CORE, false);
		if (core)
			lookup_ref(m, &c, p, core, EV_REF_CORE, EV_REF_CORE, false);
	}
	for (int r = 0; r < nrefs && r < 16; r++)
	{
		char	   *core = ref_core(refs[r]);

		lookup_fuzzy(m, &c, p, refs[r]);
		if (core)
			lookup_fuzzy(m, &c, p, core);
	}
	for (int i = 0; i < c.n; i++)
		m->seen[c.inv[i]] = 0;
	if (c.n == 0)
		return false;

	for (int i = 0; i < c.n; i++)
	{
		const char *rule;
		bool		settles;
		double		fit;

		bool		confirmed = payer_is_customer(m, p, m->inv[c.inv[i]].cust);

		if (c.ev[i] < EV_REF_CORE && confirmed)
			c.ev[i] = Min(1.0, c.ev[i] + BOOST_CUSTOMER);
		fit = amount_fit(m, p, &m->inv[c.inv[i]], &rule, &settles);
		/* paying more than is open is believable from the customer, not from anyone */
		if (fit == FIT_OVERPAY && rule == NULL && !confirmed)
			fit = FIT_OVERPAY_UNCONFIRMED;
		/* a reference one edit away counts only when the amount confirms it */
		if (c.ev[i] >= EV_REF_CORE || fit > FIT_OVERPAY)
			add_option(ch, c.ev[i] * fit, rule ? rule : "reference", &c.inv[i], 1, settles);
		if (c.ev[i] >= EV_REF_CORE)
		{
			exact[nexact++] = c.inv[i];
			exact_sum += m->inv[c.inv[i]].remaining;
			exact_ev = Min(exact_ev, c.ev[i]);
		}
		best_ev = Max(best_ev, c.ev[i]);
	}
	qsort_arg(exact, nexact, sizeof(int), cand_age_cmp, m);
	if (nexact >= 2 && exact_sum == p->amount)
		add_option(ch, exact_ev * FIT_EXACT, "reference", exact, nexact, false);
	else if (c.n >= 2)
	{
		for (int i = 0; i < c.n; i++)
			order[i] = i;
		/* oldest first, carrying evidence along */
		for (int i = 0; i < c.n; i++)
			for (int j = i + 1; j < c.n; j++)
				if (cand_age_cmp(&c.inv[order[j]], &c.inv[order[i]], m) < 0)
				{
					int			t = order[i];

					order[i] = order[j];
					order[j] = t;
				}
		for (int i = 0; i < c.n; i++)
		{
			exact[i] = c.inv[order[i]];
			ev_sorted[i] = c.ev[order[i]];
		}
		add_combinations(m, ch, p, exact, ev_sorted, c.n, FIT_COMBINATION);
	}
	/* Only a fuzzy reference, and the amount does not fit: ask the customer rules too. */
	for (int i = 0; i < ch->n; i++)
		if (ch->opt[i].score >= EV_REF_FUZZY * FIT_SHORT_PAY - 1e-9 ||
			(best_ev >= EV_REF_CORE && ch->opt[i].score > 0))
			return true;
	return false;
}

/* ---------- pass 2: customers ---------- */

static double
name_similarity(const Payment *p, const char *cand)
{
	size_t		lp = strlen(p->name),
				lc = strlen(cand);
	double		s = o2c_jaro_winkler(p->name, lp, cand, lc);

	/* Banks cut payer names at 35 characters: compare with the cut name too. */
	if (p->raw_name_len >= 30 && lc > lp)
	{
		double		t = o2c_jaro_winkler(p->name, lp, cand, lp);

		if (t > s)
			s = t;
	}
	return s;
}

typedef struct Ident
{
	int			cust;
	double		ev;
	const char *rule;
} Ident;

static int
identify(Matcher *m, const Payment *p, Ident *out, int max)
{
	int			n = 0;
	int			c;

	if (p->cust_id && (c = strmap_get(&m->custs, p->cust_id)) >= 0)
	{
		out[n].cust = c;
		out[n].ev = EV_CUSTOMER_ID;
		out[n++].rule = "customer";
	}
	if (p->iban && (c = strmap_get(&m->ibans, p->iban)) >= 0 && (n == 0 || out[0].cust != c))
	{
		out[n].cust = c;
		out[n].ev = EV_IBAN;
		out[n++].rule = "iban";
	}
	if (n == 0 && p->name)
	{
		char		keys[16][NAME_KEY_LEN * 4 + 1];
		int			nk = name_keys_of(p->name, keys, 16);
		int			nt = 0,
					best = 0,
					evaluated = 0;
		Ident		top[3];
		int			ntop = 0;

		/*
		 * Count the word prefixes each customer shares with the payer, then
		 * compare names only with the customers sharing the most (or one
		 * fewer: a word cut off or abbreviated).
		 */
		for (int k = 0; k < nk; k++)
		{
			int			slot = strmap_get(&m->namekeys, keys[k]);

			if (slot < 0 || (nk > 1 && name_keys[slot].count > NAME_KEY_MAX_LIST))
				continue;
			for (int e = name_keys[slot].head; e >= 0 && nt < m->cap_touched; e = m->nk_next[e])
			{
				int			cu = m->nk_cust[e];

				if (m->name_hits[cu]++ == 0)
					m->touched[nt++] = cu;
				if (m->name_hits[cu] > best)
					best = m->name_hits[cu];
			}
		}
		for (int pass = 0; pass < 2; pass++)
		{
			int			need = pass == 0 ? best : best - 1;

			if (need < 1)
				break;
			for (int t = 0; t < nt && evaluated < MAX_NAME_CANDIDATES; t++)
			{
				int			cu = m->touched[t];
				double		s;

				if (m->name_hits[cu] != need)
					continue;
				evaluated++;
				s = name_similarity(p, m->cust[cu].name);
				if (s < m->opt.name_threshold)
					continue;
				if (ntop < 3)
					ntop++;
				else if (s <= top[2].ev)
					continue;
				top[ntop - 1].cust = cu;
				top[ntop - 1].ev = s;
				for (int i = ntop - 1; i > 0 && top[i].ev > top[i - 1].ev; i--)
				{
					Ident		tmp = top[i];

					top[i] = top[i - 1];
					top[i - 1] = tmp;
				}
			}
		}
		for (int t = 0; t < nt; t++)
			m->name_hits[m->touched[t]] = 0;
		for (int i = 0; i < ntop && n < max; i++)
		{
			out[n] = top[i];
			out[n++].rule = "name";
		}
	}
	return n;
}

static void
customer_options(Matcher *m, int pi, Choices *ch)
{
	Payment    *p = &m->pay[pi];
	Ident		ids[4];
	int			nid = identify(m, p, ids, 4);

	for (int k = 0; k < nid; k++)
	{
		Customer   *c = &m->cust[ids[k].cust];
		int			cand[64];
		double		ev[64];
		int			ncand = 0;
		bool		partial_added = false;

		for (int j = 0; j < c->count; j++)
		{
			int			ii = m->by_cust[c->first + j];
			Invoice    *iv = &m->inv[ii];
			const char *rule;
			bool		settles;
			double		fit;

			if (iv->remaining <= 0 || !currency_ok(p, iv))
				continue;
			if (ncand < 64)
			{
				cand[ncand] = ii;
				ev[ncand++] = ids[k].ev;
			}
			fit = amount_fit(m, p, iv, &rule, &settles);
			if (fit == FIT_OVERPAY && rule == NULL)
				continue;		/* no overpayment without a reference */
			if (fit == FIT_PARTIAL)
			{
				if (partial_added)
					continue;
				partial_added = true;
			}
			add_option(ch, ids[k].ev * fit, rule ? rule : ids[k].rule, &ii, 1, settles);
		}
		add_combinations(m, ch, p, cand, ev, ncand, FIT_COMBINATION);
	}
}

/* ---------- the SQL function ---------- */

static int
row_cmp(const void *a, const void *b)
{
	const OutRow *x = a,
			   *y = b;

	if (x->pay != y->pay)
		return x->pay < y->pay ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

Datum
o2c_match_payments(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	char	   *payments_sql = text_to_cstring(PG_GETARG_TEXT_PP(0));
	char	   *invoices_sql = text_to_cstring(PG_GETARG_TEXT_PP(1));
	Jsonb	   *options = PG_NARGS() > 2 ? PG_GETARG_JSONB_P(2) : NULL;
	MemoryContext mcxt,
				old;
	Matcher    *m;
	Col			icols[I_NCOLS] = {
		{"invoice_id", COL_ID, true}, {"customer_id", COL_ID, true},
		{"open_amount", COL_AMOUNT, true}, {"customer_name", COL_TEXT, false},
		{"invoice_date", COL_DATE, false}, {"due_date", COL_DATE, false},
		{"currency", COL_TEXT, false}, {"reference", COL_TEXT, false},
		{"customer_iban", COL_TEXT, false}, {"discount_percent", COL_AMOUNT, false},
		{"discount_until", COL_DATE, false}
	};
	Col			pcols[P_NCOLS] = {
		{"payment_id", COL_ID, true}, {"amount", COL_AMOUNT, true},
		{"received_on", COL_DATE, false}, {"currency", COL_TEXT, false},
		{"payer_name", COL_TEXT, false}, {"payer_iban", COL_TEXT, false},
		{"reference", COL_TEXT, false}, {"customer_id", COL_ID, false}
	};

	InitMaterializedSRF(fcinfo, 0);
	mcxt = AllocSetContextCreate(CurrentMemoryContext, "match_payments", ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(mcxt);
	m = palloc0(sizeof(Matcher));
	m->mcxt = mcxt;
	parse_options(options, &m->opt);
	m->cap_inv = 1024;
	m->inv = palloc(sizeof(Invoice) * m->cap_inv);
	m->cap_pay = 1024;
	m->pay = palloc(sizeof(Payment) * m->cap_pay);
	m->cust = palloc(sizeof(Customer) * 1024);
	m->cap_rows = 1024;
	m->rows = palloc(sizeof(OutRow) * m->cap_rows);
	strmap_init(&m->custs, 1024);
	strmap_init(&m->ibans, 1024);
	strmap_init(&m->refs, 1024);
	strmap_init(&m->cores, 1024);
	strmap_init(&m->namekeys, 1024);
	MemoryContextSwitchTo(old);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	run_query(m, invoices_sql, "invoices_sql", icols, I_NCOLS, read_invoice);
	run_query(m, payments_sql, "payments_sql", pcols, P_NCOLS, read_payment);
	SPI_finish();

	old = MemoryContextSwitchTo(mcxt);
	build_indexes(m);

	/* Pass 1: payments with a reference that finds invoices. */
	for (int i = 0; i < m->npay; i++)
	{
		Choices		ch;

		ch.n = 0;
		if (m->pay[i].amount > 0 && reference_options(m, i, &ch))
			apply_best(m, i, &ch);
		CHECK_FOR_INTERRUPTS();
	}
	/* Pass 2: the rest, by customer (id, IBAN, name) and amount. */
	for (int i = 0; i < m->npay; i++)
	{
		Choices		ch;
		Payment    *p = &m->pay[i];

		if (p->done)
			continue;
		ch.n = 0;
		if (p->amount > 0)
		{
			reference_options(m, i, &ch);
			customer_options(m, i, &ch);
		}
		if (!apply_best(m, i, &ch))
			emit(m, i, -1, p->amount, p->dscale, 0, "unmatched", false);
		CHECK_FOR_INTERRUPTS();
	}

	qsort(m->rows, m->nrows, sizeof(OutRow), row_cmp);
	MemoryContextSwitchTo(old);
	for (int i = 0; i < m->nrows; i++)
	{
		OutRow	   *r = &m->rows[i];
		Datum		values[6];
		bool		nulls[6] = {false};

		values[0] = CStringGetTextDatum(m->pay[r->pay].id);
		if (r->inv >= 0)
			values[1] = CStringGetTextDatum(m->inv[r->inv].id);
		else
			nulls[1] = true;
		values[2] = NumericGetDatum(o2c_units_numeric(r->amount, r->dscale));
		values[3] = Float8GetDatum(round(r->score * 10000.0) / 10000.0);
		values[4] = CStringGetTextDatum(r->rule);
		values[5] = BoolGetDatum(r->is_auto);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	MemoryContextDelete(mcxt);
	return (Datum) 0;
}
