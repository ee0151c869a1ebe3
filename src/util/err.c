/* Names for the QUIRE_ERR_* codes, and the code for an errno. */
#include "util/err.h"

#include <errno.h>

const char *quire_strerror(int err)
{
    switch (err) {
    case QUIRE_OK: return "success";
    case QUIRE_ERR_TRUNCATED: return "truncated";
    case QUIRE_ERR_MALFORMED: return "malformed";
    case QUIRE_ERR_NOMEM: return "out of memory";
    case QUIRE_ERR_IO: return "I/O error";
    case QUIRE_ERR_INVALID: return "invalid argument";
    case QUIRE_ERR_NOTFOUND: return "not found";
    case QUIRE_ERR_UNSUPPORTED: return "unsupported";
    case QUIRE_ERR_CRYPTO: return "decryption failed";
    case QUIRE_ERR_NOKEY: return "no key";
    case QUIRE_ERR_TIMEOUT: return "timed out";
    case QUIRE_ERR_PERM: return "permission denied";
    case QUIRE_ERR_INTERRUPTED: return "interrupted";
    case QUIRE_ERR_EXISTS: return "already exists";
    default: return "unknown error";
    }
}

int quire_err_from_errno(int e)
{
    switch (e) {
    case ENOENT:
        return QUIRE_ERR_NOTFOUND;
    case EPERM:
    case EACCES:
        return QUIRE_ERR_PERM;
    case ENOMEM:
        return QUIRE_ERR_NOMEM;
    default:
        return QUIRE_ERR_IO;
    }
}
