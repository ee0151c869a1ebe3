/* TLS 1.3 handshake messages in QUIC CRYPTO streams (RFC 8446 Section 4, RFC 9001 Section 4)
 * and QUIC transport parameters (RFC 9000 Section 18); see tls.h. */
#include "trace/tls.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/cursor.h"
#include "util/err.h"

enum {
    HS_CLIENT_HELLO = 1,
    HS_SERVER_HELLO = 2,
    HS_NEW_SESSION_TICKET = 4,
    HS_ENCRYPTED_EXTENSIONS = 8,
    HS_CERTIFICATE = 11,
    HS_CERTIFICATE_REQUEST = 13,
    HS_CERTIFICATE_VERIFY = 15,
    HS_FINISHED = 20,
    HS_COMPRESSED_CERTIFICATE = 25, /* RFC 8879 */
};

enum {
    EXT_SERVER_NAME = 0,
    EXT_ALPN = 16,
    EXT_PRE_SHARED_KEY = 41,
    EXT_EARLY_DATA = 42,
    EXT_SUPPORTED_VERSIONS = 43,
    EXT_KEY_SHARE = 51,
    EXT_QUIC_TP = 57,
    EXT_QUIC_TP_DRAFT = 0xffa5,
};

/* RFC 8446 Section 4.1.3: the random of a HelloRetryRequest. */
static const uint8_t hrr_random[32] = {
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
};

static const struct {
    uint64_t wire;
    const char *name;
    quire_tp_kind kind;
} tp_table[QUIRE_TP_COUNT] = {
    [QUIRE_TP_ORIGINAL_DCID] = {0x00, "original_destination_connection_id", QUIRE_TP_KIND_CID},
    [QUIRE_TP_MAX_IDLE_TIMEOUT] = {0x01, "max_idle_timeout", QUIRE_TP_KIND_INT},
    [QUIRE_TP_STATELESS_RESET_TOKEN] = {0x02, "stateless_reset_token", QUIRE_TP_KIND_TOKEN},
    [QUIRE_TP_MAX_UDP_PAYLOAD_SIZE] = {0x03, "max_udp_payload_size", QUIRE_TP_KIND_INT},
    [QUIRE_TP_INITIAL_MAX_DATA] = {0x04, "initial_max_data", QUIRE_TP_KIND_INT},
    [QUIRE_TP_INITIAL_MAX_STREAM_DATA_BIDI_LOCAL] = {0x05, "initial_max_stream_data_bidi_local",
                                                     QUIRE_TP_KIND_INT},
    [QUIRE_TP_INITIAL_MAX_STREAM_DATA_BIDI_REMOTE] = {0x06, "initial_max_stream_data_bidi_remote",
                                                      QUIRE_TP_KIND_INT},
    [QUIRE_TP_INITIAL_MAX_STREAM_DATA_UNI] = {0x07, "initial_max_stream_data_uni",
                                              QUIRE_TP_KIND_INT},
    [QUIRE_TP_INITIAL_MAX_STREAMS_BIDI] = {0x08, "initial_max_streams_bidi", QUIRE_TP_KIND_INT},
    [QUIRE_TP_INITIAL_MAX_STREAMS_UNI] = {0x09, "initial_max_streams_uni", QUIRE_TP_KIND_INT},
    [QUIRE_TP_ACK_DELAY_EXPONENT] = {0x0a, "ack_delay_exponent", QUIRE_TP_KIND_INT},
    [QUIRE_TP_MAX_ACK_DELAY] = {0x0b, "max_ack_delay", QUIRE_TP_KIND_INT},
    [QUIRE_TP_DISABLE_ACTIVE_MIGRATION] = {0x0c, "disable_active_migration", QUIRE_TP_KIND_FLAG},
    [QUIRE_TP_PREFERRED_ADDRESS] = {0x0d, "preferred_address", QUIRE_TP_KIND_PREFERRED_ADDRESS},
    [QUIRE_TP_ACTIVE_CONNECTION_ID_LIMIT] = {0x0e, "active_connection_id_limit", QUIRE_TP_KIND_INT},
    [QUIRE_TP_INITIAL_SCID] = {0x0f, "initial_source_connection_id", QUIRE_TP_KIND_CID},
    [QUIRE_TP_RETRY_SCID] = {0x10, "retry_source_connection_id", QUIRE_TP_KIND_CID},
    [QUIRE_TP_VERSION_INFORMATION] = {0x11, "version_information", QUIRE_TP_KIND_VERSIONS},
    [QUIRE_TP_MAX_DATAGRAM_FRAME_SIZE] = {0x20, "max_datagram_frame_size", QUIRE_TP_KIND_INT},
    [QUIRE_TP_GREASE_QUIC_BIT] = {0x2ab2, "grease_quic_bit", QUIRE_TP_KIND_FLAG},
};

