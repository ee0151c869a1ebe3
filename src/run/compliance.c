/* The compliance pre-check (see compliance.h): one lifecycle run of a single endpoint. */
#include "run/compliance.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/runstate.h"
#include "run/files.h"
#include "util/err.h"
#include "util/fs.h"

int quire_compliance_check(const quire_lifecycle_opts *base, const quire_impl *im, int role,
                           char *why, size_t whylen)
{
    /* QIR's TESTCASE is generate_slug(): a random name no implementation knows */
    char slug[64], dir[256];
    int rc = quire_files_slug(slug, sizeof slug);
    if (rc) {
        snprintf(why, whylen, "cannot make a random test case name: %s", quire_strerror(rc));
        return rc;
    }
    /* in the run's state directory, so that `quire clean` removes it after a kill */
    char state[128];
    rc = quire_run_dir(base->run_id, state, sizeof state);
    if (!rc) rc = quire_fs_mkdtemp(state, "compliance-", dir, sizeof dir);
    if (rc) {
        snprintf(why, whylen, "cannot create a directory in %s/%s: %s", QUIRE_RUN_STATE_DIR,
                 base->run_id ? base->run_id : "?", quire_strerror(rc));
        return rc;
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

/* QIR's compliance pre-check, in its order (for each pair: the server, then the client; each
 * (implementation, role) once): the jobs of pairs with a non-compliant member are dropped, so
 * their cells stay "not run" as QIR's stay empty. Returns 0 or QUIRE_ERR_INTERRUPTED. */
int quire_compliance_filter_jobs(const quire_lifecycle_opts *base, quire_job *jobsv, size_t *njobs)
{
    const quire_impl *seen[2 * QUIRE_COMPLIANCE_MAX_IMPLS];
    int seen_role[2 * QUIRE_COMPLIANCE_MAX_IMPLS], seen_ok[2 * QUIRE_COMPLIANCE_MAX_IMPLS];
    size_t nseen = 0, kept = 0;
    for (size_t i = 0; i < *njobs; i++) {
        int ok = 1;
        /* the probe's client is quire itself: only its server is checked */
        for (int r = 0; r < (jobsv[i].tc->probe ? 1 : 2) && ok; r++) {
            const quire_impl *im = r ? jobsv[i].client : jobsv[i].server;
            int role = r ? QUIRE_COMPLIANCE_CLIENT : QUIRE_COMPLIANCE_SERVER;
            size_t k = 0;
            while (k < nseen && !(seen[k] == im && seen_role[k] == role))
                k++;
            if (k == nseen) {
                char why[512];
                int rc = quire_compliance_check(base, im, role, why, sizeof why);
                if (rc == QUIRE_ERR_INTERRUPTED) return rc;
                if (rc < 0) rc = 0; /* could not run it: QIR's answer is the same */
                if (rc)
                    fprintf(stderr, "quire: %s %s compliant\n", im->name, r ? "client" : "server");
                else /* QIR: "<name> <role> not compliant." and "Not compliant, skipping" */
                    fprintf(stderr, "quire: %s %s not compliant, skipping its pairs: %s\n",
                            im->name, r ? "client" : "server", why);
                seen[nseen] = im;
                seen_role[nseen] = role;
                seen_ok[nseen++] = rc;
            }
            ok = seen_ok[k];
        }
        if (ok) jobsv[kept++] = jobsv[i];
    }
    *njobs = kept;
    return 0;
}
