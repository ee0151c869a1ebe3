/* Client transport parameters (see tpenc.h; RFC 9000 Section 18). */
#include "probe/tpenc.h"

#include "util/cursor.h"

void quire_tpenc_int(quire_wire *w, uint64_t id, uint64_t value)
{
    quire_wire_varint(w, id);
    quire_wire_varint(w, quire_varint_len(value));
    quire_wire_varint(w, value);
}

void quire_tpenc_bytes(quire_wire *w, uint64_t id, const uint8_t *value, size_t len)
{
    quire_wire_varint(w, id);
    quire_wire_varint(w, len);
    quire_wire_bytes(w, value, len);
}

static int omitted(const quire_tpenc_mod *mod, uint64_t id)
{
    if (!mod) return 0;
    for (size_t i = 0; i < mod->nomit && i < QUIRE_TPENC_MAX_OMIT; i++)
        if (mod->omit[i] == id) return 1;
    return 0;
}

int quire_tpenc_client(uint8_t *out, size_t cap, const uint8_t *scid, size_t scid_len,
                       const quire_tpenc_mod *mod)
{
    static const struct {
        uint64_t id, value;
    } ints[] = {
        {QUIRE_TPID_MAX_IDLE_TIMEOUT, 30000},
        {QUIRE_TPID_INITIAL_MAX_DATA, 1u << 20},
        {QUIRE_TPID_INITIAL_MAX_STREAM_DATA_BIDI_LOCAL, 256u << 10},
        {QUIRE_TPID_INITIAL_MAX_STREAM_DATA_BIDI_REMOTE, 256u << 10},
        {QUIRE_TPID_INITIAL_MAX_STREAM_DATA_UNI, 256u << 10},
        {QUIRE_TPID_INITIAL_MAX_STREAMS_BIDI, 100},
        {QUIRE_TPID_INITIAL_MAX_STREAMS_UNI, 100},
        {QUIRE_TPID_ACTIVE_CONNECTION_ID_LIMIT, 4},
    };
    quire_wire w;
    quire_wire_init(&w, out, cap);
    for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++)
        if (!omitted(mod, ints[i].id)) quire_tpenc_int(&w, ints[i].id, ints[i].value);
    if (!omitted(mod, QUIRE_TPID_INITIAL_SCID))
        quire_tpenc_bytes(&w, QUIRE_TPID_INITIAL_SCID, scid, scid_len);
    if (mod && mod->extra_len) quire_wire_bytes(&w, mod->extra, mod->extra_len);
    return w.err ? w.err : (int)w.len;
}
