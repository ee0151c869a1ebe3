/* The network-namespace backend: named namespaces (like `ip netns`), testbeds of three
 * namespaces joined by veth pairs, configured over rtnetlink (libmnl), sysctls and the
 * SIOCETHTOOL ioctl; run ownership for `quire clean`. See netns.h. */
#include "backend/netns.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/sockios.h>
#include <linux/veth.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "backend/offload.h"
#include "util/err.h"
#include "util/fs.h"
#include "util/proc.h"

static const char *const role_names[3] = {"client", "sim", "server"};

static int err_from_errno(int e)
{
    return e == EEXIST ? QUIRE_ERR_EXISTS : quire_err_from_errno(e);
}

static int ns_path(char *out, size_t len, const char *name)
{
    if (!name || !name[0] || strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, ".."))
        return QUIRE_ERR_INVALID;
    int n = snprintf(out, len, "%s/%s", QUIRE_NETNS_DIR, name);
    return n < 0 || (size_t)n >= len ? QUIRE_ERR_INVALID : 0;
}

/* ---- Named namespaces ---- */

/* /run/netns must be a shared mount so that deleting a namespace in one mount namespace
 * unmounts it everywhere; this is what iproute2 does on its first `ip netns add`. */
static int prepare_netns_dir(void)
{
    if (mkdir(QUIRE_NETNS_DIR, 0755) < 0 && errno != EEXIST) return err_from_errno(errno);
    if (mount("", QUIRE_NETNS_DIR, "none", MS_SHARED | MS_REC, NULL) == 0) return 0;
    if (errno != EINVAL) return err_from_errno(errno);
    /* Not a mount point yet: bind it onto itself, then make it shared. */
    if (mount(QUIRE_NETNS_DIR, QUIRE_NETNS_DIR, "none", MS_BIND | MS_REC, NULL) < 0 ||
        mount("", QUIRE_NETNS_DIR, "none", MS_SHARED | MS_REC, NULL) < 0)
        return err_from_errno(errno);
    return 0;
}

int quire_netns_add(const char *name, int *fd_out)
{
    char path[256];
    int rc = ns_path(path, sizeof path, name);
    if (rc < 0) return rc;
    if ((rc = prepare_netns_dir()) < 0) return rc;
    int orig = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
    if (orig < 0) return err_from_errno(errno);
    int fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
    if (fd < 0) {
        rc = err_from_errno(errno);
        goto fail_create;
    }
    close(fd);
    /* A new namespace for this thread only, pinned by a bind mount, then back. */
    if (unshare(CLONE_NEWNET) < 0) {
        rc = err_from_errno(errno);
        goto fail_unshare;
    }
    if (mount("/proc/thread-self/ns/net", path, "none", MS_BIND, NULL) < 0) {
        rc = err_from_errno(errno);
        goto fail_mount;
    }
    if (setns(orig, CLONE_NEWNET) < 0) {
        rc = QUIRE_ERR_IO; /* cannot happen for a namespace we came from */
        goto fail_back;
    }
    close(orig);
    if (fd_out) {
        *fd_out = open(path, O_RDONLY | O_CLOEXEC);
        if (*fd_out < 0) {
            rc = err_from_errno(errno);
            quire_netns_del(name);
            return rc;
        }
    }
    return 0;

fail_back:
    umount2(path, MNT_DETACH);
fail_mount:
    setns(orig, CLONE_NEWNET);
fail_unshare:
    unlink(path);
fail_create:
    close(orig);
    return rc;
}

int quire_netns_del(const char *name)
{
    char path[256];
    int rc = ns_path(path, sizeof path, name);
    if (rc < 0) return rc;
    if (umount2(path, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
        return err_from_errno(errno);
    if (unlink(path) < 0 && errno != ENOENT) return err_from_errno(errno);
    return 0;
}

/* Sends sig to every process whose network namespace is one of inos[] (on nsfs device dev). */
static int kill_in_namespaces(const ino_t *inos, size_t n, dev_t dev, int sig)
{
    DIR *d = opendir("/proc");
    if (!d) return QUIRE_ERR_IO;
    int count = 0;
    pid_t self = getpid();
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] < '1' || e->d_name[0] > '9') continue;
        char p[300];
        snprintf(p, sizeof p, "/proc/%s/ns/net", e->d_name);
        struct stat st;
        if (stat(p, &st) < 0 || st.st_dev != dev) continue;
        pid_t pid = (pid_t)atol(e->d_name);
        if (pid == self) continue;
        for (size_t i = 0; i < n; i++) {
            if (st.st_ino == inos[i]) {
                if (kill(pid, sig) == 0) count++;
                break;
            }
        }
    }
    closedir(d);
    return count;
}

