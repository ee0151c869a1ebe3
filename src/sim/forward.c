/* Real-time driver of the simulator (see forward.h). Frames are read from AF_PACKET sockets
 * (with PACKET_AUXDATA, to complete checksums left to offload), the IP packets go through the
 * link model on CLOCK_MONOTONIC, and leave through IPPROTO_RAW sockets bound to the other
 * interface, so the kernel's neighbour table supplies the MAC addresses. Captures are taken
 * from the same AF_PACKET sockets: incoming frames as received (checksums completed) and
 * outgoing ones as the kernel put them on the wire. Traffic from or to the simulator's own
 * addresses (probes, the TCP readiness port, neighbour discovery) is neither forwarded nor
 * captured. */
#include "sim/forward.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/virtio_net.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "sim/crossns.h"
#include "sim/link.h"
#include "sim/nat.h"
#include "sim/pcapw.h"
#include "sim/probe.h"
#include "sim/simpkt.h"
#include "util/err.h"
#include "util/log.h"

#ifndef VIRTIO_NET_HDR_GSO_UDP_L4
#define VIRTIO_NET_HDR_GSO_UDP_L4 5 /* Linux 5.18 uapi; older headers lack the name */
#endif

#define MAX_LOCAL 64
#define FRAME_MAX 65600
#define BATCH 256
#define MMSG 32
#define TXQ 64
#define LINK_CAPACITY 65536 /* most packets per direction; the ring grows on demand */
#define LEAD_MAX_NS 500000u /* the timer is armed at most 0.5 ms early... */
#define LEAD_MIN_NS 5000u   /* ...and not early when the due time is that close */

/* Sides 0 and 1 are LEFT_IF and RIGHT_IF; tcp-cross-traffic adds its two veths (one in each
 * group). A side's group says which end of the link it is on. */
enum { LEFT = 0, RIGHT = 1, MAX_SIDES = 4 };
static const char *const side_name[2] = {"left", "right"};
#define MAX_PREFIX 8

#define MAX_NEIGH 64

/* A neighbour learned from the frames it sent us: IP address -> MAC address. */
typedef struct neigh {
    int family;
    uint8_t addr[16];
    uint8_t mac[6];
} neigh;

typedef struct prefix {
    int family, bits;
    uint8_t a[16];
} prefix;

typedef struct side {
    const char *ifname;
    int group;              /* LEFT (client side) or RIGHT (server side) */
    prefix pfx[MAX_PREFIX]; /* on-link networks, to pick the output side */
    size_t npfx;
    uint8_t mac[6];
    neigh nb[MAX_NEIGH];
    size_t nnb, nb_next;
    int ifindex;
    int mtu;
    int pfd;        /* AF_PACKET capture/receive socket */
    int raw4, raw6; /* IPPROTO_RAW output sockets bound to this interface */
    quire_pcapw pcap;
    uint64_t too_big, ttl_expired, send_errors, recv_errors, sent, sent_raw, gso_split;
    uint8_t *txbuf; /* TXQ frames of txslot bytes waiting for sendmmsg() */
    size_t txslot, ntx, txlen[TXQ];
} side;

typedef struct local_addr {
    int family;
    uint8_t a[16];
} local_addr;

typedef struct fwd {
    const quire_fwd_cfg *cfg;
    side s[MAX_SIDES];
    int nsides;
    quire_crossns cross;
    int have_cross;
    quire_link link[2]; /* indexed by QUIRE_DIR_*: TO_SERVER goes LEFT -> RIGHT */
    quire_nat nat;
    int have_links;
    local_addr local[MAX_LOCAL];
    size_t nlocal;
    int epfd, tfd, flushfd, sigfd, listenfd;
    uint64_t armed; /* when the timer fires (absolute, CLOCK_MONOTONIC ns); 0: not armed */
    /* A timer wake-up comes late by tens of µs (on our 2-core VMs, SCHED_FIFO: median ~55 µs
     * under load, so every delayed packet left that much late in each direction). The timer
     * is armed `lead` ns before a packet is due, lead being a running average of the measured
     * lateness, so a packet leaves at its time on average; it is never released early: the
     * link model only hands out packets that are due. */
    uint64_t lead;
    uint64_t wakeups, late_sum; /* timer wake-ups and their lateness, for the statistics */
    int64_t realtime_offset; /* CLOCK_REALTIME - CLOCK_MONOTONIC, ns */
    uint8_t rx[MMSG][FRAME_MAX];
    uint8_t seg[FRAME_MAX];
} fwd;

static uint64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int64_t realtime_offset(void)
{
    struct timespec r;
    clock_gettime(CLOCK_REALTIME, &r);
    uint64_t m = mono_ns();
    return (int64_t)((uint64_t)r.tv_sec * 1000000000u + (uint64_t)r.tv_nsec) - (int64_t)m;
}

