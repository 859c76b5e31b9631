/*
 * compat.h — the one place that looks at PG_VERSION_NUM.
 */
#ifndef O2C_COMPAT_H
#define O2C_COMPAT_H

#include "postgres.h"

#if PG_VERSION_NUM < 150000
#error "o2c needs PostgreSQL 15 or later"
#endif

/* The exact-sum fast path keeps totals in a 128-bit integer. */
#ifndef HAVE_INT128
#error "o2c needs a compiler with a 128-bit integer type"
#endif

#endif							/* O2C_COMPAT_H */
