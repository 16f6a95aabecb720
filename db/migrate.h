/*
 * migrate: applies db/migrations/NNN_name.sql files in version order, each
 * once, recording each in schema_migrations.
 *
 * MariaDB commits DDL implicitly, so a migration is not atomic: a failing
 * file stops the run with its name and the server's message, and the
 * versions before it stay applied.
 */
#ifndef MLDASH_MIGRATE_H
#define MLDASH_MIGRATE_H

#include <stddef.h>

#include "db.h"

/* Parses "NNN_name.sql" (three or more digits, then [a-z0-9_]). Returns 0 and
 * the version, or -1 for any other name. Pure. */
int migrate_parse_name(const char *name, int *version);

/* Applies pending migrations of dir. Returns the number applied, or -1 with a
 * message in err. The connection must have DDL rights. */
int migrate_run(struct db *db, const char *dir, char *err, size_t errlen);

/* Highest applied version (0 when none, or no schema_migrations table). */
enum db_status migrate_schema_version(struct db *db, int *version);

/* Number of migration files in dir, or -1 when dir cannot be read. */
int migrate_count_files(const char *dir, int *latest_version);

#endif
