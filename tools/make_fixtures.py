#!/usr/bin/env python3
"""Generate the test fixtures under fixtures/ (deterministic, re-runnable).

    python3 tools/make_fixtures.py            # everything
    python3 tools/make_fixtures.py --no-office  # skip the LibreOffice .xls/.ods conversions

Needs: Python 3.11+, openpyxl, msoffcrypto-tool (encrypted.xlsx) and LibreOffice
(`libreoffice --headless`, for northshire-log.xls/.ods).  All data is synthetic: child
IDs are pseudonymous, names are obviously fake ("Child A Test"), NHS numbers are from the
999 test range.

Outputs (see fixtures/README.md):
  fixtures/example/incident-log.xlsx, incident-log.csv,
  fixtures/example/expected-findings-2026-11-23.csv  (computed by tools/reference_audit.py)
  fixtures/ingest/...                                  (ingest / issue-3 fixtures)
"""

import argparse
import codecs
import csv
import datetime as dt
import io
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
FIX = os.path.join(ROOT, "fixtures")
EXAMPLE = os.path.join(FIX, "example")
INGEST = os.path.join(FIX, "ingest")
AS_OF = "2026-11-23"
FIXED_TIME = dt.datetime(2026, 11, 20, 9, 0, 0)

sys.dont_write_bytecode = True  # keep tools/ free of __pycache__
sys.path.insert(0, HERE)
import reference_audit as ref  # noqa: E402

FIELDS = ref.FIELDS  # (field, canonical label) in DOMAIN order
DATE_FIELDS = ref.DATE_FIELDS

# Short keys used in the case table below -> canonical field.
KEYS = {
    "ref": "case_ref", "la": "local_authority", "cid": "child_id", "inc": "incident_date",
    "aware": "aware_date", "out": "outcome", "abuse": "abuse_neglect", "status": "child_status",
    "loc": "incident_location", "pn": "panel_notified", "partn": "partners_notified",
    "ofs": "ofsted_notified", "sos": "sos_notified", "rr": "rapid_review_sent",
    "resp": "panel_response", "dec": "decision", "dd": "decision_date",
    "dn": "decision_notified", "rev": "reviewer", "rs": "report_sent", "pub": "published",
    "unpub": "unpublished", "rc": "review_completed",
}

NS, SV = "Northshire", "Southvale"
ISO_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

# --------------------------------------------------------------------------------------
# The example log (audit date 2026-11-23).  Dates are ISO strings here; any other string
# in a date field is written verbatim (an unreadable value).  `fmt` forces how a date cell
# is written to the xlsx: "date", "uk" (03/04/2024 text), "ukshort" (3/4/2024 text),
# "iso" (2024-04-03 text), "serial" (Excel serial number as a plain number), "datetime"
# (real date with a time part).  Cells without an override follow a fixed cycle.
# --------------------------------------------------------------------------------------

