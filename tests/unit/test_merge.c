/* Unit tests for report/merge: shards that partition a run merge back into the unsharded
 * run (through files, as `quire merge` does), conflicts are errors naming both files or
 * warnings with --last-wins, differing log directories are rebased, QIR files merge with
 * quire files, and the comparison finds differences. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report/merge.h"
#include "report/result.h"
#include "util/err.h"

static const char *const SERVERS[] = {"quic-go", "ngtcp2", "quinn", "picoquic"};
static const char *const CLIENTS[] = {"ngtcp2", "quic-go", "aioquic"};
static const char *const TESTS[][2] = {{"H", "handshake"}, {"DC", "transfer"}, {"C20", "chacha20"},
                                       {"S", "retry"},     {"Z", "zerortt"},   {"G", "goodput"}};
#define NS 4
#define NC 3
#define NT 6

static uint32_t lcg(uint32_t *x)
{
    *x = *x * 1664525u + 1013904223u;
    return *x >> 8;
}

static void declare(quire_result *r, const char *log_dir)
{
    quire_result_init(r);
    assert_int_equal(quire_result_set_log_dir(r, log_dir), 0);
    assert_int_equal(quire_result_set_quic_version(r, "0x1"), 0);
    for (int i = 0; i < NS; i++)
        assert_true(quire_result_add_server(r, SERVERS[i], NULL) >= 0);
    for (int i = 0; i < NC; i++)
        assert_true(quire_result_add_client(r, CLIENTS[i], NULL) >= 0);
    for (int i = 0; i < NT; i++)
        assert_true(quire_result_add_test(r, i == NT - 1 ? QUIRE_TEST_MEASUREMENT : QUIRE_TEST_CASE,
                                          TESTS[i][0], TESTS[i][1], NULL,
                                          i == NT - 1 ? "kbps" : NULL) >= 0);
}

/* Records the outcome of (pair, test) number k of a run, the same for every caller. */
static void record(quire_result *r, size_t k)
{
    size_t t = k % NT, pair = k / NT, c = pair / NS, s = pair % NS;
    uint32_t x = (uint32_t)k * 2654435761u;
    quire_verdict v = (quire_verdict)(1 + lcg(&x) % 3);
    char expl[64], log[128];
    snprintf(expl, sizeof expl, "reason %u", lcg(&x) % 1000);
    snprintf(log, sizeof log, "%s_%s/%s", SERVERS[s], CLIENTS[c], TESTS[t][1]);
    double d = (double)(lcg(&x) % 10000) / 100.0;
    if (t == NT - 1) {
        double vals[3] = {(double)(lcg(&x) % 10000), (double)(lcg(&x) % 10000),
                          (double)(lcg(&x) % 10000)};
        assert_int_equal(
            quire_result_set_measurement(r, SERVERS[s], CLIENTS[c], TESTS[t][0], v, vals, 3,
                                         v == QUIRE_VERDICT_FAILED ? expl : NULL, d, log),
            0);
    } else {
        assert_int_equal(quire_result_set(r, SERVERS[s], CLIENTS[c], TESTS[t][0], v,
                                          v == QUIRE_VERDICT_FAILED ? expl : NULL, d, log),
                         0);
    }
}

static void shard_path(char *out, size_t n, int k)
{
    snprintf(out, n, "/tmp/quire-test-merge-%ld-shard%d.json", (long)getpid(), k);
}

/* Runs the whole matrix once unsharded and once as N shards (each (pair, test) index i goes
 * to shard i % N, the runner's rule), saves the shards, loads and merges them. */
