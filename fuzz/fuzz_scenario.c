/* Fuzz target: scenario strings are user input (SCENARIO of quire run / quire sim). The input
 * is split at NUL bytes into argument words, so both the one-string and the split forms are
 * exercised. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sim/scenario.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    char *argv[16];
    int argc = 0;
    if (!text) return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    for (size_t i = 0; i <= size && argc < 16;) {
        argv[argc++] = text + i;
        i += strlen(text + i) + 1;
    }
    quire_scenario sc;
    char err[256], desc[256];
    if (quire_scenario_parse(&sc, argc, argv, err, sizeof err) == 0)
        quire_scenario_describe(&sc, desc, sizeof desc);
    free(text);
    return 0;
}
