/* The two-plugin fixture shared by test_plugin.c and test_render.c: a base plugin with
 * variables, environment and choices, and an implementation that inherits it with two versions.
 * Included by unit tests only (static definitions). */
#ifndef QUIRE_TEST_PLUGIN_FIXTURE_H
#define QUIRE_TEST_PLUGIN_FIXTURE_H

#include <string.h>

#include "experiment/plugin.h"

static const char base_yaml[] = "name: base\n"
                                "alpn: [hq-interop]\n"
                                "variables:\n"
                                "  port: \"443\"\n"
                                "  logs: /logs\n"
                                "  keylog: \"{{logs}}/keys.log\"\n"
                                "  cc: cubic\n"
                                "  opt: ~\n"
                                "choices: {cc: [cubic, bbr]}\n"
                                "server:\n"
                                "  env: {SSLKEYLOGFILE: \"{{keylog}}\", OPT: \"{{opt}}\"}\n";

static const char impl_yaml[] = "name: impl\n"
                                "inherits: base\n"
                                "roles: [server, client]\n"
                                "variables: {port: \"4433\", urls: ~}\n"
                                "server:\n"
                                "  command: [srv, \"--port={{port}}\", \"--opt={{opt}}\",\n"
                                "            \"--cc={{cc}}\", \"--v={{quic_version}}\"]\n"
                                "client:\n"
                                "  command: [cli, \"{{@urls}}\", end]\n"
                                "versions:\n"
                                "  v1: {quic_version: \"0x00000001\", alpn: h3}\n"
                                "  d29: {quic_version: \"0xff00001d\", variables: {cc: bbr}}\n"
                                "default_version: v1\n";

static int load_pair(quire_plugins *ps, quire_ydiag *g)
{
    memset(ps, 0, sizeof *ps);
    memset(g, 0, sizeof *g);
    int rc = quire_plugins_add_buf(ps, base_yaml, strlen(base_yaml), "base.yaml", "/b", 1, g);
    if (!rc) rc = quire_plugins_add_buf(ps, impl_yaml, strlen(impl_yaml), "impl.yaml", "/i", 0, g);
    if (!rc) rc = quire_plugins_resolve(ps, g);
    return rc;
}

#endif
