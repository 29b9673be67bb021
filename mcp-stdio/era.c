/*
 * Protocol revisions.  In the handshake era the client names a revision
 * in initialize; the session keeps what was agreed and the loop copies it
 * into each request as it is handled, so that what a method writes
 * depends on its request, never on a global.
 */
#include "extern.h"

/* Oldest first, indexed by enum proto. */
static const char *const versions[] = {
	"2024-11-05",		/* PROTO_2024_11_05 */
	"2025-03-26",		/* PROTO_2025_03_26: tool annotations */
	"2025-06-18",		/* PROTO_2025_06_18: title, structuredContent */
	"2025-11-25",		/* PROTO_2025_11_25 */
};

enum proto
era_negotiate(const struct json_doc *doc, int tok)
{
	size_t	 i;

	for (i = 0; i < sizeof(versions) / sizeof(versions[0]); i++)
		if (json_streq(doc, tok, versions[i]))
			return (enum proto)i;
	return PROTO_LATEST;
}

const char *
era_name(enum proto p)
{
	return versions[p];
}
