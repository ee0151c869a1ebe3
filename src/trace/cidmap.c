/* The capture's connection ID table (see cidmap.h): linear probing, FNV-1a, grown at half
 * full. */
#include "trace/cidmap.h"

#include <stdlib.h>
#include <string.h>

#include "util/err.h"

const char *quire_cid_hex(const uint8_t *id, size_t len, char *buf)
{
    static const char hx[] = "0123456789abcdef";
    if (len > QUIRE_MAX_CID_LEN) len = QUIRE_MAX_CID_LEN;
    for (size_t i = 0; i < len; i++) {
        buf[2 * i] = hx[id[i] >> 4];
        buf[2 * i + 1] = hx[id[i] & 15];
    }
    buf[2 * len] = 0;
    return buf;
}

static uint32_t cid_hash(const uint8_t *id, size_t len)
{
    uint32_t h = 2166136261u ^ (uint32_t)len;
    for (size_t i = 0; i < len; i++)
        h = (h ^ id[i]) * 16777619u;
    return h;
}

const quire_cidmap_entry *quire_cidmap_find(const quire_cidmap *m, const uint8_t *id, size_t len)
{
    if (!m->cap || len == 0 || len > QUIRE_MAX_CID_LEN) return NULL;
    size_t mask = m->cap - 1;
    for (size_t i = cid_hash(id, len) & mask;; i = (i + 1) & mask) {
        const quire_cidmap_entry *e = &m->slots[i];
        if (!e->conn) return NULL;
        if (e->len == len && !memcmp(e->id, id, len)) return e;
    }
}

/* Doubles the table. Returns 0 or QUIRE_ERR_NOMEM (the table unchanged). */
static int grow(quire_cidmap *m)
{
    size_t ncap = m->cap ? m->cap * 2 : 256;
    quire_cidmap_entry *n = calloc(ncap, sizeof *n);
    if (!n) return QUIRE_ERR_NOMEM;
    for (size_t i = 0; i < m->cap; i++) {
        const quire_cidmap_entry *e = &m->slots[i];
        if (!e->conn) continue;
        size_t j = cid_hash(e->id, e->len) & (ncap - 1);
        while (n[j].conn)
            j = (j + 1) & (ncap - 1);
        n[j] = *e;
    }
    free(m->slots);
    m->slots = n;
    m->cap = ncap;
    return 0;
}

int quire_cidmap_add(quire_cidmap *m, size_t conn, int owner, const uint8_t *id, size_t len)
{
    if (len == 0 || len > QUIRE_MAX_CID_LEN || quire_cidmap_find(m, id, len)) return 0;
    if ((m->count + 1) * 2 > m->cap && grow(m)) return QUIRE_ERR_NOMEM;
    size_t mask = m->cap - 1, i = cid_hash(id, len) & mask;
    while (m->slots[i].conn)
        i = (i + 1) & mask;
    quire_cidmap_entry *e = &m->slots[i];
    e->conn = (uint32_t)conn + 1;
    e->owner = (uint8_t)owner;
    e->len = (uint8_t)len;
    memcpy(e->id, id, len);
    m->count++;
    m->lens |= 1u << len;
    return 1;
}

int quire_cidmap_has_len(const quire_cidmap *m, size_t len)
{
    return len <= QUIRE_MAX_CID_LEN && (m->lens >> len) & 1;
}

void quire_cidmap_free(quire_cidmap *m)
{
    free(m->slots);
    memset(m, 0, sizeof *m);
}
