#!/usr/bin/env python3
"""make demo's session (tests/demo.py) shows what it promises.

Run against the test cluster: every request it prints is a whole JSON
line; every structuredContent it prints is JSON once the elision lines
are taken out, and each elision says how many elements it hides; every
tool call is followed by the server's audit line; the truncation note,
the SQL error with its SQLSTATE and a caret under the mistake, and the
refused write are there.

usage: demo_session.py PGDIR BINARY
"""
import json
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))
from mcptest import BINARY, DSN, TOP, check, run_tests

ELIDED = re.compile(r"^\s*\.\.\. (\d+) more, not shown here "
                    r"\(the model gets all (\d+)\)$")
state = {}


def demo_output():
    if "out" not in state:
        p = subprocess.run(["python3", os.path.join(TOP, "tests", "demo.py"),
                            BINARY, DSN], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=120, text=True)
        state["rc"], state["out"], state["err"] = (p.returncode, p.stdout,
                                                   p.stderr)
    return state["out"]


def blocks(out):
    """The structuredContent blocks: (lines, elision matches) each."""
    found, cur = [], None
    for line in out.splitlines():
        if line.startswith("<- structuredContent"):
            cur = []
            found.append(cur)
        elif cur is not None and line.startswith("   "):
            cur.append(line[3:])
        else:
            cur = None
    return found


def test_runs():
    out = demo_output()
    check(state["rc"] == 0 and not state["err"],
          "the demo session runs to the end, nothing on its stderr",
          state["err"][-1500:] + out[-500:])


def test_requests_whole():
    sent = [line[3:] for line in demo_output().splitlines()
            if line.startswith("-> ")]
    bad = []
    for line in sent:
        try:
            json.loads(line)
        except ValueError:
            bad.append(line)
    calls = [line for line in sent if '"method":"tools/call"' in line]
    check(len(sent) >= 10 and not bad and len(calls) == 7,
          "every request is printed whole, as valid JSON (7 tool calls)",
          bad or sent)


def test_results_are_json():
    found = blocks(demo_output())
    bad, elided = [], 0
    for lines in found:
        kept = []
        for line in lines:
            m = ELIDED.match(line)
            if m:
                elided += 1
                shown = int(m.group(2)) - int(m.group(1))
                if shown < 1:
                    bad.append(line)
            else:
                kept.append(line)
        text = re.sub(r",(\s*)\]", r"\1]", "\n".join(kept))
        try:
            json.loads(text)
        except ValueError as e:
            bad.append("%s in:\n%s" % (e, text[:600]))
    check(len(found) == 5 and not bad,
          "each of the 5 structuredContent results is JSON but for its "
          "elision lines", "\n".join(bad) or len(found))
    check(elided >= 1, "describe_table's long column list is elided with a "
          "count", elided)


def test_audit_lines():
    out = demo_output().splitlines()
    audits = [line for line in out if line.startswith("stderr: ") and
              " analytics-mcp: caller=demo " in line and " tool=" in line]
    tools = [json.loads(line[3:])["params"]["name"] for line in out
             if line.startswith("-> ") and "tools/call" in line]
    check([re.search(r" tool=(\S+)", a).group(1) for a in audits] == tools,
          "each tool call is followed by the server's audit line, as "
          "written", "\n".join(audits))


def test_truncation_error_refusal():
    out = demo_output()
    check('"truncated": true' in out and '"note": "Only the first 3 rows'
          in out, "a truncated result with its note is shown", out[-3000:])
    lines = out.splitlines()
    at = [i for i, line in enumerate(lines) if "LINE 1:" in line]
    ok = False
    if at and at[0] + 1 < len(lines):
        src, caret = lines[at[0]], lines[at[0] + 1]
        ok = caret.strip() == "^" and caret.index("^") == src.index("regoin")
    check("SQLSTATE 42703" in out and ok,
          "the SQL error shows its SQLSTATE and a caret under the mistake",
          out[-2000:])
    check("query rejected" in out and '"DELETE FROM fuel.records"' in out,
          "the refused write is shown", out[-1000:])


def test_make_demo():
    """tests/demo.sh whole, as make demo runs it (it uses ./analytics-mcp,
    so only when that is the binary under test)."""
    if os.path.realpath(BINARY) != os.path.join(os.path.realpath(TOP),
                                                 "analytics-mcp"):
        print("# skip - make demo runs ./analytics-mcp, not %s" % BINARY)
        return
    p = subprocess.run(["sh", os.path.join(TOP, "tests", "demo.sh")],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       timeout=300, text=True)
    m = re.search(r"sample fleet data \(tests/fixture\) in (/tmp/\S+) ",
                  p.stdout)
    check(p.returncode == 0 and m is not None and
          "== Keep going" in p.stdout, "tests/demo.sh (make demo) runs to "
          "its closing lines", p.stdout[-2000:])
    check(m is not None and not os.path.exists(m.group(1)),
          "and removes its cluster and directory", m and m.group(1))
    said = re.findall(r"^.*\bsource\b.*$", p.stdout, re.M)
    check(not [line for line in said if "source record" not in line],
          "it tells nobody to source a file", said)


def test_next_steps_exist():
    with open(os.path.join(TOP, "tests", "demo.sh")) as f:
        text = f.read()
    with open(os.path.join(TOP, "Makefile")) as f:
        targets = re.findall(r"^([a-z-]+):", f.read(), re.M)
    named = re.findall(r"^\s+make ([a-z-]+)\b", text, re.M)
    check(named and all(t in targets for t in named) and "try" in named,
          "the demo's closing lines name make targets that exist",
          (named, targets))


if __name__ == "__main__":
    sys.exit(run_tests([test_runs, test_requests_whole,
                        test_results_are_json, test_audit_lines,
                        test_truncation_error_refusal, test_make_demo,
                        test_next_steps_exist]))