static void check_shards(int nshards, int declare_all)
{
    const size_t total = NS * NC * NT;
    quire_result full;
    declare(&full, "logs");
    full.start_time = 1000;
    full.end_time = 2000;
    for (size_t k = 0; k < total; k++)
        record(&full, k);

    quire_result shards[8], merged;
    const quire_result *in[8];
    const char *names[8];
    char paths[8][256], err[512];
    for (int j = 0; j < nshards; j++) {
        quire_result sh;
        if (declare_all) {
            declare(&sh, "logs");
        } else {
            /* a shard that only lists what it ran, in reverse order of first use */
            quire_result_init(&sh);
            assert_int_equal(quire_result_set_log_dir(&sh, "logs"), 0);
            assert_int_equal(quire_result_set_quic_version(&sh, "0x1"), 0);
            for (size_t k = total; k-- > 0;) {
                if (k % (size_t)nshards != (size_t)j) continue;
                size_t t = k % NT, pair = k / NT;
                assert_true(quire_result_add_server(&sh, SERVERS[pair % NS], NULL) >= 0);
                assert_true(quire_result_add_client(&sh, CLIENTS[pair / NS], NULL) >= 0);
                assert_true(quire_result_add_test(
                                &sh, t == NT - 1 ? QUIRE_TEST_MEASUREMENT : QUIRE_TEST_CASE,
                                TESTS[t][0], TESTS[t][1], NULL, t == NT - 1 ? "kbps" : NULL) >= 0);
            }
        }
        sh.start_time = 1000 + j;
        sh.end_time = 1500 + j;
        for (size_t k = 0; k < total; k++)
            if (k % (size_t)nshards == (size_t)j) record(&sh, k);
        shard_path(paths[j], sizeof paths[j], j);
        assert_int_equal(quire_result_save(&sh, paths[j]), 0);
        quire_result_free(&sh);
        quire_result_init(&shards[j]);
        assert_int_equal(quire_result_load(paths[j], &shards[j], err, sizeof err), 0);
        in[j] = &shards[j];
        names[j] = paths[j];
    }
    quire_result_init(&merged);
    quire_buf warn;
    quire_buf_init(&warn);
    assert_int_equal(quire_merge(in, names, (size_t)nshards, QUIRE_MERGE_STRICT, &merged, &warn,
                                 err, sizeof err),
                     0);
    assert_int_equal(warn.len, 0);
    int rv = quire_merge_compare(&merged, &full, QUIRE_COMPARE_TIMES, err, sizeof err);
    if (rv) fail_msg("merged %d shards differ from the unsharded run: %s", nshards, err);
    /* times: the earliest start, the latest end */
    assert_true(merged.start_time == 1000 && merged.end_time == 1500 + nshards - 1);
    if (declare_all) {
        /* same declarations: even the order is the unsharded run's, so the files are equal */
        assert_int_equal(quire_merge_compare(&merged, &full, QUIRE_COMPARE_TIMES, err, sizeof err),
                         0);
        for (size_t i = 0; i < NS; i++)
            assert_string_equal(merged.servers[i].name, SERVERS[i]);
    }
    /* and a shard alone is not the whole run */
    if (nshards > 1)
        assert_int_equal(
            quire_merge_compare(&shards[0], &full, QUIRE_COMPARE_TIMES, err, sizeof err),
            QUIRE_ERR_INVALID);
    for (int j = 0; j < nshards; j++) {
        quire_result_free(&shards[j]);
        unlink(paths[j]);
    }
    quire_buf_free(&warn);
    quire_result_free(&merged);
    quire_result_free(&full);
}

static void test_three_shards_equal_unsharded(void **state)
{
    (void)state;
    check_shards(3, 1);
}

static void test_shards_with_own_names(void **state)
{
    (void)state;
    check_shards(3, 0);
    check_shards(5, 0);
    check_shards(1, 1);
}

static void test_conflicts(void **state)
{
    (void)state;
    quire_result a, b, out;
    declare(&a, "logs");
    declare(&b, "logs");
    assert_int_equal(
        quire_result_set(&a, "quinn", "aioquic", "Z", QUIRE_VERDICT_FAILED, "no 0-RTT", 1, NULL),
        0);
    assert_int_equal(
        quire_result_set(&b, "quinn", "aioquic", "Z", QUIRE_VERDICT_SUCCEEDED, NULL, 1, NULL), 0);
    assert_int_equal(
        quire_result_set(&b, "quinn", "aioquic", "H", QUIRE_VERDICT_SUCCEEDED, NULL, 1, NULL), 0);
    const quire_result *in[] = {&a, &b};
    const char *names[] = {"a.json", "b.json"};
    char err[512];
    quire_buf warn;
    quire_buf_init(&warn);

    quire_result_init(&out);
    assert_int_equal(quire_merge(in, names, 2, QUIRE_MERGE_STRICT, &out, &warn, err, sizeof err),
                     QUIRE_ERR_INVALID);
    assert_non_null(strstr(
        err, "server quinn, client aioquic, test Z: a.json says failed, b.json says succeeded"));
    quire_result_free(&out);

    quire_result_init(&out);
    assert_int_equal(quire_merge(in, names, 2, QUIRE_MERGE_LAST_WINS, &out, &warn, err, sizeof err),
                     0);
    assert_non_null(
        strstr(quire_buf_str(&warn), "test Z: succeeded (b.json) replaces failed (a.json)"));
    int s = quire_result_find_server(&out, "quinn"), c = quire_result_find_client(&out, "aioquic");
    const quire_result_cell *z = quire_result_cell_get(&out, (size_t)s, (size_t)c,
                                                       (size_t)quire_result_find_test(&out, "Z"));
    assert_int_equal(z->verdict, QUIRE_VERDICT_SUCCEEDED);
    assert_null(z->explanation);
    quire_result_free(&out);

    /* the same outcome twice is no conflict (merging a file with itself) */
    const quire_result *twice[] = {&a, &a};
    quire_buf_reset(&warn);
    quire_result_init(&out);
    assert_int_equal(quire_merge(twice, names, 2, QUIRE_MERGE_STRICT, &out, &warn, err, sizeof err),
                     0);
    assert_int_equal(warn.len, 0);
    assert_int_equal(quire_merge_compare(&out, &a, 0, err, sizeof err), 0);
    quire_result_free(&out);

    /* a test case in one file and a measurement in another cannot be merged */
    quire_result m;
    quire_result_init(&m);
    assert_true(quire_result_add_test(&m, QUIRE_TEST_MEASUREMENT, "Z", "zerortt", NULL, NULL) >= 0);
    const quire_result *km[] = {&a, &m};
    quire_result_init(&out);
    assert_int_equal(quire_merge(km, names, 2, QUIRE_MERGE_LAST_WINS, &out, &warn, err, sizeof err),
                     QUIRE_ERR_INVALID);
    assert_non_null(strstr(err, "b.json: test \"Z\" is a measurement here"));
    quire_result_free(&out);
    quire_result_free(&m);
    quire_buf_free(&warn);
    quire_result_free(&a);
    quire_result_free(&b);
}

