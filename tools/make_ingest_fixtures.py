#!/usr/bin/env python3
"""Writes the issue-11 ingest fixtures into fixtures/ingest/ (deterministic; synthetic data).

    python3 tools/make_ingest_fixtures.py

Needs openpyxl (for the hidden-sheet workbook).
"""
import os
import openpyxl

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "ingest")

HEADER = ["Case reference", "Local authority", "Child ID", "Date of incident",
          "Date LA became aware", "Outcome", "Abuse or neglect", "Child status",
          "Incident location", "Panel notified", "Partners notified", "Ofsted notified",
          "Secretary of State notified", "Rapid review sent to Panel", "Panel response received",
          "Review decision", "Decision date", "Decision notified (Panel, Ofsted, DfE)", "Reviewer",
          "Final report sent to Panel and SoS", "Report published", "Report removed from website"]


def row(ref, aware="02/11/2026", outcome="died", status="looked after", ofsted="04/11/2026"):
    r = {h: "" for h in HEADER}
    r.update({"Case reference": ref, "Local authority": "Northshire", "Child ID": "C-9" + ref[-3:],
              "Date of incident": "01/11/2026", "Date LA became aware": aware, "Outcome": outcome,
              "Abuse or neglect": "suspected", "Child status": status, "Incident location": "in area",
              "Panel notified": "05/11/2026", "Partners notified": "05/11/2026",
              "Ofsted notified": ofsted, "Secretary of State notified": "05/11/2026"})
    return r


def csv_line(cells):
    out = []
    for c in cells:
        if any(ch in c for ch in ',"\r\n'):
            c = '"' + c.replace('"', '""') + '"'
        out.append(c)
    return ",".join(out)


def nhs_number(stem):
    """A 10-digit NHS number from the 999 test range with a valid modulus-11 check digit."""
    for s in range(stem, stem + 100):
        digits = [int(d) for d in f"{s:09d}"]
        check = 11 - sum(d * (10 - i) for i, d in enumerate(digits)) % 11
        if check == 11:
            check = 0
        if check != 10:
            return f"{s:09d}{check}"


def write(name, text, encoding="utf-8", newline=""):
    with open(os.path.join(HERE, name), "w", encoding=encoding, newline=newline) as f:
        f.write(text)


def main():
    rows = [row("EX-2026-001"), row("EX-2026-002", status="child in need"), row("EX-2026-003")]
    lines = [csv_line(HEADER)] + [csv_line([r[h] for h in HEADER]) for r in rows]
    # UTF-16 little-endian with a BOM (as Excel's "Unicode text" and some exports save it),
    # and big-endian without one.
    with open(os.path.join(HERE, "utf16-bom.csv"), "wb") as f:
        f.write(b"\xff\xfe" + ("\r\n".join(lines) + "\r\n").encode("utf-16-le"))
    with open(os.path.join(HERE, "utf16-nobom.csv"), "wb") as f:
        f.write(("\r\n".join(lines) + "\r\n").encode("utf-16-be"))
    # CRLF, a title row, blank lines and multi-line cells: each Excel row number is known.
    multi = dict(row("EX-2026-002"))
    multi["Reviewer"] = "Dr A Reviewer\r\n(second line)\r\n(third line)"
    bad = dict(row("EX-2026-004"))
    bad["Panel notified"] = "not yet"          # unreadable: Excel row 10
    text = "\r\n".join([
        "Northshire serious incidents",                      # row 1
        "",                                                  # row 2
        csv_line(HEADER),                                    # row 3
        csv_line([rows[0][h] for h in HEADER]),              # row 4
        "",                                                  # row 5
        "",                                                  # row 6
        csv_line([multi[h] for h in HEADER]),                # row 7 (three lines)
        csv_line([rows[2][h] for h in HEADER]),              # row 8
        "",                                                  # row 9
        csv_line([bad[h] for h in HEADER]),                  # row 10
    ]) + "\r\n"
    write("crlf-blank-multiline.csv", text)
    # A file whose name has brackets: a file, not a glob pattern.
    write("log [2024].csv", "\n".join(lines) + "\n")
    # Two logs pasted together: the header again at row 4, with its columns in another order.
    second = list(reversed(HEADER))
    r4 = row("EX-2026-004")
    write("two-headers.csv", "\n".join(lines + [csv_line(second), csv_line([r4[h] for h in second])]) + "\n")
    # An NHS number typed into a date column (and into a category column).
    nhs = nhs_number(999000012)
    leak = dict(row("EX-2026-005"))
    leak["Ofsted notified"] = nhs
    leak2 = dict(row("EX-2026-006"))
    leak2["Child status"] = nhs
    write("nhs-in-date.csv", "\n".join([csv_line(HEADER)] + [csv_line([r[h] for h in HEADER]) for r in (leak, leak2)]) + "\n")
    # A log without the Ofsted notified column.
    no_ofsted = [h for h in HEADER if h != "Ofsted notified"]
    recs = rows + [row("EX-2026-007", status="looked after")]
    write("missing-ofsted.csv", "\n".join([csv_line(no_ofsted)] + [csv_line([r[h] for h in no_ofsted]) for r in recs]) + "\n")
    # A workbook with a visible log, a hidden sheet and a very hidden sheet, each a log.
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Log"
    ws.append(HEADER)
    ws.append([rows[0][h] for h in HEADER])
    old = wb.create_sheet("Old log")
    old.append(HEADER)
    old.append([row("OLD-2020-001")[h] for h in HEADER])
    old.sheet_state = "hidden"
    secret = wb.create_sheet("Lookup")
    secret.append(HEADER)
    secret.append([row("VH-2020-001")[h] for h in HEADER])
    secret.sheet_state = "veryHidden"
    wb.save(os.path.join(HERE, "hidden-sheet.xlsx"))


if __name__ == "__main__":
    main()
