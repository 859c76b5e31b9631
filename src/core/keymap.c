/*
 * keymap.c — byte-string keys to dense indexes (keymap.h).
 *
 * Open addressing with linear probing over 8-byte slots {hash, ref}: a
 * probe compares the stored hash first and reads the key only on a match,
 * so a lookup touches one slot line and, when found, one key record. The
 * records ([int32 index][uint32 length][bytes][NUL]) are stored one after
 * the other in blocks of up to a megabyte, which keeps the keys entered
 * together near each other; a ref is the block's number and the offset in
 * it, so a caller that looks up many keys can prefetch both lines ahead
 * (o2c_keymap_prefetch, o2c_keymap_prefetch_key). Small slots matter
 * beyond the cache: with 200,000 keys the slots a map grows through take
 * 8 MB, not 16, and fresh memory costs a page fault per 4 kB touched.
 */
#include "core/keymap.h"

#include <stdlib.h>

/* Grow the slots past this load (3/4): probes stay short, slots stay small. */
#define LOAD_NUM 3
#define LOAD_DEN 4
#define MIN_SLOTS 16
#define MIN_BLOCK 8192
/* A ref: block number (from 1; 0 is an empty slot) above REF_BITS bits of offset. */
#define REF_BITS 20
#define MAX_BLOCK (1 << REF_BITS)
#define MAX_BLOCKS ((1 << (32 - REF_BITS)) - 1)
#define REC_HEADER 8

typedef struct KeySlot
{
	uint32_t	hash;
	uint32_t	ref;			/* the key's record; 0: empty */
} KeySlot;

typedef struct KeyBlock
{
	size_t		used;
	size_t		size;
	char		data[];
} KeyBlock;

struct O2cKeyMap
{
	KeySlot    *slots;
	uint32_t	mask;			/* number of slots - 1 (a power of two) */
	int32_t		count;
	int32_t		cap;			/* room in refs */
	uint32_t   *refs;			/* per index: its record */
	KeyBlock  **blocks;			/* by number - 1; the last one is being filled */
	int32_t		nblocks;
	int32_t		blocks_kept;	/* allocated, from before a clear: nblocks and up */
	int32_t		blocks_cap;
	size_t		block_size;
};

static inline uint64_t
mix64(uint64_t h)
{
	h ^= h >> 33;
	h *= UINT64_C(0xff51afd7ed558ccd);
	h ^= h >> 33;
	h *= UINT64_C(0xc4ceb9fe1a85ec53);
	h ^= h >> 33;
	return h;
}

/* Eight bytes at a time: customer ids and currency codes are short. */
uint32_t
o2c_keymap_hash(const char *key, size_t len)
{
	uint64_t	h = UINT64_C(0x9e3779b97f4a7c15) ^ len;
	uint64_t	w;

	while (len >= 8)
	{
		memcpy(&w, key, 8);
		h = (h ^ w) * UINT64_C(0x87c37b91114253d5);
		h ^= h >> 31;
		key += 8;
		len -= 8;
	}
	/*
	 * The last 1 to 7 bytes by fixed-size loads (a memcpy of variable length
	 * is a library call): two overlapping 4-byte words, or three bytes. The
	 * length is in h already, so overlaps cannot make two keys alike.
	 */
	if (len >= 4)
	{
		uint32_t	a,
					b;

		memcpy(&a, key, 4);
		memcpy(&b, key + len - 4, 4);
		w = (uint64_t) a | (uint64_t) b << 32;
		h = (h ^ w) * UINT64_C(0x87c37b91114253d5);
	}
	else if (len > 0)
	{
		w = (uint64_t) (unsigned char) key[0] | (uint64_t) (unsigned char) key[len / 2] << 8 |
			(uint64_t) (unsigned char) key[len - 1] << 16;
		h = (h ^ w) * UINT64_C(0x87c37b91114253d5);
	}
	return (uint32_t) mix64(h);
}

static KeySlot *
slots_alloc(size_t n)
{
	/* Zeroed: every slot empty. */
	return o2c_core_alloc(n * sizeof(KeySlot));
}

