/* Error codes shared by every quire module: 0 is success, failures are negative QUIRE_ERR_*
 * values, and quire_strerror() names them. Parsers distinguish input that ended early
 * (QUIRE_ERR_TRUNCATED) from input that is wrong (QUIRE_ERR_MALFORMED). */
#ifndef QUIRE_ERR_H
#define QUIRE_ERR_H

enum {
    QUIRE_OK = 0,
    QUIRE_ERR_TRUNCATED = -1,   /* input ended before the structure did */
    QUIRE_ERR_MALFORMED = -2,   /* input violates the format */
    QUIRE_ERR_NOMEM = -3,       /* allocation failed */
    QUIRE_ERR_IO = -4,          /* a system call failed; errno has the details */
    QUIRE_ERR_INVALID = -5,     /* bad argument or configuration from the user */
    QUIRE_ERR_NOTFOUND = -6,    /* a named thing (file, implementation, test) does not exist */
    QUIRE_ERR_UNSUPPORTED = -7, /* valid, but quire does not handle it */
    QUIRE_ERR_CRYPTO = -8,      /* decryption or authentication failed */
    QUIRE_ERR_NOKEY = -9,       /* no key available for this packet */
    QUIRE_ERR_TIMEOUT = -10,    /* a deadline passed */
    QUIRE_ERR_PERM = -11,       /* missing privileges (root, CAP_NET_ADMIN) */
    QUIRE_ERR_INTERRUPTED = -12,/* stopped by a signal (Ctrl-C, SIGTERM) */
    QUIRE_ERR_EXISTS = -13,     /* the thing to create already exists */
};

/* Returns a static, human-readable name for a QUIRE_ERR_* code. */
const char *quire_strerror(int err);

/* The QUIRE_ERR_* for a failed system call's errno: ENOENT -> NOTFOUND, EPERM and EACCES ->
 * PERM, ENOMEM -> NOMEM, anything else -> IO. A module that means more by another errno
 * (EEXIST, ENODEV, ...) maps that one itself first. */
int quire_err_from_errno(int e);

#endif
