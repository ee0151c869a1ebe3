/* Capture reader: pcap and pcapng files (through libpcap), one record at a time with its
 * frame number (1-based, as tshark counts), nanosecond timestamp and bytes. Only link types
 * the network decoder understands are accepted (Ethernet, raw IP, IPv4, IPv6, Linux cooked
 * SLL/SLL2, BSD loopback/null); anything else, and files that are not captures or end in the
 * middle of a record, fail with a message naming the file and the frame number. */
#ifndef QUIRE_PCAP_H
#define QUIRE_PCAP_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Link types, LINKTYPE_* numbers as they appear in files (tcpdump.org/linktypes.html). */
enum {
    QUIRE_LINK_NULL = 0, /* BSD loopback, host-order address family */
    QUIRE_LINK_ETHERNET = 1,
    QUIRE_LINK_RAW = 101,  /* raw IPv4 or IPv6 */
    QUIRE_LINK_LOOP = 108, /* OpenBSD loopback, network-order address family */
    QUIRE_LINK_SLL = 113,  /* Linux cooked capture v1 */
    QUIRE_LINK_IPV4 = 228,
    QUIRE_LINK_IPV6 = 229,
    QUIRE_LINK_SLL2 = 276, /* Linux cooked capture v2 */
};

typedef struct quire_pcap_record {
    uint64_t frame;      /* 1-based record number */
    uint64_t ts_ns;      /* nanoseconds since the epoch */
    const uint8_t *data; /* valid until the next quire_pcap_next() */
    uint32_t caplen;     /* bytes present */
    uint32_t len;        /* bytes on the wire */
} quire_pcap_record;

typedef struct quire_pcap {
    void *handle;   /* pcap_t */
    int linktype;   /* QUIRE_LINK_* */
    uint64_t frame; /* records read so far */
    char name[256]; /* file name for messages */
    char err[512];  /* last error, with file and frame number */
} quire_pcap;

/* Opens a capture file. 0, or QUIRE_ERR_NOTFOUND / QUIRE_ERR_IO / QUIRE_ERR_MALFORMED /
 * QUIRE_ERR_UNSUPPORTED (link type) with p->err set. On failure nothing needs freeing. */
int quire_pcap_open(quire_pcap *p, const char *path);
/* Opens a capture held in memory (fuzzing, tests); the bytes must outlive p. */
int quire_pcap_open_mem(quire_pcap *p, const void *data, size_t len);
/* Reads the next record: 1 and *rec filled, 0 at the end of the file, or a negative error
 * (QUIRE_ERR_TRUNCATED for a file cut inside a record, QUIRE_ERR_MALFORMED otherwise) with
 * p->err naming the frame number. */
int quire_pcap_next(quire_pcap *p, quire_pcap_record *rec);
void quire_pcap_close(quire_pcap *p);
/* A static name for a QUIRE_LINK_* value ("ethernet", "raw", ...), "unknown" otherwise. */
const char *quire_pcap_link_name(int linktype);

#endif
