//! HTTP/3 (RFC 9114, ALPN "h3") on the crates h3 + h3-quinn, for both roles: the client GETs
//! every path on one connection, the server answers GETs from WWW. The hq-interop code in
//! client.rs / server.rs decides when a connection speaks h3 (by the negotiated ALPN).

use bytes::{Buf, Bytes};
use tokio::task::JoinSet;

use crate::log;

/// H3_NO_ERROR (RFC 9114 section 8.1): the application close code of a clean h3 shutdown.
pub const H3_NO_ERROR: u32 = 0x100;

type ClientStream = h3::client::RequestStream<h3_quinn::BidiStream<Bytes>, Bytes>;

/// Reads one response; `path` is what was asked for. Returns the body, complete or an error.
async fn receive(mut stream: ClientStream, path: String) -> Result<(String, Vec<u8>), String> {
    let resp = stream
        .recv_response()
        .await
        .map_err(|e| format!("{path}: response: {e}"))?;
    if resp.status() != http::StatusCode::OK {
        return Err(format!("{path}: status {}", resp.status()));
    }
    let mut data = Vec::new();
    while let Some(mut chunk) = stream
        .recv_data()
        .await
        .map_err(|e| format!("{path}: body: {e}"))?
    {
        while chunk.has_remaining() {
            let part = chunk.chunk();
            data.extend_from_slice(part);
            let n = part.len();
            chunk.advance(n);
        }
    }
    Ok((path, data))
}

/// GETs https://`authority``path` for every path on `conn`, concurrently; hands each complete
/// body to `save`. As in the hq-interop client, all requests are written from this task before
/// any response is awaited, so on a 0-RTT connection they all go out as 0-RTT.
pub async fn fetch_all<F>(conn: &quinn::Connection, authority: &str, paths: &[String], save: F) -> Result<(), String>
where
    F: Fn(&str, &[u8]) -> Result<(), String>,
{
    let (mut driver, mut sender) = h3::client::new(h3_quinn::Connection::new(conn.clone()))
        .await
        .map_err(|e| format!("h3 client: {e}"))?;
    // The driver handles the control and QPACK streams; it ends when the connection does.
    let driver = tokio::spawn(async move { driver.wait_idle().await });
    let mut set = JoinSet::new();
    let mut first_err = None;
    for p in paths {
        let req = http::Request::get(format!("https://{authority}{p}"))
            .body(())
            .map_err(|e| format!("{p}: request: {e}"))?;
        let sent = match sender.send_request(req).await {
            Ok(mut stream) => stream.finish().await.map(|()| stream),
            Err(e) => Err(e),
        };
        match sent {
            Ok(stream) => {
                set.spawn(receive(stream, p.clone()));
            }
            Err(e) => {
                let e = format!("{p}: send request: {e}");
                log(&e);
                first_err = Some(e);
                break;
            }
        }
    }
    while let Some(res) = set.join_next().await {
        let res = res
            .map_err(|e| format!("task: {e}"))
            .and_then(|r| r)
            .and_then(|(path, data)| save(&path, &data));
        if let Err(e) = res {
            log(&e);
            first_err.get_or_insert(e);
        }
    }
    driver.abort();
    first_err.map_or(Ok(()), Err)
}

type ServerStream = h3::server::RequestStream<h3_quinn::BidiStream<Bytes>, Bytes>;

/// Answers one request: 200 and the file for a GET of an existing file below WWW, 404 (or 405
/// for other methods) otherwise.
async fn respond(req: http::Request<()>, mut stream: ServerStream) -> Result<(), String> {
    let path = req.uri().path().to_string();
    let found = if req.method() == http::Method::GET {
        crate::server::www_path(&path).and_then(|p| std::fs::read(&p).map_err(|e| format!("{}: {e}", p.display())))
    } else {
        Err(format!("{path}: method {}", req.method()))
    };
    let (status, body) = match &found {
        Ok(data) => (http::StatusCode::OK, Some(Bytes::from(data.clone()))),
        Err(e) => {
            log(e);
            let s = if req.method() == http::Method::GET { 404 } else { 405 };
            (http::StatusCode::from_u16(s).unwrap(), None)
        }
    };
    let resp = http::Response::builder().status(status).body(()).unwrap();
    stream.send_response(resp).await.map_err(|e| format!("{path}: response: {e}"))?;
    let total = body.as_ref().map_or(0, |b| b.len());
    if let Some(b) = body {
        stream.send_data(b).await.map_err(|e| format!("{path}: body: {e}"))?;
    }
    stream.finish().await.map_err(|e| format!("{path}: finish: {e}"))?;
    if found.is_ok() {
        log(&format!("h3: served {path} ({total} bytes)"));
    }
    Ok(())
}

/// Serves h3 requests on an established connection until the client closes it.
pub async fn serve(conn: quinn::Connection) -> Result<(), String> {
    let mut h3c: h3::server::Connection<_, Bytes> = h3::server::Connection::new(h3_quinn::Connection::new(conn))
        .await
        .map_err(|e| format!("h3 server: {e}"))?;
    loop {
        match h3c.accept().await {
            Ok(Some(resolver)) => {
                tokio::spawn(async move {
                    let r = match resolver.resolve_request().await {
                        Ok((req, stream)) => respond(req, stream).await,
                        Err(e) => Err(format!("h3 request: {e}")),
                    };
                    if let Err(e) = r {
                        log(&e);
                    }
                });
            }
            Ok(None) => return Ok(()),
            Err(e) if e.is_h3_no_error() => return Ok(()),
            Err(e) => {
                // Peers often close an h3 connection at the QUIC level without H3_NO_ERROR
                // (hq-style code 0, idle timeout): not a failure of this server.
                log(&format!("h3 connection ended: {e}"));
                return Ok(());
            }
        }
    }
}
