/*
 * MCP methods that need no database: initialize, ping, tools/list and the
 * answers to everything we do not implement.  tools/call goes through
 * tool_prepare() and the database instead (see loop.c).
 */
#include <string.h>

#include "extern.h"

/* Oldest first; initialize answers the newest when the client's is unknown. */
static const char *const versions[] = {
	"2024-11-05",		/* PROTO_2024_11_05 */
	"2025-03-26",		/* PROTO_2025_03_26: tool annotations */
	"2025-06-18",		/* PROTO_2025_06_18: title, structuredContent */
	"2025-11-25",		/* PROTO_2025_11_25 */
};

static enum proto proto = PROTO_LATEST;

static const char instructions[] =
    "Read-only SQL access to the fleet database (PostgreSQL). "
    "Start with list_schemas, list_tables and describe_table to learn the "
    "data, then run SELECT queries with the query tool. Every query runs "
    "in a read-only transaction that is rolled back, with a statement "
    "timeout and row and size limits; results say when they were "
    "truncated. Prefer aggregates and WHERE clauses over fetching raw "
    "rows.";

enum proto
mcp_proto(void)
{
	return proto;
}

/* Answer initialize: negotiate the version, declare what we implement. */
static void
mcp_initialize(struct rpc_req *req)
{
	struct jw	 w;
	int		 v;
	size_t		 i;

	proto = PROTO_LATEST;
	v = json_member(&req->doc, req->params, "protocolVersion");
	for (i = 0; i < sizeof(versions) / sizeof(versions[0]); i++)
		if (json_streq(&req->doc, v, versions[i]))
			proto = (enum proto)i;

	jw_init(&w);
	jw_obj_open(&w);
	jw_kstr(&w, "protocolVersion", versions[proto]);
	jw_key(&w, "capabilities");
	jw_obj_open(&w);
	jw_key(&w, "tools");
	jw_obj_open(&w);
	jw_kbool(&w, "listChanged", false);
	jw_obj_close(&w);
	jw_obj_close(&w);
	jw_key(&w, "serverInfo");
	jw_obj_open(&w);
	jw_kstr(&w, "name", MCP_NAME);
	if (proto >= PROTO_2025_06_18)
		jw_kstr(&w, "title", "Fleet analytics (read-only SQL)");
	jw_kstr(&w, "version", MCP_VERSION);
	jw_obj_close(&w);
	jw_kstr(&w, "instructions", instructions);
	jw_obj_close(&w);
	rpc_reply(req, &w);
	jw_free(&w);
}

/* Reply with an empty object: ping. */
static void
mcp_empty(struct rpc_req *req)
{
	struct jw	 w;

	jw_init(&w);
	jw_obj_open(&w);
	jw_obj_close(&w);
	rpc_reply(req, &w);
	jw_free(&w);
}

static void
mcp_tools_list(struct rpc_req *req)
{
	struct jw	 w;
	struct error	 err;

	/* Everything fits in one page, so no cursor of ours exists. */
	if (json_member(&req->doc, req->params, "cursor") != -1) {
		err_set(&err, RPC_INVALID_PARAMS, "invalid cursor");
		rpc_error(req, &err);
		return;
	}
	jw_init(&w);
	tool_list(&w);
	rpc_reply(req, &w);
	jw_free(&w);
}

void
mcp_handle(struct rpc_req *req)
{
	struct error	 err;

	if (req->id == NULL)
		return;		/* notifications are never answered */
	if (strcmp(req->method, "initialize") == 0)
		mcp_initialize(req);
	else if (strcmp(req->method, "ping") == 0)
		mcp_empty(req);
	else if (strcmp(req->method, "tools/list") == 0)
		mcp_tools_list(req);
	else {
		/* server/discover too: clients fall back to initialize. */
		err_set(&err, RPC_METHOD_NOT_FOUND, "method not found: %s",
		    req->method);
		rpc_error(req, &err);
	}
}
