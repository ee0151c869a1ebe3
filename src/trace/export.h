/* pcapng with embedded TLS secrets: `quire trace --export-pcapng OUT` rewrites a capture (pcap or
 * pcapng, read with libpcap) as pcapng with a Decryption Secrets Block (pcapng specification,
 * block type 0x0000000A, secrets type 0x544c534b "TLSK") holding the key log in NSS format, so
 * Wireshark and tshark decrypt the QUIC packets without a separate key log file. The reverse is
 * here too: reading the TLSK secrets out of a pcapng file's Decryption Secrets Blocks into a
 * quire_keylog, so `quire trace` needs no --keylog for such files. */
#ifndef QUIRE_TRACE_EXPORT_H
#define QUIRE_TRACE_EXPORT_H

#include <stddef.h>
#include <stdint.h>

#include "trace/keylog.h"

#define QUIRE_PCAPNG_DSB 0x0000000Au
#define QUIRE_DSB_TLS_KEYLOG 0x544c534bu /* "TLSK" */

/* Writes in_path (pcap or pcapng) to out_path as pcapng: Section Header, one Interface
 * Description (the input's link type and snap length, nanosecond timestamps), one Decryption
 * Secrets Block with every secret of kl (none when kl is NULL or empty), then one Enhanced
 * Packet Block per record. The output appears atomically (temporary file, then rename).
 * Returns the number of packets written, or QUIRE_ERR_IO / QUIRE_ERR_NOTFOUND /
 * QUIRE_ERR_MALFORMED / QUIRE_ERR_NOMEM with err (may be NULL) naming the file and the
 * problem. */
long quire_export_pcapng(const char *in_path, const char *out_path, const quire_keylog *kl,
                         char *err, size_t err_len);

/* Scans pcapng bytes block by block and adds the secrets of every TLSK Decryption Secrets
 * Block to kl (through quire_keylog_parse, named "<name>: DSB <n>"). Handles both byte orders
 * and several sections; other block types are skipped. Returns the number of TLSK blocks read,
 * or QUIRE_ERR_TRUNCATED / QUIRE_ERR_MALFORMED (not pcapng, or a block length that does not
 * fit) / QUIRE_ERR_NOMEM; blocks read before an error stay in kl. */
int quire_export_dsb_parse(const uint8_t *data, size_t len, const char *name, quire_keylog *kl);
/* The same for a file; a file that is not pcapng (e.g. classic pcap) gives 0. QUIRE_ERR_IO
 * when it cannot be read. */
int quire_export_dsb_load(const char *path, quire_keylog *kl);

#endif