CASES = [
    # ---- The law by date: 2015 to 2018, the transition, care leavers ----------------
    dict(ref="NS-2015-001", la=NS, cid="C-090101", inc="2015-03-09", aware="2015-03-10",
         out="died", abuse="known", status="child protection plan", loc="in area",
         ofs="2015-03-16", partn="2015-03-12", dec="serious case review", dd="2015-04-20",
         rev="Reviewer Nine (independent)", rc="2015-11-02", pub="2016-02-01",
         unpub="2017-03-01",
         notes="WT 2015: Ofsted told in time; SCR completed late (due 20/10/2015)"),
    dict(ref="NS-2016-001", la=NS, cid="C-090202", inc="2016-05-01", aware="2016-05-03",
         out="died", abuse="not suspected", status="looked after", loc="in area",
         ofs="2016-05-12",
         notes="Looked-after child's death before the Panel: Ofsted only (late); no DfE duty"),
    dict(ref="NS-2017-001", la=NS, cid="C-090303", inc="2017-03-01", aware="2017-03-01",
         out="seriously harmed", abuse="suspected", status="child in need", loc="in area",
         pn="2017-03-03", partn="2017-03-06", rr="2017-04-20",
         notes="Panel date filled in by mistake (no Panel in 2017); Ofsted never told"),
    dict(ref="NS-2017-002", la=NS, cid="C-090404", inc="2017-09-11", aware="2017-09-12",
         out="seriously harmed", abuse="known", status="child protection plan", loc="in area",
         ofs="2017-09-18", partn="2017-09-15", dec="serious case review", dd="2017-10-30",
         notes="SCR never completed: overdue"),
    dict(ref="NS-2018-001", la=NS, cid="C-090505", inc="2018-06-27", aware="2018-06-28",
         out="died", abuse="suspected", status="early help", loc="in area",
         ofs="2018-07-06", partn="2018-07-04",
         notes="Aware Thu 28/06/2018, the day before the Panel began: Ofsted (due 05/07, late)"),
    dict(ref="NS-2018-002", la=NS, cid="C-090606", inc="2018-06-28", aware="2018-06-29",
         out="seriously harmed", abuse="known", status="child in need", loc="in area",
         pn="2018-07-06", partn="2018-07-05", rr="2018-07-27", resp="2018-08-20",
         dec="local review", dd="2018-08-01", rev="Reviewer Ten", rc="2019-01-31",
         notes="Aware on the Panel's first day; review decided before the arrangements: an SCR"),
    dict(ref="NS-2019-010", la=NS, cid="C-090707", inc="2019-08-01", aware="2019-08-02",
         out="died", abuse="known", status="child in need", loc="in area",
         pn="2019-08-07", partn="2019-08-07", rr="2019-08-23", resp="2019-09-13",
         dec="serious case review", dd="2019-09-29", dn="2019-10-02", rev="Reviewer Eleven",
         rs="2020-03-16", pub="2020-03-27",
         notes="Decision on arrangements_from (29/09/2019): an LCSPR whatever it is called"),
    dict(ref="NS-2019-011", la=NS, cid="C-090808", inc="2019-09-02", aware="2019-09-03",
         out="seriously harmed", abuse="suspected", status="child in need", loc="in area",
         pn="2019-09-06", partn="2019-09-06", rr="2019-09-20", resp="2019-10-11",
         dec="local review", dd="2019-09-27", rev="Reviewer Twelve", rc="2020-04-14",
         notes="Decided Fri 27/09/2019, before the arrangements: an SCR (completed late)"),
    dict(ref="NS-2021-009", la=NS, cid="C-090909", inc="2021-05-04", aware="",
         out="seriously harmed", abuse="known", status="child in need", loc="in area",
         pn="2021-05-10", partn="2021-05-07", rr="2021-05-28",
         notes="Awareness date blank; the 2021 incident settles today's law"),
    dict(ref="NS-2023-010", la=NS, cid="C-091010", inc="2023-12-13", aware="2023-12-14",
         out="died", abuse="not suspected", status="care leaver", loc="in area",
         notes="Care leaver's death the day before WT 2023: no duty"),
    dict(ref="NS-2023-011", la=NS, cid="C-091111", inc="2023-12-14", aware="2023-12-15",
         out="died", abuse="not suspected", status="care leaver", loc="in area",
         sos="2023-12-20", ofs="2024-01-04",
         notes="Care leaver's death on WT 2023's first day: DfE in time, Ofsted late"),
    dict(ref="SV-2025-010", la=SV, cid="C-091212", inc="2025-10-01", aware="2025-10-02",
         out="died", abuse="suspected", status="care leaver", loc="in area",
         pn="2025-10-08", partn="2025-10-08",
         notes="Care leaver's death, abuse suspected: Panel duty too; DfE and Ofsted not told"),
    dict(ref="NS-2016-002", la=NS, cid="C-091313", inc="2016-11-07", aware="2016-11-08",
         out="", abuse="known", status="child in need", loc="in area",
         dec="serious case review", dd="2016-12-12", rc="tbc",
         notes="2016: outcome blank (Ofsted duty unknown); SCR completion date unreadable"),
    dict(ref="NS-2024-010", la=NS, cid="C-091414", inc="2024-02-02", aware="2024-02-05",
         out="died", abuse="not suspected", status="care leaver", loc="in area",
         sos="2024-02-20", ofs="2024-02-09",
         notes="Care leaver's death: DfE told late, Ofsted in time"),
    dict(ref="NS-2024-011", la=NS, cid="C-091515", inc="2024-03-01", aware="tbc",
         out="died", abuse="not suspected", status="care leaver", loc="in area",
         notes="Awareness date unreadable; the incident date settles WT 2023: unknown"),
    dict(ref="SV-2026-010", la=SV, cid="C-091616", inc="2026-11-18", aware="2026-11-19",
         out="died", abuse="not suspected", status="care leaver", loc="in area",
         ofs="2026-11-20",
         notes="Care leaver's death last week: Ofsted told; DfE due 26/11/2026"),
    dict(ref="SV-2026-011", la=SV, cid="C-091717", inc="2026-11-17", aware="2026-11-18",
         out="died", abuse="not suspected", status="care leaver", loc="in area",
         sos="2026-11-19",
         notes="Care leaver's death last week: DfE told; Ofsted due 25/11/2026"),
    # ---- Northshire ---------------------------------------------------------------
    dict(ref="NS-2019-001", la=NS, cid="C-104233", inc="2019-02-04", aware="2019-02-05",
         out="died", abuse="known", status="child protection plan", loc="in area",
         pn="2019-02-08", partn="2019-02-07", rr="2019-02-27", resp="2019-03-15",
         dec="local review", dd="2019-03-20", dn="2019-03-22", rev="Reviewer One (independent)",
         rs="2019-08-30", pub="2019-09-12", unpub="2020-10-01",
         notes="Fully compliant LCSPR; report archived after 12 months"),
    dict(ref="NS-2019-002", la=NS, cid="C-104871", inc="2019-04-16", aware="2019-04-17",
         out="seriously harmed", abuse="known", status="child in need", loc="in area",
         pn="2019-04-26", partn="2019-04-24", rr="2019-05-17", resp="2019-06-10",
         dec="no review", dd="2019-05-30",
         notes="Easter 2019 inside the 5-day clock; Panel answered on its due date"),
    dict(ref="NS-2019-003", la=NS, cid="C-105002", inc="2019-06-08", aware="2019-06-10",
         out="seriously harmed", abuse="suspected", status="looked after", loc="in area",
         pn="2019-06-20", partn="2019-06-14", rr="2019-07-16", resp="2019-08-20",
         dec="no review", dd="2019-07-18",
         notes="Looked-after child seriously harmed (not a death: no DfE/Ofsted duty)"),
    dict(ref="NS-2019-004", la=NS, cid="C-105119", inc="2019-10-02", aware="2019-10-03",
         out="seriously harmed", abuse="not suspected", status="child in need", loc="in area",
         notes="Accidental injury; no abuse or neglect concerns"),
    dict(ref="NS-2020-001", la=NS, cid="C-105560", inc="2020-01-12", aware="2020-01-14",
         out="died", abuse="not suspected", status="looked after", loc="in area",
         sos="2020-01-17", ofs="2020-01-23",
         notes="Expected death of a looked-after child (life-limiting condition)"),
    dict(ref="NS-2020-002", la=NS, cid="C-105781", inc="2020-03-20", aware="2020-03-23",
         out="seriously harmed", abuse="suspected", status="early help", loc="in area",
         pn="2020-03-27", partn="2020-03-31", rr="2020-04-21", resp="2020-05-12",
         dec="no review", dd="2020-04-30"),
    dict(ref="NS-2020-003", la=NS, cid="C-105902", inc="2020-04-29", aware="2020-04-30",
         out="seriously harmed", abuse="known", status="child in need", loc="",
         pn="2020-05-07", partn="2020-05-11", rr="2020-06-01", resp="2020-06-19",
         dec="national review", dd="2020-06-22",
         notes="Clock spans the moved VE Day bank holiday (Fri 8 May 2020, not Mon 4 May)"),
    dict(ref="NS-2021-001", la=NS, cid="C-106344", inc="2021-12-21", aware="2021-12-22",
         out=" Died ", abuse="suspected", status="Looked After", loc="in area",
         pn="2022-01-04", partn="2021-12-31", sos="2021-12-24", ofs="2022-01-05",
         rr="2022-01-25", resp="2022-02-10", dec="other learning", dd="2022-02-01",
         notes="Clock spans Christmas 2021 substitute days and 3 Jan 2022"),
    dict(ref="NS-2021-002", la=NS, cid="C-106410", inc="2021-07-01", aware="2021-07-02",
         out="other", abuse="known", status="child in need", loc="in area",
         notes="Neglect concerns but harm not serious"),
    dict(ref="NS-2022-001", la=NS, cid="C-106902", inc="2022-05-30", aware="2022-05-31",
         out="seriously harmed", abuse="known", status="YOT", loc="in area",
         pn="2022-06-09", partn="2022-06-10",
         notes="Platinum Jubilee 2-3 Jun 2022 inside the clock; RR paperwork not on file"),
    dict(ref="NS-2022-002", la=NS, cid="C-107015", inc="2022-09-13", aware="2022-09-14",
         out="died", abuse="known", status="not known to CSC", loc="in area",
         pn="2022-09-22", partn="2022-09-21", rr="2022-10-13", resp="2022-11-04",
         dec="local review", dd="2022-10-20", dn="2022-10-25", rev="Reviewer Alpha",
         rs="2023-04-26", pub="2023-05-04",
         notes="State funeral 19 Sep 2022 inside the clock"),
    dict(ref="NS-2022-003", la=NS, cid="C-107220", inc="2022-11-26", aware="2022-11-28",
         out="died", abuse="known", status="looked after", loc="in area",
         pn="2022-12-01", partn="2022-12-01", sos="2022-12-07", ofs="2022-12-05",
         rr="2022-12-22", resp="2023-01-19", dec="no review", dd="2023-01-10"),
    dict(ref="NS-2023-001", la=NS, cid="C-107633", inc="2023-05-02", aware="2023-05-03",
         out="seriously harmed", abuse="SUSPECTED", status="child protection plan",
         loc="in area", pn="2023-05-11", partn="2023-05-12", rr="2023-06-01",
         dec="local review", dd="2023-06-15",
         notes="Coronation bank holiday 8 May 2023 inside the clock"),
    dict(ref="NS-2023-002", la=NS, cid="C-107781", inc="2023-07-08", aware="2023-07-10",
         out="died", abuse="known", status="child in need", loc="in area",
         pn="2023-07-12", partn="2023-07-12", rr="2023-08-01", resp="2023-08-21",
         dec="local review", dd="2023-08-31", dn="2023-09-05", rev="Reviewer Beta",
         rs="2024-02-21", pub="2024-03-01", unpub="2025-02-28",
         notes="Decision 31 Aug: publication due 29 Feb 2024 (leap year)"),
    dict(ref="NS-2023-003", la=NS, cid="C-107950", inc="2023-10-13", aware="2023-10-16",
         out="Seriously Harmed", abuse="known", status="child in need", loc="in area",
         pn="2023-10-20", partn="2023-10-20", rr="2023-11-10", resp="2023-12-04",
         dec="no review", dd="2023-11-20"),
    dict(ref="NS-2024-001", la=NS, cid="C-108114", inc="2024-03-08", aware="2024-03-09",
         out="died", abuse="suspected", status="child protection plan", loc="in area",
         pn="2024-03-15", partn="2024-03-18", rr="2024-04-12", resp="2024-04-30",
         dec="local review", dd="2024-05-01", dn="2024-05-03", rev="Reviewer Gamma",
         rs="2024-10-10", pub="2024-10-25",
         notes="LA became aware on a Saturday"),
    dict(ref="NS-2024-002", la=NS, cid="C-108275", inc="2024-05-16", aware="2024-05-17",
         out="seriously harmed", abuse="known", status="early help", loc="in area",
         pn="2024-05-28", partn="2024-05-24", rr="2024-06-18", resp="2024-07-09",
         dec="no review", dd="2024-06-25",
         notes="Due Friday 24 May; spring bank holiday Monday 27 May"),
    dict(ref="NS-2024-003", la=NS, cid="C-108402", inc="2024-12-19", aware="2024-12-20",
         out="seriously harmed", abuse="known", status="child in need", loc="in area",
         pn="2025-01-02", partn="2024-12-24", rr="2025-01-23", resp="2025-02-10",
         dec="national review", dd="2025-01-30"),
    dict(ref="NS-2025-001", la=NS, cid="C-108833", inc="2025-04-15", aware="2025-04-16",
         out="died", abuse="known", status="child protection plan", loc="in area",
         pn="2025-04-25", partn="2025-04-28", rr="2025-05-19", resp="2025-06-06",
         dec="local review", dd="2025-05-28", dn="2025-06-03", rev="Reviewer Iota",
         rs="2025-11-12", pub="2025-11-26",
         notes="Easter 2025 inside the clock; first anniversary of publication is 26/11/2026"),
    dict(ref="NS-2025-002", la=NS, cid="C-109004", inc="2025-06-02", aware="2025-06-03",
         out="died", abuse="known", status="child protection plan", loc="in area",
         pn="2025-06-06", partn="2025-06-09", rr="2025-06-27", resp="2025-07-18",
         dec="local review", dd="2025-07-01", dn="2025-07-04", rev="Reviewer Kappa",
         rs="2026-02-20", pub="2026-03-02"),
    dict(ref="NS-2025-003", la=NS, cid="C-109117", inc="2025-09-05", aware="2025-09-08",
         out="seriously harmed", abuse="suspected", status="early help", loc="in area",
         pn="2025-09-12", partn="2025-09-12", rr="2025-10-03", resp="2025-10-24",
         dec="no review", dd="2025-10-01"),
    dict(ref="NS-2026-001", la=NS, cid="C-109350", inc="2026-03-31", aware="2026-04-01",
         out="seriously harmed", abuse="known", status="child in need", loc="in area",
         pn="2026-04-09", partn="2026-04-10", rr="2026-05-01", resp="2026-05-21",
         dec="no review", dd="2026-05-12", notes="Easter 2026 inside the clock"),
    dict(ref="NS-2026-002", la=NS, cid="C-109466", inc="2026-05-18", aware="2026-05-19",
         out="seriously harmed", abuse="suspected", status="child in need", loc="in area",
         pn="2026-05-22", partn="2026-05-26", rr="2026-06-12", resp="2026-07-01",
         dec="local review", dd="2026-07-01", dn="2026-07-03", rev="Reviewer Theta",
         rs="2026-11-20", pub="2026-12-14",
         notes="Publication scheduled for 14/12/2026 (a future date)"),
    dict(ref="NS-2026-003", la=NS, cid="C-109588", inc="2026-11-15", aware="2026-11-16",
         out=" died", abuse="known", status="looked after", loc="in area",
         notes="Notifications due today (23/11/2026)"),
    dict(ref="NS-2026-004", la=NS, cid="C-109612", inc="2026-11-12", aware="2026-11-13",
         out="seriously harmed", abuse="suspected", status="child in need", loc="in area",
         partn="2026-11-20", notes="Panel notification one working day overdue"),
    dict(ref="NS-2026-005", la=NS, cid="C-109745", inc="2026-11-18", aware="2026-11-19",
         out="died", abuse="Suspected", status="looked after", loc="in area",
         pn="2026-11-20", sos="2026-11-23"),
    dict(ref="NS-2026-006", la=NS, cid="C-109801", inc="2026-11-19", aware="27/11/2026",
         out="seriously harmed", abuse="suspected", status="child in need", loc="in area",
         notes="Awareness date is in the future: not yet known as of 23/11/2026"),
    # ---- Southvale ----------------------------------------------------------------
    dict(ref="SV-2019-001", la=SV, cid="C-204118", inc="2019-08-20", aware="2019-08-23",
         out="died", abuse="known", status="child in need", loc="outside England",
         pn="2019-09-02", partn="2019-09-03", rr="2019-09-20", resp="2019-10-14",
         dec="national review", dd="2019-10-01",
         notes="Died while on holiday in Wales (normally resident in Southvale)"),
    dict(ref="SV-2019-002", la=SV, cid="C-204260", inc="2019-11-04", aware="2019-11-05",
         out="seriously harmed", abuse="known", status="child protection plan",
         loc="elsewhere in England", partn="2019-11-06",
         notes="Incident in Eastmoor; Eastmoor LA notified the Panel"),
    dict(ref="SV-2019-003", la=SV, cid="C-204377", inc="2019-12-18", aware="2019-12-20",
         out="died", abuse="suspected", status="not known to CSC", loc="in area",
         pn="2020-01-02", partn="2019-12-23", rr="2020-01-23", resp="2020-02-11",
         dec="local review", dd="2020-02-06", dn="2020-02-10", rev="Reviewer Lambda",
         rs="2020-07-27", pub="2020-08-06", unpub="2022-01-31"),
    dict(ref="SV-2020-001", la=SV, cid="C-204509", inc="2020-08-26", aware="2020-08-27",
         out="seriously harmed", abuse="suspected", status="child in need",
         loc="Outside England",
         notes="Injured in Scotland; no notification on file"),
    dict(ref="SV-2020-002", la=SV, cid="C-204633", inc="2020-10-01", aware="2020-10-02",
         out="seriously harmed", abuse="suspected", status="child in need",
         loc="Elsewhere in England", pn="2020-10-05", rr="2020-10-20", resp="2020-11-20",
         dec="no review", dd="2020-11-02",
         notes="Panel notified although the incident was in another English LA"),
    dict(ref="SV-2020-003", la=SV, cid="C-204790", inc="2020-12-16", aware="2020-12-17",
         out="other", abuse="suspected", status="early help", loc="in area",
         pn="2020-12-18", rr="2021-01-14", resp="2021-02-01",
         dec="other learning", dd="2021-01-20",
         notes="Near miss, notified to the Panel for learning (not required)"),
    dict(ref="SV-2021-001", la=SV, cid="C-204851", inc="2021-03-01", aware="2021-03-02",
         out="see notes", abuse="suspected", status="child in need", loc="in area",
         notes="Outcome to be confirmed by health"),
    dict(ref="SV-2021-002", la=SV, cid="C-204972", inc="2021-05-27", aware="2021-05-28",
         out="seriously harmed", abuse="known", status="YOT", loc="in area",
         pn="2021-06-04", partn="2021-06-07", rr="2021-06-25", resp="2021-07-16",
         dec="other learning", dd="2021-07-01"),
    dict(ref="SV-2021-003", la=SV, cid="C-205013", inc="2021-06-05", aware="2021-06-07",
         out="died", abuse="", status="looked after", loc="in area",
         pn="2021-06-10", partn="2021-06-11", sos="2021-06-09", ofs="2021-06-14",
         notes="Cause of death awaited"),
    dict(ref="SV-2021-004", la=SV, cid="C-205144", inc="2021-09-10", aware="2021-09-13",
         out="died", abuse="known", status="", loc="in area",
         pn="2021-09-17", partn="2021-09-17", rr="2021-10-12", resp="2021-10-29",
         dec="no review", dd="2021-10-20"),
    dict(ref="SV-2022-001", la=SV, cid="C-205298", inc="2022-02-10", aware="2022-02-11",
         out="seriously harmed", abuse="known", status="tbc", loc="in area",
         pn="2022-02-16", partn="2022-02-18", rr="2022-03-09", resp="2022-03-25",
         dec="no review", dd="2022-03-15"),
    dict(ref="SV-2022-002", la=SV, cid="C-205340", inc="2022-03-05", aware="",
         out="seriously harmed", abuse="suspected", status="child in need", loc="in area",
         pn="2022-03-10", partn="2022-03-10", rr="2022-03-31", resp="2022-04-25",
         dec="no review", dd="2022-04-05", notes="Awareness date not recorded"),
    dict(ref="SV-2022-003", la=SV, cid="C-205467", inc="2022-03-12", aware="w/c 14/03/2022",
         out="died", abuse="suspected", status="looked after", loc="in area",
         pn="2022-03-18", partn="2022-03-18", sos="2022-03-18", ofs="2022-03-21",
         rr="2022-04-08", resp="2022-04-29", dec="local review", dd="2022-05-04",
         dn="2022-05-06", rev="Reviewer Delta", rs="2022-10-20", pub="2022-11-03",
         unpub="2023-11-03", notes="Report removed on the first anniversary"),
    dict(ref="SV-2023-001", la=SV, cid="C-205589", inc="2023-02-01", aware="2023-02-01",
         out="seriously harmed", abuse="known", status="child protection plan", loc="in area",
         pn="yes", partn="2023-02-03", rr="2023-02-20", resp="2023-03-10",
         dec="no review", dd="2023-03-01"),
    dict(ref="SV-2023-002", la=SV, cid="C-205612", inc="2023-04-03", aware="2023-04-04",
         out="died", abuse="known", status="not known to CSC", loc="in area",
         pn="2023-04-06", partn="2023-04-06", rr="2023-04-27", resp="2023-05-16",
         dec="see notes", dd="2023-05-10",
         notes="Decision minuted as 'LCSPR or thematic?'"),
    dict(ref="SV-2023-003", la=SV, cid="C-205734", inc="2023-06-20", aware="2023-06-21",
         out="seriously harmed", abuse="known", status="child protection plan", loc="in area",
         pn="2023-06-23", partn="2023-06-23", rr="2023-07-14", resp="2023-07-28",
         dec="Local Review", dd="", rev="Reviewer Epsilon"),
    dict(ref="SV-2023-004", la=SV, cid="C-205856", inc="2023-11-06", aware="2023-11-07",
         out="died", abuse="known", status="child in need", loc="in area",
         pn="2023-11-13", partn="2023-11-13", rr="2023-12-01", resp="2023-12-20",
         dec="local review", dd="2023-12-11", dn="2023-12-13", rev="Reviewer Zeta",
         rs="2024-05-28", pub="2024-06-05", unpub="taken down - date not recorded"),
    dict(ref="SV-2024-001", la=SV, cid="C-205977", inc="2024-01-08", aware="2024-01-09",
         out="died", abuse="suspected", status="early help", loc="in area",
         pn="2024-01-15", partn="2024-01-16", rr="2024-02-05", resp="2024-02-23",
         dec="local review", dd="2024-02-20", dn="2024-02-21", rev="Reviewer Eta",
         pub="2024-08-20", notes="Final report never sent to Panel/SoS"),
    dict(ref="SV-2024-002", la=SV, cid="C-206038", inc="2024-07-01", aware="2024-07-02",
         out="died", abuse="known", status="looked after", loc="in area",
         pn="2024-07-08", partn="2024-07-08", sos="2024-07-05", ofs="2024-07-09",
         rr="2024-07-26", resp="2024-08-15", dec="local review", dd="2024-07-30",
         dn="2024-08-02", rev="Reviewer Mu", rs="2025-01-03", pub="2025-01-15",
         unpub="2025-06-30", notes="Report taken down early"),
    dict(ref="SV-2024-003", la=SV, cid="C-206159", inc="2024-08-21", aware="2024-08-22",
         out="died", abuse="known", status="child protection plan", loc="in area",
         pn="2024-08-30", partn="2024-08-29", rr="2024-09-20", resp="2024-10-14",
         dec="national review", dd="2024-10-01"),
    dict(ref="SV-2025-001", la=SV, cid="C-206270", inc="2025-01-20", aware="2025-01-21",
         out="seriously harmed", abuse="known", status="child protection plan", loc="in area",
         pn="2025-01-24", partn="2025-01-28", rr="2025-02-14", resp="2025-03-10",
         dec="local review", dd="2025-03-10"),
    dict(ref="SV-2025-002", la=SV, cid="C-206391", inc="2025-10-10", aware="2025-10-13",
         out="died", abuse="known", status="child in need", loc="in area",
         pn="2025-10-17", partn="2025-10-20", rr="2025-11-07", resp="2025-11-28",
         dec="local review", dd="2025-11-20", dn="2025-11-21", rev="Reviewer Nu",
         rs="2026-05-08", pub="2026-05-19"),
    dict(ref="SV-2025-003", la=SV, cid="C-206412", inc="2025-12-18", aware="2025-12-19",
         out="seriously harmed", abuse="known", status="child protection plan", loc="in area",
         pn="2026-01-02", partn="2025-12-30", rr="2026-01-22", resp="2026-02-16",
         dec="no review", dd="2026-01-29", notes="Clock spans Christmas 2025"),
    dict(ref="SV-2026-001", la=SV, cid="C-206533", inc="2026-01-30", aware="2026-02-02",
         out="died", abuse="suspected", status="not known to CSC", loc="in area",
         pn="2026-02-06", partn="2026-02-09", rr="2026-02-27", resp="2026-03-20",
         dec="local review", dd="2026-03-05", dn="2026-03-10", rev="Reviewer Xi"),
    dict(ref="SV-2026-002", la=SV, cid="C-206654", inc="2026-06-01", aware="2026-06-02",
         out="died", abuse="known", status="child protection plan", loc="in area",
         pn="2026-06-05", partn="2026-06-05", rr="Sent (date tbc)"),
    dict(ref="SV-2026-003", la=SV, cid="C-206775", inc="2026-08-20", aware="2026-08-21",
         out="seriously harmed", abuse="known", status="early help", loc="in area",
         pn="2026-08-27", partn="2026-09-01", rr="2026-09-15",
         notes="Due Friday 28 Aug; summer bank holiday Monday 31 Aug 2026"),
    dict(ref="SV-2026-004", la=SV, cid="C-206896", inc="2026-09-28", aware="2026-10-01",
         out="died", abuse="not suspected", status="looked after", loc="in area",
         notes="Looked-after child death; DfE and Ofsted not yet told"),
    dict(ref="SV-2026-005", la=SV, cid="C-206917", inc="2026-09-29", aware="2026-09-30",
         out="died", abuse="known", status="child in need", loc="in area",
         pn="2026-10-01", partn="2026-10-02"),
    dict(ref="SV-2026-006", la=SV, cid="C-207038", inc="2026-10-06", aware="2026-10-07",
         out="seriously harmed", abuse="known", status="child protection plan", loc="in area",
         pn="2026-10-12", partn="2026-10-14", rr="2026-11-02", resp="30/11/2026",
         notes="Panel response date typed in the future"),
    dict(ref="SV-2026-007", la=SV, cid="C-207159", inc="2026-12-02", aware="",
         out="seriously harmed", abuse="suspected", status="early help", loc="in area",
         notes="Incident date in the future (typo?); not yet known as of 23/11/2026"),
]

