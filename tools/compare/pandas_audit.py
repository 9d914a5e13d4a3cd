#!/usr/bin/env python3
"""The safeguard-audit duties done the way an analyst would: pandas + numpy business days.

Usage:
    python3 tools/compare/pandas_audit.py LOG.csv --as-of 2026-11-23 --out DIR [--council-words]
        [--arrangements-from 2019-09-29] [--covid-until YYYY-MM-DD] [--no-xlsx]

Reads a canonical incident-log CSV (header labels of shared/DOMAIN.md, title rows allowed,
`,` `;` or tab delimited, UTF-8 or Windows-1252), computes the 14 duties of DOMAIN.md (the
national baseline and the law by date) for every case as of a date -- vectorised: numpy/pandas
column operations, no Python loop over rows -- and writes
    DIR/findings-<as-of>.csv     case_ref,duty,status,start,due,done,working_days_late,
                                 breach,local_authority,note
    DIR/compliance-<as-of>.xlsx  Summary (counts per duty and status, breaches) + Findings
                                 (XlsxWriter; continued on "Findings (2)"... past Excel's rows)

Working days: numpy.busday_offset / numpy.busday_count with a holidays array of England and
Wales bank holidays, taken from tools/reference_audit.py (bank_holidays(year), by rule plus the
one-off days).  The law-by-date dates (29/06/2018, 15/12/2023, the arrangements_from window,
30/03/2020) and the COVID-19 duties are also taken from there.

Interpretations: the same as tools/reference_audit.py (read its docstring, points 1-17), so the
findings file is meant to agree with it byte for byte, notes in the reference's words:
  - unknown dominates applicability; blank incident location = in area;
  - blank decision = no decision yet (not_applicable), unreadable decision = unknown; a
    serious case review is judged like a local review, by the regime of its decision date;
  - rapid-review is pending with no due date while the Panel notification is blank;
  - report-before-publication: due = 7th working day before publication;
  - publication-period: minimum period, `early` if removed before the first anniversary;
  - a date after the as-of date has not happened (blank); a case whose aware date (or, with
    the aware date blank, incident date) is after the as-of date produces no findings;
  - a present but unreadable done-date makes the duty unknown;
  - a column the log does not have makes every duty that needs it unknown (an absent
    incident location is in area, an absent local authority blank);
  - the law by date: aware before 29/06/2018, serious-incident-ofsted instead of the Panel
    duties and lac-death-secretary-of-state; aware on or after 15/12/2023, the care-leaver
    death duties; decision before arrangements_from, scr-completion instead of the LCSPR
    duties.  A blank (or unreadable) deciding date lies between its lower bound (aware: the
    incident date; decision: the aware date, else the incident date) and the as-of date:
    both ends in force -> judged; neither -> not_applicable ("not in force before/from
    DD/MM/YYYY"); one of each -> the judged verdict if not_applicable or unknown, else unknown;
  - breach = late/overdue/early, not the Panel's own duty (panel-response), and (with
    --covid-until) not a rapid-review/report-before-publication/publication due from
    30/03/2020 to that day (those get the note "timescale relaxed: COVID-19");
  - case references and local authorities a spreadsheet would run as formulas get a
    leading apostrophe;
  - dates are day-first `d/m/yyyy` or ISO `yyyy-mm-dd`, with an optional time part; anything
    else (`31/02/2024`, `tbc`, an Excel serial number typed into a CSV) is unreadable;
  - every data row is a case (a repeated case reference gives repeated findings).

--council-words reads the log the way safeguard-audit itself does (its README, "Decisions
where the guidance is silent", and src/cases/): the built-in council words (`LAC`, `CPP`, `Y`,
`NFA`, `LCSPR`, `Abroad`...), Excel serial numbers typed as text, `-`/`.` separators and
two-digit years, dates before 1990 or more than a year after the later of today and the as-of
date unreadable, rows with the same case reference joined into one case (differing values = unknown; the first
non-blank local authority), rows without a case reference set aside, and a case with an
unreadable aware date judged by its incident date for "not yet known". The duty rules are the
same in both modes.
"""

import argparse
import csv
import datetime as dt
import io
import os
import sys
import time

import numpy as np
import pandas as pd

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # leave no __pycache__ in tools/ (or here)
sys.path.insert(0, os.path.join(HERE, ".."))
from reference_audit import (  # noqa: E402  (the spec's constants and the bank holidays)
    ARRANGEMENTS_DEFAULT,
    ARRANGEMENTS_WINDOW,
    CARE_LEAVERS_FROM,
    CATEGORIES,
    COVID_DUTIES,
    COVID_FROM,
    DATE_FIELDS,
    DUTIES,
    FIELDS,
    LABEL_TO_FIELD,
    PANEL_FROM,
    bank_holidays,
    norm_label,
)

STATUSES = ["met", "late", "overdue", "pending", "not_applicable", "unknown", "early"]
MET, LATE, OVERDUE, PENDING, NA, UNKNOWN, EARLY = range(len(STATUSES))
COLUMNS = ["case_ref", "duty", "status", "start", "due", "done", "working_days_late",
           "breach", "local_authority", "note"]
