/*
 * rpc.c: the JSON-RPC envelope.  rpc_parse() on request lines (what is a
 * request, a notification, a response, and which error a bad one gets),
 * the exact bytes of a reply (rpc_result_begin/end) and of rpc_error() as
 * they leave through fd 1 (captured through a pipe), the reply cap, and
 * rpc_id_equal().
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "extern.h"
#include "t.h"

/* ---- rpc_parse -------------------------------------------------------- */

#define OK	0		/* rpc_parse returns 0 */
#define NOID	NULL
#define NOMETH	NULL

static const struct pcase {
	const char	*name;
	const char	*line;
	int		 code;		/* OK, or the error code */
	const char	*id;		/* raw id bytes wanted, or NOID */
	const char	*method;	/* or NOMETH */
	bool		 params;	/* an object "params" is found */
} pcases[] = {
	{ "a request", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}",
	  OK, "1", "ping", false },
	{ "a request with params",
	  "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\","
	  "\"params\":{\"name\":\"query\"}}", OK, "2", "tools/call", true },
	{ "members in any order",
	  "{\"params\":{},\"method\":\"m\",\"id\":3,\"jsonrpc\":\"2.0\"}",
	  OK, "3", "m", true },
	{ "whitespace around members",
	  " { \"jsonrpc\" : \"2.0\" , \"id\" : 4 , \"method\" : \"m\" } ",
	  OK, "4", "m", false },
	{ "a notification has no id",
	  "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}",
	  OK, NOID, "notifications/initialized", false },
	{ "a string id keeps its quotes",
	  "{\"jsonrpc\":\"2.0\",\"id\":\"abc\",\"method\":\"m\"}",
	  OK, "\"abc\"", "m", false },
	{ "a string id keeps its escapes byte for byte",
	  "{\"jsonrpc\":\"2.0\",\"id\":\"a\\\"b\\\\c\\u00e9\\n\","
	  "\"method\":\"m\"}", OK, "\"a\\\"b\\\\c\\u00e9\\n\"", "m", false },
	{ "a string id in raw UTF-8",
	  "{\"jsonrpc\":\"2.0\",\"id\":\"\xc3\xa9t\xc3\xa9\",\"method\":\"m\"}",
	  OK, "\"\xc3\xa9t\xc3\xa9\"", "m", false },
	{ "an empty string id",
	  "{\"jsonrpc\":\"2.0\",\"id\":\"\",\"method\":\"m\"}",
	  OK, "\"\"", "m", false },
	{ "id 0", "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"m\"}",
	  OK, "0", "m", false },
	{ "a negative id", "{\"jsonrpc\":\"2.0\",\"id\":-17,\"method\":\"m\"}",
	  OK, "-17", "m", false },
	{ "the largest int64 id",
	  "{\"jsonrpc\":\"2.0\",\"id\":9223372036854775807,\"method\":\"m\"}",
	  OK, "9223372036854775807", "m", false },
	{ "the smallest int64 id",
	  "{\"jsonrpc\":\"2.0\",\"id\":-9223372036854775808,\"method\":\"m\"}",
	  OK, "-9223372036854775808", "m", false },
	{ "an id over int64 is refused",
	  "{\"jsonrpc\":\"2.0\",\"id\":9223372036854775808,\"method\":\"m\"}",
	  RPC_INVALID_REQUEST, NOID, NOMETH, false },
	{ "id null is refused",
	  "{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":\"m\"}",
	  RPC_INVALID_REQUEST, NOID, NOMETH, false },
	{ "a fractional id is refused",
	  "{\"jsonrpc\":\"2.0\",\"id\":1.5,\"method\":\"m\"}",
	  RPC_INVALID_REQUEST, NOID, NOMETH, false },
	{ "id 1.0 is refused",
	  "{\"jsonrpc\":\"2.0\",\"id\":1.0,\"method\":\"m\"}",
	  RPC_INVALID_REQUEST, NOID, NOMETH, false },
	{ "an id with an exponent is refused",
	  "{\"jsonrpc\":\"2.0\",\"id\":1e3,\"method\":\"m\"}",
	  RPC_INVALID_REQUEST, NOID, NOMETH, false },
	{ "an object id is refused",
	  "{\"jsonrpc\":\"2.0\",\"id\":{\"a\":1},\"method\":\"m\"}",
	  RPC_INVALID_REQUEST, NOID, NOMETH, false },
	{ "an array id is refused",
	  "{\"jsonrpc\":\"2.0\",\"id\":[1],\"method\":\"m\"}",
	  RPC_INVALID_REQUEST, NOID, NOMETH, false },
	{ "a boolean id is refused",
	  "{\"jsonrpc\":\"2.0\",\"id\":true,\"method\":\"m\"}",
	  RPC_INVALID_REQUEST, NOID, NOMETH, false },
	{ "a batch is refused",
	  "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}]",
	  RPC_INVALID_REQUEST, NOID, NOMETH, false },
	{ "an empty batch is refused", "[]",
	  RPC_INVALID_REQUEST, NOID, NOMETH, false },
	{ "a number is not a request", "42",
	  RPC_INVALID_REQUEST, NOID, NOMETH, false },
	{ "a string is not a request", "\"ping\"",
	  RPC_INVALID_REQUEST, NOID, NOMETH, false },
	{ "null is not a request", "null",
	  RPC_INVALID_REQUEST, NOID, NOMETH, false },
	{ "missing jsonrpc: refused, the id kept for the error",
	  "{\"id\":5,\"method\":\"m\"}", RPC_INVALID_REQUEST, "5", NOMETH,
	  false },
	{ "jsonrpc 1.0 is refused",
	  "{\"jsonrpc\":\"1.0\",\"id\":\"q\",\"method\":\"m\"}",
	  RPC_INVALID_REQUEST, "\"q\"", NOMETH, false },
	{ "jsonrpc as a number is refused",
	  "{\"jsonrpc\":2.0,\"id\":6,\"method\":\"m\"}",
	  RPC_INVALID_REQUEST, "6", NOMETH, false },
	{ "missing method is refused",
	  "{\"jsonrpc\":\"2.0\",\"id\":7}", RPC_INVALID_REQUEST, "7", NOMETH,
	  false },
	{ "a method that is not a string is refused",
	  "{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":42}",
	  RPC_INVALID_REQUEST, "8", NOMETH, false },
	{ "a response (result) is accepted without a method",
	  "{\"jsonrpc\":\"2.0\",\"id\":9,\"result\":{}}", OK, "9", NOMETH,
	  false },
	{ "a response (error) is accepted without a method",
	  "{\"jsonrpc\":\"2.0\",\"id\":\"s\",\"error\":{\"code\":-1,"
	  "\"message\":\"no\"}}", OK, "\"s\"", NOMETH, false },
	{ "params as an array is -32602",
	  "{\"jsonrpc\":\"2.0\",\"id\":10,\"method\":\"m\",\"params\":[1]}",
	  RPC_INVALID_PARAMS, "10", "m", false },
	{ "params as a string is -32602",
	  "{\"jsonrpc\":\"2.0\",\"id\":11,\"method\":\"m\",\"params\":\"x\"}",
	  RPC_INVALID_PARAMS, "11", "m", false },
	{ "params null is -32602",
	  "{\"jsonrpc\":\"2.0\",\"id\":12,\"method\":\"m\",\"params\":null}",
	  RPC_INVALID_PARAMS, "12", "m", false },
	{ "an empty line is a parse error", "", RPC_PARSE_ERROR, NOID,
	  NOMETH, false },
	{ "an unterminated object is a parse error",
	  "{\"jsonrpc\":\"2.0\",\"id\":1", RPC_PARSE_ERROR, NOID, NOMETH,
	  false },
	{ "a key without a value is a parse error", "{\"a\"}",
	  RPC_PARSE_ERROR, NOID, NOMETH, false },
	{ "trailing bytes are a parse error",
	  "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"m\"}x",
	  RPC_PARSE_ERROR, NOID, NOMETH, false },
	{ "two values on one line are a parse error",
	  "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"m\"}{}",
	  RPC_PARSE_ERROR, NOID, NOMETH, false },
	{ "invalid UTF-8 is a parse error",
	  "{\"jsonrpc\":\"2.0\",\"id\":\"\xff\",\"method\":\"m\"}",
	  RPC_PARSE_ERROR, NOID, NOMETH, false },
	{ "a raw control character in a string is a parse error",
	  "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"a\tb\"}",
	  RPC_PARSE_ERROR, NOID, NOMETH, false },
};

