/* Unit tests for trace/trace and trace/output on the reference captures under
 * tests/data/captures/ (made by ngtcp2 endpoints, see make-captures.sh): golden text and JSON
 * outputs, the structured result checks read (connections, TLS, streams, key phases, Retry,
 * 0-RTT), and bad input: missing or garbage captures, a capture cut short, a wrong or missing
 * key log. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "trace/output.h"
#include "trace/trace.h"
#include "util/err.h"

/* The tests run inside tests/data/captures so names print the same as with update-golden.sh. */
static char *path_of(const char *name)
{
    return (char *)name;
}

static int enter_dir(void **state)
{
    (void)state;
    const char *dir = getenv("QUIRE_SOURCE_DIR");
    char buf[1024];
    snprintf(buf, sizeof buf, "%s/tests/data/captures", dir ? dir : QUIRE_SOURCE_DIR);
    return chdir(buf);
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    rewind(f);
    char *b = malloc((size_t)n + 1);
    assert_non_null(b);
    assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
    b[n] = 0;
    fclose(f);
    if (len) *len = (size_t)n;
    return b;
}

/* Runs the trace and the printer like `quire trace` and returns the output. */
static char *render(const char *cap, const char *keys, int json, int frames, int *rv)
{
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    assert_non_null(mem);
    quire_output o;
    assert_int_equal(quire_output_init(&o, mem, json, frames, NULL), 0);
    quire_trace_opts opts = {keys ? path_of(keys) : NULL, quire_output_packet, &o};
    quire_trace t;
    *rv = quire_trace_run(&t, path_of(cap), &opts);
    if (*rv == 0)
        assert_int_equal(quire_output_finish(&o, &t), 0);
    else
        quire_output_free(&o);
    quire_trace_free(&t);
    fclose(mem);
    return text;
}

static void golden(const char *cap, const char *keys, int json, int frames, const char *expected)
{
    int rv;
    char *got = render(cap, keys, json, frames, &rv);
    assert_int_equal(rv, 0);
    char *want = slurp(path_of(expected), NULL);
    if (strcmp(got, want)) {
        fprintf(stderr, "output of %s differs from %s; got:\n%s\n", cap, expected, got);
        fail();
    }
    free(got);
    free(want);
}

static void test_golden(void **state)
{
    (void)state;
    static const char *names[] = {"handshake",  "retry", "keyupdate", "chacha20",
                                  "resumption", "ipv6",  "vn",        "migration"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char cap[64], keys[64], txt[64];
        snprintf(cap, sizeof cap, "%s.pcap", names[i]);
        snprintf(keys, sizeof keys, "%s.keys", names[i]);
        snprintf(txt, sizeof txt, "%s.txt", names[i]);
        golden(cap, keys, 0, 0, txt);
    }
    golden("handshake.pcap", "handshake.keys", 1, 1, "handshake.frames.json");
    golden("retry.pcap", "retry.keys", 0, 1, "retry.frames.txt");
}

static void run(quire_trace *t, const char *cap, const char *keys)
{
    quire_trace_opts opts = {keys ? path_of(keys) : NULL, NULL, NULL};
    assert_int_equal(quire_trace_run(t, path_of(cap), &opts), 0);
}

