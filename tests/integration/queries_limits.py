#!/usr/bin/env python3
"""Queries and their limits: PostgreSQL types as JSON, max_rows,
--max-bytes, --max-line.

usage: queries_limits.py PGDIR BINARY  (see tests/mcptest.py)
"""
import json
import os
import re
import selectors
import shutil
import socket
import struct
import sys
import tempfile
import threading
import time

# The helper library lives one directory up, in tests/.
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))
from mcptest import (ASAN, DB, HOST, PGDIR, PORT, Server, check, psql,
                     run_tests, text_of)


def test_query_types():
    s = Server()
    s.initialize()
    r = s.tool("query", sql="SELECT count(*) AS n FROM tracksolid.positions")
    sc = r["structuredContent"]
    check(not r["isError"] and sc["columns"] == [{"name": "n",
                                                  "type": "bigint"}]
          and isinstance(sc["rows"][0][0], int) and sc["rows"][0][0] > 10000,
          "query returns columns once and rows as arrays", sc)
    sql = ("SELECT 1::int2 AS a, 2::int4 AS b, 9007199254740993::int8 AS c, "
           "1.50::numeric(5,2) AS d, 'NaN'::numeric AS e, "
           "'Infinity'::float8 AS f, '-Infinity'::float8 AS g, 0.1::float8 "
           "AS h, true AS i, false AS j, NULL::text AS k, "
           "'{\"x\": [1, 2],\n \"y\": null}'::json AS l, "
           "'{\"b\":1, \"a\":[true]}'::jsonb AS m, "
           "'2026-01-02 03:04:05+03'::timestamptz AS n, "
           "'line1\nline2 \u00e9\u0169'::text AS o, ARRAY[1,2] AS p, "
           "'2026-01-02'::date AS q, '1 day 02:00'::interval AS r")
    r = s.tool("query", sql=sql)
    row = r["structuredContent"]["rows"][0]
    types = [c["type"] for c in r["structuredContent"]["columns"]]
    check(row[:4] == [1, 2, 9007199254740993, 1.50]
          and text_of(r).count("9007199254740993") == 1,
          "integers and numeric are JSON numbers", row[:4])
    check(row[4:7] == ["NaN", "Infinity", "-Infinity"] and row[7] == 0.1,
          "NaN and Infinity are strings", row[4:8])
    check(row[8:11] == [True, False, None], "bool and NULL map", row[8:11])
    check(row[11] == {"x": [1, 2], "y": None} and row[12] == {"a": [True],
                                                             "b": 1},
          "json and jsonb are embedded as JSON", row[11:13])
    check(row[13] == "2026-01-02 00:04:05+00" or
          re.match(r"^2026-01-0[12] \d\d:04:05[+-]\d\d$", row[13]),
          "timestamptz is ISO 8601 with the offset", row[13])
    check(row[14] == "line1\nline2 \u00e9\u0169"
          and row[16] == "2026-01-02" and row[17] == "1 day 02:00:00",
          "other types are PostgreSQL's text", row[14:])
    # Issue 9: arrays are JSON arrays of their elements' mapping.
    check(row[15] == [1, 2], "an int[] is a JSON array", row[15])
    check(types[:5] == ["smallint", "integer", "bigint", "numeric(5,2)",
                        "numeric"] and types[11:13] == ["json", "jsonb"],
          "columns carry PostgreSQL type names", types)
    check(r["structuredContent"]["truncated"] is False
          and isinstance(r["structuredContent"]["elapsed_ms"], int),
          "a complete result says truncated=false and elapsed_ms")

    r = s.tool("query", sql="select 1 as x;;  -- done")
    check(not r["isError"] and r["structuredContent"]["rows"] == [[1]],
          "trailing semicolons and a trailing comment are accepted")
    r = s.tool("query", sql="(SELECT 1) UNION (SELECT 2) ORDER BY 1")
    check(r["structuredContent"]["rows"] == [[1], [2]],
          "a query may start with a parenthesis")
    r = s.tool("query", sql="VALUES (1, 'a'), (2, 'b')")
    check(r["structuredContent"]["rows"] == [[1, "a"], [2, "b"]], "VALUES")
    r = s.tool("query", sql="TABLE fuel.ingest_state")
    check(not r["isError"], "TABLE", text_of(r))
    r = s.tool("query", sql="SELECT 'limit 5' AS s, x FROM "
               "generate_series(1, 30) x", max_rows=25)
    check(r["structuredContent"]["row_count"] == 25
          and r["structuredContent"]["truncated"],
          "the word limit in a literal does not fool the row cap")
    r = s.tool("query", sql="SELECT * FROM reporting.fn_top_speeders("
               "'2026-09-20', 3)")
    check(not r["isError"], "functions of the readable schemas run",
          text_of(r))
    s.stop()


