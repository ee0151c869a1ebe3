/* Capture reader over libpcap (pcap and pcapng); see pcap.h. libpcap maps file link types to
 * DLT_* values, which differ from LINKTYPE_* for raw IP on some systems, so they are mapped
 * back here to one numbering. */
#include "trace/pcap.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <string.h>

#include "util/err.h"

static int map_dlt(int dlt)
{
    switch (dlt) {
    case DLT_NULL:
        return QUIRE_LINK_NULL;
    case DLT_EN10MB:
        return QUIRE_LINK_ETHERNET;
    case DLT_RAW:
        return QUIRE_LINK_RAW;
    case DLT_LOOP:
        return QUIRE_LINK_LOOP;
    case DLT_LINUX_SLL:
        return QUIRE_LINK_SLL;
#ifdef DLT_IPV4
    case DLT_IPV4:
        return QUIRE_LINK_IPV4;
#endif
#ifdef DLT_IPV6
    case DLT_IPV6:
        return QUIRE_LINK_IPV6;
#endif
#ifdef DLT_LINUX_SLL2
    case DLT_LINUX_SLL2:
        return QUIRE_LINK_SLL2;
#endif
    default:
        return -1;
    }
}

const char *quire_pcap_link_name(int linktype)
{
    switch (linktype) {
    case QUIRE_LINK_NULL:
        return "null";
    case QUIRE_LINK_ETHERNET:
        return "ethernet";
    case QUIRE_LINK_RAW:
        return "raw";
    case QUIRE_LINK_LOOP:
        return "loop";
    case QUIRE_LINK_SLL:
        return "linux_sll";
    case QUIRE_LINK_IPV4:
        return "ipv4";
    case QUIRE_LINK_IPV6:
        return "ipv6";
    case QUIRE_LINK_SLL2:
        return "linux_sll2";
    default:
        return "unknown";
    }
}

static int finish_open(quire_pcap *p, pcap_t *h, const char *errbuf)
{
    if (!h) {
        /* libpcap's messages: "unknown file format", "truncated dump file; ...", or strerror */
        snprintf(p->err, sizeof p->err, "%s: not a readable pcap/pcapng capture: %s", p->name,
                 errbuf[0] ? errbuf : "unknown error");
        return strstr(errbuf, "No such file") ? QUIRE_ERR_NOTFOUND : QUIRE_ERR_MALFORMED;
    }
    int dlt = pcap_datalink(h);
    int lt = map_dlt(dlt);
    if (lt < 0) {
        const char *n = pcap_datalink_val_to_name(dlt);
        snprintf(p->err, sizeof p->err,
                 "%s: link type %d (%s) is not supported (expected Ethernet, raw IP, Linux "
                 "cooked SLL/SLL2 or loopback)",
                 p->name, dlt, n ? n : "unknown");
        pcap_close(h);
        return QUIRE_ERR_UNSUPPORTED;
    }
    p->handle = h;
    p->linktype = lt;
    return 0;
}

static void init(quire_pcap *p, const char *name)
{
    memset(p, 0, sizeof *p);
    snprintf(p->name, sizeof p->name, "%s", name);
}

int quire_pcap_open(quire_pcap *p, const char *path)
{
    char errbuf[PCAP_ERRBUF_SIZE] = "";
    init(p, path);
    FILE *f = fopen(path, "rb");
    if (!f) {
        int e = errno;
        snprintf(p->err, sizeof p->err, "%s: %s", path, strerror(e));
        return e == ENOENT ? QUIRE_ERR_NOTFOUND : QUIRE_ERR_IO;
    }
    /* A large stdio buffer: libpcap reads record by record through it. */
    setvbuf(f, NULL, _IOFBF, 1 << 20);
    pcap_t *h = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_NANO, errbuf);
    if (!h) fclose(f);
    return finish_open(p, h, errbuf);
}

int quire_pcap_open_mem(quire_pcap *p, const void *data, size_t len)
{
    char errbuf[PCAP_ERRBUF_SIZE] = "";
    init(p, "<memory>");
    if (len == 0) {
        snprintf(p->err, sizeof p->err, "%s: empty file, not a pcap/pcapng capture", p->name);
        return QUIRE_ERR_MALFORMED;
    }
    FILE *f = fmemopen((void *)(uintptr_t)data, len, "rb");
    if (!f) {
        snprintf(p->err, sizeof p->err, "%s: %s", p->name, strerror(errno));
        return QUIRE_ERR_IO;
    }
    pcap_t *h = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_NANO, errbuf);
    if (!h) fclose(f);
    return finish_open(p, h, errbuf);
}

int quire_pcap_next(quire_pcap *p, quire_pcap_record *rec)
{
    struct pcap_pkthdr *hdr;
    const u_char *data;
    if (!p->handle) return 0;
    int r = pcap_next_ex((pcap_t *)p->handle, &hdr, &data);
    if (r == PCAP_ERROR_BREAK) return 0;
    if (r != 1) {
        const char *msg = pcap_geterr((pcap_t *)p->handle);
        snprintf(p->err, sizeof p->err, "%s: frame %llu: %s", p->name,
                 (unsigned long long)(p->frame + 1), msg && msg[0] ? msg : "read error");
        return msg && strstr(msg, "truncated") ? QUIRE_ERR_TRUNCATED : QUIRE_ERR_MALFORMED;
    }
    p->frame++;
    rec->frame = p->frame;
    rec->ts_ns = (uint64_t)hdr->ts.tv_sec * 1000000000u + (uint64_t)hdr->ts.tv_usec;
    rec->data = data;
    rec->caplen = hdr->caplen;
    rec->len = hdr->len;
    return 1;
}

void quire_pcap_close(quire_pcap *p)
{
    if (p->handle) pcap_close((pcap_t *)p->handle);
    p->handle = NULL;
}
