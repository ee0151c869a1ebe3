/* Verdicts of quire probe's cases from an observation (see judge.h). */
#include "probe/judge.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

const char *quire_pverdict_name(quire_pverdict v)
{
    switch (v) {
    case QUIRE_PV_PASSED: return "passed";
    case QUIRE_PV_FAILED: return "failed";
    case QUIRE_PV_NA: return "not applicable";
    }
    return "?";
}

const char *quire_pjudge_error_name(uint64_t code)
{
    static const char *names[] = {
        "NO_ERROR",           "INTERNAL_ERROR",      "CONNECTION_REFUSED",
        "FLOW_CONTROL_ERROR", "STREAM_LIMIT_ERROR",  "STREAM_STATE_ERROR",
        "FINAL_SIZE_ERROR",   "FRAME_ENCODING_ERROR", "TRANSPORT_PARAMETER_ERROR",
        "CONNECTION_ID_LIMIT_ERROR", "PROTOCOL_VIOLATION", "INVALID_TOKEN",
        "APPLICATION_ERROR",  "CRYPTO_BUFFER_EXCEEDED", "KEY_UPDATE_ERROR",
        "AEAD_LIMIT_REACHED", "NO_VIABLE_PATH",
    };
    if (code < sizeof names / sizeof names[0]) return names[code];
    if (code >= 0x100 && code <= 0x1ff) return "CRYPTO_ERROR";
    return NULL;
}

/* "0x0a PROTOCOL_VIOLATION" / "0x178 CRYPTO_ERROR (alert 120)" / "application 0x101". */
static void code_str(const quire_pobs_event *e, char *out, size_t cap)
{
    if (e->app) {
        snprintf(out, cap, "application error 0x%" PRIx64, e->error);
        return;
    }
    const char *n = quire_pjudge_error_name(e->error);
    if (e->error >= 0x100 && e->error <= 0x1ff)
        snprintf(out, cap, "0x%" PRIx64 " CRYPTO_ERROR (TLS alert %" PRIu64 ")", e->error,
                 e->error - 0x100);
    else
        snprintf(out, cap, "0x%02" PRIx64 " %s", e->error, n ? n : "(unknown code)");
}

static void where(const quire_pobs_event *e, char *out, size_t cap)
{
    if (e->frame)
        snprintf(out, cap, "%s packet %" PRIu64 ", pcap record %" PRIu64,
                 quire_packet_type_name(e->ptype), e->pn, e->frame);
    else
        snprintf(out, cap, "%s packet %" PRIu64, quire_packet_type_name(e->ptype), e->pn);
}

const char *quire_pjudge_h3_error_name(uint64_t code)
{
    static const char *names[] = {
        "H3_NO_ERROR",           "H3_GENERAL_PROTOCOL_ERROR", "H3_INTERNAL_ERROR",
        "H3_STREAM_CREATION_ERROR", "H3_CLOSED_CRITICAL_STREAM", "H3_FRAME_UNEXPECTED",
        "H3_FRAME_ERROR",        "H3_EXCESSIVE_LOAD",        "H3_ID_ERROR",
        "H3_SETTINGS_ERROR",     "H3_MISSING_SETTINGS",      "H3_REQUEST_REJECTED",
        "H3_REQUEST_CANCELLED",  "H3_REQUEST_INCOMPLETE",    "H3_MESSAGE_ERROR",
        "H3_CONNECT_ERROR",      "H3_VERSION_FALLBACK",
    };
    return code >= 0x100 && code - 0x100 < sizeof names / sizeof names[0] ? names[code - 0x100]
                                                                           : NULL;
}

static quire_pverdict no_close(const quire_pobs *o, char *why, size_t cap);

