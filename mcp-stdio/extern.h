/*
 * analytics-mcp: the one internal header.  Every prototype shared between
 * files, every limit and every default lives here; everything else is static.
 *
 * Modules, by prefix, each calling only those below it (main.c on top):
 *   loop_    the single-threaded poll() loop: queue, cancel, jobs
 *   mcp_     the method table: name, handler, needs-database, eras
 *   era_     protocol revisions: negotiation, the version per request
 *   tools_   the tool table, tools/list and tools/call
 *   rowset_  query and sample_table: cursor, FETCH sizing, budgets
 *   catalog_ the listing tools' SQL, shared with sample_table
 *   describe_ describe_table: keys, indexes, statistics
 *   explain_ the explain tool: a query's plan
 *   resources_ a resource per readable table; read as describe_table
 *   prompts_ the prompt table, prompts/list and prompts/get
 *   ptext_   a prompts/get's message: the catalog's answers, task texts
 *   complete_ completion/complete: schemas, tables, regions
 *   arg_     argument readers shared by the tools and prompts
 *   result_  CallToolResult and PostgreSQL error text
 *   db_      the libpq runner; returns finished jobs, formats nothing
 *   txn_     the transaction script every job runs
 *   conn_    the connection: connect, cancel without blocking, --check
 *   job_     a tool call's statements and buffers
 *   audit_   one audit record per tool call, escaped log lines
 *   rpc_     JSON-RPC 2.0 envelope: parse a request, write replies
 *   io_      line input from stdin, the single write path to stdout
 *   pgv_     PostgreSQL value -> JSON value mapping
 *   scalar_  numbers, booleans, json and text as JSON
 *   array_   PostgreSQL arrays as JSON arrays
 *   geo_     PostGIS EWKB -> GeoJSON
 *   guard_   the SQL guard: one read-only statement, or why not
 *   banned_  the functions the guard refuses
 *   lex_     the guard's PostgreSQL lexer
 *   jw_      JSON writer into a growable buffer
 *   json_    strict JSON validation (jsonchk.c) and a jsmn-based reader
 *   caller_  who is asking: --caller, the ssh key, the socket peer, the uid
 *   secret_  the database password, kept out of every message
 */
#ifndef EXTERN_H
#define EXTERN_H

#include <sys/types.h>
#include <sys/uio.h>

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define MCP_NAME		"analytics-mcp"
/* MCP_VERSION comes from the Makefile's VERSION, its one home. */
#ifndef MCP_VERSION
#error "MCP_VERSION is not defined: build with the Makefile"
#endif

/* Limits and defaults.  Each is documented in analytics-mcp(1). */
#define LINE_MAX_DEFAULT	(4u * 1024 * 1024)	/* bytes per request line */
#define LINE_MAX_MIN		1024u
#define LINE_MAX_CEIL		(64u * 1024 * 1024)
#define JSON_DEPTH_MAX		64	/* nesting of arrays and objects */
#define JSON_TOKENS_MAX		65536	/* jsmn tokens per request */
#define JW_DEPTH_MAX		64	/* nesting the writer accepts */
#define JW_HOLES_MAX		2	/* values aside one writer refers to */
#define ROWS_DEFAULT		1000	/* max_rows when not given */
#define ROWS_CEIL_DEFAULT	10000	/* --max-rows */
#define ROWS_CEIL_MAX		1000000
#define BYTES_DEFAULT		40000	/* --max-bytes: ~10k tokens */
#define BYTES_MIN		1024
#define BYTES_MAX		(8 * 1024 * 1024)
#define CELL_DEFAULT		4096	/* --max-cell: a longer value is cut */
#define CELL_MIN		16
#define TIMEOUT_DEFAULT		30	/* --statement-timeout, seconds */
#define TIMEOUT_MAX		86400
#define SAMPLE_DEFAULT		20	/* sample_table n */
#define SAMPLE_MAX		1000
#define CONNECT_TIMEOUT_S	10	/* connecting gives up */
#define CONNECT_TIMEOUT_MS	(CONNECT_TIMEOUT_S * 1000)
#define PENDING_MAX		64	/* requests queued behind a query */
#define OUT_PIPE_SIZE		(1 << 20)	/* stdout's pipe buffer, if allowed */
#define PQ_LOAD_DELAY_MS	10	/* libpq loads by then, input or not */
/*
 * Rows per FETCH after the first (which takes one row to learn the width):
 * up to this many, or twice the last FETCH, whichever is more, within the
 * rows still wanted and the byte budget at the widest row seen.
 */
#define FETCH_BATCH_MIN		256
/*
 * Toward the end, a FETCH takes half of the rows still to come (while that
 * is more than twice this): the last one's rows are encoded after the
 * server is done, the others while it sends the next.
 */
#define FETCH_TAIL_MIN		512
/* A FETCH slower than this is not doubled: progress notes keep coming. */
#define FETCH_SLOW_MS		PROGRESS_INTERVAL_MS
#define CANCEL_HELPER_S		10	/* the cancel helper gives up */
#define CANCEL_GRACE_MS		3000	/* an ending call gives up the link */
#define CANCEL_POLL_MS		10	/* how often a cancel's end is looked for */
#define STANDBY_RETRY_S		30	/* back to a standby from its primary */
#define KEEPALIVE_IDLE_S	60	/* TCP keepalives, unless the DSN */
#define KEEPALIVE_INTERVAL_S	10	/* sets its own */
#define KEEPALIVE_COUNT		6
#define TCP_USER_TIMEOUT_MS	60000
#define NOTES_MAX		5	/* server notices kept per call */
#define PROGRESS_INTERVAL_MS	250	/* at most 4 progress notes a second */
#define NOTE_BYTES_MAX		256	/* bytes kept of each */
#define EMBED_DEPTH_MAX		32	/* json nesting embedded as JSON */
/*
 * A reply line holds the result twice (text block and structuredContent,
 * the first escaped) plus the envelope: REPLY_FACTOR budgets and slack.
 */
#define REPLY_FACTOR		4
#define REPLY_SLACK		65536
#define CALLER_MAX		48	/* application_name holds 63 bytes */
#define SCHEMAS_MAX		32
#define RESOURCES_PAGE		100	/* resources per resources/list */
#define COMPLETE_MAX		100	/* values per completion/complete */
#define NAME_MAX_BYTES		63	/* PostgreSQL's NAMEDATALEN - 1 */
#define ERRMSG_MAX		1024
#define AUDIT_SQL_MAX		4096	/* SQL bytes in the syslog line */
#define MEMORY_DEFAULT_MB	128	/* --max-memory: RLIMIT_DATA, MiB */
#define MEMORY_MIN_MB		32
#define MEMORY_MAX_MB		65536
/* Free heap, and row buffers, kept for the next call (main.c, job.c). */
#define HEAP_KEEP		(32 * 1024 * 1024)
#ifndef CALLERS_FILE_DEFAULT
#define CALLERS_FILE_DEFAULT	"/etc/analytics-mcp/callers"
#endif

/* JSON-RPC error codes. */
#define RPC_PARSE_ERROR		(-32700)
#define RPC_INVALID_REQUEST	(-32600)
#define RPC_METHOD_NOT_FOUND	(-32601)
#define RPC_INVALID_PARAMS	(-32602)
#define RPC_INTERNAL_ERROR	(-32603)
#define RPC_RESOURCE_NOT_FOUND	(-32002)	/* handshake era */
#define RPC_UNSUPPORTED_VERSION	(-32022)	/* stateless era */

