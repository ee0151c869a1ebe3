/* The compliance pre-check (see compliance.h): one lifecycle run of a single endpoint. */
#include "run/compliance.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run/files.h"
#include "util/err.h"
#include "util/fs.h"

int quire_compliance_check(const quire_lifecycle_opts *base, const quire_impl *im, int role,
                           char *why, size_t whylen)
{
    /* QIR's TESTCASE is generate_slug(): a random name no implementation knows */
    char slug[64], dir[64] = "/tmp/quire-compliance-XXXXXX";
    int rc = quire_files_slug(slug, sizeof slug);
    if (rc) {
        snprintf(why, whylen, "cannot make a random test case name: %s", quire_strerror(rc));
        return rc;
    }
    if (!mkdtemp(dir)) {
        snprintf(why, whylen, "cannot create a temporary directory in /tmp");
        return QUIRE_ERR_IO;
    }
    quire_testcase tc = {
        .name = role == QUIRE_COMPLIANCE_SERVER ? "compliance-server" : "compliance-client",
        .abbr = "compliance",
        .desc = "QIR's compliance pre-check",
        .testcase_server = slug,
        .testcase_client = slug,
        .scenario = "simple-p2p --delay=15ms --bandwidth=10Mbps --queue=25", /* QIR's */
        .timeout_s = QUIRE_COMPLIANCE_TIMEOUT_S,
        .cert_chain_len = 1,
    };
    quire_lifecycle_opts lo = *base;
    lo.log_dir = dir;
    lo.server = lo.client = im; /* QIR names the image in both roles too */
    lo.tc = &tc;
    lo.timeout_s = 0;
    lo.testbed = NULL;
    lo.testbed_n = 0; /* before the scheduler: its testbeds do not exist yet */
    lo.repetition = 0;
    lo.keep = 0;
    lo.save_files = 0;
    lo.compliance = role;
    quire_outcome out;
    rc = quire_lifecycle_run(&lo, &out);
    if (base->debug && (rc || out.verdict != QUIRE_VERDICT_SUCCEEDED)) {
        /* -d: what the endpoint printed (QIR logs the compose output at debug level) */
        char path[1024], line[1024];
        snprintf(path, sizeof path, "%s/%s/output.txt", dir, out.log);
        FILE *f = fopen(path, "r");
        while (f && fgets(line, sizeof line, f))
            fputs(line, stderr);
        if (f) fclose(f);
    }
    quire_fs_remove_tree(dir);
    if (rc) {
        snprintf(why, whylen, "%s", out.explanation);
        return rc;
    }
    snprintf(why, whylen, "%s", out.explanation);
    return out.verdict == QUIRE_VERDICT_SUCCEEDED;
}