quire_pverdict quire_pjudge_close_app(const quire_pobs *o, const uint64_t *codes, size_t n,
                                      char *why, size_t cap)
{
    if (!o->closed) return no_close(o, why, cap);
    char cs[96], ws[96];
    const char *h3 = quire_pjudge_h3_error_name(o->close.error);
    if (o->close.app)
        snprintf(cs, sizeof cs, "application error 0x%" PRIx64 " %s", o->close.error,
                 h3 ? h3 : "(not an HTTP/3 code)");
    else
        code_str(&o->close, cs, sizeof cs);
    where(&o->close, ws, sizeof ws);
    for (size_t i = 0; o->close.app && i < n; i++)
        if (o->close.error == codes[i]) {
            snprintf(why, cap, "CONNECTION_CLOSE %s in %s", cs, ws);
            return QUIRE_PV_PASSED;
        }
    snprintf(why, cap, "CONNECTION_CLOSE %s%s%s%s in %s instead", cs,
             o->close_reason[0] ? " \"" : "", o->close_reason, o->close_reason[0] ? "\"" : "",
             ws);
    return QUIRE_PV_FAILED;
}

/* Failed: no CONNECTION_CLOSE, with what the server sent instead. */
static quire_pverdict no_close(const quire_pobs *o, char *why, size_t cap)
{
    int n0 = snprintf(why, cap,
                      "no CONNECTION_CLOSE (the server sent %" PRIu64 " datagrams, %" PRIu64
                      " bytes after the misbehaviour",
                      o->datagrams, o->bytes);
    size_t l = n0 < 0 ? 0 : (size_t)n0 < cap ? (size_t)n0 : cap - 1;
    if (o->undecryptable)
        /* e.g. a close in Handshake packets only, before the client has Handshake keys
         * (RFC 9000 10.2.3 asks a server for an Initial one too) */
        snprintf(why + l, cap - l, "; %" PRIu64 " packets the probe could not decrypt)",
                 o->undecryptable);
    else
        snprintf(why + l, cap - l, ")");
    return QUIRE_PV_FAILED;
}

quire_pverdict quire_pjudge_close(const quire_pobs *o, const uint64_t *codes, size_t n,
                                  char *why, size_t cap)
{
    if (!o->closed) return no_close(o, why, cap);
    char cs[96], ws[96];
    code_str(&o->close, cs, sizeof cs);
    where(&o->close, ws, sizeof ws);
    if (!o->close.app)
        for (size_t i = 0; i < n; i++)
            if (o->close.error == codes[i]) {
                snprintf(why, cap, "CONNECTION_CLOSE %s in %s", cs, ws);
                return QUIRE_PV_PASSED;
            }
    snprintf(why, cap, "CONNECTION_CLOSE %s%s%s%s in %s instead", cs,
             o->close_reason[0] ? " \"" : "", o->close_reason, o->close_reason[0] ? "\"" : "",
             ws);
    return QUIRE_PV_FAILED;
}

quire_pverdict quire_pjudge_silent(const quire_pobs *o, char *why, size_t cap)
{
    if (!o->datagrams) {
        snprintf(why, cap, "no answer (dropped)");
        return QUIRE_PV_PASSED;
    }
    if (o->nevents) {
        char ws[96];
        where(&o->events[0], ws, sizeof ws);
        snprintf(why, cap, "answered with %" PRIu64 " datagrams (%" PRIu64 " bytes), first %s",
                 o->datagrams, o->bytes, ws);
    } else {
        snprintf(why, cap, "answered with %" PRIu64 " datagrams (%" PRIu64 " bytes)",
                 o->datagrams, o->bytes);
    }
    return QUIRE_PV_FAILED;
}

