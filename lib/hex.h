/*
 * hex: bytes as lowercase hexadecimal text (digests, random names). Pure.
 */
#ifndef MLDASH_HEX_H
#define MLDASH_HEX_H

#include <stddef.h>

/* Writes 2 * n digits and a NUL to out (2 * n + 1 bytes). */
void hex_encode(const unsigned char *bytes, size_t n, char *out);

#endif
