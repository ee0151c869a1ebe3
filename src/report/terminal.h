/* The terminal view of a run: while tests run, one line per finished test ("[12/40]
 * quic-go→quinn transfer ✓ 1.8s") and, when the output is a TTY, a live status line below them
 * (tests done, running, counts per verdict) that is redrawn in place; at the end the result
 * matrix as QIR prints it (servers as columns, clients as rows, each cell the abbreviations of
 * the succeeded ✓, unsupported ? and failed ✕ tests), coloured on a TTY. */
#ifndef QUIRE_TERMINAL_H
#define QUIRE_TERMINAL_H

#include <stdio.h>

#include "report/result.h"

typedef struct quire_terminal {
    FILE *out;
    int tty; /* live status line and colours */
    size_t total, done, running;
    size_t succeeded, failed, unsupported;
    int status_shown;
    char last_started[160];
    double last_started_at; /* monotonic seconds */
    char elapsed_[32];
} quire_terminal;

void quire_terminal_init(quire_terminal *t, FILE *out, int tty, size_t total);
void quire_terminal_started(quire_terminal *t, const char *server, const char *client,
                            const char *test);
void quire_terminal_finished(quire_terminal *t, const char *server, const char *client,
                             const char *test, quire_verdict v, double duration_s,
                             const char *explanation);
/* Redraws the status line (TTY only) so the running time of the latest test advances; the
 * scheduler calls it a few times a second. */
void quire_terminal_tick(quire_terminal *t);
/* A free-form message line (keeps the status line intact on a TTY). */
void quire_terminal_note(quire_terminal *t, const char *msg);
/* Removes the status line. */
void quire_terminal_end(quire_terminal *t);

/* Prints the matrix of the test-case results of r (QIR's layout) to out. */
void quire_terminal_matrix(FILE *out, const quire_result *r, int color);

#endif
