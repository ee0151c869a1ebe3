//! Client: downloads REQUESTS into /downloads over hq-interop or HTTP/3 with the connection
//! pattern of the test case; exit 0 only when every file arrived whole (hq: FIN on its stream;
//! h3: status 200, Finished, as many bytes as content-length said).

use crate::net::{self, MAX_DATAGRAM};
use crate::Mode;
use quiche::h3::NameValue;
use std::collections::{HashMap, VecDeque};
use std::fs::File;
use std::io::Write;
use std::net::{SocketAddr, ToSocketAddrs, UdpSocket};
use std::time::{Duration, Instant};

const DOWNLOADS: &str = "/downloads";
/// A reserved version (RFC 9000, 15: 0x?a?a?a?a) that makes the server negotiate.
const RESERVED_VERSION: u32 = 0x1a2a_3a4a;
/// Bound on one connection's life: the runner's timeouts are shorter, this only keeps a
/// stuck client from running forever outside it.
const CONN_LIMIT: Duration = Duration::from_secs(300);

struct Url {
    host: String,
    port: u16,
    path: String,
}

fn parse_url(u: &str) -> Result<Url, String> {
    let rest = u.strip_prefix("https://").ok_or_else(|| format!("{u}: not https://"))?;
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) if !h.ends_with(']') || h.starts_with('[') => {
            (h.trim_matches(|c| c == '[' || c == ']').to_string(), p.parse().map_err(|_| format!("{u}: bad port"))?)
        }
        _ => (authority.trim_matches(|c| c == '[' || c == ']').to_string(), 443),
    };
    Ok(Url { host, port, path: path.to_string() })
}

/// One file being downloaded.
struct Download {
    path: String,
    file: Option<File>,
    done: bool,
    got: u64,
    /// h3 content-length, checked against `got` at the end.
    want: Option<u64>,
    status_ok: bool,
}

struct Outcome {
    session: Option<Vec<u8>>,
    early_data_used: bool,
}

pub fn run(mode: Mode, h3: bool) -> Result<(), String> {
    let reqs = std::env::var("REQUESTS").unwrap_or_default();
    let urls: Vec<Url> = reqs.split_whitespace().map(parse_url).collect::<Result<_, _>>()?;
    if mode == Mode::VersionNegotiation {
        let first = urls.first().cloned_url().unwrap_or(Url { host: "server4".into(), port: 443, path: "/".into() });
        return version_negotiation(&first);
    }
    if urls.is_empty() {
        return Err("REQUESTS is empty".into());
    }
    let small = mode == Mode::Transfer;
    match mode {
        Mode::Multiconnect => {
            for u in &urls {
                connection(std::slice::from_ref(u), h3, small, None, false)?;
            }
            Ok(())
        }
        Mode::Resumption | Mode::ZeroRtt => {
            let first = connection(&urls[..1], h3, small, None, false)?;
            let session = first.session.ok_or("connection 1 left no session ticket to resume")?;
            if urls.len() > 1 {
                let zrtt = mode == Mode::ZeroRtt;
                let second = connection(&urls[1..], h3, small, Some(session), zrtt)?;
                if zrtt && !second.early_data_used {
                    return Err("connection 2 could not send its requests in 0-RTT".into());
                }
            }
            Ok(())
        }
        _ => connection(&urls, h3, small, None, false).map(|_| ()),
    }
}

trait CloneUrl {
    fn cloned_url(&self) -> Option<Url>;
}

impl CloneUrl for Option<&Url> {
    fn cloned_url(&self) -> Option<Url> {
        self.map(|u| Url { host: u.host.clone(), port: u.port, path: u.path.clone() })
    }
}

fn resolve(u: &Url) -> Result<SocketAddr, String> {
    (u.host.as_str(), u.port)
        .to_socket_addrs()
        .map_err(|e| format!("{}: {e}", u.host))?
        .next()
        .ok_or_else(|| format!("{}: no address", u.host))
}

fn local_for(peer: &SocketAddr) -> Result<UdpSocket, String> {
    let any: SocketAddr = if peer.is_ipv4() { "0.0.0.0:0" } else { "[::]:0" }.parse().unwrap();
    let sock = net::bind(any).map_err(|e| format!("bind: {e}"))?;
    Ok(sock)
}

