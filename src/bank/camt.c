/*
 * camt.c — ISO 20022 camt.053 bank-to-customer statements (versions
 * 001.02 to 001.08) to lines (bankfmt.h).
 *
 * Several statements per document; entries with and without transaction
 * details; a batched entry (one Ntry, several TxDtls) gives one line per
 * TxDtls. Safety first: the encoding is decided before libxml2 sees a byte
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
#define CAMT_NS "urn:iso:std:iso:20022:tech:xsd:camt.053.001.0"

typedef struct Camt
{
	O2cBankResult *res;
	O2cError   *err;
	bool		strict;
	bool		xml_failed;
	/* the statement being read, one child element at a time */
	O2cBankStmt *stmt;
	int			line_no;
	bool		seen_id;
	bool		seen_acct;
	bool		opbd;			/* an OPBD balance came: PRCD no longer opens */
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

static bool
syntax(Camt *c, xmlNode *n, const char *expected)
{
	o2c_fail(c->err, O2C_ERR_SYNTAX,
			 "invalid camt.053 document: line %ld: expected %s",
			 n ? xmlGetLineNo(n) : 0L, expected);
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
						"invalid camt.053 document: line %ld: \"%.10s\" is not a date",
						xmlGetLineNo(d), s);
	*out = y * 10000 + m * 100 + dd;
	return true;
}

