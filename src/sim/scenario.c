/* Parser of the QUIC network simulator's scenario strings (see scenario.h). Option names and
 * semantics follow quic-network-simulator's sim/scenarios/<name>/<name>.cc; values follow
 * ns-3's Time, DataRate and QueueSize syntax. Text is read through quire_cursor. */
#include "sim/scenario.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/cursor.h"
#include "util/err.h"

#define MAX_WORDS 64
#define MAX_TEXT 4096

typedef struct unit {
    const char *name;
    double mult;
} unit;

/* ns-3 Time units; a bare number is seconds. */
static const unit time_units[] = {
    {"s", 1e9}, {"ms", 1e6}, {"us", 1e3}, {"ns", 1}, {"ps", 1e-3}, {"fs", 1e-6},
    {"min", 60e9}, {"h", 3600e9}, {"d", 86400e9}, {"", 1e9},
};

/* ns-3 DataRate units: b = bits, B = bytes, SI (k, M, G) and binary (Ki, Mi, Gi) prefixes,
 * "ps" or "/s" suffix; a bare number is bit/s. */
static const unit rate_units[] = {
    {"bps", 1}, {"b/s", 1}, {"Bps", 8}, {"B/s", 8},
    {"kbps", 1e3}, {"kb/s", 1e3}, {"Kbps", 1e3}, {"Kb/s", 1e3},
    {"kBps", 8e3}, {"kB/s", 8e3}, {"KBps", 8e3}, {"KB/s", 8e3},
    {"Kibps", 1024.}, {"Kib/s", 1024.}, {"KiBps", 8192.}, {"KiB/s", 8192.},
    {"Mbps", 1e6}, {"Mb/s", 1e6}, {"MBps", 8e6}, {"MB/s", 8e6},
    {"Mibps", 1048576.}, {"Mib/s", 1048576.}, {"MiBps", 8388608.}, {"MiB/s", 8388608.},
    {"Gbps", 1e9}, {"Gb/s", 1e9}, {"GBps", 8e9}, {"GB/s", 8e9},
    {"Gibps", 1073741824.}, {"Gib/s", 1073741824.}, {"GiBps", 8589934592.},
    {"GiB/s", 8589934592.}, {"", 1},
};

/* Reads an unsigned decimal number with an optional fraction; leaves the cursor on the unit. */
static int read_number(quire_cursor *c, double *out)
{
    double v = 0, scale = 0;
    int digits = 0;
    while (quire_cursor_left(c)) {
        uint8_t ch = c->p[0];
        if (ch >= '0' && ch <= '9') {
            v = v * 10 + (ch - '0');
            if (scale > 0) scale *= 10;
            digits++;
        } else if (ch == '.' && scale == 0) {
            scale = 1;
        } else {
            break;
        }
        (void)quire_cursor_skip(c, 1);
        if (digits > 18) return QUIRE_ERR_INVALID;
    }
    if (!digits) return QUIRE_ERR_INVALID;
    *out = scale > 0 ? v / scale : v;
    return 0;
}

static int parse_with_units(const char *s, const unit *units, size_t nunits, double *out)
{
    quire_cursor c;
    double v;
    quire_cursor_init(&c, s, strlen(s));
    if (read_number(&c, &v)) return QUIRE_ERR_INVALID;
    size_t ulen = quire_cursor_left(&c);
    for (size_t i = 0; i < nunits; i++) {
        if (strlen(units[i].name) == ulen && !memcmp(units[i].name, c.p, ulen)) {
            *out = v * units[i].mult;
            return 0;
        }
    }
    return QUIRE_ERR_INVALID;
}

int quire_scenario_parse_time(const char *s, uint64_t *ns)
{
    double v;
    if (parse_with_units(s, time_units, sizeof time_units / sizeof time_units[0], &v))
        return QUIRE_ERR_INVALID;
    if (!(v < 1e18)) return QUIRE_ERR_INVALID; /* ~31 years is plenty */
    *ns = (uint64_t)llround(v);
    return 0;
}

int quire_scenario_parse_rate(const char *s, uint64_t *bps)
{
    double v;
    if (parse_with_units(s, rate_units, sizeof rate_units / sizeof rate_units[0], &v))
        return QUIRE_ERR_INVALID;
    if (!(v < 1e15)) return QUIRE_ERR_INVALID;
    *bps = (uint64_t)llround(v);
    return 0;
}

