/*
 * strsim_fuzz.c — libFuzzer target for the string cores (strsim*.c): any
 * bytes, split in two at the first NUL, through every function. Checks the
 * metric properties that must hold for any input, and the Damerau-Levenshtein
 * distance against the textbook recurrence (strsim_reference.h).
 *
 *   clang-14 -g -O1 -fsanitize=fuzzer,address,undefined -o /tmp/strsim_fuzz \
 *       test/fuzz/strsim_fuzz.c src/matching/strsim.c src/matching/strsim_dl.c src/core/core_messages.c \
 *       test/unit/core_standalone.c
 *   /tmp/strsim_fuzz -max_total_time=60 -max_len=600
 */
#include <stdlib.h>
#include <string.h>

#include "matching/strsim.h"
#include "../unit/strsim_reference.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *a = (const char *) data;
	const char *nul = memchr(data, 0, size);
	size_t		alen = nul ? (size_t) (nul - a) : size;
	const char *b = nul ? nul + 1 : a;
	size_t		blen = nul ? size - alen - 1 : size;
	O2cError	err;
	double		jw;
	int			d,
				d2;
	size_t		len;
	char	   *s,
			  **refs;
	int			n;

	memset(&err, 0, sizeof(err));
	jw = o2c_jaro_winkler(a, alen, b, blen);
	if (!(jw >= 0.0 && jw <= 1.0))
		abort();
	d = o2c_damerau_levenshtein(a, alen, b, blen, &err);
	d2 = o2c_damerau_levenshtein(b, blen, a, alen, &err);
	if (d != d2)
		abort();
	if (d == 0 && !(alen == blen && memcmp(a, b, alen) == 0))
		abort();
	/* exact: the textbook recurrence on the decoded characters agrees */
	if (d >= 0)
	{
		uint32_t   *ac = malloc(sizeof(uint32_t) * (alen + 1));
		uint32_t   *bc = malloc(sizeof(uint32_t) * (blen + 1));
		int			la = o2c_utf8_decode(a, alen, ac);
		int			lb = o2c_utf8_decode(b, blen, bc);

		if (dl_reference(ac, la, bc, lb) != d)
			abort();
		free(ac);
		free(bc);
	}

	s = o2c_normalize_name(a, alen, &len);
	if (strlen(s) != len)
		abort();
	{
		size_t		len2;
		char	   *s2 = o2c_normalize_name(s, len, &len2);

		/* idempotent once legal forms are gone */
		if (len2 > len)
			abort();
		o2c_core_free(s2);
	}
	o2c_core_free(s);
	s = o2c_normalize_ref(a, alen, &len);
	if (strlen(s) != len)
		abort();
	o2c_core_free(s);
	n = o2c_extract_refs(a, alen, &refs);
	for (int i = 0; i < n; i++)
		o2c_core_free(refs[i]);
	o2c_core_free(refs);
	return 0;
}
