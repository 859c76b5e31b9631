/*
 * reconcile.c — o2c.reconcile(bank_sql, book_sql [, options]) and
 * o2c.reconcile_report (the same per statement): pairs bank
 * statement lines with recorded payments one to one, and returns the pairs
 * plus what is left unmatched on either side, so every difference shows.
 *
 * A pair needs the same amount (exactly), compatible currencies and dates
 * within the window; among those, a reference found in the bank line and a
 * matching counterparty (name or account) raise the score. Pairs are taken
 * greedily by score, then date distance, then input order, so the result is
 * deterministic. The candidate scan per bank line is bounded by a count of
 * steps, never by time.
 */
#include "postgres.h"

#include "core/o2c.h"
#include "core/innerq.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "fmgr.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/numeric.h"

PG_FUNCTION_INFO_V1(o2c_reconcile);
PG_FUNCTION_INFO_V1(o2c_reconcile_report);

#define MAX_CANDIDATES 1000		/* equal amounts scanned per bank line */

typedef struct RecRow
{
	char	   *id;
	DateADT		date;
	int128		amount;			/* 10^-8 units */
	char	   *currency;
	char	   *name;			/* normalized: lower-case letters and digits */
	char	   *account;		/* normalized likewise */
	char	   *reference;		/* normalized reference (book) */
	char	   *text;			/* normalized reference + remittance (bank) */
	char	   *statement;		/* bank: statement_id as given, or NULL */
	char	   *message;		/* bank: message as given, or NULL */
	int			dscale;			/* decimals of amount */
	int			order;
	bool		used;
} RecRow;

typedef struct RecPair
{
	int			bank;
	int			book;
	int			score;			/* hundredths */
	int			days;
	const char *rule;
} RecPair;

static const O2cColSpec bank_cols[] = {
	{"line_id", O2C_COL_ID, true},
	{"booking_date", O2C_COL_DATE, true},
	{"amount", O2C_COL_AMOUNT, true},
	{"currency", O2C_COL_TEXT, false},
	{"counterparty_name", O2C_COL_TEXT, false},
	{"counterparty_account", O2C_COL_TEXT, false},
	{"reference", O2C_COL_TEXT, false},
	{"remittance", O2C_COL_TEXT, false},
	{"statement_id", O2C_COL_TEXT, false},
	{"message", O2C_COL_TEXT, false},
};

static const O2cColSpec book_cols[] = {
	{"payment_id", O2C_COL_ID, true},
	{"received_on", O2C_COL_DATE, true},
	{"amount", O2C_COL_AMOUNT, true},
	{"currency", O2C_COL_TEXT, false},
	{"payer_name", O2C_COL_TEXT, false},
	{"payer_iban", O2C_COL_TEXT, false},
	{"reference", O2C_COL_TEXT, false},
};

/*
 * Lower-case ASCII letters and digits only, for references also without
 * leading zeros of digit runs (as invoice references are compared); bytes
 * beyond ASCII are kept so accented names still equal themselves.
 */
static char *
normalize(const char *s, bool drop_zeros)
{
	char	   *out = palloc(strlen(s) + 1);
	char	   *o = out;
	bool		in_digits = false;

	for (; *s; s++)
	{
		unsigned char c = (unsigned char) *s;

		if (c >= 'A' && c <= 'Z')
			c += 'a' - 'A';
		if (c >= '0' && c <= '9')
		{
			if (drop_zeros && c == '0' && !in_digits && s[1] >= '0' && s[1] <= '9')
				continue;
			in_digits = true;
			*o++ = c;
			continue;
		}
		in_digits = false;
		if ((c >= 'a' && c <= 'z') || c >= 0x80)
			*o++ = c;
	}
	*o = '\0';
	return out;
}

