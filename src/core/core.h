/*
 * core.h — the allocation-and-error interface of o2c's pure-C cores.
 *
 * Code that reads untrusted bytes (payment terms, validators, string metrics,
 * bank statement parsers) includes only this header and the C library, so
 * the same file compiles into the extension and into standalone unit-test
 * and fuzz binaries. In the server o2c_core_alloc is palloc0 (freed with the
 * calling memory context) and a failed O2cError is raised by o2c_raise()
 * (o2c.h); standalone builds link test/unit/core_standalone.c instead, where
 * it is calloc and the caller frees.
 *
 * A core function reports failure by filling an O2cError (o2c_fail) and
 * returning false or NULL; it never longjmps and never exits.
 */
#ifndef O2C_CORE_H
#define O2C_CORE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum O2cErrKind
{
	O2C_OK = 0,
	O2C_ERR_SYNTAX,				/* 22P02 invalid_text_representation */
	O2C_ERR_VALUE,				/* 22023 invalid_parameter_value */
	O2C_ERR_DATETIME,			/* 22008 datetime_field_overflow */
	O2C_ERR_DATA,				/* 22000 data_exception */
	O2C_ERR_LIMIT				/* 54000 program_limit_exceeded */
} O2cErrKind;

typedef struct O2cError
{
	O2cErrKind	kind;
	char		message[256];
	char		detail[512];
	char		hint[256];
} O2cError;

/* Zeroed memory; never returns NULL (the server raises, standalone aborts). */
extern void *o2c_core_alloc(size_t size);
extern void o2c_core_free(void *ptr);

/* Record a failure (printf-style message) and return false. */
extern bool o2c_fail(O2cError *err, O2cErrKind kind, const char *fmt,...)
			__attribute__((format(printf, 3, 4)));
extern void o2c_fail_detail(O2cError *err, const char *fmt,...)
			__attribute__((format(printf, 2, 3)));
extern void o2c_fail_hint(O2cError *err, const char *fmt,...)
			__attribute__((format(printf, 2, 3)));

#endif							/* O2C_CORE_H */
