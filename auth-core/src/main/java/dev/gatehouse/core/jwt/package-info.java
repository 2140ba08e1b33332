/**
 * JSON Web Tokens: issuing (RFC 9068 access tokens, OIDC ID tokens, general JWTs), verifying with typed
 * failure codes, a rotating {@link dev.gatehouse.core.jwt.KeyRing} with JWKS export, remote JWKS, and
 * revocation. Built on Nimbus JOSE+JWT; nothing outside this package sees Nimbus.
 */
@NullMarked
package dev.gatehouse.core.jwt;

import org.jspecify.annotations.NullMarked;
