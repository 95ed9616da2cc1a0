#!/usr/bin/python3
"""Per-function line and branch coverage of the sync paths.

usage: cov-report.py INFO LIST MIN

INFO is an lcov tracefile (with branch data), LIST a file of
"file:regex" lines (coverage/sync-paths.txt), MIN the percentage of
lines the listed functions must reach in total.  Prints a table, the
functions below MIN and the list entries that match nothing; exits 1 if
the total is below MIN or an entry is missing.

lcov 1.x gives only the first line of a function, so its end is found
in the source by matching braces (kernel style: the body's opening
brace is the first one after the declaration).
"""
import os
import re
import sys


def parse_info(path):
    """{abs source path: {"fn": {name: line}, "da": {line: n},
    "br": {line: [taken or None]}}}"""
    files = {}
    cur = None
    with open(path) as f:
        for raw in f:
            line = raw.strip()
            if line.startswith("SF:"):
                cur = files.setdefault(os.path.realpath(line[3:]),
                                       {"fn": {}, "da": {}, "br": {}})
            elif cur is None:
                continue
            elif line.startswith("FN:"):
                ln, name = line[3:].split(",", 1)
                cur["fn"][name] = int(ln)
            elif line.startswith("DA:"):
                ln, n = line[3:].split(",")[:2]
                cur["da"][int(ln)] = cur["da"].get(int(ln), 0) + int(n)
            elif line.startswith("BRDA:"):
                ln, _blk, _br, taken = line[5:].split(",")
                cur["br"].setdefault(int(ln), []).append(
                    None if taken == "-" else int(taken))
            elif line == "end_of_record":
                cur = None
    return files


def strip_code(text):
    """The source with comments, strings and char literals blanked
    (newlines kept), so braces can be counted."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            j = min(j + 1, n)
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        else:
            out.append(c)
            i += 1
    return "".join(out)


def function_end(lines, start):
    """Last line (1-based) of the function whose definition starts at
    line start: where the braces opened after it balance again."""
    depth, opened = 0, False
    for k in range(start - 1, len(lines)):
        for ch in lines[k]:
            if ch == "{":
                depth += 1
                opened = True
            elif ch == "}":
                depth -= 1
                if opened and depth == 0:
                    return k + 1
    return len(lines)


def main():
    info, listfile, minpct = sys.argv[1], sys.argv[2], float(sys.argv[3])
    data = parse_info(info)
    root = os.getcwd()
    rows, missing = [], []
    with open(listfile) as f:
        entries = [l.strip() for l in f
                   if l.strip() and not l.lstrip().startswith("#")]
    seen = set()
    for ent in entries:
        if ":" not in ent:
            missing.append((ent, "not file:regex"))
            continue
        src, rx = ent.split(":", 1)
        path = os.path.realpath(os.path.join(root, src))
        if not os.path.exists(path):
            missing.append((ent, "no such file"))
            continue
        rec = data.get(path)
        if rec is None:
            missing.append((ent, "file not in the coverage data"))
            continue
        try:
            pat = re.compile(rx)
        except re.error as e:
            missing.append((ent, "bad regex: %s" % e))
            continue
        names = sorted(n for n in rec["fn"] if pat.fullmatch(n))
        if not names:
            missing.append((ent, "no such function"))
            continue
        with open(path) as sf:
            lines = strip_code(sf.read()).split("\n")
        for name in names:
            if (src, name) in seen:
                continue
            seen.add((src, name))
            start = rec["fn"][name]
            end = function_end(lines, start)
            da = [n for ln, n in rec["da"].items() if start <= ln <= end]
            br = [t for ln, ts in rec["br"].items() if start <= ln <= end
                  for t in ts]
            rows.append((src, name, sum(1 for n in da if n > 0), len(da),
                         sum(1 for t in br if t), len(br)))

    def pct(a, b):
        return 100.0 * a / b if b else 100.0

    print("%-24s %-34s %15s %15s" % ("file", "function", "lines", "branches"))
    for src, name, lh, lf, bh, bf in rows:
        flag = "" if pct(lh, lf) >= minpct else "  <-- below %g%%" % minpct
        print("%-24s %-34s %4d/%-4d %5.1f%% %4d/%-4d %5.1f%%%s" %
              (src, name, lh, lf, pct(lh, lf), bh, bf, pct(bh, bf), flag))
    lh = sum(r[2] for r in rows)
    lf = sum(r[3] for r in rows)
    bh = sum(r[4] for r in rows)
    bf = sum(r[5] for r in rows)
    print("%-59s %4d/%-4d %5.1f%% %4d/%-4d %5.1f%%" %
          ("TOTAL (%d functions)" % len(rows), lh, lf, pct(lh, lf), bh, bf,
           pct(bh, bf)))
    fail = False
    below = [r for r in rows if pct(r[2], r[3]) < minpct]
    for src, name, a, b, _, _ in below:
        print("BELOW %s:%s %.1f%% of lines (%d/%d)" %
              (src, name, pct(a, b), a, b))
    for ent, why in missing:
        print("MISSING %s: %s" % (ent, why))
        fail = True
    if pct(lh, lf) < minpct:
        print("FAIL sync-path line coverage %.1f%% < %g%%" %
              (pct(lh, lf), minpct))
        fail = True
    if not rows:
        print("FAIL no sync-path function found")
        fail = True
    if not fail:
        print("PASS sync-path line coverage %.1f%% >= %g%%" %
              (pct(lh, lf), minpct))
    return 1 if fail else 0


if __name__ == "__main__":
    sys.exit(main())
