#!/usr/bin/env python3
"""Interim synthetic incident log, used by run.sh only when the binary has no `generate` command.

    python3 tools/compare/gen_log.py --cases 100000 --seed 7 --out DIR [--as-of 2026-11-23]

Writes DIR/synthetic-<N>.csv: the canonical header labels of shared/DOMAIN.md, canonical values
only (no council words), dates as dd/mm/yyyy text with some ISO, one case in a hundred with a
blank or unreadable fact.  All data is fictional.  numpy + pandas, vectorised.  Not the same
log as `safeguard-audit generate` for the same seed.
"""

import argparse
import os
import sys

import numpy as np
import pandas as pd

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # leave no __pycache__ in tools/ (or here)
sys.path.insert(0, os.path.join(HERE, ".."))
from reference_audit import FIELDS, bank_holidays  # noqa: E402


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", type=int, required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", required=True)
    ap.add_argument("--as-of", default="2026-11-23")
    a = ap.parse_args(argv)
    n = a.cases
    rng = np.random.default_rng(a.seed)
    as_of = np.datetime64(a.as_of, "D")
    first = as_of - 6 * 365
    y0, y1 = first.astype(object).year, as_of.astype(object).year
    hol = sorted(d for y in range(y0 - 1, y1 + 3) for d in bank_holidays(y))
    cal = np.busdaycalendar(holidays=np.array(hol, dtype="datetime64[D]"))

    def wd(d, lo, hi):
        k = rng.integers(lo, hi + 1, n)
        return np.busday_offset(d, k, roll="backward", busdaycal=cal)

    def maybe(d, p):  # keep d with probability p, else NaT
        return np.where(rng.random(n) < p, d, np.datetime64("NaT"))

    aware = first + np.sort(rng.integers(0, 6 * 365 - 2, n)).astype("timedelta64[D]")
    incident = aware - rng.integers(0, 4, n).astype("timedelta64[D]")
    outcome = rng.choice(["died", "seriously harmed", "other"], n, p=[0.35, 0.55, 0.10])
    abuse = rng.choice(["known", "suspected", "not suspected"], n, p=[0.35, 0.5, 0.15])
    status = rng.choice(["not known to CSC", "early help", "YOT", "child in need",
                         "child protection plan", "looked after"], n,
                        p=[0.2, 0.12, 0.05, 0.25, 0.23, 0.15])
    location = rng.choice(["", "in area", "outside England", "elsewhere in England"], n,
                          p=[0.4, 0.45, 0.03, 0.12])
    panel = maybe(np.where(rng.random(n) < 0.88, wd(aware, 1, 5), wd(aware, 6, 15)), 0.95)
    partners = maybe(np.where(rng.random(n) < 0.88, wd(aware, 1, 5), wd(aware, 6, 12)), 0.95)
    lac_death = (outcome == "died") & (status == "looked after")
    sos = np.where(lac_death, maybe(wd(aware, 1, 9), 0.9), np.datetime64("NaT"))
    ofsted = np.where(lac_death, maybe(wd(aware, 1, 9), 0.9), np.datetime64("NaT"))
    rr = maybe(np.where(rng.random(n) < 0.85, wd(panel, 5, 15), wd(panel, 16, 30)), 0.95)
    resp = maybe(wd(rr, 5, 25), 0.95)
    decided = ~np.isnat(rr)
    decision = np.where(decided, rng.choice(["local review", "no review", "national review",
                                             "other learning"], n, p=[0.2, 0.55, 0.05, 0.2]), "")
    ddate = np.where(decided, wd(rr, 0, 10), np.datetime64("NaT"))
    local = decision == "local review"
    dnot = np.where(local, maybe(ddate + rng.integers(0, 10, n), 0.9), np.datetime64("NaT"))
    six = (ddate.astype("datetime64[M]") + 6).astype("datetime64[D]") + 27
    published = np.where(local, maybe(six + rng.integers(-90, 60, n), 0.9), np.datetime64("NaT"))
    sent = np.where(~np.isnat(published), maybe(np.busday_offset(
        published, -rng.integers(3, 20, n), roll="forward", busdaycal=cal), 0.95),
        np.datetime64("NaT"))
    unpub = np.where(~np.isnat(published),
                     maybe(published + rng.integers(200, 500, n), 0.3), np.datetime64("NaT"))

    def text(d):
        d = np.asarray(d, dtype="datetime64[D]")
        d = np.where(d > as_of, np.datetime64("NaT"), d)  # nothing after the as-of date
        iso = np.datetime_as_string(d)
        uk = pd.Series(iso).str.replace(r"^(\d{4})-(\d{2})-(\d{2})$", r"\3/\2/\1", regex=True)
        out = np.where(rng.random(n) < 0.1, iso, uk.to_numpy())
        return np.where(np.isnat(d), "", out)

    la = rng.choice(["Northshire", "Southvale", "Westdale", "Eastmoor"], n)
    cols = {
        "case_ref": [f"{p}-{i:06d}" for p, i in zip(pd.Series(la).str[:2].str.upper(),
                                                  range(1, n + 1))],
        "local_authority": la,
        "child_id": [f"C-{x:06d}" for x in rng.integers(0, 10 ** 6, n)],
        "incident_date": text(incident), "aware_date": text(aware),
        "outcome": outcome, "abuse_neglect": abuse, "child_status": status,
        "incident_location": location, "panel_notified": text(panel),
        "partners_notified": text(partners), "ofsted_notified": text(ofsted),
        "sos_notified": text(sos), "rapid_review_sent": text(rr),
        "panel_response": text(resp), "decision": decision, "decision_date": text(ddate),
        "decision_notified": text(dnot),
        "reviewer": np.where(local, "Reviewer A (independent)", ""),
        "report_sent": text(sent), "published": text(published), "unpublished": text(unpub),
    }
    df = pd.DataFrame(cols)
    # One case in a hundred: a blank or unreadable fact.
    quirky = np.flatnonzero(rng.random(n) < 0.01)
    fields = ["outcome", "abuse_neglect", "child_status", "aware_date", "panel_notified",
              "decision", "published"]
    for i, f in zip(quirky, np.resize(fields, len(quirky))):
        df.iat[i, df.columns.get_loc(f)] = "" if i % 2 else "tbc"
    df.columns = [label for _, label in FIELDS]
    os.makedirs(a.out, exist_ok=True)
    path = os.path.join(a.out, f"synthetic-{n}.csv")
    df.to_csv(path, index=False, lineterminator="\n")
    print(f"wrote {path} ({n} cases)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
