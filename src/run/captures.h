/* The saved captures of a test, made readable on their own: as QIR's testcase.py
 * _inject_keylog_if_possible (editcap --inject-secrets tls,KEYLOG), each capture of the test's
 * sim/ directory is rewritten in place, under its own name, as pcapng with the key log in a
 * Decryption Secrets Block (trace/export.h), so Wireshark and tshark decrypt it without a key
 * log option. The key log is QIR's choice: the client's when it is valid, else the server's
 * (valid = non-empty and holding a SERVER_HANDSHAKE_TRAFFIC_SECRET line). */
#ifndef QUIRE_CAPTURES_H
#define QUIRE_CAPTURES_H

#include <stddef.h>

/* The key log QIR would inject: client_keylog if valid, else server_keylog if valid, else
 * NULL. */
const char *quire_captures_keylog(const char *client_keylog, const char *server_keylog);

/* Injects keylog into every *.pcap and *.pcapng directly in sim_dir (a capture that already
 * is pcapng is rewritten too: its packets and the new secrets). Returns the number of
 * captures rewritten (0 when keylog is NULL or holds no secret), or a negative QUIRE_ERR_*
 * with msg naming the capture and the problem; the captures not yet rewritten stay as they
 * were. */
int quire_captures_inject(const char *sim_dir, const char *keylog, char *msg, size_t msglen);

#endif
