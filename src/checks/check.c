/* The checks every test case shares (see check.h): exit-status rules and the comparison of
 * downloaded files with the served ones. */
#include "checks/check.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *quire_check_exit_str(const quire_exit *e, unsigned timeout_s, char *buf, size_t len)
{
    switch (e->kind) {
    case QUIRE_EXIT_NOT_STARTED:
        snprintf(buf, len, "not started");
        break;
    case QUIRE_EXIT_CODE:
        snprintf(buf, len, "exit code %d", e->code);
        break;
    case QUIRE_EXIT_SIGNAL:
        snprintf(buf, len, "killed by signal %d", e->code);
        break;
    case QUIRE_EXIT_STOPPED:
        snprintf(buf, len, "stopped by the runner");
        break;
    case QUIRE_EXIT_TIMEOUT:
        snprintf(buf, len, "killed at the %u s timeout", timeout_s);
        break;
    }
    return buf;
}

quire_verdict quire_check_exits(const quire_check_ctx *ctx, char *why, size_t whylen)
{
    char s[64];
    /* QIR: "exited with code 127" from any container makes the test unsupported. */
    if (ctx->server.kind == QUIRE_EXIT_CODE && ctx->server.code == 127) {
        snprintf(why, whylen, "server does not support the test case (exit code 127)");
        return QUIRE_VERDICT_UNSUPPORTED;
    }
    if (ctx->client.kind == QUIRE_EXIT_CODE && ctx->client.code == 127) {
        snprintf(why, whylen, "client does not support the test case (exit code 127)");
        return QUIRE_VERDICT_UNSUPPORTED;
    }
    int server_ended = ctx->server.kind == QUIRE_EXIT_CODE || ctx->server.kind == QUIRE_EXIT_SIGNAL;
    if (ctx->client.kind == QUIRE_EXIT_STOPPED && server_ended) {
        /* the server ended first, which ends the test (QIR: --abort-on-container-exit) */
        snprintf(why, whylen, "server %s while the client was running",
                 quire_check_exit_str(&ctx->server, ctx->timeout_s, s, sizeof s));
        return QUIRE_VERDICT_FAILED;
    }
    if (ctx->client.kind == QUIRE_EXIT_NOT_STARTED && server_ended) {
        snprintf(why, whylen, "server %s before it was ready",
                 quire_check_exit_str(&ctx->server, ctx->timeout_s, s, sizeof s));
        return QUIRE_VERDICT_FAILED;
    }
    if (ctx->client.kind != QUIRE_EXIT_CODE || ctx->client.code != 0) {
        snprintf(why, whylen, "client %s",
                 quire_check_exit_str(&ctx->client, ctx->timeout_s, s, sizeof s));
        return QUIRE_VERDICT_FAILED;
    }
    if ((ctx->server.kind == QUIRE_EXIT_CODE && ctx->server.code != 0) ||
        ctx->server.kind == QUIRE_EXIT_SIGNAL || ctx->server.kind == QUIRE_EXIT_NOT_STARTED) {
        snprintf(why, whylen, "server %s before it was stopped",
                 quire_check_exit_str(&ctx->server, ctx->timeout_s, s, sizeof s));
        return QUIRE_VERDICT_FAILED;
    }
    return QUIRE_VERDICT_NONE;
}

/* 0 = identical, 1 = contents differ, -1 = read error (errno set). */
static int same_contents(const char *a, const char *b)
{
    int fa = open(a, O_RDONLY | O_CLOEXEC), fb = -1, rc = -1;
    if (fa < 0) return -1;
    fb = open(b, O_RDONLY | O_CLOEXEC);
    if (fb < 0) goto out;
    enum { CHUNK = 1 << 16 };
    char *ba = malloc(CHUNK), *bb = malloc(CHUNK);
    if (!ba || !bb) {
        errno = ENOMEM;
        goto out_free;
    }
    for (;;) {
        ssize_t na = read(fa, ba, CHUNK);
        if (na < 0) goto out_free;
        size_t got = 0;
        while (got < (size_t)na) {
            ssize_t nb = read(fb, bb + got, (size_t)na - got);
            if (nb < 0) goto out_free;
            if (nb == 0) break;
            got += (size_t)nb;
        }
        if (got != (size_t)na || memcmp(ba, bb, got)) {
            rc = 1;
            goto out_free;
        }
        if (na == 0) {
            rc = 0;
            goto out_free;
        }
    }
out_free:
    free(ba);
    free(bb);
out:
    if (fb >= 0) close(fb);
    close(fa);
    return rc;
}