/* Probe cells merge as the matrix's: a not-run cell takes the other file's, the same twice is
 * no conflict, different verdicts are one (strict) or the later file's (--last-wins), and
 * merge --equal compares them. */
static void test_probe_cells(void **state)
{
    (void)state;
    quire_result a, b, out;
    declare(&a, "logs");
    declare(&b, "logs");
    quire_result_probe p = {.verdict = QUIRE_VERDICT_FAILED, .explanation = "1 of 57", .passed = 56,
                            .failed = 1, .failed_cases = "x", .duration = 9,
                            .log = "quinn_quire-probe/probe"};
    assert_int_equal(quire_result_add_probe(&a, "quinn"), 0);
    assert_int_equal(quire_result_set_probe(&b, "quinn", &p), 0);
    const quire_result *in[] = {&a, &b};
    const char *names[] = {"a.json", "b.json"};
    char err[512];
    quire_result_init(&out);
    assert_int_equal(quire_merge(in, names, 2, QUIRE_MERGE_STRICT, &out, NULL, err, sizeof err),
                     0);
    const quire_result_probe *m =
        quire_result_probe_get(&out, (size_t)quire_result_find_server(&out, "quinn"));
    assert_non_null(m);
    assert_int_equal(m->verdict, QUIRE_VERDICT_FAILED);
    assert_string_equal(m->failed_cases, "x");
    assert_int_equal(quire_result_count_probes(&out), 1);
    assert_int_equal(quire_merge_compare(&out, &b, 0, err, sizeof err), 0);
    assert_int_equal(quire_merge_compare(&out, &a, 0, err, sizeof err), QUIRE_ERR_INVALID);
    assert_non_null(strstr(err, "server quinn, probe: failed vs not run"));
    quire_result_free(&out);
    quire_result_probe q = p;
    q.verdict = QUIRE_VERDICT_SUCCEEDED;
    q.explanation = "57 cases passed";
    assert_int_equal(quire_result_set_probe(&a, "quinn", &q), 0);
    quire_result_init(&out);
    assert_int_equal(quire_merge(in, names, 2, QUIRE_MERGE_STRICT, &out, NULL, err, sizeof err),
                     QUIRE_ERR_INVALID);
    assert_non_null(strstr(err, "probe of server quinn: a.json says succeeded, b.json says failed"));
    quire_result_free(&out);
    quire_buf warn;
    quire_buf_init(&warn);
    quire_result_init(&out);
    assert_int_equal(quire_merge(in, names, 2, QUIRE_MERGE_LAST_WINS, &out, &warn, err, sizeof err),
                     0);
    assert_non_null(strstr(quire_buf_str(&warn), "server quinn, probe: failed (b.json) replaces "
                                                 "succeeded (a.json)"));
    quire_buf_free(&warn);
    quire_result_free(&out);
    quire_result_free(&a);
    quire_result_free(&b);
}

