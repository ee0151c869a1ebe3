//! Server: one dual-stack socket on [::]:443, many connections, /www served over hq-interop
//! (`GET /path\r\n` on a bidirectional stream, the file's bytes and FIN in reply) or HTTP/3,
//! whichever ALPN the client offered. Retry tokens are minted and checked here (quiche only
//! builds the packet), session tickets and 0-RTT are BoringSSL's (enable_early_data).

use crate::net::{self, MAX_DATAGRAM};
use crate::Mode;
use quiche::h3::NameValue;
use std::collections::hash_map::{DefaultHasher, RandomState};
use std::collections::HashMap;
use std::hash::{BuildHasher, Hash, Hasher};
use std::net::SocketAddr;
use std::time::{SystemTime, UNIX_EPOCH};

const WWW: &str = "/www";
/// How long a Retry token stays valid (RFC 9000, 8.1.3 leaves it to the server).
const TOKEN_LIFETIME_S: u64 = 30;

/// A response still being written: quiche takes what flow and congestion control allow.
struct Pending {
    body: Vec<u8>,
    off: usize,
    /// h3: the HEADERS frame has not gone out yet (StreamBlocked).
    headers: Option<Vec<quiche::h3::Header>>,
}

struct Peer {
    conn: quiche::Connection,
    h3: Option<quiche::h3::Connection>,
    /// hq-interop request bytes received so far, per stream.
    requests: HashMap<u64, Vec<u8>>,
    pending: HashMap<u64, Pending>,
    cids: Vec<Vec<u8>>,
}

/// Retry tokens: odcid || expiry, authenticated with SipHash under a per-process random key
/// over (client address, odcid, expiry). SipHash is a keyed PRF; the token only has to stop
/// an off-path sender from using someone else's address (RFC 9000, 8.1).
struct Tokens {
    key: RandomState,
}

impl Tokens {
    fn mac(&self, peer: &SocketAddr, odcid: &[u8], expiry: u64) -> [u8; 8] {
        let mut h: DefaultHasher = self.key.build_hasher();
        peer.hash(&mut h);
        odcid.hash(&mut h);
        expiry.hash(&mut h);
        h.finish().to_be_bytes()
    }

    fn mint(&self, peer: &SocketAddr, odcid: &[u8]) -> Vec<u8> {
        let expiry = now_s() + TOKEN_LIFETIME_S;
        let mut t = vec![b'q', odcid.len() as u8];
        t.extend_from_slice(odcid);
        t.extend_from_slice(&expiry.to_be_bytes());
        t.extend_from_slice(&self.mac(peer, odcid, expiry));
        t
    }

    /// The original DCID when the token is ours, fresh and for this address.
    fn check(&self, peer: &SocketAddr, t: &[u8]) -> Option<Vec<u8>> {
        if t.len() < 2 || t[0] != b'q' || t.len() != 2 + t[1] as usize + 16 {
            return None;
        }
        let odcid = &t[2..2 + t[1] as usize];
        let rest = &t[2 + odcid.len()..];
        let expiry = u64::from_be_bytes(rest[..8].try_into().ok()?);
        if expiry < now_s() || rest[8..] != self.mac(peer, odcid, expiry) {
            return None;
        }
        Some(odcid.to_vec())
    }
}

fn now_s() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

