#!/usr/bin/python3
"""quire's Firefox client: downloads every URL in REQUESTS over HTTP/3 with headless Firefox.

Firefox's HTTP/3 is Mozilla's neqo (Rust) on NSS. Firefox is driven over Marionette, its
automation protocol on a loopback TCP port (messages are "LENGTH:JSON"; commands
[0, id, name, params], replies [1, id, error, result]); no geckodriver, no Selenium.
The downloads run as XMLHttpRequests in the browser's chrome (privileged) context: no CORS,
no download manager, and each request's channel tells which protocol carried it
(protocolVersion "h3"; anything else, a fallback to TCP, fails the run). The bodies are
written into /downloads by IOUtils from that same script, WORKERS requests at a time, all on
the one HTTP/3 connection Firefox keeps per origin.

HTTP/3 without Alt-Svc: network.http.http3.alt-svc-mapping-for-testing = "host;h3=:443" for
every URL host, with ...force-use-alt-svc-mapping-for-testing, so the first request already
goes over QUIC. Trust: the chain's CA certificates from /certs/cert.pem are added to the fresh
profile's NSS database with certutil (libnss3-tools); h3 stays on with such a root only with
network.http.http3.disable_when_third_party_roots_found = false. Names: the system resolver
(/etc/hosts), TRR off.

Environment: TESTCASE, REQUESTS, SSLKEYLOGFILE (NSS, bundled with Firefox, writes it),
QLOGDIR (neqo's qlog, written under TMPDIR, copied there), QUIRE_ALPN (h3: the hq test cases
whose client side is "download these files over one connection" run over HTTP/3),
FIREFOX_TIMEOUT (seconds, default 60), FIREFOX (binary).
Exit 0 every file downloaded complete, 1 failure, 127 unsupported test case.
Standard library only.
"""

import glob
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse

DOWNLOADS = "/downloads"
CERT = "/certs/cert.pem"
CA = "/certs/ca.pem"   # the root, where the runner gives it
SUPPORTED = {"http3"}
# With QUIRE_ALPN=h3 (endpoints/README.md): the test cases where the client only downloads
# files over one connection; retry and the loss/corruption cases need nothing from the client
# beyond a working QUIC stack; ipv6 uses server6 in REQUESTS.
H3_MODE_SUPPORTED = {"handshake", "transfer", "multiplexing", "longrtt", "retry", "ipv6",
                     "goodput", "crosstraffic", "blackhole", "transferloss",
                     "transfercorruption", "amplificationlimit", "v2", "ecn",
                     "rebind-port", "rebind-addr"}
# Firefox's own preferences for what those test cases need of the client.
TESTCASE_PREFS = {
    # compatible version negotiation (RFC 9368): a v1 Initial offering v2, which the server
    # may choose (QIR's v2 check)
    "v2": {"network.http.http3.version_negotiation.enabled": True},
    # ECT(0) on its datagrams and ECN counts in its ACKs (QIR's ecn check)
    "ecn": {"network.http.http3.ecn_mark": True, "network.http.http3.ecn_report": True},
}
UNSUPPORTED_WHY = {
    "chacha20": "Firefox has no preference for the TLS 1.3 cipher suites neqo offers",
    "keyupdate": "neqo initiates key updates only by itself, Firefox exposes no control",
    "resumption": "no way to close the HTTP/3 connection and resume on a second one "
                  "from automation (not implemented)",
    "zerortt": "not implemented (needs a resumed connection, see resumption)",
    "versionnegotiation": "Firefox starts with QUIC v1 only",
    "multiconnect": "Firefox reuses its one HTTP/3 connection per origin",
    "handshakeloss": "runs as multiconnect (one connection per file); Firefox reuses one",
    "handshakecorruption": "runs as multiconnect (one connection per file); Firefox reuses one",
    "connectionmigration": "Firefox does not migrate to the server's preferred address on demand",
}
WORKERS = 32   # concurrent requests: below every server's initial stream limit


