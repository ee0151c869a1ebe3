/* Device offloads over SIOCETHTOOL: disable the ones that break packet-level work on veths,
 * query one by name. See offload.h and notes/netns-pitfalls.md. */
#include "backend/offload.h"

#include <errno.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "util/err.h"

/* Names as in `ethtool -k`; those a kernel lacks are skipped. */
static const char *const offloads_off[] = {
    /* what `ethtool -K DEV tx off` clears: every tx checksum, then what depends on it */
    "tx-checksum-ip-generic", "tx-checksum-ipv4", "tx-checksum-ipv6", "tx-checksum-sctp",
    "tx-generic-segmentation", "tx-tcp-segmentation", "tx-tcp-ecn-segmentation",
    "tx-tcp-mangleid-segmentation", "tx-tcp6-segmentation", "tx-tcp-accecn-segmentation",
    "tx-udp-segmentation", "tx-gso-list", "tx-sctp-segmentation", "tx-gre-segmentation",
    "tx-gre-csum-segmentation", "tx-ipxip4-segmentation", "tx-ipxip6-segmentation",
    "tx-udp_tnl-segmentation", "tx-udp_tnl-csum-segmentation",
    /* receive side: no merging of datagrams before the simulator or a capture sees them */
    "rx-gro", "rx-gro-list", "rx-udp-gro-forwarding",
};
#define NOFF (sizeof offloads_off / sizeof offloads_off[0])
_Static_assert(NOFF <= QUIRE_OFFLOAD_MAX, "QUIRE_OFFLOAD_MAX too small");

static int err_from_errno(int e)
{
    return e == ENODEV ? QUIRE_ERR_NOTFOUND : quire_err_from_errno(e);
}

static int ethtool_ioctl(int sock, const char *ifname, void *cmd)
{
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    if (strlen(ifname) >= sizeof ifr.ifr_name) return QUIRE_ERR_NOTFOUND;
    memcpy(ifr.ifr_name, ifname, strlen(ifname));
    ifr.ifr_data = cmd;
    return ioctl(sock, SIOCETHTOOL, &ifr) < 0 ? err_from_errno(errno) : 0;
}

/* The kernel's feature names (ETH_SS_FEATURES), malloc'd; *count set. */
static int feature_names(int sock, const char *ifname, struct ethtool_gstrings **out,
                         uint32_t *count)
{
    /* The answer's one uint32 follows the header's flexible array. */
    struct ethtool_sset_info *si = calloc(1, sizeof *si + sizeof(uint32_t));
    if (!si) return QUIRE_ERR_NOMEM;
    si->cmd = ETHTOOL_GSSET_INFO;
    si->sset_mask = 1ull << ETH_SS_FEATURES;
    int rc = ethtool_ioctl(sock, ifname, si);
    *count = rc == 0 && si->sset_mask ? si->data[0] : 0;
    free(si);
    if (rc < 0) return rc;
    if (*count == 0 || *count > 1024) return QUIRE_ERR_UNSUPPORTED;
    struct ethtool_gstrings *gs = calloc(1, sizeof *gs + (size_t)*count * ETH_GSTRING_LEN);
    if (!gs) return QUIRE_ERR_NOMEM;
    gs->cmd = ETHTOOL_GSTRINGS;
    gs->string_set = ETH_SS_FEATURES;
    gs->len = *count;
    if ((rc = ethtool_ioctl(sock, ifname, gs)) < 0) {
        free(gs);
        return rc;
    }
    *out = gs;
    return 0;
}

static int find_bit(const struct ethtool_gstrings *gs, uint32_t count, const char *name)
{
    for (uint32_t b = 0; b < count; b++)
        if (!strncmp((const char *)gs->data + (size_t)b * ETH_GSTRING_LEN, name, ETH_GSTRING_LEN))
            return (int)b;
    return -1;
}

int quire_offload_disable(int sock, const char *ifname, quire_offload_bits *cache)
{
    int rc;
    if (cache->nwords == 0) {
        struct ethtool_gstrings *gs;
        uint32_t count;
        if ((rc = feature_names(sock, ifname, &gs, &count)) < 0) return rc;
        for (size_t i = 0; i < NOFF; i++) cache->bit[i] = find_bit(gs, count, offloads_off[i]);
        cache->nwords = (int)((count + 31) / 32);
        free(gs);
    }
    size_t sz = sizeof(struct ethtool_sfeatures) +
                (size_t)cache->nwords * sizeof(struct ethtool_set_features_block);
    struct ethtool_sfeatures *sf = calloc(1, sz);
    if (!sf) return QUIRE_ERR_NOMEM;
    sf->cmd = ETHTOOL_SFEATURES;
    sf->size = (uint32_t)cache->nwords;
    for (size_t i = 0; i < NOFF; i++) {
        int b = cache->bit[i];
        if (b >= 0) sf->features[b / 32].valid |= 1u << (b % 32); /* requested 0: off */
    }
    /* A positive result flags features the device cannot change (fixed ones). */
    rc = ethtool_ioctl(sock, ifname, sf);
    free(sf);
    return rc < 0 ? rc : 0;
}

int quire_offload_get(int sock, const char *ifname, const char *feature)
{
    struct ethtool_gstrings *gs;
    uint32_t count;
    int rc = feature_names(sock, ifname, &gs, &count);
    if (rc < 0) return rc;
    int b = find_bit(gs, count, feature);
    free(gs);
    if (b < 0) return QUIRE_ERR_NOTFOUND;
    uint32_t nwords = (count + 31) / 32;
    struct ethtool_gfeatures *gf =
        calloc(1, sizeof *gf + nwords * sizeof(struct ethtool_get_features_block));
    if (!gf) return QUIRE_ERR_NOMEM;
    gf->cmd = ETHTOOL_GFEATURES;
    gf->size = nwords;
    if ((rc = ethtool_ioctl(sock, ifname, gf)) == 0)
        rc = (gf->features[b / 32].active >> (b % 32)) & 1u ? 1 : 0;
    free(gf);
    return rc;
}
