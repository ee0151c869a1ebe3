#!/usr/bin/python3
"""quire's Chromium client: downloads every URL in REQUESTS over HTTP/3 with headless Chromium.

Chromium is driven through the DevTools protocol on --remote-debugging-pipe (it reads
NUL-terminated JSON commands on fd 3 and writes replies and events on fd 4). Downloads go to
/downloads: one <a download> click per URL on an about:blank page, finished when every
Browser.downloadProgress event says "completed". Polling the download folder instead loses
files, and link prefetch opens a second connection unless net.network_prediction_options = 2.
Clicks go one at a time (about one RTT each), too slow for multiplexing's 1999 files in 60 s:
more than MANY_URLS URLs are fetched by fetch() in the page instead, FETCH_WORKERS at a time
(web security off, so about:blank may read cross-origin bodies), and this script writes the
files.

The certificate is accepted through --ignore-certificate-errors-spki-list (the SHA-256 of the
leaf's SubjectPublicKeyInfo from /certs/cert.pem); host names are mapped to the addresses
/etc/hosts gives them with --host-resolver-rules, and QUIC is forced for each origin.

Environment: TESTCASE, REQUESTS, SSLKEYLOGFILE, CHROME_TIMEOUT (seconds, default 60),
CHROMIUM (binary), QUIRE_ALPN (h3: also handshake, transfer, retry, goodput, crosstraffic over h3).
Exit 0 every file downloaded, 1 failure, 127 unsupported test case.
Standard library only.
"""

import base64
import hashlib
import json
import os
import select
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
SUPPORTED = {"http3"}
# quire extension: with QUIRE_ALPN=h3 the hq test cases whose client side is "download these
# files over one connection" run over HTTP/3 (the server must speak h3 then, too).
# (retry: the client has nothing to do but follow the Retry, which Chromium does.)
# The loss, corruption, blackhole, amplification, long-RTT, IPv6 and rebinding cases ask nothing
# else of the client: the simulator (or server6 in REQUESTS) makes them what they are.
H3_MODE_SUPPORTED = {"handshake", "transfer", "retry", "goodput", "crosstraffic", "multiplexing",
                     "longrtt", "ipv6", "transferloss", "transfercorruption", "blackhole",
                     "amplificationlimit", "rebind-port", "rebind-addr"}
MANY_URLS = 16


def log(msg):
    print(f"[chrome {time.monotonic() - T0:7.3f}] {msg}", file=sys.stderr, flush=True)


T0 = time.monotonic()


class Failure(Exception):
    pass


# --- certificate: SHA-256 of the leaf's SubjectPublicKeyInfo, base64 ---------------------------

def der_tlv(buf, pos):
    """Returns (tag, content_start, content_end) of the DER element at pos."""
    if pos + 2 > len(buf):
        raise Failure(f"{CERT}: truncated DER at byte {pos}")
    tag, first = buf[pos], buf[pos + 1]
    pos += 2
    if first < 0x80:
        length = first
    else:
        n = first & 0x7F
        if n == 0 or n > 4 or pos + n > len(buf):
            raise Failure(f"{CERT}: bad DER length at byte {pos - 1}")
        length = int.from_bytes(buf[pos:pos + n], "big")
        pos += n
    if pos + length > len(buf):
        raise Failure(f"{CERT}: DER element at byte {pos} overruns the certificate")
    return tag, pos, pos + length


def leaf_spki_sha256(pem_path):
    try:
        with open(pem_path, encoding="ascii") as f:
            text = f.read()
    except (OSError, UnicodeDecodeError) as e:
        raise Failure(f"{pem_path}: {e}")
    begin, end = "-----BEGIN CERTIFICATE-----", "-----END CERTIFICATE-----"
    i = text.find(begin)
    j = text.find(end, i)
    if i < 0 or j < 0:
        raise Failure(f"{pem_path}: no PEM certificate")
    try:
        der = base64.b64decode("".join(text[i + len(begin):j].split()), validate=True)
    except ValueError as e:
        raise Failure(f"{pem_path}: bad base64 in the first certificate: {e}")
    # Certificate ::= SEQUENCE { tbsCertificate SEQUENCE { [0] version OPTIONAL, serial,
    #   signature, issuer, validity, subject, subjectPublicKeyInfo, ... }, ... }
    tag, start, _ = der_tlv(der, 0)
    if tag != 0x30:
        raise Failure(f"{pem_path}: certificate is not a DER SEQUENCE")
    tag, pos, tbs_end = der_tlv(der, start)
    if tag != 0x30:
        raise Failure(f"{pem_path}: tbsCertificate is not a SEQUENCE")
    tag, _, nxt = der_tlv(der, pos)
    if tag == 0xA0:  # explicit version
        pos = nxt
    for _ in range(5):  # serial, signature, issuer, validity, subject
        _, _, pos = der_tlv(der, pos)
    if pos >= tbs_end:
        raise Failure(f"{pem_path}: tbsCertificate ends before subjectPublicKeyInfo")
    tag, _, spki_end = der_tlv(der, pos)
    if tag != 0x30:
        raise Failure(f"{pem_path}: subjectPublicKeyInfo is not a SEQUENCE (byte {pos})")
    return base64.b64encode(hashlib.sha256(der[pos:spki_end]).digest()).decode()


