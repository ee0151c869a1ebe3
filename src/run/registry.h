/* The implementations registry: reads QIR's implementations.json unchanged ({name: {"image",
 * "url", "role"}}) plus quire's local form {"path": DIR} — a directory holding run_endpoint
 * (and optionally an `available` script), relative to the JSON file. An entry can carry both;
 * the netns backend uses `path`, entries with only `image` need the container backend and are
 * listed as such, not rejected. */
#ifndef QUIRE_REGISTRY_H
#define QUIRE_REGISTRY_H

#include <stddef.h>

#include "backend/backend.h" /* quire_role */

/* The roles an implementation takes: "role" server, client or both. */
#define QUIRE_REGISTRY_BOTH (QUIRE_ROLE_BIT(QUIRE_ROLE_SERVER) | QUIRE_ROLE_BIT(QUIRE_ROLE_CLIENT))

typedef struct quire_impl {
    char *name;
    char *url;   /* "" when absent */
    char *image; /* NULL when absent */
    char *path;  /* absolute endpoint directory, NULL when absent */
    unsigned roles;   /* QUIRE_ROLE_BIT()s of the roles it takes */
    int probed;       /* quire_registry_probe ran */
    int runnable;     /* can run here with the netns backend */
    char reason[256]; /* why not, when !runnable */
} quire_impl;

typedef struct quire_registry {
    char *file; /* the JSON file read */
    quire_impl *impls;
    size_t n;
} quire_registry;

/* Loads file. On error returns QUIRE_ERR_IO (unreadable), QUIRE_ERR_MALFORMED (bad JSON, with
 * "FILE:LINE:COLUMN: problem" in err) or QUIRE_ERR_INVALID (a bad entry, named in err). */
int quire_registry_load(quire_registry *r, const char *file, char *err, size_t errlen);
/* The same from memory; name stands for the file in messages and as the base of relative
 * paths. */
int quire_registry_load_buf(quire_registry *r, const char *data, size_t len, const char *name,
                            char *err, size_t errlen);
void quire_registry_free(quire_registry *r);

const quire_impl *quire_registry_find(const quire_registry *r, const char *name);

/* QIR's -r/--replace: "name=value[,name=value...]". A value naming an existing directory
 * replaces the entry's endpoint directory (local form); any other value replaces its image (QIR's
 * meaning). Unknown name or bad syntax: QUIRE_ERR_NOTFOUND / QUIRE_ERR_INVALID, message in err. */
int quire_registry_replace(quire_registry *r, const char *arg, char *err, size_t errlen);

/* Decides whether impl can run here: a `path` whose run_endpoint is executable and whose
 * `available` script (if any) exits 0 within 10 s; otherwise sets reason (the script's first
 * output line, "needs container backend (image X)", ...). Runs at most once per entry. */
void quire_registry_probe(quire_impl *impl);

/* The "role" of an entry with these roles: "server", "client", "both". */
const char *quire_registry_roles_name(unsigned roles);

/* The default implementations file: $QUIRE_IMPLEMENTATIONS, else QUIRE_SOURCE_DIR's (from the
 * environment, then the build), else the current directory's; in a directory
 * implementations_quic.json (QIR's name) when it exists, else implementations.json. Writes the
 * path into out. */
void quire_registry_default_path(char *out, size_t len);

/* The same for one of run.py's protocols: "webtransport" looks for
 * implementations_webtransport.json (QIR's name) instead; any other value is "quic". */
void quire_registry_default_path_for(const char *protocol, char *out, size_t len);

#endif