def test_truncation():
    s = Server()
    s.initialize()
    r = s.tool("query", sql="SELECT id FROM tracksolid.positions ORDER BY id",
               max_rows=10)
    sc = r["structuredContent"]
    check(sc["row_count"] == 10 and len(sc["rows"]) == 10
          and sc["truncated"] and "max_rows" in sc["note"],
          "max_rows truncates and says how to narrow", sc)
    r = s.tool("query", sql="SELECT x FROM generate_series(1, 100) x",
               max_rows=100)
    check(r["structuredContent"]["row_count"] == 100
          and not r["structuredContent"]["truncated"],
          "exactly max_rows rows is not truncated")
    r = s.tool("query", sql="SELECT x FROM generate_series(1, 20000) x",
               max_rows=50000)
    sc = r["structuredContent"]
    check(sc["truncated"] and sc["row_count"] <= 10000,
          "max_rows above the ceiling is capped", sc.get("note"))
    s.stop()

    # 10,000 rows of 500 bytes: a hundred FETCH batches of several reads.
    s = Server("--max-bytes", str(8 * 1024 * 1024))
    s.initialize()
    r = s.tool("query", sql="SELECT x, repeat('w', 500) AS pad FROM "
               "generate_series(1, 12000) x", max_rows=10000, timeout=60)
    sc = r["structuredContent"]
    check(sc["row_count"] == 10000 and sc["truncated"]
          and [row[0] for row in sc["rows"]] == list(range(1, 10001)),
          "a result of many large FETCH batches arrives whole, in order",
          (sc["row_count"], sc["truncated"]))
    r = s.tool("query", sql="SELECT 1", max_rows=0)
    check(r["isError"] and "max_rows" in text_of(r),
          "max_rows 0 is an isError", text_of(r))
    r = s.tool("query", sql="SELECT 1", max_rows="10")
    check(r["isError"], "a string max_rows is an isError")
    r = s.tool("query", sql="SELECT 1", max_row=10)
    check(r["isError"] and "max_rows" in text_of(r),
          "an unknown argument is an isError naming the real ones")
    s.stop()

    s = Server("--max-bytes", "2000")
    s.initialize()
    r = s.tool("query", sql="SELECT x, repeat('y', 100) AS pad FROM "
               "generate_series(1, 1000) x")
    sc = r["structuredContent"]
    rows_json = json.dumps(sc["rows"], separators=(",", ":"))
    check(sc["truncated"] and 0 < sc["row_count"] < 30
          and len(rows_json) <= 2000 and "bytes" in sc["note"]
          and sc["rows"][-1][0] == sc["row_count"],
          "--max-bytes cuts whole rows and says so", sc.get("note"))
    r = s.tool("query", sql="SELECT repeat('z', 5000) AS big")
    check(r["structuredContent"]["row_count"] == 0
          and r["structuredContent"]["truncated"],
          "a single row over the budget is not sent in part")
    r = s.tool("list_tables", schema="tracksolid")
    check(not r["isError"], "catalog listings stay within the budget too")
    s.stop()


