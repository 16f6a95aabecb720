#include "spool.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "importer.h"
#include "log.h"

/* Names a sync leaves alone: hidden files and uploads still being written. */
static int ignored(const char *name)
{
	size_t len = strlen(name);
	return name[0] == '.' || (len > 5 && strcmp(name + len - 5, ".part") == 0) ||
	       (len > 4 && strcmp(name + len - 4, ".tmp") == 0);
}

static int ensure_dir(const char *path, char *err, size_t errlen)
{
	if (mkdir(path, 0750) == 0 || errno == EEXIST)
		return 0;
	snprintf(err, errlen, "%s: cannot create: %s", path, strerror(errno));
	return -1;
}

/* Chooses a free path for name in dir/sub/, adding ".1", ".2"... when the
 * name is taken. Returns 0, or -1 with errno. */
static int free_target(const char *dir, const char *sub, const char *name, char *target, size_t len)
{
	for (int n = 0; n < 1000; n++) {
		if (n == 0)
			snprintf(target, len, "%s/%s/%s", dir, sub, name);
		else
			snprintf(target, len, "%s/%s/%s.%d", dir, sub, name, n);
		struct stat st;
		if (lstat(target, &st) != 0)
			return 0;
	}
	errno = EEXIST;
	return -1;
}

/* Writes the report as <target>.json, whole or not at all (a temporary file
 * renamed into place). Returns 0, or -1 with the reason logged. */
static int write_report(const char *target, const struct import_report *report)
{
	char path[4300], tmp[4310];
	snprintf(path, sizeof path, "%s.json", target);
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	struct json_object *o = import_report_json(report);
	if (report->log != NULL)
		json_object_object_add(o, "rejections", json_object_new_string(report->log));
	int rc = json_object_to_file_ext(tmp, o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE);
	json_object_put(o);
	if (rc != 0 || rename(tmp, path) != 0) {
		log_error("spool: cannot write %s: %s", path, rc != 0 ? json_util_get_last_err() : strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

/* Files dir/name away after its import: into rejected/ or done/, with its
 * report beside it when it needs one. The report is written first, so a
 * file is never filed without it (on a full disk the file stays in the
 * spool for the next sync). Returns 0, or -1 with the reason logged. */
static int file_away(const char *dir, const char *name, const struct import_report *report)
{
	const char *sub = report->status == IMPORT_REJECTED ? "rejected" : "done";
	int needs_report = report->status == IMPORT_REJECTED || report->status == IMPORT_PARTIAL;
	char from[4096], target[4200];
	snprintf(from, sizeof from, "%s/%s", dir, name);
	if (free_target(dir, sub, name, target, sizeof target) != 0) {
		log_error("spool: cannot file %s away into %s/: %s", from, sub, strerror(errno));
		return -1;
	}
	if (needs_report && write_report(target, report) != 0) {
		log_error("spool: %s stays in the spool until its report can be written", from);
		return -1;
	}
	if (rename(from, target) != 0) {
		log_error("spool: cannot move %s to %s: %s", from, target, strerror(errno));
		return -1;
	}
	return 0;
}

static void count(struct spool_result *out, const struct import_report *r)
{
	switch (r->status) {
	case IMPORT_IMPORTED:
	case IMPORT_PARTIAL:
		out->imported++;
		out->rows_in += r->rows_ok;
		break;
	case IMPORT_DUPLICATE: out->duplicate++; break;
	case IMPORT_EMPTY: out->empty++; break;
	case IMPORT_REJECTED: out->rejected++; break;
	case IMPORT_FAILED:
	case IMPORT_STATUS__MAX:
		out->failed++;
		if (out->first_failure[0] == '\0')
			snprintf(out->first_failure, sizeof out->first_failure, "%.200s: %.300s", r->name,
				 r->message);
		break;
	}
}

/* Claims, imports and files away one spool entry. */
static void sync_one(struct db *db, const char *dir, const char *name,
		     const struct progress_sink *progress, struct spool_result *out)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	/* Only regular files are imported. Opening a FIFO blocks until a writer
	 * comes (a spool folder is writable by others: the scheduler hung there,
	 * deaf to SIGTERM), so look first, and open without blocking all the same
	 * in case the entry is swapped between the look and the open. */
	struct stat opened, now;
	if (lstat(path, &now) != 0)
		return; /* moved away by another sync meanwhile */
	if (!S_ISREG(now.st_mode)) {
		if (!S_ISDIR(now.st_mode)) /* done/, rejected/ and the like are expected */
			log_warn("spool: %s is not a regular file; left alone", path);
		return;
	}
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return;
	if (fstat(fd, &opened) != 0 || !S_ISREG(opened.st_mode)) {
		close(fd);
		return;
	}
	out->files++;
	/* The lock is released when fd closes, also when this process dies. */
	if (flock(fd, LOCK_EX | LOCK_NB) != 0 || stat(path, &now) != 0 ||
	    now.st_ino != opened.st_ino || now.st_dev != opened.st_dev) {
		out->busy++;
		close(fd);
		return;
	}
	FILE *f = fdopen(fd, "rb");
	if (f == NULL) {
		close(fd);
		return;
	}
	struct import_report report;
	import_fp(db, name, f, progress, &report);
	count(out, &report);

	if (report.status != IMPORT_FAILED && file_away(dir, name, &report) != 0) {
		out->unfiled++;
		if (out->first_failure[0] == '\0')
			snprintf(out->first_failure, sizeof out->first_failure,
				 "%.200s: cannot be filed away with its report (see the log)", name);
	}
	log_info("spool: %s: %s, %lu rows in, %lu rejected%s%s", name,
		 import_status_names[report.status], report.rows_ok, report.rows_rejected,
		 report.message[0] ? ": " : "", report.message);
	import_report_free(&report);
	fclose(f);
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

int spool_sync(struct db *db, const char *dir, spool_stop_fn *stop,
	       const struct progress_sink *progress, struct spool_result *out, char *err,
	       size_t errlen)
{
	memset(out, 0, sizeof *out);
	char sub[4096];
	if (ensure_dir(dir, err, errlen) != 0)
		return -1;
	snprintf(sub, sizeof sub, "%s/done", dir);
	if (ensure_dir(sub, err, errlen) != 0)
		return -1;
	snprintf(sub, sizeof sub, "%s/rejected", dir);
	if (ensure_dir(sub, err, errlen) != 0)
		return -1;

	struct dirent **entries;
	int n = scandir(dir, &entries, NULL, by_name);
	if (n < 0) {
		snprintf(err, errlen, "%s: cannot list: %s", dir, strerror(errno));
		return -1;
	}
	for (int i = 0; i < n; i++) {
		if (!ignored(entries[i]->d_name)) {
			if (stop != NULL && stop())
				out->left++;
			else
				sync_one(db, dir, entries[i]->d_name, progress, out);
		}
		free(entries[i]);
	}
	free(entries);
	return 0;
}