const char *quire_tp_name(quire_tp_id id)
{
    return (unsigned)id < QUIRE_TP_COUNT ? tp_table[id].name : NULL;
}

quire_tp_kind quire_tp_kind_of(quire_tp_id id)
{
    return (unsigned)id < QUIRE_TP_COUNT ? tp_table[id].kind : QUIRE_TP_KIND_INT;
}

uint64_t quire_tp_wire_id(quire_tp_id id)
{
    return (unsigned)id < QUIRE_TP_COUNT ? tp_table[id].wire : UINT64_MAX;
}

/* {value, name} tables, looked up by name_of() (NULL when absent) */
typedef struct {
    uint16_t value;
    const char *name;
} tls_name;

static const char *name_of(const tls_name *t, size_t n, uint16_t value)
{
    for (size_t i = 0; i < n; i++)
        if (t[i].value == value) return t[i].name;
    return NULL;
}

#define NAME_OF(table, value) name_of(table, sizeof table / sizeof table[0], value)

static const tls_name cipher_names[] = {
    {0x1301, "TLS_AES_128_GCM_SHA256"},       {0x1302, "TLS_AES_256_GCM_SHA384"},
    {0x1303, "TLS_CHACHA20_POLY1305_SHA256"}, {0x1304, "TLS_AES_128_CCM_SHA256"},
    {0x1305, "TLS_AES_128_CCM_8_SHA256"},
};

static const tls_name group_names[] = {
    {0x0017, "secp256r1"}, {0x0018, "secp384r1"},      {0x0019, "secp521r1"},
    {0x001d, "x25519"},    {0x001e, "x448"},           {0x0100, "ffdhe2048"},
    {0x0101, "ffdhe3072"}, {0x11ec, "X25519MLKEM768"}, {0x6399, "X25519Kyber768Draft00"},
};

const char *quire_tls_cipher_name(uint16_t suite)
{
    return NAME_OF(cipher_names, suite);
}

const char *quire_tls_group_name(uint16_t group)
{
    return NAME_OF(group_names, group);
}

static int tls_error(quire_tls_info *info, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int tls_error(quire_tls_info *info, int err, const char *fmt, ...)
{
    info->errors++;
    if (!info->error[0]) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(info->error, sizeof info->error, fmt, ap);
        va_end(ap);
    }
    return err;
}

/* ---- transport parameters (RFC 9000 Section 18) ---- */

static int read_cid(quire_cursor *c, size_t n, quire_cid_val *cid)
{
    if (n > 20) return QUIRE_ERR_MALFORMED;
    cid->len = (uint8_t)n;
    return quire_cursor_copy(c, cid->id, n);
}

