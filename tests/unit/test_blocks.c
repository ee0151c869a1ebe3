/* Unit tests for experiment/blocks: Jinja's if/elif/else/endif in plugin templates — truthiness
 * of unset, empty, "false" and "0" values, comparisons, not/and/or, "is defined", nesting,
 * whitespace control, branches not taken never looked up, every error (unknown tag, unknown
 * variable, unbalanced blocks, bad conditions, length limit); and through render.c, a plugin
 * whose command is one PANTHER-style line with blocks spanning words. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "experiment/blocks.h"
#include "experiment/plugin.h"
#include "experiment/render.h"
#include "util/err.h"

/* Variables: cc=bbr, on=yes, off=false, zero=0, empty="", none=unset; "boom" fails; every
 * lookup is counted in looked_up. */
static int looked_up;

static int value(void *ctx, const char *name, char **val, char *err, size_t errlen)
{
    (void)ctx;
    looked_up++;
    static const char *const known[][2] = {{"cc", "bbr"},  {"on", "yes"},   {"off", "false"},
                                           {"zero", "0"},  {"empty", ""},   {"none", NULL},
                                           {"env:HOME", "/root"}};
    if (!strcmp(name, "boom")) {
        snprintf(err, errlen, "boom failed");
        return QUIRE_ERR_INVALID;
    }
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (!strcmp(name, known[i][0])) {
            *val = known[i][1] ? strdup(known[i][1]) : NULL;
            return 1;
        }
    return 0;
}

static char *expand(const char *t, int *rc, char *err, size_t errlen)
{
    char *out = NULL;
    looked_up = 0;
    *rc = quire_blocks_expand(t, value, NULL, 4096, &out, err, errlen);
    return out;
}

static void expect(const char *t, const char *want)
{
    char err[256] = "";
    int rc;
    char *out = expand(t, &rc, err, sizeof err);
    if (rc) fail_msg("'%s': %s", t, err);
    assert_string_equal(out, want);
    free(out);
}

static void expect_error(const char *t, const char *part)
{
    char err[256] = "";
    int rc;
    char *out = expand(t, &rc, err, sizeof err);
    assert_int_equal(rc, QUIRE_ERR_INVALID);
    assert_null(out);
    if (!strstr(err, part)) fail_msg("'%s': error '%s' lacks '%s'", t, err, part);
}

static void test_truthiness(void **state)
{
    (void)state;
    expect("a{% if on %}-on{% endif %}b", "a-onb");
    expect("a{% if cc %}-cc{% endif %}b", "a-ccb");
    expect("a{% if off %}-off{% endif %}b", "ab");
    expect("a{% if zero %}-zero{% endif %}b", "ab");
    expect("a{% if empty %}-empty{% endif %}b", "ab");
    expect("a{% if none %}-none{% endif %}b", "ab");
    expect("{% if env:HOME %}{{env:HOME}}{% endif %}", "{{env:HOME}}"); /* references kept */
    expect("{% if true %}t{% endif %}{% if false %}f{% endif %}{% if 1 %}1{% endif %}", "t1");
    expect("no blocks {{cc}}", "no blocks {{cc}}");
}

static void test_branches(void **state)
{
    (void)state;
    expect("{% if none %}A{% elif off %}B{% elif cc %}C{% else %}D{% endif %}", "C");
    expect("{% if none %}A{% elif off %}B{% else %}D{% endif %}", "D");
    expect("{% if on %}A{% elif cc %}B{% else %}D{% endif %}", "A");
    /* the first true branch wins; later conditions are not looked up */
    char err[256];
    int rc;
    char *out = expand("{% if on %}A{% elif boom %}B{% endif %}", &rc, err, sizeof err);
    assert_int_equal(rc, 0);
    assert_string_equal(out, "A");
    free(out);
    /* a branch not taken is not evaluated: its unknown names are no error */
    out = expand("{% if off %}{% if nosuch %}x{% endif %}{% endif %}y", &rc, err, sizeof err);
    assert_int_equal(rc, 0);
    assert_string_equal(out, "y");
    assert_int_equal(looked_up, 1);
    free(out);
    expect("{% if on %}[{% if off %}off{% else %}{% if cc == 'bbr' %}bbr{% endif %}{% endif %}]"
           "{% endif %}",
           "[bbr]");
}

