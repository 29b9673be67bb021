/*
 * The tool table: each tool's name, title, description, JSON Schemas and
 * the function that turns its arguments into a job (rowset.c,
 * catalog.c); tools/list writes the table for the request's protocol
 * version, tools/call checks the arguments and builds the job.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "extern.h"

#define ROWSET_SCHEMA \
    "{\"type\":\"object\",\"properties\":{" \
    "\"columns\":{\"type\":\"array\",\"items\":{\"type\":\"object\"," \
    "\"properties\":{\"name\":{\"type\":\"string\"}," \
    "\"type\":{\"type\":\"string\"}},\"required\":[\"name\",\"type\"]}}," \
    "\"rows\":{\"type\":\"array\",\"items\":{\"type\":\"array\"}}," \
    "\"row_count\":{\"type\":\"integer\"}," \
    "\"truncated\":{\"type\":\"boolean\"}," \
    "\"elapsed_ms\":{\"type\":\"integer\"}," \
    "\"note\":{\"type\":\"string\"}," \
    "\"cut_columns\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}}," \
    "\"notices\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}}}," \
    "\"required\":[\"columns\",\"rows\",\"row_count\",\"truncated\"," \
    "\"elapsed_ms\"]}"
#define SCHEMA_ARG \
    "\"schema\":{\"type\":\"string\",\"description\":" \
    "\"One of the readable schemas (see list_schemas).\"}"
#define TABLE_ARG \
    "\"table\":{\"type\":\"string\",\"description\":" \
    "\"Table or view name, unquoted, as list_tables shows it.\"}"
/* JSON Schema shorthands for the catalog's output schemas. */
#define T_STR		"{\"type\":\"string\"}"
/*
 * Nullable and mixed types as anyOf branches of one type each, not as a
 * "type" array: clients that map schemas onto a single-type dialect
 * (the Inspector's --strict check warns of them) read these.
 */
#define T_NULL		"{\"type\":\"null\"}"
#define T_STR_NULL	"{\"anyOf\":[{\"type\":\"string\"}," T_NULL "]}"
#define T_INT		"{\"type\":\"integer\"}"
#define T_BOOL		"{\"type\":\"boolean\"}"
#define T_NUM		"{\"type\":\"number\"}"
#define T_NAMES		"{\"type\":\"array\",\"items\":" T_STR "}"
#define T_TIME		"{\"type\":\"string\",\"format\":\"date-time\"}"
#define T_NUM_STR	"{\"anyOf\":[" T_NUM ",{\"type\":\"string\"}]}"
/* A value of a column's type, as the query tool maps it to JSON. */
#define T_ANY \
    "{\"anyOf\":[{\"type\":\"string\"}," T_NUM ",{\"type\":\"boolean\"}," \
    "{\"type\":\"object\"},{\"type\":\"array\"}," T_NULL "]}"
#define T_KIND \
    "{\"type\":\"string\",\"enum\":[\"table\",\"partitioned table\"," \
    "\"view\",\"materialized view\",\"foreign table\"]}"
#define T_ROWS \
    "{\"anyOf\":[{\"type\":\"integer\"}," T_NULL "],\"description\":" \
    "\"Estimated from " \
    "the planner's statistics; a partitioned table or inheritance " \
    "parent (hypertable) counts its children's rows; null when never " \
    "analysed.\"}"
#define T_HYPERTABLE \
    "{\"type\":\"boolean\",\"description\":\"Present when TimescaleDB " \
    "is installed: true for a hypertable.\"}"
#define SCHEMA_ITEM \
    "{\"type\":\"object\",\"properties\":{\"schema\":" T_STR "," \
    "\"comment\":" T_STR_NULL ",\"tables\":" T_INT ",\"views\":" T_INT "," \
    "\"materialized_views\":" T_INT ",\"foreign_tables\":" T_INT "," \
    "\"functions\":" T_INT "},\"required\":[\"schema\",\"comment\"," \
    "\"tables\",\"views\",\"materialized_views\",\"foreign_tables\"," \
    "\"functions\"]}"
#define TABLE_ITEM \
    "{\"type\":\"object\",\"properties\":{\"name\":" T_STR "," \
    "\"kind\":" T_KIND ",\"comment\":" T_STR_NULL "," \
    "\"estimated_rows\":" T_ROWS ",\"hypertable\":" T_HYPERTABLE "}," \
    "\"required\":[\"name\",\"kind\",\"comment\",\"estimated_rows\"]}"
