/* TLS 1.3 for quire probe's QUIC client through GnuTLS 3.7's QUIC interface (RFC 9001
 * Section 4): handshake messages leave through gnutls_handshake_set_read_function() as CRYPTO
 * data of their encryption level, the server's CRYPTO data enters with
 * gnutls_handshake_write(), traffic secrets arrive through
 * gnutls_handshake_set_secret_function() and become quire_keys, alerts through
 * gnutls_alert_set_read_function() become the QUIC error 0x100 + alert (RFC 9001 Section 4.8),
 * and the quic_transport_parameters extension (0x39, RFC 9001 Section 8.2) is registered per
 * session with gnutls_session_ext_register(). The server's certificate is not verified: the
 * probe tests the transport, not the PKI. */
#ifndef QUIRE_PROBE_QTLS_H
#define QUIRE_PROBE_QTLS_H

#include <stddef.h>
#include <stdint.h>

#include "trace/packet.h"

struct quire_pconn;

/* Sets up c->tls for a client with ALPN alpn and SNI sni. Returns 0 or QUIRE_ERR_CRYPTO
 * (with c->tls_why). */
int quire_qtls_init(struct quire_pconn *c, const char *alpn, const char *sni);
void quire_qtls_free(struct quire_pconn *c);
/* Gives TLS the server's CRYPTO bytes of an epoch (len 0: just run the handshake, e.g. to
 * produce the ClientHello) and advances the handshake. Returns 0 (also while waiting for more
 * data), or QUIRE_ERR_CRYPTO when TLS failed (c->tls_error, c->tls_why). */
int quire_qtls_feed(struct quire_pconn *c, quire_epoch epoch, const uint8_t *data, size_t len);
/* The negotiated ALPN into buf ("" if none). */
void quire_qtls_alpn(struct quire_pconn *c, char *buf, size_t cap);

#endif
