/* Escaping text for the HTML and JUnit XML reports (see markup.h). */
#include "report/markup.h"

#include <string.h>

#include "util/err.h"

int quire_markup_escape(quire_buf *b, const char *s, quire_markup_dialect d)
{
    if (!s) return 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        const char *rep = NULL;
        switch (*p) {
        case '&':
            rep = "&amp;";
            break;
        case '<':
            rep = "&lt;";
            break;
        case '>':
            rep = "&gt;";
            break;
        case '"':
            rep = "&quot;";
            break;
        case '\'':
            rep = d == QUIRE_MARKUP_XML ? "&apos;" : "&#39;";
            break;
        case '\t':
        case '\n':
        case '\r':
            break;
        default:
            if (*p < 0x20 && d == QUIRE_MARKUP_XML) rep = "\xef\xbf\xbd";
            break;
        }
        if (rep ? quire_buf_append(b, rep, strlen(rep)) : quire_buf_putc(b, (char)*p))
            return QUIRE_ERR_NOMEM;
    }
    return 0;
}