static void test_structure(void **state)
{
    (void)state;
    quire_trace t;
    run(&t, "keyupdate.pcap", "keyupdate.keys");
    assert_true(quire_trace_clean(&t));
    assert_int_equal(quire_trace_conn_count(&t), 1);
    const quire_conn *c = quire_trace_conn(&t, 0);
    assert_int_equal(t.summary.key_phases, 3);
    assert_true(c->dir[0].key_updates + c->dir[1].key_updates >= 1);
    assert_string_equal(c->tls.alpn, "h3");
    assert_int_equal(c->tls.cipher, 0x1301);
    assert_true(c->tls.server_tp.present);
    assert_true(c->tls.server_tp.mask & (1u << QUIRE_TP_INITIAL_MAX_STREAMS_BIDI));
    assert_int_equal(c->tls.server_tp.odcid.len, c->odcid.len);
    assert_memory_equal(c->tls.server_tp.odcid.id, c->odcid.id, c->odcid.len);
    /* the 40000-byte file on stream 0 from the server, complete, inside HTTP/3 HEADERS and
     * DATA frames (a few bytes more) */
    int found = 0;
    for (size_t i = 0; i < c->nstreams; i++)
        if (c->streams[i].id == 0 && !c->streams[i].from_client) {
            assert_in_range(c->streams[i].size, 40000, 40100);
            assert_true(c->streams[i].fin);
            found = 1;
        }
    assert_true(found);
    quire_trace_free(&t);

    run(&t, "retry.pcap", "retry.keys");
    c = quire_trace_conn(&t, 0);
    assert_int_equal(t.summary.types[QUIRE_PACKET_RETRY], 1);
    assert_int_equal(c->retry, 1);
    assert_int_equal(c->retry_tag_ok, 1);
    assert_true(c->tls.server_tp.mask & (1u << QUIRE_TP_RETRY_SCID));
    assert_memory_equal(c->tls.server_tp.rscid.id, c->retry_scid.id, c->retry_scid.len);
    quire_trace_free(&t);

    /* aioquic answers a Retry with a new ClientHello (new random): the key log is searched
     * by that one, so everything decrypts (tshark 4.0 does not manage this one) */
    run(&t, "aioquic-retry.pcap", "aioquic-retry.keys");
    assert_true(quire_trace_clean(&t));
    c = quire_trace_conn(&t, 0);
    assert_int_equal(c->retry, 1);
    assert_int_equal(c->tls.client_hello, 2);
    assert_true(c->keylog_found);
    assert_int_equal(t.summary.undecryptable, 0);
    quire_trace_free(&t);

    /* QUIC v2 by compatible version negotiation (RFC 9368) from v1 */
    run(&t, "v2.pcap", "v2.keys");
    c = quire_trace_conn(&t, 0);
    assert_int_equal(c->nversions, 2);
    assert_int_equal(c->versions[1], 0x6b3343cf);
    assert_int_equal(c->tls.client_tp.version_info.chosen, 1);
    assert_int_equal(c->tls.server_tp.version_info.chosen, 0x6b3343cf);
    assert_int_equal(c->tls.cipher, 0x1302);
    assert_int_equal(t.summary.decrypted, t.summary.quic_packets - 1);
    quire_trace_free(&t);

    run(&t, "resumption.pcap", "resumption.keys");
    assert_int_equal(quire_trace_conn_count(&t), 2);
    assert_int_equal(t.summary.handshakes, 2);
    c = quire_trace_conn(&t, 1);
    assert_true(c->tls.psk && c->tls.psk_accepted);
    assert_true(c->tls.early_data);
    assert_int_equal(c->dir[0].packets[QUIRE_PACKET_0RTT], 1);
    assert_int_equal(c->dir[0].undecryptable, 0);
    assert_true(quire_trace_conn(&t, 0)->tls.tickets >= 1);
    quire_trace_free(&t);

    run(&t, "ipv6.pcap", "ipv6.keys");
    assert_int_equal(quire_trace_conn(&t, 0)->ends[0][0].addr.family, 6);
    quire_trace_free(&t);

    /* ngtcp2 greases the fixed bit (RFC 9287): frame 2's coalesced 1-RTT packet starts with
     * 0x00 on the wire and must not be taken for padding */
    run(&t, "ngtcp2-greased-bit.pcap", "ngtcp2-greased-bit.keys");
    assert_true(quire_trace_clean(&t));
    c = quire_trace_conn(&t, 0);
    assert_int_equal(t.summary.quic_packets, 15); /* 14 when frame 2's 1-RTT packet is lost */
    assert_int_equal(t.summary.types[QUIRE_PACKET_1RTT], 10);
    quire_trace_free(&t);
}

