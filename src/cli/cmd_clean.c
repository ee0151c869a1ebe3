/* `quire clean [--run ID] [--dry-run] [--force]`: removes what killed runs left behind:
 * network namespaces quire-* (or quire-<ID>-*) and the processes still inside them, stray
 * links named quire* in the root namespace, containers and networks labelled quire (docker, or
 * $QUIRE_ENGINE), the endpoints' tmpfs /downloads and pids cgroups (named like their
 * namespaces, backend/limits.h), and state directories /run/quire/<run>/ whose owner is gone. Runs whose owning
 * quire process is still alive are left alone unless --force, so a clean never pulls the network
 * from under a live run on a shared machine. */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "backend/container.h"
#include "backend/limits.h"
#include "backend/netns.h"
#include "cli/cli.h"
#include "util/cgroup.h"
#include "util/err.h"
#include "util/fs.h"

typedef struct clean_ctx {
    const char *run; /* NULL: every run */
    int dry_run;
    int force;
    int removed;
    int skipped;
    int failed;
} clean_ctx;

static void usage(FILE *out)
{
    fprintf(out,
            "usage: quire clean [--run ID] [--dry-run] [--force]\n"
            "Removes leftovers of killed runs: namespaces %s* (with --run: %s<ID>-*) and\n"
            "the processes inside them, stray links named quire* in the root namespace, the\n"
            "endpoints' tmpfs /downloads and pids cgroups named like the namespaces, and\n"
            "state directories %s/<run>. Runs whose quire process is alive are skipped\n"
            "unless --force. --dry-run only prints what would be removed.\n",
            QUIRE_NETNS_PREFIX, QUIRE_NETNS_PREFIX, QUIRE_RUN_STATE_DIR);
}

/* The run id inside "quire-<run>-<n>-<role>", into out ("" if the name has another shape). */
static void run_of(const char *ns, char *out, size_t len)
{
    out[0] = '\0';
    const char *s = ns + strlen(QUIRE_NETNS_PREFIX);
    const char *dash = strchr(s, '-');
    if (!dash || (size_t)(dash - s) >= len) return;
    memcpy(out, s, (size_t)(dash - s));
    out[dash - s] = '\0';
    if (!quire_run_id_valid(out)) out[0] = '\0';
}

/* 1 if run is owned by a live process and we must leave it alone. */
static int keep_live(clean_ctx *c, const char *what, const char *run)
{
    pid_t owner;
    if (c->force || !run[0] || !quire_run_alive(run, &owner)) return 0;
    printf("skipped %s: run %s is live (quire pid %ld); use --force to remove it anyway\n", what,
           run, (long)owner);
    c->skipped++;
    return 1;
}

/* Calls fn for each run with a state directory (only c->run's with --run). */
static void foreach_run(clean_ctx *c, void (*fn)(clean_ctx *c, const char *run))
{
    DIR *d = opendir(QUIRE_RUN_STATE_DIR);
    if (!d) return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.' || !quire_run_id_valid(e->d_name)) continue;
        if (c->run && strcmp(c->run, e->d_name)) continue;
        fn(c, e->d_name);
    }
    closedir(d);
}

/* The workers of a dead run that are still ending their tests (they got SIGTERM when the
 * owner died): killed first, so that none starts a process in a namespace removed after it. */
static void stop_workers(clean_ctx *c, const char *run)
{
    if (c->dry_run || (!c->force && quire_run_alive(run, NULL))) return;
    int n = quire_run_stop_workers(run, 3000);
    if (n < 0) {
        fprintf(stderr, "quire clean: run %s: a worker outlived SIGKILL for 3 s: %s\n", run,
                quire_strerror(n));
        c->failed++;
    } else if (n > 0) {
        printf("killed %d worker%s of run %s\n", n, n == 1 ? "" : "s", run);
    }
}

static int clean_namespace(const char *name, void *arg)
{
    clean_ctx *c = arg;
    char run[QUIRE_RUN_ID_MAX + 2], what[300];
    run_of(name, run, sizeof run);
    snprintf(what, sizeof what, "namespace %s", name);
    if (keep_live(c, what, run)) return 0;
    if (c->dry_run) {
        printf("would remove namespace %s\n", name);
        c->removed++;
        return 0;
    }
    int killed = quire_netns_kill_procs(name, SIGKILL);
    int rc = quire_netns_del(name);
    if (rc < 0) {
        fprintf(stderr, "quire clean: %s/%s: cannot remove: %s (%s)\n", QUIRE_NETNS_DIR, name,
                quire_strerror(rc), strerror(errno));
        c->failed++;
        return 0;
    }
    printf("removed namespace %s", name);
    if (killed > 0) printf(" (killed %d process%s)", killed, killed == 1 ? "" : "es");
    printf("\n");
    c->removed++;
    return 0;
}

/* Links in our own (root) namespace named like ours. The netns backend creates its veths
 * directly inside the test namespaces, so these can only come from other components or an
 * interrupted setup by hand; with --run only "quire-<ID>-*" names (IFNAMSIZ allows short ids). */
