/* Unit tests for experiment/render: template rendering over inherited plugins (variables,
 * nesting, unset optional arguments, {{!required}}, {{@list}}, {{env:X}}, errors) and the
 * command lines the shipped plugins generate (mvfst as PANTHER's plugin describes it, ngtcp2
 * with its versions). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "experiment/render.h"
#include "util/err.h"

#include "plugin_fixture.h"

static void test_inherit_and_render(void **state)
{
    (void)state;
    quire_plugins ps;
    quire_ydiag g;
    assert_int_equal(load_pair(&ps, &g), 0);
    const quire_plugin *p = quire_plugins_find(&ps, "impl");
    assert_non_null(p);
    assert_null(quire_plugins_find(&ps, "base"));   /* bases are not implementations */
    assert_non_null(quire_plugin_choices(p, "cc")); /* inherited */
    assert_string_equal(p->alpns.s[0], "hq-interop");
    quire_cmd c;
    char err[256];
    /* default version v1: opt unset -> "--opt=" dropped; port from the plugin, not base */
    assert_int_equal(
        quire_plugin_render(p, NULL, QUIRE_PLUGIN_SERVER, NULL, NULL, &c, err, sizeof err), 0);
    assert_int_equal(c.argc, 4);
    assert_string_equal(c.argv[0], "srv");
    assert_string_equal(c.argv[1], "--port=4433");
    assert_string_equal(c.argv[2], "--cc=cubic");
    assert_string_equal(c.argv[3], "--v=0x00000001");
    assert_null(c.argv[4]);
    assert_int_equal(c.nenv, 1); /* OPT unset: left out */
    assert_string_equal(c.envp[0], "SSLKEYLOGFILE=/logs/keys.log");
    quire_cmd_free(&c);
    /* version d29 overrides cc; the service config overrides everything */
    const quire_plugin_version *d29 = quire_plugin_version_find(p, "d29");
    assert_non_null(d29);
    quire_vars cfg = {0};
    quire_vars_set(&cfg, "opt", "x");
    quire_vars_set(&cfg, "logs", "/l2");
    assert_int_equal(
        quire_plugin_render(p, d29, QUIRE_PLUGIN_SERVER, &cfg, NULL, &c, err, sizeof err), 0);
    assert_int_equal(c.argc, 5);
    assert_string_equal(c.argv[2], "--opt=x");
    assert_string_equal(c.argv[3], "--cc=bbr");
    assert_string_equal(c.argv[4], "--v=0xff00001d");
    assert_string_equal(c.envp[0], "SSLKEYLOGFILE=/l2/keys.log");
    assert_string_equal(c.envp[1], "OPT=x");
    quire_cmd_free(&c);
    quire_vars_free(&cfg);
    quire_plugins_free(&ps);
    quire_ydiag_free(&g);
}

static void test_splat_and_errors(void **state)
{
    (void)state;
    quire_plugins ps;
    quire_ydiag g;
    assert_int_equal(load_pair(&ps, &g), 0);
    const quire_plugin *p = quire_plugins_find(&ps, "quic/impl"); /* PANTHER's spelling */
    assert_non_null(p);
    quire_vars b = {0};
    quire_vars_set(&b, "urls", "https://a/1 https://a/2  https://a/3");
    quire_cmd c;
    char err[256];
    assert_int_equal(
        quire_plugin_render(p, NULL, QUIRE_PLUGIN_CLIENT, NULL, &b, &c, err, sizeof err), 0);
    assert_int_equal(c.argc, 5);
    assert_string_equal(c.argv[1], "https://a/1");
    assert_string_equal(c.argv[3], "https://a/3");
    assert_string_equal(c.argv[4], "end");
    quire_cmd_free(&c);
    quire_vars_free(&b);
    int unset = 0;
    char *s = quire_plugin_render_str(p, NULL, NULL, NULL, "{{nope}}", &unset, err, sizeof err);
    assert_null(s);
    assert_non_null(strstr(err, "unknown variable 'nope'"));
    s = quire_plugin_render_str(p, NULL, NULL, NULL, "a {{port", &unset, err, sizeof err);
    assert_null(s);
    assert_non_null(strstr(err, "unterminated"));
    quire_vars loop = {0};
    quire_vars_set(&loop, "x", "{{y}}");
    quire_vars_set(&loop, "y", "{{x}}");
    s = quire_plugin_render_str(p, NULL, &loop, NULL, "{{x}}", &unset, err, sizeof err);
    assert_null(s);
    assert_non_null(strstr(err, "cycle"));
    quire_vars_free(&loop);
    setenv("QUIRE_TEST_PLUGIN_ENV", "from-env", 1);
    s = quire_plugin_render_str(p, NULL, NULL, NULL, "<{{env:QUIRE_TEST_PLUGIN_ENV}}>", &unset, err,
                                sizeof err);
    assert_string_equal(s, "<from-env>");
    assert_int_equal(unset, 0);
    free(s);
    s = quire_plugin_render_str(p, NULL, NULL, NULL, "{{env:QUIRE_TEST_PLUGIN_UNSET_X}}", &unset,
                                err, sizeof err);
    assert_non_null(s);
    assert_int_equal(unset, 1);
    free(s);
    quire_plugins_free(&ps);
    quire_ydiag_free(&g);
}

