/* Unit tests for sim/link on a virtual clock (no sleeps): serialization at the link rate,
 * one-way delay, drop-tail queue, long-run rate accuracy, drop lists, random loss with bursts
 * (reproducible from the seed), corruption (one byte in the first 51 of the UDP payload,
 * checksums fixed, Version Negotiation untouched) and blackhole windows. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sim/link.h"
#include "sim/scenario.h"
#include "sim/simpkt.h"
#include "util/err.h"

#include "simtest_pkt.h"

#define MS 1000000ULL
#define SEC 1000000000ULL

typedef struct sink {
    size_t n;
    uint64_t at[20000];
    uint8_t first_byte[20000]; /* payload byte 0 of each delivered packet = its number */
    uint8_t pkt[20000][128];
    size_t len[20000];
} sink;

static void collect(void *ctx, uint8_t *pkt, size_t len, uint64_t at)
{
    sink *s = ctx;
    if (s->n >= 20000) return;
    s->at[s->n] = at;
    s->len[s->n] = len;
    memcpy(s->pkt[s->n], pkt, len < 128 ? len : 128);
    s->n++;
}

static quire_scenario scen(const char *text)
{
    quire_scenario sc;
    char err[256];
    char *argv[] = {(char *)text};
    int rc = quire_scenario_parse(&sc, 1, argv, err, sizeof err);
    if (rc) fail_msg("%s", err);
    return sc;
}

static sink *new_sink(void)
{
    sink *s = calloc(1, sizeof *s);
    assert_non_null(s);
    return s;
}

/* 1250-byte packets at 10 Mbit/s take exactly 1 ms each. */
static void test_rate_and_delay(void **state)
{
    (void)state;
    quire_scenario sc = scen("simple-p2p --delay=15ms --bandwidth=10Mbps --queue=100");
    quire_link l;
    uint8_t p[1500];
    sink *s = new_sink();
    assert_int_equal(quire_link_init(&l, &sc, QUIRE_DIR_TO_SERVER, 1, 0, 256, 1500), 0);
    assert_int_equal(quire_link_next_run_at(&l), UINT64_MAX);
    size_t len = build_udp4(p, 0, 1000, 443, 1250 - 28, 0);
    for (int i = 0; i < 10; i++)
        assert_int_equal(quire_link_forward(&l, 5 * MS, p, len), QUIRE_LINK_QUEUED);
    assert_int_equal(quire_link_next_run_at(&l), 5 * MS + 1 * MS + 15 * MS);
    /* Nothing is due a nanosecond early. */
    assert_int_equal(quire_link_run(&l, 21 * MS - 1, collect, s), 0);
    assert_int_equal(quire_link_run(&l, 100 * MS, collect, s), 10);
    for (size_t i = 0; i < 10; i++)
        assert_int_equal(s->at[i], 5 * MS + (i + 1) * MS + 15 * MS);
    /* An idle link sends at once: only serialization plus delay. */
    assert_int_equal(quire_link_forward(&l, 200 * MS, p, len), QUIRE_LINK_QUEUED);
    assert_int_equal(quire_link_next_run_at(&l), 216 * MS);
    assert_int_equal(l.stats.delivered, 10);
    quire_link_free(&l);
    free(s);
}

static void test_queue_overflow(void **state)
{
    (void)state;
    quire_scenario sc = scen("simple-p2p --delay=15ms --bandwidth=10Mbps --queue=25");
    quire_link l;
    uint8_t p[1500];
    sink *s = new_sink();
    assert_int_equal(quire_link_init(&l, &sc, QUIRE_DIR_TO_CLIENT, 1, 0, 256, 1500), 0);
    size_t len = build_udp4(p, 1, 443, 1000, 1250 - 28, 0);
    int queued = 0, dropped = 0;
    /* A burst of 100 at once: one goes onto the wire, 25 wait, 74 are dropped. */
    for (int i = 0; i < 100; i++) {
        int v = quire_link_forward(&l, 0, p, len);
        queued += v == QUIRE_LINK_QUEUED;
        dropped += v == QUIRE_LINK_DROP_QUEUE;
    }
    assert_int_equal(queued, 26);
    assert_int_equal(dropped, 74);
    assert_int_equal(quire_link_queued(&l, 0), 25);
    /* After 10.5 ms, 11 have started sending: 15 still wait, room for 10 more. */
    assert_int_equal(quire_link_queued(&l, 10 * MS + MS / 2), 15);
    queued = 0;
    for (int i = 0; i < 20; i++)
        queued += quire_link_forward(&l, 10 * MS + MS / 2, p, len) == QUIRE_LINK_QUEUED;
    assert_int_equal(queued, 10);
    quire_link_run(&l, SEC, collect, s);
    assert_int_equal(s->n, 36);
    assert_int_equal(l.stats.queue_drops, 84);
    quire_link_free(&l);
    free(s);
}

