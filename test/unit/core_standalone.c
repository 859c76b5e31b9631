/*
 * core_standalone.c — core.h's allocation for unit-test and fuzz binaries
 * built without a server: calloc, and the caller frees.
 */
#include <stdio.h>
#include <stdlib.h>

#include "core/core.h"

void *
o2c_core_alloc(size_t size)
{
	void	   *p = calloc(1, size ? size : 1);

	if (p == NULL)
	{
		fprintf(stderr, "out of memory\n");
		abort();
	}
	return p;
}

void
o2c_core_free(void *ptr)
{
	free(ptr);
}
