#!/usr/bin/python3
"""Forecast accuracy on the real daily series in ../shared/datasets, against
R's forecast::ets and Prophet.

Series: the conjura brand's revenue, purchases and each channel's spend,
clicks and impressions; the online-ads placements' spend, clicks and
revenue; the Google Ads account (exports/google_ads/cocoon_campaign_daily.csv)
in total (cost, clicks, impressions, conversions, conversion value) and per
campaign that ran 150 days or more (cost, clicks, impressions); the Meta
account of exports/meta/monfrere_ad_daily.csv, its ads summed per day
(spend, impressions, purchases, revenue = ROAS x spend). Left out: series
with fewer than 60 non-zero days (except online-ads, all kept), and the 25
days of Meta's cocoon export (too short for four origins at 28 days). A day
without a row is a zero.

For each series and horizon (7, 14, 28 days), four rolling origins a week
apart, the last one `horizon` days before the end. At each origin, from the
data before it:
  - combined: `mldash forecast --nonnegative --levels 80,95` with the dates
    (ETS, Theta and seasonal naive weighted by their own backtest, with the
    retail calendar's events: the ML sync's method);
  - mldash ets: the same with `--method ets` (ETS alone, AICc);
  - R ets: forecast::ets(ts(train, frequency = 7)), the whole family;
  - prophet: Prophet's defaults on the dated series;
  - seasonal naive (period 7).
R's ets and Prophet run in one Rscript process for all origins
(bench/forecast_r.R), beside the mldash calls. Their forecasts and bands
below zero are raised to zero, as mldash's --nonnegative does: every series
here is nonnegative, so that can only help them (the report counts how often).
Origins of h = 7, 14 and 28 coincide a week apart (len - 28 is the first of
h = 7 and the second of h = 14, ...): R fits each distinct origin once, for
its longest horizon, and shorter horizons take the first days of it (ets's
and Prophet's forecasts do not depend on the horizon asked for, Prophet's
bands come from the first days of the same sample paths; mldash's combined
method does depend on it, its weights come from a backtest at that horizon).

Scored by MASE: the mean absolute error over the horizon divided by the
in-sample mean absolute seasonal-naive error of the data before the origin
(lag 1 when that is 0; an origin where both are 0 is skipped), averaged over
the origins (sMAPE alone misleads: it is 200 for any non-zero forecast of a
zero day). Reports, in Markdown: a table per horizon and series; per
horizon the geometric mean MASE of each method over the series that no
method forecast perfectly (MASE 0 has no logarithm) and none failed on,
mldash combined against Prophet, R's ets and seasonal naive; how often the
combination beats seasonal naive; the share of held-out days inside each
method's 80% and 95% bands. Printed and written to
bench/results/forecast_accuracy.md (--quick: forecast_accuracy-quick.md).
Python 3 standard library only.

    make bench-forecast        # builds, installs R's packages when missing
    MLDASH=build/cli/mldash bench/forecast_accuracy.py [--quick] [DATASETS_DIR]

--quick: h = 7 only and two series of each dataset, to check the harness
in about a minute. Environment: MLDASH (the binary, default
build/cli/mldash), RSCRIPT (default Rscript), FORECAST_R_CORES (default 2).
"""
import argparse
import csv
import datetime
import hashlib
import math
import os
import signal
import subprocess
import shutil
import sys
import tempfile
import time
from collections import defaultdict, namedtuple

HERE = os.path.dirname(os.path.abspath(__file__))
MLDASH = os.environ.get("MLDASH", os.path.join(HERE, "..", "build", "cli", "mldash"))
RSCRIPT = os.environ.get("RSCRIPT", "Rscript")
R_CACHE = os.path.join(HERE, "results", "r-cache")
HORIZONS = (7, 14, 28)
ORIGINS, STEP, PERIOD = 4, 7, 7
MIN_ACTIVE_DAYS = 60  # a channel the brand barely used says little
MIN_CAMPAIGN_DAYS = 150  # shorter campaigns leave too little before the first origin
METHODS = ("combined", "mldash ets", "R ets", "prophet", "naive")
BANDED = ("combined", "mldash ets", "R ets", "prophet")
MISSES_LISTED = 12  # series listed in the table of 95% band misses
R_METHODS = {"ets": "R ets", "prophet": "prophet"}