static int parse_uint(const char *s, uint64_t max, uint64_t *out)
{
    quire_cursor c;
    double v;
    quire_cursor_init(&c, s, strlen(s));
    if (read_number(&c, &v) || quire_cursor_left(&c) || v != floor(v) || v > (double)max)
        return QUIRE_ERR_INVALID;
    *out = (uint64_t)v;
    return 0;
}

static int parse_queue(const char *s, uint32_t *out)
{
    char tmp[32];
    size_t n = strlen(s);
    uint64_t v;
    if (n == 0 || n >= sizeof tmp) return QUIRE_ERR_INVALID;
    memcpy(tmp, s, n + 1);
    if (tmp[n - 1] == 'p') tmp[n - 1] = '\0'; /* ns-3 QueueSize "25p" */
    if (parse_uint(tmp, 1000000, &v)) return QUIRE_ERR_INVALID;
    *out = (uint32_t)v;
    return 0;
}

static int parse_pct(const char *s, double *out)
{
    quire_cursor c;
    double v;
    quire_cursor_init(&c, s, strlen(s));
    if (read_number(&c, &v) || quire_cursor_left(&c) || v > 100) return QUIRE_ERR_INVALID;
    *out = v;
    return 0;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* "1,3,7": 1-based indices; duplicates are removed. An empty list is allowed. */
static int parse_droplist(const char *s, quire_impair_cfg *d)
{
    quire_cursor c;
    quire_cursor_init(&c, s, strlen(s));
    d->ndrops = 0;
    while (quire_cursor_left(&c)) {
        double v;
        if (read_number(&c, &v) || v != floor(v) || v < 1 || v > 4294967295.0)
            return QUIRE_ERR_INVALID;
        if (d->ndrops == QUIRE_SCENARIO_MAX_DROPS) return QUIRE_ERR_INVALID;
        d->drops[d->ndrops++] = (uint32_t)v;
        if (!quire_cursor_left(&c)) break;
        uint8_t comma;
        if (quire_cursor_u8(&c, &comma) || comma != ',' || !quire_cursor_left(&c))
            return QUIRE_ERR_INVALID;
    }
    qsort(d->drops, d->ndrops, sizeof d->drops[0], cmp_u32);
    size_t w = 0;
    for (size_t i = 0; i < d->ndrops; i++)
        if (w == 0 || d->drops[w - 1] != d->drops[i]) d->drops[w++] = d->drops[i];
    d->ndrops = w;
    return 0;
}

/* Scenario bits for the option table. */
#define S(k) (1u << (k))
#define ALL 0xffu

enum opt_id {
    O_DELAY, O_BANDWIDTH, O_QUEUE, O_RATE_C, O_RATE_S, O_BURST_C, O_BURST_S, O_DROPS_C,
    O_DROPS_S, O_ON, O_OFF, O_REPEAT, O_DIRECTION, O_FIRST_REBIND, O_REBIND_FREQ,
    O_REBIND_ADDR, O_CROSS_RATE, O_NOPTS
};

typedef struct option {
    const char *name;
    unsigned scenarios;
    int is_flag; /* boolean, may appear without "=value" */
} option;

#define RATE_SC (S(QUIRE_SCENARIO_DROP_RATE) | S(QUIRE_SCENARIO_CORRUPT_RATE))
static const option options[O_NOPTS] = {
    [O_DELAY] = {"delay", ALL, 0},
    [O_BANDWIDTH] = {"bandwidth", ALL, 0},
    [O_QUEUE] = {"queue", ALL, 0},
    [O_RATE_C] = {"rate_to_client", RATE_SC, 0},
    [O_RATE_S] = {"rate_to_server", RATE_SC, 0},
    [O_BURST_C] = {"burst_to_client", RATE_SC, 0},
    [O_BURST_S] = {"burst_to_server", RATE_SC, 0},
    [O_DROPS_C] = {"drops_to_client", S(QUIRE_SCENARIO_DROPLIST), 0},
    [O_DROPS_S] = {"drops_to_server", S(QUIRE_SCENARIO_DROPLIST), 0},
    [O_ON] = {"on", S(QUIRE_SCENARIO_BLACKHOLE), 0},
    [O_OFF] = {"off", S(QUIRE_SCENARIO_BLACKHOLE), 0},
    [O_REPEAT] = {"repeat", S(QUIRE_SCENARIO_BLACKHOLE), 0},
    [O_DIRECTION] = {"direction", S(QUIRE_SCENARIO_BLACKHOLE), 0},
    [O_FIRST_REBIND] = {"first-rebind", S(QUIRE_SCENARIO_REBIND), 0},
    [O_REBIND_FREQ] = {"rebind-freq", S(QUIRE_SCENARIO_REBIND), 0},
    [O_REBIND_ADDR] = {"rebind-addr", S(QUIRE_SCENARIO_REBIND), 1},
    [O_CROSS_RATE] = {"crossdatarate", S(QUIRE_SCENARIO_UDP_CROSS), 0},
};

static const struct {
    const char *name;
    quire_scenario_kind kind;
} scenario_names[] = {
    {"simple-p2p", QUIRE_SCENARIO_SIMPLE_P2P},   {"drop-rate", QUIRE_SCENARIO_DROP_RATE},
    {"corrupt-rate", QUIRE_SCENARIO_CORRUPT_RATE}, {"droplist", QUIRE_SCENARIO_DROPLIST},
    {"blackhole", QUIRE_SCENARIO_BLACKHOLE},     {"rebind", QUIRE_SCENARIO_REBIND},
    {"udp-cross-traffic", QUIRE_SCENARIO_UDP_CROSS},
    {"tcp-cross-traffic", QUIRE_SCENARIO_TCP_CROSS},
};

static int fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return QUIRE_ERR_INVALID;
}

