/*
 * Protocol revisions, in two eras.
 *
 * The handshake era (2024-11-05 to 2025-11-25): the client names a
 * revision in initialize; the session keeps what was agreed and the loop
 * copies it into each request as it is handled.
 *
 * The stateless era (2026-07-28): no initialize; every request names its
 * revision and the client's capabilities in params._meta.
 *
 * Either way what a method writes depends on its request, never on a
 * global.
 */
#include <string.h>

#include "extern.h"

#define META_VERSION	"io.modelcontextprotocol/protocolVersion"
#define META_CAPS	"io.modelcontextprotocol/clientCapabilities"

/* Oldest first, indexed by enum proto. */
static const char *const versions[] = {
	"2024-11-05",		/* PROTO_2024_11_05 */
	"2025-03-26",		/* PROTO_2025_03_26: tool annotations */
	"2025-06-18",		/* PROTO_2025_06_18: title, structuredContent */
	"2025-11-25",		/* PROTO_2025_11_25 */
	"2026-07-28",		/* PROTO_2026_07_28: stateless */
};

enum proto
era_negotiate(const struct json_doc *doc, int tok)
{
	int	 i;

	for (i = PROTO_2024_11_05; i <= PROTO_HANDSHAKE_LATEST; i++)
		if (json_streq(doc, tok, versions[i]))
			return (enum proto)i;
	return PROTO_HANDSHAKE_LATEST;
}

const char *
era_name(enum proto p)
{
	return versions[p];
}

bool
era_stateless(enum proto p)
{
	return p >= PROTO_2026_07_28;
}

int
era_of_request(const struct json_doc *doc, int params, enum proto *p,
    int *requested, struct error *err)
{
	int	 meta, v, caps;

	*requested = -1;
	meta = json_member(doc, params, "_meta");
	v = json_member(doc, meta, META_VERSION);
	if (v == -1)
		return 0;
	if (json_type(doc, v) != JSON_STRING)
		return err_set(err, RPC_INVALID_PARAMS, "_meta \"%s\" must be "
		    "a string", META_VERSION);
	if (!json_streq(doc, v, versions[PROTO_2026_07_28])) {
		*requested = v;
		return err_set(err, RPC_UNSUPPORTED_VERSION,
		    "Unsupported protocol version");
	}
	caps = json_member(doc, meta, META_CAPS);
	if (json_type(doc, caps) != JSON_OBJECT)
		return err_set(err, RPC_INVALID_PARAMS, "_meta \"%s\" must be "
		    "an object (the client's capabilities for this request)",
		    META_CAPS);
	*p = PROTO_2026_07_28;
	return 1;
}

void
era_write_supported(struct jw *w)
{
	jw_arr_open(w);
	jw_str(w, versions[PROTO_2026_07_28]);
	jw_arr_close(w);
}

int
era_not_found(enum proto p)
{
	return era_stateless(p) ? RPC_INVALID_PARAMS : RPC_RESOURCE_NOT_FOUND;
}
