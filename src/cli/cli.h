/* The quire subcommands. Each lives in src/cli/cmd_<name>.c and takes the argument vector
 * starting at its own name; it returns the process exit code (0 ok, 1 test failures,
 * 2 usage or input error). */
#ifndef QUIRE_CLI_H
#define QUIRE_CLI_H

int quire_cmd_run(int argc, char **argv);
/* `quire run --protocol webtransport` (cmd_run_wt.c): the options already parsed by
 * quire_cmd_run (NULL = default). Returns the exit status: 2 on a usage error, and 2 after
 * printing the plan, since executing it is not implemented yet. */
int quire_cmd_run_webtransport(const char *impl_file, const char *servers_arg,
                               const char *clients_arg, const char *tests_arg);
int quire_cmd_list(int argc, char **argv);
int quire_cmd_trace(int argc, char **argv);
int quire_cmd_sim(int argc, char **argv);
int quire_cmd_report(int argc, char **argv);
int quire_cmd_merge(int argc, char **argv);
int quire_cmd_diff(int argc, char **argv);
int quire_cmd_clean(int argc, char **argv);
int quire_cmd_experiment(int argc, char **argv);
int quire_cmd_image(int argc, char **argv);

#endif