static void test_operators(void **state)
{
    (void)state;
    expect("{% if cc == 'bbr' %}y{% else %}n{% endif %}", "y");
    expect("{% if cc == \"cubic\" %}y{% else %}n{% endif %}", "n");
    expect("{% if cc != 'cubic' %}y{% else %}n{% endif %}", "y");
    expect("{% if none == none %}y{% endif %}{% if none != 'x' %}z{% endif %}", "yz");
    expect("{% if zero == 0 %}y{% endif %}", "y");
    expect("{% if not off %}y{% endif %}{% if not not on %}z{% endif %}", "yz");
    expect("{% if on and off %}a{% endif %}{% if on and cc %}b{% endif %}", "b");
    expect("{% if off or none %}a{% endif %}{% if off or cc %}b{% endif %}", "b");
    expect("{% if off and on or cc %}y{% endif %}", "y"); /* and binds tighter */
    expect("{% if off and (on or cc) %}y{% else %}n{% endif %}", "n");
    expect("{% if nosuch is defined %}a{% endif %}{% if cc is defined %}b{% endif %}", "b");
    expect("{% if nosuch is not defined %}a{% endif %}", "a");
    expect("{% if none is none %}a{% endif %}{% if cc is not none %}b{% endif %}", "ab");
    expect("{% if none is defined %}a{% endif %}", "a"); /* unset but known */
}

static void test_whitespace_control(void **state)
{
    (void)state;
    expect("srv  {%- if on %} --on {%- endif %}  end", "srv --on  end");
    expect("srv {% if on -%}   --on{% endif -%}   end", "srv --onend");
    expect("a\n{%- if off %}x{% else -%}\n  y\n{%- endif %}\nb", "ay\nb");
}

static void test_errors(void **state)
{
    (void)state;
    expect_error("{% for x in y %}{% endfor %}", "'{% for %}' is not supported");
    expect_error("{% set x = 1 %}", "not supported");
    expect_error("{% if nosuch %}x{% endif %}", "unknown variable 'nosuch'");
    expect_error("{% if on and nosuch %}x{% endif %}", "unknown variable 'nosuch'");
    expect_error("{% if on %}x", "without '{% endif %}'");
    expect_error("x{% endif %}", "without '{% if %}'");
    expect_error("{% else %}", "without '{% if %}'");
    expect_error("{% if on %}a{% else %}b{% else %}c{% endif %}", "two '{% else %}'");
    expect_error("{% if on %}a{% else %}b{% elif cc %}c{% endif %}", "after '{% else %}'");
    expect_error("{% if on %}a{% endif cc %}", "takes no condition");
    expect_error("{% if %}a{% endif %}", "without a condition");
    expect_error("{% if on off %}a{% endif %}", "unexpected 'off'");
    expect_error("{% if cc == %}a{% endif %}", "condition ends early");
    expect_error("{% if cc == 'bbr %}a{% endif %}", "unterminated string");
    expect_error("{% if (on %}a{% endif %}", "missing ')'");
    expect_error("{% if cc is nice %}a{% endif %}", "'defined' or 'none'");
    expect_error("{% if == cc %}a{% endif %}", "expected a variable");
    expect_error("{% if on ", "unterminated '{%'");
    expect_error("{% if boom %}a{% endif %}", "boom failed");
    char deep[1024] = "";
    for (int i = 0; i <= QUIRE_BLOCKS_MAX_DEPTH; i++)
        strcat(deep, "{% if on %}");
    expect_error(deep, "nested deeper than");
    char paren[256] = "{% if ";
    for (int i = 0; i < 40; i++)
        strcat(paren, "(");
    strcat(paren, "on%}");
    expect_error(paren, "nested too deep");
    char err[256];
    char *out = NULL;
    char big[64];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = 0;
    assert_int_equal(quire_blocks_expand(big, value, NULL, 10, &out, err, sizeof err),
                     QUIRE_ERR_INVALID);
    assert_null(out);
    assert_non_null(strstr(err, "longer than 10"));
}

/* A plugin whose server command is one line, as PANTHER's command templates are. */
static const char line_yaml[] =
    "name: line\n"
    "roles: [server, client]\n"
    "versions: {rfc9000: {quic_version: \"0x1\"}}\n"
    "variables: {port: \"6666\", early_data: ~, cc: cubic, bin: \"{{env:QUIRE_TEST_NO_SUCH}}\",\n"
    "            urls: \"https://a/1 https://a/2\"}\n"
    "server:\n"
    "  command: \"/bin/echo --mode=server --port={{ port }}\n"
    "    {% if cc == 'bbr' %}--congestion=bbr --pacing{% else %}--congestion={{cc}}{% endif %}\n"
    "    {% if early_data %}--early_data{% endif %} {% if bin %}--bin={{bin}}{% endif %}\"\n"
    "client:\n"
    "  command: [cli, \"{% if early_data %}--zero-rtt{% else %}--one-rtt{% endif %}\", \"{{@urls}}\",\n"
    "            \"{% if cc == 'cubic' %}--cubic{% endif %}\"]\n";