/* Offered at twice the rate for 10 virtual seconds, the link delivers the configured rate with
 * no rounding drift (1234-byte packets do not divide the rate evenly). */
static void test_rate_long_run(void **state)
{
    (void)state;
    quire_scenario sc = scen("simple-p2p --delay=15ms --bandwidth=20Mbps --queue=25");
    quire_link l;
    uint8_t p[1500];
    sink *s = new_sink();
    assert_int_equal(quire_link_init(&l, &sc, QUIRE_DIR_TO_SERVER, 1, 0, 256, 1500), 0);
    size_t len = build_udp4(p, 0, 1000, 443, 1234 - 28, 0);
    uint64_t interval = (uint64_t)len * 8 * SEC / 40000000; /* 2x the rate */
    uint64_t bytes = 0, first = 0, last = 0;
    size_t n = 0;
    for (uint64_t t = 0; t < 10 * SEC; t += interval) {
        quire_link_forward(&l, t, p, len);
        s->n = 0;
        quire_link_run(&l, t, collect, s);
        for (size_t i = 0; i < s->n; i++, n++) {
            if (n == 0)
                first = s->at[i];
            else
                bytes += s->len[i];
            last = s->at[i];
        }
    }
    double rate = (double)bytes * 8 * 1e9 / (double)(last - first);
    assert_true(rate > 20000000 * 0.9999 && rate < 20000000 * 1.0001);
    assert_true(l.stats.queue_drops > 0);
    quire_link_free(&l);
    free(s);
}

static void test_unlimited_rate(void **state)
{
    (void)state;
    quire_scenario sc = scen("simple-p2p --delay=2ms --bandwidth=0 --queue=1");
    quire_link l;
    uint8_t p[1500];
    assert_int_equal(quire_link_init(&l, &sc, QUIRE_DIR_TO_SERVER, 1, 0, 64, 1500), 0);
    size_t len = build_udp4(p, 0, 1000, 443, 1000, 0);
    for (int i = 0; i < 50; i++)
        assert_int_equal(quire_link_forward(&l, 7, p, len), QUIRE_LINK_QUEUED);
    assert_int_equal(quire_link_next_run_at(&l), 7 + 2 * MS);
    /* More than the capacity at once: overflow, counted. */
    for (int i = 0; i < 20; i++)
        quire_link_forward(&l, 7, p, len);
    assert_int_equal(l.stats.overflow, 6);
    /* Bigger than a slot. */
    assert_int_equal(quire_link_forward(&l, 8, p, 1501), QUIRE_LINK_DROP_OVERFLOW);
    quire_link_free(&l);
}

/* The ring starts small and doubles on demand, keeping the packets in order and intact. */
static void test_ring_growth(void **state)
{
    (void)state;
    quire_scenario sc = scen("simple-p2p --delay=10ms --bandwidth=1Gbps --queue=0");
    quire_link l;
    uint8_t p[1500];
    sink *s = new_sink();
    assert_int_equal(quire_link_init(&l, &sc, QUIRE_DIR_TO_SERVER, 1, 0, 3000, 1500), 0);
    for (int i = 0; i < 3000; i++) {
        size_t len = build_udp4(p, 0, 1000, 443, 1000 + (size_t)(i % 7), (uint8_t)i);
        assert_int_equal(quire_link_forward(&l, 0, p, len), QUIRE_LINK_QUEUED);
        while (i == 100 && s->n < 20) /* 20 leave while the ring is still small */
            quire_link_run(&l, quire_link_next_run_at(&l), collect, s);
    }
    /* 20 have left: room for exactly 20 more, then the maximum capacity is reached. */
    int more = 0;
    while (quire_link_forward(&l, 0, p, build_udp4(p, 0, 1000, 443, 10, 0)) == QUIRE_LINK_QUEUED)
        more++;
    assert_int_equal(more, 20);
    assert_true(l.cap <= 3000);
    quire_link_run(&l, SEC, collect, s);
    assert_int_equal(s->n, 3020);
    for (size_t i = 0; i < 3000; i++) {
        assert_int_equal(s->len[i], 28 + 1000 + i % 7);
        assert_int_equal(s->pkt[i][28], (uint8_t)i);
        if (i) assert_true(s->at[i] > s->at[i - 1]);
    }
    quire_link_free(&l);
    free(s);
}