static void clean_links(clean_ctx *c)
{
    char prefix[64];
    if (c->run)
        snprintf(prefix, sizeof prefix, "%s%s-", QUIRE_NETNS_PREFIX, c->run);
    else
        snprintf(prefix, sizeof prefix, "quire");
    DIR *d = opendir("/sys/class/net");
    if (!d) return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strncmp(e->d_name, prefix, strlen(prefix))) continue;
        if (c->dry_run) {
            printf("would remove link %s\n", e->d_name);
            c->removed++;
            continue;
        }
        int rc = quire_netns_link_del(e->d_name);
        if (rc < 0 && rc != QUIRE_ERR_NOTFOUND) {
            fprintf(stderr, "quire clean: link %s: cannot remove: %s\n", e->d_name,
                    quire_strerror(rc));
            c->failed++;
        } else if (rc == 0) {
            printf("removed link %s\n", e->d_name);
            c->removed++;
        }
    }
    closedir(d);
}

static void clean_state_dir(clean_ctx *c, const char *run)
{
    char what[300];
    snprintf(what, sizeof what, "state directory %s/%s", QUIRE_RUN_STATE_DIR, run);
    if (keep_live(c, what, run)) return;
    if (c->dry_run) {
        printf("would remove %s\n", what);
        c->removed++;
        return;
    }
    int rc = quire_run_end(run);
    if (rc < 0) {
        fprintf(stderr, "quire clean: %s: cannot remove: %s\n", what, quire_strerror(rc));
        c->failed++;
    } else {
        printf("removed %s\n", what);
        c->removed++;
    }
}

/* The endpoints' limits (backend/limits.h): pids cgroups and tmpfs /downloads, both named
 * like the endpoint's namespace. */
static int clean_tmpfs(const char *dir, const char *name, void *arg)
{
    clean_ctx *c = arg;
    char run[QUIRE_RUN_ID_MAX + 2], what[4200];
    run_of(name, run, sizeof run);
    snprintf(what, sizeof what, "tmpfs %s (%s)", dir, name);
    if (keep_live(c, what, run)) return 1;
    printf("%s %s\n", c->dry_run ? "would detach" : "detached", what);
    c->removed++;
    return 0;
}

static void clean_cgroup(const char *dir, const char *name, void *arg)
{
    clean_ctx *c = arg;
    char run[QUIRE_RUN_ID_MAX + 2], what[700];
    run_of(name, run, sizeof run);
    snprintf(what, sizeof what, "cgroup %s", dir);
    if (keep_live(c, what, run)) return;
    if (c->dry_run) {
        printf("would remove %s\n", what);
    } else if (quire_cgroup_remove_dir(dir)) {
        fprintf(stderr, "quire clean: %s: cannot remove: %s\n", what, strerror(errno));
        c->failed++;
        return;
    } else {
        printf("removed %s\n", what);
    }
    c->removed++;
}

static void container_cb(void *arg, const char *kind, const char *id, const char *run,
                         const char *what)
{
    clean_ctx *c = arg;
    printf("%s %s %.12s (run %s)\n", what, kind, id, run[0] ? run : "?");
    if (!strcmp(what, "skipped live")) c->skipped++;
    if (!strcmp(what, "failed")) c->failed++;
}

int quire_cmd_clean(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"run", required_argument, NULL, 'r'},
        {"dry-run", no_argument, NULL, 'n'},
        {"force", no_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    clean_ctx c = {0};
    optind = 1;
    int opt;
    while ((opt = getopt_long(argc, argv, "r:nfh", longopts, NULL)) != -1) {
        switch (opt) {
        case 'r': c.run = optarg; break;
        case 'n': c.dry_run = 1; break;
        case 'f': c.force = 1; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "quire clean: unexpected argument '%s'\n", argv[optind]);
        usage(stderr);
        return 2;
    }
    if (c.run && !quire_run_id_valid(c.run)) {
        fprintf(stderr, "quire clean: --run '%s': a run id is 1 to %d characters of "
                        "[A-Za-z0-9_]\n", c.run, QUIRE_RUN_ID_MAX);
        return 2;
    }
    if (!c.dry_run && geteuid() != 0) {
        fprintf(stderr, "quire clean: needs root to remove namespaces (try --dry-run)\n");
        return 1;
    }
    foreach_run(&c, stop_workers);
    char prefix[QUIRE_NETNS_NAME_MAX];
    snprintf(prefix, sizeof prefix, "%s%s%s", QUIRE_NETNS_PREFIX, c.run ? c.run : "",
             c.run ? "-" : "");
    int rc = quire_netns_foreach(prefix, clean_namespace, &c);
    if (rc < 0) {
        fprintf(stderr, "quire clean: %s: %s\n", QUIRE_NETNS_DIR, quire_strerror(rc));
        c.failed++;
    }
    clean_links(&c);
    if (quire_limits_clean_mounts(prefix, c.dry_run, clean_tmpfs, &c) < 0) c.failed++;
    quire_cgroup_foreach(prefix, clean_cgroup, &c);
    rc = quire_container_clean(getenv("QUIRE_ENGINE"), c.run, -1,
                               (c.force ? QUIRE_CONTAINER_CLEAN_FORCE : 0u) |
                                   (c.dry_run ? QUIRE_CONTAINER_CLEAN_DRY_RUN : 0u),
                               container_cb, &c);
    if (rc > 0) c.removed += rc;
    foreach_run(&c, clean_state_dir);
    printf("%s %d, skipped %d live, failed %d\n", c.dry_run ? "would remove" : "removed",
           c.removed, c.skipped, c.failed);
    return c.failed ? 1 : 0;
}
