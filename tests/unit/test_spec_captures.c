/* Unit tests for spec/ on real captures: every committed capture under tests/data/captures/
 * checked against its documented result (docs/spec.md), the same captures duplicated and
 * reordered as a network would (no rule may fire), and the verdict in a run: the check step
 * (checks/check.c) runs the rules in the walk of the facts, result.json keeps the verdict as
 * "spec", the Markdown report shows it. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "backend/fake.h"
#include "checks/check.h"
#include "report/html.h"
#include "report/markdown.h"
#include "report/result.h"
#include "run/lifecycle.h"
#include "spec/spec.h"
#include "tmpdir.h"
#include "util/buf.h"
#include "util/err.h"

static void print_violations(const quire_spec *s)
{
    char line[512];
    for (size_t i = 0; i < s->nv; i++)
        print_message("    %s\n", quire_spec_violation_str(&s->v[i], line, sizeof line));
}

/* ---- the committed captures ---- */

/* What each committed capture breaks, checked by hand against the RFCs (docs/spec.md):
 * {capture, rule, count}; a capture not listed is clean. */
typedef struct expected {
    const char *capture, *rule;
    uint64_t count;
} expected;

static const expected known[] = {
    /* RFC 9000 17.2.5.3: "A client MUST use the same cryptographic handshake message it
     * included in this packet." aioquic answers the Retry (frame 2) with a new ClientHello
     * (another random from byte 6 on, frame 3). */
    {"aioquic-retry", "retry-same-client-hello", 1},
    {NULL, NULL, 0},
};

static uint64_t expected_count(const char *capture, int rule)
{
    uint64_t n = 0;
    for (size_t i = 0; known[i].capture; i++)
        if (!strcmp(known[i].capture, capture) && quire_spec_rule_find(known[i].rule) == rule)
            n += known[i].count;
    return n;
}

static void test_captures(void **state)
{
    (void)state;
    const char *src = getenv("QUIRE_SOURCE_DIR");
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/tests/data/captures", src ? src : QUIRE_SOURCE_DIR);
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *de;
    size_t checked = 0;
    int failures = 0;
    size_t nrules;
    quire_spec_rules(&nrules);
    while ((de = readdir(d))) {
        size_t l = strlen(de->d_name);
        if (l < 6 || strcmp(de->d_name + l - 5, ".pcap")) continue;
        char cap[2048], keys[2048], name[256];
        snprintf(name, sizeof name, "%.*s", (int)(l - 5), de->d_name);
        snprintf(cap, sizeof cap, "%s/%s", dir, de->d_name);
        snprintf(keys, sizeof keys, "%s/%s.keys", dir, name);
        FILE *kf = fopen(keys, "r");
        if (kf) fclose(kf);
        quire_spec s;
        quire_spec_init(&s, cap);
        /* taken on the veth between the two endpoints: next to both */
        quire_spec_set_near(&s, QUIRE_SPEC_BOTH);
        quire_trace *t = calloc(1, sizeof *t);
        assert_non_null(t);
        assert_int_equal(quire_spec_check_file(&s, t, cap, kf ? keys : NULL), 0);
        assert_false(s.nomem);
        for (size_t r = 0; r < nrules; r++) {
            uint64_t want = expected_count(name, (int)r);
            if (s.per_rule[r] != want) {
                print_message("%s: %s: %llu violations, expected %llu\n", name,
                              quire_spec_rules(&nrules)[r].name, (unsigned long long)s.per_rule[r],
                              (unsigned long long)want);
                failures++;
            }
        }
        if (failures) print_violations(&s);
        quire_trace_free(t);
        free(t);
        quire_spec_free(&s);
        checked++;
    }
    closedir(d);
    assert_true(checked >= 16);
    assert_int_equal(failures, 0);
}

/* ---- the verdict in a run: the check step, result.json, the Markdown report ---- */

static void copy_file(const char *from, const char *to)
{
    FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
    assert_non_null(in);
    assert_non_null(out);
    char buf[8192];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        assert_int_equal(fwrite(buf, 1, n, out), n);
    fclose(in);
    assert_int_equal(fclose(out), 0);
}

static quire_verdict judge_ok(const quire_check_data *d, char *why, size_t whylen)
{
    (void)d;
    snprintf(why, whylen, "ok");
    return QUIRE_VERDICT_SUCCEEDED;
}

/* quire_check_run() runs the rules in the same walk as the facts and hands back the verdict of
 * both captures; an ignored rule name is accepted. */
