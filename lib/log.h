/*
 * log: one line per event on stderr, "2026-01-31T12:00:00.123Z LEVEL prog[pid]: text",
 * or "... prog[pid] req=ID: text" while a request id is set.
 *
 * Control characters in the text (a newline in an uploaded file's name, an
 * escape sequence) are written as \xNN, so no caller can forge or hide a
 * line, whatever it logs.
 *
 * Not thread-safe by design: every mldash program is single-threaded.
 */
#ifndef MLDASH_LOG_H
#define MLDASH_LOG_H

#include <stddef.h>

enum log_level {
	LOG_LEVEL_DEBUG,
	LOG_LEVEL_INFO,
	LOG_LEVEL_WARN,
	LOG_LEVEL_ERROR,
	LOG_LEVEL__MAX
};

extern const char *const log_level_names[LOG_LEVEL__MAX];

/* Sets the program name shown on each line (the pointer is kept) and the threshold. */
void log_init(const char *program, enum log_level threshold);
void log_set_threshold(enum log_level threshold);

/* Sends lines to syslog (daemon facility) instead of stderr from now on. */
void log_use_syslog(void);

/*
 * Appends lines to the file at path (created mode 0640 & ~umask) instead of
 * stderr or syslog; error lines still go to stderr too, so that the journal
 * and `systemctl status` show failures. A file renamed or removed under it
 * (rotated) is reopened by name at the first line of a new second, so
 * logrotate needs no signal. "" goes back to stderr. Returns 0, or -1 with
 * a message naming the file (the previous destination is kept).
 */
int log_use_file(const char *path, char *err, size_t errlen);
/* Calls before(ctx) before each line written to stderr (NULL: none), so
 * that a status line drawn there (cli/tty_progress) can be cleared first
 * and no log line starts in the middle of it. */
void log_set_before_line(void (*before)(void *ctx), void *ctx);

/* Tags the following lines with a request id (copied; NULL or "" clears). */
void log_set_request(const char *id);

/* Copies text into out (outlen > 0) with control and invisible format
 * characters, backslashes and bytes of malformed UTF-8 escaped as \xNN,
 * cut at a character boundary to fit. Returns out. */
char *log_escape(const char *text, char *out, size_t outlen);

/* Parses "debug", "info", "warn" or "error"; returns 0, or -1 when unknown. */
int log_level_parse(const char *text, enum log_level *out);

void log_msg(enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define log_debug(...) log_msg(LOG_LEVEL_DEBUG, __VA_ARGS__)
#define log_info(...) log_msg(LOG_LEVEL_INFO, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_LEVEL_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_LEVEL_ERROR, __VA_ARGS__)

#endif
