/* Unit tests of charts/ticks.c and charts/chart.c: tick steps and labels,
 * date ticks, and the PNGs themselves (size, colours where they belong). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <gd.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chart.h"
#include "ticks.h"

static void test_numeric_ticks(void **state)
{
	(void)state;
	for (double hi = 0.001; hi <= 2e9; hi *= 3.7) {
		double lo = hi * -0.3, a = lo, b = hi, t[32], step;
		int n = ticks_numeric(&a, &b, 6, t, 32, &step);
		assert_true(n >= 2 && n <= 6);
		assert_true(a <= lo && b >= hi);
		double m = step / pow(10, floor(log10(step)));
		assert_true(fabs(m - 1) < 1e-9 || fabs(m - 2) < 1e-9 || fabs(m - 2.5) < 1e-9 || fabs(m - 5) < 1e-9);
		for (int i = 1; i < n; i++)
			assert_true(fabs(t[i] - t[i - 1] - step) < step * 1e-6);
	}
	double a = 5, b = 5, t[8], step; /* a flat range still gets an axis */
	assert_true(ticks_numeric(&a, &b, 5, t, 8, &step) >= 2 && a < 5 && b > 5);
}

static void test_labels(void **state)
{
	(void)state;
	char buf[32];
	ticks_label(1500, 500, TICK_SI, buf, sizeof buf);
	assert_string_equal(buf, "1.5k");
	ticks_label(2e6, 1e6, TICK_SI, buf, sizeof buf);
	assert_string_equal(buf, "2M");
	ticks_label(0, 1e6, TICK_SI, buf, sizeof buf);
	assert_string_equal(buf, "0");
	ticks_label(0.25, 0.25, TICK_PERCENT, buf, sizeof buf);
	assert_string_equal(buf, "25%");
	ticks_label(0.015, 0.005, TICK_PERCENT, buf, sizeof buf);
	assert_string_equal(buf, "1.5%");
	ticks_label(0.002, 0.001, TICK_PLAIN, buf, sizeof buf);
	assert_string_equal(buf, "0.002");
	ticks_label(-3e9, 1e9, TICK_SI, buf, sizeof buf);
	assert_string_equal(buf, "-3G");
}

static void test_date_ticks(void **state)
{
	(void)state;
	long t[64];
	enum date_unit unit;
	char buf[32];
	long jan1 = 19723; /* 2024-01-01, a Monday */
	int n = ticks_dates(jan1, jan1 + 365, 12, t, 64, &unit); /* a year: months */
	assert_int_equal(unit, DATE_MONTH);
	assert_true(n >= 6 && n <= 12);
	ticks_date_label(t[0], unit, buf, sizeof buf);
	assert_string_equal(buf, "Jan 2024");
	n = ticks_dates(jan1 + 2, jan1 + 60, 10, t, 64, &unit); /* two months: weeks from Monday */
	assert_int_equal(unit, DATE_WEEK);
	assert_int_equal((t[0] + 3) % 7, 0);
	ticks_date_label(t[0], unit, buf, sizeof buf);
	assert_string_equal(buf, "Jan 8");
	n = ticks_dates(jan1, jan1 + 6, 10, t, 64, &unit);
	assert_int_equal(unit, DATE_DAY);
	assert_int_equal(n, 7);
	n = ticks_dates(jan1, jan1 + 5 * 365, 8, t, 64, &unit);
	assert_true(n <= 8 && (unit == DATE_YEAR || unit == DATE_QUARTER));
}

/* Decodes a chart and returns the image (caller destroys). */
static gdImagePtr render(const struct chart_data *d, int w, int h, int dark)
{
	struct chart_style st = { w, h, dark, NULL };
	unsigned char *png;
	int size;
	assert_int_equal(chart_render(d, &st, &png, &size), 0);
	gdImagePtr im = gdImageCreateFromPngPtr(size, png);
	chart_free(png);
	assert_non_null(im);
	assert_int_equal(gdImageSX(im), w);
	assert_int_equal(gdImageSY(im), h);
	return im;
}

static int ink_in(gdImagePtr im, int x0, int y0, int x1, int y1, int bg)
{
	int n = 0;
	for (int y = y0; y < y1; y++)
		for (int x = x0; x < x1; x++)
			n += gdImageGetTrueColorPixel(im, x, y) != bg;
	return n;
}

static void test_bars_and_themes(void **state)
{
	(void)state;
	struct chart_bar bar = { .channel = "search", .value = 1.0, .lo80 = 0.8, .hi80 = 1.2,
				 .lo95 = 0.6, .hi95 = 1.4 };
	struct chart_data d = { .kind = CHART_ROI_FORECAST, .bars = &bar, .nbars = 1,
				.subtitle = "run of 2026-01-01" };
	gdImagePtr im = render(&d, 800, 400, 0);
	int bg = gdImageGetTrueColorPixel(im, 0, 0);
	assert_int_equal(bg, 0xFFFFFF);
	/* the bar: the first palette colour, left of its whisker, in the lower half */
	assert_int_equal(gdImageGetTrueColorPixel(im, 400 - 60, 300), 0x0072B2);
	assert_true(ink_in(im, 0, 0, 300, 30, bg) > 200); /* the title has text pixels */
	gdImageDestroy(im);

	im = render(&d, 1600, 900, 1);
	int dark = gdImageGetTrueColorPixel(im, 2, 2);
	assert_true(((dark >> 16) & 255) + ((dark >> 8) & 255) + (dark & 255) < 3 * 40);
	gdImageDestroy(im);
}

