#include "calendar.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "log.h"
#include "textfile.h"

#define CALENDAR_FILE_MAX (1 << 20) /* a calendar is a few hundred lines */

int calendar_apply_file(struct event_calendar *cal, const char *path, int must_exist, char *err,
			size_t errlen)
{
	size_t len;
	int missing;
	char *text = textfile_read(path, CALENDAR_FILE_MAX, &len, &missing, err, errlen);
	if (text == NULL)
		return missing && !must_exist ? 1 : -1;
	int rc = event_calendar_apply_text(cal, text, len, path, err, errlen);
	free(text);
	return rc;
}

int calendar_load(const struct mldash_config *cfg, struct event_calendar **out, char *err,
		  size_t errlen)
{
	*out = NULL;
	struct event_calendar *cal = event_calendar_new();
	if (cal == NULL) {
		snprintf(err, errlen, "events: out of memory");
		return -1;
	}
	const char *dir = cfg->events.dir;
	/* The scheduler runs from /, the CLI from anywhere: a relative folder
	 * would be a different one for each. */
	if (*dir != '\0' && *dir != '/') {
		snprintf(err, errlen, "[events] dir %s: not an absolute path", dir);
		event_calendar_free(cal);
		return -1;
	}
	if (*dir != '\0') {
		struct stat st;
		int found = stat(dir, &st) == 0;
		if (!found || !S_ISDIR(st.st_mode)) {
			snprintf(err, errlen, "[events] dir %s: %s", dir,
				 found ? "not a folder" : strerror(errno));
			event_calendar_free(cal);
			return -1;
		}
		const struct { const char *prefix, *value; } files[] = {
			{ "default", "" },
			{ "country-", cfg->events.country },
			{ "account-", cfg->events.account },
		};
		for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
			if (i > 0 && *files[i].value == '\0')
				continue;
			char path[CONFIG_PATH_MAX + 128];
			snprintf(path, sizeof path, "%s/%s%s.csv", dir, files[i].prefix, files[i].value);
			int rc = calendar_apply_file(cal, path, 0, err, errlen);
			if (rc < 0) {
				event_calendar_free(cal);
				return -1;
			}
			if (rc == 1 && i > 0)
				log_warn("events: no %s (as [events] %s = %s asks); the calendar goes without it",
					 path, i == 1 ? "country" : "account", files[i].value);
		}
	}
	*out = cal;
	return 0;
}
