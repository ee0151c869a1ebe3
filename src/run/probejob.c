/* The probe column of `quire run --probe` (see probejob.h). */
#include "run/probejob.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "probe/cases.h"
#include "util/err.h"
#include "util/words.h"

static const quire_impl probe_client = {
    .name = "quire-probe",
    .url = "",
    .roles = QUIRE_ROLE_BIT(QUIRE_ROLE_CLIENT),
    .probed = 1,
    .runnable = 1,
};

static const quire_testcase probe_row = {
    .name = "probe",
    .abbr = "PR",
    .desc = "quire probe's cases (docs/probe.md): the server's reactions to a client that "
            "breaks RFC 9000/9001 rules.",
    .testcase_server = "handshake",
    .testcase_client = "handshake",
    .files = {{1, 1024}},
    .scenario = "simple-p2p --delay=15ms --bandwidth=10Mbps --queue=25",
    .timeout_s = 400, /* 57 cases; a server silent on many waits out --wait on each */
    .expect_s = 90,
    .cert_chain_len = 1,
    .probe = 1,
};

const quire_impl *quire_probe_job_client(void)
{
    return &probe_client;
}

const quire_testcase *quire_probe_job_testcase(void)
{
    return &probe_row;
}

int quire_probe_job_argv(const char *exe, const char *server_addr, const char *alpn,
                         const char *requests, const char *cases, char *buf, size_t buflen,
                         const char **argv, size_t max)
{
    /* the path of the first URL, https://host:443/PATH */
    const char *p = requests ? strstr(requests, "://") : NULL;
    p = p ? strchr(p + 3, '/') : NULL;
    size_t plen = p ? strcspn(p, " ") : 0;
    int first = cases && !quire_words_has(cases, ",", "handshake", 9); /* the verdict needs it */
    int n = snprintf(buf, buflen, "%s:443%c%.*s%c%s%s", server_addr, 0, (int)(plen ? plen : 1),
                     plen ? p : "/", 0, first ? "handshake," : "", cases ? cases : "");
    if (n < 0 || (size_t)n >= buflen || max < 20) return QUIRE_ERR_INVALID;
    const char *get = buf + strlen(buf) + 1, *sel = get + strlen(get) + 1;
    const char *v[] = {exe,      "probe",  "--role", "client", "-s",     buf,
                       "--alpn", alpn ? alpn : "hq-interop",   "--get",  get,
                       "--wait", "1000",   "--json", "/logs/probe.json", "--keylog",
                       "/logs/keys.log",   cases ? "-t" : NULL,          sel,
                       NULL};
    memcpy(argv, v, sizeof v);
    return 0;
}

int quire_probe_job_check_cases(const char *cases, char *why, size_t whylen)
{
    const char *p = cases;
    do {
        size_t n = strcspn(p, ",");
        char name[64];
        if (!n || n >= sizeof name) {
            snprintf(why, whylen, "'%s': an empty or overlong case name", cases);
            return QUIRE_ERR_INVALID;
        }
        memcpy(name, p, n);
        name[n] = 0;
        if (!quire_pcase_find(name)) {
            snprintf(why, whylen, "unknown probe case '%s' (see 'quire probe --list')", name);
            return QUIRE_ERR_INVALID;
        }
        p += n;
    } while (*p++ == ',');
    return 0;
}

int quire_probe_summary_read(const char *path, quire_probe_summary *s, char *why, size_t whylen)
{
    memset(s, 0, sizeof *s);
    json_error_t err;
    json_t *root = json_load_file(path, 0, &err);
    if (!root) {
        snprintf(why, whylen, "%s: %s", path, err.text);
        return err.line < 0 ? QUIRE_ERR_IO : QUIRE_ERR_MALFORMED;
    }
    json_t *cases = json_object_get(root, "cases");
    int rc = 0;
    if (!json_is_array(cases)) {
        snprintf(why, whylen, "%s: no \"cases\" array", path);
        rc = QUIRE_ERR_MALFORMED;
    }
    size_t i, off = 0;
    json_t *c;
    json_array_foreach(rc ? NULL : cases, i, c)
    {
        const char *name = json_string_value(json_object_get(c, "name"));
        const char *verdict = json_string_value(json_object_get(c, "verdict"));
        const char *detail = json_string_value(json_object_get(c, "detail"));
        if (!name || !verdict) {
            snprintf(why, whylen, "%s: cases[%zu] has no name or verdict", path, i);
            rc = QUIRE_ERR_MALFORMED;
            break;
        }
        snprintf(s->last, sizeof s->last, "%s", name);
        if (!strcmp(verdict, "passed")) {
            s->passed++;
            if (!strcmp(name, "handshake")) s->handshake_passed = 1;
            continue;
        }
        if (!strcmp(name, "handshake"))
            snprintf(s->handshake_why, sizeof s->handshake_why, "%s", detail ? detail : verdict);
        if (strcmp(verdict, "failed")) {
            s->not_applicable++;
            continue;
        }
        s->failed++;
        size_t len = strlen(name);
        if (off + len + 2 < sizeof s->failed_cases && !strchr(name, ','))
            off += (size_t)snprintf(s->failed_cases + off, sizeof s->failed_cases - off, "%s%s",
                                    off ? "," : "", name);
    }
    json_decref(root);
    return rc;
}

