#!/usr/bin/python3
"""Independent checks of the ML history (#16) for test_history_replay.sh.

Recomputes from the database alone (campaign_daily, campaigns, ml_runs and
the kept forecasts of ml_forecast_log) what the ML sync stored (ml_accuracy,
ml_anomalies), what the API answers (accuracy, anomalies, budget history)
and what pruning must have left, from the definitions of issue #16, with no
code shared with the C (python and the mariadb client only).

    history_check.py --socket S snapshot OUT
        the days' runs' kept forecasts as they are now (before a run: pruning
        after the run may delete forecasts the run scored)
    history_check.py --socket S run --run R --forecasts SNAP --fit-days F
        ml_accuracy and ml_anomalies of run R against their recomputation
    history_check.py --socket S pick-spike --run R --day D --factor X
        a channel whose conversions of day D, times X, lie above the 95% band
        of the forecast that scores them, and whose conversions R did not flag
    history_check.py --socket S spike --before P --after R --day D --channel C
        R's anomalies are P's, plus (C, conversions, D, up) and possibly
        (all, conversions, D, up)
    history_check.py --socket S prune --runs LOG --keep-runs K --keep-daily-days N --today DAY
        ml_runs holds exactly the K newest succeeded runs, whole, and the
        days' runs of LOG (run_id, daily_for lines) from DAY - N on, trimmed
    history_check.py --socket S api-accuracy --json FILE --run R [--channel C --metric M --window W]
    history_check.py --socket S api-anomalies --json FILE --run R --days N [--channel C --metric M]
    history_check.py --socket S budget-history --json FILE --days N [--channel C]

Each prints what it checked and exits 1 with the differences (expected
against got) when something disagrees.
"""
import argparse
import datetime
import json
import math
import subprocess
import sys
from collections import defaultdict

METRICS = ("spend", "revenue", "roi", "conversions", "reach", "ctr")
LEADS = (1, 7, 14, 28)
WINDOWS = (30, 90)
ANOMALY_DAYS = 90
Z_975 = 1.959963984540054
FOLLOW_DAYS = 7
# Sums measured per channel and day: name -> SQL over campaign_daily d.
MEASURES = (
    ("spend", "SUM(d.spend)"),
    ("revenue", "SUM(d.revenue)"),
    ("roi_spend", "SUM(CASE WHEN d.revenue IS NOT NULL THEN d.spend END)"),
    ("conversions", "SUM(d.conversions)"),
    ("reach", "SUM(d.reach)"),
    ("clicks", "SUM(d.clicks)"),
    ("ctr_impressions", "SUM(CASE WHEN d.clicks IS NOT NULL THEN d.impressions END)"),
)
TRIMMED_TABLES = ("ml_roi_timeseries", "ml_reach_ctr_timeseries", "ml_budget_days",
                  "ml_chart_cache", "ml_accuracy", "ml_anomalies")
KEPT_TABLES = ("ml_forecast_log", "ml_roi_forecast", "ml_budget_recommendation")

problems = []


def problem(text):
    problems.append(text)


def finish(what):
    if problems:
        print("FAIL: %s: %d difference(s):" % (what, len(problems)), file=sys.stderr)
        for p in problems[:40]:
            print("  " + p, file=sys.stderr)
        if len(problems) > 40:
            print("  ... and %d more" % (len(problems) - 40), file=sys.stderr)
        sys.exit(1)
    print("ok: %s" % what)


# --- the database, through the mariadb client --------------------------------

class DB:
    def __init__(self, socket, user, name):
        self.cmd = ["mariadb", "--no-defaults", "--socket=" + socket, "-u", user, "-N", "-B",
                    "--raw", name]

    def rows(self, sql):
        out = subprocess.run(self.cmd + ["-e", sql], check=True, capture_output=True, text=True)
        return [[None if c == "NULL" else c for c in line.split("\t")]
                for line in out.stdout.split("\n") if line != ""]

    def one(self, sql):
        rows = self.rows(sql)
        return rows[0][0] if rows else None


def day_of(text):
    return datetime.date.fromisoformat(text).toordinal()


