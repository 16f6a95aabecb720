#include "text.h"

/* Length of the UTF-8 sequence at u and its code point, or 0 when malformed. */
static int utf8_sequence(const unsigned char *u, unsigned long *code)
{
	int extra;
	unsigned long c = u[0];
	if (c < 0x80) {
		*code = c;
		return 1;
	} else if ((c & 0xe0) == 0xc0) {
		extra = 1, c &= 0x1f;
	} else if ((c & 0xf0) == 0xe0) {
		extra = 2, c &= 0x0f;
	} else if ((c & 0xf8) == 0xf0) {
		extra = 3, c &= 0x07;
	} else {
		return 0;
	}
	for (int i = 1; i <= extra; i++) {
		if ((u[i] & 0xc0) != 0x80)
			return 0; /* also stops at the terminating NUL */
		c = c << 6 | (u[i] & 0x3f);
	}
	static const unsigned long smallest[4] = { 0, 0x80, 0x800, 0x10000 };
	if (c < smallest[extra] || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*code = c;
	return extra + 1;
}

static int all_valid(const char *s, int refuse_controls)
{
	const unsigned char *u = (const unsigned char *)s;
	while (*u) {
		unsigned long code;
		int n = utf8_sequence(u, &code);
		if (n == 0)
			return 0;
		if (refuse_controls && (code < 0x20 || (code >= 0x7f && code < 0xa0)))
			return 0;
		u += n;
	}
	return 1;
}

int text_utf8_valid(const char *s)
{
	return all_valid(s, 0);
}

int text_printable(const char *s)
{
	return all_valid(s, 1);
}
