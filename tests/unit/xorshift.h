/*
 * xorshift: a small deterministic generator for the unit tests, so that
 * simulated series (and what the tests assert of them) do not depend on
 * libc's rand(). Header-only; each test executable has its own state.
 */
#ifndef MLDASH_TEST_XORSHIFT_H
#define MLDASH_TEST_XORSHIFT_H

#include <math.h>
#include <stdint.h>

static uint64_t rng_state = 88172645463325252ULL;

static inline double uniform(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return ((double)(rng_state >> 11) + 0.5) / 9007199254740992.0;
}

static inline double gaussian(void)
{
	return sqrt(-2 * log(uniform())) * cos(6.283185307179586 * uniform());
}

#endif
