/* Unit tests for run/registry: QIR's form and the local form, positioned JSON errors, bad
 * entries, --replace, and probing (container-only entries, missing run_endpoint, the
 * `available` script's verdict and reason). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "run/registry.h"
#include "tmpdir.h"
#include "util/err.h"

static char root[64];

static void write_file(const char *name, const char *text, mode_t mode)
{
    char p[256];
    snprintf(p, sizeof p, "%s/%s", root, name);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    chmod(p, mode);
}

static int setup(void **state)
{
    (void)state;
    if (test_tmpdir_make(root, sizeof root, "registry")) return -1;
    char p[128];
    snprintf(p, sizeof p, "%s/ep_ok", root);
    mkdir(p, 0755);
    snprintf(p, sizeof p, "%s/ep_na", root);
    mkdir(p, 0755);
    snprintf(p, sizeof p, "%s/ep_noexec", root);
    mkdir(p, 0755);
    write_file("ep_ok/run_endpoint", "#!/bin/sh\nexit 0\n", 0755);
    write_file("ep_ok/available", "#!/bin/sh\nexit 0\n", 0755);
    write_file("ep_na/run_endpoint", "#!/bin/sh\nexit 0\n", 0755);
    write_file("ep_na/available",
               "#!/bin/sh\necho 'foo: not built (run install.sh)'\necho more\n"
               "exit 1\n",
               0755);
    write_file("ep_noexec/run_endpoint", "#!/bin/sh\nexit 0\n", 0644);
    write_file("impls.json",
               "{\n"
               "  \"qir\": {\"image\": \"example/qir:latest\", \"url\": \"https://x\", \"role\": "
               "\"both\"},\n"
               "  \"ok\": {\"path\": \"ep_ok\", \"url\": \"https://ok\", \"role\": \"server\"},\n"
               "  \"na\": {\"path\": \"ep_na\", \"role\": \"client\"},\n"
               "  \"noexec\": {\"path\": \"ep_noexec\", \"role\": \"both\"},\n"
               "  \"gone\": {\"path\": \"does/not/exist\", \"role\": \"both\"}\n"
               "}\n",
               0644);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    return test_tmpdir_remove(root);
}

static void test_load_and_probe(void **state)
{
    (void)state;
    char path[128], err[512];
    snprintf(path, sizeof path, "%s/impls.json", root);
    quire_registry r;
    assert_int_equal(quire_registry_load(&r, path, err, sizeof err), 0);
    assert_int_equal(r.n, 5);
    /* file order is kept */
    assert_string_equal(r.impls[0].name, "qir");
    assert_string_equal(r.impls[4].name, "gone");
    quire_impl *q = (quire_impl *)quire_registry_find(&r, "qir");
    assert_non_null(q);
    assert_int_equal(q->roles, QUIRE_REGISTRY_BOTH);
    assert_string_equal(quire_registry_roles_name(q->roles), "both");
    assert_string_equal(q->image, "example/qir:latest");
    assert_null(q->path);
    quire_registry_probe(q);
    assert_false(q->runnable);
    assert_non_null(strstr(q->reason, "container backend"));

    quire_impl *ok = (quire_impl *)quire_registry_find(&r, "ok");
    assert_int_equal(ok->roles, QUIRE_ROLE_BIT(QUIRE_ROLE_SERVER));
    assert_string_equal(quire_registry_roles_name(ok->roles), "server");
    assert_string_equal(ok->url, "https://ok");
    assert_int_equal(ok->path[0], '/'); /* resolved relative to the JSON file */
    assert_non_null(strstr(ok->path, "/ep_ok"));
    quire_registry_probe(ok);
    assert_true(ok->runnable);

    quire_impl *na = (quire_impl *)quire_registry_find(&r, "na");
    assert_string_equal(na->url, "");
    quire_registry_probe(na);
    assert_false(na->runnable);
    assert_string_equal(na->reason, "foo: not built (run install.sh)");

    quire_impl *ne = (quire_impl *)quire_registry_find(&r, "noexec");
    quire_registry_probe(ne);
    assert_false(ne->runnable);
    assert_non_null(strstr(ne->reason, "not executable"));

    quire_impl *gone = (quire_impl *)quire_registry_find(&r, "gone");
    quire_registry_probe(gone);
    assert_false(gone->runnable);
    assert_non_null(strstr(gone->reason, "missing"));
    assert_null(quire_registry_find(&r, "nope"));

    /* --replace: a directory replaces the path, anything else the image */
    char rep[256];
    snprintf(rep, sizeof rep, "qir=%s/ep_ok,na=other/image:1", root);
    assert_int_equal(quire_registry_replace(&r, rep, err, sizeof err), 0);
    assert_non_null(q->path);
    quire_registry_probe(q);
    assert_true(q->runnable);
    assert_string_equal(na->image, "other/image:1");
    assert_int_equal(quire_registry_replace(&r, "nosuch=x", err, sizeof err), QUIRE_ERR_NOTFOUND);
    assert_non_null(strstr(err, "'nosuch'"));
    assert_int_equal(quire_registry_replace(&r, "qir", err, sizeof err), QUIRE_ERR_INVALID);
    assert_int_equal(quire_registry_replace(&r, "=x", err, sizeof err), QUIRE_ERR_INVALID);
    quire_registry_free(&r);
}

static void expect_error(const char *text, int code, const char *needle)
{
    char path[128], err[512];
    snprintf(path, sizeof path, "%s/bad.json", root);
    write_file("bad.json", text, 0644);
    quire_registry r;
    assert_int_equal(quire_registry_load(&r, path, err, sizeof err), code);
    assert_non_null(strstr(err, path));
    if (!strstr(err, needle)) fail_msg("'%s' not in '%s'", needle, err);
    assert_null(strchr(err, '\n'));
    quire_registry_free(&r);
}

