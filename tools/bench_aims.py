#!/usr/bin/env python3
"""Prints the table "Against the aims" (issue 15) from the output of one tools/bench run.

Usage: tools/bench_aims.py [--json] LOG

LOG is what tools/bench printed (it tees that to bench.log in its work directory and calls this
script at the end). The log is read in parts: a part starts at a section header (`== anchors`,
`== ripd reads`, `== ripd durable writes ... --fsync POLICY`, `== recovery`, `== cookie jars`,
`== jobs`, `== artifacts`, any other `== ` header) or, inside a section, at one of the lines
`redis appendfsync=POLICY, N clients:`, `redis pipelined -P16, 50 clients:` (anchors.sh) and
`ripd --fsync POLICY, then beanstalkd ...:` (the jobs section). Every figure is filed under its
part, so the same command measured under always and everysec is told apart. The figures read:
  udsping         `uds round trip: 45.49 us, ...`
  redis-benchmark `SET: 97815.46 requests per second, p50=0.407 msec` (`-q`, as anchors.sh prints it)
  ripload         `ripload CALL: N connections, pipeline D: R calls/s (...)`
  ripbench        `CALL  connections=N depth=D  R ops/s  p50 X µs ...` (and `mean X µs` if printed)
  ripjobs         `ripd: N clients x J jobs: R jobs/s (submit+claim+complete | submit, complete-and-claim), ...`
  beanbench       `beanstalkd: N clients x J jobs: R jobs/s (put+reserve+delete), ...`
  shared store    `one ripd    CALL  connections=N depth=1  R ops/s ...` (ripbench, as the shared section prints it)
  recovery        `recovered N records in T s: R records/s`
  artifacts       `256 MiB: cp R MiB/s, cp+fsync (dd conv=fsync) R MiB/s, put R MiB/s, get R MiB/s`
  peak memory     `ripd peak RSS (NAME): N kB` (tools/bench prints one before it stops each ripd)
A row whose figures are not all in the log is "not measured in this run".
"""
import argparse
import json
import re

# A line that starts a part of the log -> the name of the part (formatted with the line's groups).
PARTS = (
    (r"== anchors", "anchors"),
    (r"redis appendfsync=(\w+), (\d+) clients?:", "anchors {0} {1}"),
    (r"redis pipelined -P16, 50 clients:", "anchors P16"),
    (r"== ripd reads", "reads"),
    (r"== ripd durable writes .*--fsync (\w+)", "writes {0}"),
    (r"== recovery", "recovery"),
    (r"== cookie jars", "cookies"),
    (r"== jobs", "jobs"),
    (r"ripd --fsync (\w+), then beanstalkd", "jobs {0}"),
    (r"== artifacts", "artifacts"),
    (r"== shared store", "shared"),
    (r"== ", "other"),
)
# A line with a figure -> its name (formatted with all groups but the last) and its value (the last).
FIGURES = (
    (r"uds round trip: ([\d.]+) us", "udsping"),
    (r"(SET|GET): ([\d.]+) requests per second", "{0}"),
    (r"ripload (\S+): (\d+) connections, pipeline (\d+): (\d+) calls/s", "ripload {0} {1}x{2}"),
    (r"(\S+(?: --\S+(?: \d+)?)?)  connections=(\d+) depth=(\d+)  .*\bp50 ([\d.]+) µs", "ripbench {0} {1}x{2} p50"),
    (r"(\S+(?: --\S+(?: \d+)?)?)  connections=(\d+) depth=(\d+)  .*\bmean ([\d.]+) µs", "ripbench {0} {1}x{2} mean"),
    (r"ripd: (\d+) clients x \d+ jobs: (\d+) jobs/s \(submit\+claim", "ripjobs cycle {0}"),
    (r"ripd: (\d+) clients x \d+ jobs: (\d+) jobs/s \(submit, complete-and-claim", "ripjobs loop {0}"),
    (r"beanstalkd: (\d+) clients x \d+ jobs: (\d+) jobs/s", "beanbench {0}"),
    (r"^one ripd +(\S+)  connections=(\d+) depth=1  (\d+) ops/s", "one ripd {0} {1}"),
    (r"recovered \d+ records in [\d.]+ s: ([\d,]+) records/s", "records/s"),
    (r"(\d+) MiB: cp (\d+) MiB/s", "{0} MiB cp"),
    (r"(\d+) MiB: .*\(dd conv=fsync\) (\d+) MiB/s", "{0} MiB dd"),
    (r"(\d+) MiB: .*\bput (\d+) MiB/s", "{0} MiB put"),
    (r"(\d+) MiB: .*\bget (\d+) MiB/s", "{0} MiB get"),
)
PEAK_RSS = r"ripd peak RSS \((.+)\): (\d+) kB"