NAT = np.datetime64("NaT", "D")
EARLIEST = np.datetime64("0001-01-01", "D")  # the lower bound of a date with no lower bound
# Notes, as tools/reference_audit.py words them; the law-by-date notes are added per boundary.
NOTES = ["", "why: does not apply", "why: data missing", "why: the period is not settled",
         "timescale relaxed: COVID-19"]
NOTE_NONE, NOTE_NA, NOTE_UNKNOWN, NOTE_UNSETTLED, NOTE_RELAXED = range(len(NOTES))
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
BLANK, BAD = "", "\x00bad"  # category sentinels
EXCEL_MAX_ROWS = 1_048_576

# safeguard-audit's built-in council words (src/cases/values.rs), used with --council-words.
COUNCIL_WORDS = {
    "outcome": {
        "death": "died", "dead": "died", "deceased": "died", "child died": "died",
        "serious harm": "seriously harmed", "seriously injured": "seriously harmed",
        "serious injury": "seriously harmed", "harmed": "seriously harmed",
        "sh": "seriously harmed", "none": "other", "neither": "other",
    },
    "abuse_neglect": {
        "yes - known": "known", "yes known": "known", "confirmed": "known",
        "yes - suspected": "suspected", "yes suspected": "suspected", "yes": "suspected",
        "y": "suspected", "true": "suspected", "x": "suspected", "\u2713": "suspected",
        "\u2714": "suspected", "no": "not suspected", "n": "not suspected",
        "false": "not suspected", "not known or suspected": "not suspected",
        "none": "not suspected",
    },
    "child_status": {
        "lac": "looked after", "cla": "looked after", "cic": "looked after",
        "child in care": "looked after", "looked after child": "looked after",
        "child looked after": "looked after", "in care": "looked after",
        "cp": "child protection plan", "cpp": "child protection plan",
        "child protection": "child protection plan", "cp plan": "child protection plan",
        "cin": "child in need", "eh": "early help", "known to early help": "early help",
        "known to yot": "yot", "youth offending": "yot", "youth offending team": "yot",
        "yjs": "yot", "not known": "not known to csc",
        "not known to children's social care": "not known to csc",
        "not known to childrens social care": "not known to csc", "nk": "not known to csc",
        "cl": "care leaver", "former relevant child": "care leaver",
    },
    "incident_location": {
        "in la area": "in area", "in borough": "in area", "local": "in area",
        "within area": "in area", "abroad": "outside england",
        "outside uk": "outside england", "out of area (england)": "elsewhere in england",
        "another la": "elsewhere in england", "other la in england": "elsewhere in england",
    },
    "decision": {
        "lcspr": "local review", "cspr": "local review", "local cspr": "local review",
        "local child safeguarding practice review": "local review",
        "ncspr": "national review", "national": "national review",
        "national cspr": "national review", "nfa": "no review",
        "no further action": "no review", "none": "no review",
        "learning": "other learning", "learning review": "other learning",
        "other": "other learning", "scr": "serious case review",
    },
}

# Date text, as tools/reference_audit.py reads it (the time part, if any, is ignored).
TIME = r"(?:[ T]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
UK_RE = r"^(\d{1,2})/(\d{1,2})/(\d{4})" + TIME + r"$"
ISO_RE = r"^(\d{4})-(\d{2})-(\d{2})" + TIME + r"$"
# ... and as safeguard-audit reads it (--council-words): same separator twice, 2-digit years.
C_TIME = r"(?:[T ][T ]*[0-9:. APMapmZ+\-]*)?"
C_DMY_RE = r"^(\d{1,2})([/.\-])(\d{1,2})\2(\d{4}|\d{2})" + C_TIME + r"$"
C_YMD_RE = r"^(\d{4})([/.\-])(\d{1,2})\2(\d{1,2})" + C_TIME + r"$"
SERIAL_RE = r"^\d+(?:\.\d*)?$"


# ------------------------------------------------------------------------------------------
# Reading the log
# ------------------------------------------------------------------------------------------


