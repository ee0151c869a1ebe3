/* Rendering of implementation plugins (plugin.h) into command lines and environments, and
 * whether a plugin can run here. Templates: "{{name}}" is replaced by the variable's value, itself
 * rendered (values may refer to other variables); "{{env:NAME}}" reads quire's environment. Lookup
 * order: the experiment's service config, the runner's built-ins (role, version, quic_version,
 * alpn, plugin_dir, requests, server_ip4, ...), the version's variables, the plugin's (inherited)
 * variables. A variable set to null (~) is "unset": an argv element or environment entry that
 * refers to an unset variable is left out (optional flags); "{{!name}}" must be set (an error
 * otherwise); an unknown name is an error. "{{@name}}" as a whole argument is split at spaces into
 * several arguments (URL lists). */
#ifndef QUIRE_RENDER_H
#define QUIRE_RENDER_H

#include <stddef.h>
#include <stdio.h>

#include "experiment/plugin.h"

/* A rendered command: argv and "NAME=value" environment entries, both NULL-terminated. */
typedef struct quire_cmd {
    char **argv;
    size_t argc;
    char **envp;
    size_t nenv;
} quire_cmd;

/* Renders the command of role (QUIRE_PLUGIN_SERVER/CLIENT) for version v (NULL: default).
 * config: the experiment's per-service values; builtins: the runner's. Returns 0, or
 * QUIRE_ERR_INVALID with the problem in err (unknown variable, recursion, no command). */
int quire_plugin_render(const quire_plugin *p, const quire_plugin_version *v, int role,
                        const quire_vars *config, const quire_vars *builtins, quire_cmd *out,
                        char *err, size_t errlen);
/* Renders one template string with the same lookup (requires and ad-hoc values). *unset is set
 * when it referred to an unset variable. Returns a malloc'ed string or NULL with err set. */
char *quire_plugin_render_str(const quire_plugin *p, const quire_plugin_version *v,
                              const quire_vars *config, const quire_vars *builtins,
                              const char *tmpl, int *unset, char *err, size_t errlen);
void quire_cmd_free(quire_cmd *c);

/* Whether the plugin's required files exist and are executable (rendered templates); the
 * first missing one goes to why. Returns 1 available, 0 not. */
int quire_plugin_available(const quire_plugin *p, const quire_plugin_version *v, char *why,
                           size_t whylen);

/* `quire list`: one line per plugin with its roles, versions and availability. */
void quire_plugins_print(FILE *out, const char *srcdir);

#endif
