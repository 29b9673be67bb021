/*
 * Resources: one per readable table, view and materialized view, named
 * analytics://table/SCHEMA/NAME (each part percent-encoded), listed in
 * pages of RESOURCES_PAGE; reading one gives what describe_table knows,
 * as JSON.  One template names the same URIs.  Claude Code lists the
 * resources at start-up and offers them to the analyst as @-mentions.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "extern.h"

#define RES_SCHEME	"analytics://table/"
#define RES_MIME	"application/json"
#define RES_URI_MAX	(sizeof(RES_SCHEME) + 6 * NAME_MAX_BYTES + 2)

/* Readable relations of the readable schemas, a page at a time. */
static const char sql_resources[] =
    "SELECT n.nspname, c.relname, " RELKIND_NAME " AS kind, "
    "obj_description(c.oid, 'pg_class') "
    "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE n.nspname = ANY ($1::text[]) AND " READABLE_REL " "
    "ORDER BY 1, 2 OFFSET $2 LIMIT $3";

/* Append s percent-encoded (all but A-Z a-z 0-9 - . _ ~) to buf. */
static void
res_encode(char *buf, size_t bufsz, const char *s)
{
	static const char	 hex[] = "0123456789ABCDEF";
	size_t			 o = strlen(buf);
	unsigned char		 c;

	for (; *s != '\0' && o + 4 < bufsz; s++) {
		c = (unsigned char)*s;
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || strchr("-._~", c) != NULL)
			buf[o++] = (char)c;
		else {
			buf[o++] = '%';
			buf[o++] = hex[c >> 4];
			buf[o++] = hex[c & 0xf];
		}
	}
	buf[o] = '\0';
}

/* The URI of relation table of schema into buf (RES_URI_MAX bytes). */
static void
res_uri(char *buf, const char *schema, const char *table)
{
	strlcpy(buf, RES_SCHEME, RES_URI_MAX);
	res_encode(buf, RES_URI_MAX, schema);
	strlcat(buf, "/", RES_URI_MAX);
	res_encode(buf, RES_URI_MAX, table);
}

/*
 * Decode the n percent-encoded bytes at s into the name out
 * (NAME_MAX_BYTES + 1 bytes): 0, or -1 when empty, too long, or holding a
 * bad escape, a NUL or a '/'.
 */
static int
res_decode(const char *s, size_t n, char *out)
{
	size_t	 i, o = 0;
	int	 hi, lo;

	for (i = 0; i < n; i++) {
		if (o == NAME_MAX_BYTES || s[i] == '/')
			return -1;
		if (s[i] != '%') {
			out[o++] = s[i];
			continue;
		}
		if (i + 2 >= n || (hi = hex_value((unsigned char)s[i + 1])) == -1 ||
		    (lo = hex_value((unsigned char)s[i + 2])) == -1 || hi + lo == 0)
			return -1;
		out[o++] = (char)(hi * 16 + lo);
		i += 2;
	}
	out[o] = '\0';
	return o > 0 ? 0 : -1;
}

/* One page of resources, and the cursor of the next one if there is. */
static enum step_next
cb_resources(struct job *job, void *conn, const void *vres)
{
	const PGresult	*res = vres;
	char		 uri[RES_URI_MAX], name[2 * NAME_MAX_BYTES + 2];
	char		 title[sizeof(name) + 32], next[32];
	long long	 offset;
	int		 r, n = PQntuples(res);

	(void)conn;
	offset = strtoll(job->steps[job->cur].params[1], NULL, 10);
	jw_key(&job->out, "resources");
	jw_arr_open(&job->out);
	for (r = 0; r < n && r < RESOURCES_PAGE; r++) {
		res_uri(uri, PQgetvalue(res, r, 0), PQgetvalue(res, r, 1));
		snprintf(name, sizeof(name), "%s.%s", PQgetvalue(res, r, 0),
		    PQgetvalue(res, r, 1));
		snprintf(title, sizeof(title), "%s (%s)", name,
		    PQgetvalue(res, r, 2));
		jw_obj_open(&job->out);
		jw_kstr(&job->out, "uri", uri);
		jw_kstr(&job->out, "name", name);
		if (job->req->proto >= PROTO_2025_06_18)
			jw_kstr(&job->out, "title", title);
		if (!PQgetisnull(res, r, 3))
			jw_kstr(&job->out, "description",
			    PQgetvalue(res, r, 3));
		jw_kstr(&job->out, "mimeType", RES_MIME);
		jw_obj_close(&job->out);
		job->nrows++;
	}
	jw_arr_close(&job->out);
	if (n > RESOURCES_PAGE) {
		snprintf(next, sizeof(next), "%lld", offset + RESOURCES_PAGE);
		jw_kstr(&job->out, "nextCursor", next);
	}
	return STEP_NEXT;
}