/* Run one inner query and copy its rows out of SPI into the caller's context. */
static RecRow *
load_rows(const char *what, const char *sql, const O2cColSpec *cols, int ncols,
		  int *nrows, MemoryContext outer)
{
	O2cCol		bound[10];
	TupleDesc	desc;
	SPITupleTable *tt;
	RecRow	   *rows;
	uint64		i;
	int			c;

	Assert(ncols <= lengthof(bound));
	tt = o2c_innerq_exec(cstring_to_text(sql), what);
	desc = tt->tupdesc;
	o2c_innerq_bind(desc, cols, ncols, bound, what, InvalidOid);

	rows = MemoryContextAllocZero(outer, sizeof(RecRow) * (tt->numvals + 1));
	for (i = 0; i < tt->numvals; i++)
	{
		HeapTuple	tup = tt->vals[i];
		RecRow	   *r = &rows[i];
		MemoryContext old = MemoryContextSwitchTo(outer);

		r->order = (int) i;
		for (c = 0; c < ncols; c++)
		{
			bool		isnull = true;
			Datum		d = bound[c].attno ? SPI_getbinval(tup, desc, bound[c].attno, &isnull) : (Datum) 0;
			char	   *s;

			if (isnull)
			{
				if (cols[c].required)
					ereport(ERROR,
							(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
							 errmsg("column \"%s\" of %s is null in row %llu",
									cols[c].name, what, (unsigned long long) i + 1)));
				continue;
			}
			switch (cols[c].kind)
			{
				case O2C_COL_ID:
					r->id = OutputFunctionCall(&bound[c].out, d);
					break;
				case O2C_COL_DATE:
					r->date = DatumGetDateADT(d);
					if (DATE_NOT_FINITE(r->date))
						ereport(ERROR,
								(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
								 errmsg("column \"%s\" of %s is infinite in row %llu",
										cols[c].name, what, (unsigned long long) i + 1)));
					break;
				case O2C_COL_AMOUNT:
					{
						Datum		num = d;
						int32		dscale;

						if (bound[c].type == INT2OID)
							num = DirectFunctionCall1(int2_numeric, d);
						else if (bound[c].type == INT4OID)
							num = DirectFunctionCall1(int4_numeric, d);
						else if (bound[c].type == INT8OID)
							num = DirectFunctionCall1(int8_numeric, d);
						if (o2c_numeric_units(num, &r->amount, &dscale) != O2C_UNITS_FAST)
							ereport(ERROR,
									(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
									 errmsg("amount %s of %s in row %llu is out of range",
											o2c_quote_cstr(DatumGetCString(DirectFunctionCall1(numeric_out, num))), what,
											(unsigned long long) i + 1),
									 errdetail("Amounts must be finite, below 10^20 and have at most 8 decimals.")));
						r->dscale = dscale;
						break;
					}
				case O2C_COL_TEXT:
					s = TextDatumGetCString(d);
					if (strcmp(cols[c].name, "currency") == 0)
						r->currency = s;
					else if (strcmp(cols[c].name, "statement_id") == 0)
						r->statement = s;
					else if (strcmp(cols[c].name, "message") == 0)
						r->message = s;
					else if (strcmp(cols[c].name, "counterparty_name") == 0 ||
							 strcmp(cols[c].name, "payer_name") == 0)
						r->name = normalize(s, false);
					else if (strcmp(cols[c].name, "counterparty_account") == 0 ||
							 strcmp(cols[c].name, "payer_iban") == 0)
						r->account = normalize(s, false);
					else if (cols == book_cols)
						r->reference = normalize(s, true);
					else
					{
						/* bank: reference and remittance searched together */
						char	   *n = normalize(s, true);

						r->text = r->text ? psprintf("%s|%s", r->text, n) : n;
					}
					break;
				case O2C_COL_BOOL:
				case O2C_COL_TERMS:
					break;		/* no such columns here */
			}
		}
		MemoryContextSwitchTo(old);
	}
	*nrows = (int) tt->numvals;
	SPI_freetuptable(tt);
	return rows;
}

static int
cmp_amount(const void *a, const void *b)
{
	const RecRow *x = *(RecRow *const *) a;
	const RecRow *y = *(RecRow *const *) b;

	if (x->amount != y->amount)
		return x->amount < y->amount ? -1 : 1;
	return x->order - y->order;
}