# Per-case xlsx representation overrides (field -> kind) on top of the cycle.
FMT_OVERRIDES = {
    "NS-2024-001": {"aware_date": "datetime"},    # Saturday awareness, with a time
    "NS-2024-002": {"panel_notified": "serial"},
    "NS-2022-001": {"panel_notified": "ukshort", "partners_notified": "iso"},
    "NS-2023-002": {"decision_date": "serial", "published": "uk"},
    "SV-2026-006": {"panel_response": "uk"},      # the future date is UK text already
}

# --------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def fake_name(i):
    tag = LETTERS[i % 26] + ("" if i < 26 else LETTERS[i // 26 - 1])
    return f"Child {tag} Test"


def fake_nhs(i):
    """A 10-digit NHS-style number in the 999 test range with a valid mod-11 check digit."""
    n = 0
    while True:
        body = f"999{(i * 7919 + n) % 1000000:06d}"
        total = sum(int(d) * w for d, w in zip(body, range(10, 1, -1)))
        check = 11 - total % 11
        if check == 11:
            check = 0
        if check != 10:
            return f"{body[:3]} {body[3:6]} {body[6:]}{check}"
        n += 1


def case_values(case):
    """Canonical field -> raw value (ISO string, other string or '')."""
    return {KEYS[k]: v for k, v in case.items() if k in KEYS}


def assign_formats(cases, overrides):
    """Deterministic cycle of date representations across the log's date cells."""
    fmts = {}
    k = 0
    for case in cases:
        vals = case_values(case)
        for f, _ in FIELDS:
            v = vals.get(f, "")
            if f not in DATE_FIELDS or not ISO_RE.match(v or ""):
                continue
            k += 1
            if k % 10 == 3:
                kind = "uk"
            elif k % 10 == 7:
                kind = "iso"
            elif k % 17 == 5:
                kind = "serial"
            elif k % 13 == 9:
                kind = "datetime"
            elif k % 23 == 11:
                kind = "ukshort"
            else:
                kind = "date"
            fmts[(case["ref"], f)] = kind
        for f, kind in overrides.get(case["ref"], {}).items():
            fmts[(case["ref"], f)] = kind
    return fmts


def time_for(ref_, field):
    h = 8 + (sum(map(ord, ref_ + field)) % 9)
    m = (sum(map(ord, field)) * 7) % 60
    return dt.time(h, m)


def xlsx_cell(value, kind, ref_, field):
    """(cell value, number_format or None)."""
    d = dt.date.fromisoformat(value)
    if kind == "date":
        return d, "dd/mm/yyyy"
    if kind == "datetime":
        return dt.datetime.combine(d, time_for(ref_, field)), "dd/mm/yyyy hh:mm"
    if kind == "serial":
        return (d - dt.date(1899, 12, 30)).days, "General"
    if kind == "uk":
        return d.strftime("%d/%m/%Y"), "@"
    if kind == "ukshort":
        return f"{d.day}/{d.month}/{d.year}", "@"
    if kind == "iso":
        return d.isoformat(), "@"
    raise ValueError(kind)


def csv_text(value, kind, ref_, field):
    d = dt.date.fromisoformat(value)
    if kind == "iso":
        return d.isoformat()
    if kind == "ukshort":
        return f"{d.day}/{d.month}/{d.year}"
    if kind == "datetime":
        return d.strftime("%d/%m/%Y ") + time_for(ref_, field).strftime("%H:%M")
    return d.strftime("%d/%m/%Y")


def columns_with_extras():
    """Header labels: canonical labels in DOMAIN order plus extra columns to ignore."""
    cols = []
    for f, label in FIELDS:
        cols.append((f, label))
        if f == "child_id":
            cols.append(("_name", "Child name"))
            cols.append(("_nhs", "NHS number"))
    cols.append(("_notes", "Notes"))
    return cols


def row_values(case, i, fmts, for_csv):
    vals = case_values(case)
    out = []
    for f, _ in columns_with_extras():
        if f == "_name":
            out.append((fake_name(i), None))
        elif f == "_nhs":
            out.append((fake_nhs(i), "@"))
        elif f == "_notes":
            out.append((case.get("notes", ""), None))
        else:
            v = vals.get(f, "")
            if f in DATE_FIELDS and ISO_RE.match(v or ""):
                kind = fmts[(case["ref"], f)]
                if for_csv:
                    out.append((csv_text(v, kind, case["ref"], f), None))
                else:
                    out.append(xlsx_cell(v, kind, case["ref"], f))
            else:
                out.append((v if v != "" else None, "@" if f in DATE_FIELDS else None))
    return out


def normalise_zip(path):
    """Rewrite a zip (xlsx) with fixed timestamps so reruns are byte-identical."""
    with zipfile.ZipFile(path) as zin:
        items = [(i.filename, zin.read(i.filename)) for i in zin.infolist()]
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    items = [(n, re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + stamp, d)
              if n == "docProps/core.xml" else d) for n, d in items]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for name, data in items:
            zi = zipfile.ZipInfo(name, date_time=(2026, 11, 20, 9, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            zout.writestr(zi, data)


def new_workbook():
    import openpyxl
    wb = openpyxl.Workbook()
    wb.properties.creator = "safeguard-audit fixtures"
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    wb.properties.lastModifiedBy = "safeguard-audit fixtures"
    return wb


def save_workbook(wb, path):
    wb.save(path)
    normalise_zip(path)


def write_log_sheet(ws, header, rows, title_rows=()):
    """title_rows: list of strings (a '' gives a blank row)."""
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    r = 1
    for t in title_rows:
        if t:
            ws.cell(row=r, column=1, value=t).font = Font(bold=True, size=14 if r == 1 else 11)
        r += 1
    for j, label in enumerate(header, start=1):
        c = ws.cell(row=r, column=j, value=label)
        c.font = Font(bold=True)
        ws.column_dimensions[get_column_letter(j)].width = max(12, min(34, len(label) + 2))
    ws.freeze_panes = ws.cell(row=r + 1, column=1)
    for row in rows:
        r += 1
        for j, (v, numfmt) in enumerate(row, start=1):
            if v is None:
                continue
            c = ws.cell(row=r, column=j, value=v)
            if numfmt:
                c.number_format = numfmt


def write_csv(path, header, rows, delimiter=",", bom=False, encoding="utf-8",
              newline="\n"):
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, lineterminator=newline)
    w.writerow(header)
    for row in rows:
        w.writerow(["" if v is None else v for v in row])
    data = buf.getvalue().encode(encoding)
    if bom:
        data = codecs.BOM_UTF8 + data
    with open(path, "wb") as fh:
        fh.write(data)


def run_reference(path, as_of=AS_OF, extra=()):
    out = subprocess.run([sys.executable, os.path.join(HERE, "reference_audit.py"), path,
                          "--as-of", as_of, *extra], check=True, capture_output=True,
                         text=True)
    return out.stdout


# --------------------------------------------------------------------------------------
# (a) + (b) the example
# --------------------------------------------------------------------------------------

TITLE = "Northshire Safeguarding Children Partnership \u2014 Serious incident notifications log"


def make_example():
    os.makedirs(EXAMPLE, exist_ok=True)
    fmts = assign_formats(CASES, FMT_OVERRIDES)
    header = [label for _, label in columns_with_extras()]
    wb = new_workbook()
    ws = wb.active
    ws.title = "Log"
    rows = [row_values(c, i, fmts, for_csv=False) for i, c in enumerate(CASES)]
    write_log_sheet(ws, header, rows,
                    title_rows=[TITLE, "Last updated: 20/11/2026 (SLT weekly review)", ""])
    xlsx = os.path.join(EXAMPLE, "incident-log.xlsx")
    save_workbook(wb, xlsx)

    csv_rows = [[v for v, _ in row_values(c, i, fmts, for_csv=True)]
                for i, c in enumerate(CASES)]
    csv_path = os.path.join(EXAMPLE, "incident-log.csv")
    write_csv(csv_path, header, csv_rows)

    a = run_reference(csv_path)
    b = run_reference(xlsx)
    if a != b:
        raise SystemExit("reference audit differs between incident-log.csv and .xlsx")
    with open(os.path.join(EXAMPLE, f"expected-findings-{AS_OF}.csv"), "w",
              newline="") as fh:
        fh.write(a)
    return xlsx, csv_path


# --------------------------------------------------------------------------------------
# (d) ingest fixtures
# --------------------------------------------------------------------------------------

# council-layout: a different council ("Westdale") with its own headers and codes.
COUNCIL_COLUMNS = [
    ("case_ref", "Ref No."),
    ("local_authority", "Area"),
    ("child_id", "Child ref"),
    ("_name", "Child's name"),
    ("incident_date", "DOI / DOD"),
    ("aware_date", "Date HoS informed"),
    ("outcome", "Outcome for child"),
    ("abuse_neglect", "Abuse/neglect?"),
    ("child_status", "LAC/CP/CIN"),
    ("incident_location", "Where"),
    ("_slt", "Discussed at SLT"),
    ("panel_notified", "Notified to NP"),
    ("partners_notified", "Partnership informed"),
    ("ofsted_notified", "Ofsted (date)"),
    ("sos_notified", "DfE/SoS (date)"),
    ("rapid_review_sent", "RR sent to NP"),
    ("panel_response", "NP response"),
    ("decision", "Outcome of RR"),
    ("decision_date", "Date of decision"),
    ("decision_notified", "LCSPR notification sent"),
    ("reviewer", "Author"),
    ("report_sent", "Final report to NP & DfE"),
    ("published", "Published"),
    ("unpublished", "Removed"),
    ("_nhs", "NHS No."),
]

COUNCIL_VALUES = {
    "outcome": {"Death": "died", "Serious harm": "seriously harmed", "Other": "other"},
    "abuse_neglect": {"Y": "known", "\u2713": "known", "Susp": "suspected",
                      "N": "not suspected"},
    "child_status": {"LAC": "looked after", "CP": "child protection plan",
                     "CIN": "child in need", "EH": "early help", "NK": "not known to CSC",
                     "YOS": "YOT"},
    "incident_location": {"In borough": "in area", "Out of area": "elsewhere in England",
                          "Abroad": "outside England"},
    "decision": {"LCSPR": "local review", "NFA": "no review", "National": "national review",
                 "Single agency learning": "other learning"},
}

WD = "Westdale"
COUNCIL_CASES = [
    dict(ref="WD/19/01", la=WD, cid="C-301101", inc="2019-03-04", aware="2019-03-05",
         out="Death", abuse="Y", status="CP", loc="In borough", slt="\u2713",
         pn="2019-03-08", partn="2019-03-08", rr="2019-03-29", resp="2019-04-12",
         dec="LCSPR", dd="2019-04-10", dn="2019-04-12", rev="Reviewer Omicron",
         rs="2019-09-27", pub="2019-10-09", unpub="2021-01-05"),
    dict(ref="WD/19/02", la=WD, cid="C-301102", inc="2019-07-15", aware="2019-07-16",
         out="Serious harm", abuse="Susp", status="CIN", loc="In borough", slt="x",
         pn="2019-07-24", partn="2019-07-23", rr="2019-08-14", resp="2019-09-02",
         dec="NFA", dd="2019-08-20"),
    dict(ref="WD/20/01", la=WD, cid="C-301103", inc="2020-02-01", aware="2020-02-03",
         out="Death", abuse="N", status="LAC", loc="In borough", slt="Y",
         sos="2020-02-07", ofs="2020-02-11"),
    dict(ref="WD/20/02", la=WD, cid="C-301104", inc="2020-06-10", aware="2020-06-11",
         out="Serious harm", abuse="Y", status="EH", loc="Out of area"),
    dict(ref="WD/20/03", la=WD, cid="C-301105", inc="2020-11-20", aware="2020-11-23",
         out="Serious harm", abuse="\u2713", status="YOS", loc="Abroad", slt="\u2713",
         pn="2020-11-27", partn="2020-11-30", rr="2020-12-18", resp="2021-01-15",
         dec="National", dd="2021-01-05"),
    dict(ref="WD/21/01", la=WD, cid="C-301106", inc="2021-04-01", aware="2021-04-01",
         out="Other", abuse="Susp", status="NK", loc="In borough"),
    dict(ref="WD/21/02", la=WD, cid="C-301107", inc="2021-08-26", aware="2021-08-27",
         out="Death", abuse="Susp", status="LAC", loc="In borough", slt="\u2713",
         pn="2021-09-03", partn="2021-09-03", sos="2021-09-03", ofs="2021-09-06",
         rr="2021-09-24", resp="2021-10-15", dec="LCSPR", dd="2021-10-01",
         dn="2021-10-05", rev="Reviewer Pi", rs="2022-03-22", pub="2022-04-01"),
    dict(ref="WD/22/01", la=WD, cid="C-301108", inc="2022-01-10", aware="2022-01-11",
         out="Serious harm", abuse="Y", status="CP", loc="In borough",
         pn="2022-01-19", partn="2022-01-18", rr="2022-02-08", resp="2022-03-01",
         dec="Single agency learning", dd="2022-02-15"),
    dict(ref="WD/22/02", la=WD, cid="C-301109", inc="2022-06-01", aware="2022-06-01",
         out="Death", abuse="Y", status="CIN", loc="In borough", slt="Y",
         pn="2022-06-09", partn="2022-06-09", rr="2022-06-30", resp="2022-07-21",
         dec="NFA", dd="2022-07-05"),
    dict(ref="WD/23/01", la=WD, cid="C-301110", inc="2023-03-14", aware="2023-03-15",
         out="Serious harm", abuse="Susp", status="CP", loc="In borough",
         pn="2023-03-22", partn="2023-03-24", rr="2023-04-14", resp="2023-05-10",
         dec="LCSPR", dd="2023-04-20", dn="2023-04-21", rev="Reviewer Rho",
         rs="2023-10-06", pub="2023-10-19"),
    dict(ref="WD/23/02", la=WD, cid="C-301111", inc="2023-09-01", aware="2023-09-04",
         out="Death", abuse="", status="LAC", loc="In borough",
         sos="2023-09-08", ofs="2023-09-08"),
    dict(ref="WD/24/01", la=WD, cid="C-301112", inc="2024-02-12", aware="2024-02-13",
         out="Serious harm", abuse="Y", status="CIN", loc="In borough", slt="\u2713",
         pn="2024-02-20", partn="2024-02-19", rr="2024-03-12", resp="2024-04-03",
         dec="NFA", dd="2024-03-20"),
    dict(ref="WD/24/02", la=WD, cid="C-301113", inc="2024-10-07", aware="2024-10-08",
         out="Death", abuse="Susp", status="NK", loc="In borough",
         pn="2024-10-14", partn="2024-10-15", rr="2024-11-04", resp="2024-11-25",
         dec="LCSPR", dd="2024-11-12", dn="2024-11-14", rev="Reviewer Sigma",
         rs="2025-04-25", pub="2025-05-09"),
    dict(ref="WD/25/01", la=WD, cid="C-301114", inc="2025-03-03", aware="2025-03-04",
         out="Serious harm", abuse="Y", status="EH", loc="In borough",
         pn="2025-03-11", partn="2025-03-11", rr="2025-04-01", resp="2025-04-23",
         dec="NFA", dd="2025-04-08"),
    dict(ref="WD/25/02", la=WD, cid="C-301115", inc="2025-11-18", aware="2025-11-19",
         out="Death", abuse="Y", status="CP", loc="In borough",
         pn="2025-11-25", partn="2025-11-26", rr="2025-12-16", resp="2026-01-14",
         dec="LCSPR", dd="2026-01-08", dn="2026-01-12", rev="Reviewer Tau"),
    dict(ref="WD/26/01", la=WD, cid="C-301116", inc="2026-10-26", aware="2026-10-27",
         out="Serious harm", abuse="Susp", status="CIN", loc="In borough", slt="x",
         pn="2026-11-02", partn="2026-11-04", rr="2026-11-20"),
    dict(ref="WD/26/02", la=WD, cid="C-301117", inc="2026-11-16", aware="2026-11-17",
         out="Death", abuse="Y", status="LAC", loc="In borough",
         sos="2026-11-20"),
]


def make_council_layout():
    fmts = assign_formats(COUNCIL_CASES, {})
    header = [label for _, label in COUNCIL_COLUMNS]
    rows = []
    for i, case in enumerate(COUNCIL_CASES):
        vals = case_values(case)
        row = []
        for f, _ in COUNCIL_COLUMNS:
            if f == "_name":
                row.append((f"Child {LETTERS[i]}{LETTERS[i]} Test", None))
            elif f == "_nhs":
                row.append((fake_nhs(100 + i), "@"))
            elif f == "_slt":
                row.append((case.get("slt"), None))
            else:
                v = vals.get(f, "")
                if f in DATE_FIELDS and ISO_RE.match(v or ""):
                    row.append(xlsx_cell(v, fmts[(case["ref"], f)], case["ref"], f))
                else:
                    row.append((v or None, None))
        rows.append(row)
    wb = new_workbook()
    ws = wb.active
    ws.title = "Log"
    write_log_sheet(ws, header, rows,
                    title_rows=["Westdale SCP \u2013 notifications tracker (SLT weekly)"])
    notes = wb.create_sheet("Codes")
    notes.append(["Code", "Meaning"])
    for code, meaning in [("LAC", "Looked after child"), ("CP", "Child protection plan"),
                          ("CIN", "Child in need"), ("EH", "Early help"),
                          ("NK", "Not known to CSC"), ("YOS", "Youth offending service"),
                          ("NP", "National Panel (CSPRP)")]:
        notes.append([code, meaning])
    save_workbook(wb, os.path.join(INGEST, "council-layout.xlsx"))

    lines = [
        "# Maps the Westdale council layout (council-layout.xlsx) onto the canonical fields.",
        "# Column labels are the council's header labels; values map council codes onto the",
        "# canonical values of shared/DOMAIN.md.  Columns not listed (Child's name,",
        "# Discussed at SLT, NHS No.) are ignored.",
        "",
        "[[sources]]",
        'kind = "incident-log"',
        'path = "council-layout.xlsx"',
        'sheet = "Log"',
        "",
        "[sources.columns]",
    ]
    for f, label in COUNCIL_COLUMNS:
        if not f.startswith("_"):
            lines.append(f'{f} = "{label}"')
    for f, mapping in COUNCIL_VALUES.items():
        lines.append("")
        lines.append(f"[sources.values.{f}]")
        for k, v in mapping.items():
            lines.append(f'"{k}" = "{v}"')
    with open(os.path.join(INGEST, "council-layout.toml"), "w", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")
    out = run_reference(os.path.join(INGEST, "council-layout.toml"))
    with open(os.path.join(INGEST, f"council-layout.expected-findings-{AS_OF}.csv"), "w",
              newline="") as fh:
        fh.write(out)


SV2 = "Southvale"
TWO_SHEETS_A = [  # sheet "2023-24" (with title rows)
    dict(ref="SV-2023-101", la=SV2, cid="C-401001", inc="2023-04-12", aware="2023-04-13",
         out="seriously harmed", abuse="known", status="child in need", loc="in area",
         pn="2023-04-20", partn="2023-04-20", rr="2023-05-12", resp="2023-06-02",
         dec="no review", dd="2023-05-18"),
    dict(ref="SV-2023-102", la=SV2, cid="C-401002", inc="2023-09-18", aware="2023-09-19",
         out="died", abuse="suspected", status="looked after", loc="in area",
         pn="2023-09-26", partn="2023-09-26", sos="2023-09-22", ofs="2023-09-25",
         rr="2023-10-17", resp="2023-11-06", dec="no review", dd="2023-10-24"),
    dict(ref="SV-2024-103", la=SV2, cid="C-401003", inc="2024-03-27", aware="2024-03-28",
         out="seriously harmed", abuse="known", status="child protection plan",
         loc="in area", pn="2024-04-05", partn="2024-04-05", rr="2024-04-26",
         resp="2024-05-20", dec="no review", dd="2024-05-01",
         notes="Appears in both sheets (identical)"),
    dict(ref="SV-2024-104", la=SV2, cid="C-401004", inc="2024-03-25", aware="2024-03-26",
         out="died", abuse="known", status="child in need", loc="in area",
         pn="2024-04-02", partn="2024-04-02",
         notes="Appears in both sheets with a different awareness date"),
]
TWO_SHEETS_B = [  # sheet "2024-25" (header on row 1)
    dict(TWO_SHEETS_A[2]),
    dict(TWO_SHEETS_A[3], aware="2024-04-02",
         notes="Appears in both sheets with a different awareness date"),
    dict(ref="SV-2024-105", la=SV2, cid="C-401005", inc="2024-06-10", aware="2024-06-11",
         out="seriously harmed", abuse="suspected", status="early help", loc="in area",
         pn="2024-06-14", partn="2024-06-17", rr="2024-07-05", resp="2024-07-26",
         dec="local review", dd="2024-07-15", dn="2024-07-17", rev="Reviewer Upsilon",
         rs="2024-12-20", pub="2025-01-14"),
    dict(ref="SV-2025-106", la=SV2, cid="C-401006", inc="2025-02-03", aware="2025-02-04",
         out="seriously harmed", abuse="known", status="YOT", loc="elsewhere in England"),
]


def canonical_rows(cases, for_csv, fmts=None, extras=True):
    rows = []
    for i, case in enumerate(cases):
        vals = case_values(case)
        row = []
        for f, _ in (columns_with_extras() if extras else FIELDS):
            n = int(case["cid"][2:]) % 997  # the same child gets the same fake details
            if f == "_name":
                row.append((fake_name(n % 676), None))
            elif f == "_nhs":
                row.append((fake_nhs(n), "@"))
            elif f == "_notes":
                row.append((case.get("notes", ""), None))
            else:
                v = vals.get(f, "")
                if f in DATE_FIELDS and ISO_RE.match(v or ""):
                    kind = fmts[(case["ref"], f)] if fmts else "date"
                    row.append((csv_text(v, "uk", case["ref"], f), None) if for_csv
                               else xlsx_cell(v, kind, case["ref"], f))
                else:
                    row.append((v or None, None))
        rows.append(row)
    return rows


def make_two_sheets():
    wb = new_workbook()
    header = [label for _, label in columns_with_extras()]
    ws = wb.active
    ws.title = "2023-24"
    write_log_sheet(ws, header,
                    canonical_rows(TWO_SHEETS_A, False, assign_formats(TWO_SHEETS_A, {})),
                    title_rows=["Southvale SCP \u2014 serious incident log 2023-24",
                                "Financial year 1 April 2023 to 31 March 2024", ""])
    ws2 = wb.create_sheet("2024-25")
    write_log_sheet(ws2, header,
                    canonical_rows(TWO_SHEETS_B, False, assign_formats(TWO_SHEETS_B, {})))
    save_workbook(wb, os.path.join(INGEST, "two-sheets.xlsx"))


def make_office_copies(example_xlsx):
    office = shutil.which("libreoffice") or shutil.which("soffice")
    if not office:
        print("warning: LibreOffice not found; northshire-log.xls/.ods not made",
              file=sys.stderr)
        return
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "northshire-log.xlsx")
        shutil.copy(example_xlsx, src)
        profile = os.path.join(tmp, "profile")
        for fmt in ("xls", "ods"):
            subprocess.run([office, f"-env:UserInstallation=file://{profile}", "--headless",
                            "--convert-to", fmt, "--outdir", tmp, src], check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            shutil.copy(os.path.join(tmp, f"northshire-log.{fmt}"),
                        os.path.join(INGEST, f"northshire-log.{fmt}"))


REFERRAL_HEADERS = ["Referral ID", "Date submitted", "Request type", "Referrer agency",
                    "Case reference", "Child ID", "Date of death or incident", "Child status",
                    "Child died", "Child seriously harmed", "Abuse or neglect",
                    "Concern about agencies working together", "Summary"]

REFERRALS = [
    ["REF-0001", "11/03/2024 10:42", "Serious incident", "Police", "NS-2024-001", "C-108114",
     "08/03/2024", "Child protection plan", "Yes", "No", "Suspected", "Yes",
     "Infant death at home; Mother\u2019s partner arrested. Follow-up matched by case reference."],
    ["REF-0002", "07/03/2022", "Serious incident", "Health (ICB)", "", "C-205340",
     "05/03/2022", "Child in need", "No", "Yes", "Suspected", "No",
     "Fractures found at A&E; no case reference given (matches log by child ID and date)."],
    ["REF-0003", "01/10/2026 16:05", "Serious incident", "School", "", "C-990001",
     "29/09/2026", "Early help", "No", "Yes", "Known", "Yes",
     "Disclosure of neglect; child hospitalised. \"No case on log yet\"."],
    ["REF-0004", "20/11/2026 09:10", "Serious incident", "Police", "", "C-990002",
     "19/11/2026", "Not known to CSC", "Y", "N", "Suspected", "Unknown",
     "Sudden death; enquiries ongoing."],
    ["REF-0005", "02/05/2025", "Learning", "Health (ICB)", "", "C-990003", "28/04/2025",
     "Child in need", "No", "Yes", "Suspected", "Yes",
     "Learning request: near miss, multi-agency communication issues."],
    ["REF-0006", "14/06/2024", "Serious incident", "Education", "", "C-990004",
     "12/06/2024", "Early help", "No", "No", "Suspected", "No",
     "Injury not serious; referred in error."],
    ["REF-0007", "09/09/2025", "Serious incident", "Police", "", "C-990005", "07/09/2025",
     "Child in need", "No", "Yes", "Not suspected", "No",
     "Road traffic collision; no abuse or neglect concerns."],
    ["REF-0008", "12/02/2024", "Serious incident", "Probation", "", "C-990006", "09/02/2024",
     "Child protection plan", "No", "TRUE", "Known", "Yes",
     "Serious assault by Mother\u2019s partner; \u00a3250 fine previously imposed.\n"
     "Second line of the summary (multi-line cell)."],
    ["REF-0009", "15/01/2024", "Serious incident", "Health (ICB)", "NS-2024-099", "C-108275",
     "10/01/2024", "Early help", "No", "x", "Known", "No",
     "Case reference not on the log; same child ID as NS-2024-002 but a different incident date."],
    ["REF-0010", "18/05/2026", "Serious incident", "Children\u2019s social care", "NS-2026-002",
     "C-109466", "18/05/2026", "Child in need", "No", "Yes", "Suspected", "Yes",
     "Head injury \u2013 \u00a3 costs of specialist placement noted; matched by case reference."],
    ["REF-0011", "16/11/2026", "Serious incident", "Police", "", "C-990007", "14/11/2026",
     "Looked after", "Yes", "No", "Known", "Yes",
     "Submitted exactly 5 working days before the audit date."],
    ["REF-0012", "15/10/2026", "Serious incident", "Health (ICB)", "", "C-206917",
     "2026-09-29", "Child in need", "Yes", "No", "Known", "No",
     "Matched by child ID and date of incident (ISO date in the referral)."],
    ["REF-0013", "03/11/2025", "Learning", "Police", "", "C-990008", "01/11/2025",
     "Not known to CSC", "Yes", "No", "Known", "Yes",
     "Learning request although the criteria answers qualify."],
]


def make_referrals():
    write_csv(os.path.join(INGEST, "referrals.csv"), REFERRAL_HEADERS, REFERRALS,
              encoding="cp1252", newline="\r\n")
    out = run_reference(os.path.join(EXAMPLE, "incident-log.csv"),
                        extra=["--referrals", os.path.join(INGEST, "referrals.csv"),
                               "--referrals-only"])
    with open(os.path.join(INGEST, f"referrals.expected-findings-{AS_OF}.csv"), "w",
              newline="") as fh:
        fh.write(out)


def make_delimited():
    subset = CASES[:10]
    header = [label for _, label in FIELDS]
    rows = [[v for v, _ in r] for r in canonical_rows(subset, True, extras=False)]
    write_csv(os.path.join(INGEST, "semicolon.csv"), header, rows, delimiter=";", bom=True)
    write_csv(os.path.join(INGEST, "tabs.tsv"), header, rows, delimiter="\t")


def minimal_pdf():
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        None,
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    stream = b"BT /F1 12 Tf 20 50 Td (Not a spreadsheet) Tj ET"
    objs[3] = b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream"
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objs, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n" % (len(objs) + 1)
    out += b"0000000000 65535 f \n"
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objs) + 1, xref)
    return bytes(out)


def make_encrypted(plain_xlsx, dest):
    try:
        from msoffcrypto.format.ooxml import OOXMLFile
    except ImportError:
        print("warning: msoffcrypto-tool not installed; encrypted.xlsx not made",
              file=sys.stderr)
        return
    # Make the random salts/keys reproducible so reruns give identical bytes.
    rng = random.Random(20261123)
    real_urandom = os.urandom
    os.urandom = lambda n: bytes(rng.getrandbits(8) for _ in range(n))
    import secrets
    real_tb = secrets.token_bytes
    try:  # the OLE container stamps datetime.now(): pin it too
        from msoffcrypto.method.container import ecma376_encrypted as container

        class _FixedDatetime(dt.datetime):
            @classmethod
            def now(cls, tz=None):
                return FIXED_TIME
        container.datetime = _FixedDatetime
    except ImportError:
        pass
    try:
        secrets.token_bytes = lambda n=32: os.urandom(n)
        with open(plain_xlsx, "rb") as fin, open(dest, "wb") as fout:
            OOXMLFile(fin).encrypt("test", fout)
    finally:
        os.urandom = real_urandom
        secrets.token_bytes = real_tb


def make_zip_bomb(dest, target=1100 * 1024 * 1024):
    """An xlsx-shaped zip whose sheet1.xml inflates to > 1 GiB (a few MB on disk)."""
    def zi(name):
        z = zipfile.ZipInfo(name, date_time=(2026, 11, 20, 9, 0, 0))
        z.compress_type = zipfile.ZIP_DEFLATED
        return z
    ct = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
          '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
          '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
          'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
          '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
          'officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/'
          'sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
          'spreadsheetml.worksheet+xml"/></Types>')
    rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
            'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
            '</Relationships>')
    wbxml = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
             '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
             'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
             '<sheets><sheet name="Log" sheetId="1" r:id="rId1"/></sheets></workbook>')
    wbrels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
              '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
              'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
              'officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
              '</Relationships>')
    head = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Case reference</t></is></c>'
            '</row><row r="2"><c r="A2" t="inlineStr"><is><t>').encode()
    tail = b"</t></is></c></row></sheetData></worksheet>"
    chunk = b"A" * (8 * 1024 * 1024)
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr(zi("[Content_Types].xml"), ct)
        z.writestr(zi("_rels/.rels"), rels)
        z.writestr(zi("xl/workbook.xml"), wbxml)
        z.writestr(zi("xl/_rels/workbook.xml.rels"), wbrels)
        with z.open(zi("xl/worksheets/sheet1.xml"), "w", force_zip64=True) as fh:
            fh.write(head)
            written = len(head)
            while written < target:
                fh.write(chunk)
                written += len(chunk)
            fh.write(tail)


