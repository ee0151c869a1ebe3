/* Text and JSON printers of a quire_trace; see output.h and docs/trace-json.md. Summary and
 * connections are built with jansson; per-packet records are written directly. */
#include "trace/output.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "trace/crypto.h"
#include "trace/h3.h"
#include "trace/pcap.h"
#include "util/err.h"

static const char *ecn_names[4] = {"not_ect", "ect1", "ect0", "ce"};

static int hexval(char ch)
{
    if (ch >= '0' && ch <= '9') return ch - '0';
    if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
    return -1;
}

int quire_output_init(quire_output *o, FILE *out, int json, int frames, const char *filter)
{
    memset(o, 0, sizeof *o);
    o->out = out;
    o->json = json;
    o->frames = frames;
    o->conn_index = -1;
    if (filter && *filter) {
        char *end;
        long v = strtol(filter, &end, 10);
        size_t n = strlen(filter);
        if (!*end && v >= 0 && n < 10) {
            o->conn_index = v;
        } else {
            if (n % 2 || n / 2 > 20) return QUIRE_ERR_INVALID;
            for (size_t i = 0; i < n / 2; i++) {
                int hi = hexval(filter[2 * i]), lo = hexval(filter[2 * i + 1]);
                if (hi < 0 || lo < 0) return QUIRE_ERR_INVALID;
                o->cid[i] = (uint8_t)(hi << 4 | lo);
            }
            o->cid_len = n / 2;
        }
    }
    if (json && frames) {
        o->pkts = tmpfile();
        if (!o->pkts) return QUIRE_ERR_IO;
    }
    return 0;
}

void quire_output_free(quire_output *o)
{
    if (o->pkts) fclose(o->pkts);
    o->pkts = NULL;
}

static int conn_selected(const quire_output *o, const quire_conn *c)
{
    if (o->conn_index >= 0) return c && (long)c->index == o->conn_index;
    if (!o->cid_len) return 1;
    if (!c) return 0;
    if (c->odcid.len == o->cid_len && !memcmp(c->odcid.id, o->cid, o->cid_len)) return 1;
    for (int s = 0; s < 2; s++)
        for (size_t i = 0; i < c->ncids[s]; i++)
            if (c->cids[s][i].len == o->cid_len && !memcmp(c->cids[s][i].id, o->cid, o->cid_len))
                return 1;
    return 0;
}

/* ---- per packet ---- */

/* On a connection that chose h3: what the start of a stream or an HTTP datagram says
 * (trace/h3.h), as one more key. Only the stream initiator's direction has an HTTP/3 start
 * that says what the stream is (the other side of a WebTransport stream is raw data). */
static void h3_text(FILE *f, const quire_frame *fr, int from_client, const char *sep, int json)
{
    char s[256] = "";
    int by_initiator = from_client >= 0 && (int)(fr->u.stream.stream_id & 1) == !from_client;
    if (fr->kind == QUIRE_FRAME_STREAM && fr->u.stream.offset == 0 && fr->u.stream.data &&
        by_initiator) {
        quire_h3_stream_start st;
        if (quire_h3_stream_start_decode(fr->u.stream.data, (size_t)fr->u.stream.len,
                                         (fr->u.stream.stream_id & 2) != 0, &st) == 0)
            quire_h3_stream_start_str(&st, s, sizeof s);
    } else if (fr->kind == QUIRE_FRAME_DATAGRAM && fr->u.datagram.data) {
        uint64_t q;
        size_t n;
        if (quire_h3_datagram_decode(fr->u.datagram.data, (size_t)fr->u.datagram.len, &q, &n) == 0)
            snprintf(s, sizeof s, "datagram:session=%" PRIu64, q * 4);
    }
    if (!s[0]) return;
    if (json) /* the names are ASCII without quotes or backslashes */
        fprintf(f, ",\"h3\":\"%s\"", s);
    else
        fprintf(f, "%sh3=%s", sep, s);
}

