#!/usr/bin/env python3
"""A real SMTP server for bnotify's tests (aiosmtpd), on 127.0.0.1.

Modes: plain (no TLS offered), starttls (STARTTLS offered; AUTH only after it),
ssl (implicit TLS). Prints its port once listening and appends one JSON line per
message to --log: mail_from, rcpt_tos, data (the raw message), tls (whether the
session was encrypted), auth_user and auth_tls (whether AUTH happened under TLS).
A recipient starting with "reject" gets 550; one starting with "busy" gets 451.
"""
import argparse
import email
import email.policy
import hashlib
import json
import socket
import ssl
import sys
import time

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Recorder:
    def __init__(self, log):
        self.log = log

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("reject"):
            return "550 5.1.1 no such user"
        if address.startswith("busy"):
            return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        auth = session.auth_data if isinstance(session.auth_data, dict) else {}
        rec = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "data": envelope.original_content.decode("utf-8", "replace"),
            "tls": encrypted(server),
            "auth_user": auth.get("user"),
            "auth_tls": auth.get("tls"),
            "attachments": attachments(envelope.original_content),
        }
        with open(self.log, "a") as f:
            f.write(json.dumps(rec) + "\n")
        return "250 Message accepted"


def attachments(raw):
    """(filename, content type, sha256 of the decoded bytes) of each attached part."""
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    out = []
    for part in msg.walk():
        name = part.get_filename()
        if name:
            data = part.get_payload(decode=True) or b""
            out.append({"filename": name, "content_type": part.get_content_type(),
                        "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)})
    return out


def encrypted(server):
    """Whether the session runs over TLS (STARTTLS or implicit)."""
    return server.transport is not None and server.transport.get_extra_info("ssl_object") is not None


def authenticator(server, session, envelope, mechanism, auth_data):
    if isinstance(auth_data, LoginPassword) and auth_data.password == b"pw-right":
        return AuthResult(success=True, auth_data={"user": auth_data.login.decode(), "tls": encrypted(server)})
    return AuthResult(success=False, handled=False)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mode", choices=["plain", "starttls", "ssl"], default="plain")
    ap.add_argument("--cert")
    ap.add_argument("--key")
    ap.add_argument("--log", required=True)
    a = ap.parse_args()
    kwargs = {"authenticator": authenticator, "auth_require_tls": a.mode != "plain"}
    if a.mode != "plain":
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(a.cert, a.key)
        if a.mode == "starttls":
            kwargs["tls_context"] = ctx
            kwargs["require_starttls"] = True
        else:
            kwargs["ssl_context"] = ctx
    port = free_port()
    ctrl = Controller(Recorder(a.log), hostname="127.0.0.1", port=port, **kwargs)
    ctrl.start()
    print(port, flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        ctrl.stop()


if __name__ == "__main__":
    sys.exit(main())
