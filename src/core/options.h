/*
 * options.h — the jsonb options of the bulk functions (options.c).
 */
#ifndef O2C_OPTIONS_H
#define O2C_OPTIONS_H

#include "postgres.h"

#include "utils/jsonb.h"

/* jsonb options: the value of key, NULL when absent. */
extern void o2c_options_check_keys(Jsonb *options, const char *const *allowed,
								   const char *fname);
extern JsonbValue *o2c_options_get(Jsonb *options, const char *key);
extern int	o2c_options_int(Jsonb *options, const char *key, int dflt,
							int min, int max);

#endif							/* O2C_OPTIONS_H */
