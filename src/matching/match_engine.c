/*
 * match_engine.c — the cash-application engine behind o2c.match_payments
 * (match.c reads the rows): indexes, candidate look-ups, scoring and
 * placement.
 *
 * Candidates come only from hash look-ups (normalized reference, the digits
 * of a reference, one-edit variants of those digits, customer id, IBAN, and
 * word prefixes of normalized customer names), never from comparing every
 * payment with every invoice. Each option for a payment gets a score =
 * identification evidence x amount fit (README "How a match is scored");
 * the best option is applied, and it is automatic only when its score clears
 * auto_threshold and the runner-up is at least margin below it.
 */
#include "postgres.h"

#include "core/o2c.h"
#include "match.h"
#include "strsim.h"

#include "common/hashfn.h"
#include "miscadmin.h"

/* ---------- string map (match.h) ---------- */

#define SH_PREFIX		strmap
#define SH_ELEMENT_TYPE	StrMapEntry
#define SH_KEY_TYPE		const char *
#define SH_KEY			key
#define SH_HASH_KEY(tb, k)	hash_bytes((const unsigned char *) (k), strlen(k))
#define SH_EQUAL(tb, a, b)	(strcmp(a, b) == 0)
#define SH_STORE_HASH
#define SH_GET_HASH(tb, e)	((e)->hash)
#define SH_SCOPE		extern
#define SH_DEFINE
#include "lib/simplehash.h"

/* Digits after a letter prefix ("inv123" -> "123"), or NULL. */
char *
o2c_match_ref_core(const char *r)
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

/* ---------- indexes ---------- */

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
	int		   *slot = o2c_strmap_slot(m->namekeys, key);
	NameKey    *k;

	if (*slot < 0)
	{
		if (m->n_name_keys % 1024 == 0)
			m->name_keys = m->n_name_keys == 0 ? palloc(sizeof(NameKey) * 1024)
				: repalloc_huge(m->name_keys, sizeof(NameKey) * (m->n_name_keys + 1024));
		*slot = m->n_name_keys++;
		m->name_keys[*slot].head = -1;
		m->name_keys[*slot].count = 0;
	}
	k = &m->name_keys[*slot];
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