Series = namedtuple("Series", "name dates values")
# One forecast: the point and the two bands, lists over the horizon.
Forecast = namedtuple("Forecast", "mean lo80 hi80 lo95 hi95")
# One scored origin: series index, horizon, origin (the first held-out day).
Job = namedtuple("Job", "series h origin")


# --- the datasets ---------------------------------------------------------

def number(text):
    """A report cell as a number: thousands separators, blanks and '-' are
    what the exports hold."""
    text = (text or "").replace(",", "").strip()
    try:
        return float(text)
    except ValueError:
        return 0.0


def daily_series(prefix, metrics, by_day, min_active=MIN_ACTIVE_DAYS):
    """Series per metric from {ISO day: [value per metric]}, on every day from
    the first to the last (a day with no row: nothing spent or sold), when
    it has min_active non-zero days."""
    first = datetime.date.fromisoformat(min(by_day))
    last = datetime.date.fromisoformat(max(by_day))
    dates = [(first + datetime.timedelta(days=i)).isoformat()
             for i in range((last - first).days + 1)]
    for i, metric in enumerate(metrics):
        y = [by_day[d][i] if d in by_day else 0.0 for d in dates]
        if sum(1 for v in y if v != 0) >= min_active:
            yield Series("%s %s" % (prefix, metric), dates, y)


def conjura(path):
    rows = list(csv.DictReader(open(path)))
    columns = {"revenue (all purchases)": "all_purchases_original_price",
               "purchases": "all_purchases"}
    for ch in ("google_paid_search", "google_shopping", "google_pmax", "google_display",
               "google_video", "meta_facebook", "meta_instagram", "meta_other", "tiktok"):
        for metric in ("spend", "clicks", "impressions"):
            columns["%s %s" % (ch, metric)] = "%s_%s" % (ch, metric)
    by_day = {r["date_day"]: [number(r.get(c)) for c in columns.values()] for r in rows}
    return daily_series("conjura", list(columns), by_day)


def online_ads(path):
    by = defaultdict(lambda: defaultdict(lambda: [0.0, 0.0, 0.0]))
    for r in csv.DictReader(open(path)):
        cell = by[r["channel"]][r["date"]]
        for i, key in enumerate(("spend", "clicks", "revenue")):
            cell[i] += number(r[key])
    for channel, days in sorted(by.items()):
        # All kept, sparse ones too (placement abc), as since the first run.
        yield from daily_series("online-ads " + channel, ("spend", "clicks", "revenue"), days,
                                min_active=0)


def google_ads(path):
    """The account's total and each long-running campaign's, from a saved
    daily campaign report (two title lines above the header)."""
    lines = open(path, encoding="utf-8-sig").read().splitlines()[2:]
    total = defaultdict(lambda: [0.0] * 5)
    campaigns = defaultdict(lambda: defaultdict(lambda: [0.0] * 3))
    for r in csv.DictReader(lines):
        values = [number(r[k]) for k in ("Cost", "Clicks", "Impr.", "Conversions", "Conv. value")]
        total[r["Day"]] = [a + b for a, b in zip(total[r["Day"]], values)]
        campaigns[r["Campaign"]][r["Day"]] = values[:3]
    yield from daily_series("google-ads total", ("cost", "clicks", "impressions",
                                                 "conversions", "conversion value"), total)
    for name, days in sorted(campaigns.items()):
        if len(days) >= MIN_CAMPAIGN_DAYS:
            yield from daily_series("google-ads " + name, ("cost", "clicks", "impressions"), days)


def meta_ads(path):
    """An ad-level Meta export (one day per row) summed into the account's
    days; revenue exists only as ROAS, so revenue = ROAS x spend per ad."""
    by_day = defaultdict(lambda: [0.0] * 4)
    for r in csv.DictReader(open(path, encoding="utf-8-sig")):
        spend = number(r["Amount spent (USD)"])
        values = (spend, number(r["Impressions"]), number(r["Purchases"]),
                  spend * number(r["Purchase ROAS (return on ad spend)"]))
        by_day[r["Reporting starts"]] = [a + b for a, b in zip(by_day[r["Reporting starts"]], values)]
    return daily_series("meta-ads total", ("spend", "impressions", "purchases", "revenue"), by_day)


