/*
 * keymap.c — byte-string keys to dense indexes (keymap.h).
 *
 * Open addressing with linear probing over 16-byte slots {hash, index,
 * key}: a probe compares the stored hash first and reads the key only on a
 * match, so a lookup touches one slot line and, when found, one key. Keys
 * are stored one after the other in blocks ([uint32 length][bytes][NUL]),
 * which keeps the keys entered together near each other. The slot points
 * at its key, so a caller that looks up many keys can prefetch both lines
 * ahead (o2c_keymap_prefetch, o2c_keymap_prefetch_key).
 */
#include "core/keymap.h"

#include <stdlib.h>

/* Grow the slots past this load (3/4): probes stay short, slots stay small. */
#define LOAD_NUM 3
#define LOAD_DEN 4
#define MIN_SLOTS 16
#define MIN_BLOCK 8192
#define MAX_BLOCK (1 << 20)

typedef struct KeySlot
{
	uint32_t	hash;
	int32_t		index;
	const char *rec;			/* the key's record in a block; NULL: empty */
} KeySlot;

typedef struct KeyBlock
{
	struct KeyBlock *next;
	size_t		used;
	size_t		size;
	char		data[];
} KeyBlock;

struct O2cKeyMap
{
	KeySlot    *slots;
	uint32_t	mask;			/* number of slots - 1 (a power of two) */
	int32_t		count;
	int32_t		cap;			/* room in keys */
	char	  **keys;			/* per index: its record in a block */
	KeyBlock   *block;			/* the one being filled; older ones chained */
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

O2cKeyMap *
o2c_keymap_create(size_t expected)
{
	O2cKeyMap  *map = o2c_core_alloc(sizeof(O2cKeyMap));
	size_t		n = MIN_SLOTS;

	if (expected > O2C_KEYMAP_MAX_KEYS)
		expected = O2C_KEYMAP_MAX_KEYS;
	while (n / LOAD_DEN * LOAD_NUM < expected)
		n *= 2;
	map->slots = slots_alloc(n);
	map->mask = (uint32_t) (n - 1);
	map->cap = (int32_t) (n / LOAD_DEN * LOAD_NUM);
	map->keys = o2c_core_alloc(map->cap * sizeof(char *));
	map->block_size = MIN_BLOCK;
	return map;
}

void
o2c_keymap_free(O2cKeyMap *map)
{
	KeyBlock   *b,
			   *next;

	if (map == NULL)
		return;
	for (b = map->block; b != NULL; b = next)
	{
		next = b->next;
		o2c_core_free(b);
	}
	o2c_core_free(map->keys);
	o2c_core_free(map->slots);
	o2c_core_free(map);
}

static inline bool
key_equal(const char *rec, const char *key, size_t len)
{
	uint32_t	n;

	memcpy(&n, rec, sizeof(n));
	if (n != len)
		return false;
	rec += sizeof(n);
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

/* Double the slots (and the room for keys), rehashing by the stored hashes. */
static void
grow(O2cKeyMap *map)
{
	size_t		old_n = (size_t) map->mask + 1;
	size_t		n = old_n * 2;
	KeySlot    *slots = slots_alloc(n);
	uint32_t	mask = (uint32_t) (n - 1);
	char	  **keys;

	for (size_t i = 0; i < old_n; i++)
	{
		KeySlot		s = map->slots[i];
		uint32_t	j;

		if (s.rec == NULL)
			continue;
		for (j = s.hash & mask; slots[j].rec != NULL; j = (j + 1) & mask)
			;
		slots[j] = s;
	}
	o2c_core_free(map->slots);
	map->slots = slots;
	map->mask = mask;
	map->cap = (int32_t) (n / LOAD_DEN * LOAD_NUM);
	keys = o2c_core_alloc(map->cap * sizeof(char *));
	memcpy(keys, map->keys, map->count * sizeof(char *));
	o2c_core_free(map->keys);
	map->keys = keys;
}

/* Copy a key into the blocks; returns its record. */
static char *
store_key(O2cKeyMap *map, const char *key, size_t len)
{
	uint32_t	n = (uint32_t) len;
	size_t		need = sizeof(n) + len + 1;
	KeyBlock   *b = map->block;
	char	   *rec;

	if (b == NULL || b->size - b->used < need)
	{
		size_t		size = map->block_size;

		if (map->block_size < MAX_BLOCK)
			map->block_size *= 2;
		if (size < need)
			size = need;
		b = o2c_core_alloc(sizeof(KeyBlock) + size);
		b->size = size;
		b->next = map->block;
		map->block = b;
	}
	rec = b->data + b->used;
	memcpy(rec, &n, sizeof(n));
	memcpy(rec + sizeof(n), key, len);
	rec[sizeof(n) + len] = '\0';
	b->used += need;
	return rec;
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

int32_t
o2c_keymap_prefetch_key(const O2cKeyMap *map, uint32_t hash)
{
	for (uint32_t i = hash & map->mask; map->slots[i].rec != NULL; i = (i + 1) & map->mask)
		if (map->slots[i].hash == hash)
		{
			O2C_PREFETCH(map->slots[i].rec);
			return map->slots[i].index;
		}
	return -1;
}

int32_t
o2c_keymap_enter_hashed(O2cKeyMap *map, const char *key, size_t len, uint32_t h, bool *added)
{
	uint32_t	i;

	for (i = h & map->mask; map->slots[i].rec != NULL; i = (i + 1) & map->mask)
	{
		KeySlot		s = map->slots[i];

		if (s.hash == h && key_equal(s.rec, key, len))
		{
			if (added != NULL)
				*added = false;
			return s.index;
		}
	}
	if (map->count >= O2C_KEYMAP_MAX_KEYS || len > UINT32_MAX - 8)
		return -1;
	if (map->count >= map->cap)
	{
		grow(map);
		for (i = h & map->mask; map->slots[i].rec != NULL; i = (i + 1) & map->mask)
			;
	}
	map->keys[map->count] = store_key(map, key, len);
	map->slots[i].hash = h;
	map->slots[i].index = map->count;
	map->slots[i].rec = map->keys[map->count];
	if (added != NULL)
		*added = true;
	return map->count++;
}

int32_t
o2c_keymap_find(const O2cKeyMap *map, const char *key, size_t len)
{
	uint32_t	h = o2c_keymap_hash(key, len);

	for (uint32_t i = h & map->mask; map->slots[i].rec != NULL; i = (i + 1) & map->mask)
	{
		KeySlot		s = map->slots[i];

		if (s.hash == h && key_equal(s.rec, key, len))
			return s.index;
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
	const char *rec = map->keys[index];

	if (len != NULL)
	{
		uint32_t	n;

		memcpy(&n, rec, sizeof(n));
		*len = n;
	}
	return rec + sizeof(uint32_t);
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
