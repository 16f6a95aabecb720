#include "chart.h"

#include <fontconfig/fontconfig.h>
#include <gd.h>
#include <png.h>
#include <zlib.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "events.h"
#include "ticks.h"

const char *const chart_names[CHART__MAX] = {
	[CHART_ROI_FORECAST] = "roi-forecast",
	[CHART_ROI_TIMESERIES] = "roi-timeseries",
	[CHART_REACH_CTR] = "reach-ctr",
	[CHART_BUDGET] = "budget-recommendation",
	[CHART_BUDGET_CURVES] = "budget-curves",
	[CHART_ACCURACY] = "accuracy",
};

#define FONT "DejaVu Sans"
#define FONT_BOLD "DejaVu Sans:bold"

/* The characters DejaVu Sans has, looked up once a process (workers are
 * single-threaded); NULL when fontconfig cannot tell. */
static FcCharSet *font_charset(void)
{
	static FcCharSet *chars;
	static int looked;
	if (looked)
		return chars;
	FcPattern *want = FcNameParse((const FcChar8 *)FONT), *found = NULL;
	FcCharSet *have;
	FcResult result;
	if (want != NULL && FcConfigSubstitute(NULL, want, FcMatchPattern)) {
		FcDefaultSubstitute(want);
		found = FcFontMatch(NULL, want, &result);
	}
	if (found != NULL && FcPatternGetCharSet(found, FC_CHARSET, 0, &have) == FcResultMatch)
		chars = FcCharSetCopy(have);
	if (found != NULL)
		FcPatternDestroy(found);
	if (want != NULL)
		FcPatternDestroy(want);
	looked = 1;
	return chars;
}

/* The characters of s gd can draw (it reads no UTF-8 sequence longer than
 * three bytes: nothing past U+FFFF), into a new set (free with
 * FcCharSetDestroy) when DejaVu Sans lacks any of them, else NULL (as
 * when fontconfig cannot tell). A byte that starts no character is
 * skipped. */
static FcCharSet *chars_when_lacking(const char *s)
{
	FcCharSet *have = font_charset(), *chars = have ? FcCharSetCreate() : NULL;
	const FcChar8 *at = (const FcChar8 *)s;
	int left = (int)strlen(s), lacking = 0;
	while (chars != NULL && left > 0) {
		FcChar32 ch;
		int used = FcUtf8ToUcs4(at, &ch, left);
		if (used <= 0) {
			at++, left--;
			continue;
		}
		if (ch <= 0xFFFF && FcCharSetAddChar(chars, ch))
			lacking |= !FcCharSetHasChar(have, ch);
		at += used, left -= used;
	}
	if (chars != NULL && !lacking) {
		FcCharSetDestroy(chars);
		chars = NULL;
	}
	return chars;
}

/* family into name[size] as a fontconfig pattern that gd parses back: its
 * separators escaped (a '-' would start a size). */
static void family_pattern(const FcChar8 *family, int bold, char *name, size_t size)
{
	size_t used = 0;
	for (; *family && used + 3 < size; family++) {
		if (strchr("\\-:,", *family))
			name[used++] = '\\';
		name[used++] = (char)*family;
	}
	snprintf(name + used, size - used, "%s", bold ? ":bold" : "");
}

const char *chart_font_for(const char *s, int bold, char *name, size_t size)
{
	const char *face = bold ? FONT_BOLD : FONT;
	FcCharSet *chars = chars_when_lacking(s), *has;
	FcPattern *want = chars ? FcPatternCreate() : NULL, *found = NULL;
	FcResult result;
	FcChar8 *family;
	if (want != NULL && FcPatternAddString(want, FC_FAMILY, (const FcChar8 *)"sans-serif") &&
	    FcPatternAddCharSet(want, FC_CHARSET, chars) &&
	    (!bold || FcPatternAddInteger(want, FC_WEIGHT, FC_WEIGHT_BOLD)) &&
	    FcConfigSubstitute(NULL, want, FcMatchPattern)) {
		FcDefaultSubstitute(want);
		found = FcFontMatch(NULL, want, &result);
	}
	/* Only a face that has every character: gd draws a label in one face,
	 * and fontconfig ranks coverage above family, so the best match for
	 * a Latin label with one rare sign can be a face of symbols with no
	 * letters at all. */
	if (found != NULL && FcPatternGetString(found, FC_FAMILY, 0, &family) == FcResultMatch &&
	    FcPatternGetCharSet(found, FC_CHARSET, 0, &has) == FcResultMatch &&
	    FcCharSetIsSubset(chars, has)) {
		family_pattern(family, bold, name, size);
		face = name;
	}
	if (found != NULL)
		FcPatternDestroy(found);
	if (want != NULL)
		FcPatternDestroy(want);
	if (chars != NULL)
		FcCharSetDestroy(chars);
	return face;
}

/* Okabe-Ito, without its yellow (too faint on white) and black. */
static const int palette_rgb[] = { 0x0072B2, 0xE69F00, 0x009E73, 0xCC79A7,
				   0x56B4E9, 0xD55E00, 0x7F7F7F };
#define PALETTE (int)(sizeof palette_rgb / sizeof palette_rgb[0])
#define VERMILLION 5 /* palette_rgb's 0xD55E00 */

struct canvas {
	gdImagePtr im;
	struct chart_text_cache *text_cache; /* may be NULL */
	int w, h;
	double px;      /* the base text size in pixels */
	int line;       /* line thickness */
	int bg, fg, muted, grid;
	int color[PALETTE], band80[PALETTE], band95[PALETTE];
};

int chart_kind_from_name(const char *name)
{
	for (int k = 0; k < CHART__MAX; k++)
		if (strcmp(chart_names[k], name) == 0)
			return k;
	return -1;
}

void chart_etag(const unsigned char *png, int size, char out[24])
{
	unsigned long long h = 0xcbf29ce484222325ULL;
	for (int i = 0; i < size; i++) {
		h ^= png[i];
		h *= 0x100000001b3ULL;
	}
	snprintf(out, 24, "\"%016llx\"", h);
}

void chart_free(unsigned char *png)
{
	free(png);
}

static int rgb(gdImagePtr im, int hex, int alpha)
{
	return gdImageColorAllocateAlpha(im, hex >> 16 & 255, hex >> 8 & 255, hex & 255, alpha);
}

/* --- text ----------------------------------------------------------------- */

enum align { LEFT, CENTER, RIGHT };

/* Text size in pixels (gd takes points at 96 dpi). */
static double points(double px)
{
	return px * 72.0 / 96.0;
}

/* A rendered label: its ink as coverage (0-255) over a box, and where the
 * box sits against the pen position. */
struct text_entry {
	char *key;          /* "px|bold|text"; NULL for a free slot */
	int width;          /* advance, for alignment */
	int x0, y0, w, h;   /* coverage box relative to the pen (baseline) */
	unsigned char *ink; /* w * h */
};

#define TEXT_SLOTS 1024

struct chart_text_cache {
	struct text_entry slot[TEXT_SLOTS];
	int used;
};

struct chart_text_cache *chart_text_cache_new(void)
{
	return calloc(1, sizeof(struct chart_text_cache));
}

static void cache_clear(struct chart_text_cache *tc)
{
	for (int i = 0; i < TEXT_SLOTS; i++) {
		free(tc->slot[i].key);
		free(tc->slot[i].ink);
	}
	memset(tc, 0, sizeof *tc);
}

void chart_text_cache_free(struct chart_text_cache *cache)
{
	if (cache == NULL)
		return;
	cache_clear(cache);
	free(cache);
}

static unsigned long hash_key(const char *s)
{
	unsigned long h = 5381;
	while (*s)
		h = h * 33 + (unsigned char)*s++;
	return h;
}

