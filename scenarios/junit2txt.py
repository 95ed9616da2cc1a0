#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""junit2txt.py JUNIT.xml PYTEST_RC: one PASS/FAIL line per scenario (the
suite convention of build/results/*.txt).  A skipped scenario counts as a
failure (nothing is skipped-as-passed); so does a run that produced no
junit file or no test (pytest exit 5)."""
import sys
import xml.etree.ElementTree as ET


def main():
    path, rc = sys.argv[1], int(sys.argv[2])
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError) as e:
        print("FAIL suite-scenarios: pytest exited %d, no junit (%s)"
              % (rc, e))
        return
    n = 0
    for tc in root.iter("testcase"):
        n += 1
        name = "%s::%s" % (tc.get("classname", ""), tc.get("name"))
        bad = None
        for tag in ("failure", "error", "skipped"):
            el = tc.find(tag)
            if el is not None:
                msg = (el.get("message") or "").splitlines()
                bad = "%s: %s" % (tag, msg[0][:200] if msg else "")
                break
        print("FAIL %s: %s" % (name, bad) if bad else "PASS %s" % name)
    if n == 0:
        print("FAIL suite-scenarios: no scenario ran (pytest exit %d)" % rc)
    elif rc not in (0, 1):
        print("FAIL suite-scenarios: pytest exited %d" % rc)


main()