/*
 * Run-time configuration, filled once by main() and read-only afterwards.
 */
struct config {
	const char	*dsn;		/* NULL: DATABASE_URL or PG* vars */
	const char	*db_user;	/* --db-user: overrides the DSN's */
	char		 caller[CALLER_MAX + 1];
	const char	*caller_source;	/* how the caller was decided */
	const char	*peer;		/* from SSH_CONNECTION etc., or "-" */
	char		*schemas[SCHEMAS_MAX];
	size_t		 nschemas;
	char		*schemas_array;	/* the same as a text[] literal */
	long long	 max_rows;	/* ceiling for max_rows */
	long long	 max_bytes;	/* output budget for rows */
	long long	 max_cell;	/* longest value shown whole, bytes */
	long long	 timeout_s;	/* statement_timeout */
	size_t		 max_line;	/* request line cap */
	long long	 max_memory_mb;	/* process data cap, MiB */
	const char	*audit_log;	/* NULL: no JSON lines file */
};

/* Every limit of cfg at its default, every other member zero or NULL. */
void	 config_defaults(struct config *cfg);

/*
 * A failure on its way to the client: either a JSON-RPC error (code != 0)
 * or, for a tool, the text of an isError result (code == 0).
 */
struct error {
	int		 code;
	char		 msg[ERRMSG_MAX];
};

/* Fill err with a printf-style message; returns -1 for "return err_set()". */
int	 err_set(struct error *, int, const char *, ...)
	    __attribute__((format(printf, 3, 4)));

/* ---- jw.c: JSON writer ------------------------------------------------ */

/*
 * A value written aside (struct jw_aside) and referred to, not copied:
 * its bytes, or its string form's, go out at offset at of the writer's
 * own bytes.
 */
struct jw_hole {
	size_t			 at;
	const struct jw_aside	*aside;
	bool			 as_str;
};

/*
 * A growable output buffer.  Any failure (allocation, nesting deeper than
 * JW_DEPTH_MAX, a value where a key is due) sets the sticky flag failed;
 * later calls then do nothing.  Commas are inserted automatically.  The
 * output is buf with the holes filled (jw_iov()); len, limit and a
 * mark count buf alone.
 */
struct jw {
	char		*buf;
	size_t		 len;
	size_t		 cap;
	size_t		 limit;		/* most bytes allowed, 0: none */
	int		 depth;
	bool		 failed;
	bool		 in_obj[JW_DEPTH_MAX + 1];	/* an object, not an array */
	bool		 first[JW_DEPTH_MAX + 1];	/* no comma needed yet */
	bool		 key_due[JW_DEPTH_MAX + 1];	/* in an object, key next */
	struct jw_hole	 holes[JW_HOLES_MAX];
	int		 nholes;
};

/*
 * A large value (a row set's rows) written aside in a writer of its own,
 * json, and escaped into str as it grows: str holds what jw_copy_str()
 * would write of json, without the quotes, up to synced bytes of json.
 * A reply refers to both (jw_put_aside()), so the value is neither copied
 * nor escaped when the reply is written, and its string form is built
 * while the database is still sending.
 */
struct jw_aside {
	struct jw	 json;
	struct jw	 str;
	size_t		 synced;
};

void	 jw_init(struct jw *);
void	 jw_free(struct jw *);
/* Fail once the text would exceed max bytes (0: no limit). */
void	 jw_limit(struct jw *, size_t max);
/* Forget the content but keep the allocation. */
void	 jw_reset(struct jw *);
void	 jw_obj_open(struct jw *);
void	 jw_obj_close(struct jw *);
/* Reopen the object just closed (its '}' the last byte) for more members. */
void	 jw_obj_reopen(struct jw *);
void	 jw_arr_open(struct jw *);
void	 jw_arr_close(struct jw *);
/* A key in the current object; the next call writes its value. */
void	 jw_key(struct jw *, const char *);
/* A string, escaped; invalid UTF-8 bytes become U+FFFD. */
void	 jw_str(struct jw *, const char *);
void	 jw_strn(struct jw *, const char *, size_t);
void	 jw_int(struct jw *, long long);
void	 jw_bool(struct jw *, bool);
void	 jw_null(struct jw *);
/*
 * Bytes that already are one valid JSON value (a number from PostgreSQL,
 * a validated id); whitespace outside strings is dropped so the result
 * stays on one line.
 */
void	 jw_raw(struct jw *, const char *, size_t);
/* jw_raw(), or -1 and nothing written if it nests deeper than the int. */
int	 jw_raw_max(struct jw *, const char *, size_t, int);
/* A number whose grammar the caller checked: jw_raw() without the scan. */
void	 jw_num(struct jw *, const char *, size_t);
/*
 * The complete value another writer built (src closed, not failed): its
 * bytes are already compact and escaped, so they are copied as they are.
 */
void	 jw_copy(struct jw *, const struct jw *src);
/* The same value as a JSON string: what jw_strn() of its bytes writes. */
void	 jw_copy_str(struct jw *, const struct jw *src);
/* The output's length: len and the holes' bytes. */
size_t	 jw_size(const struct jw *);
/*
 * The output as at most max pieces (buf's and the holes'), empty ones
 * left out: how many, or -1 if max is too few.
 */
int	 jw_iov(const struct jw *, struct iovec *, int max);
/* Pieces jw_iov() may need for any writer. */
#define JW_IOV_MAX		(2 * JW_HOLES_MAX + 1)
void	 jw_aside_init(struct jw_aside *);
/* Empty again, without limits; the buffers are kept. */
void	 jw_aside_reset(struct jw_aside *);
void	 jw_aside_free(struct jw_aside *);
/* Escape into str what json gained since the last call (a failure sticks). */
void	 jw_aside_sync(struct jw_aside *);
/* The complete, synced value a holds, as a hole in w (jw_copy()'s rules). */
void	 jw_put_aside(struct jw *, const struct jw_aside *);
/*
 * A writer's state before a value (jw_mark()), to take the value back if
 * it turns out to be malformed half way (jw_rewind(): nothing written,
 * not failed unless it was).
 */
struct jw_mark {
	size_t		 len;
	int		 nholes;
	int		 depth;
	bool		 failed;
	bool		 first;
	bool		 key_due;
};
void	 jw_mark(const struct jw *, struct jw_mark *);
void	 jw_rewind(struct jw *, const struct jw_mark *);
/* Shorthands: key then value. */
void	 jw_kstr(struct jw *, const char *, const char *);
void	 jw_kint(struct jw *, const char *, long long);
void	 jw_kbool(struct jw *, const char *, bool);

/* ---- jsonchk.c: strict JSON syntax ------------------------------------ */

/* True if the bytes are valid UTF-8 (no overlongs, surrogates, > U+10FFFF). */
bool	 json_utf8_valid(const char *, size_t);
/*
 * Check that buf is exactly one JSON value (RFC 8259) within the depth and
 * token caps; returns 0 with *ntok set to its jsmn token count, or -1 with
 * err filled (code RPC_PARSE_ERROR).
 */
