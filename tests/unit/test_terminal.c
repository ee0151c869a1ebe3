/* Unit tests for report/terminal: plain progress lines (not a TTY), the live status line (TTY),
 * and the result matrix in QIR's layout. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "report/result.h"
#include "report/terminal.h"

static char *capture(FILE *f)
{
    fflush(f);
    long n = ftell(f);
    rewind(f);
    char *s = calloc(1, (size_t)n + 1);
    assert_int_equal(fread(s, 1, (size_t)n, f), (size_t)n);
    return s;
}

static void test_progress_plain(void **state)
{
    (void)state;
    FILE *f = tmpfile();
    quire_terminal t;
    quire_terminal_init(&t, f, 0, 12);
    quire_terminal_started(&t, "a", "b", "handshake");
    quire_terminal_finished(&t, "a", "b", "handshake", QUIRE_VERDICT_SUCCEEDED, 1.84, "fine");
    quire_terminal_started(&t, "a", "c", "transfer");
    quire_terminal_finished(&t, "a", "c", "transfer", QUIRE_VERDICT_FAILED, 60.0,
                            "client killed at the 60 s timeout");
    quire_terminal_end(&t);
    char *s = capture(f);
    /* no escape sequences and no status line when not a TTY */
    assert_null(strchr(s, '\033'));
    assert_string_equal(s, "[ 1/12] a→b handshake ✓ 1.8s\n"
                           "[ 2/12] a→c transfer ✕ 60.0s (client killed at the 60 s timeout)\n");
    assert_int_equal(t.succeeded, 1);
    assert_int_equal(t.failed, 1);
    assert_int_equal(t.running, 0);
    free(s);
    fclose(f);
}

static void test_progress_tty(void **state)
{
    (void)state;
    FILE *f = tmpfile();
    quire_terminal t;
    quire_terminal_init(&t, f, 1, 2);
    quire_terminal_started(&t, "a", "b", "handshake");
    quire_terminal_finished(&t, "a", "b", "handshake", QUIRE_VERDICT_UNSUPPORTED, 0.2, "127");
    quire_terminal_end(&t);
    char *s = capture(f);
    assert_non_null(strstr(s, "[0/2] 1 running, latest: a→b handshake (0s)"));
    assert_non_null(strstr(s, "\r\033[K[1/2] a→b handshake"));
    assert_non_null(strstr(s, "\033[90m?\033[0m 0.2s (127)"));
    /* the status line is erased at the end */
    size_t n = strlen(s);
    assert_true(n > 4 && !strcmp(s + n - 4, "\r\033[K"));
    free(s);
    fclose(f);
}

static void test_matrix(void **state)
{
    (void)state;
    quire_result r;
    quire_result_init(&r);
    quire_result_add_server(&r, "srv", NULL);
    quire_result_add_server(&r, "other-server", NULL);
    quire_result_add_client(&r, "cli", NULL);
    quire_result_add_test(&r, QUIRE_TEST_CASE, "H", "handshake", NULL, NULL);
    quire_result_add_test(&r, QUIRE_TEST_CASE, "DC", "transfer", NULL, NULL);
    quire_result_set(&r, "srv", "cli", "H", QUIRE_VERDICT_SUCCEEDED, NULL, 1, NULL);
    quire_result_set(&r, "srv", "cli", "DC", QUIRE_VERDICT_SUCCEEDED, NULL, 1, NULL);
    quire_result_set(&r, "other-server", "cli", "H", QUIRE_VERDICT_FAILED, NULL, 1, NULL);
    quire_result_set(&r, "other-server", "cli", "DC", QUIRE_VERDICT_UNSUPPORTED, NULL, 1, NULL);
    FILE *f = tmpfile();
    quire_terminal_matrix(f, &r, 0);
    char *s = capture(f);
    assert_string_equal(s, "+-----+---------+--------------+\n"
                           "|     |   srv   | other-server |\n"
                           "+-----+---------+--------------+\n"
                           "|     | ✓(H,DC) |     ✓()      |\n"
                           "| cli |   ?()   |    ?(DC)     |\n"
                           "|     |   ✕()   |     ✕(H)     |\n"
                           "+-----+---------+--------------+\n");
    free(s);
    fclose(f);
    quire_result_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_progress_plain),
        cmocka_unit_test(test_progress_tty),
        cmocka_unit_test(test_matrix),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
