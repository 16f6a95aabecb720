/*
 * chart: the dashboards drawn with gd (FreeType text through
 * fontconfig, DejaVu Sans), data in, PNG bytes out. Pure: no database, no
 * files but the font.
 *
 * Compute first, draw second: ranges and ticks are worked out from the data
 * (ticks.h), then painted. Everything scales with width and height; tick
 * labels are thinned until they do not overlap. Colours are the Okabe-Ito
 * palette (safe for colour-blind readers), on a light or a dark theme.
 */
#ifndef MLDASH_CHART_H
#define MLDASH_CHART_H

#include <stddef.h>

struct event_calendar;

enum chart_kind {
	CHART_ROI_FORECAST, CHART_ROI_TIMESERIES, CHART_REACH_CTR, CHART_BUDGET,
	CHART_BUDGET_CURVES, /* the budget's response curves, a small panel per channel */
	CHART_ACCURACY,      /* forecast accuracy by lead time (#16) */
	CHART__MAX
};
extern const char *const chart_names[CHART__MAX]; /* "roi-forecast", ..., "budget-curves", "accuracy" */

#define CHART_DEFAULT_WIDTH 800
#define CHART_DEFAULT_HEIGHT 400
/* The largest chart served on demand: a wide dashboard panel at twice the
 * pixel density. Drawing time grows with the area (4000x3000 took 0.19 s),
 * and anyone may ask, so the cap is what a dashboard needs. */
#define CHART_WIDTH_MAX 2400
#define CHART_HEIGHT_MAX 1600

struct chart_bar { /* one channel of the ROI forecast or the budget */
	char channel[65];
	double value, lo80, hi80, lo95, hi95; /* ROI forecast */
	double current, recommended;          /* budget (daily) */
};

struct chart_point {
	long day;     /* days since 1970-01-01 */
	int forecast; /* 0 actual, 1 forecast */
	double v, lo80, hi80, lo95, hi95; /* NaN when absent */
};

/* A day whose actual fell outside the 95% band forecast for it: marked
 * on a time series by a triangle pointing the way it broke out. */
struct chart_mark {
	long day;      /* days since 1970-01-01 */
	double v;      /* the actual value, where the mark sits */
	int direction; /* +1 above the band, -1 below */
};

struct chart_panel {
	const char *title;  /* "ROI", "Conversions" ... */
	int percent;        /* labels as percentages */
	const struct chart_point *points;
	int n;
};

/* Samples of a response curve: enough for a smooth line in a small panel. */
#define CHART_CURVE_SAMPLES 61
/* Panels of the response-curves chart at most: beyond a 4x3 grid a panel
 * is too small to read; the chart says how many channels it left out. */
#define CHART_CURVES_SHOWN 12

struct chart_spend_day { /* one observed day: daily spend and revenue */
	double spend, revenue;
};

/* One channel's panel of the response-curves chart; amounts are daily. */
struct chart_curve {
	char channel[65];
	char shape[64];  /* "S-curve, threshold 420/day", "concave"; "" without a curve;
			  * "S-curve, still rising at the most spent" (curve_still_rising) */
	int has_curve;   /* 0: an empty panel that says there is no history */
	/* The fitted curve and its 80% band sampled at spends
	 * x_max * i / (CHART_CURVE_SAMPLES - 1): the panel's x axis runs from 0
	 * to x_max (a little past the largest of the observed spends, the
	 * upper bound and the recommendation). */
	double x_max;
	double revenue[CHART_CURVE_SAMPLES], lo80[CHART_CURVE_SAMPLES], hi80[CHART_CURVE_SAMPLES];
	double current, recommended; /* the marked spends; NaN: not marked */
	const struct chart_spend_day *days; /* the days the curve was fitted from */
	int ndays;
};

/* The lead times of the accuracy chart (models/results.h's RESULT_LEADS). */
#define CHART_LEADS 4
/* Channels drawn in the accuracy chart's error panel at most, the total
 * among them: more lines are a tangle; the chart counts the rest. */
#define CHART_ACCURACY_SHOWN 8

/* One channel's forecast accuracy at each lead time of chart_data.leads.
 * NaN: nothing scored there, drawn as a gap. */
struct chart_accuracy {
	char channel[65];
	int total;                /* the total over channels: drawn thick, in the text colour */
	double mase[CHART_LEADS]; /* error against the seasonal naive forecast's (1) */
	double coverage_80[CHART_LEADS], coverage_95[CHART_LEADS]; /* shares 0-1 inside the bands */
};

struct chart_data {
	enum chart_kind kind;
	char subtitle[200];          /* run time, channel, uplift ... */
	int subtitle_warns;          /* it says the advice is unsure: drawn to stand out */
	const struct chart_bar *bars; /* ROI forecast, budget */
	int nbars;
	struct chart_panel panels[2]; /* time series: top and bottom */
	/* Time series: each panel's anomalies, in any order; those on days
	 * outside the panels' range (or with an unknown value) are not drawn. */
	const struct chart_mark *marks[2];
	int nmarks[2];
	/* Response curves, in the order shown (only the first
	 * CHART_CURVES_SHOWN are drawn; the rest are counted). */
	const struct chart_curve *curves;
	int ncurves;
	/* Time series: the events marked on the time axis (those the forecasts
	 * reckoned with); the caller's. NULL: the built-in retail calendar. */
	const struct event_calendar *calendar;
	/* Accuracy: the channels' error lines, in the order drawn (the first
	 * CHART_ACCURACY_SHOWN; the rest are counted), and which one's band
	 * coverage the right panel shows (-1: none has scores); the lead
	 * times in days, ascending. */
	const struct chart_accuracy *accuracy;
	int naccuracy;
	int coverage_of;
	int leads[CHART_LEADS];
};

struct chart_text_cache;

struct chart_style {
	int width, height;
	int dark;
	/* Optional, owned by the caller: rendered text kept between charts (a
	 * worker's labels repeat), so FreeType runs once per label. NULL: none. */
	struct chart_text_cache *text_cache;
};

/* A text cache for chart_style; free with chart_text_cache_free. */
struct chart_text_cache *chart_text_cache_new(void);
void chart_text_cache_free(struct chart_text_cache *cache);

/*
 * Draws the chart; *png receives the PNG bytes (free with chart_free) and
 * *size their length. With no data, a chart that says so. Returns 0, or -1
 * when drawing failed (no font, no memory).
 */
int chart_render(const struct chart_data *data, const struct chart_style *style,
		 unsigned char **png, int *size);

void chart_free(unsigned char *png);

/* A strong ETag for PNG bytes: a quoted 64-bit FNV-1a hash. */
void chart_etag(const unsigned char *png, int size, char out[24]);

/*
 * The face text s is drawn in, as a fontconfig pattern: DejaVu Sans (bold:
 * its bold face) when it has every character of s, else the face
 * fontconfig matches best to them when it has every one, written into
 * name[size] (WenQuanYi Micro Hei for Chinese, Japanese and Korean, which
 * DejaVu Sans has none of: such names were drawn as boxes; it has no bold
 * face, so bold comes out regular), else DejaVu Sans still. Characters
 * past U+FFFF, which gd does not draw, do not count.
 */
const char *chart_font_for(const char *s, int bold, char *name, size_t size);

/* The chart kind named name ("roi-forecast"...), or -1. */
int chart_kind_from_name(const char *name);

#endif
