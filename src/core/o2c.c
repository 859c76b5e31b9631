/*
 * o2c.c — module entry: the magic block, and nothing else yet.
 */
#include "postgres.h"

#include "fmgr.h"

PG_MODULE_MAGIC;