def read_log(path):
    """The log as a DataFrame of strings, one column per canonical field ('' when absent)."""
    with open(path, "rb") as fh:
        data = fh.read()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252")  # as Excel saves "CSV" on Windows
    first = text.split("\n", 1)[0]
    delim = max([",", ";", "\t"], key=first.count)
    # Find the header row (title rows allowed): the first row naming the case reference and at
    # least two other fields.
    buf = io.StringIO(text, newline="")
    reader = csv.reader(buf, delimiter=delim)
    header = None
    for row in reader:
        hits = {LABEL_TO_FIELD.get(norm_label(c)) for c in row} - {None}
        if "case_ref" in hits and len(hits) >= 3:
            header = row
            break
    if header is None:
        raise SystemExit(f"{path}: no recognisable header row")
    body = text[buf.tell():]  # the rows after the header
    # Plenty of column names so that a ragged row never breaks the parser.
    width = len(header) + 8
    raw = pd.read_csv(
        io.StringIO(body), sep=delim, header=None, names=range(width), dtype=str,
        keep_default_na=False, na_filter=False, skip_blank_lines=False, engine="c",
        quoting=csv.QUOTE_MINIMAL, index_col=False,
    ).fillna("")
    # All-blank rows are not cases.
    nonblank = np.zeros(len(raw), dtype=bool)
    for c in raw.columns:
        nonblank |= raw[c].str.strip().to_numpy() != ""
    raw = raw.loc[nonblank].reset_index(drop=True)
    colmap = {}
    for j, label in enumerate(header):
        f = LABEL_TO_FIELD.get(norm_label(label))
        if f and f not in colmap:
            colmap[f] = j
    out = pd.DataFrame(index=raw.index)
    for f, _ in FIELDS:
        out[f] = raw[colmap[f]] if f in colmap else ""
    # A column the log does not have is not a blank cell (DOMAIN.md): audit() makes a duty
    # that needs it unknown (an absent incident location is in area).
    out.attrs["missing"] = sorted(f for f, _ in FIELDS if f not in colmap)
    return out


def parse_categories(col, field, council):
    """Normalised canonical value, BLANK or BAD, per row (parsed once per distinct cell)."""
    codes, uniq = pd.factorize(col, sort=False)
    u = pd.Series(uniq, dtype=object)
    norm = u.str.split().str.join(" ").str.lower()
    allowed = CATEGORIES[field]
    canon = norm.where(norm.isin(allowed), BAD)
    if council:
        stripped = norm.str.rstrip(".;,")
        words = stripped.map(COUNCIL_WORDS.get(field, {}))
        canon = canon.where(canon != BAD, words.fillna(BAD))
    canon = canon.where(norm != "", BLANK)
    return canon.to_numpy(dtype=object)[codes]


def _ymd_to_dates(y, m, d):
    """Year/month/day arrays (float, NaN where absent) to datetime64[D]; NaT if impossible."""
    ok = ~(np.isnan(y) | np.isnan(m) | np.isnan(d))
    parts = pd.DataFrame({
        "year": np.where(ok, y, 2000), "month": np.where(ok, m, 1), "day": np.where(ok, d, 1)
    })
    # A date outside pandas' nanosecond range (before 1677 or after 2262) comes back NaT
    # (unreadable); tools/reference_audit.py would accept it.
    days = pd.to_datetime(parts, errors="coerce").to_numpy().astype("datetime64[D]")
    return np.where(ok, days, NAT)


def parse_dates(col, council, as_of):
    """(dates datetime64[D] with NaT when blank or unreadable, unreadable mask) per row."""
    codes, uniq = pd.factorize(col, sort=False)
    u = pd.Series(uniq, dtype=object).str.strip()
    blank = (u == "").to_numpy()
    if not council:
        uk = u.str.extract(UK_RE).astype(float)
        iso = u.str.extract(ISO_RE).astype(float)
        is_uk = uk[0].notna().to_numpy()
        y = np.where(is_uk, uk[2], iso[0])
        m = np.where(is_uk, uk[1], iso[1])
        d = np.where(is_uk, uk[0], iso[2])
        days = _ymd_to_dates(y, m, d)
    else:
        dmy = u.str.extract(C_DMY_RE)
        ymd = u.str.extract(C_YMD_RE)
        is_dmy = dmy[0].notna().to_numpy()
        yy = dmy[3].astype(float).to_numpy()
        two = (dmy[3].str.len() == 2).to_numpy()
        yy = np.where(two, np.where(yy < 70, 2000 + yy, 1900 + yy), yy)
        y = np.where(is_dmy, yy, ymd[0].astype(float))
        m = np.where(is_dmy, dmy[2].astype(float), ymd[2].astype(float))
        d = np.where(is_dmy, dmy[0].astype(float), ymd[3].astype(float))
        days = _ymd_to_dates(y, m, d)
        # Excel serial numbers typed as text (CSV exports of Excel dates).
        serial_like = u.str.fullmatch(SERIAL_RE).fillna(False).to_numpy()
        n = pd.to_numeric(u.where(serial_like), errors="coerce").to_numpy()
        serial_ok = serial_like & (u.str.len() <= 8).to_numpy() & (n >= 20000) & (n <= 80000)
        serial = np.datetime64("1899-12-30") + np.floor(np.nan_to_num(n)).astype("int64")
        days = np.where(serial_like, np.where(serial_ok, serial, NAT), days)
        # Plausible dates only: from 1990 to a year after the later of today and the as-of date.
        latest = max(as_of, np.datetime64(dt.datetime.now(dt.timezone.utc).date(), "D")) + 366
        plausible = (days >= np.datetime64("1990-01-01")) & (days <= latest)
        days = np.where(plausible, days, NAT)
    bad = ~blank & np.isnat(days)
    return days[codes], bad[codes]