static bool
same(const char *a, size_t alen, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return alen == strlen(b) && memcmp(a, b, alen) == 0;
}

static void
test_parse(void)
{
	const struct pcase *c;
	struct rpc_req	 req;
	struct error	 err;
	size_t		 i;
	int		 rc, code;
	bool		 params;

	for (i = 0; i < sizeof(pcases) / sizeof(pcases[0]); i++) {
		c = &pcases[i];
		memset(&err, 0, sizeof(err));
		rc = rpc_parse(&req, c->line, strlen(c->line), &err);
		code = rc == 0 ? OK : err.code;
		params = req.params != -1 &&
		    json_type(&req.doc, req.params) == JSON_OBJECT;
		T_OK((rc == 0 || rc == -1) && code == c->code &&
		    same(req.id, req.idlen, c->id) &&
		    same(req.method, req.method == NULL ? 0 :
		    strlen(req.method), c->method) && params == c->params,
		    "parse: %s: rc %d code %d id %s method %s%s%s", c->name,
		    rc, code, req.id == NULL ? "none" :
		    t_show(req.id, req.idlen), req.method == NULL ? "none" :
		    req.method, rc == -1 ? ": " : "", rc == -1 ? err.msg : "");
		rpc_free(&req);
	}
}

/* A line with a NUL byte inside is not JSON. */
static void
test_parse_nul(void)
{
	static const char line[] =
	    "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"m\"}\0";
	struct rpc_req	 req;
	struct error	 err;
	int		 rc;

	rc = rpc_parse(&req, line, sizeof(line) - 1, &err);
	T_OK(rc == -1 && err.code == RPC_PARSE_ERROR,
	    "parse: a NUL byte after the object is a parse error");
	rpc_free(&req);
}