static int collect_local(fwd *f)
{
    struct ifaddrs *ifa, *i;
    if (getifaddrs(&ifa) < 0) return QUIRE_ERR_IO;
    f->nlocal = 0;
    for (i = ifa; i && f->nlocal < MAX_LOCAL; i = i->ifa_next) {
        if (!i->ifa_addr) continue;
        local_addr *l = &f->local[f->nlocal];
        if (i->ifa_addr->sa_family == AF_INET) {
            l->family = 4;
            memcpy(l->a, &((struct sockaddr_in *)i->ifa_addr)->sin_addr, 4);
        } else if (i->ifa_addr->sa_family == AF_INET6) {
            l->family = 6;
            memcpy(l->a, &((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr, 16);
        } else {
            continue;
        }
        for (int k = 0; k < f->nsides; k++) {
            side *sd = &f->s[k];
            if (strcmp(i->ifa_name, sd->ifname) || sd->npfx == MAX_PREFIX || !i->ifa_netmask)
                continue;
            prefix *px = &sd->pfx[sd->npfx++];
            px->family = l->family;
            memcpy(px->a, l->a, 16);
            const uint8_t *m =
                l->family == 4
                    ? (const uint8_t *)&((struct sockaddr_in *)i->ifa_netmask)->sin_addr
                    : (const uint8_t *)&((struct sockaddr_in6 *)i->ifa_netmask)->sin6_addr;
            px->bits = 0;
            for (size_t b = 0; b < (l->family == 4 ? 4u : 16u); b++)
                px->bits += __builtin_popcount(m[b]);
        }
        f->nlocal++;
    }
    freeifaddrs(ifa);
    return 0;
}

/* Multicast, broadcast, link-local and unspecified addresses: traffic a router never forwards
 * (neighbour discovery, MLD reports of the simulator's own kernel). */
static int is_unroutable(const quire_simpkt *p, const uint8_t *a)
{
    static const uint8_t zero[16];
    if (p->family == 4) return a[0] >= 224 || (a[0] == 169 && a[1] == 254) || !memcmp(a, zero, 4);
    return a[0] == 0xff || (a[0] == 0xfe && (a[1] & 0xc0) == 0x80) || !memcmp(a, zero, 16);
}

static int in_prefix(const prefix *px, int family, const uint8_t *a)
{
    if (px->family != family) return 0;
    int full = px->bits / 8, rest = px->bits % 8;
    if (memcmp(px->a, a, (size_t)full)) return 0;
    return !rest || !((px->a[full] ^ a[full]) & (0xff << (8 - rest)));
}

/* The side of group g that a packet to addr leaves by: the one whose network holds addr, else
 * the group's main interface (the destination is behind a router there). */
static int out_side(const fwd *f, int g, int family, const uint8_t *addr)
{
    for (int i = 0; i < f->nsides; i++) {
        if (f->s[i].group != g) continue;
        for (size_t k = 0; k < f->s[i].npfx; k++)
            if (in_prefix(&f->s[i].pfx[k], family, addr)) return i;
    }
    return g;
}

static int is_local(const fwd *f, const quire_simpkt *p, const uint8_t *addr)
{
    if (is_unroutable(p, addr)) return 1;
    for (size_t i = 0; i < f->nlocal; i++)
        if (f->local[i].family == p->family && !memcmp(f->local[i].a, addr, p->addrlen)) return 1;
    return 0;
}

/* Reads or writes a sysctl file; returns the old value (0/1) or -1. */
static int sysctl_swap(const char *path, int newval)
{
    char buf[16] = {0};
    int fd = open(path, O_RDWR | O_CLOEXEC);
    if (fd < 0) return -1;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    int old = n > 0 ? atoi(buf) : -1;
    if (newval >= 0 && old != newval) {
        char v[2] = {(char)('0' + newval), '\n'};
        if (pwrite(fd, v, 2, 0) != 2) old = -1;
    }
    close(fd);
    return old;
}

static int open_side(side *s, int raw_out)
{
    struct ifreq ifr;
    s->pfd = s->raw4 = s->raw6 = -1;
    if (strlen(s->ifname) >= IFNAMSIZ) return QUIRE_ERR_INVALID;
    s->ifindex = (int)if_nametoindex(s->ifname);
    if (!s->ifindex) return QUIRE_ERR_NOTFOUND;
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return QUIRE_ERR_IO;
    memset(&ifr, 0, sizeof ifr);
    strcpy(ifr.ifr_name, s->ifname);
    s->mtu = ioctl(fd, SIOCGIFMTU, &ifr) == 0 ? ifr.ifr_mtu : 1500;
    if (ioctl(fd, SIOCGIFHWADDR, &ifr) == 0) memcpy(s->mac, ifr.ifr_hwaddr.sa_data, 6);
    close(fd);

    s->pfd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, htons(ETH_P_ALL));
    if (s->pfd < 0) return errno == EPERM ? QUIRE_ERR_PERM : QUIRE_ERR_IO;
    struct sockaddr_ll sll;
    memset(&sll, 0, sizeof sll);
    sll.sll_family = AF_PACKET;
    sll.sll_protocol = htons(ETH_P_ALL);
    sll.sll_ifindex = s->ifindex;
    if (bind(s->pfd, (struct sockaddr *)&sll, sizeof sll) < 0) return QUIRE_ERR_IO;
    int one = 1, rcv = 16 << 20;
    if (setsockopt(s->pfd, SOL_PACKET, PACKET_AUXDATA, &one, sizeof one) < 0) return QUIRE_ERR_IO;
    /* Every frame then starts with a virtio_net_hdr telling GSO type and segment size; frames
     * sent on the socket need one too (all zero: a plain frame). */
    if (setsockopt(s->pfd, SOL_PACKET, PACKET_VNET_HDR, &one, sizeof one) < 0) return QUIRE_ERR_IO;
    (void)setsockopt(s->pfd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof one);
    if (setsockopt(s->pfd, SOL_SOCKET, SO_RCVBUFFORCE, &rcv, sizeof rcv) < 0)
        (void)setsockopt(s->pfd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof rcv);
    /* Frames of other interfaces may have been queued before bind(): drain them. */
    while (recv(s->pfd, NULL, 0, MSG_DONTWAIT | MSG_TRUNC) >= 0) {
    }
    if (!raw_out) return 0;
    s->txslot = sizeof(struct virtio_net_hdr) + 14 + (size_t)s->mtu;
    s->txbuf = malloc(TXQ * s->txslot);
    if (!s->txbuf) return QUIRE_ERR_NOMEM;
    /* Our own frames go straight to the driver: no qdisc (veth has none by default), and the
     * kernel does not copy them back to capture sockets, so the pcaps record them here. */
    (void)setsockopt(s->pfd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof one);
    s->raw4 = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_RAW);
    s->raw6 = socket(AF_INET6, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_RAW);
    if (s->raw4 < 0 || s->raw6 < 0) return QUIRE_ERR_IO;
    int snd = 8 << 20;
    for (int i = 0; i < 2; i++) {
        int rfd = i ? s->raw6 : s->raw4;
        if (setsockopt(rfd, SOL_SOCKET, SO_BINDTODEVICE, s->ifname, (socklen_t)strlen(s->ifname)) <
            0)
            return QUIRE_ERR_IO;
        if (setsockopt(rfd, SOL_SOCKET, SO_SNDBUFFORCE, &snd, sizeof snd) < 0)
            (void)setsockopt(rfd, SOL_SOCKET, SO_SNDBUF, &snd, sizeof snd);
    }
    return 0;
}

