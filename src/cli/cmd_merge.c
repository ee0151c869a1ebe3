/* quire merge: join result files (shards of one run, reruns, QUIC Interop Runner results)
 * into one result.json; see report/merge.h for the rules. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "report/merge.h"
#include "report/result.h"
#include "util/buf.h"
#include "util/err.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: quire merge A.json B.json ... [-o OUT.json] [--last-wins]\n"
               "\n"
               "Joins result files (quire's or the QUIC Interop Runner's) into one: the union of\n"
               "servers, clients and tests, and every result any file has. The same test with a\n"
               "different outcome in two files is an error naming both, unless --last-wins.\n"
               "  -o, --output FILE   write the merged result.json to FILE (default: stdout)\n"
               "  --last-wins         on a conflict, keep the later file's result and warn\n"
               "  --equal REF.json    instead of writing, check that the merge equals REF.json\n"
               "                      (ignoring timings and log paths); exit 1 and name the difference if not\n"
               "  -h, --help          this help\n");
}

int quire_cmd_merge(int argc, char **argv)
{
    static const struct option opts[] = {
        {"output", required_argument, NULL, 'o'},
        {"last-wins", no_argument, NULL, 'l'},
        {"equal", required_argument, NULL, 'e'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *output = NULL, *equal = NULL;
    quire_merge_policy policy = QUIRE_MERGE_STRICT;
    int ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
        switch (ch) {
        case 'o':
            output = optarg;
            break;
        case 'l':
            policy = QUIRE_MERGE_LAST_WINS;
            break;
        case 'e':
            equal = optarg;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    size_t n = (size_t)(argc - optind);
    if (n < 1) {
        usage(stderr);
        return 2;
    }
    quire_result *in = calloc(n, sizeof *in);
    const quire_result **ptr = calloc(n, sizeof *ptr);
    const char **names = calloc(n, sizeof *names);
    char err[1024];
    int code = 2, rv = 0;
    size_t loaded = 0;
    quire_result out, ref;
    quire_result_init(&out);
    quire_result_init(&ref);
    quire_buf warn;
    quire_buf_init(&warn);
    if (!in || !ptr || !names) {
        fprintf(stderr, "quire merge: out of memory\n");
        goto done;
    }
    for (; loaded < n; loaded++) {
        quire_result_init(&in[loaded]);
        names[loaded] = argv[optind + (int)loaded];
        ptr[loaded] = &in[loaded];
        if (quire_result_load(names[loaded], &in[loaded], err, sizeof err)) {
            fprintf(stderr, "quire merge: %s\n", err);
            loaded++;
            goto done;
        }
    }
    rv = quire_merge(ptr, names, n, policy, &out, &warn, err, sizeof err);
    if (warn.len) fprintf(stderr, "%s", quire_buf_str(&warn));
    if (rv) {
        fprintf(stderr, "quire merge: %s\n", err[0] ? err : quire_strerror(rv));
        goto done;
    }
    if (equal) {
        if (quire_result_load(equal, &ref, err, sizeof err)) {
            fprintf(stderr, "quire merge: %s\n", err);
            goto done;
        }
        if (quire_merge_compare(&out, &ref, QUIRE_COMPARE_TIMES | QUIRE_COMPARE_LOGS, err, sizeof err)) {
            fprintf(stderr, "quire merge: the merge differs from %s: %s\n", equal, err);
            code = 1;
            goto done;
        }
        fprintf(stderr, "quire merge: the merge of %zu files equals %s\n", n, equal);
        code = 0;
        goto done;
    }
    if (output) {
        if ((rv = quire_result_save(&out, output))) {
            fprintf(stderr, "quire merge: %s: %s\n", output,
                    rv == QUIRE_ERR_IO ? strerror(errno) : quire_strerror(rv));
            goto done;
        }
    } else {
        char *json;
        if ((rv = quire_result_to_json(&out, &json))) {
            fprintf(stderr, "quire merge: %s\n", quire_strerror(rv));
            goto done;
        }
        int bad = fputs(json, stdout) < 0 || fflush(stdout);
        free(json);
        if (bad) {
            fprintf(stderr, "quire merge: stdout: %s\n", strerror(errno));
            goto done;
        }
    }
    code = 0;
done:
    for (size_t i = 0; in && i < loaded; i++)
        quire_result_free(&in[i]);
    quire_result_free(&out);
    quire_result_free(&ref);
    quire_buf_free(&warn);
    free(in);
    free(ptr);
    free(names);
    return code;
}
