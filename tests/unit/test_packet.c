/* Unit tests for trace/packet: the protected packets of RFC 9001 Appendix A (A.2 client
 * Initial, A.3 server Initial, A.4 Retry, A.5 ChaCha20-Poly1305 short header), their QUIC v2
 * versions from RFC 9369 Appendix A and the draft-29 ones (draft-ietf-quic-tls-29 Appendix A):
 * decryption to the published frames, protection reproducing the published bytes, Retry tags;
 * coalesced packets; key phases and key update; packet number decoding (RFC 9000 A.3);
 * Version Negotiation; truncated and malformed headers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "trace/packet.h"
#include "util/err.h"

/* Test vectors, hex copied from the RFC / draft texts (the Markdown sources in
 * quicwg/base-drafts and quicwg/quic-v2). */
// V1 client payload
static const char V1_CLIENT_PAYLOAD[] =
    "060040f1010000ed0303ebf8fa56f12939b9584a3896472ec40bb863cfd3e868"
    "04fe3a47f06a2b69484c00000413011302010000c000000010000e00000b6578"
    "616d706c652e636f6dff01000100000a00080006001d00170018001000070005"
    "04616c706e000500050100000000003300260024001d00209370b2c9caa47fba"
    "baf4559fedba753de171fa71f50f1ce15d43e994ec74d748002b000302030400"
    "0d0010000e0403050306030203080408050806002d00020101001c0002400100"
    "3900320408ffffffffffffffff05048000ffff07048000ffff08011001048000"
    "75300901100f088394c8f03e51570806048000ffff";

static const char V1_CLIENT_HEADER[] = "c300000001088394c8f03e5157080000449e00000002";

static const char V1_CLIENT_PACKET[] =
    "c000000001088394c8f03e5157080000449e7b9aec34d1b1c98dd7689fb8ec11"
    "d242b123dc9bd8bab936b47d92ec356c0bab7df5976d27cd449f63300099f399"
    "1c260ec4c60d17b31f8429157bb35a1282a643a8d2262cad67500cadb8e7378c"
    "8eb7539ec4d4905fed1bee1fc8aafba17c750e2c7ace01e6005f80fcb7df6212"
    "30c83711b39343fa028cea7f7fb5ff89eac2308249a02252155e2347b63d58c5"
    "457afd84d05dfffdb20392844ae812154682e9cf012f9021a6f0be17ddd0c208"
    "4dce25ff9b06cde535d0f920a2db1bf362c23e596d11a4f5a6cf3948838a3aec"
    "4e15daf8500a6ef69ec4e3feb6b1d98e610ac8b7ec3faf6ad760b7bad1db4ba3"
    "485e8a94dc250ae3fdb41ed15fb6a8e5eba0fc3dd60bc8e30c5c4287e53805db"
    "059ae0648db2f64264ed5e39be2e20d82df566da8dd5998ccabdae053060ae6c"
    "7b4378e846d29f37ed7b4ea9ec5d82e7961b7f25a9323851f681d582363aa5f8"
    "9937f5a67258bf63ad6f1a0b1d96dbd4faddfcefc5266ba6611722395c906556"
    "be52afe3f565636ad1b17d508b73d8743eeb524be22b3dcbc2c7468d54119c74"
    "68449a13d8e3b95811a198f3491de3e7fe942b330407abf82a4ed7c1b311663a"
    "c69890f4157015853d91e923037c227a33cdd5ec281ca3f79c44546b9d90ca00"
    "f064c99e3dd97911d39fe9c5d0b23a229a234cb36186c4819e8b9c5927726632"
    "291d6a418211cc2962e20fe47feb3edf330f2c603a9d48c0fcb5699dbfe58964"
    "25c5bac4aee82e57a85aaf4e2513e4f05796b07ba2ee47d80506f8d2c25e50fd"
    "14de71e6c418559302f939b0e1abd576f279c4b2e0feb85c1f28ff18f58891ff"
    "ef132eef2fa09346aee33c28eb130ff28f5b766953334113211996d20011a198"
    "e3fc433f9f2541010ae17c1bf202580f6047472fb36857fe843b19f5984009dd"
    "c324044e847a4f4a0ab34f719595de37252d6235365e9b84392b061085349d73"
    "203a4a13e96f5432ec0fd4a1ee65accdd5e3904df54c1da510b0ff20dcc0c77f"
    "cb2c0e0eb605cb0504db87632cf3d8b4dae6e705769d1de354270123cb11450e"
    "fc60ac47683d7b8d0f811365565fd98c4c8eb936bcab8d069fc33bd801b03ade"
    "a2e1fbc5aa463d08ca19896d2bf59a071b851e6c239052172f296bfb5e724047"
    "90a2181014f3b94a4e97d117b438130368cc39dbb2d198065ae3986547926cd2"
    "162f40a29f0c3c8745c0f50fba3852e566d44575c29d39a03f0cda721984b6f4"
    "40591f355e12d439ff150aab7613499dbd49adabc8676eef023b15b65bfc5ca0"
    "6948109f23f350db82123535eb8a7433bdabcb909271a6ecbcb58b936a88cd4e"
    "8f2e6ff5800175f113253d8fa9ca8885c2f552e657dc603f252e1a8e308f76f0"
    "be79e2fb8f5d5fbbe2e30ecadd220723c8c0aea8078cdfcb3868263ff8f09400"
    "54da48781893a7e49ad5aff4af300cd804a6b6279ab3ff3afb64491c85194aab"
    "760d58a606654f9f4400e8b38591356fbf6425aca26dc85244259ff2b19c41b9"
    "f96f3ca9ec1dde434da7d2d392b905ddf3d1f9af93d1af5950bd493f5aa731b4"
    "056df31bd267b6b90a079831aaf579be0a39013137aac6d404f518cfd4684064"
    "7e78bfe706ca4cf5e9c5453e9f7cfd2b8b4c8d169a44e55c88d4a9a7f9474241"
    "e221af44860018ab0856972e194cd934";

static const char V1_SERVER_PAYLOAD[] =
    "02000000000600405a020000560303eefce7f7b37ba1d1632e96677825ddf739"
    "88cfc79825df566dc5430b9a045a1200130100002e00330024001d00209d3c94"
    "0d89690b84d08a60993c144eca684d1081287c834d5311bcf32bb9da1a002b00"
    "020304";

static const char V1_SERVER_PACKET[] =
    "cf000000010008f067a5502a4262b5004075c0d95a482cd0991cd25b0aac406a"
    "5816b6394100f37a1c69797554780bb38cc5a99f5ede4cf73c3ec2493a1839b3"
    "dbcba3f6ea46c5b7684df3548e7ddeb9c3bf9c73cc3f3bded74b562bfb19fb84"
    "022f8ef4cdd93795d77d06edbb7aaf2f58891850abbdca3d20398c276456cbc4"
    "2158407dd074ee";

