/* A growable byte buffer for building output and reassembling data. _init/_free on caller
 * storage; appends return 0 or QUIRE_ERR_NOMEM. The data is always NUL-terminated (not counted
 * in len) so text built in it can be used as a C string. */
#ifndef QUIRE_BUF_H
#define QUIRE_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

typedef struct quire_buf {
    uint8_t *data;
    size_t len;
    size_t cap;
} quire_buf;

void quire_buf_init(quire_buf *b);
void quire_buf_free(quire_buf *b);
void quire_buf_reset(quire_buf *b);
int quire_buf_reserve(quire_buf *b, size_t extra);
int quire_buf_append(quire_buf *b, const void *data, size_t len);
int quire_buf_putc(quire_buf *b, char c);
int quire_buf_printf(quire_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int quire_buf_vprintf(quire_buf *b, const char *fmt, va_list ap);
/* The contents as a C string ("" when empty). */
const char *quire_buf_str(const quire_buf *b);

#endif