static void test_series_and_empty(void **state)
{
	(void)state;
	struct chart_point pts[60];
	for (int i = 0; i < 60; i++) {
		double v = 0.5 + 0.1 * sin(i);
		int f = i >= 45;
		pts[i] = (struct chart_point){ 19723 + i, f, v, f ? v - 0.1 : NAN, f ? v + 0.1 : NAN,
					       f ? v - 0.2 : NAN, f ? v + 0.2 : NAN };
	}
	struct chart_data d = { .kind = CHART_ROI_TIMESERIES };
	d.panels[0] = (struct chart_panel){ "ROI", 1, pts, 60 };
	d.panels[1] = (struct chart_panel){ "Conversions", 0, pts, 60 };
	gdImagePtr im = render(&d, 640, 360, 0);
	int blue = 0, orange = 0;
	for (int y = 0; y < 360; y++)
		for (int x = 0; x < 640; x++) {
			int p = gdImageGetTrueColorPixel(im, x, y);
			blue += p == 0x0072B2;
			orange += p == 0xE69F00;
		}
	assert_true(blue > 100 && orange > 100); /* both panels' lines are drawn */
	gdImageDestroy(im);

	struct chart_data empty = { .kind = CHART_BUDGET };
	im = render(&empty, 800, 400, 0);
	/* "No data yet" in the middle of an otherwise empty chart */
	assert_true(ink_in(im, 100, 180, 700, 220, 0xFFFFFF) > 100);
	gdImageDestroy(im);
}

/* Muted pixels in rows y0..y1 of the image. */
static int muted_in(gdImagePtr im, int y0, int y1)
{
	int count = 0;
	for (int y = y0; y < y1; y++)
		for (int x = 0; x < gdImageSX(im); x++)
			count += gdImageGetTrueColorPixel(im, x, y) == 0x5F6B76;
	return count;
}

/* The calendar's events (Black Friday, Cyber Monday, Christmas, Boxing Day
 * between November and December 2024) are marked on the time axis; the
 * same series over August and September, which hold none, has no marks. */
static void test_event_marks(void **state)
{
	(void)state;
	struct chart_point with[60], without[60];
	for (int i = 0; i < 60; i++) {
		double v = 100 + 10 * sin(i);
		int f = i >= 45;
		with[i] = (struct chart_point){ 20028 + i, f, v, NAN, NAN, f ? v - 20 : NAN, f ? v + 20 : NAN };
		without[i] = with[i];
		without[i].day = 19936 + i;
	}
	struct chart_data d = { .kind = CHART_REACH_CTR };
	d.panels[0] = (struct chart_panel){ "Reach", 0, with, 60 };
	d.panels[1] = (struct chart_panel){ "CTR", 1, with, 60 };
	gdImagePtr a = render(&d, 800, 400, 0);
	d.panels[0].points = d.panels[1].points = without;
	gdImagePtr b = render(&d, 800, 400, 0);
	/* The lower panel's plot area, above the date labels. */
	int marked = muted_in(a, 220, 376), plain = muted_in(b, 220, 376);
	print_message("muted pixels above the axis: %d with four events, %d without\n", marked, plain);
	assert_true(marked >= plain + 4 * 12);
	gdImageDestroy(a);
	gdImageDestroy(b);
}

/* Text from the cache looks like text drawn directly: few pixels differ,
 * and none by much. */
static void test_text_cache_matches(void **state)
{
	(void)state;
	struct chart_bar bars[3] = { { .channel = "search", .current = 300, .recommended = 450 },
				     { .channel = "social", .current = 500, .recommended = 250 },
				     { .channel = "email", .current = 80, .recommended = 120 } };
	struct chart_data d = { .kind = CHART_BUDGET, .bars = bars, .nbars = 3, .subtitle = "run of today" };
	struct chart_text_cache *cache = chart_text_cache_new();
	for (int dark = 0; dark <= 1; dark++) {
		struct chart_style plain = { 800, 400, dark, NULL }, cached = { 800, 400, dark, cache };
		unsigned char *a, *b;
		int na, nb;
		assert_int_equal(chart_render(&d, &plain, &a, &na), 0);
		for (int round = 0; round < 2; round++) { /* cold, then warm */
			assert_int_equal(chart_render(&d, &cached, &b, &nb), 0);
			gdImagePtr ia = gdImageCreateFromPngPtr(na, a), ib = gdImageCreateFromPngPtr(nb, b);
			int differ = 0, worst = 0; /* worst: the largest difference in any channel */
			for (int y = 0; y < 400; y++)
				for (int x = 0; x < 800; x++) {
					int p = gdImageGetTrueColorPixel(ia, x, y), q = gdImageGetTrueColorPixel(ib, x, y);
					for (int shift = 0; shift <= 16; shift += 8) {
						int diff = abs((p >> shift & 255) - (q >> shift & 255));
						worst = diff > worst ? diff : worst;
					}
					differ += p != q;
				}
			assert_true(differ < 800 * 400 / 50); /* under 2% of the pixels */
			/* Blending the kept coverage rounds a little differently from gd's
			 * own (2 levels today); a label drawn a pixel off differs by
			 * most of the range where its strokes are. */
			assert_in_range(worst, 0, 8);
			gdImageDestroy(ia);
			gdImageDestroy(ib);
			chart_free(b);
		}
		chart_free(a);
	}
	chart_text_cache_free(cache);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_numeric_ticks),
		cmocka_unit_test(test_labels),
		cmocka_unit_test(test_date_ticks),
		cmocka_unit_test(test_bars_and_themes),
		cmocka_unit_test(test_series_and_empty),
		cmocka_unit_test(test_text_cache_matches),
		cmocka_unit_test(test_event_marks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