int	 json_check(const char *buf, size_t len, int *ntok, struct error *);
/* Length of the valid UTF-8 sequence at p (n bytes there), or 0. */
size_t	 json_utf8_seq(const unsigned char *p, size_t n);
/* The four hex digits at p (avail bytes there) into *cp; 0 or -1. */
int	 json_hex4(const char *p, size_t avail, unsigned int *cp);
/* The offset of the first byte at or after pos that is not JSON whitespace. */
size_t	 json_skip_ws(const char *buf, size_t len, size_t pos);
/* True for an ASCII digit. */
bool	 json_is_digit(char);

/* ---- json.c: strict reader -------------------------------------------- */

/*
 * A parsed request line.  tok[0] is the root value.  The buffer is not
 * copied: it must outlive the document.
 */
struct json_doc {
	const char	*buf;
	size_t		 len;
	void		*tok;		/* jsmntok_t[], opaque outside json.c */
	int		 ntok;
};

enum json_type {
	JSON_NONE = 0,			/* absent member */
	JSON_OBJECT,
	JSON_ARRAY,
	JSON_STRING,
	JSON_NUMBER,
	JSON_BOOL,
	JSON_NULL
};

/*
 * Parse one line strictly (RFC 8259: one value, no trailing bytes, no raw
 * control characters in strings, valid UTF-8, no NUL, depth and token
 * caps).  Returns 0, or -1 with err filled (code RPC_PARSE_ERROR, or
 * RPC_INTERNAL_ERROR when memory runs out).
 * Release with json_free().
 */
int	 json_parse(struct json_doc *, const char *, size_t, struct error *);
void	 json_free(struct json_doc *);
enum json_type json_type(const struct json_doc *, int);
/*
 * Index of the value of member key in object tok, or -1 if absent or tok
 * is not an object (tok -1 included).
 */
int	 json_member(const struct json_doc *, int, const char *);
/* Number of members (object) or elements (array) of tok. */
int	 json_size(const struct json_doc *, int);
/* Index of the i-th element of array tok, or of the i-th key of object tok. */
int	 json_child(const struct json_doc *, int, int);
/* Raw bytes of tok (for a string: without the quotes, still escaped). */
const char *json_raw(const struct json_doc *, int, size_t *);
/*
 * The string tok unescaped into a new NUL-terminated buffer (caller frees),
 * or NULL if tok is not a string, contains \u0000, or allocation fails.
 */
char	*json_strdup(const struct json_doc *, int);
/* True if string tok equals s after unescaping. */
bool	 json_streq(const struct json_doc *, int, const char *);
/*
 * Integer tok into *out if it is a JSON number with no fraction or exponent
 * within [min, max]; returns 0 or -1.
 */
int	 json_int(const struct json_doc *, int, long long, long long,
	    long long *);

/* ---- guard.c ---------------------------------------------------------- */

/*
 * Decide whether sql (len bytes, NUL not required) is one read-only query.
 * Returns 0 and sets *stmt_len to the length of the statement without its
 * trailing semicolons and whitespace (comments before them are kept), or
 * -1 with why filled with a sentence for the user.  Pure: no I/O.
 */
int	 guard_check(const char *sql, size_t len, size_t *stmt_len,
	    char *why, size_t whysz);

/* ---- banned.c: the functions the guard refuses ------------------------ */

/*
 * Why the folded name (lower case) is a function the guard refuses, to end
 * the sentence "... is not allowed: ", or NULL; call: it stands before '('.
 */
const char *banned_function(const char *name, bool call);

/* ---- lex.c: the guard's PostgreSQL lexer ------------------------------ */

enum tok {
	TOK_END,	/* end of input */
	TOK_WORD,	/* bare identifier or keyword */
	TOK_QIDENT,	/* "quoted identifier" */
	TOK_UIDENT,	/* U&"quoted identifier with Unicode escapes" */
	TOK_STRING,	/* any string constant, dollar-quoted included */
	TOK_NUMBER,
	TOK_PARAM,	/* $1 */
	TOK_SEMI,
	TOK_LPAREN,
	TOK_RPAREN,
	TOK_DOT,
	TOK_OTHER,	/* one operator or punctuation character */
	TOK_ERROR	/* unterminated construct: see lexer.err */
};

/* A token: bytes start to start + len of the lexer's text. */
struct token {
	enum tok	 kind;
	size_t		 start;		/* offset of the first byte */
	size_t		 len;
};

struct lexer {
	const char	*s;
	size_t		 len;
	size_t		 pos;		/* next byte to read */
	bool		 scs;		/* standard_conforming_strings */
	const char	*err;		/* with TOK_ERROR: what is open */
};

/* Start reading len bytes of s; scs: standard_conforming_strings is on. */
void	 lex_init(struct lexer *, const char *s, size_t len, bool scs);
/* Read the next token into t; after TOK_END or TOK_ERROR, only TOK_END. */
void	 lex_next(struct lexer *, struct token *t);
/* The two tokens after the current position, without consuming them. */
void	 lex_peek2(const struct lexer *, struct token *, struct token *);
/* True for PostgreSQL's whitespace: [ \t\n\r\f\v]. */
bool	 lex_is_space(int);
/* True for an ASCII digit. */
bool	 lex_is_digit(int);
/* True if t is the bare word w (lower case), in any case. */
bool	 lex_is_word(const char *sql, const struct token *, const char *w);
/*
 * Copy the bare word t into buf in lower or upper case.  Returns false
 * when it does not fit (no keyword is that long).
 */
bool	 lex_word_copy(const char *sql, const struct token *, char *buf,
	    size_t bufsz, bool upper);
/*
 * The name of a function as PostgreSQL would look it up, folded to lower
 * case for matching and cut to NAME_MAX_BYTES like PostgreSQL does: t is a
 * bare word, a "quoted identifier" ("" is one quote) or a U&"identifier"
 * whose escapes (esc followed by 4 hex digits, by + and 6 hex digits, or
 * by esc) are decoded.  Each control character and each byte or code
 * point outside ASCII becomes '?', which no banned name holds, so buf
 * stays printable ASCII for messages.
 * buf holds NAME_MAX_BYTES + 1 bytes.
 * Returns false for a malformed escape, which PostgreSQL rejects anyway.
 */
bool	 lex_name_fold(const char *sql, const struct token *, int esc,
	    char *buf);

/* ---- pgv.c: PostgreSQL values as JSON --------------------------------- */

#define ARRAY_DIMS_MAX		6	/* PostgreSQL's MAXDIM */

/*
 * Write the text-format value of a column of type oid as JSON: integers
 * and numeric as numbers (NaN, Infinity as strings), bool as true/false,
 * json/jsonb embedded (as a string when nested deeper than
 * EMBED_DEPTH_MAX), arrays of built-in types as JSON arrays of their
 * elements so mapped (explicit bounds dropped, as to_json() drops them),
 * PostGIS geometry and geography as GeoJSON (geo_write()), everything
 * else, and an array or geometry that does not parse, as a string.
 * isnull writes null.  Allocates at most a scratch of the value's length
 * (an array with escaped elements), freed before it returns.
 */
void	 pgv_write(struct jw *, unsigned int oid, const char *, size_t,
	    bool isnull);
/*
 * pgv_write() in two steps, for the values of a column: the mapping of its
 * type decided once (pgv_map(); valid until pgv_set_geo_oids()), then
 * each value written by it (pgv_map_write(): the bytes pgv_write() would
 * write).  No allocation in pgv_map().
 */
