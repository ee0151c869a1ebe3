/* Bounds-checked byte reader (see cursor.h); varints per RFC 9000, Section 16. */
#include "util/cursor.h"

#include <string.h>

#include "util/err.h"

static int need(const quire_cursor *c, size_t n)
{
    return quire_cursor_left(c) >= n ? 0 : QUIRE_ERR_TRUNCATED;
}

int quire_cursor_u8(quire_cursor *c, uint8_t *v)
{
    if (need(c, 1)) return QUIRE_ERR_TRUNCATED;
    *v = *c->p++;
    return 0;
}

int quire_cursor_u16(quire_cursor *c, uint16_t *v)
{
    if (need(c, 2)) return QUIRE_ERR_TRUNCATED;
    *v = (uint16_t)((c->p[0] << 8) | c->p[1]);
    c->p += 2;
    return 0;
}

int quire_cursor_u24(quire_cursor *c, uint32_t *v)
{
    if (need(c, 3)) return QUIRE_ERR_TRUNCATED;
    *v = ((uint32_t)c->p[0] << 16) | ((uint32_t)c->p[1] << 8) | c->p[2];
    c->p += 3;
    return 0;
}

int quire_cursor_u32(quire_cursor *c, uint32_t *v)
{
    if (need(c, 4)) return QUIRE_ERR_TRUNCATED;
    *v = ((uint32_t)c->p[0] << 24) | ((uint32_t)c->p[1] << 16) | ((uint32_t)c->p[2] << 8) |
         c->p[3];
    c->p += 4;
    return 0;
}

int quire_cursor_u64(quire_cursor *c, uint64_t *v)
{
    if (need(c, 8)) return QUIRE_ERR_TRUNCATED;
    uint64_t x = 0;
    for (int i = 0; i < 8; i++) x = (x << 8) | c->p[i];
    *v = x;
    c->p += 8;
    return 0;
}

int quire_cursor_varint(quire_cursor *c, uint64_t *v)
{
    if (need(c, 1)) return QUIRE_ERR_TRUNCATED;
    size_t len = (size_t)1 << (c->p[0] >> 6);
    if (need(c, len)) return QUIRE_ERR_TRUNCATED;
    uint64_t x = c->p[0] & 0x3f;
    for (size_t i = 1; i < len; i++) x = (x << 8) | c->p[i];
    *v = x;
    c->p += len;
    return 0;
}

int quire_cursor_bytes(quire_cursor *c, size_t n, const uint8_t **out)
{
    if (need(c, n)) return QUIRE_ERR_TRUNCATED;
    *out = c->p;
    c->p += n;
    return 0;
}

int quire_cursor_copy(quire_cursor *c, void *out, size_t n)
{
    if (need(c, n)) return QUIRE_ERR_TRUNCATED;
    if (n) memcpy(out, c->p, n);
    c->p += n;
    return 0;
}

int quire_cursor_skip(quire_cursor *c, size_t n)
{
    if (need(c, n)) return QUIRE_ERR_TRUNCATED;
    c->p += n;
    return 0;
}

int quire_cursor_sub(quire_cursor *c, size_t n, quire_cursor *sub)
{
    if (need(c, n)) return QUIRE_ERR_TRUNCATED;
    quire_cursor_init(sub, c->p, n);
    c->p += n;
    return 0;
}

size_t quire_varint_len(uint64_t v)
{
    if (v < 0x40) return 1;
    if (v < 0x4000) return 2;
    if (v < 0x40000000) return 4;
    if (v < 0x4000000000000000ull) return 8;
    return 0;
}

size_t quire_varint_encode(uint8_t *out, uint64_t v)
{
    size_t len = quire_varint_len(v);
    if (len == 0) return 0;
    for (size_t i = 0; i < len; i++) out[len - 1 - i] = (uint8_t)(v >> (8 * i));
    static const uint8_t prefix[9] = {0, 0x00, 0x40, 0, 0x80, 0, 0, 0, 0xc0};
    out[0] |= prefix[len];
    return len;
}
