/*
 * Small helpers shared by every module.
 */
#include <stdarg.h>
#include <stdio.h>
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
