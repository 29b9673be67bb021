/*
 * typname.c: the column type names a connection has looked up, by type
 * oid and modifier, at most TYPNAME_MAX of them, forgotten on reconnect.
 */
#include <stdio.h>
#include <string.h>

#include "extern.h"
#include "t.h"

int
main(void)
{
	char		 name[32];
	const char	*got;
	unsigned int	 oid;
	int		 kept = 0, missing = 0;

	T_OK(typname_get(1700, -1) == NULL, "nothing is known at first");
	typname_put(1700, -1, "numeric");
	typname_put(1700, 655366, "numeric(10,2)");
	got = typname_get(1700, 655366);
	T_OK(got != NULL && strcmp(got, "numeric(10,2)") == 0,
	    "a name is found by oid and modifier");
	got = typname_get(1700, -1);
	T_OK(got != NULL && strcmp(got, "numeric") == 0,
	    "the same oid with another modifier is another name");
	typname_put(1700, -1, "something else");
	got = typname_get(1700, -1);
	T_OK(got != NULL && strcmp(got, "numeric") == 0,
	    "a name already known is kept, not replaced");
	T_OK(typname_get(1700, 42) == NULL, "an unknown modifier is unknown");

	/* Fill it past the cap: the first TYPNAME_MAX are kept. */
	for (oid = 100000; oid < 100000 + TYPNAME_MAX; oid++) {
		snprintf(name, sizeof(name), "t%u", oid);
		typname_put(oid, -1, name);
	}
	for (oid = 100000; oid < 100000 + TYPNAME_MAX; oid++) {
		snprintf(name, sizeof(name), "t%u", oid);
		got = typname_get(oid, -1);
		if (got != NULL && strcmp(got, name) == 0)
			kept++;
		else
			missing++;
	}
	T_OK(kept == TYPNAME_MAX - 2 && missing == 2,
	    "at most %d names are kept (%d kept, %d not)", TYPNAME_MAX, kept,
	    missing);
	T_OK(typname_get(1700, 655366) != NULL,
	    "the first names stay when it is full");

	typname_forget();
	T_OK(typname_get(1700, -1) == NULL && typname_get(100000, -1) == NULL,
	    "a new connection forgets every name");
	typname_put(23, -1, "integer");
	got = typname_get(23, -1);
	T_OK(got != NULL && strcmp(got, "integer") == 0,
	    "and learns again after forgetting");
	typname_forget();
	return t_exit();
}