def log(msg):
    print(f"[firefox {time.monotonic() - T0:7.3f}] {msg}", file=sys.stderr, flush=True)


T0 = time.monotonic()


class Failure(Exception):
    pass


# --- profile -----------------------------------------------------------------------------------

def parse_requests(requests):
    urls = requests.split()
    if not urls:
        raise Failure("REQUESTS is empty")
    origins = {}
    for u in urls:
        p = urllib.parse.urlsplit(u)
        if p.scheme != "https" or not p.hostname or not p.path.strip("/"):
            raise Failure(f"REQUESTS: {u!r} is not an https://host[:port]/file URL")
        origins[p.hostname] = p.port or 443
    for host in origins:  # fail early and clearly when /etc/hosts lacks a name
        try:
            socket.getaddrinfo(host, None, proto=socket.IPPROTO_UDP)
        except socket.gaierror as e:
            raise Failure(f"cannot resolve {host} (/etc/hosts): {e}")
    return urls, origins


def prefs(origins, port_file_dir, testcase=""):
    mapping = ",".join(f"{h};h3=:{p}" for h, p in origins.items())
    p = {
        # HTTP/3 at once, to the URL's own port, without an Alt-Svc header first.
        "network.http.http3.enable": True,
        "network.http.http3.alt-svc-mapping-for-testing": mapping,
        "network.http.http3.force-use-alt-svc-mapping-for-testing": True,
        "network.http.http3.disable_when_third_party_roots_found": False,
        "network.http.http3.has_third_party_roots_found_in_automation": False,
        # No TCP fallback, raced or after an error: the test is about QUIC.
        "network.http.http3.fallback_to_h2_on_error": False,
        "network.http.http3.parallel_fallback_conn_limit": 0,
        "network.http.http3.backup_timer_delay": 600000,
        "network.http.http3.retry_different_ip_family": False,
        "network.http.speculative-parallel-limit": 0,
        "network.dns.disablePrefetch": True,
        "network.prefetch-next": False,
        "network.predictor.enabled": False,
        # Names from /etc/hosts only: no DNS over HTTPS, no HTTPS-RR queries.
        "network.trr.mode": 5,
        "network.dns.native_https_query": False,
        "network.dns.echconfig.enabled": False,
        # Networking in the parent process (the key log is written by the process doing TLS).
        "network.process.enabled": False,
        "network.http.http3.enable_qlog": bool(os.environ.get("QLOGDIR")),
        # Marionette on a free loopback port, written to MarionetteActivePort in the profile.
        "marionette.port": 0,
        "remote.prefs.recommended": True,
        # Nothing else on the network (these would go to public names).
        "network.captive-portal-service.enabled": False,
        "network.connectivity-service.enabled": False,
        "app.update.enabled": False,
        "app.update.auto": False,
        "app.normandy.enabled": False,
        "app.shield.optoutstudies.enabled": False,
        "browser.safebrowsing.malware.enabled": False,
        "browser.safebrowsing.phishing.enabled": False,
        "browser.safebrowsing.downloads.enabled": False,
        "browser.safebrowsing.update.enabled": False,
        "browser.search.update": False,
        "browser.shell.checkDefaultBrowser": False,
        "browser.startup.page": 0,
        "browser.startup.homepage": "about:blank",
        "browser.newtabpage.enabled": False,
        "browser.aboutwelcome.enabled": False,
        "datareporting.healthreport.uploadEnabled": False,
        "datareporting.policy.dataSubmissionEnabled": False,
        "toolkit.telemetry.enabled": False,
        "toolkit.telemetry.unified": False,
        "toolkit.telemetry.server": "",
        "extensions.update.enabled": False,
        "extensions.getAddons.cache.enabled": False,
        "extensions.blocklist.enabled": False,
        "services.settings.server": "data:,#remote-settings-dummy/v1",
        "security.OCSP.enabled": 0,
        "security.remote_settings.crlite_filters.enabled": False,
        "security.remote_settings.intermediates.enabled": False,
        "dom.push.connection.enabled": False,
        "browser.ping-centre.telemetry": False,
        "network.http.http3.enable_0rtt": False,
    }
    p.update(TESTCASE_PREFS.get(testcase, {}))
    return "".join(f"user_pref({json.dumps(k)}, {json.dumps(v)});\n" for k, v in p.items())


