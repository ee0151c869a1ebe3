//! TLS configuration shared by client and server: rustls with the ring provider, TLS 1.3 only,
//! ALPN "hq-interop" and/or "h3", key log to $SSLKEYLOGFILE, optional ChaCha20-only cipher suite list.
//!
//! QUIC Interop Runner endpoints do not verify the server certificate (the runner's CA is not
//! trusted by the client), so the client accepts any certificate but still checks that the
//! handshake signature was made with the certificate's key.

use std::sync::Arc;

use quinn::crypto::rustls::{QuicClientConfig, QuicServerConfig};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{ring, CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};

pub const ALPN_HQ: &[u8] = b"hq-interop";
pub const ALPN_H3: &[u8] = b"h3";

/// The ALPN the handshake agreed on (empty if none).
pub fn negotiated_alpn(conn: &quinn::Connection) -> Vec<u8> {
    conn.handshake_data()
        .and_then(|d| d.downcast::<quinn::crypto::rustls::HandshakeData>().ok())
        .and_then(|d| d.protocol)
        .unwrap_or_default()
}

/// The ring provider, restricted to TLS_CHACHA20_POLY1305_SHA256 when `chacha20` is set.
fn provider(chacha20: bool) -> CryptoProvider {
    let mut p = ring::default_provider();
    if chacha20 {
        p.cipher_suites = vec![ring::cipher_suite::TLS13_CHACHA20_POLY1305_SHA256];
    }
    p
}

/// QUIC Initial packets always use AES-128-GCM (RFC 9001 section 5), whatever the TLS suites.
fn initial_suite() -> rustls::quic::Suite {
    ring::cipher_suite::TLS13_AES_128_GCM_SHA256
        .tls13()
        .and_then(|s| s.quic_suite())
        .expect("ring offers TLS13_AES_128_GCM_SHA256 for QUIC")
}

/// Accepts every certificate chain; verifies handshake signatures against the leaf's key.
#[derive(Debug)]
struct AnyServerCert(WebPkiSupportedAlgorithms);

impl ServerCertVerifier for AnyServerCert {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.0)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.0)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_schemes()
    }
}

/// Client crypto config. One instance per client run: its in-memory session cache is what
/// lets a second connection resume (and send 0-RTT). Offers the one ALPN `alpn`.
pub fn client_config(chacha20: bool, alpn: &[u8]) -> Result<QuicClientConfig, String> {
    let provider = Arc::new(provider(chacha20));
    let verifier = Arc::new(AnyServerCert(provider.signature_verification_algorithms));
    let mut cfg = rustls::ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13])
        .map_err(|e| format!("TLS client config: {e}"))?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    cfg.alpn_protocols = vec![alpn.to_vec()];
    cfg.enable_early_data = true;
    cfg.key_log = Arc::new(rustls::KeyLogFile::new());
    QuicClientConfig::with_initial(Arc::new(cfg), initial_suite())
        .map_err(|e| format!("QUIC client config: {e}"))
}

/// The QUIC version the versionnegotiation client starts with: of the form 0x?a?a?a?a, which
/// RFC 9000 section 15 reserves for forcing version negotiation, so no server supports it.
pub const VN_PROBE_VERSION: u32 = 0x1a2a_3a4a;

/// Client crypto that starts every TLS session as QUIC v1's, whatever the connection's version:
/// rustls derives no keys for VN_PROBE_VERSION, and quinn needs some to build the first Initial.
/// A server cannot read that Initial anyway: it only answers with Version Negotiation.
pub struct VersionProbe(pub Arc<QuicClientConfig>);

impl quinn::crypto::ClientConfig for VersionProbe {
    fn start_session(
        self: Arc<Self>,
        _version: u32,
        server_name: &str,
        params: &quinn_proto::transport_parameters::TransportParameters,
    ) -> Result<Box<dyn quinn::crypto::Session>, quinn::ConnectError> {
        self.0.clone().start_session(1, server_name, params)
    }
}

/// Server crypto config from a PEM chain and a PEM private key.
pub fn server_config(
    chacha20: bool,
    cert_path: &str,
    key_path: &str,
) -> Result<QuicServerConfig, String> {
    let chain = CertificateDer::pem_file_iter(cert_path)
        .and_then(|it| it.collect::<Result<Vec<_>, _>>())
        .map_err(|e| format!("{cert_path}: {e}"))?;
    if chain.is_empty() {
        return Err(format!("{cert_path}: no certificate found"));
    }
    let key = PrivateKeyDer::from_pem_file(key_path).map_err(|e| format!("{key_path}: {e}"))?;
    let mut cfg = rustls::ServerConfig::builder_with_provider(Arc::new(provider(chacha20)))
        .with_protocol_versions(&[&rustls::version::TLS13])
        .map_err(|e| format!("TLS server config: {e}"))?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| format!("{cert_path}, {key_path}: {e}"))?;
    // Both: the client's choice picks the protocol of the connection.
    cfg.alpn_protocols = vec![ALPN_HQ.to_vec(), ALPN_H3.to_vec()];
    // quinn accepts 0-RTT only with this exact value (RFC 9001 section 4.6.1).
    cfg.max_early_data_size = u32::MAX;
    cfg.key_log = Arc::new(rustls::KeyLogFile::new());
    QuicServerConfig::with_initial(Arc::new(cfg), initial_suite())
        .map_err(|e| format!("QUIC server config: {e}"))
}
