"""quire's aioquic WebTransport endpoint: QIR's WebTransport contract (webtransport.md in the
quic-interop-runner repository) over aioquic's HTTP/3 layer (draft-02 WebTransport sessions,
streams and datagrams).

Environment: ROLE (server|client), TESTCASE (handshake, transfer, or the requesting side's full
name transfer-{unidirectional,bidirectional,datagram}-{receive,send}), REQUESTS (client: URLs
https://host:port/<endpoint>[/<file>]; server: paths <endpoint>/<file>), PROTOCOLS (QIR's
docker-compose.yml hands the role's PROTOCOLS_CLIENT / PROTOCOLS_SERVER through under that
name; PROTOCOLS_<ROLE> is read when PROTOCOLS is unset), SSLKEYLOGFILE, QLOGDIR. Files are
served from /www/<endpoint>/ and saved to /downloads/<endpoint>/; the handshake case writes the
negotiated protocol to /downloads/negotiated_protocol.txt. The application protocol is
negotiated with the wt-available-protocols request header (a structured-field list of strings)
and the wt-protocol response header (a string): the server picks the client's first protocol
it also has.

Exit: 0 done, 1 failure, 127 unsupported test case. The server runs until SIGTERM (exit 0).
"""

import asyncio
import logging
import os
import signal
import sys
import time
from urllib.parse import urlparse

from aioquic.asyncio import connect, serve
from aioquic.asyncio.protocol import QuicConnectionProtocol
from aioquic.h3.connection import H3_ALPN, H3Connection
from aioquic.h3.events import (DataReceived, DatagramReceived, HeadersReceived,
                               WebTransportStreamDataReceived)
from aioquic.quic.configuration import QuicConfiguration
from aioquic.quic.events import ConnectionTerminated, ProtocolNegotiated, StreamDataReceived
from aioquic.quic.logger import QuicFileLogger

KINDS = ("unidirectional", "bidirectional", "datagram")
WWW = os.environ.get("QUIRE_WT_WWW", "/www")
DOWNLOADS = os.environ.get("QUIRE_WT_DOWNLOADS", "/downloads")
CERTS = os.environ.get("QUIRE_WT_CERTS", "/certs")
# A broken peer for quire's integration tests (tests/endpoints/wtbroken): as the responder,
# with "drop" in the list it never answers the second datagram request it sees, with "corrupt"
# it flips the first byte of the first file it sends on a stream; the requester's side must
# then fail.
BREAK = os.environ.get("QUIRE_WT_BREAK", "").split()

log = logging.getLogger("wt")
DGRAM_BATCH, DGRAM_TICK, DGRAM_AGAIN = 16, 0.02, 1.0
CLOSE_GRACE = 1.0  # seconds between closing the sessions and closing the connection


def parse_case(role, testcase):
    """Returns (kind, requester) for a supported TESTCASE: kind None for handshake, requester
    True when this role asks for files. None for an unsupported one."""
    if testcase == "handshake":
        return (None, role == "client")
    if testcase == "transfer":
        return ("any", False)
    parts = testcase.split("-")
    if len(parts) == 3 and parts[0] == "transfer" and parts[1] in KINDS and \
            parts[2] in ("receive", "send"):
        return (parts[1], True)
    return None


def sf_list(protocols):
    """A structured-field list of strings (RFC 8941)."""
    out = []
    for p in protocols:
        out.append('"' + p.replace("\\", "\\\\").replace('"', '\\"') + '"')
    return ", ".join(out)


def sf_parse_list(value):
    """The strings (or tokens) of a structured-field list; parameters are ignored."""
    items, i, n = [], 0, len(value)
    while i < n:
        while i < n and value[i] in " \t,":
            i += 1
        if i >= n:
            break
        if value[i] == '"':
            i += 1
            s = []
            while i < n and value[i] != '"':
                if value[i] == "\\" and i + 1 < n:
                    i += 1
                s.append(value[i])
                i += 1
            i += 1
            items.append("".join(s))
        else:
            j = i
            while j < n and value[j] not in ",;":
                j += 1
            items.append(value[i:j].strip())
            i = j
        while i < n and value[i] != ",":  # parameters
            i += 1
    return items


def safe_name(name):
    return name and "/" not in name and not name.startswith(".") and "\0" not in name


