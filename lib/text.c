#include "text.h"

int text_utf8_char(const char *s, unsigned long *code)
{
	const unsigned char *u = (const unsigned char *)s;
	int extra;
	unsigned long c = u[0];
	if (c == 0)
		return 0;
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

int text_is_control(unsigned long code)
{
	return code < 0x20 || (code >= 0x7f && code < 0xa0) ||
	       (code >= 0x200b && code <= 0x200f) || /* zero width, LRM, RLM */
	       (code >= 0x2028 && code <= 0x202e) || /* separators, embeddings, overrides */
	       (code >= 0x2060 && code <= 0x2069) || /* word joiner, isolates */
	       code == 0xfeff;
}

static int all_valid(const char *s, int refuse_controls)
{
	while (*s) {
		unsigned long code;
		int n = text_utf8_char(s, &code);
		if (n == 0 || (refuse_controls && text_is_control(code)))
			return 0;
		s += n;
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