static const char V1_RETRY[] = "ff000000010008f067a5502a4262b5746f6b656e04a265ba2eff4d829058fb3f"
                               "0f2496ba";

// V2 client payload
static const char V2_CLIENT_PAYLOAD[] =
    "060040f1010000ed0303ebf8fa56f12939b9584a3896472ec40bb863cfd3e868"
    "04fe3a47f06a2b69484c00000413011302010000c000000010000e00000b6578"
    "616d706c652e636f6dff01000100000a00080006001d00170018001000070005"
    "04616c706e000500050100000000003300260024001d00209370b2c9caa47fba"
    "baf4559fedba753de171fa71f50f1ce15d43e994ec74d748002b000302030400"
    "0d0010000e0403050306030203080408050806002d00020101001c0002400100"
    "3900320408ffffffffffffffff05048000ffff07048000ffff08011001048000"
    "75300901100f088394c8f03e51570806048000ffff";

static const char V2_CLIENT_HEADER[] = "d36b3343cf088394c8f03e5157080000449e00000002";

static const char V2_CLIENT_PACKET[] =
    "d76b3343cf088394c8f03e5157080000449ea0c95e82ffe67b6abcdb4298b485"
    "dd04de806071bf03dceebfa162e75d6c96058bdbfb127cdfcbf903388e99ad04"
    "9f9a3dd4425ae4d0992cfff18ecf0fdb5a842d09747052f17ac2053d21f57c5d"
    "250f2c4f0e0202b70785b7946e992e58a59ac52dea6774d4f03b55545243cf1a"
    "12834e3f249a78d395e0d18f4d766004f1a2674802a747eaa901c3f10cda5500"
    "cb9122faa9f1df66c392079a1b40f0de1c6054196a11cbea40afb6ef5253cd68"
    "18f6625efce3b6def6ba7e4b37a40f7732e093daa7d52190935b8da58976ff33"
    "12ae50b187c1433c0f028edcc4c2838b6a9bfc226ca4b4530e7a4ccee1bfa2a3"
    "d396ae5a3fb512384b2fdd851f784a65e03f2c4fbe11a53c7777c023462239dd"
    "6f7521a3f6c7d5dd3ec9b3f233773d4b46d23cc375eb198c63301c21801f6520"
    "bcfb7966fc49b393f0061d974a2706df8c4a9449f11d7f3d2dcbb90c6b877045"
    "636e7c0c0fe4eb0f697545460c806910d2c355f1d253bc9d2452aaa549e27a1f"
    "ac7cf4ed77f322e8fa894b6a83810a34b361901751a6f5eb65a0326e07de7c12"
    "16ccce2d0193f958bb3850a833f7ae432b65bc5a53975c155aa4bcb4f7b2c4e5"
    "4df16efaf6ddea94e2c50b4cd1dfe06017e0e9d02900cffe1935e0491d77ffb4"
    "fdf85290fdd893d577b1131a610ef6a5c32b2ee0293617a37cbb08b847741c3b"
    "8017c25ca9052ca1079d8b78aebd47876d330a30f6a8c6d61dd1ab5589329de7"
    "14d19d61370f8149748c72f132f0fc99f34d766c6938597040d8f9e2bb522ff9"
    "9c63a344d6a2ae8aa8e51b7b90a4a806105fcbca31506c446151adfeceb51b91"
    "abfe43960977c87471cf9ad4074d30e10d6a7f03c63bd5d4317f68ff325ba3bd"
    "80bf4dc8b52a0ba031758022eb025cdd770b44d6d6cf0670f4e990b22347a7db"
    "848265e3e5eb72dfe8299ad7481a408322cac55786e52f633b2fb6b614eaed18"
    "d703dd84045a274ae8bfa73379661388d6991fe39b0d93debb41700b41f90a15"
    "c4d526250235ddcd6776fc77bc97e7a417ebcb31600d01e57f32162a8560cacc"
    "7e27a096d37a1a86952ec71bd89a3e9a30a2a26162984d7740f81193e8238e61"
    "f6b5b984d4d3dfa033c1bb7e4f0037febf406d91c0dccf32acf423cfa1e70710"
    "10d3f270121b493ce85054ef58bada42310138fe081adb04e2bd901f2f13458b"
    "3d6758158197107c14ebb193230cd1157380aa79cae1374a7c1e5bbcb80ee23e"
    "06ebfde206bfb0fcbc0edc4ebec309661bdd908d532eb0c6adc38b7ca7331dce"
    "8dfce39ab71e7c32d318d136b6100671a1ae6a6600e3899f31f0eed19e3417d1"
    "34b90c9058f8632c798d4490da4987307cba922d61c39805d072b589bd52fdf1"
    "e86215c2d54e6670e07383a27bbffb5addf47d66aa85a0c6f9f32e59d85a44dd"
    "5d3b22dc2be80919b490437ae4f36a0ae55edf1d0b5cb4e9a3ecabee93dfc6e3"
    "8d209d0fa6536d27a5d6fbb17641cde27525d61093f1b28072d111b2b4ae5f89"
    "d5974ee12e5cf7d5da4d6a31123041f33e61407e76cffcdcfd7e19ba58cf4b53"
    "6f4c4938ae79324dc402894b44faf8afbab35282ab659d13c93f70412e85cb19"
    "9a37ddec600545473cfb5a05e08d0b209973b2172b4d21fb69745a262ccde96b"
    "a18b2faa745b6fe189cf772a9f84cbfc";

static const char V2_SERVER_PAYLOAD[] =
    "02000000000600405a020000560303eefce7f7b37ba1d1632e96677825ddf739"
    "88cfc79825df566dc5430b9a045a1200130100002e00330024001d00209d3c94"
    "0d89690b84d08a60993c144eca684d1081287c834d5311bcf32bb9da1a002b00"
    "020304";

static const char V2_SERVER_PACKET[] =
    "dc6b3343cf0008f067a5502a4262b5004075d92faaf16f05d8a4398c47089698"
    "baeea26b91eb761d9b89237bbf87263017915358230035f7fd3945d88965cf17"
    "f9af6e16886c61bfc703106fbaf3cb4cfa52382dd16a393e42757507698075b2"
    "c984c707f0a0812d8cd5a6881eaf21ceda98f4bd23f6fe1a3e2c43edd9ce7ca8"
    "4bed8521e2e140";

static const char V2_RETRY[] = "cf6b3343cf0008f067a5502a4262b5746f6b656ec8646ce8bfe33952d9555436"
                               "65dcc7b6";

// D29 client payload
static const char D29_CLIENT_PAYLOAD[] =
    "060040c4010000c003036660261ff947cea49cce6cfad687f457cf1b14531ba1"
    "4131a0e8f309a1d0b9c4000006130113031302010000910000000b0009000006"
    "736572766572ff01000100000a00140012001d00170018001901000101010201"
    "03010400230000003300260024001d00204cfdfcd178b784bf328cae793b136f"
    "2aedce005ff183d7bb1495207236647037002b0003020304000d0020001e0403"
    "05030603020308040805080604010501060102010402050206020202002d0002"
    "0101001c00024001";

