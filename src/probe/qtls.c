/* GnuTLS glue for quire probe (see qtls.h; RFC 9001 Sections 4 and 8). */
#include "probe/qtls.h"

#include <gnutls/gnutls.h>
#include <stdio.h>
#include <string.h>

#include "probe/pconn.h"
#include "util/err.h"

#define QTLS_TP_EXT 0x39 /* quic_transport_parameters, RFC 9001 Section 8.2 */

/* TLS 1.3 only, the three AEADs QUIC uses, no middlebox compatibility mode (RFC 9001
 * Section 8.4: no ChangeCipherSpec). */
static const char priority[] = "NORMAL:-VERS-ALL:+VERS-TLS1.3:-CIPHER-ALL:+AES-128-GCM:"
                               "+AES-256-GCM:+CHACHA20-POLY1305:%DISABLE_TLS13_COMPAT_MODE";

static quire_pconn *conn_of(gnutls_session_t s)
{
    return gnutls_session_get_ptr(s);
}

static int alg_of(gnutls_cipher_algorithm_t cipher, quire_aead_alg *alg)
{
    switch (cipher) {
    case GNUTLS_CIPHER_AES_128_GCM: *alg = QUIRE_AEAD_AES_128_GCM; return 0;
    case GNUTLS_CIPHER_AES_256_GCM: *alg = QUIRE_AEAD_AES_256_GCM; return 0;
    case GNUTLS_CIPHER_CHACHA20_POLY1305: *alg = QUIRE_AEAD_CHACHA20_POLY1305; return 0;
    default: return QUIRE_ERR_UNSUPPORTED;
    }
}

static int secret_cb(gnutls_session_t s, gnutls_record_encryption_level_t level,
                     const void *rsecret, const void *wsecret, size_t len)
{
    quire_pconn *c = conn_of(s);
    quire_aead_alg alg;
    gnutls_cipher_algorithm_t cipher =
        level == GNUTLS_ENCRYPTION_LEVEL_EARLY ? gnutls_early_cipher_get(s) : gnutls_cipher_get(s);
    if (alg_of(cipher, &alg)) {
        snprintf(c->tls_why, sizeof c->tls_why, "TLS negotiated a cipher QUIC does not use");
        return -1;
    }
    quire_epoch epoch = (quire_epoch)level; /* same numbering: 0 initial .. 3 application */
    if (rsecret && quire_pconn_tls_secret(c, epoch, 0, alg, rsecret, len)) return -1;
    if (wsecret && quire_pconn_tls_secret(c, epoch, 1, alg, wsecret, len)) return -1;
    return 0;
}

static int read_cb(gnutls_session_t s, gnutls_record_encryption_level_t level,
                   gnutls_handshake_description_t htype, const void *data, size_t len)
{
    if (htype == GNUTLS_HANDSHAKE_CHANGE_CIPHER_SPEC) return 0; /* never sent in QUIC */
    return quire_pconn_tls_data(conn_of(s), (quire_epoch)level, data, len) ? -1 : 0;
}

static int alert_cb(gnutls_session_t s, gnutls_record_encryption_level_t level,
                    gnutls_alert_level_t alevel, gnutls_alert_description_t desc)
{
    (void)level;
    (void)alevel;
    quire_pconn *c = conn_of(s);
    c->tls_error = 0x100 + (int)desc; /* RFC 9001 Section 4.8 */
    snprintf(c->tls_why, sizeof c->tls_why, "TLS alert %d (%s)", (int)desc,
             gnutls_alert_get_strname(desc) ? gnutls_alert_get_strname(desc) : "?");
    return 0;
}

static int tp_recv(gnutls_session_t s, const unsigned char *data, size_t len)
{
    quire_pconn *c = conn_of(s);
    memset(&c->server_tp, 0, sizeof c->server_tp);
    if (quire_tls_parse_tp(data, len, &c->server_tp)) {
        snprintf(c->tls_why, sizeof c->tls_why, "server transport parameters do not parse");
        return GNUTLS_E_RECEIVED_ILLEGAL_EXTENSION;
    }
    c->have_server_tp = 1;
    return 0;
}

static int tp_send(gnutls_session_t s, gnutls_buffer_t extdata)
{
    quire_pconn *c = conn_of(s);
    if (gnutls_buffer_append_data(extdata, c->client_tp, c->client_tp_len)) return -1;
    return (int)c->client_tp_len;
}

