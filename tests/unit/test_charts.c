/* Unit tests of charts/ticks.c, charts/chart.c and charts/chart_results.c:
 * tick steps and labels, date ticks, the PNGs themselves (size, colours
 * where they belong), the response curves' panels, the forecast accuracy
 * chart and the anomalies marked on the time series. */
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
#include "chart_results.h"
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

/* Bar labels too long for their slot keep both ends: fourteen channels
 * named meta_prospecting_<country> at 800 px had read "meta_" alike (a
 * review's case), so the last bar's label changes with its country. */
static void test_bar_labels_keep_their_ends(void **state)
{
	(void)state;
	const char *country[14] = { "uk", "de", "fr", "es", "it", "nl", "se",
				    "no", "dk", "fi", "pl", "at", "ch", "be" };
	struct chart_bar bars[14];
	for (int i = 0; i < 14; i++) {
		bars[i] = (struct chart_bar){ .current = 100 + 10 * i, .recommended = 120 + 5 * i };
		snprintf(bars[i].channel, sizeof bars[i].channel, "meta_prospecting_%s", country[i]);
	}
	struct chart_data d = { .kind = CHART_BUDGET, .bars = bars, .nbars = 14 };
	gdImagePtr a = render(&d, 800, 400, 0);
	snprintf(bars[13].channel, sizeof bars[13].channel, "meta_prospecting_pt");
	gdImagePtr b = render(&d, 800, 400, 0);
	int differ = 0;
	for (int y = 370; y < 400; y++) /* the labels' row, under the last bar */
		for (int x = 800 - 800 / 14; x < 800; x++)
			differ += gdImageGetTrueColorPixel(a, x, y) != gdImageGetTrueColorPixel(b, x, y);
	gdImageDestroy(a);
	gdImageDestroy(b);
	print_message("label pixels that differ between _be and _pt: %d\n", differ);
	assert_true(differ > 10);
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

static int count_color(gdImagePtr im, int color, int y0);

/* A value alone between unknown days (ROI where a channel spends one day
 * in four) is a dot, and a lone forecast's band a bar: the panel had
 * been blank (a review's case); a single day likewise. */
static void test_lone_points(void **state)
{
	(void)state;
	struct chart_point pts[60];
	for (int i = 0; i < 60; i++) {
		int f = i >= 48, known = i % 4 == 0;
		double v = known ? 0.5 + 0.1 * sin(i) : NAN;
		pts[i] = (struct chart_point){ 19723 + i, f, v, f && known ? v - 0.1 : NAN,
					       f && known ? v + 0.1 : NAN, f && known ? v - 0.2 : NAN,
					       f && known ? v + 0.2 : NAN };
	}
	struct chart_data d = { .kind = CHART_ROI_TIMESERIES };
	d.panels[0] = (struct chart_panel){ "ROI", 1, pts, 60 };
	d.panels[1] = (struct chart_panel){ "Conversions", 0, pts, 60 };
	gdImagePtr im = render(&d, 640, 360, 0);
	int dots = count_color(im, 0x0072B2, 0);
	gdImageDestroy(im);
	d.panels[0].n = d.panels[1].n = 1; /* one day */
	im = render(&d, 640, 360, 0);
	int one = count_color(im, 0x0072B2, 0);
	gdImageDestroy(im);
	print_message("series pixels: %d for 15 lone days, %d for one day\n", dots, one);
	assert_true(dots > 15 * 5 && one > 5);
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

/* --- response curves ---------------------------------------------------------- */

/* A budget row with a Hill curve (alpha 1: concave; 2.5: an S) and bootstrap
 * draws of beta within +-share, for a band. */
static struct result_budget curve_row(const char *name, double current, double recommended, double alpha,
				      double share)
{
	struct result_budget r = { .current = current, .recommended = recommended, .lower = current / 2,
				   .upper = 2 * current };
	snprintf(r.channel, sizeof r.channel, "%s", name);
	struct response_curve *k = &r.curve;
	k->kind = CURVE_HILL, k->beta = 4 * current, k->k = current, k->alpha = alpha;
	k->draws = share > 0 ? 21 : 0;
	for (int d = 0; d < k->draws; d++)
		k->draw[d] = (struct curve_draw){ CURVE_HILL, { k->beta * (1 - share + share * d / 10.0), k->k, alpha } };
	return r;
}

/* The budget chart says how sure the plan's uplift is: its 80% interval
 * when it excludes zero, and "not sure", drawn to stand out, when the
 * curves' draws put it on both sides of zero. */
static void test_budget_uplift_subtitle(void **state)
{
	(void)state;
	struct chart_data d;
	struct chart_rows rows;
	/* Money moves to the better channel; the draws agree it is better. */
	struct result_budget sure[2] = { curve_row("search", 100, 150, 1, 0.05),
					 curve_row("social", 100, 50, 1, 0.05) };
	sure[1].curve.beta = sure[0].curve.beta / 3;
	for (int k = 0; k < sure[1].curve.draws; k++)
		sure[1].curve.draw[k].p[0] /= 3;
	chart_results_begin(CHART_BUDGET, "2026-01-01 06:00 UTC", "", &d, &rows);
	assert_int_equal(chart_results_budget(&d, &rows, sure, 2, ""), 0);
	assert_non_null(strstr(d.subtitle, "expected uplift +"));
	assert_non_null(strstr(d.subtitle, "(80%: +"));
	assert_false(d.subtitle_warns);
	chart_rows_free(&rows);
	/* Search returns twice what social does at the same spend, enough for
	 * the move on the curves kept; its draws range from +-60%, so under
	 * many of them the move loses. */
	struct result_budget unsure[2] = { curve_row("search", 100, 150, 1, 0.6),
					   curve_row("social", 100, 50, 1, 0.05) };
	unsure[0].curve.beta *= 2;
	for (int k = 0; k < unsure[0].curve.draws; k++)
		unsure[0].curve.draw[k].p[0] *= 2;
	chart_results_begin(CHART_BUDGET, "2026-01-01 06:00 UTC", "", &d, &rows);
	assert_int_equal(chart_results_budget(&d, &rows, unsure, 2, ""), 0);
	assert_non_null(strstr(d.subtitle, "not sure: uplift"));
	assert_non_null(strstr(d.subtitle, "includes zero"));
	assert_true(d.subtitle_warns);
	unsigned char *png = NULL;
	int size = 0;
	struct chart_style style = { .width = 800, .height = 400 };
	assert_int_equal(chart_render(&d, &style, &png, &size), 0);
	assert_true(size > 1000);
	chart_free(png);
	chart_rows_free(&rows);
}

/* Observed days along the curve of r, spends from 0.6 to 1.4 of current. */
static void add_days(struct chart_data *d, struct chart_rows *rows, const struct result_budget *r, int n)
{
	for (int i = 0; i < n; i++) {
		double spend = r->current * (0.6 + 0.8 * i / (n - 1));
		struct result_budget_day day = { 20000 + i, spend, curve_value(&r->curve, spend) * (i % 2 ? 1.05 : 0.95) };
		assert_int_equal(chart_results_curve_day(d, rows, r->channel, &day), 0);
	}
}

/* The panels from a run's budget rows: curves first, the largest
 * recommendation first; the shape named; the range past the data, the
 * bound and the recommendation; the curve within its band. */
static void test_curve_panels(void **state)
{
	(void)state;
	struct result_budget r[3] = { curve_row("search", 100, 150, 1, 0.15),
				      curve_row("social", 300, 250, 2.5, 0.15),
				      { .channel = "email" } }; /* no spend history */
	struct chart_data d;
	struct chart_rows rows;
	chart_results_begin(CHART_BUDGET_CURVES, "2026-01-01 06:00 UTC", "", &d, &rows);
	assert_int_equal(chart_results_curves(&d, &rows, r, 3, ""), 0);
	add_days(&d, &rows, &r[0], 40);
	struct result_budget_day far = { 20100, 260, 500 }, unknown = { 20101, NAN, 10 };
	assert_int_equal(chart_results_curve_day(&d, &rows, "search", &far), 0);
	assert_int_equal(chart_results_curve_day(&d, &rows, "search", &unknown), 0); /* skipped */
	assert_int_equal(chart_results_curve_day(&d, &rows, "nope", &far), 0);      /* not shown */
	chart_results_curves_done(&d, &rows);
	assert_int_equal(d.ncurves, 3);
	assert_string_equal(d.curves[0].channel, "social");
	assert_string_equal(d.curves[1].channel, "search");
	assert_string_equal(d.curves[2].channel, "email");
	assert_false(d.curves[2].has_curve);
	assert_string_equal(d.curves[2].shape, "");
	char shape[64];
	snprintf(shape, sizeof shape, "S-curve, threshold %.0f/day", curve_inflection(&r[1].curve));
	assert_string_equal(d.curves[0].shape, shape);
	assert_string_equal(d.curves[1].shape, "concave");
	const struct chart_curve *c = &d.curves[1];
	assert_int_equal(c->ndays, 41);
	assert_true(c->x_max > 260 && c->x_max < 260 * 1.15); /* past the farthest day (upper bound 200) */
	assert_true(d.curves[0].x_max > 600 && d.curves[0].x_max < 600 * 1.15); /* past the upper bound */
	for (int i = 0; i < CHART_CURVE_SAMPLES; i++)
		assert_true(c->lo80[i] <= c->revenue[i] + 1e-9 && c->revenue[i] <= c->hi80[i] + 1e-9);
	assert_true(c->hi80[CHART_CURVE_SAMPLES - 1] > c->lo80[CHART_CURVE_SAMPLES - 1] * 1.1);
	assert_non_null(strstr(d.subtitle, "2026-01-01"));
	chart_rows_free(&rows);

	/* An S-curve whose fit saw its returns rise over all the spend (its
	 * note says so, as stored with the run): no threshold the days
	 * showed, whatever days the chart is given. */
	for (int rising = 1; rising >= 0; rising--) {
		struct result_budget video = curve_row("video", 100, 200, 2.5, 0.15);
		snprintf(video.curve.note, sizeof video.curve.note, "%s",
			 rising ? "180 days, 40 spend levels, R^2 0.83; S-shaped (alpha 2.50) and "
				  "still rising at the most spent, clearly better than concave"
				: "180 days, 40 spend levels, R^2 0.83; S-shaped (alpha 2.50), clearly "
				  "better than concave");
		chart_results_begin(CHART_BUDGET_CURVES, "", "", &d, &rows);
		assert_int_equal(chart_results_curves(&d, &rows, &video, 1, ""), 0);
		add_days(&d, &rows, &video, 20);
		chart_results_curves_done(&d, &rows);
		snprintf(shape, sizeof shape, "S-curve, threshold %.0f/day", curve_inflection(&video.curve));
		assert_string_equal(d.curves[0].shape, rising ? "S-curve, still rising at the most spent" : shape);
		chart_rows_free(&rows);
	}

	chart_results_begin(CHART_BUDGET_CURVES, "", "search", &d, &rows); /* one channel */
	assert_int_equal(chart_results_curves(&d, &rows, r, 3, "search"), 0);
	chart_results_curves_done(&d, &rows);
	assert_int_equal(d.ncurves, 1);
	chart_rows_free(&rows);
}

/* One channel's panel drawn from rows r (with n observed days). */
static gdImagePtr curve_chart(const struct result_budget *r, int nr, int days, int w, int h, int dark)
{
	struct chart_data d;
	struct chart_rows rows;
	chart_results_begin(CHART_BUDGET_CURVES, "today", "", &d, &rows);
	assert_int_equal(chart_results_curves(&d, &rows, r, nr, ""), 0);
	for (int i = 0; i < nr && days > 0; i++)
		add_days(&d, &rows, &r[i], days);
	chart_results_curves_done(&d, &rows);
	gdImagePtr im = render(&d, w, h, dark);
	chart_rows_free(&rows);
	return im;
}

static int count_color(gdImagePtr im, int color, int y0)
{
	int n = 0;
	for (int y = y0; y < gdImageSY(im); y++)
		for (int x = 0; x < gdImageSX(im); x++)
			n += gdImageGetTrueColorPixel(im, x, y) == color;
	return n;
}

/* The column with the most pixels of color below y0. */
static int column_of(gdImagePtr im, int color, int y0)
{
	int best = -1, most = 0;
	for (int x = 0; x < gdImageSX(im); x++) {
		int n = 0;
		for (int y = y0; y < gdImageSY(im); y++)
			n += gdImageGetTrueColorPixel(im, x, y) == color;
		if (n > most)
			most = n, best = x;
	}
	return best;
}

/* Pixels of the band's light blue (the first palette colour, translucent
 * over white): bluer than red by a margin, and not the line's own blue. */
static int band_pixels(gdImagePtr im)
{
	int n = 0;
	for (int y = 60; y < gdImageSY(im); y++)
		for (int x = 0; x < gdImageSX(im); x++) {
			int p = gdImageGetTrueColorPixel(im, x, y), r = p >> 16 & 255, b = p & 255;
			n += p != 0x0072B2 && b > 200 && b - r > 40;
		}
	return n;
}

/* What a panel shows is where it belongs: the curve, the band only when the
 * curve has draws, the observed days, the recommendation (vermillion) right
 * of the current spend (grey) when it is higher, and at the spend's place
 * along the axis. */
static void test_curves_drawn(void **state)
{
	(void)state;
	struct result_budget one = curve_row("search", 100, 150, 1, 0.15);
	gdImagePtr im = curve_chart(&one, 1, 40, 800, 400, 0);
	assert_int_equal(gdImageGetTrueColorPixel(im, 0, 0), 0xFFFFFF);
	assert_true(ink_in(im, 0, 0, 400, 30, 0xFFFFFF) > 200); /* the title */
	int header = 60; /* below the title, subtitle and legend */
	assert_true(count_color(im, 0x0072B2, header) > 300); /* the curve */
	int rec = column_of(im, 0xD55E00, header), cur = column_of(im, 0x7F7F7F, header);
	print_message("current spend at x=%d, recommended at x=%d\n", cur, rec);
	assert_true(cur > 100 && rec > cur + 100);
	/* x is linear in spend from the axis at 0: 150 / 100 of the way. The
	 * zero line is the row with the most muted pixels; the axis where its
	 * longest run starts (the labels left of it are apart). */
	int zero_row = -1, most = 0;
	for (int y = header; y < 400; y++) {
		int n = 0;
		for (int x = 0; x < 800; x++)
			n += gdImageGetTrueColorPixel(im, x, y) == 0x5F6B76;
		if (n > most)
			most = n, zero_row = y;
	}
	int axis = -1, best_run = 0;
	for (int x = 0, run = 0; x < 800; x++) {
		run = gdImageGetTrueColorPixel(im, x, zero_row) == 0x5F6B76 ? run + 1 : 0;
		if (run > best_run)
			best_run = run, axis = x - run + 1;
	}
	assert_true(axis > 0 && axis < cur);
	double ratio = (double)(rec - axis) / (cur - axis);
	print_message("axis at x=%d: recommended / current = %.3f\n", axis, ratio);
	assert_true(fabs(ratio - 1.5) < 0.05);
	int band = band_pixels(im);
	gdImageDestroy(im);

	struct result_budget sure = curve_row("search", 100, 150, 1, 0); /* no draws: no band */
	im = curve_chart(&sure, 1, 40, 800, 400, 0);
	int no_band = band_pixels(im);
	print_message("band pixels: %d with draws, %d without\n", band, no_band);
	assert_true(band > no_band + 2000);
	gdImagePtr without = curve_chart(&sure, 1, 0, 800, 400, 0);
	int differ = 0;
	for (int y = header; y < 400; y++)
		for (int x = 0; x < 800; x++)
			differ += gdImageGetTrueColorPixel(im, x, y) != gdImageGetTrueColorPixel(without, x, y);
	print_message("pixels the 40 observed days changed: %d\n", differ);
	assert_true(differ > 40 * 6);
	gdImageDestroy(im);
	gdImageDestroy(without);

	/* Dark: a dark ground, the marks still there. */
	im = curve_chart(&one, 1, 40, 1200, 700, 1);
	int bg = gdImageGetTrueColorPixel(im, 2, 2);
	assert_true(((bg >> 16) & 255) + ((bg >> 8) & 255) + (bg & 255) < 3 * 40);
	assert_true(count_color(im, 0xD55E00, 80) > 100 && count_color(im, 0x0072B2, 80) > 300);
	gdImageDestroy(im);
}

/* A channel without a curve gets an empty panel that says so; no channels
 * at all, the chart that says there is no data; more than a grid holds,
 * a note of how many were left out. */
static void test_curves_empty_and_many(void **state)
{
	(void)state;
	struct result_budget none = { .channel = "email" };
	gdImagePtr im = curve_chart(&none, 1, 0, 800, 400, 0);
	assert_int_equal(count_color(im, 0x0072B2, 60), 0);
	assert_int_equal(count_color(im, 0xD55E00, 60), 0);
	assert_true(ink_in(im, 300, 200, 500, 260, 0xFFFFFF) > 50); /* "no spend history" */
	gdImageDestroy(im);

	struct chart_data empty = { .kind = CHART_BUDGET_CURVES };
	im = render(&empty, 800, 400, 0);
	assert_true(ink_in(im, 100, 180, 700, 220, 0xFFFFFF) > 100);
	gdImageDestroy(im);

	struct result_budget many[20];
	for (int i = 0; i < 20; i++) {
		char name[16];
		snprintf(name, sizeof name, "ch%02d", i);
		many[i] = curve_row(name, 100 + 10 * i, 120 + 10 * i, 1, 0.1);
	}
	/* The note sits on the bottom line, right-aligned, under the panels. */
	gdImagePtr twelve = curve_chart(many, 12, 10, 800, 400, 0);
	gdImagePtr twenty = curve_chart(many, 20, 10, 800, 400, 0);
	int bottom12 = ink_in(twelve, 400, 386, 790, 396, 0xFFFFFF);
	int bottom20 = ink_in(twenty, 400, 386, 790, 396, 0xFFFFFF);
	print_message("ink on the bottom line: %d with 12 channels, %d with 20\n", bottom12, bottom20);
	assert_true(bottom20 > bottom12 + 300);
	gdImageDestroy(twelve);
	gdImageDestroy(twenty);
	for (int n = 1; n <= 14; n++) { /* every count draws, small or large */
		im = curve_chart(many, n, 5, n % 2 ? 320 : 1600, n % 2 ? 200 : 900, n % 3 == 0);
		gdImageDestroy(im);
	}
}

/* --- forecast accuracy (#16) ------------------------------------------------------ */

/* A channel's scores of one metric and window at the four leads: MASE
 * 0.6 + 0.15 per lead step + shift, coverage falling with the lead. */
static int accuracy_rows(struct result_accuracy *r, const char *channel, enum result_metric metric, int window,
			 double shift)
{
	for (int l = 0; l < RESULT_LEADS; l++) {
		r[l] = (struct result_accuracy){ .metric = metric, .lead_days = result_leads[l], .window_days = window,
						 .n = 60, .n_banded = 60, .mase = 0.6 + 0.15 * l + shift,
						 .smape = 20, .bias = 1, .coverage_80 = 0.82 - 0.05 * l,
						 .coverage_95 = 0.96 - 0.04 * l };
		snprintf(r[l].channel, sizeof r[l].channel, "%s", channel);
	}
	return RESULT_LEADS;
}

/* The chart of rows r for revenue over 90 days, rendered. */
static gdImagePtr accuracy_chart(const struct result_accuracy *r, int n, const char *channel, int w, int h,
				 int dark)
{
	struct chart_data d;
	struct chart_rows rows;
	chart_results_begin(CHART_ACCURACY, "2026-01-01 06:00 UTC", channel, &d, &rows);
	assert_int_equal(chart_results_accuracy(&d, &rows, r, n, METRIC_REVENUE, 90, channel), 0);
	gdImagePtr im = render(&d, w, h, dark);
	chart_rows_free(&rows);
	return im;
}

/* The builder keeps the metric and window asked for, puts the total first
 * and the channels with the most forecasts scored next, shows the total's
 * coverage (or the channel's), and names metric, window and run. */
static void test_accuracy_rows(void **state)
{
	(void)state;
	struct result_accuracy r[64];
	int n = 0;
	n += accuracy_rows(r + n, "email", METRIC_REVENUE, 90, 0.3);
	n += accuracy_rows(r + n, "search", METRIC_REVENUE, 90, 0.1);
	n += accuracy_rows(r + n, "all", METRIC_REVENUE, 90, 0);
	n += accuracy_rows(r + n, "search", METRIC_REVENUE, 30, 5);  /* another window */
	n += accuracy_rows(r + n, "search", METRIC_ROI, 90, 5);      /* another metric */
	r[0].n = r[1].n = 10; /* email: fewer scored than search */
	struct chart_data d;
	struct chart_rows rows;
	chart_results_begin(CHART_ACCURACY, "2026-01-01 06:00 UTC", "", &d, &rows);
	assert_int_equal(chart_results_accuracy(&d, &rows, r, n, METRIC_REVENUE, 90, ""), 0);
	assert_int_equal(d.naccuracy, 3);
	assert_string_equal(d.accuracy[0].channel, "all");
	assert_true(d.accuracy[0].total);
	assert_string_equal(d.accuracy[1].channel, "search");
	assert_string_equal(d.accuracy[2].channel, "email");
	assert_int_equal(d.coverage_of, 0);
	assert_true(fabs(d.accuracy[1].mase[3] - (0.6 + 0.45 + 0.1)) < 1e-12); /* not the 30-day row's */
	for (int l = 0; l < CHART_LEADS; l++)
		assert_int_equal(d.leads[l], result_leads[l]);
	assert_string_equal(d.subtitle, "revenue · last 90 days · run of 2026-01-01 06:00 UTC");
	chart_rows_free(&rows);

	chart_results_begin(CHART_ACCURACY, "", "search", &d, &rows); /* one channel */
	assert_int_equal(chart_results_accuracy(&d, &rows, r, n, METRIC_ROI, 90, "search"), 0);
	assert_int_equal(d.naccuracy, 1);
	assert_int_equal(d.coverage_of, 0);
	assert_true(fabs(d.accuracy[0].mase[0] - 5.6) < 1e-12);
	assert_string_equal(d.subtitle, "ROI · last 90 days · search");
	chart_rows_free(&rows);

	chart_results_begin(CHART_ACCURACY, "", "", &d, &rows); /* no total: no coverage */
	assert_int_equal(chart_results_accuracy(&d, &rows, r, 2, METRIC_REVENUE, 90, ""), 0);
	assert_int_equal(d.naccuracy, 1);
	assert_int_equal(d.coverage_of, -1);
	chart_rows_free(&rows);
}

/* The chart draws at every size from the smallest served to the largest,
 * in both themes, with few channels or more than it shows. */
static void test_accuracy_sizes(void **state)
{
	(void)state;
	static const char *const names[] = { "all", "search", "social", "email", "display", "video",
					     "affiliate", "tiktok", "radio", "a-channel-with-a-long-name-of-64-bytes-" };
	struct result_accuracy r[40];
	int n = 0;
	for (int c = 0; c < 10; c++)
		n += accuracy_rows(r + n, names[c], METRIC_REVENUE, 90, 0.1 * c);
	static const int sizes[][2] = { { 200, 150 }, { 320, 200 }, { 800, 400 }, { 1200, 700 }, { 2400, 1600 } };
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
		for (int dark = 0; dark <= 1; dark++)
			for (int channels = 1; channels <= 10; channels += 9) {
				gdImagePtr im = accuracy_chart(r, channels * RESULT_LEADS, "", sizes[i][0], sizes[i][1], dark);
				int bg = gdImageGetTrueColorPixel(im, 0, 0);
				assert_int_equal(bg, dark ? 0x14171C : 0xFFFFFF);
				gdImageDestroy(im);
			}
	/* More channels than drawn: a note at the right end of the bottom line
	 * says so (the keys end before it). */
	gdImagePtr few = accuracy_chart(r, 4 * RESULT_LEADS, "", 800, 400, 0);
	gdImagePtr many = accuracy_chart(r, 10 * RESULT_LEADS, "", 800, 400, 0);
	int ink_few = ink_in(few, 700, 380, 795, 398, 0xFFFFFF), ink_many = ink_in(many, 700, 380, 795, 398, 0xFFFFFF);
	print_message("ink at the bottom right: %d with 4 channels, %d with 10\n", ink_few, ink_many);
	assert_int_equal(ink_few, 0);
	assert_true(ink_many > 300);
	/* The total in the text colour, drawn thick: many of its pixels. */
	assert_true(count_color(few, 0x1B1F24, 60) > 800);
	gdImageDestroy(few);
	gdImageDestroy(many);
}

/* Pixels of color left of x_end (the error panel), below the header. */
static int color_left_of(gdImagePtr im, int color, int x_end)
{
	int n = 0;
	for (int y = 60; y < gdImageSY(im); y++)
		for (int x = 0; x < x_end; x++)
			n += gdImageGetTrueColorPixel(im, x, y) == color;
	return n;
}

static int same_image(gdImagePtr a, gdImagePtr b)
{
	for (int y = 0; y < gdImageSY(a); y++)
		for (int x = 0; x < gdImageSX(a); x++)
			if (gdImageGetTrueColorPixel(a, x, y) != gdImageGetTrueColorPixel(b, x, y))
				return 0;
	return 1;
}

/* A row with n = 0 is a gap, not a zero, whatever its scores say: it draws
 * as a lead without a row does, and unlike a MASE of 0 that was scored. */
static void test_accuracy_gaps(void **state)
{
	(void)state;
	struct result_accuracy r[8];
	accuracy_rows(r, "all", METRIC_REVENUE, 90, 0);
	accuracy_rows(r + 4, "search", METRIC_REVENUE, 90, 0.2);
	gdImagePtr full = accuracy_chart(r, 8, "", 800, 400, 0);
	r[6].mase = r[6].coverage_80 = r[6].coverage_95 = 0; /* search at 14 days: scored 0 */
	gdImagePtr zero = accuracy_chart(r, 8, "", 800, 400, 0);
	r[6].n = r[6].n_banded = 0; /* ... or nothing scored */
	gdImagePtr gap = accuracy_chart(r, 8, "", 800, 400, 0);
	r[6] = r[7];
	gdImagePtr missing = accuracy_chart(r, 7, "", 800, 400, 0);
	struct chart_data d;
	struct chart_rows rows;
	chart_results_begin(CHART_ACCURACY, "", "", &d, &rows);
	accuracy_rows(r + 4, "search", METRIC_REVENUE, 90, 0.2);
	r[6].n = 0;
	assert_int_equal(chart_results_accuracy(&d, &rows, r, 8, METRIC_REVENUE, 90, ""), 0);
	assert_true(isnan(d.accuracy[1].mase[2]) && isnan(d.accuracy[1].coverage_80[2]));
	assert_true(isfinite(d.accuracy[1].mase[1]) && isfinite(d.accuracy[1].mase[3]));
	chart_rows_free(&rows);
	/* search is the first colour; the left 55% is the error panel. */
	int full_px = color_left_of(full, 0x0072B2, 440), gap_px = color_left_of(gap, 0x0072B2, 440);
	print_message("search's pixels in the error panel: %d scored, %d with a gap at 14 days\n", full_px, gap_px);
	assert_true(gap_px < full_px * 3 / 4); /* two of three segments and a dot gone */
	assert_true(same_image(gap, missing));
	assert_false(same_image(gap, zero));
	assert_false(same_image(zero, full));
	gdImageDestroy(full);
	gdImageDestroy(zero);
	gdImageDestroy(gap);
	gdImageDestroy(missing);

	/* Bands never scored: the coverage panel says so, the errors are drawn. */
	for (int i = 0; i < 8; i++)
		r[i].n_banded = 0;
	accuracy_rows(r + 4, "search", METRIC_REVENUE, 90, 0.2);
	for (int i = 0; i < 8; i++)
		r[i].n_banded = 0;
	gdImagePtr unbanded = accuracy_chart(r, 8, "", 800, 400, 0);
	int green = 0; /* the 95% line's colour in the coverage panel (its key is below 350) */
	for (int y = 60; y < 350; y++)
		for (int x = 440; x < 800; x++)
			green += gdImageGetTrueColorPixel(unbanded, x, y) == 0x009E73;
	assert_int_equal(green, 0);
	assert_true(color_left_of(unbanded, 0x0072B2, 440) > 300);
	gdImageDestroy(unbanded);
}

/* No scores at all, no rows or rows with nothing scored: the chart says so
 * in the middle and draws no panel. */
static void test_accuracy_empty(void **state)
{
	(void)state;
	gdImagePtr im = accuracy_chart(NULL, 0, "", 800, 400, 0);
	assert_true(ink_in(im, 100, 180, 700, 220, 0xFFFFFF) > 100);
	assert_int_equal(ink_in(im, 0, 260, 800, 400, 0xFFFFFF), 0);
	gdImageDestroy(im);
	struct result_accuracy r[4];
	accuracy_rows(r, "all", METRIC_REVENUE, 90, 0);
	for (int i = 0; i < 4; i++)
		r[i].n = r[i].n_banded = 0;
	im = accuracy_chart(r, 4, "", 800, 400, 1);
	assert_true(ink_in(im, 100, 180, 700, 220, 0x14171C) > 100);
	assert_int_equal(ink_in(im, 0, 260, 800, 400, 0x14171C), 0);
	gdImageDestroy(im);
}

/* --- anomalies on the time series (#16) -------------------------------------------- */

#define SERIES_FIRST 20000
#define SERIES_DAYS 90 /* 75 actual, 15 forecast */

/* The ROI chart (or the reach chart) of the total, its days added before
 * or after the anomalies a, rendered. */
static gdImagePtr anomaly_chart(enum chart_kind kind, const struct result_anomaly *a, int n, const char *channel,
				int days_first, int dark, struct chart_data *out)
{
	struct chart_data d;
	struct chart_rows rows;
	chart_results_begin(kind, "today", channel, &d, &rows);
	for (int pass = 0; pass < 2; pass++) {
		if (pass == days_first) {
			assert_int_equal(chart_results_anomalies(&d, &rows, a, n, channel), 0);
			continue;
		}
		for (int i = 0; i < SERIES_DAYS; i++) {
			double v = 1 + 0.3 * sin(i / 3.0), f = i >= 75;
			struct result_roi_day roi = { SERIES_FIRST + i, (int)f, 100, 200, v, NAN, NAN, NAN, NAN,
						      50 * v, NAN, NAN, NAN, NAN };
			struct result_reach_day reach = { .day = SERIES_FIRST + i, .forecast = (int)f, .reach = 1000 * v,
							  .reach_lower_95 = NAN, .reach_upper_95 = NAN,
							  .ctr = 0.02 * v, .ctr_lower_95 = NAN, .ctr_upper_95 = NAN };
			if (kind == CHART_ROI_TIMESERIES)
				assert_int_equal(chart_results_roi_day(&d, &rows, &roi), 0);
			else
				assert_int_equal(chart_results_reach_day(&d, &rows, &reach), 0);
		}
	}
	gdImagePtr im = render(&d, 800, 400, dark);
	if (out != NULL)
		*out = d; /* counts only: the rows are freed */
	chart_rows_free(&rows);
	return im;
}

static struct result_anomaly anomaly(const char *channel, enum result_metric metric, int day_index, int direction,
				     double actual)
{
	struct result_anomaly a = { .metric = metric, .day = SERIES_FIRST + day_index, .direction = direction,
				    .actual = actual, .forecast = actual - direction, .lower_95 = NAN, .upper_95 = NAN,
				    .z = 3 * direction, .lead_days = 1, .forecast_run_id = 1 };
	snprintf(a.channel, sizeof a.channel, "%s", channel);
	return a;
}

/* Where the vermillion pixels below y0 (the plot, under the legend) are:
 * their number, their mean x and y, and how many lie below the mean y. */
struct ink_spot {
	int n, below;
	double x, y;
};

static struct ink_spot vermillion_spot(gdImagePtr im, int y0, int y1)
{
	struct ink_spot s = { 0 };
	for (int y = y0; y < y1; y++)
		for (int x = 0; x < gdImageSX(im); x++)
			if (gdImageGetTrueColorPixel(im, x, y) == 0xD55E00)
				s.n++, s.x += x, s.y += y;
	if (s.n == 0)
		return s;
	s.x /= s.n, s.y /= s.n;
	for (int y = (int)s.y + 1; y < y1; y++)
		for (int x = 0; x < gdImageSX(im); x++)
			s.below += gdImageGetTrueColorPixel(im, x, y) == 0xD55E00;
	return s;
}

/* A day outside its band is marked where it is: a vermillion triangle at
 * the day and the actual value, in its metric's panel, pointing the way it
 * broke out; the legend names the mark only when there is one. */
static void test_anomaly_marks(void **state)
{
	(void)state;
	/* Actual values on the series: ROI at day 20, conversions at day 60. */
	struct result_anomaly a[2] = { anomaly("all", METRIC_ROI, 20, 1, 1 + 0.3 * sin(20 / 3.0)),
				       anomaly("all", METRIC_CONVERSIONS, 60, -1, 50 * (1 + 0.3 * sin(20.0))) };
	struct chart_data d;
	gdImagePtr none = anomaly_chart(CHART_ROI_TIMESERIES, NULL, 0, "", 0, 0, NULL);
	gdImagePtr up = anomaly_chart(CHART_ROI_TIMESERIES, a, 1, "", 0, 0, &d);
	assert_int_equal(d.nmarks[0], 1);
	assert_int_equal(d.nmarks[1], 0);
	gdImagePtr down = anomaly_chart(CHART_ROI_TIMESERIES, a + 1, 1, "", 1, 0, &d); /* days first */
	assert_int_equal(d.nmarks[1], 1);
	int header = 55, split = 215; /* the legend above 55; the panels meet near 215 */
	assert_int_equal(vermillion_spot(none, 0, 400).n, 0);
	struct ink_spot legend_up = vermillion_spot(up, 0, header), top = vermillion_spot(up, header, split);
	struct ink_spot bottom_up = vermillion_spot(up, split, 400), bottom = vermillion_spot(down, split, 400);
	print_message("marks: up %d px at (%.0f, %.0f), %d below its middle; down %d px at (%.0f, %.0f), %d below\n",
		      top.n, top.x, top.y, top.below, bottom.n, bottom.x, bottom.y, bottom.below);
	assert_true(legend_up.n > 10);                              /* "outside 95% band" */
	assert_int_equal(vermillion_spot(none, 0, header).n, 0);    /* no mark, no legend entry */
	assert_true(top.n > 40 && bottom_up.n == 0);                /* ROI's mark in the ROI panel */
	assert_true(bottom.n > 40 && vermillion_spot(down, header, split).n == 0);
	/* Day 20 and day 60 of 89 across the plot (x from 84, right of the
	 * labels, to 788). */
	assert_true(fabs(top.x - (84 + 704 * 20 / 89.0)) < 10);
	assert_true(fabs(bottom.x - (84 + 704 * 60 / 89.0)) < 10);
	/* An up triangle is widest at its foot, a down one at its top. */
	assert_true(top.below > top.n / 2);
	assert_true(bottom.below < bottom.n / 2);
	gdImageDestroy(none);
	gdImageDestroy(up);
	gdImageDestroy(down);

	/* Dark: the same mark. */
	gdImagePtr dark = anomaly_chart(CHART_ROI_TIMESERIES, a, 2, "", 0, 1, NULL);
	assert_true(vermillion_spot(dark, header, split).n > 40 && vermillion_spot(dark, split, 400).n > 40);
	gdImageDestroy(dark);
}

/* Marks of days outside the drawn range are skipped; anomalies of metrics
 * without a panel (spend, revenue), of other channels or on charts without
 * a time axis are passed over; the reach chart marks reach and CTR. */
static void test_anomaly_marks_skipped(void **state)
{
	(void)state;
	struct chart_data d;
	gdImagePtr none = anomaly_chart(CHART_ROI_TIMESERIES, NULL, 0, "", 0, 0, NULL);
	struct result_anomaly out[2] = { anomaly("all", METRIC_ROI, -3, 1, 1.2),
					 anomaly("all", METRIC_CONVERSIONS, SERIES_DAYS + 2, -1, 40) };
	gdImagePtr outside = anomaly_chart(CHART_ROI_TIMESERIES, out, 2, "", 1, 0, &d);
	assert_int_equal(d.nmarks[0] + d.nmarks[1], 2); /* kept, but not drawn */
	assert_true(same_image(none, outside));
	gdImageDestroy(outside);

	struct result_anomaly other[4] = { anomaly("all", METRIC_REVENUE, 20, 1, 1.2),
					   anomaly("all", METRIC_SPEND, 30, -1, 0.8),
					   anomaly("search", METRIC_ROI, 40, 1, 1.2),
					   anomaly("all", METRIC_REACH, 50, 1, 1.2) };
	gdImagePtr ignored = anomaly_chart(CHART_ROI_TIMESERIES, other, 4, "", 0, 0, &d);
	assert_int_equal(d.nmarks[0] + d.nmarks[1], 0);
	assert_true(same_image(none, ignored));
	gdImageDestroy(ignored);
	gdImageDestroy(none);

	/* One channel's chart marks that channel's days only. */
	gdImagePtr search = anomaly_chart(CHART_ROI_TIMESERIES, other, 4, "search", 0, 0, &d);
	assert_int_equal(d.nmarks[0], 1);
	assert_true(vermillion_spot(search, 55, 215).n > 40);
	gdImageDestroy(search);

	/* Reach and CTR on the reach chart; ROI has no panel there. */
	struct result_anomaly reach[3] = { anomaly("all", METRIC_REACH, 20, 1, 1000 * (1 + 0.3 * sin(20 / 3.0))),
					   anomaly("all", METRIC_CTR, 60, -1, 0.02 * (1 + 0.3 * sin(20.0))),
					   anomaly("all", METRIC_ROI, 40, 1, 1.2) };
	gdImagePtr im = anomaly_chart(CHART_REACH_CTR, reach, 3, "", 1, 0, &d);
	assert_int_equal(d.nmarks[0], 1);
	assert_int_equal(d.nmarks[1], 1);
	assert_true(vermillion_spot(im, 55, 215).n > 40 && vermillion_spot(im, 215, 400).n > 40);
	gdImageDestroy(im);

	/* Charts without a time axis take none. */
	struct chart_rows rows;
	chart_results_begin(CHART_BUDGET, "", "", &d, &rows);
	assert_int_equal(chart_results_anomalies(&d, &rows, reach, 3, ""), 0);
	assert_int_equal(d.nmarks[0] + d.nmarks[1], 0);
	chart_rows_free(&rows);
}

/* The ink of text drawn at 24 px in a face, into ink[48 * 48]. */
static void ink_of(const char *face, const char *text, unsigned char *ink)
{
	gdImagePtr im = gdImageCreateTrueColor(48, 48);
	assert_non_null(im);
	gdImageFilledRectangle(im, 0, 0, 47, 47, 0xFFFFFF);
	int box[8];
	assert_null(gdImageStringFT(im, box, 0x000000, (char *)face, 18, 0, 6, 36, (char *)text));
	for (int y = 0; y < 48; y++)
		for (int x = 0; x < 48; x++)
			ink[y * 48 + x] = (unsigned char)(255 - gdTrueColorGetRed(im->tpixels[y][x]));
	gdImageDestroy(im);
}

/* Whether two characters come out as the same glyph in a face (a face
 * without either draws both as its box). */
static int same_glyph(const char *face, const char *a, const char *b)
{
	unsigned char ink_a[48 * 48], ink_b[48 * 48];
	ink_of(face, a, ink_a);
	ink_of(face, b, ink_b);
	return memcmp(ink_a, ink_b, sizeof ink_a) == 0;
}

/* Chinese, Japanese and Korean names are drawn in a face that has their
 * characters: DejaVu Sans has none and draws 日 and 本 as the same box,
 * the face chosen draws them apart (a stray byte before them changes
 * nothing). Latin names, accents and symbols keep DejaVu Sans, bold or
 * not, and so does a Latin name with a sign no face with letters has. */
static void test_cjk_names_get_a_face_that_has_them(void **state)
{
	(void)state;
	gdFTUseFontConfig(1);
	char name[160];
	assert_string_equal(chart_font_for("meta_uk", 0, name, sizeof name), "DejaVu Sans");
	assert_string_equal(chart_font_for("Caf\u00e9 \u2265 5 \u20ac", 1, name, sizeof name),
			    "DejaVu Sans:bold");
	/* A sign of the private use area: no face with it has the letters. */
	assert_string_equal(chart_font_for("Promo \uf0e0 Q3", 0, name, sizeof name), "DejaVu Sans");
	assert_string_equal(chart_font_for("", 0, name, sizeof name), "DejaVu Sans");
	assert_true(same_glyph("DejaVu Sans", "\u65e5", "\u672c"));
	const char *names[] = { "\u5e83\u544a \u65e5\u672c", "\uad6c\uae00 \uac80\uc0c9",
				"\u767e\u5ea6 brand", "\u30e1\u30bf", "\xff\u65e5\u672c" };
	for (int i = 0; i < 5; i++) {
		const char *face = chart_font_for(names[i], 0, name, sizeof name);
		assert_true(strncmp(face, "DejaVu Sans", strlen("DejaVu Sans")) != 0);
		assert_false(same_glyph(face, "\u65e5", "\u672c"));
		face = chart_font_for(names[i], 1, name, sizeof name);
		assert_true(strncmp(face, "DejaVu Sans", strlen("DejaVu Sans")) != 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_numeric_ticks),
		cmocka_unit_test(test_labels),
		cmocka_unit_test(test_date_ticks),
		cmocka_unit_test(test_bars_and_themes),
		cmocka_unit_test(test_series_and_empty),
		cmocka_unit_test(test_bar_labels_keep_their_ends),
		cmocka_unit_test(test_lone_points),
		cmocka_unit_test(test_cjk_names_get_a_face_that_has_them),
		cmocka_unit_test(test_text_cache_matches),
		cmocka_unit_test(test_event_marks),
		cmocka_unit_test(test_budget_uplift_subtitle),
		cmocka_unit_test(test_curve_panels),
		cmocka_unit_test(test_curves_drawn),
		cmocka_unit_test(test_curves_empty_and_many),
		cmocka_unit_test(test_accuracy_rows),
		cmocka_unit_test(test_accuracy_sizes),
		cmocka_unit_test(test_accuracy_gaps),
		cmocka_unit_test(test_accuracy_empty),
		cmocka_unit_test(test_anomaly_marks),
		cmocka_unit_test(test_anomaly_marks_skipped),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
