/* The simulator's command line (see simargv.h). */
#include "sim/simargv.h"

#include <stdio.h>
#include <string.h>

#include "util/err.h"

int quire_sim_argv(const quire_sim_args *a, const char **argv, size_t max, char *buf,
                   size_t buflen)
{
    if (a->exe && (!a->left_if || !a->right_if)) return QUIRE_ERR_INVALID;
    /* the seed goes first into buf, the scenario's words after it */
    int sl = snprintf(buf, buflen, "%llu", a->seed);
    if (sl < 0 || (size_t)sl >= buflen) return QUIRE_ERR_INVALID;
    size_t used = (size_t)sl + 1, n = 0;
#define PUT(x)                                        \
    do {                                              \
        if (n + 1 >= max) return QUIRE_ERR_INVALID;   \
        argv[n++] = (x);                              \
    } while (0)
    if (a->exe) {
        PUT(a->exe);
        PUT("sim");
    }
    PUT("--seed");
    PUT(buf);
    if (a->pcap_dir) {
        PUT("--pcap-dir");
        PUT(a->pcap_dir);
    }
    if (a->ready_file) {
        PUT("--ready-file");
        PUT(a->ready_file);
    }
    for (size_t i = 0; i < QUIRE_SIM_MAX_WAIT && a->wait_server[i]; i++) {
        PUT("--wait-server");
        PUT(a->wait_server[i]);
    }
    if (a->kernel) PUT("--kernel");
    if (a->netns_prefix) {
        PUT("--netns-prefix");
        PUT(a->netns_prefix);
    }
    if (a->left_if) PUT(a->left_if);
    if (a->right_if) PUT(a->right_if);
    for (const char *p = a->scenario; p && *p;) {
        while (*p == ' ')
            p++;
        size_t len = strcspn(p, " ");
        if (!len) break;
        if (used + len + 1 > buflen) return QUIRE_ERR_INVALID;
        memcpy(buf + used, p, len);
        buf[used + len] = 0;
        PUT(buf + used);
        used += len + 1;
        p += len;
    }
#undef PUT
    argv[n] = NULL;
    return (int)n;
}