/* ---- what leaves through fd 1 ----------------------------------------- */

static int	 cap_pipe[2] = { -1, -1 };
static int	 cap_saved = -1;

/* Send fd 1 into a pipe until cap_end(). */
static void
cap_begin(void)
{
	fflush(stdout);
	if (pipe(cap_pipe) == -1 || (cap_saved = dup(STDOUT_FILENO)) == -1 ||
	    dup2(cap_pipe[1], STDOUT_FILENO) == -1) {
		perror("cap_begin");
		exit(1);
	}
	close(cap_pipe[1]);
}

/* Restore fd 1; what was written (NUL-terminated) into buf. */
static size_t
cap_end(char *buf, size_t bufsz)
{
	size_t	 n = 0;
	ssize_t	 r;

	if (dup2(cap_saved, STDOUT_FILENO) == -1) {
		perror("cap_end");
		exit(1);
	}
	close(cap_saved);
	while (n + 1 < bufsz && (r = read(cap_pipe[0], buf + n,
	    bufsz - n - 1)) != 0) {
		if (r == -1) {
			if (errno == EINTR)
				continue;
			break;
		}
		n += (size_t)r;
	}
	buf[n] = '\0';
	close(cap_pipe[0]);
	return n;
}

/* One line: the only '\n' is the last byte. */
static bool
one_line(const char *s, size_t len)
{
	return len > 0 && s[len - 1] == '\n' &&
	    memchr(s, '\n', len - 1) == NULL;
}