static void test_log_dirs_rebased(void **state)
{
    (void)state;
    quire_result a, b, out;
    declare(&a, "shard-0/logs");
    declare(&b, "shard-1/logs");
    assert_int_equal(
        quire_result_set(&a, "quinn", "aioquic", "H", QUIRE_VERDICT_FAILED, "x", 1, NULL), 0);
    assert_int_equal(
        quire_result_set(&b, "quinn", "aioquic", "DC", QUIRE_VERDICT_FAILED, "y", 1, "q/DC"), 0);
    const quire_result *in[] = {&a, &b};
    const char *names[] = {"a.json", "b.json"};
    char err[256];
    quire_buf warn;
    quire_buf_init(&warn);
    quire_result_init(&out);
    assert_int_equal(quire_merge(in, names, 2, QUIRE_MERGE_STRICT, &out, &warn, err, sizeof err),
                     0);
    assert_non_null(strstr(quire_buf_str(&warn), "different log_dir"));
    assert_null(out.log_dir);
    size_t s = 2, c = 2;
    assert_string_equal(quire_result_cell_get(&out, s, c, 0)->log,
                        "shard-0/logs/quinn_aioquic/handshake");
    assert_string_equal(quire_result_cell_get(&out, s, c, 1)->log, "shard-1/logs/q/DC");
    assert_null(quire_result_cell_get(&out, s, c, 2)->log);
    quire_buf_free(&warn);
    quire_result_free(&out);
    quire_result_free(&a);
    quire_result_free(&b);
}

static void test_qir_and_quire_files(void **state)
{
    (void)state;
    char path[4096], err[512];
    const char *dir = getenv("QUIRE_SOURCE_DIR");
    snprintf(path, sizeof path, "%s/tests/data/results/qir_3x2.json", dir ? dir : QUIRE_SOURCE_DIR);
    quire_result q, extra, out;
    quire_result_init(&q);
    assert_int_equal(quire_result_load(path, &q, err, sizeof err), 0);
    /* a quire run that adds a server against the same clients */
    quire_result_init(&extra);
    assert_int_equal(quire_result_set_log_dir(&extra, q.log_dir), 0);
    assert_int_equal(quire_result_set_quic_version(&extra, "0x1"), 0);
    assert_true(quire_result_add_server(&extra, "picoquic",
                                        "https://github.com/private-octopus/picoquic") >= 0);
    assert_true(quire_result_add_client(&extra, "ngtcp2", NULL) >= 0);
    assert_true(quire_result_add_test(&extra, QUIRE_TEST_CASE, "H", "handshake", NULL, NULL) >= 0);
    assert_int_equal(quire_result_set(&extra, "picoquic", "ngtcp2", "H", QUIRE_VERDICT_FAILED,
                                      "timeout", 60, NULL),
                     0);
    const quire_result *in[] = {&q, &extra};
    const char *names[] = {path, "extra.json"};
    quire_result_init(&out);
    assert_int_equal(quire_merge(in, names, 2, QUIRE_MERGE_STRICT, &out, NULL, err, sizeof err), 0);
    assert_int_equal(out.nservers, q.nservers + 1);
    assert_int_equal(out.nclients, q.nclients);
    assert_int_equal(out.ntests, q.ntests);
    assert_string_equal(out.log_dir, q.log_dir);
    /* every QIR cell is unchanged, the new server's column has the one result */
    for (size_t s = 0; s < q.nservers; s++)
        for (size_t c = 0; c < q.nclients; c++)
            for (size_t t = 0; t < q.ntests; t++) {
                const quire_result_cell *x = quire_result_cell_get(&q, s, c, t);
                if (x)
                    assert_int_equal(quire_result_cell_get(&out, s, c, t)->verdict, x->verdict);
                else
                    assert_int_equal(quire_result_meas_get(&out, s, c, t)->verdict,
                                     quire_result_meas_get(&q, s, c, t)->verdict);
            }
    assert_int_equal(quire_result_cell_get(&out, q.nservers, 0, 0)->verdict, QUIRE_VERDICT_FAILED);
    assert_int_equal(quire_result_cell_get(&out, q.nservers, 1, 0)->verdict, QUIRE_VERDICT_NONE);
    assert_string_equal(out.servers[q.nservers].url, "https://github.com/private-octopus/picoquic");
    quire_result_free(&out);
    quire_result_free(&extra);
    quire_result_free(&q);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_three_shards_equal_unsharded),
        cmocka_unit_test(test_shards_with_own_names),
        cmocka_unit_test(test_conflicts),
        cmocka_unit_test(test_probe_cells),
        cmocka_unit_test(test_log_dirs_rebased),
        cmocka_unit_test(test_qir_and_quire_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
