/* pcapng export with a Decryption Secrets Block, and DSB reading (see export.h). Block layouts
 * from the pcapng specification (draft-ietf-opsawg-pcapng): Section Header Block 0x0A0D0D0A,
 * Interface Description Block 1, Enhanced Packet Block 6, Decryption Secrets Block 0x0A. */
#include "trace/export.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "util/buf.h"
#include "util/cursor.h"
#include "util/err.h"

#define SHB_TYPE 0x0A0D0D0Au
#define IDB_TYPE 0x00000001u
#define EPB_TYPE 0x00000006u
#define BYTE_ORDER_MAGIC 0x1A2B3C4Du

static void set_err(char *err, size_t err_len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void set_err(char *err, size_t err_len, const char *fmt, ...)
{
    if (!err || !err_len) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, err_len, fmt, ap);
    va_end(ap);
}

/* Blocks are built in a quire_buf in host byte order (pcapng readers take the order from the
 * Section Header's magic). */
static int put32(quire_buf *b, uint32_t v)
{
    return quire_buf_append(b, &v, 4);
}

static int put16(quire_buf *b, uint16_t v)
{
    return quire_buf_append(b, &v, 2);
}

static int pad4(quire_buf *b, size_t n)
{
    static const uint8_t zeros[4];
    return quire_buf_append(b, zeros, (4 - n % 4) % 4);
}

/* An option: code, length, value padded to 32 bits. */
static int put_option(quire_buf *b, uint16_t code, const void *v, size_t len)
{
    int rv = put16(b, code);
    if (!rv) rv = put16(b, (uint16_t)len);
    if (!rv) rv = quire_buf_append(b, v, len);
    if (!rv) rv = pad4(b, len);
    return rv;
}

/* Closes the block opened at offset start: writes its total length at both ends. */
static int end_block(quire_buf *b, size_t start)
{
    uint32_t total = (uint32_t)(b->len - start + 4);
    memcpy(b->data + start + 4, &total, 4);
    return put32(b, total);
}

static int begin_block(quire_buf *b, uint32_t type, size_t *start)
{
    *start = b->len;
    int rv = put32(b, type);
    if (!rv) rv = put32(b, 0); /* total length, filled by end_block */
    return rv;
}

static int write_header(quire_buf *b, int linktype, uint32_t snaplen, const quire_keylog *kl)
{
    size_t start;
    int rv = begin_block(b, SHB_TYPE, &start);
    if (!rv) rv = put32(b, BYTE_ORDER_MAGIC);
    if (!rv) rv = put16(b, 1);
    if (!rv) rv = put16(b, 0);
    if (!rv) rv = put32(b, 0xffffffffu); /* section length unknown: -1 as 64 bits */
    if (!rv) rv = put32(b, 0xffffffffu);
    static const char appl[] = "quire " QUIRE_VERSION;
    if (!rv) rv = put_option(b, 4, appl, sizeof appl - 1); /* shb_userappl */
    if (!rv) rv = put_option(b, 0, NULL, 0);
    if (!rv) rv = end_block(b, start);

    if (!rv) rv = begin_block(b, IDB_TYPE, &start);
    if (!rv) rv = put16(b, (uint16_t)linktype);
    if (!rv) rv = put16(b, 0);
    if (!rv) rv = put32(b, snaplen);
    uint8_t tsresol = 9;                         /* nanoseconds */
    if (!rv) rv = put_option(b, 9, &tsresol, 1); /* if_tsresol */
    if (!rv) rv = put_option(b, 0, NULL, 0);
    if (!rv) rv = end_block(b, start);

    if (rv || !kl || !kl->count) return rv;
    quire_buf text;
    quire_buf_init(&text);
    rv = quire_keylog_format(kl, &text);
    if (!rv) rv = begin_block(b, QUIRE_PCAPNG_DSB, &start);
    if (!rv) rv = put32(b, QUIRE_DSB_TLS_KEYLOG);
    if (!rv) rv = put32(b, (uint32_t)text.len);
    if (!rv) rv = quire_buf_append(b, text.data, text.len);
    if (!rv) rv = pad4(b, text.len);
    if (!rv) rv = end_block(b, start);
    quire_buf_free(&text);
    return rv;
}

static int write_packet(quire_buf *b, const struct pcap_pkthdr *h, const uint8_t *data)
{
    /* With PCAP_TSTAMP_PRECISION_NANO, tv_usec holds nanoseconds. */
    uint64_t ts = (uint64_t)h->ts.tv_sec * 1000000000u + (uint64_t)h->ts.tv_usec;
    size_t start;
    int rv = begin_block(b, EPB_TYPE, &start);
    if (!rv) rv = put32(b, 0); /* interface 0 */
    if (!rv) rv = put32(b, (uint32_t)(ts >> 32));
    if (!rv) rv = put32(b, (uint32_t)ts);
    if (!rv) rv = put32(b, h->caplen);
    if (!rv) rv = put32(b, h->len);
    if (!rv) rv = quire_buf_append(b, data, h->caplen);
    if (!rv) rv = pad4(b, h->caplen);
    if (!rv) rv = end_block(b, start);
    return rv;
}

