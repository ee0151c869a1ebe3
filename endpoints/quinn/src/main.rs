//! quire-quinn: an hq-interop (HTTP/0.9 over QUIC) and HTTP/3 client and server on quinn +
//! rustls (+ h3), following the QUIC Interop Runner endpoint contract (see ../README.md).
//!
//! Usage: quire-quinn client|server   (ROLE may be given instead of the argument)
//! Environment: TESTCASE, REQUESTS (client), SSLKEYLOGFILE, QLOGDIR, QUIRE_ALPN (client: h3
//! makes every test case speak HTTP/3; the server always offers both).
//! Exit status: 0 success, 1 failure, 127 test case not supported.

mod client;
mod h3;
mod server;
mod tls;

#[cfg(feature = "qlog")]
use std::sync::atomic::{AtomicU32, Ordering};

use std::process::ExitCode;
use std::sync::OnceLock;
use std::time::Instant;

/// How the client lays out its connections.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Pattern {
    Transfer,
    Multiconnect,
    Resume { zero_rtt: bool },
    /// Start with an unsupported version; success = the server's Version Negotiation packet.
    VersionProbe,
}

/// What a test case asks of this endpoint.
#[derive(Debug)]
pub struct Mode {
    pub pattern: Pattern,
    pub small_windows: bool,
    pub keyupdate: bool,
    pub chacha20: bool,
    pub retry: bool,
    /// Client: ALPN h3 instead of hq-interop.
    pub h3: bool,
}

/// Test cases this endpoint supports, by role; Err(why) = unsupported (exit 127).
fn mode_for(server: bool, testcase: &str, alpn_h3: bool) -> Result<Mode, String> {
    let mut m = Mode {
        pattern: Pattern::Transfer,
        small_windows: false,
        keyupdate: false,
        chacha20: false,
        retry: false,
        h3: alpn_h3,
    };
    match testcase {
        "handshake" | "goodput" | "crosstraffic" | "ecn" | "rebind-port" | "rebind-addr" => {}
        "transfer" => m.small_windows = true,
        "multiconnect" => m.pattern = Pattern::Multiconnect,
        "resumption" => m.pattern = Pattern::Resume { zero_rtt: false },
        "zerortt" => m.pattern = Pattern::Resume { zero_rtt: true },
        "keyupdate" => m.keyupdate = true,
        "chacha20" => m.chacha20 = true,
        // The client has nothing special to do for retry; the server sends one.
        "retry" => m.retry = server,
        "http3" => m.h3 = true,
        // The server needs nothing: quinn answers an unknown version with Version Negotiation.
        "versionnegotiation" => m.pattern = Pattern::VersionProbe,
        "v2" => return Err("quinn 0.11 implements no QUIC v2 (RFC 9369) nor compatible version negotiation".into()),
        _ => return Err(format!("test case {testcase:?} not supported")),
    }
    Ok(m)
}

static START: OnceLock<Instant> = OnceLock::new();

pub fn log(msg: &str) {
    let t = START.get_or_init(Instant::now).elapsed();
    eprintln!("[quinn {:7.3}] {msg}", t.as_secs_f64());
}

/// A qlog stream for one connection, written to $QLOGDIR/<role>-<n>.sqlog, when QLOGDIR is set.
#[cfg(feature = "qlog")]
pub fn add_qlog(t: &mut quinn::TransportConfig, role: &str) {
    static N: AtomicU32 = AtomicU32::new(0);
    let Some(dir) = std::env::var_os("QLOGDIR") else {
        return;
    };
    let dir = std::path::PathBuf::from(dir);
    let path = dir.join(format!("{role}-{}.sqlog", N.fetch_add(1, Ordering::Relaxed)));
    let file = match std::fs::create_dir_all(&dir).and_then(|()| std::fs::File::create(&path)) {
        Ok(f) => f,
        Err(e) => {
            log(&format!("qlog: {}: {e}", path.display()));
            return;
        }
    };
    let mut q = quinn::QlogConfig::default();
    // Line-buffered: every JSON-SEQ record reaches the file even if we are killed.
    q.writer(Box::new(std::io::LineWriter::new(file)))
        .title(Some(format!("quire-quinn {role}")))
        .start_time(*START.get_or_init(Instant::now));
    t.qlog_stream(q.into_stream());
}

#[cfg(not(feature = "qlog"))]
pub fn add_qlog(_t: &mut quinn::TransportConfig, _role: &str) {}

fn main() -> ExitCode {
    START.get_or_init(Instant::now);
    let role = std::env::args()
        .nth(1)
        .or_else(|| std::env::var("ROLE").ok())
        .unwrap_or_default();
    let server = match role.as_str() {
        "server" => true,
        "client" => false,
        _ => {
            eprintln!("usage: quire-quinn client|server (or ROLE=client|server)");
            return ExitCode::from(2);
        }
    };
    let testcase = std::env::var("TESTCASE").unwrap_or_default();
    let alpn_h3 = std::env::var("QUIRE_ALPN").is_ok_and(|a| a == "h3");
    let mode = match mode_for(server, &testcase, alpn_h3) {
        Ok(m) => m,
        Err(why) => {
            log(&format!("{role}, test case {testcase}: unsupported: {why}"));
            return ExitCode::from(127);
        }
    };
    log(&format!("{role}, test case {testcase}: {mode:?}"));

    let rt = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            log(&format!("tokio runtime: {e}"));
            return ExitCode::from(1);
        }
    };
    let result = rt.block_on(async {
        if server {
            server::run(&mode).await
        } else {
            let urls = std::env::var("REQUESTS").unwrap_or_default();
            client::run(&mode, &urls).await
        }
    });
    match result {
        Ok(()) => {
            log("done");
            ExitCode::SUCCESS
        }
        Err(e) => {
            log(&format!("error: {e}"));
            ExitCode::from(1)
        }
    }
}
