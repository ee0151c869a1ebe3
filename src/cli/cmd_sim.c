/* `quire sim`: runs the network simulator between two interfaces of the current network
 * namespace (LEFT = client side, RIGHT = server side) until SIGTERM or SIGINT. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "sim/forward.h"
#include "sim/scenario.h"
#include "util/err.h"
#include "util/log.h"

static void usage(FILE *out)
{
    fprintf(
        out,
        "usage: quire sim [--seed N] [--pcap-dir DIR] [--ready-file PATH]\n"
        "                 [--wait-server ADDR:PORT]... [--wait-timeout SEC] [--kernel]\n"
        "                 [--no-rt] [--netns-prefix P] [-d|--debug]\n"
        "                 LEFT_IF RIGHT_IF SCENARIO [SCENARIO ARGS...]\n\n"
        "Forwards packets between LEFT_IF (client side) and RIGHT_IF (server side) through\n"
        "the scenario's link, e.g. 'simple-p2p --delay=15ms --bandwidth=10Mbps --queue=25'.\n"
        "Scenarios: simple-p2p, drop-rate, corrupt-rate, droplist, blackhole, rebind,\n"
        "udp-cross-traffic, tcp-cross-traffic; see docs/sim.md.\n"
        "--kernel lets the kernel forward and only captures. The simulator asks for\n"
        "SCHED_FIFO priority for timing accuracy; --no-rt runs it as an ordinary process.\n"
        "Captures go to DIR/trace_node_left.pcap and DIR/trace_node_right.pcap.\n"
        "tcp-cross-traffic's two namespaces are P-xsrc and P-xsnk (default quire-simx-PID-).\n");
}

int quire_cmd_sim(int argc, char **argv)
{
    static const struct option opts[] = {
        {"seed", required_argument, NULL, 's'},
        {"pcap-dir", required_argument, NULL, 'p'},
        {"ready-file", required_argument, NULL, 'r'},
        {"wait-server", required_argument, NULL, 'w'},
        {"wait-timeout", required_argument, NULL, 't'},
        {"kernel", no_argument, NULL, 'k'},
        {"no-rt", no_argument, NULL, 'n'},
        {"netns-prefix", required_argument, NULL, 'x'},
        {"debug", no_argument, NULL, 'd'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    quire_fwd_cfg cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.wait_timeout_ms = 10000;
    cfg.ready_port = QUIRE_FWD_READY_PORT;
    char *end;
    int c;

    optind = 1;
    /* "+": stop at the first non-option, so the scenario's own --options are left alone. */
    while ((c = getopt_long(argc, argv, "+dh", opts, NULL)) != -1) {
        switch (c) {
        case 's':
            cfg.seed = strtoull(optarg, &end, 0);
            if (!*optarg || *end) {
                fprintf(stderr, "quire sim: --seed: '%s' is not a number\n", optarg);
                return 2;
            }
            break;
        case 'p':
            cfg.pcap_dir = optarg;
            break;
        case 'r':
            cfg.ready_file = optarg;
            break;
        case 'x':
            if (!*optarg || strlen(optarg) > 40 ||
                strspn(optarg, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") !=
                    strlen(optarg)) {
                fprintf(stderr, "quire sim: --netns-prefix: '%s' is not 1-40 characters of "
                                "[A-Za-z0-9_-]\n", optarg);
                return 2;
            }
            cfg.netns_prefix = optarg;
            break;
        case 'w':
            if (cfg.nwait == QUIRE_FWD_MAX_WAIT) {
                fprintf(stderr, "quire sim: at most %d --wait-server\n", QUIRE_FWD_MAX_WAIT);
                return 2;
            }
            cfg.wait_server[cfg.nwait++] = optarg;
            break;
        case 't': {
            double s = strtod(optarg, &end);
            if (!*optarg || *end || s < 0 || s > 86400) {
                fprintf(stderr, "quire sim: --wait-timeout: '%s' is not a number of seconds\n",
                        optarg);
                return 2;
            }
            cfg.wait_timeout_ms = (int)(s * 1000);
            break;
        }
        case 'k':
            cfg.kernel = 1;
            break;
        case 'n':
            cfg.no_rt = 1;
            break;
        case 'd':
            quire_log_set_level(QUIRE_LOG_DEBUG);
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (argc - optind < 3) {
        fprintf(stderr, "quire sim: expected LEFT_IF RIGHT_IF SCENARIO\n");
        usage(stderr);
        return 2;
    }
    cfg.left_if = argv[optind];
    cfg.right_if = argv[optind + 1];

    quire_scenario sc;
    char err[256];
    if (quire_scenario_parse(&sc, argc - optind - 2, argv + optind + 2, err, sizeof err)) {
        fprintf(stderr, "quire sim: %s\n", err);
        return 2;
    }
    for (int i = 0; i < cfg.nwait; i++) {
        if (!strchr(cfg.wait_server[i], ':')) {
            fprintf(stderr, "quire sim: --wait-server %s: expected ADDR:PORT\n",
                    cfg.wait_server[i]);
            return 2;
        }
    }
    cfg.sc = &sc;
    char desc[256];
    quire_scenario_describe(&sc, desc, sizeof desc);
    QUIRE_INFO("sim: scenario %s, seed %llu", desc, (unsigned long long)cfg.seed);
    int rc = quire_fwd_run(&cfg);
    if (rc == QUIRE_ERR_NOTFOUND || rc == QUIRE_ERR_INVALID) return 2;
    return rc ? 1 : 0;
}
