#!/usr/bin/python3
"""Forecast accuracy on the real daily series in ../shared/datasets.

For each series and horizon (7, 14, 28 days), four rolling origins a week
apart, the last one `horizon` days before the end. At each origin, from the
data before it:
  - combined: `mldash forecast --nonnegative` (ETS, Theta and seasonal naive
    weighted by their own backtest: the ML sync's method);
  - ets: `mldash forecast --nonnegative --method ets` (ETS alone, AICc);
  - seasonal naive (period 7).
Scored by MASE: the mean absolute error over the horizon divided by the
in-sample mean absolute seasonal-naive error of the data before the origin
(sMAPE alone misleads: it is 200 for any non-zero forecast of a zero day).
Also the share of held-out days inside the 80% and 95% bands. Prints a
Markdown table per series, then the geometric means; pure Python.

    bench/forecast_accuracy.py [DATASETS_DIR]
"""
import csv
import math
import os
import subprocess
import sys
from collections import defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
MLDASH = os.environ.get("MLDASH", os.path.join(HERE, "..", "build", "cli", "mldash"))
HORIZONS = (7, 14, 28)
ORIGINS, STEP, PERIOD = 4, 7, 7
METHODS = ("combined", "ets", "naive")


def conjura(path):
    rows = sorted(csv.DictReader(open(path)), key=lambda r: r["date_day"])
    series = {"revenue (all purchases)": "all_purchases_original_price",
              "purchases": "all_purchases"}
    for ch in ("google_paid_search", "google_shopping", "google_pmax", "google_display",
               "google_video", "meta_facebook", "meta_instagram", "meta_other", "tiktok"):
        for metric in ("spend", "clicks", "impressions"):
            series["%s %s" % (ch, metric)] = "%s_%s" % (ch, metric)
    for name, col in series.items():
        y = [float(r.get(col) or 0) for r in rows]
        if sum(1 for v in y if v != 0) >= 60:  # a channel the brand barely used says little
            yield "conjura " + name, y


def online_ads(path):
    by = defaultdict(lambda: defaultdict(lambda: [0.0, 0.0, 0.0]))
    for r in csv.DictReader(open(path)):
        cell = by[r["channel"]][r["date"]]
        for i, key in enumerate(("spend", "clicks", "revenue")):
            cell[i] += float(r[key] or 0)
    for channel, days in sorted(by.items()):
        dates = sorted(days)
        for i, metric in enumerate(("spend", "clicks", "revenue")):
            yield "online-ads %s %s" % (channel, metric), [days[d][i] for d in dates]


def mldash(train, h, method):
    text = "value\n" + "\n".join("%.10g" % v for v in train) + "\n"
    args = [MLDASH, "forecast", "--nonnegative", "--horizon", str(h), "--levels", "80,95"]
    if method == "ets":
        args += ["--method", "ets"]
    out = subprocess.run(args, input=text, capture_output=True, text=True, check=True).stdout
    rows = [[float(x) for x in line.split(",")] for line in out.strip().split("\n")[1:]]
    return [r[1] for r in rows], [(r[2], r[3]) for r in rows], [(r[4], r[5]) for r in rows]


def seasonal_naive(train, h):
    return [train[len(train) - PERIOD + ((k - 1) % PERIOD)] for k in range(1, h + 1)]


def naive_scale(train):
    diffs = [abs(train[t] - train[t - PERIOD]) for t in range(PERIOD, len(train))]
    scale = sum(diffs) / len(diffs) if diffs else 0
    if scale == 0:
        diffs = [abs(train[t] - train[t - 1]) for t in range(1, len(train))]
        scale = sum(diffs) / len(diffs) if diffs else 0
    return scale


def geomean(values):
    values = [v for v in values if v > 0 and math.isfinite(v)]
    return math.exp(sum(math.log(v) for v in values) / len(values)) if values else float("nan")


def main():
    data = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "..", "shared", "datasets")
    series = list(conjura(os.path.join(data, "conjura-haircare", "daily.csv")))
    series += list(online_ads(os.path.join(data, "online-ads", "online-ads-generic.csv")))
    print("| series | days | " + " | ".join(
        "h=%d combined | h=%d ets | h=%d naive" % (h, h, h) for h in HORIZONS) + " |")
    print("|---|---|" + "---|---|---|" * len(HORIZONS))
    mase = defaultdict(list)  # (method, h) -> per-series MASE
    inside = defaultdict(lambda: [0, 0, 0])  # method -> [in 80, in 95, points]
    for name, y in series:
        cells = []
        for h in HORIZONS:
            scores = defaultdict(list)
            for k in range(ORIGINS):
                origin = len(y) - h - (ORIGINS - 1 - k) * STEP
                train, test = y[:origin], y[origin:origin + h]
                scale = naive_scale(train)
                if scale == 0:
                    continue
                for method in METHODS:
                    if method == "naive":
                        forecast = seasonal_naive(train, h)
                    else:
                        forecast, band80, band95 = mldash(train, h, method)
                        for a, b80, b95 in zip(test, band80, band95):
                            inside[method][0] += b80[0] <= a <= b80[1]
                            inside[method][1] += b95[0] <= a <= b95[1]
                            inside[method][2] += 1
                    mae = sum(abs(a - f) for a, f in zip(test, forecast)) / len(test)
                    scores[method].append(mae / scale)
            row = []
            for method in METHODS:
                v = sum(scores[method]) / len(scores[method]) if scores[method] else float("nan")
                mase[(method, h)].append(v)
                row.append("%.2f" % v)
            cells.append(" | ".join(row))
        print("| %s | %d | %s |" % (name, len(y), " | ".join(cells)))
        sys.stdout.flush()
    print()
    print("| horizon | combined MASE (geometric mean over series no method forecast perfectly) | ets | seasonal naive | combined / ets | combined beats naive |")
    print("|---|---|---|---|---|---|")
    for h in HORIZONS:
        # The same series for every method: a perfect forecast (MASE 0, e.g.
        # zeros for a stopped channel) has no logarithm.
        kept = [i for i in range(len(mase[("naive", h)]))
                if all(mase[(m, h)][i] > 0 for m in METHODS)]
        c, e, n = (geomean([mase[(m, h)][i] for i in kept]) for m in METHODS)
        beats = sum(1 for a, b in zip(mase[("combined", h)], mase[("naive", h)]) if a < b)
        print("| %d | %.3f | %.3f | %.3f | %.3f | %d of %d |" % (h, c, e, n, c / e, beats,
                                                               len(mase[("naive", h)])))
    print()
    for method in ("combined", "ets"):
        i80, i95, total = inside[method]
        print("%s: the 80%% band held %.1f%% and the 95%% band %.1f%% of %d held-out days." % (
            method, 100 * i80 / total, 100 * i95 / total, total))


if __name__ == "__main__":
    main()
