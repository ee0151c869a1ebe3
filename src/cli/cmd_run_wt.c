/* `quire run --protocol webtransport`: QIR's WebTransport suite (run.py --protocol
 * webtransport). This step reads the implementations file (default
 * implementations_webtransport.json, QIR's, unchanged), resolves -s/-c/-t against it and the
 * WebTransport table (run/testcase_wt.h) and prints the plan: the pairs and each case's
 * TESTCASE values, PROTOCOLS_* variables and files. Executing the plan (the per-role www and
 * download directories, the endpoints) is not built yet: the command then says so and exits 2,
 * never reporting a result it did not measure. */
#include "cli/cli.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "run/registry.h"
#include "run/testcase_wt.h"

#define WT_MAX_IMPLS 256

/* Fills out[] with the names in the comma-separated list (NULL: every implementation of the
 * role). Returns 0, or -1 after a message on stderr for an unknown name or a wrong role. */
static int pick(const quire_registry *reg, const char *arg, quire_role role, const char *what,
                const quire_impl **out, size_t *n)
{
    *n = 0;
    for (size_t i = 0; i < reg->n && !arg; i++)
        if ((reg->impls[i].roles & QUIRE_ROLE_BIT(role)) && *n < WT_MAX_IMPLS)
            out[(*n)++] = &reg->impls[i];
    for (const char *p = arg; p && *p;) {
        size_t len = strcspn(p, ",");
        char name[128];
        if (!len || len >= sizeof name) {
            fprintf(stderr, "quire run: empty or overlong %s name\n", what);
            return -1;
        }
        memcpy(name, p, len);
        name[len] = 0;
        const quire_impl *im = quire_registry_find(reg, name);
        if (!im || !(im->roles & QUIRE_ROLE_BIT(role))) {
            fprintf(stderr, "quire run: %s '%s' not found in %s\n", what, name, reg->file);
            return -1;
        }
        if (*n < WT_MAX_IMPLS) out[(*n)++] = im;
        p += len + (p[len] == ',');
    }
    return 0;
}

int quire_cmd_run_webtransport(const char *impl_file, const char *servers_arg,
                               const char *clients_arg, const char *tests_arg)
{
    char path[PATH_MAX], err[1024];
    if (impl_file && *impl_file)
        snprintf(path, sizeof path, "%s", impl_file);
    else
        quire_registry_default_path_for("webtransport", path, sizeof path);
    quire_registry reg;
    if (quire_registry_load(&reg, path, err, sizeof err)) {
        fprintf(stderr, "quire run: %s\n", err);
        return 2;
    }
    int ret = 2;
    const quire_wt_testcase *tcs[16];
    size_t ntcs = 0, ns = 0, nc = 0;
    static const quire_impl *servers[WT_MAX_IMPLS], *clients[WT_MAX_IMPLS];
    if (quire_wt_parse_list(tests_arg, tcs, 16, &ntcs, err, sizeof err)) {
        fprintf(stderr, "quire run: %s\n", err);
        goto out;
    }
    if (!ntcs) {
        fprintf(stderr, "quire run: -t '%s' selects no WebTransport test case (this mode has no "
                        "measurements)\n", tests_arg ? tests_arg : "");
        goto out;
    }
    if (pick(&reg, servers_arg, QUIRE_ROLE_SERVER, "server", servers, &ns) ||
        pick(&reg, clients_arg, QUIRE_ROLE_CLIENT, "client", clients, &nc))
        goto out;
    printf("WebTransport plan (%s): %zu server(s) x %zu client(s) x %zu test case(s)\n", reg.file,
           ns, nc, ntcs);
    for (size_t i = 0; i < ntcs; i++) {
        const quire_wt_testcase *t = tcs[i];
        printf("  %s (%s): TESTCASE server=%s client=%s, ", t->name, t->abbr,
               quire_wt_testname(t, 0), quire_wt_testname(t, 1));
        if (t->dir == QUIRE_WT_NONE)
            printf("no files, PROTOCOLS_CLIENT/PROTOCOLS_SERVER share two protocols\n");
        else
            printf("%zu file(s) from the %s, one shared protocol\n", quire_wt_nfiles(t),
                   quire_wt_server_sends(t) ? "server" : "client");
    }
    fprintf(stderr, "quire run: --protocol webtransport: running the WebTransport suite is not "
                    "implemented yet (plan above only; see docs/webtransport.md)\n");
out:
    quire_registry_free(&reg);
    return ret;
}
