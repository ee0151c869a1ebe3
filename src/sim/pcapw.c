/* pcap writers over libpcap's pcap_dump (see pcapw.h). Microsecond pcap is used because it is
 * what every tool, including old ones, reads. */
#include "sim/pcapw.h"

#include <pcap/pcap.h>
#include <stdio.h>
#include <string.h>

#include "util/err.h"

#define SNAPLEN 65535

int quire_pcapw_open(quire_pcapw *w, const char *path)
{
    memset(w, 0, sizeof *w);
    pcap_t *p = pcap_open_dead(DLT_EN10MB, SNAPLEN);
    if (!p) return QUIRE_ERR_NOMEM;
    /* Our own FILE with a 1 MB buffer: one write() per ~700 full-size frames instead of one
     * per few, which matters at Gbit/s rates. */
    FILE *fp = fopen(path, "wbe");
    if (!fp) {
        pcap_close(p);
        return QUIRE_ERR_IO;
    }
    (void)setvbuf(fp, NULL, _IOFBF, 1 << 20);
    pcap_dumper_t *d = pcap_dump_fopen(p, fp);
    if (!d) {
        fclose(fp);
        pcap_close(p);
        return QUIRE_ERR_IO;
    }
    w->pcap = p;
    w->dumper = d;
    return 0;
}

void quire_pcapw_write(quire_pcapw *w, uint64_t ts_ns, const uint8_t *frame, size_t len)
{
    if (!w->dumper) return;
    struct pcap_pkthdr h;
    memset(&h, 0, sizeof h);
    h.ts.tv_sec = (time_t)(ts_ns / 1000000000u);
    h.ts.tv_usec = (suseconds_t)((ts_ns % 1000000000u) / 1000u);
    h.len = (bpf_u_int32)len;
    h.caplen = (bpf_u_int32)(len < SNAPLEN ? len : SNAPLEN);
    pcap_dump((u_char *)w->dumper, &h, frame);
    w->packets++;
}

void quire_pcapw_flush(quire_pcapw *w)
{
    if (w->dumper) pcap_dump_flush(w->dumper);
}

void quire_pcapw_close(quire_pcapw *w)
{
    if (w->dumper) pcap_dump_close(w->dumper);
    if (w->pcap) pcap_close(w->pcap);
    w->dumper = NULL;
    w->pcap = NULL;
}