static const char D29_CLIENT_HEADER[] = "c3ff00001d088394c8f03e5157080000449e00000002";

static const char D29_CLIENT_PACKET[] =
    "c5ff00001d088394c8f03e5157080000449e4a95245bfb66bc5f93032b7ddd89"
    "fe0ff15d9c4f7050fccdb71c1cd80512d4431643a53aafa1b0b518b44968b18b"
    "8d3e7a4d04c30b3ed9410325b2abb2dafb1c12f8b70479eb8df98abcaf95dd8f"
    "3d1c78660fbc719f88b23c8aef6771f3d50e10fdfb4c9d92386d44481b6c52d5"
    "9e5538d3d3942de9f13a7f8b702dc31724180da9df22714d01003fc5e3d165c9"
    "50e630b8540fbd81c9df0ee63f94997026c4f2e1887a2def79050ac2d86ba318"
    "e0b3adc4c5aa18bcf63c7cf8e85f569249813a2236a7e72269447cd1c755e451"
    "f5e77470eb3de64c8849d292820698029cfa18e5d66176fe6e5ba4ed18026f90"
    "900a5b4980e2f58e39151d5cd685b10929636d4f02e7fad2a5a458249f5c0298"
    "a6d53acbe41a7fc83fa7cc01973f7a74d1237a51974e097636b6203997f921d0"
    "7bc1940a6f2d0de9f5a11432946159ed6cc21df65c4ddd1115f86427259a196c"
    "7148b25b6478b0dc7766e1c4d1b1f5159f90eabc61636226244642ee148b464c"
    "9e619ee50a5e3ddc836227cad938987c4ea3c1fa7c75bbf88d89e9ada642b2b8"
    "8fe8107b7ea375b1b64889a4e9e5c38a1c896ce275a5658d250e2d76e1ed3a34"
    "ce7e3a3f383d0c996d0bed106c2899ca6fc263ef0455e74bb6ac1640ea7bfedc"
    "59f03fee0e1725ea150ff4d69a7660c5542119c71de270ae7c3ecfd1af2c4ce5"
    "51986949cc34a66b3e216bfe18b347e6c05fd050f85912db303a8f054ec23e38"
    "f44d1c725ab641ae929fecc8e3cefa5619df4231f5b4c009fa0c0bbc60bc75f7"
    "6d06ef154fc8577077d9d6a1d2bd9bf081dc783ece60111bea7da9e5a9748069"
    "d078b2bef48de04cabe3755b197d52b32046949ecaa310274b4aac0d008b1948"
    "c1082cdfe2083e386d4fd84c0ed0666d3ee26c4515c4fee73433ac703b690a9f"
    "7bf278a77486ace44c489a0c7ac8dfe4d1a58fb3a730b993ff0f0d61b4d89557"
    "831eb4c752ffd39c10f6b9f46d8db278da624fd800e4af85548a294c1518893a"
    "8778c4f6d6d73c93df200960104e062b388ea97dcf4016bced7f62b4f062cb6c"
    "04c20693d9a0e3b74ba8fe74cc01237884f40d765ae56a51688d985cf0ceaef4"
    "3045ed8c3f0c33bced08537f6882613acd3b08d665fce9dd8aa73171e2d3771a"
    "61dba2790e491d413d93d987e2745af29418e428be34941485c93447520ffe23"
    "1da2304d6a0fd5d07d0837220236966159bef3cf904d722324dd852513df39ae"
    "030d8173908da6364786d3c1bfcb19ea77a63b25f1e7fc661def480c5d00d444"
    "56269ebd84efd8e3a8b2c257eec76060682848cbf5194bc99e49ee75e4d0d254"
    "bad4bfd74970c30e44b65511d4ad0e6ec7398e08e01307eeeea14e46ccd87cf3"
    "6b285221254d8fc6a6765c524ded0085dca5bd688ddf722e2c0faf9d0fb2ce7a"
    "0c3f2cee19ca0ffba461ca8dc5d2c8178b0762cf67135558494d2a96f1a139f0"
    "edb42d2af89a9c9122b07acbc29e5e722df8615c343702491098478a389c9872"
    "a10b0c9875125e257c7bfdf27eef4060bd3d00f4c14fd3e3496c38d3c5d1a566"
    "8c39350effbc2d16ca17be4ce29f02ed969504dda2a8c6b9ff919e693ee79e09"
    "089316e7d1d89ec099db3b2b268725d888536a4b8bf9aee8fb43e82a4d919d48"
    "43b1ca70a2d8d3f725ead1391377dcc0";

static const char D29_SERVER_PAYLOAD[] =
    "0d0000000018410a020000560303eefce7f7b37ba1d1632e96677825ddf73988"
    "cfc79825df566dc5430b9a045a1200130100002e00330024001d00209d3c940d"
    "89690b84d08a60993c144eca684d1081287c834d5311bcf32bb9da1a002b0002"
    "0304";

static const char D29_SERVER_PACKET[] =
    "caff00001d0008f067a5502a4262b5004074aaf2f007823a5d3a1207c86ee491"
    "32824f0465243d082d868b107a38092bc80528664cbf9456ebf27673fb5fa506"
    "1ab573c9f001b81da028a00d52ab00b15bebaa70640e106cf2acd043e9c6b441"
    "1c0a79637134d8993701fe779e58c2fe753d14b0564021565ea92e57bc6faf56"
    "dfc7a40870e6";

static const char D29_RETRY[] = "ffff00001d0008f067a5502a4262b5746f6b656ed16926d81f6f9ca2953a8aa4"
                                "575e1e49";

static const char DCID_HEX[] = "8394c8f03e515708";
static const char SERVER_SCID_HEX[] = "f067a5502a4262b5";
static const char CHACHA_SECRET[] =
    "9ac312a7f877468ebe69422748ad00a15443f18203a07d6060f688f30f21632b";

static uint8_t *hexdup(const char *hex, size_t *len)
{
    size_t n = strlen(hex) / 2;
    uint8_t *p = malloc(n ? n : 1);
    assert_non_null(p);
    assert_int_equal(quire_crypto_unhex(hex, strlen(hex), p, n), (int)n);
    *len = n;
    return p;
}

static void assert_bytes_hex(const uint8_t *got, size_t len, const char *hex)
{
    size_t n;
    uint8_t *want = hexdup(hex, &n);
    assert_int_equal(len, n);
    assert_memory_equal(got, want, n);
    free(want);
}

typedef struct version_case {
    uint32_t version;
    const char *client_packet, *client_payload, *client_header;
    const char *server_packet, *server_payload, *retry;
} version_case;

