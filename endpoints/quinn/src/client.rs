//! Client: downloads every URL in REQUESTS into DOWNLOADS, over hq-interop (one bidirectional
//! stream per file, "GET /path\r\n") or HTTP/3 (src/h3.rs) as the mode says, with the
//! connection pattern the test case asks for:
//! - transfer and the like: one connection, all requests concurrently;
//! - multiconnect: one connection per file, one after the other;
//! - resumption / zerortt: the first file on one connection, the rest on a second connection
//!   that resumes the first's TLS session (and sends its requests as 0-RTT for zerortt);
//! - keyupdate: one connection that updates its keys once the handshake is confirmed;
//! - versionnegotiation: one connection attempt with an unsupported version, which must end in
//!   the server's Version Negotiation packet (nothing is downloaded).

use std::net::{SocketAddr, ToSocketAddrs};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use quinn::crypto::rustls::QuicClientConfig;
use tokio::task::JoinSet;

use crate::{log, Mode, Pattern};

const DOWNLOADS: &str = "/downloads";
const SERVER_NAME: &str = "server";

/// One request: where to connect (and the URL's host:port, h3's :authority) and which path.
struct Request {
    addr: SocketAddr,
    authority: String,
    path: String,
}

/// The server of a run and the protocol spoken to it.
struct Target {
    addr: SocketAddr,
    authority: String,
    h3: bool,
}

/// Splits "https://host:port/path" (host may be "[v6]") and resolves host via the system
/// resolver, i.e. /etc/hosts.
fn parse_url(url: &str) -> Result<Request, String> {
    let rest = url
        .strip_prefix("https://")
        .ok_or_else(|| format!("{url}: not an https:// URL"))?;
    let slash = rest.find('/').ok_or_else(|| format!("{url}: no path"))?;
    let (authority, path) = rest.split_at(slash);
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        let end = v6.find(']').ok_or_else(|| format!("{url}: unclosed '['"))?;
        let port = v6[end + 1..].strip_prefix(':').unwrap_or("443");
        (&v6[..end], port)
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) => (h, p),
            None => (authority, "443"),
        }
    };
    let port: u16 = port.parse().map_err(|_| format!("{url}: bad port {port:?}"))?;
    let addr = (host, port)
        .to_socket_addrs()
        .map_err(|e| format!("{url}: cannot resolve {host}: {e}"))?
        .next()
        .ok_or_else(|| format!("{url}: {host} has no address"))?;
    Ok(Request { addr, authority: authority.to_string(), path: path.to_string() })
}

/// /downloads/<path>, refusing paths that could leave the folder.
fn download_path(path: &str) -> Result<PathBuf, String> {
    let rel = path.trim_start_matches('/');
    if rel.is_empty() || rel.split('/').any(|c| c.is_empty() || c == "." || c == "..") {
        return Err(format!("refusing to save {path:?}"));
    }
    Ok(PathBuf::from(DOWNLOADS).join(rel))
}

/// A client config for one connection: fresh transport parameters (and qlog stream), shared
/// TLS config (and with it the session cache that resumption and 0-RTT need).
fn connection_config(mode: &Mode, crypto: &Arc<QuicClientConfig>) -> quinn::ClientConfig {
    let mut config = quinn::ClientConfig::new(crypto.clone());
    config.transport_config(Arc::new(transport(mode)));
    config
}

fn transport(mode: &Mode) -> quinn::TransportConfig {
    let mut t = quinn::TransportConfig::default();
    crate::add_qlog(&mut t, "client");
    if mode.pattern == Pattern::Transfer && mode.small_windows {
        // QIR "transfer": start with small flow-control windows so that downloading ~1 MB
        // files needs MAX_STREAM_DATA and MAX_DATA updates.
        t.stream_receive_window((64u32 * 1024).into());
        t.receive_window((256u32 * 1024).into());
    }
    t
}

/// Opens a stream and sends "GET path"; returns the receiving half.
async fn request(conn: &quinn::Connection, path: &str) -> Result<quinn::RecvStream, String> {
    let (mut send, recv) = conn.open_bi().await.map_err(|e| format!("{path}: open stream: {e}"))?;
    send.write_all(format!("GET {path}\r\n").as_bytes())
        .await
        .map_err(|e| format!("{path}: send request: {e}"))?;
    send.finish().map_err(|e| format!("{path}: finish: {e}"))?;
    Ok(recv)
}

/// Writes one complete response body to DOWNLOADS/path. Whole files in memory, written once
/// complete: thousands of concurrent streams (QIR's multiplexing) must not hold open files.
fn save(path: &str, data: &[u8]) -> Result<(), String> {
    let dest = download_path(path)?;
    if let Some(dir) = dest.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    std::fs::write(&dest, data).map_err(|e| format!("{}: {e}", dest.display()))?;
    log(&format!("{path}: {} bytes", data.len()));
    Ok(())
}