static void frame_text(FILE *f, const quire_frame *fr, const quire_conn *c, int from_client,
                       int json)
{
    const char *n = quire_frame_name(fr->kind);
    if (json)
        fprintf(f, "{\"type\":\"%s\"", n);
    else
        fprintf(f, " %s", n);
    const char *sep = json ? "," : "";
#define KV(k, v)                                                                                   \
    (json ? fprintf(f, ",\"%s\":%" PRIu64, k, (uint64_t)(v))                                       \
          : fprintf(f, "%s%s=%" PRIu64, sep, k, (uint64_t)(v)),                                    \
     sep = json ? "," : " ")
    if (!json) fputc('(', f);
    switch (fr->kind) {
    case QUIRE_FRAME_PADDING:
        KV("length", fr->u.padding.len);
        break;
    case QUIRE_FRAME_ACK:
        KV("largest", fr->u.ack.largest);
        KV("delay", fr->u.ack.delay);
        KV("ranges", fr->u.ack.range_count + 1);
        if (fr->u.ack.ecn) {
            KV("ect0", fr->u.ack.ect0);
            KV("ect1", fr->u.ack.ect1);
            KV("ce", fr->u.ack.ce);
        }
        break;
    case QUIRE_FRAME_RESET_STREAM:
        KV("stream_id", fr->u.reset_stream.stream_id);
        KV("error", fr->u.reset_stream.error);
        KV("final_size", fr->u.reset_stream.final_size);
        break;
    case QUIRE_FRAME_STOP_SENDING:
        KV("stream_id", fr->u.stop_sending.stream_id);
        KV("error", fr->u.stop_sending.error);
        break;
    case QUIRE_FRAME_CRYPTO:
        KV("offset", fr->u.crypto.offset);
        KV("length", fr->u.crypto.len);
        break;
    case QUIRE_FRAME_NEW_TOKEN:
        KV("length", fr->u.new_token.len);
        break;
    case QUIRE_FRAME_STREAM:
        KV("stream_id", fr->u.stream.stream_id);
        KV("offset", fr->u.stream.offset);
        KV("length", fr->u.stream.len);
        if (fr->u.stream.fin) KV("fin", 1);
        break;
    case QUIRE_FRAME_MAX_DATA:
        KV("maximum", fr->u.max_data.max);
        break;
    case QUIRE_FRAME_MAX_STREAM_DATA:
        KV("stream_id", fr->u.max_stream_data.stream_id);
        KV("maximum", fr->u.max_stream_data.max);
        break;
    case QUIRE_FRAME_MAX_STREAMS:
        KV("bidi", fr->u.max_streams.bidi);
        KV("maximum", fr->u.max_streams.max);
        break;
    case QUIRE_FRAME_DATA_BLOCKED:
        KV("limit", fr->u.data_blocked.limit);
        break;
    case QUIRE_FRAME_STREAM_DATA_BLOCKED:
        KV("stream_id", fr->u.stream_data_blocked.stream_id);
        KV("limit", fr->u.stream_data_blocked.limit);
        break;
    case QUIRE_FRAME_STREAMS_BLOCKED:
        KV("bidi", fr->u.streams_blocked.bidi);
        KV("limit", fr->u.streams_blocked.limit);
        break;
    case QUIRE_FRAME_NEW_CONNECTION_ID: {
        char hex[41];
        KV("sequence", fr->u.new_connection_id.seq);
        KV("retire_prior_to", fr->u.new_connection_id.retire_prior_to);
        quire_cid_hex(fr->u.new_connection_id.cid, fr->u.new_connection_id.cid_len, hex);
        if (json)
            fprintf(f, ",\"cid\":\"%s\"", hex);
        else
            fprintf(f, "%scid=%s", sep, hex);
        break;
    }
    case QUIRE_FRAME_RETIRE_CONNECTION_ID:
        KV("sequence", fr->u.retire_connection_id.seq);
        break;
    case QUIRE_FRAME_PATH_CHALLENGE:
    case QUIRE_FRAME_PATH_RESPONSE: {
        char hex[41];
        quire_cid_hex(fr->u.path.data, 8, hex);
        if (json)
            fprintf(f, ",\"data\":\"%s\"", hex);
        else
            fprintf(f, "%sdata=%s", sep, hex);
        break;
    }
    case QUIRE_FRAME_CONNECTION_CLOSE:
        KV("application", fr->u.connection_close.app);
        KV("error", fr->u.connection_close.error);
        if (!fr->u.connection_close.app) KV("frame_type", fr->u.connection_close.frame_type);
        break;
    case QUIRE_FRAME_DATAGRAM:
        KV("length", fr->u.datagram.len);
        break;
    case QUIRE_FRAME_ACK_FREQUENCY:
        KV("sequence", fr->u.ack_frequency.seq);
        KV("threshold", fr->u.ack_frequency.threshold);
        KV("max_ack_delay", fr->u.ack_frequency.max_ack_delay);
        KV("reordering", fr->u.ack_frequency.reordering);
        break;
    default:
        break;
    }
#undef KV
    if (c && !strcmp(c->tls.alpn, "h3")) h3_text(f, fr, from_client, sep, json);
    fputc(json ? '}' : ')', f);
}

static void json_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\')
            fprintf(f, "\\%c", ch);
        else if (ch < 0x20 || ch >= 0x7f)
            fprintf(f, "\\u%04x", ch);
        else
            fputc(ch, f);
    }
    fputc('"', f);
}

