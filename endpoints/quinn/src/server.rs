//! Server: serves files below WWW on [::]:443 (dual-stack), offering ALPNs hq-interop (one
//! "GET /path\r\n" request per bidirectional stream, here) and h3 (src/h3.rs); each connection
//! is served in the protocol its handshake negotiated. With TESTCASE=retry every new
//! connection is first sent a Retry packet, so the client's address is validated by token.

use std::net::{Ipv6Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;

use crate::{log, Mode};

const WWW: &str = "/www";
const MAX_REQUEST: usize = 4096;

fn transport() -> quinn::TransportConfig {
    let mut t = quinn::TransportConfig::default();
    t.max_concurrent_bidi_streams(1000u32.into());
    // h3 needs unidirectional streams (control, QPACK encoder and decoder: RFC 9114 section 6.2);
    // hq-interop clients open none.
    t.max_concurrent_uni_streams(16u32.into());
    t
}

pub async fn run(mode: &Mode) -> Result<(), String> {
    let crypto = crate::tls::server_config(mode.chacha20, "/certs/cert.pem", "/certs/priv.key")?;
    let mut config = quinn::ServerConfig::with_crypto(Arc::new(crypto));
    config.transport_config(Arc::new(transport()));

    let addr = SocketAddr::from((Ipv6Addr::UNSPECIFIED, 443));
    let endpoint = quinn::Endpoint::server(config.clone(), addr).map_err(|e| format!("bind {addr}: {e}"))?;
    log(&format!("server listening on {addr}, retry={}", mode.retry));

    while let Some(incoming) = endpoint.accept().await {
        let remote = incoming.remote_address();
        if mode.retry && !incoming.remote_address_validated() {
            log(&format!("{remote}: sending Retry"));
            if let Err(e) = incoming.retry() {
                log(&format!("{remote}: retry failed: {e}"));
            }
            continue;
        }
        // Each connection gets its own transport config, for its own qlog file.
        let mut conn_config = config.clone();
        let mut t = transport();
        crate::add_qlog(&mut t, "server");
        conn_config.transport_config(Arc::new(t));
        tokio::spawn(async move {
            match serve_connection(incoming, conn_config).await {
                Ok(()) => log(&format!("{remote}: connection closed")),
                Err(e) => log(&format!("{remote}: {e}")),
            }
        });
    }
    Ok(())
}

async fn serve_connection(
    incoming: quinn::Incoming,
    config: quinn::ServerConfig,
) -> Result<(), String> {
    let conn = incoming.accept_with(Arc::new(config)).map_err(|e| format!("accept: {e}"))?;
    // Accept 0-RTT streams as soon as they arrive; the client's early requests are
    // idempotent GETs, which is what 0-RTT is for.
    let conn = match conn.into_0rtt() {
        Ok((conn, _accepted)) => conn,
        Err(connecting) => connecting.await.map_err(|e| format!("handshake: {e}"))?,
    };
    let alpn = crate::tls::negotiated_alpn(&conn);
    log(&format!(
        "{}: connection accepted, ALPN {}",
        conn.remote_address(),
        String::from_utf8_lossy(&alpn)
    ));
    if alpn == crate::tls::ALPN_H3 {
        return crate::h3::serve(conn).await;
    }
    loop {
        match conn.accept_bi().await {
            Ok((send, recv)) => {
                tokio::spawn(async move {
                    if let Err(e) = serve_stream(send, recv).await {
                        log(&format!("stream: {e}"));
                    }
                });
            }
            Err(quinn::ConnectionError::ApplicationClosed(_))
            | Err(quinn::ConnectionError::LocallyClosed) => return Ok(()),
            Err(e) => return Err(format!("connection: {e}")),
        }
    }
}

/// Maps "GET /a/b" to WWW/a/b, refusing anything that could leave WWW.
fn request_path(req: &[u8]) -> Result<PathBuf, String> {
    let line = std::str::from_utf8(req).map_err(|_| "request is not UTF-8".to_string())?;
    let line = line.trim_end_matches(['\r', '\n']);
    let path = line
        .strip_prefix("GET ")
        .ok_or_else(|| format!("bad request {line:?}"))?;
    www_path(path)
}

/// Maps "/a/b" to WWW/a/b, refusing anything that could leave WWW.
pub fn www_path(path: &str) -> Result<PathBuf, String> {
    let path = path.strip_prefix('/').ok_or_else(|| format!("bad path {path:?}"))?;
    if path.is_empty() || path.split('/').any(|c| c.is_empty() || c == "." || c == "..") {
        return Err(format!("bad path {path:?}"));
    }
    Ok(PathBuf::from(WWW).join(path))
}

async fn serve_stream(mut send: quinn::SendStream, mut recv: quinn::RecvStream) -> Result<(), String> {
    let req = recv
        .read_to_end(MAX_REQUEST)
        .await
        .map_err(|e| format!("read request: {e}"))?;
    let path = match request_path(&req) {
        Ok(p) => p,
        Err(e) => {
            let _ = send.reset(1u32.into());
            return Err(e);
        }
    };
    // Read whole: many concurrent streams must not hold many open files.
    let data = match std::fs::read(&path) {
        Ok(d) => d,
        Err(e) => {
            let _ = send.reset(1u32.into());
            return Err(format!("{}: {e}", path.display()));
        }
    };
    send.write_all(&data)
        .await
        .map_err(|e| format!("{}: write: {e}", path.display()))?;
    let total = data.len();
    send.finish().map_err(|e| format!("finish: {e}"))?;
    // Keep the stream alive until the peer has everything (or the connection ends).
    let _ = send.stopped().await;
    log(&format!("served {} ({total} bytes)", path.display()));
    Ok(())
}
