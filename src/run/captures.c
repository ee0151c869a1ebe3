/* Key logs into the saved captures (see captures.h). */
#include "run/captures.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trace/export.h"
#include "trace/keylog.h"
#include "util/err.h"

/* testcase.py _is_valid_keylog: a non-empty file with a line starting with
 * SERVER_HANDSHAKE_TRAFFIC_SECRET (which rules out e.g. a qlog or a wrong format). */
static int valid_keylog(const char *path)
{
    FILE *f = path ? fopen(path, "r") : NULL;
    if (!f) return 0;
    char line[1024];
    int ok = 0;
    while (!ok && fgets(line, sizeof line, f)) {
        ok = !strncmp(line, "SERVER_HANDSHAKE_TRAFFIC_SECRET", 31);
        /* skip the rest of an overlong line: it is not a line start */
        while (!strchr(line, '\n') && fgets(line, sizeof line, f)) {
        }
    }
    fclose(f);
    return ok;
}

const char *quire_captures_keylog(const char *client_keylog, const char *server_keylog)
{
    if (valid_keylog(client_keylog)) return client_keylog;
    if (valid_keylog(server_keylog)) return server_keylog;
    return NULL;
}

static int is_capture(const char *name)
{
    size_t n = strlen(name);
    return name[0] != '.' && ((n > 5 && !strcmp(name + n - 5, ".pcap")) ||
                              (n > 7 && !strcmp(name + n - 7, ".pcapng")));
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int quire_captures_inject(const char *sim_dir, const char *keylog, char *msg, size_t msglen)
{
    if (msglen) msg[0] = 0;
    if (!keylog) return 0;
    quire_keylog kl;
    quire_keylog_init(&kl);
    int rc = quire_keylog_load(&kl, keylog);
    if (rc <= 0) {
        if (rc < 0) snprintf(msg, msglen, "%s", kl.error[0] ? kl.error : quire_strerror(rc));
        quire_keylog_free(&kl);
        return rc < 0 ? rc : 0;
    }
    DIR *d = opendir(sim_dir);
    if (!d) {
        snprintf(msg, msglen, "%s: cannot list", sim_dir);
        quire_keylog_free(&kl);
        return QUIRE_ERR_IO;
    }
    /* the names first: rewriting adds and renames entries while readdir runs */
    char **names = NULL;
    size_t n = 0, cap = 0;
    rc = 0;
    for (struct dirent *e; (e = readdir(d));) {
        if (!is_capture(e->d_name)) continue;
        if (n == cap) {
            char **more = realloc(names, (cap = cap ? 2 * cap : 8) * sizeof *names);
            if (!more) {
                rc = QUIRE_ERR_NOMEM;
                break;
            }
            names = more;
        }
        if (!(names[n] = strdup(e->d_name))) {
            rc = QUIRE_ERR_NOMEM;
            break;
        }
        n++;
    }
    closedir(d);
    if (n) qsort(names, n, sizeof *names, by_name);
    int done = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", sim_dir, names[i]);
        /* in place, as QIR's copy over the original: same name, now pcapng */
        long k = quire_export_pcapng(path, path, &kl, msg, msglen);
        if (k < 0)
            rc = (int)k;
        else
            done++;
    }
    if (rc == QUIRE_ERR_NOMEM && msglen && !msg[0]) snprintf(msg, msglen, "out of memory");
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    quire_keylog_free(&kl);
    return rc ? rc : done;
}