void quire_output_packet(const quire_trace *t, const quire_conn_packet *p, void *arg)
{
    quire_output *o = arg;
    if (!o->frames || !conn_selected(o, p->conn)) return;
    FILE *f = o->json ? o->pkts : o->out;
    const quire_packet *k = p->pkt;
    char src[64], dst[64], dcid[41] = "", scid[41] = "";
    quire_endpoint_str(&p->udp->src, p->udp->sport, src, sizeof src);
    quire_endpoint_str(&p->udp->dst, p->udp->dport, dst, sizeof dst);
    double tm = (double)(p->ts_ns - t->summary.first_ts) / 1e9;
    const char *dir = p->from_client < 0 ? "?" : p->from_client ? "client" : "server";
    int dec = k && k->payload && (k->status == 0 || k->status == QUIRE_ERR_MALFORMED);
    if (k) {
        quire_cid_hex(k->dcid, k->dcid_len, dcid);
        quire_cid_hex(k->scid, k->scid_len, scid);
    }
    if (o->json) {
        fprintf(f,
                "%s\n{\"frame\":%" PRIu64
                ",\"time\":%.6f,\"src\":\"%s\",\"dst\":\"%s\",\"from\":\"%s\"",
                o->printed ? "," : "", p->frame, tm, src, dst, dir);
        if (p->conn) fprintf(f, ",\"connection\":%zu", p->conn->index);
        fprintf(f, ",\"ecn\":\"%s\",\"offset\":%zu", ecn_names[p->udp->ecn & 3], p->offset);
        if (k) {
            fprintf(f, ",\"type\":\"%s\",\"version\":\"0x%08" PRIx32 "\",\"dcid\":\"%s\"",
                    quire_packet_type_name(k->type), k->version, dcid);
            if (k->type != QUIRE_PACKET_1RTT) fprintf(f, ",\"scid\":\"%s\"", scid);
            fprintf(f, ",\"length\":%zu,\"decrypted\":%s", k->size, dec ? "true" : "false");
            if (k->pn_known || dec) fprintf(f, ",\"pn\":%" PRIu64, k->pn);
            if (k->type == QUIRE_PACKET_1RTT && dec) fprintf(f, ",\"key_phase\":%d", k->key_phase);
            if (k->type == QUIRE_PACKET_RETRY && k->retry_tag >= 0)
                fprintf(f, ",\"retry_tag_valid\":%s", k->retry_tag ? "true" : "false");
            if (p->late_frame) fprintf(f, ",\"decrypted_at\":%" PRIu64, p->late_frame);
            if (!dec && k->type != QUIRE_PACKET_RETRY &&
                k->type != QUIRE_PACKET_VERSION_NEGOTIATION)
                fprintf(f, ",\"status\":\"%s\"", quire_strerror(k->status));
            fputs(",\"frames\":[", f);
            for (size_t i = 0; i < p->nframes; i++) {
                if (i) fputc(',', f);
                frame_text(f, &p->frames[i], p->conn, p->from_client, 1);
            }
            fputc(']', f);
        }
        if (p->error) {
            fputs(",\"error\":", f);
            json_str(f, p->error);
        }
        fputc('}', f);
    } else {
        fprintf(f, "%" PRIu64 " %.6f %s > %s %s", p->frame, tm, src, dst, dir);
        if (k) {
            fprintf(f, " %s", quire_packet_type_name(k->type));
            if (k->type != QUIRE_PACKET_1RTT)
                fprintf(f, " v=0x%08" PRIx32 " scid=%s", k->version, scid);
            fprintf(f, " dcid=%s", dcid);
            if (k->pn_known || dec) fprintf(f, " pn=%" PRIu64, k->pn);
            if (k->type == QUIRE_PACKET_1RTT && dec) fprintf(f, " kp=%d", k->key_phase);
            fprintf(f, " len=%zu ecn=%s", k->size, ecn_names[p->udp->ecn & 3]);
            if (!dec && k->type != QUIRE_PACKET_RETRY &&
                k->type != QUIRE_PACKET_VERSION_NEGOTIATION)
                fprintf(f, " [%s]", quire_strerror(k->status));
            if (p->late_frame) fprintf(f, " [keys at frame %" PRIu64 "]", p->late_frame);
            for (size_t i = 0; i < p->nframes; i++)
                frame_text(f, &p->frames[i], p->conn, p->from_client, 0);
        }
        if (p->error) fprintf(f, " !! %s", p->error);
        fputc('\n', f);
    }
    o->printed++;
}

/* ---- JSON ---- */

