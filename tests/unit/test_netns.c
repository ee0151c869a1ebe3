/* Unit tests for backend/netns. Without root: run ids and the hosts file. With root (skipped
 * otherwise, saying why): a real testbed — names in /run/netns, UDP over IPv4 and IPv6 from
 * client to server through the sim only when kernel forwarding is on, datagrams on the sim's
 * wire with complete checksums and unsplit-free (no GSO super-packets), a taken name refused
 * without touching the existing testbed, processes inside killed on destroy, run ownership. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "backend/netns.h"
#include "util/err.h"
#include "util/fs.h"
#include "util/proc.h"

#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103
#endif

static void test_run_ids(void **state)
{
    (void)state;
    static const struct {
        const char *id;
        int valid;
    } cases[] = {
        {"r1", 1}, {"abc_DEF_09", 1}, {"", 0}, {"a-b", 0}, {"a/b", 0}, {"a b", 0}, {"a.b", 0},
        {"0123456789abcdef0123456789abcdef", 1}, {"0123456789abcdef0123456789abcdef0", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_int_equal(quire_run_id_valid(cases[i].id), cases[i].valid);
    assert_int_equal(quire_run_id_valid(NULL), 0);
    char a[QUIRE_RUN_ID_MAX + 1], b[QUIRE_RUN_ID_MAX + 1];
    assert_int_equal(quire_run_id_make(a, sizeof a), 0);
    assert_true(quire_run_id_valid(a));
    assert_int_equal(quire_run_id_make(b, sizeof b), 0);
    assert_true(quire_run_id_valid(b));
    char tiny[3];
    assert_int_equal(quire_run_id_make(tiny, sizeof tiny), QUIRE_ERR_INVALID);
}

/* Every endpoint name resolves to the testbed address it must. */
static void test_hosts(void **state)
{
    (void)state;
    static const struct {
        const char *name, *addr;
    } want[] = {
        {"server", QUIRE_NETNS_SERVER_IP4}, {"server", QUIRE_NETNS_SERVER_IP6},
        {"server4", QUIRE_NETNS_SERVER_IP4}, {"server6", QUIRE_NETNS_SERVER_IP6},
        {"client", QUIRE_NETNS_CLIENT_IP4}, {"client", QUIRE_NETNS_CLIENT_IP6},
        {"client4", QUIRE_NETNS_CLIENT_IP4}, {"client6", QUIRE_NETNS_CLIENT_IP6},
        {"sim", QUIRE_NETNS_SIM_LEFT_IP4}, {"localhost", "127.0.0.1"},
    };
    char buf[1024];
    int n = quire_netns_hosts_content(buf, sizeof buf);
    assert_true(n > 0 && (size_t)n == strlen(buf));
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        int found = 0;
        char copy[1024];
        memcpy(copy, buf, (size_t)n + 1);
        for (char *line = strtok(copy, "\n"); line; line = strtok(NULL, "\n")) {
            char addr[64];
            int off;
            if (sscanf(line, "%63s%n", addr, &off) != 1 || strcmp(addr, want[i].addr)) continue;
            for (char *tok = strtok(line + off, " "); tok; tok = strtok(NULL, " "))
                if (!strcmp(tok, want[i].name)) found = 1;
            break; /* strtok state: one matching line per address */
        }
        if (!found) fail_msg("%s -> %s missing in:\n%s", want[i].name, want[i].addr, buf);
    }
    /* server4 must not resolve to IPv6, server6 not to IPv4. */
    assert_null(strstr(buf, QUIRE_NETNS_SERVER_IP6 " server server4"));
    char small[16];
    assert_int_equal(quire_netns_hosts_content(small, sizeof small), QUIRE_ERR_INVALID);

    char dir[256], path[300], *data;
    assert_int_equal(quire_fs_mkdtemp(NULL, "quire-test-netns-", dir, sizeof dir), 0);
    snprintf(path, sizeof path, "%s/hosts", dir);
    assert_int_equal(quire_netns_write_hosts(path), 0);
    assert_int_equal(quire_fs_read_file(path, &data, NULL, 0), 0);
    assert_string_equal(data, buf);
    free(data);
    assert_int_equal(quire_fs_remove_tree(dir), 0);
}