static const version_case cases[] = {
    {QUIRE_QUIC_V1, V1_CLIENT_PACKET, V1_CLIENT_PAYLOAD, V1_CLIENT_HEADER, V1_SERVER_PACKET,
     V1_SERVER_PAYLOAD, V1_RETRY},
    {QUIRE_QUIC_V2, V2_CLIENT_PACKET, V2_CLIENT_PAYLOAD, V2_CLIENT_HEADER, V2_SERVER_PACKET,
     V2_SERVER_PAYLOAD, V2_RETRY},
    {QUIRE_QUIC_DRAFT29, D29_CLIENT_PACKET, D29_CLIENT_PAYLOAD, D29_CLIENT_HEADER,
     D29_SERVER_PACKET, D29_SERVER_PAYLOAD, D29_RETRY},
};
#define NCASES (sizeof cases / sizeof cases[0])

static uint8_t out[QUIRE_PACKET_MAX_OUT];

static void initial_keys(uint32_t version, quire_keys *c, quire_keys *s)
{
    uint8_t dcid[8];
    assert_int_equal(quire_crypto_unhex(DCID_HEX, 16, dcid, 8), 8);
    assert_int_equal(quire_keys_init_initial(c, s, version, dcid, 8), 0);
}

/* A.2: the client Initial decrypts to the CRYPTO frame followed by PADDING; protecting the
 * plaintext again gives the published bytes. */
static void test_client_initial(void **state)
{
    (void)state;
    for (size_t i = 0; i < NCASES; i++) {
        const version_case *vc = &cases[i];
        quire_keys c, s;
        initial_keys(vc->version, &c, &s);
        quire_packet_ctx ctx;
        quire_packet_ctx_init(&ctx, 8);
        ctx.keys[QUIRE_EPOCH_INITIAL] = &c;
        size_t len;
        uint8_t *data = hexdup(vc->client_packet, &len);
        quire_packet pkt;
        assert_int_equal(quire_packet_decode(&pkt, data, len, &ctx, out, sizeof out), (int)len);
        assert_int_equal(pkt.status, 0);
        assert_int_equal(pkt.type, QUIRE_PACKET_INITIAL);
        assert_int_equal(pkt.epoch, QUIRE_EPOCH_INITIAL);
        assert_int_equal(pkt.space, QUIRE_PN_SPACE_INITIAL);
        assert_int_equal(pkt.version, vc->version);
        assert_bytes_hex(pkt.dcid, pkt.dcid_len, DCID_HEX);
        assert_int_equal(pkt.scid_len, 0);
        assert_int_equal(pkt.token_len, 0);
        assert_int_equal(pkt.length, 1182);
        assert_int_equal(pkt.pn_len, 4);
        assert_int_equal(pkt.pn, 2);
        assert_int_equal(pkt.key_slot, QUIRE_KEY_CURRENT);
        assert_bytes_hex(pkt.header, pkt.header_len, vc->client_header);
        assert_int_equal(pkt.payload_len, 1162);
        size_t flen;
        uint8_t *frames = hexdup(vc->client_payload, &flen);
        assert_memory_equal(pkt.payload, frames, flen);
        for (size_t b = flen; b < pkt.payload_len; b++)
            assert_int_equal(pkt.payload[b], 0);

        /* Protect the plaintext again: the published packet, byte for byte. */
        uint8_t buf[1300];
        memset(buf, 0, sizeof buf);
        size_t hlen;
        uint8_t *hdr = hexdup(vc->client_header, &hlen);
        memcpy(buf, hdr, hlen);
        memcpy(buf + hlen, frames, flen);
        assert_int_equal(quire_packet_protect(buf, sizeof buf, hlen, 4, 2, 1162, &c), (int)len);
        assert_memory_equal(buf, data, len);

        /* The server's keys cannot open it; without keys it is still parsed. */
        ctx.keys[QUIRE_EPOCH_INITIAL] = &s;
        assert_int_equal(quire_packet_decode(&pkt, data, len, &ctx, out, sizeof out), (int)len);
        assert_int_equal(pkt.status, QUIRE_ERR_CRYPTO);
        ctx.keys[QUIRE_EPOCH_INITIAL] = NULL;
        assert_int_equal(quire_packet_decode(&pkt, data, len, &ctx, out, sizeof out), (int)len);
        assert_int_equal(pkt.status, QUIRE_ERR_NOKEY);
        assert_int_equal(pkt.pn_known, 0);
        assert_int_equal(pkt.type, QUIRE_PACKET_INITIAL);
        /* An output buffer too small for the packet is refused, not overrun. */
        ctx.keys[QUIRE_EPOCH_INITIAL] = &c;
        assert_int_equal(quire_packet_decode(&pkt, data, len, &ctx, out, 1000), (int)len);
        assert_int_equal(pkt.status, QUIRE_ERR_INVALID);

        free(hdr);
        free(frames);
        free(data);
        quire_keys_free(&c);
        quire_keys_free(&s);
    }
}

/* A.3: the server Initial (ACK + CRYPTO, 2-byte packet number). */
static void test_server_initial(void **state)
{
    (void)state;
    for (size_t i = 0; i < NCASES; i++) {
        const version_case *vc = &cases[i];
        quire_keys c, s;
        initial_keys(vc->version, &c, &s);
        quire_packet_ctx ctx;
        quire_packet_ctx_init(&ctx, 8);
        ctx.keys[QUIRE_EPOCH_INITIAL] = &s;
        size_t len;
        uint8_t *data = hexdup(vc->server_packet, &len);
        quire_packet pkt;
        assert_int_equal(quire_packet_decode(&pkt, data, len, &ctx, out, sizeof out), (int)len);
        assert_int_equal(pkt.status, 0);
        assert_int_equal(pkt.type, QUIRE_PACKET_INITIAL);
        assert_int_equal(pkt.dcid_len, 0);
        assert_bytes_hex(pkt.scid, pkt.scid_len, SERVER_SCID_HEX);
        assert_int_equal(pkt.pn_len, 2);
        assert_int_equal(pkt.pn, 1);
        assert_bytes_hex(pkt.payload, pkt.payload_len, vc->server_payload);

        uint8_t buf[300];
        memcpy(buf, pkt.header, pkt.header_len);
        memcpy(buf + pkt.header_len, pkt.payload, pkt.payload_len);
        assert_int_equal(
            quire_packet_protect(buf, sizeof buf, pkt.header_len, 2, 1, pkt.payload_len, &s),
            (int)len);
        assert_memory_equal(buf, data, len);
        free(data);
        quire_keys_free(&c);
        quire_keys_free(&s);
    }
}