static int parse_one_tp(quire_tp_id id, quire_cursor *v, quire_tp_set *tp)
{
    size_t n = quire_cursor_left(v);
    switch (tp_table[id].kind) {
    case QUIRE_TP_KIND_INT:
        if (quire_cursor_varint(v, &tp->val[id])) return QUIRE_ERR_TRUNCATED;
        return quire_cursor_left(v) ? QUIRE_ERR_MALFORMED : 0;
    case QUIRE_TP_KIND_FLAG:
        return n ? QUIRE_ERR_MALFORMED : 0;
    case QUIRE_TP_KIND_TOKEN:
        return n == 16 ? quire_cursor_copy(v, tp->reset_token, 16) : QUIRE_ERR_MALFORMED;
    case QUIRE_TP_KIND_CID: {
        quire_cid_val *cid = id == QUIRE_TP_ORIGINAL_DCID  ? &tp->odcid
                             : id == QUIRE_TP_INITIAL_SCID ? &tp->iscid
                                                           : &tp->rscid;
        return read_cid(v, n, cid);
    }
    case QUIRE_TP_KIND_PREFERRED_ADDRESS: {
        /* 18.2: IPv4 (4) + port (2) + IPv6 (16) + port (2) + CID length (1) + CID + token (16) */
        uint8_t cl;
        if (quire_cursor_copy(v, tp->preferred_address.v4, 4) ||
            quire_cursor_u16(v, &tp->preferred_address.v4_port) ||
            quire_cursor_copy(v, tp->preferred_address.v6, 16) ||
            quire_cursor_u16(v, &tp->preferred_address.v6_port) || quire_cursor_u8(v, &cl))
            return QUIRE_ERR_TRUNCATED;
        if (cl > 20) return QUIRE_ERR_MALFORMED;
        if (read_cid(v, cl, &tp->preferred_address.cid) ||
            quire_cursor_copy(v, tp->preferred_address.reset_token, 16))
            return QUIRE_ERR_TRUNCATED;
        return quire_cursor_left(v) ? QUIRE_ERR_MALFORMED : 0;
    }
    case QUIRE_TP_KIND_VERSIONS: {
        /* RFC 9368 Section 3: chosen version, then available versions, 4 bytes each */
        if (n < 4 || n % 4) return QUIRE_ERR_MALFORMED;
        if (quire_cursor_u32(v, &tp->version_info.chosen)) return QUIRE_ERR_TRUNCATED;
        tp->version_info.count = 0;
        while (quire_cursor_left(v)) {
            uint32_t ver;
            if (quire_cursor_u32(v, &ver)) return QUIRE_ERR_TRUNCATED;
            if (tp->version_info.count < QUIRE_TP_MAX_VERSIONS)
                tp->version_info.available[tp->version_info.count++] = ver;
        }
        return 0;
    }
    }
    return QUIRE_ERR_MALFORMED;
}

int quire_tls_parse_tp(const uint8_t *data, size_t len, quire_tp_set *tp)
{
    quire_cursor c;
    quire_cursor_init(&c, data, len);
    tp->present = 1;
    while (quire_cursor_left(&c)) {
        uint64_t wire, plen;
        quire_cursor v;
        if (quire_cursor_varint(&c, &wire) || quire_cursor_varint(&c, &plen))
            return QUIRE_ERR_TRUNCATED;
        if (plen > quire_cursor_left(&c)) return QUIRE_ERR_TRUNCATED;
        quire_cursor_sub(&c, (size_t)plen, &v);
        int id = -1;
        for (int i = 0; i < QUIRE_TP_COUNT; i++)
            if (tp_table[i].wire == wire) id = i;
        if (id < 0) {
            if (tp->unknown_count < QUIRE_TP_MAX_UNKNOWN) tp->unknown_ids[tp->unknown_count] = wire;
            if (tp->unknown_count < UINT8_MAX) tp->unknown_count++;
            continue;
        }
        /* 18.2: a parameter MUST NOT appear twice */
        if (tp->mask & (1u << id)) return QUIRE_ERR_MALFORMED;
        int rv = parse_one_tp((quire_tp_id)id, &v, tp);
        if (rv) return rv;
        tp->mask |= 1u << id;
    }
    return 0;
}

/* ---- handshake messages (RFC 8446 Section 4) ---- */

static int vec8(quire_cursor *c, quire_cursor *sub)
{
    uint8_t n;
    if (quire_cursor_u8(c, &n)) return QUIRE_ERR_TRUNCATED;
    return quire_cursor_sub(c, n, sub);
}

static int vec16(quire_cursor *c, quire_cursor *sub)
{
    uint16_t n;
    if (quire_cursor_u16(c, &n)) return QUIRE_ERR_TRUNCATED;
    return quire_cursor_sub(c, n, sub);
}

