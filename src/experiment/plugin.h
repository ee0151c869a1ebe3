/* Implementation plugins (PANTHER's "service plugins", as data): endpoints/<name>/plugin.yaml
 * describes one implementation under test — roles, ALPNs, test cases, the files that must exist
 * for it to run here, the server and client command templates (argv and environment), variables
 * with defaults, allowed values (choices), and versions (initial QUIC version, ALPN, source
 * commit, dependencies, build recipe, variable overrides). A plugin `inherits` a base definition
 * (implementations/base-quic.yaml): variables, environment and choices merge key by key, the
 * child winning, so a plugin states only what differs (the seed's BaseQUICServiceManager).
 */
#ifndef QUIRE_PLUGIN_H
#define QUIRE_PLUGIN_H

#include <stddef.h>

#include "experiment/yamldoc.h"

typedef struct quire_var {
    char *name;
    char *val; /* NULL: unset */
} quire_var;

typedef struct quire_vars {
    quire_var *v;
    size_t n;
} quire_vars;

typedef struct quire_strs {
    char **s;
    size_t n;
} quire_strs;

typedef struct quire_choice {
    char *var;
    quire_strs allowed;
} quire_choice;

enum { QUIRE_PLUGIN_SERVER = 0, QUIRE_PLUGIN_CLIENT = 1 };

typedef struct quire_plugin_role {
    int have_command;
    int command_line;   /* command is one template line (PANTHER's style), split into words */
    quire_strs command; /* argv templates, or the one line */
    quire_vars env;     /* environment templates */
} quire_plugin_role;

typedef struct quire_plugin_version {
    char *name;
    char *description;
    char *quic_version; /* e.g. "0x00000001" */
    char *alpn;
    char *source, *commit, *build;
    quire_strs dependencies; /* "name commit-or-version" */
    quire_vars vars;
} quire_plugin_version;

typedef struct quire_plugin {
    char *name;
    char *file; /* the YAML file */
    char *dir;  /* its directory (absolute): {{plugin_dir}} */
    char *description;
    char *inherits; /* NULL or the base's name */
    int is_base;    /* a base definition (implementations/NAME.yaml), not runnable */
    int roles;      /* bit QUIRE_PLUGIN_SERVER / _CLIENT */
    quire_strs alpns, testcases, requires;
    quire_vars vars;
    quire_vars aliases; /* other names of variables in experiment configs (PANTHER's) */
    quire_choice *choices;
    size_t nchoices;
    quire_plugin_role role[2];
    quire_plugin_version *versions;
    size_t nversions;
    char *default_version;
} quire_plugin;

typedef struct quire_plugins {
    quire_plugin *p;
    size_t n;
} quire_plugins;

/* Loads one plugin or base file into ps (no inheritance yet). Problems go to g with positions;
 * returns 0 or QUIRE_ERR_INVALID / _MALFORMED / _IO. */
int quire_plugins_add_file(quire_plugins *ps, const char *path, int is_base, quire_ydiag *g);
int quire_plugins_add_buf(quire_plugins *ps, const char *buf, size_t len, const char *name,
                          const char *dir, int is_base, quire_ydiag *g);
/* Applies inheritance (bases first, cycles and unknown bases are errors). */
int quire_plugins_resolve(quire_plugins *ps, quire_ydiag *g);
/* Loads srcdir/implementations/NAME.yaml (bases), srcdir/endpoints/<x>/plugin.yaml and
 * srcdir/tests/endpoints/<x>/plugin.yaml, then resolves. */
int quire_plugins_load_tree(quire_plugins *ps, const char *srcdir, quire_ydiag *g);
void quire_plugins_free(quire_plugins *ps);

/* By name; "quic/mvfst" (PANTHER's spelling) finds "mvfst". Bases are not found. */
const quire_plugin *quire_plugins_find(const quire_plugins *ps, const char *name);
const quire_plugin_version *quire_plugin_version_find(const quire_plugin *p, const char *name);
/* The allowed values of a variable, or NULL when any value goes. */
const quire_strs *quire_plugin_choices(const quire_plugin *p, const char *var);
/* The variable an experiment config name stands for: an alias's target, else name itself. */
const char *quire_plugin_alias(const quire_plugin *p, const char *name);
/* 1 if the plugin (or a version) defines the variable. */
int quire_plugin_has_var(const quire_plugin *p, const quire_plugin_version *v, const char *var);

/* Variable lists. _set copies; val NULL = unset. */
int quire_vars_set(quire_vars *vs, const char *name, const char *val);
const quire_var *quire_vars_find(const quire_vars *vs, const char *name);
void quire_vars_free(quire_vars *vs);

#endif