static json_t *hex_json(const uint8_t *p, size_t n)
{
    char buf[2 * 48 + 1];
    static const char hx[] = "0123456789abcdef";
    if (n > 48) n = 48;
    for (size_t i = 0; i < n; i++) {
        buf[2 * i] = hx[p[i] >> 4];
        buf[2 * i + 1] = hx[p[i] & 15];
    }
    buf[2 * n] = 0;
    return json_string(buf);
}

static json_t *version_json(uint32_t v)
{
    char b[16];
    snprintf(b, sizeof b, "0x%08" PRIx32, v);
    return json_string(b);
}

static json_t *cipher_json(uint16_t c)
{
    const char *n = quire_tls_cipher_name(c);
    char b[16];
    snprintf(b, sizeof b, "0x%04x", c);
    return json_string(n ? n : b);
}

static json_t *group_json(uint16_t g)
{
    const char *n = quire_tls_group_name(g);
    char b[16];
    snprintf(b, sizeof b, "0x%04x", g);
    return json_string(n ? n : b);
}

static json_t *endpoint_json(const quire_addr *a, uint16_t port)
{
    char b[64];
    return json_string(quire_endpoint_str(a, port, b, sizeof b));
}

static json_t *tp_json(const quire_tp_set *tp)
{
    if (!tp->present) return json_null();
    json_t *o = json_object();
    for (int i = 0; i < QUIRE_TP_COUNT; i++) {
        if (!(tp->mask & (1u << i))) continue;
        const char *name = quire_tp_name((quire_tp_id)i);
        switch (quire_tp_kind_of((quire_tp_id)i)) {
        case QUIRE_TP_KIND_INT:
            json_object_set_new(o, name, json_integer((json_int_t)tp->val[i]));
            break;
        case QUIRE_TP_KIND_FLAG:
            json_object_set_new(o, name, json_true());
            break;
        case QUIRE_TP_KIND_TOKEN:
            json_object_set_new(o, name, hex_json(tp->reset_token, 16));
            break;
        case QUIRE_TP_KIND_CID: {
            const quire_cid_val *c = i == QUIRE_TP_ORIGINAL_DCID  ? &tp->odcid
                                     : i == QUIRE_TP_INITIAL_SCID ? &tp->iscid
                                                                  : &tp->rscid;
            json_object_set_new(o, name, hex_json(c->id, c->len));
            break;
        }
        case QUIRE_TP_KIND_PREFERRED_ADDRESS: {
            quire_addr a4 = {4, {0}}, a6 = {6, {0}};
            memcpy(a4.a, tp->preferred_address.v4, 4);
            memcpy(a6.a, tp->preferred_address.v6, 16);
            json_object_set_new(
                o, name,
                json_pack(
                    "{s:o,s:o,s:o,s:o}", "ipv4", endpoint_json(&a4, tp->preferred_address.v4_port),
                    "ipv6", endpoint_json(&a6, tp->preferred_address.v6_port), "cid",
                    hex_json(tp->preferred_address.cid.id, tp->preferred_address.cid.len),
                    "stateless_reset_token", hex_json(tp->preferred_address.reset_token, 16)));
            break;
        }
        case QUIRE_TP_KIND_VERSIONS: {
            json_t *av = json_array();
            for (size_t k = 0; k < tp->version_info.count; k++)
                json_array_append_new(av, version_json(tp->version_info.available[k]));
            json_object_set_new(o, name,
                                json_pack("{s:o,s:o}", "chosen",
                                          version_json(tp->version_info.chosen), "available", av));
            break;
        }
        }
    }
    if (tp->unknown_count) {
        json_t *u = json_array();
        for (size_t k = 0; k < tp->unknown_count && k < QUIRE_TP_MAX_UNKNOWN; k++)
            json_array_append_new(u, json_integer((json_int_t)tp->unknown_ids[k]));
        json_object_set_new(o, "unknown", u);
    }
    return o;
}