static char run_id[32];

static int root_ok(void)
{
    char why[256];
    if (quire_netns_available(why, sizeof why) < 0) {
        print_message("skipped: netns backend unavailable: %s\n", why);
        return 0;
    }
    return 1;
}

/* A UDP socket created inside a namespace (sockets stay in the namespace they were made in). */
typedef struct sock_req {
    int family, type, proto;
    int fd;
} sock_req;

static int make_socket(void *arg)
{
    sock_req *r = arg;
    r->fd = socket(r->family, r->type | SOCK_CLOEXEC, r->proto);
    return r->fd < 0 ? QUIRE_ERR_IO : 0;
}

static int socket_in(const char *ns, int family, int type, int proto)
{
    sock_req r = {family, type, proto, -1};
    assert_int_equal(quire_netns_run_in(ns, make_socket, &r), 0);
    return r.fd;
}

static void sockaddr_of(const char *ip, uint16_t port, struct sockaddr_storage *ss, socklen_t *len)
{
    memset(ss, 0, sizeof *ss);
    if (strchr(ip, ':')) {
        struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons(port);
        assert_int_equal(inet_pton(AF_INET6, ip, &s6->sin6_addr), 1);
        *len = sizeof *s6;
    } else {
        struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
        s4->sin_family = AF_INET;
        s4->sin_port = htons(port);
        assert_int_equal(inet_pton(AF_INET, ip, &s4->sin_addr), 1);
        *len = sizeof *s4;
    }
}

/* Sends one datagram client -> server over family; returns 1 if the server got it in time. */
static int udp_through(const quire_netns_testbed *tb, const char *server_ip, int wait_ms)
{
    int family = strchr(server_ip, ':') ? AF_INET6 : AF_INET;
    int srv = socket_in(quire_netns_testbed_name(tb, QUIRE_ROLE_SERVER), family, SOCK_DGRAM, 0);
    int cli = socket_in(quire_netns_testbed_name(tb, QUIRE_ROLE_CLIENT), family, SOCK_DGRAM, 0);
    struct sockaddr_storage ss;
    socklen_t len;
    sockaddr_of(server_ip, 4433, &ss, &len);
    /* Binding the exact IPv6 address works at once only without DAD (IFA_F_NODAD). */
    assert_int_equal(bind(srv, (struct sockaddr *)&ss, len), 0);
    assert_int_equal(sendto(cli, "quire", 5, 0, (struct sockaddr *)&ss, len), 5);
    struct pollfd pfd = {.fd = srv, .events = POLLIN};
    int got = poll(&pfd, 1, wait_ms) == 1;
    if (got) {
        char buf[16];
        assert_int_equal(recv(srv, buf, sizeof buf, 0), 5);
        assert_memory_equal(buf, "quire", 5);
    }
    close(srv);
    close(cli);
    return got;
}

static void test_testbed_forwarding(void **state)
{
    (void)state;
    if (!root_ok()) skip();
    quire_netns_testbed tb;
    unsigned long long t0 = quire_proc_now_ns();
    assert_int_equal(quire_netns_testbed_create(&tb, run_id, 1), 0);
    unsigned long long t1 = quire_proc_now_ns();
    char p[300];
    for (int r = 0; r < 3; r++) {
        snprintf(p, sizeof p, "%s/quire-%s-1-%s", QUIRE_NETNS_DIR, run_id,
                 r == 0 ? "client" : r == 1 ? "sim" : "server");
        assert_true(quire_fs_exists(p));
        assert_string_equal(quire_netns_testbed_name(&tb, (quire_role)r), p + 11);
    }
    /* Forwarding off by default: the sim swallows everything. */
    assert_false(udp_through(&tb, QUIRE_NETNS_SERVER_IP4, 200));
    assert_int_equal(quire_netns_set_forwarding(&tb, 1), 0);
    assert_true(udp_through(&tb, QUIRE_NETNS_SERVER_IP4, 2000));
    assert_true(udp_through(&tb, QUIRE_NETNS_SERVER_IP6, 2000));
    assert_int_equal(quire_netns_set_forwarding(&tb, 0), 0);
    assert_false(udp_through(&tb, QUIRE_NETNS_SERVER_IP6, 200));

    unsigned long long t2 = quire_proc_now_ns();
    assert_int_equal(quire_netns_testbed_destroy(&tb), 0);
    unsigned long long t3 = quire_proc_now_ns();
    print_message("testbed create %.2f ms, destroy %.2f ms\n", (double)(t1 - t0) / 1e6,
                  (double)(t3 - t2) / 1e6);
    assert_false(quire_fs_exists(p));
    assert_int_equal(quire_netns_testbed_destroy(&tb), 0); /* twice is harmless */
}

