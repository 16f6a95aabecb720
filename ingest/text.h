/*
 * text: what the ingest path accepts as text. Pure.
 */
#ifndef MLDASH_TEXT_H
#define MLDASH_TEXT_H

#include <stddef.h>

/* 1 when s (NUL-terminated) is well-formed UTF-8: no overlong forms, no
 * surrogates, nothing past U+10FFFF. */
int text_utf8_valid(const char *s);

/* 1 when s is well-formed UTF-8 without control characters (C0, DEL, C1):
 * safe to store as a name and to show in a log line or a page. */
int text_printable(const char *s);

#endif