pub fn run(mode: Mode) -> Result<(), String> {
    net::handle_sigterm();
    let mut config = net::base_config(quiche::PROTOCOL_VERSION, mode == Mode::Transfer)
        .map_err(|e| format!("config: {e}"))?;
    config
        .load_cert_chain_from_pem_file("/certs/cert.pem")
        .map_err(|e| format!("/certs/cert.pem: {e}"))?;
    config
        .load_priv_key_from_pem_file("/certs/priv.key")
        .map_err(|e| format!("/certs/priv.key: {e}"))?;
    let h3_config = quiche::h3::Config::new().map_err(|e| format!("h3 config: {e}"))?;
    let listen: SocketAddr = "[::]:443".parse().unwrap();
    let sock = net::bind(listen).map_err(|e| format!("bind {listen}: {e}"))?;
    let local = sock.local_addr().map_err(|e| e.to_string())?;
    println!("quiche server: listening on {local} (IPv4 and IPv6), serving {WWW}, retry={}", mode == Mode::Retry);

    let tokens = Tokens { key: RandomState::new() };
    let mut peers: HashMap<u64, Peer> = HashMap::new();
    let mut by_cid: HashMap<Vec<u8>, u64> = HashMap::new();
    let mut next_id = 0u64;
    // Original DCIDs already answered with a Retry: one Retry per connection attempt.
    let mut retried: std::collections::HashSet<Vec<u8>> = std::collections::HashSet::new();
    let mut buf = [0u8; 65535];
    let mut out = [0u8; MAX_DATAGRAM];

    while !net::terminated() {
        let timeout = peers.values().filter_map(|p| p.conn.timeout()).min();
        let readable = !net::wait(&[&sock], timeout).is_empty();
        // Drain the socket (bounded: at most 1000 datagrams before serving timers and sends).
        for _ in 0..if readable { 1000 } else { 0 } {
            let (len, from) = match sock.recv_from(&mut buf) {
                Ok(v) => v,
                Err(_) => break,
            };
            let pkt = &mut buf[..len];
            let hdr = match quiche::Header::from_slice(pkt, quiche::MAX_CONN_ID_LEN) {
                Ok(h) => h,
                Err(_) => continue,
            };
            let id = match by_cid.get(hdr.dcid.as_ref()) {
                Some(id) => *id,
                None => {
                    if hdr.ty != quiche::Type::Initial {
                        continue;
                    }
                    // RFC 9000, 14.1: an Initial in a datagram under 1200 bytes is dropped
                    // (quiche leaves this to the application); 5.2.2: so is an unknown version
                    // in one, without Version Negotiation.
                    if len < 1200 {
                        continue;
                    }
                    if !quiche::version_is_supported(hdr.version) {
                        // RFC 9000, 6.1: answer an unknown version with the versions we speak.
                        if let Ok(n) = quiche::negotiate_version(&hdr.scid, &hdr.dcid, &mut out) {
                            let _ = sock.send_to(&out[..n], from);
                        }
                        continue;
                    }
                    let odcid = if mode == Mode::Retry {
                        let token = hdr.token.as_deref().unwrap_or(&[]);
                        if token.is_empty() && retried.contains(hdr.dcid.as_ref()) {
                            continue; // the rest of a ClientHello that spans two Initials
                        }
                        if token.is_empty() {
                            if retried.len() > 10_000 {
                                retried.clear(); // bounded; a repeat Retry is harmless
                            }
                            retried.insert(hdr.dcid.to_vec());
                            let new_scid = net::random_cid();
                            let new_scid = quiche::ConnectionId::from_ref(&new_scid);
                            let t = tokens.mint(&from, &hdr.dcid);
                            if let Ok(n) = quiche::retry(&hdr.scid, &hdr.dcid, &new_scid, &t, hdr.version, &mut out) {
                                let _ = sock.send_to(&out[..n], from);
                            }
                            continue;
                        }
                        match tokens.check(&from, token) {
                            Some(o) => Some(o),
                            None => continue, // RFC 9000, 8.1.3: an invalid token is dropped
                        }
                    } else {
                        None
                    };
                    // After a Retry the client already uses the CID we chose there as DCID.
                    let scid_bytes = if odcid.is_some() { hdr.dcid.to_vec() } else { net::random_cid().to_vec() };
                    let scid = quiche::ConnectionId::from_ref(&scid_bytes);
                    let odcid_ref = odcid.as_ref().map(|o| quiche::ConnectionId::from_ref(o));
                    let mut conn = match quiche::accept(&scid, odcid_ref.as_ref(), local, from, &mut config) {
                        Ok(c) => c,
                        Err(e) => {
                            eprintln!("quiche server: accept: {e}");
                            continue;
                        }
                    };
                    net::observe(&mut conn, "server");
                    let id = next_id;
                    next_id += 1;
                    // The client's Initials keep the DCID it chose until our first reply: map
                    // it too, so a retransmitted Initial reaches this connection.
                    by_cid.insert(hdr.dcid.to_vec(), id);
                    by_cid.insert(scid_bytes.clone(), id);
                    peers.insert(id, Peer {
                        conn,
                        h3: None,
                        requests: HashMap::new(),
                        pending: HashMap::new(),
                        cids: vec![hdr.dcid.to_vec(), scid_bytes],
                    });
                    id
                }
            };
            let peer = peers.get_mut(&id).unwrap();
            let info = quiche::RecvInfo { from, to: local };
            if let Err(e) = peer.conn.recv(pkt, info) {
                if e != quiche::Error::Done {
                    eprintln!("quiche server: recv: {e}");
                }
            }
        }

        let mut closed = Vec::new();
        for (id, peer) in peers.iter_mut() {
            peer.conn.on_timeout_if_due();
            if peer.conn.is_in_early_data() || peer.conn.is_established() {
                serve(peer, &h3_config);
                issue_cids(peer, *id, &mut by_cid);
            }
            net::flush(&mut peer.conn, &[(local, &sock)]);
            if peer.conn.is_closed() {
                closed.push(*id);
            }
        }
        for id in closed {
            if let Some(p) = peers.remove(&id) {
                let s = p.conn.stats();
                println!("quiche server: connection {id} closed: recv {} sent {} lost {} retrans {}",
                    s.recv, s.sent, s.lost, s.retrans);
                for c in p.cids {
                    by_cid.remove(&c);
                }
            }
        }
    }
    println!("quiche server: SIGTERM, stopping with {} connection(s) open", peers.len());
    for p in peers.values_mut() {
        p.conn.close(true, 0, b"server stopping").ok();
        net::flush(&mut p.conn, &[(local, &sock)]);
    }
    Ok(())
}

