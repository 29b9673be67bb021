/*
 * The method table: every MCP method this server knows, its handler,
 * whether it needs the database, how the loop routes it and in which
 * protocol eras it exists.  The loop knows no method names; it asks here.
 */
#include <stdlib.h>
#include <string.h>

#include "extern.h"

#define ERA_HANDSHAKE	0x1	/* initialize and the revisions it names */

struct method {
	const char	*name;
	/* Answers req, or returns 1 with *job when it needs the database. */
	int		(*handler)(struct session *, struct rpc_req *,
			    const struct config *, struct job **);
	bool		 database;	/* the handler makes a job */
	enum mcp_route	 route;
	unsigned int	 eras;
};

static const char instructions[] =
    "Read-only SQL access to the fleet database (PostgreSQL). "
    "Start with list_schemas, list_tables and describe_table to learn the "
    "data, then run SELECT queries with the query tool. Every query runs "
    "in a read-only transaction that is rolled back, with a statement "
    "timeout and row and size limits; results say when they were "
    "truncated. Prefer aggregates and WHERE clauses over fetching raw "
    "rows.";

/* initialize: negotiate the version, declare what we implement. */
static int
mcp_initialize(struct session *sess, struct rpc_req *req,
    const struct config *cfg, struct job **job)
{
	struct jw	 w;

	(void)cfg;
	(void)job;
	sess->proto = era_negotiate(&req->doc,
	    json_member(&req->doc, req->params, "protocolVersion"));
	req->proto = sess->proto;
	jw_init(&w);
	rpc_result_begin(&w, req);
	jw_obj_open(&w);
	jw_kstr(&w, "protocolVersion", era_name(req->proto));
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
	if (req->proto >= PROTO_2025_06_18)
		jw_kstr(&w, "title", "Fleet analytics (read-only SQL)");
	jw_kstr(&w, "version", MCP_VERSION);
	jw_obj_close(&w);
	jw_kstr(&w, "instructions", instructions);
	jw_obj_close(&w);
	rpc_result_end(&w, req);
	jw_free(&w);
	return 0;
}

/* ping: an empty result. */
static int
mcp_ping(struct session *sess, struct rpc_req *req, const struct config *cfg,
    struct job **job)
{
	struct jw	 w;

	(void)sess;
	(void)cfg;
	(void)job;
	jw_init(&w);
	rpc_result_begin(&w, req);
	jw_obj_open(&w);
	jw_obj_close(&w);
	rpc_result_end(&w, req);
	jw_free(&w);
	return 0;
}

static int
mcp_tools_list(struct session *sess, struct rpc_req *req,
    const struct config *cfg, struct job **job)
{
	struct jw	 w;
	struct error	 err;

	(void)sess;
	(void)cfg;
	(void)job;
	/* Everything fits in one page, so no cursor of ours exists. */
	if (json_member(&req->doc, req->params, "cursor") != -1) {
		err_set(&err, RPC_INVALID_PARAMS, "invalid cursor");
		rpc_error(req, &err);
		return 0;
	}
	jw_init(&w);
	rpc_result_begin(&w, req);
	tools_list(&w, req->proto);
	rpc_result_end(&w, req);
	jw_free(&w);
	return 0;
}

static int
mcp_tools_call(struct session *sess, struct rpc_req *req,
    const struct config *cfg, struct job **job)
{
	struct error	 err;

	(void)sess;
	if (job == NULL || tools_call(req, cfg, job, &err) == -1) {
		rpc_error(req, &err);
		return 0;	/* no job was made: the request is the loop's */
	}
	return 1;
}

static const struct method methods[] = {
	{ "initialize", mcp_initialize, false, ROUTE_IN_ORDER,
	  ERA_HANDSHAKE },
	{ "ping", mcp_ping, false, ROUTE_AT_ONCE, ERA_HANDSHAKE },
	{ "tools/list", mcp_tools_list, false, ROUTE_IN_ORDER, ERA_HANDSHAKE },
	{ "tools/call", mcp_tools_call, true, ROUTE_IN_ORDER, ERA_HANDSHAKE },
	{ "notifications/initialized", NULL, false, ROUTE_DROP,
	  ERA_HANDSHAKE },
	{ "notifications/cancelled", NULL, false, ROUTE_CANCEL,
	  ERA_HANDSHAKE },
};

static const struct method *
mcp_method(const struct rpc_req *req)
{
	size_t	 i;

	for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		if (strcmp(req->method, methods[i].name) == 0 &&
		    (methods[i].eras & ERA_HANDSHAKE))
			return &methods[i];
	return NULL;
}

enum mcp_route
mcp_route(const struct rpc_req *req)
{
	const struct method	*m = mcp_method(req);

	if (req->id == NULL)
		/* Notifications are never answered; one may cancel. */
		return m != NULL && m->route == ROUTE_CANCEL ? ROUTE_CANCEL :
		    ROUTE_DROP;
	return m != NULL ? m->route : ROUTE_IN_ORDER;
}

bool
mcp_cancel_target(const struct rpc_req *req, const char **id, size_t *idlen)
{
	int	 t;

	t = json_member(&req->doc, req->params, "requestId");
	if (json_type(&req->doc, t) == JSON_STRING) {
		/* Ids are compared as they came: with their quotes. */
		*id = json_raw(&req->doc, t, idlen) - 1;
		*idlen += 2;
		return true;
	}
	if (json_type(&req->doc, t) == JSON_NUMBER) {
		*id = json_raw(&req->doc, t, idlen);
		return true;
	}
	return false;
}

int
mcp_handle(struct session *sess, struct rpc_req *req,
    const struct config *cfg, struct job **job)
{
	const struct method	*m;
	struct error		 err;

	*job = NULL;
	req->proto = sess->proto;
	if (req->id == NULL)
		return 0;		/* notifications are never answered */
	if ((m = mcp_method(req)) == NULL || m->handler == NULL) {
		/* server/discover too: clients fall back to initialize. */
		err_set(&err, RPC_METHOD_NOT_FOUND, "method not found: %s",
		    req->method);
		rpc_error(req, &err);
		return 0;
	}
	/* Only a method that needs the database may make a job. */
	return m->handler(sess, req, cfg, m->database ? job : NULL);
}