# --- URLs and name resolution ------------------------------------------------------------------

def parse_requests(requests):
    urls = requests.split()
    if not urls:
        raise Failure("REQUESTS is empty")
    origins = {}  # host -> port
    for u in urls:
        p = urllib.parse.urlsplit(u)
        if p.scheme != "https" or not p.hostname or not p.path.strip("/"):
            raise Failure(f"REQUESTS: {u!r} is not an https://host[:port]/file URL")
        origins[p.hostname] = p.port or 443
    return urls, origins


def url_key(url):
    """(host, port, path): Chromium reports https://h:443/x as https://h/x."""
    p = urllib.parse.urlsplit(url)
    try:
        port = p.port or 443
    except ValueError:
        port = None
    return (p.hostname, port, p.path)


def resolver_rules(origins):
    """MAP rules pinning each URL host to the address /etc/hosts gives it."""
    rules = []
    for host in origins:
        try:
            addr = socket.getaddrinfo(host, None, proto=socket.IPPROTO_UDP)[0][4][0]
        except socket.gaierror as e:
            raise Failure(f"cannot resolve {host} (/etc/hosts): {e}")
        rules.append(f"MAP {host} {'[' + addr + ']' if ':' in addr else addr}")
    rules.append("MAP * ~NOTFOUND")
    return ", ".join(rules)


# --- DevTools protocol over the pipe -----------------------------------------------------------

class Pipe:
    def __init__(self, wfd, rfd):
        self.wfd, self.rfd = wfd, rfd
        self.buf = b""
        self.next_id = 0
        self.events = []

    def send(self, method, params=None, session=None):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        data = json.dumps(msg).encode() + b"\0"
        while data:
            data = data[os.write(self.wfd, data):]
        return self.next_id

    def read(self, deadline):
        """Next message, or None at the deadline."""
        while b"\0" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            r, _, _ = select.select([self.rfd], [], [], left)
            if not r:
                return None
            chunk = os.read(self.rfd, 1 << 16)
            if not chunk:
                raise Failure("Chromium closed the DevTools pipe (did it crash?)")
            self.buf += chunk
        msg, self.buf = self.buf.split(b"\0", 1)
        return json.loads(msg)

    def call(self, method, params=None, session=None, deadline=None):
        """Sends a command and waits for its reply; events seen meanwhile are queued."""
        mid = self.send(method, params, session)
        deadline = deadline or time.monotonic() + 10
        while True:
            msg = self.read(deadline)
            if msg is None:
                raise Failure(f"no reply to {method}")
            if msg.get("id") == mid:
                if "error" in msg:
                    raise Failure(f"{method}: {msg['error'].get('message')}")
                return msg.get("result", {})
            if "method" in msg:
                self.events.append(msg)


# --- the download ------------------------------------------------------------------------------

def launch(profile, urls, origins, spki):
    binary = os.environ.get("CHROMIUM") or next(
        (b for b in ("/usr/lib/chromium/chromium", shutil.which("chromium") or "") if b and os.access(b, os.X_OK)),
        None)
    if not binary:
        raise Failure("chromium is not installed")
    os.makedirs(os.path.join(profile, "Default"))
    with open(os.path.join(profile, "Default", "Preferences"), "w") as f:
        # No link prefetch/preconnect (a second connection), downloads without asking.
        json.dump({"net": {"network_prediction_options": 2},
                   "download": {"default_directory": DOWNLOADS, "prompt_for_download": False}}, f)
    args = [
        binary, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-default-apps", "--disable-extensions", "--no-default-browser-check",
        f"--user-data-dir={profile}", "--remote-debugging-pipe",
        "--enable-quic",
        "--origin-to-force-quic-on=" + ",".join(f"{h}:{p}" for h, p in origins.items()),
        "--host-resolver-rules=" + resolver_rules(origins),
        f"--ignore-certificate-errors-spki-list={spki}",
    ]
    if os.access("/logs", os.W_OK):
        # Chromium's NetLog (its QUIC events in JSON), where QIR's chrome image puts it.
        args += ["--log-net-log=/logs/chrome.json", "--net-log-capture-mode=IncludeSensitive"]
    keylog = os.environ.get("SSLKEYLOGFILE")
    if keylog:
        args.append(f"--ssl-key-log-file={keylog}")
    if len(urls) > MANY_URLS:
        args.append("--disable-web-security")  # fetch_all reads cross-origin bodies
    args.append("about:blank")
    log("exec " + " ".join(args))

    cmd_r, cmd_w = os.pipe()    # we write commands, Chromium reads them on fd 3
    resp_r, resp_w = os.pipe()  # Chromium writes on fd 4, we read

    def child_fds():
        a = os.dup(cmd_r)
        b = os.dup(resp_w)
        os.dup2(a, 3)
        os.dup2(b, 4)

    out = open(os.path.join("/logs", "chromium.log"), "ab") if os.access("/logs", os.W_OK) else subprocess.DEVNULL
    proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=out, stderr=out,
                            preexec_fn=child_fds, pass_fds=(3, 4), start_new_session=True)
    os.close(cmd_r)
    os.close(resp_w)
    return proc, Pipe(cmd_w, resp_r)


