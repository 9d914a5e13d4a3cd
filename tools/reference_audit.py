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

    python3 tools/reference_audit.py LOG.csv --as-of 2026-11-23 --arrangements-from 2019-04-01
    python3 tools/reference_audit.py LOG.csv --as-of 2026-11-23 --covid-until 2021-03-31

Output: the findings CSV of DOMAIN.md ("The findings file"):
    case_ref,duty,status,start,due,done,working_days_late,breach,local_authority,note
sorted by case_ref, then by duty in DUTIES order.  The `note` is this reference's own
wording; only its kind is comparable with the Rust tool's (see note_kind()): blank, "not in
force before/from DD/MM/YYYY" (the date compared exactly), "timescale relaxed", or any
other reason for not_applicable/unknown.

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
 The law by date (DOMAIN.md "The law by date"), implemented here from DOMAIN.md alone:
 13. Aware before 29/06/2018: panel-notification, rapid-review, panel-response and
    lac-death-secretary-of-state are not in force; serious-incident-ofsted (Ofsted within 5
    working days, done = ofsted_notified, same criteria as the Panel duty) is.  From that day
    it is the other way round.  partners-notification, lac-death-ofsted, publication-period
    apply at every date.
 14. Decision (local review or serious case review) before arrangements_from (default
    2019-09-29): scr-completion (6 months, done = review_completed); on or after it:
    review-decision-notice, report-before-publication, publication.
 15. Aware on or after 15/12/2023: care-leaver-death-secretary-of-state / -ofsted (died and
    care leaver, 5 working days, done = sos_notified / ofsted_notified).
 16. A blank deciding date (aware_date; decision_date) lies between its lower bound (the
    incident date; the aware date, else the incident date) and the as-of date.  The rules
    are "on or after X", so the range's two ends give every possible period: if both are in
    force, the duty is judged; if neither, not_applicable; if one of each, the judged verdict
    stands when it is not_applicable or unknown, else the duty is unknown.
 17. breach = yes when status is late/overdue/early, the duty is not panel-response, and
    (with --covid-until) the due date of rapid-review, report-before-publication or
    publication is not within 30/03/2020..covid-until.
