/* Unit tests for report/markup: the five special characters in both dialects, the two
 * spellings of the apostrophe, control characters kept in HTML and replaced in XML (tab, LF
 * and CR kept in both), bytes >= 0x80 passed through, NULL appending nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "report/markup.h"
#include "util/buf.h"

static const struct {
    const char *in, *html, *xml;
} cases[] = {
    {"", "", ""},
    {"plain text 123", "plain text 123", "plain text 123"},
    {"a&b", "a&amp;b", "a&amp;b"},
    {"<script>", "&lt;script&gt;", "&lt;script&gt;"},
    {"say \"hi\"", "say &quot;hi&quot;", "say &quot;hi&quot;"},
    {"it's", "it&#39;s", "it&apos;s"},
    {"&&", "&amp;&amp;", "&amp;&amp;"},
    {"tab\tlf\ncr\r", "tab\tlf\ncr\r", "tab\tlf\ncr\r"},
    {"nul-ish\x01\x1f.", "nul-ish\x01\x1f.", "nul-ish\xef\xbf\xbd\xef\xbf\xbd."},
    {"caf\xc3\xa9 \x7f", "caf\xc3\xa9 \x7f", "caf\xc3\xa9 \x7f"},
};

static void check(const char *in, quire_markup_dialect d, const char *want)
{
    quire_buf b;
    quire_buf_init(&b);
    assert_int_equal(quire_buf_printf(&b, "["), 0);
    assert_int_equal(quire_markup_escape(&b, in, d), 0);
    assert_int_equal(quire_buf_printf(&b, "]"), 0);
    size_t n = strlen(want);
    assert_int_equal(b.len, n + 2);
    assert_memory_equal(b.data + 1, want, n);
    assert_int_equal(b.data[n + 1], ']');
    quire_buf_free(&b);
}

static void test_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        check(cases[i].in, QUIRE_MARKUP_HTML, cases[i].html);
        check(cases[i].in, QUIRE_MARKUP_XML, cases[i].xml);
    }
}

static void test_null_appends_nothing(void **state)
{
    (void)state;
    quire_buf b;
    quire_buf_init(&b);
    assert_int_equal(quire_buf_printf(&b, "x"), 0);
    assert_int_equal(quire_markup_escape(&b, NULL, QUIRE_MARKUP_HTML), 0);
    assert_int_equal(quire_markup_escape(&b, NULL, QUIRE_MARKUP_XML), 0);
    assert_int_equal(b.len, 1);
    assert_string_equal(quire_buf_str(&b), "x");
    quire_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_null_appends_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
