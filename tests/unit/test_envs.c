/* Unit tests for experiment/envs: network settings turned into simulator scenarios (defaults,
 * loss as drop-rate, a given scenario string, sweeps), execution environments (iterations,
 * per-service wrapping, valgrind suppressions), PANTHER's localhost / shadow_ns / docker_compose
 * network names
 * and their errors with positions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "experiment/envs.h"
#include "util/err.h"

typedef struct fixture {
    quire_ydoc d;
    quire_ydiag g;
    quire_xtest t;
    int errors;
} fixture;

static void parse(fixture *f, const char *yaml, const char *file)
{
    memset(f, 0, sizeof *f);
    char err[256];
    assert_int_equal(quire_ydoc_load_buf(&f->d, yaml, strlen(yaml), file, err, sizeof err), 0);
    f->errors = quire_envs_parse_network(file, &f->g, f->d.root, &f->t);
    f->errors += quire_envs_parse_exec(file, &f->g, f->d.root, &f->t);
}

static void done(fixture *f)
{
    for (size_t i = 0; i < f->t.scenarios.n; i++)
        free(f->t.scenarios.s[i]);
    free(f->t.scenarios.s);
    for (size_t i = 0; i < f->t.sweep.n; i++)
        free(f->t.sweep.s[i]);
    free(f->t.sweep.s);
    free(f->t.sweep_var);
    for (size_t e = 0; e < f->t.nenvs; e++) {
        for (size_t i = 0; i < f->t.envs[e].services.n; i++)
            free(f->t.envs[e].services.s[i]);
        free(f->t.envs[e].services.s);
        free(f->t.envs[e].suppressions);
    }
    free(f->t.envs);
    quire_ydoc_free(&f->d);
    quire_ydiag_free(&f->g);
}

static void test_scenarios(void **state)
{
    (void)state;
    fixture f;
    parse(&f, "name: a\n", "t.yaml");
    assert_int_equal(f.errors, 0);
    assert_int_equal(f.t.scenarios.n, 1);
    assert_string_equal(f.t.scenarios.s[0],
                        "simple-p2p --delay=15ms --bandwidth=10Mbps --queue=25");
    assert_int_equal(f.t.iterations, 1);
    done(&f);
    parse(&f, "network_environment: {type: netns, delay: 40ms, loss: 2, queue: 50}\n", "t.yaml");
    assert_int_equal(f.errors, 0);
    assert_string_equal(f.t.scenarios.s[0], "drop-rate --delay=40ms --bandwidth=10Mbps --queue=50 "
                                            "--rate_to_server=2 --rate_to_client=2");
    done(&f);
    parse(&f,
          "network_environment: {scenario: \"blackhole --delay=15ms --bandwidth=10Mbps "
          "--queue=25 --on=5s --off=2s\"}\n",
          "t.yaml");
    assert_int_equal(f.errors, 0);
    assert_non_null(strstr(f.t.scenarios.s[0], "blackhole"));
    done(&f);
    parse(&f, "sweep: {bandwidth: [1Mbps, 100Mbps]}\nnetwork_environment: {delay: 5ms}\n",
          "t.yaml");
    assert_int_equal(f.errors, 0);
    assert_string_equal(f.t.sweep_var, "bandwidth");
    assert_int_equal(f.t.scenarios.n, 2);
    assert_string_equal(f.t.scenarios.s[1],
                        "simple-p2p --delay=5ms --bandwidth=100Mbps --queue=25");
    done(&f);
    /* PANTHER's names: localhost has nothing in between (an unshaped link), shadow_ns is shaped */
    parse(&f, "network_environment: {type: localhost}\n", "t.yaml");
    assert_int_equal(f.errors, 0);
    assert_string_equal(f.t.scenarios.s[0],
                        "simple-p2p --delay=0ms --bandwidth=10Gbps --queue=10000");
    done(&f);
    parse(&f, "network_environment: {type: localhost_single_container}\n", "t.yaml");
    assert_int_equal(f.errors, 0);
    assert_int_equal(f.t.scenarios.n, 1);
    done(&f);
    parse(&f, "network_environment: {type: shadow_ns, delay: 30ms, loss: 1}\n", "t.yaml");
    assert_int_equal(f.errors, 0);
    assert_string_equal(f.t.scenarios.s[0], "drop-rate --delay=30ms --bandwidth=10Mbps --queue=25 "
                                            "--rate_to_server=1 --rate_to_client=1");
    assert_int_equal(f.t.containers, 0);
    done(&f);
    /* docker_compose: the container test bed, unshaped as PANTHER's compose network unless
     * the test shapes it */
    parse(&f, "network_environment: {type: docker_compose}\n", "t.yaml");
    assert_int_equal(f.errors, 0);
    assert_int_equal(f.t.containers, 1);
    assert_string_equal(f.t.scenarios.s[0],
                        "simple-p2p --delay=0ms --bandwidth=10Gbps --queue=10000");
    done(&f);
    parse(&f, "network_environment: {type: docker_compose, delay: 20ms}\n", "t.yaml");
    assert_int_equal(f.errors, 0);
    assert_int_equal(f.t.containers, 1);
    assert_string_equal(f.t.scenarios.s[0],
                        "simple-p2p --delay=20ms --bandwidth=10Gbps --queue=10000");
    done(&f);
}

