/*
 * JSON-RPC 2.0 envelopes: reading a request line, writing a reply.
 *
 * Replies carry exactly "jsonrpc", "id" and "result" or "error".  The id is
 * echoed byte for byte; a reply whose id could not be read omits "id".
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "extern.h"

static size_t reply_max = SIZE_MAX;

void
rpc_init(size_t max)
{
	reply_max = max;
}

int
rpc_parse(struct rpc_req *req, const char *line, size_t len,
    struct error *err)
{
	int		 v, id, method;
	size_t		 n;
	const char	*p;

	memset(req, 0, sizeof(*req));
	req->params = -1;
	if ((req->line = malloc(len + 1)) == NULL)
		return err_set(err, RPC_INTERNAL_ERROR, "out of memory");
	memcpy(req->line, line, len);
	req->line[len] = '\0';
	if (json_parse(&req->doc, req->line, len, err) == -1)
		return -1;

	if (json_type(&req->doc, 0) == JSON_ARRAY)
		return err_set(err, RPC_INVALID_REQUEST,
		    "batch requests are not supported: send one request "
		    "per line");
	if (json_type(&req->doc, 0) != JSON_OBJECT)
		return err_set(err, RPC_INVALID_REQUEST,
		    "a request must be a JSON object");

	/* The id first, so that later errors can name the request. */
	id = json_member(&req->doc, 0, "id");
	switch (json_type(&req->doc, id)) {
	case JSON_NONE:
		break;
	case JSON_STRING:
		/* Keep the quotes: the id is echoed as it came. */
		p = json_raw(&req->doc, id, &n);
		req->id = p - 1;
		req->idlen = n + 2;
		break;
	case JSON_NUMBER:
		{
			long long	 dummy;

			if (json_int(&req->doc, id, INT64_MIN, INT64_MAX,
			    &dummy) == -1)
				return err_set(err, RPC_INVALID_REQUEST,
				    "\"id\" must be a string or an integer");
		}
		req->id = json_raw(&req->doc, id, &req->idlen);
		break;
	default:
		return err_set(err, RPC_INVALID_REQUEST,
		    "\"id\" must be a string or an integer");
	}

	v = json_member(&req->doc, 0, "jsonrpc");
	if (!json_streq(&req->doc, v, "2.0"))
		return err_set(err, RPC_INVALID_REQUEST,
		    "\"jsonrpc\" must be \"2.0\"");

	method = json_member(&req->doc, 0, "method");
	if (method == -1) {
		/* A response to a request of ours: we send none. */
		if (json_member(&req->doc, 0, "result") != -1 ||
		    json_member(&req->doc, 0, "error") != -1)
			return 0;
		return err_set(err, RPC_INVALID_REQUEST,
		    "\"method\" is missing");
	}
	if ((req->method = json_strdup(&req->doc, method)) == NULL)
		return err_set(err, RPC_INVALID_REQUEST,
		    "\"method\" must be a string");

	req->params = json_member(&req->doc, 0, "params");
	if (req->params != -1 &&
	    json_type(&req->doc, req->params) != JSON_OBJECT)
		return err_set(err, RPC_INVALID_PARAMS,
		    "\"params\" must be an object");
	return 0;
}

void
rpc_free(struct rpc_req *req)
{
	if (req == NULL)
		return;
	json_free(&req->doc);
	free(req->method);
	free(req->line);
	memset(req, 0, sizeof(*req));
}

/* The envelope up to member's value: {"jsonrpc":"2.0","id":..,"member": */
static void
rpc_begin(struct jw *w, const struct rpc_req *req, const char *member)
{
	jw_obj_open(w);
	jw_kstr(w, "jsonrpc", "2.0");
	if (req != NULL && req->id != NULL) {
		jw_key(w, "id");
		jw_raw(w, req->id, req->idlen);
	}
	jw_key(w, member);
}

/* Close the envelope in w and send it as one line. */
static int
rpc_send(struct jw *w)
{
	struct iovec	 iov[JW_IOV_MAX];
	int		 n;

	jw_obj_close(w);
	if (w->failed || (n = jw_iov(w, iov, JW_IOV_MAX)) == -1)
		return -1;
	return io_write_line(iov, n);
}

void
rpc_result_begin(struct jw *w, const struct rpc_req *req)
{
	rpc_begin(w, req, "result");
}

/*
 * Into the result object just written: what every stateless-era result
 * carries besides its own members.
 */
static void
rpc_result_stateless(struct jw *w, const struct rpc_req *req)
{
	jw_obj_reopen(w);
	jw_kstr(w, "resultType", "complete");
	if (req->cache_scope != NULL) {
		jw_kint(w, "ttlMs", req->ttl_ms);
		jw_kstr(w, "cacheScope", req->cache_scope);
	}
	jw_obj_close(w);
}

int
rpc_result_end(struct jw *w, const struct rpc_req *req)
{
	struct error	 err;

	if (req != NULL && era_stateless(req->proto))
		rpc_result_stateless(w, req);

	/* The envelope's closing brace is the one byte still to come. */
	if (w->failed)
		err_set(&err, RPC_INTERNAL_ERROR, "reply could not be encoded");
	else if (jw_size(w) + 1 > reply_max)
		err_set(&err, RPC_INTERNAL_ERROR, "the reply would be %zu "
		    "bytes, over this server's cap of %zu", jw_size(w) + 1,
		    reply_max);
	else
		return rpc_send(w);
	return rpc_error(req, &err);
}

int
rpc_reply_json(const struct rpc_req *req, const struct jw *result)
{
	struct jw	 w;
	struct error	 err;
	int		 rc;

	if (result->failed) {
		err_set(&err, RPC_INTERNAL_ERROR, "the result could not be "
		    "encoded");
		return rpc_error(req, &err);
	}
	jw_init(&w);
	rpc_result_begin(&w, req);
	jw_copy(&w, result);
	rc = rpc_result_end(&w, req);
	jw_free(&w);
	return rc;
}

int
rpc_progress(const char *tok, size_t toklen, long long progress,
    const char *message)
{
	struct jw	 w;
	int		 rc;

	jw_init(&w);
	jw_obj_open(&w);
	jw_kstr(&w, "jsonrpc", "2.0");
	jw_kstr(&w, "method", "notifications/progress");
	jw_key(&w, "params");
	jw_obj_open(&w);
	jw_key(&w, "progressToken");
	jw_raw(&w, tok, toklen);
	jw_kint(&w, "progress", progress);
	jw_kstr(&w, "message", message);
	jw_obj_close(&w);
	rc = rpc_send(&w);
	jw_free(&w);
	return rc;
}

int
rpc_error(const struct rpc_req *req, const struct error *err)
{
	return rpc_error_data(req, err, NULL);
}

int
rpc_error_data(const struct rpc_req *req, const struct error *err,
    const struct jw *data)
{
	struct jw	 w;
	int		 rc;

	jw_init(&w);
	rpc_begin(&w, req, "error");
	jw_obj_open(&w);
	jw_kint(&w, "code", err->code);
	jw_kstr(&w, "message", err->msg);
	if (data != NULL && !data->failed) {
		jw_key(&w, "data");
		jw_raw(&w, data->buf, data->len);
	}
	jw_obj_close(&w);
	rc = rpc_send(&w);
	jw_free(&w);
	return rc;
}

bool
rpc_id_equal(const char *a, size_t alen, const char *b, size_t blen)
{
	return alen == blen && memcmp(a, b, alen) == 0;
}
