/* Logging for the quire binary. Library code that may run inside other programs (trace, sim
 * core) reports through return codes and structured results; the runner and the CLI log
 * through here. Messages go to stderr with a level prefix; the level is set once from the
 * command line (-d/--debug). */
#ifndef QUIRE_LOG_H
#define QUIRE_LOG_H

typedef enum quire_log_level {
    QUIRE_LOG_ERROR = 0,
    QUIRE_LOG_WARN = 1,
    QUIRE_LOG_INFO = 2,
    QUIRE_LOG_DEBUG = 3,
} quire_log_level;

void quire_log_set_level(quire_log_level level);
quire_log_level quire_log_get_level(void);
void quire_log(quire_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define QUIRE_ERROR(...) quire_log(QUIRE_LOG_ERROR, __VA_ARGS__)
#define QUIRE_WARN(...) quire_log(QUIRE_LOG_WARN, __VA_ARGS__)
#define QUIRE_INFO(...) quire_log(QUIRE_LOG_INFO, __VA_ARGS__)
#define QUIRE_DEBUG(...) quire_log(QUIRE_LOG_DEBUG, __VA_ARGS__)

#endif