static void test_check_step(void **state)
{
    (void)state;
    char root[128], sub[5][256], src[1024];
    assert_int_equal(test_tmpdir_make(root, sizeof root, "spec"), 0);
    static const char *const names[5] = {"www", "downloads", "sim", "client", "server"};
    for (int i = 0; i < 5; i++) {
        snprintf(sub[i], sizeof sub[i], "%s/%s", root, names[i]);
        assert_int_equal(mkdir(sub[i], 0755), 0);
    }
    const char *dir = getenv("QUIRE_SOURCE_DIR");
    char to[512];
    snprintf(src, sizeof src, "%s/tests/data/captures/handshake.pcap",
             dir ? dir : QUIRE_SOURCE_DIR);
    snprintf(to, sizeof to, "%s/trace_node_left.pcap", sub[2]);
    copy_file(src, to);
    snprintf(to, sizeof to, "%s/trace_node_right.pcap", sub[2]);
    copy_file(src, to);
    snprintf(src, sizeof src, "%s/tests/data/captures/handshake.keys",
             dir ? dir : QUIRE_SOURCE_DIR);
    snprintf(to, sizeof to, "%s/keys.log", sub[3]);
    copy_file(src, to);
    char spec[2048] = "x", why[512];
    const char *ignore[] = {"fixed-bit"};
    quire_check_ctx c = {.www_dir = sub[0],
                         .downloads_dir = sub[1],
                         .sim_dir = sub[2],
                         .client_log_dir = sub[3],
                         .server_log_dir = sub[4],
                         .spec_json = spec,
                         .spec_json_len = sizeof spec,
                         .spec_ignore = ignore,
                         .nspec_ignore = 1};
    assert_int_equal(quire_check_run(&c, judge_ok, why, sizeof why), QUIRE_VERDICT_SUCCEEDED);
    json_t *j = json_loads(spec, 0, NULL);
    assert_non_null(j);
    assert_true(json_is_true(json_object_get(j, "clean")));
    assert_int_equal(json_integer_value(json_object_get(j, "count")), 0);
    assert_true(json_integer_value(json_object_get(j, "rules_judged")) > 25);
    json_decref(j);
    /* a capture that cannot be read: no verdict */
    snprintf(to, sizeof to, "%s/trace_node_right.pcap", sub[2]);
    assert_int_equal(remove(to), 0);
    assert_int_equal(quire_check_run(&c, judge_ok, why, sizeof why), QUIRE_VERDICT_FAILED);
    assert_string_equal(spec, "");
    assert_int_equal(test_tmpdir_remove(root), 0);
}

/* The verdict is kept in result.json as "spec" (QIR's keys unchanged), read back, forgotten
 * by a later verdict of the same test, and shown by the Markdown report. */
static void test_result_and_report(void **state)
{
    (void)state;
    quire_result r;
    quire_result_init(&r);
    assert_true(quire_result_add_server(&r, "srv", NULL) >= 0);
    assert_true(quire_result_add_client(&r, "cli", NULL) >= 0);
    assert_true(quire_result_add_test(&r, QUIRE_TEST_CASE, "H", "handshake", NULL, NULL) >= 0);
    assert_true(quire_result_add_test(&r, QUIRE_TEST_CASE, "DC", "chacha20", NULL, NULL) >= 0);
    assert_int_equal(
        quire_result_set(&r, "srv", "cli", "H", QUIRE_VERDICT_SUCCEEDED, "ok", 1, NULL), 0);
    assert_int_equal(
        quire_result_set(&r, "srv", "cli", "DC", QUIRE_VERDICT_SUCCEEDED, "ok", 1, NULL), 0);
    const char *bad = "{\"clean\":false,\"count\":2,\"violations\":[{\"rule\":\"pn-no-reuse\"},"
                      "{\"rule\":\"pn-no-reuse\"}]}";
    assert_int_equal(quire_result_set_spec(&r, "srv", "cli", "H", "{\"clean\":true,\"count\":0}"),
                     0);
    assert_int_equal(quire_result_set_spec(&r, "srv", "cli", "DC", bad), 0);
    char *text = NULL;
    assert_int_equal(quire_result_to_json(&r, &text), 0);
    assert_non_null(strstr(text, "\"result\": \"succeeded\""));
    assert_non_null(strstr(text, "\"spec\""));
    quire_result back;
    quire_result_init(&back);
    char err[256];
    assert_int_equal(quire_result_load_buf(text, strlen(text), "mem", &back, err, sizeof err), 0);
    free(text);
    quire_result_spec sp;
    quire_result_spec_read(quire_result_cell_get(&back, 0, 0, 1)->spec, &sp);
    assert_true(sp.known);
    assert_false(sp.clean);
    assert_int_equal(sp.count, 2);
    assert_string_equal(sp.rules, "pn-no-reuse");
    quire_buf md;
    quire_buf_init(&md);
    assert_int_equal(quire_markdown_write(&back, &md), 0);
    assert_non_null(strstr(quire_buf_str(&md), "spec\u2715(DC)"));
    assert_non_null(strstr(quire_buf_str(&md), "### Spec violations"));
    assert_non_null(strstr(quire_buf_str(&md), "**DC** chacha20: 2 violations: pn-no-reuse"));
    quire_buf_free(&md);
    quire_buf html;
    quire_buf_init(&html);
    assert_int_equal(quire_html_write(&back, NULL, &html), 0);
    assert_non_null(strstr(quire_buf_str(&html), "title=\"spec rules: clean\">&sect;</sup>"));
    assert_non_null(strstr(quire_buf_str(&html),
                           "title=\"spec rules: 2 violations: pn-no-reuse\">&sect;2</sup>"));
    quire_buf_free(&html);
    /* a later verdict of the test forgets the spec verdict */
    assert_int_equal(
        quire_result_set(&back, "srv", "cli", "DC", QUIRE_VERDICT_FAILED, "x", 1, NULL), 0);
    assert_null(quire_result_cell_get(&back, 0, 0, 1)->spec);
    quire_buf_init(&md);
    assert_int_equal(quire_markdown_write(&back, &md), 0);
    assert_non_null(strstr(quire_buf_str(&md), "spec\u2713"));
    quire_buf_free(&md);
    quire_result_free(&back);
    quire_result_free(&r);
}

