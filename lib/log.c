#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "text.h"

const char *const log_level_names[LOG_LEVEL__MAX] = {
	[LOG_LEVEL_DEBUG] = "debug",
	[LOG_LEVEL_INFO] = "info",
	[LOG_LEVEL_WARN] = "warn",
	[LOG_LEVEL_ERROR] = "error",
};

static const char *log_program = "mldash";
static enum log_level log_threshold = LOG_LEVEL_INFO;
static int log_syslog;
static char log_request[40];
static void (*log_before_line)(void *ctx); /* see log_set_before_line */
static void *log_before_ctx;

/* The log file (log_use_file): its descriptor, name, identity when opened,
 * and the second it was last compared with the name. */
static int log_fd = -1;
static char log_path[1024];
static dev_t log_dev;
static ino_t log_ino;
static time_t log_checked;

void log_set_request(const char *id)
{
	snprintf(log_request, sizeof log_request, "%s", id ? id : "");
}

char *log_escape(const char *text, char *out, size_t outlen)
{
	static const char hex[] = "0123456789abcdef";
	size_t used = 0;
	while (*text) {
		unsigned long code;
		int n = text_utf8_char(text, &code);
		if (n > 0 && !text_is_control(code) && *text != '\\') {
			if (used + (size_t)n >= outlen)
				break; /* whole characters only */
			memcpy(out + used, text, (size_t)n);
			used += (size_t)n;
			text += n;
			continue;
		}
		/* A control character, a backslash or a byte of malformed UTF-8:
		 * written as \xNN, byte by byte. */
		if (n == 0)
			n = 1;
		if (used + 4 * (size_t)n >= outlen)
			break;
		for (int i = 0; i < n; i++, text++) {
			unsigned char byte = (unsigned char)*text;
			out[used++] = '\\';
			out[used++] = 'x';
			out[used++] = hex[byte >> 4];
			out[used++] = hex[byte & 15];
		}
	}
	out[used] = '\0';
	return out;
}

void log_use_syslog(void)
{
	openlog(log_program, LOG_PID, LOG_DAEMON);
	log_syslog = 1;
}

static int open_log_file(const char *path, char *err, size_t errlen)
{
	/* 0640: a log may name files and addresses that are not for everyone. */
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0640);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) != 0) {
		snprintf(err, errlen, "log.file: %s: cannot open: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (log_fd >= 0)
		close(log_fd);
	log_fd = fd;
	log_dev = st.st_dev;
	log_ino = st.st_ino;
	return 0;
}

int log_use_file(const char *path, char *err, size_t errlen)
{
	if (path[0] == '\0') {
		if (log_fd >= 0)
			close(log_fd);
		log_fd = -1;
		log_path[0] = '\0';
		return 0;
	}
	if (path[0] != '/') { /* reopened by name after a chdir */
		snprintf(err, errlen, "log.file: %s: must be an absolute path", path);
		return -1;
	}
	if (strlen(path) >= sizeof log_path) {
		snprintf(err, errlen, "log.file: %s: path too long", path);
		return -1;
	}
	if (open_log_file(path, err, errlen) != 0)
		return -1;
	snprintf(log_path, sizeof log_path, "%s", path);
	log_syslog = 0;
	log_checked = time(NULL);
	return 0;
}

/* At most once a second: a file no longer at its name was rotated away;
 * the next lines go to a new one by that name. */
static void follow_rotation(void)
{
	time_t now = time(NULL);
	if (now == log_checked)
		return;
	log_checked = now;
	struct stat st;
	if (stat(log_path, &st) == 0 && st.st_dev == log_dev && st.st_ino == log_ino)
		return;
	char err[64];
	(void)open_log_file(log_path, err, sizeof err); /* on failure, the old file */
}

void log_init(const char *program, enum log_level threshold)
{
	log_program = program;
	log_threshold = threshold;
}

void log_set_threshold(enum log_level threshold)
{
	log_threshold = threshold;
}

int log_level_parse(const char *text, enum log_level *out)
{
	for (int i = 0; i < LOG_LEVEL__MAX; i++) {
		if (strcasecmp(text, log_level_names[i]) == 0) {
			*out = (enum log_level)i;
			return 0;
		}
	}
	return -1;
}

/* The whole line is formatted first and written with one call, so lines of
 * several processes sharing one log file never interleave. */
void log_msg(enum log_level level, const char *fmt, ...)
{
	if (level < log_threshold)
		return;
	char text[2048], safe[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	log_escape(text, safe, sizeof safe);

	char tag[48] = "";
	if (log_request[0] != '\0')
		snprintf(tag, sizeof tag, " req=%s", log_request);
	if (log_syslog && log_fd < 0) { /* a log file wins */
		static const int priority[LOG_LEVEL__MAX] = { LOG_DEBUG, LOG_INFO, LOG_WARNING, LOG_ERR };
		syslog(priority[level], "%s%s%s", tag + (tag[0] != '\0'), tag[0] ? ": " : "", safe);
		return;
	}

	struct timespec now;
	struct tm utc;
	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &utc);
	char line[2200];
	int len = snprintf(line, sizeof line, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ %s %s[%ld]%s: %s\n",
			   utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min,
			   utc.tm_sec, now.tv_nsec / 1000000L, log_level_names[level], log_program,
			   (long)getpid(), tag, safe);
	if (len < 0)
		return;
	if ((size_t)len >= sizeof line) { /* cut: keep the line ending */
		len = (int)sizeof line - 1;
		line[len - 1] = '\n';
	}
	if (log_fd >= 0) {
		follow_rotation();
		/* One write with O_APPEND: whole lines, whoever else appends. */
		if (write(log_fd, line, (size_t)len) == (ssize_t)len && level < LOG_LEVEL_ERROR)
			return;
	}
	if (log_before_line != NULL)
		log_before_line(log_before_ctx);
	fwrite(line, 1, (size_t)len, stderr);
	fflush(stderr);
}

void log_set_before_line(void (*before)(void *ctx), void *ctx)
{
	log_before_line = before;
	log_before_ctx = ctx;
}