#define FUNCTION_ITEM \
    "{\"type\":\"object\",\"properties\":{\"name\":" T_STR "," \
    "\"arguments\":" T_STR ",\"returns\":" T_STR_NULL "," \
    "\"kind\":" T_STR ",\"volatility\":" T_STR "," \
    "\"comment\":" T_STR_NULL "},\"required\":[\"name\",\"arguments\"," \
    "\"returns\",\"kind\",\"volatility\",\"comment\"]}"
/* describe_table: statistics members only after an ANALYZE. */
#define COLUMN_ITEM \
    "{\"type\":\"object\",\"properties\":{\"name\":" T_STR "," \
    "\"type\":" T_STR ",\"nullable\":" T_BOOL ",\"default\":" T_STR_NULL \
    ",\"comment\":" T_STR_NULL "," \
    "\"null_fraction\":" T_NUM ",\"distinct_estimate\":" T_INT "," \
    "\"common_values\":{\"type\":\"array\",\"items\":{\"type\":\"object\"," \
    "\"properties\":{\"value\":" T_ANY ",\"frequency\":" T_NUM "}," \
    "\"required\":[\"value\",\"frequency\"]}}," \
    "\"range_estimate\":{\"type\":\"object\",\"properties\":{" \
    "\"low\":" T_NUM_STR ",\"high\":" T_NUM_STR "}," \
    "\"required\":[\"low\",\"high\"]}}," \
    "\"required\":[\"name\",\"type\",\"nullable\",\"default\",\"comment\"]}"
#define INDEX_ITEM \
    "{\"type\":\"object\",\"properties\":{\"name\":" T_STR "," \
    "\"columns\":" T_NAMES ",\"unique\":" T_BOOL ",\"primary\":" T_BOOL "," \
    "\"method\":" T_STR ",\"predicate\":" T_STR "}," \
    "\"required\":[\"name\",\"columns\",\"unique\",\"primary\",\"method\"]}"
#define FK_ITEM \
    "{\"type\":\"object\",\"properties\":{\"columns\":" T_NAMES "," \
    "\"table\":" T_STR ",\"table_columns\":" T_NAMES "," \
    "\"constraint\":" T_STR "},\"required\":[\"columns\",\"table\"," \
    "\"table_columns\",\"constraint\"]}"
#define LIST_SCHEMA(key, item) \
    "{\"type\":\"object\",\"properties\":{" \
    "\"schema\":{\"type\":\"string\"}," \
    "\"" key "\":{\"type\":\"array\",\"items\":" item "}," \
    "\"truncated\":{\"type\":\"boolean\"}}," \
    "\"required\":[\"" key "\",\"truncated\"]}"