static void close_side(side *s)
{
    free(s->txbuf);
    s->txbuf = NULL;
    if (s->pfd >= 0) close(s->pfd);
    if (s->raw4 >= 0) close(s->raw4);
    if (s->raw6 >= 0) close(s->raw6);
    quire_pcapw_close(&s->pcap);
}

static const neigh *neigh_find(const side *s, int family, const uint8_t *addr)
{
    size_t alen = family == 4 ? 4 : 16;
    for (size_t i = 0; i < s->nnb; i++)
        if (s->nb[i].family == family && !memcmp(s->nb[i].addr, addr, alen)) return &s->nb[i];
    return NULL;
}

/* Learns (source IP -> source MAC) from a frame received on side s. For a source beyond a
 * router this maps it to the router's MAC, which is the right next hop for it too. */
static void neigh_learn(side *s, const quire_simpkt *p, const uint8_t *frame)
{
    neigh *n = (neigh *)neigh_find(s, p->family, p->src);
    if (!n) {
        n = &s->nb[s->nb_next];
        s->nb_next = (s->nb_next + 1) % MAX_NEIGH;
        if (s->nnb < MAX_NEIGH) s->nnb++;
        n->family = p->family;
        memcpy(n->addr, p->src, p->addrlen);
    }
    memcpy(n->mac, frame + 6, 6);
}

/* Sends through the kernel's IP output (IPPROTO_RAW): used until the destination's MAC address
 * is known; the kernel resolves it (ARP/NDP) and its frame shows up on the capture socket. */
