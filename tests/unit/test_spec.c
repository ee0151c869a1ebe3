/* Unit tests for experiment/spec: a valid experiment (sweep, iterations, implied memcheck
 * assertions), and every kind of invalid input reported with file, line and column —
 * malformed YAML, unknown plugin, unknown version, missing required field, values outside a
 * plugin's choices — all errors of a file at once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "experiment/spec.h"
#include "util/err.h"

static const char plugin_yaml[] = "name: srv\n"
                                  "roles: [server, client]\n"
                                  "variables: {port: \"443\", cc: cubic}\n"
                                  "choices: {cc: [cubic, bbr]}\n"
                                  "aliases: {server_port: port}\n"
                                  "server: {command: [s, \"{{port}}\", \"{{role}}\"]}\n"
                                  "client: {command: [c, \"{{@requests}}\"]}\n"
                                  "versions:\n"
                                  "  rfc9000: {quic_version: \"0x00000001\"}\n"
                                  "  draft29: {quic_version: \"0xff00001d\"}\n";

static int parse(quire_experiment *x, const char *yaml, quire_ydiag *g)
{
    memset(x, 0, sizeof *x);
    memset(g, 0, sizeof *g);
    int rc = quire_plugins_add_buf(&x->plugins, plugin_yaml, strlen(plugin_yaml), "srv.yaml",
                                   "/srv", 0, g);
    assert_int_equal(rc, 0);
    assert_int_equal(quire_plugins_resolve(&x->plugins, g), 0);
    return quire_experiment_parse_buf(x, yaml, strlen(yaml), "x.yaml", g);
}

static void test_valid(void **state)
{
    (void)state;
    static const char y[] =
        "name: demo\n"
        "tests:\n"
        "  - name: t1\n"
        "    network_environment: {type: netns, bandwidth: 5Mbps}\n"
        "    sweep: {delay: [10ms, 200ms]}\n"
        "    execution_environment:\n"
        "      - {type: iterations, count: 3}\n"
        "      - {type: memcheck, services: [server]}\n"
        "    files: {count: 2, size: 10KiB}\n"
        "    services:\n"
        "      server: {implementation: {name: quic/srv, version: draft29}, role: server,\n"
        "               config: {cc: bbr}}\n"
        "      client: {implementation: srv, role: client, target: server, timeout: 9}\n"
        "    assertions:\n"
        "      - {type: performance_threshold, metric: handshake_time, max: 1s}\n"
        "      - {type: performance_threshold, metric: goodput, min: 2Mbps}\n"
        "      - {type: protocol_compliance, check: version_chosen, version: 0xff00001d}\n";
    quire_experiment x;
    quire_ydiag g;
    int rc = parse(&x, y, &g);
    for (size_t i = 0; i < g.n; i++)
        print_message("%s\n", g.msgs[i]);
    assert_int_equal(rc, 0);
    assert_string_equal(x.name, "demo");
    assert_int_equal(x.ntests, 1);
    const quire_xtest *t = &x.tests[0];
    assert_int_equal(t->iterations, 3);
    assert_int_equal(t->scenarios.n, 2);
    assert_string_equal(t->scenarios.s[1], "simple-p2p --delay=200ms --bandwidth=5Mbps --queue=25");
    assert_int_equal(t->nfiles, 2);
    assert_int_equal(t->file_size, 10240);
    assert_int_equal(t->nservices, 2);
    assert_string_equal(t->services[0].version->name, "draft29");
    assert_string_equal(t->services[1].version->name, "rfc9000"); /* the first: default */
    assert_int_equal(t->services[1].timeout_s, 9);
    assert_string_equal(quire_vars_find(&t->services[0].config, "cc")->val, "bbr");
    /* the three given, plus memcheck's verdict on the server only */
    assert_int_equal(t->nasserts, 4);
    assert_int_equal(t->asserts[3].kind, QUIRE_ASSERT_EXENV_CLEAN);
    assert_string_equal(t->asserts[3].service, "server");
    assert_true(t->asserts[0].have_max);
    assert_true(t->asserts[0].max > 999.0 && t->asserts[0].max < 1001.0);
    assert_true(t->asserts[1].min > 1999999.0 && t->asserts[1].min < 2000001.0);
    assert_int_equal(t->asserts[2].version, 0xff00001d);
    quire_experiment_free(&x);
    quire_ydiag_free(&g);
}

