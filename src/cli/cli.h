/* The quire subcommands. Each lives in src/cli/cmd_<name>.c and takes the argument vector
 * starting at its own name; it returns the process exit code (0 ok, 1 test failures,
 * 2 usage or input error). */
#ifndef QUIRE_CLI_H
#define QUIRE_CLI_H

#include <stddef.h>

int quire_cmd_run(int argc, char **argv);
/* `quire run --protocol webtransport` (cmd_run_wt.c): the -t list (NULL: all) parsed against
 * the WebTransport table into rows of the run's test table (run/testcase_wt.h's quire_wt_row).
 * Returns 0, or QUIRE_ERR_NOTFOUND / QUIRE_ERR_INVALID with a one-line message in err. */
struct quire_testcase;
int quire_cmd_run_wt_tests(const char *tests_arg, const struct quire_testcase **out, size_t max,
                           size_t *n, char *err, size_t errlen);
int quire_cmd_list(int argc, char **argv);
int quire_cmd_trace(int argc, char **argv);
int quire_cmd_probe(int argc, char **argv);
int quire_cmd_sim(int argc, char **argv);
int quire_cmd_report(int argc, char **argv);
int quire_cmd_merge(int argc, char **argv);
int quire_cmd_diff(int argc, char **argv);
int quire_cmd_clean(int argc, char **argv);
int quire_cmd_experiment(int argc, char **argv);
int quire_cmd_image(int argc, char **argv);

#endif
