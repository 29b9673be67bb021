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

static inline int
t_exit(void)
{
	return t_failures ? 1 : 0;
}

#endif /* !T_H */