static int vec24(quire_cursor *c, quire_cursor *sub)
{
    uint32_t n;
    if (quire_cursor_u24(c, &n)) return QUIRE_ERR_TRUNCATED;
    return quire_cursor_sub(c, n, sub);
}

/* RFC 7301: ProtocolNameList, joined with commas. */
static int parse_alpn(quire_cursor *e, char *out, size_t cap)
{
    quire_cursor list;
    size_t pos = 0;
    if (vec16(e, &list)) return QUIRE_ERR_TRUNCATED;
    out[0] = 0;
    while (quire_cursor_left(&list)) {
        quire_cursor name;
        if (vec8(&list, &name)) return QUIRE_ERR_TRUNCATED;
        size_t n = quire_cursor_left(&name);
        if (n == 0) return QUIRE_ERR_MALFORMED;
        if (pos + n + 2 > cap) break;
        if (pos) out[pos++] = ',';
        for (size_t i = 0; i < n; i++) {
            uint8_t ch = name.p[i];
            out[pos++] = (char)(ch >= 0x20 && ch < 0x7f ? ch : '?');
        }
        out[pos] = 0;
    }
    return 0;
}

/* RFC 6066 Section 3: the host_name entry. */
static int parse_sni(quire_cursor *e, char *out, size_t cap)
{
    quire_cursor list;
    if (vec16(e, &list)) return QUIRE_ERR_TRUNCATED;
    while (quire_cursor_left(&list)) {
        uint8_t type;
        quire_cursor name;
        if (quire_cursor_u8(&list, &type) || vec16(&list, &name)) return QUIRE_ERR_TRUNCATED;
        if (type != 0) continue;
        size_t n = quire_cursor_left(&name);
        if (n >= cap) n = cap - 1;
        for (size_t i = 0; i < n; i++) {
            uint8_t ch = name.p[i];
            out[i] = (char)(ch > 0x20 && ch < 0x7f ? ch : '?');
        }
        out[n] = 0;
    }
    return 0;
}

/* Walks an extension block, calling fn (if any) for each (type, body). */
typedef int (*ext_fn)(uint16_t type, quire_cursor *body, quire_tls_info *info);

static int walk_extensions(quire_cursor *c, ext_fn fn, quire_tls_info *info)
{
    quire_cursor exts;
    if (vec16(c, &exts)) return QUIRE_ERR_TRUNCATED;
    while (quire_cursor_left(&exts)) {
        uint16_t type;
        quire_cursor body;
        if (quire_cursor_u16(&exts, &type) || vec16(&exts, &body)) return QUIRE_ERR_TRUNCATED;
        int rv = fn ? fn(type, &body, info) : 0;
        if (rv) return rv;
    }
    return 0;
}

static int ch_ext(uint16_t type, quire_cursor *e, quire_tls_info *info)
{
    switch (type) {
    case EXT_SERVER_NAME:
        return parse_sni(e, info->sni, sizeof info->sni);
    case EXT_ALPN:
        return parse_alpn(e, info->alpn_offered, sizeof info->alpn_offered);
    case EXT_KEY_SHARE: {
        quire_cursor shares;
        if (vec16(e, &shares)) return QUIRE_ERR_TRUNCATED;
        info->key_share_count = 0;
        while (quire_cursor_left(&shares)) {
            uint16_t group;
            quire_cursor key;
            if (quire_cursor_u16(&shares, &group) || vec16(&shares, &key))
                return QUIRE_ERR_TRUNCATED;
            if (info->key_share_count < QUIRE_TLS_MAX_LIST)
                info->key_share_groups[info->key_share_count++] = group;
        }
        return 0;
    }
    case EXT_PRE_SHARED_KEY: {
        /* 4.2.11: identities then binders */
        quire_cursor ids;
        if (vec16(e, &ids)) return QUIRE_ERR_TRUNCATED;
        info->psk = 1;
        info->psk_identities = 0;
        while (quire_cursor_left(&ids)) {
            quire_cursor id;
            uint32_t age;
            if (vec16(&ids, &id) || quire_cursor_u32(&ids, &age)) return QUIRE_ERR_TRUNCATED;
            info->psk_identities++;
        }
        return 0;
    }
    case EXT_EARLY_DATA:
        info->early_data = 1;
        return 0;
    case EXT_QUIC_TP:
    case EXT_QUIC_TP_DRAFT:
        memset(&info->client_tp, 0, sizeof info->client_tp);
        return quire_tls_parse_tp(e->p, quire_cursor_left(e), &info->client_tp);
    default:
        return 0;
    }
}

