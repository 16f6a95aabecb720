#!/usr/bin/python3
"""Forecast accuracy on monthly, quarterly and yearly series, against R.

The real daily series of ../shared/datasets are what the ML sync sees
(bench/forecast_accuracy.py); `mldash forecast` is also a tool for any
series, and issue #14 checks it on monthly ones. These are series that ship
with R (bench/forecast_periods.R lists them: 12 monthly, 4 quarterly, 10
yearly or without a season), at 4 origins each, 18 months, 8 quarters or 6
years ahead (the M3 competition's horizons). At each origin, from the values
before it: `mldash forecast --period P` (combined), the same with
`--method ets`, R's ets, thetaf and auto.arima, and seasonal naive. Scored
by MASE (scaled by the in-sample seasonal naive error, lag 1 without a
season), the mean over a series' origins; geometric means per period;
the share of held-out values inside each method's 80% and 95% bands.

R's fits are cached by the hash of bench/forecast_periods.R
(bench/results/r-cache), so a rerun takes seconds. Printed and written to
bench/results/forecast_periods.md. Python 3 standard library only.

    make bench-forecast-periods
    MLDASH=build/cli/mldash bench/forecast_periods.py
"""
import hashlib
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
MLDASH = os.environ.get("MLDASH", os.path.join(HERE, "..", "build", "cli", "mldash"))
RSCRIPT = os.environ.get("RSCRIPT", "Rscript")
R_CACHE = os.path.join(HERE, "results", "r-cache")
METHODS = ("combined", "mldash ets", "R ets", "R theta", "R arima", "naive")
R_NAMES = {"ets": "R ets", "theta": "R theta", "arima": "R arima"}
PERIOD_NAMES = {12: "monthly", 4: "quarterly", 1: "yearly or no season"}


def r_outputs():
    """(series text, fits text) from R, cached by the script's hash."""
    script = os.path.join(HERE, "forecast_periods.R")
    with open(script, "rb") as f:
        key = hashlib.sha256(f.read()).hexdigest()[:16]
    cached = os.path.join(R_CACHE, "periods-%s" % key)
    if not os.path.isdir(cached):
        os.makedirs(R_CACHE, exist_ok=True)
        tmp = tempfile.mkdtemp(dir=R_CACHE)
        subprocess.run([RSCRIPT, script, os.path.join(tmp, "series.txt"),
                        os.path.join(tmp, "fits.txt")], check=True)
        os.rename(tmp, cached)
    with open(os.path.join(cached, "series.txt")) as s, open(os.path.join(cached, "fits.txt")) as f:
        return s.read(), f.read()


def mldash(values, period, h, method):
    args = [MLDASH, "forecast", "--period", str(period), "--horizon", str(h), "--levels", "80,95"]
    if method == "mldash ets":
        args += ["--method", "ets"]
    text = "value\n" + "".join("%.12g\n" % v for v in values)
    run = subprocess.run(args, input=text, capture_output=True, text=True)
    if run.returncode != 0:
        sys.exit("forecast_periods: %s failed: %s" % (" ".join(args), run.stderr.strip()))
    rows = [[float(x) for x in line.split(",")] for line in run.stdout.strip().split("\n")[1:]]
    return [[r[c] for r in rows] for c in range(1, 6)]


def main():
    if not os.access(MLDASH, os.X_OK):
        sys.exit("forecast_periods: no mldash at %s (build it, or set MLDASH)" % MLDASH)
    started = time.time()
    series_text, fits_text = r_outputs()
    series = {}
    order = []
    for line in series_text.split("\n"):
        if line.strip():
            f = line.split()
            series[f[0]] = (int(f[1]), [float(v) for v in f[2:]])
            order.append(f[0])
    r_fits = defaultdict(dict)
    for line in fits_text.split("\n"):
        if line.strip():
            f = line.split()
            r_fits[(f[0], int(f[1]))][R_NAMES[f[2]]] = [[float(v) for v in c.split(",")] for c in f[3:8]]
    mase = defaultdict(list)
    inside = defaultdict(lambda: [0, 0, 0])
    for (name, origin), fits in sorted(r_fits.items()):
        period, y = series[name]
        h = len(fits["R ets"][0])
        train, test = y[:origin], y[origin:origin + h]
        lag = period if period > 1 else 1
        scale = sum(abs(train[t] - train[t - lag]) for t in range(lag, len(train))) / (len(train) - lag)
        forecasts = dict(fits)
        for m in ("combined", "mldash ets"):
            forecasts[m] = mldash(train, period, h, m)
        forecasts["naive"] = [[train[len(train) - lag + t % lag] for t in range(h)]]
        for m in METHODS:
            if m not in forecasts:
                continue
            f = forecasts[m]
            mase[(name, m)].append(sum(abs(a - p) for a, p in zip(test, f[0])) / h / scale)
            if len(f) == 5:
                c = inside[(period, m)]
                for t, a in enumerate(test):
                    c[0] += f[1][t] <= a <= f[2][t]
                    c[1] += f[3][t] <= a <= f[4][t]
                    c[2] += 1
    lines = ["# Forecast accuracy on monthly, quarterly and yearly series", "",
             "%s; mldash %s; R's datasets and forecast packages (bench/forecast_periods.R)." % (
                 time.strftime("%Y-%m-%d %H:%M"), MLDASH), "",
             "MASE per series (mean over its origins; lowest in bold):", "",
             "| series | period | values | " + " | ".join(METHODS) + " |",
             "|---|---:|---:|" + "---:|" * len(METHODS)]
    per_period = defaultdict(lambda: defaultdict(list))
    for name in order:
        period, y = series[name]
        row = {m: statistics.mean(mase[(name, m)]) for m in METHODS if mase[(name, m)]}
        if len(row) < len(METHODS):
            continue
        best = min(row.values())
        lines.append("| %s | %d | %d | " % (name, period, len(y)) + " | ".join(
            ("**%.3f**" if row[m] == best else "%.3f") % row[m] for m in METHODS) + " |")
        for m in METHODS:
            if row[m] > 0:
                per_period[period][m].append(row[m])
                per_period[0][m].append(row[m])
    lines += ["", "Geometric mean MASE:", "",
              "| series | n | " + " | ".join(METHODS) + " | combined / R ets |",
              "|---|---:|" + "---:|" * (len(METHODS) + 1)]
    for period in (12, 4, 1, 0):
        g = {m: math.exp(statistics.mean(math.log(v) for v in per_period[period][m])) for m in METHODS}
        lines.append("| %s | %d | " % (PERIOD_NAMES.get(period, "all"), len(per_period[period]["combined"]))
                     + " | ".join("%.3f" % g[m] for m in METHODS) + " | %.3f |" % (g["combined"] / g["R ets"]))
    lines += ["", "Held-out values inside each method's 80% and 95% bands:", "",
              "| method | " + " | ".join(PERIOD_NAMES[p] for p in (12, 4, 1)) + " |", "|---|---:|---:|---:|"]
    for m in METHODS[:-1]:
        cells = []
        for p in (12, 4, 1):
            a, b, n = inside[(p, m)]
            cells.append("%.1f / %.1f%% of %d" % (100 * a / n, 100 * b / n, n) if n else "-")
        lines.append("| %s | " % m + " | ".join(cells) + " |")
    lines += ["", "%.0f s." % (time.time() - started)]
    text = "\n".join(lines) + "\n"
    print(text, end="")
    out = os.path.join(HERE, "results", "forecast_periods.md")
    with open(out, "w") as f:
        f.write(text)
    print("written to %s" % os.path.relpath(out), file=sys.stderr)


if __name__ == "__main__":
    main()