/// quiche's timer is ours to run: `on_timeout` once `timeout()` has elapsed.
trait TimeoutIfDue {
    fn on_timeout_if_due(&mut self);
}

impl TimeoutIfDue for quiche::Connection {
    fn on_timeout_if_due(&mut self) {
        if self.timeout() == Some(std::time::Duration::ZERO) {
            self.on_timeout();
        }
    }
}

/// Spare connection IDs for the client, so it can move to a new path with a new DCID
/// (RFC 9000, 5.1.1 and 9.5); retired ones leave the routing table.
fn issue_cids(peer: &mut Peer, id: u64, by_cid: &mut HashMap<Vec<u8>, u64>) {
    while peer.conn.scids_left() > 0 {
        let cid = net::random_cid();
        if peer.conn.new_scid(&quiche::ConnectionId::from_ref(&cid), net::random_u128(), false).is_err() {
            break;
        }
        by_cid.insert(cid.to_vec(), id);
        peer.cids.push(cid.to_vec());
    }
    while let Some(c) = peer.conn.retired_scid_next() {
        by_cid.remove(c.as_ref());
    }
}

/// Reads a file under /www; None for anything outside it or missing.
fn load(path: &str) -> Option<Vec<u8>> {
    let rel = path.trim_start_matches('/');
    if rel.is_empty() || rel.split('/').any(|c| c == ".." || c.is_empty()) {
        return None;
    }
    std::fs::read(format!("{WWW}/{rel}")).ok()
}

fn serve(peer: &mut Peer, h3_config: &quiche::h3::Config) {
    if peer.conn.application_proto() == crate::ALPN_H3 {
        serve_h3(peer, h3_config);
    } else {
        serve_hq(peer);
    }
    // Continue responses that flow or congestion control held back.
    let ids: Vec<u64> = peer.pending.keys().copied().collect();
    for sid in ids {
        let p = peer.pending.get_mut(&sid).unwrap();
        let done = match peer.h3.as_mut() {
            Some(h3) => write_h3(h3, &mut peer.conn, sid, p),
            None => write_hq(&mut peer.conn, sid, p),
        };
        if done {
            peer.pending.remove(&sid);
        }
    }
}

