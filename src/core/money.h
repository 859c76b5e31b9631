/*
 * money.h — exact money splitting (money.c), shared by split_amount and the
 * payment schedules.
 */
#ifndef O2C_MONEY_H
#define O2C_MONEY_H

#include "postgres.h"

#include "utils/numeric.h"

/* 22023 for NaN or infinite amounts. */
extern void o2c_check_finite_amount(Numeric amount, const char *what);

/*
 * Largest-remainder split of amount (which must have at most `scale`
 * decimals) by non-negative integer weights; results[] sum to amount and
 * ties go to the earlier part (money.c).
 */
extern void o2c_split_numeric(Numeric amount, const Numeric *weights, int n,
							  int scale, Numeric *results);

/* The same with non-negative integer weights, on integers when they fit. */
extern void o2c_split_int_weights(Numeric amount, const int32 *weights, int n,
								  int scale, Numeric *results);

#endif							/* O2C_MONEY_H */
