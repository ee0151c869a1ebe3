/* The probe's own capture: each UDP datagram it sends or receives, wrapped in Ethernet, IPv4
 * or IPv6 (RFC 791, RFC 8200) and UDP (RFC 768) headers with valid checksums, written with the
 * simulator's pcap writer (sim/pcapw.h), so `quire trace`, tshark and tcpdump read it. */
#ifndef QUIRE_PROBE_CAPTURE_H
#define QUIRE_PROBE_CAPTURE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "sim/pcapw.h"

/* Builds the frame of a datagram from src to dst (both AF_INET or both AF_INET6) into out.
 * Returns its length, or 0 when it does not fit or the families differ. */
size_t quire_capture_frame(uint8_t *out, size_t cap, const struct sockaddr *src,
                           const struct sockaddr *dst, const uint8_t *payload, size_t len);
/* Writes that frame with the current time to w (nothing when w is NULL or not open). */
void quire_capture_udp(quire_pcapw *w, const struct sockaddr *src, const struct sockaddr *dst,
                       const uint8_t *payload, size_t len);

#endif