static void send_raw(side *s, const quire_simpkt *p, const uint8_t *pkt)
{
    struct sockaddr_storage ss;
    socklen_t sl;
    int rfd;
    memset(&ss, 0, sizeof ss);
    if (p->family == 4) {
        struct sockaddr_in *a = (struct sockaddr_in *)&ss;
        a->sin_family = AF_INET;
        memcpy(&a->sin_addr, p->dst, 4);
        sl = sizeof *a;
        rfd = s->raw4;
    } else {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
        a->sin6_family = AF_INET6;
        memcpy(&a->sin6_addr, p->dst, 16);
        sl = sizeof *a;
        rfd = s->raw6;
    }
    if (sendto(rfd, pkt, p->totlen, 0, (struct sockaddr *)&ss, sl) < 0) {
        if (s->send_errors++ < 5)
            QUIRE_WARN("sim: sending %zu bytes on %s failed: %s", p->totlen, s->ifname,
                       strerror(errno));
        return;
    }
    s->sent_raw++;
}

/* Sends the frames queued on side s. */
static void flush_side(side *s)
{
    struct mmsghdr mm[TXQ];
    struct iovec iov[TXQ];
    size_t done = 0;
    while (done < s->ntx) {
        size_t n = s->ntx - done;
        for (size_t k = 0; k < n; k++) {
            iov[k].iov_base = s->txbuf + (done + k) * s->txslot;
            iov[k].iov_len = s->txlen[done + k];
            memset(&mm[k], 0, sizeof mm[k]);
            mm[k].msg_hdr.msg_iov = &iov[k];
            mm[k].msg_hdr.msg_iovlen = 1;
        }
        int r = sendmmsg(s->pfd, mm, (unsigned)n, 0);
        if (r <= 0) {
            /* Count the frame that failed and go on with the rest. */
            if (s->send_errors++ < 5)
                QUIRE_WARN("sim: sending on %s failed: %s", s->ifname, strerror(errno));
            done++;
            continue;
        }
        s->sent += (uint64_t)r;
        done += (size_t)r;
    }
    s->ntx = 0;
}

/* Sends an IP packet out of group g (the far end of a link direction), by the side whose
 * network holds its destination: as an Ethernet frame to the learned MAC address of the
 * destination, or through the kernel if none is known yet. */
static void send_out(fwd *f, int g, uint8_t *pkt, size_t len)
{
    quire_simpkt p;
    if (quire_simpkt_parse(&p, pkt, len)) return;
    side *s = &f->s[out_side(f, g, p.family, p.dst)];
    if (quire_simpkt_dec_ttl(pkt, &p) < 0) {
        s->ttl_expired++;
        return;
    }
    const neigh *n = neigh_find(s, p.family, p.dst);
    if (!n) {
        send_raw(s, &p, pkt);
        return;
    }
    /* Queue the frame (virtio_net_hdr all zero, Ethernet header, packet) for one sendmmsg()
     * per side at the end of this pass: one system call for many frames. */
    if (p.totlen > (size_t)s->mtu) { /* the NAT sent it elsewhere than take() checked */
        s->too_big++;
        return;
    }
    if (s->ntx == TXQ) flush_side(s);
    uint8_t *fr = s->txbuf + s->ntx * s->txslot;
    memset(fr, 0, sizeof(struct virtio_net_hdr));
    uint8_t *eth = fr + sizeof(struct virtio_net_hdr);
    memcpy(eth, n->mac, 6);
    memcpy(eth + 6, s->mac, 6);
    eth[12] = p.family == 4 ? 0x08 : 0x86;
    eth[13] = p.family == 4 ? 0x00 : 0xdd;
    memcpy(eth + 14, pkt, p.totlen);
    s->txlen[s->ntx++] = sizeof(struct virtio_net_hdr) + 14 + p.totlen;
    quire_pcapw_write(&s->pcap, mono_ns() + (uint64_t)f->realtime_offset, eth, 14 + p.totlen);
}

static void deliver_to_server(void *ctx, uint8_t *pkt, size_t len, uint64_t at)
{
    fwd *f = ctx;
    if (quire_nat_to_server(&f->nat, at, pkt, len) < 0) return;
    send_out(f, RIGHT, pkt, len);
}

static void deliver_to_client(void *ctx, uint8_t *pkt, size_t len, uint64_t at)
{
    fwd *f = ctx;
    if (quire_nat_to_client(&f->nat, at, pkt, len) < 0) return;
    send_out(f, LEFT, pkt, len);
}

/* The armed timer expired: measure how late this wake-up is and fold it into the lead (an
 * average over the last ~8 wake-ups, at most LEAD_MAX_NS). */
static void timer_fired(fwd *f)
{
    uint64_t now = mono_ns();
    if (f->armed && now >= f->armed) {
        uint64_t late = now - f->armed;
        f->wakeups++;
        f->late_sum += late;
        if (late > LEAD_MAX_NS) late = LEAD_MAX_NS;
        f->lead = (f->lead * 7 + late) / 8;
    }
    f->armed = 0;
}

