#!/usr/bin/env python3
"""Writes fixtures/tees/incident-log.csv: a synthetic four-authority partnership log (Hartlepool,
Middlesbrough, Redcar and Cleveland, Stockton-on-Tees) for the partnership tests and the README's
example. Every case and child ID is invented (pseudonymous IDs, no names). Audit date: Monday
2026-11-23. Run from the repository root: python3 tools/make_tees_fixture.py
"""
import csv
import os

HEADER = [
    "Case reference", "Local authority", "Child ID", "Date of incident", "Date LA became aware",
    "Outcome", "Abuse or neglect", "Child status", "Incident location", "Panel notified",
    "Partners notified", "Ofsted notified", "Secretary of State notified",
    "Rapid review sent to Panel", "Panel response received", "Review decision", "Decision date",
    "Decision notified (Panel, Ofsted, DfE)", "Reviewer", "Final report sent to Panel and SoS",
    "Report published", "Report removed from website",
]

# (case_ref, local authority as the log writes it, child id, incident, aware, outcome, abuse,
#  status, location, panel, partners, ofsted, sos, rr, response, decision, decision date,
#  decision notified, reviewer, report sent, published, removed)
CASES = [
    # Hartlepool (also written "HBC")
    ("HPL-2025-001", "Hartlepool", "T-1001", "01/03/2025", "03/03/2025", "died", "known",
     "child protection plan", "in area", "07/03/2025", "06/03/2025", "", "", "26/03/2025",
     "14/04/2025", "local review", "02/04/2025", "04/04/2025", "Reviewer H", "15/09/2025",
     "01/10/2025", ""),
    ("HPL-2026-001", "Hartlepool", "T-1002", "04/10/2026", "05/10/2026", "seriously harmed",
     "suspected", "child in need", "in area", "13/10/2026", "09/10/2026", "", "", "", "", "", "",
     "", "", "", "", ""),
    ("HPL-2026-002", "Hartlepool", "T-1003", "15/11/2026", "16/11/2026", "seriously harmed",
     "known", "early help", "in area", "", "", "", "", "", "", "", "", "", "", "", "", ""),
    ("HPL-2026-003", "Hartlepool", "T-1004", "01/11/2026", "02/11/2026", "died",
     "not suspected", "looked after", "in area", "", "", "04/11/2026", "", "", "", "", "", "", "",
     "", "", ""),
    ("HPL-2026-004", "HBC", "T-1005", "11/11/2026", "12/11/2026", "seriously harmed", "known",
     "child protection plan", "in area", "18/11/2026", "", "", "", "", "", "", "", "", "", "", "",
     ""),
    # Middlesbrough (also "Middlesbrough Council")
    ("MBR-2024-001", "Middlesbrough", "T-2001", "08/06/2024", "10/06/2024", "died", "suspected",
     "child in need", "in area", "14/06/2024", "14/06/2024", "", "", "28/06/2024", "19/07/2024",
     "no review", "28/06/2024", "", "", "", "", ""),
    ("MBR-2026-001", "Middlesbrough", "T-2002", "14/11/2026", "16/11/2026", "seriously harmed",
     "known", "not known to CSC", "in area", "", "", "", "", "", "", "", "", "", "", "", "", ""),
    ("MBR-2026-002", "Middlesbrough", "T-2003", "31/08/2026", "01/09/2026", "died", "known",
     "child protection plan", "in area", "09/09/2026", "03/09/2026", "", "", "30/09/2026", "",
     "local review", "07/10/2026", "", "", "", "", ""),
    ("MBR-2026-003", "Middlesbrough Council", "T-2004", "02/10/2026", "05/10/2026", "other",
     "suspected", "child in need", "in area", "", "", "", "", "", "", "", "", "", "", "", "", ""),
    ("MBR-2026-004", "Middlesbrough", "T-2005", "20/10/2026", "21/10/2026", "seriously harmed",
     "", "child in need", "in area", "", "26/10/2026", "", "", "", "", "", "", "", "", "", "", ""),
    # Redcar and Cleveland (also "Redcar & Cleveland", lower case)
    ("RCC-2025-001", "Redcar and Cleveland", "T-3001", "12/07/2025", "14/07/2025", "died",
     "known", "looked after", "in area", "18/07/2025", "18/07/2025", "16/07/2025", "21/07/2025",
     "08/08/2025", "29/08/2025", "local review", "08/08/2025", "12/08/2025", "Reviewer R",
     "20/01/2026", "06/02/2026", ""),
    ("RCC-2026-001", "Redcar & Cleveland", "T-3002", "17/10/2026", "19/10/2026",
     "seriously harmed", "suspected", "child protection plan", "in area", "23/10/2026",
     "27/10/2026", "", "", "10/11/2026", "", "", "", "", "", "", "", ""),
    ("RCC-2026-002", "redcar and cleveland", "T-3003", "15/11/2026", "16/11/2026", "died",
     "suspected", "YOT", "in area", "", "", "", "", "", "", "", "", "", "", "", "", ""),
    ("RCC-2026-003", "Redcar and Cleveland", "T-3004", "01/10/2026", "02/10/2026",
     "seriously harmed", "known", "child in need", "elsewhere in England", "", "", "", "", "",
     "", "", "", "", "", "", "", ""),
    # Stockton-on-Tees (also "Stockton", "SBC")
    ("STK-2023-001", "Stockton-on-Tees", "T-4001", "04/02/2023", "06/02/2023", "died", "known",
     "child protection plan", "in area", "10/02/2023", "13/02/2023", "", "", "01/03/2023",
     "20/03/2023", "local review", "01/03/2023", "03/03/2023", "Reviewer S", "14/09/2023",
     "06/10/2023", ""),
    ("STK-2026-001", "Stockton", "T-4002", "31/10/2026", "02/11/2026", "seriously harmed",
     "known", "child in need", "in area", "05/11/2026", "", "", "", "", "", "", "", "", "", "", "",
     ""),
    ("STK-2026-002", "SBC", "T-4003", "19/11/2026", "20/11/2026", "died", "suspected",
     "early help", "in area", "", "", "", "", "", "", "", "", "", "", "", "", ""),
    ("STK-2026-003", "Stockton-on-Tees", "T-4004", "13/11/2026", "16/11/2026",
     "seriously harmed", "suspected", "child in need", "in area", "", "", "", "", "", "", "", "",
     "", "", "", "", ""),
    # Data-quality problems: no authority, and one the partnership does not list.
    ("TEES-2026-001", "", "T-9001", "08/11/2026", "09/11/2026", "seriously harmed", "known",
     "child in need", "in area", "12/11/2026", "12/11/2026", "", "", "", "", "", "", "", "", "",
     "", ""),
    ("DAR-2026-001", "Darlington", "T-9002", "09/11/2026", "10/11/2026", "seriously harmed",
     "suspected", "child in need", "in area", "", "13/11/2026", "", "", "", "", "", "", "", "", "",
     "", ""),
]


def main():
    out = os.path.join("fixtures", "tees", "incident-log.csv")
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(HEADER)
        for row in CASES:
            assert len(row) == len(HEADER), row[0]
            w.writerow(row)
    print(f"wrote {out}: {len(CASES)} cases")


if __name__ == "__main__":
    main()
