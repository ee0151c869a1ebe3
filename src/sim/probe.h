/* Readiness probe, as quic-network-simulator's wait-for-it-quic: send a QUIC long-header packet
 * with the reserved version 0x57414954 ("WAIT") to a server and wait for its Version
 * Negotiation answer, which shows that the server is up and listening. */
#ifndef QUIRE_PROBE_H
#define QUIRE_PROBE_H

#include <stdint.h>
#include <sys/socket.h>

/* Parses "ADDR:PORT" or "[V6ADDR]:PORT" (numeric addresses). Returns 0 or QUIRE_ERR_INVALID. */
int quire_probe_parse_addr(const char *s, struct sockaddr_storage *ss, socklen_t *sslen);

/* True if buf is a Version Negotiation packet (RFC 9000, Section 17.2.1: long header form,
 * version 0). */
int quire_probe_is_vn(const uint8_t *buf, size_t len);

/* Probes the server until it answers or timeout_ms passes: resends with backoff (100 ms doubling
 * to 1 s). Returns 0 when answered, QUIRE_ERR_TIMEOUT, QUIRE_ERR_INTERRUPTED when stop_fd (e.g.
 * a signalfd, or -1) becomes readable, or QUIRE_ERR_IO. *elapsed_ms is set in every case. */
int quire_probe_wait(const struct sockaddr_storage *server, socklen_t len, int timeout_ms,
                     int stop_fd, uint64_t *elapsed_ms);

#endif