static json_t *tls_json(const quire_tls_info *s)
{
    json_t *ciphers = json_array(), *groups = json_array();
    for (size_t i = 0; i < s->cipher_count; i++)
        json_array_append_new(ciphers, cipher_json(s->ciphers[i]));
    for (size_t i = 0; i < s->key_share_count; i++)
        json_array_append_new(groups, group_json(s->key_share_groups[i]));
    json_t *o = json_object();
    json_object_set_new(
        o, "client_hello",
        s->client_hello
            ? json_pack("{s:i,s:o,s:s,s:s,s:o,s:o,s:b,s:i,s:b,s:o}", "count", s->client_hello,
                        "random", hex_json(s->client_random, 32), "sni", s->sni, "alpn",
                        s->alpn_offered, "cipher_suites", ciphers, "key_share_groups", groups,
                        "psk", s->psk, "psk_identities", s->psk_identities, "early_data",
                        s->early_data, "transport_parameters", tp_json(&s->client_tp))
            : json_null());
    if (!s->client_hello) {
        json_decref(ciphers);
        json_decref(groups);
    }
    json_object_set_new(
        o, "server_hello",
        s->server_hello ? json_pack("{s:i,s:o,s:o,s:o,s:b}", "count", s->server_hello, "random",
                                    hex_json(s->server_random, 32), "cipher",
                                    cipher_json(s->cipher), "key_share_group",
                                    group_json(s->key_share_group), "psk_accepted", s->psk_accepted)
                        : json_null());
    json_object_set_new(o, "hello_retry_request", json_integer(s->hello_retry_request));
    json_object_set_new(o, "encrypted_extensions",
                        s->encrypted_extensions
                            ? json_pack("{s:s,s:b,s:o}", "alpn", s->alpn, "early_data",
                                        s->early_data_accepted, "transport_parameters",
                                        tp_json(&s->server_tp))
                            : json_null());
    json_object_set_new(o, "certificate_request", json_integer(s->certificate_request));
    json_object_set_new(o, "certificate",
                        json_pack("{s:i,s:i,s:i}", "messages", s->certificates, "count",
                                  s->cert_count, "client_messages", s->client_certificates));
    json_object_set_new(o, "certificate_verify", json_integer(s->certificate_verify));
    json_object_set_new(
        o, "finished",
        json_pack("{s:i,s:i}", "client", s->client_finished, "server", s->server_finished));
    json_object_set_new(o, "new_session_ticket",
                        json_pack("{s:i,s:b,s:I}", "count", s->tickets, "early_data",
                                  s->ticket_early_data, "max_early_data_size",
                                  (json_int_t)s->max_early_data_size));
    json_object_set_new(o, "errors", json_integer(s->errors));
    if (s->errors) json_object_set_new(o, "error", json_string(s->error));
    return o;
}

static json_t *counts_json(const uint64_t *types)
{
    json_t *o = json_object();
    for (int i = 0; i < QUIRE_PACKET_TYPE_COUNT; i++)
        json_object_set_new(o, quire_packet_type_name((quire_packet_type)i),
                            json_integer((json_int_t)types[i]));
    return o;
}

static json_t *frames_json(const uint64_t *frames, int all)
{
    json_t *o = json_object();
    for (int i = 0; i < QUIRE_FRAME_KINDS; i++)
        if (all || frames[i])
            json_object_set_new(o, quire_frame_name((quire_frame_kind)i),
                                json_integer((json_int_t)frames[i]));
    return o;
}

static json_t *phases_json(uint8_t bits)
{
    json_t *a = json_array();
    for (int i = 0; i < 2; i++)
        if (bits & (1 << i)) json_array_append_new(a, json_integer(i));
    return a;
}

static json_t *dir_json(const quire_conn_dir *d)
{
    json_t *ecn = json_object();
    for (int i = 0; i < 4; i++)
        json_object_set_new(ecn, ecn_names[i], json_integer((json_int_t)d->ecn_ip[i]));
    return json_pack(
        "{s:o,s:I,s:I,s:I,s:I,s:I,s:o,s:o,s:I,s:o,s:o}", "packets", counts_json(d->packets),
        "decrypted", (json_int_t)d->decrypted, "undecryptable", (json_int_t)d->undecryptable,
        "malformed", (json_int_t)d->malformed, "datagrams", (json_int_t)d->datagrams, "bytes",
        (json_int_t)d->bytes, "frames", frames_json(d->frames, 0), "key_phases",
        phases_json(d->key_phases), "key_updates", (json_int_t)d->key_updates, "ecn_ip", ecn,
        "ack_ecn",
        d->ack_ecn ? json_pack("{s:I,s:I,s:I}", "ect0", (json_int_t)d->ack_ect0, "ect1",
                               (json_int_t)d->ack_ect1, "ce", (json_int_t)d->ack_ce)
                   : json_null());
}