/* Applies one "--name=value" word (position pos, 1-based, for messages). */
static int apply(quire_scenario *sc, enum opt_id id, const char *val, size_t pos, char *err,
                 size_t errlen)
{
    const char *name = options[id].name;
    uint64_t u;
    int bad = 0;
    switch (id) {
    case O_DELAY: bad = quire_scenario_parse_time(val, &sc->delay_ns); break;
    case O_BANDWIDTH: bad = quire_scenario_parse_rate(val, &sc->rate_bps); break;
    case O_QUEUE: bad = parse_queue(val, &sc->queue); break;
    case O_RATE_C:
    case O_RATE_S: {
        quire_impair_cfg *d = &sc->dir[id == O_RATE_C ? QUIRE_DIR_TO_CLIENT : QUIRE_DIR_TO_SERVER];
        double pct = 0;
        bad = parse_pct(val, &pct);
        if (sc->kind == QUIRE_SCENARIO_DROP_RATE) d->loss_pct = pct;
        else d->corrupt_pct = pct;
        break;
    }
    case O_BURST_C:
    case O_BURST_S:
        bad = parse_uint(val, UINT32_MAX, &u);
        if (!bad && u == 0) bad = 1; /* 0 would mean "never"; the rate already says that */
        sc->dir[id == O_BURST_C ? QUIRE_DIR_TO_CLIENT : QUIRE_DIR_TO_SERVER].burst = (uint32_t)u;
        break;
    case O_DROPS_C:
        bad = parse_droplist(val, &sc->dir[QUIRE_DIR_TO_CLIENT]);
        break;
    case O_DROPS_S:
        bad = parse_droplist(val, &sc->dir[QUIRE_DIR_TO_SERVER]);
        break;
    case O_ON: bad = quire_scenario_parse_time(val, &sc->bh_on_ns); break;
    case O_OFF: bad = quire_scenario_parse_time(val, &sc->bh_off_ns); break;
    case O_REPEAT:
        bad = parse_uint(val, 1000000, &u) || u == 0;
        sc->bh_repeat = (uint32_t)u;
        break;
    case O_DIRECTION:
        if (!strcmp(val, "both")) {
            sc->dir[0].blackhole = sc->dir[1].blackhole = 1;
        } else if (!strcmp(val, "toclient")) {
            sc->dir[QUIRE_DIR_TO_CLIENT].blackhole = 1;
            sc->dir[QUIRE_DIR_TO_SERVER].blackhole = 0;
        } else if (!strcmp(val, "toserver")) {
            sc->dir[QUIRE_DIR_TO_SERVER].blackhole = 1;
            sc->dir[QUIRE_DIR_TO_CLIENT].blackhole = 0;
        } else {
            return fail(err, errlen, "scenario word %zu: --direction must be both, toclient or "
                        "toserver, not '%s'", pos, val);
        }
        break;
    case O_FIRST_REBIND: bad = quire_scenario_parse_time(val, &sc->first_rebind_ns); break;
    case O_REBIND_FREQ: bad = quire_scenario_parse_time(val, &sc->rebind_freq_ns); break;
    case O_REBIND_ADDR:
        if (!val || !strcmp(val, "true") || !strcmp(val, "1")) sc->rebind_addr = 1;
        else if (!strcmp(val, "false") || !strcmp(val, "0")) sc->rebind_addr = 0;
        else bad = 1;
        break;
    case O_CROSS_RATE: bad = quire_scenario_parse_rate(val, &sc->cross_rate_bps); break;
    case O_NOPTS: break;
    }
    if (bad)
        return fail(err, errlen, "scenario word %zu: bad value '%s' for --%s", pos,
                    val ? val : "", name);
    return 0;
}

