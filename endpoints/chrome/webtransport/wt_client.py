#!/usr/bin/python3
"""quire's Chromium WebTransport client: QIR's WebTransport contract (webtransport.md) with the
browser's WebTransport API, driven headless through the DevTools pipe of ../chrome_client.py
(its launch, certificate pin and host mapping are reused).

One Runtime.evaluate on an empty page from http://127.0.0.1 (a secure context) runs the whole client as a page script: one
`new WebTransport(url, {protocols})` per endpoint of REQUESTS, all in parallel on the one QUIC
connection Chromium pools them on; then, by TESTCASE:
  handshake: nothing more (transport.protocol is the negotiated protocol);
  transfer-<kind>-receive: GET every file over unidirectional streams (answers come as
    "PUSH <name>\\n" + contents on the server's unidirectional streams), bidirectional streams
    (the contents on the same stream) or datagrams (asked again after a second without answer);
  transfer (the server asks): answer the server's GETs the same three ways from /www/<endpoint>/
    until the server closes the session.
The script returns the files (base64) and the protocol; this program writes /downloads/.
Environment: ROLE, TESTCASE, REQUESTS, PROTOCOLS (or PROTOCOLS_CLIENT), SSLKEYLOGFILE,
CHROME_TIMEOUT (seconds, default 60). Exit 0 done, 1 failure, 127 unsupported.
"""

import base64
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import chrome_client as cc  # noqa: E402
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
from wt_client_common import PAGE_FN, read_contract, secure_page, sessions_for  # noqa: E402


_rules = cc.resolver_rules


def resolver_rules(origins):
    """chrome_client's rules, but the page's 127.0.0.1 is not mapped away."""
    return _rules(origins).replace("MAP * ~NOTFOUND", "EXCLUDE 127.0.0.1, MAP * ~NOTFOUND")


cc.resolver_rules = resolver_rules


def open_page(pipe, session, url, deadline):
    r = pipe.call("Page.navigate", {"url": url}, session=session, deadline=deadline)
    if r.get("errorText"):
        raise cc.Failure(f"cannot open {url}: {r['errorText']}")
    while time.monotonic() < deadline:
        r = pipe.call("Runtime.evaluate", {"expression": "[location.href, document.readyState,"
                                           " typeof WebTransport]", "returnByValue": True},
                      session=session, deadline=deadline)
        href, state, wt = r.get("result", {}).get("value") or ["", "", ""]
        if href == url and state == "complete":
            if wt != "function":
                raise cc.Failure(f"no WebTransport in the page {url} (typeof {wt})")
            return
        time.sleep(0.02)
    raise cc.Failure(f"page {url} did not load")


def main():
    code, contract = read_contract("Chromium", "CHROME_TIMEOUT", cc.log)
    if code is not None:
        return code
    kind, requester, protocols, deadline = contract
    proc = None
    profile = tempfile.mkdtemp(prefix="quire-chrome-wt-")
    try:
        urls, origins = cc.parse_requests(os.environ.get("REQUESTS", ""))
        sessions = sessions_for(urls, requester)
        spki = cc.leaf_spki_sha256(cc.CERT)
        proc, pipe = cc.launch(os.path.join(profile, "p"), urls, origins, spki)
        cc.log("Chromium " + pipe.call("Browser.getVersion", deadline=deadline).get("product", "?"))
        targets = pipe.call("Target.getTargets")["targetInfos"]
        page = next((t["targetId"] for t in targets if t["type"] == "page"), None)
        if page is None:
            page = pipe.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = pipe.call("Target.attachToTarget", {"targetId": page, "flatten": True})["sessionId"]
        open_page(pipe, session, secure_page(), deadline)
        cfg = {"kind": kind, "requester": requester, "protocols": protocols.split(),
               "sessions": sessions}
        res = pipe.call("Runtime.evaluate", {"expression": f"({PAGE_FN})({json.dumps(cfg)})",
                                             "awaitPromise": True, "returnByValue": True},
                        session=session, deadline=deadline)
        if res.get("exceptionDetails"):
            ex = res["exceptionDetails"]
            raise cc.Failure("page script failed: " + str(ex.get("exception", {}).get(
                "description") or ex.get("text")))
        val = res.get("result", {}).get("value") or {}
        for n in val.get("notes", []):
            cc.log("page: " + n)
        cc.log(f"negotiated protocol {val.get('protocol')!r}")
        if kind == "handshake":
            if val.get("protocol"):
                with open("/downloads/negotiated_protocol.txt", "w") as f:
                    f.write(val["protocol"] + "\n")
        for ep, files in (val.get("files") or {}).items():
            if not files:
                continue
            os.makedirs(os.path.join("/downloads", ep), exist_ok=True)
            for name, b in files.items():
                if "/" in name or name.startswith("."):
                    continue
                with open(os.path.join("/downloads", ep, name), "wb") as f:
                    f.write(base64.b64decode(b))
        try:
            pipe.call("Browser.close", deadline=time.monotonic() + 5)
        except cc.Failure:
            pass
        return 0
    except cc.Failure as e:
        cc.log(f"error: {e}")
        return 1
    finally:
        if proc is not None:
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait()
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