static const struct rcase {
	const char	*name;
	const char	*request;	/* NULL: no request at all */
	const char	*result;	/* NULL: an error reply */
	int		 code;
	const char	*msg;
	const char	*want;
} rcases[] = {
	{ "reply to an integer id", "{\"jsonrpc\":\"2.0\",\"id\":1,"
	  "\"method\":\"ping\"}", "{}", 0, NULL,
	  "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}\n" },
	{ "reply to id 0", "{\"jsonrpc\":\"2.0\",\"id\":0,"
	  "\"method\":\"ping\"}", "{}", 0, NULL,
	  "{\"jsonrpc\":\"2.0\",\"id\":0,\"result\":{}}\n" },
	{ "reply echoes a string id byte for byte",
	  "{\"method\":\"m\",\"id\":\"a\\\"b\\u00e9\xc3\xa9\","
	  "\"jsonrpc\":\"2.0\"}", "{\"x\":[1,2]}", 0, NULL,
	  "{\"jsonrpc\":\"2.0\",\"id\":\"a\\\"b\\u00e9\xc3\xa9\","
	  "\"result\":{\"x\":[1,2]}}\n" },
	{ "reply to a negative id", "{\"jsonrpc\":\"2.0\",\"id\":-3,"
	  "\"method\":\"m\"}", "{\"s\":\"t\"}", 0, NULL,
	  "{\"jsonrpc\":\"2.0\",\"id\":-3,\"result\":{\"s\":\"t\"}}\n" },
	{ "a result with newlines in it stays on one line",
	  "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"m\"}",
	  "{\"a\":\n 1,\r\n \"b\":\"x\\ny\"}", 0, NULL,
	  "{\"jsonrpc\":\"2.0\",\"id\":2,\"result\":{\"a\":1,"
	  "\"b\":\"x\\ny\"}}\n" },
	{ "error with an id", "{\"jsonrpc\":\"2.0\",\"id\":7,"
	  "\"method\":\"nope\"}", NULL, RPC_METHOD_NOT_FOUND, "no such method",
	  "{\"jsonrpc\":\"2.0\",\"id\":7,\"error\":{\"code\":-32601,"
	  "\"message\":\"no such method\"}}\n" },
	{ "error with a string id", "{\"jsonrpc\":\"2.0\",\"id\":\"r-1\","
	  "\"method\":\"m\"}", NULL, RPC_INVALID_PARAMS, "bad",
	  "{\"jsonrpc\":\"2.0\",\"id\":\"r-1\",\"error\":{\"code\":-32602,"
	  "\"message\":\"bad\"}}\n" },
	{ "error without a request omits id", NULL, NULL, RPC_PARSE_ERROR,
	  "not JSON",
	  "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32700,"
	  "\"message\":\"not JSON\"}}\n" },
	{ "error to a notification omits id", "{\"jsonrpc\":\"2.0\","
	  "\"method\":\"m\"}", NULL, RPC_INTERNAL_ERROR, "x",
	  "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32603,"
	  "\"message\":\"x\"}}\n" },
	{ "an error message is escaped onto one line",
	  "{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"m\"}", NULL,
	  RPC_INVALID_REQUEST, "say \"no\"\nand \\ go\r\t\x01",
	  "{\"jsonrpc\":\"2.0\",\"id\":8,\"error\":{\"code\":-32600,"
	  "\"message\":\"say \\\"no\\\"\\nand \\\\ go\\r\\t\\u0001\"}}\n" },
};