struct pgv_map {
	unsigned int	 oid;
	unsigned int	 elem;	/* an array's element type; 0: none */
	bool		 geo;	/* PostGIS geometry or geography */
};
void	 pgv_map(struct pgv_map *, unsigned int oid);
void	 pgv_map_write(struct jw *, const struct pgv_map *, const char *,
	    size_t, bool isnull);
/*
 * The OIDs of PostGIS's geometry and geography in the connected database,
 * which pgv_write() then maps to GeoJSON; 0 for a type that is not there.
 */
void	 pgv_set_geo_oids(unsigned int geometry, unsigned int geography);

/* ---- scalar.c and array.c: the mappings pgv_write() chooses ---------- */

/*
 * Write one scalar value of type oid as JSON; json nesting deeper than
 * embed is sent as a string.
 */
void	 scalar_write(struct jw *, unsigned int oid, const char *, size_t,
	    int embed);
/* The element type of the built-in array type oid; 0 if oid is none. */
unsigned int array_elem(unsigned int oid);
/*
 * Write an array literal whose element type is elem (array_elem()) as a
 * JSON array: 0, or -1, nothing written, when the literal does not parse.
 * Allocates at most a scratch of the value's length, freed before it
 * returns.
 */
int	 array_write_elem(struct jw *, unsigned int elem, const char *,
	    size_t);

/* ---- geo.c: PostGIS EWKB as GeoJSON ------------------------------------ */

#define GEO_DECIMALS		7	/* coordinate decimals: ~1 cm in degrees */
/* Collections within collections: 2 levels each, + 5 <= EMBED_DEPTH_MAX. */
#define GEO_NEST_MAX		13

/*
 * Write hex-encoded EWKB (PostGIS's text format of geometry and
 * geography) of len bytes as an RFC 7946 geometry object: Z kept, M
 * dropped, coordinates rounded to GEO_DECIMALS places, an SRID other than
 * 4326 as the member "srid".  Returns 0, or -1 with nothing written when
 * the value is malformed or has no GeoJSON form.  Allocates nothing.
 */
int	 geo_write(struct jw *, const char *hex, size_t len);
/*
 * A coordinate as geo_write() writes it into b (GEO_COORD_MAX bytes, NUL-
 * terminated): rounded to GEO_DECIMALS places as printf's %.*f rounds,
 * without trailing zeros, "-0" as "0"; from 1e15 on, %.17g.  Returns its
 * length.
 */
#define GEO_COORD_MAX		64
size_t	 geo_coord(char *b, double v);

/* ---- io.c ------------------------------------------------------------- */

enum io_status {
	IO_LINE,		/* a complete line is available */
	IO_TOOLONG,		/* a line over the cap was drained */
	IO_AGAIN,		/* nothing complete yet */
	IO_EOF,
	IO_ERROR
};

/*
 * Start reading a new input (what an earlier one left is forgotten).
 * max_line caps a request line; a wait for stdout to drain lets the
 * signals not in waitmask in and gives up once *stop is set.
 */
void	 io_init(size_t max_line, const sigset_t *waitmask,
	    volatile sig_atomic_t *stop);
/* Read what fd 0 has (once; call when poll says readable). */
enum io_status io_fill(void);
/*
 * Next buffered line without its \n (and \r), valid until the next io_
 * call; IO_AGAIN when none is complete.
 */
enum io_status io_next(const char **, size_t *);
/*
 * Write the n pieces (at most JW_IOV_MAX) plus '\n' to stdout in one
 * writev(); -1 once stdout has failed, after which nothing more is written.
 */
int	 io_write_line(const struct iovec *, int n);
/* True once a write to stdout has failed: nobody reads replies. */
bool	 io_out_broken(void);
/* The errno of a write failure that was not the reader leaving, or 0. */
int	 io_out_errno(void);

/* ---- era.c: protocol revisions ---------------------------------------- */

enum proto {
	PROTO_2024_11_05,
	PROTO_2025_03_26,	/* tool annotations */
	PROTO_2025_06_18,	/* title, outputSchema, structuredContent */
	PROTO_2025_11_25,
	PROTO_2026_07_28	/* stateless: no initialize, _meta per request */
};
#define PROTO_HANDSHAKE_LATEST	PROTO_2025_11_25

/* What one client session has agreed to; the loop owns it. */
struct session {
	enum proto	 proto;		/* handshake: latest until initialize */
	bool		 initialized;	/* initialize has been answered */
	/*
	 * Set when the session opened with a stateless request (typically
	 * server/discover) rather than initialize: from then on a request
	 * without the revision in its _meta is refused.
	 */
	bool		 stateless;
};

/* The handshake revision named by the string token tok, else the latest. */
enum proto era_negotiate(const struct json_doc *, int tok);
/* The name of a revision, e.g. "2025-11-25". */
const char *era_name(enum proto);
/* True for the stateless era's revisions. */
bool	 era_stateless(enum proto);
/*
 * The era of a request, from its params._meta: 0 when it names no
 * revision (a handshake-era request); 1 with *p set when it names one we
 * speak and carries the client's capabilities; -1 with err otherwise:
 * -32022 (and *requested, the token of the version asked for) or -32602.
 */
int	 era_of_request(const struct json_doc *, int params, enum proto *p,
	    int *requested, struct error *);
/*
 * The revisions a request's _meta may name, as a JSON array; the handshake
 * revisions are reached through initialize instead.
 */
void	 era_write_supported(struct jw *);
/* The code for "no such resource": -32002, or -32602 when stateless. */
int	 era_not_found(enum proto);

/* ---- rpc.c: JSON-RPC envelopes ---------------------------------------- */

struct rpc_req {
	struct json_doc	 doc;
	char		*line;		/* owned copy of the request line */
	const char	*id;		/* raw id bytes, NULL for a notification */
	size_t		 idlen;
	char		*method;
	int		 params;	/* token index or -1 */
	enum proto	 proto;		/* set when it is handled */
	/*
	 * A stateless-era result's caching hint (ttlMs, cacheScope), set
	 * by the method; cache_scope NULL for none.
	 */
	long		 ttl_ms;
	const char	*cache_scope;	/* "public" or "private" */
};

/*
 * Parse a line into req (taking a copy of it).  Returns 0, or -1 with err
 * set and, when the id could be read, req->id set so the error can name it.
 */
int	 rpc_parse(struct rpc_req *, const char *, size_t, struct error *);
void	 rpc_free(struct rpc_req *);
/* The longest reply line; a longer one is replaced by an error. */
void	 rpc_init(size_t reply_max);
/*
 * A reply is built in one buffer: rpc_result_begin() writes the envelope
 * up to "result":, the caller writes the result value into w, and
 * rpc_result_end() closes and sends it as one line, adding to a result
 * object the members every stateless-era result carries (resultType and
 * the request's caching hint).  A w that failed or grew past the cap is
 * replaced by error -32603.  Returns 0 or -1.
 */
void	 rpc_result_begin(struct jw *w, const struct rpc_req *);
int	 rpc_result_end(struct jw *w, const struct rpc_req *);
/* Send result, one complete JSON value, as the result (the same way). */
int	 rpc_reply_json(const struct rpc_req *, const struct jw *result);
/*
 * Send notifications/progress for the raw token tok (a JSON string with
 * its quotes, or an integer): progress so far and a message.
 */
int	 rpc_progress(const char *tok, size_t toklen, long long progress,
	    const char *message);
/* Send an error; id omitted when req or req->id is NULL. */
int	 rpc_error(const struct rpc_req *, const struct error *);
/* The same with the error's "data": data, one JSON value. */
int	 rpc_error_data(const struct rpc_req *, const struct error *,
	    const struct jw *data);