/* Name keys: the first 3 bytes of each word of 3+ bytes of a normalized name. */
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
			slot = o2c_strmap_slot(m->refs, iv->ref);
			iv->next_ref = *slot;
			*slot = i;
		}
		if (iv->core)
		{
			slot = o2c_strmap_slot(m->cores, iv->core);
			iv->next_core = *slot;
			*slot = i;
		}
	}
	m->n_name_keys = 0;
	m->name_keys = NULL;
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

		for (int i = iv->disc_scale; i < UNIT_SCALE; i++)
			step *= 10;

		/*
		 * r (10^-8) x pct (10^-8) / 100 -> 10^-8 units, rounded half up to
		 * disc_scale decimals; truncating first changes nothing below 8
		 * decimals, where step/2 is a whole number of units.
		 */
		disc = round_to_step(r * iv->disc_pct / ((int128) 100 * 100000000), step);
		if (a - (r - disc) <= step && (r - disc) - a <= step)
		{
			*rule = "discount";
			*settles = true;
			return FIT_DISCOUNT;
		}
	}
	/*
	 * A flat tolerance sized for bank fees would cover most of a small
	 * invoice: beyond SHORT_PAY_MAX_SHARE of the open amount (unless
	 * tolerance_percent allows it) the short pay is only proposed.
	 */
	tol = Min(m->opt.tolerance, r * SHORT_PAY_MAX_SHARE / 100);
	if (m->opt.tolerance_pct > 0)
	{
		int128		t = r * m->opt.tolerance_pct / ((int128) 100 * 100000000);

		if (t > tol)
			tol = t;
	}
	if (r - a <= tol || r - a <= m->opt.tolerance)
	{
		*rule = "short_pay";
		*settles = true;
		return r - a <= tol ? FIT_SHORT_PAY : FIT_SHORT_PAY_LARGE;
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
		/* a short pay or discount only proposed leaves the rest open to later payments */
		iv->remaining = o->settles && is_auto ? 0 : iv->remaining - amt;
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
	for (int i = o2c_strmap_get(m->refs, key); i >= 0; i = m->inv[i].next_ref)
		if (!fuzzy || strlen(m->inv[i].ref) >= 6)
			add_cand(m, c, p, i, ev_ref);
	for (int i = o2c_strmap_get(m->cores, key); i >= 0; i = m->inv[i].next_core)
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
	if (p->iban && o2c_strmap_get(m->ibans, p->iban) == cust)
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
	bool		written_fits = false;

	if (p->reference == NULL)
		return false;
	nrefs = o2c_extract_refs(p->reference, strlen(p->reference), &refs);
	c.n = 0;
	for (int r = 0; r < nrefs && r < 16; r++)
	{
		char	   *core = o2c_match_ref_core(refs[r]);

		/* bare digits equal to an invoice's digits are as good as the reference */
		lookup_ref(m, &c, p, refs[r], EV_REF_EXACT,
				   all_digits(refs[r]) ? EV_REF_EXACT : EV_REF_CORE, false);
		if (core)
			lookup_ref(m, &c, p, core, EV_REF_CORE, EV_REF_CORE, false);
	}
	for (int r = 0; r < nrefs && r < 16; r++)
	{
		char	   *core = o2c_match_ref_core(refs[r]);

		lookup_fuzzy(m, &c, p, refs[r]);
		if (core)
			lookup_fuzzy(m, &c, p, core);
	}
	for (int i = 0; i < c.n; i++)
		m->seen[c.inv[i]] = 0;
	if (c.n == 0)
		return false;

	/*
	 * Does the reference as written find an invoice that the amount fits
	 * (even as a short pay), or one of the payer's own invoices?
	 */
	for (int i = 0; i < c.n; i++)
	{
		const char *rule;
		bool		settles;
		double		fit;

		if (c.ev[i] < EV_REF_CORE)
			continue;
		fit = amount_fit(m, p, &m->inv[c.inv[i]], &rule, &settles);
		if ((fit >= FIT_SHORT_PAY_LARGE && fit != FIT_OVERPAY) ||
			payer_is_customer(m, p, m->inv[c.inv[i]].cust))
			written_fits = true;
	}
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

		/*
		 * A reference one edit away counts only when the amount confirms it;
		 * only exactly or by a discount when the reference as written finds
		 * a fitting invoice or one of the payer's (a part payment of it).
		 */
		if (c.ev[i] >= EV_REF_CORE || fit > (written_fits ? FIT_SHORT_PAY : FIT_OVERPAY))
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

	if (p->cust_id && (c = o2c_strmap_get(m->custs, p->cust_id)) >= 0)
	{
		out[n].cust = c;
		out[n].ev = EV_CUSTOMER_ID;
		out[n++].rule = "customer";
	}
	if (p->iban && (c = o2c_strmap_get(m->ibans, p->iban)) >= 0 && (n == 0 || out[0].cust != c))
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
			int			slot = o2c_strmap_get(m->namekeys, keys[k]);

			if (slot < 0 || (nk > 1 && m->name_keys[slot].count > NAME_KEY_MAX_LIST))
				continue;
			for (int e = m->name_keys[slot].head; e >= 0 && nt < m->cap_touched; e = m->nk_next[e])
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
		bool		partial_added = false,
					could_be_partial = false;

		/*
		 * Without a reference, a payment short of one invoice may as well be
		 * part of a larger one: then a short pay is only proposed.
		 */
		for (int j = 0; j < c->count; j++)
		{
			Invoice    *iv = &m->inv[m->by_cust[c->first + j]];
			const char *rule;
			bool		settles;

			if (iv->remaining > 0 && currency_ok(p, iv) &&
				amount_fit(m, p, iv, &rule, &settles) == FIT_PARTIAL)
				could_be_partial = true;
		}
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
			if (fit == FIT_SHORT_PAY && could_be_partial)
				fit = FIT_SHORT_PAY_LARGE;
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

/* ---------- placing every payment ---------- */

static int
row_cmp(const void *a, const void *b)
{
	const OutRow *x = a,
			   *y = b;

	if (x->pay != y->pay)
		return x->pay < y->pay ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

void
o2c_match_run(Matcher *m)
{
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
}
