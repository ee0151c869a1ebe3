/* Unit tests for run/captures: QIR's choice of key log (the client's when valid, else the
 * server's) and the in-place injection into every capture of a sim/ directory: same names,
 * now pcapng with a Decryption Secrets Block holding the secrets, the same packets; other
 * files untouched; nothing done without a valid key log. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "run/captures.h"
#include "tmpdir.h"
#include "trace/export.h"
#include "trace/keylog.h"
#include "util/err.h"

#define R1 "0101010101010101010101010101010101010101010101010101010101010101"
#define R2 "0202020202020202020202020202020202020202020202020202020202020202"
#define S32 "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"

static char dir[64];

static int setup(void **state)
{
    (void)state;
    return test_tmpdir_make(dir, sizeof dir, "captures");
}

static int teardown(void **state)
{
    (void)state;
    return test_tmpdir_remove(dir);
}

static void put(const char *name, const char *text)
{
    char p[256];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* n raw-IP records of 40 bytes, as a classic pcap. */
static void write_pcap(const char *name, int n)
{
    char p[256];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    pcap_t *dead = pcap_open_dead(DLT_RAW, 65535);
    assert_non_null(dead);
    pcap_dumper_t *d = pcap_dump_open(dead, p);
    assert_non_null(d);
    uint8_t pkt[40];
    for (int i = 0; i < n; i++) {
        memset(pkt, i, sizeof pkt);
        struct pcap_pkthdr h;
        memset(&h, 0, sizeof h);
        h.ts.tv_sec = 1700000000 + i;
        h.caplen = h.len = sizeof pkt;
        pcap_dump((u_char *)d, &h, pkt);
    }
    pcap_dump_close(d);
    pcap_close(dead);
}

static int count_packets(const char *name)
{
    char p[256], perr[PCAP_ERRBUF_SIZE];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    pcap_t *pc = pcap_open_offline(p, perr);
    assert_non_null(pc);
    struct pcap_pkthdr *h;
    const u_char *data;
    int n = 0;
    while (pcap_next_ex(pc, &h, &data) == 1)
        n++;
    pcap_close(pc);
    return n;
}

static void test_keylog_choice(void **state)
{
    (void)state;
    char c[128], s[128];
    snprintf(c, sizeof c, "%s/client.log", dir);
    snprintf(s, sizeof s, "%s/server.log", dir);
    assert_null(quire_captures_keylog(c, s)); /* neither exists */
    put("server.log", "SERVER_HANDSHAKE_TRAFFIC_SECRET " R1 " " S32 "\n");
    put("client.log", "");
    assert_string_equal(quire_captures_keylog(c, s), s); /* empty client log */
    /* QIR wants a line starting with SERVER_HANDSHAKE_TRAFFIC_SECRET */
    put("client.log", "CLIENT_HANDSHAKE_TRAFFIC_SECRET " R1 " " S32 "\n");
    assert_string_equal(quire_captures_keylog(c, s), s);
    put("client.log", "# x SERVER_HANDSHAKE_TRAFFIC_SECRET\n"
                      "SERVER_HANDSHAKE_TRAFFIC_SECRET " R2 " " S32 "\n");
    assert_string_equal(quire_captures_keylog(c, s), c);
    assert_null(quire_captures_keylog(NULL, NULL));
}

static void test_inject(void **state)
{
    (void)state;
    char sim[128], msg[512], keys[160], p[256];
    snprintf(sim, sizeof sim, "%s/sim", dir);
    assert_int_equal(quire_fs_mkdir_p(sim, 0755), 0);
    snprintf(keys, sizeof keys, "%s/keys.log", dir);
    put("keys.log", "SERVER_HANDSHAKE_TRAFFIC_SECRET " R1 " " S32 "\n"
                    "CLIENT_TRAFFIC_SECRET_0 " R1 " " S32 "\n");
    write_pcap("sim/trace_node_left.pcap", 3);
    write_pcap("sim/trace_node_right.pcap", 5);
    put("sim/notes.txt", "not a capture");
    /* no key log: nothing changes */
    assert_int_equal(quire_captures_inject(sim, NULL, msg, sizeof msg), 0);
    quire_keylog kl;
    quire_keylog_init(&kl);
    snprintf(p, sizeof p, "%s/trace_node_left.pcap", sim);
    assert_int_equal(quire_export_dsb_load(p, &kl), 0); /* classic pcap still */
    assert_int_equal(quire_captures_inject(sim, keys, msg, sizeof msg), 2);
    assert_string_equal(msg, "");
    /* the same names, the same packets, and the secrets inside */
    assert_int_equal(count_packets("sim/trace_node_left.pcap"), 3);
    assert_int_equal(count_packets("sim/trace_node_right.pcap"), 5);
    assert_int_equal(quire_export_dsb_load(p, &kl), 1);
    assert_int_equal(kl.count, 1);
    uint8_t random[QUIRE_KEYLOG_RANDOM_LEN];
    memset(random, 1, sizeof random);
    size_t len = 0;
    assert_non_null(quire_keylog_secret(&kl, random, QUIRE_KEYLOG_CLIENT_TRAFFIC_0, &len));
    assert_int_equal(len, 32);
    quire_keylog_free(&kl);
    snprintf(p, sizeof p, "%s/notes.txt", sim);
    FILE *f = fopen(p, "r");
    assert_non_null(f);
    char buf[32] = "";
    assert_non_null(fgets(buf, sizeof buf, f));
    fclose(f);
    assert_string_equal(buf, "not a capture");
    /* again over pcapng (a re-run): still one block of secrets, same packets */
    assert_int_equal(quire_captures_inject(sim, keys, msg, sizeof msg), 2);
    assert_int_equal(count_packets("sim/trace_node_right.pcap"), 5);
    quire_keylog_init(&kl);
    snprintf(p, sizeof p, "%s/trace_node_right.pcap", sim);
    assert_int_equal(quire_export_dsb_load(p, &kl), 1);
    quire_keylog_free(&kl);
    /* a damaged capture is reported by name */
    put("sim/zz.pcap", "garbage");
    assert_true(quire_captures_inject(sim, keys, msg, sizeof msg) < 0);
    assert_non_null(strstr(msg, "zz.pcap"));
    /* no temporary file left next to the captures */
    snprintf(p, sizeof p, "ls -a %s | grep -c tmp", sim);
    FILE *ls = popen(p, "r");
    assert_non_null(ls);
    assert_non_null(fgets(buf, sizeof buf, ls));
    pclose(ls);
    assert_string_equal(buf, "0\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keylog_choice),
        cmocka_unit_test(test_inject),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