def join_rows(recs, la, cats, dates, bads):
    """--council-words: rows with the same case reference become one case (blank yields to a
    value, an unreadable cell to a readable one, two different values make it unreadable; the
    local authority is the case's first non-blank one).  Rows without a case reference are set
    aside.  Returns the case-level columns."""
    refs = recs["case_ref"].str.strip().to_numpy(dtype=object)
    keep = refs != ""
    key = pd.Series(refs[keep])
    gid, first_refs = pd.factorize(key, sort=False)
    ng = len(first_refs)
    if ng == len(key):  # no repeated case reference: nothing to join
        return (first_refs.to_numpy(dtype=object), la[keep],
                {f: v[keep] for f, v in cats.items()},
                {f: v[keep] for f, v in dates.items()}, {f: v[keep] for f, v in bads.items()})

    def merge(values, is_good, is_bad):
        good = pd.Series(np.where(is_good, values, None), dtype=object)
        g = good.groupby(gid)
        nuniq = g.nunique().reindex(range(ng), fill_value=0).to_numpy()
        firstval = g.first().reindex(range(ng)).to_numpy(dtype=object)
        anybad = pd.Series(is_bad).groupby(gid).any().reindex(range(ng), fill_value=False)
        anybad = anybad.to_numpy()
        conflict = nuniq > 1
        return firstval, conflict | ((nuniq == 0) & anybad), nuniq == 1

    out_c, out_d, out_b = {}, {}, {}
    for f, v in cats.items():
        v = v[keep]
        good = (v != BLANK) & (v != BAD)
        val, bad, has = merge(v, good, v == BAD)
        out_c[f] = np.where(bad, BAD, np.where(has, val, BLANK)).astype(object)
    for f, v in dates.items():
        v, b = v[keep], bads[f][keep]
        good = ~np.isnat(v)
        val, bad, has = merge(v.astype("int64"), good, b)
        val = np.where(has, val, 0).astype("int64").astype("datetime64[D]")
        out_d[f] = np.where(has & ~bad, val, NAT)
        out_b[f] = bad
    la_k = la[keep]
    la_first = (pd.Series(np.where(la_k != "", la_k, None), dtype=object).groupby(gid).first()
                .reindex(range(ng)).fillna("").to_numpy(dtype=object))
    return first_refs.to_numpy(dtype=object), la_first, out_c, out_d, out_b


# ------------------------------------------------------------------------------------------
# Calendar
# ------------------------------------------------------------------------------------------


def busday_calendar(lo_year, hi_year):
    hol = sorted(d for y in range(lo_year, hi_year + 1) for d in bank_holidays(y))
    return np.busdaycalendar(weekmask="1111100", holidays=np.array(hol, dtype="datetime64[D]"))


def add_wd(d, n, cal):
    """The n-th working day after d (d not counted); n < 0: before.  NaT stays NaT."""
    return np.busday_offset(d, n, roll="backward" if n > 0 else "forward", busdaycal=cal)


def wd_between(a, b, cal):
    """Working days x with a < x <= b (0 where a or b is NaT or b <= a)."""
    ok = ~(np.isnat(a) | np.isnat(b)) & (b > a)
    a1 = np.where(ok, a, np.datetime64("2000-01-03")) + 1
    b1 = np.where(ok, b, np.datetime64("2000-01-03")) + 1
    return np.where(ok, np.busday_count(a1, b1, busdaycal=cal), 0)


def add_months(d, n):
    """Same day n months on, or the last day of that month.  NaT stays NaT."""
    nat = np.isnat(d)
    safe = np.where(nat, np.datetime64("2000-01-01"), d)
    month = safe.astype("datetime64[M]")
    day = (safe - month.astype("datetime64[D]")).astype("int64")  # 0-based
    target = month + n
    dim = ((target + 1).astype("datetime64[D]") - target.astype("datetime64[D]")).astype("int64")
    out = target.astype("datetime64[D]") + np.minimum(day, dim - 1)
    return np.where(nat, NAT, out)


# ------------------------------------------------------------------------------------------
# The duties, vectorised
# ------------------------------------------------------------------------------------------


class Duty:
    """Columns of one duty's findings for every case."""

    def __init__(self, n):
        self.status = np.full(n, NA, dtype=np.int8)
        self.start = np.full(n, NAT)
        self.due = np.full(n, NAT)
        self.done = np.full(n, NAT)
        self.late = np.full(n, -1, dtype=np.int64)
        self.note = np.full(n, NOTE_NA, dtype=np.int16)
        self.breach = np.zeros(n, dtype=bool)

    def set(self, mask, status, start=None, due=None, done=None, late=None, note=None):
        """Where mask: this status and these columns (others blank).  The note is the
        reference's default for the status unless given."""
        self.status[mask] = status
        for name, v in (("start", start), ("due", due), ("done", done), ("late", late)):
            arr = getattr(self, name)
            if v is None:
                arr[mask] = -1 if name == "late" else NAT
            else:
                arr[mask] = v[mask] if isinstance(v, np.ndarray) else v
        if note is None:
            note = NOTE_NA if status == NA else NOTE_UNKNOWN if status == UNKNOWN else NOTE_NONE
        self.note[mask] = note