int quire_netns_kill_procs(const char *name, int sig)
{
    char path[256];
    int rc = ns_path(path, sizeof path, name);
    if (rc < 0) return rc;
    struct stat st;
    if (stat(path, &st) < 0) return err_from_errno(errno);
    return kill_in_namespaces(&st.st_ino, 1, st.st_dev, sig);
}

int quire_netns_foreach(const char *prefix, int (*fn)(const char *name, void *arg), void *arg)
{
    DIR *d = opendir(QUIRE_NETNS_DIR);
    if (!d) return errno == ENOENT ? 0 : err_from_errno(errno);
    size_t plen = strlen(prefix);
    int rc = 0;
    struct dirent *e;
    while (rc == 0 && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.' || strncmp(e->d_name, prefix, plen)) continue;
        rc = fn(e->d_name, arg);
    }
    closedir(d);
    return rc;
}

static int enter_fd(int fd, int *orig)
{
    *orig = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
    if (*orig < 0) return err_from_errno(errno);
    if (setns(fd, CLONE_NEWNET) < 0) {
        int e = errno;
        close(*orig);
        return err_from_errno(e);
    }
    return 0;
}

static void leave(int orig)
{
    setns(orig, CLONE_NEWNET);
    close(orig);
}

int quire_netns_run_in(const char *name, int (*fn)(void *arg), void *arg)
{
    char path[256];
    int rc = name && name[0] == '/' /* a namespace file, e.g. /proc/PID/ns/net */
                 ? (snprintf(path, sizeof path, "%s", name) < (int)sizeof path ? 0
                                                                   : QUIRE_ERR_INVALID)
                 : ns_path(path, sizeof path, name);
    if (rc < 0) return rc;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return err_from_errno(errno);
    int orig;
    rc = enter_fd(fd, &orig);
    close(fd);
    if (rc < 0) return rc;
    rc = fn(arg);
    leave(orig);
    return rc;
}

int quire_netns_available(char *why, size_t whylen)
{
    if (geteuid() != 0) {
        snprintf(why, whylen, "needs root (CAP_SYS_ADMIN, CAP_NET_ADMIN)");
        return QUIRE_ERR_PERM;
    }
    int rc = prepare_netns_dir();
    if (rc < 0) {
        snprintf(why, whylen, "cannot prepare %s: %s", QUIRE_NETNS_DIR, strerror(errno));
        return rc;
    }
    if (access("/proc/sys/net/ipv6", F_OK) < 0) {
        snprintf(why, whylen, "the kernel has no IPv6 (/proc/sys/net/ipv6 missing)");
        return QUIRE_ERR_UNSUPPORTED;
    }
    if (why && whylen) why[0] = '\0';
    return 0;
}

/* ---- Netlink ---- */

typedef struct nl {
    struct mnl_socket *sock;
    unsigned portid;
    unsigned seq;
    char buf[8192];
} nl;

static int nl_open(nl *n)
{
    n->sock = mnl_socket_open(NETLINK_ROUTE);
    if (!n->sock) return err_from_errno(errno);
    if (mnl_socket_bind(n->sock, 0, MNL_SOCKET_AUTOPID) < 0) {
        int e = errno;
        mnl_socket_close(n->sock);
        n->sock = NULL;
        return err_from_errno(e);
    }
    n->portid = mnl_socket_get_portid(n->sock);
    n->seq = 1;
    return 0;
}

static void nl_close(nl *n)
{
    if (n->sock) mnl_socket_close(n->sock);
    n->sock = NULL;
}

static struct nlmsghdr *nl_msg(nl *n, uint16_t type, uint16_t flags)
{
    struct nlmsghdr *h = mnl_nlmsg_put_header(n->buf);
    h->nlmsg_type = type;
    h->nlmsg_flags = (uint16_t)(NLM_F_REQUEST | NLM_F_ACK | flags);
    h->nlmsg_seq = ++n->seq;
    return h;
}

