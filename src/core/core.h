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
#include <string.h>

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
	char		message[512];
	char		detail[1024];
	char		hint[256];
} O2cError;

/* A hint to fetch the line at p into cache (no fault if p is not mapped). */
#if defined(__GNUC__) || defined(__clang__)
#define O2C_PREFETCH(p) __builtin_prefetch(p)
#else
#define O2C_PREFETCH(p) ((void) (p))
#endif

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

/*
 * A user-supplied value as messages quote it: the value itself when it has
 * at most O2C_QUOTE_CHARS characters, else its first O2C_QUOTE_CHARS
 * characters, "..." and its length, as in
 *   unknown currency: "INV-1 INV-1 INV-1 INV-1 ... INV-1 INV-... (102000 characters)"
 * so that a 100 KB bad value gives a short error. Characters are UTF-8 and
 * never cut; a byte that starts no valid sequence counts as one character.
 * The text lives in *q, so messages built in the cores need no allocation.
 */
#define O2C_QUOTE_CHARS 64

typedef struct O2cQuote
{
	char		text[O2C_QUOTE_CHARS * 4 + 48];
} O2cQuote;

extern const char *o2c_quote(O2cQuote *q, const char *value, size_t len);

/* The same for a C string, in storage that lasts to the end of the block. */
#define o2c_quote_cstr(s) o2c_quote(&(O2cQuote) {{0}}, (s), strlen(s))

#endif							/* O2C_CORE_H */