/* A.4: Retry with its integrity tag over the original DCID. */
static void test_retry(void **state)
{
    (void)state;
    uint8_t odcid[8], wrong[8];
    assert_int_equal(quire_crypto_unhex(DCID_HEX, 16, odcid, 8), 8);
    memcpy(wrong, odcid, 8);
    wrong[7] ^= 1;
    for (size_t i = 0; i < NCASES; i++) {
        size_t len;
        uint8_t *data = hexdup(cases[i].retry, &len);
        quire_packet_ctx ctx;
        quire_packet_ctx_init(&ctx, 8);
        quire_packet pkt;
        assert_int_equal(quire_packet_decode(&pkt, data, len, &ctx, out, sizeof out), (int)len);
        assert_int_equal(pkt.type, QUIRE_PACKET_RETRY);
        assert_int_equal(pkt.version, cases[i].version);
        assert_int_equal(pkt.retry_tag, -1);
        assert_int_equal(pkt.dcid_len, 0);
        assert_bytes_hex(pkt.scid, pkt.scid_len, SERVER_SCID_HEX);
        assert_bytes_hex(pkt.token, pkt.token_len, "746f6b656e"); /* "token" */

        ctx.odcid = odcid;
        ctx.odcid_len = 8;
        assert_int_equal(quire_packet_decode(&pkt, data, len, &ctx, out, sizeof out), (int)len);
        assert_int_equal(pkt.retry_tag, 1);
        ctx.odcid = wrong;
        assert_int_equal(quire_packet_decode(&pkt, data, len, &ctx, out, sizeof out), (int)len);
        assert_int_equal(pkt.retry_tag, 0);

        assert_int_equal(quire_packet_retry_verify(cases[i].version, data, len, odcid, 8), 1);
        data[len - 1] ^= 0x80;
        assert_int_equal(quire_packet_retry_verify(cases[i].version, data, len, odcid, 8), 0);
        assert_int_equal(quire_packet_retry_verify(0x0a0a0a0a, data, len, odcid, 8),
                         QUIRE_ERR_UNSUPPORTED);
        assert_int_equal(quire_packet_retry_verify(cases[i].version, data, 15, odcid, 8),
                         QUIRE_ERR_TRUNCATED);
        free(data);
    }
}

/* A.5: ChaCha20-Poly1305 short header with an empty DCID and a 3-byte packet number. */
static void test_chacha_short(void **state)
{
    (void)state;
    static const struct {
        uint32_t version;
        const char *packet;
    } rows[] = {
        {QUIRE_QUIC_V1, "4cfe4189655e5cd55c41f69080575d7999c25a5bfb"},
        {QUIRE_QUIC_V2, "5558b1c60ae7b6b932bc27d786f4bc2bb20f2162ba"},
    };
    uint8_t secret[32];
    assert_int_equal(quire_crypto_unhex(CHACHA_SECRET, 64, secret, 32), 32);
    for (size_t i = 0; i < 2; i++) {
        quire_keys k;
        assert_int_equal(
            quire_keys_init(&k, rows[i].version, QUIRE_AEAD_CHACHA20_POLY1305, secret, 32), 0);
        quire_packet_ctx ctx;
        quire_packet_ctx_init(&ctx, 0);
        ctx.keys[QUIRE_EPOCH_1RTT] = &k;
        ctx.largest_pn[QUIRE_PN_SPACE_APPLICATION] = 654360563;
        size_t len;
        uint8_t *data = hexdup(rows[i].packet, &len);
        quire_packet pkt;
        assert_int_equal(quire_packet_decode(&pkt, data, len, &ctx, out, sizeof out), 21);
        assert_int_equal(pkt.status, 0);
        assert_int_equal(pkt.type, QUIRE_PACKET_1RTT);
        assert_int_equal(pkt.epoch, QUIRE_EPOCH_1RTT);
        assert_int_equal(pkt.pn_len, 3);
        assert_int_equal(pkt.pn_truncated, 49140);
        assert_int_equal(pkt.pn, 654360564);
        assert_int_equal(pkt.key_phase, 0);
        assert_int_equal(pkt.spin, 0);
        assert_int_equal(pkt.fixed_bit, 1);
        assert_bytes_hex(pkt.header, pkt.header_len, "4200bff4");
        assert_int_equal(pkt.payload_len, 1);
        assert_int_equal(pkt.payload[0], 0x01); /* PING */

        uint8_t buf[64] = {0x42, 0x00, 0xbf, 0xf4, 0x01};
        assert_int_equal(quire_packet_protect(buf, sizeof buf, 4, 3, 654360564, 1, &k), 21);
        assert_memory_equal(buf, data, 21);

        /* Without the right largest packet number the nonce is wrong. */
        ctx.largest_pn[QUIRE_PN_SPACE_APPLICATION] = -1;
        assert_int_equal(quire_packet_decode(&pkt, data, len, &ctx, out, sizeof out), 21);
        assert_int_equal(pkt.pn, 49140);
        assert_int_equal(pkt.status, QUIRE_ERR_CRYPTO);
        free(data);
        quire_keys_free(&k);
    }
}

/* A datagram with the server Initial of A.3 followed by the short header packet of A.5. */
static void test_coalesced(void **state)
{
    (void)state;
    quire_keys c, s, app;
    initial_keys(QUIRE_QUIC_V1, &c, &s);
    uint8_t secret[32];
    assert_int_equal(quire_crypto_unhex(CHACHA_SECRET, 64, secret, 32), 32);
    assert_int_equal(quire_keys_init(&app, QUIRE_QUIC_V1, QUIRE_AEAD_CHACHA20_POLY1305, secret, 32),
                     0);
    size_t l1, l2;
    uint8_t *p1 = hexdup(V1_SERVER_PACKET, &l1);
    uint8_t *p2 = hexdup("4cfe4189655e5cd55c41f69080575d7999c25a5bfb", &l2);
    uint8_t dgram[256];
    memcpy(dgram, p1, l1);
    memcpy(dgram + l1, p2, l2);
    quire_packet_ctx ctx;
    quire_packet_ctx_init(&ctx, 0);
    ctx.keys[QUIRE_EPOCH_INITIAL] = &s;
    ctx.keys[QUIRE_EPOCH_1RTT] = &app;
    ctx.largest_pn[QUIRE_PN_SPACE_APPLICATION] = 654360000;
    quire_packet_type types[4];
    size_t off = 0, n = 0;
    while (off < l1 + l2 && n < 4) {
        quire_packet pkt;
        int rv = quire_packet_decode(&pkt, dgram + off, l1 + l2 - off, &ctx, out, sizeof out);
        assert_true(rv > 0);
        assert_int_equal(pkt.status, 0);
        types[n++] = pkt.type;
        off += (size_t)rv;
    }
    assert_int_equal(n, 2);
    assert_int_equal(off, l1 + l2);
    assert_int_equal(types[0], QUIRE_PACKET_INITIAL);
    assert_int_equal(types[1], QUIRE_PACKET_1RTT);
    free(p1);
    free(p2);
    quire_keys_free(&c);
    quire_keys_free(&s);
    quire_keys_free(&app);
}

