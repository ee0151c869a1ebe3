"""What quire's two browser WebTransport clients (endpoints/chrome/webtransport/wt_client.py,
endpoints/firefox/webtransport/wt_client.py) share: QIR's WebTransport test case names, the
sessions REQUESTS asks for, the files a sending client serves, the secure page they run in,
and the page script (wt_page.js, next to this file). Python 3 standard library only."""

import base64
import http.server
import os
import threading
import time
import urllib.parse

KINDS = ("unidirectional", "bidirectional", "datagram")

# The page script: an async function expression of its configuration.
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "wt_page.js")) as _f:
    PAGE_FN = _f.read()


def parse_case(testcase):
    """(kind, requester) or None: kind 'handshake', 'any' (transfer) or a stream kind."""
    if testcase == "handshake":
        return ("handshake", False)
    if testcase == "transfer":
        return ("any", False)
    p = testcase.split("-")
    if len(p) == 3 and p[0] == "transfer" and p[1] in KINDS and p[2] == "receive":
        return (p[1], True)
    return None  # the client never asks in a "send" case (QIR gives it "transfer")


def sessions_of(urls):
    """One session per endpoint slug of the URLs, in order: its URL and the files asked."""
    by = {}
    for u in urls:
        sp = urllib.parse.urlsplit(u)
        ep, _, name = sp.path.strip("/").partition("/")
        s = by.setdefault(ep, {"endpoint": ep, "url": f"{sp.scheme}://{sp.netloc}/{ep}",
                               "files": []})
        if name:
            s["files"].append(name)
    return list(by.values())


def www_of(endpoint):
    """The files of /www/<endpoint>/ (what a sending client sends), base64 by name."""
    d = os.path.join("/www", endpoint)
    files = {}
    if os.path.isdir(d):
        for n in os.listdir(d):
            p = os.path.join(d, n)
            if os.path.isfile(p):
                with open(p, "rb") as f:
                    files[n] = base64.b64encode(f.read()).decode()
    return files


class _Blank(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server's name)
        body = b"<!doctype html><title>quire WebTransport client</title>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def secure_page():
    """WebTransport exists only in a secure context, which about:blank is not here: an empty
    page from http://127.0.0.1 (loopback is potentially trustworthy) in this namespace.
    Returns its URL."""
    srv = http.server.HTTPServer(("127.0.0.1", 0), _Blank)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{srv.server_address[1]}/"


def read_contract(browser, timeout_var, log):
    """The client's side of QIR's WebTransport contract from the environment: ROLE, TESTCASE,
    PROTOCOLS (or PROTOCOLS_CLIENT) and the browser's own timeout variable (seconds, default
    50: inside the runner's 60 s, so a page that hangs is logged before the client is killed).
    Returns (None, (kind, requester, protocols, deadline)), or (exit code, None): 127 for the
    server role or a test case the client does not take, 2 for a bad timeout."""
    if os.environ.get("ROLE", "client") != "client":
        log(f"{browser} is a WebTransport client only")
        return 127, None
    tc = os.environ.get("TESTCASE", "")
    parsed = parse_case(tc)
    if parsed is None:
        log(f"test case {tc!r} not supported")
        return 127, None
    protocols = os.environ.get("PROTOCOLS")
    if protocols is None:
        protocols = os.environ.get("PROTOCOLS_CLIENT", "")
    try:
        timeout = float(os.environ.get(timeout_var, "50"))
    except ValueError:
        return 2, None
    return None, (parsed[0], parsed[1], protocols, time.monotonic() + timeout)


def sessions_for(urls, requester):
    """sessions_of(urls), each with the files it sends (www) unless the client requests."""
    sessions = sessions_of(urls)
    if not requester:
        for s in sessions:
            s["www"] = www_of(s["endpoint"])
    return sessions
