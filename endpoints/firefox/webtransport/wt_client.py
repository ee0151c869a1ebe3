#!/usr/bin/python3
"""quire's Firefox WebTransport client: QIR's WebTransport contract (webtransport.md) with the
browser's WebTransport API (neqo), driven headless over Marionette with ../firefox_client.py's
profile, trust, launch and Marionette client.

The page is an empty one from http://127.0.0.1 in the client's namespace (a secure context);
the client itself is endpoints/wt_page.js (shared with Chromium's driver), run by
WebDriver:ExecuteAsyncScript in the content context; it returns the files (base64) and the
negotiated protocol, which this program writes to /downloads/.
Environment: ROLE, TESTCASE, REQUESTS, PROTOCOLS (or PROTOCOLS_CLIENT), SSLKEYLOGFILE,
FIREFOX_TIMEOUT (seconds, default 60). Exit 0 done, 1 failure, 127 unsupported.
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

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, ".."))
import firefox_client as fc  # noqa: E402
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
from wt_client_common import PAGE_FN, read_contract, secure_page, sessions_for  # noqa: E402


RUN_JS = """
const [cfg, done] = arguments;
(%s)(cfg).then(done, e => done({error: String(e && e.message || e)}));
"""


def main():
    code, contract = read_contract("Firefox", "FIREFOX_TIMEOUT", fc.log)
    if code is not None:
        return code
    kind, requester, protocols, deadline = contract
    proc = None
    tmp = tempfile.mkdtemp(prefix="quire-firefox-wt-")
    try:
        urls, origins = fc.parse_requests(os.environ.get("REQUESTS", ""))
        sessions = sessions_for(urls, requester)
        profile = os.path.join(tmp, "profile")
        fc.make_profile(profile, origins)
        with open(os.path.join(profile, "user.js"), "a") as f:
            for k, v in (("network.webtransport.enabled", True),
                         ("network.webtransport.datagrams.enabled", True)):
                f.write(f"user_pref({json.dumps(k)}, {json.dumps(v)});\n")
        proc = fc.launch(profile, tmp)
        m = fc.connect(proc, profile, deadline)
        caps = m.call("WebDriver:NewSession", {"capabilities": {}}, deadline=deadline)
        caps = caps.get("capabilities", caps)
        fc.log(f"{caps.get('browserName')} {caps.get('browserVersion')}")
        m.call("Marionette:SetContext", {"value": "content"})
        m.call("WebDriver:Navigate", {"url": secure_page()}, deadline=deadline)
        left_ms = int(max(1, deadline - time.monotonic()) * 1000)
        m.call("WebDriver:SetTimeouts", {"script": left_ms})
        cfg = {"kind": kind, "requester": requester, "protocols": protocols.split(),
               "sessions": sessions}
        res = m.call("WebDriver:ExecuteAsyncScript",
                     {"script": RUN_JS % PAGE_FN, "args": [cfg]}, deadline=deadline + 2)
        val = res.get("value") if isinstance(res, dict) and "value" in res else res
        if not isinstance(val, dict) or val.get("error"):
            raise fc.Failure(f"page script failed: {str(val)[:300]}")
        for n in val.get("notes", []):
            fc.log("page: " + n)
        fc.log(f"negotiated protocol {val.get('protocol')!r}")
        if kind == "handshake" and val.get("protocol"):
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
            m.call("Marionette:Quit", {"flags": ["eForceQuit"]}, deadline=time.monotonic() + 5)
        except fc.Failure:
            pass
        return 0
    except (fc.Failure, subprocess.CalledProcessError, OSError) as e:
        fc.log(f"error: {e}")
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
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
