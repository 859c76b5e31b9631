/*
 * strsim.h — string metrics and name/reference normalization (strsim.c,
 * strsim_dl.c), plain C over UTF-8 buffers for any build (server, unit
 * tests, fuzzers).
 */
#ifndef O2C_STRSIM_H
#define O2C_STRSIM_H

#include "core/core.h"

/* Longest arguments (in characters) the quadratic metrics accept. */
#define O2C_DL_MAX_CHARS 2000
#define O2C_JW_MAX_CHARS 10000

/* Decode UTF-8 into code points (lenient: a stray byte stands for itself). */
extern int	o2c_utf8_decode(const char *s, size_t len, uint32_t *out);

/* Does the buffer hold only ASCII (one byte per character)? */
extern bool o2c_is_ascii(const char *s, size_t len);

/* Jaro-Winkler similarity of two code point arrays, in [0, 1]. */
extern double o2c_jaro_winkler_cp(const uint32_t *a, int la, const uint32_t *b, int lb);
extern double o2c_jaro_winkler(const char *a, size_t alen, const char *b, size_t blen);

/* Unrestricted Damerau-Levenshtein distance; -1 (with err) past the limit. */
extern int	o2c_damerau_levenshtein_cp(const uint32_t *a, int la, const uint32_t *b, int lb);
extern int	o2c_damerau_levenshtein(const char *a, size_t alen, const char *b, size_t blen,
									O2cError *err);

/* Normalized company name, NUL-terminated, o2c_core_alloc'd; *outlen set. */
extern char *o2c_normalize_name(const char *s, size_t len, size_t *outlen);

/* Normalized reference: lower case, separators dropped, leading zeros of digit runs dropped. */
extern char *o2c_normalize_ref(const char *s, size_t len, size_t *outlen);

/*
 * Reference candidates in free text: each a normalized string; returns the
 * count, *refs an o2c_core_alloc'd array of o2c_core_alloc'd strings.
 */
extern int	o2c_extract_refs(const char *s, size_t len, char ***refs);

/* Lower-case one code point (ASCII, Latin-1, Latin Extended-A, Greek, Cyrillic). */
extern uint32_t o2c_fold_case(uint32_t c);

#endif							/* O2C_STRSIM_H */
