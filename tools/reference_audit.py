#!/usr/bin/env python3
"""Independent reference implementation of the safeguard-audit duties (shared/DOMAIN.md).

Plain Python (stdlib, plus openpyxl only to read .xlsx).  It is deliberately written
from DOMAIN.md alone, without looking at the Rust code, so that the two can be
compared ("a second opinion").

Usage:
    python3 tools/reference_audit.py LOG.csv  --as-of 2026-11-23 > findings.csv
    python3 tools/reference_audit.py LOG.xlsx --as-of 2026-11-23 [--sheet NAME]
    python3 tools/reference_audit.py CONFIG.toml --as-of 2026-11-23   (sources from a config)
    python3 tools/reference_audit.py LOG.csv --as-of 2026-11-23 --referrals REFERRALS.csv
    python3 tools/reference_audit.py --self-test

Output: the findings CSV of DOMAIN.md ("The findings file"):
    case_ref,duty,status,start,due,done,working_days_late
sorted by case_ref, then by duty in DUTIES order.

Interpretations of DOMAIN.md used here (agreed with the project brief; see
fixtures/README.md):
 1. Applicability: if ANY fact a duty's applicability needs is blank/unreadable the duty
    is `unknown` (even if another fact would make it not applicable).  A blank
    incident_location means "in area".  Panel/partners apply when outcome in
    {died, seriously harmed} AND abuse_neglect in {known, suspected} AND location in
    {in area, outside England}.  Looked-after death duties apply when outcome = died AND
    child_status = looked after.
 2. A blank decision means no decision yet: decision-based duties are not_applicable;
    an unreadable decision makes them unknown.
 3. review-decision-notice has no numeric deadline: due is blank; done -> met, not done
    -> pending; decision_date blank/unreadable -> unknown.
 4. panel-response applies when rapid_review_sent is present; clock rapid_review_sent,
    15 working days, done = panel_response.
 5. publication-period applies when published is present; due = published + 12 months;
    unpublished >= due -> met, < due -> early; absent -> met if as-of >= due else
    pending; working_days_late always blank.
 6. A duty that applies but whose clock-start date is blank/unreadable is unknown, except
    rapid-review (panel_notified blank -> pending, no due) and report-before-publication
    (published blank -> pending, no due).  An UNREADABLE panel_notified / published is
    still unknown.
 7. Any date after the as-of date is treated as blank.  A case whose aware_date is after
    the as-of date (or aware_date blank and incident_date after it) produces no findings.
 8. overdue only when as-of > due.  working_days_late = working days in (due, done] for
    late, (due, as_of] for overdue, blank otherwise.
 9. report-before-publication: due = 7th working day before published; done =
    report_sent.
 Additional conventions (not in the brief; chosen here, documented in fixtures/README.md):
 10. A done-event date that is present but unreadable makes the duty unknown (we cannot
    tell whether or when it was done; never silently met).
 11. Columns of a finding: for not_applicable and unknown, start/due/done/
    working_days_late are all blank.  Otherwise start = clock-start date (blank when
    there is none), due = due date (blank when none), done = the done-event date when
    present (even for a pending report-before-publication whose report was sent before
    publication).
 12. Category values are compared after trimming, collapsing inner whitespace and
    lower-casing; anything else (e.g. "see notes", "LAC") is unreadable.
"""

import argparse
import csv
import datetime as dt
import io
import re
import sys

DUTIES = [
    "panel-notification",
    "partners-notification",
    "lac-death-secretary-of-state",
    "lac-death-ofsted",
    "rapid-review",
    "panel-response",
    "review-decision-notice",
    "report-before-publication",
    "publication",
    "publication-period",
]

