/*
 * currency.h — ISO 4217 look-ups (currency.c), plain C for any build.
 */
#ifndef O2C_CURRENCY_H
#define O2C_CURRENCY_H

#include "core.h"

#define O2C_CURRENCY_UNKNOWN		(-1)	/* not an active ISO 4217 code */
#define O2C_CURRENCY_NO_MINOR_UNIT	(-2)	/* metals, SDR, testing codes */

/* Minor units (0-4) of a code, or one of the negative values above. */
extern int	o2c_currency_minor_units(const char *text, size_t len);

/* Normalize "eur", " EUR " to "EUR"; false unless exactly 3 ASCII letters. */
extern bool o2c_currency_code(const char *text, size_t len, char code[4]);

#endif							/* O2C_CURRENCY_H */