static inline const char *
rec_of(const O2cKeyMap *map, uint32_t ref)
{
	return map->blocks[(ref >> REF_BITS) - 1]->data + (ref & (MAX_BLOCK - 1));
}

/* The slots for about expected keys. */
static size_t
slots_for(size_t expected)
{
	size_t		n = MIN_SLOTS;

	if (expected > O2C_KEYMAP_MAX_KEYS)
		expected = O2C_KEYMAP_MAX_KEYS;
	while (n / LOAD_DEN * LOAD_NUM < expected)
		n *= 2;
	return n;
}

static void
slots_set(O2cKeyMap *map, size_t n)
{
	map->slots = slots_alloc(n);
	map->mask = (uint32_t) (n - 1);
	map->cap = (int32_t) (n / LOAD_DEN * LOAD_NUM);
	map->refs = o2c_core_alloc(map->cap * sizeof(uint32_t));
}

O2cKeyMap *
o2c_keymap_create(size_t expected)
{
	O2cKeyMap  *map = o2c_core_alloc(sizeof(O2cKeyMap));

	slots_set(map, slots_for(expected));
	map->blocks_cap = 16;
	map->blocks = o2c_core_alloc(map->blocks_cap * sizeof(KeyBlock *));
	map->block_size = MIN_BLOCK;
	return map;
}

void
o2c_keymap_clear(O2cKeyMap *map, size_t expected)
{
	size_t		n = slots_for(expected);

	if (n > (size_t) map->mask + 1)
	{
		o2c_core_free(map->slots);
		o2c_core_free(map->refs);
		slots_set(map, n);
	}
	else if ((size_t) map->count * 8 < (size_t) map->mask + 1)
	{
		/*
		 * Few keys in many slots (a row inserted after a COPY): their slots
		 * alone, the last entered first, so every key's probe still passes
		 * over the keys entered before it.
		 */
		for (int32_t i = map->count - 1; i >= 0; i--)
		{
			size_t		len;
			const char *key = o2c_keymap_key(map, i, &len);
			uint32_t	j = o2c_keymap_hash(key, len) & map->mask;

			while (map->slots[j].ref != map->refs[i])
				j = (j + 1) & map->mask;
			map->slots[j].hash = 0;
			map->slots[j].ref = 0;
		}
	}
	else
		memset(map->slots, 0, ((size_t) map->mask + 1) * sizeof(KeySlot));
	/* The blocks are refilled in their order; the keys' bytes need no clearing. */
	if (map->nblocks > map->blocks_kept)
		map->blocks_kept = map->nblocks;
	map->nblocks = 0;
	map->count = 0;
}

void
o2c_keymap_free(O2cKeyMap *map)
{
	if (map == NULL)
		return;
	for (int32_t b = 0; b < map->nblocks || b < map->blocks_kept; b++)
		o2c_core_free(map->blocks[b]);
	o2c_core_free(map->blocks);
	o2c_core_free(map->refs);
	o2c_core_free(map->slots);
	o2c_core_free(map);
}

static inline bool
key_equal(const char *rec, const char *key, size_t len)
{
	uint32_t	n;

	memcpy(&n, rec + 4, sizeof(n));
	if (n != len)
		return false;
	rec += REC_HEADER;
	/* Short keys byte by byte: cheaper than a call to memcmp. */
	if (len <= 16)
	{
		for (size_t i = 0; i < len; i++)
			if (rec[i] != key[i])
				return false;
		return true;
	}
	return memcmp(rec, key, len) == 0;
}

static inline int32_t
rec_index(const char *rec)
{
	int32_t		index;

	memcpy(&index, rec, sizeof(index));
	return index;
}

/* Double the slots (and the room for refs), rehashing by the stored hashes. */
static void
grow(O2cKeyMap *map)
{
	size_t		old_n = (size_t) map->mask + 1;
	size_t		n = old_n * 2;
	KeySlot    *slots = slots_alloc(n);
	uint32_t	mask = (uint32_t) (n - 1);
	uint32_t   *refs;

	for (size_t i = 0; i < old_n; i++)
	{
		KeySlot		s = map->slots[i];
		uint32_t	j;

		if (s.ref == 0)
			continue;
		for (j = s.hash & mask; slots[j].ref != 0; j = (j + 1) & mask)
			;
		slots[j] = s;
	}
	o2c_core_free(map->slots);
	map->slots = slots;
	map->mask = mask;
	map->cap = (int32_t) (n / LOAD_DEN * LOAD_NUM);
	refs = o2c_core_alloc(map->cap * sizeof(uint32_t));
	memcpy(refs, map->refs, map->count * sizeof(uint32_t));
	o2c_core_free(map->refs);
	map->refs = refs;
}