/* Builds a 1-RTT packet (8-byte DCID, 2-byte pn, PING + PADDING) protected with k. */
static size_t short_packet(uint8_t *buf, size_t cap, int phase, uint64_t pn, quire_keys *k)
{
    memset(buf, 0, cap);
    buf[0] = (uint8_t)(0x40 | (phase << 2) | 0x01);
    for (int i = 0; i < 8; i++)
        buf[1 + i] = (uint8_t)(0xd0 + i);
    buf[9] = (uint8_t)(pn >> 8);
    buf[10] = (uint8_t)pn;
    buf[11] = 0x01;
    int n = quire_packet_protect(buf, cap, 11, 2, pn, 24, k);
    assert_true(n > 0);
    return (size_t)n;
}

static void test_key_phase(void **state)
{
    (void)state;
    uint8_t secret[48];
    for (size_t i = 0; i < sizeof secret; i++)
        secret[i] = (uint8_t)(3 * i + 1);
    quire_keys k0, k1, k2;
    assert_int_equal(quire_keys_init(&k0, QUIRE_QUIC_V2, QUIRE_AEAD_AES_256_GCM, secret, 48), 0);
    assert_int_equal(quire_keys_update(&k1, &k0), 0);
    assert_int_equal(quire_keys_update(&k2, &k1), 0);
    uint8_t p0[64], p1[64], p2[64];
    size_t n0 = short_packet(p0, sizeof p0, 0, 10, &k0);
    size_t n1 = short_packet(p1, sizeof p1, 1, 11, &k1);
    size_t n2 = short_packet(p2, sizeof p2, 0, 12, &k2);
    quire_packet_ctx ctx;
    quire_packet pkt;
    quire_packet_ctx_init(&ctx, 8);
    ctx.largest_pn[QUIRE_PN_SPACE_APPLICATION] = 9;

    /* Generation 0 current: phase 1 needs the next keys. */
    ctx.keys[QUIRE_EPOCH_1RTT] = &k0;
    ctx.app_key_phase = 0;
    assert_int_equal(quire_packet_decode(&pkt, p0, n0, &ctx, out, sizeof out), (int)n0);
    assert_int_equal(pkt.status, 0);
    assert_int_equal(pkt.key_slot, QUIRE_KEY_CURRENT);
    assert_int_equal(quire_packet_decode(&pkt, p1, n1, &ctx, out, sizeof out), (int)n1);
    assert_int_equal(pkt.status, QUIRE_ERR_NOKEY);
    assert_int_equal(pkt.key_phase, 1);
    assert_int_equal(pkt.pn, 11); /* the header is readable with the shared hp key */
    ctx.app_next = &k1;
    assert_int_equal(quire_packet_decode(&pkt, p1, n1, &ctx, out, sizeof out), (int)n1);
    assert_int_equal(pkt.status, 0);
    assert_int_equal(pkt.key_slot, QUIRE_KEY_NEXT);
    assert_int_equal(pkt.payload[0], 0x01);

    /* Rotated: generation 1 current (phase 1); a late phase-0 packet is from generation 0,
     * a new phase-0 packet from generation 2. */
    ctx.keys[QUIRE_EPOCH_1RTT] = &k1;
    ctx.app_key_phase = 1;
    ctx.app_prev = &k0;
    ctx.app_next = &k2;
    assert_int_equal(quire_packet_decode(&pkt, p1, n1, &ctx, out, sizeof out), (int)n1);
    assert_int_equal(pkt.key_slot, QUIRE_KEY_CURRENT);
    assert_int_equal(pkt.status, 0);
    assert_int_equal(quire_packet_decode(&pkt, p0, n0, &ctx, out, sizeof out), (int)n0);
    assert_int_equal(pkt.status, 0);
    assert_int_equal(pkt.key_slot, QUIRE_KEY_PREVIOUS);
    assert_int_equal(quire_packet_decode(&pkt, p2, n2, &ctx, out, sizeof out), (int)n2);
    assert_int_equal(pkt.status, 0);
    assert_int_equal(pkt.key_slot, QUIRE_KEY_NEXT);
    /* A packet of generation 2 with the phase bit claiming generation 1 fails. */
    p2[0] ^= 0x04; /* flips the protected key phase bit after masking: still phase-0 keys */
    assert_int_equal(quire_packet_decode(&pkt, p2, n2, &ctx, out, sizeof out), (int)n2);
    assert_int_not_equal(pkt.status, 0);
    quire_keys_free(&k0);
    quire_keys_free(&k1);
    quire_keys_free(&k2);
}

static void test_pn_decode(void **state)
{
    (void)state;
    /* RFC 9000 Appendix A.3 example. */
    assert_int_equal(quire_packet_decode_pn(0xa82f30ea, 0x9b32, 2), 0xa82f9b32);
    assert_int_equal(quire_packet_decode_pn(-1, 0, 1), 0);
    assert_int_equal(quire_packet_decode_pn(-1, 0xff, 1), 0xff);
    assert_int_equal(quire_packet_decode_pn(0xff, 0x00, 1), 0x100);
    assert_int_equal(quire_packet_decode_pn(0x100, 0xff, 1), 0xff);
    assert_int_equal(quire_packet_decode_pn(0x17f, 0x00, 1), 0x200);
    assert_int_equal(quire_packet_decode_pn(654360563, 0xbff4, 3), 654360564);
    assert_int_equal(quire_packet_decode_pn(0x12345678, 0x12345679, 4), 0x12345679);
    /* Near the 2^62 limit the candidate is not pushed past it. */
    int64_t top = ((int64_t)1 << 62) - 1;
    assert_int_equal(quire_packet_decode_pn(top - 1, (uint64_t)top & 0xff, 1), (uint64_t)top);
}