static int
cmp_pair(const void *a, const void *b)
{
	const RecPair *x = a;
	const RecPair *y = b;

	if (x->score != y->score)
		return y->score - x->score;
	if (x->days != y->days)
		return x->days - y->days;
	if (x->bank != y->bank)
		return x->bank - y->bank;
	return x->book - y->book;
}

static int
option_int(Jsonb *opts, const char *key, int dflt, int lo, int hi)
{
	JsonbValue	k;
	JsonbValue *v;
	int			n;

	if (opts == NULL)
		return dflt;
	k.type = jbvString;
	k.val.string.val = (char *) key;
	k.val.string.len = strlen(key);
	v = findJsonbValueFromContainer(&opts->root, JB_FOBJECT, &k);
	if (v == NULL)
		return dflt;
	if (v->type != jbvNumeric)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("reconcile option \"%s\" must be a number", key)));
	n = DatumGetInt32(DirectFunctionCall1(numeric_int4, NumericGetDatum(v->val.numeric)));
	if (n < lo || n > hi)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("reconcile option \"%s\" is %d, outside %d to %d", key, n, lo, hi)));
	return n;
}

static bool
contains(const char *hay, const char *needle)
{
	return hay != NULL && needle != NULL && strlen(needle) >= 4 && strstr(hay, needle) != NULL;
}

static void
put(ReturnSetInfo *rsinfo, const char *bank, const char *book, int score, const char *rule)
{
	Datum		values[4];
	bool		nulls[4] = {bank == NULL, book == NULL, score < 0, false};

	values[0] = bank ? CStringGetTextDatum(bank) : (Datum) 0;
	values[1] = book ? CStringGetTextDatum(book) : (Datum) 0;
	values[2] = score >= 0 ? NumericGetDatum(o2c_units_numeric((int128) score * 1000000, 2)) : (Datum) 0;
	values[3] = CStringGetTextDatum(rule);
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
}

/* Both sides and the pairs taken, one to one (rows marked used). */
typedef struct RecResult
{
	RecRow	   *bank;
	RecRow	   *book;
	int			nbank;
	int			nbook;
	RecPair    *pairs;			/* taken pairs, best first */
	int			npairs;
	int			window;
}			RecResult;