static const struct tool {
	const char	*name;
	const char	*title;
	const char	*description;
	const char	*input;		/* JSON Schema */
	const char	*output;	/* JSON Schema */
	const char *const *args;
	tool_prep	 prep;
} tools[] = {
	{ "query", "Run a read-only SQL query",
	  "Run one read-only SQL statement (SELECT, WITH, VALUES or TABLE) "
	  "against the fleet database and return the rows. Readable schemas: "
	  "see list_schemas. The statement runs in a read-only transaction "
	  "that is rolled back, with a statement timeout; writes, DDL, "
	  "several statements and session-changing functions are refused. "
	  "Results are compact: columns (name, PostgreSQL type) once, then "
	  "rows as arrays. At most max_rows rows are returned (default 1000) "
	  "and the output is cut at a size budget; truncated=true says so. "
	  "Aggregate in SQL and select only the columns you need. Do not add "
	  "a LIMIT just for the row cap: max_rows does that.",
	  "{\"type\":\"object\",\"properties\":{"
	  "\"sql\":{\"type\":\"string\",\"description\":"
	  "\"One SELECT/WITH/VALUES/TABLE statement.\"},"
	  "\"max_rows\":{\"type\":\"integer\",\"minimum\":1,\"default\":1000,"
	  "\"description\":\"Rows to return at most.\"}},"
	  "\"required\":[\"sql\"],\"additionalProperties\":false}",
	  ROWSET_SCHEMA,
	  (const char *const[]){ "sql", "max_rows", NULL }, rowset_query },
	{ "list_schemas", "List readable schemas",
	  "List the schemas this server can read, with their comments and "
	  "how many tables, views, materialized views and functions each "
	  "has, and the database's time zone, current time and server "
	  "version. Start here.",
	  "{\"type\":\"object\",\"properties\":{},"
	  "\"additionalProperties\":false}",
	  "{\"type\":\"object\",\"properties\":{"
	  "\"time_zone\":" T_STR ",\"now\":" T_TIME ","
	  "\"server_version\":" T_STR ","
	  "\"schemas\":{\"type\":\"array\",\"items\":" SCHEMA_ITEM "},"
	  "\"truncated\":" T_BOOL "},"
	  "\"required\":[\"time_zone\",\"now\",\"server_version\",\"schemas\","
	  "\"truncated\"]}",
	  (const char *const[]){ NULL }, catalog_schemas },
	{ "list_tables", "List tables and views",
	  "List the tables, views, materialized views and foreign tables of "
	  "one readable schema, with comments and estimated row counts (a "
	  "partitioned table or hypertable counts its children's rows).",
	  "{\"type\":\"object\",\"properties\":{" SCHEMA_ARG "},"
	  "\"required\":[\"schema\"],\"additionalProperties\":false}",
	  LIST_SCHEMA("tables", TABLE_ITEM),
	  (const char *const[]){ "schema", NULL }, catalog_tables },
	{ "describe_table", "Describe a table or view",
	  "Describe one table, view or materialized view: its kind, comment, "
	  "estimated rows, primary key, indexes, foreign keys in both "
	  "directions, a view's definition, and each column's type, "
	  "nullability, default and comment. Once the table has been "
	  "analysed each column also has estimates from the planner's "
	  "statistics (as of analyzed_at, no table scan): null_fraction, "
	  "distinct_estimate, up to 5 common_values with their frequencies, "
	  "and for numbers, dates, times and intervals range_estimate "
	  "(low, high): e.g. where a timestamp column's data ends.",
	  "{\"type\":\"object\",\"properties\":{" SCHEMA_ARG "," TABLE_ARG "},"
	  "\"required\":[\"schema\",\"table\"],\"additionalProperties\":false}",
	  "{\"type\":\"object\",\"properties\":{"
	  "\"schema\":" T_STR ",\"table\":" T_STR ",\"kind\":" T_KIND ","
	  "\"comment\":" T_STR_NULL ",\"estimated_rows\":" T_ROWS ","
	  "\"hypertable\":" T_HYPERTABLE ","
	  "\"analyzed_at\":{\"anyOf\":[" T_TIME "," T_NULL "]},"
	  "\"primary_key\":" T_NAMES ","
	  "\"columns\":{\"type\":\"array\",\"items\":" COLUMN_ITEM "},"
	  "\"indexes\":{\"type\":\"array\",\"items\":" INDEX_ITEM "},"
	  "\"references\":{\"type\":\"array\",\"items\":" FK_ITEM "},"
	  "\"referenced_by\":{\"type\":\"array\",\"items\":" FK_ITEM "},"
	  "\"definition\":" T_STR ","
	  "\"truncated\":" T_BOOL "},"
	  "\"required\":[\"schema\",\"table\",\"kind\",\"comment\","
	  "\"estimated_rows\",\"analyzed_at\",\"primary_key\",\"columns\","
	  "\"indexes\",\"references\",\"referenced_by\",\"truncated\"]}",
	  (const char *const[]){ "schema", "table", NULL }, describe_table },
	{ "list_functions", "List functions",
	  "List the functions of a readable schema (default: reporting) with "
	  "their arguments, return types, volatility and comments. Call them "
	  "from the query tool, e.g. SELECT * FROM reporting.fn_x(...).",
	  "{\"type\":\"object\",\"properties\":{"
	  "\"schema\":{\"type\":\"string\",\"default\":\"reporting\","
	  "\"description\":\"One of the readable schemas.\"}},"
	  "\"additionalProperties\":false}",
	  LIST_SCHEMA("functions", FUNCTION_ITEM),
	  (const char *const[]){ "schema", NULL }, catalog_functions },
	{ "sample_table", "Sample rows of a table",
	  "Return the first n rows (default 20) of a table or view, to see "
	  "what its data looks like. Same result shape as query.",
	  "{\"type\":\"object\",\"properties\":{" SCHEMA_ARG "," TABLE_ARG ","
	  "\"n\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":"
	  STR(SAMPLE_MAX) ",\"default\":" STR(SAMPLE_DEFAULT) "}},"
	  "\"required\":[\"schema\",\"table\"],\"additionalProperties\":false}",
	  ROWSET_SCHEMA,
	  (const char *const[]){ "schema", "table", "n", NULL }, rowset_sample },
	{ "explain", "Explain a query's plan",
	  "Show PostgreSQL's plan for one read-only query (the same SQL the "
	  "query tool takes), to see why it is slow before running it. "
	  "Plain EXPLAIN does not run the query; analyze=true runs it, "
	  "read-only and rolled back, under the statement timeout, and "
	  "shows actual times and rows.",
	  "{\"type\":\"object\",\"properties\":{"
	  "\"sql\":{\"type\":\"string\",\"description\":"
	  "\"One SELECT/WITH/VALUES/TABLE statement.\"},"
	  "\"analyze\":{\"type\":\"boolean\",\"default\":false,"
	  "\"description\":\"Run the query to show actual times.\"}},"
	  "\"required\":[\"sql\"],\"additionalProperties\":false}",
	  "{\"type\":\"object\",\"properties\":{"
	  "\"analyzed\":{\"type\":\"boolean\"},"
	  "\"plan\":{\"type\":\"string\"},"
	  "\"truncated\":{\"type\":\"boolean\"},"
	  "\"note\":{\"type\":\"string\"}},"
	  "\"required\":[\"analyzed\",\"plan\",\"truncated\"]}",
	  (const char *const[]){ "sql", "analyze", NULL }, explain_plan },
};