static void test_version_negotiation(void **state)
{
    (void)state;
    size_t len;
    uint8_t *vn = hexdup("c5"
                         "00000000"
                         "08"
                         "0102030405060708"
                         "04"
                         "0a0b0c0d"
                         "00000001"
                         "6b3343cf"
                         "1a2a3a4a",
                         &len);
    quire_packet_ctx ctx;
    quire_packet_ctx_init(&ctx, 8);
    quire_packet pkt;
    assert_int_equal(quire_packet_decode(&pkt, vn, len, &ctx, out, sizeof out), (int)len);
    assert_int_equal(pkt.type, QUIRE_PACKET_VERSION_NEGOTIATION);
    assert_int_equal(pkt.status, QUIRE_ERR_UNSUPPORTED);
    assert_int_equal(pkt.version_count, 3);
    assert_bytes_hex(pkt.versions + 4, 4, "6b3343cf");
    assert_bytes_hex(pkt.scid, pkt.scid_len, "0a0b0c0d");
    /* A list that is not a multiple of 4, or empty, is malformed. */
    assert_int_equal(quire_packet_decode(&pkt, vn, len - 1, &ctx, out, sizeof out),
                     QUIRE_ERR_MALFORMED);
    assert_int_equal(quire_packet_decode(&pkt, vn, len - 12, &ctx, out, sizeof out),
                     QUIRE_ERR_MALFORMED);
    free(vn);

    /* An unknown version is reported, not parsed further; its CIDs may be long (RFC 8999). */
    uint8_t unk[64] = {0xc0, 0x1a, 0x2a, 0x3a, 0x4a, 30};
    unk[6 + 30] = 0;
    quire_packet_type type;
    uint32_t version;
    const uint8_t *dcid;
    size_t dcid_len;
    assert_int_equal(quire_packet_decode(&pkt, unk, sizeof unk, &ctx, out, sizeof out),
                     (int)sizeof unk);
    assert_int_equal(pkt.type, QUIRE_PACKET_UNKNOWN_VERSION);
    assert_int_equal(pkt.dcid_len, 30);
    assert_int_equal(quire_packet_peek(unk, sizeof unk, &type, &version, &dcid, &dcid_len, 8), 0);
    assert_int_equal(type, QUIRE_PACKET_UNKNOWN_VERSION);
    assert_int_equal(version, 0x1a2a3a4a);
}

static void test_peek(void **state)
{
    (void)state;
    for (size_t i = 0; i < NCASES; i++) {
        size_t len;
        uint8_t *data = hexdup(cases[i].client_packet, &len);
        quire_packet_type type;
        uint32_t version;
        const uint8_t *dcid;
        size_t dcid_len;
        assert_int_equal(quire_packet_peek(data, len, &type, &version, &dcid, &dcid_len, 0), 0);
        assert_int_equal(type, QUIRE_PACKET_INITIAL);
        assert_int_equal(version, cases[i].version);
        assert_bytes_hex(dcid, dcid_len, DCID_HEX);
        free(data);
        data = hexdup(cases[i].retry, &len);
        assert_int_equal(quire_packet_peek(data, len, &type, &version, &dcid, &dcid_len, 0), 0);
        assert_int_equal(type, QUIRE_PACKET_RETRY);
        free(data);
    }
    uint8_t s[9] = {0x41, 1, 2, 3, 4, 5, 6, 7, 8};
    quire_packet_type type;
    uint32_t version;
    const uint8_t *dcid;
    size_t dcid_len;
    assert_int_equal(quire_packet_peek(s, 9, &type, &version, &dcid, &dcid_len, 8), 0);
    assert_int_equal(type, QUIRE_PACKET_1RTT);
    assert_int_equal(dcid_len, 8);
    assert_int_equal(quire_packet_peek(s, 8, &type, &version, &dcid, &dcid_len, 8),
                     QUIRE_ERR_TRUNCATED);
    /* Long header type bits per version (RFC 9000 Table 5; RFC 9369 Section 3.2). */
    static const quire_packet_type v1types[4] = {QUIRE_PACKET_INITIAL, QUIRE_PACKET_0RTT,
                                                 QUIRE_PACKET_HANDSHAKE, QUIRE_PACKET_RETRY};
    static const quire_packet_type v2types[4] = {QUIRE_PACKET_RETRY, QUIRE_PACKET_INITIAL,
                                                 QUIRE_PACKET_0RTT, QUIRE_PACKET_HANDSHAKE};
    for (unsigned bits = 0; bits < 4; bits++) {
        uint8_t h1[7] = {(uint8_t)(0xc0 | bits << 4), 0, 0, 0, 1, 0, 0};
        uint8_t h2[7] = {(uint8_t)(0xc0 | bits << 4), 0x6b, 0x33, 0x43, 0xcf, 0, 0};
        uint8_t h29[7] = {(uint8_t)(0xc0 | bits << 4), 0xff, 0, 0, 0x1d, 0, 0};
        assert_int_equal(quire_packet_peek(h1, 7, &type, &version, &dcid, &dcid_len, 0), 0);
        assert_int_equal(type, v1types[bits]);
        assert_int_equal(quire_packet_peek(h2, 7, &type, &version, &dcid, &dcid_len, 0), 0);
        assert_int_equal(type, v2types[bits]);
        assert_int_equal(quire_packet_peek(h29, 7, &type, &version, &dcid, &dcid_len, 0), 0);
        assert_int_equal(type, v1types[bits]);
    }
    assert_string_equal(quire_packet_type_name(QUIRE_PACKET_VERSION_NEGOTIATION),
                        "version_negotiation");
    assert_string_equal(quire_packet_epoch_name(QUIRE_EPOCH_0RTT), "0rtt");
}

/* Every prefix of a long header packet is TRUNCATED; a short Retry too. */
static void test_truncated(void **state)
{
    (void)state;
    quire_keys c, s;
    initial_keys(QUIRE_QUIC_V1, &c, &s);
    quire_packet_ctx ctx;
    quire_packet_ctx_init(&ctx, 8);
    ctx.keys[QUIRE_EPOCH_INITIAL] = &c;
    quire_packet pkt;
    size_t len;
    uint8_t *data = hexdup(V1_CLIENT_PACKET, &len);
    for (size_t n = 0; n < len; n++) {
        uint8_t *copy = malloc(n ? n : 1); /* exact size, so ASan sees any overread */
        memcpy(copy, data, n);
        assert_int_equal(quire_packet_decode(&pkt, copy, n, &ctx, out, sizeof out),
                         QUIRE_ERR_TRUNCATED);
        free(copy);
    }
    free(data);
    data = hexdup(V1_RETRY, &len);
    for (size_t n = 0; n < 31; n++)
        assert_int_equal(quire_packet_decode(&pkt, data, n, &ctx, out, sizeof out),
                         QUIRE_ERR_TRUNCATED);
    free(data);
    /* A short header shorter than its DCID. */
    uint8_t sh[5] = {0x40, 1, 2, 3, 4};
    assert_int_equal(quire_packet_decode(&pkt, sh, sizeof sh, &ctx, out, sizeof out),
                     QUIRE_ERR_TRUNCATED);
    quire_keys_free(&c);
    quire_keys_free(&s);
}

