#!/usr/bin/python3
"""Independent reading of an ad-platform export, for the import tests.

Prints one line per campaign: key, campaign-days, spend, impressions, revenue
(empty when unknown), tab-separated and sorted by key. Written from the
dataset README, separately from the C importer, so that the two can be
compared: python's csv module, no code shared.
"""
import codecs
import csv
import io
import sys
from collections import defaultdict


def number(cell):
    cell = (cell or "").strip()
    if cell in ("", "--", "-"):
        return None
    return float(cell.replace(",", ""))


def rows_of(path):
    raw = open(path, "rb").read()
    if raw.startswith(codecs.BOM_UTF16_LE):
        text = raw.decode("utf-16")
    else:
        text = raw.decode("utf-8-sig")
    delimiter = "\t" if text.count("\t") > text.count(",") else ","
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def main(path):
    rows = rows_of(path)
    # The header is the first row naming a campaign column.
    for h, header in enumerate(rows):
        names = [c.strip() for c in header]
        if "campaign_id" in names or "Campaign" in names or "Campaign name" in names:
            break
    else:
        sys.exit("no header")
    col = {name: i for i, name in enumerate(names)}

    def pick(*choices):
        for c in choices:
            if c in col:
                return col[c]
        for c in choices:  # "Amount spent (USD)" and the like
            for name, i in col.items():
                if c.endswith("(") and name.startswith(c):
                    return i
        return None

    key = pick("campaign_id", "Campaign ID", "Campaign", "Campaign name")
    day = pick("date", "Day", "Reporting starts")
    spend = pick("spend", "Cost", "Amount spent (")
    impressions = pick("impressions", "Impr.", "Impressions")
    revenue = pick("revenue", "Conv. value", "Purchases conversion value")
    roas = pick("Purchase ROAS (return on ad spend)")

    days = defaultdict(set)
    sums = defaultdict(lambda: [None, None, None])

    def add(acc, i, v):
        if v is not None:
            acc[i] = (acc[i] or 0) + v

    for r in rows[h + 1:]:
        if not any(c.strip() for c in r) or r[0].startswith("Total:"):
            continue
        if "No data available." in r:
            continue
        k = r[key].strip()
        days[k].add(r[day].strip())
        s = number(r[spend])
        add(sums[k], 0, s)
        add(sums[k], 1, number(r[impressions]) if impressions is not None else None)
        if revenue is not None:
            add(sums[k], 2, number(r[revenue]))
        elif roas is not None and s is not None and number(r[roas]) is not None:
            add(sums[k], 2, s * number(r[roas]))

    def fmt(v):
        return "" if v is None else "%.2f" % v

    for k in sorted(days):
        s = sums[k]
        print("\t".join([k, str(len(days[k])), fmt(s[0]), fmt(s[1]), fmt(s[2])]))


if __name__ == "__main__":
    main(sys.argv[1])
