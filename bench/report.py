"""The report of a bench.py run: ratios against the baselines of the same
run, the issue's targets, a Markdown table for the README and one JSON
line per figure."""
import json
import os

OURS, NODE = "analytics-mcp", "node-reference"
PSQL, WARM, COPY = "psql -At", "psql \\timing warm", "COPY TO STDOUT warm"


def find(results, figure, subject, case):
    for r in results:
        if (r["figure"], r["subject"], r["case"]) == (figure, subject, case):
            return r
    return None


def med(results, figure, subject, case):
    r = find(results, figure, subject, case)
    if r is None:
        return None
    return r.get("median", r.get("value"))


def ms(r):
    """'median [p25-p75]' in ms, or '-'."""
    if r is None:
        return "-"
    f = "%.2f" if r["median"] < 10 else "%.1f" if r["median"] < 100 else \
        "%.0f"
    return (f + " [" + f + "–" + f + "]") % (r["median"], r["p25"],
                                             r["p75"])


def mib(kb):
    return "-" if kb is None else "%.1f MiB" % (kb / 1024)


def ratio(a, b):
    return None if a is None or b in (None, 0) else a / b


def x(v):
    return "-" if v is None else "%.2fx" % v


def ratios(b):
    """Ratio figures, added to the results: ours over each baseline."""
    res = b.results
    pairs = [("cold_start", "initialize reply", NODE),
             ("cold_start", "first query reply", NODE),
             ("round_trip", "ping", NODE), ("round_trip", "tools/list", NODE)]
    for n in (10, 1000, 10000):
        for base in (WARM, PSQL, COPY, NODE):
            pairs.append(("query", "%d rows" % n, base))
        pairs.append(("peak_rss", "%d rows" % n, NODE))
        pairs.append(("cpu_per_query", "%d rows" % n, NODE))
        pairs.append(("bytes_per_row_line", "%d rows" % n, NODE))
        pairs.append(("bytes_per_row_result", "%d rows" % n, NODE))
    pairs.append(("idle_uss", "after initialize", NODE))
    pairs.append(("idle_rss", "after initialize", NODE))
    for fig, case, base in pairs:
        v = ratio(med(res, fig, OURS, case), med(res, fig, base, case))
        if v is not None:
            b.emit("ratio_" + fig, OURS + " / " + base, case, "x",
                   round(v, 3))


def targets(b):
    """The issue's targets as measured: (what, measured, met)."""
    res = b.results
    out = []
    q10k = ratio(med(res, "query", OURS, "10000 rows"),
                 med(res, "query", WARM, "10000 rows"))
    out.append(("10,000 rows within 1.5x of psql's warm \\timing fetch",
                x(q10k), q10k is not None and q10k <= 1.5))
    q10, ping, w10 = (med(res, "query", OURS, "10 rows"),
                      med(res, "round_trip", OURS, "ping"),
                      med(res, "query", WARM, "10 rows"))
    over = None if None in (q10, ping, w10) else q10 - ping - w10
    out.append(("10 rows within 1 ms of a ping round trip plus the warm "
                "fetch", "-" if over is None else "%+.2f ms" % over,
                over is not None and over <= 1.0))
    cold = med(res, "cold_start", OURS, "initialize reply")
    out.append(("cold start under 5 ms (median)",
                "-" if cold is None else "%.2f ms" % cold,
                cold is not None and cold < 5))
    uss = med(res, "idle_uss", OURS, "after initialize")
    out.append(("idle private memory under 2 MB", mib(uss),
                uss is not None and uss < 2048))
    peak = med(res, "peak_rss", OURS, "10000 rows")
    out.append(("peak RSS under 16 MB at 10,000 rows", mib(peak),
                peak is not None and peak < 16 * 1024))
    s200 = med(res, "scale_servers_uss", OURS, "200 sessions")
    per = None if s200 is None else s200 / 200
    out.append(("at most 2 MB private memory per idle session at 200 "
                "sessions (the server process)", mib(per),
                per is not None and per <= 2048))
    # A figure the run did not take (BENCH_QUICK, no Node) is no verdict.
    out = [(what, got, None if got == "-" else met) for what, got, met
           in out]
    for what, got, met in out:
        b.emit("target", OURS, what, "met", met)
        b.results[-1]["measured"] = got
    return out