def save(endpoint, name, data):
    d = os.path.join(DOWNLOADS, endpoint)
    os.makedirs(d, exist_ok=True)
    tmp = os.path.join(d, "." + name + ".part")
    with open(tmp, "wb") as f:
        f.write(data)
    os.rename(tmp, os.path.join(d, name))


def read_www(endpoint, name):
    if not safe_name(name) or not safe_name(endpoint):
        return None
    try:
        with open(os.path.join(WWW, endpoint, name), "rb") as f:
            return f.read()
    except OSError:
        return None


def write_protocol(proto):
    os.makedirs(DOWNLOADS, exist_ok=True)
    with open(os.path.join(DOWNLOADS, "negotiated_protocol.txt"), "w") as f:
        f.write(proto + "\n")


class Session:
    def __init__(self, sid, endpoint):
        self.sid = sid
        self.endpoint = endpoint
        self.wanted = []      # files this side requests in this session
        self.got = set()
        self.dgram_sent = {}  # file -> time of the last GET datagram
        self.protocol = None
        self.closed = False   # the peer ended the CONNECT stream


class WtProtocol(QuicConnectionProtocol):
    """One QUIC connection (either role) with its WebTransport sessions."""

    cfg = None  # set by main: dict(role, kind, requester, protocols, requests, done)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.h3 = None
        self.sessions = {}        # session id -> Session
        self.pending = {}         # client: CONNECT stream id -> Session awaiting its response
        self.streams = {}         # stream id -> bytearray (incoming WT stream data)
        self.stream_role = {}     # our requests: stream id -> (session, file) (bidi)
        self.answered = 0
        self.ended = asyncio.get_event_loop().create_future()
        self.all_done = asyncio.get_event_loop().create_future()

    # ---- events
    def quic_event_received(self, event):
        if isinstance(event, ProtocolNegotiated) and event.alpn_protocol in H3_ALPN:
            self.h3 = H3Connection(self._quic, enable_webtransport=True)
        elif isinstance(event, ConnectionTerminated):
            log.info("connection terminated: error %s %s", event.error_code, event.reason_phrase)
            if not self.ended.done():
                self.ended.set_result(event.error_code)
        if isinstance(event, StreamDataReceived) and event.stream_id in self.stream_role:
            # the answer on a bidirectional stream we opened: aioquic's H3 layer would parse it
            # as HTTP/3 frames (it keeps no WebTransport state for streams it creates)
            buf = self.streams.setdefault(event.stream_id, bytearray())
            buf += event.data
            if event.end_stream:
                s, name = self.stream_role.pop(event.stream_id)
                self.received_file(s, name, bytes(self.streams.pop(event.stream_id)))
            return
        if self.h3 is not None:
            for ev in self.h3.handle_event(event):
                self.h3_event(ev)

    def h3_event(self, ev):
        if isinstance(ev, HeadersReceived):
            self.headers(ev)
        elif isinstance(ev, WebTransportStreamDataReceived):
            buf = self.streams.setdefault(ev.stream_id, bytearray())
            buf += ev.data
            if ev.stream_ended:
                data = bytes(self.streams.pop(ev.stream_id))
                self.stream_done(ev.session_id, ev.stream_id, data)
        elif isinstance(ev, DatagramReceived):
            self.datagram(ev.stream_id, ev.data)
        elif isinstance(ev, DataReceived) and ev.stream_ended and ev.stream_id in self.sessions:
            self.session_closed(ev.stream_id)

    def session_closed(self, sid):
        """The peer ended a session's CONNECT stream (a session close with code 0, draft-ietf-
        webtrans-http3 6): a responder client whose sessions are all closed closes the
        connection, which ends it."""
        self.sessions[sid].closed = True
        log.info("session %d closed by the peer", sid)
        if self.cfg["role"] == "client" and not self.cfg["requester"] and \
                all(x.closed for x in self.sessions.values()):
            self._quic.close(error_code=0, reason_phrase="sessions closed")
            self.transmit()

    def headers(self, ev):
        h = {k.decode(): v.decode(errors="replace") for k, v in ev.headers}
        if self.cfg["role"] == "server":
            if h.get(":method") != "CONNECT" or h.get(":protocol") != "webtransport":
                self.h3.send_headers(ev.stream_id, [(b":status", b"400")], end_stream=True)
                self.transmit()
                return
            endpoint = h.get(":path", "/").split("?")[0].strip("/")
            offered = sf_parse_list(h.get("wt-available-protocols", ""))
            mine = self.cfg["protocols"]
            chosen = next((p for p in offered if p in mine), None)
            s = Session(ev.stream_id, endpoint)
            s.protocol = chosen
            self.sessions[ev.stream_id] = s
            log.info("session %d on /%s, offered %s, chose %s (request headers: %s)",
                     ev.stream_id, endpoint, offered, chosen, " ".join(sorted(h)))
            if self.cfg["kind"] is None and chosen is not None:
                write_protocol(chosen)
            hdrs = [(b":status", b"200"), (b"sec-webtransport-http3-draft", b"draft02")]
            if chosen is not None:
                hdrs.append((b"wt-protocol", sf_list([chosen]).encode()))
            self.h3.send_headers(ev.stream_id, hdrs, end_stream=False)
            if self.cfg["requester"]:
                s.wanted = list(self.cfg["requests"].get(endpoint, []))
                self.request_all(s)
            self.transmit()
            return
        s = self.pending.pop(ev.stream_id, None)
        if s is None:
            return
        status = h.get(":status")
        if status != "200":
            log.error("session on /%s refused: status %s", s.endpoint, status)
            self.fail()
            return
        p = sf_parse_list(h.get("wt-protocol", ""))
        s.protocol = p[0] if p else None
        self.sessions[s.sid] = s
        log.info("session %d on /%s established, protocol %s", s.sid, s.endpoint, s.protocol)
        if self.cfg["kind"] is None and s.protocol is not None:
            write_protocol(s.protocol)
        if self.cfg["requester"]:
            self.request_all(s)
        self.check_done()
        self.transmit()

    # ---- requester
    def request_all(self, s):
        kind = self.cfg["kind"]
        for name in s.wanted:
            req = ("GET " + name).encode()
            if kind == "unidirectional":
                sid = self.h3.create_webtransport_stream(s.sid, is_unidirectional=True)
                self._quic.send_stream_data(sid, req, end_stream=True)
            elif kind == "bidirectional":
                sid = self.h3.create_webtransport_stream(s.sid, is_unidirectional=False)
                self.stream_role[sid] = (s, name)
                self._quic.send_stream_data(sid, req, end_stream=True)
        if kind == "datagram" and s.wanted:
            asyncio.ensure_future(self.request_datagrams(s))
        self.check_done()

    async def request_datagrams(self, s):
        """GET datagrams DGRAM_BATCH at a time, DGRAM_TICK apart, and again for what has not
        come after DGRAM_AGAIN s: a receiver's datagram queue is short (a browser drops the
        oldest when it is full), and datagrams may be lost."""
        while not self.ended.done() and len(s.got) < len(s.wanted):
            now = time.monotonic()
            batch = [n for n in s.wanted if n not in s.got and
                     now - s.dgram_sent.get(n, -DGRAM_AGAIN) >= DGRAM_AGAIN][:DGRAM_BATCH]
            again = sum(1 for n in batch if n in s.dgram_sent)
            for name in batch:
                self.h3.send_datagram(s.sid, ("GET " + name).encode())
                s.dgram_sent[name] = now
            if again:
                log.info("session %d: %d of %d files, asked again for %d", s.sid, len(s.got),
                         len(s.wanted), again)
            self.transmit()
            await asyncio.sleep(DGRAM_TICK)

    def received_file(self, s, name, data):
        if s is None or name not in s.wanted or name in s.got:
            return
        save(s.endpoint, name, data)
        s.got.add(name)
        self.check_done()

    def check_done(self):
        if not self.cfg["requester"] or self.all_done.done():
            return
        want = self.cfg["endpoints"]
        for ep in want:
            s = next((x for x in self.sessions.values() if x.endpoint == ep), None)
            if s is None or len(s.got) < len(self.cfg["requests"].get(ep, [])):
                return
        log.info("all files received on %d session(s)", len(want))
        self.all_done.set_result(True)

    # ---- responder and requester: whole streams and datagrams
    def stream_done(self, session_id, stream_id, data):
        s = self.sessions.get(session_id)
        ours = (stream_id & 1) == (0 if self.cfg["role"] == "client" else 1)
        if ours:  # the answer on our own bidirectional request stream
            s2, name = self.stream_role.pop(stream_id, (None, None))
            if name is not None:
                self.received_file(s2, name, data)
            return
        if data.startswith(b"PUSH "):  # a pushed file on a peer's unidirectional stream
            nl = data.find(b"\n")
            if nl > 0:
                self.received_file(s, data[5:nl].decode(errors="replace").strip(), data[nl + 1:])
            return
        if data.startswith(b"GET ") and s is not None:
            name = data[4:].decode(errors="replace").strip()
            body = self.answer(s, name)
            if body is None:  # no such file (or dropped on purpose): no answer
                return
            if stream_id & 2:  # unidirectional request: push on a new stream
                sid = self.h3.create_webtransport_stream(s.sid, is_unidirectional=True)
                self._quic.send_stream_data(sid, b"PUSH " + name.encode() + b"\n" + body,
                                            end_stream=True)
            else:  # bidirectional: the contents on the same stream
                self._quic.send_stream_data(stream_id, body, end_stream=True)
            self.transmit()

    def answer(self, s, name, datagram=False):
        body = read_www(s.endpoint, name)
        if body is None:
            log.warning("GET %s on /%s: no such file", name, s.endpoint)
            return None
        idx = self.answered
        self.answered += 1
        if "drop" in BREAK and datagram and idx == 1:
            log.warning("QUIRE_WT_BREAK=drop: not answering %s", name)
            return None
        if "corrupt" in BREAK and not datagram and idx == 0 and body:
            log.warning("QUIRE_WT_BREAK=corrupt: first byte of %s flipped", name)
            body = bytes([body[0] ^ 0xFF]) + body[1:]
        return body

    def datagram(self, session_id, data):
        s = self.sessions.get(session_id)
        if s is None:
            return
        if data.startswith(b"PUSH "):
            nl = data.find(b"\n")
            if nl > 0:
                self.received_file(s, data[5:nl].decode(errors="replace").strip(), data[nl + 1:])
        elif data.startswith(b"GET "):
            name = data[4:].decode(errors="replace").strip()
            if name in getattr(s, "dropped", set()):
                return
            body = self.answer(s, name, datagram=True)
            if body is None:
                s.dropped = getattr(s, "dropped", set()) | {name}
                return
            self.h3.send_datagram(s.sid, b"PUSH " + name.encode() + b"\n" + body)
            self.transmit()

    def fail(self):
        if not self.all_done.done():
            self.all_done.set_result(False)

    # ---- client: open the sessions
    def open_sessions(self, authority):
        for ep in self.cfg["endpoints"]:
            sid = self._quic.get_next_available_stream_id()
            hdrs = [(b":method", b"CONNECT"), (b":scheme", b"https"),
                    (b":authority", authority.encode()), (b":path", ("/" + ep).encode()),
                    (b":protocol", b"webtransport"), (b"sec-webtransport-http3-draft02", b"1"),
                    (b"origin", ("https://" + authority).encode())]
            if self.cfg["protocols"]:
                hdrs.append((b"wt-available-protocols", sf_list(self.cfg["protocols"]).encode()))
            self.h3.send_headers(sid, hdrs, end_stream=False)
            s = Session(sid, ep)
            s.wanted = list(self.cfg["requests"].get(ep, []))
            self.pending[sid] = s
        self.transmit()


