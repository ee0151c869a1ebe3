/* The misdeeds of quire probe's cases: one builder per frame case, one ClientHello change
 * per handshake case (their rows are in probe/cases.c). */
#ifndef QUIRE_PROBE_MISDEEDS_H
#define QUIRE_PROBE_MISDEEDS_H

#include <stddef.h>

#include "probe/pconn.h"
#include "probe/tpenc.h"
#include "probe/wire.h"

/* Frame builders: write the case's frames into w; 0, or 1 with a reason in na. */
int quire_misdeed_ack_unsent(quire_pconn *c, quire_wire *w, char *na, size_t cap);
int quire_misdeed_conn_flow(quire_pconn *c, quire_wire *w, char *na, size_t cap);
int quire_misdeed_crypto_offset_max(quire_pconn *c, quire_wire *w, char *na, size_t cap);
int quire_misdeed_final_size_change(quire_pconn *c, quire_wire *w, char *na, size_t cap);
int quire_misdeed_handshake_done(quire_pconn *c, quire_wire *w, char *na, size_t cap);
int quire_misdeed_max_streams_big(quire_pconn *c, quire_wire *w, char *na, size_t cap);
int quire_misdeed_msd_recv_only(quire_pconn *c, quire_wire *w, char *na, size_t cap);
int quire_misdeed_msd_unopened(quire_pconn *c, quire_wire *w, char *na, size_t cap);
int quire_misdeed_ncid_len0(quire_pconn *c, quire_wire *w, char *na, size_t cap);
int quire_misdeed_ncid_len21(quire_pconn *c, quire_wire *w, char *na, size_t cap);
int quire_misdeed_ncid_limit(quire_pconn *c, quire_wire *w, char *na, size_t cap);
int quire_misdeed_ncid_retire(quire_pconn *c, quire_wire *w, char *na, size_t cap);
int quire_misdeed_new_token(quire_pconn *c, quire_wire *w, char *na, size_t cap);
int quire_misdeed_nothing(quire_pconn *c, quire_wire *w, char *na, size_t cap);
int quire_misdeed_ping(quire_pconn *c, quire_wire *w, char *na, size_t cap);
int quire_misdeed_reset_final_lower(quire_pconn *c, quire_wire *w, char *na, size_t cap);
int quire_misdeed_reset_send_only(quire_pconn *c, quire_wire *w, char *na, size_t cap);
int quire_misdeed_retire_unknown(quire_pconn *c, quire_wire *w, char *na, size_t cap);
int quire_misdeed_sdb_send_only(quire_pconn *c, quire_wire *w, char *na, size_t cap);
int quire_misdeed_stop_sending_recv_only(quire_pconn *c, quire_wire *w, char *na, size_t cap);
int quire_misdeed_stream_flow(quire_pconn *c, quire_wire *w, char *na, size_t cap);
int quire_misdeed_stream_limit(quire_pconn *c, quire_wire *w, char *na, size_t cap);
int quire_misdeed_stream_offset_max(quire_pconn *c, quire_wire *w, char *na, size_t cap);
int quire_misdeed_stream_send_only(quire_pconn *c, quire_wire *w, char *na, size_t cap);
int quire_misdeed_stream_unopened(quire_pconn *c, quire_wire *w, char *na, size_t cap);
int quire_misdeed_streams_blocked_big(quire_pconn *c, quire_wire *w, char *na, size_t cap);
int quire_misdeed_uni_stream_limit(quire_pconn *c, quire_wire *w, char *na, size_t cap);
int quire_misdeed_unknown_frame(quire_pconn *c, quire_wire *w, char *na, size_t cap);

int quire_misdeed_datagram_unsupported(quire_pconn *c, quire_wire *w, char *na, size_t cap);
int quire_misdeed_datagram_too_large(quire_pconn *c, quire_wire *w, char *na, size_t cap);
int quire_misdeed_stop_sending_unopened(quire_pconn *c, quire_wire *w, char *na, size_t cap);

/* ClientHello / Handshake-flight changes. */
void quire_misdeed_ack_delay_exponent(quire_pconn_opts *o, quire_tpenc_mod *m);
void quire_misdeed_alpn(quire_pconn_opts *o, quire_tpenc_mod *m);
void quire_misdeed_cid_limit(quire_pconn_opts *o, quire_tpenc_mod *m);
void quire_misdeed_duplicate(quire_pconn_opts *o, quire_tpenc_mod *m);
void quire_misdeed_frame_in_handshake(quire_pconn_opts *o, quire_tpenc_mod *m);
void quire_misdeed_iscid_mismatch(quire_pconn_opts *o, quire_tpenc_mod *m);
void quire_misdeed_max_ack_delay(quire_pconn_opts *o, quire_tpenc_mod *m);
void quire_misdeed_max_streams(quire_pconn_opts *o, quire_tpenc_mod *m);
void quire_misdeed_no_iscid(quire_pconn_opts *o, quire_tpenc_mod *m);
void quire_misdeed_no_tp(quire_pconn_opts *o, quire_tpenc_mod *m);
void quire_misdeed_odcid(quire_pconn_opts *o, quire_tpenc_mod *m);
void quire_misdeed_preferred_address(quire_pconn_opts *o, quire_tpenc_mod *m);
void quire_misdeed_reset_token(quire_pconn_opts *o, quire_tpenc_mod *m);
void quire_misdeed_retry_scid(quire_pconn_opts *o, quire_tpenc_mod *m);
void quire_misdeed_udp_payload(quire_pconn_opts *o, quire_tpenc_mod *m);
void quire_misdeed_stream_in_initial(quire_pconn_opts *o, quire_tpenc_mod *m);
void quire_misdeed_reserved_bits_long(quire_pconn_opts *o, quire_tpenc_mod *m);

#endif