static void test_malformed(void **state)
{
    (void)state;
    quire_keys c, s;
    initial_keys(QUIRE_QUIC_V1, &c, &s);
    quire_packet_ctx ctx;
    quire_packet_ctx_init(&ctx, 8);
    ctx.keys[QUIRE_EPOCH_INITIAL] = &c;
    ctx.keys[QUIRE_EPOCH_HANDSHAKE] = &c;
    quire_packet pkt;

    /* A 21-byte DCID in v1. */
    uint8_t big[64] = {0xc0, 0, 0, 0, 1, 21};
    assert_int_equal(quire_packet_decode(&pkt, big, sizeof big, &ctx, out, sizeof out),
                     QUIRE_ERR_MALFORMED);
    /* Length 0: no packet number. */
    uint8_t zero[] = {0xe0, 0, 0, 0, 1, 0, 0, 0x00};
    assert_int_equal(quire_packet_decode(&pkt, zero, sizeof zero, &ctx, out, sizeof out),
                     QUIRE_ERR_MALFORMED);
    /* Length 10: parsed (the next coalesced packet can be found) but too short to sample. */
    uint8_t small[40] = {0xe0, 0, 0, 0, 1, 0, 0, 10};
    assert_int_equal(quire_packet_decode(&pkt, small, sizeof small, &ctx, out, sizeof out), 18);
    assert_int_equal(pkt.type, QUIRE_PACKET_HANDSHAKE);
    assert_int_equal(pkt.status, QUIRE_ERR_MALFORMED);
    /* Short header too short to sample: consumed, status MALFORMED. */
    uint8_t sh[20] = {0x40};
    assert_int_equal(quire_packet_decode(&pkt, sh, sizeof sh, &ctx, out, sizeof out), 20);
    assert_int_equal(pkt.status, QUIRE_ERR_NOKEY);
    ctx.keys[QUIRE_EPOCH_1RTT] = &c;
    assert_int_equal(quire_packet_decode(&pkt, sh, sizeof sh, &ctx, out, sizeof out), 20);
    assert_int_equal(pkt.status, QUIRE_ERR_MALFORMED);
    /* A Handshake packet with the reserved bits set decrypts but is flagged. */
    uint8_t hs[64] = {0xe0 | 0x0c | 0x01, 0, 0, 0, 1, 0, 0, 0x40, 24 + 2 + 16, 0x00, 0x07, 0x01};
    int n = quire_packet_protect(hs, sizeof hs, 11, 2, 7, 24, &c);
    assert_int_equal(n, 11 + 24 + 16);
    assert_int_equal(quire_packet_decode(&pkt, hs, (size_t)n, &ctx, out, sizeof out), n);
    assert_int_equal(pkt.type, QUIRE_PACKET_HANDSHAKE);
    assert_int_equal(pkt.space, QUIRE_PN_SPACE_HANDSHAKE);
    assert_int_equal(pkt.pn, 7);
    assert_int_equal(pkt.reserved_bits, 0x0c);
    assert_int_equal(pkt.status, QUIRE_ERR_MALFORMED);
    assert_int_equal(pkt.payload_len, 24);
    assert_int_equal(pkt.payload[0], 0x01);
    /* A Token Length beyond the packet. */
    uint8_t tok[] = {0xc0, 0, 0, 0, 1, 0, 0, 0x44, 0x00, 1, 2};
    assert_int_equal(quire_packet_decode(&pkt, tok, sizeof tok, &ctx, out, sizeof out),
                     QUIRE_ERR_TRUNCATED);
    /* protect refuses what cannot be sampled or does not fit. */
    uint8_t tiny[32] = {0x40, 0x01, 0x01};
    assert_int_equal(quire_packet_protect(tiny, sizeof tiny, 2, 1, 1, 1, &c), QUIRE_ERR_INVALID);
    assert_int_equal(quire_packet_protect(tiny, 20, 2, 1, 1, 4, &c), QUIRE_ERR_INVALID);
    quire_keys_free(&c);
    quire_keys_free(&s);
}

/* v2 Handshake (type bits 0b11) and 0-RTT (0b10) packets, protected here, decode with the keys
 * of their epoch only; the same bits in v1 would be Retry and Handshake. */
static void test_v2_epochs(void **state)
{
    (void)state;
    uint8_t s1[32], s2[32];
    memset(s1, 0x11, sizeof s1);
    memset(s2, 0x22, sizeof s2);
    quire_keys hs, zr;
    assert_int_equal(quire_keys_init(&hs, QUIRE_QUIC_V2, QUIRE_AEAD_AES_128_GCM, s1, 32), 0);
    assert_int_equal(quire_keys_init(&zr, QUIRE_QUIC_V2, QUIRE_AEAD_CHACHA20_POLY1305, s2, 32), 0);
    static const struct {
        uint8_t bits;
        quire_packet_type type;
        quire_epoch epoch;
        quire_pn_space space;
    } rows[] = {
        {3, QUIRE_PACKET_HANDSHAKE, QUIRE_EPOCH_HANDSHAKE, QUIRE_PN_SPACE_HANDSHAKE},
        {2, QUIRE_PACKET_0RTT, QUIRE_EPOCH_0RTT, QUIRE_PN_SPACE_APPLICATION},
    };
    quire_packet_ctx ctx;
    quire_packet_ctx_init(&ctx, 0);
    ctx.keys[QUIRE_EPOCH_HANDSHAKE] = &hs;
    ctx.keys[QUIRE_EPOCH_0RTT] = &zr;
    for (size_t i = 0; i < 2; i++) {
        /* first byte, version, DCID len 4 + DCID, SCID len 0, Length (2-byte varint), pn 1 byte */
        uint8_t buf[128] = {(uint8_t)(0xc0 | rows[i].bits << 4),
                            0x6b,
                            0x33,
                            0x43,
                            0xcf,
                            4,
                            1,
                            2,
                            3,
                            4,
                            0,
                            0x40,
                            1 + 30 + 16,
                            9,
                            0x01};
        quire_keys *k = i == 0 ? &hs : &zr;
        int n = quire_packet_protect(buf, sizeof buf, 14, 1, 9, 30, k);
        assert_int_equal(n, 14 + 30 + 16);
        quire_packet pkt;
        assert_int_equal(quire_packet_decode(&pkt, buf, (size_t)n, &ctx, out, sizeof out), n);
        assert_int_equal(pkt.type, rows[i].type);
        assert_int_equal(pkt.epoch, rows[i].epoch);
        assert_int_equal(pkt.space, rows[i].space);
        assert_int_equal(pkt.status, 0);
        assert_int_equal(pkt.pn, 9);
        assert_int_equal(pkt.payload_len, 30);
        /* With the keys of the other epoch swapped in, authentication fails. */
        ctx.keys[rows[i].epoch] = i == 0 ? &zr : &hs;
        assert_int_equal(quire_packet_decode(&pkt, buf, (size_t)n, &ctx, out, sizeof out), n);
        assert_int_not_equal(pkt.status, 0);
        ctx.keys[rows[i].epoch] = k;
    }
    quire_keys_free(&hs);
    quire_keys_free(&zr);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_client_initial), cmocka_unit_test(test_server_initial),
        cmocka_unit_test(test_retry),          cmocka_unit_test(test_chacha_short),
        cmocka_unit_test(test_coalesced),      cmocka_unit_test(test_key_phase),
        cmocka_unit_test(test_pn_decode),      cmocka_unit_test(test_version_negotiation),
        cmocka_unit_test(test_peek),           cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_malformed),      cmocka_unit_test(test_v2_epochs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
