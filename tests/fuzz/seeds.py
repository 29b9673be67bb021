#!/usr/bin/env python3
"""Write the fuzz targets' seed inputs from the project's own test cases.

usage: tests/fuzz/seeds.py OUTDIR

Makes OUTDIR/request, OUTDIR/guard and OUTDIR/pgv, one file per input,
named by the SHA-1 of its bytes as libFuzzer names them:
  request  each golden transcript (tests/golden/*.in) whole and line by
           line, and the lines of json_test.c and rpc_test.c;
  guard    the texts of guard_test.c's table, its spellings of the banned
           functions (every spelling, form and place), and what
           guard_test -p and -r print (the queries that pass, the
           writes it must refuse);
  pgv      the values of pgv_test.c and the EWKB of geo_test.c, each
           behind the byte that picks its type in tests/fuzz/pgv.c.
The unit tests' tables are read by compiling each test file with its
main() renamed next to a small dumper, so the seeds follow the tests.
The committed corpus (tests/fuzz/corpus/) is these seeds merged by
libFuzzer (-merge=1) with what make fuzz found; see tests/README.
"""
import hashlib
import os
import re
import subprocess
import sys
import tempfile

TOP = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(TOP, "tests"))
import golden  # noqa: E402  (request_bytes: the golden files' bytes)

# C snippets printing one hex-encoded input per line; T is the test file.
DUMPERS = {
    "json_test.c": """
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
            hex(cases[i].in, cases[i].len);""",
    "rpc_test.c": """
        for (size_t i = 0; i < sizeof(pcases) / sizeof(pcases[0]); i++)
            hex(pcases[i].line, strlen(pcases[i].line));""",
    "guard_test.c": """
        char sql[512];
        size_t n = NELEM(spellings) * NELEM(forms) * NELEM(places);
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
            hex(cases[i].sql, strlen(cases[i].sql));
        for (size_t i = 0; i < NELEM(families); i++)
            for (size_t m = 0; m < n; m++)
                if (spelled_query(sql, sizeof(sql), &families[i], m))
                    hex(sql, strlen(sql));""",
    "pgv_test.c": """
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
            printf("%u ", cases[i].oid);
            hex(cases[i].text, cases[i].len);
        }""",
    "geo_test.c": """
        for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++)
            hex(vectors[i].hex, strlen(vectors[i].hex));
        for (size_t i = 0; i < sizeof(exact) / sizeof(exact[0]); i++)
            hex(exact[i].hex, strlen(exact[i].hex));""",
}

DUMP_MAIN = """
#undef main
static void hex(const char *s, size_t n) {
    for (size_t i = 0; i < n; i++) printf("%%02x", (unsigned char)s[i]);
    printf("\\n");
}
int main(void) { %s return 0; }
"""


def cflags():
    out = subprocess.run(["pkg-config", "--cflags", "libbsd-overlay",
                          "libpq"], check=True, capture_output=True,
                         text=True).stdout.split()
    return ["-std=gnu11", "-w", "-DMCP_VERSION=\"0\"", "-D_GNU_SOURCE",
            "-I" + os.path.join(TOP, "mcp-stdio"),
            "-I" + os.path.join(TOP, "tests", "unit")] + out


def dump(test, tmp):
    """The hex lines the dumper of tests/unit/TEST prints."""
    src = os.path.join(tmp, "dump.c")
    with open(src, "w") as f:
        f.write('#define main unit_test_main\n#include "%s"\n'
                % os.path.join(TOP, "tests", "unit", test))
        f.write(DUMP_MAIN % DUMPERS[test])
    exe = os.path.join(tmp, "dump")
    objs = [os.path.join(TOP, "mcp-stdio", f) for f in
            sorted(os.listdir(os.path.join(TOP, "mcp-stdio")))
            if f.endswith(".o") and f != "main.o"]
    libs = subprocess.run(["pkg-config", "--libs", "libbsd-overlay",
                           "libpq"], check=True, capture_output=True,
                          text=True).stdout.split()
    subprocess.run(["cc"] + cflags() + ["-o", exe, src] + objs + libs,
                   check=True)
    out = subprocess.run([exe], check=True, capture_output=True,
                         text=True).stdout
    return out.splitlines()


def put(outdir, target, data):
    d = os.path.join(outdir, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, hashlib.sha1(data).hexdigest()), "wb") as f:
        f.write(data)


def pgv_index(oid):
    """The first byte that makes tests/fuzz/pgv.c pick type oid."""
    with open(os.path.join(TOP, "tests", "fuzz", "pgv.c")) as f:
        table = f.read().split("ftypes[] = {")[1].split("};")[0]
    names = re.findall(r"\{ (\w+),", table)
    return names.index(str(oid)) if str(oid) in names else None


def main():
    outdir = sys.argv[1]
    with tempfile.TemporaryDirectory() as tmp:
        for case in sorted(os.listdir(os.path.join(TOP, "tests", "golden"))):
            if not case.endswith(".in"):
                continue
            data = golden.request_bytes(os.path.join(TOP, "tests", "golden",
                                                     case))
            put(outdir, "request", data)
            for line in data.splitlines(keepends=True):
                put(outdir, "request", line)
        for test in ("json_test.c", "rpc_test.c"):
            for h in dump(test, tmp):
                put(outdir, "request", bytes.fromhex(h) + b"\n")
        for h in dump("guard_test.c", tmp):
            put(outdir, "guard", bytes.fromhex(h))
        guard_test = os.path.join(TOP, "tests", "unit", "guard_test")
        for flag in ("-p", "-r"):
            out = subprocess.run([guard_test, flag], check=True,
                                 capture_output=True).stdout
            for q in out.split(b"\0"):
                if q:
                    put(outdir, "guard", q)
        for line in dump("pgv_test.c", tmp):
            oid, _, h = line.partition(" ")
            i = pgv_index(int(oid))
            if i is not None:
                put(outdir, "pgv", bytes([i]) + bytes.fromhex(h))
        geo = [pgv_index("FUZZ_GEOMETRY"), pgv_index("FUZZ_GEOGRAPHY"),
               pgv_index("FUZZ_GEO_ONLY")]
        for h in dump("geo_test.c", tmp):
            for i in geo:
                put(outdir, "pgv", bytes([i]) + bytes.fromhex(h))


if __name__ == "__main__":
    main()