def note_code(text):
    if text not in NOTES:
        NOTES.append(text)
    return NOTES.index(text)


def deadline(duty, mask, start, due, done, as_of, cal):
    """met / late / overdue / pending where mask; done is a date or NaT (blank)."""
    has = ~np.isnat(done)
    with np.errstate(invalid="ignore"):
        met = mask & has & (done <= due)
        late = mask & has & (done > due)
        overdue = mask & ~has & (as_of > due)
        pending = mask & ~has & ~(as_of > due)
    asof = np.full(len(mask), as_of)
    duty.set(met, MET, start, due, done)
    duty.set(late, LATE, start, due, done, wd_between(due, done, cal))
    duty.set(overdue, OVERDUE, start, due, None, wd_between(due, asof, cal))
    duty.set(pending, PENDING, start, due)


def timed_duty(n, applies, start, done, done_bad, due_fn, as_of, cal):
    """applies: int8 array 1 / 0 / -1 (unknown)."""
    duty = Duty(n)
    duty.set(applies == -1, UNKNOWN)
    duty.set(applies == 0, NA)
    on = applies == 1
    duty.set(on & (np.isnat(start) | done_bad), UNKNOWN)
    go = on & ~np.isnat(start) & ~done_bad
    deadline(duty, go, start, due_fn(start), done, as_of, cal)
    return duty


def by_date(duty, deciding, lower, as_of, from_boundary, boundary):
    """The law by date (DOMAIN.md; tools/reference_audit.py point 16), on a judged duty.

    The rule is in force on or after `boundary` (from_boundary) or before it.  deciding: the
    date that decides the period (NaT when blank or unreadable), lower: its lower bound (NaT:
    none).  With the deciding date blank, the two ends of the range [lower, as_of] give every
    possible period: both in force -> the judged verdict; neither -> not_applicable; one of
    each -> the judged verdict if it is not_applicable or unknown, else unknown."""
    known = ~np.isnat(deciding)
    lo = np.where(known, deciding, np.where(np.isnat(lower), EARLIEST, lower))
    hi = np.where(known, deciding, as_of)
    b = np.datetime64(boundary, "D")
    if from_boundary:
        in_lo, in_hi = lo >= b, hi >= b
    else:
        in_lo, in_hi = lo < b, hi < b
    side = "before" if from_boundary else "from"
    duty.set(~in_lo & ~in_hi, NA,
             note=note_code(f"not in force {side} {boundary.strftime('%d/%m/%Y')}"))
    unsettled = (in_lo != in_hi) & (duty.status != NA) & (duty.status != UNKNOWN)
    duty.set(unsettled, UNKNOWN, note=NOTE_UNSETTLED)
    return duty


