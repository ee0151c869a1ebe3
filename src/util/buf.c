/* Growable byte buffer (see buf.h). */
#include "util/buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"

void quire_buf_init(quire_buf *b)
{
    b->data = NULL;
    b->len = b->cap = 0;
}

void quire_buf_free(quire_buf *b)
{
    free(b->data);
    quire_buf_init(b);
}

void quire_buf_reset(quire_buf *b)
{
    b->len = 0;
    if (b->data) b->data[0] = 0;
}

int quire_buf_reserve(quire_buf *b, size_t extra)
{
    if (extra > SIZE_MAX / 2 - b->len) return QUIRE_ERR_NOMEM;
    size_t need = b->len + extra + 1;
    if (need <= b->cap) return 0;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need) cap *= 2;
    uint8_t *p = realloc(b->data, cap);
    if (!p) return QUIRE_ERR_NOMEM;
    b->data = p;
    b->cap = cap;
    return 0;
}

int quire_buf_append(quire_buf *b, const void *data, size_t len)
{
    if (quire_buf_reserve(b, len)) return QUIRE_ERR_NOMEM;
    if (len) memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = 0;
    return 0;
}

int quire_buf_putc(quire_buf *b, char c)
{
    return quire_buf_append(b, &c, 1);
}

int quire_buf_vprintf(quire_buf *b, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0) return QUIRE_ERR_INVALID;
    if (quire_buf_reserve(b, (size_t)n)) return QUIRE_ERR_NOMEM;
    vsnprintf((char *)b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    return 0;
}

int quire_buf_printf(quire_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rv = quire_buf_vprintf(b, fmt, ap);
    va_end(ap);
    return rv;
}

const char *quire_buf_str(const quire_buf *b)
{
    return b->data ? (const char *)b->data : "";
}