static void test_exec(void **state)
{
    (void)state;
    char dir[] = "/tmp/quire-test-envs-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char supp[128], file[128];
    snprintf(supp, sizeof supp, "%s/x.supp", dir);
    snprintf(file, sizeof file, "%s/exp.yaml", dir);
    FILE *fp = fopen(supp, "w");
    assert_non_null(fp);
    fclose(fp);
    fixture f;
    parse(&f,
          "services: {server: {}, client: {}}\n"
          "execution_environment:\n"
          "  - {type: iterations, count: 7}\n"
          "  - {type: memcheck, services: [server], suppressions: x.supp}\n"
          "  - strace\n",
          file);
    assert_int_equal(f.errors, 0);
    assert_int_equal(f.t.iterations, 7);
    assert_int_equal(f.t.nenvs, 3);
    assert_int_equal(f.t.envs[1].kind, QUIRE_EXENV_MEMCHECK);
    assert_non_null(f.t.envs[1].suppressions);
    assert_non_null(strstr(f.t.envs[1].suppressions, "/x.supp"));
    assert_true(quire_exenv_applies(&f.t.envs[1], "server"));
    assert_false(quire_exenv_applies(&f.t.envs[1], "client"));
    assert_true(quire_exenv_applies(&f.t.envs[2], "client"));
    assert_false(quire_exenv_applies(&f.t.envs[0], "client")); /* iterations wraps nothing */
    done(&f);
    /* PANTHER's profilers and gdb; gdb and a profiler on different services do not clash */
    parse(&f,
          "services: {server: {}, client: {}}\n"
          "execution_environment:\n"
          "  - {type: gperf_cpu}\n"
          "  - gperf_heap\n"
          "  - {type: gdb, services: [client]}\n"
          "  - {type: memcheck, services: [server]}\n",
          file);
    assert_int_equal(f.errors, 2); /* gperf_cpu and gperf_heap (every service) vs memcheck */
    done(&f);
    parse(&f,
          "services: {server: {}, client: {}}\n"
          "execution_environment:\n"
          "  - {type: gperf_cpu, services: [server]}\n"
          "  - {type: gperf_heap, services: [server]}\n"
          "  - {type: gdb, services: [client]}\n"
          "  - {type: perf, services: [client]}\n",
          file);
    assert_int_equal(f.errors, 0);
    assert_int_equal(f.t.nenvs, 4);
    assert_int_equal(f.t.envs[0].kind, QUIRE_EXENV_GPERF_CPU);
    assert_int_equal(f.t.envs[1].kind, QUIRE_EXENV_GPERF_HEAP);
    assert_int_equal(f.t.envs[2].kind, QUIRE_EXENV_GDB);
    assert_string_equal(quire_exenv_name(QUIRE_EXENV_GDB), "gdb");
    assert_true(quire_exenv_applies(&f.t.envs[2], "client"));
    assert_false(quire_exenv_applies(&f.t.envs[2], "server"));
    done(&f);
    unlink(supp);
    rmdir(dir);
}