def load_series(data, quick):
    sources = [
        (conjura, os.path.join(data, "conjura-haircare", "daily.csv")),
        (online_ads, os.path.join(data, "online-ads", "online-ads-generic.csv")),
        (google_ads, os.path.join(data, "exports", "google_ads", "cocoon_campaign_daily.csv")),
        (meta_ads, os.path.join(data, "exports", "meta", "monfrere_ad_daily.csv")),
    ]
    series = []
    for load, path in sources:
        found = list(load(path))
        series += found[:2] if quick else found
    return series


# --- the forecasts --------------------------------------------------------

def naive_scale(train):
    diffs = [abs(train[t] - train[t - PERIOD]) for t in range(PERIOD, len(train))]
    scale = sum(diffs) / len(diffs) if diffs else 0
    if scale == 0:
        diffs = [abs(train[t] - train[t - 1]) for t in range(1, len(train))]
        scale = sum(diffs) / len(diffs) if diffs else 0
    return scale


def make_jobs(series, horizons):
    """Every (series, horizon, origin) to score; origins whose training data
    has no seasonal-naive error to scale by are skipped, as MASE is then
    undefined."""
    jobs = []
    for i, s in enumerate(series):
        for h in horizons:
            for k in range(ORIGINS):
                origin = len(s.values) - h - (ORIGINS - 1 - k) * STEP
                if naive_scale(s.values[:origin]) > 0:
                    jobs.append(Job(i, h, origin))
    return jobs


def mldash(s, origin, h, method):
    text = "date,value\n" + "".join("%s,%.10g\n" % dv for dv in zip(s.dates[:origin],
                                                                   s.values[:origin]))
    args = [MLDASH, "forecast", "--nonnegative", "--horizon", str(h), "--levels", "80,95"]
    if method == "mldash ets":
        args += ["--method", "ets"]
    run = subprocess.run(args, input=text, capture_output=True, text=True)
    if run.returncode != 0:  # mldash forecasts any series here: a failure is a bug to see
        sys.exit("forecast_accuracy: %s failed on %s before %s: %s" % (
            " ".join(args), s.name, s.dates[origin], run.stderr.strip()))
    rows = [[float(x) for x in line.split(",")] for line in run.stdout.strip().split("\n")[1:]]
    return Forecast(*([r[c] for r in rows] for c in range(1, 6)))


def seasonal_naive(train, h):
    point = [train[len(train) - PERIOD + ((k - 1) % PERIOD)] for k in range(1, h + 1)]
    return Forecast(point, None, None, None, None)


def r_fits(series, jobs):
    """The distinct (series, origin) pairs with the longest horizon each one
    needs: R fits each once."""
    longest = {}
    for job in jobs:
        key = (job.series, job.origin)
        longest[key] = max(longest.get(key, 0), job.h)
    return sorted(longest.items())


def start_r(series, fits, tmp):
    """Writes the R jobs file and starts forecast_r.R on it, in the
    background; its chatter goes to a log shown only if it fails."""
    jobs_path = os.path.join(tmp, "jobs.csv")
    with open(jobs_path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["job", "h", "ds", "y"])
        for j, ((i, origin), h) in enumerate(fits):
            s = series[i]
            for d, v in zip(s.dates[:origin], s.values[:origin]):
                w.writerow([j, h, d, "%.10g" % v])
    out_path, log_path = os.path.join(tmp, "r-out.csv"), os.path.join(tmp, "r.log")
    # R's answers depend only on the jobs and the R script: a rerun (while
    # mldash changes) reuses them from bench/results/r-cache.
    digest = hashlib.sha256()
    for path in (jobs_path, os.path.join(HERE, "forecast_r.R")):
        digest.update(open(path, "rb").read())
    cached = os.path.join(R_CACHE, digest.hexdigest() + ".csv")
    if os.path.exists(cached):
        return None, cached, log_path
    # Its own process group, so that stopping it stops mclapply's workers too.
    proc = subprocess.Popen([RSCRIPT, os.path.join(HERE, "forecast_r.R"), jobs_path, out_path],
                            stdout=open(log_path, "w"), stderr=subprocess.STDOUT,
                            start_new_session=True)
    proc.cache_path = cached
    return proc, out_path, log_path


