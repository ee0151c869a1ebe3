/* The results as JUnit XML, so CI systems (GitLab, GitHub, Jenkins) show them natively: one
 * <testsuite> per (server, client) pair named "quire.<server>_<client>", one <testcase> per
 * test case and measurement with that classname and the test's name; a failed test carries
 * <failure> with quire's explanation, an unsupported or not-run test carries <skipped>, a
 * measurement's value goes to <system-out>. Only the elements and attributes that Ant,
 * Jenkins, GitLab and GitHub readers share are used; tests/data/junit/junit.xsd describes
 * them and the tests validate the output against it. */
#ifndef QUIRE_JUNIT_H
#define QUIRE_JUNIT_H

#include "report/result.h"
#include "util/buf.h"

/* Appends the XML document to out; 0 or QUIRE_ERR_NOMEM. */
int quire_junit_write(const quire_result *r, quire_buf *out);

/* Renders and writes the document to path atomically (temporary file + rename). */
int quire_junit_save(const quire_result *r, const char *path);

#endif
