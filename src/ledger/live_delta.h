/*
 * live_delta.h — the compact binary form of o2c.ledger_delta: what
 * ledger_track's insert path writes (live_insert.c) and its readers
 * (live_delta.c, live_pending.c), which all go through DeltaReader.
 *
 * One INSERT or COPY writes one chunk (a number from the sequence
 * o2c.ledger_delta_chunk) as rows of about 96 kB, its parts 0, 1, 2, ...:
 * the memory a statement needs stays the same however many rows it
 * inserts, and no part is copied whole once more on its way to the table.
 * The executor forms each part's row in memory of its own before TOAST
 * splits it: a row below the C library's 128 kB threshold for mapping
 * fresh memory reuses what the backend holds, where a megabyte was mapped
 * anew (256 page faults) for every part.
 * A part's data (version 6): int32 version, int32 offset of its dictionary,
 * int32 base date (the state date it was written at), int32 first entry
 * (the dictionary entries of the chunk's earlier parts) and int32 the
 * part's amount scale (the display scale of its first amount, -1 when none
 * is written in the short form), in network byte order; then per invoice,
 * in varints (7 bits a byte, low first; signed ones zigzag-coded): the
 * dictionary index (customer and currency, counted over the whole chunk),
 * the due date (days from the base date, signed: two bytes within 22 years)
 * and the open amount with its items (live_put_amount: items + 1 in the low
 * two bits of the amount, so an amount in the part's scale takes no byte of
 * its own). The dictionary: int32 count, then per entry first used in this
 * part, the customer as the length of the prefix it shares with the
 * previous entry's (of the chunk), the length of the rest and its bytes,
 * and the currency as 0 when it is the previous entry's, else its length
 * + 1 and its bytes. About 8 bytes an invoice for amounts in cents, and a
 * customer's id once per chunk, less what it shares with the one before:
 * ids of one scheme ("C-000123") share their first characters.
 *
 * Nothing per customer is written: the buckets of the pending inserts are
 * summed by their readers (o2c.ledger_pending_summary), so a COPY pays only
 * for its rows.
 */
#ifndef O2C_LIVE_DELTA_H
#define O2C_LIVE_DELTA_H

#include "postgres.h"

#include "core/o2c.h"

#include "lib/stringinfo.h"
#include "utils/array.h"
#include "utils/date.h"
#include "utils/numeric.h"

#define DELTA_VERSION 6
/* The bytes of a part's header: version, dictionary offset, base date, first entry, scale. */
#define DELTA_HEADER 20

static inline void
put_varint(StringInfo buf, uint64 v)
{
	char	   *p;

	if (buf->len + 10 >= buf->maxlen)
		enlargeStringInfo(buf, 10);
	p = buf->data + buf->len;
	while (v >= 0x80)
	{
		*p++ = (char) (v | 0x80);
		v >>= 7;
	}
	*p++ = (char) v;
	buf->len = p - buf->data;
}

static inline uint64
zigzag(int64 v)
{
	return ((uint64) v << 1) ^ (uint64) (v >> 63);
}

static inline int64
unzigzag(uint64 v)
{
	return (int64) (v >> 1) ^ -(int64) (v & 1);
}

/* Reads a varint; false when the buffer ends first or it is too long. */
static inline bool
get_varint(StringInfo buf, uint64 *out)
{
	uint64		v = 0;

	for (int shift = 0; shift < 64; shift += 7)
	{
		unsigned char b;

		if (buf->cursor >= buf->len)
			return false;
		b = (unsigned char) buf->data[buf->cursor++];
		v |= (uint64) (b & 0x7f) << shift;
		if ((b & 0x80) == 0)
		{
			*out = v;
			return true;
		}
	}
	return false;
}

/*
 * An amount with the caller's two low bits (0 to 2), in the scale of the
 * part (part_dscale, -1 for none): when its display scale is the part's,
 * a varint of the amount times 10^scale, zigzag-coded, shifted left two
 * bits and or'ed with low2; else a varint 3, then a byte of flags (bits 0-1
 * low2, bits 2-3 the kind, bits 4-7 the display scale) and kind 0, a signed
 * varint of the amount times 10^scale; kind 1, two int64 (network order) of
 * 10^-8 units; kind 2, its numeric text (varint length, bytes). num is NULL
 * unless the value is outside the units' range.
 */
extern void live_put_amount(StringInfo buf, int low2, int128 units, int dscale, Numeric num, int part_dscale);
/*
 * Reads what live_put_amount wrote, as units of 10^-8 and display scale, or
 * as *num (then not NULL); false when the data is corrupt.
 */
extern bool live_get_amount_units(StringInfo buf, int part_dscale, int *low2, int128 *units, int *dscale,
								  Numeric *num);
/* units of 10^-8 as a numeric of display scale dscale. */
extern Numeric live_units_numeric(int128 units, int dscale);
/* An exact sum as a numeric of at least dscale decimals (and its own display scale). */
extern Numeric live_sum_numeric(const O2cSum *sum, int dscale);

/*
 * The parts of a ledger's pending chunks being read, in order: the current
 * part's rows, and the dictionary of its chunk so far.
 */
typedef struct DeltaReader
{
	StringInfoData buf;			/* the part's rows; cursor at the next one */
	DateADT		base;
	int			dscale;			/* the part's amount scale, -1 for none */
	int64		chunk;
	int32		part;
	int32		ndict;			/* the chunk's entries so far */
	int32		new_from;		/* the first entry this part adds */
	int32		dictcap;
	const char **cust;			/* per dictionary entry, into its part */
	int32	   *custlen;
	const char **cur;
	int32	   *curlen;
	MemoryContext cxt;			/* the chunk's parts and dictionary */
} DeltaReader;

/* A row of a chunk: its dictionary entry, due date, amount and items. */
typedef struct DeltaRow
{
	int32		entry;
	DateADT		due;
	int32		items;			/* -1, 0 or 1 */
	int128		units;			/* 10^-8, when num is NULL */
	int			dscale;
	Numeric		num;
} DeltaRow;

/* A reader with nothing read yet; its memory is a child of parent. */
extern void delta_reader_init(DeltaReader *r, MemoryContext parent);
/*
 * Opens the next part, given its row's chunk, part and data; a part that
 * starts a chunk frees the previous chunk's memory and its dictionary. A
 * part out of order or corrupt data is an error (22P03), never a crash.
 */
extern void delta_reader_part(DeltaReader *r, int64 chunk, int32 part, Datum data);
/* The next row of the part, false after the last. */
extern bool delta_reader_next(DeltaReader *r, DeltaRow *row);
/*
 * Selects a ledger's pending parts (SPI must be connected) into
 * SPI_tuptable, in order: chunk, part, data (columns 1 to 3); only those of
 * the chunks listed when chunks is not NULL. fn_oid is the calling o2c
 * function's, which names o2c's schema.
 */
extern void delta_select_parts(Oid fn_oid, text *ledger, ArrayType *chunks);
/*
 * An array of elem-byte items per dictionary entry (NULL at first, with
 * *cap 0), grown to hold at least need (in the current memory context).
 */
extern void *delta_entry_array(void *array, int32 *cap, int32 need, Size elem);
/* Opens part i of what delta_select_parts selected. */
extern void delta_reader_selected(DeltaReader *r, uint64 i);

#endif							/* O2C_LIVE_DELTA_H */