def read_r(out_path, fits):
    """{(series, origin, method): Forecast} and {(series, origin, method):
    why it failed} from forecast_r.R's output. Values below zero are raised
    to zero; clamped[method] = [point forecasts that were, all of them]."""
    rows = defaultdict(list)
    for r in csv.DictReader(open(out_path)):
        rows[(int(r["job"]), R_METHODS[r["method"]])].append(r)
    forecasts, failures, clamped = {}, {}, defaultdict(lambda: [0, 0])
    for j, ((i, origin), _) in enumerate(fits):
        for method in R_METHODS.values():
            got = sorted(rows.get((j, method), []), key=lambda r: int(r["step"]))
            cols = [[float(r[c]) if r[c] not in ("", "NA") else math.nan for r in got]
                    for c in Forecast._fields]
            if not got or got[0]["step"] == "0" or any(not math.isfinite(v) for v in cols[0]):
                failures[(i, origin, method)] = got[0]["note"] if got else "no output"
                continue
            clamped[method][0] += sum(1 for v in cols[0] if v < 0)
            clamped[method][1] += len(cols[0])
            forecasts[(i, origin, method)] = Forecast(*([max(0.0, v) for v in c] for c in cols))
    return forecasts, failures, clamped


def run_forecasts(series, jobs):
    """Every method's forecast per job: R in the background while mldash
    runs here. Returns ({(job index, method): Forecast}, R failures, R's
    clamped counts, R's seconds)."""
    fits = r_fits(series, jobs)
    print("%d series, %d origins to score: %d mldash forecasts, %d R fits (ets and prophet "
          "each)" % (len(series), len(jobs), 2 * len(jobs), len(fits)), file=sys.stderr)
    forecasts = {}
    with tempfile.TemporaryDirectory(prefix="forecast-accuracy-") as tmp:
        started = time.time()
        proc, out_path, log_path = start_r(series, fits, tmp)
        try:
            for n, job in enumerate(jobs):
                s = series[job.series]
                for method in ("combined", "mldash ets"):
                    forecasts[(n, method)] = mldash(s, job.origin, job.h, method)
                forecasts[(n, "naive")] = seasonal_naive(s.values[:job.origin], job.h)
        except BaseException:  # mldash failed or ^C: R's minutes of work are moot
            if proc is not None:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait()
            raise
        print("mldash done in %.0f s; waiting for R" % (time.time() - started), file=sys.stderr)
        if proc is not None and proc.wait() != 0:
            sys.stderr.write(open(log_path).read())
            sys.exit("forecast_accuracy: %s bench/forecast_r.R failed (exit %d)" % (
                RSCRIPT, proc.returncode))
        if proc is not None:
            os.makedirs(R_CACHE, exist_ok=True)
            shutil.copyfile(out_path, proc.cache_path)
        r_seconds = time.time() - started
        by_origin, failures, clamped = read_r(out_path, fits)
    for n, job in enumerate(jobs):
        for method in R_METHODS.values():
            f = by_origin.get((job.series, job.origin, method))
            if f is not None:  # the first h days of the longest horizon's forecast
                forecasts[(n, method)] = Forecast(*(c[:job.h] for c in f))
    return forecasts, failures, clamped, r_seconds


# --- the scores -----------------------------------------------------------

def geomean(values):
    return math.exp(sum(math.log(v) for v in values) / len(values)) if values else math.nan


def score(series, jobs, forecasts):
    """MASE per (series, horizon, method), the mean over its origins (NaN
    when the method failed at any of them), and band coverage per (method,
    horizon): [inside 80%, inside 95%, held-out days], and per series the
    combined method's 95% misses: [above the band, below it, held-out days]."""
    per_origin = defaultdict(list)
    inside = defaultdict(lambda: [0, 0, 0])
    misses = defaultdict(lambda: [0, 0, 0])
    for n, job in enumerate(jobs):
        y = series[job.series].values
        train, test = y[:job.origin], y[job.origin:job.origin + job.h]
        scale = naive_scale(train)
        for method in METHODS:
            f = forecasts.get((n, method))
            if f is None:
                per_origin[(job.series, job.h, method)].append(math.nan)
                continue
            mae = sum(abs(a - p) for a, p in zip(test, f.mean)) / len(test)
            per_origin[(job.series, job.h, method)].append(mae / scale)
            if f.lo80 is not None:
                counts = inside[(method, job.h)]
                for t, a in enumerate(test):
                    counts[0] += f.lo80[t] <= a <= f.hi80[t]
                    counts[1] += f.lo95[t] <= a <= f.hi95[t]
                    counts[2] += 1
                    if method == "combined":
                        missed = misses[job.series]
                        missed[0] += a > f.hi95[t]
                        missed[1] += a < f.lo95[t]
                        missed[2] += 1
    mase = {key: sum(v) / len(v) for key, v in per_origin.items()}
    return mase, inside, misses


