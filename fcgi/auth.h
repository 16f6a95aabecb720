/*
 * auth: the bearer token that guards writing endpoints. Pure (libcrypto).
 */
#ifndef MLDASH_AUTH_H
#define MLDASH_AUTH_H

/*
 * Checks an Authorization header ("Bearer <token>", may be NULL) against
 * the configured token. An empty configured token lets nobody in (whether
 * anonymous writes are allowed is the caller's decision, not this one's). The
 * comparison takes the same time whatever the tokens (digests compared with
 * CRYPTO_memcmp). Returns 1 when allowed.
 */
int auth_bearer_ok(const char *configured_token, const char *authorization);

#endif
