#!/usr/bin/env python3
"""The commands of README.md against those of the manual pages.

    python3 tests/doc_commands.py [TOP]

A command is a line of a README code block (four spaces in) or of a
manual's literal display (.Bd -literal, after a "# " or "$ " prompt), with
continuation lines joined and blanks collapsed.  Checked:

  - every README command that names the project (its programs, account,
    paths or the "fleet" host) is, as written, in some manual page;
  - every command of analytics-mcp-deploy(7) is in README.md;
  - every command of README.md's "Deploy (runbook)" is in
    analytics-mcp-deploy(7).

And every paragraph of README.md and of the rendered manuals (mandoc)
closes the parentheses it opens.

A README line counts as a command when its first word (after VAR=value
assignments) is a program, so that configuration and output blocks are
left alone.  No database, no binary.
"""
import glob
import os
import re
import subprocess
import sys

# First words of the commands the README and the manuals show.
PROGRAMS = {
    "analytics-mcp", "analytics-mcp-keys", "analytics-mcp-socat",
    "apt-get", "cat", "cd", "claude", "docker", "echo", "grep", "install",
    "journalctl", "make", "openssl", "pkill", "printf", "psql", "runuser",
    "sh", "socat", "ssh", "ssh-keygen", "sshd", "systemctl", "tail",
    "useradd", "usermod",
}
OURS = re.compile(r"analytics|fleet|bootstrap_analytics_ro")
RUNBOOK = "## Deploy (runbook)"

failures = 0


def check(cond, what, details=()):
    global failures
    print(("ok - " if cond else "not ok - ") + what)
    if not cond:
        failures += 1
        for d in details:
            print("# " + d)


def squash(s):
    return re.sub(r"\s+", " ", s).strip()


def is_command(line):
    # Leading assignments, VAR=word or VAR='quoted words', go first; an
    # assignment alone sets a variable the next command uses.
    assign = r"[A-Za-z_][A-Za-z0-9_]*=('[^']*'|\"[^\"]*\"|\S*)(\s+|$)"
    m = re.match("(%s)+" % assign, line)
    if m:
        line = line[m.end():]
        if not line:
            return True
    words = line.split()
    return bool(words) and (os.path.basename(words[0]) in PROGRAMS or
                            words[0].endswith(".sh"))


def readme_commands(text):
    """(line number, section, command) of README.md's code blocks."""
    out = []
    section = ""
    prev_blank = True
    in_block = False
    buf = ""
    for n, line in enumerate(text.split("\n"), 1):
        if line.startswith("## "):
            section = line.strip()
        if line.startswith("    ") and (in_block or prev_blank):
            in_block = True
            buf = (buf + " " if buf else "") + line.strip()
            if buf.endswith("\\"):
                buf = buf[:-1]
                continue
            cmd = squash(buf)
            buf = ""
            if is_command(cmd):
                out.append((n, section, cmd))
        elif line.strip():
            in_block = False
        prev_blank = not line.strip()
    return out


def man_commands(text):
    """(line number, command) of a manual's literal displays."""
    out = []
    literal = False
    buf = None
    for n, line in enumerate(text.split("\n"), 1):
        if line.startswith(".Bd -literal"):
            literal = True
            continue
        if line.startswith(".Ed"):
            literal = False
            continue
        if not literal:
            continue
        line = line.replace("\\&", "").replace("\\(dq", '"')
        more = line.endswith("\\e")
        if more:
            line = line[:-2]
        line = line.replace("\\e", "\\")
        if buf is None:
            m = re.match(r"^[#$] (.*)", line)
            if not m:
                continue
            buf = m.group(1)
        else:
            buf += " " + line.strip()
        if more:
            continue
        out.append((n, squash(buf)))
        buf = None
    return out


def unbalanced(text, code_spans):
    """The paragraphs of text whose ( and ) do not pair up."""
    out = []
    for para in re.split(r"\n\s*\n", text):
        if code_spans:
            if para.startswith("    "):
                continue
            para = re.sub(r"`[^`]*`", "", para)
        depth = 0
        for ch in para:
            depth += {"(": 1, ")": -1}.get(ch, 0)
            if depth < 0:
                break
        if depth != 0:
            out.append(squash(para)[:200])
    return out


def main():
    top = sys.argv[1] if len(sys.argv) > 1 else \
        os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    with open(os.path.join(top, "README.md")) as f:
        readme = readme_commands(f.read())
    manuals = {}
    for p in sorted(glob.glob(os.path.join(top, "man", "*.[1-8]"))):
        with open(p) as f:
            manuals[os.path.basename(p)] = man_commands(f.read())
    in_man = {c for cmds in manuals.values() for _, c in cmds}
    in_readme = {c for _, _, c in readme}
    deploy = manuals.get("analytics-mcp-deploy.7", [])

    ours = [(n, c) for n, _, c in readme if OURS.search(c)]
    missing = ["README.md:%d: %s" % (n, c) for n, c in ours
               if c not in in_man]
    check(len(ours) >= 30 and not missing,
          "each of README.md's %d commands that name analytics-mcp is, as "
          "written, in a manual page" % len(ours),
          missing or ["only %d such commands found" % len(ours)])

    missing = ["analytics-mcp-deploy.7:%d: %s" % (n, c) for n, c in deploy
               if c not in in_readme]
    check(len(deploy) >= 25 and not missing,
          "each of analytics-mcp-deploy(7)'s %d commands is, as written, "
          "in README.md" % len(deploy),
          missing or ["only %d commands found" % len(deploy)])

    runbook = [(n, c) for n, s, c in readme if s == RUNBOOK]
    deploy_set = {c for _, c in deploy}
    missing = ["README.md:%d: %s" % (n, c) for n, c in runbook
               if c not in deploy_set]
    check(len(runbook) >= 25 and not missing,
          "each of the %d commands of README.md's runbook is in "
          "analytics-mcp-deploy(7)" % len(runbook),
          missing or ["only %d commands found" % len(runbook)])

    bad = ["README.md: " + p for p in unbalanced(
        open(os.path.join(top, "README.md")).read(), True)]
    for p in sorted(glob.glob(os.path.join(top, "man", "*.[1-8]"))):
        text = subprocess.run(["mandoc", "-Tascii", p],
                              stdout=subprocess.PIPE, text=True).stdout
        text = re.sub(r".\x08", "", text)
        if len(text) < 1000:
            bad.append("%s rendered to %d bytes" % (p, len(text)))
        bad += ["%s: %s" % (os.path.basename(p), q)
                for q in unbalanced(text, False)]
    check(not bad, "every paragraph of README.md and of the %d rendered "
          "manuals closes the parentheses it opens" % len(manuals), bad)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
