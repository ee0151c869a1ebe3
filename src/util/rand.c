/* xoshiro256** 1.0 (Blackman and Vigna, public domain reference algorithm), seeded with
 * splitmix64 as its authors recommend (see rand.h). */
#include "util/rand.h"

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

void quire_rand_init(quire_rand *r, uint64_t seed, uint64_t stream)
{
    uint64_t x = seed ^ (stream * 0xd1342543de82ef95ULL);
    /* Mix the stream in once more so that seeds differing only in the stream do not
     * produce shifted copies of one another. */
    (void)splitmix64(&x);
    x ^= stream;
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&x);
    /* splitmix64 never yields four zero words from one state, but keep the invariant explicit:
     * xoshiro's all-zero state is a fixed point. */
    if (!(r->s[0] | r->s[1] | r->s[2] | r->s[3])) r->s[0] = 1;
}

uint64_t quire_rand_u64(quire_rand *r)
{
    uint64_t *s = r->s;
    const uint64_t result = rotl(s[1] * 5, 7) * 9;
    const uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

uint64_t quire_rand_below(quire_rand *r, uint64_t n)
{
    if (n == 0) return 0;
    /* Rejection sampling: discard the top partial range so every residue is equally likely. */
    uint64_t limit = UINT64_MAX - (UINT64_MAX % n);
    uint64_t v;
    do
        v = quire_rand_u64(r);
    while (v >= limit);
    return v % n;
}

double quire_rand_double(quire_rand *r)
{
    return (double)(quire_rand_u64(r) >> 11) * 0x1.0p-53;
}
