/* The checks every test case shares (see check.h): exit-status rules and the comparison of
 * downloaded files with the served ones. */
#include "checks/check.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "spec/spec.h"
#include "util/err.h"

const char *quire_check_exit_str(const quire_exit *e, unsigned timeout_s, char *buf, size_t len)
{
    switch (e->kind) {
    case QUIRE_EXIT_NOT_STARTED:
        snprintf(buf, len, "not started");
        break;
    case QUIRE_EXIT_CODE:
        /* a shell's code for a program it ran that died of a signal (139: SIGSEGV) */
        if (e->code > 128 && e->code < 128 + 32 && sigabbrev_np(e->code - 128))
            snprintf(buf, len, "exit code %d (128 + %d: a program it ran died of SIG%s?)",
                     e->code, e->code - 128, sigabbrev_np(e->code - 128));
        else
            snprintf(buf, len, "exit code %d", e->code);
        break;
    case QUIRE_EXIT_SIGNAL:
        snprintf(buf, len, "killed by signal %d (SIG%s)", e->code,
                 sigabbrev_np(e->code) ? sigabbrev_np(e->code) : "?");
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

/* The code docker compose would print as "<role> exited with code N" (QIR reads these lines):
 * an exit code, or 128 + the signal; -1 when the process never ended with one. */
static int compose_code(const quire_exit *e)
{
    switch (e->kind) {
    case QUIRE_EXIT_CODE:
    case QUIRE_EXIT_STOPPED: /* the code after the runner's SIGTERM (128 + signal if it died) */
        return e->code;
    case QUIRE_EXIT_SIGNAL:
        return 128 + e->code;
    default:
        return -1;
    }
}

quire_verdict quire_check_exits(const quire_check_ctx *ctx, char *why, size_t whylen)
{
    char s[64];
    int server = compose_code(&ctx->server), client = compose_code(&ctx->client);
    /* QIR (interop.py _run_test): a test that hit the timeout is failed, whatever was printed */
    if (ctx->client.kind == QUIRE_EXIT_TIMEOUT) {
        snprintf(why, whylen, "client %s",
                 quire_check_exit_str(&ctx->client, ctx->timeout_s, s, sizeof s));
        return QUIRE_VERDICT_FAILED;
    }
    /* QIR: "exited with code 127" from any container makes the test unsupported. */
    if (server == 127) {
        snprintf(why, whylen, "server does not support the test case (exit code 127)");
        return QUIRE_VERDICT_UNSUPPORTED;
    }
    if (client == 127) {
        snprintf(why, whylen, "client does not support the test case (exit code 127)");
        return QUIRE_VERDICT_UNSUPPORTED;
    }
    /* QIR checks the test when the client OR the server exited with code 0 (a server that
     * stops cleanly on SIGTERM after a failed client, too): the test's check decides. */
    if (client == 0 || server == 0) return QUIRE_VERDICT_NONE;
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
    snprintf(why, whylen, "client %s",
             quire_check_exit_str(&ctx->client, ctx->timeout_s, s, sizeof s));
    return QUIRE_VERDICT_FAILED;
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

/* A key log is usable when it exists and is not empty (QIR's _is_valid_keylog). */
static long keylog_size(const char *dir)
{
    char p[4200];
    struct stat st;
    snprintf(p, sizeof p, "%s/keys.log", dir);
    return stat(p, &st) || !S_ISREG(st.st_mode) ? 0 : (long)st.st_size;
}

static int append_file(FILE *out, const char *dir)
{
    char p[4200], buf[8192];
    snprintf(p, sizeof p, "%s/keys.log", dir);
    FILE *in = fopen(p, "rb");
    if (!in) return 0;
    size_t n;
    int last_nl = 1;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0) {
        fwrite(buf, 1, n, out);
        last_nl = buf[n - 1] == '\n';
    }
    if (!last_nl) fputc('\n', out);
    fclose(in);
    return 1;
}

/* Both endpoints' key logs in one file: either may lack a connection the other logged. */
static int merge_keylogs(const quire_check_ctx *ctx, char *out, size_t outlen)
{
    int any = 0;
    snprintf(out, outlen, "%s/keys.log", ctx->sim_dir);
    FILE *f = fopen(out, "wb");
    if (!f) return 0;
    if (ctx->client_log_dir && keylog_size(ctx->client_log_dir) > 0)
        any |= append_file(f, ctx->client_log_dir);
    if (ctx->server_log_dir && keylog_size(ctx->server_log_dir) > 0)
        any |= append_file(f, ctx->server_log_dir);
    if (fclose(f) || !any) {
        remove(out);
        return 0;
    }
    return 1;
}

static uint64_t served_bytes(const quire_check_ctx *ctx)
{
    uint64_t n = 0;
    char p[4200];
    for (size_t i = 0; i < ctx->nfiles; i++) {
        struct stat st;
        snprintf(p, sizeof p, "%s/%s", ctx->www_dir, ctx->files[i]);
        if (!stat(p, &st)) n += (uint64_t)st.st_size;
    }
    return n;
}

/* One walk of a capture for its facts and, when sp is not NULL, the spec rules. */
static int scan_capture(quire_facts *f, quire_spec *sp, const char *cap, const char *keys)
{
    if (!sp) return quire_facts_scan(f, cap, keys);
    quire_observer o[2] = {quire_facts_observer(f, cap, keys), quire_spec_observer(sp)};
    quire_trace *t = calloc(1, sizeof *t);
    if (!t) {
        snprintf(f->error, sizeof f->error, "%.400s: out of memory", cap);
        return QUIRE_ERR_NOMEM;
    }
    int rc = quire_observe_run(t, cap, NULL, 0, keys, o, 2);
    if (rc) quire_facts_failed(f, t, rc);
    quire_trace_free(t);
    free(t);
    return rc;
}

static quire_spec *specs_new(const quire_check_ctx *ctx)
{
    if (!ctx->spec_json || !ctx->spec_json_len) return NULL;
    ctx->spec_json[0] = 0;
    quire_spec *sp = calloc(2, sizeof *sp);
    if (!sp) return NULL;
    for (int i = 0; i < 2; i++) {
        quire_spec_init(&sp[i], NULL);
        /* trace_node_left.pcap is next to the client, trace_node_right.pcap to the server */
        quire_spec_set_near(&sp[i], i ? QUIRE_SPEC_SERVER : QUIRE_SPEC_CLIENT);
        for (size_t k = 0; k < ctx->nspec_ignore; k++)
            quire_spec_ignore(&sp[i], ctx->spec_ignore[k]); /* names checked by the CLI */
    }
    return sp;
}

static void specs_done(const quire_check_ctx *ctx, quire_spec *sp, int ok,
                       const char *const names[2])
{
    if (!sp) return;
    const quire_spec *p[2] = {&sp[0], &sp[1]};
    if (ok && quire_spec_verdict_json(p, names, 2, ctx->spec_json, ctx->spec_json_len))
        ctx->spec_json[0] = 0;
    quire_spec_free(&sp[0]);
    quire_spec_free(&sp[1]);
    free(sp);
}

quire_verdict quire_check_run(const quire_check_ctx *ctx, quire_judge_fn judge, char *why,
                              size_t whylen)
{
    quire_check_data d;
    memset(&d, 0, sizeof d);
    d.files = quire_check_files(ctx, d.files_why, sizeof d.files_why);
    d.nfiles = ctx->nfiles;
    d.bytes = served_bytes(ctx);
    d.value = ctx->value;
    d.arg = ctx->arg;
    if (!ctx->sim_dir) {
        snprintf(why, whylen, "cannot check the trace: no captures (run without the simulator)");
        return QUIRE_VERDICT_FAILED;
    }
    char keys[4200];
    d.keylog = merge_keylogs(ctx, keys, sizeof keys);
    quire_facts *f = calloc(2, sizeof *f);
    if (!f) {
        snprintf(why, whylen, "out of memory reading the captures");
        return QUIRE_VERDICT_FAILED;
    }
    static const char *const names[2] = {"trace_node_left.pcap", "trace_node_right.pcap"};
    quire_spec *sp = specs_new(ctx);
    quire_verdict v = QUIRE_VERDICT_NONE;
    for (int i = 0; i < 2 && v == QUIRE_VERDICT_NONE; i++) {
        char cap[4200];
        snprintf(cap, sizeof cap, "%s/%s", ctx->sim_dir, names[i]);
        if (scan_capture(&f[i], sp ? &sp[i] : NULL, cap, d.keylog ? keys : NULL)) {
            snprintf(why, whylen, "cannot check the trace: %s", f[i].error);
            v = QUIRE_VERDICT_FAILED;
        }
    }
    specs_done(ctx, sp, v == QUIRE_VERDICT_NONE, names);
    if (v == QUIRE_VERDICT_NONE) {
        d.client = &f[0];
        d.server = &f[1];
        v = judge(&d, why, whylen);
    }
    free(f);
    return v;
}

/* RFC 9000, 20.1 */
static const char *transport_error_name(uint64_t e, char *buf, size_t len)
{
    static const char *const names[] = {
        "NO_ERROR",
        "INTERNAL_ERROR",
        "CONNECTION_REFUSED",
        "FLOW_CONTROL_ERROR",
        "STREAM_LIMIT_ERROR",
        "STREAM_STATE_ERROR",
        "FINAL_SIZE_ERROR",
        "FRAME_ENCODING_ERROR",
        "TRANSPORT_PARAMETER_ERROR",
        "CONNECTION_ID_LIMIT_ERROR",
        "PROTOCOL_VIOLATION",
        "INVALID_TOKEN",
        "APPLICATION_ERROR",
        "CRYPTO_BUFFER_EXCEEDED",
        "KEY_UPDATE_ERROR",
        "AEAD_LIMIT_REACHED",
        "NO_VIABLE_PATH",
    };
    if (e < sizeof names / sizeof names[0])
        snprintf(buf, len, "%s", names[e]);
    else if (e >= 0x100 && e <= 0x1ff)
        snprintf(buf, len, "CRYPTO_ERROR (TLS alert %u)", (unsigned)(e - 0x100));
    else
        snprintf(buf, len, "transport error 0x%llx", (unsigned long long)e);
    return buf;
}

const char *quire_check_trace_hint(const quire_facts *c, uint64_t end_ns, char *buf, size_t len)
{
    buf[0] = 0;
    if (!c->loaded) return buf;
    const char *cap = quire_check_cap(c);
    /* a close counts when it belongs to the connection the capture ends with */
    uint64_t conn = c->last_frame[0] ? c->last_conn[0] : c->last_conn[1];
    int ok[2] = {c->close[0].frame && c->close[0].conn == conn,
                 c->close[1].frame && c->close[1].conn == conn};
    for (int s = 0; s < 2; s++) {
        if (!ok[s] || (ok[1 - s] && c->close[1 - s].frame < c->close[s].frame)) continue;
        char name[64];
        if (c->close[s].app)
            snprintf(name, sizeof name, "application error 0x%llx",
                     (unsigned long long)c->close[s].error);
        else
            transport_error_name(c->close[s].error, name, sizeof name);
        snprintf(buf, len, "CONNECTION_CLOSE from the %s at %s frame %llu: %s%s%s%s",
                 s ? "server" : "client", cap, (unsigned long long)c->close[s].frame, name,
                 c->close[s].reason[0] ? " '" : "", c->close[s].reason,
                 c->close[s].reason[0] ? "'" : "");
        return buf;
    }
    const quire_facts_conn *lc = NULL; /* the last connection's handshake */
    for (size_t i = 0; i < c->nconns && !lc; i++)
        if (c->conns[i].first_frame == conn) lc = &c->conns[i];
    if (!c->last_frame[0] && !c->last_frame[1]) {
        snprintf(buf, len, "no QUIC packet in %s", cap);
    } else if (!c->last_frame[1]) {
        snprintf(buf, len, "no packet from the server in %s", cap);
    } else if (lc && lc->client_initials && !lc->client_handshakes) {
        /* with the keys, a server packet that does not decrypt was corrupted on the way, or is
         * a Handshake packet whose cipher is unknown because its ServerHello was lost */
        char bad[96] = "";
        if (c->have_keys && lc->undecryptable[1])
            snprintf(bad, sizeof bad, "; %llu of the server's %llu packets in it did not decrypt",
                     (unsigned long long)lc->undecryptable[1], (unsigned long long)lc->packets[1]);
        snprintf(buf, len,
                 "the last connection (%s frame %llu on) never completed its handshake: the "
                 "client sent %llu Initial packet%s and no Handshake packet%s",
                 cap, (unsigned long long)conn, (unsigned long long)lc->client_initials,
                 lc->client_initials == 1 ? "" : "s", bad);
    } else if (c->last_ns[0] > c->last_ns[1] + 1000000000ull) {
        snprintf(buf, len,
                 "the server's last packet at %s frame %llu, %.1f s before the "
                 "client's last (frame %llu)",
                 cap, (unsigned long long)c->last_frame[1],
                 (double)(c->last_ns[0] - c->last_ns[1]) / 1e9,
                 (unsigned long long)c->last_frame[0]);
    } else {
        int s = c->last_ns[0] > c->last_ns[1] ? 0 : 1; /* who sent the last packet */
        if (end_ns > c->last_ns[s] + 2000000000ull)
            snprintf(buf, len,
                     "no packet in either direction for the last %.1f s of the test (the last: "
                     "%s frame %llu, from the %s)",
                     (double)(end_ns - c->last_ns[s]) / 1e9, cap,
                     (unsigned long long)c->last_frame[s], s ? "server" : "client");
    }
    return buf;
}

void quire_check_spec(const quire_check_ctx *ctx)
{
    static const char *const names[2] = {"trace_node_left.pcap", "trace_node_right.pcap"};
    quire_spec *sp = specs_new(ctx);
    if (!sp) return;
    if (!ctx->sim_dir) {
        specs_done(ctx, sp, 0, names);
        return;
    }
    char keys[4200];
    int have_keys = merge_keylogs(ctx, keys, sizeof keys), ok = 1;
    for (int i = 0; i < 2 && ok; i++) {
        char cap[4200];
        snprintf(cap, sizeof cap, "%s/%s", ctx->sim_dir, names[i]);
        quire_trace *t = calloc(1, sizeof *t);
        ok = t && quire_spec_check_file(&sp[i], t, cap, have_keys ? keys : NULL) == 0;
        if (t) quire_trace_free(t);
        free(t);
    }
    specs_done(ctx, sp, ok, names);
}

void quire_check_add_exit_hint(const quire_check_ctx *ctx, char *why, size_t whylen)
{
    if (!ctx->sim_dir) return;
    char keys[4200], cap[4200], hint[512];
    int have_keys = merge_keylogs(ctx, keys, sizeof keys);
    snprintf(cap, sizeof cap, "%s/trace_node_left.pcap", ctx->sim_dir);
    quire_facts *f = calloc(1, sizeof *f);
    if (!f) return;
    if (!quire_facts_scan(f, cap, have_keys ? keys : NULL) &&
        quire_check_trace_hint(f, ctx->end_ns, hint, sizeof hint)[0]) {
        size_t n = strlen(why);
        if (n + 2 < whylen) snprintf(why + n, whylen - n, "; %s", hint);
    }
    free(f);
}

/* The capture's file name without its directory, for explanations. */
const char *quire_check_cap(const quire_facts *f)
{
    const char *s = strrchr(f->capture, '/');
    return s ? s + 1 : f->capture;
}

quire_verdict quire_check_need_keylog(const quire_check_data *d, char *why, size_t whylen)
{
    if (d->keylog) return QUIRE_VERDICT_NONE;
    snprintf(why, whylen,
             "cannot check the test: SSLKEYLOG required, but neither the client nor "
             "the server wrote a key log (/logs/keys.log)");
    return QUIRE_VERDICT_UNSUPPORTED;
}

quire_verdict quire_check_handshakes(const quire_check_data *d, size_t want, char *why,
                                     size_t whylen)
{
    const quire_facts *s = d->server;
    if (s->nhs == want) return QUIRE_VERDICT_NONE;
    size_t off = (size_t)snprintf(why, whylen,
                                  "expected exactly %zu handshake%s, got %zu (distinct SCIDs of "
                                  "server Initials in %s",
                                  want, want == 1 ? "" : "s", s->nhs, quire_check_cap(s));
    for (size_t i = 0; i < s->nhs && i < 4 && off < whylen; i++)
        off += (size_t)snprintf(why + off, whylen - off, "%s frame %llu", i ? "," : ":",
                                (unsigned long long)s->hs[i].frame);
    if (off < whylen) snprintf(why + off, whylen - off, "%s)", s->nhs > 4 ? ", ..." : "");
    return QUIRE_VERDICT_FAILED;
}

quire_verdict quire_check_version_and_files(const quire_check_data *d, char *why, size_t whylen)
{
    const quire_facts_versions *v = &d->server->server_initial;
    char b[256];
    if (v->n != 1 || v->v[0] != 0x00000001) {
        snprintf(why, whylen,
                 "expected exactly one version (0x1) in the server's Initials in %s, "
                 "got %s",
                 quire_check_cap(d->server), quire_facts_versions_str(v, b, sizeof b));
        return QUIRE_VERDICT_FAILED;
    }
    if (d->files != QUIRE_VERDICT_SUCCEEDED) {
        snprintf(why, whylen, "%s", d->files_why);
        return QUIRE_VERDICT_FAILED;
    }
    return QUIRE_VERDICT_NONE;
}

quire_verdict quire_check_no_retry(const quire_check_data *d, char *why, size_t whylen)
{
    const quire_facts *c = d->client;
    if (!c->retries) return QUIRE_VERDICT_NONE;
    snprintf(why, whylen, "did not expect a Retry: %s frame %llu", quire_check_cap(c),
             (unsigned long long)c->first_retry_frame);
    return QUIRE_VERDICT_FAILED;
}