/// Reads one hq-interop response into DOWNLOADS/path.
async fn receive(mut recv: quinn::RecvStream, path: String) -> Result<(), String> {
    let data = recv
        .read_to_end(usize::MAX)
        .await
        .map_err(|e| format!("{path}: read: {e}"))?;
    save(&path, &data)
}

/// Fetches all paths on one connection, in the target's protocol.
async fn fetch(conn: &quinn::Connection, target: &Target, paths: &[String]) -> Result<(), String> {
    if target.h3 {
        crate::h3::fetch_all(conn, &target.authority, paths, save).await
    } else {
        fetch_all(conn, paths).await
    }
}

/// Fetches all paths concurrently on one hq-interop connection. The requests are written from this task
/// one after the other, which completes without yielding while stream credit lasts: so on a
/// 0-RTT connection they are all queued before the connection driver first runs, and go out
/// as 0-RTT even when the server's handshake reply is quick. Each response is read by its own
/// task, started as soon as its request is out (so large responses cannot hold up new streams).
async fn fetch_all(conn: &quinn::Connection, paths: &[String]) -> Result<(), String> {
    let mut set = JoinSet::new();
    let mut first_err = None;
    for p in paths {
        match request(conn, p).await {
            Ok(recv) => {
                set.spawn(receive(recv, p.clone()));
            }
            Err(e) => {
                log(&e);
                first_err = Some(e);
                break;
            }
        }
    }
    while let Some(res) = set.join_next().await {
        let res = res.map_err(|e| format!("task: {e}")).and_then(|r| r);
        if let Err(e) = res {
            log(&e);
            first_err.get_or_insert(e);
        }
    }
    first_err.map_or(Ok(()), Err)
}