def test_limits_input():
    s = Server("--max-line", "1024")
    s.initialize()
    s.send_raw(b'{"jsonrpc":"2.0","id":1,"method":"ping","pad":"' +
               b"x" * 3000 + b'"}\n')
    r = s.recv(5)
    check(r is not None and r.get("error", {}).get("code") == -32600
          and "1024" in r["error"]["message"] and "id" not in r,
          "a line over --max-line is drained and answered", r)
    r = s.request("ping")
    check(r is not None and r.get("result") == {},
          "the session goes on after an overlong line")
    s.send_raw(b'{"jsonrpc":"2.0","id":2,"method":"tools/call","params":'
               b'{"name":"query","arguments":{"sql":"SELECT 1"}}}\r\n')
    r = s.recv(10)
    check(r is not None and r.get("id") == 2 and not r["result"]["isError"],
          "CRLF line endings are accepted")
    s.stop()

    big = "SELECT '" + "a" * (1 << 20) + "' AS big"
    s = Server("--max-bytes", str(2 * 1024 * 1024))
    s.initialize()
    r = s.tool("query", sql="SELECT length(%s) AS n FROM (%s) q" % (
        "big", big))
    check(not r["isError"] and r["structuredContent"]["rows"] == [[1 << 20]],
          "a 1 MiB query passes intact", text_of(r)[:200])
    s.stop()


def test_values_for_a_model():
    """Arrays as JSON arrays, PostGIS values as GeoJSON."""
    s = Server()
    s.initialize()
    r = s.tool("query", sql="SELECT ARRAY[[1,2],[3,4]] AS m, "
               "'{\"a b\",NULL,\"c\\\"d\"}'::text[] AS t, "
               "ARRAY[true,false] AS b, '{}'::int[] AS e, "
               "ARRAY['{\"k\":1}'::jsonb] AS j, "
               "ARRAY['NaN'::numeric, 1.5] AS n")
    row = r["structuredContent"]["rows"][0]
    check(row == [[[1, 2], [3, 4]], ["a b", None, 'c"d'], [True, False], [],
                  [{"k": 1}], ["NaN", 1.5]],
          "arrays map element by element, nested and empty too", row)
    r = s.tool("query", sql="SELECT centre, boundary FROM "
               "tickets.geo_clusters ORDER BY cluster LIMIT 1")
    centre, boundary = r["structuredContent"]["rows"][0]
    check(centre.get("type") == "Point" and len(centre["coordinates"]) == 2
          and boundary.get("type") == "Polygon"
          and boundary["coordinates"][0][0] == boundary["coordinates"][0][-1],
          "geography and geometry come back as GeoJSON", (centre, boundary))
    r = s.tool("query", sql="SELECT ST_SetSRID(ST_MakePoint(1, 2, 3), 3857) "
               "AS p, ST_GeomFromText('GEOMETRYCOLLECTION(POINT(1 2), "
               "LINESTRING(0 0, 1 1.123456789))', 4326) AS c, "
               "'POINT EMPTY'::geometry AS e")
    p, c, e = r["structuredContent"]["rows"][0]
    check(p == {"type": "Point", "srid": 3857, "coordinates": [1, 2, 3]}
          and c["type"] == "GeometryCollection"
          and c["geometries"][1]["coordinates"][1] == [1, 1.1234568]
          and e == {"type": "Point", "coordinates": []},
          "Z, collections, rounding, a non-4326 SRID and empties", (p, c, e))
    s.stop()


