/* Random www files (see files.h). */
#include "run/files.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "util/err.h"

static const char *const adjectives[] = {
    "able",  "brave",  "bright", "calm",   "clever", "cosmic", "crisp",  "daring", "eager",
    "fancy", "fast",   "gentle", "giant",  "glad",   "golden", "happy",  "humble", "icy",
    "jolly", "keen",   "kind",   "lively", "lucky",  "mellow", "mighty", "modest", "noble",
    "odd",   "plain",  "polite", "proud",  "quick",  "quiet",  "rapid",  "rare",   "rustic",
    "shiny", "silent", "sleepy", "smooth", "snowy",  "solid",  "stark",  "sunny",  "swift",
    "tidy",  "tiny",   "vast",   "vivid",  "warm",   "wild",   "wise",   "witty",  "young",
};
static const char *const nouns[] = {
    "badger", "bear",   "beaver", "bison", "cobra",  "condor", "crane",  "dingo",  "eagle",
    "falcon", "ferret", "finch",  "gecko", "heron",  "hippo",  "ibis",   "jackal", "koala",
    "lemur",  "lion",   "llama",  "lynx",  "magpie", "marten", "moose",  "newt",   "ocelot",
    "orca",   "otter",  "owl",    "panda", "parrot", "puffin", "quail",  "rabbit", "raven",
    "robin",  "salmon", "seal",   "shark", "sloth",  "stork",  "swan",   "tapir",  "tiger",
    "toucan", "trout",  "turtle", "viper", "walrus", "weasel", "wombat", "yak",    "zebra",
};
#define NELEM(a) (sizeof a / sizeof a[0])

int quire_files_slug(char *out, size_t len)
{
    uint32_t r[4];
    if (RAND_bytes((unsigned char *)r, sizeof r) != 1) return QUIRE_ERR_CRYPTO;
    /* Three words as QIR's slugs, plus a short number so names stay unique across the
     * thousands of files of the multiplexing test without a retry loop. */
    snprintf(out, len, "%s-%s-%s-%u", adjectives[r[0] % NELEM(adjectives)],
             adjectives[r[1] % NELEM(adjectives)], nouns[r[2] % NELEM(nouns)], r[3] % 10000);
    return 0;
}

static int write_all(int fd, const unsigned char *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR) continue;
            return QUIRE_ERR_IO;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

int quire_files_generate(const char *dir, uint64_t size, char *name, size_t namelen)
{
    char path[4096];
    int fd = -1, rc;
    for (int tries = 0; tries < 100 && fd < 0; tries++) {
        if ((rc = quire_files_slug(name, namelen))) return rc;
        snprintf(path, sizeof path, "%s/%s", dir, name);
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (fd < 0 && errno != EEXIST) return QUIRE_ERR_IO;
    }
    if (fd < 0) return QUIRE_ERR_EXISTS;

    unsigned char key[16], iv[16];
    enum { CHUNK = 1 << 16 };
    unsigned char *zero = calloc(1, CHUNK), *out = malloc(CHUNK);
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    rc = QUIRE_ERR_NOMEM;
    if (!zero || !out || !ctx) goto fail;
    rc = QUIRE_ERR_CRYPTO;
    if (RAND_bytes(key, sizeof key) != 1 || RAND_bytes(iv, sizeof iv) != 1) goto fail;
    if (EVP_EncryptInit_ex(ctx, EVP_aes_128_ctr(), NULL, key, iv) != 1) goto fail;
    while (size) {
        int chunk = size < CHUNK ? (int)size : CHUNK, outl = 0;
        rc = QUIRE_ERR_CRYPTO;
        if (EVP_EncryptUpdate(ctx, out, &outl, zero, chunk) != 1 || outl != chunk) goto fail;
        if ((rc = write_all(fd, out, (size_t)outl))) goto fail;
        size -= (uint64_t)outl;
    }
    rc = close(fd) ? QUIRE_ERR_IO : 0;
    fd = -1;
    if (rc) goto fail;
    EVP_CIPHER_CTX_free(ctx);
    free(zero);
    free(out);
    return 0;
fail:
    if (fd >= 0) close(fd);
    unlink(path);
    EVP_CIPHER_CTX_free(ctx);
    free(zero);
    free(out);
    return rc;
}