def table(b, tgt):
    res = b.results
    m = b.machine()
    lines = [
        "Machine: %d cores, %s, %.0f GiB RAM; Linux %s; PostgreSQL %s; "
        "Node %s; load average %.1f at the start, %.1f at the end; %s."
        % (m["nproc"], m["cpu"], m["ram_gib"], m["kernel"], m["postgresql"],
           m["node"], m["loadavg_1min_start_end"][0],
           m["loadavg_1min_start_end"][-1], m["date"]),
        "",
        "Times in ms: median [first–third quartile] of repeated runs.",
        "",
        "| case | analytics-mcp | Node reference | psql -At | "
        "psql \\timing (warm) | COPY TO STDOUT (warm) | ratio |",
        "|---|---|---|---|---|---|---|",
    ]

    def row(label, fig, case, base, basename):
        lines.append("| %s | %s | %s | %s | %s | %s | %s |" % (
            label, ms(find(res, fig, OURS, case)),
            ms(find(res, fig, NODE, case)), ms(find(res, fig, PSQL, case)),
            ms(find(res, fig, WARM, case)), ms(find(res, fig, COPY, case)),
            x(ratio(med(res, fig, OURS, case), med(res, fig, base, case)))
            + " of " + basename))
    row("cold start to `initialize` reply", "cold_start",
        "initialize reply", NODE, "Node")
    row("cold start to a first `query` reply (`SELECT 1`)", "cold_start",
        "first query reply", NODE, "Node")
    row("`ping` round trip", "round_trip", "ping", NODE, "Node")
    row("`tools/list` round trip", "round_trip", "tools/list", NODE, "Node")
    for n in (10, 1000, 10000):
        row("`query`, %s rows" % format(n, ","), "query", "%d rows" % n,
            WARM, "warm fetch")
    floor = find(res, "cold_start", "true(1)", "spawn and exit")
    libpq = find(res, "cold_start", "libpq floor", "spawn and exit")
    one = find(res, "round_trip", WARM, "SELECT 1")
    lines += ["", "Floors measured in the same run: spawning and reaping "
              "`true(1)` %s ms; an empty program linked with libpq (loading "
              "libpq and its libraries, which analytics-mcp does on a thread of "
              "its own once it has answered `initialize`) %s ms; one "
              "statement's round trip (`SELECT 1`, psql `\\timing`, warm) "
              "%s ms; a "
              "`query` call makes one for its opening statements together "
              "(BEGIN, the settings, DECLARE, the columns), one for the "
              "column type names the connection has not seen yet, one for "
              "each FETCH, and one for the ROLLBACK with its clean-up after "
              "the answer." % (ms(floor), ms(libpq), ms(one)),
              "",
        "| CPU, memory and size | analytics-mcp | Node reference | ratio |",
        "|---|---|---|---|"]

    def mrow(label, fig, case, fmt):
        a, n = med(res, fig, OURS, case), med(res, fig, NODE, case)
        lines.append("| %s | %s | %s | %s |" % (label, fmt(a), fmt(n),
                                               x(ratio(a, n))))
    for n in (10, 1000, 10000):
        mrow("server CPU per `query`, %s rows" % format(n, ","),
             "cpu_per_query", "%d rows" % n,
             lambda v: "-" if v is None else "%.2f ms" % v)
    mrow("idle RSS after `initialize`", "idle_rss", "after initialize", mib)
    mrow("idle USS (private) after `initialize`", "idle_uss",
         "after initialize", mib)
    for n in (10, 1000, 10000):
        mrow("peak RSS, %s rows" % format(n, ","), "peak_rss",
             "%d rows" % n, mib)

    def by(v):
        return "-" if v is None else "%.0f B" % v
    for n in (1000, 10000):
        mrow("bytes per row, %s rows: structuredContent (Node: its text)"
             % format(n, ","), "bytes_per_row_result", "%d rows" % n, by)
        mrow("bytes per row, %s rows: whole reply line" % format(n, ","),
             "bytes_per_row_line", "%d rows" % n, by)
    lines.append("| bytes per row of `psql -At` output, 10,000 rows | %s "
                 "| | |" % by(med(res, "bytes_per_row_line", PSQL,
                                  "10000 rows")))
    lines += ["", "| sessions at once | bring-up, spawn to last reply "
              "(ms) | servers' USS (total, per session) | backends' USS "
              "(total, per session) |", "|---|---|---|---|"]
    for r in res:
        if r["figure"] != "scale_bring_up":
            continue
        k = int(r["case"].split()[0])
        s = med(res, "scale_servers_uss", OURS, r["case"])
        be = med(res, "scale_backends_uss", "postgresql", r["case"])
        lines.append("| %d | %s | %s, %s | %s, %s |" % (
            k, ms(r), mib(s), mib(None if s is None else s / k), mib(be),
            mib(None if be is None else be / k)))
    lines += ["", "Through PgBouncer (transaction mode): bench/sessions.py, "
              "which make bench runs next; see analytics-mcp-deploy(7).", "",
              "| target | measured | met |", "|---|---|---|"]
    for what, got, met in tgt:
        lines.append("| %s | %s | %s |" % (what, got, "not measured"
                                            if met is None else "yes"
                                            if met else "**no**"))
    return "\n".join(lines) + "\n", m


def write(b, outdir):
    ratios(b)
    tgt = targets(b)
    md, m = table(b, tgt)
    os.makedirs(outdir, exist_ok=True)
    with open(os.path.join(outdir, "table.md"), "w") as f:
        f.write(md)
    with open(os.path.join(outdir, "results.jsonl"), "w") as f:
        f.write(json.dumps({"figure": "machine", **m}) + "\n")
        for r in b.results:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    print("\n" + md)
    print("Written: %s and %s (%d figures)" % (
        os.path.join(outdir, "table.md"),
        os.path.join(outdir, "results.jsonl"), len(b.results) + 1))
    return 0