static void run_links(fwd *f)
{
    for (;;) {
        uint64_t now = mono_ns();
        quire_link_run(&f->link[QUIRE_DIR_TO_SERVER], now, deliver_to_server, f);
        quire_link_run(&f->link[QUIRE_DIR_TO_CLIENT], now, deliver_to_client, f);
        for (int i = 0; i < f->nsides; i++)
            if (f->s[i].ntx) flush_side(&f->s[i]);
        uint64_t a = quire_link_next_run_at(&f->link[0]);
        uint64_t b = quire_link_next_run_at(&f->link[1]);
        uint64_t next = a < b ? a : b;
        uint64_t t = mono_ns();
        if (next > t) {
            /* Armed early by the measured lateness; when that is already past (a wake-up that
             * came early), for the due time itself: never a busy loop. */
            uint64_t at = next;
            if (next != UINT64_MAX && next - t > f->lead + LEAD_MIN_NS) at = next - f->lead;
            if (at != f->armed) {
                struct itimerspec its;
                memset(&its, 0, sizeof its);
                if (at != UINT64_MAX) {
                    its.it_value.tv_sec = (time_t)(at / 1000000000u);
                    its.it_value.tv_nsec = (long)(at % 1000000000u);
                }
                timerfd_settime(f->tfd, TFD_TIMER_ABSTIME, &its, NULL);
                f->armed = at == UINT64_MAX ? 0 : at;
            }
            return;
        }
    }
}

/* One datagram (a frame as received, or a segment of a GSO super-frame) from side s: capture
 * it, and in userspace mode hand it to the link towards the other group. */
static void take(fwd *f, side *s, int host, uint8_t *fr, const quire_simpkt *p, uint64_t now)
{
    quire_pcapw_write(&s->pcap, now + (uint64_t)f->realtime_offset, fr, 14 + p->totlen);
    if (!host || f->cfg->kernel) return;
    side *o = &f->s[out_side(f, !s->group, p->family, p->dst)];
    if (p->totlen > (size_t)o->mtu) {
        /* TCP segmentation offload, or a bigger MTU on this side: never pass it on silently. */
        if (o->too_big++ < 5)
            QUIRE_WARN("sim: dropping a %zu-byte packet from %s: larger than the MTU %d of %s "
                       "(segmentation offload on?)",
                       p->totlen, s->ifname, o->mtu, o->ifname);
        return;
    }
    int dir = s->group == LEFT ? QUIRE_DIR_TO_SERVER : QUIRE_DIR_TO_CLIENT;
    quire_link_forward(&f->link[dir], now, fr + 14, p->totlen);
}

/* One frame read from side i: a virtio_net_hdr (PACKET_VNET_HDR), then the Ethernet frame. */
static void handle_frame(fwd *f, int i, uint8_t *buf, size_t len, const struct sockaddr_ll *sll,
                         const struct tpacket_auxdata *aux, uint64_t now)
{
    side *s = &f->s[i];
    struct virtio_net_hdr vh;
    if (len < sizeof vh + 14 || sll->sll_ifindex != s->ifindex) return;
    if (sll->sll_pkttype != PACKET_HOST && sll->sll_pkttype != PACKET_OUTGOING) return;
    memcpy(&vh, buf, sizeof vh);
    uint8_t *fr = buf + sizeof vh;
    len -= sizeof vh;
    uint16_t et = (uint16_t)((fr[12] << 8) | fr[13]);
    if (et != ETH_P_IP && et != ETH_P_IPV6) return;
    quire_simpkt p;
    if (quire_simpkt_parse(&p, fr + 14, len - 14)) return;
    if (is_local(f, &p, p.src) || is_local(f, &p, p.dst)) return;
    int host = sll->sll_pkttype == PACKET_HOST;
    if (host) neigh_learn(s, &p, fr);
    if ((vh.gso_type & ~VIRTIO_NET_HDR_GSO_ECN) == VIRTIO_NET_HDR_GSO_UDP_L4 && p.is_udp &&
        vh.gso_size) {
        /* A UDP GSO super-packet (sender's UDP_SEGMENT): split it into the datagrams it
         * stands for, so that the link model and the captures see real packets. */
        size_t n = quire_simpkt_udp_nsegs(&p, vh.gso_size);
        for (size_t k = 0; k < n; k++) {
            quire_simpkt sp;
            memcpy(f->seg, fr, 14);
            size_t sl = quire_simpkt_udp_segment(fr + 14, &p, vh.gso_size, k, f->seg + 14,
                                                 sizeof f->seg - 14);
            if (!sl || quire_simpkt_parse(&sp, f->seg + 14, sl)) break;
            take(f, s, host, f->seg, &sp, now);
        }
        s->gso_split++;
        return;
    }
    if (aux && (aux->tp_status & TP_STATUS_CSUMNOTREADY)) /* also in captures of outgoing frames */
        quire_simpkt_fix_l4_csum(fr + 14, &p);
    take(f, s, host, fr, &p, now);
}