static int keylog_cb(gnutls_session_t s, const char *label, const gnutls_datum_t *secret)
{
    quire_pconn *c = conn_of(s);
    if (!c->opts.keylog) return 0;
    gnutls_datum_t crandom, srandom;
    gnutls_session_get_random(s, &crandom, &srandom);
    fprintf(c->opts.keylog, "%s ", label);
    for (unsigned i = 0; i < crandom.size; i++)
        fprintf(c->opts.keylog, "%02x", crandom.data[i]);
    fputc(' ', c->opts.keylog);
    for (unsigned i = 0; i < secret->size; i++)
        fprintf(c->opts.keylog, "%02x", secret->data[i]);
    fputc('\n', c->opts.keylog);
    fflush(c->opts.keylog);
    return 0;
}

static int fail(quire_pconn *c, const char *what, int rv)
{
    snprintf(c->tls_why, sizeof c->tls_why, "%s: %s", what, gnutls_strerror(rv));
    return QUIRE_ERR_CRYPTO;
}

int quire_qtls_init(quire_pconn *c, const char *alpn, const char *sni)
{
    gnutls_session_t s;
    gnutls_certificate_credentials_t cred;
    int rv = gnutls_certificate_allocate_credentials(&cred);
    if (rv) return fail(c, "credentials", rv);
    c->cred = cred;
    rv = gnutls_init(&s, GNUTLS_CLIENT | GNUTLS_NO_END_OF_EARLY_DATA);
    if (rv) return fail(c, "gnutls_init", rv);
    c->tls = s;
    gnutls_session_set_ptr(s, c);
    if ((rv = gnutls_priority_set_direct(s, priority, NULL))) return fail(c, "priority", rv);
    if ((rv = gnutls_credentials_set(s, GNUTLS_CRD_CERTIFICATE, cred)))
        return fail(c, "credentials", rv);
    gnutls_handshake_set_secret_function(s, secret_cb);
    gnutls_handshake_set_read_function(s, read_cb);
    gnutls_alert_set_read_function(s, alert_cb);
    gnutls_session_set_keylog_function(s, keylog_cb);
    if (!c->opts.no_tp_ext &&
        (rv = gnutls_session_ext_register(
             s, "QUIC Transport Parameters", QTLS_TP_EXT, GNUTLS_EXT_TLS, tp_recv, tp_send, NULL,
             NULL, NULL, GNUTLS_EXT_FLAG_TLS | GNUTLS_EXT_FLAG_CLIENT_HELLO | GNUTLS_EXT_FLAG_EE)))
        return fail(c, "transport parameter extension", rv);
    gnutls_datum_t proto = {(unsigned char *)(uintptr_t)alpn, (unsigned)strlen(alpn)};
    if ((rv = gnutls_alpn_set_protocols(s, &proto, 1, 0))) return fail(c, "ALPN", rv);
    if (sni && *sni && (rv = gnutls_server_name_set(s, GNUTLS_NAME_DNS, sni, strlen(sni))))
        return fail(c, "SNI", rv);
    return 0;
}

void quire_qtls_free(quire_pconn *c)
{
    if (c->tls) gnutls_deinit(c->tls);
    if (c->cred) gnutls_certificate_free_credentials(c->cred);
    c->tls = NULL;
    c->cred = NULL;
}

int quire_qtls_feed(quire_pconn *c, quire_epoch epoch, const uint8_t *data, size_t len)
{
    gnutls_session_t s = c->tls;
    if (c->tls_error < 0) return QUIRE_ERR_CRYPTO;
    if (len) {
        int rv = gnutls_handshake_write(s, (gnutls_record_encryption_level_t)epoch, data, len);
        if (rv < 0) {
            if (!gnutls_error_is_fatal(rv)) return 0;
            c->tls_error = rv;
            if (!c->tls_why[0]) fail(c, "handshake data", rv);
            return QUIRE_ERR_CRYPTO;
        }
    }
    if (c->tls_complete) return 0; /* post-handshake messages (tickets) need nothing more */
    int rv = gnutls_handshake(s);
    if (rv == 0) {
        c->tls_complete = 1;
        return 0;
    }
    if (!gnutls_error_is_fatal(rv)) return 0;
    c->tls_error = rv;
    if (!c->tls_why[0]) fail(c, "handshake", rv);
    return QUIRE_ERR_CRYPTO;
}

void quire_qtls_alpn(quire_pconn *c, char *buf, size_t cap)
{
    gnutls_datum_t p;
    buf[0] = '\0';
    if (c->tls && !gnutls_alpn_get_selected_protocol(c->tls, &p))
        snprintf(buf, cap, "%.*s", (int)p.size, p.data);
}