int quire_scenario_parse(quire_scenario *sc, int argc, char *const *argv, char *err,
                         size_t errlen)
{
    char text[MAX_TEXT];
    char *words[MAX_WORDS];
    size_t nwords = 0, used = 0;
    int seen[O_NOPTS] = {0};

    memset(sc, 0, sizeof *sc);
    if (err && errlen) err[0] = '\0';
    /* Join and re-split on white space, so "simple-p2p --delay=15ms" as one argument and as
     * separate arguments read the same. */
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        while (*a) {
            while (*a && isspace((unsigned char)*a)) a++;
            if (!*a) break;
            const char *start = a;
            while (*a && !isspace((unsigned char)*a)) a++;
            size_t n = (size_t)(a - start);
            if (nwords == MAX_WORDS || used + n + 1 > sizeof text)
                return fail(err, errlen, "scenario: too long (more than %d words or %d bytes)",
                            MAX_WORDS, MAX_TEXT);
            memcpy(text + used, start, n);
            text[used + n] = '\0';
            words[nwords++] = text + used;
            used += n + 1;
        }
    }
    if (nwords == 0) return fail(err, errlen, "scenario: missing scenario name");

    size_t k;
    for (k = 0; k < sizeof scenario_names / sizeof scenario_names[0]; k++)
        if (!strcmp(words[0], scenario_names[k].name)) break;
    if (k == sizeof scenario_names / sizeof scenario_names[0])
        return fail(err, errlen,
                    "scenario word 1: unknown scenario '%.64s' (known: simple-p2p, drop-rate, "
                    "corrupt-rate, droplist, blackhole, rebind, udp-cross-traffic, "
                    "tcp-cross-traffic)", words[0]);
    sc->kind = scenario_names[k].kind;
    sc->name = scenario_names[k].name;
    sc->bh_repeat = 1;
    sc->dir[0].blackhole = sc->dir[1].blackhole = 1;

    for (size_t i = 1; i < nwords; i++) {
        char *w = words[i];
        if (strncmp(w, "--", 2) || !w[2])
            return fail(err, errlen, "scenario word %zu: expected --name=value, got '%.64s'",
                        i + 1, w);
        char *name = w + 2, *val = strchr(name, '=');
        if (val) *val++ = '\0';
        enum opt_id id;
        for (id = 0; id < O_NOPTS; id++)
            if (!strcmp(options[id].name, name)) break;
        if (id == O_NOPTS || !(options[id].scenarios & S(sc->kind)))
            return fail(err, errlen, "scenario word %zu: %s has no option --%.64s", i + 1,
                        sc->name, name);
        if (!val && !options[id].is_flag)
            return fail(err, errlen, "scenario word %zu: --%s needs a value (--%s=...)", i + 1,
                        name, name);
        int rc = apply(sc, id, val, i + 1, err, errlen);
        if (rc) return rc;
        seen[id] = 1;
    }

    static const enum opt_id common[] = {O_DELAY, O_BANDWIDTH, O_QUEUE};
    for (size_t i = 0; i < 3; i++)
        if (!seen[common[i]])
            return fail(err, errlen, "scenario %s: missing --%s", sc->name,
                        options[common[i]].name);
    switch (sc->kind) {
    case QUIRE_SCENARIO_DROP_RATE:
    case QUIRE_SCENARIO_CORRUPT_RATE:
        if (!seen[O_RATE_C] || !seen[O_RATE_S])
            return fail(err, errlen, "scenario %s: missing --%s", sc->name,
                        seen[O_RATE_C] ? "rate_to_server" : "rate_to_client");
        break;
    case QUIRE_SCENARIO_BLACKHOLE:
        if (!seen[O_ON] || !seen[O_OFF])
            return fail(err, errlen, "scenario blackhole: missing --%s",
                        seen[O_ON] ? "off" : "on");
        break;
    case QUIRE_SCENARIO_REBIND:
        if (!seen[O_FIRST_REBIND])
            return fail(err, errlen, "scenario rebind: missing --first-rebind");
        break;
    case QUIRE_SCENARIO_UDP_CROSS:
        if (!seen[O_CROSS_RATE])
            return fail(err, errlen, "scenario udp-cross-traffic: missing --crossdatarate");
        break;
    default: break;
    }
    if (sc->kind != QUIRE_SCENARIO_BLACKHOLE) sc->dir[0].blackhole = sc->dir[1].blackhole = 0;
    return 0;
}

