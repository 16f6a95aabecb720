#!/usr/bin/python3
"""Forecast accuracy on the real daily series in ../shared/datasets.

For each series and horizon (7, 14, 28 days), four rolling origins a week
apart, the last one `horizon` days before the end. At each origin three
methods forecast from the data before it:
  - mldash: `mldash forecast --nonnegative` (ETS, all forms, AICc);
  - statsmodels: ETSModel, the six additive-error forms, the lowest AICc
    (forecasts below zero clipped, as mldash truncates);
  - seasonal naive (period 7).
Prints a Markdown table of mean sMAPE (percent) per series; docs/ keeps it.

    bench/forecast_accuracy.py [DATASETS_DIR] > docs/forecast-accuracy.md
"""
import csv
import os
import subprocess
import sys
import warnings
from collections import defaultdict

import numpy as np
from statsmodels.tsa.exponential_smoothing.ets import ETSModel

HERE = os.path.dirname(os.path.abspath(__file__))
MLDASH = os.path.join(HERE, "..", "build", "cli", "mldash")
HORIZONS = (7, 14, 28)
ORIGINS, STEP, PERIOD = 4, 7, 7


def conjura(path):
    rows = list(csv.DictReader(open(path)))
    rows.sort(key=lambda r: r["date_day"])
    series = {"revenue (all purchases)": "all_purchases_original_price",
              "purchases": "all_purchases"}
    channels = ["google_paid_search", "google_shopping", "google_pmax", "google_display",
                "google_video", "meta_facebook", "meta_instagram", "meta_other", "tiktok"]
    for ch in channels:
        for metric in ("spend", "clicks", "impressions"):
            series["%s %s" % (ch, metric)] = "%s_%s" % (ch, metric)
    for name, col in series.items():
        y = np.array([float(r[col] or 0) for r in rows])
        if np.count_nonzero(y) >= 60:  # a channel the brand barely used says little
            yield "conjura " + name, y


def online_ads(path):
    by = defaultdict(lambda: defaultdict(lambda: np.zeros(3)))
    for r in csv.DictReader(open(path)):
        by[r["channel"]][r["date"]] += [float(r["spend"] or 0), float(r["clicks"] or 0),
                                        float(r["revenue"] or 0)]
    for channel, days in sorted(by.items()):
        dates = sorted(days)
        values = np.array([days[d] for d in dates])
        for i, metric in enumerate(("spend", "clicks", "revenue")):
            yield "online-ads %s %s" % (channel, metric), values[:, i]


def smape(actual, forecast):
    a, f = np.asarray(actual), np.asarray(forecast)
    d = np.abs(a) + np.abs(f)
    terms = np.where(d == 0, 0.0, 200 * np.abs(a - f) / np.where(d == 0, 1, d))
    return float(terms.mean())


def mldash_forecast(train, h):
    text = "value\n" + "\n".join("%.10g" % v for v in train) + "\n"
    out = subprocess.run([MLDASH, "forecast", "--nonnegative", "--horizon", str(h)],
                         input=text, capture_output=True, text=True, check=True).stdout
    return [float(line.split(",")[1]) for line in out.strip().split("\n")[1:]]


def statsmodels_forecast(train, h):
    best = None
    for trend, damped, seasonal in [(None, False, None), ("add", False, None),
                                    ("add", True, None), (None, False, "add"),
                                    ("add", False, "add"), ("add", True, "add")]:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                res = ETSModel(train, error="add", trend=trend, damped_trend=damped,
                               seasonal=seasonal,
                               seasonal_periods=PERIOD if seasonal else None).fit(disp=False)
            if np.isfinite(res.aicc) and (best is None or res.aicc < best.aicc):
                best = res
        except Exception:
            continue
    return np.clip(best.forecast(h), 0, None)


def seasonal_naive(train, h):
    return [train[len(train) - PERIOD + ((k - 1) % PERIOD)] for k in range(1, h + 1)]


def main():
    data = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "..", "shared", "datasets")
    series = list(conjura(os.path.join(data, "conjura-haircare", "daily.csv")))
    series += list(online_ads(os.path.join(data, "online-ads", "online-ads-generic.csv")))
    print("| series | days | " + " | ".join(
        "h=%d mldash | h=%d statsmodels | h=%d naive" % (h, h, h) for h in HORIZONS) + " |")
    print("|---|---|" + "---|---|---|" * len(HORIZONS))
    wins = defaultdict(lambda: [0, 0, 0])
    for name, y in series:
        cells = []
        for h in HORIZONS:
            scores = [[], [], []]
            for k in range(ORIGINS):
                origin = len(y) - h - (ORIGINS - 1 - k) * STEP
                train, test = y[:origin], y[origin:origin + h]
                for i, method in enumerate((mldash_forecast, statsmodels_forecast, seasonal_naive)):
                    scores[i].append(smape(test, method(train, h)))
            m, s, n = (float(np.mean(v)) for v in scores)
            wins[h][0] += m < n
            wins[h][1] += m <= s + 1e-9
            wins[h][2] += 1
            cells.append("%.1f | %.1f | %.1f" % (m, s, n))
        print("| %s | %d | %s |" % (name, len(y), " | ".join(cells)))
        sys.stdout.flush()
    print()
    for h in HORIZONS:
        print("h=%d: mldash beats seasonal naive on %d of %d series and matches or beats "
              "statsmodels on %d." % (h, wins[h][0], wins[h][2], wins[h][1]))


if __name__ == "__main__":
    main()
