/* Unit tests for experiment/plugin: loading plugin files, inheritance of the base's variables,
 * environment, choices and ALPNs, versions, every shipped plugin file, and bad plugin files
 * reported with line and column. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "experiment/plugin.h"
#include "util/err.h"

#include "plugin_fixture.h"
#include "tmpdir.h"

static void test_load_and_inherit(void **state)
{
    (void)state;
    quire_plugins ps;
    quire_ydiag g;
    assert_int_equal(load_pair(&ps, &g), 0);
    assert_int_equal(ps.n, 2);
    const quire_plugin *p = quire_plugins_find(&ps, "impl");
    assert_non_null(p);
    assert_ptr_equal(quire_plugins_find(&ps, "quic/impl"), p); /* PANTHER's spelling */
    assert_null(quire_plugins_find(&ps, "base"));              /* bases are not runnable */
    assert_string_equal(p->dir, "/i");
    assert_int_equal(p->roles, 3);
    /* inherited: ALPN, choices, the server's environment, variables (own value wins) */
    assert_string_equal(p->alpns.s[0], "hq-interop");
    assert_non_null(quire_plugin_choices(p, "cc"));
    assert_null(quire_plugin_choices(p, "port"));
    assert_non_null(quire_vars_find(&p->role[QUIRE_PLUGIN_SERVER].env, "SSLKEYLOGFILE"));
    assert_string_equal(quire_vars_find(&p->vars, "port")->val, "4433");
    assert_string_equal(quire_vars_find(&p->vars, "logs")->val, "/logs");
    assert_null(quire_vars_find(&p->vars, "opt")->val); /* ~: unset */
    assert_true(quire_plugin_has_var(p, NULL, "keylog"));
    assert_false(quire_plugin_has_var(p, NULL, "nope"));
    /* versions: by name, the default when none is named */
    assert_string_equal(quire_plugin_version_find(p, NULL)->name, "v1");
    assert_string_equal(quire_plugin_version_find(p, "d29")->quic_version, "0xff00001d");
    assert_null(quire_plugin_version_find(p, "d30"));
    quire_plugins_free(&ps);
    quire_ydiag_free(&g);
}

static void test_shipped_plugins(void **state)
{
    (void)state;
    const char *src = getenv("QUIRE_SOURCE_DIR");
#ifdef QUIRE_SOURCE_DIR
    if (!src) src = QUIRE_SOURCE_DIR;
#endif
    quire_plugins ps = {0};
    quire_ydiag g = {0};
    int rc = quire_plugins_load_tree(&ps, src, &g);
    for (size_t i = 0; i < g.n; i++)
        print_message("%s\n", g.msgs[i]);
    assert_int_equal(rc, 0);
    static const char *const names[] = {"quic-go", "quinn",  "ngtcp2", "aioquic",
                                        "caddy",   "chrome", "mvfst",  "leaky"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const quire_plugin *p = quire_plugins_find(&ps, names[i]);
        assert_non_null(p);
        assert_string_equal(p->inherits, "base-quic");
        assert_true(p->nversions >= 1);
        assert_non_null(quire_vars_find(&p->vars, "cert")); /* from base-quic */
    }
    assert_int_equal(quire_plugins_find(&ps, "mvfst")->nversions, 4);
    quire_plugins_free(&ps);
    quire_ydiag_free(&g);
}

static void test_bad_plugins(void **state)
{
    (void)state;
    static const struct {
        const char *yaml, *expect;
    } cases[] = {
        {"name: x\nroles: [server]\n", "1:1: missing required field 'versions'"},
        {"name: x\nroles: [server, peer]\nversions: {v1: ~}\n", "2:8: roles: 'peer'"},
        {"name: x\nroles: [server]\nversions: {v1: {quic_version: zz}}\n",
         "3:31: quic_version: 'zz' is not a 32-bit hex number"},
        {"name: x\nroles: [server]\nversion: {}\n", "3:1: plugin: unknown key 'version'"},
        {"name: x\nroles: [server]\nversions: {v1: ~}\ndefault_version: v2\n",
         "4:18: default_version 'v2'"},
        {"name: [x\n", "malformed"},
        {"name: x\ninherits: nobase\nroles: [server]\nversions: {v1: ~}\n", "no such base"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        quire_plugins ps = {0};
        quire_ydiag g = {0};
        int rc =
            quire_plugins_add_buf(&ps, cases[i].yaml, strlen(cases[i].yaml), "p.yaml", "/", 0, &g);
        if (!rc) rc = quire_plugins_resolve(&ps, &g);
        assert_int_not_equal(rc, 0);
        assert_true(g.n >= 1);
        int found = 0;
        for (size_t k = 0; k < g.n; k++)
            found |= strstr(g.msgs[k], cases[i].expect) != NULL ||
                     (!strcmp(cases[i].expect, "malformed") && strstr(g.msgs[k], "p.yaml:"));
        if (!found) fail_msg("case %zu: '%s' not in '%s'", i, cases[i].expect, g.msgs[0]);
        quire_plugins_free(&ps);
        quire_ydiag_free(&g);
    }
}

/* A plugin file that cannot be read whole is an error naming it, not a truncated parse. */
static void test_unreadable_files(void **state)
{
    (void)state;
    char dir[64], path[128];
    assert_int_equal(test_tmpdir_make(dir, sizeof dir, "plugin"), 0);
    snprintf(path, sizeof path, "%s/big.yaml", dir);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fprintf(f, "name: big\n");
    for (int i = 0; i < (1 << 20) / 16 + 1; i++)
        fputs("# padding......\n", f);
    assert_int_equal(fclose(f), 0);
    quire_plugins ps = {0};
    quire_ydiag g = {0};
    assert_int_not_equal(quire_plugins_add_file(&ps, path, 0, &g), 0);
    assert_int_equal(g.n, 1);
    assert_non_null(strstr(g.msgs[0], "big.yaml"));
    assert_non_null(strstr(g.msgs[0], "larger than 1 MiB"));
    quire_ydiag_free(&g);
    snprintf(path, sizeof path, "%s/missing.yaml", dir);
    assert_int_not_equal(quire_plugins_add_file(&ps, path, 0, &g), 0);
    assert_int_equal(g.n, 1);
    assert_non_null(strstr(g.msgs[0], "missing.yaml"));
    assert_non_null(strstr(g.msgs[0], "cannot open"));
    quire_ydiag_free(&g);
    quire_plugins_free(&ps);
    assert_int_equal(test_tmpdir_remove(dir), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_load_and_inherit),
        cmocka_unit_test(test_bad_plugins),
        cmocka_unit_test(test_unreadable_files),
        cmocka_unit_test(test_shipped_plugins),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