def audit(recs, as_of_str, council=False, arrangements_from=ARRANGEMENTS_DEFAULT,
          covid_until=None):
    """recs: DataFrame of strings (read_log).  Returns (findings DataFrame, cases audited).

    arrangements_from: the day the area's safeguarding-partner arrangements began (a date in
    ARRANGEMENTS_WINDOW); covid_until: the last day of the COVID-19 relaxation (None: off)."""
    lo_w, hi_w = ARRANGEMENTS_WINDOW
    if not lo_w <= arrangements_from <= hi_w:
        raise SystemExit(f"arrangements_from {arrangements_from} is outside {lo_w}..{hi_w}")
    as_of = np.datetime64(as_of_str, "D")
    rows = len(recs)
    missing = set(recs.attrs.get("missing", ()))
    cats, dates, bads = {}, {}, {}
    for f in CATEGORIES:
        if f in missing:  # no column: unknown, except an absent location (in area)
            cats[f] = np.full(rows, BLANK if f == "incident_location" else BAD, dtype=object)
        else:
            cats[f] = parse_categories(recs[f], f, council)
    for f in DATE_FIELDS:
        if f in missing:
            dates[f], bads[f] = np.full(rows, NAT), np.ones(rows, dtype=bool)
        else:
            dates[f], bads[f] = parse_dates(recs[f], council, as_of)
    la = recs["local_authority"].str.strip().to_numpy(dtype=object)
    if council:
        case_ref, la, cats, dates, bads = join_rows(recs, la, cats, dates, bads)
    else:
        case_ref = recs["case_ref"].str.strip().to_numpy(dtype=object)

    # Not yet known to this audit (dates before the as-of clipping).
    aware, inc = dates["aware_date"], dates["incident_date"]
    if council:
        known_from = np.where(np.isnat(aware), inc, aware)
        skip = ~np.isnat(known_from) & (known_from > as_of)
    else:
        # As the reference: an aware date blank or unreadable leaves the incident's to decide.
        skip = (~np.isnat(aware) & (aware > as_of)) | (np.isnat(aware) & ~np.isnat(inc) & (inc > as_of))
    keep = ~skip
    case_ref, la = case_ref[keep], la[keep]
    c = {f: v[keep] for f, v in cats.items()}
    # Events after the as-of date have not happened yet: blank (not unreadable).
    d = {f: np.where(v[keep] > as_of, NAT, v[keep]) for f, v in dates.items()}
    b = {f: v[keep] for f, v in bads.items()}
    n = len(case_ref)

    present = [v for v in d.values() if (~np.isnat(v)).any()]
    years = [as_of.astype(object).year]
    for v in present:
        years += [v[~np.isnat(v)].min().astype(object).year, v[~np.isnat(v)].max().astype(object).year]
    cal = busday_calendar(min(years) - 1, max(years) + 2)
    five = lambda x: add_wd(x, 5, cal)  # noqa: E731
    fifteen = lambda x: add_wd(x, 15, cal)  # noqa: E731
    six = lambda x: add_months(x, 6)  # noqa: E731

    def blank(f):
        return np.isnat(d[f]) & ~b[f]

    def is_date(f):
        return ~np.isnat(d[f])

    # The law by date: duties decided by the aware date (lower bound: the incident date) and
    # by the decision date (lower bound: the aware date, else the incident date).
    aware, inc, dd = d["aware_date"], d["incident_date"], d["decision_date"]
    decision_lower = np.where(np.isnat(aware), inc, aware)

    def by_aware(duty, from_boundary, boundary):
        return by_date(duty, aware, inc, as_of, from_boundary, boundary)

    def by_decision(duty, from_boundary):
        return by_date(duty, dd, decision_lower, as_of, from_boundary, arrangements_from)

    out = {}
    # Panel / partners applicability: unknown dominates.
    outcome, abuse, status = c["outcome"], c["abuse_neglect"], c["child_status"]
    loc = np.where(c["incident_location"] == BLANK, "in area", c["incident_location"])
    unk = np.isin(outcome, [BLANK, BAD]) | np.isin(abuse, [BLANK, BAD]) | (loc == BAD)
    yes = (np.isin(outcome, ["died", "seriously harmed"]) & np.isin(abuse, ["known", "suspected"])
           & np.isin(loc, ["in area", "outside england"]))
    panel = np.where(unk, -1, yes.astype(np.int8)).astype(np.int8)
    out["panel-notification"] = by_aware(timed_duty(
        n, panel, aware, d["panel_notified"], b["panel_notified"], five, as_of, cal),
        True, PANEL_FROM)
    # Working Together 2015: before the Panel, Ofsted was notified of a serious incident.
    out["serious-incident-ofsted"] = by_aware(timed_duty(
        n, panel, aware, d["ofsted_notified"], b["ofsted_notified"], five, as_of, cal),
        False, PANEL_FROM)
    out["partners-notification"] = timed_duty(n, panel, aware, d["partners_notified"],
                                              b["partners_notified"], five, as_of, cal)

    # Looked-after child and care leaver deaths.
    unk = np.isin(outcome, [BLANK, BAD]) | np.isin(status, [BLANK, BAD])
    lac = np.where(unk, -1, ((outcome == "died") & (status == "looked after")).astype(np.int8))
    lac = lac.astype(np.int8)
    leaver = np.where(unk, -1, ((outcome == "died") & (status == "care leaver")).astype(np.int8))
    leaver = leaver.astype(np.int8)
    out["lac-death-secretary-of-state"] = by_aware(timed_duty(
        n, lac, aware, d["sos_notified"], b["sos_notified"], five, as_of, cal),
        True, PANEL_FROM)
    out["lac-death-ofsted"] = timed_duty(n, lac, aware, d["ofsted_notified"],
                                         b["ofsted_notified"], five, as_of, cal)
    for duty, done in (("care-leaver-death-secretary-of-state", "sos_notified"),
                       ("care-leaver-death-ofsted", "ofsted_notified")):
        out[duty] = by_aware(timed_duty(n, leaver, aware, d[done], b[done], five, as_of, cal),
                             True, CARE_LEAVERS_FROM)

    # Rapid review: clock = Panel notified; pending with no due date while that is blank.
    pn, rr = d["panel_notified"], d["rapid_review_sent"]
    notified = is_date("panel_notified")
    rr_duty = timed_duty(n, notified.astype(np.int8), pn, rr, b["rapid_review_sent"],
                         fifteen, as_of, cal)
    rest = ~notified
    rr_duty.set(rest & b["panel_notified"], UNKNOWN)
    rest &= ~b["panel_notified"]
    rr_duty.set(rest & (panel == -1), UNKNOWN)
    rr_duty.set(rest & (panel == 0), NA)
    rest &= panel == 1
    rr_duty.set(rest & b["rapid_review_sent"], UNKNOWN)
    rr_duty.set(rest & ~b["rapid_review_sent"], PENDING, done=rr)
    out["rapid-review"] = by_aware(rr_duty, True, PANEL_FROM)

    # Panel response (the Panel's duty): applies once a rapid review was sent.
    sent = np.where(blank("rapid_review_sent"), 0, 1).astype(np.int8)
    out["panel-response"] = by_aware(timed_duty(
        n, sent, rr, d["panel_response"], b["panel_response"], fifteen, as_of, cal),
        True, PANEL_FROM)

    # Decision-based duties (a local review or a serious case review, judged by the regime of
    # the decision date): blank decision = none yet; unreadable = unknown.
    dec = c["decision"]
    local = np.isin(dec, ["local review", "serious case review"]).astype(np.int8)
    local = np.where(dec == BAD, -1, local).astype(np.int8)

    dn = d["decision_notified"]
    rdn = Duty(n)
    rdn.set(local == -1, UNKNOWN)
    on = local == 1
    rdn.set(on & (~is_date("decision_date") | b["decision_notified"]), UNKNOWN)
    on &= is_date("decision_date") & ~b["decision_notified"]
    rdn.set(on & is_date("decision_notified"), MET, start=dd, done=dn)
    rdn.set(on & ~is_date("decision_notified"), PENDING, start=dd)
    out["review-decision-notice"] = by_decision(rdn, True)

    pub, rs = d["published"], d["report_sent"]
    rbp = Duty(n)
    rbp.set(local == -1, UNKNOWN)
    on = local == 1
    rbp.set(on & (b["published"] | b["report_sent"]), UNKNOWN)
    on &= ~b["published"] & ~b["report_sent"]
    rbp.set(on & blank("published"), PENDING, done=rs)
    deadline(rbp, on & is_date("published"), pub, add_wd(pub, -7, cal), rs, as_of, cal)
    out["report-before-publication"] = by_decision(rbp, True)

    out["publication"] = by_decision(timed_duty(n, local, dd, pub, b["published"], six,
                                                as_of, cal), True)
    # Before the area's arrangements began: the LSCB's serious case review, within 6 months.
    out["scr-completion"] = by_decision(timed_duty(
        n, local, dd, d["review_completed"], b["review_completed"], six, as_of, cal), False)

    # Publication period: a minimum period (met / early / pending).
    unpub = d["unpublished"]
    pp = Duty(n)
    pp.set(b["published"] | (is_date("published") & b["unpublished"]), UNKNOWN)
    on = is_date("published") & ~b["unpublished"]
    due = add_months(pub, 12)
    has = is_date("unpublished")
    with np.errstate(invalid="ignore"):
        pp.set(on & has & (unpub >= due), MET, pub, due, unpub)
        pp.set(on & has & (unpub < due), EARLY, pub, due, unpub)
        pp.set(on & ~has & (as_of >= due), MET, pub, due)
        pp.set(on & ~has & (as_of < due), PENDING, pub, due)
    out["publication-period"] = pp

    # Breach, and the COVID-19 relaxation (a due date in the relaxed period is not a breach).
    for duty, x in out.items():
        relaxed = np.zeros(n, dtype=bool)
        if covid_until is not None and duty in COVID_DUTIES:
            relaxed = ((x.due >= np.datetime64(COVID_FROM, "D"))
                       & (x.due <= np.datetime64(covid_until, "D")))
            x.note[relaxed] = NOTE_RELAXED
        x.breach = (np.isin(x.status, [LATE, OVERDUE, EARLY]) & ~relaxed
                    & (duty != "panel-response"))

    return assemble(case_ref, la, out), n