def configuration(is_client):
    c = QuicConfiguration(is_client=is_client, alpn_protocols=H3_ALPN,
                          max_datagram_frame_size=65536, max_data=32 << 20,
                          max_stream_data=16 << 20, idle_timeout=30.0)
    if os.environ.get("SSLKEYLOGFILE"):
        c.secrets_log_file = open(os.environ["SSLKEYLOGFILE"], "a")
    if os.environ.get("QLOGDIR"):
        os.makedirs(os.environ["QLOGDIR"], exist_ok=True)
        c.quic_logger = QuicFileLogger(os.environ["QLOGDIR"])
    return c


def group(paths):
    """{endpoint: [file, ...]} and the endpoints in order, from <endpoint>[/<file>] paths."""
    req, order = {}, []
    for p in paths:
        p = p.strip("/")
        if not p:
            continue
        ep, _, name = p.partition("/")
        if ep not in req:
            req[ep] = []
            order.append(ep)
        if name:
            req[ep].append(name)
    return req, order


async def run_server(cfg):
    c = configuration(False)
    c.load_cert_chain(os.path.join(CERTS, "cert.pem"), os.path.join(CERTS, "priv.key"))
    WtProtocol.cfg = cfg
    await serve("::", 443, configuration=c, create_protocol=WtProtocol)
    log.info("listening on [::]:443")
    stop = asyncio.get_event_loop().create_future()
    for sig in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_event_loop().add_signal_handler(sig, lambda: stop.done() or
                                                    stop.set_result(0))
    if cfg["requester"]:
        asyncio.ensure_future(close_when_done(cfg))
    await stop
    return 0