/* What the sim sees on "left" when the client sends a 3600-byte UDP_SEGMENT (GSO) burst: three
 * separate datagrams, each with a complete checksum (no TP_STATUS_CSUMNOTREADY). */
static void test_offloads(void **state)
{
    (void)state;
    if (!root_ok()) skip();
    quire_netns_testbed tb;
    assert_int_equal(quire_netns_testbed_create(&tb, run_id, 2), 0);
    const char *sim = quire_netns_testbed_name(&tb, QUIRE_ROLE_SIM);
    int pk = socket_in(sim, AF_PACKET, SOCK_DGRAM, htons(ETH_P_IP)); /* IP header first */
    unsigned idx = 0;
    /* "left" is looked up through the packet socket's namespace with SIOCGIFINDEX. */
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", QUIRE_NETNS_SIM_LEFT_IFNAME);
    assert_int_equal(ioctl(pk, SIOCGIFINDEX, &ifr), 0);
    idx = (unsigned)ifr.ifr_ifindex;
    assert_int_equal(idx, QUIRE_NETNS_SIM_LEFT_IFINDEX);
    struct sockaddr_ll ll = {.sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_IP),
                             .sll_ifindex = (int)idx};
    assert_int_equal(bind(pk, (struct sockaddr *)&ll, sizeof ll), 0);
    int one = 1;
    assert_int_equal(setsockopt(pk, SOL_PACKET, PACKET_AUXDATA, &one, sizeof one), 0);

    int cli = socket_in(quire_netns_testbed_name(&tb, QUIRE_ROLE_CLIENT), AF_INET, SOCK_DGRAM, 0);
    int seg = 1200;
    assert_int_equal(setsockopt(cli, IPPROTO_UDP, UDP_SEGMENT, &seg, sizeof seg), 0);
    struct sockaddr_storage ss;
    socklen_t len;
    sockaddr_of(QUIRE_NETNS_SERVER_IP4, 4433, &ss, &len);
    static char payload[3600];
    memset(payload, 'q', sizeof payload);
    assert_int_equal(sendto(cli, payload, sizeof payload, 0, (struct sockaddr *)&ss, len),
                     (ssize_t)sizeof payload);
    int datagrams = 0;
    for (int i = 0; i < 10 && datagrams < 3; i++) {
        struct pollfd pfd = {.fd = pk, .events = POLLIN};
        if (poll(&pfd, 1, 1000) != 1) break;
        char frame[70000];
        char cbuf[CMSG_SPACE(sizeof(struct tpacket_auxdata))];
        struct iovec iov = {frame, sizeof frame};
        struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
                            .msg_controllen = sizeof cbuf};
        ssize_t r = recvmsg(pk, &mh, 0);
        assert_true(r > 0);
        if (r < 28 || (unsigned char)frame[9] != IPPROTO_UDP) continue; /* not our UDP */
        assert_true(r <= 20 + 8 + 1200);
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
            if (c->cmsg_level != SOL_PACKET || c->cmsg_type != PACKET_AUXDATA) continue;
            struct tpacket_auxdata aux;
            memcpy(&aux, CMSG_DATA(c), sizeof aux);
            assert_int_equal(aux.tp_status & TP_STATUS_CSUMNOTREADY, 0);
        }
        datagrams++;
    }
    assert_int_equal(datagrams, 3);
    close(cli);
    close(pk);
    assert_int_equal(quire_netns_testbed_destroy(&tb), 0);
}