def iso(day):
    return datetime.date.fromordinal(day).isoformat()


def num(text):
    return None if text is None else float(text)


def close(a, b, rel=1e-9):
    """Equal numbers, or both unknown; NaN counts as unknown."""
    if a is not None and isinstance(a, float) and math.isnan(a):
        a = None
    if b is not None and isinstance(b, float) and math.isnan(b):
        b = None
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= rel * max(abs(a), abs(b), 1.0)


def run_info(db, run):
    r = db.rows("SELECT id, status, data_end, daily_for, trimmed, slot_time FROM ml_runs WHERE id = %d"
                % run)
    if not r:
        sys.exit("run %d does not exist" % run)
    return r[0]


# --- actuals, per the definitions ------------------------------------------------

def actuals(db, end, fit_days):
    """{series: {metric: {day: value or None}}} over the window end - fit_days + 1 .. end,
    and the window's first day."""
    first = end - fit_days + 1
    sql = ("SELECT c.channel, d.day, %s FROM campaign_daily d JOIN campaigns c ON c.id = d.campaign_id"
           " WHERE d.day BETWEEN '%s' AND '%s' GROUP BY c.channel, d.day"
           % (", ".join(s for _, s in MEASURES), iso(first), iso(end)))
    sums = defaultdict(dict)  # channel -> day -> {measure: value}
    for r in db.rows(sql):
        sums[r[0]][day_of(r[1])] = {m: num(v) for (m, _), v in zip(MEASURES, r[2:])}
    days = range(first, end + 1)
    filled = {}  # channel -> measure -> day -> value
    for channel, by_day in sums.items():
        start = min(by_day)
        reported = {m for m, _ in MEASURES if any(v[m] is not None for v in by_day.values())}
        filled[channel] = {m: {} for m, _ in MEASURES}
        for d in days:
            for m, _ in MEASURES:
                if d < start:
                    v = None
                elif d in by_day:
                    v = by_day[d][m]
                else:
                    v = 0.0 if m in reported else None
                filled[channel][m][d] = v
    if filled:
        total = {m: {} for m, _ in MEASURES}
        for m, _ in MEASURES:
            for d in days:
                known = [filled[c][m][d] for c in filled if filled[c][m][d] is not None]
                total[m][d] = sum(known) if known else None
        filled["all"] = total
    # A channel's days after its own last row have not arrived yet: unknown.
    # The total is known up to the last day every channel that reported in
    # the last week (a last row on end - 7 or later) has reached.
    last = {channel: max(by_day) for channel, by_day in sums.items()}
    recent = [d for d in last.values() if d >= end - 7]
    last["all"] = min(recent) if recent else end
    out = {}
    for series, f in filled.items():
        out[series] = {}
        for metric in METRICS:
            values = {}
            for d in days:
                if d > last[series]:
                    values[d] = None
                    continue
                if metric == "roi":
                    s, r = f["roi_spend"][d], f["revenue"][d]
                    v = r / s - 1 if s is not None and s > 0 and r is not None else None
                elif metric == "ctr":
                    i, c = f["ctr_impressions"][d], f["clicks"][d]
                    v = c / i if i is not None and i > 0 and c is not None else None
                else:
                    v = f[metric][d]
                values[d] = v
            out[series][metric] = values
    return out, first


# --- kept forecasts ----------------------------------------------------------------

FORECAST_COLUMNS = ("run_id", "channel", "metric", "lead_days", "day", "forecast", "lower_80",
                    "upper_80", "lower_95", "upper_95")


def snapshot(db, path):
    rows = db.rows("SELECT l.run_id, l.channel, l.metric, l.lead_days, l.day, l.forecast, l.lower_80,"
                   " l.upper_80, l.lower_95, l.upper_95 FROM ml_forecast_log l"
                   " JOIN ml_runs r ON r.id = l.run_id"
                   " WHERE r.daily_for IS NOT NULL AND r.status = 'succeeded'")
    with open(path, "w") as f:
        for r in rows:
            f.write("\t".join("NULL" if c is None else c for c in r) + "\n")
    print("snapshot: %d kept forecasts of %d days' runs" % (len(rows), len({r[0] for r in rows})))


