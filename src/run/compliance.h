/* QIR's compliance pre-check (interop.py _check_impl_is_compliant): before the first test of
 * an implementation in a role, that role is run alone (with the simulator) under a random,
 * unknown TESTCASE, and must exit with 127; an implementation that does not is "not
 * compliant", and QIR skips every pair it is in (their cells stay empty). The result is kept
 * per (implementation, role) for the whole run. */
#ifndef QUIRE_COMPLIANCE_H
#define QUIRE_COMPLIANCE_H

#include <stddef.h>

#include "run/lifecycle.h"
#include "run/scheduler.h"

#define QUIRE_COMPLIANCE_TIMEOUT_S 10 /* QIR waits without bound; quire gives up after this */

/* Runs the check of im in one role (QUIRE_COMPLIANCE_SERVER or _CLIENT) with base's run id,
 * backend, simulator and debug settings, in a temporary directory that is removed again.
 * Returns 1 (compliant), 0 (not: why says what it did instead), QUIRE_ERR_INTERRUPTED, or
 * another error (why set). */
int quire_compliance_check(const quire_lifecycle_opts *base, const quire_impl *im, int role,
                           char *why, size_t whylen);

#define QUIRE_COMPLIANCE_MAX_IMPLS 256

/* QIR's compliance pre-check over a job list, in QIR's order (for each pair: the server, then
 * the client; each (implementation, role) once): jobs of pairs with a non-compliant member are
 * dropped from jobsv (*njobs updated), so their cells stay "not run" as QIR's stay empty.
 * Returns 0, or QUIRE_ERR_INTERRUPTED (jobsv then partly filtered). */
int quire_compliance_filter_jobs(const quire_lifecycle_opts *base, quire_job *jobsv, size_t *njobs);

#endif