BAD_DATES = [
    dict(ref="BD-001", la=NS, cid="C-900001", inc="31/02/2024", aware="31/02/2024",
         out="died", abuse="known", status="child in need", loc="in area",
         pn="05/03/2024", partn="05/03/2024", notes="31 February does not exist"),
    dict(ref="BD-002", la=NS, cid="C-900002", inc="1850-01-01", aware="1850-01-01",
         out="seriously harmed", abuse="known", status="child in need", loc="in area",
         notes="Implausibly old date"),
    dict(ref="BD-003", la=NS, cid="C-900003", inc="2024-06-03", aware="next week",
         out="seriously harmed", abuse="suspected", status="early help", loc="in area",
         pn="2024-06-07", notes="Free text in a date column"),
    dict(ref="BD-004", la=NS, cid="C-900004", inc="2024-07-01", aware="2024-07-02",
         out="died", abuse="known", status="looked after", loc="in area",
         pn="2124-07-05", sos="2024-07-05", ofs="2024-07-05",
         notes="Panel notified date far in the future"),
    dict(ref="BD-005", la=NS, cid="C-900005", inc="2024-09-10", aware="13/13/2024",
         out="seriously harmed", abuse="known", status="child in need", loc="in area",
         pn="2024-09-16", partn="2024-09-16", notes="Month 13"),
]