/// One QUIC connection downloading `urls` (all to the same server).
fn connection(urls: &[Url], h3: bool, small: bool, session: Option<Vec<u8>>, zerortt: bool) -> Result<Outcome, String> {
    let peer = resolve(&urls[0])?;
    let sock = local_for(&peer)?;
    let local = sock.local_addr().map_err(|e| e.to_string())?;
    let mut config = net::base_config(quiche::PROTOCOL_VERSION, small).map_err(|e| format!("config: {e}"))?;
    config.verify_peer(false); // QIR's CA is not given to clients
    let alpn = if h3 { crate::ALPN_H3 } else { crate::ALPN_HQ };
    config.set_application_protos(&[alpn]).map_err(|e| e.to_string())?;
    let scid = net::random_cid();
    let scid = quiche::ConnectionId::from_ref(&scid);
    let mut conn = quiche::connect(Some(&urls[0].host), &scid, local, peer, &mut config)
        .map_err(|e| format!("connect: {e}"))?;
    if let Some(s) = &session {
        conn.set_session(s).map_err(|e| format!("set_session: {e}"))?;
    }
    net::observe(&mut conn, "client");
    println!("quiche client: {local} -> {peer} ({}), {} file(s){}{}", urls[0].host, urls.len(),
        if session.is_some() { ", resuming" } else { "" }, if zerortt { ", 0-RTT" } else { "" });

    let h3_config = quiche::h3::Config::new().map_err(|e| e.to_string())?;
    let mut h3c: Option<quiche::h3::Connection> = None;
    let mut queue: VecDeque<usize> = (0..urls.len()).collect();
    let mut downloads: Vec<Download> = urls
        .iter()
        .map(|u| Download { path: u.path.clone(), file: None, done: false, got: 0, want: None, status_ok: !h3 })
        .collect();
    let mut by_stream: HashMap<u64, usize> = HashMap::new();
    let mut early_data_used = false;
    let mut buf = [0u8; 65535];
    let start = Instant::now();
    let socks = [(local, &sock)];
    net::flush(&mut conn, &socks);

    loop {
        // Requests go out once the handshake is done, or right away in 0-RTT when resuming.
        let can_send = conn.is_established() || (zerortt && conn.is_in_early_data());
        if can_send && !queue.is_empty() {
            if conn.is_in_early_data() && !conn.is_established() {
                early_data_used = true;
            }
            if h3 && h3c.is_none() {
                h3c = Some(quiche::h3::Connection::with_transport(&mut conn, &h3_config).map_err(|e| format!("h3: {e}"))?);
            }
            send_requests(&mut conn, h3c.as_mut(), &urls[0].host, &mut queue, &mut downloads, &mut by_stream)?;
        }
        if h3c.is_some() || !h3 {
            receive(&mut conn, h3c.as_mut(), &mut downloads, &by_stream)?;
        }
        if downloads.iter().all(|d| d.done) {
            break;
        }
        net::flush(&mut conn, &socks);
        if conn.is_closed() {
            return Err(format!("connection closed before every file arrived: {}", close_reason(&conn)));
        }
        if start.elapsed() > CONN_LIMIT {
            return Err("connection took longer than 300 s".into());
        }
        if !net::wait(&[&sock], conn.timeout()).is_empty() {
            for _ in 0..1000 {
                let (len, from) = match sock.recv_from(&mut buf) {
                    Ok(v) => v,
                    Err(_) => break,
                };
                if let Err(e) = conn.recv(&mut buf[..len], quiche::RecvInfo { from, to: local }) {
                    if e != quiche::Error::Done {
                        eprintln!("quiche client: recv: {e}");
                    }
                }
            }
        }
        if conn.timeout() == Some(Duration::ZERO) {
            conn.on_timeout();
        }
    }

    for d in &downloads {
        if !d.status_ok || d.want.is_some_and(|w| w != d.got) {
            return Err(format!("{}: incomplete ({} bytes, expected {:?})", d.path, d.got, d.want));
        }
    }
    // The session ticket (NewSessionTicket, RFC 8446 4.6.1) has arrived by now, with the data.
    let session = conn.session().map(|s| s.to_vec());
    if conn.is_resumed() {
        println!("quiche client: connection was resumed{}", if early_data_used { " with 0-RTT" } else { "" });
    }
    conn.close(true, 0, b"done").ok();
    net::flush(&mut conn, &socks);
    let s = conn.stats();
    println!("quiche client: done in {:?}: recv {} sent {} lost {}", start.elapsed(), s.recv, s.sent, s.lost);
    Ok(Outcome { session, early_data_used })
}