static void
reconcile_run(FunctionCallInfo fcinfo, RecResult *rr)
{
	char	   *bank_sql = text_to_cstring(PG_GETARG_TEXT_PP(0));
	char	   *book_sql = text_to_cstring(PG_GETARG_TEXT_PP(1));
	Jsonb	   *opts = PG_NARGS() > 2 ? PG_GETARG_JSONB_P(2) : NULL;
	MemoryContext outer = CurrentMemoryContext;
	int			window,
				min_score;
	RecRow	   *bank,
			   *book;
	RecRow	  **sorted;
	int			nbank,
				nbook,
				i;
	RecPair    *pairs;
	int			npairs = 0,
				taken = 0,
				cap = 64;

	if (opts != NULL && !JB_ROOT_IS_OBJECT(opts))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("reconcile options must be a JSON object")));
	window = option_int(opts, "date_window", 3, 0, 366);
	min_score = option_int(opts, "min_score", 0, 0, 100);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	bank = load_rows("bank_sql", bank_sql, bank_cols, lengthof(bank_cols), &nbank, outer);
	book = load_rows("book_sql", book_sql, book_cols, lengthof(book_cols), &nbook, outer);
	SPI_finish();

	/* book rows by amount, to find equal amounts by binary search */
	sorted = palloc(sizeof(RecRow *) * (nbook + 1));
	for (i = 0; i < nbook; i++)
		sorted[i] = &book[i];
	qsort(sorted, nbook, sizeof(RecRow *), cmp_amount);

	pairs = palloc(sizeof(RecPair) * cap);
	for (i = 0; i < nbank; i++)
	{
		RecRow	   *b = &bank[i];
		int			lo = 0,
					hi = nbook,
					steps;

		while (lo < hi)
		{
			int			mid = lo + (hi - lo) / 2;

			if (sorted[mid]->amount < b->amount)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (steps = 0; lo < nbook && sorted[lo]->amount == b->amount &&
			 steps < MAX_CANDIDATES; lo++, steps++)
		{
			RecRow	   *p = sorted[lo];
			int			days = abs((int) (b->date - p->date));
			bool		ref,
						party;
			int			score;

			CHECK_FOR_INTERRUPTS();
			if (days > window)
				continue;
			if (b->currency && p->currency && pg_strcasecmp(b->currency, p->currency) != 0)
				continue;
			ref = contains(b->text, p->reference);
			party = (b->name && p->name && b->name[0] &&
					 (strcmp(b->name, p->name) == 0 || contains(b->name, p->name) ||
					  contains(p->name, b->name))) ||
				(b->account && p->account && b->account[0] && strcmp(b->account, p->account) == 0);
			/* amount and date 50, reference 30, counterparty 20, less a day's 1 */
			score = 50 + (ref ? 30 : 0) + (party ? 20 : 0) - Min(days, 10);
			if (score < min_score)
				continue;
			if (npairs == cap)
			{
				cap *= 2;
				pairs = repalloc(pairs, sizeof(RecPair) * cap);
			}
			pairs[npairs].bank = i;
			pairs[npairs].book = (int) (p - book);
			pairs[npairs].score = score;
			pairs[npairs].days = days;
			pairs[npairs].rule = ref && party ? "reference+counterparty"
				: ref ? "reference" : party ? "counterparty" : "amount_date";
			npairs++;
		}
	}
	qsort(pairs, npairs, sizeof(RecPair), cmp_pair);
	for (i = 0; i < npairs; i++)
	{
		RecPair    *pr = &pairs[i];

		if (bank[pr->bank].used || book[pr->book].used)
			continue;
		bank[pr->bank].used = book[pr->book].used = true;
		pairs[taken++] = *pr;
	}
	rr->bank = bank;
	rr->book = book;
	rr->nbank = nbank;
	rr->nbook = nbook;
	rr->pairs = pairs;
	rr->npairs = taken;
	rr->window = window;
}

Datum
o2c_reconcile(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	RecResult	rr;
	int			i;

	InitMaterializedSRF(fcinfo, 0);
	reconcile_run(fcinfo, &rr);
	for (i = 0; i < rr.npairs; i++)
	{
		RecPair    *pr = &rr.pairs[i];

		put(rsinfo, rr.bank[pr->bank].id, rr.book[pr->book].id, pr->score, pr->rule);
	}
	for (i = 0; i < rr.nbank; i++)
		if (!rr.bank[i].used)
			put(rsinfo, rr.bank[i].id, NULL, -1, "unmatched_bank");
	for (i = 0; i < rr.nbook; i++)
		if (!rr.book[i].used)
			put(rsinfo, NULL, rr.book[i].id, -1, "unmatched_book");
	return (Datum) 0;
}

/* One statement of the report: its lines' counts and sums (10^-8 units). */
typedef struct RecStmt
{
	const char *statement;
	const char *message;
	const char *currency;
	DateADT		first;
	DateADT		last;
	int			lines;
	int			matched;
	int			unmatched_bank;
	int			unmatched_book;
	int128		bank_sum;
	int128		matched_sum;
	int128		unmatched_bank_sum;
	int128		unmatched_book_sum;
}			RecStmt;