static void test_plugin_line(void **state)
{
    (void)state;
    quire_plugins ps = {0};
    quire_ydiag g = {0};
    int rc = quire_plugins_add_buf(&ps, line_yaml, strlen(line_yaml), "l.yaml", "/l", 0, &g);
    if (rc) fail_msg("%s", g.n ? g.msgs[0] : "?");
    assert_int_equal(quire_plugins_resolve(&ps, &g), 0);
    const quire_plugin *p = quire_plugins_find(&ps, "line");
    assert_non_null(p);
    quire_cmd c;
    char err[256];
    unsetenv("QUIRE_TEST_NO_SUCH");
    assert_int_equal(quire_plugin_render(p, NULL, QUIRE_PLUGIN_SERVER, NULL, NULL, &c, err, sizeof err), 0);
    assert_int_equal(c.argc, 4);
    assert_string_equal(c.argv[0], "/bin/echo");
    assert_string_equal(c.argv[1], "--mode=server");
    assert_string_equal(c.argv[2], "--port=6666");
    assert_string_equal(c.argv[3], "--congestion=cubic");
    quire_cmd_free(&c);
    quire_vars cfg = {0};
    quire_vars_set(&cfg, "cc", "bbr");
    quire_vars_set(&cfg, "early_data", "true");
    assert_int_equal(quire_plugin_render(p, NULL, QUIRE_PLUGIN_SERVER, &cfg, NULL, &c, err, sizeof err), 0);
    assert_int_equal(c.argc, 6);
    assert_string_equal(c.argv[3], "--congestion=bbr");
    assert_string_equal(c.argv[4], "--pacing");
    assert_string_equal(c.argv[5], "--early_data");
    quire_cmd_free(&c);
    /* in a list, a block stays inside its argument; the list splat still works */
    assert_int_equal(quire_plugin_render(p, NULL, QUIRE_PLUGIN_CLIENT, &cfg, NULL, &c, err, sizeof err), 0);
    assert_int_equal(c.argc, 4); /* "--cubic"'s block rendered nothing (cc is bbr): left out */
    assert_string_equal(c.argv[1], "--zero-rtt");
    assert_string_equal(c.argv[3], "https://a/2");
    quire_cmd_free(&c);
    /* a variable set through the environment turns its block on */
    setenv("QUIRE_TEST_NO_SUCH", "/opt/x", 1);
    assert_int_equal(quire_plugin_render(p, NULL, QUIRE_PLUGIN_SERVER, NULL, NULL, &c, err, sizeof err), 0);
    assert_string_equal(c.argv[c.argc - 1], "--bin=/opt/x");
    quire_cmd_free(&c);
    unsetenv("QUIRE_TEST_NO_SUCH");
    /* an unknown variable in a condition is an error naming it and the command */
    quire_vars_set(&cfg, "cc", "cubic");
    quire_plugins_free(&ps);
    memset(&ps, 0, sizeof ps);
    static const char bad[] = "name: bad\nroles: [server]\nversions: {v1: ~}\n"
                              "server: {command: \"srv {% if typo %}-x{% endif %}\"}\n";
    assert_int_equal(quire_plugins_add_buf(&ps, bad, strlen(bad), "b.yaml", "/b", 0, &g), 0);
    assert_int_equal(quire_plugins_resolve(&ps, &g), 0);
    p = quire_plugins_find(&ps, "bad");
    assert_int_equal(quire_plugin_render(p, NULL, QUIRE_PLUGIN_SERVER, NULL, NULL, &c, err, sizeof err),
                     QUIRE_ERR_INVALID);
    assert_non_null(strstr(err, "bad server command"));
    assert_non_null(strstr(err, "unknown variable 'typo'"));
    quire_vars_free(&cfg);
    quire_plugins_free(&ps);
    quire_ydiag_free(&g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_truthiness),         cmocka_unit_test(test_branches),
        cmocka_unit_test(test_operators),          cmocka_unit_test(test_whitespace_control),
        cmocka_unit_test(test_errors),             cmocka_unit_test(test_plugin_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
