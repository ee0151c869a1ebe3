/* A fresh temporary directory for a unit test, and its removal: /tmp/quire-test-TAG-PID-XXXXXX.
 * Included by unit tests only (static definitions). */
#ifndef QUIRE_TEST_TMPDIR_H
#define QUIRE_TEST_TMPDIR_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "util/fs.h"

/* 0, or -1 when the directory cannot be made; dir holds at least 64 bytes. */
static int test_tmpdir_make(char *dir, size_t len, const char *tag)
{
    snprintf(dir, len, "/tmp/quire-test-%s-%d-XXXXXX", tag, (int)getpid());
    return mkdtemp(dir) ? 0 : -1;
}

/* 0, or -1 when something under dir stayed. */
static int test_tmpdir_remove(const char *dir)
{
    return quire_fs_remove_tree(dir) ? -1 : 0;
}

#endif
