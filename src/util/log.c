/* stderr logger (see log.h). The level is process-wide configuration set once at start-up,
 * the one piece of global state quire allows itself. */
#include "util/log.h"

#include <stdarg.h>
#include <stdio.h>

static quire_log_level current = QUIRE_LOG_INFO;

void quire_log_set_level(quire_log_level level)
{
    current = level;
}

quire_log_level quire_log_get_level(void)
{
    return current;
}

void quire_log(quire_log_level level, const char *fmt, ...)
{
    static const char *const prefix[] = {"error: ", "warning: ", "", "debug: "};
    if (level > current) return;
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "quire: %s", prefix[level]);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}
