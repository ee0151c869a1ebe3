/* Judges of quire probe's cases: each reads only the observation of what the server did
 * (probe/pconn.h's quire_pobs, plus a few numbers the case measured) and gives a verdict with
 * a one-line reason that names the packet and the pcap record. Kept apart from the code that
 * talks to a server so every judge is unit-tested against hand-built reactions. */
#ifndef QUIRE_PROBE_JUDGE_H
#define QUIRE_PROBE_JUDGE_H

#include <stddef.h>
#include <stdint.h>

#include "probe/pconn.h"

typedef enum quire_pverdict {
    QUIRE_PV_PASSED = 0,
    QUIRE_PV_FAILED = 1,
    QUIRE_PV_NA = 2, /* not applicable: the server's parameters or state rule the case out */
} quire_pverdict;

/* "passed", "failed", "not applicable". */
const char *quire_pverdict_name(quire_pverdict v);
/* The RFC 9000 Section 20.1 name of a transport error code ("FRAME_ENCODING_ERROR"),
 * "CRYPTO_ERROR" for 0x100..0x1ff, NULL otherwise. */
const char *quire_pjudge_error_name(uint64_t code);

/* The server must close with a transport CONNECTION_CLOSE (type 0x1c) carrying one of the n
 * codes. Failed when it closed otherwise (which code, packet, record) or not at all. */
quire_pverdict quire_pjudge_close(const quire_pobs *o, const uint64_t *codes, size_t n,
                                  char *why, size_t cap);
/* The name of an HTTP/3 error code (RFC 9114 Section 8.1: "H3_FRAME_UNEXPECTED"), NULL for
 * other codes. */
const char *quire_pjudge_h3_error_name(uint64_t code);
/* The server must close with an application CONNECTION_CLOSE (type 0x1d) carrying one of the
 * n HTTP/3 codes. Failed when it closed otherwise or not at all. */
quire_pverdict quire_pjudge_close_app(const quire_pobs *o, const uint64_t *codes, size_t n,
                                      char *why, size_t cap);
/* The server must not answer at all (a datagram it must drop). */
quire_pverdict quire_pjudge_silent(const quire_pobs *o, char *why, size_t cap);
/* A Version Negotiation packet (RFC 9000 Sections 6.1, 17.2.1): CIDs echoed swapped, at least
 * one version, not the version offered. */
quire_pverdict quire_pjudge_vn(const quire_pobs *o, uint32_t offered, char *why, size_t cap);
/* Anti-amplification (RFC 9000 Section 8.1): at most 3 x sent bytes received. Not applicable
 * when nothing was received. */
quire_pverdict quire_pjudge_amplification(const quire_pobs *o, uint64_t sent, char *why,
                                          size_t cap);
/* PATH_RESPONSE echoing data (RFC 9000 Section 8.2.2). */
quire_pverdict quire_pjudge_path_response(const quire_pobs *o, const uint8_t data[8], char *why,
                                          size_t cap);
/* An ACK in the application space covering packet number pn (RFC 9000 Section 13.2.1). */
quire_pverdict quire_pjudge_acked(const quire_pobs *o, uint64_t pn, char *why, size_t cap);
/* A key update answered (RFC 9001 Section 6.2): the server's packets came with the new key
 * phase and acknowledged the probe's packet pn sent with it. */
quire_pverdict quire_pjudge_key_update(const quire_pobs *o, uint64_t pn, char *why, size_t cap);
/* The connection keeps working: the server did not close (used after a frame it must ignore
 * or accept). */
quire_pverdict quire_pjudge_alive(const quire_pobs *o, char *why, size_t cap);

#endif
