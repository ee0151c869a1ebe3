/* `quire run --protocol webtransport`: QIR's WebTransport suite (run.py --protocol
 * webtransport). The run is quire_cmd_run's (the same scheduler, lifecycle, backends, result.json
 * and reports); this file gives it what differs: the test selection from the WebTransport table
 * (run/testcase_wt.h) as rows of the run's test table (quire_wt_row), whose files, REQUESTS,
 * PROTOCOLS and checks the lifecycle takes from run/wtrun.h and checks/webtransport.h. The
 * default implementations file is implementations_webtransport.json (registry.h). */
#include "cli/cli.h"

#include <stdio.h>

#include "run/testcase.h"
#include "run/testcase_wt.h"
#include "util/err.h"

#define WT_MAX 16

int quire_cmd_run_wt_tests(const char *tests_arg, const quire_testcase **out, size_t max,
                           size_t *n, char *err, size_t errlen)
{
    const quire_wt_testcase *wt[WT_MAX];
    size_t nwt = 0;
    *n = 0;
    int rc = quire_wt_parse_list(tests_arg, wt, WT_MAX, &nwt, err, errlen);
    if (rc) return rc;
    for (size_t i = 0; i < nwt; i++) {
        if (*n == max) {
            snprintf(err, errlen, "too many test cases (at most %zu)", max);
            return QUIRE_ERR_INVALID;
        }
        out[(*n)++] = quire_wt_row(wt[i]);
    }
    return 0;
}
