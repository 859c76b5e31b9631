/*
 * keymap.h — byte-string keys to dense indexes 0, 1, 2, ... in the order
 * they were first entered: a small hash table for per-row lookups in bulk
 * passes (a trigger's transition table, a COPY), where dynahash's large
 * entries and keys behind a pointer cost a cache miss or two per row.
 *
 * The caller keeps its per-key data in an array of its own, indexed by what
 * o2c_keymap_enter returns. Keys are copied into the map (with a trailing
 * NUL, so keys without NUL bytes can be read back as C strings) and stay
 * where they are until the map is freed. A pure-C core (core.h): in the
 * server its memory is palloc'd in the memory context current at each call.
 */
#ifndef O2C_KEYMAP_H
#define O2C_KEYMAP_H

#include "core/core.h"

/* At most this many keys (the slot array then stays within 256 MB). */
#define O2C_KEYMAP_MAX_KEYS (1 << 24)

typedef struct O2cKeyMap O2cKeyMap;

/* An empty map with room for about expected keys before it grows. */
extern O2cKeyMap *o2c_keymap_create(size_t expected);
extern void o2c_keymap_free(O2cKeyMap *map);

/*
 * Empties the map for about expected new keys, keeping its memory: a map
 * reused by statement after statement touches the same pages, where a new
 * one would take fresh ones (zeroed by the system, a fault per 4 kB).
 */
extern void o2c_keymap_clear(O2cKeyMap *map, size_t expected);

/*
 * The index of key, entering it as the next index when new (*added then
 * true); -1 when it is new and the map already has O2C_KEYMAP_MAX_KEYS keys
 * (or about 4 GB of them).
 */
extern int32_t o2c_keymap_enter(O2cKeyMap *map, const char *key, size_t len, bool *added);

/* o2c_keymap_enter for a key whose o2c_keymap_hash is known. */
extern int32_t o2c_keymap_enter_hashed(O2cKeyMap *map, const char *key, size_t len, uint32_t hash,
									   bool *added);

/*
 * For bulk passes, where each lookup would wait on memory: a row's key is
 * hashed and its slot prefetched; a few rows later o2c_keymap_prefetch_key
 * prefetches the record of the key the slot points to (a hint only: on a
 * hash collision the wrong one); a few rows later again
 * o2c_keymap_enter_hashed finds both in cache.
 */
extern void o2c_keymap_prefetch(const O2cKeyMap *map, uint32_t hash);
extern void o2c_keymap_prefetch_key(const O2cKeyMap *map, uint32_t hash);
/* The index of key, or -1. */
extern int32_t o2c_keymap_find(const O2cKeyMap *map, const char *key, size_t len);

extern int32_t o2c_keymap_count(const O2cKeyMap *map);

/* The key at index (NUL-terminated), its length in *len when len is not NULL. */
extern const char *o2c_keymap_key(const O2cKeyMap *map, int32_t index, size_t *len);

/*
 * Sorts n indexes of the map by their keys: bytewise, a key before the keys
 * it is a prefix of (the order of COLLATE "C" for keys without NUL bytes).
 */
extern void o2c_keymap_sort(const O2cKeyMap *map, int32_t *indexes, size_t n);

/* The hash the map uses (not stable across platforms: never store it). */
extern uint32_t o2c_keymap_hash(const char *key, size_t len);

#endif							/* O2C_KEYMAP_H */
