/* A bounds-checked reader over a byte range: every parse of untrusted bytes in quire goes
 * through it. Reads return 0 or QUIRE_ERR_TRUNCATED and never move past the end; a failed read
 * leaves the cursor where it was. Integers are network byte order; varints are QUIC's
 * (RFC 9000, Section 16). */
#ifndef QUIRE_CURSOR_H
#define QUIRE_CURSOR_H

#include <stddef.h>
#include <stdint.h>

typedef struct quire_cursor {
    const uint8_t *p;   /* next byte */
    const uint8_t *end; /* one past the last byte */
} quire_cursor;

static inline void quire_cursor_init(quire_cursor *c, const void *data, size_t len)
{
    c->p = (const uint8_t *)data;
    c->end = c->p + len;
}

static inline size_t quire_cursor_left(const quire_cursor *c)
{
    return (size_t)(c->end - c->p);
}

int quire_cursor_u8(quire_cursor *c, uint8_t *v);
int quire_cursor_u16(quire_cursor *c, uint16_t *v);
int quire_cursor_u24(quire_cursor *c, uint32_t *v);
int quire_cursor_u32(quire_cursor *c, uint32_t *v);
int quire_cursor_u64(quire_cursor *c, uint64_t *v);
/* QUIC variable-length integer (1, 2, 4 or 8 bytes). */
int quire_cursor_varint(quire_cursor *c, uint64_t *v);
/* Points *out at the next n bytes and skips them (no copy). */
int quire_cursor_bytes(quire_cursor *c, size_t n, const uint8_t **out);
/* Copies the next n bytes into out. */
int quire_cursor_copy(quire_cursor *c, void *out, size_t n);
int quire_cursor_skip(quire_cursor *c, size_t n);
/* Splits off the next n bytes as a sub-cursor and skips them in c. */
int quire_cursor_sub(quire_cursor *c, size_t n, quire_cursor *sub);

/* Encodes v as a QUIC varint into out (at least 8 bytes); returns its length, or 0 if v is
 * too large (>= 2^62). */
size_t quire_varint_encode(uint8_t *out, uint64_t v);
/* Length of the shortest varint encoding of v (1, 2, 4, 8), or 0 if too large. */
size_t quire_varint_len(uint64_t v);

#endif
