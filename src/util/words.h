/* Lists of words in one string, separated by any of a set of characters: "a,b,c" (a
 * --probe-cases list, a cgroup's mount options), "a b c" (a test case's protocols), the words
 * of a cgroup file (" \t\n"). */
#ifndef QUIRE_WORDS_H
#define QUIRE_WORDS_H

#include <stddef.h>

/* 1 when one of the items of list (NULL: none), separated by any character of seps, is the
 * wlen bytes at w, else 0. Items between two separators are empty: they match only an empty
 * w. Never fails. */
int quire_words_has(const char *list, const char *seps, const char *w, size_t wlen);

#endif
