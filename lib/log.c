#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
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
	if (log_syslog) {
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