fn close_reason(conn: &quiche::Connection) -> String {
    if conn.is_timed_out() {
        return "idle timeout".into();
    }
    match (conn.peer_error(), conn.local_error()) {
        (Some(e), _) => format!("peer closed: code {:#x} {}", e.error_code, String::from_utf8_lossy(&e.reason)),
        (_, Some(e)) => format!("we closed: code {:#x} {}", e.error_code, String::from_utf8_lossy(&e.reason)),
        _ => "no reason".into(),
    }
}

fn open_download(d: &mut Download) -> Result<(), String> {
    let name = d.path.trim_start_matches('/');
    if name.is_empty() || name.contains("..") {
        return Err(format!("{}: refusing this path", d.path));
    }
    let full = format!("{DOWNLOADS}/{name}");
    if let Some(dir) = std::path::Path::new(&full).parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    d.file = Some(File::create(&full).map_err(|e| format!("{full}: {e}"))?);
    Ok(())
}

/// Opens as many request streams as the server's stream limit allows (multiplexing: 1999
/// files against a limit of at most 1000 at a time).
fn send_requests(conn: &mut quiche::Connection, mut h3: Option<&mut quiche::h3::Connection>, host: &str,
    queue: &mut VecDeque<usize>, downloads: &mut [Download], by_stream: &mut HashMap<u64, usize>) -> Result<(), String> {
    while let Some(&i) = queue.front() {
        let sid = match h3.as_deref_mut() {
            Some(h) => {
                let hdrs = [
                    quiche::h3::Header::new(b":method", b"GET"),
                    quiche::h3::Header::new(b":scheme", b"https"),
                    quiche::h3::Header::new(b":authority", host.as_bytes()),
                    quiche::h3::Header::new(b":path", downloads[i].path.as_bytes()),
                    quiche::h3::Header::new(b"user-agent", b"quire-quiche"),
                ];
                match h.send_request(conn, &hdrs, true) {
                    Ok(sid) => sid,
                    Err(quiche::h3::Error::StreamBlocked)
                    | Err(quiche::h3::Error::TransportError(quiche::Error::StreamLimit))
                    | Err(quiche::h3::Error::Done) => break,
                    Err(e) => return Err(format!("h3 request {}: {e}", downloads[i].path)),
                }
            }
            None => {
                if conn.peer_streams_left_bidi() == 0 {
                    break;
                }
                let sid = by_stream.len() as u64 * 4;
                let req = format!("GET {}\r\n", downloads[i].path);
                match conn.stream_send(sid, req.as_bytes(), true) {
                    Ok(_) => sid,
                    Err(quiche::Error::StreamLimit) | Err(quiche::Error::Done) => break,
                    Err(e) => return Err(format!("request {}: {e}", downloads[i].path)),
                }
            }
        };
        open_download(&mut downloads[i])?;
        by_stream.insert(sid, i);
        queue.pop_front();
    }
    Ok(())
}

