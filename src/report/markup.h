/* Escaping text for the markup reports: one escaper serves the HTML page (report/html) and
 * the JUnit XML file (report/junit), which differ only in how they spell the apostrophe and
 * in what they do with control characters. */
#ifndef QUIRE_MARKUP_H
#define QUIRE_MARKUP_H

#include "util/buf.h"

typedef enum quire_markup_dialect {
    /* & < > " ' as entities (' as &#39;); every other byte as it is */
    QUIRE_MARKUP_HTML,
    /* & < > " ' as entities (' as &apos;); control characters other than tab, LF and CR,
     * which XML 1.0 cannot carry at all, become U+FFFD */
    QUIRE_MARKUP_XML,
} quire_markup_dialect;

/* Appends s (NULL appends nothing) escaped for text and attribute values in dialect d.
 * 0 or QUIRE_ERR_NOMEM. */
int quire_markup_escape(quire_buf *b, const char *s, quire_markup_dialect d);

#endif