async def close_when_done(cfg):
    """The server as requester (the "send" cases): once a connection has every file, end its
    sessions (a FIN on each CONNECT stream: a session close with code 0), which ends the client
    (QIR ends the test when the client exits); the connection itself closes when the client
    closes it or CLOSE_GRACE seconds later, whichever comes first."""
    while True:
        await asyncio.sleep(0.05)
        for p in list(cfg["connections"]):
            if p.all_done.done() and not p.ended.done():
                for sid in p.sessions:
                    p._quic.send_stream_data(sid, b"", end_stream=True)
                p.transmit()
                log.info("closed %d session(s)", len(p.sessions))
                try:
                    await asyncio.wait_for(asyncio.shield(p.ended), CLOSE_GRACE)
                except asyncio.TimeoutError:
                    p._quic.close(error_code=0, reason_phrase="all files received")
                    p.transmit()
                return


async def run_client(cfg, urls):
    u = urlparse(urls[0])
    host, port = u.hostname, u.port or 443
    c = configuration(True)
    c.server_name = host
    ca = os.path.join(CERTS, "ca.pem")
    if os.path.exists(ca):
        c.load_verify_locations(ca)
    import ssl
    c.verify_mode = ssl.CERT_NONE  # the runner's test CA does not name server4 for sure
    WtProtocol.cfg = cfg
    async with connect(host, port, configuration=c, create_protocol=WtProtocol,
                       wait_connected=True) as p:
        if p.h3 is None:
            log.error("no HTTP/3 negotiated")
            return 1
        authority = u.netloc
        p.open_sessions(authority)
        if cfg["requester"] or cfg["kind"] is None:
            if cfg["kind"] is None:  # handshake: every session answered
                while len(p.sessions) < len(cfg["endpoints"]) and not p.ended.done() and \
                        not p.all_done.done():
                    await asyncio.sleep(0.01)
                ok = len(p.sessions) == len(cfg["endpoints"])
            else:
                await asyncio.wait([p.all_done, p.ended], return_when=asyncio.FIRST_COMPLETED)
                ok = p.all_done.done() and p.all_done.result()
            p._quic.close(error_code=0, reason_phrase="done")
            p.transmit()
            await asyncio.sleep(0.05)
            return 0 if ok else 1
        # responder ("send" cases): serve until the server closes the connection
        code = await p.ended
        return 0 if code == 0 else 1