def make_bad_files(example_xlsx):
    open(os.path.join(INGEST, "empty.xlsx"), "wb").close()
    with open(example_xlsx, "rb") as fh:
        data = fh.read()
    with open(os.path.join(INGEST, "truncated.xlsx"), "wb") as fh:
        fh.write(data[:len(data) // 2])
    with open(os.path.join(INGEST, "not-really.xlsx"), "wb") as fh:
        fh.write(minimal_pdf())
    make_encrypted(example_xlsx, os.path.join(INGEST, "encrypted.xlsx"))
    make_zip_bomb(os.path.join(INGEST, "zip-bomb.xlsx"))
    # no-header.csv: data rows only, no recognisable header row.
    rows = [
        ["Serious incidents 2024", "", "", ""],
        ["NS-2024-001", "Northshire", "C-108114", "08/03/2024"],
        ["NS-2024-002", "Northshire", "C-108275", "16/05/2024"],
        ["Ref", "Col2", "Col3", "Col4"],
    ]
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    with open(os.path.join(INGEST, "no-header.csv"), "w", encoding="utf-8", newline="") as fh:
        fh.write(buf.getvalue())
    header = [label for _, label in FIELDS]
    rows = []
    for case in BAD_DATES:
        vals = case_values(case)
        row = []
        for f, _ in FIELDS:
            v = vals.get(f, "")
            if f in DATE_FIELDS and ISO_RE.match(v) and not v.startswith(("1850", "2124")):
                v = dt.date.fromisoformat(v).strftime("%d/%m/%Y")
            row.append(v)
        rows.append(row)
    write_csv(os.path.join(INGEST, "bad-dates.csv"), header, rows)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--no-office", action="store_true",
                    help="skip the LibreOffice conversions (.xls/.ods)")
    ap.add_argument("--no-bomb", action="store_true", help="skip zip-bomb.xlsx (slow-ish)")
    a = ap.parse_args()
    os.makedirs(INGEST, exist_ok=True)
    example_xlsx, _ = make_example()
    make_council_layout()
    make_two_sheets()
    make_referrals()
    make_delimited()
    if not a.no_office:
        make_office_copies(example_xlsx)
    if a.no_bomb:
        global make_zip_bomb
        make_zip_bomb = lambda dest: None  # noqa: E731
    make_bad_files(example_xlsx)
    print("fixtures written under", FIX)


if __name__ == "__main__":
    main()