# --- the report -----------------------------------------------------------

def fmt(v, digits=2):
    return "%.*f" % (digits, v) if math.isfinite(v) else "failed"


def series_table(series, mase, h):
    """One row per series at horizon h, the lowest MASE in bold."""
    lines = ["| series | days | " + " | ".join(METHODS) + " |",
             "|---|---:|" + "---:|" * len(METHODS)]
    for i, s in enumerate(series):
        values = [mase.get((i, h, m), math.nan) for m in METHODS]
        if all(not math.isfinite(v) for v in values):
            continue  # no origin could be scored
        best = min((v for v in values if math.isfinite(v)), default=math.nan)
        cells = [("**%s**" if v == best else "%s") % fmt(v) for v in values]
        lines.append("| %s | %d | %s |" % (s.name, len(s.values), " | ".join(cells)))
    return lines


def summary_table(series, mase, horizons):
    lines = ["| horizon | series | " + " | ".join(METHODS) +
             " | combined / prophet | combined / R ets | combined / naive "
             "| combined beats naive |",
             "|---:|---:|" + "---:|" * (len(METHODS) + 4)]
    beats_all = total_all = 0
    for h in horizons:
        scored = [i for i in range(len(series)) if (i, h, "naive") in mase]
        # The same series for every method: a perfect forecast (MASE 0, e.g.
        # zeros for a stopped channel) has no logarithm, a failed one no value.
        kept = [i for i in scored
                if all(mase[(i, h, m)] > 0 and math.isfinite(mase[(i, h, m)]) for m in METHODS)]
        g = {m: geomean([mase[(i, h, m)] for i in kept]) for m in METHODS}
        beats = sum(1 for i in scored if mase[(i, h, "combined")] < mase[(i, h, "naive")])
        beats_all, total_all = beats_all + beats, total_all + len(scored)
        lines.append("| %d | %d | %s | %.2f | %.2f | %.2f | %d of %d |" % (
            h, len(kept), " | ".join(fmt(g[m], 3) for m in METHODS),
            g["combined"] / g["prophet"], g["combined"] / g["R ets"],
            g["combined"] / g["naive"], beats, len(scored)))
    lines += ["", "mldash combined beats seasonal naive on %d of %d series-horizons." % (
        beats_all, total_all)]
    return lines


def coverage_table(inside, horizons):
    lines = ["| method | " + " | ".join("h=%d 80%% | h=%d 95%%" % (h, h) for h in horizons) +
             " | all 80% | all 95% | held-out days |",
             "|---|" + "---:|" * (2 * len(horizons) + 3)]
    for method in BANDED:
        cells, total = [], [0, 0, 0]
        for h in horizons:
            c = inside[(method, h)]
            total = [a + b for a, b in zip(total, c)]
            cells += ["%.1f%%" % (100 * c[0] / c[2]), "%.1f%%" % (100 * c[1] / c[2])] if c[2] \
                else ["-", "-"]
        cells += ["%.1f%%" % (100 * total[0] / total[2]), "%.1f%%" % (100 * total[1] / total[2]),
                  "%d" % total[2]] if total[2] else ["-", "-", "0"]
        lines.append("| %s | %s |" % (method, " | ".join(cells)))
    return lines


