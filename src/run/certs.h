/* Test certificates made with OpenSSL's libcrypto, the same chain QIR's certs.sh makes: a root
 * CA ("O=interop runner Root Certificate Authority", P-256, 10 days) and chain_len certificates
 * below it, the last one the leaf ("O=interop runner leaf") for the names server, server4,
 * server6, server46 and the server's test addresses (198.19.0.100, 2001:2:0:2::100). Writes into
 * dir: priv.key (the leaf's key), cert.pem (the chain, leaf first, intermediates after it, as
 * certs.sh concatenates it: without the root) and ca.pem (the root). A chain longer than 1 also
 * gets certs.sh's 20 extra 250-character DNS names in the leaf (the amplification test's
 * inflated certificate). */
#ifndef QUIRE_CERTS_H
#define QUIRE_CERTS_H

/* Returns 0, QUIRE_ERR_INVALID (chain_len 0 or > 16), QUIRE_ERR_CRYPTO or QUIRE_ERR_IO. */
int quire_certs_generate(const char *dir, unsigned chain_len);

#endif
