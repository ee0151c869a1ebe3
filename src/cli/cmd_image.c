/* `quire image build [--engine E] [sim|ENDPOINT...]` and `quire image list`: the container
 * backend's images, built offline on this machine by images/build.sh of the source tree (a
 * minimal root filesystem from this machine's binaries, `docker import`ed, tagged by content
 * hash so that an unchanged rebuild is quick); the sim image gets this very quire binary. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"

static void usage(FILE *out)
{
    fprintf(
        out,
        "usage: quire image build [--engine docker|podman] [sim|host|ENDPOINT...]\n"
        "       quire image list [--engine docker|podman]\n"
        "build: makes quire's container images offline (no registry): 'sim' (this quire\n"
        "binary running 'quire sim'), 'host' (programs of this machine, for experiments'\n"
        "docker_compose) and the endpoints that have a recipe in images/build.sh\n"
        "(quic-go, ngtcp2); default all. Tags: quire/NAME:<content hash> and quire/NAME:latest.\n"
        "list: the images labelled quire. Engine default: $QUIRE_ENGINE, else docker.\n");
}

static int script_path(char *out, size_t len)
{
    const char *src = getenv("QUIRE_SOURCE_DIR");
#ifdef QUIRE_SOURCE_DIR
    if (!src || !*src) src = QUIRE_SOURCE_DIR;
#endif
    if (!src || !*src) return -1;
    int n = snprintf(out, len, "%s/images/build.sh", src);
    return n < 0 || (size_t)n >= len || access(out, X_OK) ? -1 : 0;
}

int quire_cmd_image(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    const char *engine = getenv("QUIRE_ENGINE");
    if (!engine || !*engine) engine = "docker";
    int first = 2;
    if (argc > 3 && !strcmp(argv[2], "--engine")) {
        engine = argv[3];
        first = 4;
    }
    if (strcmp(engine, "docker") && strcmp(engine, "podman")) {
        fprintf(stderr, "quire image: --engine must be docker or podman, got '%s'\n", engine);
        return 2;
    }
    if (!strcmp(argv[1], "list")) {
        if (first < argc) {
            fprintf(stderr, "quire image list: unexpected argument '%s'\n", argv[first]);
            return 2;
        }
        execlp(engine, engine, "images", "--filter", "label=quire", (char *)NULL);
        fprintf(stderr, "quire image: cannot run %s: %s\n", engine, strerror(errno));
        return 1;
    }
    if (strcmp(argv[1], "build")) {
        fprintf(stderr, "quire image: unknown subcommand '%s'\n", argv[1]);
        usage(stderr);
        return 2;
    }
    char script[PATH_MAX], self[PATH_MAX];
    if (script_path(script, sizeof script)) {
        fprintf(stderr, "quire image: images/build.sh not found (set QUIRE_SOURCE_DIR to quire's "
                        "source tree)\n");
        return 1;
    }
    ssize_t k = readlink("/proc/self/exe", self, sizeof self - 1);
    if (k <= 0) {
        fprintf(stderr, "quire image: /proc/self/exe: %s\n", strerror(errno));
        return 1;
    }
    self[k] = 0;
    size_t n = (size_t)(argc - first);
    char **av = calloc(n + 7, sizeof *av);
    if (!av) return 1;
    size_t i = 0;
    av[i++] = script;
    av[i++] = (char *)"--engine";
    av[i++] = (char *)engine;
    av[i++] = (char *)"--quire";
    av[i++] = self;
    for (int a = first; a < argc; a++) {
        if (argv[a][0] == '-') {
            fprintf(stderr, "quire image build: unknown option '%s'\n", argv[a]);
            free(av);
            return 2;
        }
        av[i++] = argv[a];
    }
    av[i] = NULL;
    fflush(NULL);
    execv(script, av);
    fprintf(stderr, "quire image: cannot run %s: %s\n", script, strerror(errno));
    free(av);
    return 1;
}
