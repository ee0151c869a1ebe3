/* A small seeded pseudo-random generator (xoshiro256**, seeded through splitmix64) so that
 * every random choice quire makes (simulated loss, corruption, rebinding, file contents) is
 * reproducible from one 64-bit seed. Not for cryptographic use. State lives in the caller's
 * struct; there is no global generator. */
#ifndef QUIRE_RAND_H
#define QUIRE_RAND_H

#include <stdint.h>

typedef struct quire_rand {
    uint64_t s[4];
} quire_rand;

/* Seeds the generator; the same seed always gives the same sequence. stream separates
 * independent sequences drawn from one seed (e.g. one per link direction). */
void quire_rand_init(quire_rand *r, uint64_t seed, uint64_t stream);
uint64_t quire_rand_u64(quire_rand *r);
/* Uniform in [0, n) without modulo bias; returns 0 when n is 0. */
uint64_t quire_rand_below(quire_rand *r, uint64_t n);
/* Uniform in [0, 1) with 53 bits of precision. */
double quire_rand_double(quire_rand *r);

#endif