static void test_exists_and_kill(void **state)
{
    (void)state;
    if (!root_ok()) skip();
    quire_netns_testbed tb, again;
    assert_int_equal(quire_netns_testbed_create(&tb, run_id, 3), 0);
    assert_int_equal(quire_netns_testbed_create(&again, run_id, 3), QUIRE_ERR_EXISTS);
    /* The failed attempt removed nothing of the existing testbed. */
    assert_int_equal(quire_netns_set_forwarding(&tb, 1), 0);
    assert_true(udp_through(&tb, QUIRE_NETNS_SERVER_IP4, 2000));

    /* A process left inside is killed by destroy. */
    const char *argv[] = {"sleep", "30", NULL};
    quire_proc_opts o = {.argv = argv, .netns = quire_netns_testbed_name(&tb, QUIRE_ROLE_SERVER)};
    quire_proc p;
    assert_int_equal(quire_proc_spawn(&p, &o), 0);
    assert_int_equal(quire_netns_kill_procs(quire_netns_testbed_name(&tb, QUIRE_ROLE_SERVER), 0),
                     1);
    assert_int_equal(quire_netns_testbed_destroy(&tb), 0);
    assert_int_equal(quire_proc_wait(&p, 2000), 0);
    int sig;
    assert_true(quire_proc_signaled(p.status, &sig));
    assert_int_equal(sig, SIGKILL);
    quire_proc_release(&p);
    assert_int_equal(quire_netns_testbed_create(&tb, "bad-id", 1), QUIRE_ERR_INVALID);

    /* A failure half-way (the sim's name is taken) unwinds what was made before it. */
    char sim[96], client[96];
    snprintf(sim, sizeof sim, "quire-%s-6-sim", run_id);
    snprintf(client, sizeof client, "%s/quire-%s-6-client", QUIRE_NETNS_DIR, run_id);
    int fd = -1;
    assert_int_equal(quire_netns_add(sim, &fd), 0);
    assert_true(fd >= 0);
    assert_int_equal(quire_netns_add(sim, NULL), QUIRE_ERR_EXISTS);
    assert_int_equal(quire_netns_testbed_create(&tb, run_id, 6), QUIRE_ERR_EXISTS);
    assert_false(quire_fs_exists(client));
    close(fd);
    assert_int_equal(quire_netns_del(sim), 0);
    assert_int_equal(quire_netns_del(sim), 0); /* missing is fine */
    assert_int_equal(quire_netns_add("bad/name", NULL), QUIRE_ERR_INVALID);
}

static void test_run_ownership(void **state)
{
    (void)state;
    if (!root_ok()) skip();
    pid_t owner = 0;
    assert_int_equal(quire_run_begin(run_id), 0); /* idempotent for us */
    assert_true(quire_run_alive(run_id, &owner));
    assert_int_equal(owner, getpid());
    /* A forked worker (grandchild here) belongs to the run; the owner stays ours. */
    pid_t w = fork();
    assert_true(w >= 0);
    if (w == 0) {
        pid_t g = fork();
        if (g == 0) _exit(quire_run_begin(run_id) == 0 ? 0 : 1);
        int gst;
        _exit(g > 0 && waitpid(g, &gst, 0) == g && WIFEXITED(gst) ? WEXITSTATUS(gst) : 2);
    }
    int wst;
    assert_int_equal(waitpid(w, &wst, 0), w);
    assert_true(WIFEXITED(wst));
    assert_int_equal(WEXITSTATUS(wst), 0);
    assert_true(quire_run_alive(run_id, &owner));
    assert_int_equal(owner, getpid());
    /* A run recorded for a process that no longer exists is dead. */
    char dead[40], p[300];
    snprintf(dead, sizeof dead, "%sdead", run_id);
    snprintf(p, sizeof p, "%s/%s", QUIRE_RUN_STATE_DIR, dead);
    assert_int_equal(quire_fs_mkdir_p(p, 0755), 0);
    snprintf(p, sizeof p, "%s/%s/owner", QUIRE_RUN_STATE_DIR, dead);
    char line[64];
    int n = snprintf(line, sizeof line, "%ld 12345\n", (long)getpid()); /* wrong start time */
    assert_int_equal(quire_fs_write_atomic(p, line, (size_t)n, 0644), 0);
    assert_false(quire_run_alive(dead, NULL));
    assert_int_equal(quire_run_begin(dead), 0); /* a dead owner can be replaced */
    assert_true(quire_run_alive(dead, NULL));
    /* A live process that is not us nor an ancestor owns it: refused. */
    const char *argv[] = {"sleep", "30", NULL};
    quire_proc_opts o = {.argv = argv};
    quire_proc sl;
    assert_int_equal(quire_proc_spawn(&sl, &o), 0);
    char stat_path[64], *st;
    snprintf(stat_path, sizeof stat_path, "/proc/%d/stat", (int)sl.pid);
    assert_int_equal(quire_fs_read_file(stat_path, &st, NULL, 0), 0);
    const char *f = strrchr(st, ')') + 2; /* field 3 */
    for (int field = 3; field < 22; f++)
        if (*f == ' ') field++;
    n = snprintf(line, sizeof line, "%d %llu\n", (int)sl.pid, strtoull(f, NULL, 10));
    free(st);
    assert_int_equal(quire_fs_write_atomic(p, line, (size_t)n, 0644), 0);
    pid_t other = 0;
    assert_true(quire_run_alive(dead, &other));
    assert_int_equal(other, sl.pid);
    assert_int_equal(quire_run_begin(dead), QUIRE_ERR_EXISTS);
    quire_netns_testbed tb;
    assert_int_equal(quire_netns_testbed_create(&tb, dead, 1), QUIRE_ERR_EXISTS);
    quire_proc_release(&sl);
    assert_false(quire_run_alive(dead, NULL));
    assert_int_equal(quire_run_end(dead), 0);
    assert_false(quire_run_alive(dead, NULL));
}