CLICK_JS = """
(u => {
  const a = document.createElement('a');
  a.href = u;
  a.download = u.split('/').pop();
  document.body.appendChild(a);
  a.click();
  return true;
})(%s)
"""


class Downloads:
    """Follows Browser.downloadWillBegin / Browser.downloadProgress events."""

    def __init__(self, pipe, deadline):
        self.pipe, self.deadline = pipe, deadline
        self.begun = {}  # guid -> (url, suggested file name)
        self.done = set()
        self.protocol = {}  # url -> protocol of its response ("h3", "h2", "http/1.1")

    def step(self, total):
        msg = self.pipe.events.pop(0) if self.pipe.events else self.pipe.read(self.deadline)
        if msg is None:
            raise Failure(f"timeout: {len(self.done)} of {total} downloads completed, "
                          f"{len(self.begun)} started")
        method, p = msg.get("method"), msg.get("params", {})
        if method == "Network.responseReceived":
            resp = p.get("response", {})
            self.protocol[url_key(resp.get("url", ""))] = resp.get("protocol")
        elif method == "Browser.downloadWillBegin":
            self.begun[p["guid"]] = (p.get("url"), p.get("suggestedFilename"))
            log(f"download started: {p.get('url')} -> {p.get('suggestedFilename')}")
        elif method == "Browser.downloadProgress":
            state = p.get("state")
            if state == "completed" and p["guid"] not in self.done:
                self.done.add(p["guid"])
                url = self.begun.get(p["guid"], ("?",))[0]
                log(f"download completed: {url} ({p.get('receivedBytes')} bytes)")
            elif state == "canceled":
                url = self.begun.get(p["guid"], ("?",))[0]
                raise Failure(f"download of {url} was canceled")


# FETCH_WORKERS fetches at a time: below any server's stream limit, so Chromium never queues
# requests on STREAMS_BLOCKED (with 1999 at once it sends one per request and closes its own
# connection, "More than 1000 buffered control frames").
FETCH_WORKERS = 32
FETCH_JS = """
(async (urls, workers) => {
  const out = new Array(urls.length);
  let next = 0;
  const one = async u => {
    try {
      const r = await fetch(u, {cache: 'no-store'});
      const b = new Uint8Array(await r.arrayBuffer());
      let s = '';
      for (let i = 0; i < b.length; i += 0x8000)
        s += String.fromCharCode(...b.subarray(i, i + 0x8000));
      return [r.status, btoa(s)];
    } catch (e) {
      return [0, String(e)];
    }
  };
  const worker = async () => {
    while (next < urls.length) {
      const i = next++;
      out[i] = await one(urls[i]);
    }
  };
  await Promise.all(Array.from({length: workers}, worker));
  return out;
})(%s, %d)
"""


def fetch_all(pipe, session, urls, deadline):
    """Every URL fetched concurrently over the page's one QUIC connection; files written here.
    Returns the response protocols seen, by URL key."""
    res = pipe.call("Runtime.evaluate", {"expression": FETCH_JS % (json.dumps(urls), FETCH_WORKERS),
                                         "awaitPromise": True, "returnByValue": True},
                    session=session, deadline=deadline)
    if res.get("exceptionDetails"):
        raise Failure(f"fetch script failed: {res['exceptionDetails'].get('text')}")
    answers = res.get("result", {}).get("value") or []
    if len(answers) != len(urls):
        raise Failure(f"fetch script returned {len(answers)} answers for {len(urls)} URLs")
    for u, (status, body) in zip(urls, answers):
        if status != 200:
            raise Failure(f"{u}: " + (f"status {status}" if status else f"fetch failed: {body}"))
        name = os.path.basename(urllib.parse.urlsplit(u).path)
        with open(os.path.join(DOWNLOADS, name), "wb") as f:
            f.write(base64.b64decode(body))
    log(f"fetched {len(urls)} URLs")
    protocol = {}
    for msg in pipe.events:
        if msg.get("method") == "Network.responseReceived":
            resp = msg.get("params", {}).get("response", {})
            protocol[url_key(resp.get("url", ""))] = resp.get("protocol")
    pipe.events.clear()
    return protocol