/* True if raw id bytes a and b name the same request. */
bool	 rpc_id_equal(const char *, size_t, const char *, size_t);

/* ---- db.c: the database connection ------------------------------------ */

struct job;

/*
 * What a step's callback tells the runner: go on with the next statement,
 * run this one again (FETCH), or stop (err filled) and roll back.
 * STEP_EARLY: run this one again at once, and only then call the step's
 * late callback with the same result, so that the server works on the
 * next FETCH while the rows of this one are encoded.  The late callback
 * says STEP_AGAIN (the statement in flight is wanted) or STEP_NEXT or
 * STEP_FAIL (its result is dropped when it comes, then the runner goes
 * on).
 */
enum step_next {
	STEP_NEXT,
	STEP_AGAIN,
	STEP_FAIL,
	STEP_EARLY,
	STEP_SKIP		/* on, past the next step: it is not needed */
};

/* Called with each statement's result (PGRES_TUPLES_OK or COMMAND_OK). */
typedef enum step_next (*step_cb)(struct job *, void *pgconn,
    const void *pgresult);

#define STEP_PARAMS_MAX	4
#define JOB_STEPS_MAX	8

struct step {
	char		*sql;		/* owned */
	int		 nparams;
	char		*params[STEP_PARAMS_MAX];	/* owned */
	step_cb		 cb;		/* NULL: ignore the result */
	step_cb		 late;		/* after STEP_EARLY */
	/*
	 * Its statement does not depend on the result before it: it may go
	 * out with the job's opening statements (txn_opening).  Step 0 may
	 * always.
	 */
	bool		 ahead;
};

/* A PostgreSQL error as the server sent it; result.c formats it. */
struct pgerr {
	char		 sqlstate[6];	/* "" when none */
	char		*message;	/* NULL: no PostgreSQL error */
	char		*detail;
	char		*hint;
	size_t		 position;	/* 1-based character in job->sql, or 0 */
};

enum truncation {
	TRUNC_NONE,
	TRUNC_ROWS,		/* more rows than the row limit */
	TRUNC_BYTES		/* the byte budget was reached */
};

/*
 * A tool call on its way through the database: BEGIN READ ONLY, settings,
 * the tool's steps, ROLLBACK, the reset.  Made by tools_call(), run by
 * db_run(), answered by result_send(), freed by job_free() (with its
 * request).
 */
struct job {
	struct rpc_req	*req;
	char		*tool;		/* tool name, for the audit */
	char		*sql;		/* the user's SQL, for errors and audit */
	struct step	 steps[JOB_STEPS_MAX];
	int		 nsteps;
	int		 cur;		/* index of the running step */
	int		 user_step;	/* step running the user's SQL, or -1 */
	size_t		 user_prefix;	/* characters before the user's SQL */
	bool		 cancelled;	/* notifications/cancelled arrived */
	bool		 failed;	/* err holds the isError text */
	bool		 retried;	/* reconnected once after a stale link */
	bool		 answered;	/* replied to before its cleanup ended */
	struct error	 err;		/* the isError text */
	struct pgerr	 pg;		/* or the PostgreSQL error behind it */
	struct jw	 out;		/* structuredContent being built */
	void		(*finish)(struct job *);	/* ends out, or NULL */
	/* Sends the reply; NULL: a CallToolResult (result_send). */
	void		(*send)(struct job *);
	void		*ctx;		/* what the method keeps, or NULL */
	void		(*ctx_free)(void *);	/* frees ctx with the job */
	const char	*list_key;	/* catalog listing: its array's key */
	struct jw_aside	 rows;		/* row set: the rows array, aside */
	struct jw	 cols;		/* row set: the columns array */
	long long	 row_limit;	/* rows wanted */
	bool		 row_ceiling_hit; /* max_rows was over --max-rows */
	long long	 max_bytes;	/* budget for rows or listing entries */
	long long	 nrows;		/* rows written */
	enum truncation	 truncated;
	int		 ncols;
	char		**colnames;
	char		**typnames;	/* format_type() of each column */
	unsigned int	*coltypes;	/* oids */
	int		*coltypmods;
	uint64_t	 started_ms;
	uint64_t	 deadline_ms;	/* the whole call ends by then */
	uint64_t	 elapsed_ms;
	bool		 timed_out;	/* the deadline passed */
	long long	 leftover_locks; /* session locks left behind */
	struct jw	 notes;		/* server notices: an array */
	int		 nnotes;
	size_t		 widest_row;	/* most bytes of one row received */
	long long	 max_cell;	/* longest value shown whole */
	bool		*cut;		/* per column: a value was cut */
	size_t		 cut_chars;	/* characters shown of the first cut */
	long long	 fetch_want;	/* rows the running FETCH asks for */
	uint64_t	 fetch_ms;	/* when it was sized, 0: the first */
	const char	*progress;	/* raw _meta.progressToken, or NULL */
	size_t		 progresslen;
	long long	 progress_sent;	/* rows last reported */
	uint64_t	 progress_ms;	/* when */
	size_t		 cols_bytes;	/* the columns' share of max_bytes */
};

int	 db_init(const struct config *);
/* Start connecting now if not connected and libpq is loaded; never blocks. */
void	 db_connect_start(void);
/*
 * Socket to poll and the events wanted, or -1 (events 0) when idle or
 * unconnected.
 */
int	 db_pollfd(short *events);
/* Milliseconds until a connect attempt times out, or -1. */
int	 db_timeout_ms(void);
/* Advance connection and job; revents from poll(), 0 on a timeout. */
void	 db_service(short revents);
/* Run job; the loop takes it back from db_take_done() when it is over. */
void	 db_run(struct job *);
/* The job that is over (answered by the database, failed, cancelled), once. */
struct job *db_take_done(void);
/*
 * The running job, once, when its statements are over and it succeeded:
 * its answer may go out while the ROLLBACK and its clean-up still run (it
 * comes back from db_take_done() later, perhaps failed by then).
 */
struct job *db_take_answerable(void);
/*
 * If the job in the database answers request id, mark it cancelled and
 * cancel its statement in PostgreSQL (conn_cancel); true if it did.
 */
bool	 db_cancel_if(const char *id, size_t idlen);
/*
 * True while a job is running, waiting for the connection, or over and
 * not yet taken back (db_take_done()).
 */
bool	 db_busy(void);
/*
 * Close the connection, cancelling the running statement first; its job
 * goes back to the loop marked cancelled.
 */
void	 db_close(void);

/* ---- txn.c: the transaction script ------------------------------------ */

enum phase {
	PH_BEGIN,
	PH_TYPES,		/* once per connection */
	PH_SETTINGS,
	PH_STEP,		/* job->steps[job->cur] */
	PH_ROLLBACK,		/* and the clean-up, in one message */
	PH_DONE			/* nothing more to send */
};

/* A statement of the script: the phase and, for PH_STEP, the step. */
struct txn_item {
	enum phase	 phase;
	int		 step;
};

#define TXN_OPENING_MAX	(3 + JOB_STEPS_MAX)

/*
 * Queue phase's statement of job (for PH_STEP, step number step) on
 * pgconn (a PGconn) without flushing it; 0, or -1: the link is gone.
 */
int	 txn_send(void *pgconn, struct job *, enum phase, int step,
	    const char *timeout_ms);