quire_verdict quire_probe_job_judge(const quire_check_ctx *ctx, char *why, size_t whylen)
{
    char s[64];
    if (ctx->client.kind == QUIRE_EXIT_TIMEOUT) {
        snprintf(why, whylen, "the probe %s",
                 quire_check_exit_str(&ctx->client, ctx->timeout_s, s, sizeof s));
        return QUIRE_VERDICT_FAILED;
    }
    if (ctx->server.kind == QUIRE_EXIT_CODE && ctx->server.code == 127) {
        snprintf(why, whylen, "server does not support the test case (exit code 127)");
        return QUIRE_VERDICT_UNSUPPORTED;
    }
    char path[4200], err[300];
    snprintf(path, sizeof path, "%s/probe.json", ctx->client_log_dir);
    quire_probe_summary sum;
    quire_verdict v = QUIRE_VERDICT_FAILED;
    if (quire_probe_summary_read(path, &sum, err, sizeof err))
        snprintf(why, whylen, "the probe wrote no results (client %s; %s)",
                 quire_check_exit_str(&ctx->client, ctx->timeout_s, s, sizeof s), err);
    else if (!sum.handshake_passed)
        snprintf(why, whylen, "the probe's handshake failed: %s",
                 sum.handshake_why[0] ? sum.handshake_why : "no handshake case");
    else if (sum.failed)
        snprintf(why, whylen, "%u of %u cases failed: %s", sum.failed,
                 sum.passed + sum.failed + sum.not_applicable, sum.failed_cases);
    else {
        snprintf(why, whylen, "%u cases passed, %u not applicable", sum.passed,
                 sum.not_applicable);
        v = QUIRE_VERDICT_SUCCEEDED;
    }
    /* the case after the last one written (the probe runs the table in order) stopped it */
    if (ctx->server.kind == QUIRE_EXIT_CODE || ctx->server.kind == QUIRE_EXIT_SIGNAL) {
        size_t n, i = 0, len = strlen(why);
        const quire_pcase *t = quire_pcase_table(&n);
        while (sum.last[0] && i < n && strcmp(t[i].name, sum.last))
            i++;
        const char *during = !sum.last[0] ? t[0].name : i + 1 < n ? t[i + 1].name : NULL;
        if (len < whylen - 1)
            snprintf(why + len, whylen - len, "; the server %s during the probe%s%s",
                     quire_check_exit_str(&ctx->server, ctx->timeout_s, s, sizeof s),
                     during ? ", in case " : "", during ? during : "");
        v = QUIRE_VERDICT_FAILED;
    }
    return v;
}

int quire_probe_job_record(quire_result *r, const char *log_dir, const char *server,
                           quire_verdict v, const char *explanation, double duration,
                           const char *log)
{
    quire_result_probe p = {
        .verdict = v,
        .explanation = (char *)explanation,
        .duration = duration,
        .log = (char *)log,
    };
    quire_probe_summary sum;
    char path[4600], err[300];
    if (log && log_dir) {
        snprintf(path, sizeof path, "%s/%s/client/probe.json", log_dir, log);
        if (!quire_probe_summary_read(path, &sum, err, sizeof err)) {
            p.passed = sum.passed;
            p.failed = sum.failed;
            p.not_applicable = sum.not_applicable;
            p.failed_cases = sum.failed_cases[0] ? sum.failed_cases : NULL;
        }
    }
    return quire_result_set_probe(r, server, &p);
}