def read_snapshot(path, before_run):
    """The kept forecasts of runs before before_run: {(channel, metric, day, lead): row}, the
    newest run's of each."""
    kept = {}
    for line in open(path):
        c = [None if x == "NULL" else x for x in line.rstrip("\n").split("\t")]
        run = int(c[0])
        if run >= before_run:
            continue
        f = {"run_id": run, "channel": c[1], "metric": c[2], "lead_days": int(c[3]),
             "day": day_of(c[4])}
        for i, name in enumerate(FORECAST_COLUMNS[5:], 5):
            f[name] = num(c[i])
        key = (f["channel"], f["metric"], f["day"], f["lead_days"])
        if key not in kept or kept[key]["run_id"] < run:
            kept[key] = f
    return kept


# --- scores and anomalies ------------------------------------------------------------

def mase_scale(values, first, end):
    diffs = [abs(values[d] - values[d - 7]) for d in range(first + 7, end + 1)
             if values[d] is not None and values[d - 7] is not None]
    return sum(diffs) / len(diffs) if diffs else None


def expected_scores(act, first, end, forecasts):
    """{(channel, metric, lead, window): {n, n_banded, mase, smape, bias, coverage_80, coverage_95}}"""
    by_series = defaultdict(list)
    for f in forecasts.values():
        by_series[(f["channel"], f["metric"])].append(f)
    out = {}
    for series, metrics in act.items():
        for metric, values in metrics.items():
            if all(v is None for v in values.values()):
                continue
            scale = mase_scale(values, first, end)
            for window in WINDOWS:
                for lead in LEADS:
                    scored = []
                    for f in by_series[(series, metric)]:
                        if f["lead_days"] != lead or not end - window + 1 <= f["day"] <= end:
                            continue
                        y = values.get(f["day"])
                        if y is None or f["forecast"] is None:
                            continue
                        scored.append((f, y))
                    n = len(scored)
                    banded = [(f, y) for f, y in scored
                              if None not in (f["lower_80"], f["upper_80"], f["lower_95"], f["upper_95"])]
                    row = {"n": n, "n_banded": len(banded), "mase": None, "smape": None,
                           "bias": None, "coverage_80": None, "coverage_95": None}
                    if n:
                        mae = sum(abs(f["forecast"] - y) for f, y in scored) / n
                        row["mase"] = mae / scale if scale is not None and scale > 0 else None
                        row["smape"] = sum(
                            200 * abs(f["forecast"] - y) / (abs(f["forecast"]) + abs(y))
                            if abs(f["forecast"]) + abs(y) > 0 else 0.0 for f, y in scored) / n
                        row["bias"] = sum(f["forecast"] - y for f, y in scored) / n
                    if banded:
                        row["coverage_80"] = sum(
                            1 for f, y in banded if f["lower_80"] <= y <= f["upper_80"]) / len(banded)
                        row["coverage_95"] = sum(
                            1 for f, y in banded if f["lower_95"] <= y <= f["upper_95"]) / len(banded)
                    out[(series, metric, lead, window)] = row
    return out


def expected_anomalies(act, end, forecasts):
    """{(channel, metric, day): {direction, actual, forecast, lower_95, upper_95, z, lead_days,
    forecast_run_id}} for the days end - 89 .. end."""
    best = {}
    for f in forecasts.values():
        if not end - ANOMALY_DAYS + 1 <= f["day"] <= end or f["forecast"] is None:
            continue
        y = act.get(f["channel"], {}).get(f["metric"], {}).get(f["day"])
        if y is None:
            continue
        key = (f["channel"], f["metric"], f["day"])
        if key not in best or f["lead_days"] < best[key]["lead_days"]:
            best[key] = f
    out = {}
    for key, f in best.items():
        y = act[key[0]][key[1]][key[2]]
        lo, hi = f["lower_95"], f["upper_95"]
        if lo is None or hi is None or lo <= y <= hi:
            continue
        sd = (hi - lo) / (2 * Z_975)
        out[key] = {"direction": "up" if y > hi else "down", "actual": y, "forecast": f["forecast"],
                    "lower_95": lo, "upper_95": hi, "z": (y - f["forecast"]) / sd if sd > 0 else None,
                    "lead_days": f["lead_days"], "forecast_run_id": f["run_id"]}
    return out


