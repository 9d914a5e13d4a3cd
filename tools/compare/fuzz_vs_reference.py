#!/usr/bin/env python3
"""Random edge-case logs: pandas_audit.py must write exactly what tools/reference_audit.py writes.

    python3 tools/compare/fuzz_vs_reference.py [--seed 1] [--trials 40] [--rows 400]

Each trial writes a CSV (in a temporary folder) of up to --rows rows with blank and unreadable
cells, awkward dates (`31/02/2024`, `45385`, `03/04/24`, `2024-4-3`, `1850-01-01`, times),
odd category spellings, repeated and blank case references, local authorities and case
references a spreadsheet would run as formulas (`=...`, `-...`), and audits it as of a random
date with both.  The law by date is exercised: dates from 2014 to 2027, a fifth of them within
a fortnight of a boundary (29/06/2018, 15/12/2023, the trial's arrangements_from), a random
arrangements_from in half the trials, the COVID-19 relaxation (random end) in half, and a
column left out of the log in one trial in eight.  The whole findings file is compared, byte
for byte (every column, the reference's note wording included).  Exit 1 on the first
difference (the log is kept and named).
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
from reference_audit import (ARRANGEMENTS_WINDOW, CARE_LEAVERS_FROM, CATEGORIES,  # noqa: E402
                             DATE_FIELDS, FIELDS, PANEL_FROM, audit, rows_to_records,
                             write_findings)
import pandas_audit as pa  # noqa: E402

ODD_DATES = ["tbc", "31/02/2024", "13/13/2023", "45385", "2024-4-3", " ", "03/04/24",
             "1850-01-01", "2024-02-29T10:00", "29/02/2023"]
ODD_WORDS = ["see notes", "LAC", "?", " Died ", "SUSPECTED", "Looked  After", "Care leaver",
             "SCR", "Serious  Case Review"]
AUTHORITIES = ["Northshire", " Eastshire ", "", "=HYPERLINK(1)", "-Westshire", "@a, b", "+x"]


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--trials", type=int, default=40)
    ap.add_argument("--rows", type=int, default=400, help="at most this many rows per log")
    a = ap.parse_args(argv)
    rnd = random.Random(a.seed)
    lo, hi = ARRANGEMENTS_WINDOW

    def date():
        if rnd.random() < 0.2:
            d = rnd.choice(boundaries) + dt.timedelta(days=rnd.randint(-14, 14))
        else:
            d = dt.date(2014, 1, 1) + dt.timedelta(days=rnd.randint(0, 4900))
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
    total = findings_total = 0
    for trial in range(a.trials):
        arrangements = (lo + dt.timedelta(days=rnd.randint(0, (hi - lo).days))
                        if rnd.random() < 0.5 else None)
        covid = (dt.date(2020, 4, 1) + dt.timedelta(days=rnd.randint(0, 1000))
                 if rnd.random() < 0.5 else None)
        boundaries = [PANEL_FROM, CARE_LEAVERS_FROM, arrangements or hi]
        fields = [f for f, _ in FIELDS]
        if rnd.random() < 0.125:  # a column the log does not have (never the case reference)
            fields.remove(rnd.choice(fields[1:]))
        labels = dict(FIELDS)
        rows = [[labels[f] for f in fields]]
        for i in range(rnd.randint(1, a.rows)):
            row = []
            for f in fields:
                if f == "case_ref":
                    odd = rnd.random() < 0.1
                    row.append(rnd.choice([f"C-{rnd.randint(0, 300):04d}", "", f"=C{i}", f"-{i}"])
                               if odd else f"C-{i:05d}")
                elif f == "local_authority":
                    row.append(rnd.choice(AUTHORITIES))
                elif f in DATE_FIELDS:
                    row.append(date())
                elif f in CATEGORIES:
                    row.append(word(f))
                else:
                    row.append("x")
            rows.append(row)
        as_of = dt.date(2015, 1, 1) + dt.timedelta(days=rnd.randint(0, 4400))
        path = os.path.join(tmp, f"log{trial}.csv")
        with open(path, "w", newline="", encoding="utf-8") as fh:
            csv.writer(fh).writerows(rows)
        want = io.StringIO()
        options = {"covid_until": covid}
        if arrangements:
            options["arrangements_from"] = arrangements
        write_findings(audit(rows_to_records(rows, path), as_of, **options), want)
        findings, _ = pa.audit(pa.read_log(path), as_of.isoformat(), **options)
        got_path = os.path.join(tmp, "pandas.csv")
        pa.write_findings(findings, got_path)
        with open(got_path, encoding="utf-8") as fh:
            got = fh.read()
        if got != want.getvalue():
            with open(os.path.join(tmp, "reference.csv"), "w", encoding="utf-8") as fh:
                fh.write(want.getvalue())
            print(f"DIFFERENT: trial {trial}, as of {as_of}, options {options}, log {path} "
                  f"(pandas {got_path}, reference {tmp}/reference.csv)")
            for g, w in zip(got.splitlines(), want.getvalue().splitlines()):
                if g != w:
                    print(f"  first difference:\n    pandas    {g}\n    reference {w}")
                    break
            return 1
        os.remove(path)
        total += len(rows) - 1
        findings_total += len(findings)
    os.remove(os.path.join(tmp, "pandas.csv"))
    os.rmdir(tmp)
    print(f"{a.trials} random logs (seed {a.seed}, {total} rows, {findings_total} findings): "
          "pandas_audit.py == reference_audit.py, byte for byte")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
