/* NSS key log parser (see keylog.h). Format: one "<LABEL> <client_random> <secret>" per line,
 * hex, separated by spaces or tabs; as read by Wireshark and written by TLS libraries when
 * SSLKEYLOGFILE is set. */
#include "trace/keylog.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "util/err.h"

static const char *const label_names[QUIRE_KEYLOG_LABEL_COUNT] = {
    "CLIENT_EARLY_TRAFFIC_SECRET",     "CLIENT_HANDSHAKE_TRAFFIC_SECRET",
    "SERVER_HANDSHAKE_TRAFFIC_SECRET", "CLIENT_TRAFFIC_SECRET_0",
    "SERVER_TRAFFIC_SECRET_0",
};

void quire_keylog_init(quire_keylog *kl)
{
    memset(kl, 0, sizeof *kl);
}

void quire_keylog_free(quire_keylog *kl)
{
    if (kl->entries) OPENSSL_cleanse(kl->entries, kl->cap * sizeof *kl->entries);
    free(kl->entries);
    memset(kl, 0, sizeof *kl);
}

const char *quire_keylog_label_name(quire_keylog_label label)
{
    return (unsigned)label < QUIRE_KEYLOG_LABEL_COUNT ? label_names[label] : "?";
}

static quire_keylog_entry *find_entry(const quire_keylog *kl, const uint8_t *random)
{
    /* Newest first: a key log that grows over a run is usually searched for recent
     * connections. */
    for (size_t i = kl->count; i-- > 0;)
        if (!memcmp(kl->entries[i].client_random, random, QUIRE_KEYLOG_RANDOM_LEN))
            return &kl->entries[i];
    return NULL;
}

static quire_keylog_entry *add_entry(quire_keylog *kl, const uint8_t *random)
{
    if (kl->count == kl->cap) {
        size_t cap = kl->cap ? kl->cap * 2 : 16;
        quire_keylog_entry *e = calloc(cap, sizeof *e);
        if (!e) return NULL;
        if (kl->count) memcpy(e, kl->entries, kl->count * sizeof *e);
        if (kl->entries) OPENSSL_cleanse(kl->entries, kl->cap * sizeof *kl->entries);
        free(kl->entries);
        kl->entries = e;
        kl->cap = cap;
    }
    quire_keylog_entry *e = &kl->entries[kl->count++];
    memset(e, 0, sizeof *e);
    memcpy(e->client_random, random, QUIRE_KEYLOG_RANDOM_LEN);
    return e;
}

static void bad_line(quire_keylog *kl, const char *name, size_t line, const char *what)
{
    if (!kl->bad_lines++)
        snprintf(kl->error, sizeof kl->error, "%s:%zu: %s", name ? name : "keylog", line, what);
}

static int is_space(char c)
{
    return c == ' ' || c == '\t';
}

/* Splits the next whitespace-separated field off [*p, end). */
static size_t next_field(const char **p, const char *end, const char **field)
{
    while (*p < end && is_space(**p))
        (*p)++;
    *field = *p;
    while (*p < end && !is_space(**p))
        (*p)++;
    return (size_t)(*p - *field);
}

/* Returns 1 if a secret was stored, 0 if the line was skipped, or QUIRE_ERR_NOMEM. */
static int parse_line(quire_keylog *kl, const char *s, const char *end, const char *name,
                      size_t line)
{
    const char *f;
    size_t n = next_field(&s, end, &f);
    if (n == 0 || f[0] == '#') return 0;
    int label = -1;
    for (int i = 0; i < QUIRE_KEYLOG_LABEL_COUNT; i++)
        if (strlen(label_names[i]) == n && !memcmp(f, label_names[i], n)) label = i;
    if (label < 0) return 0; /* CLIENT_RANDOM, EXPORTER_SECRET, ...: not needed for QUIC */

    uint8_t random[QUIRE_KEYLOG_RANDOM_LEN], secret[QUIRE_CRYPTO_MAX_HASH];
    n = next_field(&s, end, &f);
    if (n == 0) {
        bad_line(kl, name, line, "missing client random");
        return 0;
    }
    if (n != 2 * QUIRE_KEYLOG_RANDOM_LEN ||
        quire_crypto_unhex(f, n, random, sizeof random) != QUIRE_KEYLOG_RANDOM_LEN) {
        bad_line(kl, name, line, "client random is not 64 hex digits");
        return 0;
    }
    n = next_field(&s, end, &f);
    if (n == 0) {
        bad_line(kl, name, line, "missing secret");
        return 0;
    }
    int slen = (n == 64 || n == 96) ? quire_crypto_unhex(f, n, secret, sizeof secret) : -1;
    if (slen < 0) {
        bad_line(kl, name, line, "secret is not 64 or 96 hex digits (SHA-256 or SHA-384)");
        return 0;
    }
    const char *rest;
    if (next_field(&s, end, &rest)) {
        bad_line(kl, name, line, "unexpected text after the secret");
        return 0;
    }
    quire_keylog_entry *e = find_entry(kl, random);
    if (!e && !(e = add_entry(kl, random))) return QUIRE_ERR_NOMEM;
    memcpy(e->secret[label], secret, (size_t)slen);
    e->len[label] = (uint8_t)slen;
    OPENSSL_cleanse(secret, sizeof secret);
    return 1;
}