/* ---- the committed captures as a network would have mangled them ---- */

static uint8_t *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *b = malloc((size_t)n);
    assert_non_null(b);
    assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return b;
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* A classic (little-endian, microsecond) pcap again with every record twice (mode 0: a
 * duplicating network) or with each pair of consecutive records of the same sender swapped
 * (mode 1: a reordering one). NULL for other formats. */
static uint8_t *mangle(const uint8_t *in, size_t len, int mode, size_t *outlen)
{
    if (len < 24 || le32(in) != 0xa1b2c3d4u) return NULL;
    int linktype = (int)le32(in + 20);
    uint8_t *out = malloc(len * 2);
    assert_non_null(out);
    memcpy(out, in, 24);
    size_t o = 24, at = 24;
    const uint8_t *held = NULL;
    size_t held_len = 0;
    uint16_t held_port = 0;
    while (at + 16 <= len) {
        size_t rl = 16 + le32(in + at + 8);
        assert_true(at + rl <= len);
        const uint8_t *rec = in + at;
        at += rl;
        if (mode == 0) {
            memcpy(out + o, rec, rl);
            memcpy(out + o + rl, rec, rl);
            o += 2 * rl;
            continue;
        }
        quire_udp u;
        uint16_t port = quire_net_decode(linktype, rec + 16, rl - 16, &u) == 0 ? u.sport : 0;
        if (held && port == held_port) { /* swap: this one first */
            memcpy(out + o, rec, rl);
            memcpy(out + o + rl, held, held_len);
            o += rl + held_len;
            held = NULL;
            continue;
        }
        if (held) {
            memcpy(out + o, held, held_len);
            o += held_len;
        }
        held = rec;
        held_len = rl;
        held_port = port;
    }
    if (held) {
        memcpy(out + o, held, held_len);
        o += held_len;
    }
    *outlen = o;
    return out;
}

/* Duplicated or reordered by the network before the capture point, a capture breaks no rule
 * (the capture's position is unknown here: the rules on a sender's order are not judged). */
static void test_captures_mangled(void **state)
{
    (void)state;
    static const char *const names[] = {
        "handshake",     "retry",     "keyupdate",     "chacha20",   "resumption",
        "multiplex",     "migration", "go-transfer",   "go-zerortt", "go-retry",
        "aioquic-retry", "v2",        "chrome-2retry", "ipv6"};
    const char *src = getenv("QUIRE_SOURCE_DIR");
    int failures = 0;
    size_t done = 0;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char cap[2048], keys[2048];
        snprintf(cap, sizeof cap, "%s/tests/data/captures/%s.pcap", src ? src : QUIRE_SOURCE_DIR,
                 names[i]);
        snprintf(keys, sizeof keys, "%s/tests/data/captures/%s.keys", src ? src : QUIRE_SOURCE_DIR,
                 names[i]);
        size_t len = 0, mlen = 0;
        uint8_t *in = read_all(cap, &len);
        assert_non_null(in);
        for (int mode = 0; mode < 2; mode++) {
            uint8_t *m = mangle(in, len, mode, &mlen);
            if (!m) continue;
            quire_spec s;
            quire_spec_init(&s, names[i]);
            quire_observer o = quire_spec_observer(&s);
            quire_trace *t = calloc(1, sizeof *t);
            assert_non_null(t);
            assert_int_equal(quire_observe_run(t, NULL, m, mlen, keys, &o, 1), 0);
            size_t nrules;
            quire_spec_rules(&nrules);
            int bad = 0;
            for (size_t r = 0; r < nrules; r++)
                bad |= s.per_rule[r] != expected_count(names[i], (int)r);
            if (bad) {
                print_message("%s %s: %llu violations\n", names[i],
                              mode ? "reordered" : "duplicated", (unsigned long long)s.count);
                print_violations(&s);
                failures++;
            }
            done++;
            quire_trace_free(t);
            free(t);
            quire_spec_free(&s);
            free(m);
        }
        free(in);
    }
    assert_true(done >= 20);
    assert_int_equal(failures, 0);
}

