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

#define ANNOTATIONS	"{\"readOnlyHint\":true,\"openWorldHint\":false}"
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
    "\"notices\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}}}," \
    "\"required\":[\"columns\",\"rows\",\"row_count\",\"truncated\"," \
    "\"elapsed_ms\"]}"
#define SCHEMA_ARG \
    "\"schema\":{\"type\":\"string\",\"description\":" \
    "\"One of the readable schemas (see list_schemas).\"}"
#define TABLE_ARG \
    "\"table\":{\"type\":\"string\",\"description\":" \
    "\"Table or view name, unquoted, as list_tables shows it.\"}"
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
	  "has. Start here.",
	  "{\"type\":\"object\",\"properties\":{},"
	  "\"additionalProperties\":false}",
	  LIST_SCHEMA("schemas", "{\"type\":\"object\"}"),
	  (const char *const[]){ NULL }, catalog_schemas },
	{ "list_tables", "List tables and views",
	  "List the tables, views, materialized views and foreign tables of "
	  "one readable schema, with comments and estimated row counts.",
	  "{\"type\":\"object\",\"properties\":{" SCHEMA_ARG "},"
	  "\"required\":[\"schema\"],\"additionalProperties\":false}",
	  LIST_SCHEMA("tables", "{\"type\":\"object\"}"),
	  (const char *const[]){ "schema", NULL }, catalog_tables },
	{ "describe_table", "Describe a table or view",
	  "Describe one table, view or materialized view: its kind, comment, "
	  "estimated rows, primary key, and each column's type, nullability, "
	  "default and comment.",
	  "{\"type\":\"object\",\"properties\":{" SCHEMA_ARG "," TABLE_ARG "},"
	  "\"required\":[\"schema\",\"table\"],\"additionalProperties\":false}",
	  "{\"type\":\"object\",\"properties\":{"
	  "\"schema\":{\"type\":\"string\"},\"table\":{\"type\":\"string\"},"
	  "\"kind\":{\"type\":\"string\"},"
	  "\"comment\":{\"type\":[\"string\",\"null\"]},"
	  "\"estimated_rows\":{\"type\":[\"integer\",\"null\"]},"
	  "\"primary_key\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}},"
	  "\"columns\":{\"type\":\"array\",\"items\":{\"type\":\"object\"}},"
	  "\"truncated\":{\"type\":\"boolean\"}},"
	  "\"required\":[\"schema\",\"table\",\"kind\",\"columns\","
	  "\"truncated\"]}",
	  (const char *const[]){ "schema", "table", NULL }, catalog_describe },
	{ "list_functions", "List functions",
	  "List the functions of a readable schema (default: reporting) with "
	  "their arguments, return types, volatility and comments. Call them "
	  "from the query tool, e.g. SELECT * FROM reporting.fn_x(...).",
	  "{\"type\":\"object\",\"properties\":{"
	  "\"schema\":{\"type\":\"string\",\"default\":\"reporting\","
	  "\"description\":\"One of the readable schemas.\"}},"
	  "\"additionalProperties\":false}",
	  LIST_SCHEMA("functions", "{\"type\":\"object\"}"),
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
};

#define NTOOLS	(sizeof(tools) / sizeof(tools[0]))

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
		if (proto >= PROTO_2025_03_26) {
			jw_key(w, "annotations");
			jw_raw(w, ANNOTATIONS, strlen(ANNOTATIONS));
		}
		jw_obj_close(w);
	}
	jw_arr_close(w);
	jw_obj_close(w);
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