/* resources/list's reply: the page job->out holds. */
static void
res_send_list(struct job *job)
{
	if (job->failed) {
		result_job_error(job);
		return;
	}
	jw_obj_close(&job->out);
	(void)rpc_reply_json(job->req, &job->out);
}

/* resources/read's reply: describe_table's JSON as the one content. */
static void
res_send_read(struct job *job)
{
	struct jw	 w;

	if (!job->failed && job->finish != NULL)
		job->finish(job);
	if (job->failed) {
		result_job_error(job);
		return;
	}
	jw_obj_close(&job->out);
	jw_init(&w);
	rpc_result_begin(&w, job->req);
	jw_obj_open(&w);
	jw_key(&w, "contents");
	jw_arr_open(&w);
	jw_obj_open(&w);
	jw_kstr(&w, "uri", job->sql);
	jw_kstr(&w, "mimeType", RES_MIME);
	jw_key(&w, "text");
	jw_copy_str(&w, &job->out);
	jw_obj_close(&w);
	jw_arr_close(&w);
	jw_obj_close(&w);
	rpc_result_end(&w, job->req);
	jw_free(&w);
}

int
resources_list(struct rpc_req *req, const struct config *cfg,
    struct job **jobp, struct error *err)
{
	struct job	*job;
	char		 offset[32] = "0", limit[32], *cursor;
	const char	*e;
	long long	 n;
	int		 t;

	*jobp = NULL;
	t = json_member(&req->doc, req->params, "cursor");
	if (t != -1) {
		/* Our cursors are offsets, as cb_resources wrote them. */
		cursor = json_strdup(&req->doc, t);
		n = cursor != NULL ? strtonum(cursor, 1, INT32_MAX, &e) : 0;
		free(cursor);
		if (cursor == NULL || e != NULL)
			return err_set(err, RPC_INVALID_PARAMS,
			    "invalid cursor");
		snprintf(offset, sizeof(offset), "%lld", n);
	}
	snprintf(limit, sizeof(limit), "%d", RESOURCES_PAGE + 1);
	if ((job = job_new(req, "resources/list", cfg)) == NULL)
		return err_set(err, RPC_INTERNAL_ERROR, "out of memory");
	*jobp = job;		/* it owns req now: failures go on it */
	job->send = res_send_list;
	if (job_add(job, sql_resources, cb_resources, 3, cfg->schemas_array,
	    offset, limit) == -1) {
		job->failed = true;
		err_set(&job->err, RPC_INTERNAL_ERROR, "out of memory");
	}
	return 0;
}

int
resources_read(struct rpc_req *req, const struct config *cfg,
    struct job **jobp, struct error *err)
{
	struct job	*job;
	char		*uri, schema[NAME_MAX_BYTES + 1];
	char		 table[NAME_MAX_BYTES + 1];
	const char	*p, *slash;

	*jobp = NULL;
	uri = json_strdup(&req->doc, json_member(&req->doc, req->params,
	    "uri"));
	if (uri == NULL)
		return err_set(err, RPC_INVALID_PARAMS, "\"uri\" must be a "
		    "string");
	p = uri + strlen(RES_SCHEME);
	if (strncmp(uri, RES_SCHEME, strlen(RES_SCHEME)) != 0 ||
	    (slash = strchr(p, '/')) == NULL ||
	    res_decode(p, (size_t)(slash - p), schema) == -1 ||
	    res_decode(slash + 1, strlen(slash + 1), table) == -1) {
		err_set(err, era_not_found(req->proto), "resource not found: "
		    "%.200s; resources are " RES_SCHEME "SCHEMA/TABLE", uri);
		free(uri);
		return -1;
	}
	if (!arg_schema_readable(cfg, schema)) {
		err_set(err, era_not_found(req->proto), "resource not found: "
		    "%.200s; schema \"%s\" is not readable here", uri, schema);
		free(uri);
		return -1;
	}
	if ((job = job_new(req, "resources/read", cfg)) == NULL) {
		free(uri);
		return err_set(err, RPC_INTERNAL_ERROR, "out of memory");
	}
	*jobp = job;		/* it owns req now: failures go on it */
	job->sql = uri;		/* the audit records which was read */
	job->send = res_send_read;
	if (describe_steps(job, schema, table, cfg) == -1) {
		job->failed = true;
		err_set(&job->err, RPC_INTERNAL_ERROR, "out of memory");
	}
	return 0;
}

void
resources_templates(struct jw *w, enum proto proto)
{
	(void)proto;
	jw_obj_open(w);
	jw_key(w, "resourceTemplates");
	jw_arr_open(w);
	jw_obj_open(w);
	jw_kstr(w, "uriTemplate", RES_SCHEME "{schema}/{table}");
	jw_kstr(w, "name", "table");
	jw_kstr(w, "description", "A readable table, view or materialized "
	    "view: what describe_table knows of it (columns, keys, indexes, "
	    "statistics).");
	jw_kstr(w, "mimeType", RES_MIME);
	jw_obj_close(w);
	jw_arr_close(w);
	jw_obj_close(w);
}