/* Renders s once in black on white and keeps 255 - red as its coverage. */
static struct text_entry *text_entry(struct chart_text_cache *tc, double px, const char *s, int bold)
{
	char key[300];
	snprintf(key, sizeof key, "%d|%d|%s", (int)lround(px * 10), bold, s);
	unsigned long h = hash_key(key) % TEXT_SLOTS;
	for (int probe = 0; probe < TEXT_SLOTS; probe++) {
		struct text_entry *e = &tc->slot[(h + (unsigned long)probe) % TEXT_SLOTS];
		if (e->key == NULL)
			break;
		if (strcmp(e->key, key) == 0)
			return e;
	}
	if (tc->used >= TEXT_SLOTS * 3 / 4) /* full: start again rather than grow */
		cache_clear(tc);
	int box[8];
	char name[160];
	const char *font = chart_font_for(s, bold, name, sizeof name);
	if (gdImageStringFT(NULL, box, 0, (char *)font, points(px), 0, 0, 0, (char *)s) != NULL)
		return NULL;
	int x0 = box[6] - 1, y0 = box[7] - 1, w = box[2] - box[6] + 3, hgt = box[3] - box[7] + 3;
	if (w <= 0 || hgt <= 0 || w > 4000 || hgt > 400)
		return NULL;
	gdImagePtr im = gdImageCreateTrueColor(w, hgt);
	unsigned char *ink = malloc((size_t)w * (size_t)hgt);
	char *k = strdup(key);
	if (im == NULL || ink == NULL || k == NULL) {
		if (im)
			gdImageDestroy(im);
		free(ink);
		free(k);
		return NULL;
	}
	gdImageFilledRectangle(im, 0, 0, w - 1, hgt - 1, 0xFFFFFF);
	gdImageStringFT(im, box, 0x000000, (char *)font, points(px), 0, -x0, -y0, (char *)s);
	for (int y = 0; y < hgt; y++)
		for (int x = 0; x < w; x++)
			ink[y * w + x] = (unsigned char)(255 - gdTrueColorGetRed(im->tpixels[y][x]));
	gdImageDestroy(im);
	struct text_entry *e = &tc->slot[h];
	while (e->key != NULL)
		e = &tc->slot[(unsigned long)(e - tc->slot + 1) % TEXT_SLOTS];
	*e = (struct text_entry){ k, box[2] - box[0], x0, y0, w, hgt, ink };
	tc->used++;
	return e;
}

/* The advance width of s in font (chart_font_for's), or an estimate when
 * FreeType cannot lay it out. */
static int font_width(const char *font, double px, const char *s)
{
	int box[8];
	if (gdImageStringFT(NULL, box, 0, (char *)font, points(px), 0, 0, 0, (char *)s) != NULL)
		return (int)(px * 0.6 * (double)strlen(s));
	return box[2] - box[0];
}

/* The advance width of s in the regular (bold 0) or bold face: a bold label
 * centred by the regular face's width would sit a pixel or two off. */
static int face_width(struct canvas *c, double px, const char *s, int bold)
{
	if (c->text_cache != NULL) {
		struct text_entry *e = text_entry(c->text_cache, px, s, bold);
		if (e != NULL)
			return e->width;
	}
	char name[160];
	return font_width(chart_font_for(s, bold, name, sizeof name), px, s);
}

static int text_width(struct canvas *c, double px, const char *s)
{
	return face_width(c, px, s, 0);
}

/* Blends cached ink of colour color into the image at pen position (x, y). */
static void blit(struct canvas *c, const struct text_entry *e, int x, int y, int color)
{
	int r = gdTrueColorGetRed(color), g = gdTrueColorGetGreen(color), b = gdTrueColorGetBlue(color);
	for (int j = 0; j < e->h; j++) {
		int py = y + e->y0 + j;
		if (py < 0 || py >= c->h)
			continue;
		for (int i = 0; i < e->w; i++) {
			int px = x + e->x0 + i, a = e->ink[j * e->w + i];
			if (a == 0 || px < 0 || px >= c->w)
				continue;
			int d = c->im->tpixels[py][px];
			int nr = (r * a + gdTrueColorGetRed(d) * (255 - a)) / 255;
			int ng = (g * a + gdTrueColorGetGreen(d) * (255 - a)) / 255;
			int nb = (b * a + gdTrueColorGetBlue(d) * (255 - a)) / 255;
			c->im->tpixels[py][px] = gdTrueColorAlpha(nr, ng, nb, 0);
		}
	}
}

/* Draws s with its baseline at y, aligned on x. */
static void text(struct canvas *c, int x, int y, double px, int color, enum align a, const char *s,
		 int bold)
{
	struct text_entry *e = c->text_cache ? text_entry(c->text_cache, px, s, bold) : NULL;
	if (e != NULL) {
		int left = a == LEFT ? x : a == CENTER ? x - e->width / 2 : x - e->width;
		blit(c, e, left, y, color);
		return;
	}
	/* Uncached: the face looked up once, for the width and the drawing. */
	char name[160];
	const char *font = chart_font_for(s, bold, name, sizeof name);
	int w = a == LEFT ? 0 : font_width(font, px, s);
	int left = a == LEFT ? x : a == CENTER ? x - w / 2 : x - w, box[8];
	gdImageStringFT(c->im, box, color, (char *)font, points(px), 0, left, y, (char *)s);
}

/* --- canvas --------------------------------------------------------------- */

static int canvas_open(struct canvas *c, const struct chart_style *st)
{
	memset(c, 0, sizeof *c);
	/* Font names go through fontconfig (a process-wide gd setting). */
	gdFTUseFontConfig(1);
	c->w = st->width;
	c->h = st->height;
	c->text_cache = st->text_cache;
	c->im = gdImageCreateTrueColor(c->w, c->h);
	if (c->im == NULL)
		return -1;
	gdImageAlphaBlending(c->im, 1);
	double base = sqrt((double)c->w * c->h) / 48;
	c->px = base < 9 ? 9 : base > 30 ? 30 : base;
	c->line = c->px >= 16 ? 3 : 2;
	c->bg = rgb(c->im, st->dark ? 0x14171C : 0xFFFFFF, 0);
	c->fg = rgb(c->im, st->dark ? 0xE6E8EB : 0x1B1F24, 0);
	c->muted = rgb(c->im, st->dark ? 0x9AA3AD : 0x5F6B76, 0);
	c->grid = rgb(c->im, st->dark ? 0x2A3038 : 0xE6E9ED, 0);
	for (int i = 0; i < PALETTE; i++) {
		c->color[i] = rgb(c->im, palette_rgb[i], 0);
		c->band80[i] = rgb(c->im, palette_rgb[i], 80);
		c->band95[i] = rgb(c->im, palette_rgb[i], 105);
	}
	/* The background straight into the pixel rows: gd's per-pixel path is a
	 * tenth of the drawing time otherwise. */
	for (int y = 0; y < c->h; y++)
		for (int x = 0; x < c->w; x++)
			c->im->tpixels[y][x] = c->bg;
	return 0;
}

struct png_buffer {
	unsigned char *data;
	size_t len, cap;
};

static void png_write(png_structp png, png_bytep bytes, size_t len)
{
	struct png_buffer *b = png_get_io_ptr(png);
	if (b->len + len > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 65536;
		while (cap < b->len + len)
			cap *= 2;
		unsigned char *grown = realloc(b->data, cap);
		if (grown == NULL)
			png_error(png, "out of memory");
		b->data = grown;
		b->cap = cap;
	}
	memcpy(b->data + b->len, bytes, len);
	b->len += len;
}

static void png_flush(png_structp png)
{
	(void)png;
}

/* Encodes with libpng directly: without row filters (gd's encoder tries
 * them all on every row) and at zlib level 3 a chart encodes in a third of
 * the time and comes out smaller (24 KB against gd's 26 KB for a time series). */