/* Droplist counts UDP packets only, 1-based, per direction. */
static void test_droplist(void **state)
{
    (void)state;
    quire_scenario sc = scen("droplist --delay=1ms --bandwidth=100Mbps --queue=100 "
                             "--drops_to_server=2,3,4,10");
    quire_link l;
    uint8_t p[1500];
    sink *s = new_sink();
    assert_int_equal(quire_link_init(&l, &sc, QUIRE_DIR_TO_SERVER, 1, 0, 256, 1500), 0);
    for (int i = 1; i <= 12; i++) {
        size_t len = build_udp4(p, 0, 1000, 443, 100, (uint8_t)i);
        quire_link_forward(&l, (uint64_t)i * MS, p, len);
        if (i == 6) { /* a non-UDP packet in between is not counted */
            p[9] = 6;
            quire_link_forward(&l, (uint64_t)i * MS, p, len);
        }
    }
    quire_link_run(&l, SEC, collect, s);
    static const uint8_t expect[] = {1, 5, 6, 6, 7, 8, 9, 11, 12};
    assert_int_equal(s->n, sizeof expect);
    for (size_t i = 0; i < s->n; i++)
        assert_int_equal(s->pkt[i][28], expect[i]);
    assert_int_equal(l.stats.droplisted, 4);
    quire_link_free(&l);

    /* The other direction has its own list (none here). */
    assert_int_equal(quire_link_init(&l, &sc, QUIRE_DIR_TO_CLIENT, 1, 0, 256, 1500), 0);
    s->n = 0;
    for (int i = 1; i <= 5; i++)
        quire_link_forward(&l, (uint64_t)i * MS, p, build_udp4(p, 1, 443, 1000, 100, 0));
    quire_link_run(&l, SEC, collect, s);
    assert_int_equal(s->n, 5);
    quire_link_free(&l);
    free(s);
}

/* Runs n UDP packets through a fresh link and records which were dropped. */
static size_t loss_pattern(const quire_scenario *sc, uint64_t seed, uint8_t *dropped, size_t n)
{
    quire_link l;
    uint8_t p[200];
    sink *s = new_sink();
    assert_int_equal(quire_link_init(&l, sc, QUIRE_DIR_TO_CLIENT, seed, 0, 256, 1500), 0);
    memset(dropped, 1, n);
    size_t lost = 0;
    for (size_t i = 0; i < n; i++) {
        size_t len = build_udp4(p, 1, 443, 1000, 40, 0);
        p[28] = (uint8_t)(i >> 8);
        p[29] = (uint8_t)i;
        quire_link_forward(&l, i * MS, p, len);
        s->n = 0;
        quire_link_run(&l, i * MS + 10 * MS, collect, s);
        for (size_t k = 0; k < s->n; k++)
            dropped[(size_t)s->pkt[k][28] << 8 | s->pkt[k][29]] = 0;
    }
    s->n = 0;
    quire_link_run(&l, UINT64_MAX - 1, collect, s);
    for (size_t k = 0; k < s->n; k++)
        dropped[(size_t)s->pkt[k][28] << 8 | s->pkt[k][29]] = 0;
    for (size_t i = 0; i < n; i++)
        lost += dropped[i];
    assert_int_equal(lost, l.stats.lost);
    quire_link_free(&l);
    free(s);
    return lost;
}

