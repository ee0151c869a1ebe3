/* quire diff: what changed between two result files (see report/diff.h); exit 1 on a
 * regression, for CI. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "report/diff.h"
#include "report/result.h"
#include "report/resultjson.h"
#include "util/buf.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: quire diff A.json B.json\n"
               "\n"
               "Compares two result files (quire's or the QUIC Interop Runner's) cell by cell,\n"
               "matched by server, client and test abbreviation, and prints every change of B\n"
               "against A: regressions (not failed in A, failed in B), fixes (failed, then\n"
               "succeeded), other changes, new cells (only in B) and gone ones (only in A).\n"
               "Exit status: 0 no regression, 1 at least one, 2 bad usage or unreadable file.\n");
}

int quire_cmd_diff(int argc, char **argv)
{
    if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
        usage(stdout);
        return 0;
    }
    if (argc != 3 || argv[1][0] == '-' || argv[2][0] == '-') {
        usage(stderr);
        return 2;
    }
    quire_result a, b;
    quire_result_init(&a);
    quire_result_init(&b);
    char err[1024];
    int ret = 2;
    if (quire_result_load(argv[1], &a, err, sizeof err) ||
        quire_result_load(argv[2], &b, err, sizeof err)) {
        fprintf(stderr, "quire diff: %s\n", err);
        goto out;
    }
    quire_buf out;
    quire_buf_init(&out);
    quire_diff_counts c;
    if (quire_diff(&a, &b, &out, &c)) {
        fprintf(stderr, "quire diff: out of memory\n");
        quire_buf_free(&out);
        goto out;
    }
    if (out.len) fwrite(out.data, 1, out.len, stdout);
    printf("%zu regressions, %zu fixed, %zu changed, %zu new (%zu failed), %zu gone, %zu the "
           "same\n",
           c.regressions, c.fixes, c.changed, c.added, c.added_failed, c.gone, c.same);
    quire_buf_free(&out);
    ret = c.regressions ? 1 : 0;
out:
    quire_result_free(&a);
    quire_result_free(&b);
    return ret;
}