int quire_keylog_parse(quire_keylog *kl, const char *text, size_t len, const char *name)
{
    if (len == 0) return 0; /* text may then be NULL (an empty quire_buf) */
    const char *p = text, *end = text + len;
    size_t added = 0, line = kl->lines;
    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        const char *le = eol ? eol : end;
        line++;
        const char *stop = le;
        if (stop > p && stop[-1] == '\r') stop--;
        int rv = parse_line(kl, p, stop, name, line - kl->lines);
        if (rv < 0) {
            kl->lines = line;
            return rv;
        }
        added += (size_t)rv;
        p = eol ? eol + 1 : end;
    }
    kl->lines = line;
    return added > INT32_MAX ? INT32_MAX : (int)added;
}

int quire_keylog_load(quire_keylog *kl, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        int e = errno;
        snprintf(kl->error, sizeof kl->error, "%s: %s", path, strerror(e));
        errno = e;
        return QUIRE_ERR_IO;
    }
    char *buf = NULL;
    size_t len = 0, cap = 0;
    int rv = 0;
    for (;;) {
        if (len == cap) {
            size_t ncap = cap ? cap * 2 : 65536;
            char *nb = realloc(buf, ncap);
            if (!nb) {
                rv = QUIRE_ERR_NOMEM;
                break;
            }
            buf = nb;
            cap = ncap;
        }
        size_t n = fread(buf + len, 1, cap - len, f);
        if (n == 0) {
            if (ferror(f)) {
                int e = errno;
                snprintf(kl->error, sizeof kl->error, "%s: %s", path, strerror(e));
                rv = QUIRE_ERR_IO;
            }
            break;
        }
        len += n;
    }
    fclose(f);
    if (!rv) rv = quire_keylog_parse(kl, buf, len, path);
    if (buf) OPENSSL_cleanse(buf, len);
    free(buf);
    return rv;
}

const quire_keylog_entry *quire_keylog_find(const quire_keylog *kl,
                                            const uint8_t random[QUIRE_KEYLOG_RANDOM_LEN])
{
    return find_entry(kl, random);
}

const uint8_t *quire_keylog_secret(const quire_keylog *kl,
                                   const uint8_t random[QUIRE_KEYLOG_RANDOM_LEN],
                                   quire_keylog_label label, size_t *len)
{
    if ((unsigned)label >= QUIRE_KEYLOG_LABEL_COUNT) return NULL;
    const quire_keylog_entry *e = find_entry(kl, random);
    if (!e || !e->len[label]) return NULL;
    *len = e->len[label];
    return e->secret[label];
}

static int put_hex(quire_buf *out, const uint8_t *p, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    int rv = quire_buf_reserve(out, 2 * n);
    if (rv) return rv;
    for (size_t i = 0; i < n; i++) {
        out->data[out->len++] = (uint8_t)digits[p[i] >> 4];
        out->data[out->len++] = (uint8_t)digits[p[i] & 15];
    }
    out->data[out->len] = 0;
    return 0;
}

int quire_keylog_format(const quire_keylog *kl, quire_buf *out)
{
    for (size_t i = 0; i < kl->count; i++) {
        const quire_keylog_entry *e = &kl->entries[i];
        for (int l = 0; l < QUIRE_KEYLOG_LABEL_COUNT; l++) {
            if (!e->len[l]) continue;
            int rv = quire_buf_printf(out, "%s ", label_names[l]);
            if (!rv) rv = put_hex(out, e->client_random, QUIRE_KEYLOG_RANDOM_LEN);
            if (!rv) rv = quire_buf_putc(out, ' ');
            if (!rv) rv = put_hex(out, e->secret[l], e->len[l]);
            if (!rv) rv = quire_buf_putc(out, '\n');
            if (rv) return rv;
        }
    }
    return 0;
}