static void test_errors(void **state)
{
    (void)state;
    static const struct {
        const char *yaml, *expect;
    } cases[] = {
        {"network_environment: {jitter: 2ms}\n", "t.yaml:1:31: network_environment.jitter"},
        {"network_environment: {delay: 5ms, scenario: \"simple-p2p\"}\n",
         "t.yaml:1:30: network_environment: give either 'scenario' or 'delay'"},
        {"sweep: {rtt: [1, 2]}\n", "t.yaml:1:9: sweep: 'rtt' cannot be swept"},
        {"sweep: {delay: 5ms}\n", "t.yaml:1:8: sweep: expected one network setting"},
        {"execution_environment: [{type: iterations, count: 0}]\n",
         "t.yaml:1:51: iterations.count: expected an integer from 1 to 100, got '0'"},
        {"execution_environment: [{type: iterations}]\n", "iterations needs 'count'"},
        {"execution_environment: [{type: strace, suppressions: a.supp}]\n",
         "t.yaml:1:54: suppressions: only for memcheck and helgrind"},
        {"execution_environment: [{type: memcheck, suppressions: /nonexistent.supp}]\n",
         "suppressions: cannot open '/nonexistent.supp'"},
        {"execution_environment: [{type: memcheck, services: [ghost]}]\n",
         "t.yaml:1:53: execution_environment.services: 'ghost' is not a service"},
        {"execution_environment: {type: memcheck}\n", "t.yaml:1:24: execution_environment: "
                                                      "expected a list"},
        {"network_environment: {type: localhost, delay: 5ms}\n",
         "t.yaml:1:47: network_environment.delay: type 'localhost' has no network in between "
         "to shape"},
        {"network_environment: {type: localhost_single_container, loss: 1}\n",
         "network_environment.loss: type 'localhost_single_container' has no network"},
        {"sweep: {delay: [1ms, 2ms]}\nnetwork_environment: {type: localhost}\n",
         "t.yaml:1:8: sweep: type 'localhost' has no network in between to sweep"},
        {"network_environment: {type: ns3}\n",
         "t.yaml:1:29: network_environment.type: 'ns3' is not available: quire's network "
         "environments are netns, docker_compose, localhost, localhost_single_container and "
         "shadow_ns"},
        {"execution_environment: [gperf_cpu, memcheck]\n",
         "t.yaml:1:24: execution_environment: gperf_cpu and memcheck on the same service: "
         "valgrind replaces malloc"},
        {"execution_environment: [strace, gdb]\n",
         "execution_environment: strace and gdb on the same service: both need to trace"},
        {"execution_environment: [gperf_cpuu]\n",
         "t.yaml:1:25: execution_environment: unknown type 'gperf_cpuu' (known: strace, "
         "memcheck, helgrind, perf, iterations, gperf_cpu, gperf_heap, gdb)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        fixture f;
        parse(&f, cases[i].yaml, "t.yaml");
        assert_true(f.errors > 0);
        int found = 0;
        for (size_t k = 0; k < f.g.n; k++)
            found |= strstr(f.g.msgs[k], cases[i].expect) != NULL;
        if (!found)
            fail_msg("case %zu: want '%s', got '%s'", i, cases[i].expect,
                     f.g.n ? f.g.msgs[0] : "(nothing)");
        done(&f);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scenarios),
        cmocka_unit_test(test_exec),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