def pem_blocks(path):
    try:
        with open(path, encoding="ascii") as f:
            text = f.read()
    except (OSError, UnicodeDecodeError) as e:
        raise Failure(f"{path}: {e}")
    begin, end = "-----BEGIN CERTIFICATE-----", "-----END CERTIFICATE-----"
    out, i = [], 0
    while (i := text.find(begin, i)) >= 0:
        j = text.find(end, i)
        if j < 0:
            break
        out.append(text[i:j + len(end)] + "\n")
        i = j
    if not out:
        raise Failure(f"{path}: no PEM certificate")
    return out


def make_profile(profile, origins):
    os.makedirs(profile)
    with open(os.path.join(profile, "user.js"), "w") as f:
        f.write(prefs(origins, profile, os.environ.get("TESTCASE", "")))
    certutil = shutil.which("certutil")
    if not certutil:
        raise Failure("certutil missing (apt-get install libnss3-tools)")
    db = "sql:" + profile
    subprocess.run([certutil, "-N", "-d", db, "--empty-password"], check=True,
                   stdout=subprocess.DEVNULL)
    # quire's runner (like QIR) puts the root in /certs/ca.pem and only leaf + intermediates
    # in cert.pem: trust the root; else the CAs after the leaf in cert.pem (the CI harness's
    # chain); else the lone certificate as a trusted peer.
    blocks = pem_blocks(CERT)
    if os.path.isfile(CA):
        trust = [("quire-root", "C,,", b) for b in pem_blocks(CA)]
    else:
        trust = [("quire-ca-%d" % n, "C,,", b) for n, b in enumerate(blocks[1:])] or \
                [("quire-leaf", "P,,", blocks[0])]
    for nick, t, pem in trust:
        subprocess.run([certutil, "-A", "-d", db, "-n", nick, "-t", t, "-a"], input=pem.encode(),
                       check=True, stdout=subprocess.DEVNULL)
    log(f"trusted {len(trust)} certificate(s) ({trust[0][0]}) in the profile's NSS db")


# --- Marionette --------------------------------------------------------------------------------

class Marionette:
    def __init__(self, port, deadline):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        self.buf = b""
        self.next_id = 0
        hello = self.read(deadline)
        log(f"marionette: {hello}")

    def read(self, deadline):
        while True:
            colon = self.buf.find(b":")
            if colon > 0:
                n = int(self.buf[:colon])
                if len(self.buf) >= colon + 1 + n:
                    msg = self.buf[colon + 1:colon + 1 + n]
                    self.buf = self.buf[colon + 1 + n:]
                    return json.loads(msg)
            left = deadline - time.monotonic()
            if left <= 0:
                raise Failure("timeout waiting for Marionette")
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(1 << 16)
            except socket.timeout:
                raise Failure("timeout waiting for Marionette")
            if not chunk:
                raise Failure("Marionette closed the connection (did Firefox crash?)")
            self.buf += chunk

    def call(self, name, params=None, deadline=None):
        self.next_id += 1
        data = json.dumps([0, self.next_id, name, params or {}]).encode()
        self.sock.sendall(str(len(data)).encode() + b":" + data)
        deadline = deadline or time.monotonic() + 10
        while True:
            msg = self.read(deadline)
            if isinstance(msg, list) and len(msg) == 4 and msg[0] == 1 and msg[1] == self.next_id:
                if msg[2]:
                    raise Failure(f"{name}: {msg[2].get('error')}: {msg[2].get('message')}")
                return msg[3]


