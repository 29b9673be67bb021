/*
 * Small helpers shared by every module.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "extern.h"

int
err_set(struct error *err, int code, const char *fmt, ...)
{
	va_list	 ap;

	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

/* Monotonic milliseconds, for elapsed times and timeouts. */
uint64_t
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* The value of each hex digit, HEX_NONE for every other byte. */
#define HEX_NONE	0xff
#define HEX_NONE16	HEX_NONE, HEX_NONE, HEX_NONE, HEX_NONE, HEX_NONE, \
			HEX_NONE, HEX_NONE, HEX_NONE, HEX_NONE, HEX_NONE, \
			HEX_NONE, HEX_NONE, HEX_NONE, HEX_NONE, HEX_NONE, \
			HEX_NONE
static const unsigned char hex_digits[256] = {
	HEX_NONE16, HEX_NONE16, HEX_NONE16,
	0, 1, 2, 3, 4, 5, 6, 7, 8, 9,				/* 0-9 */
	HEX_NONE, HEX_NONE, HEX_NONE, HEX_NONE, HEX_NONE, HEX_NONE,
	HEX_NONE, 10, 11, 12, 13, 14, 15,			/* A-F */
	HEX_NONE, HEX_NONE, HEX_NONE, HEX_NONE, HEX_NONE, HEX_NONE,
	HEX_NONE, HEX_NONE, HEX_NONE,
	HEX_NONE16,
	HEX_NONE, 10, 11, 12, 13, 14, 15,			/* a-f */
	HEX_NONE, HEX_NONE, HEX_NONE, HEX_NONE, HEX_NONE, HEX_NONE,
	HEX_NONE, HEX_NONE, HEX_NONE,
	HEX_NONE16,
	HEX_NONE16, HEX_NONE16, HEX_NONE16, HEX_NONE16,
	HEX_NONE16, HEX_NONE16, HEX_NONE16, HEX_NONE16
};

int
hex_value(int c)
{
	if (c < 0 || c > 255 || hex_digits[c] == HEX_NONE)
		return -1;
	return hex_digits[c];
}

int
hex_decode(unsigned char *b, const char *hex, size_t n)
{
	const unsigned char	*p = (const unsigned char *)hex;
	unsigned int		 hi, lo, bad = 0;
	size_t			 i;

	/* A digit that is not hex has bits above the low four: one test. */
	for (i = 0; i < n; i++) {
		hi = hex_digits[p[2 * i]];
		lo = hex_digits[p[2 * i + 1]];
		bad |= hi | lo;
		b[i] = (unsigned char)(hi << 4 | lo);
	}
	return bad > 0xf ? -1 : 0;
}

bool
word_valid(const char *s, size_t max)
{
	size_t	 i;

	if (*s == '\0' || strlen(s) > max)
		return false;
	for (i = 0; s[i] != '\0'; i++)
		if (!isalnum((unsigned char)s[i]) && strchr("._@-", s[i]) ==
		    NULL)
			return false;
	return true;
}