def misses_table(series, misses):
    """The series where the combined method's 95% band missed most often
    (all horizons): which ones make the shortfall, and on which side."""
    rows = sorted(((m[0] + m[1]) / m[2], i, m) for i, m in misses.items() if m[2] and m[0] + m[1])
    lines = ["| series | missed | above the band | below it | held-out days |",
             "|---|---:|---:|---:|---:|"]
    for share, i, m in reversed(rows[-MISSES_LISTED:]):
        lines.append("| %s | %.1f%% | %d | %d | %d |" % (series[i].name, 100 * share, m[0], m[1], m[2]))
    total = [sum(m[k] for m in misses.values()) for k in range(3)]
    if total[2]:
        lines += ["", "In all, %d of %d held-out days above the 95%% band and %d below it." % (
            total[0], total[2], total[1])]
    return lines


def versions():
    """What produced the numbers: the commit and Debian's R packages."""
    def run(args):
        try:
            return subprocess.run(args, capture_output=True, text=True).stdout.strip()
        except OSError:
            return ""
    commit = run(["git", "-C", HERE, "rev-parse", "--short", "HEAD"]) or "unknown"
    pkgs = run(["dpkg-query", "-W", "-f", "${Package} ${Version}, ", "r-cran-forecast",
                "r-cran-prophet"]).rstrip(", ")
    # The binary is what was measured: other work may have moved HEAD since.
    built = datetime.datetime.fromtimestamp(os.path.getmtime(MLDASH)).strftime("%Y-%m-%d %H:%M")
    return "mldash %s built %s, HEAD now %s; %s" % (MLDASH, built, commit,
                                                   pkgs or "R packages unknown")


def report(series, jobs, horizons, mase, inside, misses, failures, clamped, seconds, r_seconds, quick):
    lines = ["# Forecast accuracy%s" % (" (quick)" if quick else ""), "",
             "%s; %s." % (datetime.datetime.now().strftime("%Y-%m-%d %H:%M"), versions()), "",
             "MASE per series (mean over %d origins a week apart; lowest in bold):" % ORIGINS]
    for h in horizons:
        lines += ["", "### h = %d" % h, ""] + series_table(series, mase, h)
    lines += ["", "## Summary", "",
              "Geometric mean MASE over the series no method forecast perfectly:", ""]
    lines += summary_table(series, mase, horizons)
    lines += ["", "Held-out days inside each method's bands:", ""]
    lines += coverage_table(inside, horizons)
    lines += ["", "Where the combined method's 95%% band missed most (the %d series with the "
              "most misses, all horizons):" % MISSES_LISTED, ""]
    lines += misses_table(series, misses)
    lines += ["", "## Notes", ""]
    for method in R_METHODS.values():
        below, total = clamped.get(method, (0, 0))
        lines.append("- %s: %d of its %d point forecasts (each distinct origin, longest horizon) "
                     "were below zero, raised to zero; %d fits failed." % (
                         method, below, total, sum(1 for k in failures if k[2] == method)))
    for (i, origin, method), why in sorted(failures.items()):
        lines.append("  - %s failed on %s, origin %s: %s" % (
            method, series[i].name, series[i].dates[origin], why))
    lines.append("- %d series, %d scored origins; %.0f s in all, R's fits %.0f s of it." % (
        len(series), len(jobs), seconds, r_seconds))
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description="Forecast accuracy: mldash against R's ets, "
                                     "Prophet and seasonal naive on the real daily series.")
    parser.add_argument("--quick", action="store_true",
                        help="h = 7 only, two series per dataset: a smoke check")
    parser.add_argument("datasets", nargs="?",
                        default=os.path.join(HERE, "..", "..", "shared", "datasets"))
    opts = parser.parse_args()
    if not os.access(MLDASH, os.X_OK):
        sys.exit("forecast_accuracy: no mldash at %s (build it, or set MLDASH)" % MLDASH)
    started = time.time()
    horizons = (7,) if opts.quick else HORIZONS
    series = load_series(opts.datasets, opts.quick)
    jobs = make_jobs(series, horizons)
    forecasts, failures, clamped, r_seconds = run_forecasts(series, jobs)
    mase, inside, misses = score(series, jobs, forecasts)
    text = report(series, jobs, horizons, mase, inside, misses, failures, clamped,
                  time.time() - started, r_seconds, opts.quick)
    print(text, end="")
    out = os.path.join(HERE, "results", "forecast_accuracy%s.md" % ("-quick" if opts.quick else ""))
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w") as f:
        f.write(text)
    print("written to %s" % os.path.relpath(out), file=sys.stderr)


if __name__ == "__main__":
    main()