"""

import argparse
import csv
import datetime as dt
import io
import re
import sys

DUTIES = [
    "panel-notification",
    "serious-incident-ofsted",
    "partners-notification",
    "lac-death-secretary-of-state",
    "lac-death-ofsted",
    "care-leaver-death-secretary-of-state",
    "care-leaver-death-ofsted",
    "rapid-review",
    "panel-response",
    "review-decision-notice",
    "report-before-publication",
    "publication",
    "scr-completion",
    "publication-period",
]

# The law by date (DOMAIN.md), typed in from DOMAIN.md.
PANEL_FROM = dt.date(2018, 6, 29)
CARE_LEAVERS_FROM = dt.date(2023, 12, 15)
ARRANGEMENTS_DEFAULT = dt.date(2019, 9, 29)
ARRANGEMENTS_WINDOW = (dt.date(2018, 6, 29), dt.date(2019, 9, 29))
COVID_FROM = dt.date(2020, 3, 30)
COVID_DUTIES = {"rapid-review", "report-before-publication", "publication"}

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
    ("review_completed", "Review completed"),
]

DATE_FIELDS = {
    "incident_date", "aware_date", "panel_notified", "partners_notified",
    "ofsted_notified", "sos_notified", "rapid_review_sent", "panel_response",
    "decision_date", "decision_notified", "report_sent", "published", "unpublished",
    "review_completed",
}

CATEGORIES = {
    "outcome": {"died", "seriously harmed", "other"},
    "abuse_neglect": {"known", "suspected", "not suspected"},
    "child_status": {"not known to csc", "early help", "yot", "child in need",
                     "child protection plan", "looked after", "care leaver"},
    "incident_location": {"in area", "outside england", "elsewhere in england"},
    "decision": {"local review", "no review", "national review", "other learning",
                 "serious case review"},
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
# A field the log has no column for at all (DOMAIN "A missing column is not a blank cell"): it
# says nothing, so a duty that needs it is unknown; an absent incident location means in area.
MISSING = ("no such column",)

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
            if j is None:
                rec[f] = MISSING
                continue
            x = row[j] if j < len(row) else None
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
        cid = rec.get("child_id")
        cid = "" if cid is MISSING else str(cid or "").strip().lower()
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


def dmy(d):
    return d.strftime("%d/%m/%Y")


def finding(case_ref, duty, status, start=None, due=None, done=None, late=None, note=None):
    if status in ("not_applicable", "unknown"):
        start = due = done = late = None
        if not note:
            note = "why: " + ("does not apply" if status == "not_applicable" else "data missing")
    return {
        "case_ref": case_ref, "duty": duty, "status": status,
        "start": fmt(start), "due": fmt(due), "done": fmt(done),
        "working_days_late": "" if late is None else str(late),
        "note": note or "", "due_date": due,
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


def by_date(case_ref, duty, deciding, lower, as_of, in_force, boundary, judge):
    """Interpretation 16.  in_force(date) -> bool, for a rule "on or after X" or "before X"
    (boundary X).  deciding: the case's date or BLANK/BAD; lower: its lower bound or None."""
    if is_date(deciding):
        ends = [deciding, deciding]
    else:
        ends = [lower if is_date(lower) else dt.date.min, as_of]
    verdicts = {in_force(e) for e in ends}
    if verdicts == {True}:
        return judge()
    if verdicts == {False}:
        side = "before" if in_force(dt.date.max) else "from"
        return finding(case_ref, duty, "not_applicable",
                       note=f"not in force {side} {dmy(boundary)}")
    f = judge()
    if f["status"] in ("not_applicable", "unknown"):
        return f
    return finding(case_ref, duty, "unknown", note="why: the period is not settled")


