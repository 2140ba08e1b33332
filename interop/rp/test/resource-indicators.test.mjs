// Resource indicators (RFC 8707) driven by oauth4webapi: `resource` in the authorization request and at the token
// endpoint, the access token's `aud` verified with jose against the JWKS, and the invalid_target refusals (a resource
// the client may not use, a refresh that would widen the grant).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as oauth from 'oauth4webapi';
import * as jose from 'jose';
import { authorize, Browser, issuer, newClient, sharedUser } from './support.mjs';

const API = 'https://api.resources.example/v1';
const DOCS = 'http://localhost:8082';
const OTHER = 'https://other.resources.example/';
const insecure = { [oauth.allowInsecureRequests]: true };
const jwks = jose.createRemoteJWKSet(new URL(`${issuer}/oauth2/jwks`));

async function server() {
  const response = await oauth.discoveryRequest(new URL(issuer), { algorithm: 'oauth2', ...insecure });
  return oauth.processDiscoveryResponse(new URL(issuer), response);
}

async function resourceClient(resources = [API, DOCS]) {
  const c = await newClient({
    grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'],
    scopes: ['openid', 'api.read'],
    resources,
  });
  return { ...c, as: await server(), client: { client_id: c.clientId }, auth: oauth.ClientSecretBasic(c.clientSecret) };
}

/** The authorization request as oauth4webapi's users build it, with each resource as its own parameter. */
async function authorizationUrl(rp, resources) {
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const nonce = oauth.generateRandomNonce();
  const url = new URL(rp.as.authorization_endpoint);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', rp.clientId);
  url.searchParams.set('redirect_uri', rp.redirectUri);
  url.searchParams.set('scope', 'openid api.read');
  url.searchParams.set('state', state);
  url.searchParams.set('nonce', nonce);
  url.searchParams.set('code_challenge', await oauth.calculatePKCECodeChallenge(verifier));
  url.searchParams.set('code_challenge_method', 'S256');
  for (const r of resources) url.searchParams.append('resource', r);
  return { url, verifier, state, nonce };
}

/** Verifies the access token against the JWKS for one audience (jose) and returns its claims. */
async function accessTokenFor(token, audience) {
  const { payload } = await jose.jwtVerify(token, jwks, { issuer, audience, typ: 'at+jwt' });
  return payload;
}

function resources(...values) {
  const p = new URLSearchParams();
  for (const v of values) p.append('resource', v);
  return p;
}

async function refusedWith(promise, error) {
  await assert.rejects(promise, (e) => {
    assert.ok(e instanceof oauth.ResponseBodyError, String(e));
    assert.equal(e.status, 400);
    assert.equal(e.error, error);
    return true;
  });
}

test('RFC 8707: resources in the authorization request become the access token audience; the ID token keeps client_id', async () => {
  const rp = await resourceClient();
  const user = await sharedUser();
  const request = await authorizationUrl(rp, [API, DOCS]);
  const { location } = await authorize(new Browser(), request.url.href, user);
  const params = oauth.validateAuthResponse(rp.as, rp.client, new URL(location), request.state);
  const response = await oauth.authorizationCodeGrantRequest(
    rp.as, rp.client, rp.auth, params, rp.redirectUri, request.verifier, insecure);
  const tokens = await oauth.processAuthorizationCodeResponse(rp.as, rp.client, response, {
    expectedNonce: request.nonce, requireIdToken: true,
  });
  const claims = await accessTokenFor(tokens.access_token, API);
  assert.deepEqual(claims.aud, [API, DOCS]);
  assert.equal(claims.client_id, rp.clientId);
  assert.equal(oauth.getValidatedIdTokenClaims(tokens).aud, rp.clientId);

  // A refresh may narrow to one granted resource (RFC 8707 §2.2) ...
  const narrowed = await oauth.processRefreshTokenResponse(rp.as, rp.client, await oauth.refreshTokenGrantRequest(
    rp.as, rp.client, rp.auth, tokens.refresh_token, { additionalParameters: resources(DOCS), ...insecure }));
  assert.equal((await accessTokenFor(narrowed.access_token, DOCS)).aud, DOCS);
  await assert.rejects(accessTokenFor(narrowed.access_token, API), jose.errors.JWTClaimValidationFailed);

  // ... never widen beyond what the user's authorization granted.
  await refusedWith(
    oauth.refreshTokenGrantRequest(rp.as, rp.client, rp.auth, narrowed.refresh_token, {
      additionalParameters: resources(OTHER), ...insecure,
    }).then((r) => oauth.processRefreshTokenResponse(rp.as, rp.client, r)),
    'invalid_target',
  );
});

test('RFC 8707: the code exchange may name a subset of the granted resources', async () => {
  const rp = await resourceClient();
  const user = await sharedUser();
  const request = await authorizationUrl(rp, [API, DOCS]);
  const { location } = await authorize(new Browser(), request.url.href, user);
  const params = oauth.validateAuthResponse(rp.as, rp.client, new URL(location), request.state);
  const response = await oauth.authorizationCodeGrantRequest(
    rp.as, rp.client, rp.auth, params, rp.redirectUri, request.verifier, {
      additionalParameters: resources(API), ...insecure,
    });
  const tokens = await oauth.processAuthorizationCodeResponse(rp.as, rp.client, response, {
    expectedNonce: request.nonce, requireIdToken: true,
  });
  assert.equal((await accessTokenFor(tokens.access_token, API)).aud, API);
});

test('RFC 8707: a resource the client may not use is invalid_target at the redirect URI, with iss', async () => {
  const rp = await resourceClient();
  const other = await newClient({ scopes: ['openid'], resources: [OTHER] });
  assert.ok(other.clientId);
  const user = await sharedUser();
  for (const bad of [OTHER, `${API}#fragment`, '/v1']) {
    const request = await authorizationUrl(rp, [API, bad]);
    const { location } = await authorize(new Browser(), request.url.href, user);
    assert.ok(location?.startsWith(rp.redirectUri + '?'), `expected a redirect to the client, got ${location}`);
    assert.throws(
      () => oauth.validateAuthResponse(rp.as, rp.client, new URL(location), request.state),
      (e) => e instanceof oauth.AuthorizationResponseError && e.error === 'invalid_target',
    );
    assert.equal(new URL(location).searchParams.get('iss'), issuer);
  }
});

test('RFC 8707: client credentials with resource get exactly that audience; a foreign resource is invalid_target', async () => {
  const rp = await resourceClient();
  const response = await oauth.clientCredentialsGrantRequest(rp.as, rp.client, rp.auth, resources(DOCS), insecure);
  const tokens = await oauth.processClientCredentialsResponse(rp.as, rp.client, response);
  assert.equal((await accessTokenFor(tokens.access_token, DOCS)).aud, DOCS);
  await refusedWith(
    oauth.clientCredentialsGrantRequest(rp.as, rp.client, rp.auth, resources(OTHER), insecure)
      .then((r) => oauth.processClientCredentialsResponse(rp.as, rp.client, r)),
    'invalid_target',
  );
});
