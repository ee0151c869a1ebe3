/* Network device offloads through the SIOCETHTOOL ioctl (what `ethtool -k/-K` do, without the
 * tool): turn off what breaks packet-level work on veths — partial checksums (the simulator
 * and captures would see, and forward, wrong UDP checksums) and GSO/GRO super-packets (one
 * 64 KB "packet" that is really 40 datagrams) — and read a feature's state by its `ethtool -k`
 * name. Each call works on the network namespace of the socket it is given (any AF_INET
 * datagram socket), which lets the netns backend configure namespaces it is not in. */
#ifndef QUIRE_OFFLOAD_H
#define QUIRE_OFFLOAD_H

#define QUIRE_OFFLOAD_MAX 32

/* Positions of the features to turn off in the kernel's feature string set; filled on first
 * use and reusable for every device of the same kernel. Zero-initialize. */
typedef struct quire_offload_bits {
    int nwords;                  /* 0: not loaded yet */
    int bit[QUIRE_OFFLOAD_MAX];  /* -1: this kernel lacks the feature */
} quire_offload_bits;

/* Turns off on ifname: every tx checksum (as `ethtool -K DEV tx off`), TSO, GSO, UDP
 * segmentation, tunnel segmentation, GRO, GRO lists, UDP GRO forwarding. Features a device
 * cannot change are left as they are. Returns 0 or QUIRE_ERR_NOTFOUND (no such device),
 * QUIRE_ERR_PERM (needs CAP_NET_ADMIN), QUIRE_ERR_IO. */
int quire_offload_disable(int sock, const char *ifname, quire_offload_bits *cache);

/* The active state of one feature, named as in `ethtool -k` (e.g. "tx-udp-segmentation"):
 * 1 on, 0 off, QUIRE_ERR_NOTFOUND for an unknown device or feature name. */
int quire_offload_get(int sock, const char *ifname, const char *feature);

#endif
