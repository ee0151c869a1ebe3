/* Fuzz target for experiment files and plugin files (YAML is user input): the bytes are parsed
 * as an experiment (against a fixed plugin), as a plugin file, and as valgrind XML. Every
 * diagnostic must be one line starting with the file name; a valid experiment's services
 * must render. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "experiment/assert.h"
#include "experiment/render.h"
#include "experiment/spec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char plugin_yaml[] = "name: srv\n"
                                  "roles: [server, client]\n"
                                  "variables: {port: \"443\", cc: cubic, opt: ~}\n"
                                  "choices: {cc: [cubic, bbr]}\n"
                                  "server: {command: [s, \"{{port}}\", \"--o={{opt}}\"]}\n"
                                  "client: {command: [c, \"{{@requests}}\"],\n"
                                  "         env: {R: \"{{role}}\"}}\n"
                                  "versions: {rfc9000: {quic_version: \"0x1\"}, d29: ~}\n";

static void check_diag(const quire_ydiag *g)
{
    for (size_t i = 0; i < g->n; i++)
        if (strchr(g->msgs[i], '\n') || strncmp(g->msgs[i], "f.yaml", 6)) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    quire_experiment x;
    quire_ydiag g = {0};
    memset(&x, 0, sizeof x);
    if (quire_plugins_add_buf(&x.plugins, plugin_yaml, strlen(plugin_yaml), "p.yaml", "/p", 0,
                              &g) ||
        quire_plugins_resolve(&x.plugins, &g))
        abort();
    int rc = quire_experiment_parse_buf(&x, (const char *)data, size, "f.yaml", &g);
    check_diag(&g);
    if (!rc) {
        for (size_t t = 0; t < x.ntests; t++)
            for (size_t s = 0; s < x.tests[t].nservices; s++) {
                const quire_service *sv = &x.tests[t].services[s];
                quire_vars b = {0};
                quire_vars_set(&b, "role", "client");
                quire_vars_set(&b, "requests", "https://a/1 https://a/2");
                quire_cmd c;
                char err[256];
                if (quire_plugin_render(sv->plugin, sv->version, sv->role, &sv->config, &b, &c, err,
                                        sizeof err) == 0) {
                    if (!c.argc || c.argv[c.argc]) abort();
                    quire_cmd_free(&c);
                }
                quire_vars_free(&b);
            }
    }
    quire_experiment_free(&x);
    quire_ydiag_free(&g);

    quire_plugins ps = {0};
    quire_ydiag g2 = {0};
    if (!quire_plugins_add_buf(&ps, (const char *)data, size, "f.yaml", "/", 0, &g2))
        quire_plugins_resolve(&ps, &g2);
    check_diag(&g2);
    quire_plugins_free(&ps);
    quire_ydiag_free(&g2);

    unsigned n;
    int complete;
    char out[256];
    quire_assert_valgrind_summary((const char *)data, size, &n, &complete, out, sizeof out);
    return 0;
}