static json_t *conn_json(const quire_conn *c, uint64_t first_ts)
{
    json_t *o = json_object(), *a;
    json_object_set_new(o, "index", json_integer((json_int_t)c->index));
    for (int s = 0; s < 2; s++) {
        a = json_array();
        for (size_t i = 0; i < c->nends[s]; i++)
            json_array_append_new(a, endpoint_json(&c->ends[s][i].addr, c->ends[s][i].port));
        json_object_set_new(o, s ? "server_addresses" : "client_addresses", a);
    }
    json_object_set_new(o, "migrations", json_integer((json_int_t)c->migrations));
    json_object_set_new(o, "first_frame", json_integer((json_int_t)c->first_frame));
    json_object_set_new(o, "last_frame", json_integer((json_int_t)c->last_frame));
    json_object_set_new(o, "start", json_real((double)(c->first_ts - first_ts) / 1e9));
    json_object_set_new(o, "duration", json_real((double)(c->last_ts - c->first_ts) / 1e9));
    a = json_array();
    for (size_t i = 0; i < c->nversions; i++)
        json_array_append_new(a, version_json(c->versions[i]));
    json_object_set_new(o, "versions", a);
    json_object_set_new(o, "original_dcid", hex_json(c->odcid.id, c->odcid.len));
    for (int s = 0; s < 2; s++) {
        a = json_array();
        for (size_t i = 0; i < c->ncids[s]; i++)
            json_array_append_new(a, hex_json(c->cids[s][i].id, c->cids[s][i].len));
        json_object_set_new(o, s ? "server_cids" : "client_cids", a);
    }
    json_object_set_new(
        o, "retry",
        c->retry ? json_pack("{s:i,s:o,s:o}", "count", c->retry, "scid",
                             hex_json(c->retry_scid.id, c->retry_scid.len), "tag_valid",
                             c->retry_tag_ok < 0 ? json_null() : json_boolean(c->retry_tag_ok))
                 : json_null());
    a = json_array();
    for (size_t i = 0; i < c->vn_nversions; i++)
        json_array_append_new(a, version_json(c->vn_versions[i]));
    json_object_set_new(o, "version_negotiation",
                        c->vn ? json_pack("{s:i,s:o}", "count", c->vn, "versions", a)
                              : (json_decref(a), json_null()));
    json_object_set_new(o, "keylog_found", json_boolean(c->keylog_found));
    json_object_set_new(o, "client", dir_json(&c->dir[0]));
    json_object_set_new(o, "server", dir_json(&c->dir[1]));
    a = json_array();
    for (size_t i = 0; i < c->nstreams; i++) {
        const quire_conn_stream *x = &c->streams[i];
        json_array_append_new(a, json_pack("{s:I,s:s,s:I,s:I,s:I,s:b,s:b}", "id", (json_int_t)x->id,
                                           "from", x->from_client ? "client" : "server", "frames",
                                           (json_int_t)x->frames, "bytes", (json_int_t)x->bytes,
                                           "size", (json_int_t)x->size, "fin", x->fin, "reset",
                                           x->reset));
    }
    json_object_set_new(o, "streams", a);
    json_object_set_new(o, "tls", tls_json(&c->tls));
    json_object_set_new(o, "handshake_done", json_boolean(c->handshake_done));
    json_object_set_new(
        o, "close",
        c->closed ? json_pack("{s:s,s:b,s:I}", "from", c->close_from_client ? "client" : "server",
                              "application", c->close_app, "error", (json_int_t)c->close_error)
                  : json_null());
    json_object_set_new(o, "problems", json_integer((json_int_t)c->problems));
    if (c->problem[0]) json_object_set_new(o, "problem", json_string(c->problem));
    return o;
}

static json_t *summary_json(const quire_trace *t)
{
    const quire_trace_summary *s = &t->summary;
    json_t *lt = json_object(), *v = json_array(), *ci = json_array();
    static const quire_packet_type longs[] = {QUIRE_PACKET_INITIAL,
                                              QUIRE_PACKET_0RTT,
                                              QUIRE_PACKET_HANDSHAKE,
                                              QUIRE_PACKET_RETRY,
                                              QUIRE_PACKET_VERSION_NEGOTIATION,
                                              QUIRE_PACKET_UNKNOWN_VERSION};
    for (size_t i = 0; i < sizeof longs / sizeof longs[0]; i++)
        json_object_set_new(lt, quire_packet_type_name(longs[i]),
                            json_integer((json_int_t)s->types[longs[i]]));
    for (size_t i = 0; i < s->nversions; i++)
        json_array_append_new(v, version_json(s->versions[i]));
    for (size_t i = 0; i < s->nciphers; i++)
        json_array_append_new(ci, cipher_json(s->ciphers[i]));
    return json_pack(
        "{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:o,s:I,s:o,s:I,s:I,s:o,s:o,s:o,s:f}",
        "packets", (json_int_t)s->packets, "bytes", (json_int_t)s->bytes, "udp", (json_int_t)s->udp,
        "other", (json_int_t)s->other, "fragments", (json_int_t)s->fragments, "bad_frames",
        (json_int_t)s->bad_frames, "quic_datagrams", (json_int_t)s->quic_datagrams, "quic_packets",
        (json_int_t)s->quic_packets, "decrypted", (json_int_t)s->decrypted, "undecryptable",
        (json_int_t)s->undecryptable, "malformed", (json_int_t)s->malformed, "long_types", lt,
        "short", (json_int_t)s->types[QUIRE_PACKET_1RTT], "frames", frames_json(s->frames, 1),
        "handshakes", (json_int_t)s->handshakes, "connections",
        (json_int_t)quire_trace_conn_count(t), "versions", v, "ciphers", ci, "key_phases_seen",
        phases_json(s->key_phases), "duration", (double)(s->last_ts - s->first_ts) / 1e9);
}