/*
 * The statements that open job and may go out together, before any of
 * their results is in: BEGIN, the types when due, the settings, then the
 * job's steps from the first for as long as each is marked ahead.  Fills
 * plan (TXN_OPENING_MAX entries); returns how many.
 */
int	 txn_opening(const struct job *, struct txn_item *plan);
/*
 * The phase after phase, given what the step's callback said: on through
 * the steps, to ROLLBACK once the job failed, was cancelled or timed out.
 */
enum phase txn_next(struct job *, enum phase, enum step_next);
/* Take what a phase's own statement returns (types, left-over locks). */
void	 txn_result(struct job *, enum phase, const void *pgresult);
/* A new connection: what the last one taught is forgotten. */
void	 txn_connected(void);

/* ---- pq.c: libpq, loaded on a thread of its own --------------------- */

/* Start loading libpq on a thread; 0, or -1 (errno) if none could start. */
int	 pq_load_start(void);
/* Readable once the loader is done; -1 when none runs (any more). */
int	 pq_load_fd(void);
/*
 * Wait for the load (loading it here if it never started); 0 once every
 * libpq function can be called, or -1 with why filled.
 */
int	 pq_wait(char *why, size_t whysz);
/* True once pq_wait() has returned 0. */
bool	 pq_ready(void);

/* ---- typname.c: the column type names known ------------------------ */

#define TYPNAME_MAX	256	/* names kept per connection */

/* The name of type oid with modifier typmod, if known; NULL if not. */
const char *typname_get(unsigned int oid, int typmod);
/* Keep name (copied) for oid and typmod; silently not when full. */
void	 typname_put(unsigned int oid, int typmod, const char *name);
/* A new connection: every name is forgotten. */
void	 typname_forget(void);

/* ---- conn.c: the connection ------------------------------------------- */

/* The connection parameters, from cfg (which must outlive them). */
int	 conn_init(const struct config *);
/* "analytics-mcp/CALLER": the application_name every transaction sets. */
const char *conn_appname(void);
/*
 * True when the connection is to a primary although the DSN prefers a
 * standby (target_session_attrs=prefer-standby) and STANDBY_RETRY_S have
 * passed since it was made (twice as long after each retry that fell
 * back again, up to 16 times): time to try the standby again.
 */
bool	 conn_standby_due(void);
/* Start connecting; 0, or -1 with why filled (nothing to drop then). */
int	 conn_start(char *why, size_t whysz);
/* While connecting: the socket, the events and the attempt's deadline. */
int	 conn_connect_fd(short *events, uint64_t *deadline);
/*
 * Advance the connect with poll()'s revents (0: the timer): 1 up, 0 not
 * yet, -1 failed or timed out (why filled, the connection dropped).
 */
int	 conn_poll(short revents, char *why, size_t whysz);
/* The PGconn (void * to keep libpq out of this header), or NULL. */
void	*conn_pg(void);
/* Close the connection. */
void	 conn_drop(void);
/* The first line of libpq's last message, scrubbed of secrets. */
const char *conn_errmsg(void);
/*
 * Ask the server to cancel the running statement, never waiting: a
 * helper process sends the request, unless one is on its way already.
 */
void	 conn_cancel(void);
/* True while a cancel request is on its way. */
bool	 conn_cancel_pending(void);
/*
 * Whether the last cancel request has settled: 1 delivered (or none
 * sent), 0 still on its way, -1 failed or killed by its alarm.
 */
int	 conn_cancel_settled(void);
/* Collect the helpers nobody waits for any more (no zombies). */
void	 conn_reap(void);
/* True if libpq's text says it ran out of memory receiving a result. */
bool	 conn_oom(const char *msg);
/* --check: connect, print the facts an operator needs; exit status. */
int	 conn_check(void);

/* ---- job.c ------------------------------------------------------------ */

/* A new job for tool (copied) answering req, with cfg's limits; or NULL. */
struct job *job_new(struct rpc_req *, const char *tool, const struct config *);
/* Add a statement to job; params copied.  Returns 0 or -1. */
int	 job_add(struct job *, const char *sql, step_cb, int nparams, ...);
/* Free job, its request included. */
void	 job_free(struct job *);
/*
 * Tell a client that asked (a progressToken) how many rows have come:
 * once the call has run PROGRESS_INTERVAL_MS, then at most that often and
 * only when more have come; never once the call is cancelled or over.
 */
void	 job_progress(struct job *);
/* Keep a server notice of the user's statement for the result. */
void	 job_note(struct job *, const char *severity, const char *text);
/*
 * Fail the job with a PostgreSQL error, its fields as the server sent
 * them, scrubbed of secrets (result.c formats them): SQLSTATE, message,
 * detail, hint and the 1-based character position in the user's SQL, or 0.
 */
void	 job_pg_error(struct job *, const char *sqlstate, const char *msg,
	    const char *detail, const char *hint, size_t pos);
/* Fail the job: a row too large to receive under the memory cap. */
void	 job_too_large(struct job *, long long max_memory_mb);
/* Forget the job's failure and its PostgreSQL error (before a retry). */
void	 job_clear_error(struct job *);

/* ---- args.c: argument readers ----------------------------------------- */

struct args {
	struct rpc_req	*req;
	int		 obj;		/* the arguments object, or -1 */
};

/* A string argument of at most maxlen bytes; *out NULL when absent. */
int	 arg_str(struct args *, const char *name, bool required,
	    size_t maxlen, char **out, struct error *);
/* An integer argument within [min, max], or def when absent. */
int	 arg_int(struct args *, const char *name, long long def,
	    long long min, long long max, long long *out, struct error *);
/* Refuse argument names the tool does not take (a typo, say). */
int	 arg_known(struct args *, const char *tool, const char *const *names,
	    struct error *);
/* True if schema is one of the readable schemas (--schemas). */
bool	 arg_schema_readable(const struct config *, const char *schema);
/* 0 if schema is readable, else -1 with err naming the readable ones. */
int	 arg_schema_check(const struct config *, const char *schema,
	    struct error *);
/* The schema argument (def when absent): one of the readable schemas. */
int	 arg_schema(struct args *, const struct config *, const char *def,
	    char **out, struct error *);
/* A boolean argument, or def when absent. */
int	 arg_bool(struct args *, const char *name, bool def, bool *out,
	    struct error *);
/* The schema and table arguments. */
int	 arg_relation(struct args *, const struct config *, char **schema,
	    char **table, struct error *);
/* NULL-terminated names as "a, b, c" in buf, for messages. */
void	 arg_name_list(char *buf, size_t bufsz, const char *const *names);
/* Whether s starts with n ASCII digits. */
bool	 arg_digits(const char *s, size_t n);
/* Whether s is a month as YYYY-MM, a real one. */
bool	 arg_month_valid(const char *s);
/* Whether s is a date as YYYY-MM-DD, a real day of the Gregorian calendar. */
bool	 arg_date_valid(const char *s);

/*
 * A tool's preparation: read its arguments and add its statements to the
 * job.  Returns 0, or -1 with err holding the isError text.
 */
typedef int (*tool_prep)(struct job *, struct args *, const struct config *,
    struct error *);

/* ---- catalog.c, describe.c, rowset.c: the tools' statements ---------- */

/*
 * SQL fragments the catalog statements (catalog.c, describe.c) are built
 * from at compile time; c is pg_class, n its pg_namespace, $1 the schema
 * and $2 the relation where they say so.
 */