/* Reads up to BATCH frames from side i, MMSG at a time (recvmmsg: one system call for many
 * frames). */
static void read_side(fwd *f, int i)
{
    struct mmsghdr mm[MMSG];
    struct iovec iov[MMSG];
    struct sockaddr_ll sll[MMSG];
    union {
        struct cmsghdr h;
        char buf[CMSG_SPACE(sizeof(struct tpacket_auxdata)) + CMSG_SPACE(sizeof(struct timespec))];
    } ctl[MMSG];
    for (int done = 0; done < BATCH;) {
        for (int k = 0; k < MMSG; k++) {
            iov[k].iov_base = f->rx[k];
            iov[k].iov_len = FRAME_MAX;
            memset(&mm[k], 0, sizeof mm[k]);
            mm[k].msg_hdr.msg_name = &sll[k];
            mm[k].msg_hdr.msg_namelen = sizeof sll[k];
            mm[k].msg_hdr.msg_iov = &iov[k];
            mm[k].msg_hdr.msg_iovlen = 1;
            mm[k].msg_hdr.msg_control = &ctl[k];
            mm[k].msg_hdr.msg_controllen = sizeof ctl[k];
        }
        int n = recvmmsg(f->s[i].pfd, mm, MMSG, MSG_DONTWAIT, NULL);
        if (n < 0 && errno != EAGAIN && errno != EINTR && f->s[i].recv_errors++ < 5)
            QUIRE_WARN("sim: receiving on %s: %s", f->s[i].ifname, strerror(errno));
        if (n <= 0) return; /* the error (e.g. the interface went away) is now cleared */
        uint64_t now = mono_ns();
        for (int k = 0; k < n; k++) {
            struct msghdr *mh = &mm[k].msg_hdr;
            if (mh->msg_flags & MSG_TRUNC) continue;
            const struct tpacket_auxdata *aux = NULL;
            uint64_t at = now;
            for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
                if (c->cmsg_level == SOL_PACKET && c->cmsg_type == PACKET_AUXDATA)
                    aux = (const struct tpacket_auxdata *)CMSG_DATA(c);
                if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
                    /* The kernel's receive time: the packet enters the link when it reached
                     * the interface, not when this process got to read it. */
                    struct timespec ts;
                    memcpy(&ts, CMSG_DATA(c), sizeof ts);
                    int64_t rt = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
                    int64_t m = rt - f->realtime_offset;
                    if (m > 0 && (uint64_t)m <= now && now - (uint64_t)m < 100000000u)
                        at = (uint64_t)m;
                }
            }
            handle_frame(f, i, f->rx[k], mm[k].msg_len, &sll[k], aux, at);
        }
        done += n;
        if (n < MMSG) return;
    }
}

static int add_ep(fwd *f, int fd)
{
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = fd};
    return epoll_ctl(f->epfd, EPOLL_CTL_ADD, fd, &ev);
}

static int open_pcaps(fwd *f)
{
    const char *dir = f->cfg->pcap_dir;
    if (!dir) return 0;
    if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
        QUIRE_ERROR("sim: cannot create %s: %s", dir, strerror(errno));
        return QUIRE_ERR_IO;
    }
    for (int i = 0; i < 2; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/trace_node_%s.pcap", dir, side_name[i]);
        if (quire_pcapw_open(&f->s[i].pcap, path)) {
            QUIRE_ERROR("sim: cannot create %s", path);
            return QUIRE_ERR_IO;
        }
    }
    return 0;
}

/* Probes every --wait-server, creates the ready file, listens on the readiness port. Returns
 * QUIRE_ERR_INTERRUPTED if a signal came in meanwhile. */
static int become_ready(fwd *f)
{
    const quire_fwd_cfg *c = f->cfg;
    int rc = quire_probe_all(c->wait_server, c->nwait, c->wait_timeout_ms, f->sigfd);
    if (rc) return rc;
    if (c->ready_file && (rc = quire_probe_ready_file(c->ready_file))) return rc;
    if (c->ready_port) {
        f->listenfd = quire_probe_listen(c->ready_port);
        if (f->listenfd < 0 || add_ep(f, f->listenfd) < 0)
            QUIRE_WARN("sim: cannot listen on TCP %d: %s", c->ready_port, strerror(errno));
    }
    QUIRE_INFO("sim: ready");
    return 0;
}