def audit_case(raw, as_of, arrangements_from=ARRANGEMENTS_DEFAULT):
    case_ref = str(raw["case_ref"] or "").strip()
    v = {}
    for f, _ in FIELDS:
        x = raw.get(f)
        if x is MISSING:
            # No column: an absent location means in area; any other missing fact is unknown,
            # like an unreadable one, for every duty that needs it.
            v[f] = BLANK if f == "incident_location" else (BAD if f in DATE_FIELDS or f in CATEGORIES else None)
            continue
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
    # An aware date blank or unreadable: the incident's date decides (the LA cannot have
    # become aware before the incident, so an incident after the as-of date was not known).
    if not is_date(aware_raw) and is_date(inc_raw) and inc_raw > as_of:
        return []

    out = []
    five = lambda d: add_working_days(d, 5)
    fifteen = lambda d: add_working_days(d, 15)
    aware = v["aware_date"]
    inc = v["incident_date"]

    def aware_rule(duty, in_force, boundary, judge):
        return by_date(case_ref, duty, aware, inc, as_of, in_force, boundary, judge)

    panel_era = lambda d: d >= PANEL_FROM
    before_panel = lambda d: d < PANEL_FROM

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
    out.append(aware_rule("panel-notification", panel_era, PANEL_FROM, lambda: timed_duty(
        case_ref, "panel-notification", panel_applies, aware, v["panel_notified"], five, as_of)))
    out.append(aware_rule("serious-incident-ofsted", before_panel, PANEL_FROM, lambda: timed_duty(
        case_ref, "serious-incident-ofsted", panel_applies, aware, v["ofsted_notified"], five,
        as_of)))
    out.append(timed_duty(case_ref, "partners-notification", panel_applies, aware,
                          v["partners_notified"], five, as_of))

    # Looked-after child and care leaver deaths.
    if outcome in (BLANK, BAD) or status in (BLANK, BAD):
        lac_applies = None
        leaver_applies = None
    else:
        lac_applies = outcome == "died" and status == "looked after"
        leaver_applies = outcome == "died" and status == "care leaver"
    out.append(aware_rule("lac-death-secretary-of-state", panel_era, PANEL_FROM, lambda: timed_duty(
        case_ref, "lac-death-secretary-of-state", lac_applies, aware, v["sos_notified"], five,
        as_of)))
    out.append(timed_duty(case_ref, "lac-death-ofsted", lac_applies,
                          aware, v["ofsted_notified"], five, as_of))
    leavers = lambda d: d >= CARE_LEAVERS_FROM
    for duty, done in (("care-leaver-death-secretary-of-state", "sos_notified"),
                       ("care-leaver-death-ofsted", "ofsted_notified")):
        out.append(aware_rule(duty, leavers, CARE_LEAVERS_FROM, lambda duty=duty, done=done:
                              timed_duty(case_ref, duty, leaver_applies, aware, v[done], five,
                                         as_of)))

    # Rapid review.
    pn, rr = v["panel_notified"], v["rapid_review_sent"]

    def rapid_review():
        if is_date(pn):
            return timed_duty(case_ref, "rapid-review", True, pn, rr, fifteen, as_of)
        if pn is BAD:
            return finding(case_ref, "rapid-review", "unknown")
        if panel_applies is None:
            return finding(case_ref, "rapid-review", "unknown")
        if not panel_applies:
            return finding(case_ref, "rapid-review", "not_applicable")
        if rr is BAD:
            return finding(case_ref, "rapid-review", "unknown")
        return finding(case_ref, "rapid-review", "pending", done=rr)
    out.append(aware_rule("rapid-review", panel_era, PANEL_FROM, rapid_review))

    # Panel response (the Panel's duty).
    def panel_response():
        if rr is BLANK:
            return finding(case_ref, "panel-response", "not_applicable")
        return timed_duty(case_ref, "panel-response", True, rr, v["panel_response"],
                          fifteen, as_of)
    out.append(aware_rule("panel-response", panel_era, PANEL_FROM, panel_response))

    # Decision-based duties: a local review or a serious case review, judged by the regime
    # of the decision date.
    decision = v["decision"]
    if decision is BAD:
        local = None
    elif decision is BLANK:
        local = False
    else:
        local = decision in ("local review", "serious case review")
    dd, dn = v["decision_date"], v["decision_notified"]
    decision_lower = aware if is_date(aware) else inc
    lcspr = lambda d: d >= arrangements_from
    scr = lambda d: d < arrangements_from

    def decision_rule(duty, in_force, judge):
        return by_date(case_ref, duty, dd, decision_lower, as_of, in_force, arrangements_from,
                       judge)

    # review-decision-notice: no numeric deadline.
    def notice():
        if local is None:
            return finding(case_ref, "review-decision-notice", "unknown")
        if not local:
            return finding(case_ref, "review-decision-notice", "not_applicable")
        if not is_date(dd) or dn is BAD:
            return finding(case_ref, "review-decision-notice", "unknown")
        if is_date(dn):
            return finding(case_ref, "review-decision-notice", "met", dd, None, dn)
        return finding(case_ref, "review-decision-notice", "pending", dd)
    out.append(decision_rule("review-decision-notice", lcspr, notice))

    # report-before-publication.
    pub, sent = v["published"], v["report_sent"]

    def before_publication():
        if local is None:
            return finding(case_ref, "report-before-publication", "unknown")
        if not local:
            return finding(case_ref, "report-before-publication", "not_applicable")
        if pub is BAD or sent is BAD:
            return finding(case_ref, "report-before-publication", "unknown")
        if pub is BLANK:
            return finding(case_ref, "report-before-publication", "pending", done=sent)
        return deadline(case_ref, "report-before-publication", pub,
                        add_working_days(pub, -7), sent, as_of)
    out.append(decision_rule("report-before-publication", lcspr, before_publication))

    # publication, and the serious case review before the arrangements began.
    six = lambda d: add_months(d, 6)
    out.append(decision_rule("publication", lcspr, lambda: timed_duty(
        case_ref, "publication", local, dd, pub, six, as_of)))
    out.append(decision_rule("scr-completion", scr, lambda: timed_duty(
        case_ref, "scr-completion", local, dd, v["review_completed"], six, as_of)))

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
    la = raw.get("local_authority")
    la = "" if la is MISSING else str(la or "").strip()
    for f in out:
        f["local_authority"] = la
    return out