SCORE_FIELDS = ("mase", "smape", "bias", "coverage_80", "coverage_95")
ANOMALY_NUMBERS = ("actual", "forecast", "lower_95", "upper_95", "z")


def stored_scores(db, run):
    out = {}
    for r in db.rows("SELECT channel, metric, lead_days, window_days, n, n_banded, mase, smape, bias,"
                     " coverage_80, coverage_95 FROM ml_accuracy WHERE run_id = %d" % run):
        out[(r[0], r[1], int(r[2]), int(r[3]))] = {
            "n": int(r[4]), "n_banded": int(r[5]),
            **{k: num(v) for k, v in zip(SCORE_FIELDS, r[6:])}}
    return out


def stored_anomalies(db, run):
    out = {}
    for r in db.rows("SELECT channel, metric, day, direction, actual, forecast, lower_95, upper_95, z,"
                     " lead_days, forecast_run_id FROM ml_anomalies WHERE run_id = %d" % run):
        out[(r[0], r[1], day_of(r[2]))] = {
            "direction": r[3], **{k: num(v) for k, v in zip(ANOMALY_NUMBERS, r[4:9])},
            "lead_days": int(r[9]), "forecast_run_id": int(r[10])}
    return out


def compare(what, expected, got, numbers, exact, rel):
    for key in sorted(set(expected) | set(got), key=str):
        if key not in got:
            problem("%s %s: expected %s, not stored" % (what, key, expected[key]))
        elif key not in expected:
            problem("%s %s: stored %s, not expected" % (what, key, got[key]))
        else:
            e, g = expected[key], got[key]
            for k in exact:
                if e[k] != g[k]:
                    problem("%s %s: %s expected %s, got %s" % (what, key, k, e[k], g[k]))
            for k in numbers:
                if not close(e[k], g[k], rel):
                    problem("%s %s: %s expected %r, got %r" % (what, key, k, e[k], g[k]))


def fmt_key(key):
    return tuple(iso(k) if isinstance(k, int) and k > 700000 else k for k in key)


def check_run(db, a):
    info = run_info(db, a.run)
    if info[1] != "succeeded" or info[2] is None:
        sys.exit("run %d: status %s, data_end %s" % (a.run, info[1], info[2]))
    end = day_of(info[2])
    act, first = actuals(db, end, a.fit_days)
    forecasts = read_snapshot(a.forecasts, a.run)
    scores = expected_scores(act, first, end, forecasts)
    anomalies = expected_anomalies(act, end, forecasts)
    got_scores = stored_scores(db, a.run)
    got_anomalies = stored_anomalies(db, a.run)
    compare("ml_accuracy", {fmt_key(k): v for k, v in scores.items()},
            {fmt_key(k): v for k, v in got_scores.items()}, SCORE_FIELDS, ("n", "n_banded"), a.rel)
    compare("ml_anomalies", {fmt_key(k): v for k, v in anomalies.items()},
            {fmt_key(k): v for k, v in got_anomalies.items()}, ANOMALY_NUMBERS,
            ("direction", "lead_days", "forecast_run_id"), a.rel)
    scored = sum(r["n"] for k, r in scores.items() if k[3] == 90)
    leads = {lead: sum(r["n"] for k, r in scores.items() if k[3] == 90 and k[2] == lead) for lead in LEADS}
    if scored == 0:
        problem("run %d scored nothing: the replay is too short to check anything" % a.run)
    finish("run %d (data to %s): %d accuracy rows (forecasts scored over 90 days by lead: %s), "
           "%d anomalies, as recomputed from %d kept forecasts"
           % (a.run, info[2], len(scores), ", ".join("%d: %d" % kv for kv in leads.items()),
              len(anomalies), len(forecasts)))


# --- the injected spike ------------------------------------------------------------