/* Sends h and waits for its acknowledgement: 0 or a QUIRE_ERR_* from the kernel's errno. */
static int nl_talk(nl *n, struct nlmsghdr *h)
{
    if (mnl_socket_sendto(n->sock, h, h->nlmsg_len) < 0) return err_from_errno(errno);
    char rbuf[8192];
    for (;;) {
        ssize_t r = mnl_socket_recvfrom(n->sock, rbuf, sizeof rbuf);
        if (r < 0) return err_from_errno(errno);
        int cb = mnl_cb_run(rbuf, (size_t)r, h->nlmsg_seq, n->portid, NULL, NULL);
        if (cb < 0) return err_from_errno(errno);
        if (cb == MNL_CB_STOP) return 0;
    }
}

/* Puts a struct ifinfomsg inside the attribute being built (for VETH_INFO_PEER). */
static struct ifinfomsg *put_ifinfomsg(struct nlmsghdr *h)
{
    struct ifinfomsg *ifm = (struct ifinfomsg *)((char *)h + h->nlmsg_len);
    memset(ifm, 0, sizeof *ifm);
    h->nlmsg_len += (uint32_t)MNL_ALIGN(sizeof *ifm);
    return ifm;
}

/* One RTM_NEWLINK creating a veth pair with each end directly in its namespace, with the
 * given interface indexes. They must differ: ifindexes are per namespace, so both ends would
 * otherwise get the same number (2, after lo), and the kernel's link watcher treats a device
 * whose iflink equals its ifindex as non-urgent, delaying carrier-up (and with it the qdisc
 * that stops dropping packets) by up to a second when many links change machine-wide. */
static int veth_create(nl *n, const char *name_a, int ns_a, int idx_a, const char *name_b,
                       int ns_b, int idx_b)
{
    struct nlmsghdr *h = nl_msg(n, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
    struct ifinfomsg *ifm = mnl_nlmsg_put_extra_header(h, sizeof *ifm);
    ifm->ifi_family = AF_UNSPEC;
    ifm->ifi_index = idx_a;
    mnl_attr_put_strz(h, IFLA_IFNAME, name_a);
    mnl_attr_put_u32(h, IFLA_NET_NS_FD, (uint32_t)ns_a);
    struct nlattr *info = mnl_attr_nest_start(h, IFLA_LINKINFO);
    mnl_attr_put_strz(h, IFLA_INFO_KIND, "veth");
    struct nlattr *data = mnl_attr_nest_start(h, IFLA_INFO_DATA);
    struct nlattr *peer = mnl_attr_nest_start(h, VETH_INFO_PEER);
    struct ifinfomsg *pifm = put_ifinfomsg(h);
    pifm->ifi_family = AF_UNSPEC;
    pifm->ifi_index = idx_b;
    mnl_attr_put_strz(h, IFLA_IFNAME, name_b);
    mnl_attr_put_u32(h, IFLA_NET_NS_FD, (uint32_t)ns_b);
    mnl_attr_nest_end(h, peer);
    mnl_attr_nest_end(h, data);
    mnl_attr_nest_end(h, info);
    return nl_talk(n, h);
}

static int link_up(nl *n, int ifindex)
{
    struct nlmsghdr *h = nl_msg(n, RTM_NEWLINK, 0);
    struct ifinfomsg *ifm = mnl_nlmsg_put_extra_header(h, sizeof *ifm);
    ifm->ifi_family = AF_UNSPEC;
    ifm->ifi_index = ifindex;
    ifm->ifi_flags = IFF_UP;
    ifm->ifi_change = IFF_UP;
    return nl_talk(n, h);
}

static int addr_add(nl *n, int ifindex, const char *addr, unsigned char plen)
{
    unsigned char bin[16];
    int family = strchr(addr, ':') ? AF_INET6 : AF_INET;
    if (inet_pton(family, addr, bin) != 1) return QUIRE_ERR_INVALID;
    struct nlmsghdr *h = nl_msg(n, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL);
    struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(h, sizeof *ifa);
    ifa->ifa_family = (unsigned char)family;
    ifa->ifa_prefixlen = plen;
    ifa->ifa_scope = RT_SCOPE_UNIVERSE;
    ifa->ifa_index = (unsigned)ifindex;
    /* Usable at once: no duplicate address detection on a link we own both ends of. */
    ifa->ifa_flags = family == AF_INET6 ? IFA_F_NODAD : 0;
    size_t len = family == AF_INET6 ? 16 : 4;
    mnl_attr_put(h, IFA_LOCAL, len, bin);
    mnl_attr_put(h, IFA_ADDRESS, len, bin);
    return nl_talk(n, h);
}

static int route_add(nl *n, int ifindex, const char *dst, unsigned char plen, const char *via)
{
    unsigned char d[16], g[16];
    int family = strchr(dst, ':') ? AF_INET6 : AF_INET;
    if (inet_pton(family, dst, d) != 1 || inet_pton(family, via, g) != 1)
        return QUIRE_ERR_INVALID;
    struct nlmsghdr *h = nl_msg(n, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL);
    struct rtmsg *rt = mnl_nlmsg_put_extra_header(h, sizeof *rt);
    rt->rtm_family = (unsigned char)family;
    rt->rtm_dst_len = plen;
    rt->rtm_table = RT_TABLE_MAIN;
    rt->rtm_protocol = RTPROT_STATIC;
    rt->rtm_scope = RT_SCOPE_UNIVERSE;
    rt->rtm_type = RTN_UNICAST;
    size_t len = family == AF_INET6 ? 16 : 4;
    mnl_attr_put(h, RTA_DST, len, d);
    mnl_attr_put(h, RTA_GATEWAY, len, g);
    mnl_attr_put_u32(h, RTA_OIF, (uint32_t)ifindex);
    return nl_talk(n, h);
}

/* ---- Per-namespace configuration ---- */

static int write_sysctl(const char *path, const char *value)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) return err_from_errno(errno);
    size_t len = strlen(value);
    ssize_t w = write(fd, value, len);
    int e = errno;
    close(fd);
    if (w != (ssize_t)len) return err_from_errno(w < 0 ? e : EIO);
    return 0;
}

