/*
 * strsim_reference.h — a reference for the unrestricted Damerau-Levenshtein
 * distance shared by the unit test and the fuzzer (test code only).
 */
#ifndef O2C_STRSIM_REFERENCE_H
#define O2C_STRSIM_REFERENCE_H

#include <stdint.h>
#include <stdlib.h>

/*
 * The textbook Lowrance-Wagner recurrence for the unrestricted distance,
 * with every term in every cell and the last row of each character found by
 * a linear search: slow and plain, the reference the fast code must match.
 */
static int
dl_reference(const uint32_t *a, int la, const uint32_t *b, int lb)
{
	int			cols = lb + 2,
				inf = la + lb,
				nda = 0,
				r;
	int		   *h = malloc(sizeof(int) * (la + 2) * cols);
	uint32_t   *dachar = malloc(sizeof(uint32_t) * (la + 1));
	int		   *darow = malloc(sizeof(int) * (la + 1));

	h[0] = inf;
	for (int i = 0; i <= la; i++)
	{
		h[(i + 1) * cols] = inf;
		h[(i + 1) * cols + 1] = i;
	}
	for (int j = 0; j <= lb; j++)
	{
		h[j + 1] = inf;
		h[cols + j + 1] = j;
	}
	for (int i = 1; i <= la; i++)
	{
		int			db = 0,
					k;

		for (int j = 1; j <= lb; j++)
		{
			int			i1 = 0,
						j1 = db,
						cost = a[i - 1] == b[j - 1] ? 0 : 1,
						v;

			for (k = 0; k < nda; k++)
				if (dachar[k] == b[j - 1])
					i1 = darow[k];
			if (cost == 0)
				db = j;
			v = h[i * cols + j] + cost;
			if (h[(i + 1) * cols + j] + 1 < v)
				v = h[(i + 1) * cols + j] + 1;
			if (h[i * cols + j + 1] + 1 < v)
				v = h[i * cols + j + 1] + 1;
			if (h[i1 * cols + j1] + (i - i1 - 1) + 1 + (j - j1 - 1) < v)
				v = h[i1 * cols + j1] + (i - i1 - 1) + 1 + (j - j1 - 1);
			h[(i + 1) * cols + j + 1] = v;
		}
		for (k = 0; k < nda && dachar[k] != a[i - 1]; k++)
			;
		if (k == nda)
			dachar[nda++] = a[i - 1];
		darow[k] = i;
	}
	r = h[(la + 1) * cols + lb + 1];
	free(h);
	free(dachar);
	free(darow);
	return r;
}

#endif
