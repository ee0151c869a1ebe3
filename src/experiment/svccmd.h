/* A service's command line as it runs: the execution environments' wrapper words around the
 * plugin's command, and the folders of this machine the command needs when the service runs
 * in a container (the container backend mounts them read-only at their own paths beside the
 * host's /usr, backend.h's quire_role_spec.host_paths). */
#ifndef QUIRE_SVCCMD_H
#define QUIRE_SVCCMD_H

#include <limits.h>
#include <stddef.h>

#include "experiment/runner.h"

/* The execution environments' wrapper words for service s, outermost first (gperftools' env
 * and gdb, profile.h; then perf record, strace, valgrind memcheck or helgrind with its
 * suppressions), into argv (room for 64); supp holds the --suppressions= word (first half) and
 * the LD_PRELOAD= word (second half). Output files go to the service's /logs. Returns the
 * number of words; cannot fail. */
size_t quire_xrun_wrap(const quire_svc_run *s, const char **argv, char *supp, size_t supplen);

#define QUIRE_XRUN_FOLDERS_MAX 6

/* The folders of this machine the command argv[0..argc) needs in a container: those of its
 * program (found through PATH) and of every argument that is an executable file (a wrapper's
 * real program, e.g. run_mvfst BINARY), then for each that is a script the folder of its #!
 * interpreter; a folder named bin stands for its parent (a prefix such as /opt/x or a Python
 * installation with its lib/). Folders under /usr, "/" and repeats are left out. out gets at
 * most QUIRE_XRUN_FOLDERS_MAX of them, NULL-terminated (out needs one more slot), the strings
 * kept in hp. Cannot fail: what cannot be found is left out. */
void quire_xrun_folders(const char *const *argv, size_t argc, char hp[][PATH_MAX],
                        const char **out);

#endif
