/* result.json, the on-disk form of the result model: QIR's schema plus quire's keys (see
 * result.h). Saving is atomic, so the runner saves after every finished test and a killed run
 * leaves a complete file; loading reads quire's and the QUIC Interop Runner's files and says
 * where a bad file is wrong. Included by result.h. */
#ifndef QUIRE_RESULTJSON_H
#define QUIRE_RESULTJSON_H

#include <stddef.h>

#include "report/result.h"

/* Serialize to QIR's schema plus quire's keys (UTF-8, newline-terminated). */
int quire_result_to_json(const quire_result *r, char **out);

/* Write atomically: PATH.tmp.<pid>, fsync, rename over PATH. 0 or QUIRE_ERR_*. */
int quire_result_save(const quire_result *r, const char *path);

/* Read a quire or QIR result file into an initialized, empty model. On error, errbuf (if not
 * NULL) says "FILE:LINE:COLUMN: problem" and the return is QUIRE_ERR_IO, QUIRE_ERR_MALFORMED
 * or QUIRE_ERR_NOMEM; the model is left valid (free it). */
int quire_result_load(const char *path, quire_result *r, char *errbuf, size_t errlen);
/* The same from memory; name is used in messages. */
int quire_result_load_buf(const char *data, size_t len, const char *name, quire_result *r,
                          char *errbuf, size_t errlen);

/* A test's spec verdict (quire_result_cell's spec JSON text) as the reports show it. */
typedef struct quire_result_spec {
    int known; /* 0: no verdict recorded, or not readable */
    int clean;
    unsigned long long count; /* violations */
    char rules[256];          /* the rules broken, comma-separated, in the order listed */
} quire_result_spec;

/* Reads spec_json (may be NULL) into out; never fails (out->known says). */
void quire_result_spec_read(const char *spec_json, quire_result_spec *out);

#endif
