#!/usr/bin/env python3
"""Check the example fixtures: the reference audit gives identical findings from the CSV
and the xlsx (and, when present, the LibreOffice .xls/.ods copies), the committed expected
findings are current, and every required (duty, status) combination occurs.

    python3 tools/check_fixtures.py
"""

import collections
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.dont_write_bytecode = True  # keep tools/ free of __pycache__
sys.path.insert(0, HERE)
import reference_audit as ref  # noqa: E402

AS_OF = "2026-11-23"
EX = os.path.join(ROOT, "fixtures", "example")
ING = os.path.join(ROOT, "fixtures", "ingest")

STATUSES = ["met", "late", "overdue", "pending", "not_applicable", "unknown", "early"]
REQUIRED = {d: {"met", "late", "overdue", "pending", "not_applicable", "unknown"}
            for d in ref.DUTIES}
REQUIRED["review-decision-notice"] = {"met", "pending", "not_applicable", "unknown"}
REQUIRED["publication-period"] = {"met", "early", "pending", "not_applicable", "unknown"}
# Duties of the past regimes (before 29/06/2018; decisions before arrangements_from): every
# due date has passed by the audit date, so nothing can be pending.
for _d in ("serious-incident-ofsted", "scr-completion"):
    REQUIRED[_d] = {"met", "late", "overdue", "not_applicable", "unknown"}


def audit(path):
    out = subprocess.run([sys.executable, os.path.join(HERE, "reference_audit.py"), path,
                          "--as-of", AS_OF], check=True, capture_output=True, text=True)
    return out.stdout


def main():
    ok = True
    csv_out = audit(os.path.join(EX, "incident-log.csv"))
    xlsx_out = audit(os.path.join(EX, "incident-log.xlsx"))
    with open(os.path.join(EX, f"expected-findings-{AS_OF}.csv")) as fh:
        expected = fh.read()
    print("csv == xlsx:", csv_out == xlsx_out)
    print("csv == expected-findings:", csv_out == expected)
    ok &= csv_out == xlsx_out == expected

    office = shutil.which("libreoffice") or shutil.which("soffice")
    if office:
        with tempfile.TemporaryDirectory() as tmp:
            for ext in ("xls", "ods"):
                src = os.path.join(ING, f"northshire-log.{ext}")
                if not os.path.exists(src):
                    continue
                sub = os.path.join(tmp, ext)
                os.makedirs(sub)
                shutil.copy(src, sub)
                subprocess.run([office, f"-env:UserInstallation=file://{tmp}/profile",
                                "--headless", "--convert-to", "xlsx", "--outdir", sub,
                                os.path.join(sub, f"northshire-log.{ext}")], check=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                same = audit(os.path.join(sub, "northshire-log.xlsx")) == expected
                print(f"northshire-log.{ext} (re-saved as xlsx) == expected:", same)
                ok &= same

    rows = [line.split(",") for line in expected.strip().split("\n")[1:]]
    counts = collections.Counter((r[1], r[2]) for r in rows)
    cases = len({r[0] for r in rows})
    print(f"\n{len(rows)} findings for {cases} cases (as of {AS_OF})\n")
    w = max(len(d) for d in ref.DUTIES)
    print(f"| {'duty':<{w}} | " + " | ".join(STATUSES) + " |")
    print(f"|{'-' * (w + 2)}|" + "|".join("-" * (len(s) + 2) for s in STATUSES) + "|")
    for d in ref.DUTIES:
        cells = []
        for s in STATUSES:
            n = counts.get((d, s), 0)
            mark = "" if n or s not in REQUIRED[d] else "!"
            cells.append(f"{(str(n) if n else '-') + mark:>{len(s)}}")
        print(f"| {d:<{w}} | " + " | ".join(cells) + " |")
    missing = [(d, s) for d in ref.DUTIES for s in REQUIRED[d] if not counts.get((d, s))]
    impossible = [(d, s) for (d, s) in counts if s not in REQUIRED[d]]
    print("\nmissing required combinations:", missing or "none")
    print("unexpected combinations:", impossible or "none")
    ok &= not missing and not impossible
    print("\nOK" if ok else "\nFAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
