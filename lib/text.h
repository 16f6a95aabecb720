/*
 * text: what counts as text: well-formed UTF-8, and names safe to show. Pure.
 */
#ifndef MLDASH_TEXT_H
#define MLDASH_TEXT_H

#include <stddef.h>

/* 1 when s (NUL-terminated) is well-formed UTF-8: no overlong forms, no
 * surrogates, nothing past U+10FFFF. */
int text_utf8_valid(const char *s);

/* 1 when s is well-formed UTF-8 without control characters (C0, DEL, C1)
 * nor invisible or direction-changing format characters (zero-width
 * spaces and joiners, bidi marks, embeddings, overrides and isolates, line
 * and paragraph separators, BOM): safe to store as a name and to show in a
 * log line or a page without it passing for something else. */
int text_printable(const char *s);

/* The UTF-8 character at s: its length in bytes (1-4) with its code point
 * in *code, or 0 when the bytes there are not one well-formed character
 * (a NUL at s counts as malformed, so a caller stops there). */
int text_utf8_char(const char *s, unsigned long *code);

/* 1 for a code point text_printable refuses. */
int text_is_control(unsigned long code);

#endif