fn receive(conn: &mut quiche::Connection, h3: Option<&mut quiche::h3::Connection>, downloads: &mut [Download],
    by_stream: &HashMap<u64, usize>) -> Result<(), String> {
    let mut buf = vec![0u8; 65536];
    let Some(h3) = h3 else {
        let readable: Vec<u64> = conn.readable().collect();
        for sid in readable {
            loop {
                match conn.stream_recv(sid, &mut buf) {
                    Ok((n, fin)) => {
                        let Some(&i) = by_stream.get(&sid) else { break };
                        let d = &mut downloads[i];
                        write(d, &buf[..n])?;
                        if fin {
                            d.done = true;
                            d.file = None;
                            break; // quiche forgets a finished stream: reading on is an error
                        }
                    }
                    Err(quiche::Error::Done) | Err(quiche::Error::InvalidStreamState(_)) => break,
                    Err(e) => return Err(format!("stream {sid}: {e}")),
                }
            }
        }
        return Ok(());
    };
    loop {
        match h3.poll(conn) {
            Ok((sid, quiche::h3::Event::Headers { list, .. })) => {
                let Some(&i) = by_stream.get(&sid) else { continue };
                let d = &mut downloads[i];
                for h in &list {
                    match h.name() {
                        b":status" => d.status_ok = h.value() == b"200",
                        b"content-length" => d.want = String::from_utf8_lossy(h.value()).parse().ok(),
                        _ => {}
                    }
                }
                if !d.status_ok {
                    return Err(format!("{}: status {:?}", d.path, list.iter().find(|h| h.name() == b":status").map(|h| String::from_utf8_lossy(h.value()).to_string())));
                }
            }
            Ok((sid, quiche::h3::Event::Data)) => {
                let Some(&i) = by_stream.get(&sid) else { continue };
                while let Ok(n) = h3.recv_body(conn, sid, &mut buf) {
                    write(&mut downloads[i], &buf[..n])?;
                }
            }
            Ok((sid, quiche::h3::Event::Finished)) => {
                if let Some(&i) = by_stream.get(&sid) {
                    downloads[i].done = true;
                    downloads[i].file = None;
                }
            }
            Ok((sid, quiche::h3::Event::Reset(code))) => return Err(format!("stream {sid} reset with {code:#x}")),
            Ok(_) => {}
            Err(quiche::h3::Error::Done) => break,
            Err(e) => return Err(format!("h3: {e}")),
        }
    }
    Ok(())
}

fn write(d: &mut Download, data: &[u8]) -> Result<(), String> {
    if let Some(f) = d.file.as_mut() {
        f.write_all(data).map_err(|e| format!("{}: {e}", d.path))?;
    }
    d.got += data.len() as u64;
    Ok(())
}

/// versionnegotiation: an Initial with a reserved version; success is the server's Version
/// Negotiation packet echoing our connection IDs (RFC 9000, 6.1), after which we give up
/// without downloading anything, as QIR's test case asks.
fn version_negotiation(u: &Url) -> Result<(), String> {
    let peer = resolve(u)?;
    let sock = local_for(&peer)?;
    let local = sock.local_addr().map_err(|e| e.to_string())?;
    let mut config = net::base_config(RESERVED_VERSION, false).map_err(|e| format!("config: {e}"))?;
    config.verify_peer(false);
    let scid = net::random_cid();
    let scid = quiche::ConnectionId::from_ref(&scid);
    let mut conn = quiche::connect(Some(&u.host), &scid, local, peer, &mut config).map_err(|e| format!("connect: {e}"))?;
    net::observe(&mut conn, "client");
    println!("quiche client: offering version {RESERVED_VERSION:#010x} to {peer}");
    let mut buf = [0u8; MAX_DATAGRAM * 2];
    let start = Instant::now();
    let socks = [(local, &sock)];
    while start.elapsed() < Duration::from_secs(20) {
        net::flush(&mut conn, &socks);
        if conn.is_closed() {
            break;
        }
        if !net::wait(&[&sock], conn.timeout()).is_empty() {
            while let Ok((len, _)) = sock.recv_from(&mut buf) {
                let Ok(hdr) = quiche::Header::from_slice(&mut buf[..len], quiche::MAX_CONN_ID_LEN) else { continue };
                if hdr.ty == quiche::Type::VersionNegotiation && hdr.dcid == scid {
                    println!("quiche client: Version Negotiation offers {:x?}: giving up, as asked",
                        hdr.versions.unwrap_or_default());
                    return Ok(());
                }
            }
        }
        if conn.timeout() == Some(Duration::ZERO) {
            conn.on_timeout();
        }
    }
    Err(format!("no Version Negotiation packet from {peer}"))
}
