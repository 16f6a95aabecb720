/*
 * textfile: reads a small text file (a configuration or calendar file)
 * whole, with a cap on its size, into a NUL-terminated buffer.
 */
#ifndef MLDASH_TEXTFILE_H
#define MLDASH_TEXTFILE_H

#include <stddef.h>

/*
 * The content of path, NUL-terminated, its length in *len; the caller
 * frees it. NULL with what is wrong in err ("PATH: cannot open: ...",
 * "cannot read", "larger than CAP bytes", "contains a NUL byte"), and
 * *missing set to 1 when the file does not exist (0 otherwise).
 */
char *textfile_read(const char *path, size_t cap, size_t *len, int *missing, char *err,
		    size_t errlen);

#endif