static void test_errors(void **state)
{
    (void)state;
    /* jansson's line and column: the stray token on line 3 */
    expect_error("{\n \"a\": {\"role\": \"both\",\n  \"path\": x}\n}\n", QUIRE_ERR_MALFORMED,
                 ":3:11: invalid token");
    expect_error("{\"a\": {\"role\": \"both\", \"path\": \"p\"},}", QUIRE_ERR_MALFORMED, ":1:");
    expect_error("[1, 2]", QUIRE_ERR_INVALID, "expected an object");
    expect_error("{\"a\": {\"role\": \"neither\", \"path\": \"p\"}}", QUIRE_ERR_INVALID,
                 "unknown role 'neither'");
    expect_error("{\"a\": {\"path\": \"p\"}}", QUIRE_ERR_INVALID, "missing \"role\"");
    expect_error("{\"a\": {\"role\": \"both\"}}", QUIRE_ERR_INVALID, "needs \"image\" or \"path\"");
    expect_error("{\"a\": {\"role\": \"both\", \"image\": 3}}", QUIRE_ERR_INVALID,
                 "must be strings");
    expect_error("{\"a\": 1}", QUIRE_ERR_INVALID, "'a': expected an object");
    /* names become directories and list elements; control characters never reach messages */
    expect_error("{\"../x\": {\"role\": \"both\", \"path\": \"p\"}}", QUIRE_ERR_INVALID,
                 "implementation name '../x'");
    expect_error("{\"a,b\": {\"role\": \"both\", \"path\": \"p\"}}", QUIRE_ERR_INVALID,
                 "name 'a,b'");
    expect_error("{\"\": {\"role\": \"both\", \"path\": \"p\"}}", QUIRE_ERR_INVALID, "name ''");
    expect_error("{\"a\": {\"role\": \"cli\\nent\", \"path\": \"p\"}}", QUIRE_ERR_INVALID,
                 "unknown role 'cli?ent'");
    char err[512];
    quire_registry r;
    assert_int_equal(quire_registry_load(&r, "/nonexistent/impls.json", err, sizeof err),
                     QUIRE_ERR_IO);
    assert_non_null(strstr(err, "/nonexistent/impls.json"));
}

static void test_shipped_file(void **state)
{
    (void)state;
    /* the project's own implementations.json parses */
    const char *src = getenv("QUIRE_SOURCE_DIR");
    if (!src) skip();
    char path[512], err[512];
    snprintf(path, sizeof path, "%s/implementations_quic.json", src);
    if (access(path, R_OK)) snprintf(path, sizeof path, "%s/implementations.json", src);
    quire_registry r;
    assert_int_equal(quire_registry_load(&r, path, err, sizeof err), 0);
    assert_non_null(quire_registry_find(&r, "quic-go"));
    quire_registry_free(&r);
}

static void touch(const char *dir, const char *name)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs("{}", f);
    fclose(f);
}

/* QIR's implementations_quic.json first, implementations.json still read; the environment's
 * QUIRE_IMPLEMENTATIONS above both. */
static void test_default_path(void **state)
{
    (void)state;
    char dir[128], want[512], got[512], cwd[4096];
    assert_int_equal(test_tmpdir_make(dir, sizeof dir, "regdef"), 0);
    const char *e = getenv("QUIRE_SOURCE_DIR");
    char *old_src = e ? strdup(e) : NULL;
    e = getenv("QUIRE_IMPLEMENTATIONS");
    char *old_impl = e ? strdup(e) : NULL;
    unsetenv("QUIRE_IMPLEMENTATIONS");
    setenv("QUIRE_SOURCE_DIR", dir, 1);
    touch(dir, "implementations.json");
    quire_registry_default_path(got, sizeof got);
    snprintf(want, sizeof want, "%s/implementations.json", dir);
    assert_string_equal(got, want);
    touch(dir, "implementations_quic.json");
    quire_registry_default_path(got, sizeof got);
    snprintf(want, sizeof want, "%s/implementations_quic.json", dir);
    assert_string_equal(got, want);
    setenv("QUIRE_IMPLEMENTATIONS", "/x/mine.json", 1);
    quire_registry_default_path(got, sizeof got);
    assert_string_equal(got, "/x/mine.json");
    unsetenv("QUIRE_IMPLEMENTATIONS");
    /* nothing in the source dir: the current directory's, QIR's name first */
    char sub[256];
    snprintf(sub, sizeof sub, "%s/empty", dir);
    assert_int_equal(mkdir(sub, 0755), 0);
    setenv("QUIRE_SOURCE_DIR", sub, 1);
    assert_non_null(getcwd(cwd, sizeof cwd));
    assert_int_equal(chdir(dir), 0);
    quire_registry_default_path(got, sizeof got);
    assert_string_equal(got, "implementations_quic.json");
    assert_int_equal(chdir(sub), 0);
    quire_registry_default_path(got, sizeof got);
    assert_string_equal(got, "implementations.json");
    assert_int_equal(chdir(cwd), 0);
    if (old_src)
        setenv("QUIRE_SOURCE_DIR", old_src, 1);
    else
        unsetenv("QUIRE_SOURCE_DIR");
    if (old_impl) setenv("QUIRE_IMPLEMENTATIONS", old_impl, 1);
    free(old_src);
    free(old_impl);
    assert_int_equal(test_tmpdir_remove(dir), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_load_and_probe),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_shipped_file),
        cmocka_unit_test(test_default_path),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