fn serve_hq(peer: &mut Peer) {
    let mut buf = [0u8; 4096];
    let readable: Vec<u64> = peer.conn.readable().collect();
    for sid in readable {
        while let Ok((n, _fin)) = peer.conn.stream_recv(sid, &mut buf) {
            let req = peer.requests.entry(sid).or_default();
            req.extend_from_slice(&buf[..n]);
            if req.len() > 8192 {
                peer.conn.stream_shutdown(sid, quiche::Shutdown::Read, 0).ok();
                break;
            }
        }
        let Some(req) = peer.requests.get(&sid) else { continue };
        let Some(end) = req.windows(1).position(|w| w[0] == b'\n') else { continue };
        let line = String::from_utf8_lossy(&req[..end]).trim().to_string();
        peer.requests.remove(&sid);
        let path = line.strip_prefix("GET ").unwrap_or("").trim();
        match load(path) {
            Some(body) => {
                let mut p = Pending { body, off: 0, headers: None };
                if !write_hq(&mut peer.conn, sid, &mut p) {
                    peer.pending.insert(sid, p);
                }
            }
            None => {
                eprintln!("quiche server: hq request {line:?}: no such file");
                peer.conn.stream_send(sid, b"", true).ok();
            }
        }
    }
}

/// Writes what quiche accepts; true once everything including FIN is queued.
fn write_hq(conn: &mut quiche::Connection, sid: u64, p: &mut Pending) -> bool {
    match conn.stream_send(sid, &p.body[p.off..], true) {
        Ok(n) => {
            p.off += n;
            p.off == p.body.len()
        }
        Err(quiche::Error::Done) => false,
        Err(e) => {
            eprintln!("quiche server: stream {sid}: {e}");
            true
        }
    }
}

fn serve_h3(peer: &mut Peer, h3_config: &quiche::h3::Config) {
    if peer.h3.is_none() {
        match quiche::h3::Connection::with_transport(&mut peer.conn, h3_config) {
            Ok(h) => peer.h3 = Some(h),
            Err(e) => {
                eprintln!("quiche server: h3: {e}");
                peer.conn.close(true, 0x101, b"h3 setup failed").ok();
                return;
            }
        }
    }
    let h3 = peer.h3.as_mut().unwrap();
    loop {
        match h3.poll(&mut peer.conn) {
            Ok((sid, quiche::h3::Event::Headers { list, .. })) => {
                let path = list
                    .iter()
                    .find(|h| h.name() == b":path")
                    .map(|h| String::from_utf8_lossy(h.value()).to_string())
                    .unwrap_or_default();
                let (status, body) = match load(&path) {
                    Some(b) => ("200", b),
                    None => ("404", Vec::new()),
                };
                let headers = vec![
                    quiche::h3::Header::new(b":status", status.as_bytes()),
                    quiche::h3::Header::new(b"server", b"quire-quiche"),
                    quiche::h3::Header::new(b"content-length", body.len().to_string().as_bytes()),
                ];
                let mut p = Pending { body, off: 0, headers: Some(headers) };
                if !write_h3(h3, &mut peer.conn, sid, &mut p) {
                    peer.pending.insert(sid, p);
                }
            }
            Ok((_, quiche::h3::Event::Data)) => {} // requests carry no body
            Ok(_) => {}
            Err(quiche::h3::Error::Done) => break,
            Err(e) => {
                eprintln!("quiche server: h3 poll: {e}");
                break;
            }
        }
    }
}

fn write_h3(h3: &mut quiche::h3::Connection, conn: &mut quiche::Connection, sid: u64, p: &mut Pending) -> bool {
    if let Some(h) = &p.headers {
        match h3.send_response(conn, sid, h, p.body.is_empty()) {
            Ok(()) => p.headers = None,
            Err(quiche::h3::Error::StreamBlocked) | Err(quiche::h3::Error::Done) => return false,
            Err(e) => {
                eprintln!("quiche server: h3 response on {sid}: {e}");
                return true;
            }
        }
        if p.body.is_empty() {
            return true;
        }
    }
    match h3.send_body(conn, sid, &p.body[p.off..], true) {
        Ok(n) => {
            p.off += n;
            p.off == p.body.len()
        }
        Err(quiche::h3::Error::Done) | Err(quiche::h3::Error::StreamBlocked) => false,
        Err(e) => {
            eprintln!("quiche server: h3 body on {sid}: {e}");
            true
        }
    }
}