static int sh_ext(uint16_t type, quire_cursor *e, quire_tls_info *info)
{
    switch (type) {
    case EXT_KEY_SHARE:
        /* ServerHello: KeyShareEntry; HelloRetryRequest: the group alone */
        return quire_cursor_u16(e, &info->key_share_group);
    case EXT_PRE_SHARED_KEY:
        info->psk_accepted = 1;
        return 0;
    default:
        return 0;
    }
}

static int ee_ext(uint16_t type, quire_cursor *e, quire_tls_info *info)
{
    switch (type) {
    case EXT_ALPN:
        return parse_alpn(e, info->alpn, sizeof info->alpn);
    case EXT_EARLY_DATA:
        info->early_data_accepted = 1;
        return 0;
    case EXT_QUIC_TP:
    case EXT_QUIC_TP_DRAFT:
        memset(&info->server_tp, 0, sizeof info->server_tp);
        return quire_tls_parse_tp(e->p, quire_cursor_left(e), &info->server_tp);
    default:
        return 0;
    }
}

static int nst_ext(uint16_t type, quire_cursor *e, quire_tls_info *info)
{
    if (type == EXT_EARLY_DATA) {
        uint32_t max;
        if (quire_cursor_u32(e, &max)) return QUIRE_ERR_TRUNCATED;
        if (max > 0) info->ticket_early_data = 1;
        /* RFC 9001 Section 4.6.1: QUIC requires 0xffffffff; record what was sent */
        info->max_early_data_size = max;
    }
    return 0;
}

/* One decoder per handshake message type: the body's fields into info, 0 or
 * QUIRE_ERR_TRUNCATED / QUIRE_ERR_MALFORMED. The caller rejects bytes left over. */

static int parse_client_hello(quire_cursor *c, quire_tls_info *info, int from_client)
{
    (void)from_client;
    uint16_t legacy;
    quire_cursor sid, suites, comp;
    info->client_hello++;
    if (quire_cursor_u16(c, &legacy) || quire_cursor_copy(c, info->client_random, 32) ||
        vec8(c, &sid) || vec16(c, &suites) || vec8(c, &comp))
        return QUIRE_ERR_TRUNCATED;
    if (quire_cursor_left(&suites) % 2) return QUIRE_ERR_MALFORMED;
    info->cipher_count = 0;
    while (quire_cursor_left(&suites)) {
        uint16_t s;
        quire_cursor_u16(&suites, &s);
        if (info->cipher_count < QUIRE_TLS_MAX_LIST) info->ciphers[info->cipher_count++] = s;
    }
    return walk_extensions(c, ch_ext, info);
}

static int parse_server_hello(quire_cursor *c, quire_tls_info *info, int from_client)
{
    (void)from_client;
    uint16_t legacy, suite;
    uint8_t comp, random[32];
    quire_cursor sid;
    if (quire_cursor_u16(c, &legacy) || quire_cursor_copy(c, random, 32) || vec8(c, &sid) ||
        quire_cursor_u16(c, &suite) || quire_cursor_u8(c, &comp))
        return QUIRE_ERR_TRUNCATED;
    if (!memcmp(random, hrr_random, 32)) {
        info->hello_retry_request++;
    } else {
        memcpy(info->server_random, random, 32);
        info->server_hello++;
    }
    info->cipher = suite;
    return walk_extensions(c, sh_ext, info);
}

static int parse_encrypted_extensions(quire_cursor *c, quire_tls_info *info, int from_client)
{
    (void)from_client;
    info->encrypted_extensions++;
    return walk_extensions(c, ee_ext, info);
}

