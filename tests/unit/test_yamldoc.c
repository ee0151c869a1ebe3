/* Unit tests for experiment/yamldoc: positions of nodes, nulls, aliases within the node
 * budget (an alias bomb is refused), syntax errors with line and column. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "experiment/yamldoc.h"
#include "util/err.h"

static void test_positions(void **state)
{
    (void)state;
    static const char y[] = "a: 1\nb:\n  - x\n  - ~\n  - ''\nc: {d: null}\n";
    quire_ydoc d;
    char err[256];
    assert_int_equal(quire_ydoc_load_buf(&d, y, strlen(y), "t.yaml", err, sizeof err), 0);
    const quire_ynode *b = quire_ynode_get(d.root, "b");
    assert_non_null(b);
    assert_int_equal(b->kind, QUIRE_YNODE_SEQ);
    assert_int_equal(b->n, 3);
    assert_int_equal(b->vals[0]->line, 3);
    assert_int_equal(b->vals[0]->col, 5);
    assert_string_equal(quire_ynode_str(b->vals[0]), "x");
    assert_true(b->vals[1]->is_null);
    assert_false(b->vals[2]->is_null); /* a quoted empty string is a value */
    assert_true(quire_ynode_get(quire_ynode_get(d.root, "c"), "d")->is_null);
    assert_null(quire_ynode_get(d.root, "zzz"));
    assert_null(quire_ynode_get(b, "a")); /* not a map */
    quire_ydoc_free(&d);
}

static void test_syntax_error(void **state)
{
    (void)state;
    static const char y[] = "a: 1\nb: [1, 2\nc: 3\n";
    quire_ydoc d;
    char err[256];
    assert_int_equal(quire_ydoc_load_buf(&d, y, strlen(y), "t.yaml", err, sizeof err),
                     QUIRE_ERR_MALFORMED);
    assert_non_null(strstr(err, "t.yaml:3:"));
    /* complex keys are valid YAML but never meaningful here (and keys must have text) */
    static const char ck[] = "a:\n  - {x: 1}\n  - {[1, 2]: 3}\n";
    assert_int_equal(quire_ydoc_load_buf(&d, ck, strlen(ck), "t.yaml", err, sizeof err),
                     QUIRE_ERR_MALFORMED);
    assert_string_equal(err, "t.yaml:3:6: a mapping key must be a scalar, not a list or a mapping");
    /* PANTHER's !include: refused with its position, not read as a plain string */
    static const char inc[] = "tests:\n  - name: a\n    services: !include svc.yaml\n";
    assert_int_equal(quire_ydoc_load_buf(&d, inc, strlen(inc), "t.yaml", err, sizeof err),
                     QUIRE_ERR_UNSUPPORTED);
    assert_string_equal(err, "t.yaml:3:15: !include is not supported yet: put the included "
                             "file's content in its place");
    static const char tab[] = "a:\n\tb: 1\n";
    assert_int_equal(quire_ydoc_load_buf(&d, tab, strlen(tab), "t.yaml", err, sizeof err),
                     QUIRE_ERR_MALFORMED);
    assert_non_null(strstr(err, "t.yaml:2:"));
}

static void test_alias_bomb(void **state)
{
    (void)state;
    /* 10 levels of 10 aliases each: 10^10 nodes if expanded */
    char y[4096];
    size_t o = (size_t)snprintf(y, sizeof y, "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for (int i = 1; i < 10; i++)
        o += (size_t)snprintf(y + o, sizeof y - o,
                              "a%d: &a%d [*a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, "
                              "*a%d]\n",
                              i, i, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1,
                              i - 1);
    quire_ydoc d;
    char err[256];
    assert_int_equal(quire_ydoc_load_buf(&d, y, o, "bomb.yaml", err, sizeof err),
                     QUIRE_ERR_INVALID);
    assert_non_null(strstr(err, "too large"));
    /* a small alias is fine */
    static const char ok[] = "base: &b {x: 1}\nuse: *b\n";
    assert_int_equal(quire_ydoc_load_buf(&d, ok, strlen(ok), "ok.yaml", err, sizeof err), 0);
    assert_string_equal(quire_ynode_str(quire_ynode_get(quire_ynode_get(d.root, "use"), "x")), "1");
    quire_ydoc_free(&d);
}

static void test_diag(void **state)
{
    (void)state;
    quire_ydiag g = {0};
    quire_ynode at = {.line = 7, .col = 3};
    quire_ydiag_add(&g, "f.yaml", &at, "bad %s", "thing\x1b[31m");
    quire_ydiag_add(&g, "f.yaml", NULL, "whole file");
    quire_ydiag_add(&g, NULL, NULL, "f.yaml:1:2: verbatim");
    assert_int_equal(g.n, 3);
    assert_string_equal(g.msgs[0], "f.yaml:7:3: bad thing?[31m"); /* no raw escape */
    assert_string_equal(g.msgs[1], "f.yaml: whole file");
    assert_string_equal(g.msgs[2], "f.yaml:1:2: verbatim");
    quire_ydiag_free(&g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_positions),
        cmocka_unit_test(test_syntax_error),
        cmocka_unit_test(test_alias_bomb),
        cmocka_unit_test(test_diag),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
