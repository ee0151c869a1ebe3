/* The files a test's server serves: random names in QIR's style (unique random slugs such as
 * "brave-quiet-otter", unique within a directory) and random contents (an AES-128-CTR keystream
 * under a fresh random key, as QIR encrypts blanks under a random AES key), written into the
 * test's www directory. */
#ifndef QUIRE_FILES_H
#define QUIRE_FILES_H

#include <stddef.h>
#include <stdint.h>

/* Writes a new random slug into out (at least 64 bytes). Returns 0 or QUIRE_ERR_CRYPTO. */
int quire_files_slug(char *out, size_t len);

/* Creates a file with a fresh slug name (never an existing one) in dir holding size random
 * bytes; its name goes to name (at least 64 bytes). Returns 0 or a negative QUIRE_ERR_*. */
int quire_files_generate(const char *dir, uint64_t size, char *name, size_t namelen);

#endif
