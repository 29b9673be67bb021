/*
 * A minimal table-driven test harness.  Each check prints one line,
 * "ok - NAME" or "not ok - NAME: WHY", which tests/run counts; main()
 * returns t_exit() so a failure also shows in the exit status.
 */
#ifndef T_H
#define T_H

#include <stdio.h>

static int t_failures;

#define T_OK(cond, ...) do {						\
	if (cond) {							\
		printf("ok - ");					\
		printf(__VA_ARGS__);					\
		printf("\n");						\
	} else {							\
		t_failures++;						\
		printf("not ok - ");					\
		printf(__VA_ARGS__);					\
		printf(" (%s:%d: %s)\n", __FILE__, __LINE__, #cond);	\
	}								\
} while (0)

/* s with unprintable bytes as \xNN, cut at ~120 bytes, for test names. */
static inline const char *
t_show(const char *s, size_t len)
{
	static char	 b[128];
	size_t		 i, o = 0;

	for (i = 0; i < len && o < sizeof(b) - 8; i++) {
		if (s[i] >= 0x20 && s[i] < 0x7f)
			b[o++] = s[i];
		else
			o += (size_t)snprintf(b + o, sizeof(b) - o, "\\x%02x",
			    (unsigned char)s[i]);
	}
	if (i < len)
		o += (size_t)snprintf(b + o, sizeof(b) - o, "...");
	b[o] = '\0';
	return b;
}

static inline int
t_exit(void)
{
	return t_failures ? 1 : 0;
}

#endif /* !T_H */