static void
test_replies(void)
{
	const struct rcase *c;
	struct rpc_req	 req;
	struct error	 err;
	struct jw	 w;
	char		 got[4096];
	size_t		 i, n;
	int		 rc;

	for (i = 0; i < sizeof(rcases) / sizeof(rcases[0]); i++) {
		c = &rcases[i];
		if (c->request != NULL && rpc_parse(&req, c->request,
		    strlen(c->request), &err) == -1) {
			T_OK(false, "reply: %s: request did not parse: %s",
			    c->name, err.msg);
			rpc_free(&req);
			continue;
		}
		cap_begin();
		if (c->result != NULL) {
			jw_init(&w);
			rpc_result_begin(&w, &req);
			jw_raw(&w, c->result, strlen(c->result));
			rc = rpc_result_end(&w, &req);
			jw_free(&w);
		} else {
			err.code = c->code;
			strlcpy(err.msg, c->msg, sizeof(err.msg));
			rc = rpc_error(c->request != NULL ? &req : NULL, &err);
		}
		n = cap_end(got, sizeof(got));
		T_OK(rc == 0 && strcmp(got, c->want) == 0 && one_line(got, n),
		    "reply: %s: %s", c->name, t_show(got, n));
		if (c->request != NULL)
			rpc_free(&req);
	}
}

/* A request refused by rpc_parse is answered naming its id. */
static void
test_parse_then_error(void)
{
	static const struct {
		const char	*line;
		const char	*want;
	} cases[] = {
		{ "{\"jsonrpc\":\"1.0\",\"id\":\"q\",\"method\":\"m\"}",
		  "{\"jsonrpc\":\"2.0\",\"id\":\"q\",\"error\":{"
		  "\"code\":-32600,\"message\":\"\\\"jsonrpc\\\" must be "
		  "\\\"2.0\\\"\"}}\n" },
		{ "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"m\","
		  "\"params\":[]}",
		  "{\"jsonrpc\":\"2.0\",\"id\":4,\"error\":{\"code\":-32602,"
		  "\"message\":\"\\\"params\\\" must be an object\"}}\n" },
		{ "{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":\"m\"}",
		  "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32600,"
		  "\"message\":\"\\\"id\\\" must be a string or an "
		  "integer\"}}\n" },
	};
	struct rpc_req	 req;
	struct error	 err;
	char		 got[1024];
	size_t		 i, n;
	int		 rc;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		rc = rpc_parse(&req, cases[i].line, strlen(cases[i].line),
		    &err);
		cap_begin();
		if (rc == -1)
			rpc_error(&req, &err);
		n = cap_end(got, sizeof(got));
		T_OK(rc == -1 && strcmp(got, cases[i].want) == 0,
		    "reply: the error for %s: %s", cases[i].line,
		    t_show(got, n));
		rpc_free(&req);
	}
}

/*
 * The reply cap counts the whole reply line (without its '\n'): one of
 * exactly the cap is sent, one byte more becomes error -32603 naming the
 * size and the cap.
 */
static const char cap_request[] =
    "{\"jsonrpc\":\"2.0\",\"id\":\"big\",\"method\":\"m\"}";
static const char cap_reply[] =
    "{\"jsonrpc\":\"2.0\",\"id\":\"big\",\"result\":{\"k\":\"0123456789\"}}";

/* Send cap_reply's result under a cap of max; what went out into got. */
static int
cap_send(const struct rpc_req *req, size_t max, bool fail, char *got,
    size_t gotsz, size_t *n)
{
	struct jw	 w;
	int		 rc;

	rpc_init(max);
	jw_init(&w);
	if (fail)
		jw_limit(&w, 30);
	rpc_result_begin(&w, req);
	jw_obj_open(&w);
	jw_kstr(&w, "k", "0123456789");
	jw_obj_close(&w);
	cap_begin();
	rc = rpc_result_end(&w, req);
	*n = cap_end(got, gotsz);
	jw_free(&w);
	rpc_init(SIZE_MAX);
	return rc;
}

