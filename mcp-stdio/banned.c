/*
 * What the SQL guard refuses by name: the functions whose effect outlives
 * the transaction, that act on the server or on other sessions, that touch
 * server files or large objects, or that run SQL text of their own.  An
 * entry matches a name exactly, by its start, or by its start only right
 * before '(', and carries the reason the user is told.  No keyword is
 * listed: which command words the guard refuses, and where, follows from
 * the grammar (the comment at the top of guard.c), as do where guard.c
 * looks names up, how it folds them, and the decisions behind the entries.
 * Tables and lookups only: no I/O, no allocation.
 */
#include <stdbool.h>
#include <string.h>

#include "extern.h"

#define WHY_OUTLIVE	"its effect would outlive the read-only transaction"
#define WHY_LOCKS	"it can fill the lock table that all sessions share"
#define WHY_SERVER	"it acts on the server or on other sessions"
#define WHY_FILE	"it reads or writes files on the database server"
#define WHY_LO		"it reads or writes large objects or server files"
#define WHY_SQL		"it runs SQL text that the guard cannot check"
#define WHY_SETTING	"it changes session settings"

enum fn_match {
	FN_EXACT,	/* the name itself */
	FN_PREFIX,	/* every name starting with it */
	FN_CALL_PREFIX	/* the same, but only right before '(' */
};

struct banned_fn {
	const char	*name;		/* lower case */
	enum fn_match	 match;
	const char	*why;		/* ends "... is not allowed: " */
};

