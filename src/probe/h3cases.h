/* The HTTP/3 misdeeds of quire probe (RFC 9114), one builder per case, for connections that
 * negotiated ALPN h3: each writes STREAM frames carrying HTTP/3 frames the RFC forbids on the
 * client's control stream (the first client unidirectional stream, type 0x00) or on a request
 * stream. The server must close the connection with the HTTP/3 error the RFC names
 * (application CONNECTION_CLOSE, RFC 9114 Section 8). Same signature as the frame builders
 * of misdeeds.h: 0, or 1 with a reason in na. */
#ifndef QUIRE_PROBE_H3CASES_H
#define QUIRE_PROBE_H3CASES_H

#include <stddef.h>

#include "probe/pconn.h"
#include "probe/wire.h"

/* HTTP/3 error codes (RFC 9114 Section 8.1) the cases expect. */
enum {
    QUIRE_H3_STREAM_CREATION_ERROR = 0x103,
    QUIRE_H3_CLOSED_CRITICAL_STREAM = 0x104,
    QUIRE_H3_FRAME_UNEXPECTED = 0x105,
    QUIRE_H3_MISSING_SETTINGS = 0x10a,
};

/* The control stream with SETTINGS, then a second SETTINGS (RFC 9114 7.2.4). */
int quire_h3_second_settings(quire_pconn *c, quire_wire *w, char *na, size_t cap);
/* The control stream starting with GOAWAY instead of SETTINGS (RFC 9114 6.2.1). */
int quire_h3_missing_settings(quire_pconn *c, quire_wire *w, char *na, size_t cap);
/* SETTINGS, then the HTTP/2 frame type 0x02 (PRIORITY), reserved (RFC 9114 7.2.8). */
int quire_h3_reserved_frame(quire_pconn *c, quire_wire *w, char *na, size_t cap);
/* SETTINGS, then a DATA frame on the control stream (RFC 9114 7.2.1). */
int quire_h3_data_on_control(quire_pconn *c, quire_wire *w, char *na, size_t cap);
/* The control stream with SETTINGS and FIN: a critical stream closed (RFC 9114 6.2.1). */
int quire_h3_control_closed(quire_pconn *c, quire_wire *w, char *na, size_t cap);
/* Two control streams (RFC 9114 6.2.1). */
int quire_h3_second_control(quire_pconn *c, quire_wire *w, char *na, size_t cap);
/* The control stream with SETTINGS, and a request stream whose first frame is DATA, not
 * HEADERS (RFC 9114 4.1). */
int quire_h3_data_before_headers(quire_pconn *c, quire_wire *w, char *na, size_t cap);

#endif