def main():
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s",
                        stream=sys.stderr)
    role = os.environ.get("ROLE", "")
    tc = os.environ.get("TESTCASE", "")
    if role not in ("server", "client"):
        print("wt_endpoint: ROLE must be server or client", file=sys.stderr)
        return 1
    parsed = parse_case(role, tc)
    if parsed is None:
        print("wt_endpoint: unsupported test case '%s'" % tc, file=sys.stderr)
        return 127
    kind, requester = parsed
    protocols = os.environ.get("PROTOCOLS")
    if protocols is None:
        protocols = os.environ.get("PROTOCOLS_" + role.upper(), "")
    reqs = os.environ.get("REQUESTS", "").split()
    cfg = {"role": role, "kind": kind, "requester": requester and kind is not None,
           "protocols": protocols.split(), "connections": []}
    if role == "client":
        if not reqs:
            print("wt_endpoint: REQUESTS is empty", file=sys.stderr)
            return 1
        cfg["requests"], cfg["endpoints"] = group(urlparse(r).path for r in reqs)
    else:
        cfg["requests"], cfg["endpoints"] = group(reqs)
    orig_init = WtProtocol.__init__

    def tracking_init(self, *a, **k):
        orig_init(self, *a, **k)
        cfg["connections"].append(self)
    WtProtocol.__init__ = tracking_init
    log.info("role %s, TESTCASE %s, PROTOCOLS %s, sessions %s", role, tc, cfg["protocols"],
             cfg["endpoints"])
    try:
        if role == "server":
            return asyncio.run(run_server(cfg))
        return asyncio.run(asyncio.wait_for(run_client(cfg, reqs), 300))
    except Exception as e:  # noqa: BLE001 (the exit status tells the runner)
        log.exception("failed: %s", e)
        return 1


if __name__ == "__main__":
    sys.exit(main())