#define NTOOLS	(sizeof(tools) / sizeof(tools[0]))

/*
 * The annotations of every tool: it only reads, changes nothing, gives
 * the same answer for the same data and reaches nothing outside the
 * database.  The title is here too: 2025-03-26 has no other.
 */
static void
tools_hints(struct jw *w, const char *title)
{
	jw_key(w, "annotations");
	jw_obj_open(w);
	jw_kstr(w, "title", title);
	jw_kbool(w, "readOnlyHint", true);
	jw_kbool(w, "destructiveHint", false);
	jw_kbool(w, "idempotentHint", true);
	jw_kbool(w, "openWorldHint", false);
	jw_obj_close(w);
}

void
tools_list(struct jw *w, enum proto proto)
{
	size_t	 i;

	jw_obj_open(w);
	jw_key(w, "tools");
	jw_arr_open(w);
	for (i = 0; i < NTOOLS; i++) {
		jw_obj_open(w);
		jw_kstr(w, "name", tools[i].name);
		if (proto >= PROTO_2025_06_18)
			jw_kstr(w, "title", tools[i].title);
		jw_kstr(w, "description", tools[i].description);
		jw_key(w, "inputSchema");
		jw_raw(w, tools[i].input, strlen(tools[i].input));
		if (proto >= PROTO_2025_06_18) {
			jw_key(w, "outputSchema");
			jw_raw(w, tools[i].output, strlen(tools[i].output));
		}
		if (proto >= PROTO_2025_03_26)
			tools_hints(w, tools[i].title);
		jw_obj_close(w);
	}
	jw_arr_close(w);
	jw_obj_close(w);
}

/*
 * The progressToken of params._meta, kept raw (a string with its quotes,
 * or an integer) for the notifications; anything else means none.
 */
static void
tools_progress_token(struct job *job)
{
	const struct json_doc	*doc = &job->req->doc;
	const char		*raw;
	size_t			 len;
	int			 t;

	t = json_member(doc, json_member(doc, job->req->params, "_meta"),
	    "progressToken");
	if (json_type(doc, t) == JSON_STRING) {
		raw = json_raw(doc, t, &len);
		job->progress = raw - 1;
		job->progresslen = len + 2;
	} else if (json_type(doc, t) == JSON_NUMBER) {
		job->progress = json_raw(doc, t, &job->progresslen);
	}
}

int
tools_call(struct rpc_req *req, const struct config *cfg, struct job **jobp,
    struct error *err)
{
	const struct tool *t = NULL;
	struct job	*job;
	struct args	 a;
	int		 name;
	size_t		 i;

	*jobp = NULL;
	name = json_member(&req->doc, req->params, "name");
	for (i = 0; i < NTOOLS && t == NULL; i++)
		if (json_streq(&req->doc, name, tools[i].name))
			t = &tools[i];
	if (t == NULL) {
		const char	*names[NTOOLS + 1];
		char		 list[256];

		for (i = 0; i < NTOOLS; i++)
			names[i] = tools[i].name;
		names[NTOOLS] = NULL;
		arg_name_list(list, sizeof(list), names);
		return err_set(err, RPC_INVALID_PARAMS, "unknown tool; the "
		    "tools are: %s", list);
	}
	if ((job = job_new(req, t->name, cfg)) == NULL)
		return err_set(err, RPC_INTERNAL_ERROR, "out of memory");
	*jobp = job;
	tools_progress_token(job);

	a.req = req;
	a.obj = json_member(&req->doc, req->params, "arguments");
	if (a.obj != -1 && json_type(&req->doc, a.obj) != JSON_OBJECT) {
		err_set(&job->err, 0, "\"arguments\" must be an object");
		job->failed = true;
		return 1;
	}
	if (arg_known(&a, t->name, t->args, &job->err) == -1 ||
	    t->prep(job, &a, cfg, &job->err) == -1) {
		job->failed = true;
		return 1;
	}
	return 0;
}