/* One bad input per case; the expected message includes its "x.yaml:LINE:COL:". */
static void test_errors(void **state)
{
    (void)state;
    static const struct {
        const char *yaml, *expect;
    } cases[] = {
        {"tests: [\n  {name: a\n", "x.yaml:3:1:"}, /* malformed: libyaml's position */
        {"tests:\n  - name: a\n    services:\n      s: {implementation: msquic, role: server}\n",
         "x.yaml:4:27: services.s: unknown implementation plugin 'msquic' (known: srv)"},
        {"tests:\n  - name: a\n    services:\n"
         "      s: {implementation: {name: srv, version: draft27}, role: server}\n",
         "x.yaml:4:48: services.s: plugin 'srv' has no version 'draft27' (versions: rfc9000, "
         "draft29)"},
        {"tests:\n  - name: a\n    services:\n      s: {implementation: srv}\n",
         "x.yaml:4:7: services.s: missing required field 'role'"},
        {"tests:\n  - services:\n      s: {implementation: srv, role: server}\n",
         "x.yaml:2:5: test: missing required field 'name'"},
        {"name: x\n", "x.yaml:1:1: missing required field 'tests'"},
        {"tests:\n  - name: a\n    services:\n"
         "      s: {implementation: srv, role: server, config: {cc: reno}}\n",
         "x.yaml:4:59: services.s.config.cc: 'reno' is not allowed (choose from: cubic, bbr)"},
        {"tests:\n  - name: a\n    services:\n"
         "      s: {implementation: srv, role: server, config: {colour: red}}\n",
         "x.yaml:4:55: services.s.config: plugin 'srv' has no variable 'colour'"},
        {"tests:\n  - name: a\n    execution_environment: [{type: gperf_cpux}]\n"
         "    services: {s: {implementation: srv, role: server}}\n",
         "x.yaml:3:36: execution_environment: unknown type 'gperf_cpux'"},
        {"tests:\n  - name: a\n    network_environment: {type: docker_swarm}\n"
         "    services: {s: {implementation: srv, role: server}}\n",
         "x.yaml:3:33: network_environment.type: 'docker_swarm' is not available"},
        {"tests:\n  - name: a\n    services: {s: {implementation: srv, role: server}}\n"
         "    assertions: [{type: protocol_compliance, check: version_chosen, version: v1}]\n",
         "x.yaml:4:78: version_chosen: 'v1' is not a hex QUIC version"},
        {"tests:\n  - name: a\n    services: {s: {implementation: srv, role: server}}\n"
         "    steps: [{start: nobody}]\n",
         "x.yaml:4:21: steps.start: 'nobody' is not a service of this test"},
        {"tests: [5, {name: x}, 7]\n", "x.yaml:1:9: tests: each test is a mapping"}, /* fuzz */
        {"tests:\n  - name: a\n    network_environment: {delay: 15parsecs}\n"
         "    services: {s: {implementation: srv, role: server}}\n",
         "x.yaml:3:26: network_environment: scenario word 2: bad value '15parsecs'"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        quire_experiment x;
        quire_ydiag g;
        int rc = parse(&x, cases[i].yaml, &g);
        assert_int_not_equal(rc, 0);
        int found = 0;
        for (size_t k = 0; k < g.n; k++)
            found |= strstr(g.msgs[k], cases[i].expect) != NULL;
        if (!found)
            fail_msg("case %zu: want '%s', got '%s'", i, cases[i].expect,
                     g.n ? g.msgs[0] : "(nothing)");
        quire_experiment_free(&x);
        quire_ydiag_free(&g);
    }
}

static void test_all_errors_reported(void **state)
{
    (void)state;
    static const char y[] = "tests:\n"
                            "  - name: a\n"
                            "    services:\n"
                            "      s: {implementation: nope, role: server}\n"
                            "      c: {implementation: srv, role: peer}\n"
                            "    assertions: [{type: vibes}]\n";
    quire_experiment x;
    quire_ydiag g;
    assert_int_not_equal(parse(&x, y, &g), 0);
    for (size_t i = 0; i < g.n; i++)
        print_message("%s\n", g.msgs[i]);
    assert_int_equal(g.n, 3);
    assert_non_null(strstr(g.msgs[0], "x.yaml:4:"));
    assert_non_null(strstr(g.msgs[1], "x.yaml:5:"));
    assert_non_null(strstr(g.msgs[2], "x.yaml:6:"));
    quire_experiment_free(&x);
    quire_ydiag_free(&g);
}

/* The seed's PANTHER spelling: role under protocol, type keys, quoted scalars. */
static void test_panther_service(void **state)
{
    (void)state;
    static const char y[] = "tests:\n"
                            "  - name: \"mvfst Server Test\"\n"
                            "    network_environment: {type: \"netns\"}\n"
                            "    services:\n"
                            "      srv_server:\n"
                            "        name: \"srv_server\"\n"
                            "        timeout: 100\n"
                            "        implementation: {name: \"quic/srv\", type: \"iut\", "
                            "version: \"draft29\"}\n"
                            "        protocol: {name: \"quic\", type: \"protocol\", role: "
                            "\"server\"}\n"
                            "        config: {server_port: 6666, transport_params: {cc: bbr}}\n";
    quire_experiment x;
    quire_ydiag g;
    int rc = parse(&x, y, &g);
    for (size_t i = 0; i < g.n; i++)
        print_message("%s\n", g.msgs[i]);
    assert_int_equal(rc, 0);
    const quire_service *s = &x.tests[0].services[0];
    assert_int_equal(s->role, QUIRE_PLUGIN_SERVER);
    assert_string_equal(s->version->name, "draft29");
    assert_int_equal(s->timeout_s, 100);
    /* PANTHER's names: the alias server_port is port; transport_params are flattened */
    assert_string_equal(quire_vars_find(&s->config, "port")->val, "6666");
    assert_string_equal(quire_vars_find(&s->config, "cc")->val, "bbr");
    assert_null(quire_vars_find(&s->config, "server_port"));
    quire_experiment_free(&x);
    quire_ydiag_free(&g);
}

static void test_sizes(void **state)
{
    (void)state;
    uint64_t v;
    assert_int_equal(quire_spec_parse_size("1500", &v), 0);
    assert_int_equal(v, 1500);
    assert_int_equal(quire_spec_parse_size("10KiB", &v), 0);
    assert_int_equal(v, 10240);
    assert_int_equal(quire_spec_parse_size("3MiB", &v), 0);
    assert_int_equal(v, 3u << 20);
    assert_int_not_equal(quire_spec_parse_size("-1", &v), 0);
    assert_int_not_equal(quire_spec_parse_size("10 apples", &v), 0);
    assert_int_not_equal(quire_spec_parse_size("99999999999MiB", &v), 0);
}

/* PANTHER's own forms: steps as a mapping, test-level iterations; its unhonoured keys refused
 * with a position and the reason. */
static void test_panther_keys(void **state)
{
    (void)state;
    static const char y[] = "tests:\n"
                            "  - name: t\n"
                            "    iterations: 4\n"
                            "    services: {s: {implementation: srv, role: server}}\n"
                            "    steps: {start: s, wait: 10, stop: s}\n";
    quire_experiment x;
    quire_ydiag g;
    int rc = parse(&x, y, &g);
    for (size_t i = 0; i < g.n; i++)
        print_message("%s\n", g.msgs[i]);
    assert_int_equal(rc, 0);
    const quire_xtest *t = &x.tests[0];
    assert_int_equal(t->iterations, 4);
    assert_int_equal(t->nsteps, 3);
    assert_int_equal(t->steps[0].kind, QUIRE_STEP_START);
    assert_int_equal(t->steps[1].kind, QUIRE_STEP_WAIT);
    assert_int_equal(t->steps[1].wait_ms, 10000); /* a bare number: seconds */
    assert_string_equal(t->steps[2].service, "s");
    quire_experiment_free(&x);
    quire_ydiag_free(&g);
    static const struct {
        const char *yaml, *expect;
    } cases[] = {
        {"logging: {level: INFO}\ntests: [{name: a, services: {s: {implementation: srv, role: "
         "server}}}]\n",
         "x.yaml:1:10: experiment.logging: not supported: quire's logs have fixed places"},
        {"paths: {output_dir: o}\ntests: [{name: a, services: {s: {implementation: srv, role: "
         "server}}}]\n",
         "x.yaml:1:8: experiment.paths: not supported"},
        {"docker: {}\ntests: [{name: a, services: {s: {implementation: srv, role: server}}}]\n",
         "x.yaml:1:9: experiment.docker: not supported"},
        {"tests:\n  - name: a\n    testers: {panther_ivy: {}}\n"
         "    services: {s: {implementation: srv, role: server}}\n",
         "x.yaml:3:15: testers: tester 'panther_ivy' is not supported"},
        {"tests:\n  - name: a\n    services: {s: {implementation: srv, role: server, ports: "
         "[\"6666:6666\"]}}\n",
         "x.yaml:3:62: services.s.ports: not supported"},
        {"tests:\n  - name: a\n    iterations: 0\n"
         "    services: {s: {implementation: srv, role: server}}\n",
         "x.yaml:3:17: iterations: expected an integer from 1 to 100"},
        {"tests:\n  - name: a\n    iterations: 2\n"
         "    execution_environment: [{type: iterations, count: 3}]\n"
         "    services: {s: {implementation: srv, role: server}}\n",
         "x.yaml:3:17: iterations: give either"},
        {"tests:\n  - name: a\n    services: {s: {implementation: srv, role: server}}\n"
         "    steps: {sleep: 10}\n",
         "x.yaml:4:13: steps.sleep: unknown step"},
        {"tests:\n  - name: a\n    services: {s: {implementation: srv, role: server}}\n"
         "    steps: {start: ghost}\n",
         "x.yaml:4:20: steps.start: 'ghost' is not a service"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_int_not_equal(parse(&x, cases[i].yaml, &g), 0);
        int found = 0;
        for (size_t k = 0; k < g.n; k++)
            found |= strstr(g.msgs[k], cases[i].expect) != NULL;
        if (!found)
            fail_msg("case %zu: want '%s', got '%s'", i, cases[i].expect,
                     g.n ? g.msgs[0] : "(nothing)");
        quire_experiment_free(&x);
        quire_ydiag_free(&g);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_all_errors_reported),
        cmocka_unit_test(test_panther_service),
        cmocka_unit_test(test_sizes),
        cmocka_unit_test(test_panther_keys),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
