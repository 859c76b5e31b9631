/*
 * camt.c — ISO 20022 bank-to-customer cash management messages to lines
 * (bankfmt.h): camt.053 statements (BkToCstmrStmt/Stmt), camt.052 account
 * reports (BkToCstmrAcctRpt/Rpt) and camt.054 debit/credit notifications
 * (BkToCstmrDbtCdtNtfctn/Ntfctn), every version, by one code path keyed on
 * the elements, not on the namespace: the message element is found under a
 * Document (or any envelope around it), whatever namespace it is in, so
 * national usage guidelines that keep the ISO elements read the same.
 *
 * The booked amount is the truth: a line's amount and sign are its entry's
 * Ntry/Amt and CdtDbtInd. An entry is split into one line per TxDtls only
 * when it has two or more and their amounts in the entry's currency add up
 * to the booked amount; otherwise it is one line, carrying the details of
 * its single TxDtls. No line is in another currency than its account; the
 * instructed amount and the exchange rate have their own fields. Safety first: the encoding is decided before libxml2 sees a byte
 * (UTF-8, US-ASCII, ISO-8859-1, ISO-8859-15 or windows-1252; anything else,
 * such as UTF-7, UTF-16/32 or EBCDIC, is refused) and libxml2 is told to
 * read in it, whatever the document declares; any DTD libxml2 parses (a
 * DOCTYPE node, an internal or external subset) refuses the document, so no
 * entity is ever expanded or loaded; libxml2 runs with network access off and
 * without entity substitution or DTD loading, and the input size is capped.
 * A streaming reader expands one child of a Stmt (an entry) at a time and
 * frees it as it moves on, so memory holds the input, the compact lines and
 * one entry's tree, whatever the size of a statement. Plain C over buffers
 * and libxml2, so fuzzers reach it.
 */
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlreader.h>

#include "bankfmt.h"

#define CAMT_MAX_BYTES (512 * 1024 * 1024)
/* envelopes (BizMsgEnvlp, AppHdr + Document, ...) are searched this deep */
#define CAMT_MAX_ENVELOPE 8

typedef struct Camt
{
	O2cBankResult *res;
	O2cError   *err;
	bool		strict;
	bool		xml_failed;
	const char *msg;			/* "camt.053", ... once its element is seen */
	/* the statement being read, one child element at a time */
	O2cBankStmt *stmt;
	int			line_no;
	bool		seen_id;
	bool		seen_acct;
	bool		opbd;			/* an OPBD balance came: PRCD no longer opens */
	bool		clbd;			/* a CLBD came: ITBD (camt.052) no longer closes */
	xmlNode    *summary;		/* a copy of its TxsSummry, checked at its end */
	/* the current statement's entries, for its TxsSummry */
	long		entries;
	long		credits;
	long		debits;
	__int128	credit_sum;
	__int128	debit_sum;
} Camt;

static bool
named(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && strcmp((const char *) n->name, name) == 0;
}

static xmlNode *
child(xmlNode *n, const char *name)
{
	xmlNode    *c;

	if (n == NULL)
		return NULL;
	for (c = n->children; c != NULL; c = c->next)
		if (named(c, name))
			return c;
	return NULL;
}

/* Walk "A/B/C" from n; NULL when any step is missing. */
static xmlNode *
path(xmlNode *n, const char *p)
{
	char		step[32];

	while (n != NULL && *p)
	{
		const char *slash = strchr(p, '/');
		size_t		len = slash ? (size_t) (slash - p) : strlen(p);

		memcpy(step, p, len);
		step[len] = '\0';
		n = child(n, step);
		p += len + (slash ? 1 : 0);
	}
	return n;
}

/* The element's text, trimmed, or NULL (not copied). */
static const char *
text(xmlNode *n, size_t *len)
{
	xmlNode    *c;

	if (n == NULL)
		return NULL;
	for (c = n->children; c != NULL; c = c->next)
		if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE)
		{
			const char *s = (const char *) c->content;
			size_t		l = strlen(s);

			while (l > 0 && (*s == ' ' || *s == '\n' || *s == '\r' || *s == '\t'))
				s++, l--;
			while (l > 0 && (s[l - 1] == ' ' || s[l - 1] == '\n' || s[l - 1] == '\r' || s[l - 1] == '\t'))
				l--;
			if (l == 0)
				continue;
			*len = l;
			return s;
		}
	return NULL;
}

static char *
dup(Camt *c, xmlNode *n)
{
	size_t		len;
	const char *s = text(n, &len);

	return s ? o2c_bank_strndup(c->res, s, len) : NULL;
}

static const char *
label(Camt *c)
{
	return c->msg ? c->msg : "camt";
}

/* the statement's id as messages quote it (storage of the caller's block) */
#define stmt_id(s) o2c_quote_cstr((s) && (s)->statement_id ? (s)->statement_id : "")

static bool
syntax(Camt *c, xmlNode *n, const char *expected)
{
	o2c_fail(c->err, O2C_ERR_SYNTAX,
			 "invalid %s document: line %ld: expected %s",
			 label(c), n ? xmlGetLineNo(n) : 0L, expected);
	return false;
}

