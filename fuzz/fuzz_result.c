/* Fuzz target for result files (user input: `quire report`, `quire merge`, --resume): any
 * bytes either fail to load with a message, or load into a model that saves and reloads to
 * an equal model and renders as Markdown, HTML and JUnit without crashing. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/html.h"
#include "report/junit.h"
#include "report/markdown.h"
#include "report/merge.h"
#include "report/result.h"
#include "util/buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    quire_result r, back;
    char err[512];
    quire_result_init(&r);
    if (quire_result_load_buf((const char *)data, size, "fuzz.json", &r, err, sizeof err)) {
        if (!err[0]) abort(); /* a failure always says why */
        quire_result_free(&r);
        return 0;
    }
    char *json = NULL;
    if (quire_result_to_json(&r, &json) == 0) {
        quire_result_init(&back);
        /* what quire writes, quire reads, and it is the same model */
        if (quire_result_load_buf(json, strlen(json), "again.json", &back, err, sizeof err)) {
            fprintf(stderr, "reload failed: %s\n", err);
            abort();
        }
        if (quire_merge_compare(&r, &back, 0, err, sizeof err)) {
            fprintf(stderr, "reload differs: %s\n", err);
            abort();
        }
        quire_result_free(&back);
        free(json);
    }
    quire_buf b;
    quire_buf_init(&b);
    quire_markdown_write(&r, &b);
    quire_buf_reset(&b);
    quire_html_write(&r, NULL, &b);
    quire_buf_reset(&b);
    quire_junit_write(&r, &b);
    quire_buf_free(&b);
    quire_result_free(&r);
    return 0;
}
