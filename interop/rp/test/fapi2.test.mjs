// FAPI 2.0 Security Profile (final, §5.3.2): a client put under the per-client switch through the admin API, driven by
// oauth4webapi as a FAPI 2.0 client: a signed request object (RFC 9101) pushed with PAR (RFC 9126) and private_key_jwt
// (RFC 7523), PKCE S256, the `iss` authorization response parameter checked (RFC 9207), and DPoP-bound tokens
// (RFC 9449) at the token, refresh and UserInfo endpoints. What the profile forbids is refused: a front-channel
// request without PAR, and a token request without a DPoP proof.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import * as oauth from 'oauth4webapi';
import * as jose from 'jose';
import {
  authorize, Browser, issuer, newClient, postForm, redact, setClientFapi2, setClientKeys, sharedUser, verifyAccessToken,
  verifyIdToken,
} from './support.mjs';

const insecure = { [oauth.allowInsecureRequests]: true };

async function authorizationServer() {
  const res = await oauth.discoveryRequest(new URL(issuer), insecure);
  return oauth.processDiscoveryResponse(new URL(issuer), res);
}

/** A confidential client with an ES256 key (private_key_jwt), then switched to FAPI 2.0 through the admin API. */
async function fapiClient() {
  const registered = await newClient();
  const { privateKey, publicKey } = await jose.generateKeyPair('ES256', { extractable: true });
  const kid = randomUUID();
  const keys = await setClientKeys(registered.clientId, {
    jwks: { keys: [{ ...(await jose.exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' }] },
  });
  assert.equal(keys.status, 200, redact(keys.body));
  const fapi = await setClientFapi2(registered.clientId, true);
  assert.equal(fapi.status, 200, redact(fapi.body));
  assert.equal(fapi.json.fapi2, true);
  return { ...registered, key: privateKey, kid, auth: oauth.PrivateKeyJwt({ key: privateKey, kid }) };
}

/** PAR with a signed request object; the authorization in a browser; the response validated (state and iss). */
async function pushedCodeRequest(as, c, user) {
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const nonce = oauth.generateRandomNonce();
  const request = await oauth.issueRequestObject(as, { client_id: c.clientId }, new URLSearchParams({
    response_type: 'code', redirect_uri: c.redirectUri, scope: 'openid profile', state, nonce,
    code_challenge: await oauth.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
  }), { key: c.key, kid: c.kid });
  const pushed = await oauth.pushedAuthorizationRequest(
    as, { client_id: c.clientId }, c.auth, new URLSearchParams({ request }), insecure,
  );
  const par = await oauth.processPushedAuthorizationResponse(as, { client_id: c.clientId }, pushed);
  const url = new URL(as.authorization_endpoint);
  url.searchParams.set('client_id', c.clientId);
  url.searchParams.set('request_uri', par.request_uri);
  const { location } = await authorize(new Browser(), url.href, user);
  assert.ok(location?.startsWith(c.redirectUri + '?'), `expected a redirect to the client, got ${location}`);
  // RFC 9207 §2.4: oauth4webapi checks `iss` because discovery says it is sent.
  assert.equal(as.authorization_response_iss_parameter_supported, true);
  const params = oauth.validateAuthResponse(as, { client_id: c.clientId }, new URL(location), state);
  return { params, verifier, nonce };
}

test('FAPI 2.0 client: JAR through PAR, private_key_jwt, PKCE, iss checked, DPoP-bound tokens, refresh and UserInfo', async () => {
  const as = await authorizationServer();
  const c = await fapiClient();
  const user = await sharedUser();
  const { params, verifier, nonce } = await pushedCodeRequest(as, c, user);

  const dpopKeys = await oauth.generateKeyPair('ES256');
  const dpop = oauth.DPoP({ client_id: c.clientId }, dpopKeys);
  const res = await oauth.authorizationCodeGrantRequest(
    as, { client_id: c.clientId }, c.auth, params, c.redirectUri, verifier, { ...insecure, DPoP: dpop },
  );
  const tokens = await oauth.processAuthorizationCodeResponse(as, { client_id: c.clientId }, res, {
    expectedNonce: nonce, requireIdToken: true,
  });
  assert.equal(tokens.token_type.toLowerCase(), 'dpop');
  const jkt = await jose.calculateJwkThumbprint(await jose.exportJWK(dpopKeys.publicKey));
  assert.equal((await verifyAccessToken(tokens.access_token)).payload.cnf?.jkt, jkt, 'access token bound to the DPoP key');
  assert.equal((await verifyIdToken(tokens.id_token, c.clientId)).sub, user.username);

  // RFC 9449 §5.2: the profile requires a proof at every token request; a refresh without one is refused and spends
  // nothing (the refresh token still works with a proof).
  const bare = await postForm('/oauth2/token', {
    grant_type: 'refresh_token', refresh_token: tokens.refresh_token, client_id: c.clientId,
    client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    client_assertion: await new jose.SignJWT({ jti: randomUUID() })
      .setProtectedHeader({ alg: 'ES256', kid: c.kid })
      .setIssuer(c.clientId).setSubject(c.clientId).setAudience(issuer).setIssuedAt().setExpirationTime('60s')
      .sign(c.key),
  });
  assert.equal(bare.status, 400, redact(bare.body));
  assert.equal(bare.json.error, 'invalid_dpop_proof');
  assert.equal(bare.json.access_token, undefined);

  const refreshed = await oauth.processRefreshTokenResponse(as, { client_id: c.clientId },
    await oauth.refreshTokenGrantRequest(as, { client_id: c.clientId }, c.auth, tokens.refresh_token, {
      ...insecure, DPoP: dpop,
    }));
  assert.equal((await verifyAccessToken(refreshed.access_token)).payload.cnf?.jkt, jkt);

  const info = await oauth.processUserInfoResponse(as, { client_id: c.clientId }, user.username,
    await oauth.userInfoRequest(as, { client_id: c.clientId }, refreshed.access_token, { ...insecure, DPoP: dpop }));
  assert.equal(info.sub, user.username);
});

test('FAPI 2.0 client: a front-channel authorization request without PAR is refused (RFC 9126 §5), no code issued', async () => {
  const as = await authorizationServer();
  const c = await fapiClient();
  const user = await sharedUser();
  const url = new URL(as.authorization_endpoint);
  const verifier = oauth.generateRandomCodeVerifier();
  for (const [k, v] of Object.entries({
    client_id: c.clientId, response_type: 'code', redirect_uri: c.redirectUri, scope: 'openid', state: 's1',
    code_challenge: await oauth.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
  })) url.searchParams.set(k, v);
  const { res, location } = await authorize(new Browser(), url.href, user);
  if (location?.startsWith(c.redirectUri)) {
    const back = new URL(location).searchParams;
    assert.equal(back.get('error'), 'invalid_request', location);
    assert.equal(back.get('code'), null);
    assert.equal(back.get('iss'), issuer);
  } else {
    assert.equal(res.status, 400, `expected an error, got ${res.status} ${location}`);
  }
});

test('FAPI 2.0 switch: the admin API refuses it for a client that does not authenticate with private_key_jwt', async () => {
  const registered = await newClient();
  const r = await setClientFapi2(registered.clientId, true);
  assert.equal(r.status, 400, redact(r.body));
  assert.match(r.headers.get('content-type'), /problem\+json/);
  assert.equal(r.json.fapi2, undefined);
});
