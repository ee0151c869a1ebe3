/* Unit tests for experiment/assert: valgrind XML summaries (a definite leak as valgrind 3.19
 * writes it, several errors, an unfinished report, not valgrind at all). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "experiment/assert.h"
#include "util/err.h"

static const char leak_xml[] =
    "<?xml version=\"1.0\"?>\n<valgrindoutput>\n<protocolversion>4</protocolversion>\n"
    "<error>\n  <unique>0x0</unique>\n  <tid>1</tid>\n  <kind>Leak_DefinitelyLost</kind>\n"
    "  <xwhat>\n    <text>1,200 bytes in 3 blocks are definitely lost in loss record 1 of 1"
    "</text>\n    <leakedbytes>1200</leakedbytes>\n  </xwhat>\n  <stack>\n"
    "    <frame><ip>0x48407B4</ip><obj>/usr/libexec/valgrind/vgpreload_memcheck.so</obj>"
    "<fn>malloc</fn></frame>\n"
    "    <frame><ip>0x1091A2</ip><obj>/tmp/leaky</obj><fn>remember</fn>"
    "<dir>/src</dir><file>leaky.c</file><line>29</line></frame>\n"
    "  </stack>\n</error>\n<errorcounts>\n</errorcounts>\n</valgrindoutput>\n";

static void test_leak(void **state)
{
    (void)state;
    unsigned n;
    int complete;
    char out[512];
    assert_int_equal(
        quire_assert_valgrind_summary(leak_xml, strlen(leak_xml), &n, &complete, out, sizeof out),
        0);
    assert_int_equal(n, 1);
    assert_int_equal(complete, 1);
    /* the frame with a source file is named, not malloc */
    assert_string_equal(out, "Leak_DefinitelyLost: 1,200 bytes in 3 blocks are definitely "
                             "lost in loss record 1 of 1 at remember (leaky.c:29)");
}

static void test_many_and_incomplete(void **state)
{
    (void)state;
    char xml[4096];
    size_t o = (size_t)snprintf(xml, sizeof xml, "<valgrindoutput>");
    for (int i = 0; i < 5; i++)
        o += (size_t)snprintf(xml + o, sizeof xml - o,
                              "<error><kind>InvalidRead</kind><what>Invalid read of size %d"
                              "</what><stack><frame><fn>f&lt;%d&gt;</fn></frame></stack>"
                              "</error>",
                              i + 1, i);
    unsigned n;
    int complete;
    char out[512];
    assert_int_equal(quire_assert_valgrind_summary(xml, o, &n, &complete, out, sizeof out), 0);
    assert_int_equal(n, 5);
    assert_int_equal(complete, 0); /* no </valgrindoutput>: valgrind was cut short */
    assert_non_null(strstr(out, "InvalidRead: Invalid read of size 1 at f<0>"));
    assert_non_null(strstr(out, "; and 2 more (by kind: InvalidRead 5)"));
    assert_null(strstr(out, "size 4"));
    assert_int_equal(quire_assert_valgrind_summary("hello", 5, &n, &complete, out, sizeof out),
                     QUIRE_ERR_MALFORMED);
    /* an <error> cut in the middle is not counted */
    static const char cut[] = "<valgrindoutput><error><kind>Leak";
    assert_int_equal(
        quire_assert_valgrind_summary(cut, strlen(cut), &n, &complete, out, sizeof out), 0);
    assert_int_equal(n, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_leak),
        cmocka_unit_test(test_many_and_incomplete),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