/* Dt or DtTm inside n (YYYY-MM-DD...), as yyyymmdd; 0 when absent. */
static bool
date_of(Camt *c, xmlNode *n, int32_t *out)
{
	xmlNode    *d;
	size_t		len;
	const char *s;
	int			i,
				y,
				m,
				dd;

	*out = 0;
	if (n == NULL)
		return true;
	d = child(n, "Dt");
	if (d == NULL)
		d = child(n, "DtTm");
	s = text(d, &len);
	if (s == NULL)
		return true;
	if (len < 10 || s[4] != '-' || s[7] != '-')
		return syntax(c, d, "a date YYYY-MM-DD");
	for (i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return syntax(c, d, "a date YYYY-MM-DD");
	y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	m = (s[5] - '0') * 10 + (s[6] - '0');
	dd = (s[8] - '0') * 10 + (s[9] - '0');
	if (!o2c_bank_valid_date(y, m, dd))
		return o2c_fail(c->err, O2C_ERR_DATETIME,
						"invalid %s document: line %ld: \"%.10s\" is not a date",
						label(c), xmlGetLineNo(d), s);
	*out = y * 10000 + m * 100 + dd;
	return true;
}

/* Amount text of an element, unsigned, and its scale; false if malformed. */
static bool
parse_amount(Camt *c, xmlNode *amt, int64_t *units, int *scale)
{
	size_t		len;
	const char *t = text(amt, &len);

	if (t == NULL || !o2c_bank_amount(t, len, units, scale))
		return syntax(c, amt, "an amount such as 1234.56 in Amt");
	return true;
}

/* The Ccy attribute of an amount element, into ccy[4] ("" when absent). */
static void
currency_of(xmlNode *amt, char ccy[4])
{
	xmlChar    *v = amt ? xmlGetProp(amt, (const xmlChar *) "Ccy") : NULL;

	ccy[0] = '\0';
	if (v != NULL)
	{
		if (strlen((const char *) v) == 3)
			memcpy(ccy, v, 4);
		xmlFree(v);
	}
}

/*
 * Amount of a statement-level Amt (Bal, Ntry), unsigned; updates the
 * statement's scale and, for the first one, its currency when the account
 * gave none. An entry in another currency than the account's is refused in
 * both modes: no line is ever in another currency than its account. Such a
 * balance is refused in strict mode and ignored, with a warning, in lax
 * mode (*ignored set).
 */
static bool
amount_of(Camt *c, xmlNode *amt, O2cBankStmt *s, int64_t *units, bool *ignored)
{
	int			scale;
	char		ccy[4];

	if (!parse_amount(c, amt, units, &scale))
		return false;
	currency_of(amt, ccy);
	if (ccy[0] != '\0' && s->currency != NULL && strcmp(s->currency, ccy) != 0 &&
		ignored != NULL && !c->strict)
	{
		o2c_bank_warn(c->res, "%s statement \"%s\": line %ld: balance in %s, the account is in %s; balance ignored",
					  label(c), stmt_id(s), xmlGetLineNo(amt), ccy, s->currency);
		*ignored = true;
		return true;
	}
	if (scale > s->dscale)
		s->dscale = scale;
	if (ccy[0] == '\0')
		return true;
	if (s->currency == NULL)
		s->currency = o2c_bank_strndup(c->res, ccy, 3);
	else if (strcmp(s->currency, ccy) != 0)
	{
		o2c_fail(c->err, O2C_ERR_DATA,
				 "%s statement \"%s\": line %ld: %s amount in %s, the account is in %s",
				 label(c), stmt_id(s), xmlGetLineNo(amt),
				 amt->parent ? (const char *) amt->parent->name : "an",
				 ccy, s->currency);
		o2c_fail_detail(c->err, "A statement line is always in its account's currency; the instructed amount of a foreign payment is in AmtDtls/InstdAmt.");
		return false;
	}
	return true;
}

/* CRDT or DBIT; *has false when the element is absent. */
static bool
direction(Camt *c, xmlNode *n, bool *credit, bool *has)
{
	size_t		len;
	xmlNode    *ind = child(n, "CdtDbtInd");
	const char *t = text(ind, &len);

	*has = t != NULL;
	if (t == NULL)
		return true;
	if (len == 4 && memcmp(t, "CRDT", 4) == 0)
		*credit = true;
	else if (len == 4 && memcmp(t, "DBIT", 4) == 0)
		*credit = false;
	else
		return syntax(c, ind, "CRDT or DBIT in CdtDbtInd");
	return true;
}

/*
 * One Bal: OPBD (or PRCD before any OPBD) opens, CLBD closes; in a camt.052
 * report without CLBD, the last interim booked balance (ITBD) closes.
 */
static bool
balance(Camt *c, xmlNode *b, O2cBankStmt *s)
{
	size_t		len;
	const char *code;
	int64_t		units;
	bool		credit = true,
				has,
				ignored = false;
	bool		opening;

	code = text(path(b, "Tp/CdOrPrtry/Cd"), &len);
	if (code == NULL || len != 4)
		return true;
	if (memcmp(code, "OPBD", 4) == 0 || (memcmp(code, "PRCD", 4) == 0 && !c->opbd))
		opening = true;
	else if (memcmp(code, "CLBD", 4) == 0 ||
			 (memcmp(code, "ITBD", 4) == 0 && !c->clbd && strcmp(s->message, "camt.052") == 0))
		opening = false;
	else
		return true;
	if (!amount_of(c, child(b, "Amt"), s, &units, &ignored) || !direction(c, b, &credit, &has))
		return false;
	if (!has)
	{
		/* seen in real files; the sign of a balance is never guessed */
		if (!c->strict)
		{
			o2c_bank_warn(c->res, "%s statement \"%s\": line %ld: balance %.4s without CdtDbtInd; balance ignored",
						  label(c), stmt_id(s), xmlGetLineNo(b), code);
			return true;
		}
		o2c_fail(c->err, O2C_ERR_SYNTAX,
				 "%s statement \"%s\": line %ld: balance %.4s without CdtDbtInd",
				 label(c), stmt_id(s), xmlGetLineNo(b), code);
		o2c_fail_hint(c->err, "Pass strict => false to read the lines without this balance.");
		return false;
	}
	if (ignored)
		return true;
	if (!credit)
		units = -units;
	if (opening)
	{
		c->opbd = c->opbd || memcmp(code, "OPBD", 4) == 0;
		s->has_opening = true;
		s->opening = units;
	}
	else
	{
		c->clbd = c->clbd || memcmp(code, "CLBD", 4) == 0;
		s->has_closing = true;
		s->closing = units;
	}
	return true;
}

static char *
account_of(Camt *c, xmlNode *acct)
{
	char	   *a = dup(c, path(acct, "Id/IBAN"));

	if (a == NULL)
		a = dup(c, path(acct, "Id/Othr/Id"));
	/* version 001.01 */
	if (a == NULL)
		a = dup(c, path(acct, "Id/PrtryAcct/Id"));
	if (a == NULL)
		a = dup(c, path(acct, "Id/BBAN"));
	return a;
}

static char *
party_name(Camt *c, xmlNode *party)
{
	char	   *n = dup(c, child(party, "Nm"));

	/* camt.053.001.08 wraps the party in Pty */
	return n ? n : dup(c, path(party, "Pty/Nm"));
}

/* Unstructured remittance lines joined by a space. */
static char *
remittance_of(Camt *c, xmlNode *rmt)
{
	xmlNode    *u;
	char	   *r = NULL;

	if (rmt == NULL)
		return NULL;
	for (u = rmt->children; u != NULL; u = u->next)
	{
		size_t		len;
		const char *t;

		if (!named(u, "Ustrd") || (t = text(u, &len)) == NULL)
			continue;
		if (r == NULL)
			r = o2c_bank_strndup(c->res, t, len);
		else
		{
			size_t		rl = strlen(r);

			r = o2c_bank_concat(c->res, r, rl, " ", 1);
			r = o2c_bank_concat(c->res, r, rl + 1, t, len);
		}
	}
	return r;
}

static char *
creditor_reference(Camt *c, xmlNode *rmt)
{
	xmlNode    *s;

	if (rmt == NULL)
		return NULL;
	for (s = rmt->children; s != NULL; s = s->next)
	{
		char	   *r;

		if (named(s, "Strd") && (r = dup(c, path(s, "CdtrRefInf/Ref"))) != NULL)
			return r;
	}
	return NULL;
}

/*
 * The amount of a TxDtls in the entry's currency ccy: TxDtls/Amt (001.03
 * on), AmtDtls/TxAmt, AmtDtls/CntrValAmt, AmtDtls/InstdAmt, the first whose
 * currency is ccy (or unstated). *found false when none is.
 */
static bool
tx_amount(Camt *c, xmlNode *tx, const char *ccy, int64_t *units, int *scale, bool *found)
{
	static const char *const where[] = {
		"Amt", "AmtDtls/TxAmt/Amt", "AmtDtls/CntrValAmt/Amt", "AmtDtls/InstdAmt/Amt", NULL
	};
	int			i;

	*found = false;
	for (i = 0; where[i]; i++)
	{
		xmlNode    *amt = path(tx, where[i]);
		char		cc[4];

		if (amt == NULL)
			continue;
		currency_of(amt, cc);
		if (cc[0] != '\0' && ccy != NULL && strcmp(cc, ccy) != 0)
			continue;
		if (!parse_amount(c, amt, units, scale))
			return false;
		*found = true;
		return true;
	}
	return true;
}

/* The instructed amount and exchange rate of n (a TxDtls or an Ntry). */
static bool
instructed(Camt *c, xmlNode *n, O2cBankLine *l)
{
	static const char *const rates[] = {
		"AmtDtls/InstdAmt/CcyXchg/XchgRate", "AmtDtls/TxAmt/CcyXchg/XchgRate",
		"AmtDtls/CntrValAmt/CcyXchg/XchgRate", NULL
	};
	xmlNode    *amt = path(n, "AmtDtls/InstdAmt/Amt");
	int			i;

	if (amt != NULL && (l->instructed == NULL || !l->instructed->has_amount))
	{
		char		cc[4];
		int64_t		units;
		int			scale;

		if (!parse_amount(c, amt, &units, &scale))
			return false;
		currency_of(amt, cc);
		if (l->instructed == NULL)
			l->instructed = o2c_bank_alloc(c->res, sizeof(O2cBankInstructed));
		l->instructed->has_amount = true;
		l->instructed->amount = l->credit ? units : -units;
		l->instructed->scale = scale;
		if (cc[0] != '\0')
			l->instructed->currency = o2c_bank_strndup(c->res, cc, 3);
	}
	for (i = 0; rates[i] && (l->instructed == NULL || l->instructed->exchange_rate == NULL); i++)
	{
		xmlNode    *r = path(n, rates[i]);
		size_t		len;
		const char *t = text(r, &len);

		if (r == NULL)
			continue;
		if (t == NULL || !o2c_bank_decimal_text(t, len))
			return syntax(c, r, "an exchange rate such as 1.0842 in XchgRate");
		if (l->instructed == NULL)
			l->instructed = o2c_bank_alloc(c->res, sizeof(O2cBankInstructed));
		l->instructed->exchange_rate = o2c_bank_strndup(c->res, t, len);
	}
	return true;
}

/* References, remittance and parties of one TxDtls onto l. */
static bool
details(Camt *c, O2cBankLine *l, xmlNode *tx, const char *info)
{
	xmlNode    *rmt = child(tx, "RmtInf");
	xmlNode    *parties = child(tx, "RltdPties");
	char	   *ref;
	char	   *bref = dup(c, path(tx, "Refs/AcctSvcrRef"));

	if (bref != NULL)
		l->bank_reference = bref;
	ref = creditor_reference(c, rmt);
	if (ref == NULL)
	{
		ref = dup(c, path(tx, "Refs/EndToEndId"));
		if (ref != NULL && strcmp(ref, "NOTPROVIDED") == 0)
			ref = NULL;
	}
	l->reference = ref;
	l->remittance = remittance_of(c, rmt);
	if (l->remittance == NULL)
		l->remittance = dup(c, child(tx, "AddtlTxInf"));
	if (l->remittance == NULL)
		l->remittance = (char *) info;
	/* the other party: who paid us, or whom we paid */
	if (l->credit)
	{
		l->counterparty_name = party_name(c, child(parties, "Dbtr"));
		l->counterparty_account = account_of(c, child(parties, "DbtrAcct"));
	}
	else
	{
		l->counterparty_name = party_name(c, child(parties, "Cdtr"));
		l->counterparty_account = account_of(c, child(parties, "CdtrAcct"));
	}
	return instructed(c, tx, l);
}

static O2cBankLine *
new_line(Camt *c, int *line_no, int32_t bdate, int32_t vdate, bool credit,
		 int64_t units, char *type, char *bank_ref, bool unbooked)
{
	O2cBankLine *l = o2c_bank_add_line(c->res);

	l->line_no = ++*line_no;
	l->booking_date = bdate;
	l->value_date = vdate;
	l->credit = credit;
	l->amount = credit ? units : -units;
	l->type_code = type;
	l->bank_reference = bank_ref;
	l->unbooked = unbooked;
	return l;
}

/* The TxDtls after prev in an entry (over all its NtryDtls); NULL at the end. */
static xmlNode *
next_tx(xmlNode *ntry, xmlNode *prev)
{
	xmlNode    *d = prev ? prev->parent : NULL;
	xmlNode    *tx = prev ? prev->next : NULL;

	if (prev == NULL)
	{
		for (d = ntry->children; d != NULL && !named(d, "NtryDtls"); d = d->next)
			;
		tx = d ? d->children : NULL;
	}
	while (d != NULL)
	{
		for (; tx != NULL; tx = tx->next)
			if (named(tx, "TxDtls"))
				return tx;
		for (d = d->next; d != NULL && !named(d, "NtryDtls"); d = d->next)
			;
		tx = d ? d->children : NULL;
	}
	return NULL;
}

static bool
entry(Camt *c, xmlNode *ntry, O2cBankStmt *s, int *line_no)
{
	int64_t		units;
	bool		credit = true,
				has;
	int32_t		bdate,
				vdate;
	char	   *bank_ref = dup(c, child(ntry, "AcctSvcrRef"));
	char	   *info = dup(c, child(ntry, "AddtlNtryInf"));
	char	   *type = NULL;
	char	   *status;
	bool		unbooked;
	xmlNode    *btc = child(ntry, "BkTxCd");
	xmlNode    *tx,
			   *single = NULL;
	int			ntx = 0,
				with_amount = 0;
	__int128	txsum = 0;
	__int128	booked;
	O2cBankLine *l;

	if (!amount_of(c, child(ntry, "Amt"), s, &units, NULL) || !direction(c, ntry, &credit, &has))
		return false;
	if (!has)
		return syntax(c, ntry, "CdtDbtInd in Ntry");
	booked = credit ? units : -units;
	c->entries++;
	if (credit)
		c->credits++, c->credit_sum += units;
	else
		c->debits++, c->debit_sum += units;
	/* Sts is a code (001.02-08) or holds one in Cd (001.09 on) */
	status = dup(c, child(ntry, "Sts"));
	if (status == NULL)
		status = dup(c, path(ntry, "Sts/Cd"));
	unbooked = status != NULL && strcmp(status, "BOOK") != 0;
	if (unbooked)
		s->unbooked++;
	if (!date_of(c, child(ntry, "BookgDt"), &bdate) ||
		!date_of(c, child(ntry, "ValDt"), &vdate))
		return false;
	if (btc != NULL)
	{
		char	   *dom = dup(c, path(btc, "Domn/Cd"));

		if (dom != NULL)
		{
			char	   *fam = dup(c, path(btc, "Domn/Fmly/Cd"));
			char	   *sub = dup(c, path(btc, "Domn/Fmly/SubFmlyCd"));

			type = dom;
			if (fam)
				type = o2c_bank_concat(c->res, o2c_bank_concat(c->res, type, strlen(type), "/", 1),
									   strlen(type) + 1, fam, strlen(fam));
			if (sub)
				type = o2c_bank_concat(c->res, o2c_bank_concat(c->res, type, strlen(type), "/", 1),
									   strlen(type) + 1, sub, strlen(sub));
		}
		else
			type = dup(c, path(btc, "Prtry/Cd"));
	}

	/* the transactions, and whether their amounts add up to the booking */
	for (tx = next_tx(ntry, NULL); tx != NULL; tx = next_tx(ntry, tx))
	{
		int64_t		tunits;
		int			tscale;
		bool		found,
					tcredit = credit;

		ntx++;
		single = tx;
		if (!tx_amount(c, tx, s->currency, &tunits, &tscale, &found))
			return false;
		if (!found)
			continue;
		if (!direction(c, tx, &tcredit, &has))
			return false;
		with_amount++;
		txsum += tcredit ? tunits : -tunits;
	}

	if (ntx >= 2 && with_amount == ntx && txsum == booked)
	{
		/* a batch: one line per transaction, each with its own amount */
		for (tx = next_tx(ntry, NULL); tx != NULL; tx = next_tx(ntry, tx))
		{
			int64_t		tunits;
			int			tscale;
			bool		found,
						tcredit = credit;

			if (!tx_amount(c, tx, s->currency, &tunits, &tscale, &found) ||
				!direction(c, tx, &tcredit, &has))
				return false;
			if (tscale > s->dscale)
				s->dscale = tscale;
			l = new_line(c, line_no, bdate, vdate, tcredit, tunits, type, bank_ref, unbooked);
			if (!details(c, l, tx, info))
				return false;
		}
		return true;
	}
	if (ntx >= 2 && with_amount == ntx)
	{
		char		a[48],
					b[48],
					diff[48];
		int			scale = o2c_bank_stmt_scale(s);

		o2c_bank_format(txsum, scale, a);
		o2c_bank_format(booked, scale, b);
		o2c_bank_format(booked - txsum, scale, diff);
		if (c->strict)
		{
			o2c_fail(c->err, O2C_ERR_DATA,
					 "%s statement \"%s\": batched entry at line %ld does not add up",
					 label(c), stmt_id(s), xmlGetLineNo(ntry));
			o2c_fail_detail(c->err,
							"Statement \"%s\": the %d TxDtls amounts sum to %s, the booked amount (Ntry/Amt) is %s, difference %s.",
							stmt_id(s), ntx, a, b, diff);
			o2c_fail_hint(c->err, "Pass strict => false to read the entry as one line of its booked amount.");
			return false;
		}
		o2c_bank_warn(c->res, "%s statement \"%s\": batched entry at line %ld: its %d TxDtls amounts sum to %s, not the booked %s; read as one line of the booked amount",
					  label(c), stmt_id(s), xmlGetLineNo(ntry), ntx, a, b);
	}

	/* one line of the booked amount */
	l = new_line(c, line_no, bdate, vdate, credit, units, type, bank_ref, unbooked);
	if (ntx == 1 && !details(c, l, single, info))
		return false;
	if (ntx != 1)
		l->remittance = info;
	/* several transactions not split: their remittance texts, for matching */
	for (tx = ntx > 1 && info == NULL ? next_tx(ntry, NULL) : NULL; tx != NULL; tx = next_tx(ntry, tx))
	{
		char	   *r = remittance_of(c, child(tx, "RmtInf"));

		if (r == NULL)
			continue;
		if (l->remittance == NULL)
			l->remittance = r;
		else
		{
			size_t		rl = strlen(l->remittance);

			l->remittance = o2c_bank_concat(c->res, o2c_bank_concat(c->res, l->remittance, rl, "; ", 2),
											rl + 2, r, strlen(r));
		}
	}
	/* the entry's own AmtDtls, where its TxDtls gave none */
	return instructed(c, ntry, l);
}

static bool
summary_mismatch(Camt *c, O2cBankStmt *s, const char *what, const char *found,
				 const char *expected)
{
	if (!c->strict)
	{
		o2c_bank_warn(c->res, "%s statement \"%s\" (line %d): transaction summary %s says %s, the entries give %s; read anyway",
					  label(c), stmt_id(s), s->first_line, what, found, expected);
		return true;
	}
	o2c_fail(c->err, O2C_ERR_DATA,
			 "%s statement \"%s\": transaction summary %s does not match its entries",
			 label(c), stmt_id(s), what);
	o2c_fail_detail(c->err, "Statement \"%s\" (line %d): %s says %s, the entries give %s.",
					stmt_id(s), s->first_line, what, found, expected);
	o2c_fail_hint(c->err, "Pass strict => false to read the lines anyway.");
	return false;
}

/* A TxsSummry that cannot be read: strict refuses it, lax does not check it. */
static bool
summary_unreadable(Camt *c, xmlNode *grp, O2cBankStmt *s, const char *expected)
{
	if (c->strict)
		return syntax(c, grp, expected);
	o2c_bank_warn(c->res, "%s statement \"%s\": line %ld: expected %s; transaction summary not checked",
				  label(c), stmt_id(s), xmlGetLineNo(grp), expected);
	return true;
}

/* TxsSummry: numbers of entries and sums of credits and debits. */
static bool
check_summary(Camt *c, xmlNode *sum, O2cBankStmt *s)
{
	static const char *const groups[] = {"TtlNtries", "TtlCdtNtries", "TtlDbtNtries"};
	int			g;

	for (g = 0; g < 3; g++)
	{
		xmlNode    *grp = child(sum, groups[g]);
		long		count = g == 0 ? c->entries : g == 1 ? c->credits : c->debits;
		__int128	total = g == 1 ? c->credit_sum : c->debit_sum;
		size_t		len;
		const char *t;
		char		what[40],
					a[48],
					b[48];

		if (grp == NULL)
			continue;
		t = text(child(grp, "NbOfNtries"), &len);
		if (t != NULL)
		{
			long		n = 0;
			size_t		i;

			if (len > 15)
				return summary_unreadable(c, grp, s, "a number in NbOfNtries");
			for (i = 0; i < len; i++)
			{
				if (t[i] < '0' || t[i] > '9')
					return summary_unreadable(c, grp, s, "a number in NbOfNtries");
				n = n * 10 + (t[i] - '0');
			}
			if (n != count)
			{
				snprintf(what, sizeof(what), "%s/NbOfNtries", groups[g]);
				snprintf(a, sizeof(a), "%ld", n);
				snprintf(b, sizeof(b), "%ld", count);
				if (!summary_mismatch(c, s, what, a, b))
					return false;
			}
		}
		/* TtlNtries/Sum adds amounts irrespective of direction */
		if (g == 0)
			total = c->credit_sum + c->debit_sum;
		t = text(child(grp, "Sum"), &len);
		if (t != NULL)
		{
			int64_t		v;

			/* some banks write the sum of debits negative: its size is compared */
			if (len > 1 && t[0] == '-')
				t++, len--;
			if (!o2c_bank_amount(t, len, &v, NULL))
				return summary_unreadable(c, grp, s, "an amount such as 1234.56 in Sum");
			if (v != total)
			{
				snprintf(what, sizeof(what), "%s/Sum", groups[g]);
				o2c_bank_format(v, o2c_bank_stmt_scale(s), a);
				o2c_bank_format(total, o2c_bank_stmt_scale(s), b);
				if (!summary_mismatch(c, s, what, a, b))
					return false;
			}
		}
	}
	return true;
}

/*
 * A statement (Stmt, Rpt or Ntfctn) is read one child element at a time
 * (Id, Acct, Bal, TxsSummry, Ntry, ...), each expanded into a small tree
 * that the reader frees as it moves on: memory holds one entry, never the
 * whole statement. Its lines are kept as compact structs until the SRF
 * turns them into rows.
 */
static void
statement_begin(Camt *c, int line)
{
	c->stmt = o2c_bank_add_stmt(c->res);
	c->stmt->first_line = line;
	c->stmt->message = c->msg;
	c->line_no = 0;
	c->seen_id = c->seen_acct = c->opbd = c->clbd = false;
	c->summary = NULL;
	c->entries = c->credits = c->debits = 0;
	c->credit_sum = c->debit_sum = 0;
}

static bool
statement_child(Camt *c, xmlNode *n)
{
	O2cBankStmt *s = c->stmt;

	if (named(n, "Ntry"))
		return entry(c, n, s, &c->line_no);
	if (named(n, "Bal"))
		return balance(c, n, s);
	if (named(n, "Id") && !c->seen_id)
	{
		c->seen_id = true;
		s->statement_id = dup(c, n);
	}
	else if (named(n, "Acct") && !c->seen_acct)
	{
		char	   *ccy = dup(c, child(n, "Ccy"));

		c->seen_acct = true;
		s->account = account_of(c, n);
		if (ccy != NULL && strlen(ccy) != 3)
			return syntax(c, child(n, "Ccy"), "a 3-letter currency in Ccy");
		/* the account's currency, over one an Amt gave before it */
		if (ccy != NULL)
			s->currency = ccy;
	}
	else if (named(n, "TxsSummry") && c->summary == NULL)
	{
		/* it comes before the entries it sums: kept (small) for the end */
		c->summary = xmlCopyNode(n, 1);
		if (c->summary == NULL)
			return o2c_fail(c->err, O2C_ERR_LIMIT, "out of memory copying a %s TxsSummry", label(c));
	}
	return true;
}

static bool
statement_end(Camt *c)
{
	bool		ok = true;
	O2cBankStmt *s = c->stmt;

	if (c->summary != NULL)
	{
		ok = check_summary(c, c->summary, s);
		xmlFreeNode(c->summary);
		c->summary = NULL;
	}
	if (ok && s->unbooked > 0)
		o2c_bank_warn(c->res, "%s statement \"%s\" (line %d): %d entr%s not booked (Sts PDNG, INFO or FUTR) read as lines but left out of the balance check",
					  label(c), stmt_id(s), s->first_line, s->unbooked, s->unbooked == 1 ? "y" : "ies");
	c->stmt = NULL;
	return ok;
}

/* libxml2 reports here (never on stderr); the first error is kept. */
static void
xml_error(void *arg, xmlErrorPtr e)
{
	Camt	   *c = arg;
	char		msg[200];
	size_t		ml;

	if (e == NULL || e->level < XML_ERR_ERROR || c->xml_failed)
		return;
	c->xml_failed = true;
	snprintf(msg, sizeof(msg), "%s", e->message ? e->message : "not well-formed");
	ml = strlen(msg);
	while (ml > 0 && (msg[ml - 1] == '\n' || msg[ml - 1] == ' '))
		msg[--ml] = '\0';
	o2c_fail(c->err, O2C_ERR_SYNTAX, "invalid %s document: line %d: %s", label(c), e->line, msg);
}

/* The encodings read, by the names a declaration may give (any case). */
static const struct
{
	const char *name;
	const char *libxml;			/* what libxml2 is told; NULL: UTF-8 */
}			camt_encodings[] =
{
	{"UTF-8", NULL}, {"UTF8", NULL},
	{"US-ASCII", "US-ASCII"}, {"ASCII", "US-ASCII"},
	{"ISO-8859-1", "ISO-8859-1"}, {"ISO_8859-1", "ISO-8859-1"},
	{"ISO8859-1", "ISO-8859-1"}, {"LATIN1", "ISO-8859-1"},
	{"ISO-8859-15", "ISO-8859-15"}, {"ISO_8859-15", "ISO-8859-15"},
	{"ISO8859-15", "ISO-8859-15"}, {"LATIN-9", "ISO-8859-15"}, {"LATIN9", "ISO-8859-15"},
	{"WINDOWS-1252", "WINDOWS-1252"}, {"CP1252", "WINDOWS-1252"},
	{NULL, NULL}
};

static bool
same_name(const char *a, size_t an, const char *b)
{
	size_t		i;

	if (strlen(b) != an)
		return false;
	for (i = 0; i < an; i++)
	{
		char		c = a[i];

		if (c >= 'a' && c <= 'z')
			c -= 'a' - 'A';
		if (c != b[i])
			return false;
	}
	return true;
}

static bool
refuse_encoding(O2cError *err, const char *name, size_t n, const char *how)
{
	char		shown[48];
	size_t		i;

	/* quote a short, printable prefix of whatever the document says */
	for (i = 0; i < n && i < 40; i++)
		shown[i] = (name[i] > ' ' && name[i] < 0x7f && name[i] != '"') ? name[i] : '?';
	if (n > 40)
		memcpy(shown + i, "...", 3), i += 3;
	shown[i] = '\0';
	o2c_fail(err, O2C_ERR_SYNTAX, "camt document in encoding \"%s\" refused", shown);
	o2c_fail_detail(err, "%s camt is read in UTF-8, US-ASCII, ISO-8859-1, ISO-8859-15 or windows-1252.", how);
	o2c_fail_hint(err, "Convert the file to UTF-8 first, for example with iconv.");
	return false;
}

/*
 * The encoding of buf (past white space and a UTF-8 byte order mark): from
 * a byte order mark or the first bytes of a non-ASCII-compatible encoding,
 * else from the XML declaration, else UTF-8. Sets *libxml to the name
 * libxml2 must read it in (NULL for UTF-8); false, with err filled, when it
 * is not one of the encodings read. Every encoding accepted writes markup
 * as ASCII bytes, so what libxml2 parses is what these bytes say.
 */
static bool
document_encoding(const char *buf, size_t len, const char **libxml, O2cError *err)
{
	static const struct
	{
		const char *bytes;
		size_t		n;
		const char *name;
	}			marks[] =
	{
		/* longest first: FF FE 00 00 is UTF-32LE, not UTF-16LE */
		{"\x00\x00\xFE\xFF", 4, "UTF-32BE"}, {"\xFF\xFE\x00\x00", 4, "UTF-32LE"},
		{"\x00\x00\x00\x3C", 4, "UTF-32BE"}, {"\x3C\x00\x00\x00", 4, "UTF-32LE"},
		{"\x00\x3C\x00\x3F", 4, "UTF-16BE"}, {"\x3C\x00\x3F\x00", 4, "UTF-16LE"},
		{"\x4C\x6F\xA7\x94", 4, "EBCDIC"}, {"\xDD\x73\x66\x73", 4, "UTF-EBCDIC"},
		{"\x84\x31\x95\x33", 4, "GB18030"},
		{"\xFE\xFF", 2, "UTF-16BE"}, {"\xFF\xFE", 2, "UTF-16LE"},
		{"+/v", 3, "UTF-7"}, {"\x0E\xFE\xFF", 3, "SCSU"}, {"\xFB\xEE\x28", 3, "BOCU-1"},
		{NULL, 0, NULL}
	};
	const char *end;
	const char *e;
	size_t		i;
	char		quote;

	*libxml = NULL;
	for (i = 0; marks[i].bytes; i++)
		if (len >= marks[i].n && memcmp(buf, marks[i].bytes, marks[i].n) == 0)
			return refuse_encoding(err, marks[i].name, strlen(marks[i].name),
								   "Its first bytes are of that encoding;");
	/* a NUL is no character of XML: the rest of a UTF-16 or UTF-32 text */
	if (memchr(buf, '\0', len) != NULL)
		return refuse_encoding(err, "UTF-16", 6, "It holds NUL bytes, as UTF-16 and UTF-32 do;");
	if (len < 6 || memcmp(buf, "<?xml", 5) != 0 ||
		!(buf[5] == ' ' || buf[5] == '\t' || buf[5] == '\r' || buf[5] == '\n'))
		return true;			/* no declaration: UTF-8 */
	/* the declaration ends at the first "?>"; find encoding="..." in it */
	for (end = buf + 5; end + 1 < buf + len && !(end[0] == '?' && end[1] == '>'); end++)
		;
	for (e = buf + 5; e + 8 <= end; e++)
		if (memcmp(e, "encoding", 8) == 0 &&
			(e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n'))
			break;
	if (e + 8 > end)
		return true;			/* no encoding declared: UTF-8 */
	e += 8;
	while (e < end && (*e == ' ' || *e == '\t' || *e == '\r' || *e == '\n'))
		e++;
	if (e >= end || *e != '=')
		return true;			/* malformed: libxml2 says so */
	e++;
	while (e < end && (*e == ' ' || *e == '\t' || *e == '\r' || *e == '\n'))
		e++;
	if (e >= end || (*e != '"' && *e != '\''))
		return true;
	quote = *e++;
	for (i = 0; e + i < end && e[i] != quote; i++)
		;
	{
		int			k;

		for (k = 0; camt_encodings[k].name; k++)
			if (same_name(e, i, camt_encodings[k].name))
			{
				*libxml = camt_encodings[k].libxml;
				return true;
			}
	}
	return refuse_encoding(err, e, i, "Its XML declaration names it;");
}

static bool
refuse_dtd(O2cError *err)
{
	o2c_fail(err, O2C_ERR_SYNTAX, "camt document with a DOCTYPE declaration refused");
	o2c_fail_detail(err, "Document type declarations can define entities (external files, exponential expansion); camt has none.");
	return false;
}

/*
 * The message an element starts: BkToCstmrStmt (camt.053),
 * BkToCstmrAcctRpt (camt.052), BkToCstmrDbtCdtNtfctn (camt.054), also with
 * the version suffix of 001.01 (BkToCstmrStmtV01); NULL for any other.
 */
static const char *
message_kind(const char *name)
{
	static const struct
	{
		const char *element;
		const char *kind;
	}			kinds[] =
	{
		{"BkToCstmrStmt", "camt.053"}, {"BkToCstmrAcctRpt", "camt.052"},
		{"BkToCstmrDbtCdtNtfctn", "camt.054"}, {NULL, NULL}
	};
	int			k;

	for (k = 0; kinds[k].element; k++)
	{
		size_t		n = strlen(kinds[k].element);

		if (strncmp(name, kinds[k].element, n) != 0)
			continue;
		if (name[n] == '\0' ||
			(name[n] == 'V' && name[n + 1] >= '0' && name[n + 1] <= '9' &&
			 name[n + 2] >= '0' && name[n + 2] <= '9' && name[n + 3] == '\0'))
			return kinds[k].kind;
	}
	return NULL;
}

/* A statement of any of the three messages. */
static bool
statement_element(const char *name)
{
	return strcmp(name, "Stmt") == 0 || strcmp(name, "Rpt") == 0 ||
		strcmp(name, "Ntfctn") == 0;
}

bool
o2c_parse_camt053(const char *buf, size_t len, bool strict,
				  O2cBankResult *res, O2cError *err)
{
	return o2c_parse_camt053_as(buf, len, NULL, strict, res, err);
}

bool
o2c_parse_camt053_as(const char *buf, size_t len, const char *encoding,
					 bool strict, O2cBankResult *res, O2cError *err)
{
	Camt		c;
	xmlTextReaderPtr reader;
	xmlDocPtr	doc;
	int			ret;
	bool		ok = true;
	bool		seen_msg = false,
				dtd = false;
	int			mdepth = -1;	/* depth of the message element being read */
	int			doc_depth = -1; /* depth of the Document element, if any */
	int			root_line = 1;
	char		root_name[64] = "",
				root_ns[128] = "",
				doc_ns[128] = "";
	int			doc_line = 0;
	const char *read_as;

	if (len > CAMT_MAX_BYTES)
	{
		o2c_fail(err, O2C_ERR_LIMIT, "camt document too large: %zu bytes", len);
		o2c_fail_detail(err, "The limit is %d bytes.", CAMT_MAX_BYTES);
		return false;
	}
	/* white space, control characters or a BOM before the declaration */
	while (len > 0 && (unsigned char) buf[0] <= ' ' && buf[0] != '\0')
		buf++, len--;
	if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
		buf += 3, len -= 3;
	if (!document_encoding(buf, len, &read_as, err))
		return false;
	/*
	 * The caller knows better than the declaration what the bytes are.
	 * UTF-8 is libxml2's own: told nothing, it reads UTF-8 without a copy.
	 */
	if (encoding != NULL)
		read_as = strcmp(encoding, "UTF-8") == 0 ? NULL : encoding;
	memset(&c, 0, sizeof(c));
	c.res = res;
	c.err = err;
	c.strict = strict;

	/*
	 * A streaming reader (statement_begin and after). No entity
	 * substitution, no DTD loading, no network; the declared encoding is
	 * ignored for read_as.
	 */
	xmlInitParser();
	reader = xmlReaderForMemory(buf, (int) len, NULL, read_as,
								XML_PARSE_NONET | XML_PARSE_NOERROR |
								XML_PARSE_NOWARNING | XML_PARSE_COMPACT |
								XML_PARSE_IGNORE_ENC);
	if (reader == NULL)
		return o2c_fail(err, O2C_ERR_LIMIT, "out of memory creating an XML reader");
	xmlTextReaderSetStructuredErrorHandler(reader, xml_error, &c);
	ret = xmlTextReaderRead(reader);
	/* an XML error stops the reading: what follows it may be cut short */
	while (ret == 1 && ok && !c.xml_failed)
	{
		int			depth;
		const char *name;
		int			type = xmlTextReaderNodeType(reader);

		if (type == XML_READER_TYPE_DOCUMENT_TYPE)
		{
			/* before any content: no entity of it has been referenced */
			dtd = true;
			ok = false;
			break;
		}
		if (type == XML_READER_TYPE_END_ELEMENT && c.msg != NULL)
		{
			depth = xmlTextReaderDepth(reader);
			if (depth == mdepth + 1 && c.stmt != NULL)
				ok = statement_end(&c);
			else if (depth == mdepth)
				c.msg = NULL;
		}
		if (type != XML_READER_TYPE_ELEMENT)
		{
			ret = xmlTextReaderRead(reader);
			continue;
		}
		depth = xmlTextReaderDepth(reader);
		name = (const char *) xmlTextReaderConstLocalName(reader);
		if (depth == 0)
		{
			const char *ns = (const char *) xmlTextReaderConstNamespaceUri(reader);
			xmlNode    *rn = xmlTextReaderCurrentNode(reader);

			root_line = rn ? (int) xmlGetLineNo(rn) : xmlTextReaderGetParserLineNumber(reader);
			snprintf(root_name, sizeof(root_name), "%s", name);
			snprintf(root_ns, sizeof(root_ns), "%s", ns ? ns : "");
		}
		if (c.msg == NULL)
		{
			const char *kind = message_kind(name);

			if (kind != NULL)
			{
				/* the message element, whatever namespace or envelope */
				c.msg = kind;
				mdepth = depth;
				seen_msg = true;
				if (xmlTextReaderIsEmptyElement(reader))
					c.msg = NULL;
			}
			else if (doc_depth >= 0 && depth == doc_depth + 1)
			{
				/* an ISO 20022 Document holding another message */
				ok = o2c_fail(err, O2C_ERR_SYNTAX,
							  "not a camt.052, camt.053 or camt.054 document: line %d: Document holds %s",
							  xmlTextReaderGetParserLineNumber(reader), o2c_quote_cstr(name));
				o2c_fail_hint(err, "camt.052 (BkToCstmrAcctRpt), camt.053 (BkToCstmrStmt) and camt.054 (BkToCstmrDbtCdtNtfctn) are read, any version.");
				break;
			}
			else if (strcmp(name, "Document") == 0)
			{
				const char *ns = (const char *) xmlTextReaderConstNamespaceUri(reader);
				xmlNode    *dn = xmlTextReaderCurrentNode(reader);

				doc_depth = depth;
				doc_line = dn ? (int) xmlGetLineNo(dn) : 0;
				snprintf(doc_ns, sizeof(doc_ns), "%s", ns ? ns : "");
			}
			else if (depth >= CAMT_MAX_ENVELOPE)
			{
				/* not an envelope that could hold a message: skip it whole */
				ret = xmlTextReaderNext(reader);
				continue;
			}
		}
		else if (depth == mdepth + 1 && statement_element(name))
		{
			xmlNode    *st = xmlTextReaderCurrentNode(reader);

			statement_begin(&c, st ? (int) xmlGetLineNo(st) : 0);
			if (xmlTextReaderIsEmptyElement(reader))
				ok = statement_end(&c);
		}
		else if (depth == mdepth + 1)
		{
			/* the group header and the like: nothing a line needs */
			ret = xmlTextReaderNext(reader);
			continue;
		}
		else if (depth == mdepth + 2 && c.stmt != NULL)
		{
			xmlNode    *n = xmlTextReaderExpand(reader);

			if (n == NULL || c.xml_failed)
				break;
			ok = statement_child(&c, n);
			ret = xmlTextReaderNext(reader);
			continue;
		}
		ret = xmlTextReaderRead(reader);
	}
	if (c.summary != NULL)
		xmlFreeNode(c.summary);
	if (ok && (ret < 0 || c.xml_failed))
	{
		if (!c.xml_failed)
			o2c_fail(err, O2C_ERR_SYNTAX, "invalid %s document: line %d: not well-formed",
					 label(&c), xmlTextReaderGetParserLineNumber(reader));
		ok = false;
	}

	/*
	 * Whatever else went wrong, a DTD that libxml2 parsed is the reason
	 * given. Asking for the document makes it ours to free.
	 */
	doc = xmlTextReaderCurrentDoc(reader);
	if (doc != NULL && (doc->intSubset != NULL || doc->extSubset != NULL))
		dtd = true;
	xmlFreeTextReader(reader);
	if (doc != NULL)
		xmlFreeDoc(doc);
	if (dtd)
	{
		o2c_bank_free(res);
		return refuse_dtd(err);
	}
	if (ok && !seen_msg && doc_depth >= 0)
	{
		/* an ISO 20022 Document, but empty: it holds no message */
		ok = o2c_fail(err, O2C_ERR_SYNTAX,
					  "invalid camt document: line %d: Document in namespace \"%s\" holds no BkToCstmrStmt, BkToCstmrAcctRpt or BkToCstmrDbtCdtNtfctn",
					  doc_line, o2c_quote_cstr(doc_ns));
	}
	else if (ok && !seen_msg)
	{
		ok = o2c_fail(err, O2C_ERR_SYNTAX,
					  "not a camt.052, camt.053 or camt.054 document: line %d: root element %s in namespace \"%s\"",
					  root_line, o2c_quote_cstr(root_name), o2c_quote_cstr(root_ns));
		o2c_fail_hint(err, "camt.052 (BkToCstmrAcctRpt), camt.053 (BkToCstmrStmt) and camt.054 (BkToCstmrDbtCdtNtfctn) are read, any version.");
	}
	if (ok)
		ok = o2c_bank_check_balances(res, err, strict);
	return ok;
}
