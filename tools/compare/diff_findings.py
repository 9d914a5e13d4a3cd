#!/usr/bin/env python3
"""Compare two findings files (DOMAIN.md "The findings file") row by row, and say where they differ.

Usage:
    python3 tools/compare/diff_findings.py A.csv B.csv [--names rust pandas] [--examples 3]
                                           [--note-kind]

Prints: rows in each file, rows identical in both (as a multiset: the same row twice in one file
must be there twice in the other), rows only in A / only in B; then, per (case_ref, duty) that
is in both files with different rows, the count of each "duty: A status -> B status" change,
and the number of (case_ref, duty) keys found in only one file (cases one side set aside or
joined differently).  Standard library only.  Exit code 0 whatever the result.

--note-kind compares the `note` column by kind only, as tools/reference_audit.py's note_kind()
defines it (blank; "not in force before/from DD/MM/YYYY", the date compared exactly; "timescale
relaxed"; any other reason, "why"): safeguard-audit words its notes from the rules file, the
reference and pandas_audit.py in their own words.
"""

import argparse
import collections
import csv


def note_kind(note):
    """What two findings files must agree on in a note (tools/reference_audit.py note_kind)."""
    if not note:
        return ""
    if note.startswith("not in force"):
        return note.split(":")[0]
    if note.startswith("timescale relaxed"):
        return "timescale relaxed"
    return "why"


def load(path, kinds=False):
    with open(path, newline="", encoding="utf-8") as fh:
        r = csv.reader(fh)
        header = next(r)
        if kinds and "note" in header:
            j = header.index("note")
            rows = [tuple(x[:j] + [note_kind(x[j])] + x[j + 1:]) for x in r]
        else:
            rows = [tuple(x) for x in r]
    return header, rows


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("a")
    ap.add_argument("b")
    ap.add_argument("--names", nargs=2, default=["A", "B"])
    ap.add_argument("--examples", type=int, default=3, help="example case refs per change")
    ap.add_argument("--note-kind", action="store_true", help="compare notes by kind only")
    x = ap.parse_args(argv)
    na, nb = x.names
    ha, ra = load(x.a, x.note_kind)
    hb, rb = load(x.b, x.note_kind)
    if ha != hb:
        print(f"headers differ: {na} {ha} / {nb} {hb}")
    ca, cb = collections.Counter(ra), collections.Counter(rb)
    same = sum((ca & cb).values())
    only_a = ca - cb
    only_b = cb - ca
    print(f"rows: {na} {len(ra)}, {nb} {len(rb)}"
          + (" (notes compared by kind)" if x.note_kind else ""))
    print(f"identical rows: {same}  ({100.0 * same / max(len(ra), 1):.3f}% of {na}'s, "
          f"{100.0 * same / max(len(rb), 1):.3f}% of {nb}'s)")
    print(f"only in {na}: {sum(only_a.values())}, only in {nb}: {sum(only_b.values())}")
    if not only_a and not only_b:
        return 0
    ka = collections.defaultdict(list)
    kb = collections.defaultdict(list)
    for row, n in only_a.items():
        ka[row[:2]].extend([row] * n)
    for row, n in only_b.items():
        kb[row[:2]].extend([row] * n)
    all_a = {r[:2] for r in ra}
    all_b = {r[:2] for r in rb}
    changes = collections.Counter()
    examples = collections.defaultdict(list)
    for key in sorted(set(ka) & set(kb)):
        for ra_row, rb_row in zip(ka[key], kb[key]):
            what = f"{key[1]}: {ra_row[2]} -> {rb_row[2]}"
            if ra_row[2] == rb_row[2]:
                cols = [h for h, p, q in zip(ha, ra_row, rb_row) if p != q]
                what += f" ({', '.join(cols)} differ)"
            changes[what] += 1
            if len(examples[what]) < x.examples:
                examples[what].append(key[0])
    keys_only_a = [k for k in ka if k not in all_b]
    keys_only_b = [k for k in kb if k not in all_a]
    extra_a = sum(len(ka[k]) for k in ka if k in all_b and k not in kb)
    extra_b = sum(len(kb[k]) for k in kb if k in all_a and k not in ka)
    if changes:
        print(f"same (case_ref, duty), different row ({na} -> {nb}):")
        for what, n in changes.most_common():
            print(f"  {n:8d}  {what}   e.g. {', '.join(examples[what])}")
    if keys_only_a or keys_only_b:
        cases_a = sorted({k[0] for k in keys_only_a})
        cases_b = sorted({k[0] for k in keys_only_b})
        print(f"(case_ref, duty) only in {na}: {len(keys_only_a)} rows of {len(cases_a)} cases"
              + (f", e.g. {', '.join(cases_a[:x.examples])}" if cases_a else ""))
        print(f"(case_ref, duty) only in {nb}: {len(keys_only_b)} rows of {len(cases_b)} cases"
              + (f", e.g. {', '.join(cases_b[:x.examples])}" if cases_b else ""))
    if extra_a or extra_b:
        print(f"repeated (case_ref, duty) rows beyond the other file's: {na} {extra_a}, {nb} {extra_b}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