/* ---- text ---- */

static void text_counts(FILE *f, const char *label, const uint64_t *types)
{
    fprintf(f, "%s", label);
    int any = 0;
    for (int i = 0; i < QUIRE_PACKET_TYPE_COUNT; i++)
        if (types[i])
            fprintf(f, "%s %s %" PRIu64, any++ ? "," : "",
                    quire_packet_type_name((quire_packet_type)i), types[i]);
    fprintf(f, "%s\n", any ? "" : " none");
}

static void text_frames(FILE *f, const char *label, const uint64_t *frames)
{
    fprintf(f, "%s", label);
    int any = 0;
    for (int i = 0; i < QUIRE_FRAME_KINDS; i++)
        if (frames[i])
            fprintf(f, "%s %s %" PRIu64, any++ ? "," : "", quire_frame_name((quire_frame_kind)i),
                    frames[i]);
    fprintf(f, "%s\n", any ? "" : " none");
}

static void text_conn(FILE *f, const quire_conn *c)
{
    char a[64], b[64], hex[41];
    const quire_conn_endpoint *ce = &c->ends[0][0], *se = &c->ends[1][0];
    fprintf(f, "connection %zu: %s <-> %s, frames %" PRIu64 "-%" PRIu64 ", versions", c->index,
            quire_endpoint_str(&ce->addr, ce->port, a, sizeof a),
            quire_endpoint_str(&se->addr, se->port, b, sizeof b), c->first_frame, c->last_frame);
    for (size_t i = 0; i < c->nversions; i++)
        fprintf(f, " 0x%08" PRIx32, c->versions[i]);
    fprintf(f, "\n  original dcid %s", quire_cid_hex(c->odcid.id, c->odcid.len, hex));
    if (c->retry)
        fprintf(f, ", retry %d (scid %s, tag %s)", c->retry,
                quire_cid_hex(c->retry_scid.id, c->retry_scid.len, hex),
                c->retry_tag_ok < 0 ? "unchecked"
                : c->retry_tag_ok   ? "valid"
                                    : "INVALID");
    if (c->vn) fprintf(f, ", version negotiation %d", c->vn);
    if (c->migrations) fprintf(f, ", client address changes %" PRIu64, c->migrations);
    fputc('\n', f);
    const quire_tls_info *t = &c->tls;
    if (t->client_hello) {
        const char *cn = quire_tls_cipher_name(t->cipher);
        fprintf(f,
                "  tls: sni %s, alpn %s, cipher %s, psk %s, early data %s, certificates %d, "
                "tickets %d%s\n",
                t->sni[0] ? t->sni : "-", t->alpn[0] ? t->alpn : "-",
                t->server_hello ? (cn ? cn : "?") : "-",
                t->psk ? (t->psk_accepted ? "accepted" : "offered") : "no",
                t->early_data ? (t->early_data_accepted ? "accepted" : "offered") : "no",
                t->certificates, t->tickets, t->hello_retry_request ? ", hello retry request" : "");
    }
    for (int d = 0; d < 2; d++) {
        const quire_conn_dir *x = &c->dir[d];
        fprintf(f,
                "  %s: %" PRIu64 " datagrams, decrypted %" PRIu64 ", undecryptable %" PRIu64
                ", malformed %" PRIu64,
                d ? "server" : "client", x->datagrams, x->decrypted, x->undecryptable,
                x->malformed);
        if (x->key_phases)
            fprintf(f, ", key phases%s%s, key updates %" PRIu64, x->key_phases & 1 ? " 0" : "",
                    x->key_phases & 2 ? " 1" : "", x->key_updates);
        fprintf(f, ", ecn marks %" PRIu64 "/%" PRIu64 "/%" PRIu64 " (ect0/ect1/ce)", x->ecn_ip[2],
                x->ecn_ip[1], x->ecn_ip[3]);
        if (x->ack_ecn)
            fprintf(f, ", ack_ecn %" PRIu64 "/%" PRIu64 "/%" PRIu64, x->ack_ect0, x->ack_ect1,
                    x->ack_ce);
        fputc('\n', f);
        text_counts(f, "    packets:", x->packets);
        text_frames(f, "    frames:", x->frames);
    }
    for (size_t i = 0; i < c->nstreams; i++) {
        const quire_conn_stream *x = &c->streams[i];
        fprintf(f,
                "  stream %" PRIu64 " from %s: %" PRIu64 " bytes in %" PRIu64
                " frames, size %" PRIu64 "%s%s\n",
                x->id, x->from_client ? "client" : "server", x->bytes, x->frames, x->size,
                x->fin ? ", fin" : "", x->reset ? ", reset" : "");
    }
    if (c->closed)
        fprintf(f, "  closed by the %s: %s error 0x%" PRIx64 "\n",
                c->close_from_client ? "client" : "server",
                c->close_app ? "application" : "transport", c->close_error);
    if (c->problem[0]) fprintf(f, "  problems %" PRIu64 ", first: %s\n", c->problems, c->problem);
}