/* The mvfst plugin as shipped: PANTHER's echo sample command line. */
static void test_mvfst_commands(void **state)
{
    (void)state;
    const char *src = getenv("QUIRE_SOURCE_DIR");
#ifdef QUIRE_SOURCE_DIR
    if (!src) src = QUIRE_SOURCE_DIR;
#endif
    assert_non_null(src);
    quire_plugins ps = {0};
    quire_ydiag g = {0};
    int lrc = quire_plugins_load_tree(&ps, src, &g);
    for (size_t i = 0; i < g.n; i++)
        print_message("%s\n", g.msgs[i]);
    assert_int_equal(lrc, 0);
    assert_int_equal(g.n, 0);
    const quire_plugin *p = quire_plugins_find(&ps, "quic/mvfst");
    assert_non_null(p);
    static const char *const versions[] = {"rfc9000", "draft29", "draft27-vuln1", "draft27-vuln2"};
    for (size_t i = 0; i < 4; i++)
        assert_non_null(quire_plugin_version_find(p, versions[i]));
    assert_string_equal(p->default_version, "rfc9000");
    setenv("QUIRE_MVFST_BIN", "/opt/mvfst/echo", 1);
    quire_vars cfg = {0}, b = {0};
    quire_vars_set(&cfg, "congestion_control", "bbr");
    quire_vars_set(&cfg, "max_data", "1073741824");
    quire_vars_set(&cfg, "max_streams_bidi", "10000");
    quire_vars_set(&b, "role", "server");
    quire_vars_set(&b, "testcase", "handshake"); /* the runner's built-ins */
    quire_vars_set(&b, "requests", "");
    quire_cmd c;
    char err[256];
    assert_int_equal(quire_plugin_render(p, quire_plugin_version_find(p, "rfc9000"),
                                         QUIRE_PLUGIN_SERVER, &cfg, &b, &c, err, sizeof err),
                     0);
    char dir[4200];
    snprintf(dir, sizeof dir, "%s/run_mvfst", p->dir);
    const char *want[] = {dir,
                          "/opt/mvfst/echo",
                          "--mode=server",
                          "--host=::",
                          "--port=6666",
                          "--congestion=bbr",
                          "--alpns=echo",
                          "--quic_version=0x00000001",
                          "--max_data=1073741824",
                          "--max_streams=10000",
                          "--idle_timeout=30000",
                          "--max_udp_payload=1452",
                          "--cert=/certs/cert.pem",
                          "--key=/certs/priv.key",
                          "--qlog_dir=/logs/qlog"};
    assert_int_equal(c.argc, sizeof want / sizeof want[0]);
    for (size_t i = 0; i < c.argc; i++)
        assert_string_equal(c.argv[i], want[i]);
    quire_cmd_free(&c);
    quire_vars_free(&b);
    quire_vars_set(&b, "role", "client");
    quire_vars_set(&b, "testcase", "handshake");
    quire_vars_set(&b, "requests", "");
    quire_vars_set(&b, "server_ip6", "2001:2:0:2::100");
    assert_int_equal(quire_plugin_render(p, quire_plugin_version_find(p, "draft29"),
                                         QUIRE_PLUGIN_CLIENT, NULL, &b, &c, err, sizeof err),
                     0);
    assert_string_equal(c.argv[2], "--mode=client");
    assert_string_equal(c.argv[3], "--host=2001:2:0:2::100");
    assert_string_equal(c.argv[4], "--port=6666");
    assert_string_equal(c.argv[5], "--congestion=cubic"); /* base-quic's default */
    assert_string_equal(c.argv[7], "--quic_version=0xff00001d");
    quire_cmd_free(&c);
    /* PANTHER's client options: early_data as a flag (run_mvfst reports it if the binary
     * lacks it), num_requests and body (alias of message) to run_mvfst */
    quire_vars cc = {0};
    quire_vars_set(&cc, "early_data", "true");
    quire_vars_set(&cc, "num_requests", "3");
    quire_vars_set(&cc, "message", "hello");
    assert_int_equal(quire_plugin_render(p, quire_plugin_version_find(p, "rfc9000"),
                                         QUIRE_PLUGIN_CLIENT, &cc, &b, &c, err, sizeof err),
                     0);
    int early = 0, reqs = 0, msg = 0;
    for (size_t i = 0; i < c.argc; i++)
        early |= !strcmp(c.argv[i], "--early_data=true");
    for (size_t i = 0; i < c.nenv; i++) {
        reqs |= !strcmp(c.envp[i], "QUIRE_MVFST_REQUESTS=3");
        msg |= !strcmp(c.envp[i], "QUIRE_MVFST_MESSAGE=hello");
    }
    assert_true(early && reqs && msg);
    assert_string_equal(quire_plugin_alias(p, "body"), "message");
    quire_cmd_free(&c);
    quire_vars_free(&cc);
    /* draft27 variants start with draft-27's version */
    assert_string_equal(quire_plugin_version_find(p, "draft27-vuln2")->quic_version, "0xff00001b");
    /* Without QUIRE_MVFST_BIN the plugin is not available, and says why. */
    unsetenv("QUIRE_MVFST_BIN");
    char why[300];
    assert_int_equal(quire_plugin_available(p, NULL, why, sizeof why), 0);
    assert_non_null(strstr(why, "QUIRE_MVFST_BIN"));
    assert_int_not_equal(
        quire_plugin_render(p, NULL, QUIRE_PLUGIN_SERVER, NULL, &b, &c, err, sizeof err), 0);
    /* ngtcp2: the version selects the client's -v */
    const quire_plugin *ng = quire_plugins_find(&ps, "ngtcp2");
    assert_non_null(ng);
    quire_vars_set(&b, "requests", "https://server4:443/a https://server4:443/b");
    assert_int_equal(quire_plugin_render(ng, quire_plugin_version_find(ng, "v2"),
                                         QUIRE_PLUGIN_CLIENT, NULL, &b, &c, err, sizeof err),
                     0);
    int saw_v = 0;
    for (size_t i = 0; i + 1 < c.argc; i++)
        saw_v |= !strcmp(c.argv[i], "-v") && !strcmp(c.argv[i + 1], "0x6b3343cf");
    assert_true(saw_v);
    assert_string_equal(c.argv[c.argc - 1], "https://server4:443/b");
    assert_string_equal(c.argv[c.argc - 2], "https://server4:443/a");
    for (size_t i = 0; i < c.argc; i++)
        assert_null(strstr(c.argv[i], "--tp-file")); /* unset: left out */
    quire_cmd_free(&c);
    quire_vars_free(&b);
    quire_vars_free(&cfg);
    quire_plugins_free(&ps);
    quire_ydiag_free(&g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_inherit_and_render),
        cmocka_unit_test(test_splat_and_errors),
        cmocka_unit_test(test_mvfst_commands),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