static void fmt_time(char *out, size_t n, uint64_t ns)
{
    if (ns % 1000000000u == 0) snprintf(out, n, "%llus", (unsigned long long)(ns / 1000000000u));
    else if (ns % 1000000u == 0) snprintf(out, n, "%llums", (unsigned long long)(ns / 1000000u));
    else if (ns % 1000u == 0) snprintf(out, n, "%lluus", (unsigned long long)(ns / 1000u));
    else snprintf(out, n, "%lluns", (unsigned long long)ns);
}

void quire_scenario_describe(const quire_scenario *sc, char *out, size_t outlen)
{
    char d[32], a[32], b[32];
    fmt_time(d, sizeof d, sc->delay_ns);
    int n = snprintf(out, outlen, "%s delay=%s bandwidth=%llubps queue=%u", sc->name, d,
                     (unsigned long long)sc->rate_bps, sc->queue);
    if (n < 0 || (size_t)n >= outlen) return;
    out += n;
    outlen -= (size_t)n;
    switch (sc->kind) {
    case QUIRE_SCENARIO_DROP_RATE:
    case QUIRE_SCENARIO_CORRUPT_RATE: {
        const quire_impair_cfg *c = &sc->dir[QUIRE_DIR_TO_CLIENT], *s = &sc->dir[QUIRE_DIR_TO_SERVER];
        int drop = sc->kind == QUIRE_SCENARIO_DROP_RATE;
        snprintf(out, outlen, " to_client=%g%% (burst %u) to_server=%g%% (burst %u)",
                 drop ? c->loss_pct : c->corrupt_pct, c->burst,
                 drop ? s->loss_pct : s->corrupt_pct, s->burst);
        break;
    }
    case QUIRE_SCENARIO_DROPLIST:
        snprintf(out, outlen, " drops_to_client=%zu drops_to_server=%zu",
                 sc->dir[QUIRE_DIR_TO_CLIENT].ndrops, sc->dir[QUIRE_DIR_TO_SERVER].ndrops);
        break;
    case QUIRE_SCENARIO_BLACKHOLE:
        fmt_time(a, sizeof a, sc->bh_on_ns);
        fmt_time(b, sizeof b, sc->bh_off_ns);
        snprintf(out, outlen, " on=%s off=%s repeat=%u direction=%s", a, b, sc->bh_repeat,
                 sc->dir[0].blackhole && sc->dir[1].blackhole ? "both"
                 : sc->dir[QUIRE_DIR_TO_CLIENT].blackhole  ? "toclient"
                                                           : "toserver");
        break;
    case QUIRE_SCENARIO_REBIND:
        fmt_time(a, sizeof a, sc->first_rebind_ns);
        fmt_time(b, sizeof b, sc->rebind_freq_ns);
        snprintf(out, outlen, " first-rebind=%s rebind-freq=%s rebind-addr=%d", a, b,
                 sc->rebind_addr);
        break;
    case QUIRE_SCENARIO_UDP_CROSS:
        snprintf(out, outlen, " crossdatarate=%llubps", (unsigned long long)sc->cross_rate_bps);
        break;
    default: break;
    }
}
