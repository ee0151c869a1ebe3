/* The result matrix as Markdown, in the QUIC Interop Runner's layout (run.py --markdown,
 * prettytable's MARKDOWN style): one table for the test cases with servers as columns and
 * clients as rows, each cell "✓(abbrs)<br>?(abbrs)<br>✕(abbrs)" for succeeded, unsupported
 * and failed tests, and one table for the measurements ("G: 9150 (± 129) kbps" when
 * succeeded, the bare abbreviation otherwise). quire appends a list of the failed tests with
 * their explanations and log directories. */
#ifndef QUIRE_MARKDOWN_H
#define QUIRE_MARKDOWN_H

#include "report/result.h"
#include "util/buf.h"

/* Appends the report to out; 0 or QUIRE_ERR_NOMEM. */
int quire_markdown_write(const quire_result *r, quire_buf *out);

/* Only QIR's tables, without quire's list of failures. */
int quire_markdown_write_tables(const quire_result *r, quire_buf *out);

#endif