def neutralise(values):
    """Text a spreadsheet would run as a formula gets a leading apostrophe (DOMAIN.md), once
    per distinct value."""
    codes, uniq = pd.factorize(pd.Series(values, dtype=object), sort=False)
    u = pd.Series(uniq, dtype=object)
    u = u.where(~u.str[:1].isin(FORMULA_START), "'" + u)
    return u.to_numpy(dtype=object)[codes]


def assemble(case_ref, la, out):
    """Long findings table, sorted by case_ref, then duty in DOMAIN order (then row order)."""
    n = len(case_ref)
    k = len(DUTIES)
    # Rank the case references (Python string order, as sorted() gives) once per case, then
    # sort the findings on one integer key: (case rank, duty, row).
    _, rank = np.unique(case_ref, return_inverse=True)
    rank = rank.reshape(-1).astype(np.int64)
    duty_idx = np.repeat(np.arange(k, dtype=np.int64), n)
    row_idx = np.tile(np.arange(n, dtype=np.int64), k)
    order = np.argsort((np.tile(rank, k) * k + duty_idx) * max(n, 1) + row_idx, kind="stable")
    case_of = row_idx[order]

    def stack(name):
        return np.concatenate([getattr(out[x], name) for x in DUTIES])[order]

    late = stack("late")
    return pd.DataFrame({
        "case_ref": neutralise(case_ref)[case_of],
        "duty": pd.Categorical.from_codes(duty_idx[order], DUTIES),
        "status": pd.Categorical.from_codes(stack("status"), STATUSES),
        "start": stack("start"),
        "due": stack("due"),
        "done": stack("done"),
        "working_days_late": pd.arrays.IntegerArray(np.where(late >= 0, late, 0), late < 0),
        "breach": pd.Categorical.from_codes(stack("breach").astype(np.int8), ["no", "yes"]),
        "local_authority": neutralise(la)[case_of],
        "note": pd.Categorical.from_codes(stack("note"), list(NOTES)),
    })