/* Amount of an Amt element, unsigned; updates the statement's scale. */
static bool
amount_of(Camt *c, xmlNode *amt, O2cBankStmt *s, int64_t *units)
{
	size_t		len;
	const char *t = text(amt, &len);
	int			scale;

	if (t == NULL || !o2c_bank_amount(t, len, units, &scale))
		return syntax(c, amt, "an amount such as 1234.56 in Amt");
	if (scale > s->dscale)
		s->dscale = scale;
	if (s->currency == NULL)
	{
		xmlChar    *ccy = xmlGetProp(amt, (const xmlChar *) "Ccy");

		if (ccy != NULL)
		{
			if (strlen((const char *) ccy) == 3)
				s->currency = o2c_bank_strndup(c->res, (const char *) ccy, 3);
			xmlFree(ccy);
		}
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

/* One Bal: OPBD (or PRCD before any OPBD) opens, CLBD closes. */
static bool
balance(Camt *c, xmlNode *b, O2cBankStmt *s)
{
	size_t		len;
	const char *code;
	int64_t		units;
	bool		credit = true,
				has;
	bool		opening;

	code = text(path(b, "Tp/CdOrPrtry/Cd"), &len);
	if (code == NULL || len != 4)
		return true;
	if (memcmp(code, "OPBD", 4) == 0 || (memcmp(code, "PRCD", 4) == 0 && !c->opbd))
		opening = true;
	else if (memcmp(code, "CLBD", 4) == 0)
		opening = false;
	else
		return true;
	if (!amount_of(c, child(b, "Amt"), s, &units) || !direction(c, b, &credit, &has))
		return false;
	if (!has)
		return syntax(c, b, "CdtDbtInd in Bal");
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
		s->has_closing = true;
		s->closing = units;
	}
	return true;
}

static char *
account_of(Camt *c, xmlNode *acct)
{
	char	   *a = dup(c, path(acct, "Id/IBAN"));

	return a ? a : dup(c, path(acct, "Id/Othr/Id"));
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
	xmlNode    *btc = child(ntry, "BkTxCd");
	xmlNode    *d,
			   *tx;
	int			ntx = 0;
	__int128	txsum = 0;

	if (!amount_of(c, child(ntry, "Amt"), s, &units) || !direction(c, ntry, &credit, &has))
		return false;
	if (!has)
		return syntax(c, ntry, "CdtDbtInd in Ntry");
	c->entries++;
	if (credit)
		c->credits++, c->credit_sum += units;
	else
		c->debits++, c->debit_sum += units;
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

	for (d = ntry->children; d != NULL; d = d->next)
		if (named(d, "NtryDtls"))
			for (tx = d->children; tx != NULL; tx = tx->next)
				if (named(tx, "TxDtls"))
					ntx++;

	if (ntx == 0)
	{
		O2cBankLine *l = o2c_bank_add_line(c->res);

		l->line_no = ++*line_no;
		l->booking_date = bdate;
		l->value_date = vdate;
		l->credit = credit;
		l->amount = credit ? units : -units;
		l->bank_reference = bank_ref;
		l->type_code = type;
		l->remittance = info;
		return true;
	}

	for (d = ntry->children; d != NULL; d = d->next)
	{
		if (!named(d, "NtryDtls"))
			continue;
		for (tx = d->children; tx != NULL; tx = tx->next)
		{
			O2cBankLine *l;
			xmlNode    *amt;
			xmlNode    *rmt = child(tx, "RmtInf");
			xmlNode    *parties = child(tx, "RltdPties");
			int64_t		tunits = units;
			bool		tcredit = credit;
			char	   *ref;

			if (!named(tx, "TxDtls"))
				continue;
			amt = path(tx, "AmtDtls/TxAmt/Amt");
			if (amt == NULL)
				amt = child(tx, "Amt");
			if (amt != NULL)
			{
				if (!amount_of(c, amt, s, &tunits))
					return false;
			}
			else if (ntx > 1)
				return syntax(c, tx, "an amount (AmtDtls/TxAmt/Amt or Amt) in each TxDtls of a batched entry");
			if (!direction(c, tx, &tcredit, &has))
				return false;
			if (!has)
				tcredit = credit;

			l = o2c_bank_add_line(c->res);
			l->line_no = ++*line_no;
			l->booking_date = bdate;
			l->value_date = vdate;
			l->credit = tcredit;
			l->amount = tcredit ? tunits : -tunits;
			txsum += l->amount;
			l->type_code = type;
			l->bank_reference = dup(c, path(tx, "Refs/AcctSvcrRef"));
			if (l->bank_reference == NULL)
				l->bank_reference = bank_ref;
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
				l->remittance = info;
			/* the other party: who paid us, or whom we paid */
			if (tcredit)
			{
				l->counterparty_name = party_name(c, child(parties, "Dbtr"));
				l->counterparty_account = account_of(c, child(parties, "DbtrAcct"));
			}
			else
			{
				l->counterparty_name = party_name(c, child(parties, "Cdtr"));
				l->counterparty_account = account_of(c, child(parties, "CdtrAcct"));
			}
		}
	}
	if (c->strict && ntx > 1 && txsum != (credit ? units : -units))
	{
		char		a[48],
					b[48],
					diff[48];
		int			scale = o2c_bank_stmt_scale(s);

		o2c_bank_format(txsum, scale, a);
		o2c_bank_format(credit ? units : -units, scale, b);
		o2c_bank_format((credit ? units : -units) - txsum, scale, diff);
		o2c_fail(c->err, O2C_ERR_DATA,
				 "camt.053 statement \"%s\": batched entry at line %ld does not add up",
				 o2c_quote_cstr(s->statement_id ? s->statement_id : ""), xmlGetLineNo(ntry));
		o2c_fail_detail(c->err,
						"Statement \"%s\": its transactions sum to %s, the entry amount is %s, difference %s.",
						o2c_quote_cstr(s->statement_id ? s->statement_id : ""), a, b, diff);
		return false;
	}
	return true;
}

static bool
summary_mismatch(Camt *c, O2cBankStmt *s, const char *what, const char *found,
				 const char *expected)
{
	o2c_fail(c->err, O2C_ERR_DATA,
			 "camt.053 statement \"%s\": transaction summary %s does not match its entries",
			 o2c_quote_cstr(s->statement_id ? s->statement_id : ""), what);
	o2c_fail_detail(c->err, "Statement \"%s\": %s says %s, the entries give %s.",
					o2c_quote_cstr(s->statement_id ? s->statement_id : ""), what, found, expected);
	o2c_fail_hint(c->err, "Pass strict => false to read the lines anyway.");
	return false;
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
				return syntax(c, grp, "a number in NbOfNtries");
			for (i = 0; i < len; i++)
			{
				if (t[i] < '0' || t[i] > '9')
					return syntax(c, grp, "a number in NbOfNtries");
				n = n * 10 + (t[i] - '0');
			}
			if (n != count)
			{
				snprintf(what, sizeof(what), "%s/NbOfNtries", groups[g]);
				snprintf(a, sizeof(a), "%ld", n);
				snprintf(b, sizeof(b), "%ld", count);
				return summary_mismatch(c, s, what, a, b);
			}
		}
		/* TtlNtries/Sum adds amounts irrespective of direction */
		if (g == 0)
			total = c->credit_sum + c->debit_sum;
		t = text(child(grp, "Sum"), &len);
		if (t != NULL)
		{
			int64_t		v;

			if (!o2c_bank_amount(t, len, &v, NULL))
				return syntax(c, grp, "an amount such as 1234.56 in Sum");
			if (v != total)
			{
				snprintf(what, sizeof(what), "%s/Sum", groups[g]);
				o2c_bank_format(v, o2c_bank_stmt_scale(s), a);
				o2c_bank_format(total, o2c_bank_stmt_scale(s), b);
				return summary_mismatch(c, s, what, a, b);
			}
		}
	}
	return true;
}