static void log_stats(fwd *f)
{
    for (int i = 0; i < f->nsides; i++)
        QUIRE_INFO("sim: %s: %llu frames captured, %llu sent (%llu through the kernel), %llu too "
                   "big, %llu GSO frames split, %llu send errors",
                   f->s[i].ifname, (unsigned long long)f->s[i].pcap.packets,
                   (unsigned long long)(f->s[i].sent + f->s[i].sent_raw),
                   (unsigned long long)f->s[i].sent_raw, (unsigned long long)f->s[i].too_big,
                   (unsigned long long)f->s[i].gso_split, (unsigned long long)f->s[i].send_errors);
    if (!f->have_links) return;
    for (int d = 0; d < 2; d++) {
        const quire_link_stats *st = &f->link[d].stats;
        QUIRE_INFO("sim: to %s: in %llu, queue drops %llu, overflow %llu, blackholed %llu, "
                   "droplisted %llu, lost %llu, corrupted %llu, delivered %llu; cross traffic "
                   "%llu, of it dropped %llu",
                   d == QUIRE_DIR_TO_SERVER ? "server" : "client", (unsigned long long)st->in,
                   (unsigned long long)st->queue_drops, (unsigned long long)st->overflow,
                   (unsigned long long)st->blackholed, (unsigned long long)st->droplisted,
                   (unsigned long long)st->lost, (unsigned long long)st->corrupted,
                   (unsigned long long)st->delivered, (unsigned long long)st->cross_in,
                   (unsigned long long)st->cross_dropped);
    }
    if (f->wakeups)
        QUIRE_INFO("sim: timer: %llu wake-ups, late by %.1f us on average, armed %.1f us early "
                   "at the end",
                   (unsigned long long)f->wakeups, (double)f->late_sum / (double)f->wakeups / 1e3,
                   (double)f->lead / 1e3);
    if (f->nat.enabled)
        QUIRE_INFO("sim: nat: %u rebindings, %llu packets to stale bindings dropped",
                   f->nat.nrebinds, (unsigned long long)f->nat.stale_drops);
}

static void nat_log(void *ctx, const char *msg)
{
    (void)ctx;
    QUIRE_INFO("sim: %s", msg);
}