def pick_spike(db, a):
    day = day_of(a.day)
    flagged = {(k[0], k[1]) for k in stored_anomalies(db, a.run) if k[2] == day}
    rows = db.rows(
        "SELECT c.channel, SUM(d.conversions) FROM campaign_daily d JOIN campaigns c ON c.id = d.campaign_id"
        " WHERE d.day = '%s' GROUP BY c.channel" % a.day)
    best = None
    for channel, conversions in rows:
        y = num(conversions)
        if channel == "all" or y is None or y <= 0 or (channel, "conversions") in flagged:
            continue
        # The forecast that scores the day: the days' runs', shortest lead, newest run.
        f = db.rows(
            "SELECT l.lead_days, l.forecast, l.lower_95, l.upper_95 FROM ml_forecast_log l"
            " JOIN ml_runs r ON r.id = l.run_id WHERE r.daily_for IS NOT NULL AND r.status = 'succeeded'"
            " AND l.channel = '%s' AND l.metric = 'conversions' AND l.day = '%s'"
            " AND l.forecast IS NOT NULL ORDER BY l.lead_days, l.run_id DESC LIMIT 1" % (channel, a.day))
        if not f or f[0][3] is None or num(f[0][2]) > y:
            continue
        upper = num(f[0][3])
        if y <= upper and y * a.factor > upper * 1.5:
            margin = y * a.factor / max(upper, 1e-9)
            if best is None or margin > best[1]:
                best = (channel, margin)
    if best is None:
        sys.exit("no channel to spike on %s" % a.day)
    print(best[0])


def spike(db, a):
    day = day_of(a.day)
    before, after = stored_anomalies(db, a.before), stored_anomalies(db, a.after)
    target = (a.channel, "conversions", day)
    if target in before:
        problem("run %d already flagged %s: pick another channel" % (a.before, fmt_key(target)))
    if target not in after:
        problem("run %d did not flag the spike %s" % (a.after, fmt_key(target)))
    elif after[target]["direction"] != "up":
        problem("the spike %s flagged %s, expected up" % (fmt_key(target), after[target]["direction"]))
    for key in sorted(set(before) | set(after), key=str):
        if key == target:
            continue
        b, g = before.get(key), after.get(key)
        if key == ("all", "conversions", day) and b is None and g is not None:
            if g["direction"] != "up":
                problem("the total's conversions on %s flagged %s, expected up" % (a.day, g["direction"]))
            continue
        if (b is None) != (g is None):
            problem("anomaly %s: run %d %s, run %d %s" % (fmt_key(key), a.before, b and b["direction"],
                                                          a.after, g and g["direction"]))
        elif b["direction"] != g["direction"]:
            problem("anomaly %s changed direction: %s -> %s" % (fmt_key(key), b, g))
        elif key[2] != day and any(not close(b[k], g[k]) for k in ANOMALY_NUMBERS):
            # The spiked day's total changes with the spike; other days may not.
            problem("anomaly %s changed: %s -> %s" % (fmt_key(key), b, g))
    on_day = sorted((k[0], k[1], v["direction"]) for k, v in after.items() if k[2] == day)
    finish("spike on %s of %s's conversions: run %d flags it up (z %s); its anomalies that day %s; "
           "every other anomaly as run %d's"
           % (a.day, a.channel, a.after, target in after and after[target]["z"], on_day, a.before))


# --- pruning ------------------------------------------------------------------------------