#define RELKIND_NAME \
    "CASE c.relkind WHEN 'r' THEN 'table' " \
    "WHEN 'p' THEN 'partitioned table' WHEN 'v' THEN 'view' " \
    "WHEN 'm' THEN 'materialized view' WHEN 'f' THEN 'foreign table' END"
#define RELKINDS	"('r', 'p', 'v', 'm', 'f')"
/* The oids of relation oid and of all its descendants (pg_inherits). */
#define TREE_OIDS(oid) \
    "(WITH RECURSIVE tree(oid) AS (SELECT " oid " UNION " \
    "SELECT i.inhrelid FROM pg_inherits i " \
    "JOIN tree ON i.inhparent = tree.oid) SELECT oid FROM tree)"
/*
 * The rows of c: its own reltuples, or for a parent (partitioned table,
 * inheritance parent, TimescaleDB hypertable) the sum over the whole
 * inheritance tree of the relations that store rows; NULL when none of
 * them has been vacuumed or analysed (reltuples -1).
 */
#define EST_ROWS \
    "CASE WHEN NOT c.relhassubclass THEN " \
    "CASE WHEN c.reltuples < 0 THEN NULL ELSE c.reltuples::bigint END " \
    "ELSE (SELECT sum(t.reltuples)::bigint FROM pg_class t " \
    "WHERE t.oid IN " TREE_OIDS("c.oid") " " \
    "AND t.reltuples >= 0 AND t.relkind <> 'p') END"
/* Whether TimescaleDB lists c as a hypertable; only after the probe. */
#define HYPERTABLE \
    ", EXISTS (SELECT 1 FROM _timescaledb_catalog.hypertable h " \
    "WHERE h.schema_name = n.nspname AND h.table_name = c.relname) " \
    "AS hypertable"
/* The oid of relation $2 of schema $1, or NULL. */
#define REL_OID \
    "(SELECT c.oid FROM pg_class c " \
    "JOIN pg_namespace n ON n.oid = c.relnamespace " \
    "WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN " RELKINDS ")"
/* The names that do exist in schema $1 (at most 200), when $2 does not. */
#define EXISTING \
    "CASE WHEN c.oid IS NULL THEN (SELECT string_agg(x.relname, ', ' " \
    "ORDER BY x.relname) FROM (SELECT c2.relname FROM pg_class c2 " \
    "JOIN pg_namespace n2 ON n2.oid = c2.relnamespace " \
    "WHERE n2.nspname = $1 AND c2.relkind IN " RELKINDS " " \
    "AND NOT c2.relispartition ORDER BY c2.relname LIMIT 200) x) " \
    "END AS existing"
#define REL_ROW \
    "WITH r AS (SELECT c.oid, c.relname, c.relkind, c.reltuples, " \
    "c.relhassubclass, c.relnamespace " \
    "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace " \
    "WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN " RELKINDS ") "
/* Relation c is one of the kinds listed and the role may read it. */
#define READABLE_REL \
    "c.relkind IN " RELKINDS " AND NOT c.relispartition " \
    "AND has_table_privilege(c.oid, 'SELECT')"
#define QUALIFIED \
    "CASE WHEN c.oid IS NOT NULL " \
    "THEN format('%I.%I', $1, c.relname) END AS qualified"

/* Bytes of the byte budget left, the structuredContent so far counted. */
size_t	 catalog_budget_left(const struct job *);
/*
 * Each result row as an object in an array under job->list_key, members
 * from the fixed-th on left out when NULL, whole objects only, within the
 * budget (truncated says when one was cut).
 */
enum step_next catalog_objects(struct job *, const void *pgresult, int fixed);
/* A listing's structuredContent ends with its truncation flag. */
void	 catalog_finish(struct job *);
/* One row, one boolean: whether the TimescaleDB catalog is readable. */
extern const char catalog_sql_probe[];
/*
 * After catalog_sql_probe: if TimescaleDB is there, the next step runs
 * variant instead (a statement that names its catalog).  False when out
 * of memory (the job failed).
 */
bool	 catalog_use_variant(struct job *, const void *pgresult,
	    const char *variant);
/* describe_table (describe.c). */
int	 describe_table(struct job *, struct args *, const struct config *,
	    struct error *);
/* Its statements for relation table of schema; 0, or -1: out of memory. */
int	 describe_steps(struct job *, const char *schema, const char *table,
	    const struct config *);

int	 catalog_schemas(struct job *, struct args *, const struct config *,
	    struct error *);
int	 catalog_tables(struct job *, struct args *, const struct config *,
	    struct error *);
int	 catalog_functions(struct job *, struct args *, const struct config *,
	    struct error *);
/*
 * One row ($1 schema, $2 name): the relation's name as the server quotes
 * it, or NULL and, in the member "existing", the names the schema has.
 */
extern const char catalog_sql_relation[];
/* After catalog_sql_relation: true if found, else the job failed. */
bool	 catalog_relation_found(struct job *, const void *pgresult);

int	 rowset_query(struct job *, struct args *, const struct config *,
	    struct error *);
/*
 * Guard job->sql and add it as the job's user step, run as prefix +
 * statement + newline, its result to cb; 0, or -1 with err filled.
 */
int	 rowset_user_step(struct job *, const char *prefix, step_cb,
	    struct error *);
/* The explain tool: the plan of job->sql, run only with analyze. */
int	 explain_plan(struct job *, struct args *, const struct config *,
	    struct error *);
int	 rowset_sample(struct job *, struct args *, const struct config *,
	    struct error *);

/* ---- tools.c ---------------------------------------------------------- */

/* Write the tools/list result for protocol revision proto. */
void	 tools_list(struct jw *, enum proto);
/*
 * Prepare a tools/call: validate arguments and build the job, which then
 * owns the request.  Returns 0 with *job set; 1 when the result is
 * already decided without the database (an isError such as a guard
 * rejection, in *job's err); -1 for a JSON-RPC error (unknown tool) in
 * err, with no job made.
 */
int	 tools_call(struct rpc_req *, const struct config *, struct job **,
	    struct error *);

/* ---- prompts.c, prompt_text.c: prompts/list and prompts/get ---------- */

#define PROMPT_COLUMNS_MAX	100	/* columns a prompt's message lists */
#define PROMPT_REGION_MAX	64	/* bytes of a region name */

struct text;
struct pget;

/* One argument of a prompt, as prompts/list shows it. */
struct parg {
	const char	*name;
	const char	*description;
	bool		 required;
};

/* One prompt: what prompts/list shows, its table and its task text. */
struct prompt {
	const char	*name;
	const char	*title;
	const char	*description;
	const struct parg *args;	/* ends with a NULL name */
	const char	*schema;	/* NULL: the table argument names it */
	const char	*table;
	const char *const *keys;	/* the columns the task uses */
	const char	*month_col;	/* its latest month is the default */
	void		(*task)(struct text *, const struct pget *);
};

/* A growable message text; failed once memory ran out. */
struct text {
	char		*buf;
	size_t		 len;
	size_t		 cap;
	bool		 failed;
};

/*
 * A prompts/get on its way, the job's ctx: its prompt, its checked
 * arguments and what the catalog said.
 */