static int parse_certificate(quire_cursor *c, quire_tls_info *info, int from_client)
{
    quire_cursor ctx, list;
    int n = 0;
    if (vec8(c, &ctx) || vec24(c, &list)) return QUIRE_ERR_TRUNCATED;
    while (quire_cursor_left(&list)) {
        quire_cursor cert, exts;
        if (vec24(&list, &cert) || vec16(&list, &exts)) return QUIRE_ERR_TRUNCATED;
        n++;
    }
    if (from_client) {
        info->client_certificates++;
    } else {
        if (!info->certificates) info->cert_count = n;
        info->certificates++;
    }
    return 0;
}

static int parse_compressed_certificate(quire_cursor *c, quire_tls_info *info, int from_client)
{
    if (from_client)
        info->client_certificates++;
    else
        info->certificates++;
    quire_cursor_skip(c, quire_cursor_left(c));
    return 0;
}

static int parse_certificate_request(quire_cursor *c, quire_tls_info *info, int from_client)
{
    (void)from_client;
    quire_cursor ctx;
    info->certificate_request++;
    return vec8(c, &ctx) ? QUIRE_ERR_TRUNCATED : walk_extensions(c, NULL, info);
}

static int parse_certificate_verify(quire_cursor *c, quire_tls_info *info, int from_client)
{
    (void)from_client;
    uint16_t alg;
    quire_cursor sig;
    info->certificate_verify++;
    return quire_cursor_u16(c, &alg) || vec16(c, &sig) ? QUIRE_ERR_TRUNCATED : 0;
}

static int parse_finished(quire_cursor *c, quire_tls_info *info, int from_client)
{
    int rv = 0;
    /* verify_data is Hash.length: 32 or 48 for the TLS 1.3 suites */
    if (quire_cursor_left(c) != 32 && quire_cursor_left(c) != 48)
        rv = QUIRE_ERR_MALFORMED;
    else
        quire_cursor_skip(c, quire_cursor_left(c));
    if (from_client)
        info->client_finished++;
    else
        info->server_finished++;
    return rv;
}

static int parse_new_session_ticket(quire_cursor *c, quire_tls_info *info, int from_client)
{
    (void)from_client;
    uint32_t lifetime, age_add;
    quire_cursor nonce, ticket;
    info->tickets++;
    if (quire_cursor_u32(c, &lifetime) || quire_cursor_u32(c, &age_add) || vec8(c, &nonce) ||
        vec16(c, &ticket))
        return QUIRE_ERR_TRUNCATED;
    return walk_extensions(c, nst_ext, info);
}

/* The messages decoded; any other type (EndOfEarlyData, KeyUpdate, ...) is only counted. */
static const struct {
    uint8_t type;
    const char *name;
    int (*parse)(quire_cursor *body, quire_tls_info *info, int from_client);
} messages[] = {
    {HS_CLIENT_HELLO, "ClientHello", parse_client_hello},
    {HS_SERVER_HELLO, "ServerHello", parse_server_hello},
    {HS_NEW_SESSION_TICKET, "NewSessionTicket", parse_new_session_ticket},
    {HS_ENCRYPTED_EXTENSIONS, "EncryptedExtensions", parse_encrypted_extensions},
    {HS_CERTIFICATE, "Certificate", parse_certificate},
    {HS_CERTIFICATE_REQUEST, "CertificateRequest", parse_certificate_request},
    {HS_CERTIFICATE_VERIFY, "CertificateVerify", parse_certificate_verify},
    {HS_FINISHED, "Finished", parse_finished},
    {HS_COMPRESSED_CERTIFICATE, "CompressedCertificate", parse_compressed_certificate},
};

int quire_tls_parse_message(const uint8_t *msg, size_t len, int from_client, quire_tls_info *info)
{
    quire_cursor c, body;
    uint8_t type;
    quire_cursor_init(&c, msg, len);
    if (quire_cursor_u8(&c, &type) || vec24(&c, &body))
        return tls_error(info, QUIRE_ERR_TRUNCATED, "handshake message header truncated");
    size_t i = 0, n = sizeof messages / sizeof messages[0];
    while (i < n && messages[i].type != type)
        i++;
    if (i == n) {
        info->other_messages++;
        return 0;
    }
    int rv = messages[i].parse(&body, info, from_client);
    if (rv == 0 && quire_cursor_left(&body))
        rv = QUIRE_ERR_MALFORMED; /* trailing bytes inside the message */
    if (rv)
        return tls_error(info, rv, "%s from the %s: %s", messages[i].name,
                         from_client ? "client" : "server",
                         rv == QUIRE_ERR_TRUNCATED ? "truncated" : "malformed");
    return 0;
}

