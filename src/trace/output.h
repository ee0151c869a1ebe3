/* Printing a quire_trace: human text or JSON (schema in docs/trace-json.md). Per-packet lines
 * (--frames) are written while the capture is decoded (text directly; JSON through a
 * temporary file so the summary can come first), so memory does not grow with the capture. */
#ifndef QUIRE_OUTPUT_H
#define QUIRE_OUTPUT_H

#include <stdio.h>

#include "trace/trace.h"

typedef struct quire_output {
    FILE *out;
    FILE *pkts; /* JSON packets, spooled */
    int json;
    int frames;      /* print every packet */
    long conn_index; /* -1: all connections */
    uint8_t cid[20]; /* with cid_len > 0: only the connection that has this CID */
    size_t cid_len;
    uint64_t printed;
} quire_output;

/* filter: NULL, a connection number, or a connection ID in hex. Returns 0 or
 * QUIRE_ERR_INVALID (bad filter) / QUIRE_ERR_IO. */
int quire_output_init(quire_output *o, FILE *out, int json, int frames, const char *filter);
/* A quire_trace_packet_cb: pass o as the argument. */
void quire_output_packet(const quire_trace *t, const quire_conn_packet *p, void *arg);
/* Writes the summary and the connections (and spooled packets); frees o. */
int quire_output_finish(quire_output *o, const quire_trace *t);
void quire_output_free(quire_output *o);

#endif