/* ---- through the lifecycle (fake backend): the outcome carries the verdict ---- */

/* The fake simulator leaves a real capture (handshake.pcap) on both sides. */
static void sim_writes_captures(const quire_role_spec *s, void *arg)
{
    (void)arg;
    const char *dir = getenv("QUIRE_SOURCE_DIR");
    char src[1024], to[4200];
    snprintf(src, sizeof src, "%s/tests/data/captures/handshake.pcap",
             dir ? dir : QUIRE_SOURCE_DIR);
    snprintf(to, sizeof to, "%s/trace_node_left.pcap", s->sim->dir);
    copy_file(src, to);
    snprintf(to, sizeof to, "%s/trace_node_right.pcap", s->sim->dir);
    copy_file(src, to);
}

static void test_lifecycle_outcome(void **state)
{
    (void)state;
    char root[128];
    assert_int_equal(test_tmpdir_make(root, sizeof root, "speclife"), 0);
    quire_impl server = {.name = "fsrv", .url = "", .path = "/nonexistent/fsrv"};
    quire_impl client = {.name = "fcli", .url = "", .path = "/nonexistent/fcli"};
    quire_testcase tc = {
        .name = "faketest",
        .abbr = "F",
        .testcase_server = "handshake",
        .testcase_client = "handshake",
        .files = {{1, 100}},
        .scenario = "simple-p2p --delay=15ms --bandwidth=10Mbps --queue=25",
        .timeout_s = 5,
        .cert_chain_len = 1,
        .judge = judge_ok,
    };
    quire_fake_script script = {0};
    script.role[QUIRE_ROLE_SIM] = quire_fake_runs();
    script.role[QUIRE_ROLE_SIM].on_start = sim_writes_captures;
    script.role[QUIRE_ROLE_SERVER] = quire_fake_runs();
    script.role[QUIRE_ROLE_CLIENT] = quire_fake_exits(0, 20);
    const char *ignore[] = {"close-error-code"};
    quire_lifecycle_opts o = {
        .run_id = "tspec",
        .log_dir = root,
        .server = &server,
        .client = &client,
        .tc = &tc,
        .sim_exe = "/nonexistent/quire",
        .seed = 1,
        .backend = &quire_backend_fake,
        .backend_cfg = &script,
        .keep = 1,
        .spec_ignore = ignore,
        .nspec_ignore = 1,
    };
    quire_outcome out;
    assert_int_equal(quire_lifecycle_run(&o, &out), 0);
    assert_int_equal(out.verdict, QUIRE_VERDICT_SUCCEEDED);
    /* no key log here: the rules judge what they can see without one */
    json_t *j = json_loads(out.spec, 0, NULL);
    assert_non_null(j);
    assert_true(json_is_true(json_object_get(j, "clean")));
    assert_true(json_integer_value(json_object_get(j, "rules_judged")) > 0);
    json_decref(j);
    /* a client that fails: no check, but the captures get their spec verdict all the same */
    script.role[QUIRE_ROLE_CLIENT] = quire_fake_exits(1, 20);
    script.role[QUIRE_ROLE_SERVER].term_code = 1; /* else its 0 lets the check decide */
    assert_int_equal(quire_lifecycle_run(&o, &out), 0);
    assert_int_equal(out.verdict, QUIRE_VERDICT_FAILED);
    j = json_loads(out.spec, 0, NULL);
    assert_non_null(j);
    assert_true(json_is_true(json_object_get(j, "clean")));
    json_decref(j);
    assert_int_equal(test_tmpdir_remove(root), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_captures),          cmocka_unit_test(test_captures_mangled),
        cmocka_unit_test(test_check_step),        cmocka_unit_test(test_result_and_report),
        cmocka_unit_test(test_lifecycle_outcome),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