static int canvas_png(struct canvas *c, unsigned char **out, int *size)
{
	struct png_buffer b = { 0 };
	png_bytep row = malloc((size_t)c->w * 3);
	png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
	png_infop info = png ? png_create_info_struct(png) : NULL;
	int rc = -1;
	if (row == NULL || png == NULL || info == NULL)
		goto out;
	if (setjmp(png_jmpbuf(png)))
		goto out;
	png_set_write_fn(png, &b, png_write, png_flush);
	png_set_IHDR(png, info, (png_uint_32)c->w, (png_uint_32)c->h, 8, PNG_COLOR_TYPE_RGB,
		     PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	png_set_filter(png, PNG_FILTER_TYPE_BASE, PNG_FILTER_NONE);
	png_set_compression_level(png, 3);
	png_set_compression_strategy(png, Z_DEFAULT_STRATEGY);
	png_write_info(png, info);
	for (int y = 0; y < c->h; y++) {
		for (int x = 0; x < c->w; x++) {
			int p = c->im->tpixels[y][x];
			row[3 * x] = (png_byte)gdTrueColorGetRed(p);
			row[3 * x + 1] = (png_byte)gdTrueColorGetGreen(p);
			row[3 * x + 2] = (png_byte)gdTrueColorGetBlue(p);
		}
		png_write_row(png, row);
	}
	png_write_end(png, info);
	rc = 0;
out:
	png_destroy_write_struct(png ? &png : NULL, info ? &info : NULL);
	free(row);
	gdImageDestroy(c->im);
	if (rc != 0) {
		free(b.data);
		b.data = NULL;
	}
	*out = b.data;
	*size = (int)b.len;
	return rc;
}

/* The byte offsets where s's UTF-8 characters start, in at[0..chars - 1],
 * and in at[chars] where the last one ends; returns chars (at most cap,
 * the rest of s then left out whole). By lead bytes, not lib/text's
 * decoder: charts/ may include models/ alone (tests/test_architecture.sh). */
static int char_starts(const char *s, int *at, int cap)
{
	int k = 0;
	size_t i = 0;
	for (; s[i] && (k < cap || ((unsigned char)s[i] & 0xC0) == 0x80); i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			at[k++] = (int)i;
	at[k] = (int)i;
	return k;
}

enum cut { CUT_END, CUT_MIDDLE };

/* out: the first head and last tail characters of s (their starts in
 * at[]), an ellipsis between when any were left out. Returns whether it
 * fits in len bytes (snprintf would cut a character in two). */
static int cut_text(const char *s, const int *at, int chars, int head, int tail, char *out,
		    size_t len)
{
	int wrote;
	if (head + tail >= chars)
		wrote = snprintf(out, len, "%.*s", at[chars], s);
	else
		wrote = snprintf(out, len, "%.*s\u2026%.*s", at[head], s, at[chars] - at[chars - tail],
				 s + at[chars - tail]);
	return wrote >= 0 && (size_t)wrote < len;
}

/*
 * s in at most width pixels and len bytes, cut at whole UTF-8 characters
 * (a byte cut drew a stray glyph) with an ellipsis where text was left
 * out: at the end, or in the middle, so that names sharing a start
 * (meta_prosp_uk, meta_prosp_de) stay apart by their ends. A binary
 * search on the characters kept: measuring text is what costs. When not
 * a character fits, the ellipsis alone.
 */
static void fit_label(struct canvas *c, double px, const char *s, int width, char *out, size_t len,
		      int bold, enum cut how)
{
	int at[257];
	int chars = char_starts(s, at, 256);
	if (cut_text(s, at, chars, chars, 0, out, len) && face_width(c, px, out, bold) <= width)
		return;
	int lo = 0, hi = chars - 1;
	while (lo < hi) {
		int mid = (lo + hi + 1) / 2, tail = how == CUT_MIDDLE ? mid / 3 : 0;
		if (cut_text(s, at, chars, mid - tail, tail, out, len) &&
		    face_width(c, px, out, bold) <= width)
			lo = mid;
		else
			hi = mid - 1;
	}
	int tail = how == CUT_MIDDLE ? lo / 3 : 0;
	cut_text(s, at, chars, lo - tail, tail, out, len);
}

/* Title and d's subtitle (in bold vermillion when it warns); each cut to the
 * width; returns the y below them. */
static int header(struct canvas *c, const char *title, const struct chart_data *d)
{
	int y = (int)(c->px * 1.9), warns = d->subtitle_warns, room = c->w - 2 * (int)c->px;
	char line[256];
	fit_label(c, c->px * 1.3, title, room, line, sizeof line, 1, CUT_END);
	text(c, (int)c->px, y, c->px * 1.3, c->fg, LEFT, line, 1);
	if (*d->subtitle) {
		y += (int)(c->px * 1.5);
		fit_label(c, c->px * 0.85, d->subtitle, room, line, sizeof line, warns, CUT_END);
		text(c, (int)c->px, y, c->px * 0.85, warns ? c->color[VERMILLION] : c->muted, LEFT,
		     line, warns);
	}
	return y + (int)(c->px * 1.2);
}

#define NO_DATA_YET "No data yet: import campaign data and run the ML sync"

/* Every chart's start: the header, and with nothing to draw (empty) the
 * note (NO_DATA_YET for most) in the middle. Returns the y below the
 * header, -1 when the chart is done. */
static int open_chart_note(struct canvas *c, const char *title, const struct chart_data *d, int empty,
			   const char *note)
{
	int y = header(c, title, d);
	if (!empty)
		return y;
	text(c, c->w / 2, c->h / 2, c->px, c->muted, CENTER, note, 0);
	return -1;
}

static int open_chart(struct canvas *c, const char *title, const struct chart_data *d, int empty)
{
	return open_chart_note(c, title, d, empty, NO_DATA_YET);
}

/* --- axes --------------------------------------------------------------------- */

struct frame {
	int x0, y0, x1, y1; /* plot area in pixels, y0 on top */
	double lo, hi;      /* y range */
	long first, last;   /* x range in days (time series) */
};

static int y_of(const struct frame *f, double v)
{
	return f->y1 - (int)lround((v - f->lo) / (f->hi - f->lo) * (f->y1 - f->y0));
}

static int x_of_day(const struct frame *f, long d)
{
	if (f->last == f->first)
		return (f->x0 + f->x1) / 2;
	return f->x0 + (int)lround((double)(d - f->first) / (double)(f->last - f->first) * (f->x1 - f->x0));
}

/* Gridlines and labels of the y axis; widens the range to nice ticks. */
static void y_axis(struct canvas *c, struct frame *f, enum tick_style style)
{
	double ticks[32], step;
	int max_ticks = (f->y1 - f->y0) / (int)(c->px * 2.2);
	int n = ticks_numeric(&f->lo, &f->hi, max_ticks < 2 ? 2 : max_ticks > 8 ? 8 : max_ticks, ticks, 32, &step);
	for (int i = 0; i < n; i++) {
		char label[32];
		int y = y_of(f, ticks[i]);
		ticks_label(ticks[i], step, style, label, sizeof label);
		gdImageLine(c->im, f->x0, y, f->x1, y, ticks[i] == 0 ? c->muted : c->grid);
		text(c, f->x0 - (int)(c->px * 0.5), y + (int)(c->px * 0.35), c->px * 0.85, c->muted, RIGHT, label, 0);
	}
}

/* The widest label a y axis over [lo, hi] will need: the left margin. */
static int y_label_width(struct canvas *c, double lo, double hi, enum tick_style style)
{
	double ticks[32], step;
	int n = ticks_numeric(&lo, &hi, 8, ticks, 32, &step), w = 0;
	for (int i = 0; i < n; i++) {
		char label[32];
		ticks_label(ticks[i], step, style, label, sizeof label);
		int tw = text_width(c, c->px * 0.85, label);
		w = tw > w ? tw : w;
	}
	return w;
}

/* x for a label centred on x as near as it can be while inside the image:
 * one cut at the edge reads as another (Nov 30 as "Nov 3"). */
static int inside_centre(const struct canvas *c, int x, int width)
{
	int edge = 2;
	if (x + width / 2 > c->w - edge)
		x = c->w - edge - width / 2;
	return x - width / 2 < edge ? edge + width / 2 : x;
}

/* Date labels along the bottom of f, as many as fit without overlapping. */
static void x_dates(struct canvas *c, const struct frame *f)
{
	long ticks[64];
	enum date_unit unit;
	char sample[32];
	ticks_date_label(f->first, DATE_MONTH, sample, sizeof sample);
	int room = text_width(c, c->px * 0.85, sample) + (int)c->px;
	int max_ticks = (f->x1 - f->x0) / (room > 1 ? room : 1);
	int n = ticks_dates(f->first, f->last, max_ticks < 2 ? 2 : max_ticks, ticks, 64, &unit);
	for (int i = 0; i < n; i++) {
		char label[32];
		int x = x_of_day(f, ticks[i]);
		ticks_date_label(ticks[i], unit, label, sizeof label);
		gdImageLine(c->im, x, f->y1, x, f->y1 + (int)(c->px * 0.3), c->muted);
		int w = text_width(c, c->px * 0.85, label);
		text(c, inside_centre(c, x, w) - w / 2, f->y1 + (int)(c->px * 1.3), c->px * 0.85,
		     c->muted, LEFT, label, 0);
	}
}

/* --- marks ------------------------------------------------------------------- */

static void thick_line(struct canvas *c, int x0, int y0, int x1, int y1, int color, int width)
{
	gdImageSetThickness(c->im, width);
	gdImageLine(c->im, x0, y0, x1, y1, color);
	gdImageSetThickness(c->im, 1);
}

/* A dashed segment: dashes of about 3 line widths. */
static void dashed(struct canvas *c, int x0, int y0, int x1, int y1, int color, double *phase)
{
	double len = hypot(x1 - x0, y1 - y0), dash = 3.0 * c->line;
	for (double t = 0; t < len;) {
		double on = fmod(*phase, 2 * dash) < dash, step = dash - fmod(*phase, dash);
		double t2 = t + step < len ? t + step : len;
		if (on)
			thick_line(c, x0 + (int)((x1 - x0) * t / len), y0 + (int)((y1 - y0) * t / len),
				   x0 + (int)((x1 - x0) * t2 / len), y0 + (int)((y1 - y0) * t2 / len), color, c->line);
		*phase += t2 - t;
		t = t2;
	}
}

static void dot(struct canvas *c, int x, int y, int diameter, int color)
{
	gdImageFilledEllipse(c->im, x, y, diameter, diameter, color);
}

/* Shaded band between lo and hi: one polygon per stretch of consecutive
 * points that have both (overlapping pieces would darken their seams); a
 * point alone between unknown ones, a bar a line wide. */
static void band(struct canvas *c, const struct frame *f, const struct chart_point *p, int n,
		 int use95, int color)
{
	gdPoint *poly = malloc(sizeof *poly * (size_t)(2 * n + 2));
	if (poly == NULL)
		return;
	for (int i = 0; i < n;) {
		int j = i;
		while (j < n && isfinite(use95 ? p[j].lo95 : p[j].lo80) && isfinite(use95 ? p[j].hi95 : p[j].hi80))
			j++;
		if (j - i >= 2) {
			int k = 0;
			for (int a = i; a < j; a++)
				poly[k++] = (gdPoint){ x_of_day(f, p[a].day), y_of(f, use95 ? p[a].hi95 : p[a].hi80) };
			for (int a = j - 1; a >= i; a--)
				poly[k++] = (gdPoint){ x_of_day(f, p[a].day), y_of(f, use95 ? p[a].lo95 : p[a].lo80) };
			gdImageFilledPolygon(c->im, poly, k, color);
		} else if (j - i == 1) {
			int x = x_of_day(f, p[i].day), half = c->line > 1 ? c->line : 1;
			gdImageFilledRectangle(c->im, x - half, y_of(f, use95 ? p[i].hi95 : p[i].hi80),
					       x + half, y_of(f, use95 ? p[i].lo95 : p[i].lo80), color);
		}
		i = j > i ? j : i + 1;
	}
	free(poly);
}

/* The series as a line: actuals solid, forecasts dashed (joined to the last
 * actual), gaps where a value is unknown; a value alone between unknown
 * ones (ROI on the one day a week a channel spends) as a dot. */
static void series_line(struct canvas *c, const struct frame *f, const struct chart_point *p, int n,
			int color)
{
	double phase = 0;
	for (int i = 0; i < n; i++)
		if (isfinite(p[i].v) && (i == 0 || !isfinite(p[i - 1].v)) &&
		    (i + 1 == n || !isfinite(p[i + 1].v)))
			dot(c, x_of_day(f, p[i].day), y_of(f, p[i].v), 3 * c->line, color);
	for (int i = 1; i < n; i++) {
		if (!isfinite(p[i - 1].v) || !isfinite(p[i].v))
			continue;
		int x0 = x_of_day(f, p[i - 1].day), y0 = y_of(f, p[i - 1].v);
		int x1 = x_of_day(f, p[i].day), y1 = y_of(f, p[i].v);
		if (p[i].forecast)
			dashed(c, x0, y0, x1, y1, color, &phase);
		else
			thick_line(c, x0, y0, x1, y1, color, c->line);
	}
}

/* An anomaly (#16): a vermillion triangle of half width s centred on
 * (x, y), pointing up (above the band) or down, on a halo of the ground
 * colour so that it stands out from the lines and bands beneath. */
static void anomaly_mark(struct canvas *c, int x, int y, int direction, int s)
{
	int halo = c->line;
	for (int pass = 0; pass < 2; pass++) {
		int r = pass == 0 ? s + halo : s, dir = direction > 0 ? -1 : 1;
		gdPoint t[3] = { { x, y + dir * r }, { x - r, y - dir * r * 3 / 4 }, { x + r, y - dir * r * 3 / 4 } };
		gdImageFilledPolygon(c->im, t, 3, pass == 0 ? c->bg : c->color[VERMILLION]);
	}
}

/* A legend along one line ending at x_right, baseline y: a swatch and a
 * label per entry; swatch i is a square of colors[i], or with
 * triangle == i an anomaly's mark. */
static void legend(struct canvas *c, int x_right, int y, const char *const *labels, const int *colors,
		   int n, int triangle)
{
	int x = x_right;
	for (int i = n - 1; i >= 0; i--) {
		int w = text_width(c, c->px * 0.85, labels[i]);
		x -= w;
		text(c, x, y, c->px * 0.85, c->fg, LEFT, labels[i], 0);
		x -= (int)(c->px * 1.2);
		if (i == triangle)
			anomaly_mark(c, x + (int)(c->px * 0.4), y - (int)(c->px * 0.35), 1, (int)(c->px * 0.45));
		else
			gdImageFilledRectangle(c->im, x, y - (int)(c->px * 0.7), x + (int)(c->px * 0.8), y,
					       colors[i]);
		x -= (int)(c->px * 1.2);
	}
}

/* --- the charts ---------------------------------------------------------- */

/* Is mark m drawn in frame f: a known value on a day of its range? */
static int mark_shown(const struct frame *f, const struct chart_mark *m)
{
	return isfinite(m->v) && m->day >= f->first && m->day <= f->last;
}

/* One panel of a time series in f: axis, bands, line, title, and the
 * anomalies' marks (nmarks of them) on top. Returns the number of marks
 * drawn. */
static int panel(struct canvas *c, const struct chart_panel *pn, const struct chart_mark *marks, int nmarks,
		 struct frame *f, int hue, enum tick_style style)
{
	double lo = HUGE_VAL, hi = -HUGE_VAL;
	for (int i = 0; i < pn->n; i++) {
		const struct chart_point *p = &pn->points[i];
		double vals[5] = { p->v, p->lo95, p->hi95, p->lo80, p->hi80 };
		for (int k = 0; k < 5; k++)
			if (isfinite(vals[k]))
				lo = vals[k] < lo ? vals[k] : lo, hi = vals[k] > hi ? vals[k] : hi;
	}
	for (int i = 0; i < nmarks; i++) /* a mark's actual may be off the stored series */
		if (mark_shown(f, &marks[i]))
			lo = marks[i].v < lo ? marks[i].v : lo, hi = marks[i].v > hi ? marks[i].v : hi;
	if (!isfinite(lo))
		lo = 0, hi = 1;
	if (style != TICK_PERCENT && lo > 0)
		lo = 0; /* counts read best from zero */
	if (style != TICK_PERCENT && lo == 0 && hi == 0)
		hi = 1; /* all zero: no negative counts on the axis */
	f->lo = lo;
	f->hi = hi;
	y_axis(c, f, style);
	band(c, f, pn->points, pn->n, 1, c->band95[hue]);
	band(c, f, pn->points, pn->n, 0, c->band80[hue]);
	series_line(c, f, pn->points, pn->n, c->color[hue]);
	text(c, f->x0, f->y0 - (int)(c->px * 0.5), c->px * 0.9, c->fg, LEFT, pn->title, 1);
	int drawn = 0;
	for (int i = 0; i < nmarks; i++)
		if (mark_shown(f, &marks[i])) {
			anomaly_mark(c, x_of_day(f, marks[i].day), y_of(f, marks[i].v), marks[i].direction,
				     (int)(c->px * 0.4) + 3);
			drawn++;
		}
	return drawn;
}

/* The calendar's events (models/events.h: the forecasts reckon with them)
 * as small triangles standing on the time axis. */
static void event_marks(struct canvas *c, const struct frame *f,
			const struct event_calendar *calendar)
{
	int size = (int)(c->px * 0.3) + 2;
	for (long day = f->first; day <= f->last; day++) {
		if (event_calendar_on(calendar, day, NULL) < 0)
			continue;
		int x = x_of_day(f, day);
		gdPoint mark[3] = { { x, f->y1 - 2 * size }, { x - size, f->y1 }, { x + size, f->y1 } };
		gdImageFilledPolygon(c->im, mark, 3, c->muted);
	}
}

static int draw_timeseries(struct canvas *c, const struct chart_data *d, const char *title)
{
	const struct chart_panel *top = &d->panels[0], *bottom = &d->panels[1];
	int y = open_chart(c, title, d, top->n + bottom->n == 0);
	if (y < 0)
		return 0;
	long first = 0, last = 0, today = -1;
	int have = 0;
	for (int k = 0; k < 2; k++)
		for (int i = 0; i < d->panels[k].n; i++) {
			const struct chart_point *p = &d->panels[k].points[i];
			if (!have || p->day < first)
				first = p->day;
			if (!have || p->day > last)
				last = p->day;
			if (p->forecast && (today < 0 || p->day < today))
				today = p->day;
			have = 1;
		}
	int margin = 0;
	for (int k = 0; k < 2; k++) {
		int w = y_label_width(c, 0, 1e6, d->panels[k].percent ? TICK_PERCENT : TICK_SI);
		margin = w > margin ? w : margin;
	}
	int x0 = margin + (int)(c->px * 1.5), x1 = c->w - (int)c->px;
	int bottom_y = c->h - (int)(c->px * 2.4), gap = (int)(c->px * 2.2);
	int split = y + (int)((bottom_y - y) * 0.52);
	struct frame ft = { x0, y + (int)(c->px * 0.8), x1, split - gap / 2, 0, 1, first, last };
	struct frame fb = { x0, split + gap / 2 + (int)(c->px * 0.8), x1, bottom_y, 0, 1, first, last };
	int marked = panel(c, top, d->marks[0], d->nmarks[0], &ft, 0, top->percent ? TICK_PERCENT : TICK_SI);
	marked += panel(c, bottom, d->marks[1], d->nmarks[1], &fb, 1, bottom->percent ? TICK_PERCENT : TICK_SI);
	x_dates(c, &fb);
	event_marks(c, &fb, d->calendar);
	if (today >= 0) { /* the divider between actuals and forecast */
		int x = x_of_day(&ft, today);
		gdImageDashedLine(c->im, x, ft.y0, x, fb.y1, c->muted);
		/* Right of the divider, or left of it where the forecast's stretch
		 * is narrower than the word. */
		int pad = (int)(c->px * 0.3), w = text_width(c, c->px * 0.75, "forecast");
		text(c, x + pad + w <= c->w ? x + pad : x - pad - w, ft.y0 + (int)c->px, c->px * 0.75,
		     c->muted, LEFT, "forecast", 0);
	}
	static const char *const labels[] = { "actual", "forecast (80% / 95%)", "outside 95% band" };
	int colors[] = { c->fg, c->band80[0], c->color[VERMILLION] };
	legend(c, x1, y - (int)(c->px * 0.2), labels, colors, marked ? 3 : 2, 2);
	return 0;
}

static int draw_roi_forecast(struct canvas *c, const struct chart_data *d)
{
	const char *title = "ROI forecast by channel";
	int y = open_chart(c, title, d, d->nbars == 0);
	if (y < 0)
		return 0;
	double lo = 0, hi = 0;
	for (int i = 0; i < d->nbars; i++) {
		const struct chart_bar *b = &d->bars[i];
		double vals[3] = { b->value, b->lo95, b->hi95 };
		for (int k = 0; k < 3; k++)
			if (isfinite(vals[k]))
				lo = vals[k] < lo ? vals[k] : lo, hi = vals[k] > hi ? vals[k] : hi;
	}
	int margin = y_label_width(c, lo, hi, TICK_PERCENT);
	struct frame f = { margin + (int)(c->px * 1.5), y + (int)(c->px * 0.5), c->w - (int)c->px,
			   c->h - (int)(c->px * 2.6), lo, hi, 0, 0 };
	y_axis(c, &f, TICK_PERCENT);
	int slot = (f.x1 - f.x0) / d->nbars, bw = slot * 11 / 20;
	for (int i = 0; i < d->nbars; i++) {
		const struct chart_bar *b = &d->bars[i];
		int cx = f.x0 + slot * i + slot / 2, zero = y_of(&f, 0);
		int color = c->color[i % PALETTE];
		if (isfinite(b->value)) {
			int yv = y_of(&f, b->value);
			gdImageFilledRectangle(c->im, cx - bw / 2, yv < zero ? yv : zero, cx + bw / 2,
					       yv < zero ? zero : yv, color);
		}
		if (isfinite(b->lo95) && isfinite(b->hi95)) { /* whiskers: thin 95%, thick 80% */
			thick_line(c, cx, y_of(&f, b->lo95), cx, y_of(&f, b->hi95), c->fg, 1);
			gdImageLine(c->im, cx - bw / 6, y_of(&f, b->lo95), cx + bw / 6, y_of(&f, b->lo95), c->fg);
			gdImageLine(c->im, cx - bw / 6, y_of(&f, b->hi95), cx + bw / 6, y_of(&f, b->hi95), c->fg);
		}
		if (isfinite(b->lo80) && isfinite(b->hi80))
			thick_line(c, cx, y_of(&f, b->lo80), cx, y_of(&f, b->hi80), c->fg, c->line + 1);
		char label[80];
		fit_label(c, c->px * 0.85, b->channel, slot - 4, label, sizeof label, 0, CUT_MIDDLE);
		text(c, cx, f.y1 + (int)(c->px * 1.4), c->px * 0.85, c->fg, CENTER, label, 0);
	}
	return 0;
}

static int draw_budget(struct canvas *c, const struct chart_data *d)
{
	const char *title = "Budget: current and recommended daily spend";
	int y = open_chart(c, title, d, d->nbars == 0);
	if (y < 0)
		return 0;
	double hi = 0;
	for (int i = 0; i < d->nbars; i++) {
		hi = d->bars[i].current > hi ? d->bars[i].current : hi;
		hi = d->bars[i].recommended > hi ? d->bars[i].recommended : hi;
	}
	if (!(hi > 0))
		hi = 1; /* nothing spent: no negative spend on the axis */
	int margin = y_label_width(c, 0, hi, TICK_SI);
	struct frame f = { margin + (int)(c->px * 1.5), y + (int)(c->px * 1.6), c->w - (int)c->px,
			   c->h - (int)(c->px * 2.6), 0, hi * 1.12, 0, 0 };
	y_axis(c, &f, TICK_SI);
	int slot = (f.x1 - f.x0) / d->nbars, bw = slot * 3 / 10;
	for (int i = 0; i < d->nbars; i++) {
		const struct chart_bar *b = &d->bars[i];
		int cx = f.x0 + slot * i + slot / 2, zero = y_of(&f, 0);
		gdImageFilledRectangle(c->im, cx - bw - 1, y_of(&f, b->current), cx - 1, zero, c->color[6]);
		gdImageFilledRectangle(c->im, cx + 1, y_of(&f, b->recommended), cx + bw + 1, zero, c->color[0]);
		char change[32];
		if (b->current > 0)
			snprintf(change, sizeof change, "%+.0f%%", 100 * (b->recommended / b->current - 1));
		else /* nothing now: new when funded, else nothing to say */
			snprintf(change, sizeof change, "%s", b->recommended > 0 ? "new" : "");
		int top = y_of(&f, b->recommended > b->current ? b->recommended : b->current);
		text(c, cx, top - (int)(c->px * 0.4), c->px * 0.8,
		     b->recommended >= b->current ? c->color[2] : c->color[5], CENTER, change, 1);
		char label[80];
		fit_label(c, c->px * 0.85, b->channel, slot - 4, label, sizeof label, 0, CUT_MIDDLE);
		text(c, cx, f.y1 + (int)(c->px * 1.4), c->px * 0.85, c->fg, CENTER, label, 0);
	}
	static const char *const labels[] = { "current", "recommended" };
	int colors[] = { c->color[6], c->color[0] };
	legend(c, f.x1, y + (int)(c->px * 0.6), labels, colors, 2, -1);
	return 0;
}

/* --- response curves ----------------------------------------------------------- */

/* A panel's plot area and its ranges: spend across, revenue up, both from 0. */
struct curve_frame {
	int x0, y0, x1, y1;
	double x_max, y_max;
};

static int cx_of(const struct curve_frame *f, double spend)
{
	return f->x0 + (int)lround(spend / f->x_max * (f->x1 - f->x0));
}

static int cy_of(const struct curve_frame *f, double revenue)
{
	return f->y1 - (int)lround(revenue / f->y_max * (f->y1 - f->y0));
}

/* Nice ticks within [0, hi], without widening hi: the panel's range is a
 * little past its data on purpose, and a nice outer tick could double it.
 * At most 8 intervals, as the other axes: a wide panel asking for more ran
 * past the caller's cap, and ticks_numeric keeps the first cap, so the
 * axis stopped being labelled part of the way along. */
#define PANEL_TICKS_MAX 8
static int ticks_within(double hi, int max_ticks, double *out, int cap, double *step)
{
	double lo = 0, top = hi;
	max_ticks = max_ticks < PANEL_TICKS_MAX ? max_ticks : PANEL_TICKS_MAX;
	int n = ticks_numeric(&lo, &top, max_ticks + 1, out, cap, step);
	while (n > 0 && out[n - 1] > hi * (1 + 1e-9))
		n--;
	return n;
}

/* The observed days' colour: the text colour, translucent, so that many
 * days on one spot read darker than one. */
static int day_color(struct canvas *c)
{
	return gdImageColorAllocateAlpha(c->im, gdTrueColorGetRed(c->fg), gdTrueColorGetGreen(c->fg),
					 gdTrueColorGetBlue(c->fg), 72);
}

/* One channel's panel within the box (x0, y0)-(x1, y1): its name and shape,
 * axes, the band, the observed days, the curve and the two spends marked. */
static void curve_panel(struct canvas *c, const struct chart_curve *cv, int x0, int y0, int x1, int y1)
{
	/* The panels' text: smaller than the header's, but never below 8 px. */
	double fs = c->px * 0.72 > 8 ? c->px * 0.72 : 8;
	char label[80];
	fit_label(c, fs * 1.1, cv->channel, x1 - x0, label, sizeof label, 1, CUT_MIDDLE);
	int title_y = y0 + (int)(fs * 1.2);
	text(c, x0, title_y, fs * 1.1, c->fg, LEFT, label, 1);
	int used = face_width(c, fs * 1.1, label, 1);
	if (cv->shape[0] && used < x1 - x0 - (int)fs * 4) {
		/* Whole clauses first ("S-curve, threshold 214/day" as
		 * "S-curve"): a number cut short reads as another. */
		char shape[80], whole[80];
		int room = x1 - x0 - used - (int)fs;
		snprintf(whole, sizeof whole, "%s", cv->shape);
		for (char *comma; face_width(c, fs, whole, 0) > room && (comma = strrchr(whole, ','));)
			*comma = '\0';
		fit_label(c, fs, whole, room, shape, sizeof shape, 0, CUT_END);
		text(c, x0 + used + (int)(fs * 0.6), title_y, fs, c->muted, LEFT, shape, 0);
	}
	if (!cv->has_curve) {
		gdImageRectangle(c->im, x0, title_y + (int)(fs * 0.6), x1, y1, c->grid);
		text(c, (x0 + x1) / 2, (title_y + y1) / 2 + (int)(fs * 0.4), fs, c->muted, CENTER,
		     "no spend history", 0);
		return;
	}
	double y_max = 0;
	for (int i = 0; i < CHART_CURVE_SAMPLES; i++) {
		double v[2] = { cv->revenue[i], cv->hi80[i] };
		for (int k = 0; k < 2; k++)
			y_max = isfinite(v[k]) && v[k] > y_max ? v[k] : y_max;
	}
	for (int d = 0; d < cv->ndays; d++)
		y_max = cv->days[d].revenue > y_max ? cv->days[d].revenue : y_max;
	y_max = y_max > 0 ? y_max * 1.08 : 1;
	/* The left margin: the widest revenue label. */
	double yt[16], xt[16], ystep, xstep;
	struct curve_frame f = { 0, title_y + (int)(fs * 1.0), x1 - (int)(fs * 0.8),
				 y1 - (int)(fs * 1.5), cv->x_max, y_max };
	int ny = ticks_within(y_max, (f.y1 - f.y0) / (int)(fs * 2.2) > 2 ? (f.y1 - f.y0) / (int)(fs * 2.2) : 2,
			      yt, 16, &ystep);
	int margin = 0;
	for (int i = 0; i < ny; i++) {
		ticks_label(yt[i], ystep, TICK_SI, label, sizeof label);
		int w = text_width(c, fs, label);
		margin = w > margin ? w : margin;
	}
	f.x0 = x0 + margin + (int)(fs * 0.5);
	if (f.x1 - f.x0 < 20 || f.y1 - f.y0 < 20)
		return; /* no room for a plot: the title alone */
	for (int i = 0; i < ny; i++) {
		int y = cy_of(&f, yt[i]);
		ticks_label(yt[i], ystep, TICK_SI, label, sizeof label);
		gdImageLine(c->im, f.x0, y, f.x1, y, yt[i] == 0 ? c->muted : c->grid);
		text(c, f.x0 - (int)(fs * 0.35), y + (int)(fs * 0.35), fs, c->muted, RIGHT, label, 0);
	}
	char sample[32];
	ticks_label(cv->x_max, cv->x_max / 4, TICK_SI, sample, sizeof sample);
	int room = text_width(c, fs, sample) + (int)(fs * 1.5);
	int nx = ticks_within(cv->x_max, (f.x1 - f.x0) / (room > 1 ? room : 1), xt, 16, &xstep);
	for (int i = 0; i < nx; i++) {
		int x = cx_of(&f, xt[i]);
		ticks_label(xt[i], xstep, TICK_SI, label, sizeof label);
		gdImageLine(c->im, x, f.y1, x, f.y1 + (int)(fs * 0.3), c->muted);
		text(c, x, f.y1 + (int)(fs * 1.3), fs, c->muted, CENTER, label, 0);
	}
	gdImageLine(c->im, f.x0, f.y0, f.x0, f.y1, c->grid);
	/* Nothing past the frame: a refund's day below zero, a band above
	 * the range, stay in their own panel. */
	gdImageSetClip(c->im, f.x0, f.y0, f.x1, f.y1);
	/* The band: one polygon, the high side out and the low side back. */
	gdPoint band_poly[2 * CHART_CURVE_SAMPLES];
	int k = 0;
	for (int i = 0; i < CHART_CURVE_SAMPLES; i++)
		if (isfinite(cv->lo80[i]) && isfinite(cv->hi80[i]))
			band_poly[k++] = (gdPoint){ cx_of(&f, cv->x_max * i / (CHART_CURVE_SAMPLES - 1)),
						    cy_of(&f, cv->hi80[i]) };
	for (int i = CHART_CURVE_SAMPLES - 1; i >= 0; i--)
		if (isfinite(cv->lo80[i]) && isfinite(cv->hi80[i]))
			band_poly[k++] = (gdPoint){ cx_of(&f, cv->x_max * i / (CHART_CURVE_SAMPLES - 1)),
						    cy_of(&f, cv->lo80[i]) };
	if (k >= 4)
		gdImageFilledPolygon(c->im, band_poly, k, c->band80[0]);
	/* Dots of 4 pixels and up: gd's 3-pixel ellipse is a plus sign. */
	int days = day_color(c), diameter = c->px >= 14 ? (int)(c->px * 0.35) : 4;
	for (int d = 0; d < cv->ndays; d++)
		dot(c, cx_of(&f, cv->days[d].spend), cy_of(&f, cv->days[d].revenue), diameter, days);
	for (int i = 1; i < CHART_CURVE_SAMPLES; i++)
		if (isfinite(cv->revenue[i - 1]) && isfinite(cv->revenue[i]))
			thick_line(c, cx_of(&f, cv->x_max * (i - 1) / (CHART_CURVE_SAMPLES - 1)),
				   cy_of(&f, cv->revenue[i - 1]),
				   cx_of(&f, cv->x_max * i / (CHART_CURVE_SAMPLES - 1)), cy_of(&f, cv->revenue[i]),
				   c->color[0], c->line);
	gdImageSetClip(c->im, 0, 0, c->w - 1, c->h - 1);
	/* Current spend dashed grey, the recommendation solid vermillion: told
	 * apart by colour and by stroke, also where they fall on one spot (the
	 * dashes drawn over the solid line: the other way round they were
	 * hidden under it). */
	if (isfinite(cv->recommended)) {
		int x = cx_of(&f, cv->recommended);
		thick_line(c, x, f.y1, x, f.y0, c->color[5], c->line);
	}
	if (isfinite(cv->current)) {
		double phase = 0;
		int x = cx_of(&f, cv->current);
		dashed(c, x, f.y1, x, f.y0, c->color[6], &phase);
	}
}

/* The legend's swatches, drawn like the marks they stand for. */
enum curve_key { KEY_DAY, KEY_CURVE, KEY_BAND, KEY_CURRENT, KEY_RECOMMENDED, KEY__MAX };
static const char *const curve_key_labels[KEY__MAX] = {
	"observed day", "expected revenue", "80% band", "current spend", "recommended",
};

static int curve_legend_width(struct canvas *c)
{
	int w = 0;
	for (int i = 0; i < KEY__MAX; i++)
		w += text_width(c, c->px * 0.8, curve_key_labels[i]) + (int)(c->px * 2.4);
	return w;
}

/* The legend, ending at x_right with its baseline at y. */
static void curve_legend(struct canvas *c, int x_right, int y)
{
	int x = x_right - curve_legend_width(c), sw = (int)(c->px * 1.2), mid = y - (int)(c->px * 0.3);
	for (int i = 0; i < KEY__MAX; i++) {
		int top = y - (int)(c->px * 0.8), x1 = x + sw;
		double phase = 0;
		switch ((enum curve_key)i) {
		case KEY_DAY: dot(c, x + sw / 2, mid, (int)(c->px * 0.5), day_color(c)); break;
		case KEY_CURVE: thick_line(c, x, mid, x1, mid, c->color[0], c->line); break;
		case KEY_BAND: gdImageFilledRectangle(c->im, x, top, x1, y, c->band80[0]); break;
		case KEY_CURRENT: dashed(c, x + sw / 2, y, x + sw / 2, top, c->color[6], &phase); break;
		case KEY_RECOMMENDED: thick_line(c, x + sw / 2, y, x + sw / 2, top, c->color[5], c->line); break;
		case KEY__MAX: break;
		}
		x += sw + (int)(c->px * 0.5);
		text(c, x, y, c->px * 0.8, c->fg, LEFT, curve_key_labels[i], 0);
		x += text_width(c, c->px * 0.8, curve_key_labels[i]) + (int)(c->px * 0.7);
	}
}

/* The grid for n panels in a width x height area: the columns whose panels
 * come nearest a 1.6:1 shape at the largest size. */
static int curve_columns(int n, int width, int height)
{
	int best = 1;
	double best_size = -1;
	for (int cols = 1; cols <= n; cols++) {
		int rows = (n + cols - 1) / cols;
		double pw = (double)width / cols, ph = (double)height / rows;
		double size = pw / 1.6 < ph ? pw / 1.6 : ph;
		if (size > best_size * 1.0001) {
			best_size = size;
			best = cols;
		}
	}
	return best;
}

static int draw_curves(struct canvas *c, const struct chart_data *d)
{
	const char *title = "Response curves: daily revenue against daily spend";
	int y = open_chart(c, title, d, d->ncurves == 0);
	if (y < 0)
		return 0;
	/* The legend beside the subtitle when both fit, else on a line of its own. */
	int sub_w = d->subtitle[0] ? text_width(c, c->px * 0.85, d->subtitle) : 0;
	if ((int)c->px + sub_w + (int)(c->px * 2) + curve_legend_width(c) <= c->w - (int)c->px) {
		curve_legend(c, c->w - (int)c->px, y - (int)(c->px * 1.2));
	} else if (curve_legend_width(c) <= c->w - 2 * (int)c->px) {
		y += (int)(c->px * 0.2);
		curve_legend(c, c->w - (int)c->px, y);
		y += (int)(c->px * 1.0);
	} /* narrower than the legend: the panels without it */
	int x0 = (int)c->px, x1 = c->w - (int)c->px, top = y, bottom = c->h - (int)(c->px * 0.6);
	/* As many panels as are readable: at most CHART_CURVES_SHOWN, each at
	 * least about 12 by 7 text heights. The rest are counted below. */
	int shown = d->ncurves < CHART_CURVES_SHOWN ? d->ncurves : CHART_CURVES_SHOWN, cols, rows;
	for (;;) {
		int reserve = shown < d->ncurves ? (int)(c->px * 1.4) : 0;
		cols = curve_columns(shown, x1 - x0, bottom - reserve - top);
		rows = (shown + cols - 1) / cols;
		if (shown == 1 || ((x1 - x0) / cols >= c->px * 12 && (bottom - reserve - top) / rows >= c->px * 7))
			break;
		shown--;
	}
	if (shown < d->ncurves) {
		char note[96];
		snprintf(note, sizeof note, "%d more channel%s not shown: ask for one with channel=NAME",
			 d->ncurves - shown, d->ncurves - shown == 1 ? "" : "s");
		text(c, x1, bottom, c->px * 0.8, c->muted, RIGHT, note, 0);
		bottom -= (int)(c->px * 1.4);
	}
	int gap_x = (int)(c->px * 1.2), gap_y = (int)(c->px * 0.6);
	int pw = (x1 - x0 + gap_x) / cols, ph = (bottom - top + gap_y) / rows;
	for (int i = 0; i < shown; i++) {
		int px0 = x0 + (i % cols) * pw, py0 = top + (i / cols) * ph;
		curve_panel(c, &d->curves[i], px0, py0, px0 + pw - gap_x, py0 + ph - gap_y);
	}
	return 0;
}

/* --- forecast accuracy (#16) ------------------------------------------------------ */

/* A key of the accuracy chart's legends: a short stroke (dashed or with a
 * dot on it) and its label. */
struct accuracy_key {
	char label[96]; /* a name of up to 79 bytes and " (none scored)" */
	int color, width, dashed;
};

/* Lays the keys out from x0, wrapping before x1, the first baseline at y;
 * draws them when draw. Returns the number of lines used. */
static int accuracy_keys(struct canvas *c, const struct accuracy_key *k, int n, int x0, int x1, int y,
			 int draw)
{
	int sw = (int)(c->px * 1.6), x = x0, lines = n > 0;
	double fs = c->px * 0.8;
	for (int i = 0; i < n; i++) {
		int w = sw + (int)(c->px * 0.4) + text_width(c, fs, k[i].label);
		if (x > x0 && x + w > x1) {
			x = x0;
			y += (int)(c->px * 1.3);
			lines++;
		}
		if (draw) {
			int mid = y - (int)(c->px * 0.3);
			double phase = 0;
			if (k[i].dashed) {
				dashed(c, x, mid, x + sw, mid, k[i].color, &phase);
			} else {
				thick_line(c, x, mid, x + sw, mid, k[i].color, k[i].width);
				dot(c, x + sw / 2, mid, k[i].width + 4, k[i].color);
			}
			text(c, x + sw + (int)(c->px * 0.4), y, fs, c->fg, LEFT, k[i].label, 0);
		}
		x += w + (int)(c->px * 0.9);
	}
	return lines;
}

/* Does a line have any score to draw? */
static int accuracy_scored(const struct chart_accuracy *a)
{
	for (int j = 0; j < CHART_LEADS; j++)
		if (isfinite(a->mase[j]) || isfinite(a->coverage_80[j]) || isfinite(a->coverage_95[j]))
			return 1;
	return 0;
}

/* The lead-time axis of f: leads[] along x (frame first..last hold the
 * range in days), a tick and label at each, and the axis's name below. */
static void lead_axis(struct canvas *c, const struct frame *f, const int *leads)
{
	for (int j = 0; j < CHART_LEADS; j++) {
		char label[16];
		int x = x_of_day(f, leads[j]);
		snprintf(label, sizeof label, "%d", leads[j]);
		gdImageLine(c->im, x, f->y0, x, f->y1, c->grid);
		gdImageLine(c->im, x, f->y1, x, f->y1 + (int)(c->px * 0.3), c->muted);
		text(c, x, f->y1 + (int)(c->px * 1.3), c->px * 0.85, c->muted, CENTER, label, 0);
	}
	text(c, (f->x0 + f->x1) / 2, f->y1 + (int)(c->px * 2.5), c->px * 0.8, c->muted, CENTER,
	     "days ahead (lead time)", 0);
}

/* The values v[] at the leads as a line with a dot at each known value:
 * unknown ones are gaps. */
static void lead_line(struct canvas *c, const struct frame *f, const int *leads, const double *v, int color,
		      int width)
{
	for (int j = 1; j < CHART_LEADS; j++)
		if (isfinite(v[j - 1]) && isfinite(v[j]))
			thick_line(c, x_of_day(f, leads[j - 1]), y_of(f, v[j - 1]), x_of_day(f, leads[j]),
				   y_of(f, v[j]), color, width);
	for (int j = 0; j < CHART_LEADS; j++)
		if (isfinite(v[j]))
			dot(c, x_of_day(f, leads[j]), y_of(f, v[j]), 2 * width + (int)(c->px * 0.3), color);
}

/* A dashed level across f, labelled (unless label is NULL) right of the
 * frame, where no line runs. */
static void reference(struct canvas *c, const struct frame *f, double v, const char *label)
{
	double phase = 0;
	int y = y_of(f, v);
	dashed(c, f->x0, y, f->x1, y, c->muted, &phase);
	if (label != NULL)
		text(c, f->x1 + (int)(c->px * 0.3), y + (int)(c->px * 0.3), c->px * 0.75, c->muted, LEFT, label, 0);
}

/* The colour of line i of the shown ones: the total in the text colour,
 * the others through the palette. */
static int accuracy_color(struct canvas *c, const struct chart_data *d, int i)
{
	if (d->accuracy[i].total)
		return c->fg;
	int others = 0;
	for (int k = 0; k < i; k++)
		others += !d->accuracy[k].total;
	return c->color[others % PALETTE];
}

static int draw_accuracy(struct canvas *c, const struct chart_data *d)
{
	const char *title = "Forecast accuracy by lead time";
	int scored = 0;
	for (int i = 0; i < d->naccuracy; i++)
		scored |= accuracy_scored(&d->accuracy[i]);
	int y = open_chart_note(c, title, d, !scored,
				"No forecasts scored yet: a forecast is scored once its day has passed");
	if (y < 0)
		return 0;
	int shown = d->naccuracy < CHART_ACCURACY_SHOWN ? d->naccuracy : CHART_ACCURACY_SHOWN;
	const struct chart_accuracy *cov = d->coverage_of >= 0 && d->coverage_of < d->naccuracy
						   ? &d->accuracy[d->coverage_of] : NULL;
	/* Two panels side by side, the error the wider. */
	int left = (int)c->px, right = c->w - (int)c->px, gap = (int)(c->px * 2.5);
	int split = left + (int)((right - left - gap) * 0.56);
	int lx0 = left, lx1 = split, rx0 = split + gap, rx1 = right;
	/* The legends: a key per channel shown under the error, the bands'
	 * under the coverage. */
	struct accuracy_key keys[CHART_ACCURACY_SHOWN + 1];
	for (int i = 0; i < shown; i++) {
		const struct chart_accuracy *a = &d->accuracy[i];
		char name[80]; /* with " (none scored)", within the key's label */
		fit_label(c, c->px * 0.8, a->channel, (lx1 - lx0) / 2, name, sizeof name, 0, CUT_MIDDLE);
		snprintf(keys[i].label, sizeof keys[i].label, "%s%s", name,
			 a->total ? " (total)" : accuracy_scored(a) ? "" : " (none scored)");
		keys[i].color = accuracy_color(c, d, i);
		keys[i].width = a->total ? c->line + 2 : c->line;
		keys[i].dashed = 0;
	}
	keys[shown] = (struct accuracy_key){ "seasonal naive", c->muted, c->line, 1 };
	struct accuracy_key bands[3] = { { "80% band", c->color[0], c->line, 0 },
					 { "95% band", c->color[2], c->line, 0 },
					 { "nominal", c->muted, c->line, 1 } };
	int bottom = c->h - (int)(c->px * 0.6);
	if (shown < d->naccuracy) {
		char note[96];
		snprintf(note, sizeof note, "%d more channel%s not shown: ask for one with channel=NAME",
			 d->naccuracy - shown, d->naccuracy - shown == 1 ? "" : "s");
		text(c, right, bottom, c->px * 0.8, c->muted, RIGHT, note, 0);
		bottom -= (int)(c->px * 1.4);
	}
	int lines_l = accuracy_keys(c, keys, shown + 1, lx0, lx1, 0, 0);
	int lines_r = accuracy_keys(c, bands, 3, rx0, rx1, 0, 0);
	int lines = lines_l > lines_r ? lines_l : lines_r;
	int key_y = bottom - (lines - 1) * (int)(c->px * 1.3);
	accuracy_keys(c, keys, shown + 1, lx0, lx1, key_y, 1);
	accuracy_keys(c, bands, 3, rx0, rx1, key_y, 1);
	int y1 = key_y - (int)(c->px * 1.4) - (int)(c->px * 2.6), y0 = y + (int)(c->px * 1.0);
	/* The panels' titles. */
	char cov_name[120], cov_title[120];
	snprintf(cov_name, sizeof cov_name, "Band coverage%s%s", cov ? ": " : "", cov ? cov->channel : "");
	fit_label(c, c->px * 0.9, cov_name, rx1 - rx0, cov_title, sizeof cov_title, 1, CUT_END);
	text(c, lx0, y0 - (int)(c->px * 0.5), c->px * 0.9, c->fg, LEFT, "Error by lead time (MASE)", 1);
	text(c, rx0, y0 - (int)(c->px * 0.5), c->px * 0.9, c->fg, LEFT, cov_title, 1);
	if (y1 - y0 < 20)
		return 0; /* no room for plots: titles and legends alone */
	int last_lead = d->leads[CHART_LEADS - 1];
	/* Left: MASE from 0, never below 1 at the top (the seasonal naive's). */
	double hi = 1;
	for (int i = 0; i < shown; i++)
		for (int j = 0; j < CHART_LEADS; j++)
			if (isfinite(d->accuracy[i].mase[j]) && d->accuracy[i].mase[j] > hi)
				hi = d->accuracy[i].mase[j];
	hi *= 1.05;
	struct frame fl = { lx0 + y_label_width(c, 0, hi, TICK_PLAIN) + (int)(c->px * 0.6), y0, lx1, y1,
			    0, hi, -1, last_lead + 2 };
	if (fl.x1 - fl.x0 >= 20) {
		y_axis(c, &fl, TICK_PLAIN);
		lead_axis(c, &fl, d->leads);
		reference(c, &fl, 1, NULL);
		for (int pass = 0; pass < 2; pass++) /* the total last, on top */
			for (int i = 0; i < shown; i++)
				if (d->accuracy[i].total == pass)
					lead_line(c, &fl, d->leads, d->accuracy[i].mase, keys[i].color, keys[i].width);
	}
	/* Right: the share of actuals inside each band, 0 to 100%. */
	int nominal_w = text_width(c, c->px * 0.75, "95%") + (int)(c->px * 0.5);
	struct frame fr = { rx0 + y_label_width(c, 0, 1, TICK_PERCENT) + (int)(c->px * 0.6), y0,
			    rx1 - nominal_w, y1, 0, 1, -1, last_lead + 2 };
	if (fr.x1 - fr.x0 < 20)
		return 0;
	y_axis(c, &fr, TICK_PERCENT);
	lead_axis(c, &fr, d->leads);
	reference(c, &fr, 0.8, "80%");
	reference(c, &fr, 0.95, "95%");
	int banded = 0;
	for (int j = 0; cov != NULL && j < CHART_LEADS; j++)
		banded |= isfinite(cov->coverage_80[j]) || isfinite(cov->coverage_95[j]);
	if (!banded) {
		text(c, (fr.x0 + fr.x1) / 2, (fr.y0 + fr.y1) / 2, c->px * 0.85, c->muted, CENTER,
		     "no banded forecast scored", 0);
		return 0;
	}
	lead_line(c, &fr, d->leads, cov->coverage_80, c->color[0], c->line);
	lead_line(c, &fr, d->leads, cov->coverage_95, c->color[2], c->line);
	return 0;
}

int chart_render(const struct chart_data *data, const struct chart_style *style,
		 unsigned char **png, int *size)
{
	struct canvas c;
	*png = NULL;
	if (canvas_open(&c, style) != 0)
		return -1;
	switch (data->kind) {
	case CHART_ROI_FORECAST: draw_roi_forecast(&c, data); break;
	case CHART_ROI_TIMESERIES: draw_timeseries(&c, data, "ROI and conversions"); break;
	case CHART_REACH_CTR: draw_timeseries(&c, data, "Reach and click-through rate"); break;
	case CHART_BUDGET: draw_budget(&c, data); break;
	case CHART_BUDGET_CURVES: draw_curves(&c, data); break;
	case CHART_ACCURACY: draw_accuracy(&c, data); break;
	case CHART__MAX: break;
	}
	return canvas_png(&c, png, size);
}
