/*
 * Small helpers shared by every module.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

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

void
config_defaults(struct config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->max_rows = ROWS_CEIL_DEFAULT;
	cfg->max_bytes = BYTES_DEFAULT;
	cfg->max_cell = CELL_DEFAULT;
	cfg->timeout_s = TIMEOUT_DEFAULT;
	cfg->max_line = LINE_MAX_DEFAULT;
	cfg->max_memory_mb = MEMORY_DEFAULT_MB;
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

#ifdef __SSE2__
/*
 * The eight bytes that the sixteen hex digits at hex stand for, into b;
 * -1 (b unwritten) if one of them is not a hex digit.  x86-64 always has
 * SSE2.
 */
static int
hex_decode16(unsigned char *b, const char *hex)
{
	__m128i	 v, d, l, is_d, is_l, nib, pairs;

	v = _mm_loadu_si128((const void *)hex);
	/*
	 * Less '0', the digits are 0 to 9; lower-cased and less 'a', the
	 * letters are 0 to 5; every other byte falls outside both.
	 */
	d = _mm_sub_epi8(v, _mm_set1_epi8('0'));
	l = _mm_sub_epi8(_mm_or_si128(v, _mm_set1_epi8(0x20)),
	    _mm_set1_epi8('a'));
	is_d = _mm_cmpeq_epi8(_mm_min_epu8(d, _mm_set1_epi8(9)), d);
	is_l = _mm_cmpeq_epi8(_mm_min_epu8(l, _mm_set1_epi8(5)), l);
	if (_mm_movemask_epi8(_mm_or_si128(is_d, is_l)) != 0xffff)
		return -1;
	nib = _mm_or_si128(_mm_and_si128(is_d, d), _mm_and_si128(is_l,
	    _mm_add_epi8(l, _mm_set1_epi8(10))));
	/* Each 16-bit lane holds a pair, the high digit first: hi << 4 | lo. */
	pairs = _mm_or_si128(_mm_slli_epi16(_mm_and_si128(nib,
	    _mm_set1_epi16(0x0f)), 4), _mm_srli_epi16(nib, 8));
	_mm_storel_epi64((void *)b, _mm_packus_epi16(pairs, pairs));
	return 0;
}
#endif

int
hex_decode(unsigned char *b, const char *hex, size_t n)
{
	const unsigned char	*p = (const unsigned char *)hex;
	unsigned int		 hi, lo, bad = 0;
	size_t			 i = 0;

#ifdef __SSE2__
	for (; n - i >= 8; i += 8)
		if (hex_decode16(b + i, hex + 2 * i) == -1)
			return -1;
#endif
	/* A digit that is not hex has bits above the low four: one test. */
	for (; i < n; i++) {
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
