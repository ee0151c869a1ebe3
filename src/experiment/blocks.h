/* Jinja's conditional blocks in plugin templates, the subset PANTHER's command templates use:
 *   {% if COND %} ... {% elif COND %} ... {% else %} ... {% endif %}
 * nested up to QUIRE_BLOCKS_MAX_DEPTH, with Jinja's whitespace control ("{%-" strips the
 * whitespace before the tag, "-%}" the whitespace after it). COND is
 *   COND or COND | COND and COND | not COND | ( COND ) | OPERAND == OPERAND | OPERAND != OPERAND
 *   | NAME is [not] defined | NAME is [not] none | OPERAND
 * where an OPERAND is a variable NAME (letters, digits, '_', '.', ':' as in "env:HOME"), a
 * quoted string, a number, true, false or none. A variable is false when it is unset (~), empty,
 * "false"/"False"/"FALSE" or "0" (plugin values are strings; these are what YAML's false and 0
 * become); anything else is true. An unknown variable is an error (a typo must not silently take
 * the else branch) except in "is defined". Text outside blocks and {{...}} references are kept
 * as they are; a branch not taken is not rendered, so its variables are never looked up. Any
 * other tag ({% for %}, {% set %}, ...) is an error naming the tag. */
#ifndef QUIRE_BLOCKS_H
#define QUIRE_BLOCKS_H

#include <stddef.h>

#define QUIRE_BLOCKS_MAX_DEPTH 16

/* Resolves a variable for a condition: sets *val to its rendered value (malloc'ed, the caller
 * frees it) or to NULL when the variable is unset. Returns 1 found, 0 unknown, or a negative
 * QUIRE_ERR_* with the problem written to err. */
typedef int (*quire_blocks_value_fn)(void *ctx, const char *name, char **val, char *err,
                                     size_t errlen);

/* Whether t has a "{%" tag at all (cheap test before expanding). */
int quire_blocks_present(const char *t);

/* Expands the blocks of template t into *out (malloc'ed). Returns 0, QUIRE_ERR_INVALID with the
 * problem in err (unterminated tag, unknown tag, bad condition, unbalanced if/endif, unknown
 * variable, nesting deeper than the limit, output longer than maxlen), QUIRE_ERR_NOMEM. */
int quire_blocks_expand(const char *t, quire_blocks_value_fn value, void *ctx, size_t maxlen,
                        char **out, char *err, size_t errlen);

#endif