struct pget {
	const struct prompt *p;
	long long	 days;
	char		 month[8];	/* YYYY-MM or "" */
	char		 from[11];	/* YYYY-MM-DD or "" */
	char		 to[11];
	char		 region[PROMPT_REGION_MAX + 1];
	char		 schema[NAME_MAX_BYTES + 1];
	char		 table[NAME_MAX_BYTES + 1];
	char		*qualified;	/* as format('%I.%I') quotes it */
	char		*comment;
	struct text	 cols;		/* one line per column */
	unsigned int	 have;		/* bit i: keys[i] is a column */
};

/*
 * Build the job of a prompts/list (the prompts whose tables this role
 * can read) or of a prompts/get (one user message naming the table and
 * the columns the catalog has now).  Returns 0 with *job set, which then
 * owns req; or -1 with err holding the JSON-RPC error (-32602 for an
 * unknown prompt, a bad argument or cursor), no job made.
 */
int	 prompts_list(struct rpc_req *, const struct config *, struct job **,
	    struct error *);
int	 prompts_get(struct rpc_req *, const struct config *, struct job **,
	    struct error *);

/* The task text of each prompt: the question and how to answer it. */
void	 ptext_distance(struct text *, const struct pget *);
void	 ptext_open(struct text *, const struct pget *);
void	 ptext_mttr(struct text *, const struct pget *);
void	 ptext_fuel(struct text *, const struct pget *);
void	 ptext_explore(struct text *, const struct pget *);
/* prompts/get's step: the table's columns into the job's struct pget. */
enum step_next ptext_columns(struct job *, void *pgconn, const void *pgresult);
/* prompts/get's step: the latest month of data, if there is one. */
enum step_next ptext_month(struct job *, void *pgconn, const void *pgresult);
/* prompts/get's reply: the message, or the JSON-RPC error. */
void	 ptext_send(struct job *);
/* Free a struct pget (a job's ctx) and what it holds; NULL is a no-op. */
void	 ptext_free(void *);

/* ---- resources.c ------------------------------------------------------ */

/*
 * resources/list and resources/read: 0 with *job made (it owns req and
 * sends its own reply, an error too), or -1 with err (-32602, -32002)
 * and no job.
 */
int	 resources_list(struct rpc_req *, const struct config *, struct job **,
	    struct error *);
int	 resources_read(struct rpc_req *, const struct config *, struct job **,
	    struct error *);
/* Write the resources/templates/list result. */
void	 resources_templates(struct jw *, enum proto);

/* ---- complete.c ------------------------------------------------------- */

/*
 * completion/complete: 0 with *job made (it owns req and sends its own
 * reply), or -1 with err (-32602) and no job.
 */
int	 complete_make(struct rpc_req *, const struct config *, struct job **,
	    struct error *);

/* ---- result.c --------------------------------------------------------- */

/* Send the result of a finished job (structuredContent or isError). */
void	 result_send(struct job *);
/*
 * Answer a failed job that is not a tool call with a JSON-RPC error: a
 * PostgreSQL error as -32603, else the code the job set (-32603 if none).
 */
void	 result_job_error(struct job *);

/* ---- mcp.c: the method table ------------------------------------------ */

/* How the loop treats a request. */
enum mcp_route {
	ROUTE_IN_ORDER,		/* answered in arrival order, after any job */
	ROUTE_AT_ONCE,		/* answered even while a job runs (ping) */
	ROUTE_CANCEL,		/* a notification that cancels a request */
	ROUTE_DROP		/* a notification with nothing to do */
};

enum mcp_route mcp_route(const struct rpc_req *);
/* The raw id a ROUTE_CANCEL notification names; false if none. */
bool	 mcp_cancel_target(const struct rpc_req *, const char **id,
	    size_t *idlen);
/*
 * Handle req in session sess.  Returns 0 when it is answered (or needs no
 * answer) and req is still the caller's; 1 with *job set when the answer
 * is the job's (the job owns req): run it, or send it at once when
 * job->failed already holds the answer.
 */
int	 mcp_handle(struct session *, struct rpc_req *, const struct config *,
	    struct job **);

/* ---- audit.c ---------------------------------------------------------- */

int	 audit_open(const struct config *);
/* Record one tool call. */
void	 audit_job(const struct job *, const struct config *);
/* Log a server notice or a diagnostic, escaped, on one line. */
void	 audit_notice(const struct config *, const char *severity,
	    const char *text);
/*
 * Escape s into out (outsz bytes, NUL-terminated, cut with "..." when
 * longer) as the inside of a JSON string: every control character, C1 and
 * U+2028/U+2029 included, becomes an escape; so do '"' and '\'.
 */
void	 audit_escape(const char *s, char *out, size_t outsz);

/* ---- caller.c -------------------------------------------------------- */

/*
 * Decide cfg->caller (unless --caller set it) from the ssh key in
 * SSH_USER_AUTH mapped through the callers file, then (unless
 * require_key) the Unix socket peer or the login name.  Returns 0, or -1
 * with why filled.
 */
int	 caller_resolve(struct config *, const char *callers_path,
	    bool require_key, char *why, size_t whysz);
/* 1-48 of letters, digits, '.', '_', '@', '-'. */
bool	 caller_name_valid(const char *);
/* "SHA256:..." of a base64 public key blob, as ssh-keygen -l prints it. */
int	 caller_fingerprint(const char *b64, size_t len, char *out,
	    size_t outsz);
/* The key ID of a base64 OpenSSH user certificate; 0 or -1. */
int	 caller_cert_keyid(const char *b64, size_t len, char *out,
	    size_t outsz);
/* Look key up in an open callers file: 1 found, 0 absent, -1 bad name. */
int	 caller_lookup(FILE *, const char *key, char *name, size_t namesz);
/* Map SSH_USER_AUTH contents to a caller: 1 found, 0 none, -1 conflict. */
int	 caller_from_authinfo(const char *info, FILE *callers, char *name,
	    size_t namesz, char *why, size_t whysz);
void	 caller_sha256(const unsigned char *, size_t, unsigned char[32]);

/* ---- loop.c ----------------------------------------------------------- */

/*
 * Run one session on stdin and stdout until EOF or SIGTERM; returns the
 * exit status.  Each call starts afresh (tests/fuzz runs many in turn).
 * with_libpq (if not NULL) is the rest of start-up: it is called once
 * libpq is loaded (on a thread started after the first input or
 * PQ_LOAD_DELAY_MS), before the first connection, and at the latest
 * before returning.
 */
int	 loop_run(const struct config *,
	    void (*with_libpq)(const struct config *));

/* ---- secret.c --------------------------------------------------------- */

/* Remember len bytes of s as a secret (a password); a copy is kept. */
void	 secret_add(const char *, size_t);
/*
 * Copy in to out (outsz bytes, NUL-terminated, cut if needed) with every
 * registered secret replaced by asterisks.
 */
void	 secret_scrub(const char *in, char *out, size_t outsz);

/* ---- util ------------------------------------------------------------- */

#define STR(x)		STR2(x)		/* a macro's value as a string */
#define STR2(x)		#x

uint64_t now_ms(void);
/* The value of hex digit c, or -1. */
int	 hex_value(int c);
/*
 * The n bytes that the 2n hex digits at hex stand for, into b; -1 (b
 * partly written) if one of them is not a hex digit.
 */
int	 hex_decode(unsigned char *b, const char *hex, size_t n);
/* 1 to max letters, digits, '.', '_', '@' or '-': a name safe anywhere. */
bool	 word_valid(const char *, size_t max);

#endif /* !EXTERN_H */
