#!/usr/bin/env python3
"""Random edge-case logs: pandas_audit.py must write exactly what tools/reference_audit.py writes.

    python3 tools/compare/fuzz_vs_reference.py [--seed 1] [--trials 40]

Each trial writes a CSV (in a temporary folder) of up to 400 rows with blank and unreadable
cells, awkward dates (`31/02/2024`, `45385`, `03/04/24`, `2024-4-3`, `1850-01-01`, times),
odd category spellings, repeated and blank case references, and audits it as of a random date
with both.  Exit 1 on the first difference (the log is kept and named).
"""

import argparse
import csv
import datetime as dt
import io
import os
import random
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # leave no __pycache__ in tools/ (or here)
sys.path.insert(0, os.path.join(HERE, ".."))
sys.path.insert(0, HERE)
from reference_audit import (CATEGORIES, DATE_FIELDS, FIELDS, audit,  # noqa: E402
                             rows_to_records, write_findings)
import pandas_audit as pa  # noqa: E402

ODD_DATES = ["tbc", "31/02/2024", "13/13/2023", "45385", "2024-4-3", " ", "03/04/24",
             "1850-01-01", "2024-02-29T10:00", "29/02/2023"]
ODD_WORDS = ["see notes", "LAC", "?", " Died ", "SUSPECTED", "Looked  After"]


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--trials", type=int, default=40)
    a = ap.parse_args(argv)
    rnd = random.Random(a.seed)

    def date():
        d = dt.date(2019, 1, 1) + dt.timedelta(days=rnd.randint(0, 2900))
        k = rnd.random()
        if k < 0.08:
            return ""
        if k < 0.12:
            return rnd.choice(ODD_DATES)
        if k < 0.3:
            return d.isoformat()
        if k < 0.4:
            return f"{d.day}/{d.month}/{d.year} 10:15"
        return d.strftime("%d/%m/%Y")

    def word(f):
        k = rnd.random()
        if k < 0.08:
            return ""
        if k < 0.12:
            return rnd.choice(ODD_WORDS)
        v = rnd.choice(sorted(CATEGORIES[f]))
        return v.upper() if rnd.random() < 0.1 else v

    tmp = tempfile.mkdtemp(prefix="pandas-audit-fuzz-")
    for trial in range(a.trials):
        rows = [[label for _, label in FIELDS]]
        for i in range(rnd.randint(1, 400)):
            row = []
            for f, _ in FIELDS:
                if f == "case_ref":
                    odd = rnd.random() < 0.1
                    row.append(rnd.choice([f"C-{rnd.randint(0, 300):04d}", ""]) if odd else f"C-{i:05d}")
                elif f in DATE_FIELDS:
                    row.append(date())
                elif f in CATEGORIES:
                    row.append(word(f))
                else:
                    row.append("x")
            rows.append(row)
        as_of = dt.date(2019, 1, 1) + dt.timedelta(days=rnd.randint(0, 3000))
        path = os.path.join(tmp, f"log{trial}.csv")
        with open(path, "w", newline="", encoding="utf-8") as fh:
            csv.writer(fh).writerows(rows)
        want = io.StringIO()
        write_findings(audit(rows_to_records(rows, path), as_of), want)
        findings, _ = pa.audit(pa.read_log(path), as_of.isoformat())
        got_path = os.path.join(tmp, "pandas.csv")
        pa.write_findings(findings, got_path)
        with open(got_path, encoding="utf-8") as fh:
            got = fh.read()
        if got != want.getvalue():
            with open(os.path.join(tmp, "reference.csv"), "w", encoding="utf-8") as fh:
                fh.write(want.getvalue())
            print(f"DIFFERENT: trial {trial}, as of {as_of}, log {path} "
                  f"(pandas {got_path}, reference {tmp}/reference.csv)")
            return 1
        os.remove(path)
    os.remove(os.path.join(tmp, "pandas.csv"))
    os.rmdir(tmp)
    print(f"{a.trials} random logs (seed {a.seed}): pandas_audit.py == reference_audit.py, byte for byte")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