static const char *const common_sysctls[][2] = {
    {"/proc/sys/net/ipv6/conf/all/disable_ipv6", "0"},
    {"/proc/sys/net/ipv6/conf/default/disable_ipv6", "0"},
    {"/proc/sys/net/ipv6/conf/all/accept_dad", "0"},
    {"/proc/sys/net/ipv6/conf/default/accept_dad", "0"},
    {"/proc/sys/net/ipv4/conf/all/rp_filter", "0"},
    {"/proc/sys/net/ipv4/conf/default/rp_filter", "0"},
};

static const char *const sim_sysctls[][2] = {
    {"/proc/sys/net/ipv4/ip_forward", "0"},
    {"/proc/sys/net/ipv6/conf/all/forwarding", "0"},
    {"/proc/sys/net/ipv4/conf/all/send_redirects", "0"},
    {"/proc/sys/net/ipv4/conf/default/send_redirects", "0"},
    {"/proc/sys/net/ipv4/conf/all/accept_redirects", "0"},
    {"/proc/sys/net/ipv4/conf/default/accept_redirects", "0"},
    {"/proc/sys/net/ipv6/conf/all/accept_redirects", "0"},
    {"/proc/sys/net/ipv6/conf/default/accept_redirects", "0"},
};

/* Sockets opened inside one namespace: netlink for links/addresses/routes, an inet datagram
 * socket for SIOCGIFINDEX and SIOCETHTOOL. */
typedef struct ns_ctx {
    nl nl;
    int sock;
} ns_ctx;

static int ns_ctx_open(ns_ctx *c, int nsfd, int is_sim)
{
    c->nl.sock = NULL;
    c->sock = -1;
    int orig, rc = enter_fd(nsfd, &orig);
    if (rc < 0) return rc;
    for (size_t i = 0; i < sizeof common_sysctls / sizeof common_sysctls[0] && rc == 0; i++)
        rc = write_sysctl(common_sysctls[i][0], common_sysctls[i][1]);
    for (size_t i = 0; is_sim && i < sizeof sim_sysctls / sizeof sim_sysctls[0] && rc == 0; i++)
        rc = write_sysctl(sim_sysctls[i][0], sim_sysctls[i][1]);
    if (rc == 0) rc = nl_open(&c->nl);
    if (rc == 0) {
        c->sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (c->sock < 0) rc = err_from_errno(errno);
    }
    leave(orig);
    return rc;
}