long quire_export_pcapng(const char *in_path, const char *out_path, const quire_keylog *kl,
                         char *err, size_t err_len)
{
    if (access(in_path, R_OK)) {
        int e = errno;
        set_err(err, err_len, "%s: %s", in_path, strerror(e));
        return e == ENOENT ? QUIRE_ERR_NOTFOUND : QUIRE_ERR_IO;
    }
    char perr[PCAP_ERRBUF_SIZE] = "";
    pcap_t *pc = pcap_open_offline_with_tstamp_precision(in_path, PCAP_TSTAMP_PRECISION_NANO, perr);
    if (!pc) {
        set_err(err, err_len, "%s: %s", in_path, perr);
        return QUIRE_ERR_MALFORMED;
    }
    char tmp[4096];
    if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp.%ld", out_path, (long)getpid()) >= sizeof tmp) {
        pcap_close(pc);
        set_err(err, err_len, "%s: path too long", out_path);
        return QUIRE_ERR_INVALID;
    }
    FILE *f = fopen(tmp, "wb");
    if (!f) {
        set_err(err, err_len, "%s: %s", tmp, strerror(errno));
        pcap_close(pc);
        return QUIRE_ERR_IO;
    }
    quire_buf b;
    quire_buf_init(&b);
    long count = 0, rv = write_header(&b, pcap_datalink(pc), (uint32_t)pcap_snapshot(pc), kl);
    struct pcap_pkthdr *h;
    const u_char *data;
    int r = 0;
    while (!rv && (r = pcap_next_ex(pc, &h, &data)) == 1) {
        rv = write_packet(&b, h, data);
        count++;
        if (!rv && b.len >= (1u << 20)) {
            if (fwrite(b.data, 1, b.len, f) != b.len) rv = QUIRE_ERR_IO;
            quire_buf_reset(&b);
        }
    }
    if (!rv && r == PCAP_ERROR) {
        /* A damaged record: what came before is kept, the problem reported. */
        set_err(err, err_len, "%s: frame %ld: %s", in_path, count + 1, pcap_geterr(pc));
        rv = QUIRE_ERR_MALFORMED;
    } else if (rv == QUIRE_ERR_NOMEM) {
        set_err(err, err_len, "%s: out of memory", out_path);
    }
    if (!rv && b.len && fwrite(b.data, 1, b.len, f) != b.len) rv = QUIRE_ERR_IO;
    if (fclose(f) && !rv) rv = QUIRE_ERR_IO;
    if (rv == QUIRE_ERR_IO) set_err(err, err_len, "%s: %s", tmp, strerror(errno));
    if (!rv && rename(tmp, out_path)) {
        set_err(err, err_len, "%s: %s", out_path, strerror(errno));
        rv = QUIRE_ERR_IO;
    }
    if (rv) unlink(tmp);
    quire_buf_free(&b);
    pcap_close(pc);
    return rv ? rv : count;
}

static uint32_t get32(const uint8_t *p, int swap)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return swap ? __builtin_bswap32(v) : v;
}

int quire_export_dsb_parse(const uint8_t *data, size_t len, const char *name, quire_keylog *kl)
{
    if (len == 0) return 0;
    quire_cursor c;
    quire_cursor_init(&c, data, len);
    int swap = -1, blocks = 0;
    char label[300];
    while (quire_cursor_left(&c) > 0) {
        const uint8_t *hdr;
        if (quire_cursor_bytes(&c, 8, &hdr)) return QUIRE_ERR_TRUNCATED;
        uint32_t type;
        memcpy(&type, hdr, 4); /* the SHB type is a palindrome: order does not matter */
        if (type == SHB_TYPE) {
            /* A new section: its byte-order magic follows the length. */
            if (quire_cursor_left(&c) < 4) return QUIRE_ERR_TRUNCATED;
            uint32_t magic;
            memcpy(&magic, c.p, 4);
            if (magic == BYTE_ORDER_MAGIC)
                swap = 0;
            else if (magic == __builtin_bswap32(BYTE_ORDER_MAGIC))
                swap = 1;
            else
                return QUIRE_ERR_MALFORMED;
        } else if (swap < 0) {
            return QUIRE_ERR_MALFORMED; /* pcapng starts with a Section Header */
        }
        type = get32(hdr, swap);
        uint32_t total = get32(hdr + 4, swap);
        if (total < 12 || total % 4) return QUIRE_ERR_MALFORMED;
        quire_cursor body;
        if (quire_cursor_sub(&c, total - 12, &body)) return QUIRE_ERR_TRUNCATED;
        const uint8_t *trailer;
        if (quire_cursor_bytes(&c, 4, &trailer)) return QUIRE_ERR_TRUNCATED;
        if (get32(trailer, swap) != total) return QUIRE_ERR_MALFORMED;
        if (type != QUIRE_PCAPNG_DSB) continue;
        const uint8_t *fields, *secrets;
        if (quire_cursor_bytes(&body, 8, &fields)) return QUIRE_ERR_MALFORMED;
        uint32_t stype = get32(fields, swap), slen = get32(fields + 4, swap);
        if (quire_cursor_bytes(&body, slen, &secrets)) return QUIRE_ERR_MALFORMED;
        if (stype != QUIRE_DSB_TLS_KEYLOG) continue;
        blocks++;
        snprintf(label, sizeof label, "%s: DSB %d", name ? name : "pcapng", blocks);
        int rv = quire_keylog_parse(kl, (const char *)secrets, slen, label);
        if (rv < 0) return rv;
    }
    return blocks;
}

int quire_export_dsb_load(const char *path, quire_keylog *kl)
{
    /* Mapped, not read: only block headers and the DSBs are touched, so a large capture costs
     * little. */
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return QUIRE_ERR_IO;
    struct stat st;
    if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
        close(fd);
        return QUIRE_ERR_IO;
    }
    if (st.st_size < 4) {
        close(fd);
        return 0;
    }
    void *map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (map == MAP_FAILED) return QUIRE_ERR_IO;
    int rv = 0;
    if (get32(map, 0) == SHB_TYPE) /* otherwise not pcapng: no secrets inside */
        rv = quire_export_dsb_parse(map, (size_t)st.st_size, path, kl);
    munmap(map, (size_t)st.st_size);
    return rv;
}
