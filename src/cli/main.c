/* quire: a QUIC interoperability test system. This file only dispatches to the subcommands. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

typedef struct command {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *summary;
} command;

static const command commands[] = {
    {"run", quire_cmd_run, "run the matrix of servers x clients x test cases"},
    {"list", quire_cmd_list, "list known implementations and test cases"},
    {"probe", quire_cmd_probe, "probe a QUIC server with a misbehaving client (conformance)"},
    {"trace", quire_cmd_trace, "decode a QUIC capture (pcap/pcapng + keylog)"},
    {"sim", quire_cmd_sim, "run the network simulator between two interfaces"},
    {"report", quire_cmd_report, "render a result file as markdown, html or junit"},
    {"merge", quire_cmd_merge, "merge result files (shards, QIR results) into one"},
    {"diff", quire_cmd_diff, "what changed between two result files (exit 1 on a regression)"},
    {"clean", quire_cmd_clean, "remove namespaces, links, mounts, processes of killed runs"},
    {"experiment", quire_cmd_experiment, "run or validate a YAML experiment"},
    {"image", quire_cmd_image, "build container images for the container backend"},
};

static void usage(FILE *out)
{
    fprintf(out, "usage: quire <command> [options]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-11s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\n'quire <command> --help' describes each command.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("quire %s\n", QUIRE_VERSION);
        return 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        if (!strcmp(argv[1], commands[i].name)) return commands[i].fn(argc - 1, argv + 1);
    }
    fprintf(stderr, "quire: unknown command '%s' (see 'quire --help')\n", argv[1]);
    return 2;
}