/// Forces one key update as soon as the handshake is confirmed (RFC 9001 section 6: not before).
async fn update_keys_when_confirmed(conn: quinn::Connection) {
    for _ in 0..2000 {
        if conn.close_reason().is_some() {
            return;
        }
        if conn.stats().frame_rx.handshake_done > 0 {
            conn.force_key_update();
            log("key update initiated");
            return;
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    log("handshake not confirmed after 2 s: no key update");
}

async fn connect(
    endpoint: &quinn::Endpoint,
    config: quinn::ClientConfig,
    addr: SocketAddr,
) -> Result<quinn::Connection, String> {
    let connecting = endpoint
        .connect_with(config, addr, SERVER_NAME)
        .map_err(|e| format!("connect {addr}: {e}"))?;
    let conn = connecting.await.map_err(|e| format!("handshake with {addr}: {e}"))?;
    log(&format!("connected to {addr}"));
    Ok(conn)
}

fn close(conn: &quinn::Connection, target: &Target) {
    let code = if target.h3 { crate::h3::H3_NO_ERROR } else { 0 };
    conn.close(code.into(), b"done");
}

/// versionnegotiation: offers VN_PROBE_VERSION; Ok once the server has answered with a Version
/// Negotiation packet (which quinn reports as VersionMismatch: it cannot switch versions within
/// the attempt, and RFC 9000 section 6.2 has the client abandon the attempt anyway).
async fn version_probe(mode: &Mode, target: &Target) -> Result<(), String> {
    let mut ep_config = quinn::EndpointConfig::default();
    ep_config.supported_versions(vec![crate::tls::VN_PROBE_VERSION, 1]);
    let bind: SocketAddr = if target.addr.is_ipv4() { "0.0.0.0:0" } else { "[::]:0" }.parse().unwrap();
    let socket = std::net::UdpSocket::bind(bind).map_err(|e| format!("bind {bind}: {e}"))?;
    let endpoint = quinn::Endpoint::new(ep_config, None, socket, Arc::new(quinn::TokioRuntime))
        .map_err(|e| format!("endpoint: {e}"))?;
    let alpn = if target.h3 { crate::tls::ALPN_H3 } else { crate::tls::ALPN_HQ };
    let crypto = Arc::new(crate::tls::client_config(mode.chacha20, alpn)?);
    let mut config = quinn::ClientConfig::new(Arc::new(crate::tls::VersionProbe(crypto)));
    config.version(crate::tls::VN_PROBE_VERSION);
    config.transport_config(Arc::new(transport(mode)));
    log(&format!("offering version {:#010x} to {}", crate::tls::VN_PROBE_VERSION, target.addr));
    let connecting = endpoint
        .connect_with(config, target.addr, SERVER_NAME)
        .map_err(|e| format!("connect {}: {e}", target.addr))?;
    let result = match tokio::time::timeout(Duration::from_secs(20), connecting).await {
        Err(_) => Err("no answer to the unsupported version within 20 s".to_string()),
        Ok(Err(quinn::ConnectionError::VersionMismatch)) => {
            log("Version Negotiation received: the server does not support the offered version");
            Ok(())
        }
        Ok(Err(e)) => Err(format!("connection failed without version negotiation: {e}")),
        Ok(Ok(conn)) => {
            conn.close(0u32.into(), b"unexpected");
            Err("the server accepted a version it should not know".to_string())
        }
    };
    endpoint.close(0u32.into(), b"");
    result
}

pub async fn run(mode: &Mode, urls: &str) -> Result<(), String> {
    let requests = urls
        .split_whitespace()
        .map(parse_url)
        .collect::<Result<Vec<_>, _>>()?;
    let first = requests.first().ok_or("REQUESTS is empty")?;
    let addr = first.addr;
    if let Some(other) = requests.iter().find(|r| r.addr != addr) {
        return Err(format!("all URLs must name one server ({addr} vs {})", other.addr));
    }
    let paths: Vec<String> = requests.iter().map(|r| r.path.clone()).collect();
    let target = Target { addr, authority: first.authority.clone(), h3: mode.h3 };
    if mode.pattern == Pattern::VersionProbe {
        return version_probe(mode, &target).await;
    }

    let bind: SocketAddr = if addr.is_ipv4() { "0.0.0.0:0" } else { "[::]:0" }.parse().unwrap();
    let endpoint = quinn::Endpoint::client(bind).map_err(|e| format!("bind {bind}: {e}"))?;
    let alpn = if mode.h3 { crate::tls::ALPN_H3 } else { crate::tls::ALPN_HQ };
    let crypto = Arc::new(crate::tls::client_config(mode.chacha20, alpn)?);
    let config = || connection_config(mode, &crypto);

    let result = match mode.pattern {
        Pattern::VersionProbe => unreachable!("handled above"),
        Pattern::Transfer => {
            let conn = connect(&endpoint, config(), addr).await?;
            if mode.keyupdate {
                tokio::spawn(update_keys_when_confirmed(conn.clone()));
            }
            let r = fetch(&conn, &target, &paths).await;
            close(&conn, &target);
            r
        }
        Pattern::Multiconnect => {
            let mut r = Ok(());
            for p in &paths {
                let conn = connect(&endpoint, config(), addr).await?;
                r = fetch(&conn, &target, std::slice::from_ref(p)).await;
                close(&conn, &target);
                if r.is_err() {
                    break;
                }
            }
            r
        }
        Pattern::Resume { zero_rtt } => {
            let conn = connect(&endpoint, config(), addr).await?;
            fetch(&conn, &target, &paths[..1]).await?;
            // Give the server's NewSessionTicket (sent right after the handshake) time to land.
            tokio::time::sleep(Duration::from_millis(50)).await;
            close(&conn, &target);
            let rest = &paths[1..];
            let connecting = endpoint
                .connect_with(config(), addr, SERVER_NAME)
                .map_err(|e| format!("connect {addr}: {e}"))?;
            if zero_rtt {
                match connecting.into_0rtt() {
                    Ok((conn, accepted)) => {
                        log("second connection: sending requests in 0-RTT");
                        let mut r = fetch(&conn, &target, rest).await;
                        let accepted = accepted.await;
                        log(&format!("0-RTT accepted by server: {accepted}"));
                        if r.is_err() && !accepted {
                            // Rejected 0-RTT streams fail; ask again over 1-RTT.
                            log("0-RTT rejected: repeating the requests after the handshake");
                            r = fetch(&conn, &target, rest).await;
                        }
                        close(&conn, &target);
                        r
                    }
                    Err(connecting) => {
                        log("no 0-RTT keys (no session ticket?): doing a full handshake");
                        let conn = connecting.await.map_err(|e| format!("handshake: {e}"))?;
                        let r = fetch(&conn, &target, rest).await;
                        close(&conn, &target);
                        r.and(Err("0-RTT was not possible".to_string()))
                    }
                }
            } else {
                let conn = connecting.await.map_err(|e| format!("handshake: {e}"))?;
                log("second connection established");
                let r = fetch(&conn, &target, rest).await;
                close(&conn, &target);
                r
            }
        }
    };
    // Let CONNECTION_CLOSE go out and be acknowledged-or-timed-out, bounded.
    let _ = tokio::time::timeout(Duration::from_secs(2), endpoint.wait_idle()).await;
    result
}