static void ns_ctx_close(ns_ctx *c)
{
    nl_close(&c->nl);
    if (c->sock >= 0) close(c->sock);
    c->sock = -1;
}

static int ifindex_of(ns_ctx *c, const char *ifname)
{
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", ifname);
    if (ioctl(c->sock, SIOCGIFINDEX, &ifr) < 0) return err_from_errno(errno);
    return ifr.ifr_ifindex;
}

/* Brings ifname up with its addresses, offloads off. */
static int iface_setup(ns_ctx *c, const char *ifname, const char *ip4, const char *ip6,
                       quire_offload_bits *fb)
{
    int idx = ifindex_of(c, ifname);
    if (idx < 0) return idx;
    int rc;
    if ((rc = quire_offload_disable(c->sock, ifname, fb)) < 0) return rc;
    if ((rc = addr_add(&c->nl, idx, ip4, 24)) < 0) return rc;
    if ((rc = addr_add(&c->nl, idx, ip6, 64)) < 0) return rc;
    if ((rc = link_up(&c->nl, idx)) < 0) return rc;
    return idx;
}

/* Waits (bounded) until ifname is operationally up. Until the kernel's link watcher has seen
 * the carrier, a veth still has the noop qdisc and drops whatever is sent; an endpoint started
 * right after setup would lose its first packets. */
static int wait_running(ns_ctx *c, const char *ifname, long long deadline_ms)
{
    struct ifreq ifr;
    for (;;) {
        memset(&ifr, 0, sizeof ifr);
        snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", ifname);
        if (ioctl(c->sock, SIOCGIFFLAGS, &ifr) < 0) return err_from_errno(errno);
        if (ifr.ifr_flags & IFF_RUNNING) return 0;
        if (quire_proc_now_ms() >= deadline_ms) return QUIRE_ERR_TIMEOUT;
        struct timespec ts = {0, 500000};
        nanosleep(&ts, NULL);
    }
}

static int lo_up(ns_ctx *c)
{
    int idx = ifindex_of(c, "lo");
    return idx < 0 ? idx : link_up(&c->nl, idx);
}

/* ---- Testbeds ---- */

const char *quire_netns_testbed_name(const quire_netns_testbed *tb, quire_role role)
{
    return tb->name[role];
}

