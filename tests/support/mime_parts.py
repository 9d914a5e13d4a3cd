#!/usr/bin/env python3
"""Splits an email (.eml) into its parts with Python's own MIME parser, for the email tests:
an independent reading of what the binary sent.

  mime_parts.py MESSAGE.eml OUTDIR

writes OUTDIR/headers.txt ("Name: value", decoded, one a line, for From, To, Cc, Subject, Date,
Message-ID, MIME-Version), OUTDIR/structure.txt (the MIME tree on one line, e.g.
"multipart/mixed(multipart/alternative(text/plain,text/html),application/x;name=a.xlsx)"),
OUTDIR/text.txt and OUTDIR/body.html (the decoded text and HTML parts), and each attachment
under its own file name.
"""

import os
import sys
from email import policy
from email.parser import BytesParser


def tree(part) -> str:
    ct = part.get_content_type()
    if part.is_multipart():
        return ct + "(" + ",".join(tree(p) for p in part.iter_parts()) + ")"
    name = part.get_filename()
    return ct + (f";name={name}" if name else "")


def main() -> int:
    src, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    with open(src, "rb") as f:
        msg = BytesParser(policy=policy.default).parse(f)
    with open(os.path.join(out, "headers.txt"), "w", encoding="utf-8") as f:
        for name in ["From", "To", "Cc", "Subject", "Date", "Message-ID", "MIME-Version"]:
            value = msg.get(name)
            if value is not None:
                f.write(f"{name}: {' '.join(str(value).split())}\n")
    with open(os.path.join(out, "structure.txt"), "w", encoding="utf-8") as f:
        f.write(tree(msg) + "\n")
    for part in msg.walk():
        if part.is_multipart():
            continue
        name = part.get_filename()
        if name:
            with open(os.path.join(out, os.path.basename(name)), "wb") as f:
                f.write(part.get_payload(decode=True))
        elif part.get_content_type() == "text/plain":
            with open(os.path.join(out, "text.txt"), "w", encoding="utf-8") as f:
                f.write(part.get_content())
        elif part.get_content_type() == "text/html":
            with open(os.path.join(out, "body.html"), "w", encoding="utf-8") as f:
                f.write(part.get_content())
    return 0


if __name__ == "__main__":
    sys.exit(main())