def test_cut_cells():
    """A long value is cut, not its row: the rows still come."""
    s = Server()
    s.initialize()
    r = s.tool("query", sql="SELECT g, repeat('\u00e9', 120000) AS body, "
               "'tail' AS t FROM generate_series(1, 3) g")
    sc = r["structuredContent"]
    rows = sc.get("rows", [])
    check(not r["isError"] and sc["row_count"] == 3
          and [x[0] for x in rows] == [1, 2, 3]
          and all(x[2] == "tail" for x in rows),
          "three rows with a 240 KB cell each all come back", text_of(r)[:300])
    body = rows[0][1] if rows else ""
    shown = body.split("\u2026[cut: ")[0]
    check(body.endswith("\u2026[cut: 240000 bytes in all]")
          and shown == "\u00e9" * len(shown)
          and 0 < len(shown.encode()) <= 4096,
          "the cut value keeps whole characters and says its full length",
          body[-60:])
    check(sc.get("cut_columns") == ["body"] and "substring(body from"
          in sc.get("note", ""),
          "the result names the cut column and how to read the rest",
          sc.get("note"))
    piece = sc["note"].split("e.g. ")[1].rstrip(".")
    r = s.tool("query", sql="SELECT %s FROM (SELECT repeat('\u00e9', "
               "120000) AS body) q" % piece)
    check(not r["isError"] and
          r["structuredContent"]["rows"][0][0] == "\u00e9" * len(shown),
          "the suggested substring reads the next piece", piece)
    check(len(json.dumps(sc, separators=(",", ":"),
                         ensure_ascii=False).encode()) <= 40000 + 600,
          "the cut values count against the byte budget")
    r = s.tool("sample_table", schema="tickets", table="inc", n=2)
    note = r["structuredContent"].get("note", "")
    check("(n)" in note and "max_rows" not in note,
          "sample_table's note names its own argument n", note)
    s.stop()
    s = Server("--max-cell", "100")
    s.initialize()
    r = s.tool("query", sql="SELECT repeat('x', 101) AS a, repeat('y', 100)"
               " AS b")
    row = r["structuredContent"]["rows"][0]
    check(row[0].startswith("x" * 100 + "\u2026[cut: 101") and
          row[1] == "y" * 100, "--max-cell sets the cap", row)
    s.stop()
    s = Server(env={"MCP_MAX_CELL": "50"})
    s.initialize()
    r = s.tool("query", sql="SELECT repeat('z', 60) AS a")
    check(r["structuredContent"]["rows"][0][0].startswith("z" * 50 + "\u2026"),
          "MCP_MAX_CELL sets it too")
    s.stop()


def fetches_logged(s, run):
    """The row counts of the FETCHes one session's backend ran during
    run(s), read from the server log with log_statement=all for the
    read-only role."""
    pid = s.tool("query", sql="SELECT pg_backend_pid() AS pid")
    pid = pid["structuredContent"]["rows"][0][0]
    log = os.path.join(PGDIR, "postgres.log")
    start = os.path.getsize(log)
    run(s)
    with open(log, errors="replace") as f:
        f.seek(start)
        return [int(m.group(1)) for m in re.finditer(
            r"\[%d\] LOG:  execute [^:]*: FETCH FORWARD (\d+) FROM" % pid,
            f.read())]