/* Printed without its directory, so the same capture prints the same everywhere. */
static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

int quire_output_finish(quire_output *o, const quire_trace *t)
{
    FILE *f = o->out;
    const quire_trace_summary *s = &t->summary;
    if (o->json) {
        json_t *root = json_object(), *conns = json_array(), *probs = json_array();
        json_object_set_new(root, "capture", json_string(base_name(t->capture)));
        json_object_set_new(root, "link_type", json_string(quire_pcap_link_name(t->linktype)));
        json_object_set_new(root, "summary", summary_json(t));
        for (size_t i = 0; i < quire_trace_conn_count(t); i++)
            if (conn_selected(o, quire_trace_conn(t, i)))
                json_array_append_new(conns, conn_json(quire_trace_conn(t, i), s->first_ts));
        json_object_set_new(root, "connections", conns);
        for (size_t i = 0; i < t->nproblems; i++)
            json_array_append_new(probs,
                                  json_pack("{s:I,s:s}", "frame", (json_int_t)t->problems[i].frame,
                                            "message", t->problems[i].msg));
        json_object_set_new(
            root, "problems",
            json_pack("{s:I,s:o}", "count", (json_int_t)t->problem_count, "list", probs));
        if (t->capture_status)
            json_object_set_new(root, "capture_error", json_string(t->capture_error));
        char *txt = json_dumps(root, JSON_INDENT(1) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(9));
        json_decref(root);
        if (!txt) return QUIRE_ERR_NOMEM;
        size_t n = strlen(txt);
        while (n && txt[n - 1] != '}')
            n--;
        fwrite(txt, 1, n ? n - 1 : 0, f);
        free(txt);
        if (o->frames) {
            fputs(",\n \"packets\": [", f);
            rewind(o->pkts);
            char buf[1 << 16];
            size_t r;
            while ((r = fread(buf, 1, sizeof buf, o->pkts)) > 0)
                fwrite(buf, 1, r, f);
            fputs("\n ]", f);
        }
        fputs("\n}\n", f);
    } else {
        fprintf(f,
                "capture %s (%s): %" PRIu64 " records, %" PRIu64 " UDP datagrams, %" PRIu64
                " with QUIC, %.6f s\n",
                base_name(t->capture), quire_pcap_link_name(t->linktype), s->packets, s->udp,
                s->quic_datagrams, (double)(s->last_ts - s->first_ts) / 1e9);
        fprintf(f,
                "QUIC packets %" PRIu64 ": decrypted %" PRIu64 ", undecryptable %" PRIu64
                ", malformed %" PRIu64 "\n",
                s->quic_packets, s->decrypted, s->undecryptable, s->malformed);
        text_counts(f, "packets:", s->types);
        text_frames(f, "frames:", s->frames);
        fprintf(f, "handshakes %" PRIu64 ", connections %zu, versions", s->handshakes,
                quire_trace_conn_count(t));
        for (size_t i = 0; i < s->nversions; i++)
            fprintf(f, " 0x%08" PRIx32, s->versions[i]);
        fprintf(f, ", ciphers");
        for (size_t i = 0; i < s->nciphers; i++) {
            const char *cn = quire_tls_cipher_name(s->ciphers[i]);
            fprintf(f, " %s", cn ? cn : "?");
        }
        fprintf(f, ", key phases%s%s%s\n", s->key_phases & 1 ? " 0" : "",
                s->key_phases & 2 ? " 1" : "", s->key_phases ? "" : " none");
        for (size_t i = 0; i < quire_trace_conn_count(t); i++)
            if (conn_selected(o, quire_trace_conn(t, i))) text_conn(f, quire_trace_conn(t, i));
        if (t->problem_count) {
            fprintf(f, "problems %" PRIu64 ":\n", t->problem_count);
            for (size_t i = 0; i < t->nproblems; i++)
                fprintf(f, "  %s\n", t->problems[i].msg);
            if (t->problem_count > t->nproblems)
                fprintf(f, "  ... %" PRIu64 " more\n", t->problem_count - t->nproblems);
        }
    }
    quire_output_free(o);
    return ferror(f) ? QUIRE_ERR_IO : 0;
}