def prune(db, a):
    today = day_of(a.today)
    log = {}
    for line in open(a.runs):
        run, daily_for = line.split()[:2]
        log[int(run)] = None if daily_for == "NULL" else day_of(daily_for)
    succeeded = [int(r[0]) for r in db.rows(
        "SELECT id FROM ml_runs WHERE job = 'ml_sync' AND status = 'succeeded' ORDER BY id DESC")]
    recent = set(sorted(log, reverse=True)[:a.keep_runs])
    daily = {r for r, d in log.items() if d is not None and d >= today - a.keep_daily_days}
    expected = recent | daily
    rows = {int(r[0]): r for r in db.rows(
        "SELECT id, status, daily_for, trimmed FROM ml_runs WHERE job = 'ml_sync'")}
    if set(succeeded[:a.keep_runs]) != recent:
        problem("the %d newest succeeded runs are %s, the replay's newest %s"
                % (a.keep_runs, sorted(succeeded[:a.keep_runs]), sorted(recent)))
    for run in sorted(set(rows) - expected):
        problem("run %d (daily_for %s) left, expected deleted" % (run, rows[run][2]))
    for run in sorted(expected - set(rows)):
        problem("run %d (daily_for %s) deleted, expected kept"
                % (run, log[run] and iso(log[run])))
    counts = {}
    for t in TRIMMED_TABLES + KEPT_TABLES:
        counts[t] = {int(r[0]): int(r[1]) for r in db.rows(
            "SELECT run_id, COUNT(*) FROM %s GROUP BY run_id" % t)}
    draws = {int(r[0]): int(r[1]) for r in db.rows(
        "SELECT run_id, COUNT(*) FROM ml_budget_recommendation WHERE curve_draws IS NOT NULL GROUP BY run_id")}
    for run in sorted(expected & set(rows)):
        trimmed = rows[run][3] == "1"
        if run in recent:
            if trimmed:
                problem("run %d is one of the %d newest but trimmed" % (run, a.keep_runs))
            for t in ("ml_roi_timeseries", "ml_accuracy", "ml_forecast_log", "ml_roi_forecast"):
                if not counts[t].get(run):
                    problem("run %d is one of the %d newest but has no %s rows" % (run, a.keep_runs, t))
            continue
        if not trimmed:
            problem("day's run %d (daily_for %s) kept whole, expected trimmed" % (run, rows[run][2]))
        for t in TRIMMED_TABLES:
            if counts[t].get(run):
                problem("trimmed run %d keeps %d %s rows" % (run, counts[t][run], t))
        if draws.get(run):
            problem("trimmed run %d keeps curve_draws on %d channels" % (run, draws[run]))
        for t in KEPT_TABLES:
            if not counts[t].get(run):
                problem("trimmed run %d lost its %s rows" % (run, t))
    finish("pruning on %s (keep_runs %d, keep_daily_days %d): %d runs left = the %d newest, whole, "
           "+ %d days' runs from %s on, trimmed (%d runs of the replay deleted)"
           % (a.today, a.keep_runs, a.keep_daily_days, len(rows), len(recent), len(daily - recent),
              iso(today - a.keep_daily_days), len(set(log) - expected)))


# --- the API's answers ----------------------------------------------------------------

def api_run(db, answer, run):
    info = run_info(db, run)
    if answer.get("run", {}).get("id") != run:
        problem("answer's run %s, expected %d" % (answer.get("run"), run))
    if answer.get("data_end") != info[2]:
        problem("answer's data_end %s, run %d's %s" % (answer.get("data_end"), run, info[2]))
    return info


def api_accuracy(db, a):
    answer = json.load(open(a.json))
    api_run(db, answer, a.run)
    stored = {k: v for k, v in stored_scores(db, a.run).items()
              if (not a.channel or k[0] == a.channel) and (not a.metric or k[1] == a.metric)
              and (not a.window or k[3] == a.window)}
    got = {}
    for r in answer.get("accuracy", []):
        key = (r["channel"], r["metric"], r["lead_days"], r["window_days"])
        if key in got:
            problem("accuracy row %s twice" % (key,))
        got[key] = r
    compare("accuracy answer", stored, got, SCORE_FIELDS, ("n", "n_banded"), a.rel)
    finish("GET accuracy/data%s: %d rows, as run %d stored" % (a.query, len(got), a.run))


def api_anomalies(db, a):
    answer = json.load(open(a.json))
    info = api_run(db, answer, a.run)
    first = day_of(info[2]) - a.days + 1
    stored = {fmt_key(k): v for k, v in stored_anomalies(db, a.run).items()
              if k[2] >= first and (not a.channel or k[0] == a.channel)
              and (not a.metric or k[1] == a.metric)}
    got = {}
    for r in answer.get("anomalies", []):
        key = (r["channel"], r["metric"], r["day"])
        if key in got:
            problem("anomaly %s twice" % (key,))
        got[key] = r
    compare("anomalies answer", stored, got, ANOMALY_NUMBERS,
            ("direction", "lead_days", "forecast_run_id"), a.rel)
    finish("GET anomalies/data%s: %d anomalies, as run %d stored" % (a.query, len(got), a.run))


