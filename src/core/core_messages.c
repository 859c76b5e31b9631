/*
 * core_messages.c — O2cError formatting, shared by the server build and the
 * standalone unit-test and fuzz builds (plain C, no server headers).
 */
#include <stdio.h>

#include "core.h"

bool
o2c_fail(O2cError *err, O2cErrKind kind, const char *fmt,...)
{
	va_list		ap;

	err->kind = kind;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	err->detail[0] = '\0';
	err->hint[0] = '\0';
	return false;
}

void
o2c_fail_detail(O2cError *err, const char *fmt,...)
{
	va_list		ap;

	va_start(ap, fmt);
	vsnprintf(err->detail, sizeof(err->detail), fmt, ap);
	va_end(ap);
}

void
o2c_fail_hint(O2cError *err, const char *fmt,...)
{
	va_list		ap;

	va_start(ap, fmt);
	vsnprintf(err->hint, sizeof(err->hint), fmt, ap);
	va_end(ap);
}