# field -> canonical header label (DOMAIN.md "The canonical incident log"), in order.
FIELDS = [
    ("case_ref", "Case reference"),
    ("local_authority", "Local authority"),
    ("child_id", "Child ID"),
    ("incident_date", "Date of incident"),
    ("aware_date", "Date LA became aware"),
    ("outcome", "Outcome"),
    ("abuse_neglect", "Abuse or neglect"),
    ("child_status", "Child status"),
    ("incident_location", "Incident location"),
    ("panel_notified", "Panel notified"),
    ("partners_notified", "Partners notified"),
    ("ofsted_notified", "Ofsted notified"),
    ("sos_notified", "Secretary of State notified"),
    ("rapid_review_sent", "Rapid review sent to Panel"),
    ("panel_response", "Panel response received"),
    ("decision", "Review decision"),
    ("decision_date", "Decision date"),
    ("decision_notified", "Decision notified (Panel, Ofsted, DfE)"),
    ("reviewer", "Reviewer"),
    ("report_sent", "Final report sent to Panel and SoS"),
    ("published", "Report published"),
    ("unpublished", "Report removed from website"),
]

DATE_FIELDS = {
    "incident_date", "aware_date", "panel_notified", "partners_notified",
    "ofsted_notified", "sos_notified", "rapid_review_sent", "panel_response",
    "decision_date", "decision_notified", "report_sent", "published", "unpublished",
}

CATEGORIES = {
    "outcome": {"died", "seriously harmed", "other"},
    "abuse_neglect": {"known", "suspected", "not suspected"},
    "child_status": {"not known to csc", "early help", "yot", "child in need",
                     "child protection plan", "looked after"},
    "incident_location": {"in area", "outside england", "elsewhere in england"},
    "decision": {"local review", "no review", "national review", "other learning"},
}

# --------------------------------------------------------------------------------------
# Calendar: England & Wales bank holidays, computed by rule.
# --------------------------------------------------------------------------------------

ONE_OFF = {
    dt.date(1995, 5, 8),    # VE Day 50th: early May bank holiday moved from 1 May
    dt.date(1999, 12, 31),  # Millennium
    dt.date(2002, 6, 3),    # Spring bank holiday moved (Golden Jubilee)
    dt.date(2002, 6, 4),    # Golden Jubilee
    dt.date(2011, 4, 29),   # Royal wedding
    dt.date(2012, 6, 4),    # Spring bank holiday moved (Diamond Jubilee)
    dt.date(2012, 6, 5),    # Diamond Jubilee
    dt.date(2020, 5, 8),    # VE Day 75th: early May bank holiday moved from 4 May
    dt.date(2022, 6, 2),    # Spring bank holiday moved (Platinum Jubilee)
    dt.date(2022, 6, 3),    # Platinum Jubilee
    dt.date(2022, 9, 19),   # State funeral of Queen Elizabeth II
    dt.date(2023, 5, 8),    # Coronation of King Charles III
}
# Years where the early-May Monday was moved (replaced by a one-off above).
EARLY_MAY_MOVED = {1995, 2020}
# Years where the last-Monday-of-May spring holiday was moved (replaced above).
SPRING_MOVED = {2002, 2012, 2022}