def launch(profile, tmp):
    binary = os.environ.get("FIREFOX") or "/usr/lib/firefox-esr/firefox-esr"
    if not os.access(binary, os.X_OK):
        raise Failure(f"{binary} is not installed (apt-get install firefox-esr)")
    env = dict(os.environ, HOME=tmp, TMPDIR=tmp, MOZ_HEADLESS="1",
               MOZ_CRASHREPORTER_DISABLE="1", MOZ_DISABLE_AUTO_SAFE_MODE="1")
    # Firefox's own process output goes to /logs; it is long.
    out = open("/logs/firefox.log", "ab") if os.access("/logs", os.W_OK) else subprocess.DEVNULL
    args = [binary, "-headless", "-marionette", "-remote-allow-system-access", "-no-remote", "-profile", profile, "about:blank"]
    log("exec " + " ".join(args) + f" (SSLKEYLOGFILE={env.get('SSLKEYLOGFILE', '')})")
    return subprocess.Popen(args, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=out,
                            start_new_session=True)


def connect(proc, profile, deadline):
    port_file = os.path.join(profile, "MarionetteActivePort")
    while True:
        if proc.poll() is not None:
            raise Failure(f"Firefox exited with {proc.returncode} before Marionette was up")
        try:
            with open(port_file) as f:
                port = int(f.read().strip())
            return Marionette(port, deadline)
        except (OSError, ValueError):
            pass
        if time.monotonic() > deadline:
            raise Failure("Marionette did not come up")
        time.sleep(0.1)


# The downloads, in the chrome context. Marionette passes the callback as the last argument.
DOWNLOAD_JS = r"""
const [urls, dir, workers, done] = arguments;
const results = new Array(urls.length);
let next = 0;
const one = u => new Promise(resolve => {
  const x = new XMLHttpRequest();
  x.open("GET", u);
  x.responseType = "arraybuffer";
  x.channel.loadFlags |= Ci.nsIRequest.LOAD_BYPASS_CACHE | Ci.nsIRequest.INHIBIT_CACHING;
  const fail = why => resolve({url: u, error: why});
  x.onerror = () => fail("network error");
  x.ontimeout = () => fail("timeout");
  x.onload = async () => {
    let proto = null;
    try { proto = x.channel.QueryInterface(Ci.nsIHttpChannel).protocolVersion; } catch (e) {}
    const body = new Uint8Array(x.response || new ArrayBuffer(0));
    const cl = x.getResponseHeader("content-length");
    const name = decodeURIComponent(new URL(u).pathname.split("/").pop());
    try {
      if (x.status === 200)
        await IOUtils.write(PathUtils.join(dir, name), body);
      resolve({url: u, status: x.status, proto: proto, bytes: body.length,
               length: cl === null ? null : Number(cl)});
    } catch (e) {
      fail("write: " + e);
    }
  };
  x.send();
});
const worker = async () => {
  while (next < urls.length) {
    const i = next++;
    results[i] = await one(urls[i]);
  }
};
Promise.all(Array.from({length: Math.min(workers, urls.length)}, worker))
  .then(() => done(results), e => done([{error: String(e)}]));
"""


