/* Fuzz target for run/registry: implementations.json is user input. Parses arbitrary bytes,
 * looks every entry up, applies a --replace built from the input, and frees; error messages
 * must stay one line. Probing is not fuzzed: it runs scripts. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "run/registry.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    quire_registry r;
    char err[512];
    if (quire_registry_load_buf(&r, (const char *)data, size, "/fuzz/implementations.json", err,
                                sizeof err)) {
        if (strchr(err, '\n')) abort();
        return 0;
    }
    for (size_t i = 0; i < r.n; i++) {
        if (quire_registry_find(&r, r.impls[i].name) == NULL) abort();
        if (!r.impls[i].roles || !quire_registry_roles_name(r.impls[i].roles)) abort();
    }
    if (r.n) {
        /* replace the first entry's image with a non-directory value */
        size_t len = strlen(r.impls[0].name) + 16;
        char *arg = malloc(len);
        if (arg) {
            strcpy(arg, r.impls[0].name);
            strcat(arg, "=img:fuzz");
            if (!strchr(arg, ',') && strchr(arg, '=') == arg + strlen(r.impls[0].name) &&
                r.impls[0].name[0] && quire_registry_replace(&r, arg, err, sizeof err) == 0 &&
                strcmp(r.impls[0].image, "img:fuzz"))
                abort();
            free(arg);
        }
    }
    quire_registry_free(&r);
    return 0;
}
