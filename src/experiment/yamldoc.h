/* YAML documents for experiments and implementation plugins: libyaml's loader turned into a
 * small owned tree (maps, sequences, scalars) where every node keeps its line and column, so
 * that every later complaint about the file names the position. Also the diagnostics list
 * ("FILE:LINE:COLUMN: problem") that validation fills: one run reports every error. Input is
 * untrusted (user files): node count and depth are bounded, aliases are expanded within the
 * node budget (no "billion laughs"). */
#ifndef QUIRE_YAMLDOC_H
#define QUIRE_YAMLDOC_H

#include <stddef.h>

#define QUIRE_YDOC_MAX_NODES 20000
#define QUIRE_YDOC_MAX_DEPTH 32

typedef enum quire_ynode_kind {
    QUIRE_YNODE_SCALAR = 0,
    QUIRE_YNODE_MAP = 1,
    QUIRE_YNODE_SEQ = 2,
} quire_ynode_kind;

typedef struct quire_ynode {
    quire_ynode_kind kind;
    unsigned line, col;        /* 1-based */
    char *str;                 /* scalar text ("" for an empty scalar) */
    int is_null;               /* plain scalar "", "~", "null" */
    struct quire_ynode **keys; /* map: scalar key nodes */
    struct quire_ynode **vals; /* map: values; seq: items */
    size_t n;
} quire_ynode;

typedef struct quire_ydoc {
    char file[256];
    quire_ynode *root; /* NULL for an empty document */
    size_t nodes;
} quire_ydoc;

/* Parses one YAML document. On a syntax error returns QUIRE_ERR_MALFORMED with
 * "FILE:LINE:COLUMN: problem" in err; QUIRE_ERR_IO when the file cannot be read;
 * QUIRE_ERR_INVALID when the document is too large or deep. */
int quire_ydoc_load(quire_ydoc *d, const char *path, char *err, size_t errlen);
int quire_ydoc_load_buf(quire_ydoc *d, const char *buf, size_t len, const char *name, char *err,
                        size_t errlen);
void quire_ydoc_free(quire_ydoc *d);

/* The value of key in a map node, or NULL (also when m is not a map). */
const quire_ynode *quire_ynode_get(const quire_ynode *m, const char *key);
/* Scalar text or NULL when n is not a non-null scalar. */
const char *quire_ynode_str(const quire_ynode *n);
const char *quire_ynode_kind_name(const quire_ynode *n);

/* Diagnostics: a growing list of "FILE:LINE:COLUMN: message" lines (file NULL: the message
 * is taken as it is, e.g. a parser error that already names its position). */
typedef struct quire_ydiag {
    char **msgs;
    size_t n, cap;
} quire_ydiag;

void quire_ydiag_add(quire_ydiag *g, const char *file, const quire_ynode *at, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void quire_ydiag_free(quire_ydiag *g);

/* Adds "WHAT: unknown key 'K'" for every key of map m not in known (NULL-terminated);
 * returns how many. Catches typos in user files. */
int quire_ydiag_check_keys(quire_ydiag *g, const char *file, const quire_ynode *m, const char *what,
                           const char *const *known);

/* Where a file's parser reports: the diagnostics list, the file name and how many errors the
 * parser added. The helpers below add one positioned message each and count it. */
typedef struct quire_yerr {
    const char *file;
    quire_ydiag *g;
    int errors;
} quire_yerr;

void quire_yerr_add(quire_yerr *e, const quire_ynode *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* "WHAT: unknown key 'K'" for each key of m not in known. */
void quire_yerr_check_keys(quire_yerr *e, const quire_ynode *m, const char *what,
                           const char *const *known);
/* The scalar parent[key]; else "WHAT: missing required field 'KEY'" or "WHAT.KEY: expected a
 * scalar, got KIND" and NULL. */
const char *quire_yerr_need_str(quire_yerr *e, const quire_ynode *parent, const char *key,
                                const char *what);
/* A decimal integer from lo to hi in scalar n into *out; else an error and QUIRE_ERR_INVALID. */
int quire_yerr_uint(quire_yerr *e, const quire_ynode *n, const char *what, unsigned lo, unsigned hi,
                    unsigned *out);

/* A fixed array of names (no NULL terminator) as the names, n arguments below. */
#define QUIRE_YNAMES(a) (a), (sizeof(a) / sizeof((a)[0]))

/* The index of s in names[0..n), or -1. */
int quire_yname_index(const char *s, const char *const *names, size_t n);
/* "a, b, c" of names[0..n) into out (truncated to len), for "expected one of ..." messages. */
void quire_yname_list(char *out, size_t len, const char *const *names, size_t n);

#endif