/*
 * The next block, with room for need bytes: one a clear kept, in its order
 * (replaced when it does not fit), or a new one, each new one twice the last up to
 * MAX_BLOCK; a key longer than that gets a block of its own. NULL when the
 * refs can number no more blocks.
 */
static KeyBlock *
next_block(O2cKeyMap *map, size_t need)
{
	KeyBlock   *b;
	size_t		size = map->block_size;

	if (map->nblocks == MAX_BLOCKS)
		return NULL;
	if (map->nblocks < map->blocks_kept)
	{
		b = map->blocks[map->nblocks];
		/* A ref's offset stays below MAX_BLOCK: a larger block held one long key. */
		if (b->size >= need && b->size <= MAX_BLOCK)
		{
			b->used = 0;
			map->nblocks++;
			return b;
		}
		size = b->size < MAX_BLOCK ? b->size : MAX_BLOCK;
		if (size < need)
			size = need;
		o2c_core_free(b);
	}
	else
	{
		if (map->block_size < MAX_BLOCK)
			map->block_size *= 2;
		if (size < need)
			size = need;
		if (map->nblocks == map->blocks_cap)
		{
			KeyBlock  **blocks = o2c_core_alloc(map->blocks_cap * 2 * sizeof(KeyBlock *));

			memcpy(blocks, map->blocks, map->nblocks * sizeof(KeyBlock *));
			o2c_core_free(map->blocks);
			map->blocks = blocks;
			map->blocks_cap *= 2;
		}
	}
	b = o2c_core_alloc(sizeof(KeyBlock) + size);
	b->size = size;
	map->blocks[map->nblocks++] = b;
	return b;
}

/* Copy a key into the blocks as the record of index; its ref, 0 when the blocks are full. */
static uint32_t
store_key(O2cKeyMap *map, const char *key, size_t len, int32_t index)
{
	uint32_t	n = (uint32_t) len;
	/* Records start 4-byte aligned. */
	size_t		need = (REC_HEADER + len + 1 + 3) & ~(size_t) 3;
	KeyBlock   *b = map->nblocks > 0 ? map->blocks[map->nblocks - 1] : NULL;
	char	   *rec;
	uint32_t	ref;

	if ((b == NULL || b->size - b->used < need) && (b = next_block(map, need)) == NULL)
		return 0;
	ref = (uint32_t) map->nblocks << REF_BITS | (uint32_t) b->used;
	rec = b->data + b->used;
	memcpy(rec, &index, sizeof(index));
	memcpy(rec + 4, &n, sizeof(n));
	memcpy(rec + REC_HEADER, key, len);
	rec[REC_HEADER + len] = '\0';
	b->used += need;
	return ref;
}

int32_t
o2c_keymap_enter(O2cKeyMap *map, const char *key, size_t len, bool *added)
{
	return o2c_keymap_enter_hashed(map, key, len, o2c_keymap_hash(key, len), added);
}

void
o2c_keymap_prefetch(const O2cKeyMap *map, uint32_t hash)
{
	O2C_PREFETCH(&map->slots[hash & map->mask]);
}

void
o2c_keymap_prefetch_key(const O2cKeyMap *map, uint32_t hash)
{
	for (uint32_t i = hash & map->mask; map->slots[i].ref != 0; i = (i + 1) & map->mask)
		if (map->slots[i].hash == hash)
		{
			O2C_PREFETCH(rec_of(map, map->slots[i].ref));
			return;
		}
}