def click_all(pipe, session, dl, urls, deadline):
    """One <a download> per URL; returns when every download completed."""
    # A cross-origin <a download> is a navigation that turns into a download; a second click
    # before the first download has begun cancels the first. So: one click, wait for its
    # downloadWillBegin, next click. The downloads themselves run concurrently.
    for i, u in enumerate(urls):
        res = pipe.call("Runtime.evaluate", {"expression": CLICK_JS % json.dumps(u),
                                             "returnByValue": True},
                        session=session, deadline=deadline)
        if res.get("exceptionDetails"):
            raise Failure(f"click script failed: {res['exceptionDetails'].get('text')}")
        while len(dl.begun) <= i:
            dl.step(len(urls))
    log(f"clicked {len(urls)} links")
    while len(dl.done) < len(urls):
        dl.step(len(urls))


def download(pipe, urls, deadline):
    """Returns {key: (url, file name Chromium chose or None)}."""
    pipe.call("Browser.setDownloadBehavior",
              {"behavior": "allow", "downloadPath": DOWNLOADS, "eventsEnabled": True})
    targets = pipe.call("Target.getTargets")["targetInfos"]
    page = next((t["targetId"] for t in targets if t["type"] == "page"), None)
    if page is None:
        page = pipe.call("Target.createTarget", {"url": "about:blank"})["targetId"]
    session = pipe.call("Target.attachToTarget", {"targetId": page, "flatten": True})["sessionId"]
    pipe.call("Network.enable", session=session)
    dl = Downloads(pipe, deadline)
    if len(urls) > MANY_URLS:
        dl.protocol = fetch_all(pipe, session, urls, deadline)
        dl.begun = {u: (u, None) for u in urls}
    else:
        click_all(pipe, session, dl, urls, deadline)
    # The test is about HTTP/3: a download that fell back to TCP does not count.
    for u in urls:
        proto = dl.protocol.get(url_key(u))
        if proto is None:
            log(f"note: no response event for {u}; protocol unknown")
        elif proto != "h3":
            raise Failure(f"{u} was fetched over {proto}, not h3")
    return dl.begun


def check_files(urls, begun, deadline):
    """Every URL's file must be in /downloads under its own name (renamed if Chromium chose
    another one, e.g. "x (1)")."""
    by_url = {u: n for u, n in begun.values()}
    missing = []
    for u in urls:
        want = os.path.join(DOWNLOADS, os.path.basename(urllib.parse.urlsplit(u).path))
        got = os.path.join(DOWNLOADS, by_url.get(u) or "")
        # The final rename can trail the "completed" event by a moment.
        while not os.path.isfile(want) and not os.path.isfile(got) and time.monotonic() < deadline:
            time.sleep(0.02)
        if not os.path.isfile(want) and os.path.isfile(got):
            os.rename(got, want)
        if not os.path.isfile(want):
            missing.append(u)
    if missing:
        raise Failure(f"missing after download: {' '.join(missing)}")


def main():
    testcase = os.environ.get("TESTCASE", "")
    supported = SUPPORTED
    if os.environ.get("QUIRE_ALPN") == "h3":
        supported = SUPPORTED | H3_MODE_SUPPORTED
    if testcase not in supported:
        log(f"test case {testcase!r} not supported (Chromium does {', '.join(sorted(supported))})")
        return 127
    try:
        timeout = float(os.environ.get("CHROME_TIMEOUT", "60"))
    except ValueError:
        log("CHROME_TIMEOUT is not a number")
        return 2
    deadline = time.monotonic() + timeout
    proc = None
    profile = tempfile.mkdtemp(prefix="quire-chrome-")
    try:
        urls, origins = parse_requests(os.environ.get("REQUESTS", ""))
        spki = leaf_spki_sha256(CERT)
        proc, pipe = launch(os.path.join(profile, "p"), urls, origins, spki)
        log("Chromium " + pipe.call("Browser.getVersion", deadline=deadline).get("product", "?"))
        begun = download(pipe, urls, deadline)
        check_files(urls, begun, deadline)
        try:
            pipe.call("Browser.close", deadline=time.monotonic() + 5)
        except Failure:
            pass
        log(f"all {len(urls)} files downloaded")
        return 0
    except Failure as e:
        log(f"error: {e}")
        return 1
    finally:
        if proc is not None:
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                log("Chromium did not exit: killing it")
            # Its helpers (zygote, renderers, crashpad) share its process group.
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait()
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
