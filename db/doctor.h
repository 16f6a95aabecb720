/*
 * doctor: what `mldash doctor` asks the database: the account's grants,
 * the server's data folder and the start of each job's newest run.
 * The connection is the caller's (db_connect first).
 */
#ifndef MLDASH_DB_DOCTOR_H
#define MLDASH_DB_DOCTOR_H

#include <stddef.h>
#include <time.h>

#include "db.h"

/* Calls row once per line of SHOW GRANTS FOR CURRENT_USER (one DB_TEXT
 * column, valid during the call only). */
enum db_status doctor_show_grants(struct db *db, db_row_fn *row, void *ctx);

/* Copies @@datadir into buf ("" when the server gives none); truncated
 * to len - 1 bytes. */
enum db_status doctor_datadir(struct db *db, char *buf, size_t len);

/* The start of the job's newest run in any status (Unix time), or
 * (time_t)-1 when the job never ran. */
enum db_status doctor_last_run(struct db *db, const char *job, time_t *started);

#endif
