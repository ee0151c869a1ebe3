/* `quire list`: the known implementations (role, whether they can run here and why not) and
 * the test cases (name, abbreviation, timeout, files, description). */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "experiment/render.h"
#include "run/registry.h"
#include "run/testcase.h"

static void usage(FILE *out)
{
    fprintf(out, "usage: quire list [--implementations FILE] [implementations|tests]\n"
                 "Lists the implementations of implementations.json (role; runnable here or why\n"
                 "not) and the test cases (abbreviation, name, timeout, files, description).\n"
                 "  --implementations FILE  implementations.json to read (default as quire run)\n");
}

static void human_size(unsigned long long n, char *out, size_t len)
{
    if (n >= 1024ull * 1024 && n % (1024ull * 1024) == 0)
        snprintf(out, len, "%llu MiB", n / (1024ull * 1024));
    else if (n >= 1024 && n % 1024 == 0)
        snprintf(out, len, "%llu KiB", n / 1024);
    else
        snprintf(out, len, "%llu B", n);
}

int quire_cmd_list(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"implementations", required_argument, 0, 'I'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    char file[PATH_MAX] = "";
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        switch (c) {
        case 'I':
            snprintf(file, sizeof file, "%s", optarg);
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            fprintf(stderr, "quire list: bad option '%s' (see 'quire list --help')\n",
                    argv[optind - 1]);
            return 2;
        }
    }
    int impls = 1, tests = 1;
    if (optind < argc) {
        if (optind + 1 < argc ||
            (strcmp(argv[optind], "implementations") && strcmp(argv[optind], "tests"))) {
            fprintf(stderr, "quire list: expected 'implementations' or 'tests', got '%s'\n",
                    argv[optind]);
            return 2;
        }
        impls = !strcmp(argv[optind], "implementations");
        tests = !impls;
    }
    if (impls) {
        if (!file[0]) quire_registry_default_path(file, sizeof file);
        quire_registry reg;
        char err[1024];
        if (quire_registry_load(&reg, file, err, sizeof err)) {
            fprintf(stderr, "quire list: %s\n", err);
            return 2;
        }
        printf("Implementations (%s):\n", reg.file);
        size_t w = 4;
        for (size_t i = 0; i < reg.n; i++)
            if (strlen(reg.impls[i].name) > w) w = strlen(reg.impls[i].name);
        for (size_t i = 0; i < reg.n; i++) {
            quire_impl *im = &reg.impls[i];
            quire_registry_probe(im);
            printf("  %-*s  %-6s  %s%s\n", (int)w, im->name, quire_registry_roles_name(im->roles),
                   im->runnable ? "runnable" : "not runnable: ", im->runnable ? "" : im->reason);
        }
        quire_registry_free(&reg);
        char src[PATH_MAX];
        const char *env = getenv("QUIRE_SOURCE_DIR");
        snprintf(src, sizeof src, "%s", env && *env ? env : QUIRE_SOURCE_DIR);
        printf("\n");
        quire_plugins_print(stdout, src); /* versions, from endpoints/<name>/plugin.yaml */
    }
    if (impls && tests) printf("\n");
    if (tests) {
        size_t n;
        const quire_testcase *tc = quire_testcase_table(&n);
        printf("Test cases:\n");
        for (size_t i = 0; i < n; i++) {
            char files[256] = "";
            size_t off = 0;
            for (size_t g = 0; g < QUIRE_TESTCASE_MAX_FILE_GROUPS && tc[i].files[g].count; g++) {
                char sz[32];
                human_size(tc[i].files[g].size, sz, sizeof sz);
                char cnt[16] = "";
                if (tc[i].files[g].count > 1)
                    snprintf(cnt, sizeof cnt, "%u×", tc[i].files[g].count);
                if (off < sizeof files)
                    off += (size_t)snprintf(files + off, sizeof files - off, "%s%s%s",
                                            g ? " + " : "", cnt, sz);
            }
            printf("  %-4s %-12s %3us  files: %-22s %s\n", tc[i].abbr, tc[i].name, tc[i].timeout_s,
                   files, tc[i].desc);
        }
    }
    return 0;
}
