/* Readiness, as quic-network-simulator's wait-for-it-quic: send a QUIC long-header packet
 * with the reserved version 0x57414954 ("WAIT") to a server and wait for its Version
 * Negotiation answer, which shows that the server is up and listening; then tell the others:
 * the ready file and the TCP port endpoints wait on (57832). */
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

/* Probes each server ("ADDR:PORT") in turn, all within one deadline of timeout_ms, logging
 * when each answered or that it did not (a timeout is not an error: the caller goes on).
 * Returns 0, or QUIRE_ERR_INTERRUPTED when stop_fd became readable. */
int quire_probe_all(const char *const *servers, int n, int timeout_ms, int stop_fd);

/* Creates the ready file (contents "ready\n"); returns 0 or QUIRE_ERR_IO (logged). */
int quire_probe_ready_file(const char *path);

/* Listens on TCP port (IPv4 and IPv6, all addresses) for endpoints that wait on it; returns the
 * non-blocking socket or -1. */
int quire_probe_listen(int port);

#endif
