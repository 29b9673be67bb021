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
#define ERA_STATELESS	0x2	/* 2026-07-28: _meta on every request */
#define ERA_BOTH	(ERA_HANDSHAKE | ERA_STATELESS)

/*
 * How long a stateless-era client may keep a result (ttlMs) and whether a
 * cache may share it between analysts (cacheScope).  What depends on the
 * analyst's role (the catalog it can read) is private; tools/list too, as
 * the options of one analyst's forced command may differ from another's.
 */
#define KEEP_HOUR	3600000L
#define KEEP_CATALOG	300000L		/* tables come and go */
#define KEEP_READ	60000L		/* estimates and statistics move */

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
	/* The stateless-era caching hint of its result; scope NULL: none. */
	long		 ttl_ms;
	const char	*cache_scope;
};

static const char instructions[] =
    "Read-only SQL access to the fleet database (PostgreSQL). "
    "Start with list_schemas, list_tables and describe_table to learn the "
    "data, then run SELECT queries with the query tool. Every query runs "
    "in a read-only transaction that is rolled back, with a statement "
    "timeout and row and size limits; results say when they were "
    "truncated. Prefer aggregates and WHERE clauses over fetching raw "
    "rows.";

/* What this server implements, for initialize and server/discover. */
static void
mcp_write_capabilities(struct jw *w)
{
	jw_key(w, "capabilities");
	jw_obj_open(w);
	jw_key(w, "tools");
	jw_obj_open(w);
	jw_kbool(w, "listChanged", false);
	jw_obj_close(w);
	jw_key(w, "prompts");
	jw_obj_open(w);
	jw_kbool(w, "listChanged", false);
	jw_obj_close(w);
	/* No listChanged: a client would open a subscription for it. */
	jw_key(w, "resources");
	jw_obj_open(w);
	jw_obj_close(w);
	jw_key(w, "completions");
	jw_obj_open(w);
	jw_obj_close(w);
	jw_obj_close(w);
}

/* The server's name, title and version as the member key of an object. */
static void
mcp_write_server_info(struct jw *w, const char *key, enum proto proto)
{
	jw_key(w, key);
	jw_obj_open(w);
	jw_kstr(w, "name", MCP_NAME);
	if (proto >= PROTO_2025_06_18)
		jw_kstr(w, "title", "Fleet analytics (read-only SQL)");
	jw_kstr(w, "version", MCP_VERSION);
	jw_obj_close(w);
}

/*
 * initialize: negotiate the version, declare what we implement.  It opens
 * the handshake era whatever came before it.
 */
static void
mcp_initialize(struct session *sess, struct rpc_req *req)
{
	struct jw	 w;

	sess->proto = era_negotiate(&req->doc,
	    json_member(&req->doc, req->params, "protocolVersion"));
	sess->initialized = true;
	sess->stateless = false;
	req->proto = sess->proto;
	jw_init(&w);
	rpc_result_begin(&w, req);
	jw_obj_open(&w);
	jw_kstr(&w, "protocolVersion", era_name(req->proto));
	mcp_write_capabilities(&w);
	mcp_write_server_info(&w, "serverInfo", req->proto);
	jw_kstr(&w, "instructions", instructions);
	jw_obj_close(&w);
	rpc_result_end(&w, req);
	jw_free(&w);
}

/* server/discover (stateless era): what initialize would have said. */
static void
mcp_discover(struct session *sess, struct rpc_req *req)
{
	struct jw	 w;

	(void)sess;
	jw_init(&w);
	rpc_result_begin(&w, req);
	jw_obj_open(&w);
	jw_key(&w, "supportedVersions");
	era_write_supported(&w);
	mcp_write_capabilities(&w);
	jw_kstr(&w, "instructions", instructions);
	jw_key(&w, "_meta");
	jw_obj_open(&w);
	mcp_write_server_info(&w, "io.modelcontextprotocol/serverInfo",
	    req->proto);
	jw_obj_close(&w);
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
	{ "initialize", mcp_initialize, NULL, ROUTE_IN_ORDER, ERA_HANDSHAKE,
	  0, NULL },
	{ "server/discover", mcp_discover, NULL, ROUTE_IN_ORDER, ERA_STATELESS,
	  KEEP_HOUR, "public" },
	{ "ping", mcp_ping, NULL, ROUTE_AT_ONCE, ERA_HANDSHAKE, 0, NULL },
	{ "tools/list", mcp_tools_list, NULL, ROUTE_IN_ORDER, ERA_BOTH,
	  KEEP_HOUR, "private" },
	{ "tools/call", NULL, tools_call, ROUTE_IN_ORDER, ERA_BOTH, 0, NULL },
	{ "prompts/list", NULL, prompts_list, ROUTE_IN_ORDER, ERA_BOTH,
	  KEEP_CATALOG, "private" },
	{ "prompts/get", NULL, prompts_get, ROUTE_IN_ORDER, ERA_BOTH, 0, NULL },
	{ "resources/list", NULL, resources_list, ROUTE_IN_ORDER, ERA_BOTH,
	  KEEP_CATALOG, "private" },
	{ "resources/read", NULL, resources_read, ROUTE_IN_ORDER, ERA_BOTH,
	  KEEP_READ, "private" },
	{ "resources/templates/list", mcp_resource_templates, NULL,
	  ROUTE_IN_ORDER, ERA_BOTH, KEEP_HOUR, "public" },
	{ "completion/complete", NULL, complete_make, ROUTE_IN_ORDER,
	  ERA_BOTH, 0, NULL },
	{ "notifications/initialized", NULL, NULL, ROUTE_DROP, ERA_HANDSHAKE,
	  0, NULL },
	{ "notifications/cancelled", NULL, NULL, ROUTE_CANCEL, ERA_BOTH,
	  0, NULL },
};