def breach_and_relaxation(f, covid_until):
    relaxed = (covid_until is not None and f["duty"] in COVID_DUTIES
               and is_date(f["due_date"]) and COVID_FROM <= f["due_date"] <= covid_until)
    if relaxed:
        f["note"] = "timescale relaxed: COVID-19"
    f["breach"] = "yes" if (f["status"] in ("late", "overdue", "early")
                            and f["duty"] != "panel-response" and not relaxed) else "no"


def note_kind(note):
    """What the reference and the Rust tool must agree on in a note."""
    if not note:
        return ""
    if note.startswith("not in force"):
        return note.split(":")[0]
    if note.startswith("timescale relaxed"):
        return "timescale relaxed"
    return "why"


def audit(records, as_of, referrals=(), referrals_only=False,
          arrangements_from=ARRANGEMENTS_DEFAULT, covid_until=None):
    lo, hi = ARRANGEMENTS_WINDOW
    if not lo <= arrangements_from <= hi:
        raise SystemExit(f"arrangements_from {arrangements_from} is outside {lo}..{hi}")
    findings = []
    if not referrals_only:
        for rec in records:
            findings.extend(audit_case(rec, as_of, arrangements_from))
    if referrals:
        findings.extend(audit_referrals(referrals, records, as_of))
    for f in findings:
        f.setdefault("local_authority", "")
        breach_and_relaxation(f, covid_until)
    order = {d: i for i, d in enumerate(DUTIES + ["referral-followed-up"])}
    findings.sort(key=lambda f: (f["case_ref"], order[f["duty"]]))
    return findings


COLUMNS = ["case_ref", "duty", "status", "start", "due", "done", "working_days_late",
           "breach", "local_authority", "note"]


def neutralise(text):
    """Text a spreadsheet would run as a formula gets a leading apostrophe (DOMAIN.md)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def write_findings(findings, fh):
    w = csv.writer(fh, lineterminator="\n")
    w.writerow(COLUMNS)
    for f in findings:
        w.writerow([neutralise(f[c]) if c in ("case_ref", "local_authority", "note") else f[c]
                    for c in COLUMNS])


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
    ap.add_argument("--arrangements-from", dest="arrangements_from",
                    help="the day the area's safeguarding-partner arrangements began")
    ap.add_argument("--covid-until", dest="covid_until",
                    help="switch on the COVID-19 relaxation, ending on this day")
    a = ap.parse_args(argv)
    if a.self_test:
        self_test()
        return 0
    if not a.log or not a.as_of:
        ap.error("LOG and --as-of are required")
    as_of = dt.date.fromisoformat(a.as_of)
    referrals = []
    arrangements = ARRANGEMENTS_DEFAULT
    if a.log.lower().endswith(".toml"):
        records, referrals = read_config(a.log)
        import tomllib
        with open(a.log, "rb") as fh:
            arrangements = tomllib.load(fh).get("arrangements_from", arrangements)
    else:
        records = read_log(a.log, a.sheet)
    for p in a.referrals:
        referrals.extend(referral_records(read_rows(p), p))
    if a.arrangements_from:
        arrangements = dt.date.fromisoformat(a.arrangements_from)
    covid = dt.date.fromisoformat(a.covid_until) if a.covid_until else None
    write_findings(audit(records, as_of, referrals, a.referrals_only, arrangements, covid),
                   sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