static void
test_cap(void)
{
	static const char over[] = "{\"jsonrpc\":\"2.0\",\"id\":\"big\","
	    "\"error\":{\"code\":-32603,\"message\":\"the reply would be ";
	struct rpc_req	 req;
	struct error	 err;
	char		 got[1024], want[1024];
	size_t		 n, len = sizeof(cap_reply) - 1;
	int		 rc;

	if (rpc_parse(&req, cap_request, sizeof(cap_request) - 1, &err) == -1)
		abort();

	rc = cap_send(&req, SIZE_MAX, false, got, sizeof(got), &n);
	T_OK(rc == 0 && n == len + 1 && memcmp(got, cap_reply, len) == 0 &&
	    got[len] == '\n', "cap: without a cap the reply is sent: %s",
	    t_show(got, n));

	rc = cap_send(&req, len, false, got, sizeof(got), &n);
	T_OK(rc == 0 && n == len + 1 && memcmp(got, cap_reply, len) == 0,
	    "cap: a reply of exactly the cap (%zu bytes) is sent: %s", len,
	    t_show(got, n));

	rc = cap_send(&req, 20, false, got, sizeof(got), &n);
	T_OK(rc == 0 && strncmp(got, over, sizeof(over) - 1) == 0 &&
	    strstr(got, " bytes, over this server's cap of 20\"}}\n") != NULL &&
	    one_line(got, n),
	    "cap: a reply far over the cap is error -32603 naming the cap: %s",
	    t_show(got, n));

	snprintf(want, sizeof(want), "the reply would be %zu bytes", len);
	T_OK(strstr(got, want) != NULL,
	    "cap: the error names the reply's size, %zu bytes: %s", len,
	    t_show(got, n));

	rc = cap_send(&req, len - 1, false, got, sizeof(got), &n);
	snprintf(want, sizeof(want), "{\"jsonrpc\":\"2.0\",\"id\":\"big\","
	    "\"error\":{\"code\":-32603,\"message\":\"the reply would be %zu "
	    "bytes, over this server's cap of %zu\"}}\n", len, len - 1);
	T_OK(rc == 0 && strcmp(got, want) == 0,
	    "cap: a reply one byte over the cap (%zu) is error -32603: %s",
	    len - 1, t_show(got, n));

	/* A result the writer failed on is never sent in part. */
	rc = cap_send(&req, SIZE_MAX, true, got, sizeof(got), &n);
	T_OK(rc == 0 && strcmp(got, "{\"jsonrpc\":\"2.0\",\"id\":\"big\","
	    "\"error\":{\"code\":-32603,\"message\":\"reply could not be "
	    "encoded\"}}\n") == 0,
	    "cap: a result the writer failed on is error -32603: %s",
	    t_show(got, n));
	rpc_free(&req);
}

/* ---- rpc_id_equal ----------------------------------------------------- */

static const struct {
	const char	*a;
	const char	*b;
	bool		 equal;
} ids[] = {
	{ "1", "1", true },
	{ "\"abc\"", "\"abc\"", true },
	{ "-5", "-5", true },
	{ "\"a\\\"b\"", "\"a\\\"b\"", true },
	{ "1", "2", false },
	{ "1", "10", false },
	{ "10", "1", false },
	{ "1", "\"1\"", false },
	{ "\"abc\"", "\"abd\"", false },
	{ "\"abc\"", "\"ab\"", false },
	{ "\"\"", "\"\"", true },
};

static void
test_id_equal(void)
{
	size_t	 i;
	bool	 got;

	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		got = rpc_id_equal(ids[i].a, strlen(ids[i].a), ids[i].b,
		    strlen(ids[i].b));
		T_OK(got == ids[i].equal, "id_equal: %s %s %s", ids[i].a,
		    ids[i].equal ? "==" : "!=", ids[i].b);
	}
	/* Only len bytes count: an id inside a longer buffer. */
	T_OK(rpc_id_equal("12", 1, "1", 1) && !rpc_id_equal("12", 2, "1", 1),
	    "id_equal: compares exactly the given lengths");
}

int
main(void)
{
	test_parse();
	test_parse_nul();
	test_replies();
	test_parse_then_error();
	test_cap();
	test_id_equal();
	return t_exit();
}