quire_pverdict quire_pjudge_vn(const quire_pobs *o, uint32_t offered, char *why, size_t cap)
{
    if (!o->vn) {
        snprintf(why, cap, "no Version Negotiation (%" PRIu64 " other datagrams)", o->datagrams);
        return QUIRE_PV_FAILED;
    }
    if (!o->vn_cids_echoed) {
        snprintf(why, cap, "Version Negotiation (pcap record %" PRIu64
                 ") does not echo the connection IDs", o->vn_frame);
        return QUIRE_PV_FAILED;
    }
    if (!o->vn_count) {
        snprintf(why, cap, "Version Negotiation (pcap record %" PRIu64 ") lists no version",
                 o->vn_frame);
        return QUIRE_PV_FAILED;
    }
    char list[160] = "";
    size_t len = 0;
    for (size_t i = 0; i < o->vn_count; i++) {
        if (o->vn_versions[i] == offered) {
            snprintf(why, cap, "Version Negotiation lists the offered version 0x%08x",
                     (unsigned)offered);
            return QUIRE_PV_FAILED;
        }
        if (len < sizeof list - 12)
            len += (size_t)snprintf(list + len, sizeof list - len, "%s0x%08x", i ? "," : "",
                                    (unsigned)o->vn_versions[i]);
    }
    snprintf(why, cap, "Version Negotiation (pcap record %" PRIu64 ") lists %s", o->vn_frame,
             list);
    return QUIRE_PV_PASSED;
}

quire_pverdict quire_pjudge_amplification(const quire_pobs *o, uint64_t sent, char *why,
                                          size_t cap)
{
    if (!o->bytes) {
        snprintf(why, cap, "the server sent nothing");
        return QUIRE_PV_NA;
    }
    snprintf(why, cap, "%" PRIu64 " bytes in %" PRIu64 " datagrams for %" PRIu64
             " sent (limit %" PRIu64 ")",
             o->bytes, o->datagrams, sent, 3 * sent);
    return o->bytes <= 3 * sent ? QUIRE_PV_PASSED : QUIRE_PV_FAILED;
}

quire_pverdict quire_pjudge_path_response(const quire_pobs *o, const uint8_t data[8], char *why,
                                          size_t cap)
{
    if (!o->path_response) {
        if (o->closed) return quire_pjudge_close(o, NULL, 0, why, cap);
        snprintf(why, cap, "no PATH_RESPONSE");
        return QUIRE_PV_FAILED;
    }
    if (memcmp(o->path_data, data, 8)) {
        snprintf(why, cap, "PATH_RESPONSE with other data than the challenge");
        return QUIRE_PV_FAILED;
    }
    snprintf(why, cap, "PATH_RESPONSE echoes the challenge");
    return QUIRE_PV_PASSED;
}

quire_pverdict quire_pjudge_acked(const quire_pobs *o, uint64_t pn, char *why, size_t cap)
{
    if (o->acked[QUIRE_PN_SPACE_APPLICATION] && o->acked_largest[QUIRE_PN_SPACE_APPLICATION] >= pn) {
        snprintf(why, cap, "acknowledged (largest %" PRIu64 ")",
                 o->acked_largest[QUIRE_PN_SPACE_APPLICATION]);
        return QUIRE_PV_PASSED;
    }
    if (o->closed) return quire_pjudge_close(o, NULL, 0, why, cap);
    snprintf(why, cap, "packet %" PRIu64 " not acknowledged", pn);
    return QUIRE_PV_FAILED;
}

quire_pverdict quire_pjudge_key_update(const quire_pobs *o, uint64_t pn, char *why, size_t cap)
{
    if (o->closed) return quire_pjudge_close(o, NULL, 0, why, cap);
    if (!o->key_update) {
        snprintf(why, cap, "the server kept its old key phase (%" PRIu64 " datagrams)",
                 o->datagrams);
        return QUIRE_PV_FAILED;
    }
    if (quire_pjudge_acked(o, pn, why, cap) != QUIRE_PV_PASSED) return QUIRE_PV_FAILED;
    snprintf(why, cap, "the server answered in the new key phase and acknowledged packet %" PRIu64,
             pn);
    return QUIRE_PV_PASSED;
}

quire_pverdict quire_pjudge_alive(const quire_pobs *o, char *why, size_t cap)
{
    if (o->closed) return quire_pjudge_close(o, NULL, 0, why, cap);
    snprintf(why, cap, "connection stays open");
    return QUIRE_PV_PASSED;
}
