/*
 * aging.h — the aging buckets of aging.c for other C code: a state that
 * sums amounts into buckets exactly as the o2c.aging aggregates do, and the
 * result columns they return, so a caller that ages outside an aggregate
 * (the ledger's aging_history) gives the very same numbers.
 */
#ifndef O2C_AGING_H
#define O2C_AGING_H

#include "postgres.h"

#include "utils/array.h"
#include "utils/date.h"

#define O2C_AGING_MAX_BOUNDS	32

typedef struct AgingState AgingState;

/* Check an int[] of bounds as o2c.aging does (22023); returns their count. */
extern int	o2c_aging_parse_bounds(ArrayType *arr, int32 *bounds);
/* bounds NULL: the five standard buckets (and the weighted days past due). */
extern AgingState *o2c_aging_state_create(MemoryContext ctx, const int32 *bounds,
										  int nbounds, DateADT as_of);
/* Empty the state for another group (spills left in their context). */
extern void o2c_aging_state_clear(AgingState *state, DateADT as_of);
/* Add an amount of units of 10^-8 with display scale dscale, due on due. */
extern void o2c_aging_state_add(AgingState *state, int128 units, int32 dscale,
								DateADT due, MemoryContext ctx);
/* The nine columns of o2c.aging_buckets, or the four of o2c.aging_ladder. */
extern void o2c_aging_buckets_values(AgingState *state, Datum *values, bool *nulls);
extern void o2c_aging_ladder_values(AgingState *state, Datum *values);

#endif							/* O2C_AGING_H */