# ------------------------------------------------------------------------------------------
# Output
# ------------------------------------------------------------------------------------------


def write_findings(findings, path):
    """DOMAIN's findings file: dates YYYY-MM-DD, blank where there is none."""
    findings.to_csv(path, index=False, lineterminator="\n", date_format="%Y-%m-%d")


def write_workbook(findings, path, as_of, cases):
    counts = pd.crosstab(findings["duty"], findings["status"], dropna=False)
    counts = counts.reindex(index=DUTIES, columns=STATUSES, fill_value=0)
    counts["total"] = counts.sum(axis=1)
    breaches = findings.loc[findings["breach"] == "yes", "duty"].value_counts()
    counts["breaches"] = breaches.reindex(DUTIES, fill_value=0).to_numpy()
    counts.index.name = "duty"
    sheet = findings  # dates stay dates (Excel dates, yyyy-mm-dd), days late a number
    with pd.ExcelWriter(path, engine="xlsxwriter", date_format="yyyy-mm-dd",
                        datetime_format="yyyy-mm-dd") as xw:
        counts.to_excel(xw, sheet_name="Summary", startrow=3)
        ws = xw.sheets["Summary"]
        bold = xw.book.add_format({"bold": True, "font_size": 14})
        ws.write(0, 0, f"Compliance as of {as_of}", bold)
        ws.write(1, 0, f"{cases} cases, {len(findings)} findings "
                       "(panel-response is the Panel's duty, not the partnership's)")
        ws.set_column(0, 0, 30)
        ws.set_column(1, len(STATUSES) + 2, 14)
        per_sheet = EXCEL_MAX_ROWS - 1
        parts = max(1, -(-len(sheet) // per_sheet))
        for p in range(parts):
            name = "Findings" if p == 0 else f"Findings ({p + 1})"
            chunk = sheet.iloc[p * per_sheet:(p + 1) * per_sheet]
            chunk.to_excel(xw, sheet_name=name, index=False)
            w = xw.sheets[name]
            w.freeze_panes(1, 0)
            w.autofilter(0, 0, len(chunk), len(COLUMNS) - 1)
            w.set_column(0, 1, 28)
            w.set_column(2, 7, 14)
            w.set_column(8, 8, 20)
            w.set_column(9, 9, 40)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("log", help="incident-log CSV (canonical header labels)")
    ap.add_argument("--as-of", dest="as_of", required=True, help="YYYY-MM-DD")
    ap.add_argument("--out", default="reports", help="output folder (default: reports)")
    ap.add_argument("--council-words", action="store_true",
                    help="read the log as safeguard-audit does (see the docstring)")
    ap.add_argument("--no-xlsx", action="store_true", help="write only the findings CSV")
    ap.add_argument("--arrangements-from", dest="arrangements_from",
                    default=ARRANGEMENTS_DEFAULT.isoformat(),
                    help="the day the area's safeguarding-partner arrangements began "
                         f"(default {ARRANGEMENTS_DEFAULT.isoformat()})")
    ap.add_argument("--covid-until", dest="covid_until",
                    help="switch on the COVID-19 relaxation, ending on this day")
    a = ap.parse_args(argv)
    dt.date.fromisoformat(a.as_of)
    arrangements = dt.date.fromisoformat(a.arrangements_from)
    covid = dt.date.fromisoformat(a.covid_until) if a.covid_until else None
    os.makedirs(a.out, exist_ok=True)
    t0 = time.perf_counter()
    recs = read_log(a.log)
    t1 = time.perf_counter()
    findings, cases = audit(recs, a.as_of, a.council_words, arrangements, covid)
    t2 = time.perf_counter()
    csv_path = os.path.join(a.out, f"findings-{a.as_of}.csv")
    write_findings(findings, csv_path)
    t3 = time.perf_counter()
    xlsx_path = os.path.join(a.out, f"compliance-{a.as_of}.xlsx")
    if not a.no_xlsx:
        write_workbook(findings, xlsx_path, a.as_of, cases)
    t4 = time.perf_counter()
    counts = findings["status"].value_counts().reindex(STATUSES, fill_value=0)
    print(f"rows {len(recs)}, cases audited {cases}, findings {len(findings)}: "
          + ", ".join(f"{s} {counts[s]}" for s in STATUSES))
    print(f"wrote {csv_path}" + ("" if a.no_xlsx else f" and {xlsx_path}"))
    print(f"time: read {t1 - t0:.2f} s, audit {t2 - t1:.2f} s, findings csv {t3 - t2:.2f} s, "
          f"workbook {t4 - t3:.2f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