/* The first entry that matches gives the message. */
static const struct banned_fn banned_fn[] = {
	{ "set_config", FN_EXACT, WHY_SETTING },
	/* Session-level advisory locks outlive the rollback ... */
	{ "pg_advisory_lock", FN_EXACT, WHY_OUTLIVE },
	{ "pg_advisory_lock_shared", FN_EXACT, WHY_OUTLIVE },
	{ "pg_try_advisory_lock", FN_EXACT, WHY_OUTLIVE },
	{ "pg_try_advisory_lock_shared", FN_EXACT, WHY_OUTLIVE },
	{ "pg_advisory_unlock", FN_PREFIX, WHY_OUTLIVE },
	/* ... and a million transaction-level ones exhaust shared memory. */
	{ "pg_advisory_", FN_PREFIX, WHY_LOCKS },
	{ "pg_try_advisory_", FN_PREFIX, WHY_LOCKS },
	/* Sequences are not transactional. */
	{ "nextval", FN_EXACT, WHY_OUTLIVE },
	{ "setval", FN_EXACT, WHY_OUTLIVE },
	/* Replication, WAL and statistics state. */
	{ "pg_create_", FN_PREFIX, WHY_OUTLIVE },
	{ "pg_copy_physical_replication_slot", FN_EXACT, WHY_OUTLIVE },
	{ "pg_copy_logical_replication_slot", FN_EXACT, WHY_OUTLIVE },
	{ "pg_drop_replication_slot", FN_EXACT, WHY_OUTLIVE },
	{ "pg_replication_slot_advance", FN_EXACT, WHY_OUTLIVE },
	{ "pg_replication_origin_", FN_PREFIX, WHY_OUTLIVE },
	{ "pg_logical_slot_get_", FN_PREFIX, WHY_OUTLIVE },
	{ "pg_logical_emit_message", FN_EXACT, WHY_OUTLIVE },
	{ "pg_import_system_collations", FN_EXACT, WHY_OUTLIVE },
	{ "pg_stat_reset", FN_PREFIX, WHY_OUTLIVE },
	{ "pg_stat_statements_reset", FN_EXACT, WHY_OUTLIVE },
	/* Other sessions and the server itself. */
	{ "pg_terminate_backend", FN_EXACT, WHY_SERVER },
	{ "pg_cancel_backend", FN_EXACT, WHY_SERVER },
	{ "pg_reload_conf", FN_EXACT, WHY_SERVER },
	{ "pg_rotate_logfile", FN_PREFIX, WHY_SERVER },
	{ "pg_switch_wal", FN_EXACT, WHY_SERVER },
	{ "pg_switch_xlog", FN_EXACT, WHY_SERVER },
	{ "pg_promote", FN_EXACT, WHY_SERVER },
	{ "pg_wal_replay_", FN_PREFIX, WHY_SERVER },
	{ "pg_backup_start", FN_EXACT, WHY_SERVER },
	{ "pg_backup_stop", FN_EXACT, WHY_SERVER },
	{ "pg_start_backup", FN_EXACT, WHY_SERVER },
	{ "pg_stop_backup", FN_EXACT, WHY_SERVER },
	{ "pg_log_backend_memory_contexts", FN_EXACT, WHY_SERVER },
	{ "pg_notify", FN_EXACT, WHY_SERVER },
	{ "pg_export_snapshot", FN_EXACT, WHY_SERVER },
	{ "pg_prewarm", FN_EXACT, WHY_SERVER },	/* fills shared buffers */
	{ "postgres_fdw_disconnect", FN_PREFIX, WHY_SERVER },
	/* Server files, adminpack included. */
	{ "pg_read_file", FN_EXACT, WHY_FILE },
	{ "pg_read_binary_file", FN_EXACT, WHY_FILE },
	{ "pg_stat_file", FN_EXACT, WHY_FILE },
	{ "pg_current_logfile", FN_EXACT, WHY_FILE },
	{ "pg_ls_", FN_PREFIX, WHY_FILE },
	{ "pg_file_", FN_PREFIX, WHY_FILE },
	{ "pg_logdir_ls", FN_EXACT, WHY_FILE },
	/* Large objects: each by name, and any lo_ name that is called. */
	{ "lo_import", FN_EXACT, WHY_LO },
	{ "lo_export", FN_EXACT, WHY_LO },
	{ "lo_open", FN_EXACT, WHY_LO },
	{ "lo_close", FN_EXACT, WHY_LO },
	{ "lo_creat", FN_EXACT, WHY_LO },
	{ "lo_create", FN_EXACT, WHY_LO },
	{ "lo_unlink", FN_EXACT, WHY_LO },
	{ "lo_get", FN_EXACT, WHY_LO },
	{ "lo_put", FN_EXACT, WHY_LO },
	{ "lo_from_bytea", FN_EXACT, WHY_LO },
	{ "lo_lseek", FN_EXACT, WHY_LO },
	{ "lo_lseek64", FN_EXACT, WHY_LO },
	{ "lo_tell", FN_EXACT, WHY_LO },
	{ "lo_tell64", FN_EXACT, WHY_LO },
	{ "lo_truncate", FN_EXACT, WHY_LO },
	{ "lo_truncate64", FN_EXACT, WHY_LO },
	{ "loread", FN_EXACT, WHY_LO },
	{ "lowrite", FN_EXACT, WHY_LO },
	{ "lo_", FN_CALL_PREFIX, WHY_LO },
	/* SQL text the guard never sees. */
	{ "dblink", FN_EXACT, WHY_SQL },
	{ "dblink_", FN_PREFIX, WHY_SQL },
	{ "query_to_xml", FN_PREFIX, WHY_SQL },
	{ "cursor_to_xml", FN_PREFIX, WHY_SQL },
	{ "ts_stat", FN_EXACT, WHY_SQL },
	{ "ts_rewrite", FN_EXACT, WHY_SQL },
	{ "crosstab", FN_PREFIX, WHY_SQL },
	{ "connectby", FN_EXACT, WHY_SQL },
	{ "pg_background_", FN_PREFIX, WHY_SQL }
};

/*
 * The reason of the entry that bans the folded name, or NULL; call: the
 * name is right before '('.
 */
const char *
banned_function(const char *name, bool call)
{
	const struct banned_fn	*f;
	size_t			 i;

	for (i = 0; i < sizeof(banned_fn) / sizeof(banned_fn[0]); i++) {
		f = &banned_fn[i];
		if (f->match == FN_EXACT ? strcmp(name, f->name) == 0 :
		    (f->match == FN_PREFIX || call) &&
		    strncmp(name, f->name, strlen(f->name)) == 0)
			return f->why;
	}
	return NULL;
}
