/*
 * The method table: every MCP method this server knows, how it is
 * answered (at once, or by a job from the database), how the loop routes
 * it and in which protocol eras it exists.  The loop knows no method
 * names; it asks here.
 */
#include <stdlib.h>
#include <string.h>

#include "extern.h"

#define ERA_HANDSHAKE	0x1	/* initialize and the revisions it names */

struct method {
	const char	*name;
	/* Answers req at once, without the database; NULL for a job. */
	void		(*answer)(struct session *, struct rpc_req *);
	/*
	 * Or makes the job that answers req from the database: 0 (or 1, an
	 * answer decided already) with *job made, or -1 with err and none.
	 */
	int		(*make_job)(struct rpc_req *, const struct config *,
			    struct job **, struct error *);
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
static void
mcp_initialize(struct session *sess, struct rpc_req *req)
{
	struct jw	 w;

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
	jw_key(&w, "prompts");
	jw_obj_open(&w);
	jw_kbool(&w, "listChanged", false);
	jw_obj_close(&w);
	/* No listChanged: a client would open a subscription for it. */
	jw_key(&w, "resources");
	jw_obj_open(&w);
	jw_obj_close(&w);
	jw_key(&w, "completions");
	jw_obj_open(&w);
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
}

/* ping: an empty result. */
static void
mcp_ping(struct session *sess, struct rpc_req *req)
{
	struct jw	 w;

	(void)sess;
	jw_init(&w);
	rpc_result_begin(&w, req);
	jw_obj_open(&w);
	jw_obj_close(&w);
	rpc_result_end(&w, req);
	jw_free(&w);
}

/* A list that fits in one page: no cursor of ours exists. */
static bool
mcp_no_cursor(struct rpc_req *req)
{
	struct error	 err;

	if (json_member(&req->doc, req->params, "cursor") == -1)
		return true;
	err_set(&err, RPC_INVALID_PARAMS, "invalid cursor");
	rpc_error(req, &err);
	return false;
}

/* A one-page list, written by write for the request's revision. */
static void
mcp_list(struct rpc_req *req, void (*write)(struct jw *, enum proto))
{
	struct jw	 w;

	if (!mcp_no_cursor(req))
		return;
	jw_init(&w);
	rpc_result_begin(&w, req);
	write(&w, req->proto);
	rpc_result_end(&w, req);
	jw_free(&w);
}

static void
mcp_tools_list(struct session *sess, struct rpc_req *req)
{
	(void)sess;
	mcp_list(req, tools_list);
}

static void
mcp_resource_templates(struct session *sess, struct rpc_req *req)
{
	(void)sess;
	mcp_list(req, resources_templates);
}

static const struct method methods[] = {
	{ "initialize", mcp_initialize, NULL, ROUTE_IN_ORDER, ERA_HANDSHAKE },
	{ "ping", mcp_ping, NULL, ROUTE_AT_ONCE, ERA_HANDSHAKE },
	{ "tools/list", mcp_tools_list, NULL, ROUTE_IN_ORDER, ERA_HANDSHAKE },
	{ "tools/call", NULL, tools_call, ROUTE_IN_ORDER, ERA_HANDSHAKE },
	{ "prompts/list", NULL, prompts_list, ROUTE_IN_ORDER, ERA_HANDSHAKE },
	{ "prompts/get", NULL, prompts_get, ROUTE_IN_ORDER, ERA_HANDSHAKE },
	{ "resources/list", NULL, resources_list, ROUTE_IN_ORDER,
	  ERA_HANDSHAKE },
	{ "resources/read", NULL, resources_read, ROUTE_IN_ORDER,
	  ERA_HANDSHAKE },
	{ "resources/templates/list", mcp_resource_templates, NULL,
	  ROUTE_IN_ORDER, ERA_HANDSHAKE },
	{ "completion/complete", NULL, complete_make, ROUTE_IN_ORDER,
	  ERA_HANDSHAKE },
	{ "notifications/initialized", NULL, NULL, ROUTE_DROP, ERA_HANDSHAKE },
	{ "notifications/cancelled", NULL, NULL, ROUTE_CANCEL, ERA_HANDSHAKE },
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
	m = mcp_method(req);
	if (m != NULL && m->answer != NULL) {
		m->answer(sess, req);
		return 0;
	}
	if (m != NULL && m->make_job != NULL) {
		if (m->make_job(req, cfg, job, &err) == -1) {
			rpc_error(req, &err);
			return 0;	/* no job: the request is the caller's */
		}
		return 1;
	}
	/* server/discover too: clients fall back to initialize. */
	err_set(&err, RPC_METHOD_NOT_FOUND, "method not found: %s",
	    req->method);
	rpc_error(req, &err);
	return 0;
}