static void test_loss_rate_burst_seed(void **state)
{
    (void)state;
    enum { N = 20000 };
    static uint8_t a[N], b[N], c[N];
    quire_scenario sc = scen("drop-rate --delay=1ms --bandwidth=100Mbps --queue=100 "
                             "--rate_to_client=10 --rate_to_server=0");
    size_t lost = loss_pattern(&sc, 5, a, N);
    /* Binomial(20000, 0.1): mean 2000, sd 42; 6 sd bounds. */
    assert_true(lost > 1745 && lost < 2255);
    assert_int_equal(loss_pattern(&sc, 5, b, N), lost);
    assert_memory_equal(a, b, N);
    loss_pattern(&sc, 6, c, N);
    assert_memory_not_equal(a, c, N);

    /* With a burst limit of 2, never three drops in a row, even at 90 %. */
    sc = scen("drop-rate --delay=1ms --bandwidth=100Mbps --queue=100 --rate_to_client=90 "
              "--rate_to_server=0 --burst_to_client=2");
    lost = loss_pattern(&sc, 5, a, N);
    for (size_t i = 2; i < N; i++)
        assert_false(a[i] && a[i - 1] && a[i - 2]);
    /* Drop, drop, pass, with each drop taken at 90 %: about 2/3 of the packets. */
    assert_true(lost > N * 55 / 100 && lost < N * 2 / 3);
}

static void test_corruption(void **state)
{
    (void)state;
    quire_scenario sc = scen("corrupt-rate --delay=1ms --bandwidth=100Mbps --queue=100 "
                             "--rate_to_client=100 --rate_to_server=0");
    quire_link l;
    uint8_t p[1500], orig[1500];
    sink *s = new_sink();
    assert_int_equal(quire_link_init(&l, &sc, QUIRE_DIR_TO_CLIENT, 9, 0, 256, 1500), 0);
    int hit_late = 0;
    for (int i = 0; i < 200; i++) {
        size_t len = i % 2 ? build_udp4(p, 1, 443, 1000, 60, (uint8_t)i)
                           : build_udp6(p, 1, 443, 1000, 60, (uint8_t)i);
        memcpy(orig, p, len);
        s->n = 0;
        quire_link_forward(&l, (uint64_t)i * MS, p, len);
        quire_link_run(&l, (uint64_t)i * MS + 5 * MS, collect, s);
        assert_int_equal(s->n, 1); /* delivered, not dropped */
        size_t off = i % 2 ? 28 : 48, diffs = 0;
        for (size_t k = off; k < len; k++) {
            if (s->pkt[0][k] == orig[k]) continue;
            diffs++;
            assert_true(k < off + 51); /* QNS: offsets 0..50 */
            hit_late |= k >= off + 45;
        }
        assert_int_equal(diffs, 1);
        assert_memory_equal(s->pkt[0], orig, off - 8 + 6); /* headers untouched... */
        assert_true(udp_csum_ok(s->pkt[0], len));          /* ...but the checksum fixed */
    }
    assert_true(hit_late);
    /* Version Negotiation packets are never corrupted. */
    size_t len = build_udp4(p, 1, 443, 1000, 60, 0);
    p[28] = 0x80;
    p[29] = p[30] = p[31] = p[32] = 0;
    quire_simpkt sp;
    quire_simpkt_parse(&sp, p, len);
    quire_simpkt_fix_l4_csum(p, &sp);
    memcpy(orig, p, len);
    s->n = 0;
    quire_link_forward(&l, SEC, p, len);
    quire_link_run(&l, 2 * SEC, collect, s);
    assert_int_equal(s->n, 1);
    assert_memory_equal(s->pkt[0], orig, len);
    assert_int_equal(l.stats.corrupted, 200);
    quire_link_free(&l);
    free(s);
}