/* ---- CRYPTO stream reassembly (RFC 9000 Section 19.6) ---- */

void quire_tls_stream_init(quire_tls_stream *s, int from_client)
{
    memset(s, 0, sizeof *s);
    s->from_client = from_client;
}

void quire_tls_stream_free(quire_tls_stream *s)
{
    free(s->buf);
    s->buf = NULL;
    s->cap = 0;
}

static void add_range(quire_tls_stream *s, uint64_t lo, uint64_t hi, int *overflow)
{
    /* insert [lo, hi) into the sorted disjoint list, merging neighbours */
    size_t i = 0;
    while (i < s->nranges && s->ranges[i][1] < lo)
        i++;
    if (i < s->nranges && s->ranges[i][0] <= hi) {
        if (lo < s->ranges[i][0]) s->ranges[i][0] = lo;
        if (hi > s->ranges[i][1]) s->ranges[i][1] = hi;
        size_t j = i + 1;
        while (j < s->nranges && s->ranges[j][0] <= s->ranges[i][1]) {
            if (s->ranges[j][1] > s->ranges[i][1]) s->ranges[i][1] = s->ranges[j][1];
            j++;
        }
        memmove(&s->ranges[i + 1], &s->ranges[j], (s->nranges - j) * sizeof s->ranges[0]);
        s->nranges -= j - i - 1;
        return;
    }
    if (s->nranges == QUIRE_TLS_MAX_RANGES) {
        *overflow = 1;
        return;
    }
    memmove(&s->ranges[i + 1], &s->ranges[i], (s->nranges - i) * sizeof s->ranges[0]);
    s->ranges[i][0] = lo;
    s->ranges[i][1] = hi;
    s->nranges++;
}

int quire_tls_stream_add(quire_tls_stream *s, uint64_t offset, const uint8_t *data, size_t len,
                         quire_tls_info *info)
{
    if (s->failed || len == 0) return 0;
    uint64_t end = offset + len;
    if (end > QUIRE_TLS_MAX_STREAM || offset > QUIRE_TLS_MAX_STREAM) {
        s->failed = 1;
        return tls_error(info, QUIRE_ERR_UNSUPPORTED,
                         "CRYPTO data beyond %u bytes: not reassembled", QUIRE_TLS_MAX_STREAM);
    }
    if (end <= s->contig) return 0; /* retransmission */
    if (end > s->cap) {
        size_t ncap = s->cap ? s->cap : 4096;
        while (ncap < end)
            ncap *= 2;
        uint8_t *nb = realloc(s->buf, ncap);
        if (!nb) return QUIRE_ERR_NOMEM;
        s->buf = nb;
        s->cap = ncap;
    }
    memcpy(s->buf + offset, data, len);
    int overflow = 0;
    add_range(s, offset, end, &overflow);
    if (overflow) {
        s->failed = 1;
        return tls_error(info, QUIRE_ERR_UNSUPPORTED, "CRYPTO data too fragmented to reassemble");
    }
    /* the first range starting at or before contig extends the contiguous prefix */
    if (s->nranges && s->ranges[0][0] <= s->contig) {
        if (s->ranges[0][1] > s->contig) s->contig = (size_t)s->ranges[0][1];
        memmove(&s->ranges[0], &s->ranges[1], (s->nranges - 1) * sizeof s->ranges[0]);
        s->nranges--;
    }
    while (s->contig - s->parsed >= 4) {
        const uint8_t *m = s->buf + s->parsed;
        size_t mlen = 4 + ((size_t)m[1] << 16 | (size_t)m[2] << 8 | m[3]);
        if (s->contig - s->parsed < mlen) break;
        quire_tls_parse_message(m, mlen, s->from_client, info);
        s->parsed += mlen;
    }
    return 0;
}
