/*
 * Argument readers shared by the tools and prompts: strings and integers
 * with their limits, the check for unknown names, and the schema and
 * relation arguments checked against the readable schemas.  Each returns
 * 0, or -1 with err holding a sentence for the model (an isError text).
 * Then the checks of a string's form: digits, months YYYY-MM and dates
 * YYYY-MM-DD.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "extern.h"

int
arg_str(struct args *a, const char *name, bool required, size_t maxlen,
    char **out, struct error *err)
{
	int	 t;

	*out = NULL;
	t = json_member(&a->req->doc, a->obj, name);
	if (t == -1) {
		if (required)
			return err_set(err, 0, "missing argument \"%s\"",
			    name);
		return 0;
	}
	if (json_type(&a->req->doc, t) != JSON_STRING ||
	    (*out = json_strdup(&a->req->doc, t)) == NULL)
		return err_set(err, 0, "argument \"%s\" must be a string "
		    "without NUL characters", name);
	if (strlen(*out) > maxlen) {
		free(*out);
		*out = NULL;
		return err_set(err, 0, "argument \"%s\" is longer than %zu "
		    "bytes", name, maxlen);
	}
	return 0;
}

int
arg_int(struct args *a, const char *name, long long def, long long min,
    long long max, long long *out, struct error *err)
{
	int	 t;

	*out = def;
	t = json_member(&a->req->doc, a->obj, name);
	if (t == -1)
		return 0;
	if (json_int(&a->req->doc, t, min, max, out) == -1) {
		if (max == INT64_MAX)
			return err_set(err, 0, "argument \"%s\" must be an "
			    "integer of at least %lld", name, min);
		return err_set(err, 0, "argument \"%s\" must be an integer "
		    "from %lld to %lld", name, min, max);
	}
	return 0;
}

int
arg_bool(struct args *a, const char *name, bool def, bool *out,
    struct error *err)
{
	const char	*raw;
	size_t		 len;
	int		 t;

	*out = def;
	t = json_member(&a->req->doc, a->obj, name);
	if (t == -1)
		return 0;
	if (json_type(&a->req->doc, t) != JSON_BOOL)
		return err_set(err, 0, "argument \"%s\" must be true or false",
		    name);
	raw = json_raw(&a->req->doc, t, &len);
	*out = raw[0] == 't';
	return 0;
}

void
arg_name_list(char *buf, size_t bufsz, const char *const *names)
{
	size_t	 i;

	strlcpy(buf, names[0] == NULL ? "no arguments" : "", bufsz);
	for (i = 0; names[i] != NULL; i++) {
		if (i > 0)
			strlcat(buf, ", ", bufsz);
		strlcat(buf, names[i], bufsz);
	}
}

int
arg_known(struct args *a, const char *tool, const char *const *names,
    struct error *err)
{
	const struct json_doc *doc = &a->req->doc;
	char		 list[256], *key;
	int		 i, k;
	size_t		 j;

	if (a->obj == -1)
		return 0;
	for (i = 0; i < json_size(doc, a->obj); i++) {
		k = json_child(doc, a->obj, i);
		for (j = 0; names[j] != NULL; j++)
			if (json_streq(doc, k, names[j]))
				break;
		if (names[j] != NULL)
			continue;
		arg_name_list(list, sizeof(list), names);
		key = json_strdup(doc, k);
		err_set(err, 0, "unknown argument \"%.64s\"; %s takes: %s",
		    key != NULL ? key : "?", tool, list);
		free(key);
		return -1;
	}
	return 0;
}

bool
arg_schema_readable(const struct config *cfg, const char *schema)
{
	size_t	 i;

	for (i = 0; i < cfg->nschemas; i++)
		if (strcmp(schema, cfg->schemas[i]) == 0)
			return true;
	return false;
}

int
arg_schema_check(const struct config *cfg, const char *schema,
    struct error *err)
{
	size_t	 i;
	char	 list[SCHEMAS_MAX * (NAME_MAX_BYTES + 2)] = "";

	if (arg_schema_readable(cfg, schema))
		return 0;
	for (i = 0; i < cfg->nschemas; i++) {
		if (i > 0)
			strlcat(list, ", ", sizeof(list));
		strlcat(list, cfg->schemas[i], sizeof(list));
	}
	return err_set(err, 0, "schema \"%s\" is not readable here; the "
	    "readable schemas are: %s", schema, list);
}

int
arg_schema(struct args *a, const struct config *cfg, const char *def,
    char **out, struct error *err)
{
	if (arg_str(a, "schema", def == NULL, NAME_MAX_BYTES, out, err) == -1)
		return -1;
	if (*out == NULL && (*out = strdup(def)) == NULL)
		return err_set(err, 0, "out of memory");
	if (arg_schema_check(cfg, *out, err) == 0)
		return 0;
	free(*out);
	*out = NULL;
	return -1;
}

int
arg_relation(struct args *a, const struct config *cfg, char **schema,
    char **table, struct error *err)
{
	*table = NULL;
	if (arg_schema(a, cfg, NULL, schema, err) == -1)
		return -1;
	if (arg_str(a, "table", true, NAME_MAX_BYTES, table, err) == -1) {
		free(*schema);
		*schema = NULL;
		return -1;
	}
	return 0;
}

bool
arg_digits(const char *s, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return true;
}

bool
arg_month_valid(const char *s)
{
	int	 m;

	if (strlen(s) != 7 || !arg_digits(s, 4) || s[4] != '-' ||
	    !arg_digits(s + 5, 2))
		return false;
	m = (s[5] - '0') * 10 + (s[6] - '0');
	return m >= 1 && m <= 12 && strncmp(s, "0000", 4) != 0;
}

bool
arg_date_valid(const char *s)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };
	char	 ym[8];
	int	 y, m, d;

	if (strlen(s) != 10 || s[7] != '-' || !arg_digits(s + 8, 2))
		return false;
	memcpy(ym, s, 7);
	ym[7] = '\0';
	if (!arg_month_valid(ym))
		return false;
	y = ((s[0] - '0') * 10 + (s[1] - '0')) * 100 + (s[2] - '0') * 10 +
	    (s[3] - '0');
	m = (s[5] - '0') * 10 + (s[6] - '0');
	d = (s[8] - '0') * 10 + (s[9] - '0');
	if (d < 1 || d > mdays[m - 1])
		return false;
	return m != 2 || d < 29 ||
	    ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0);
}
