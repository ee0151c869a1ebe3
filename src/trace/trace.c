/* Capture → connections driver; see trace.h. */
#include "trace/trace.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "trace/export.h"
#include "trace/net.h"
#include "trace/pcap.h"
#include "util/err.h"

typedef struct run_ctx {
    quire_trace *t;
    const quire_trace_opts *opts;
} run_ctx;

static void add_problem(quire_trace *t, uint64_t frame, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void add_problem(quire_trace *t, uint64_t frame, const char *fmt, ...)
{
    t->problem_count++;
    if (t->nproblems == QUIRE_TRACE_MAX_PROBLEMS) return;
    quire_trace_problem *p = &t->problems[t->nproblems++];
    p->frame = frame;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->msg, sizeof p->msg, fmt, ap);
    va_end(ap);
}

static void on_packet(const quire_conn_packet *p, void *arg)
{
    run_ctx *r = arg;
    quire_trace_summary *s = &r->t->summary;
    if (p->pkt && p->late_frame) {
        /* counted as undecryptable at its first report */
        s->undecryptable--;
        s->decrypted++;
        if (p->pkt->type == QUIRE_PACKET_1RTT) s->key_phases |= (uint8_t)(1u << p->pkt->key_phase);
    } else if (p->pkt) {
        const quire_packet *k = p->pkt;
        s->quic_packets++;
        s->types[k->type]++;
        int dec = k->payload && (k->status == 0 || k->status == QUIRE_ERR_MALFORMED);
        if (dec) {
            s->decrypted++;
            if (k->type == QUIRE_PACKET_1RTT) s->key_phases |= (uint8_t)(1u << k->key_phase);
        } else if (k->type != QUIRE_PACKET_RETRY && k->type != QUIRE_PACKET_VERSION_NEGOTIATION) {
            s->undecryptable++;
        }
        if (k->type != QUIRE_PACKET_1RTT && k->type != QUIRE_PACKET_VERSION_NEGOTIATION) {
            size_t i = 0;
            while (i < s->nversions && s->versions[i] != k->version)
                i++;
            if (i == s->nversions && i < QUIRE_TRACE_MAX_VERSIONS)
                s->versions[s->nversions++] = k->version;
        }
    }
    if (p->error) {
        s->malformed++;
        add_problem(r->t, p->frame, "frame %llu: %s", (unsigned long long)p->frame, p->error);
    }
    if (r->opts && r->opts->on_packet) r->opts->on_packet(r->t, p, r->opts->arg);
}

static void finish(quire_trace *t)
{
    quire_trace_summary *s = &t->summary;
    for (size_t i = 0; i < quire_conn_count(t->conns); i++) {
        const quire_conn *c = quire_conn_get(t->conns, i);
        if (c->tls.client_hello) s->handshakes++;
        if (c->tls.server_hello && c->tls.cipher) {
            size_t k = 0;
            while (k < s->nciphers && s->ciphers[k] != c->tls.cipher)
                k++;
            if (k == s->nciphers && k < QUIRE_TRACE_MAX_CIPHERS)
                s->ciphers[s->nciphers++] = c->tls.cipher;
        }
        if (c->tls.errors) add_problem(t, 0, "connection %zu: TLS: %s", c->index, c->tls.error);
        /* per-packet problems were reported as they happened; the others (keys) here */
        if (c->problem[0] && strncmp(c->problem, "frame ", 6))
            add_problem(t, c->first_problem_frame, "connection %zu: %s", c->index, c->problem);
        /* frame counts from the connections (a packet's callback keeps at most
         * QUIRE_CONN_MAX_FRAMES frames, the connections count all) */
        for (int d = 0; d < 2; d++)
            for (int k = 0; k < QUIRE_FRAME_KINDS; k++)
                s->frames[k] += c->dir[d].frames[k];
    }
}

