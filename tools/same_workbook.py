#!/usr/bin/env python3
"""Checks that two xlsx workbooks hold the same cells: for every sheet (same names, same
order), every cell's value and what its format shows (number format, bold, italic, font
size and colour, fill colour, alignment, wrap, borders), and the merged ranges, column widths,
row heights, freeze panes, autofilter and tables.  Style *indices* may differ (they depend on
the order formats were first used); what a reader sees may not.

    python3 tools/same_workbook.py A.xlsx B.xlsx     # exit 0 when the same, 1 with the differences

Uses openpyxl (pip install openpyxl).  Used to check writer changes made for speed.
"""
import sys

import openpyxl


def style(c):
    f, fl, a, b = c.font, c.fill, c.alignment, c.border
    return (
        c.number_format,
        f.b, f.i, f.sz, f.color.rgb if f.color is not None else None,
        fl.fill_type, fl.fgColor.rgb if fl.fgColor is not None else None,
        a.horizontal, a.vertical, a.wrap_text,
        b.left.style, b.right.style, b.top.style, b.bottom.style,
    )


def sheet_facts(ws):
    return {
        "merged": sorted(str(r) for r in ws.merged_cells.ranges),
        "widths": {k: v.width for k, v in ws.column_dimensions.items()},
        "heights": {k: v.height for k, v in ws.row_dimensions.items() if v.height},
        "freeze": ws.freeze_panes,
        "filter": ws.auto_filter.ref,
        "tables": sorted((t.name, t.ref) for t in ws.tables.values()),
        "print_rows": ws.print_title_rows,
    }


def main(a, b):
    wa, wb = openpyxl.load_workbook(a), openpyxl.load_workbook(b)
    problems = []
    if wa.sheetnames != wb.sheetnames:
        problems.append(f"sheets differ: {wa.sheetnames} vs {wb.sheetnames}")
    cells = 0
    for name in wa.sheetnames:
        if name not in wb.sheetnames:
            continue
        sa, sb = wa[name], wb[name]
        fa, fb = sheet_facts(sa), sheet_facts(sb)
        for k in fa:
            if fa[k] != fb[k]:
                problems.append(f"{name}: {k} differ: {fa[k]!r:.200} vs {fb[k]!r:.200}")
        ra = {(c.row, c.column): c for row in sa.iter_rows() for c in row if c.value is not None or c.has_style}
        rb = {(c.row, c.column): c for row in sb.iter_rows() for c in row if c.value is not None or c.has_style}
        for k in sorted(set(ra) | set(rb)):
            ca, cb = ra.get(k), rb.get(k)
            va = (ca.value, style(ca)) if ca is not None else (None, None)
            vb = (cb.value, style(cb)) if cb is not None else (None, None)
            if va != vb and not (va[0] is None and vb[0] is None and (va[1] is None or vb[1] is None)):
                problems.append(f"{name}!{openpyxl.utils.get_column_letter(k[1])}{k[0]}: {va!r:.200} vs {vb!r:.200}")
            cells += 1
    for p in problems[:50]:
        print(p)
    if problems:
        print(f"{len(problems)} differences")
        return 1
    print(f"same: {len(wa.sheetnames)} sheets, {cells} cells")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