def read_figures(lines):
    """{"PART: NAME": value} for every figure in the log, and the peak RSS lines as (name, kB)."""
    figures, peaks, part = {}, [], "other"
    for line in lines:
        for pattern, name in PARTS:
            if m := re.match(pattern, line):
                part = name.format(*m.groups())
                break
        for pattern, name in FIGURES:
            if m := re.search(pattern, line):
                *key, value = m.groups()
                figures[f"{part}: {name.format(*key)}"] = float(value.replace(",", ""))
        if m := re.match(PEAK_RSS, line):
            peaks.append((m[1], int(m[2])))
    return figures, peaks


def c_client_latency(f):
    """µs per call of ripload's one connection, one call at a time: 1 / its rate."""
    return 1e6 / f["reads: ripload get-session 1x1"]


def ripbench_latency(f):
    """ripbench's mean latency at 1 connection if it printed one, else its p50."""
    return f.get("reads: ripbench get-session 1x1 mean") or f["reads: ripbench get-session 1x1 p50"]


REDIS_GET_NOTE = ("redis GET at 50 clients is measured in both the appendfsync everysec and the always run; "
                  "these rows use the everysec run's.")
BEANSTALKD_NOTE = ("beanstalkd (binlog, -f 1000) is measured in each --fsync part of the jobs section; "
                   "each row uses the figure measured next to it.")
# what, unit, ripd's figure, the anchor (None: an absolute aim), the anchor's figure, ≥ or ≤, the aim
# (a ratio, or ripd's figure), a footnote; a figure is a key of read_figures' dict or a function of it.
ROWS = (
    ("durable writes, 50 connections, `--fsync always` (ripload 50 1 record-request)", "calls/s",
     "writes always: ripload record-request 50x1",
     "redis SET, appendfsync always, 50 clients", "anchors always 50: SET", "≥", 1.5, None),
    ("durable writes, 50 connections, `--fsync everysec`", "calls/s",
     "writes everysec: ripload record-request 50x1",
     "redis SET, appendfsync everysec, 50 clients", "anchors everysec 50: SET", "≥", 1.2, None),
    ("durable writes, 1 connection, `--fsync always`", "calls/s",
     "writes always: ripload record-request 1x1",
     "redis SET, appendfsync always, 1 client", "anchors always 1: SET", "≥", 1.0, None),
    ("durable writes, 1 connection, `--fsync everysec`", "calls/s",
     "writes everysec: ripload record-request 1x1",
     "redis SET, appendfsync everysec, 1 client", "anchors everysec 1: SET", "≥", 1.0, None),
    ("reads, 1 connection, C client (ripload 1 1 get-session), latency = 1/rate", "µs",
     c_client_latency,
     "raw Unix-socket round trip (udsping)", "anchors: udsping", "≤", 1.3, None),
    ("reads, 1 connection, RipClient (ripbench --connections 1 get-session: mean if printed, else p50)", "µs",
     ripbench_latency,
     "the C client's latency", c_client_latency, "≤", 1.3, None),
    ("reads, 50 connections × 16 pipelined (ripload 50 16 get-session)", "calls/s",
     "reads: ripload get-session 50x16",
     "redis GET -P 16, 50 clients", "anchors P16: GET", "≥", 0.5, None),
    ("CookieHeader, 50 connections, header only (ripload 50 1 cookie-header-only)", "calls/s",
     "cookies: ripload cookie-header-only 50x1",
     "redis GET, 50 clients", "anchors everysec 50: GET", "≥", 1.0, REDIS_GET_NOTE),
    ("CookieHeader, 50 connections, with cookies (ripload 50 1 cookie-header)", "calls/s",
     "cookies: ripload cookie-header 50x1",
     "redis GET, 50 clients", "anchors everysec 50: GET", "≥", 0.7, REDIS_GET_NOTE),
    ("job cycle, 16 workers, `--fsync everysec` (ripjobs cycle 16)", "jobs/s",
     "jobs everysec: ripjobs cycle 16",
     "beanstalkd, beanbench 16 clients", "jobs everysec: beanbench 16", "≥", 3.0, BEANSTALKD_NOTE),
    ("job loop, 16 workers, `--fsync everysec` (ripjobs loop 16)", "jobs/s",
     "jobs everysec: ripjobs loop 16",
     "beanstalkd, beanbench 16 clients", "jobs everysec: beanbench 16", "≥", 3.0, BEANSTALKD_NOTE),
    ("job cycle, 16 workers, `--fsync always` (ripjobs cycle 16)", "jobs/s",
     "jobs always: ripjobs cycle 16",
     "beanstalkd, beanbench 16 clients", "jobs always: beanbench 16", "≥", 1.0, BEANSTALKD_NOTE),
    ("job loop, 16 workers, `--fsync always` (ripjobs loop 16)", "jobs/s",
     "jobs always: ripjobs loop 16",
     "beanstalkd, beanbench 16 clients", "jobs always: beanbench 16", "≥", 1.0, BEANSTALKD_NOTE),
    ("job cycle on PostgreSQL, one ripd, 16 connections (ripbench job-cycle; issue 14)", "cycles/s",
     "shared: one ripd job-cycle 16", None, None, "≥", 5_000, None),
    ("recovery from 1,000,000 records", "records/s",
     "recovery: records/s", None, None, "≥", 1_000_000, None),
    ("artifact upload, 256 MiB (ripctl artifact put)", "MiB/s",
     "artifacts: 256 MiB put",
     "dd conv=fsync of the same file", "artifacts: 256 MiB dd", "≥", 0.8, None),
    ("artifact download, 256 MiB (ripctl artifact get)", "MiB/s",
     "artifacts: 256 MiB get",
     "cp of the same file", "artifacts: 256 MiB cp", "≥", 0.8, None),
)
PEAK_RSS_AIM_MIB = 256


