/* Terminal progress and matrix (see terminal.h). */
#include "report/terminal.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define GREEN "\033[32m"
#define RED "\033[31m"
#define GREY "\033[90m"
#define RESET "\033[0m"

void quire_terminal_init(quire_terminal *t, FILE *out, int tty, size_t total)
{
    memset(t, 0, sizeof *t);
    t->out = out;
    t->tty = tty;
    t->total = total;
}

static void clear_status(quire_terminal *t)
{
    if (t->tty && t->status_shown) fputs("\r\033[K", t->out);
    t->status_shown = 0;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* " (12s)": how long the latest test has been running. */
static const char *elapsed(quire_terminal *t)
{
    snprintf(t->elapsed_, sizeof t->elapsed_, " (%.0fs)", now_s() - t->last_started_at);
    return t->elapsed_;
}

static void show_status(quire_terminal *t)
{
    if (!t->tty) return;
    fprintf(t->out,
            "[%zu/%zu] %zu running%s%s%s  " GREEN "✓ %zu" RESET "  " RED "✕ %zu" RESET "  " GREY
            "? %zu" RESET,
            t->done, t->total, t->running, t->running ? ", latest: " : "",
            t->running ? t->last_started : "", t->running ? elapsed(t) : "", t->succeeded,
            t->failed, t->unsupported);
    fflush(t->out);
    t->status_shown = 1;
}

void quire_terminal_tick(quire_terminal *t)
{
    if (!t->tty || !t->running) return;
    clear_status(t);
    show_status(t);
}

void quire_terminal_started(quire_terminal *t, const char *server, const char *client,
                            const char *test)
{
    t->running++;
    snprintf(t->last_started, sizeof t->last_started, "%s→%s %s", server, client, test);
    t->last_started_at = now_s();
    clear_status(t);
    show_status(t);
}

void quire_terminal_finished(quire_terminal *t, const char *server, const char *client,
                             const char *test, quire_verdict v, double duration_s,
                             const char *explanation)
{
    if (t->running) t->running--;
    t->done++;
    const char *color = "";
    switch (v) {
    case QUIRE_VERDICT_SUCCEEDED:
        t->succeeded++, color = GREEN;
        break;
    case QUIRE_VERDICT_FAILED:
        t->failed++, color = RED;
        break;
    case QUIRE_VERDICT_UNSUPPORTED:
        t->unsupported++, color = GREY;
        break;
    default:
        break;
    }
    clear_status(t);
    int width = 1;
    for (size_t n = t->total; n >= 10; n /= 10)
        width++;
    fprintf(t->out, "[%*zu/%zu] %s→%s %s %s%s%s %.1fs", width, t->done, t->total, server, client,
            test, t->tty ? color : "", quire_verdict_symbol(v), t->tty ? RESET : "", duration_s);
    if (v != QUIRE_VERDICT_SUCCEEDED && explanation && *explanation)
        fprintf(t->out, " (%s)", explanation);
    fputc('\n', t->out);
    show_status(t);
    fflush(t->out);
}

void quire_terminal_note(quire_terminal *t, const char *msg)
{
    clear_status(t);
    fprintf(t->out, "%s\n", msg);
    show_status(t);
    fflush(t->out);
}

void quire_terminal_end(quire_terminal *t)
{
    clear_status(t);
    fflush(t->out);
}

/* Display width of UTF-8 text: code points, which is right for our symbols and names. */
static size_t width(const char *s)
{
    size_t w = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xc0) != 0x80) w++;
    return w;
}

/* The three lines of a cell: "✓(H,DC)", "?()", "✕()" as QIR's get_letters. */
static void cell_lines(const quire_result *r, size_t s, size_t c, char lines[3][1024])
{
    static const quire_verdict order[3] = {QUIRE_VERDICT_SUCCEEDED, QUIRE_VERDICT_UNSUPPORTED,
                                           QUIRE_VERDICT_FAILED};
    for (int k = 0; k < 3; k++) {
        size_t off = (size_t)snprintf(lines[k], 1024, "%s(", quire_verdict_symbol(order[k]));
        int first = 1;
        for (size_t i = 0; i < r->ntests && off < 1000; i++) {
            const quire_result_cell *cell = quire_result_cell_get(r, s, c, i);
            if (!cell || cell->verdict != order[k]) continue;
            off += (size_t)snprintf(lines[k] + off, 1024 - off, "%s%s", first ? "" : ",",
                                    r->tests[i].abbr);
            first = 0;
        }
        snprintf(lines[k] + off, 1024 - off, ")");
    }
}

static void rule(FILE *out, const size_t *w, size_t ncols)
{
    for (size_t i = 0; i < ncols; i++) {
        fputc('+', out);
        for (size_t k = 0; k < w[i] + 2; k++)
            fputc('-', out);
    }
    fputs("+\n", out);
}

void quire_terminal_matrix(FILE *out, const quire_result *r, int color)
{
    size_t ncols = r->nservers + 1;
    size_t *w = calloc(ncols, sizeof *w);
    if (!w) return;
    for (size_t c = 0; c < r->nclients; c++)
        if (width(r->clients[c].name) > w[0]) w[0] = width(r->clients[c].name);
    for (size_t s = 0; s < r->nservers; s++) {
        w[s + 1] = width(r->servers[s].name);
        for (size_t c = 0; c < r->nclients; c++) {
            char lines[3][1024];
            cell_lines(r, s, c, lines);
            for (int k = 0; k < 3; k++)
                if (width(lines[k]) > w[s + 1]) w[s + 1] = width(lines[k]);
        }
    }
    rule(out, w, ncols);
    fprintf(out, "| %*s ", (int)w[0], "");
    for (size_t s = 0; s < r->nservers; s++) {
        size_t pad = w[s + 1] - width(r->servers[s].name);
        fprintf(out, "| %*s%s%*s ", (int)(pad / 2), "", r->servers[s].name, (int)(pad - pad / 2),
                "");
    }
    fputs("|\n", out);
    rule(out, w, ncols);
    static const char *const colors[3] = {GREEN, GREY, RED};
    for (size_t c = 0; c < r->nclients; c++) {
        for (int k = 0; k < 3; k++) {
            const char *name = k == 1 ? r->clients[c].name : "";
            fprintf(out, "| %s%*s ", name, (int)(w[0] - width(name)), "");
            for (size_t s = 0; s < r->nservers; s++) {
                char lines[3][1024];
                cell_lines(r, s, c, lines);
                size_t pad = w[s + 1] - width(lines[k]);
                fprintf(out, "| %*s%s%s%s%*s ", (int)(pad / 2), "", color ? colors[k] : "",
                        lines[k], color ? RESET : "", (int)(pad - pad / 2), "");
            }
            fputs("|\n", out);
        }
        rule(out, w, ncols);
    }
    free(w);
}