int quire_fwd_run(const quire_fwd_cfg *cfg)
{
    static const char *const fwd_paths[2] = {"/proc/sys/net/ipv4/ip_forward",
                                             "/proc/sys/net/ipv6/conf/all/forwarding"};
    int old_fwd[2] = {-1, -1};
    int rc = 0;
    fwd *f = calloc(1, sizeof *f);
    if (!f) return QUIRE_ERR_NOMEM;
    f->cfg = cfg;
    f->epfd = f->tfd = f->flushfd = f->sigfd = f->listenfd = -1;
    for (int i = 0; i < MAX_SIDES; i++) {
        f->s[i].pfd = f->s[i].raw4 = f->s[i].raw6 = -1;
        f->s[i].group = i % 2;
    }
    f->s[LEFT].ifname = cfg->left_if;
    f->s[RIGHT].ifname = cfg->right_if;
    f->nsides = 2;
    f->realtime_offset = realtime_offset();
    (void)prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0); /* timerfd precision: 1 ns slack */
    if (!cfg->no_rt) {
        /* Real-time priority: on a loaded machine an ordinary process waits milliseconds for a
         * CPU, which would add to the simulated delay. The loop never spins (it sleeps in
         * epoll_wait between events), and the kernel's RT throttling keeps 5 % for others. */
        struct sched_param sp = {.sched_priority = 10};
        if (sched_setscheduler(0, SCHED_FIFO | SCHED_RESET_ON_FORK, &sp) < 0)
            QUIRE_WARN("sim: no real-time priority (%s): delays may vary under load",
                       strerror(errno));
    }

    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    sigprocmask(SIG_BLOCK, &sigs, NULL);
    f->sigfd = signalfd(-1, &sigs, SFD_NONBLOCK | SFD_CLOEXEC);

    /* The main interfaces first, so that a wrong name fails before anything is created. */
    for (int i = 0; i < 4; i++) {
        if (i == 2) {
            if (cfg->kernel || cfg->sc->kind != QUIRE_SCENARIO_TCP_CROSS) break;
            rc = quire_crossns_setup(&f->cross, cfg->netns_prefix);
            if (rc) goto out;
            f->have_cross = 1;
            f->s[2].ifname = f->cross.if_snk; /* sink behind the client side */
            f->s[3].ifname = f->cross.if_src; /* source behind the server side */
            f->nsides = 4;
        }
        errno = 0;
        rc = open_side(&f->s[i], !cfg->kernel);
        if (rc == QUIRE_ERR_INVALID) {
            QUIRE_ERROR("sim: interface %s: name longer than %d characters", f->s[i].ifname,
                        IFNAMSIZ - 1);
            goto out;
        }
        if (rc == QUIRE_ERR_NOTFOUND) {
            QUIRE_ERROR("sim: interface %s: not found in this network namespace", f->s[i].ifname);
            goto out;
        }
        if (rc) {
            QUIRE_ERROR("sim: interface %s: %s (%s)", f->s[i].ifname, quire_strerror(rc),
                        errno ? strerror(errno) : "?");
            goto out;
        }
    }
    if ((rc = collect_local(f))) goto out;
    if ((rc = open_pcaps(f))) goto out;

    for (int i = 0; i < 2; i++) {
        old_fwd[i] = sysctl_swap(fwd_paths[i], cfg->kernel ? 1 : 0);
        if (old_fwd[i] < 0)
            QUIRE_WARN("sim: cannot set %s: %s", fwd_paths[i], strerror(errno));
        else if (!cfg->kernel && old_fwd[i] == 1)
            QUIRE_WARN("sim: kernel forwarding was on (%s); turned it off so that packets are "
                       "not forwarded twice",
                       fwd_paths[i]);
    }

    uint64_t start = mono_ns();
    if (!cfg->kernel) {
        size_t maxpkt =
            (size_t)(f->s[LEFT].mtu > f->s[RIGHT].mtu ? f->s[LEFT].mtu : f->s[RIGHT].mtu);
        for (int d = 0; d < 2; d++) {
            rc = quire_link_init(&f->link[d], cfg->sc, d, cfg->seed, start, LINK_CAPACITY, maxpkt);
            if (rc) goto out;
        }
        f->have_links = 1;
        quire_nat_init(&f->nat, cfg->sc, cfg->seed, start);
        f->nat.log = nat_log;
    }

    f->epfd = epoll_create1(EPOLL_CLOEXEC);
    f->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    f->flushfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (f->epfd < 0 || f->tfd < 0 || f->flushfd < 0 || f->sigfd < 0) {
        rc = QUIRE_ERR_IO;
        goto out;
    }
    struct itimerspec flush_every = {{1, 0}, {1, 0}};
    timerfd_settime(f->flushfd, 0, &flush_every, NULL);
    for (int i = 0; i < f->nsides; i++)
        if (add_ep(f, f->s[i].pfd)) rc = QUIRE_ERR_IO;
    if (rc || add_ep(f, f->tfd) || add_ep(f, f->flushfd) || add_ep(f, f->sigfd)) {
        rc = QUIRE_ERR_IO;
        goto out;
    }
    QUIRE_INFO("sim: %s mode between %s (client side) and %s (server side)",
               cfg->kernel ? "kernel forwarding" : "userspace", cfg->left_if, cfg->right_if);

    rc = become_ready(f);
    if (rc == QUIRE_ERR_INTERRUPTED) {
        rc = 0;
        goto out;
    }
    if (rc) goto out;
    if (f->have_cross && quire_crossns_start_flow(&f->cross))
        QUIRE_WARN("sim: cannot start the TCP cross traffic (iperf3)");

    for (int stop = 0; !stop;) {
        struct epoll_event ev[8];
        int n = epoll_wait(f->epfd, ev, 8, -1);
        if (n < 0) {
            if (errno == EINTR) continue;
            rc = QUIRE_ERR_IO;
            break;
        }
        for (int k = 0; k < n; k++) {
            int fd = ev[k].data.fd;
            uint64_t x;
            int side_fd = -1;
            for (int i = 0; i < f->nsides; i++)
                if (fd == f->s[i].pfd) side_fd = i;
            if (side_fd >= 0) {
                read_side(f, side_fd);
            } else if (fd == f->tfd) {
                (void)read(fd, &x, sizeof x);
                timer_fired(f);
            } else if (fd == f->flushfd) {
                (void)read(fd, &x, sizeof x);
                quire_pcapw_flush(&f->s[LEFT].pcap);
                quire_pcapw_flush(&f->s[RIGHT].pcap);
            } else if (fd == f->sigfd) {
                struct signalfd_siginfo si;
                if (read(fd, &si, sizeof si) == (ssize_t)sizeof si)
                    QUIRE_INFO("sim: signal %u, stopping", si.ssi_signo);
                stop = 1;
            } else if (fd == f->listenfd) {
                int c;
                while ((c = accept4(fd, NULL, NULL, SOCK_CLOEXEC)) >= 0)
                    close(c);
            }
        }
        if (f->have_links) run_links(f);
    }

out:
    if (f->epfd >= 0) log_stats(f);
    for (int i = 0; i < 2; i++)
        if (old_fwd[i] >= 0 && old_fwd[i] != (cfg->kernel ? 1 : 0))
            (void)sysctl_swap(fwd_paths[i], old_fwd[i]);
    for (int i = 0; i < MAX_SIDES; i++)
        close_side(&f->s[i]);
    if (f->have_cross) quire_crossns_teardown(&f->cross);
    if (f->have_links) {
        quire_link_free(&f->link[0]);
        quire_link_free(&f->link[1]);
    }
    int fds[] = {f->epfd, f->tfd, f->flushfd, f->sigfd, f->listenfd};
    for (size_t i = 0; i < sizeof fds / sizeof fds[0]; i++)
        if (fds[i] >= 0) close(fds[i]);
    free(f);
    return rc;
}