def easter_sunday(year):
    """Anonymous Gregorian algorithm (Meeus/Jones/Butcher)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l) // 451
    month, day = divmod(h + l - 7 * m + 114, 31)
    return dt.date(year, month, day + 1)


def first_monday(year, month):
    d = dt.date(year, month, 1)
    return d + dt.timedelta(days=(0 - d.weekday()) % 7)


def last_monday(year, month):
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    d = nxt - dt.timedelta(days=1)
    return d - dt.timedelta(days=d.weekday())


_HOLIDAY_CACHE = {}


def bank_holidays(year):
    if year in _HOLIDAY_CACHE:
        return _HOLIDAY_CACHE[year]
    hol = set()
    # New Year's Day, substitute Monday if at a weekend.
    ny = dt.date(year, 1, 1)
    while ny.weekday() >= 5:
        ny += dt.timedelta(days=1)
    hol.add(ny)
    es = easter_sunday(year)
    hol.add(es - dt.timedelta(days=2))  # Good Friday
    hol.add(es + dt.timedelta(days=1))  # Easter Monday
    if year not in EARLY_MAY_MOVED:
        hol.add(first_monday(year, 5))
    if year not in SPRING_MOVED:
        hol.add(last_monday(year, 5))
    hol.add(last_monday(year, 8))  # Summer bank holiday (England & Wales)
    # Christmas Day and Boxing Day with substitute days.
    xmas = dt.date(year, 12, 25)
    boxing = dt.date(year, 12, 26)
    if xmas.weekday() == 5:  # Saturday: Mon 27 and Tue 28
        hol.update({dt.date(year, 12, 27), dt.date(year, 12, 28)})
    elif xmas.weekday() == 6:  # Sunday: Boxing Day Mon 26, Christmas substitute Tue 27
        hol.update({boxing, dt.date(year, 12, 27)})
    elif xmas.weekday() == 4:  # Friday: Boxing Day is Saturday -> Mon 28
        hol.update({xmas, dt.date(year, 12, 28)})
    else:
        hol.update({xmas, boxing})
    hol.update(d for d in ONE_OFF if d.year == year)
    _HOLIDAY_CACHE[year] = frozenset(hol)
    return _HOLIDAY_CACHE[year]


def is_working_day(d):
    return d.weekday() < 5 and d not in bank_holidays(d.year)


def add_working_days(start, n):
    """The n-th working day after start (start itself never counted)."""
    d = start
    count = 0
    step = dt.timedelta(days=1 if n >= 0 else -1)
    while count < abs(n):
        d += step
        if is_working_day(d):
            count += 1
    return d


def working_days_between(a, b):
    """Number of working days d with a < d <= b."""
    n = 0
    d = a
    while d < b:
        d += dt.timedelta(days=1)
        if is_working_day(d):
            n += 1
    return n


def add_months(d, n):
    m = d.month - 1 + n
    y = d.year + m // 12
    m = m % 12 + 1
    nxt = dt.date(y + (m == 12), m % 12 + 1, 1)
    last = (nxt - dt.timedelta(days=1)).day
    return dt.date(y, m, min(d.day, last))


# --------------------------------------------------------------------------------------
# Values
# --------------------------------------------------------------------------------------

BLANK = ("blank",)
BAD = ("unreadable",)

_UK = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})(?:[ T]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
EXCEL_EPOCH = dt.date(1899, 12, 30)


def parse_date(raw):
    """Return a datetime.date, BLANK or BAD."""
    if raw is None:
        return BLANK
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    if isinstance(raw, bool):
        return BAD
    if isinstance(raw, (int, float)):  # Excel serial number stored as a number (xlsx only)
        if raw < 1:
            return BAD
        return EXCEL_EPOCH + dt.timedelta(days=int(raw))
    s = str(raw).strip()
    if not s:
        return BLANK
    m = _UK.match(s)
    if m:
        day, month, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
    else:
        m = _ISO.match(s)
        if not m:
            return BAD
        year, month, day = int(m.group(1)), int(m.group(2)), int(m.group(3))
    try:
        return dt.date(year, month, day)
    except ValueError:
        return BAD


def parse_category(field, raw):
    if raw is None:
        return BLANK
    s = " ".join(str(raw).split()).lower()
    if not s:
        return BLANK
    return s if s in CATEGORIES[field] else BAD


def is_date(v):
    return isinstance(v, dt.date)


# --------------------------------------------------------------------------------------
# Reading logs
# --------------------------------------------------------------------------------------


def norm_label(s):
    return re.sub(r"[^0-9a-z]", "", str(s).lower()) if s is not None else ""


LABEL_TO_FIELD = {}
for _f, _label in FIELDS:
    LABEL_TO_FIELD[norm_label(_label)] = _f
    LABEL_TO_FIELD[norm_label(_f)] = _f


def rows_to_records(rows, source, label_to_field=None, values=None):
    """rows: list of lists of cell values. Finds the header row (title rows allowed).

    label_to_field: normalised header label -> field (default: the canonical labels).
    values: field -> {council value: canonical value} (from a config), matched after
    trimming, collapsing whitespace and ignoring case."""
    label_to_field = label_to_field or LABEL_TO_FIELD
    values = {f: {" ".join(str(k).split()).lower(): v for k, v in m.items()}
              for f, m in (values or {}).items()}
    header_idx = None
    for i, row in enumerate(rows):
        hits = {label_to_field.get(norm_label(c)) for c in row} - {None}
        if "case_ref" in hits and len(hits) >= 3:
            header_idx = i
            break
    if header_idx is None:
        raise SystemExit(f"{source}: no recognisable header row")
    colmap = {}
    for j, c in enumerate(rows[header_idx]):
        f = label_to_field.get(norm_label(c))
        if f and f not in colmap:
            colmap[f] = j
    records = []
    for row in rows[header_idx + 1:]:
        if all(c is None or str(c).strip() == "" for c in row):
            continue
        rec = {}
        for f, _ in FIELDS:
            j = colmap.get(f)
            x = row[j] if j is not None and j < len(row) else None
            if f in values and x is not None:
                x = values[f].get(" ".join(str(x).split()).lower(), x)
            rec[f] = x
        records.append(rec)
    return records


def read_csv_rows(path):
    with open(path, "rb") as fh:
        data = fh.read()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252")  # as Excel saves "CSV" on Windows
    first = text.split("\n", 1)[0]
    delim = max([",", ";", "\t"], key=first.count)
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delim))


def read_xlsx_rows(path, sheet=None):
    import openpyxl  # only needed for xlsx
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    ws = wb[sheet] if sheet else wb.worksheets[0]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    wb.close()
    return rows


def read_rows(path, sheet=None):
    if path.lower().endswith((".xlsx", ".xlsm")):
        return read_xlsx_rows(path, sheet)
    return read_csv_rows(path)


def read_log(path, sheet=None):
    return rows_to_records(read_rows(path, sheet), path)


def read_config(path):
    """A config of [[sources]] (kind, path, sheet, columns, values): (records, referrals)."""
    import os
    import tomllib
    with open(path, "rb") as fh:
        cfg = tomllib.load(fh)
    base = os.path.dirname(os.path.abspath(path))
    records, referrals = [], []
    for src in cfg.get("sources", []):
        p = os.path.join(base, src["path"])
        rows = read_rows(p, src.get("sheet"))
        if src.get("kind", "incident-log") == "referrals":
            referrals.extend(referral_records(rows, p))
            continue
        l2f = dict(LABEL_TO_FIELD)
        for f, label in src.get("columns", {}).items():
            l2f[norm_label(label)] = f
        records.extend(rows_to_records(rows, p, l2f, src.get("values")))
    return records, referrals


# --------------------------------------------------------------------------------------
# Referral exports (DOMAIN.md "Referral cross-check")
# --------------------------------------------------------------------------------------

REFERRAL_HEADERS = ["Referral ID", "Date submitted", "Request type", "Referrer agency",
                    "Case reference", "Child ID", "Date of death or incident", "Child status",
                    "Child died", "Child seriously harmed", "Abuse or neglect",
                    "Concern about agencies working together", "Summary"]
YES = {"y", "yes", "true", "x", "\u2713", "\u2714"}
NO = {"", "n", "no", "false"}


def referral_records(rows, source):
    want = {norm_label(h): h for h in REFERRAL_HEADERS}
    for i, row in enumerate(rows):
        labels = [want.get(norm_label(c)) for c in row]
        if "Referral ID" in labels:
            break
    else:
        raise SystemExit(f"{source}: no referral header row")
    out = []
    for row in rows[i + 1:]:
        if all(c is None or str(c).strip() == "" for c in row):
            continue
        out.append({h: row[j] if j < len(row) else None
                    for j, h in enumerate(labels) if h})
    return out


def yes_no(raw):
    s = " ".join(str(raw or "").split()).lower()
    if s in YES:
        return True
    if s in NO:
        return False
    return None


def audit_referrals(referrals, records, as_of):
    refs, by_child = set(), set()
    for rec in records:
        aware = parse_date(rec.get("aware_date"))
        inc = parse_date(rec.get("incident_date"))
        if is_date(aware) and aware > as_of:
            continue  # not yet on the log as of the audit date
        cref = str(rec.get("case_ref") or "").strip().lower()
        if cref:
            refs.add(cref)
        cid = str(rec.get("child_id") or "").strip().lower()
        if cid and is_date(inc) and inc <= as_of:
            by_child.add((cid, inc))
    out = []
    for r in referrals:
        rid = "referral:" + str(r.get("Referral ID") or "").strip()
        duty = "referral-followed-up"
        submitted = parse_date(r.get("Date submitted"))
        if is_date(submitted) and submitted > as_of:
            continue  # not yet submitted as of the audit date
        kind = " ".join(str(r.get("Request type") or "").split()).lower()
        died, harmed = yes_no(r.get("Child died")), yes_no(r.get("Child seriously harmed"))
        abuse = " ".join(str(r.get("Abuse or neglect") or "").split()).lower()
        # As for the log: any needed fact unreadable -> unknown (a blank yes/no is "no").
        if (kind not in ("serious incident", "learning") or died is None or harmed is None
                or abuse not in CATEGORIES["abuse_neglect"]):
            out.append(finding(rid, duty, "unknown"))
            continue
        if kind == "learning" or not (died or harmed) or abuse == "not suspected":
            out.append(finding(rid, duty, "not_applicable"))
            continue
        if not is_date(submitted):
            out.append(finding(rid, duty, "unknown"))
            continue
        due = add_working_days(submitted, 5)
        cref = str(r.get("Case reference") or "").strip().lower()
        cid = str(r.get("Child ID") or "").strip().lower()
        inc = parse_date(r.get("Date of death or incident"))
        if (cref and cref in refs) or (cid and is_date(inc) and (cid, inc) in by_child):
            out.append(finding(rid, duty, "met", submitted, due))
        else:
            out.append(deadline(rid, duty, submitted, due, BLANK, as_of))
    return out


# --------------------------------------------------------------------------------------
# Audit
# --------------------------------------------------------------------------------------


def fmt(d):
    return d.isoformat() if is_date(d) else ""


def finding(case_ref, duty, status, start=None, due=None, done=None, late=None):
    if status in ("not_applicable", "unknown"):
        start = due = done = late = None
    return {
        "case_ref": case_ref, "duty": duty, "status": status,
        "start": fmt(start), "due": fmt(due), "done": fmt(done),
        "working_days_late": "" if late is None else str(late),
    }


def deadline(case_ref, duty, start, due, done, as_of):
    """Status of a duty with a due date.  done is a date or BLANK (BAD handled by caller)."""
    if is_date(done):
        if done <= due:
            return finding(case_ref, duty, "met", start, due, done)
        return finding(case_ref, duty, "late", start, due, done, working_days_between(due, done))
    if as_of > due:
        return finding(case_ref, duty, "overdue", start, due, None, working_days_between(due, as_of))
    return finding(case_ref, duty, "pending", start, due)


def timed_duty(case_ref, duty, applies, start, done, due_fn, as_of):
    """applies: True / False / None (unknown).  start/done: date, BLANK or BAD."""
    if applies is None:
        return finding(case_ref, duty, "unknown")
    if not applies:
        return finding(case_ref, duty, "not_applicable")
    if not is_date(start) or done is BAD:
        return finding(case_ref, duty, "unknown")
    return deadline(case_ref, duty, start, due_fn(start), done, as_of)


def audit_case(raw, as_of):
    case_ref = str(raw["case_ref"] or "").strip()
    v = {}
    for f, _ in FIELDS:
        x = raw.get(f)
        if f in DATE_FIELDS:
            d = parse_date(x)
            if is_date(d) and d > as_of:
                d = BLANK  # not yet happened as of the audit date
            v[f] = d
        elif f in CATEGORIES:
            v[f] = parse_category(f, x)
        else:
            v[f] = x
    # Not yet known to this audit?
    aware_raw = parse_date(raw.get("aware_date"))
    inc_raw = parse_date(raw.get("incident_date"))
    if is_date(aware_raw) and aware_raw > as_of:
        return []
    if aware_raw is BLANK and is_date(inc_raw) and inc_raw > as_of:
        return []

    out = []
    five = lambda d: add_working_days(d, 5)
    fifteen = lambda d: add_working_days(d, 15)

    # Panel / partners applicability.
    outcome, abuse, status = v["outcome"], v["abuse_neglect"], v["child_status"]
    loc = v["incident_location"]
    if loc is BLANK:
        loc = "in area"
    if outcome in (BLANK, BAD) or abuse in (BLANK, BAD) or loc is BAD:
        panel_applies = None
    else:
        panel_applies = (outcome in ("died", "seriously harmed")
                         and abuse in ("known", "suspected")
                         and loc in ("in area", "outside england"))
    out.append(timed_duty(case_ref, "panel-notification", panel_applies, v["aware_date"],
                          v["panel_notified"], five, as_of))
    out.append(timed_duty(case_ref, "partners-notification", panel_applies, v["aware_date"],
                          v["partners_notified"], five, as_of))

    # Looked-after child death.
    if outcome in (BLANK, BAD) or status in (BLANK, BAD):
        lac_applies = None
    else:
        lac_applies = outcome == "died" and status == "looked after"
    out.append(timed_duty(case_ref, "lac-death-secretary-of-state", lac_applies,
                          v["aware_date"], v["sos_notified"], five, as_of))
    out.append(timed_duty(case_ref, "lac-death-ofsted", lac_applies,
                          v["aware_date"], v["ofsted_notified"], five, as_of))

    # Rapid review.
    pn, rr = v["panel_notified"], v["rapid_review_sent"]
    if is_date(pn):
        out.append(timed_duty(case_ref, "rapid-review", True, pn, rr, fifteen, as_of))
    elif pn is BAD:
        out.append(finding(case_ref, "rapid-review", "unknown"))
    elif panel_applies is None:
        out.append(finding(case_ref, "rapid-review", "unknown"))
    elif not panel_applies:
        out.append(finding(case_ref, "rapid-review", "not_applicable"))
    elif rr is BAD:
        out.append(finding(case_ref, "rapid-review", "unknown"))
    else:
        out.append(finding(case_ref, "rapid-review", "pending", done=rr))

    # Panel response (the Panel's duty).
    if rr is BLANK:
        out.append(finding(case_ref, "panel-response", "not_applicable"))
    else:
        out.append(timed_duty(case_ref, "panel-response", True, rr, v["panel_response"],
                              fifteen, as_of))

    # Decision-based duties.
    decision = v["decision"]
    if decision is BAD:
        local = None
    elif decision is BLANK:
        local = False
    else:
        local = decision == "local review"

    # review-decision-notice: no numeric deadline.
    dd, dn = v["decision_date"], v["decision_notified"]
    if local is None:
        out.append(finding(case_ref, "review-decision-notice", "unknown"))
    elif not local:
        out.append(finding(case_ref, "review-decision-notice", "not_applicable"))
    elif not is_date(dd) or dn is BAD:
        out.append(finding(case_ref, "review-decision-notice", "unknown"))
    elif is_date(dn):
        out.append(finding(case_ref, "review-decision-notice", "met", dd, None, dn))
    else:
        out.append(finding(case_ref, "review-decision-notice", "pending", dd))

    # report-before-publication.
    pub, sent = v["published"], v["report_sent"]
    if local is None:
        out.append(finding(case_ref, "report-before-publication", "unknown"))
    elif not local:
        out.append(finding(case_ref, "report-before-publication", "not_applicable"))
    elif pub is BAD or sent is BAD:
        out.append(finding(case_ref, "report-before-publication", "unknown"))
    elif pub is BLANK:
        out.append(finding(case_ref, "report-before-publication", "pending", done=sent))
    else:
        out.append(deadline(case_ref, "report-before-publication", pub,
                            add_working_days(pub, -7), sent, as_of))

    # publication.
    out.append(timed_duty(case_ref, "publication", local, dd, pub,
                          lambda d: add_months(d, 6), as_of))

    # publication-period (minimum period).
    unpub = v["unpublished"]
    if pub is BLANK:
        out.append(finding(case_ref, "publication-period", "not_applicable"))
    elif pub is BAD or unpub is BAD:
        out.append(finding(case_ref, "publication-period", "unknown"))
    else:
        due = add_months(pub, 12)
        if is_date(unpub):
            st = "met" if unpub >= due else "early"
            out.append(finding(case_ref, "publication-period", st, pub, due, unpub))
        else:
            st = "met" if as_of >= due else "pending"
            out.append(finding(case_ref, "publication-period", st, pub, due))
    return out


def audit(records, as_of, referrals=(), referrals_only=False):
    findings = []
    if not referrals_only:
        for rec in records:
            findings.extend(audit_case(rec, as_of))
    if referrals:
        findings.extend(audit_referrals(referrals, records, as_of))
    order = {d: i for i, d in enumerate(DUTIES + ["referral-followed-up"])}
    findings.sort(key=lambda f: (f["case_ref"], order[f["duty"]]))
    return findings


COLUMNS = ["case_ref", "duty", "status", "start", "due", "done", "working_days_late"]


def write_findings(findings, fh):
    w = csv.writer(fh, lineterminator="\n")
    w.writerow(COLUMNS)
    for f in findings:
        w.writerow([f[c] for c in COLUMNS])


# --------------------------------------------------------------------------------------
# Self test (calendar against the published GOV.UK lists, typed in by hand)
# --------------------------------------------------------------------------------------

KNOWN_HOLIDAYS = {
    2019: "01-01 04-19 04-22 05-06 05-27 08-26 12-25 12-26",
    2020: "01-01 04-10 04-13 05-08 05-25 08-31 12-25 12-28",
    2021: "01-01 04-02 04-05 05-03 05-31 08-30 12-27 12-28",
    2022: "01-03 04-15 04-18 05-02 06-02 06-03 08-29 09-19 12-26 12-27",
    2023: "01-02 04-07 04-10 05-01 05-08 05-29 08-28 12-25 12-26",
    2024: "01-01 03-29 04-01 05-06 05-27 08-26 12-25 12-26",
    2025: "01-01 04-18 04-21 05-05 05-26 08-25 12-25 12-26",
    2026: "01-01 04-03 04-06 05-04 05-25 08-31 12-25 12-28",
    2012: "01-02 04-06 04-09 05-07 06-04 06-05 08-27 12-25 12-26",
    2002: "01-01 03-29 04-01 05-06 06-03 06-04 08-26 12-25 12-26",
    1999: "01-01 04-02 04-05 05-03 05-31 08-30 12-27 12-28 12-31",
    1995: "01-02 04-14 04-17 05-08 05-29 08-28 12-25 12-26",
    2011: "01-03 04-22 04-25 04-29 05-02 05-30 08-29 12-26 12-27",
}


def self_test():
    for year, days in KNOWN_HOLIDAYS.items():
        want = {dt.date(year, int(x[:2]), int(x[3:])) for x in days.split()}
        got = set(bank_holidays(year))
        assert got == want, (year, sorted(got ^ want))
    D = dt.date
    assert add_working_days(D(2024, 3, 9), 5) == D(2024, 3, 15)        # Saturday start
    assert add_working_days(D(2022, 5, 31), 5) == D(2022, 6, 9)        # Jubilee
    assert add_working_days(D(2023, 12, 21), 5) == D(2024, 1, 2)       # Christmas
    assert add_working_days(D(2024, 3, 1), -7) == D(2024, 2, 21)
    assert add_months(D(2023, 8, 31), 6) == D(2024, 2, 29)
    assert add_months(D(2025, 8, 31), 6) == D(2026, 2, 28)
    assert add_months(D(2024, 2, 29), 12) == D(2025, 2, 28)
    assert working_days_between(D(2024, 5, 24), D(2024, 5, 28)) == 1  # bank hol Monday
    assert parse_date("31/02/2024") is BAD
    assert parse_date("3/4/2024") == D(2024, 4, 3)
    assert parse_date("2024-04-03T10:15:00") == D(2024, 4, 3)
    assert parse_date("03/04/2024 14:30") == D(2024, 4, 3)
    assert parse_date("next week") is BAD
    assert parse_date(45383) == D(2024, 4, 1)
    print("self-test ok")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("log", nargs="?")
    ap.add_argument("--as-of", dest="as_of")
    ap.add_argument("--sheet")
    ap.add_argument("--referrals", action="append", default=[],
                    help="a referral export (CSV) to cross-check against the log")
    ap.add_argument("--referrals-only", action="store_true",
                    help="print only the referral-followed-up findings")
    ap.add_argument("--self-test", action="store_true")
    a = ap.parse_args(argv)
    if a.self_test:
        self_test()
        return 0
    if not a.log or not a.as_of:
        ap.error("LOG and --as-of are required")
    as_of = dt.date.fromisoformat(a.as_of)
    referrals = []
    if a.log.lower().endswith(".toml"):
        records, referrals = read_config(a.log)
    else:
        records = read_log(a.log, a.sheet)
    for p in a.referrals:
        referrals.extend(referral_records(read_rows(p), p))
    write_findings(audit(records, as_of, referrals, a.referrals_only), sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