/* An endpoint's mount namespace must not pin namespaces deleted after it started: the deletion
 * (unmount under /run/netns, propagated to the slave mount, and the unlink) has to reach it. */
static void test_endpoint_does_not_pin(void **state)
{
    (void)state;
    if (!root_ok()) skip();
    quire_netns_testbed a, b;
    assert_int_equal(quire_netns_testbed_create(&a, run_id, 4), 0);
    assert_int_equal(quire_netns_testbed_create(&b, run_id, 5), 0);
    const char *argv[] = {"sleep", "30", NULL};
    quire_proc_opts o = {.argv = argv, .netns = quire_netns_testbed_name(&a, QUIRE_ROLE_CLIENT),
                         .new_pidns = 1};
    quire_proc p;
    assert_int_equal(quire_proc_spawn(&p, &o), 0);
    char mi[64], *data;
    snprintf(mi, sizeof mi, "/proc/%d/mountinfo", (int)p.pid);
    assert_int_equal(quire_fs_read_file(mi, &data, NULL, 0), 0);
    assert_non_null(strstr(data, quire_netns_testbed_name(&b, QUIRE_ROLE_SERVER)));
    free(data);
    assert_int_equal(quire_netns_testbed_destroy(&b), 0);
    assert_int_equal(quire_fs_read_file(mi, &data, NULL, 0), 0);
    if (strstr(data, quire_netns_testbed_name(&b, QUIRE_ROLE_SERVER)))
        fail_msg("the endpoint still holds a bind mount of the deleted namespace");
    free(data);
    assert_int_equal(quire_proc_kill(&p, 1000), 0);
    quire_proc_release(&p);
    assert_int_equal(quire_netns_testbed_destroy(&a), 0);
}

/* Whatever a failed test left behind: our run's namespaces and state directory. */
static int remove_ns(const char *name, void *arg)
{
    (void)arg;
    quire_netns_kill_procs(name, SIGKILL);
    quire_netns_del(name);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    if (geteuid() != 0) return 0;
    char prefix[64];
    snprintf(prefix, sizeof prefix, "quire-%s-", run_id);
    quire_netns_foreach(prefix, remove_ns, NULL);
    quire_run_end(run_id);
    return 0;
}

int main(void)
{
    snprintf(run_id, sizeof run_id, "ut%ld", (long)getpid());
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_run_ids),
        cmocka_unit_test(test_hosts),
        cmocka_unit_test(test_testbed_forwarding),
        cmocka_unit_test(test_offloads),
        cmocka_unit_test(test_exists_and_kill),
        cmocka_unit_test(test_run_ownership),
        cmocka_unit_test(test_endpoint_does_not_pin),
    };
    return cmocka_run_group_tests(tests, NULL, teardown);
}
