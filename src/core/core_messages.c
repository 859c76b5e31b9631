/*
 * core_messages.c — O2cError formatting, shared by the server build and the
 * standalone unit-test and fuzz builds (plain C, no server headers).
 */
#include <stdio.h>

#include "core.h"

/*
 * The length of the UTF-8 sequence at p (at most n bytes left), or 1 for a
 * byte that starts no complete, valid sequence.
 */
static size_t
utf8_seq_len(const unsigned char *p, size_t n)
{
	size_t		len;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xC2 && p[0] <= 0xDF)
		len = 2;
	else if (p[0] >= 0xE0 && p[0] <= 0xEF)
		len = 3;
	else if (p[0] >= 0xF0 && p[0] <= 0xF4)
		len = 4;
	else
		return 1;
	if (len > n)
		return 1;
	for (size_t i = 1; i < len; i++)
		if ((p[i] & 0xC0) != 0x80)
			return 1;
	return len;
}

/* Drop an incomplete UTF-8 sequence that vsnprintf left at the end of buf. */
static void
trim_cut_sequence(char *buf, int written, size_t size)
{
	size_t		end,
				start;

	if (written < 0 || (size_t) written < size)
		return;
	end = size - 1;
	start = end;
	while (start > 0 && ((unsigned char) buf[start - 1] & 0xC0) == 0x80 && end - start < 3)
		start--;
	if (start > 0 && (unsigned char) buf[start - 1] >= 0xC0 &&
		utf8_seq_len((const unsigned char *) buf + start - 1, end - start + 1) == 1)
		buf[start - 1] = '\0';
}

const char *
o2c_quote(O2cQuote *q, const char *value, size_t len)
{
	const unsigned char *v = (const unsigned char *) value;
	size_t		i = 0,
				nchars = 0,
				cut;

	while (i < len && nchars < O2C_QUOTE_CHARS)
	{
		i += utf8_seq_len(v + i, len - i);
		nchars++;
	}
	cut = i;
	if (cut == len)
	{
		memcpy(q->text, value, len);
		q->text[len] = '\0';
		return q->text;
	}
	while (i < len)
	{
		i += utf8_seq_len(v + i, len - i);
		nchars++;
	}
	snprintf(q->text, sizeof(q->text), "%.*s... (%zu characters)", (int) cut, value, nchars);
	return q->text;
}

bool
o2c_fail(O2cError *err, O2cErrKind kind, const char *fmt,...)
{
	va_list		ap;

	err->kind = kind;
	va_start(ap, fmt);
	trim_cut_sequence(err->message, vsnprintf(err->message, sizeof(err->message), fmt, ap),
					  sizeof(err->message));
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
	trim_cut_sequence(err->detail, vsnprintf(err->detail, sizeof(err->detail), fmt, ap),
					  sizeof(err->detail));
	va_end(ap);
}

void
o2c_fail_hint(O2cError *err, const char *fmt,...)
{
	va_list		ap;

	va_start(ap, fmt);
	trim_cut_sequence(err->hint, vsnprintf(err->hint, sizeof(err->hint), fmt, ap),
					  sizeof(err->hint));
	va_end(ap);
}