static int configure(quire_netns_testbed *tb)
{
    ns_ctx c[3];
    for (int i = 0; i < 3; i++) c[i] = (ns_ctx){.nl = {.sock = NULL}, .sock = -1};
    nl root = {.sock = NULL};
    quire_offload_bits fb = {.nwords = 0};
    int rc, idx;
    for (int i = 0; i < 3; i++)
        if ((rc = ns_ctx_open(&c[i], tb->fd[i], i == QUIRE_ROLE_SIM)) < 0) goto out;
    if ((rc = nl_open(&root)) < 0) goto out;
    if ((rc = veth_create(&root, QUIRE_NETNS_CLIENT_IFNAME, tb->fd[QUIRE_ROLE_CLIENT],
                          QUIRE_NETNS_CLIENT_IFINDEX, QUIRE_NETNS_SIM_LEFT_IFNAME,
                          tb->fd[QUIRE_ROLE_SIM], QUIRE_NETNS_SIM_LEFT_IFINDEX)) < 0)
        goto out;
    if ((rc = veth_create(&root, QUIRE_NETNS_SIM_RIGHT_IFNAME, tb->fd[QUIRE_ROLE_SIM],
                          QUIRE_NETNS_SIM_RIGHT_IFINDEX, QUIRE_NETNS_SERVER_IFNAME,
                          tb->fd[QUIRE_ROLE_SERVER], QUIRE_NETNS_SERVER_IFINDEX)) < 0)
        goto out;
    for (int i = 0; i < 3; i++)
        if ((rc = lo_up(&c[i])) < 0) goto out;

    ns_ctx *cl = &c[QUIRE_ROLE_CLIENT], *sim = &c[QUIRE_ROLE_SIM], *sv = &c[QUIRE_ROLE_SERVER];
    if ((rc = iface_setup(sim, QUIRE_NETNS_SIM_LEFT_IFNAME, QUIRE_NETNS_SIM_LEFT_IP4,
                          QUIRE_NETNS_SIM_LEFT_IP6, &fb)) < 0 ||
        (rc = iface_setup(sim, QUIRE_NETNS_SIM_RIGHT_IFNAME, QUIRE_NETNS_SIM_RIGHT_IP4,
                          QUIRE_NETNS_SIM_RIGHT_IP6, &fb)) < 0)
        goto out;
    if ((idx = rc = iface_setup(cl, QUIRE_NETNS_CLIENT_IFNAME, QUIRE_NETNS_CLIENT_IP4,
                                QUIRE_NETNS_CLIENT_IP6, &fb)) < 0 ||
        (rc = route_add(&cl->nl, idx, "198.19.0.0", 24, QUIRE_NETNS_SIM_LEFT_IP4)) < 0 ||
        (rc = route_add(&cl->nl, idx, "2001:2:0:2::", 64, QUIRE_NETNS_SIM_LEFT_IP6)) < 0)
        goto out;
    if ((idx = rc = iface_setup(sv, QUIRE_NETNS_SERVER_IFNAME, QUIRE_NETNS_SERVER_IP4,
                                QUIRE_NETNS_SERVER_IP6, &fb)) < 0 ||
        (rc = route_add(&sv->nl, idx, "198.18.0.0", 24, QUIRE_NETNS_SIM_RIGHT_IP4)) < 0 ||
        (rc = route_add(&sv->nl, idx, "2001:2:0:1::", 64, QUIRE_NETNS_SIM_RIGHT_IP6)) < 0)
        goto out;
    long long deadline = quire_proc_now_ms() + 3000;
    if ((rc = wait_running(cl, QUIRE_NETNS_CLIENT_IFNAME, deadline)) < 0 ||
        (rc = wait_running(sim, QUIRE_NETNS_SIM_LEFT_IFNAME, deadline)) < 0 ||
        (rc = wait_running(sim, QUIRE_NETNS_SIM_RIGHT_IFNAME, deadline)) < 0 ||
        (rc = wait_running(sv, QUIRE_NETNS_SERVER_IFNAME, deadline)) < 0)
        goto out;
    rc = 0;
out:
    nl_close(&root);
    for (int i = 0; i < 3; i++) ns_ctx_close(&c[i]);
    return rc;
}

int quire_netns_testbed_create(quire_netns_testbed *tb, const char *run, unsigned n)
{
    memset(tb, 0, sizeof *tb);
    for (int i = 0; i < 3; i++) tb->fd[i] = -1;
    if (!quire_run_id_valid(run)) return QUIRE_ERR_INVALID;
    snprintf(tb->run, sizeof tb->run, "%s", run);
    tb->n = n;
    for (int i = 0; i < 3; i++)
        snprintf(tb->name[i], sizeof tb->name[i], "%s%s-%u-%s", QUIRE_NETNS_PREFIX, run, n,
                 role_names[i]);
    int rc = quire_run_begin(run);
    if (rc < 0) return rc;
    int made = 0;
    for (; made < 3; made++)
        if ((rc = quire_netns_add(tb->name[made], &tb->fd[made])) < 0) goto fail_add;
    if ((rc = configure(tb)) < 0) goto fail_configure;
    return 0;

fail_configure:
fail_add:
    for (int i = 0; i < made; i++) {
        quire_netns_del(tb->name[i]);
        close(tb->fd[i]);
        tb->fd[i] = -1;
    }
    return rc;
}

int quire_netns_testbed_prefix(const quire_netns_testbed *tb, char *out, size_t outsize)
{
    int n = snprintf(out, outsize, "%s%s-%u", QUIRE_NETNS_PREFIX, tb->run, tb->n);
    return n < 0 || (size_t)n >= outsize ? QUIRE_ERR_INVALID : 0;
}