/* The method called name in the eras given, or NULL. */
static const struct method *
mcp_method(const char *name, unsigned int eras)
{
	size_t	 i;

	for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		if (strcmp(name, methods[i].name) == 0 &&
		    (methods[i].eras & eras))
			return &methods[i];
	return NULL;
}

enum mcp_route
mcp_route(const struct rpc_req *req)
{
	const struct method	*m = mcp_method(req->method, ERA_BOTH);

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

/* Refuse a request whose _meta names a revision we do not speak. */
static void
mcp_unsupported(const struct rpc_req *req, int requested,
    const struct error *err)
{
	struct jw	 data;
	const char	*v;
	size_t		 n;

	/* A string: its quotes are around what json_raw() gives. */
	v = json_raw(&req->doc, requested, &n);
	jw_init(&data);
	jw_obj_open(&data);
	jw_key(&data, "supported");
	era_write_supported(&data);
	jw_key(&data, "requested");
	jw_raw(&data, v - 1, n + 2);
	jw_obj_close(&data);
	rpc_error_data(req, err, &data);
	jw_free(&data);
}

/*
 * Set req->proto: the revision its _meta names (stateless era), else the
 * session's.  A session that began statelessly refuses a request without
 * it.  Returns 0, or -1 when req has been answered with an error.
 */
static int
mcp_era(struct session *sess, struct rpc_req *req)
{
	struct error	 err;
	int		 requested, rc;

	req->proto = sess->proto;
	if (strcmp(req->method, "initialize") == 0)
		return 0;
	rc = era_of_request(&req->doc, req->params, &req->proto, &requested,
	    &err);
	if (rc == 1) {
		if (!sess->initialized)
			sess->stateless = true;
		return 0;
	}
	if (rc == 0 && !sess->stateless)
		return 0;
	if (rc == 0)
		err_set(&err, RPC_INVALID_PARAMS, "this session began without "
		    "initialize, so it speaks %s: every request needs _meta "
		    "with \"io.modelcontextprotocol/protocolVersion\" and "
		    "\"io.modelcontextprotocol/clientCapabilities\"",
		    era_name(PROTO_2026_07_28));
	if (err.code == RPC_UNSUPPORTED_VERSION)
		mcp_unsupported(req, requested, &err);
	else
		rpc_error(req, &err);
	return -1;
}

int
mcp_handle(struct session *sess, struct rpc_req *req,
    const struct config *cfg, struct job **job)
{
	const struct method	*m;
	struct error		 err;
	bool			 stateless;

	*job = NULL;
	if (req->id == NULL)
		return 0;		/* notifications are never answered */
	if (mcp_method(req->method, ERA_BOTH) == NULL) {
		/* Handshake-era clients fall back from server/discover. */
		err_set(&err, RPC_METHOD_NOT_FOUND, "method not found: %s",
		    req->method);
		rpc_error(req, &err);
		return 0;
	}
	if (mcp_era(sess, req) == -1)
		return 0;
	stateless = era_stateless(req->proto);
	m = mcp_method(req->method, stateless ? ERA_STATELESS : ERA_HANDSHAKE);
	if (m == NULL) {
		if (stateless)
			err_set(&err, RPC_METHOD_NOT_FOUND, "method not found: "
			    "%s is not part of protocol revision %s",
			    req->method, era_name(req->proto));
		else
			err_set(&err, RPC_INVALID_PARAMS, "%s is a %s request: "
			    "its params need _meta with \"io.modelcontextprotocol/"
			    "protocolVersion\" and \"io.modelcontextprotocol/"
			    "clientCapabilities\"", req->method,
			    era_name(PROTO_2026_07_28));
		rpc_error(req, &err);
		return 0;
	}
	req->ttl_ms = m->ttl_ms;
	req->cache_scope = m->cache_scope;
	if (m->answer != NULL) {
		m->answer(sess, req);
		return 0;
	}
	if (m->make_job(req, cfg, job, &err) == -1) {
		rpc_error(req, &err);
		return 0;	/* no job: the request is the caller's */
	}
	return 1;
}