static int run(quire_trace *t, quire_pcap *pc, const quire_trace_opts *opts)
{
    run_ctx r = {t, opts};
    quire_pcap_record rec;
    int rv;
    t->linktype = pc->linktype;
    while ((rv = quire_pcap_next(pc, &rec)) == 1) {
        quire_udp u;
        t->summary.packets++;
        t->summary.bytes += rec.caplen;
        if (t->summary.packets == 1) t->summary.first_ts = rec.ts_ns;
        t->summary.last_ts = rec.ts_ns;
        int nr = quire_net_decode(pc->linktype, rec.data, rec.caplen, &u);
        if (nr < 0) {
            t->summary.bad_frames++;
            add_problem(t, rec.frame, "frame %llu: %s %s%s", (unsigned long long)rec.frame, u.what,
                        nr == QUIRE_ERR_TRUNCATED ? "truncated" : "malformed",
                        rec.caplen < rec.len ? " (capture snap length)" : "");
            continue;
        }
        if (u.kind == QUIRE_NET_FRAGMENT) {
            t->summary.fragments++;
            add_problem(t, rec.frame, "frame %llu: IP fragment, not reassembled",
                        (unsigned long long)rec.frame);
            continue;
        }
        if (u.kind != QUIRE_NET_UDP) {
            t->summary.other++;
            continue;
        }
        t->summary.udp++;
        if (u.len == 0) continue;
        int n = quire_conn_datagram(t->conns, rec.frame, rec.ts_ns, &u, on_packet, &r);
        if (n == QUIRE_ERR_NOMEM) {
            snprintf(t->capture_error, sizeof t->capture_error, "%s: frame %llu: out of memory",
                     t->capture, (unsigned long long)rec.frame);
            return n;
        }
        if (n > 0) t->summary.quic_datagrams++;
    }
    if (rv < 0) {
        t->capture_status = rv;
        snprintf(t->capture_error, sizeof t->capture_error, "%s", pc->err);
        add_problem(t, pc->frame + 1, "%s", pc->err);
    }
    finish(t);
    return 0;
}

static int start(quire_trace *t, const char *name, const quire_trace_opts *opts)
{
    memset(t, 0, sizeof *t);
    snprintf(t->capture, sizeof t->capture, "%s", name);
    quire_keylog_init(&t->keylog);
    if (opts && opts->keylog) {
        int rv = quire_keylog_load(&t->keylog, opts->keylog);
        if (rv < 0) {
            snprintf(t->capture_error, sizeof t->capture_error, "%s",
                     t->keylog.error[0] ? t->keylog.error : "cannot read the key log");
            return rv;
        }
        t->have_keylog = 1;
        if (t->keylog.bad_lines)
            add_problem(t, 0, "key log: %zu bad lines, first: %s", t->keylog.bad_lines,
                        t->keylog.error);
        if (t->keylog.count == 0) add_problem(t, 0, "key log %s has no QUIC secrets", opts->keylog);
    }
    return 0;
}

/* After the key log file: secrets from the capture's own Decryption Secrets Blocks (pcapng),
 * then the connection table. */
static int start_table(quire_trace *t, int dsb_blocks)
{
    if (dsb_blocks > 0) t->have_keylog = 1;
    int rv = quire_conn_table_new(&t->conns, t->have_keylog ? &t->keylog : NULL);
    if (rv) snprintf(t->capture_error, sizeof t->capture_error, "out of memory");
    return rv;
}

/* Decodes a capture just opened (open_rv: how the open went) and closes it. */
static int run_opened(quire_trace *t, quire_pcap *pc, int open_rv, const quire_trace_opts *opts)
{
    if (open_rv) {
        snprintf(t->capture_error, sizeof t->capture_error, "%s", pc->err);
        return open_rv;
    }
    int rv = run(t, pc, opts);
    quire_pcap_close(pc);
    return rv;
}

int quire_trace_run(quire_trace *t, const char *capture, const quire_trace_opts *opts)
{
    int rv = start(t, capture, opts);
    if (rv) return rv;
    int dsb = quire_export_dsb_load(capture, &t->keylog);
    if (dsb < 0 && dsb != QUIRE_ERR_IO)
        add_problem(t, 0, "%s: Decryption Secrets Blocks unreadable: %s", capture,
                    quire_strerror(dsb));
    if ((rv = start_table(t, dsb))) return rv;
    quire_pcap pc;
    return run_opened(t, &pc, quire_pcap_open(&pc, capture), opts);
}

int quire_trace_run_mem(quire_trace *t, const void *data, size_t len, const quire_trace_opts *opts)
{
    int rv = start(t, "<memory>", opts);
    if (rv) return rv;
    int dsb = quire_export_dsb_parse(data, len, "<memory>", &t->keylog);
    if ((rv = start_table(t, dsb))) return rv;
    quire_pcap pc;
    return run_opened(t, &pc, quire_pcap_open_mem(&pc, data, len), opts);
}

void quire_trace_free(quire_trace *t)
{
    quire_conn_table_del(t->conns);
    t->conns = NULL;
    quire_keylog_free(&t->keylog);
}

int quire_trace_clean(const quire_trace *t)
{
    return t->capture_status == 0 && t->summary.undecryptable == 0 && t->summary.malformed == 0 &&
           t->summary.bad_frames == 0 && t->problem_count == 0;
}

size_t quire_trace_conn_count(const quire_trace *t)
{
    return t->conns ? quire_conn_count(t->conns) : 0;
}

const quire_conn *quire_trace_conn(const quire_trace *t, size_t i)
{
    return t->conns ? quire_conn_get(t->conns, i) : NULL;
}