/*
 * A statement is read one child element at a time (Id, Acct, Bal,
 * TxsSummry, Ntry, ...), each expanded into a small tree that the reader
 * frees as it moves on: memory holds one entry, never the whole statement.
 * Its lines are kept as compact structs until the SRF turns them into rows.
 */
static void
statement_begin(Camt *c, int line)
{
	c->stmt = o2c_bank_add_stmt(c->res);
	c->stmt->first_line = line;
	c->line_no = 0;
	c->seen_id = c->seen_acct = c->opbd = false;
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
	else if (named(n, "TxsSummry") && c->strict && c->summary == NULL)
	{
		/* it comes before the entries it sums: kept (small) for the end */
		c->summary = xmlCopyNode(n, 1);
		if (c->summary == NULL)
			return o2c_fail(c->err, O2C_ERR_LIMIT, "out of memory copying a camt.053 TxsSummry");
	}
	return true;
}

static bool
statement_end(Camt *c)
{
	bool		ok = true;

	if (c->summary != NULL)
	{
		ok = check_summary(c, c->summary, c->stmt);
		xmlFreeNode(c->summary);
		c->summary = NULL;
	}
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
	o2c_fail(c->err, O2C_ERR_SYNTAX, "invalid camt.053 document: line %d: %s", e->line, msg);
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
	o2c_fail(err, O2C_ERR_SYNTAX, "camt.053 document in encoding \"%s\" refused", shown);
	o2c_fail_detail(err, "%s camt.053 is read in UTF-8, US-ASCII, ISO-8859-1, ISO-8859-15 or windows-1252.", how);
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
	o2c_fail(err, O2C_ERR_SYNTAX, "camt.053 document with a DOCTYPE declaration refused");
	o2c_fail_detail(err, "Document type declarations can define entities (external files, exponential expansion); camt.053 has none.");
	return false;
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
	bool		in_bk = false,
				seen_bk = false,
				dtd = false;
	int			root_line = 1;
	const char *read_as;

	if (len > CAMT_MAX_BYTES)
	{
		o2c_fail(err, O2C_ERR_LIMIT, "camt.053 document too large: %zu bytes", len);
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
		if (type == XML_READER_TYPE_END_ELEMENT && c.stmt != NULL &&
			xmlTextReaderDepth(reader) == 2)
			ok = statement_end(&c);
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

			root_line = xmlTextReaderGetParserLineNumber(reader);
			if (strcmp(name, "Document") != 0 || ns == NULL ||
				strncmp(ns, CAMT_NS, strlen(CAMT_NS)) != 0 ||
				strlen(ns) != strlen(CAMT_NS) + 1 ||
				ns[strlen(CAMT_NS)] < '2' || ns[strlen(CAMT_NS)] > '8')
			{
				ok = o2c_fail(err, O2C_ERR_SYNTAX,
							  "not a camt.053 document: root element %s in namespace \"%s\"",
							  o2c_quote_cstr(name), o2c_quote_cstr(ns ? ns : ""));
				o2c_fail_hint(err, "Versions 001.02 to 001.08 are read: namespace %s2 to %s8.", CAMT_NS, CAMT_NS);
				break;
			}
		}
		else if (depth == 1)
		{
			in_bk = strcmp(name, "BkToCstmrStmt") == 0;
			seen_bk = seen_bk || in_bk;
		}
		else if (depth == 2 && in_bk && strcmp(name, "Stmt") == 0)
		{
			xmlNode    *st = xmlTextReaderCurrentNode(reader);

			statement_begin(&c, st ? (int) xmlGetLineNo(st) : 0);
			if (xmlTextReaderIsEmptyElement(reader))
				ok = statement_end(&c);
		}
		else if (depth == 3 && c.stmt != NULL)
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
			o2c_fail(err, O2C_ERR_SYNTAX, "invalid camt.053 document: line %d: not well-formed",
					 xmlTextReaderGetParserLineNumber(reader));
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
	if (ok && !seen_bk)
		ok = o2c_fail(err, O2C_ERR_SYNTAX,
					  "invalid camt.053 document: line %d: expected BkToCstmrStmt in Document",
					  root_line);
	if (ok && strict)
		ok = o2c_bank_check_balances(res, err, "camt.053");
	return ok;
}
