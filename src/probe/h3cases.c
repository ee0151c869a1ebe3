/* The HTTP/3 misdeeds (see h3cases.h). Frames are built with the wire writer: an HTTP/3 frame
 * is a varint type, a varint length and the payload (RFC 9114 Section 7.1). */
#include "probe/h3cases.h"

#include <stdint.h>

enum {
    STREAM_TYPE_CONTROL = 0x00,
    FRAME_DATA = 0x00,
    FRAME_SETTINGS = 0x04,
    FRAME_GOAWAY = 0x07,
    FRAME_H2_PRIORITY = 0x02, /* reserved: HTTP/2's, RFC 9114 Section 11.2.1 */
};

/* One HTTP/3 frame into b. */
static void frame(quire_wire *b, uint64_t type, const uint8_t *payload, size_t len)
{
    quire_wire_varint(b, type);
    quire_wire_varint(b, len);
    quire_wire_bytes(b, payload, len);
}

/* The next client-initiated unidirectional stream's id (RFC 9000 2.1: 4n + 2). */
static uint64_t next_uni(quire_pconn *c)
{
    uint64_t id = c->next_uni;
    c->next_uni += 4;
    return id;
}

/* A control stream: its type, an empty SETTINGS, then the frame (type, payload) unless type
 * is UINT64_MAX; on its own STREAM frame, with FIN when fin. */
static void control(quire_pconn *c, quire_wire *w, int settings, uint64_t type,
                    const uint8_t *payload, size_t len, int fin)
{
    uint8_t buf[64];
    quire_wire b;
    quire_wire_init(&b, buf, sizeof buf);
    quire_wire_varint(&b, STREAM_TYPE_CONTROL);
    if (settings) frame(&b, FRAME_SETTINGS, NULL, 0);
    if (type != UINT64_MAX) frame(&b, type, payload, len);
    quire_wire_stream(w, next_uni(c), 0, buf, b.len, fin);
}

int quire_h3_second_settings(quire_pconn *c, quire_wire *w, char *na, size_t cap)
{
    (void)na, (void)cap;
    control(c, w, 1, FRAME_SETTINGS, NULL, 0, 0);
    return 0;
}

int quire_h3_missing_settings(quire_pconn *c, quire_wire *w, char *na, size_t cap)
{
    (void)na, (void)cap;
    static const uint8_t id0[] = {0x00};
    control(c, w, 0, FRAME_GOAWAY, id0, sizeof id0, 0);
    return 0;
}

int quire_h3_reserved_frame(quire_pconn *c, quire_wire *w, char *na, size_t cap)
{
    (void)na, (void)cap;
    control(c, w, 1, FRAME_H2_PRIORITY, NULL, 0, 0);
    return 0;
}

int quire_h3_data_on_control(quire_pconn *c, quire_wire *w, char *na, size_t cap)
{
    (void)na, (void)cap;
    control(c, w, 1, FRAME_DATA, (const uint8_t *)"abcd", 4, 0);
    return 0;
}

int quire_h3_control_closed(quire_pconn *c, quire_wire *w, char *na, size_t cap)
{
    (void)na, (void)cap;
    control(c, w, 1, UINT64_MAX, NULL, 0, 1);
    return 0;
}

int quire_h3_second_control(quire_pconn *c, quire_wire *w, char *na, size_t cap)
{
    (void)na, (void)cap;
    control(c, w, 1, UINT64_MAX, NULL, 0, 0);
    control(c, w, 1, UINT64_MAX, NULL, 0, 0);
    return 0;
}

int quire_h3_data_before_headers(quire_pconn *c, quire_wire *w, char *na, size_t cap)
{
    (void)na, (void)cap;
    control(c, w, 1, UINT64_MAX, NULL, 0, 0);
    uint8_t buf[16];
    quire_wire b;
    quire_wire_init(&b, buf, sizeof buf);
    frame(&b, FRAME_DATA, (const uint8_t *)"abcd", 4);
    quire_wire_stream(w, c->next_bidi, 0, buf, b.len, 1);
    c->next_bidi += 4;
    return 0;
}
