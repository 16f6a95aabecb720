#include "textfile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *textfile_read(const char *path, size_t cap, size_t *len, int *missing, char *err,
		    size_t errlen)
{
	*len = 0;
	*missing = 0;
	FILE *f = fopen(path, "r");
	if (f == NULL) {
		*missing = errno == ENOENT;
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return NULL;
	}
	char *text = malloc(cap + 1);
	size_t got = text ? fread(text, 1, cap + 1, f) : 0;
	int failed = text == NULL || ferror(f), read_errno = errno; /* before fclose moves it */
	fclose(f);
	if (failed)
		snprintf(err, errlen, "%s: cannot read: %s", path,
			 text ? strerror(read_errno) : "out of memory");
	else if (got > cap)
		snprintf(err, errlen, "%s: larger than %zu bytes", path, cap);
	else if (memchr(text, '\0', got) != NULL)
		snprintf(err, errlen, "%s: contains a NUL byte; not a text file", path);
	else {
		text[got] = '\0';
		*len = got;
		return text;
	}
	free(text);
	return NULL;
}