int32_t
o2c_keymap_enter_hashed(O2cKeyMap *map, const char *key, size_t len, uint32_t h, bool *added)
{
	uint32_t	i;
	uint32_t	ref;

	for (i = h & map->mask; map->slots[i].ref != 0; i = (i + 1) & map->mask)
	{
		KeySlot		s = map->slots[i];

		if (s.hash == h)
		{
			const char *rec = rec_of(map, s.ref);

			if (key_equal(rec, key, len))
			{
				if (added != NULL)
					*added = false;
				return rec_index(rec);
			}
		}
	}
	if (map->count >= O2C_KEYMAP_MAX_KEYS || len > UINT32_MAX - 16)
		return -1;
	if (map->count >= map->cap)
	{
		grow(map);
		for (i = h & map->mask; map->slots[i].ref != 0; i = (i + 1) & map->mask)
			;
	}
	ref = store_key(map, key, len, map->count);
	if (ref == 0)
		return -1;
	map->refs[map->count] = ref;
	map->slots[i].hash = h;
	map->slots[i].ref = ref;
	if (added != NULL)
		*added = true;
	return map->count++;
}

int32_t
o2c_keymap_find(const O2cKeyMap *map, const char *key, size_t len)
{
	uint32_t	h = o2c_keymap_hash(key, len);

	for (uint32_t i = h & map->mask; map->slots[i].ref != 0; i = (i + 1) & map->mask)
	{
		KeySlot		s = map->slots[i];

		if (s.hash == h)
		{
			const char *rec = rec_of(map, s.ref);

			if (key_equal(rec, key, len))
				return rec_index(rec);
		}
	}
	return -1;
}

int32_t
o2c_keymap_count(const O2cKeyMap *map)
{
	return map->count;
}

const char *
o2c_keymap_key(const O2cKeyMap *map, int32_t index, size_t *len)
{
	const char *rec = rec_of(map, map->refs[index]);

	if (len != NULL)
	{
		uint32_t	n;

		memcpy(&n, rec + 4, sizeof(n));
		*len = n;
	}
	return rec + REC_HEADER;
}

/* An index with the 8 bytes of its key after the common prefix, big-endian. */
typedef struct AbbrevIndex
{
	uint64_t	abbrev;
	const char *key;
	uint32_t	len;
	int32_t		index;
} AbbrevIndex;

static int
abbrev_cmp(const void *a, const void *b)
{
	const AbbrevIndex *x = a;
	const AbbrevIndex *y = b;
	int			r;

	if (x->abbrev != y->abbrev)
		return x->abbrev < y->abbrev ? -1 : 1;
	r = memcmp(x->key, y->key, x->len < y->len ? x->len : y->len);
	return r != 0 ? r : (x->len > y->len) - (x->len < y->len);
}

/*
 * Keys usually share a prefix ("CUST-00..."), so the 8 bytes that follow it
 * tell most of them apart: sorting those, in an array of their own, reads
 * a key only on a tie. Zero padding keeps the order of a shorter key first.
 */
void
o2c_keymap_sort(const O2cKeyMap *map, int32_t *indexes, size_t n)
{
	AbbrevIndex *a;
	size_t		lcp,
				first_len;
	const char *first;

	if (n < 2)
		return;
	first = o2c_keymap_key(map, indexes[0], &first_len);
	lcp = first_len;
	for (size_t i = 1; i < n && lcp > 0; i++)
	{
		size_t		len,
					j = 0;
		const char *k = o2c_keymap_key(map, indexes[i], &len);

		while (j < lcp && j < len && k[j] == first[j])
			j++;
		lcp = j;
	}
	a = o2c_core_alloc(n * sizeof(AbbrevIndex));
	for (size_t i = 0; i < n; i++)
	{
		size_t		len;
		const char *k = o2c_keymap_key(map, indexes[i], &len);
		uint64_t	v = 0;

		for (size_t j = 0; j < 8; j++)
			v = v << 8 | (lcp + j < len ? (unsigned char) k[lcp + j] : 0);
		a[i].abbrev = v;
		a[i].key = k;
		a[i].len = (uint32_t) len;
		a[i].index = indexes[i];
	}
	qsort(a, n, sizeof(AbbrevIndex), abbrev_cmp);
	for (size_t i = 0; i < n; i++)
		indexes[i] = a[i].index;
	o2c_core_free(a);
}
