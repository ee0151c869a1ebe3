/* Assertions of experiments, evaluated by quire after a run (the part PANTHER leaves to the
 * user): service_responsive (the runner's QUIC probe while the server ran, and how it ended),
 * data_integrity (SHA-256 of every served file against the client's download),
 * performance_threshold (handshake time, time to first byte, goodput from the client-side
 * capture), protocol_compliance (trace checks: no packets after CONNECTION_CLOSE, Retry token
 * echoed, version chosen, handshake completed) and execution_environment_clean (valgrind's
 * XML: every memcheck/helgrind error with its kind, text and first frame). Each verdict carries
 * its evidence as one line of text. */
#ifndef QUIRE_ASSERT_H
#define QUIRE_ASSERT_H

#include <stddef.h>

#include "experiment/runner.h"

/* Measures r's metrics from its capture and fills r->verdicts (one per assertion). */
void quire_assert_evaluate(quire_xrun *r);

/* Summarizes a valgrind XML output: the number of <error> records (*nerrors) and a text naming
 * each (kind, what, first frame with function and file:line) into out. *complete is 1 when the
 * document ends with </valgrindoutput> (valgrind finished its report). Returns 0, or
 * QUIRE_ERR_MALFORMED when it is not valgrind XML. */
int quire_assert_valgrind_summary(const char *xml, size_t len, unsigned *nerrors, int *complete,
                                  char *out, size_t outlen);

#endif
