/* The environments of one experiment test: the network environment (netns backend; a
 * simulator scenario string, or delay / bandwidth / queue / loss settings turned into one, and
 * a sweep over one of them: one scenario per point) and the execution environment list
 * (strace, memcheck, helgrind, perf with an optional valgrind suppression file; iterations).
 * Part of the experiment parser (spec.h); problems go to the diagnostics with positions. */
#ifndef QUIRE_ENVS_H
#define QUIRE_ENVS_H

#include "experiment/spec.h"
#include "experiment/yamldoc.h"

/* Fill xt's scenarios (and sweep) / envs and iterations from the test node; return the number
 * of problems added to g. */
int quire_envs_parse_network(const char *file, quire_ydiag *g, const quire_ynode *test,
                             quire_xtest *xt);
int quire_envs_parse_exec(const char *file, quire_ydiag *g, const quire_ynode *test,
                          quire_xtest *xt);

#endif
