/*
 * The column type names this connection has looked up (format_type() of
 * a type oid and modifier), so that a query whose columns are all known
 * needs no lookup of its own.  Every backend behind the connection serves
 * the same database, where an oid names the same type; a type renamed
 * while the session lasts keeps its old name here, which only the
 * "columns" of a result show.  At most TYPNAME_MAX names are kept: later
 * ones are looked up each time.
 */
#include <stdlib.h>
#include <string.h>

#include "extern.h"

static struct typname {
	unsigned int	 oid;
	int		 typmod;
	char		*name;
} names[TYPNAME_MAX];
static int nnames;

const char *
typname_get(unsigned int oid, int typmod)
{
	int	 i;

	for (i = 0; i < nnames; i++)
		if (names[i].oid == oid && names[i].typmod == typmod)
			return names[i].name;
	return NULL;
}

void
typname_put(unsigned int oid, int typmod, const char *name)
{
	if (nnames == TYPNAME_MAX || typname_get(oid, typmod) != NULL ||
	    (names[nnames].name = strdup(name)) == NULL)
		return;
	names[nnames].oid = oid;
	names[nnames++].typmod = typmod;
}

void
typname_forget(void)
{
	while (nnames > 0)
		free(names[--nnames].name);
}
