/* Namespaces and iperf3 processes of the TCP cross traffic (see crossns.h). Built with the
 * ip and ethtool commands: this runs once per test, and the commands are what an operator
 * would type to check it by hand. */
#include "sim/crossns.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util/err.h"
#include "util/log.h"

extern char **environ;

#define MAX_ARGS 24

/* Splits cmd at spaces into argv (cmd is modified) and spawns it. */
static pid_t spawn(char *cmd, int quiet)
{
    char *argv[MAX_ARGS];
    int argc = 0;
    for (char *t = strtok(cmd, " "); t && argc < MAX_ARGS - 1; t = strtok(NULL, " "))
        argv[argc++] = t;
    argv[argc] = NULL;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    if (quiet) {
        posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
        posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    } else {
        posix_spawn_file_actions_adddup2(&fa, 2, 1); /* reports into the simulator's log */
    }
    pid_t pid;
    int rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    return rc ? -1 : pid;
}

static int run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int run(const char *fmt, ...)
{
    char cmd[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    char shown[512];
    snprintf(shown, sizeof shown, "%s", cmd);
    pid_t pid = spawn(cmd, 1);
    int st;
    if (pid < 0 || waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st)) {
        QUIRE_ERROR("sim: cross traffic setup: '%s' failed", shown);
        return QUIRE_ERR_IO;
    }
    return 0;
}

int quire_crossns_setup(quire_crossns *x, const char *prefix)
{
    memset(x, 0, sizeof *x);
    x->server = x->client = -1;
    int id = (int)getpid();
    if (prefix) { /* under quire run the test bed's own, which its teardown removes too */
        snprintf(x->ns_src, sizeof x->ns_src, "%s-xsrc", prefix);
        snprintf(x->ns_snk, sizeof x->ns_snk, "%s-xsnk", prefix);
    } else {
        snprintf(x->ns_src, sizeof x->ns_src, "quire-simx-%d-src", id);
        snprintf(x->ns_snk, sizeof x->ns_snk, "quire-simx-%d-snk", id);
    }
    snprintf(x->if_src, sizeof x->if_src, "qxs%d", id % 1000000);
    snprintf(x->if_snk, sizeof x->if_snk, "qxk%d", id % 1000000);
    if (run("ip netns add %s", x->ns_src)) return QUIRE_ERR_IO;
    x->created = 1; /* from here on, teardown deletes both (the second may not exist yet) */
    if (run("ip netns add %s", x->ns_snk)) goto fail;
    static const struct {
        int src;
        const char *net;
    } sides[2] = {{1, "198.19.100"}, {0, "198.18.100"}};
    for (int i = 0; i < 2; i++) {
        const char *ns = sides[i].src ? x->ns_src : x->ns_snk;
        const char *ifn = sides[i].src ? x->if_src : x->if_snk;
        const char *other = sides[!i].net;
        if (run("ip link add %s type veth peer name eth0 netns %s", ifn, ns) ||
            run("ip addr add %s.1/24 dev %s", sides[i].net, ifn) ||
            run("ip netns exec %s ip addr add %s.2/24 dev eth0", ns, sides[i].net) ||
            run("ip link set %s up", ifn) || run("ip -n %s link set eth0 up", ns) ||
            run("ip -n %s link set lo up", ns) ||
            run("ip -n %s route add %s.0/24 via %s.1", ns, other, sides[i].net))
            goto fail;
        /* Offloads off on both ends, as on the testbed's veths (notes/netns-pitfalls.md). */
        (void)run("ethtool -K %s tx off tso off gso off gro off", ifn);
        (void)run("ip netns exec %s ethtool -K eth0 tx off tso off gso off gro off", ns);
    }
    char cmd[256];
    snprintf(cmd, sizeof cmd, "ip netns exec %s iperf3 -s -B 198.18.100.2", x->ns_snk);
    x->server = spawn(cmd, 1);
    if (x->server < 0) goto fail;
    return 0;
fail:
    quire_crossns_teardown(x);
    return QUIRE_ERR_IO;
}

int quire_crossns_start_flow(quire_crossns *x)
{
    char cmd[256];
    /* Give the sink a moment to listen; iperf3 has no retry of its own. */
    struct timespec ts = {0, 300000000};
    nanosleep(&ts, NULL);
    snprintf(cmd, sizeof cmd,
             "ip netns exec %s iperf3 -c 198.18.100.2 -t 86400 -C cubic -i 5 --forceflush",
             x->ns_src);
    x->client = spawn(cmd, 0);
    return x->client < 0 ? QUIRE_ERR_IO : 0;
}

static void stop(pid_t *pid)
{
    if (*pid <= 0) return;
    kill(*pid, SIGTERM);
    for (int i = 0; i < 20; i++) {
        if (waitpid(*pid, NULL, WNOHANG) == *pid) {
            *pid = -1;
            return;
        }
        struct timespec ts = {0, 50000000};
        nanosleep(&ts, NULL);
    }
    kill(*pid, SIGKILL);
    waitpid(*pid, NULL, 0);
    *pid = -1;
}

void quire_crossns_teardown(quire_crossns *x)
{
    stop(&x->client);
    stop(&x->server);
    if (!x->created) return;
    /* Deleting a namespace removes its veth end, and with it the peer in ours. */
    (void)run("ip netns del %s", x->ns_src);
    (void)run("ip netns del %s", x->ns_snk);
    x->created = 0;
}