def figure(get, figures):
    """figures[get] or get(figures), or None when a figure it needs is not in the log."""
    try:
        return get(figures) if callable(get) else figures[get]
    except (KeyError, ZeroDivisionError):
        return None


def show(value, unit):
    if value is None:
        return "—"
    return f"{value:,.1f} {unit}" if unit == "µs" else f"{value:,.0f} {unit}"


def row(what, unit, ripd, anchor, anchor_figure, ratio, aim, checked, sign, bound, ripd_text=None):
    """One row; `checked` (the ratio, or ripd's figure for an absolute aim) is held against `bound`."""
    if checked is None:
        result = "not measured in this run"
    else:
        result = "met" if (checked >= bound if sign == "≥" else checked <= bound) else "missed"
    return {"what": what, "unit": unit, "ripd": ripd, "ripd_text": ripd_text or show(ripd, unit),
            "anchor": anchor, "anchor_figure": anchor_figure, "anchor_text": show(anchor_figure, unit),
            "ratio": ratio, "aim": aim, "result": result}


def table(figures, peaks):
    """The rows (what, ripd's figure, the anchor and its figure, ratio, aim, result) and the notes they cite."""
    rows, notes = [], []
    for what, unit, ripd_get, anchor, anchor_get, sign, bound, note in ROWS:
        ripd = figure(ripd_get, figures)
        if anchor:
            anchor_figure = figure(anchor_get, figures)
            ratio = round(ripd / anchor_figure, 2) if ripd is not None and anchor_figure else None
            aim = f"{sign} {bound:.1f}×" + (" its latency" if unit == "µs" else "")
            checked = ratio
        else:
            anchor, anchor_figure, ratio = "—", None, None
            aim = f"{sign} {bound:,} {unit}"
            checked = ripd
        if note:
            if note not in notes:
                notes.append(note)
            anchor += f" [^{notes.index(note) + 1}]"
        rows.append(row(what, unit, ripd, anchor, anchor_figure, ratio, aim, checked, sign, bound))
    name, kb = max(peaks, key=lambda p: p[1], default=(None, None))
    mib = None if kb is None else kb / 1024
    rows.append(row("ripd peak RSS under every benchmark (VmHWM before each ripd stops)", "MiB", mib, "—", None,
                    None, f"≤ {PEAK_RSS_AIM_MIB} MiB", mib, "≤", PEAK_RSS_AIM_MIB,
                    ripd_text=f"{mib:,.0f} MiB ({name})" if kb else None))
    return rows, notes


def markdown(rows, notes):
    out = ["### Against the aims", "",
           "| what | ripd | anchor in the same run | anchor's figure | ratio | result | aim |",
           "|---|---|---|---|---|---|---|"]
    for r in rows:
        ratio = "—" if r["ratio"] is None else f"{r['ratio']:.2f}×"
        out.append(f"| {r['what']} | {r['ripd_text']} | {r['anchor']} | {r['anchor_text']} | {ratio} "
                   f"| {r['result']} | {r['aim']} |")
    out += [""] + [f"[^{i}]: {note}" for i, note in enumerate(notes, 1)]
    return "\n".join(out)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the table as JSON")
    parser.add_argument("log", type=argparse.FileType(encoding="utf-8", errors="replace"))
    args = parser.parse_args()
    rows, notes = table(*read_figures(args.log.read().splitlines()))
    if args.json:
        print(json.dumps({"table": "Against the aims", "rows": rows, "notes": notes}, ensure_ascii=False, indent=1))
    else:
        print(markdown(rows, notes))


if __name__ == "__main__":
    main()