def test_fetch_sizes():
    """Issue 11: FETCHes fit the request and grow, counted in the server's
    own statement log."""
    rc, _, err = psql("ALTER ROLE analytics_ro SET log_statement = 'all'")
    if not check(rc == 0, "log_statement=all for the read-only role", err):
        return
    try:
        s = Server("--max-bytes", str(8 * 1024 * 1024))
        s.initialize()
        got = {}

        def run(max_rows):
            def call(srv):
                got[max_rows] = srv.tool(
                    "query", sql="SELECT x, md5(x::text) AS h FROM "
                    "generate_series(1, 20000) x", max_rows=max_rows,
                    timeout=60)["structuredContent"]
            return call

        f5 = fetches_logged(s, run(5))
        check(got[5]["row_count"] == 5 and got[5]["truncated"]
              and sum(f5) == 6 and all(n <= 6 for n in f5 if n > 0),
              "a 5-row request fetches 6 rows, no FETCH over 6", f5)
        f10k = fetches_logged(s, run(10000))
        sizes = [n for n in f10k if n > 0]
        check(got[10000]["row_count"] == 10000
              and sum(sizes) == 10001 and len(sizes) <= 10
              and sizes[0] == 1,
              "10,000 rows come in %d FETCHes (at most 10), the first of "
              "one row" % len(sizes), f10k)
        check(all(b <= max(256, 2 * a) for a, b in zip(sizes, sizes[1:]))
              and max(sizes) > 256,
              "each FETCH takes at most twice the last (256 at least), "
              "and they grow", sizes)
        # The last FETCH's rows are encoded after the server is done.
        check(sizes[-1] <= 1024 and all(
            b <= (10001 - sum(sizes[:k])) // 2
            for k, b in enumerate(sizes) if 10001 - sum(sizes[:k]) > 1024),
            "toward the end they shrink: none takes more than half of "
            "over 1,024 rows still to come, the last takes %d" % sizes[-1],
            sizes)
        s.stop()

        # The byte budget still sizes them: 40,000 bytes of 40-byte rows.
        s = Server()
        s.initialize()
        f = fetches_logged(s, run(10000))
        check(got[10000]["truncated"] and sum(f) <= 1100
              and sum(f) >= got[10000]["row_count"] + 1,
              "under the default byte budget, about 1,000 rows are "
              "fetched for %d shown, not 10,000"
              % got[10000]["row_count"], f)
        s.stop()
    finally:
        psql("ALTER ROLE analytics_ro RESET log_statement")


