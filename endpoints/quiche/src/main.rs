//! quire-quiche: quire's endpoint adapter for Cloudflare quiche (sans-IO QUIC + HTTP/3).
//!
//! One binary, `quire-quiche server|client`, configured by the endpoint contract's environment
//! (endpoints/README.md): ROLE, TESTCASE, REQUESTS, SSLKEYLOGFILE, QLOGDIR, QUIRE_ALPN.
//! quiche does no I/O of its own: `net.rs` drives it over a non-blocking std UDP socket with
//! poll(2) as the timer, `server.rs` and `client.rs` speak hq-interop (HTTP/0.9 on raw
//! bidirectional streams) or HTTP/3 (quiche::h3), chosen by ALPN.
//! Exit codes: 0 success, 1 failure, 127 unsupported test case (before anything starts).

mod client;
mod net;
mod server;

use std::process::exit;

/// Application protocols: QIR runs every test case over hq-interop except http3.
pub const ALPN_HQ: &[u8] = b"hq-interop";
pub const ALPN_H3: &[u8] = b"h3";

/// What a test case asks of this endpoint.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Mode {
    /// One connection, every file concurrently (handshake, transfer, h3, loss, rebinding, ...).
    Plain,
    /// Like Plain, with small initial flow-control windows so they must grow (QIR transfer).
    Transfer,
    /// Server: a Retry for every Initial without a valid token (RFC 9000, 8.1.2).
    Retry,
    /// Client: one connection per file, one after the other.
    Multiconnect,
    /// Client: file 1 on connection 1, the rest on a resumed connection 2.
    Resumption,
    /// As Resumption, connection 2 sends its requests in 0-RTT.
    ZeroRtt,
    /// Client: offer a reserved version and succeed on a Version Negotiation packet.
    VersionNegotiation,
}

fn unsupported(tc: &str, why: &str) -> ! {
    println!("quiche: unsupported test case: {tc} ({why})");
    exit(127)
}

/// Maps TESTCASE onto a mode, or exits 127 with the reason (endpoints/quiche/README.md).
fn mode_for(role: &str, tc: &str) -> Mode {
    let server = role == "server";
    match tc {
        "handshake" | "http3" | "goodput" | "crosstraffic" | "ipv6" | "rebind-port"
        | "rebind-addr" | "portrebinding" | "addressrebinding" | "blackhole" | "handshakeloss"
        | "handshakecorruption" | "transferloss" | "transfercorruption" | "longrtt"
        | "amplificationlimit" | "multiplexing" => Mode::Plain,
        "transfer" => Mode::Transfer,
        // The server side of keyupdate is a transfer: answering the client's key update is
        // mandatory (RFC 9001, 6.2) and quiche does it by itself.
        "keyupdate" if server => Mode::Transfer,
        "keyupdate" => unsupported(tc, "quiche has no API to initiate a key update"),
        // BoringSSL always accepts TLS_CHACHA20_POLY1305_SHA256, so a server can serve a
        // ChaCha20-only ClientHello; quiche's client cannot restrict its TLS 1.3 suites
        // (BoringSSL has no TLS 1.3 cipher suite configuration).
        "chacha20" if server => Mode::Plain,
        "chacha20" => unsupported(tc, "BoringSSL cannot restrict the TLS 1.3 cipher suites"),
        "retry" if server => Mode::Retry,
        "retry" => Mode::Plain,
        "multiconnect" if server => Mode::Plain,
        "multiconnect" => Mode::Multiconnect,
        "resumption" if server => Mode::Plain,
        "resumption" => Mode::Resumption,
        "zerortt" if server => Mode::Plain,
        "zerortt" => Mode::ZeroRtt,
        "versionnegotiation" if server => Mode::Plain,
        "versionnegotiation" => Mode::VersionNegotiation,
        "v2" => unsupported(tc, "quiche 0.30 speaks QUIC version 1 only"),
        "ecn" => unsupported(tc, "quiche neither marks ECN nor sends ECN counts in ACK frames"),
        "connectionmigration" if server => {
            unsupported(tc, "quiche has no preferred_address transport parameter")
        }
        _ => unsupported(tc, "not known to this endpoint"),
    }
}

fn main() {
    let role = std::env::args().nth(1).or_else(|| std::env::var("ROLE").ok()).unwrap_or_default();
    let tc = std::env::var("TESTCASE").unwrap_or_default();
    if role != "server" && role != "client" {
        eprintln!("usage: quire-quiche server|client (or ROLE=...)");
        exit(1);
    }
    let mode = mode_for(&role, &tc);
    // QUIRE_ALPN=h3 runs the hq-interop test cases over HTTP/3 (endpoints/README.md).
    let h3 = tc == "http3" || std::env::var("QUIRE_ALPN").map(|a| a == "h3").unwrap_or(false);
    println!("quiche: role={role} testcase={tc} mode={mode:?} alpn={}", if h3 { "h3" } else { "hq-interop" });
    let rc = if role == "server" { server::run(mode) } else { client::run(mode, h3) };
    match rc {
        Ok(()) => exit(0),
        Err(e) => {
            eprintln!("quiche {role}: {e}");
            exit(1)
        }
    }
}