static bool
same_text(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/*
 * o2c.reconcile_report: the reconciliation per statement (statement_id of
 * the bank query, NULL for all lines when it has none): its lines, how many
 * and how much matched, what is unmatched on the bank side, the payments
 * unmatched whose date is nearest its dates (within the window) in its
 * currency, and the difference that remains. Payments near no statement are
 * a row per currency, with a NULL statement.
 */
Datum
o2c_reconcile_report(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	RecResult	rr;
	RecStmt    *st;
	int			nst = 0,
				i,
				k,
				scale = 2;
	RecStmt    *none;			/* payments near no statement, per currency */
	int			nnone = 0;

	InitMaterializedSRF(fcinfo, 0);
	reconcile_run(fcinfo, &rr);
	st = palloc0(sizeof(RecStmt) * (rr.nbank + 1));
	none = palloc0(sizeof(RecStmt) * (rr.nbook + 1));
	/* statements in order of their first line */
	for (i = 0; i < rr.nbank; i++)
	{
		RecRow	   *b = &rr.bank[i];

		for (k = 0; k < nst; k++)
			if (same_text(st[k].statement, b->statement) && same_text(st[k].message, b->message))
				break;
		if (k == nst)
		{
			st[nst].statement = b->statement;
			st[nst].message = b->message;
			st[nst].currency = b->currency;
			st[nst].first = st[nst].last = b->date;
			nst++;
		}
		st[k].first = Min(st[k].first, b->date);
		st[k].last = Max(st[k].last, b->date);
		if (st[k].currency == NULL)
			st[k].currency = b->currency;
		st[k].lines++;
		st[k].bank_sum += b->amount;
		if (b->used)
			st[k].matched++, st[k].matched_sum += b->amount;
		else
			st[k].unmatched_bank++, st[k].unmatched_bank_sum += b->amount;
		scale = Max(scale, b->dscale);
	}
	/*
	 * A payment left over belongs to the statement of its currency whose
	 * dates are nearest (within the window; the first of equals).
	 */
	for (i = 0; i < rr.nbook; i++)
	{
		RecRow	   *p = &rr.book[i];
		RecStmt    *to = NULL;
		int			best;

		scale = Max(scale, p->dscale);
		if (p->used)
			continue;
		for (k = 0, best = rr.window + 1; k < nst; k++)
		{
			int			d = p->date < st[k].first ? st[k].first - p->date
				: p->date > st[k].last ? p->date - st[k].last : 0;

			if (d < best &&
				!(p->currency && st[k].currency && pg_strcasecmp(p->currency, st[k].currency) != 0))
			{
				to = &st[k];
				best = d;
			}
		}
		if (to == NULL)
		{
			/* near no statement: a row of its currency, never summed across */
			for (k = 0; k < nnone; k++)
				if ((none[k].currency == NULL && p->currency == NULL) ||
					(none[k].currency && p->currency && pg_strcasecmp(none[k].currency, p->currency) == 0))
					break;
			if (k == nnone)
				none[nnone++].currency = p->currency;
			to = &none[k];
		}
		to->unmatched_book++;
		to->unmatched_book_sum += p->amount;
	}
	for (k = 0; k < nst + nnone; k++)
	{
		RecStmt    *r = k < nst ? &st[k] : &none[k - nst];
		Datum		values[12];
		bool		nulls[12];
		int128		sums[5];
		int			c;

		memset(nulls, 0, sizeof(nulls));
		nulls[0] = r->statement == NULL;
		nulls[1] = r->message == NULL;
		nulls[2] = r->currency == NULL;
		if (!nulls[0])
			values[0] = CStringGetTextDatum(r->statement);
		if (!nulls[1])
			values[1] = CStringGetTextDatum(r->message);
		if (!nulls[2])
			values[2] = CStringGetTextDatum(r->currency);
		values[3] = Int32GetDatum(r->lines);
		values[4] = Int32GetDatum(r->matched);
		values[5] = Int32GetDatum(r->unmatched_bank);
		values[6] = Int32GetDatum(r->unmatched_book);
		sums[0] = r->bank_sum;
		sums[1] = r->matched_sum;
		sums[2] = r->unmatched_bank_sum;
		sums[3] = r->unmatched_book_sum;
		/* what the bank shows that the books do not, less the reverse */
		sums[4] = r->unmatched_bank_sum - r->unmatched_book_sum;
		for (c = 0; c < 5; c++)
			values[7 + c] = NumericGetDatum(o2c_units_numeric(sums[c], scale));
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}