class TripCounter:
    """A Unix-socket proxy in front of the cluster that counts the round
    trips of every connection through it: one ReadyForQuery message from
    the server ends each (a statement on its own, or a pipeline's sync)."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="amcp-trips.")
        self.trips = 0
        self.lsock = socket.socket(socket.AF_UNIX)
        self.lsock.bind(os.path.join(self.dir, ".s.PGSQL.%s" % PORT))
        self.lsock.listen(4)
        self.dsn = "host=%s port=%s dbname=%s user=analytics_ro" % (
            self.dir, PORT, DB)
        self.stopping = False
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        sel = selectors.DefaultSelector()
        sel.register(self.lsock, selectors.EVENT_READ, None)
        parsed = {}             # server socket -> bytes not yet parsed
        while not self.stopping:
            for key, _ in sel.select(0.1):
                if key.data is None:
                    client, _ = self.lsock.accept()
                    server = socket.socket(socket.AF_UNIX)
                    server.connect(os.path.join(HOST, ".s.PGSQL.%s" % PORT))
                    sel.register(client, selectors.EVENT_READ, server)
                    sel.register(server, selectors.EVENT_READ, client)
                    parsed[server] = b""
                    continue
                data = key.fileobj.recv(65536)
                if not data:
                    for s in (key.fileobj, key.data):
                        sel.unregister(s)
                        s.close()
                    continue
                key.data.sendall(data)
                if key.fileobj in parsed:
                    parsed[key.fileobj] = self.count(parsed[key.fileobj]
                                                     + data)

    def count(self, buf):
        """Count the ReadyForQuery messages (type Z) of the server's
        whole messages in buf; return the incomplete rest."""
        while len(buf) >= 5:
            kind, n = buf[:1], struct.unpack("!i", buf[1:5])[0]
            if len(buf) < 1 + n:
                break
            if kind == b"Z":
                self.trips += 1
            buf = buf[1 + n:]
        return buf

    def settled(self):
        """The count once it has not moved for 200 ms (the clean-up after
        an answer still runs)."""
        last, since = self.trips, time.monotonic()
        while time.monotonic() - since < 0.2:
            time.sleep(0.02)
            if self.trips != last:
                last, since = self.trips, time.monotonic()
        return last

    def stop(self):
        self.stopping = True
        self.thread.join(5)
        self.lsock.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def test_round_trips():
    """Issue 11: a query's opening statements (BEGIN, the settings, the
    DECLARE and the first look at its columns) go out in one round trip,
    and a column type name is looked up once per connection."""
    proxy = TripCounter()
    try:
        s = Server(dsn=proxy.dsn)
        s.initialize()
        sql = "SELECT id, imei, speed_kmh FROM tracksolid.positions"
        trips = []
        for _ in range(3):
            before = proxy.settled()
            r = s.tool("query", sql=sql + " LIMIT 10")
            trips.append(proxy.settled() - before)
        check(not r["isError"] and r["structuredContent"]["row_count"] == 10,
              "the query answers through the counting proxy", r)
        # Opening, type names, FETCH 1, FETCH 10, clean-up; then no
        # type names.  One statement a round trip made 8 and 7.
        check(trips == [5, 4, 4],
              "10 rows take 5 round trips on a new connection, then 4 "
              "(clean-up included)", trips)
        before = proxy.settled()
        r = s.tool("query", sql="SELECT 1/0")
        after = proxy.settled()
        check(r["isError"] and "division by zero" in text_of(r)
              and after - before == 2,
              "an error in the opening pipeline: its round trip, then the "
              "ROLLBACK's", (after - before, text_of(r)))
        r = s.tool("query", sql=sql + " LIMIT 3")
        check(not r["isError"] and r["structuredContent"]["row_count"] == 3,
              "the next call works", r)
        s.stop()
    finally:
        proxy.stop()


def test_reply_pipe():
    """Issue 11: a large reply crosses a pipe with a 1 MiB buffer (the
    server raises it from 64 KiB where the system allows it)."""
    import fcntl
    s = Server("--max-bytes", str(8 * 1024 * 1024))
    s.initialize()
    size = fcntl.fcntl(s.proc.stdout.fileno(), 1032)    # F_GETPIPE_SZ
    check(size == 1 << 20, "stdout's pipe holds 1 MiB", size)
    r = s.tool("query", sql="SELECT x, repeat('y', 200) FROM "
               "generate_series(1, 10000) x", max_rows=10000)
    check(r["structuredContent"]["row_count"] == 10000,
          "a 2 MB reply arrives whole", r["structuredContent"]["row_count"])
    s.stop()


def test_heap_kept():
    """Issue 11: the memory of a large result (its rows' buffers, free
    heap) is kept for the next call, not returned to the system and
    faulted in again page by page: 1,900 page faults a call of 10,000 rows
    when neither was kept, 300 when only the heap was."""
    if ASAN:
        print("# skip - AddressSanitizer build: its own allocator")
        return
    s = Server("--max-bytes", str(8 * 1024 * 1024))
    s.initialize()
    sql = ("SELECT x, md5(x::text) AS h, repeat('z', 150) AS pad "
           "FROM generate_series(1, 10000) x")

    def minflt():
        with open("/proc/%d/stat" % s.proc.pid) as f:
            return int(f.read().rsplit(")", 1)[1].split()[7])

    faults = []
    for _ in range(4):
        before = minflt()
        r = s.tool("query", sql=sql, max_rows=10000)
        faults.append(minflt() - before)
    check(r["structuredContent"]["row_count"] == 10000,
          "four calls of 10,000 rows (2 MB) answer", r["structuredContent"]
          .get("row_count"))
    check(max(faults[1:]) < 200,
          "after the first, a call of 10,000 rows faults in fewer than 200 "
          "pages (it reuses its buffers and the heap)", faults)
    s.stop()


def main():
    return run_tests([test_query_types, test_truncation, test_limits_input,
                      test_values_for_a_model, test_cut_cells, test_fetch_sizes,
                      test_round_trips, test_reply_pipe,
                      test_heap_kept])


if __name__ == "__main__":
    sys.exit(main())
