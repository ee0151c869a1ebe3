/* pcap writers for the simulator's captures (trace_node_left.pcap, trace_node_right.pcap):
 * Ethernet frames with wall-clock timestamps, written through libpcap's dump API so that
 * every pcap reader accepts them. */
#ifndef QUIRE_PCAPW_H
#define QUIRE_PCAPW_H

#include <stddef.h>
#include <stdint.h>

typedef struct quire_pcapw {
    void *pcap;   /* pcap_t (dead handle giving the link type) */
    void *dumper; /* pcap_dumper_t */
    uint64_t packets;
} quire_pcapw;

/* Creates path (truncating it) for Ethernet frames; returns 0 or QUIRE_ERR_IO. */
int quire_pcapw_open(quire_pcapw *w, const char *path);
/* Appends a frame captured at ts_ns (nanoseconds since the Unix epoch). */
void quire_pcapw_write(quire_pcapw *w, uint64_t ts_ns, const uint8_t *frame, size_t len);
void quire_pcapw_flush(quire_pcapw *w);
/* Flushes and closes; safe on a writer that was never opened (zeroed). */
void quire_pcapw_close(quire_pcapw *w);

#endif
