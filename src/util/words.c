/* Lists of words in one string (see words.h). */
#include "util/words.h"

#include <string.h>

int quire_words_has(const char *list, const char *seps, const char *w, size_t wlen)
{
    for (const char *p = list; p && *p;) {
        size_t n = strcspn(p, seps);
        if (n == wlen && !memcmp(p, w, n)) return 1;
        p = p[n] ? p + n + 1 : NULL;
    }
    return 0;
}