static void test_bad_input(void **state)
{
    (void)state;
    quire_trace t;
    /* no key log: only the Initials decrypt; the rest are counted, not errors */
    run(&t, "handshake.pcap", NULL);
    assert_false(quire_trace_clean(&t));
    assert_int_equal(t.summary.decrypted, t.summary.types[QUIRE_PACKET_INITIAL]);
    assert_int_equal(t.summary.undecryptable, t.summary.quic_packets - t.summary.decrypted);
    quire_trace_free(&t);
    /* the wrong key log: same, and the connection says why */
    run(&t, "handshake.pcap", "retry.keys");
    assert_int_equal(t.summary.decrypted, t.summary.types[QUIRE_PACKET_INITIAL]);
    assert_non_null(strstr(quire_trace_conn(&t, 0)->problem, "no secrets for client random"));
    quire_trace_free(&t);
    /* missing files */
    quire_trace_opts opts = {path_of("nonexistent.keys"), NULL, NULL};
    assert_true(quire_trace_run(&t, path_of("handshake.pcap"), &opts) < 0);
    assert_non_null(strstr(t.capture_error, "nonexistent.keys"));
    quire_trace_free(&t);
    assert_int_equal(quire_trace_run(&t, path_of("nonexistent.pcap"), NULL), QUIRE_ERR_NOTFOUND);
    quire_trace_free(&t);
    /* garbage and a truncated capture, from memory */
    size_t len;
    char *cap = slurp(path_of("keyupdate.pcap"), &len);
    assert_int_equal(quire_trace_run_mem(&t, cap + 100, 500, NULL), QUIRE_ERR_MALFORMED);
    quire_trace_free(&t);
    assert_int_equal(quire_trace_run_mem(&t, cap, len - 100, NULL), 0);
    assert_int_equal(t.capture_status, QUIRE_ERR_TRUNCATED);
    /* the last record (frame 49) is shorter than 100 bytes: the cut is inside frame 48 */
    assert_non_null(strstr(t.capture_error, "frame 48"));
    assert_int_equal(t.summary.packets, 47);
    quire_trace_free(&t);
    /* flip bytes in every frame's UDP payload: never a crash, problems reported */
    for (size_t off = 24 + 16 + 42 + 20; off < len; off += 97)
        cap[off] ^= 0x5a;
    assert_int_equal(quire_trace_run_mem(&t, cap, len, NULL), 0);
    assert_false(quire_trace_clean(&t));
    quire_trace_free(&t);
    free(cap);
}

typedef struct late_seen {
    int late, late_decrypted, nokey;
    uint64_t late_frame, first_frame;
    int types[QUIRE_PACKET_TYPE_COUNT];
} late_seen;

static void late_cb(const quire_trace *t, const quire_conn_packet *p, void *arg)
{
    (void)t;
    late_seen *l = arg;
    if (!p->pkt) return;
    if (!p->late_frame) {
        if (p->pkt->status == QUIRE_ERR_NOKEY) l->nokey++;
        return;
    }
    l->late++;
    l->late_frame = p->late_frame;
    l->first_frame = p->frame;
    l->types[p->pkt->type]++;
    if (p->pkt->status == 0 && p->nframes > 0) l->late_decrypted++;
}

/* A datagram whose Initial a link damaged reaches the capture before an intact copy (as on
 * C1's corrupting link, before the server's retransmission): its Handshake and 1-RTT packets
 * have no keys yet (no ServerHello), are kept, and decode once the intact Initial brings the
 * keys, reported late with their own frame (RFC 9001 5.7: a receiver buffers them). */
static void test_late_keys(void **state)
{
    (void)state;
    size_t len;
    char *cap = slurp(path_of("handshake.pcap"), &len);
    /* records: 24-byte file header, 16-byte record headers; frame 2 is the server's
     * Initial + Handshake + 1-RTT datagram */
    size_t r1 = 24, r1len = (uint8_t)cap[r1 + 8] | (size_t)(uint8_t)cap[r1 + 9] << 8;
    size_t r2 = r1 + 16 + r1len, r2len = (uint8_t)cap[r2 + 8] | (size_t)(uint8_t)cap[r2 + 9] << 8;
    char *mod = malloc(len + 16 + r2len);
    assert_non_null(mod);
    memcpy(mod, cap, r2);
    memcpy(mod + r2, cap + r2, 16 + r2len);            /* the damaged copy */
    mod[r2 + 16 + 42 + 100] ^= 0x01;                   /* inside the Initial's payload */
    memcpy(mod + r2 + 16 + r2len, cap + r2, len - r2); /* then the capture as it was */
    quire_trace t;
    late_seen l = {0};
    quire_trace_opts opts = {path_of("handshake.keys"), late_cb, &l};
    assert_int_equal(quire_trace_run_mem(&t, mod, len + 16 + r2len, &opts), 0);
    assert_int_equal(l.nokey, 2);
    assert_int_equal(l.late, 2);
    assert_int_equal(l.late_decrypted, 2);
    assert_int_equal(l.types[QUIRE_PACKET_HANDSHAKE], 1);
    assert_int_equal(l.types[QUIRE_PACKET_1RTT], 1);
    assert_int_equal(l.first_frame, 2);
    assert_int_equal(l.late_frame, 3);
    /* only the damaged Initial stays undecryptable */
    assert_int_equal(t.summary.undecryptable, 1);
    quire_trace_free(&t);
    free(mod);
    free(cap);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_golden),
        cmocka_unit_test(test_structure),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_late_keys),
    };
    return cmocka_run_group_tests(tests, enter_dir, NULL);
}