static void test_blackhole_windows(void **state)
{
    (void)state;
    quire_scenario sc = scen("blackhole --delay=10ms --bandwidth=100Mbps --queue=100 --on=1s "
                             "--off=500ms --repeat=2 --direction=toclient");
    quire_link l, r;
    uint64_t start = 123 * SEC;
    assert_int_equal(quire_link_init(&l, &sc, QUIRE_DIR_TO_CLIENT, 1, start, 64, 1500), 0);
    assert_int_equal(quire_link_init(&r, &sc, QUIRE_DIR_TO_SERVER, 1, start, 64, 1500), 0);
    static const struct {
        uint64_t t;
        int dark;
    } cases[] = {
        {0, 0},         {999 * MS, 0},  {1000 * MS, 1}, {1499 * MS, 1}, {1500 * MS, 0},
        {2499 * MS, 0}, {2500 * MS, 1}, {2999 * MS, 1}, {3000 * MS, 0}, {100 * SEC, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_int_equal(quire_link_blackhole_active(&l, start + cases[i].t), cases[i].dark);
        assert_int_equal(quire_link_blackhole_active(&r, start + cases[i].t), 0);
    }
    /* Decided on arrival: sent at 0.995 s, arriving 1.005 s, it is lost. */
    uint8_t p[200];
    sink *s = new_sink();
    size_t len = build_udp4(p, 1, 443, 1000, 50, 0);
    quire_link_forward(&l, start + 995 * MS, p, len);
    quire_link_forward(&l, start + 1495 * MS, p, len);
    quire_link_run(&l, start + 2 * SEC, collect, s);
    assert_int_equal(s->n, 1);
    assert_int_equal(l.stats.blackholed, 1);
    quire_link_free(&l);
    quire_link_free(&r);
    free(s);
}

/* udp-cross-traffic: 5 Mbit/s of made-up packets on a 10 Mbit/s link towards the client from
 * 20 s on. Before, a saturating real flow gets the whole link; after, it shares the rate, and the
 * made-up packets are never delivered. */
static void test_cross_traffic(void **state)
{
    (void)state;
    quire_scenario sc = scen("udp-cross-traffic --delay=15ms --bandwidth=10Mbps --queue=25 "
                             "--crossdatarate=5Mbps");
    quire_link l;
    uint8_t p[1500];
    sink *s = new_sink();
    assert_int_equal(quire_link_init(&l, &sc, QUIRE_DIR_TO_CLIENT, 1, 0, 1024, 1500), 0);
    size_t len = build_udp4(p, 1, 443, 1000, 1250 - 28, 0); /* 1 ms each at 10 Mbit/s */
    uint64_t before = 0, after = 0;
    for (uint64_t t = 15 * SEC; t < 30 * SEC; t += MS / 2) { /* offered at 20 Mbit/s */
        quire_link_forward(&l, t, p, len);
        assert_true(quire_link_next_run_at(&l) <= t + MS + 15 * MS + 25 * MS);
        s->n = 0;
        quire_link_run(&l, t, collect, s);
        for (size_t i = 0; i < s->n; i++) {
            assert_int_equal(s->len[i], len); /* only real packets come out */
            if (s->at[i] >= 16 * SEC && s->at[i] < 19 * SEC) before += s->len[i];
            if (s->at[i] >= 20 * SEC + 15 * MS && s->at[i] < 30 * SEC) after += s->len[i];
        }
    }
    double r_before = (double)before * 8 / 3, r_after = (double)after * 8 / (10 - 0.015);
    double r_cross = (double)(l.stats.cross_in - l.stats.cross_dropped) * 540 * 8 / 10;
    assert_true(r_before > 9.99e6 && r_before < 10.01e6);
    /* Drop-tail between a 20 Mbit/s and a 5 Mbit/s offer: shares roughly 4:1, and together
     * they fill the link. */
    assert_true(r_after > 7.5e6 && r_after < 9.0e6);
    assert_true(r_after + r_cross > 9.9e6 && r_after + r_cross < 10.1e6);
    assert_int_equal(l.stats.cross_in, 11574); /* 10 s at 5 Mbit/s in 540-byte packets */
    quire_link_free(&l);

    /* The other direction carries none. */
    assert_int_equal(quire_link_init(&l, &sc, QUIRE_DIR_TO_SERVER, 1, 0, 64, 1500), 0);
    assert_int_equal(quire_link_next_run_at(&l), UINT64_MAX);
    quire_link_free(&l);
    free(s);
}

int main(void)
{
    // clang-format off
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rate_and_delay),
        cmocka_unit_test(test_queue_overflow),
        cmocka_unit_test(test_rate_long_run),
        cmocka_unit_test(test_unlimited_rate),
        cmocka_unit_test(test_ring_growth),
        cmocka_unit_test(test_droplist),
        cmocka_unit_test(test_loss_rate_burst_seed),
        cmocka_unit_test(test_corruption),
        cmocka_unit_test(test_blackhole_windows),
        cmocka_unit_test(test_cross_traffic),
    };
    // clang-format on
    return cmocka_run_group_tests(tests, NULL, NULL);
}
