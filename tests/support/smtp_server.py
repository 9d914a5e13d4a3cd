#!/usr/bin/env python3
"""A real SMTP server for the email tests (aiosmtpd, Debian package python3-aiosmtpd).

Listens on 127.0.0.1 on a free port, with TLS from the given certificate and key:

  --mode starttls  (default) plain connection that must be upgraded with STARTTLS before
                   anything else (require_starttls), AUTH offered only after TLS
                   (auth_require_tls)
  --mode tls       implicit TLS from the first byte (SMTPS)

AUTH accepts only --user / --password (PLAIN and LOGIN). Every message received is saved in
--spool as <n>.envelope (lines "from <address>" and "to <address>") and <n>.eml (the raw content), each written
atomically; every AUTH attempt is appended to <spool>/auth.log as "<user> ok|refused" (never
"the password). A recipient listed (one a line) in <spool>/reject-rcpt when it is given is
refused with 550, as a server refuses an unknown mailbox. Prints "PORT <n>" on stdout once it accepts connections, and stops when stdin
closes (the test that started it has finished) or on SIGTERM.
"""

import argparse
import os
import signal
import socket
import ssl
import sys
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_atomic(path: str, data: bytes) -> None:
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


class Spool:
    def __init__(self, folder: str):
        self.folder = folder
        self.lock = threading.Lock()
        self.count = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        try:
            with open(os.path.join(self.folder, "reject-rcpt")) as f:
                rejected = {line.strip().lower() for line in f if line.strip()}
        except FileNotFoundError:
            rejected = set()
        if address.lower() in rejected:
            return "550 5.1.1 Recipient refused by the test server"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.count += 1
            n = self.count
        base = os.path.join(self.folder, f"{n:03d}")
        # The .eml last: a test waits for it, then reads the .envelope too.
        lines = [f"from {envelope.mail_from}"] + [f"to {r}" for r in envelope.rcpt_tos]
        write_atomic(base + ".envelope", ("\n".join(lines) + "\n").encode())
        write_atomic(base + ".eml", envelope.original_content or envelope.content)
        return "250 2.0.0 Message accepted for delivery"


def authenticator(user: str, password: str, log_path: str, lock: threading.Lock):
    def check(server, session, envelope, mechanism, auth_data):
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        login = auth_data.login.decode(errors="replace")
        ok = login == user and auth_data.password.decode(errors="replace") == password
        with lock:
            with open(log_path, "a") as f:
                f.write(f"{login} {'ok' if ok else 'refused'}\n")
        # handled=False: aiosmtpd itself replies (235, or 535 when refused).
        return AuthResult(success=ok, handled=False)

    return check


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--spool", required=True)
    p.add_argument("--cert", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--mode", choices=["starttls", "tls"], default="starttls")
    p.add_argument("--user", default="audit")
    p.add_argument("--password", default="s3cret-pw")
    a = p.parse_args()

    os.makedirs(a.spool, exist_ok=True)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(a.cert, a.key)
    auth = authenticator(a.user, a.password, os.path.join(a.spool, "auth.log"), threading.Lock())
    port = free_port()
    common = dict(
        hostname="127.0.0.1",
        port=port,
        server_hostname="localhost",
        authenticator=auth,
        ready_timeout=10.0,
    )
    if a.mode == "starttls":
        controller = Controller(
            Spool(a.spool),
            tls_context=ctx,
            require_starttls=True,
            auth_require_tls=True,
            **common,
        )
    else:
        # Implicit TLS: the whole connection is encrypted, so AUTH needs no STARTTLS.
        controller = Controller(
            Spool(a.spool),
            ssl_context=ctx,
            auth_require_tls=False,
            **common,
        )
    controller.start()
    print(f"PORT {port}", flush=True)

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())

    def watch_stdin():
        try:
            while sys.stdin.buffer.read(4096):
                pass
        finally:
            stop.set()

    threading.Thread(target=watch_stdin, daemon=True).start()
    stop.wait()
    controller.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
