#!/usr/bin/env python3
"""Writes the hand-made fuzz seeds into tests/fuzz/corpus/<target>/.

Parser seeds are cut (a few KB each, whole lines) from the real exports in
../shared/datasets (or $MLDASH_DATASETS); the other seeds are built here.
Run once when adding a target or a format; the committed corpus is these
seeds plus what `libFuzzer -merge=1` kept (see docs/fuzzing.md).
"""
import math
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DATASETS = os.environ.get("MLDASH_DATASETS",
                          os.path.join(HERE, "..", "..", "..", "shared", "datasets"))


def write(target, name, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def head_lines(path, lines, limit):
    """The first `lines` lines of a file, cut to at most `limit` bytes on a line end."""
    with open(path, "rb") as f:
        data = f.read()
    out, pos = b"", 0
    for _ in range(lines):
        nl = data.find(b"\n", pos)
        if nl < 0 or nl + 1 > limit:
            break
        out, pos = data[:nl + 1], nl + 1
    return out


def head_lines_utf16(path, lines, limit):
    """The same for UTF-16 LE with BOM: cut on a 0a 00 unit."""
    with open(path, "rb") as f:
        data = f.read()
    out, pos = b"", 2
    for _ in range(lines):
        nl = pos
        while nl + 1 < len(data) and data[nl:nl + 2] != b"\n\x00":
            nl += 2
        if nl + 2 > limit or nl + 1 >= len(data):
            break
        out, pos = data[:nl + 2], nl + 2
    return out


def parser_seeds():
    # Chunk selectors: small odd chunks, 1-byte chunks, whole file.
    small, ones, whole = b"\x06\x0b\x02\x7f", b"\x00\x00\x00\x00", b"\x80\x80\x80\x80"
    ex = os.path.join(DATASETS, "exports")
    ga, meta = os.path.join(ex, "google_ads"), os.path.join(ex, "meta")
    ads = os.path.join(DATASETS, "online-ads", "online-ads-generic.csv")
    write("parser", "google-alltime.csv", small + head_lines(os.path.join(ga, "calpreserving_campaign_alltime.csv"), 8, 3000))
    write("parser", "google-daily.csv", small + head_lines(os.path.join(ga, "cocoon_campaign_daily.csv"), 20, 2500))
    utf16 = head_lines_utf16(os.path.join(ga, "huft_campaign_month_utf16.tsv"), 5, 5000)
    write("parser", "google-utf16le.tsv", small + utf16)
    write("parser", "google-utf16le-bytewise.tsv", ones + utf16[:1200])
    be = b"\xfe\xff" + utf16[2:].decode("utf-16-le").encode("utf-16-be")
    write("parser", "google-utf16be.tsv", b"\x03\x80\x05\x01" + be)
    # The UTF-16 export above is monthly (refused whole): a daily one, as
    # Google Ads writes it when asked for UTF-16, reaches the rows.
    import csv, io
    daily = head_lines(os.path.join(ga, "cocoon_campaign_daily.csv"), 12, 1500).decode()
    tsv = "".join("\t".join(row) + "\n" for row in csv.reader(io.StringIO(daily)))
    write("parser", "google-daily-utf16le.tsv", b"\x21\x04\x80\x02" + b"\xff\xfe" + tsv.encode("utf-16-le"))
    write("parser", "meta-campaign-bom.csv", small + head_lines(os.path.join(meta, "cocoon_campaign_daily.csv"), 12, 2500))
    write("parser", "meta-ad-period.csv", b"\x11\x80\x01\x09" + head_lines(os.path.join(meta, "monfrere_ad_daily.csv"), 6, 2500))
    write("parser", "meta-no-data.csv", whole + head_lines(os.path.join(meta, "no_data_available.csv"), 3, 1000))
    # Over HEAD_LINES lines, so that rows stream through libcsv after the head.
    write("parser", "generic-70-lines.csv", b"\x7f\x41\x80\x13" + head_lines(ads, 70, 6000))
    write("parser", "generic-crlf.csv", small + head_lines(ads, 8, 1000).replace(b"\n", b"\r\n"))


def cron_seeds():
    for i, expr in enumerate(["*/30 * * * *", "0 * * * *", "30 2 * * *", "0 0 30 2 *",
                              "5/15 9-17 1,15 jan-dec mon-fri", "0 0 * * 7",
                              "0 2 29 2 sun", "59 23 31 12 *", "1-10/2 0 * * Sat"]):
        write("cron", "seed-%d" % i, expr.encode())


def config_seeds():
    with open(os.path.join(HERE, "..", "..", "deploy", "mldash.conf.example"), "rb") as f:
        write("config", "example.conf", f.read())
    for i, text in enumerate([
            "[database]\nport = 99999\n",
            "[schedule]\nml_sync = 61 * * * *\ntimezone = Europe/Berlin\n",
            "[log]\nlevel = loud\n",
            "[nope]\nx = 1\n",
            "[api]\ncors_origins = https://a.example, https://b.example\ntoken = \"quoted\" ; c\n",
            "[ml]\nhorizon_days = 0x10\nfit_days=-5\n",
            "[paths]\nmigrations_dir = " + "x" * 300 + "\n"]):
        write("config", "seed-%d.conf" % i, text.encode())


def query_seeds():
    write("query", "seed-0", b"\x10a=1&b=x%20y&c=%zz\nb\n\"abc\", W/\"def\"\n\"def\"\na\nc\n")
    write("query", "seed-1", b"\x3fdays=30&&total=1e3&target_roi=0.5+x\ntarget_roi\n*\n\"x\"\ndays\ntotal\n")
    write("query", "seed-2", b"\x01%00=%41\n%00\nW/\"a\"\t,\"b\n\"b\"\n")


def series(n, period, level, amp, missing=()):
    return [None if t in missing else
            level + amp * math.sin(2 * math.pi * t / period) + 0.3 * t for t in range(n)]


def ets_seeds():
    def as_bytes(ys):
        return bytes(0xff if y is None else max(0, min(252, int(round(y)))) for y in ys)
    # flags, period, horizon-1, levels (2: 80%, 95%)
    write("ets", "weekly-56", bytes([0x7f & 0x79, 7, 13, 2, 205, 243]) + as_bytes(series(56, 7, 100, 40)))
    write("ets", "weekly-missing", bytes([0x01, 7, 29, 2, 205, 243]) + as_bytes(series(90, 7, 60, 30, {3, 10, 11, 40})))
    write("ets", "flat-short", bytes([0x00, 1, 6, 1, 128]) + as_bytes([5, 5, 5, 5, 5]))
    raw = [1.0, 2.0, float("nan"), 4.0, float("inf"), 1e308, -1e308, 5e-324, 3.0, 2.5, 2.0, 1.5]
    write("ets", "raw-doubles", bytes([0x07, 3, 20, 2, 205, 243]) + b"".join(struct.pack("<d", v) for v in raw * 2))


def budget_seeds():
    # Byte mode: flags, days, total, target, lower ratio, upper ratio, then per
    # channel current, lower, upper, flags; then spend/revenue pairs.
    for name, flags, chans in [("max-response-3", 0x02, 3), ("target-roi-2", 0x05, 2),
                               ("floor-adstock-4", 0x1b, 4)]:
        days = 60
        head = bytes([flags, days, 40, 96, 32, 64])
        for c in range(chans):
            head += bytes([10 + 5 * c, 0, 0, 0x02 if c == chans - 1 else 0])
        body = b""
        for c in range(chans):
            for t in range(days):
                s = 5 + (t * (c + 3)) % 20
                body += bytes([s, min(250, int(30 * math.sqrt(s) / (1 + c * 0.3)))])
        write("budget", name, head + body)
    raw = struct.pack("<4d", -1, 0.5, 0.5, 2) + struct.pack("<3d", 100, -1, -1) + b"\x00"
    vals = [100, 250, float("nan"), 80, 120, float("inf"), 90, 230, 110, 260] * 3
    write("budget", "raw-one-channel", bytes([0x20, 15]) + raw + b"".join(struct.pack("<d", v) for v in vals))


def series_seeds():
    """Files as analysts' tools write a series (ingest/series.h), each
    read in chunks of the first byte."""
    forms = {
        "plain.csv": b"date,value\n2024-01-01,10\n2024-01-02,11\n2024-01-03,12\n",
        "r-rownames.csv": b'"","date","value"\n"1",2024-01-01,10\n"2",2024-01-02,NA\n',
        "ga4.csv": b"# Users\n#\nDate,Active users\n20240101,10\n20240102,11\n",
        "excel.csv": b"\xef\xbb\xbfDate,Value,,\r\n1/1/2024,10,,\r\n,,,\r\n1/2/2024,\"1,100\",,\r\n",
        "semicolon.csv": b"date;value\n01/02/2024;10,5\n02/02/2024;1.100,0\n13/02/2024;3%\n",
        "tsv-months.tsv": b"month\tvalue\nJan 1949\t112\n1949-02\t118\nTotal\t230\n",
        "one-column.csv": b"value\n1\n\n3\n1e+05\n\n",
        "no-header.csv": b"2024-01-03,12\n2024-01-01,10\n2024-01-02,11\n2024-01-02,9\n",
    }
    for i, (name, body) in enumerate(sorted(forms.items())):
        write("series", name, bytes([(0, 1, 3, 7, 64)[i % 5]]) + body)


if __name__ == "__main__":
    if not os.path.isdir(DATASETS):
        sys.exit("seeds.py: no datasets at %s (set MLDASH_DATASETS)" % DATASETS)
    parser_seeds()
    cron_seeds()
    config_seeds()
    query_seeds()
    ets_seeds()
    budget_seeds()
    series_seeds()
