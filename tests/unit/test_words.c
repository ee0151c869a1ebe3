/* Unit tests for util/words: membership in comma- and space-separated lists. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "util/words.h"

static int has(const char *list, const char *seps, const char *w)
{
    return quire_words_has(list, seps, w, strlen(w));
}

static void test_comma(void **state)
{
    (void)state;
    assert_true(has("rw,nosuid,pids", ",", "pids"));
    assert_true(has("pids", ",", "pids"));
    assert_true(has("pids,rw", ",", "pids"));
    assert_false(has("rw,pidsx", ",", "pids"));
    assert_false(has("rw,pid", ",", "pids"));
    assert_false(has("", ",", "pids"));
    assert_false(has(NULL, ",", "pids"));
    /* a prefix of an item is not the item */
    assert_false(has("handshakes", ",", "handshake"));
    assert_true(has("a,,b", ",", "b"));
}

static void test_space(void **state)
{
    (void)state;
    assert_true(has("proto-a  proto-b", " ", "proto-b"));
    assert_true(has("  proto-a ", " ", "proto-a"));
    assert_false(has("proto-a proto-b", " ", "proto"));
    assert_false(has("proto-a,proto-b", " ", "proto-b"));
    /* only the first wlen bytes of w count */
    assert_true(quire_words_has("ab cd", " ", "cd ef", 2));
    /* several separators: a cgroup file's words */
    assert_true(has("cpu io\tmemory\npids\n", " \t\n", "pids"));
    assert_true(has("cpu io\tmemory\npids\n", " \t\n", "memory"));
    assert_false(has("cpu io\tmemory\npids\n", " \t\n", "mem"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_comma),
        cmocka_unit_test(test_space),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