int quire_netns_testbed_destroy(quire_netns_testbed *tb)
{
    /* the simulator's cross-traffic namespaces (sim/crossns.h), if it was killed before it
     * removed them */
    char pre[QUIRE_NETNS_NAME_MAX];
    if (tb->run[0] && !quire_netns_testbed_prefix(tb, pre, sizeof pre)) {
        static const char *const cross[2] = {"xsrc", "xsnk"};
        for (int i = 0; i < 2; i++) {
            char name[QUIRE_NETNS_NAME_MAX + 8];
            snprintf(name, sizeof name, "%s-%s", pre, cross[i]);
            char path[QUIRE_NETNS_NAME_MAX + 32];
            snprintf(path, sizeof path, "%s/%s", QUIRE_NETNS_DIR, name);
            if (access(path, F_OK)) continue;
            quire_netns_kill_procs(name, SIGKILL);
            quire_netns_del(name);
        }
    }
    int rc = 0;
    ino_t inos[3];
    size_t n = 0;
    dev_t dev = 0;
    for (int i = 0; i < 3; i++) {
        struct stat st;
        if (tb->fd[i] >= 0 && fstat(tb->fd[i], &st) == 0) {
            inos[n++] = st.st_ino;
            dev = st.st_dev;
        }
    }
    if (n > 0) {
        int k = kill_in_namespaces(inos, n, dev, SIGKILL);
        if (k < 0) rc = k;
    }
    for (int i = 0; i < 3; i++) {
        if (!tb->name[i][0]) continue;
        int r = quire_netns_del(tb->name[i]);
        if (r < 0 && !rc) rc = r;
        if (tb->fd[i] >= 0) close(tb->fd[i]);
        tb->fd[i] = -1;
    }
    return rc;
}

int quire_netns_set_forwarding(quire_netns_testbed *tb, int on)
{
    int orig, rc = enter_fd(tb->fd[QUIRE_ROLE_SIM], &orig);
    if (rc < 0) return rc;
    const char *v = on ? "1" : "0";
    rc = write_sysctl("/proc/sys/net/ipv4/ip_forward", v);
    if (rc == 0) rc = write_sysctl("/proc/sys/net/ipv6/conf/all/forwarding", v);
    leave(orig);
    return rc;
}

int quire_netns_hosts_content(char *out, size_t outsize)
{
    int n = snprintf(out, outsize,
                     "127.0.0.1 localhost\n"
                     "::1 localhost ip6-localhost ip6-loopback\n"
                     "%s server server4\n"
                     "%s server server6\n"
                     "%s client client4\n"
                     "%s client client6\n"
                     "%s sim\n",
                     QUIRE_NETNS_SERVER_IP4, QUIRE_NETNS_SERVER_IP6, QUIRE_NETNS_CLIENT_IP4,
                     QUIRE_NETNS_CLIENT_IP6, QUIRE_NETNS_SIM_LEFT_IP4);
    return n < 0 || (size_t)n >= outsize ? QUIRE_ERR_INVALID : n;
}

int quire_netns_write_hosts(const char *path)
{
    char buf[512];
    int n = quire_netns_hosts_content(buf, sizeof buf);
    if (n < 0) return n;
    return quire_fs_write_atomic(path, buf, (size_t)n, 0644);
}

int quire_netns_link_del(const char *ifname)
{
    if (!ifname || strlen(ifname) >= IFNAMSIZ) return QUIRE_ERR_INVALID;
    nl n = {.sock = NULL};
    int rc = nl_open(&n);
    if (rc < 0) return rc;
    struct nlmsghdr *h = nl_msg(&n, RTM_DELLINK, 0);
    struct ifinfomsg *ifm = mnl_nlmsg_put_extra_header(h, sizeof *ifm);
    ifm->ifi_family = AF_UNSPEC;
    mnl_attr_put_strz(h, IFLA_IFNAME, ifname);
    rc = nl_talk(&n, h);
    nl_close(&n);
    return rc == QUIRE_ERR_IO && errno == ENODEV ? QUIRE_ERR_NOTFOUND : rc;
}

int quire_netns_udp_bound(pid_t pid, unsigned port)
{
    static const char *const files[] = {"udp", "udp6"};
    char want[16];
    snprintf(want, sizeof want, ":%04X ", port & 0xffff);
    for (size_t f = 0; f < 2; f++) {
        char path[64], line[512];
        snprintf(path, sizeof path, "/proc/%d/net/%s", (int)pid, files[f]);
        FILE *fp = fopen(path, "r");
        if (!fp) continue;
        int found = 0;
        while (!found && fgets(line, sizeof line, fp)) {
            char *colon = strchr(line, ':'); /* "sl:" */
            if (!colon) continue;
            char *local = strchr(colon + 1, ':'); /* ADDR:PORT of local_address */
            if (local && !strncmp(local, want, strlen(want))) found = 1;
        }
        fclose(fp);
        if (found) return 1;
    }
    return 0;
}