static int listed(const quire_check_ctx *ctx, const char *name)
{
    for (size_t i = 0; i < ctx->nfiles; i++)
        if (!strcmp(ctx->files[i], name)) return 1;
    return 0;
}

quire_verdict quire_check_files(const quire_check_ctx *ctx, char *why, size_t whylen)
{
    char src[4096], dst[4096];
    if (ctx->nfiles == 0) {
        snprintf(why, whylen, "no test files were generated");
        return QUIRE_VERDICT_FAILED;
    }
    DIR *d = opendir(ctx->downloads_dir);
    if (!d) {
        snprintf(why, whylen, "cannot read the downloads %s: %s", ctx->downloads_dir,
                 strerror(errno));
        return QUIRE_VERDICT_FAILED;
    }
    size_t extra = 0;
    char first_extra[256] = "";
    struct dirent *de;
    while ((de = readdir(d))) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..")) continue;
        if (listed(ctx, de->d_name)) continue;
        if (!extra++) snprintf(first_extra, sizeof first_extra, "%s", de->d_name);
    }
    closedir(d);
    if (extra) {
        snprintf(why, whylen, "%zu unexpected file%s in the downloads (e.g. %s)", extra,
                 extra == 1 ? "" : "s", first_extra);
        return QUIRE_VERDICT_FAILED;
    }
    size_t missing = 0;
    const char *first_missing = NULL;
    for (size_t i = 0; i < ctx->nfiles; i++) {
        struct stat st;
        snprintf(dst, sizeof dst, "%s/%s", ctx->downloads_dir, ctx->files[i]);
        if (stat(dst, &st) || !S_ISREG(st.st_mode)) {
            if (!missing++) first_missing = ctx->files[i];
        }
    }
    if (missing) {
        snprintf(why, whylen, "%zu of %zu files not downloaded (e.g. %s)", missing, ctx->nfiles,
                 first_missing);
        return QUIRE_VERDICT_FAILED;
    }
    for (size_t i = 0; i < ctx->nfiles; i++) {
        struct stat s1, s2;
        snprintf(src, sizeof src, "%s/%s", ctx->www_dir, ctx->files[i]);
        snprintf(dst, sizeof dst, "%s/%s", ctx->downloads_dir, ctx->files[i]);
        if (stat(src, &s1)) {
            snprintf(why, whylen, "served file %s missing: %s", src, strerror(errno));
            return QUIRE_VERDICT_FAILED;
        }
        if (stat(dst, &s2)) {
            snprintf(why, whylen, "cannot stat %s: %s", dst, strerror(errno));
            return QUIRE_VERDICT_FAILED;
        }
        if (s1.st_size != s2.st_size) {
            snprintf(why, whylen, "%s: downloaded %lld bytes, served %lld", ctx->files[i],
                     (long long)s2.st_size, (long long)s1.st_size);
            return QUIRE_VERDICT_FAILED;
        }
        int r = same_contents(src, dst);
        if (r < 0) {
            snprintf(why, whylen, "cannot compare %s: %s", ctx->files[i], strerror(errno));
            return QUIRE_VERDICT_FAILED;
        }
        if (r > 0) {
            snprintf(why, whylen, "%s: contents differ from the served file", ctx->files[i]);
            return QUIRE_VERDICT_FAILED;
        }
    }
    snprintf(why, whylen, "%zu file%s downloaded intact", ctx->nfiles, ctx->nfiles == 1 ? "" : "s");
    return QUIRE_VERDICT_SUCCEEDED;
}