def budget_history(db, a):
    answer = json.load(open(a.json))
    latest = db.rows("SELECT id, data_end FROM ml_runs WHERE job = 'ml_sync' AND status = 'succeeded'"
                     " ORDER BY id DESC LIMIT 1")[0]
    api_run(db, answer, int(latest[0]))
    last = day_of(latest[1])
    if answer.get("follow_days") != FOLLOW_DAYS:
        problem("follow_days %s, expected %d" % (answer.get("follow_days"), FOLLOW_DAYS))
    plans = {}
    for r in db.rows(
            "SELECT r.id, r.daily_for, r.data_end, b.channel, b.current_budget, b.recommended_budget,"
            " b.curve_model FROM ml_budget_recommendation b JOIN ml_runs r ON r.id = b.run_id"
            " WHERE r.job = 'ml_sync' AND r.status = 'succeeded' AND r.daily_for IS NOT NULL"
            " AND r.data_end IS NOT NULL %s" % ("AND b.channel = '%s'" % a.channel if a.channel else "")):
        run = int(r[0])
        plans.setdefault(run, {"daily_for": r[1], "data_end": day_of(r[2]), "channels": {}})
        plans[run]["channels"][r[3]] = {"current": num(r[4]), "recommended": num(r[5]), "curve": r[6]}
    spend = defaultdict(dict)  # channel -> day -> (spend, revenue)
    for r in db.rows("SELECT c.channel, d.day, SUM(d.spend), SUM(d.revenue) FROM campaign_daily d"
                     " JOIN campaigns c ON c.id = d.campaign_id GROUP BY c.channel, d.day"):
        spend[r[0]][day_of(r[1])] = (num(r[2]), num(r[3]))
    # The plans whose data ended in the last `days` days: last - days + 1 .. last.
    wanted = {run for run, p in plans.items() if p["data_end"] > last - a.days}
    got = {p["run_id"]: p for p in answer.get("plans", [])}
    for run in sorted(wanted - set(got)):
        problem("plan of run %d (data_end %s) missing" % (run, iso(plans[run]["data_end"])))
    for run in sorted(set(got) - wanted):
        problem("plan of run %s (data_end %s) not expected" % (run, got[run].get("data_end")))
    order = [p["run_id"] for p in answer.get("plans", [])]
    channels_checked = observed_total = 0
    for run in sorted(wanted & set(got)):
        p, g = plans[run], got[run]
        end = p["data_end"]
        observed = [d for d in range(end + 1, end + FOLLOW_DAYS + 1) if d <= last]
        if g.get("day") != p["daily_for"] or g.get("data_end") != iso(end):
            problem("plan %d: day %s data_end %s, stored %s %s"
                    % (run, g.get("day"), g.get("data_end"), p["daily_for"], iso(end)))
        if g.get("days_observed") != len(observed):
            problem("plan %d: days_observed %s, expected %d" % (run, g.get("days_observed"), len(observed)))
        observed_total += len(observed)
        gch = {c["channel"]: c for c in g.get("channels", [])}
        if set(gch) != set(p["channels"]):
            problem("plan %d: channels %s, stored %s" % (run, sorted(gch), sorted(p["channels"])))
        for channel in sorted(set(gch) & set(p["channels"])):
            s, c = p["channels"][channel], gch[channel]
            channels_checked += 1
            if observed:
                days = [spend[channel].get(d, (0.0, 0.0)) for d in observed]
                known_spend = [x[0] for x in days if x[0] is not None]
                known_revenue = [x[1] for x in days if x[1] is not None]
                # Means of the days that reported the value (a day without a row is 0).
                want_spend = sum(known_spend) / len(known_spend) if known_spend else None
                want_revenue = sum(known_revenue) / len(known_revenue) if known_revenue else None
            else:
                want_spend = want_revenue = None
            for name, want in (("current", s["current"]), ("recommended", s["recommended"]),
                               ("actual_spend", want_spend), ("revenue_actual", want_revenue)):
                if not close(want, c.get(name), 1e-6):
                    problem("plan %d %s: %s expected %r, got %r" % (run, channel, name, want, c.get(name)))
            # moved: the spend made against the advice (what counts as held is the model's).
            made, advised = (want_spend - s["current"] if want_spend is not None else None,
                             s["recommended"] - s["current"])
            moved = c.get("moved")
            if moved not in ("toward", "away", "held") or (made is None and moved != "held") or \
                    (moved == "toward" and not made * advised > 0) or \
                    (moved == "away" and not made * advised <= 0):
                problem("plan %d %s: moved %r, with the advice %+g a day and %s spent against it"
                        % (run, channel, moved, advised, made))
            if s["curve"] not in (None, "none") and observed:
                for name in ("revenue_predicted_at_actual", "revenue_predicted_at_current"):
                    if not isinstance(c.get(name), (int, float)):
                        problem("plan %d %s: %s is %r with a %s curve" % (run, channel, name, c.get(name),
                                                                       s["curve"]))
        totals = g.get("totals") or {}
        for name in ("current", "recommended") + (("actual_spend",) if observed else ()):
            want = sum(c.get(name) or 0.0 for c in gch.values())
            if not close(want, totals.get(name), 1e-6):
                problem("plan %d: totals.%s %r, the channels' sum %r" % (run, name, totals.get(name), want))
    finish("GET budget-recommendation/history%s: %d plans (%d channel rows, %d days observed), "
           "as the days' runs stored them and as campaign_daily says was spent; order %s"
           % (a.query, len(got), channels_checked, observed_total,
              "oldest first" if order == sorted(order) else "newest first" if order == sorted(order, reverse=True)
              else "mixed"))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--socket", required=True)
    p.add_argument("--user", default=None)
    p.add_argument("--database", default="mldash")
    p.add_argument("--rel", type=float, default=1e-9, help="relative tolerance of numbers")
    sub = p.add_subparsers(dest="command", required=True)
    s = sub.add_parser("snapshot")
    s.add_argument("out")
    s = sub.add_parser("run")
    s.add_argument("--run", type=int, required=True)
    s.add_argument("--forecasts", required=True)
    s.add_argument("--fit-days", type=int, default=365)
    s = sub.add_parser("pick-spike")
    s.add_argument("--run", type=int, required=True)
    s.add_argument("--day", required=True)
    s.add_argument("--factor", type=float, required=True)
    s = sub.add_parser("spike")
    s.add_argument("--before", type=int, required=True)
    s.add_argument("--after", type=int, required=True)
    s.add_argument("--day", required=True)
    s.add_argument("--channel", required=True)
    s = sub.add_parser("prune")
    s.add_argument("--runs", required=True)
    s.add_argument("--keep-runs", type=int, required=True)
    s.add_argument("--keep-daily-days", type=int, required=True)
    s.add_argument("--today", required=True)
    for name in ("api-accuracy", "api-anomalies", "budget-history"):
        s = sub.add_parser(name)
        s.add_argument("--json", required=True)
        s.add_argument("--run", type=int)
        s.add_argument("--channel")
        s.add_argument("--metric")
        s.add_argument("--window", type=int)
        s.add_argument("--days", type=int, default=None)
        s.add_argument("--query", default="")
    a = p.parse_args()
    import getpass
    db = DB(a.socket, a.user or getpass.getuser(), a.database)
    {"snapshot": lambda: snapshot(db, a.out), "run": lambda: check_run(db, a),
     "pick-spike": lambda: pick_spike(db, a), "spike": lambda: spike(db, a),
     "prune": lambda: prune(db, a), "api-accuracy": lambda: api_accuracy(db, a),
     "api-anomalies": lambda: api_anomalies(db, a),
     "budget-history": lambda: budget_history(db, a)}[a.command]()


if __name__ == "__main__":
    main()
