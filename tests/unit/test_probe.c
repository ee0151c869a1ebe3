/* Unit tests for sim/probe: ADDR:PORT parsing, Version Negotiation recognition, and the probe
 * against a responder on loopback (answers after its second probe), a silent port (timeout),
 * the shared deadline, and an interruption through the stop descriptor. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sim/probe.h"
#include "util/err.h"

static void test_parse_addr(void **state)
{
    (void)state;
    struct sockaddr_storage ss;
    socklen_t sl;
    assert_int_equal(quire_probe_parse_addr("198.19.0.100:443", &ss, &sl), 0);
    assert_int_equal(ss.ss_family, AF_INET);
    assert_int_equal(ntohs(((struct sockaddr_in *)&ss)->sin_port), 443);
    assert_int_equal(quire_probe_parse_addr("[2001:2:0:2::100]:4433", &ss, &sl), 0);
    assert_int_equal(ss.ss_family, AF_INET6);
    assert_int_equal(ntohs(((struct sockaddr_in6 *)&ss)->sin6_port), 4433);
    static const char *const bad[] = {
        "198.19.0.100",  "198.19.0.100:",  "198.19.0.100:0", "198.19.0.100:65536",
        "2001:2::1:443", "[2001:2::1]443", "[2001:2::1:443", "server:443",
        ":443",          "1.2.3.4:44x",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(quire_probe_parse_addr(bad[i], &ss, &sl), QUIRE_ERR_INVALID);
}

static void test_is_vn(void **state)
{
    (void)state;
    uint8_t vn[11] = {0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    assert_true(quire_probe_is_vn(vn, sizeof vn));
    assert_false(quire_probe_is_vn(vn, 6));
    vn[4] = 1;
    assert_false(quire_probe_is_vn(vn, sizeof vn));
    vn[4] = 0;
    vn[0] = 0x40;
    assert_false(quire_probe_is_vn(vn, sizeof vn));
}

typedef struct responder {
    int fd;
    int answer_after; /* answer the n-th probe */
    int seen;
    int bad_probe;
} responder;

static void *respond(void *arg)
{
    responder *r = arg;
    uint8_t b[2000];
    struct sockaddr_storage from;
    for (;;) {
        socklen_t fl = sizeof from;
        ssize_t n = recvfrom(r->fd, b, sizeof b, 0, (struct sockaddr *)&from, &fl);
        if (n <= 0) return NULL;
        r->seen++;
        /* What wait-for-it-quic sends: 0xc0, version "WAIT", empty CIDs, >= 1200 bytes. */
        if (n < 1200 || b[0] != 0xc0 || memcmp(b + 1, "WAIT", 4) || b[5] || b[6]) r->bad_probe = 1;
        if (r->seen == r->answer_after) {
            uint8_t vn[11] = {0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
            sendto(r->fd, vn, sizeof vn, 0, (struct sockaddr *)&from, fl);
            return NULL;
        }
    }
}

static int bound_socket(struct sockaddr_storage *ss, socklen_t *sl)
{
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    *sl = sizeof *ss;
    getsockname(fd, (struct sockaddr *)ss, sl);
    return fd;
}

static void test_probe_answered_after_retry(void **state)
{
    (void)state;
    struct sockaddr_storage ss;
    socklen_t sl;
    responder r = {.answer_after = 2};
    r.fd = bound_socket(&ss, &sl);
    pthread_t th;
    pthread_create(&th, NULL, respond, &r);
    uint64_t ms = 0;
    assert_int_equal(quire_probe_wait(&ss, sl, 5000, -1, &ms), 0);
    pthread_join(th, NULL);
    assert_int_equal(r.seen, 2);
    assert_false(r.bad_probe);
    assert_true(ms >= 100 && ms < 2000); /* the second probe goes out after 100 ms */
    close(r.fd);
}

static void test_probe_timeout_and_stop(void **state)
{
    (void)state;
    struct sockaddr_storage ss;
    socklen_t sl;
    int fd = bound_socket(&ss, &sl); /* never answers */
    uint64_t ms = 0;
    assert_int_equal(quire_probe_wait(&ss, sl, 300, -1, &ms), QUIRE_ERR_TIMEOUT);
    assert_true(ms >= 300 && ms < 1500);

    int p[2];
    assert_int_equal(pipe(p), 0);
    assert_int_equal(write(p[1], "x", 1), 1);
    assert_int_equal(quire_probe_wait(&ss, sl, 5000, p[0], &ms), QUIRE_ERR_INTERRUPTED);
    assert_true(ms < 1000);

    /* Two silent servers share one deadline. */
    char addr[64];
    snprintf(addr, sizeof addr, "127.0.0.1:%u", ntohs(((struct sockaddr_in *)&ss)->sin_port));
    const char *servers[2] = {addr, addr};
    uint64_t t0 = 0;
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    assert_int_equal(quire_probe_all(servers, 2, 1000, -1), 0);
    clock_gettime(CLOCK_MONOTONIC, &b);
    t0 = (uint64_t)((b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000);
    assert_true(t0 >= 1000 && t0 < 1900); /* not 2 x 1000 */
    close(p[0]);
    close(p[1]);
    close(fd);
}

static void test_ready_file(void **state)
{
    (void)state;
    char path[] = "/tmp/quire-test-probe-XXXXXX";
    int tmp = mkstemp(path);
    assert_true(tmp >= 0);
    close(tmp);
    assert_int_equal(quire_probe_ready_file(path), 0);
    char buf[16] = {0};
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    assert_non_null(fgets(buf, sizeof buf, f));
    fclose(f);
    unlink(path);
    assert_string_equal(buf, "ready\n");
    assert_int_equal(quire_probe_ready_file("/nonexistent-dir/x/ready"), QUIRE_ERR_IO);
}

int main(void)
{
    // clang-format off
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_addr),
        cmocka_unit_test(test_is_vn),
        cmocka_unit_test(test_probe_answered_after_retry),
        cmocka_unit_test(test_probe_timeout_and_stop),
        cmocka_unit_test(test_ready_file),
    };
    // clang-format on
    return cmocka_run_group_tests(tests, NULL, NULL);
}
