/* NSS key log files (the SSLKEYLOGFILE format, as written by OpenSSL, BoringSSL, quic-go,
 * rustls, picotls, ...): lines "<LABEL> <client_random hex> <secret hex>". quire keeps the TLS 1.3
 * secrets QUIC needs, keyed by the ClientHello random: CLIENT_EARLY_TRAFFIC_SECRET,
 * CLIENT_/SERVER_HANDSHAKE_TRAFFIC_SECRET and CLIENT_/SERVER_TRAFFIC_SECRET_0. Lines with other
 * labels (CLIENT_RANDOM, EXPORTER_SECRET, ...), comments ('#') and blank lines are skipped;
 * lines with a known label that do not parse are counted, the first one reported as
 * "file:line: problem", and skipped, so one damaged line does not lose the other connections.
 * The same parser reads the text of a pcapng Decryption Secrets Block. */
#ifndef QUIRE_TRACE_KEYLOG_H
#define QUIRE_TRACE_KEYLOG_H

#include <stddef.h>
#include <stdint.h>

#include "trace/crypto.h"
#include "util/buf.h"

#define QUIRE_KEYLOG_RANDOM_LEN 32

typedef enum quire_keylog_label {
    QUIRE_KEYLOG_CLIENT_EARLY = 0,     /* CLIENT_EARLY_TRAFFIC_SECRET: 0-RTT, client to server */
    QUIRE_KEYLOG_CLIENT_HANDSHAKE = 1, /* CLIENT_HANDSHAKE_TRAFFIC_SECRET */
    QUIRE_KEYLOG_SERVER_HANDSHAKE = 2, /* SERVER_HANDSHAKE_TRAFFIC_SECRET */
    QUIRE_KEYLOG_CLIENT_TRAFFIC_0 = 3, /* CLIENT_TRAFFIC_SECRET_0: first 1-RTT, client */
    QUIRE_KEYLOG_SERVER_TRAFFIC_0 = 4, /* SERVER_TRAFFIC_SECRET_0: first 1-RTT, server */
    QUIRE_KEYLOG_LABEL_COUNT = 5,
} quire_keylog_label;

/* The secrets of one TLS connection. len[label] is 0 when that secret was not logged. */
typedef struct quire_keylog_entry {
    uint8_t client_random[QUIRE_KEYLOG_RANDOM_LEN];
    uint8_t secret[QUIRE_KEYLOG_LABEL_COUNT][QUIRE_CRYPTO_MAX_HASH];
    uint8_t len[QUIRE_KEYLOG_LABEL_COUNT];
} quire_keylog_entry;

typedef struct quire_keylog {
    quire_keylog_entry *entries; /* in order of first appearance */
    size_t count;
    size_t cap;
    size_t lines;     /* lines read over all parses */
    size_t bad_lines; /* lines with a known label that did not parse */
    char error[256];  /* "file:line: problem" of the first bad line, "" if none */
} quire_keylog;

void quire_keylog_init(quire_keylog *kl);
/* Frees the entries and wipes the secrets. */
void quire_keylog_free(quire_keylog *kl);

/* The NSS name of a label ("CLIENT_TRAFFIC_SECRET_0"). */
const char *quire_keylog_label_name(quire_keylog_label label);

/* Parses key log text (need not be NUL-terminated) and adds its secrets; a later line for the
 * same client random and label replaces the earlier one. name is used in error messages (a
 * file name, or e.g. "capture.pcapng: DSB 1"). Bad lines are counted and skipped (see above).
 * Returns the number of secrets added, or QUIRE_ERR_NOMEM. */
int quire_keylog_parse(quire_keylog *kl, const char *text, size_t len, const char *name);
/* Reads and parses a key log file. Returns the number of secrets added, QUIRE_ERR_IO (errno
 * set; kl->error names the file) or QUIRE_ERR_NOMEM. */
int quire_keylog_load(quire_keylog *kl, const char *path);

/* The entry for a ClientHello random, or NULL. */
const quire_keylog_entry *quire_keylog_find(const quire_keylog *kl,
                                            const uint8_t random[QUIRE_KEYLOG_RANDOM_LEN]);
/* One secret of a connection: returns a pointer to it and sets *len, or NULL if not logged. */
const uint8_t *quire_keylog_secret(const quire_keylog *kl,
                                   const uint8_t random[QUIRE_KEYLOG_RANDOM_LEN],
                                   quire_keylog_label label, size_t *len);

/* Writes every secret back as NSS key log lines (for the pcapng Decryption Secrets Block).
 * Returns 0 or QUIRE_ERR_NOMEM. */
int quire_keylog_format(const quire_keylog *kl, quire_buf *out);

#endif
