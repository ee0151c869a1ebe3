//! hq-interop client: downloads every URL in REQUESTS into DOWNLOADS, one bidirectional stream
//! per file ("GET /path\r\n"), with the connection pattern the test case asks for:
//! - transfer and the like: one connection, all requests concurrently;
//! - multiconnect: one connection per file, one after the other;
//! - resumption / zerortt: the first file on one connection, the rest on a second connection
//!   that resumes the first's TLS session (and sends its requests as 0-RTT for zerortt);
//! - keyupdate: one connection that updates its keys once the handshake is confirmed.

use std::io::Write;
use std::net::{SocketAddr, ToSocketAddrs};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use quinn::crypto::rustls::QuicClientConfig;
use tokio::task::JoinSet;

use crate::{log, Mode, Pattern};

const DOWNLOADS: &str = "/downloads";
const SERVER_NAME: &str = "server";

/// One request: where to connect and which path to fetch.
struct Request {
    addr: SocketAddr,
    path: String,
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
    Ok(Request { addr, path: path.to_string() })
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

async fn fetch(conn: quinn::Connection, path: String) -> Result<u64, String> {
    let dest = download_path(&path)?;
    let (mut send, mut recv) = conn.open_bi().await.map_err(|e| format!("{path}: open stream: {e}"))?;
    send.write_all(format!("GET {path}\r\n").as_bytes())
        .await
        .map_err(|e| format!("{path}: send request: {e}"))?;
    send.finish().map_err(|e| format!("{path}: finish: {e}"))?;
    if let Some(dir) = dest.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    let mut file = std::fs::File::create(&dest).map_err(|e| format!("{}: {e}", dest.display()))?;
    let mut total = 0u64;
    while let Some(chunk) = recv
        .read_chunk(usize::MAX, true)
        .await
        .map_err(|e| format!("{path}: read: {e}"))?
    {
        file.write_all(&chunk.bytes).map_err(|e| format!("{}: {e}", dest.display()))?;
        total += chunk.bytes.len() as u64;
    }
    log(&format!("{path}: {total} bytes"));
    Ok(total)
}

/// Fetches all paths concurrently on one connection.
async fn fetch_all(conn: &quinn::Connection, paths: &[String]) -> Result<(), String> {
    let mut set = JoinSet::new();
    for p in paths {
        set.spawn(fetch(conn.clone(), p.clone()));
    }
    let mut first_err = None;
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

fn close(conn: &quinn::Connection) {
    conn.close(0u32.into(), b"done");
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

    let bind: SocketAddr = if addr.is_ipv4() { "0.0.0.0:0" } else { "[::]:0" }.parse().unwrap();
    let endpoint = quinn::Endpoint::client(bind).map_err(|e| format!("bind {bind}: {e}"))?;
    let crypto = Arc::new(crate::tls::client_config(mode.chacha20)?);
    let config = || connection_config(mode, &crypto);

    let result = match mode.pattern {
        Pattern::Transfer => {
            let conn = connect(&endpoint, config(), addr).await?;
            if mode.keyupdate {
                tokio::spawn(update_keys_when_confirmed(conn.clone()));
            }
            let r = fetch_all(&conn, &paths).await;
            close(&conn);
            r
        }
        Pattern::Multiconnect => {
            let mut r = Ok(());
            for p in &paths {
                let conn = connect(&endpoint, config(), addr).await?;
                r = fetch_all(&conn, std::slice::from_ref(p)).await;
                close(&conn);
                if r.is_err() {
                    break;
                }
            }
            r
        }
        Pattern::Resume { zero_rtt } => {
            let conn = connect(&endpoint, config(), addr).await?;
            fetch_all(&conn, &paths[..1]).await?;
            // Give the server's NewSessionTicket (sent right after the handshake) time to land.
            tokio::time::sleep(Duration::from_millis(50)).await;
            close(&conn);
            let rest = &paths[1..];
            let connecting = endpoint
                .connect_with(config(), addr, SERVER_NAME)
                .map_err(|e| format!("connect {addr}: {e}"))?;
            if zero_rtt {
                match connecting.into_0rtt() {
                    Ok((conn, accepted)) => {
                        log("second connection: sending requests in 0-RTT");
                        let r = fetch_all(&conn, rest).await;
                        log(&format!("0-RTT accepted by server: {}", accepted.await));
                        close(&conn);
                        r
                    }
                    Err(connecting) => {
                        log("no 0-RTT keys (no session ticket?): doing a full handshake");
                        let conn = connecting.await.map_err(|e| format!("handshake: {e}"))?;
                        let r = fetch_all(&conn, rest).await;
                        close(&conn);
                        r.and(Err("0-RTT was not possible".to_string()))
                    }
                }
            } else {
                let conn = connecting.await.map_err(|e| format!("handshake: {e}"))?;
                log("second connection established");
                let r = fetch_all(&conn, rest).await;
                close(&conn);
                r
            }
        }
    };
    // Let CONNECTION_CLOSE go out and be acknowledged-or-timed-out, bounded.
    let _ = tokio::time::timeout(Duration::from_secs(2), endpoint.wait_idle()).await;
    result
}