def download(m, urls, deadline):
    left_ms = int(max(1, deadline - time.monotonic()) * 1000)
    m.call("WebDriver:SetTimeouts", {"script": left_ms})
    m.call("Marionette:SetContext", {"value": "chrome"})
    t = time.monotonic()
    res = m.call("WebDriver:ExecuteAsyncScript",
                 {"script": DOWNLOAD_JS, "args": [urls, DOWNLOADS, WORKERS]},
                 deadline=deadline + 2)
    results = res.get("value") if isinstance(res, dict) else res
    if not isinstance(results, list) or len(results) != len(urls):
        raise Failure(f"download script returned {str(results)[:300]}")
    errors = []
    total = 0
    for r in results:
        if r.get("error"):
            errors.append(f"{r.get('url')}: {r['error']}")
        elif r.get("status") != 200:
            errors.append(f"{r['url']}: status {r.get('status')}")
        elif r.get("proto") != "h3":
            errors.append(f"{r['url']}: fetched over {r.get('proto')}, not h3")
        elif r.get("length") is not None and r["length"] != r["bytes"]:
            errors.append(f"{r['url']}: {r['bytes']} bytes, Content-Length {r['length']}")
        else:
            total += r["bytes"]
    if errors:
        raise Failure(f"{len(errors)} of {len(urls)} downloads failed: " + "; ".join(errors[:5]))
    log(f"downloaded {len(urls)} files, {total} bytes, over h3 in {time.monotonic() - t:.3f} s")


def check_files(urls):
    """Independent of the script: each file exists under its name (sizes were checked against
    Content-Length by the script, which saw the response)."""
    missing = [u for u in urls if not os.path.isfile(
        os.path.join(DOWNLOADS, os.path.basename(urllib.parse.urlsplit(u).path)))]
    if missing:
        raise Failure(f"missing after download: {' '.join(missing[:5])}")


def copy_qlogs(tmp):
    qlogdir = os.environ.get("QLOGDIR")
    if not qlogdir:
        return
    found = glob.glob(os.path.join(tmp, "qlog_*", "*qlog")) + glob.glob(os.path.join(tmp, "*.sqlog"))
    if not found:
        log(f"note: no qlog under {tmp}")
        return
    os.makedirs(qlogdir, exist_ok=True)
    for f in found:
        shutil.copy(f, os.path.join(qlogdir, os.path.basename(f)))
    log(f"copied {len(found)} qlog file(s) to {qlogdir}")


def main():
    testcase = os.environ.get("TESTCASE", "")
    supported = SUPPORTED | (H3_MODE_SUPPORTED if os.environ.get("QUIRE_ALPN") == "h3" else set())
    if testcase not in supported:
        why = UNSUPPORTED_WHY.get(testcase) or (
            "hq-interop test case: a browser speaks h3 only (run with QUIRE_ALPN=h3)"
            if testcase in H3_MODE_SUPPORTED else "unknown test case")
        print(f"firefox/run_endpoint: unsupported test case: {testcase} ({why})", flush=True)
        return 127
    try:
        timeout = float(os.environ.get("FIREFOX_TIMEOUT", "60"))
    except ValueError:
        log("FIREFOX_TIMEOUT is not a number")
        return 2
    deadline = time.monotonic() + timeout
    proc = None
    tmp = tempfile.mkdtemp(prefix="quire-firefox-")
    try:
        urls, origins = parse_requests(os.environ.get("REQUESTS", ""))
        profile = os.path.join(tmp, "profile")
        make_profile(profile, origins)
        proc = launch(profile, tmp)
        m = connect(proc, profile, deadline)
        caps = m.call("WebDriver:NewSession", {"capabilities": {}}, deadline=deadline)
        caps = caps.get("capabilities", caps)
        log(f"{caps.get('browserName')} {caps.get('browserVersion')} up after "
            f"{time.monotonic() - T0:.3f} s")
        download(m, urls, deadline)
        check_files(urls)
        try:
            m.call("Marionette:Quit", {"flags": ["eForceQuit"]}, deadline=time.monotonic() + 5)
            log("quit")
        except Failure as e:
            log(f"quit: {e}")
        log(f"all {len(urls)} files downloaded")
        return 0
    except (Failure, subprocess.CalledProcessError, OSError) as e:
        log(f"error: {e}")
        return 1
    finally:
        if proc is not None:
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                log("Firefox did not exit: killing it")
            try:
                os.killpg(proc.pid, signal.SIGKILL)  # content processes share its group
            except ProcessLookupError:
                pass
            proc.wait()
        copy_qlogs(tmp)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
